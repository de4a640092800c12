# cython: language_level=3, boundscheck=False, wraparound=False
"""jusText's paragraph walk over libxml2's nodes: :func:`corpus_sieve.filters.html.paragraphs.make_paragraphs` in C.

The pure-Python walk (``filters/html/paragraphs.py: _make_paragraphs``) is an
``etree.iterwalk`` loop: one Python iteration per element, a DOM path string
built per element, ``.text``/``.tail`` proxies for every node. On a web page
that loop is ~40 % of plain jusText's time. This module walks the same tree
through lxml's public C API (``lxml.includes.etreepublic``): the element
structure, the DOM path and the text runs are read from the ``xmlNode``
structs, and Python objects are made only for what the result holds (the
paragraphs' texts, paths and owner elements).

The result is the Python walk's, field for field (the tests compare the two on
WCXB pages and random trees). A tree the Python walk would treat in a way this
one does not model (an entity-reference or XInclude node) raises
:class:`UnsupportedTree`, and the caller uses the Python walk.

Optional: ``make install`` compiles it (Cython, a C compiler, lxml's headers);
without it the Python walk runs, with the same output.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from libc.string cimport strcmp, strlen

cimport lxml.includes.etreepublic as cetree
from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Document, _Element

from lxml import etree as _etree  # noqa: F401 (the C API below is lxml.etree's)

cetree.import_lxml__etree()


class UnsupportedTree(ValueError):
    """The tree holds a node the C walk does not model; use the Python walk."""


def is_paragraph_tag(name: str) -> bool:
    """Whether the walk treats ``name`` as a paragraph boundary (a test checks it is ``PARAGRAPH_TAGS``)."""
    encoded = name.encode("utf-8")
    return _is_paragraph_tag(encoded)


cdef inline bint _is_paragraph_tag(const char* name) noexcept:
    # a switch on the first letter, then exact comparisons: no Python string per element
    cdef char c = name[0]
    if c == b"d":
        return strcmp(name, b"div") == 0 or strcmp(name, b"dd") == 0 or strcmp(name, b"dl") == 0 or strcmp(name, b"dt") == 0
    if c == b"p":
        return name[1] == 0 or strcmp(name, b"pre") == 0
    if c == b"l":
        return strcmp(name, b"li") == 0 or strcmp(name, b"legend") == 0
    if c == b"t":
        return (strcmp(name, b"td") == 0 or strcmp(name, b"tr") == 0 or strcmp(name, b"th") == 0
                or strcmp(name, b"table") == 0 or strcmp(name, b"thead") == 0 or strcmp(name, b"tfoot") == 0
                or strcmp(name, b"textarea") == 0)
    if c == b"h":
        return name[1] >= b"1" and name[1] <= b"6" and name[2] == 0
    if c == b"u":
        return strcmp(name, b"ul") == 0
    if c == b"b":
        return strcmp(name, b"body") == 0 or strcmp(name, b"blockquote") == 0
    if c == b"c":
        return strcmp(name, b"caption") == 0 or strcmp(name, b"center") == 0 or strcmp(name, b"col") == 0 or strcmp(name, b"colgroup") == 0
    if c == b"f":
        return strcmp(name, b"fieldset") == 0 or strcmp(name, b"form") == 0
    if c == b"o":
        return strcmp(name, b"optgroup") == 0 or strcmp(name, b"option") == 0
    return False


cdef inline bint _is_text(tree.xmlNode* node) noexcept:
    return node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE


cdef inline bint _ascii_blank(const unsigned char* text) noexcept:
    """Whether ``text`` is empty or only ASCII whitespace (then its ``str`` is empty or ``isspace()``)."""
    if text is NULL:
        return True
    while text[0] != 0:
        if not (text[0] == 32 or (9 <= text[0] <= 13)):
            return False
        text += 1
    return True


cdef object _text_run(tree.xmlNode* node):
    """lxml's ``_collectText``: the text of the run of text nodes starting at ``node``.

    ``None`` when there is no run, or when the run is only ASCII whitespace
    (the walk skips blank runs: no ``str`` is made for the whitespace between tags).
    """
    cdef tree.xmlNode* cur
    cdef list parts
    cdef bint blank = True
    if node is NULL:
        return None
    if node.type == tree.XML_XINCLUDE_START or node.type == tree.XML_XINCLUDE_END:
        raise UnsupportedTree("XInclude node")
    if not _is_text(node):
        return None
    cur = node
    while cur is not NULL and _is_text(cur):
        if blank and not _ascii_blank(cur.content):
            blank = False
        cur = cur.next
    if cur is not NULL and (cur.type == tree.XML_XINCLUDE_START or cur.type == tree.XML_XINCLUDE_END):
        raise UnsupportedTree("XInclude node")
    if blank:
        return None
    if node.next is NULL or not _is_text(node.next):
        return PyBytes_FromStringAndSize(<char*>node.content, strlen(<char*>node.content)).decode("utf-8")
    parts = []
    cur = node
    while cur is not NULL and _is_text(cur):
        if cur.content is not NULL:
            parts.append(PyBytes_FromStringAndSize(<char*>cur.content, strlen(<char*>cur.content)))
        cur = cur.next
    return b"".join(parts).decode("utf-8")


cdef inline bint _is_walked(tree.xmlNode* node) except -1:
    """Whether iterwalk visits ``node`` (elements, comments, processing instructions)."""
    if node.type == tree.XML_ELEMENT_NODE or node.type == tree.XML_COMMENT_NODE or node.type == tree.XML_PI_NODE:
        return True
    if node.type == tree.XML_ENTITY_REF_NODE or node.type == tree.XML_XINCLUDE_START or node.type == tree.XML_XINCLUDE_END:
        raise UnsupportedTree("entity reference or XInclude node")
    return False


cdef inline tree.xmlNode* _next_walked(tree.xmlNode* node) except? NULL:
    while node is not NULL and not _is_walked(node):
        node = node.next
    return node


cdef class _Walk:
    """The walk's state: what ``_make_paragraphs`` keeps in locals."""

    cdef _Document doc
    cdef object paragraph_class
    cdef object normalize_stripped
    cdef object normalized_length
    cdef list paragraphs
    cdef list nodes
    cdef object owner
    cdef long links
    cdef long tags
    cdef bint in_link
    cdef bint after_br
    # the open elements' names (pointers into the tree, which outlives the walk)
    cdef const char** names
    cdef Py_ssize_t capacity
    cdef Py_ssize_t depth
    # the paragraph's DOM path: made into a string (``dom_path``) only when a
    # paragraph will need it; until then it is the first ``path_depth`` names
    cdef object dom_path
    cdef Py_ssize_t path_depth
    cdef bint path_pending
    # prefixes[i] is the path of the first i + 1 open names ("html.body."), valid for i < valid_prefixes
    cdef list prefixes
    cdef Py_ssize_t valid_prefixes
    # word tables (``counting``): the innermost open element's running counts, its ancestors' saved
    # per depth, and the tables themselves (``corpus_sieve.filters.html.paragraphs.make_paragraphs_and_word_tables``)
    cdef bint counting
    cdef Py_ssize_t min_children
    cdef object findall
    cdef long n
    cdef long linked
    cdef long* saved
    cdef dict words
    cdef dict link_words
    cdef list parents
    cdef tree.xmlNode* top

    def __cinit__(self, _Document doc, paragraph_class, normalize_stripped, normalized_length):
        self.doc = doc
        self.paragraph_class = paragraph_class
        self.normalize_stripped = normalize_stripped
        self.normalized_length = normalized_length
        self.paragraphs = []
        self.nodes = []
        self.owner = None
        self.links = 0
        self.tags = 0
        self.in_link = False
        self.after_br = False
        self.names = NULL
        self.capacity = 0
        self.depth = 0
        self.dom_path = "."
        self.path_depth = 0
        self.path_pending = False
        self.prefixes = []
        self.valid_prefixes = 0
        self.counting = False
        self.min_children = 1
        self.findall = None
        self.n = 0
        self.linked = 0
        self.saved = NULL
        self.words = {}
        self.link_words = {}
        self.parents = []
        self.top = NULL

    def __dealloc__(self):
        PyMem_Free(self.names)
        PyMem_Free(self.saved)

    cdef int _materialize(self) except -1:
        cdef Py_ssize_t i
        cdef object prefix
        if not self.path_pending:
            return 0
        self.path_pending = False
        if self.path_depth == 0:
            self.dom_path = "."
            return 0
        # paths share their prefixes: extend the deepest one still valid
        for i in range(self.valid_prefixes, self.path_depth):
            prefix = (self.prefixes[i - 1] if i else "") + (<bytes>self.names[i]).decode("utf-8") + "."
            if i < len(self.prefixes):
                self.prefixes[i] = prefix
            else:
                self.prefixes.append(prefix)
        if self.path_depth > self.valid_prefixes:
            self.valid_prefixes = self.path_depth
        self.dom_path = self.prefixes[self.path_depth - 1]
        return 0

    cdef int _push(self, const char* name) except -1:
        cdef const char** grown
        if self.path_pending and self.depth < self.path_depth:
            self._materialize()  # the pending path is about to lose a name
        cdef long* grown_saved
        if self.depth == self.capacity:
            grown = <const char**>PyMem_Realloc(self.names, (self.capacity * 2 + 64) * sizeof(const char*))
            if grown is NULL:
                raise MemoryError()
            self.names = grown
            grown_saved = <long*>PyMem_Realloc(self.saved, (self.capacity * 2 + 64) * 2 * sizeof(long))
            if grown_saved is NULL:
                raise MemoryError()
            self.saved = grown_saved
            self.capacity = self.capacity * 2 + 64
        self.names[self.depth] = name
        if self.valid_prefixes > self.depth:
            self.valid_prefixes = self.depth
        self.depth += 1
        return 0

    cdef inline void _boundary(self):
        # the new paragraph's path is the open elements' path now
        self.path_depth = self.depth
        self.path_pending = True

    cdef int _flush(self) except -1:
        cdef object text
        if self.nodes:
            if len(self.nodes) > 1:
                text = "".join(self.nodes).strip()
            else:
                text = self.nodes[0].strip()
            if text:
                self._materialize()
                self.paragraphs.append(self.paragraph_class(
                    self.dom_path[:-1], self.normalize_stripped(text), self.nodes,
                    self.links, self.tags, self.owner,
                ))
            self.nodes = []
        return 0

    cdef int _add_text(self, object text, tree.xmlNode* owner_node, int counted) except -1:
        """One text run; ``counted``: 0 not counted, 1 an element's text (its count), 2 a tail (adds to the count)."""
        if text and not text.isspace():
            if self.counting and counted:
                if counted == 1:
                    self.n = len(self.findall(text))
                else:
                    self.n += len(self.findall(text))
            if self.owner is None and owner_node is not NULL and owner_node.type == tree.XML_ELEMENT_NODE:
                self.owner = cetree.elementFactory(self.doc, owner_node)
            self.nodes.append(text)
            if self.in_link:
                self.links += self.normalized_length(text)
            self.after_br = False
        return 0

    cdef int start(self, tree.xmlNode* node) except -1:
        cdef const char* name = <const char*>node.name
        cdef bint is_br = strcmp(name, b"br") == 0
        cdef tree.xmlNode* child
        cdef Py_ssize_t children
        self._push(name)
        if self.counting:
            self.saved[2 * (self.depth - 1)] = self.n
            self.saved[2 * (self.depth - 1) + 1] = self.linked
            self.n = 0
            self.linked = 0
            children = 0
            child = node.children
            while child is not NULL and children < self.min_children:
                if (child.type == tree.XML_ELEMENT_NODE or child.type == tree.XML_COMMENT_NODE
                        or child.type == tree.XML_PI_NODE or child.type == tree.XML_ENTITY_REF_NODE):
                    children += 1  # what len() of an lxml element counts
                child = child.next
            if children >= self.min_children:
                self.parents.append(cetree.elementFactory(self.doc, node))
        if _is_paragraph_tag(name) or (self.after_br and is_br):
            if is_br:  # <br><br> separates paragraphs and is not counted as a tag
                self.tags -= 1
            self._flush()
            self._boundary()
            self.links = 0
            self.tags = 0
            self.owner = None
        else:
            if is_br:
                self.after_br = True
                self.nodes.append(" ")
            else:
                self.after_br = False
                if name[0] == b"a" and name[1] == 0:
                    self.in_link = True
            self.tags += 1
        self._add_text(_text_run(node.children), node, 1)
        return 0

    cdef int end(self, tree.xmlNode* node, bint with_tail) except -1:
        cdef const char* name = <const char*>node.name
        cdef object element
        self.depth -= 1
        if _is_paragraph_tag(name):
            self._flush()
            self._boundary()
            self.links = 0
            self.tags = 0
            self.owner = None
        if name[0] == b"a" and name[1] == 0:
            self.in_link = False
            if self.counting and (node.ns is NULL or node.ns.href is NULL):  # the tag is "a", no namespace
                self.linked = self.n
        if self.counting:
            element = cetree.elementFactory(self.doc, node)
            self.words[element] = self.n
            self.link_words[element] = self.linked
            self.n += self.saved[2 * self.depth]
            self.linked += self.saved[2 * self.depth + 1]
        if with_tail:
            self._add_text(_text_run(node.next), node.parent, 0 if node is self.top else 2)
        return 0

    cdef int visit(self, tree.xmlNode* node) except -1:
        """Arrive at ``node`` in document order: an element starts; a comment or PI gives its tail."""
        if node.type == tree.XML_ELEMENT_NODE:
            return self.start(node)
        return self.other(node)

    cdef int other(self, tree.xmlNode* node) except -1:
        """A comment or processing instruction: only its tail is text."""
        self._add_text(_text_run(node.next), node.parent, 2)
        return 0


