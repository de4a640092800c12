"""``gopher_repetition``: Gopher's repetition rules (Rae et al. 2021, table A1), as datatrove applies them.

Duplicate paragraphs and lines, the most frequent 2-, 3- and 4-gram, and the
characters covered by repeated 5- to 10-grams. Everything is polars over
the batch (lists per document, one long frame of n-grams, hashed) except the
greedy scan of the last rule, which is sequential by nature; it visits only
the n-grams that occur at least twice in their document (the others can never
be a repeat), in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

import polars as pl

from corpus_sieve.filters.base import REASON_COLUMN, Check, as_series
from corpus_sieve.filters.quality.words import check_language, word_tokens
from corpus_sieve.filters.registry import register

__all__ = ["GopherRepetition", "repeated_ngram_chars"]

TOP_N_GRAMS = ((2, 0.2), (3, 0.18), (4, 0.16))
#: the rolling hash's multiplier (FNV-1's 64-bit prime); arithmetic on UInt64 wraps
_PRIME = pl.lit(0x100000001B3, pl.UInt64)
DUP_N_GRAMS = ((5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10))


def repeated_ngram_chars(words: Sequence[str], n: int) -> int:
    """Characters of the n-grams that repeat an earlier one, scanning as datatrove does
    (a repeat skips its ``n`` words; the n-grams it skipped are never remembered).

    >>> repeated_ngram_chars("a b c a b c".split(), 3)
    3
    """
    seen: set[str] = set()
    repeated = idx = 0
    while idx < len(words) - n + 1:
        gram = "".join(words[idx:idx + n])
        if gram in seen:
            repeated += len(gram)
            idx += n
        else:
            seen.add(gram)
            idx += 1
    return repeated


def _duplicates(parts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Elements that repeat an earlier one, and their characters."""
    chars = parts.list.eval(pl.element().str.len_chars()).list.sum()
    unique_chars = parts.list.unique().list.eval(pl.element().str.len_chars()).list.sum()
    return parts.list.len() - parts.list.n_unique(), chars - unique_chars


def _greedy(positions: list[int], hashes: list[int], chars: list[int], n: int) -> int:
    """:func:`repeated_ngram_chars` visiting only the n-grams that occur twice or more in the document.

    The scan moves one word at a time except after a repeat; the n-grams met
    on the way that occur once can never be a repeat, so the scan can jump
    from one repeated n-gram (``positions``, in order) to the next.
    """
    order = sorted(range(len(positions)), key=positions.__getitem__)
    seen: set[int] = set()
    repeated = at = 0
    for k in order:
        position = positions[k]
        if position < at:
            continue  # inside the n words a repeat skipped
        if hashes[k] in seen:
            repeated += chars[k]
            at = position + n
        else:
            seen.add(hashes[k])
            at = position + 1
    return repeated


