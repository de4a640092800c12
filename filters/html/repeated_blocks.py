"""The dominant block of repeated items of a listing or collection page.

A listing (news front page, blog index, search results, product category)
is a run of sibling elements built the same way (same tag, same first class
word): one card per item, each a link with a title and often a teaser,
price or date. Every card is mostly link text, so jusText drops all of them
as "link lists". :func:`dominant_item_block` finds the largest such run so
that ``remove_boilerplate`` can keep it. Nothing here knows a site: it only
counts words and links in the DOM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"\w+")
#: a price: a currency sign or code next to a number ("$1,299", "12,50 €", "R$ 30", "EUR 9.99")
PRICE = re.compile(
    r"(?:[$€£¥₹₩₽]|R\$|\b(?:USD|EUR|GBP|BRL|CAD|AUD|CHF|JPY|INR)\b)\s?\d"
    r"|\d(?:[\d.,\s]?\d)*\s?(?:[$€£¥₹₩₽]|\b(?:USD|EUR|GBP|BRL|CAD|AUD|CHF|zł|kr)\b)"
)
#: items longer than this on average are sections or mega-menu columns, not cards
MAX_ITEM_WORDS = 300


@dataclass
class ItemBlock:
    """A run of similar sibling elements: the items, their words and link words."""

    parent: Any
    items: list[Any]
    words: int
    link_words: int


def _words(text: str | None) -> int:
    return len(_findall_words(text)) if text and not text.isspace() else 0


_findall_words = _WORD.findall


def word_tables(root: Any) -> tuple[dict[Any, int], dict[Any, int]]:
    """Words and link words under every element of ``root`` (one post-order pass)."""
    words, link_words, _ = _word_tables(root, None)
    return words, link_words


def _word_tables(root: Any, min_children: int | None) -> tuple[dict[Any, int], dict[Any, int], list[Any]]:
    """:func:`word_tables`, and the elements with at least ``min_children`` children, in document order.

    Words of each text node (``\\w+`` runs), summed up the tree; an ``<a>``'s
    words are all link words. One ``iterwalk``: a stack of the open elements'
    running counts instead of a second pass over every element's children.
    Comments and processing instructions count only their tail.
    """
    from lxml import etree

    words: dict[Any, int] = {}
    link_words: dict[Any, int] = {}
    parents: list[Any] = []
    findall = _findall_words
    # the running counts of the innermost open element in locals, its ancestors' on a stack
    n = linked = 0
    stack: list[tuple[int, int]] = []
    push, pop = stack.append, stack.pop
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event == "start":
            push((n, linked))
            text = el.text
            n = len(findall(text)) if text and not text.isspace() else 0
            linked = 0
            if min_children is not None and len(el) >= min_children:
                parents.append(el)
            continue
        if event == "end":
            if el.tag == "a":
                linked = n
            words[el] = n
            link_words[el] = linked
            inner, inner_linked = n, linked
            n, linked = pop()
            n += inner
            linked += inner_linked
        # (a comment or processing instruction: only its tail is text)
        text = el.tail
        if text and el is not root and not text.isspace():  # the root's tail is not under it
            n += len(findall(text))
    return words, link_words, parents


def item_blocks(root: Any, min_items: int = 3, min_item_words: float = 4.0,
                max_item_words: float = MAX_ITEM_WORDS,
                tables: tuple[dict[Any, int], dict[Any, int], list[Any]] | None = None) -> tuple[list[ItemBlock], int]:
    """Runs of ``min_items``+ same-shaped siblings that are link-bearing items, and the words under ``root``.

    A run qualifies when at least 80% of its items contain link text (cards
    link to their item) and its items average ``min_item_words`` words (menus
    of one- or two-word links do not). ``tables``: the word tables of
    ``root`` already counted with ``min_children=min_items``
    (:func:`corpus_sieve.filters.html.paragraphs.make_paragraphs_and_word_tables`).
    """
    # only an element with min_items children can hold a run of min_items items
    words, link_words, parents = _word_tables(root, max(min_items, 1)) if tables is None else tables
    blocks = []
    for el in parents:
        groups: dict[tuple[str, str], list[Any]] = {}
        for child in el:
            if isinstance(child.tag, str) and words[child] > 0:
                first_class = (child.get("class") or "").split()
                groups.setdefault((child.tag, first_class[0] if first_class else ""), []).append(child)
        for items in groups.values():
            if len(items) < min_items:
                continue
            n = sum(words[c] for c in items)
            linked_items = sum(1 for c in items if link_words[c] > 0)
            if linked_items >= 0.8 * len(items) and min_item_words * len(items) <= n <= max_item_words * len(items):
                blocks.append(ItemBlock(el, items, n, sum(link_words[c] for c in items)))
    return blocks, words.get(root, 0)


def dominant_item_block(root: Any, min_share: float = 0.3,
                        tables: tuple[dict[Any, int], dict[Any, int], list[Any]] | None = None) -> ItemBlock | None:
    """The largest item block under ``root`` when it holds at least ``min_share`` of its words.

    >>> from lxml import etree
    >>> cards = "".join(f'<li class="card"><a href="/{i}">Notícia número {i} sobre o tempo</a> 3 min</li>' for i in range(5))
    >>> page = etree.fromstring(f"<div><p>Últimas</p><ul>{cards}</ul></div>")
    >>> block = dominant_item_block(page)
    >>> len(block.items), block.parent.tag
    (5, 'ul')
    >>> dominant_item_block(etree.fromstring("<div><p>" + "texto " * 200 + "</p><ul>" + cards + "</ul></div>")) is None
    True
    """
    blocks, total = item_blocks(root, tables=tables)
    best = max(blocks, key=lambda b: b.words, default=None)
    if best is None or total == 0 or best.words < min_share * total:
        return None
    return best


def foreign_item_elements(root: Any, min_priced: float = 0.6, min_items: int = 3) -> set[Any]:
    """Elements of the item blocks under ``root`` that look like cards of other products.

    A block qualifies when none of its items holds an ``<h1>`` and at least
    ``min_priced`` of its items show a price (:data:`PRICE`). On the page of
    one product, those are the strips of *other* products ("you may also
    like", "customers also viewed", variants with their prices); the
    product's own sections and specification lists carry no price each.

    >>> from lxml import etree
    >>> cards = "".join(f'<li class="card"><a href="/{i}">Caneca de barro {i}</a> 12,50 €</li>' for i in range(4))
    >>> page = etree.fromstring(f'<div><h1>Prato de barro</h1><p>Feito à mão.</p><ul>{cards}</ul></div>')
    >>> sorted({el.tag for el in foreign_item_elements(page)})
    ['a', 'li']
    >>> foreign_item_elements(etree.fromstring(f'<div><ul>{cards.replace("12,50 €", "")}</ul></div>'))
    set()
    """
    words, _ = word_tables(root)
    elements: set[Any] = set()
    for parent in root.iter("*"):
        groups: dict[str, list[Any]] = {}
        for child in parent:
            if isinstance(child.tag, str) and words[child] > 0:
                groups.setdefault(child.tag, []).append(child)
        for items in groups.values():
            if len(items) < min_items or not all(words[c] <= MAX_ITEM_WORDS for c in items):
                continue
            if any(item.tag == "h1" or item.find(".//h1") is not None for item in items):
                continue
            linked = sum(1 for item in items if item.tag == "a" or item.find(".//a") is not None)
            priced = sum(1 for item in items if PRICE.search(" ".join(item.itertext())))
            if linked >= 0.8 * len(items) and priced >= min_priced * len(items):
                elements.update(el for item in items for el in item.iter())
    return elements
