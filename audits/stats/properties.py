"""Surface properties of each text: the things a model can learn instead of meaning.

:func:`compute_properties` turns a frame with ``id`` and ``text`` into one row
per text with the numeric properties below (polars expressions, one native pass
each, except the NFC test which goes to Python only for the rows that can fail
it). ``property_shortcut`` tests each property against the labels and
``text_free_baseline`` trains a classifier on them.

Properties (name: definition):

- ``n_chars``: characters (code points).
- ``n_tokens``: ``\\w+`` words.
- ``mean_word_len``: word characters per word (0 when there are no words).
- ``punct_ratio``: Unicode punctuation (``\\p{P}``) per character.
- ``upper_ratio``: uppercase letters per letter.
- ``digit_ratio``: digits per character.
- ``n_newlines``: line breaks.
- ``n_urls``: ``http(s)://...`` or ``www....`` spans.
- ``n_mentions``: ``@handle`` at a word start.
- ``n_hashtags``: ``#tag`` at a word start.
- ``n_emoji``: pictographic characters outside Latin-1 and regional indicators
  (a flag counts 2).
- ``n_html_tags``: ``<tag ...>`` / ``</tag>`` left in the text.
- ``n_html_entities``: ``&name;`` / ``&#123;`` / ``&#x1F;`` left undecoded.
- ``n_mojibake``: UTF-8 read as Latin-1/cp1252 (``Ã©``, ``Ã§``, ``â€™``, ``Â«``)
  and U+FFFD replacement characters.
- ``n_quotes_straight`` / ``n_quotes_curly`` / ``n_quotes_angle``: ``" '`` vs
  ``“ ” ‘ ’ „`` vs ``« » ‹ ›``.
- binary (0/1): ``has_url``, ``has_mention``, ``has_hashtag``, ``has_emoji``,
  ``has_html_tag``, ``has_html_entity``, ``has_mojibake``, ``non_nfc`` (the text
  is not in Unicode NFC), ``leading_ws`` / ``trailing_ws`` (starts / ends with
  whitespace), ``ends_with_punct`` (last non-space character is punctuation),
  ``has_curly_quotes``, ``has_angle_quotes``.

``non_nfc`` is exact: every code point below U+0300 is NFC-stable alone and in
any pair (checked in the tests), so only rows with a character at or above
U+0300 can fail, and only those go to Python's ``unicodedata.is_normalized``.
"""

from __future__ import annotations

import unicodedata

import polars as pl

from corpus_sieve.audits.base import DOMAIN, ID, LABEL, TEXT

URL_PATTERN = r"(?i)(?:https?://|www\.)[^\s<>\"'«»]+"
MENTION_PATTERN = r"(?:^|[^\w@])@\w+"
HASHTAG_PATTERN = r"(?:^|[^\w#&])#\w+"
EMOJI_PATTERN = r"[\p{Extended_Pictographic}\p{Regional_Indicator}&&[^\x00-\xff]]"
HTML_TAG_PATTERN = r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>"
HTML_ENTITY_PATTERN = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,9});"
#: UTF-8 bytes decoded as Latin-1 / cp1252: a lead byte (Ã, Â, â€) followed by a
#: character from the continuation range, plus U+FFFD. "NÃO" (Ã then a letter)
#: is ordinary Portuguese and does not match.
MOJIBAKE_PATTERN = (
    "Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|Â[\u0080-\u00bf]|â€|\ufffd"
)
STRAIGHT_QUOTES = r"[\"']"
CURLY_QUOTES = "[\u201c\u201d\u2018\u2019\u201e]"
ANGLE_QUOTES = "[\u00ab\u00bb\u2039\u203a]"
#: rows with a character at or above U+0300 are the only ones that can be non-NFC
MAYBE_NOT_NFC = "[^\u0000-\u02ff]"

#: properties that are 0/1 (tested with Mann-Whitney per domain and with
#: Cochran-Mantel-Haenszel across domains)
BINARY_PROPERTIES: tuple[str, ...] = (
    "has_url",
    "has_mention",
    "has_hashtag",
    "has_emoji",
    "has_html_tag",
    "has_html_entity",
    "has_mojibake",
    "non_nfc",
    "leading_ws",
    "trailing_ws",
    "ends_with_punct",
    "has_curly_quotes",
    "has_angle_quotes",
)
NUMERIC_PROPERTIES: tuple[str, ...] = (
    "n_chars",
    "n_tokens",
    "mean_word_len",
    "punct_ratio",
    "upper_ratio",
    "digit_ratio",
    "n_newlines",
    "n_urls",
    "n_mentions",
    "n_hashtags",
    "n_emoji",
    "n_html_tags",
    "n_html_entities",
    "n_mojibake",
    "n_quotes_straight",
    "n_quotes_curly",
    "n_quotes_angle",
)
PROPERTIES: tuple[str, ...] = NUMERIC_PROPERTIES + BINARY_PROPERTIES


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num.cast(pl.Float64) / den).otherwise(0.0)


