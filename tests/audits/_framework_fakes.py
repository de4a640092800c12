"""Small fake check modules and corpora for the audit framework tests.

The fakes follow the contract of ``corpus_sieve.audits.base`` (CHECK_ID, DEFAULTS, run) and
return tables in the shapes the report's figures read, so the framework can be
tested without the real checks.
"""

from __future__ import annotations

import types
from typing import Any, Callable

import polars as pl

from corpus_sieve.audits.base import ID, LABEL, DOMAIN, SPLIT, TEXT, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Example, Finding

HOSTILE = [
    "<script>document.title='PWNED'</script>",
    '"><img src=x onerror="document.title=\'PWNED\'">',
    "<svg onload=\"document.title='PWNED'\"></svg>",
    "</style><script>document.title='PWNED'</script>",
    "javascript:document.title='PWNED'",
    "<a href=\"javascript:alert(1)\">click</a>",
    "]]><!-- --><iframe srcdoc=\"<script>parent.document.title='PWNED'</script>\"></iframe>",
]


def fake_module(check_id: str, run: Callable[[AuditCorpus, AuditConfig], Any], defaults: dict | None = None):
    module = types.ModuleType(f"fake_checks.{check_id}")
    module.CHECK_ID = check_id
    module.DEFAULTS = dict(defaults or {})
    module.run = run
    return module


def corpus_frame(n: int = 40, hostile: bool = False) -> pl.DataFrame:
    """A small labelled corpus in two domains and two splits."""
    texts, labels, domains, splits = [], [], [], []
    for i in range(n):
        texts.append(f"Texto número {i} sobre o jornal Público." if i % 2 else f"Text number {i} about the news.")
        labels.append("pt-PT" if i % 2 else "pt-BR")
        domains.append("journalistic" if i % 4 < 2 else "web")
        splits.append("train" if i % 5 else "test")
    if hostile:
        for j, h in enumerate(HOSTILE):
            texts.append(h)
            labels.append(h if j % 2 else "pt-PT")
            domains.append(HOSTILE[(j + 1) % len(HOSTILE)])
            splits.append("train")
    return pl.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text": texts, "label": labels,
                         "domain": domains, "split": splits})


def _examples(corpus: AuditCorpus, n: int = 3, where: pl.Expr | None = None) -> list[Example]:
    frame = corpus.frame if where is None else corpus.frame.filter(where)
    return corpus.example_rows(frame, n=n)


