# cython: language_level=3, boundscheck=False, wraparound=False
"""The raw-block cut (``corpus_sieve.filters.html.parse.strip_raw_blocks``) on UTF-8 bytes, in C.

``strip_raw_blocks`` finds comments and script/style/svg/... elements with
Python regular expressions; on web pages that search is ~15 % of plain
jusText's time. This module runs the same scan with ``memchr`` and byte
comparisons: the same patterns, matched the same way (case-insensitive ASCII
tag names, ASCII whitespace, ``[^>]{0,n}`` counting UTF-8 characters, the
leftmost match first), so the output is the Python function's byte for byte
(the tests compare the two on WCXB pages and random markup).

Optional, like ``filters/html/_walk.pyx``: ``make install`` compiles it; without
it the Python scan runs.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from libc.string cimport memchr, memcpy

# tags by index: the opener's alternatives, in the order of corpus_sieve.filters.html.parse's patterns
cdef enum:
    SCRIPT = 0
    STYLE = 1
    NOSCRIPT = 2
    N_TAGS = 7
cdef const char* _NAMES[7]
_NAMES[:] = [b"script", b"style", b"noscript", b"iframe", b"svg", b"math", b"template"]
cdef Py_ssize_t _LENGTHS[7]
_LENGTHS[:] = [6, 5, 8, 6, 3, 4, 8]


def tag_names() -> tuple:
    """The tags this scan cuts, in pattern order (a test checks they are ``corpus_sieve.filters.html.parse``'s)."""
    return tuple(_NAMES[i].decode() for i in range(N_TAGS))


cdef inline bint _visible(int tag) noexcept:
    # svg, math, iframe take room on screen: a space keeps the words around them apart
    return tag == 3 or tag == 4 or tag == 5


cdef inline bint _is_space(unsigned char c) noexcept:
    # \s of a bytes pattern: [ \t\n\r\x0b\x0c]
    return c == 32 or (9 <= c <= 13)


cdef inline unsigned char _lower(unsigned char c) noexcept:
    return c + 32 if 65 <= c <= 90 else c


cdef inline bint _name_at(const unsigned char* s, Py_ssize_t n, Py_ssize_t i, int tag) noexcept:
    """Whether tag ``tag``'s name (any ASCII case) starts at ``i`` and is followed by whitespace, ``/`` or ``>``."""
    cdef Py_ssize_t k, length = _LENGTHS[tag]
    cdef const char* name = _NAMES[tag]
    if i + length >= n:  # the look-ahead needs one more byte
        return False
    for k in range(length):
        if _lower(s[i + k]) != <unsigned char>name[k]:
            return False
    return _is_space(s[i + length]) or s[i + length] == 47 or s[i + length] == 62


cdef inline Py_ssize_t _run_end(const unsigned char* s, Py_ssize_t n, Py_ssize_t i, Py_ssize_t limit) noexcept:
    """Where ``(?:[\\x00-\\x3d\\x3f-\\x7f]|[\\xc0-\\xff][\\x80-\\xbf]*){0,limit}`` matching greedily from ``i`` ends."""
    cdef Py_ssize_t count = 0
    cdef unsigned char c
    while i < n and count < limit:
        c = s[i]
        if c < 0x80:
            if c == 62:  # ">"
                return i
            i += 1
        elif c >= 0xc0:
            i += 1
            while i < n and 0x80 <= s[i] <= 0xbf:
                i += 1
        else:  # a continuation byte without its lead: no character
            return i
        count += 1
    return i


cdef inline Py_ssize_t _find_lt(const unsigned char* s, Py_ssize_t n, Py_ssize_t i) noexcept:
    cdef const void* hit
    if i >= n:
        return -1
    hit = memchr(s + i, 60, n - i)  # "<"
    return -1 if hit is NULL else <const unsigned char*>hit - s


cdef Py_ssize_t _opener(const unsigned char* s, Py_ssize_t n, Py_ssize_t pos, bint keep_noscript,
                        int* tag, Py_ssize_t* end) noexcept:
    """The leftmost ``<!--|<(tags)(?=[\\s/>])[^>]{0,4096}>`` at or after ``pos``: its start (``-1``: none)."""
    cdef Py_ssize_t i = pos, j, k
    cdef int t
    while True:
        i = _find_lt(s, n, i)
        if i < 0:
            return -1
        if i + 3 < n and s[i + 1] == 33 and s[i + 2] == 45 and s[i + 3] == 45:  # "<!--"
            tag[0] = -1
            end[0] = i + 4
            return i
        for t in range(N_TAGS):
            if t == NOSCRIPT and keep_noscript:
                continue
            if _name_at(s, n, i + 1, t):
                j = i + 1 + _LENGTHS[t]
                k = _run_end(s, n, j, 4096)
                if k < n and s[k] == 62:
                    tag[0] = t
                    end[0] = k + 1
                    return i
                break  # names are no prefixes of each other: no other alternative can match here
        i += 1


cdef Py_ssize_t _comment_end(const unsigned char* s, Py_ssize_t n, Py_ssize_t i) noexcept:
    """The end of the leftmost ``--!?>`` at or after ``i`` (``-1``: none)."""
    while i + 2 < n:
        if s[i] == 45 and s[i + 1] == 45:
            if s[i + 2] == 62:
                return i + 3
            if s[i + 2] == 33 and i + 3 < n and s[i + 3] == 62:
                return i + 4
        i += 1
    return -1


cdef Py_ssize_t _tag_match(const unsigned char* s, Py_ssize_t n, Py_ssize_t i, int tag, Py_ssize_t limit,
                           bint closing_only, bint* closing, Py_ssize_t* end) noexcept:
    """The leftmost ``<(/?)tag(?=[\\s/>])[^>]{0,limit}>?`` (``closing_only``: ``</tag...``) at or after ``i``."""
    cdef Py_ssize_t j, k
    cdef bint slash
    while True:
        i = _find_lt(s, n, i)
        if i < 0:
            return -1
        slash = i + 1 < n and s[i + 1] == 47
        if (slash or not closing_only) and _name_at(s, n, i + 1 + slash, tag):
            j = i + 1 + slash + _LENGTHS[tag]
            k = _run_end(s, n, j, limit)
            if k < n and s[k] == 62:
                k += 1
            closing[0] = slash
            end[0] = k
            return i
        i += 1


cdef inline bint _self_closing(const unsigned char* s, Py_ssize_t start, Py_ssize_t end) noexcept:
    return end - start >= 2 and s[end - 1] == 62 and s[end - 2] == 47


cdef Py_ssize_t _end_of_nested(const unsigned char* s, Py_ssize_t n, int tag, Py_ssize_t pos) noexcept:
    """Index just after the end tag closing an element of ``tag`` opened before ``pos``; -1 if unclosed."""
    cdef Py_ssize_t depth = 1, start, end = 0
    cdef bint closing = False
    while True:
        start = _tag_match(s, n, pos, tag, 4096, False, &closing, &end)
        if start < 0:
            return -1
        pos = end
        if closing:
            depth -= 1
            if depth == 0:
                return pos
        elif not _self_closing(s, start, end):
            depth += 1


def strip_raw_blocks_bytes(bytes html, bint keep_noscript=False) -> bytes:
    """``corpus_sieve.filters.html.parse.strip_raw_blocks(html, keep_noscript)`` for UTF-8 ``bytes``."""
    cdef const unsigned char* s = <const unsigned char*>PyBytes_AS_STRING(html)
    cdef Py_ssize_t n = PyBytes_GET_SIZE(html)
    cdef Py_ssize_t pos = 0, start, end = 0, stop, total = 0, k
    cdef int tag = 0
    cdef bint closing = False
    cdef int unclosed = 0  # a bit per nesting tag whose end was not found: left to the parser
    # the output as (start, stop) spans of ``html``; a separator space is the span (-1, -1)
    cdef list spans = []
    while pos < n:
        start = _opener(s, n, pos, keep_noscript, &tag, &end)
        if start < 0:
            break
        spans.append((pos, start))
        total += start - pos
        if tag < 0:  # a comment: runs to "-->", or to the end when unclosed
            stop = _comment_end(s, n, end)
            pos = n if stop < 0 else stop
            continue
        if _visible(tag):
            spans.append((-1, -1))
            total += 1
        if tag == SCRIPT or tag == STYLE:  # raw text: the first end tag closes it
            start = _tag_match(s, n, end, tag, 256, True, &closing, &stop)
            pos = n if start < 0 else stop
            continue
        if _self_closing(s, start, end):  # <svg/>, <iframe/>: an empty element
            pos = end
            continue
        stop = -1 if unclosed & (1 << tag) else _end_of_nested(s, n, tag, end)
        if stop < 0:
            # keep the start tag: the parser drops the element; searching again
            # for this tag would make the scan quadratic
            unclosed |= 1 << tag
            if _visible(tag):
                spans.pop()
                total -= 1
            spans.append((start, end))
            total += end - start
            pos = end
            continue
        pos = stop
    if pos == 0:
        return html
    spans.append((pos, n))
    total += n - pos
    out = PyBytes_FromStringAndSize(NULL, total)
    cdef char* dest = PyBytes_AS_STRING(out)
    cdef Py_ssize_t a, b
    for span in spans:
        a, b = span
        if a < 0:
            dest[0] = 32
            dest += 1
        else:
            memcpy(dest, s + a, b - a)
            dest += b - a
    return out
