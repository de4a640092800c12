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
"""

from __future__ import annotations

import csv
import glob as globlib
import gzip
import io
import json
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import polars as pl

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.fingerprint import FINGERPRINT_HASH, hash_file

REASON = "_reason"
DETAIL = "_detail"
_POS = "__pos"

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
_LINE_FORMATS = ("jsonl", "csv", "tsv")
_KNOWN_OPTIONS = {
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

#: the schema pass keeps the JSONL batches it parsed, up to this many times
#: ``max_batch_bytes`` of input, for the reading pass to use instead of parsing them again
SCHEMA_CACHE_BATCHES = 8


class InputError(Exception):
    """An input cannot be read; the message names file, line/row and column."""


# --------------------------------------------------------------------------
# resolving a source into parts (files or datasets)


@dataclass
class _Part:
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


def _file_parts(files: list[Path], root: Path | None, forced: str | None) -> list[_Part]:
    parts = []
    for f in files:
        fmt = _format_of(f, forced)
        if fmt is None:
            continue
        rel = f.relative_to(root).as_posix() if root is not None else f.name
        parts.append(_Part(display=str(f), prefix=_strip_data_suffix(rel), fmt=fmt, path=f))
    return parts


def _dataset_parts(obj: Any, display: str, name: str) -> list[_Part]:
    import datasets

    if isinstance(obj, (datasets.DatasetDict, dict)):
        return [
            _Part(display=f"{display}[{split}]", prefix=split, fmt="datasets", dataset=ds, split=split)
            for split, ds in obj.items()
        ]
    if isinstance(obj, datasets.Dataset):
        return [_Part(display=display, prefix=name, fmt="datasets", dataset=obj)]
    raise InputError(f"{display}: streaming (iterable) datasets are not supported; load it as a Dataset")


def _load_hub(name: str, kwargs: Mapping[str, Any]) -> list[_Part]:
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


def _resolve(source: str | Path, options: Mapping[str, Any]) -> list[_Part]:
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
        return [_Part(display=s, prefix=_strip_data_suffix(p.name), fmt=fmt, path=p)]
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


# --------------------------------------------------------------------------
# line formats (JSONL, CSV, TSV): records of raw bytes with their line numbers


def _open_binary(path: Path):
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb", buffering=1 << 20)


def _records(fh, quote: bytes | None) -> Iterator[tuple[int, bytes, str | None]]:
    """``(first line number, record bytes, problem)``; blank lines are skipped.

    With a quote character (CSV) a record spans lines until its quotes
    balance (RFC 4180: an escaped quote ``""`` keeps the parity).
    """
    n = 0
    if quote is None:
        for raw in fh:
            n += 1
            line = raw.rstrip(b"\r\n")
            if line.strip():
                yield n, line, None
        return
    pending: list[bytes] = []
    start = 0
    odd = False
    for raw in fh:
        n += 1
        if not pending:
            if not raw.strip():
                continue
            start = n
        pending.append(raw)
        if raw.count(quote) & 1:
            odd = not odd
        if not odd:
            yield start, b"".join(pending).rstrip(b"\r\n"), None
            pending = []
    if pending:
        yield start, b"".join(pending).rstrip(b"\r\n"), "unterminated quoted field"


def _take(it: Iterator, n: int) -> list:
    out = []
    for item in it:
        out.append(item)
        if len(out) >= n:
            break
    return out


@dataclass
class _LineCtx:
    part: _Part
    columns: ColumnMap
    separator: str = ","
    quote: str | None = None
    names: list[str] | None = None  # CSV/TSV column names


def _bad_frame(text_col: str, rows: list[tuple[int, str, str, str]]) -> pl.DataFrame:
    """Frame of unreadable rows: (pos, raw text, reason, detail)."""
    return pl.DataFrame(
        {
            _POS: [r[0] for r in rows],
            text_col: [r[1] for r in rows],
            REASON: [r[2] for r in rows],
            DETAIL: [r[3] for r in rows],
        },
        schema={_POS: pl.Int64, text_col: pl.String, REASON: pl.String, DETAIL: pl.String},
    )


def _decode(recs: list[tuple[int, bytes, str | None]], ctx: _LineCtx, bad: list) -> list[tuple[int, str, bytes]]:
    where = ctx.part.display
    good = []
    for n, raw, problem in recs:
        try:
            s = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            bad.append((n, raw.decode("utf-8", "replace"), "invalid_utf8",
                        f"{where}, line {n}: invalid UTF-8 (byte 0x{raw[e.start]:02x} at column {e.start + 1})"))
            continue
        if problem:
            bad.append((n, s, "malformed_input", f"{where}, line {n}: {problem}"))
            continue
        good.append((n, s, raw))
    return good


def _parse_jsonl(recs, ctx: _LineCtx) -> pl.DataFrame:
    where = ctx.part.display
    text_col = ctx.columns.text
    bad: list[tuple[int, str, str, str]] = []
    good = _decode(recs, ctx, bad)
    df = _read_ndjson([g[2] for g in good])
    if df is None:
        # locate the malformed lines, then parse the rest in one go
        ok = []
        for n, s, raw in good:
            try:
                obj = json.loads(s)
            except json.JSONDecodeError as e:
                bad.append((n, s, "malformed_input", f"{where}, line {n}: invalid JSON ({e.msg} at column {e.colno})"))
                continue
            if not isinstance(obj, dict):
                bad.append((n, s, "malformed_input",
                            f"{where}, line {n}: not a JSON object (found {type(obj).__name__})"))
                continue
            ok.append((n, s, raw))
        good = ok
        df = _read_ndjson([g[2] for g in good])
        if df is None:  # type conflicts between lines: mixed columns become JSON text
            df = _frame_from_objects([json.loads(g[1]) for g in good])
    df = df.with_columns(pl.Series(_POS, [g[0] for g in good], dtype=pl.Int64))
    nested = [c for c, t in df.schema.items() if t.is_nested() and c != text_col]
    if nested:
        # lists/objects are kept as their JSON text: their shape can differ from
        # line to line (and batch to batch), which no one column type can hold
        objs = [json.loads(g[1]) for g in good]
        df = df.with_columns(
            pl.Series(c, [None if o.get(c) is None else json.dumps(o[c], ensure_ascii=False) for o in objs], dtype=pl.String)
            for c in nested
        )
    df = _flag_json_text(df, [g[1] for g in good], ctx)
    if bad:
        df = pl.concat([df, _bad_frame(text_col, bad)], how="diagonal_relaxed").sort(_POS)
    return df


_JSON_KINDS = {bool: pl.Boolean, int: pl.Int64, float: pl.Float64, str: pl.String}


def _frame_from_objects(objs: list[dict[str, Any]]) -> pl.DataFrame:
    """JSON objects as a frame when polars cannot reconcile their types.

    A column whose values are all of one scalar JSON type keeps it; any other
    column (mixed types, lists, objects, integers beyond 64 bits) becomes a
    String column: strings as they are, other values as JSON text. Nothing is
    dropped, and one odd line no longer stops the run.
    """
    names: dict[str, None] = {}
    for obj in objs:
        names.update(dict.fromkeys(obj))
    columns = {}
    for name in names:
        values = [obj.get(name) for obj in objs]
        kinds = {type(v) for v in values if v is not None}
        dtype = _JSON_KINDS.get(next(iter(kinds))) if len(kinds) == 1 else None
        if dtype == pl.Int64 and any(not -(2**63) <= v < 2**63 for v in values if v is not None):
            dtype = None
        if dtype is None:
            dtype = pl.String
            values = [v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values]
        columns[name] = pl.Series(name, values, dtype=dtype)
    return pl.DataFrame(list(columns.values())) if columns else pl.DataFrame(schema={}).with_columns(
        pl.Series("__empty", [None] * len(objs))).drop("__empty")


def _read_ndjson(lines: list[bytes]) -> pl.DataFrame | None:
    if not lines:
        return pl.DataFrame()
    try:
        df = pl.read_ndjson(io.BytesIO(b"\n".join(lines)), infer_schema_length=None)
    except Exception:
        return None
    return df if df.height == len(lines) else None


def _flag_json_text(df: pl.DataFrame, lines: list[str], ctx: _LineCtx) -> pl.DataFrame:
    """Mark lines whose text key is absent, or holds a number/bool/list/object."""
    where = ctx.part.display
    text_col = ctx.columns.text
    key = json.dumps(text_col)
    raw = pl.Series("raw", lines, dtype=pl.String)
    reasons: list[str | None] = [None] * len(lines)
    details: list[str | None] = [None] * len(lines)
    candidates = raw.str.contains(re.escape(key) + r'\s*:\s*[-0-9tf\[{]').arg_true().to_list()
    for i in candidates:
        value = json.loads(lines[i]).get(text_col)
        if value is not None and not isinstance(value, str):
            kind = {bool: "boolean", int: "number", float: "number", list: "list", dict: "object"}.get(type(value), "value")
            n = df[_POS][i]
            reasons[i] = "non_string_text"
            details[i] = f"{where}, line {n}: column '{text_col}' is a JSON {kind}, not a string"
    if text_col in df.columns:
        absent = (df[text_col].is_null() & ~raw.str.contains(key, literal=True)).arg_true().to_list()
    else:
        absent = list(range(len(lines)))
    for i in absent:
        reasons[i] = "missing_column"
        details[i] = f"{where}, line {df[_POS][i]}: no '{text_col}' key"
    if text_col in df.columns and df[text_col].dtype != pl.String:
        df = df.with_columns(_stringify(df[text_col]))
    return df.with_columns(
        pl.Series(REASON, reasons, dtype=pl.String), pl.Series(DETAIL, details, dtype=pl.String)
    )


def _stringify(s: pl.Series) -> pl.Series:
    if s.dtype == pl.String:
        return s
    if s.dtype.is_nested() or s.dtype == pl.Object:
        return pl.Series(s.name, [None if v is None else json.dumps(v, ensure_ascii=False, default=str) for v in s.to_list()], dtype=pl.String)
    return s.cast(pl.String, strict=False)


# --------------------------------------------------------------------------
# JSONL fast path: whole byte blocks straight to polars
#
# A batch of JSON lines is read as one block of raw bytes cut at a line end (a
# JSON string cannot hold a raw newline, so every b"\n" ends a record) and
# handed to ``pl.read_ndjson`` in one call: no per-line Python, no decoding to
# Python strings. polars rejects invalid UTF-8 and malformed JSON for the
# whole block; only then is that block read again line by line
# (:func:`_parse_jsonl`), which names the bad lines. Results are the same
# either way.

_ASCII_WS = (9, 11, 12, 13, 32)  # what bytes.strip() removes, besides b"\n"


@dataclass
class _LineTable:
    """Lines of a byte buffer: ``ends[i]`` is one past line i's b"\\n" (or the buffer end)."""

    ends: Any  # numpy int64
    records: Any  # numpy bool: the line is not blank (``_records`` skips blank lines)

    def starts(self) -> Any:
        import numpy as np

        return np.concatenate(([0], self.ends[:-1])) if len(self.ends) else self.ends


