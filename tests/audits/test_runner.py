"""corpus_sieve.audits.runner: runs checks, merges findings/tables/flags, and never turns a bug into a finding."""

from __future__ import annotations

import types

import polars as pl
import pytest
from _framework_fakes import HOSTILE, broken, clean, corpus_frame, fake_module, fake_modules

from corpus_sieve.audits.base import AuditConfig, CheckResult
from corpus_sieve.audits.config import AuditConfigError
from corpus_sieve.audits.findings import Finding, ordered
from corpus_sieve.audits.loader import canonicalise
from corpus_sieve.audits.registry import CheckContractError, available_checks
from corpus_sieve.audits.runner import FLAGGED_BY, CheckFailed, run_audit


@pytest.fixture
def corpus():
    return canonicalise(corpus_frame())


def test_runs_every_check_and_orders_findings(corpus):
    result = run_audit(corpus, AuditConfig(), modules=fake_modules())
    assert result.checks_run == ["label_balance", "token_shortcut", "property_shortcut", "duplicates", "split_leakage"]
    assert result.findings == ordered(result.findings)
    assert result.verdict == "fail"  # the fake split_leakage reports an error
    assert sum(result.counts().values()) == len(result.findings)
    assert set(result.timings) == set(result.checks_run)
    assert all(t >= 0 for t in result.timings.values())
    assert "counts" in result.tables["label_balance"]


def test_subset_of_checks(corpus):
    result = run_audit(corpus, checks=["token_shortcut"], modules=fake_modules())
    assert result.checks_run == ["token_shortcut"]
    assert {f.check for f in result.findings} == {"token_shortcut"}
    assert result.verdict == "warn"


def test_unknown_check_in_selection_is_a_config_error(corpus):
    with pytest.raises(AuditConfigError, match="unknown check.*'nope'"):
        run_audit(corpus, checks=["nope"], modules=fake_modules())


def test_thresholds_and_allow_list_reach_the_checks(corpus):
    loose = AuditConfig(thresholds={"label_balance": {"imbalance_warn": 100.0, "imbalance_error": 200.0}})
    result = run_audit(corpus, loose, checks=["label_balance"], modules=fake_modules())
    assert result.verdict == "pass"
    assert result.thresholds["label_balance"] == {"imbalance_warn": 100.0, "imbalance_error": 200.0}
    allowed = run_audit(corpus, AuditConfig(allow_list=frozenset({"Público"})), checks=["token_shortcut"],
                        modules=fake_modules())
    assert allowed.findings == []


def test_a_crashing_check_is_reraised_with_its_id_not_reported_as_a_finding(corpus):
    with pytest.raises(CheckFailed, match="'duplicates' failed: ZeroDivisionError") as err:
        run_audit(corpus, modules=fake_modules(duplicates=broken))
    assert isinstance(err.value.__cause__, ZeroDivisionError)
    assert err.value.check_id == "duplicates"


@pytest.mark.parametrize("bad", [
    lambda c, cfg: None,
    lambda c, cfg: CheckResult(findings=["not a finding"]),
    lambda c, cfg: CheckResult(flags={"id": ["r0"]}),
    lambda c, cfg: CheckResult(flags=pl.DataFrame({"row": ["r0"]})),
    lambda c, cfg: CheckResult(flags=pl.DataFrame({"id": ["r0", "r0"], "x": [True, False]})),
    lambda c, cfg: CheckResult(flags=pl.DataFrame({"id": ["not-in-corpus"], "x": [True]})),
])
def test_contract_violations_are_bugs(corpus, bad):
    with pytest.raises(CheckFailed):
        run_audit(corpus, modules={"duplicates": fake_module("duplicates", bad)})


def test_module_without_run_or_with_unknown_id_is_rejected(corpus):
    no_run = types.ModuleType("m")
    no_run.CHECK_ID, no_run.DEFAULTS = "duplicates", {}
    with pytest.raises(CheckContractError, match="run"):
        run_audit(corpus, modules={"duplicates": no_run})
    with pytest.raises(CheckContractError, match="CHECK_ID"):
        run_audit(corpus, modules={"x": fake_module("not_a_check", clean)})


def test_flags_have_every_id_once_and_join_back(corpus):
    result = run_audit(corpus, modules=fake_modules())
    flags = result.flags
    assert flags.height == corpus.frame.height
    assert flags["id"].is_unique().all()
    assert set(flags["id"]) == set(corpus.frame["id"])
    # the fake duplicates check only returns rows in groups: the rest are False / null, not missing
    assert flags["is_duplicate"].dtype == pl.Boolean and flags["is_duplicate"].null_count() == 0
    assert {"shortcut_feature", "duplicate_group", "is_duplicate", "leaked", FLAGGED_BY} <= set(flags.columns)
    joined = corpus.frame.join(flags, on="id", how="left")
    assert joined.height == corpus.frame.height
    public = joined.filter(pl.col("text").str.contains("Público"))
    assert public["shortcut_feature"].all()
    assert all("token_shortcut" in checks for checks in public[FLAGGED_BY].to_list())
    # info findings do not flag rows
    assert not any("duplicates" in checks for checks in flags[FLAGGED_BY].to_list())


def test_clashing_flag_columns_are_prefixed(corpus):
    def a(c, cfg):
        return CheckResult(flags=c.frame.select("id", pl.lit(True).alias("flag")))

    def b(c, cfg):
        return CheckResult(flags=c.frame.select("id", pl.lit(False).alias("flag")))

    result = run_audit(corpus, modules={"duplicates": fake_module("duplicates", a),
                                        "split_leakage": fake_module("split_leakage", b)})
    assert {"duplicates__flag", "split_leakage__flag"} <= set(result.flags.columns)


def test_no_checks_passes_with_an_id_only_flags_frame(corpus):
    result = run_audit(corpus, modules={})
    assert result.verdict == "pass" and result.findings == []
    assert result.flags.columns == ["id", FLAGGED_BY]


def test_hostile_corpus_runs(corpus):
    hostile = canonicalise(corpus_frame(hostile=True))
    result = run_audit(hostile, modules=fake_modules())
    assert any(f.feature == HOSTILE[0] for f in result.findings)


def test_findings_are_objects(corpus):
    result = run_audit(corpus, modules=fake_modules())
    assert all(isinstance(f, Finding) for f in result.findings)


def test_real_checks_are_discovered_and_follow_the_contract():
    """Whatever check modules exist in audits/checks are found, in CHECK_IDS order."""
    from corpus_sieve.audits.findings import CHECK_IDS

    found = available_checks()
    assert list(found) == [c for c in CHECK_IDS if c in found]
    for check_id, module in found.items():
        assert module.CHECK_ID == check_id
