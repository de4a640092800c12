"""ParquetSink (atomic, schema-fixing) and the JSONL / datasets converters."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from corpus_sieve.pipeline.io.writers import ParquetSink, parquet_to_datasets, parquet_to_jsonl


def test_sink_appends_and_publishes_atomically(tmp_path: Path) -> None:
    out = tmp_path / "kept.parquet"
    sink = ParquetSink(out, row_group_rows=2)
    sink.write(pl.DataFrame({"id": ["a:1", "a:2"], "text": ["olá", "adeus"], "n": [1, 2]}))
    sink.write(pl.DataFrame({"id": ["a:3"], "text": ["até já"]}))  # n missing -> null
    sink.write(pl.DataFrame({"n": [4.0], "text": ["fim"], "id": ["a:4"]}))  # other order, castable type
    assert not out.exists() and (tmp_path / "kept.parquet.tmp").exists()
    assert sink.close() == 4
    assert not (tmp_path / "kept.parquet.tmp").exists()
    df = pl.read_parquet(out)
    assert df.rows() == [("a:1", "olá", 1), ("a:2", "adeus", 2), ("a:3", "até já", None), ("a:4", "fim", 4)]
    assert df.schema["n"] == pl.Int64


def test_sink_refuses_unknown_columns(tmp_path: Path) -> None:
    with ParquetSink(tmp_path / "x.parquet") as sink:
        sink.write(pl.DataFrame({"text": ["a"]}))
        with pytest.raises(ValueError, match="column\\(s\\) extra are not in the schema"):
            sink.write(pl.DataFrame({"text": ["b"], "extra": [1]}))


def test_killed_run_leaves_no_complete_looking_file(tmp_path: Path) -> None:
    out = tmp_path / "rejected.parquet"
    with pytest.raises(RuntimeError):
        with ParquetSink(out) as sink:
            sink.write(pl.DataFrame({"text": ["a"] * 10}))
            raise RuntimeError("killed")
    assert not out.exists() and not (tmp_path / "rejected.parquet.tmp").exists()


def test_empty_sink_is_a_valid_file(tmp_path: Path) -> None:
    with ParquetSink(tmp_path / "a.parquet", schema={"id": pl.String, "text": pl.String}):
        pass
    assert pl.read_parquet(tmp_path / "a.parquet").schema == pl.Schema({"id": pl.String, "text": pl.String})
    sink = ParquetSink(tmp_path / "b.parquet")
    sink.write(pl.DataFrame(schema={"text": pl.String, "reason": pl.String}))
    assert sink.close() == 0
    assert pl.read_parquet(tmp_path / "b.parquet").columns == ["text", "reason"]


def test_parquet_to_jsonl_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "k.parquet"
    df = pl.DataFrame({"text": ["Olá, José!", "coração\nnova linha"], "label": ["pt-PT", None]})
    df.write_parquet(src)
    assert parquet_to_jsonl(src, tmp_path / "k.jsonl", batch_size=1) == 2
    lines = (tmp_path / "k.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == df.to_dicts()
    assert not (tmp_path / "k.jsonl.tmp").exists()


def test_parquet_to_datasets(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    src = tmp_path / "k.parquet"
    pl.DataFrame({"id": ["x:1", "x:2"], "text": ["bom dia", "boa tarde"]}).write_parquet(src)
    assert parquet_to_datasets(src, tmp_path / "kept_ds") == 2
    ds = datasets.load_from_disk(str(tmp_path / "kept_ds"))
    assert ds["text"] == ["bom dia", "boa tarde"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".kept_ds")]
    empty = tmp_path / "e.parquet"
    pl.DataFrame(schema={"text": pl.String}).write_parquet(empty)
    assert parquet_to_datasets(empty, tmp_path / "empty_ds") == 0
    assert datasets.load_from_disk(str(tmp_path / "empty_ds")).column_names == ["text"]


def test_reader_writer_round_trip(tmp_path: Path) -> None:
    """What the reader yields, the sink stores unchanged (bookkeeping columns included)."""
    from corpus_sieve.pipeline.recipe.columns import ColumnMap
    from corpus_sieve.pipeline.io.readers import iter_batches

    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "um"}\n{"text": \n{"text": "três"}\n', encoding="utf-8")
    out = tmp_path / "all.parquet"
    with ParquetSink(out) as sink:
        frames = list(iter_batches(src, ColumnMap(), batch_size=1))
        for f in frames:
            sink.write(f)
    assert pl.read_parquet(out).equals(pl.concat(frames))
