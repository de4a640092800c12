"""The comparison key of a text: NFC, full Unicode casefold, collapsed whitespace.

Diacritics and punctuation are kept: they carry the pt-PT / pt-BR label.
"""

from __future__ import annotations

import sys
import unicodedata
from functools import lru_cache

import polars as pl



_WS_NEEDS_WORK = r"\s\s|[^\S ]|^\s|\s$"


def _char_class(chars: list[str]) -> str:
    """A Rust-regex character class matching exactly ``chars`` (as ranges)."""
    cps = sorted({ord(c) for c in chars})
    ranges: list[tuple[int, int]] = []
    for cp in cps:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    parts = [f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges]
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=1)
def _special_classes() -> tuple[str, str]:
    """(chars whose casefold differs from lowercase, chars that may make text non-NFC).

    Rows without any of them skip the Python casefold / the NFC pass: for them
    polars' lowercase already equals ``str.casefold`` and the text is NFC.
    """
    casefold_special, not_nfc = [], []
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if c.casefold() != c.lower():
            casefold_special.append(c)
        if unicodedata.combining(c) or unicodedata.normalize("NFC", c) != c:
            not_nfc.append(c)
        decomposition = unicodedata.decomposition(c)
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:  # the second char of a composition pair (NFC_QC=Maybe)
                not_nfc.append(chr(int(parts[1], 16)))
    # Greek capital sigma lowercases contextually (final ς) but casefolds to σ
    casefold_special.append("\u03a3")
    # Hangul vowel and trailing jamo compose algorithmically with a preceding syllable
    not_nfc += [chr(cp) for cp in range(0x1161, 0x1176)] + [chr(cp) for cp in range(0x11A8, 0x11C3)]
    return _char_class(casefold_special), _char_class(not_nfc)


def _apply_where(series: pl.Series, mask: pl.Series, fn) -> pl.Series:
    """``fn`` applied only to the rows where ``mask`` is true (the rest unchanged)."""
    idx = mask.arg_true()
    if idx.len() == 0:
        return series
    return series.scatter(idx, fn(series.gather(idx)))


def normalise_key(texts: pl.Series) -> pl.Series:
    """The exact-duplicate key: NFC of the full casefold, whitespace runs collapsed to one space.

    Diacritics and punctuation are kept (they carry variety labels); whitespace
    is Unicode White_Space. Equivalent to
    ``" ".join(unicodedata.normalize("NFC", t.casefold()).split())`` up to
    Python's wider notion of whitespace. Nulls become ``""``.

    Examples
    --------
    >>> normalise_key(pl.Series(["  Olá,\\u00a0MUNDO!  ", "Straße", "e\\u0301"])).to_list()
    ['olá, mundo!', 'strasse', 'é']
    """
    casefold_special, not_nfc = _special_classes()
    s = texts.cast(pl.String).fill_null("")
    needs_casefold = s.str.contains(casefold_special)
    lowered = s.str.to_lowercase()
    if needs_casefold.any():
        folded = pl.Series([t.casefold() for t in s.filter(needs_casefold).to_list()], dtype=pl.String)
        lowered = lowered.scatter(needs_casefold.arg_true(), folded)
    key = _apply_where(lowered, lowered.str.contains(not_nfc), lambda x: x.str.normalize("NFC"))
    key = _apply_where(
        key,
        key.str.contains(_WS_NEEDS_WORK),
        lambda x: x.str.replace_all(r"\s+", " ").str.strip_chars(" "),
    )
    return key.alias("key")


def python_key(text: str) -> str:
    """Pure-Python reference of :func:`normalise_key` for one text (tests, debugging)."""
    import re

    folded = unicodedata.normalize("NFC", text.casefold())
    return re.sub(r"[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+", " ", folded).strip(" ")
