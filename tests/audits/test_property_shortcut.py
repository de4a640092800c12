"""property_shortcut: planted surface properties are found per domain and across domains
(Cochran-Mantel-Haenszel); label-permuted controls stay quiet; the statistics match scipy."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from _shortcut_data import corpus, dslcc, loud, permuted, plant, tatoeba
from scipy import stats

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.checks import property_shortcut
from corpus_sieve.audits.stats.properties import compute_properties
from corpus_sieve.audits.stats.shortcut_stats import cmh_test


def _find(result, feature, domain="news"):
    return [f for f in result.findings if f.feature == feature and f.domain == domain]


def test_planted_trailing_whitespace(shared_data):
    frame = plant(dslcc(shared_data), "pt-PT", 0.3, lambda t: t + " ")
    result = property_shortcut.run(corpus(frame), AuditConfig())
    [f] = _find(result, "trailing_ws")
    assert f.severity == "warn" and f.label == "pt-PT"
    share = frame.filter(pl.col("label") == "pt-PT")["planted"].mean()
    assert f.statistic["effect"] == pytest.approx(share)  # |2·AUC-1| of a 0/1 property = difference of shares
    assert f.rows == frame["planted"].sum() and len(f.row_ids) == f.rows
    assert all(e.label == "pt-PT" and e.text.endswith(" ") for e in f.examples)
    assert f.statistic["threshold_warn"] == 0.2 and f.statistic["threshold_error"] == 0.4


def test_planted_html_entity_residue_is_an_error_at_half(shared_data):
    frame = plant(dslcc(shared_data), "pt-BR", 0.5, lambda t: t.str.replace(" ", " &quot;", literal=True))
    result = property_shortcut.run(corpus(frame), AuditConfig())
    severities = {f.feature: f.severity for f in result.findings if f.domain == "news"}
    assert severities["has_html_entity"] == "error" and severities["n_html_entities"] == "error"


def test_planted_length_difference(shared_data):
    base = dslcc(shared_data)
    tail = " Segundo as mesmas fontes, a situação deverá manter-se nos próximos dias."
    frame = plant(base, "pt-PT", 0.8, lambda t: t + tail)
    result = property_shortcut.run(corpus(frame), AuditConfig())
    [f] = _find(result, "n_chars")
    assert f.severity == "error" and f.label == "pt-PT" and "higher in pt-PT" in f.message
    assert f.statistic["auc"] > 0.7
    assert all(e.label == "pt-PT" for e in f.examples)


def test_auc_and_p_match_scipy(shared_data):
    frame = dslcc(shared_data)
    result = property_shortcut.run(corpus(frame), AuditConfig())
    tests = result.tables["property_tests"]
    props = compute_properties(frame).with_columns(label=frame["label"])
    for name in ("n_chars", "punct_ratio", "n_quotes_angle"):
        row = tests.filter(pl.col("property") == name, pl.col("domain") == "news").row(0, named=True)
        x = props.filter(pl.col("label") == row["label"])[name].to_numpy()
        y = props.filter(pl.col("label") != row["label"])[name].to_numpy()
        ref = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=False)
        assert row["auc"] == pytest.approx(ref.statistic / (len(x) * len(y)))
        assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-6)


def test_cmh_against_hand_computation():
    # stratum 1: a=10 b=20 c=5 d=25 (n=60); stratum 2: a=8 b=12 c=4 d=16 (n=40)
    # E[a] = 30*15/60 = 7.5 and 20*12/40 = 6; Var = 30*30*15*45/(60^2*59) + 20*20*12*28/(40^2*39)
    var = 30 * 30 * 15 * 45 / (3600 * 59) + 20 * 20 * 12 * 28 / (1600 * 39)
    r = cmh_test(np.array([[[10, 20], [5, 25]], [[8, 12], [4, 16]]]))
    assert r["chi2"] == pytest.approx((abs(10 - 7.5 + 8 - 6) - 0.5) ** 2 / var)
    assert r["odds_ratio"] == pytest.approx((10 * 25 / 60 + 8 * 16 / 40) / (20 * 5 / 60 + 12 * 4 / 40))
    assert r["risk_difference"] == pytest.approx((15 * (10 / 30 - 5 / 30) + 10 * (8 / 20 - 4 / 20)) / 25)
    assert r["p_value"] == pytest.approx(stats.chi2.sf(r["chi2"], 1))
    # one stratum without the continuity correction is Pearson's chi-square times (n-1)/n
    one = np.array([[[10, 20], [5, 25]]])
    pearson = stats.chi2_contingency(one[0], correction=False)[0]
    assert cmh_test(one, correction=False)["chi2"] == pytest.approx(pearson * 59 / 60)


def test_cmh_across_domains_finds_a_property_in_every_domain(shared_data):
    frame = pl.concat([dslcc(shared_data), tatoeba(shared_data)])
    frame = plant(frame, "pt-PT", 0.25, lambda t: " " + t)
    result = property_shortcut.run(corpus(frame), AuditConfig())
    pooled = [f for f in result.findings if f.domain is None and f.feature == "leading_ws"]
    assert [f.severity for f in pooled] == ["warn"]
    [f] = pooled
    assert f.label == "pt-PT" and "Cochran-Mantel-Haenszel" in f.message
    assert f.statistic["odds_ratio"] == float("inf") or f.statistic["odds_ratio"] > 50
    assert f.statistic["effect"] == pytest.approx(0.25, abs=0.03)
    assert set(result.tables["property_cmh"]["property"]) >= {"leading_ws", "non_nfc"}


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_label_permuted_controls_stay_quiet(shared_data, seed):
    frame = pl.concat([dslcc(shared_data), tatoeba(shared_data)])
    result = property_shortcut.run(corpus(permuted(frame, seed)), AuditConfig())
    assert loud(result) == []


def test_tables_for_the_report(shared_data):
    result = property_shortcut.run(corpus(dslcc(shared_data)), AuditConfig())
    q = result.tables["property_quantiles"]
    row = q.filter(pl.col("property") == "n_chars", pl.col("label") == "pt-PT").row(0, named=True)
    lengths = dslcc(shared_data).filter(pl.col("label") == "pt-PT")["text"].str.len_chars()
    assert row["n"] == 1000 and row["q50"] == lengths.quantile(0.5, "lower")
    assert row["q05"] <= row["q25"] <= row["q50"] <= row["q75"] <= row["q95"]
    hist = result.tables["property_histograms"].filter(pl.col("property") == "n_chars", pl.col("label") == "pt-PT")
    assert hist["count"].sum() == 1000 and hist["bin"].max() < 20
    binary = result.tables["property_histograms"].filter(pl.col("property") == "trailing_ws")
    assert set(binary["bin"]) <= {0, 1}
