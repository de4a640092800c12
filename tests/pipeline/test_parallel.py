"""The worker pool for per-row Python filters: same results as serial, in order."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters import ExactDedup, HtmlToText, NormalizeWhitespace, RemoveBoilerplate
from corpus_sieve.pipeline.run import parallel
from corpus_sieve.pipeline.recipe.recipe import Recipe, RecipeError
from corpus_sieve.pipeline.engines.local import run_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from realdata import load_wcxb_pages  # noqa: E402


@pytest.fixture()
def always_parallel(monkeypatch):
    """Use the pool even for small test batches."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_CHARS", 0)
    monkeypatch.setattr(parallel, "_WORKERS", None)
    monkeypatch.delenv("SIEVE_WORKERS", raising=False)


@pytest.fixture(scope="module")
def pages(shared_data):
    return load_wcxb_pages(shared_data, n=24)


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=60), st.integers(min_value=1, max_value=4))
@settings(max_examples=200, deadline=None)
def test_chunks_are_contiguous_cover_every_row_in_order(lengths, n_workers):
    bounds = parallel.chunk_bounds(lengths, n_workers)
    flat = [i for a, b in bounds for i in range(a, b)]
    assert flat == list(range(len(lengths)))
    assert all(a < b for a, b in bounds)


def test_boilerplate_in_workers_equals_serial_on_real_pages(pages, always_parallel):
    f = RemoveBoilerplate(language="pt")
    texts = pages["text"].to_list()
    assert parallel.run_batch(f, "transform_batch", texts, 2) == f.transform_batch(texts)


def test_html_to_text_in_workers_equals_serial_on_real_pages(pages, always_parallel):
    f = HtmlToText()
    texts = pages["text"].to_list() + ["Tom &amp; Jerry", "amo-te <3", "<p>Olá <b>mundo</b></p>"]
    assert parallel.run_batch(f, "transform_batch", texts, 2) == f.transform_batch(texts)


def test_a_worker_exception_reaches_the_caller(always_parallel):
    spec = ("filters.no_such_module", "Nope", pickle.dumps([]))
    with pytest.raises(ModuleNotFoundError):
        parallel._pool(2).map([(spec, "transform_batch", ["a"]), (spec, "transform_batch", ["b"])])
    # the pool stays usable after a filter's error
    f = HtmlToText()
    assert parallel.run_batch(f, "transform_batch", ["<p>a</p>", "<p>b</p>"], 2) == ["a", "b"]


def test_the_calling_process_is_one_of_the_workers(always_parallel, monkeypatch):
    """With 2 workers: one subprocess, and the calling thread takes chunks too."""
    import threading

    seen: set[str] = set()
    original = HtmlToText.transform_batch

    def spy(self, texts):
        seen.add(threading.current_thread().name)
        return original(self, texts)

    monkeypatch.setattr(HtmlToText, "transform_batch", spy)  # only this process sees the spy
    f = HtmlToText()
    texts = [f"<p>parágrafo {i} &amp; mais</p>" * 50 for i in range(64)]
    expected = [original(f, [t])[0] for t in texts]
    for _ in range(5):  # the caller takes at least one chunk in practice; the results never depend on it
        assert parallel.run_batch(f, "transform_batch", texts, 2) == expected
        assert parallel.run_series(f, "transform_batch", pl.Series(texts), 2) == expected
    assert parallel._POOL is not None and parallel._POOL.n == 1
    assert threading.current_thread().name in seen


def test_an_error_in_the_calling_process_share_reaches_the_caller(always_parallel, monkeypatch):
    def boom(self, texts):
        raise ValueError("broken filter")

    monkeypatch.setattr(HtmlToText, "transform_batch", boom)  # the subprocess keeps the real method
    with pytest.raises(ValueError, match="broken filter"):
        for _ in range(5):
            parallel.run_batch(HtmlToText(), "transform_batch", ["<p>a</p>" * 1000] * 16, 2)


def test_only_per_row_python_filters_are_sent_to_workers(shared_data):
    from corpus_sieve.filters import TokenLength

    assert parallel.can_parallelise(RemoveBoilerplate())
    assert parallel.can_parallelise(HtmlToText())
    assert not parallel.can_parallelise(NormalizeWhitespace())  # native polars: already multi-threaded
    assert not parallel.can_parallelise(ExactDedup())  # global: needs every batch in order
    # the Rust tokenizer already uses every core
    assert not parallel.can_parallelise(TokenLength(tokenizer=str(shared_data / "tokenizers" / "cl100k"), min_tokens=1))


def test_worker_count_precedence(monkeypatch):
    monkeypatch.setattr(parallel, "_WORKERS", None)
    monkeypatch.setenv("SIEVE_WORKERS", "3")
    assert parallel.workers() == 3
    assert parallel.workers(5) == 5  # the recipe's workers beats the environment
    parallel.set_workers(1)  # the command line beats both
    try:
        assert parallel.workers(5) == 1
    finally:
        parallel.set_workers(None)
    monkeypatch.setenv("SIEVE_WORKERS", "zero")
    with pytest.raises(ValueError, match="SIEVE_WORKERS"):
        parallel.workers()
    with pytest.raises(ValueError):
        parallel.set_workers(0)


