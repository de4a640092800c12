"""remove_mentions: @user goes, e-mails stay."""

from __future__ import annotations

import pytest

from corpus_sieve.filters import RemoveMentions

TOLD = "@user @user @user o cara só é simplesmente o maior vencedor da história de futebol, tá com 36 anos e tem gás demais e não um gordo com joelho fodido"
TOLD_GLUED = "TAEHY TA FAZENDO BIRRA@user filho da puta, eu amo ele, saco. Não passou nem 10 minutos e eu ja não aguento mais ignorar. 😔😔😔😔😔😔😔😔😔😔😔😔😔"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TOLD, "   o cara só é simplesmente o maior vencedor da história de futebol, tá com 36 anos e tem gás demais e não um gordo com joelho fodido"),
        (TOLD_GLUED, TOLD_GLUED.replace("@user", "")),
        ("thanks @john_doe!", "thanks !"),
        ("olá @joão_ção, tudo?", "olá , tudo?"),
        ("full-width ＠ana", "full-width "),
    ],
)
def test_removes_mentions(text, expected):
    assert RemoveMentions()(text) == expected


@pytest.mark.parametrize(
    "text",
    ["escreve para ana@gmail.com", "mail me at john.doe+news@example.co.uk.", "preço @ 5€", "a @ b", "sem menções"],
)
def test_leaves_emails_and_lone_at_signs(text):
    assert RemoveMentions()(text) == text


def test_no_mention_survives_in_told(told):
    out = RemoveMentions()(told)
    assert out.str.contains(r"@user\b").sum() == 0
