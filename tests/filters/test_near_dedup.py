"""``near_dedup``: near-duplicates of real Portuguese text removed, look-alikes kept; the first row of a
cluster kept whatever the batch size; the state survives a checkpoint; one MinHash for the stage and
the audit."""

from __future__ import annotations

import random

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import NearDedup
from corpus_sieve.filters.dedup.shingles import jaccard

NEWS = ("O Governo aprovou hoje em Conselho de Ministros o orçamento do Estado para o próximo ano, "
        "disse a ministra das Finanças aos jornalistas no final da reunião.")
TWEET = "rt @user não acredito que o jogo de ontem acabou assim, que vergonha para o nosso clube"
OTHER = ("A câmara municipal do Porto anunciou novas obras na avenida principal, que vão durar "
         "até ao fim do verão e obrigar a desviar o trânsito.")


def _run(texts: list[str | None], batch: int | None = None, **params) -> pl.DataFrame:
    dedup = NearDedup(**params)
    frame = pl.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text": texts}, schema={"id": pl.String, "text": pl.String})
    batch = batch or max(frame.height, 1)
    parts = [dedup.reasons_frame(frame.slice(i, batch), "text", "id") for i in range(0, frame.height, batch)]
    return pl.concat(parts) if parts else pl.DataFrame()


@pytest.mark.parametrize("copy", [
    NEWS.replace("hoje", "ontem"),                                     # a word changed
    NEWS.upper(),                                                     # case
    NEWS.replace("orçamento", "orcamento").replace("Finanças", "Financas"),  # a few characters
    NEWS.replace("disse a ministra", "disse ontem a nova ministra"),  # inserted words
    NEWS[:-len("no final da reunião.")] + "depois do almoço.",        # a changed tail
    "  " + NEWS.replace(" ", "   ") + "\n",                            # whitespace
])
def test_near_copies_of_real_text_are_removed_naming_the_first(copy: str) -> None:
    out = _run([NEWS, OTHER, copy])
    assert out["reason"].to_list() == [None, None, "near_duplicate"]
    assert out["duplicate_of"][2] == "r0"
    assert out["similarity"][2] >= 0.7


def test_a_tweet_with_one_word_changed_is_a_near_duplicate() -> None:
    out = _run([TWEET, TWEET.replace("ontem", "hoje")])
    assert out["reason"].to_list() == [None, "near_duplicate"]


@pytest.mark.parametrize("look_alike", [
    NEWS[: len(NEWS) // 2] + OTHER[len(OTHER) // 2:],   # shares half its text
    "O Governo aprovou hoje o orçamento.",               # a short summary
    OTHER,
])
def test_texts_that_only_share_part_of_their_text_are_kept(look_alike: str) -> None:
    assert jaccard(NEWS, look_alike) < 0.5
    assert _run([NEWS, look_alike])["reason"].to_list() == [None, None]


def test_null_texts_are_never_duplicates_and_empty_ones_are() -> None:
    out = _run([None, None, "", ""])
    assert out["reason"].to_list() == [None, None, None, "near_duplicate"]


def test_a_cluster_is_found_through_any_member_and_named_after_its_kept_row() -> None:
    b = NEWS.replace("hoje", "ontem")
    c = b.replace("Finanças", "Economia")
    out = _run([NEWS, b, c])
    assert out["duplicate_of"].to_list() == [None, "r0", "r0"]  # c is named after the kept row, not after b


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([NEWS, NEWS.upper(), NEWS.replace("hoje", "ontem"), TWEET, TWEET + " !!", OTHER,
                                 OTHER.replace("Porto", "Braga"), "olá", None]), max_size=25),
       st.integers(min_value=1, max_value=7))
def test_the_result_does_not_depend_on_the_batch_size(texts: list[str | None], batch: int) -> None:
    whole = _run(texts)
    if whole.height:
        assert _run(texts, batch).equals(whole)


def test_a_checkpointed_state_continues_the_run() -> None:
    texts = [NEWS, TWEET, OTHER, NEWS.upper(), TWEET.replace("ontem", "hoje"), "olá"]
    frame = pl.DataFrame({"id": [f"r{i}" for i in range(6)], "text": texts})
    first = NearDedup()
    head = first.reasons_frame(frame.head(3), "text", "id")
    resumed = NearDedup()
    resumed.set_state(first.get_state())
    tail = resumed.reasons_frame(frame.tail(3), "text", "id")
    assert pl.concat([head, tail]).equals(_run(texts))
    assert all(isinstance(v, (int, pl.DataFrame)) for v in first.get_state().values())


def test_parameters_are_checked() -> None:
    for bad in ({"threshold": 0}, {"shingle": "byte"}, {"num_perm": 100, "bands": 32}, {"ngram": 0}):
        with pytest.raises(ValueError):
            NearDedup(**bad)
    assert NearDedup(shingle="word", ngram=3)(NEWS)


