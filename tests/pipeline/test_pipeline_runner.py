"""The batch runner: nothing lost, original text kept for rejects, deterministic output, stats."""

from __future__ import annotations

import json
import time
from pathlib import Path

import polars as pl
import pytest

from corpus_sieve.filters import registry
from corpus_sieve.filters.base import Check
from corpus_sieve.pipeline.recipe.recipe import Recipe
from corpus_sieve.pipeline.run.result import AccountingError
from corpus_sieve.pipeline.engines.local import run_pipeline
from corpus_sieve.pipeline.recipe.stages import StageError
from corpus_sieve.pipeline.run.summary import format_summary

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample_corpus.jsonl"


class FirstSeen(Check):
    """Test stand-in for a global exact dedup: later copies of a text are rejected."""

    name = "test_first_seen"
    reasons = ("duplicate",)
    is_global = True

    def __init__(self) -> None:
        self.first: dict[str, str] = {}

    def reset(self) -> None:
        self.first = {}

    def reasons_frame(self, frame, column="text", id_column=None):
        reasons, firsts = [], []
        for text, rid in zip(frame[column].to_list(), frame[id_column].to_list()):
            first = self.first.setdefault(text, rid)
            reasons.append(None if first == rid else "duplicate")
            firsts.append(None if first == rid else first)
        return pl.DataFrame({"reason": reasons, "duplicate_of": firsts}, schema={"reason": pl.String, "duplicate_of": pl.String})


@pytest.fixture(autouse=True)
def _register_test_filters(monkeypatch):
    monkeypatch.setitem(registry._REGISTRY, FirstSeen.name, FirstSeen)


RECIPE = {
    "name": "runner-test",
    "examples_per_rule": 2,
    "stages": [
        {"filter": "normalize_whitespace"},
        {"filter": "reject_empty"},
        {"filter": "regex_replace", "params": {"pattern": r"\s*\(Lusa\)\s*$"}, "domains": ["journalistic"]},
        {"filter": "char_length", "params": {"min_chars": 20}, "per_domain": {"social_media": {"min_chars": 5}}},
        {"filter": "test_first_seen"},
    ],
}


def write_lines(path: Path, lines: list[bytes | str | dict]) -> Path:
    with open(path, "wb") as fh:
        for line in lines:
            if isinstance(line, dict):
                line = json.dumps(line, ensure_ascii=False)
            fh.write(line if isinstance(line, bytes) else line.encode("utf-8"))
            fh.write(b"\n")
    return path


def small_corpus(tmp_path: Path) -> Path:
    return write_lines(tmp_path / "corpus.jsonl", [
        {"id": "r1", "text": "  O  autocarro chegou   atrasado  outra vez. ", "label": "pt-PT", "domain": "social_media"},
        {"id": "r2", "text": "O ônibus atrasou de novo, que saco.", "label": "pt-BR", "domain": "social_media"},
        {"id": "r3", "text": "   ", "label": "pt-BR", "domain": "web"},
        '{"id": "r4", "text": "sem fim", ',                                           # malformed JSON
        b'{"id": "r5", "text": "caf\xe9 com leite, se faz favor", "label": "pt-PT", "domain": "web"}',  # invalid UTF-8
        {"id": "r6", "text": None, "label": "pt-PT", "domain": "web"},
        {"id": "r7", "text": "A reunião decorreu em Lisboa durante a tarde. (Lusa)", "label": None, "domain": "journalistic"},
        {"id": "r8", "text": "curto", "label": "pt-PT", "domain": "legal"},
        {"id": "r9", "text": "O ônibus atrasou de novo, que saco.", "label": "pt-BR", "domain": "social_media"},
        {"id": "r10", "text": "A reunião decorreu em Lisboa durante a tarde. (Lusa)", "label": "pt-PT", "domain": "journalistic"},
    ])


def run(tmp_path: Path, inputs, recipe: dict = RECIPE, **kw):
    return run_pipeline([str(p) for p in inputs], Recipe.from_dict(recipe), tmp_path / "runs", progress=False, **kw)


# -- nothing lost --------------------------------------------------------------------------------