def _newlines(buf: Any, start: int, stop: int) -> Any:
    """Positions of b"\\n" in ``buf[start:stop]`` (memchr for long lines, numpy for many short ones)."""
    import numpy as np

    found = []
    i = buf.find(b"\n", start, stop)
    while i >= 0 and len(found) < 256:
        found.append(i)
        i = buf.find(b"\n", i + 1, stop)
    if i < 0:
        return np.array(found, dtype=np.int64)
    view = np.frombuffer(buf, dtype=np.uint8, count=stop - i, offset=i)
    return np.concatenate((np.array(found, dtype=np.int64), np.flatnonzero(view == 10) + i))


def _nonblank(buf: Any, starts: Any, ends: Any) -> Any:
    """For each line ``buf[starts[i]:ends[i]]``: is it a record (not blank, as ``_records`` decides)?"""
    import numpy as np

    if not len(ends):
        return np.zeros(0, dtype=bool)
    view = np.frombuffer(buf, dtype=np.uint8, count=int(ends[-1]))
    stop = ends - (view[ends - 1] == 10)  # the line without its b"\n"
    nonempty = stop > starts
    first = view[np.minimum(starts, len(view) - 1)]
    del view  # a bytearray cannot grow while a view of it exists
    records = nonempty & ~np.isin(first, _ASCII_WS)
    # a line starting with whitespace is blank only if nothing else follows (rare: checked one by one)
    for i in np.flatnonzero(nonempty & ~records):
        records[i] = bool(bytes(buf[starts[i]:stop[i]]).strip())
    return records


