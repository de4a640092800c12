"""Run a recipe on Ray Data: the same outputs as the local engine, on a cluster.

The plan (one Ray Data pipeline, streamed):

1. **read** -- the input is split into shards (:mod:`corpus_sieve.pipeline.io.readers.shards`:
   one line-format file, a run of Parquet row groups, a row range of a
   ``datasets`` split); each Ray task reads its shards with the local reader,
   so ids and reader rejections are identical. Every row gets a sequence
   number (its input position) and keeps its original text.
2. **stages** -- runs of per-row stages become one ``map_batches`` over Arrow
   batches through the one per-batch loop both engines share
   (:func:`corpus_sieve.pipeline.run.batch.apply_stages`). Rejected rows
   are not dropped: they travel on with their reason, so nothing can get lost
   between workers.
3. **global stages** (``is_global``, e.g. ``exact_dedup``) -- rows are bucketed
   by a hash of the filter's normalised key (``key_expr``) and shuffled with
   ``groupby(bucket).map_groups``; inside a bucket rows are sorted by input
   position and the stage runs as it does locally, so "first occurrence" means
   the same thing. Nothing is collected on the driver. A filter's per-row work
   (``prepare``: ``near_dedup``'s signatures) runs before the shuffle on every
   worker, and keys it returns are grouped across the cluster first
   (:mod:`corpus_sieve.pipeline.engines.key_groups`).
4. **statistics** -- every task records its partial per stage x domain x label
   counts, timings and examples (:class:`~corpus_sieve.pipeline.run.batch.Accounting`,
   as the local engine does) and attaches them, pickled,
   to the first row of its output batch; the driver merges them as it streams
   the rows. A row reaches the output exactly once, so each partial is counted
   exactly once, also when Ray retries a failed task.
5. **write** -- the driver streams the rows back in input order and writes the
   run directory exactly as the local engine does (``kept.parquet``,
   ``rejected.parquet``, ``stats.json``, ``timings.json``, ``examples.json``).
"""

from __future__ import annotations

import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import polars as pl

