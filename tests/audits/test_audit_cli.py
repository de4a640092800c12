"""``sieve audit``: outputs, summary, exit codes for CI, clear input errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from _framework_fakes import broken, corpus_frame, fake_modules

import corpus_sieve.audits.registry
from corpus_sieve.pipeline.cli.main import main


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "corpus.jsonl"
    corpus_frame().write_ndjson(path)
    return path


@pytest.fixture
def use_fakes(monkeypatch):
    """Make the CLI discover fake checks; returns a setter to swap them."""
    def use(**overrides):
        mods = fake_modules(**overrides)
        monkeypatch.setattr(corpus_sieve.audits.registry, "available_checks", lambda package=None: mods)
        return mods

    use()
    return use


def test_writes_outputs_and_prints_a_summary(corpus_file, tmp_path, use_fakes, capsys):
    use_fakes(split_leakage=None)  # no error-level fake: verdict warn
    out = tmp_path / "audit"
    code = main(["audit", str(corpus_file), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert (out / "audit.json").is_file() and (out / "report.html").is_file() and (out / "flags.parquet").is_file()
    assert "verdict: WARN" in printed and "warnings 1" in printed
    assert "token_shortcut" in printed and str(out / "report.html") in printed


@pytest.mark.parametrize("fakes, fail_on, expected", [
    ({"split_leakage": None}, "error", 0),   # warn verdict, fail on error
    ({"split_leakage": None}, "warn", 1),    # warn verdict, fail on warn
    ({}, "error", 1),                        # fail verdict
    ({}, "warn", 1),
    ({"split_leakage": None, "token_shortcut": None, "label_balance": None}, "warn", 0),  # pass
])
def test_exit_code_follows_fail_on(corpus_file, tmp_path, use_fakes, capsys, fakes, fail_on, expected):
    use_fakes(**fakes)
    code = main(["audit", str(corpus_file), "--out", str(tmp_path / "o"), "--fail-on", fail_on])
    assert code == expected
    verdict = json.loads((tmp_path / "o" / "audit.json").read_text())["verdict"]
    assert verdict in ("pass", "warn", "fail")
    if expected:
        assert "reaches --fail-on" in capsys.readouterr().err


def test_default_fail_on_is_error(corpus_file, tmp_path, use_fakes):
    use_fakes(split_leakage=None)
    assert main(["audit", str(corpus_file), "--out", str(tmp_path / "o")]) == 0
    use_fakes()
    assert main(["audit", str(corpus_file), "--out", str(tmp_path / "o")]) == 1


@pytest.mark.parametrize("args, message", [
    (["--label-col", "variety"], "no label column 'variety'"),
    (["--domain-col", "genre"], "no domain column 'genre'"),
    (["--checks", "nope"], "unknown check(s) 'nope'"),
    (["--set", "token_shortcut.nope=1"], "unknown parameter 'nope'"),
    (["--set", "oops"], "CHECK.PARAM=VALUE"),
    (["--recipe", "/nonexistent/recipe.yaml"], "cannot read the recipe"),
])
def test_input_errors_exit_2_with_a_message_not_a_traceback(corpus_file, tmp_path, use_fakes, capsys, args, message):
    code = main(["audit", str(corpus_file), "--out", str(tmp_path / "o"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err


def test_missing_input_exits_2(tmp_path, use_fakes, capsys):
    assert main(["audit", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_crashing_check_exits_3_and_says_it_is_a_bug(corpus_file, tmp_path, use_fakes, capsys):
    use_fakes(duplicates=broken)
    code = main(["audit", str(corpus_file), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 3
    assert "'duplicates' failed" in err and "bug in corpus-sieve" in err


def test_checks_recipe_and_overrides(corpus_file, tmp_path, use_fakes):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("audit:\n  allow_list: [Público]\n  thresholds:\n    label_balance: {imbalance_warn: 50}\n")
    code = main(["audit", str(corpus_file), "--out", str(tmp_path / "o"), "--recipe", str(recipe),
                 "--checks", "label_balance,token_shortcut", "--set", "label_balance.imbalance_error=60",
                 "--fail-on", "warn"])
    doc = json.loads((tmp_path / "o" / "audit.json").read_text())
    assert doc["checks"] == ["label_balance", "token_shortcut"]
    assert doc["thresholds"]["label_balance"] == {"imbalance_warn": 50, "imbalance_error": 60}
    assert doc["allow_list"] == ["Público"]
    assert doc["verdict"] == "pass" and code == 0


def test_custom_column_names(tmp_path, use_fakes):
    path = tmp_path / "c.csv"
    corpus_frame().rename({"text": "sentence", "label": "variety", "domain": "genre"}).write_csv(path)
    code = main(["audit", str(path), "--out", str(tmp_path / "o"), "--text-col", "sentence",
                 "--label-col", "variety", "--domain-col", "genre", "--checks", "label_balance"])
    doc = json.loads((tmp_path / "o" / "audit.json").read_text())
    assert code == 0 or doc["verdict"] == "fail"
    assert set(doc["corpus"]["domains"]) == {"journalistic", "web"}


def test_terminal_summary_escapes_control_characters(tmp_path, use_fakes, capsys):
    from corpus_sieve.pipeline.cli.audit import _one_line

    assert _one_line("a\x1b[31mred\x07") == "a\\x1b[31mred\\x07"


def test_importing_the_cli_module_stays_light():
    code = "import sys, corpus_sieve.pipeline.cli.audit; print('polars' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_real_checks_through_the_real_command(corpus_file, tmp_path, repo_root):
    """The real command end to end with real (cheap) checks (exit 0 or 1, never a crash)."""
    out = tmp_path / "o"
    real = [c for c in ("label_balance", "duplicates", "split_leakage") if c in corpus_sieve.audits.registry.available_checks()]
    proc = subprocess.run([sys.executable, "-m", "corpus_sieve.pipeline.cli.main", "audit", str(corpus_file), "--out", str(out),
                           "--checks", ",".join(real)], cwd=repo_root,
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads((out / "audit.json").read_text())["verdict"] in ("pass", "warn", "fail")
