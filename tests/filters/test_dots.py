"""reject_dot_runs: .... rejects, the ellipsis keeps."""

from __future__ import annotations

import pytest

from corpus_sieve.filters import RejectDotRuns

TOLD = "rt @user bem.... ainda faltam 2 anos pra acabar, há esperança https://t.co/ka3lee9gz6"
TOLD_ELLIPSIS = "rt @user @user putz, e sex tape não dá pra gravar todo dia..."


@pytest.mark.parametrize("text", [TOLD, "Índice ........ 3", "espera….", "e……", ".…", "Capítulo 1.....p. 4"])
def test_rejects_runs(text):
    assert RejectDotRuns().reason(text) == "dot_run"


@pytest.mark.parametrize("text", [TOLD_ELLIPSIS, "Bem... e tu…", "fim. . . .", "v1.2.3", "Lisboa."])
def test_keeps_ellipsis(text):
    assert RejectDotRuns().reason(text) is None


def test_min_dots():
    assert RejectDotRuns(min_dots=6)("bem....")
    assert not RejectDotRuns(min_dots=6)("bem……")  # two ellipses are six dots
    with pytest.raises(ValueError):
        RejectDotRuns(min_dots=3)


def test_told_rate(told):
    rejected = RejectDotRuns().reasons_series(told).is_not_null().sum()
    assert 150 < rejected < 300  # ~1 % of tweets: documented as social-media hostile
