"""Batch-level checkpoints: a killed run continues where it stopped.

Every batch a run finishes is *committed* under ``<run>/checkpoint/`` once the
next batch has been read (the last batch goes straight to the outputs: a run
stopped while finishing redoes that one batch):

1. its kept and rejected rows go to ``parts/kept-NNNNNN.arrow`` and
   ``parts/rejected-NNNNNN.arrow`` (Arrow IPC, temp file + rename). A
   rejected part holds each row's input position and a hash of its input
   text instead of the text itself (:func:`rejected_part`): rejected rows are
   mostly raw web pages, and writing them a second time cost more than any
   other part of a commit. ``--resume`` re-reads that text from the input
   (it re-reads the committed batches anyway) and checks it against the hash;
2. the state of global (stateful) filters such as ``exact_dedup`` goes to
   ``filters/`` -- a polars frame that only grows (dedup's seen hashes) is
   written as the rows added since the last commit, so checkpoints stay cheap;
3. ``state.json`` is replaced atomically (temp file + rename). It is the
   commit point: it lists how many batches are done, the running stats and
   examples, and exactly which filter-state files belong to the state.

A run killed at any moment (SIGKILL included) therefore has a consistent last
commit; anything written after it (a half-written part, a newer state file)
is ignored and overwritten on resume. ``kept.parquet`` and
``rejected.parquet`` are written while the batches stream by (a resumed run
first replays the committed parts), under temporary names until every batch
is done, and ``stats.json`` is written last: a run directory without
``stats.json`` is not a finished run. The parts are only read back by
``--resume``.

Resuming re-reads the input (the same files, checked by content hash, in the
same batches), skips the committed batches, restores the stats, examples and
filter state, and goes on. The outputs are byte-identical to an uninterrupted
run's.

>>> json_state({"a": [1, "x", None]})   # the state is plain JSON and Arrow, never pickle
True
>>> json_state({"a": {1, 2}})
False
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import polars as pl

from corpus_sieve.pipeline.run.errors import ResumeError

CHECKPOINT_DIR = "checkpoint"
STATE_FILE = "state.json"
STATE_FORMAT = 1
PART_COMPRESSION = "zstd"  # polars' lz4 writes Arrow IPC slower than its zstd
#: in a rejected part: the hash of each row's input text (the text itself is re-read on resume)
PART_INPUT_HASH = "__sieve_input_hash"
_HASH_SEED = 20_240_611


def rejected_part(rejected: pl.DataFrame, text: str) -> pl.DataFrame:
    """What a rejected part stores: ``rejected`` with its input ``text`` column nulled and hashed.

    ``rejected`` must still hold the runner's input-position column, which
    :func:`with_input_text` uses to find the text again.
    """
    return rejected.with_columns(
        pl.col(text).hash(seed=_HASH_SEED).alias(PART_INPUT_HASH),
        pl.lit(None, rejected.schema[text]).alias(text),
    )


def with_input_text(part: pl.DataFrame, batch: pl.DataFrame, text: str, position: str, original: str,
                    index: int) -> pl.DataFrame:
    """A rejected part of batch ``index`` with its input text put back from the re-read ``batch``.

    ``position`` identifies a row in both frames, ``original`` is the batch's
    input text. Raises :class:`ResumeError` when the batch no longer holds
    those rows with the same text (the hash differs).
    """
    found = part.select(position).join(
        batch.select(position, pl.col(original).alias("__sieve_found")), on=position, how="left", maintain_order="left",
    )["__sieve_found"]
    missing = found.hash(seed=_HASH_SEED).ne_missing(part[PART_INPUT_HASH])
    if found.len() != part.height or missing.any():
        raise ResumeError(f"the input no longer gives the rows that batch {index} rejected (their text differs "
                          "from the checkpoint's hash); start a new run")
    return part.with_columns(found.alias(text)).drop(PART_INPUT_HASH)


def json_state(value: Any) -> bool:
    """True when ``value`` survives a JSON round trip unchanged (str keys, lists, scalars)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, list):
        return all(json_state(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_state(v) for k, v in value.items())
    return False


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _atomic_write_frame(path: Path, frame: pl.DataFrame) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.write_ipc(tmp, compression=PART_COMPRESSION)
    os.replace(tmp, path)


def _read_frame(path: Path) -> pl.DataFrame:
    return pl.read_ipc(path.read_bytes())  # in memory: no mapping of a file that is deleted later


# -- run statistics and examples as plain JSON -----------------------------------------------------

def _stats_state(stats: Any) -> dict[str, Any]:
    return {
        "groups": [[index, d, l, c.rows_in, c.rows_changed, c.rows_rejected, c.chars_removed, c.reasons]
                   for index, groups in stats.groups.items() for (d, l), c in groups.items()],
        "seconds": [[index, s] for index, s in stats.seconds.items()],
        "input": [[d, l, n] for (d, l), n in stats.input.items()],
        "kept": [[d, l, n] for (d, l), n in stats.kept.items()],
    }


def _restore_stats_into(stats: Any, state: dict[str, Any]) -> None:
    from corpus_sieve.pipeline.run.stats import Counts

    for index, d, l, rows_in, changed, rejected, chars, reasons in state["groups"]:
        if index not in stats.groups:
            raise ResumeError(f"the checkpoint has statistics for stage {index}, which the recipe does not have")
        stats.groups[index][(d, l)] = Counts(rows_in, changed, rejected, chars, dict(reasons))
    for index, seconds in state["seconds"]:
        if index in stats.seconds:
            stats.seconds[index] = seconds
    stats.input = {(d, l): n for d, l, n in state["input"]}
    stats.kept = {(d, l): n for d, l, n in state["kept"]}


def _examples_state(examples: Any) -> list[Any]:
    return [[index, [[list(key), rec] for key, rec in items]] for index, items in examples.snapshot().items()]


def _restore_examples_into(examples: Any, state: list[Any]) -> None:
    examples.restore({index: items for index, items in state})


# -- global filter state -----------------------------------------------------------------------------

def _global_instances(stages: Iterable[Any]) -> Iterator[tuple[Any, str, Any]]:
    """``(stage, cache key, filter instance)`` of every stateful filter a run uses."""
    for stage in stages:
        if getattr(stage.filter_class, "is_global", False):
            for key, inst in getattr(stage, "_own", {}).items():
                yield stage, key, inst


def _filter_attrs(inst: Any) -> dict[str, Any]:
    """The state of a filter (:meth:`corpus_sieve.filters.base.Filter.get_state`)."""
    return dict(inst.get_state())


def _captured_attrs(stage: Any, inst: Any) -> dict[str, Any]:
    """A filter's state, copied: frames by reference (immutable), JSON values deeply; ResumeError for anything else."""
    attrs: dict[str, Any] = {}
    for name, value in _filter_attrs(inst).items():
        if isinstance(value, pl.DataFrame):
            attrs[name] = value
        elif json_state(value):
            attrs[name] = copy.deepcopy(value)
        else:
            raise ResumeError(
                f"stage {stage.name!r} ({stage.filter_name}) keeps state of type {type(value).__name__} "
                f"in {name!r}, which cannot be checkpointed (give the filter get_state()/set_state() "
                "returning JSON values and polars DataFrames)"
            )
    return attrs


def _set_filter_attrs(inst: Any, attrs: dict[str, Any]) -> None:
    inst.set_state(attrs)


class Checkpoint:
    """The ``checkpoint/`` folder of one run (see the module docstring)."""

    def __init__(self, run_path: Path | str) -> None:
        self.run_path = Path(run_path)
        self.dir = self.run_path / CHECKPOINT_DIR
        self.parts_dir = self.dir / "parts"
        self.filters_dir = self.dir / "filters"
        self.state: dict[str, Any] = {}
        # (stage index, key, attribute) -> (rows already in files, last row) for append-only frames
        self._frames: dict[tuple[int, str, str], tuple[int, tuple]] = {}
        self._captured: int | None = None  # batches captured for commit (ahead of batches_done while they are written)

    # -- lifecycle ---------------------------------------------------------------------------------
    @classmethod
    def start(cls, run_path: Path | str, invocation: dict[str, Any]) -> Checkpoint:
        """A fresh checkpoint (no batch done) recording how the run was invoked."""
        cp = cls(run_path)
        cp.parts_dir.mkdir(parents=True, exist_ok=True)
        cp.filters_dir.mkdir(parents=True, exist_ok=True)
        cp.state = {
            "format": STATE_FORMAT, "status": "running", "invocation": invocation,
            "batches_done": 0, "rows_done": 0, "kept": 0, "rejected": 0, "read_seconds": 0.0,
            "resumable": True, "not_resumable_because": None, "resumes": 0,
            "stats": None, "examples": None, "filters": [],
        }
        cp._write_state()
        return cp

    @classmethod
    def load(cls, run_path: Path | str) -> Checkpoint:
        """The last committed checkpoint of a run; :class:`ResumeError` when there is none."""
        cp = cls(run_path)
        path = cp.dir / STATE_FILE
        if not path.is_file():
            raise ResumeError(f"{cp.run_path} has no checkpoint ({CHECKPOINT_DIR}/{STATE_FILE}); "
                              "it is not a run directory of this version of sieve clean, or it already finished")
        try:
            cp.state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ResumeError(f"{path} is unreadable ({exc})") from None
        if cp.state.get("format") != STATE_FORMAT:
            raise ResumeError(f"{path} has checkpoint format {cp.state.get('format')!r}; this version reads {STATE_FORMAT}")
        if not cp.state.get("resumable", True):
            raise ResumeError(f"{cp.run_path} cannot be resumed: {cp.state.get('not_resumable_because')}")
        cp.parts_dir.mkdir(parents=True, exist_ok=True)
        cp.filters_dir.mkdir(parents=True, exist_ok=True)
        return cp

    @property
    def batches_done(self) -> int:
        return int(self.state.get("batches_done", 0))

    def _write_state(self) -> None:
        data = json.dumps(self.state, ensure_ascii=False, default=str).encode("utf-8")
        _atomic_write_bytes(self.dir / STATE_FILE, data)

    def mark(self, status: str, **extra: Any) -> None:
        """Record the run's status (``interrupted``, ``failed`` ...) without changing the commit."""
        self.state.update(status=status, **extra)
        try:
            self._write_state()
        except OSError:
            pass

    def remove(self) -> None:
        """Delete the checkpoint (the run finished; its outputs are assembled).

        Renamed away first (one system call), then deleted: a run killed right
        after it finished is not left with a ``checkpoint/`` next to its
        ``stats.json`` for as long as deleting the part files takes.
        """
        trash = self.run_path / f".{CHECKPOINT_DIR}.removed-{os.getpid()}"
        try:
            os.rename(self.dir, trash)
        except OSError:
            trash = self.dir
        shutil.rmtree(trash, ignore_errors=True)

    # -- committing a batch -------------------------------------------------------------------------
    def part_path(self, which: str, index: int) -> Path:
        return self.parts_dir / f"{which}-{index:06d}.arrow"

    def commit(self, index: int, rows: int, kept: pl.DataFrame, rejected: pl.DataFrame,
               stats: Any, examples: Any, stages: Iterable[Any], read_seconds: float, text: str = "text") -> None:
        """Make batch ``index`` durable: parts, filter state, then ``state.json`` (the commit point)."""
        self.capture(index, rows, kept, rejected, stats, examples, stages, read_seconds, text)()

    def capture(self, index: int, rows: int, kept: pl.DataFrame, rejected: pl.DataFrame,
                stats: Any, examples: Any, stages: Iterable[Any], read_seconds: float,
                text: str = "text") -> Callable[[], None]:
        """Batch ``index``'s commit with the run's state as it is *now*; calling the result writes it.

        ``rejected`` holds the input-position column and ``text`` is its input
        text column: the part stores a hash of that text instead (:func:`rejected_part`).

        The stats, examples and filter state are copied here (polars frames are
        immutable: a reference is a snapshot), so the returned function may run
        later, in another thread, while the next batch is filtered. The
        functions must be called in capture order, one at a time.
        """
        expected = self.batches_done if self._captured is None else self._captured
        if index != expected:
            raise RuntimeError(f"checkpoint: batch {index} committed after {expected} batches")
        self._captured = index + 1
        running = {"stats": copy.deepcopy(_stats_state(stats)), "examples": copy.deepcopy(_examples_state(examples)),
                   "read_seconds": read_seconds}
        try:
            filters: list[tuple[int, str, dict[str, Any]]] | ResumeError = [
                (stage.index, key, _captured_attrs(stage, inst)) for stage, key, inst in _global_instances(stages)
            ]
        except ResumeError as exc:
            filters = exc

        def write() -> None:
            _atomic_write_frame(self.part_path("kept", index), kept)
            _atomic_write_frame(self.part_path("rejected", index), rejected_part(rejected, text))
            state = dict(self.state)
            if state["resumable"]:
                if isinstance(filters, ResumeError):
                    state.update(resumable=False, not_resumable_because=str(filters), filters=[])
                else:
                    state["filters"] = self._snapshot_filters(index, filters)
            state.update(
                batches_done=index + 1, rows_done=state["rows_done"] + rows,
                kept=state["kept"] + kept.height, rejected=state["rejected"] + rejected.height,
                status="running", **running,
            )
            self.state = state
            self._write_state()

        return write

    def _snapshot_filters(self, index: int, captured: list[tuple[int, str, dict[str, Any]]]) -> list[dict[str, Any]]:
        previous = {(r["stage"], r["key"]): r for r in self.state.get("filters", [])}
        records = []
        for stage_index, key, values in captured:
            old = previous.get((stage_index, key), {"attrs": {}})
            attrs: dict[str, Any] = {}
            for name, value in values.items():
                if isinstance(value, pl.DataFrame):
                    attrs[name] = self._snapshot_frame(index, stage_index, key, name, value, old["attrs"].get(name))
                else:
                    attrs[name] = {"json": value}
            records.append({"stage": stage_index, "key": key, "attrs": attrs})
        return records

    def _snapshot_frame(self, index: int, stage_index: int, key: str, name: str, frame: pl.DataFrame,
                        old: dict[str, Any] | None) -> dict[str, Any]:
        slot = (stage_index, key, name)
        digest = hashlib.blake2b(key.encode("utf-8"), digest_size=4).hexdigest()
        file = f"{stage_index}-{digest}-{name.strip('_')}-{index:06d}.arrow"
        written, last = self._frames.get(slot, (0, ()))
        files = list(old["files"]) if old and "files" in old else []
        appended = (files and frame.height >= written and written > 0 and frame.row(written - 1) == last)
        if frame.height == written and (written == 0 or appended):
            return {"files": files, "height": written}
        if appended:  # only the rows added since the last commit
            _atomic_write_frame(self.filters_dir / file, frame.slice(written))
            files.append(file)
        else:  # shrank, changed, or first time: the whole frame
            _atomic_write_frame(self.filters_dir / file, frame)
            files = [file]
        self._frames[slot] = (frame.height, frame.row(frame.height - 1) if frame.height else ())
        return {"files": files, "height": frame.height}

    # -- resuming ---------------------------------------------------------------------------------------
    def restore(self, stats: Any, examples: Any, stages: list[Any]) -> None:
        """Put the committed stats, examples and filter state back into a fresh run."""
        if self.state.get("stats") is not None:
            _restore_stats_into(stats, self.state["stats"])
        if self.state.get("examples") is not None:
            _restore_examples_into(examples, self.state["examples"])
        by_index = {s.index: s for s in stages}
        for record in self.state.get("filters", []):
            stage = by_index.get(record["stage"])
            if stage is None:
                raise ResumeError(f"the checkpoint has filter state for stage {record['stage']}, which the recipe does not have")
            inst = getattr(stage, "_own", {}).get(record["key"])
            if inst is None:
                try:
                    inst = stage.instance(json.loads(record["key"].split(":", 1)[1]))
                except Exception as exc:
                    raise ResumeError(f"cannot rebuild the filter of stage {stage.name!r} for {record['key']!r}: {exc}") from None
            attrs: dict[str, Any] = {}
            for name, saved in record["attrs"].items():
                if "json" in saved:
                    attrs[name] = saved["json"]
                    continue
                frames = [_read_frame(self.filters_dir / f) for f in saved["files"]]
                frame = pl.concat(frames, how="vertical") if frames else None
                if frame is None:
                    current = _filter_attrs(inst).get(name)
                    frame = current.clear() if isinstance(current, pl.DataFrame) else pl.DataFrame()
                if frame.height != saved["height"]:
                    raise ResumeError(f"filter state {name!r} of stage {stage.name!r} has {frame.height} rows, "
                                      f"the checkpoint says {saved['height']}")
                self._frames[(stage.index, record["key"], name)] = (
                    frame.height, frame.row(frame.height - 1) if frame.height else ())
                attrs[name] = frame.rechunk()
            _set_filter_attrs(inst, attrs)

    def iter_parts(self, which: str) -> Iterator[pl.DataFrame]:
        """The committed part files of ``kept`` or ``rejected``, in batch order.

        Rejected parts come as stored: without their input text (see :meth:`rejected_rows`).
        """
        for index in range(self.batches_done):
            yield self.part(which, index)

    def part(self, which: str, index: int) -> pl.DataFrame:
        path = self.part_path(which, index)
        if not path.is_file():
            raise ResumeError(f"checkpoint part {path} is missing")
        return _read_frame(path)

    def rejected_rows(self, index: int, batch: pl.DataFrame, text: str, position: str, original: str) -> pl.DataFrame:
        """Committed batch ``index``'s rejected rows, their input text taken from the re-read ``batch``."""
        return with_input_text(self.part("rejected", index), batch, text, position, original, index)