@dataclass
class _Block:
    first_line: int  # line number of the block's first line
    data: bytes  # whole lines, each with its b"\n" (the last one may lack it at the end of the file)
    lines: _LineTable
    end_offset: int  # input offset just after the block
    truncated: bool = False  # cut short by ``limit``: the next block would not start here in a full pass

    @property
    def next_line(self) -> int:
        return self.first_line + len(self.lines.ends)


class _LineBuffer:
    """Bytes read ahead from a file, with the table of their complete lines.

    Filled with ``readinto`` and consumed from the front, so each input byte is
    copied once (into the block handed to polars) however the blocks are cut.
    """

    def __init__(self, fh) -> None:
        import numpy as np

        self.fh = fh
        self.buf = bytearray(1 << 20)
        self.fill = 0  # the data is buf[:fill]
        self.eof = False
        self.ends = np.zeros(0, dtype=np.int64)
        self.records = np.zeros(0, dtype=bool)

    @property
    def lines(self) -> int:
        return len(self.ends)

    def read(self, want: int) -> None:
        """Read up to ``want`` more bytes and extend the line table."""
        import numpy as np

        if self.fill + want > len(self.buf):
            grown = bytearray(max(self.fill + want, 2 * len(self.buf)))
            grown[:self.fill] = memoryview(self.buf)[:self.fill]
            self.buf = grown
        with memoryview(self.buf) as mv:
            n = self.fh.readinto(mv[self.fill:self.fill + want]) or 0
        scanned, self.fill = self.fill, self.fill + n
        self.eof = n == 0
        last = int(self.ends[-1]) if len(self.ends) else 0
        ends = _newlines(self.buf, scanned, self.fill) + 1
        if self.eof and self.fill > (int(ends[-1]) if len(ends) else last):
            ends = np.append(ends, self.fill)  # the last line has no b"\n"
        if len(ends):
            starts = np.concatenate(([last], ends[:-1]))
            self.ends = np.concatenate((self.ends, ends))
            self.records = np.concatenate((self.records, _nonblank(self.buf, starts, ends)))

    def take(self, k: int) -> tuple[bytes, _LineTable]:
        """The first ``k`` lines, removed from the buffer."""
        end = int(self.ends[k - 1])
        with memoryview(self.buf) as mv:
            data = bytes(mv[:end])
        rest = self.fill - end
        if rest:
            self.buf[:rest] = self.buf[end:self.fill]
        self.fill = rest
        table = _LineTable(self.ends[:k], self.records[:k])
        self.ends, self.records = self.ends[k:] - end, self.records[k:]
        return data, table


def _jsonl_blocks(fh, max_records: int, max_bytes: int, limit: int | None = None,
                  line: int = 1, offset: int = 0) -> Iterator[_Block]:
    """Blocks of at most ``max_records`` records and ``max_bytes`` bytes (a longer line alone).

    The cut depends only on the input, so a pass that starts at a block's
    ``end_offset`` / ``next_line`` yields the same later blocks as one from the start.
    ``limit`` stops after that many records (the last block then has ``truncated``).
    """
    import numpy as np

    src = _LineBuffer(fh)
    taken = 0
    while limit is None or taken < limit:
        cap = max_records if limit is None else min(max_records, limit - taken)
        # read until the buffer holds a full block (or the file ends), no more than that needs
        while not src.eof:
            records = int(src.records.sum())
            if src.lines and (src.fill >= max_bytes or records >= cap):
                break
            if src.lines:  # enough for the records still wanted, at the average line length so far
                per_line = int(src.ends[-1]) // src.lines + 1
                want = min(max(per_line * (cap - records + 1), 1 << 16), max_bytes - src.fill)
            else:  # no line end yet: double what we hold
                want = max(src.fill, 1 << 20)
            src.read(min(want, 64 << 20))
        if not src.lines:
            return
        k = min(src.lines, max(1, int(np.searchsorted(src.ends, max_bytes, side="right"))))  # within max_bytes
        counts = src.records[:k].cumsum()
        if int(counts[-1]) > cap:
            k = int(np.searchsorted(counts, cap, side="left")) + 1  # through the cap-th record
        data, table = src.take(k)
        records = int(table.records.sum())
        taken += records
        # a block is cut short by ``limit`` only when the limit lowered the cap and the block reached it:
        # a block cut by max_records, max_bytes or the end of the file is the one a full pass cuts there
        block = _Block(line, data, table, offset + len(data), truncated=cap < max_records and records == cap)
        line, offset = block.next_line, block.end_offset
        yield block


def _parse_jsonl_block(block: _Block, ctx: _LineCtx) -> pl.DataFrame:
    """A block as :func:`_parse_jsonl` would give it, in one polars call when the block is clean."""
    df = _fast_jsonl(block, ctx)
    if df is not None:
        return df
    return _parse_jsonl(_block_records(block), ctx)


def _block_records(block: _Block) -> list[tuple[int, bytes, str | None]]:
    """The block as ``_records`` gives a file: (line number, line without b"\\r\\n", None), blank lines skipped."""
    data, ends = block.data, block.lines.ends.tolist()
    starts = [0] + ends[:-1]
    return [(block.first_line + i, data[starts[i]:ends[i]].rstrip(b"\r\n"), None)
            for i in block.lines.records.nonzero()[0].tolist()]


