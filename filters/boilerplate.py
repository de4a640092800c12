"""jusText boilerplate removal: keep the main-content paragraphs of a web page."""

from __future__ import annotations

import functools
import re
from typing import Any

import polars as pl

from filters._html import cap_bytes, looks_like_markup, remove_control_chars, strip_raw_blocks
from filters.base import Transform
from filters.registry import register

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


# -- a faster, output-identical jusText paragraph maker --------------------------
#
# jusText walks the DOM through lxml's pure-Python SAX bridge and recomputes
# each paragraph's text (join + whitespace regex) every time a classifier
# looks at it. Those two costs are ~80% of its time on real pages. The maker
# below feeds jusText's own handler logic from ``etree.iterwalk`` and caches
# the text; classification is jusText's own code. Outputs are identical to
# ``justext.justext`` (checked on the 600 WCXB pages).


def _paragraph_class() -> type:
    from justext.paragraph import Paragraph
    from justext.utils import normalize_whitespace

    class CachedParagraph(Paragraph):
        def __init__(self, names: tuple[str, ...]) -> None:
            self.names = names
            self.text_nodes: list[str] = []
            self.chars_count_in_links = 0
            self.tags_count = 0
            self.class_type = ""
            self._text: str | None = None
            self._dom: str | None = None
            self.element: Any = None  # the element holding the paragraph's first text

        @property
        def dom_path(self) -> str:  # type: ignore[override]
            if self._dom is None:
                self._dom = ".".join(self.names)
            return self._dom

        @property
        def text(self) -> str:  # type: ignore[override]
            if self._text is None:
                self._text = normalize_whitespace("".join(self.text_nodes).strip())
            return self._text

        def append_text(self, text: str) -> str:
            text = normalize_whitespace(text)
            self.text_nodes.append(text)
            self._text = None
            return text

    return CachedParagraph


@functools.lru_cache(maxsize=1)
def _cached_paragraph() -> type:
    return _paragraph_class()


