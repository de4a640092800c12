"""The shortcuts of the default ``remove_boilerplate`` path give the same results as the plain rules.

Each fast path (one walk for ``prune_chrome`` + ``content_root``, the class/id
pre-check, the word tables counted by the paragraph walk, the Python scans
that replace XPath, the JSON-LD and token-soup pre-checks) is compared with a
reference written the slow, obvious way: on real WCXB pages, on hand-made
edge cases, and on random input (hypothesis).
"""

from __future__ import annotations

import copy
import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from corpus_sieve.filters import RemoveBoilerplate
from corpus_sieve.filters.html.paragraphs import make_paragraphs, make_paragraphs_and_word_tables
from corpus_sieve.filters.html.content_region import (
    BOILERPLATE_TOKENS, CHROME_ROLES, CONTENT_ROOT_XPATH, _SWALLOWED_XPATH, _remove_keeping_tail, _swallowing_containers, _token_hint,
    class_tokens, content_root, first_body, has_long_token, is_token_soup, parse_page, preclean,
    prune_and_choose_region, prune_chrome, region_candidates, word_count,
)
from corpus_sieve.filters.html.repeated_blocks import _WORD, dominant_item_block, item_blocks, word_tables
from corpus_sieve.filters.html.structured_data import PRODUCT_TYPES, is_product_page, json_ld_types

#: WCXB pages read here: every 30th of the 600 (a spread of sites and page types)
WCXB_SAMPLE = slice(3, None, 30)


def _wcxb_pages(shared_data) -> list[str]:
    files = sorted((shared_data / "html" / "wcxb-dev" / "html").glob("*.html.gz"))[WCXB_SAMPLE]
    return [gzip.decompress(f.read_bytes()).decode("utf-8", "replace") for f in files]


# -- references: the rules written the obvious way ----------------------------------------

def _reference_prune(root, tokens=BOILERPLATE_TOKENS):
    doomed = []
    for el in root.iter("*"):
        if el.tag in ("html", "body", "main", "article"):
            continue
        if el.tag in ("dialog", "template"):
            doomed.append(el)
            continue
        attrib = el.attrib
        if attrib and (attrib.get("role") in CHROME_ROLES or attrib.get("aria-modal") == "true"
                       or attrib.get("aria-hidden") == "true"
                       or (("class" in attrib or "id" in attrib) and not tokens.isdisjoint(class_tokens(el)))):
            doomed.append(el)
    for el in doomed:
        if not el.xpath(".//h1|.//main|.//article"):
            _remove_keeping_tail(el)  # the removal itself is not what the shortcuts change
    return root


def _reference_region(root, min_share=0.25, min_words=50):
    body = root.find(".//body")
    total = word_count(root if body is None else body)
    if total == 0:
        return None
    best, best_words = None, 0
    for candidate in root.xpath(CONTENT_ROOT_XPATH):
        n = word_count(candidate)
        if n > best_words:
            best, best_words = candidate, n
    return None if best is None or best_words < min_words or best_words < min_share * total else best


def _reference_word_tables(root):
    words, link_words = {}, {}
    for _, el in etree.iterwalk(root, events=("end",)):
        n = len(_WORD.findall(el.text or ""))
        linked = 0
        for child in el:
            if isinstance(child.tag, str):
                n += words[child]
                linked += link_words[child]
            n += len(_WORD.findall(child.tail or ""))
        words[el] = n
        link_words[el] = n if el.tag == "a" else linked
    return words, link_words


def _serialized(root) -> bytes:
    return etree.tostring(root.getroottree())


def _path(el) -> str | None:
    return None if el is None else el.getroottree().getpath(el)


# -- prune_chrome + content_root in one walk ------------------------------------------------

