"""jusText's paragraph maker and classifier, rewritten for speed with identical output.

jusText walks the DOM through lxml's pure-Python SAX bridge, normalises the
whitespace of every text node with a Python callback, and re-splits and
re-normalises a paragraph's text every time a classifier looks at it. Here:

* the DOM walk is one ``etree.iterwalk`` loop with its state in locals;
* whitespace is normalised once per *paragraph* (normalising each node and
  then the joined text, as jusText does, gives the same string: a whitespace
  run that spans two nodes collapses to ``"\\n"`` exactly when one of its
  parts holds a line break), with C-level regex substitutions instead of a
  per-match Python callback;
* a paragraph's text is computed once and stored;
* the classification counts stopwords with C-level loops and finds each
  short or near-good paragraph's neighbours in one pass instead of scanning
  for them (jusText's scans are quadratic on long runs of short paragraphs).

Everything else is jusText's logic, line for line; the tests compare with
``justext.core`` on real pages and on random paragraph sequences.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Iterable

from corpus_sieve.filters.html.compiled import attribute_stripper, compiled
from corpus_sieve.filters.html.parse import encode_without_controls

#: jusText's ``PARAGRAPH_TAGS`` (``justext.core``; a test checks they stay equal)
PARAGRAPH_TAGS = frozenset({
    "body", "blockquote", "caption", "center", "col", "colgroup", "dd",
    "div", "dl", "dt", "fieldset", "form", "legend", "optgroup", "option",
    "p", "pre", "table", "td", "textarea", "tfoot", "th", "thead", "tr",
    "ul", "li", "h1", "h2", "h3", "h4", "h5", "h6",
})
#: jusText's ``HEADINGS_PATTERN`` (``justext.paragraph``)
HEADINGS_PATTERN = re.compile(r"\bh\d\b")

#: a word of the word tables (as :mod:`corpus_sieve.filters.html.repeated_blocks` counts them)
_WORD = re.compile(r"\w+")
_NON_NEWLINE_RUN = re.compile(r"[^\S\n]+")
#: linear: after ``_NON_NEWLINE_RUN`` every space run is one character long
_NEWLINE_RUN = re.compile(r"\s*\n\s*")


def _is_normal(text: str) -> bool:
    # every whitespace character but " " is unprintable, so a printable text
    # without a double space has nothing to normalise (two fast C scans)
    return "  " not in text and text.isprintable()


def normalize_whitespace(text: str) -> str:
    """jusText's ``normalize_whitespace``: each whitespace run becomes ``"\\n"`` if it
    holds a line break (``\\n`` or ``\\r``), else ``" "``.

    >>> normalize_whitespace("a \\t b\\r\\n \\n  c  ")
    'a b\\nc '
    """
    if _is_normal(text):
        return text
    if "\r" in text:
        text = text.replace("\r", "\n")
    text = _NON_NEWLINE_RUN.sub(" ", text)
    if "\n" in text:
        text = _NEWLINE_RUN.sub("\n", text)
    return text


def _normalize_stripped(text: str) -> str:
    """``normalize_whitespace`` of a text without leading or trailing whitespace."""
    if _is_normal(text):
        return text
    if "\r" in text:
        text = text.replace("\r", "\n")
    if "\n" not in text:
        return " ".join(text.split())
    # a run holding a line break splits the text into lines; whitespace-only lines are inside such a run
    return "\n".join([" ".join(line.split()) for line in text.split("\n") if line and not line.isspace()])


def _normalized_length(text: str) -> int:
    return len(text) if _is_normal(text) else len(normalize_whitespace(text))


class CachedParagraph:
    """One block of text, with the attributes and methods of ``justext.paragraph.Paragraph``.

    ``text`` and ``dom_path`` are plain attributes computed once;
    ``element`` is the element that holds the paragraph's first text.
    """

    __slots__ = (
        "dom_path", "text", "_nodes", "chars_count_in_links", "tags_count", "class_type",
        "cf_class", "heading", "element", "__dict__",
    )

    def __init__(self, dom_path: str, text: str, nodes: list[str], chars_count_in_links: int = 0,
                 tags_count: int = 0, element: Any = None) -> None:
        self.dom_path = dom_path
        self.text = text
        self._nodes = nodes
        self.chars_count_in_links = chars_count_in_links
        self.tags_count = tags_count
        self.class_type = ""  # short | neargood | good | bad
        self.element = element

    @property
    def text_nodes(self) -> list[str]:
        """The paragraph's text pieces, whitespace-normalised one by one (as jusText keeps them)."""
        return [normalize_whitespace(n) for n in self._nodes]

    @property
    def is_heading(self) -> bool:
        return bool(HEADINGS_PATTERN.search(self.dom_path))

    @property
    def is_boilerplate(self) -> bool:
        return self.class_type != "good"

    def __len__(self) -> int:
        return len(self.text)

    @property
    def words_count(self) -> int:
        return len(self.text.split())

    def contains_text(self) -> bool:
        return bool(self._nodes)

    def append_text(self, text: str) -> str:
        self._nodes.append(text)
        self.text = normalize_whitespace("".join(self._nodes).strip())
        return normalize_whitespace(text)

    def stopwords_count(self, stopwords: frozenset[str]) -> int:
        return sum(word.lower() in stopwords for word in self.text.split())

    def stopwords_density(self, stopwords: frozenset[str]) -> float:
        words = self.words_count
        return 0 if words == 0 else self.stopwords_count(stopwords) / words

    def links_density(self) -> float:
        length = len(self.text)
        return 0 if length == 0 else self.chars_count_in_links / length

    def __repr__(self) -> str:
        return f"<CachedParagraph {self.class_type or '?'} {self.dom_path!r} {self.text[:40]!r}>"


