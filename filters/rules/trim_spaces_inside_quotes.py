"""Spaces just inside quotation marks: ``" olá "`` -> ``"olá"``."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register

_SP = r"[^\S\n]"  # any horizontal space, no line breaks
# Paired marks are unambiguous; a pair never spans lines.
GUILLEMETS = rf"«{_SP}*(?P<inner>[^«»\n]*?){_SP}*»"
CURLY = rf"“{_SP}*(?P<inner>[^“”\n]*?){_SP}*”"
# A straight quote opens only at the start or after a space/bracket, so
# inch marks (5" e 6") are never paired.
STRAIGHT = rf'(?P<pre>^|[\s(\[{{]){_SP}*"{_SP}*(?P<inner>[^"\n]*?){_SP}*"'


@register
class TrimSpacesInsideQuotes(Transform):
    """Trim spaces just inside quotation marks: ``" olá "``, ``« olá »``, ``“ olá ”``.

    Pairs are matched left to right on one line. Single quotes are left alone
    (they double as apostrophes: ``d'água``, ``it's``).

    Examples
    --------
    >>> TrimSpacesInsideQuotes()('ele disse " olá " e « adeus » e “ fim ”')
    'ele disse "olá" e «adeus» e “fim”'
    >>> TrimSpacesInsideQuotes()('ecrã de 5" e de 6" , d\\' água')
    'ecrã de 5" e de 6" , d\\' água'
    """

    name = "trim_spaces_inside_quotes"

    def expr(self, col: pl.Expr) -> pl.Expr:
        return (
            col.str.replace_all(GUILLEMETS, "«${inner}»")
            .str.replace_all(CURLY, "“${inner}”")
            .str.replace_all(STRAIGHT, '${pre}"${inner}"')
        )
