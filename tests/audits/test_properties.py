"""corpus_sieve.audits.stats.properties: golden examples (real Portuguese and English lines) and property tests."""

from __future__ import annotations

import unicodedata

import polars as pl
import pytest
from _shortcut_data import corpus, dslcc
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.audits.stats.properties import BINARY_PROPERTIES, PROPERTIES, compute_properties, corpus_properties


def props(*texts: str) -> list[dict]:
    frame = pl.DataFrame({"id": [str(i) for i in range(len(texts))], "text": list(texts)})
    return compute_properties(frame).to_dicts()


def test_schema_and_order():
    [row] = props("Olá")
    assert list(row) == ["id", *PROPERTIES]
    assert set(BINARY_PROPERTIES) <= set(PROPERTIES)


def test_real_tweets(shared_data):
    told = pl.read_csv(shared_data / "social" / "told-br.csv")["text"]
    rt = told.filter(told.str.starts_with("rt @user @user o cara adultera")).item()
    [p] = props(rt)
    assert p["n_mentions"] == 2 and p["has_mention"] == 1 and p["has_url"] == 0
    link = told.filter(told.str.starts_with("eu to chorando vei vsf")).item()
    [p] = props(link)
    assert p["n_urls"] == 1 and p["has_url"] == 1 and p["n_mentions"] == 0
    amp = told.filter(told.str.contains("coach &amp; corporate trainer")).item()
    [p] = props(amp)
    assert p["n_html_entities"] == 1 and p["has_html_entity"] == 1 and p["n_html_tags"] == 0
    emoji = told.filter(told.str.starts_with("hoje deu vontade de abraçar minha mãe")).item()
    [p] = props(emoji)
    assert p["n_emoji"] == 1 and p["has_emoji"] == 1 and p["ends_with_punct"] == 1


def test_real_news_sentence(shared_data):
    text = dslcc(shared_data).filter(pl.col("text").str.starts_with("Foi o segundo destes"))["text"].item()
    [p] = props(text)
    assert p["n_quotes_straight"] == 2 and p["n_quotes_curly"] == 0
    assert p["upper_ratio"] > 0 and p["ends_with_punct"] == 1
    assert p["has_url"] == p["has_html_tag"] == p["has_mojibake"] == p["non_nfc"] == 0
    assert p["n_tokens"] == len(text.split())  # no hyphenated or glued words in this sentence


@pytest.mark.parametrize(
    ("text", "name", "value"),
    [
        ("Não sei.", "n_mojibake", 0),  # real diacritics are not mojibake
        ("NÃO SEI", "n_mojibake", 0),
        ("NÃ£o sei", "n_mojibake", 1),  # "Não" encoded UTF-8, read as Latin-1
        ("cafÃ© com leite", "n_mojibake", 1),
        ("It\u00e2\u20ac\u2122s broken", "n_mojibake", 1),  # ’ read as cp1252
        ("replacement \ufffd char", "n_mojibake", 1),
        ("<p>Olá</p> <br/>", "n_html_tags", 3),
        ("a < b e c > d", "n_html_tags", 0),
        ("&nbsp;&#8217;&#x2019;", "n_html_entities", 3),
        ("Tom & Jerry", "n_html_entities", 0),
        ("\u201cOlá\u201d, disse", "n_quotes_curly", 2),
        ("\u00abOlá\u00bb, disse", "n_quotes_angle", 2),
        ("  Olá", "leading_ws", 1),
        ("Olá\n", "trailing_ws", 1),
        ("Olá", "trailing_ws", 0),
        ("Visite www.publico.pt hoje", "n_urls", 1),
        ("email a@b.pt", "n_mentions", 0),
        ("#forabolsonaro e #lula", "n_hashtags", 2),
        ("linha 1\nlinha 2\r\nlinha 3", "n_newlines", 2),
        ("The cat sat", "mean_word_len", 3.0),
        ("ABC def", "upper_ratio", 0.5),
        ("", "n_chars", 0),
    ],
)
def test_golden(text, name, value):
    [p] = props(text)
    assert p[name] == pytest.approx(value), (text, name, p[name])


def test_non_nfc_golden():
    decomposed = "cafe\u0301"  # é as e + combining acute: the same word, not NFC
    [a, b, c] = props("café", decomposed, "\u2126")  # OHM SIGN: NFC maps it to Ω
    assert a["non_nfc"] == 0 and b["non_nfc"] == 1 and c["non_nfc"] == 1


def test_every_char_below_u0300_is_nfc_stable_alone_and_in_pairs():
    # the native prefilter in properties._non_nfc relies on this
    chars = [chr(c) for c in range(0x300)]
    assert all(unicodedata.is_normalized("NFC", c) for c in chars)
    assert all(unicodedata.is_normalized("NFC", a + b) for a in chars for b in chars[::7])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("aeoAÉç \u0301\u0303\u0327\u2126\u00c5\u212b.!"), max_size=12), min_size=1, max_size=8))
def test_non_nfc_matches_unicodedata(texts):
    rows = props(*texts)
    assert [r["non_nfc"] for r in rows] == [int(not unicodedata.is_normalized("NFC", t)) for t in texts]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_flags_agree_with_counts_and_ratios_are_bounded(texts):
    for row in props(*texts):
        assert row["has_url"] == int(row["n_urls"] > 0)
        assert row["has_html_entity"] == int(row["n_html_entities"] > 0)
        assert row["has_mojibake"] == int(row["n_mojibake"] > 0)
        for ratio in ("punct_ratio", "upper_ratio", "digit_ratio"):
            assert 0.0 <= row[ratio] <= 1.0
        assert all(row[b] in (0, 1) for b in BINARY_PROPERTIES)


def test_null_text_is_empty():
    frame = pl.DataFrame({"id": ["a"], "text": [None]}, schema={"id": pl.String, "text": pl.String})
    [row] = compute_properties(frame).to_dicts()
    assert row["n_chars"] == 0 and row["non_nfc"] == 0


def test_corpus_properties_is_cached(shared_data):
    c = corpus(dslcc(shared_data).head(50))
    first = corpus_properties(c)
    assert corpus_properties(c) is first
    assert first.collect()["id"].to_list() == c.frame["id"].to_list()