def _flag(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(False).cast(pl.Int8)


def _non_nfc(texts: pl.Series) -> pl.Series:
    """1 where the text is not NFC; Python only for rows with a char >= U+0300."""
    maybe = texts.str.contains(MAYBE_NOT_NFC).fill_null(False)
    out = [0] * len(texts)
    if maybe.any():
        idx = maybe.arg_true().to_list()
        values = texts.gather(idx).to_list()
        for i, text in zip(idx, values):
            out[i] = 0 if unicodedata.is_normalized("NFC", text) else 1
    return pl.Series("non_nfc", out, dtype=pl.Int8)


def compute_properties(frame: pl.DataFrame, text_col: str = TEXT, id_col: str = ID) -> pl.DataFrame:
    """One row per input row: ``id`` plus every property in :data:`PROPERTIES`.

    Examples
    --------
    >>> df = pl.DataFrame({"id": ["a", "b"], "text": ["Olá, mundo! ", "Ver https://x.pt &amp; Ã©"]})
    >>> p = compute_properties(df)
    >>> p.select("id", "n_tokens", "trailing_ws", "has_url", "has_html_entity", "has_mojibake").rows()
    [('a', 2, 1, 0, 0, 0), ('b', 6, 0, 1, 1, 1)]
    """
    text = pl.col(text_col).fill_null("")
    n_chars = text.str.len_chars()
    n_tokens = text.str.count_matches(r"\w+")
    word_chars = text.str.replace_all(r"\W+", "").str.len_chars()
    n_letters = text.str.count_matches(r"\p{L}")
    last_char = text.str.strip_chars_end().str.slice(-1, 1)
    props = frame.select(
        pl.col(id_col).alias(ID),
        n_chars.cast(pl.Int64).alias("n_chars"),
        n_tokens.cast(pl.Int64).alias("n_tokens"),
        _ratio(word_chars, n_tokens).alias("mean_word_len"),
        _ratio(text.str.count_matches(r"\p{P}"), n_chars).alias("punct_ratio"),
        _ratio(text.str.count_matches(r"\p{Lu}"), n_letters).alias("upper_ratio"),
        _ratio(text.str.count_matches(r"\p{Nd}"), n_chars).alias("digit_ratio"),
        text.str.count_matches(r"\r\n|\n|\r").cast(pl.Int64).alias("n_newlines"),
        text.str.count_matches(URL_PATTERN).cast(pl.Int64).alias("n_urls"),
        text.str.count_matches(MENTION_PATTERN).cast(pl.Int64).alias("n_mentions"),
        text.str.count_matches(HASHTAG_PATTERN).cast(pl.Int64).alias("n_hashtags"),
        text.str.count_matches(EMOJI_PATTERN).cast(pl.Int64).alias("n_emoji"),
        text.str.count_matches(HTML_TAG_PATTERN).cast(pl.Int64).alias("n_html_tags"),
        text.str.count_matches(HTML_ENTITY_PATTERN).cast(pl.Int64).alias("n_html_entities"),
        text.str.count_matches(MOJIBAKE_PATTERN).cast(pl.Int64).alias("n_mojibake"),
        text.str.count_matches(STRAIGHT_QUOTES).cast(pl.Int64).alias("n_quotes_straight"),
        text.str.count_matches(CURLY_QUOTES).cast(pl.Int64).alias("n_quotes_curly"),
        text.str.count_matches(ANGLE_QUOTES).cast(pl.Int64).alias("n_quotes_angle"),
        _flag(text.str.contains(r"^\s")).alias("leading_ws"),
        _flag(text.str.contains(r"\s$")).alias("trailing_ws"),
        _flag(last_char.str.contains(r"^\p{P}$")).alias("ends_with_punct"),
    )
    props = props.with_columns(
        _flag(pl.col("n_urls") > 0).alias("has_url"),
        _flag(pl.col("n_mentions") > 0).alias("has_mention"),
        _flag(pl.col("n_hashtags") > 0).alias("has_hashtag"),
        _flag(pl.col("n_emoji") > 0).alias("has_emoji"),
        _flag(pl.col("n_html_tags") > 0).alias("has_html_tag"),
        _flag(pl.col("n_html_entities") > 0).alias("has_html_entity"),
        _flag(pl.col("n_mojibake") > 0).alias("has_mojibake"),
        _flag(pl.col("n_quotes_curly") > 0).alias("has_curly_quotes"),
        _flag(pl.col("n_quotes_angle") > 0).alias("has_angle_quotes"),
        _non_nfc(frame[text_col].fill_null("")),
    )
    return props.select(ID, *PROPERTIES)


#: the column of :func:`corpus_properties` holding a 64-bit hash of the text (exact duplicates share it)
TEXT_HASH = "_text_hash"


def corpus_properties(corpus) -> pl.LazyFrame:
    """The properties of every row of ``corpus``, with its ``domain``, ``label`` and :data:`TEXT_HASH`.

    A LazyFrame in row order, computed once per corpus: ``property_shortcut``
    and ``text_free_baseline`` both need it. In memory it is cached on the
    corpus object; for a streamed corpus
    (:class:`corpus_sieve.audits.scale.corpus.StreamedCorpus`) it is computed
    batch by batch into a Parquet spill in the corpus's work directory and
    scanned from there.
    """
    cached = getattr(corpus, "_surface_properties", None)
    if cached is not None:
        return cached
    if getattr(corpus, "streamed", False):
        props = _spill_properties(corpus)
    else:
        props = _with_keys(corpus.frame, compute_properties(corpus.frame)).lazy()
    try:
        corpus._surface_properties = props
    except AttributeError:  # a slotted corpus: no cache, still correct
        pass
    return props


def _with_keys(frame: pl.DataFrame, props: pl.DataFrame) -> pl.DataFrame:
    return props.with_columns(
        frame[DOMAIN].cast(pl.String).alias(DOMAIN),
        frame[LABEL].cast(pl.String).alias(LABEL),
        frame[TEXT].hash(seed=0).alias(TEXT_HASH),
    )


def _spill_properties(corpus) -> pl.LazyFrame:
    return corpus.collect_frames(
        "properties",
        (_with_keys(batch, compute_properties(batch)) for batch in corpus.iter_batches([ID, TEXT, DOMAIN, LABEL])),
    )
