"""remove_list_bullets, with the PtVId unescaped-dot regression (leading years)."""

from __future__ import annotations

import json
import re

import pytest

from corpus_sieve.filters import RemoveListBullets

DSLCC_YEAR = "2005 assistiu ao regresso de Montenegro aos papéis principais, ao interpretar três personagens diferentes na épica saga feminista \"Casa de Areia\""
DSLCC_ORDINAL = "A quem é que o benfica ganha? ao Sporting que já não ganha há mais de 7 jogos! ao Estugarda que está 17.º na Liga Alemã"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. High-Protein, Balanced Meals Are Here to Stay", "High-Protein, Balanced Meals Are Here to Stay"),  # WCXB 0001
        ("- Undergraduate – $390", "Undergraduate – $390"),  # WCXB 0021
        ("1.  Make A Budget", "Make A Budget"),  # WCXB 0011
        ("Ingredientes:\n1. farinha\n2) ovos\n• leite\n* sal\n– açúcar", "Ingredientes:\nfarinha\novos\nleite\nsal\naçúcar"),
        ("a) primeiro\n(b) segundo\niv) quarto\n(3) terceiro", "primeiro\nsegundo\nquarto\nterceiro"),
        ("  1.2. Âmbito", "  Âmbito"),  # indentation kept
        ("1. a) nested\n- • twice", "nested\ntwice"),  # one pass: idempotent
    ],
)
def test_removes_bullets(text, expected):
    assert RemoveListBullets()(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024 foi um ano difícil",  # PtVId: r"\d+." ate the year
        "2024. Foi o ano",
        DSLCC_YEAR,
        "3.5 milhões de pessoas",
        "1.º lugar para o Porto",
        DSLCC_ORDINAL,
        "1.000 pessoas na rua",
        "A. Silva disse que sim",  # initials, not a bullet
        "— Bom dia — disse ela.",  # dialogue dash
        "-5 graus esta noite",
        "*importante* é isto",
        "o item 1. foi aprovado",  # not at line start
    ],
)
def test_leaves_non_bullets_alone(text):
    assert RemoveListBullets()(text) == text


def test_ptvid_unescaped_dot_regression():
    buggy = re.compile(r"^\d+.\s*")  # the founding rule, for the record
    assert buggy.sub("", "2024 foi um ano") == "foi um ano"
    assert RemoveListBullets()("2024 foi um ano") == "2024 foi um ano"


def test_wcxb_gold_list_items(shared_data):
    gold = json.loads((shared_data / "html/wcxb-dev/ground-truth/0001.json").read_text())["ground_truth"]["main_content"]
    out = RemoveListBullets()(gold)
    assert "\n1. High-Protein" not in "\n" + out
    assert "High-Protein, Balanced Meals Are Here to Stay" in out
    assert len(out) < len(gold)
