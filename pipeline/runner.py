"""The batch runner: stream a corpus through a recipe, in bounded memory.

For every batch the reader yields, rows the reader flagged (malformed,
invalid UTF-8, null text/label) go straight to the rejected rows with stage
``read``; the other rows go through the stages in order. Transforms rewrite
the text; checks move rows to the rejected rows with a named reason. Kept rows
(text cleaned) go to ``kept.parquet``; rejected rows keep their *original*
text, plus ``reason``, ``stage``, ``detail``, ``duplicate_of`` and
``cleaned_text`` (the text when it was rejected) in ``rejected.parquet``.

Nothing is lost: at the end ``kept + rejected == input`` is checked and
recorded (``stats.json`` ``totals.accounted``); a mismatch raises
:class:`AccountingError`.

Output is deterministic: rows keep input order and are written in row groups
of a fixed size, so the same input and recipe give byte-identical parquet
files whatever the batch size.
"""

from __future__ import annotations

import gc
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import polars as pl

from filters.base import Transform
from pipeline.devmode import rebatch, stratified_sample
from pipeline.examples import ExampleCollector
from pipeline.overlap import WriteBehind
from pipeline.progress import Progress, ReadMeter
from pipeline.recipe import Recipe
from pipeline.stages import REASON, Stage, StageError
from pipeline.stats import DEFAULT_SKEW_THRESHOLD, READ_INDEX, READ_STAGE, RunStats, StageInfo, group_counts

# bookkeeping columns of the reader
READER_REASON = "_reason"
READER_DETAIL = "_detail"
# bookkeeping columns of the runner (never written out)
_SEQ = "__sieve_seq"
_ORIGINAL = "__sieve_original"
_DOMAIN = "__sieve_domain"
_LABEL = "__sieve_label"
_INTERNAL = (READER_REASON, READER_DETAIL, _SEQ, _ORIGINAL, _DOMAIN, _LABEL)
# columns added to rejected rows
REJECTED_COLUMNS = ("reason", "stage", "detail", "duplicate_of", "cleaned_text")
#: rows per parquet row group; fixed so output bytes do not depend on batch size
OUTPUT_ROW_GROUP = 50_000


class AccountingError(RuntimeError):
    """kept + rejected != input: rows were lost or duplicated (a bug; never ignore it)."""


@dataclass
class RunResult:
    """What a run produced; ``run_dir`` holds the files."""

    run_dir: Any
    stats: dict[str, Any]
    timings: dict[str, Any]
    examples: dict[str, Any]
    dev: bool = False
    dev_info: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return Path(self.run_dir.path)

    @property
    def accounted(self) -> bool:
        return bool(self.stats["totals"]["accounted"])

    @property
    def skewed(self) -> list[dict[str, Any]]:
        return self.stats["label_skew"]["flagged"]


class _RowGroupWriter:
    """Hands each frame straight to the sink, which cuts row groups of at most ``rows`` rows.

    Nothing is held back here: buffering whole batches of rejected rows (with
    their original HTML) until a row group filled up made peak memory grow
    with the corpus.
    """

    def __init__(self, sink: Any, rows: int = OUTPUT_ROW_GROUP) -> None:
        self.sink = sink
        self.rows = rows
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


def _check_input_exists(path: Path, error: type[Exception]) -> None:
    """Fail before a run directory is made when a local input is missing.

    Globs and Hugging Face dataset names (``org/name``) are left to the reader.
    """
    from pipeline.readers import looks_like_path  # the reader's own rule for "a path, not a Hub name"

    text = str(path)
    if path.exists() or any(ch in text for ch in "*?["):
        return
    if looks_like_path(text) or path.suffix:
        raise error(f"no such file or directory: {text}")


def check_input_columns(columns: list[str], stages: list[Stage], domain_column: str | None) -> list[str]:
    """Fit ``stages`` to the input's ``columns`` before anything is written; the notes to show the user.

    The input must not use the columns the pipeline adds to rejected rows. A
    column a stage routes on (``params_from_columns``, the domain column) that
    the input lacks is not an error: the stage treats it as null in every row
    and says so in a note (:meth:`pipeline.stages.Stage.fit_input`).
    """
    from pipeline.readers import InputError

    clash = [c for c in REJECTED_COLUMNS if c in columns]
    if clash:
        raise InputError(
            f"the input has column(s) {', '.join(clash)}, which the pipeline adds to rejected rows; "
            "rename them (or select other columns) before cleaning"
        )
    return [note for stage in stages for note in stage.fit_input(columns, domain_column)]


