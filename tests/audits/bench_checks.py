"""Benchmark (not collected by pytest): this helper's six checks on a 1,000,000-row corpus.

The corpus replicates and perturbs real sentences from ../shared/data (DSLCC,
FRMT, Tatoeba: ~33k sentences, so ~93% of the rows are near duplicates of
another row — the worst case for the near-duplicate search):
half get 1-3 random character edits, 40% an appended word and number, 10%
are exact copies; splits 80/10/10.

Run: .venv/bin/python tests/audits/bench_checks.py [rows]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent.parent)]

from realdata import load_pt_varieties  # noqa: E402

from audits.base import AuditConfig, AuditCorpus  # noqa: E402
from audits.checks import (  # noqa: E402
    conflicting_labels,
    domain_confounding,
    duplicates,
    label_balance,
    rule_retention,
    split_leakage,
)

SHARED = HERE.parent.parent.parent / "shared" / "data"


def synthetic(n: int, seed: int = 0) -> pl.DataFrame:
    base = load_pt_varieties(SHARED)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, base.height, n)
    texts = base["text"].to_list()
    alpha = "abcdefghijklmnopqrstuvwxyzáéíóúãõç"
    words = ["hoje", "ontem", "muito", "mesmo", "também", "ainda", "sempre", "agora"]
    out = []
    for i in idx:
        s, r = texts[i], rng.random()
        if r < 0.5:
            for _ in range(1 + int(rng.integers(0, 3))):
                p = int(rng.integers(0, len(s))) if s else 0
                s = s[:p] + alpha[int(rng.integers(0, len(alpha)))] + s[p + 1 :]
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


def main(n: int) -> None:
    t = time.perf_counter()
    frame = synthetic(n)
    print(f"built {n:,} rows in {time.perf_counter() - t:.1f}s; mean {frame['text'].str.len_chars().mean():.0f} chars")
    corpus = AuditCorpus(frame, has_split=True, has_source=True)
    total = 0.0
    for module in (label_balance, domain_confounding, duplicates, conflicting_labels, split_leakage, rule_retention):
        t = time.perf_counter()
        result = module.run(corpus, AuditConfig())
        dt = time.perf_counter() - t
        total += dt
        worst = max((f.severity for f in result.findings), key=["info", "warn", "error"].index, default="-")
        print(f"{module.CHECK_ID:20s} {dt:6.2f}s  {len(result.findings):3d} findings, worst {worst}")
    print(f"{'total':20s} {total:6.2f}s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
