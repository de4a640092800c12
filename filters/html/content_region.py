"""DOM helpers for main-content extraction: robust parsing, pre-cleaning, the content region, language guess.

Used by ``remove_boilerplate`` (filters/html/remove_boilerplate.py). Nothing here is
tuned to single pages: the rules are generic HTML semantics (``<main>``,
``<article>``, ``role="main"``, ``<nav>``/``<aside>``/``<footer>``) measured on
the dev half of WCXB and checked on its held-out half (see the README's
"HTML extraction" section).
"""

from __future__ import annotations

import functools
import re
from itertools import filterfalse
from typing import Any, Iterable

from corpus_sieve.filters.html.compiled import attribute_stripper
from corpus_sieve.filters.html.parse import cap_utf8, encode_without_controls, is_blank_utf8, strip_raw_blocks, utf8

#: elements removed with their content before paragraphs are made: never main text
#: script and style are cut before parsing (filters/html/parse.py); one the cut leaves to the parser
#: (``<script\u00a0type=...>``) is removed here with its code
NON_CONTENT_TAGS = ("head", "nav", "aside", "footer", "select", "input", "textarea", "button", "embed", "applet",
                    "script", "style")
#: sectioning elements of page chrome (removed unless they swallowed the page, see :func:`preclean`)
SECTIONING_CHROME_TAGS = ("nav", "aside", "footer")
#: form controls that can hold markup; an unclosed one swallows what follows it
SWALLOWING_CONTROL_TAGS = ("button", "select")
_SWALLOWED_XPATH = "|".join(
    [f"//{t}[.//main or .//footer]" for t in SECTIONING_CHROME_TAGS]
    + [f"//{t}[.//main or .//article or .//h1 or .//footer]" for t in SWALLOWING_CONTROL_TAGS]
)
#: elements whose tag goes but whose content stays
UNWRAPPED_TAGS = ("form", "object")
#: the semantic containers of a page's main content
CONTENT_ROOT_XPATH = '//main|//*[@role="main"]|//article|//*[@itemprop="articleBody"]'

#: the attributes the extraction reads (chrome pruning, the content region, listing items,
#: product pages, form and poster chrome): :func:`parse_page` hands libxml2 start tags with
#: these alone, which it parses in about half the time. A rule that reads another attribute
#: must add it here (the tests compare extractions with and without the others).
READ_ATTRIBUTES = ("class", "id", "role", "aria-hidden", "aria-modal", "itemprop", "itemscope", "itemtype",
                   "property", "content")

_WORD = re.compile(r"\w+")


def _html_parser() -> Any:
    from lxml import etree

    # an explicit encoding: the text is already decoded, so a lying
    # <meta charset> or <?xml encoding?> declaration must not re-decode it.
    # A plain etree parser, not lxml.html's: that one calls a Python class
    # lookup for every element proxy (a third of the DOM walks' time); the
    # tree is the same libxml2 tree, read with ``etree`` functions.
    return etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True)


_PARSER: Any = None


def parse_page(html: str | bytes, max_bytes: int | None = 5_000_000, keep_noscript: bool = True) -> Any | None:
    """The lxml tree of a page (plain ``etree`` elements), or ``None`` when nothing parseable is left (never raises).

    ``html`` is a ``str`` or UTF-8 ``bytes``; a ``str`` is encoded first, so
    both give the same tree. Scripts, styles, comments, SVG and iframes are cut
    before parsing (:func:`corpus_sieve.filters.html.parse.strip_raw_blocks`, on the bytes); NUL
    and C0 control characters are removed; only the first ``max_bytes`` bytes are parsed.

    >>> parse_page("<p>olá</p>").findtext(".//p")
    'olá'
    >>> parse_page("<!-- nada -->") is None
    True
    >>> parse_page("<p>olá</p>".encode()).findtext(".//p")
    'olá'
    """
    global _PARSER
    from lxml import etree

    # control characters are single bytes in UTF-8 (never inside a multi-byte
    # sequence): deleting them from the bytes equals remove_control_chars
    data = encode_without_controls(strip_raw_blocks(cap_utf8(utf8(html), max_bytes), keep_noscript=keep_noscript))
    if is_blank_utf8(data):
        return None
    strip = attribute_stripper()
    if strip is not None:  # where compiled (filters/html/_attrstrip.pyx): the same tree, other attributes aside
        data = strip(data, READ_ATTRIBUTES)
    if _PARSER is None:
        _PARSER = _html_parser()
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.LxmlError, ValueError):
        return None
    if root is not None and root.getnext() is not None:
        _merge_stray_roots(root)
    return root


