"""``regex_replace``: replace every match of a user-supplied regex (it cannot hang a run)."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register
from corpus_sieve.filters.safe_regex import SafePattern, check_replacement


@register
class RegexReplace(Transform):
    """Replace every match of a user-supplied regex.

    Runs natively (Rust regex) when the pattern allows it, else with the Python
    ``regex`` module under a per-row ``timeout`` (a row over the limit raises
    ``RegexTimeoutError`` naming the pattern).

    Parameters
    ----------
    pattern : str
        Regular expression; invalid patterns raise ``ValueError`` here, so a
        recipe is rejected before any data is read.
    replacement : str, default ""
        Python-style replacement (``\\1``, ``\\g<name>``).
    flags : str, default ""
        Inline flag letters, any of ``"imsx"``.
    timeout : float, default 1.0
        Seconds per row for the Python fallback.

    Examples
    --------
    >>> RegexReplace(r"\\[\\d+\\]")("Lisboa[1] é a capital[2].")
    'Lisboa é a capital.'
    >>> RegexReplace(r"(\\d+)ºC", r"\\1 graus", flags="i")("Hoje 30ºC")
    'Hoje 30 graus'
    >>> RegexReplace(r"(?<=R\\$ )\\d+", "N")("custa R$ 30")     # look-behind: Python path
    'custa R$ N'
    """

    name = "regex_replace"

    def __init__(self, pattern: str, replacement: str = "", flags: str = "", timeout: float = 1.0) -> None:
        self.pattern = pattern
        self.replacement = replacement
        self.flags = flags
        self.timeout = timeout
        self._regex = SafePattern(pattern, flags, timeout)
        check_replacement(self._regex.full, replacement)  # fail at recipe validation, not mid-run

    @property
    def is_native(self) -> bool:
        return self._regex.native

    def expr(self, col: pl.Expr) -> pl.Expr:
        return self._regex.replace_expr(col, self.replacement)

    def transform_batch(self, texts: list[str]) -> list[str]:
        return self._regex.sub_batch(texts, self.replacement)