def test_recipe_workers_key_is_validated_and_reaches_the_stages():
    stages = [{"filter": "html_to_text"}]
    recipe = Recipe.from_dict({"workers": 2, "stages": stages})
    assert recipe.workers == 2 and all(s.workers == 2 for s in recipe.stages)
    assert Recipe.from_dict({"stages": stages}).workers is None
    with pytest.raises(RecipeError, match="workers"):
        Recipe.from_dict({"workers": 0, "stages": stages})


def test_a_run_with_workers_writes_the_same_outputs_as_a_serial_run(tmp_path, pages, repo_root, always_parallel):
    sample = pl.read_ndjson(repo_root / "data" / "sample_corpus.jsonl")
    web = pages.select(pl.col(c) if c in pages.columns else pl.lit(None, pl.String).alias(c) for c in sample.columns)
    corpus = pl.concat([sample, web.cast(sample.schema)]).sample(fraction=1.0, shuffle=True, seed=1)
    path = tmp_path / "corpus.jsonl"
    corpus.write_ndjson(path)
    raw = {
        "columns": {"text": "text", "label": "label", "domain": "domain", "id": "id"},
        "stages": [
            {"filter": "remove_boilerplate", "domains": ["web"], "params": {"language": "pt"}},
            {"filter": "html_to_text", "skip_domains": ["web"]},
            {"filter": "remove_urls"},
            {"filter": "normalize_whitespace"},
            {"filter": "reject_empty"},
            {"filter": "exact_dedup"},
        ],
    }
    outputs = []
    for n in (1, 2):
        result = run_pipeline([path], Recipe.from_dict({**raw, "workers": n}), tmp_path / f"runs{n}", progress=False, batch_size=97)
        run = Path(result.run_dir.path)
        outputs.append((pl.read_parquet(run / "kept.parquet"), pl.read_parquet(run / "rejected.parquet")))
    (kept1, rejected1), (kept2, rejected2) = outputs
    assert kept1.equals(kept2) and rejected1.equals(rejected2)
    assert kept1.filter(pl.col("domain") == "web").height > 0


def test_series_chunks_travel_as_arrow_and_equal_serial(pages, always_parallel):
    f = RemoveBoilerplate(language="pt")
    texts = pl.Series("text", pages["text"].to_list() + ["<p>Olá <b>mundo</b> ç ã 🚌</p>", ""])
    assert parallel.run_series(f, "transform_batch", texts, 2) == f.transform_batch(texts.to_list())
    h = HtmlToText()
    assert parallel.run_series(h, "transform_batch", texts.slice(3, 10), 2) == h.transform_batch(texts.slice(3, 10).to_list())


def test_arrow_texts_round_trip_exactly():
    texts = pl.Series(["", "Olá", "a\x00b", "🚌" * 3, "x" * 100_000]).slice(1, 4)
    assert pickle.loads(pickle.dumps(parallel._ArrowTexts(texts))) == texts.to_list()


def test_warm_up_builds_the_filters_in_the_workers_before_the_first_batch(pages, always_parallel):
    parallel.shutdown()
    f = RemoveBoilerplate(language="pt")
    assert parallel.warm_up([(f, "transform_batch"), (NormalizeWhitespace(), "transform_batch")], 2)
    texts = pages["text"].to_list()[:6]
    assert parallel.run_batch(f, "transform_batch", texts, 2) == f.transform_batch(texts)  # waits for the warm-up
    assert not parallel.warm_up([(f, "transform_batch")], 1)  # one worker: no pool


def test_a_large_input_starts_the_pool_before_it_is_read(tmp_path, monkeypatch):
    started: list = []
    monkeypatch.setattr(parallel, "warm_up", lambda pairs, n=None: started.append([type(i).name for i, _ in pairs]) or True)
    monkeypatch.setattr(parallel, "PRESTART_BYTES", 100)
    data = tmp_path / "c.jsonl"
    data.write_text('{"text": "<p>Olá</p>", "domain": "web"}\n' * 20, encoding="utf-8")
    recipe = Recipe.from_dict({"stages": [{"filter": "remove_boilerplate", "domains": ["web"]},
                                          {"filter": "html_to_text", "skip_domains": ["web"]},
                                          {"filter": "normalize_whitespace"}]})
    run_pipeline([data], recipe, tmp_path / "runs", progress=False)
    assert started == [["remove_boilerplate", "html_to_text"]]
    monkeypatch.setattr(parallel, "PRESTART_BYTES", 10**9)
    run_pipeline([data], recipe, tmp_path / "runs", progress=False)
    assert len(started) == 1  # small input: the pool starts lazily, if ever


# -- the next batch's chunks, started early ------------------------------------------------------

def _feeders() -> int:
    import threading

    return sum(t.name == "sieve-pool-feeder" for t in threading.enumerate())


