"""Real pt-PT / pt-BR sentences as an AuditCorpus frame, plus small planting helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from realdata import load_pt_varieties

from corpus_sieve.audits.base import AuditCorpus
from corpus_sieve.filters.dedup.text_keys import normalise_key

_CACHE: dict = {}


def pt_frame(shared: Path) -> pl.DataFrame:
    """DSLCC (news) + FRMT (wiki) + Tatoeba (conversational): id, text, label, domain, source."""
    if "pt" not in _CACHE:
        _CACHE["pt"] = load_pt_varieties(shared).select("id", "text", "label", "domain", "source")
    return _CACHE["pt"]


def deduped(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per normalised key (drops cross-label copies too): a clean control."""
    key = normalise_key(frame["text"])
    return frame.with_columns(key=key).unique("key", keep="none", maintain_order=True).drop("key")


def with_splits(frame: pl.DataFrame, seed: int = 0, shares=(0.8, 0.1, 0.1)) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    names = np.array(["train", "validation", "test"])
    return frame.with_columns(split=pl.Series(names[rng.choice(3, frame.height, p=list(shares))]))


def corpus(frame: pl.DataFrame, **kw) -> AuditCorpus:
    cols = set(frame.columns)
    if "split" not in cols:
        frame = frame.with_columns(split=pl.lit(None, dtype=pl.String))
    if "source" not in cols:
        frame = frame.with_columns(source=pl.lit(None, dtype=pl.String))
    frame = frame.select("id", "text", "label", "domain", "split", "source")
    return AuditCorpus(
        frame,
        has_domain=kw.pop("has_domain", True),
        has_split=kw.pop("has_split", "split" in cols),
        has_source=kw.pop("has_source", "source" in cols),
        **kw,
    )


def perturb(text: str, rng: np.random.Generator, edits: int = 2) -> str:
    """Replace ``edits`` letters at random positions (keeps the length)."""
    chars = list(text)
    for _ in range(edits):
        i = int(rng.integers(0, len(chars)))
        chars[i] = "x" if chars[i] != "x" else "y"
    return "".join(chars)


def severities(result, check_id: str | None = None) -> list[str]:
    return [f.severity for f in result.findings if check_id is None or f.check == check_id]


def loud(result) -> list:
    return [f for f in result.findings if f.severity in ("warn", "error")]
