"""split_leakage: planted exact and near duplicates from train in test; clean splits stay quiet."""

from __future__ import annotations

import numpy as np
import polars as pl
from _pt_corpus import corpus, deduped, loud, perturb, pt_frame, with_splits

from corpus_sieve.filters.dedup import shingles as sh
from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.checks import split_leakage


def _clean(shared_data) -> pl.DataFrame:
    # DSLCC news: no near duplicates (Tatoeba and FRMT hold real ones: the same sentence in both varieties)
    return with_splits(deduped(pt_frame(shared_data).filter(pl.col("domain") == "news")), seed=3)


def test_clean_splits_stay_quiet(shared_data):
    result = split_leakage.run(corpus(_clean(shared_data)), AuditConfig())
    assert loud(result) == []
    assert result.flags["leaked_from"].null_count() == result.flags.height


def test_planted_leaks_found_verified_and_flagged(shared_data):
    frame = _clean(shared_data)
    train = frame.filter((pl.col("split") == "train") & (pl.col("text").str.len_chars() > 80)).head(120)
    rng = np.random.default_rng(2)
    variants = []
    for i, row in enumerate(train.iter_rows(named=True)):
        text = row["text"]
        text = text if i < 40 else perturb(text, rng, 2) if i < 80 else text + " disse ontem"
        variants.append({**row, "id": row["id"] + "-leak", "text": text, "split": "test"})
    leaked = pl.DataFrame(variants).select(frame.columns)
    result = split_leakage.run(corpus(pl.concat([frame, leaked])), AuditConfig())
    [f] = [f for f in result.findings if f.split == "test" and f.domain is None and f.feature == "test->train"]
    assert f.statistic["exact"] == 40
    assert f.statistic["near"] >= 76  # at most a few perturbed copies fall below Jaccard 0.7
    assert f.severity == "error"  # 120 of ~320 test rows
    assert f.statistic["jaccard_threshold"] == 0.7 and f.statistic["min_jaccard"] >= 0.7
    flags = result.flags.filter(pl.col("id").str.ends_with("-leak"))
    hits = flags.filter(pl.col("leaked_from").is_not_null())
    assert hits.height == f.rows
    # leaked_from names the train row it was copied from, and the similarity is the true Jaccard
    assert (hits["leaked_from"] + "-leak" == hits["id"]).all()
    texts = dict(zip(pl.concat([frame, leaked])["id"], pl.concat([frame, leaked])["text"]))
    for row in hits.head(20).iter_rows(named=True):
        assert abs(sh.jaccard(texts[row["id"]], texts[row["leaked_from"]]) - row["leak_jaccard"]) < 1e-9
    matrix = {(r["split"], r["other_split"]): r for r in result.tables["leakage_matrix"]}
    assert matrix[("test", "train")]["leaked"] == f.rows


def test_heavy_leak_is_an_error_and_word_shingles_work(shared_data):
    frame = _clean(shared_data)
    test = frame.filter(pl.col("split") == "test")
    copies = test.with_columns(id=pl.col("id") + "-t", split=pl.lit("train"))
    cfg = AuditConfig(thresholds={"split_leakage": {"shingle": "word", "ngram": 2}})
    result = split_leakage.run(corpus(pl.concat([frame, copies])), cfg)
    f = next(f for f in result.findings if f.split == "test" and f.domain is None and f.feature == "test->train")
    assert f.severity == "error" and f.statistic["share"] == 1.0


def test_real_tatoeba_near_duplicates_across_random_splits(shared_data):
    """Tatoeba holds the same sentence in both varieties with tiny edits: a random split leaks them."""
    frame = with_splits(deduped(pt_frame(shared_data).filter(pl.col("domain") == "conversational")), seed=3)
    result = split_leakage.run(corpus(frame), AuditConfig())
    f = next(f for f in result.findings if f.split == "test" and f.domain is None and f.feature == "test->train")
    assert f.statistic["near"] >= 10 and f.statistic["exact"] == 0 and f.severity in ("warn", "error")


def test_no_split_column_is_a_no_op(shared_data):
    frame = pt_frame(shared_data).head(100)
    result = split_leakage.run(corpus(frame), AuditConfig())
    assert result.findings == [] and result.flags is None
