"""jusText boilerplate removal: keep the main-content paragraphs of a web page."""

from __future__ import annotations

import functools
import re
from typing import Any

import polars as pl

from corpus_sieve.filters.html.parse import cap_utf8, looks_like_markup, remove_control_chars, strip_raw_blocks, utf8
from corpus_sieve.filters.html.paragraphs import CachedParagraph, paragraph_class, make_paragraphs  # noqa: F401 (re-exported)
from corpus_sieve.filters.html.paragraphs import justext_document, make_paragraphs_and_word_tables
from corpus_sieve.filters.base import Transform
from corpus_sieve.filters.registry import register

#: ISO 639 codes -> jusText stoplist names (region subtags are ignored: ``pt-BR`` -> ``pt``)
ISO_TO_STOPLIST = {
    "af": "Afrikaans", "an": "Aragonese", "ar": "Arabic", "ast": "Asturian", "az": "Azerbaijani",
    "be": "Belarusian", "bg": "Bulgarian", "bn": "Bengali", "bpy": "Bishnupriya_Manipuri",
    "br": "Breton", "bs": "Bosnian", "ca": "Catalan", "ceb": "Cebuano", "cs": "Czech",
    "cv": "Chuvash", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "eng": "English", "eo": "Esperanto", "es": "Spanish", "spa": "Spanish",
    "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "fy": "West_Frisian", "ga": "Irish", "gl": "Galician", "gu": "Gujarati", "he": "Hebrew",
    "hi": "Hindi", "hr": "Croatian", "ht": "Haitian", "hu": "Hungarian", "hy": "Armenian",
    "id": "Indonesian", "ig": "Igbo", "io": "Ido", "is": "Icelandic", "it": "Italian",
    "jv": "Javanese", "ka": "Georgian", "kk": "Kazakh", "kn": "Kannada", "ko": "Korean",
    "ku": "Kurdish", "ky": "Kyrgyz", "la": "Latin", "lb": "Luxembourgish", "lmo": "Lombard",
    "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi",
    "ms": "Malay", "mt": "Maltese", "nap": "Neapolitan", "nb": "Norwegian_Bokmal",
    "nds": "Low_Saxon", "ne": "Nepali", "new": "Newar", "nl": "Dutch", "nn": "Norwegian_Nynorsk",
    "no": "Norwegian_Bokmal", "oc": "Occitan", "pl": "Polish", "pms": "Piedmontese",
    "pnb": "Western_Panjabi", "pt": "Portuguese", "por": "Portuguese", "qu": "Quechua",
    "ro": "Romanian", "ru": "Russian", "rup": "Aromanian", "scn": "Sicilian",
    "sgs": "Samogitian", "sh": "Serbo_Croatian", "sk": "Slovak", "sl": "Slovenian",
    "sq": "Albanian", "sr": "Serbian", "su": "Sundanese", "sv": "Swedish", "sw": "Swahili",
    "ta": "Tamil", "te": "Telugu", "tk": "Turkmen", "tl": "Tagalog", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "vo": "Volapuk",
    "wa": "Walloon", "war": "Waray_Waray", "yo": "Yoruba",
}


@functools.lru_cache(maxsize=None)
def known_stoplists() -> tuple[str, ...]:
    """Names of the stoplists shipped with jusText (``"Portuguese"``, ``"English"``...)."""
    import justext

    return tuple(sorted(justext.get_stoplists()))


def resolve_stoplist_name(language: str) -> str:
    """The jusText stoplist name for ``language``: a name (any case) or an ISO code.

    >>> resolve_stoplist_name("portuguese"), resolve_stoplist_name("pt-BR"), resolve_stoplist_name("en")
    ('Portuguese', 'Portuguese', 'English')
    """
    names = known_stoplists()
    by_lower = {n.lower(): n for n in names}
    key = language.strip().lower().replace(" ", "_").replace("-", "_")
    if key in by_lower:
        return by_lower[key]
    code = re.split(r"[_-]", key, maxsplit=1)[0]
    if code in ISO_TO_STOPLIST:
        return ISO_TO_STOPLIST[code]
    raise ValueError(
        f"remove_boilerplate: no jusText stoplist for language {language!r}. "
        f"Use an ISO 639 code ({', '.join(sorted(ISO_TO_STOPLIST)[:8])}, ...), None for "
        f"language-independent mode, or one of: {', '.join(names)}"
    )


