"""The fast jusText paragraph maker and classifier (filters/html/paragraphs.py) give jusText's exact output.

Also the parse helpers they rely on: ``encode_without_controls``, ``is_blank_utf8``
(filters/html/parse.py), ``count_words``/``word_count`` and the plain-etree ``parse_page``
(filters/html/content_region.py).
"""

from __future__ import annotations

import copy
import gzip
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from corpus_sieve.filters.html import paragraphs as fast
from corpus_sieve.filters.html.parse import encode_without_controls, is_blank_utf8, remove_control_chars, strip_raw_blocks
from corpus_sieve.filters.html.remove_boilerplate import load_stoplist
from corpus_sieve.filters.html.content_region import count_words, parse_page, preclean, word_count

justext_core = pytest.importorskip("justext.core")
from justext.paragraph import HEADINGS_PATTERN as JUSTEXT_HEADINGS  # noqa: E402
from justext.utils import normalize_whitespace as justext_normalize  # noqa: E402

#: WCXB pages read by the real-page tests: every 25th of the 600 (a spread of sites and page types)
WCXB_SAMPLE = slice(0, None, 25)

# whitespace of every kind jusText's \s sees, plus letters and markup-ish characters
_WS_CHARS = " \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000"
_text = st.text(alphabet=st.sampled_from(list(_WS_CHARS) + list("abçãΣσ_-.,;©&")), max_size=40)


def _fields(paragraphs):
    return [(p.text, p.dom_path, p.tags_count, p.chars_count_in_links, p.text_nodes) for p in paragraphs]


def _wcxb_pages(shared_data) -> list[str]:
    files = sorted((shared_data / "html" / "wcxb-dev" / "html").glob("*.html.gz"))[WCXB_SAMPLE]
    return [gzip.decompress(f.read_bytes()).decode("utf-8", "replace") for f in files]


# -- constants copied from jusText -----------------------------------------------------

def test_constants_match_justext() -> None:
    assert fast.PARAGRAPH_TAGS == justext_core.PARAGRAPH_TAGS
    assert fast.HEADINGS_PATTERN.pattern == JUSTEXT_HEADINGS.pattern


# -- whitespace ------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "", " ", "\n", "a", "a b", "a  b", "a\tb", " a ", "a\r\nb", "a \n \t b", "a\xa0b", "a \u2028 b",
    "Olá,\n\n   mundo  \r\n", "x" + " " * 5000 + "y", "\n" * 3000, " \t" * 2000 + "z",
])
def test_normalize_whitespace_golden(text: str) -> None:
    assert fast.normalize_whitespace(text) == justext_normalize(text)
    assert fast._normalized_length(text) == len(justext_normalize(text))
    stripped = text.strip()
    assert fast._normalize_stripped(stripped) == justext_normalize(stripped)


@settings(max_examples=300, deadline=None)
@given(_text)
def test_normalize_whitespace_is_justexts(text: str) -> None:
    assert fast.normalize_whitespace(text) == justext_normalize(text)
    assert fast._normalize_stripped(text.strip()) == justext_normalize(text.strip())


@settings(max_examples=200, deadline=None)
@given(st.lists(_text, max_size=6))
def test_normalising_once_per_paragraph_equals_per_node(nodes: list[str]) -> None:
    # jusText normalises each node, then the stripped join; the maker only the latter
    per_node = justext_normalize("".join(justext_normalize(n) for n in nodes).strip())
    assert fast._normalize_stripped("".join(nodes).strip()) == per_node


def test_normalize_whitespace_is_linear() -> None:
    # runs of spaces without a line break must not make the newline pass quadratic
    import time

    text = ("a" + " " * 200_000) * 5 + "\n"
    start = time.perf_counter()
    assert fast.normalize_whitespace(text) == justext_normalize(text)
    assert time.perf_counter() - start < 1.0


# -- the paragraph maker ---------------------------------------------------------------

PAGE = (
    "<html><body><div class='menu'><a href='/'>Início</a> | <a href='/c'>  Contactos\n </a></div>"
    "<h1>Notícias</h1><p>O Governo <b>aprovou</b>\n   hoje<br>uma linha<br><br>outra\t linha</p>"
    "<ul><li>um</li><li><a>dois</a> três</li></ul><table><tr><td>c1</td><td> </td></tr></table>"
    "<span>solto</span><br><br><br>fim<select><option>opção</option></select></body></html>"
)


