"""Line formats (JSONL, CSV, TSV): records of raw bytes with their line numbers, parsed row by row.

The row-by-row parse names every bad line (file, line, column); the JSONL fast
path (:mod:`.jsonl`) falls back to it for a block polars rejects.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import polars as pl

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.readers.sources import DETAIL, POS, Part, REASON


def open_binary(path: Path):
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb", buffering=1 << 20)


def records(fh, quote: bytes | None) -> Iterator[tuple[int, bytes, str | None]]:
    """``(first line number, record bytes, problem)``; blank lines are skipped.

    With a quote character (CSV) a record spans lines until its quotes
    balance (RFC 4180: an escaped quote ``""`` keeps the parity).
    """
    n = 0
    if quote is None:
        for raw in fh:
            n += 1
            line = raw.rstrip(b"\r\n")
            if line.strip():
                yield n, line, None
        return
    pending: list[bytes] = []
    start = 0
    odd = False
    for raw in fh:
        n += 1
        if not pending:
            if not raw.strip():
                continue
            start = n
        pending.append(raw)
        if raw.count(quote) & 1:
            odd = not odd
        if not odd:
            yield start, b"".join(pending).rstrip(b"\r\n"), None
            pending = []
    if pending:
        yield start, b"".join(pending).rstrip(b"\r\n"), "unterminated quoted field"


def take(it: Iterator, n: int) -> list:
    out = []
    for item in it:
        out.append(item)
        if len(out) >= n:
            break
    return out


@dataclass
class LineCtx:
    part: Part
    columns: ColumnMap
    separator: str = ","
    quote: str | None = None
    names: list[str] | None = None  # CSV/TSV column names


def _bad_frame(text_col: str, rows: list[tuple[int, str, str, str]]) -> pl.DataFrame:
    """Frame of unreadable rows: (pos, raw text, reason, detail)."""
    return pl.DataFrame(
        {
            POS: [r[0] for r in rows],
            text_col: [r[1] for r in rows],
            REASON: [r[2] for r in rows],
            DETAIL: [r[3] for r in rows],
        },
        schema={POS: pl.Int64, text_col: pl.String, REASON: pl.String, DETAIL: pl.String},
    )


def _decode(recs: list[tuple[int, bytes, str | None]], ctx: LineCtx, bad: list) -> list[tuple[int, str, bytes]]:
    where = ctx.part.display
    good = []
    for n, raw, problem in recs:
        try:
            s = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            bad.append((n, raw.decode("utf-8", "replace"), "invalid_utf8",
                        f"{where}, line {n}: invalid UTF-8 (byte 0x{raw[e.start]:02x} at column {e.start + 1})"))
            continue
        if problem:
            bad.append((n, s, "malformed_input", f"{where}, line {n}: {problem}"))
            continue
        good.append((n, s, raw))
    return good


def parse_jsonl(recs, ctx: LineCtx) -> pl.DataFrame:
    where = ctx.part.display
    text_col = ctx.columns.text
    bad: list[tuple[int, str, str, str]] = []
    good = _decode(recs, ctx, bad)
    df = _read_ndjson([g[2] for g in good])
    if df is None:
        # locate the malformed lines, then parse the rest in one go
        ok = []
        for n, s, raw in good:
            try:
                obj = json.loads(s)
            except json.JSONDecodeError as e:
                bad.append((n, s, "malformed_input", f"{where}, line {n}: invalid JSON ({e.msg} at column {e.colno})"))
                continue
            if not isinstance(obj, dict):
                bad.append((n, s, "malformed_input",
                            f"{where}, line {n}: not a JSON object (found {type(obj).__name__})"))
                continue
            ok.append((n, s, raw))
        good = ok
        df = _read_ndjson([g[2] for g in good])
        if df is None:  # type conflicts between lines: mixed columns become JSON text
            df = _frame_from_objects([json.loads(g[1]) for g in good])
    df = df.with_columns(pl.Series(POS, [g[0] for g in good], dtype=pl.Int64))
    nested = [c for c, t in df.schema.items() if t.is_nested() and c != text_col]
    if nested:
        # lists/objects are kept as their JSON text: their shape can differ from
        # line to line (and batch to batch), which no one column type can hold
        objs = [json.loads(g[1]) for g in good]
        df = df.with_columns(
            pl.Series(c, [None if o.get(c) is None else json.dumps(o[c], ensure_ascii=False) for o in objs], dtype=pl.String)
            for c in nested
        )
    df = _flag_json_text(df, [g[1] for g in good], ctx)
    if bad:
        df = pl.concat([df, _bad_frame(text_col, bad)], how="diagonal_relaxed").sort(POS)
    return df


_JSON_KINDS = {bool: pl.Boolean, int: pl.Int64, float: pl.Float64, str: pl.String}


def _frame_from_objects(objs: list[dict[str, Any]]) -> pl.DataFrame:
    """JSON objects as a frame when polars cannot reconcile their types.

    A column whose values are all of one scalar JSON type keeps it; any other
    column (mixed types, lists, objects, integers beyond 64 bits) becomes a
    String column: strings as they are, other values as JSON text. Nothing is
    dropped, and one odd line no longer stops the run.
    """
    names: dict[str, None] = {}
    for obj in objs:
        names.update(dict.fromkeys(obj))
    columns = {}
    for name in names:
        values = [obj.get(name) for obj in objs]
        kinds = {type(v) for v in values if v is not None}
        dtype = _JSON_KINDS.get(next(iter(kinds))) if len(kinds) == 1 else None
        if dtype == pl.Int64 and any(not -(2**63) <= v < 2**63 for v in values if v is not None):
            dtype = None
        if dtype is None:
            dtype = pl.String
            values = [v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values]
        columns[name] = pl.Series(name, values, dtype=dtype)
    return pl.DataFrame(list(columns.values())) if columns else pl.DataFrame(schema={}).with_columns(
        pl.Series("__empty", [None] * len(objs))).drop("__empty")


def _read_ndjson(lines: list[bytes]) -> pl.DataFrame | None:
    if not lines:
        return pl.DataFrame()
    try:
        df = pl.read_ndjson(io.BytesIO(b"\n".join(lines)), infer_schema_length=None)
    except Exception:
        return None
    return df if df.height == len(lines) else None


def _flag_json_text(df: pl.DataFrame, lines: list[str], ctx: LineCtx) -> pl.DataFrame:
    """Mark lines whose text key is absent, or holds a number/bool/list/object."""
    where = ctx.part.display
    text_col = ctx.columns.text
    key = json.dumps(text_col)
    raw = pl.Series("raw", lines, dtype=pl.String)
    reasons: list[str | None] = [None] * len(lines)
    details: list[str | None] = [None] * len(lines)
    candidates = raw.str.contains(re.escape(key) + r'\s*:\s*[-0-9tf\[{]').arg_true().to_list()
    for i in candidates:
        value = json.loads(lines[i]).get(text_col)
        if value is not None and not isinstance(value, str):
            kind = {bool: "boolean", int: "number", float: "number", list: "list", dict: "object"}.get(type(value), "value")
            n = df[POS][i]
            reasons[i] = "non_string_text"
            details[i] = f"{where}, line {n}: column '{text_col}' is a JSON {kind}, not a string"
    if text_col in df.columns:
        absent = (df[text_col].is_null() & ~raw.str.contains(key, literal=True)).arg_true().to_list()
    else:
        absent = list(range(len(lines)))
    for i in absent:
        reasons[i] = "missing_column"
        details[i] = f"{where}, line {df[POS][i]}: no '{text_col}' key"
    if text_col in df.columns and df[text_col].dtype != pl.String:
        df = df.with_columns(stringify(df[text_col]))
    return df.with_columns(
        pl.Series(REASON, reasons, dtype=pl.String), pl.Series(DETAIL, details, dtype=pl.String)
    )


def stringify(s: pl.Series) -> pl.Series:
    if s.dtype == pl.String:
        return s
    if s.dtype.is_nested() or s.dtype == pl.Object:
        return pl.Series(s.name, [None if v is None else json.dumps(v, ensure_ascii=False, default=str) for v in s.to_list()], dtype=pl.String)
    return s.cast(pl.String, strict=False)




def split_fields(line: str, ctx: LineCtx) -> list[str]:
    if ctx.quote is None:
        return line.split(ctx.separator)
    return next(csv.reader([line], delimiter=ctx.separator, quotechar=ctx.quote), [])


def parse_delimited(recs, ctx: LineCtx) -> pl.DataFrame:
    where = ctx.part.display
    text_col = ctx.columns.text
    assert ctx.names is not None
    expected = len(ctx.names)
    bad: list[tuple[int, str, str, str]] = []
    good = _decode(recs, ctx, bad)
    strs = pl.Series("r", [g[1] for g in good], dtype=pl.String)
    if ctx.quote is not None:
        q = re.escape(ctx.quote)
        strs = strs.str.replace_all(f"{q}(?:[^{q}]|{q}{q})*{q}", "")
    counts = (strs.str.count_matches(ctx.separator, literal=True) + 1).to_list()
    ok = []
    for (n, s, raw), found in zip(good, counts):
        if found != expected:
            bad.append((n, s, "malformed_input",
                        f"{where}, line {n}: expected {expected} fields, found {found} (ragged row; "
                        f"{_ragged_at(s, ctx, expected, found)})"))
        else:
            ok.append((n, s, raw))
    df = _read_delimited([g[1] for g in ok], ctx)
    if df is None:  # locate the rows the parser rejects
        df_parts, kept = [], []
        for n, s, raw in ok:
            one = _read_delimited([s], ctx)
            if one is None:
                bad.append((n, s, "malformed_input", f"{where}, line {n}: cannot parse row"))
            else:
                df_parts.append(one)
                kept.append((n, s, raw))
        ok = kept
        df = pl.concat(df_parts) if df_parts else _read_delimited([], ctx)
    df = df.with_columns(pl.Series(POS, [g[0] for g in ok], dtype=pl.Int64))
    df = df.with_columns(pl.lit(None, pl.String).alias(REASON), pl.lit(None, pl.String).alias(DETAIL))
    if bad:
        df = pl.concat([df, _bad_frame(text_col, bad)], how="diagonal_relaxed").sort(POS)
    return df


def _ragged_at(line: str, ctx: LineCtx, expected: int, found: int) -> str:
    """Where a ragged row goes wrong: the column of the first extra field, or the last field."""
    try:
        fields = split_fields(line, ctx)
    except csv.Error:
        return "cannot split the row"
    if found > expected and len(fields) > expected:
        column = len(ctx.separator.join(fields[:expected])) + 2  # 1-based, after the separator
        return f"field {expected + 1} starts at column {column}"
    return f"the row ends at column {len(line) + 1} after field {len(fields)}"


def _read_delimited(lines: list[str], ctx: LineCtx) -> pl.DataFrame | None:
    assert ctx.names is not None
    schema = {c: pl.String for c in ctx.names}
    if not lines:
        return pl.DataFrame(schema=schema)
    try:
        df = pl.read_csv(
            io.BytesIO("\n".join(lines).encode("utf-8")),
            has_header=False,
            schema=schema,
            separator=ctx.separator,
            quote_char=ctx.quote,
            comment_prefix=None,
            truncate_ragged_lines=False,
        )
    except Exception:
        return None
    return df if df.height == len(lines) else None
