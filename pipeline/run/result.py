"""What a run ends with, whichever engine ran it: its result, the kept + rejected = input
check, the timings it records and the extra outputs it converts.

Nothing is lost: at the end ``kept + rejected == input`` is checked and
recorded (``stats.json`` ``totals.accounted``); a mismatch raises
:class:`AccountingError`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from corpus_sieve.pipeline.recipe.stages import Stage
from corpus_sieve.pipeline.run.batch import REJECTED_COLUMNS

__all__ = [
    "AccountingError", "RunResult", "check_accounted", "check_input_columns", "check_input_exists",
    "raise_if_unaccounted", "record_failure", "remove_unfinished_outputs", "stage_timings", "write_extra_outputs",
]


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


def check_accounted(n_input: int, n_kept: int, n_rejected: int, counted_kept: int, streamed_kept: int) -> bool:
    """True when every input row was written once: kept + rejected = input, and the kept rows
    written, counted by the statistics and streamed to the writer agree."""
    return (n_kept + n_rejected == n_input) and (n_kept == counted_kept) and (n_kept == streamed_kept)


def raise_if_unaccounted(result: RunResult) -> RunResult:
    """``result``, or :class:`AccountingError` when its totals do not add up."""
    totals = result.stats["totals"]
    if not totals["accounted"]:
        n_input, n_kept, n_rejected = totals["input"], totals["kept"], totals["rejected"]
        raise AccountingError(
            f"rows were lost: input {n_input:,} but kept {n_kept:,} + rejected {n_rejected:,} = {n_kept + n_rejected:,} "
            f"(run directory {result.path}); this is a bug in corpus-sieve, please report it"
        )
    return result


def stage_timings(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Seconds and rows per second of every stage (``timings.json`` ``stages``)."""
    return [
        {"stage": s["stage"], "index": s["index"], "kind": s["kind"], "seconds": s["seconds"], "rows_in": s["rows_in"],
         "rows_per_second": round(s["rows_in"] / s["seconds"], 1) if s["seconds"] > 0 else None}
        for s in stats["stages"]
    ]


def check_input_exists(path: Path, error: type[Exception]) -> None:
    """Fail before a run directory is made when a local input is missing.

    Globs and Hugging Face dataset names (``org/name``) are left to the reader.
    """
    from corpus_sieve.pipeline.io.readers import looks_like_path  # the reader's own rule for "a path, not a Hub name"

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
    and says so in a note (:meth:`corpus_sieve.pipeline.recipe.stages.Stage.fit_input`).
    """
    from corpus_sieve.pipeline.io.readers import InputError

    clash = [c for c in REJECTED_COLUMNS if c in columns]
    if clash:
        raise InputError(
            f"the input has column(s) {', '.join(clash)}, which the pipeline adds to rejected rows; "
            "rename them (or select other columns) before cleaning"
        )
    return [note for stage in stages for note in stage.fit_input(columns, domain_column)]


def write_extra_outputs(run: Any, outputs: Sequence[str]) -> None:
    """The JSONL and ``datasets`` copies of kept/rejected.parquet a recipe's ``outputs`` ask for."""
    from corpus_sieve.pipeline.io.writers import parquet_to_datasets, parquet_to_jsonl

    base = Path(run.path)
    for which, parquet in (("kept", run.kept_path), ("rejected", run.rejected_path)):
        if "jsonl" in outputs:
            parquet_to_jsonl(parquet, base / f"{which}.jsonl")
        if "datasets" in outputs:
            parquet_to_datasets(parquet, base / "datasets" / which)


def remove_unfinished_outputs(run: Any) -> None:
    """A run stopped while assembling: outputs already published must not look finished.

    They are rebuilt from the checkpoint on ``--resume``.
    """
    base = Path(run.path)
    if (base / "stats.json").exists():
        return
    for name in ("kept.parquet", "rejected.parquet", "kept.jsonl", "rejected.jsonl", "timings.json",
                 "examples.json", "dev.json"):
        (base / name).unlink(missing_ok=True)
    shutil.rmtree(base / "datasets", ignore_errors=True)


def record_failure(run: Any, exc: BaseException) -> None:
    from corpus_sieve.pipeline.run.errors import describe

    try:
        run.write_json("error.json", describe(exc))
    except Exception:
        pass
