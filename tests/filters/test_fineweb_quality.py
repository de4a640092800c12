"""``fineweb_quality``: each FineWeb rule with its published default, both ways, on real-looking pages."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import FineWebQuality

ARTICLE = ("The council approved the new budget after a long debate about schools and roads.\n"
           "Several members asked for more money for public transport in the northern districts.\n"
           "A vote on the housing plan was postponed until the next session in March.")


def _reason(text: str, **params) -> str | None:
    return FineWebQuality(**params).reason(text)


def test_an_article_passes() -> None:
    assert _reason(ARTICLE) is None


@pytest.mark.parametrize("text, reason", [
    ("", "fineweb_empty"),
    ("\n  \n\t\n", "fineweb_empty"),
    ("\n".join(f"Section {i} of the long handbook about gardening in the north" for i in range(10)),
     "fineweb_line_punct_ratio"),
    ("Home\nNews\nSport\nWeather\nContact us\n" + ARTICLE.splitlines()[0], "fineweb_short_line_ratio"),
    (ARTICLE + "\n" + ARTICLE.splitlines()[0], "fineweb_char_dup_ratio"),
])
def test_each_rule_fires_with_its_reason(text: str, reason: str) -> None:
    assert _reason(text) == reason


def test_many_newlines_per_word_is_a_list() -> None:
    text = ARTICLE + "\n" * 40
    assert _reason(text) == "fineweb_list_ratio"
    assert _reason(text, new_line_ratio=None) is None


def test_lines_ending_in_other_scripts_terminal_marks_count() -> None:
    lines = "\n".join(["这是一个很长的句子，讲述了城市的历史和它的人民。"] * 1 + ["Ceci est une longue phrase sur la ville et son histoire!"])
    assert _reason(lines) is None
    assert _reason(lines, stop_chars=".") == "fineweb_line_punct_ratio"


def test_options_follow_datatrove() -> None:
    headings = "\n".join(f"Chapter {i} on the history of the old mill by the river" for i in range(10))
    assert _reason(headings, line_punct_exclude_zero=True) is None
    assert _reason(headings, line_punct_thr=None) is None
    assert _reason("Home\nNews\nSport\nWeather.", short_line_length=3) == "fineweb_list_ratio"  # 3 newlines, 5 words
    assert _reason("Home\nNews\nSport\nWeather.", short_line_length=3, new_line_ratio=None) is None


def test_the_expression_works_on_a_lazy_frame() -> None:
    frame = pl.LazyFrame({"text": [ARTICLE, "", None]})
    assert FineWebQuality()(frame).collect()["text"].to_list() == [ARTICLE, None]
    assert FineWebQuality().reasons_series([ARTICLE, "", None]).to_list() == [None, "fineweb_empty", None]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_a_known_reason_or_none(text: str) -> None:
    assert _reason(text) in (None, *FineWebQuality.reasons)
