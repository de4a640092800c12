"""@mention removal that leaves e-mail addresses alone."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register

#: e-mails first: leftmost-first matching consumes ``ana@gmail.com`` whole,
#: so its ``@gmail`` is never taken for a mention.
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# "@host.domain" is the tail of an address ("a@b.pt@c.pt"), not a handle:
# kept too, so that a second pass finds nothing new.
MENTION = rf"(?P<email>{_EMAIL}|[@＠][\w-]+(?:\.[\w-]+)+)|[@＠]\w+"


@register
class RemoveMentions(Transform):
    """Remove ``@user`` mentions; e-mail addresses (``ana@gmail.com``) stay.

    A handle is ``@`` followed by word characters (Unicode letters, digits,
    ``_``). A handle glued to a word (``BIRRA@user``, real ToLD-Br text) is a
    mention too, unless the whole thing is an e-mail address (it has a dotted
    domain). ``@name.with.dots`` looks like the tail of an address and stays.
    Spaces around a removed mention are left to ``normalize_whitespace``.

    Examples
    --------
    >>> RemoveMentions()("@user @user o cara só é o maior")
    '  o cara só é o maior'
    >>> RemoveMentions()("escreve para ana@gmail.com, @joão")
    'escreve para ana@gmail.com, '
    """

    name = "remove_mentions"

    def expr(self, col: pl.Expr) -> pl.Expr:
        return col.str.replace_all(MENTION, "${email}")