@pytest.mark.parametrize("parser", ["etree", "lxml.html"])
def test_maker_golden_page(parser: str) -> None:
    import lxml.html

    p = etree.HTMLParser() if parser == "etree" else lxml.html.HTMLParser()
    dom = etree.fromstring(PAGE, p)
    ours = fast.make_paragraphs(dom)
    assert _fields(ours) == _fields(justext_core.ParagraphMaker.make_paragraphs(dom))
    assert [p.text for p in ours][:3] == ["Início | Contactos", "Notícias", "O Governo aprovou\nhoje uma linha"]
    assert ours[0].chars_count_in_links == len("Início") + len(" Contactos\n")  # each link text normalised


def test_maker_keeps_comment_tails_like_justext() -> None:
    dom = etree.fromstring("<div><p>a<!--c-->b<?pi x?>c</p><i>d</i><!--e-->f</div>", etree.HTMLParser())
    ours = fast.make_paragraphs(dom)
    assert _fields(ours) == _fields(justext_core.ParagraphMaker.make_paragraphs(dom))
    assert [p.text for p in ours] == ["abc", "df"]


def test_maker_element_is_the_first_texts_holder() -> None:
    dom = etree.fromstring("<div><p><b>a</b> b</p>c<i>d</i></div>", etree.HTMLParser())
    ps = fast.make_paragraphs(dom)
    assert [(p.text, p.element.tag) for p in ps] == [("a b", "b"), ("cd", "div")]


_html_bits = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<a href='x'>", "</a>", "<br>", "<br/>", "<h2>", "</h2>", "<li>", "<span>",
    "</span>", "<td>", "<select>", "</select>", "<!-- c -->", "<b>", "</b>", " ", "\n  ", "\t", "\xa0", "\r\n",
    "Olá mundo", "the and of", "©", "&amp;", "x",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(_html_bits, min_size=1, max_size=40))
def test_maker_is_justexts_on_random_markup(bits: list[str]) -> None:
    dom = etree.fromstring("<html><body>" + "".join(bits) + "</body></html>", etree.HTMLParser())
    assert _fields(fast.make_paragraphs(dom)) == _fields(justext_core.ParagraphMaker.make_paragraphs(dom))


def test_maker_and_classifier_are_justexts_on_wcxb_pages(shared_data) -> None:
    stoplist = load_stoplist("Portuguese")
    for raw in _wcxb_pages(shared_data):
        # our pre-cleaned tree, and jusText's own preprocessed one
        root = parse_page(raw)
        doms = [preclean(root)] if root is not None else []
        doms.append(justext_core.preprocessor(justext_core.html_to_dom(strip_raw_blocks(raw))))
        for dom in doms:
            ours = fast.make_paragraphs(dom)
            theirs = justext_core.ParagraphMaker.make_paragraphs(dom)
            assert _fields(ours) == _fields(theirs)
            for language in (stoplist, frozenset()):
                fast.classify_paragraphs(ours, language)
                fast.revise_paragraph_classification(ours)
                justext_core.classify_paragraphs(theirs, language)
                justext_core.revise_paragraph_classification(theirs)
                assert [(p.cf_class, p.heading, p.class_type) for p in ours] == [
                    (p.cf_class, p.heading, p.class_type) for p in theirs
                ]


# -- the classifier on synthetic paragraph sequences -----------------------------------

class _P:
    """A bare paragraph: what the classifier reads."""

    def __init__(self, text: str, dom_path: str, in_links: int, class_type: str = "") -> None:
        self.text = text
        self.dom_path = dom_path
        self.chars_count_in_links = in_links
        self.class_type = class_type

    # jusText's classifier calls these
    def __len__(self) -> int:
        return len(self.text)

    def stopwords_density(self, stopwords) -> float:
        words = self.text.split()
        return sum(w.lower() in stopwords for w in words) / len(words) if words else 0

    def links_density(self) -> float:
        return self.chars_count_in_links / len(self.text) if self.text else 0

    @property
    def is_heading(self) -> bool:
        return bool(JUSTEXT_HEADINGS.search(self.dom_path))


_WORDS = ["o", "a", "de", "que", "the", "and", "governo", "Σοφία", "ΣΟΦΙΑΣ", "©", "&copy;", "aprovou", "x" * 30]
_paragraph = st.tuples(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=50).map(" ".join),
    st.sampled_from(["body.div", "body.h2", "body.div.h1.a", "body.select.option", "body.p", "body.li"]),
    st.integers(0, 60),
    st.sampled_from(["", "", "", "good", "bad"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_paragraph, max_size=30), st.booleans(), st.sampled_from([0, 40, 200]))
