"""The one per-batch loop: a batch of rows through a recipe's stages, with its accounting.

Both engines call :func:`apply_stages` (the local engine once per batch, the
Ray engine once per Arrow batch of each task), so a rule does the same thing,
and is counted the same way, wherever it runs. Only scheduling differs
(:mod:`corpus_sieve.pipeline.engines`).

A batch carries bookkeeping columns besides the input's:

* :data:`SEQ`: the row's input position (output order, "first occurrence");
* :data:`ORIGINAL`: the text as read (rejected rows are written with it);
* :data:`DOMAIN`, :data:`LABEL`: the routing keys as strings (null without those columns).

A rejected row leaves the loop *tagged*: :data:`R_REASON`, :data:`R_STAGE`,
:data:`R_DETAIL` and :data:`R_DUP` say which stage rejected it and why;
:func:`rejected_output` turns tagged rows into the rows of ``rejected.parquet``.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

import polars as pl

from corpus_sieve.filters.base import CLEANED_COLUMN, Transform
from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.recipe.stages import REASON, Stage
from corpus_sieve.pipeline.run.examples import ExampleCollector
from corpus_sieve.pipeline.run.stats import READ_INDEX, READ_STAGE, RunStats, StageInfo, group_counts

__all__ = [
    "SEQ", "ORIGINAL", "DOMAIN", "LABEL", "R_REASON", "R_STAGE", "R_DETAIL", "R_DUP", "BOOKKEEPING",
    "REJECTED_COLUMNS", "Accounting", "apply_stages", "detail_expr", "key_columns", "output_columns",
    "rejected_output", "subtract", "tag_rejected", "with_written_columns",
]

SEQ = "__sieve_seq"
ORIGINAL = "__sieve_original"
DOMAIN = "__sieve_domain"
LABEL = "__sieve_label"
R_REASON = "__sieve_reason"
R_STAGE = "__sieve_stage"
R_DETAIL = "__sieve_detail"
R_DUP = "__sieve_duplicate_of"
#: the columns the loop adds to a batch (never written to kept.parquet)
BOOKKEEPING = (SEQ, ORIGINAL, DOMAIN, LABEL, R_REASON, R_STAGE, R_DETAIL, R_DUP)
#: what ``rejected.parquet`` has besides the input's columns
REJECTED_COLUMNS = ("reason", "stage", "detail", "duplicate_of", "cleaned_text")
_EXTRA = "__sieve_x_"


class Accounting:
    """What a run counts: per-stage statistics and examples, for one process or one worker task.

    A worker's accounting is shipped with :meth:`partial` and added on the
    driver with :meth:`merge`, so the totals do not depend on how the rows were
    split between workers.
    """

    def __init__(self, stages: Sequence[Stage], columns: ColumnMap, examples_per_rule: int) -> None:
        self.columns = columns
        self.stats = RunStats(StageInfo(s.name, s.index, s.kind, s.filter_name) for s in stages)
        self.examples = ExampleCollector(examples_per_rule)
        self.examples.register(READ_INDEX, READ_STAGE, "read")
        for s in stages:
            self.examples.register(s.index, s.name, s.kind)

    def record_read(self, batch: pl.DataFrame, reader_reason: str,
                    reader_detail: str) -> tuple[dict[tuple[Any, Any], int], pl.DataFrame]:
        """Count ``batch`` as read, and the rows its reader rejected (``reader_reason`` not null).

        Returns the rows per (domain, label) still alive after reading (the
        ``groups`` :func:`apply_stages` takes) and the reader's rejected rows, tagged.
        """
        groups = group_counts(batch[DOMAIN], batch[LABEL])
        self.stats.record_input_groups(groups)
        self.stats.record_rows(READ_INDEX, groups)
        bad = tag_rejected(batch.filter(pl.col(reader_reason).is_not_null()), pl.col(reader_reason), READ_STAGE,
                           pl.col(reader_detail), pl.lit(None, pl.String))
        if bad.height:
            self.record_rejected(READ_INDEX, bad, groups)
        return groups, bad

    def record_rejected(self, index: int, tagged: pl.DataFrame, groups: dict[tuple[Any, Any], int]) -> None:
        """Count the tagged rows stage ``index`` rejected, keep examples of them; ``groups`` loses them."""
        keys = pl.DataFrame({"d": tagged[DOMAIN], "l": tagged[LABEL], "r": tagged[R_REASON]})
        subtract(groups, self.stats.record_rejections(index, keys))
        self.examples.add_rejections(index, tagged.select(
            pl.col(SEQ).alias("seq"), pl.col(self.columns.id).cast(pl.String).alias("id"),
            pl.col(DOMAIN).alias("domain"), pl.col(LABEL).alias("label"), pl.col(self.columns.text).alias("text"),
            pl.col(R_REASON).alias("reason"), pl.col(R_DETAIL).alias("detail"), pl.col(R_DUP).alias("duplicate_of"),
        ))

    def record_changed(self, index: int, alive: pl.DataFrame, after: pl.Series) -> None:
        """Count and keep examples of the rows transform ``index`` changed (``after`` is its output)."""
        before = alive[self.columns.text]
        changed = before.ne_missing(after)
        if not changed.any():
            return
        rows = pl.DataFrame({"seq": alive[SEQ], "id": alive[self.columns.id], "domain": alive[DOMAIN],
                             "label": alive[LABEL], "before": before, "after": after}).filter(changed)
        self.stats.record_changes(index, rows.select(pl.col("domain").alias("d"), pl.col("label").alias("l"),
                                                     "before", "after"))
        self.examples.add_changed_rows(index, rows)

    def record_kept(self, kept: pl.DataFrame | dict[tuple[Any, Any], int]) -> None:
        """Count the rows that left the last stage alive: a frame of them, or their rows per (domain, label)."""
        groups = kept if isinstance(kept, dict) else group_counts(kept[DOMAIN], kept[LABEL])
        self.stats.record_kept_groups(groups)

    def partial(self) -> dict[str, Any]:
        """This accounting's counts and examples, to ship from a worker."""
        return {"stats": self.stats.partial(), "examples": self.examples.snapshot()}

    def merge(self, partial: dict[str, Any]) -> None:
        """Add a worker's :meth:`partial`."""
        self.stats.merge(partial["stats"])
        self.examples.merge(partial["examples"])


