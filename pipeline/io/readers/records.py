"""Line formats (JSONL, CSV, TSV): records of raw bytes with their line numbers, and what their parsers share."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import polars as pl

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.readers.sources import DEFAULT_MAX_BATCH_BYTES, DETAIL, InputError, POS, Part, REASON


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

def bad_frame(text_col: str, rows: list[tuple[int, str, str, str]]) -> pl.DataFrame:
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

def decode(recs: list[tuple[int, bytes, str | None]], ctx: LineCtx, bad: list) -> list[tuple[int, str, bytes]]:
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

def stringify(s: pl.Series) -> pl.Series:
    if s.dtype == pl.String:
        return s
    if s.dtype.is_nested() or s.dtype == pl.Object:
        return pl.Series(s.name, [None if v is None else json.dumps(v, ensure_ascii=False, default=str) for v in s.to_list()], dtype=pl.String)
    return s.cast(pl.String, strict=False)

def line_ctx(part: Part, columns: ColumnMap, options: Mapping[str, Any]) -> LineCtx:
    if part.fmt == "jsonl":
        return LineCtx(part, columns)
    sep = options.get("separator") or ("\t" if part.fmt == "tsv" else ",")
    quote = options["quote_char"] if "quote_char" in options else (None if part.fmt == "tsv" else '"')
    if len(sep) != 1 or (quote is not None and len(quote) != 1):
        raise InputError(f"{part.display}: separator and quote_char must be single characters")
    return LineCtx(part, columns, separator=sep, quote=quote or None)

def take_bytes(recs: Iterator[tuple[int, bytes, str | None]], n: int, max_bytes: int) -> list:
    """Up to ``n`` records, stopping once they hold ``max_bytes`` (at least one record)."""
    out, size = [], 0
    for rec in recs:
        out.append(rec)
        size += len(rec[1])
        if len(out) >= n or size >= max_bytes:
            break
    return out

def max_batch_bytes(options: Mapping[str, Any]) -> int:
    return int(options.get("max_batch_bytes") or DEFAULT_MAX_BATCH_BYTES)
