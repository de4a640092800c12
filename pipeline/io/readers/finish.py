"""Finishing a batch: the input's schema, ids, and the row checks (null text, text too long, ...)."""

from __future__ import annotations

from typing import Any, Mapping

import polars as pl

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.io.readers.sources import DEFAULT_INFER_BYTES, DEFAULT_INFER_ROWS, DEFAULT_MAX_TEXT_BYTES, DETAIL, InputError, LINE_FORMATS, POS, Part, REASON
from corpus_sieve.pipeline.io.readers.records import stringify


def finish(df: pl.DataFrame, part: Part, schema: pl.Schema, columns: ColumnMap,
            id_created: bool, infer_rows: Any, max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES) -> pl.DataFrame:
    where = part.display
    unit = "line" if part.fmt in LINE_FORMATS else "row"
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
            stringify(df[text_col]),
            pl.when(bad).then(pl.lit("non_string_text")).otherwise(pl.col(REASON)).alias(REASON),
            pl.when(bad)
            .then(pl.format(f"{where}, {unit} {{}}: column '{text_col}' is {df[text_col].dtype}, not a string", pl.col(POS)))
            .otherwise(pl.col(DETAIL)).alias(DETAIL),
        )
    unknown = [c for c in df.columns if c not in schema and c not in (POS, REASON, DETAIL)]
    if unknown:
        first = df.filter(pl.any_horizontal(pl.col(unknown).is_not_null()))[POS]
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
                span = f"{df[POS].min()}-{df[POS].max()}"
                raise InputError(
                    f"{where}, {unit}s {span}: column '{name}' holds {df[name].dtype} "
                    f"values but was {dtype} in {infer_rows} "
                    "(set options.infer_schema_rows: 0 to scan the whole input first)"
                )
            if dtype == pl.String:
                casts.append(stringify(df[name]))
            else:
                try:
                    casts.append(df[name].cast(dtype))
                except pl.exceptions.PolarsError as e:
                    raise InputError(
                        f"{where}, {unit}s {df[POS].min()}-{df[POS].max()}: column '{name}' holds "
                        f"{df[name].dtype} values that do not fit its type {dtype} ({e}; "
                        "set options.infer_schema_rows: 0 to scan the whole input first)"
                    ) from None
    if casts:
        df = df.with_columns(casts)
    generated = pl.format(f"{part.prefix}:{{}}", pl.col(POS))
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
            pl.format(f"{where}, {unit} {{}}: {{}}", pl.col(POS), msg)
        ).otherwise(exprs_d)
    df = df.with_columns(exprs_r.alias(REASON), exprs_d.alias(DETAIL))
    order = ([id_col] if id_created else []) + list(schema.names()) + [REASON, DETAIL]
    return df.select(order)


def sample_description(options: Mapping[str, Any]) -> str:
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
