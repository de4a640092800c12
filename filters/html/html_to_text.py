"""HTML to plain text: tags out, entities decoded, blocks on their own lines."""

from __future__ import annotations

import html as _html_lib
import re
from typing import Any

import polars as pl

from corpus_sieve.filters.html.parse import MARKUP_PATTERN, cap_bytes, has_entity, looks_like_markup, remove_control_chars, strip_raw_blocks
from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register

#: elements whose content is never text (dropped with everything inside)
DROPPED_TAGS = frozenset({
    "head", "script", "style", "noscript", "template", "svg", "math", "iframe",
    "object", "embed", "applet", "canvas", "audio", "video", "select", "button",
})
#: dropped elements that take room on screen: replaced by a space
VISIBLE_DROPPED_TAGS = frozenset({"svg", "math", "iframe", "object", "embed", "applet", "canvas", "audio", "video", "select", "button"})
#: elements that start and end a line
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center",
    "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p",
    "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    "textarea", "option", "frameset", "noframes",
})
#: elements that are separated from their neighbours by a space (table cells)
SPACED_TAGS = frozenset({"td", "th", "img", "input", "label"})

#: the tree builders ``HtmlToText(parser=...)`` accepts
PARSERS = ("bs4", "lxml")

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_SPACES = re.compile(r"[ \t]{2,}")
_MARKUP = re.compile(MARKUP_PATTERN)
_TAGLIKE = re.compile(r"<[^<>]{0,4096}>")


def _parser() -> Any:
    from lxml import etree

    return etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True,
    )


_PARSER: Any = None


def _tree_text(root: Any) -> str:
    """Text of an lxml tree: blocks on their own lines, ``<pre>`` line breaks kept."""
    from lxml import etree

    parts: list[str] = []
    in_pre = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if event == "start":
            if tag in DROPPED_TAGS:
                walker.skip_subtree()
                # the end event still comes for a skipped element: its tail is added there
                continue
            if tag in BLOCK_TAGS:
                parts.append("\n")
            elif tag in SPACED_TAGS:
                parts.append(" ")
            if tag == "pre":
                in_pre += 1
            if el.text and tag:
                parts.append(el.text if in_pre else _HTML_SPACE.sub(" ", el.text))
        else:
            if tag == "pre":
                in_pre -= 1
            if tag in BLOCK_TAGS:
                parts.append("\n")
            elif tag in SPACED_TAGS or tag in VISIBLE_DROPPED_TAGS:
                parts.append(" ")
            if el.tail:
                parts.append(el.tail if in_pre else _HTML_SPACE.sub(" ", el.tail))
    text = _SPACES.sub(" ", "".join(parts))
    return "\n".join(line for line in (raw.strip() for raw in text.split("\n")) if line)


def _soup_text(soup: Any) -> str:
    """Text of a BeautifulSoup tree with the same rules as :func:`_tree_text`."""
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    parts: list[str] = []
    in_pre = 0
    # an explicit stack: deep pages must not hit Python's recursion limit
    stack: list[tuple[Any, bool]] = [(soup, False)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, Tag):
            tag = (node.name or "").lower()
            if closing:
                if tag == "pre":
                    in_pre -= 1
                if tag in BLOCK_TAGS:
                    parts.append("\n")
                elif tag in SPACED_TAGS or tag in VISIBLE_DROPPED_TAGS:
                    parts.append(" ")
                continue
            if tag in DROPPED_TAGS:
                if tag in VISIBLE_DROPPED_TAGS:
                    parts.append(" ")
                continue
            if tag in BLOCK_TAGS:
                parts.append("\n")
            elif tag in SPACED_TAGS:
                parts.append(" ")
            if tag == "pre":
                in_pre += 1
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            parts.append(str(node) if in_pre else _HTML_SPACE.sub(" ", str(node)))
    text = _SPACES.sub(" ", "".join(parts))
    return "\n".join(line for line in (raw.strip() for raw in text.split("\n")) if line)


def _bs4_to_text(html: str) -> str:
    import warnings

    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

    try:
        with warnings.catch_warnings():
            # a row that looks like a URL or an XML declaration is still parsed as HTML, on purpose
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(html, "lxml")
    except Exception:  # noqa: BLE001 - bs4 wraps parser errors in several types
        return _regex_fallback(html)
    return _soup_text(soup)


def _regex_fallback(text: str) -> str:
    """Last resort when lxml fails: tags removed, entities decoded."""
    return _html_lib.unescape(_TAGLIKE.sub(" ", text)).strip()


def html_to_text(html: str, max_bytes: int | None = 5_000_000, parser: str = "lxml") -> str:
    """The visible text of an HTML document or fragment (never raises).

    ``parser="bs4"`` builds a BeautifulSoup tree (lxml builder) and walks it;
    ``"lxml"`` walks libxml2's tree directly. Both give the same text.

    >>> html_to_text("<p>Ol&aacute; <b>mun</b>do</p><p>caf&#233;</p>")
    'Olá mundo\\ncafé'
    >>> html_to_text("<p>Ol&aacute; <b>mun</b>do</p><p>caf&#233;</p>", parser="bs4")
    'Olá mundo\\ncafé'
    """
    global _PARSER
    from lxml import etree

    html = remove_control_chars(strip_raw_blocks(cap_bytes(html, max_bytes)))
    if not html.strip():
        return ""
    if parser == "bs4":
        if _too_deep(html):
            return _regex_fallback(html)
        return _bs4_to_text(html)
    if _PARSER is None:
        _PARSER = _parser()
    try:
        root = etree.fromstring(html.encode("utf-8", "replace"), _PARSER)
    except (etree.LxmlError, ValueError):
        return _regex_fallback(html)
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in _PARSER.error_log):
        # libxml2 silently drops what lies deeper than 2048 elements
        return _regex_fallback(html)
    if root is None:
        return ""
    return _tree_text(root)


