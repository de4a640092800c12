"""What the deduplication stages did, read back from a finished run's rejected rows.

Rows a dedup stage rejects name the row they duplicate (``duplicate_of``).
From them, once the run is written, each such stage's entry in ``stats.json``
gets its clusters (how many, how large), and each of its examples in
``examples.json`` the text of the row it duplicates, so a person sees the
pair. Both engines call :func:`describe_duplicates` on the same outputs, so
the figures do not depend on how the run was scheduled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from corpus_sieve.pipeline.run.examples import cut

__all__ = ["describe_duplicates"]


def describe_duplicates(kept_path: Path, rejected_path: Path, stats: dict[str, Any], examples: dict[str, Any],
                        id_column: str, text_column: str) -> None:
    """Add ``clusters`` to the stats of every stage that rejected duplicates, and ``duplicate_text`` to
    their examples (in place)."""
    if not Path(rejected_path).exists():
        return
    rejected = pl.scan_parquet(rejected_path)
    if "duplicate_of" not in rejected.collect_schema().names():
        return
    sizes = (rejected.filter(pl.col("duplicate_of").is_not_null())
             .group_by("stage", "duplicate_of").agg(pl.len().alias("removed"))
             .group_by("stage").agg(pl.len().alias("clusters"), pl.col("removed").sum().alias("rows_removed"),
                                    (pl.col("removed").max() + 1).alias("largest"),
                                    (pl.col("removed") + 1).value_counts(sort=False).alias("sizes"))
             .collect())
    by_stage = {row["stage"]: row for row in sizes.iter_rows(named=True)}
    for stage in stats.get("stages", []):
        found = by_stage.get(stage["stage"])
        if found is not None:
            histogram = sorted((entry["removed"], entry["count"]) for entry in found["sizes"])
            stage["clusters"] = {"clusters": found["clusters"], "rows_removed": found["rows_removed"],
                                 "largest": found["largest"], "sizes": {str(size): n for size, n in histogram}}
    wanted = {e["duplicate_of"] for s in examples.get("stages", []) for e in s.get("examples", []) if e.get("duplicate_of")}
    if not wanted:
        return
    texts: dict[str, str] = {}
    for path in (kept_path, rejected_path):
        if Path(path).exists() and id_column in pl.scan_parquet(path).collect_schema().names():
            frame = (pl.scan_parquet(path).select(pl.col(id_column).cast(pl.String).alias("id"),
                                                   pl.col(text_column).alias("text"))
                     .filter(pl.col("id").is_in(list(wanted))).collect())
            for row_id, text in frame.iter_rows():
                texts.setdefault(row_id, text)
    for s in examples.get("stages", []):
        for e in s.get("examples", []):
            if e.get("duplicate_of") in texts:
                e["duplicate_text"] = cut(texts[e["duplicate_of"]])