EDGE_PAGES = [
    # role="main" inside a removed pop-up: not a candidate once the pop-up is gone
    "<html><body><div class='modal'><div role='main'>" + "palavra " * 80 + "</div></div>"
    "<article>" + "texto " * 60 + "</article></body></html>",
    # itemprop=articleBody on an element removed itself (aria-hidden)
    "<html><body><div itemprop='articleBody' aria-hidden='true'>" + "oculto " * 90 + "</div>"
    "<main>" + "visível " * 70 + "</main></body></html>",
    # an <h1> named like a pop-up inside a pop-up: the outer block is protected first (document order)
    "<html><body><div class='popup'><h1 class='modal-title'>Título</h1><p>" + "texto " * 60 + "</p></div></body></html>",
    # role="main" on <body>, a <dialog> marked as the region, nested candidates
    "<html><body role='main'><dialog role='main'>" + "diálogo " * 60 + "</dialog>"
    "<main><article>" + "notícia " * 70 + "</article>" + "mais " * 30 + "</main></body></html>",
    # a stray second <html> after </html> (its <head> stays behind as a sibling of the root)
    "<html><body><p>menu</p></body></html><html><head><title>x</title></head><body><main>"
    + "conteúdo " * 80 + "</main></body></html>",
    # no <body> child: the region search falls back to the whole tree
    "<div><main>" + "palavra " * 60 + "</main><div class='cookie-banner'>Aceite</div></div>",
    # class/id words in upper case, camelCase, with the Kelvin sign and a dotted capital I
    "<html><body><div id='RelatedPosts'>x</div><div class='COOKIE'>y</div><div class='\u212aookie'>z</div>"
    "<div class='Revİew'>w</div><p>" + "texto " * 60 + "</p></body></html>",
]


def _check_one_walk_against_two_steps(html: str):
    """Prune + region in one walk equals the two reference steps on ``html``: same tree, same region."""
    slow, fast = parse_page(html), parse_page(html)
    preclean(slow)
    preclean(fast)
    expected = _reference_region(_reference_prune(slow))
    region, page_words, region_words = prune_and_choose_region(fast)
    assert _serialized(fast) == _serialized(slow)
    assert _path(region) == _path(expected)
    return fast, expected, region, page_words, region_words


@pytest.mark.parametrize("page", EDGE_PAGES)
def test_prune_and_choose_region_matches_the_two_steps_on_edge_pages(page: str) -> None:
    fast, _, region, page_words, region_words = _check_one_walk_against_two_steps(page)
    if region is not None:
        assert region_words == word_count(region)
        body = fast.find(".//body")
        assert page_words == word_count(fast if body is None else body)


def test_prune_and_choose_region_matches_the_two_steps_on_real_pages(shared_data) -> None:
    for html in _wcxb_pages(shared_data):
        if parse_page(html) is None:
            continue
        _, expected, _, _, _ = _check_one_walk_against_two_steps(html)
        # the public functions stay equal to the references too
        again = parse_page(html)
        preclean(again)
        assert _path(content_root(prune_chrome(again))) == _path(expected)


_class_text = st.text(alphabet=st.sampled_from(list("abcdeiklmnoprstuvwxyzACEIKMOPRS-_ 0\u212a\u0130\u03a3")), max_size=30)


@settings(max_examples=300, deadline=None)
@given(_class_text, _class_text)
def test_token_hint_never_misses_a_boilerplate_word(names: str, ident: str) -> None:
    el = etree.Element("div", {"class": names, "id": ident})
    if not BOILERPLATE_TOKENS.isdisjoint(class_tokens(el)):
        assert _token_hint(BOILERPLATE_TOKENS)(f"{names} {ident}".lower()) is not None


def test_token_hint_with_custom_tokens() -> None:
    assert _token_hint(frozenset({"Upper", "x-y"})) is None  # such words are never class tokens
    hint = _token_hint(frozenset({"ad", "ads", "sponsor"}))
    assert hint("top-ads") and hint("sponsored") and not hint("footer")  # a superset: "header" would match too
    page = parse_page("<div><p class='AdSlot'>a</p><p class='Sponsor'>b</p><p class='head'>c</p></div>")
    assert [p.text for p in prune_chrome(page, frozenset({"ad", "sponsor"})).iter("p")] == ["c"]


# -- XPath replacements ---------------------------------------------------------------

@pytest.mark.parametrize("page", [
    "<html><head></head><body><p>x</p></body></html>",
    "<html><div><body id='inner'/></div></html>",
    "<div><section><body/></section></div>",
    "<p>sem corpo</p>",
])
def test_first_body_is_the_first_body_in_document_order(page: str) -> None:
    root = etree.fromstring(page)
    assert first_body(root) is root.find(".//body")


def test_xpath_replacements_match_on_real_and_edge_pages(shared_data) -> None:
    pages = _wcxb_pages(shared_data) + EDGE_PAGES + [
        "<html><body><nav><main><p>a</p></main></nav><button><h1>T</h1></button><footer><footer/></footer>"
        "<aside><p>b</p></aside><select><article/></select></body></html>",
    ]
    for html in pages:
        root = parse_page(html)
        if root is None:
            continue
        assert first_body(root) is root.find(".//body")
        assert region_candidates(root) == root.xpath(CONTENT_ROOT_XPATH)
        assert _swallowing_containers(root) == root.xpath(_SWALLOWED_XPATH)


