"""Golden tests of remove_boilerplate's page-type-aware rules on real WCXB (dev-half) pages.

Rules: what a page declares itself (JSON-LD / microdata / og:type), strips of
other products on a product page, prose outside a prose-poor ``<main>``,
token-soup lines, and chrome containers that swallowed the page. Each rule is
switched off to show what it changes. Pages and snippets are verbatim from
``../shared/data/html/wcxb-dev``.
"""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from corpus_sieve.filters import RemoveBoilerplate
from corpus_sieve.filters.html.content_region import is_token_soup, parse_page, preclean
from corpus_sieve.filters.html.repeated_blocks import foreign_item_elements
from corpus_sieve.filters.html.structured_data import is_product_page, json_ld_blocks, json_ld_types


def _page(shared_data, fid: str) -> str:
    raw = (shared_data / "html" / "wcxb-dev" / "html" / f"{fid}.html.gz").read_bytes()
    return gzip.decompress(raw).decode("utf-8", "replace")


def _lines(text: str) -> set[str]:
    return set(text.split("\n"))


# -- what a page declares itself --------------------------------------------------------

@pytest.mark.parametrize("fid, product", [
    ("0603", True),   # greenroads.com: one JSON-LD Product
    ("2947", True),   # thomann.de: og:type product, microdata Product
    ("3075", True),   # store.steampowered.com: one microdata Product (og:type website)
    ("3051", False),  # zappos.com category: 104 JSON-LD Products
    ("4065", False),  # thehumansolution.com category: no declaration
    ("0005", False),  # cloud.google.com article
])
def test_is_product_page_on_real_pages(shared_data, fid: str, product: bool) -> None:
    html = _page(shared_data, fid)
    assert is_product_page(html, parse_page(html)) is product


def test_json_ld_types_reads_graphs_and_skips_broken_blocks() -> None:
    html = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": '
            '[{"@type": "BreadcrumbList"}, {"@type": "schema:Product", "name": "Caneca"}]}</script>'
            "<script type='application/ld+json'>{not json</script>"
            '<script type="application/ld+json">[{"@type": ["Article", "NewsArticle"]}]</script>')
    assert json_ld_types(html) == ["BreadcrumbList", "Product", "Article", "NewsArticle"]


def test_json_ld_scan_is_bounded_and_survives_unclosed_scripts() -> None:
    assert list(json_ld_blocks('<script type="application/ld+json">{"@type": "Product"}')) == [{"@type": "Product"}]
    many = '<script type="application/ld+json">{"@type": "Thing"}</script>' * 100
    assert len(list(json_ld_blocks(many))) == 32  # MAX_BLOCKS


@given(st.text(max_size=300))
def test_structured_data_never_raises(text: str) -> None:
    page = '<script type="application/ld+json">' + text
    assert isinstance(json_ld_types(page), list)
    assert isinstance(is_product_page(page, parse_page(page)), bool)


# -- other products on a product page ----------------------------------------------------

def test_variant_cards_with_prices_leave_a_product_page(shared_data) -> None:
    html = _page(shared_data, "2947")  # thomann.de guitar: a strip of other models with prices
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", product_pages=False).extract(html)
    other = "Fender Player II Strat RW 3TS"
    assert other in _lines(off) and other not in _lines(on)
    gold = "Pickups: 3 Player Series Alnico 5 Strat single coils"
    assert gold in _lines(on) and gold in _lines(off)


def test_a_product_pages_own_sections_stay(shared_data) -> None:
    html = _page(shared_data, "3061")  # apple.com/macbook-air: repeated sections without prices
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", product_pages=False).extract(html)
    for gold in ("M5. The chip that zips.", "Four beautiful colors will have you on cloud nine."):
        assert gold in _lines(on) and gold in _lines(off)
    assert len(on.split()) >= 0.97 * len(off.split())


def test_priced_cards_stay_on_a_collection_page(shared_data) -> None:
    html = _page(shared_data, "4065")  # a category page is not a product page: its cards are its content
    out = RemoveBoilerplate(language="en").extract(html)
    assert "Swell Vertical Ergonomic Mouse (Right, Wireless) by UPLIFT Desk" in _lines(out)


