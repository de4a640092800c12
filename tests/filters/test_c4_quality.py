"""``c4_quality``: each line rule and each page rule with its published default, both ways; the text it
leaves; sentences counted as spaCy's sentencizer counts them; the check on every kind of input."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import C4Quality
from corpus_sieve.filters.quality.sentences import sentence_counts

#: five real-looking sentences on two lines: a page C4 keeps as it is
ARTICLE = ("The council met on Monday. It approved the budget for next year. Schools get more money.\n"
           "Roads will be repaired in the spring. The vote was close, with two members against.")


def _out(text: str, **params) -> tuple[str | None, str]:
    out = C4Quality(**params).process(text)
    return out.reason, out.text


def test_a_clean_article_is_kept_as_it_is() -> None:
    assert _out(ARTICLE) == (None, ARTICLE)


@pytest.mark.parametrize("line, why", [
    ("Home", "too few words"),
    ("Click here to read more", "no terminal punctuation"),
    ("And then the story went on and on...", "ends with an ellipsis"),
    ("Please enable JavaScript to view the comments.", "javascript"),
    ("This website uses cookies to give you the best experience.", "policy"),
    ("Read our Privacy Policy before you sign up.", "policy"),
    ("A line with one " + "x" * 1001 + " word.", "a word over 1000 characters"),
])
def test_each_line_rule_drops_its_line(line: str, why: str) -> None:
    reason, text = _out(f"{line}\n{ARTICLE}")
    assert reason is None, why
    assert text == ARTICLE, why


@pytest.mark.parametrize("line", [
    "He said: \"we will be back next year.\"",
    "Is this the right way to the station?",
    "It was, as everyone agreed, 'a fine day.'",
    "Stop right there!",
])
def test_lines_ending_in_terminal_punctuation_stay(line: str) -> None:
    assert _out(f"{ARTICLE}\n{line}") == (None, f"{ARTICLE}\n{line}")


def test_citation_marks_are_removed_from_kept_lines() -> None:
    reason, text = _out("The river is long.[1] It has three bridges.[citation needed] Boats sail on it.[edit]\n" + ARTICLE)
    assert reason is None
    assert text.splitlines()[0] == "The river is long. It has three bridges. Boats sail on it."


@pytest.mark.parametrize("text, reason", [
    ("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n" + ARTICLE, "c4_lorem_ipsum"),
    (ARTICLE + "\nThe function returns {value} to the caller.", "c4_curly_bracket"),
    ("Only one sentence survives the line rules here.", "c4_too_few_sentences"),
    ("Menu\nHome\nContact", "c4_too_few_sentences"),
    ("", "c4_too_few_sentences"),
])
def test_each_page_rule_rejects_with_its_reason(text: str, reason: str) -> None:
    assert C4Quality().reason(text) == reason


def test_page_rules_only_see_lines_that_passed_the_line_rules() -> None:
    # a brace on a line already dropped (javascript, no terminal punctuation) does not reject the page
    assert C4Quality().reason(ARTICLE + "\nvar x = {a: 1}; // javascript here.") is None
    assert C4Quality().reason(ARTICLE + "\nfunction f() { return 1 }") is None
    # the first page rule met, in line order, gives the reason
    assert C4Quality().reason("Text with {braces} here.\nLorem ipsum dolor sit amet.\n" + ARTICLE) == "c4_curly_bracket"


def test_rules_turn_off() -> None:
    assert C4Quality(min_num_sentences=None).reason("One sentence only, and that is fine.") is None
    assert C4Quality(filter_curly_bracket=False).reason(ARTICLE + "\nThe map has {keys} in it.") is None
    assert _out("Click here to read more\n" + ARTICLE, filter_no_terminal_punct=False)[1].startswith("Click here")
    long_word = "A line with one " + "x" * 1001 + " word."
    for off in (None, -1):  # datatrove's -1 turns a rule off too
        assert long_word in _out(f"{long_word}\n{ARTICLE}", max_word_length=off)[1]
    assert _out("Hi there.", min_num_sentences=-1, min_words_per_line=-1) == (None, "Hi there.")


def test_portuguese_cookie_banners_are_policy_lines() -> None:
    text = ("O governo aprovou o orçamento. A oposição votou contra. O debate durou dez horas.\n"
            "Este site utiliza cookies para melhorar a sua experiência.\n"
            "As escolas recebem mais dinheiro. As estradas serão reparadas na primavera.")
    reason, kept = _out(text, language="pt")
    assert reason is None
    assert "cookies" not in kept


@pytest.mark.parametrize("text, sentences", [
    ("Mr. Smith arrived on Jan. 5. He left.", 2),
    ("The U.S. economy grew, e.g. in farming. Prices fell.", 2),
    ("It rained in 2005. Then it stopped!", 2),
    ("What?! No way... really.", 2),
    ("J. R. R. Tolkien wrote it.", 1),
    ("She said \"stop.\" Then she left.", 2),
    ("O Sr. Silva chegou. Saiu depois.", 2),
])
def test_sentences_are_counted_like_spacy(text: str, sentences: int) -> None:
    language = "pt" if "Silva" in text else "en"
    assert pl.select(sentence_counts(pl.lit(text), language)).item() == sentences


def test_sentence_counts_match_spacy_through_datatrove() -> None:
    pytest.importorskip("spacy")
    text_module = pytest.importorskip("datatrove.utils.text")
    lines = ["Mr. Smith arrived on Jan. 5. He left. (Quietly!) Then what?", "It costs $5. Next one.",
             "Done.) (Next) one.", "No!!! Yes.", "See p. 5 and e.g. this.", "Google chose PaaS. And it grew."]
    ours = pl.select(sentence_counts(pl.lit(pl.Series(lines)))).to_series().to_list()
    assert ours == [len(text_module.split_into_sentences(line)) for line in lines]


def test_on_every_kind_of_input_the_kept_rows_carry_the_cleaned_text() -> None:
    frame = pl.DataFrame({"id": [1, 2], "text": ["Menu\n" + ARTICLE, "Too short."]})
    kept, rejected = C4Quality().split(frame)
    assert kept.to_dicts() == [{"id": 1, "text": ARTICLE}]
    assert rejected.select("id", "text", "reason", "stage").to_dicts() == [
        {"id": 2, "text": "Too short.", "reason": "c4_too_few_sentences", "stage": "c4_quality"}]
    assert C4Quality()(frame).to_dicts() == [{"id": 1, "text": ARTICLE}]
    assert C4Quality()(frame.lazy()).collect().to_dicts() == [{"id": 1, "text": ARTICLE}]
    assert C4Quality()(frame["text"]).to_list() == [ARTICLE]
    assert C4Quality()("Menu\n" + ARTICLE) is True
    assert C4Quality().reasons_series(["Menu\n" + ARTICLE, None, "x"]).to_list() == [None, None, "c4_too_few_sentences"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([ARTICLE, "Menu", "Lorem ipsum here.", "Use {x} now.", "Buy now...", "",
                                 "Enable JavaScript please.", "  spaced out line .  "]), max_size=6),
       st.text(max_size=40))
def test_the_kept_text_is_made_of_the_pages_own_lines(parts: list[str], noise: str) -> None:
    text = "\n".join(parts + [noise])
    out = C4Quality().process(text)
    assert out.reason in (None, *C4Quality.reasons)
    if out.kept:
        originals = {line.strip() for line in text.splitlines()}
        assert all(line in originals for line in out.text.splitlines())