# -- word tables from the paragraph walk ------------------------------------------------

def _tree_from(parts: list[tuple[str, str, str]]) -> etree._Element:
    root = etree.Element("div")
    root.text = "início "
    stack = [root]
    for kind, text, tail in parts:
        if kind == "close":
            if len(stack) > 1:
                stack.pop()
            continue
        parent = stack[-1]
        if kind == "comment":
            el = etree.Comment(text)
            parent.append(el)
        else:
            el = etree.SubElement(parent, kind)
            el.text = text
            stack.append(el)
        el.tail = tail
    return root


_words_text = st.text(alphabet=st.sampled_from(list("ab1_ ,.\n\xa0çΣ")), max_size=12)
_parts = st.lists(st.tuples(st.sampled_from(["a", "p", "div", "span", "li", "br", "comment", "close", "close"]),
                            _words_text, _words_text), max_size=40)


@settings(max_examples=200, deadline=None)
@given(_parts)
def test_word_tables_match_the_reference_on_random_trees(parts) -> None:
    root = _tree_from(parts)
    root.tail = "cauda fora"
    expected = _reference_word_tables(root)
    assert word_tables(root) == expected
    paragraphs, (words, link_words, parents) = make_paragraphs_and_word_tables(root, 3)
    assert (words, link_words) == expected
    assert parents == [el for el in root.iter() if len(el) >= 3]
    assert [(p.text, p.dom_path, p.tags_count, p.chars_count_in_links, p.element) for p in paragraphs] == [
        (p.text, p.dom_path, p.tags_count, p.chars_count_in_links, p.element) for p in make_paragraphs(root)]


def test_item_blocks_from_the_paragraph_walk_match_on_real_pages(shared_data) -> None:
    for html in _wcxb_pages(shared_data):
        root = parse_page(html)
        if root is None:
            continue
        preclean(root)
        region = prune_and_choose_region(root)[0]
        region = root if region is None else region
        assert word_tables(region) == _reference_word_tables(region)
        _, tables = make_paragraphs_and_word_tables(region, 3)
        blocks, total = item_blocks(region)
        shared_blocks, shared_total = item_blocks(region, tables=tables)
        assert total == shared_total
        assert [(b.parent, b.items, b.words, b.link_words) for b in blocks] == [
            (b.parent, b.items, b.words, b.link_words) for b in shared_blocks]
        block, shared = dominant_item_block(region), dominant_item_block(region, tables=tables)
        assert (block is None and shared is None) or (block.parent is shared.parent and block.items == shared.items)


# -- pre-checks -----------------------------------------------------------------------

def _reference_is_product_page(html: str, root) -> bool:
    products = sum(1 for t in json_ld_types(html) if t in PRODUCT_TYPES)
    if products:
        return products == 1
    return is_product_page("", root)  # no JSON-LD: the meta/microdata rules


@pytest.mark.parametrize("block", [
    '{"@type": "Product"}', '{"@type": "\\u0050roduct"}', '{"@type": "schema:Car"}', '{"@type": "WebPage"}',
    '[{"@type": "Vehicle"}, {"@type": "Product"}]', '{"@graph": [{"@type": ["Thing", "IndividualProduct"]}]}',
    '{"@type": "Product"', "[" * 5000 + "]" * 5000,
])
def test_json_ld_pre_check_keeps_the_product_count(block: str) -> None:
    html = f'<script type="application/ld+json">{block}</script><p>x</p>'
    root = parse_page(html)
    assert is_product_page(html, root) is _reference_is_product_page(html, root)


def test_is_product_page_matches_the_reference_on_real_pages(shared_data) -> None:
    for html in _wcxb_pages(shared_data):
        root = parse_page(html)
        if root is not None:
            assert is_product_page(html, root) is _reference_is_product_page(html, root)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab0123/ \n\xa0\u2028")), max_size=120))
def test_has_long_token_is_necessary_for_token_soup(text: str) -> None:
    assert has_long_token(text) == any(len(t) >= 40 for t in text.split())
    if not has_long_token(text):
        assert not is_token_soup(text)


# -- the whole transform ---------------------------------------------------------------

def test_default_transform_is_deterministic_across_pages(shared_data) -> None:
    """Run-to-run state (word-count memo, cached regexes) never leaks from one page into the next."""
    pages = _wcxb_pages(shared_data)
    f = RemoveBoilerplate(language="pt")
    forward = f.transform_batch(pages)
    backward = f.transform_batch(pages[::-1])[::-1]
    assert forward == backward
    assert [f.extract(copy.copy(p)) for p in pages[:3]] == forward[:3]
