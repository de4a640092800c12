"""Surface properties that give the label away (Clever Hans, non-lexical).

What
    Every property of :mod:`corpus_sieve.audits.stats.properties` (length, word length, punctuation /
    uppercase / digit ratios, URLs, mentions, hashtags, emoji, HTML residue,
    mojibake, non-NFC text, edge whitespace, quote style, trailing punctuation)
    is compared between each label and the other labels of the same domain.

Statistic
    Mann-Whitney U as an AUC: the probability that a text of label ``y`` has a
    larger value than a text of another label (ties count one half), computed
    from value counts (exact, tie-corrected normal p-value, two-sided). Effect
    ``|2·AUC - 1|`` (0 = no separation, 1 = complete; for a 0/1 property it is
    the difference of the two shares). With two labels only the label with
    ``AUC >= 0.5`` is reported (the other is its mirror image).
    Across domains (when there are several): numeric properties get the
    within-domain pooled AUC (sum of per-domain U over the sum of per-domain
    pairs) with the stratified U test; 0/1 properties get the
    Cochran-Mantel-Haenszel test (label y vs rest x property present, one 2x2
    table per domain) with the Mantel-Haenszel common odds ratio, and effect =
    the Mantel-Haenszel weighted difference of shares.
    Bonferroni over all tests of the check (``alpha``).

Severity (p_bonferroni <= alpha required)
    effect >= ``error_effect`` (0.4) -> error, >= ``warn_effect`` (0.2) -> warn,
    >= ``info_effect`` (0.1) -> info.

Tables
    ``property_tests`` (every per-domain and pooled test), ``property_quantiles``
    (per domain, property, label: n, mean, q05 q25 q50 q75 q95) and
    ``property_histograms`` (per domain, property, label: ``bins`` equal bins
    between the domain's 1st and 99th percentile, 0/1 properties two bins).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

from corpus_sieve.audits.base import DOMAIN, ID, LABEL, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Finding
from corpus_sieve.audits.stats.properties import BINARY_PROPERTIES, PROPERTIES, corpus_properties
from corpus_sieve.audits.stats.shortcut_stats import cmh_test

CHECK_ID = "property_shortcut"
#: runs on a streamed corpus without loading its texts (see corpus_sieve.audits.base)
STREAMS = True
DEFAULTS: dict[str, float | int] = {
    "alpha": 0.01,  # Bonferroni family-wise error rate over all the check's tests
    "info_effect": 0.1,  # |2·AUC - 1| (or MH difference of shares) for info
    "warn_effect": 0.2,
    "error_effect": 0.4,
    "bins": 20,  # histogram bins for the report
    "max_row_ids": 10_000,
}
#: the domain value of the across-domain (stratified) tests in the tables
POOLED = "(all domains)"

ADVICE = {
    "length": (
        "Text length differs by label, so a model can classify by length alone. Make the length "
        "distributions match (length filters, or sample per label within length bins) or truncate "
        "texts to a common length."
    ),
    "whitespace": "Whitespace at the edges is a trace of the extraction; normalise whitespace (strip) in cleaning.",
    "markup": "HTML tags or entities left over differ by source; strip tags and decode entities in cleaning.",
    "encoding": (
        "Mojibake or non-NFC text comes from one source's encoding pipeline; repair the encoding and "
        "normalise to NFC in cleaning (never strip diacritics)."
    ),
    "web": "URLs, @mentions, #hashtags or emoji mark the platform a text came from; remove or mask them.",
    "typography": (
        "Quote style, punctuation, casing or digits differ by label: often a source's house style or "
        "a cleaning step applied to one source only. Normalise typography consistently, or confirm it "
        "is a real property of the label."
    ),
}
_ADVICE_OF = {
    "n_chars": "length",
    "n_tokens": "length",
    "mean_word_len": "length",
    "n_newlines": "length",
    "leading_ws": "whitespace",
    "trailing_ws": "whitespace",
    "n_html_tags": "markup",
    "n_html_entities": "markup",
    "has_html_tag": "markup",
    "has_html_entity": "markup",
    "n_mojibake": "encoding",
    "has_mojibake": "encoding",
    "non_nfc": "encoding",
    "n_urls": "web",
    "n_mentions": "web",
    "n_hashtags": "web",
    "n_emoji": "web",
    "has_url": "web",
    "has_mention": "web",
    "has_hashtag": "web",
    "has_emoji": "web",
}


def _value_counts(props: pl.LazyFrame, labels: list[str], domains: list[str]) -> pl.DataFrame:
    """(domain, property, value) with the count of each label (``k_i``) and in all (``t``).

    Every statistic of the check (U, quantiles, histograms) is computed from this
    table, which has one row per distinct value instead of one per text: one
    group-by per property on integer-coded domain and label, run in parallel.
    """
    k_cols = [f"k_{i}" for i in range(len(labels))]
    coded = props.select(
        *PROPERTIES,
        pl.col(DOMAIN).replace_strict({d: i for i, d in enumerate(domains)}, return_dtype=pl.UInt32).alias("_dom"),
        pl.col(LABEL).replace_strict({lab: i for i, lab in enumerate(labels)}, return_dtype=pl.UInt32).alias("_lab"),
    )
    queries = [
        coded.group_by("_dom", pl.col(prop).cast(pl.Float64).alias("value"))
        .agg(*[(pl.col("_lab") == i).sum().cast(pl.Int64).alias(k) for i, k in enumerate(k_cols)])
        .with_columns(property=pl.lit(prop))
        for prop in PROPERTIES
    ]
    counts = pl.concat(pl.collect_all(queries, engine="streaming"))
    return (
        counts.select(
            pl.col("_dom").replace_strict(dict(enumerate(domains)), return_dtype=pl.String).alias("domain"),
            "property",
            "value",
            *k_cols,
        )
        .sort("domain", "property", "value")
        .with_columns(t=pl.sum_horizontal(k_cols))
    )


def _u_statistics(counts: pl.DataFrame, labels: list[str]) -> pl.DataFrame:
    """Per (domain, property, label): U of label vs rest, n_label, n_rest, tie term."""
    k_cols = [f"k_{i}" for i in range(len(labels))]
    key = ["domain", "property"]
    below_all = pl.col("t").cum_sum().over(key) - pl.col("t")
    rows = []
    for i, k in enumerate(k_cols):
        below_k = pl.col(k).cum_sum().over(key) - pl.col(k)
        u = pl.col(k) * ((below_all - below_k) + 0.5 * (pl.col("t") - pl.col(k)))
        rows.append(
            counts.group_by(key)
            .agg(
                u=u.sum(),
                n_label=pl.col(k).sum(),
                n_total=pl.col("t").sum(),
                ties=(pl.col("t").cast(pl.Float64) ** 3 - pl.col("t")).sum(),
            )
            .with_columns(label=pl.lit(labels[i]))
        )
    return pl.concat(rows).with_columns(n_rest=pl.col("n_total") - pl.col("n_label"))


def _u_test(u: np.ndarray, n1: np.ndarray, n0: np.ndarray, ties: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUC and two-sided tie-corrected normal p-value of U (numpy, vectorised)."""
    n = n1 + n0
    pairs = n1 * n0
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = np.where(pairs > 0, u / pairs, 0.5)
        var = pairs / 12.0 * ((n + 1) - ties / (n * (n - 1)))
        z = (u - pairs / 2.0) / np.sqrt(var)
    p = np.where((pairs > 0) & (var > 0), np.minimum(1.0, 2 * stats.norm.sf(np.abs(np.nan_to_num(z)))), 1.0)
    return auc, p


