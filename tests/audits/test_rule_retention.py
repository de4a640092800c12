"""rule_retention: a cleaning stage that rejects one label more than the other."""

from __future__ import annotations

import json

import polars as pl
from _pt_corpus import corpus

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.checks import rule_retention


def _corpus(run_dir):
    frame = pl.DataFrame({"id": ["1", "2"], "text": ["Olá.", "Oi."], "label": ["pt-PT", "pt-BR"], "domain": "social_media"})
    return corpus(frame, run_dir=run_dir)


def _stats(tmp_path, groups):
    by_group = [
        {"stage": st, "domain": d, "label": l, "rows_in": n, "rows_rejected": r, "rows_kept": n - r} for st, d, l, n, r in groups
    ]
    retention = [{"domain": "social_media", "label": "pt-PT", "input": 1000, "kept": 900, "retention": 0.9}]
    (tmp_path / "stats.json").write_text(json.dumps({"by_group": by_group, "retention": retention}))
    return tmp_path


def test_lopsided_rule_is_found(tmp_path):
    run_dir = _stats(
        tmp_path,
        [
            ("min_length", "social_media", "pt-PT", 1000, 50),
            ("min_length", "social_media", "pt-BR", 1000, 400),  # 35 points: error
            ("remove_urls", "social_media", "pt-PT", 950, 100),
            ("remove_urls", "social_media", "pt-BR", 600, 150),  # 14.5 points: warn
            ("strip_html", "social_media", "pt-PT", 850, 10),
            ("strip_html", "social_media", "pt-BR", 450, 6),  # equal: quiet
            ("dedup", "news", "pt-PT", 40, 0),
            ("dedup", "news", "pt-BR", 40, 30),  # too few rows to judge
        ],
    )
    result = rule_retention.run(_corpus(run_dir), AuditConfig())
    got = {(f.feature, f.severity, f.label) for f in result.findings}
    assert got == {("min_length", "error", "pt-BR"), ("remove_urls", "warn", "pt-BR")}
    f = next(f for f in result.findings if f.feature == "min_length")
    assert abs(f.statistic["effect"] - 0.35) < 1e-9 and f.statistic["threshold_error"] == 0.25
    assert len(result.tables["rule_retention"]) == 8 and result.tables["retention"]


def test_balanced_rules_stay_quiet(tmp_path):
    run_dir = _stats(tmp_path, [("min_length", "web", "pt-PT", 5000, 500), ("min_length", "web", "pt-BR", 4000, 420)])
    assert rule_retention.run(_corpus(run_dir), AuditConfig()).findings == []


def test_no_run_dir_is_a_no_op(tmp_path):
    assert rule_retention.run(_corpus(None), AuditConfig()).findings == []
    missing = rule_retention.run(_corpus(tmp_path), AuditConfig())
    assert [f.severity for f in missing.findings] == ["info"]
