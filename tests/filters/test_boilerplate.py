"""Golden and property tests for ``remove_boilerplate`` (filters/boilerplate.py)."""

from __future__ import annotations

import gzip
import json
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters import RemoveBoilerplate
from filters.boilerplate import load_stoplist, make_paragraphs, resolve_stoplist_name

WCXB_PAGES = ("0015", "0052", "0082", "0088")

PT_PAGE = (
    "<html><head><title>Jornal</title><script>var tracking = {id: 42};</script>"
    "<style>.menu { color: red }</style></head><body>"
    "<div class='menu'><a href='/'>Início</a> | <a href='/p'>Política</a> | <a href='/d'>Desporto</a></div>"
    "<h1>Governo aprova medidas</h1>"
    "<p>O Governo aprovou hoje em Conselho de Ministros um conjunto de medidas para apoiar as "
    "famílias e as empresas que foram afetadas pela subida dos preços. A ministra disse que o "
    "apoio vai chegar a todos os que dele precisam até ao fim do ano.</p>"
    "<p>Segundo o comunicado, as medidas entram em vigor no próximo mês e serão avaliadas pela "
    "Assembleia da República, que terá de votar o diploma antes do verão.</p>"
    "<!-- publicidade --><div><a href='/x'>Partilhar no Facebook</a></div>"
    "<footer>© 2024 Jornal Exemplo. Todos os direitos reservados.</footer></body></html>"
)

EN_PAGE = (
    "<html><body><nav><a href='/'>Home</a> <a href='/about'>About us</a> <a href='/login'>Login</a></nav>"
    "<article><h2>Rain expected this weekend</h2>"
    "<p>The weather service said on Friday that heavy rain is expected across the north of the "
    "country during the weekend, and it advised people to avoid travelling unless it is necessary. "
    "Local councils have prepared sandbags for the areas that were flooded last year.</p></article>"
    "<script>document.write('<p>injected paragraph that must never appear</p>')</script>"
    "<footer><a href='/privacy'>Privacy policy</a> © 2024</footer></body></html>"
)


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().lower()


def _wcxb(shared_data, fid: str) -> tuple[str, dict]:
    root = shared_data / "html" / "wcxb-dev"
    raw = gzip.decompress((root / "html" / f"{fid}.html.gz").read_bytes()).decode("utf-8", "replace")
    gold = json.loads((root / "ground-truth" / f"{fid}.json").read_text())["ground_truth"]
    return raw, gold


# -- golden examples ---------------------------------------------------------------

def test_portuguese_page() -> None:
    out = RemoveBoilerplate(language="pt")(PT_PAGE)
    lines = out.split("\n")
    assert lines[0] == "Governo aprova medidas"  # a heading followed by good text is kept as a line
    assert lines[1].startswith("O Governo aprovou hoje")
    assert lines[2].startswith("Segundo o comunicado")
    for junk in ("Início", "Desporto", "Partilhar", "©", "tracking", "color: red", "publicidade", "Jornal</"):
        assert junk not in out


def test_english_page() -> None:
    out = RemoveBoilerplate(language="en")(EN_PAGE)
    assert out.split("\n") == [
        "Rain expected this weekend",
        out.split("\n")[1],
    ]
    assert out.split("\n")[1].startswith("The weather service said on Friday")
    for junk in ("Home", "About us", "Privacy", "injected", "document.write"):
        assert junk not in out


def test_no_headings_drops_short_headings() -> None:
    out = RemoveBoilerplate(language="en", no_headings=True)(EN_PAGE)
    assert "Rain expected this weekend" not in out
    assert "The weather service" in out


def test_wrong_language_stoplist_loses_text() -> None:
    # the stoplist matters: English stopwords do not make Portuguese prose "good"
    assert "O Governo aprovou" not in RemoveBoilerplate(language="en")(PT_PAGE)


def test_language_independent_mode() -> None:
    out = RemoveBoilerplate(language=None)(PT_PAGE)
    assert "O Governo aprovou hoje" in out
    assert "Início" not in out


def test_rows_without_html_are_untouched() -> None:
    f = RemoveBoilerplate()
    for text in ("texto simples", "a < b", "amo-te <3", ""):
        assert f(text) == text


def test_page_without_good_text_becomes_empty() -> None:
    f = RemoveBoilerplate()
    assert f("<div><a href='/'>Início</a> <a href='/c'>Contactos</a></div>") == ""
    assert f("<!-- só um comentário -->") == ""
    assert f("<script>nada()</script>") == ""


