"""Raw batches of one part, whatever its format: the dispatch to the format modules."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

import polars as pl

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.readers.sources import LINE_FORMATS, Part
from corpus_sieve.pipeline.io.readers.records import line_ctx, max_batch_bytes, open_binary, records, take
from corpus_sieve.pipeline.io.readers.jsonl import jsonl_frames
from corpus_sieve.pipeline.io.readers.delimited import delimited_batches, split_fields
from corpus_sieve.pipeline.io.readers.parquet import iter_parquet
from corpus_sieve.pipeline.io.readers.datasets import iter_dataset


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
            yield from delimited_batches(fh, ctx, options, batch_size, limit, max_bytes)
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

def raw_batches(part: Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any],
                 limit: int | None = None) -> Iterator[pl.DataFrame]:
    if part.fmt in LINE_FORMATS:
        if part.fmt != "jsonl" and not options.get("has_header", True) and options.get("column_names") is None:
            yield from _iter_headerless(part, columns, batch_size, options, limit)
        else:
            yield from _iter_line_part(part, columns, batch_size, options, limit)
    elif part.fmt == "parquet":
        yield from iter_parquet(part, batch_size, limit, max_batch_bytes(options))
    else:
        yield from iter_dataset(part, batch_size, limit, max_batch_bytes(options))

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
