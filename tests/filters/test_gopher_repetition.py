"""``gopher_repetition``: each repetition rule with its published threshold, both ways; the greedy scan of
repeated n-grams equals datatrove's; the batch path on random text."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import GopherRepetition
from corpus_sieve.filters.quality.gopher_repetition import _greedy, repeated_ngram_chars

VARIED = ("The council approved the new budget after a long debate about schools and roads. "
          "Several members asked for more money for public transport in the northern districts. "
          "A vote on the housing plan was postponed until the next session in March. "
          "Residents may send their comments to the town hall before the end of the month.")


def _reason(text: str, **params) -> str | None:
    return GopherRepetition(**params).reason(text)


def test_varied_prose_passes() -> None:
    assert _reason(VARIED) is None


@pytest.mark.parametrize("text, reason", [
    ("", "empty"),
    ("Same paragraph here.\n\nSame paragraph here.\n\nSame paragraph here.\n\n" + VARIED, "dup_para_frac"),
    ("\n\n".join([VARIED * 2, VARIED * 2, "Short one.", "Short two.", "Short three."]), "dup_para_char_frac"),
    ("Buy now!\nBuy now!\nBuy now!\n" + VARIED, "dup_line_frac"),
    ("\n".join([VARIED, VARIED, "one", "two", "three", "four", "five"]), "dup_line_char_frac"),
    (VARIED + " " + "big sale " * 40, "top_2_gram"),
])
def test_each_rule_fires_with_its_reason(text: str, reason: str) -> None:
    assert _reason(text) == reason


def test_repeated_ngrams_across_a_text_are_caught() -> None:
    words = VARIED.split()
    text = " ".join(words + words[5:30])  # a 25-word passage said twice, in one paragraph and one line
    assert _reason(text).startswith("duplicated_")  # datatrove: duplicated_5_n_grams


def test_a_rule_set_to_none_is_off() -> None:
    text = "Buy now!\nBuy now!\nBuy now!\n" + VARIED
    assert _reason(text, dup_line_frac=None, dup_line_char_frac=None) is None


def test_the_greedy_scan_is_datatroves() -> None:
    assert repeated_ngram_chars("a b c a b c".split(), 3) == 3
    assert repeated_ngram_chars("x y x y x y x".split(), 2) == 4  # a repeat skips its n words: "yx" never counts


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "dd"]), max_size=40), st.integers(2, 6))
def test_jumping_between_repeated_ngrams_equals_the_full_scan(words: list[str], n: int) -> None:
    grams = ["".join(words[i:i + n]) for i in range(len(words) - n + 1)]
    repeated = [i for i, g in enumerate(grams) if grams.count(g) > 1]
    assert _greedy(repeated, [grams[i] for i in repeated], [len(grams[i]) for i in repeated], n) == \
        repeated_ngram_chars(words, n)


def test_the_batch_gives_each_document_its_own_answer() -> None:
    rng = random.Random(0)
    texts = [VARIED, "Buy now!\nBuy now!\nBuy now!\n" + VARIED, "", None, " ".join(rng.choice("ab") for _ in range(50))]
    check = GopherRepetition()
    assert check.reasons_series(texts).to_list() == [check.reason(t) if t is not None else None for t in texts]
    with pytest.raises(ValueError, match="language"):
        GopherRepetition(language="xx")


def test_the_gopher_preset_keeps_the_english_pages_of_the_sample(tmp_path) -> None:
    # Gopher's rules are English ones: on the pt-PT/pt-BR sample only its English web pages pass
    from pathlib import Path

    import polars as pl

    from corpus_sieve.pipeline.engines.local import run_pipeline
    from corpus_sieve.pipeline.recipe.presets import preset_path
    from corpus_sieve.pipeline.recipe.recipe import load_recipe

    sample = Path(__file__).resolve().parents[2] / "data" / "sample_corpus.jsonl"
    result = run_pipeline([sample], load_recipe(preset_path("gopher")), tmp_path, progress=False)
    kept = pl.read_parquet(result.path / "kept.parquet")
    languages = dict(pl.read_ndjson(sample).select("id", "language").iter_rows())
    assert kept.height >= 1 and {languages[i] for i in kept["id"]} == {"en"}
    assert result.accounted