def paragraph_class() -> type:
    """The paragraph class (kept for callers of the old lazy factory)."""
    return CachedParagraph


def make_paragraphs(root: Any) -> list[CachedParagraph]:
    """jusText's ``ParagraphMaker.make_paragraphs(root)``: same paragraphs, texts, paths and counts.

    >>> from lxml import etree
    >>> dom = etree.fromstring("<div><p>Olá <a href='/'>mundo</a></p>fim<br><br>nova</div>", etree.HTMLParser())
    >>> [(p.dom_path, p.text, p.chars_count_in_links) for p in make_paragraphs(dom)]
    [('html.body.div.p', 'Olá mundo', 5), ('html.body.div', 'fim', 0), ('html.body.div.br', 'nova', 0)]
    """
    return _make_paragraphs(root, None)[0]


#: per-element word counts of a walked tree: ``(words, link_words, parents)``, see :func:`make_paragraphs_and_word_tables`
WordTables = tuple[dict[Any, int], dict[Any, int], list[Any]]


def make_paragraphs_and_word_tables(root: Any, min_children: int = 1) -> tuple[list[CachedParagraph], WordTables]:
    """:func:`make_paragraphs` and, from the same walk, the tables of :func:`corpus_sieve.filters.html.repeated_blocks.word_tables`.

    The tables are ``(words, link_words, parents)``: the ``\\w+`` words and
    link words under every element (text nodes counted one by one, the
    root's tail excluded) and the elements with at least ``min_children``
    children, in document order.

    >>> from lxml import etree
    >>> dom = etree.fromstring("<div><p>Olá <a href='/'>mundo</a></p>fim</div>")
    >>> paragraphs, (words, link_words, parents) = make_paragraphs_and_word_tables(dom, 1)
    >>> [p.text for p in paragraphs], words[dom], link_words[dom], [el.tag for el in parents]
    (['Olá mundo', 'fim'], 3, 1, ['div', 'p'])
    """
    paragraphs, tables = _make_paragraphs(root, max(min_children, 1))
    assert tables is not None
    return paragraphs, tables


def _make_paragraphs(root: Any, min_children: int | None) -> tuple[list[CachedParagraph], WordTables | None]:
    """The paragraph walk; with ``min_children``, the word tables are counted on the way.

    The walk in C (``filters/html/_walk.pyx``) runs where it was compiled: same
    paragraphs and tables, about twice as fast (:mod:`corpus_sieve.filters.html.compiled`).
    """
    walk = compiled("_walk")
    if walk is not None:
        try:
            if min_children is None:
                return walk.walk_paragraphs(root, CachedParagraph, _normalize_stripped, _normalized_length), None
            return walk.walk_paragraphs(root, CachedParagraph, _normalize_stripped, _normalized_length,
                                        min_children, _WORD.findall)
        except walk.UnsupportedTree:
            pass  # a node the C walk does not model: the Python walk below
    return _python_paragraphs(root, min_children)


