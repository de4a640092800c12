"""``redact_pii``: personal data replaced by typed placeholders (``<EMAIL>``, ``<PHONE>``, ...) or, with
``action: reject``, the rows that hold any rejected (reason ``pii``).

What counts as personal data, and how each kind is confirmed (checksums,
issuer prefixes, address parsing), is in :mod:`corpus_sieve.filters.pii.detectors`.
A native expression picks the rows that could hold any (an ``@``, two digits
in a row, or a hex digit before a colon); only those reach Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import polars as pl

from corpus_sieve.filters.base import Check, Filter, Transform
from corpus_sieve.filters.pii.detectors import PII_TYPES, find_pii
from corpus_sieve.filters.registry import register

__all__ = ["RedactPii", "RejectPii"]

ACTIONS = ("redact", "reject")
#: rows that cannot hold personal data: no "@", no two digits in a row, no hex digit before a colon
_MAYBE_PII = r"@|\d\d|[0-9A-Fa-f]:"


class _PiiOptions:
    """The parameters both actions take, validated once."""

    def __init__(self, types: Sequence[str] = PII_TYPES, action: str = "redact", placeholder: str = "<{type}>") -> None:
        if isinstance(types, str):
            types = [types]
        types = [str(t).upper() for t in types]
        unknown = sorted(set(types) - set(PII_TYPES))
        if not types or unknown:
            raise ValueError(f"types must be some of {', '.join(PII_TYPES)}; unknown: {unknown or 'none given'}")
        if action not in ACTIONS:
            raise ValueError(f"action must be 'redact' or 'reject', got {action!r}")
        if "{type}" not in placeholder:
            raise ValueError(f"placeholder must contain {{type}} (e.g. '<{{type}}>'), got {placeholder!r}")
        self.types = list(types)
        self.action = action
        self.placeholder = placeholder

    def redact(self, text: str) -> str:
        """``text`` with each piece of personal data replaced by its placeholder."""
        found = find_pii(text, self.types)
        if not found:
            return text
        parts, last = [], 0
        for start, end, kind in found:
            parts += [text[last:start], self.placeholder.format(type=kind)]
            last = end
        return "".join(parts) + text[last:]

    def needs_expr(self, col: pl.Expr) -> pl.Expr:
        return col.str.contains(_MAYBE_PII)


@register
class RedactPii(_PiiOptions, Transform):
    """Replace personal data with typed placeholders: ``<EMAIL>``, ``<PHONE>``, ``<IP_ADDRESS>``,
    ``<CARD>``, ``<IBAN>``, ``<NIF>``, ``<CPF>``, ``<CNPJ>``.

    Each kind is confirmed before it is replaced: payment cards pass Luhn and
    an issuer prefix, IBANs mod-97, NIF/CPF/CNPJ their check digits, IP
    addresses parse. Look-alikes stay: ``casa.Ele``, ``3.5``, ``1.000.000``,
    dates, times, prices, version numbers, numbers that fail their checksum.

    Parameters
    ----------
    types : list of str, default all
        The kinds to look for: any of EMAIL, PHONE, IP_ADDRESS, CARD, IBAN, NIF, CPF, CNPJ.
    action : {"redact", "reject"}, default "redact"
        ``reject`` rejects rows that hold any (reason ``pii``) instead of rewriting them:
        the stage is then a check (``RedactPii(action="reject")`` builds a :class:`RejectPii`).
    placeholder : str, default "<{type}>"
        What replaces a piece of data; ``{type}`` becomes its kind.

    Examples
    --------
    >>> RedactPii()("Contacte ana.silva@exemplo.pt ou +351 912 345 678.")
    'Contacte <EMAIL> ou <PHONE>.'
    >>> RedactPii()("CPF 529.982.247-25, cartão 4111 1111 1111 1111")
    'CPF <CPF>, cartão <CARD>'
    >>> RedactPii()("Custa 1.000.000 € desde 12/03/2024 às 14:30 (versão 2.10.3).")
    'Custa 1.000.000 € desde 12/03/2024 às 14:30 (versão 2.10.3).'
    >>> RedactPii(action="reject").reason("escreva para ana@exemplo.pt")
    'pii'
    """

    name = "redact_pii"
    variant_params: ClassVar[tuple[str, ...]] = ("action",)

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is RedactPii and kwargs.get("action", args[1] if len(args) > 1 else "redact") == "reject":
            check = object.__new__(RejectPii)
            check.__init__(*args, **kwargs)
            return check
        return super().__new__(cls)

    @classmethod
    def variant_for(cls, params: dict[str, Any]) -> type[Filter]:
        return RejectPii if params.get("action") == "reject" else cls

    def transform_batch(self, texts: list[str]) -> list[str]:
        return [self.redact(t) for t in texts]


class RejectPii(_PiiOptions, Check):
    """``redact_pii`` with ``action: reject``: rows holding personal data are rejected (reason ``pii``).

    >>> RejectPii(action="reject")("sem dados pessoais aqui")
    True
    """

    name = "redact_pii"
    reasons: ClassVar[tuple[str, ...]] = ("pii",)
    variant_params: ClassVar[tuple[str, ...]] = ("action",)

    def __init__(self, types: Sequence[str] = PII_TYPES, action: str = "reject", placeholder: str = "<{type}>") -> None:
        super().__init__(types, action, placeholder)

    def reasons_batch(self, texts: list[str]) -> list[str | None]:
        return ["pii" if find_pii(t, self.types) else None for t in texts]