def output_columns(input_columns: Sequence[str], stages: Sequence[Stage]) -> tuple[list[str], dict[str, pl.DataType]]:
    """The columns of ``kept.parquet`` (the input's, then those the stages write, e.g. ``language``)
    and the written columns the input lacks, with their types."""
    written: dict[str, pl.DataType] = {}
    for stage in stages:
        for name, dtype in stage.output_columns().items():
            written.setdefault(name, dtype)
    new = {name: dtype for name, dtype in written.items() if name not in input_columns}
    return [*input_columns, *new], new


def with_written_columns(frame: pl.DataFrame, new: dict[str, pl.DataType]) -> pl.DataFrame:
    """``frame`` with the written columns it lacks, null (rows no stage has written yet)."""
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in new.items() if name not in frame.columns]
    return frame.with_columns(missing) if missing else frame


def key_columns(frame: pl.DataFrame, columns: ColumnMap) -> list[pl.Expr]:
    """The :data:`DOMAIN` and :data:`LABEL` routing keys of ``frame`` (null where it lacks the column)."""
    def key(column: str | None) -> pl.Expr:
        if column and column in frame.columns:
            return pl.col(column).cast(pl.String)
        return pl.lit(None, pl.String)

    return [key(columns.domain).alias(DOMAIN), key(columns.label).alias(LABEL)]


def tag_rejected(rows: pl.DataFrame, reason: pl.Expr, stage: str, detail: pl.Expr, duplicate_of: pl.Expr) -> pl.DataFrame:
    """``rows`` with the reason, stage, detail and duplicate columns of a rejection."""
    return rows.with_columns(
        reason.cast(pl.String).alias(R_REASON), pl.lit(stage, pl.String).alias(R_STAGE),
        detail.cast(pl.String).alias(R_DETAIL), duplicate_of.cast(pl.String).alias(R_DUP),
    )


