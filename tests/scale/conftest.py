"""Fixtures for the scale-out tests: one local Ray cluster per session, real corpora."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# tests/realdata.py; appended (not prepended) so that tests/filters never shadows the filters package
_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:
    sys.path.append(_TESTS)


@pytest.fixture(scope="session")
def ray_cluster():
    """A local Ray cluster with 2 CPUs, shared by every test of the session (start-up is slow)."""
    ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'corpus-sieve[ray]')")
    pytest.importorskip("ray.data")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    if started:
        ray.shutdown()


@pytest.fixture(scope="session")
def mixed_corpus(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6,000 real documents from every source in ../shared/data, 20 of them raw HTML pages."""
    from realdata import build_mixed_corpus

    return build_mixed_corpus(shared_data, tmp_path_factory.mktemp("scale") / "mixed.jsonl", n_docs=6_000,
                              html_pages=20, seed=7)
