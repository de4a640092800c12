"""Crash-safe, resumable runs: kill a run anywhere, resume it, get the same bytes.

* In process: a stage that raises (a crash) or a KeyboardInterrupt (Ctrl-C)
  after some batches; ``resume_pipeline`` finishes the run and the outputs
  equal an uninterrupted run's byte for byte, stats and examples included.
* Out of process: a real ``sieve clean`` is SIGKILLed after a batch was
  committed, and again at random moments while it resumes; the final
  ``--resume`` ends with byte-identical outputs.
* No run directory ever holds a complete-looking but partial output.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from corpus_sieve.filters import registry
from corpus_sieve.filters.base import Check
from corpus_sieve.pipeline.run.errors import ResumeError, RunInterrupted
from corpus_sieve.pipeline.recipe.recipe import Recipe, load_recipe
from corpus_sieve.pipeline.run.resume import CHECKPOINT_DIR, PART_INPUT_HASH, STATE_FILE, rejected_part, with_input_text
from corpus_sieve.pipeline.engines.local import resume_pipeline, run_pipeline
from corpus_sieve.pipeline.recipe.presets import preset_path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample_corpus.jsonl"
DEFAULT_RECIPE = preset_path("ptvid")


class Tripwire(Check):
    """Keeps every row, but raises ``error`` when armed and the run reaches batch ``at``."""

    name = "test_tripwire"
    reasons = ("never",)
    armed: dict = {"at": None, "error": RuntimeError}

    def __init__(self) -> None:
        self.batches = 0

    def reasons_frame(self, frame, column="text", id_column=None):
        self.batches += 1
        if Tripwire.armed["at"] is not None and self.batches > Tripwire.armed["at"]:
            raise Tripwire.armed["error"]("tripwire")
        return pl.DataFrame({"reason": [None] * frame.height}, schema={"reason": pl.String})


@pytest.fixture(scope="module", autouse=True)
def _register():
    registry._REGISTRY[Tripwire.name] = Tripwire
    yield
    del registry._REGISTRY[Tripwire.name]


@pytest.fixture(autouse=True)
def _disarm():
    Tripwire.armed = {"at": None, "error": RuntimeError}


RECIPE = {
    "outputs": ["parquet", "jsonl"],
    "stages": [
        {"filter": "normalize_whitespace"},
        {"filter": "remove_urls"},
        {"filter": "test_tripwire"},
        {"filter": "char_length", "params": {"min_chars": 30}, "per_domain": {"social_media": {"min_chars": 10}}},
        {"filter": "exact_dedup"},
        {"filter": "exact_dedup", "name": "dedup_per_domain", "per_domain": {"web": {"lowercase": False}}},
        {"filter": "near_dedup"},  # the " (cópia)" copies
    ],
}


def corpus(tmp_path: Path, copies: int = 3) -> Path:
    """The sample corpus, copied with variations: plenty of duplicates for dedup to remember."""
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    out = tmp_path / "corpus.jsonl"
    with open(out, "w", encoding="utf-8") as fh:
        for c in range(copies):
            for row in rows:
                row = {**row, "id": f"{row['id']}-{c}"}
                if c % 2:
                    row["text"] = row["text"].upper() if c % 4 == 1 else row["text"] + " (cópia)"
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        fh.write('{"id": "broken", "text": \n')
    return out


def comparable_stats(run_dir: Path) -> dict:
    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k not in ("seconds", "run_id")}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj
    return strip(json.loads((run_dir / "stats.json").read_text(encoding="utf-8")))


def assert_same_run(a: Path, b: Path) -> None:
    for name in ("kept.parquet", "rejected.parquet", "kept.jsonl", "rejected.jsonl", "examples.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert comparable_stats(a) == comparable_stats(b)
    assert not (b / CHECKPOINT_DIR).exists() and not (b / "error.json").exists()


def finished_files(run_dir: Path) -> set[str]:
    return {p.name for p in run_dir.iterdir() if p.name in ("kept.parquet", "rejected.parquet", "stats.json",
                                                             "kept.jsonl", "rejected.jsonl", "examples.json")}


def _assert_no_io_threads_left() -> None:
    """A stopped run leaves no read-ahead, write-behind or pool-feeding thread running."""
    import threading

    deadline = time.monotonic() + 5
    names = ("sieve-read-ahead", "sieve-write-behind", "sieve-pool-feeder")
    while any(t.name in names for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [t.name for t in threading.enumerate() if t.name in names] == []


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reference")
    data = corpus(tmp)
    result = run_pipeline([data], Recipe.from_dict(RECIPE), tmp / "clean", progress=False, batch_size=97)
    return data, result.path


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("at", [0, 1, 5])
def test_a_run_stopped_after_any_batch_resumes_to_identical_outputs(tmp_path, reference, error, at):
    data, clean = reference
    Tripwire.armed = {"at": at, "error": error}
    expected = RunInterrupted if error is KeyboardInterrupt else RuntimeError
    with pytest.raises(expected):
        run_pipeline([data], Recipe.from_dict(RECIPE), tmp_path / "runs", progress=False, batch_size=97)
    run_dir = (tmp_path / "runs" / "latest").resolve()
    assert finished_files(run_dir) == set()  # nothing that looks like a finished output
    _assert_no_io_threads_left()
    state = json.loads((run_dir / CHECKPOINT_DIR / STATE_FILE).read_text(encoding="utf-8"))
    assert state["batches_done"] == at
    assert state["status"] == ("interrupted" if error is KeyboardInterrupt else "failed")
    Tripwire.armed = {"at": None, "error": RuntimeError}
    result = resume_pipeline(run_dir, Recipe.from_dict(RECIPE), progress=False)
    assert result.timings["batches_resumed_from"] == at and result.timings["resumed"] == 1
    assert_same_run(clean, result.path)


def test_interrupt_says_how_to_resume(tmp_path, reference):
    data, _ = reference
    Tripwire.armed = {"at": 2, "error": KeyboardInterrupt}
    with pytest.raises(RunInterrupted) as stop:
        run_pipeline([data], Recipe.from_dict(RECIPE), tmp_path / "runs", progress=False, batch_size=97)
    run_dir = (tmp_path / "runs" / "latest").resolve()
    assert stop.value.batches_done == 2 and stop.value.rows_done == 194
    assert stop.value.resume_command() == f"sieve clean --resume {run_dir}"
    assert json.loads((run_dir / "error.json").read_text(encoding="utf-8"))["error"] == "RunInterrupted"


def test_resume_refuses_a_finished_run_a_changed_input_and_a_changed_recipe(tmp_path, reference):
    data = corpus(tmp_path)  # its own copy (this test edits it), and its own clean run
    clean = run_pipeline([data], Recipe.from_dict(RECIPE), tmp_path / "clean", progress=False, batch_size=97).path
    with pytest.raises(ResumeError, match="already finished"):
        resume_pipeline(clean, Recipe.from_dict(RECIPE))
    Tripwire.armed = {"at": 1, "error": RuntimeError}
    with pytest.raises(RuntimeError):
        run_pipeline([data], Recipe.from_dict(RECIPE), tmp_path / "runs", progress=False, batch_size=97)
    run_dir = tmp_path / "runs" / "latest"
    changed = {**RECIPE, "stages": RECIPE["stages"][:-1]}
    with pytest.raises(ResumeError, match="the recipe changed since run"):
        resume_pipeline(run_dir, Recipe.from_dict(changed))
    with pytest.raises(ResumeError, match="not a file; pass the recipe"):
        resume_pipeline(run_dir)
    original = data.read_bytes()
    data.write_bytes(original + b'{"text": "mais uma linha"}\n')
    with pytest.raises(ResumeError, match="the input files changed since run"):
        resume_pipeline(run_dir, Recipe.from_dict(RECIPE))
    data.write_bytes(original)
    os.utime(data, (1, 1))  # same content, new mtime: still resumable
    Tripwire.armed = {"at": None, "error": RuntimeError}
    assert_same_run(clean, resume_pipeline(run_dir, Recipe.from_dict(RECIPE), progress=False).path)
    with pytest.raises(ResumeError, match="no run directory"):
        resume_pipeline(tmp_path / "nowhere", Recipe.from_dict(RECIPE))


def _stopped_run(tmp_path: Path, data: Path, at: int, **options) -> Path:
    """The run directory of a run that crashed after committing ``at`` batches (tripwire disarmed again)."""
    Tripwire.armed = {"at": at, "error": RuntimeError}
    with pytest.raises(RuntimeError):
        run_pipeline([data], Recipe.from_dict(RECIPE), tmp_path / "runs", progress=False, **{"batch_size": 97, **options})
    Tripwire.armed = {"at": None, "error": RuntimeError}
    return (tmp_path / "runs" / "latest").resolve()


def test_half_written_files_after_the_last_commit_are_ignored(tmp_path, reference):
    data, clean = reference
    run_dir = _stopped_run(tmp_path, data, 3)
    parts = run_dir / CHECKPOINT_DIR / "parts"
    # what a SIGKILL in the middle of batch 3 could leave: a truncated part and a stray temp file
    (parts / "kept-000003.arrow").write_bytes(b"ARROW1\x00\x00garbage")
    (parts / ".rejected-000003.arrow.123.tmp").write_bytes(b"half")
    (run_dir / "kept.parquet.tmp").write_bytes(b"PAR1 half")
    result = resume_pipeline(run_dir, Recipe.from_dict(RECIPE), progress=False)
    assert_same_run(clean, result.path)
    assert not (run_dir / "kept.parquet.tmp").exists()


def test_rejected_parts_store_no_input_text_and_resume_puts_it_back(tmp_path, reference):
    data, clean = reference
    run_dir = _stopped_run(tmp_path, data, 3)
    parts = sorted((run_dir / CHECKPOINT_DIR / "parts").glob("rejected-*.arrow"))
    stored = pl.concat([pl.read_ipc(p) for p in parts])
    assert stored.height > 0 and stored["text"].null_count() == stored.height  # the raw pages are not written twice
    assert stored[PART_INPUT_HASH].null_count() == 0 and stored["cleaned_text"].null_count() < stored.height
    assert_same_run(clean, resume_pipeline(run_dir, Recipe.from_dict(RECIPE), progress=False).path)


def test_a_stopped_dev_run_resumes_to_identical_outputs(tmp_path, reference):
    # a --dev sample's batches hold rows from all over the input: their rejected text is found by position
    data, _ = reference
    clean = run_pipeline([data], Recipe.from_dict(RECIPE), tmp_path / "clean", dev=True, dev_per_stratum=40,
                         progress=False, batch_size=50).path
    run_dir = _stopped_run(tmp_path, data, 2, dev=True, dev_per_stratum=40, batch_size=50)
    result = resume_pipeline(run_dir, Recipe.from_dict(RECIPE), progress=False)
    assert result.timings["batches_resumed_from"] == 2
    assert_same_run(clean, result.path)


def test_a_rejected_row_whose_input_text_changed_is_refused_on_resume():
    batch = pl.DataFrame({"pos": [10, 11, 12], "orig": ["<p>a</p>", "<p>b</p>", "<p>c</p>"]})
    rejected = pl.DataFrame({"pos": [11, 12], "text": ["<p>b</p>", "<p>c</p>"], "reason": ["x", "y"]})
    part = rejected_part(rejected, "text")
    assert part["text"].null_count() == 2
    assert with_input_text(part, batch, "text", "pos", "orig", 0).equals(rejected)
    changed = batch.with_columns(pl.Series("orig", ["<p>a</p>", "<p>B</p>", "<p>c</p>"]))
    with pytest.raises(ResumeError, match="batch 4 rejected"):
        with_input_text(part, changed, "text", "pos", "orig", 4)
    with pytest.raises(ResumeError, match="no longer gives"):  # a row that is gone
        with_input_text(part, batch.head(2), "text", "pos", "orig", 0)


def test_resumed_dedup_remembers_texts_from_before_the_crash(tmp_path):
    data = tmp_path / "dups.jsonl"
    data.write_text("".join(json.dumps({"id": f"r{i}", "text": f"Texto repetido número {i % 5}."}) + "\n"
                            for i in range(40)), encoding="utf-8")
    recipe = {"stages": [{"filter": "test_tripwire"}, {"filter": "exact_dedup"}]}
    Tripwire.armed = {"at": 2, "error": RuntimeError}
    with pytest.raises(RuntimeError):
        run_pipeline([data], Recipe.from_dict(recipe), tmp_path / "runs", progress=False, batch_size=7)
    Tripwire.armed = {"at": None, "error": RuntimeError}
    result = resume_pipeline(tmp_path / "runs" / "latest", Recipe.from_dict(recipe), progress=False)
    kept = pl.read_parquet(result.run_dir.kept_path)
    assert kept["id"].to_list() == ["r0", "r1", "r2", "r3", "r4"]
    rejected = pl.read_parquet(result.run_dir.rejected_path)
    assert rejected.filter(pl.col("id") == "r39")["duplicate_of"].to_list() == ["r4"]


# -- atomic files ------------------------------------------------------------------------------------------

def test_every_file_of_a_run_is_written_by_rename(tmp_path, reference, monkeypatch):
    """Trace every open-for-write in a run: each goes to a temp name that is then renamed."""
    import builtins

    data, _ = reference
    written: list[str] = []
    renamed: list[tuple[str, str]] = []
    real_open, real_replace, real_fdopen = builtins.open, os.replace, os.fdopen

    def traced_open(file, mode="r", *a, **kw):
        if any(m in mode for m in "wax") and "runs" in str(file):
            written.append(str(file))
        return real_open(file, mode, *a, **kw)

    def traced_replace(src, dst, *a, **kw):
        renamed.append((str(src), str(dst)))
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(builtins, "open", traced_open)
    monkeypatch.setattr(os, "replace", traced_replace)
    result = run_pipeline([data], Recipe.from_dict({**RECIPE, "outputs": ["parquet", "jsonl", "datasets"]}),
                          tmp_path / "runs", progress=False, batch_size=97)
    finals = {dst for _, dst in renamed}
    for name in ("kept.parquet", "rejected.parquet", "kept.jsonl", "rejected.jsonl", "stats.json",
                 "timings.json", "examples.json", "recipe.json", "inputs.json", "manifest.json"):
        assert str(result.path / name) in finals, name
    assert str(result.path / "datasets" / "kept") in finals
    final_names = {Path(d).name for d in finals}
    for path in written:  # nothing is opened for writing under its final name
        assert Path(path).name not in final_names or path not in finals, path


def test_stats_json_is_the_last_file_a_run_writes(tmp_path, reference, monkeypatch):
    data, _ = reference
    order: list[str] = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda s, d, *a, **k: (order.append(Path(d).name), real_replace(s, d, *a, **k))[1])
    run_pipeline([data], Recipe.from_dict(RECIPE), tmp_path / "runs", progress=False, batch_size=97)
    outputs = [n for n in order if not n.endswith(".arrow") and n != STATE_FILE]
    assert outputs[-1] == "stats.json"
    assert outputs.index("kept.parquet") < outputs.index("stats.json")


# -- a real process, really killed -----------------------------------------------------------------------

def _sieve(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "corpus_sieve.pipeline.cli.main", "clean", *args, "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _batches_done(base: Path) -> int:
    try:
        state = (base / "latest").resolve() / CHECKPOINT_DIR / STATE_FILE
        return json.loads(state.read_text(encoding="utf-8"))["batches_done"]
    except (OSError, ValueError, KeyError):
        return 0


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 60) -> bool:
    """SIGKILL ``proc`` once ``ready()``; False when it finished first."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.01)
    proc.wait()
    return False


