"""remove_cod_codes: COD _ XXX codes, careful negatives."""

from __future__ import annotations

import pytest

from corpus_sieve.filters import RemoveCodCodes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Regulamento COD _ 123 aprovado", "Regulamento  aprovado"),
        ("ver COD_ABC.", "ver ."),
        ("processo COD _ 2011/0901 e COD_12-B", "processo  e "),
        ("COD _ X1", ""),
        ("COD  _  7 (ref)", " (ref)"),
    ],
)
def test_removes_codes(text, expected):
    assert RemoveCodCodes()(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "pagamento COD na entrega",
        "o código _ nada",
        "cod_postal = 1000",
        "CODIGO_1 e CODEX_2",
        "MY_COD_1",
        "COD _",  # no id
        "bacalhau (cod) fresco",
        "COD\n_ 12",  # never across lines
    ],
)
def test_leaves_other_text(text):
    assert RemoveCodCodes()(text) == text