def _merge_stray_roots(root: Any) -> None:
    """Move what libxml2 put *after* the root element into the root's ``<body>`` (in place).

    A page that closes ``</html>`` and goes on (templates glued together)
    parses into several top-level ``<html>`` elements; the text after the
    first ``</html>`` is still the page's, often its main content.

    >>> page = parse_page("<html><body><p>menu</p></body></html><html><body><p>texto</p></body></html>")
    >>> [p.text for p in page.iter("p")]
    ['menu', 'texto']
    """
    from lxml import etree

    body = root.find("body")
    if body is None:
        body = etree.SubElement(root, "body")
    stray = root.getnext()
    while stray is not None:
        following = stray.getnext()
        if isinstance(stray.tag, str):
            parts = list(stray) if stray.tag == "html" else [stray]
            for part in parts:
                if part.tag == "head":
                    continue
                if part.tag == "body":
                    if part.text and part.text.strip():
                        holder = etree.SubElement(body, "div")
                        holder.text = part.text
                    body.extend(list(part))
                else:
                    body.append(part)
        stray = following


def preclean(root: Any) -> Any:
    """Remove navigation, asides, footers and form controls; unwrap ``<form>`` (in place).

    >>> import lxml.html
    >>> dom = lxml.html.fromstring("<div><nav><a>Home</a></nav><form><p>Texto</p><button>OK</button></form></div>")
    >>> lxml.html.tostring(preclean(dom))
    b'<div><p>Texto</p></div>'
    """
    from lxml import etree

    # a page whose <nav>/<aside>/<footer> (or <button>/<select>) was never closed
    # ends up *inside* it (libxml2 nests the rest of the page there, <main> and
    # <footer> included):
    # such a container becomes a plain <div> instead of taking the page with it
    for el in _swallowing_containers(root):
        el.tag = "div"
    etree.strip_elements(root, *NON_CONTENT_TAGS, with_tail=False)
    etree.strip_tags(root, *UNWRAPPED_TAGS)
    return root


def _swallowing_containers(root: Any) -> list[Any]:
    """What ``_SWALLOWED_XPATH`` selects, found with C-level tag iteration when ``root`` is the whole document."""
    if root.getparent() is not None or root.getprevious() is not None or root.getnext() is not None:
        return root.xpath(_SWALLOWED_XPATH)  # the XPath reads the whole document, beyond ``root``
    found = []
    for el in root.iter(*SECTIONING_CHROME_TAGS, *SWALLOWING_CONTROL_TAGS):
        swallowed = _SWALLOWED_BY_CONTROL if el.tag in SWALLOWING_CONTROL_TAGS else _SWALLOWED_BY_CHROME
        if any(inner is not el for inner in el.iter(*swallowed)):
            found.append(el)
    return found


_SWALLOWED_BY_CHROME = ("main", "footer")
_SWALLOWED_BY_CONTROL = ("main", "article", "h1", "footer")


#: ARIA roles of page chrome (the role equivalents of nav/footer/aside) and of pop-ups
CHROME_ROLES = frozenset({"navigation", "contentinfo", "complementary", "dialog", "alertdialog"})
#: class/id words of blocks that are never main text: consent banners, pop-ups, reviews, "related"/upsell blocks
BOILERPLATE_TOKENS = frozenset({
    "cookie", "cookies", "consent", "gdpr", "modal", "popup",
    "review", "reviews", "related", "upsell", "upsells", "recommended", "recommendations",
})
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"([a-z])([A-Z])")
#: a removed block must not take the page's title or content container with it
_PROTECTED_XPATH = ".//h1|.//main|.//article"


