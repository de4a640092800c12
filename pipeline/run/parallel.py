"""A persistent process pool for per-row Python filters (jusText, html_to_text ...).

Native filters run as polars expressions and already use every core. Filters
implemented in Python (``transform_batch`` / ``reasons_batch``) hold the GIL,
so one process runs them on one core. :func:`run_batch` cuts their rows into
order-preserving chunks and runs the chunks in worker processes, so that a
two-core machine parses HTML twice as fast. With ``N`` workers configured,
``N - 1`` are subprocesses and the calling process is the N-th: the calling
thread takes chunks like a worker does (its chunks are neither serialised nor
shipped, and one fewer interpreter starts).

Guarantees:

* **identical results**: a worker rebuilds the filter from its class and
  ``get_params()`` (the scikit-learn style contract every filter follows) and
  calls the same ``transform_batch``/``reasons_batch`` on a slice of the
  same list; the slices are put back in order. Filters are pure functions of
  their parameters and the text, so the output equals serial execution
  (``tests/pipeline/test_parallel.py`` checks it on real pages);
* **deterministic**: chunk boundaries depend only on the texts and the worker
  count, and results are reassembled by position, never by completion order;
* **ahead of time**: :func:`prefetch_series` starts a call's chunks in the
  worker subprocesses early (a run does it with the next batch's first
  stage), and :func:`run_series` on the same filter and texts takes them
  over; results are the same chunks of the same texts;
* **cheap when it does not pay**: the pool starts lazily, the first time a
  batch has at least :data:`MIN_PARALLEL_CHARS` characters of Python work, so
  ``--dev`` runs and small inputs never start a process. The workers are
  started once per process (plain Python subprocesses that import
  ``filters`` once and are fed over pipes) and stopped at exit.

The number of workers comes from, in order: ``sieve clean --workers N``
(:func:`set_workers`), the recipe's top-level ``workers`` key, the
``SIEVE_WORKERS`` environment variable, the number of CPUs this process may
use. ``1`` turns the pool off.
"""

from __future__ import annotations

import atexit
import functools
import os
import pickle
import threading
from typing import Any, Sequence

#: below this many characters (UTF-8 bytes, for a Series) of Python work in one batch the pool is not used:
#: shipping the texts would cost more than it saves
MIN_PARALLEL_CHARS = 1_000_000
#: a chunk holds at most this many characters, so that the two workers stay
#: balanced on corpora mixing 300 KB pages with 100-character tweets
MAX_CHUNK_CHARS = 4_000_000
#: chunks per worker (more chunks balance uneven rows; fewer ship less)
CHUNKS_PER_WORKER = 4
#: inputs of at least this many bytes start (and warm up) the pool before they are
#: read, so the workers' start-up overlaps the reading; smaller inputs start it
#: lazily, if ever (9.8 MB of tweets and news never give a batch enough Python work)
PRESTART_BYTES = 32 << 20
#: filters whose Python work already uses every core (the Rust tokenizer's
#: ``encode_batch`` is multi-threaded): sending their texts to workers only adds copies
SERIAL_FILTERS = frozenset({"token_length"})

_LOCK = threading.Lock()
_POOL: Any = None
_WORKERS: int | None = None


def available_cpus() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def set_workers(workers: int | None) -> None:
    """Use ``workers`` processes for Python filters in this process, over any recipe.

    ``sieve clean --workers N`` calls this; ``None`` restores the default
    order (recipe ``workers``, ``SIEVE_WORKERS``, the CPU count); ``1`` turns
    the pool off.
    """
    global _WORKERS
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise ValueError(f"workers must be a positive integer or None, got {workers!r}")
    _WORKERS = workers


def workers(configured: int | None = None) -> int:
    """The number of worker processes to use.

    In order: :func:`set_workers` (the command line), ``configured`` (the
    recipe's ``workers``), ``SIEVE_WORKERS``, the CPUs this process may use.
    """
    if _WORKERS is not None:
        return _WORKERS
    if configured is not None:
        return configured
    env = os.environ.get("SIEVE_WORKERS", "").strip()
    if env:
        try:
            value = int(env)
        except ValueError:
            raise ValueError(f"SIEVE_WORKERS must be a positive integer, got {env!r}") from None
        if value < 1:
            raise ValueError(f"SIEVE_WORKERS must be a positive integer, got {env!r}")
        return value
    return available_cpus()


