"""corpus-sieve vs Hugging Face datasets vs datatrove on the same real corpus and chain.

Usage (``make bench`` runs it with the defaults)::

    .venv/bin/python tests/benchmarks/bench_speed.py [--runs 3] [--peer-runs 2]
        [--scratch DIR] [--no-peers] [--no-scale] [--markdown FILE]

Corpora (built once under ``--scratch`` from ``../shared/data`` with
``tests/realdata.build_mixed_corpus``, seed 0): ``short`` = every short text
(DSLCC, FRMT, Tatoeba, ToLD-Br), ``web`` = the WCXB pages, ``mixed`` = both
shuffled together, ``mixed10x`` = ``mixed`` replicated 10 times with new ids.

Chain: ``bench_recipe.yaml`` for corpus-sieve, ``peer_rules.py`` for the peers
(same patterns, per row; plain jusText on the web pages, which corpus-sieve
runs as ``content_root: false``). On ``web`` and ``mixed``, corpus-sieve also
runs ``bench_recipe_region.yaml``, the same chain with its default
content-region extraction (row "corpus-sieve, content region"; its speed-up
column is over HF-datasets / datatrove). Every engine runs as a whole process (start-up
included), ``--runs`` times; the table shows the median wall seconds, docs/s,
MB/s (input file bytes), the peak RSS of the whole process tree (sampled from
``/proc`` every 50 ms: pools of worker processes count), the ratio corpus-sieve
/ peer in docs/s, and whether the kept ids equal corpus-sieve's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared" / "data"
PYTHON = sys.executable
SIEVE = str(Path(PYTHON).parent / "sieve")
RECIPE = HERE / "bench_recipe.yaml"
#: the same chain with corpus-sieve's default (content-region) HTML extraction
REGION_RECIPE = HERE / "bench_recipe_region.yaml"
sys.path[:0] = [str(REPO / "tests"), str(REPO)]


# -- corpora ---------------------------------------------------------------------------

def build_corpora(scratch: Path, scale: bool) -> dict[str, Path]:
    import polars as pl
    from realdata import _text_pool, build_mixed_corpus

    scratch.mkdir(parents=True, exist_ok=True)
    n_text = _text_pool(SHARED).height
    paths = {"short": scratch / "short.jsonl", "web": scratch / "web.jsonl", "mixed": scratch / "mixed.jsonl"}
    if not paths["mixed"].exists():
        print(f"building corpora under {scratch} ...", flush=True)
        build_mixed_corpus(SHARED, paths["mixed"], n_docs=n_text + 600, seed=0)
    if not paths["short"].exists() or not paths["web"].exists():
        mixed = pl.read_ndjson(paths["mixed"])
        mixed.filter(pl.col("domain") != "web").write_ndjson(paths["short"])
        mixed.filter(pl.col("domain") == "web").write_ndjson(paths["web"])
    if scale:
        paths["mixed10x"] = scratch / "mixed10x.jsonl"
        if not paths["mixed10x"].exists():
            build_mixed_corpus(SHARED, paths["mixed10x"], n_docs=n_text + 600, seed=0, replicate=10)
    # datatrove parallelises over files: two contiguous shards of each corpus
    for name in ("short", "web", "mixed"):
        shards = scratch / f"{name}.shards"
        if not shards.exists():
            frame = pl.read_ndjson(paths[name])
            shards.mkdir()
            half = (frame.height + 1) // 2
            frame[:half].write_ndjson(shards / "00000.jsonl")
            frame[half:].write_ndjson(shards / "00001.jsonl")
    return paths


# -- measuring one process -------------------------------------------------------------

def _tree_rss_kb(root: int) -> int:
    """Sum of VmRSS over ``root`` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def measure(cmd: list[str], cwd: Path | None = None) -> dict:
    """Run ``cmd``; wall seconds and peak tree RSS (MB). Raises on failure."""
    peak = [0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output[-3000:]}")
    return {"wall": wall, "rss_mb": peak[0] / 1024, "output": output}


# -- engines ---------------------------------------------------------------------------

#: corpus-sieve with its default HTML extraction (a different chain on web pages: its
#: kept ids differ from the peers' there, by design)
REGION_ENGINE = "corpus-sieve, content region"

def run_sieve(corpus: Path, out: Path, recipe: Path = RECIPE) -> tuple[dict, set[str]]:
    import polars as pl

    m = measure([SIEVE, "clean", str(corpus), "--recipe", str(recipe), "--out", str(out), "--quiet"])
    run = (out / "latest").resolve()
    ids = set(pl.read_parquet(run / "kept.parquet", columns=["id"])["id"].to_list())
    m["timings"] = json.loads((run / "timings.json").read_text())
    return m, ids


