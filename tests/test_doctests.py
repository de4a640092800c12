"""The examples in every corpus_sieve module's docstrings run, as installed.

The doctests are collected from the installed package (``corpus_sieve.*``), not
from the source folders: a folder collected by path would be imported a second
time under its folder name (``filters.base``), beside ``corpus_sieve.filters.base``.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import corpus_sieve.audits
import corpus_sieve.filters
import corpus_sieve.pipeline

#: modules whose import needs an optional extra that may be absent
OPTIONAL = {"corpus_sieve.pipeline.engines.ray": "ray"}


def _modules() -> list[str]:
    names = []
    for package in (corpus_sieve.filters, corpus_sieve.pipeline, corpus_sieve.audits):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            if not info.name.rsplit(".", 1)[-1].startswith("_"):
                names.append(info.name)
    return sorted(names)


MODULES = _modules()


class _Runner(doctest.DocTestRunner):
    """A doctest runner that lets ``pytest.skip()`` in an example skip the test (as pytest's own does):
    examples that need ../shared/data skip where it is absent."""

    def report_unexpected_exception(self, out, test, example, exc_info):  # noqa: ANN001
        if isinstance(exc_info[1], pytest.skip.Exception):
            raise exc_info[1]
        super().report_unexpected_exception(out, test, example, exc_info)


def test_every_package_is_walked() -> None:
    assert "corpus_sieve.filters.rules.remove_urls" in MODULES
    assert "corpus_sieve.pipeline.cli.main" in MODULES
    assert "corpus_sieve.audits.checks.token_shortcut" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    if name in OPTIONAL:
        pytest.importorskip(OPTIONAL[name])
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = _Runner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    for test in finder.find(module, name):
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} of {results.attempted} docstring examples failed in {name}"
