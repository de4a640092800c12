"""duplicates: exact duplicates on the normalised key, per domain, with row flags."""

from __future__ import annotations

import polars as pl
from _pt_corpus import corpus, deduped, loud, pt_frame

from corpus_sieve.audits.base import AuditConfig
from corpus_sieve.audits.checks import duplicates
from corpus_sieve.audits.runner import merge_flags


def all_flags(result, frame: pl.DataFrame) -> pl.DataFrame:
    """The check's flags as flags.parquet has them: every row, unique texts a group of one."""
    return merge_flags(frame.select("id"), [("duplicates", result.flags)], [],
                       {"duplicates": duplicates.FLAG_DEFAULTS}).drop("flagged_by")


def test_deduplicated_real_corpus_has_no_duplicates(shared_data):
    frame = deduped(pt_frame(shared_data))
    result = duplicates.run(corpus(frame), AuditConfig())
    assert loud(result) == []
    assert result.flags.height == 0  # the check lists only duplicated rows
    flags = all_flags(result, frame)
    assert flags["duplicate_group"].null_count() == flags.height == frame.height
    assert flags["duplicate_count"].max() == 1


def test_planted_duplicates_found_and_flagged(shared_data):
    base = deduped(pt_frame(shared_data)).filter(pl.col("domain") == "news").head(500)
    originals = base.head(20)
    copies = originals.with_columns(
        id=pl.col("id") + "-copy",
        # case and whitespace variants of the same text are the same key
        text=pl.concat_str(pl.lit("  "), pl.col("text").str.to_uppercase().str.replace_all(" ", "   ")),
    )
    frame = pl.concat([base, copies])
    result = duplicates.run(corpus(frame), AuditConfig())
    [f] = [f for f in result.findings if f.domain is None]
    assert f.statistic["duplicate_groups"] == 20 and f.statistic["redundant_rows"] == 20
    assert f.severity == "warn"  # 20 / 520 = 3.8% >= 1%
    assert f.statistic["threshold_warn"] == 0.01 and len(f.examples) == 2
    flags = all_flags(result, frame)
    first = originals["id"][0]
    assert flags.filter(pl.col("id") == f"{first}-copy")["duplicate_group"].item() == first
    assert flags.filter(pl.col("id") == first)["duplicate_count"].item() == 2
    assert sorted(f.row_ids) == sorted(originals["id"].to_list() + copies["id"].to_list())


def test_diacritics_and_punctuation_keep_texts_apart():
    texts = ["Você está aqui.", "voce esta aqui.", "Você está aqui!", "VOCÊ   está aqui.", "Você está aqui."]
    frame = pl.DataFrame({"id": list("abcde"), "text": texts, "label": "pt-BR", "domain": "web"})
    flags = all_flags(duplicates.run(corpus(frame), AuditConfig()), frame)
    assert flags["duplicate_count"].to_list() == [3, 1, 1, 3, 3]
    assert flags["duplicate_group"].to_list() == ["a", None, None, "a", "a"]


def test_counts_per_domain_and_cross_domain(shared_data):
    rows = [
        ("1", "O Tom conhecia a Mary?", "pt-PT", "conversational"),
        ("2", "O Tom conhecia a Mary?", "pt-PT", "conversational"),
        ("3", "o tom conhecia a mary?", "pt-PT", "news"),
        ("4", "Temos de avisar o Tom disso.", "pt-PT", "news"),
    ]
    frame = pl.DataFrame(rows, schema=["id", "text", "label", "domain"], orient="row")
    result = duplicates.run(corpus(frame), AuditConfig())
    pooled = next(f for f in result.findings if f.domain is None)
    assert pooled.statistic["cross_domain_groups"] == 1 and pooled.statistic["duplicate_rows"] == 3
    by_domain = {r["domain"]: r for r in result.tables["duplicates_by_domain"]}
    assert by_domain["conversational"]["redundant_rows"] == 1 and by_domain["news"]["duplicate_rows"] == 0
