"""Which rows changed fate between two runs, matched by id (``sieve runs compare``).

For runs A and B of the same input with different recipes: rows kept in A and
rejected in B (with B's reason), rejected in A and kept in B (with A's reason),
and kept in both with a different text. Read lazily from the runs' parquet
files (only the id, text and reason columns), so large runs compare in bounded
memory; the samples are a fixed pseudo-random choice (by a hash of the id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

__all__ = ["Fates", "changed_fates"]


@dataclass
class Fates:
    """Counts and samples of the rows whose fate differs (B relative to A)."""

    kept_then_rejected: int = 0
    rejected_then_kept: int = 0
    text_changed: int = 0
    only_in_a: int = 0
    only_in_b: int = 0
    #: (stage, reason) -> rows, for kept in A and rejected in B (B's reason) and the reverse (A's reason)
    newly_rejected_by: dict[tuple[str, str], int] = field(default_factory=dict)
    newly_kept_from: dict[tuple[str, str], int] = field(default_factory=dict)
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _columns(run: Path) -> tuple[str, str]:
    import json

    try:
        columns = json.loads((run / "recipe.json").read_text(encoding="utf-8")).get("columns") or {}
    except (OSError, ValueError):
        columns = {}
    return columns.get("id") or "id", columns.get("text") or "text"


def changed_fates(a: str | Path, b: str | Path, sample: int = 30) -> Fates:
    """The rows whose fate differs between finished runs ``a`` and ``b``; ``sample`` rows of each kind."""
    a, b = Path(a), Path(b)
    (id_a, text_a), (id_b, text_b) = _columns(a), _columns(b)

    def kept(run: Path, id_col: str, text_col: str) -> pl.LazyFrame:
        return pl.scan_parquet(run / "kept.parquet").select(pl.col(id_col).cast(pl.String).alias("id"),
                                                            pl.col(text_col).alias("text"))

    def rejected(run: Path, id_col: str, text_col: str) -> pl.LazyFrame:
        return pl.scan_parquet(run / "rejected.parquet").select(
            pl.col(id_col).cast(pl.String).alias("id"), pl.col(text_col).alias("text"),
            "stage", "reason", "detail", pl.col("cleaned_text"))

    ka, ra = kept(a, id_a, text_a), rejected(a, id_a, text_a)
    kb, rb = kept(b, id_b, text_b), rejected(b, id_b, text_b)
    order = pl.col("id").hash(0)

    kept_then_rejected = ka.join(rb, on="id", how="inner", suffix="_b")
    rejected_then_kept = ra.join(kb, on="id", how="inner", suffix="_b")
    text_changed = ka.join(kb, on="id", how="inner", suffix="_b").filter(pl.col("text").ne_missing(pl.col("text_b")))
    ids_a = pl.concat([ka.select("id"), ra.select("id")])
    ids_b = pl.concat([kb.select("id"), rb.select("id")])

    def count(frame: pl.LazyFrame) -> int:
        return int(frame.select(pl.len()).collect().item())

    def by_reason(frame: pl.LazyFrame) -> dict[tuple[str, str], int]:
        counts = frame.group_by("stage", "reason").len().sort("len", "stage", "reason", descending=[True, False, False])
        return {(s, r): n for s, r, n in counts.collect().iter_rows()}

    def pick(frame: pl.LazyFrame, *columns: Any) -> list[dict[str, Any]]:
        """``sample`` rows (only they are read with their texts), the same ones every time."""
        return frame.sort(order).head(sample).select(*columns).collect().to_dicts() if sample else []

    newly_rejected_by, newly_kept_from = by_reason(kept_then_rejected), by_reason(rejected_then_kept)
    return Fates(
        kept_then_rejected=sum(newly_rejected_by.values()),
        rejected_then_kept=sum(newly_kept_from.values()),
        text_changed=count(text_changed),
        only_in_a=count(ids_a.join(ids_b, on="id", how="anti")),
        only_in_b=count(ids_b.join(ids_a, on="id", how="anti")),
        newly_rejected_by=newly_rejected_by,
        newly_kept_from=newly_kept_from,
        samples={
            "kept_then_rejected": pick(kept_then_rejected, "id", pl.col("text").alias("text_a"), "stage", "reason", "detail"),
            "rejected_then_kept": pick(rejected_then_kept, "id", "text_b", "stage", "reason", "detail"),
            "text_changed": pick(text_changed, "id", pl.col("text").alias("text_a"), "text_b"),
        },
    )
