"""Find the audit checks: every module in ``audits/checks/`` that defines ``CHECK_ID``.

Modules whose name starts with ``_`` and modules without ``CHECK_ID`` are
helpers and are skipped; a module with ``CHECK_ID`` must also define
``DEFAULTS`` and ``run`` (the contract in :mod:`corpus_sieve.audits.base`).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from corpus_sieve.audits.findings import CHECK_IDS

CHECKS_PACKAGE = "corpus_sieve.audits.checks"


class CheckContractError(TypeError):
    """A check module breaks the contract of :mod:`corpus_sieve.audits.base` (a bug, not a data problem)."""


def available_checks(package: str = CHECKS_PACKAGE) -> dict[str, ModuleType]:
    """``{check_id: module}`` for the check modules in ``package``, in the order of ``CHECK_IDS``.

    Examples
    --------
    >>> checks = available_checks()
    >>> all(hasattr(m, "run") and hasattr(m, "DEFAULTS") for m in checks.values())
    True
    """
    pkg = importlib.import_module(package)
    found: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        check_id = getattr(module, "CHECK_ID", None)
        if check_id is None:
            continue
        validate_module(module)
        if check_id in found:
            raise CheckContractError(
                f"check id {check_id!r} is defined twice: {found[check_id].__name__} and {module.__name__}"
            )
        found[check_id] = module
    return dict(sorted(found.items(), key=lambda kv: _rank(kv[0])))


def validate_module(module: ModuleType) -> None:
    """Raise :class:`CheckContractError` unless ``module`` has a known ``CHECK_ID``, a dict ``DEFAULTS`` and ``run``."""
    name = getattr(module, "__name__", repr(module))
    check_id = getattr(module, "CHECK_ID", None)
    if check_id not in CHECK_IDS:
        raise CheckContractError(f"{name}: CHECK_ID {check_id!r} is not one of {', '.join(CHECK_IDS)}")
    if not isinstance(getattr(module, "DEFAULTS", None), dict):
        raise CheckContractError(f"{name}: DEFAULTS must be a dict of default thresholds")
    if not callable(getattr(module, "run", None)):
        raise CheckContractError(f"{name}: run(corpus, config) is missing")
    if not isinstance(getattr(module, "STREAMS", False), bool):
        raise CheckContractError(f"{name}: STREAMS must be True or False")


def _rank(check_id: str) -> int:
    return CHECK_IDS.index(check_id) if check_id in CHECK_IDS else len(CHECK_IDS)