def walk_paragraphs(root, paragraph_class, normalize_stripped, normalized_length, min_children=None, findall=None):
    """The paragraphs of ``root``'s subtree (its tail included), as ``_make_paragraphs(root, min_children)`` makes them.

    ``paragraph_class(dom_path, text, nodes, links, tags, owner)`` builds each
    one; ``normalize_stripped`` and ``normalized_length`` are the Python
    walk's helpers. Without ``min_children``, returns the paragraphs; with it,
    ``(paragraphs, (words, link_words, parents))``: the word tables, words
    counted as ``len(findall(text))`` per text run. Raises
    :class:`UnsupportedTree` for a tree with an entity-reference or XInclude node.
    """
    cdef _Element top_el = root
    cdef tree.xmlNode* top = top_el._c_node
    cdef tree.xmlNode* node
    cdef tree.xmlNode* nxt
    cdef _Walk w
    if top.type != tree.XML_ELEMENT_NODE:
        raise UnsupportedTree("the walk starts at an element")
    w = _Walk(top_el._doc, paragraph_class, normalize_stripped, normalized_length)
    w.top = top
    if min_children is not None:
        w.counting = True
        w.min_children = min_children
        w.findall = findall
    node = top
    w.start(node)
    while True:
        nxt = _next_walked(node.children) if node.type == tree.XML_ELEMENT_NODE else NULL
        if nxt is not NULL:
            node = nxt
            w.visit(node)
            continue
        # no child to visit: close node and climb until a next sibling is found
        while True:
            if node.type == tree.XML_ELEMENT_NODE:
                w.end(node, True)
            if node is top:
                w._flush()
                if w.counting:
                    return w.paragraphs, (w.words, w.link_words, w.parents)
                return w.paragraphs
            nxt = _next_walked(node.next)
            if nxt is not NULL:
                node = nxt
                w.visit(node)
                break
            node = node.parent