def _fast_jsonl(block: _Block, ctx: _LineCtx) -> pl.DataFrame | None:
    """The block parsed in one call, or None when a line needs the careful path."""
    import numpy as np

    data, lines = block.data, block.lines
    records = lines.records
    n = int(records.sum())
    if n == 0:
        return None
    starts = lines.starts()
    view = np.frombuffer(data, dtype=np.uint8)
    # every record must start with "{" (no leading blanks, no bare values) and every other line
    # be empty or a lone "\r": then polars sees exactly the lines _records would give it
    if not (view[starts[records]] == 123).all():
        return None
    if not records.all():
        blank_len = (lines.ends - starts)[~records]
        if (blank_len > 2).any() or any(data[s:e] not in (b"\n", b"\r\n", b"\r", b"") for s, e in
                                        zip(starts[~records].tolist(), lines.ends[~records].tolist())):
            return None
    df = _read_known_strings(data, n, ctx.part.schema)
    if df is None:
        try:
            df = pl.read_ndjson(data, infer_schema_length=None)
        except Exception:  # malformed JSON, invalid UTF-8, types polars cannot reconcile
            return None
    if df.height != n:
        return None
    rec_starts = starts[records]
    rec_ends = lines.ends[records]
    if records.all() and n == len(lines.ends):
        pos = pl.int_range(block.first_line, block.first_line + n, dtype=pl.Int64, eager=True).alias(_POS)
    else:
        pos = pl.Series(_POS, block.first_line + np.flatnonzero(records), dtype=pl.Int64)
    df = df.with_columns(pos)

    def line(i: int) -> bytes:
        return data[int(rec_starts[i]):int(rec_ends[i])].rstrip(b"\r\n")

    text_col = ctx.columns.text
    nested = [c for c, t in df.schema.items() if t.is_nested() and c != text_col]
    if nested:
        # as in _parse_jsonl: lists/objects are kept as their JSON text
        objs = [json.loads(line(i)) for i in range(n)]
        df = df.with_columns(
            pl.Series(c, [None if o.get(c) is None else json.dumps(o[c], ensure_ascii=False) for o in objs], dtype=pl.String)
            for c in nested
        )
    return _flag_json_block(df, line, ctx)


def _read_known_strings(data: bytes, records: int, schema: pl.Schema | None) -> pl.DataFrame | None:
    """The block parsed with the part's schema, when its lines are provably objects of exactly
    the schema's keys with string values; else None (the caller infers the types).

    Given a schema, ``pl.read_ndjson`` skips its pass over every value to infer types (half
    the parse time) but silently drops keys the schema lacks, so it is used only when
    :func:`_keys_with_string_values` counts ``records * len(schema)`` keys in the whole
    block, every one followed by a string, and the parsed frame has no null: then every
    line holds each schema key once and nothing else, and the frame equals an inferring
    parse's (whose columns :func:`_finish` puts in the schema's order).
    """
    if not schema or any(dtype != pl.String for dtype in schema.dtypes()):
        return None
    if not _keys_with_string_values(data, records * len(schema)):
        return None
    try:
        df = pl.read_ndjson(data, schema=schema)
    except Exception:  # anything polars refuses: the inferring parse decides
        return None
    if df.height != records or any(df.null_count().row(0)):
        return None
    return df


#: JSON whitespace within a line
_JSON_SPACE = (9, 13, 32)
#: colons after whitespace, or quotes after backslashes, beyond which a block is not checked
#: position by position (it is parsed the inferring way instead)
_SLOW_CHECK_LIMIT = 4096


def _keys_with_string_values(data: bytes, expected: int) -> bool:
    r"""Whether ``data`` (JSON lines) holds exactly ``expected`` object keys, each with a string value.

    A key is a string whose closing quote is followed by a colon (JSON whitespace
    between): every key of every object counts, nested ones too. Inside a string a
    quote is escaped, so a colon after an escaped quote is text. The count may
    include a string *value* that starts with a colon (its opening quote is
    followed by one): that only makes the count too high, and the block is then
    read the inferring way. Anything unusual (many colons after whitespace, long
    backslash runs, a value after more than one space) also answers False.

    >>> _keys_with_string_values(b'{"text": "a: \\"b\\": c", "label": "pt-PT"}\n', 2)
    True
    >>> _keys_with_string_values(b'{"text": "a", "x": {"label": "b"}}\n', 2)
    False
    >>> _keys_with_string_values(b'{"text": "a", "n": 1}\n', 2)
    False
    """
    import numpy as np

    view = np.frombuffer(data, dtype=np.uint8)
    colons = np.flatnonzero(view == 58)
    colons = colons[colons > 0]
    before = view[colons - 1]
    key_colons = colons[before == 34]
    quotes = key_colons - 1  # the quote just before each colon
    spaced = colons[np.isin(before, _JSON_SPACE)]
    if len(spaced):
        if len(spaced) > _SLOW_CHECK_LIMIT:
            return False
        extra_quotes, extra_colons = [], []
        for colon in spaced.tolist():
            i = colon - 1
            while i > 0 and view[i] in _JSON_SPACE:
                i -= 1
            if view[i] == 34:
                extra_quotes.append(i)
                extra_colons.append(colon)
        if extra_quotes:
            quotes = np.concatenate((quotes, np.array(extra_quotes, dtype=quotes.dtype)))
            key_colons = np.concatenate((key_colons, np.array(extra_colons, dtype=key_colons.dtype)))
    # a quote is escaped when an odd run of backslashes precedes it
    run = np.zeros(len(quotes), dtype=np.int64)
    running = np.ones(len(quotes), dtype=bool)
    for k in range(1, 9):
        at = quotes - k
        running &= at >= 0
        running[running] &= view[at[running]] == 92
        if not running.any():
            break
        run += running
    else:
        if running.sum() > _SLOW_CHECK_LIMIT:
            return False
        for j in np.flatnonzero(running).tolist():
            i = int(quotes[j]) - 9
            while i >= 0 and view[i] == 92:
                run[j] += 1
                i -= 1
    key_colons = key_colons[run % 2 == 0]
    if len(key_colons) != expected:
        return False
    if not len(key_colons):
        return True
    # each value starts with a quote, right after the colon or after one space
    after = key_colons + 1
    if int(after.max()) + 1 >= len(view):
        return False
    first = view[after]
    spaced_value = first == 32
    return bool(((first == 34) | (spaced_value & (view[after + 1] == 34))).all())


#: what a non-string JSON value looks like once polars has put it in a String column
#: (it writes numbers, booleans, lists and objects as their JSON text)
_COERCED = r"^(?:-?[0-9][0-9.eE+\-]*$|true$|false$|\[|\{)"


