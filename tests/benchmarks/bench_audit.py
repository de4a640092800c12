"""Benchmark: `sieve audit` on 1,000,000 short documents, as a whole process.

Target (issue 3): under a minute on a 2-core machine.

The corpus replicates and perturbs real sentences from ../shared/data (DSLCC,
FRMT, Tatoeba and ToLD-Br tweets, ~54k texts): half the rows get 1-3 random
character edits, 40% an appended word and number, 10% are exact copies; splits
80/10/10 train/validation/test, with a `source` column. Most rows are near
duplicates of another row, the worst case for the near-duplicate search and
for the token statistics (many features reach significance).

Run: .venv/bin/python tests/benchmarks/bench_audit.py [ROWS] (default 1,000,000)
or `make bench`. Prints wall seconds, peak RSS and per-check seconds.
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


def main(rows: int) -> int:
    if not SHARED.is_dir():
        print("bench_audit: ../shared/data is absent; skipped")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        corpus = Path(tmp) / "corpus.parquet"
        t = time.perf_counter()
        frame = synthetic_corpus(rows)
        frame.write_parquet(corpus)
        print(f"corpus: {rows:,} rows, mean {frame['text'].str.len_chars().mean():.0f} chars, "
              f"{corpus.stat().st_size / 1e6:.0f} MB parquet (built in {time.perf_counter() - t:.1f} s)")
        del frame
        cmd = ["/usr/bin/time", "-v", str(REPO / ".venv" / "bin" / "sieve"), "audit", str(corpus),
               "--out", str(Path(tmp) / "audit"), "--fail-on", "error"]
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        if proc.returncode not in (0, 1):
            print(proc.stdout, proc.stderr[-3000:])
            return proc.returncode
        report = json.loads((Path(tmp) / "audit" / "audit.json").read_text())
        print(f"sieve audit: {wall:.1f} s wall, peak RSS {int(rss.group(1)) / 1e6:.2f} GB, "
              f"verdict {report['verdict']}, {len(report['findings'])} findings "
              f"({'MET' if wall < 60 else 'NOT met'}: target < 60 s)")
        for check, seconds in sorted(report.get("timings_s", {}).items(), key=lambda kv: -kv[1]):
            print(f"  {check:22s} {seconds:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
