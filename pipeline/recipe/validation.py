"""What recipe and stage validation share: the error type, value checks and messages.

Kept apart from :mod:`~corpus_sieve.pipeline.recipe.recipe` and
:mod:`~corpus_sieve.pipeline.recipe.stages` so that neither imports the other's internals.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections import abc
from pathlib import Path
from typing import Any, Mapping


__all__ = [
    "STAGE_KEYS", "RecipeError", "init_parameters", "is_int", "init_type_hints", "resolve_paths", "show", "suggestion",
    "type_error", "type_name",
]

STAGE_KEYS = ("filter", "name", "params", "domains", "skip_domains", "per_domain", "params_from_columns")


class RecipeError(ValueError):
    """A recipe is invalid; ``errors`` lists every problem with its location."""

    def __init__(self, errors: list[str], source: str | Path | None = None) -> None:
        self.errors = list(errors)
        self.source = source
        where = f"recipe {source}" if source else "the recipe"
        n = len(self.errors)
        lines = "\n".join(f"  - {e}" for e in self.errors)
        super().__init__(f"{where} has {n} problem{'s' if n != 1 else ''}:\n{lines}")


# -- loading ------------------------------------------------------------------


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a bool", int: "an int", float: "a float"}.get(
        type(value), type(value).__name__
    )


def show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def suggestion(name: str, choices: Any) -> str:
    """`` (did you mean 'x'?)`` after an unknown key, or ``""``."""
    # imported here: importing corpus_sieve.filters loads polars and every rule, which reading a recipe
    # before a run (pipeline/run/early_start.py) must not do
    from corpus_sieve.filters.suggest import did_you_mean

    hint = did_you_mean(str(name), choices, n=2)
    return f" ({hint})" if hint else ""


def resolve_paths(value: Any, base: Path) -> Any:
    """``./x`` and ``../x`` strings become absolute paths under ``base``; recursively."""
    if isinstance(value, str) and (value.startswith("./") or value.startswith("../")):
        return str((base / value).resolve())
    if isinstance(value, list):
        return [resolve_paths(v, base) for v in value]
    if isinstance(value, dict):
        return {k: resolve_paths(v, base) for k, v in value.items()}
    return value


def init_parameters(cls: type) -> dict[str, inspect.Parameter]:
    """The keyword parameters of ``cls.__init__`` (self and ``**kwargs`` excluded)."""
    sig = inspect.signature(cls.__init__)
    return {
        n: p for n, p in sig.parameters.items()
        if n != "self" and p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    }


def init_type_hints(cls: type) -> dict[str, Any]:
    """Evaluated annotations of ``cls.__init__``; {} when they cannot be evaluated."""
    try:
        return typing.get_type_hints(cls.__init__)
    except Exception:
        return {}


def type_error(value: Any, annotation: Any) -> str | None:
    """``None`` when ``value`` fits ``annotation``, else ``"expected int, got 'ten'"``."""
    if _fits(value, annotation):
        return None
    return f"expected {_describe(annotation)}, got {show(value)}"


def _fits(value: Any, ann: Any) -> bool:
    if ann is Any or ann is inspect.Parameter.empty:
        return True
    if ann is None or ann is type(None):
        return value is None
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    if ann is bool:
        return isinstance(value, bool)
    if ann is int:
        return is_int(value)
    if ann is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if ann is str:
        return isinstance(value, str)
    if isinstance(ann, type) and issubclass(ann, Path):
        return isinstance(value, (str, Path))
    if origin in (list, tuple, set, frozenset) or origin in _SEQUENCE_ORIGINS:
        if not isinstance(value, (list, tuple)):
            return False
        if origin is tuple and args and args[-1] is not Ellipsis:
            return len(value) == len(args) and all(_fits(v, a) for v, a in zip(value, args))
        item = args[0] if args else Any
        return all(_fits(v, item) for v in value)
    if origin is dict or origin in _MAPPING_ORIGINS:
        if not isinstance(value, Mapping):
            return False
        kt, vt = args if len(args) == 2 else (Any, Any)
        return all(_fits(k, kt) and _fits(v, vt) for k, v in value.items())
    if isinstance(ann, type):
        if ann in (list, tuple):
            return isinstance(value, (list, tuple))
        if ann is dict:
            return isinstance(value, Mapping)
        return isinstance(value, ann)
    return True  # an annotation we do not understand: let the constructor judge


_SEQUENCE_ORIGINS = {abc.Sequence, abc.Iterable, abc.Collection}
_MAPPING_ORIGINS = {abc.Mapping}


def _describe(ann: Any) -> str:
    if ann is None or ann is type(None):
        return "null"
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin is not None:
        inner = ", ".join(_describe(a) for a in args if a is not Ellipsis)
        base = "list" if origin in _SEQUENCE_ORIGINS or origin in (list, tuple, set, frozenset) else "mapping"
        return f"{base} of {inner}" if inner else base
    if ann is Path or (isinstance(ann, type) and issubclass(ann, Path)):
        return "path"
    return getattr(ann, "__name__", str(ann))
