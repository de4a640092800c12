"""Write batches to Parquet atomically, and convert Parquet to JSONL or ``datasets``.

A run writes ``kept.parquet`` and ``rejected.parquet`` through a
:class:`ParquetSink`: rows go to ``<name>.parquet.tmp`` and the file gets its
real name only on :meth:`ParquetSink.close`, so a killed run never leaves a
complete-looking output behind.

>>> import tempfile, pathlib, polars as pl
>>> out = pathlib.Path(tempfile.mkdtemp()) / "kept.parquet"
>>> with ParquetSink(out) as sink:
...     sink.write(pl.DataFrame({"text": ["olá"], "n": [1]}))
...     sink.write(pl.DataFrame({"text": ["bom dia"]}))   # missing column -> null
>>> pl.read_parquet(out).rows()
[('olá', 1), ('bom dia', None)]
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping

import polars as pl


def _tmp_path(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


class ParquetSink:
    """Append DataFrames to one Parquet file, atomically published on close.

    The first frame (or ``schema=``) fixes the schema; later frames are cast
    to it and columns they lack are filled with nulls. A column the schema
    does not have is an error (it would otherwise be dropped silently).
    Frames are buffered into row groups of about ``row_group_rows`` rows.
    """

    def __init__(
        self,
        path: str | Path,
        schema: pl.Schema | Mapping[str, Any] | None = None,
        compression: str = "zstd",
        row_group_rows: int = 100_000,
        row_group_bytes: int = 64 << 20,
    ) -> None:
        self.path = Path(path)
        self.tmp_path = _tmp_path(self.path)
        self.schema: pl.Schema | None = pl.Schema(schema) if schema is not None else None
        self.compression = compression
        self.row_group_rows = row_group_rows
        self.row_group_bytes = row_group_bytes
        self.rows = 0
        self._writer: Any = None
        self._buffer: list[pl.DataFrame] = []
        self._buffered_rows = 0
        self._buffered_bytes = 0
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)

    # -- writing ------------------------------------------------------------
    def _conform(self, frame: pl.DataFrame) -> pl.DataFrame:
        assert self.schema is not None
        extra = [c for c in frame.columns if c not in self.schema]
        if extra:
            raise ValueError(
                f"{self.path.name}: column(s) {', '.join(extra)} are not in the schema fixed by the first frame "
                f"({', '.join(self.schema.names())})"
            )
        missing = [pl.lit(None, t).alias(c) for c, t in self.schema.items() if c not in frame.columns]
        if missing:
            frame = frame.with_columns(missing)
        frame = frame.select(self.schema.names())
        if frame.schema != self.schema:
            frame = frame.cast(dict(self.schema))  # type: ignore[arg-type]
        return frame

    def write(self, frame: pl.DataFrame) -> None:
        """Append ``frame`` (any number of rows, also zero)."""
        if self._closed:
            raise ValueError(f"{self.path}: sink is closed")
        if self.schema is None:
            self.schema = frame.schema
        frame = self._conform(frame)
        if frame.height == 0:
            return
        self._buffer.append(frame)
        self._buffered_rows += frame.height
        self._buffered_bytes += frame.estimated_size()
        self.rows += frame.height
        if self._buffered_rows >= self.row_group_rows or self._buffered_bytes >= self.row_group_bytes:
            self._flush()

    def _open(self) -> None:
        import pyarrow.parquet as pq

        assert self.schema is not None
        arrow_schema = pl.DataFrame(schema=self.schema).to_arrow().schema
        self._writer = pq.ParquetWriter(self.tmp_path, arrow_schema, compression=self.compression)

    def _flush(self) -> None:
        if not self._buffer:
            return
        if self._writer is None:
            self._open()
        table = pl.concat(self._buffer).to_arrow()
        self._writer.write_table(table.cast(self._writer.schema))
        self._buffer, self._buffered_rows, self._buffered_bytes = [], 0, 0

    # -- finishing ------------------------------------------------------------
    def close(self) -> int:
        """Flush, publish ``path`` atomically, and return the number of rows written."""
        if self._closed:
            return self.rows
        if self.schema is None:
            self.schema = pl.Schema()
        self._flush()
        if self._writer is None:
            self._open()
        self._writer.close()
        os.replace(self.tmp_path, self.path)
        self._closed = True
        return self.rows

    def abort(self) -> None:
        """Discard everything written; ``path`` is not created."""
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # the file is discarded anyway
                pass
        self.tmp_path.unlink(missing_ok=True)
        self._closed = True

    def __enter__(self) -> ParquetSink:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def parquet_to_jsonl(parquet: str | Path, out: str | Path, batch_size: int = 50_000) -> int:
    """Stream ``parquet`` to a JSON-lines file (atomic); returns the row count."""
    import pyarrow.parquet as pq

    out = Path(out)
    tmp = _tmp_path(out)
    rows = 0
    try:
        with open(tmp, "wb") as fh:
            for rb in pq.ParquetFile(parquet).iter_batches(batch_size=batch_size):
                frame = pl.from_arrow(rb)
                assert isinstance(frame, pl.DataFrame)
                frame.write_ndjson(fh)
                rows += frame.height
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return rows


def parquet_to_datasets(parquet: str | Path, out_dir: str | Path) -> int:
    """Write ``parquet`` as a ``datasets`` ``save_to_disk`` directory (atomic); returns rows.

    Load it back with ``datasets.load_from_disk(out_dir)``.
    """
    import datasets

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        import pyarrow.parquet as pq

        if pq.ParquetFile(parquet).metadata.num_rows == 0:
            schema = pq.read_schema(parquet)
            ds = datasets.Dataset.from_dict(
                {name: [] for name in schema.names}, features=datasets.Features.from_arrow_schema(schema)
            )
        else:
            ds = datasets.Dataset.from_parquet(str(parquet), cache_dir=str(work / "cache"))
        # num_shards=1: datasets writes 0 shards for an empty dataset and cannot load that back
        ds.save_to_disk(str(work / "dataset"), num_shards=1)
        rows = len(ds)
        del ds
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(work / "dataset", out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows
