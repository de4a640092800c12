"""Determinism: same input + recipe -> byte-identical outputs and equal stats, whatever the batch size.

Covers the pieces that carry state across batches (exact dedup, examples,
stats), the read-stage rejects, the JSONL outputs, and seeded dev-mode
sampling.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_sieve.pipeline.recipe.recipe import Recipe
from corpus_sieve.pipeline.engines.local import run_pipeline

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample_corpus.jsonl"
RECIPE = {
    "outputs": ["parquet", "jsonl"],
    "stages": [
        {"filter": "html_to_text", "skip_domains": ["web"]},
        {"filter": "remove_urls"},
        {"filter": "normalize_whitespace"},
        {"filter": "reject_empty"},
        {"filter": "char_length", "params": {"min_chars": 25}, "per_domain": {"social_media": {"min_chars": 8}}},
        {"filter": "exact_dedup"},
    ],
}


def _strip_timing(obj):
    if isinstance(obj, dict):
        return {k: _strip_timing(v) for k, v in obj.items() if k not in ("seconds", "run_id")}
    if isinstance(obj, list):
        return [_strip_timing(v) for v in obj]
    return obj


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("det") / "c.jsonl"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    out.write_text("\n".join(lines + lines[:50] + ['{"text": broken', '{"text": null}']) + "\n", encoding="utf-8")
    return out


def _outputs(path: Path) -> dict[str, bytes]:
    return {n: (path / n).read_bytes() for n in ("kept.parquet", "rejected.parquet", "kept.jsonl", "rejected.jsonl", "examples.json")}


def test_outputs_are_byte_identical_across_runs_and_batch_sizes(tmp_path, corpus):
    runs = [run_pipeline([corpus], Recipe.from_dict(RECIPE), tmp_path / f"r{bs}", progress=False, batch_size=bs)
            for bs in (1000, 1000, 7, 64)]
    first = _outputs(runs[0].path)
    stats = _strip_timing(runs[0].stats)
    assert runs[0].stats["totals"]["rejected"] > 50  # duplicates and broken lines are in play
    for result in runs[1:]:
        assert _outputs(result.path) == first
        assert _strip_timing(result.stats) == stats


def test_dev_sampling_is_seeded_and_independent_of_batch_size(tmp_path, corpus):
    def sample(seed, bs, name):
        r = run_pipeline([corpus], Recipe.from_dict(RECIPE), tmp_path / name, dev=True, progress=False,
                         dev_per_stratum=5, seed=seed, batch_size=bs)
        return _outputs(r.path), r.dev_info

    a, info = sample(1, 1000, "a")
    b, _ = sample(1, 13, "b")
    c, _ = sample(2, 1000, "c")
    assert a == b
    assert a["kept.parquet"] != c["kept.parquet"] or a["rejected.parquet"] != c["rejected.parquet"]
    assert info["seed"] == 1 and info["rows_sampled"] <= 5 * 12 + 5


def test_stats_json_equal_across_batch_sizes(tmp_path, corpus):
    a = run_pipeline([corpus], Recipe.from_dict(RECIPE), tmp_path / "a", progress=False, batch_size=11)
    b = run_pipeline([corpus], Recipe.from_dict(RECIPE), tmp_path / "b", progress=False, batch_size=500)
    sa = _strip_timing(json.loads((a.path / "stats.json").read_text(encoding="utf-8")))
    sb = _strip_timing(json.loads((b.path / "stats.json").read_text(encoding="utf-8")))
    assert sa == sb
