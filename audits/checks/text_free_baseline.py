"""A classifier that never reads a word: if it beats chance, the labels leak through the surface.

What
    A small gradient-boosted tree model (scikit-learn
    ``HistGradientBoostingClassifier``) is trained on the surface properties of
    :mod:`corpus_sieve.audits.stats.properties` only (length, ratios, URL / HTML / mojibake /
    whitespace / quote flags ...; no words), per domain and pooled over domains
    (pooled: the domain is an extra categorical feature).

Statistic
    Stratified ``folds``-fold cross-validated balanced accuracy (mean recall
    over labels) against chance = 1 / number of labels; plain accuracy against
    the majority share is reported next to it. Significance: one-sided normal
    test of balanced accuracy under independence of predictions and labels
    (:func:`corpus_sieve.audits.stats.shortcut_stats.balanced_accuracy_null`). Effect = balanced
    accuracy - chance. The most useful properties come from permutation
    importance (drop of balanced accuracy when one property is shuffled) on a
    held-out fold.

Severity (p <= ``alpha`` required)
    effect >= ``error_lift`` (0.25) -> error, >= ``warn_lift`` (0.10) -> warn,
    >= ``info_lift`` (0.05) -> info. E.g. two balanced labels: balanced accuracy
    0.60 warns, 0.75 fails.

Speed
    Exact duplicate texts count once per domain (copies split across folds
    would be memorised, not learnt). Each evaluation then uses a seeded sample
    of at most ``max_rows`` rows (stratified by domain and label); the finding
    says the sample size.
    Domains with fewer than ``folds`` texts of some label are skipped (listed in
    the ``text_free_baseline`` table).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from corpus_sieve.audits.base import DOMAIN, ID, LABEL, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.findings import Finding
from corpus_sieve.audits.stats.properties import PROPERTIES, TEXT_HASH, corpus_properties
from corpus_sieve.audits.stats.sampling import first_of_each_text, sample_key, stratified_rows
from corpus_sieve.audits.stats.shortcut_stats import balanced_accuracy_null

CHECK_ID = "text_free_baseline"
#: runs on a streamed corpus without loading its texts (see corpus_sieve.audits.base)
STREAMS = True
DEFAULTS: dict[str, float | int] = {
    "folds": 5,
    "max_rows": 20_000,  # rows sampled per evaluation (per domain, and pooled)
    "alpha": 0.01,
    "info_lift": 0.05,  # balanced accuracy above chance
    "warn_lift": 0.10,
    "error_lift": 0.25,
    "max_iter": 60,  # boosting iterations
    "importance_rows": 3_000,  # held-out rows used for permutation importance
    "importance_repeats": 3,
}
POOLED = "(all domains)"
ADVICE = (
    "A model that sees no words but only length, punctuation, casing, markup or encoding traces "
    "predicts the label better than chance: a text classifier will use these cues too, and its test "
    "score will overstate how well it understands the label. Look at the property_shortcut findings "
    "for the properties named here and make them match across labels (normalise whitespace, quotes, "
    "encoding; strip markup; balance lengths) before training."
)


def _model(params: dict, seed: int, categorical: list[bool] | None):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=int(params["max_iter"]),
        learning_rate=0.1,
        max_leaf_nodes=15,
        early_stopping=False,
        categorical_features=categorical,
        random_state=seed,
    )


def _evaluate(data: pl.DataFrame, features: list[str], categorical: list[bool] | None, params: dict, seed: int) -> dict:
    from sklearn.inspection import permutation_importance
    from sklearn.model_selection import StratifiedKFold

    x = data.select(features).to_numpy().astype(np.float64)
    labels = data[LABEL].to_numpy()
    classes, y = np.unique(labels, return_inverse=True)
    folds = StratifiedKFold(n_splits=int(params["folds"]), shuffle=True, random_state=seed)
    proba = np.zeros((len(y), classes.size))
    first = None
    for train, test in folds.split(x, y):
        model = _model(params, seed, categorical).fit(x[train], y[train])
        proba[test] = model.predict_proba(x[test])
        if first is None:
            first = (model, test)
    pred = proba.argmax(axis=1)
    ba, p = balanced_accuracy_null(y, pred)
    model, test = first
    rng = np.random.default_rng(seed)
    held = test if test.size <= params["importance_rows"] else rng.choice(test, int(params["importance_rows"]), replace=False)
    imp = permutation_importance(
        model,
        x[held],
        y[held],
        scoring="balanced_accuracy",
        n_repeats=int(params["importance_repeats"]),
        random_state=seed,
    )
    importance = sorted(zip(features, imp.importances_mean), key=lambda t: -t[1])
    confident = np.argsort(-proba[np.arange(len(y)), pred] * (pred == y))[:3]
    return {
        "balanced_accuracy": ba,
        "p_value": p,
        "accuracy": float(np.mean(pred == y)),
        "majority_share": float(np.bincount(y).max() / len(y)),
        "chance": 1.0 / classes.size,
        "importance": importance,
        "confident_ids": data[ID].gather(confident.tolist()).to_list(),
        "n_sample": len(y),
    }


def _evaluate_single_threaded(*args) -> dict:
    """:func:`_evaluate` with OpenMP limited to one thread: on a busy 2-core machine the
    boosting's OpenMP threads spin-wait and run 10x slower than one thread (measured)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _evaluate(*args)


