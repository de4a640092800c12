"""corpus_sieve.audits.config: the recipe's audit: section, validated against the checks' DEFAULTS."""

from __future__ import annotations

import pytest
from _framework_fakes import fake_modules

from corpus_sieve.audits.config import (
    AuditConfigError,
    build_config,
    config_from_recipe,
    effective_thresholds,
    merge,
    parse_overrides,
)

CHECKS = fake_modules()


def test_full_section_is_read():
    cfg = build_config(
        {"allow_list": ["você", " equipa "], "seed": 7, "thresholds": {"token_shortcut": {"min_count": 20}}},
        checks=CHECKS,
    )
    assert cfg.allow_list == frozenset({"você", "equipa"})
    assert cfg.seed == 7
    assert cfg.for_check("token_shortcut", CHECKS["token_shortcut"].DEFAULTS) == {"min_count": 20, "z_warn": 4.0}


def test_empty_or_missing_section_means_defaults():
    for section in (None, {}):
        cfg = build_config(section, checks=CHECKS)
        assert cfg.thresholds == {} and cfg.allow_list == frozenset() and cfg.seed == 0


def test_unknown_check_id_suggests_the_close_one():
    with pytest.raises(AuditConfigError, match=r"unknown check 'token_shortcuts' \(did you mean 'token_shortcut'\?\)"):
        build_config({"thresholds": {"token_shortcuts": {"min_count": 3}}}, checks=CHECKS)


def test_unknown_parameter_lists_valid_ones_with_defaults():
    with pytest.raises(AuditConfigError) as err:
        build_config({"thresholds": {"token_shortcut": {"min_cnt": 3}}}, checks=CHECKS)
    msg = str(err.value)
    assert "min_cnt" in msg and "did you mean 'min_count'" in msg and "min_count=5" in msg and "z_warn=4.0" in msg


@pytest.mark.parametrize("value", ["20", True, None, [1]])
def test_numeric_parameter_rejects_non_numbers(value):
    with pytest.raises(AuditConfigError, match="must be a number"):
        build_config({"thresholds": {"token_shortcut": {"min_count": value}}}, checks=CHECKS)


def test_int_default_accepts_float_and_vice_versa():
    cfg = build_config({"thresholds": {"token_shortcut": {"min_count": 2.5, "z_warn": 3}}}, checks=CHECKS)
    assert cfg.thresholds["token_shortcut"] == {"min_count": 2.5, "z_warn": 3}


@pytest.mark.parametrize("section, match", [
    ({"allow_list": "você"}, "list of strings"),
    ({"allow_list": [1]}, "non-empty string"),
    ({"seed": "x"}, "integer"),
    ({"thresholds": ["x"]}, "mapping"),
    ({"thresholds": {"token_shortcut": 3}}, "mapping"),
    (["x"], "mapping"),
])
def test_malformed_sections(section, match):
    with pytest.raises(AuditConfigError, match=match):
        build_config(section, checks=CHECKS)


def test_recipe_file(tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(
        "steps: []\n"
        "audit:\n"
        "  allow_list: [você, equipa, time]\n"
        "  seed: 3\n"
        "  thresholds:\n"
        "    label_balance: {imbalance_warn: 2.0}\n"
    )
    cfg = config_from_recipe(recipe, checks=CHECKS)
    assert cfg.allow_list == frozenset({"você", "equipa", "time"})
    assert cfg.thresholds == {"label_balance": {"imbalance_warn": 2.0}}


def test_recipe_without_audit_section(tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("steps: []\n")
    assert config_from_recipe(recipe, checks=CHECKS).thresholds == {}


def test_recipe_errors_name_the_file(tmp_path):
    recipe = tmp_path / "bad.yaml"
    recipe.write_text("audit:\n  thresholds:\n    nope: {}\n")
    with pytest.raises(AuditConfigError, match=r"bad\.yaml: audit\.thresholds: unknown check 'nope'"):
        config_from_recipe(recipe, checks=CHECKS)
    with pytest.raises(AuditConfigError, match="cannot read"):
        config_from_recipe(tmp_path / "missing.yaml", checks=CHECKS)
    broken = tmp_path / "broken.yaml"
    broken.write_text("audit: [unclosed\n")
    with pytest.raises(AuditConfigError, match="not valid YAML"):
        config_from_recipe(broken, checks=CHECKS)


def test_command_line_overrides_are_merged_and_validated():
    base = build_config({"thresholds": {"token_shortcut": {"min_count": 20}}, "allow_list": ["você"]}, checks=CHECKS)
    cfg = merge(base, thresholds=parse_overrides(["token_shortcut.z_warn=5", "label_balance.imbalance_warn=2"]),
                allow_list=["equipa"], seed=9, checks=CHECKS)
    assert cfg.thresholds == {"token_shortcut": {"min_count": 20, "z_warn": 5},
                              "label_balance": {"imbalance_warn": 2}}
    assert cfg.allow_list == frozenset({"você", "equipa"}) and cfg.seed == 9
    with pytest.raises(AuditConfigError, match="--set"):
        merge(base, thresholds=parse_overrides(["token_shortcut.nope=1"]), checks=CHECKS)
    with pytest.raises(AuditConfigError, match="CHECK.PARAM=VALUE"):
        parse_overrides(["min_count=5"])


def test_effective_thresholds_show_defaults_and_overrides():
    cfg = build_config({"thresholds": {"token_shortcut": {"min_count": 20}}}, checks=CHECKS)
    eff = effective_thresholds(cfg, CHECKS)
    assert eff["token_shortcut"] == {"min_count": 20, "z_warn": 4.0}
    assert eff["label_balance"] == CHECKS["label_balance"].DEFAULTS


def test_real_checks_defaults_validate():
    """Whatever real checks exist: their DEFAULTS round-trip through the validator."""
    from corpus_sieve.audits.registry import available_checks

    real = available_checks()
    section = {"thresholds": {cid: dict(m.DEFAULTS) for cid, m in real.items()}}
    cfg = build_config(section, checks=real)
    assert effective_thresholds(cfg, real) == {cid: dict(m.DEFAULTS) for cid, m in real.items()}