def _flag_json_block(df: pl.DataFrame, line, ctx: _LineCtx) -> pl.DataFrame:
    """:func:`_flag_json_text` without decoding every line: only the lines whose value
    may not have been a JSON string, or whose text is null, are looked at again."""
    where = ctx.part.display
    text_col = ctx.columns.text
    key = json.dumps(text_col).encode()
    flagged: dict[int, tuple[str, str]] = {}
    if text_col in df.columns:
        text = df[text_col]
        maybe = text.is_not_null() if text.dtype != pl.String else text.str.contains(_COERCED)
        for i in maybe.arg_true().to_list():
            value = json.loads(line(i)).get(text_col)
            if value is not None and not isinstance(value, str):
                kind = {bool: "boolean", int: "number", float: "number", list: "list", dict: "object"}.get(type(value), "value")
                flagged[i] = ("non_string_text", f"{where}, line {df[_POS][i]}: column '{text_col}' is a JSON {kind}, not a string")
        absent = [i for i in text.is_null().arg_true().to_list() if key not in line(i)]
    else:
        absent = list(range(df.height))
    for i in absent:
        flagged[i] = ("missing_column", f"{where}, line {df[_POS][i]}: no '{text_col}' key")
    if text_col in df.columns and df[text_col].dtype != pl.String:
        df = df.with_columns(_stringify(df[text_col]))
    if not flagged:
        return df.with_columns(pl.lit(None, pl.String).alias(REASON), pl.lit(None, pl.String).alias(DETAIL))
    reasons: list[str | None] = [None] * df.height
    details: list[str | None] = [None] * df.height
    for i, (why, msg) in flagged.items():
        reasons[i], details[i] = why, msg
    return df.with_columns(pl.Series(REASON, reasons, dtype=pl.String), pl.Series(DETAIL, details, dtype=pl.String))


def _split_fields(line: str, ctx: _LineCtx) -> list[str]:
    if ctx.quote is None:
        return line.split(ctx.separator)
    return next(csv.reader([line], delimiter=ctx.separator, quotechar=ctx.quote), [])


def _parse_delimited(recs, ctx: _LineCtx) -> pl.DataFrame:
    where = ctx.part.display
    text_col = ctx.columns.text
    assert ctx.names is not None
    expected = len(ctx.names)
    bad: list[tuple[int, str, str, str]] = []
    good = _decode(recs, ctx, bad)
    strs = pl.Series("r", [g[1] for g in good], dtype=pl.String)
    if ctx.quote is not None:
        q = re.escape(ctx.quote)
        strs = strs.str.replace_all(f"{q}(?:[^{q}]|{q}{q})*{q}", "")
    counts = (strs.str.count_matches(ctx.separator, literal=True) + 1).to_list()
    ok = []
    for (n, s, raw), found in zip(good, counts):
        if found != expected:
            bad.append((n, s, "malformed_input",
                        f"{where}, line {n}: expected {expected} fields, found {found} (ragged row; "
                        f"{_ragged_at(s, ctx, expected, found)})"))
        else:
            ok.append((n, s, raw))
    df = _read_delimited([g[1] for g in ok], ctx)
    if df is None:  # locate the rows the parser rejects
        df_parts, kept = [], []
        for n, s, raw in ok:
            one = _read_delimited([s], ctx)
            if one is None:
                bad.append((n, s, "malformed_input", f"{where}, line {n}: cannot parse row"))
            else:
                df_parts.append(one)
                kept.append((n, s, raw))
        ok = kept
        df = pl.concat(df_parts) if df_parts else _read_delimited([], ctx)
    df = df.with_columns(pl.Series(_POS, [g[0] for g in ok], dtype=pl.Int64))
    df = df.with_columns(pl.lit(None, pl.String).alias(REASON), pl.lit(None, pl.String).alias(DETAIL))
    if bad:
        df = pl.concat([df, _bad_frame(text_col, bad)], how="diagonal_relaxed").sort(_POS)
    return df


def _ragged_at(line: str, ctx: _LineCtx, expected: int, found: int) -> str:
    """Where a ragged row goes wrong: the column of the first extra field, or the last field."""
    try:
        fields = _split_fields(line, ctx)
    except csv.Error:
        return "cannot split the row"
    if found > expected and len(fields) > expected:
        column = len(ctx.separator.join(fields[:expected])) + 2  # 1-based, after the separator
        return f"field {expected + 1} starts at column {column}"
    return f"the row ends at column {len(line) + 1} after field {len(fields)}"


def _read_delimited(lines: list[str], ctx: _LineCtx) -> pl.DataFrame | None:
    assert ctx.names is not None
    schema = {c: pl.String for c in ctx.names}
    if not lines:
        return pl.DataFrame(schema=schema)
    try:
        df = pl.read_csv(
            io.BytesIO("\n".join(lines).encode("utf-8")),
            has_header=False,
            schema=schema,
            separator=ctx.separator,
            quote_char=ctx.quote,
            comment_prefix=None,
            truncate_ragged_lines=False,
        )
    except Exception:
        return None
    return df if df.height == len(lines) else None


def _line_ctx(part: _Part, columns: ColumnMap, options: Mapping[str, Any]) -> _LineCtx:
    if part.fmt == "jsonl":
        return _LineCtx(part, columns)
    sep = options.get("separator") or ("\t" if part.fmt == "tsv" else ",")
    quote = options["quote_char"] if "quote_char" in options else (None if part.fmt == "tsv" else '"')
    if len(sep) != 1 or (quote is not None and len(quote) != 1):
        raise InputError(f"{part.display}: separator and quote_char must be single characters")
    return _LineCtx(part, columns, separator=sep, quote=quote or None)


def _iter_line_part(part: _Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any],
                    limit: int | None = None) -> Iterator[pl.DataFrame]:
    """Raw batches (data columns, ``__pos``, ``_reason``, ``_detail``) of a line-format file."""
    assert part.path is not None
    if part.fmt == "jsonl":
        for _, df in _jsonl_frames(part, columns, batch_size, options, limit):
            yield df
        return
    ctx = _line_ctx(part, columns, options)
    max_bytes = _max_batch_bytes(options)
    with _open_binary(part.path) as fh:
        part.handle = fh
        try:
            yield from _delimited_batches(fh, ctx, options, batch_size, limit, max_bytes)
        finally:
            part.handle = None  # a part travels to Ray workers: no file in it


def _delimited_batches(fh, ctx: _LineCtx, options: Mapping[str, Any], batch_size: int, limit: int | None,
                       max_bytes: int) -> Iterator[pl.DataFrame]:
    recs = _records(fh, ctx.quote.encode() if ctx.quote else None)
    ctx.names = _header(recs, ctx, options)
    if ctx.names is None:
        return
    seen = 0
    while True:
        want = batch_size if limit is None else min(batch_size, limit - seen)
        if want <= 0:
            return
        batch = _take_bytes(recs, want, max_bytes)
        if not batch:
            return
        seen += len(batch)
        yield _parse_delimited(batch, ctx)


