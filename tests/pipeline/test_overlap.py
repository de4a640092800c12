"""Reading ahead and writing behind (pipeline/run/overlap.py): same results, same order, errors where the serial loop has them."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.pipeline.run.overlap import WriteBehind, read_ahead


def _threads(name: str) -> int:
    return sum(t.name == name and t.is_alive() for t in threading.enumerate())


def _wait_for_no_thread(name: str) -> None:
    deadline = time.monotonic() + 5
    while _threads(name) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _threads(name) == 0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers()), st.integers(1, 4))
def test_read_ahead_gives_every_item_in_order(items: list[int], depth: int) -> None:
    assert list(read_ahead(iter(items), depth)) == items


def test_read_ahead_raises_the_producers_error_after_the_items_before_it() -> None:
    def produce():
        yield "batch 1"
        yield "batch 2"
        raise ValueError("corpus.jsonl, line 7: not JSON")

    it = read_ahead(produce())
    assert next(it) == "batch 1" and next(it) == "batch 2"
    with pytest.raises(ValueError, match="line 7"):
        next(it)


def test_read_ahead_stays_at_most_depth_items_ahead() -> None:
    produced: list[int] = []

    def produce():
        for i in range(100):
            produced.append(i)
            yield i

    it = read_ahead(produce(), depth=2)
    assert next(it) == 0
    time.sleep(0.3)
    # one item taken, two waiting in the queue, one made and blocked on the full queue
    assert len(produced) <= 4
    it.close()
    _wait_for_no_thread("sieve-read-ahead")


def test_read_ahead_stops_its_thread_when_the_consumer_stops_early() -> None:
    def endless():
        i = 0
        while True:
            yield i
            i += 1

    for i, _ in enumerate(read_ahead(endless())):
        if i == 3:
            break
    _wait_for_no_thread("sieve-read-ahead")


def test_read_ahead_overlaps_producing_with_consuming() -> None:
    made = [threading.Event() for _ in range(4)]

    def produce():
        for i in range(4):
            made[i].set()
            yield i

    for i in read_ahead(produce()):
        # while the consumer still holds item i, the next one is produced (a serial loop would wait forever)
        assert i == 3 or made[i + 1].wait(timeout=60)


def test_write_behind_runs_jobs_in_order_and_drain_waits() -> None:
    done: list[int] = []
    behind = WriteBehind(depth=1)
    for i in range(20):
        behind.submit(lambda i=i: (time.sleep(0.001), done.append(i)))
    behind.drain()
    assert done == list(range(20))
    _wait_for_no_thread("sieve-write-behind")
    behind.submit(done.append, 20)  # a drained WriteBehind starts a new thread when used again
    behind.drain()
    assert done[-1] == 20


def test_write_behind_reraises_the_first_error_and_skips_the_jobs_after_it() -> None:
    done: list[str] = []
    gate = threading.Event()

    def fail() -> None:
        gate.wait()
        raise OSError("disk full while writing kept.parquet")

    behind = WriteBehind(depth=2)
    behind.submit(done.append, "first")
    behind.submit(fail)
    behind.submit(done.append, "after the failure")
    gate.set()
    with pytest.raises(OSError, match="disk full"):
        behind.drain()
    assert done == ["first"]


def test_write_behind_error_surfaces_at_a_later_submit() -> None:
    behind = WriteBehind(depth=1)
    behind.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        # one job at a time: the third submit waits until the second job was taken, so after the failure
        for _ in range(3):
            behind.submit(print, "never runs")
    behind.cancel()


def test_settle_runs_what_was_submitted_and_drops_errors() -> None:
    done: list[str] = []
    behind = WriteBehind(depth=1)
    behind.submit(done.append, "first")
    behind.submit(done.append, "second")
    behind.settle()
    assert done == ["first", "second"]
    behind.submit(lambda: 1 / 0)
    behind.settle()  # no error raised: the caller is already stopping
    _wait_for_no_thread("sieve-write-behind")


def test_cancel_waits_for_the_running_job_and_drops_the_waiting_ones() -> None:
    done: list[str] = []
    started = threading.Event()

    def slow() -> None:
        started.set()
        time.sleep(0.2)
        done.append("running job finished")

    behind = WriteBehind(depth=1)
    behind.submit(slow)
    started.wait()
    behind.submit(done.append, "waiting job")
    behind.cancel()
    assert done == ["running job finished"]
    _wait_for_no_thread("sieve-write-behind")


def test_peek_shows_the_next_item_once_it_is_read_without_taking_it() -> None:
    it = read_ahead(iter(["a", "b"]))
    deadline = time.perf_counter() + 5
    while it.peek() is None and time.perf_counter() < deadline:
        time.sleep(0.01)
    assert it.peek() == "a" and next(it) == "a"
    while it.peek() is None and time.perf_counter() < deadline:
        time.sleep(0.01)
    assert it.peek() == "b" and list(it) == ["b"]
    assert it.peek() is None  # the end is not an item
    _wait_for_no_thread("sieve-read-ahead")
