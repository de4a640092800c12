"""Data readiness bands: how far a corpus is from being fit to train on, per corpus and per domain.

The bands (the founding documents' data readiness levels), each requiring the one below:

* **C, accessible**: the corpus loads, and at most :data:`MAX_UNREADABLE` of its rows were
  unreadable (bad encoding, malformed records, no text, the run's reader rejections) or hold
  U+FFFD replacement characters (text decoded with the wrong encoding);
* **B, faithful**: it records what it claims: no warning or error from the checks of
  :data:`FAITHFUL` (duplicates, conflicting labels);
* **A, fit for the question**: nothing lets a model answer without the meaning: no warning or
  error from :data:`FIT` (shortcuts, confounding, leakage, imbalance, uneven cleaning).

A domain gets the band its own findings allow, and those of the corpus-wide findings that name
rows of it (a corpus-wide finding that names no rows counts for every domain). ``band`` is the highest
band whose criteria all hold, ``None`` when not even C holds; ``reasons`` say what holds a corpus
below the next band.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import polars as pl

from corpus_sieve.audits.base import DOMAIN, ID, TEXT

if TYPE_CHECKING:
    from corpus_sieve.audits.findings import Finding
    from corpus_sieve.audits.runner import AuditResult

__all__ = ["BANDS", "FAITHFUL", "FIT", "MAX_UNREADABLE", "band_rank", "readiness"]

BANDS = ("C", "B", "A")
#: checks whose warnings and errors keep a corpus below B
FAITHFUL = ("duplicates", "conflicting_labels", "label_issues")
#: checks whose warnings and errors keep a corpus below A
FIT = ("label_balance", "domain_confounding", "token_shortcut", "property_shortcut", "text_free_baseline",
       "split_leakage", "rule_retention")
#: the share of unreadable rows (or rows with replacement characters) a corpus may have and still be C
MAX_UNREADABLE = 0.01


def band_rank(band: str | None) -> int:
    """``None`` < ``"C"`` < ``"B"`` < ``"A"``, as numbers (for ``--fail-below``).

    >>> [band_rank(b) for b in (None, "C", "B", "A")]
    [0, 1, 2, 3]
    """
    return 0 if band is None else BANDS.index(band) + 1


def readiness(result: AuditResult) -> dict[str, Any]:
    """``{"band", "by_domain", "reasons"}`` of an audit (see the module docstring)."""
    access = _accessibility(result)
    frame = result.corpus.frame
    domains = sorted(frame[DOMAIN].unique().drop_nulls().to_list()) if result.corpus.has_domain else []
    blocking = [f for f in result.findings if f.severity in ("warn", "error")]
    reasons = [{"band": "C", "check": None, "domain": None, "message": m} for m in access]
    band = None if access else _band(blocking, None)
    for f in blocking:
        needed = "B" if f.check in FAITHFUL else "A" if f.check in FIT else None
        if needed is not None and not access:
            reasons.append({"band": needed, "check": f.check, "domain": f.domain, "severity": f.severity,
                            "message": f.message})
    reach = _reach(blocking, frame)
    by_domain = {d: (None if access else _band(blocking, d, reach)) for d in domains}
    return {"band": band, "by_domain": by_domain, "reasons": reasons}


def _reach(blocking: list[Finding], frame: pl.DataFrame) -> list[set[str] | None]:
    """The domains each finding concerns: its own; for a corpus-wide finding, the domains of the rows
    it names (None, all domains, when it names none)."""
    named = {str(i) for f in blocking if f.domain is None for i in f.row_ids}
    domain_of = (
        dict(frame.filter(pl.col(ID).is_in(pl.Series(sorted(named), dtype=pl.String).implode()))
             .select(ID, pl.col(DOMAIN).cast(pl.String)).iter_rows())
        if named else {}
    )
    reach: list[set[str] | None] = []
    for f in blocking:
        if f.domain is not None:
            reach.append({f.domain})
        elif f.row_ids:
            reach.append({domain_of[i] for i in map(str, f.row_ids) if i in domain_of})
        else:
            reach.append(None)
    return reach


def _band(blocking: list[Finding], domain: str | None, reach: list[set[str] | None] | None = None) -> str:
    """The band the findings allow for ``domain`` (None: the whole corpus)."""
    if domain is None:
        mine = blocking
    else:
        mine = [f for f, where in zip(blocking, reach or [None] * len(blocking)) if where is None or domain in where]
    if any(f.check in FAITHFUL for f in mine):
        return "C"
    if any(f.check in FIT for f in mine):
        return "B"
    return "A"


def _accessibility(result: AuditResult) -> list[str]:
    """Why the corpus is not accessible (band C), or nothing when it is."""
    corpus = result.corpus
    rows = corpus.frame.height
    problems: list[str] = []
    unreadable = sum(getattr(corpus, "excluded", {}).values())
    read_rejected, read_reasons = _reader_rejections(corpus)
    total = rows + unreadable + read_rejected
    bad = unreadable + read_rejected
    if total and bad / total > MAX_UNREADABLE:
        found = {**getattr(corpus, "excluded", {}), **read_reasons}
        detail = ", ".join(f"{reason} {n:,}" for reason, n in found.items())
        problems.append(f"{bad:,} of {total:,} rows ({bad / total:.1%}) could not be read ({detail}); "
                        f"at most {MAX_UNREADABLE:.0%} for band C")
    replaced = (
        corpus.scan().select(pl.col(TEXT).str.contains("\ufffd", literal=True).sum()).collect(engine="streaming").item()
        if rows
        else 0
    )
    if rows and replaced / rows > MAX_UNREADABLE:
        problems.append(f"{replaced:,} of {rows:,} texts ({replaced / rows:.1%}) hold U+FFFD replacement characters "
                        f"(decoded with the wrong encoding); at most {MAX_UNREADABLE:.0%} for band C")
    return problems


def _reader_rejections(corpus: Any) -> tuple[int, dict[str, int]]:
    """Rows the cleaning run's reader rejected (``stats.json``), when the corpus is a run directory."""
    run_dir = getattr(corpus, "run_dir", None)
    if run_dir is None or not (run_dir / "stats.json").exists():
        return 0, {}
    stats = json.loads((run_dir / "stats.json").read_text(encoding="utf-8"))
    read = next((s for s in stats.get("stages", []) if s.get("kind") == "read"), None)
    if read is None:
        return 0, {}
    return int(read.get("rows_rejected", 0)), {f"read: {k}": int(v) for k, v in read.get("reasons", {}).items()}
