"""Real lines from ../shared/data for the rule-filter tests (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest


@pytest.fixture(scope="session")
def told(shared_data: Path) -> pl.Series:
    """ToLD-Br tweets (pt-BR): real ``rt @user``, ``@user``, ``#tags``, ``https://t.co/…``."""
    return pl.read_csv(shared_data / "social" / "told-br.csv", columns=["text"])["text"]


@pytest.fixture(scope="session")
def dslcc(shared_data: Path) -> pl.Series:
    """DSLCC news sentences, pt-PT and pt-BR."""
    path = shared_data / "pt-varieties" / "dslcc2-test-gold-pt.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    return pl.Series("text", [line.split("\t")[0] for line in lines])
