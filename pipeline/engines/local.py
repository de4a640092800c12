"""The local engine: stream a corpus through a recipe in one process, in bounded memory.

Scheduling only: batches are read ahead in a thread, run through the one
per-batch loop (:func:`corpus_sieve.pipeline.run.batch.apply_stages`) and written
behind in a thread; finished batches are checkpointed so that a killed run
can be resumed (:func:`resume_pipeline`).

For every batch the reader yields, rows the reader flagged (malformed,
invalid UTF-8, null text/label) go straight to the rejected rows with stage
``read``; the other rows go through the stages in order. Kept rows (text
cleaned) go to ``kept.parquet``; rejected rows keep their *original* text,
plus ``reason``, ``stage``, ``detail``, ``duplicate_of`` and ``cleaned_text``
(the text when it was rejected) in ``rejected.parquet``.

Output is deterministic: rows keep input order and are written in row groups
of a fixed size, so the same input and recipe give byte-identical parquet
files whatever the batch size.
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

import polars as pl

from corpus_sieve.filters.base import Filter, Transform
from corpus_sieve.pipeline.io.readers import DETAIL as READER_DETAIL
from corpus_sieve.pipeline.io.readers import REASON as READER_REASON
from corpus_sieve.pipeline.recipe.recipe import Recipe
from corpus_sieve.pipeline.recipe.stages import Stage, StageError
from corpus_sieve.pipeline.run.batch import (
    DOMAIN,
    LABEL,
    ORIGINAL,
    REJECTED_COLUMNS,
    SEQ,
    Accounting,
    apply_stages,
    key_columns,
    output_columns,
    rejected_output,
    with_written_columns,
)
from corpus_sieve.pipeline.run.duplicates import describe_duplicates
from corpus_sieve.pipeline.run.devmode import rebatch, stratified_sample
from corpus_sieve.pipeline.run.overlap import WriteBehind
from corpus_sieve.pipeline.run.progress import Progress, ReadMeter
from corpus_sieve.pipeline.run.result import (
    RunResult,
    check_accounted,
    check_input_columns,
    check_input_exists,
    raise_if_unaccounted,
    record_failure,
    remove_unfinished_outputs,
    stage_timings,
    write_extra_outputs,
)
from corpus_sieve.pipeline.run.stats import DEFAULT_SKEW_THRESHOLD, READ_INDEX

__all__ = ["run_pipeline", "resume_pipeline"]

#: the reader's columns and the loop's, never written to kept.parquet
_INTERNAL = (READER_REASON, READER_DETAIL, SEQ, ORIGINAL, DOMAIN, LABEL)


class _RowGroupWriter:
    """Hands each frame straight to the sink, which cuts the row groups.

    Nothing is held back here: buffering whole batches of rejected rows (with
    their original HTML) until a row group filled up made peak memory grow
    with the corpus.
    """

    def __init__(self, sink: Any) -> None:
        self.sink = sink
        self._schema: pl.Schema | None = None
        self._emitted = False
        self.seconds = 0.0

    def write(self, frame: pl.DataFrame) -> None:
        if self._schema is None:
            self._schema = frame.schema
        elif frame.schema != self._schema:
            frame = _conform(frame, self._schema)
        if frame.height:
            self._emit(frame)

    def _emit(self, frame: pl.DataFrame) -> None:
        t0 = time.perf_counter()
        self._emitted = True
        self.sink.write(frame)
        self.seconds += time.perf_counter() - t0

    def close(self, empty: pl.DataFrame) -> int:
        """Flush and close; ``empty`` gives the schema when no frame came at all."""
        if not self._emitted:
            self._emit(empty)  # zero rows, but the file gets its schema
        t0 = time.perf_counter()
        n = self.sink.close()
        self.seconds += time.perf_counter() - t0
        return n


def _conform(frame: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    """Cast ``frame`` to ``schema`` (a column that was all-null in one batch, say)."""
    if list(frame.columns) != list(schema.names()):
        raise StageError([f"input columns changed between batches: {list(schema.names())} then {frame.columns}"])
    try:
        return frame.cast(dict(schema.items()))
    except Exception as exc:
        raise StageError([f"input column types changed between batches ({exc}); give every file the same columns and types"]) from None


class _Runner:
    """The state of one run (kept private: :func:`run_pipeline` is the API)."""

    def __init__(self, recipe: Recipe, skew_threshold: float) -> None:
        self.recipe = recipe
        self.cols = recipe.columns
        self.stages: list[Stage] = recipe.stages
        self.skew_threshold = skew_threshold
        self.accounting = Accounting(self.stages, recipe.columns, recipe.examples_per_rule)
        self.stats = self.accounting.stats
        self.examples = self.accounting.examples
        self.read_seconds = 0.0
        self.meter = ReadMeter()  # bytes of input read, for the progress bar
        self.rows_read = 0
        self.input_columns: list[str] | None = None
        #: kept.parquet's columns: the input's, then those the stages write (``language``...)
        self.output_columns: list[str] = []
        self.written: dict[str, pl.DataType] = {}
        #: how the stages were fitted to the input's columns (``stats.json`` ``notes``)
        self.notes: list[str] = []

    # -- reading ---------------------------------------------------------------------
    def batches(self, inputs: Sequence[Path], batch_size: int, strict: bool) -> Iterator[pl.DataFrame]:
        """The prepared batches of ``inputs``; the next one is read (in a thread) while this one is filtered."""
        from corpus_sieve.pipeline.run.overlap import read_ahead

        ahead = read_ahead(self._read(inputs, batch_size, strict))
        self._ahead = ahead
        try:
            for frame in ahead:
                yield self.prepare(frame)
        finally:
            ahead.close()
            self._ahead = None

    def prefetch_next_batch(self) -> bool:
        """Start the first stage's per-row Python work on the next batch, if it is read already.

        Called once the current batch's first stage is done: the worker
        processes get the next batch's web pages while this thread runs the
        current batch's later stages (:meth:`corpus_sieve.pipeline.recipe.stages.Stage.prefetch`).
        """
        ahead = getattr(self, "_ahead", None)
        frame = ahead.peek() if ahead is not None else None
        if frame is None or not self.stages:
            return False
        if READER_REASON in frame.columns:
            frame = frame.filter(pl.col(READER_REASON).is_null())
        return self.stages[0].prefetch(frame, self.cols.text, self.cols.domain)

    def _read(self, inputs: Sequence[Path], batch_size: int, strict: bool) -> Iterator[pl.DataFrame]:
        from corpus_sieve.pipeline.io.readers import iter_batches

        for source in inputs:
            it = iter(iter_batches(source, self.cols, batch_size=batch_size, strict=strict, options=self.recipe.reader,
                                   meter=self.meter))
            while True:
                t0 = time.perf_counter()
                try:
                    frame = next(it)
                except StopIteration:
                    self.read_seconds += time.perf_counter() - t0
                    break
                self.read_seconds += time.perf_counter() - t0
                yield frame

    def prepare(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add the runner's bookkeeping columns (input position, original text, domain/label keys)."""
        if self.input_columns is None:
            self.input_columns = [c for c in frame.columns if c not in _INTERNAL]
            self._check_columns(frame.columns)
            self.output_columns, self.written = output_columns(self.input_columns, self.stages)
        cols = self.cols
        start = self.rows_read
        self.rows_read += frame.height
        if READER_REASON not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(READER_REASON))
        if READER_DETAIL not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(READER_DETAIL))
        return with_written_columns(frame, self.written).with_columns(
            (pl.int_range(0, pl.len(), dtype=pl.Int64) + start).alias(SEQ),
            pl.col(cols.text).alias(ORIGINAL),
            *key_columns(frame, cols),
        )

    def _check_columns(self, columns: list[str]) -> None:
        self.notes = check_input_columns(columns, self.stages, self.cols.domain)

    # -- processing ------------------------------------------------------------------------
    def process(self, batch: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Kept rows (cleaned) and rejected rows (original text + reason columns) of one batch.

        The rejected rows keep the input-position column (the checkpoint uses
        it); the output file does not get it.
        """
        groups, bad = self.accounting.record_read(batch, READER_REASON, READER_DETAIL)
        alive = batch.filter(pl.col(READER_REASON).is_null()) if bad.height else batch
        alive, rejected = apply_stages(alive, self.stages, self.cols, self.accounting, groups,
                                       after_first_stage=self.prefetch_next_batch)
        self.accounting.record_kept(groups)
        kept = alive.sort(SEQ).select(self.output_columns)
        rows = pl.concat([bad, *rejected], how="vertical").sort(SEQ) if rejected else bad
        return kept, rows.select(SEQ, *rejected_output(rows, self.output_columns, self.cols.text))

    def empty_outputs(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Zero-row frames with the output schemas (when no row reached a sink)."""
        schema: dict[str, Any] = {c: pl.String for c in (self.input_columns or [self.cols.text, self.cols.id])}
        schema.update(self.written if self.input_columns is not None else {})
        kept = pl.DataFrame(schema=schema)
        rejected = kept.with_columns(*[pl.lit(None, pl.String).alias(c) for c in REJECTED_COLUMNS])
        return kept, rejected


def run_pipeline(
    inputs: Sequence[Path | str],
    recipe: Recipe,
    out_base: Path | str,
    dev: bool = False,
    strict: bool = False,
    progress: bool | Progress = True,
    *,
    batch_size: int | None = None,
    dev_per_stratum: int | None = None,
    seed: int | None = None,
    skew_threshold: float = DEFAULT_SKEW_THRESHOLD,
) -> RunResult:
    """Clean ``inputs`` with ``recipe``; write a run directory under ``out_base``.

    ``dev`` runs the full code path on a seeded sample of at most
    ``dev_per_stratum`` rows per domain x label (defaults from the recipe's
    ``dev`` block). ``strict`` makes the reader fail on the first malformed
    row instead of rejecting it. ``batch_size`` overrides the recipe's.
    Finished batches are checkpointed (:mod:`corpus_sieve.pipeline.run.resume`), so a run
    that is killed can be continued with :func:`resume_pipeline`.
    Raises ``InputError`` (bad input), ``StageError``/``RecipeError`` (the
    recipe does not fit the input), :class:`~corpus_sieve.pipeline.run.result.AccountingError`, and
    :class:`~corpus_sieve.pipeline.run.errors.RunInterrupted` on Ctrl-C.
    """
    from corpus_sieve.pipeline.run.errors import one_interrupt_at_a_time
    from corpus_sieve.pipeline.io.readers import InputError
    from corpus_sieve.pipeline.run.resume import Checkpoint
    from corpus_sieve.pipeline.run.rundir import RunDir

    started = time.perf_counter()
    paths = [Path(p) for p in inputs]
    if not paths:
        raise InputError("no input files given")
    for p in paths:
        check_input_exists(p, InputError)
    invocation = {
        "inputs": [str(p) for p in paths],
        "cwd": os.getcwd(),
        "batch_size": batch_size or recipe.batch_size,
        "strict": bool(strict),
        "dev": bool(dev),
        "dev_per_stratum": dev_per_stratum or recipe.dev_per_stratum,
        "seed": recipe.dev_seed if seed is None else seed,
        "skew_threshold": skew_threshold,
    }
    if dev:  # the input is fingerprinted by size and time, the spread sample by content
        run = RunDir.create(Path(out_base), recipe.resolved(), [])
        run = RunDir(run.path.absolute())
        from corpus_sieve.pipeline.run.devsample import draw_into_run

        paths = draw_into_run(run, paths, recipe.reader, invocation)
    else:
        run = RunDir.create(Path(out_base), recipe.resolved(), paths)
        run = RunDir(run.path.absolute())
    checkpoint = Checkpoint.start(run.path, invocation)
    with one_interrupt_at_a_time():
        return _execute(run, recipe, paths, invocation, _reporter(progress), checkpoint, started)


def resume_pipeline(run_ref: Path | str, recipe: Recipe | None = None, progress: bool | Progress = True) -> RunResult:
    """Continue a killed or interrupted run in its run directory ``run_ref``.

    The run goes on from its last checkpoint with the same input, recipe,
    batch size and options, and ends with the same kept/rejected rows (byte
    for byte) and stats as an uninterrupted run. ``recipe`` defaults to the
    recipe file the run was started with. Raises
    :class:`~corpus_sieve.pipeline.run.errors.ResumeError` when the run already finished, has
    no checkpoint, or its input files or recipe changed since.
    """
    from corpus_sieve.pipeline.run.errors import ResumeError, one_interrupt_at_a_time
    from corpus_sieve.pipeline.io.readers import fingerprint, fingerprint_algorithm
    from corpus_sieve.pipeline.recipe.recipe import load_recipe
    from corpus_sieve.pipeline.run.resume import Checkpoint
    from corpus_sieve.pipeline.run.rundir import RunDir

    started = time.perf_counter()
    try:
        run = RunDir.open(run_ref)
    except FileNotFoundError as exc:
        raise ResumeError(str(exc)) from None
    run = RunDir(run.path.absolute())
    if run.has("stats.json"):
        raise ResumeError(f"run {run.path} already finished (it has stats.json); nothing to resume")
    checkpoint = Checkpoint.load(run.path)
    invocation = checkpoint.state["invocation"]
    saved_recipe = run.read_json("recipe.json")
    if recipe is None:
        source = saved_recipe.get("source")
        if not source:
            raise ResumeError(f"run {run.path} was started from a recipe that is not a file; pass the recipe to resume it")
        if not Path(source).is_file():
            raise ResumeError(f"the recipe of run {run.path} ({source}) no longer exists")
        recipe = load_recipe(source)
    if _plain_json(recipe.resolved()) != saved_recipe:
        raise ResumeError(f"the recipe changed since run {run.path} started ({run.path / 'recipe.json'} differs); "
                          "start a new run instead")
    cwd = os.getcwd()
    os.chdir(invocation["cwd"])  # input paths (and the file names in messages) stay exactly as the first time
    try:
        paths = [Path(p) for p in invocation["inputs"]]
        saved_inputs = run.read_json("inputs.json")["inputs"]
        now = [fingerprint(p, fingerprint_algorithm(saved)) for p, saved in zip(paths, saved_inputs)]
        if len(saved_inputs) != len(paths) or _without_mtime(now) != _without_mtime(saved_inputs):
            raise ResumeError(f"the input files changed since run {run.path} started (their content hashes differ "
                              f"from {run.path / 'inputs.json'}); start a new run instead")
        checkpoint.state["resumes"] = int(checkpoint.state.get("resumes", 0)) + 1
        with one_interrupt_at_a_time():
            return _execute(run, recipe, paths, invocation, _reporter(progress), checkpoint, started)
    finally:
        os.chdir(cwd)


def _reporter(progress: bool | Progress) -> Progress:
    return progress if isinstance(progress, Progress) else Progress(enabled=bool(progress))


def _plain_json(obj: Any) -> Any:
    return json.loads(json.dumps(obj, ensure_ascii=False, default=str))


def _without_mtime(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _without_mtime(v) for k, v in obj.items() if k != "mtime"}
    if isinstance(obj, list):
        return [_without_mtime(v) for v in obj]
    return obj


def _execute(run: Any, recipe: Recipe, paths: list[Path], invocation: dict[str, Any], reporter: Progress,
             checkpoint: Any, started: float) -> RunResult:
    """Process the batches after the checkpoint's last one, then assemble the outputs.

    The objects that exist before the first batch (imported modules, the
    recipe's filters) outlive the run, so the garbage collector's full
    passes skip them while it runs (``gc.freeze``; ~0.1 CPU-s on 600 web
    pages); they are handed back afterwards, so a process that runs many
    pipelines collects as before.
    """
    gc.freeze()
    try:
        return _process_batches(run, recipe, paths, invocation, reporter, checkpoint, started)
    finally:
        gc.unfreeze()


def _process_batches(run: Any, recipe: Recipe, paths: list[Path], invocation: dict[str, Any], reporter: Progress,
                     checkpoint: Any, started: float) -> RunResult:
    """:func:`_execute` without the garbage collector's freeze."""
    from corpus_sieve.pipeline.run import parallel
    from corpus_sieve.pipeline.run.errors import ResumeError, RunInterrupted, describe
    from corpus_sieve.pipeline.run.rundir import package_version
    from corpus_sieve.pipeline.io.writers import run_sinks

    batch_size = int(invocation["batch_size"])
    dev = bool(invocation["dev"])
    skew_threshold = float(invocation["skew_threshold"])
    for stage in recipe.stages:
        stage.reset()
    runner = _Runner(recipe, skew_threshold)
    input_bytes = _input_bytes(paths)
    runner.meter.total = input_bytes
    reporter.attach(runner.meter)
    done = checkpoint.batches_done
    if done:
        checkpoint.restore(runner.stats, runner.examples, recipe.stages)
    kept_total, rejected_total = int(checkpoint.state["kept"]), int(checkpoint.state["rejected"])
    read_before = float(checkpoint.state["read_seconds"]) if done else 0.0
    dev_info: dict[str, Any] = {}
    sinks: list[Any] = []
    behind = WriteBehind()
    batches: Iterator[pl.DataFrame] = iter(())
    kept_writer = rejected_writer = None
    try:
        _warm_up_filters(recipe.stages)
        if not dev:  # a --dev sample is too small for the worker pool to pay
            _warm_up_workers(recipe.stages, input_bytes)
        batches = runner.batches(paths, batch_size, bool(invocation["strict"]))
        if dev:
            per_stratum, seed = int(invocation["dev_per_stratum"]), int(invocation["seed"])
            sample = stratified_sample(batches, [DOMAIN, LABEL], SEQ, per_stratum, seed)
            dev_info = {"dev": True, "per_stratum": per_stratum, "seed": seed,
                        "rows_read": runner.rows_read, "rows_sampled": sample.height,
                        "drawn": invocation.get("dev_sample", {})}
            batches = rebatch(sample, batch_size)
        # the outputs are written while the batches stream by, in fixed-size row groups;
        # a resumed run first replays the batches committed before it was stopped
        sinks = run_sinks(run)
        kept_writer, rejected_writer = _RowGroupWriter(sinks[0]), _RowGroupWriter(sinks[1])
        for part in checkpoint.iter_parts("kept"):
            kept_writer.write(part)
        # committed rejected rows are replayed as their batches are re-read: the parts
        # hold no input text (pipeline/run/resume.py), it comes back from the batch
        # A batch is committed once the next one has been read, so the last batch
        # goes straight to the outputs: a run that is stopped while finishing
        # redoes that one batch on --resume, and a run of one batch writes no parts.
        # the writes and commits of a batch run in a thread while the next batch is filtered
        # (pipeline/run/overlap.py); ``behind.drain()`` waits for them
        pending: tuple[Any, ...] | None = None
        pending_read = 0.0
        seen = 0
        for index, batch in enumerate(batches):
            seen = index + 1
            if index < done:  # committed before the run was stopped
                rejected_writer.write(checkpoint.rejected_rows(index, batch, runner.cols.text, SEQ, ORIGINAL).drop(SEQ))
                continue
            if pending is not None:
                behind.submit(checkpoint.capture(*pending, runner.stats, runner.examples, recipe.stages, pending_read,
                                                 runner.cols.text))
                pending = None
            kept, rejected = runner.process(batch)
            behind.submit(_write_both, kept_writer, kept, rejected_writer, rejected)
            pending, pending_read = (index, batch.height, kept, rejected), read_before + runner.read_seconds
            kept_total += kept.height
            rejected_total += rejected.height
            reporter.update(kept_total + rejected_total, kept_total, rejected_total, "dev sample: " if dev else "")
        pending = None
        parallel.settle_prefetch()
        behind.drain()
        if seen < done:
            raise ResumeError(f"the input now gives {seen} batches but {done} were already done; start a new run")
        reporter.finish()
        empty_kept, empty_rejected = runner.empty_outputs()
        n_kept = kept_writer.close(empty_kept)
        n_rejected = rejected_writer.close(empty_rejected)
        read_seconds = read_before + runner.read_seconds
        runner.stats.add_time(READ_INDEX, read_seconds)
        n_input = runner.stats.total_input
        accounted = check_accounted(n_input, n_kept, n_rejected, runner.stats.total_kept, kept_total)
        t0 = time.perf_counter()
        write_extra_outputs(run, recipe.outputs)
        extra_seconds = time.perf_counter() - t0
        seconds = time.perf_counter() - started

        stats = runner.stats.to_dict(run.id, package_version(), seconds,
                                     n_kept, n_rejected, accounted, skew_threshold)
        stats["notes"] = runner.notes
        stats["dev"] = dev
        if dev:
            stats["dev_sample"] = dev_info
        timings = {
            "seconds": round(seconds, 6),
            "read_seconds": round(read_seconds, 6),
            "write_seconds": round(kept_writer.seconds + rejected_writer.seconds, 6),
            "extra_outputs_seconds": round(extra_seconds, 6),
            "rows": n_input,
            "rows_per_second": round(n_input / seconds, 1) if seconds > 0 else None,
            "batch_size": batch_size,
            "batches": checkpoint.batches_done,
            "resumed": int(checkpoint.state.get("resumes", 0)),
            "batches_resumed_from": done,
            "stages": stage_timings(stats),
        }
        run.write_json("timings.json", timings)
        examples = runner.examples.to_dict()
        describe_duplicates(run.kept_path, run.rejected_path, stats, examples, recipe.columns.id, recipe.columns.text)
        run.write_json("examples.json", examples)
        if dev:
            run.write_json("dev.json", dev_info)
        (Path(run.path) / "error.json").unlink(missing_ok=True)  # left by an interrupted first attempt
        run.write_json("stats.json", stats)  # last: a run directory with stats.json is a finished run
    except KeyboardInterrupt as exc:
        behind.settle()  # the writes and commits already submitted finish: what is committed does not depend on timing
        parallel.settle_prefetch()
        _stop_reading(batches)
        reporter.finish()
        for sink in sinks:
            sink.abort()
        remove_unfinished_outputs(run)
        signal_name = getattr(exc, "signal_name", None) or (str(exc) if str(exc).startswith("SIG") else "SIGINT")
        stop = RunInterrupted(run.path, checkpoint.batches_done, int(checkpoint.state["rows_done"]), signal_name)
        checkpoint.mark("interrupted", error=describe(stop))
        record_failure(run, stop)
        raise stop from None
    except BaseException as exc:
        behind.settle()
        parallel.settle_prefetch()
        _stop_reading(batches)
        reporter.finish()
        for sink in sinks:
            sink.abort()  # no half-written parquet under a final name
        remove_unfinished_outputs(run)
        checkpoint.mark("failed", error=describe(exc))
        record_failure(run, exc)
        raise

    try:
        checkpoint.remove()
    except KeyboardInterrupt as exc:
        from corpus_sieve.pipeline.run.errors import InterruptedAfterFinish

        signal_name = getattr(exc, "signal_name", None) or (str(exc) if str(exc).startswith("SIG") else "SIGINT")
        raise InterruptedAfterFinish(run.path, signal_name) from None
    return raise_if_unaccounted(RunResult(run_dir=run, stats=stats, timings=timings, examples=examples, dev=dev,
                                          dev_info=dev_info))


def _input_bytes(paths: Sequence[Path]) -> int:
    """Bytes of the local files ``paths`` stand for (files, directories, globs); 0 for Hub names."""
    from corpus_sieve.pipeline.io.readers import input_files

    return sum(f.stat().st_size for p in paths for f in input_files(p))


def _warm_up_filters(stages: Sequence[Stage]) -> None:
    """Have the filters load their models (:meth:`~corpus_sieve.filters.base.Filter.warm_up`) in a
    background thread while the first batch is read. A failure here is ignored: the filter loads on
    first use and reports it there."""
    instances = [inst for stage in stages for inst in stage.instances()
                 if type(inst).warm_up is not Filter.warm_up]

    def load() -> None:
        for inst in instances:
            try:
                inst.warm_up()
            except Exception:  # noqa: BLE001 - reported by the stage itself on first use
                pass

    if instances:
        threading.Thread(target=load, name="sieve-warm-up", daemon=True).start()


def _warm_up_workers(stages: Sequence[Stage], input_bytes: int) -> None:
    """Start the worker pool while a large input is read (see ``corpus_sieve.pipeline.run.parallel.PRESTART_BYTES``)."""
    from corpus_sieve.pipeline.run import parallel

    if input_bytes < parallel.PRESTART_BYTES:
        return
    python = [(stage, inst, "transform_batch" if isinstance(inst, Transform) else "reasons_batch")
              for stage in stages for inst in stage.instances() if not inst.is_native and parallel.can_parallelise(inst)]
    if python:  # one pool per process, sized like the first stage that will use it
        parallel.warm_up([(inst, method) for _, inst, method in python], python[0][0].workers)


def _stop_reading(batches: Iterator[pl.DataFrame]) -> None:
    """Stop the read-ahead thread now (not when the traceback that holds the generator is freed)."""
    close = getattr(batches, "close", None)
    if close is not None:
        try:
            close()
        except Exception:
            pass


def _write_both(kept_writer: _RowGroupWriter, kept: pl.DataFrame,
                rejected_writer: _RowGroupWriter, rejected: pl.DataFrame) -> None:
    kept_writer.write(kept)
    rejected_writer.write(rejected.drop(SEQ))


