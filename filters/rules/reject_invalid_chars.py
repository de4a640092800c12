"""Share of characters that no clean text contains (control, private-use, unassigned, U+FFFD)."""

from __future__ import annotations

import polars as pl

from corpus_sieve.filters.base import Check
from corpus_sieve.filters.registry import register

# By Unicode general category, not a hand-made list:
#   Cc  control characters, except \t \n \r (ordinary layout);
#   Co  private use (icon-font glyphs scraped from web pages);
#   Cn  unassigned code points (binary junk, or a wrong decoding);
#   U+FFFD, the replacement character a failed decoding leaves behind.
# Not counted: Cs surrogates cannot occur in UTF-8 strings at all; So symbols
# and Cf format characters include emoji and the ZWJ inside emoji sequences.
# Cn follows the Unicode version of polars' regex engine: a character newer
# than it (e.g. a brand-new emoji) would count as unassigned.
INVALID_CHAR = r"[\p{Cc}\p{Co}\p{Cn}\x{FFFD}--[\t\n\r]]"


@register
class RejectInvalidChars(Check):
    """Reject texts where too many characters are invalid for text (reason ``invalid_chars``).

    Invalid: control characters (Unicode class ``Cc``, except tab, newline and
    carriage return), private-use (``Co``), unassigned (``Cn``) code points and
    the replacement character ``U+FFFD``. Emoji and other symbols are valid.

    Parameters
    ----------
    max_ratio : float, default 0.05
        Reject when the share of invalid characters is above this (0 rejects
        any invalid character).

    Examples
    --------
    >>> RejectInvalidChars().reason("n\\ufffdo te merece \\ufffd\\ufffd")
    'invalid_chars'
    >>> RejectInvalidChars()("que lindo 😍🇧🇷\\tok\\n")
    True
    """

    name = "reject_invalid_chars"
    reasons = ("invalid_chars",)

    def __init__(self, max_ratio: float = 0.05) -> None:
        if not 0 <= max_ratio < 1:
            raise ValueError(f"max_ratio must be in [0, 1), got {max_ratio!r}")
        self.max_ratio = max_ratio

    def reason_expr(self, col: pl.Expr) -> pl.Expr:
        invalid = col.str.count_matches(INVALID_CHAR)
        ratio = invalid / pl.max_horizontal(col.str.len_chars(), pl.lit(1))
        return pl.when(ratio > self.max_ratio).then(pl.lit("invalid_chars"))
