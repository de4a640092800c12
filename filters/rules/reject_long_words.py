"""Overlong "words": glued text, base64, hashes, emoji floods."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Check
from corpus_sieve.filters.registry import register


@register
class RejectLongWords(Check):
    """Reject texts containing a word longer than ``max_word_chars`` (reason ``long_word``).

    A word is a run of non-whitespace characters, so glued sentences,
    base64/hex blobs and emoji floods count. URLs are words too: put
    ``remove_urls`` before this check (the default recipe does). The longest
    dictionary word in Portuguese, *pneumoultramicroscopicossilicovulcanoconiótico*,
    has 46 letters; ordinary words stay far below 40.

    Parameters
    ----------
    max_word_chars : int, default 40
        Longest word allowed, in characters.

    Examples
    --------
    >>> RejectLongWords(max_word_chars=10).reason("kkkkkkkkkkkkkkkk vsf")
    'long_word'
    >>> RejectLongWords()("Bom dia, Lisboa!")
    True
    """

    name = "reject_long_words"
    reasons = ("long_word",)

    def __init__(self, max_word_chars: int = 40) -> None:
        if max_word_chars < 1:
            raise ValueError(f"max_word_chars must be positive, got {max_word_chars!r}")
        self.max_word_chars = max_word_chars

    def reason_expr(self, col: pl.Expr) -> pl.Expr:
        return pl.when(col.str.contains(rf"\S{{{self.max_word_chars + 1},}}")).then(pl.lit("long_word"))
