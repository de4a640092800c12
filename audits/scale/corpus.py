"""A corpus whose texts stay on disk: what ``sieve audit`` works on when the input is large.

The loader (:mod:`corpus_sieve.audits.scale.loader`) writes the canonical
columns once to a Parquet file in a work directory, in row groups of
``batch_rows`` rows, and keeps in memory only the small per-row metadata:
``id`` and the label, domain, split and source as Enums (one or two bytes a
row each). Checks read the texts batch by batch (:meth:`StreamedCorpus.iter_batches`)
or through lazy queries (:meth:`StreamedCorpus.scan`) that polars' streaming
engine runs in bounded memory, so the audit's memory does not grow with the
corpus's text.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from corpus_sieve.audits.base import ID, TEXT
from corpus_sieve.audits.loader import LoadedCorpus
from corpus_sieve.audits.scale.neardup import SpilledNearDupIndex

#: rows per batch and per row group of the canonical file
BATCH_ROWS = 200_000


@dataclass
class StreamedCorpus(LoadedCorpus):
    """A :class:`~corpus_sieve.audits.loader.LoadedCorpus` whose ``frame`` holds no text.

    ``frame`` has ``id``, ``label``, ``domain``, ``split`` and ``source``;
    ``canonical`` is the Parquet file with every canonical column, ``text``
    included, in the same row order; ``work_dir`` holds it and the checks'
    spills and is removed by :meth:`close`.
    """

    canonical: Path | None = None
    work_dir: Path | None = None
    batch_rows: int = BATCH_ROWS

    streamed = True
    near_dup_index_class = SpilledNearDupIndex

    def scan(self) -> pl.LazyFrame:
        return pl.scan_parquet(self.canonical)

    def iter_batches(self, columns: list[str] | None = None, batch_rows: int | None = None) -> Iterator[pl.DataFrame]:
        import pyarrow.parquet as pq

        # pre_buffer=False: with it, pyarrow keeps the buffers of every batch read until the end
        handle = pq.ParquetFile(self.canonical, pre_buffer=False)
        for batch in handle.iter_batches(batch_size=batch_rows or self.batch_rows, columns=columns, use_threads=True):
            yield pl.from_arrow(batch)

    def with_text(self, frame: pl.DataFrame) -> pl.DataFrame:
        if TEXT in frame.columns or frame.height == 0:
            return frame
        ids = frame[ID].cast(pl.String)
        texts = self.scan().select(ID, TEXT).filter(pl.col(ID).is_in(ids.implode())).collect(engine="streaming")
        return frame.with_columns(pl.col(ID).cast(pl.String)).join(texts, on=ID, how="left", maintain_order="left")

    def collect_frames(
        self, name: str, frames, empty: pl.DataFrame | None = None
    ) -> pl.DataFrame | pl.LazyFrame:
        import pyarrow.parquet as pq

        path = self.spill_path(f"{name}.parquet")
        writer, schema = None, None if empty is None else empty.schema
        try:
            for frame in frames:
                if schema is None:
                    schema = frame.schema
                if frame.height:
                    table = frame.select(list(schema)).cast(schema).to_arrow()
                    writer = writer or pq.ParquetWriter(path, table.schema, compression="zstd")
                    writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()
        if writer is None:  # nothing written: an empty file of the right columns
            (empty if empty is not None else pl.DataFrame(schema=schema or {})).write_parquet(path)
        return pl.scan_parquet(path)

    def spill_path(self, name: str) -> Path:
        """A path in the work directory for a check's spill file."""
        return self.work_dir / name

    def close(self) -> None:
        """Remove the work directory, spills and all."""
        if self.work_dir is not None:
            shutil.rmtree(self.work_dir, ignore_errors=True)
