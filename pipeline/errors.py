"""Exceptions a run can end with (besides ``InputError``, ``RecipeError`` and ``AccountingError``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


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


def describe(exc: BaseException) -> dict[str, Any]:
    """What ``error.json`` records about an exception."""
    return {"error": type(exc).__name__, "message": str(exc)}
