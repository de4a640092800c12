"""Words and word pairs whose presence gives the label away (Clever Hans, lexical).

What
    Every lowercased ``\\w+`` word (diacritics kept) and every bigram of
    adjacent words, counted once per document, is tested inside each domain
    against each label: among the ``n`` documents holding feature ``x``, is the
    share ``p̂`` carrying label ``y`` far from the domain's prior ``p0`` of ``y``?
    Gardner et al. (2021, "Competency Problems") z-statistic::

        z = (p̂ - p0) / sqrt(p0 (1 - p0) / n)

    reported as the effect's size. The p-value is exact: the upper tail of
    Fisher's test (hypergeometric: ``k`` or more of the ``n`` documents carry
    ``y``), because the normal approximation is weak exactly where a source
    signature sits (a few dozen documents, all of one label). Features with
    ``n < min_count`` are not counted at all. The family of a domain is its
    *testable* (feature, label) pairs in Tarone's sense: a pair whose smallest
    attainable p-value could never pass the bar does not dilute the others
    (:func:`corpus_sieve.audits.stats.shortcut_stats.tarone_testable`, once at ``bonferroni_alpha``
    for Bonferroni and once at ``bh_q`` for Benjamini-Hochberg, as Gilbert
    2005). Only features that predict a label (``z > 0``) with an effect
    ``(p̂ - p0) / (1 - p0) >= min_effect`` are flagged (at a million documents a
    one-point shift is "significant" but teaches a model nothing).

Severity (non-lexical = tagged named_entity, number_date, url_domain, markup or
boilerplate by :mod:`corpus_sieve.audits.stats.token_tags`; they are escalated one level because
they trace the source, not the language)

    ==========================  ==============  ==========
    passes                      ordinary word   non-lexical
    ==========================  ==============  ==========
    Bonferroni (and BH)         warn            error
    BH only                     info            warn
    ==========================  ==============  ==========

    A feature in ``config.allow_list`` (or a bigram with an allowed word) is
    reported at ``info`` at most: real variety markers ("você", "facto") are
    the signal the classifier should learn.

Reported
    The ``max_findings_per_domain`` most severe flagged features per domain
    (then by |z|), each with p̂, prior, z, p-values, nPMI and ``n_needed``: the
    documents needed to detect the observed shift at the Bonferroni level with
    ``power``; an ``info`` summary counts the rest. ``tables["tokens"]`` keeps
    every tested (domain, feature, label) row for the report's z-vs-frequency
    plot; ``flags`` gives each row its ``shortcut_features`` (flagged warn/error
    features it holds) and ``has_shortcut``.

Speed and memory: the corpus is read batch by batch, three times
(:mod:`corpus_sieve.audits.stats.token_counts`): a hashed screen, exact
counts of the features that pass it (the same table as one in-memory
group-by), then the evidence for the candidates (tagging sample, first rows
per label, the rows that hold them). Tokenising is native (lowercase,
``\\W+`` -> space, split, bigrams by two ``\\w+ \\w+`` extractions). Flags list
only the rows holding a flagged feature; ``flags.parquet`` fills the rest.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from corpus_sieve.audits.base import DOMAIN, ID, LABEL, ROW, TEXT, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Finding
from corpus_sieve.audits.stats.shortcut_stats import (
    bh_adjust,
    hypergeom_upper_p,
    min_attainable_p,
    n_needed,
    npmi,
    proportion_z,
    tarone_testable,
)
from corpus_sieve.audits.stats.sampling import sample_key
from corpus_sieve.audits.stats.token_counts import ReportPass, count_features, indexed_batches, tagging_evidence
from corpus_sieve.audits.stats.token_tags import NON_LEXICAL, TAG_DEFAULTS, tag_features, tagging_features

CHECK_ID = "token_shortcut"
#: runs on a streamed corpus without loading its texts (see corpus_sieve.audits.base)
STREAMS = True
DEFAULTS: dict[str, float | int] = {
    "min_count": 5,  # documents holding the feature in the domain, below: not counted (testability decides the rest)
    "bh_q": 0.01,  # Benjamini-Hochberg false discovery rate per domain
    "bonferroni_alpha": 0.001,  # family-wise error rate per domain
    "min_effect": 0.3,  # (p̂ - p0) / (1 - p0) needed to flag
    "power": 0.8,  # for n_needed
    "bigrams": 1,  # 0: words only
    "max_findings_per_domain": 20,
    "max_row_ids": 10_000,  # row ids kept per finding (flags hold them all)
    **TAG_DEFAULTS,
}

ADVICE = {
    "named_entity": (
        "A name (outlet, place, person, organisation) tracks where the texts came from, not the label's "
        "meaning; a model will learn it and fail on texts from other sources. Mask or replace named "
        "entities, or rebalance sources so every label sees the same names; allow-list it only if the "
        "name truly belongs to the label."
    ),
    "boilerplate": (
        "A fixed phrase at the start or end of documents (credit line, footer, 'leia também') is a "
        "trace of the source's template. Remove it with a cleaning rule (boilerplate / line filters) "
        "before training."
    ),
    "markup": (
        "HTML residue (tags or undecoded entities) left by extraction differs by source. Fix the "
        "extraction step: decode entities and strip tags."
    ),
    "url_domain": (
        "URL, web-domain or handle pieces name the source site. Strip or mask URLs, e-mails and "
        "@handles before training."
    ),
    "number_date": (
        "Numbers and dates track the collection period or source. Mask digits or balance the time "
        "span of each label."
    ),
    "ordinary_word": (
        "Could be a genuine marker of the label (vocabulary, spelling) or a topic/source skew. If it "
        "is a real marker, add it to the recipe's audit allow_list; otherwise rebalance topics or "
        "sources so it stops predicting the label."
    ),
}


def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    params = config.for_check(CHECK_ID, DEFAULTS)
    frame = corpus.frame
    domains, labels = corpus.domains, corpus.labels
    dom_code = {d: i for i, d in enumerate(domains)}
    lab_code = {lab: i for i, lab in enumerate(labels)}
    bigrams = bool(params["bigrams"])

    def batches():
        # small batches: tokenising explodes each text into ~30 features
        return indexed_batches(corpus.iter_batches([TEXT, DOMAIN, LABEL], batch_rows=50_000), dom_code, lab_code)

    counts = count_features(batches, corpus.height, len(labels), int(params["min_count"]), bigrams)
    prior_counts = frame.group_by(
        pl.col(DOMAIN).cast(pl.String).replace_strict(dom_code, return_dtype=pl.UInt32).alias("dom"),
        pl.col(LABEL).cast(pl.String).replace_strict(lab_code, return_dtype=pl.UInt32).alias("lab"),
    ).len()
    totals = {d: 0 for d in range(len(domains))}
    label_totals: dict[tuple[int, int], int] = {}
    for d, lab, c in prior_counts.iter_rows():
        totals[d] += c
        label_totals[(d, lab)] = c

    table = _score(counts, labels, totals, label_totals, params)
    allow = {w.lower() for w in config.allow_list}
    table = table.with_columns(
        allowed=pl.col("feature").is_in(list(allow))
        | pl.col("feature").str.split(" ").list.eval(pl.element().is_in(list(allow))).list.any()
    )
    candidates = table.filter(pl.col("candidate")).group_by("dom", "feature").agg(pl.col("z").max())
    if candidates.height:
        doc_features, texts = _tagging_sample(corpus, batches, candidates, params, config.seed)
        tags = tag_features(texts, doc_features, candidates, params).select("dom", "feature", "tag")
    else:
        tags = pl.DataFrame(schema={"dom": pl.UInt32, "feature": pl.String, "tag": pl.String})
    table = table.join(tags, on=["dom", "feature"], how="left")
    level = pl.col("bonferroni").cast(pl.Int8) + pl.col("tag").is_in(list(NON_LEXICAL)).fill_null(False).cast(pl.Int8)
    flagged = table.filter(pl.col("candidate")).with_columns(
        severity=pl.when(pl.col("allowed"))
        .then(pl.lit("info"))
        .otherwise(pl.lit(["info", "warn", "error"]).list.get(level))
    )
    table = table.join(
        flagged.select("dom", "feature", "lab", "severity"), on=["dom", "feature", "lab"], how="left"
    )

    findings, flags = _report(corpus, batches, flagged, domains, labels, totals, params)
    result_table = table.select(
        pl.col("dom").replace_strict(dict(enumerate(domains)), return_dtype=pl.String).alias("domain"),
        "feature",
        pl.when(pl.col("feature").str.contains(" ")).then(2).otherwise(1).alias("ngram"),
        pl.col("lab").replace_strict(dict(enumerate(labels)), return_dtype=pl.String).alias("label"),
        "n",
        "k",
        "prior",
        "p_hat",
        "z",
        "p_value",
        "p_bh",
        "p_bonferroni",
        "effect",
        "npmi",
        "n_needed",
        "tag",
        "allowed",
        "severity",
    )
    return CheckResult(findings=findings, tables={"tokens": result_table}, flags=flags)


def _tagging_sample(corpus: AuditCorpus, batches, candidates: pl.DataFrame, params: dict, seed: int):
    """The documents tagging reads: their features and their texts (the tagging sample read
    directly, one more pass for the documents of features rare in it)."""
    keys = sample_key(np.arange(corpus.height, dtype=np.uint64), seed)
    dom_code = {d: i for i, d in enumerate(corpus.domains)}
    lab_code = {lab: i for i, lab in enumerate(corpus.labels)}
    dom = corpus.frame.select(pl.col(DOMAIN).cast(pl.String).replace_strict(dom_code, return_dtype=pl.Int64)).to_series()
    sample_rows = np.flatnonzero(_rank_within(dom.to_numpy(), keys) < int(params["tag_sample_docs"]))
    del dom

    def texts_of(rows: np.ndarray) -> pl.DataFrame:
        chosen = corpus.frame[rows.tolist()].select(ID, DOMAIN, LABEL)
        return corpus.with_text(chosen).select(
            pl.Series("doc", rows, dtype=pl.UInt32),
            pl.col(DOMAIN).cast(pl.String).replace_strict(dom_code, return_dtype=pl.UInt32).alias("dom"),
            pl.col(LABEL).cast(pl.String).replace_strict(lab_code, return_dtype=pl.UInt32).alias("lab"),
            TEXT,
            pl.Series("key", keys[rows], dtype=pl.UInt64),
        )

    sample = texts_of(sample_rows)
    # a word of a candidate bigram is as urgent as the bigram
    words = candidates.filter(pl.col("feature").str.contains(" ")).select(
        "dom", pl.col("feature").str.split(" "), "z").explode("feature")
    priority = pl.concat([candidates.select("dom", "feature", "z"), words]).group_by("dom", "feature").agg(pl.col("z").max())
    wanted = tagging_features(candidates).join(priority, on=["dom", "feature"], how="left")
    doc_features = tagging_evidence(
        sample, batches, bool(params["bigrams"]), wanted,
        lambda docs: keys[docs.astype(np.int64)], int(params["tag_docs_per_feature"]), int(params["tag_max_extra_docs"]),
    )
    extra = np.setdiff1d(doc_features["doc"].to_numpy().astype(np.int64), sample_rows)
    texts = pl.concat([sample, texts_of(extra)]) if extra.size else sample
    return doc_features, texts.select("doc", "dom", TEXT, "key").sort("doc")


def _rank_within(group: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Rank (0-based) of each row's key among the rows of its group."""
    order = np.lexsort((keys, group))
    g = group[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[starts, g.size])
    rank = np.empty(g.size, dtype=np.int64)
    rank[order] = np.arange(g.size) - np.repeat(starts, sizes)
    return rank


