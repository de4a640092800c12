"""Dev mode: a seeded sample stratified by domain x label, through the full code path."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import polars as pl
from hypothesis import given, settings, strategies as st

from pipeline.devmode import stratified_sample
from pipeline.recipe import Recipe
from pipeline.runner import run_pipeline

SIZES = {("web", "pt-PT"): 50, ("web", "pt-BR"): 4, ("social_media", "pt-PT"): 30, ("social_media", "pt-BR"): 12, ("legal", None): 15}
RECIPE = {"stages": [{"filter": "normalize_whitespace"}, {"filter": "char_length", "params": {"min_chars": 12}}]}


def corpus(tmp_path: Path) -> Path:
    rows = []
    for (domain, label), n in SIZES.items():
        for i in range(n):
            rows.append({"id": f"{domain}-{label}-{i}", "text": f"texto {i:03d} de {domain}" + (" " * (i % 3)),
                         "label": label, "domain": domain})
    # interleave the strata so the sample is not simply "the first rows"
    rows.sort(key=lambda r: (int(r["id"].rsplit("-", 1)[1]), r["id"]))
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def dev_run(tmp_path: Path, name: str, **kw):
    return run_pipeline([corpus(tmp_path)], Recipe.from_dict(RECIPE), tmp_path / name, dev=True, progress=False, **kw)


def sampled_ids(result) -> list[str]:
    kept = pl.read_parquet(result.run_dir.kept_path)
    rejected = pl.read_parquet(result.run_dir.rejected_path)
    return sorted(kept["id"].to_list() + rejected["id"].to_list())


def test_sample_is_stratified_by_domain_and_label(tmp_path):
    result = dev_run(tmp_path, "runs", dev_per_stratum=10)
    counts = Counter(tuple(i.split("-")[:2]) for i in sampled_ids(result))
    assert counts == {("web", "pt"): 10 + 4, ("social_media", "pt"): 10 + 10, ("legal", "None"): 10}
    retention = {(r["domain"], r["label"]): r["input"] for r in result.stats["retention"]}
    assert retention == {("web", "pt-PT"): 10, ("web", "pt-BR"): 4, ("social_media", "pt-PT"): 10,
                         ("social_media", "pt-BR"): 10, ("legal", None): 10}


def test_null_label_rows_form_their_own_stratum_and_are_still_rejected_by_the_reader(tmp_path):
    result = dev_run(tmp_path, "runs", dev_per_stratum=10)
    read = result.stats["stages"][0]
    assert read["reasons"] == {"null_label": 10}
    assert result.accounted


def test_sample_is_seeded_and_not_just_the_first_rows(tmp_path):
    a = sampled_ids(dev_run(tmp_path, "a", dev_per_stratum=10, seed=1))
    b = sampled_ids(dev_run(tmp_path, "b", dev_per_stratum=10, seed=1))
    c = sampled_ids(dev_run(tmp_path, "c", dev_per_stratum=10, seed=2))
    assert a == b
    assert a != c
    web_pt = sorted(int(i.rsplit("-", 1)[1]) for i in a if i.startswith("web-pt-PT"))
    assert web_pt != list(range(10))


def test_sample_does_not_depend_on_the_batch_size(tmp_path):
    small = dev_run(tmp_path, "small", dev_per_stratum=7, batch_size=3)
    large = dev_run(tmp_path, "large", dev_per_stratum=7, batch_size=1000)
    assert small.run_dir.kept_path.read_bytes() == large.run_dir.kept_path.read_bytes()
    assert small.run_dir.rejected_path.read_bytes() == large.run_dir.rejected_path.read_bytes()


def test_the_run_directory_records_dev_mode(tmp_path):
    result = dev_run(tmp_path, "runs", dev_per_stratum=5, seed=3)
    assert result.stats["dev"] is True
    dev = json.loads((result.path / "dev.json").read_text(encoding="utf-8"))
    assert dev == {"dev": True, "per_stratum": 5, "seed": 3, "rows_read": sum(SIZES.values()), "rows_sampled": 5 * 4 + 4}
    assert result.stats["dev_sample"] == dev
    assert result.stats["totals"]["input"] == 24 and result.accounted
    full = run_pipeline([corpus(tmp_path)], Recipe.from_dict(RECIPE), tmp_path / "full", progress=False)
    assert full.stats["dev"] is False and not (full.path / "dev.json").exists()


def test_recipe_dev_block_sets_the_defaults(tmp_path):
    recipe = Recipe.from_dict({**RECIPE, "dev": {"per_stratum": 2, "seed": 9}})
    result = run_pipeline([corpus(tmp_path)], recipe, tmp_path / "runs", dev=True, progress=False)
    assert result.dev_info["per_stratum"] == 2 and result.dev_info["seed"] == 9
    assert result.stats["totals"]["input"] == 2 * 5


@settings(max_examples=40, deadline=None)
@given(
    labels=st.lists(st.sampled_from(["a", "b", "c"]), min_size=0, max_size=60),
    per_stratum=st.integers(1, 8),
    cut=st.integers(1, 20),
    seed=st.integers(0, 3),
)
def test_stratified_sample_properties(labels, per_stratum, cut, seed):
    frame = pl.DataFrame({"pos": list(range(len(labels))), "label": labels}, schema={"pos": pl.Int64, "label": pl.String})
    batches = [frame.slice(i, cut) for i in range(0, len(labels), cut)] or [frame]
    sample = stratified_sample(batches, ["label"], "pos", per_stratum, seed)
    whole = stratified_sample([frame], ["label"], "pos", per_stratum, seed)
    assert sample.equals(whole)  # independent of batching
    counts = Counter(sample["label"].to_list()) if sample.height else Counter()
    for label, n in Counter(labels).items():
        assert counts[label] == min(n, per_stratum)  # every stratum, capped
    assert sample["pos"].to_list() == sorted(sample["pos"].to_list())  # input order
