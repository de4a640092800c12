"""``label_balance``: label counts and shares per domain x split, imbalance, missing labels.

Statistic per cell (a domain, a split, both, or the whole corpus): rows,
count and share of each label, imbalance ratio (largest / smallest label
count), normalised entropy (1 = perfectly balanced, 0 = one label) and the
smallest class. A label that exists in the corpus but not in a domain or split
is an error (the model cannot learn or be evaluated on it there, and the
domain alone then predicts the label); an imbalance ratio above
``imbalance_warn`` is a warning.
"""

from __future__ import annotations

import math

import polars as pl

from corpus_sieve.audits.base import DOMAIN, LABEL, SPLIT, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Finding

CHECK_ID = "label_balance"
#: runs on a streamed corpus without loading its texts (see corpus_sieve.audits.base)
STREAMS = True
DEFAULTS: dict[str, float | int] = {
    #: warn when the largest label has more than this many times the rows of the smallest
    "imbalance_warn": 3.0,
    #: error above this ratio (infinite: imbalance alone never errors; a missing label does)
    "imbalance_error": math.inf,
}

_ADVICE_MISSING = (
    "A label absent from a domain or split means the domain/split itself predicts the label and that "
    "cell cannot train or evaluate that label; add data for it or drop the cell from training and evaluation."
)
_ADVICE_IMBALANCE = (
    "With skewed labels a model can score well by predicting the majority label, and per-domain skews "
    "become a domain shortcut; rebalance (subsample or weight) and report balanced accuracy or macro-F1."
)


def _cell_stats(counts: dict[str, int], labels: list[str]) -> dict[str, float]:
    n = sum(counts.values())
    present = [counts[l] for l in labels if counts.get(l, 0) > 0]
    smallest = min(counts.get(l, 0) for l in labels)
    ratio = (max(present) / min(present)) if present else math.nan
    if n and len(labels) > 1:
        probs = [counts.get(l, 0) / n for l in labels]
        entropy = -sum(p * math.log(p) for p in probs if p > 0) / math.log(len(labels))
    else:
        entropy = 1.0 if n else math.nan
    stat: dict[str, float] = {
        "rows": n,
        "n_labels": len(present),
        "imbalance_ratio": ratio,
        "normalised_entropy": entropy,
        "smallest_class": smallest,
    }
    for l in labels:
        stat[f"count[{l}]"] = counts.get(l, 0)
        stat[f"share[{l}]"] = counts.get(l, 0) / n if n else math.nan
    return stat