def class_tokens(el: Any) -> set[str]:
    """The lowercased words of an element's ``class`` and ``id`` (``"relatedProducts"`` -> related, products).

    >>> from lxml import etree
    >>> sorted(class_tokens(etree.fromstring('<div class="cookie-banner" id="siteConsent"/>')))
    ['banner', 'consent', 'cookie', 'site']
    """
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    return {t for t in _TOKEN_SPLIT.split(_CAMEL.sub(r"\1 \2", raw).lower()) if t}


def _remove_keeping_tail(el: Any) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def prune_chrome(root: Any, tokens: frozenset[str] = BOILERPLATE_TOKENS) -> Any:
    """Remove pop-ups, ARIA chrome, ``aria-hidden`` blocks and blocks named like boilerplate (in place).

    Removed: ``<dialog>``/``<template>``; elements with ``role`` in
    :data:`CHROME_ROLES` or ``aria-modal="true"``; ``aria-hidden="true"``;
    elements whose class/id words (:func:`class_tokens`) include one of
    ``tokens``. An element holding the page's ``<h1>``, a ``<main>`` or an
    ``<article>`` is never removed (a whole-page wrapper named "modal-open"
    must not empty the page). The text after a removed element stays.

    >>> from lxml import etree
    >>> page = etree.fromstring('<div><p>Texto</p><div class="cookie-notice">Aceite os cookies</div>'
    ...                         '<div role="dialog"><p>Subscreva</p></div><section class="related"><h1>Título</h1></section></div>')
    >>> print(etree.tostring(prune_chrome(page), encoding="unicode"))
    <div><p>Texto</p><section class="related"><h1>Título</h1></section></div>
    """
    for el in _chrome_elements(root, tokens):
        # an ancestor removed first takes el with it; el.xpath on a detached element is still safe
        if not el.xpath(_PROTECTED_XPATH):
            _remove_keeping_tail(el)
    return root


def _chrome_elements(root: Any, tokens: frozenset[str], candidates: list[Any] | None = None) -> list[Any]:
    """The elements :func:`prune_chrome` tries to remove, in document order.

    With a ``candidates`` list, the content-region candidates of
    :func:`content_root` (``<main>``, ``<article>``, ``role="main"``,
    ``itemprop="articleBody"``) are appended to it on the same walk.
    """
    hint = _token_hint(tokens if isinstance(tokens, frozenset) else frozenset(tokens))
    roles = CHROME_ROLES
    doomed = []
    for el in root.iter("*"):
        tag = el.tag
        if tag in _NEVER_PRUNED:
            if candidates is not None and (tag == "main" or tag == "article" or _marked_main(el)):
                candidates.append(el)
            continue
        if tag in _ALWAYS_PRUNED:
            doomed.append(el)
            if candidates is not None and _marked_main(el):
                candidates.append(el)
            continue
        attrib = el.attrib
        if not attrib:
            continue
        get = attrib.get
        role = get("role")
        if role in roles or get("aria-modal") == "true" or get("aria-hidden") == "true":
            doomed.append(el)
        else:
            names = get("class")
            ident = get("id")
            # the regex is a cheap necessary condition for class_tokens to meet tokens (see _token_hint)
            if ((names is not None or ident is not None) and hint is not None
                    and hint(f"{names or ''} {ident or ''}".lower()) is not None
                    and not tokens.isdisjoint(class_tokens(el))):
                doomed.append(el)
        if candidates is not None and (role == "main" or get("itemprop") == "articleBody"):
            candidates.append(el)
    return doomed


def _marked_main(el: Any) -> bool:
    return el.get("role") == "main" or el.get("itemprop") == "articleBody"


