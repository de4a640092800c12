"""domain_confounding: planted confounded domain, source ≡ label; permuted controls stay quiet."""

from __future__ import annotations

import numpy as np
import polars as pl
from _pt_corpus import corpus, loud, pt_frame, with_splits

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.checks import domain_confounding
from corpus_sieve.audits.checks.domain_confounding import association


def _no_source(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop("source")


def test_balanced_domains_and_label_permuted_control_stay_quiet(shared_data):
    frame = _no_source(with_splits(pt_frame(shared_data)))
    assert loud(domain_confounding.run(corpus(frame), AuditConfig())) == []
    permuted = frame.with_columns(pl.col("label").shuffle(seed=7))
    result = domain_confounding.run(corpus(permuted), AuditConfig())
    assert loud(result) == []
    [pooled] = [f for f in result.findings if f.split is None and f.feature == "domain"]
    assert pooled.statistic["cramers_v"] < 0.05


def test_confounded_domain_is_an_error(shared_data):
    frame = _no_source(pt_frame(shared_data)).filter(~((pl.col("domain") == "conversational") & (pl.col("label") == "pt-BR")))
    result = domain_confounding.run(corpus(frame), AuditConfig())
    [f] = [f for f in result.findings if f.feature == "domain"]
    assert f.severity == "error"
    assert f.statistic["cramers_v"] > 0.3 and f.statistic["p_value"] < 1e-10
    assert f.statistic["effect"] == f.statistic["cramers_v"]
    assert "conversational" in f.message and f.examples
    assert {r["domain"] for r in result.tables["domain_label"]} == {"conversational", "news", "wiki"}


def test_source_equals_label_is_an_error(shared_data):
    """The real source column (one file per variety) maps each source to one label."""
    result = domain_confounding.run(corpus(pt_frame(shared_data)), AuditConfig())
    source_errors = {f.domain for f in result.findings if f.feature == "source" and f.severity == "error"}
    assert source_errors == {"news", "wiki", "conversational"} - {"news"}  # DSLCC is one file for both labels
    wiki = next(f for f in result.findings if f.feature == "source" and f.domain == "wiki")
    assert "source ≡ label" in wiki.message and wiki.statistic["effect"] == 1.0


def test_sources_independent_of_label_stay_quiet(shared_data):
    frame = pt_frame(shared_data)
    rng = np.random.default_rng(0)
    frame = frame.with_columns(source=pl.Series(rng.choice(["a", "b", "c", "d"], frame.height)))
    assert loud(domain_confounding.run(corpus(frame), AuditConfig())) == []


def test_inline_source_is_label_within_domain():
    texts = ["Estou a ver.", "Tô vendo.", "Vou de comboio.", "Vou de trem.", "A equipa ganhou.", "O time ganhou."] * 3
    frame = pl.DataFrame(
        {
            "id": [str(i) for i in range(18)],
            "text": texts,
            "label": ["pt-PT", "pt-BR"] * 9,
            "domain": "social_media",
            "source": ["publico.pt", "folha.com.br"] * 9,
        }
    )
    result = domain_confounding.run(corpus(frame), AuditConfig())
    [f] = [f for f in result.findings if f.feature == "source"]
    assert f.severity == "error" and f.domain == "social_media"


def test_association_statistics():
    independent = association(np.array([[30, 30], [20, 20]]))
    assert independent["cramers_v"] == 0.0 and independent["theils_u"] < 1e-12
    skew = association(np.array([[90, 10], [10, 90]]))
    assert 0.7 < skew["cramers_v"] < 0.85 and 0.4 < skew["theils_u"] < 0.6