def _take_bytes(recs: Iterator[tuple[int, bytes, str | None]], n: int, max_bytes: int) -> list:
    """Up to ``n`` records, stopping once they hold ``max_bytes`` (at least one record)."""
    out, size = [], 0
    for rec in recs:
        out.append(rec)
        size += len(rec[1])
        if len(out) >= n or size >= max_bytes:
            break
    return out


def _max_batch_bytes(options: Mapping[str, Any]) -> int:
    return int(options.get("max_batch_bytes") or DEFAULT_MAX_BATCH_BYTES)


def _jsonl_frames(part: _Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any],
                  limit: int | None = None, start: tuple[int, int] = (1, 0)) -> Iterator[tuple[_Block, pl.DataFrame]]:
    """``(block, raw batch)`` of a JSONL file, from line/offset ``start`` (a block boundary)."""
    assert part.path is not None
    ctx = _line_ctx(part, columns, options)
    line, offset = start
    with _open_binary(part.path) as fh:
        part.handle = fh
        try:
            if offset:
                fh.seek(offset)
            for block in _jsonl_blocks(fh, batch_size, _max_batch_bytes(options), limit, line, offset):
                yield block, _parse_jsonl_block(block, ctx)
        finally:
            part.handle = None  # a part travels to Ray workers: no file in it


def _part_batches(part: _Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any]) -> Iterator[pl.DataFrame]:
    """The reading pass over one part: the batches the schema pass kept, then the rest."""
    if part.cache is None:
        yield from _raw_batches(part, columns, batch_size, options)
        return
    cache, part.cache = part.cache, None
    while cache:
        yield cache.pop(0)  # released as soon as the caller lets go of it
    for _, df in _jsonl_frames(part, columns, batch_size, options, start=part.resume):
        yield df


def _header(recs: Iterator, ctx: _LineCtx, options: Mapping[str, Any]) -> list[str] | None:
    where = ctx.part.display
    names = options.get("column_names")
    if options.get("has_header", True):
        first = _take(recs, 1)
        if not first:
            return None
        n, raw, _ = first[0]
        try:
            header = _split_fields(raw.decode("utf-8-sig"), ctx)
        except UnicodeDecodeError as e:
            raise InputError(f"{where}, line {n}: header is not valid UTF-8 ({e})") from e
        if names is None:
            names = [h if h else f"column_{i + 1}" for i, h in enumerate(header)]
        elif len(names) != len(header):
            raise InputError(f"{where}: column_names has {len(names)} names but the header has {len(header)} fields")
        ctx.names = list(names)
    elif names is None:  # headerless files get names from _iter_headerless
        raise InputError(f"{where}: a headerless file needs options.column_names")
    dupes = sorted({c for c in names if list(names).count(c) > 1})
    if dupes:
        raise InputError(f"{where}: duplicate column names {', '.join(dupes)} (set options.column_names)")
    return list(names)


# --------------------------------------------------------------------------
# typed formats: Parquet and datasets


def _rows_within(batch_size: int, max_bytes: int, rows: int, nbytes: int) -> int:
    """Rows per batch so that a batch of average rows holds about ``max_bytes``."""
    if rows <= 0 or nbytes <= 0:
        return batch_size
    return max(1, min(batch_size, max_bytes * rows // nbytes))


def _iter_parquet(part: _Part, batch_size: int, limit: int | None = None,
                  max_bytes: int = DEFAULT_MAX_BATCH_BYTES) -> Iterator[pl.DataFrame]:
    import pyarrow.parquet as pq

    assert part.path is not None
    pf = pq.ParquetFile(part.path)
    meta = pf.metadata
    nbytes = sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
    batch_size = _rows_within(batch_size, max_bytes, meta.num_rows, nbytes)
    offset = 0
    for rb in pf.iter_batches(batch_size=batch_size):
        df = pl.from_arrow(rb)
        assert isinstance(df, pl.DataFrame)
        yield df.with_columns(pl.int_range(offset, offset + df.height, dtype=pl.Int64).alias(_POS))
        offset += df.height
        if limit is not None and offset >= limit:
            return


def _iter_dataset(part: _Part, batch_size: int, limit: int | None = None,
                  max_bytes: int = DEFAULT_MAX_BATCH_BYTES) -> Iterator[pl.DataFrame]:
    ds = part.dataset
    batch_size = _rows_within(batch_size, max_bytes, len(ds), int(ds.data.nbytes))
    offset = 0
    for table in ds.with_format("arrow").iter(batch_size=batch_size):
        df = pl.from_arrow(table)
        assert isinstance(df, pl.DataFrame)
        yield df.with_columns(pl.int_range(offset, offset + df.height, dtype=pl.Int64).alias(_POS))
        offset += df.height
        if limit is not None and offset >= limit:
            return


def _raw_batches(part: _Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any],
                 limit: int | None = None) -> Iterator[pl.DataFrame]:
    if part.fmt in _LINE_FORMATS:
        if part.fmt != "jsonl" and not options.get("has_header", True) and options.get("column_names") is None:
            yield from _iter_headerless(part, columns, batch_size, options, limit)
        else:
            yield from _iter_line_part(part, columns, batch_size, options, limit)
    elif part.fmt == "parquet":
        yield from _iter_parquet(part, batch_size, limit, _max_batch_bytes(options))
    else:
        yield from _iter_dataset(part, batch_size, limit, _max_batch_bytes(options))


def _iter_headerless(part, columns, batch_size, options, limit):
    """Headerless CSV/TSV without column_names: width from the first record."""
    assert part.path is not None
    ctx = _line_ctx(part, columns, options)
    with _open_binary(part.path) as fh:
        first = _take(_records(fh, ctx.quote.encode() if ctx.quote else None), 1)
    if not first:
        return
    width = len(_split_fields(first[0][1].decode("utf-8", "replace"), ctx))
    opts = dict(options, column_names=[f"column_{i + 1}" for i in range(width)])
    yield from _iter_line_part(part, columns, batch_size, opts, limit)


# --------------------------------------------------------------------------
# schema: one schema for the whole input


def _data_schema(df: pl.DataFrame) -> pl.Schema:
    return pl.Schema({c: t for c, t in df.schema.items() if c not in (_POS, REASON, DETAIL)})


def _part_schema(part: _Part, columns: ColumnMap, options: Mapping[str, Any],
                 batch_size: int | None = None, budget: list[int] | None = None) -> pl.Schema | None:
    """The part's column types, or None when it holds no rows at all (empty file).

    With ``batch_size`` (JSONL), the sampled batches are cut as the reading pass
    cuts them, and the leading ones are kept in ``part.cache`` while they fit
    in ``budget[0]`` input bytes (shared by all parts, decreased here).
    """
    if part.fmt == "parquet":
        import pyarrow.parquet as pq

        return pl.from_arrow(pq.read_schema(part.path).empty_table()).schema  # type: ignore[union-attr]
    if part.fmt == "datasets":
        return pl.from_arrow(part.dataset.data.schema.empty_table()).schema  # type: ignore[union-attr]
    rows = options.get("infer_schema_rows", DEFAULT_INFER_ROWS)
    limit = None if not rows else int(rows)
    sample_bytes = None if limit is None else (options.get("infer_schema_bytes", DEFAULT_INFER_BYTES) or None)
    schemas = []
    any_rows = False
    caching = part.fmt == "jsonl" and batch_size is not None and budget is not None
    if caching:
        assert batch_size is not None and budget is not None
        part.cache, part.resume = [], (1, 0)
        frames: Iterable[pl.DataFrame] = _cached_frames(part, columns, batch_size, options, limit, budget, sample_bytes)
    else:
        frames = _raw_batches(part, columns, max(1, min(limit or 10_000, 10_000)), options, limit)
    for df in frames:
        any_rows = any_rows or df.height > 0
        good = df.filter(pl.col(REASON).is_null() | (pl.col(REASON) != "malformed_input"))
        if part.fmt != "jsonl" or good.height:
            schemas.append(pl.DataFrame(schema=_data_schema(df)))
    if not any_rows:
        if part.fmt != "jsonl":
            names = _delimited_names(part, columns, options)
            return None if names is None else pl.Schema({c: pl.String for c in names})
        return None
    if not schemas:  # every sampled line is unreadable: only the text is known
        return pl.Schema({columns.text: pl.String})
    return _union(schemas, part.display)


def _cached_frames(part: _Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any],
                   limit: int | None, budget: list[int], sample_bytes: int | None = None) -> Iterator[pl.DataFrame]:
    """The schema sample of a JSONL part (``limit`` records, whole batches up to ``sample_bytes``);
    its leading whole batches go to ``part.cache``."""
    assert part.cache is not None
    keeping = True
    for block, df in _jsonl_frames(part, columns, batch_size, options, limit):
        keeping = keeping and not block.truncated and len(block.data) <= budget[0]
        if keeping:
            part.cache.append(df)
            part.resume = (block.next_line, block.end_offset)
            budget[0] -= len(block.data)
        yield df
        if sample_bytes is not None and block.end_offset >= sample_bytes:
            return