_NEVER_PRUNED = frozenset({"html", "body", "main", "article"})
_ALWAYS_PRUNED = frozenset({"dialog", "template"})
_ALNUM_WORD = re.compile(r"[a-z0-9]+")


@functools.lru_cache(maxsize=32)
def _token_hint(tokens: frozenset[str]) -> Any:
    """``search`` of a regex that finds every lowercased ``"class id"`` string whose :func:`class_tokens` meet ``tokens``.

    A token of :func:`class_tokens` is a run of ``[a-z0-9]`` in the
    lowercased class/id (the camel-case split only adds separators), so it
    is a substring of the lowercased string: a string in which no member of
    ``tokens`` occurs cannot meet them (members with other characters never
    can). ``None`` when no member can.

    >>> _token_hint(frozenset({"cookie", "cookies", "modal"}))("site-cookies-bar") is not None
    True
    """
    words = sorted(t for t in tokens if _ALNUM_WORD.fullmatch(t))
    needed = [w for w in words if not any(other != w and other in w for other in words)]
    if not needed:
        return None
    return re.compile("|".join(map(re.escape, needed))).search


def word_count(el: Any) -> int:
    """Number of words (``\\w+`` runs) of text under ``el`` (its tail excluded).

    >>> from lxml import etree
    >>> word_count(etree.fromstring("<p>Olá, <b>mun</b>do! snake_case (x2)</p>"))
    4
    """
    from lxml import etree

    text = etree.tostring(el, method="text", encoding=str, with_tail=False)
    # a page's body, content region and candidates are often counted more than
    # once, or hold the same text: remember the last few texts, keyed by length
    # so that a miss costs no hashing of a long string
    recent = _RECENT_WORD_COUNTS.get(len(text))
    if recent is not None and recent[0] == text:
        return recent[1]
    words = count_words(text)
    if len(_RECENT_WORD_COUNTS) >= 16 or sum(_RECENT_WORD_COUNTS) + len(text) > _RECENT_MAX_CHARS:
        _RECENT_WORD_COUNTS.clear()  # bounded memory: a few pages' worth of text
    if len(text) <= _RECENT_MAX_CHARS:
        _RECENT_WORD_COUNTS[len(text)] = (text, words)
    return words


_RECENT_WORD_COUNTS: dict[int, tuple[str, int]] = {}
_RECENT_MAX_CHARS = 2_000_000


def count_words(text: str) -> int:
    """``len(re.findall(r"\\w+", text))``, about twice as fast on prose.

    Whitespace is never a word character, so the count is the sum over the
    whitespace-separated tokens; a token of letters and digits only
    (``str.isalnum``, which is ``\\w`` without ``_``) is one word, and only the
    other tokens go through the regex.

    >>> count_words("Olá, mundo! snake_case x2 -- fim.")
    5
    """
    tokens = text.split()
    rest = list(filterfalse(str.isalnum, tokens))
    if not rest:
        return len(tokens)
    return len(tokens) - len(rest) + len(_WORD.findall(" ".join(rest)))


#: a token that is no word: long, no URL/path/identifier punctuation, a fifth digits or more
_SOUP_TOKEN_CHARS = 40
_LONG_TOKEN = re.compile(rf"\S{{{_SOUP_TOKEN_CHARS}}}")


def has_long_token(text: str) -> bool:
    """Whether a whitespace-separated token of ``text`` has 40+ characters (``is_token_soup`` needs one).

    ``\\S`` is the complement of ``str.isspace``, as in ``str.split()``.

    >>> has_long_token("a " + "x" * 40), has_long_token(("x" * 39 + " ") * 3)
    (True, False)
    """
    return _LONG_TOKEN.search(text) is not None


