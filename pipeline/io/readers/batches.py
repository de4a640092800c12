"""Raw batches of one part, whatever its format: line formats by blocks of records, Parquet and ``datasets`` by row groups."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

import polars as pl

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.readers.sources import DEFAULT_MAX_BATCH_BYTES, InputError, LINE_FORMATS, POS, Part
from corpus_sieve.pipeline.io.readers.lines import LineCtx, open_binary, parse_delimited, records, split_fields, take
from corpus_sieve.pipeline.io.readers.jsonl import Block, jsonl_blocks, parse_jsonl_block


def line_ctx(part: Part, columns: ColumnMap, options: Mapping[str, Any]) -> LineCtx:
    if part.fmt == "jsonl":
        return LineCtx(part, columns)
    sep = options.get("separator") or ("\t" if part.fmt == "tsv" else ",")
    quote = options["quote_char"] if "quote_char" in options else (None if part.fmt == "tsv" else '"')
    if len(sep) != 1 or (quote is not None and len(quote) != 1):
        raise InputError(f"{part.display}: separator and quote_char must be single characters")
    return LineCtx(part, columns, separator=sep, quote=quote or None)


def _iter_line_part(part: Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any],
                    limit: int | None = None) -> Iterator[pl.DataFrame]:
    """Raw batches (data columns, ``__pos``, ``_reason``, ``_detail``) of a line-format file."""
    assert part.path is not None
    if part.fmt == "jsonl":
        for _, df in jsonl_frames(part, columns, batch_size, options, limit):
            yield df
        return
    ctx = line_ctx(part, columns, options)
    max_bytes = max_batch_bytes(options)
    with open_binary(part.path) as fh:
        part.handle = fh
        try:
            yield from _delimited_batches(fh, ctx, options, batch_size, limit, max_bytes)
        finally:
            part.handle = None  # a part travels to Ray workers: no file in it


def _delimited_batches(fh, ctx: LineCtx, options: Mapping[str, Any], batch_size: int, limit: int | None,
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
        batch = _take_bytes(recs, want, max_bytes)
        if not batch:
            return
        seen += len(batch)
        yield parse_delimited(batch, ctx)


def _take_bytes(recs: Iterator[tuple[int, bytes, str | None]], n: int, max_bytes: int) -> list:
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


def jsonl_frames(part: Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any],
                  limit: int | None = None, start: tuple[int, int] = (1, 0)) -> Iterator[tuple[Block, pl.DataFrame]]:
    """``(block, raw batch)`` of a JSONL file, from line/offset ``start`` (a block boundary)."""
    assert part.path is not None
    ctx = line_ctx(part, columns, options)
    line, offset = start
    with open_binary(part.path) as fh:
        part.handle = fh
        try:
            if offset:
                fh.seek(offset)
            for block in jsonl_blocks(fh, batch_size, max_batch_bytes(options), limit, line, offset):
                yield block, parse_jsonl_block(block, ctx)
        finally:
            part.handle = None  # a part travels to Ray workers: no file in it


def part_batches(part: Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any]) -> Iterator[pl.DataFrame]:
    """The reading pass over one part: the batches the schema pass kept, then the rest."""
    if part.cache is None:
        yield from raw_batches(part, columns, batch_size, options)
        return
    cache, part.cache = part.cache, None
    while cache:
        yield cache.pop(0)  # released as soon as the caller lets go of it
    for _, df in jsonl_frames(part, columns, batch_size, options, start=part.resume):
        yield df


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


# --------------------------------------------------------------------------
# typed formats: Parquet and datasets


def _rows_within(batch_size: int, max_bytes: int, rows: int, nbytes: int) -> int:
    """Rows per batch so that a batch of average rows holds about ``max_bytes``."""
    if rows <= 0 or nbytes <= 0:
        return batch_size
    return max(1, min(batch_size, max_bytes * rows // nbytes))


def _iter_parquet(part: Part, batch_size: int, limit: int | None = None,
                  max_bytes: int = DEFAULT_MAX_BATCH_BYTES) -> Iterator[pl.DataFrame]:
    import pyarrow.parquet as pq

    assert part.path is not None
    pf = pq.ParquetFile(part.path)
    meta = pf.metadata
    nbytes = sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
    batch_size = _rows_within(batch_size, max_bytes, meta.num_rows, nbytes)
    offset = 0
    for rb in pf.iter_batches(batch_size=batch_size):
        df = pl.from_arrow(rb)
        assert isinstance(df, pl.DataFrame)
        yield df.with_columns(pl.int_range(offset, offset + df.height, dtype=pl.Int64).alias(POS))
        offset += df.height
        if limit is not None and offset >= limit:
            return


def _iter_dataset(part: Part, batch_size: int, limit: int | None = None,
                  max_bytes: int = DEFAULT_MAX_BATCH_BYTES) -> Iterator[pl.DataFrame]:
    ds = part.dataset
    batch_size = _rows_within(batch_size, max_bytes, len(ds), int(ds.data.nbytes))
    offset = 0
    for table in ds.with_format("arrow").iter(batch_size=batch_size):
        df = pl.from_arrow(table)
        assert isinstance(df, pl.DataFrame)
        yield df.with_columns(pl.int_range(offset, offset + df.height, dtype=pl.Int64).alias(POS))
        offset += df.height
        if limit is not None and offset >= limit:
            return


def raw_batches(part: Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any],
                 limit: int | None = None) -> Iterator[pl.DataFrame]:
    if part.fmt in LINE_FORMATS:
        if part.fmt != "jsonl" and not options.get("has_header", True) and options.get("column_names") is None:
            yield from _iter_headerless(part, columns, batch_size, options, limit)
        else:
            yield from _iter_line_part(part, columns, batch_size, options, limit)
    elif part.fmt == "parquet":
        yield from _iter_parquet(part, batch_size, limit, max_batch_bytes(options))
    else:
        yield from _iter_dataset(part, batch_size, limit, max_batch_bytes(options))


def _iter_headerless(part, columns, batch_size, options, limit):
    """Headerless CSV/TSV without column_names: width from the first record."""
    assert part.path is not None
    ctx = line_ctx(part, columns, options)
    with open_binary(part.path) as fh:
        first = take(records(fh, ctx.quote.encode() if ctx.quote else None), 1)
    if not first:
        return
    width = len(split_fields(first[0][1].decode("utf-8", "replace"), ctx))
    opts = dict(options, column_names=[f"column_{i + 1}" for i in range(width)])
    yield from _iter_line_part(part, columns, batch_size, opts, limit)
