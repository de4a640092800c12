"""The streaming audit engine: texts on disk, same findings as the in-memory audit."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.loader import AuditInputError
from corpus_sieve.audits.registry import available_checks
from corpus_sieve.audits.runner import run_audit
from corpus_sieve.audits.scale.loader import load_streamed, open_corpus
from corpus_sieve.audits.stats.sampling import first_of_each_text, sample_key, stratified_rows

from _pt_corpus import perturb, pt_frame, with_splits


def _planted(shared: Path) -> pl.DataFrame:
    """Real pt-PT/pt-BR sentences with planted problems: copies across splits and labels, a source tag."""
    frame = with_splits(pt_frame(shared).head(6000))
    rng = np.random.default_rng(1)
    texts = frame["text"].to_list()
    copies = frame.head(300).with_columns(
        pl.format("copy-{}", pl.col("id")).alias("id"),
        pl.Series([perturb(t, rng) for t in texts[:300]]).alias("text"),
        pl.when(pl.col("label") == "pt-PT").then(pl.lit("pt-BR")).otherwise(pl.lit("pt-PT")).alias("label"),
    )
    tagged = frame.with_columns(
        pl.when((pl.col("label") == "pt-BR") & (pl.int_range(pl.len()) % 4 == 0))
        .then(pl.col("text") + " (Lusa)")
        .when((pl.col("label") == "pt-PT") & (pl.int_range(pl.len()) % 2 == 0))
        .then(pl.col("text") + "  ")
        .otherwise(pl.col("text"))
        .alias("text")
    )
    return pl.concat([tagged, copies.select(tagged.columns)])


def _key(finding: dict) -> tuple:
    return tuple(finding.get(k) for k in ("check", "severity", "feature", "domain", "label", "split", "rows"))


def _close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def same_findings(memory, streamed) -> list[str]:
    """The differences between two audits' findings (empty when they agree)."""
    problems = []
    # findings whose effects tie to the last bit may swap places in the ordered list
    a = sorted((f.to_json() for f in memory.findings), key=lambda f: (repr(_key(f)), f["message"]))
    b = sorted((f.to_json() for f in streamed.findings), key=lambda f: (repr(_key(f)), f["message"]))
    if [_key(f) for f in a] != [_key(f) for f in b]:
        return [f"finding keys differ: {sorted(set(map(_key, a)) ^ set(map(_key, b)))}"]
    for x, y in zip(a, b):
        for name in set(x["statistic"]) | set(y["statistic"]):
            if not _close(x["statistic"].get(name), y["statistic"].get(name)):
                problems.append(f"{_key(x)} {name}: {x['statistic'].get(name)} vs {y['statistic'].get(name)}")
        if [e["id"] for e in x["examples"]] != [e["id"] for e in y["examples"]]:
            problems.append(f"{_key(x)} examples differ")
    return problems


