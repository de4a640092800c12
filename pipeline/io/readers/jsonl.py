"""JSON lines (``.jsonl``, ``.ndjson``, ``.json``).

A batch of JSON lines is read as one block of raw bytes cut at a line end (a
JSON string cannot hold a raw newline, so every b"\n" ends a record) and
handed to ``pl.read_ndjson`` in one call: no per-line Python, no decoding to
Python strings. polars rejects invalid UTF-8 and malformed JSON for the
whole block; only then is that block read again line by line
(:func:`parse_jsonl`), which names the bad lines. Results are the same
either way.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import polars as pl

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.readers.sources import DETAIL, POS, Part, REASON
from corpus_sieve.pipeline.io.readers.records import LineCtx, bad_frame, decode, line_ctx, max_batch_bytes, open_binary, stringify


def parse_jsonl(recs, ctx: LineCtx) -> pl.DataFrame:
    where = ctx.part.display
    text_col = ctx.columns.text
    bad: list[tuple[int, str, str, str]] = []
    good = decode(recs, ctx, bad)
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
    df = df.with_columns(pl.Series(POS, [g[0] for g in good], dtype=pl.Int64))
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
        df = pl.concat([df, bad_frame(text_col, bad)], how="diagonal_relaxed").sort(POS)
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

def _flag_json_text(df: pl.DataFrame, lines: list[str], ctx: LineCtx) -> pl.DataFrame:
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
            n = df[POS][i]
            reasons[i] = "non_string_text"
            details[i] = f"{where}, line {n}: column '{text_col}' is a JSON {kind}, not a string"
    if text_col in df.columns:
        absent = (df[text_col].is_null() & ~raw.str.contains(key, literal=True)).arg_true().to_list()
    else:
        absent = list(range(len(lines)))
    for i in absent:
        reasons[i] = "missing_column"
        details[i] = f"{where}, line {df[POS][i]}: no '{text_col}' key"
    if text_col in df.columns and df[text_col].dtype != pl.String:
        df = df.with_columns(stringify(df[text_col]))
    return df.with_columns(
        pl.Series(REASON, reasons, dtype=pl.String), pl.Series(DETAIL, details, dtype=pl.String)
    )

_ASCII_WS = (9, 11, 12, 13, 32)  # what bytes.strip() removes, besides b"\n"

@dataclass
class _LineTable:
    """Lines of a byte buffer: ``ends[i]`` is one past line i's b"\\n" (or the buffer end)."""

    ends: Any  # numpy int64
    records: Any  # numpy bool: the line is not blank (``records`` skips blank lines)

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
    """For each line ``buf[starts[i]:ends[i]]``: is it a record (not blank, as ``records`` decides)?"""
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
class Block:
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

def jsonl_blocks(fh, max_records: int, max_bytes: int, limit: int | None = None,
                  line: int = 1, offset: int = 0) -> Iterator[Block]:
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
        block = Block(line, data, table, offset + len(data), truncated=cap < max_records and records == cap)
        line, offset = block.next_line, block.end_offset
        yield block

def parse_jsonl_block(block: Block, ctx: LineCtx) -> pl.DataFrame:
    """A block as :func:`parse_jsonl` would give it, in one polars call when the block is clean."""
    df = _fast_jsonl(block, ctx)
    if df is not None:
        return df
    return parse_jsonl(_block_records(block), ctx)

def _block_records(block: Block) -> list[tuple[int, bytes, str | None]]:
    """The block as ``records`` gives a file: (line number, line without b"\\r\\n", None), blank lines skipped."""
    data, ends = block.data, block.lines.ends.tolist()
    starts = [0] + ends[:-1]
    return [(block.first_line + i, data[starts[i]:ends[i]].rstrip(b"\r\n"), None)
            for i in block.lines.records.nonzero()[0].tolist()]

def _fast_jsonl(block: Block, ctx: LineCtx) -> pl.DataFrame | None:
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
    # be empty or a lone "\r": then polars sees exactly the lines records would give it
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
        pos = pl.int_range(block.first_line, block.first_line + n, dtype=pl.Int64, eager=True).alias(POS)
    else:
        pos = pl.Series(POS, block.first_line + np.flatnonzero(records), dtype=pl.Int64)
    df = df.with_columns(pos)

    def line(i: int) -> bytes:
        return data[int(rec_starts[i]):int(rec_ends[i])].rstrip(b"\r\n")

    text_col = ctx.columns.text
    nested = [c for c, t in df.schema.items() if t.is_nested() and c != text_col]
    if nested:
        # as in parse_jsonl: lists/objects are kept as their JSON text
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
    parse's (whose columns :func:`finish` puts in the schema's order).
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

def _flag_json_block(df: pl.DataFrame, line, ctx: LineCtx) -> pl.DataFrame:
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
                flagged[i] = ("non_string_text", f"{where}, line {df[POS][i]}: column '{text_col}' is a JSON {kind}, not a string")
        absent = [i for i in text.is_null().arg_true().to_list() if key not in line(i)]
    else:
        absent = list(range(df.height))
    for i in absent:
        flagged[i] = ("missing_column", f"{where}, line {df[POS][i]}: no '{text_col}' key")
    if text_col in df.columns and df[text_col].dtype != pl.String:
        df = df.with_columns(stringify(df[text_col]))
    if not flagged:
        return df.with_columns(pl.lit(None, pl.String).alias(REASON), pl.lit(None, pl.String).alias(DETAIL))
    reasons: list[str | None] = [None] * df.height
    details: list[str | None] = [None] * df.height
    for i, (why, msg) in flagged.items():
        reasons[i], details[i] = why, msg
    return df.with_columns(pl.Series(REASON, reasons, dtype=pl.String), pl.Series(DETAIL, details, dtype=pl.String))

def jsonl_frames(part: Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any],
                  limit: int | None = None, start: tuple[int, int] = (1, 0)) -> Iterator[tuple[Block, pl.DataFrame]]:
    """``(block, raw batch)`` of a JSONL file, from line/offset ``start`` (a block boundary)."""
    assert part.path is not None
    ctx = line_ctx(part, columns, options)
    line, offset = start
    with open_binary(part.path) as fh:
        part.handle = fh
        try:
            if offset:
                fh.seek(offset)
            for block in jsonl_blocks(fh, batch_size, max_batch_bytes(options), limit, line, offset):
                yield block, parse_jsonl_block(block, ctx)
        finally:
            part.handle = None  # a part travels to Ray workers: no file in it