def test_a_prefetched_call_is_taken_over_with_the_serial_results(pages, always_parallel):
    f = RemoveBoilerplate(language="pt")
    texts = pages["text"]
    assert parallel.prefetch_series(f, "transform_batch", texts, 2)
    # another call while the prefetch is pending runs in this thread (the pool is busy), with the same results
    other = HtmlToText()
    assert parallel.run_series(other, "transform_batch", texts.slice(0, 5), 2) == other.transform_batch(texts.slice(0, 5).to_list())
    assert parallel._PREFETCHED is not None
    # the same filter (rebuilt from its parameters) on the same texts takes the started chunks over
    assert parallel.run_series(RemoveBoilerplate(language="pt"), "transform_batch", texts.rename("x"), 2) == f.transform_batch(texts.to_list())
    assert parallel._PREFETCHED is None and _feeders() == 0


def test_a_prefetch_nobody_takes_is_dropped_and_the_pool_still_works(pages, always_parallel):
    f = RemoveBoilerplate(language="pt")
    assert parallel.prefetch_series(f, "transform_batch", pages["text"], 2)
    assert parallel.prefetch_series(f, "transform_batch", pages["text"].slice(2), 2)  # drops the first one
    parallel.settle_prefetch()
    assert parallel._PREFETCHED is None and _feeders() == 0
    texts = pages["text"].slice(0, 8)
    assert parallel.run_series(f, "transform_batch", texts, 2) == f.transform_batch(texts.to_list())
    assert not parallel.prefetch_series(f, "transform_batch", texts.slice(0, 1), 2)  # one text: nothing to start


def test_a_run_starts_each_next_batch_of_pages_while_it_filters_the_current_one(tmp_path, pages, always_parallel, monkeypatch):
    started: list[int] = []
    real = parallel.prefetch_series
    monkeypatch.setattr(parallel, "prefetch_series", lambda inst, m, texts, n=None: started.append(texts.len()) or real(inst, m, texts, n))
    claimed: list[bool] = []
    real_claim = parallel._claim_prefetch
    monkeypatch.setattr(parallel, "_claim_prefetch", lambda *a: (lambda r: claimed.append(r is not None) or r)(real_claim(*a)))
    web = pages.select("id", "text", pl.lit("web").alias("domain"), pl.lit("pt-PT").alias("label"))
    path = tmp_path / "web.jsonl"
    web.write_ndjson(path)
    recipe = {"stages": [{"filter": "remove_boilerplate", "domains": ["web"], "params": {"language": "pt"}},
                         {"filter": "normalize_whitespace"}, {"filter": "reject_empty"}]}
    runs = [run_pipeline([path], Recipe.from_dict({**recipe, "workers": n}), tmp_path / f"r{n}", progress=False, batch_size=6)
            for n in (2, 1)]
    assert len(started) >= 2 and all(n > 0 for n in started)  # batches 2, 3, ... were started early
    assert sum(claimed) == len(started)  # and each was taken over by its batch's first stage
    outs = [(pl.read_parquet(Path(r.run_dir.path) / "kept.parquet"), pl.read_parquet(Path(r.run_dir.path) / "rejected.parquet"))
            for r in runs]
    assert outs[0][0].equals(outs[1][0]) and outs[0][1].equals(outs[1][1])
    assert parallel._PREFETCHED is None and _feeders() == 0


def test_a_run_stopped_while_the_next_batch_is_prefetched_leaves_nothing_running_and_resumes(tmp_path, pages, always_parallel,
                                                                                              monkeypatch):
    from corpus_sieve.pipeline.run.errors import RunInterrupted
    from corpus_sieve.pipeline.engines.local import resume_pipeline
    from corpus_sieve.pipeline.recipe.stages import Stage

    web = pages.select("id", "text", pl.lit("web").alias("domain"), pl.lit("pt-PT").alias("label"))
    path = tmp_path / "web.jsonl"
    web.write_ndjson(path)
    recipe = Recipe.from_dict({"workers": 2, "stages": [
        {"filter": "remove_boilerplate", "domains": ["web"], "params": {"language": "pt"}},
        {"filter": "normalize_whitespace"}, {"filter": "reject_empty"}]})
    clean = run_pipeline([path], recipe, tmp_path / "clean", progress=False, batch_size=6)
    real_apply, calls = Stage.apply, []

    def apply(self, frame, *args, **kwargs):
        if self.name == "normalize_whitespace":
            calls.append(1)
            if len(calls) == 2:  # batch 2's first stage is done and batch 3's pages are in the worker
                assert parallel._PREFETCHED is not None
                raise KeyboardInterrupt
        return real_apply(self, frame, *args, **kwargs)

    monkeypatch.setattr(Stage, "apply", apply)
    with pytest.raises(RunInterrupted):
        run_pipeline([path], recipe, tmp_path / "runs", progress=False, batch_size=6)
    assert parallel._PREFETCHED is None and _feeders() == 0
    monkeypatch.setattr(Stage, "apply", real_apply)
    resumed = resume_pipeline((tmp_path / "runs" / "latest").resolve(), recipe, progress=False)
    for name in ("kept.parquet", "rejected.parquet"):
        assert (Path(resumed.run_dir.path) / name).read_bytes() == (Path(clean.run_dir.path) / name).read_bytes()
