# cython: language_level=3, boundscheck=False, wraparound=False
"""Start tags without the attributes nobody reads, for libxml2's parse of a web page.

libxml2 spends most of an HTML parse on attributes (class lists, inline
styles, data-* blobs, srcsets): a WCXB page without them parses in about a
third of the time. Plain jusText reads only tag names and text, so
``corpus_sieve.filters.html.paragraphs.justext_document`` hands libxml2 the page with every
start tag's attributes removed (``<div class="a" id=b>`` -> ``<div>``); the
content-region extraction reads a few (class, id, role...), so
``corpus_sieve.filters.html.content_region.parse_page`` keeps those, as written
(``<div class="a" style="x">`` -> ``<div class="a">``).

The tree must stay the one libxml2 builds from the page, attributes aside, so
this scan follows libxml2 2.14's HTML5 tokenizer: a tag ends at the first
``>`` outside a quoted attribute value; ``/>`` sets the self-closing flag
only where the tokenizer's "self-closing start tag" state sees it (libxml2
then closes ``<div/>`` at once, so the flag is kept, and written `` />``
after a kept attribute, whose unquoted value would otherwise take the ``/``);
``<!...>``, ``<?...>`` and ``</`` + non-letter run to the next ``>``; the
text of ``style``, ``xmp``, ``iframe``, ``noembed``, ``noframes``,
``textarea`` and ``title`` (libxml2's raw-text elements, unless the start tag
is self-closing) is copied up to its end tag. Whatever is not certain is
copied as it is: a tag cut by the end of the input, end tags, a tag with more
than 128 attributes when some are kept, and everything after a ``<script`` or
``<plaintext`` start tag (script text has escape states of its own). The
tests compare the trees parsed with and without this scan on WCXB pages and
random markup, and the extractions on WCXB pages.

Callers check ``lxml.etree.LIBXML_VERSION >= (2, 14)`` (the HTML5 tokenizer)
and pass bytes without NUL or C0 control characters, as libxml2 sees them.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from libc.string cimport memchr, memcpy

cdef enum:
    TAG_NAME
    BEFORE_ATTR_NAME
    ATTR_NAME
    AFTER_ATTR_NAME
    BEFORE_ATTR_VALUE
    VALUE_DQ
    VALUE_SQ
    VALUE_UNQUOTED
    AFTER_VALUE_QUOTED
    SELF_CLOSING

#: libxml2's raw-text elements whose end this scan finds; script and plaintext stop the scan
cdef tuple _RAW_TEXT = (b"style", b"xmp", b"iframe", b"noembed", b"noframes", b"textarea", b"title")


cdef inline bint _ws(unsigned char c) noexcept:
    # libxml2's IS_WS_HTML: space, \t, \n, \x0c, \r
    return c == 32 or c == 9 or c == 10 or c == 12 or c == 13


cdef inline bint _alpha(unsigned char c) noexcept:
    return (65 <= c <= 90) or (97 <= c <= 122)


cdef inline unsigned char _lower(unsigned char c) noexcept:
    return c + 32 if 65 <= c <= 90 else c


cdef enum:
    MAX_SPANS = 128  # attributes recorded per tag; a tag with more is kept as it is


cdef Py_ssize_t _tag_end(const unsigned char* s, Py_ssize_t n, Py_ssize_t i, bint* attributes,
                         bint* self_closing, Py_ssize_t* spans, Py_ssize_t* count) noexcept:
    """From just after a tag's name at ``i``: the index after its ``>``, or ``-1`` when the input ends first.

    With ``spans`` (room for ``MAX_SPANS`` attributes), each attribute's
    ``(name start, name end, end of its value)`` is recorded and ``count``
    set (``MAX_SPANS + 1`` when there were more).
    """
    cdef int state = TAG_NAME
    cdef unsigned char c
    cdef Py_ssize_t k = -1  # the attribute being read: its index in spans
    attributes[0] = False
    self_closing[0] = False
    if spans is not NULL:
        count[0] = 0
    while i < n:
        c = s[i]
        if state == TAG_NAME:
            if _ws(c):
                state = BEFORE_ATTR_NAME
            elif c == 47:  # /
                state = SELF_CLOSING
            elif c == 62:  # >
                return i + 1
            i += 1
        elif state == BEFORE_ATTR_NAME or state == AFTER_ATTR_NAME:
            if _ws(c):
                i += 1
            elif state == BEFORE_ATTR_NAME and (c == 47 or c == 62):
                state = AFTER_ATTR_NAME  # reconsume
            elif state == AFTER_ATTR_NAME and c == 47:
                state = SELF_CLOSING
                i += 1
            elif state == AFTER_ATTR_NAME and c == 61:  # =
                state = BEFORE_ATTR_VALUE
                i += 1
            elif state == AFTER_ATTR_NAME and c == 62:
                return i + 1
            else:  # a new attribute ("=" too starts a name before one)
                attributes[0] = True
                if spans is not NULL:
                    k = count[0]
                    count[0] += 1
                    if k < MAX_SPANS:
                        spans[3 * k] = i
                state = ATTR_NAME
                i += 1
        elif state == ATTR_NAME:
            if _ws(c) or c == 47 or c == 62 or c == 61:
                if spans is not NULL and k < MAX_SPANS:
                    spans[3 * k + 1] = i
                    spans[3 * k + 2] = i
                if c == 61:
                    state = BEFORE_ATTR_VALUE
                    i += 1
                else:
                    state = AFTER_ATTR_NAME  # reconsume
            else:
                i += 1
        elif state == BEFORE_ATTR_VALUE:
            if _ws(c):
                i += 1
            elif c == 34:  # "
                state = VALUE_DQ
                i += 1
            elif c == 39:  # '
                state = VALUE_SQ
                i += 1
            elif c == 62:
                return i + 1
            else:
                state = VALUE_UNQUOTED  # reconsume
        elif state == VALUE_DQ or state == VALUE_SQ:
            # jump to the closing quote: a value may hold ">"
            hit = memchr(s + i, 34 if state == VALUE_DQ else 39, n - i)
            if hit is NULL:
                return -1
            i = <const unsigned char*>hit - s + 1
            if spans is not NULL and k < MAX_SPANS:
                spans[3 * k + 2] = i
            state = AFTER_VALUE_QUOTED
        elif state == VALUE_UNQUOTED:
            if _ws(c) or c == 62:
                if spans is not NULL and k < MAX_SPANS:
                    spans[3 * k + 2] = i
                if c == 62:
                    return i + 1
                state = BEFORE_ATTR_NAME
            i += 1
        elif state == AFTER_VALUE_QUOTED:
            if _ws(c):
                state = BEFORE_ATTR_NAME
                i += 1
            elif c == 47:
                state = SELF_CLOSING
                i += 1
            elif c == 62:
                return i + 1
            else:
                state = BEFORE_ATTR_NAME  # reconsume
        else:  # SELF_CLOSING
            if c == 62:
                self_closing[0] = True
                return i + 1
            state = BEFORE_ATTR_NAME  # reconsume
    return -1


cdef inline bint _named(const unsigned char* s, Py_ssize_t start, Py_ssize_t end, bytes name) noexcept:
    """Whether ``s[start:end]`` is ``name`` in any ASCII case."""
    cdef const unsigned char* lowered = <const unsigned char*>PyBytes_AS_STRING(name)
    cdef Py_ssize_t k, length = PyBytes_GET_SIZE(name)
    if end - start != length:
        return False
    for k in range(length):
        if _lower(s[start + k]) != lowered[k]:
            return False
    return True


cdef Py_ssize_t _raw_text_end(const unsigned char* s, Py_ssize_t n, Py_ssize_t i, bytes name) noexcept:
    """The start of the first ``</name`` followed by whitespace, ``/`` or ``>`` at or after ``i`` (``-1``: none)."""
    cdef Py_ssize_t length = PyBytes_GET_SIZE(name), j
    cdef const void* hit
    while i < n:
        hit = memchr(s + i, 60, n - i)
        if hit is NULL:
            return -1
        i = <const unsigned char*>hit - s
        j = i + 2 + length
        if j < n and s[i + 1] == 47 and _named(s, i + 2, j, name) and (_ws(s[j]) or s[j] == 47 or s[j] == 62):
            return i
        i += 1
    return -1


cdef bint _kept(const unsigned char* s, Py_ssize_t start, Py_ssize_t end, tuple keep) noexcept:
    cdef bytes name
    for name in keep:
        if _named(s, start, end, name):
            return True
    return False


def strip_attributes(bytes html, keep=None) -> bytes:
    """``html`` with the attributes of its start tags removed, but those named in ``keep`` (see the module's docstring).

    ``keep``: lowercase attribute names (``str``) whose attributes stay as
    written, in their order; the others go. ``None`` removes them all.

    >>> strip_attributes(b'<div class="a>b" id=x>t<br/><p a=1 /x>u</p><title c=d><b e=f></title>')
    b'<div>t<br/><p>u</p><title><b e=f></title>'
    >>> strip_attributes(b'<div style="x" CLASS=a data-y><a href=/ id=b/>t</a>', keep=("class", "id"))
    b'<div CLASS=a><a id=b/>t</a>'
    """
    cdef const unsigned char* s = <const unsigned char*>PyBytes_AS_STRING(html)
    cdef Py_ssize_t n = PyBytes_GET_SIZE(html)
    cdef Py_ssize_t i = 0, copied = 0, start, name_end, end, k, count = 0, kept
    cdef bint attributes = False, self_closing = False
    cdef Py_ssize_t spans[3 * MAX_SPANS]
    cdef bint keeps[MAX_SPANS]
    cdef Py_ssize_t* recorded = NULL
    cdef tuple kept_names = None
    cdef const void* hit
    cdef unsigned char c
    cdef bytes raw
    # the output: spans of ``html`` with the rewritten tags between them
    cdef list pieces = []
    if keep is not None:
        kept_names = tuple(name.lower().encode("ascii") for name in keep)
        recorded = spans
    while i < n:
        hit = memchr(s + i, 60, n - i)  # "<"
        if hit is NULL:
            break
        i = <const unsigned char*>hit - s
        if i + 1 >= n:
            break
        c = s[i + 1]
        if c == 33 or c == 63 or (c == 47 and (i + 2 >= n or not _alpha(s[i + 2]))):
            # <!...>, <?...>, </ + non-letter: a declaration or bogus comment, to the next ">"
            hit = memchr(s + i + 1, 62, n - i - 1)
            if hit is NULL:
                break
            i = <const unsigned char*>hit - s + 1
            continue
        if c == 47:  # an end tag: kept as it is, read to its end
            name_end = i + 2
            while name_end < n and not (_ws(s[name_end]) or s[name_end] == 47 or s[name_end] == 62):
                name_end += 1
            end = _tag_end(s, n, name_end, &attributes, &self_closing, NULL, NULL)
            if end < 0:
                break
            i = end
            continue
        if not _alpha(c):
            i += 1  # "<" as text
            continue
        start = i
        name_end = i + 1
        while name_end < n and not (_ws(s[name_end]) or s[name_end] == 47 or s[name_end] == 62):
            name_end += 1
        end = _tag_end(s, n, name_end, &attributes, &self_closing, recorded, &count)
        if end < 0:
            break  # a tag cut by the end of the input: as it is
        if _named(s, start + 1, name_end, b"script") or _named(s, start + 1, name_end, b"plaintext"):
            break  # script data and plaintext: the rest goes as it is
        if attributes and kept_names is None:
            pieces.append(html[copied:name_end])
            pieces.append(b"/>" if self_closing else b">")
            copied = end
        elif attributes and count <= MAX_SPANS:
            kept = 0
            for k in range(count):
                keeps[k] = _kept(s, spans[3 * k], spans[3 * k + 1], kept_names)
                kept += keeps[k]
            if kept < count:  # something to drop: the tag again, with the kept attributes as written
                pieces.append(html[copied:name_end])
                for k in range(count):
                    if keeps[k]:
                        pieces.append(b" ")
                        pieces.append(html[spans[3 * k]:spans[3 * k + 2]])
                # after a kept unquoted value "/>" would join the value: " />" sets the flag
                pieces.append((b" />" if kept else b"/>") if self_closing else b">")
                copied = end
        i = end
        if not self_closing:  # a self-closed raw-text element holds no text (libxml2)
            for raw in _RAW_TEXT:
                if _named(s, start + 1, name_end, raw):
                    k = _raw_text_end(s, n, i, raw)
                    i = n if k < 0 else k
                    break
    if copied == 0:
        return html
    pieces.append(html[copied:])
    return b"".join(pieces)
