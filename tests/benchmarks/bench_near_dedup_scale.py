"""``near_dedup`` on 10 million short documents: wall time and peak RSS of the whole ``sieve clean``.

The corpus is every short text of ``../shared/data`` (DSLCC, FRMT, Tatoeba,
ToLD-Br: 53,930 texts) replicated with new ids up to ``--rows`` rows (default
10,000,000; ~1.9 GB of Parquet input is written under ``--scratch`` once).
Every copy after the first of a text is a duplicate, so the stage's memory
(one signature per cluster, one entry per distinct band key) stays that of the
distinct texts while the rows stream by. Peak RSS is sampled from ``/proc`` over
the whole process tree every 50 ms.

    .venv/bin/python tests/benchmarks/bench_near_dedup_scale.py [--rows N] [--scratch DIR] [--distinct]

``--distinct`` writes distinct documents instead (12-30 words drawn from the real
texts' vocabulary), where every row is a cluster of its own: the worst case for memory.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared" / "data"
PYTHON = sys.executable
sys.path[:0] = [str(REPO / "tests"), str(HERE)]


def build_distinct(path: Path, rows: int, seed: int = 0) -> None:
    """``rows`` distinct documents: 12-30 words drawn at random from the real texts' vocabulary (no two
    alike, so every row starts its own cluster: the stage's worst case for memory)."""
    import numpy as np
    from realdata import _text_pool

    words = pl.Series(sorted(set(" ".join(_text_pool(SHARED)["text"].to_list()).split())))
    rng = np.random.default_rng(seed)
    lengths = rng.integers(12, 31, rows)
    picks = rng.integers(0, words.len(), int(lengths.sum()))
    texts = words.gather(picks).to_frame("w").with_columns(
        doc=pl.Series(np.repeat(np.arange(rows), lengths))).group_by("doc", maintain_order=True).agg(pl.col("w").str.join(" "))
    texts.select(pl.format("doc{}", "doc").alias("id"), pl.col("w").alias("text")).write_parquet(path, row_group_size=100_000)


def build(path: Path, rows: int) -> None:
    from realdata import _text_pool

    pool = _text_pool(SHARED).select("text")
    copies = -(-rows // pool.height)
    frame = (pl.concat([pool] * copies).head(rows).with_row_index("n")
             .select(pl.format("doc{}", "n").alias("id"), "text"))
    frame.write_parquet(path, row_group_size=100_000)


def main() -> int:
    from bench_speed import measure

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "corpus-sieve-bench")
    ap.add_argument("--distinct", action="store_true", help="distinct word-salad documents instead of replicated texts")
    args = ap.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    corpus = args.scratch / f"{'distinct' if args.distinct else 'short'}_{args.rows}.parquet"
    if not corpus.exists():
        print(f"building {corpus} ...", flush=True)
        (build_distinct if args.distinct else build)(corpus, args.rows)
    recipe = args.scratch / "near_dedup_only.yaml"
    recipe.write_text(json.dumps({"columns": {"text": "text", "id": "id"}, "stages": [{"filter": "near_dedup"}]}))
    out = args.scratch / "near-dedup-runs"
    m = measure([str(Path(PYTHON).parent / "sieve"), "clean", str(corpus), "--recipe", str(recipe), "--out", str(out),
                 "--quiet"])
    run = (out / "latest").resolve()
    stats = json.loads((run / "stats.json").read_text())
    stage = stats["stages"][-1]
    stage.setdefault("clusters", {"clusters": 0, "largest": 0})
    print(f"{args.rows:,} rows: {m['wall']:.1f} s wall ({args.rows / m['wall']:,.0f} rows/s), peak RSS {m['rss_mb']:,.0f} MB; "
          f"kept {stats['totals']['kept']:,}, removed {stage['rows_rejected']:,} in {stage['clusters']['clusters']:,} clusters "
          f"(largest {stage['clusters']['largest']:,}); near_dedup {stage['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
