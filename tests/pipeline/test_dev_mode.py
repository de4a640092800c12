"""Dev mode: a seeded sample stratified by domain x label, through the full code path."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import polars as pl
from hypothesis import given, settings, strategies as st

from corpus_sieve.pipeline.run.devmode import stratified_sample
from corpus_sieve.pipeline.recipe.recipe import Recipe
from corpus_sieve.pipeline.engines.local import run_pipeline

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
    size = corpus(tmp_path).stat().st_size
    assert dev == {"dev": True, "per_stratum": 5, "seed": 3, "rows_read": sum(SIZES.values()), "rows_sampled": 5 * 4 + 4,
                   "drawn": {"method": "whole input", "input_bytes": size, "bytes_read": size, "files": 1}}
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


# -- the spread sample: dev mode reads a bounded part of a large input ----------------------------------

def _numbered_jsonl(path: Path, rows: int, pad: int = 60) -> Path:
    domains = ["web", "social_media", "legal"]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(rows):
            fh.write(json.dumps({"n": i, "text": f"linha {i} " + "á" * (i % pad), "label": ["pt-PT", "pt-BR"][i % 2],
                                 "domain": domains[i % 3]}, ensure_ascii=False) + "\n")
    return path


def test_windows_start_on_line_starts_and_spread_over_the_file(tmp_path):
    from corpus_sieve.pipeline.run.devsample import draw_sample

    source = _numbered_jsonl(tmp_path / "big.jsonl", 20_000)
    drawn = draw_sample([source], tmp_path / "sample", {}, seed=0, windows=8, window_bytes=4096)
    info = drawn.description
    assert info["method"] == "spread windows" and info["windows"] == 8 and info["files_sampled"] == 1
    assert info["bytes_read"] <= 8 * 3 * 4096 and info["input_bytes"] == source.stat().st_size
    files = sorted((tmp_path / "sample").iterdir())
    assert [p.name.split("@")[0] for p in files] == ["big"] * 8
    numbers = []
    for p in files:
        offset = int(p.stem.split("@")[1])
        lines = p.read_bytes().splitlines()
        first = json.loads(lines[0])
        assert source.read_bytes()[offset:].startswith(lines[0])  # the file name says where it starts
        numbers += [json.loads(line)["n"] for line in lines]  # every line whole: all parse
        assert first["n"] > 0 or offset == 0
    assert min(numbers) < 20_000 / 8 and max(numbers) > 20_000 * 7 / 8  # from the start to the end
    draw_sample([source], tmp_path / "again", {}, seed=0, windows=8, window_bytes=4096)
    assert [p.name for p in sorted((tmp_path / "again").iterdir())] == [p.name for p in files]  # seeded
    other = draw_sample([source], tmp_path / "other", {}, seed=1, windows=8, window_bytes=4096)
    assert [p.name for p in sorted((tmp_path / "other").iterdir())] != [p.name for p in files]
    assert other.description["bytes_read"] <= 8 * 3 * 4096


def test_the_bytes_read_do_not_grow_with_the_input(tmp_path):
    from corpus_sieve.pipeline.run.devsample import draw_sample

    small = _numbered_jsonl(tmp_path / "small.jsonl", 10_000)
    large = _numbered_jsonl(tmp_path / "large.jsonl", 80_000)
    read = [draw_sample([p], tmp_path / p.stem, {}, seed=0, windows=4, window_bytes=8192).description["bytes_read"]
            for p in (small, large)]
    assert all(r <= 4 * 3 * 8192 for r in read)


def test_csv_windows_carry_the_header_and_skip_a_line_inside_quotes(tmp_path):
    from corpus_sieve.pipeline.run.devsample import draw_sample

    source = tmp_path / "c.csv"
    rows = ["id,text,label"] + [f'r{i},"frase {i}, com vírgula",pt-PT' if i % 7 else f'r{i},"duas\nlinhas {i}",pt-BR'
                                for i in range(6000)]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    drawn = draw_sample([source], tmp_path / "sample", {}, seed=3, windows=6, window_bytes=2048)
    for p in sorted((tmp_path / "sample").iterdir()):
        frame = pl.read_csv(p)
        assert frame.columns == ["id", "text", "label"] and frame.height > 10
        assert frame["id"].str.starts_with("r").all()
    assert drawn.paths == [tmp_path / "sample"]


def test_parquet_row_groups_and_many_gzip_shards(tmp_path):
    import gzip

    from corpus_sieve.pipeline.run.devsample import draw_sample

    frame = pl.DataFrame({"n": range(50_000), "text": [f"texto {i}" for i in range(50_000)]})
    frame.write_parquet(tmp_path / "p.parquet", row_group_size=1000)
    drawn = draw_sample([tmp_path / "p.parquet"], tmp_path / "ps", {}, seed=0, windows=5, window_bytes=2048)
    parts = sorted((tmp_path / "ps").iterdir())
    assert len(parts) == 5 and all("@rg" in p.name for p in parts)
    groups = [pl.read_parquet(p)["n"][0] // 1000 for p in parts]
    assert groups == sorted(groups) and groups[0] < 10 and groups[-1] >= 40  # spread over the file
    assert drawn.description["bytes_read"] < (tmp_path / "p.parquet").stat().st_size / 5
    shards = tmp_path / "shards"
    shards.mkdir()
    for s in range(30):
        with gzip.open(shards / f"part-{s:03d}.jsonl.gz", "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps({"text": f"shard {s} linha {i}"}) + "\n" for i in range(2000))
    drawn = draw_sample([shards], tmp_path / "gs", {}, seed=0, windows=6, window_bytes=1024)
    heads = sorted((tmp_path / "gs").iterdir())
    assert drawn.description["files"] == 30 and drawn.description["files_sampled"] == 6 and len(heads) == 6
    assert all(json.loads(p.read_text().splitlines()[0])["text"].endswith("linha 0") for p in heads)


def test_a_dev_run_on_a_large_input_reads_only_its_windows(tmp_path, monkeypatch):
    from corpus_sieve.pipeline.run import devsample

    monkeypatch.setattr(devsample, "DEV_WINDOWS", 8)
    monkeypatch.setattr(devsample, "DEV_WINDOW_BYTES", 8192)
    source = _numbered_jsonl(tmp_path / "big.jsonl", 30_000)
    result = run_pipeline([source], Recipe.from_dict(RECIPE), tmp_path / "runs", dev=True, progress=False,
                          dev_per_stratum=20)
    drawn = result.dev_info["drawn"]
    assert drawn["method"] == "spread windows" and drawn["bytes_read"] <= 8 * 3 * 8192
    assert result.dev_info["rows_read"] < 30_000 / 10 and result.accounted
    assert result.stats["totals"]["input"] == 6 * 20  # stratified within what was read: 3 domains x 2 labels
    kept = pl.read_parquet(result.run_dir.kept_path)
    assert kept["id"].str.contains(r"^big@\d{12}:\d+$").all()  # where each row came from
    inputs = json.loads((result.path / "inputs.json").read_text(encoding="utf-8"))
    assert inputs["sampled_from"][0]["size"] == source.stat().st_size and "xxh3_128" not in inputs["sampled_from"][0]
    from corpus_sieve.pipeline.run.summary import format_summary

    text = format_summary(result.stats, str(result.path), result.dev_info)
    assert "read: 8 windows spread over 1 of 1 file(s)" in text
    # the sample is in the run directory: a dev run needs nothing but it to run again
    assert inputs["inputs"][0]["path"] == str(result.path / "dev-sample")