def _python_paragraphs(root: Any, min_children: int | None) -> tuple[list[CachedParagraph], WordTables | None]:
    """The paragraph walk in Python (:func:`_make_paragraphs`)."""
    from lxml import etree

    paragraph_tags = PARAGRAPH_TAGS
    paragraphs: list[CachedParagraph] = []
    add = paragraphs.append
    # per open element: its name, its parent's DOM path (a path is "html.body.div.", a trailing
    # dot) and, with word tables, its parent's running counts
    stack: list[tuple[str, str, int, int]] = []
    push, pop = stack.append, stack.pop
    current = ""
    # the paragraph being filled, in locals
    nodes: list[str] = []
    dom_path = "."
    links = 0
    tags = 0
    owner: Any = None
    in_link = False
    after_br = False
    # word tables: the running counts of the innermost open element in locals, its ancestors' on the stack
    counting = min_children is not None
    words: dict[Any, int] = {}
    link_words: dict[Any, int] = {}
    parents: list[Any] = []
    findall = _WORD.findall
    n = linked = 0

    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event == "start":
            name = el.tag
            if name[0] == "{":  # lxml.sax strips a namespace the same way
                name = name[1:].split("}", 1)[-1]
            push((name, current, n, linked))
            current = f"{current}{name}."
            if counting:
                n = linked = 0
                if len(el) >= min_children:  # type: ignore[operator]
                    parents.append(el)
            # the paragraph flush below is repeated at end tags on purpose: a
            # function call per element is a measurable share of this hot loop
            if name in paragraph_tags or (after_br and name == "br"):
                if name == "br":  # <br><br> separates paragraphs and is not counted as a tag
                    tags -= 1
                if nodes:
                    text = "".join(nodes).strip() if len(nodes) > 1 else nodes[0].strip()
                    if text:
                        add(CachedParagraph(dom_path[:-1], _normalize_stripped(text), nodes, links, tags, owner))
                    nodes = []
                dom_path = current
                links = tags = 0
                owner = None
            else:
                if name == "br":
                    after_br = True
                    nodes.append(" ")
                else:
                    after_br = False
                    if name == "a":
                        in_link = True
                tags += 1
            text = el.text
            if text and not text.isspace():
                if counting:
                    n = len(findall(text))
                if owner is None:
                    owner = el
                nodes.append(text)
                if in_link:
                    links += _normalized_length(text)
                after_br = False
        else:
            if event == "end":
                name, current, outer_n, outer_linked = pop()
                if name in paragraph_tags:
                    if nodes:
                        text = "".join(nodes).strip() if len(nodes) > 1 else nodes[0].strip()
                        if text:
                            add(CachedParagraph(dom_path[:-1], _normalize_stripped(text), nodes, links, tags, owner))
                        nodes = []
                    dom_path = current
                    links = tags = 0
                    owner = None
                if name == "a":
                    in_link = False
                if counting:
                    if name == "a" and el.tag == "a":
                        linked = n
                    words[el] = n
                    link_words[el] = linked
                    n += outer_n
                    linked += outer_linked
            # comments and processing instructions: only their tail is text (as in lxml.sax)
            text = el.tail
            if text and not text.isspace():
                if counting and el is not root:  # the root's tail is not under it
                    n += len(findall(text))
                if owner is None:
                    owner = el.getparent()
                nodes.append(text)
                if in_link:
                    links += _normalized_length(text)
                after_br = False
    if nodes:
        text = "".join(nodes).strip() if len(nodes) > 1 else nodes[0].strip()
        if text:
            add(CachedParagraph(dom_path[:-1], _normalize_stripped(text), nodes, links, tags, owner))
    return paragraphs, ((words, link_words, parents) if counting else None)


# -- classification -------------------------------------------------------------------

@functools.lru_cache(maxsize=128)
def _lowered(stoplist: frozenset[str]) -> frozenset[str]:
    return frozenset(w.lower() for w in stoplist)


