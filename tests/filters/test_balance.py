"""reject_unbalanced: brackets and quotes; emoticons, enumerators and apostrophes don't count."""

from __future__ import annotations

import pytest

from corpus_sieve.filters import RejectUnbalanced

DSLCC_OK = "A inadimplência com cheques voltou a cair no país, no mês passado. Segundo indicador divulgado hoje (23) pela Serasa Experian, a queda em abril foi de 5,8% em comparação a março. Entre os mais de 80,2 milhões de cheques compensados, o número de documentos devolvidos chegou a 1,6 milhão (2% do total)."
DSLCC_CURLY = "Alem do tal D’Alema com otimismo pregar um GOLPE “encontrar um remédio jurídico” (rasgar a constituição brasileira, que determina as atribuições de cada poder)."


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("O Fundo de Garantia (FGTS disse", "unbalanced_brackets"),
        ("fim) do texto", "unbalanced_brackets"),
        ("lista [a, b", "unbalanced_brackets"),
        ("{ sem fecho", "unbalanced_brackets"),
        ('ele disse "olá', "unbalanced_quotes"),
        ("«Não sei» e «talvez", "unbalanced_quotes"),
        ("“sem fecho", "unbalanced_quotes"),
        ('(a "b', "unbalanced_brackets"),  # brackets are reported first
    ],
)
def test_rejects(text, reason):
    assert RejectUnbalanced().reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        DSLCC_OK,
        DSLCC_CURLY,
        "à prova d'água, Land's End, it's, D’Alema, rock 'n' roll",
        "adorei :) e :-( e ;] e (:",
        "nos termos das alíneas a) e b) do n.º 1",
        "a) primeiro\n1) segundo",
        '"olá" e «adeus» e “fim”',
        "sem nada",
    ],
)
def test_keeps(text):
    assert RejectUnbalanced().reason(text) is None


def test_switches():
    assert RejectUnbalanced(brackets=False).reason("(x") is None
    assert RejectUnbalanced(quotes=False).reason('"x') is None


def test_dslcc_rate(dslcc):
    reasons = RejectUnbalanced().reasons_series(dslcc)
    assert reasons.is_not_null().mean() < 0.08  # news: only truncated quotes/brackets
