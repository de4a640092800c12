"""``fineweb_quality``: FineWeb's line-level rules (Penedo et al. 2024), as datatrove applies them.

Four measures over a document's non-blank lines, all native polars list
expressions over the batch: the share of lines ending in terminal
punctuation, the share of short lines, the characters in repeated lines, and
newlines per word.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from corpus_sieve.filters.base import Check
from corpus_sieve.filters.quality.words import check_language, word_counts
from corpus_sieve.filters.registry import register

__all__ = ["FineWebQuality", "TERMINAL_PUNCTUATION"]

#: the marks that end a sentence in any script (datatrove's ``TERMINAL_PUNCTUATION``), FineWeb's ``stop_chars``
TERMINAL_PUNCTUATION = (
    "!.?\u0589\u061d\u061e\u061f\u06d4\u0700\u0701\u0702\u07f9\u0837\u0839\u083d\u083e\u0964\u0965"
    "\u104a\u104b\u1362\u1367\u1368\u166e\u1735\u1736\u17d4\u17d5\u17d6\u17d9\u17da\u1803\u1809\u1944"
    "\u1945\u1aa8\u1aa9\u1aaa\u1aab\u1b5a\u1b5b\u1b5e\u1b5f\u1b7d\u1b7e\u1c3b\u1c3c\u1c7e\u1c7f\u203c"
    "\u203d\u2047\u2048\u2049\u2e2e\u2e3c\u2e53\u2e54\u3002\ua4ff\ua60e\ua60f\ua6f3\ua6f7\ua876\ua877"
    "\ua8ce\ua8cf\ua92f\ua9c8\ua9c9\uaa5d\uaa5e\uaa5f\uaaf0\uaaf1\uabeb\ufe52\ufe56\ufe57\uff01\uff0e"
    "\uff1f\uff61\U00010a56\U00010a57\U00010f55\U00010f56\U00010f57\U00010f58\U00010f59\U00010f86"
    "\U00010f87\U00010f88\U00010f89\U00011047\U00011048\U000110be\U000110bf\U000110c0\U000110c1"
    "\U00011141\U00011142\U00011143\U000111c5\U000111c6\U000111cd\U000111de\U000111df\U00011238"
    "\U00011239\U0001123b\U0001123c\U000112a9\U0001144b\U0001144c\U000115c2\U000115c3\U000115c9"
    "\U000115ca\U000115cb\U000115cc\U000115cd\U000115ce\U000115cf\U000115d0\U000115d1\U000115d2"
    "\U000115d3\U000115d4\U000115d5\U000115d6\U000115d7\U00011641\U00011642\U0001173c\U0001173d"
    "\U0001173e\U00011944\U00011946\U00011a42\U00011a43\U00011a9b\U00011a9c\U00011c41\U00011c42"
    "\U00011ef7\U00011ef8\U00011f43\U00011f44\U00016a6e\U00016a6f\U00016af5\U00016b37\U00016b38"
    "\U00016b44\U00016e98\U0001bc9f\U0001da88"
)


@register
class FineWebQuality(Check):
    """Reject documents that fail FineWeb's quality rules; the reason names the rule.

    Lines are the text split at ``\\n``, blank ones left out. In order:

    * no line at all (``fineweb_empty``);
    * fewer than ``line_punct_thr`` of the lines end with one of ``stop_chars``
      (``fineweb_line_punct_ratio``; with ``line_punct_exclude_zero``, a document with
      no such line passes this rule);
    * more than ``short_line_thr`` of the lines have at most ``short_line_length``
      characters (``fineweb_short_line_ratio``);
    * the lines that repeat an earlier line hold more than ``char_duplicates_ratio`` of
      the characters (newlines aside) (``fineweb_char_dup_ratio``);
    * more than ``new_line_ratio`` newlines per word (``fineweb_list_ratio``).

    The defaults are the published ones (datatrove's ``FineWebQualityFilter``); a
    threshold set to ``None`` turns its rule off. ``language`` (``en``, ``pt``, ``es``)
    picks the word splitting.

    Examples
    --------
    >>> article = ("The council approved the new budget after a long debate about schools and roads.\\n"
    ...            "Several members asked for more money for public transport in the northern districts.")
    >>> FineWebQuality().reason(article) is None
    True
    >>> FineWebQuality().reason("Home\\nNews\\nSport\\nContact us\\nA line that ends well.")
    'fineweb_short_line_ratio'
    >>> FineWebQuality().reason("Home\\nNews\\nSport")
    'fineweb_line_punct_ratio'
    """

    name = "fineweb_quality"
    reasons: ClassVar[tuple[str, ...]] = (
        "fineweb_empty", "fineweb_line_punct_ratio", "fineweb_short_line_ratio", "fineweb_char_dup_ratio",
        "fineweb_list_ratio",
    )

    def __init__(self, line_punct_thr: float | None = 0.12, line_punct_exclude_zero: bool = False,
                 stop_chars: str | None = None, short_line_thr: float | None = 0.67, short_line_length: int = 30,
                 char_duplicates_ratio: float | None = 0.01, new_line_ratio: float | None = 0.3,
                 language: str = "en") -> None:
        self.line_punct_thr = line_punct_thr
        self.line_punct_exclude_zero = line_punct_exclude_zero
        self.stop_chars = stop_chars
        self.short_line_thr = short_line_thr
        self.short_line_length = short_line_length
        self.char_duplicates_ratio = char_duplicates_ratio
        self.new_line_ratio = new_line_ratio
        self.language = check_language(language)

    def reason_expr(self, col: pl.Expr) -> pl.Expr:
        marks = "".join(TERMINAL_PUNCTUATION if self.stop_chars is None else self.stop_chars)
        ends_well = "[" + "".join("\\" + ch if ch in "\\]^-[" else ch for ch in marks) + "]$"
        line = pl.element()
        # Python's str.strip() also strips \x1c..\x1f, which are not Unicode white space
        lines = col.str.split("\n").list.eval(line.filter(~line.str.contains(r"^[\s\x1c-\x1f]*$")))
        n_lines = lines.list.len()
        text_chars = col.str.len_chars() - col.str.count_matches("\n", literal=True)
        rules: list[tuple[object, pl.Expr, str]] = [
            (True, n_lines == 0, "fineweb_empty"),
            (self.line_punct_thr, self._punct_rule(lines.list.eval(line.str.contains(ends_well)).list.sum() / n_lines),
             "fineweb_line_punct_ratio"),
            (self.short_line_thr,
             lines.list.eval(line.str.len_chars() <= self.short_line_length).list.sum() / n_lines > (self.short_line_thr or 0),
             "fineweb_short_line_ratio"),
            (self.char_duplicates_ratio,
             lines.list.eval(line.filter(~line.is_first_distinct()).str.len_chars()).list.sum() / text_chars
             > (self.char_duplicates_ratio or 0), "fineweb_char_dup_ratio"),
            (self.new_line_ratio,
             col.str.count_matches("\n", literal=True) / word_counts(col, self.language).words > (self.new_line_ratio or 0),
             "fineweb_list_ratio"),
        ]
        out = pl.lit(None, pl.String)
        for threshold, fails, reason in reversed(rules):  # the first failing rule wins
            if threshold is not None:
                out = pl.when(fails.fill_null(False)).then(pl.lit(reason)).otherwise(out)
        return pl.when(col.is_null()).then(None).otherwise(out)

    def _punct_rule(self, ratio: pl.Expr) -> pl.Expr:
        fails = ratio < (self.line_punct_thr or 0)
        return fails & (ratio != 0) if self.line_punct_exclude_zero else fails
