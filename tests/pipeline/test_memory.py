"""glibc's allocator thresholds for long runs (pipeline/run/memory.py)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from corpus_sieve.pipeline.run import memory

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the thresholds are glibc's")


def _in_a_fresh_process(code: str, env: dict[str, str]) -> str:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": "", **env}, check=True)
    return run.stdout.strip()


@glibc
def test_sets_both_thresholds_here_and_for_child_processes() -> None:
    code = ("import os; from corpus_sieve.pipeline.run.memory import bound_malloc_retention as b; ok = b(); "
            "print(ok, os.environ['MALLOC_MMAP_THRESHOLD_'], os.environ['MALLOC_TRIM_THRESHOLD_'])")
    assert _in_a_fresh_process(code, {}) == f"True {memory.MMAP_THRESHOLD} {memory.TRIM_THRESHOLD}"


@glibc
def test_the_users_own_settings_win() -> None:
    code = ("import os; from corpus_sieve.pipeline.run.memory import bound_malloc_retention as b; ok = b(); "
            "print(ok, os.environ['MALLOC_MMAP_THRESHOLD_'], os.environ['MALLOC_TRIM_THRESHOLD_'])")
    out = _in_a_fresh_process(code, {"MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "131072"})
    assert out == "True 65536 131072"


def test_a_bad_value_is_not_an_error() -> None:
    code = "from corpus_sieve.pipeline.run.memory import bound_malloc_retention as b; print(b())"
    assert _in_a_fresh_process(code, {"MALLOC_MMAP_THRESHOLD_": "lots"}) == "False"


def test_sieve_clean_sets_them_before_reading(tmp_path, repo_root) -> None:
    code = (
        "import os, sys\n"
        "from corpus_sieve.pipeline.cli.main import main\n"
        f"rc = main(['clean', {str(repo_root / 'data' / 'sample_corpus.jsonl')!r}, '--out', {str(tmp_path)!r}, '--quiet', '--dev'])\n"
        "print(rc, os.environ.get('MALLOC_MMAP_THRESHOLD_'))\n"
    )
    assert _in_a_fresh_process(code, {}).splitlines()[-1] == f"0 {memory.MMAP_THRESHOLD}"
