"""Hugging Face ``datasets`` (saved to disk or from the Hub), read by row ranges."""

from __future__ import annotations

from typing import Iterator

import polars as pl

from corpus_sieve.pipeline.io.readers.sources import DEFAULT_MAX_BATCH_BYTES, POS, Part
from corpus_sieve.pipeline.io.readers.parquet import rows_within


def iter_dataset(part: Part, batch_size: int, limit: int | None = None,
                  max_bytes: int = DEFAULT_MAX_BATCH_BYTES) -> Iterator[pl.DataFrame]:
    ds = part.dataset
    batch_size = rows_within(batch_size, max_bytes, len(ds), int(ds.data.nbytes))
    offset = 0
    for table in ds.with_format("arrow").iter(batch_size=batch_size):
        df = pl.from_arrow(table)
        assert isinstance(df, pl.DataFrame)
        yield df.with_columns(pl.int_range(offset, offset + df.height, dtype=pl.Int64).alias(POS))
        offset += df.height
        if limit is not None and offset >= limit:
            return
