"""JSONL block reading: batches cut at line ends by bytes, one polars call per clean block.

Every test compares the fast block path with the careful line-by-line path
(``_fast_jsonl`` switched off), or checks ids, reasons and batch sizes at the
edges of blocks: a bad line on a block edge, a line longer than a block, no
final newline, CRLF, blank lines, gzip, the schema pass's kept batches.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.pipeline.io.readers import jsonl as jsonl_reader
from corpus_sieve.pipeline.io.readers import schema as schema_reader
from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.readers import InputError, iter_batches, read_frame

CM = ColumnMap()

# real sentences (DSLCC news, pt-PT / pt-BR) and English, as in the other reader tests
PT = [
    "Foi o segundo destes skiffs, que rumava a noroeste, com seis suspeitos.",
    "O menino está no jardim zoológico.",
    "Olá, Lisboa! Ação, coração, não.",
    "Hello there, general Kenobi.",
]


def _careful(monkeypatch: pytest.MonkeyPatch, path: Path, **kw) -> list[pl.DataFrame]:
    """The same batches read line by line (the fast block path switched off)."""
    with monkeypatch.context() as m:
        m.setattr(jsonl_reader, "_fast_jsonl", lambda block, ctx: None)
        return list(iter_batches(path, CM, **kw))


def _same(a: list[pl.DataFrame], b: list[pl.DataFrame]) -> bool:
    return [f.height for f in a] == [f.height for f in b] and all(x.equals(y) for x, y in zip(a, b))


def _lines(n: int) -> list[str]:
    return [json.dumps({"text": PT[i % len(PT)] + f" {i}", "label": "pt-PT" if i % 2 else "pt-BR", "n": i},
                       ensure_ascii=False) for i in range(n)]


def test_bad_lines_on_block_edges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _lines(12)
    width = len(lines[0].encode()) + 1
    # with blocks of about two lines, these land first, last and alone in a block
    lines[1] = '{"text": "sem fim"'
    lines[2] = '{"text": "ol\xe1"}'
    lines[7] = "[1, 2]"
    p = tmp_path / "edge.jsonl"
    p.write_bytes("\n".join(lines).encode("utf-8").replace(b"ol\xc3\xa1", b"ol\xe1") + b"\n")
    opts = {"max_batch_bytes": 2 * width}
    fast = list(iter_batches(p, CM, options=opts))
    assert len(fast) > 4 and _same(fast, _careful(monkeypatch, p, options=opts))
    df = pl.concat(fast)
    assert df["id"].to_list() == [f"edge:{i}" for i in range(1, 13)]
    reasons = dict(zip(df["id"], df["_reason"]))
    assert (reasons["edge:2"], reasons["edge:3"], reasons["edge:8"]) == ("malformed_input", "invalid_utf8", "malformed_input")
    assert "line 3: invalid UTF-8 (byte 0xe1 at column 13)" in df.filter(pl.col("id") == "edge:3")["_detail"][0]
    assert df.filter(pl.col("_reason").is_null()).height == 9
    assert df.equals(read_frame(p, CM))  # the same rows however the blocks fall


def test_line_longer_than_a_block_is_a_batch_of_its_own(tmp_path: Path) -> None:
    long_text = " ".join(PT) * 200  # ~30 KB
    lines = [json.dumps({"text": t}, ensure_ascii=False) for t in (PT[0], long_text, PT[1], PT[2])]
    p = tmp_path / "long.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batches = list(iter_batches(p, CM, options={"max_batch_bytes": 1000}))
    assert [b["text"].to_list() for b in batches] == [[PT[0]], [long_text], [PT[1], PT[2]]]
    assert [b["id"][0] for b in batches] == ["long:1", "long:2", "long:3"]


def test_no_final_newline_crlf_and_blank_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = '{"text": "Olá"}\r\n\r\n{"text": "Hello"}\r\n   \r\n\n{"text": "fim"}'
    p = tmp_path / "crlf.jsonl"
    p.write_bytes(body.encode("utf-8"))
    for max_bytes in (8, 20, 1 << 20):
        opts = {"max_batch_bytes": max_bytes}
        df = read_frame(p, CM, options=opts)
        assert df.select("id", "text", "_reason").rows() == [
            ("crlf:1", "Olá", None), ("crlf:3", "Hello", None), ("crlf:6", "fim", None)]
        assert _same(list(iter_batches(p, CM, options=opts)), _careful(monkeypatch, p, options=opts))


def test_gzip_blocks(tmp_path: Path) -> None:
    p = tmp_path / "z.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(_lines(50)) + "\n")
    batches = list(iter_batches(p, CM, batch_size=7, options={"max_batch_bytes": 300}))
    assert all(b.height <= 7 for b in batches) and sum(b.height for b in batches) == 50
    assert pl.concat(batches)["n"].to_list() == list(range(50))


def test_batches_are_bounded_by_bytes(tmp_path: Path) -> None:
    lines = _lines(200)
    p = tmp_path / "b.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    limit = 1000
    batches = list(iter_batches(p, CM, options={"max_batch_bytes": limit}))
    sizes = [sum(len(lines[n - 1].encode()) + 1 for n in b["n"].to_list()) + 0 for b in batches]
    assert max(sizes) <= limit and sum(b.height for b in batches) == 200
    assert min(sizes[:-1]) > limit - max(len(x.encode()) + 1 for x in lines)  # cut as late as fits
    csv = tmp_path / "b.csv"
    csv.write_text("text,label\n" + "".join(f'"{PT[i % 4]} {i}",pt-PT\n' for i in range(200)), encoding="utf-8")
    csv_batches = list(iter_batches(csv, CM, options={"max_batch_bytes": limit}))
    assert 1 < len(csv_batches) < 200 and sum(b.height for b in csv_batches) == 200
    pq = tmp_path / "b.parquet"
    read_frame(p, CM).drop("id", "_reason", "_detail").write_parquet(pq)
    pq_batches = list(iter_batches(pq, CM, options={"max_batch_bytes": 4 * limit}))
    assert len(pq_batches) > 1 and pl.concat(pq_batches)["n"].to_list() == list(range(200))


def test_bad_max_batch_bytes_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text('{"text": "a"}\n', encoding="utf-8")
    for bad in (0, -1, "10MB", True):
        with pytest.raises(InputError, match="max_batch_bytes"):
            read_frame(p, CM, options={"max_batch_bytes": bad})


def test_schema_pass_batches_are_reused_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batches the schema pass keeps are the ones a plain pass reads, wherever it stops."""
    lines = _lines(40)
    lines[13] = '{"text": 5}'
    p = tmp_path / "s.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for rows, budget in ((0, 4), (8, 4), (10, 4), (25, 1), (25, 0), (1000, 4)):
        kw = {"batch_size": 4, "options": {"infer_schema_rows": rows, "max_batch_bytes": 600}}
        monkeypatch.setattr(schema_reader, "SCHEMA_CACHE_BATCHES", budget)
        got = list(iter_batches(p, CM, **kw))
        monkeypatch.setattr(schema_reader, "SCHEMA_CACHE_BATCHES", 0)
        assert _same(got, list(iter_batches(p, CM, **kw))), (rows, budget)
    df = pl.concat(got)
    assert df["_reason"][13] == "non_string_text" and df["text"][13] == "5"


