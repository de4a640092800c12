"""Optional main-content extractors behind ``remove_boilerplate(backend=...)``.

``pip install 'corpus-sieve[html]'`` installs them (trafilatura, resiliparse).
Each backend is a function ``html -> text`` (lines separated by ``"\\n"``)
that never raises; a missing package is reported when the filter is built,
not in the middle of a run.
"""

from __future__ import annotations

import functools
from typing import Callable

from corpus_sieve.filters.html.parse import cap_bytes, remove_control_chars

#: backend name -> (module to import, pip extra that installs it)
OPTIONAL_BACKENDS = {
    "trafilatura": ("trafilatura", "corpus-sieve[html]  (or: pip install trafilatura)"),
    "resiliparse": ("resiliparse", "corpus-sieve[html]  (or: pip install resiliparse)"),
}
BACKENDS = ("justext", *OPTIONAL_BACKENDS)


def backend_available(name: str) -> bool:
    """Whether backend ``name`` can run here (``"justext"`` always can)."""
    if name == "justext":
        return True
    import importlib.util

    return importlib.util.find_spec(OPTIONAL_BACKENDS[name][0]) is not None


def check_backend(name: str) -> None:
    """Raise a clear ``ValueError``/``ImportError`` for an unknown or uninstalled backend."""
    if name not in BACKENDS:
        raise ValueError(f"remove_boilerplate: unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    if not backend_available(name):
        raise ImportError(
            f"remove_boilerplate: backend {name!r} needs the package {OPTIONAL_BACKENDS[name][0]!r}: "
            f"pip install {OPTIONAL_BACKENDS[name][1]}"
        )


def _trafilatura(html: str, language: str | None) -> str:
    import trafilatura

    # favor_recall is faster here and about as accurate on WCXB (see README)
    return trafilatura.extract(
        html, favor_recall=True, include_comments=True, include_tables=True, target_language=None,
    ) or ""


def _resiliparse(html: str, language: str | None) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(html)
    return extract_plain_text(tree, main_content=True, list_bullets=False, links=False, alt_texts=False)


@functools.lru_cache(maxsize=None)
def backend_function(name: str) -> Callable[[str, str | None], str]:
    """The extractor for backend ``name`` (not ``"justext"``, which lives in the filter)."""
    return {"trafilatura": _trafilatura, "resiliparse": _resiliparse}[name]


def run_backend(name: str, html: str, language: str | None = None, max_bytes: int | None = 5_000_000) -> str:
    """Main text of ``html`` by backend ``name``; ``""`` when the library fails on the page (never raises)."""
    html = remove_control_chars(cap_bytes(html, max_bytes))
    if not html.strip():
        return ""
    try:
        text = backend_function(name)(html, language)
    except Exception:  # noqa: BLE001 - a third-party parser must not stop a run: the page becomes empty
        return ""
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())
