"""corpus-sieve audits: before training, find what besides meaning predicts the labels.

* ``checks/``: one check per file, file name = check id (copy one to add a check);
* ``stats/``: the statistics the checks share (shortcut tests, surface properties,
  token tags, text keys, shingles, MinHash, the near-duplicate index);
* ``report/``: ``report.html``, its figures, and the files an audit writes.

The names below are imported on first use; an IDE and a type checker see them
through the imports under ``TYPE_CHECKING``.

>>> from corpus_sieve.audits import load_corpus, run_audit
>>> callable(run_audit)
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corpus_sieve.audits.config import AuditConfigError, build_config, config_from_recipe
    from corpus_sieve.audits.findings import Finding
    from corpus_sieve.audits.loader import AuditInputError, load_corpus
    from corpus_sieve.audits.registry import available_checks
    from corpus_sieve.audits.runner import AuditResult, CheckFailed, run_audit

_WHERE = {
    "AuditConfigError": "corpus_sieve.audits.config",
    "build_config": "corpus_sieve.audits.config",
    "config_from_recipe": "corpus_sieve.audits.config",
    "Finding": "corpus_sieve.audits.findings",
    "AuditInputError": "corpus_sieve.audits.loader",
    "load_corpus": "corpus_sieve.audits.loader",
    "available_checks": "corpus_sieve.audits.registry",
    "AuditResult": "corpus_sieve.audits.runner",
    "CheckFailed": "corpus_sieve.audits.runner",
    "run_audit": "corpus_sieve.audits.runner",
}

__all__ = [
    "AuditConfigError",
    "AuditInputError",
    "AuditResult",
    "CheckFailed",
    "Finding",
    "available_checks",
    "build_config",
    "config_from_recipe",
    "load_corpus",
    "run_audit",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
