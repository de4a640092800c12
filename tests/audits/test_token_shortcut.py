"""token_shortcut: planted and real lexical shortcuts are found, tagged and escalated;
label-permuted controls stay quiet; the allow-list is honoured."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from corpus_sieve.audits.runner import merge_flags
from _shortcut_data import corpus, dslcc, loud, permuted, plant, tatoeba

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.checks import token_shortcut
from corpus_sieve.audits.stats.token_tags import static_tag


def _by_feature(result) -> dict:
    return {f.feature: f for f in result.findings if f.feature is not None}


def test_real_dslcc_entity_shortcut_is_flagged_and_escalated(shared_data):
    # DSLCC pt-PT news names Portuguese places far more than pt-BR news (README fact)
    result = token_shortcut.run(corpus(dslcc(shared_data)), AuditConfig())
    found = _by_feature(result)
    lisboa = found["lisboa"]
    assert lisboa.label == "pt-PT" and lisboa.severity == "error"
    assert "named entity" in lisboa.message
    assert lisboa.statistic["p_hat"] == 1.0 and lisboa.statistic["prior"] == 0.5
    # entities passing only Benjamini-Hochberg warn, where an ordinary word would be info
    assert found["portugal"].label == "pt-PT" and found["portugal"].severity == "warn"
    assert found["brasil"].label == "pt-BR" and found["brasil"].severity == "warn"
    assert "named entity" in found["brasil"].message
    # an ordinary word passing only Benjamini-Hochberg is info (in the table: the 20 reported
    # findings of the domain are all warn or error)
    table = result.tables["tokens"]
    portuguesa = table.filter(pl.col("feature") == "portuguesa", pl.col("label") == "pt-PT").row(0, named=True)
    assert portuguesa["severity"] == "info" and portuguesa["tag"] == "ordinary_word"
    assert portuguesa["p_bonferroni"] > token_shortcut.DEFAULTS["bonferroni_alpha"]
    # an ordinary word passing Bonferroni warns, one level below an entity passing it
    assert found["euros"].severity == "warn" and "ordinary word" in found["euros"].message
    # the news agency's name, in fewer than 20 documents: found by the exact test
    assert found["lusa"].label == "pt-PT" and found["lusa"].statistic["n"] < 20
    assert found["lusa"].severity in ("warn", "error") and "named entity" in found["lusa"].message
    tagged = table.filter(pl.col("feature") == "lisboa", pl.col("label") == "pt-PT").row(0, named=True)
    assert tagged["tag"] == "named_entity" and tagged["severity"] == "error"
    assert all(e.label == "pt-PT" and "lisbo" in e.text.lower() for e in lisboa.examples)


def test_statistics_match_the_formulas(shared_data):
    result = token_shortcut.run(corpus(dslcc(shared_data)), AuditConfig())
    f = _by_feature(result)["euros"]
    s = f.statistic
    n, k, p0 = s["n"], s["k"], s["prior"]
    assert math.isclose(s["z"], (k / n - p0) / math.sqrt(p0 * (1 - p0) / n))
    assert math.isclose(s["effect"], (k / n - p0) / (1 - p0))
    assert s["p_bonferroni"] == pytest.approx(min(1.0, s["p_value"] * s["tests"]))
    assert s["n_needed"] < n  # it was detected, so fewer documents would have sufficed
    assert -1 <= s["npmi"] <= 1 and s["npmi"] > 0
    assert f.rows == n and len(f.row_ids) == n


def test_planted_credit_line_is_found_tagged_and_escalated(shared_data):
    frame = plant(dslcc(shared_data), "pt-BR", 0.3, lambda t: t + " Fonte: Agência Tupinambá.")
    result = token_shortcut.run(corpus(frame), AuditConfig())
    found = _by_feature(result)
    for feature in ("tupinambá", "agência tupinambá", "fonte agência"):
        f = found[feature]
        assert f.label == "pt-BR" and f.severity == "error", feature
        assert f.statistic["p_hat"] > 0.95
    table = result.tables["tokens"].filter(pl.col("label") == "pt-BR")
    tags = dict(table.filter(pl.col("severity").is_not_null()).select("feature", "tag").iter_rows())
    assert tags["tupinambá"] in ("boilerplate", "named_entity")
    assert tags["agência tupinambá"] == "boilerplate"
    # every planted row carries the flag; the flags frame lists only rows that hold a shortcut,
    # and the runner's merged flags cover every row
    assert result.flags["has_shortcut"].all()
    flags = merge_flags(frame.select("id"), [("token_shortcut", result.flags)], []).join(
        frame.select("id", "planted"), on="id")
    assert flags.height == frame.height
    assert flags.filter("planted")["has_shortcut"].all()
    assert flags.filter(~pl.col("has_shortcut"))["shortcut_features"].list.len().max() == 0
    assert flags.filter("planted")["shortcut_features"].list.contains("tupinambá").all()


def test_planted_url_and_markup_residue_are_tagged(shared_data):
    frame = plant(dslcc(shared_data), "pt-PT", 0.2, lambda t: t + " Leia mais em www.diariodonorte.pt")
    frame = plant(frame.drop("planted"), "pt-BR", 0.2, lambda t: t.str.replace(" ", "&nbsp;"), seed=1)
    result = token_shortcut.run(corpus(frame), AuditConfig())
    tags = dict(result.tables["tokens"].filter(pl.col("severity").is_not_null()).select("feature", "tag").iter_rows())
    assert tags["diariodonorte"] == "url_domain"
    assert tags["www"] == "url_domain"
    assert tags["nbsp"] == "markup"
    assert _by_feature(result)["nbsp"].severity == "error"


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_label_permuted_controls_stay_quiet(shared_data, seed):
    frame = pl.concat([dslcc(shared_data), tatoeba(shared_data)])
    result = token_shortcut.run(corpus(permuted(frame, seed)), AuditConfig())
    assert loud(result) == []
    assert not result.flags["has_shortcut"].any()


def test_allow_list_caps_real_markers_at_info(shared_data):
    config = AuditConfig(allow_list=frozenset({"Euros", "lisboa"}))
    result = token_shortcut.run(corpus(dslcc(shared_data)), config)
    found = _by_feature(result)
    assert found["euros"].severity == "info" and "allow-listed" in found["euros"].message
    assert found["lisboa"].severity == "info"
    assert found["de euros"].severity == "info"  # a bigram with an allowed word
    assert found["portugal"].severity == "warn"  # not allowed: unchanged
    flagged = result.flags.explode("shortcut_features")["shortcut_features"].drop_nulls().unique().to_list()
    assert "euros" not in flagged and "lisboa" not in flagged


def test_findings_are_capped_with_a_summary(shared_data):
    config = AuditConfig(thresholds={"token_shortcut": {"max_findings_per_domain": 3}})
    result = token_shortcut.run(corpus(dslcc(shared_data)), config)
    features = [f for f in result.findings if f.feature is not None]
    [summary] = [f for f in result.findings if f.feature is None]
    assert len(features) == 3 and features[0].severity == "error"
    assert summary.severity == "info" and summary.statistic["not_reported"] > 0
    # the table still has every tested feature
    table = result.tables["tokens"]
    assert table.filter(pl.col("severity").is_not_null()).height == summary.statistic["flagged"]
    assert table.height > 500 and set(table["label"].unique()) == {"pt-PT", "pt-BR"}


def test_unigrams_only_and_min_count(shared_data):
    config = AuditConfig(thresholds={"token_shortcut": {"bigrams": 0, "min_count": 30}})
    table = token_shortcut.run(corpus(dslcc(shared_data)), config).tables["tokens"]
    assert (table["ngram"] == 1).all()
    assert table["n"].min() >= 30


def test_english_corpus_and_no_findings_when_nothing_predicts():
    rng = np.random.default_rng(0)
    words = "the cat sat on a mat and then it ran away from the big dog".split()
    texts = [" ".join(rng.choice(words, 12)) for _ in range(400)]
    frame = pl.DataFrame(
        {"id": [str(i) for i in range(400)], "text": texts, "label": ["a", "b"] * 200, "domain": ["all"] * 400}
    )
    result = token_shortcut.run(corpus(frame), AuditConfig())
    assert result.findings == []
    assert result.flags.height == 0


def test_static_tags():
    assert static_tag("nbsp") == "markup"
    assert static_tag("https") == "url_domain"
    assert static_tag("com") is None  # "com" is a Portuguese word
    assert static_tag("2019") == "number_date" and static_tag("outubro") == "number_date"
    assert static_tag("você") is None
