"""What every audit check receives and returns.

A check is a module in ``audits/checks/`` exposing::

    CHECK_ID: str                       # one of corpus_sieve.audits.findings.CHECK_IDS
    DEFAULTS: dict[str, float | int]    # documented default thresholds
    def run(corpus: AuditCorpus, config: AuditConfig) -> CheckResult

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

    @property
    def labels(self) -> list[str]:
        return sorted(self.frame[LABEL].unique().to_list())

    @property
    def domains(self) -> list[str]:
        return sorted(self.frame[DOMAIN].unique().to_list())

    def example_rows(self, frame: pl.DataFrame, n: int = 3, max_chars: int = 300) -> list:
        """Up to ``n`` :class:`~corpus_sieve.audits.findings.Example` from ``frame`` (text cut to ``max_chars``)."""
        from corpus_sieve.audits.findings import Example

        out = []
        for row in frame.head(n).iter_rows(named=True):
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
    flags: pl.DataFrame | None = None