def is_token_soup(text: str) -> bool:
    """Whether most of ``text`` is long letter-and-digit tokens (ids, hashes, obfuscated ad markers).

    Such a line has no words a reader reads: half its characters are tokens
    of 40+ characters, a fifth of them digits, without ``/ . : _`` (URLs,
    file paths and code identifiers are not soup).

    >>> is_token_soup("9303097ac-d3e5-41e1-baf5-303640756ebfX2bf8403c-6590-4d73-8b16-95f6c3ecdef884f535a2")
    True
    >>> is_token_soup("Veja https://example.com/a/9303097ac-d3e5-41e1-baf5-303640756ebf-2bf8403c-6590"), is_token_soup("Olá mundo")
    (False, False)
    """
    if not has_long_token(text):
        return False
    soup = 0
    for token in text.split():
        if (len(token) >= _SOUP_TOKEN_CHARS and not any(c in token for c in "/.:_")
                and sum(c.isdigit() for c in token) >= 0.2 * len(token)):
            soup += len(token)
    return soup >= 0.5 * len(text) > 0


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
    return choose_content_root(root, region_candidates(root), min_share, min_words)[0]


def prune_and_choose_region(root: Any, prune: bool = True, min_share: float = 0.25,
                            min_words: int = 50) -> tuple[Any | None, int, int]:
    """:func:`prune_chrome` (when ``prune``) then :func:`choose_content_root`, sharing one walk of the tree.

    The pruning walk also collects the region candidates; those it removed
    (or that sat inside a removed block) are dropped, so the result equals
    ``prune_chrome(root); content_root(root)`` (with its word counts).
    """
    if not prune:
        return choose_content_root(root, region_candidates(root), min_share, min_words)
    candidates: list[Any] = []
    for el in _chrome_elements(root, BOILERPLATE_TOKENS, candidates):
        if not el.xpath(_PROTECTED_XPATH):
            _remove_keeping_tail(el)
    if root.getparent() is None and root.getprevious() is None and root.getnext() is None:
        candidates = [el for el in candidates if _is_under(el, root)]
    else:  # the XPath reads the whole document, beyond ``root``
        candidates = region_candidates(root)
    return choose_content_root(root, candidates, min_share, min_words)


def _is_under(el: Any, root: Any) -> bool:
    """Whether ``el`` is ``root`` or still one of its descendants."""
    while el is not None:
        if el is root:
            return True
        el = el.getparent()
    return False


def region_candidates(root: Any) -> list[Any]:
    """The elements :data:`CONTENT_ROOT_XPATH` selects in ``root``'s document, in document order.

    A Python walk: faster than libxml2's evaluation of the four-way union.
    """
    top = root.getroottree().getroot()
    tops = [*reversed(list(top.itersiblings(preceding=True))), top, *top.itersiblings()]
    found = []
    for tree in tops:
        for el in tree.iter("*"):
            tag = el.tag
            if tag == "main" or tag == "article" or _marked_main(el):
                found.append(el)
    return found


def choose_content_root(root: Any, candidates: list[Any], min_share: float = 0.25,
                        min_words: int = 50) -> tuple[Any | None, int, int]:
    """:func:`content_root` among ``candidates``, with the word counts it measured.

    Returns ``(region or None, words of the page's body, words of the best
    candidate)``; the page's words are 0 (not counted) when no candidate has
    ``min_words`` words.
    """
    best, best_words = None, 0
    for candidate in candidates:
        n = word_count(candidate)
        if n > best_words:
            best, best_words = candidate, n
    if best is None or best_words < min_words:
        return None, 0, best_words  # no region, whatever the page's words (not counted: the largest text)
    body = first_body(root)
    total = word_count(root if body is None else body)
    if total == 0 or best_words < min_share * total:
        return None, total, best_words
    return best, total, best_words


def first_body(root: Any) -> Any | None:
    """``root.find(".//body")`` without scanning the tree when ``<body>`` is a child (it almost always is).

    >>> from lxml import etree
    >>> first_body(etree.fromstring("<html><div><body/></div><body id='2'/></html>")).get("id") is None
    True
    """
    for child in root:
        if child.tag == "body":
            return child
        if isinstance(child.tag, str) and len(child):
            nested = child.find(".//body")
            if nested is not None:
                return nested
    return None


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
