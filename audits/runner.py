"""Run the audit checks on a corpus and merge what they return.

The Python API::

    from corpus_sieve.audits.loader import load_corpus
    from corpus_sieve.audits.runner import run_audit

    result = run_audit(load_corpus("runs/latest"))
    result.verdict            # "pass" | "warn" | "fail"
    result.findings           # list[Finding], errors first, then by effect size
    result.flags              # one row per corpus id, every check's flag columns

A check that raises is a bug in that check, never a finding about the data:
the runner re-raises it as :class:`CheckFailed` naming the check.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import polars as pl

from corpus_sieve.audits.base import DOMAIN, ID, LABEL, ROW, SPLIT, AuditConfig, AuditCorpus, CheckResult
from corpus_sieve.audits.config import AuditConfigError, effective_thresholds
from corpus_sieve.audits.findings import SEVERITY_RANK, Finding, ordered, verdict
from corpus_sieve.audits.registry import CheckContractError, available_checks, validate_module

#: flags.parquet column listing the checks whose warn/error findings name the row
FLAGGED_BY = "flagged_by"


class CheckFailed(RuntimeError):
    """A check raised or broke the contract: a bug in corpus-sieve, not a property of the data."""

    def __init__(self, check_id: str, message: str):
        super().__init__(f"audit check {check_id!r} failed: {message}")
        self.check_id = check_id


@dataclass
class AuditResult:
    """Everything an audit produced; :mod:`corpus_sieve.audits.report.outputs` writes it to disk."""

    corpus: AuditCorpus
    config: AuditConfig
    findings: list[Finding]
    tables: dict[str, dict[str, Any]]
    #: a LazyFrame (a scan of the work directory's spill) for a streamed corpus
    flags: pl.DataFrame | pl.LazyFrame
    timings: dict[str, float]
    thresholds: dict[str, dict[str, Any]]
    checks_run: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """``fail`` if any error, ``warn`` if any warning, else ``pass``."""
        return verdict(self.findings)

    def counts(self) -> dict[str, int]:
        """Number of findings per severity, every severity present (``{"error": 1, "warn": 0, "info": 3}``)."""
        out = {s: 0 for s in sorted(SEVERITY_RANK, key=SEVERITY_RANK.get, reverse=True)}
        for f in self.findings:
            out[f.severity] += 1
        return out

    def by_check(self, check_id: str) -> list[Finding]:
        return [f for f in self.findings if f.check == check_id]

    def corpus_summary(self) -> dict[str, Any]:
        """Rows, labels, domains and splits with their counts (plain Python, JSON-ready)."""
        return corpus_summary(self.corpus)


def run_audit(
    corpus: AuditCorpus,
    config: AuditConfig | None = None,
    checks: Iterable[str] | None = None,
    *,
    modules: Mapping[str, ModuleType] | None = None,
    progress: Callable[[str], None] | None = None,
) -> AuditResult:
    """Run ``checks`` (default: every available check) on ``corpus``.

    ``modules`` replaces the discovered check modules (``{check_id: module}``);
    tests use it to inject fake checks. ``progress`` is called with one line
    before and after each check (``sieve audit`` prints them to stderr).

    On a streamed corpus a check whose module does not set ``STREAMS = True``
    gets the corpus loaded in memory (once, freed after the last such check),
    so every check runs, in bounded memory or not; the result's ``flags`` is
    then a LazyFrame over the corpus's work directory: read or write it
    before ``corpus.close()``.

    Examples
    --------
    >>> import polars as pl
    >>> from corpus_sieve.audits.loader import canonicalise
    >>> corpus = canonicalise(pl.DataFrame({"text": ["a", "b"], "label": ["x", "y"]}))
    >>> result = run_audit(corpus, checks=[], modules={})
    >>> result.verdict, result.flags.columns
    ('pass', ['id', 'flagged_by'])
    """
    config = config or AuditConfig()
    modules = dict(available_checks() if modules is None else modules)
    for module in modules.values():
        validate_module(module)
    selected = list(modules) if checks is None else list(dict.fromkeys(checks))
    unknown = [c for c in selected if c not in modules]
    if unknown:
        raise AuditConfigError(
            f"unknown check(s) {', '.join(map(repr, unknown))}; available: {', '.join(modules) or 'none'}"
        )
    selected_modules = {c: modules[c] for c in selected}

    findings: list[Finding] = []
    tables: dict[str, dict[str, Any]] = {}
    flag_frames: list[tuple[str, pl.DataFrame]] = []
    timings: dict[str, float] = {}
    in_memory = [c for c, m in selected_modules.items() if corpus.streamed and not getattr(m, "STREAMS", False)]
    loaded = None
    report = progress or (lambda line: None)
    started = time.perf_counter()
    for number, (check_id, module) in enumerate(selected_modules.items(), 1):
        start = time.perf_counter()
        report(f"[{number}/{len(selected_modules)}] {check_id} ...")
        target = corpus
        if check_id in in_memory:
            loaded = loaded or materialise(corpus)
            target = loaded
        try:
            result = module.run(target, config)
        except Exception as exc:  # noqa: BLE001 - re-raised with the check named
            raise CheckFailed(check_id, f"{type(exc).__name__}: {exc}") from exc
        timings[check_id] = round(time.perf_counter() - start, 4)
        if check_id in in_memory and check_id == in_memory[-1]:
            loaded = None
        report(_progress_line(number, len(selected_modules), check_id, timings[check_id], time.perf_counter() - started))
        _validate_result(check_id, result)
        findings.extend(result.findings)
        tables[check_id] = dict(result.tables or {})
        if result.flags is not None:
            flag_frames.append((check_id, result.flags))

    defaults = {c: dict(getattr(m, "FLAG_DEFAULTS", {}) or {}) for c, m in selected_modules.items()}
    if corpus.streamed:
        flags = spill_flags(corpus, flag_frames, findings, defaults)
    else:
        flags = merge_flags(corpus.frame.select(ID), flag_frames, findings, defaults)
    return AuditResult(
        corpus=corpus,
        config=config,
        findings=ordered(findings),
        tables=tables,
        flags=flags,
        timings=timings,
        thresholds=effective_thresholds(config, selected_modules),
        checks_run=list(selected_modules),
    )


def materialise(corpus: AuditCorpus) -> AuditCorpus:
    """``corpus`` with its texts in memory (a streamed corpus is read back from its canonical file)."""
    from dataclasses import fields

    from corpus_sieve.audits.loader import LoadedCorpus

    if not corpus.streamed:
        return corpus
    kept = {f.name: getattr(corpus, f.name) for f in fields(LoadedCorpus) if f.name != "frame"}
    return LoadedCorpus(frame=corpus.scan().collect(), **kept)


def _progress_line(number: int, total: int, check_id: str, seconds: float, elapsed: float) -> str:
    """``[3/10] token_shortcut done in 12.3 s; about 40 s left; peak memory 1.10 GB`` (the time left
    estimated at the mean time of the checks so far)."""
    left = elapsed / number * (total - number)
    tail = f"; about {left:.0f} s left" if number < total else f"; audit {elapsed:.0f} s"
    return f"[{number}/{total}] {check_id} done in {seconds:.1f} s{tail}{_peak_memory()}"


def _peak_memory() -> str:
    """``; peak memory 1.23 GB`` (this process's peak resident set so far), or nothing where unknown."""
    try:
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except (ImportError, OSError):
        return ""
    return f"; peak memory {peak / (1e9 if sys.platform == 'darwin' else 1e6):.2f} GB"


def merge_flags(
    ids: pl.DataFrame,
    flag_frames: list[tuple[str, pl.DataFrame]],
    findings: list[Finding],
    defaults: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    validate: bool = True,
) -> pl.DataFrame:
    """One row per corpus id: every check's flag columns plus :data:`FLAGGED_BY`.

    A flag column two checks both use is prefixed with the check id
    (``duplicates__group``); boolean flags of rows a check left out are
    False and list flags empty, so a check may list only the rows it flags;
    ``defaults`` (a check module's ``FLAG_DEFAULTS``) give other columns their
    value for the rows left out.
    """
    merged = ids
    names = [c for _, frame in flag_frames for c in frame.collect_schema().names() if c not in (ID, ROW)]
    clashing = {c for c in names if names.count(c) > 1 or c == FLAGGED_BY}
    for check_id, frame in flag_frames:
        if isinstance(frame, pl.LazyFrame):
            frame = frame.collect()
        frame = frame.drop(ROW, strict=False)
        if ID not in frame.columns:
            raise CheckFailed(check_id, f"flags frame has no {ID!r} column (columns: {frame.columns})")
        frame = frame.with_columns(pl.col(ID).cast(pl.String))
        if validate:
            _validate_flags(check_id, frame, ids)
        renames = {c: f"{check_id}__{c}" for c in frame.columns if c in clashing}
        frame = frame.rename(renames)
        bool_cols = [c for c, t in frame.schema.items() if t == pl.Boolean]
        list_cols = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
        own = {renames.get(c, c): v for c, v in ((defaults or {}).get(check_id) or {}).items()}
        merged = merged.join(frame, on=ID, how="left", maintain_order="left").with_columns(
            pl.col(bool_cols).fill_null(False),
            *[pl.col(c).fill_null(pl.lit([], dtype=frame.schema[c])) for c in list_cols],
            *[pl.col(c).fill_null(pl.lit(v, dtype=frame.schema[c])) for c, v in own.items() if c in frame.columns],
        )
    return merged.join(_flagged_by(findings), on=ID, how="left", maintain_order="left").with_columns(
        pl.col(FLAGGED_BY).fill_null(pl.lit([], dtype=pl.List(pl.String)))
    )


def _validate_flags(check_id: str, frame: pl.DataFrame, ids: pl.DataFrame) -> None:
    if frame[ID].is_duplicated().any():
        raise CheckFailed(check_id, "flags frame has repeated ids; it must have one row per id")
    extra = frame.join(ids, on=ID, how="anti")
    if extra.height:
        raise CheckFailed(check_id, f"flags frame has {extra.height} id(s) not in the corpus, e.g. {extra[ID][0]!r}")


def spill_flags(
    corpus: AuditCorpus,
    flag_frames: list[tuple[str, pl.DataFrame]],
    findings: list[Finding],
    defaults: Mapping[str, Mapping[str, Any]] | None = None,
    chunk_rows: int = 500_000,
) -> pl.LazyFrame:
    """:func:`merge_flags` for a streamed corpus, written chunk by chunk to ``flags.parquet`` in its
    work directory and returned as a scan (the merged flags of ten million rows would not fit)."""
    ids = corpus.frame.select(pl.col(ID).cast(pl.String))
    for check_id, frame in flag_frames:
        # a lazy frame is a check's own spill of the corpus's rows, written with their positions
        if isinstance(frame, pl.DataFrame) and ID in frame.columns:
            _validate_flags(check_id, frame.drop(ROW, strict=False).with_columns(pl.col(ID).cast(pl.String)), ids)
        elif isinstance(frame, pl.LazyFrame) and ROW not in frame.collect_schema().names():
            raise CheckFailed(check_id, f"a lazy flags frame needs the {ROW!r} column (row positions)")

    def chunks():
        for start in range(0, ids.height, chunk_rows):
            chunk = [
                (c, f.filter(pl.col(ROW).is_between(start, start + chunk_rows - 1)).collect()
                 if isinstance(f, pl.LazyFrame) else f)
                for c, f in flag_frames
            ]
            yield merge_flags(ids.slice(start, chunk_rows), chunk, findings, defaults, validate=False)

    return corpus.collect_frames("flags", chunks())


def _flagged_by(findings: list[Finding]) -> pl.DataFrame:
    parts = [
        pl.DataFrame({ID: [str(i) for i in f.row_ids], "check": f.check}, schema={ID: pl.String, "check": pl.String})
        for f in findings
        if f.row_ids and f.severity != "info"
    ]
    if not parts:
        return pl.DataFrame(schema={ID: pl.String, FLAGGED_BY: pl.List(pl.String)})
    return (
        pl.concat(parts)
        .unique()
        .group_by(ID)
        .agg(pl.col("check").sort().alias(FLAGGED_BY))
    )


def _validate_result(check_id: str, result: Any) -> None:
    if not isinstance(result, CheckResult):
        raise CheckFailed(check_id, f"run() returned {type(result).__name__}, expected CheckResult")
    for f in result.findings:
        if not isinstance(f, Finding):
            raise CheckFailed(check_id, f"findings must be Finding objects, got {type(f).__name__}")
    if result.flags is not None and not isinstance(result.flags, (pl.DataFrame, pl.LazyFrame)):
        raise CheckFailed(check_id, f"flags must be a polars DataFrame or LazyFrame, got {type(result.flags).__name__}")


def corpus_summary(corpus: AuditCorpus) -> dict[str, Any]:
    """Rows and the counts per label, domain and split, as plain Python."""
    frame = corpus.frame

    def counts(col: str) -> dict[str, int]:
        if col not in frame.columns:
            return {}
        rows = frame.group_by(col).len().sort(col, nulls_last=True).iter_rows()
        return {("(none)" if k is None else str(k)): int(n) for k, n in rows}

    summary: dict[str, Any] = {
        "rows": frame.height,
        "labels": counts(LABEL),
        "domains": counts(DOMAIN),
        "splits": counts(SPLIT) if corpus.has_split else {},
        "has_domain": corpus.has_domain,
        "has_split": corpus.has_split,
        "has_source": corpus.has_source,
        "run_dir": str(corpus.run_dir) if corpus.run_dir else None,
    }
    path = getattr(corpus, "path", None)
    summary["input"] = str(path) if path is not None else None
    summary["excluded"] = dict(getattr(corpus, "excluded", {}) or {})
    return summary


__all__ = ["AuditResult", "CheckFailed", "CheckContractError", "run_audit", "merge_flags", "spill_flags", "corpus_summary"]
