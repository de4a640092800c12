"""Exceptions a run can end with (besides ``InputError``, ``RecipeError`` and ``AccountingError``)."""

from __future__ import annotations

import contextlib
import signal
import threading
from pathlib import Path
from typing import Any, Iterator


class ResumeError(Exception):
    """A run directory cannot be resumed (not a run, already complete, or its input/recipe changed)."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) or SIGTERM stopped a run between two checkpoints.

    Still a :class:`KeyboardInterrupt`, so code that catches that keeps
    working. ``run_dir`` is the run directory to hand to ``--resume``;
    ``batches_done``/``rows_done`` say how far the last checkpoint got.
    """

    def __init__(self, run_dir: Path | str | None, batches_done: int = 0, rows_done: int = 0,
                 signal_name: str = "SIGINT") -> None:
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.batches_done = batches_done
        self.rows_done = rows_done
        self.signal_name = signal_name
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f" in {self.run_dir}" if self.run_dir else ""
        return (f"interrupted by {self.signal_name}; {self.batches_done:,} batch(es) "
                f"({self.rows_done:,} rows) are checkpointed{where}")

    def resume_command(self) -> str:
        return f"sieve clean --resume {self.run_dir}" if self.run_dir else ""


class InterruptedAfterFinish(KeyboardInterrupt):
    """Ctrl-C or SIGTERM arrived after the run had finished (``stats.json``
    written): its outputs in ``run_dir`` are complete, nothing to resume."""

    def __init__(self, run_dir: Path | str, signal_name: str = "SIGINT") -> None:
        self.run_dir = Path(run_dir)
        self.signal_name = signal_name
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return (f"interrupted by {self.signal_name} after the run had finished; "
                f"its outputs are complete in {self.run_dir}")


#: a signal repeated within this many seconds of the one that stopped a run is dropped
REPEAT_WINDOW_S = 2.0


@contextlib.contextmanager
def one_interrupt_at_a_time() -> Iterator[None]:
    """Within the block, a SIGINT/SIGTERM arriving soon after the one that stopped the run is dropped.

    A run that stops waits for the commit being written, removes half-written
    outputs and records why. The same Ctrl-C can reach Python twice (polars
    checks for signals inside its own calls and the flag is seen again at the
    next line), and a second ``KeyboardInterrupt`` would cut that clean-up
    short. The handlers in place (Python's for SIGINT, ``sieve clean``'s for
    SIGTERM) still raise the first one; only repeats within
    :data:`REPEAT_WINDOW_S` seconds are dropped, so a later Ctrl-C works as
    usual. Only the main thread can set handlers; elsewhere, and for signals
    left to the system's default, this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    last: list[float] = []
    previous: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(sig)
        if callable(handler):
            previous[sig] = handler
            signal.signal(sig, _raising_once(handler, last))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _raising_once(handler: Any, last: list[float]) -> Any:
    import time

    def once(signum: int, frame: Any) -> None:
        now = time.monotonic()
        if last and now - last[0] < REPEAT_WINDOW_S:
            return
        last[:] = [now]
        handler(signum, frame)

    return once


def describe(exc: BaseException) -> dict[str, Any]:
    """What ``error.json`` records about an exception."""
    return {"error": type(exc).__name__, "message": str(exc)}
