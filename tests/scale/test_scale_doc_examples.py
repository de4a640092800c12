"""docs/scale.md ("Scale out and Hugging Face datasets"): every Python example runs as shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "scale.md"


def _section(name: str) -> str:
    """The page's text (``name`` is kept for the callers: the page is one section)."""
    assert name == "scale"
    return PAGE.read_text(encoding="utf-8")


def _python_blocks(name: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", _section(name), re.S)


def test_section_documents_the_cli_options() -> None:
    section = _section("scale")
    for needle in ("--engine ray", "--ray-address", "ray start --head", "--save-to-disk", "--push-to-hub",
                   "pip install 'corpus-sieve[ray]'", "as_map", "as_filter", "rows/s per worker"):
        assert needle in section, needle


@pytest.mark.parametrize("index", range(len(_python_blocks("scale"))))
def test_python_example_runs(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("datasets")
    monkeypatch.chdir(tmp_path)  # examples may write files: keep them out of the checkout
    code = _python_blocks("scale")[index]
    exec(compile(code, f"docs/scale.md (python block {index})", "exec"), {"__name__": "readme"})


def test_there_are_examples() -> None:
    assert len(_python_blocks("scale")) >= 1
