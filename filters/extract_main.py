"""DOM helpers for main-content extraction: robust parsing, pre-cleaning, the content region, language guess.

Used by ``remove_boilerplate`` (filters/boilerplate.py). Nothing here is
tuned to single pages: the rules are generic HTML semantics (``<main>``,
``<article>``, ``role="main"``, ``<nav>``/``<aside>``/``<footer>``) measured on
the dev half of WCXB and checked on its held-out half (see the README's
"HTML extraction" section).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from filters._html import cap_bytes, remove_control_chars, strip_raw_blocks

#: elements removed with their content before paragraphs are made: never main text
NON_CONTENT_TAGS = ("head", "nav", "aside", "footer", "select", "input", "textarea", "button", "embed", "applet")
#: elements whose tag goes but whose content stays
UNWRAPPED_TAGS = ("form", "object")
#: the semantic containers of a page's main content
CONTENT_ROOT_XPATH = '//main|//*[@role="main"]|//article|//*[@itemprop="articleBody"]'

_WORD = re.compile(r"\w+")


def _html_parser() -> Any:
    import lxml.html

    # an explicit encoding: the text is already decoded, so a lying
    # <meta charset> or <?xml encoding?> declaration must not re-decode it
    return lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True)


_PARSER: Any = None


def parse_page(html: str, max_bytes: int | None = 5_000_000, keep_noscript: bool = True) -> Any | None:
    """The lxml.html tree of a page, or ``None`` when nothing parseable is left (never raises).

    Scripts, styles, comments, SVG and iframes are cut before parsing
    (:func:`filters._html.strip_raw_blocks`); NUL and C0 control characters
    are removed; only the first ``max_bytes`` UTF-8 bytes are parsed.

    >>> parse_page("<p>olá</p>").findtext(".//p")
    'olá'
    >>> parse_page("<!-- nada -->") is None
    True
    """
    global _PARSER
    from lxml import etree

    html = remove_control_chars(strip_raw_blocks(cap_bytes(html, max_bytes), keep_noscript=keep_noscript))
    if not html.strip():
        return None
    if _PARSER is None:
        _PARSER = _html_parser()
    try:
        root = etree.fromstring(html.encode("utf-8", "replace"), _PARSER)
    except (etree.LxmlError, ValueError):
        return None
    return root


def preclean(root: Any) -> Any:
    """Remove navigation, asides, footers and form controls; unwrap ``<form>`` (in place).

    >>> import lxml.html
    >>> dom = lxml.html.fromstring("<div><nav><a>Home</a></nav><form><p>Texto</p><button>OK</button></form></div>")
    >>> lxml.html.tostring(preclean(dom))
    b'<div><p>Texto</p></div>'
    """
    from lxml import etree

    etree.strip_elements(root, *NON_CONTENT_TAGS, with_tail=False)
    etree.strip_tags(root, *UNWRAPPED_TAGS)
    return root


def word_count(el: Any) -> int:
    """Number of words of text under ``el``."""
    return len(_WORD.findall("".join(el.itertext())))


def content_root(root: Any, min_share: float = 0.25, min_words: int = 50) -> Any | None:
    """The semantic container holding the page's main content, or ``None``.

    Candidates are ``<main>``, ``role="main"``, ``<article>`` and
    ``itemprop="articleBody"``; the one with the most words wins if it holds at
    least ``min_share`` of the page's words and ``min_words`` words (a small
    ``<article>`` teaser in a sidebar must not become the page).

    >>> import lxml.html
    >>> page = lxml.html.fromstring("<body><div>menu</div><main><p>" + "palavra " * 60 + "</p></main></body>")
    >>> content_root(page).tag
    'main'
    """
    body = root.find(".//body")
    total = word_count(root if body is None else body)
    if total == 0:
        return None
    best, best_words = None, 0
    for candidate in root.xpath(CONTENT_ROOT_XPATH):
        n = word_count(candidate)
        if n > best_words:
            best, best_words = candidate, n
    if best is None or best_words < min_words or best_words < min_share * total:
        return None
    return best


def stopword_hit_rate(words: list[str], stoplist: frozenset[str]) -> float:
    """Share of ``words`` (lowercased) found in ``stoplist``."""
    return sum(1 for w in words if w in stoplist) / len(words) if words else 0.0


def guess_stoplist(texts: Iterable[str], candidates: dict[str, frozenset[str]], min_rate: float = 0.05,
                   max_words: int = 5000) -> str | None:
    """The candidate stoplist with the highest stopword hit-rate on ``texts``; ``None`` below ``min_rate``.

    >>> en = frozenset({"the", "and", "of", "is"}); pt = frozenset({"o", "e", "de", "é"})
    >>> guess_stoplist(["The cat is on the mat"], {"English": en, "Portuguese": pt})
    'English'
    >>> guess_stoplist(["O gato é de casa"], {"English": en, "Portuguese": pt})
    'Portuguese'
    >>> guess_stoplist(["12345 67890"], {"English": en}) is None
    True
    """
    words: list[str] = []
    for text in texts:
        words.extend(_WORD.findall(text.lower()))
        if len(words) >= max_words:
            break
    best, best_rate = None, min_rate
    for name, stoplist in candidates.items():
        rate = stopword_hit_rate(words, stoplist)
        if rate > best_rate:
            best, best_rate = name, rate
    return best