def can_parallelise(instance: Any) -> bool:
    """True for filters whose per-row Python work may run in worker processes."""
    cls = type(instance)
    if cls.is_global or cls.name in SERIAL_FILTERS:
        return False  # global filters keep state across batches; see SERIAL_FILTERS
    if not cls.parallel:
        return False  # a filter may opt out with ``parallel = False``
    return not getattr(instance, "is_native", True)


def chunk_bounds(lengths: Sequence[int], n_workers: int) -> list[tuple[int, int]]:
    """Contiguous ``[start, end)`` slices with about equal characters each.

    >>> chunk_bounds([10, 10, 10, 10], 2)
    [(0, 1), (1, 2), (2, 3), (3, 4)]
    >>> chunk_bounds([100, 1, 1, 1], 1)
    [(0, 1), (1, 4)]
    >>> chunk_bounds([], 2)
    []
    """
    total = sum(lengths)
    if not lengths:
        return []
    target = max(1, min(MAX_CHUNK_CHARS, -(-total // (n_workers * CHUNKS_PER_WORKER))))
    bounds: list[tuple[int, int]] = []
    start, size = 0, 0
    for i, n in enumerate(lengths):
        size += n
        if size >= target:
            bounds.append((start, i + 1))
            start, size = i + 1, 0
    if start < len(lengths):
        bounds.append((start, len(lengths)))
    return bounds


def run_batch(instance: Any, method: str, texts: list[str], n_workers: int | None = None) -> list[Any]:
    """``getattr(instance, method)(texts)``, in worker processes when it pays.

    ``method`` is ``"transform_batch"`` or ``"reasons_batch"``. The result is
    the list the serial call returns, in the same order.
    """
    n = workers(n_workers)
    call = getattr(instance, method)
    if n <= 1 or len(texts) < 2 or not can_parallelise(instance):
        return call(texts)
    lengths = [len(t) for t in texts]
    if sum(lengths) < MIN_PARALLEL_CHARS:
        return call(texts)
    bounds = chunk_bounds(lengths, n)
    if len(bounds) < 2:
        return call(texts)
    if _PREFETCHED is not None:  # the pool is busy with the next batch's chunks: same results here
        return call(texts)
    spec = _spec(instance)
    parts = _pool(n - 1).map([(spec, method, texts[a:b]) for a, b in bounds], local=lambda i: call(texts[bounds[i][0]:bounds[i][1]]))
    return _joined(instance, method, bounds, parts)


def _joined(instance: Any, method: str, bounds: list[tuple[int, int]], parts: list[list[Any]]) -> list[Any]:
    """The workers' results in input order, each chunk checked for its length."""
    out: list[Any] = []
    for (a, b), part in zip(bounds, parts):
        if len(part) != b - a:
            raise RuntimeError(f"{type(instance).name}.{method} returned {len(part)} results for {b - a} texts")
        out.extend(part)
    return out


def _series_plan(instance: Any, method: str, texts: Any, n_workers: int | None) -> tuple[int, list[tuple[int, int]]] | None:
    """``(workers, chunk bounds)`` when ``texts`` are worth the pool, else None (run in this thread)."""
    n = workers(n_workers)
    if n <= 1 or len(texts) < 2 or not can_parallelise(instance):
        return None
    # bytes, not characters: O(1) per text, and the same balance for chunking
    lengths = texts.str.len_bytes()
    if (lengths.sum() or 0) < MIN_PARALLEL_CHARS:
        return None
    bounds = chunk_bounds(lengths.to_list(), n)
    return (n, bounds) if len(bounds) >= 2 else None


def _series_tasks(instance: Any, method: str, texts: Any, bounds: list[tuple[int, int]]) -> list[tuple[Any, ...]]:
    spec, as_bytes = _spec(instance), type(instance).accepts_utf8
    return [(spec, method, _ArrowTexts(texts.slice(a, b - a), as_bytes)) for a, b in bounds]


def run_series(instance: Any, method: str, texts: Any, n_workers: int | None = None) -> list[Any]:
    """:func:`run_batch` on a polars String Series (no nulls).

    The chunks travel to the workers as Arrow IPC bytes, written from the
    Series directly: the calling process never builds Python strings for
    texts that a worker handles (for 180 MB of web pages that saves ~0.5 s
    of single-threaded ``to_list`` and pickling). When :func:`prefetch_series`
    already started the same call, its chunks are taken over from where the
    workers are.
    """
    from corpus_sieve.filters.base import python_values

    call = getattr(instance, method)
    plan = _series_plan(instance, method, texts, n_workers)
    if plan is None:
        return call(python_values(instance, texts))
    n, bounds = plan

    def local(i: int) -> Any:
        return call(python_values(instance, texts.slice(bounds[i][0], bounds[i][1] - bounds[i][0])))

    started = _claim_prefetch(instance, method, texts, bounds)
    if started is None and _PREFETCHED is not None:  # the pool is busy with another call's chunks
        return call(python_values(instance, texts))
    if started is None:
        started = _pool(n - 1).start(_series_tasks(instance, method, texts, bounds))
    return _joined(instance, method, bounds, started.finish(local))


# -- starting the next batch's chunks early ------------------------------------------------------
# While the calling thread runs the later (native, cheap) stages of batch k, the
# worker processes would idle. ``prefetch_series`` hands them the first Python
# stage's chunks of batch k+1 then; ``run_series`` on the same filter and texts
# takes them over. Results come from the same chunks of the same texts, so they
# equal a run without prefetching. One prefetch at a time (a worker's pipe
# carries one conversation); while one is pending, other calls run in this thread.

_PREFETCHED: tuple[tuple[Any, ...], str, Any, list[tuple[int, int]], Any] | None = None


def prefetch_series(instance: Any, method: str, texts: Any, n_workers: int | None = None) -> bool:
    """Start ``run_series(instance, method, texts)``'s chunks in the worker processes only, now.

    Any earlier prefetch that was not taken over is dropped first. Returns
    whether chunks were started (not when the call would run in this thread).
    """
    global _PREFETCHED
    settle_prefetch()
    plan = _series_plan(instance, method, texts, n_workers)
    if plan is None:
        return False
    n, bounds = plan
    started = _pool(n - 1).start(_series_tasks(instance, method, texts, bounds))
    _PREFETCHED = (_spec(instance), method, texts, bounds, started)
    return True


def _claim_prefetch(instance: Any, method: str, texts: Any, bounds: list[tuple[int, int]]) -> Any:
    """The started chunks of a prefetch of exactly this call, or None."""
    global _PREFETCHED
    if _PREFETCHED is None:
        return None
    spec, pending_method, pending_texts, pending_bounds, started = _PREFETCHED
    if (spec, pending_method, pending_bounds) != (_spec(instance), method, bounds) or \
            not pending_texts.equals(texts, check_names=False):
        return None
    _PREFETCHED = None
    return started


def settle_prefetch() -> None:
    """Drop a prefetch nobody took over: its untaken chunks are dropped, running ones awaited."""
    global _PREFETCHED
    pending, _PREFETCHED = _PREFETCHED, None
    if pending is not None:
        pending[-1].cancel()


class _ArrowTexts:
    """A slice of a String Series that pickles as Arrow IPC and unpickles as ``list[str]``.

    Serialised only when it is sent (in the feeding thread), so at most one
    chunk per worker exists as bytes at a time.
    """

    def __init__(self, series: Any, as_bytes: bool = False) -> None:
        self.series = series
        self.as_bytes = as_bytes

    def __reduce__(self) -> tuple[Any, tuple[bytes, bool]]:
        import io

        buf = io.BytesIO()
        self.series.rename("text").to_frame().write_ipc(buf, compression="uncompressed")
        return _texts_from_ipc, (buf.getvalue(), self.as_bytes)


def _texts_from_ipc(data: bytes, as_bytes: bool = False) -> list[Any]:
    """The texts of an :class:`_ArrowTexts`: ``str``, or UTF-8 ``bytes`` for filters with ``accepts_utf8``."""
    import io

    import polars as pl

    texts = pl.read_ipc(io.BytesIO(data)).to_series()
    return (texts.cast(pl.Binary) if as_bytes else texts).to_list()


def warm_up(instances: Sequence[tuple[Any, str]], n_workers: int | None = None) -> bool:
    """Start the workers now and have each build ``instances`` in the background.

    ``instances`` are ``(filter, method)`` pairs; every worker builds each
    filter and calls ``method`` once on a tiny page, so that the imports and
    set-up (lxml, jusText's stoplists ...) are done before the first batch
    arrives. The run goes on meanwhile: a run calls this before it reads its
    input, so the workers start while the file is read. Returns whether a
    pool was started (False when fewer than two workers are configured or no
    filter can use them).
    """
    n = workers(n_workers)
    tasks = [(_spec(inst), method, [_WARM_UP_TEXT]) for inst, method in instances if can_parallelise(inst)]
    if n <= 1 or not tasks:
        return False
    settle_prefetch()
    _pool(n - 1).warm(tasks)
    return True


#: what warm-up tasks run on: a small page with a paragraph, a link and an entity
_WARM_UP_TEXT = ("<html><head><title>Início</title></head><body><p>O Governo aprovou hoje o orçamento "
                 "do Estado para o próximo ano, disse a ministra das Finanças.</p>"
                 "<p><a href='/x'>Ler mais</a> &amp; partilhar</p></body></html>")


def shutdown() -> None:
    """Stop the worker processes (also done at exit)."""
    global _POOL
    settle_prefetch()
    with _LOCK:
        if _POOL is not None:
            _POOL.close()
        _POOL = None


# -- internals -------------------------------------------------------------------------

def _spec(instance: Any) -> tuple[str, str, bytes]:
    cls = type(instance)
    params = pickle.dumps(sorted(instance.get_params().items()))
    return cls.__module__, cls.__qualname__, params


class _Pool:
    """``n`` worker processes fed over pipes; tasks go to whichever is free.

    Plain subprocesses rather than ``multiprocessing``: its spawn/forkserver
    workers re-import the caller's ``__main__`` (a user script without an
    ``if __name__ == "__main__"`` guard would run again), and ``fork`` of
    the multi-threaded polars process can deadlock.
    """

    def __init__(self, n: int) -> None:
        import subprocess
        import sys

        env = dict(os.environ)
        env.setdefault("TRANSFORMERS_VERBOSITY", "error")
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-c", "from corpus_sieve.pipeline.run.parallel import serve; serve()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
            )
            for _ in range(n)
        ]
        self.n = n
        self.broken: str | None = None
        self._warming: list[threading.Thread] = []

    def warm(self, tasks: list[tuple[Any, ...]]) -> None:
        """Send ``tasks`` to every worker in the background; results and errors are dropped."""

        def run(proc: Any) -> None:
            for task in tasks:
                try:
                    pickle.dump(task, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                    proc.stdin.flush()
                    pickle.load(proc.stdout)
                except Exception:  # a dead worker is found (and reported) by the next map()
                    return

        started = [threading.Thread(target=run, args=(p,), daemon=True, name="sieve-warm-up") for p in self.procs]
        for t in started:
            t.start()
        self._warming += started

    def map(self, tasks: list[tuple[Any, ...]], local: Any = None) -> list[Any]:
        """Results of ``_run_chunk(*task)`` for every task, in task order.

        With ``local``, this process works too: the calling thread takes tasks
        like a worker and computes task ``i`` as ``local(i)``.
        """
        return self.start(tasks).finish(local)

    def start(self, tasks: list[tuple[Any, ...]]) -> _Started:
        """Start feeding ``tasks`` to the worker processes; :meth:`_Started.finish` collects them."""
        for t in self._warming:  # a worker's pipe carries one conversation at a time
            t.join()
        self._warming = []
        if self.broken:
            raise RuntimeError(f"the worker pool is unusable: {self.broken}")
        return _Started(self, tasks)

    def close(self) -> None:
        for t in self._warming:
            t.join(timeout=5)
        for proc in self.procs:
            try:
                proc.stdin.close()
            except OSError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except Exception:
                proc.kill()


class _Started:
    """Tasks being fed to the worker processes, one feeding thread per process.

    The threads take tasks from one queue until it is empty or a task
    failed; :meth:`finish` lets the calling thread take tasks too (``local``)
    and returns every result in task order; :meth:`cancel` drops the tasks no
    one has taken yet and waits for the ones being computed.
    """

    def __init__(self, pool: _Pool, tasks: list[tuple[Any, ...]]) -> None:
        import queue

        self.pool = pool
        self.tasks = tasks
        self.todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for i in range(len(tasks)):
            self.todo.put(i)
        self.results: list[Any] = [None] * len(tasks)
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._take, args=(functools.partial(self._in_worker, p),), daemon=True,
                                         name="sieve-pool-feeder")
                        for p in pool.procs]
        for t in self.threads:
            t.start()

    def _take(self, run_one: Any) -> None:
        """Take tasks until none is left or one failed; ``run_one(i)`` gives task ``i``'s result."""
        import queue

        while not self.errors:
            try:
                i = self.todo.get_nowait()
            except queue.Empty:
                return
            try:
                self.results[i] = run_one(i)
            except BaseException as exc:  # a filter's own exception, as a serial run would raise it
                self.errors.append(exc)
                return

    def _in_worker(self, proc: Any, i: int) -> Any:
        try:
            pickle.dump(self.tasks[i], proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.flush()
            status, value = pickle.load(proc.stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            self.pool.broken = f"a worker process died ({type(exc).__name__}: {exc})"
            raise RuntimeError(self.pool.broken) from None
        if status != "ok":
            raise value
        return value

    def finish(self, local: Any = None) -> list[Any]:
        """Every task's result, in task order; the calling thread computes task ``i`` as ``local(i)`` when given."""
        if local is not None:
            # in the calling thread itself: what a filter allocates then stays in the main malloc
            # arena (a helper thread's arena kept growing, 1.4x the peak RSS on a 10x corpus)
            self._take(local)
        for t in self.threads:
            t.join()
        if self.errors:
            raise self.errors[0]  # a filter's own exception, as a serial run would raise it
        return self.results

    def cancel(self) -> None:
        """Drop the tasks not yet taken and wait for those being computed (their results are dropped)."""
        import queue

        while True:
            try:
                self.todo.get_nowait()
            except queue.Empty:
                break
        for t in self.threads:
            t.join()


def _pool(n: int) -> _Pool:
    global _POOL
    with _LOCK:
        if _PREFETCHED is not None and _POOL is not None and _POOL.n != n:
            raise RuntimeError("the worker pool is busy with a prefetch; settle_prefetch() first")
        if _POOL is not None and (_POOL.n != n or _POOL.broken):
            _POOL.close()
            _POOL = None
        if _POOL is None:
            _POOL = _Pool(n)
        return _POOL


atexit.register(shutdown)

# -- worker side -----------------------------------------------------------------------

_INSTANCES: dict[tuple[str, str, bytes], Any] = {}


def _run_chunk(spec: tuple[str, str, bytes], method: str, texts: list[str]) -> list[Any]:
    """Build (once) the filter ``spec`` names and run ``method`` on ``texts``."""
    inst = _INSTANCES.get(spec)
    if inst is None:
        import importlib

        module, qualname, params = spec
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        inst = _INSTANCES[spec] = obj(**dict(pickle.loads(params)))
    return getattr(inst, method)(texts)


def serve() -> None:
    """Worker main loop: read tasks from stdin, write ``(status, value)`` to stdout."""
    import sys

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a filter's print() must not corrupt the result stream
    sys.stdout = sys.stderr
    inp = sys.stdin.buffer
    import corpus_sieve.filters  # noqa: F401  (registers every filter; the import cost is paid once, here)
    import gc

    gc.freeze()  # the imported modules live as long as the worker: no collection need walk them

    while True:
        try:
            task = pickle.load(inp)
        except EOFError:
            # every reply is flushed: skip the interpreter's teardown (freeing every page and
            # tree object), which the calling process would otherwise wait for at its exit
            out.flush()
            sys.stderr.flush()
            os._exit(0)
        try:
            reply: tuple[str, Any] = ("ok", _run_chunk(*task))
        except BaseException as exc:  # sent back and re-raised in the caller
            try:
                pickle.dumps(exc)
                reply = ("error", exc)
            except Exception:
                reply = ("error", RuntimeError(f"{type(exc).__name__}: {exc}"))
        pickle.dump(reply, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
