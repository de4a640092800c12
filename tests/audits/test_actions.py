"""Actions: findings ranked by impact; label vocabulary apart from artifacts, so a sentiment corpus does
not open with "awful predicts Negative"; an ordinary word that marks a label in one domain only is a
source trace."""

from __future__ import annotations

import polars as pl

from corpus_sieve.audits.actions import actions, classify
from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.findings import Finding
from corpus_sieve.audits.runner import run_audit
from _pt_corpus import corpus


def _token(feature: str, tag: str, domain: str, severity: str = "warn", n: int = 40, effect: float = 0.6,
           label: str = "negative") -> Finding:
    return Finding(check="token_shortcut", severity=severity, message=f"{feature}", domain=domain, label=label,
                   feature=feature, tag=tag, rows=n, statistic={"effect": effect, "n": n, "p_hat": 0.95})


def _tokens(rows: list[tuple[str, str, str, int, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["domain", "feature", "label", "n", "p_hat", "prior"], orient="row")


def test_sentiment_words_are_vocabulary_and_a_reviewer_signature_is_the_first_action() -> None:
    frame = pl.DataFrame({"id": ["a", "b"], "text": ["x", "y"], "label": ["negative", "positive"], "domain": ["books", "books"]})
    result = run_audit(corpus(frame), AuditConfig(), checks=[], modules={})
    result.findings = [
        _token("awful", "ordinary_word", "books", severity="error", n=400, effect=0.9),
        _token("terrible", "ordinary_word", "books", n=300, effect=0.8),
        _token("amazon.com", "url_domain", "books", n=30, effect=0.5),
        Finding(check="duplicates", severity="warn", message="dups", rows=12, domain="books"),
    ]
    ranked = actions(result)
    assert [a["feature"] for a in ranked["actions"]] == ["amazon.com", None]
    assert ranked["actions"][0]["title"].startswith("Remove the url domain 'amazon.com' in books")
    assert [v["feature"] for v in ranked["vocabulary"]] == ["awful", "terrible"]  # ranked by impact too


def test_impact_is_severity_times_strength_times_rows() -> None:
    frame = pl.DataFrame({"id": ["a"], "text": ["x"], "label": ["l"], "domain": ["d"]})
    result = run_audit(corpus(frame), AuditConfig(), checks=[], modules={})
    result.findings = [_token("(lusa)", "named_entity", "d", "error", n=20, effect=0.5),
                       _token("123", "number_date", "d", "warn", n=50, effect=0.5)]
    ranked = actions(result)["actions"]
    assert [(a["feature"], a["impact"]) for a in ranked] == [("123", 25.0), ("(lusa)", 30.0)][::-1]


def test_an_ordinary_word_that_marks_a_label_in_one_domain_only_is_an_artifact() -> None:
    word = _token("lisboa", "ordinary_word", "news", n=60)
    elsewhere_flat = _tokens([("news", "lisboa", "negative", 60, 0.95, 0.5), ("wiki", "lisboa", "negative", 80, 0.52, 0.5)])
    elsewhere_skewed = _tokens([("news", "lisboa", "negative", 60, 0.95, 0.5), ("wiki", "lisboa", "negative", 80, 0.9, 0.5)])
    unused_elsewhere = _tokens([("news", "lisboa", "negative", 60, 0.95, 0.5), ("wiki", "lisboa", "negative", 3, 0.5, 0.5)])
    assert classify(word, elsewhere_flat) == "artifact"
    assert classify(word, elsewhere_skewed) == "vocabulary"
    assert classify(word, unused_elsewhere) == "vocabulary"  # nothing to compare with: benefit of the doubt
    assert classify(Finding(check="split_leakage", severity="warn", message="m")) == "data"


def test_a_word_at_the_very_end_of_the_texts_that_hold_it_is_a_signature() -> None:
    body = "O Governo aprovou hoje em Conselho de Ministros o orçamento do Estado para o próximo ano"
    texts = [f"Notícia {i}: {body}, disse a ministra das Finanças. (Lusa)" for i in range(8)] + ["A Lusa disse que sim, hoje."]
    frame = pl.DataFrame({"id": [str(i) for i in range(9)], "text": texts, "label": ["pt-PT"] * 9,
                          "domain": ["news"] * 9})
    signature = _token("lusa", "ordinary_word", "news", label="pt-PT")
    assert classify(signature, None, corpus(frame).frame) == "artifact"
    middle = frame.with_columns(pl.col("text").str.replace(r" \(Lusa\)", "").str.replace("Conselho", "Lusa Conselho"))
    assert classify(signature, None, corpus(middle).frame) == "vocabulary"
