"""``sieve clean`` and ``sieve filters``: exit codes, clear errors (never a traceback), the summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_sieve.pipeline.cli.main import main

REPO = Path(__file__).resolve().parents[2]

GOOD_RECIPE = """
name: cli-test
stages:
  - filter: normalize_whitespace
  - filter: reject_empty
  - filter: char_length
    params: {min_chars: 12}
    per_domain:
      social_media: {min_chars: 4}
"""


@pytest.fixture
def files(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    rows = [
        {"id": "a", "text": "O autocarro chegou  atrasado.", "label": "pt-PT", "domain": "social_media"},
        {"id": "b", "text": "O ônibus atrasou.", "label": "pt-BR", "domain": "social_media"},
        {"id": "c", "text": "curto", "label": "pt-PT", "domain": "legal"},
        {"id": "d", "text": "  ", "label": "pt-BR", "domain": "legal"},
    ]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows) + '{"id": "e", "text": \n', encoding="utf-8")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(GOOD_RECIPE, encoding="utf-8")
    return corpus, recipe, tmp_path / "runs"


def test_clean_writes_a_run_and_prints_the_summary(files, capsys):
    corpus, recipe, out = files
    assert main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "kept + rejected = input: OK (2 + 3 = 5)" in stdout
    assert "malformed_input 1" in stdout and "too_few_chars 1" in stdout and "empty 1" in stdout
    assert "retention by domain x label" in stdout and "social_media  pt-BR" in stdout
    run_dir = (out / "latest").resolve()
    assert f"run directory: {run_dir}" in stdout
    for name in ("kept.parquet", "rejected.parquet", "stats.json", "timings.json", "examples.json", "recipe.json"):
        assert (run_dir / name).is_file(), name


def test_quiet_prints_one_line(files, capsys):
    corpus, recipe, out = files
    assert main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1 and "5 rows: 2 kept, 3 rejected; kept + rejected = input: OK" in captured.out
    assert captured.err == ""


def test_dev_mode_says_so(files, capsys):
    corpus, recipe, out = files
    with open(corpus, "a", encoding="utf-8") as fh:  # a second row in the legal x pt-PT stratum
        fh.write(json.dumps({"id": "f", "text": "A sentença transitou em julgado.", "label": "pt-PT", "domain": "legal"}) + "\n")
    assert main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(out), "--dev", "--dev-per-stratum", "1", "--seed", "4"]) == 0
    stdout = capsys.readouterr().out
    # 5 strata (the malformed row has neither domain nor label): one row each
    assert "DEV MODE: a seeded sample of 5 of 6 rows read (at most 1 per domain x label, seed 4)" in stdout
    assert "read: the whole input" in stdout  # a small input is read whole


@pytest.mark.parametrize(
    "recipe_text, expected",
    [
        ("stages:\n  - filter: char_length\n    params: {min_chars: ten}\n",
         "stages[0].params.min_chars: expected int or null, got 'ten'"),
        ("stages:\n  - filter: remove_hashtag\n", "stages[0].filter: unknown filter 'remove_hashtag'. Did you mean 'remove_hashtags'"),
        ("stages: [oops\n", "cannot parse"),
    ],
)
def test_bad_recipe_exits_2_with_a_clear_message(files, capsys, recipe_text, expected):
    corpus, recipe, out = files
    recipe.write_text(recipe_text, encoding="utf-8")
    assert main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"sieve clean: error: recipe {recipe.resolve()} has 1 problem:")
    assert expected in err and "Traceback" not in err
    assert not out.exists()  # nothing ran


def test_missing_input_exits_2(files, capsys):
    _, recipe, out = files
    assert main(["clean", str(out.parent / "nope.jsonl"), "--recipe", str(recipe), "--out", str(out)]) == 2
    assert "sieve clean: error: cannot read the input: no such file or directory" in capsys.readouterr().err


def test_strict_mode_stops_at_the_first_unreadable_row(files, capsys):
    corpus, recipe, out = files
    assert main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(out), "--strict"]) == 2
    err = capsys.readouterr().err
    assert "cannot read the input:" in err and "line 5" in err and "Traceback" not in err


def test_a_missing_params_from_columns_column_falls_back_to_params_and_says_so(files, capsys):
    corpus, recipe, out = files
    recipe.write_text("stages:\n  - filter: char_length\n    params: {min_chars: 12}\n"
                      "    params_from_columns: {min_chars: limit}\n", encoding="utf-8")
    assert main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "the recipe was fitted to this input's columns:" in printed
    assert "stages[0] (char_length): the input has no column 'limit', so params_from_columns.min_chars " \
           "falls back to 12 from params for every row" in printed
    stats = json.loads((out / "latest" / "stats.json").read_text(encoding="utf-8"))
    assert len(stats["notes"]) == 1 and "'limit'" in stats["notes"][0]
    char_length = next(st for st in stats["stages"] if st["stage"] == "char_length")
    assert char_length["reasons"] == {"too_few_chars": 2}  # "curto" and "  ", at min_chars 12


def test_a_missing_domain_column_leaves_domain_routing_idle_and_says_so(tmp_path, capsys):
    corpus = tmp_path / "no_domain.jsonl"
    corpus.write_text('{"text": "<p>ol&aacute;, tudo bem?</p>"}\n{"text": "curto"}\n', encoding="utf-8")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("stages:\n  - filter: html_to_text\n    domains: [web]\n"
                      "  - filter: char_length\n    params: {min_chars: 3}\n    per_domain: {web: {min_chars: 10}}\n",
                      encoding="utf-8")
    assert main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(tmp_path / "runs")]) == 0
    notes = json.loads((tmp_path / "runs" / "latest" / "stats.json").read_text(encoding="utf-8"))["notes"]
    assert notes == [
        "stages[0] (html_to_text): the input has no domain column 'domain'; it runs only on domains ['web'], "
        "so it changes no row",
        "stages[1] (char_length): the input has no domain column 'domain'; its per_domain overrides never apply",
    ]
    import polars as pl

    kept = pl.read_parquet(tmp_path / "runs" / "latest" / "kept.parquet")
    assert kept["text"].to_list() == ["<p>ol&aacute;, tudo bem?</p>", "curto"]  # min_chars 3, not the web 10


def test_a_parameter_only_a_missing_column_gives_is_a_clear_error(files, capsys):
    corpus, recipe, out = files
    recipe.write_text("stages:\n  - filter: regex_reject\n    params_from_columns: {pattern: rule}\n", encoding="utf-8")
    assert main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "stages[0].params_from_columns.pattern: the input has no column 'rule' and regex_reject needs 'pattern'" in err
    assert "Traceback" not in err


def test_without_recipe_the_default_preset_runs_on_a_text_only_corpus(tmp_path, capsys):
    corpus = tmp_path / "only_text.jsonl"
    corpus.write_text('{"text": "Olá,   mundo &amp; <b>amigos</b>"}\n{"text": "Olá, mundo & amigos"}\n{"text": " "}\n',
                      encoding="utf-8")
    assert main(["clean", str(corpus), "--out", str(tmp_path / "runs")]) == 0
    printed = capsys.readouterr().out
    assert "label skew: not measured" in printed
    recipe = json.loads((tmp_path / "runs" / "latest" / "recipe.json").read_text(encoding="utf-8"))
    assert recipe["name"] == "default"
    import polars as pl

    kept = pl.read_parquet(tmp_path / "runs" / "latest" / "kept.parquet")
    assert kept["text"].to_list() == ["Olá, mundo & amigos"]  # markup, spaces, then the duplicate and the blank row


def test_recipe_names_a_preset_and_unknown_names_get_a_did_you_mean(files, capsys):
    corpus, _, out = files
    assert main(["clean", str(corpus), "--recipe", "ptvd", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no recipe file or preset named 'ptvd'. Did you mean 'ptvid'?" in err and "Traceback" not in err
    assert main(["clean", str(corpus), "--recipe", "no/such/recipe.yaml", "--out", str(out)]) == 2
    assert "recipe file not found: no/such/recipe.yaml" in capsys.readouterr().err


def test_sieve_recipes_lists_and_prints_the_presets(capsys):
    assert main(["recipes"]) == 0
    listed = capsys.readouterr().out
    assert "default" in listed and "ptvid" in listed and "(used without --recipe)" in listed
    assert main(["recipes", "--json"]) == 0
    names = [p["name"] for p in json.loads(capsys.readouterr().out)]
    assert {"default", "ptvid"} <= set(names)
    assert main(["recipes", "ptvid"]) == 0
    assert "filter: token_length" in capsys.readouterr().out


def test_accounting_failure_exits_1_loudly(files, capsys, monkeypatch):
    import corpus_sieve.pipeline.io.writers

    corpus, recipe, out = files
    real_close = corpus_sieve.pipeline.io.writers.ParquetSink.close
    monkeypatch.setattr(corpus_sieve.pipeline.io.writers.ParquetSink, "close", lambda self: real_close(self) + 1)
    assert main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(out)]) == 1
    assert "sieve clean: FATAL: rows were lost" in capsys.readouterr().err


def test_batch_size_must_be_positive(files, capsys):
    corpus, recipe, out = files
    with pytest.raises(SystemExit) as info:
        main(["clean", str(corpus), "--recipe", str(recipe), "--out", str(out), "--batch-size", "0"])
    assert info.value.code == 2
    assert "expected a positive integer, got '0'" in capsys.readouterr().err


def test_subprocess_exit_codes_and_no_traceback(files):
    corpus, recipe, out = files
    bad = recipe.with_name("bad.yaml")
    bad.write_text("stages:\n  - filter: char_length\n    params: {min_chars: 10, max_chars: 2}\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "corpus_sieve.pipeline.cli.main", "clean", str(corpus), "--out", str(out)]
    failed = subprocess.run([*cmd, "--recipe", str(bad)], capture_output=True, text=True, cwd=REPO)
    assert failed.returncode == 2
    assert "stages[0] (char_length): min_chars (10) is greater than max_chars (2)" in failed.stderr
    assert "Traceback" not in failed.stderr
    ok = subprocess.run([*cmd, "--recipe", str(recipe), "--quiet"], capture_output=True, text=True, cwd=REPO)
    assert ok.returncode == 0, ok.stderr
    assert "kept + rejected = input: OK" in ok.stdout


# -- sieve filters ---------------------------------------------------------------------------------

def test_filters_lists_every_filter_with_kind_reasons_and_parameters(capsys):
    assert main(["filters"]) == 0
    out = capsys.readouterr().out
    assert "char_length  (check)  Reject texts with fewer than ``min_chars`` or more than ``max_chars`` characters." in out
    assert "    reasons: too_few_chars, too_many_chars" in out
    assert "    params:  min_chars: int | None = None; max_chars: int | None = None" in out
    assert "normalize_whitespace  (transform)" in out


def test_filters_shows_one_filter_in_full(capsys):
    assert main(["filters", "reject_empty"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("reject_empty  (check)") and "Examples" in out


def test_filters_unknown_name_exits_2(capsys):
    assert main(["filters", "char_lenght"]) == 2
    assert "Did you mean 'char_length'?" in capsys.readouterr().err


def test_filters_json(capsys):
    assert main(["filters", "--json"]) == 0
    listing = {f["name"]: f for f in json.loads(capsys.readouterr().out)}
    assert listing["char_length"]["kind"] == "check"
    assert listing["char_length"]["parameters"] == [
        {"name": "min_chars", "required": False, "default": None, "type": "int | None"},
        {"name": "max_chars", "required": False, "default": None, "type": "int | None"},
    ]


# -- progress ---------------------------------------------------------------------------------------

class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_progress_draws_a_bar_on_a_terminal_and_prints_lines_otherwise():
    from corpus_sieve.pipeline.run.progress import Progress, ReadMeter

    meter = ReadMeter(total=4000)
    tty = _Stream(tty=True)
    p = Progress(stream=tty, every=0)
    p.attach(meter)
    meter.at(1000)
    p.update(1000, 900, 100)
    meter.at(2000)
    p.update(2000, 1800, 200)
    p.finish()
    assert "━" in tty.text and "25%" in tty.text and "50%" in tty.text  # a bar, and the share of the input read
    assert "50%, ~" in tty.text and "left, 2,000 rows (1,800 kept, 200 rejected)" in tty.text
    log = _Stream(tty=False)
    p = Progress(stream=log, every=0)
    p.attach(meter)
    p.update(2000, 1800, 200)
    p.finish()
    assert "\r" not in log.text and "\x1b" not in log.text and log.text.count("\n") == 1
    assert log.text.startswith("50% of the input read, 2,000 rows (1,800 kept, 200 rejected), ")
    assert "rows/s" in log.text and "elapsed" in log.text and "left" in log.text
    unknown_size = _Stream(tty=False)  # a Hub dataset: no share, no time left
    Progress(stream=unknown_size, every=0).update(10, 10, 0)
    assert "% of the input" not in unknown_size.text and "left" not in unknown_size.text
    quiet = _Stream(tty=True)
    Progress(enabled=False, stream=quiet, every=0).update(1, 1, 0)
    assert quiet.text == ""


def test_a_closed_pipe_ends_quietly(tmp_path) -> None:
    # `sieve filters | head -1`: the reader goes away, sieve stops without a traceback
    import subprocess
    import sys

    run = subprocess.run(f"{sys.executable} -m corpus_sieve.pipeline.cli.main filters | head -1", shell=True,
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.stdout.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
