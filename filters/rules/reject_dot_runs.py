"""Runs of four or more dots (``....``): extraction noise or table leaders."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Check
from corpus_sieve.filters.registry import register


@register
class RejectDotRuns(Check):
    """Reject texts with a run of ``min_dots`` or more dots (reason ``dot_run``).

    The ellipsis (``...`` or ``…``) is punctuation and keeps a text; ``....``,
    ``….`` and ``……`` are runs. Note that social media uses ``bem....`` freely
    (about 1 % of ToLD-Br tweets): leave this check out of social-media
    recipes, or raise ``min_dots``.

    Parameters
    ----------
    min_dots : int, default 4
        The shortest run that rejects (at least 4).

    Examples
    --------
    >>> RejectDotRuns().reason("Índice ........ 3")
    'dot_run'
    >>> RejectDotRuns()("Bem... e tu…")
    True
    """

    name = "reject_dot_runs"
    reasons = ("dot_run",)

    def __init__(self, min_dots: int = 4) -> None:
        if min_dots < 4:
            raise ValueError(f"min_dots must be at least 4 (the ellipsis '...' is punctuation), got {min_dots}")
        self.min_dots = min_dots

    def reason_expr(self, col: pl.Expr) -> pl.Expr:
        # the ellipsis character counts as the three dots it stands for
        dots = col.str.replace_all("…", "...", literal=True)
        return pl.when(dots.str.contains(rf"\.{{{self.min_dots},}}")).then(pl.lit("dot_run"))