def make_paragraphs(root: Any) -> list[Any]:
    """jusText's ``ParagraphMaker.make_paragraphs``, without the SAX bridge."""
    from justext.core import PARAGRAPH_TAGS
    from justext.utils import is_blank
    from lxml import etree

    paragraph_cls = _cached_paragraph()
    path: list[str] = []
    paragraphs: list[Any] = []
    state = {"paragraph": paragraph_cls(()), "link": False, "br": False}

    def new_paragraph() -> None:
        p = state["paragraph"]
        # jusText tests ``self.paragraph and ...``: Paragraph.__len__ makes a
        # paragraph whose text is only whitespace (a lone <br>) falsy
        if p.text_nodes and p.text:
            paragraphs.append(p)
        state["paragraph"] = paragraph_cls(tuple(path))

    def characters(content: str | None, owner: Any) -> None:
        if not content or is_blank(content):
            return
        p = state["paragraph"]
        if p.element is None:
            p.element = owner
        text = p.append_text(content)
        if state["link"]:
            p.chars_count_in_links += len(text)
        state["br"] = False

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if not isinstance(tag, str):  # comments, PIs, entities: only their tail is text
            if event == "end":
                characters(el.tail, el.getparent())
            continue
        name = tag.rsplit("}", 1)[-1]
        if event == "start":
            path.append(name)
            if name in PARAGRAPH_TAGS or (name == "br" and state["br"]):
                if name == "br":
                    state["paragraph"].tags_count -= 1
                new_paragraph()
            else:
                state["br"] = name == "br"
                if state["br"]:
                    state["paragraph"].append_text(" ")
                elif name == "a":
                    state["link"] = True
                state["paragraph"].tags_count += 1
            characters(el.text, el)
        else:
            path.pop()
            if name in PARAGRAPH_TAGS:
                new_paragraph()
            if name == "a":
                state["link"] = False
            characters(el.tail, el.getparent())
    new_paragraph()
    return paragraphs


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
       verbatim are kept once.

    ``content_root=False`` is plain jusText (its own preprocessor and
    classification; the output equals ``justext.justext``'s good paragraphs),
    and ``backend="trafilatura"`` / ``"resiliparse"`` use those libraries
    (``pip install 'corpus-sieve[html]'``). Scores and speed of each choice on
    the WCXB benchmark are in the README ("HTML extraction").

    The jusText DOM walk is an output-identical rewrite of jusText's (no SAX
    bridge, cached paragraph texts: ~4x faster); classification is jusText's
    own code. Never raises on broken, truncated, huge or oddly-encoded pages.

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

    def __init__(
        self,
        language: str | None = "Portuguese",
        backend: str = "justext",
        content_root: bool = True,
        keep_link_density: float = 0.5,
        min_root_share: float = 0.25,
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
        from filters.html_backends import check_backend

        if length_low > length_high:
            raise ValueError(f"length_low ({length_low}) is greater than length_high ({length_high})")
        if stopwords_low > stopwords_high:
            raise ValueError(f"stopwords_low ({stopwords_low}) is greater than stopwords_high ({stopwords_high})")
        if unknown_language not in UNKNOWN_LANGUAGE_MODES:
            raise ValueError(f"unknown_language must be one of {UNKNOWN_LANGUAGE_MODES}, got {unknown_language!r}")
        if not 0.0 <= keep_link_density <= 1.0 or not 0.0 <= min_root_share <= 1.0:
            raise ValueError("keep_link_density and min_root_share must be between 0 and 1")
        check_backend(backend)
        self.language = language
        self.backend = backend
        self.content_root = content_root
        self.keep_link_density = keep_link_density
        self.min_root_share = min_root_share
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
        from filters.extract_main import guess_stoplist

        return guess_stoplist((p.text for p in paragraphs), self._candidates)

    def detect_stoplist(self, html: str) -> str | None:
        """The stoplist ``language="auto"`` picks for ``html`` (``None``: language-independent mode)."""
        from filters.extract_main import parse_page, preclean

        root = parse_page(html, self.max_bytes)
        if root is None:
            return None
        return self._stoplist_for(make_paragraphs(preclean(root)))

    # -- jusText --------------------------------------------------------------------------
    def _classify(self, paragraphs: list[Any]) -> None:
        from justext.core import classify_paragraphs, revise_paragraph_classification

        name = self._stoplist_for(paragraphs)
        stoplist = frozenset() if name is None else load_stoplist(name)
        low, high = (0, 0) if name is None else (self.stopwords_low, self.stopwords_high)
        classify_paragraphs(
            paragraphs, stoplist, self.length_low, self.length_high,
            low, high, self.max_link_density, self.no_headings,
        )
        revise_paragraph_classification(paragraphs, self.max_heading_distance)

    def _plain_justext_paragraphs(self, html: str) -> list[Any]:
        from justext.core import JustextError, html_to_dom, preprocessor
        from lxml import etree

        html = remove_control_chars(strip_raw_blocks(cap_bytes(html, self.max_bytes), keep_noscript=True))
        if not html.strip():
            return []
        try:
            dom = preprocessor(html_to_dom(html))
        except (etree.LxmlError, ValueError, JustextError):
            return []  # nothing parseable (e.g. only comments/scripts): no good paragraphs
        return make_paragraphs(dom)

    def paragraphs(self, html: str) -> list[Any]:
        """The classified paragraphs of one page (``.text``, ``.class_type``, ``.heading``).

        With ``content_root=True`` only the paragraphs of the content region
        are returned, and ``class_type`` is ``"good"`` for every kept one.
        """
        if not self.content_root:
            paragraphs = self._plain_justext_paragraphs(html)
            self._classify(paragraphs)
            return paragraphs
        from filters.extract_main import content_root, parse_page, preclean

        root = parse_page(html, self.max_bytes)
        if root is None:
            return []
        preclean(root)
        region = content_root(root, self.min_root_share)
        paragraphs = make_paragraphs(root if region is None else region)
        self._classify(paragraphs)
        seen: set[str] = set()
        for p in paragraphs:
            keep = p.class_type == "good" or (
                p.links_density() <= self.keep_link_density and "\xa9" not in p.text
            )
            if keep and p.text in seen:  # the same line twice (a title repeated for mobile)
                keep = False
            seen.add(p.text)
            p.class_type = "good" if keep else "bad"
        return paragraphs

    def extract(self, html: str) -> str:
        """The main text of one page, one paragraph per line."""
        if self.backend != "justext":
            from filters.html_backends import run_backend

            return run_backend(self.backend, html, self.stoplist_name, self.max_bytes)
        return "\n".join(p.text for p in self.paragraphs(html) if p.class_type == "good")

    def needs_expr(self, col: pl.Expr) -> pl.Expr:
        return looks_like_markup(col)

    def transform_batch(self, texts: list[str]) -> list[str]:
        return [self.extract(t) for t in texts]