def _tests(counts: pl.DataFrame, labels: list[str], multi_domain: bool) -> pl.DataFrame:
    per = _u_statistics(counts, labels)
    u, n1, n0, ties = (per[c].to_numpy().astype(float) for c in ("u", "n_label", "n_rest", "ties"))
    pairs = n1 * n0
    n = n1 + n0
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.where(n > 1, pairs / 12.0 * ((n + 1) - ties / (n * (n - 1))), 0.0)
    auc, p = _u_test(u, n1, n0, ties)
    per = per.with_columns(auc=pl.Series(auc), p_value=pl.Series(p), var=pl.Series(var), pairs=pl.Series(pairs))
    out = [per.select("domain", "property", "label", "auc", "p_value", "n_label", "n_rest")]
    if multi_domain:
        numeric = per.filter(~pl.col("property").is_in(list(BINARY_PROPERTIES)))
        pooled = numeric.group_by("property", "label").agg(
            pl.col("u").sum(),
            pl.col("pairs").sum(),
            pl.col("var").sum(),
            pl.col("n_label").sum(),
            pl.col("n_rest").sum(),
        )
        pu, pp, pv = (pooled[c].to_numpy().astype(float) for c in ("u", "pairs", "var"))
        with np.errstate(divide="ignore", invalid="ignore"):
            pauc = np.where(pp > 0, pu / pp, 0.5)
            z = (pu - pp / 2.0) / np.sqrt(pv)
        pval = np.where(pv > 0, np.minimum(1.0, 2 * stats.norm.sf(np.abs(np.nan_to_num(z)))), 1.0)
        out.append(
            pooled.with_columns(domain=pl.lit(POOLED), auc=pl.Series(pauc), p_value=pl.Series(pval)).select(
                "domain", "property", "label", "auc", "p_value", "n_label", "n_rest"
            )
        )
    tests = pl.concat(out).with_columns(effect=(2 * pl.col("auc") - 1).abs(), test=pl.lit("mann_whitney"))
    if len(labels) == 2:  # the other label is the mirror image
        tests = tests.filter((pl.col("auc") > 0.5) | ((pl.col("auc") == 0.5) & (pl.col("label") == labels[0])))
    return tests


