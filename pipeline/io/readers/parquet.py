"""Parquet files, read by row groups within the batch size and byte budget."""

from __future__ import annotations

from typing import Iterator

import polars as pl

from corpus_sieve.pipeline.io.readers.sources import DEFAULT_MAX_BATCH_BYTES, POS, Part


def rows_within(batch_size: int, max_bytes: int, rows: int, nbytes: int) -> int:
    """Rows per batch so that a batch of average rows holds about ``max_bytes``."""
    if rows <= 0 or nbytes <= 0:
        return batch_size
    return max(1, min(batch_size, max_bytes * rows // nbytes))

def iter_parquet(part: Part, batch_size: int, limit: int | None = None,
                  max_bytes: int = DEFAULT_MAX_BATCH_BYTES) -> Iterator[pl.DataFrame]:
    import pyarrow.parquet as pq

    assert part.path is not None
    # pre_buffer=False: with it, pyarrow keeps the buffers of every batch read until the end
    # (peak memory grew with the file: +130 MB for 3M short rows)
    pf = pq.ParquetFile(part.path, pre_buffer=False)
    meta = pf.metadata
    nbytes = sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
    batch_size = rows_within(batch_size, max_bytes, meta.num_rows, nbytes)
    offset = 0
    for rb in pf.iter_batches(batch_size=batch_size):
        df = pl.from_arrow(rb)
        assert isinstance(df, pl.DataFrame)
        yield df.with_columns(pl.int_range(offset, offset + df.height, dtype=pl.Int64).alias(POS))
        offset += df.height
        if limit is not None and offset >= limit:
            return