def test_foreign_items_need_prices_links_and_no_title() -> None:
    cards = "".join(f'<li><a href="/{i}">Caneca de barro número {i}</a> R$ 30,00</li>' for i in range(4))
    assert foreign_item_elements(etree.fromstring(f"<div><h1>Prato</h1><ul>{cards}</ul></div>"))
    unlinked = "".join(f"<li><b>Caneca de barro número {i}</b> R$ 30,00</li>" for i in range(4))
    assert not foreign_item_elements(etree.fromstring(f"<div><ul>{unlinked}</ul></div>"))
    with_title = cards.replace("<li>", "<li><h1>Prato</h1>", 1)
    assert not foreign_item_elements(etree.fromstring(f"<div><ul>{with_title}</ul></div>"))


# -- prose outside a prose-poor region ----------------------------------------------------

def test_category_description_outside_main_is_kept(shared_data) -> None:
    html = _page(shared_data, "4065")  # <main> holds only the product grid; the description is below it
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", prose_outside_region=False).extract(html)
    prose = "Learn More About the Wireless Ergonomic Mouse"
    assert prose in _lines(on) and prose not in _lines(off)


def test_an_article_region_keeps_outside_teasers_out() -> None:
    body = "<p>" + "O parlamento aprovou a lei do orçamento depois de um longo debate com a oposição. " * 8 + "</p>"
    teaser = "<div><p>" + "Leia também a entrevista com o ministro sobre as contas do Estado e o futuro. " * 3 + "</p></div>"
    page = f"<html><body><main><h1>Orçamento aprovado</h1>{body}</main>{teaser}</body></html>"
    on = RemoveBoilerplate(language="pt").extract(page)
    assert "Orçamento aprovado" in on and "Leia também" not in on


# -- token soup ---------------------------------------------------------------------------

def test_obfuscated_id_lines_are_dropped(shared_data) -> None:
    html = _page(shared_data, "3021")  # ebay.com item: "sponsored" markers made of concatenated UUIDs
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", drop_token_soup=False).extract(html)
    soup = [line for line in _lines(off) if line.startswith("9303097ac-d3e5-41e1-baf5-303640756ebf")]
    assert soup and not set(soup) & _lines(on)
    assert "eBay item number:276702815108" in _lines(on)


@pytest.mark.parametrize("text, soup", [
    ("A6b4f817e-1bc7-4f5f-a4f7-68184bc11dc0S42bf1e13-8a44-4c69-bf2b-71f76bb4cce8", True),
    ("https://www.ebay.com/itm/276702815108?hash=item406d8b1f04-d3e5-41e1-baf5-303640756ebf", False),
    ("Pneumoultramicroscopicossilicovulcanoconiótico é a palavra mais longa", False),
    ("SM-X510NZAAMEA", False),
    ("", False),
])
def test_is_token_soup(text: str, soup: bool) -> None:
    assert is_token_soup(text) is soup


# -- chrome that swallowed the page --------------------------------------------------------

def test_an_unclosed_nav_does_not_take_the_page(shared_data) -> None:
    html = _page(shared_data, "0193")  # reventals.com: libxml2 nests the whole page in an unclosed <nav>
    out = RemoveBoilerplate(language="en").extract(html)
    assert "Find all Physical Fitness Equipment Rentals in Los Angeles, CA in one place." in _lines(out)


def test_preclean_keeps_a_nav_holding_main_and_footer_removes_a_menu() -> None:
    swallowed = etree.fromstring("<body><nav><a href='/'>Início</a><main><p>Texto</p></main><footer>©</footer></nav></body>")
    preclean(swallowed)
    assert "Texto" in "".join(swallowed.itertext()) and swallowed.find(".//nav") is None
    menu = etree.fromstring("<body><nav><a href='/'>Início</a></nav><main><p>Texto</p></main></body>")
    assert "Início" not in "".join(preclean(menu).itertext())


def test_new_rule_params_round_trip() -> None:
    params = RemoveBoilerplate(product_pages=False, prose_outside_region=False, drop_token_soup=False).get_params()
    assert params["product_pages"] is params["prose_outside_region"] is params["drop_token_soup"] is False
