"""``label_issues``: rows whose given label a cross-validated model confidently disputes.

Per domain, a logistic regression over word and character n-grams scores every
row out of fold, and confident learning flags the rows whose label the model
confidently disputes (:mod:`corpus_sieve.audits.stats.label_noise`; cleanlab's
rule, with richer features). A model that cannot predict the labels cannot
dispute them: below ``min_balanced_accuracy`` (labels that the text does not
determine, or a label-permuted control) the check only reports that, as info.
Statistic per domain: rows, issues and their share, the model's balanced
accuracy. Flags per row: ``label_issue`` and ``suggested_label``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from corpus_sieve.audits.base import DOMAIN, ID, LABEL, TEXT, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Finding

CHECK_ID = "label_issues"
DEFAULTS: dict[str, float | int] = {
    #: share of a domain's rows with a disputed label that warns / errors
    "warn_share": 0.02,
    "error_share": 0.10,
    #: the out-of-fold balanced accuracy the model needs before its disputes count
    "min_balanced_accuracy": 0.75,
    #: a domain needs this many rows, and every label this many, to be checked
    "min_rows": 200,
    "min_per_label": 20,
    "folds": 5,
}

_ADVICE = (
    "A model trained on the other rows confidently predicts another label for these rows: check them "
    "(suggested_label in flags.parquet), relabel or drop the wrong ones, and see where they came from: "
    "a source whose labels were assigned by its origin often mislabels the texts it quotes or copies."
)


def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    from corpus_sieve.audits.stats.label_noise import label_noise

    cfg = config.for_check(CHECK_ID, DEFAULTS)
    frame = corpus.frame.with_row_index("__row")
    flags = frame.select(ID, label_issue=pl.lit(False), suggested_label=pl.lit(None, dtype=pl.String))
    findings: list[Finding] = []
    per_domain = []
    for domain in (corpus.domains if corpus.has_domain else [None]):
        rows = frame if domain is None else frame.filter(pl.col(DOMAIN) == domain)
        counts = rows.group_by(LABEL).len()
        where = f"domain {domain!r}" if domain is not None else "the corpus"
        if rows.height < cfg["min_rows"] or counts.height < 2 or int(counts["len"].min()) < cfg["min_per_label"]:
            findings.append(Finding(check=CHECK_ID, severity="info", domain=domain, statistic={"effect": 0.0, "rows": rows.height},
                                    message=f"{where}: too few rows per label to cross-validate a model ({rows.height} rows)"))
            continue
        labels = sorted(counts[LABEL].to_list())
        code = {label: i for i, label in enumerate(labels)}
        y = np.array([code[v] for v in rows[LABEL].to_list()])
        noise = label_noise(rows[TEXT].to_list(), y, folds=int(cfg["folds"]), seed=config.seed)
        issues = int(noise.issue.sum())
        share = issues / rows.height
        competent = noise.balanced_accuracy >= cfg["min_balanced_accuracy"]
        severity = ("error" if share >= cfg["error_share"] else "warn" if share >= cfg["warn_share"] else "info") \
            if competent and issues else "info"
        statistic = {"effect": share, "rows": rows.height, "issues": issues, "share": share,
                     "balanced_accuracy": noise.balanced_accuracy, "threshold_warn": cfg["warn_share"],
                     "threshold_error": cfg["error_share"], "min_balanced_accuracy": cfg["min_balanced_accuracy"]}
        per_domain.append({"domain": domain, **{k: v for k, v in statistic.items() if not k.startswith("threshold")}})
        if not competent:
            findings.append(Finding(
                check=CHECK_ID, severity="info", domain=domain, statistic={**statistic, "effect": 0.0},
                message=(f"{where}: a bag-of-n-grams model reaches balanced accuracy {noise.balanced_accuracy:.2f} "
                         f"(below {cfg['min_balanced_accuracy']}): too weak to tell label errors from hard rows")))
            continue
        issue_rows = rows.filter(pl.Series(noise.issue))
        suggested = [labels[i] for i in noise.suggested[noise.issue]]
        flags = flags.update(issue_rows.select(ID, label_issue=pl.lit(True),
                                               suggested_label=pl.Series(suggested, dtype=pl.String)), on=ID)
        confidence = noise.probabilities[noise.issue, noise.suggested[noise.issue]]
        order = np.argsort(-confidence)[:3]
        findings.append(Finding(
            check=CHECK_ID, severity=severity, domain=domain, statistic=statistic, rows=issues,
            message=(f"{where}: {issues} of {rows.height} rows ({share:.1%}) carry a label that a cross-validated "
                     f"bag-of-n-grams model (balanced accuracy {noise.balanced_accuracy:.2f}) confidently disputes"),
            examples=corpus.example_rows(issue_rows[order.tolist()]) if issues else [],
            advice=_ADVICE if issues else None,
            row_ids=issue_rows[ID].to_list() if severity != "info" else [],
        ))
    return CheckResult(findings=findings, tables={"label_issues_by_domain": per_domain}, flags=flags)
