"""Recipes shipped inside the package, run by name: ``sieve clean X --recipe ptvid``.

Each preset is a recipe file in this folder (``<name>.yaml``) with any file it
names (``ptvid`` uses the small sample tokenizer in ``tokenizer/``), installed as
package data, so a wheel install runs every preset without a checkout.

* ``default``: what ``sieve clean`` runs without ``--recipe``: safe for any
  language and any column set (only a text column is required);
* ``ptvid``: the founding pt-PT vs pt-BR chain over six domains;
* ``gopher``: Gopher's quality and repetition rules for English web text, then exact dedup;
* ``c4``: C4's English-page, line and page rules, then exact dedup;
* ``fineweb``: FineWeb's chain (Gopher, C4 and FineWeb rules), exact dedup, emails and IPs anonymised.

``sieve recipes`` lists them; :func:`resolve_recipe` turns a ``--recipe``
value into a file: an existing path wins, otherwise a preset name.

>>> sorted(available_presets())
['c4', 'default', 'fineweb', 'gopher', 'ptvid']
>>> resolve_recipe("ptvid").name
'ptvid.yaml'
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_PRESET", "PRESET_DIR", "available_presets", "preset_path", "resolve_recipe", "UnknownRecipe"]

PRESET_DIR = Path(__file__).resolve().parent
#: the recipe ``sieve clean`` runs when no ``--recipe`` is given
DEFAULT_PRESET = "default"
_SUFFIXES = (".yaml", ".yml", ".toml")


class UnknownRecipe(ValueError):
    """A ``--recipe`` value is neither an existing file nor a preset name."""


def available_presets() -> dict[str, Path]:
    """``{name: recipe file}`` of every preset shipped in the package, sorted by name."""
    return {p.stem: p for p in sorted(PRESET_DIR.glob("*.yaml"))}


def preset_path(name: str) -> Path:
    """The recipe file of preset ``name``; :class:`UnknownRecipe` (with a did-you-mean) if there is none."""
    presets = available_presets()
    if name in presets:
        return presets[name]
    from corpus_sieve.filters.suggest import did_you_mean

    hint = did_you_mean(name, presets)
    hint = f" {hint[0].upper()}{hint[1:]}" if hint else ""
    raise UnknownRecipe(f"no recipe file or preset named {name!r}.{hint} Presets: {', '.join(presets)} "
                        "(`sieve recipes` lists them); a recipe file is a .yaml, .yml or .toml path")


def resolve_recipe(value: str | Path) -> Path:
    """The recipe file a ``--recipe`` value stands for: an existing file, else a preset name.

    A value that looks like a file (it has a folder or a recipe suffix) but does
    not exist is reported as a missing file, not looked up as a preset.
    """
    path = Path(value).expanduser()
    if path.is_file():
        return path
    text = str(value)
    if path.suffix.lower() in _SUFFIXES or "/" in text or "\\" in text:
        presets = ", ".join(available_presets())
        raise UnknownRecipe(f"recipe file not found: {text} (presets, run by name: {presets})")
    return preset_path(text)
