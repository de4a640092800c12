"""Run directories: naming, atomic JSON, latest pointer, reopening."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from corpus_sieve.pipeline.run import rundir as rundir_mod
from corpus_sieve.pipeline.run.rundir import RunDir, list_runs, resolve_run


def test_create_writes_recipe_inputs_manifest(tmp_path: Path) -> None:
    data = tmp_path / "c.jsonl"
    data.write_text('{"text": "olá"}\n', encoding="utf-8")
    recipe = {"columns": {"text": "text"}, "steps": [{"char_length": {"min_chars": 5}}]}
    run = RunDir.create(tmp_path / "runs", recipe, [data])
    assert run.path.parent == tmp_path / "runs"
    stamp, digest = run.id.split("-")[0:2], run.id.split("-")[2]
    assert len(stamp[0]) == 8 and len(stamp[1]) == 6 and len(digest) == 8
    assert run.read_json("recipe.json") == recipe
    inputs = run.read_json("inputs.json")["inputs"]
    assert inputs[0]["path"] == str(data) and inputs[0]["size"] == data.stat().st_size and inputs[0]["xxh3_128"]
    manifest = run.read_json("manifest.json")
    assert manifest["run_id"] == run.id
    assert set(manifest["versions"]) >= {"corpus-sieve", "python", "polars"}
    assert manifest["cpu_count"] == os.cpu_count() and manifest["started_at"]
    assert run.kept_path == run.path / "kept.parquet" and run.rejected_path == run.path / "rejected.parquet"


def test_same_second_runs_get_distinct_dirs_and_latest_follows(tmp_path: Path) -> None:
    base = tmp_path / "runs"
    runs = [RunDir.create(base, {"steps": []}, []) for _ in range(3)]
    assert len({r.path for r in runs}) == 3
    assert RunDir.open(base / "latest") == runs[-1]
    assert (base / "latest").is_symlink() and os.readlink(base / "latest") == runs[-1].id  # relative link
    assert list_runs(base) == runs  # creation order, even within one second


def test_hash_depends_on_recipe_and_input_contents(tmp_path: Path) -> None:
    data = tmp_path / "c.jsonl"
    data.write_text("a\n", encoding="utf-8")
    a = RunDir.create(tmp_path / "r", {"x": 1}, [data]).id.split("-")[2]
    b = RunDir.create(tmp_path / "r", {"x": 2}, [data]).id.split("-")[2]
    data.write_text("b\n", encoding="utf-8")
    c = RunDir.create(tmp_path / "r", {"x": 1}, [data]).id.split("-")[2]
    assert len({a, b, c}) == 3


def test_latest_falls_back_to_text_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_symlinks(*args, **kwargs):
        raise OSError("symlinks not supported here")

    monkeypatch.setattr(rundir_mod.os, "symlink", no_symlinks)
    base = tmp_path / "runs"
    run = RunDir.create(base, {}, [])
    latest = base / "latest"
    assert latest.is_file() and not latest.is_symlink()
    assert latest.read_text().strip() == run.id
    assert RunDir.open(latest) == run
    assert resolve_run("latest", base) == run


def test_write_json_is_atomic_and_readable(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, {}, [])
    run.write_json("stats.json", {"totals": {"input": 3}, "path": Path("x")})
    assert run.read_json("stats.json") == {"totals": {"input": 3}, "path": "x"}
    assert not [p for p in run.path.iterdir() if p.name.endswith(".tmp")]
    assert json.loads(run.stats_path.read_text())["totals"]["input"] == 3


def test_open_and_resolve_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        RunDir.open(tmp_path / "nothing")
    run = RunDir.create(tmp_path / "runs", {}, [])
    assert resolve_run(run.id[:10], tmp_path / "runs") == run
    assert resolve_run(str(run.path)) == run
    with pytest.raises(FileNotFoundError, match="no run"):
        resolve_run("19990101", tmp_path / "runs")


def test_prefetched_fingerprint_equals_the_readers_and_notices_a_change(tmp_path: Path) -> None:
    from corpus_sieve.pipeline.io.readers import fingerprint

    data = tmp_path / "c.jsonl"
    data.write_text('{"text": "olá"}\n' * 50_000, encoding="utf-8")
    rundir_mod.prefetch_fingerprints([str(data), str(tmp_path / "missing.jsonl"), "org/hub-name"])
    assert rundir_mod.input_fingerprint(data) == fingerprint(data)
    rundir_mod.prefetch_fingerprints([data])
    rundir_mod._PREFETCHED[str(data)][0].join()
    data.write_text('{"text": "adeus"}\n', encoding="utf-8")  # changed after hashing: hashed again
    os.utime(data, ns=(1, 1))
    assert rundir_mod.input_fingerprint(data) == fingerprint(data)
    assert rundir_mod.input_fingerprint(tmp_path / "missing.jsonl") == fingerprint(tmp_path / "missing.jsonl")


def test_manifest_versions_do_not_import_pyarrow(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; from corpus_sieve.pipeline.run.rundir import RunDir; RunDir.create(sys.argv[1], {}, []); "
            "import json, pathlib; m = json.loads((pathlib.Path(sys.argv[1]) / 'latest' / 'manifest.json').read_text()); "
            "assert m['versions']['pyarrow'] not in ('', 'unknown'), m; assert 'pyarrow' not in sys.modules")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "runs")], check=True)
