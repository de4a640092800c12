"""Hugging Face ``datasets`` interop: DatasetDict in and out of ``sieve clean``, filters in ``map``/``filter``."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

datasets = pytest.importorskip("datasets")

from corpus_sieve.filters import CharLength, ExactDedup, NormalizeWhitespace, RemoveMentions, RemoveUrls, RejectEmpty  # noqa: E402
from corpus_sieve.filters.hf_datasets import as_filter, as_map  # noqa: E402
from corpus_sieve.pipeline.cli.main import main  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tweets(shared_data: Path) -> pl.DataFrame:
    """Real ToLD-Br tweets, with real ``rt @user`` markers, mentions and links."""
    from realdata import load_told_br

    return load_told_br(shared_data).select("id", "text", "label", "domain")


@pytest.fixture()
def saved_dd(shared_data: Path, tmp_path: Path) -> Path:
    """A DatasetDict (train/validation) of real pt-PT/pt-BR sentences, saved with save_to_disk."""
    from realdata import load_pt_varieties

    frame = load_pt_varieties(shared_data).select("id", "text", "label", "domain").head(1500).with_columns(language=pl.lit("pt"))
    frame = pl.concat([frame, frame.head(20).with_columns(pl.format("{}~dup", "id").alias("id"))])
    dd = datasets.DatasetDict({
        "train": datasets.Dataset(frame.head(1000).to_arrow()),
        "validation": datasets.Dataset(frame.tail(520).to_arrow()),
    })
    dd.save_to_disk(str(tmp_path / "dd"))
    return tmp_path / "dd"


# -- sieve clean with datasets in and out ------------------------------------------------------

def test_clean_datasetdict_end_to_end(saved_dd: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "clean_dd"
    code = main(["clean", str(saved_dd), "--out", str(tmp_path / "runs"), "--quiet", "--save-to-disk", str(out)])
    assert code == 0, capsys.readouterr().err
    run = (tmp_path / "runs" / "latest").resolve()
    kept = pl.read_parquet(run / "kept.parquet")
    rejected = pl.read_parquet(run / "rejected.parquet")
    assert kept.height + rejected.height == 1520
    assert set(kept["split"].to_list()) == {"train", "validation"}  # splits became the split column
    assert not kept["id"].str.ends_with("~dup").any()  # every copy went (most as duplicates)
    assert rejected.filter(pl.col("reason") == "duplicate").height >= 15
    back = datasets.load_from_disk(str(out))
    assert isinstance(back, datasets.DatasetDict)
    assert list(back) == ["train", "validation"]
    for split, ds in back.items():
        expected = kept.filter(pl.col("split") == split)
        assert ds.column_names == [c for c in kept.columns if c != "split"]
        assert ds["id"][:] == expected["id"].to_list()
        assert ds["text"][:] == expected["text"].to_list()


def test_clean_without_splits_saves_train(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "Bom dia a todos os presentes"}\n{"text": "oi"}\n', encoding="utf-8")
    recipe = tmp_path / "r.yaml"
    recipe.write_text("stages:\n  - filter: char_length\n    params: {min_chars: 5}\n", encoding="utf-8")
    assert main(["clean", str(path), "--recipe", str(recipe), "--out", str(tmp_path / "runs"), "--quiet",
                 "--save-to-disk", str(tmp_path / "dd")]) == 0
    back = datasets.load_from_disk(str(tmp_path / "dd"))
    assert list(back) == ["train"] and back["train"]["text"][:] == ["Bom dia a todos os presentes"]


def test_data_files_through_load_dataset(shared_data: Path, tmp_path: Path) -> None:
    """``reader: {loader: datasets}``: the input is a ``load_dataset`` builder name plus data files."""
    from realdata import load_pt_varieties

    frame = load_pt_varieties(shared_data).select("id", "text", "label").head(200)
    frame.write_csv(tmp_path / "train.csv")
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "reader:\n  loader: datasets\n  load_dataset: {data_files: {train: " + json.dumps(str(tmp_path / "train.csv"))
        + "}}\nstages:\n  - filter: normalize_whitespace\n", encoding="utf-8")
    assert main(["clean", "csv", "--recipe", str(recipe), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    kept = pl.read_parquet((tmp_path / "runs" / "latest").resolve() / "kept.parquet")
    assert kept.height == 200 and set(kept["split"].to_list()) == {"train"}


def test_push_to_hub_without_token_fails_before_running(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))  # no stored token either
    monkeypatch.setenv("HF_TOKEN_PATH", str(tmp_path / "hf_home" / "token"))
    code = main(["clean", str(REPO / "data" / "sample_corpus.jsonl"), "--out", str(tmp_path / "runs"),
                 "--quiet", "--push-to-hub", "someone/cleaned"])
    assert code == 2
    err = capsys.readouterr().err
    assert "no Hugging Face token" in err and "HF_TOKEN" in err
    assert not (tmp_path / "runs").exists()  # nothing ran


def test_push_to_hub_network_failure_is_clear(tmp_path: Path, monkeypatch) -> None:
    from corpus_sieve.pipeline.io.hf_datasets import HubError, push_to_hub

    monkeypatch.setenv("HF_TOKEN", "hf_not_a_real_token")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there: no network call leaves
    dd = datasets.DatasetDict({"train": datasets.Dataset.from_dict({"text": ["olá"]})})
    with pytest.raises(HubError, match="pushing to https://huggingface.co/datasets/someone/cleaned failed"):
        push_to_hub(dd, "someone/cleaned")


def test_push_to_hub_bad_repo_id() -> None:
    from corpus_sieve.pipeline.io.hf_datasets import HubError, check_hub_access

    with pytest.raises(HubError, match="user/name"):
        check_hub_access("no-slash")


def test_engine_usage_errors(tmp_path: Path, capsys) -> None:
    sample = str(REPO / "data" / "sample_corpus.jsonl")
    assert main(["clean", sample, "--out", str(tmp_path), "--ray-address", "auto"]) == 2
    assert "--ray-address needs --engine ray" in capsys.readouterr().err
    from corpus_sieve.pipeline.engines import ray_available

    assert main(["clean", sample, "--out", str(tmp_path), "--engine", "ray", "--dev"]) == 2
    err = capsys.readouterr().err
    assert ("use the local engine" in err) if ray_available() else ("pip install 'corpus-sieve[ray]'" in err)
    assert not any(tmp_path.iterdir())


# -- filters inside Dataset.map / Dataset.filter --------------------------------------------------

def test_as_map_transform_on_real_tweets(tweets: pl.DataFrame) -> None:
    sample = tweets.filter(pl.col("text").str.contains("@")).head(50)
    ds = datasets.Dataset(sample.to_arrow())
    out = ds.map(as_map(RemoveMentions()), batched=True, batch_size=16)
    assert out.column_names == ds.column_names and len(out) == len(ds)
    assert out["text"][:] == RemoveMentions()(sample)["text"].to_list()
    assert all("@user" not in t for t in out["text"][:])
    assert out["id"][:] == sample["id"].to_list()  # other columns untouched


def test_as_map_chain_drops_rejected_rows(tweets: pl.DataFrame) -> None:
    sample = tweets.head(300)
    chain = RemoveUrls() | RemoveMentions() | NormalizeWhitespace() | CharLength(min_chars=25)
    ds = datasets.Dataset(sample.to_arrow())
    out = ds.map(as_map(chain), batched=True, batch_size=64)
    kept, rejected = chain.split(sample)
    assert 0 < len(out) < len(ds)
    assert out["id"][:] == kept["id"].to_list()
    assert out["text"][:] == kept["text"].to_list()
    assert len(out) + rejected.height == len(ds)


def test_as_map_reason_column_keeps_every_row(tweets: pl.DataFrame) -> None:
    sample = tweets.head(200)
    ds = datasets.Dataset(sample.to_arrow())
    out = ds.map(as_map(CharLength(min_chars=40), reason_column="reason"), batched=True)
    expected = CharLength(min_chars=40).reasons_series(sample["text"]).to_list()
    assert len(out) == len(ds) and out["reason"][:] == expected
    assert "too_few_chars" in expected
    single = ds.map(as_map(CharLength(min_chars=40), reason_column="reason"))  # unbatched
    assert single["reason"][:] == expected


def test_as_filter_check_and_chain(tweets: pl.DataFrame) -> None:
    sample = tweets.head(300)
    ds = datasets.Dataset(sample.to_arrow())
    check = CharLength(min_chars=30)
    out = ds.filter(as_filter(check), batched=True)
    assert out["id"][:] == check(sample)["id"].to_list()
    chain = RemoveUrls() | NormalizeWhitespace() | CharLength(min_chars=30)
    out = ds.filter(as_filter(chain), batched=True)
    kept, _ = chain.split(sample)
    assert out["id"][:] == kept["id"].to_list()
    assert out["text"][:] == sample.filter(pl.col("id").is_in(kept["id"].implode()))["text"].to_list()  # text untouched
    assert ds.filter(as_filter(RejectEmpty()))["id"][:] == sample["id"].to_list()  # unbatched


def test_as_filter_exact_dedup_keeps_first(tweets: pl.DataFrame) -> None:
    sample = pl.concat([tweets.head(100), tweets.head(10).with_columns(pl.format("{}~dup", "id").alias("id"))])
    ds = datasets.Dataset(sample.to_arrow())
    dedup = ExactDedup()
    out = ds.filter(as_filter(dedup), batched=True, batch_size=32)
    dedup.reset()
    assert out["id"][:] == dedup(sample)["id"].to_list()
    assert not any(i.endswith("~dup") for i in out["id"][:])


def test_adapters_reject_wrong_kinds() -> None:
    with pytest.raises(TypeError, match="use as_map"):
        as_filter(RemoveUrls())
    with pytest.raises(ValueError, match="reason_column"):
        as_map(CharLength(min_chars=3))({"text": "oi"})
    with pytest.raises(TypeError):
        as_map("not a filter")  # type: ignore[arg-type]
