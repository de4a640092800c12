"""``reject_empty``: reject texts that are empty or only whitespace."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Check
from corpus_sieve.filters.registry import register


@register
class RejectEmpty(Check):
    """Reject texts that are empty or only whitespace (reason ``empty``).

    Examples
    --------
    >>> RejectEmpty()("  \\n ")
    False
    >>> RejectEmpty()("Olá")
    True
    """

    name = "reject_empty"
    reasons = ("empty",)

    def reason_expr(self, col: pl.Expr) -> pl.Expr:
        return pl.when(col.str.strip_chars().str.len_chars() == 0).then(pl.lit("empty"))
