"""The README's "Scale out and Hugging Face datasets" section: every Python example runs as shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _section(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- section:{name} -->(.*?)<!-- /section:{name} -->", text, re.S)
    assert match, f"README has no section {name!r}"
    return match.group(1)


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
    exec(compile(code, f"README.md (scale section, python block {index})", "exec"), {"__name__": "readme"})


def test_there_are_examples() -> None:
    assert len(_python_blocks("scale")) >= 1