def run_hf(corpus: Path, out: Path) -> tuple[dict, set[str]]:
    import polars as pl

    m = measure([PYTHON, str(HERE / "peer_hf.py"), str(corpus), str(out), "--num-proc", "2"])
    return m, set(pl.read_parquet(out / "kept.parquet", columns=["id"])["id"].to_list())


def run_datatrove(corpus: Path, out: Path) -> tuple[dict, set[str]]:
    import polars as pl

    shards = corpus.with_suffix(".shards")
    m = measure([PYTHON, str(HERE / "peer_datatrove.py"), str(shards), str(out), "--workers", "2"])
    parts = [pl.read_ndjson(p, schema_overrides={"id": pl.String}) for p in sorted((out / "kept").glob("*.jsonl"))]
    return m, set(pl.concat(parts, how="diagonal_relaxed")["id"].to_list()) if parts else set()


def run_sieve_region(corpus: Path, out: Path) -> tuple[dict, set[str]]:
    return run_sieve(corpus, out, REGION_RECIPE)


ENGINES = {"corpus-sieve": run_sieve, "hf-datasets": run_hf, "datatrove": run_datatrove,
           REGION_ENGINE: run_sieve_region}


def bench(name: str, corpus: Path, engine: str, runs: int, scratch: Path) -> dict:
    walls, rss, ids, last = [], [], None, None
    for i in range(runs):
        with tempfile.TemporaryDirectory(dir=scratch, prefix=f"{engine}-") as tmp:
            m, kept = ENGINES[engine](corpus, Path(tmp) / "out")
        walls.append(m["wall"])
        rss.append(m["rss_mb"])
        ids, last = kept, m
        print(f"  {name:8s} {engine:12s} run {i + 1}/{runs}: {m['wall']:7.2f} s  {m['rss_mb']:7.0f} MB  kept {len(kept):,}", flush=True)
    return {"walls": walls, "wall": statistics.median(walls), "rss_mb": max(rss), "ids": ids, "last": last}


# -- component limits ------------------------------------------------------------------

