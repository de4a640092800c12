"""One schema for the whole input: sampled from the first rows of every part, widened where they differ."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

import polars as pl

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.readers.sources import DEFAULT_INFER_BYTES, DEFAULT_INFER_ROWS, DETAIL, InputError, POS, Part, REASON
from corpus_sieve.pipeline.io.readers.batches import raw_batches
from corpus_sieve.pipeline.io.readers.delimited import header
from corpus_sieve.pipeline.io.readers.jsonl import jsonl_frames
from corpus_sieve.pipeline.io.readers.records import line_ctx, max_batch_bytes, open_binary, records

#: the schema pass keeps the JSONL batches it parsed, up to this many times
#: ``max_batch_bytes`` of input, for the reading pass to use instead of parsing them again
SCHEMA_CACHE_BATCHES = 8


#: integer types Parquet and Arrow cannot write (JSON numbers beyond 64 bits): such columns are kept as text
_UNWRITABLE = tuple(t for t in (getattr(pl, "Int128", None), getattr(pl, "UInt128", None)) if t is not None)


def _data_schema(df: pl.DataFrame) -> pl.Schema:
    """The input's columns and types, as the outputs will hold them (a 128-bit integer column becomes
    a string column, so that its values are written exactly)."""
    return pl.Schema({c: (pl.String if t in _UNWRITABLE else t) for c, t in df.schema.items()
                      if c not in (POS, REASON, DETAIL)})


def _part_schema(part: Part, columns: ColumnMap, options: Mapping[str, Any],
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
        frames = raw_batches(part, columns, max(1, min(limit or 10_000, 10_000)), options, limit)
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


def _cached_frames(part: Part, columns: ColumnMap, batch_size: int, options: Mapping[str, Any],
                   limit: int | None, budget: list[int], sample_bytes: int | None = None) -> Iterator[pl.DataFrame]:
    """The schema sample of a JSONL part (``limit`` records, whole batches up to ``sample_bytes``);
    its leading whole batches go to ``part.cache``."""
    assert part.cache is not None
    keeping = True
    for block, df in jsonl_frames(part, columns, batch_size, options, limit):
        keeping = keeping and not block.truncated and len(block.data) <= budget[0]
        if keeping:
            part.cache.append(df)
            part.resume = (block.next_line, block.end_offset)
            budget[0] -= len(block.data)
        yield df
        if sample_bytes is not None and block.end_offset >= sample_bytes:
            return


def _delimited_names(part: Part, columns: ColumnMap, options: Mapping[str, Any]) -> list[str] | None:
    """Column names of a CSV/TSV file that has a header but no rows."""
    assert part.path is not None
    if not options.get("has_header", True):
        return None
    ctx = line_ctx(part, columns, options)
    with open_binary(part.path) as fh:
        return header(records(fh, ctx.quote.encode() if ctx.quote else None), ctx, options)


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

    names = [c for c in available if c not in (POS, REASON, DETAIL)]
    cols = ", ".join(names) or "none"
    from corpus_sieve.filters.suggest import did_you_mean

    hint = did_you_mean(col, names)
    hint = f"; {hint}" if hint else ""
    return InputError(f"missing column '{col}' in {where} (columns: {cols}; set columns.text in the recipe{hint})")


def input_schema(parts: list[Part], columns: ColumnMap, options: Mapping[str, Any],
                  batch_size: int | None = None) -> pl.Schema:
    """One schema for all parts; with ``batch_size``, JSONL parts keep their sampled batches (``part.cache``)."""
    frames = []
    budget = [SCHEMA_CACHE_BATCHES * max_batch_bytes(options)]
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
