"""Word counts, line counts and stop words for the quality heuristics: one native regex pass each.

The published heuristics (Gopher, C4, FineWeb) count words as datatrove does,
with spaCy's tokenizer (whitespace tokens dropped). The heuristics only need
counts, so each count here is one ``count_matches`` (or one length difference
after ``replace_all``) of a regular expression that cuts a text where spaCy
does: numbers with their inner ``.`` ``,`` ``:`` ``/`` (``3.5``, ``1,000``,
``12:41``) and apart from a unit (``16GB`` is ``16`` ``GB``); words with inner
``.`` ``'`` ``:`` ``/`` (``U.S``, ``and/or``), split at hyphens (``well-known``)
and before English clitics (``do n't``, ``it 's``); ``...`` and ``--`` as one
token; every other mark alone; URLs and emails whole.
``tests/benchmarks/bench_quality.py`` measures the agreement with datatrove's
filters and the speed.

``language`` swaps the stop words (the English-only stop-word rule would reject
every Portuguese document); English clitics are split for ``en`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = ["LANGUAGES", "PUNCTUATION", "STOP_WORDS", "LineCounts", "WordCounts", "check_language", "line_counts", "token_regex",
           "word_counts", "word_tokens"]

#: datatrove's punctuation set (``datatrove.utils.text.PUNCTUATION``): a word made only of these is a symbol
PUNCTUATION = ("!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»"
               + "".join(chr(x) for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b)))

#: Gopher's stop words (English, as published) and their counterparts for the languages supported here
STOP_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("the", "be", "to", "of", "and", "that", "have", "with"),
    "pt": ("de", "a", "o", "que", "e", "do", "da", "em", "um", "para", "com", "não", "uma", "os", "no", "se"),
    "es": ("de", "la", "que", "el", "en", "y", "a", "los", "se", "del", "las", "un", "por", "con", "no", "una"),
}
LANGUAGES = tuple(STOP_WORDS)


def check_language(language: str) -> str:
    """``language`` if the heuristics support it; ``ValueError`` naming the supported ones otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    return language

_URL = r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_ABBREVIATION = r"(?:\p{L}\.){2,}|\p{Lu}\.|(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|etc|Inc|Ltd|Co)\."
_NUMBER = r"\p{N}+(?:[.,:/]\p{N}+)+"
#: what spaCy splits a chunk at (its infixes and the marks it peels off both ends)
_SPLIT = "!?,;:()\\[\\]{}\"“”«»<>…/–—\\-|%\\p{So}"
#: what spaCy peels off the start of a chunk only
_PREFIX = "$£€¥#*&§=+‘„‚`´'’"
#: a word: anything between splits, with inner (never final) dots and apostrophes (``3.5``, ``don't``)
_WORD = f"[^\\s{_SPLIT}{_PREFIX}.][^\\s{_SPLIT}.'’]*(?:[.'’][^\\s{_SPLIT}.'’]+)*"
_MARK = r"\.\.\.|--+|\S"
#: an option or a path after a space keeps its lead (``-v``, ``--exclude``, ``/etc``); the match holds the space
_LED = f"\\s(?:--?|/)\\p{{L}}[^\\s{_SPLIT}.'’]*"


def token_regex(abbreviation: str = _ABBREVIATION) -> str:
    """The regex of one spaCy-like token, with ``abbreviation`` as the alternative for the words that
    keep their final dot (``Mr.``, ``U.S.``): every token, in the order spaCy would prefer them."""
    return f"{_URL}|{abbreviation}|{_NUMBER}|{_WORD}|{_LED}|{_MARK}"


_TOKEN = token_regex()
#: a token with any character outside datatrove's punctuation set is a word, not a symbol
_NOT_PUNCT = "[^" + "".join("\\" + ch if ch in "\\]^-[" else ch for ch in PUNCTUATION) + "]"
#: a clitic inside a word is a token of its own: "don't" -> "do n't" (to count them, and to cut them apart)
_CLITIC_APART = r"(\p{L})(n['’]t|['’](?:s|re|ve|ll|d|m))\b"
_CLITIC_SPLIT = r"\p{L}(?:n['’]t|['’](?:s|re|ve|ll|d|m))\b"


@dataclass(frozen=True)
class WordCounts:
    """Per-document counts, as expressions: every token, the tokens that are not only punctuation
    (``content``) and their characters, the tokens with a letter, and the distinct stop words present."""

    words: pl.Expr
    content: pl.Expr
    content_chars: pl.Expr
    alpha: pl.Expr
    stop_words: pl.Expr


@dataclass(frozen=True)
class LineCounts:
    """Lines as Python's ``str.splitlines`` counts them, those starting with a bullet and those ending
    with an ellipsis."""

    lines: pl.Expr
    bullets: pl.Expr
    end_ellipsis: pl.Expr


def word_counts(text: pl.Expr, language: str = "en", stop_words: list[str] | None = None) -> WordCounts:
    """The spaCy-like word counts of each text (see the module docstring)."""
    # "don't" is one match of the word pattern and two spaCy tokens: count the clitics and add them
    clitics = text.str.count_matches(_CLITIC_SPLIT) if language == "en" else pl.lit(0, pl.UInt32)
    stop = list(stop_words) if stop_words is not None else list(STOP_WORDS[language])
    edge = r"[^\p{L}\p{N}_'’]"
    alternatives = "|".join(_escape(word) for word in stop)
    found = pl.element().str.extract(f"({alternatives})")
    present = (text.str.extract_all(f"(?:^|{edge})(?:{alternatives})(?:$|{edge})")
               .list.eval(found.filter(found.is_in(stop)).unique())
               .list.len()) if stop else pl.lit(0, pl.UInt32)
    tokens = text.str.extract_all(_TOKEN)
    content = tokens.list.eval(pl.element().filter(pl.element().str.contains(_NOT_PUNCT)))
    return WordCounts(
        words=tokens.list.len() + clitics,
        content=content.list.len() + clitics,
        content_chars=content.list.eval(pl.element().str.len_chars()).list.sum(),
        alpha=tokens.list.eval(pl.element().str.contains(r"\p{L}")).list.sum() + clitics,
        stop_words=present,
    )


def word_tokens(text: pl.Expr, language: str = "en", split_clitics: bool = True) -> pl.Expr:
    """The words of each text as a list, cut where spaCy cuts them (clitics apart for English, unless
    ``split_clitics`` is False: cutting them costs a rewrite of the whole text)."""
    if language == "en" and split_clitics:
        text = text.str.replace_all(_CLITIC_APART, "$1 $2")
    return text.str.extract_all(_TOKEN).list.eval(pl.element().str.strip_chars_start())


def line_counts(text: pl.Expr) -> LineCounts:
    """Line counts of each text, with Python's line breaks (``\\r\\n``, ``\\r``, ``\\x0b``... ``\\u2029``)."""
    unified = text.str.replace_all(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]", "\n")
    breaks = unified.str.count_matches("\n", literal=True)
    n_lines = pl.when(unified == "").then(0).otherwise(breaks + 1 - unified.str.ends_with("\n").cast(pl.UInt32))
    return LineCounts(
        lines=n_lines,
        bullets=unified.str.count_matches(r"(?m)^[^\S\n]*[•\-]"),
        end_ellipsis=unified.str.count_matches(r"(?m)(?:\.\.\.|…)[^\S\n]*$"),
    )


def _escape(word: str) -> str:
    return "".join("\\" + ch if not ch.isalnum() else ch for ch in word)
