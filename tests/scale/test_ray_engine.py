"""The ray engine gives the local engine's outputs: same kept rows, same rejected rows and reasons, same stats.

One local Ray cluster (2 CPUs) is shared by the whole session; every test is
skipped when the ``ray`` extra is not installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from corpus_sieve.pipeline.recipe.recipe import Recipe, load_recipe
from corpus_sieve.pipeline.engines.local import run_pipeline
from corpus_sieve.pipeline.recipe.presets import preset_path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_RECIPE = preset_path("ptvid")
SAMPLE = REPO / "data" / "sample_corpus.jsonl"
# Ray Data warns about its own deprecated settings whenever it copies its context
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _ray_run(inputs, recipe, out, **kw):
    from corpus_sieve.pipeline.engines.ray import run_pipeline_ray

    return run_pipeline_ray(inputs, recipe, out, progress=False, **kw)


def _without_seconds(obj):
    if isinstance(obj, dict):
        return {k: _without_seconds(v) for k, v in obj.items() if k not in ("seconds", "run_id")}
    if isinstance(obj, list):
        return [_without_seconds(v) for v in obj]
    return obj


def assert_same_run(local, ray_result) -> None:
    """Same kept rows, same rejected rows (ids, reasons, stages, details), same stats and examples."""
    for name in ("kept.parquet", "rejected.parquet"):
        a = pl.read_parquet(local.path / name)
        b = pl.read_parquet(ray_result.path / name)
        assert a.columns == b.columns, name
        assert a["id"].to_list() == b["id"].to_list(), f"{name}: different ids"
        assert a.equals(b), f"{name}: same ids, different values"
    rejected = pl.read_parquet(ray_result.path / "rejected.parquet")
    assert rejected.height > 0 and rejected["reason"].null_count() == 0
    a, b = local.stats, ray_result.stats
    assert set(a) == set(b), "stats.json keys differ"
    assert _without_seconds(a) == _without_seconds(b)
    assert ray_result.accounted
    assert local.examples == ray_result.examples
    assert sorted(p.name for p in local.path.iterdir()) == sorted(p.name for p in ray_result.path.iterdir())
    on_disk = json.loads((ray_result.path / "stats.json").read_text())
    assert on_disk["totals"]["input"] == on_disk["totals"]["kept"] + on_disk["totals"]["rejected"]


def test_mixed_real_corpus_same_as_local(ray_cluster, mixed_corpus, tmp_path):
    """6,000 real documents (DSLCC, FRMT, Tatoeba, ToLD-Br, WCXB HTML) through the default recipe."""
    local = run_pipeline([mixed_corpus], load_recipe(DEFAULT_RECIPE), tmp_path / "local", progress=False)
    ray_result = _ray_run([mixed_corpus], load_recipe(DEFAULT_RECIPE), tmp_path / "ray", batch_size=1000)
    assert_same_run(local, ray_result)
    reasons = set(pl.read_parquet(ray_result.path / "rejected.parquet")["reason"].to_list())
    assert "duplicate" in reasons  # the corpus holds real repeats: the shuffle found them
    assert ray_result.timings["engine"] == "ray"
    assert ray_result.timings["ray"]["dedup_buckets"] >= 2


def test_sample_corpus_same_as_local(ray_cluster, tmp_path):
    local = run_pipeline([SAMPLE], load_recipe(DEFAULT_RECIPE), tmp_path / "local", progress=False)
    ray_result = _ray_run([SAMPLE], load_recipe(DEFAULT_RECIPE), tmp_path / "ray")
    assert_same_run(local, ray_result)


def _dedup_recipe() -> Recipe:
    return Recipe.from_dict({"stages": [
        {"filter": "normalize_whitespace"},
        {"filter": "char_length", "params": {"min_chars": 5}},
        {"filter": "exact_dedup"},
        {"filter": "reject_empty"},
    ]})


def test_parquet_row_group_shards_dedup_across_shards(ray_cluster, shared_data, tmp_path):
    """Many Parquet shards: a repeat in a late shard points at the first occurrence in an early one."""
    from realdata import load_pt_varieties

    base = load_pt_varieties(shared_data).select("id", "text", "label", "domain").head(3000)
    repeats = base.head(300).with_columns(pl.format("{}~again", "id").alias("id"),
                                          pl.col("text").str.to_uppercase())  # dedup lowercases
    frame = pl.concat([base, repeats])
    path = tmp_path / "corpus.parquet"
    frame.write_parquet(path, row_group_size=500)
    local = run_pipeline([path], _dedup_recipe(), tmp_path / "local", progress=False)
    ray_result = _ray_run([path], _dedup_recipe(), tmp_path / "ray", rows_per_shard=500, dedup_buckets=3)
    assert ray_result.timings["ray"]["shards"] == 7
    assert_same_run(local, ray_result)
    rejected = pl.read_parquet(ray_result.path / "rejected.parquet").filter(pl.col("reason") == "duplicate")
    again = rejected.filter(pl.col("id").str.ends_with("~again"))
    assert again.height >= 290  # a few of the first 300 are themselves repeats of earlier lines
    first = again.row(0, named=True)
    assert first["duplicate_of"] == first["id"].removesuffix("~again") or first["duplicate_of"] in base["id"].to_list()


def test_directory_of_files_and_reader_rejections(ray_cluster, shared_data, tmp_path):
    """Several files (one shard each) with malformed JSON, invalid UTF-8 and null texts: nothing lost."""
    from realdata import load_told_br

    tweets = load_told_br(shared_data).select("id", "text", "label", "domain").head(1200)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k in range(3):
        part = tweets.slice(k * 400, 400)
        lines = [json.dumps(r, ensure_ascii=False).encode() for r in part.iter_rows(named=True)]
        lines[5] = b'{"id": "broken", "text": "rt @user olha isto",'  # truncated JSON
        lines[9] = b'{"id": "latin1", "text": "n\xe3o"}'  # invalid UTF-8
        lines[13] = b'{"id": "nulltext", "text": null, "label": "pt-BR"}'
        lines.append(lines[20])  # an exact repeat inside the shard
        (corpus / f"part-{k}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    local = run_pipeline([corpus], _dedup_recipe(), tmp_path / "local", progress=False)
    ray_result = _ray_run([corpus], _dedup_recipe(), tmp_path / "ray")
    assert ray_result.timings["ray"]["shards"] == 3
    assert_same_run(local, ray_result)
    read = pl.read_parquet(ray_result.path / "rejected.parquet").filter(pl.col("stage") == "read")
    assert sorted(set(read["reason"].to_list())) == ["invalid_utf8", "malformed_input", "null_text"]
    assert read.height == 9
    assert "part-1.jsonl, line 6" in " ".join(read["detail"].to_list())


def test_datasetdict_input_splits_as_column(ray_cluster, shared_data, tmp_path):
    """A saved DatasetDict: each split becomes the split column, in both engines."""
    import datasets

    from realdata import load_pt_varieties

    frame = load_pt_varieties(shared_data).select("id", "text", "label", "domain").head(900)
    repeats = frame.head(40).with_columns(pl.format("{}~test", "id").alias("id"))  # train rows leaking into test
    dd = datasets.DatasetDict({
        "train": datasets.Dataset(frame.head(600).to_arrow()),
        "test": datasets.Dataset(pl.concat([frame.tail(300), repeats]).to_arrow()),
    })
    dd.save_to_disk(str(tmp_path / "dd"))
    local = run_pipeline([tmp_path / "dd"], _dedup_recipe(), tmp_path / "local", progress=False)
    ray_result = _ray_run([tmp_path / "dd"], _dedup_recipe(), tmp_path / "ray", rows_per_shard=250)
    assert_same_run(local, ray_result)
    kept = pl.read_parquet(ray_result.path / "kept.parquet")
    assert set(kept["split"].to_list()) == {"train", "test"}
    assert not kept["id"].str.ends_with("~test").any()


def test_strict_mode_raises_input_error(ray_cluster, tmp_path):
    from corpus_sieve.pipeline.io.readers import InputError

    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "um texto bom"}\n{"text": \n', encoding="utf-8")
    with pytest.raises(InputError, match="bad.jsonl, line 2"):
        _ray_run([path], _dedup_recipe(), tmp_path / "ray", strict=True)
    error = json.loads((tmp_path / "ray" / "latest" / "error.json").read_text())
    assert error["error"] == "InputError"


def test_missing_routing_column_falls_back_as_on_the_local_engine(ray_cluster, tmp_path):
    path = tmp_path / "plain.jsonl"
    path.write_text('{"text": "sem <b>domínio</b> nenhum aqui"}\n', encoding="utf-8")
    recipe = {"stages": [{"filter": "html_to_text", "skip_domains": ["web"]}]}
    ray_result = _ray_run([path], Recipe.from_dict(recipe), tmp_path / "ray")
    local = run_pipeline([path], Recipe.from_dict(recipe), tmp_path / "local", progress=False)
    assert ray_result.stats["notes"] == local.stats["notes"] and "no domain column 'domain'" in local.stats["notes"][0]
    assert pl.read_parquet(ray_result.path / "kept.parquet")["text"].to_list() == ["sem domínio nenhum aqui"]


def test_cli_engine_ray(ray_cluster, tmp_path, capsys):
    """``sieve clean --engine ray`` in-process (joins the session's cluster): same files as the local CLI."""
    from corpus_sieve.pipeline.cli.main import main

    assert main(["clean", str(SAMPLE), "--out", str(tmp_path / "local"), "--quiet"]) == 0
    assert main(["clean", str(SAMPLE), "--out", str(tmp_path / "ray"), "--quiet", "--engine", "ray"]) == 0
    out = capsys.readouterr().out
    assert out.count("kept + rejected = input: OK") == 2
    local, ray_dir = (tmp_path / "local" / "latest").resolve(), (tmp_path / "ray" / "latest").resolve()
    assert sorted(p.name for p in local.iterdir()) == sorted(p.name for p in ray_dir.iterdir())
    for name in ("kept.parquet", "rejected.parquet"):
        assert pl.read_parquet(local / name).equals(pl.read_parquet(ray_dir / name))
    assert json.loads((ray_dir / "timings.json").read_text())["engine"] == "ray"


def test_written_columns_and_variant_stages_same_as_local(ray_cluster, tmp_path):
    """language_id's language columns (written on kept and rejected rows) and redact_pii in both kinds."""
    recipe = {"stages": [
        {"filter": "html_to_text"},
        {"filter": "redact_pii"},
        {"filter": "language_id", "params": {"languages": ["pt"], "write_columns": True}},
        {"filter": "redact_pii", "name": "reject_pii", "params": {"action": "reject", "types": ["EMAIL"]}},
        {"filter": "exact_dedup"},
    ]}
    local = run_pipeline([SAMPLE], Recipe.from_dict(recipe), tmp_path / "local", progress=False)
    ray_result = _ray_run([SAMPLE], Recipe.from_dict(recipe), tmp_path / "ray")
    assert_same_run(local, ray_result)
    kept = pl.read_parquet(ray_result.path / "kept.parquet")
    assert {"language", "language_score"} <= set(kept.columns) and set(kept["language"].to_list()) == {"pt"}


def test_quality_stages_and_a_rewriting_check_same_as_local(ray_cluster, tmp_path):
    """The four quality heuristics, c4_quality routed to one domain (it rewrites the rows it keeps)."""
    sample = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    # pages of several lines: the sample's texts, a menu line and a cookie banner around some of them
    rows = [{**r, "text": f"Menu\n{r['text']}\nEste site utiliza cookies." if i % 3 == 0 else r["text"]}
            for i, r in enumerate(sample)]
    corpus = tmp_path / "pages.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    pt = {"language": "pt"}
    recipe = {"stages": [
        {"filter": "html_to_text"},
        {"filter": "gopher_repetition", "params": pt},
        {"filter": "c4_quality", "domains": ["legal", "politics", "literature"],
         "params": {**pt, "min_num_sentences": 2}},
        {"filter": "fineweb_quality", "params": {**pt, "short_line_thr": 0.9}},
        {"filter": "gopher_quality", "params": {**pt, "min_doc_words": 5}},
    ]}
    local = run_pipeline([corpus], Recipe.from_dict(recipe), tmp_path / "local", progress=False)
    ray_result = _ray_run([corpus], Recipe.from_dict(recipe), tmp_path / "ray")
    assert_same_run(local, ray_result)
    c4 = next(s for s in ray_result.stats["stages"] if s["stage"] == "c4_quality")
    assert c4["rows_changed"] > 0 and c4["rows_rejected"] > 0


def test_near_dedup_removes_the_same_ids_as_local(ray_cluster, mixed_corpus, tmp_path):
    """6,000 real documents with near copies of some of them: the same rows removed, naming the same rows."""
    rows = [json.loads(line) for line in mixed_corpus.read_text(encoding="utf-8").splitlines()]
    copies = [{**r, "id": f"{r['id']}-copy", "text": r["text"].replace(" e ", " e também ", 1).upper()}
              for r in rows[::20] if len(r["text"].split()) >= 12]
    corpus = tmp_path / "with_copies.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows + copies) + "\n", encoding="utf-8")
    recipe = {"stages": [{"filter": "html_to_text"}, {"filter": "near_dedup"}]}
    local = run_pipeline([corpus], Recipe.from_dict(recipe), tmp_path / "local", progress=False, batch_size=700)
    ray_result = _ray_run([corpus], Recipe.from_dict(recipe), tmp_path / "ray", batch_size=1000)
    assert_same_run(local, ray_result)
    rejected = pl.read_parquet(ray_result.path / "rejected.parquet")
    assert rejected.filter(pl.col("id").str.ends_with("-copy")).height >= 0.9 * len(copies)
    assert ray_result.stats["stages"][-1]["clusters"]["clusters"] > 0
