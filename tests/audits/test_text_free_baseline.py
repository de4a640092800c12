"""text_free_baseline: a words-free classifier finds planted surface shortcuts and
stays at chance on label-permuted controls."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from _shortcut_data import corpus, dslcc, loud, permuted, plant, tatoeba

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.checks import text_free_baseline
from corpus_sieve.audits.stats.shortcut_stats import balanced_accuracy_null


def test_planted_trailing_whitespace_is_found_and_named(shared_data):
    frame = plant(dslcc(shared_data), "pt-PT", 0.6, lambda t: t + "  ")
    result = text_free_baseline.run(corpus(frame), AuditConfig())
    [f] = [f for f in result.findings if f.domain == "news"]
    assert f.severity == "error"
    assert f.feature == "trailing_ws"
    assert f.statistic["balanced_accuracy"] >= 0.75 and f.statistic["chance"] == 0.5
    assert f.statistic["n_sample"] == 2000 and f.statistic["threshold_error"] == 0.25
    assert "trailing_ws" in f.message and "2,000" in f.message
    assert all(e.text.endswith("  ") and e.label == "pt-PT" for e in f.examples)


def test_planted_html_residue_warns(shared_data):
    frame = plant(dslcc(shared_data), "pt-BR", 0.3, lambda t: t.str.replace(" ", " &amp; ", literal=True))
    result = text_free_baseline.run(corpus(frame), AuditConfig())
    [f] = [f for f in result.findings if f.domain == "news"]
    assert f.severity in ("warn", "error")
    assert f.feature in ("n_html_entities", "has_html_entity", "punct_ratio")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_label_permuted_controls_stay_quiet(shared_data, seed):
    frame = pl.concat([dslcc(shared_data), tatoeba(shared_data, per_label=500)])
    result = text_free_baseline.run(corpus(permuted(frame, seed)), AuditConfig(seed=seed))
    assert loud(result) == []
    table = result.tables["text_free_baseline"]
    assert set(table["domain"]) == {"news", "conversational", "(all domains)"}
    assert (table["balanced_accuracy"] - 0.5).abs().max() < 0.06


def test_subsample_is_reported_and_stratified(shared_data):
    frame = plant(dslcc(shared_data), "pt-PT", 0.6, lambda t: t + " ")
    config = AuditConfig(thresholds={"text_free_baseline": {"max_rows": 600}})
    result = text_free_baseline.run(corpus(frame), config)
    row = result.tables["text_free_baseline"].row(0, named=True)
    assert row["n_sample"] == 600 and row["rows"] == 2000
    [f] = result.findings
    assert "600 of 2,000" in f.message


def test_duplicates_are_counted_once(shared_data):
    base = dslcc(shared_data).head(300)
    copies = pl.concat([base.with_columns(id=pl.col("id") + f"-{i}") for i in range(5)])
    result = text_free_baseline.run(corpus(copies), AuditConfig())
    assert result.tables["text_free_baseline"]["n_sample"].item() == base.height


def test_too_small_domain_is_skipped():
    frame = pl.DataFrame(
        {"id": list("abcdef"), "text": ["um", "dois", "três", "quatro", "cinco", "seis"], "label": list("xxxxxy"), "domain": ["d"] * 6}
    )
    result = text_free_baseline.run(corpus(frame), AuditConfig())
    assert result.findings == []
    assert result.tables["text_free_baseline"]["skipped"].item() is not None


def test_balanced_accuracy_null():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 3000)
    ba, p = balanced_accuracy_null(y, rng.integers(0, 3, 3000))
    assert abs(ba - 1 / 3) < 0.03 and p > 0.01
    # right half of the time, otherwise a random guess: expected 1/2 + 1/2 * 1/3
    ba, p = balanced_accuracy_null(y, np.where(rng.random(3000) < 0.5, y, rng.integers(0, 3, 3000)))
    assert abs(ba - 2 / 3) < 0.03 and p < 1e-100
