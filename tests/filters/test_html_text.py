"""Golden and property tests for ``html_to_text`` (filters/html/html_to_text.py)."""

from __future__ import annotations

import gzip
import json
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import HtmlToText
from corpus_sieve.filters.html.parse import strip_raw_blocks

to_text = HtmlToText()

WCXB_PAGES = ("0015", "0052", "0082", "0088")


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().lower()


def _wcxb(shared_data, fid: str) -> tuple[str, dict]:
    root = shared_data / "html" / "wcxb-dev"
    raw = gzip.decompress((root / "html" / f"{fid}.html.gz").read_bytes()).decode("utf-8", "replace")
    gold = json.loads((root / "ground-truth" / f"{fid}.json").read_text())["ground_truth"]
    return raw, gold


# -- golden examples ---------------------------------------------------------------

@pytest.mark.parametrize(
    "html, expected",
    [
        # entities: named, decimal, hex
        ("<p>Caf&eacute; &amp; p&#227;o &#xE9; bom</p>", "Café & pão é bom"),
        ("<p>Fish &amp; chips &lt;3</p>", "Fish & chips <3"),
        # inline elements add nothing inside words
        ("<p>pala<b>vra</b> e <i>outra</i><span>s</span></p>", "palavra e outras"),
        ("<p>un<a href='#'>believ</a>able</p>", "unbelievable"),
        # block elements become line breaks
        ("<h1>Título</h1><p>Primeiro parágrafo.</p><div>Segundo</div>", "Título\nPrimeiro parágrafo.\nSegundo"),
        ("linha um<br>linha dois<br/>linha três", "linha um\nlinha dois\nlinha três"),
        ("<ul><li>maçã<li>pêra</ul>", "maçã\npêra"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("<section><article><h2>News</h2><p>Body text.</p></article></section>", "News\nBody text."),
        # script, style, noscript, template, svg, iframe, comments, head: dropped
        ("<p>a<script>var s = '<p>x</p>';</script>b</p>", "ab"),
        ("<style>p { color: red }</style><p>texto</p>", "texto"),
        ("<p>ok</p><noscript>Ative o JavaScript</noscript>", "ok"),
        ("<template><p>hidden</p></template><p>shown</p>", "shown"),
        ("<p>antes<svg><text>icon</text></svg>depois</p>", "antes depois"),
        ("<p>x<iframe src='a'>fallback</iframe>y</p>", "x y"),
        ("<p>sem<!-- comentário -->espaço</p>", "semespaço"),
        ("<html><head><title>T</title></head><body><p>corpo</p></body></html>", "corpo"),
        # whitespace collapses; <pre> keeps its line breaks
        ("<p>Olá\n    mundo   !</p>", "Olá mundo !"),
        ("<pre>a = 1\nb = 2</pre>", "a = 1\nb = 2"),
    ],
)
def test_golden(html: str, expected: str) -> None:
    assert to_text(html) == expected
    assert HtmlToText(parser="lxml")(html) == expected


@pytest.mark.parametrize(
    "text",
    [
        "amo-te <3",
        "se a < b e b > c então a < c",
        "I <3 NY",
        "preço: 5 < 10 €",
        "Texto simples sem marcação nenhuma.",
        "linha 1\nlinha 2",
    ],
)
def test_plain_text_is_untouched(text: str) -> None:
    assert to_text(text) == text
    frame = pl.DataFrame({"text": [text]})
    assert not frame.select(to_text.needs_expr(pl.col("text"))).item()


def test_entity_only_rows_are_unescaped_keeping_newlines(shared_data) -> None:
    # real ToLD-Br tweets: Twitter escapes &, < and > in its API output
    tweets = pl.read_csv(shared_data / "social" / "told-br.csv")["text"]
    escaped = tweets.filter(tweets.str.contains("&lt;3") & ~tweets.str.contains("<")).head(5)
    assert escaped.len() >= 1
    for tweet in escaped:
        out = to_text(tweet)
        assert "&lt;" not in out and "<3" in out
        assert out.count("\n") == tweet.count("\n")


def test_told_br_plain_tweets_unchanged(shared_data) -> None:
    tweets = pl.read_csv(shared_data / "social" / "told-br.csv")["text"].head(2000)
    out = to_text(tweets)
    untouched = ~tweets.str.contains(r"<[a-zA-Z/!?]") & ~tweets.str.contains(r"&[#a-zA-Z0-9]+;")
    assert (out.filter(untouched) == tweets.filter(untouched)).all()


def test_broken_and_truncated_html() -> None:
    assert to_text("<p>frase cortada a me") == "frase cortada a me"
    assert to_text("<div><p>sem fecho<div>outro") == "sem fecho\noutro"
    assert to_text("</p></div>só fechos") == "só fechos"
    assert to_text("<b") == ""
    assert to_text("<p>x\x00y</p>") == "xy"
    assert to_text("<!-- nunca fechado <p>texto") == ""
    assert to_text("<script>nunca fechado") == ""
    assert to_text('<?xml version="1.0" encoding="latin-1"?><p>olá</p>') == "olá"
    assert to_text("<div>" * 3000 + "fundo" + "</div>" * 3000) == "fundo"


def test_max_bytes_truncates_before_parsing() -> None:
    html = "<p>" + "palavra " * 1000 + "</p><p>FIM</p>"
    assert "FIM" in HtmlToText()(html)
    assert "FIM" not in HtmlToText(max_bytes=500)(html)
    assert HtmlToText(max_bytes=500)(html).startswith("palavra palavra")
    # a multi-byte character is never cut in half
    assert HtmlToText(max_bytes=4)("<p>é</p>") == ""
    with pytest.raises(ValueError):
        HtmlToText(max_bytes=0)


def test_str_series_dataframe_lazyframe_agree() -> None:
    texts = ["<p>Olá <b>mundo</b></p>", "sem html <3", None, "Tom &amp; Jerry", "<ul><li>a<li>b</ul>"]
    expected = [None if t is None else to_text(t) for t in texts]
    series = pl.Series("text", texts)
    assert to_text(series).to_list() == expected
    df = pl.DataFrame({"id": [1, 2, 3, 4, 5], "body": texts})
    assert to_text(df, column="body")["body"].to_list() == expected
    assert to_text(df.lazy(), column="body").collect()["body"].to_list() == expected
    assert to_text(df, column="body")["id"].to_list() == [1, 2, 3, 4, 5]


def test_registered_and_params() -> None:
    from corpus_sieve.filters import get_filter_class

    assert get_filter_class("html_to_text") is HtmlToText
    assert HtmlToText(max_bytes=10).get_params() == {"max_bytes": 10, "parser": "bs4"}
    assert HtmlToText(parser="lxml").parser == "lxml"
    with pytest.raises(ValueError, match="parser"):
        HtmlToText(parser="html5lib")


# -- real pages (WCXB) --------------------------------------------------------------

@pytest.mark.parametrize("fid", WCXB_PAGES)
def test_wcxb_gold_snippets_survive_and_scripts_never_leak(shared_data, fid: str) -> None:
    raw, gold = _wcxb(shared_data, fid)
    text = to_text(raw)
    for snippet in gold["with"]:
        assert _norm(snippet) in _norm(text)
    assert "<script" not in text.lower() and "</" not in text
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", raw, flags=re.S | re.I)
    for body in scripts:
        chunk = body.strip()[:60]
        if len(chunk) >= 30 and not re.search(r"[<>&]", chunk):
            assert chunk not in text


def test_prestrip_keeps_the_same_text(shared_data) -> None:
    # cutting scripts/styles/comments before parsing must not change the text
    raw, _ = _wcxb(shared_data, WCXB_PAGES[0])
    stripped = strip_raw_blocks(raw)
    assert len(stripped) < len(raw)
    assert to_text(stripped) == to_text(raw)


# -- properties ---------------------------------------------------------------------

_html_bits = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<br>", "<script>", "</script>", "<!--", "-->",
    "<svg>", "</svg>", "<iframe/>", "&amp;", "&eacute;", "&#233;", "&#xZZ;", "<", ">", "&", "<3",
    "olá", "mundo", " ", "\n", "\x00", "<?xml?>", "<![CDATA[", "]]>", "<a href='", "'>",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_html_bits, st.text(max_size=8)), max_size=30).map("".join))
