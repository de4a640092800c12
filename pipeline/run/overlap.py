"""Reading ahead and writing behind: the run's I/O overlaps its filtering.

A run is a loop of *read a batch, filter it, write it*. Reading JSON and
writing Parquet spend most of their time in polars and pyarrow, which release
the GIL, and the heaviest filters run in worker processes: done one after the
other, each of those leaves a core idle. Two helpers let them overlap:

* :func:`read_ahead` reads the next batch in a thread while the current one is
  filtered (at most ``depth`` batches wait, so memory stays bounded);
* :class:`WriteBehind` runs the writes (and checkpoint commits) of one batch
  in a thread, in submission order, while the next batch is filtered; at most
  ``depth`` jobs wait.

Both keep the run's results and their order exactly as without them, and an
exception raised in the thread is raised again in the caller, at the point
where the serial loop would have raised it.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")

_DONE = object()


def read_ahead(items: Iterable[T], depth: int = 1) -> ReadAhead[T]:
    """``items``, produced by a background thread up to ``depth`` items ahead of the consumer.

    An exception raised while producing an item is raised by the ``next()``
    that would have returned it. When the consumer stops early (``break``, an
    exception, garbage collection, :meth:`ReadAhead.close`), the thread stops
    after the item it is producing. :meth:`ReadAhead.peek` shows the next
    item when it is already produced, without taking it.

    >>> list(read_ahead(iter(range(5))))
    [0, 1, 2, 3, 4]
    >>> def failing():
    ...     yield 1
    ...     raise ValueError("line 2 is broken")
    >>> it = read_ahead(failing())
    >>> next(it)
    1
    >>> next(it)
    Traceback (most recent call last):
    ...
    ValueError: line 2 is broken
    """
    return ReadAhead(items, depth)


class ReadAhead(Iterator[T]):
    """The iterator :func:`read_ahead` returns."""

    def __init__(self, items: Iterable[T], depth: int = 1) -> None:
        slots: queue.Queue[tuple[Any, Any]] = queue.Queue(maxsize=max(depth, 1))
        stop = threading.Event()

        # the thread holds the queue and the event, never this object: a consumer
        # that drops the iterator (a ``break``) frees it, and ``__del__`` stops the thread
        def put(item: tuple[Any, Any]) -> bool:
            while not stop.is_set():
                try:
                    slots.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def produce() -> None:
            try:
                for item in items:
                    if not put((item, None)):
                        return
            except BaseException as exc:  # handed to the consumer, raised there
                put((_DONE, exc))
                return
            put((_DONE, None))

        self._slots, self._stop, self._done = slots, stop, False
        threading.Thread(target=produce, daemon=True, name="sieve-read-ahead").start()

    def __iter__(self) -> ReadAhead[T]:
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        item, error = self._slots.get()
        if item is _DONE:
            self.close()
            if error is not None:
                raise error
            raise StopIteration
        return item

    def peek(self) -> T | None:
        """The next item if it is already produced (not taken: ``next()`` still returns it), else None."""
        with self._slots.mutex:
            if not self._slots.queue:
                return None
            item, _ = self._slots.queue[0]
        return None if item is _DONE else item

    def close(self) -> None:
        """Stop the producing thread after the item it is producing."""
        self._done = True
        self._stop.set()

    def __del__(self) -> None:
        self._stop.set()


class WriteBehind:
    """Run jobs in one background thread, in submission order, at most ``depth`` waiting.

    :meth:`submit` blocks while ``depth`` jobs wait; :meth:`drain` waits for
    all of them (and stops the thread; a later :meth:`submit` starts a new one). The first exception a job raises is raised again by the next
    :meth:`submit` or :meth:`drain`, and the jobs submitted after it are not
    run. :meth:`settle` runs what was submitted and drops its errors (used when a
    run is stopped, so that what it committed depends only on where it
    stopped, never on how far the thread had got); :meth:`cancel` drops the
    waiting jobs and waits for the running one.

    >>> out = []
    >>> behind = WriteBehind()
    >>> for i in range(3):
    ...     behind.submit(out.append, i)
    >>> behind.drain(); out
    [0, 1, 2]
    """

    def __init__(self, depth: int = 1) -> None:
        # the queue counts unfinished jobs itself (put/task_done), so an interrupt
        # that lands inside submit() can never leave a job counted but not queued
        self._jobs: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue(maxsize=max(depth, 1))
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._cancelled = False

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                fn, args = job
                if self._error is None and not self._cancelled:
                    try:
                        fn(*args)
                    except BaseException as exc:
                        self._error = exc
            finally:
                self._jobs.task_done()

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            self._cancelled = True  # jobs already queued after the failing one are skipped
            raise error

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Queue ``fn(*args)``; blocks while ``depth`` jobs wait."""
        self._raise_error()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True, name="sieve-write-behind")
            self._thread.start()
        self._jobs.put((fn, args))

    def drain(self) -> None:
        """Wait until every submitted job has run, stop the thread; raise the first error a job raised."""
        self._jobs.join()
        self._stop()
        self._raise_error()

    def settle(self) -> None:
        """Wait until every submitted job has run (or was skipped after an error), stop the thread;
        errors are discarded (the caller is already handling a failure)."""
        self._jobs.join()
        self._stop()
        self._error = None

    def cancel(self) -> None:
        """Skip the jobs that have not started, wait for the running one, stop the thread (errors are discarded)."""
        self._cancelled = True
        self._jobs.join()
        self._stop()
        self._error = None

    def _stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
