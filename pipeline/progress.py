"""Progress on stderr for long runs: rows done and rows per second.

On a terminal the line is rewritten in place (``\\r``); otherwise (logs, CI)
a plain line is printed at most every ``every`` seconds.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, enabled: bool = True, stream: TextIO | None = None, every: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every if every is not None else (0.2 if self.tty else 10.0)
        self.start = time.perf_counter()
        self._last = self.start
        self._shown = False

    def update(self, rows: int, kept: int, rejected: int, label: str = "") -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._last < self.every:
            return
        self._last = now
        self._emit(rows, kept, rejected, label, now)

    def _emit(self, rows: int, kept: int, rejected: int, label: str, now: float) -> None:
        elapsed = max(now - self.start, 1e-9)
        line = f"{label}{rows:,} rows ({kept:,} kept, {rejected:,} rejected), {rows / elapsed:,.0f} rows/s, {elapsed:.1f}s"
        if self.tty:
            self.stream.write("\r" + line + "\033[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._shown = True

    def finish(self) -> None:
        if self.enabled and self.tty and self._shown:
            self.stream.write("\n")
            self.stream.flush()
