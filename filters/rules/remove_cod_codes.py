"""``COD _ XXX`` codes left by tokenised legal/administrative sources."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register

# PtVId's corpus carried reference codes whose underscore a tokeniser had
# split off: "COD_123" became "COD _ 123". A code is the upper-case word COD,
# an underscore (spaces around it allowed) and an alphanumeric id, possibly
# with internal - / . separators. Case-sensitive on purpose: "cod" (the fish,
# "cod_postal" identifiers) and "código" are words, and COD alone (cash on
# delivery) has no underscore.
COD_CODE = r"\bCOD[^\S\n]*_[^\S\n]*[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*\b"


@register
class RemoveCodCodes(Transform):
    """Remove ``COD _ XXX``-style codes (``COD _ 123``, ``COD_ABC``, ``COD _ 2011/0901``).

    Only the upper-case word ``COD`` followed by an underscore counts:
    ``CODIGO_1``, ``MY_COD_1``, ``cod_postal``, ``código`` and a bare ``COD``
    stay.

    Examples
    --------
    >>> RemoveCodCodes()("Regulamento COD _ 123 aprovado; ver COD_ABC.")
    'Regulamento  aprovado; ver .'
    >>> RemoveCodCodes()("pagamento COD, código 12, cod_postal")
    'pagamento COD, código 12, cod_postal'
    """

    name = "remove_cod_codes"

    def expr(self, col: pl.Expr) -> pl.Expr:
        return col.str.replace_all(COD_CODE, "")
