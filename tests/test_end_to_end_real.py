"""The issue's done-means on real data: a 60,000-document mixed corpus built from
../shared/data goes through `sieve clean` with the default recipe and every input
row ends in exactly one of kept/rejected."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from realdata import build_mixed_corpus

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


def test_sieve_clean_60k_mixed_real_corpus_loses_nothing(shared_data: Path, tmp_path: Path, repo_root: Path) -> None:
    corpus = build_mixed_corpus(shared_data, tmp_path / "mixed.jsonl", n_docs=60_000, html_pages=40)
    result = subprocess.run(
        [sys.executable, "-m", "corpus_sieve.pipeline.cli.main", "clean", str(corpus), "--recipe", "ptvid", "--out", str(tmp_path / "runs"), "--quiet"],
        cwd=repo_root, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "kept + rejected = input: OK" in result.stdout
    run = (tmp_path / "runs" / "latest").resolve()
    kept = pl.read_parquet(run / "kept.parquet")
    rejected = pl.read_parquet(run / "rejected.parquet")
    assert kept.height + rejected.height == 60_000
    ids = pl.concat([kept["id"], rejected["id"]])
    assert ids.n_unique() == 60_000  # exactly one of kept/rejected
    assert rejected["reason"].null_count() == 0 and rejected["stage"].null_count() == 0
    stats = json.loads((run / "stats.json").read_text())
    assert stats["totals"] == stats["totals"] | {"input": 60_000, "kept": kept.height, "rejected": rejected.height, "accounted": True}
    # the chain did real work on real data: tweets lost their RT markers and links, duplicates went
    by_stage = {s["stage"]: s for s in stats["stages"]}
    assert by_stage["remove_retweet_marker"]["rows_changed"] > 1000
    assert by_stage["remove_urls"]["rows_changed"] > 1000
    assert by_stage["exact_dedup"]["reasons"]["duplicate"] > 1000
    assert not kept["text"].str.contains(r"(?i)\brt @\w+|https?://").any()