def test_never_raises(html: str) -> None:
    out = to_text(html)
    assert isinstance(out, str)
    assert "<script" not in out.lower() or "<script" in html.lower()


# -- the two parsers: bs4 (default, BeautifulSoup + lxml builder) and lxml ------------

to_text_lxml = HtmlToText(parser="lxml")


def test_default_parser_is_beautifulsoup(monkeypatch) -> None:
    import bs4

    calls = []
    real = bs4.BeautifulSoup

    def spy(*args, **kwargs):
        calls.append(args[1:])
        return real(*args, **kwargs)

    monkeypatch.setattr(bs4, "BeautifulSoup", spy)
    assert HtmlToText()("<p>Ol&aacute;</p>") == "Olá"
    assert calls == [("lxml",)]
    calls.clear()
    assert to_text_lxml("<p>Ol&aacute;</p>") == "Olá"
    assert calls == []


@pytest.mark.parametrize("fid", WCXB_PAGES)
def test_parsers_give_the_same_words_on_wcxb(shared_data, fid: str) -> None:
    raw, _ = _wcxb(shared_data, fid)
    assert re.findall(r"\w+", to_text(raw)) == re.findall(r"\w+", to_text_lxml(raw))
    assert to_text(raw) == to_text_lxml(raw)


def test_bs4_keeps_text_after_a_stray_body_end_tag(shared_data) -> None:
    # WCXB 0310: libxml2's one-shot parser drops everything after an unexpected
    # </body>; BeautifulSoup feeds the same parser incrementally and keeps it
    raw, _ = _wcxb(shared_data, "0310")
    assert "6 Types of HR Outsourcing" in to_text(raw)
    assert set(re.findall(r"\w+", to_text_lxml(raw))) <= set(re.findall(r"\w+", to_text(raw)))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_html_bits, st.text(max_size=8)), max_size=30).map("".join))
def test_parsers_agree_on_words(html: str) -> None:
    words_bs4 = re.findall(r"\w+", to_text(html))
    words_lxml = re.findall(r"\w+", to_text_lxml(html))
    if "<![CDATA[" not in html and "<?" not in html:
        assert words_bs4 == words_lxml
