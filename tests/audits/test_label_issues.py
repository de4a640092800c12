"""``label_issues``: flipped labels in real sentences are found and their true label suggested; a
label-permuted control and a corpus too small to cross-validate stay quiet; band B depends on it."""

from __future__ import annotations

import numpy as np
import polars as pl
from _pt_corpus import corpus, deduped, pt_frame

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.checks import label_issues
from corpus_sieve.audits.readiness import readiness
from corpus_sieve.audits.runner import run_audit


def _conversational(shared_data, n: int = 4000) -> pl.DataFrame:
    frame = deduped(pt_frame(shared_data)).filter(pl.col("domain") == "conversational")
    return frame.sample(n, seed=4, shuffle=True)


def test_flipped_labels_are_found_with_their_true_label_suggested(shared_data) -> None:
    frame = _conversational(shared_data)
    flipped = np.random.default_rng(0).random(frame.height) < 0.06
    swap = {"pt-PT": "pt-BR", "pt-BR": "pt-PT"}
    noisy = frame.with_columns(pl.Series("label", [swap[v] if f else v for v, f in zip(frame["label"], flipped)]),
                               pl.Series("flipped", flipped), pl.col("label").alias("truth"))
    result = label_issues.run(corpus(noisy.drop("flipped", "truth")), AuditConfig())
    (finding,) = [f for f in result.findings if f.domain == "conversational"]
    assert finding.severity in ("warn", "error") and finding.statistic["balanced_accuracy"] >= 0.75
    flags = noisy.join(result.flags, on="id")
    found = flags.filter("label_issue")
    precision = found["flipped"].mean()
    recall = found["flipped"].sum() / int(flipped.sum())
    assert precision >= 0.3 and recall >= 0.5, (precision, recall)
    hits = found.filter("flipped")
    assert (hits["suggested_label"] == hits["truth"]).all()  # for a flipped row, the suggestion is its true label
    assert flags.filter(~pl.col("label_issue"))["suggested_label"].null_count() == flags.filter(~pl.col("label_issue")).height


def test_a_label_permuted_control_stays_quiet(shared_data) -> None:
    frame = _conversational(shared_data, 2000).with_columns(pl.col("label").shuffle(seed=1))
    result = label_issues.run(corpus(frame), AuditConfig())
    assert [f.severity for f in result.findings] == ["info"]
    assert "too weak to tell label errors" in result.findings[0].message
    assert not result.flags["label_issue"].any()


def test_a_domain_too_small_to_cross_validate_is_only_noted() -> None:
    frame = pl.DataFrame({"id": [str(i) for i in range(30)], "text": [f"texto {i}" for i in range(30)],
                          "label": ["a", "b"] * 15, "domain": ["web"] * 30})
    result = label_issues.run(corpus(frame), AuditConfig())
    assert [(f.severity, "too few rows" in f.message) for f in result.findings] == [("info", True)]


def test_label_errors_keep_a_corpus_below_band_b(shared_data) -> None:
    frame = _conversational(shared_data)
    flipped = np.random.default_rng(0).random(frame.height) < 0.06
    frame = frame.with_columns(pl.when(pl.Series(flipped)).then(
        pl.when(pl.col("label") == "pt-PT").then(pl.lit("pt-BR")).otherwise(pl.lit("pt-PT"))).otherwise(pl.col("label")).alias("label"))
    result = run_audit(corpus(frame), AuditConfig(), checks=["label_issues"])
    ready = readiness(result)
    assert ready["band"] == "C" and any(r["check"] == "label_issues" and r["band"] == "B" for r in ready["reasons"])