def _stopword_density(text: str, stoplist: frozenset[str]) -> float:
    if "\u03a3" in text:  # capital sigma: the only letter whose lowercase depends on its neighbours
        words = text.split()
        hits = sum(w.lower() in stoplist for w in words)
    else:  # lowercasing never creates, removes or moves whitespace: lowercase the text once
        words = text.lower().split()
        hits = sum(map(stoplist.__contains__, words))
    return hits / len(words) if words else 0


def classify_paragraphs(paragraphs: list[Any], stoplist: Iterable[str], length_low: int = 70,
                        length_high: int = 200, stopwords_low: float = 0.30, stopwords_high: float = 0.32,
                        max_link_density: float = 0.2, no_headings: bool = False) -> None:
    """``justext.core.classify_paragraphs``: sets ``cf_class`` and ``heading`` on each paragraph."""
    stoplist = _lowered(stoplist if isinstance(stoplist, frozenset) else frozenset(stoplist))
    search_heading = HEADINGS_PATTERN.search
    heading_of: dict[str, bool] = {}  # many paragraphs share a path
    for p in paragraphs:
        text = p.text
        dom_path = p.dom_path
        length = len(text)
        in_links = p.chars_count_in_links
        if no_headings:
            p.heading = False
        else:
            heading = heading_of.get(dom_path)
            if heading is None:
                heading = heading_of[dom_path] = search_heading(dom_path) is not None
            p.heading = heading
        if (in_links / length if length else 0) > max_link_density:
            p.cf_class = "bad"
        elif "\xa9" in text or "&copy" in text:
            p.cf_class = "bad"
        elif "select" in dom_path:
            p.cf_class = "bad"
        elif length < length_low:
            p.cf_class = "bad" if in_links > 0 else "short"
        else:
            density = _stopword_density(text, stoplist)
            if density >= stopwords_high:
                p.cf_class = "good" if length > length_high else "neargood"
            elif density >= stopwords_low:
                p.cf_class = "neargood"
            else:
                p.cf_class = "bad"


def _nearest(classes: list[str], wanted: frozenset[str], reverse: bool) -> list[str]:
    """For each index, the nearest class in ``wanted`` before it (``reverse``: after it); ``"bad"`` if none."""
    out = ["bad"] * len(classes)
    last = "bad"
    order = range(len(classes) - 1, -1, -1) if reverse else range(len(classes))
    for i in order:
        out[i] = last
        c = classes[i]
        if c in wanted:
            last = c
    return out


_GOOD_OR_BAD = frozenset({"good", "bad"})
_GOOD_BAD_OR_NEARGOOD = frozenset({"good", "bad", "neargood"})


def revise_paragraph_classification(paragraphs: list[Any], max_heading_distance: int = 200) -> None:
    """``justext.core.revise_paragraph_classification``: sets ``class_type`` from the neighbours."""
    if any(p.class_type for p in paragraphs):
        # jusText's first pass reads the *previous* class of later paragraphs:
        # only fresh paragraphs take the fast path below
        from justext.core import revise_paragraph_classification as justext_revise

        justext_revise(paragraphs, max_heading_distance)
        return
    classes = [p.cf_class for p in paragraphs]  # the first pass only copies (no class is "good" yet)

    # short paragraphs take the class of their good/bad neighbours
    if "short" in classes:
        prev_gb = _nearest(classes, _GOOD_OR_BAD, reverse=False)
        next_gb = _nearest(classes, _GOOD_OR_BAD, reverse=True)
        prev_any = next_any = None
        new: list[tuple[int, str]] = []
        for i, c in enumerate(classes):
            if c != "short":
                continue
            prev, nxt = prev_gb[i], next_gb[i]
            if prev == "good" and nxt == "good":
                new.append((i, "good"))
            elif prev == "bad" and nxt == "bad":
                new.append((i, "bad"))
            else:
                if prev_any is None:
                    prev_any = _nearest(classes, _GOOD_BAD_OR_NEARGOOD, reverse=False)
                    next_any = _nearest(classes, _GOOD_BAD_OR_NEARGOOD, reverse=True)
                if (prev == "bad" and prev_any[i] == "neargood") or (nxt == "bad" and next_any[i] == "neargood"):
                    new.append((i, "good"))
                else:
                    new.append((i, "bad"))
        for i, c in new:
            classes[i] = c

    # near-good paragraphs: bad between two bad ones, else good (earlier decisions count)
    if "neargood" in classes:
        next_gb = _nearest(classes, _GOOD_OR_BAD, reverse=True)
        last = "bad"
        for i, c in enumerate(classes):
            if c == "neargood":
                c = classes[i] = "bad" if last == "bad" and next_gb[i] == "bad" else "good"
            last = c if c in _GOOD_OR_BAD else last

    # headings followed (closely enough) by good text become good
    n = len(paragraphs)
    for i, p in enumerate(paragraphs):
        if not (p.heading and classes[i] == "bad" and p.cf_class != "bad"):
            continue
        j = i + 1
        distance = 0
        while j < n and distance <= max_heading_distance:
            if classes[j] == "good":
                classes[i] = "good"
                break
            distance += len(paragraphs[j].text)
            j += 1
    for p, c in zip(paragraphs, classes):
        p.class_type = c


