"""The paragraph walk in C (filters/_walk.pyx) makes the Python walk's paragraphs, field for field.

``make install`` compiles it; where it is not compiled (no C compiler), the
Python walk runs and these comparisons skip, except the check that a machine
with a compiler did build it.
"""

from __future__ import annotations

import gzip
import importlib.util
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from filters import _paragraphs as paragraphs_module
from filters._html import strip_raw_blocks
from filters._paragraphs import (
    PARAGRAPH_TAGS,
    CachedParagraph,
    _normalize_stripped,
    _normalized_length,
    _python_paragraphs,
    justext_document,
    make_paragraphs,
)
from filters.extract_main import parse_page, preclean

COMPILED = importlib.util.find_spec("filters._walk") is not None
needs_walk = pytest.mark.skipif(not COMPILED, reason="filters/_walk.pyx is not compiled here")


def _c_walk(root):
    from filters._walk import walk_paragraphs

    return walk_paragraphs(root, CachedParagraph, _normalize_stripped, _normalized_length)


def _fields(paragraphs) -> list[tuple]:
    # the element is compared by identity: lxml hands out one proxy per node while it lives
    return [(p.dom_path, p.text, p._nodes, p.chars_count_in_links, p.tags_count, p.element) for p in paragraphs]


def _same(root) -> None:
    assert _fields(_c_walk(root)) == _fields(_python_paragraphs(root, None)[0])


def test_built_where_a_compiler_exists() -> None:
    # CI and `make install` on a machine with a C compiler must not silently fall back
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler: the pure-Python walk is the installed one")
    assert COMPILED, "filters/_walk.pyx was not compiled: run `make install` (needs Cython and a C compiler)"


@needs_walk
def test_paragraph_tags_agree() -> None:
    from filters._walk import paragraph_tags

    assert paragraph_tags() == PARAGRAPH_TAGS


@needs_walk
def test_make_paragraphs_uses_the_compiled_walk() -> None:
    assert paragraphs_module._compiled_walk() is not None


@needs_walk
def test_golden_page() -> None:
    root = etree.fromstring(
        "<html><body><div class='menu'><a href='/'>Início</a> | <a href='/c'>Contactos</a></div>"
        "<h1>Notícias</h1><p>O Governo aprovou<br>hoje uma <b>linha</b><!-- x -->de apoio</p>"
        "<span>solto</span><br><br><br>fim<?pi y?>depois<ul><li>um</li><li>dois <a>três</a></li></ul></body></html>",
        etree.HTMLParser(),
    )
    ours = _c_walk(root)
    _same(root)
    assert [(p.dom_path, p.text) for p in ours] == [
        ("html.body.div", "Início | Contactos"),
        ("html.body.h1", "Notícias"),
        ("html.body.p", "O Governo aprovou hoje uma linhade apoio"),
        ("html.body", "solto"),
        ("html.body.br", "fimdepois"),
        ("html.body.ul.li", "um"),
        ("html.body.ul.li", "dois três"),
    ]
    assert ours[0].chars_count_in_links == len("Início") + len("Contactos")
    assert ours[2].element.tag == "p" and ours[3].element.tag == "span"


@needs_walk
def test_a_subtree_reads_its_tail_and_keeps_its_paths() -> None:
    root = etree.fromstring("<html><body><main><div><p>dentro</p></div>cauda</main>fora</body></html>", etree.HTMLParser())
    region = root.find(".//div")
    _same(region)
    assert [(p.dom_path, p.text) for p in _c_walk(region)] == [("div.p", "dentro"), ("", "cauda")]


@needs_walk
def test_a_path_is_kept_when_the_walk_climbs_above_it_before_any_text() -> None:
    # the paragraph starts at </div> (path html.body.span); the text comes after </span> and <b>
    root = etree.fromstring("<html><body><span><div>a</div></span><b>c</b></body></html>", etree.HTMLParser())
    _same(root)
    assert [(p.dom_path, p.text) for p in _c_walk(root)][-1] == ("html.body.span", "c")


@needs_walk
def test_an_entity_reference_falls_back_to_the_python_walk() -> None:
    from filters._walk import UnsupportedTree

    root = etree.fromstring("<html><body><p>a</p></body></html>", etree.HTMLParser())
    root.find(".//p").append(etree.Entity("nbsp"))
    with pytest.raises(UnsupportedTree):
        _c_walk(root)


@needs_walk
def test_the_environment_switch_turns_it_off() -> None:
    code = "from filters import _paragraphs as p; print(p._compiled_walk() is None)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"SIEVE_PURE_PYTHON_WALK": "1", "PATH": ""}, check=True)
    assert run.stdout.strip() == "True"


_bits = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<a href='x'>", "</a>", "<br>", "<br/>", "<h2>", "</h2>", "<li>", "<ul>",
    "</ul>", "<span>", "</span>", "<td>", "<table>", "</table>", "<b>", "</b>", "<i>", "</i>", "<!-- c -->",
    "<?pi x?>", "<![CDATA[cd]]>", "<option>", "<x-y>", "</x-y>", "<svg:g>", " ", "\n  ", "\t", "\xa0", "\r\n",
    "\u2003", "Olá mundo", "the and of", "©", "&amp;", "&nbsp;", "&bogus;", "x", "日本",
])


@needs_walk
@settings(max_examples=400, deadline=None)
@given(st.lists(_bits, min_size=1, max_size=60), st.booleans())
def test_same_paragraphs_as_the_python_walk_on_random_markup(bits: list[str], subtree: bool) -> None:
    root = etree.fromstring("<html><body>" + "".join(bits) + "</body></html>", etree.HTMLParser())
    if root is None:
        return
    if subtree:  # a content region: some element inside the page, with its tail
        inner = [el for el in root.iter("*") if el.getparent() is not None]
        root = inner[len(inner) // 2] if inner else root
    _same(root)


@needs_walk
def test_same_paragraphs_as_the_python_walk_on_wcxb_pages(shared_data) -> None:
    files = sorted((shared_data / "html" / "wcxb-dev" / "html").glob("*.html.gz"))[::10]
    for f in files:
        raw = gzip.decompress(f.read_bytes())
        # plain jusText's tree, and the content-region path's pre-cleaned one
        for root in (justext_document(strip_raw_blocks(raw, keep_noscript=True)), parse_page(raw)):
            if root is None:
                continue
            if root.find("body") is not None and root.find(".//nav") is not None:
                preclean(root)
            _same(root)
            assert [p.text for p in make_paragraphs(root)] == [p.text for p in _python_paragraphs(root, None)[0]]
