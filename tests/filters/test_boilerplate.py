"""Golden and property tests for ``remove_boilerplate`` (filters/html/remove_boilerplate.py)."""

from __future__ import annotations

import gzip
import json
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import RemoveBoilerplate
from corpus_sieve.filters.html.remove_boilerplate import load_stoplist, make_paragraphs, resolve_stoplist_name

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
    # plain jusText: the content-region rule would keep a link-free heading anyway
    out = RemoveBoilerplate(language="en", no_headings=True, content_root=False)(EN_PAGE)
    assert "Rain expected this weekend" not in out
    assert "The weather service" in out


def test_wrong_language_stoplist_loses_text() -> None:
    # the stoplist matters: English stopwords do not make Portuguese prose "good"
    assert "O Governo aprovou" not in RemoveBoilerplate(language="en", content_root=False)(PT_PAGE)


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
    assert RemoveBoilerplate(language="en", content_root=False)(raw).split("\n") == plain


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


# -- content region (default) --------------------------------------------------------

def test_content_region_keeps_headings_and_list_items_of_the_article() -> None:
    page = (
        "<html><body><header><a href='/'>Jornal</a></header><nav><a href='/a'>Política</a> <a href='/b'>Economia</a></nav>"
        "<main><h1>Como poupar energia</h1><p>A factura da electricidade subiu e há gestos simples que "
        "qualquer família pode adoptar em casa para gastar menos energia durante o inverno que aí vem.</p>"
        "<ul><li>Desligar os aparelhos da tomada</li><li>Lavar a roupa a 30 graus</li></ul></main>"
        "<aside><p>Leia também: as dez praias mais bonitas do país, escolhidas pelos leitores do jornal.</p></aside>"
        "<footer>Termos e condições</footer></body></html>"
    )
    out = RemoveBoilerplate(language="pt")(page).split("\n")
    assert out == [
        "Como poupar energia", out[1], "Desligar os aparelhos da tomada", "Lavar a roupa a 30 graus",
    ]
    assert out[1].startswith("A factura da electricidade")
    plain = RemoveBoilerplate(language="pt", content_root=False)(page)
    assert "Lavar a roupa a 30 graus" not in plain  # plain jusText loses the short list items


def test_link_lists_inside_the_region_are_dropped() -> None:
    page = (
        "<main><p>The council approved the new budget on Tuesday after a long debate about the cost "
        "of public transport and the repairs that the old bridge needs before the winter.</p>"
        "<ul><li><a href='/1'>Related: bridge repairs</a></li><li><a href='/2'>Related: bus fares</a></li></ul>"
        "<p>Text with a <a href='/x'>link</a> that is mostly plain words.</p></main>"
    )
    out = RemoveBoilerplate(language="en")(page)
    assert "Related" not in out
    assert "Text with a link that is mostly plain words." in out


# -- language -------------------------------------------------------------------------

def test_auto_language_picks_the_stoplist_per_page() -> None:
    f = RemoveBoilerplate(language="auto")
    assert f.detect_stoplist(PT_PAGE) == "Portuguese"
    assert f.detect_stoplist(EN_PAGE) == "English"
    assert f.detect_stoplist("<p>12345 67890</p>") is None
    assert "O Governo aprovou hoje" in f(PT_PAGE) and "The weather service" in f(EN_PAGE)
    assert RemoveBoilerplate(language="auto", candidate_languages=["en"]).detect_stoplist(PT_PAGE) in (None, "English")


def test_auto_language_on_real_portuguese_text(shared_data) -> None:
    rows = (shared_data / "pt-varieties" / "dslcc2-test-gold-pt.tsv").read_text(encoding="utf-8").splitlines()[:8]
    page = "<html><body>" + "".join(f"<p>{row.split(chr(9))[0]}</p>" for row in rows) + "</body></html>"
    assert RemoveBoilerplate(language="auto").detect_stoplist(page) == "Portuguese"


