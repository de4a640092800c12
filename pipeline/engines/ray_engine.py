"""Run a recipe on Ray Data: the same outputs as the local engine, on a cluster.

The plan (one Ray Data pipeline, streamed):

1. **read** -- the input is split into shards (:mod:`pipeline.engines.shards`:
   one line-format file, a run of Parquet row groups, a row range of a
   ``datasets`` split); each Ray task reads its shards with the local reader,
   so ids and reader rejections are identical. Every row gets a sequence
   number (its input position) and keeps its original text.
2. **stages** -- runs of per-row stages become one ``map_batches`` over Arrow
   batches (polars inside, :meth:`pipeline.stages.Stage.apply`). Rejected rows
   are not dropped: they travel on with their reason, so nothing can get lost
   between workers.
3. **global stages** (``is_global``, e.g. ``exact_dedup``) -- rows are bucketed
   by a hash of the filter's normalised key (``key_expr``) and shuffled with
   ``groupby(bucket).map_groups``; inside a bucket rows are sorted by input
   position and the stage runs as it does locally, so "first occurrence" means
   the same thing. Nothing is collected on the driver.
4. **statistics** -- every task records its partial per stage x domain x label
   counts, timings and examples (the local :class:`~pipeline.stats.RunStats`
   and :class:`~pipeline.examples.ExampleCollector`) and attaches them, pickled,
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

from filters.base import Transform
from pipeline.engines.shards import SHARD_BITS, DEFAULT_ROWS_PER_SHARD, Shard, plan_shards, read_shard
from pipeline.examples import ExampleCollector
from pipeline.progress import Progress
from pipeline.recipe import Recipe
from pipeline.runner import REJECTED_COLUMNS, detail_expr
from pipeline.stages import REASON as STAGE_REASON, Stage
from pipeline.stats import DEFAULT_SKEW_THRESHOLD, READ_INDEX, READ_STAGE, RunStats, StageInfo

# columns carried between Ray tasks (never written out)
SEQ = "__sieve_seq"
ORIGINAL = "__sieve_original"
R_REASON = "__sieve_reason"
R_STAGE = "__sieve_stage"
R_DETAIL = "__sieve_detail"
R_DUP = "__sieve_duplicate_of"
PARTIALS = "__sieve_partials"
BUCKET = "__sieve_bucket"
_FLIGHT_EXTRA = {SEQ: pl.Int64, ORIGINAL: pl.String, R_REASON: pl.String, R_STAGE: pl.String,
                 R_DETAIL: pl.String, R_DUP: pl.String, PARTIALS: pl.List(pl.Binary)}
#: rows per output row group (the local engine's value)
OUTPUT_ROW_GROUP = 50_000
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

    def new_partial(self) -> tuple[RunStats, ExampleCollector]:
        recipe = self.recipe()
        stats = RunStats(StageInfo(s.name, s.index, s.kind, s.filter_name) for s in recipe.stages)
        examples = ExampleCollector(recipe.examples_per_rule)
        examples.register(READ_INDEX, READ_STAGE, "read")
        for s in recipe.stages:
            examples.register(s.index, s.name, s.kind)
        return stats, examples


def _key(frame: pl.DataFrame, column: str | None) -> pl.Series:
    if column and column in frame.columns:
        return frame[column].cast(pl.String)
    return pl.Series([None] * frame.height, dtype=pl.String)


def _attach(frame: pl.DataFrame, stats: RunStats, examples: ExampleCollector) -> pl.DataFrame:
    """Append this task's partial statistics to the first row's list of partials."""
    if frame.height == 0:
        return frame
    payload = pickle.dumps({
        "groups": {i: g for i, g in stats.groups.items() if g},
        "seconds": {i: s for i, s in stats.seconds.items() if s},
        "input": stats.input,
        "examples": {i: items for i, items in examples._items.items() if items},
    }, protocol=pickle.HIGHEST_PROTOCOL)
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
        from pipeline.readers import DETAIL, REASON

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
                stats, examples = ctx.new_partial()
                domain, label = _key(frame, cols.domain), _key(frame, cols.label)
                stats.record_input(domain, label)
                stats.record_check(READ_INDEX, domain, label, frame[REASON])
                start = (shard.ordinal << SHARD_BITS) + position
                position += frame.height
                frame = frame.with_columns(
                    (pl.int_range(0, pl.len(), dtype=pl.Int64) + start).alias(SEQ),
                    pl.col(cols.text).alias(ORIGINAL),
                    pl.col(REASON).alias(R_REASON),
                    pl.when(pl.col(REASON).is_not_null()).then(pl.lit(READ_STAGE)).alias(R_STAGE),
                    pl.col(DETAIL).alias(R_DETAIL),
                    pl.lit(None, pl.String).alias(R_DUP),
                    pl.lit(None, pl.List(pl.Binary)).alias(PARTIALS),
                ).drop(REASON, DETAIL)
                bad = frame.filter(pl.col(R_REASON).is_not_null())
                if bad.height:
                    examples.add_rejections(READ_INDEX, _example_frame(bad, cols.id, domain=cols.domain, label=cols.label, text=cols.text))
                stats.add_time(READ_INDEX, time.perf_counter() - t0)
                yield _to_arrow(_attach(frame, stats, examples), ctx.flight_schema)


def _example_frame(rows: pl.DataFrame, id_column: str, *, domain: str | None, label: str | None, text: str) -> pl.DataFrame:
    return pl.DataFrame({
        "seq": rows[SEQ], "id": rows[id_column].cast(pl.String),
        "domain": _key(rows, domain), "label": _key(rows, label), "text": rows[text],
        "reason": rows[R_REASON], "detail": rows[R_DETAIL], "duplicate_of": rows[R_DUP],
    })


# -- step 2/3: stages ------------------------------------------------------------------

def run_stages(frame: pl.DataFrame, stages: Sequence[Stage], recipe: Recipe,
               stats: RunStats, examples: ExampleCollector) -> pl.DataFrame:
    """Apply ``stages`` to the rows of ``frame`` that are still alive; rejected rows stay, marked.

    The same per-batch logic as the local runner: transforms rewrite the text
    (statistics and examples of what changed), checks mark rows with reason,
    stage, detail and ``duplicate_of``.
    """
    cols = recipe.columns
    alive = frame.filter(pl.col(R_REASON).is_null())
    done = [frame.filter(pl.col(R_REASON).is_not_null())]
    for stage in stages:
        if alive.height == 0:
            break
        domain, label = _key(alive, cols.domain), _key(alive, cols.label)
        t0 = time.perf_counter()
        out = stage.apply(alive, cols.text, cols.domain, cols.id)
        stats.add_time(stage.index, time.perf_counter() - t0)
        if issubclass(stage.filter_class, Transform):
            before, after = alive[cols.text], out["text"]
            stats.record_transform(stage.index, domain, label, before, after)
            examples.add_changes(stage.index, alive[SEQ], alive[cols.id], domain, label, before, after)
            alive = alive.with_columns(after.alias(cols.text))
            continue
        reason = out[STAGE_REASON]
        stats.record_check(stage.index, domain, label, reason)
        extras = out.drop(STAGE_REASON)
        tagged = alive.with_columns(reason.alias(R_REASON), *[extras[c].alias(f"__sieve_x_{c}") for c in extras.columns])
        bad = tagged.filter(pl.col(R_REASON).is_not_null())
        if bad.height:
            bad = bad.with_columns(
                pl.lit(stage.name, pl.String).alias(R_STAGE),
                detail_expr(extras.columns).cast(pl.String).alias(R_DETAIL),
                (pl.col("__sieve_x_duplicate_of").cast(pl.String) if "duplicate_of" in extras.columns
                 else pl.lit(None, pl.String)).alias(R_DUP),
            )
            examples.add_rejections(stage.index, _example_frame(bad, cols.id, domain=cols.domain, label=cols.label, text=cols.text))
            done.append(bad.select(frame.columns))
        alive = tagged.filter(pl.col(R_REASON).is_null()).select(frame.columns)
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
        stats, examples = self.ctx.new_partial()
        out = run_stages(frame, stages, recipe, stats, examples)
        return _to_arrow(_attach(out, stats, examples), self.ctx.flight_schema)


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
        key_of = getattr(stage.instance(stage.params), "key_expr", None) if not stage.routed else None
        if key_of is None or self.buckets == 1:
            bucket = pl.lit(0, pl.Int64)
        else:
            # equal keys -> equal bucket; rows that take no part are spread by position
            hashed = (key_of(pl.col(text)).hash(_HASH_SEED) % self.buckets).cast(pl.Int64)
            bucket = (pl.when(pl.col(R_REASON).is_null() & pl.col(text).is_not_null())
                      .then(hashed).otherwise(pl.col(SEQ) % self.buckets))
        return frame.with_columns(bucket.alias(BUCKET)).to_arrow()


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
        frame = frame.drop(BUCKET).sort(SEQ)
        stats, examples = self.ctx.new_partial()
        stage.reset()  # a bucket is a world of its own: keys never cross buckets
        out = run_stages(frame, [stage], recipe, stats, examples)
        return _to_arrow(_attach(out, stats, examples), self.ctx.flight_schema)


# -- the driver --------------------------------------------------------------------------

def _merge(stats: RunStats, examples: ExampleCollector, kinds: dict[int, str], payload: bytes) -> None:
    part = pickle.loads(payload)
    for index, groups in part["groups"].items():
        for key, counts in groups.items():
            stats.groups[index].setdefault(key, type(counts)()).add(counts)
    for index, seconds in part["seconds"].items():
        stats.seconds[index] += seconds
    for key, n in part["input"].items():
        stats.input[key] = stats.input.get(key, 0) + n
    for index, items in part["examples"].items():
        examples._merge(index, items, per_reason=kinds[index] != "transform")


def _unwrap(exc: BaseException) -> BaseException:
    """The project's own exception inside Ray's wrappers (InputError, StageError ...), else ``exc``."""
    from pipeline.readers import InputError
    from pipeline.recipe import RecipeError

    seen = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, (InputError, RecipeError)) and type(cur).__module__.startswith("pipeline"):
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
    :class:`pipeline.runner.RunResult`; raises what the local engine raises.
    """
    from pipeline.readers import InputError
    from pipeline.rundir import RunDir, package_version
    from pipeline.runner import AccountingError, RunResult
    from pipeline.writers import ParquetSink, parquet_to_datasets, parquet_to_jsonl

    started = time.perf_counter()
    ray = import_ray()
    paths = [Path(p) for p in inputs]
    if not paths:
        raise InputError("no input files given")
    _check_inputs(paths, InputError)
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
        flight = {c: (pl.String if c not in schema else schema[c]) for c in plan.input_columns}
        flight.update(_FLIGHT_EXTRA)
        recipe_bytes = pickle.dumps(recipe, protocol=pickle.HIGHEST_PROTOCOL)
        import hashlib

        ctx = _Context(recipe_bytes, hashlib.blake2b(recipe_bytes, digest_size=16).digest(), plan.shards,
                       plan.input_columns, flight, batch_size, strict, dict(recipe.reader))
        dataset, has_global = _build(ray, ctx, recipe, buckets, quiet=not reporter.enabled)

        stats = RunStats(StageInfo(s.name, s.index, s.kind, s.filter_name) for s in recipe.stages)
        examples = ExampleCollector(recipe.examples_per_rule)
        examples.register(READ_INDEX, READ_STAGE, "read")
        kinds = {READ_INDEX: "read"}
        for s in recipe.stages:
            examples.register(s.index, s.name, s.kind)
            kinds[s.index] = s.kind
        cols = recipe.columns
        kept_columns = plan.input_columns
        rejected_select = [pl.col(ORIGINAL).alias(c) if c == cols.text else pl.col(c) for c in kept_columns] + [
            pl.col(R_REASON).alias("reason"), pl.col(R_STAGE).alias("stage"), pl.col(R_DETAIL).alias("detail"),
            pl.col(R_DUP).alias("duplicate_of"), pl.col(cols.text).cast(pl.String).alias("cleaned_text"),
        ]
        sinks = [ParquetSink(run.kept_path, row_group_rows=OUTPUT_ROW_GROUP),
                 ParquetSink(run.rejected_path, row_group_rows=OUTPUT_ROW_GROUP)]
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
                        _merge(stats, examples, kinds, payload)
                if frame[SEQ][0] <= last_seq or not frame[SEQ].is_sorted():
                    raise RuntimeError("the ray engine received rows out of input order (a bug; please report it)")
                last_seq = frame[SEQ][-1]
                kept = frame.filter(pl.col(R_REASON).is_null())
                rejected = frame.filter(pl.col(R_REASON).is_not_null())
                stats.record_kept(_key(kept, cols.domain), _key(kept, cols.label))
                t0 = time.perf_counter()
                sinks[0].write(kept.select(kept_columns))
                sinks[1].write(rejected.select(rejected_select))
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
    accounted = (n_kept + n_rejected == n_input) and (n_kept == stats.total_kept) and (n_kept == kept_total)
    t0 = time.perf_counter()
    base = Path(run.path)
    for which, parquet in (("kept", run.kept_path), ("rejected", run.rejected_path)):
        if "jsonl" in recipe.outputs:
            parquet_to_jsonl(parquet, base / f"{which}.jsonl")
        if "datasets" in recipe.outputs:
            parquet_to_datasets(parquet, base / "datasets" / which)
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
        "stages": [
            {"stage": s["stage"], "index": s["index"], "kind": s["kind"], "seconds": s["seconds"], "rows_in": s["rows_in"],
             "rows_per_second": round(s["rows_in"] / s["seconds"], 1) if s["seconds"] > 0 else None}
            for s in out["stages"]
        ],
    }
    run.write_json("stats.json", out)
    run.write_json("timings.json", timings)
    example_dict = examples.to_dict()
    run.write_json("examples.json", example_dict)
    result = RunResult(run_dir=run, stats=out, timings=timings, examples=example_dict)
    if not accounted:
        raise AccountingError(
            f"rows were lost: input {n_input:,} but kept {n_kept:,} + rejected {n_rejected:,} = {n_kept + n_rejected:,} "
            f"(run directory {run.path}); this is a bug in corpus-sieve, please report it"
        )
    return result


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


def _check_inputs(paths: list[Path], error: type[Exception]) -> None:
    from pipeline.readers import looks_like_path

    for path in paths:
        text = str(path)
        if path.exists() or any(ch in text for ch in "*?["):
            continue
        if looks_like_path(text) or path.suffix:
            raise error(f"no such file or directory: {text}")


def _check_same_columns(shards: list[Shard]) -> None:
    """Inputs given together must have the same columns (as the local engine requires)."""
    from pipeline.stages import StageError

    if not shards:
        return
    first = list(shards[0].schema.names())
    for shard in shards[1:]:
        names = list(shard.schema.names())
        if names != first:
            raise StageError([f"input columns changed between inputs: {first} then {names} ({shard.display})"])


def _check_columns(columns: list[str], recipe: Recipe) -> list[str]:
    from pipeline.runner import check_input_columns

    return check_input_columns(columns, recipe.stages, recipe.columns.domain)
