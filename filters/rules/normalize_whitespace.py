"""Whitespace normalisation: one space between words, at most one blank line."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register


@register
class NormalizeWhitespace(Transform):
    """Collapse runs of spaces/tabs, trim every line, keep at most one blank line.

    Non-breaking and other Unicode spaces become plain spaces; line breaks are
    kept (paragraphs matter to jusText and to readers) unless
    ``keep_newlines=False``.

    Parameters
    ----------
    keep_newlines : bool, default True
        When False, every run of whitespace (newlines included) becomes one space.

    Examples
    --------
    >>> NormalizeWhitespace()("  olá \\t  mundo \\n\\n\\n fim ")
    'olá mundo\\n\\nfim'
    >>> NormalizeWhitespace(keep_newlines=False)("a\\n b")
    'a b'
    """

    name = "normalize_whitespace"

    def __init__(self, keep_newlines: bool = True) -> None:
        self.keep_newlines = keep_newlines

    def expr(self, col: pl.Expr) -> pl.Expr:
        if not self.keep_newlines:
            return col.str.replace_all(r"\s+", " ").str.strip_chars()
        return (
            col.str.replace_all(r"\r\n?", "\n")
            .str.replace_all(r"[^\S\n]+", " ")
            .str.replace_all(r" ?\n ?", "\n")
            .str.replace_all(r"\n{3,}", "\n\n")
            .str.strip_chars()
        )
