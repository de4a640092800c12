"""The compiled speed-ups give the Python code's output exactly.

* ``filters/html/_walk.pyx``: jusText's paragraph walk (the Python walk's paragraphs, field for field);
* ``filters/html/_rawcut.pyx``: the raw-block cut (``strip_raw_blocks``' bytes, byte for byte);
* ``filters/html/_attrstrip.pyx``: start tags without attributes (libxml2's tree, attributes aside).

``make install`` compiles them; where they are not compiled (no C compiler),
the Python code runs and these comparisons skip, except the check that a
machine with a compiler did build them.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from corpus_sieve.filters.html import paragraphs as paragraphs_module
from corpus_sieve.filters.html.compiled import compiled
from corpus_sieve.filters.html.content_region import READ_ATTRIBUTES
from corpus_sieve.filters.html.parse import NESTING_TAGS, RAW_TEXT_TAGS, _strip_raw_blocks_python, strip_raw_blocks
from corpus_sieve.filters.html.paragraphs import (
    PARAGRAPH_TAGS,
    CachedParagraph,
    _normalize_stripped,
    _normalized_length,
    _python_paragraphs,
    justext_document,
    make_paragraphs,
)
from corpus_sieve.filters.html.content_region import parse_page, preclean

MODULES = ("_walk", "_rawcut", "_attrstrip")
BUILT = all(importlib.util.find_spec(f"corpus_sieve.filters.html.{name}") is not None for name in MODULES)
# SIEVE_PURE_PYTHON=1 runs the suite on the Python paths alone (what a machine without a compiler runs)
COMPILED = BUILT and not os.environ.get("SIEVE_PURE_PYTHON")
needs_walk = pytest.mark.skipif(not COMPILED, reason="filters/html/*.pyx are not compiled here, or SIEVE_PURE_PYTHON is set")


def _c_walk(root):
    from corpus_sieve.filters.html._walk import walk_paragraphs

    return walk_paragraphs(root, CachedParagraph, _normalize_stripped, _normalized_length)


def _fields(paragraphs) -> list[tuple]:
    # the element is compared by identity: lxml hands out one proxy per node while it lives
    return [(p.dom_path, p.text, p._nodes, p.chars_count_in_links, p.tags_count, p.element) for p in paragraphs]


def _same(root) -> None:
    assert _fields(_c_walk(root)) == _fields(_python_paragraphs(root, None)[0])
    # with the word tables of the listing check (filters/html/repeated_blocks.py)
    from corpus_sieve.filters.html.paragraphs import _WORD
    from corpus_sieve.filters.html._walk import walk_paragraphs

    for min_children in (1, 3):
        ours, (words, link_words, parents) = walk_paragraphs(
            root, CachedParagraph, _normalize_stripped, _normalized_length, min_children, _WORD.findall)
        theirs, (words_py, link_words_py, parents_py) = _python_paragraphs(root, min_children)
        assert _fields(ours) == _fields(theirs)
        assert words == words_py and link_words == link_words_py and parents == parents_py


def test_built_where_a_compiler_exists() -> None:
    # CI and `make install` on a machine with a C compiler must not silently fall back
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler: the pure-Python walk is the installed one")
    assert BUILT, "filters/html/*.pyx were not compiled: run `make install` (needs Cython and a C compiler)"


@needs_walk
def test_paragraph_tags_agree() -> None:
    from corpus_sieve.filters.html._walk import is_paragraph_tag

    html_tags = (
        "a abbr address area article aside audio b base bdi bdo big blink blockquote body br button canvas "
        "caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em embed "
        "fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html "
        "i iframe img input ins kbd label layer legend li link main map mark menu meta meter nav noscript object "
        "ol optgroup option output p param picture pre progress q rp rt ruby s samp script section select small "
        "source span strike strong style sub summary sup table tbody td template textarea tfoot th thead time "
        "title tr track tt u ul var video wbr"
    ).split()
    near_misses = ["h0", "h7", "h", "h10", "p1", "pr", "d", "dx", "tdx", "t", "tab", "col1", "lis", "u", "body1",
                   "DIV", "P", "", "é", "option2", "formx", "centerx", "blockquotes"]
    for name in html_tags + near_misses:
        assert is_paragraph_tag(name) == (name in PARAGRAPH_TAGS), name


@needs_walk
def test_the_code_paths_use_the_compiled_modules() -> None:
    assert all(compiled(name) is not None for name in MODULES)


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
    from corpus_sieve.filters.html._walk import UnsupportedTree

    root = etree.fromstring("<html><body><p>a</p></body></html>", etree.HTMLParser())
    root.find(".//p").append(etree.Entity("nbsp"))
    with pytest.raises(UnsupportedTree):
        _c_walk(root)


@needs_walk
def test_the_environment_switch_turns_them_off() -> None:
    code = "from corpus_sieve.filters.html.compiled import compiled; print([compiled(m) for m in ('_walk', '_rawcut', '_attrstrip')])"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"SIEVE_PURE_PYTHON": "1", "PATH": ""}, check=True)
    assert run.stdout.strip() == "[None, None, None]"


_bits = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<a href='x'>", "</a>", "<br>", "<br/>", "<h2>", "</h2>", "<li>", "<ul>",
    "</ul>", "<span>", "</span>", "<td>", "<table>", "</table>", "<b>", "</b>", "<i>", "</i>", "<!-- c -->",
    "<?pi x?>", "<![CDATA[cd]]>", "<option>", "<x-y>", "</x-y>", "<svg:g>", "<a>", "<a href=y>x</a>", " ", "\n  ",
    "\t", "\xa0", "\r\n", "snake_case x2",
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


# -- the raw-block cut -------------------------------------------------------------------

def _cut_both(data: bytes) -> None:
    for keep in (False, True):
        expected = _strip_raw_blocks_python(data, keep_noscript=keep)
        assert compiled("_rawcut").strip_raw_blocks_bytes(data, keep) == expected
        assert strip_raw_blocks(data, keep_noscript=keep) == expected


@needs_walk
def test_cut_tags_are_the_pythons() -> None:
    assert compiled("_rawcut").tag_names() == RAW_TEXT_TAGS + NESTING_TAGS


@needs_walk
@pytest.mark.parametrize("html", [
    b"", b"plain text", b"<p>a<script>var x = '<p>';</script>b</p><!-- c -->d",
    b"<p>ok<svg><path d='M0'/></svg>fim</p><script>never closed <p>lost",
    b"<SCRIPT type=x>a</ScRiPt >b", b"<script>a</script", b"<script>a</scripts>b</script>c",
    b"<style>p{}</style x='>'>y", b"<!-- a --!> b", b"<!-- a --->b", b"<!--->x", b"<!-- never",
    b"<svg/>x<iframe src=a />y<math>z</math>w", b"<svg><svg></svg>in</svg>out", b"<svg>a<svg/>b</svg>c",
    b"<iframe>unclosed <iframe>again", b"<template>t</template>x", b"<noscript>n</noscript>x",
    b"<scripts>no</scripts>", b"<script\xc2\xa0x>shown</script>", b"<svg\ttitle='\xc3\xa9>'>a</svg>b",
    b"<script " + b"a" * 4095 + b">x</script>y", b"<script " + b"a" * 4096 + b">x</script>y",
    b"<svg " + "é".encode() * 4095 + b">x</svg>y", b"<svg " + "é".encode() * 4096 + b">x</svg>y",
    b"<script>x</script " + b"b" * 300 + b">tail", b"<svg>\x80\x80</svg>", b"<svg a=\x80>x</svg>y",
    b"<", b"<s", b"<script", b"<script>", b"<svg", b"<svg>",
])
def test_cut_golden(html: bytes) -> None:
    _cut_both(html)


_cut_bits = st.sampled_from([
    b"<script>", b"<SCRIPT src=x>", b"</script>", b"</Script >", b"<style>", b"</style>", b"<svg>", b"<svg/>",
    b"</svg>", b"<math>", b"</math>", b"<iframe src='a'>", b"<iframe/>", b"</iframe>", b"<noscript>",
    b"</noscript>", b"<template>", b"</template>", b"<!--", b"-->", b"--!>", b"<p>", b"</p>", b"<", b">", b"/>",
    b" ", b"\t", b"\n", b"x", "é".encode(), "日".encode(), b"\x80", b"\xc3", b"'", b'"', b"<scriptx>", b"-",
])


@needs_walk
@settings(max_examples=600, deadline=None)
@given(st.lists(_cut_bits, max_size=50))
def test_cut_is_the_pythons_on_random_markup(bits: list[bytes]) -> None:
    _cut_both(b"".join(bits))


@needs_walk
def test_cut_is_the_pythons_on_wcxb_pages(shared_data) -> None:
    for f in sorted((shared_data / "html" / "wcxb-dev" / "html").glob("*.html.gz"))[::5]:
        _cut_both(gzip.decompress(f.read_bytes()))


# -- start tags without attributes (plain jusText's parse) -------------------------------

_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
needs_html5_tokenizer = pytest.mark.skipif(etree.LIBXML_VERSION < (2, 14), reason="libxml2 before 2.14: not used")


def _tree_without_attributes(data: bytes, keep: tuple[str, ...] = ()) -> bytes | None:
    root = etree.fromstring(data, _PARSER) if data.strip() else None
    if root is None:
        return None
    for el in root.iter():
        if isinstance(el.tag, str):
            for name in [k for k in el.attrib if k not in keep]:
                del el.attrib[name]
    return etree.tostring(root)


def _same_tree(data: bytes) -> None:
    strip = compiled("_attrstrip").strip_attributes
    assert _tree_without_attributes(strip(data)) == _tree_without_attributes(data)
    # keeping the attributes the content-region extraction reads (and one an attribute-free tag can't have)
    for keep in (READ_ATTRIBUTES, ("a", "class")):
        assert _tree_without_attributes(strip(data, keep), keep) == _tree_without_attributes(data, keep)


@needs_walk
@needs_html5_tokenizer
@pytest.mark.parametrize("html, expected", [
    (b'<div class="a>b" id=x>t</div>', b"<div>t</div>"),
    (b"<p a=1 /x>u</p><br/><br a=b/><div a b/>t<img src=x/>",
     b"<p>u</p><br/><br><div/>t<img>"),  # an unquoted value takes the "/"
    (b'<p a="1"b=2>t<div "a=b">u</div>', b"<p>t<div>u</div>"),
    (b'<title c=d><b e=f>x</b></title><b g=h>y</b>', b"<title><b e=f>x</b></title><b>y</b>"),
    (b"<textarea/><b e=f>x</b>", b"<textarea/><b>x</b>"),  # a self-closed raw-text element holds no text
    (b'</div a=">">x<b c=d>', b'</div a=">">x<b>'),
    (b"<!DOCTYPE html x='>'><?pi a=b?><b c=d>", b"<!DOCTYPE html x='>'><?pi a=b?><b>"),
    (b"<script a=b>x</script><b c=d>", b"<script a=b>x</script><b c=d>"),  # script data: the rest as it is
    (b'<div a="never closed>t', b'<div a="never closed>t'),
    (b"< div a=b>", b"< div a=b>"), (b"<\xc3\xa9 a=b>", b"<\xc3\xa9 a=b>"),
])
def test_attribute_strip_golden(html: bytes, expected: bytes) -> None:
    assert compiled("_attrstrip").strip_attributes(html) == expected
    _same_tree(b"<html><body>" + html + b"</body></html>")


@needs_walk
@needs_html5_tokenizer
@pytest.mark.parametrize("html, expected", [
    (b'<div style="x" CLASS=a data-y><a href=/ id=b/>t</a>', b"<div CLASS=a><a id=b/>t</a>"),
    (b'<div class=a id="b">t</div>', b'<div class=a id="b">t</div>'),  # all kept: as it was
    (b"<p class=a/>x<p style=s class=a/>y", b"<p class=a/>x<p class=a/>y"),  # the value holds the "/" either way
    (b'<p style=s class="a"/>x', b'<p class="a" />x'),  # a self-closing flag after a kept value stays set
    (b"<p style=s/>x", b"<p>x"), (b"<p style='s' />x", b"<p/>x"),
    (b'<p class = "a" style=s id>x', b'<p class = "a" id>x'), (b"<meta property=og:type content=product x=y>",
                                                               b"<meta property=og:type content=product>"),
    (b'<div class="a" class="b" x=1>t', b'<div class="a" class="b">t'),  # the first of two stays the one read
])
def test_attribute_strip_keeping_some_golden(html: bytes, expected: bytes) -> None:
    assert compiled("_attrstrip").strip_attributes(html, READ_ATTRIBUTES) == expected
    _same_tree(b"<html><body>" + html + b"</body></html>")


@needs_walk
def test_compiled_modules_doctests() -> None:
    import doctest

    for name in MODULES:
        failed, _ = doctest.testmod(compiled(name))
        assert failed == 0, name


_attr_bits = st.sampled_from([
    b"<div", b"<p", b"<b", b"<a", b"<br", b"<img", b"<title", b"<textarea", b"<style", b"<xmp", b"<iframe",
    b"<noscript", b"<script", b"<plaintext", b"<TITLE", b"<Div", b"</div", b"</title", b"</TITLE", b"</textarea",
    b"</style", b"</b", b"</", b"<!", b"<?", b"<!DOCTYPE html", b" class=", b" a", b"=", b'"', b"'", b">", b"/",
    b" id=", b" CLASS", b" role=main", b" itemscope", b" style=", b" data-x=",
    b"/>", b" ", b"\t", b"\n", b"\r", b"x", b"y=z", "é".encode(), b"<", b"-->", b"&amp;", b"text",
])


@needs_walk
@needs_html5_tokenizer
@settings(max_examples=800, deadline=None)
@given(st.lists(_attr_bits, max_size=60))
def test_attribute_strip_keeps_the_tree_on_random_markup(bits: list[bytes]) -> None:
    _same_tree(b"<html><body>" + b"".join(bits) + b"</body></html>")


@needs_walk
@needs_html5_tokenizer
def test_attribute_strip_keeps_the_tree_on_wcxb_pages(shared_data) -> None:
    from corpus_sieve.filters.html.parse import encode_without_controls

    for f in sorted((shared_data / "html" / "wcxb-dev" / "html").glob("*.html.gz"))[::5]:
        _same_tree(encode_without_controls(strip_raw_blocks(gzip.decompress(f.read_bytes()), keep_noscript=True)))


@needs_walk
@needs_html5_tokenizer
def test_plain_justext_paragraphs_do_not_change_without_attributes(shared_data, monkeypatch) -> None:
    files = sorted((shared_data / "html" / "wcxb-dev" / "html").glob("*.html.gz"))[::20]
    pages = [strip_raw_blocks(gzip.decompress(f.read_bytes()), keep_noscript=True) for f in files]

    def fields() -> list:
        return [[(p.dom_path, p.text, p.chars_count_in_links, p.tags_count) for p in make_paragraphs(justext_document(x))]
                for x in pages]

    stripped = fields()
    monkeypatch.setattr(paragraphs_module, "attribute_stripper", lambda: None)
    assert fields() == stripped


@needs_walk
@needs_html5_tokenizer
def test_content_region_extraction_does_not_change_without_the_other_attributes(shared_data, monkeypatch) -> None:
    from corpus_sieve.filters.html import content_region
    from corpus_sieve.filters.html.remove_boilerplate import RemoveBoilerplate

    files = sorted((shared_data / "html" / "wcxb-dev" / "html").glob("*.html.gz"))[::6]
    pages = [gzip.decompress(f.read_bytes()) for f in files]
    extractor = RemoveBoilerplate(language="auto")
    stripped = [extractor.extract(page) for page in pages]
    monkeypatch.setattr(content_region, "attribute_stripper", lambda: None)
    assert [extractor.extract(page) for page in pages] == stripped


def test_a_failed_compile_leaves_the_install_going(tmp_path, capsys) -> None:
    # setup.py's build_ext: an extension that does not compile is reported and left out, so
    # `make install` finishes on a machine without a working C compiler
    from setuptools import Distribution, Extension

    spec = importlib.util.spec_from_file_location("corpus_sieve_setup", Path(__file__).resolve().parents[2] / "setup.py")
    setup_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup_module)
    broken = tmp_path / "broken.c"
    broken.write_text("this is not C\n", encoding="utf-8")
    dist = Distribution({"name": "broken", "ext_modules": [Extension("broken", [str(broken)])]})
    command = setup_module.OptionalBuildExt(dist)
    command.build_lib, command.build_temp = str(tmp_path / "lib"), str(tmp_path / "tmp")
    command.ensure_finalized()
    command.run()
    assert command.extensions == [] and not list((tmp_path / "lib").rglob("*.so"))
    assert "broken was not compiled" in capsys.readouterr().err
