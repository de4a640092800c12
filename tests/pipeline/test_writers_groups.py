"""ParquetSink row groups: bounded by rows and bytes, cut the same way however the rows arrive."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.pipeline.io.writers import ParquetSink

# a long "page" next to short rows, as in a rejected output that keeps original HTML
PAGE = "<html><body><p>Foi o segundo destes skiffs, que rumava a noroeste, com seis suspeitos.</p></body></html>" * 40
ROWS = pl.DataFrame({
    "id": [f"x:{i}" for i in range(60)],
    "text": [PAGE if i % 7 == 0 else f"O menino está no jardim zoológico. {i}" for i in range(60)],
    "label": ["pt-PT" if i % 2 else "pt-BR" for i in range(60)],
    "n": list(range(60)),
})


def _write(path: Path, cuts: list[int], **kw) -> bytes:
    with ParquetSink(path, **kw) as sink:
        start = 0
        for end in sorted(set(cuts)) + [ROWS.height]:
            sink.write(ROWS.slice(start, max(0, end - start)))
            start = max(start, end)
    return path.read_bytes()


def test_row_groups_are_bounded_by_bytes_and_rows(tmp_path: Path) -> None:
    _write(tmp_path / "a.parquet", [], row_group_rows=25, row_group_bytes=9_000)
    meta = pq.ParquetFile(tmp_path / "a.parquet").metadata
    sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
    assert sum(sizes) == 60 and max(sizes) <= 25
    start = 0
    for n in sizes:  # each group holds at most two pages (~4 KB each) besides its short rows
        group = ROWS.slice(start, n)
        assert group["text"].str.len_bytes().sum() + 8 * n + group["id"].str.len_bytes().sum() \
            + group["label"].str.len_bytes().sum() <= 9_000
        start += n
    assert pl.read_parquet(tmp_path / "a.parquet").equals(ROWS)


def test_long_texts_skip_the_dictionary_short_ones_keep_it(tmp_path: Path) -> None:
    _write(tmp_path / "d.parquet", [])
    column = {c.path_in_schema: c for c in
              (pq.ParquetFile(tmp_path / "d.parquet").metadata.row_group(0).column(i) for i in range(4))}
    assert "RLE_DICTIONARY" not in str(column["text"].encodings)
    assert "RLE_DICTIONARY" in str(column["label"].encodings)


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(0, 60), max_size=8))
def test_file_bytes_do_not_depend_on_how_rows_arrive(tmp_path_factory, cuts: list[int]) -> None:
    d = tmp_path_factory.mktemp("groups")
    kw = {"row_group_rows": 16, "row_group_bytes": 12_000}
    whole = _write(d / "whole.parquet", [], **kw)
    split = _write(d / "split.parquet", cuts, **kw)
    assert hashlib.sha256(whole).digest() == hashlib.sha256(split).digest()