@register
class GopherRepetition(Check):
    """Reject documents whose lines, paragraphs or n-grams repeat too much; the reason names the rule.

    In order: ``dup_para_frac``, ``dup_para_char_frac``, ``dup_line_frac``,
    ``dup_line_char_frac``, ``top_2_gram`` .. ``top_4_gram``, ``duplicated_5_n_grams`` ..
    ``duplicated_10_n_grams`` (datatrove's reason names), and ``empty`` for an empty text.
    Defaults are the published thresholds; ``None`` turns a rule off. ``language``
    swaps the word splitting: ``en`` (default), ``pt``, ``es``.

    Examples
    --------
    >>> GopherRepetition().reason("Buy now!\\nBuy now!\\nBuy now!\\nA real line of text here.")
    'dup_line_frac'
    >>> text = ("The council approved the new budget after a long debate about schools and roads. "
    ...         "Several members asked for more money for public transport in the northern districts. "
    ...         "A vote on the housing plan was postponed until the next session in March.")
    >>> GopherRepetition().reason(text) is None
    True
    >>> GopherRepetition().reason("A short text.")  # one n-gram is most of it: datatrove says so too
    'top_2_gram'
    """

    name = "gopher_repetition"
    reasons: ClassVar[tuple[str, ...]] = (
        "empty", "dup_para_frac", "dup_para_char_frac", "dup_line_frac", "dup_line_char_frac",
        *(f"top_{n}_gram" for n, _ in TOP_N_GRAMS), *(f"duplicated_{n}_n_grams" for n, _ in DUP_N_GRAMS),
    )

    def __init__(self, dup_line_frac: float | None = 0.3, dup_para_frac: float | None = 0.3,
                 dup_line_char_frac: float | None = 0.2, dup_para_char_frac: float | None = 0.2,
                 top_n_grams: Sequence[Sequence[float]] = TOP_N_GRAMS,
                 dup_n_grams: Sequence[Sequence[float]] = DUP_N_GRAMS, language: str = "en") -> None:
        self.dup_line_frac = dup_line_frac
        self.dup_para_frac = dup_para_frac
        self.dup_line_char_frac = dup_line_char_frac
        self.dup_para_char_frac = dup_para_char_frac
        self.top_n_grams = [(int(n), float(f)) for n, f in top_n_grams]
        self.dup_n_grams = [(int(n), float(f)) for n, f in dup_n_grams]
        self.language = check_language(language)

    def reasons_series(self, texts: pl.Series | Iterable[str | None]) -> pl.Series:
        s = as_series(texts)
        text = pl.col("text")
        frame = pl.DataFrame({"text": s}).with_row_index("doc")
        paragraphs = text.str.strip_chars().str.replace_all(r"\n{2,}", "\x00").str.split("\x00")
        lines = text.str.replace_all(r"\n+", "\x00").str.split("\x00")
        para_dups, para_chars = _duplicates(paragraphs)
        line_dups, line_chars = _duplicates(lines)
        measures = frame.lazy().select(
            "doc", "text", length=text.str.len_chars(), paragraphs=paragraphs.list.len(), para_dups=para_dups,
            para_chars=para_chars, lines=lines.list.len(), line_dups=line_dups, line_chars=line_chars,
            words=word_tokens(text, self.language, split_clitics=False),
        ).collect()
        grams = self._ngram_measures(measures)
        out = measures.join(grams, on="doc", how="left")
        rules: list[tuple[float | None, pl.Expr, str]] = [
            (self.dup_para_frac, pl.col("para_dups") / pl.col("paragraphs"), "dup_para_frac"),
            (self.dup_para_char_frac, pl.col("para_chars") / pl.col("length"), "dup_para_char_frac"),
            (self.dup_line_frac, pl.col("line_dups") / pl.col("lines"), "dup_line_frac"),
            (self.dup_line_char_frac, pl.col("line_chars") / pl.col("length"), "dup_line_char_frac"),
            *[(f, pl.col(f"top_{n}") / pl.col("length"), f"top_{n}_gram") for n, f in self.top_n_grams],
            *[(f, pl.col(f"dup_{n}") / pl.col("length"), f"duplicated_{n}_n_grams") for n, f in self.dup_n_grams],
        ]
        reason = pl.lit(None, pl.String)
        for threshold, value, name in reversed(rules):
            if threshold:
                reason = pl.when((value > threshold).fill_null(False)).then(pl.lit(name)).otherwise(reason)
        reason = pl.when(pl.col("text").is_null()).then(None).when(pl.col("length") == 0).then(pl.lit("empty")).otherwise(reason)
        return out.sort("doc").select(reason.alias(REASON_COLUMN)).get_column(REASON_COLUMN)

    def _ngram_measures(self, measures: pl.DataFrame) -> pl.DataFrame:
        """Per document: the top n-gram's characters (``top_N``) and the repeated n-grams' (``dup_N``).

        Words become (hash, length) pairs; an n-gram is the hash of its words' hashes,
        so no n-gram string is ever built.
        """
        long = (measures.select("doc", "words").explode("words").drop_nulls("words")
                .select("doc", pl.int_range(pl.len()).over("doc").alias("pos"),
                        pl.col("words").hash().alias("h"), pl.col("words").str.len_chars().alias("l")))
        widest = max([n for n, _ in (*self.top_n_grams, *self.dup_n_grams)], default=1)
        # the n-gram starting at each word, for every n: a rolling hash and its characters, built one word
        # at a time (documents are contiguous: one global shift, then a check that the word is the same doc's)
        long = long.with_columns(pl.col("h").alias("g1"), pl.col("l").alias("c1"))
        for n in range(2, widest + 1):
            same = pl.col("doc").shift(-(n - 1)) == pl.col("doc")
            long = long.with_columns(
                pl.when(same).then(pl.col(f"g{n - 1}") * _PRIME + pl.col("h").shift(-(n - 1))).alias(f"g{n}"),
                pl.when(same).then(pl.col(f"c{n - 1}") + pl.col("l").shift(-(n - 1))).alias(f"c{n}"))
        # An n-gram that occurs twice starts with an (n-1)-gram that occurs twice: each n only looks
        # at the positions whose (n-1)-gram repeats, a set that shrinks fast as n grows.
        tops = dict(self.top_n_grams)
        dups = dict(self.dup_n_grams)
        firsts = long.filter(pl.col("pos") == 0)
        out = measures.select("doc")
        repeated = long
        for n in range(1, widest + 1):
            gram = (pl.col(f"g{n}") ^ (pl.col("doc").cast(pl.UInt64) * _PRIME)).alias("gram")
            repeated = (repeated.filter(pl.col(f"g{n}").is_not_null()).with_columns(gram)
                        .filter(pl.col("gram").is_duplicated()))
            if n in tops:
                out = out.join(_top(repeated, firsts, n), on="doc", how="left")
            if n in dups:
                out = out.join(_repeated_chars(repeated, n), on="doc", how="left").with_columns(pl.col(f"dup_{n}").fill_null(0))
        return out


def _top(repeated: pl.DataFrame, firsts: pl.DataFrame, n: int) -> pl.DataFrame:
    """``top_N`` per document: the characters of its most frequent n-gram (the first one on a tie)
    times its count. A document with no repeated n-gram has its first n-gram once."""
    chars = pl.col(f"c{n}")
    top = (repeated.group_by("gram")
           .agg(pl.col("doc").first(), pl.len().alias("count"), pl.col("pos").min().alias("first"), chars.first())
           .filter(pl.col("count") == pl.col("count").max().over("doc"))
           .group_by("doc").agg(pl.all().sort_by("first").first())
           .select("doc", ((chars + (n - 1)) * pl.col("count")).alias(f"top_{n}")))
    once = firsts.filter(chars.is_not_null()).select("doc", (chars + (n - 1)).cast(top.schema[f"top_{n}"]).alias(f"top_{n}"))
    return pl.concat([top, once.join(top, on="doc", how="anti")])


def _repeated_chars(repeated: pl.DataFrame, n: int) -> pl.DataFrame:
    """``dup_N`` per document: :func:`_greedy` over its repeated n-grams."""
    per_doc = repeated.group_by("doc").agg("pos", "gram", f"c{n}")
    values = [_greedy(pos, hashes, chars, n) for pos, hashes, chars in
              zip(per_doc["pos"].to_list(), per_doc["gram"].to_list(), per_doc[f"c{n}"].to_list())]
    return pl.DataFrame({"doc": per_doc["doc"], f"dup_{n}": pl.Series(values, dtype=pl.Int64)},
                        schema={"doc": pl.UInt32, f"dup_{n}": pl.Int64})
