"""A bigger run of the reliability fuzz tests and of the kill-and-resume test (not collected by `make test`).

    .venv/bin/python tests/benchmarks/fuzz_reliability.py [EXAMPLES] [KILLS]

Runs every property test of tests/reliability/test_reliability_fuzz.py with
EXAMPLES random inputs each (default 1000), then SIGKILLs a real
`sieve clean` KILLS times (default 10) at random moments while it resumes,
and checks the final outputs equal an uninterrupted run's byte for byte.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "reliability")]


def fuzz(examples: int) -> None:
    import os

    os.environ["SIEVE_FUZZ_EXAMPLES"] = str(examples)
    import test_reliability_fuzz as t
    from reliability_helpers import FUZZ_INPUTS

    tests = [v for k, v in vars(t).items() if k.startswith("test_") and callable(v)]
    t0 = time.perf_counter()
    for test in tests:
        test()
        print(f"  {test.__name__}: ok", flush=True)
    print(f"fuzz: {sum(FUZZ_INPUTS.values()):,} random inputs ({dict(FUZZ_INPUTS)}), "
          f"{time.perf_counter() - t0:.0f}s, no failure")


def kill_resume(kills: int) -> None:
    import test_reliability_resume as r
    from corpus_sieve.pipeline.recipe.recipe import load_recipe
    from corpus_sieve.pipeline.engines.local import run_pipeline

    tmp = Path(tempfile.mkdtemp())
    data = r.corpus(tmp, copies=10)
    clean = run_pipeline([str(data)], load_recipe(r.DEFAULT_RECIPE), tmp / "clean", progress=False, batch_size=100).path
    base = tmp / "runs"
    rng = random.Random(0)
    done = 0
    proc = r._sieve(str(data), "--out", str(base), "--batch-size", "100")
    assert r._kill_when(proc, lambda: r._batches_done(base) >= 1)
    done += 1
    run_dir = (base / "latest").resolve()
    batches = []
    while done < kills:
        delay = rng.uniform(0.2, 2.0)
        start = time.monotonic()
        proc = r._sieve("--resume", str(run_dir))
        if r._kill_when(proc, lambda: time.monotonic() - start > delay):
            done += 1
            batches.append(r._batches_done(base))
        else:
            break  # it finished before the kill
    if not (run_dir / "stats.json").exists():
        out = subprocess.run([sys.executable, "-m", "corpus_sieve.pipeline.cli.main", "clean", "--resume", str(run_dir), "--quiet"],
                             capture_output=True, text=True, cwd=REPO)
        assert out.returncode == 0, out.stderr
    r.assert_same_run(clean, run_dir)
    print(f"kill/resume: killed {done} times (batches committed at each kill: {batches}), "
          "final outputs byte-identical to an uninterrupted run")


if __name__ == "__main__":
    if (int(sys.argv[1]) if len(sys.argv) > 1 else 1000) > 0:
        fuzz(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    kill_resume(int(sys.argv[2]) if len(sys.argv) > 2 else 10)
