"""regex_replace / regex_reject and the shared SafePattern machinery."""

from __future__ import annotations

import polars as pl
import pytest

from corpus_sieve.filters import RegexReject, RegexReplace
from corpus_sieve.filters.safe_regex import RegexTimeoutError, SafePattern, is_rust_compatible, python_to_rust_replacement


@pytest.mark.parametrize("pattern", [r"\d+", r"(?P<x>a)", r"\p{L}+", r"[\w--\d]"])
def test_rust_compatible_patterns_run_natively(pattern):
    assert SafePattern(pattern).native


@pytest.mark.parametrize("pattern", [r"(?<=a)b", r"(?<!x)y", r"(a)\1", r"a(?=b)"])
def test_lookaround_and_backrefs_fall_back_to_python(pattern):
    assert not is_rust_compatible(pattern)
    assert not SafePattern(pattern).native


@pytest.mark.parametrize("pattern", ["(", "[a-", "a{2,1}", ""])
def test_invalid_patterns_fail_at_construction(pattern):
    with pytest.raises(ValueError):
        RegexReplace(pattern)
    with pytest.raises(ValueError):
        RegexReject(pattern)


def test_invalid_flags_and_reason_names_fail_at_construction():
    with pytest.raises(ValueError, match="flags"):
        RegexReplace("a", flags="q")
    with pytest.raises(ValueError, match="snake_case"):
        RegexReject("a", reason_name="Bad Reason")
    with pytest.raises(ValueError, match="group"):
        RegexReplace(r"(a)", r"\2")
    with pytest.raises(ValueError, match="escape"):
        RegexReplace(r"a", r"\q")


def test_replacement_syntax_is_python_on_both_paths():
    assert python_to_rust_replacement(r"\1-\g<n>-$") == "${1}-${n}-$$"
    native = RegexReplace(r"(\d+)€", r"\1 euros")
    fallback = RegexReplace(r"(?<=custa )(\d+)€", r"\1 euros")
    assert native.is_native and not fallback.is_native
    assert native("custa 30€") == fallback("custa 30€") == "custa 30 euros"
    assert RegexReplace("a", "$1")("casa") == "c$1s$1"  # a literal dollar stays literal
    assert RegexReplace(r"\.", r"\n")("a.b") == "a\nb"


def test_flags_apply_on_both_paths():
    assert RegexReplace("olá", "oi", flags="i")("OLÁ mundo") == "oi mundo"
    assert RegexReplace("(?<= )olá", "oi", flags="i")("a OLÁ") == "a oi"
    assert RegexReplace("^x", "", flags="m")("x1\nx2") == "1\n2"


def test_regex_reject_reason_is_the_users_name():
    spam = RegexReject(r"compre j[aá]", reason_name="spam", flags="i")
    assert spam.reasons == ("spam",)
    kept, rejected = spam.split(pl.DataFrame({"text": ["COMPRE JÁ!", "comprei pão"]}))
    assert kept["text"].to_list() == ["comprei pão"]
    assert rejected["reason"].to_list() == ["spam"]
    assert rejected["stage"].to_list() == ["regex_reject"]


def test_regex_reject_fallback_path():
    f = RegexReject(r"(?<!\d)R\$", reason_name="price")
    assert not f.is_native
    assert f.reasons_series(["custa R$ 3", "5R$", None]).to_list() == ["price", None, None]


def test_get_params_round_trip():
    f = RegexReplace(r"\s+", " ", flags="s", timeout=0.5)
    assert f.get_params() == {"pattern": r"\s+", "replacement": " ", "flags": "s", "timeout": 0.5}
    assert type(f)(**f.get_params())("a  b") == "a b"


def test_timeout_raises_a_clear_error_naming_the_pattern():
    # exponential backtracking in a backtracking engine; look-ahead forces the fallback
    evil = r"(?=x)?(a|aa)+$"
    f = RegexReject(evil, timeout=0.05)
    assert not f.is_native
    with pytest.raises(RegexTimeoutError, match=r"\(a\|aa\)"):
        f.reason("a" * 60 + "b")
