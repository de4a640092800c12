"""Bad input: every unreadable row is rejected with a named reason and an exact message.

Default: the row goes to ``rejected.parquet`` (stage ``read``) and the run goes
on; ``--strict`` stops at the first one with the same message (file, line,
column). Golden strings below are the messages users see.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.readers import READ_REASONS, InputError, iter_batches, read_frame
from corpus_sieve.pipeline.recipe.recipe import Recipe
from corpus_sieve.pipeline.engines.local import run_pipeline

CM = ColumnMap()
RECIPE = {"stages": [{"filter": "normalize_whitespace"}, {"filter": "reject_empty"}]}


def _write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def _one_bad(path: Path, **options) -> tuple[str, str]:
    df = read_frame(path, CM, options=options or None)
    bad = df.filter(pl.col("_reason").is_not_null())
    assert bad.height >= 1, df
    return bad["_reason"][0], bad["_detail"][0]


# -- one golden message per reason (and the same message under strict) ----------------------------------

CASES = [
    ("malformed_jsonl", "c.jsonl", '{"text": "Bom dia"}\n{"text": "sem fim", \n',
     "malformed_input", "{p}, line 2: invalid JSON (Expecting property name enclosed in double quotes at column 21)"),
    ("json_not_object", "c.jsonl", '{"text": "Bom dia"}\n["uma", "lista"]\n',
     "malformed_input", "{p}, line 2: not a JSON object (found list)"),
    ("invalid_utf8", "c.jsonl", b'{"text": "ok"}\n{"text": "caf\xe9 com leite"}\n',
     "invalid_utf8", "{p}, line 2: invalid UTF-8 (byte 0xe9 at column 14)"),
    ("missing_key", "c.jsonl", '{"text": "Bom dia"}\n{"texto": "Olá"}\n',
     "missing_column", "{p}, line 2: no 'text' key"),
    ("null_text", "c.jsonl", '{"text": "Bom dia"}\n{"text": null}\n',
     "null_text", "{p}, line 2: column 'text' is null"),
    ("number_text", "c.jsonl", '{"text": "Bom dia"}\n{"text": 42}\n',
     "non_string_text", "{p}, line 2: column 'text' is a JSON number, not a string"),
    ("list_text", "c.jsonl", '{"text": "Bom dia"}\n{"text": ["a", "b"]}\n',
     "non_string_text", "{p}, line 2: column 'text' is a JSON list, not a string"),
    ("null_label", "c.jsonl", '{"text": "Bom dia", "label": "pt-PT"}\n{"text": "Olá", "label": null}\n',
     "null_label", "{p}, line 2: column 'label' is null"),
    ("empty_label", "c.jsonl", '{"text": "Bom dia", "label": "pt-PT"}\n{"text": "Olá", "label": " "}\n',
     "null_label", "{p}, line 2: column 'label' is empty"),
    ("ragged_long", "c.csv", "text,label\nBom dia,pt-PT\nOlá,pt-BR,extra\n",
     "malformed_input", "{p}, line 3: expected 2 fields, found 3 (ragged row; field 3 starts at column 11)"),
    ("ragged_short", "c.csv", "text,label\nBom dia,pt-PT\nOlá\n",
     "malformed_input", "{p}, line 3: expected 2 fields, found 1 (ragged row; the row ends at column 4 after field 1)"),
    ("unterminated_quote", "c.csv", 'text,label\nBom dia,pt-PT\n"Olá,pt-BR\n',
     "malformed_input", "{p}, line 3: unterminated quoted field"),
    ("csv_invalid_utf8", "c.csv", b"text,label\nBom dia,pt-PT\nol\xe1,pt-BR\n",
     "invalid_utf8", "{p}, line 3: invalid UTF-8 (byte 0xe1 at column 3)"),
    ("tsv_ragged", "c.tsv", "text\tlabel\nBom dia\tpt-PT\nsem rótulo\n",
     "malformed_input", "{p}, line 3: expected 2 fields, found 1 (ragged row; the row ends at column 11 after field 1)"),
    ("parquet_non_string", "c.parquet", None,
     "non_string_text", "{p}, row 0: column 'text' is Int64, not a string"),
    ("too_large", "c.jsonl", '{"text": "Bom dia"}\n{"text": "' + "á" * 60 + '"}\n',
     "too_large", "{p}, line 2: column 'text' is 120 bytes, over reader.max_text_bytes = 100"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_reader_reason_has_a_golden_message(tmp_path, case):
    _, name, data, reason, message = case
    path = tmp_path / name
    if data is None:
        pl.DataFrame({"text": [7, 42]}).write_parquet(path)
    else:
        _write(path, data)
    options = {"max_text_bytes": 100} if reason == "too_large" else {}
    got_reason, got_detail = _one_bad(path, **options)
    assert (got_reason, got_detail) == (reason, message.format(p=path))
    # strict: the same message, as an error, at the first bad row
    with pytest.raises(InputError) as err:
        list(iter_batches(path, CM, strict=True, options=options or None))
    assert str(err.value) == message.format(p=path)


def test_every_reader_reason_is_covered_by_a_golden_case():
    assert {c[3] for c in CASES} == set(READ_REASONS)


@pytest.mark.parametrize("case", [
    ("no_text_column", "c.jsonl", '{"Text": "Bom dia"}\n',
     "missing column 'text' in {p} (columns: Text; set columns.text in the recipe; did you mean 'Text'?)"),
    ("misnamed_csv_column", "c.csv", "texto,label\nBom dia,pt-PT\n",
     "missing column 'text' in {p} (columns: texto, label; set columns.text in the recipe; did you mean 'texto'?)"),
    ("duplicate_header", "c.csv", "text,text\na,b\n",
     "{p}: duplicate column names text (set options.column_names)"),
    ("unknown_format", "c.xml", "<corpus/>",
     "{p}: unknown input format (expected .jsonl, .ndjson, .json, .csv, .tsv, .parquet or .gz; or set options.format)"),
    ("header_not_utf8", "c.csv", b"t\xffxt,label\na,b\n",
     "{p}, line 1: header is not valid UTF-8 ('utf-8' codec can't decode byte 0xff in position 1: invalid start byte)"),
], ids=lambda c: c[0])
def test_whole_file_problems_are_one_clear_error(tmp_path, case):
    _, name, data, message = case
    path = _write(tmp_path / name, data)
    with pytest.raises(InputError) as err:
        read_frame(path, CM)
    assert str(err.value) == message.format(p=path)


def test_bad_max_text_bytes_option_is_refused(tmp_path):
    path = _write(tmp_path / "c.jsonl", '{"text": "a"}\n')
    with pytest.raises(InputError, match=r"max_text_bytes must be a whole number of bytes >= 0 \(0 = no limit\), got '10MB'"):
        read_frame(path, CM, options={"max_text_bytes": "10MB"})


# -- the run goes on, and accounts for every bad row ---------------------------------------------------

def test_bad_rows_of_every_kind_are_rejected_and_accounted_for(tmp_path):
    corpus = tmp_path / "corpus"
    _write(corpus / "a.jsonl", b"\n".join([
        b'{"id": "a1", "text": "O autocarro chegou atrasado.", "label": "pt-PT"}',
        b'{"id": "a2", "text": "sem fim", ',
        b'{"id": "a3", "text": "caf\xe9", "label": "pt-PT"}',
        b'{"id": "a4", "text": null, "label": "pt-BR"}',
        b'{"id": "a5", "text": 12, "label": "pt-BR"}',
        b'{"id": "a6", "texto": "Bom dia", "label": "pt-BR"}',
        b'{"id": "a7", "text": "O \xc3\xb4nibus atrasou.", "label": null}',
        b'{"id": "a8", "text": "' + b"x" * 300 + b'", "label": "pt-PT"}',
        b"",
    ]))
    _write(corpus / "b.csv", "id,text,label\nb1,A reunião foi em Lisboa.,pt-PT\nb2,curto\nb3,\"Olá, tudo bem?\",pt-BR\n")
    _write(corpus / "empty.jsonl", "")
    _write(corpus / "notes.txt", "not data")
    recipe = Recipe.from_dict({**RECIPE, "reader": {"max_text_bytes": 200}})
    with pytest.warns(UserWarning, match="notes.txt"):
        result = run_pipeline([corpus], recipe, tmp_path / "runs", progress=False)
    rejected = pl.read_parquet(result.run_dir.rejected_path)
    kept = pl.read_parquet(result.run_dir.kept_path)
    reasons = dict(zip(rejected["id"], rejected["reason"]))
    assert reasons == {
        "a:2": "malformed_input", "a:3": "invalid_utf8", "a4": "null_text", "a5": "non_string_text",
        "a6": "missing_column", "a7": "null_label", "a8": "too_large", "b:3": "malformed_input",
    }
    assert kept["id"].to_list() == ["a1", "b1", "b3"]
    totals = result.stats["totals"]
    assert totals["input"] == 11 and totals["kept"] + totals["rejected"] == 11 and totals["accounted"]
    assert set(rejected["stage"]) == {"read"}
    # the original bytes of an unreadable row survive (undecodable bytes become U+FFFD)
    assert rejected.filter(pl.col("id") == "a:3")["text"][0] == '{"id": "a3", "text": "caf\ufffd", "label": "pt-PT"}'


def test_an_empty_file_gives_an_empty_run(tmp_path):
    empty = _write(tmp_path / "empty.jsonl", "")
    result = run_pipeline([empty], Recipe.from_dict(RECIPE), tmp_path / "runs", progress=False)
    assert result.stats["totals"]["input"] == 0 and result.accounted
    assert pl.read_parquet(result.run_dir.kept_path).height == 0
    assert pl.read_parquet(result.run_dir.rejected_path).height == 0


def test_a_50_mb_document_is_rejected_before_any_filter_in_bounded_time_and_memory(tmp_path):
    big = "Lorem ipsum <b>dolor</b> sit amet. " * (50_000_000 // 35)
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "small", "text": "Um texto normal, com acentuação.", "domain": "web"}) + "\n")
        fh.write(json.dumps({"id": "big", "text": big, "domain": "web"}) + "\n")
    del big
    recipe = {"stages": [{"filter": "remove_boilerplate"}, {"filter": "html_to_text"}, {"filter": "reject_empty"}]}
    script = (
        "import resource, sys, time\n"
        "from corpus_sieve.pipeline.recipe.recipe import Recipe\nfrom corpus_sieve.pipeline.engines.local import run_pipeline\n"
        f"t = time.perf_counter(); r = run_pipeline([{str(path)!r}], Recipe.from_dict({recipe!r}), {str(tmp_path / 'runs')!r}, progress=False)\n"
        "print(round(time.perf_counter() - t, 2), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, r.stats['totals']['rejected'])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    seconds, rss_mb, rejected = out.stdout.split()
    assert int(rejected) == 1
    assert float(seconds) < 20 and int(rss_mb) < 1500, out.stdout
    rej = pl.read_parquet(next((tmp_path / "runs").glob("2*/rejected.parquet")))
    assert rej["reason"].to_list() == ["too_large"] and rej["stage"].to_list() == ["read"]
    assert rej["detail"][0].endswith("over reader.max_text_bytes = 10,000,000")
    assert len(rej["text"][0]) > 49_000_000  # nothing lost: the document is in the rejected output


def test_strict_cli_names_file_line_and_column_and_exits_2(tmp_path):
    corpus = _write(tmp_path / "c.jsonl", '{"text": "Bom dia"}\n{"text": "x",}\n')
    out = subprocess.run(
        [sys.executable, "-m", "corpus_sieve.pipeline.cli.main", "clean", str(corpus), "--out", str(tmp_path / "runs"), "--strict", "--quiet"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.strip() == (
        f"sieve clean: error: cannot read the input: {corpus}, line 2: invalid JSON "
        "(Expecting property name enclosed in double quotes at column 14)"
    )
    assert "Traceback" not in out.stderr
