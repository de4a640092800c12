"""Examples of what each stage did, for people to read ("be obsessed with your data").

Per transform: the rows it changed most (largest length change, before/after).
Per check: the first rows it rejected for each reason (text at rejection), and
for a check that also rewrites the rows it keeps (``c4_quality``) the rows it
changed most, as for a transform.
Only ``k`` examples per stage (per reason for checks) are kept while
streaming, and ties break by input position, so the choice does not depend on
the batch size.
"""

from __future__ import annotations

from typing import Any

import polars as pl

MAX_CHARS = 400


def cut(text: Any, limit: int = MAX_CHARS) -> Any:
    """``text`` shortened to ``limit`` characters, marking the cut."""
    if not isinstance(text, str) or len(text) <= limit:
        return text
    return text[:limit] + f"… [{len(text) - limit} more chars]"


class ExampleCollector:
    """Keeps the best ``k`` examples per stage while batches stream by."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._items: dict[int, list[tuple[tuple, dict[str, Any]]]] = {}
        self._meta: dict[int, tuple[str, str]] = {}

    def register(self, index: int, name: str, kind: str) -> None:
        self._meta[index] = (name, kind)
        self._items.setdefault(index, [])

    def snapshot(self) -> dict[int, list[tuple[tuple, dict[str, Any]]]]:
        """The examples kept so far, per stage index (for a checkpoint, or to ship from a worker)."""
        return {index: list(items) for index, items in self._items.items() if items}

    def merge(self, snapshot: dict[int, list[tuple[tuple, dict[str, Any]]]]) -> None:
        """Add another collector's :meth:`snapshot`: the best ``k`` of both are kept, as if one collector saw all rows."""
        for index, items in snapshot.items():
            self._merge(index, [(tuple(key), rec) for key, rec in items], per_reason=self._meta[index][1] != "transform")

    def restore(self, snapshot: dict[int, list[tuple[tuple, dict[str, Any]]]]) -> None:
        """Replace the examples of the stages in ``snapshot`` (a resumed run's checkpoint)."""
        for index, items in snapshot.items():
            self._items[index] = [(tuple(key), rec) for key, rec in items]

    def _merge(self, index: int, items: list[tuple[tuple, dict[str, Any]]], per_reason: bool) -> None:
        merged = sorted(self._items[index] + items, key=lambda kv: kv[0])
        if per_reason:
            counts: dict[str, int] = {}
            keep = []
            for key, rec in merged:
                n = counts.get(rec.get("reason"), 0)  # a check's changed rows have no reason: one more group
                if n < self.k:
                    keep.append((key, rec))
                    counts[rec.get("reason")] = n + 1
            self._items[index] = keep
        else:
            self._items[index] = merged[: self.k]

    def add_changed_rows(self, index: int, frame: pl.DataFrame) -> None:
        """Record the rows a transform changed most; ``frame`` holds only changed rows (seq, id, domain, label, before, after)."""
        if self.k == 0 or frame.height == 0:
            return
        frame = frame.with_columns(
            (pl.col("before").str.len_chars().cast(pl.Int64) - pl.col("after").str.len_chars().cast(pl.Int64)).alias("removed")
        )
        top = frame.sort([pl.col("removed").abs(), pl.col("seq")], descending=[True, False]).head(self.k)
        check = self._meta[index][1] != "transform"
        lead = ("",) if check else ()  # a check's keys start with the reason: "" sorts its changes apart
        items = [
            ((*lead, -abs(r["removed"] or 0), r["seq"]),
             {"id": r["id"], "domain": r["domain"], "label": r["label"], "chars_removed": r["removed"],
              "before": cut(r["before"]), "after": cut(r["after"])})
            for r in top.iter_rows(named=True)
        ]
        self._merge(index, items, per_reason=check)

    def add_rejections(self, index: int, frame: pl.DataFrame) -> None:
        """Record rejected rows; ``frame`` has seq, id, domain, label, reason, text, detail, duplicate_of."""
        if self.k == 0 or frame.height == 0:
            return
        top = frame.sort("seq").group_by("reason", maintain_order=True).head(self.k)
        items = []
        for r in top.iter_rows(named=True):
            rec = {"id": r["id"], "domain": r["domain"], "label": r["label"], "reason": r["reason"], "text": cut(r["text"])}
            if r.get("detail") is not None:
                rec["detail"] = r["detail"]
            if r.get("duplicate_of") is not None:
                rec["duplicate_of"] = r["duplicate_of"]
            items.append(((r["reason"], r["seq"]), rec))
        self._merge(index, items, per_reason=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "examples_per_rule": self.k,
            "stages": [
                {"stage": self._meta[i][0], "index": i, "kind": self._meta[i][1], "examples": [rec for _, rec in items]}
                for i, items in sorted(self._items.items())
            ],
        }