class _Runner:
    """The state of one run (kept private: :func:`run_pipeline` is the API)."""

    def __init__(self, recipe: Recipe, skew_threshold: float) -> None:
        self.recipe = recipe
        self.cols = recipe.columns
        self.stages: list[Stage] = recipe.stages
        self.skew_threshold = skew_threshold
        self.stats = RunStats(StageInfo(s.name, s.index, s.kind, s.filter_name) for s in self.stages)
        self.examples = ExampleCollector(recipe.examples_per_rule)
        self.examples.register(READ_INDEX, READ_STAGE, "read")
        for s in self.stages:
            self.examples.register(s.index, s.name, s.kind)
        self.read_seconds = 0.0
        self.meter = ReadMeter()  # bytes of input read, for the progress bar
        self.rows_read = 0
        self.input_columns: list[str] | None = None
        #: how the stages were fitted to the input's columns (``stats.json`` ``notes``)
        self.notes: list[str] = []

    # -- reading ---------------------------------------------------------------------
    def batches(self, inputs: Sequence[Path], batch_size: int, strict: bool) -> Iterator[pl.DataFrame]:
        """The prepared batches of ``inputs``; the next one is read (in a thread) while this one is filtered."""
        from pipeline.overlap import read_ahead

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
        current batch's later stages (:meth:`pipeline.stages.Stage.prefetch`).
        """
        ahead = getattr(self, "_ahead", None)
        frame = ahead.peek() if ahead is not None else None
        if frame is None or not self.stages:
            return False
        if READER_REASON in frame.columns:
            frame = frame.filter(pl.col(READER_REASON).is_null())
        return self.stages[0].prefetch(frame, self.cols.text, self.cols.domain)

    def _read(self, inputs: Sequence[Path], batch_size: int, strict: bool) -> Iterator[pl.DataFrame]:
        from pipeline.readers import iter_batches

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
        cols = self.cols
        start = self.rows_read
        self.rows_read += frame.height
        if READER_REASON not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(READER_REASON))
        if READER_DETAIL not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(READER_DETAIL))
        return frame.with_columns(
            (pl.int_range(0, pl.len(), dtype=pl.Int64) + start).alias(_SEQ),
            pl.col(cols.text).alias(_ORIGINAL),
            _as_key(frame, cols.domain).alias(_DOMAIN),
            _as_key(frame, cols.label).alias(_LABEL),
        )

    def _check_columns(self, columns: list[str]) -> None:
        self.notes = check_input_columns(columns, self.stages, self.cols.domain)

    # -- processing ------------------------------------------------------------------------
    def process(self, batch: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Kept rows (cleaned) and rejected rows (original text + reason columns) of one batch.

        The rejected rows keep the input-position column (the checkpoint uses
        it); the output file does not get it.
        """
        cols = self.cols
        stats = self.stats
        # rows per domain x label, counted once per batch and updated at each rejection:
        # stages then only group the rows they changed or rejected
        groups = group_counts(batch[_DOMAIN], batch[_LABEL])
        stats.record_input_groups(groups)
        stats.record_rows(READ_INDEX, groups)
        rejected: list[pl.DataFrame] = []
        read_bad = batch[READER_REASON].is_not_null()
        if read_bad.any():
            bad = batch.filter(read_bad)
            _subtract(groups, stats.record_rejections(READ_INDEX, _keys(bad, bad[READER_REASON])))
            rejected.append(self._rejected(bad, READ_STAGE, pl.col(READER_REASON), pl.col(READER_DETAIL),
                                           pl.lit(None, pl.String), READ_INDEX))
            alive = batch.filter(~read_bad)
        else:
            alive = batch
        for stage in self.stages:
            if alive.height == 0:
                break
            t0 = time.perf_counter()
            out = stage.apply(alive, cols.text, cols.domain, cols.id)
            stats.add_time(stage.index, time.perf_counter() - t0)
            if stage is self.stages[0]:
                self.prefetch_next_batch()
            stats.record_rows(stage.index, groups)
            if issubclass(stage.filter_class, Transform):
                before, after = alive[cols.text], out["text"]
                changed = before.ne_missing(after)
                if changed.any():
                    rows = pl.DataFrame({"seq": alive[_SEQ], "id": alive[cols.id], "domain": alive[_DOMAIN],
                                         "label": alive[_LABEL], "before": before, "after": after}).filter(changed)
                    stats.record_changes(stage.index, rows.select(pl.col("domain").alias("d"), pl.col("label").alias("l"),
                                                                   "before", "after"))
                    self.examples.add_changed_rows(stage.index, rows)
                    alive = alive.with_columns(after.alias(cols.text))
            else:
                reason = out[REASON]
                is_bad = reason.is_not_null()
                if not is_bad.any():
                    continue
                extras = out.drop(REASON)
                bad = alive.with_columns(
                    reason.alias("__sieve_reason"), *[extras[c].alias(f"__sieve_x_{c}") for c in extras.columns]
                ).filter(is_bad)
                _subtract(groups, stats.record_rejections(stage.index, _keys(bad, bad["__sieve_reason"])))
                rejected.append(self._rejected(
                    bad, stage.name, pl.col("__sieve_reason"), detail_expr(extras.columns),
                    pl.col("__sieve_x_duplicate_of").cast(pl.String) if "duplicate_of" in extras.columns else pl.lit(None, pl.String),
                    stage.index,
                ))
                alive = alive.filter(~is_bad)
        stats.record_kept_groups(groups)
        kept = alive.sort(_SEQ).select(self.input_columns)
        if rejected:
            rejected_frame = pl.concat(rejected, how="vertical").sort(_SEQ)
        else:
            rejected_frame = self._rejected(batch.clear(), READ_STAGE, pl.col(READER_REASON), pl.col(READER_DETAIL),
                                            pl.lit(None, pl.String), READ_INDEX)
        return kept, rejected_frame

    def _rejected(self, rows: pl.DataFrame, stage: str, reason: pl.Expr, detail: pl.Expr, duplicate_of: pl.Expr, index: int) -> pl.DataFrame:
        text = self.cols.text
        out = rows.select(
            _SEQ,
            *[pl.col(_ORIGINAL).alias(text) if c == text else pl.col(c) for c in self.input_columns],
            reason.cast(pl.String).alias("reason"),
            pl.lit(stage, pl.String).alias("stage"),
            detail.cast(pl.String).alias("detail"),
            duplicate_of.cast(pl.String).alias("duplicate_of"),
            pl.col(text).cast(pl.String).alias("cleaned_text"),
        )
        if out.height:
            self.examples.add_rejections(index, rows.select(
                pl.col(_SEQ).alias("seq"), pl.col(self.cols.id).alias("id"), pl.col(_DOMAIN).alias("domain"),
                pl.col(_LABEL).alias("label"), pl.col(text).alias("text"),
                out["reason"], out["detail"], out["duplicate_of"],
            ))
        return out

    def empty_outputs(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Zero-row frames with the output schemas (when no row reached a sink)."""
        schema = {c: pl.String for c in (self.input_columns or [self.cols.text, self.cols.id])}
        kept = pl.DataFrame(schema=schema)
        rejected = kept.with_columns(*[pl.lit(None, pl.String).alias(c) for c in REJECTED_COLUMNS])
        return kept, rejected


def _keys(rows: pl.DataFrame, reason: pl.Series) -> pl.DataFrame:
    """The (domain, label, reason) of rejected rows, as :meth:`RunStats.record_rejections` takes them."""
    return pl.DataFrame({"d": rows[_DOMAIN], "l": rows[_LABEL], "r": reason.cast(pl.String)})


def _subtract(groups: dict[Any, int], removed: dict[Any, int]) -> None:
    """Take rejected rows out of the per-group row counts (groups left empty are dropped)."""
    for key, n in removed.items():
        left = groups[key] - n
        if left:
            groups[key] = left
        else:
            del groups[key]


def _as_key(frame: pl.DataFrame, column: str | None) -> pl.Expr:
    if column and column in frame.columns:
        return pl.col(column).cast(pl.String)
    return pl.lit(None, pl.String)


def detail_expr(extra_columns: list[str]) -> pl.Expr:
    """Detail columns a check returned (other than ``duplicate_of``) as ``name=value; ...``."""
    parts = []
    for c in extra_columns:
        if c == "duplicate_of":
            continue
        value = pl.col(f"__sieve_x_{c}").cast(pl.String)
        parts.append(value if c == "detail" else pl.format(f"{c}={{}}", value))
    if not parts:
        return pl.lit(None, pl.String)
    joined = pl.concat_str(parts, separator="; ", ignore_nulls=True)
    return pl.when(joined == "").then(None).otherwise(joined)


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
    Finished batches are checkpointed (:mod:`pipeline.resume`), so a run
    that is killed can be continued with :func:`resume_pipeline`.
    Raises ``InputError`` (bad input), ``StageError``/``RecipeError`` (the
    recipe does not fit the input), :class:`AccountingError`, and
    :class:`~pipeline.errors.RunInterrupted` on Ctrl-C.
    """
    from pipeline.errors import one_interrupt_at_a_time
    from pipeline.readers import InputError
    from pipeline.resume import Checkpoint
    from pipeline.rundir import RunDir

    started = time.perf_counter()
    paths = [Path(p) for p in inputs]
    if not paths:
        raise InputError("no input files given")
    for p in paths:
        _check_input_exists(p, InputError)
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
        from pipeline.devsample import draw_into_run

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
    :class:`~pipeline.errors.ResumeError` when the run already finished, has
    no checkpoint, or its input files or recipe changed since.
    """
    from pipeline.errors import ResumeError, one_interrupt_at_a_time
    from pipeline.readers import fingerprint, fingerprint_algorithm
    from pipeline.recipe import load_recipe
    from pipeline.resume import Checkpoint
    from pipeline.rundir import RunDir

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
    from pipeline import parallel
    from pipeline.errors import ResumeError, RunInterrupted, describe
    from pipeline.rundir import package_version
    from pipeline.writers import ParquetSink

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
        if not dev:  # a --dev sample is too small for the worker pool to pay
            _warm_up_workers(recipe.stages, input_bytes)
        batches = runner.batches(paths, batch_size, bool(invocation["strict"]))
        if dev:
            per_stratum, seed = int(invocation["dev_per_stratum"]), int(invocation["seed"])
            sample = stratified_sample(batches, [_DOMAIN, _LABEL], _SEQ, per_stratum, seed)
            dev_info = {"dev": True, "per_stratum": per_stratum, "seed": seed,
                        "rows_read": runner.rows_read, "rows_sampled": sample.height,
                        "drawn": invocation.get("dev_sample", {})}
            batches = rebatch(sample, batch_size)
        # the outputs are written while the batches stream by, in fixed-size row groups;
        # a resumed run first replays the batches committed before it was stopped
        sinks = [ParquetSink(run.kept_path, row_group_rows=OUTPUT_ROW_GROUP), ParquetSink(run.rejected_path, row_group_rows=OUTPUT_ROW_GROUP)]
        kept_writer, rejected_writer = _RowGroupWriter(sinks[0]), _RowGroupWriter(sinks[1])
        for part in checkpoint.iter_parts("kept"):
            kept_writer.write(part)
        # committed rejected rows are replayed as their batches are re-read: the parts
        # hold no input text (pipeline/resume.py), it comes back from the batch
        # A batch is committed once the next one has been read, so the last batch
        # goes straight to the outputs: a run that is stopped while finishing
        # redoes that one batch on --resume, and a run of one batch writes no parts.
        # the writes and commits of a batch run in a thread while the next batch is filtered
        # (pipeline/overlap.py); ``behind.drain()`` waits for them
        pending: tuple[Any, ...] | None = None
        seen = 0
        for index, batch in enumerate(batches):
            seen = index + 1
            if index < done:  # committed before the run was stopped
                rejected_writer.write(checkpoint.rejected_rows(index, batch, runner.cols.text, _SEQ, _ORIGINAL).drop(_SEQ))
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
        accounted = (n_kept + n_rejected == n_input) and (n_kept == runner.stats.total_kept) and (n_kept == kept_total)
        t0 = time.perf_counter()
        _write_extra_outputs(run, recipe.outputs)
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
            "stages": [
                {"stage": s["stage"], "index": s["index"], "kind": s["kind"], "seconds": s["seconds"], "rows_in": s["rows_in"],
                 "rows_per_second": round(s["rows_in"] / s["seconds"], 1) if s["seconds"] > 0 else None}
                for s in stats["stages"]
            ],
        }
        run.write_json("timings.json", timings)
        examples = runner.examples.to_dict()
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
        _remove_unfinished_outputs(run)
        signal_name = getattr(exc, "signal_name", None) or (str(exc) if str(exc).startswith("SIG") else "SIGINT")
        stop = RunInterrupted(run.path, checkpoint.batches_done, int(checkpoint.state["rows_done"]), signal_name)
        checkpoint.mark("interrupted", error=describe(stop))
        _record_failure(run, stop)
        raise stop from None
    except BaseException as exc:
        behind.settle()
        parallel.settle_prefetch()
        _stop_reading(batches)
        reporter.finish()
        for sink in sinks:
            sink.abort()  # no half-written parquet under a final name
        _remove_unfinished_outputs(run)
        checkpoint.mark("failed", error=describe(exc))
        _record_failure(run, exc)
        raise

    try:
        checkpoint.remove()
    except KeyboardInterrupt as exc:
        from pipeline.errors import InterruptedAfterFinish

        signal_name = getattr(exc, "signal_name", None) or (str(exc) if str(exc).startswith("SIG") else "SIGINT")
        raise InterruptedAfterFinish(run.path, signal_name) from None
    result = RunResult(run_dir=run, stats=stats, timings=timings, examples=examples, dev=dev, dev_info=dev_info)
    if not accounted:
        raise AccountingError(
            f"rows were lost: input {n_input:,} but kept {n_kept:,} + rejected {n_rejected:,} = {n_kept + n_rejected:,} "
            f"(run directory {run.path}); this is a bug in corpus-sieve, please report it"
        )
    return result


def _input_bytes(paths: Sequence[Path]) -> int:
    """Bytes of the local files ``paths`` stand for (files, directories, globs); 0 for Hub names."""
    from pipeline.readers import input_files

    return sum(f.stat().st_size for p in paths for f in input_files(p))


def _warm_up_workers(stages: Sequence[Stage], input_bytes: int) -> None:
    """Start the worker pool while a large input is read (see ``pipeline.parallel.PRESTART_BYTES``)."""
    from pipeline import parallel

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
    rejected_writer.write(rejected.drop(_SEQ))


def _write_extra_outputs(run: Any, outputs: Sequence[str]) -> None:
    from pipeline.writers import parquet_to_datasets, parquet_to_jsonl

    base = Path(run.path)
    for which, parquet in (("kept", run.kept_path), ("rejected", run.rejected_path)):
        if "jsonl" in outputs:
            parquet_to_jsonl(parquet, base / f"{which}.jsonl")
        if "datasets" in outputs:
            parquet_to_datasets(parquet, base / "datasets" / which)


def _remove_unfinished_outputs(run: Any) -> None:
    """A run stopped while assembling: outputs already published must not look finished.

    They are rebuilt from the checkpoint on ``--resume``.
    """
    import shutil

    base = Path(run.path)
    if (base / "stats.json").exists():
        return
    for name in ("kept.parquet", "rejected.parquet", "kept.jsonl", "rejected.jsonl", "timings.json",
                 "examples.json", "dev.json"):
        (base / name).unlink(missing_ok=True)
    shutil.rmtree(base / "datasets", ignore_errors=True)


def _record_failure(run: Any, exc: BaseException) -> None:
    from pipeline.errors import describe

    try:
        run.write_json("error.json", describe(exc))
    except Exception:
        pass
