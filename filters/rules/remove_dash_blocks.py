"""Separator runs: ``-----``, ``=====``, ``_____``, ``*****`` and the like."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register

_SEP = r"[-=_~*─━═—–]"
#: a line made only of separators (3+), removed with its line break
SEPARATOR_LINE = rf"(?m)^[^\S\n]*{_SEP}{{3,}}[^\S\n]*(?:\n|$)"
#: a run of 3+ separators inside a line ("fim ---- início"): becomes one space
SEPARATOR_RUN = rf"{_SEP}{{3,}}"


@register
class RemoveDashBlocks(Transform):
    """Remove separator blocks: runs of 3 or more ``- = _ ~ * ─ ━ ═ — –``.

    A line made only of separators is removed with its line break; a run
    inside a line becomes one space (so ``fim---início`` does not glue two
    words). Shorter runs (``--``, ``bem-vindo``, ``a = b``) stay.

    Examples
    --------
    >>> RemoveDashBlocks()("Título\\n-----\\nTexto --- mais ==== fim")
    'Título\\nTexto   mais   fim'
    >>> RemoveDashBlocks()("bem-vindo -- a = b, snake_case")
    'bem-vindo -- a = b, snake_case'
    """

    name = "remove_dash_blocks"

    def expr(self, col: pl.Expr) -> pl.Expr:
        return col.str.replace_all(SEPARATOR_LINE, "").str.replace_all(SEPARATOR_RUN, " ")
