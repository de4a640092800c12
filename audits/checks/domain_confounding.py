"""``domain_confounding``: how much the domain (and the source) predicts the label.

For the domain x label contingency table (pooled, and per split) and, when the
corpus has a ``source`` column, the source x label table inside each domain:
chi-square test of independence, bias-corrected Cramér's V (Bergsma 2013) and
Theil's uncertainty coefficient U(label | domain) — the share of the label's
entropy that the domain explains. A source that maps one-to-one onto labels
inside a domain (every source carries exactly one label) is an error: then
everything the source leaves in the text is a perfect shortcut.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from scipy.stats import chi2_contingency

from corpus_sieve.audits.base import DOMAIN, LABEL, SOURCE, SPLIT, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Finding

CHECK_ID = "domain_confounding"
#: runs on a streamed corpus without loading its texts (see corpus_sieve.audits.base)
STREAMS = True
DEFAULTS: dict[str, float | int] = {
    "cramers_v_warn": 0.1,
    "cramers_v_error": 0.3,
    "theils_u_warn": 0.05,
    "theils_u_error": 0.2,
    #: a warn/error also needs the chi-square p-value below this
    "alpha": 0.001,
    #: sources with fewer rows are left out of the source-equals-label test
    "min_source_rows": 5,
}

_ADVICE = (
    "When the domain (or source) predicts the label, a classifier can learn where a text comes from instead "
    "of its variety, and per-domain scores mislead; balance labels within each domain or evaluate per domain."
)
_ADVICE_SOURCE = (
    "Each source carries exactly one label, so anything a source leaves in its texts (names, boilerplate, "
    "formatting) is a perfect shortcut; draw each label from several sources, hold sources out for testing, "
    "and check token_shortcut findings."
)


def association(table: np.ndarray) -> dict[str, float]:
    """Chi-square, p-value, bias-corrected Cramér's V and Theil's U(column | row) of a count table.

    Rows are the predictor (domain, source), columns the label.

    Examples
    --------
    >>> s = association(np.array([[50, 0], [0, 50]]))
    >>> round(s["cramers_v"], 3), round(s["theils_u"], 3)
    (1.0, 1.0)
    >>> round(association(np.array([[50, 50], [50, 50]]))["cramers_v"], 3)
    0.0
    """
    t = np.asarray(table, dtype=np.float64)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    n = t.sum()
    r, k = t.shape
    if r < 2 or k < 2 or n < 2:
        return {"chi2": 0.0, "dof": 0, "p_value": 1.0, "cramers_v": 0.0, "theils_u": 0.0, "n": n}
    chi2, p, dof, _ = chi2_contingency(t, correction=False)
    phi2 = chi2 / n
    phi2corr = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
    rcorr = r - (r - 1) ** 2 / (n - 1)
    kcorr = k - (k - 1) ** 2 / (n - 1)
    denom = min(kcorr - 1, rcorr - 1)
    v = math.sqrt(phi2corr / denom) if denom > 0 else 0.0
    py = t.sum(axis=0) / n
    h_y = -np.sum(py * np.log(py))
    row = t.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = t / row[:, None]
        h_y_given_x = -np.nansum((row[:, None] / n) * np.where(cond > 0, cond * np.log(cond), 0.0))
    u = (h_y - h_y_given_x) / h_y if h_y > 0 else 0.0
    return {"chi2": float(chi2), "dof": int(dof), "p_value": float(p), "cramers_v": v, "theils_u": float(u), "n": n}


def _severity(stat: dict[str, float], cfg: dict) -> str:
    if stat["p_value"] >= cfg["alpha"]:
        return "info"
    if stat["cramers_v"] >= cfg["cramers_v_error"] or stat["theils_u"] >= cfg["theils_u_error"]:
        return "error"
    if stat["cramers_v"] >= cfg["cramers_v_warn"] or stat["theils_u"] >= cfg["theils_u_warn"]:
        return "warn"
    return "info"


def _table(frame: pl.DataFrame, by: str, labels: list[str]) -> tuple[list[str], np.ndarray]:
    counts = frame.group_by(by, LABEL).len().pivot(on=LABEL, index=by, values="len").fill_null(0).sort(by)
    for l in labels:
        if l not in counts.columns:
            counts = counts.with_columns(pl.lit(0).alias(l))
    return [str(v) for v in counts[by].to_list()], counts.select(labels).to_numpy()


def _skew_examples(corpus: AuditCorpus, frame: pl.DataFrame, by: str, names: list[str], table: np.ndarray, labels: list[str]):
    """Example rows from the most skewed cell (highest share of one label relative to its prior)."""
    prior = table.sum(axis=0) / max(table.sum(), 1)
    shares = table / np.maximum(table.sum(axis=1, keepdims=True), 1)
    i, j = np.unravel_index(np.argmax(shares - prior), shares.shape)
    return names[i], labels[j], corpus.example_rows(frame.filter((pl.col(by) == names[i]) & (pl.col(LABEL) == labels[j])))


def _thresholds(cfg: dict) -> dict[str, float]:
    return {
        "threshold_warn": cfg["cramers_v_warn"],
        "threshold_error": cfg["cramers_v_error"],
        "threshold_warn_theils_u": cfg["theils_u_warn"],
        "threshold_error_theils_u": cfg["theils_u_error"],
        "alpha": cfg["alpha"],
    }


def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    cfg = config.for_check(CHECK_ID, DEFAULTS)
    frame = corpus.frame
    labels = corpus.labels
    findings: list[Finding] = []
    tables: dict = {}

    def domain_finding(sub: pl.DataFrame, split: str | None) -> None:
        names, table = _table(sub, DOMAIN, labels)
        if len(names) < 2:
            return
        stat = association(table)
        severity = _severity(stat, cfg)
        if split is not None and severity == "info":
            return
        worst, label, examples = _skew_examples(corpus, sub, DOMAIN, names, table, labels)
        where = f" in split {split!r}" if split is not None else ""
        findings.append(
            Finding(
                check=CHECK_ID,
                severity=severity,
                split=split,
                feature="domain",
                label=label,
                statistic={"effect": stat["cramers_v"], **stat, **_thresholds(cfg)},
                rows=int(stat["n"]),
                message=f"the domain predicts the label{where}: Cramér's V {stat['cramers_v']:.3f}, "
                f"Theil's U {stat['theils_u']:.3f}, chi2 {stat['chi2']:.1f} (dof {stat['dof']}, p {stat['p_value']:.2g}); "
                f"most skewed: domain {worst!r} towards {label!r}",
                advice=_ADVICE,
                examples=examples if severity != "info" else [],
            )
        )
        if split is None:
            prior = table.sum(axis=0) / max(table.sum(), 1)
            expected = table.sum(axis=1, keepdims=True) * prior[None, :]
            tables["domain_label"] = [
                {
                    "domain": names[i],
                    "label": labels[j],
                    "count": int(table[i, j]),
                    "expected": float(expected[i, j]),
                    "std_residual": float((table[i, j] - expected[i, j]) / math.sqrt(expected[i, j])) if expected[i, j] > 0 else 0.0,
                }
                for i in range(len(names))
                for j in range(len(labels))
            ]

    if corpus.has_domain:
        domain_finding(frame, None)
        if corpus.has_split:
            for split in sorted(s for s in frame[SPLIT].unique().to_list() if s is not None):
                domain_finding(frame.filter(pl.col(SPLIT) == split), split)

    if corpus.has_source:
        source_rows = []
        for domain in corpus.domains:
            sub = frame.filter((pl.col(DOMAIN) == domain) & pl.col(SOURCE).is_not_null())
            if sub.height == 0 or sub[LABEL].n_unique() < 2:
                continue
            names, table = _table(sub, SOURCE, labels)
            stat = association(table)
            sizes = table.sum(axis=1)
            considered = sizes >= cfg["min_source_rows"]
            pure = (table > 0).sum(axis=1) == 1
            covered = (table[considered & pure] > 0).any(axis=0).sum() if considered.any() else 0
            present = int((table.sum(axis=0) > 0).sum())
            source_is_label = considered.sum() >= 2 and bool(pure[considered].all()) and covered == present
            severity = "error" if source_is_label else _severity(stat, cfg)
            source_rows += [
                {"domain": domain, "source": names[i], **{l: int(table[i, j]) for j, l in enumerate(labels)}}
                for i in range(len(names))
            ]
            if severity == "info" and len(corpus.domains) > 1:
                continue
            if source_is_label:
                per_label = {labels[j]: [names[i] for i in np.flatnonzero(table[:, j] > 0)] for j in range(len(labels)) if table[:, j].sum()}
                examples = []
                for j, l in enumerate(labels):
                    rows = np.flatnonzero((table[:, j] > 0) & considered)
                    if rows.size:
                        examples += corpus.example_rows(sub.filter(pl.col(SOURCE) == names[rows[0]]), n=1)
                message = (
                    f"in domain {domain!r} every source carries exactly one label (source ≡ label): "
                    + "; ".join(f"{l}: {', '.join(map(repr, s[:5]))}{' …' if len(s) > 5 else ''}" for l, s in per_label.items())
                )
                advice = _ADVICE_SOURCE
            else:
                worst, label, examples = _skew_examples(corpus, sub, SOURCE, names, table, labels)
                message = (
                    f"in domain {domain!r} the source predicts the label: Cramér's V {stat['cramers_v']:.3f}, "
                    f"Theil's U {stat['theils_u']:.3f} (p {stat['p_value']:.2g}); most skewed source {worst!r} towards {label!r}"
                )
                advice = _ADVICE
            findings.append(
                Finding(
                    check=CHECK_ID,
                    severity=severity,
                    domain=domain,
                    feature="source",
                    statistic={
                        "effect": 1.0 if source_is_label else stat["cramers_v"],
                        **stat,
                        "sources": len(names),
                        "pure_sources": int(pure.sum()),
                        **_thresholds(cfg),
                    },
                    rows=int(stat["n"]),
                    message=message,
                    advice=advice,
                    examples=examples[:3] if severity != "info" else [],
                )
            )
        tables["source_label"] = source_rows
    return CheckResult(findings=findings, tables=tables)
