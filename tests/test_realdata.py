"""The real-corpus loaders in tests/realdata.py (skip without ../shared/data)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from realdata import (
    CORPUS_COLUMNS,
    build_mixed_corpus,
    decode_html,
    load_pt_varieties,
    load_told_br,
    load_wcxb_pages,
    mixed_corpus_frame,
)

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def varieties(shared_data) -> pl.DataFrame:
    return load_pt_varieties(shared_data)


def test_pt_varieties_sources_domains_and_labels(varieties):
    assert varieties.columns == ["id", "text", "label", "domain", "source", "split"]
    assert varieties["id"].is_unique().all()
    counts = dict(varieties.group_by("domain").len().iter_rows())
    assert counts == {"news": 2_000, "wiki": 10_930, "conversational": 20_000}
    for domain in counts:
        labels = varieties.filter(pl.col("domain") == domain)["label"].value_counts()
        assert dict(labels.iter_rows()) == {"pt-PT": counts[domain] // 2, "pt-BR": counts[domain] // 2}
    assert varieties.filter(pl.col("text").str.strip_chars() == "").height == 0


def test_frmt_splits_come_from_the_file_names(varieties):
    wiki = varieties.filter(pl.col("domain") == "wiki")
    assert set(wiki["split"].unique()) == {"train", "dev", "test"}
    assert wiki.filter(pl.col("source").str.contains("_exemplars_"))["split"].unique().to_list() == ["train"]
    assert varieties.filter(pl.col("domain") != "wiki")["split"].null_count() == 22_000
    assert (wiki["source"].str.extract(r"_en_(pt-PT|pt-BR)\.tsv$") == wiki["label"]).all()


def test_real_lines_verbatim(varieties):
    # DSLCC line 1 and Tatoeba EP line 1, quoted from the files.
    first_news = varieties.filter(pl.col("id") == "dslcc-0001").row(0, named=True)
    assert first_news["text"].startswith('Foi o segundo destes "skiffs", que rumava a noroeste')
    assert first_news["label"] == "pt-PT"
    assert varieties.filter(pl.col("id") == "tatoeba-ep-00001")["text"].item() == "O Tom conhecia a Mary?"
    # FRMT pairs are translations of the same English: some are identical across varieties.
    wiki = varieties.filter(pl.col("domain") == "wiki")
    conflicting = wiki.group_by("text").agg(pl.col("label").n_unique().alias("n")).filter(pl.col("n") > 1)
    assert 20 <= conflicting.height <= 60


def test_tatoeba_stray_quote_is_kept_verbatim(varieties):
    noisy = varieties.filter(pl.col("text") == '"O Tom arregaçou as mangas e começou a trabalhar.')
    assert noisy["label"].to_list() == ["pt-PT"]


def test_told_br(shared_data):
    tweets = load_told_br(shared_data)
    assert tweets.columns == ["id", "text", "label", "domain", "source"]
    assert tweets.height == 21_000 and tweets["id"].is_unique().all()
    assert set(tweets["label"].unique()) == {"pt-BR"} and set(tweets["domain"].unique()) == {"social_media"}
    assert tweets["text"].str.starts_with("rt @user").sum() > 100
    assert tweets["text"].str.contains("https://t.co/", literal=True).sum() > 100


def test_wcxb_pages(shared_data):
    pages = load_wcxb_pages(shared_data, n=5)
    assert pages.height == 5
    assert pages.columns == ["id", "text", "label", "domain", "language", "page_type", "main_content", "url", "source"]
    assert set(pages["label"].unique()) == {"unknown"} and set(pages["domain"].unique()) == {"web"}
    assert pages["text"].str.to_lowercase().str.contains("<html").all()
    assert pages["page_type"].is_in(["article", "service", "product", "collection", "forum", "listing", "documentation"]).all()
    assert pages["main_content"].str.len_chars().min() > 0
    assert pages["id"].to_list()[0] == "wcxb-0001"


def test_decode_html_falls_back_to_the_declared_charset():
    page = '<html><head><meta charset="iso-8859-1"></head><body>Informação</body></html>'
    assert decode_html(page.encode("iso-8859-1")) == page
    assert decode_html(page.encode("utf-8")) == page


def test_mixed_corpus_counts_ids_and_determinism(shared_data, tmp_path):
    path = build_mixed_corpus(shared_data, tmp_path / "mixed.jsonl", n_docs=3_000, seed=7, html_pages=3)
    again = build_mixed_corpus(shared_data, tmp_path / "again.jsonl", n_docs=3_000, seed=7, html_pages=3)
    assert path.read_bytes() == again.read_bytes()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3_000 and list(rows[0]) == CORPUS_COLUMNS
    assert len({r["id"] for r in rows}) == 3_000
    domains = {r["domain"] for r in rows}
    assert domains == {"news", "wiki", "conversational", "social_media", "web"}
    assert sum(r["domain"] == "web" for r in rows) == 3
    assert {r["label"] for r in rows} == {"pt-PT", "pt-BR", "unknown"}
    assert {r["language"] for r in rows if r["domain"] != "web"} == {"pt"}


def test_mixed_corpus_tops_up_with_repeats_and_replicates(shared_data):
    frame = mixed_corpus_frame(shared_data, n_docs=60_000, html_pages=0)
    assert frame.height == 60_000 and frame["id"].is_unique().all()
    assert frame["id"].str.contains("~rep").sum() == 60_000 - 53_930
    tenfold = mixed_corpus_frame(shared_data, n_docs=1_000, html_pages=0, replicate=10)
    assert tenfold.height == 10_000 and tenfold["id"].is_unique().all()
    assert tenfold["text"].n_unique() <= 1_000
