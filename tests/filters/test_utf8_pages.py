"""``remove_boilerplate`` reads pages as UTF-8 bytes: the same results as from ``str``.

The pipeline hands the filter ``bytes`` (``accepts_utf8``): a 300 KB page is
never decoded into a Python ``str`` only to be encoded again for lxml. These
tests pin that the byte path is the string path: the raw-block cut, the byte
cap, product detection and the whole extraction, on real pages and random markup.
"""

from __future__ import annotations

import gzip

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import RemoveBoilerplate
from corpus_sieve.filters.html.parse import cap_bytes, cap_utf8, strip_raw_blocks
from corpus_sieve.filters.base import python_values
from corpus_sieve.filters.html.structured_data import is_product_page

# tags and text, with multi-byte letters, Unicode spaces and the letters that case-fold to ASCII (ſ, İ)
_BITS = st.sampled_from([
    "<script>", "</script>", "<script type='x'>", "<SCRIPT\n>", "</script >", "<style>", "</style>", "<!--", "-->",
    "--!>", "<svg>", "</svg>", "<svg/>", "<iframe>", "</iframe>", "<noscript>", "</noscript>", "<math>", "</math>",
    "<template>", "</template>", "<p>", "</p>", "<", ">", "/", " ", "\n", "olá", "ação", "中文", "😀", "x",
    "<ſcript>", "<İframe>", "<script\u00a0>", "\u2028", "\xa0", "\x1c",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_BITS | st.text(max_size=6), max_size=40).map("".join), st.booleans())
def test_raw_block_cut_on_bytes_is_the_cut_on_str(html: str, keep_noscript: bool) -> None:
    html = html.encode("utf-8", "replace").decode()  # no lone surrogates: they have no UTF-8
    assert strip_raw_blocks(html.encode(), keep_noscript) == strip_raw_blocks(html, keep_noscript).encode()


def test_a_long_multibyte_attribute_ends_a_tag_where_the_str_scan_ends_it() -> None:
    for n in (1000, 1400, 4096, 4097):
        html = f"<script data-x='{'中' * n}'>var x;</script><p>texto</p>"
        assert strip_raw_blocks(html.encode()) == strip_raw_blocks(html).encode()


@pytest.mark.parametrize("html", ["<ſcript>x</script>y", "<İframe>x</iframe>y", "<svg\u00a0>x</svg>y"])
def test_non_ascii_tag_names_are_not_raw_blocks_and_never_crash(html: str) -> None:
    # these used to raise KeyError ("ſcript".lower() is no tag name the scanner knows)
    assert strip_raw_blocks(html) == html and strip_raw_blocks(html.encode()) == html.encode()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), st.integers(0, 40))
def test_byte_cap_is_the_str_cap(text: str, max_bytes: int) -> None:
    assert cap_utf8(text.encode(), max_bytes) == cap_bytes(text, max_bytes).encode()
    assert cap_utf8(text.encode(), None) == text.encode()


@pytest.mark.parametrize("data, n, expected", [
    ("olá".encode(), 3, b"ol"), ("olá".encode(), 4, "olá".encode()), ("😀a".encode(), 3, b""),
    ("😀a".encode(), 4, "😀".encode()), (b"abc", 0, b""), (b"abc", 2, b"ab"),
])
def test_byte_cap_golden(data: bytes, n: int, expected: bytes) -> None:
    assert cap_utf8(data, n) == expected


def test_what_the_cut_leaves_is_read_as_the_parser_reads_it() -> None:
    import justext

    prose = "<p>" + "Um texto de jornal sobre o governo e as medidas que foram aprovadas. " * 3 + "</p>"
    # "script\u00a0type='x'" is the whole tag name for HTML (and libxml2): an unknown element whose text shows
    unknown = f"<html><body>{prose}<script\u00a0type='x'>var s = 'não é texto';</script><p>fim</p></body></html>"
    # a start tag longer than the cut looks at is a real script: the parser sees it, and it goes with its code
    long_tag = f"<html><body>{prose}<script data-x='{'a' * 5000}'>var s = 'não é texto';</script><p>fim</p></body></html>"
    plain = RemoveBoilerplate(language="pt", content_root=False)
    for page in (unknown, long_tag):
        assert strip_raw_blocks(page.encode()) == page.encode()
        theirs = [p.text for p in justext.justext(page, justext.get_stoplist("Portuguese")) if not p.is_boilerplate]
        assert plain.extract(page.encode()) == plain.extract(page) == "\n".join(theirs)
    assert "não é texto" in RemoveBoilerplate(language="pt")(unknown)
    assert "não é texto" not in RemoveBoilerplate(language="pt")(long_tag)


def test_product_declaration_reads_the_same_from_bytes() -> None:
    ld = '<script type="application/ld+json">{"@type": "Product", "name": "Caneca de cerâmica"}</script>'
    for page in (ld + "<h1>Caneca</h1>", ld * 2, "<p>olá</p>", ld.replace("Product", "Pr\\u006fduct")):
        assert is_product_page(page.encode()) == is_product_page(page)


def test_the_pipeline_hands_bytes_only_to_filters_that_take_them() -> None:
    s = pl.Series(["<p>olá</p>", "<b>x</b>"])
    assert python_values(RemoveBoilerplate(), s) == [b"<p>ol\xc3\xa1</p>", b"<b>x</b>"]
    from corpus_sieve.filters import HtmlToText

    assert python_values(HtmlToText(), s) == ["<p>olá</p>", "<b>x</b>"]


def _pages(shared_data, step: int = 15) -> list[bytes]:
    files = sorted((shared_data / "html" / "wcxb-dev" / "html").glob("*.html.gz"))[::step]
    return [gzip.decompress(f.read_bytes()) for f in files]


@pytest.mark.parametrize("params", [{}, {"content_root": False}, {"language": "auto"}])
def test_extraction_from_bytes_is_extraction_from_str_on_wcxb_pages(shared_data, params) -> None:
    f = RemoveBoilerplate(**{"language": "en", **params})
    pages = [raw.decode("utf-8", "replace") for raw in _pages(shared_data)]
    from_str = [f.extract(p) for p in pages]
    assert [f.extract(p.encode()) for p in pages] == from_str
    assert f.transform_series(pl.Series(pages)).to_list() == from_str  # what a pipeline stage does
    assert sum(bool(t) for t in from_str) > len(pages) // 2
