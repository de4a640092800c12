"""``gopher_quality``: the Gopher quality rules (Rae et al. 2021, appendix A), as datatrove applies them,
vectorised: polars expressions over the batch, no Python loop per document."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

import polars as pl

from corpus_sieve.filters.base import REASON_COLUMN, TEXT_COLUMN, Check, as_series
from corpus_sieve.filters.quality.words import check_language, line_counts, word_counts
from corpus_sieve.filters.registry import register

__all__ = ["GopherQuality"]


@register
class GopherQuality(Check):
    """Reject documents that fail Gopher's quality rules; the reason names the rule.

    In order (the first rule that fails gives the reason):

    * fewer than ``min_doc_words`` / more than ``max_doc_words`` words that are not only
      punctuation (``gopher_short_doc``, ``gopher_long_doc``);
    * their mean length outside ``min_avg_word_length``..``max_avg_word_length``
      (``gopher_below_avg_threshold``, ``gopher_above_avg_threshold``);
    * ``#`` or ellipses per word above ``max_symbol_word_ratio``
      (``gopher_too_many_hashes``, ``gopher_too_many_ellipsis``);
    * lines starting with a bullet above ``max_bullet_lines_ratio``, lines ending with an
      ellipsis above ``max_ellipsis_lines_ratio`` (``gopher_too_many_bullets``,
      ``gopher_too_many_end_ellipsis``);
    * words with a letter below ``max_non_alpha_words_ratio`` (``gopher_below_alpha_threshold``);
    * fewer than ``min_stop_words`` of the language's stop words (``gopher_enough_stop_words``).

    The defaults are the published ones (datatrove's ``GopherQualityFilter``). ``language``
    swaps the stop words and the word splitting: ``en`` (default), ``pt``, ``es``.
    A threshold set to ``None`` turns its rule off.

    Examples
    --------
    >>> text = "The cat sat on the mat and looked at the birds that flew over the garden with joy. " * 4
    >>> GopherQuality().reason(text) is None
    True
    >>> GopherQuality().reason("Too short to be a document.")
    'gopher_short_doc'
    >>> GopherQuality(language="pt").reason("O gato dormiu ao sol da tarde, e depois foi para casa com o dono. " * 5) is None
    True
    """

    name = "gopher_quality"
    reasons: ClassVar[tuple[str, ...]] = (
        "gopher_short_doc", "gopher_long_doc", "gopher_below_avg_threshold", "gopher_above_avg_threshold",
        "gopher_too_many_hashes", "gopher_too_many_ellipsis", "gopher_too_many_bullets",
        "gopher_too_many_end_ellipsis", "gopher_below_alpha_threshold", "gopher_enough_stop_words",
    )

    def __init__(self, min_doc_words: int | None = 50, max_doc_words: int | None = 100_000,
                 min_avg_word_length: float | None = 3, max_avg_word_length: float | None = 10,
                 max_symbol_word_ratio: float | None = 0.1, max_bullet_lines_ratio: float | None = 0.9,
                 max_ellipsis_lines_ratio: float | None = 0.3, max_non_alpha_words_ratio: float | None = 0.8,
                 min_stop_words: int | None = 2, stop_words: list[str] | None = None, language: str = "en") -> None:
        self.min_doc_words = min_doc_words
        self.max_doc_words = max_doc_words
        self.min_avg_word_length = min_avg_word_length
        self.max_avg_word_length = max_avg_word_length
        self.max_symbol_word_ratio = max_symbol_word_ratio
        self.max_bullet_lines_ratio = max_bullet_lines_ratio
        self.max_ellipsis_lines_ratio = max_ellipsis_lines_ratio
        self.max_non_alpha_words_ratio = max_non_alpha_words_ratio
        self.min_stop_words = min_stop_words
        self.stop_words = stop_words
        self.language = check_language(language)

    def _measures(self, col: pl.Expr) -> dict[str, pl.Expr]:
        counts = word_counts(col, self.language, self.stop_words)
        lines = line_counts(col)
        return {
            "words": counts.words, "content": counts.content, "content_chars": counts.content_chars,
            "alpha": counts.alpha, "stop_words": counts.stop_words, "lines": lines.lines,
            "bullets": lines.bullets, "end_ellipsis": lines.end_ellipsis,
            "hashes": col.str.count_matches("#", literal=True),
            "ellipses": col.str.count_matches("...", literal=True) + col.str.count_matches("…", literal=True),
        }

    def _rules(self, m: dict[str, pl.Expr]) -> pl.Expr:
        mean_length = m["content_chars"] / m["content"]
        rules = [
            (self.min_doc_words, lambda v: m["content"] < v, "gopher_short_doc"),
            (self.max_doc_words, lambda v: m["content"] > v, "gopher_long_doc"),
            (self.min_avg_word_length, lambda v: mean_length < v, "gopher_below_avg_threshold"),
            (self.max_avg_word_length, lambda v: mean_length > v, "gopher_above_avg_threshold"),
            (self.max_symbol_word_ratio, lambda v: m["hashes"] / m["words"] > v, "gopher_too_many_hashes"),
            (self.max_symbol_word_ratio, lambda v: m["ellipses"] / m["words"] > v, "gopher_too_many_ellipsis"),
            (self.max_bullet_lines_ratio, lambda v: m["bullets"] / m["lines"] > v, "gopher_too_many_bullets"),
            (self.max_ellipsis_lines_ratio, lambda v: m["end_ellipsis"] / m["lines"] > v, "gopher_too_many_end_ellipsis"),
            (self.max_non_alpha_words_ratio, lambda v: m["alpha"] / m["words"] < v, "gopher_below_alpha_threshold"),
            (self.min_stop_words, lambda v: m["stop_words"] < v, "gopher_enough_stop_words"),
        ]
        out = pl.lit(None, pl.String)
        for threshold, fails, reason in reversed(rules):  # the first failing rule wins
            if threshold:  # datatrove skips a rule whose threshold is None or 0
                out = pl.when(fails(threshold).fill_null(False)).then(pl.lit(reason)).otherwise(out)
        return out

    def reason_expr(self, col: pl.Expr) -> pl.Expr:
        return self._rules(self._measures(col))

    def reasons_series(self, texts: pl.Series | Iterable[str | None]) -> pl.Series:
        """The reasons of a whole batch: every measure computed once, as a column, then the rules on them."""
        s = as_series(texts)
        measures = self._measures(pl.col(TEXT_COLUMN))
        return (s.to_frame(TEXT_COLUMN).lazy()
                .select(**measures)
                .select(self._rules({name: pl.col(name) for name in measures}).alias(REASON_COLUMN))
                .collect().get_column(REASON_COLUMN))
