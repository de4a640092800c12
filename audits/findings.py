"""The audit data model: findings, severities, the verdict.

``audit.json`` is ``{"verdict": ..., "findings": [Finding.to_json(), ...]}``;
the key set of a finding is a stable contract that programs rely on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["info", "warn", "error"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warn": 1, "error": 2}
CHECK_IDS: tuple[str, ...] = (
    "label_balance",
    "domain_confounding",
    "token_shortcut",
    "property_shortcut",
    "text_free_baseline",
    "duplicates",
    "conflicting_labels",
    "split_leakage",
    "rule_retention",
    "label_issues",
)


@dataclass
class Example:
    id: str
    text: str
    label: str | None
    domain: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "label": self.label, "domain": self.domain}


@dataclass
class Finding:
    """One thing an audit check found.

    ``statistic`` maps statistic names to numbers (the effect size first, by
    convention ``effect``; thresholds as ``threshold_*``). ``rows`` is the
    number of rows affected. ``feature`` is the token, n-gram or property name.
    """

    check: str
    severity: Severity
    message: str
    domain: str | None = None
    label: str | None = None
    split: str | None = None
    feature: str | None = None
    statistic: dict[str, float] = field(default_factory=dict)
    rows: int = 0
    examples: list[Example] = field(default_factory=list)
    #: free-form, for the HTML report (why it matters / what to do); also in JSON
    advice: str | None = None
    #: what kind of thing ``feature`` is (token_shortcut: ``named_entity``, ``ordinary_word``...;
    #: property_shortcut: ``markup``, ``encoding``...), for ranking actions
    tag: str | None = None
    #: ids of affected rows (for flags.parquet); not serialised in full
    row_ids: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self.check not in CHECK_IDS:
            raise ValueError(f"unknown check id {self.check!r}")
        if self.severity not in SEVERITY_RANK:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def effect(self) -> float:
        v = self.statistic.get("effect", 0.0)
        return 0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else abs(float(v))

    def to_json(self) -> dict[str, Any]:
        def num(v: Any) -> Any:
            if v is None:
                return None
            f = float(v)
            if math.isnan(f) or math.isinf(f):
                return None
            return int(f) if isinstance(v, (int, bool)) or (f.is_integer() and abs(f) < 2**53 and not isinstance(v, float)) else f

        return {
            "check": self.check,
            "severity": self.severity,
            "domain": self.domain,
            "label": self.label,
            "split": self.split,
            "feature": self.feature,
            "tag": self.tag,
            "statistic": {k: num(v) for k, v in self.statistic.items()},
            "rows": int(self.rows),
            "message": self.message,
            "examples": [e.to_json() for e in self.examples],
            "advice": self.advice,
        }


def verdict(findings: list[Finding]) -> Literal["pass", "warn", "fail"]:
    """``fail`` if any error, ``warn`` if any warning, else ``pass``."""
    worst = max((SEVERITY_RANK[f.severity] for f in findings), default=0)
    return {0: "pass", 1: "warn", 2: "fail"}[worst]


def ordered(findings: list[Finding]) -> list[Finding]:
    """Severity first (errors on top), then effect size, largest first."""
    return sorted(findings, key=lambda f: (-SEVERITY_RANK[f.severity], -f.effect, f.check))