def test_classifier_is_justexts(specs, no_headings: bool, max_heading_distance: int) -> None:
    ours = [_P(t, d, min(n, len(t)), c) for t, d, n, c in specs]
    theirs = copy.deepcopy(ours)
    stoplist = frozenset({"o", "a", "de", "que", "the", "and", "σοφία", "σοφιας"})
    fast.classify_paragraphs(ours, stoplist, 70, 200, 0.30, 0.32, 0.2, no_headings)
    fast.revise_paragraph_classification(ours, max_heading_distance)
    justext_core.classify_paragraphs(theirs, stoplist, 70, 200, 0.30, 0.32, 0.2, no_headings)
    justext_core.revise_paragraph_classification(theirs, max_heading_distance)
    assert [(p.cf_class, p.heading, p.class_type) for p in ours] == [
        (p.cf_class, p.heading, p.class_type) for p in theirs
    ]


def test_revision_is_linear_on_long_runs_of_short_paragraphs() -> None:
    import time

    ps = [_P("curto", "body.p", 0) for _ in range(20_000)]
    start = time.perf_counter()
    fast.classify_paragraphs(ps, frozenset())
    fast.revise_paragraph_classification(ps)
    assert time.perf_counter() - start < 1.0
    assert {p.class_type for p in ps} == {"bad"}


# -- parsing helpers -------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x3100) | st.sampled_from(["\x00", "\x1c", "\x7f", "\ud800"])))
def test_encode_without_controls_and_blank_check(text: str) -> None:
    expected = remove_control_chars(text)
    assert encode_without_controls(text) == expected.encode("utf-8", "replace")
    assert is_blank_utf8(encode_without_controls(text)) == (not expected.encode("utf-8", "replace").decode().strip())


@pytest.mark.parametrize("text, words", [
    ("", 0), ("Olá, mundo!", 2), ("snake_case x2 -- fim.", 3), ("a\xa0b", 2), ("²³ ½", 2), ("e\u0301", 1),
    ("O Governo aprovou hoje em Conselho de Ministros", 8), ("The weather service said on Friday", 6),
])
def test_count_words_golden(text: str, words: int) -> None:
    assert count_words(text) == words == len(re.findall(r"\w+", text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x3100)))
def test_count_words_is_findall(text: str) -> None:
    assert count_words(text) == len(re.findall(r"\w+", text))


def test_word_count_reads_the_subtree_without_its_tail() -> None:
    root = etree.fromstring("<div><p>um <b>dois</b>três</p> quatro</div>", etree.HTMLParser())
    p = root.find(".//p")
    assert word_count(p) == len(re.findall(r"\w+", "".join(p.itertext()))) == 2
    assert word_count(root) == 3


def _read_attributes_only(root):
    from corpus_sieve.filters.html.content_region import READ_ATTRIBUTES

    for el in root.iter():
        if isinstance(el.tag, str):
            for name in [k for k in el.attrib if k not in READ_ATTRIBUTES]:
                del el.attrib[name]
    return etree.tostring(root)


def test_parse_page_gives_plain_etree_elements_and_lxml_html_tree(monkeypatch) -> None:
    import lxml.html

    from corpus_sieve.filters.html import content_region

    root = parse_page(PAGE)
    assert type(root) is etree._Element and not isinstance(root, lxml.html.HtmlElement)
    reference = etree.fromstring(
        PAGE.encode(), lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    )
    # the attributes the extraction never reads are gone before parsing where filters/html/_attrstrip.pyx is compiled
    as_parsed = etree.tostring(root)
    assert _read_attributes_only(root) == _read_attributes_only(reference)
    if content_region.attribute_stripper() is not None:
        assert as_parsed == _read_attributes_only(reference)
    monkeypatch.setattr(content_region, "attribute_stripper", lambda: None)
    reference = etree.fromstring(
        PAGE.encode(), lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    )
    assert etree.tostring(parse_page(PAGE)) == etree.tostring(reference)
    assert parse_page("\x00 \xa0\u2028") is None and parse_page("") is None
    assert parse_page("\x00<p>olá</p>").findtext(".//p") == "olá"


def test_word_count_memo_never_returns_a_stale_count() -> None:
    root = etree.fromstring("<div><p>um dois</p> <p>três</p></div>", etree.HTMLParser())
    p1, p2 = root.findall(".//p")
    assert word_count(root) == 3
    p2.text = "x-y,z"
    assert word_count(root) == 5
    p1.text = "um-dois"  # "um dois" -> same length, different words
    assert word_count(p1) == 2 and word_count(root) == 5
    p1.text = "umadois"
    assert word_count(p1) == 1 and word_count(root) == 4


