"""corpus-sieve filters: small, named, composable text-cleaning rules.

Every filter works on a ``str``, on a polars Series/DataFrame/LazyFrame, and as
a pipeline stage (see :mod:`corpus_sieve.filters.base`). Each rule lives in a
file named after its recipe name and registers itself under that name (see
:mod:`corpus_sieve.filters.registry`):

* ``rules/``: one self-contained rule per file (``rules/remove_urls.py`` is ``remove_urls``);
* ``html/``: everything that reads HTML (``html_to_text``, ``remove_boilerplate``);
* ``tokens/``: rules that need a tokenizer (``token_length``);
* ``language/``: rules about a text's language (``language_id``);
* ``pii/``: personal data (``redact_pii``);
* ``quality/``: the published quality heuristics (``gopher_quality``, ``gopher_repetition``,
  ``c4_quality``, ``fineweb_quality``);
* ``dedup/``: rules that compare rows with each other (``exact_dedup``, ``near_dedup``) and their MinHash.

The imports below are the public API: every filter class, named as an IDE sees it.
Heavy libraries (bs4, jusText, transformers) are imported lazily inside the modules.

>>> from corpus_sieve.filters import NormalizeWhitespace, CharLength
>>> (NormalizeWhitespace() | CharLength(min_chars=3))("  bom   dia ")
'bom dia'
"""

from __future__ import annotations

from corpus_sieve.filters.base import Chain, Check, Filter, Outcome, Transform, chain
from corpus_sieve.filters.dedup.exact_dedup import ExactDedup
from corpus_sieve.filters.dedup.near_dedup import NearDedup
from corpus_sieve.filters.html.html_to_text import HtmlToText
from corpus_sieve.filters.html.remove_boilerplate import RemoveBoilerplate
from corpus_sieve.filters.language.language_id import LanguageId
from corpus_sieve.filters.pii.redact_pii import RedactPii
from corpus_sieve.filters.quality.c4_quality import C4Quality
from corpus_sieve.filters.quality.fineweb_quality import FineWebQuality
from corpus_sieve.filters.quality.gopher_quality import GopherQuality
from corpus_sieve.filters.quality.gopher_repetition import GopherRepetition
from corpus_sieve.filters.rules.char_length import CharLength
from corpus_sieve.filters.rules.normalize_whitespace import NormalizeWhitespace
from corpus_sieve.filters.rules.regex_reject import RegexReject
from corpus_sieve.filters.rules.reject_ids import RejectIds
from corpus_sieve.filters.rules.regex_replace import RegexReplace
from corpus_sieve.filters.rules.reject_dot_runs import RejectDotRuns
from corpus_sieve.filters.rules.reject_empty import RejectEmpty
from corpus_sieve.filters.rules.reject_invalid_chars import RejectInvalidChars
from corpus_sieve.filters.rules.reject_long_words import RejectLongWords
from corpus_sieve.filters.rules.reject_unbalanced import RejectUnbalanced
from corpus_sieve.filters.rules.remove_cod_codes import RemoveCodCodes
from corpus_sieve.filters.rules.remove_dash_blocks import RemoveDashBlocks
from corpus_sieve.filters.rules.remove_hashtags import RemoveHashtags
from corpus_sieve.filters.rules.remove_list_bullets import RemoveListBullets
from corpus_sieve.filters.rules.remove_mentions import RemoveMentions
from corpus_sieve.filters.rules.remove_retweet_marker import RemoveRetweetMarker
from corpus_sieve.filters.rules.remove_urls import RemoveUrls
from corpus_sieve.filters.rules.repair_unicode import RepairUnicode
from corpus_sieve.filters.rules.trim_spaces_inside_quotes import TrimSpacesInsideQuotes
from corpus_sieve.filters.tokens.token_length import TokenLength
from corpus_sieve.filters.registry import available_filters, get_filter_class, register

__all__ = [
    "Chain",
    "Check",
    "Filter",
    "Outcome",
    "Transform",
    "chain",
    "available_filters",
    "get_filter_class",
    "register",
    "CharLength",
    "ExactDedup",
    "NearDedup",
    "C4Quality",
    "FineWebQuality",
    "GopherQuality",
    "GopherRepetition",
    "HtmlToText",
    "LanguageId",
    "NormalizeWhitespace",
    "RedactPii",
    "RegexReject",
    "RejectIds",
    "RegexReplace",
    "RejectDotRuns",
    "RejectEmpty",
    "RejectInvalidChars",
    "RejectLongWords",
    "RejectUnbalanced",
    "RemoveBoilerplate",
    "RemoveCodCodes",
    "RemoveDashBlocks",
    "RemoveHashtags",
    "RemoveListBullets",
    "RemoveMentions",
    "RemoveRetweetMarker",
    "RemoveUrls",
    "RepairUnicode",
    "TokenLength",
    "TrimSpacesInsideQuotes",
]
