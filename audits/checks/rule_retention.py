"""``rule_retention``: cleaning rules that drop one label more than another.

Reads ``stats.json`` of the pipeline run directory the corpus came from (its
``by_group`` records: stage, domain, label, rows_in, rows_rejected). For every
stage and domain, the rejection rate of each label; the effect is the largest
difference between two labels (0.10 = 10 percentage points), tested with a
chi-square test on the labels x (kept, rejected) table. A rule that rejects one
label's rows more often than the other's reshapes the labels differently and
can leave a manufactured shortcut. No-op without a run directory.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict

import numpy as np
from scipy.stats import chi2_contingency

from corpus_sieve.audits.base import AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Finding

CHECK_ID = "rule_retention"
#: runs on a streamed corpus without loading its texts (see corpus_sieve.audits.base)
STREAMS = True
DEFAULTS: dict[str, float | int] = {
    #: difference in rejection rate between labels (0.10 = 10 percentage points)
    "warn_diff": 0.10,
    "error_diff": 0.25,
    #: each compared label needs at least this many input rows at that stage
    "min_rows": 100,
    "alpha": 0.01,
}

_ADVICE = (
    "A rule that rejects one label far more often than the other reshapes each label's text differently, "
    "and what survives can become a shortcut; inspect that rule's rejections per label (rejected.parquet) "
    "and fix or relax it."
)


def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    if corpus.run_dir is None:
        return CheckResult()
    cfg = config.for_check(CHECK_ID, DEFAULTS)
    path = corpus.run_dir / "stats.json"
    if not path.is_file():
        return CheckResult(
            findings=[
                Finding(
                    check=CHECK_ID,
                    severity="info",
                    message=f"no stats.json in {corpus.run_dir}: rule retention per label not checked",
                    statistic={"effect": 0.0},
                )
            ]
        )
    stats = json.loads(path.read_text(encoding="utf-8"))
    cells: dict[tuple, dict[str, list[int]]] = defaultdict(dict)
    for rec in stats.get("by_group", []):
        stage, label = rec.get("stage"), rec.get("label")
        if stage is None or label is None:
            continue
        key = (str(stage), rec.get("domain"))
        rows_in, rejected = int(rec.get("rows_in", 0) or 0), int(rec.get("rows_rejected", 0) or 0)
        prev = cells[key].get(str(label), [0, 0])
        cells[key][str(label)] = [prev[0] + rows_in, prev[1] + rejected]

    findings: list[Finding] = []
    table = []
    for (stage, domain), by_label in cells.items():
        rates = {l: (rej / n if n else math.nan) for l, (n, rej) in by_label.items()}
        for l, (n, rej) in by_label.items():
            table.append(
                {"stage": stage, "domain": domain, "label": l, "rows_in": n, "rows_rejected": rej, "rejection_rate": rates[l]}
            )
        usable = {l: v for l, v in by_label.items() if v[0] >= cfg["min_rows"]}
        if len(usable) < 2:
            continue
        hi = max(usable, key=lambda l: rates[l])
        lo = min(usable, key=lambda l: rates[l])
        diff = rates[hi] - rates[lo]
        counts = np.array([[n - rej, rej] for n, rej in usable.values()], dtype=float)
        if counts[:, 1].sum() == 0 or counts[:, 0].sum() == 0:
            p = 1.0
        else:
            p = float(chi2_contingency(counts, correction=False)[1])
        if p >= cfg["alpha"] or diff < cfg["warn_diff"]:
            continue
        severity = "error" if diff >= cfg["error_diff"] else "warn"
        where = f" in domain {domain!r}" if domain is not None else ""
        findings.append(
            Finding(
                check=CHECK_ID,
                severity=severity,
                domain=domain,
                label=hi,
                feature=stage,
                statistic={
                    "effect": diff,
                    "rate_difference": diff,
                    **{f"rejection_rate[{l}]": rates[l] for l in usable},
                    **{f"rows_in[{l}]": usable[l][0] for l in usable},
                    "p_value": p,
                    "threshold_warn": cfg["warn_diff"],
                    "threshold_error": cfg["error_diff"],
                },
                rows=int(sum(v[1] for v in usable.values())),
                message=f"stage {stage!r}{where} rejects {rates[hi]:.1%} of {hi!r} rows but {rates[lo]:.1%} of "
                f"{lo!r} rows ({diff * 100:.1f} points, p {p:.2g})",
                advice=_ADVICE,
            )
        )
    return CheckResult(findings=findings, tables={"rule_retention": table, "retention": stats.get("retention", [])})
