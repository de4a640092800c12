"""The optional compiled speed-ups (``filters/html/_walk.pyx``, ``_rawcut.pyx``, ``_attrstrip.pyx``) and their switch.

``make install`` compiles them (Cython and a C compiler; see ``setup.py``).
Each one gives exactly the output of the Python code it replaces, which stays
as the fallback: where a module was not compiled, or where the environment
sets ``SIEVE_PURE_PYTHON`` (any non-empty value, read once per process), the
Python code runs.
"""

from __future__ import annotations

import functools
import importlib
import os
from types import ModuleType
from typing import Any

_LOADED: dict[str, ModuleType | None] = {}


def compiled(name: str) -> ModuleType | None:
    """The compiled module ``corpus_sieve.filters.html.<name>``, or ``None`` (not compiled, or turned off).

    >>> compiled("_no_such_module") is None
    True
    """
    if name not in _LOADED:
        module = None
        if not os.environ.get("SIEVE_PURE_PYTHON"):
            try:
                module = importlib.import_module(f"{__package__}.{name}")
            except ImportError:
                module = None
        _LOADED[name] = module
    return _LOADED[name]


@functools.lru_cache(maxsize=1)
def attribute_stripper() -> Any:
    """``corpus_sieve.filters.html._attrstrip.strip_attributes`` where it is compiled and fits this libxml2, else ``None``.

    The scan follows libxml2's HTML5 tokenizer, which libxml2 has since 2.14;
    older versions read attributes otherwise, so the scan is not used with them.
    """
    module = compiled("_attrstrip")
    if module is None:
        return None
    from lxml import etree

    return module.strip_attributes if etree.LIBXML_VERSION >= (2, 14) else None
