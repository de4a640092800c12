"""``gopher_quality``: each Gopher rule on its own, with its published default, both ways; the word counts
against spaCy's (through datatrove) where it is installed; Portuguese stop words."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import GopherQuality
from corpus_sieve.filters.quality.words import line_counts, word_counts

PROSE = ("The committee met on Tuesday to review the budget and the plans that have been made with the city. "
         "Members agreed to publish the report by the end of the month, and to hold a public meeting in June. ")
GOOD = PROSE * 3  # 102 words, mean length ~4.5, stop words present


def _reason(text: str, **params) -> str | None:
    return GopherQuality(**params).reason(text)


def test_a_plain_english_document_passes() -> None:
    assert _reason(GOOD) is None


@pytest.mark.parametrize("text, reason", [
    ("The cat sat on the mat with the dog.", "gopher_short_doc"),
    ("a " * 60 + "the of and", "gopher_below_avg_threshold"),
    (" ".join(["internationalization", "the", "and", "responsibilities"] * 20), "gopher_above_avg_threshold"),
    (GOOD + " #news" * 20, "gopher_too_many_hashes"),
    (GOOD + " wait..." * 20 + " The end.", "gopher_too_many_ellipsis"),
    ("\n".join("- the item number one and two with more words here" for _ in range(12)), "gopher_too_many_bullets"),
    ("\n".join(f"The story goes on and on with the plan {i}..." for i in range(12)), "gopher_too_many_end_ellipsis"),
    (GOOD + " " + " ".join(["1,000", "2,000", "3.5", "$", "%"] * 20), "gopher_below_alpha_threshold"),
    (" ".join(["cat", "dog", "house", "garden", "river", "stone", "bird", "tree"] * 8), "gopher_enough_stop_words"),
])
def test_each_rule_fires_with_its_reason(text: str, reason: str) -> None:
    assert _reason(text) == reason


def test_a_rule_set_to_none_is_off() -> None:
    short = "The cat sat on the mat with the dog."
    assert _reason(short, min_doc_words=None) is None
    assert _reason(GOOD + " #news" * 20, max_symbol_word_ratio=None) is None


def test_portuguese_documents_are_judged_by_portuguese_stop_words() -> None:
    text = ("O governo aprovou hoje o orçamento para o próximo ano, depois de uma longa discussão com os partidos "
            "da oposição que não aceitaram as propostas apresentadas em conselho de ministros. ") * 3
    assert _reason(text) == "gopher_enough_stop_words"  # English stop words: none
    assert _reason(text, language="pt") is None
    with pytest.raises(ValueError, match="language"):
        GopherQuality(language="xx")


def test_the_batch_path_equals_the_expression() -> None:
    texts = [GOOD, "short text", "", None, "\n".join("- item" for _ in range(60))]
    check = GopherQuality()
    by_batch = check.reasons_series(texts).to_list()
    by_expression = pl.DataFrame({"text": texts}).select(check.reason_expr(pl.col("text"))).to_series().to_list()
    assert by_batch == by_expression


def test_lines_are_counted_as_python_splits_them() -> None:
    texts = ["a\nb\n", "a\r\nb", "", "one", "a\n\nb", "x\u2028y\x0bz"]
    counts = pl.DataFrame({"t": texts}).select(line_counts(pl.col("t")).lines.alias("n"))["n"].to_list()
    assert counts == [len(t.splitlines()) for t in texts]


def test_word_counts_follow_spacy_on_the_usual_cases() -> None:
    pytest.importorskip("spacy")
    pytest.importorskip("datatrove")
    from datatrove.utils.text import PUNCTUATION_SET, split_into_words

    for text in ["(hello), world...", "don't stop: it's 3.5 km", "well-known e-mail at a@b.com", "U.S. and i.e. ok.",
                 "★★★ rated 15% off", "run -v --exclude /etc now"]:
        words = split_into_words(text, "en")
        content = [w for w in words if any(ch not in PUNCTUATION_SET for ch in w)]
        c = word_counts(pl.col("t"))
        got = pl.DataFrame({"t": [text]}).select(c.words.alias("w"), c.content.alias("c"), c.alpha.alias("a")).row(0)
        assert got == (len(words), len(content), sum(any(ch.isalpha() for ch in w) for w in words)), text


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_a_known_reason_or_none(text: str) -> None:
    assert GopherQuality().reason(text) in (None, *GopherQuality.reasons)
