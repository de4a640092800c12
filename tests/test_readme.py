"""The README's reference tables state the real defaults."""

from __future__ import annotations

import math
import re
from pathlib import Path

from corpus_sieve.audits.registry import available_checks

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _value(text: str) -> object:
    if text == "inf":
        return math.inf
    try:
        return int(text)
    except ValueError:
        return float(text)


def test_audit_check_table_matches_each_checks_defaults() -> None:
    checks = available_checks()
    rows = re.findall(r"^\| `(\w+)` \| .*? \| (`\w+=[^|]*) \|$", README, flags=re.MULTILINE)
    documented = {check: params for check, params in rows if check in checks}
    assert set(documented) == set(checks), "every audit check has a row in the README's table"
    for check, params in documented.items():
        stated = {k: _value(v) for k, v in re.findall(r"`(\w+)=([^`]+)`", params)}
        assert stated == {k: v for k, v in checks[check].DEFAULTS.items()}, check
