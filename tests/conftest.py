"""Shared fixtures: the real data in ../shared/data (tests skip when it is absent)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# ``python -m pytest`` puts the checkout on sys.path, where ``filters/``, ``pipeline/`` and
# ``audits/`` would import as top-level packages, a second copy beside the installed
# ``corpus_sieve``. The tests use what users install: the checkout leaves sys.path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO]
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()
CL100K = SHARED_DATA / "tokenizers" / "cl100k"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; skips the test when it is absent (a fresh clone)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


# Property tests explore new random inputs on developers' machines; CI runs a
# fixed (derandomized) set so that a red CI always means a change broke something.
try:
    from hypothesis import settings as _hyp_settings

    _hyp_settings.register_profile("ci", derandomize=True, print_blob=True)
    _hyp_settings.register_profile("dev", print_blob=True)
    import os as _os

    _hyp_settings.load_profile("ci" if _os.environ.get("CI") else "dev")
except ImportError:  # pragma: no cover
    pass
