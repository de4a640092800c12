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


#: rows per row group of kept.parquet and rejected.parquet: fixed, so that the bytes of a run's
#: outputs do not depend on the batch size or the engine
OUTPUT_ROW_GROUP = 50_000


def run_sinks(run: Any) -> list[ParquetSink]:
    """The sinks of a run directory's ``kept.parquet`` and ``rejected.parquet`` (both engines write through them)."""
    return [ParquetSink(run.kept_path, row_group_rows=OUTPUT_ROW_GROUP),
            ParquetSink(run.rejected_path, row_group_rows=OUTPUT_ROW_GROUP)]


def _tmp_path(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


class ParquetSink:
    """Append DataFrames to one Parquet file, atomically published on close.

    The first frame (or ``schema=``) fixes the schema; later frames are cast
    to it and columns they lack are filled with nulls. A column the schema
    does not have is an error (it would otherwise be dropped silently).

    Rows are written in row groups of at most ``row_group_rows`` rows and
    ``row_group_bytes`` bytes of data (at least one row). The cut depends only
    on the sequence of rows, never on how they were split into frames, so the
    file's bytes do not depend on batch sizes, and memory stays bounded when
    rows are large (rejected HTML pages). Long text columns are written
    without a dictionary: it never pays off for them and costs most of the
    write time.
    """

    def __init__(
        self,
        path: str | Path,
        schema: pl.Schema | Mapping[str, Any] | None = None,
        compression: str = "zstd",
        row_group_rows: int = 100_000,
        row_group_bytes: int = 16 << 20,
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
        self._sizes: list[pl.Series] = []  # bytes of each buffered row
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
        sizes = _row_bytes(frame)
        self._buffer.append(frame)
        self._sizes.append(sizes)
        self._buffered_rows += frame.height
        self._buffered_bytes += int(sizes.sum())
        self.rows += frame.height
        while self._buffered_rows >= self.row_group_rows or self._buffered_bytes > self.row_group_bytes:
            self._flush(whole=False)

    def _open(self, first: pl.DataFrame | None) -> None:
        import pyarrow.parquet as pq

        assert self.schema is not None
        arrow_schema = pl.DataFrame(schema=self.schema).to_arrow().schema
        self._writer = pq.ParquetWriter(self.tmp_path, arrow_schema, compression=self.compression,
                                        use_dictionary=_dictionary_columns(first, self.schema))

    def _flush(self, whole: bool = True) -> None:
        """Write one row group: the buffered rows up to the limits (all of them with ``whole``)."""
        if not self._buffer:
            return
        frame = pl.concat(self._buffer) if len(self._buffer) > 1 else self._buffer[0]
        sizes = pl.concat(self._sizes) if len(self._sizes) > 1 else self._sizes[0]
        cut = frame.height
        if not whole:
            within = int(sizes.cum_sum().search_sorted(self.row_group_bytes, side="right"))
            cut = min(max(1, within), self.row_group_rows, frame.height)
        group, rest = frame.slice(0, cut), frame.slice(cut)
        if self._writer is None:
            self._open(group)
        table = group.to_arrow()
        self._writer.write_table(table.cast(self._writer.schema), row_group_size=max(1, group.height))
        if rest.height:
            rest_sizes = sizes.slice(cut)
            self._buffer, self._sizes = [rest], [rest_sizes]
            self._buffered_rows, self._buffered_bytes = rest.height, int(rest_sizes.sum())
        else:
            self._buffer, self._sizes, self._buffered_rows, self._buffered_bytes = [], [], 0, 0

    # -- finishing ------------------------------------------------------------
    def close(self) -> int:
        """Flush, publish ``path`` atomically, and return the number of rows written."""
        if self._closed:
            return self.rows
        if self.schema is None:
            self.schema = pl.Schema()
        while self._buffer:
            self._flush(whole=self._buffered_rows <= self.row_group_rows and self._buffered_bytes <= self.row_group_bytes)
        if self._writer is None:
            self._open(None)
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


#: string columns whose values average more bytes than this get no dictionary
_DICTIONARY_MAX_MEAN_BYTES = 64


def _row_bytes(frame: pl.DataFrame) -> pl.Series:
    """Bytes of data in each row: string lengths, 8 per value of any other type."""
    varlen = [pl.col(c).str.len_bytes() if t == pl.String else pl.col(c).bin.size()
              for c, t in frame.schema.items() if t in (pl.String, pl.Binary)]
    fixed = 8 * (frame.width - len(varlen))
    if not varlen:
        return pl.Series("bytes", [fixed] * frame.height, dtype=pl.Int64)
    return frame.select(
        (pl.sum_horizontal(e.cast(pl.Int64).fill_null(0) for e in varlen) + fixed).alias("bytes")
    ).to_series()


def _dictionary_columns(first: pl.DataFrame | None, schema: pl.Schema) -> bool | list[str]:
    """Columns worth dictionary encoding: all but long texts (judged on the first row group)."""
    if first is None or first.height == 0:
        return True
    long_text = {c for c, t in schema.items() if t == pl.String
                 and (first[c].str.len_bytes().mean() or 0) > _DICTIONARY_MAX_MEAN_BYTES}
    if not long_text:
        return True
    return [c for c in schema.names() if c not in long_text]


def parquet_to_jsonl(parquet: str | Path, out: str | Path, batch_size: int = 50_000) -> int:
    """Stream ``parquet`` to a JSON-lines file (atomic); returns the row count."""
    import pyarrow.parquet as pq

    out = Path(out)
    tmp = _tmp_path(out)
    rows = 0
    try:
        with open(tmp, "wb") as fh:
            for rb in pq.ParquetFile(parquet, pre_buffer=False).iter_batches(batch_size=batch_size):
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
