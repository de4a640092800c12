"""Retweet markers: ``RT @user:`` at the start of a tweet."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register

_HANDLE = r"[@＠]\w+:?"
# One or more "RT @a @b:" groups at the very start (retweets of retweets),
# with the spaces that follow; "rt" must be a word of its own ("rtx" is not).
RETWEET_MARKER = rf"^(?:[^\S\n]*(?i:rt)\b[^\S\n]*:?[^\S\n]*{_HANDLE}(?:[^\S\n]*{_HANDLE})*)+[^\S\n]*"


@register
class RemoveRetweetMarker(Transform):
    """Remove the retweet marker ``RT @user:`` (any case) at the start of a text.

    Chained handles (``rt @a @b``) and nested retweets (``RT @a: RT @b:``) go
    too. ``rt`` without a following handle is content ("rt se concorda") and
    stays; so does an ``RT @`` in the middle of a text.

    Examples
    --------
    >>> RemoveRetweetMarker()("rt @user @user o cara adultera dados")
    'o cara adultera dados'
    >>> RemoveRetweetMarker()("RT @ana: RT @rui: bom dia")
    'bom dia'
    >>> RemoveRetweetMarker()("rt se concorda")
    'rt se concorda'
    """

    name = "remove_retweet_marker"

    def expr(self, col: pl.Expr) -> pl.Expr:
        return col.str.replace_all(RETWEET_MARKER, "")
