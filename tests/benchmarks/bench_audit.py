"""Benchmark: `sieve audit` on 1, 3 and 10 million short documents, as a whole process.

Targets (issue 25): with the streaming engine, 10M documents in <= 4 GB peak RSS and
<= 10 minutes on a 2-core machine, the 10M peak within 1.3x the 1M peak, and the same
findings as the in-memory engine at the smallest size (the diff is printed).

The corpus replicates and perturbs real sentences from ../shared/data (DSLCC,
FRMT, Tatoeba and ToLD-Br tweets, ~54k texts): half the rows get 1-3 random
character edits, 40% an appended word and number, 10% are exact copies; splits
80/10/10 train/validation/test, with a `source` column. Most rows are near
duplicates of another row, the worst case for the near-duplicate search and
for the token statistics (many features reach significance).

Run: .venv/bin/python tests/benchmarks/bench_audit.py [ROWS ...] [--engine memory] [--no-diff]
(default 1,000,000), or `make bench` (1M, 3M and 10M). Prints wall seconds, peak RSS and
per-check seconds per size, the in-memory run and the findings diff at the smallest size,
and the peak-memory ratio. Corpora are cached in $TMPDIR/corpus-sieve-bench.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED = REPO.parent / "shared" / "data"
sys.path[:0] = [str(HERE.parent)]

from realdata import load_pt_varieties, load_told_br  # noqa: E402


def synthetic_corpus(n: int, seed: int = 0) -> pl.DataFrame:
    """``n`` rows of perturbed real short texts with label/domain/split/source."""
    cols = ["text", "label", "domain", "source"]
    base = pl.concat([load_pt_varieties(SHARED).select(cols), load_told_br(SHARED).select(cols)])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, base.height, n)
    texts = base["text"].to_list()
    alphabet = "abcdefghijklmnopqrstuvwxyzáéíóúãõç"
    words = ["hoje", "ontem", "muito", "mesmo", "também", "ainda", "sempre", "agora"]
    out = []
    for i in idx:
        s, r = texts[i], rng.random()
        if r < 0.5 and s:
            for _ in range(1 + int(rng.integers(0, 3))):
                p = int(rng.integers(0, len(s)))
                s = s[:p] + alphabet[int(rng.integers(0, len(alphabet)))] + s[p + 1 :]
        elif r < 0.9:
            s = f"{s} {words[int(rng.integers(0, 8))]} {int(rng.integers(0, 100000))}"
        out.append(s)
    return pl.DataFrame(
        {
            "id": [f"r{k}" for k in range(n)],
            "text": out,
            "label": base["label"].gather(idx),
            "domain": base["domain"].gather(idx),
            "split": np.array(["train", "validation", "test"])[rng.choice(3, n, p=[0.8, 0.1, 0.1])],
            "source": base["source"].gather(idx),
        }
    )


CACHE = Path(tempfile.gettempdir()) / "corpus-sieve-bench"
#: the finding fields compared between the engines
KEY = ("check", "severity", "feature", "domain", "label", "split")


def corpus_file(rows: int) -> Path:
    """The synthetic corpus of ``rows`` rows as Parquet, built once and kept in the temp dir."""
    path = CACHE / f"audit-{rows}.parquet"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        frame = synthetic_corpus(rows)
        frame.write_parquet(path.with_suffix(".tmp"))
        path.with_suffix(".tmp").replace(path)
        print(f"corpus: {rows:,} rows, mean {frame['text'].str.len_chars().mean():.0f} chars, "
              f"{path.stat().st_size / 1e6:.0f} MB parquet (built in {time.perf_counter() - t:.1f} s)")
    return path


def audit(corpus: Path, out: Path, engine: str) -> dict:
    """Run ``sieve audit`` as a whole process; its wall time, peak RSS and audit.json."""
    cmd = ["/usr/bin/time", "-v", str(REPO / ".venv" / "bin" / "sieve"), "audit", str(corpus),
           "--out", str(out), "--fail-on", "never", "--engine", engine, "--quiet"]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"sieve audit failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}")
    return {"wall": wall, "rss_gb": int(rss.group(1)) / 1e6, "report": json.loads((out / "audit.json").read_text())}


def findings_diff(memory: dict, streamed: dict) -> tuple[int, list, list]:
    """(findings in both, only in memory, only streamed), findings compared on :data:`KEY`."""
    def keys(report: dict) -> list:
        return sorted(tuple(str(f.get(k)) for k in KEY) for f in report["findings"])

    a, b = keys(memory), keys(streamed)
    only_a = [k for k in a if k not in b]
    only_b = [k for k in b if k not in a]
    return len(a) - len(only_a), only_a, only_b


def main(sizes: list[int], engine: str = "streaming", diff: bool = True) -> int:
    if not SHARED.is_dir():
        print("bench_audit: ../shared/data is absent; skipped")
        return 0
    peaks = {}
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        for rows in sizes:
            corpus = corpus_file(rows)
            run = audit(corpus, Path(tmp) / f"audit-{rows}", engine)
            report = run["report"]
            peaks[rows] = run["rss_gb"]
            print(f"sieve audit --engine {engine}, {rows:,} rows: {run['wall']:.1f} s wall, "
                  f"peak RSS {run['rss_gb']:.2f} GB, verdict {report['verdict']}, {len(report['findings'])} findings")
            for check, seconds in sorted(report.get("timings_s", {}).items(), key=lambda kv: -kv[1]):
                print(f"  {check:22s} {seconds:7.2f} s")
            if diff and rows == sizes[0]:
                mem = audit(corpus, Path(tmp) / f"audit-{rows}-memory", "memory")
                same, only_mem, only_str = findings_diff(mem["report"], report)
                print(f"sieve audit --engine memory, {rows:,} rows: {mem['wall']:.1f} s wall, peak RSS "
                      f"{mem['rss_gb']:.2f} GB; findings (check, severity, feature, domain, label, split): "
                      f"{same} in both, {len(only_mem)} only in memory, {len(only_str)} only streamed")
                for k in only_mem:
                    print(f"  only in memory: {k}")
                for k in only_str:
                    print(f"  only streamed:  {k}")
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        ratio = peaks[large] / peaks[small]
        print(f"peak RSS {large:,} rows / {small:,} rows: {ratio:.2f}x "
              f"({'MET' if ratio <= 1.3 else 'NOT met'}: target <= 1.3x); "
              f"{large:,} rows {peaks[large]:.2f} GB ({'MET' if peaks[large] <= 4 else 'NOT met'}: target <= 4 GB)")
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="*", type=int, default=[1_000_000], help="corpus sizes (default: 1,000,000)")
    parser.add_argument("--engine", choices=("streaming", "memory"), default="streaming")
    parser.add_argument("--no-diff", action="store_true", help="skip the in-memory run and its findings diff")
    args = parser.parse_args()
    sys.exit(main(sorted(args.rows), args.engine, diff=not args.no_diff and args.engine == "streaming"))