def _cmh(props: pl.LazyFrame, labels: list[str]) -> pl.DataFrame:
    counts = (
        props.group_by(pl.col(DOMAIN).alias("domain"), pl.col(LABEL).alias("label"))
        .agg(pl.len().alias("n"), *[pl.col(b).sum() for b in BINARY_PROPERTIES])
        .collect(engine="streaming")
    )
    domains = sorted(counts["domain"].unique().to_list())
    index = {(r["domain"], r["label"]): r for r in counts.iter_rows(named=True)}
    rows = []
    for prop in BINARY_PROPERTIES:
        for label in labels if len(labels) > 2 else labels[:1]:
            tables = []
            for d in domains:
                yes = index.get((d, label))
                a = yes[prop] if yes else 0
                n1 = yes["n"] if yes else 0
                c = sum(index[(d, lab)][prop] for lab in labels if lab != label and (d, lab) in index)
                n0 = sum(index[(d, lab)]["n"] for lab in labels if lab != label and (d, lab) in index)
                tables.append([[a, n1 - a], [c, n0 - c]])
            r = cmh_test(np.array(tables, dtype=float))
            shown = label
            if len(labels) == 2 and r["risk_difference"] < 0:  # report the label the property points to
                shown = labels[1]
                r = {**r, "risk_difference": -r["risk_difference"], "odds_ratio": 1.0 / r["odds_ratio"] if r["odds_ratio"] else np.inf}
            rows.append(
                {
                    "property": prop,
                    "label": shown,
                    "chi2": r["chi2"],
                    "p_value": r["p_value"],
                    "odds_ratio": r["odds_ratio"],
                    "risk_difference": r["risk_difference"],
                    "effect": abs(r["risk_difference"]),
                    "present": int(sum(t[0][0] + t[1][0] for t in tables)),
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "property": pl.String,
            "label": pl.String,
            "chi2": pl.Float64,
            "p_value": pl.Float64,
            "odds_ratio": pl.Float64,
            "risk_difference": pl.Float64,
            "effect": pl.Float64,
            "present": pl.Int64,
        },
    )


