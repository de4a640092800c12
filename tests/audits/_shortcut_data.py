"""Real labelled sentences for the shortcut-check tests, and helpers to plant defects.

DSLCC (news, 1,000 pt-PT + 1,000 pt-BR) and a seeded sample of Tatoeba
(conversational), read in place from ``../shared/data``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from corpus_sieve.audits.base import AuditCorpus

_CACHE: dict[str, pl.DataFrame] = {}


def _tsv(path: Path, names: list[str]) -> pl.DataFrame:
    return pl.read_csv(
        path, separator="\t", has_header=False, new_columns=names, quote_char=None, truncate_ragged_lines=True
    )


def dslcc(shared: Path) -> pl.DataFrame:
    """id, text, label, domain='news'."""
    if "dslcc" not in _CACHE:
        raw = _tsv(shared / "pt-varieties" / "dslcc2-test-gold-pt.tsv", ["text", "label"])
        _CACHE["dslcc"] = raw.select(
            pl.format("news-{}", pl.int_range(pl.len())).alias("id"), "text", "label", pl.lit("news").alias("domain")
        )
    return _CACHE["dslcc"]


def tatoeba(shared: Path, per_label: int = 1000, seed: int = 0) -> pl.DataFrame:
    """id, text, label, domain='conversational': ``per_label`` distinct sentences per variety."""
    key = f"tatoeba-{per_label}-{seed}"
    if key not in _CACHE:
        parts = []
        for code, label in (("EP", "pt-PT"), ("BP", "pt-BR")):
            raw = _tsv(shared / "pt-varieties" / "tatoeba" / f"{code}_10K_tatoeba.tsv", ["en", "text"])
            parts.append(
                raw.select("text").unique(maintain_order=True).sample(per_label, seed=seed).with_columns(label=pl.lit(label))
            )
        both = pl.concat(parts)
        _CACHE[key] = both.select(
            pl.format("conv-{}", pl.int_range(pl.len())).alias("id"), "text", "label", pl.lit("conversational").alias("domain")
        )
    return _CACHE[key]


def corpus(frame: pl.DataFrame) -> AuditCorpus:
    """An AuditCorpus from id, text, label, domain."""
    return AuditCorpus(
        frame.select(
            "id", "text", "label", "domain", pl.lit(None, pl.String).alias("split"), pl.lit(None, pl.String).alias("source")
        )
    )


def permuted(frame: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Same texts, labels shuffled within each domain: any signal left is chance."""
    return frame.with_columns(pl.col("label").shuffle(seed=seed).over("domain"))


def plant(frame: pl.DataFrame, label: str, share: float, edit, seed: int = 0) -> pl.DataFrame:
    """Apply ``edit`` (a text -> text expression builder on ``pl.col('text')``) to a
    seeded ``share`` of the rows of ``label``; returns the frame with a ``planted`` column."""
    rng = np.random.default_rng(seed)
    pick = (frame["label"] == label).to_numpy() & (rng.random(frame.height) < share)
    return frame.with_columns(planted=pl.Series(pick)).with_columns(
        text=pl.when(pl.col("planted")).then(edit(pl.col("text"))).otherwise(pl.col("text"))
    )


def loud(result) -> list:
    return [f for f in result.findings if f.severity in ("warn", "error")]