from corpus_sieve.filters.base import KEYS_COLUMN, ORDER_COLUMN
from corpus_sieve.pipeline.engines.key_groups import with_earlier_rows
from corpus_sieve.pipeline.io.readers.shards import DEFAULT_ROWS_PER_SHARD, SHARD_BITS, Shard, plan_shards, read_shard
from corpus_sieve.pipeline.recipe.recipe import Recipe
from corpus_sieve.pipeline.recipe.stages import Stage
from corpus_sieve.pipeline.run.batch import (
    DOMAIN,
    LABEL,
    ORIGINAL,
    R_DETAIL,
    R_DUP,
    R_REASON,
    R_STAGE,
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
from corpus_sieve.pipeline.run.progress import Progress
from corpus_sieve.pipeline.run.result import (
    RunResult,
    check_accounted,
    check_input_columns,
    check_input_exists,
    raise_if_unaccounted,
    stage_timings,
    write_extra_outputs,
)
from corpus_sieve.pipeline.run.stats import DEFAULT_SKEW_THRESHOLD, READ_INDEX, READ_STAGE

__all__ = ["RayNotInstalled", "import_ray", "run_pipeline_ray"]

# columns carried between Ray tasks besides the loop's (never written out)
PARTIALS = "__sieve_partials"
BUCKET = "__sieve_bucket"
_FLIGHT_EXTRA = {SEQ: pl.Int64, ORIGINAL: pl.String, DOMAIN: pl.String, LABEL: pl.String, R_REASON: pl.String,
                 R_STAGE: pl.String, R_DETAIL: pl.String, R_DUP: pl.String, PARTIALS: pl.List(pl.Binary)}
_HASH_SEED = 0x5EED_B0C4


class RayNotInstalled(ImportError):
    """``--engine ray`` without Ray: ``pip install 'corpus-sieve[ray]'``."""


def import_ray() -> Any:
    """``ray`` (with Ray Data), or :class:`RayNotInstalled` with the install command."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise RayNotInstalled(
            "the ray engine needs Ray Data, which is not installed: pip install 'corpus-sieve[ray]' "
            f"(or pip install 'ray[data]'); import failed with: {exc}"
        ) from None
    return ray


# -- what every task needs -------------------------------------------------------------

_RECIPES: dict[bytes, Recipe] = {}  # per worker process: unpickled once, filters built once


@dataclass
class _Context:
    """Everything a task needs, shipped with the task (small: shards and the pickled recipe)."""

    recipe_bytes: bytes
    recipe_key: bytes
    shards: list[Shard]
    input_columns: list[str]
    written: dict[str, Any]  # the columns stages write that the input lacks, with their types
    flight_schema: dict[str, Any]
    batch_size: int
    strict: bool
    options: dict[str, Any]

    def recipe(self) -> Recipe:
        recipe = _RECIPES.get(self.recipe_key)
        if recipe is None:
            recipe = pickle.loads(self.recipe_bytes)
            _RECIPES[self.recipe_key] = recipe
        return recipe

    def new_accounting(self) -> Accounting:
        recipe = self.recipe()
        return Accounting(recipe.stages, recipe.columns, recipe.examples_per_rule)


def _attach(frame: pl.DataFrame, accounting: Accounting) -> pl.DataFrame:
    """Append this task's partial accounting to the first row's list of partials."""
    if frame.height == 0:
        return frame
    payload = pickle.dumps(accounting.partial(), protocol=pickle.HIGHEST_PROTOCOL)
    first = frame[PARTIALS][0]
    values = (list(first) if first is not None else []) + [payload]
    # other rows may carry partials of earlier tasks (after a shuffle): leave them be
    column = pl.concat([pl.Series(PARTIALS, [values], dtype=pl.List(pl.Binary)),
                        frame[PARTIALS].cast(pl.List(pl.Binary)).slice(1)])
    return frame.with_columns(column.alias(PARTIALS))


def _to_arrow(frame: pl.DataFrame, schema: dict[str, Any]) -> Any:
    frame = frame.select([pl.col(c).cast(t) for c, t in schema.items()])
    return frame.to_arrow()


# -- step 1: read ----------------------------------------------------------------------

class _ReadShards:
    """``map_batches`` UDF: shard ordinals in, the shards' rows out (with reader rejections marked)."""

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.__name__ = "ReadShards"  # Ray names operators after their UDF

    def __call__(self, batch: Any) -> Iterator[Any]:
        from corpus_sieve.pipeline.io.readers import DETAIL, REASON

        ctx = self.ctx
        cols = ctx.recipe().columns
        for ordinal in batch["shard"].to_pylist():
            shard = ctx.shards[ordinal]
            position = 0
            it = iter(read_shard(shard, cols, ctx.batch_size, ctx.options, ctx.strict))
            while True:
                t0 = time.perf_counter()
                try:
                    frame = next(it)
                except StopIteration:
                    break
                accounting = ctx.new_accounting()
                start = (shard.ordinal << SHARD_BITS) + position
                position += frame.height
                frame = with_written_columns(frame, ctx.written).with_columns(
                    (pl.int_range(0, pl.len(), dtype=pl.Int64) + start).alias(SEQ),
                    pl.col(cols.text).alias(ORIGINAL),
                    *key_columns(frame, cols),
                )
                accounting.record_read(frame, REASON, DETAIL)
                frame = frame.with_columns(
                    pl.col(REASON).alias(R_REASON),
                    pl.when(pl.col(REASON).is_not_null()).then(pl.lit(READ_STAGE)).alias(R_STAGE),
                    pl.col(DETAIL).alias(R_DETAIL),
                    pl.lit(None, pl.String).alias(R_DUP),
                    pl.lit(None, pl.List(pl.Binary)).alias(PARTIALS),
                ).drop(REASON, DETAIL)
                accounting.stats.add_time(READ_INDEX, time.perf_counter() - t0)
                yield _to_arrow(_attach(frame, accounting), ctx.flight_schema)


# -- step 2/3: stages ------------------------------------------------------------------

def run_stages(frame: pl.DataFrame, stages: Sequence[Stage], recipe: Recipe, accounting: Accounting) -> pl.DataFrame:
    """The one per-batch loop over the rows of ``frame`` still alive; rejected rows stay, tagged, in input order."""
    alive = frame.filter(pl.col(R_REASON).is_null())
    alive, rejected = apply_stages(alive, stages, recipe.columns, accounting)
    done = [frame.filter(pl.col(R_REASON).is_not_null()), *[bad.select(frame.columns) for bad in rejected]]
    return pl.concat([alive, *done], how="vertical").sort(SEQ)


class _StagesStep:
    """``map_batches`` UDF: a run of per-row stages over one Arrow batch."""

    def __init__(self, ctx: _Context, stage_indices: list[int]) -> None:
        self.ctx = ctx
        self.stage_indices = stage_indices
        self.__name__ = f"Stages[{stage_indices[0]}-{stage_indices[-1]}]"

    def __call__(self, table: Any) -> Any:
        recipe = self.ctx.recipe()
        stages = [s for s in recipe.stages if s.index in self.stage_indices]
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        accounting = self.ctx.new_accounting()
        out = run_stages(frame, stages, recipe, accounting)
        return _to_arrow(_attach(out, accounting), self.ctx.flight_schema)


class _BucketStep:
    """``map_batches`` UDF: the shuffle key of a global stage (hash of its normalised key)."""

    def __init__(self, ctx: _Context, stage_index: int, buckets: int) -> None:
        self.ctx = ctx
        self.stage_index = stage_index
        self.buckets = buckets
        self.__name__ = f"Bucket[{stage_index}]"

    def __call__(self, table: Any) -> Any:
        recipe = self.ctx.recipe()
        stage = next(s for s in recipe.stages if s.index == self.stage_index)
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        text = recipe.columns.text
        inst = stage.instance(stage.params) if not stage.routed else None
        key = inst.key_expr(pl.col(text)) if inst is not None else None
        if key is None or self.buckets == 1:
            bucket = pl.lit(0, pl.Int64)
        else:
            # equal keys -> equal bucket; rows that take no part are spread by position
            hashed = (key.hash(_HASH_SEED) % self.buckets).cast(pl.Int64)
            bucket = (pl.when(pl.col(R_REASON).is_null() & pl.col(text).is_not_null())
                      .then(hashed).otherwise(pl.col(SEQ) % self.buckets))
        frame = frame.with_columns(bucket.alias(BUCKET))
        # the per-row work of the stage (near_dedup's signatures) runs here, on every worker, before the
        # rows meet in their bucket's task; the columns leave with the stage's output (flight schema)
        alive_texts = frame.select(pl.when(pl.col(R_REASON).is_null()).then(pl.col(text).cast(pl.String))).to_series()
        prepared = inst.prepare(alive_texts) if inst is not None else None
        if prepared is not None:
            frame = frame.with_columns(prepared.get_columns())
            if KEYS_COLUMN in prepared.columns:  # grouped by key across the cluster (key_groups)
                frame = frame.with_columns(pl.col(SEQ).cast(pl.Int64).alias(ORDER_COLUMN))
        return frame.to_arrow()


class _GlobalStep:
    """``map_groups`` UDF: a global stage over all rows of one bucket, in input order."""

    def __init__(self, ctx: _Context, stage_index: int) -> None:
        self.ctx = ctx
        self.stage_index = stage_index
        self.__name__ = f"Global[{stage_index}]"

    def __call__(self, table: Any) -> Any:
        recipe = self.ctx.recipe()
        stage = next(s for s in recipe.stages if s.index == self.stage_index)
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        frame = frame.drop(BUCKET).sort(SEQ)  # prepared columns (__...) stay: the stage reads them
        accounting = self.ctx.new_accounting()
        stage.reset()  # a bucket is a world of its own: keys never cross buckets
        out = run_stages(frame, [stage], recipe, accounting)
        return _to_arrow(_attach(out, accounting), self.ctx.flight_schema)


# -- the driver --------------------------------------------------------------------------

def _unwrap(exc: BaseException) -> BaseException:
    """The project's own exception inside Ray's wrappers (InputError, StageError ...), else ``exc``."""
    from corpus_sieve.pipeline.io.readers import InputError
    from corpus_sieve.pipeline.recipe.recipe import RecipeError

    seen = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, (InputError, RecipeError)) and type(cur).__module__.startswith("corpus_sieve."):
            return cur
        cause = getattr(cur, "cause", None)
        cur = cause if isinstance(cause, BaseException) else (cur.__cause__ or cur.__context__)
    return exc


