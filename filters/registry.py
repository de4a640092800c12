"""Filter names -> classes, so recipes can name stages as data (never code)."""

from __future__ import annotations

from corpus_sieve.filters.base import Filter
from corpus_sieve.filters.suggest import did_you_mean

_REGISTRY: dict[str, type[Filter]] = {}


def register(cls: type[Filter]) -> type[Filter]:
    """Class decorator: make ``cls`` available to recipes under ``cls.name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"two filters are named {cls.name!r}: {_REGISTRY[cls.name].__name__} and {cls.__name__}")
    _REGISTRY[cls.name] = cls
    return cls


def get_filter_class(name: str) -> type[Filter]:
    """The filter class registered as ``name``; a helpful KeyError otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        hint = did_you_mean(name, _REGISTRY, n=3)
        hint = f" {hint[0].upper()}{hint[1:]}" if hint else ""
        raise KeyError(f"unknown filter {name!r}.{hint} Known filters: {', '.join(sorted(_REGISTRY))}") from None


def available_filters() -> dict[str, type[Filter]]:
    """All registered filters by name (sorted)."""
    return dict(sorted(_REGISTRY.items()))