def _too_deep(html: str) -> bool:
    """Whether libxml2 would hit its nesting limit (it then drops what lies deeper)."""
    global _PARSER
    from lxml import etree

    if html.count("<") < 2048:  # cannot nest 2048 elements with fewer tags
        return False
    if _PARSER is None:
        _PARSER = _parser()
    try:
        etree.fromstring(html.encode("utf-8", "replace"), _PARSER)
    except (etree.LxmlError, ValueError):
        return True
    return any(e.type_name == "ERR_RESOURCE_LIMIT" for e in _PARSER.error_log)


@register
class HtmlToText(Transform):
    """Convert HTML (a page or a fragment) to plain text.

    * tags are removed; inline elements (``<b>``, ``<a>``, ``<span>``...) add
      nothing, so ``<b>pal</b>avra`` stays ``palavra``;
    * block elements (``p``, ``div``, ``br``, ``li``, ``h1``-``h6``, ``tr``,
      ``section``, ``article``...) become line breaks; table cells are
      separated by a space; lines are trimmed and empty lines dropped
      (so the output has no blank lines);
    * character references are decoded (``&amp;`` ``&eacute;`` ``&#233;``);
    * comments, ``<head>`` and ``script``/``style``/``noscript``/``template``/
      ``svg``/``iframe`` (and other non-text elements) are dropped with their
      content;
    * whitespace inside text collapses as a browser does it, except that
      ``<pre>`` keeps its line breaks.

    Only rows that look like markup (``<`` followed by a letter, ``/``, ``!``
    or ``?``) are parsed; rows that only contain character references are
    unescaped with :func:`html.unescape`; every other row is returned
    unchanged, so a tweet with ``<3`` or ``a < b`` is never touched.

    Scripts, styles, SVG and comments are cut with a linear scan before the
    parser sees them (the parser's time on real pages is mostly spent on
    them). The page is then parsed with lxml (libxml2, which repairs broken or
    truncated HTML); if lxml fails or hits its nesting limit (2048 levels),
    tags are removed with a regex instead (text kept, line breaks lost).
    Never raises.

    Do not run this after ``remove_boilerplate``: jusText already returns
    plain text with decoded entities, and decoding twice would turn the
    *text* ``&lt;div&gt;`` (shown on a page) into markup and delete it.

    Parameters
    ----------
    max_bytes : int or None, default 5_000_000
        Only the first ``max_bytes`` bytes (UTF-8) of a document are
        converted; the rest is cut before parsing (bounded time and memory on
        huge or hostile documents). ``None`` converts everything.
    parser : {"bs4", "lxml"}, default "bs4"
        ``"bs4"``: BeautifulSoup (``beautifulsoup4`` with the lxml tree
        builder) and a walk over its tree. ``"lxml"``: libxml2's tree walked
        directly, without building BeautifulSoup objects (same text; about
        3x faster on whole web pages, see the README). Both share the
        block/drop/entity rules above and the pre-parse cut of scripts.

    Examples
    --------
    >>> to_text = HtmlToText()
    >>> to_text("<div><h1>T&iacute;tulo</h1><p>Um <i>bom</i> dia &amp; boa noite.<br>Fim</p></div>")
    'Título\\nUm bom dia & boa noite.\\nFim'
    >>> to_text("<p>ok</p><script>alert('x')</script><!-- nota -->")
    'ok'
    >>> to_text("amo-te <3 e a < b")
    'amo-te <3 e a < b'
    >>> to_text("Tom &amp; Jerry")
    'Tom & Jerry'
    >>> HtmlToText(parser="lxml")("<ul><li>ma&ccedil;&atilde;<li>p&ecirc;ra</ul>")
    'maçã\\npêra'
    """

    name = "html_to_text"

    def __init__(self, max_bytes: int | None = 5_000_000, parser: str = "bs4") -> None:
        if max_bytes is not None and max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive or None, got {max_bytes}")
        if parser not in PARSERS:
            raise ValueError(f"parser must be one of {PARSERS}, got {parser!r}")
        self.max_bytes = max_bytes
        self.parser = parser

    def needs_expr(self, col: pl.Expr) -> pl.Expr:
        return looks_like_markup(col) | has_entity(col)

    def convert(self, text: str) -> str:
        """The plain text of one document (markup or entities)."""
        if _MARKUP.search(text):
            return html_to_text(text, self.max_bytes, self.parser)
        return _html_lib.unescape(text)

    def transform_batch(self, texts: list[str]) -> list[str]:
        return [self.convert(t) for t in texts]
