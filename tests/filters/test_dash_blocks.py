"""remove_dash_blocks: separator lines and runs."""

from __future__ import annotations

import pytest

from corpus_sieve.filters import RemoveDashBlocks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Título\n-----\nTexto", "Título\nTexto"),
        ("Notícia\n=========\nfim", "Notícia\nfim"),
        ("assine ____ aqui", "assine   aqui"),
        ("fim---início", "fim início"),
        ("--- Mensagem original ---\nolá", "  Mensagem original  \nolá"),
        ("a\n  ~~~~~  \nb", "a\nb"),
        ("capítulo ——— um", "capítulo   um"),
        ("x\n*****", "x\n"),
        ("Original message\n________________________________\nFrom: Ana", "Original message\nFrom: Ana"),
    ],
)
def test_removes_separators(text, expected):
    assert RemoveDashBlocks()(text) == expected


@pytest.mark.parametrize(
    "text",
    ["bem-vindo", "2 -- 3", "a = b == c", "snake_case_name", "— Olá — disse ela.", "pré-- pós", "A guerra 1939–1945", "<!-- x -->"],
)
def test_leaves_short_runs(text):
    assert RemoveDashBlocks()(text) == text
