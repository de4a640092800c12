"""``split_leakage``: evaluation rows whose exact or near duplicate is in train.

Exact duplicates share the normalised key; near duplicates come from MinHash
LSH on character 5-grams (or word n-grams: ``shingle: word``, ``ngram: 3``)
and are verified with the true Jaccard similarity of the shingle sets before
they are reported (default ``threshold`` 0.7). Statistic per evaluation split
(pooled and per domain): leaked rows, their share, exact vs near, the Jaccard
threshold. Table ``leakage_matrix``: for each split, how many of its rows have
an exact / near duplicate in each other split. Flags per row: ``leaked_from``
(id of the train row it duplicates) and ``leak_jaccard``. Runs only when the
corpus has a split column; the train split is ``train`` or ``training``.
"""

from __future__ import annotations

import polars as pl

from corpus_sieve.audits.base import DOMAIN, ID, SPLIT, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Finding
from corpus_sieve.audits.stats.neardup import NearDupParams, corpus_index

CHECK_ID = "split_leakage"
#: runs on a streamed corpus without loading its texts (see corpus_sieve.audits.base)
STREAMS = True
DEFAULTS: dict[str, float | int] = {
    #: share of an evaluation split's rows with a duplicate in train that warns / errors
    "warn_share": 0.005,
    "error_share": 0.05,
    #: verified Jaccard similarity of the shingle sets for a near duplicate
    "threshold": 0.7,
    "ngram": 5,
    "num_perm": 64,
    "bands": 16,
    "max_row_ids": 10_000,  # row ids kept per finding (flags hold them all)
}
TRAIN_NAMES = ("train", "training")

_ADVICE = (
    "Test or validation rows that (nearly) repeat training rows measure memorisation, not generalisation; "
    "remove them from the evaluation split (or deduplicate before splitting, grouping near duplicates)."
)


def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    if not corpus.has_split:
        return CheckResult()
    cfg = config.for_check(CHECK_ID, DEFAULTS)
    params = NearDupParams.from_config({**cfg, "seed": config.seed})
    frame = corpus.frame
    splits = sorted(str(s) for s in frame[SPLIT].unique().to_list() if s is not None)
    train_names = {str(cfg.get("train_split", ""))} | set(TRAIN_NAMES)
    train = [s for s in splits if s.lower() in train_names]
    evals = [s for s in splits if s not in train]
    findings: list[Finding] = []
    if not evals or len(splits) < 2:
        return CheckResult(
            findings=[
                Finding(check=CHECK_ID, severity="info", message=f"nothing to compare: splits {splits}", statistic={"effect": 0.0})
            ]
        )
    index = corpus_index(corpus, params)
    matches, work = index.cross_group_matches(frame[SPLIT], set(evals), params)
    ids = frame[ID]
    matches = matches.with_columns(
        split=frame[SPLIT].cast(pl.String).gather(matches["row"]),
        domain=frame[DOMAIN].cast(pl.String).gather(matches["row"]),
        id=ids.gather(matches["row"]),
    )
    sampled = work.get("sampled_share", 1.0)

    split_sizes = dict(frame.group_by(pl.col(SPLIT).cast(pl.String)).len().iter_rows())
    matrix = []
    for s in evals:
        for other in splits:
            if other == s:
                continue
            m = matches.filter((pl.col("split") == s) & (pl.col("other") == other))
            matrix.append(
                {
                    "split": s,
                    "other_split": other,
                    "leaked": m.height,
                    "exact": int(m["exact"].sum()),
                    "near": int((~m["exact"]).sum()),
                    "split_rows": split_sizes.get(s, 0),
                }
            )

    to_train = matches.filter(pl.col("other").is_in(train)).sort("row", "exact", "jaccard", descending=[False, True, True])
    to_train = to_train.unique("row", keep="first", maintain_order=True)
    # only the leaked rows: flags.parquet gives the others null
    to_train = to_train.sort("row")
    flags = pl.DataFrame(
        {
            ID: ids.gather(to_train["row"]).cast(pl.String),
            "leaked_from": ids.gather(to_train["partner"]).cast(pl.String),
            "leak_jaccard": to_train["jaccard"],
        },
        schema={ID: pl.String, "leaked_from": pl.String, "leak_jaccard": pl.Float64},
    )

    def add(scope: pl.DataFrame, s: str, others: list[str], domain: str | None, total: int, cap_warn: bool) -> None:
        hit = scope.filter(pl.col("other").is_in(others)).sort("row", "exact", "jaccard", descending=[False, True, True])
        hit = hit.unique("row", keep="first", maintain_order=True)
        if hit.height == 0 and domain is not None:
            return
        share = hit.height / total if total else 0.0
        severity = "error" if share >= cfg["error_share"] else "warn" if share >= cfg["warn_share"] else "info"
        if cap_warn and severity == "error":
            severity = "warn"
        if domain is not None and severity == "info":
            return
        n_exact = int(hit["exact"].sum())
        target = "/".join(others)
        where = f"{s!r}" + (f" (domain {domain!r})" if domain else "")
        note = f"; near-duplicate search verified a seeded sample of {sampled:.0%} of the candidates" if sampled < 1 else ""
        example_ids = hit["id"].head(3)
        findings.append(
            Finding(
                check=CHECK_ID,
                severity=severity if hit.height else "info",
                split=s,
                domain=domain,
                feature=f"{s}->{target}",
                statistic={
                    "effect": share,
                    "leaked_rows": hit.height,
                    "exact": n_exact,
                    "near": hit.height - n_exact,
                    "split_rows": total,
                    "share": share,
                    "jaccard_threshold": params.threshold,
                    "min_jaccard": float(hit["jaccard"].min()) if hit.height else 1.0,
                    "sampled_share": sampled,
                    "capped_buckets": work.get("capped_buckets", 0),
                    "threshold_warn": cfg["warn_share"],
                    "threshold_error": cfg["error_share"],
                },
                rows=hit.height,
                message=f"{hit.height} of {total} rows in split {where} ({share:.2%}) have a duplicate in {target}: "
                f"{n_exact} exact, {hit.height - n_exact} near (verified Jaccard >= {params.threshold}){note}",
                advice=_ADVICE if hit.height else None,
                examples=corpus.example_rows(frame.filter(pl.col(ID).is_in(example_ids.implode()))),
                row_ids=hit["id"].cast(pl.String).head(int(cfg["max_row_ids"])).to_list(),
            )
        )

    for s in evals:
        scope = matches.filter(pl.col("split") == s)
        total = split_sizes.get(s, 0)
        if train:
            add(scope, s, train, None, total, cap_warn=False)
            if corpus.has_domain and len(corpus.domains) > 1:
                for d in corpus.domains:
                    n_d = int(((frame[SPLIT] == s) & (frame[DOMAIN] == d)).sum())
                    add(scope.filter(pl.col("domain") == d), s, train, d, n_d, cap_warn=False)
        # overlap between evaluation splits matters less (neither is trained on): warn at most
        later = [o for o in evals if o > s]
        if later:
            add(scope, s, later, None, total, cap_warn=True)
    return CheckResult(findings=findings, tables={"leakage_matrix": matrix}, flags=flags)