def _distribution_tables(counts: pl.DataFrame, labels: list[str], bins: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Quantiles (nearest rank) and histograms per (domain, property, label), from the value counts."""
    per_label = counts.unpivot(
        index=["domain", "property", "value"], on=[f"k_{i}" for i in range(len(labels))], variable_name="label", value_name="k"
    ).with_columns(pl.col("label").str.slice(2).cast(pl.Int64).replace_strict(dict(enumerate(labels)), return_dtype=pl.String))
    per_label = per_label.filter(pl.col("k") > 0).sort("domain", "property", "label", "value")
    key = ["domain", "property", "label"]
    cum = pl.col("k").cum_sum().over(key)
    n = pl.col("k").sum().over(key)
    ranked = per_label.with_columns(cum=cum, n=n)

    def quantile(q: float) -> pl.Expr:
        return pl.col("value").filter(pl.col("cum") >= q * pl.col("n")).first()

    quantiles = (
        ranked.group_by(key)
        .agg(
            n=pl.col("k").sum(),
            mean=(pl.col("value") * pl.col("k")).sum() / pl.col("k").sum(),
            q05=quantile(0.05),
            q25=quantile(0.25),
            q50=quantile(0.50),
            q75=quantile(0.75),
            q95=quantile(0.95),
        )
        .sort(key)
    )
    pooled = counts.with_columns(cum=pl.col("t").cum_sum().over("domain", "property"), n=pl.col("t").sum().over("domain", "property"))
    ranges = pooled.group_by("domain", "property").agg(
        lo=pl.col("value").filter(pl.col("cum") >= 0.01 * pl.col("n")).first(),
        hi=pl.col("value").filter(pl.col("cum") >= 0.99 * pl.col("n")).first(),
    )
    binary = pl.col("property").is_in(list(BINARY_PROPERTIES))
    width = pl.when(pl.col("hi") > pl.col("lo")).then((pl.col("hi") - pl.col("lo")) / bins).otherwise(1.0)
    hist = (
        per_label.join(ranges, on=["domain", "property"])
        .with_columns(width=pl.when(binary).then(1.0).otherwise(width))
        .with_columns(
            bin=pl.when(binary)
            .then(pl.col("value").clip(0, 1))
            .otherwise(((pl.col("value").clip(pl.col("lo"), pl.col("hi")) - pl.col("lo")) / pl.col("width")).floor().clip(0, bins - 1))
            .cast(pl.Int32)
        )
        .group_by("domain", "property", "label", "bin")
        .agg(count=pl.col("k").sum(), lo=pl.col("lo").first(), width=pl.col("width").first())
        .with_columns(
            bin_left=pl.when(binary).then(pl.col("bin").cast(pl.Float64)).otherwise(pl.col("lo") + pl.col("bin") * pl.col("width")),
            bin_right=pl.when(binary).then(pl.col("bin").cast(pl.Float64)).otherwise(pl.col("lo") + (pl.col("bin") + 1) * pl.col("width")),
        )
        .select("domain", "property", "label", "bin", "bin_left", "bin_right", "count")
        .sort("domain", "property", "label", "bin")
    )
    return quantiles, hist


def _severity(effect: float, p_adj: float, params: dict) -> str | None:
    if p_adj > params["alpha"]:
        return None
    if effect >= params["error_effect"]:
        return "error"
    if effect >= params["warn_effect"]:
        return "warn"
    if effect >= params["info_effect"]:
        return "info"
    return None


def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    params = config.for_check(CHECK_ID, DEFAULTS)
    frame = corpus.frame
    labels, domains = corpus.labels, corpus.domains
    wide = corpus_properties(corpus)
    multi_domain = len(domains) > 1
    counts = _value_counts(wide, labels, domains)
    tests = _tests(counts, labels, multi_domain)
    cmh = _cmh(wide, labels) if multi_domain else None
    m = tests.height + (cmh.height if cmh is not None else 0)
    tests = tests.with_columns(p_bonferroni=(pl.col("p_value") * m).clip(upper_bound=1.0))
    if cmh is not None:
        cmh = cmh.with_columns(p_bonferroni=(pl.col("p_value") * m).clip(upper_bound=1.0))
    quantiles, hist = _distribution_tables(counts, labels, int(params["bins"]))
    medians = {(r[0], r[1], r[2]): r[3] for r in quantiles.select("domain", "property", "label", "q50").iter_rows()}
    means = {(r[0], r[1], r[2]): (r[3], r[4]) for r in quantiles.select("domain", "property", "label", "mean", "n").iter_rows()}

    findings: list[Finding] = []
    wide = wide.select(pl.col(ID).alias("_id"), pl.col(DOMAIN).alias("domain"), pl.col(LABEL).alias("label"),
                       *PROPERTIES).with_row_index("_row")
    with_text = frame
    for row in tests.iter_rows(named=True):
        severity = _severity(row["effect"], row["p_bonferroni"], params)
        if severity is None:
            continue
        findings.append(_mwu_finding(corpus, with_text, wide, row, severity, labels, medians, means, params))
    if cmh is not None:
        for row in cmh.iter_rows(named=True):
            severity = _severity(row["effect"], row["p_bonferroni"], params)
            if severity is None:
                continue
            findings.append(_cmh_finding(corpus, with_text, wide, row, severity, params, m))
    tables = {
        "property_tests": tests.with_columns(
            severity=pl.struct("effect", "p_bonferroni").map_elements(
                lambda r: _severity(r["effect"], r["p_bonferroni"], params), return_dtype=pl.String
            )
        ),
        "property_quantiles": quantiles,
        "property_histograms": hist,
    }
    if cmh is not None:
        tables["property_cmh"] = cmh
    return CheckResult(findings=findings, tables=tables, flags=None)


def _label_mean(means: dict, domain: str, prop: str, labels: list[str], label: str, rest: bool) -> float:
    chosen = [lab for lab in labels if (lab != label if rest else lab == label)]
    total = sum(means.get((domain, prop, lab), (0.0, 0))[1] for lab in chosen)
    if not total:
        return float("nan")
    return sum(means[(domain, prop, lab)][0] * means[(domain, prop, lab)][1] for lab in chosen if (domain, prop, lab) in means) / total


def _thresholds(params: dict) -> dict[str, float]:
    return {
        "threshold_info": params["info_effect"],
        "threshold_warn": params["warn_effect"],
        "threshold_error": params["error_effect"],
        "alpha": params["alpha"],
    }


def _mwu_finding(corpus, frame, wide, row, severity, labels, medians, means, params) -> Finding:
    prop, label, domain = row["property"], row["label"], row["domain"]
    pooled = domain == POOLED
    higher = row["auc"] >= 0.5
    scope = wide if pooled else wide.filter(pl.col("domain") == domain)
    binary = prop in BINARY_PROPERTIES
    affected = scope.filter(pl.col(prop) == 1) if binary else scope.filter(pl.col("label") == label)
    example_src = scope.filter(pl.col("label") == label)
    example_src = (
        example_src.filter(pl.col(prop) == 1)
        if binary
        else example_src.sort([prop, "_row"], descending=[higher, False])
    )
    queries = [
        affected.select(pl.len().alias("rows")),
        example_src.select("_id").head(3),
        affected.select("_id").head(int(params["max_row_ids"]) if binary else 0),
        scope.group_by(pl.col("label") == label).agg(pl.col(prop).mean()),
    ]
    n_affected, example_ids, id_frame, pooled_means = pl.collect_all(queries, engine="streaming")
    pooled_mean = {bool(k): v for k, v in pooled_means.iter_rows()}
    mean_label = _label_mean(means, domain, prop, labels, label, rest=False) if not pooled else float(
        pooled_mean.get(True) if pooled_mean.get(True) is not None else float("nan")
    )
    mean_rest = _label_mean(means, domain, prop, labels, label, rest=True) if not pooled else float(
        pooled_mean.get(False) if pooled_mean.get(False) is not None else float("nan")
    )
    where = "across domains (within-domain comparison)" if pooled else f"in domain {domain}"
    if binary:
        detail = f"present in {mean_label:.1%} of {label} texts vs {mean_rest:.1%} of the others"
    else:
        med = medians.get((domain, prop, label))
        detail = (
            f"{'higher' if higher else 'lower'} in {label} texts than in the others (mean {mean_label:.3g} vs "
            f"{mean_rest:.3g}{'' if med is None else f', median for {label} {med:.3g}'})"
        )
    message = (
        f"Property {prop} {where} is {detail}: AUC = {row['auc']:.3f}, |2·AUC−1| = {row['effect']:.2f}, "
        f"Bonferroni p = {row['p_bonferroni']:.2g}."
    )
    examples = corpus.example_rows(frame.filter(pl.col(ID).is_in(example_ids["_id"].implode())))
    row_ids = id_frame["_id"].to_list()
    return Finding(
        check=CHECK_ID,
        severity=severity,
        message=message,
        domain=None if pooled else domain,
        label=label,
        feature=prop,
        statistic={
            "effect": row["effect"],
            "auc": row["auc"],
            "p_value": row["p_value"],
            "p_bonferroni": row["p_bonferroni"],
            "mean_label": mean_label,
            "mean_rest": mean_rest,
            "n_label": row["n_label"],
            "n_rest": row["n_rest"],
            **_thresholds(params),
        },
        rows=int(n_affected["rows"][0]),
        examples=examples,
        advice=ADVICE[_ADVICE_OF.get(prop, "typography")],
        tag=_ADVICE_OF.get(prop, "typography"),
        row_ids=[str(v) for v in row_ids],
    )


def _cmh_finding(corpus, frame, wide, row, severity, params, m) -> Finding:
    prop, label = row["property"], row["label"]
    carriers = wide.filter(pl.col(prop) == 1)
    message = (
        f"Property {prop} goes with label {label} across domains, controlling for domain "
        f"(Cochran-Mantel-Haenszel): Mantel-Haenszel difference of shares {row['risk_difference']:+.1%}, "
        f"common odds ratio {row['odds_ratio']:.3g}, chi² = {row['chi2']:.1f}, Bonferroni p = {row['p_bonferroni']:.2g}."
    )
    n_carriers, example_ids, id_frame = pl.collect_all(
        [
            carriers.select(pl.len().alias("rows")),
            carriers.filter(pl.col("label") == label).select("_id").head(3),
            carriers.select("_id").head(int(params["max_row_ids"])),
        ],
        engine="streaming",
    )
    return Finding(
        check=CHECK_ID,
        severity=severity,
        message=message,
        domain=None,
        label=label,
        feature=prop,
        statistic={
            "effect": row["effect"],
            "risk_difference": row["risk_difference"],
            "odds_ratio": row["odds_ratio"],
            "chi2": row["chi2"],
            "p_value": row["p_value"],
            "p_bonferroni": row["p_bonferroni"],
            "present": row["present"],
            **_thresholds(params),
        },
        rows=int(n_carriers["rows"][0]),
        examples=corpus.example_rows(frame.filter(pl.col(ID).is_in(example_ids["_id"].implode()))),
        advice=ADVICE[_ADVICE_OF.get(prop, "typography")],
        tag=_ADVICE_OF.get(prop, "typography"),
        row_ids=[str(v) for v in id_frame["_id"].to_list()],
    )
