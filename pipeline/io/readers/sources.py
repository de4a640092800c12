"""Resolving an input into parts: files (by format), a saved ``datasets`` directory, a Hub dataset."""

from __future__ import annotations

import glob as globlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import polars as pl



REASON = "_reason"
DETAIL = "_detail"
POS = "__pos"

#: every reason the reader can give a row
READ_REASONS = (
    "malformed_input",
    "invalid_utf8",
    "missing_column",
    "null_text",
    "non_string_text",
    "null_label",
    "too_large",
)

#: texts longer than this many UTF-8 bytes are rejected (``too_large``) before any
#: filter runs: one 50 MB "document" (a dump, a base64 blob) must not stall a run.
#: Set ``reader.max_text_bytes`` in the recipe (0 = no limit).
DEFAULT_MAX_TEXT_BYTES = 10_000_000

_SUFFIX_FORMAT = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
}
LINE_FORMATS = ("jsonl", "csv", "tsv")
KNOWN_OPTIONS = {
    "format", "has_header", "separator", "quote_char", "column_names",
    "infer_schema_rows", "infer_schema_bytes", "loader", "load_dataset", "max_text_bytes", "max_batch_bytes",
}
DEFAULT_INFER_ROWS = 10_000
#: the JSONL schema sample also stops after the batch that reaches this many input bytes:
#: 10,000 web pages are gigabytes, and no batch can be finished before the sample is read.
#: Half a batch (``DEFAULT_MAX_BATCH_BYTES``): a file of large rows starts after one batch, not two
DEFAULT_INFER_BYTES = 16 << 20

#: a batch holds at most ``batch_size`` rows and about this many bytes of input
#: (cut at a line end; one longer line or row is a batch of its own), so that a
#: run over large documents (HTML pages) holds a bounded amount of text at a time.
#: Set ``reader.max_batch_bytes`` in the recipe.
DEFAULT_MAX_BATCH_BYTES = 32 << 20



class InputError(Exception):
    """An input cannot be read; the message names file, line/row and column."""


# --------------------------------------------------------------------------
# resolving a source into parts (files or datasets)


@dataclass
class Part:
    display: str  # how messages name it, e.g. "data/x.jsonl"
    prefix: str  # id prefix, e.g. "x"
    fmt: str  # jsonl csv tsv parquet datasets
    path: Path | None = None
    dataset: Any = None
    split: str | None = None
    schema: pl.Schema | None = None  # filled by the schema pass
    # JSONL batches the schema pass parsed, and the (line, offset) the reading pass goes on from
    cache: list[pl.DataFrame] | None = None
    resume: tuple[int, int] = (1, 0)
    handle: Any = None  # the open file of a line-format part (its position is the reading progress)
    rows: int | None = None  # a Parquet part's row count, once progress asked for it


def _format_of(path: Path, forced: str | None = None) -> str | None:
    if forced:
        return forced
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
        if name.endswith(".parquet"):
            return None
    for suffix, fmt in _SUFFIX_FORMAT.items():
        if name.endswith(suffix):
            return fmt
    return None


def _strip_data_suffix(rel: str) -> str:
    low = rel.lower()
    if low.endswith(".gz"):
        rel, low = rel[:-3], low[:-3]
    for suffix in _SUFFIX_FORMAT:
        if low.endswith(suffix):
            return rel[: -len(suffix)]
    return rel


def _is_saved_dataset(path: Path) -> bool:
    return (path / "dataset_dict.json").is_file() or (
        (path / "state.json").is_file() and (path / "dataset_info.json").is_file()
    )


def _hidden(rel: Path) -> bool:
    return any(part.startswith((".", "_")) for part in rel.parts)


def _looks_like_path(s: str) -> bool:
    return (
        s.startswith(("/", "./", "../", "~", "."))
        or _format_of(Path(s)) is not None
        or os.sep in s and s.count("/") > 1
    )


def looks_like_path(s: str) -> bool:
    """True when a missing ``s`` was meant as a local path (not a Hub name like ``org/name``)."""
    return _looks_like_path(s)


def file_format(path: str | Path, forced: str | None = None) -> str | None:
    """The format the reader reads ``path`` as (``jsonl``, ``csv``, ``tsv``, ``parquet``), or None.

    >>> file_format("corpus.jsonl.gz"), file_format("notes.txt"), file_format("x.txt", "tsv")
    ('jsonl', None, 'tsv')
    """
    return _format_of(Path(path), forced)


