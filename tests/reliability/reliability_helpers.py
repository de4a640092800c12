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


def _child(conn: Any, fn: Callable[..., Any], args: tuple) -> None:
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as exc:  # reported to the parent, which decides
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


def within(seconds: float, fn: Callable[..., Any], *args: Any) -> tuple[str, Any, float]:
    """Run ``fn(*args)`` in a forked child killed after ``seconds``.

    Returns ``(status, value, elapsed)`` with status ``ok``, ``error`` or
    ``timeout``: a hostile input that hangs cannot hang the test suite.
    """
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args))
    t0 = time.perf_counter()
    proc.start()
    child.close()
    ready = parent.poll(seconds)
    elapsed = time.perf_counter() - t0
    if not ready:
        proc.kill()
        proc.join()
        return "timeout", None, elapsed
    status, value = parent.recv()
    proc.join()
    return status, value, elapsed


def cpu_scale() -> float:
    """Time limits are for 2 cores; slower CI machines can stretch them."""
    return float(os.environ.get("SIEVE_TIME_SCALE", "1"))
