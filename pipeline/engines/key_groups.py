"""Rows grouped by key across a Ray cluster, for a global stage whose filter asks for it.

A filter's ``prepare`` may return a list of keys per row
(:data:`~corpus_sieve.filters.base.KEYS_COLUMN`: ``near_dedup``'s LSH band keys).
Three shuffles then find, for every row, the first row (in input order) of
each of its keys, when that is an earlier row:

1. one ``(key, order)`` row per key of every row (``map_batches``);
2. ``groupby(key)``: each key's first row, and ``(order, first)`` for the others;
3. ``groupby(order)``: each row's list of earlier rows, joined back onto the rows.

The stage's one task then reads :data:`~corpus_sieve.filters.base.EARLIER_COLUMN`
instead of holding an index of every key.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from corpus_sieve.filters.base import EARLIER_COLUMN, KEYS_COLUMN, ORDER_COLUMN

__all__ = ["with_earlier_rows"]

_KEY = "__key"
_FIRST = "__first"


class _KeyPairs:
    """``map_batches`` UDF: one ``(key, order)`` row per key of every row that has keys."""

    __name__ = "KeyPairs"

    def __call__(self, table: Any) -> Any:
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        pairs = (frame.select(pl.col(ORDER_COLUMN), pl.col(KEYS_COLUMN).alias(_KEY))
                 .filter(pl.col(_KEY).is_not_null()).explode(_KEY).drop_nulls(_KEY))
        return pairs.select(pl.col(_KEY).cast(pl.UInt64), pl.col(ORDER_COLUMN).cast(pl.Int64)).to_arrow()


class _FirstOfKey:
    """``map_groups`` UDF over one key: ``(order, first)`` for every row but the key's first."""

    __name__ = "FirstOfKey"

    def __call__(self, table: Any) -> Any:
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        first = frame[ORDER_COLUMN].min()
        return (frame.filter(pl.col(ORDER_COLUMN) != first)
                .select(pl.col(ORDER_COLUMN).cast(pl.Int64), pl.lit(first, pl.Int64).alias(_FIRST)).to_arrow())


class _CollectEarlier:
    """``map_groups`` UDF over one row: its earlier rows as one list."""

    __name__ = "CollectEarlier"

    def __call__(self, table: Any) -> Any:
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return (frame.group_by(ORDER_COLUMN).agg(pl.col(_FIRST).unique().sort().alias(EARLIER_COLUMN))
                .select(pl.col(ORDER_COLUMN).cast(pl.Int64), pl.col(EARLIER_COLUMN).cast(pl.List(pl.Int64))).to_arrow())


def with_earlier_rows(ds: Any, partitions: int) -> Any:
    """``ds`` (rows with :data:`ORDER_COLUMN` and :data:`KEYS_COLUMN`) with :data:`EARLIER_COLUMN`
    (null for a row that is the first of all its keys) and without the keys."""
    ds = ds.materialize()  # read once: the rows feed both the key shuffles and the join
    pairs = ds.map_batches(_KeyPairs(), batch_size=None, batch_format="pyarrow")
    firsts = pairs.groupby(_KEY).map_groups(_FirstOfKey(), batch_format="pyarrow")
    earlier = firsts.groupby(ORDER_COLUMN).map_groups(_CollectEarlier(), batch_format="pyarrow")
    rows = ds.drop_columns([KEYS_COLUMN])
    if earlier.count() == 0:  # nothing shares a key: no join (and no empty schema to join with)
        return rows
    return rows.join(earlier, join_type="left_outer", num_partitions=max(1, partitions), on=(ORDER_COLUMN,))
