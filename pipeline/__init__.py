"""corpus-sieve pipeline: read corpora, apply a recipe of filters in bounded memory,
write kept and rejected rows, and record every run in its own directory.

* ``recipe/``: recipes as data (schema, validation, per-domain stage routing, presets);
* ``io/``: readers (one module per job), writers, Hugging Face ``datasets``;
* ``run/``: the one per-batch loop both engines call (``batch.py``), the accounting
  (stats, examples, the kept + rejected = input check), checkpoints, run directories;
* ``engines/``: ``local.py`` and ``ray.py``, scheduling only;
* ``cli/``: every ``sieve`` sub-command; ``report/``: the run's HTML page.

The names below are imported on first use, so that ``sieve --help`` does not
load polars; an IDE and a type checker see them through the imports under
``TYPE_CHECKING``.

>>> from corpus_sieve.pipeline import load_recipe, run_pipeline
>>> callable(run_pipeline)
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corpus_sieve.pipeline.engines import run_with_engine
    from corpus_sieve.pipeline.engines.local import resume_pipeline, run_pipeline
    from corpus_sieve.pipeline.io.readers import InputError, iter_batches, read_frame
    from corpus_sieve.pipeline.recipe.columns import ColumnMap
    from corpus_sieve.pipeline.recipe.recipe import Recipe, load_recipe
    from corpus_sieve.pipeline.recipe.validation import RecipeError
    from corpus_sieve.pipeline.run.result import AccountingError, RunResult

_WHERE = {
    "run_with_engine": "corpus_sieve.pipeline.engines",
    "run_pipeline": "corpus_sieve.pipeline.engines.local",
    "resume_pipeline": "corpus_sieve.pipeline.engines.local",
    "InputError": "corpus_sieve.pipeline.io.readers",
    "iter_batches": "corpus_sieve.pipeline.io.readers",
    "read_frame": "corpus_sieve.pipeline.io.readers",
    "ColumnMap": "corpus_sieve.pipeline.recipe.columns",
    "Recipe": "corpus_sieve.pipeline.recipe.recipe",
    "load_recipe": "corpus_sieve.pipeline.recipe.recipe",
    "RecipeError": "corpus_sieve.pipeline.recipe.validation",
    "AccountingError": "corpus_sieve.pipeline.run.result",
    "RunResult": "corpus_sieve.pipeline.run.result",
}

__all__ = [
    "AccountingError",
    "ColumnMap",
    "InputError",
    "Recipe",
    "RecipeError",
    "RunResult",
    "iter_batches",
    "load_recipe",
    "read_frame",
    "resume_pipeline",
    "run_pipeline",
    "run_with_engine",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