@functools.lru_cache(maxsize=None)
def load_stoplist(name: str) -> frozenset[str]:
    """The lowercased stopwords of jusText stoplist ``name`` (read once per process)."""
    import justext

    return frozenset(w.lower() for w in justext.get_stoplist(name))


# The jusText paragraph maker and classifier live in filters/html/paragraphs.py
# (output-identical rewrites of jusText's; names re-exported here).


#: the fewest items of a listing block (``corpus_sieve.filters.html.repeated_blocks.item_blocks``'s default)
ITEM_MIN_ITEMS = 3

#: languages tried by ``language="auto"`` unless ``candidate_languages`` says otherwise
DEFAULT_CANDIDATE_LANGUAGES = ("pt", "en", "es", "fr", "de", "it", "nl")
UNKNOWN_LANGUAGE_MODES = ("error", "auto", "none")


@register
class RemoveBoilerplate(Transform):
    """Keep the main text of a raw HTML page (navigation, menus, ads, footers out).

    Runs on *raw HTML*, before anything else touches the page. The output is
    plain text, one paragraph per line, in page order (entities decoded, no
    markup). A page with no main text becomes ``""`` (follow with
    ``reject_empty`` so that it is counted, not silently kept). Rows that do
    not look like HTML (no ``<`` + letter, ``/``, ``!`` or ``?``) are
    returned unchanged.

    The default backend is jusText, used in two steps (``content_root=True``):

    1. **Pre-cleaning**: comments, ``<script>``, ``<style>``, ``<svg>``,
       ``<iframe>`` are cut before parsing; ``<head>``, ``<nav>``, ``<aside>``,
       ``<footer>`` and form controls are removed from the tree.
    2. **Content region**: when the page marks its main content (``<main>``,
       ``role="main"``, ``<article>``, ``itemprop="articleBody"``) and that
       region holds at least ``min_root_share`` of the page's words, only that
       region is read; otherwise the whole body. Inside it, a paragraph is kept
       when jusText classifies it ``good`` *or* its link density is at most
       ``keep_link_density`` and it carries no ``©``: headings, list items,
       specifications and short lines of the content survive, link lists
       (menus, tag clouds, "related" blocks) do not. Paragraphs repeated
       verbatim are kept once. Pop-ups, consent banners, reviews and
       "related" blocks are pruned first; linked headings and the items of a
       listing page (its dominant block of repeated cards) are kept; on a
       page that declares one product (JSON-LD, microdata, ``og:type``),
       strips of other, priced products are dropped instead.

    ``content_root=False`` is plain jusText (its own preprocessor and
    classification; the output equals ``justext.justext``'s good paragraphs),
    and ``backend="trafilatura"`` / ``"resiliparse"`` use those libraries
    (``pip install 'corpus-sieve[html]'``). Scores and speed of each choice on
    the WCXB benchmark are in the README ("HTML extraction").

    jusText's paragraph maker and classifier run as output-identical
    rewrites (``filters/html/paragraphs.py``: no SAX bridge, whitespace
    normalised once per paragraph, linear neighbour search: ~8x faster).
    Never raises on broken, truncated, huge or oddly-encoded pages.

    Don't run ``html_to_text`` after this stage: the output is already text,
    and decoding it again would turn a page's *text* ``&lt;b&gt;`` into markup.

    Parameters
    ----------
    language : str or None, default "Portuguese"
        jusText stoplist: a name in any case (``"portuguese"``) or an ISO 639
        code, region subtags ignored (``"pt"``, ``"pt-BR"``, ``"en"``).
        ``"auto"`` picks, per page, the stoplist of ``candidate_languages``
        with the highest stopword hit-rate on the page's text (none above 5%:
        language-independent mode). ``None`` is jusText's language-independent
        mode (only length and link density count). For one stoplist per row,
        use the recipe key ``params_from_columns: {language: <column>}``.
    backend : {"justext", "trafilatura", "resiliparse"}, default "justext"
        The extractor. The optional ones need their package (checked here).
    content_root : bool, default True
        jusText backend: pre-clean and read the content region (see above);
        ``False`` is plain jusText.
    keep_link_density : float, default 0.5
        Inside the content region, paragraphs that jusText does not call good
        are kept up to this share of link characters.
    min_root_share : float, default 0.25
        The share of the page's words a ``<main>``/``<article>`` must hold to
        be taken as the content region.
    prune_chrome : bool, default True
        Before choosing the region, remove pop-ups (``<dialog>``,
        ``role="dialog"``, ``aria-modal``), ARIA chrome (``role`` navigation,
        contentinfo, complementary), ``aria-hidden="true"`` blocks and blocks
        whose class/id words name boilerplate (cookie, consent, modal, popup,
        review(s), related, upsell(s), recommended...); never one holding the
        ``<h1>``, a ``<main>`` or an ``<article>``
        (:func:`corpus_sieve.filters.html.content_region.prune_chrome`).
    keep_linked_headings : bool, default True
        Keep headings of the region even when they are links (story titles
        of a news index).
    item_block_share : float or None, default 0.3
        Listing pages: keep the whole dominant block of repeated, linked,
        same-shaped items (cards) when it holds this share of the region's
        words and twice the words of the good text outside it
        (:mod:`corpus_sieve.filters.html.repeated_blocks`). ``None`` turns it off.
    product_pages : bool, default True
        On a page that declares *one* product (a single JSON-LD/microdata
        schema.org ``Product``, or ``og:type`` product;
        :func:`corpus_sieve.filters.html.structured_data.is_product_page`), drop the strips of
        other products instead of keeping a listing block: runs of 3+ linked
        sibling items, 60%+ of them showing a price, none holding the
        ``<h1>`` ("you may also like", variants with prices;
        :func:`corpus_sieve.filters.html.repeated_blocks.foreign_item_elements`).
    prose_outside_region : bool, default True
        When jusText finds more good words outside the content region than
        inside it (a ``<main>`` holding only a product grid while the
        category's description sits below it), read the whole page; outside
        the region only paragraphs jusText itself calls good are kept.
    drop_token_soup : bool, default True
        Drop lines made mostly of 40+-character letter-and-digit tokens
        (concatenated ids, obfuscated "sponsored" markers;
        :func:`corpus_sieve.filters.html.content_region.is_token_soup`).
    form_chrome : bool, default True
        Drop the region's ``<label>`` texts and ``<fieldset>`` groups (filter
        facets, option pickers; :mod:`corpus_sieve.filters.html.precision_rules`).
    poster_chrome : bool, default True
        Drop forum/comment profile cards and signatures: elements whose
        class/id names a user's or author's details (``userinfo``,
        ``postprofile``, ``signature``...; :mod:`corpus_sieve.filters.html.precision_rules`).
    candidate_languages : sequence of str, default ("pt", "en", "es", "fr", "de", "it", "nl")
        Stoplists tried by ``language="auto"``.
    unknown_language : {"error", "auto", "none"}, default "error"
        What a ``language`` without a jusText stoplist (e.g. ``"ja"`` from a
        row's column) does: raise ``ValueError`` when the filter is built,
        detect the language, or use language-independent mode.
    length_low, length_high : int, default 70, 200
        jusText's paragraph length thresholds (characters).
    stopwords_low, stopwords_high : float, default 0.30, 0.32
        jusText's stopword density thresholds.
    max_link_density : float, default 0.2
        jusText: paragraphs with a larger share of link characters are bad.
    max_heading_distance : int, default 200
        How far (characters) good text may follow a heading that is kept.
    no_headings : bool, default False
        Don't give headings special treatment.
    max_bytes : int or None, default 5_000_000
        Only the first ``max_bytes`` bytes (UTF-8) of a page are parsed.

    Examples
    --------
    >>> page = (
    ...     "<html><body><div class='menu'><a href='/'>Início</a> | <a href='/c'>Contactos</a></div>"
    ...     "<h1>Notícias</h1>"
    ...     "<p>O Governo aprovou hoje em Conselho de Ministros um conjunto de medidas para "
    ...     "apoiar as famílias e as empresas que foram afetadas pela subida dos preços. A ministra "
    ...     "disse que o apoio vai chegar a todos os que dele precisam até ao fim do ano.</p>"
    ...     "<script>track()</script><footer>© 2024 Jornal</footer></body></html>"
    ... )
    >>> print(RemoveBoilerplate(language="pt")(page))
    Notícias
    O Governo aprovou hoje em Conselho de Ministros um conjunto de medidas para apoiar as famílias e as empresas que foram afetadas pela subida dos preços. A ministra disse que o apoio vai chegar a todos os que dele precisam até ao fim do ano.
    >>> RemoveBoilerplate(language="auto").detect_stoplist(page)
    'Portuguese'
    >>> RemoveBoilerplate()("texto simples, sem HTML")
    'texto simples, sem HTML'
    >>> RemoveBoilerplate(language="klingon")
    Traceback (most recent call last):
    ...
    ValueError: remove_boilerplate: no jusText stoplist for language 'klingon'. ...
    """

    name = "remove_boilerplate"
    #: pages are read as UTF-8 bytes: no Python ``str`` is built for a 300 KB page only to be encoded again
    accepts_utf8 = True

    def __init__(
        self,
        language: str | None = "Portuguese",
        backend: str = "justext",
        content_root: bool = True,
        keep_link_density: float = 0.5,
        min_root_share: float = 0.25,
        prune_chrome: bool = True,
        keep_linked_headings: bool = True,
        item_block_share: float | None = 0.3,
        product_pages: bool = True,
        prose_outside_region: bool = True,
        drop_token_soup: bool = True,
        form_chrome: bool = True,
        poster_chrome: bool = True,
        candidate_languages: tuple[str, ...] | list[str] = DEFAULT_CANDIDATE_LANGUAGES,
        unknown_language: str = "error",
        length_low: int = 70,
        length_high: int = 200,
        stopwords_low: float = 0.30,
        stopwords_high: float = 0.32,
        max_link_density: float = 0.2,
        max_heading_distance: int = 200,
        no_headings: bool = False,
        max_bytes: int | None = 5_000_000,
    ) -> None:
        from corpus_sieve.filters.html.backends import check_backend

        if length_low > length_high:
            raise ValueError(f"length_low ({length_low}) is greater than length_high ({length_high})")
        if stopwords_low > stopwords_high:
            raise ValueError(f"stopwords_low ({stopwords_low}) is greater than stopwords_high ({stopwords_high})")
        if unknown_language not in UNKNOWN_LANGUAGE_MODES:
            raise ValueError(f"unknown_language must be one of {UNKNOWN_LANGUAGE_MODES}, got {unknown_language!r}")
        if not 0.0 <= keep_link_density <= 1.0 or not 0.0 <= min_root_share <= 1.0:
            raise ValueError("keep_link_density and min_root_share must be between 0 and 1")
        if item_block_share is not None and not 0.0 <= item_block_share <= 1.0:
            raise ValueError("item_block_share must be between 0 and 1 (or None)")
        check_backend(backend)
        self.language = language
        self.backend = backend
        self.content_root = content_root
        self.keep_link_density = keep_link_density
        self.min_root_share = min_root_share
        self.prune_chrome = prune_chrome
        self.keep_linked_headings = keep_linked_headings
        self.item_block_share = item_block_share
        self.product_pages = product_pages
        self.prose_outside_region = prose_outside_region
        self.drop_token_soup = drop_token_soup
        self.form_chrome = form_chrome
        self.poster_chrome = poster_chrome
        self.candidate_languages = tuple(candidate_languages)
        self.unknown_language = unknown_language
        self.length_low = length_low
        self.length_high = length_high
        self.stopwords_low = stopwords_low
        self.stopwords_high = stopwords_high
        self.max_link_density = max_link_density
        self.max_heading_distance = max_heading_distance
        self.no_headings = no_headings
        self.max_bytes = max_bytes
        self.auto_language = False
        self.stoplist_name: str | None = None
        if isinstance(language, str) and language.strip().lower() == "auto":
            self.auto_language = True
        elif language is not None:
            try:
                self.stoplist_name = resolve_stoplist_name(language)
            except ValueError:
                if unknown_language == "error":
                    raise
                self.auto_language = unknown_language == "auto"
        self._candidates = {
            name: load_stoplist(name) for name in dict.fromkeys(resolve_stoplist_name(c) for c in self.candidate_languages)
        } if self.auto_language else {}

    # -- language -----------------------------------------------------------------------
    def _stoplist_for(self, paragraphs: list[Any]) -> str | None:
        if not self.auto_language:
            return self.stoplist_name
        from corpus_sieve.filters.html.content_region import guess_stoplist

        return guess_stoplist((p.text for p in paragraphs), self._candidates)

    def detect_stoplist(self, html: str | bytes) -> str | None:
        """The stoplist ``language="auto"`` picks for ``html`` (``None``: language-independent mode)."""
        from corpus_sieve.filters.html.content_region import parse_page, preclean

        root = parse_page(html, self.max_bytes)
        if root is None:
            return None
        return self._stoplist_for(make_paragraphs(preclean(root)))

    # -- jusText --------------------------------------------------------------------------
    def _classify(self, paragraphs: list[Any]) -> None:
        # output-identical rewrites of justext.core's two functions (filters/html/paragraphs.py)
        from corpus_sieve.filters.html.paragraphs import classify_paragraphs, revise_paragraph_classification

        name = self._stoplist_for(paragraphs)
        stoplist = frozenset() if name is None else load_stoplist(name)
        low, high = (0, 0) if name is None else (self.stopwords_low, self.stopwords_high)
        classify_paragraphs(
            paragraphs, stoplist, self.length_low, self.length_high,
            low, high, self.max_link_density, self.no_headings,
        )
        revise_paragraph_classification(paragraphs, self.max_heading_distance)

    def _plain_justext_paragraphs(self, html: str | bytes) -> list[Any]:
        from justext.core import JustextError, html_to_dom, preprocessor
        from lxml import etree

        data = strip_raw_blocks(cap_utf8(utf8(html), self.max_bytes), keep_noscript=True)
        dom = justext_document(data)  # jusText's parse and Cleaner, fast, for a whole document
        if dom is not None:
            return make_paragraphs(dom)
        html = remove_control_chars(data.decode("utf-8", "replace"))
        if not html.strip():
            return []
        try:
            dom = preprocessor(html_to_dom(html))
        except (etree.LxmlError, ValueError, JustextError):
            return []  # nothing parseable (e.g. only comments/scripts): no good paragraphs
        return make_paragraphs(dom)

    def paragraphs(self, html: str | bytes) -> list[Any]:
        """The classified paragraphs of one page (``.text``, ``.class_type``, ``.heading``).

        With ``content_root=True`` only the paragraphs of the content region
        are returned, and ``class_type`` is ``"good"`` for every kept one.
        """
        if not self.content_root:
            paragraphs = self._plain_justext_paragraphs(html)
            self._classify(paragraphs)
            return paragraphs
        from corpus_sieve.filters.html.content_region import has_long_token, is_token_soup, parse_page, preclean, prune_and_choose_region

        html = utf8(html)  # one reading of the page, whichever type it came as
        root = parse_page(html, self.max_bytes)
        if root is None:
            return []
        product_page = self.product_pages and _is_product_page(html, root)
        preclean(root)
        # prune_chrome + content_root in one walk; the word counts serve _with_prose_outside
        region, page_words, region_words = prune_and_choose_region(root, self.prune_chrome, self.min_root_share)
        tables = None
        if product_page or self.item_block_share is None:
            paragraphs = make_paragraphs(root if region is None else region)
        else:  # the listing check reads word counts of the same elements: one walk for both
            paragraphs, tables = make_paragraphs_and_word_tables(root if region is None else region, ITEM_MIN_ITEMS)
        self._classify(paragraphs)
        outside: set[int] = set()
        if region is None:
            region = root
        elif self.prose_outside_region:
            paragraphs, outside = self._with_prose_outside(root, region, paragraphs, page_words - region_words)
        if product_page:
            in_items: set[Any] = set()
            other_products = _other_product_elements(region)
        else:
            in_items, other_products = self._item_block_elements(region, paragraphs, tables), set()
        if self.form_chrome or self.poster_chrome:
            other_products = other_products | _detail_chrome(root if outside else region, self.form_chrome, self.poster_chrome)
        # a soup line has a 40-character token: one search over the page's text rules most pages out
        check_soup = self.drop_token_soup and has_long_token("\n".join([p.text for p in paragraphs]))
        seen: set[str] = set()
        for p in paragraphs:
            if p.element in other_products or (check_soup and is_token_soup(p.text)):
                keep = False
            elif id(p) in outside:  # outside the region only jusText's own verdict counts
                keep = p.class_type == "good"
            else:
                keep = p.class_type == "good" or (
                    p.links_density() <= self.keep_link_density and "\xa9" not in p.text
                ) or (self.keep_linked_headings and p.heading) or p.element in in_items
            if keep and p.text in seen:  # the same line twice (a title repeated for mobile)
                keep = False
            seen.add(p.text)
            p.class_type = "good" if keep else "bad"
        return paragraphs

    def _with_prose_outside(self, root: Any, region: Any, paragraphs: list[Any],
                            words_outside: int | None = None) -> tuple[list[Any], set[int]]:
        """The page's paragraphs and the ids of those outside ``region``, when the region is poor in prose.

        A ``<main>`` that holds only a product grid or a thread list while the
        page's prose (a category's description, the first post) sits outside
        it: when jusText finds more good words outside the region than inside,
        the whole page is read, and outside the region a paragraph is kept
        only when jusText itself calls it good. Otherwise ``paragraphs`` (the
        region's) and an empty set are returned unchanged.
        """
        from corpus_sieve.filters.html.content_region import count_words, first_body, word_count

        good_in = sum(count_words(p.text) for p in paragraphs if p.class_type == "good")
        if words_outside is None:  # words of the page's body outside the region
            body = first_body(root)
            words_outside = word_count(root if body is None else body) - word_count(region)
        if good_in >= words_outside:
            return paragraphs, set()  # not enough words outside to outweigh the region
        page = make_paragraphs(root)
        self._classify(page)
        inside = set(region.iter())
        outside = {id(p) for p in page if p.element not in inside}
        good_in = sum(count_words(p.text) for p in page if p.class_type == "good" and id(p) not in outside)
        good_out = sum(count_words(p.text) for p in page if p.class_type == "good" and id(p) in outside)
        if good_out <= good_in:
            return paragraphs, set()
        return page, outside

    def _item_block_elements(self, region: Any, paragraphs: list[Any], tables: Any = None) -> set[Any]:
        """Elements of the page's dominant block of repeated items, when the page is a listing.

        The block (see :mod:`corpus_sieve.filters.html.repeated_blocks`) must hold
        ``item_block_share`` of the region's words and twice the words of the
        good paragraphs outside it: an article with a "more stories" strip
        stays an article.
        """
        if self.item_block_share is None:
            return set()
        from corpus_sieve.filters.html.repeated_blocks import dominant_item_block

        block = dominant_item_block(region, self.item_block_share, tables)
        if block is None:
            return set()
        elements = {el for item in block.items for el in item.iter()}
        good_outside = sum(
            len(p.text.split()) for p in paragraphs if p.class_type == "good" and p.element not in elements
        )
        return elements if block.words >= 2 * good_outside else set()

    def extract(self, html: str | bytes) -> str:
        """The main text of one page (``str`` or UTF-8 ``bytes``), one paragraph per line."""
        if self.backend != "justext":
            from corpus_sieve.filters.html.backends import run_backend

            text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
            return run_backend(self.backend, text, self.stoplist_name, self.max_bytes)
        return "\n".join(p.text for p in self.paragraphs(html) if p.class_type == "good")

    def needs_expr(self, col: pl.Expr) -> pl.Expr:
        return looks_like_markup(col)

    def transform_batch(self, texts: list[str] | list[bytes]) -> list[str]:
        return [self.extract(t) for t in texts]


def _is_product_page(html: bytes, root: Any) -> bool:
    from corpus_sieve.filters.html.structured_data import is_product_page

    return is_product_page(html, root)


def _detail_chrome(region: Any, form_chrome: bool, poster_chrome: bool) -> set[Any]:
    from corpus_sieve.filters.html.precision_rules import detail_chrome_elements

    return detail_chrome_elements(region, form_chrome, poster_chrome)


def _other_product_elements(region: Any) -> set[Any]:
    from corpus_sieve.filters.html.repeated_blocks import foreign_item_elements

    return foreign_item_elements(region)
