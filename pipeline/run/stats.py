"""Run statistics: what every stage did, per domain and label.

Counts are accumulated batch by batch (polars ``group_by`` per batch, Python
dicts across batches), so memory does not grow with the corpus. Besides the
plain counts, :func:`label_skew` finds stages whose rejection rate differs
between the labels of a domain: a rule that drops one label more than the
other manufactures a shortcut for the classifier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import polars as pl

READ_STAGE = "read"
READ_INDEX = -1

#: flag a stage when rejection rates of two labels in a domain differ by more than this
DEFAULT_SKEW_THRESHOLD = 0.10
#: ... and both labels had at least this many rows at that stage
DEFAULT_SKEW_MIN_ROWS = 20


@dataclass
class Counts:
    rows_in: int = 0
    rows_changed: int = 0
    rows_rejected: int = 0
    chars_removed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        self.rows_in += other.rows_in
        self.rows_changed += other.rows_changed
        self.rows_rejected += other.rows_rejected
        self.chars_removed += other.chars_removed
        for r, n in other.reasons.items():
            self.reasons[r] = self.reasons.get(r, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_in": self.rows_in,
            "rows_changed": self.rows_changed,
            "rows_rejected": self.rows_rejected,
            "chars_removed": self.chars_removed,
            "reasons": dict(sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


@dataclass(frozen=True)
class StageInfo:
    name: str
    index: int
    kind: str  # "read" | "transform" | "check"
    filter: str | None = None


def _key(value: Any) -> tuple[bool, str]:
    return (value is not None, "" if value is None else str(value))


class RunStats:
    """Accumulates per stage x domain x label counts, input/kept per group and timings."""

    def __init__(self, stages: Iterable[StageInfo]) -> None:
        self.stages = [StageInfo(READ_STAGE, READ_INDEX, "read"), *stages]
        self._by_index = {s.index: s for s in self.stages}
        self.groups: dict[int, dict[tuple[str | None, str | None], Counts]] = {s.index: {} for s in self.stages}
        self.seconds: dict[int, float] = {s.index: 0.0 for s in self.stages}
        self.input: dict[tuple[str | None, str | None], int] = {}
        self.kept: dict[tuple[str | None, str | None], int] = {}

    # -- recording (one call per batch) ----------------------------------------------------
    def _counts(self, index: int, domain: str | None, label: str | None) -> Counts:
        return self.groups[index].setdefault((domain, label), Counts())

    def add_time(self, index: int, seconds: float) -> None:
        self.seconds[index] += seconds

    # A batch's rows only change at checks, so the batch loop counts its domain x label
    # groups once and updates them with the rejections; transforms and checks then
    # group only the rows they changed or rejected (usually few or none).
    def record_input_groups(self, groups: dict[tuple[Any, Any], int]) -> None:
        for key, n in groups.items():
            self.input[key] = self.input.get(key, 0) + n

    def record_kept_groups(self, groups: dict[tuple[Any, Any], int]) -> None:
        for key, n in groups.items():
            self.kept[key] = self.kept.get(key, 0) + n

    def record_rows(self, index: int, groups: dict[tuple[Any, Any], int]) -> None:
        """``rows_in`` of stage ``index``: ``groups`` maps (domain, label) to a row count."""
        for (d, l), n in groups.items():
            self._counts(index, d, l).rows_in += n

    def record_changes(self, index: int, changed: pl.DataFrame) -> None:
        """Changed rows of a transform: ``changed`` has d, l, before, after (only rows that differ)."""
        if changed.height == 0:
            return
        agg = changed.group_by("d", "l").agg(
            pl.len().alias("n"),
            (pl.col("before").str.len_chars().fill_null(0).cast(pl.Int64)
             - pl.col("after").str.len_chars().fill_null(0).cast(pl.Int64)).sum().alias("delta"),
        )
        for d, l, n, delta in agg.iter_rows():
            c = self._counts(index, d, l)
            c.rows_changed += n
            c.chars_removed += int(delta)

    def record_rejections(self, index: int, rejected: pl.DataFrame) -> dict[tuple[Any, Any], int]:
        """Rejected rows of a check: ``rejected`` has d, l, r (non-null reasons only); rows per group."""
        removed: dict[tuple[Any, Any], int] = {}
        if rejected.height == 0:
            return removed
        for d, l, r, n in rejected.group_by("d", "l", "r").agg(pl.len()).iter_rows():
            c = self._counts(index, d, l)
            c.rows_rejected += n
            c.reasons[r] = c.reasons.get(r, 0) + n
            removed[(d, l)] = removed.get((d, l), 0) + n
        return removed

    # -- partial statistics of a worker ----------------------------------------------------------
    def partial(self) -> dict[str, Any]:
        """What this collector counted, to ship from a worker and :meth:`merge` on the driver."""
        return {
            "groups": {i: g for i, g in self.groups.items() if g},
            "seconds": {i: s for i, s in self.seconds.items() if s},
            "input": dict(self.input),
            "kept": dict(self.kept),
        }

    def merge(self, partial: dict[str, Any]) -> None:
        """Add a worker's :meth:`partial`: counts and seconds are summed."""
        for index, groups in partial["groups"].items():
            for key, counts in groups.items():
                self.groups[index].setdefault(key, Counts()).add(counts)
        for index, seconds in partial["seconds"].items():
            self.seconds[index] += seconds
        for key, n in partial["input"].items():
            self.input[key] = self.input.get(key, 0) + n
        for key, n in partial["kept"].items():
            self.kept[key] = self.kept.get(key, 0) + n

    # -- reporting --------------------------------------------------------------------------
    @property
    def total_input(self) -> int:
        return sum(self.input.values())

    @property
    def total_kept(self) -> int:
        return sum(self.kept.values())

    def stage_totals(self) -> list[dict[str, Any]]:
        out = []
        for s in self.stages:
            total = Counts()
            for c in self.groups[s.index].values():
                total.add(c)
            out.append({"stage": s.name, "index": s.index, "kind": s.kind, "filter": s.filter,
                        "seconds": round(self.seconds[s.index], 6), **total.as_dict()})
        return out

    def by_group(self) -> list[dict[str, Any]]:
        out = []
        for s in self.stages:
            for (d, l), c in sorted(self.groups[s.index].items(), key=lambda kv: (_key(kv[0][0]), _key(kv[0][1]))):
                out.append({"stage": s.name, "index": s.index, "domain": d, "label": l, **c.as_dict()})
        return out

    def retention(self) -> list[dict[str, Any]]:
        out = []
        for (d, l) in sorted(self.input, key=lambda k: (_key(k[0]), _key(k[1]))):
            n = self.input[(d, l)]
            k = self.kept.get((d, l), 0)
            out.append({"domain": d, "label": l, "input": n, "kept": k, "retention": round(k / n, 6) if n else 0.0})
        return out

    def label_skew(self, threshold: float = DEFAULT_SKEW_THRESHOLD, min_rows: int = DEFAULT_SKEW_MIN_ROWS) -> list[dict[str, Any]]:
        """Stages whose rejection rate differs between labels of one domain by more than ``threshold``."""
        flags = []
        for s in self.stages:
            if s.kind == "transform":
                continue
            by_domain: dict[str | None, dict[str | None, Counts]] = {}
            for (d, l), c in self.groups[s.index].items():
                if l is not None and c.rows_in >= min_rows:
                    by_domain.setdefault(d, {})[l] = c
            for d in sorted(by_domain, key=_key):
                labels = by_domain[d]
                if len(labels) < 2:
                    continue
                rates = {l: labels[l].rows_rejected / labels[l].rows_in for l in sorted(labels, key=_key)}
                spread = max(rates.values()) - min(rates.values())
                if spread > threshold:
                    flags.append({
                        "stage": s.name, "index": s.index, "domain": d,
                        "rejection_rate": {l: round(r, 4) for l, r in rates.items()},
                        "rows_in": {l: labels[l].rows_in for l in rates},
                        "spread": round(spread, 4),
                    })
        return flags

    def to_dict(self, run_id: str, version: str, seconds: float, kept: int, rejected: int, accounted: bool,
                skew_threshold: float = DEFAULT_SKEW_THRESHOLD) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "version": version,
            "totals": {"input": self.total_input, "kept": kept, "rejected": rejected,
                       "accounted": accounted, "seconds": round(seconds, 6)},
            "stages": self.stage_totals(),
            "by_group": self.by_group(),
            "retention": self.retention(),
            "label_skew": {"threshold": skew_threshold, "min_rows": DEFAULT_SKEW_MIN_ROWS,
                           "flagged": self.label_skew(skew_threshold)},
        }


def group_counts(domain: pl.Series, label: pl.Series) -> dict[tuple[Any, Any], int]:
    """Rows per (domain, label) value pair."""
    return {(d, l): n for d, l, n in _group_len(domain, label)}


def _group_len(domain: pl.Series, label: pl.Series) -> list[tuple[Any, Any, int]]:
    frame = pl.DataFrame({"d": domain, "l": label})
    return list(frame.group_by("d", "l").agg(pl.len()).iter_rows())
