"""Progress on stderr for long runs: share of the input read, time left, rows/s, kept/rejected.

On a terminal a progress bar (rich) is redrawn in place: the share of the
input's bytes read so far, time left, rows per second, and rows kept and
rejected. Elsewhere (logs, CI) a plain line is printed at most every
``every`` seconds, with the same figures. The share needs the input's size:
without one (a Hub dataset) only rows, rows/s and the time spent are shown.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["Progress", "ReadMeter"]


class ReadMeter:
    """Bytes of input read so far (``done``) out of ``total``, updated by the reader as it goes.

    ``total`` is 0 when the input's size is unknown. The reader updates it
    from its own thread; the progress display only reads it.

    >>> meter = ReadMeter(total=200)
    >>> meter.advance(50); meter.share()
    0.25
    """

    def __init__(self, total: int = 0) -> None:
        self.total = int(total)
        self.finished = 0  # bytes of the parts already read to the end
        self.done = 0

    def advance(self, nbytes: int) -> None:
        """``nbytes`` more bytes were read (a part finished)."""
        self.finished += int(nbytes)
        self.done = self.finished

    def at(self, position: int) -> None:
        """The part being read is at byte ``position``."""
        self.done = self.finished + int(position)

    def share(self) -> float | None:
        """Share of the input read, in [0, 1]; None when the size is unknown."""
        if self.total <= 0:
            return None
        return min(1.0, self.done / self.total)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    """Shows how far a run is; ``update`` after each batch, ``finish`` at the end.

    ``meter`` (a :class:`ReadMeter`) gives the share of the input read; the
    runner attaches one with :meth:`attach`.
    """

    def __init__(self, enabled: bool = True, stream: TextIO | None = None, every: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every if every is not None else (0.2 if self.tty else 10.0)
        self.start = time.perf_counter()
        self._last = self.start
        self.meter: ReadMeter | None = None
        self._bar: Any = None
        self._task: Any = None

    def attach(self, meter: ReadMeter) -> None:
        """Read the share done from ``meter`` (bytes of input read over the input's size)."""
        self.meter = meter

    def update(self, rows: int, kept: int, rejected: int, label: str = "") -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._last < self.every:
            return
        self._last = now
        self._emit(rows, kept, rejected, label, now)

    def _figures(self, rows: int, kept: int, rejected: int, elapsed: float) -> str:
        return f"{rows:,} rows ({kept:,} kept, {rejected:,} rejected), {rows / max(elapsed, 1e-9):,.0f} rows/s"

    def _emit(self, rows: int, kept: int, rejected: int, label: str, now: float) -> None:
        elapsed = max(now - self.start, 1e-9)
        share = self.meter.share() if self.meter is not None else None
        figures = f"{self._figures(rows, kept, rejected, elapsed)}, {_duration(elapsed)} elapsed"
        left = f"~{_duration(elapsed * (1 - share) / share)} left" if share else ""
        if self.tty:  # beside the bar, the time left first: a narrow terminal cuts the end of the line
            shown = "" if share is None else f"{100 * share:.0f}%, " + (f"{left}, " if left else "")
            self._draw(f"{label}{shown}{figures}", share)
            return
        if share is None:
            line = f"{label}{figures}"
        else:
            line = f"{label}{100 * share:.0f}% of the input read, {figures}" + (f", {left}" if left else "")
        self.stream.write(line + "\n")
        self.stream.flush()

    def _draw(self, line: str, share: float | None) -> None:
        """A rich progress bar and the line beside it; created on the first update (short runs never show one)."""
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress as RichProgress, TextColumn
            from rich.table import Column

            # the line gives way (cut with an ellipsis) before the bar does on a narrow terminal
            self._bar = RichProgress(
                BarColumn(bar_width=24, table_column=Column(min_width=24, no_wrap=True)),
                TextColumn("{task.fields[line]}", table_column=Column(no_wrap=True, overflow="ellipsis")),
                console=Console(file=self.stream, force_terminal=True), auto_refresh=False, transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("sieve", total=None if share is None else 100.0, line="")
        self._bar.update(self._task, line=line, completed=0.0 if share is None else 100.0 * share)
        self._bar.refresh()

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