def test_on_real_text_planted_copies_are_found_and_half_shared_texts_kept(shared_data) -> None:
    from realdata import _text_pool

    rng = random.Random(1)
    texts = [t for t in _text_pool(shared_data).unique("text")["text"].to_list() if len(t.split()) >= 15][:600]
    originals, donors = texts[:200], texts[200:]
    rows = list(originals)
    copies = []
    for i, text in enumerate(originals[:150]):
        words = text.split()
        words.insert(rng.randrange(len(words)), rng.choice(donors[i].split()))
        copies.append(" ".join(words))
    negatives = [a[: len(a) // 2] + b[len(b) // 2:] for a, b in zip(originals[150:], donors)]
    out = _run(rows + copies + negatives, batch=97)
    reasons = out["reason"].to_list()
    assert sum(r is not None for r in reasons[200:350]) >= 0.95 * 150
    assert all(r is None for r in reasons[350:])
    assert out["duplicate_of"][200:350].drop_nulls().is_in([f"r{i}" for i in range(150)]).all()


def test_the_stage_and_the_audit_share_one_minhash() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    defining = sorted(str(p.relative_to(root)) for folder in ("filters", "pipeline", "audits")
                      for p in (root / folder).rglob("*.py") if "def minhash_signatures" in p.read_text(encoding="utf-8"))
    assert defining == ["filters/dedup/minhash.py"]
    audit = (root / "audits" / "stats" / "neardup.py").read_text(encoding="utf-8")
    assert "from corpus_sieve.filters.dedup.minhash import" in audit


def test_keep_split_keeps_the_train_copy_of_a_cluster_that_spans_splits() -> None:
    frame = pl.DataFrame({
        "id": ["t1", "tr1", "te2", "tr2", "tr3", "va1"],
        "text": [NEWS, NEWS.upper(), NEWS.replace("hoje", "ontem"), TWEET, TWEET.upper(), TWEET + "!"],
        "split": ["test", "train", "test", "train", "train", "validation"],
    })
    out = NearDedup(keep_split="train").reasons_frame(frame, "text", "id")
    # t1 came first and was kept before any train copy; tr1 (train) is kept too and from then on the
    # cluster keeps it: te2 names tr1. tr3 is a train duplicate of tr2: removed as usual.
    assert out["reason"].to_list() == [None, None, "near_duplicate", None, "near_duplicate", "near_duplicate"]
    assert out["duplicate_of"].to_list() == [None, None, "tr1", None, "tr2", "tr2"]
    plain = NearDedup().reasons_frame(frame, "text", "id")
    assert plain["duplicate_of"].to_list() == [None, "t1", "t1", None, "tr2", "tr2"]


def test_keep_split_across_batches_and_a_checkpoint() -> None:
    frame = pl.DataFrame({"id": ["a", "b", "c"], "text": [NEWS, NEWS.upper(), NEWS + " Fim."],
                          "split": ["test", "train", "test"]})
    first = NearDedup(keep_split="train")
    head = first.reasons_frame(frame.head(1), "text", "id")
    second = NearDedup(keep_split="train")
    second.set_state(first.get_state())
    tail = second.reasons_frame(frame.tail(2), "text", "id")
    assert pl.concat([head, tail])["duplicate_of"].to_list() == [None, None, "b"]


def test_keep_split_names_a_missing_column() -> None:
    with pytest.raises(ValueError, match="needs the column 'split'.*split_column"):
        NearDedup(keep_split="train").reasons_frame(pl.DataFrame({"text": [NEWS]}), "text")


def test_signatures_prepared_ahead_give_the_same_result() -> None:
    texts = pl.Series([NEWS, None, NEWS.upper(), TWEET, "", TWEET + "!"])
    frame = pl.DataFrame({"id": [f"r{i}" for i in range(6)], "text": texts})
    prepared = NearDedup().prepare(texts)
    assert prepared.columns == ["__near_dedup_signature", "__keys"] and prepared["__near_dedup_signature"].null_count() == 1
    assert prepared["__keys"].list.len().drop_nulls().to_list() == [32] * 5  # one key per band
    with_signatures = NearDedup().reasons_frame(frame.with_columns(prepared.get_columns()), "text", "id")
    assert with_signatures.equals(NearDedup().reasons_frame(frame, "text", "id"))


def _with_earlier_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """What the Ray engine's key grouping hands the stage: each row's earlier first rows of its keys."""
    prepared = NearDedup().prepare(frame["text"])
    rows = frame.with_columns(prepared.get_columns()).with_row_index("__order").with_columns(pl.col("__order").cast(pl.Int64))
    pairs = rows.select("__order", pl.col("__keys").alias("key")).explode("key").drop_nulls("key")
    firsts = pairs.with_columns(pl.col("__order").min().over("key").alias("first")).filter(pl.col("first") < pl.col("__order"))
    earlier = firsts.group_by("__order").agg(pl.col("first").unique().sort().alias("__earlier"))
    return rows.drop("__keys").join(earlier, on="__order", how="left").sort("__order")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([NEWS, NEWS.upper(), NEWS.replace("hoje", "ontem"), TWEET, TWEET + " !!", OTHER,
                                 OTHER.replace("Porto", "Braga"), "olá", None, ""]), max_size=25))
def test_rows_grouped_by_band_key_across_a_cluster_give_the_same_result(texts: list[str | None]) -> None:
    frame = pl.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text": texts}, schema={"id": pl.String, "text": pl.String})
    if frame.height == 0:
        return
    grouped = NearDedup().reasons_frame(_with_earlier_rows(frame), "text", "id")
    assert grouped.equals(NearDedup().reasons_frame(frame, "text", "id"))