def test_every_input_row_is_kept_or_rejected_with_a_reason(tmp_path):
    result = run(tmp_path, [small_corpus(tmp_path)])
    kept = pl.read_parquet(result.run_dir.kept_path)
    rejected = pl.read_parquet(result.run_dir.rejected_path)
    assert kept.height + rejected.height == 10
    assert result.stats["totals"] == {**result.stats["totals"], "input": 10, "kept": kept.height,
                                      "rejected": rejected.height, "accounted": True}
    assert sorted(kept["id"].to_list() + rejected["id"].to_list()) == sorted(f"r{i}" if i not in (4, 5) else f"corpus:{i}" for i in range(1, 11))
    assert rejected["reason"].null_count() == 0 and rejected["stage"].null_count() == 0
    by_id = {r["id"]: r for r in rejected.iter_rows(named=True)}
    assert by_id["corpus:4"]["reason"] == "malformed_input" and by_id["corpus:4"]["stage"] == "read"
    assert "line 4" in by_id["corpus:4"]["detail"]
    # unreadable rows get the id <file>:<line>; the raw line is kept as their text
    assert by_id["corpus:5"]["reason"] == "invalid_utf8" and by_id["corpus:5"]["stage"] == "read"
    assert "café com leite" not in by_id["corpus:5"]["text"] and "caf\ufffd com leite" in by_id["corpus:5"]["text"]
    assert by_id["r6"]["reason"] == "null_text"
    assert by_id["r7"]["reason"] == "null_label"
    assert (by_id["r3"]["reason"], by_id["r3"]["stage"]) == ("empty", "reject_empty")
    assert (by_id["r8"]["reason"], by_id["r8"]["stage"]) == ("too_few_chars", "char_length")
    assert (by_id["r9"]["reason"], by_id["r9"]["stage"], by_id["r9"]["duplicate_of"]) == ("duplicate", "test_first_seen", "r2")
    assert "kept + rejected = input: OK (3 + 7 = 10)" in format_summary(result.stats, str(result.path))


def test_kept_rows_are_cleaned_and_carry_only_input_columns(tmp_path):
    result = run(tmp_path, [small_corpus(tmp_path)])
    kept = pl.read_parquet(result.run_dir.kept_path)
    assert kept.columns == ["id", "text", "label", "domain"]
    assert kept.rows() == [
        ("r1", "O autocarro chegou atrasado outra vez.", "pt-PT", "social_media"),
        ("r2", "O ônibus atrasou de novo, que saco.", "pt-BR", "social_media"),
        ("r10", "A reunião decorreu em Lisboa durante a tarde.", "pt-PT", "journalistic"),  # (Lusa) removed only there
    ]


def test_rejected_rows_keep_their_original_text_and_the_text_at_rejection(tmp_path):
    result = run(tmp_path, [small_corpus(tmp_path)])
    rejected = pl.read_parquet(result.run_dir.rejected_path)
    assert rejected.columns == ["id", "text", "label", "domain", "reason", "stage", "detail", "duplicate_of", "cleaned_text"]
    r3 = rejected.filter(pl.col("id") == "r3").row(0, named=True)
    assert r3["text"] == "   " and r3["cleaned_text"] == ""
    assert rejected["id"].to_list() == ["r3", "corpus:4", "corpus:5", "r6", "r7", "r8", "r9"]  # input order


# -- determinism --------------------------------------------------------------------------------------

