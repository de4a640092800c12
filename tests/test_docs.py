"""The documentation matches the code: the generated references, the README's size and links,
and the docs site's page list."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "gen_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", ["reference/filters.md", "reference/audit-checks.md"])
def test_the_generated_reference_is_up_to_date(page: str) -> None:
    expected = _generator().PAGES[page]()
    assert (DOCS / page).read_text(encoding="utf-8") == expected, (
        f"docs/{page} is out of date with the registry: run `make docs` (or .venv/bin/python docs/gen_reference.py)")


def test_every_filter_and_check_has_its_reference_entry() -> None:
    from corpus_sieve.audits.registry import available_checks
    from corpus_sieve.filters import available_filters

    filters = (DOCS / "reference/filters.md").read_text(encoding="utf-8")
    assert all(f"### {name}\n" in filters for name in available_filters())
    checks = (DOCS / "reference/audit-checks.md").read_text(encoding="utf-8")
    for check_id, module in available_checks().items():
        row = re.search(rf"^\| `{check_id}` \| .*? \| (.*) \|$", checks, re.M)
        assert row, check_id
        stated = dict(re.findall(r"`(\w+)=([^`]+)`", row.group(1)))
        assert stated == {k: str(v) for k, v in module.DEFAULTS.items()}, check_id


def test_the_readme_is_short_and_for_users() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    for needle in ("make install", "make test", "sieve clean", "sieve audit", "corpus_sieve"):
        assert needle in readme, needle
    assert "Tried" not in readme and "tried" not in readme  # experiments live in docs/research-log.md


def test_the_readme_names_every_filter() -> None:
    from corpus_sieve.filters import available_filters

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert [name for name in available_filters() if f"`{name}`" not in readme] == []


def test_relative_links_in_readme_and_docs_point_to_files() -> None:
    broken = []
    for page in [REPO / "README.md", *DOCS.rglob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(REPO)} -> {target}")
    assert not broken


def test_the_docs_site_lists_every_page() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert [p for p in pages if p not in nav] == []
