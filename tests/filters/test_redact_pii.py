"""``redact_pii``: golden positives and look-alikes for every kind of personal data, both actions."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import RedactPii
from corpus_sieve.filters.pii.detectors import cnpj_valid, cpf_valid, find_pii, iban_valid, luhn_valid, nif_valid
from corpus_sieve.filters.pii.redact_pii import RejectPii
from corpus_sieve.pipeline.engines.local import run_pipeline
from corpus_sieve.pipeline.recipe.recipe import Recipe, RecipeError

POSITIVES = [
    ("EMAIL", "ana.silva@exemplo.pt"), ("EMAIL", "joao_123+news@mail.com.br"),
    ("PHONE", "+351 912 345 678"), ("PHONE", "00351 213 456 789"), ("PHONE", "912345678"), ("PHONE", "213 456 789"),
    ("PHONE", "(11) 98765-4321"), ("PHONE", "+55 11 98765-4321"), ("PHONE", "11 98765-4321"), ("PHONE", "11 960736519"),
    ("PHONE", "(21) 3456-7890"), ("PHONE", "+44 20 7946 0958"),
    ("IP_ADDRESS", "192.168.1.20"), ("IP_ADDRESS", "2001:db8::8a2e:370:7334"), ("IP_ADDRESS", "fe80::1"),
    ("CARD", "4111 1111 1111 1111"), ("CARD", "5500-0000-0000-0004"), ("CARD", "378282246310005"),
    ("IBAN", "PT50 0002 0123 1234 5678 9015 4"), ("IBAN", "DE89370400440532013000"),
    ("NIF", "123456789"), ("NIF", "501 964 843"),
    ("CPF", "529.982.247-25"), ("CNPJ", "11.222.333/0001-81"),
]
#: the value needs its name before it (a bare 9-, 11- or 14-digit number could be anything)
NAMED = {"123456789": "NIF ", "501 964 843": "contribuinte n.º "}
LOOK_ALIKES = [
    "casa.Ele", "3.5", "1.000.000", "12/03/2024", "2024-03-12", "14:30", "12:30:45", "R$ 1.234,56", "€ 1 234,56",
    "versão 2.10.3", "v1.2.3.4", "256.1.1.1", "a@b", "ISBN 978-3-16-148410-0", "Ganhou 2 000 000 euros",
    "123456789", "300.000.000", "1234 5678",
    "4111 1111 1111 1112",                 # fails Luhn
    "PT50 0002 0123 1234 5678 9015 5",     # fails mod-97
    "NIF 123456780",                       # fails its check digit
    "529.982.247-24", "111.111.111-11",    # CPF: wrong check digit, repeated digits
    "11.222.333/0001-82",                  # CNPJ: wrong check digit
]


@pytest.mark.parametrize("kind, value", POSITIVES)
def test_each_kind_is_found_and_replaced(kind: str, value: str) -> None:
    text = f"Os dados: {NAMED.get(value, '')}{value}. Obrigado."
    spans = find_pii(text)
    assert [(text[s:e], k) for s, e, k in spans] == [(value, kind)]
    assert RedactPii()(text) == f"Os dados: {NAMED.get(value, '')}<{kind}>. Obrigado."


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_are_never_touched(text: str) -> None:
    sentence = f"Ver {text} amanhã."
    assert find_pii(sentence) == []
    assert RedactPii()(sentence) == sentence
    assert RedactPii(action="reject").reason(sentence) is None


def test_validators() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("BR1500000000000010932840814P2") and not iban_valid("PT50000201231234567890154" + "0")
    assert nif_valid("501964843") and not nif_valid("401964843")  # 4 is no NIF's first digit
    assert cpf_valid("52998224725") and not cpf_valid("00000000000")
    assert cnpj_valid("11222333000181") and not cnpj_valid("11222333000180")


def test_types_and_placeholder() -> None:
    text = "ana@exemplo.pt, 912 345 678"
    assert RedactPii(types=["EMAIL"])(text) == "<EMAIL>, 912 345 678"
    assert RedactPii(placeholder="[{type}]")(text) == "[EMAIL], [PHONE]"
    with pytest.raises(ValueError, match="unknown"):
        RedactPii(types=["PASSPORT"])
    with pytest.raises(ValueError, match="action"):
        RedactPii(action="mask")
    with pytest.raises(ValueError, match="placeholder"):
        RedactPii(placeholder="XXX")


def test_reject_action_is_a_check() -> None:
    check = RedactPii(action="reject")
    assert isinstance(check, RejectPii) and check.kind == "check" and check.name == "redact_pii"
    assert check.reason("ligue 912 345 678") == "pii" and check("sem dados") is True
    assert pickle.loads(pickle.dumps(check)).get_params() == check.get_params()
    assert RedactPii.variant_for({"action": "reject"}) is RejectPii and RedactPii.variant_for({}) is RedactPii


def test_only_rows_that_could_hold_data_reach_python() -> None:
    df = pl.DataFrame({"text": ["sem nada", "ana@exemplo.pt", "tem 12 anos"]})
    assert pl.select(RedactPii().needs_expr(pl.lit(df["text"]))).to_series().to_list() == [False, True, True]
    assert RedactPii()(df)["text"].to_list() == ["sem nada", "<EMAIL>", "tem 12 anos"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcXYZ ção.,;:-/()+@0123456789")), max_size=80))
def test_redaction_only_replaces_spans_it_found(text: str) -> None:
    spans = find_pii(text)
    assert all(0 <= s < e <= len(text) for s, e, _ in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # no overlaps
    redacted = RedactPii()(text)
    if not spans:
        assert redacted == text


def _corpus(tmp_path: Path) -> Path:
    rows = [{"id": "a", "text": "Escreva para ana@exemplo.pt hoje."}, {"id": "b", "text": "Nada a declarar."},
            {"id": "c", "text": "CPF 529.982.247-25"}]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_a_recipe_redacts_or_rejects(tmp_path: Path) -> None:
    redact = run_pipeline([_corpus(tmp_path)], Recipe.from_dict({"stages": [{"filter": "redact_pii"}]}),
                          tmp_path / "r", progress=False)
    assert pl.read_parquet(redact.path / "kept.parquet")["text"].to_list() == [
        "Escreva para <EMAIL> hoje.", "Nada a declarar.", "CPF <CPF>"]
    reject = run_pipeline([_corpus(tmp_path)], Recipe.from_dict(
        {"stages": [{"filter": "redact_pii", "params": {"action": "reject"}}]}), tmp_path / "j", progress=False)
    assert pl.read_parquet(reject.path / "kept.parquet")["id"].to_list() == ["b"]
    rejected = pl.read_parquet(reject.path / "rejected.parquet")
    assert rejected.select("id", "reason", "stage").rows() == [("a", "pii", "redact_pii"), ("c", "pii", "redact_pii")]
    assert reject.stats["stages"][1]["kind"] == "check"


def test_the_action_cannot_change_by_domain_or_row() -> None:
    with pytest.raises(RecipeError, match="cannot change by domain"):
        Recipe.from_dict({"stages": [{"filter": "redact_pii", "per_domain": {"web": {"action": "reject"}}}]})
    with pytest.raises(RecipeError, match="cannot come from a column"):
        Recipe.from_dict({"stages": [{"filter": "redact_pii", "params_from_columns": {"action": "what"}}]})
