"""Pages that libxml2 parses into odd shapes must not lose their main text.

Two real WCXB (dev-half) pages used to come out empty:

- 0310 (escalon.services) closes ``</html>`` halfway and goes on: libxml2
  makes a second top-level ``<html>`` holding the article;
- 4007 (southernliving.com) never closes a ``<button>`` in its header, so
  libxml2 nests the whole ``<main>`` inside it, and form controls are
  removed with their content.
"""

from __future__ import annotations

import gzip

from corpus_sieve.filters import RemoveBoilerplate
from corpus_sieve.filters.html.content_region import parse_page, preclean


def _page(shared_data, fid: str) -> str:
    raw = (shared_data / "html" / "wcxb-dev" / "html" / f"{fid}.html.gz").read_bytes()
    return gzip.decompress(raw).decode("utf-8", "replace")


def test_text_after_a_closed_html_element_is_kept(shared_data) -> None:
    out = RemoveBoilerplate(language="en").extract(_page(shared_data, "0310"))
    assert "6 Types of HR Outsourcing You Need to Know About" in out
    assert "When defined in the simplest way possible, HR is about people." in out


def test_a_button_that_swallowed_the_page_is_unwrapped(shared_data) -> None:
    out = RemoveBoilerplate(language="en").extract(_page(shared_data, "4007"))
    assert "How To Start A Vegetable Garden: A Step-by-Step Guide" in out
    assert "Growing up on a farm, I thought everyone had an acre or two set aside as a vegetable garden." in out


def test_stray_roots_are_merged_into_the_first_body() -> None:
    root = parse_page("<html><body><p>menu</p></body></html><html><body>solto<p>O texto principal.</p></body></html>")
    assert [p.text for p in root.iter("p")] == ["menu", "O texto principal."]
    assert "solto" in "".join(root.find("body").itertext())


def test_ordinary_buttons_and_selects_are_still_removed() -> None:
    root = preclean(parse_page(
        "<body><button><span>Comprar</span></button><select><option>PT</option></select><p>Texto.</p></body>"
    ))
    assert "".join(root.itertext()).strip() == "Texto."


def test_a_select_holding_an_article_is_unwrapped() -> None:
    root = preclean(parse_page("<body><select><option>PT<article><h1>Título</h1><p>Corpo.</p></article></body>"))
    text = "".join(root.itertext())
    assert "Título" in text and "Corpo." in text
