"""``char_length``: reject texts outside per-domain character bounds."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Check
from corpus_sieve.filters.registry import register


@register
class CharLength(Check):
    """Reject texts with fewer than ``min_chars`` or more than ``max_chars`` characters.

    Characters are Unicode code points of the (cleaned) text, surrounding
    whitespace excluded.

    Parameters
    ----------
    min_chars : int or None, default None
        Reject with ``too_few_chars`` below this length.
    max_chars : int or None, default None
        Reject with ``too_many_chars`` above this length.

    Examples
    --------
    >>> CharLength(min_chars=5).reason("olá")
    'too_few_chars'
    >>> CharLength(max_chars=3)("olá")
    True
    """

    name = "char_length"
    reasons = ("too_few_chars", "too_many_chars")

    def __init__(self, min_chars: int | None = None, max_chars: int | None = None) -> None:
        if min_chars is not None and max_chars is not None and min_chars > max_chars:
            raise ValueError(f"min_chars ({min_chars}) is greater than max_chars ({max_chars})")
        self.min_chars = min_chars
        self.max_chars = max_chars

    def reason_expr(self, col: pl.Expr) -> pl.Expr:
        n = col.str.strip_chars().str.len_chars()
        out = pl.lit(None, pl.String)
        if self.max_chars is not None:
            out = pl.when(n > self.max_chars).then(pl.lit("too_many_chars")).otherwise(out)
        if self.min_chars is not None:
            out = pl.when(n < self.min_chars).then(pl.lit("too_few_chars")).otherwise(out)
        return out

