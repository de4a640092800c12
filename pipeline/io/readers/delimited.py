"""CSV and TSV (``.csv``, ``.tsv``): fields split by the ``csv`` module, ragged rows named by line."""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterator, Mapping

import polars as pl

from corpus_sieve.pipeline.io.readers.sources import DETAIL, InputError, POS, REASON
from corpus_sieve.pipeline.io.readers.records import LineCtx, bad_frame, decode, records, take, take_bytes


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
    good = decode(recs, ctx, bad)
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
        df = pl.concat([df, bad_frame(text_col, bad)], how="diagonal_relaxed").sort(POS)
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

def delimited_batches(fh, ctx: LineCtx, options: Mapping[str, Any], batch_size: int, limit: int | None,
                       max_bytes: int) -> Iterator[pl.DataFrame]:
    recs = records(fh, ctx.quote.encode() if ctx.quote else None)
    ctx.names = header(recs, ctx, options)
    if ctx.names is None:
        return
    seen = 0
    while True:
        want = batch_size if limit is None else min(batch_size, limit - seen)
        if want <= 0:
            return
        batch = take_bytes(recs, want, max_bytes)
        if not batch:
            return
        seen += len(batch)
        yield parse_delimited(batch, ctx)

def header(recs: Iterator, ctx: LineCtx, options: Mapping[str, Any]) -> list[str] | None:
    where = ctx.part.display
    names = options.get("column_names")
    if options.get("has_header", True):
        first = take(recs, 1)
        if not first:
            return None
        n, raw, _ = first[0]
        try:
            header = split_fields(raw.decode("utf-8-sig"), ctx)
        except UnicodeDecodeError as e:
            raise InputError(f"{where}, line {n}: header is not valid UTF-8 ({e})") from e
        if names is None:
            names = [h if h else f"column_{i + 1}" for i, h in enumerate(header)]
        elif len(names) != len(header):
            raise InputError(f"{where}: column_names has {len(names)} names but the header has {len(header)} fields")
        ctx.names = list(names)
    elif names is None:  # headerless files get names from _iter_headerless
        raise InputError(f"{where}: a headerless file needs options.column_names")
    dupes = sorted({c for c in names if list(names).count(c) > 1})
    if dupes:
        raise InputError(f"{where}: duplicate column names {', '.join(dupes)} (set options.column_names)")
    return list(names)
