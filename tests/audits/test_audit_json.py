"""audit.json: the exact shape issue #3 promises programs, checked like a JSON schema."""

from __future__ import annotations

import json
import math

import polars as pl
import pytest
from _framework_fakes import corpus_frame, fake_module, fake_modules, real_sample

from corpus_sieve.audits.base import CheckResult
from corpus_sieve.audits.findings import CHECK_IDS, Finding
from corpus_sieve.audits.loader import canonicalise
from corpus_sieve.audits.report.outputs import AUDIT_JSON, FLAGS_PARQUET, REPORT_HTML, write_outputs
from corpus_sieve.audits.runner import run_audit

# The contract, as a (small) JSON schema: required keys and their types; more keys are allowed.
SCHEMA = {
    "type": "object",
    "required": ["verdict", "findings"],
    "properties": {
        "verdict": {"enum": ["pass", "warn", "fail"]},
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["check", "severity", "domain", "label", "split", "feature", "statistic", "rows",
                             "message", "examples"],
                "properties": {
                    "check": {"enum": list(CHECK_IDS)},
                    "severity": {"enum": ["info", "warn", "error"]},
                    "domain": {"type": ["string", "null"]},
                    "label": {"type": ["string", "null"]},
                    "split": {"type": ["string", "null"]},
                    "feature": {"type": ["string", "null"]},
                    "statistic": {"type": "object", "additionalProperties": {"type": ["number", "null"]}},
                    "rows": {"type": "integer"},
                    "message": {"type": "string"},
                    "examples": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "text", "label", "domain"],
                            "properties": {
                                "id": {"type": "string"},
                                "text": {"type": "string"},
                                "label": {"type": ["string", "null"]},
                                "domain": {"type": ["string", "null"]},
                            },
                        },
                    },
                },
            },
        },
    },
}

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "null": type(None),
}


def validate(value, schema, path="$"):
    """A minimal JSON-schema validator (type, enum, required, properties, items, additionalProperties)."""
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if "type" in schema:
        types_ = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(isinstance(value, _TYPES[t]) and not (isinstance(value, bool) and t in ("integer", "number"))
                 for t in types_)
        assert ok, f"{path}: {value!r} is not {types_}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{path}: missing key {key!r}"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                validate(value[key], sub, f"{path}.{key}")
        if "additionalProperties" in schema:
            for key, v in value.items():
                if key not in schema.get("properties", {}):
                    validate(v, schema["additionalProperties"], f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], f"{path}[{i}]")


@pytest.fixture
def written(tmp_path):
    result = run_audit(canonicalise(corpus_frame(hostile=True)), modules=fake_modules())
    paths = write_outputs(result, tmp_path / "out")
    return result, paths


def test_outputs_are_written_directly_in_out_dir(written, tmp_path):
    _, paths = written
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == {AUDIT_JSON, FLAGS_PARQUET, REPORT_HTML}
    assert paths["json"].parent == out and paths["html"].parent == out and paths["flags"].parent == out


def test_audit_json_matches_the_schema(written):
    result, paths = written
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    validate(doc, SCHEMA)
    assert doc["verdict"] == result.verdict == "fail"
    assert len(doc["findings"]) == len(result.findings) > 0
    assert [f["check"] for f in doc["findings"]] == [f.check for f in result.findings]
    assert doc["findings"][0]["severity"] == "error"


def test_audit_json_extra_keys(written):
    result, paths = written
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert doc["counts"] == result.counts()
    assert sum(doc["counts"].values()) == len(doc["findings"])
    assert doc["corpus"]["rows"] == result.corpus.frame.height
    assert set(doc["corpus"]["labels"]) == set(result.corpus.labels)
    assert doc["corpus"]["splits"] == {"test": 8, "train": 39}
    assert doc["checks"] == result.checks_run
    assert doc["thresholds"]["label_balance"] == {"imbalance_warn": 1.5, "imbalance_error": 10.0}
    assert set(doc["timings_s"]) == set(result.checks_run)
    assert isinstance(doc["version"], str) and doc["schema_version"] == 1


def test_nan_and_inf_statistics_become_null_and_json_is_strict(tmp_path):
    def weird(corpus, config):
        return CheckResult(findings=[Finding(check="label_balance", severity="warn", message="m",
                                             statistic={"effect": math.inf, "p": math.nan, "n": 3})])

    result = run_audit(canonicalise(corpus_frame()), modules={"label_balance": fake_module("label_balance", weird)})
    paths = write_outputs(result, tmp_path)
    text = paths["json"].read_text()
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    validate(doc, SCHEMA)
    assert doc["findings"][0]["statistic"] == {"effect": None, "p": None, "n": 3}


def test_flags_parquet_joins_back_in_polars(written):
    result, paths = written
    flags = pl.read_parquet(paths["flags"])
    corpus = result.corpus.frame
    assert flags.height == corpus.height and flags["id"].n_unique() == corpus.height
    joined = corpus.join(flags, on="id", how="inner")
    assert joined.height == corpus.height
    assert flags.schema["id"] == pl.String


def test_rewriting_replaces_previous_outputs(written, tmp_path):
    result, paths = written
    before = paths["json"].read_text()
    write_outputs(result, tmp_path / "out")
    assert paths["json"].read_text().startswith(before[:20])
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_real_checks_write_schema_valid_outputs(shared_data, tmp_path):
    """Whichever real checks exist: their findings serialise to the contract and the report renders.

    text_free_baseline is left out only for speed (it cross-validates a classifier; its own tests cover it).
    """
    from corpus_sieve.audits.registry import available_checks

    checks = [c for c in available_checks() if c != "text_free_baseline"]
    result = run_audit(canonicalise(real_sample(shared_data)), checks=checks)
    paths = write_outputs(result, tmp_path)
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    validate(doc, SCHEMA)
    assert len(doc["findings"]) == len(result.findings)
    assert pl.read_parquet(paths["flags"]).height == result.corpus.frame.height
    page = paths["html"].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
