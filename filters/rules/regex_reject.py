"""``regex_reject``: reject texts that match a user-supplied regex, with a reason you name."""

from __future__ import annotations

import re
from typing import ClassVar

import polars as pl

from corpus_sieve.filters.base import Check
from corpus_sieve.filters.registry import register
from corpus_sieve.filters.safe_regex import SafePattern

#: a reason name: snake_case, as every reason is
REASON_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@register
class RegexReject(Check):
    """Reject texts that match a user-supplied regex, with a reason you name.

    Parameters
    ----------
    pattern : str
        Regular expression; invalid patterns raise ``ValueError`` here.
    reason_name : str, default "regex_match"
        The reason recorded for rejected rows (snake_case).
    flags : str, default ""
        Inline flag letters, any of ``"imsx"``.
    timeout : float, default 1.0
        Seconds per row for the Python fallback.

    Examples
    --------
    >>> spam = RegexReject(r"compre j[aá]", reason_name="spam", flags="i")
    >>> spam.reason("COMPRE JÁ o seu!")
    'spam'
    >>> spam("Comprei pão.")
    True
    """

    name = "regex_reject"
    reasons: ClassVar[tuple[str, ...]] = ("regex_match",)

    def __init__(self, pattern: str, reason_name: str = "regex_match", flags: str = "", timeout: float = 1.0) -> None:
        if not isinstance(reason_name, str) or not REASON_NAME.match(reason_name):
            raise ValueError(f"reason_name must be snake_case (e.g. 'spam'), got {reason_name!r}")
        self.pattern = pattern
        self.reason_name = reason_name
        self.flags = flags
        self.timeout = timeout
        self.reasons = (reason_name,)  # type: ignore[misc]  # per-instance declared reason
        self._regex = SafePattern(pattern, flags, timeout)

    @property
    def is_native(self) -> bool:
        return self._regex.native

    def reason_expr(self, col: pl.Expr) -> pl.Expr:
        return pl.when(self._regex.contains_expr(col)).then(pl.lit(self.reason_name))

    def reasons_batch(self, texts: list[str]) -> list[str | None]:
        return [self.reason_name if hit else None for hit in self._regex.search_batch(texts)]