def apply_stages(
    alive: pl.DataFrame,
    stages: Sequence[Stage],
    columns: ColumnMap,
    accounting: Accounting,
    groups: dict[tuple[Any, Any], int] | None = None,
    after_first_stage: Callable[[], Any] | None = None,
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Run ``alive`` (rows no stage has rejected yet) through ``stages``.

    Transforms rewrite the text column; checks take rows out, tagged
    (:func:`tag_rejected`), and a check that rewrites the rows it keeps
    (:attr:`~corpus_sieve.filters.base.Check.rewrites_text`) rewrites them. Every stage's rows in, changes and rejections go to
    ``accounting``. ``groups`` (rows per domain x label of ``alive``) is
    counted here when not given, and updated as rows are rejected.
    ``after_first_stage`` runs once the first stage is done (the local engine
    starts the next batch's per-row work then).

    Returns the surviving rows (with the rewritten text, same columns as
    ``alive``) and the tagged rejected rows, one frame per rejecting stage.
    The caller counts the rows it keeps (:meth:`Accounting.record_kept`):
    only it knows whether more stages follow elsewhere.
    """
    if groups is None:
        groups = group_counts(alive[DOMAIN], alive[LABEL])
    stats = accounting.stats
    text = columns.text
    rejected: list[pl.DataFrame] = []
    for position, stage in enumerate(stages):
        if alive.height == 0:
            break
        t0 = time.perf_counter()
        out = stage.apply(alive, text, columns.domain, columns.id)
        stats.add_time(stage.index, time.perf_counter() - t0)
        if position == 0 and after_first_stage is not None:
            after_first_stage()
        stats.record_rows(stage.index, groups)
        if issubclass(stage.filter_class, Transform):
            after = out["text"]
            accounting.record_changed(stage.index, alive, after)
            alive = alive.with_columns(after.alias(text))
            continue
        reason = out[REASON]
        written = [c for c in stage.output_columns() if c in out.columns]
        if written:  # kept and rejected rows alike carry what the stage found
            alive = alive.with_columns(out[c].cast(alive.schema[c]) if c in alive.columns else out[c] for c in written)
        is_bad = reason.is_not_null()
        cleaned = out[CLEANED_COLUMN] if CLEANED_COLUMN in out.columns else None
        if not is_bad.any():
            if cleaned is not None:
                alive = _rewrite(accounting, stage.index, alive, text, cleaned)
            continue
        extras = out.drop(REASON, *written, CLEANED_COLUMN, strict=False)
        bad = alive.with_columns(
            reason.alias(_EXTRA + "reason"), *[extras[c].alias(_EXTRA + c) for c in extras.columns]
        ).filter(is_bad)
        duplicate_of = pl.col(_EXTRA + "duplicate_of") if "duplicate_of" in extras.columns else pl.lit(None, pl.String)
        bad = tag_rejected(bad, pl.col(_EXTRA + "reason"), stage.name, detail_expr(extras.columns), duplicate_of)
        bad = bad.select(*[c for c in bad.columns if not c.startswith(_EXTRA)])
        accounting.record_rejected(stage.index, bad, groups)
        rejected.append(bad)
        alive = alive.filter(~is_bad)
        if cleaned is not None:
            alive = _rewrite(accounting, stage.index, alive, text, cleaned.filter(~is_bad))
    return alive, rejected


def _rewrite(accounting: Accounting, index: int, alive: pl.DataFrame, text: str, cleaned: pl.Series) -> pl.DataFrame:
    """The kept rows of a check that also rewrites them (``c4_quality``), with the text it left, counted."""
    accounting.record_changed(index, alive, cleaned)
    return alive.with_columns(cleaned.cast(alive.schema[text]).alias(text))


def rejected_output(tagged: pl.DataFrame, input_columns: Sequence[str], text: str) -> list[pl.Expr]:
    """The columns of ``rejected.parquet`` from tagged rows: the input's (text as read), then
    reason, stage, detail, duplicate_of and the text as the rejecting stage saw it."""
    return [
        *[pl.col(ORIGINAL).alias(text) if c == text else pl.col(c) for c in input_columns],
        pl.col(R_REASON).alias("reason"), pl.col(R_STAGE).alias("stage"), pl.col(R_DETAIL).alias("detail"),
        pl.col(R_DUP).alias("duplicate_of"), pl.col(text).cast(pl.String).alias("cleaned_text"),
    ]


def subtract(groups: dict[Any, int], removed: dict[Any, int]) -> None:
    """Take rejected rows out of the per-group row counts (groups left empty are dropped)."""
    for key, n in removed.items():
        left = groups[key] - n
        if left:
            groups[key] = left
        else:
            del groups[key]


def detail_expr(extra_columns: list[str]) -> pl.Expr:
    """Detail columns a check returned (other than ``duplicate_of``) as ``name=value; ...``."""
    parts = []
    for c in extra_columns:
        if c == "duplicate_of":
            continue
        value = pl.col(_EXTRA + c).cast(pl.String)
        parts.append(value if c == "detail" else pl.format(f"{c}={{}}", value))
    if not parts:
        return pl.lit(None, pl.String)
    joined = pl.concat_str(parts, separator="; ", ignore_nulls=True)
    return pl.when(joined == "").then(None).otherwise(joined)