def test_a_sample_of_whole_batches_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the sample ends on a batch boundary (the default: 10,000 rows in batches of 10,000),
    the reading pass takes the sampled batches over instead of parsing them again."""
    lines = _lines(40)
    p = tmp_path / "w.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed: list[int] = []
    original = jsonl_reader.parse_jsonl_block
    monkeypatch.setattr(jsonl_reader, "parse_jsonl_block", lambda block, ctx: parsed.append(block.first_line) or original(block, ctx))
    for rows in (8, 12):  # two and three whole batches of 4
        parsed.clear()
        got = list(iter_batches(p, CM, batch_size=4, options={"infer_schema_rows": rows}))
        assert sorted(parsed) == list(range(1, 41, 4)), rows  # every batch parsed exactly once
        assert pl.concat(got)["n"].to_list() == list(range(40))
    parsed.clear()
    list(iter_batches(p, CM, batch_size=4, options={"infer_schema_rows": 6}))  # the sample ends inside a batch
    assert parsed.count(5) == 2 and len(parsed) == 11  # rows 5-6 were a short block: batch 5-8 is read again


def _schema_parses(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, per block of the reading pass, whether it was parsed with the known schema."""
    used: list[bool] = []
    original = jsonl_reader._read_known_strings

    def recorded(data: bytes, n: int, schema: pl.Schema | None) -> pl.DataFrame | None:
        df = original(data, n, schema)
        if schema is not None:  # the schema pass itself has none yet
            used.append(df is not None)
        return df

    monkeypatch.setattr(jsonl_reader, "_read_known_strings", recorded)
    return used


