"""``conflicting_labels``: the same (or nearly the same) text under different labels.

Exact groups share the normalised key (:func:`corpus_sieve.filters.dedup.text_keys.normalise_key`);
near groups join rows whose character 5-gram Jaccard similarity, found with
MinHash LSH and verified exactly, reaches ``threshold`` (default 0.9: texts that
differ by a character or a punctuation mark). Statistic per domain and pooled:
conflicting groups (exact / near), rows, share of rows. Exact conflicts warn
from ``warn_groups`` groups and error from ``error_groups`` groups or an
``error_share`` of rows; near conflicts warn at most (a pair that differs in
one word can be a legitimate minimal pair between varieties). Flags per row:
``conflicting`` and ``conflict_group`` (id of the group's first row).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from corpus_sieve.audits.base import DOMAIN, ID, LABEL, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Finding
from corpus_sieve.audits.stats.neardup import NearDupParams, corpus_index

CHECK_ID = "conflicting_labels"
#: runs on a streamed corpus without loading its texts (see corpus_sieve.audits.base)
STREAMS = True
DEFAULTS: dict[str, float | int] = {
    "warn_groups": 1,
    "error_groups": 100,
    "error_share": 0.01,
    #: verified character 5-gram Jaccard for a near-duplicate conflict
    "threshold": 0.9,
    #: 0 switches the near-duplicate search off (exact conflicts only)
    "near": 1,
    "max_row_ids": 10_000,  # row ids kept per finding (flags hold them all)
}

_ADVICE = (
    "Identical texts with different labels are label noise or genuinely ambiguous items; a model cannot get "
    "them all right and they blur evaluation. Review them: relabel, drop, or keep one copy with an 'either' label."
)


def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    cfg = config.for_check(CHECK_ID, DEFAULTS)
    params = NearDupParams.from_config({**cfg, "seed": config.seed})
    frame = corpus.frame
    n = frame.height
    index = corpus_index(corpus, params)
    if cfg["near"]:
        matches, work = index.cross_group_matches(frame[LABEL], None, params)
    else:  # exact only: a threshold above 1 leaves every near candidate unverified
        matches, work = index.cross_group_matches(frame[LABEL], None, NearDupParams(**{**params.__dict__, "threshold": 1.01}))
    rows = matches["row"].to_numpy()
    partners = matches["partner"].to_numpy()
    # only the rows in a conflict take part: components over them, not over the corpus
    involved = np.unique(np.concatenate([rows, partners]))
    m = involved.size
    graph = coo_matrix(
        (np.ones(rows.size), (np.searchsorted(involved, rows), np.searchsorted(involved, partners))), shape=(m, m)
    )
    _, comp = connected_components(graph, directed=False)
    exact_rows = matches.filter("exact")
    is_exact = np.zeros(m, dtype=bool)
    is_exact[np.searchsorted(involved, exact_rows["row"].to_numpy())] = True
    is_exact[np.searchsorted(involved, exact_rows["partner"].to_numpy())] = True

    picked = frame[involved.tolist()]
    info = pl.DataFrame(
        {"i": involved, ID: picked[ID].cast(pl.String), "comp": comp, "conflicting": np.ones(m, dtype=bool),
         "exact": is_exact}
    ).with_columns(picked[DOMAIN].cast(pl.String), picked[LABEL].cast(pl.String))
    groups = (
        info.group_by("comp")
        .agg(first=pl.col(ID).sort_by("i").first(), exact=pl.col("exact").all(), labels=pl.col(LABEL).n_unique())
    )
    info = info.join(groups.select("comp", "first"), on="comp", how="left")
    flags = info.sort("i").select(ID, conflicting="conflicting", conflict_group=pl.col("first"))
    in_groups = info.join(groups.select("comp", pl.col("exact").alias("group_exact")), on="comp")
    domain_rows = dict(frame.group_by(pl.col(DOMAIN).cast(pl.String)).len().iter_rows())

    sampled = work.get("sampled_share", 1.0)
    findings: list[Finding] = []
    scopes = [None] + (corpus.domains if corpus.has_domain and len(corpus.domains) > 1 else [])
    for d in scopes:
        scope = in_groups if d is None else in_groups.filter(pl.col(DOMAIN) == d)
        total = n if d is None else domain_rows.get(d, 0)
        for exact in (True, False):
            sub = scope.filter(pl.col("group_exact") == exact)
            if sub.height == 0:
                continue
            n_groups = sub["comp"].n_unique()
            share = sub.height / total if total else 0.0
            if exact:
                severity = (
                    "error"
                    if n_groups >= cfg["error_groups"] or share >= cfg["error_share"]
                    else "warn" if n_groups >= cfg["warn_groups"] else "info"
                )
            else:
                severity = "warn" if n_groups >= cfg["warn_groups"] else "info"
            first_comp = sub.sort("i")["comp"][0]
            example_rows = sub.filter(pl.col("comp") == first_comp).sort("i").select(ID, LABEL, DOMAIN)
            kind = "exact" if exact else f"near (Jaccard >= {params.threshold})"
            where = f"domain {d!r}" if d is not None else "the corpus"
            note = f"; near-duplicate search verified a seeded sample of {sampled:.0%} of the candidates" if sampled < 1 and not exact else ""
            findings.append(
                Finding(
                    check=CHECK_ID,
                    severity=severity,
                    domain=d,
                    feature="exact" if exact else "near",
                    statistic={
                        "effect": share,
                        "groups": n_groups,
                        "rows": sub.height,
                        "share": share,
                        "jaccard_threshold": 1.0 if exact else params.threshold,
                        "sampled_share": 1.0 if exact else sampled,
                        "threshold_warn": cfg["warn_groups"],
                        "threshold_error": cfg["error_groups"] if exact else float("inf"),
                        "threshold_error_share": cfg["error_share"],
                    },
                    rows=sub.height,
                    message=f"{where}: {n_groups} {kind} duplicate groups carry more than one label "
                    f"({sub.height} rows, {share:.2%}){note}",
                    advice=_ADVICE,
                    examples=corpus.example_rows(example_rows),
                    row_ids=sub.sort("i")[ID].head(int(cfg["max_row_ids"])).to_list(),
                )
            )
    return CheckResult(
        findings=findings,
        tables={"conflict_groups": groups.select("first", "exact", "labels").rename({"first": "group"}).to_dicts()[:1000]},
        flags=flags,
    )
