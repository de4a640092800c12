"""trim_spaces_inside_quotes: " olá " -> "olá", « » and “ ” too; apostrophes and inch marks stay."""

from __future__ import annotations

import pytest

from corpus_sieve.filters import TrimSpacesInsideQuotes

TOLD = "Meu nivel de amizade com isis é ela ter meu insta e eu ter o dela, e quando eu penso que não ela manda mensagem “ falano otario ta falando dnv no insta”"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('" olá "', '"olá"'),
        ('ele disse " bom dia " e saiu', 'ele disse "bom dia" e saiu'),
        ("« olá »", "«olá»"),
        ("“ fim ”", "“fim”"),
        (TOLD, TOLD.replace("“ falano", "“falano")),
        ('a "b" e " c "', 'a "b" e "c"'),
        ("«\tolá\u00a0»", "«olá»"),
        ('(" x ")', '("x")'),
    ],
)
def test_trims(text, expected):
    assert TrimSpacesInsideQuotes()(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "à prova d'água",
        "it 's fine",
        "ecrã de 5\" e de 6\" , ok",  # inch marks are not quotes
        '"olá" e «adeus»',
        "« abre\nfecha »",  # never across lines
        "Alem do tal D’Alema com otimismo pregar um GOLPE “encontrar um remédio jurídico” (rasgar a constituição brasileira, que determina as atribuições de cada poder).",
    ],
)
def test_leaves_alone(text):
    assert TrimSpacesInsideQuotes()(text) == text
