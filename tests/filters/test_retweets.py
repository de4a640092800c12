"""remove_retweet_marker: RT @user: at the start, any case, chained."""

from __future__ import annotations

import pytest

from corpus_sieve.filters import RemoveRetweetMarker

TOLD_CHAINED = "rt @user @user o cara adultera dados, que foram desmascarados e ainda quer ficar no governo?"
TOLD = "rt @user hora de colocar os fatos na mesa https://t.co/8174j0wtry"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TOLD_CHAINED, "o cara adultera dados, que foram desmascarados e ainda quer ficar no governo?"),
        (TOLD, "hora de colocar os fatos na mesa https://t.co/8174j0wtry"),
        ("RT @BBCBreaking: Breaking news", "Breaking news"),
        ("Rt @ana: RT @rui: bom dia", "bom dia"),
        ("  rt @a @b: texto", "texto"),
        ("RT: @ana olá", "olá"),
    ],
)
def test_removes_marker(text, expected):
    assert RemoveRetweetMarker()(text) == expected


@pytest.mark.parametrize(
    "text",
    ["rt se concorda", "isto é um RT @ana no meio", "rtx @ana", "art @ana", "Partilhem!\nRT @ana: x", "@user rt @user"],
)
def test_leaves_other_text(text):
    assert RemoveRetweetMarker()(text) == text


def test_every_told_retweet_loses_its_marker(told):
    out = RemoveRetweetMarker()(told)
    retweets = told.str.contains(r"(?i)^rt @")
    assert retweets.sum() > 2900
    assert out.filter(retweets).str.contains(r"(?i)^rt @").sum() == 0
    assert (out.filter(~retweets) == told.filter(~retweets)).all()