def _delimited_names(part: _Part, columns: ColumnMap, options: Mapping[str, Any]) -> list[str] | None:
    """Column names of a CSV/TSV file that has a header but no rows."""
    assert part.path is not None
    if not options.get("has_header", True):
        return None
    ctx = _line_ctx(part, columns, options)
    with _open_binary(part.path) as fh:
        return _header(_records(fh, ctx.quote.encode() if ctx.quote else None), ctx, options)


def _union(frames: list[pl.DataFrame], where: str) -> pl.Schema:
    # a nested column (list, struct) whose shape differs between lines becomes
    # JSON text: polars cannot always reconcile such types, and no value is lost
    seen: dict[str, set[pl.DataType]] = {}
    for f in frames:
        for c, t in f.schema.items():
            seen.setdefault(c, set()).add(t)
    as_text = {c for c, ts in seen.items()
               if len({t for t in ts if t != pl.Null}) > 1 and any(t.is_nested() for t in ts)}
    frames = [f.clear().with_columns(pl.lit(None, pl.String).alias(c) for c in as_text if c in f.columns)
              for f in frames]
    try:
        schema = pl.concat(frames, how="diagonal_relaxed").schema
    except Exception as e:
        raise InputError(f"{where}: column types cannot be reconciled ({e})") from e
    # a column that was all-null in the sample becomes String (any later value casts to it)
    return pl.Schema({c: (pl.String if t == pl.Null else t) for c, t in schema.items()})


def _missing_column(where: str, col: str, available: Iterable[str]) -> InputError:
    import difflib

    names = [c for c in available if c not in (_POS, REASON, DETAIL)]
    cols = ", ".join(names) or "none"
    from corpus_sieve.filters.suggest import did_you_mean

    hint = did_you_mean(col, names)
    hint = f"; {hint}" if hint else ""
    return InputError(f"missing column '{col}' in {where} (columns: {cols}; set columns.text in the recipe{hint})")


def _input_schema(parts: list[_Part], columns: ColumnMap, options: Mapping[str, Any],
                  batch_size: int | None = None) -> pl.Schema:
    """One schema for all parts; with ``batch_size``, JSONL parts keep their sampled batches (``part.cache``)."""
    frames = []
    budget = [SCHEMA_CACHE_BATCHES * _max_batch_bytes(options)]
    for part in parts:
        schema = _part_schema(part, columns, options, batch_size, budget)
        part.schema = schema
        if schema is None:
            continue
        if columns.text not in schema:
            raise _missing_column(part.display, columns.text, schema.names())
        if part.split is not None:
            schema = pl.Schema({**schema, (columns.split or "split"): pl.String})
        frames.append(pl.DataFrame(schema=schema))
    if not frames:
        return pl.Schema()
    schema = dict(_union(frames, parts[0].display if len(parts) == 1 else "input"))
    for role, name in columns.to_dict().items():
        if name and name in schema:
            schema[name] = pl.String
    return pl.Schema(schema)


# --------------------------------------------------------------------------
# finishing a batch: one schema, ids, row checks


