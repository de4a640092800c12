"""Split an input into independent shards that workers read in parallel.

A shard is a unit of reading that needs nothing from any other shard: one
line-format file (JSONL/CSV/TSV: line numbers are only known by reading the
file from its start), a run of row groups of one Parquet file, or a row range
of one ``datasets`` split. Each shard is read with the *same* reader as the
local engine (:mod:`corpus_sieve.pipeline.io.readers`): the same schema for the whole input,
the same ids (``<file>:<line>``, ``<file>:<row>``), the same reasons for rows
that cannot be read. So a distributed run rejects exactly what a local run
rejects.

Shards are numbered in input order, and every row gets a sequence number
``shard << 32 | position in shard``: sorting by it gives the input order,
which is what "keep the first occurrence" means for exact dedup.

This module uses the reader's internal helpers (``_resolve``,
``_input_schema``, ``_raw_batches``, ``_finish``); they are wrapped here, in
one place, so that a change in the reader shows up as one failing import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import polars as pl

from corpus_sieve.pipeline.io.readers.batches import raw_batches
from corpus_sieve.pipeline.io.readers.finish import finish
from corpus_sieve.pipeline.io.readers.schema import input_schema
from corpus_sieve.pipeline.io.readers.sources import (
    DEFAULT_INFER_ROWS,
    DETAIL,
    KNOWN_OPTIONS,
    POS,
    REASON,
    InputError,
    Part,
    resolve,
)
from corpus_sieve.pipeline.recipe.columns import ColumnMap

#: rows of a shard are numbered ``ordinal << SHARD_BITS | position``
SHARD_BITS = 32
#: default rows per Parquet / datasets shard
DEFAULT_ROWS_PER_SHARD = 50_000


@dataclass
class Shard:
    """One independently readable piece of the input."""

    ordinal: int
    part: Part
    schema: pl.Schema  # the schema of the whole input it belongs to
    id_created: bool
    infer_rows: Any
    row_groups: list[int] | None = None  # Parquet: these row groups ...
    start: int = 0  # ... whose first row is row ``start`` of the file; datasets: first row
    stop: int | None = None  # datasets: one past the last row
    rows: int | None = None  # known up front (Parquet, datasets), else None
    size_bytes: int = 0

    @property
    def display(self) -> str:
        where = self.part.display
        if self.row_groups is not None:
            return f"{where} (row groups {self.row_groups[0]}-{self.row_groups[-1]})"
        if self.stop is not None:
            return f"{where} (rows {self.start}-{self.stop - 1})"
        return where


@dataclass
class ShardPlan:
    """The shards of all inputs, and the columns every output row has."""

    shards: list[Shard]
    input_columns: list[str]

    @property
    def known_rows(self) -> int | None:
        """Rows of the whole input when every shard knows its size, else None."""
        if any(s.rows is None for s in self.shards):
            return None
        return sum(s.rows or 0 for s in self.shards)

    @property
    def size_bytes(self) -> int:
        return sum(s.size_bytes for s in self.shards)


def plan_shards(
    inputs: Sequence[str | Path],
    columns: ColumnMap,
    options: Mapping[str, Any] | None = None,
    rows_per_shard: int = DEFAULT_ROWS_PER_SHARD,
) -> ShardPlan:
    """Resolve ``inputs`` (files, directories, globs, datasets) into shards, in input order."""
    options = dict(options or {})
    unknown = sorted(set(options) - KNOWN_OPTIONS)
    if unknown:
        raise InputError(f"unknown reader option(s): {', '.join(unknown)} (known: {', '.join(sorted(KNOWN_OPTIONS))})")
    shards: list[Shard] = []
    input_columns: list[str] | None = None
    infer_rows = options.get("infer_schema_rows", DEFAULT_INFER_ROWS) or "all"
    for source in inputs:
        parts = resolve(source, options)
        schema = input_schema(parts, columns, options)
        if not schema:
            continue
        id_created = columns.id not in schema
        columns_here = ([columns.id] if id_created else []) + list(schema.names())
        if input_columns is None:
            input_columns = columns_here
        for part in parts:
            if part.schema is None:  # an empty file
                continue
            for piece in _split_part(part, rows_per_shard):
                shards.append(Shard(ordinal=len(shards), part=part, schema=schema, id_created=id_created,
                                    infer_rows=infer_rows, **piece))
    if len(shards) >= 1 << (63 - SHARD_BITS):
        raise InputError(f"too many shards ({len(shards):,}); use fewer, larger files")
    return ShardPlan(shards, input_columns or [columns.id, columns.text])


def _split_part(part: Any, rows_per_shard: int) -> list[dict[str, Any]]:
    if part.fmt == "parquet":
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(part.path).metadata
        pieces, groups, first, rows, size = [], [], 0, 0, 0
        offset = 0
        for g in range(meta.num_row_groups):
            n = meta.row_group(g).num_rows
            if not groups:
                first = offset
            groups.append(g)
            rows += n
            size += meta.row_group(g).total_byte_size
            offset += n
            if rows >= rows_per_shard:
                pieces.append({"row_groups": groups, "start": first, "rows": rows, "size_bytes": size})
                groups, rows, size = [], 0, 0
        if groups:
            pieces.append({"row_groups": groups, "start": first, "rows": rows, "size_bytes": size})
        return pieces
    if part.fmt == "datasets":
        total = len(part.dataset)
        nbytes = int(part.dataset.data.nbytes) if total else 0
        return [
            {"start": a, "stop": min(a + rows_per_shard, total), "rows": min(a + rows_per_shard, total) - a,
             "size_bytes": nbytes * (min(a + rows_per_shard, total) - a) // max(total, 1)}
            for a in range(0, total, rows_per_shard)
        ]
    size = part.path.stat().st_size if part.path is not None else 0
    return [{"size_bytes": size}]


def _raw(shard: Shard, columns: ColumnMap, batch_size: int, options: Mapping[str, Any]) -> Iterator[pl.DataFrame]:
    part = shard.part
    if shard.row_groups is not None:
        import pyarrow.parquet as pq

        offset = shard.start
        for rb in pq.ParquetFile(part.path, pre_buffer=False).iter_batches(batch_size=batch_size, row_groups=shard.row_groups):
            df = pl.from_arrow(rb)
            assert isinstance(df, pl.DataFrame)
            yield df.with_columns(pl.int_range(offset, offset + df.height, dtype=pl.Int64).alias(POS))
            offset += df.height
    elif shard.stop is not None:
        ds = part.dataset.with_format("arrow")
        for a in range(shard.start, shard.stop, batch_size):
            b = min(a + batch_size, shard.stop)
            df = pl.from_arrow(ds[a:b])
            assert isinstance(df, pl.DataFrame)
            yield df.with_columns(pl.int_range(a, b, dtype=pl.Int64).alias(POS))
    else:
        yield from raw_batches(part, columns, batch_size, options)


def read_shard(
    shard: Shard,
    columns: ColumnMap,
    batch_size: int,
    options: Mapping[str, Any] | None = None,
    strict: bool = False,
) -> Iterator[pl.DataFrame]:
    """The rows of ``shard`` as the local reader gives them (ids, ``_reason``, ``_detail``)."""
    options = dict(options or {})
    for raw in _raw(shard, columns, batch_size, options):
        if raw.height == 0:
            continue
        df = finish(raw, shard.part, shard.schema, columns, shard.id_created, shard.infer_rows)
        if strict:
            bad = df.filter(pl.col(REASON).is_not_null())
            if bad.height:
                raise InputError(bad[DETAIL][0])
        yield df
