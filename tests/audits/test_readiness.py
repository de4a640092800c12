"""Readiness bands: a clean, balanced, de-duplicated real corpus with permuted labels is band A; the
same corpus with conflicting duplicates is not B; unreadable text is not even C; ``--fail-below``."""

from __future__ import annotations

import json

import polars as pl
import pytest
from _pt_corpus import corpus, deduped, pt_frame

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.findings import Finding
from corpus_sieve.audits.readiness import band_rank, readiness
from corpus_sieve.audits.runner import run_audit


def _control(shared_data, n: int = 1500) -> pl.DataFrame:
    """Distinct real pt sentences from every source, labels permuted (balanced, nothing to learn)."""
    frame = deduped(pt_frame(shared_data)).sample(n, seed=3, shuffle=True)
    return frame.with_columns(pl.col("label").shuffle(seed=11))


def test_a_clean_balanced_deduplicated_corpus_with_permuted_labels_is_band_a(shared_data) -> None:
    result = run_audit(corpus(_control(shared_data)), AuditConfig())
    ready = readiness(result)
    assert ready["band"] == "A", [f.message for f in result.findings if f.severity != "info"]
    assert set(ready["by_domain"].values()) == {"A"} and ready["reasons"] == []


def test_conflicting_duplicates_keep_it_below_b_and_name_the_check(shared_data) -> None:
    frame = _control(shared_data)
    copies = frame.head(60).with_columns(
        (pl.col("id") + "-copy").alias("id"),
        pl.when(pl.col("label") == "pt-PT").then(pl.lit("pt-BR")).otherwise(pl.lit("pt-PT")).alias("label"))
    result = run_audit(corpus(pl.concat([frame, copies])), AuditConfig())
    ready = readiness(result)
    assert band_rank(ready["band"]) < band_rank("B")
    assert any(r["band"] == "B" and r["check"] == "conflicting_labels" for r in ready["reasons"])
    domains_with_copies = set(copies["domain"].to_list())
    assert all(ready["by_domain"][d] == "C" for d in domains_with_copies)


def _result_with(findings: list[Finding], frame: pl.DataFrame):
    result = run_audit(corpus(frame), AuditConfig(), checks=[], modules={})
    result.findings = findings
    return result


FRAME = pl.DataFrame({"id": ["a", "b", "c", "d"], "text": ["um", "dois", "três", "quatro"],
                      "label": ["x", "y", "x", "y"], "domain": ["web", "web", "legal", "legal"]})


@pytest.mark.parametrize("check, severity, band", [
    ("duplicates", "warn", "C"), ("conflicting_labels", "error", "C"), ("token_shortcut", "error", "B"),
    ("split_leakage", "warn", "B"), ("token_shortcut", "info", "A"), ("label_balance", "warn", "B"),
])
def test_which_findings_hold_a_corpus_below_which_band(check: str, severity: str, band: str) -> None:
    result = _result_with([Finding(check=check, severity=severity, message="m", domain="web")], FRAME)
    ready = readiness(result)
    assert ready["band"] == band
    assert ready["by_domain"] == {"legal": "A", "web": band}


def test_a_corpus_wide_finding_counts_for_the_domains_of_the_rows_it_names() -> None:
    named = Finding(check="duplicates", severity="warn", message="m", row_ids=["c", "d"])
    assert readiness(_result_with([named], FRAME))["by_domain"] == {"legal": "C", "web": "A"}
    unnamed = Finding(check="token_shortcut", severity="warn", message="m")
    assert readiness(_result_with([unnamed], FRAME))["by_domain"] == {"legal": "B", "web": "B"}


def test_text_decoded_with_the_wrong_encoding_is_not_accessible() -> None:
    broken = FRAME.with_columns(pl.lit("caf\ufffd com leite").alias("text"))
    ready = readiness(_result_with([], broken))
    assert ready["band"] is None and ready["by_domain"] == {"legal": None, "web": None}
    assert "U+FFFD" in ready["reasons"][0]["message"]


def test_audit_json_and_the_cli_gate_on_the_band(tmp_path, capsys) -> None:
    from corpus_sieve.pipeline.cli.main import main

    rows = [{"id": f"r{i}", "text": f"Frase número {i} sobre o tempo em Lisboa.", "label": "ab"[i % 2]} for i in range(40)]
    rows += [{**rows[0], "id": "copy", "label": "b"}]  # a conflicting duplicate
    data = tmp_path / "c.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert main(["audit", str(data), "--out", str(tmp_path / "a"), "--fail-on", "never", "--fail-below", "C"]) == 0
    assert main(["audit", str(data), "--out", str(tmp_path / "b"), "--fail-on", "never", "--fail-below", "B"]) == 1
    out, err = capsys.readouterr()
    assert "readiness: C (B blocked by conflicting_labels" in out
    assert "readiness band C is below --fail-below B" in err
    doc = json.loads((tmp_path / "b" / "audit.json").read_text(encoding="utf-8"))
    assert doc["readiness"]["band"] == "C"
    assert "Readiness: band C" in (tmp_path / "b" / "report.html").read_text(encoding="utf-8")