@pytest.mark.parametrize("mode, expected", [("auto", "Portuguese"), ("none", None)])
def test_unknown_language_modes(mode: str, expected: str | None) -> None:
    f = RemoveBoilerplate(language="ja", unknown_language=mode)
    assert f.stoplist_name is None
    assert f.detect_stoplist(PT_PAGE) == expected
    assert "O Governo aprovou hoje" in f(PT_PAGE)
    with pytest.raises(ValueError):
        RemoveBoilerplate(language="ja")
    with pytest.raises(ValueError):
        RemoveBoilerplate(unknown_language="guess")


# -- robustness: broken, truncated, mis-declared encoding, enormous ------------------

@pytest.mark.parametrize("content_root", [True, False])
def test_hostile_pages_never_crash(content_root: bool) -> None:
    f = RemoveBoilerplate(language="pt", content_root=content_root)
    body = "<p>O Governo aprovou hoje em Conselho de Ministros um conjunto de medidas para apoiar as famílias.</p>"
    pages = [
        PT_PAGE[: len(PT_PAGE) // 2],  # truncated mid-paragraph
        "<html><body><div><p>sem fecho<div><table><tr><td>x" + body,  # unclosed everything
        '<?xml version="1.0" encoding="latin-1"?><html><body>' + body + "</body></html>",  # declaration in a str
        '<meta charset="windows-1252"><p>' + "Ã§Ã£o Ã© " * 30 + "</p>",  # UTF-8 read as cp1252: mojibake text
        '<meta charset="iso-8859-1">' + body,  # a charset that lies about an already-decoded str
        "<div>" * 5000 + body + "</div>" * 5000,  # nesting deeper than libxml2's limit
        "\x00\x01<p>\x0bcontrol\x1f chars</p>\ufffd",
        "<" * 10_000 + body,
        "",
    ]
    for page in pages:
        assert isinstance(f(page), str)
    if not content_root:
        return  # plain jusText may call a lone short paragraph boilerplate; it must only not crash
    assert "O Governo aprovou" in f('<?xml version="1.0" encoding="latin-1"?><html><body>' + body + "</body></html>")
    assert "O Governo aprovou" in f('<meta charset="iso-8859-1">' + body)


def test_enormous_page_is_capped() -> None:
    body = "<p>O Governo aprovou hoje em Conselho de Ministros um conjunto de medidas para apoiar as famílias.</p>"
    page = "<html><body>" + body * 60_000 + "<p>FIM DO DOCUMENTO</p></body></html>"  # ~6 MB
    out = RemoveBoilerplate(language="pt", max_bytes=200_000)(page)
    assert "O Governo aprovou" in out and "FIM DO DOCUMENTO" not in out


def test_mis_decoded_real_page(shared_data) -> None:
    # a real page decoded with the wrong codec (latin-1 over UTF-8 bytes): mojibake, not a crash
    raw = gzip.decompress((shared_data / "html" / "wcxb-dev" / "html" / "0015.html.gz").read_bytes())
    out = RemoveBoilerplate(language="en")(raw.decode("latin-1"))
    assert isinstance(out, str) and out


# -- optional backends ------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["trafilatura", "resiliparse"])
def test_optional_backends(backend: str) -> None:
    pytest.importorskip(backend)
    f = RemoveBoilerplate(language="en", backend=backend)
    out = f(EN_PAGE)
    assert "The weather service said on Friday" in out
    assert "injected" not in out
    for page in ("<div>" * 5000 + "x", "\x00<p", "", "<p>texto simples</p>"):
        assert isinstance(f(page), str)
    assert f("sem html") == "sem html"


def test_unknown_backend() -> None:
    with pytest.raises(ValueError, match="backend"):
        RemoveBoilerplate(backend="readability")


def test_missing_backend_package_is_reported_up_front(monkeypatch) -> None:
    import corpus_sieve.filters.html.backends as hb

    monkeypatch.setattr(hb, "backend_available", lambda name: name == "justext")
    with pytest.raises(ImportError, match="corpus-sieve\\[html\\]"):
        RemoveBoilerplate(backend="trafilatura")
