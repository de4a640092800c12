"""Start a recipe's token-counting processes before ``sieve clean`` imports polars and the filters.

A local tokenizer (``token_length`` with a directory holding ``tokenizer.json``)
loads in its own counting process (``filters/_token_counter.py``; cl100k takes
~0.35 CPU-seconds). ``sieve clean`` used to start it when the recipe was
validated, after ~0.2 s of imports during which the second core had nothing to
do, and short-text runs then waited for it. This module reads the recipe file
with nothing but the standard library and PyYAML, finds the local tokenizers
of its ``token_length`` stages and starts their counting processes at once;
:func:`filters.token_length.adopt_counters` hands them to the filters that the
recipe builds later. Anything unexpected (an unreadable recipe, a tokenizer
name that is not a local directory) starts nothing: the filter then starts or
loads its tokenizer as before, so results never depend on this.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

#: the counting script; a sibling package of ``pipeline`` in every install layout
COUNTER_SCRIPT = Path(__file__).resolve().parents[1] / "filters" / "_token_counter.py"


def local_tokenizers(recipe_path: str | Path) -> list[str]:
    """The ``tokenizer`` values, resolved as the recipe loader resolves them, of the recipe's
    ``token_length`` stages that name a local directory with a ``tokenizer.json``.

    >>> local_tokenizers("no/such/recipe.yaml")
    []
    """
    from pipeline.recipe import read_recipe_file, resolve_paths

    try:
        path = Path(recipe_path).resolve()
        data = read_recipe_file(path)
    except Exception:  # the recipe loader reports it properly later
        return []
    found: list[str] = []
    stages = data.get("stages")
    for stage in stages if isinstance(stages, list) else []:
        if not isinstance(stage, dict) or stage.get("filter") != "token_length":
            continue
        params = stage.get("params")
        tokenizer = params.get("tokenizer") if isinstance(params, dict) else None
        if not isinstance(tokenizer, str):
            continue
        name = str(resolve_paths(tokenizer, path.parent))
        if name not in found and (Path(name).expanduser() / "tokenizer.json").is_file():
            found.append(name)
    return found


def start_counters(recipe_path: str | Path) -> dict[str, Any]:
    """``{tokenizer: counting process}`` for :func:`local_tokenizers` of the recipe, started now."""
    started: dict[str, Any] = {}
    if not COUNTER_SCRIPT.is_file():
        return started
    for name in local_tokenizers(recipe_path):
        try:
            started[name] = subprocess.Popen(
                [sys.executable, str(COUNTER_SCRIPT), str(Path(name).expanduser() / "tokenizer.json")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )
        except OSError:
            continue
    return started
