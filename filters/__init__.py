"""corpus-sieve filters: small, named, composable text-cleaning rules.

Every filter works on a ``str``, on a polars Series/DataFrame/LazyFrame, and as
a pipeline stage (see :mod:`filters.base`). One module per rule family; each
module registers its filters under a recipe name (see :mod:`filters.registry`).

>>> from filters import NormalizeWhitespace, CharLength
>>> (NormalizeWhitespace() | CharLength(min_chars=3))("  bom   dia ")
'bom dia'
"""

from __future__ import annotations

import importlib
import pkgutil

from filters.base import Chain, Check, Filter, Outcome, Transform, chain
from filters.registry import available_filters, get_filter_class, register

# Import every rule module so that each registers its filters; heavy libraries
# (bs4, jusText, transformers) are imported lazily inside the modules.
for _mod in pkgutil.iter_modules(__path__):
    if not _mod.name.startswith("_") and _mod.name not in {"base", "registry"}:
        importlib.import_module(f"{__name__}.{_mod.name}")

for _cls in available_filters().values():
    globals()[_cls.__name__] = _cls

__all__ = [
    "Chain", "Check", "Filter", "Outcome", "Transform", "chain",
    "available_filters", "get_filter_class", "register",
    *sorted(c.__name__ for c in available_filters().values()),
]
