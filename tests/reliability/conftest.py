"""Reliability tests: print how many random inputs the property tests ran."""

from __future__ import annotations

from typing import Any

from reliability_helpers import FUZZ_INPUTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FUZZ_INPUTS:
        total = sum(FUZZ_INPUTS.values())
        terminalreporter.write_line(
            f"reliability fuzz: {total:,} random inputs ("
            + ", ".join(f"{k} {v:,}" for k, v in sorted(FUZZ_INPUTS.items())) + ")"
        )
