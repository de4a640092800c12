"""``sieve audit --suggest-recipe``: the loop closes on real data. Audit, run the suggested recipe with
``sieve clean``, audit again: the fixed findings are gone and no new warning or error appears."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import yaml
from _pt_corpus import deduped, pt_frame, with_splits

from corpus_sieve.pipeline.cli.main import main

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample_corpus.jsonl"


def _loud(audit_dir: Path) -> set[tuple]:
    doc = json.loads((audit_dir / "audit.json").read_text(encoding="utf-8"))
    return {(f["check"], f["domain"], f["feature"]) for f in doc["findings"] if f["severity"] != "info"}


def _loop(tmp_path: Path, data: Path, *audit_args: str) -> tuple[set[tuple], set[tuple], dict, Path]:
    before, after, recipe = tmp_path / "before", tmp_path / "after", tmp_path / "suggested.yaml"
    assert main(["audit", str(data), "--out", str(before), "--fail-on", "never", "--suggest-recipe", str(recipe),
                 *audit_args]) == 0
    source = data / "kept.parquet" if data.is_dir() else data
    assert main(["clean", str(source), "--recipe", str(recipe), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    assert main(["audit", str(tmp_path / "runs" / "latest"), "--out", str(after), "--fail-on", "never"]) == 0
    return _loud(before), _loud(after), yaml.safe_load(recipe.read_text(encoding="utf-8")), recipe


def test_the_demo_loop_removes_the_lusa_signature_and_the_conflicting_copies(tmp_path) -> None:
    runs = tmp_path / "demo"
    assert main(["clean", str(SAMPLE), "--recipe", "ptvid", "--out", str(runs), "--quiet"]) == 0
    before, after, recipe, _ = _loop(tmp_path, (runs / "latest").resolve())
    assert ("token_shortcut", "journalistic", "lusa") in before
    assert any(check == "conflicting_labels" for check, _, _ in before)
    assert after <= before  # nothing new
    assert ("token_shortcut", "journalistic", "lusa") not in after
    assert not any(check == "conflicting_labels" for check, _, _ in after)
    filters = [s["filter"] for s in recipe["stages"]]
    assert filters == ["reject_ids", "regex_replace", "normalize_whitespace"]
    assert recipe["stages"][1]["domains"] == ["journalistic"]
    assert "ao" not in json.dumps(recipe["stages"])  # label vocabulary is never removed


def test_the_loop_closes_on_real_text_with_planted_problems(tmp_path, shared_data) -> None:
    frame = with_splits(deduped(pt_frame(shared_data)).sample(1500, seed=5, shuffle=True), seed=1)
    frame = frame.with_columns(pl.col("label").shuffle(seed=2))  # labels with nothing to learn: band A
    news_pt = (pl.col("domain") == "news") & (pl.col("label") == "pt-PT")
    frame = frame.with_columns(pl.when(news_pt & (pl.int_range(pl.len()) % 2 == 0))
                               .then(pl.col("text") + " (Lusa)").otherwise(pl.col("text")).alias("text"))
    train = frame.filter(pl.col("split") == "train")
    conflicting = train.head(20).with_columns((pl.col("id") + "-c").alias("id"),
                                              pl.when(pl.col("label") == "pt-PT").then(pl.lit("pt-BR"))
                                              .otherwise(pl.lit("pt-PT")).alias("label"))
    leaked = train.slice(100, 30).with_columns((pl.col("id") + "-leak").alias("id"), pl.lit("test").alias("split"))
    copies = train.slice(200, 30).with_columns((pl.col("id") + "-dup").alias("id"))
    data = tmp_path / "planted.parquet"
    pl.concat([frame, conflicting, leaked, copies]).sample(fraction=1.0, seed=9, shuffle=True).write_parquet(data)
    before, after, recipe, _ = _loop(tmp_path, data)
    found = {check for check, _, _ in before}
    assert {"token_shortcut", "conflicting_labels", "split_leakage", "duplicates"} <= found
    assert ("token_shortcut", "news", "lusa") in before
    filters = [s["filter"] for s in recipe["stages"]]
    assert {"reject_ids", "regex_replace", "exact_dedup", "near_dedup"} <= set(filters)
    assert after <= before and not {"conflicting_labels", "split_leakage", "duplicates"} & {c for c, _, _ in after}
    assert ("token_shortcut", "news", "lusa") not in after


def test_without_an_id_column_the_readers_ids_name_the_same_rows_in_audit_and_clean(tmp_path) -> None:
    rows = [{"text": f"Frase número {i} sobre o tempo em Lisboa.", "label": "ab"[i % 2]} for i in range(40)]
    rows += [{**rows[0], "label": "b"}]
    data = tmp_path / "c.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    recipe = tmp_path / "s.yaml"
    assert main(["audit", str(data), "--out", str(tmp_path / "a"), "--fail-on", "never", "--suggest-recipe", str(recipe)]) == 0
    stage = next(s for s in yaml.safe_load(recipe.read_text(encoding="utf-8"))["stages"] if s["filter"] == "reject_ids")
    assert stage["params"] == {"reason_name": "conflicting_label", "ids": ["c:1", "c:41"]}  # <file>:<line>, as sieve clean names them
    assert main(["clean", str(data), "--recipe", str(recipe), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    rejected = pl.read_parquet(tmp_path / "runs" / "latest" / "rejected.parquet")
    assert rejected.filter(pl.col("reason") == "conflicting_label")["id"].to_list() == ["c:1", "c:41"]
