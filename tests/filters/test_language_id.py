"""``language_id``: Portuguese kept, its neighbours (Spanish, Galician) and English rejected, on real and hand-written text."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from _language_samples import GALICIAN, PORTUGUESE, SPANISH

from corpus_sieve.filters import LanguageId
from corpus_sieve.filters.language.batch_langid import batch_identifier
from corpus_sieve.filters.language.language_id import identify, known_languages
from corpus_sieve.pipeline.engines.local import run_pipeline
from corpus_sieve.pipeline.recipe.recipe import Recipe


def test_the_model_ships_inside_the_package_and_knows_the_neighbours() -> None:
    assert {"pt", "es", "gl", "en", "fr", "it"} <= set(known_languages())


@pytest.mark.parametrize("text", PORTUGUESE)
def test_portuguese_of_both_varieties_is_kept(text: str) -> None:
    assert LanguageId(languages=["pt"]).reason(text) is None


@pytest.mark.parametrize("text", SPANISH)
def test_spanish_is_rejected(text: str) -> None:
    assert LanguageId(languages=["pt"]).reason(text) == "wrong_language"


def test_galician_is_told_from_portuguese_on_short_sentences() -> None:
    rejected = [t for t in GALICIAN if LanguageId(languages=["pt"]).reason(t) == "wrong_language"]
    assert len(rejected) >= 18, sorted(set(GALICIAN) - set(rejected))  # 18 of 20 measured; "Quero aprender a tocar a gaita." is Portuguese too


def test_several_languages_and_english() -> None:
    check = LanguageId(languages=["pt", "gl"])
    assert check.reason(GALICIAN[0]) is None and check.reason(PORTUGUESE[0]) is None
    assert check.reason("The bus arrived late this morning because of the rain.") == "wrong_language"
    assert LanguageId(languages="en")("The bus arrived late this morning.")  # one code as a string


def test_texts_without_letters_follow_keep_unknown() -> None:
    assert LanguageId().reason("12 345 !!!") == "wrong_language"
    assert LanguageId(keep_unknown=True).reason("12 345 !!!") is None
    assert identify([None, "", "😀"]) == [(None, None)] * 3


def test_min_score_rejects_weak_evidence() -> None:
    text = "O Tribunal de Justiça"
    (language, score), = identify([text])
    assert language == "pt" and 0.1 < score < 0.9
    assert LanguageId(min_score=0.1).reason(text) is None
    assert LanguageId(min_score=0.95).reason(text) == "wrong_language"


def test_only_the_first_max_chars_are_read() -> None:
    text = PORTUGUESE[0] + " " + " ".join(SPANISH) * 5
    assert LanguageId(max_chars=40).reason(text) is None
    assert LanguageId(max_chars=100_000).reason(text) == "wrong_language"


@pytest.mark.parametrize("params, message", [
    ({"languages": ["portuguese"]}, "ISO 639-1"), ({"languages": []}, "none given"),
    ({"min_score": 1.5}, "between 0 and 1"), ({"max_chars": 0}, "positive"),
])
def test_bad_parameters_fail_when_the_recipe_is_read(params, message) -> None:
    with pytest.raises(ValueError, match=message):
        LanguageId(**params)


def test_detail_and_written_columns_on_a_frame() -> None:
    df = pl.DataFrame({"text": [PORTUGUESE[1], SPANISH[1], "123"]})
    out = LanguageId(write_columns=True).reasons_frame(df)
    assert out["reason"].to_list() == [None, "wrong_language", "wrong_language"]
    assert out["detail"][1].startswith("detected es (") and out["detail"][2] == "no letters to tell a language by"
    assert out["language"].to_list()[:2] == ["pt", "es"] and out["language_score"][0] > 0.5
    assert LanguageId().output_columns() == {}
    assert set(LanguageId(write_columns=True).output_columns()) == {"language", "language_score"}


def test_a_run_writes_language_columns_on_kept_and_rejected_rows(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    rows = [{"id": "a", "text": PORTUGUESE[0]}, {"id": "b", "text": SPANISH[0]}, {"id": "c", "text": ""}]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    recipe = Recipe.from_dict({"stages": [{"filter": "reject_empty"},
                                          {"filter": "language_id", "params": {"languages": ["pt"], "write_columns": True}}]})
    result = run_pipeline([corpus], recipe, tmp_path / "runs", progress=False)
    kept = pl.read_parquet(result.path / "kept.parquet")
    rejected = pl.read_parquet(result.path / "rejected.parquet")
    assert kept.columns == ["id", "text", "language", "language_score"]
    assert kept.select("id", "language").rows() == [("a", "pt")]
    assert rejected.select("id", "reason", "language").rows() == [("b", "wrong_language", "es"), ("c", "empty", None)]
    assert result.stats["totals"]["accounted"]


def test_accuracy_on_real_known_language_text(shared_data: Path) -> None:
    """FRMT and Tatoeba give English and Portuguese sentences of known language (py3langid: en 99.1%, pt 97.1%)."""
    pt, en = [], []
    base = shared_data / "pt-varieties"
    for path in sorted(glob.glob(str(base / "frmt/*/*.tsv"))) + [str(base / "tatoeba/EP_10K_tatoeba.tsv")]:
        for line in Path(path).read_text(encoding="utf-8").splitlines()[:2000]:
            parts = line.split("\t")
            if len(parts) >= 2:
                en.append(parts[0])
                pt.append(parts[1])
    keep_pt, keep_en = LanguageId(languages=["pt"]), LanguageId(languages=["en"])
    pt_kept = keep_pt.reasons_series(pt).is_null().mean()
    en_kept = keep_en.reasons_series(en).is_null().mean()
    en_as_pt = keep_pt.reasons_series(en).is_null().mean()
    assert pt_kept >= 0.95 and en_kept >= 0.98 and en_as_pt <= 0.005, (pt_kept, en_kept, en_as_pt)


def _reference():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=300), min_size=1, max_size=40))
def test_the_batch_classifier_answers_as_py3langid_one_text_at_a_time(texts: list[str]) -> None:
    reference = _reference()
    ours = batch_identifier().classify(texts)
    for text, (language, score) in zip(texts, ours):
        expected_language, expected_score = reference.classify(text)
        assert abs(score - expected_score) < 1e-4, text
        if abs(score - expected_score) < 1e-6 or language == expected_language:
            continue
        assert False, (text, language, expected_language)


def test_the_batch_classifier_on_real_sentences(shared_data: Path) -> None:
    reference = _reference()
    lines = (shared_data / "pt-varieties/tatoeba/BP_10K_tatoeba.tsv").read_text(encoding="utf-8").splitlines()[:3000]
    texts = [part for line in lines for part in line.split("\t")[:2]] + PORTUGUESE + GALICIAN + SPANISH
    assert [lang for lang, _ in batch_identifier().classify(texts)] == [reference.classify(t)[0] for t in texts]


def test_the_model_loads_once_even_when_a_run_warms_it_up_in_a_thread() -> None:
    import threading

    from corpus_sieve.filters.language.batch_langid import batch_identifier

    got = []
    threads = [threading.Thread(target=lambda: got.append(batch_identifier())) for _ in range(3)]
    for t in threads:
        t.start()
    LanguageId().warm_up()
    for t in threads:
        t.join()
    assert all(model is batch_identifier() for model in got) and len(got) == 3
    assert LanguageId.parallel is False  # numpy over the batch in-process: a worker would only load it again
