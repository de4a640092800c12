"""What a page says it is: schema.org JSON-LD, microdata and ``og:type``.

Shops and publishers describe a page for search engines: a product page
carries one schema.org ``Product`` (JSON-LD in a ``<script
type="application/ld+json">``, or microdata ``itemtype=".../Product"``) and
often ``<meta property="og:type" content="product">``. ``remove_boilerplate``
uses that declaration to make page-type-aware choices (on a product page,
strips of *other* products are not content). Scripts are cut before the page
is parsed, so JSON-LD is read from the raw HTML with a bounded scan: at most
``MAX_BLOCKS`` blocks and ``MAX_JSON_CHARS`` characters of JSON, and a
block that is not valid JSON is skipped (never raises).
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

#: at most this many JSON-LD blocks are read per page ...
MAX_BLOCKS = 32
#: ... and at most this many characters of JSON in all
MAX_JSON_CHARS = 2_000_000
#: schema.org types of a single sold item
PRODUCT_TYPES = frozenset({"Product", "ProductGroup", "IndividualProduct", "ProductModel", "Vehicle", "Car"})

#: substrings of every name in PRODUCT_TYPES, and the start of a JSON escape
_PRODUCT_NEEDLES = ("Product", "Vehicle", "Car", "\\u")
assert all(any(n in t for n in _PRODUCT_NEEDLES) for t in PRODUCT_TYPES)

_LD_OPEN = re.compile(r"""<script\b[^>]{0,512}?type\s*=\s*["']?application/ld\+json[^>]{0,512}>""", re.IGNORECASE)
_SCRIPT_END = re.compile(r"</script", re.IGNORECASE)
# the same scan over UTF-8 bytes (remove_boilerplate reads pages as bytes: no str is built for them)
_LD_OPEN_UTF8 = re.compile(_LD_OPEN.pattern.encode("ascii"), re.IGNORECASE)
_SCRIPT_END_UTF8 = re.compile(_SCRIPT_END.pattern.encode("ascii"), re.IGNORECASE)
_PRODUCT_NEEDLES_UTF8 = tuple(n.encode("ascii") for n in _PRODUCT_NEEDLES)


def json_ld_blocks(html: str | bytes) -> Iterator[Any]:
    """The parsed JSON-LD blocks of a raw HTML page, ``str`` or UTF-8 ``bytes`` (invalid ones skipped).

    >>> html = '<script type="application/ld+json">{"@type": "Product", "name": "Caneca"}</script><p>x</p>'
    >>> list(json_ld_blocks(html))
    [{'@type': 'Product', 'name': 'Caneca'}]
    >>> list(json_ld_blocks('<script type="application/ld+json">{broken</script>'))
    []
    """
    for text in _json_ld_texts(html):
        try:
            yield json.loads(text)
        except (ValueError, RecursionError):
            continue


def _json_ld_texts(html: str | bytes) -> Iterator[Any]:
    """The raw text of each JSON-LD block, within the scan's bounds (``MAX_BLOCKS``, ``MAX_JSON_CHARS``:
    characters of a ``str``, bytes of UTF-8 ``bytes``)."""
    budget, blocks = MAX_JSON_CHARS, 0
    utf8 = isinstance(html, bytes)
    script_end = _SCRIPT_END_UTF8 if utf8 else _SCRIPT_END
    for opening in (_LD_OPEN_UTF8 if utf8 else _LD_OPEN).finditer(html):
        end = script_end.search(html, opening.end())
        stop = len(html) if end is None else end.start()
        if stop - opening.end() > budget or blocks >= MAX_BLOCKS:
            return
        budget -= stop - opening.end()
        blocks += 1
        yield html[opening.end():stop]


def top_level_entities(data: Any) -> Iterator[dict]:
    """The entities a JSON-LD block declares at its top: the object, a list's items, an ``@graph``'s items."""
    if isinstance(data, list):
        for item in data:
            yield from top_level_entities(item)
    elif isinstance(data, dict):
        if isinstance(data.get("@graph"), list):
            yield from top_level_entities(data["@graph"])
        else:
            yield data


def entity_types(entity: dict) -> list[str]:
    """An entity's ``@type`` values, without a ``schema:`` / URL prefix."""
    raw = entity.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return [v.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values if isinstance(v, str)]


def json_ld_types(html: str | bytes) -> list[str]:
    """The ``@type`` of every top-level JSON-LD entity of a page, in order.

    >>> json_ld_types('<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
    ...               '{"@type": ["Product"], "offers": {"@type": "Offer"}}]}</script>')
    ['WebPage', 'Product']
    """
    return [t for block in json_ld_blocks(html) for e in top_level_entities(block) for t in entity_types(e)]


_MICRODATA_PRODUCT = './/*[@itemscope][contains(@itemtype, "schema.org/Product") or contains(@itemtype, "schema.org/IndividualProduct")]'
_PRODUCT_ANCESTOR = 'ancestor::*[@itemscope][contains(@itemtype, "schema.org/Product")]'


def is_product_page(html: str | bytes, root: Any | None = None) -> bool:
    """Whether a page declares itself the page of *one* product.

    True when exactly one top-level JSON-LD entity is a product
    (:data:`PRODUCT_TYPES`; a category page lists many), or, without
    JSON-LD products, when ``root`` (the parsed page, ``<head>`` included)
    has ``<meta property="og:type" content="product">`` or exactly one
    microdata ``Product`` that is not inside another one.

    >>> ld = '<script type="application/ld+json">{"@type": "Product", "name": "Caneca"}</script>'
    >>> is_product_page(ld + "<h1>Caneca</h1>"), is_product_page(ld * 3), is_product_page("<p>Olá</p>")
    (True, False, False)
    >>> is_product_page(ld.encode())   # UTF-8 bytes, as remove_boilerplate reads pages
    True
    """
    products = 0
    needles = _PRODUCT_NEEDLES_UTF8 if isinstance(html, bytes) else _PRODUCT_NEEDLES
    for text in _json_ld_texts(html):
        # a product type's name (or a JSON \\u escape that could spell one) must be in the text: others are not parsed
        if not any(needle in text for needle in needles):
            continue
        try:
            block = json.loads(text)
            products += sum(1 for e in top_level_entities(block) for t in entity_types(e) if t in PRODUCT_TYPES)
        except (ValueError, RecursionError):  # invalid, or lists nested too deep to walk
            continue
    if products:
        return products == 1
    if root is None:
        return False
    for meta in root.iter("meta"):
        if (meta.get("property") or "").lower() == "og:type" and (meta.get("content") or "").strip().lower() == "product":
            return True
    outermost = [el for el in root.xpath(_MICRODATA_PRODUCT) if not el.xpath(_PRODUCT_ANCESTOR)]
    return len(outermost) == 1