# -- jusText's parse and Cleaner pass (justext_document) -------------------------------

def _justext_paragraph_fields(html: str) -> list:
    """jusText's paragraphs of ``html`` (none when lxml finds the document empty, as RemoveBoilerplate has it)."""
    try:
        dom = justext_core.preprocessor(justext_core.html_to_dom(html))
    except etree.ParserError:
        return []
    return _fields(justext_core.ParagraphMaker.make_paragraphs(dom))


_CLEANER_PAGES = [
    # head (title, base, meta) and form controls go with their content; forms, iframes and objects are unwrapped
    "<!DOCTYPE html><html><head><title>Título</title><base href='/'><meta charset='latin-1'></head><body>"
    "<form action='/s'><p>Pesquisa <input name=q> no arquivo</p><select><option>um</option></select>"
    "<textarea>escreva</textarea><button>Enviar</button></form><iframe>moldura</iframe>"
    "<object><param name=x value=y>alternativa<embed src=a></object><applet>applet</applet>"
    "<p>a<param name=solto>b</p><layer>camada</layer><style>p{}</style><script>x()</script></body></html>",
    # comments and processing instructions keep the text around them
    "<html><body><p>um<!-- c -->dois<?php echo 1 ?>três</p><!-- fim -->quatro</body></html>",
    # a page that closes </html> and goes on: jusText reads the first root only
    "<html><body><p>primeiro</p></body></html><html><body><p>segundo</p></body></html>",
    "  <HTML><BODY><P>maiúsculas</P></BODY></HTML>",
    "<!doctype html>",
    "<!doctype html><html><head><title>só cabeça</title></head></html>",
    "<html><body><p>controle\x0bchar</p></body></html>",
]


@pytest.mark.parametrize("html", _CLEANER_PAGES)
def test_justext_document_is_justexts_parse_and_cleaner(html: str) -> None:
    dom = fast.justext_document(html)
    assert dom is not None and type(dom) is etree._Element
    assert _fields(fast.make_paragraphs(dom)) == _justext_paragraph_fields(remove_control_chars(html))


def test_justext_document_golden() -> None:
    texts = [p.text for p in fast.make_paragraphs(fast.justext_document(_CLEANER_PAGES[0]))]
    assert "Título" not in " ".join(texts) and "Enviar" not in " ".join(texts) and "escreva" not in " ".join(texts)
    assert "ab" in texts
    # unwrapped, as jusText's Cleaner does (RemoveBoilerplate cuts iframes before parsing anyway)
    assert texts == ["Pesquisa no arquivo", "molduraalternativa", "ab", "camada"]


@pytest.mark.parametrize("html", ["<p>fragmento</p>", "<?xml version='1.0' encoding='latin-1'?><html><p>x</p></html>",
                                  "texto <b>solto</b>", "\x00<html><p>x</p></html>"])
def test_justext_document_leaves_fragments_to_justext(html: str) -> None:
    assert fast.justext_document(html) is None


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<form>", "</form>", "<input>", "<button>", "</button>", "<head>", "</head>",
    "<title>", "</title>", "<object>", "</object>", "<param>", "<embed>", "<iframe>", "</iframe>", "<select>",
    "<option>", "</select>", "<textarea>", "</textarea>", "<applet>", "</applet>", "<base>", "<!-- c -->", "<br>",
    "<a href='x'>", "</a>", "<h2>", "</h2>", "</html>", "<html>", "<body>", " ", "\n", "Olá mundo", "the and of", "&amp;",
]), max_size=40))
def test_justext_document_is_justexts_on_random_documents(bits: list[str]) -> None:
    html = "<html>" + "".join(bits)
    assert _fields(fast.make_paragraphs(fast.justext_document(html))) == _justext_paragraph_fields(html)


def test_plain_extraction_is_justexts_on_wcxb_pages(shared_data) -> None:
    import justext

    from corpus_sieve.filters.html.remove_boilerplate import RemoveBoilerplate

    plain = RemoveBoilerplate(language="pt", content_root=False)
    stoplist = justext.get_stoplist("Portuguese")
    for raw in _wcxb_pages(shared_data):
        theirs = [p.text for p in justext.justext(raw, stoplist) if not p.is_boilerplate]
        assert plain(raw) == "\n".join(theirs)
