"""corpus_sieve.audits.loader: every input kind becomes the same canonical corpus; bad inputs fail clearly."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from corpus_sieve.audits.base import SINGLE_DOMAIN
from corpus_sieve.audits.loader import AuditInputError, canonicalise, load_corpus

CANONICAL = ["id", "text", "label", "domain", "split", "source"]


def real_rows(shared_data: Path, n: int = 20) -> pl.DataFrame:
    """Real DSLCC news sentences (headerless TSV: sentence, label), both varieties."""
    df = pl.read_csv(shared_data / "pt-varieties" / "dslcc2-test-gold-pt.tsv", separator="\t",
                     has_header=False, new_columns=["sentence", "variety"], quote_char=None)
    return pl.concat([df.filter(pl.col("variety") == v).head(n // 2) for v in ("pt-PT", "pt-BR")])


def small() -> pl.DataFrame:
    return pl.DataFrame({
        "text": ["Bom dia, como está?", "Oi, tudo bem?", "Good morning.", "Olá equipa!"],
        "label": ["pt-PT", "pt-BR", "en", "pt-PT"],
        "domain": ["social_media", "social_media", "web", "web"],
    })


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv", "parquet"])
def test_every_file_format_gives_the_same_canonical_corpus(tmp_path, fmt):
    df = small()
    path = tmp_path / f"corpus.{fmt}"
    if fmt == "jsonl":
        df.write_ndjson(path)
    elif fmt == "csv":
        df.write_csv(path)
    elif fmt == "tsv":
        df.write_csv(path, separator="\t", quote_style="never")
    else:
        df.write_parquet(path)
    corpus = load_corpus(path)
    assert corpus.frame.columns == CANONICAL
    assert all(t == pl.String for t in corpus.frame.schema.values())
    assert corpus.frame["text"].to_list() == df["text"].to_list()  # diacritics kept
    assert corpus.labels == ["en", "pt-BR", "pt-PT"]
    assert corpus.domains == ["social_media", "web"]
    assert corpus.has_domain and not corpus.has_split and not corpus.has_source
    assert corpus.frame["id"].n_unique() == 4
    assert corpus.run_dir is None


def test_real_dslcc_sentences_with_custom_column_names(shared_data, tmp_path):
    rows = real_rows(shared_data)
    path = tmp_path / "dslcc.jsonl"
    rows.write_ndjson(path)
    corpus = load_corpus(path, text_col="sentence", label_col="variety")
    assert corpus.frame.height == rows.height
    assert corpus.labels == ["pt-BR", "pt-PT"]
    assert corpus.domains == [SINGLE_DOMAIN] and corpus.has_domain is False
    first = corpus.frame["text"][0]
    assert first.startswith('Foi o segundo destes "skiffs"') and "PÚBLICO" in first


def test_huggingface_datasets_directory_with_splits(tmp_path):
    datasets = pytest.importorskip("datasets")
    dd = datasets.DatasetDict({
        "train": datasets.Dataset.from_dict({"text": ["a casa", "o time"], "label": ["pt-PT", "pt-BR"]}),
        "test": datasets.Dataset.from_dict({"text": ["a equipa"], "label": ["pt-PT"]}),
    })
    dd.save_to_disk(str(tmp_path / "ds"))
    corpus = load_corpus(tmp_path / "ds")
    assert corpus.has_split
    assert sorted(corpus.frame["split"].unique().to_list()) == ["test", "train"]
    assert corpus.frame.height == 3


def test_pipeline_run_directory_sets_run_dir(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    small().with_columns(pl.Series("id", ["a", "b", "c", "d"])).write_parquet(run / "kept.parquet")
    (run / "stats.json").write_text(json.dumps({"stages": []}))
    corpus = load_corpus(run)
    assert corpus.run_dir == run.resolve()
    assert corpus.frame["id"].to_list() == ["a", "b", "c", "d"]


def test_non_string_labels_and_ids_are_cast_to_string():
    corpus = canonicalise(pl.DataFrame({"text": ["x", "y"], "label": [1, 0], "id": [10, 11]}))
    assert corpus.frame["label"].to_list() == ["1", "0"]
    assert corpus.frame["id"].to_list() == ["10", "11"]


def test_other_columns_named_like_canonical_ones_do_not_clash():
    corpus = canonicalise(
        pl.DataFrame({"sentence": ["a"], "text": ["other"], "variety": ["pt-PT"], "label": ["junk"]}),
        text_col="sentence", label_col="variety",
    )
    assert corpus.frame.row(0, named=True)["text"] == "a"
    assert corpus.frame.row(0, named=True)["label"] == "pt-PT"


def test_missing_label_column_lists_available_columns(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"text": "olá", "variety": "pt-PT"}\n')
    with pytest.raises(AuditInputError) as err:
        load_corpus(path)
    msg = str(err.value)
    assert "c.jsonl" in msg and "'label'" in msg and "'variety'" in msg and "--label-col" in msg


def test_missing_text_column_names_file_and_column(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("sentence,label\nolá,pt-PT\n")
    with pytest.raises(AuditInputError) as err:
        load_corpus(path)
    assert "c.csv" in str(err.value) and "'text'" in str(err.value) and "--text-col" in str(err.value)


def test_explicitly_named_optional_column_must_exist():
    with pytest.raises(AuditInputError, match="no domain column 'genre'"):
        canonicalise(small(), domain_col="genre")
    # the default name absent is fine: one domain
    assert canonicalise(small().drop("domain")).domains == [SINGLE_DOMAIN]


def test_null_and_empty_labels_are_an_error_naming_count_and_ids(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"id": "a", "text": "olá", "label": "pt-PT"}\n'
        '{"id": "b", "text": "oi", "label": null}\n'
        '{"id": "c", "text": "oi", "label": " "}\n'
    )
    with pytest.raises(AuditInputError) as err:
        load_corpus(path)
    assert "2 row(s)" in str(err.value) and "'b'" in str(err.value) and "'c'" in str(err.value)


def test_empty_corpus_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    with pytest.raises(AuditInputError, match="no rows"):
        load_corpus(path)
    with pytest.raises(AuditInputError, match="no rows"):
        canonicalise(pl.DataFrame({"text": [], "label": []}, schema={"text": pl.String, "label": pl.String}))


def test_rows_without_text_are_excluded_and_counted():
    corpus = canonicalise(pl.DataFrame({"text": ["a", None], "label": ["x", "y"]}))
    assert corpus.frame.height == 1
    assert corpus.excluded == {"no text": 1}


def test_unreadable_rows_from_the_reader_are_excluded_and_counted(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"text": "olá", "label": "pt-PT"}\n{"text": 1,}\n')
    corpus = load_corpus(path)
    assert corpus.frame.height == 1
    assert sum(corpus.excluded.values()) == 1


def test_repeated_ids_are_an_error():
    with pytest.raises(AuditInputError, match="not unique"):
        canonicalise(pl.DataFrame({"id": ["a", "a"], "text": ["x", "y"], "label": ["p", "q"]}))


def test_null_domain_gets_a_visible_placeholder():
    corpus = canonicalise(pl.DataFrame({"text": ["x", "y"], "label": ["p", "q"], "domain": ["web", None]}))
    assert None not in corpus.frame["domain"].to_list()
    assert corpus.frame["domain"].null_count() == 0


def test_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(AuditInputError, match="no such file"):
        load_corpus(tmp_path / "nope.jsonl")


def test_run_directory_uses_the_recipe_column_names_and_latest_file(tmp_path):
    runs = tmp_path / "runs"
    run = runs / "20240101-000000-abc"
    run.mkdir(parents=True)
    small().rename({"text": "sentence", "label": "variety"}).write_parquet(run / "kept.parquet")
    (run / "stats.json").write_text("{}")
    (run / "recipe.json").write_text(json.dumps({"columns": {"text": "sentence", "label": "variety"}}))
    (runs / "latest").write_text(run.name)  # where symlinks fail, latest is a text file
    corpus = load_corpus(runs / "latest")
    assert corpus.run_dir == run.resolve()
    assert corpus.labels == ["en", "pt-BR", "pt-PT"]
    # an explicit name still wins over the recipe
    with pytest.raises(AuditInputError, match="no text column 'body'"):
        load_corpus(run, text_col="body")


def test_interrupted_run_directory_is_a_clear_error(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    small().write_parquet(run / "kept.parquet")
    with pytest.raises(AuditInputError, match="stats.json"):
        load_corpus(run)
