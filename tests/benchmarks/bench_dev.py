"""``sieve clean --dev`` in constant time: wall seconds on corpora of growing size, up to 20 GB.

Usage::

    .venv/bin/python tests/benchmarks/bench_dev.py [--scratch DIR] [--sizes-gb 0.19 1.9 20]
        [--recipe ptvid] [--keep]

The corpora are the real ``mixed`` corpus of ``bench_speed.py`` (DSLCC, FRMT,
Tatoeba, ToLD-Br and the 600 WCXB web pages, shuffled; built from
``../shared/data``) repeated end to end until each size is reached. Each size
runs ``sieve clean CORPUS --recipe RECIPE --out DIR --dev --quiet`` as a whole
process (start-up, recipe, tokenizer, the spread sample, every stage, the
outputs), with the page cache dropped first where the machine allows it, so
the windows are read from disk. The target: under 10 s at 20 GB on a 2-core
machine. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared" / "data"
SIEVE = str(Path(sys.executable).parent / "sieve")


def build(base: Path, target: Path, size: int) -> Path:
    """``base`` repeated end to end up to ``size`` bytes (whole lines)."""
    if target.exists() and target.stat().st_size >= size:
        return target
    chunk = base.read_bytes()
    with target.open("wb") as fh:
        written = 0
        while written < size:
            fh.write(chunk)
            written += len(chunk)
    return target


def drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scratch", type=Path, default=REPO / ".bench")
    parser.add_argument("--sizes-gb", type=float, nargs="+", default=[0.19, 1.9, 20.0])
    parser.add_argument("--recipe", default="ptvid")
    parser.add_argument("--keep", action="store_true", help="keep the large corpora (they are deleted after the run)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "tests"))
    from realdata import _text_pool, build_mixed_corpus

    args.scratch.mkdir(parents=True, exist_ok=True)
    base = args.scratch / "mixed.jsonl"
    if not base.exists():
        build_mixed_corpus(SHARED, base, n_docs=_text_pool(SHARED).height + 600, seed=0)
    rows = []
    for gb in args.sizes_gb:
        size = int(gb * 1e9)
        corpus = base if size <= base.stat().st_size else build(base, args.scratch / f"mixed-{gb:g}gb.jsonl", size)
        out = args.scratch / "dev-runs"
        shutil.rmtree(out, ignore_errors=True)
        cold = drop_page_cache()
        t0 = time.perf_counter()
        proc = subprocess.run([SIEVE, "clean", str(corpus), "--recipe", args.recipe, "--out", str(out), "--dev", "--quiet"],
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        dev = json.loads((out / "latest" / "dev.json").read_text(encoding="utf-8"))
        drawn = dev.get("drawn", {})
        rows.append((corpus.stat().st_size, wall, cold, dev["rows_read"], dev["rows_sampled"], drawn.get("bytes_read", 0)))
        if corpus != base and not args.keep:
            corpus.unlink()
    print("| input | --dev wall (s) | page cache dropped | rows read | rows sampled | bytes read |")
    print("|---|---|---|---|---|---|")
    for size, wall, cold, read, sampled, nbytes in rows:
        print(f"| {size / 1e9:.2f} GB | {wall:.2f} | {'yes' if cold else 'no'} | {read:,} | {sampled:,} | {nbytes / 2**20:.1f} MiB |")


if __name__ == "__main__":
    main()