def _connect(address: str | None, num_cpus: int | None, quiet: bool) -> bool:
    """Start or join a Ray cluster; True when this call started it (and must shut it down)."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    import logging

    kwargs: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.WARNING,
                              "log_to_driver": not quiet, "configure_logging": True}
    if address:
        ray.init(address=address, **kwargs)
    else:
        ray.init(num_cpus=num_cpus, **kwargs)
    return True


def _cluster_cpus(ray: Any) -> int:
    try:
        return max(1, int(ray.cluster_resources().get("CPU", 1)))
    except Exception:
        return 1


def _default_buckets(cpus: int, rows: int | None, size_bytes: int) -> int:
    """Enough buckets to keep every worker busy, and small enough for one worker's memory."""
    by_size = (rows // 500_000) if rows is not None else size_bytes // (256 << 20)
    return max(2 * cpus, by_size, 1)


def run_pipeline_ray(
    inputs: Sequence[Path | str],
    recipe: Recipe,
    out_base: Path | str,
    strict: bool = False,
    progress: bool | Progress = True,
    *,
    address: str | None = None,
    num_cpus: int | None = None,
    batch_size: int | None = None,
    rows_per_shard: int = DEFAULT_ROWS_PER_SHARD,
    dedup_buckets: int | None = None,
    skew_threshold: float = DEFAULT_SKEW_THRESHOLD,
) -> Any:
    """Clean ``inputs`` with ``recipe`` on Ray Data; the same run directory as the local engine.

    ``address`` joins an existing cluster (``ray://host:10001``, ``host:6379``
    or ``auto``); without it, and when Ray is not yet initialised in this
    process, a local cluster with ``num_cpus`` CPUs (default: all) is started
    and shut down at the end. ``rows_per_shard`` sizes the Parquet/datasets
    read tasks; ``dedup_buckets`` the shuffle of global stages. Returns a
    :class:`corpus_sieve.pipeline.run.result.RunResult`; raises what the local engine raises.
    """
    from corpus_sieve.pipeline.io.readers import InputError
    from corpus_sieve.pipeline.run.rundir import RunDir, package_version
    from corpus_sieve.pipeline.io.writers import run_sinks

    started = time.perf_counter()
    ray = import_ray()
    paths = [Path(p) for p in inputs]
    if not paths:
        raise InputError("no input files given")
    for path in paths:
        check_input_exists(path, InputError)
    batch_size = batch_size or recipe.batch_size
    reporter = progress if isinstance(progress, Progress) else Progress(enabled=bool(progress))

    for stage in recipe.stages:
        stage.reset()
    run = RunDir.create(Path(out_base), recipe.resolved(), paths)
    sinks: list[Any] = []
    we_started = False
    try:
        t0 = time.perf_counter()
        plan = plan_shards(paths, recipe.columns, recipe.reader, rows_per_shard)
        plan_seconds = time.perf_counter() - t0
        notes = _check_columns(plan.input_columns, recipe)
        _check_same_columns(plan.shards)
        we_started = _connect(address, num_cpus, quiet=not reporter.enabled)
        cpus = _cluster_cpus(ray)
        buckets = dedup_buckets or _default_buckets(cpus, plan.known_rows, plan.size_bytes)
        schema = plan.shards[0].schema if plan.shards else pl.Schema({recipe.columns.text: pl.String})
        kept_columns, written = output_columns(plan.input_columns, recipe.stages)
        flight = {c: (pl.String if c not in schema else schema[c]) for c in plan.input_columns}
        flight.update(written)
        flight.update(_FLIGHT_EXTRA)
        recipe_bytes = pickle.dumps(recipe, protocol=pickle.HIGHEST_PROTOCOL)
        import hashlib

        ctx = _Context(recipe_bytes, hashlib.blake2b(recipe_bytes, digest_size=16).digest(), plan.shards,
                       plan.input_columns, written, flight, batch_size, strict, dict(recipe.reader))
        dataset, has_global = _build(ray, ctx, recipe, buckets, quiet=not reporter.enabled)

        accounting = Accounting(recipe.stages, recipe.columns, recipe.examples_per_rule)
        stats = accounting.stats
        cols = recipe.columns
        sinks = run_sinks(run)
        kept_total = rejected_total = 0
        write_seconds = 0.0
        last_seq = -1
        if dataset is not None:
            for table in dataset.iter_batches(batch_format="pyarrow", batch_size=None):
                frame = pl.from_arrow(table)
                assert isinstance(frame, pl.DataFrame)
                if frame.height == 0:
                    continue
                for payloads in frame[PARTIALS].drop_nulls().to_list():
                    for payload in payloads:
                        accounting.merge(pickle.loads(payload))
                if frame[SEQ][0] <= last_seq or not frame[SEQ].is_sorted():
                    raise RuntimeError("the ray engine received rows out of input order (a bug; please report it)")
                last_seq = frame[SEQ][-1]
                kept = frame.filter(pl.col(R_REASON).is_null())
                rejected = frame.filter(pl.col(R_REASON).is_not_null())
                accounting.record_kept(kept)
                t0 = time.perf_counter()
                sinks[0].write(kept.select(kept_columns))
                sinks[1].write(rejected.select(rejected_output(rejected, kept_columns, cols.text)))
                write_seconds += time.perf_counter() - t0
                kept_total += kept.height
                rejected_total += rejected.height
                reporter.update(kept_total + rejected_total, kept_total, rejected_total, "ray: ")
        reporter.finish()
        empty = pl.DataFrame(schema={c: flight[c] for c in kept_columns})
        if not kept_total:
            sinks[0].write(empty)
        if not rejected_total:
            sinks[1].write(empty.with_columns(*[pl.lit(None, pl.String).alias(c) for c in REJECTED_COLUMNS]))
        t0 = time.perf_counter()
        n_kept, n_rejected = sinks[0].close(), sinks[1].close()
        write_seconds += time.perf_counter() - t0
    except BaseException as exc:
        reporter.finish()
        for sink in sinks:
            sink.abort()
        real = _unwrap(exc)
        try:
            run.write_json("error.json", {"error": type(real).__name__, "message": str(real)})
        except Exception:
            pass
        if we_started:
            ray.shutdown()
        if real is not exc:
            raise real from None
        raise
    if we_started:
        ray.shutdown()

    n_input = stats.total_input
    accounted = check_accounted(n_input, n_kept, n_rejected, stats.total_kept, kept_total)
    t0 = time.perf_counter()
    write_extra_outputs(run, recipe.outputs)
    extra_seconds = time.perf_counter() - t0
    seconds = time.perf_counter() - started
    out = stats.to_dict(run.id, package_version(), seconds, n_kept, n_rejected, accounted, skew_threshold)
    out["notes"] = notes
    out["dev"] = False
    timings = {
        "engine": "ray",
        "seconds": round(seconds, 6),
        "read_seconds": round(stats.seconds[READ_INDEX], 6),
        "write_seconds": round(write_seconds, 6),
        "extra_outputs_seconds": round(extra_seconds, 6),
        "rows": n_input,
        "rows_per_second": round(n_input / seconds, 1) if seconds > 0 else None,
        "batch_size": batch_size,
        "ray": {"address": address or "local", "cluster_cpus": cpus, "shards": len(plan.shards),
                "dedup_buckets": buckets if has_global else None, "plan_seconds": round(plan_seconds, 6),
                "stage_seconds_are": "summed over all workers (CPU-seconds), not wall time",
                "rows_per_second_per_cpu": round(n_input / seconds / cpus, 1) if seconds > 0 else None},
        "stages": stage_timings(out),
    }
    example_dict = accounting.examples.to_dict()
    describe_duplicates(run.kept_path, run.rejected_path, out, example_dict, recipe.columns.id, recipe.columns.text)
    run.write_json("stats.json", out)
    run.write_json("timings.json", timings)
    run.write_json("examples.json", example_dict)
    return raise_if_unaccounted(RunResult(run_dir=run, stats=out, timings=timings, examples=example_dict))


def _build(ray: Any, ctx: _Context, recipe: Recipe, buckets: int, quiet: bool = False) -> tuple[Any, bool]:
    """The Ray Data pipeline (lazy): read, runs of per-row stages, shuffles for global stages.

    Sets options of this process's ``DataContext``: ``preserve_order``, the
    shuffle strategy, and (``quiet``) no progress bars.
    """
    if not ctx.shards:
        return None, False
    data_ctx = ray.data.DataContext.get_current()
    data_ctx.execution_options.preserve_order = True  # rows come back in input order
    if quiet:
        for option in ("enable_progress_bars", "print_on_execution_start"):
            if hasattr(data_ctx, option):
                setattr(data_ctx, option, False)
    if "RAY_DATA_DEFAULT_SHUFFLE_STRATEGY" not in os.environ:
        # a few large buckets: the pull-based sort shuffle starts in milliseconds,
        # where the actor-based default costs seconds per shuffle on small inputs
        try:
            from ray.data.context import ShuffleStrategy

            data_ctx.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
        except (ImportError, AttributeError):  # older Ray: its default is the sort shuffle
            pass
    n = len(ctx.shards)
    try:
        ds = ray.data.from_items([{"shard": i} for i in range(n)], override_num_blocks=n)
    except TypeError:  # Ray < 2.10
        ds = ray.data.from_items([{"shard": i} for i in range(n)], parallelism=n)
    # a concurrency cap (one task per shard at most) keeps the read its own operator: Ray
    # does not fuse it with the stages, so the blocks of one big file are cleaned on every CPU
    ds = ds.map_batches(_ReadShards(ctx), batch_size=1, batch_format="pyarrow", concurrency=n)
    pending: list[int] = []
    has_global = False
    for stage in recipe.stages:
        if stage.filter_class.is_global:
            if pending:
                ds = ds.map_batches(_StagesStep(ctx, pending), batch_size=None, batch_format="pyarrow")
                pending = []
            has_global = True
            ds = ds.map_batches(_BucketStep(ctx, stage.index, buckets), batch_size=None, batch_format="pyarrow")
            if _groups_by_keys(stage):
                ds = with_earlier_rows(ds, buckets)
            try:
                grouped = ds.groupby(BUCKET, num_partitions=buckets)
            except TypeError:  # Ray < 2.40: the partitions follow the blocks
                grouped = ds.groupby(BUCKET)
            ds = grouped.map_groups(_GlobalStep(ctx, stage.index), batch_format="pyarrow")
        else:
            pending.append(stage.index)
    if pending:
        ds = ds.map_batches(_StagesStep(ctx, pending), batch_size=None, batch_format="pyarrow")
    if has_global:
        ds = ds.sort(SEQ)
    return ds, has_global


def _groups_by_keys(stage: Stage) -> bool:
    """Whether the stage's filter asks for its rows grouped by key (its ``prepare`` gives keys)."""
    if stage.routed:
        return False
    prepared = stage.instance(stage.params).prepare(pl.Series([], dtype=pl.String))
    return prepared is not None and KEYS_COLUMN in prepared.columns


def _check_same_columns(shards: list[Shard]) -> None:
    """Inputs given together must have the same columns (as the local engine requires)."""
    from corpus_sieve.pipeline.recipe.stages import StageError

    if not shards:
        return
    first = list(shards[0].schema.names())
    for shard in shards[1:]:
        names = list(shard.schema.names())
        if names != first:
            raise StageError([f"input columns changed between inputs: {first} then {names} ({shard.display})"])


def _check_columns(columns: list[str], recipe: Recipe) -> list[str]:
    return check_input_columns(columns, recipe.stages, recipe.columns.domain)
