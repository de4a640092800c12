"""Precision rules of ``remove_boilerplate``: blocks inside the content region that are never main text.

The content region keeps every link-light paragraph (headings, list items,
short lines), so chrome that sits *inside* it leaks into the output. Two
kinds are recognised from generic HTML semantics (measured on the dev half of
WCXB, checked on its held-out half; see the README's "HTML extraction"):

* **form chrome**: ``<fieldset>`` groups and ``<label>`` texts. Form
  controls are removed before parsing, and ``<form>`` is unwrapped (some
  sites wrap the whole page in one), which leaves the labels and the groups
  of filter facets ("Brand", "Price range", "Sort by") behind.
* **poster chrome**: the profile card and signature around a forum post or
  comment: elements whose class/id, separators removed, names a user's or
  author's details (:data:`POSTER_CHROME_NAMES`: ``userinfo``,
  ``message-userDetails``, ``postprofile``, ``signature``...). The post's
  text sits beside them, never inside.

One walk over the region; elements are matched with string tests only.
"""

from __future__ import annotations

import re
from typing import Any

#: class/id substrings (lowercased, ``-``/``_``/spaces removed) of a poster's card or signature
POSTER_CHROME_NAMES = (
    "userinfo", "userdetails", "userextras", "userstats", "usertitle", "userbanner", "userblurb",
    "authorinfo", "postauthor", "postprofile", "memberinfo", "signature",
)
#: a lowercased class/id holding none of these cannot hold a name of :data:`POSTER_CHROME_NAMES`
_POSTER_HINTS = ("user", "author", "profile", "member", "signature")


_SEPARATORS = re.compile(r"[^a-z0-9]+")


def _squashed(raw: str) -> str:
    """A lowercased class/id string without separators (``"message-userDetails"`` -> ``messageuserdetails``)."""
    return _SEPARATORS.sub("", raw)


def is_poster_chrome(el: Any) -> bool:
    """Whether an element's class/id names a poster's profile card or signature.

    >>> from lxml import etree
    >>> is_poster_chrome(etree.fromstring('<div class="message-userDetails"/>'))
    True
    >>> is_poster_chrome(etree.fromstring('<div class="post_signature"/>')), is_poster_chrome(etree.fromstring('<div class="user-content"/>'))
    (True, False)
    """
    raw = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if not any(h in raw for h in _POSTER_HINTS):
        return False
    squashed = _squashed(raw)
    return any(name in squashed for name in POSTER_CHROME_NAMES)


def detail_chrome_elements(region: Any, form_chrome: bool = True, poster_chrome: bool = True) -> set[Any]:
    """Elements of ``region`` whose paragraphs are chrome: form groups and labels, poster cards and signatures.

    A paragraph is dropped when the element holding its first text is in
    the returned set: every element inside a ``<fieldset>`` or a poster
    card (:func:`is_poster_chrome`), and each ``<label>`` itself (a label
    wrapping a whole product option keeps the option's own paragraphs).

    >>> from lxml import etree
    >>> page = etree.fromstring('<div><p>Texto</p><fieldset><legend>Marca</legend><p>Sony</p></fieldset>'
    ...                         '<label>Ordenar</label><div class="userInfo"><b>Membro</b></div></div>')
    >>> sorted(el.tag for el in detail_chrome_elements(page))
    ['b', 'div', 'fieldset', 'label', 'legend', 'p']
    """
    found: set[Any] = set()
    if form_chrome:
        for el in region.iter("fieldset", "label"):
            if el.tag == "label":
                found.add(el)
            else:
                found.update(el.iter())
    if poster_chrome:
        hints = _POSTER_HINTS
        for el in region.iter("*"):
            get = el.get
            names, ident = get("class"), get("id")
            if names is None and ident is None:
                continue
            raw = f"{names or ''} {ident or ''}".lower()
            # the hint test is a cheap necessary condition for the squashed-name test
            if any(h in raw for h in hints) and any(n in _squashed(raw) for n in POSTER_CHROME_NAMES):
                found.update(el.iter())
    return found