def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    cfg = config.for_check(CHECK_ID, DEFAULTS)
    frame = corpus.frame
    labels = corpus.labels
    split_col = frame[SPLIT] if corpus.has_split else pl.Series(SPLIT, [None] * frame.height, dtype=pl.String)
    base = frame.select(DOMAIN, LABEL).with_columns(split_col.alias(SPLIT))
    counts = base.group_by(DOMAIN, SPLIT, LABEL).len()

    def cell_counts(domain: str | None, split: str | None) -> dict[str, int]:
        sub = counts
        if domain is not None:
            sub = sub.filter(pl.col(DOMAIN) == domain)
        if split is not None:
            sub = sub.filter(pl.col(SPLIT) == split)
        agg = sub.group_by(LABEL).agg(pl.col("len").sum())
        return dict(zip(agg[LABEL].to_list(), agg["len"].to_list()))

    # one domain is the corpus itself: no separate domain cells
    multi = corpus.has_domain and len(corpus.domains) > 1
    domains: list[str | None] = [None] + (corpus.domains if multi else [])
    splits: list[str | None] = [None]
    if corpus.has_split:
        splits += sorted(s for s in base[SPLIT].unique().to_list() if s is not None)

    findings: list[Finding] = []
    records = []
    stats: dict[tuple, dict] = {}
    for d in domains:
        for s in splits:
            c = cell_counts(d, s)
            if not c:
                continue
            stats[(d, s)] = _cell_stats(c, labels)
            for l in labels:
                records.append(
                    {"domain": d, "split": s, "label": l, "count": c.get(l, 0), "share": stats[(d, s)][f"share[{l}]"]}
                )

    def where(d: str | None, s: str | None) -> str:
        parts = ([f"domain {d!r}"] if d is not None else []) + ([f"split {s!r}"] if s is not None else [])
        return " / ".join(parts) or "the corpus"

    def cell_rows(d: str | None, s: str | None, label: str | None = None) -> pl.DataFrame:
        mask = pl.lit(True)
        if d is not None:
            mask &= pl.col(DOMAIN) == d
        if s is not None:
            mask &= split_col == s
        if label is not None:
            mask &= pl.col(LABEL) == label
        return frame.filter(mask)

    for (d, s), st in stats.items():
        parent = stats.get((d, None)) if s is not None else (stats.get((None, None)) if d is not None else None)
        # missing labels: report where they first go missing (not again in every child cell)
        for l in labels:
            if st[f"count[{l}]"] > 0:
                continue
            if s is not None and d is not None and (
                stats.get((d, None), {}).get(f"count[{l}]", 0) == 0 or stats.get((None, s), {}).get(f"count[{l}]", 0) == 0
            ):
                continue
            elsewhere = cell_rows(None, None, l)
            findings.append(
                Finding(
                    check=CHECK_ID,
                    severity="error",
                    domain=d,
                    split=s,
                    label=l,
                    statistic={
                        "effect": 1.0,
                        "count": 0,
                        "rows": st["rows"],
                        "corpus_count": elsewhere.height,
                        "threshold_warn": cfg["imbalance_warn"],
                        "threshold_error": cfg["imbalance_error"],
                    },
                    rows=int(st["rows"]),
                    message=f"label {l!r} is missing from {where(d, s)} ({int(st['rows'])} rows) "
                    f"but has {elsewhere.height} rows elsewhere in the corpus",
                    advice=_ADVICE_MISSING,
                    examples=corpus.example_rows(elsewhere),
                )
            )
        ratio = st["imbalance_ratio"]
        if st["n_labels"] < 2 or not (ratio > cfg["imbalance_warn"]):
            continue
        if parent is not None and parent["n_labels"] >= 2 and parent["imbalance_ratio"] > cfg["imbalance_warn"] and s is not None:
            continue  # the domain as a whole is already reported
        severity = "error" if ratio > cfg["imbalance_error"] else "warn"
        smallest = min((l for l in labels if st[f"count[{l}]"] > 0), key=lambda l: st[f"count[{l}]"])
        shares = ", ".join(f"{l} {st[f'share[{l}]']:.1%}" for l in labels)
        findings.append(
            Finding(
                check=CHECK_ID,
                severity=severity,
                domain=d,
                split=s,
                label=smallest,
                statistic={"effect": 1.0 - st["normalised_entropy"], **st, "threshold_warn": cfg["imbalance_warn"], "threshold_error": cfg["imbalance_error"]},
                rows=int(st["rows"]),
                message=f"labels in {where(d, s)} are imbalanced {ratio:.1f}:1 ({shares}); "
                f"smallest class {smallest!r} has {int(st[f'count[{smallest}]'])} rows",
                advice=_ADVICE_IMBALANCE,
                examples=corpus.example_rows(cell_rows(d, s, smallest)),
            )
        )

    pooled = stats[(None, None)]
    findings.append(
        Finding(
            check=CHECK_ID,
            severity="info",
            statistic={"effect": 1.0 - pooled["normalised_entropy"], **pooled, "threshold_warn": cfg["imbalance_warn"], "threshold_error": cfg["imbalance_error"]},
            rows=int(pooled["rows"]),
            message=f"{int(pooled['rows'])} rows, {len(labels)} labels: "
            + ", ".join(f"{l} {int(pooled[f'count[{l}]'])} ({pooled[f'share[{l}]']:.1%})" for l in labels),
        )
    )

    heat_domains = corpus.domains
    heat = [[stats.get((d if multi else None, None), {}).get(f"count[{l}]", 0) for l in labels] for d in heat_domains]
    tables = {
        # domain x label, pooled over splits (the heatmap); label_counts has every cell
        "counts": [
            {"domain": d, "label": l, "count": heat[i][j]} for i, d in enumerate(heat_domains) for j, l in enumerate(labels)
        ],
        "label_counts": records,
        "domain_label_heatmap": {
            "domains": heat_domains,
            "labels": labels,
            "counts": heat,
            "shares": [[c / max(sum(row), 1) for c in row] for row in heat],
        },
    }
    return CheckResult(findings=findings, tables=tables)
