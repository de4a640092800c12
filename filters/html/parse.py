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
from typing import Any, AnyStr

import polars as pl

from corpus_sieve.filters.html.compiled import compiled

#: rows that look like markup: a tag, an end tag, a comment/doctype or a PI
MARKUP_PATTERN = r"<[a-zA-Z/!?]"
#: rows that contain a character reference (``&amp;``, ``&eacute;``, ``&#233;``, ``&#xE9;``)
ENTITY_PATTERN = r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[a-zA-Z][a-zA-Z0-9]{1,31});"

RAW_TEXT_TAGS = ("script", "style")
NESTING_TAGS = ("noscript", "iframe", "svg", "math", "template")
#: removed elements that take room on screen: replaced by a space
VISIBLE_TAGS = frozenset({"svg", "math", "iframe"})



class _RawBlockPatterns:
    """The scanner's patterns for ``str`` or (``as_bytes``) UTF-8 ``bytes``; both match the same text.

    Tag names match ASCII letters only (``<ſcript>`` is no script: HTML tag
    names are ASCII, and libxml2 reads them so), and the whitespace after a
    name is ASCII whitespace. On bytes, ``[^>]{0,n}`` counts characters, not
    bytes, so a long attribute ends a tag at the same point in both.
    """

    def __init__(self, as_bytes: bool) -> None:
        # one character other than ">": a UTF-8 sequence counts once
        not_gt = r"(?:[\x00-\x3d\x3f-\x7f]|[\xc0-\xff][\x80-\xbf]*)" if as_bytes else r"[^>]"

        def compile(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern:
            if as_bytes:
                return re.compile(pattern.encode("ascii"), flags)
            return re.compile(pattern, flags | re.ASCII)

        def opener(tags: tuple[str, ...]) -> re.Pattern:
            return compile(r"<!--|<(" + "|".join(tags) + r")(?=[\s/>])" + not_gt + r"{0,4096}>")

        def key(tag: str) -> str | bytes:
            return tag.encode("ascii") if as_bytes else tag

        self.empty = b"" if as_bytes else ""
        self.space = b" " if as_bytes else " "
        self.self_closing = b"/>" if as_bytes else "/>"
        self.opener = opener(RAW_TEXT_TAGS + NESTING_TAGS)
        self.opener_keep_noscript = opener(tuple(t for t in RAW_TEXT_TAGS + NESTING_TAGS if t != "noscript"))
        self.comment_end = compile(r"--!?>", 0)
        self.raw_end = {key(t): compile(rf"</{t}(?=[\s/>])" + not_gt + r"{0,256}>?") for t in RAW_TEXT_TAGS}
        self.nest_tag = {key(t): compile(rf"<(/?){t}(?=[\s/>])" + not_gt + r"{0,4096}>?") for t in NESTING_TAGS}
        self.visible = frozenset(key(t) for t in VISIBLE_TAGS)


_STR_PATTERNS = _RawBlockPatterns(as_bytes=False)
_BYTES_PATTERNS = _RawBlockPatterns(as_bytes=True)
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


def utf8(text: str | bytes) -> bytes:
    """``text`` as UTF-8 bytes (bytes are taken as they are; a lone surrogate becomes ``?``)."""
    return text if isinstance(text, bytes) else text.encode("utf-8", "replace")


def cap_utf8(data: bytes, max_bytes: int | None) -> bytes:
    """The longest prefix of UTF-8 ``data`` that is at most ``max_bytes`` long and ends on a whole character.

    ``cap_utf8(text.encode(), n) == cap_bytes(text, n).encode()`` for any ``str``.

    >>> cap_utf8("olá".encode(), 3), cap_utf8("olá".encode(), 4)
    (b'ol', b'ol\\xc3\\xa1')
    """
    if max_bytes is None or len(data) <= max_bytes:
        return data
    start = max_bytes  # the last character that begins before the cut: is it whole?
    while start > 0 and data[start - 1] & 0xC0 == 0x80:
        start -= 1
    if start == 0:
        return b""
    lead = data[start - 1]
    size = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    return data[:max_bytes] if start - 1 + size <= max_bytes else data[:start - 1]


def remove_control_chars(text: str) -> str:
    """``text`` without NUL and the C0 control characters parsers reject."""
    return _CONTROL.sub("", text)


#: the bytes of the characters ``remove_control_chars`` removes (all ASCII: never part of a multi-byte UTF-8 character)
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def encode_without_controls(text: str | bytes) -> bytes:
    r"""``remove_control_chars(text).encode("utf-8", "replace")``, without a regex pass over the text.

    UTF-8 ``bytes`` are taken as they are (control characters are single
    bytes in UTF-8, never part of a longer sequence).

    >>> encode_without_controls("a\x00b\tç\x7f"), encode_without_controls(b"a\x00b")
    (b'ab\t\xc3\xa7', b'ab')
    """
    data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
    return data.translate(None, _CONTROL_BYTES)


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


def _end_of_nested(html: Any, pattern: re.Pattern, self_closing: Any, start: int) -> int:
    """Index just after the end tag (``pattern``) closing an element opened before ``start``; -1 if unclosed."""
    depth = 1
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
        elif not m.group(0).endswith(self_closing):
            depth += 1


def strip_raw_blocks(html: AnyStr, keep_noscript: bool = False) -> AnyStr:
    """``html`` without comments and script/style/noscript/iframe/svg/math/template elements.

    ``keep_noscript=True`` keeps ``<noscript>`` content: some sites (Discourse
    forums) serve their whole text there for clients without JavaScript.
    ``html`` may be a ``str`` or UTF-8 ``bytes`` (the result has its type, and
    ``strip_raw_blocks(html.encode()) == strip_raw_blocks(html).encode()``).
    Tag names and the whitespace after them are ASCII, as in HTML; what the cut
    leaves (``<script\u00a0>``) is the parser's to handle.

    Linear in the length of ``html`` (every search either moves forward past
    what it found or ends the scan), so hostile input cannot make it hang.
    Invisible elements (comments, script, style, noscript, template) vanish
    without a trace, as in a browser (``a<!-- x -->b`` reads ``ab``); visible
    boxes (svg, math, iframe) leave a space so the words around them stay apart.

    >>> strip_raw_blocks('<p>a<script>var x = "<p>";</script>b</p><!-- c -->d')
    '<p>ab</p>d'
    >>> strip_raw_blocks("<p>ok<svg><path d='M0'/></svg>fim</p><script>never closed <p>lost")
    '<p>ok fim</p>'
    >>> strip_raw_blocks(b"<p>a<style>p {}</style>b</p>")
    b'<p>ab</p>'
    """
    if isinstance(html, bytes):
        rawcut = compiled("_rawcut")  # the same scan in C, where it was compiled (filters/html/_rawcut.pyx)
        if rawcut is not None:
            return rawcut.strip_raw_blocks_bytes(html, keep_noscript)
    return _strip_raw_blocks_python(html, keep_noscript)


def _strip_raw_blocks_python(html: AnyStr, keep_noscript: bool = False) -> AnyStr:
    """:func:`strip_raw_blocks` with Python regular expressions (``str`` or ``bytes``)."""
    pat = _BYTES_PATTERNS if isinstance(html, bytes) else _STR_PATTERNS
    out: list[Any] = []
    pos = 0
    n = len(html)
    opener = pat.opener_keep_noscript if keep_noscript else pat.opener
    unclosed: set[Any] = set()  # nesting tags whose end was not found: left to the parser
    while pos < n:
        m = opener.search(html, pos)
        if m is None:
            break
        out.append(html[pos : m.start()])
        out.append(pat.space if (m.group(1) or pat.empty).lower() in pat.visible else pat.empty)
        if m.group(1) is None:  # a comment: runs to "-->", or to the end when unclosed
            end = pat.comment_end.search(html, m.end())
            pos = n if end is None else end.end()
            continue
        tag = m.group(1).lower()
        if tag in pat.raw_end:  # raw text: the first end tag closes it
            end = pat.raw_end[tag].search(html, m.end())
            pos = n if end is None else end.end()
            continue
        if m.group(0).endswith(pat.self_closing):  # <svg/>, <iframe/>: an empty element
            pos = m.end()
            continue
        end_pos = -1 if tag in unclosed else _end_of_nested(html, pat.nest_tag[tag], pat.self_closing, m.end())
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
    return pat.empty.join(out)
