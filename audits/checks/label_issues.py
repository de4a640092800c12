"""``label_issues``: rows whose given label a cross-validated model confidently disputes.

Per domain, a logistic regression over word and character n-grams scores every
row out of fold, and confident learning flags the rows whose label the model
confidently disputes (:mod:`corpus_sieve.audits.stats.label_noise`; cleanlab's
rule, with richer features). A model that cannot predict the labels cannot
dispute them: below ``min_balanced_accuracy`` (labels that the text does not
determine, or a label-permuted control) the check only reports that, as info.
Statistic per domain: rows, issues and their share, the model's balanced
accuracy. Flags per row: ``label_issue`` and ``suggested_label``.

Sample: a domain with more than ``max_rows`` rows is scored on a seeded
sample of ``max_rows`` rows, the same share of every label, chosen by a
seeded hash of the text (:mod:`corpus_sieve.audits.stats.sampling`: copies of
a text are in or out together, and the in-memory and streamed audits pick the
same rows). The share of disputed rows is then an estimate: the finding gives
the sample size, the 95% Wilson interval of the share and the rows it implies
in the whole domain; only sampled rows are flagged.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from corpus_sieve.audits.base import DOMAIN, ID, LABEL, TEXT, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Finding

CHECK_ID = "label_issues"
#: runs on a streamed corpus without loading its texts (see corpus_sieve.audits.base)
STREAMS = True
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
    #: rows per domain the model scores (a seeded sample stratified by label; all rows below it)
    "max_rows": 20_000,
}

_ADVICE = (
    "A model trained on the other rows confidently predicts another label for these rows: check them "
    "(suggested_label in flags.parquet), relabel or drop the wrong ones, and see where they came from: "
    "a source whose labels were assigned by its origin often mislabels the texts it quotes or copies."
)


def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    from corpus_sieve.audits.stats.label_noise import label_noise
    from corpus_sieve.audits.stats.sampling import sample_key, stratified_rows

    cfg = config.for_check(CHECK_ID, DEFAULTS)
    frame = corpus.frame
    domains, labels_all = corpus.domains, corpus.labels
    codes = corpus.scan().select(
        pl.col(DOMAIN).cast(pl.String).replace_strict({d: i for i, d in enumerate(domains)}, return_dtype=pl.UInt32),
        pl.col(LABEL).cast(pl.String).replace_strict({v: i for i, v in enumerate(labels_all)}, return_dtype=pl.UInt32),
        pl.col(TEXT).hash(seed=0).alias("hash"),
    ).collect(engine="streaming")
    dom, lab = codes[DOMAIN].to_numpy(), codes[LABEL].to_numpy()
    keys = sample_key(codes["hash"].to_numpy(), config.seed)
    del codes
    cell = dom.astype(np.int64) * max(len(labels_all), 1) + lab
    flag_parts: list[pl.DataFrame] = []
    findings: list[Finding] = []
    per_domain = []
    for i, domain in enumerate(domains if corpus.has_domain else [None]):
        in_domain = dom == i if domain is not None else np.ones(dom.size, bool)
        chosen, n_rows = stratified_rows(cell, keys, in_domain, int(cfg["max_rows"]))
        label_counts = np.bincount(lab[chosen], minlength=len(labels_all))
        where = f"domain {domain!r}" if domain is not None else "the corpus"
        present = label_counts[label_counts > 0]
        if chosen.size < cfg["min_rows"] or present.size < 2 or int(present.min()) < cfg["min_per_label"]:
            findings.append(Finding(check=CHECK_ID, severity="info", domain=domain, statistic={"effect": 0.0, "rows": n_rows},
                                    message=f"{where}: too few rows per label to cross-validate a model ({n_rows} rows)"))
            continue
        rows = corpus.with_text(frame[chosen.tolist()].select(ID, LABEL, DOMAIN))
        labels = sorted(rows[LABEL].cast(pl.String).unique().to_list())
        y = rows[LABEL].cast(pl.String).replace_strict({label: k for k, label in enumerate(labels)},
                                                      return_dtype=pl.Int64).to_numpy()
        noise = label_noise(rows[TEXT].to_list(), y, folds=int(cfg["folds"]), seed=config.seed)
        issues = int(noise.issue.sum())
        n_sample = rows.height
        share = issues / n_sample
        low, high = _wilson(issues, n_sample)
        competent = noise.balanced_accuracy >= cfg["min_balanced_accuracy"]
        severity = ("error" if share >= cfg["error_share"] else "warn" if share >= cfg["warn_share"] else "info") \
            if competent and issues else "info"
        statistic = {"effect": share, "rows": n_rows, "n_sample": n_sample, "issues": issues, "share": share,
                     "share_low": low, "share_high": high, "estimated_rows": round(share * n_rows),
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
        suggested = [labels[k] for k in noise.suggested[noise.issue]]
        flag_parts.append(issue_rows.select(pl.col(ID).cast(pl.String), label_issue=pl.lit(True),
                                            suggested_label=pl.Series(suggested, dtype=pl.String)))
        confidence = noise.probabilities[noise.issue, noise.suggested[noise.issue]]
        order = np.argsort(-confidence)[:3]
        scope = (f"{issues} of {n_sample} rows ({share:.1%})" if n_sample == n_rows else
                 f"{issues} of {n_sample:,} sampled rows ({share:.1%}, 95% CI {low:.1%}-{high:.1%}; about "
                 f"{round(share * n_rows):,} of the {n_rows:,} rows)")
        findings.append(Finding(
            check=CHECK_ID, severity=severity, domain=domain, statistic=statistic, rows=issues,
            message=(f"{where}: {scope} carry a label that a cross-validated "
                     f"bag-of-n-grams model (balanced accuracy {noise.balanced_accuracy:.2f}) confidently disputes"),
            examples=corpus.example_rows(issue_rows[order.tolist()]) if issues else [],
            advice=_ADVICE if issues else None,
            row_ids=issue_rows[ID].cast(pl.String).to_list() if severity != "info" else [],
        ))
    schema = {ID: pl.String, "label_issue": pl.Boolean, "suggested_label": pl.String}
    flags = pl.concat(flag_parts) if flag_parts else pl.DataFrame(schema=schema)
    return CheckResult(findings=findings, tables={"label_issues_by_domain": per_domain}, flags=flags)


def _wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of the share ``k / n``."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)
