"""``sieve filters``: the filters a recipe can name, with kind, reasons and parameters."""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help="show these filters in full (docstring included)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def describe_filter(cls: type) -> dict[str, Any]:
    """Name, kind, reasons, parameters (with defaults) and summary line of a filter class."""
    from corpus_sieve.pipeline.recipe.validation import init_parameters

    params = []
    for name, p in init_parameters(cls).items():
        entry: dict[str, Any] = {"name": name, "required": p.default is p.empty}
        if p.default is not p.empty:
            entry["default"] = p.default
        if p.annotation is not p.empty:
            entry["type"] = p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", str(p.annotation))
        params.append(entry)
    doc = inspect.getdoc(cls) or ""
    return {
        "name": cls.name,
        "class": cls.__name__,
        "kind": cls.kind,
        "global": bool(getattr(cls, "is_global", False)),
        "reasons": list(getattr(cls, "reasons", ())),
        "parameters": params,
        "summary": doc.splitlines()[0] if doc else "",
        "doc": doc,
    }


def _param_text(p: dict[str, Any]) -> str:
    text = p["name"]
    if "type" in p:
        text += f": {p['type']}"
    return text + (" (required)" if p["required"] else f" = {p['default']!r}")


def run(args: argparse.Namespace) -> int:
    import corpus_sieve.filters  # noqa: F401  (registers every filter)
    from corpus_sieve.filters.registry import available_filters, get_filter_class

    if args.names:
        try:
            classes = [get_filter_class(n) for n in args.names]
        except KeyError as exc:
            print(f"sieve filters: error: {exc.args[0]}", file=sys.stderr)
            return 2
    else:
        classes = list(available_filters().values())
    infos = [describe_filter(c) for c in classes]

    if args.json:
        print(json.dumps([{k: v for k, v in i.items() if k != "doc"} for i in infos], indent=2, default=repr, ensure_ascii=False))
        return 0
    for info in infos:
        flags = f"{info['kind']}, global" if info["global"] else info["kind"]
        print(f"{info['name']}  ({flags})  {info['summary']}")
        if info["reasons"]:
            print(f"    reasons: {', '.join(info['reasons'])}")
        if info["parameters"]:
            print(f"    params:  {'; '.join(_param_text(p) for p in info['parameters'])}")
        if args.names:
            print()
            print("\n".join("    " + line for line in info["doc"].splitlines()))
            print()
    if not args.names:
        print(f"\n{len(infos)} filters. `sieve filters NAME` shows one in full.")
    return 0
