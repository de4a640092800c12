"""From findings to actions: what to fix first, and what is only the label's own vocabulary.

Every warning or error becomes an action ranked by its expected impact on a
trained model:

    impact = severity weight (error 3, warn 1) x strength x rows affected

where strength is the finding's effect size (clipped to 0.05..1; 1 for
checks without one), the part of a finding that says how strongly a model
could lean on it. Rows say how much of the training signal it touches.

Token shortcuts are split by what the token is. Artifacts (named entities,
numbers and dates, URLs, markup, boilerplate, words that sit at the very start
or end of the texts that hold them, like an agency's ``(Lusa)``, and ordinary
words that predict the label in one domain but not in the others that use them
as often) are
traces of where a text came from: actions. Ordinary words that predict the
label wherever they occur are what the label means ("awful" in a negative
review): they are listed apart, as *label vocabulary*, and never proposed for
removal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import re

import polars as pl

from corpus_sieve.audits.base import DOMAIN, TEXT

if TYPE_CHECKING:
    from corpus_sieve.audits.findings import Finding
    from corpus_sieve.audits.runner import AuditResult

__all__ = ["actions", "classify"]

_WEIGHT = {"error": 3.0, "warn": 1.0}
#: an ordinary word is domain-specific when every other domain using it this often shows less skew than this
_SAME_ELSEWHERE = 0.1
#: characters at each end of a text where a signature sits, and the share of its texts that have it there
_EDGE, _AT_EDGES = 25, 0.8
_DATA_TITLES = {
    "duplicates": "Remove duplicate rows",
    "conflicting_labels": "Drop duplicates that carry different labels",
    "split_leakage": "Remove near-duplicates of the training split from the evaluation splits",
    "label_balance": "Rebalance the labels",
    "domain_confounding": "Break the tie between domain (or source) and label",
    "text_free_baseline": "Remove what lets a model guess the label without the words",
    "rule_retention": "Make cleaning remove rows evenly across labels",
    "label_issues": "Check the labels a model confidently disputes",
}


def classify(finding: Finding, tokens: pl.DataFrame | None = None, frame: pl.DataFrame | pl.LazyFrame | None = None) -> str:
    """``artifact``, ``vocabulary`` or ``data`` (duplicates, leakage, balance and the like)."""
    if finding.check == "token_shortcut":
        if finding.tag not in (None, "ordinary_word"):
            return "artifact"
        if _signature(finding, frame) or _domain_specific(finding, tokens):
            return "artifact"
        return "vocabulary"
    if finding.check == "property_shortcut":
        return "artifact" if finding.tag != "length" else "data"
    return "data"


def _signature(finding: Finding, frame: pl.DataFrame | pl.LazyFrame | None) -> bool:
    """A word that sits at the very start or end of the texts that hold it (an agency's ``(Lusa)``,
    a site's ``- Reuters``): a source's signature, not language."""
    if frame is None or not finding.feature or finding.domain is None or " " in finding.feature:
        return False
    word = rf"(?i)\b{re.escape(finding.feature)}\b"
    # only texts long enough to have a middle: in a tweet every word is near an end
    lazy = frame if isinstance(frame, pl.LazyFrame) else frame.lazy()
    texts = lazy.filter((pl.col(DOMAIN).cast(pl.String) == finding.domain)
                        & (pl.col(TEXT).str.len_chars() > 4 * _EDGE)
                        & pl.col(TEXT).str.contains(word)).select(TEXT).collect(engine="streaming")[TEXT]
    if texts.len() < 5:
        return False
    edges = (texts.str.slice(0, _EDGE).str.contains(word) | texts.str.slice(-_EDGE).str.contains(word)).mean()
    return bool(edges is not None and edges >= _AT_EDGES)


def _domain_specific(finding: Finding, tokens: pl.DataFrame | None) -> bool:
    """An ordinary word that marks the label in its domain while the other domains that use it as
    often show no such skew: a trace of one source's subject matter or house style."""
    needed = {"feature", "label", "domain", "n", "p_hat", "prior"}
    if tokens is None or tokens.height == 0 or finding.domain is None or not needed <= set(tokens.columns):
        return False
    n = float(finding.statistic.get("n", 0) or 0)
    elsewhere = tokens.filter((pl.col("feature") == finding.feature) & (pl.col("label") == finding.label)
                              & (pl.col("domain") != finding.domain) & (pl.col("n") >= max(n / 2, 10)))
    if elsewhere.height == 0:
        return False  # no other domain uses it enough to tell
    return bool(((elsewhere["p_hat"] - elsewhere["prior"]).abs() < _SAME_ELSEWHERE).all())


def actions(result: AuditResult) -> dict[str, list[dict[str, Any]]]:
    """``{"actions": [...], "vocabulary": [...]}``, each ranked by impact (largest first)."""
    tables = result.tables.get("token_shortcut", {})
    tokens = tables.get("tokens") if isinstance(tables.get("tokens"), pl.DataFrame) else None
    todo, vocabulary = [], []
    for f in result.findings:
        if f.severity not in _WEIGHT:
            continue
        kind = classify(f, tokens, result.corpus.scan())
        item = {"kind": kind, "check": f.check, "severity": f.severity, "domain": f.domain, "label": f.label,
                "split": f.split, "feature": f.feature, "tag": f.tag, "rows": int(f.rows),
                "impact": round(_WEIGHT[f.severity] * _strength(f) * max(int(f.rows), 1), 3),
                "title": _title(f, kind), "fix": f.advice}
        (vocabulary if kind == "vocabulary" else todo).append(item)
    key = lambda item: (-item["impact"], item["check"], item["domain"] or "", item["feature"] or "")  # noqa: E731
    todo.sort(key=key)
    vocabulary.sort(key=key)
    for rank, item in enumerate(todo, 1):
        item["rank"] = rank
    return {"actions": todo, "vocabulary": vocabulary}


def _strength(f: Finding) -> float:
    effect = f.effect
    return 1.0 if effect == 0 else min(max(effect, 0.05), 1.0)


def _title(f: Finding, kind: str) -> str:
    where = f" in {f.domain}" if f.domain else ""
    if f.check == "token_shortcut":
        what = "signature" if kind == "artifact" and f.tag in (None, "ordinary_word") else (f.tag or "word").replace("_", " ")
        share = f.statistic.get("p_hat")
        marks = f" ({share:.0%} {f.label})" if isinstance(share, float) else ""
        if kind == "vocabulary":
            return f"'{f.feature}' is {f.label} vocabulary{where}{marks}: what the label means, keep it"
        return f"Remove the {what} '{f.feature}'{where}: it marks {f.label}{marks}"
    if f.check == "property_shortcut":
        return f"Fix the {f.tag or 'surface'} trace behind '{f.feature}'{where}: it marks {f.label or 'a label'}"
    return f"{_DATA_TITLES.get(f.check, f.check)}{where} ({int(f.rows):,} rows)"