def _finish(df: pl.DataFrame, part: _Part, schema: pl.Schema, columns: ColumnMap,
            id_created: bool, infer_rows: Any, max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES) -> pl.DataFrame:
    where = part.display
    unit = "line" if part.fmt in _LINE_FORMATS else "row"
    text_col = columns.text
    if REASON not in df.columns:
        df = df.with_columns(pl.lit(None, pl.String).alias(REASON), pl.lit(None, pl.String).alias(DETAIL))
    if part.split is not None:
        split_col = columns.split or "split"
        if split_col not in df.columns:
            df = df.with_columns(pl.lit(part.split, pl.String).alias(split_col))
    # typed inputs whose text column is not a string
    if text_col in df.columns and df[text_col].dtype != pl.String:
        bad = df[text_col].is_not_null() & df[REASON].is_null()
        df = df.with_columns(
            _stringify(df[text_col]),
            pl.when(bad).then(pl.lit("non_string_text")).otherwise(pl.col(REASON)).alias(REASON),
            pl.when(bad)
            .then(pl.format(f"{where}, {unit} {{}}: column '{text_col}' is {df[text_col].dtype}, not a string", pl.col(_POS)))
            .otherwise(pl.col(DETAIL)).alias(DETAIL),
        )
    unknown = [c for c in df.columns if c not in schema and c not in (_POS, REASON, DETAIL)]
    if unknown:
        first = df.filter(pl.any_horizontal(pl.col(unknown).is_not_null()))[_POS]
        at = f", {unit} {first[0]}" if len(first) else ""
        raise InputError(
            f"{where}{at}: column(s) {', '.join(unknown)} first appear after {infer_rows} "
            "used to fix the schema (set options.infer_schema_rows: 0 to scan the whole input first)"
        )
    casts = []
    for name, dtype in schema.items():
        if name not in df.columns:
            casts.append(pl.lit(None, dtype).alias(name))
        elif df[name].dtype != dtype:
            if dtype != pl.String and df[name].dtype != pl.Null and not _widens(df[name].dtype, dtype):
                span = f"{df[_POS].min()}-{df[_POS].max()}"
                raise InputError(
                    f"{where}, {unit}s {span}: column '{name}' holds {df[name].dtype} "
                    f"values but was {dtype} in {infer_rows} "
                    "(set options.infer_schema_rows: 0 to scan the whole input first)"
                )
            if dtype == pl.String:
                casts.append(_stringify(df[name]))
            else:
                try:
                    casts.append(df[name].cast(dtype))
                except pl.exceptions.PolarsError as e:
                    raise InputError(
                        f"{where}, {unit}s {df[_POS].min()}-{df[_POS].max()}: column '{name}' holds "
                        f"{df[name].dtype} values that do not fit its type {dtype} ({e}; "
                        "set options.infer_schema_rows: 0 to scan the whole input first)"
                    ) from None
    if casts:
        df = df.with_columns(casts)
    generated = pl.format(f"{part.prefix}:{{}}", pl.col(_POS))
    id_col = columns.id
    if id_created:
        df = df.with_columns(generated.alias(id_col))
    else:
        df = df.with_columns(pl.coalesce(pl.col(id_col), generated).alias(id_col))
    # row checks, first reason wins
    size = pl.col(text_col).str.len_bytes()
    checks: list[tuple[pl.Expr, str, pl.Expr]] = [
        (pl.col(text_col).is_null(), "null_text", pl.lit(f"column '{text_col}' is null")),
    ]
    if max_text_bytes:
        checks.append((size > max_text_bytes, "too_large", pl.format(
            f"column '{text_col}' is {{}} bytes, over reader.max_text_bytes = {max_text_bytes:,}", size)))
    if columns.label and columns.label in schema:
        checks.append((pl.col(columns.label).is_null(), "null_label", pl.lit(f"column '{columns.label}' is null")))
        checks.append((pl.col(columns.label).str.strip_chars() == "", "null_label",
                       pl.lit(f"column '{columns.label}' is empty")))
    # built inside-out, so the first check listed wins
    exprs_r, exprs_d = pl.col(REASON), pl.col(DETAIL)
    for cond, why, msg in reversed(checks):
        exprs_r = pl.when(pl.col(REASON).is_null() & cond).then(pl.lit(why)).otherwise(exprs_r)
        exprs_d = pl.when(pl.col(REASON).is_null() & cond).then(
            pl.format(f"{where}, {unit} {{}}: {{}}", pl.col(_POS), msg)
        ).otherwise(exprs_d)
    df = df.with_columns(exprs_r.alias(REASON), exprs_d.alias(DETAIL))
    order = ([id_col] if id_created else []) + list(schema.names()) + [REASON, DETAIL]
    return df.select(order)


def _sample_description(options: Mapping[str, Any]) -> str:
    """How the schema sample is described in errors: "the first 10000 rows (at most 33,554,432 bytes of JSONL)"."""
    rows = options.get("infer_schema_rows", DEFAULT_INFER_ROWS)
    if not rows:
        return "all rows"
    sample_bytes = options.get("infer_schema_bytes", DEFAULT_INFER_BYTES)
    return f"the first {rows} rows" + (f" (at most {sample_bytes:,} bytes of JSONL)" if sample_bytes else "")


def _widens(src: pl.DataType, dst: pl.DataType) -> bool:
    try:
        sup = pl.concat([pl.DataFrame(schema={"c": dst}), pl.DataFrame(schema={"c": src})], how="vertical_relaxed")
    except Exception:
        return False
    return sup.schema["c"] == dst


# --------------------------------------------------------------------------
# public API


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
    unknown = sorted(set(options) - _KNOWN_OPTIONS)
    if unknown:
        raise InputError(f"unknown reader option(s): {', '.join(unknown)} (known: {', '.join(sorted(_KNOWN_OPTIONS))})")
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
    parts = _resolve(source, options)
    schema = _input_schema(parts, columns, options, batch_size)
    if not schema:
        return
    id_created = columns.id not in schema
    infer_rows = _sample_description(options)
    max_text_bytes = options.get("max_text_bytes", DEFAULT_MAX_TEXT_BYTES)
    for part in parts:
        size = part.path.stat().st_size if part.path is not None else 0
        if part.schema is None:
            if meter is not None:
                meter.advance(size)
            continue
        for raw in _part_batches(part, columns, batch_size, options):
            if meter is not None:
                meter.at(_position(part, raw, size))
            if raw.height == 0:
                continue
            df = _finish(raw, part, schema, columns, id_created, infer_rows, max_text_bytes)
            if strict:
                bad = df.filter(pl.col(REASON).is_not_null())
                if bad.height:
                    raise InputError(bad[DETAIL][0])
            yield df
        part.handle = None
        if meter is not None:
            meter.advance(size)


def _position(part: _Part, raw: pl.DataFrame, size: int) -> int:
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
        return int(size * min(1.0, (int(raw[_POS].max()) + 1) / max(part.rows, 1)))
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
