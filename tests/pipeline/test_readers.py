"""Readers: every format, every kind of bad row, batch-size independence, bounded memory."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.readers import InputError, fingerprint, fingerprint_algorithm, iter_batches, read_frame

CM = ColumnMap()
DSLCC_COLUMNS = ColumnMap(text="column_1", label="column_2")
HEADERLESS = {"has_header": False}


def _reasons(df: pl.DataFrame) -> dict[str, str | None]:
    return dict(zip(df["id"].to_list(), df["_reason"].to_list()))


# -- real files ---------------------------------------------------------------


def test_dslcc_headerless_tsv_keeps_quotes(shared_data: Path) -> None:
    path = shared_data / "pt-varieties" / "dslcc2-test-gold-pt.tsv"
    df = read_frame(path, DSLCC_COLUMNS, options=HEADERLESS)
    assert df.height == 2000
    assert df.columns == ["id", "column_1", "column_2", "_reason", "_detail"]
    assert df["_reason"].null_count() == 2000
    assert df["column_2"].value_counts().sort("column_2").rows() == [("pt-BR", 1000), ("pt-PT", 1000)]
    first = df.row(0, named=True)
    assert first["id"] == "dslcc2-test-gold-pt:1"
    # quoting is off for TSV: the quotes around "skiffs" are text, not CSV syntax
    assert first["column_1"].startswith('Foi o segundo destes "skiffs", que rumava a noroeste')


def test_dslcc_column_names_option(shared_data: Path) -> None:
    path = shared_data / "pt-varieties" / "dslcc2-test-gold-pt.tsv"
    df = read_frame(path, ColumnMap(), options={"has_header": False, "column_names": ["text", "label"]})
    assert df.columns[:3] == ["id", "text", "label"] and df.height == 2000


def test_told_br_csv_matches_polars(shared_data: Path) -> None:
    path = shared_data / "social" / "told-br.csv"
    df = read_frame(path, CM)
    expected = pl.read_csv(path, infer_schema=False)
    assert df.height == expected.height == 21000
    assert df["text"].to_list() == expected["text"].to_list()
    assert df["_reason"].null_count() == df.height
    assert df["homophobia"].dtype == pl.String  # CSV values stay as written
    assert df.row(1, named=True)["text"].startswith("rt @user @user o cara adultera dados")


def test_told_br_batch_size_independent(shared_data: Path) -> None:
    path = shared_data / "social" / "told-br.csv"
    whole = read_frame(path, CM)
    batches = list(iter_batches(path, CM, batch_size=777))
    assert all(b.height <= 777 for b in batches)
    assert pl.concat(batches).equals(whole)


# -- JSONL --------------------------------------------------------------------


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_jsonl_good_rows_and_generated_ids(tmp_path: Path) -> None:
    p = _write(tmp_path / "news.jsonl", '{"text": "Olá, Lisboa!", "label": "pt-PT", "n": 1}\n'
               '\n{"text": "Hello there", "label": "en", "n": 2}\n')
    df = read_frame(p, CM)
    assert df.columns == ["id", "text", "label", "n", "_reason", "_detail"]
    assert df["id"].to_list() == ["news:1", "news:3"]  # line numbers; blank line skipped
    assert df["n"].dtype == pl.Int64
    assert df["_reason"].to_list() == [None, None]


def test_malformed_json_line_is_yielded_with_reason(tmp_path: Path) -> None:
    p = _write(tmp_path / "x.jsonl", '{"text": "bom dia"}\n{"text": "a" "b"}\n[1, 2]\n{"text": "boa noite"}\n')
    df = read_frame(p, CM)
    assert _reasons(df) == {"x:1": None, "x:2": "malformed_input", "x:3": "malformed_input", "x:4": None}
    bad = df.filter(pl.col("id") == "x:2").row(0, named=True)
    assert bad["text"] == '{"text": "a" "b"}'  # the raw line is kept for the rejected output
    assert bad["_detail"].startswith(f"{p}, line 2: invalid JSON (Expecting ',' delimiter at column 14)")
    assert "not a JSON object" in df.filter(pl.col("id") == "x:3")["_detail"][0]
    with pytest.raises(InputError, match=r"x\.jsonl, line 2: invalid JSON"):
        read_frame(p, CM, strict=True)


def test_invalid_utf8_never_crashes(tmp_path: Path) -> None:
    p = _write(tmp_path / "u.jsonl", b'{"text": "ol\xc3\xa1"}\n{"text": "ol\xe1 mundo"}\n{"text": "fim"}\n')
    df = read_frame(p, CM)
    assert _reasons(df) == {"u:1": None, "u:2": "invalid_utf8", "u:3": None}
    assert df["text"][0] == "olá"
    assert "line 2: invalid UTF-8 (byte 0xe1 at column 13)" in df["_detail"][1]
    csv_p = _write(tmp_path / "u.csv", b"text,label\nol\xe1,pt-PT\nbom,pt-BR\n")
    assert _reasons(read_frame(csv_p, CM)) == {"u:2": "invalid_utf8", "u:3": None}


def test_null_missing_and_non_string_text(tmp_path: Path) -> None:
    lines = [
        {"text": "ok", "label": "pt-PT"},
        {"text": None, "label": "pt-PT"},
        {"body": "sem texto", "label": "pt-BR"},
        {"text": 42, "label": "pt-BR"},
        {"text": ["a", "b"], "label": "pt-BR"},
        {"text": "sem rótulo", "label": None},
        {"meta": {"text": 5}, "text": "nested key is not the text", "label": "en"},
    ]
    p = _write(tmp_path / "n.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    df = read_frame(p, CM)
    assert df["_reason"].to_list() == [
        None, "null_text", "missing_column", "non_string_text", "non_string_text", "null_label", None,
    ]
    assert df["text"][3] == "42"
    assert "column 'text' is a JSON number" in df["_detail"][3]
    assert df["_detail"][5] == f"{p}, line 6: column 'label' is null"


def test_missing_text_column_raises_once(tmp_path: Path) -> None:
    p = _write(tmp_path / "x.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(InputError) as e:
        read_frame(p, CM)
    assert str(e.value) == f"missing column 'text' in {p} (columns: a, b, c; set columns.text in the recipe)"
    pj = _write(tmp_path / "y.jsonl", '{"body": "x"}\n')
    with pytest.raises(InputError, match="missing column 'text'.*columns: body"):
        read_frame(pj, CM)


def test_empty_files_yield_nothing(tmp_path: Path) -> None:
    for name in ("e.jsonl", "e.csv", "e.tsv"):
        p = _write(tmp_path / name, "")
        assert list(iter_batches(p, CM)) == []
    header_only = _write(tmp_path / "h.csv", "text,label\n")
    assert list(iter_batches(header_only, CM)) == []
    assert read_frame(header_only, CM).height == 0


def test_gzip_jsonl(tmp_path: Path) -> None:
    p = tmp_path / "z.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write('{"text": "ação"}\n{"text": "coração"}\n')
    df = read_frame(p, CM)
    assert df["id"].to_list() == ["z:1", "z:2"] and df["text"].to_list() == ["ação", "coração"]


def test_type_change_after_sample_is_explained(tmp_path: Path) -> None:
    rows = [{"text": "t", "n": i} for i in range(5)] + [{"text": "t", "n": "cinco"}]
    p = _write(tmp_path / "t.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    with pytest.raises(InputError, match=r"t\.jsonl, lines 1-6: column 'n' holds String.*infer_schema_rows: 0"):
        read_frame(p, CM, options={"infer_schema_rows": 3})
    df = read_frame(p, CM, options={"infer_schema_rows": 0})  # whole-file scan: n becomes String
    assert df["n"].dtype == pl.String and df["n"][-1] == "cinco"


def test_schema_sample_stops_at_infer_schema_bytes(tmp_path: Path) -> None:
    # large documents: 10,000 rows would be the whole corpus, so the sample also ends with
    # the batch that reaches infer_schema_bytes, and later batches need not wait for it
    rows = [{"text": "página " * 40}] * 6 + [{"text": "t", "score": 0.5}]
    p = _write(tmp_path / "pages.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    small = {"max_batch_bytes": 400, "infer_schema_bytes": 600}
    with pytest.raises(InputError, match=r"pages\.jsonl, line 7: column\(s\) score first appear after the first "
                                         r"10000 rows \(at most 600 bytes of JSONL\).*infer_schema_rows: 0"):
        read_frame(p, CM, options=small)
    for options in ({**small, "infer_schema_bytes": 0}, {**small, "infer_schema_rows": 0}):  # no byte limit / whole file
        df = read_frame(p, CM, options=options)
        assert df.height == 7 and df["score"].to_list() == [None] * 6 + [0.5]
    with pytest.raises(InputError, match="infer_schema_bytes must be a whole number"):
        read_frame(p, CM, options={"infer_schema_bytes": -1})


# -- CSV / TSV ----------------------------------------------------------------


def test_ragged_csv_rows_are_flagged(tmp_path: Path) -> None:
    p = _write(
        tmp_path / "r.csv",
        'text,label,domain\n"Olá, mundo",pt-PT,web\ncurto,pt-BR\n"multi\nlinha ""citada""",pt-BR,social\n'
        "a,b,c,d\nfim,pt-PT,web\n",
    )
    df = read_frame(p, CM)
    assert _reasons(df) == {"r:2": None, "r:3": "malformed_input", "r:4": None, "r:6": "malformed_input", "r:7": None}
    assert df["text"].to_list()[0] == "Olá, mundo"
    assert df["text"][2] == 'multi\nlinha "citada"'
    assert df["_detail"][1] == f"{p}, line 3: expected 3 fields, found 2 (ragged row; the row ends at column 12 after field 2)"
    assert df["text"][1] == "curto,pt-BR"  # raw row kept


