"""conflicting_labels: FRMT's real cross-variety identical pairs, planted conflicts, quiet controls."""

from __future__ import annotations

import numpy as np
import polars as pl
from _pt_corpus import corpus, deduped, loud, perturb, pt_frame

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.checks import conflicting_labels


def test_frmt_identical_cross_variety_pairs_are_found(shared_data):
    """About 35 FRMT pairs are word-for-word identical in pt-PT and pt-BR (shared/data/README.md)."""
    frmt = pt_frame(shared_data).filter(pl.col("domain") == "wiki")
    result = conflicting_labels.run(corpus(frmt), AuditConfig())
    [exact] = [f for f in result.findings if f.feature == "exact"]
    assert 30 <= exact.statistic["groups"] <= 45
    assert exact.severity == "warn" and exact.rows == 2 * exact.statistic["groups"]
    assert {e.label for e in exact.examples} == {"pt-PT", "pt-BR"}
    flagged = result.flags.filter("conflicting")
    assert flagged.height >= exact.rows
    # every flagged group holds both labels
    labels = flagged.join(frmt.select("id", "label"), on="id").group_by("conflict_group").agg(pl.col("label").n_unique())
    assert labels["label"].min() == 2


def test_planted_exact_and_near_conflicts(shared_data):
    news = deduped(pt_frame(shared_data).filter(pl.col("domain") == "news"))
    pt = news.filter(pl.col("label") == "pt-PT").head(40)
    rng = np.random.default_rng(1)
    exact = pt.head(20).with_columns(id=pl.col("id") + "-br", label=pl.lit("pt-BR"))
    near = pt.slice(20, 20).with_columns(
        id=pl.col("id") + "-near", label=pl.lit("pt-BR"), text=pl.col("text").map_elements(lambda t: perturb(t, rng, 1), return_dtype=pl.String)
    )
    frame = pl.concat([news, exact, near])
    result = conflicting_labels.run(corpus(frame), AuditConfig())
    by_kind = {f.feature: f for f in result.findings if f.domain is None}
    assert by_kind["exact"].statistic["groups"] == 20
    assert by_kind["near"].statistic["groups"] >= 18  # one edit in a news sentence keeps Jaccard >= 0.9
    assert by_kind["near"].severity == "warn"
    flagged = set(result.flags.filter("conflicting")["id"].to_list())
    assert set(exact["id"]) <= flagged and set(pt.head(20)["id"]) <= flagged


def test_many_conflicts_are_an_error():
    texts = [f"Frase número {i} sobre o tempo." for i in range(200)]
    frame = pl.DataFrame(
        {"id": [f"{l}{i}" for l in "ab" for i in range(200)], "text": texts * 2, "label": ["pt-PT"] * 200 + ["pt-BR"] * 200, "domain": "web"}
    )
    result = conflicting_labels.run(corpus(frame), AuditConfig())
    [f] = [f for f in result.findings if f.feature == "exact"]
    assert f.severity == "error" and f.statistic["groups"] == 200


def test_clean_and_same_label_duplicates_stay_quiet(shared_data):
    news = deduped(pt_frame(shared_data).filter(pl.col("domain") == "news"))
    same_label_copies = news.head(30).with_columns(id=pl.col("id") + "-copy")
    result = conflicting_labels.run(corpus(pl.concat([news, same_label_copies])), AuditConfig())
    assert loud(result) == [] and not result.flags["conflicting"].any()
