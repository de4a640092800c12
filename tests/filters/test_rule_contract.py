"""Every rule filter: same result on str / Series / DataFrame / LazyFrame, plus properties.

Properties (hypothesis): transforms never raise on arbitrary Unicode, are
idempotent (except where listed), only delete characters (so they can never
fold é to e), leave plain Portuguese prose alone; checks give only their
declared reasons.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import (
    Check,
    RegexReject,
    RegexReplace,
    RejectDotRuns,
    RejectInvalidChars,
    RejectLongWords,
    RejectUnbalanced,
    RemoveCodCodes,
    RemoveDashBlocks,
    RemoveHashtags,
    RemoveListBullets,
    RemoveMentions,
    RemoveRetweetMarker,
    RemoveUrls,
    RepairUnicode,
    TrimSpacesInsideQuotes,
    get_filter_class,
)

TRANSFORMS = [
    RemoveUrls(),
    RemoveUrls(replacement="<URL>"),  # Python path
    RemoveUrls(replacement=" ", emails="remove"),
    RemoveMentions(),
    RemoveHashtags(),
    RemoveHashtags(mode="keep_word"),
    RemoveRetweetMarker(),
    RemoveListBullets(),
    RemoveDashBlocks(),
    RemoveCodCodes(),
    TrimSpacesInsideQuotes(),
    RepairUnicode(),
    RegexReplace(r"\d+", "N"),
    RegexReplace(r"(?<=R\$ )\d+", "N"),  # Python path
]
CHECKS = [
    RejectDotRuns(),
    RejectUnbalanced(),
    RejectInvalidChars(),
    RejectLongWords(max_word_chars=12),
    RegexReject(r"(?i)spam", reason_name="spam"),
    RegexReject(r"(?<!x)spam", reason_name="spam"),  # Python path
]
ALL = TRANSFORMS + CHECKS

SAMPLE = [
    "rt @user @user o cara adultera dados https://t.co/8174j0wtry",
    "1. farinha\n2) ovos\n-----\n« olá » #ForaBolsonaro C# #1",
    "informaÃ§Ã£o … bem.... (sem fecho COD _ 123",
    "ana@gmail.com casa.Ele 3.5 1.º lugar 2024 foi um ano",
    "kkkkkkkkkkkkkkkkkkkkkkk \ufffd\x00 spam R$ 30",
    "",
    None,
]


def ids(f):
    return repr(f)


@pytest.mark.parametrize("f", ALL, ids=ids)
def test_str_series_dataframe_lazyframe_agree(f):
    series = pl.Series("text", SAMPLE, dtype=pl.String)
    df = pl.DataFrame({"id": range(len(SAMPLE)), "text": series})
    if f.kind == "transform":
        from_str = [None if t is None else f(t) for t in SAMPLE]
        assert f(series).to_list() == from_str
        assert f(df)["text"].to_list() == from_str
        assert f(df.lazy()).collect()["text"].to_list() == from_str
        assert f(df.rename({"text": "body"}), column="body")["body"].to_list() == from_str
    else:
        keep = [t is None or f(t) for t in SAMPLE]
        kept_ids = [i for i, k in enumerate(keep) if k and SAMPLE[i] is not None]
        assert [t for t in f(series).to_list() if t is not None] == [SAMPLE[i] for i in kept_ids]
        assert [i for i in f(df)["id"].to_list() if SAMPLE[i] is not None] == kept_ids
        assert [i for i in f(df.lazy()).collect()["id"].to_list() if SAMPLE[i] is not None] == kept_ids
        kept, rejected = f.split(df)
        assert kept.height + rejected.height == df.height  # nothing silently lost
        assert set(rejected["reason"].to_list()) <= set(f.reasons)


@pytest.mark.parametrize("f", ALL, ids=ids)
def test_registered_and_params_round_trip(f):
    cls = get_filter_class(f.name)
    assert cls is type(f)
    clone = cls(**f.get_params())
    assert clone.get_params() == f.get_params()
    assert cls.__doc__ and "Examples" in cls.__doc__


# -- properties -----------------------------------------------------------------
TOKENS = st.sampled_from(
    [
        "rt", "RT", "@ana", "@", "#", "#São", "C#", "#1", "https://", "http", "www.", ".pt", ".com", "x.de/", "/",
        "casa.Ele", "3.5", "1.", "2)", "a)", "•", "-", "---", "===", "...", "....", "…", "COD", "_", "123",
        '"', " ", "\n", "«", "»", "“", "”", "(", ")", "'", "d'água", "ação", "Évora", "é", "ç", "Ã", "©", "â€œ",
        "\u200b", "\ufeff", "\u00ad", "e\u0301", "😍", "\ufffd", "gmail", "ana@x.pt", ":", ",", "kkk",
    ]
)
NOISY_TEXT = st.one_of(st.text(max_size=60), st.lists(TOKENS, max_size=25).map("".join))
PROSE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáàâãéêíóôõúçÁÂÃÉÊÍÓÔÕÚÇ ,", max_size=80)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: transforms that may legitimately change text again on a second pass (none today)
NOT_IDEMPOTENT: tuple[type, ...] = ()
#: only deletes characters (RepairUnicode composes and repairs; the others insert text)
DELETE_ONLY = [f for f in TRANSFORMS if isinstance(f, (RemoveUrls, RemoveMentions, RemoveHashtags, RemoveRetweetMarker,
                                                      RemoveListBullets, RemoveCodCodes, TrimSpacesInsideQuotes))
               and getattr(f, "replacement", "") == ""]


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


@pytest.mark.parametrize("f", TRANSFORMS, ids=ids)
@PROPS
@given(text=NOISY_TEXT)
def test_transforms_never_raise_and_are_idempotent(f, text):
    once = f(text)
    assert isinstance(once, str)
    if not isinstance(f, NOT_IDEMPOTENT):
        assert f(once) == once


@pytest.mark.parametrize("f", DELETE_ONLY, ids=ids)
@PROPS
@given(text=NOISY_TEXT)
def test_delete_only_transforms_never_fold_diacritics(f, text):
    assert is_subsequence(f(text), text)


@pytest.mark.parametrize("f", ALL, ids=ids)
@PROPS
@given(text=PROSE)
def test_plain_portuguese_prose_is_left_alone(f, text):
    if f.kind == "transform":
        assert f(text) == text
    else:
        assert f.reason(text) in (None, "long_word")  # max_word_chars=12 in this suite


@pytest.mark.parametrize("f", CHECKS, ids=ids)
@PROPS
@given(text=NOISY_TEXT)
def test_checks_give_only_declared_reasons(f, text):
    assert isinstance(f, Check)
    assert f.reason(text) in (None, *f.reasons)