def test_unterminated_quote_at_end(tmp_path: Path) -> None:
    p = _write(tmp_path / "q.csv", 'text\nbom\n"sem fim\nnada\n')
    df = read_frame(p, CM)
    assert df["_reason"].to_list() == [None, "malformed_input"]
    assert "unterminated quoted field" in df["_detail"][1]


def test_tsv_with_header_and_ragged_line(tmp_path: Path) -> None:
    p = _write(tmp_path / "t.tsv", 'text\tlabel\n"aspas" ficam\tpt-PT\nsem rótulo\n')
    df = read_frame(p, CM)
    assert df["text"].to_list() == ['"aspas" ficam', "sem rótulo"]
    assert df["_reason"].to_list() == [None, "malformed_input"]


# -- Parquet, directories, globs, datasets --------------------------------------


def test_parquet_streams_row_groups(tmp_path: Path) -> None:
    p = tmp_path / "p.parquet"
    pl.DataFrame({"text": [f"t{i}" for i in range(25)], "label": ["a"] * 24 + [None]}).write_parquet(p, row_group_size=7)
    batches = list(iter_batches(p, CM, batch_size=10))
    assert [b.height for b in batches] == [7, 7, 7, 4] or all(b.height <= 10 for b in batches)
    df = pl.concat(batches)
    assert df["id"].to_list() == [f"p:{i}" for i in range(25)]  # 0-based rows
    assert df["_reason"][-1] == "null_label"


