"""Write an :class:`~corpus_sieve.audits.runner.AuditResult` to a directory.

``audit.json`` (for programs), ``flags.parquet`` (per-row flags to join back)
and ``report.html`` (for people), directly in the output directory.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from corpus_sieve.audits.runner import AuditResult

AUDIT_JSON, FLAGS_PARQUET, REPORT_HTML = "audit.json", "flags.parquet", "report.html"
#: bumped when a key of audit.json changes meaning or disappears
SCHEMA_VERSION = 1


def audit_json(result: AuditResult) -> dict[str, Any]:
    """The ``audit.json`` document: ``verdict``, ``readiness`` and ``findings`` (the contract) plus context keys.

    Examples
    --------
    >>> import polars as pl
    >>> from corpus_sieve.audits.loader import canonicalise
    >>> from corpus_sieve.audits.runner import run_audit
    >>> doc = audit_json(run_audit(canonicalise(pl.DataFrame({"text": ["a"], "label": ["x"]})), modules={}))
    >>> doc["verdict"], doc["findings"], doc["counts"], doc["readiness"]["band"]
    ('pass', [], {'error': 0, 'warn': 0, 'info': 0}, 'A')
    """
    from corpus_sieve.audits.actions import actions
    from corpus_sieve.audits.readiness import readiness
    from corpus_sieve.pipeline.report.html import version

    ranked = actions(result)
    return {
        "verdict": result.verdict,
        "readiness": readiness(result),
        "actions": ranked["actions"],
        "vocabulary": ranked["vocabulary"],
        "findings": [f.to_json() for f in result.findings],
        "counts": result.counts(),
        "corpus": result.corpus_summary(),
        "checks": result.checks_run,
        "thresholds": _jsonable(result.thresholds),
        "allow_list": sorted(result.config.allow_list),
        "seed": result.config.seed,
        "timings_s": _jsonable(result.timings),
        "version": version(),
        "schema_version": SCHEMA_VERSION,
    }


def write_outputs(result: AuditResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``audit.json``, ``flags.parquet`` and ``report.html`` into ``out_dir``; return their paths."""
    from corpus_sieve.audits.report.html_report import render_html

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / AUDIT_JSON, "flags": out / FLAGS_PARQUET, "html": out / REPORT_HTML}
    text = json.dumps(audit_json(result), ensure_ascii=False, indent=2, allow_nan=False)
    _write_atomic(paths["json"], text)
    tmp = paths["flags"].with_suffix(".parquet.tmp")
    if isinstance(result.flags, pl.LazyFrame):
        result.flags.sink_parquet(tmp)
    else:
        result.flags.write_parquet(tmp)
    tmp.replace(paths["flags"])
    _write_atomic(paths["html"], render_html(result))
    return paths


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _jsonable(value: Any) -> Any:
    """Plain JSON values: NaN/inf become null, numpy scalars Python numbers, sets sorted lists."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [_jsonable(v) for v in items]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # numpy scalar
        return _jsonable(value.item())
    return str(value)