def label_balance(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    params = config.for_check("label_balance", LABEL_BALANCE_DEFAULTS)
    counts = corpus.frame.group_by(DOMAIN, LABEL).len("count").sort(DOMAIN, LABEL)
    findings = []
    for domain in corpus.domains:
        sub = counts.filter(pl.col(DOMAIN) == domain)
        ratio = sub["count"].max() / sub["count"].min() if sub.height > 1 else float("inf")
        sev = "error" if ratio > params["imbalance_error"] else "warn" if ratio > params["imbalance_warn"] else "info"
        findings.append(Finding(
            check="label_balance", severity=sev, domain=domain,
            message=f"labels in domain {domain} have imbalance ratio {ratio:.2f}",
            statistic={"effect": ratio, "imbalance_ratio": ratio,
                       "threshold_warn": params["imbalance_warn"], "threshold_error": params["imbalance_error"]},
            rows=int(sub["count"].sum()),
            examples=_examples(corpus, 2, pl.col(DOMAIN) == domain),
        ))
    return CheckResult(findings=findings, tables={"counts": counts})


LABEL_BALANCE_DEFAULTS = {"imbalance_warn": 1.5, "imbalance_error": 10.0}


def token_shortcut(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    frame = corpus.frame.with_columns(pl.col(TEXT).str.contains("Público", literal=True).alias("has"))
    ids = frame.filter(pl.col("has"))[ID].to_list()
    token = "Público" if "Público" not in config.allow_list else None
    findings = []
    if token:
        findings.append(Finding(
            check="token_shortcut", severity="warn", label="pt-PT", feature=token,
            message=f"token {token!r} predicts pt-PT", statistic={"effect": 0.9, "z": 6.1, "threshold_z": 4.0},
            rows=len(ids), row_ids=ids, examples=_examples(corpus, 2, pl.col("id").is_in(ids)),
        ))
    # one hostile token so the report must escape a feature name
    hostile = corpus.frame.filter(pl.col(TEXT).str.contains("<script>", literal=True))
    if hostile.height:
        findings.append(Finding(
            check="token_shortcut", severity="error", label=hostile[LABEL][0], domain=hostile[DOMAIN][0],
            feature=HOSTILE[0], message=f"markup token {HOSTILE[0]} predicts {hostile[LABEL][0]}",
            statistic={"effect": 1.0, "z": 9.0, "threshold_z": 4.0}, rows=hostile.height,
            row_ids=hostile[ID].to_list(), examples=corpus.example_rows(hostile),
            advice=HOSTILE[1],
        ))
    tokens = pl.DataFrame({
        "feature": ["Público", "jornal", "news", HOSTILE[0], "o"],
        "label": ["pt-PT", "pt-PT", "pt-BR", HOSTILE[1], "pt-PT"],
        "domain": [None] * 5,
        "df": [20, 20, 20, 1, 40],
        "z": [6.1, 5.0, -4.5, 9.0, 0.1],
        "severity": ["warn", "info", "info", "error", None],
    })
    flags = frame.select(ID, pl.col("has").alias("shortcut_feature"))
    return CheckResult(findings=findings, tables={"tokens": tokens}, flags=flags)


def duplicates(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    key = corpus.frame.with_columns(pl.col(TEXT).str.to_lowercase().alias("_k"))
    groups = key.with_columns(pl.col(ID).min().over("_k").alias("duplicate_group"),
                              (pl.len().over("_k") > 1).alias("is_duplicate"))
    dup_rows = groups.filter(pl.col("is_duplicate"))
    findings = []
    if dup_rows.height:
        findings.append(Finding(check="duplicates", severity="info", message=f"{dup_rows.height} duplicate rows",
                                statistic={"effect": dup_rows.height / corpus.frame.height}, rows=dup_rows.height,
                                row_ids=dup_rows[ID].to_list()))
    # only the rows in a group: the framework must fill the rest (False / null)
    return CheckResult(findings=findings, flags=dup_rows.select(ID, "duplicate_group", "is_duplicate"))


def split_leakage(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    matrix = pl.DataFrame({"split": ["test", "test"], "other_split": ["train", "test"],
                           "leaked": [3, 0], "total": [8, 8]})
    flags = corpus.frame.select(ID, (pl.col(SPLIT) == "test").alias("leaked"))
    return CheckResult(findings=[Finding(check="split_leakage", severity="error", split="test",
                                         message="3 test rows have a near duplicate in train",
                                         statistic={"effect": 3 / 8, "jaccard": 0.93, "threshold_jaccard": 0.8},
                                         rows=3)],
                       tables={"matrix": matrix}, flags=flags)


def property_shortcut(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    lengths = corpus.frame.with_columns(pl.col(TEXT).str.len_chars().alias("v"))
    q = lengths.group_by(LABEL).agg(
        pl.lit("char_length").alias("property"),
        pl.col("v").min().alias("min"), pl.col("v").quantile(0.25).alias("q25"),
        pl.col("v").median().alias("q50"), pl.col("v").quantile(0.75).alias("q75"), pl.col("v").max().alias("max"),
    )
    return CheckResult(findings=[Finding(check="property_shortcut", severity="info", feature="char_length",
                                         message="character length barely separates the labels",
                                         statistic={"effect": 0.05, "auc": 0.525})],
                       tables={"quantiles": q})


def broken(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    raise ZeroDivisionError("division by zero in a fake check")


def clean(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    return CheckResult()


def fake_modules(**overrides) -> dict[str, types.ModuleType]:
    """The fake checks, keyed by id; ``overrides`` replace or add ``{check_id: run}``."""
    runs = {
        "label_balance": (label_balance, LABEL_BALANCE_DEFAULTS),
        "token_shortcut": (token_shortcut, {"min_count": 5, "z_warn": 4.0}),
        "property_shortcut": (property_shortcut, {"auc_warn": 0.6}),
        "duplicates": (duplicates, {}),
        "split_leakage": (split_leakage, {"jaccard": 0.8}),
    }
    for check_id, run in overrides.items():
        runs[check_id] = (run, runs.get(check_id, (None, {}))[1])
    return {cid: fake_module(cid, run, defaults) for cid, (run, defaults) in runs.items() if run is not None}


def real_sample(shared_data, per_label: int = 150) -> pl.DataFrame:
    """Real DSLCC news sentences in two fake domains and two splits (for running the real checks)."""
    df = pl.read_csv(shared_data / "pt-varieties" / "dslcc2-test-gold-pt.tsv", separator="\t",
                     has_header=False, new_columns=["text", "label"], quote_char=None)
    sample = pl.concat([df.filter(pl.col("label") == v).head(per_label) for v in ("pt-PT", "pt-BR")])
    return sample.with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.lit("news")).otherwise(pl.lit("web")).alias("domain"),
        pl.when(pl.int_range(pl.len()) % 5 == 0).then(pl.lit("test")).otherwise(pl.lit("train")).alias("split"),
    )