def test_parquet_non_string_text(tmp_path: Path) -> None:
    p = tmp_path / "n.parquet"
    pl.DataFrame({"text": [1, None]}).write_parquet(p)
    df = read_frame(p, CM)
    assert df["_reason"].to_list() == ["non_string_text", "null_text"]
    assert df["text"][0] == "1"


def test_existing_id_column_is_kept(tmp_path: Path) -> None:
    p = tmp_path / "i.parquet"
    pl.DataFrame({"id": [10, None], "text": ["a", "b"]}).write_parquet(p)
    df = read_frame(p, CM)
    assert df.columns == ["id", "text", "_reason", "_detail"]
    assert df["id"].to_list() == ["10", "i:1"]  # nulls get a generated id


def test_directory_of_mixed_files(tmp_path: Path) -> None:
    d = tmp_path / "corpus"
    (d / "sub").mkdir(parents=True)
    _write(d / "a.jsonl", '{"text": "um", "label": "pt-PT", "n": 1}\n')
    _write(d / "b.csv", "text,label,extra\ndois,pt-BR,x\n")
    pl.DataFrame({"text": ["três"], "label": ["pt-PT"]}).write_parquet(d / "sub" / "c.parquet")
    _write(d / "sub" / "d.tsv", "text\tlabel\nquatro\tpt-BR\n")
    _write(d / ".hidden.jsonl", '{"text": "nunca"}\n')
    _write(d / "README.md", "not data")
    with pytest.warns(UserWarning, match="README.md"):
        df = read_frame(d, CM)
    assert df["text"].to_list() == ["um", "dois", "três", "quatro"]
    assert df["id"].to_list() == ["a:1", "b:2", "sub/c:0", "sub/d:2"]
    assert df.columns == ["id", "text", "label", "n", "extra", "_reason", "_detail"]
    assert df["n"].to_list() == [1, None, None, None]


