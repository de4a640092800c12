"""Start a recipe's token-counting processes before ``sieve clean`` imports polars and the filters.

A local tokenizer (``token_length`` with a directory holding ``tokenizer.json``)
loads in its own counting process (``filters/tokens/counter.py``; cl100k takes
~0.35 CPU-seconds). ``sieve clean`` used to start it when the recipe was
validated, after ~0.2 s of imports during which the second core had nothing to
do, and short-text runs then waited for it. This module reads the recipe file
with nothing but the standard library and PyYAML, finds the local tokenizers
of its ``token_length`` stages and starts their counting processes at once;
:func:`corpus_sieve.filters.tokens.token_length.adopt_counters` hands them to the filters that the
recipe builds later. Anything unexpected (an unreadable recipe, a tokenizer
name that is not a local directory) starts nothing: the filter then starts or
loads its tokenizer as before, so results never depend on this.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: the counting script; ``filters`` is a sibling package of ``pipeline`` in every install layout
COUNTER_SCRIPT = Path(__file__).resolve().parents[2] / "filters" / "tokens" / "counter.py"


def local_tokenizers(recipe_path: str | Path) -> list[str]:
    """The ``tokenizer`` values, resolved as the recipe loader resolves them, of the recipe's
    ``token_length`` stages that name a local directory with a ``tokenizer.json``.

    >>> local_tokenizers("no/such/recipe.yaml")
    []
    """
    from corpus_sieve.pipeline.recipe.recipe import read_recipe_file
    from corpus_sieve.pipeline.recipe.validation import resolve_paths

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
    names = local_tokenizers(recipe_path)
    counter = _counter_script() if names else None
    started: dict[str, Any] = {}
    for name in names if counter is not None else []:
        proc = counter.start(Path(name).expanduser() / "tokenizer.json")
        if proc is not None:
            started[name] = proc
    return started


def _counter_script() -> Any:
    """``filters/tokens/counter.py`` loaded from its file: importing ``corpus_sieve.filters.tokens.counter``
    would import the ``filters`` package, polars and all, which is what this module runs before."""
    import importlib.util

    if not COUNTER_SCRIPT.is_file():
        return None
    spec = importlib.util.spec_from_file_location("corpus_sieve_token_counter", COUNTER_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
