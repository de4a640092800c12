"""``c4_quality``: C4's line and page rules (Raffel et al. 2020, section 2.2), as datatrove applies them.

C4 cleans a page line by line, then judges what is left: it is the one
heuristic set that both rewrites a document and rejects it, so this check
:attr:`~corpus_sieve.filters.base.Check.rewrites_text`. Lines are one long
polars frame over the batch (one row per line), so every rule is one native
expression over all the lines of all the documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

import polars as pl

from corpus_sieve.filters.base import CLEANED_COLUMN, REASON_COLUMN, TEXT_COLUMN, Check, as_series
from corpus_sieve.filters.quality.sentences import sentence_counts
from corpus_sieve.filters.quality.words import check_language
from corpus_sieve.filters.registry import register

__all__ = ["C4Quality", "POLICY_PHRASES"]

#: lines with one of these (lowercased) are cookie and terms-of-use banners: C4 drops them
POLICY_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"),
    "pt": ("termos de uso", "termos de utilização", "política de privacidade", "política de cookies",
           "utiliza cookies", "usa cookies", "utilizamos cookies", "uso de cookies", "utilização de cookies"),
    "es": ("términos de uso", "política de privacidad", "política de cookies", "utiliza cookies", "usa cookies",
           "utilizamos cookies", "uso de cookies"),
}
#: Wikipedia-style citation marks, removed from every line
CITATION = r"\[\d*\]|\[edit\]|\[citation needed\]"
#: the marks a kept line must end with (an ellipsis does not count)
TERMINAL = r"[.?!\"']$"
#: Python's ``str.splitlines`` breaks, made ``\n``
_LINE_BREAKS = r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"


@register
class C4Quality(Check):
    """Drop the lines C4 drops, then reject pages C4 rejects; the reason names the rule.

    Each line (Python's ``splitlines``, stripped) is dropped when

    * a word (between spaces) is longer than ``max_word_length`` characters;
    * it does not end with ``.`` ``?`` ``!`` ``"`` ``'``, or ends with ``...``
      (``filter_no_terminal_punct``; after removing citation marks such as ``[1]``
      and ``[edit]`` when ``remove_citations``);
    * it has fewer than ``min_words_per_line`` words;
    * it mentions ``javascript`` (``filter_javascript``) or a cookie / terms-of-use
      phrase (``filter_policy``, :data:`POLICY_PHRASES`).

    A page is rejected, in line order, when a line that got that far has ``lorem
    ipsum`` (``c4_lorem_ipsum``) or a ``{`` (``c4_curly_bracket``), and otherwise
    when its kept lines hold fewer than ``min_num_sentences`` sentences
    (``c4_too_few_sentences``; sentences as spaCy's sentencizer splits them). A
    kept page is its kept lines, one per line.

    The defaults are the published ones (datatrove's ``C4QualityFilter``); a
    threshold set to ``None`` (or datatrove's ``-1``) turns its rule off. ``language`` (``en``, ``pt``,
    ``es``) picks the abbreviations that end no sentence and the policy phrases.

    Examples
    --------
    >>> page = ("Menu\\nThe council met on Monday. It approved the budget. Schools get more money.\\n"
    ...         "Roads will be repaired in spring. The vote was close. Two members abstained.\\n"
    ...         "This site uses cookies to improve your experience.")
    >>> out = C4Quality().process(page)
    >>> out.reason is None
    True
    >>> print(out.text)
    The council met on Monday. It approved the budget. Schools get more money.
    Roads will be repaired in spring. The vote was close. Two members abstained.
    >>> C4Quality().reason("Only one sentence survives here.")
    'c4_too_few_sentences'
    >>> C4Quality().reason("Lorem ipsum dolor sit amet, consectetur adipiscing elit.")
    'c4_lorem_ipsum'
    """

    name = "c4_quality"
    reasons: ClassVar[tuple[str, ...]] = ("c4_lorem_ipsum", "c4_curly_bracket", "c4_too_few_sentences")
    rewrites_text: ClassVar[bool] = True

    def __init__(self, remove_citations: bool = True, filter_no_terminal_punct: bool = True,
                 min_num_sentences: int | None = 5, min_words_per_line: int | None = 3,
                 max_word_length: int | None = 1000, filter_lorem_ipsum: bool = True,
                 filter_javascript: bool = True, filter_curly_bracket: bool = True, filter_policy: bool = True,
                 language: str = "en") -> None:
        self.remove_citations = remove_citations
        self.filter_no_terminal_punct = filter_no_terminal_punct
        self.min_num_sentences = min_num_sentences
        self.min_words_per_line = min_words_per_line
        self.max_word_length = max_word_length
        self.filter_lorem_ipsum = filter_lorem_ipsum
        self.filter_javascript = filter_javascript
        self.filter_curly_bracket = filter_curly_bracket
        self.filter_policy = filter_policy
        self.language = check_language(language)

    def reasons_series(self, texts: pl.Series | Iterable[str | None]) -> pl.Series:
        return self.reasons_frame(as_series(texts).to_frame(TEXT_COLUMN))[REASON_COLUMN]

    def reasons_frame(self, frame: pl.DataFrame, column: str = TEXT_COLUMN, id_column: str | None = None) -> pl.DataFrame:
        """``reason`` and ``cleaned_text`` (the kept lines) of every row of ``frame[column]``."""
        docs = frame.select(pl.col(column).cast(pl.String).alias("text")).with_row_index("doc")
        lines = self._lines(docs)
        false = pl.lit(False)
        line = pl.col("line")
        lower = line.str.to_lowercase()
        passes = pl.col("short_enough") & pl.col("words").ge(self.min_words_per_line or 0)
        if self.filter_no_terminal_punct:
            passes = passes & line.str.contains(TERMINAL) & ~line.str.ends_with("...")
        lorem = passes & (lower.str.contains("lorem ipsum", literal=True) if self.filter_lorem_ipsum else false)
        javascript = lower.str.contains("javascript", literal=True) if self.filter_javascript else false
        curly = passes & ~javascript & (line.str.contains("{", literal=True) if self.filter_curly_bracket else false)
        policy = lower.str.contains_any(list(POLICY_PHRASES[self.language])) if self.filter_policy else false
        lines = lines.with_columns(
            pl.when(lorem).then(pl.lit("c4_lorem_ipsum")).when(curly).then(pl.lit("c4_curly_bracket"))
            .otherwise(None).alias("line_reason"),
            (passes & ~lorem & ~javascript & ~curly & ~policy).alias("kept"),
        )
        kept = lines.filter("kept")
        if self.min_num_sentences:
            kept = kept.with_columns(sentence_counts(line, self.language).alias("sentences"))
        else:
            kept = kept.with_columns(pl.lit(0, pl.UInt32).alias("sentences"))
        per_doc = (kept.group_by("doc").agg(line.sort_by("pos").str.join("\n").str.strip_chars().alias("cleaned"),
                                            pl.col("sentences").sum())
                   .join(lines.filter(pl.col("line_reason").is_not_null()).group_by("doc")
                         .agg(pl.col("line_reason").sort_by("pos").first()), on="doc", how="full", coalesce=True))
        out = docs.join(per_doc, on="doc", how="left").sort("doc")
        too_few = pl.col("sentences").fill_null(0) < (self.min_num_sentences or 0)
        reason = (pl.when(pl.col("text").is_null()).then(None)
                  .when(pl.col("line_reason").is_not_null()).then(pl.col("line_reason"))
                  .when(too_few).then(pl.lit("c4_too_few_sentences")))
        return out.select(reason.cast(pl.String).alias(REASON_COLUMN),
                          pl.when(pl.col("text").is_null()).then(None).otherwise(pl.col("cleaned").fill_null(""))
                          .alias(CLEANED_COLUMN))

    def _lines(self, docs: pl.DataFrame) -> pl.DataFrame:
        """One row per line: ``doc``, ``pos``, the stripped ``line`` (citations removed), its
        ``words`` (between spaces, before removing citations) and ``short_enough`` (no over-long word)."""
        split = (docs.lazy().filter(pl.col("text").is_not_null())
                 .select("doc", pl.col("text").str.replace_all(_LINE_BREAKS, "\n").str.split("\n").alias("line"))
                 .explode("line")
                 .with_columns(pl.int_range(pl.len()).over("doc").alias("pos"), pl.len().over("doc").alias("n"))
                 # splitlines() gives no last empty line after a final break, nor any line for ""
                 .filter(~((pl.col("pos") == pl.col("n") - 1) & (pl.col("line") == "")))
                 .select("doc", "pos", pl.col("line").str.strip_chars())
                 .with_columns(pl.col("line").str.count_matches(r"\S+").alias("words")))
        if self.remove_citations:
            split = split.with_columns(pl.col("line").str.replace_all(CITATION, "").alias("cited"))
        else:
            split = split.with_columns(pl.col("line").alias("cited"))
        lines = split.collect()
        short_enough = pl.repeat(True, lines.height, dtype=pl.Boolean, eager=True).alias("short_enough")
        if self.max_word_length is not None and self.max_word_length >= 0:  # datatrove's -1 is off too
            # only a line longer than the limit can hold a word longer than it
            long = lines["line"].str.len_chars() > self.max_word_length
            if long.any():
                longest = lines["line"].filter(long).str.extract_all(r"\S+").list.eval(pl.element().str.len_chars()).list.max()
                short_enough = short_enough.scatter(long.arg_true(), longest.fill_null(0) <= self.max_word_length)
        return lines.select("doc", "pos", pl.col("cited").alias("line"), "words", short_enough)
