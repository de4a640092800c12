"""Golden tests of remove_boilerplate's structural rules on real WCXB (dev-half) pages.

Each rule is switched off to show what it changes: chrome pruning (pop-ups,
consent banners, reviews, "related" blocks), linked headings, and the
dominant block of repeated items on listing pages. Pages and snippets are
verbatim from ``../shared/data/html/wcxb-dev``.
"""

from __future__ import annotations

import gzip

import pytest
from lxml import etree

from corpus_sieve.filters import RemoveBoilerplate
from corpus_sieve.filters.html.content_region import class_tokens, prune_chrome
from corpus_sieve.filters.html.repeated_blocks import dominant_item_block


def _page(shared_data, fid: str) -> str:
    raw = (shared_data / "html" / "wcxb-dev" / "html" / f"{fid}.html.gz").read_bytes()
    return gzip.decompress(raw).decode("utf-8", "replace")


def _lines(text: str) -> set[str]:
    return set(text.split("\n"))


# -- chrome pruning -----------------------------------------------------------------

def test_prune_chrome_drops_popups_and_reviews_keeps_the_product(shared_data) -> None:
    html = _page(shared_data, "0603")  # greenroads.com product page
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", prune_chrome=False).extract(html)
    for junk in ("Age Verification", "The product was added to your cart!", "Love The Berries!"):
        assert junk in _lines(off) and junk not in _lines(on)
    gold = "Each gummy has 10mg of CBD"
    assert gold in _lines(on) and gold in _lines(off)


def test_prune_chrome_drops_consent_text_keeps_the_description(shared_data) -> None:
    html = _page(shared_data, "0600")  # goshopia.com product page (WooCommerce)
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", prune_chrome=False).extract(html)
    assert "Performance cookies are used to understand" in off and "cookies are used" not in on
    for gold in ("Iris Rust Hemp Dress", "Three layers of flowy dress with side zip"):
        assert gold in _lines(on)


def test_prune_chrome_never_removes_the_title_or_content_container() -> None:
    page = etree.fromstring(
        "<body><div class='modal-open page'><h1>Receita de bacalhau</h1><p>Demolhe o bacalhau.</p></div>"
        "<div class='related'><article><p>Outra receita</p></article></div>"
        "<div class='newsletter-signup'><p>Assine</p></div></body>"
    )
    text = "".join(prune_chrome(page).itertext())
    assert "Receita de bacalhau" in text and "Outra receita" in text  # protected: h1, article
    assert "Assine" in text  # 'newsletter' is not a pruned word (newsletters can be the content)


@pytest.mark.parametrize("attrs, pruned", [
    ('class="cookie-consent"', True), ('id="relatedPosts"', True), ('class="product-reviews"', True),
    ('role="dialog"', True), ('aria-hidden="true"', True), ('role="navigation"', True),
    ('class="article-body"', False), ('class="preview"', False), ('class="cookiecutter"', False),
    ('aria-hidden="false"', False), ('role="main"', False),
])
def test_prune_chrome_by_attribute(attrs: str, pruned: bool) -> None:
    page = etree.fromstring(f"<div><p {attrs}>the text of the block</p><p>the article</p></div>")
    assert ("the text of the block" not in "".join(prune_chrome(page).itertext())) == pruned


def test_class_tokens_split_words_and_camel_case() -> None:
    assert class_tokens(etree.fromstring('<div class="RelatedProducts js-x" id="reviews_list"/>')) == {
        "related", "products", "js", "x", "reviews", "list"}


# -- linked headings ----------------------------------------------------------------

def test_linked_headings_of_a_news_index_are_kept(shared_data) -> None:
    html = _page(shared_data, "2962")  # bbc.com/news/technology
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", keep_linked_headings=False).extract(html)
    title = "Drones and AI used to help farmers tackle weeds"
    assert title in _lines(on) and title not in _lines(off)


def test_linked_heading_rule_keeps_headings_only() -> None:
    links = "".join(f"<li><a href='/{i}'>Secção {i}</a></li>" for i in range(6))
    page = f"<html><body><main><h2><a href='/a'>Chuva forte no norte</a></h2><ul>{links}</ul></main></body></html>"
    out = RemoveBoilerplate(language="pt", item_block_share=None).extract(page)
    assert "Chuva forte no norte" in out and "Secção 1" not in out


# -- dominant block of repeated items -------------------------------------------------

def test_listing_items_are_kept(shared_data) -> None:
    html = _page(shared_data, "0205")  # wral.com topic page: cards of linked stories
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", item_block_share=None).extract(html)
    teaser = "A 5 On Your Side story uncovers the right way to rent a car"
    assert teaser in on and teaser not in off
    assert len(on.split()) > 3 * len(off.split())


def test_posts_of_a_feed_are_kept(shared_data) -> None:
    html = _page(shared_data, "3014")  # dev.to front page
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", item_block_share=None).extract(html)
    title = "The Women Who Helped Me Grow as a Developer"
    assert title in _lines(on) and title not in _lines(off)


def test_a_mega_menu_is_not_a_listing(shared_data) -> None:
    html = _page(shared_data, "0005")  # cloud.google.com article under a huge div-based menu
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", item_block_share=None).extract(html)
    assert on == off
    assert "Why Google Cloud" not in _lines(on)


def test_an_article_with_a_teaser_strip_stays_an_article() -> None:
    body = "<p>" + "O parlamento aprovou a lei do orçamento depois de um longo debate. " * 12 + "</p>"
    cards = "".join(f"<div class='teaser'><a href='/{i}'>Outra notícia importante do dia {i}</a></div>" for i in range(4))
    page = f"<html><body><main><h1>Orçamento aprovado</h1>{body}<div>{cards}</div></main></body></html>"
    assert "Outra notícia" not in RemoveBoilerplate(language="pt").extract(page)


def test_dominant_item_block_needs_similar_linked_items() -> None:
    unlinked = "".join(f"<li>Ponto número {i} do programa eleitoral</li>" for i in range(5))
    assert dominant_item_block(etree.fromstring(f"<ul>{unlinked}</ul>")) is None
    menu = "".join(f"<li><a href='/{i}'>Menu {i}</a></li>" for i in range(8))  # 2 words an item
    assert dominant_item_block(etree.fromstring(f"<ul>{menu}</ul>")) is None


def test_item_block_share_is_validated() -> None:
    with pytest.raises(ValueError, match="item_block_share"):
        RemoveBoilerplate(item_block_share=1.5)
    assert RemoveBoilerplate(item_block_share=None).get_params()["item_block_share"] is None
