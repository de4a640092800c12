"""The shape of the code, checked: small modules, no import cycle, no private name across modules,
one rule per file named after its recipe name, hooks declared on the base class, explicit public APIs.

These read the source (``ast``), so they hold for code nobody has run yet.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import corpus_sieve.audits
import corpus_sieve.filters
import corpus_sieve.pipeline
from corpus_sieve.filters import available_filters
from corpus_sieve.filters.base import Check, Filter

REPO = Path(__file__).resolve().parents[1]
TOP = ("filters", "pipeline", "audits")
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    """``corpus_sieve.<dotted name>`` -> source file, for every module of the three packages."""
    found = {}
    for top in TOP:
        for path in sorted((REPO / top).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(("corpus_sieve", *parts))] = path
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _imports(name: str) -> list[tuple[str, list[str], int]]:
    """``(module imported, names taken from it, line)`` for every import of ``name``, at any depth."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if _is_package(name) else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((module, [alias.name for alias in node.names], node.lineno))
    return found


def _resolve(module: str, names: list[str]) -> list[str]:
    """The project modules an import statement loads: the module itself, or the submodules it names."""
    targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES]
    if module in MODULES and len(targets) < len(names):
        targets.append(module)
    return targets


def test_every_module_is_small() -> None:
    too_long = {name: n for name, path in MODULES.items()
                if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines (split them by job): {too_long}"


def test_the_data_scripts_are_small() -> None:
    too_long = {p.name: n for p in (REPO / "data").glob("*.py")
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not too_long


def test_no_import_cycle() -> None:
    """Function-level imports count too: a cycle hidden in a function is still a cycle.

    A package's ``__init__`` importing its own submodules (to re-export them) is
    not an edge back: submodules never import their package's ``__init__``.
    """
    graph = {name: set() for name in MODULES}
    for name in MODULES:
        for module, names, _ in _imports(name):
            for target in _resolve(module, names):
                if target != name and not (_is_package(target) and name.startswith(target + ".")):
                    graph[name].add(target)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_no_private_name_is_used_from_another_module() -> None:
    offences = []
    for name, path in MODULES.items():
        for module, names, line in _imports(name):
            if not module.startswith("corpus_sieve"):
                continue
            private_module = [p for p in module.split(".") if p.startswith("_")]
            private_names = [n for n in names if n.startswith("_") and f"{module}.{n}" not in MODULES]
            # the compiled speed-ups (_walk, _rawcut, _attrstrip) are loaded by their one loader
            if (private_module and not path.name == "compiled.py") or private_names:
                offences.append(f"{path.relative_to(REPO)}:{line}: {module} {private_names or ''}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported_modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                            and node.module and node.module.startswith("corpus_sieve")
                            for alias in node.names if f"{node.module}.{alias.name}" in MODULES}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in imported_modules and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                offences.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert not offences, "private names used across modules:\n" + "\n".join(offences)


def test_nothing_is_made_through_globals() -> None:
    offences = [str(p.relative_to(REPO)) for p in MODULES.values() if "globals()[" in p.read_text(encoding="utf-8")]
    assert not offences


def test_every_rule_lives_in_a_file_named_after_its_recipe_name() -> None:
    wrong = {name: cls.__module__ for name, cls in available_filters().items()
             if cls.__module__.rsplit(".", 1)[-1] != name}
    assert not wrong


def test_every_filter_class_is_importable_from_the_package() -> None:
    exported = set(corpus_sieve.filters.__all__)
    assert {cls.__name__ for cls in available_filters().values()} <= exported
    for name in corpus_sieve.filters.__all__:
        assert hasattr(corpus_sieve.filters, name), name


@pytest.mark.parametrize("package", [corpus_sieve.filters, corpus_sieve.pipeline, corpus_sieve.audits])
def test_the_packages_declare_their_public_api(package) -> None:
    assert package.__all__, package.__name__
    for name in package.__all__:
        assert getattr(package, name) is not None, f"{package.__name__}.{name}"


def test_the_hooks_the_pipeline_relies_on_are_declared_on_the_base_class() -> None:
    for hook in ("parallel", "is_global", "accepts_utf8", "key_expr", "output_columns", "variant_for", "get_state", "set_state",
                 "get_params", "reset", "warm_up", "prepare"):
        assert hasattr(Filter, hook), hook
    assert Check.rewrites_text is False  # a check that also rewrites what it keeps says so
    for cls in available_filters().values():
        for hook in ("key_expr", "get_state", "set_state"):
            assert inspect.signature(getattr(cls, hook)).parameters.keys() == inspect.signature(
                getattr(Filter, hook)).parameters.keys(), (cls.__name__, hook)


def test_get_params_fails_loudly_on_a_parameter_it_cannot_read_back() -> None:
    class Forgetful(Filter):
        def __init__(self, threshold: int = 3) -> None:
            self.limit = threshold  # stored under another name

    with pytest.raises(AttributeError, match="threshold"):
        Forgetful().get_params()


def test_one_did_you_mean_helper() -> None:
    users = [str(p.relative_to(REPO)) for p in MODULES.values() if "get_close_matches" in p.read_text(encoding="utf-8")]
    assert users == ["filters/suggest.py"]


def test_the_source_folders_do_not_import_as_top_level_packages() -> None:
    import importlib.util

    for name in TOP:
        spec = importlib.util.find_spec(name)
        assert spec is None or not str(spec.origin or "").startswith(str(REPO)), name


def test_no_code_or_doc_imports_the_old_top_level_names() -> None:
    import re

    pattern = re.compile(r"(?:^|[^\w.])(?:from|import) (?:filters|pipeline|audits)(?:[ .]|$)", re.M)
    files = [*MODULES.values(), *(REPO / "tests").rglob("*.py"), REPO / "README.md", *(REPO / "docs").rglob("*.md")]
    offences = [str(p.relative_to(REPO)) for p in files if pattern.search(p.read_text(encoding="utf-8"))]
    assert not offences