# -- jusText's parse and pre-processing ------------------------------------------------

#: what jusText's ``preprocessor`` (an lxml ``Cleaner``) deletes with its content: ``<head>``
#: (and ``<base>`` with it), scripts, styles, applets and form controls
JUSTEXT_KILLED_TAGS = ("head", "base", "script", "style", "applet", "button", "input", "select", "textarea")
#: what it unwraps (tag gone, content kept); ``<param>`` is empty, so dropping it equals unwrapping it
JUSTEXT_UNWRAPPED_TAGS = ("iframe", "embed", "layer", "object", "param", "form")
#: ``lxml.html.fromstring`` parses a text that starts like this as a whole document
_LOOKS_LIKE_DOCUMENT = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE).match
_LOOKS_LIKE_DOCUMENT_UTF8 = re.compile(rb"^\s*<(?:html|!doctype)", re.IGNORECASE).match
_DOCUMENT_PARSER: Any = None


def justext_document(html: str | bytes) -> Any | None:
    """``justext.core.preprocessor(html_to_dom(html))`` for a whole document, as plain ``etree`` elements.

    The text is parsed once, from UTF-8 bytes without NUL and C0 control
    characters (jusText's callers remove them first), with a plain ``etree`` parser set like
    ``lxml.html``'s (no Python class lookup per element), and the ``Cleaner``
    pass is done with two C-level strips instead of a deep copy and a Python
    loop over every element. Where ``filters/html/_attrstrip.pyx`` is compiled and
    libxml2 has its HTML5 tokenizer (2.14+), the start tags reach libxml2
    without their attributes, which nothing here reads (same tree otherwise;
    the parse takes a third of the time). Returns ``None`` when ``html`` does not start
    like a whole document (``<html`` or a doctype; in UTF-8 ``bytes``, after ASCII
    whitespace): ``lxml.html`` then
    rebuilds a fragment, and the caller should use jusText's own functions.
    A document with nothing in it gives an empty tree, as with jusText.

    >>> dom = justext_document("<html><head><title>t</title></head><body><form><p>a</p><input></form></body></html>")
    >>> [p.text for p in make_paragraphs(dom)]
    ['a']
    >>> justext_document("<p>fragmento</p>") is None
    True
    """
    global _DOCUMENT_PARSER
    from lxml import etree

    if not (_LOOKS_LIKE_DOCUMENT_UTF8(html) if isinstance(html, bytes) else _LOOKS_LIKE_DOCUMENT(html)):
        return None
    if _DOCUMENT_PARSER is None:
        # lxml.html.HTMLParser's options, comments dropped while parsing (the Cleaner drops
        # them keeping their tails, which is the same text), input read as the UTF-8 it is
        _DOCUMENT_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
    data = encode_without_controls(html)
    strip = attribute_stripper()
    if strip is not None:  # nobody reads this tree's attributes: libxml2 parses ~3x faster without them
        data = strip(data)
    try:
        root = etree.fromstring(data, _DOCUMENT_PARSER)
    except (etree.LxmlError, ValueError):
        root = None
    if root is None:
        return etree.Element("html")
    etree.strip_elements(root, *JUSTEXT_KILLED_TAGS, with_tail=False)
    etree.strip_tags(root, *JUSTEXT_UNWRAPPED_TAGS)
    return root