def _score(
    counts: pl.DataFrame,
    labels: list[str],
    totals: dict[int, int],
    label_totals: dict[tuple[int, int], int],
    params: dict,
) -> pl.DataFrame:
    """Long table (dom, feature, lab) with z, p-values, effects and the candidate mask."""
    long = counts.unpivot(
        index=["dom", "feature", "n"], on=[f"k_{i}" for i in range(len(labels))], variable_name="lab", value_name="k"
    ).with_columns(pl.col("lab").str.slice(2).cast(pl.UInt32))
    lt = pl.DataFrame(
        {
            "dom": [d for d, _ in label_totals],
            "lab": [lab for _, lab in label_totals],
            "n_label": list(label_totals.values()),
            "total": [totals[d] for d, _ in label_totals],
        },
        schema={"dom": pl.UInt32, "lab": pl.UInt32, "n_label": pl.Int64, "total": pl.Int64},
    )
    long = long.join(lt, on=["dom", "lab"], how="inner")
    long = long.filter((pl.col("n_label") > 0) & (pl.col("n_label") < pl.col("total")))
    k = long["k"].to_numpy().astype(float)
    n = long["n"].to_numpy().astype(float)
    n_label = long["n_label"].to_numpy().astype(float)
    total = long["total"].to_numpy().astype(float)
    p0 = n_label / total
    z = proportion_z(k, n, p0)
    p = hypergeom_upper_p(k, n, n_label, total)
    floor = min_attainable_p(n, n_label, total)
    alpha, q = float(params["bonferroni_alpha"]), float(params["bh_q"])
    dom = long["dom"].to_numpy()
    p_bh = np.ones_like(p)
    p_bonf = np.ones_like(p)
    m_family = np.ones_like(p)
    testable = np.zeros(p.shape, dtype=bool)
    for d in np.unique(dom):
        in_domain = np.flatnonzero(dom == d)
        for level, adjusted in ((alpha, None), (q, p_bh)):
            mask, m = tarone_testable(floor[in_domain], level)
            family = in_domain[mask]
            if adjusted is None:  # Bonferroni over Tarone's family at alpha
                p_bonf[family] = np.minimum(1.0, p[family] * m)
                m_family[in_domain] = m
            else:  # Benjamini-Hochberg over Tarone's family at q
                p_bh[family] = bh_adjust(p[family])
                testable[family] = True
    p_hat = k / n
    effect = (p_hat - p0) / (1 - p0)
    with np.errstate(divide="ignore"):
        needed = n_needed(p_hat, p0, alpha / np.maximum(m_family, 1), float(params["power"]))
    long = long.with_columns(
        prior=pl.Series(p0),
        p_hat=pl.Series(p_hat),
        z=pl.Series(z),
        p_value=pl.Series(p),
        p_bh=pl.Series(p_bh),
        p_bonferroni=pl.Series(p_bonf),
        tests=pl.Series(m_family),
        effect=pl.Series(effect),
        npmi=pl.Series(npmi(k, n, n_label, total)),
        n_needed=pl.Series(needed),
    )
    return long.filter(pl.Series(testable)).with_columns(
        candidate=(pl.col("z") > 0)
        & (pl.col("effect") >= float(params["min_effect"]))
        & (pl.col("p_bh") <= q),
        bonferroni=pl.col("p_bonferroni") <= alpha,
    )