def is_saved_dataset(path: str | Path) -> bool:
    """True for a Hugging Face ``save_to_disk`` directory."""
    p = Path(path)
    return p.is_dir() and _is_saved_dataset(p)


def input_files(source: str | Path) -> list[Path]:
    """The local files ``source`` stands for (a file, a directory, a glob), sorted.

    A Hub name gives ``[]``. Used for fingerprints; reading uses the same rules.
    """
    p = Path(source)
    if p.is_file():
        return [p]
    if p.is_dir():
        return sorted(f for f in p.rglob("*") if f.is_file() and not _hidden(f.relative_to(p)))
    s = str(source)
    if any(ch in s for ch in "*?["):
        return sorted(Path(f) for f in globlib.glob(s, recursive=True) if Path(f).is_file())
    return []


def _file_parts(files: list[Path], root: Path | None, forced: str | None) -> list[Part]:
    parts = []
    for f in files:
        fmt = _format_of(f, forced)
        if fmt is None:
            continue
        rel = f.relative_to(root).as_posix() if root is not None else f.name
        parts.append(Part(display=str(f), prefix=_strip_data_suffix(rel), fmt=fmt, path=f))
    return parts


def _dataset_parts(obj: Any, display: str, name: str) -> list[Part]:
    import datasets

    if isinstance(obj, (datasets.DatasetDict, dict)):
        return [
            Part(display=f"{display}[{split}]", prefix=split, fmt="datasets", dataset=ds, split=split)
            for split, ds in obj.items()
        ]
    if isinstance(obj, datasets.Dataset):
        return [Part(display=display, prefix=name, fmt="datasets", dataset=obj)]
    raise InputError(f"{display}: streaming (iterable) datasets are not supported; load it as a Dataset")


def _load_hub(name: str, kwargs: Mapping[str, Any]) -> list[Part]:
    try:
        import datasets

        obj = datasets.load_dataset(name, **dict(kwargs))
    except Exception as e:  # the Hub raises many kinds; all mean "cannot load"
        raise InputError(
            f"'{name}' is not a local file or directory, and loading it with "
            f"datasets.load_dataset('{name}') failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            " (check the path; Hub datasets need network access or a local copy made with save_to_disk)"
        ) from e
    return _dataset_parts(obj, name, name.rstrip("/").split("/")[-1])


def resolve(source: str | Path, options: Mapping[str, Any]) -> list[Part]:
    s = str(source)
    p = Path(source)
    forced = options.get("format")
    if options.get("loader") == "datasets":
        return _load_hub(s, options.get("load_dataset") or {})
    if p.is_dir():
        if _is_saved_dataset(p):
            import datasets

            return _dataset_parts(datasets.load_from_disk(str(p)), s, p.name)
        files = input_files(p)
        parts = _file_parts(files, p, forced)
        skipped = [f.relative_to(p).as_posix() for f in files if _format_of(f, forced) is None]
        if skipped:
            warnings.warn(
                f"{s}: skipping {len(skipped)} file(s) that are not jsonl/csv/tsv/parquet: "
                + ", ".join(skipped[:5]) + (" ..." if len(skipped) > 5 else ""),
                stacklevel=3,
            )
        if not parts:
            raise InputError(f"no readable files in directory {s} (looked for {', '.join(_SUFFIX_FORMAT)}, also .gz)")
        return parts
    if p.is_file():
        fmt = _format_of(p, forced)
        if fmt is None:
            raise InputError(
                f"{s}: unknown input format (expected {', '.join(_SUFFIX_FORMAT)} or .gz; "
                "or set options.format)"
            )
        return [Part(display=s, prefix=_strip_data_suffix(p.name), fmt=fmt, path=p)]
    if any(ch in s for ch in "*?["):
        files = input_files(s)
        if not files:
            raise InputError(f"no files match {s}")
        root = Path(os.path.commonpath([f.parent for f in files])) if len(files) > 1 else None
        parts = _file_parts(files, root, forced)
        if not parts:
            raise InputError(f"no readable files match {s}")
        return parts
    if _looks_like_path(s):
        raise InputError(f"no such file or directory: {s}")
    return _load_hub(s, options.get("load_dataset") or {})