def test_blocks_of_known_string_keys_are_parsed_with_the_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the sample, blocks whose lines hold exactly the schema's keys, all strings, skip type
    inference; colons and escaped quotes inside the texts do not confuse the key count."""
    texts = ['Ele disse: "Olá!"', 'Nota : "a": b', "Sem aspas", 'JSON no texto {"a": "b"}', "fim\\"]
    lines = [json.dumps({"text": f"{texts[i % 5]} {i}", "label": "pt-PT" if i % 2 else "pt-BR"}, ensure_ascii=i % 3 == 0)
             for i in range(40)]
    p = tmp_path / "k.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    used = _schema_parses(monkeypatch)
    kw = {"batch_size": 8, "options": {"infer_schema_rows": 8}}
    got = list(iter_batches(p, CM, **kw))
    assert used and all(used)  # every block after the sample
    assert _same(got, _careful(monkeypatch, p, **kw))
    assert pl.concat(got)["text"].to_list() == [json.loads(line)["text"] for line in lines]


@pytest.mark.parametrize("late", [
    '{"text": "Mais uma frase.", "label": "pt-PT", "source": "web"}',  # a key the sample never had
    '{"text": "Mais uma frase.", "lable": "pt-PT"}',  # a misspelt key in place of a known one
    '{"text": "Mais uma frase.", "label": "pt-PT", "meta": {"text": "x"}}',  # a nested object
])
def test_a_late_unknown_key_is_never_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, late: str) -> None:
    lines = [json.dumps({"text": f"{PT[i % 4]} {i}", "label": "pt-BR"}, ensure_ascii=False) for i in range(30)] + [late]
    p = tmp_path / "late.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    used = _schema_parses(monkeypatch)
    with pytest.raises(InputError, match="first appear after"):
        list(iter_batches(p, CM, batch_size=8, options={"infer_schema_rows": 8}))
    assert used[-1] is False  # the block holding the late line was parsed the inferring way


def test_non_string_values_after_the_sample_are_read_as_without_a_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [json.dumps({"text": f"{PT[i % 4]} {i}", "label": "pt-BR"}, ensure_ascii=False) for i in range(12)]
    lines += ['{"text": 7, "label": "pt-PT"}', '{"text": "ok", "label": null}', '{"text": ":)", "label": "pt-PT"}']
    p = tmp_path / "types.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kw = {"batch_size": 4, "options": {"infer_schema_rows": 4}}
    used = _schema_parses(monkeypatch)
    got = pl.concat(list(iter_batches(p, CM, **kw)))
    assert used == [True, True, False]  # the last block holds a number, a null and a value starting with ":"
    assert got["_reason"].to_list()[-3:] == ["non_string_text", "null_label", None]
    assert _same([got], [pl.concat(_careful(monkeypatch, p, **kw))])


@pytest.mark.parametrize("line, keys, expected", [
    (b'{"text": "a", "label": "b"}', 2, True),
    (b'{"text":"a","label":"b"}', 2, True),  # compact separators
    (b'{"text" : "a", "label": "b"}', 2, True),  # a space before the colon
    (b'{"text": "x \\": y", "label": "b"}', 2, True),  # an escaped quote before a colon is text
    (b'{"text": "x \\\\": "y", "label": "b"}', 3, True),  # after an escaped backslash the quote is real: a third key
    (b'{"text": 7, "label": "b"}', 2, False),  # a number
    (b'{"text": "a", "label": null}', 2, False),
    (b'{"text": ":)", "label": "b"}', 2, False),  # a value starting with a colon counts as a key: too many
    (b'{"text": "a", "label": "b", "x": "c"}', 2, False),
    (b'{"text": "a"}', 2, False),
    (b'{"text": "a", "label":\t"b"}', 2, False),  # a tab before a value: not checked, read the slow way
])
def test_key_count_check(line: bytes, keys: int, expected: bool) -> None:
    assert jsonl_reader._keys_with_string_values(line + b"\n", keys) is expected


# -- property: the fast path gives what the careful path gives ------------------------------

_value = st.one_of(st.sampled_from(PT), st.text(max_size=12), st.integers(-5, 5), st.none(), st.booleans(),
                   st.lists(st.integers(0, 3), max_size=2))
_line = st.one_of(
    st.fixed_dictionaries({"text": _value}, optional={"label": st.sampled_from(["pt-PT", "pt-BR", ""]), "x": _value})
    .map(lambda d: json.dumps(d, ensure_ascii=False).encode("utf-8")),
    st.sampled_from([b"", b"  ", b"\r", b'{"text": "ol\xe1"}', b'{"text": "a",}', b"[1]", b'  {"text": "esp"}',
                     b'{"body": "sem texto"}', b'{"text": "tab"}\t']),
)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(_line, max_size=25), crlf=st.booleans(), final_newline=st.booleans(),
       max_bytes=st.integers(1, 400), batch_size=st.integers(1, 30))
def test_fast_path_equals_careful_path(tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], crlf: bool,
                                       final_newline: bool, max_bytes: int, batch_size: int) -> None:
    p = tmp_path_factory.mktemp("prop") / "p.jsonl"
    end = b"\r\n" if crlf else b"\n"
    p.write_bytes(end.join(lines) + (end if final_newline and lines else b""))
    kw = {"batch_size": batch_size, "options": {"max_batch_bytes": max_bytes, "infer_schema_rows": 0}}

    def read(fast: bool) -> list[pl.DataFrame] | str:
        original = jsonl_reader._fast_jsonl
        jsonl_reader._fast_jsonl = original if fast else (lambda block, ctx: None)
        try:
            return list(iter_batches(p, CM, **kw))
        except InputError as e:
            return str(e)
        finally:
            jsonl_reader._fast_jsonl = original

    fast, careful = read(True), read(False)
    if isinstance(fast, str) or isinstance(careful, str):
        assert fast == careful
    else:
        assert _same(fast, careful)