def _report(
    corpus: AuditCorpus,
    batches,
    flagged: pl.DataFrame,
    domains: list[str],
    labels: list[str],
    totals: dict[int, int],
    params: dict,
) -> tuple[list[Finding], pl.DataFrame | pl.LazyFrame]:
    frame = corpus.frame
    empty_flags = pl.DataFrame(
        schema={ID: pl.String, "shortcut_features": pl.List(pl.String), "has_shortcut": pl.Boolean}
    )
    if flagged.height == 0:
        return [], empty_flags
    rank = {"error": 2, "warn": 1, "info": 0}
    flagged = flagged.with_columns(
        rank=pl.col("severity").replace_strict(rank, return_dtype=pl.Int8), abs_z=pl.col("z").abs()
    ).sort(["dom", "rank", "abs_z"], descending=[False, True, True])
    cap = int(params["max_findings_per_domain"])
    reported = flagged.group_by("dom", maintain_order=True).head(cap)

    # one more pass: the first rows of the reported features, and the rows holding an alarming
    # (warn/error) feature, which ones (rows without any get the runner's defaults)
    max_ids = int(params["max_row_ids"])
    report_pass = ReportPass(bool(params["bigrams"]), reported, flagged.filter(pl.col("severity") != "info"), max_ids)
    ids = frame[ID]
    flags = corpus.collect_frames(
        "token_shortcut_flags",
        (
            part.select(
                ids.gather(part["doc"]).cast(pl.String).alias(ID),
                "shortcut_features",
                pl.lit(True).alias("has_shortcut"),
                pl.col("doc").cast(pl.Int64).alias(ROW),
            )
            for part in report_pass.flag_batches(batches())
        ),
        empty_flags.with_columns(pl.lit(None, dtype=pl.Int64).alias(ROW)),
    )
    reported_hits = report_pass.first_docs
    docs_by_key = {(d, f, lab): docs for d, f, lab, docs in reported_hits.select("dom", "feature", "lab", "doc").iter_rows()}

    findings: list[Finding] = []
    for row in reported.iter_rows(named=True):
        d, feat, lab = row["dom"], row["feature"], row["lab"]
        domain, label = domains[d], labels[lab]
        tag = row["tag"] or "ordinary_word"
        own_docs = docs_by_key.get((d, feat, lab), [])
        all_docs = sorted(
            [doc for (dd, ff, _), docs in docs_by_key.items() if dd == d and ff == feat for doc in docs]
        )[:max_ids]
        non_lexical = tag in NON_LEXICAL
        statistic = {
            "effect": row["effect"],
            "p_hat": row["p_hat"],
            "prior": row["prior"],
            "z": row["z"],
            "p_value": row["p_value"],
            "p_bh": row["p_bh"],
            "p_bonferroni": row["p_bonferroni"],
            "npmi": row["npmi"],
            "n": row["n"],
            "k": row["k"],
            "n_needed": row["n_needed"],
            "tests": row["tests"],
            "min_count": params["min_count"],
            "min_effect": params["min_effect"],
            "bh_q": params["bh_q"],
            "bonferroni_alpha": params["bonferroni_alpha"],
            # the adjusted p-value bars that apply to this feature's tag
            "threshold_warn": params["bh_q"] if non_lexical else params["bonferroni_alpha"],
            "threshold_error": params["bonferroni_alpha"] if non_lexical else float("nan"),
        }
        allowed_note = " (allow-listed: reported as info)" if row["allowed"] else ""
        message = (
            f"{'Bigram' if ' ' in feat else 'Token'} '{feat}' ({tag.replace('_', ' ')}) is in {row['n']} "
            f"{domain} documents, {row['p_hat']:.0%} of them {label} against a prior of {row['prior']:.0%} "
            f"(z = {row['z']:.1f}, Bonferroni p = {row['p_bonferroni']:.2g}, BH p = {row['p_bh']:.2g})"
            f"{allowed_note}."
        )
        findings.append(
            Finding(
                check=CHECK_ID,
                severity=row["severity"],
                message=message,
                domain=domain,
                label=label,
                feature=feat,
                statistic=statistic,
                rows=int(row["n"]),
                examples=corpus.example_rows(frame[own_docs[:3]]) if own_docs else [],
                advice=ADVICE[tag],
                tag=tag,
                row_ids=[str(v) for v in frame[ID].gather(all_docs).to_list()] if all_docs else [],
            )
        )
    for d in flagged["dom"].unique().sort().to_list():
        in_domain = flagged.filter(pl.col("dom") == d)
        hidden = in_domain.height - min(cap, in_domain.height)
        if hidden <= 0:
            continue
        sev_counts = in_domain["severity"].value_counts()
        count = {s: int(c) for s, c in sev_counts.iter_rows()}
        findings.append(
            Finding(
                check=CHECK_ID,
                severity="info",
                message=(
                    f"{in_domain.height} features flag a label in domain {domains[d]} "
                    f"({count.get('error', 0)} error, {count.get('warn', 0)} warn, {count.get('info', 0)} info); "
                    f"the {cap} most severe are reported, {hidden} more are in the tokens table."
                ),
                domain=domains[d],
                statistic={
                    "effect": 0.0,
                    "flagged": in_domain.height,
                    "reported": cap,
                    "not_reported": hidden,
                    "errors": count.get("error", 0),
                    "warnings": count.get("warn", 0),
                    "infos": count.get("info", 0),
                    "documents": totals.get(d, 0),
                },
                rows=0,
                advice="Raise max_findings_per_domain or read the tokens table for the full list.",
            )
        )
    return findings, flags
