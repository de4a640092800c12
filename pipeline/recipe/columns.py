"""Which input columns hold the text and its metadata."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping


@dataclass(frozen=True)
class ColumnMap:
    """Names of the input columns the pipeline reads.

    Only ``text`` is required. Optional columns that are absent from the
    input are simply absent from the output (no empty column is invented);
    ``id`` is created as ``<file>:<line>`` when the input has none.

    >>> ColumnMap.from_dict({"text": "sentence", "label": "variety"}).text
    'sentence'
    >>> ColumnMap().present(["text", "label", "other"])
    {'text': 'text', 'label': 'label'}
    """

    text: str = "text"
    label: str | None = "label"
    domain: str | None = "domain"
    id: str = "id"
    language: str | None = None
    split: str | None = None
    source: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> ColumnMap:
        """Build from a recipe's ``columns:`` mapping; unknown keys are an error."""
        d = dict(d or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(
                f"unknown key(s) in columns: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        for key in ("text", "id"):
            if key in d and not d[key]:
                raise ValueError(f"columns.{key} cannot be empty")
        return cls(**d)

    def to_dict(self) -> dict[str, str | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def metadata(self) -> dict[str, str]:
        """Role -> column name of every named column except ``text``."""
        return {k: v for k, v in self.to_dict().items() if v and k != "text"}

    def present(self, available: list[str]) -> dict[str, str]:
        """Role -> column name of the named columns found in ``available``."""
        return {k: v for k, v in self.to_dict().items() if v and v in available}
