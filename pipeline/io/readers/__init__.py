"""Read corpora in bounded memory, one batch (a polars DataFrame) at a time.

Inputs: JSON lines (``.jsonl``, ``.ndjson``, ``.json``), CSV (``.csv``), TSV
(``.tsv``; quoting off), each optionally ``.gz``; Parquet (``.parquet``); a
directory of such files; a glob; a Hugging Face ``datasets`` ``save_to_disk``
directory; or a Hub dataset name (``datasets.load_dataset``).

Nothing is silently lost: a row that cannot be read (malformed JSON, invalid
UTF-8, a ragged CSV row, a null text ...) is still yielded, with a named
reason in ``_reason`` and a message naming file, line and column in
``_detail``, so that the runner can send it to the rejected output.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "x.jsonl").write_text('{"text": "olá"}\\n{"text": 1,}\\n')
>>> df = read_frame(d / "x.jsonl", ColumnMap())
>>> df.select("id", "text", "_reason").rows()
[('x:1', 'olá', None), ('x:2', '{"text": 1,}', 'malformed_input')]

The readers, one module per format and per job: :mod:`.sources` (an input
into parts), :mod:`.records` (what the line formats share), :mod:`.jsonl`,
:mod:`.delimited` (CSV/TSV), :mod:`.parquet`, :mod:`.datasets` (the formats),
:mod:`.batches` (the dispatch to them), :mod:`.schema` (one schema for the
whole input), :mod:`.finish` (ids and row checks), :mod:`.shards` (independent
units for the Ray engine).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Mapping

import polars as pl

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.fingerprint import FINGERPRINT_HASH, hash_file
from corpus_sieve.pipeline.io.readers.sources import DEFAULT_INFER_BYTES, DEFAULT_INFER_ROWS, DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_TEXT_BYTES, DETAIL, InputError, KNOWN_OPTIONS, POS, Part, READ_REASONS, REASON, file_format, input_files, is_saved_dataset, looks_like_path, resolve
from corpus_sieve.pipeline.io.readers.batches import part_batches
from corpus_sieve.pipeline.io.readers.schema import input_schema
from corpus_sieve.pipeline.io.readers.finish import finish, sample_description

__all__ = [
    "DEFAULT_INFER_BYTES", "DEFAULT_INFER_ROWS", "DEFAULT_MAX_BATCH_BYTES", "DEFAULT_MAX_TEXT_BYTES", "DETAIL",
    "READ_REASONS", "REASON", "InputError", "file_format", "fingerprint", "fingerprint_algorithm", "input_files",
    "is_saved_dataset", "iter_batches", "looks_like_path", "read_frame",
]


def iter_batches(
    source: str | Path,
    columns: ColumnMap,
    batch_size: int = 10_000,
    strict: bool = False,
    options: Mapping[str, Any] | None = None,
    meter: Any = None,
) -> Iterator[pl.DataFrame]:
    """Stream ``source`` as DataFrames of at most ``batch_size`` rows and about
    ``max_batch_bytes`` bytes of input (a longer single row is a batch of its own).

    Every frame has all input columns (original names, one schema for the
    whole input), an id column named ``columns.id`` (``<file>:<line>`` for line
    formats, ``<file>:<row>`` 0-based for Parquet/datasets, when the input has
    none), and ``_reason`` / ``_detail`` (null for a good row). Unreadable
    rows are yielded, not dropped; ``strict=True`` raises :class:`InputError`
    at the first one instead.

    ``options`` (all optional): ``format`` (jsonl/csv/tsv/parquet, overrides
    the suffix), ``has_header`` (CSV/TSV, default true), ``separator``,
    ``quote_char`` (CSV default ``"``, TSV default none), ``column_names``
    (names for a headerless file, or to rename the header),
    ``infer_schema_rows`` (JSONL lines sampled to fix column types, default
    10000; 0 = the whole input), ``infer_schema_bytes`` (the JSONL sample
    also ends with the batch that reaches this many bytes, default 16 MiB;
    0 = no byte limit), ``max_text_bytes`` (texts longer than this
    many UTF-8 bytes get reason ``too_large``; default 10,000,000, 0 = no
    limit), ``max_batch_bytes`` (bytes of input per batch, default 32 MiB:
    batches of large documents stay small; JSON lines and CSV/TSV are cut at a
    line end, Parquet/datasets by their average row size), ``loader: datasets`` with ``load_dataset``
    kwargs (read via ``datasets.load_dataset(source, **kwargs)``).

    ``meter`` (a :class:`corpus_sieve.pipeline.run.progress.ReadMeter`) is told how many bytes
    of the input files have been read, batch by batch (for the progress bar).
    """
    options = dict(options or {})
    unknown = sorted(set(options) - KNOWN_OPTIONS)
    if unknown:
        raise InputError(f"unknown reader option(s): {', '.join(unknown)} (known: {', '.join(sorted(KNOWN_OPTIONS))})")
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    max_bytes = options.get("max_text_bytes", DEFAULT_MAX_TEXT_BYTES)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
        raise InputError(f"reader option max_text_bytes must be a whole number of bytes >= 0 (0 = no limit), got {max_bytes!r}")
    batch_bytes = options.get("max_batch_bytes", DEFAULT_MAX_BATCH_BYTES)
    if isinstance(batch_bytes, bool) or not isinstance(batch_bytes, int) or batch_bytes < 1:
        raise InputError(f"reader option max_batch_bytes must be a whole number of bytes >= 1, got {batch_bytes!r}")
    sample_bytes = options.get("infer_schema_bytes", DEFAULT_INFER_BYTES)
    if isinstance(sample_bytes, bool) or not isinstance(sample_bytes, int) or sample_bytes < 0:
        raise InputError(f"reader option infer_schema_bytes must be a whole number of bytes >= 0 (0 = no limit), got {sample_bytes!r}")
    parts = resolve(source, options)
    schema = input_schema(parts, columns, options, batch_size)
    if not schema:
        return
    id_created = columns.id not in schema
    infer_rows = sample_description(options)
    max_text_bytes = options.get("max_text_bytes", DEFAULT_MAX_TEXT_BYTES)
    for part in parts:
        size = part.path.stat().st_size if part.path is not None else 0
        if part.schema is None:
            if meter is not None:
                meter.advance(size)
            continue
        for raw in part_batches(part, columns, batch_size, options):
            if meter is not None:
                meter.at(_position(part, raw, size))
            if raw.height == 0:
                continue
            df = finish(raw, part, schema, columns, id_created, infer_rows, max_text_bytes)
            if strict:
                bad = df.filter(pl.col(REASON).is_not_null())
                if bad.height:
                    raise InputError(bad[DETAIL][0])
            yield df
        part.handle = None
        if meter is not None:
            meter.advance(size)


def _position(part: Part, raw: pl.DataFrame, size: int) -> int:
    """About how many bytes of ``part`` are read once ``raw`` is (for progress only)."""
    handle = part.handle
    if handle is not None and not handle.closed:
        try:  # a .gz file: the position in the compressed file, which is what its size counts
            return int(getattr(handle, "fileobj", handle).tell())
        except (OSError, ValueError, AttributeError):
            return 0
    if part.fmt == "parquet" and raw.height and size:
        if part.rows is None:
            import pyarrow.parquet as pq

            part.rows = pq.read_metadata(part.path).num_rows
        return int(size * min(1.0, (int(raw[POS].max()) + 1) / max(part.rows, 1)))
    return 0


def read_frame(
    source: str | Path, columns: ColumnMap, strict: bool = False, options: Mapping[str, Any] | None = None
) -> pl.DataFrame:
    """The whole input as one DataFrame (same columns as :func:`iter_batches`)."""
    frames = list(iter_batches(source, columns, strict=strict, options=options))
    if not frames:
        return pl.DataFrame(schema={columns.id: pl.String, columns.text: pl.String, REASON: pl.String, DETAIL: pl.String})
    return pl.concat(frames)


def fingerprint(path: str | Path, algorithm: str = FINGERPRINT_HASH) -> dict[str, Any]:
    """Size, mtime and a hash (``algorithm``: the key it is stored under) of a file's contents.

    A directory or glob gives one entry per file under ``files``; a name that
    is not local (a Hub dataset) gives ``{"path": ..., "exists": False}``.
    """
    p = Path(path)
    if p.is_file():
        digest = hash_file(p, algorithm)
        st = p.stat()
        return {"path": str(p), "size": st.st_size, "mtime": st.st_mtime, algorithm: digest}
    files = input_files(p)
    if p.is_dir() or files:
        entries = [fingerprint(f, algorithm) for f in files]
        return {"path": str(p), "kind": "directory" if p.is_dir() else "glob",
                "size": sum(e["size"] for e in entries), "files": entries}
    return {"path": str(p), "exists": False}


def fingerprint_algorithm(entry: Any) -> str:
    """The hash a saved fingerprint used (``blake2b`` in runs made before xxh3)."""
    if not isinstance(entry, dict):
        return FINGERPRINT_HASH
    if "blake2b" in entry or any(fingerprint_algorithm(e) == "blake2b" for e in entry.get("files", [])):
        return "blake2b"
    return FINGERPRINT_HASH