def test_glob(tmp_path: Path) -> None:
    for i in range(3):
        _write(tmp_path / f"part-{i}.jsonl", f'{{"text": "t{i}"}}\n')
    df = read_frame(str(tmp_path / "part-*.jsonl"), CM)
    assert df["id"].to_list() == ["part-0:1", "part-1:1", "part-2:1"]
    with pytest.raises(InputError, match="no files match"):
        read_frame(str(tmp_path / "nope-*.jsonl"), CM)


def test_missing_path_is_clear(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        read_frame(tmp_path / "absent.jsonl", CM)


def test_datasets_save_to_disk(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    dd = datasets.DatasetDict(
        train=datasets.Dataset.from_dict({"text": ["olá", "bom dia", "oi"], "label": ["pt-PT", "pt-PT", "pt-BR"]}),
        test=datasets.Dataset.from_dict({"text": [None], "label": ["pt-BR"]}),
    )
    dd.save_to_disk(str(tmp_path / "dd"))
    df = read_frame(tmp_path / "dd", CM)
    assert df["split"].to_list() == ["train", "train", "train", "test"]
    assert df["id"].to_list() == ["train:0", "train:1", "train:2", "test:0"]
    assert df["_reason"].to_list() == [None, None, None, "null_text"]
    one = datasets.Dataset.from_dict({"text": ["a", "b"]})
    one.save_to_disk(str(tmp_path / "one"))
    assert [b.height for b in iter_batches(tmp_path / "one", CM, batch_size=1)] == [1, 1]


def test_datasets_loader_on_local_files(tmp_path: Path) -> None:
    pytest.importorskip("datasets")
    d = tmp_path / "local"
    d.mkdir()
    _write(d / "train.jsonl", '{"text": "olá"}\n{"text": "adeus"}\n')
    df = read_frame(d, CM, options={"loader": "datasets", "load_dataset": {"cache_dir": str(tmp_path / "cache")}})
    assert df["text"].to_list() == ["olá", "adeus"] and df["split"].to_list() == ["train", "train"]


def test_hub_name_unreachable_error_is_clear(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        from corpus_sieve.pipeline.io.readers import read_frame, InputError
        from corpus_sieve.pipeline.recipe.columns import ColumnMap
        try:
            read_frame("nobody-here/no-such-dataset", ColumnMap())
        except InputError as e:
            print(e)
        """
    )
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", HF_HOME=str(tmp_path / "hf"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60,
                         cwd=Path(__file__).resolve().parents[2])
    assert "'nobody-here/no-such-dataset' is not a local file or directory" in out.stdout, out.stderr
    assert "datasets.load_dataset('nobody-here/no-such-dataset') failed" in out.stdout


# -- invariants ---------------------------------------------------------------


def test_batch_size_independence(tmp_path: Path) -> None:
    lines = []
    for i in range(23):
        if i % 7 == 3:
            lines.append('{"text": broken')
        elif i % 5 == 1:
            lines.append(json.dumps({"text": None, "label": "pt-BR", "k": i}))
        else:
            lines.append(json.dumps({"text": f"frase {i}", "label": "pt-PT", "k": i}, ensure_ascii=False))
    p = _write(tmp_path / "b.jsonl", "\n".join(lines) + "\n")
    c = _write(tmp_path / "b.csv", "text,label\n" + "".join(f'"linha {i}\ncom quebra",pt-PT\n' for i in range(11)) + "x\n")
    for path in (p, c):
        frames = {bs: pl.concat(list(iter_batches(path, CM, batch_size=bs))) for bs in (1, 3, 10_000)}
        assert frames[1].equals(frames[3]) and frames[3].equals(frames[10_000])
        assert all(b.height <= 3 for b in iter_batches(path, CM, batch_size=3))
        schemas = {str(b.schema) for b in iter_batches(path, CM, batch_size=3)}
        assert len(schemas) == 1


def test_fingerprint(tmp_path: Path) -> None:
    p = _write(tmp_path / "f.jsonl", '{"text": "a"}\n')
    fp = fingerprint(p)
    assert fp["size"] == 14 and len(fp["xxh3_128"]) == 32 and fp["path"] == str(p)
    _write(p, '{"text": "b"}\n')
    assert fingerprint(p)["xxh3_128"] != fp["xxh3_128"]
    d = fingerprint(tmp_path)
    assert d["kind"] == "directory" and [f["path"] for f in d["files"]] == [str(p)]
    assert fingerprint("someone/hub-dataset") == {"path": "someone/hub-dataset", "exists": False}


def test_fingerprints_from_before_xxh3_are_checked_with_their_own_hash(tmp_path: Path) -> None:
    import hashlib

    p = _write(tmp_path / "f.jsonl", '{"text": "a"}\n')
    old = fingerprint(p, "blake2b")
    assert old["blake2b"] == hashlib.blake2b(p.read_bytes(), digest_size=16).hexdigest()
    assert fingerprint_algorithm(old) == "blake2b" and fingerprint_algorithm(fingerprint(p)) == "xxh3_128"
    assert fingerprint_algorithm(fingerprint(tmp_path, "blake2b")) == "blake2b"  # a directory's entries


@pytest.mark.slow
def test_bounded_memory_on_large_jsonl(tmp_path: Path) -> None:
    """Reading a ~80 MB JSONL in batches grows RSS far less than the file size."""
    p = tmp_path / "big.jsonl"
    row = json.dumps({"text": "Foi o segundo destes skiffs, que rumava a noroeste, com seis suspeitos. " * 4,
                      "label": "pt-PT", "domain": "journalistic"}, ensure_ascii=False) + "\n"
    with open(p, "w", encoding="utf-8") as fh:
        for _ in range(250):
            fh.write(row * 1000)
    size_mb = p.stat().st_size / 2**20
    code = textwrap.dedent(
        f"""
        from corpus_sieve.pipeline.io.readers import iter_batches
        from corpus_sieve.pipeline.recipe.columns import ColumnMap
        def rss_mb():
            for line in open("/proc/self/status"):
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) / 1024
        it = iter_batches({str(p)!r}, ColumnMap(), batch_size=5000)
        first = next(it)
        base = rss_mb()
        rows = first.height + sum(b.height for b in it)
        # VmHWM, not ru_maxrss: ru_maxrss survives exec and would report the parent's peak
        peak = [int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
        print(rows, base, peak)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    rows, base, peak = out.stdout.split()
    assert int(rows) == 250_000, out.stderr
    growth = float(peak) - float(base)
    assert growth < size_mb / 3, f"RSS grew {growth:.0f} MB reading a {size_mb:.0f} MB file"


def test_a_json_number_beyond_64_bits_is_kept_exactly_as_text_and_the_run_writes(tmp_path) -> None:
    from corpus_sieve.pipeline.engines.local import run_pipeline
    from corpus_sieve.pipeline.recipe.recipe import Recipe

    path = tmp_path / "big.jsonl"
    path.write_bytes(b'{"text": null, "x": 9223372036854775808}\n{"text": "ok", "x": 1}\n')
    result = run_pipeline([path], Recipe.from_dict({"stages": [{"filter": "reject_empty"}]}), tmp_path / "runs",
                          progress=False, batch_size=1)
    assert result.accounted
    assert pl.read_parquet(result.path / "rejected.parquet")["x"].to_list() == ["9223372036854775808"]
    assert pl.read_parquet(result.path / "kept.parquet")["x"].to_list() == ["1"]
