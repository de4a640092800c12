"""The benchmark chain as per-row Python functions, for the peer runners.

The founding PtVId project applied each rule to one text at a time with
Python's regex engines. These functions do the same with the *same rules*:
the pattern strings are imported from ``filters/`` (so a fix to a rule reaches
the peers too) and run with the ``regex`` module, the per-row way. HTML:

* web pages: plain ``justext.justext`` with the Portuguese stoplist, joined
  good paragraphs -- exactly what a user of jusText writes;
* other rows: corpus-sieve's own ``HtmlToText.convert`` per row, on the rows
  that contain markup or an entity (same guard as ours), so both sides give the
  same text for the short documents (bs4 ``get_text`` would differ in line
  breaks and change a few token counts). This is a *faster* peer than the
  founding project's bs4-on-every-row: the comparison is conservative.

Every function takes and returns one ``str`` (checks return keep: ``bool``).
"""

from __future__ import annotations

import functools
import re as _re

import regex

from corpus_sieve.filters.html.parse import ENTITY_PATTERN, MARKUP_PATTERN
from corpus_sieve.filters.rules.remove_list_bullets import LIST_BULLET
from corpus_sieve.filters.rules.remove_cod_codes import COD_CODE
from corpus_sieve.filters.rules.remove_dash_blocks import SEPARATOR_LINE, SEPARATOR_RUN
from corpus_sieve.filters.rules.remove_hashtags import HASHTAG_RUN
from corpus_sieve.filters.rules.reject_invalid_chars import INVALID_CHAR
from corpus_sieve.filters.rules.remove_mentions import MENTION
from corpus_sieve.filters.rules.remove_retweet_marker import RETWEET_MARKER
from corpus_sieve.filters.rules.remove_urls import URL_OR_EMAIL

MIN_TOKENS, MAX_TOKENS = 10, 900
MARKUP_OR_ENTITY = regex.compile(f"{MARKUP_PATTERN}|{ENTITY_PATTERN}")


def _rust_template(template: str) -> str:
    """A polars/Rust replacement (``${name}``) as a ``regex`` template (``\\g<name>``)."""
    return _re.sub(r"\$\{(\w+)\}", r"\\g<\1>", template)


_RT = regex.compile(RETWEET_MARKER)
_MENTION = regex.compile(MENTION)
_HASHTAG = regex.compile(HASHTAG_RUN)
_URL = regex.compile(URL_OR_EMAIL)
_COD = regex.compile(COD_CODE)
_BULLET = regex.compile(LIST_BULLET)
_SEP_LINE = regex.compile(SEPARATOR_LINE)
_SEP_RUN = regex.compile(SEPARATOR_RUN)
_INVALID = regex.compile(INVALID_CHAR.replace(r"\x{FFFD}", r"\uFFFD"), flags=regex.V1)
_DOTS = regex.compile(r"\.{4,}")
_WS = regex.compile(r"\s+")


def remove_retweet_marker(t: str) -> str:
    return _RT.sub("", t)


def remove_mentions(t: str) -> str:
    return _MENTION.sub(_rust_template("${email}"), t)


def remove_hashtags(t: str) -> str:
    return _HASHTAG.sub(_rust_template("${pre}"), t)


def _url_sub(m: regex.Match) -> str:
    return m.group("email") or (m.group("wpre") or "") + (m.group("post") or "")


def remove_urls(t: str) -> str:
    return _URL.sub(_url_sub, t)


def remove_cod_codes(t: str) -> str:
    return _COD.sub("", t)


def remove_list_bullets(t: str) -> str:
    return _BULLET.sub(_rust_template("${indent}"), t)


def remove_dash_blocks(t: str) -> str:
    return _SEP_RUN.sub(" ", _SEP_LINE.sub("", t))


def normalize_whitespace(t: str) -> str:
    t = regex.sub(r"\r\n?", "\n", t)
    t = regex.sub(r"[^\S\n]+", " ", t)
    t = regex.sub(r" ?\n ?", "\n", t)
    t = regex.sub(r"\n{3,}", "\n\n", t)
    return t.strip()


def not_empty(t: str) -> bool:
    return bool(t.strip())


def no_dot_run(t: str) -> bool:
    return _DOTS.search(t.replace("…", "...")) is None


def few_invalid_chars(t: str, max_ratio: float = 0.05) -> bool:
    return len(_INVALID.findall(t)) / max(len(t), 1) <= max_ratio


def dedup_key(t: str) -> str:
    return _WS.sub(" ", t.lower()).strip()


#: the text transforms after HTML, in recipe order
TRANSFORMS = [
    remove_retweet_marker, remove_mentions, remove_hashtags, remove_urls,
    remove_cod_codes, remove_list_bullets, remove_dash_blocks, normalize_whitespace,
]
@functools.lru_cache(maxsize=1)
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def portuguese(t: str, min_score: float = 0.1, max_chars: int = 2000) -> bool:
    """py3langid on one text, the per-row way (``language_id: {languages: [pt]}``): its first
    ``max_chars`` characters; a text without a letter has no language."""
    head = t[:max_chars]
    if not any(ch.isalpha() for ch in head):
        return False
    language, probability = _language_identifier().classify(head)
    return language == "pt" and round(float(probability), 4) >= min_score


#: the text checks before tokenizing, in recipe order (keep = True)
CHECKS = [not_empty, no_dot_run, few_invalid_chars, portuguese]


@functools.lru_cache(maxsize=1)
def _stoplist() -> frozenset[str]:
    import justext

    return frozenset(justext.get_stoplist("Portuguese"))


def justext_text(html: str) -> str:
    """Plain jusText on one page (the way a jusText user calls it)."""
    import justext

    try:
        paragraphs = justext.justext(html, _stoplist())
    except Exception:  # jusText raises on empty / unparseable documents
        return ""
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


@functools.lru_cache(maxsize=1)
def _html_to_text():
    from corpus_sieve.filters import HtmlToText

    return HtmlToText()


def html_text(t: str) -> str:
    """Markup or entities in a short document -> text (corpus-sieve's converter, per row)."""
    if MARKUP_OR_ENTITY.search(t) is None:
        return t
    return _html_to_text().convert(t)
