"""Tests for ``exact_dedup`` (filters/dedup/exact_dedup.py)."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import ExactDedup


def _run_in_batches(texts: list[str | None], batch_size: int, **params) -> pl.DataFrame:
    dedup = ExactDedup(**params)
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    parts = [dedup.reasons_frame(frame.slice(i, batch_size)) for i in range(0, max(len(texts), 1), batch_size)]
    return pl.concat(parts)


# -- golden examples -----------------------------------------------------------------

@pytest.mark.parametrize(
    "first, second, duplicate",
    [
        ("Bom dia, Lisboa!", "bom dia, lisboa!", True),           # case
        ("Bom  dia,\n Lisboa! ", "Bom dia, Lisboa!", True),       # whitespace
        ("Olá mundo", "Ola\u0301 mundo", True),                   # NFC: composed vs combining accent
        ("Olá mundo", "Ola mundo", False),                         # diacritics are kept
        ("Olá, mundo", "Olá mundo", False),                        # punctuation is kept
        ("Good morning!", "good   MORNING!", True),
        ("Good morning!", "Good morning?", False),
        ("ação", "acao", False),
    ],
)
def test_key_golden(first: str, second: str, duplicate: bool) -> None:
    dedup = ExactDedup()
    assert dedup(first) is True
    assert dedup(second) is (not duplicate)


def test_case_and_whitespace_can_be_significant() -> None:
    strict = ExactDedup(lowercase=False, normalize_whitespace=False)
    assert strict("Olá mundo") and strict("olá mundo") and strict("Olá  mundo")
    assert not strict("Olá mundo")


def test_single_strings_keep_the_first_and_reset_forgets() -> None:
    dedup = ExactDedup()
    assert [dedup(t) for t in ["a", "b", "A", "a ", "c", "b"]] == [True, True, False, False, True, False]
    assert dedup.reason("c") == "duplicate"
    dedup.reset()
    assert dedup("a") is True


def test_duplicate_of_names_the_first_id_across_batches() -> None:
    dedup = ExactDedup()
    first = pl.DataFrame({"id": ["n1", "n2", "n3"], "text": ["Lisboa", "Porto", "lisboa"]})
    second = pl.DataFrame({"id": ["n4", "n5"], "text": ["PORTO", "Faro"]})
    out1 = dedup.reasons_frame(first, "text", id_column="id")
    out2 = dedup.reasons_frame(second, "text", id_column="id")
    assert out1.to_dicts() == [
        {"reason": None, "duplicate_of": None},
        {"reason": None, "duplicate_of": None},
        {"reason": "duplicate", "duplicate_of": "n1"},
    ]
    assert out2["duplicate_of"].to_list() == ["n2", None]


def test_row_positions_count_across_batches_and_nulls() -> None:
    out = _run_in_batches(["x", None, "y", "X", None, "y"], batch_size=2)
    assert out["duplicate_of"].to_list() == [None, None, None, "#0", None, "#2"]
    assert out["reason"].to_list() == [None, None, None, "duplicate", None, "duplicate"]


def test_integer_ids_are_named_as_strings() -> None:
    df = pl.DataFrame({"id": [10, 20], "text": ["a", "A"]})
    assert ExactDedup().reasons_frame(df, "text", id_column="id")["duplicate_of"].to_list() == [None, "10"]


def test_split_reports_reason_stage_and_original() -> None:
    df = pl.DataFrame({"text": ["um", "dois", "Um", "dois"]})
    kept, rejected = ExactDedup().split(df)
    assert kept["text"].to_list() == ["um", "dois"]
    assert rejected.select("text", "reason", "duplicate_of", "stage").rows() == [
        ("Um", "duplicate", "#0", "exact_dedup"),
        ("dois", "duplicate", "#1", "exact_dedup"),
    ]


def test_str_series_dataframe_lazyframe_agree() -> None:
    texts = ["Olá", "olá", None, "Adeus", "ADEUS ", "novo"]
    expected = ["Olá", None, "Adeus", "novo"]
    single = ExactDedup()
    assert [t for t in texts if t is None or single(t)] == expected
    assert ExactDedup()(pl.Series("text", texts)).to_list() == expected
    df = pl.DataFrame({"body": texts, "n": range(6)})
    assert ExactDedup()(df, column="body")["body"].to_list() == expected
    assert ExactDedup()(df.lazy(), column="body").collect()["body"].to_list() == expected


def test_is_global_and_registered() -> None:
    from corpus_sieve.filters import get_filter_class

    assert ExactDedup.is_global is True
    assert get_filter_class("exact_dedup") is ExactDedup
    assert ExactDedup().get_params() == {"lowercase": True, "normalize_whitespace": True}


# -- real data ----------------------------------------------------------------------------

def _portuguese_column(path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t")[1] for line in fh if "\t" in line]


def test_frmt_identical_translations_are_found(shared_data) -> None:
    # FRMT pt-PT and pt-BR are translations of the same English sentences; some are identical
    bucket = shared_data / "pt-varieties" / "frmt" / "random_bucket"
    pt = _portuguese_column(bucket / "pt_random_dev_en_pt-PT.tsv")
    br = _portuguese_column(bucket / "pt_random_dev_en_pt-BR.tsv")
    ids = [f"PT{i}" for i in range(len(pt))] + [f"BR{i}" for i in range(len(br))]
    df = pl.DataFrame({"id": ids, "text": pt + br})
    out = ExactDedup().reasons_frame(df, "text", id_column="id")
    dup_br = out.with_columns(df["id"]).filter(pl.col("reason").is_not_null() & pl.col("id").str.starts_with("BR"))
    same_pairs = [(f"BR{i}", f"PT{i}") for i, (a, b) in enumerate(zip(pt, br)) if a.strip() == b.strip()]
    assert same_pairs, "FRMT should have word-for-word identical translations"
    pairs = dict(zip(dup_br["id"], dup_br["duplicate_of"]))
    for br_id, pt_id in same_pairs:
        assert pairs[br_id] == pt_id


def test_dslcc_has_no_false_duplicates(shared_data) -> None:
    with open(shared_data / "pt-varieties" / "dslcc2-test-gold-pt.tsv", encoding="utf-8") as fh:
        news = [line.split("\t")[0] for line in fh]
    keys = {re.sub(r"\s+", " ", unicodedata.normalize("NFC", t)).strip().lower() for t in news}
    out = ExactDedup()(pl.Series("text", news))
    assert out.len() == len(keys)
    doubled = ExactDedup()(pl.Series("text", news + [t.upper() for t in news]))
    assert doubled.to_list() == ExactDedup()(pl.Series("text", news)).to_list()


# -- determinism and properties --------------------------------------------------------

def test_same_result_for_batch_sizes_1_7_and_all() -> None:
    texts = ["a", "b", "A", None, "c", " b", "d", "a", "e", "C", "f", "g", "h", "B", "i"] * 3
    whole = _run_in_batches(texts, len(texts))
    assert _run_in_batches(texts, 1).equals(whole)
    assert _run_in_batches(texts, 7).equals(whole)


def test_deterministic_across_processes() -> None:
    code = (
        "import polars as pl; from corpus_sieve.filters import ExactDedup; "
        "print(ExactDedup().reasons_frame(pl.DataFrame({'text': ['x', 'y', 'X', 'z', 'Y']}))['duplicate_of'].to_list())"
    )
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout for _ in range(2)}
    assert runs == {"[None, None, '#0', None, '#1']\n"}


_WS = "[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"


def _reference_key(text: str) -> str:
    return re.sub(_WS, " ", unicodedata.normalize("NFC", text).lower()).strip(" ")


_texts = st.lists(
    st.text(alphabet="aAáÁeé \t\n.,çÇ\u0301", max_size=6) | st.none(), max_size=40
)


@settings(max_examples=150, deadline=None)
@given(_texts, st.integers(min_value=1, max_value=10))
def test_keeps_exactly_one_per_key(texts: list[str | None], batch_size: int) -> None:
    out = _run_in_batches(texts, batch_size)
    kept = [t for t, r in zip(texts, out["reason"].to_list()) if r is None and t is not None]
    keys = [_reference_key(t) for t in kept]
    assert len(keys) == len(set(keys))
    assert set(keys) == {_reference_key(t) for t in texts if t is not None}
    # every duplicate names the row of the first text with its key
    first_row = {}
    for i, t in enumerate(texts):
        if t is not None:
            first_row.setdefault(_reference_key(t), f"#{i}")
    for i, (t, dup_of) in enumerate(zip(texts, out["duplicate_of"].to_list())):
        if dup_of is not None:
            assert dup_of == first_row[_reference_key(t)] != f"#{i}"
