"""Cheap HTML helpers shared by ``html_to_text`` and ``remove_boilerplate``.

Parsers (lxml, BeautifulSoup, jusText) spend most of their time on the parts
of a real page that are thrown away anyway: inline scripts, styles, SVG icons
and comments are often more than half of a page's bytes. ``strip_raw_blocks``
removes them with a linear scan *before* parsing. It follows the browser's
rules for the raw-text elements ``<script>`` and ``<style>`` (their content
ends at the first matching end tag, and an unclosed one runs to the end of the
document), and counts nesting for ``<noscript>``, ``<iframe>``, ``<svg>``,
``<math>`` and ``<template>`` (``<iframe .../>`` is empty, and an unclosed one
only loses its start tag, so a stray tag never swallows the rest of a page:
libxml2 does the same).
"""

from __future__ import annotations

import re

import polars as pl

#: rows that look like markup: a tag, an end tag, a comment/doctype or a PI
MARKUP_PATTERN = r"<[a-zA-Z/!?]"
#: rows that contain a character reference (``&amp;``, ``&eacute;``, ``&#233;``, ``&#xE9;``)
ENTITY_PATTERN = r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[a-zA-Z][a-zA-Z0-9]{1,31});"

RAW_TEXT_TAGS = ("script", "style")
NESTING_TAGS = ("noscript", "iframe", "svg", "math", "template")
#: removed elements that take room on screen: replaced by a space
VISIBLE_TAGS = frozenset({"svg", "math", "iframe"})

_OPENER = re.compile(
    r"<!--|<(" + "|".join(RAW_TEXT_TAGS + NESTING_TAGS) + r")(?=[\s/>])[^>]{0,4096}>",
    re.IGNORECASE,
)
_OPENER_KEEP_NOSCRIPT = re.compile(
    r"<!--|<(" + "|".join(t for t in RAW_TEXT_TAGS + NESTING_TAGS if t != "noscript") + r")(?=[\s/>])[^>]{0,4096}>",
    re.IGNORECASE,
)
_COMMENT_END = re.compile(r"--!?>")
_RAW_END = {t: re.compile(rf"</{t}(?=[\s/>])[^>]{{0,256}}>?", re.IGNORECASE) for t in RAW_TEXT_TAGS}
_NEST_TAG = {t: re.compile(rf"<(/?){t}(?=[\s/>])[^>]{{0,4096}}>?", re.IGNORECASE) for t in NESTING_TAGS}
#: characters libxml2 rejects or chokes on (NUL and C0 controls other than \t \n \r)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_like_markup(col: pl.Expr) -> pl.Expr:
    """Boolean expr: the text contains something that starts a tag."""
    return col.str.contains(MARKUP_PATTERN)


def has_entity(col: pl.Expr) -> pl.Expr:
    """Boolean expr: the text contains a character reference."""
    return col.str.contains(ENTITY_PATTERN)


def cap_bytes(text: str, max_bytes: int | None) -> str:
    """The longest prefix of ``text`` whose UTF-8 encoding fits in ``max_bytes``."""
    if max_bytes is None or len(text) * 4 <= max_bytes:
        return text
    raw = text.encode("utf-8", "replace")
    if len(raw) <= max_bytes:
        return text
    return raw[:max_bytes].decode("utf-8", "ignore")


def remove_control_chars(text: str) -> str:
    """``text`` without NUL and the C0 control characters parsers reject."""
    return _CONTROL.sub("", text)


#: the bytes of the characters ``remove_control_chars`` removes (all ASCII: never part of a multi-byte UTF-8 character)
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def encode_without_controls(text: str) -> bytes:
    r"""``remove_control_chars(text).encode("utf-8", "replace")``, without a regex pass over the text.

    >>> encode_without_controls("a\x00b\tç\x7f")
    b'ab\t\xc3\xa7'
    """
    return text.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)


def is_blank_utf8(data: bytes) -> bool:
    r"""Whether UTF-8 ``data`` decodes to nothing but whitespace (``not data.decode().strip()``).

    >>> is_blank_utf8(b" \n\xc2\xa0"), is_blank_utf8(b" <p>")
    (True, False)
    """
    start = _LEADING_ASCII_SPACE.match(data).end()  # the first other byte decides (no copy of the page)
    if start == len(data):
        return True
    if data[start] < 0x80 and data[start] not in b"\x1c\x1d\x1e\x1f":  # those four are str whitespace
        return False
    return data.decode("utf-8", "replace").isspace()


_LEADING_ASCII_SPACE = re.compile(rb"[ \t\n\r\x0b\x0c]*")


def _end_of_nested(html: str, tag: str, start: int) -> int:
    """Index just after the end tag closing a ``<tag>`` opened before ``start``; -1 if unclosed."""
    depth = 1
    pattern = _NEST_TAG[tag]
    pos = start
    while True:
        m = pattern.search(html, pos)
        if m is None:
            return -1
        pos = m.end()
        if m.group(1):
            depth -= 1
            if depth == 0:
                return pos
        elif not m.group(0).endswith("/>"):
            depth += 1


def strip_raw_blocks(html: str, keep_noscript: bool = False) -> str:
    """``html`` without comments and script/style/noscript/iframe/svg/math/template elements.

    ``keep_noscript=True`` keeps ``<noscript>`` content: some sites (Discourse
    forums) serve their whole text there for clients without JavaScript.

    Linear in the length of ``html`` (every search either moves forward past
    what it found or ends the scan), so hostile input cannot make it hang.
    Invisible elements (comments, script, style, noscript, template) vanish
    without a trace, as in a browser (``a<!-- x -->b`` reads ``ab``); visible
    boxes (svg, math, iframe) leave a space so the words around them stay apart.

    >>> strip_raw_blocks('<p>a<script>var x = "<p>";</script>b</p><!-- c -->d')
    '<p>ab</p>d'
    >>> strip_raw_blocks("<p>ok<svg><path d='M0'/></svg>fim</p><script>never closed <p>lost")
    '<p>ok fim</p>'
    """
    out: list[str] = []
    pos = 0
    n = len(html)
    opener = _OPENER_KEEP_NOSCRIPT if keep_noscript else _OPENER
    unclosed: set[str] = set()  # nesting tags whose end was not found: left to the parser
    while pos < n:
        m = opener.search(html, pos)
        if m is None:
            break
        out.append(html[pos : m.start()])
        out.append(" " if (m.group(1) or "").lower() in VISIBLE_TAGS else "")
        if m.group(1) is None:  # a comment: runs to "-->", or to the end when unclosed
            end = _COMMENT_END.search(html, m.end())
            pos = n if end is None else end.end()
            continue
        tag = m.group(1).lower()
        if tag in _RAW_END:  # raw text: the first end tag closes it
            end = _RAW_END[tag].search(html, m.end())
            pos = n if end is None else end.end()
            continue
        if m.group(0).endswith("/>"):  # <svg/>, <iframe/>: an empty element
            pos = m.end()
            continue
        end_pos = -1 if tag in unclosed else _end_of_nested(html, tag, m.end())
        if end_pos < 0:
            # keep the start tag: the parser drops the element; searching again
            # for this tag would make the scan quadratic
            unclosed.add(tag)
            out[-1] = m.group(0)
            pos = m.end()
            continue
        pos = end_pos
    if pos == 0:
        return html
    out.append(html[pos:])
    return "".join(out)
