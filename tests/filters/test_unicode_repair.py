"""repair_unicode: invisible chars, conservative mojibake repair, NFC; diacritics always kept."""

from __future__ import annotations

import unicodedata

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import RepairUnicode
from corpus_sieve.filters.rules.repair_unicode import MOJIBAKE, fix_mojibake


def mojibake(text: str) -> str:
    """UTF-8 bytes shown as Windows-1252, undefined bytes as latin-1 (what browsers do)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ã©", "é"),
        ("informaÃ§Ã£o", "informação"),
        ("â€œolÃ¡â€\x9d", "“olá”"),  # 0x9D is undefined in cp1252: a C1 control
        ("ÃƒÂ©", "é"),  # mojibaked twice
        ("Â£5 e 30Âº", "£5 e 30º"),
        ("ðŸ˜€ top", "😀 top"),
        ("caralho\u200b, limpei a casa praticamente até agora.", "caralho, limpei a casa praticamente até agora."),  # ToLD-Br
        ("\ufeffcafe\u0301 com ac\u00adção", "café com acção"),
        ("já é informaÃ§Ã£o", "já é informação"),  # mixed text: correct part untouched
    ],
)
def test_repairs(text, expected):
    assert RepairUnicode()(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "«É»",  # É + » would decode to U+027B: implausible, kept
        "NÃO SÃO MÃE",
        "mamã” disse",
        "Advogados do m煤sico fuzilado",  # ToLD-Br GBK mojibake: not repairable, kept as is
        "👨‍👩‍👧 emoji ZWJ sequence",
        "ação, pão, avô, você, à, ü",
    ],
)
def test_leaves_alone(text):
    assert RepairUnicode()(text) == text


@pytest.mark.parametrize("word", ["ação", "você", "coração", "pão", "à", "órgão", "Évora", "naïve café", "€ – — … “ ”"])
def test_roundtrip_of_real_mojibake(word):
    assert RepairUnicode()(mojibake(word)) == word


def test_only_marked_rows_go_to_python(monkeypatch):
    seen: list[str] = []
    f = RepairUnicode()
    original = f.transform_batch
    monkeypatch.setattr(f, "transform_batch", lambda texts: seen.extend(texts) or original(texts))
    out = f(pl.Series(["ok", "Ã©", None, "cafe\u0301"]))
    assert out.to_list() == ["ok", "é", None, "café"]
    assert seen == ["Ã©"]


PT_LETTERS = "abcdefghijklmnopqrstuvwxyzáàâãéêíóôõúçüÁÀÂÃÉÊÍÓÔÕÚÇ"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=PT_LETTERS + " .,;:!?-'\"()\n0123456789", max_size=80))
def test_portuguese_text_is_unchanged(text):
    assert RepairUnicode()(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=PT_LETTERS + " ", max_size=40))
def test_decomposed_diacritics_are_composed_not_stripped(text):
    assert RepairUnicode()(unicodedata.normalize("NFD", text)) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=PT_LETTERS + " .,«»“”–—…€", max_size=40))
def test_mojibake_of_portuguese_round_trips(text):
    # a text that is itself mojibake-shaped ("Â«") is ambiguous by nature
    assume(pl.Series([text]).str.contains(MOJIBAKE).not_().item())
    assert fix_mojibake(mojibake(text)) == text