@pytest.mark.slow
def test_sigkill_a_real_sieve_clean_then_resume_gives_identical_outputs(tmp_path):
    data = corpus(tmp_path, copies=3)
    recipe = load_recipe(DEFAULT_RECIPE)
    clean = run_pipeline([str(data)], recipe, tmp_path / "clean", progress=False, batch_size=100).path

    base = tmp_path / "runs"
    rng = random.Random(5)
    kills = 0
    proc = _sieve(str(data), "--recipe", str(DEFAULT_RECIPE), "--out", str(base), "--batch-size", "100")
    assert _kill_when(proc, lambda: _batches_done(base) >= 2), proc.stderr.read()
    kills += 1
    run_dir = (base / "latest").resolve()
    assert finished_files(run_dir) == set()
    # kill the resuming process at random moments (import, re-reading, mid-batch, assembling ...)
    for _ in range(1):
        delay = rng.uniform(0.3, 2.5)
        start = time.monotonic()
        proc = _sieve("--resume", str(run_dir))
        if _kill_when(proc, lambda: time.monotonic() - start > delay):
            kills += 1
            assert (run_dir / "stats.json").exists() or not finished_files(run_dir) - {"kept.parquet", "rejected.parquet", "kept.jsonl", "rejected.jsonl", "examples.json"}
    if not (run_dir / "stats.json").exists():
        out = subprocess.run([sys.executable, "-m", "corpus_sieve.pipeline.cli.main", "clean", "--resume", str(run_dir), "--quiet"],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert "kept + rejected = input: OK" in out.stdout
    assert kills >= 1
    assert_same_run(clean, run_dir)


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_says_how_to_resume_and_exits_130(tmp_path):
    data = corpus(tmp_path, copies=6)
    base = tmp_path / "runs"
    proc = _sieve(str(data), "--recipe", str(DEFAULT_RECIPE), "--out", str(base), "--batch-size", "100")
    deadline = time.monotonic() + 60
    while _batches_done(base) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    run_dir = (base / "latest").resolve()
    if proc.returncode == 0 or "after the run had finished" in err:  # nothing left to resume
        assert proc.returncode in (0, 130) and "Traceback" not in err
        assert (run_dir / "stats.json").is_file()
        pytest.skip("the run finished before SIGINT arrived")
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert f"Continue it with:\n  sieve clean --resume {run_dir}" in err
    assert "interrupted by SIGINT" in err
    state = json.loads((run_dir / CHECKPOINT_DIR / STATE_FILE).read_text(encoding="utf-8"))
    assert state["status"] == "interrupted" and finished_files(run_dir) == set()


def test_resume_cli_refuses_extra_arguments_and_unknown_runs(tmp_path, capsys):
    from corpus_sieve.pipeline.cli.main import main

    assert main(["clean", "--resume", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "do not give --out" in capsys.readouterr().err
    assert main(["clean", "--resume", str(tmp_path / "missing")]) == 2
    assert "cannot resume: no run directory at" in capsys.readouterr().err
    assert main(["clean", "--out", str(tmp_path)]) == 2
    assert "give at least one INPUT (or --resume RUN_DIR)" in capsys.readouterr().err


def test_the_same_ctrl_c_seen_twice_stops_the_run_once(monkeypatch):
    """polars can surface one SIGINT twice; the second must not cut the clean-up short."""
    from corpus_sieve.pipeline.run import errors

    # Python's own SIGINT handler, whatever an earlier test or library left in place
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    clock = [1000.0]  # the handler's clock, moved by hand: nothing here depends on how busy the machine is
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    try:
        with errors.one_interrupt_at_a_time():
            with pytest.raises(KeyboardInterrupt):  # the first Ctrl-C stops the run (a real signal)
                signal.raise_signal(signal.SIGINT)
            handler = signal.getsignal(signal.SIGINT)
            clock[0] += errors.REPEAT_WINDOW_S / 2
            handler(signal.SIGINT, None)  # the same one seen again during the clean-up: dropped
            clock[0] += errors.REPEAT_WINDOW_S
            with pytest.raises(KeyboardInterrupt):  # a later Ctrl-C works as usual
                handler(signal.SIGINT, None)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back on the way out
    finally:
        signal.signal(signal.SIGINT, before)
    assert signal.getsignal(signal.SIGINT) is before
