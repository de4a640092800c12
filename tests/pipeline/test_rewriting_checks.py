"""A check that also rewrites the rows it keeps (``c4_quality``) as a pipeline stage: kept rows carry the
text it left, rejected rows the text as read, and the run counts and shows both what it changed and
what it rejected."""

from __future__ import annotations

import json

import polars as pl

from corpus_sieve.pipeline.engines.local import run_pipeline
from corpus_sieve.pipeline.recipe.recipe import Recipe
from corpus_sieve.pipeline.report.run_report import render_run_report
from corpus_sieve.pipeline.run.summary import format_summary

ARTICLE = ("The council met on Monday. It approved the budget for next year. Schools get more money.\n"
           "Roads will be repaired in the spring. The vote was close, with two members against.")
ROWS = [
    {"id": "a", "text": "Menu\nHome\n" + ARTICLE + "\nThis site uses cookies.", "domain": "web"},
    {"id": "b", "text": "Too short to keep.", "domain": "web"},
    {"id": "c", "text": ARTICLE, "domain": "web"},
    {"id": "d", "text": "Menu\n" + ARTICLE, "domain": "legal"},
]


def _run(tmp_path, stage: dict):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n", encoding="utf-8")
    recipe = Recipe.from_dict({"columns": {"domain": "domain"}, "stages": [stage, {"filter": "exact_dedup"}]})
    return run_pipeline([corpus], recipe, tmp_path / "runs", progress=False)


def test_kept_rows_carry_the_cleaned_text_and_rejected_rows_the_text_as_read(tmp_path) -> None:
    result = _run(tmp_path, {"filter": "c4_quality"})
    kept = pl.read_parquet(result.path / "kept.parquet")
    rejected = pl.read_parquet(result.path / "rejected.parquet")
    assert kept.select("id", "text").rows() == [("a", ARTICLE)]
    # "c" and "d" become "a"'s text once cleaned: the next stage sees the cleaned text
    assert rejected.select("id", "reason", "stage").rows() == [
        ("b", "c4_too_few_sentences", "c4_quality"), ("c", "duplicate", "exact_dedup"),
        ("d", "duplicate", "exact_dedup")]
    assert rejected.filter(pl.col("id") == "d")["text"].item() == ROWS[3]["text"]
    assert result.accounted


def test_the_run_counts_and_shows_what_the_check_changed_and_rejected(tmp_path) -> None:
    result = _run(tmp_path, {"filter": "c4_quality"})
    stage = next(s for s in result.stats["stages"] if s["stage"] == "c4_quality")
    assert (stage["kind"], stage["rows_in"], stage["rows_changed"], stage["rows_rejected"]) == ("check", 4, 2, 1)
    assert stage["reasons"] == {"c4_too_few_sentences": 1}
    examples = next(s for s in result.examples["stages"] if s["stage"] == "c4_quality")["examples"]
    assert [e["id"] for e in examples if "before" in e] == ["a", "d"]  # the most changed first
    assert [(e["id"], e["reason"]) for e in examples if "reason" in e] == [("b", "c4_too_few_sentences")]
    html = render_run_report(result.path)
    assert "2 rows changed; the ones it changed most; 1 rows rejected" in html
    assert "c4_too_few_sentences" in html and "<del>" in html
    summary = format_summary(result.stats, str(result.path))
    assert any(line.split()[:5] == ["c4_quality", "check", "4", "2", "1"] for line in summary.splitlines())


def test_rows_the_stage_is_not_routed_to_keep_their_text(tmp_path) -> None:
    result = _run(tmp_path, {"filter": "c4_quality", "domains": ["web"]})
    kept = pl.read_parquet(result.path / "kept.parquet")
    assert kept.select("id", "text").rows() == [("a", ARTICLE), ("d", ROWS[3]["text"])]
