"""Build and validate an :class:`~corpus_sieve.audits.base.AuditConfig`.

The recipe's ``audit:`` section looks like::

    audit:
      seed: 0
      allow_list: [você, equipa, time]        # legitimate variety markers
      thresholds:
        token_shortcut: {min_count: 20}
        label_balance: {imbalance_warn: 3}

Every check id and parameter is validated against the checks' ``DEFAULTS``, so
a typo is an error that names the valid choices instead of a silently ignored
setting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.filters.suggest import did_you_mean

SECTION = "audit"
_KEYS = ("allow_list", "thresholds", "seed")


class AuditConfigError(ValueError):
    """The audit settings are invalid (unknown check id or parameter, wrong type)."""


def build_config(
    section: Mapping[str, Any] | None = None,
    *,
    checks: Mapping[str, ModuleType] | None = None,
    where: str = "audit",
) -> AuditConfig:
    """An :class:`~corpus_sieve.audits.base.AuditConfig` from a recipe's ``audit:`` mapping.

    ``checks`` are the check modules to validate against (default: all
    discovered checks). ``where`` prefixes error messages (e.g. the recipe path).

    Examples
    --------
    >>> build_config({"allow_list": ["você"], "seed": 3}).allow_list
    frozenset({'você'})
    >>> build_config({"threshold": {}})
    Traceback (most recent call last):
    ...
    corpus_sieve.audits.config.AuditConfigError: audit: unknown key 'threshold' (did you mean 'thresholds'?); valid keys: allow_list, thresholds, seed
    """
    if section is None:
        section = {}
    if not isinstance(section, Mapping):
        raise AuditConfigError(f"{where}: must be a mapping with keys {', '.join(_KEYS)}")
    for key in section:
        if key not in _KEYS:
            raise AuditConfigError(f"{where}: unknown key {key!r}{_suggest(key, _KEYS)}; valid keys: {', '.join(_KEYS)}")
    if checks is None:
        from corpus_sieve.audits.registry import available_checks

        checks = available_checks()

    allow = section.get("allow_list") or []
    if isinstance(allow, str) or not isinstance(allow, Iterable):
        raise AuditConfigError(f"{where}.allow_list: must be a list of strings, got {allow!r}")
    allow_list = []
    for item in allow:
        if not isinstance(item, str) or not item.strip():
            raise AuditConfigError(f"{where}.allow_list: every entry must be a non-empty string, got {item!r}")
        allow_list.append(item.strip())

    seed = section.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise AuditConfigError(f"{where}.seed: must be an integer, got {seed!r}")

    thresholds = validate_thresholds(section.get("thresholds") or {}, checks, where=f"{where}.thresholds")
    return AuditConfig(thresholds=thresholds, allow_list=frozenset(allow_list), seed=seed)


def validate_thresholds(
    thresholds: Mapping[str, Any], checks: Mapping[str, ModuleType], *, where: str = "audit.thresholds"
) -> dict[str, dict[str, Any]]:
    """Check every ``{check_id: {param: value}}`` against the checks' ``DEFAULTS``; return a clean copy."""
    if not isinstance(thresholds, Mapping):
        raise AuditConfigError(f"{where}: must be a mapping of check id to {{parameter: value}}")
    clean: dict[str, dict[str, Any]] = {}
    for check_id, params in thresholds.items():
        if check_id not in checks:
            raise AuditConfigError(
                f"{where}: unknown check {check_id!r}{_suggest(check_id, checks)}; checks: {', '.join(checks)}"
            )
        if not isinstance(params, Mapping):
            raise AuditConfigError(f"{where}.{check_id}: must be a mapping of parameter to value, got {params!r}")
        defaults = checks[check_id].DEFAULTS
        clean[check_id] = {}
        for name, value in params.items():
            if name not in defaults:
                valid = ", ".join(f"{k}={v!r}" for k, v in defaults.items()) or "none"
                raise AuditConfigError(
                    f"{where}.{check_id}: unknown parameter {name!r}{_suggest(name, defaults)}; valid (default): {valid}"
                )
            clean[check_id][name] = _coerce(value, defaults[name], f"{where}.{check_id}.{name}")
    return clean


def config_from_recipe(path: str | Path, *, checks: Mapping[str, ModuleType] | None = None) -> AuditConfig:
    """Read the ``audit:`` section of a YAML (or JSON) recipe file; no section means all defaults."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AuditConfigError(f"{path}: cannot read the recipe: {exc}") from exc
    except yaml.YAMLError as exc:
        raise AuditConfigError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AuditConfigError(f"{path}: a recipe must be a mapping")
    section = data.get(SECTION)
    if section is not None and not isinstance(section, dict):
        raise AuditConfigError(f"{path}: the {SECTION}: section must be a mapping")
    return build_config(section, checks=checks, where=f"{path}: {SECTION}")


def parse_overrides(items: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``["token_shortcut.min_count=5"]`` -> ``{"token_shortcut": {"min_count": 5}}`` (values parsed as YAML scalars).

    Examples
    --------
    >>> parse_overrides(["token_shortcut.min_count=5", "duplicates.x=0.5"])
    {'token_shortcut': {'min_count': 5}, 'duplicates': {'x': 0.5}}
    """
    import yaml

    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        check_id, dot, param = key.strip().partition(".")
        if not sep or not dot or not check_id or not param:
            raise AuditConfigError(f"--set {item!r}: expected CHECK.PARAM=VALUE, e.g. token_shortcut.min_count=20")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            value = raw
        out.setdefault(check_id, {})[param.strip()] = value
    return out


def merge(base: AuditConfig, *, thresholds: Mapping[str, Mapping[str, Any]] | None = None,
          allow_list: Iterable[str] = (), seed: int | None = None,
          checks: Mapping[str, ModuleType] | None = None) -> AuditConfig:
    """``base`` with command-line overrides applied on top (validated the same way)."""
    if checks is None:
        from corpus_sieve.audits.registry import available_checks

        checks = available_checks()
    merged = {k: dict(v) for k, v in base.thresholds.items()}
    for check_id, params in validate_thresholds(thresholds or {}, checks, where="--set").items():
        merged.setdefault(check_id, {}).update(params)
    return AuditConfig(
        thresholds=merged,
        allow_list=base.allow_list | frozenset(a.strip() for a in allow_list if a.strip()),
        seed=base.seed if seed is None else seed,
    )


def effective_thresholds(config: AuditConfig, checks: Mapping[str, ModuleType]) -> dict[str, dict[str, Any]]:
    """Every check's thresholds as used: its ``DEFAULTS`` updated with the user's overrides."""
    return {check_id: config.for_check(check_id, module.DEFAULTS) for check_id, module in checks.items()}


def _coerce(value: Any, default: Any, where: str) -> Any:
    """``value`` checked against the type of its default (an int default accepts a float and vice versa)."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise AuditConfigError(f"{where}: must be true or false, got {value!r}")
        return value
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise AuditConfigError(f"{where}: must be a number, got {value!r}")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise AuditConfigError(f"{where}: must be a string, got {value!r}")
        return value
    if default is None:
        return value
    if isinstance(default, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            raise AuditConfigError(f"{where}: must be a list, got {value!r}")
        return list(value)
    return value


def _suggest(word: str, choices: Iterable[str]) -> str:
    hint = did_you_mean(str(word), choices)
    return f" ({hint})" if hint else ""
