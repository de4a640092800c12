"""``sieve runs list`` and ``sieve runs compare`` on hand-made run directories."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_sieve.pipeline.cli.main import main
from corpus_sieve.pipeline.run.rundir import RunDir
from corpus_sieve.pipeline.cli.runs import table


def _stats(run_id: str, kept_pt: int, length_rejects: int, seconds: float) -> dict:
    rejected = 2 + length_rejects
    return {
        "run_id": run_id,
        "version": "0.1.0",
        "totals": {"input": 100, "kept": 100 - rejected, "rejected": rejected, "accounted": True, "seconds": seconds},
        "stages": [
            {"stage": "read", "index": 0, "kind": "read", "seconds": 0.1, "rows_in": 100, "rows_changed": 0,
             "rows_rejected": 2, "chars_removed": 0, "reasons": {"malformed_input": 1, "null_text": 1}},
            {"stage": "normalize_whitespace", "index": 1, "kind": "transform", "seconds": 0.2, "rows_in": 98,
             "rows_changed": 40, "rows_rejected": 0, "chars_removed": 120, "reasons": {}},
            {"stage": "char_length", "index": 2, "kind": "check", "seconds": 0.1, "rows_in": 98, "rows_changed": 0,
             "rows_rejected": length_rejects, "chars_removed": 0,
             "reasons": {"too_few_chars": length_rejects} if length_rejects else {}},
        ],
        "by_group": [],
        "retention": [
            {"domain": "journalistic", "label": "pt-PT", "input": 50, "kept": kept_pt, "retention": kept_pt / 50},
            {"domain": "journalistic", "label": "pt-BR", "input": 50, "kept": 100 - rejected - kept_pt,
             "retention": (100 - rejected - kept_pt) / 50},
            {"domain": None, "label": None, "input": 0, "kept": 0, "retention": 0.0},
        ],
    }


@pytest.fixture()
def two_runs(tmp_path: Path) -> tuple[Path, RunDir, RunDir]:
    base = tmp_path / "runs"
    a = RunDir.create(base, {"steps": [{"char_length": {"min_chars": 5}}]}, [])
    a.write_json("stats.json", _stats(a.id, kept_pt=48, length_rejects=0, seconds=1.5))
    b = RunDir.create(base, {"steps": [{"char_length": {"min_chars": 50}}]}, [])
    b.write_json("stats.json", _stats(b.id, kept_pt=40, length_rejects=10, seconds=2.25))
    return base, a, b


def test_table_aligns_columns() -> None:
    out = table(["name", "n"], [["a", "1"], ["longer", "1,000"]], [False, True])
    assert out.splitlines() == ["name        n", "------  -----", "a           1", "longer  1,000"]


def test_runs_list(two_runs, capsys: pytest.CaptureFixture[str]) -> None:
    base, a, b = two_runs
    unfinished = RunDir.create(base, {"x": 1}, [])
    assert main(["runs", "list", "--base", str(base)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["run", "started", "input", "kept", "rejected", "status"]
    assert lines[2].split()[0] == a.id and lines[2].split()[2:] == ["100", "98", "2"]
    assert lines[3].split()[2:] == ["100", "88", "12"]
    assert lines[4].startswith("* " + unfinished.id) and "no stats.json" in lines[4]


def test_runs_list_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "list", "--base", str(tmp_path / "none")]) == 0
    assert "no runs in" in capsys.readouterr().out


def test_runs_compare(two_runs, capsys: pytest.CaptureFixture[str]) -> None:
    base, a, b = two_runs
    assert main(["runs", "compare", str(a.path), "latest", "--base", str(base)]) == 0
    out = capsys.readouterr().out
    assert f"A: {a.id}" in out and f"B: {b.id}" in out
    assert "recipe: different; inputs: same" in out
    rows = {tuple(line.split()[:2]): line.split() for line in out.splitlines() if line.strip()}
    assert rows[("kept", "98")] == ["kept", "98", "88", "-10"]
    assert rows[("rejected", "2")] == ["rejected", "2", "12", "+10"]
    assert rows[("seconds", "1.50")] == ["seconds", "1.50", "2.25", "+0.75"]
    assert rows[("retention", "98.00%")] == ["retention", "98.00%", "88.00%", "-10.00", "pp"]
    # per stage and reason, in stage order, with the reason new in B
    assert rows[("read", "malformed_input")] == ["read", "malformed_input", "1", "1", "0"]
    assert rows[("char_length", "too_few_chars")] == ["char_length", "too_few_chars", "0", "10", "+10"]
    assert out.index("read  ") < out.index("char_length")
    # retention per domain x label
    assert rows[("journalistic", "pt-PT")] == ["journalistic", "pt-PT", "50", "48", "96.00%", "50", "40", "80.00%", "-16.00", "pp"]
    assert rows[("(none)", "(none)")][2:] == ["0", "0", "-", "0", "0", "-", "-"]


def test_runs_compare_changed_only_and_by_id(two_runs, capsys: pytest.CaptureFixture[str]) -> None:
    base, a, b = two_runs
    assert main(["runs", "compare", a.id, b.id, "--base", str(base), "--changed"]) == 0
    out = capsys.readouterr().out
    assert "too_few_chars" in out and "malformed_input" not in out and "(none)  (none)" not in out


def test_runs_compare_unfinished_run_is_an_error(two_runs, capsys: pytest.CaptureFixture[str]) -> None:
    base, a, _ = two_runs
    c = RunDir.create(base, {"y": 1}, [])
    assert main(["runs", "compare", a.id, c.id, "--base", str(base)]) == 1
    assert "has no readable stats.json" in capsys.readouterr().err
    assert main(["runs", "compare", "nope", a.id, "--base", str(base)]) == 1
