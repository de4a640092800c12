"""remove_hashtags: drop / keep_word modes; C#, #1, s#tag and &#39; are not hashtags."""

from __future__ import annotations

import pytest

from corpus_sieve.filters import RemoveHashtags

TOLD = "tô vendo que vou chorar igual uma criancinha #descendants3"
TOLD_DOT = "@user pq a boca foi feita pra falar .#stfvergonhanacional"
TOLD_RANK = "@user falta muito pouco pro #1 garota"
TOLD_GLUED = "o gambenja. como os gambás contrataram o ruimgil sem ter dinheiro pra pagar as marmita s#fsradiobrasil"


@pytest.mark.parametrize(
    ("text", "drop", "keep_word"),
    [
        (TOLD, "tô vendo que vou chorar igual uma criancinha ", "tô vendo que vou chorar igual uma criancinha descendants3"),
        (TOLD_DOT, "@user pq a boca foi feita pra falar .", "@user pq a boca foi feita pra falar .stfvergonhanacional"),
        ("#ForaBolsonaro já", " já", "ForaBolsonaro já"),
        ("viva #São João e #20weeks", "viva  João e ", "viva São João e 20weeks"),
        ("#love #travel", " ", "love travel"),
    ],
)
def test_hashtags(text, drop, keep_word):
    assert RemoveHashtags()(text) == drop
    assert RemoveHashtags(mode="keep_word")(text) == keep_word


@pytest.mark.parametrize("text", [TOLD_RANK, TOLD_GLUED, "I code in C# and F#", "it&#39;s", "#2024 foi bom", "## título", "sem tags"])
@pytest.mark.parametrize("mode", ["drop", "keep_word"])
def test_not_hashtags(text, mode):
    assert RemoveHashtags(mode=mode)(text) == text


def test_bad_mode():
    with pytest.raises(ValueError):
        RemoveHashtags(mode="strip")


def test_told_multi_line_tags(told):
    text = "@user onde mexe fede!\n#forastf \n#stfvergonhanacional \n#forasuspeitotribunalfederal\n#nasruascontrastf"
    assert text in told.to_list()
    assert RemoveHashtags()(text) == "@user onde mexe fede!\n \n \n\n"