# -- language parameter --------------------------------------------------------------

@pytest.mark.parametrize(
    "language, name",
    [("Portuguese", "Portuguese"), ("portuguese", "Portuguese"), ("PT", "Portuguese"),
     ("pt-BR", "Portuguese"), ("pt_PT", "Portuguese"), ("en", "English"), ("english", "English"),
     ("norwegian bokmal", "Norwegian_Bokmal"), ("es", "Spanish")],
)
def test_language_names_and_codes(language: str, name: str) -> None:
    assert resolve_stoplist_name(language) == name
    assert RemoveBoilerplate(language=language).stoplist_name == name


def test_unknown_language_error_lists_stoplists() -> None:
    with pytest.raises(ValueError, match="klingon") as err:
        RemoveBoilerplate(language="klingon")
    assert "Portuguese" in str(err.value) and "English" in str(err.value)


def test_stoplist_is_cached() -> None:
    assert load_stoplist("Portuguese") is load_stoplist("Portuguese")
    assert "de" in load_stoplist("Portuguese") and "the" in load_stoplist("English")


def test_invalid_thresholds() -> None:
    with pytest.raises(ValueError):
        RemoveBoilerplate(length_low=300, length_high=200)
    with pytest.raises(ValueError):
        RemoveBoilerplate(stopwords_low=0.5, stopwords_high=0.3)


def test_params() -> None:
    params = RemoveBoilerplate(language="pt").get_params()
    assert params["language"] == "pt" and params["length_low"] == 70 and params["max_link_density"] == 0.2


def test_str_series_dataframe_lazyframe_agree() -> None:
    f = RemoveBoilerplate(language="pt")
    texts = [PT_PAGE, "sem html", None, "<p>curto</p>"]
    expected = [None if t is None else f(t) for t in texts]
    assert f(pl.Series("text", texts)).to_list() == expected
    df = pl.DataFrame({"html": texts})
    assert f(df, column="html")["html"].to_list() == expected
    assert f(df.lazy(), column="html").collect()["html"].to_list() == expected


# -- real pages (WCXB) --------------------------------------------------------------

@pytest.mark.parametrize("fid", WCXB_PAGES)
def test_wcxb_with_kept_without_dropped(shared_data, fid: str) -> None:
    raw, gold = _wcxb(shared_data, fid)
    out = RemoveBoilerplate(language="en")(raw)
    for snippet in gold["with"]:
        assert _norm(snippet) in _norm(out)
    lines = {_norm(line) for line in out.split("\n")}
    for snippet in gold["without"]:
        assert _norm(snippet) not in lines
    assert "<script" not in out.lower() and "function(" not in out


@pytest.mark.parametrize("fid", WCXB_PAGES[:2])
def test_paragraph_maker_is_identical_to_justext(shared_data, fid: str) -> None:
    from justext.core import ParagraphMaker, html_to_dom, preprocessor

    raw, _ = _wcxb(shared_data, fid)
    dom = preprocessor(html_to_dom(raw))

    def fields(ps):
        return [(p.text, p.dom_path, p.chars_count_in_links, p.tags_count) for p in ps]

    assert fields(make_paragraphs(dom)) == fields(ParagraphMaker.make_paragraphs(dom))


@pytest.mark.parametrize("fid", WCXB_PAGES[:2])
def test_same_good_paragraphs_as_plain_justext(shared_data, fid: str) -> None:
    import justext

    raw, _ = _wcxb(shared_data, fid)
    plain = [p.text for p in justext.justext(raw, justext.get_stoplist("English")) if not p.is_boilerplate]
    assert RemoveBoilerplate(language="en")(raw).split("\n") == plain


# -- properties ---------------------------------------------------------------------

_html_bits = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<a href='x'>", "</a>", "<br>", "<h1>", "</h1>", "<script>",
    "</script>", "<!--", "-->", "<svg>", "</svg>", "<noscript>", "&amp;", "&#233;", "<", ">", "\x00",
    "<?xml version='1.0' encoding='latin-1'?>", "o Governo aprovou as medidas de que ", "the and of ",
])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(_html_bits, st.text(max_size=6)), max_size=30).map("".join))
def test_never_raises(html: str) -> None:
    assert isinstance(RemoveBoilerplate()(html), str)
