"""Leading list bullets (``1. ``, ``2) ``, ``a) ``, ``• ``, ``- ``) on each line."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register

# PtVId's rule had an unescaped "." (``\d+.``): "2024 foi um ano" lost its
# year. Here a numeric bullet is 1-3 digits (optionally dotted: ``1.2.``) and
# must end in an escaped "." or ")" followed by whitespace, so "2024 foi",
# "3.5 milhões", "1.º lugar" and "1.000 pessoas" never match.
_NUMBERED = r"\d{1,3}(?:\.\d{1,3})*[.)]"
_LETTERED = r"\(?[a-zA-Z]\)|\(\d{1,3}\)|(?i:[ivx]{1,4})\)"
# The em dash "—" is the dialogue dash of Portuguese fiction: deliberately not a bullet.
_SYMBOL = r"[•●○◦▪▫■□‣⁃∙·*\-–]"
# nested markers ("1. a) texto", "- • texto") go in one pass, so the rule is idempotent
LIST_BULLET = rf"(?m)^(?P<indent>[^\S\n]*)(?:(?:{_NUMBERED}|{_LETTERED}|{_SYMBOL})[^\S\n]+)+"


@register
class RemoveListBullets(Transform):
    """Remove list bullets at the start of each line, keeping the item text.

    Bullets: ``1.``, ``1.2.``, ``2)``, ``(3)``, ``a)``, ``(b)``, ``iv)``, and
    the symbols ``• ● ○ ◦ ▪ ▫ ■ □ ‣ ⁃ ∙ · * - –`` — each followed by
    whitespace. The indentation is kept; letters followed by a full stop
    (``A. Silva``) are initials, not bullets, and the em dash ``—`` opens
    dialogue in Portuguese fiction, so both stay.

    Examples
    --------
    >>> RemoveListBullets()("Ingredientes:\\n1. farinha\\n2) ovos\\n• leite")
    'Ingredientes:\\nfarinha\\novos\\nleite'
    >>> RemoveListBullets()("2024 foi um ano difícil; 3.5 milhões; 1.º lugar")
    '2024 foi um ano difícil; 3.5 milhões; 1.º lugar'
    """

    name = "remove_list_bullets"

    def expr(self, col: pl.Expr) -> pl.Expr:
        return col.str.replace_all(LIST_BULLET, "${indent}")
