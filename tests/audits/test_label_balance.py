"""label_balance on real pt-PT / pt-BR sentences with planted imbalance and missing labels."""

from __future__ import annotations

import polars as pl
from _pt_corpus import corpus, loud, pt_frame, with_splits

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.checks import label_balance


def test_balanced_real_corpus_stays_quiet(shared_data):
    result = label_balance.run(corpus(with_splits(pt_frame(shared_data))), AuditConfig())
    assert loud(result) == []
    info = result.findings[-1]
    assert info.severity == "info" and info.statistic["normalised_entropy"] > 0.99
    heat = result.tables["domain_label_heatmap"]
    assert heat["domains"] == ["conversational", "news", "wiki"] and heat["labels"] == ["pt-BR", "pt-PT"]
    assert heat["counts"][1] == [1000, 1000]  # DSLCC: 1,000 per variety


def test_planted_imbalance_in_one_domain_warns(shared_data):
    frame = pt_frame(shared_data)
    news_br = frame.filter((pl.col("domain") == "news") & (pl.col("label") == "pt-BR"))
    frame = frame.filter(~pl.col("id").is_in(news_br["id"].tail(900).implode()))  # keep 10% of pt-BR news
    result = label_balance.run(corpus(frame), AuditConfig())
    [finding] = loud(result)
    assert (finding.severity, finding.domain, finding.label) == ("warn", "news", "pt-BR")
    assert finding.statistic["imbalance_ratio"] == 10.0
    assert finding.statistic["smallest_class"] == 100
    assert finding.statistic["threshold_warn"] == 3.0
    assert all(e.label == "pt-BR" for e in finding.examples)


def test_missing_label_in_a_split_is_an_error(shared_data):
    frame = with_splits(pt_frame(shared_data))
    frame = frame.filter(~((pl.col("domain") == "wiki") & (pl.col("split") == "test") & (pl.col("label") == "pt-PT")))
    result = label_balance.run(corpus(frame), AuditConfig())
    errors = [f for f in result.findings if f.severity == "error"]
    assert [(f.domain, f.split, f.label) for f in errors] == [("wiki", "test", "pt-PT")]
    assert "missing" in errors[0].message


def test_missing_label_in_a_domain_reported_once(shared_data):
    frame = with_splits(pt_frame(shared_data)).filter(~((pl.col("domain") == "conversational") & (pl.col("label") == "pt-BR")))
    result = label_balance.run(corpus(frame), AuditConfig())
    errors = [f for f in result.findings if f.severity == "error"]
    assert [(f.domain, f.split, f.label) for f in errors] == [("conversational", None, "pt-BR")]


def test_threshold_override_and_inline_rows():
    frame = pl.DataFrame(
        {"id": list("abcde"), "text": ["Olá.", "Oi!", "Bom dia.", "Boa tarde.", "Tchau."], "label": ["pt-PT"] * 3 + ["pt-BR"] * 2, "domain": "web"}
    )
    assert loud(label_balance.run(corpus(frame), AuditConfig())) == []
    result = label_balance.run(corpus(frame), AuditConfig(thresholds={"label_balance": {"imbalance_warn": 1.2}}))
    assert [f.severity for f in loud(result)] == ["warn"]
