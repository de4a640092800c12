"""``sieve clean`` starts a recipe's token-counting processes before its heavy imports (pipeline/run/early_start.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from corpus_sieve.pipeline.run.early_start import local_tokenizers, start_counters
from corpus_sieve.pipeline.recipe.recipe import load_recipe
from corpus_sieve.pipeline.recipe.presets import PRESET_DIR, preset_path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_RECIPE = preset_path("ptvid")


def _recipe_tokenizers(path: Path) -> list[str]:
    """The tokenizers the validated recipe's token_length filters were built with (once each)."""
    return list(dict.fromkeys(inst.tokenizer for stage in load_recipe(path).stages for inst in stage.instances()
                              if type(inst).__name__ == "TokenLength"))


def test_finds_the_default_recipes_tokenizer_as_the_recipe_loader_resolves_it() -> None:
    found = local_tokenizers(DEFAULT_RECIPE)
    assert found == [str((PRESET_DIR / "tokenizer").resolve())]
    assert found == _recipe_tokenizers(DEFAULT_RECIPE)


def test_the_benchmark_recipe_points_at_the_shared_cl100k(shared_data) -> None:
    recipe = REPO / "tests" / "benchmarks" / "bench_recipe.yaml"
    assert local_tokenizers(recipe) == _recipe_tokenizers(recipe) == [str((shared_data / "tokenizers" / "cl100k").resolve())]


@pytest.mark.parametrize("stages", [
    "[]",
    "[{filter: reject_empty}]",
    "[{filter: token_length, params: {tokenizer: gpt2}}]",                # a hub name: loaded by the filter
    "[{filter: token_length, params: {tokenizer: ./missing}}]",           # no such directory
    "[{filter: token_length}]",
    "[{filter: token_length, params: [1, 2]}]",
    "not a list",
])
def test_starts_nothing_it_cannot_be_sure_of(tmp_path, stages: str) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"stages: {stages}\n", encoding="utf-8")
    assert local_tokenizers(recipe) == []
    assert start_counters(recipe) == {}


def test_an_unreadable_recipe_starts_nothing(tmp_path) -> None:
    bad = tmp_path / "r.yaml"
    bad.write_text("stages: [unclosed\n", encoding="utf-8")
    assert local_tokenizers(bad) == [] and local_tokenizers(tmp_path / "absent.yaml") == []


def test_the_filter_talks_to_the_process_started_early(monkeypatch) -> None:
    from corpus_sieve.filters.tokens import token_length

    monkeypatch.setattr(token_length, "_BACKGROUND", True)
    monkeypatch.setattr(token_length, "_REMOTES", {})
    monkeypatch.setattr(token_length, "_BACKENDS", {})
    try:
        started = start_counters(DEFAULT_RECIPE)
        (name, proc), = started.items()
        token_length.adopt_counters(started)
        check = token_length.TokenLength(tokenizer=name, min_tokens=2)
        assert check._remote is not None and check._remote.proc is proc
        counts = check.count_tokens(["Olá mundo, tudo bem?", "sim"])
        token_length.load_in_background(False)
        assert counts == token_length.TokenLength(tokenizer=name, min_tokens=2).count_tokens(["Olá mundo, tudo bem?", "sim"])
    finally:
        token_length._close_remotes()


def test_sieve_clean_starts_the_counter_before_importing_polars(tmp_path) -> None:
    # the counting process must be running before polars is imported by the run
    code = (
        "import sys, subprocess\n"
        "real = subprocess.Popen\n"
        "def spy(args, *a, **k):\n"
        "    if any(str(x).endswith('counter.py') for x in args):\n"
        "        print('counter started; polars imported:', 'polars' in sys.modules, flush=True)\n"
        "    return real(args, *a, **k)\n"
        "subprocess.Popen = spy\n"
        "from corpus_sieve.pipeline.cli.main import main\n"
        f"sys.exit(main(['clean', {str(REPO / 'data' / 'sample_corpus.jsonl')!r}, '--recipe', 'ptvid', '--out', {str(tmp_path)!r}, '--quiet', '--dev']))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == "counter started; polars imported: False"
    assert run.stdout.count("counter started") == 1  # the filter used that one, it did not start another