@pytest.fixture(scope="module")
def planted(shared_data, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("streaming") / "planted.parquet"
    _planted(shared_data).write_parquet(path)
    return path


def test_streamed_corpus_keeps_only_metadata_in_memory(planted):
    corpus = load_streamed(planted, batch_rows=1000)
    try:
        assert corpus.streamed and TEXT_ABSENT(corpus)
        assert corpus.height == pl.read_parquet(planted).height
        assert corpus.frame.schema["label"] == pl.Enum(["pt-BR", "pt-PT"])
        batches = list(corpus.iter_batches(["id", "text"]))
        assert len(batches) == math.ceil(corpus.height / 1000)
        assert pl.concat(batches)["id"].to_list() == corpus.frame["id"].to_list()
        work = corpus.work_dir
        assert (work / "canonical.parquet").is_file()
    finally:
        corpus.close()
    assert not work.exists()


def TEXT_ABSENT(corpus) -> bool:
    return "text" not in corpus.frame.columns


@pytest.mark.parametrize("check_id", [c for c, m in available_checks().items() if getattr(m, "STREAMS", False)])
def test_streaming_check_reports_the_in_memory_findings(planted, check_id):
    # samples smaller than the corpus, so that the sampled paths run
    config = AuditConfig(thresholds={"text_free_baseline": {"max_rows": 1500}, "label_issues": {"max_rows": 1200}})
    memory = run_audit(open_corpus(planted, "memory"), config, checks=[check_id])
    corpus = load_streamed(planted, batch_rows=1500)  # several batches
    try:
        streamed = run_audit(corpus, config, checks=[check_id])
        assert isinstance(streamed.flags, pl.LazyFrame)  # spilled: read it before close()
        streamed_flags = streamed.flags.collect()
    finally:
        corpus.close()
    if check_id != "rule_retention":  # needs a run directory: test_streamed_run_directory
        assert memory.findings, "the planted corpus must give the check something to report"
    assert same_findings(memory, streamed) == []
    mem_flags = memory.flags.sort("id")
    str_flags = streamed_flags.sort("id")
    assert mem_flags.equals(str_flags)


def test_full_audit_streamed_matches_memory_and_runs_every_check(planted):
    memory = run_audit(open_corpus(planted, "memory"))
    corpus = open_corpus(planted, "streaming")
    lines: list[str] = []
    try:
        streamed = run_audit(corpus, progress=lines.append)
    finally:
        corpus.close()
    assert streamed.checks_run == memory.checks_run
    assert same_findings(memory, streamed) == []
    assert streamed.verdict == memory.verdict == "fail"
    assert lines[0] == f"[1/{len(memory.checks_run)}] label_balance ..."
    last = memory.checks_run[-1]
    assert lines[-1].startswith(f"[{len(memory.checks_run)}/{len(memory.checks_run)}] {last} done in")


def test_auto_engine_streams_large_parquet_only(planted):
    small = open_corpus(planted, "auto")
    assert not small.streamed
    big = open_corpus(planted, "auto", stream_above=100)
    try:
        assert big.streamed
    finally:
        big.close()


def test_streamed_loader_reports_bad_input_like_the_memory_loader(tmp_path):
    rows = [{"id": "a", "text": "Bom dia", "label": "pt-PT"}, {"id": "b", "text": "Oi", "label": None},
            {"id": "c", "text": None, "label": "pt-BR"}, {"id": "d", "text": "Olá", "label": "pt-BR"}]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    work = tmp_path / "work"
    for engine in ("memory", "streaming"):
        with pytest.raises(AuditInputError, match=r"bad.jsonl: column 'label' \(label\) is null or empty in 1 row"):
            open_corpus(path, engine, work_dir=work)
    dup = tmp_path / "dup.jsonl"
    dup.write_text("\n".join(json.dumps({**r, "id": "x", "label": "pt-PT"}) for r in rows[:2]) + "\n")
    with pytest.raises(AuditInputError, match=r"column 'id' \(id\) is not unique: 1 id\(s\) repeat, e.g. \['x'\]"):
        open_corpus(dup, "streaming", work_dir=work)
    with pytest.raises(AuditInputError, match="no label column 'variety'"):
        open_corpus(dup, "streaming", label_col="variety", work_dir=work)
    assert list(work.iterdir()) == []  # a failed load leaves no work directory behind
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps(r) for r in rows if r["label"]) + "\n")
    corpus = open_corpus(good, "streaming", work_dir=work)
    try:
        assert corpus.excluded == open_corpus(good, "memory").excluded == {"unreadable: null_text": 1}
        assert corpus.frame["id"].to_list() == ["a", "d"]
    finally:
        corpus.close()
    assert list(work.iterdir()) == []


def test_cli_streaming_engine_writes_the_same_outputs(planted, tmp_path, capsys):
    from corpus_sieve.pipeline.cli.main import main

    codes = {}
    for engine in ("memory", "streaming"):
        codes[engine] = main(["audit", str(planted), "--out", str(tmp_path / engine), "--engine", engine,
                              "--work-dir", str(tmp_path / "work"), "--checks", "label_balance,property_shortcut"])
    err = capsys.readouterr().err
    assert codes["memory"] == codes["streaming"]
    assert "streaming engine:" in err and "[2/2] property_shortcut done in" in err
    mem = json.loads((tmp_path / "memory" / "audit.json").read_text())
    streamed = json.loads((tmp_path / "streaming" / "audit.json").read_text())
    assert [_key(f) for f in mem["findings"]] == [_key(f) for f in streamed["findings"]]
    assert mem["readiness"] == streamed["readiness"]
    assert list((tmp_path / "work").iterdir()) == []  # the work dir is removed


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 30)), min_size=1, max_size=200),
       st.integers(1, 50), st.integers(0, 3))
def test_stratified_sample_is_bounded_and_independent_of_row_order(rows, max_rows, seed):
    dom = np.array([r[0] for r in rows])
    text = np.array([r[1] for r in rows], dtype=np.uint64)
    lab = (text.astype(np.int64) * 7 + dom) % 2  # a text's label is fixed within a domain
    cell = dom * 2 + lab
    distinct = first_of_each_text(dom, text)
    keys = sample_key(text, seed)
    chosen, n = stratified_rows(cell, keys, distinct, max_rows)
    assert n == distinct.sum()
    assert distinct[chosen].all() and np.all(np.diff(chosen) > 0)
    if n > max_rows:
        for c in np.unique(cell[distinct]):
            size = int((cell[distinct] == c).sum())
            assert (cell[chosen] == c).sum() == math.ceil(size * max_rows / n)
    # the same texts are chosen whatever the row order
    perm = np.random.default_rng(seed).permutation(len(rows))
    d2, t2 = dom[perm], text[perm]
    chosen2, _ = stratified_rows(cell[perm], sample_key(t2, seed), first_of_each_text(d2, t2), max_rows)
    assert sorted(zip(dom[chosen], text[chosen])) == sorted(zip(d2[chosen2], t2[chosen2]))


