"""What every audit check receives and returns.

A check is a module in ``audits/checks/`` exposing::

    CHECK_ID: str                       # one of corpus_sieve.audits.findings.CHECK_IDS
    DEFAULTS: dict[str, float | int]    # documented default thresholds
    def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult
    STREAMS: bool = False               # optional: run() never reads corpus.frame[TEXT]

A check with ``STREAMS = True`` reads texts only through ``corpus.scan()``,
``corpus.iter_batches()`` and ``corpus.with_text()``, so it runs in bounded
memory on a streamed corpus
(:class:`corpus_sieve.audits.scale.corpus.StreamedCorpus`, whose ``frame``
holds no text). The runner gives any other check the corpus loaded in memory.

Checks are pure functions of the corpus and the thresholds; the runner
(``corpus_sieve.audits.runner``) calls them, merges their findings, tables and row flags,
and the report writers turn that into ``audit.json``, ``report.html`` and
``flags.parquet``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from corpus_sieve.audits.findings import Finding

#: canonical column names inside the audits (the loader renames user columns to these)
ID, TEXT, LABEL, DOMAIN, SPLIT, SOURCE = "id", "text", "label", "domain", "split", "source"
#: the domain given to every row of a corpus that has no domain column
SINGLE_DOMAIN = "all"
#: optional column of a check's flags frame: the row's position in the corpus (the runner drops it;
#: on a spilled, lazy flags frame it lets the runner read the flags chunk by chunk)
ROW = "_row"


@dataclass
class AuditCorpus:
    """A labelled corpus in canonical form.

    ``frame`` has columns ``id`` (String, unique), ``text`` (String), ``label``
    (String, non-null), ``domain`` (String, non-null; ``"all"`` when the input
    has no domains), ``split`` (String or null) and ``source`` (String or null).
    """

    frame: pl.DataFrame
    has_domain: bool = True
    has_split: bool = False
    has_source: bool = False
    #: the pipeline run directory the corpus came from, if any (for rule retention)
    run_dir: Path | None = None

    #: whether the texts live on disk (:class:`corpus_sieve.audits.scale.corpus.StreamedCorpus`)
    streamed = False
    #: the near-duplicate index class for this corpus (None: the in-memory
    #: :class:`corpus_sieve.audits.stats.neardup.NearDupIndex`); called as ``cls(frame, params, corpus=corpus)``
    near_dup_index_class = None

    @property
    def labels(self) -> list[str]:
        return sorted(str(v) for v in self.frame[LABEL].unique().to_list())

    @property
    def domains(self) -> list[str]:
        return sorted(str(v) for v in self.frame[DOMAIN].unique().to_list())

    @property
    def height(self) -> int:
        """Number of rows."""
        return self.frame.height

    def scan(self) -> pl.LazyFrame:
        """Every canonical column (``text`` included) as a LazyFrame, in row order.

        Checks that express their work as lazy queries (collected with polars'
        streaming engine) run unchanged on a corpus whose texts stay on disk.
        """
        return self.frame.lazy()

    def iter_batches(self, columns: list[str] | None = None, batch_rows: int = 200_000):
        """The corpus in row order as DataFrames of at most ``batch_rows`` rows (``columns`` only, if given)."""
        frame = self.frame if columns is None else self.frame.select(columns)
        for start in range(0, max(frame.height, 1), batch_rows):
            yield frame.slice(start, batch_rows)

    def collect_frames(self, name: str, frames, empty: pl.DataFrame | None = None) -> pl.DataFrame | pl.LazyFrame:
        """The frames produced batch by batch, as one frame (``empty`` when there are none).

        In memory they are concatenated; a streamed corpus writes them to a
        spill file named ``name`` in its work directory and returns a scan, so
        per-row results as large as the corpus never sit in memory. Without
        ``empty`` the first frame gives the columns.
        """
        parts = list(frames)
        kept = [f for f in parts if f.height]
        if kept:
            return pl.concat(kept)
        return empty if empty is not None else (parts[0] if parts else pl.DataFrame())

    def with_text(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (rows of this corpus, with ``id``) with its ``text`` column, fetched when it lacks one."""
        if TEXT in frame.columns or frame.height == 0:
            return frame
        return frame.join(self.frame.select(ID, TEXT), on=ID, how="left", maintain_order="left")

    def example_rows(self, frame: pl.DataFrame, n: int = 3, max_chars: int = 300) -> list:
        """Up to ``n`` :class:`~corpus_sieve.audits.findings.Example` from ``frame`` (text cut to ``max_chars``)."""
        from corpus_sieve.audits.findings import Example

        out = []
        for row in self.with_text(frame.head(n)).iter_rows(named=True):
            text = row.get(TEXT) or ""
            out.append(
                Example(
                    id=str(row[ID]),
                    text=text if len(text) <= max_chars else text[: max_chars - 1] + "…",
                    label=row.get(LABEL),
                    domain=row.get(DOMAIN),
                )
            )
        return out


@dataclass
class AuditConfig:
    """Thresholds per check (defaults from each check's ``DEFAULTS``, overridable
    by the recipe's ``audit:`` section) and the allow-list of legitimate markers."""

    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)
    allow_list: frozenset[str] = frozenset()
    seed: int = 0

    def for_check(self, check_id: str, defaults: dict[str, Any]) -> dict[str, Any]:
        """``defaults`` updated with the user's overrides for ``check_id``."""
        merged = dict(defaults)
        merged.update(self.thresholds.get(check_id, {}))
        return merged


@dataclass
class CheckResult:
    """What one check returns.

    ``tables`` hold data for the report's plots (e.g. every tested token with its
    z and frequency); ``flags`` is a per-row frame keyed by ``id`` with the
    check's flag columns (joined into ``flags.parquet``).
    """

    findings: list[Finding] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)
    #: a LazyFrame (a spill from ``corpus.collect_frames``) must carry :data:`ROW`
    flags: pl.DataFrame | pl.LazyFrame | None = None