def components(paths: dict[str, Path], sieve_run: Path) -> dict[str, float]:
    import polars as pl

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        frame = pl.read_ndjson(paths["mixed"])
        frame.write_parquet(Path(tmp) / "x.parquet")
        out["polars read_ndjson + write_parquet (mixed)"] = time.perf_counter() - t0

    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(SHARED / "tokenizers" / "cl100k" / "tokenizer.json"))
    kept = pl.read_parquet(sieve_run / "kept.parquet", columns=["text"])["text"]
    rejected = pl.read_parquet(sieve_run / "rejected.parquet", columns=["stage", "cleaned_text"])
    late = rejected.filter(pl.col("stage").is_in(["token_length", "exact_dedup"]))["cleaned_text"]
    texts = pl.concat([kept, late]).to_list()
    t0 = time.perf_counter()
    tok.encode_batch_fast(texts, add_special_tokens=False) if hasattr(tok, "encode_batch_fast") else tok.encode_batch(texts, add_special_tokens=False)
    out[f"tokenizers encode_batch ({len(texts):,} cleaned texts)"] = time.perf_counter() - t0

    import peer_rules
    from corpus_sieve.filters import RemoveBoilerplate

    pages = pl.read_ndjson(paths["web"])["text"].to_list()
    t0 = time.perf_counter()
    for page in pages:
        peer_rules.justext_text(page)
    out[f"plain jusText, 1 process ({len(pages)} pages)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    RemoveBoilerplate(language="portuguese", content_root=False).transform_batch(pages)
    out[f"corpus-sieve remove_boilerplate, plain jusText (content_root: false), 1 process ({len(pages)} pages)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    RemoveBoilerplate(language="portuguese").transform_batch(pages)
    out[f"corpus-sieve remove_boilerplate, content region (default), 1 process ({len(pages)} pages)"] = time.perf_counter() - t0
    return out


# -- report ----------------------------------------------------------------------------

def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // (1024 * 1024)
    except (OSError, ValueError, IndexError):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs ({model}), {mem} GB RAM, Python {sys.version.split()[0]}, load average at start {load:.1f}"


def table(results: dict, paths: dict[str, Path], n_docs: dict[str, int]) -> str:
    lines = [
        "| corpus | engine | docs | MB | median wall s | docs/s | MB/s | peak RSS MB | sieve speed-up | kept | kept ids = sieve |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for corpus, by_engine in results.items():
        mb = paths[corpus].stat().st_size / 1e6
        base = by_engine["corpus-sieve"]
        for engine, r in by_engine.items():
            docs_s = n_docs[corpus] / r["wall"]
            if engine == REGION_ENGINE:  # its own speed-up over each peer
                ratio = " / ".join(f"{by_engine[p]['wall'] / r['wall']:.1f}×" for p in ("hf-datasets", "datatrove")
                                   if p in by_engine) or "—"
            else:
                ratio = "1.0×" if engine == "corpus-sieve" else f"{r['wall'] / base['wall']:.1f}×"
            if engine == "corpus-sieve":
                agree = "—"
            else:
                a, b = base["ids"], r["ids"]
                agree = "yes" if a == b else f"no: {len(b - a)} extra, {len(a - b)} missing"
            lines.append(
                f"| {corpus} | {engine} | {n_docs[corpus]:,} | {mb:.0f} | {r['wall']:.1f} | {docs_s:,.0f} | "
                f"{mb / r['wall']:.1f} | {r['rss_mb']:.0f} | {ratio} | {len(r['ids']):,} | {agree} |"
            )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of corpus-sieve per corpus (median)")
    ap.add_argument("--peer-runs", type=int, default=2, help="runs of each peer per corpus (median)")
    ap.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "corpus-sieve-bench")
    ap.add_argument("--no-peers", action="store_true", help="corpus-sieve only")
    ap.add_argument("--no-scale", action="store_true", help="skip the 10x memory check")
    ap.add_argument("--no-region", action="store_true", help="skip corpus-sieve with its default (content-region) extraction")
    ap.add_argument("--corpora", default="short,web,mixed")
    ap.add_argument("--markdown", type=Path, help="also write the report (markdown) here")
    args = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"bench_speed: {SHARED} is absent; the benchmark needs ../shared/data")

    started = machine()
    paths = build_corpora(args.scratch, scale=not args.no_scale)
    import polars as pl

    n_docs = {name: pl.scan_ndjson(p).select(pl.len()).collect().item() for name, p in paths.items()}
    engines = ["corpus-sieve"] + ([] if args.no_peers else ["hf-datasets", "datatrove"])
    results: dict[str, dict] = {}
    for corpus in args.corpora.split(","):
        results[corpus] = {}
        for engine in engines + ([REGION_ENGINE] if corpus != "short" and not args.no_region else []):
            runs = args.runs if engine == "corpus-sieve" else args.peer_runs
            results[corpus][engine] = bench(corpus, paths[corpus], engine, runs, args.scratch)

    report = [f"Machine: {started}", "", table(results, paths, n_docs), ""]

    if "mixed" in results:
        with tempfile.TemporaryDirectory(dir=args.scratch) as tmp:
            _, _ = run_sieve(paths["mixed"], Path(tmp) / "out")
            comps = components(paths, (Path(tmp) / "out" / "latest").resolve())
        stages = results["mixed"]["corpus-sieve"]["last"]["timings"]
        report += ["Component limits (in-process, one run):", ""]
        report += [f"- {k}: {v:.2f} s" for k, v in comps.items()]
        top = sorted((s for s in stages["stages"] if s["stage"] != "read"), key=lambda s: -s["seconds"])[:4]
        report += ["", "corpus-sieve on mixed, where the time goes (timings.json of the last run): "
                   f"read {stages['read_seconds']:.2f} s, write {stages['write_seconds']:.2f} s, "
                   + ", ".join(f"{s['stage']} {s['seconds']:.2f} s" for s in top)
                   + f"; in-run total {stages['seconds']:.2f} s of {results['mixed']['corpus-sieve']['wall']:.2f} s wall", ""]

    if not args.no_scale and "mixed" in results:
        big = bench("mixed10x", paths["mixed10x"], "corpus-sieve", 1, args.scratch)
        small = results["mixed"]["corpus-sieve"]
        report += [
            f"Scaling: mixed10x ({n_docs['mixed10x']:,} docs, {paths['mixed10x'].stat().st_size / 1e6:.0f} MB): "
            f"{big['wall']:.1f} s ({n_docs['mixed10x'] / big['wall']:,.0f} docs/s), peak RSS {big['rss_mb']:.0f} MB = "
            f"{big['rss_mb'] / small['rss_mb']:.2f}× the 1× run's {small['rss_mb']:.0f} MB (target ≤ 1.2×)",
            "",
        ]

    dev = measure([SIEVE, "clean", str(REPO / "data" / "sample_corpus.jsonl"), "--recipe", "ptvid",
                   "--out", str(args.scratch / "dev-runs"), "--dev", "--quiet"])
    help_ = measure([SIEVE, "--help"])
    report += [f"`sieve clean data/sample_corpus.jsonl --dev`: {dev['wall']:.2f} s wall (target < 10 s); "
               f"`sieve --help`: {help_['wall']:.2f} s (target < 1 s)"]
    text = "\n".join(report)
    print("\n" + text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
