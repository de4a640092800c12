"""Helpers of the reliability tests: a fuzz-input counter and a hard time limit."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from typing import Any, Callable

#: random inputs the property tests generated, by test (printed at the end of the run)
FUZZ_INPUTS: Counter[str] = Counter()


def count_fuzz(name: str, n: int = 1) -> None:
    FUZZ_INPUTS[name] += n


_POOL: Any = None


def _pool() -> Any:
    # a spawned (not forked) worker: forking a process whose polars/rayon
    # thread pools are running can deadlock the child. One worker is reused
    # across calls so the import cost is paid once.
    global _POOL
    if _POOL is None:
        _POOL = multiprocessing.get_context("spawn").Pool(1)
    return _POOL


def _call(fn: Callable[..., Any], args: tuple) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except Exception as exc:  # reported to the parent, which decides
        return "error", f"{type(exc).__name__}: {exc}"


def within(seconds: float, fn: Callable[..., Any], *args: Any) -> tuple[str, Any, float]:
    """Run ``fn(*args)`` in a worker process that is killed after ``seconds``.

    Returns ``(status, value, elapsed)`` with status ``ok``, ``error`` or
    ``timeout``: a hostile input that hangs cannot hang the test suite.
    ``fn`` must be a module-level function (it is pickled by name).
    """
    global _POOL
    pool = _pool()
    pool.apply(time.sleep, (0,))  # the worker is up and warm before the clock starts
    t0 = time.perf_counter()
    pending = pool.apply_async(_call, (fn, args))
    try:
        status, value = pending.get(seconds)
    except multiprocessing.TimeoutError:
        pool.terminate()
        _POOL = None
        return "timeout", None, time.perf_counter() - t0
    return status, value, time.perf_counter() - t0


def cpu_scale() -> float:
    """Time limits are for 2 cores; slower CI machines can stretch them."""
    return float(os.environ.get("SIEVE_TIME_SCALE", "1"))