def _severity(lift: float, p: float, params: dict) -> str | None:
    if p > params["alpha"]:
        return None
    for level in ("error", "warn", "info"):
        if lift >= params[f"{level}_lift"]:
            return level
    return None


def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult:
    params = config.for_check(CHECK_ID, DEFAULTS)
    frame = corpus.frame
    wide = corpus_properties(corpus)
    domains = corpus.domains
    labels = corpus.labels
    domain_code = {d: i for i, d in enumerate(domains)}
    keys = wide.select(
        pl.col(DOMAIN).replace_strict(domain_code, return_dtype=pl.UInt32).alias("dom"),
        pl.col(LABEL).replace_strict({lab: i for i, lab in enumerate(labels)}, return_dtype=pl.UInt32).alias("lab"),
        pl.col(TEXT_HASH),
    ).collect(engine="streaming")
    dom, lab = keys["dom"].to_numpy(), keys["lab"].to_numpy()
    text_hash = keys[TEXT_HASH].to_numpy()
    del keys
    # exact duplicates would land in both train and test folds and let the model
    # memorise their property vectors: each distinct text counts once per domain
    distinct = first_of_each_text(dom, text_hash)
    cell = dom.astype(np.int64) * max(len(labels), 1) + lab
    sample_keys = sample_key(text_hash, config.seed)
    del text_hash
    features = list(PROPERTIES)
    # drop properties that are constant in the whole corpus (nothing to learn, and saves time)
    bounds = wide.select(*[pl.col(c).min().alias(f"min_{c}") for c in features],
                         *[pl.col(c).max().alias(f"max_{c}") for c in features]).collect(engine="streaming")
    varying = [c for c in features if bounds[f"min_{c}"][0] != bounds[f"max_{c}"][0]]
    max_rows = int(params["max_rows"])
    picks = [(d, stratified_rows(cell, sample_keys, distinct & (dom == i), max_rows), varying, None)
             for i, d in enumerate(domains)]
    if len(domains) > 1:
        picks.append((POOLED, stratified_rows(cell, sample_keys, distinct, max_rows),
                      varying + ["domain_code"], [False] * len(varying) + [True]))
    wanted = np.unique(np.concatenate([rows for _, (rows, _n), _, _ in picks]))
    sampled = (
        wide.with_row_index("_row")
        .filter(pl.col("_row").is_in(pl.Series(wanted, dtype=pl.UInt32).implode()))
        .with_columns(pl.col(DOMAIN).replace_strict(domain_code, return_dtype=pl.Int64).alias("domain_code"))
        .collect(engine="streaming")
        .sort("_row")
    )
    scopes: list[tuple[str, pl.DataFrame, int, list[str], list[bool] | None]] = [
        (d, sampled.filter(pl.col("_row").is_in(pl.Series(rows, dtype=pl.UInt32).implode())), n, cols, categorical)
        for d, (rows, n), cols, categorical in picks
    ]
    del dom, lab, cell, sample_keys, distinct

    findings, rows = [], []
    for scope, sample, scope_rows, cols, categorical in scopes:
        counts = sample[LABEL].value_counts()
        n_labels = counts.height
        smallest = int(counts["count"].min()) if n_labels else 0
        base = {"domain": scope, "rows": scope_rows, "labels": n_labels}
        if n_labels < 2 or smallest < int(params["folds"]) or not cols:
            rows.append({**base, "skipped": "fewer than 2 labels or too few texts per label"})
            continue
        result = _evaluate_single_threaded(sample, cols, categorical, params, config.seed)
        lift = result["balanced_accuracy"] - result["chance"]
        severity = _severity(lift, result["p_value"], params)
        top = [(name, value) for name, value in result["importance"][:5]]
        rows.append(
            {
                **base,
                "skipped": None,
                "n_sample": result["n_sample"],
                "balanced_accuracy": result["balanced_accuracy"],
                "chance": result["chance"],
                "accuracy": result["accuracy"],
                "majority_share": result["majority_share"],
                "p_value": result["p_value"],
                "severity": severity,
                "top_features": ", ".join(f"{n} ({v:.3f})" for n, v in top),
            }
        )
        if severity is None:
            continue
        where = "pooled over domains (domain as a feature)" if scope == POOLED else f"in domain {scope}"
        named = ", ".join(f"{n} (+{v:.3f})" for n, v in top if v > 0) or "none stands out"
        message = (
            f"A classifier on surface properties only (no words) {where} reaches balanced accuracy "
            f"{result['balanced_accuracy']:.3f} against chance {result['chance']:.3f} "
            f"({int(params['folds'])}-fold CV on {result['n_sample']:,} of {scope_rows:,} distinct texts; accuracy "
            f"{result['accuracy']:.3f} vs majority {result['majority_share']:.3f}; p = {result['p_value']:.2g}). "
            f"Most useful properties (permutation importance): {named}."
        )
        statistic = {
            "effect": lift,
            "balanced_accuracy": result["balanced_accuracy"],
            "chance": result["chance"],
            "accuracy": result["accuracy"],
            "majority_share": result["majority_share"],
            "p_value": result["p_value"],
            "n_sample": result["n_sample"],
            "folds": params["folds"],
            "threshold_info": params["info_lift"],
            "threshold_warn": params["warn_lift"],
            "threshold_error": params["error_lift"],
            "alpha": params["alpha"],
            **{f"importance_{n}": v for n, v in top},
        }
        examples = corpus.example_rows(frame.filter(pl.col(ID).is_in(result["confident_ids"])))
        findings.append(
            Finding(
                check=CHECK_ID,
                severity=severity,
                message=message,
                domain=None if scope == POOLED else scope,
                feature=top[0][0] if top and top[0][1] > 0 else None,
                statistic=statistic,
                rows=scope_rows,
                examples=examples,
                advice=ADVICE,
            )
        )
    table = pl.DataFrame(
        rows,
        schema={
            "domain": pl.String,
            "rows": pl.Int64,
            "labels": pl.Int64,
            "skipped": pl.String,
            "n_sample": pl.Int64,
            "balanced_accuracy": pl.Float64,
            "chance": pl.Float64,
            "accuracy": pl.Float64,
            "majority_share": pl.Float64,
            "p_value": pl.Float64,
            "severity": pl.String,
            "top_features": pl.String,
        },
    )
    return CheckResult(findings=findings, tables={"text_free_baseline": table}, flags=None)
