"""``sieve recipes``: the recipes shipped in the package, run by name with ``--recipe NAME``.

``sieve recipes`` lists them with their descriptions; ``sieve recipes NAME``
prints one (a starting point for a recipe of your own:
``sieve recipes ptvid > my_recipe.yaml``).
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help="print these presets' recipe files")
    parser.add_argument("--json", action="store_true", help="machine-readable list: name, description, path")


def describe_presets() -> list[dict[str, str]]:
    """``name``, ``description`` and ``path`` of every preset."""
    from corpus_sieve.pipeline.recipe.presets import available_presets
    from corpus_sieve.pipeline.recipe.recipe import read_recipe_file

    out = []
    for name, path in available_presets().items():
        description = read_recipe_file(path).get("description") or ""
        out.append({"name": name, "description": str(description), "path": str(path)})
    return out


def run(args: argparse.Namespace) -> int:
    from corpus_sieve.pipeline.recipe.presets import DEFAULT_PRESET, UnknownRecipe, preset_path

    if args.names:
        for name in args.names:
            try:
                path = preset_path(name)
            except UnknownRecipe as exc:
                print(f"sieve recipes: error: {exc}", file=sys.stderr)
                return 2
            text = path.read_text(encoding="utf-8")
            if "./" in text:
                print(f"# preset {name}: paths starting with ./ are relative to {path.parent}")
            sys.stdout.write(text)
        return 0
    presets = describe_presets()
    if args.json:
        print(json.dumps(presets, indent=2, ensure_ascii=False))
        return 0
    width = max(len(p["name"]) for p in presets)
    for p in presets:
        mark = " (used without --recipe)" if p["name"] == DEFAULT_PRESET else ""
        print(f"  {p['name'].ljust(width)}  {p['description']}{mark}")
    print("\nrun one with `sieve clean INPUT --recipe NAME --out DIR`; print one with `sieve recipes NAME`")
    return 0
