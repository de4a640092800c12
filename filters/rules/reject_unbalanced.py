"""Unbalanced brackets and quotation marks: a sign of a text cut mid-sentence."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Check
from corpus_sieve.filters.registry import register

# Emoticons are not brackets: ":)", ";-(", "=]", "(:", "):", "xD" ...
EMOTICON = r"[:;=8][-'^o]?[()\[\]{}]+|[()\[\]{}]+[-'^]?[:;=]"
# Enumerators have no opening bracket: "1)" / "iv)" starting a line, and a
# single lower-case letter after a space ("alíneas a) e b)" in legal text).
ENUMERATOR = r"(?m)^[^\S\n]*(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})\)|(?:^|\s)\p{Ll}\)"

BRACKET_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"))
QUOTE_PAIRS = (("«", "»"), ("“", "”"))


def _count(col: pl.Expr, char: str) -> pl.Expr:
    return col.str.count_matches(char, literal=True)


@register
class RejectUnbalanced(Check):
    """Reject texts whose brackets or quotation marks do not pair up.

    Reasons: ``unbalanced_brackets`` (counts of ``(`` ``)``, ``[`` ``]`` or
    ``{`` ``}`` differ) and ``unbalanced_quotes`` (counts of ``«`` ``»`` or
    ``“`` ``”`` differ, or the number of straight ``"`` is odd).

    Counting, not nesting order, is checked. Emoticons (``:)``, ``(:``,
    ``;-(``) and enumerators (``a)``, ``1)`` starting a line, ``a)`` after a space) are ignored. Single
    quotes (``'`` ``‘`` ``’``) never count: they are apostrophes in
    ``d'água``, ``D’Alema``, ``it's``.

    Parameters
    ----------
    brackets : bool, default True
        Check ``()[]{}``.
    quotes : bool, default True
        Check ``"``, ``«»`` and ``“”``.

    Examples
    --------
    >>> RejectUnbalanced().reason("O Fundo de Garantia (FGTS disse")
    'unbalanced_brackets'
    >>> RejectUnbalanced().reason('«Não sei» e “talvez')
    'unbalanced_quotes'
    >>> RejectUnbalanced()("à prova d'água :) (ok), alíneas a) e b)")
    True
    """

    name = "reject_unbalanced"
    reasons = ("unbalanced_brackets", "unbalanced_quotes")

    def __init__(self, brackets: bool = True, quotes: bool = True) -> None:
        self.brackets = brackets
        self.quotes = quotes

    def reason_expr(self, col: pl.Expr) -> pl.Expr:
        out = pl.lit(None, pl.String)
        if self.quotes:
            bad = _count(col, '"') % 2 == 1
            for left, right in QUOTE_PAIRS:
                bad = bad | (_count(col, left) != _count(col, right))
            out = pl.when(bad).then(pl.lit("unbalanced_quotes")).otherwise(out)
        if self.brackets:
            text = col.str.replace_all(EMOTICON, "").str.replace_all(ENUMERATOR, "")
            bad = pl.lit(False)
            for left, right in BRACKET_PAIRS:
                bad = bad | (_count(text, left) != _count(text, right))
            out = pl.when(bad).then(pl.lit("unbalanced_brackets")).otherwise(out)
        return out
