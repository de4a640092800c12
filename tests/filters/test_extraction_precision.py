"""Precision rules of ``remove_boilerplate`` (filters/html/precision_rules.py): form chrome and poster chrome.

Real pages come from the WCXB dev half in ``../shared/data`` (skipped when absent).
"""

from __future__ import annotations

import gzip
import json

import pytest
from lxml import etree

from corpus_sieve.filters import RemoveBoilerplate
from corpus_sieve.filters.html.precision_rules import POSTER_CHROME_NAMES, detail_chrome_elements, is_poster_chrome

_PROSE_PT = (
    "<p>O Governo aprovou hoje em Conselho de Ministros um conjunto de medidas para apoiar as famílias "
    "e as empresas que foram afetadas pela subida dos preços, e a ministra disse que o apoio vai chegar "
    "a todos os que dele precisam até ao fim do ano.</p>"
)
_PROSE_EN = (
    "<p>I have been using this setup for a few years and it has worked well for me, but after the last "
    "update the network adapter stopped working and I had to roll back to the previous version of the "
    "software before it would connect again.</p>"
)


def _page(shared_data, fid: str) -> tuple[str, dict]:
    root = shared_data / "html" / "wcxb-dev"
    html = gzip.decompress((root / "html" / f"{fid}.html.gz").read_bytes()).decode("utf-8", "replace")
    return html, json.loads((root / "ground-truth" / f"{fid}.json").read_text(encoding="utf-8"))["ground_truth"]


def _lines(text: str) -> set[str]:
    return set(text.split("\n"))


# -- golden examples (Portuguese and English) ------------------------------------------

def test_form_chrome_drops_facets_and_labels_pt() -> None:
    page = ("<html><body><main><h1>Notícias</h1>" + _PROSE_PT +
            "<form><fieldset><legend>Filtrar por tema</legend><ul><li>Economia</li><li>Política</li></ul></fieldset>"
            "<label>Ordenar por</label></form></main></body></html>")
    on = RemoveBoilerplate(language="pt").extract(page)
    off = RemoveBoilerplate(language="pt", form_chrome=False).extract(page)
    for chrome in ("Filtrar por tema", "Economia", "Ordenar por"):
        assert chrome in _lines(off) and chrome not in _lines(on)
    assert "Notícias" in _lines(on) and "O Governo aprovou hoje" in on


def test_poster_chrome_drops_profile_card_and_signature_en() -> None:
    post = ('<div class="post"><div class="message-userDetails"><h4>galitsyn</h4><dl><dt>Posts:</dt><dd>138</dd>'
            '<dt>Joined:</dt><dd>4 Jul 2012</dd></dl></div><div class="message-body">' + _PROSE_EN + "</div>"
            '<div class="post_signature">Sent from my toaster</div></div>')
    page = f"<html><body><main><h1>Network adapter after update</h1>{post}</main></body></html>"
    on = RemoveBoilerplate(language="en").extract(page)
    off = RemoveBoilerplate(language="en", poster_chrome=False).extract(page)
    for chrome in ("Joined:", "4 Jul 2012", "Sent from my toaster"):
        assert chrome in _lines(off) and chrome not in _lines(on)
    assert "I have been using this setup" in on and "Network adapter after update" in _lines(on)


def test_a_label_wrapping_an_option_keeps_the_options_own_paragraphs() -> None:
    region = etree.fromstring("<div><label><p>Caneca de grés</p>Escolha</label><p>Texto</p></div>")
    assert [el.tag for el in detail_chrome_elements(region)] == ["label"]


@pytest.mark.parametrize("attrs, chrome", [
    ('class="message-userExtras"', True), ('id="postprofile"', True), ('class="user_info"', True),
    ('class="signature"', True), ('class="comment-author-info"', True), ('class="memberInfo"', True),
    ('class="user-content"', False), ('class="author"', False), ('class="message-body"', False), ("", False),
])
def test_is_poster_chrome(attrs: str, chrome: bool) -> None:
    assert is_poster_chrome(etree.fromstring(f"<div {attrs}/>")) is chrome


def test_rules_off_find_nothing() -> None:
    region = etree.fromstring('<div><fieldset><p>x</p></fieldset><div class="userinfo">y</div></div>')
    assert detail_chrome_elements(region, form_chrome=False, poster_chrome=False) == set()
    assert all(name == name.lower() and name.isalnum() for name in POSTER_CHROME_NAMES)


def test_parameters_are_visible() -> None:
    params = RemoveBoilerplate().get_params()
    assert params["form_chrome"] is True and params["poster_chrome"] is True


# -- real pages ------------------------------------------------------------------------

def test_phpbb_post_profiles_are_dropped_posts_kept(shared_data) -> None:
    html, gold = _page(shared_data, "0536")  # forums.virtualbox.org thread (phpBB)
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", poster_chrome=False).extract(html)
    profile = [line for line in _lines(off) if line.startswith("Joined: ")]
    assert profile and not any(line.startswith("Joined: ") for line in _lines(on))
    for snippet in gold["with"]:
        assert snippet in on


def test_xenforo_user_details_are_dropped(shared_data) -> None:
    html, gold = _page(shared_data, "0516")  # physicsforums.com thread (XenForo)
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", poster_chrome=False).extract(html)
    for chrome in ("Gold Member", "Science Advisor"):
        assert chrome in _lines(off) and chrome not in _lines(on)
    kept_with = sum(s in on for s in gold["with"])
    assert kept_with == sum(s in off for s in gold["with"])


def test_filter_facets_of_a_category_page_are_dropped(shared_data) -> None:
    html, gold = _page(shared_data, "2897")  # headphones.com collection page
    on = RemoveBoilerplate(language="en").extract(html)
    off = RemoveBoilerplate(language="en", form_chrome=False).extract(html)
    assert "Wired (16 products)" in _lines(off) and "Wired (16 products)" not in _lines(on)
    assert sum(s in on for s in gold["with"]) == sum(s in off for s in gold["with"])