def test_output_is_byte_identical_across_runs_and_batch_sizes(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(SAMPLE.read_bytes() + small_corpus(tmp_path).read_bytes())
    outputs = []
    for i, batch_size in enumerate([7, 64, 10_000, 64]):
        result = run_pipeline([corpus], Recipe.from_dict(RECIPE), tmp_path / f"runs{i}", progress=False, batch_size=batch_size)
        outputs.append((result.run_dir.kept_path.read_bytes(), result.run_dir.rejected_path.read_bytes(),
                        result.stats["by_group"], result.examples))
    assert all(o == outputs[0] for o in outputs[1:])
    assert pl.read_parquet(result.run_dir.rejected_path).filter(pl.col("reason") == "duplicate").height > 0


# -- statistics ----------------------------------------------------------------------------------------

def test_stats_json_has_the_agreed_shape(tmp_path):
    result = run(tmp_path, [small_corpus(tmp_path)])
    stats = json.loads((result.path / "stats.json").read_text(encoding="utf-8"))
    assert stats == result.stats
    assert isinstance(stats["run_id"], str) and stats["run_id"] == result.path.name
    assert isinstance(stats["version"], str)
    assert set(stats["totals"]) >= {"input", "kept", "rejected", "accounted", "seconds"}
    assert [s["stage"] for s in stats["stages"]] == ["read", "normalize_whitespace", "reject_empty", "regex_replace", "char_length", "test_first_seen"]
    assert [s["kind"] for s in stats["stages"]] == ["read", "transform", "check", "transform", "check", "check"]
    for s in stats["stages"]:
        assert {"stage", "index", "kind", "seconds", "rows_in", "rows_changed", "rows_rejected", "chars_removed", "reasons"} <= set(s)
        assert isinstance(s["index"], int) and isinstance(s["seconds"], float)
        assert sum(s["reasons"].values()) == s["rows_rejected"]
        groups = [g for g in stats["by_group"] if g["stage"] == s["stage"]]
        for key in ("rows_in", "rows_changed", "rows_rejected", "chars_removed"):
            assert sum(g[key] for g in groups) == s[key]
    read = stats["stages"][0]
    assert read["index"] == -1 and read["rows_in"] == 10
    assert read["reasons"] == {"invalid_utf8": 1, "malformed_input": 1, "null_label": 1, "null_text": 1}
    ws = stats["stages"][1]
    assert ws["rows_in"] == 6 and ws["rows_changed"] == 2 and ws["chars_removed"] == 10  # r1 loses 7, r3 loses 3
    lusa = stats["stages"][3]
    assert lusa["rows_changed"] == 1 and lusa["chars_removed"] == len(" (Lusa)")  # journalistic only: r10
    for g in stats["by_group"]:
        assert set(g) >= {"stage", "domain", "label", "rows_in", "rows_changed", "rows_rejected", "chars_removed", "reasons"}
    retention = {(r["domain"], r["label"]): r for r in stats["retention"]}
    assert retention[("social_media", "pt-BR")] == {"domain": "social_media", "label": "pt-BR", "input": 2, "kept": 1, "retention": 0.5}
    assert sum(r["input"] for r in stats["retention"]) == 10
    assert sum(r["kept"] for r in stats["retention"]) == stats["totals"]["kept"]


def test_timings_and_examples_are_written(tmp_path):
    result = run(tmp_path, [small_corpus(tmp_path)])
    timings = json.loads((result.path / "timings.json").read_text(encoding="utf-8"))
    assert {"seconds", "read_seconds", "write_seconds", "rows_per_second", "stages"} <= set(timings)
    assert [t["stage"] for t in timings["stages"]][1:] == [s.name for s in Recipe.from_dict(RECIPE).stages]
    examples = json.loads((result.path / "examples.json").read_text(encoding="utf-8"))
    by_stage = {e["stage"]: e["examples"] for e in examples["stages"]}
    ws = by_stage["normalize_whitespace"]
    assert [e["id"] for e in ws] == ["r1", "r3"]  # the largest change first, at most examples_per_rule
    assert ws[0]["before"] == "  O  autocarro chegou   atrasado  outra vez. "
    assert ws[0]["after"] == "O autocarro chegou atrasado outra vez." and ws[0]["chars_removed"] == 7
    assert by_stage["test_first_seen"] == [{"id": "r9", "domain": "social_media", "label": "pt-BR", "reason": "duplicate",
                                            "text": "O ônibus atrasou de novo, que saco.", "duplicate_of": "r2",
                                            "duplicate_text": "O ônibus atrasou de novo, que saco."}]  # the pair
    assert [(e["id"], e["reason"]) for e in by_stage["read"]] == [
        ("corpus:5", "invalid_utf8"), ("corpus:4", "malformed_input"), ("r7", "null_label"), ("r6", "null_text"),
    ]
    assert "line 4" in by_stage["read"][1]["detail"]


def test_label_skewed_stage_is_flagged(tmp_path):
    rows = [{"text": "Um texto português bem comprido para passar.", "label": "pt-PT", "domain": "web"} for _ in range(30)]
    rows += [{"text": "curtinho" if i % 2 else "Um texto brasileiro bem comprido para passar.", "label": "pt-BR", "domain": "web"} for i in range(30)]
    corpus = write_lines(tmp_path / "skew.jsonl", rows)
    result = run(tmp_path, [corpus], {"stages": [{"filter": "char_length", "params": {"min_chars": 10}}]})
    assert result.skewed == [{
        "stage": "char_length", "index": 0, "domain": "web",
        "rejection_rate": {"pt-BR": 0.5, "pt-PT": 0.0}, "rows_in": {"pt-BR": 30, "pt-PT": 30}, "spread": 0.5,
    }]
    summary = format_summary(result.stats, str(result.path))
    assert "WARNING: label-skewed stages" in summary and "char_length in domain web: pt-BR 50.0% of 30, pt-PT 0.0% of 30" in summary


def test_unlabelled_corpus_without_domain_runs_and_has_null_groups(tmp_path):
    corpus = write_lines(tmp_path / "plain.jsonl", [{"text": "olá mundo"}, {"text": ""}])
    result = run(tmp_path, [corpus], {"stages": [{"filter": "reject_empty"}]})
    assert result.stats["retention"] == [{"domain": None, "label": None, "input": 2, "kept": 1, "retention": 0.5}]


# -- failures ------------------------------------------------------------------------------------------------

def test_accounting_mismatch_raises_and_is_recorded(tmp_path, monkeypatch):
    import corpus_sieve.pipeline.io.writers

    real_close = corpus_sieve.pipeline.io.writers.ParquetSink.close
    monkeypatch.setattr(corpus_sieve.pipeline.io.writers.ParquetSink, "close", lambda self: real_close(self) - 1)
    with pytest.raises(AccountingError, match="rows were lost"):
        run(tmp_path, [small_corpus(tmp_path)])
    latest = tmp_path / "runs" / "latest"
    stats = json.loads((latest / "stats.json").read_text(encoding="utf-8"))
    assert stats["totals"]["accounted"] is False


def test_the_garbage_collector_is_frozen_only_while_a_run_executes(tmp_path, monkeypatch):
    """gc.freeze() skips long-lived objects during a run; a process running many pipelines gets them back."""
    import gc

    import corpus_sieve.pipeline.engines.local

    frozen_during: list[int] = []
    real_process = corpus_sieve.pipeline.engines.local._Runner.process

    def process(self, batch):
        frozen_during.append(gc.get_freeze_count())
        return real_process(self, batch)

    monkeypatch.setattr(corpus_sieve.pipeline.engines.local._Runner, "process", process)
    before = gc.get_freeze_count()
    run(tmp_path, [small_corpus(tmp_path)])
    assert frozen_during and all(n > 0 for n in frozen_during)
    assert gc.get_freeze_count() == before == 0
    with pytest.raises(StageError):  # a failed run unfreezes too
        run(tmp_path, [write_lines(tmp_path / "c.jsonl", [{"text": "olá", "label": "pt-PT"}])],
            {"stages": [{"filter": "regex_reject", "params_from_columns": {"pattern": "rule"}}]})
    assert gc.get_freeze_count() == 0


def test_a_required_parameter_from_a_missing_column_fails_before_any_output(tmp_path):
    corpus = write_lines(tmp_path / "c.jsonl", [{"text": "olá", "label": "pt-PT"}])
    recipe = {"stages": [{"filter": "regex_reject", "params_from_columns": {"pattern": "rule"}}]}
    with pytest.raises(StageError, match=r"stages\[0\]\.params_from_columns\.pattern: the input has no column 'rule'"):
        run(tmp_path, [corpus], recipe)
    assert not (tmp_path / "runs" / "latest" / "kept.parquet").exists()
    assert (tmp_path / "runs" / "latest" / "error.json").exists()


def test_a_failed_run_leaves_no_parquet_behind_and_says_why(tmp_path):
    from corpus_sieve.pipeline.io.readers import InputError

    corpus = small_corpus(tmp_path)
    with pytest.raises(InputError, match="line 4"):
        run(tmp_path, [corpus], strict=True)
    run_dir = (tmp_path / "runs" / "latest").resolve()
    assert not list(run_dir.glob("*.parquet*"))
    assert json.loads((run_dir / "error.json").read_text(encoding="utf-8"))["error"] == "InputError"


def test_a_strict_error_in_a_later_batch_stops_the_run_cleanly(tmp_path):
    """Batches before the bad line were filtered, written behind and committed; the error still names the line."""
    import threading

    from corpus_sieve.pipeline.io.readers import InputError
    from corpus_sieve.pipeline.run.resume import CHECKPOINT_DIR, STATE_FILE

    rows = [{"id": f"r{i}", "text": f"O texto número {i} chegou hoje.", "label": "pt-PT", "domain": "web"} for i in range(40)]
    corpus = write_lines(tmp_path / "late.jsonl", [*rows, '{"id": "bad", "text": ', *rows[:5]])
    with pytest.raises(InputError, match=r"late\.jsonl, line 41: invalid JSON"):
        run(tmp_path, [corpus], strict=True, batch_size=10)
    run_dir = (tmp_path / "runs" / "latest").resolve()
    assert not list(run_dir.glob("*.parquet*"))
    state = json.loads((run_dir / CHECKPOINT_DIR / STATE_FILE).read_text(encoding="utf-8"))
    assert state["status"] == "failed" and 1 <= state["batches_done"] <= 3
    deadline = time.monotonic() + 5
    names = ("sieve-read-ahead", "sieve-write-behind")
    while any(t.name in names for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not [t.name for t in threading.enumerate() if t.name in names]


def test_missing_input_fails_before_a_run_directory_is_made(tmp_path):
    from corpus_sieve.pipeline.io.readers import InputError

    with pytest.raises(InputError, match="no such file"):
        run(tmp_path, [tmp_path / "nope.jsonl"])
    assert not (tmp_path / "runs").exists()


# -- outputs and real data ----------------------------------------------------------------------------------

def test_jsonl_and_datasets_outputs(tmp_path):
    result = run(tmp_path, [small_corpus(tmp_path)], {**RECIPE, "outputs": ["jsonl", "datasets"]})
    kept_lines = (result.path / "kept.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(l)["id"] for l in kept_lines] == ["r1", "r2", "r10"]
    assert len((result.path / "rejected.jsonl").read_text(encoding="utf-8").splitlines()) == 7
    import datasets

    assert datasets.load_from_disk(str(result.path / "datasets" / "kept"))["id"] == ["r1", "r2", "r10"]


def test_everything_rejected_still_writes_both_files(tmp_path):
    corpus = write_lines(tmp_path / "c.jsonl", [{"text": "", "label": "x"}])
    result = run(tmp_path, [corpus], {"stages": [{"filter": "reject_empty"}]})
    assert pl.read_parquet(result.run_dir.kept_path).height == 0
    assert pl.read_parquet(result.run_dir.rejected_path).height == 1


def test_real_dslcc_news_through_reader_options(tmp_path, shared_data):
    tsv = shared_data / "pt-varieties" / "dslcc2-test-gold-pt.tsv"
    recipe = {
        "reader": {"has_header": False, "column_names": ["text", "label"]},
        "stages": [{"filter": "normalize_whitespace"}, {"filter": "char_length", "params": {"min_chars": 150}}],
    }
    result = run(tmp_path, [tsv], recipe, batch_size=500)
    assert result.stats["totals"]["input"] == 2000 and result.accounted
    kept = pl.read_parquet(result.run_dir.kept_path)
    first = tsv.read_text(encoding="utf-8").splitlines()[0].split("\t")[0]
    assert first.startswith("Foi o segundo destes") and kept["text"][0] == first  # real sentence kept unchanged
    retention = {r["label"]: r for r in result.stats["retention"]}
    assert set(retention) == {"pt-PT", "pt-BR"} and all(r["input"] == 1000 for r in retention.values())
