"""``duplicates``: exact duplicates on a normalised key, counted per domain.

The key is NFC of the full casefold with whitespace runs collapsed (diacritics
and punctuation kept: they can carry the label), see
:func:`corpus_sieve.filters.dedup.text_keys.normalise_key`. Statistic per domain and pooled: rows,
duplicate groups, rows in them, redundant rows (copies beyond the first of each
group) and their share, the largest group; pooled also counts groups spanning
several domains. Flags per row: ``duplicate_group`` (id of the group's first
row, null when the text is unique) and ``duplicate_count`` (group size).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from corpus_sieve.audits.base import DOMAIN, ID, LABEL, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Finding
from corpus_sieve.audits.stats.neardup import corpus_index

CHECK_ID = "duplicates"
#: runs on a streamed corpus without loading its texts (see corpus_sieve.audits.base)
STREAMS = True
DEFAULTS: dict[str, float | int] = {
    #: share of redundant rows (copies beyond the first) that warns / errors
    "warn_share": 0.01,
    "error_share": 0.10,
    "max_row_ids": 10_000,  # row ids kept per finding (flags hold them all)
}
#: flag values of the rows this check leaves out of its (sparse) flags: a unique text is a group of one
FLAG_DEFAULTS = {"duplicate_count": 1}

_ADVICE = (
    "Repeated texts weigh more in training and, across splits, inflate test scores; deduplicate on the "
    "normalised key (corpus-sieve's dedup filter) before splitting, and see split_leakage and conflicting_labels."
)


def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    cfg = config.for_check(CHECK_ID, DEFAULTS)
    frame = corpus.frame
    index = corpus_index(corpus)
    key_id = index.key_id
    size = np.bincount(key_id)[key_id] if key_id.size else np.zeros(0, np.int64)
    rows_dup = np.flatnonzero(size > 1)
    del size
    # only the rows whose text occurs more than once (dense key ids, first-seen order)
    dups = frame[rows_dup.tolist()].select(ID, pl.col(DOMAIN).cast(pl.String), pl.col(LABEL).cast(pl.String)).with_columns(
        key=pl.Series(key_id[rows_dup]), i=pl.Series(rows_dup)
    ).with_columns(
        group_first=pl.col(ID).first().over("key", order_by="i"),
        duplicate_count=pl.len().over("key").cast(pl.Int64),
        domains_in_group=pl.col(DOMAIN).n_unique().over("key"),
    )
    flags = dups.select(pl.col(ID).cast(pl.String), duplicate_group="group_first", duplicate_count="duplicate_count")
    domain_rows = dict(frame.group_by(pl.col(DOMAIN).cast(pl.String)).len().iter_rows())
    findings: list[Finding] = []
    per_domain = []

    def summary(n_rows: int, dup_rows: pl.DataFrame) -> dict[str, float]:
        groups = dup_rows["key"].n_unique()
        redundant = dup_rows.height - groups
        largest = int(dup_rows.group_by("key").len()["len"].max() or 0) if dup_rows.height else 0
        return {
            "effect": redundant / n_rows if n_rows else 0.0,
            "rows": n_rows,
            "duplicate_groups": groups,
            "duplicate_rows": dup_rows.height,
            "redundant_rows": redundant,
            "redundant_share": redundant / n_rows if n_rows else 0.0,
            "largest_group": largest,
            "threshold_warn": cfg["warn_share"],
            "threshold_error": cfg["error_share"],
        }

    def severity(share: float, n: int) -> str:
        if n == 0:
            return "info"
        return "error" if share >= cfg["error_share"] else "warn" if share >= cfg["warn_share"] else "info"

    def examples(dup_rows: pl.DataFrame):
        if dup_rows.height == 0:
            return []
        biggest = dup_rows.group_by("key").agg(pl.len(), pl.col("i").min()).sort(["len", "i"], descending=[True, False])["key"][0]
        return corpus.example_rows(dup_rows.filter(pl.col("key") == biggest).sort("i").select(ID, DOMAIN, LABEL))

    scopes = [None] + (corpus.domains if corpus.has_domain and len(corpus.domains) > 1 else [])
    for d in scopes:
        n_rows = frame.height if d is None else domain_rows.get(d, 0)
        dup_rows = dups if d is None else dups.filter(pl.col(DOMAIN) == d).filter(pl.col("key").is_duplicated())
        st = summary(n_rows, dup_rows)
        if d is None:
            st["cross_domain_groups"] = dups.filter(pl.col("domains_in_group") > 1)["key"].n_unique()
        else:
            per_domain.append({"domain": d, **{k: v for k, v in st.items() if not k.startswith("threshold")}})
        sev = severity(st["redundant_share"], dup_rows.height)
        if dup_rows.height == 0 and d is not None:
            continue
        where = f"domain {d!r}" if d is not None else "the corpus"
        extra = f"; {st['cross_domain_groups']} groups span several domains" if d is None and st.get("cross_domain_groups") else ""
        findings.append(
            Finding(
                check=CHECK_ID,
                severity=sev,
                domain=d,
                statistic=st,
                rows=int(dup_rows.height),
                message=(
                    f"{where}: {st['duplicate_groups']} groups of exact duplicates (normalised) cover "
                    f"{st['duplicate_rows']} rows; {st['redundant_rows']} redundant copies "
                    f"({st['redundant_share']:.2%} of {st['rows']}), largest group {st['largest_group']}{extra}"
                    if dup_rows.height
                    else f"{where}: no exact duplicates among {st['rows']} rows"
                ),
                advice=_ADVICE if dup_rows.height else None,
                examples=examples(dup_rows),
                row_ids=dup_rows.sort("i")[ID].head(int(cfg["max_row_ids"])).to_list() if sev != "info" else [],
            )
        )
    return CheckResult(findings=findings, tables={"duplicates_by_domain": per_domain}, flags=flags)