def test_streamed_run_directory(planted, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    pl.read_parquet(planted).head(500).write_parquet(run_dir / "kept.parquet")
    by_group = [{"stage": "min_length", "domain": "news", "label": lab, "rows_in": 1000, "rows_rejected": r,
                 "rows_kept": 1000 - r} for lab, r in (("pt-PT", 50), ("pt-BR", 400))]
    (run_dir / "stats.json").write_text(json.dumps({"by_group": by_group, "retention": []}))
    memory = run_audit(open_corpus(run_dir, "memory"), checks=["rule_retention", "label_balance"])
    corpus = open_corpus(run_dir, "streaming")
    try:
        assert corpus.run_dir == run_dir.resolve() and corpus.height == 500
        streamed = run_audit(corpus, checks=["rule_retention", "label_balance"])
    finally:
        corpus.close()
    assert [f.feature for f in memory.findings if f.check == "rule_retention"] == ["min_length"]
    assert same_findings(memory, streamed) == []


def test_a_check_that_does_not_stream_gets_the_corpus_in_memory(planted):
    import types

    from corpus_sieve.audits.base import CheckResult

    seen = {}

    def run(corpus, config):
        seen["streamed"], seen["text"] = corpus.streamed, corpus.frame["text"][0]
        return CheckResult()

    legacy = types.SimpleNamespace(CHECK_ID="duplicates", DEFAULTS={}, run=run, __name__="legacy")
    corpus = load_streamed(planted)
    try:
        run_audit(corpus, modules={"duplicates": legacy})
    finally:
        corpus.close()
    assert seen == {"streamed": False, "text": pl.read_parquet(planted)["text"][0]}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=120, unique=True),
       st.integers(1, 9))
def test_best_candidates_do_not_depend_on_the_chunk_size(pairs, chunk):
    from corpus_sieve.audits.scale.neardup import _best_per_slot

    n = 31
    coded = np.unique(np.array([a * n + b for a, b in pairs], dtype=np.int64))
    rng = np.random.default_rng(len(pairs))
    shared = rng.integers(1, 5, coded.size)
    groups = rng.integers(0, 3, n)
    kid = rng.permutation(n)
    answered = np.array([0, 4, 7], dtype=np.int64)
    whole = _best_per_slot(coded, shared, n, 3, groups, kid, answered, 1)
    chunked = _best_per_slot(coded, shared, n, 3, groups, kid, answered, 1, chunk=chunk)
    assert whole[3] == chunked[3]
    assert sorted(zip(*whole[:3])) == sorted(zip(*chunked[:3]))


def _synthetic(n: int = 3000, seed: int = 3) -> pl.DataFrame:
    """A corpus without ../shared/data: two 'varieties' with their own words, a source signature,
    trailing spaces on one label, copies across splits and labels."""
    rng = np.random.default_rng(seed)
    common = "casa rua dia noite gente cidade tempo coisa vida mundo trabalho".split()
    own = {"pt-PT": "autocarro equipa facto comboio".split(), "pt-BR": "ônibus time fato trem".split()}
    rows = []
    for i in range(n):
        label = "pt-PT" if rng.random() < 0.5 else "pt-BR"
        words = list(rng.choice(common, 8)) + list(rng.choice(own[label], 2))
        rng.shuffle(words)
        text = " ".join(words).capitalize() + "."
        if label == "pt-BR" and i % 5 == 0:
            text += " (Agência Tupinambá)"
        if label == "pt-PT" and i % 3 == 0:
            text += "  "
        rows.append({"id": f"d{i}", "text": text, "label": label, "domain": ["news", "web"][i % 2],
                     "split": ["train", "train", "train", "validation", "test"][i % 5]})
    frame = pl.DataFrame(rows)
    copies = frame.head(150).with_columns(
        pl.format("{}-copy", pl.col("id")).alias("id"),
        pl.lit("test").alias("split"),
        pl.when(pl.int_range(pl.len()) % 3 == 0)
        .then(pl.when(pl.col("label") == "pt-PT").then(pl.lit("pt-BR")).otherwise(pl.lit("pt-PT")))
        .otherwise(pl.col("label"))
        .alias("label"),
    )
    return pl.concat([frame, copies])


def test_every_check_streamed_matches_memory_without_shared_data(tmp_path):
    path = tmp_path / "synthetic.parquet"
    _synthetic().write_parquet(path)
    config = AuditConfig(thresholds={"text_free_baseline": {"max_rows": 800}, "label_issues": {"max_rows": 700}})
    memory = run_audit(open_corpus(path, "memory"), config)
    corpus = load_streamed(path, batch_rows=700)
    try:
        streamed = run_audit(corpus, config)
        streamed_flags = streamed.flags.collect()
    finally:
        corpus.close()
    checks_with_findings = {f.check for f in memory.findings if f.severity != "info"}
    assert {"token_shortcut", "property_shortcut", "duplicates", "conflicting_labels",
            "split_leakage"} <= checks_with_findings
    assert same_findings(memory, streamed) == []
    assert memory.flags.sort("id").equals(streamed_flags.sort("id"))
