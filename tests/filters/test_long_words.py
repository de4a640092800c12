"""reject_long_words."""

from __future__ import annotations

import pytest

from corpus_sieve.filters import RejectLongWords

TOLD = "@user kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk vsf mt bom"


@pytest.mark.parametrize("text", [TOLD, "x" * 41, "aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQgZW5jb2RlZA==", "🇧🇷" * 21])
def test_rejects(text):
    assert RejectLongWords().reason(text) == "long_word"


@pytest.mark.parametrize(
    "text",
    ["x" * 40, "inconstitucionalissimamente é longa", "anticonstitucionalíssimamente\nok", ""],
)
def test_keeps(text):
    assert RejectLongWords().reason(text) is None


def test_parameter():
    assert RejectLongWords(max_word_chars=5).reason("Lisboa") == "long_word"
    assert RejectLongWords(max_word_chars=6).reason("Lisboa") is None
    longest = "pneumoultramicroscopicossilicovulcanoconiótico"  # 46 letters
    assert RejectLongWords().reason(longest) == "long_word"
    assert RejectLongWords(max_word_chars=46).reason(longest) is None
    with pytest.raises(ValueError):
        RejectLongWords(max_word_chars=0)
