"""Throughput of the local and the ray engine on the 60k mixed real corpus (not part of ``make test``).

Run: ``.venv/bin/python tests/scale/bench_ray.py [--cpus 2] [--n-docs 60000]``.
Prints rows/s for both engines and rows/s per Ray worker CPU; the Ray
cluster is started before the clock starts (start-up is reported apart).
"""

from __future__ import annotations


def main() -> None:  # pragma: no cover - a benchmark, run by hand
    import argparse
    import sys
    import tempfile
    import time
    from pathlib import Path

    import corpus_sieve.filters  # noqa: F401  (before tests/ joins sys.path: tests/filters must not shadow it)
    from corpus_sieve.pipeline.engines.ray import run_pipeline_ray
    from corpus_sieve.pipeline.recipe.recipe import load_recipe
    from corpus_sieve.pipeline.engines.local import run_pipeline

    repo = Path(__file__).resolve().parents[2]
    sys.path.append(str(repo / "tests"))
    from realdata import build_mixed_corpus

    parser = argparse.ArgumentParser()
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--n-docs", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--recipe", default="ptvid")
    args = parser.parse_args()

    import ray

    work = Path(tempfile.mkdtemp(prefix="sieve-bench-ray-"))
    corpus = build_mixed_corpus(repo.parent / "shared" / "data", work / "mixed.jsonl", n_docs=args.n_docs)
    t0 = time.perf_counter()
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
    print(f"ray.init: {time.perf_counter() - t0:.1f}s")
    for i in range(args.repeat):
        for engine in ("local", "ray"):
            recipe = load_recipe(args.recipe)
            t0 = time.perf_counter()
            if engine == "local":
                result = run_pipeline([corpus], recipe, work / "runs", progress=False)
            else:
                result = run_pipeline_ray([corpus], recipe, work / "runs", progress=False)
            seconds = time.perf_counter() - t0
            rows = result.stats["totals"]["input"]
            workers = 1 if engine == "local" else args.cpus
            print(f"run {i} {engine:5s}: {rows:,} rows in {seconds:.1f}s = {rows / seconds:,.0f} rows/s, "
                  f"{rows / seconds / workers:,.0f} rows/s per worker ({workers} worker(s))", flush=True)
    ray.shutdown()


if __name__ == "__main__":  # pragma: no cover
    main()
