"""The four bugs of the founding PtVId cleaning script, pinned as regressions."""

from __future__ import annotations

import polars as pl
import pytest

from corpus_sieve.filters import (
    RejectDotRuns,
    RejectInvalidChars,
    RejectLongWords,
    RejectUnbalanced,
    RemoveListBullets,
    RemoveUrls,
    RepairUnicode,
)


def test_bullet_rule_keeps_leading_years():
    # bug 1: an unescaped "." in the bullet regex ate leading years
    assert RemoveListBullets()("2024 foi um ano de mudança") == "2024 foi um ano de mudança"
    assert RemoveListBullets()("1. 2024 foi um ano") == "2024 foi um ano"


def test_url_rule_keeps_missing_space_after_full_stop():
    # bug 2: the URL rule ate "casa.Ele"
    text = "Cheguei a casa.Ele já tinha saído."
    assert RemoveUrls()(text) == text


@pytest.mark.parametrize(
    ("check", "bad", "good"),
    [
        (RejectDotRuns(), "Índice ........ 3", "Bem... e tu?"),
        (RejectUnbalanced(), "(sem fecho", "(com fecho)"),
        (RejectInvalidChars(), "\ufffd\ufffd\ufffd", "texto limpo"),
        (RejectLongWords(), "x" * 80, "palavras normais"),
    ],
)
def test_checks_reject_bad_rows_and_keep_good_ones(check, bad, good):
    # bug 3: an inverted predicate kept the bad rows
    kept, rejected = check.split(pl.DataFrame({"text": [bad, good]}))
    assert kept["text"].to_list() == [good]
    assert rejected["text"].to_list() == [bad]
    assert check(pl.DataFrame({"text": [bad, good]}))["text"].to_list() == [good]


def test_unicode_repair_never_folds_to_ascii():
    # bug 4: ASCII folding erased the diacritics that carry the variety label
    text = "Acção, facto e ótimo; ação, fato e ótimo: é, ç, ã, õ, â."
    assert RepairUnicode()(text) == text
