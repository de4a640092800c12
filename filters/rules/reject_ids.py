"""``reject_ids``: reject the rows whose id is listed, with a reason you name.

How a recipe drops the exact rows an audit named: ``sieve audit --suggest-recipe``
lists the duplicates that carry different labels and the evaluation rows that
copy a training row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import polars as pl

from corpus_sieve.filters.base import REASON_COLUMN, TEXT_COLUMN, Check, as_series
from corpus_sieve.filters.registry import register
from corpus_sieve.filters.rules.regex_reject import REASON_NAME

__all__ = ["RejectIds"]


@register
class RejectIds(Check):
    """Reject the rows whose id is in ``ids`` (reason ``reason_name``).

    The ids are compared as strings with the recipe's id column; without an id
    column nothing matches. Called on texts alone (no ids), nothing is rejected.

    Parameters
    ----------
    ids : list of str
        The ids to reject.
    reason_name : str, default "listed_id"
        The reason recorded for rejected rows (snake_case).

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"id": ["a", "b", "c"], "text": ["um", "dois", "três"]})
    >>> RejectIds(["b"], reason_name="conflicting_label").reasons_frame(frame, "text", "id")["reason"].to_list()
    [None, 'conflicting_label', None]
    """

    name = "reject_ids"
    reasons: ClassVar[tuple[str, ...]] = ("listed_id",)

    def __init__(self, ids: Sequence[str] = (), reason_name: str = "listed_id") -> None:
        if isinstance(ids, str):
            raise ValueError("ids must be a list of ids, not one string")
        if not isinstance(reason_name, str) or not REASON_NAME.match(reason_name):
            raise ValueError(f"reason_name must be snake_case (e.g. 'conflicting_label'), got {reason_name!r}")
        self.ids = [str(i) for i in ids]
        self.reason_name = reason_name
        self.reasons = (reason_name,)  # type: ignore[misc]  # per-instance declared reason

    def reasons_frame(self, frame: pl.DataFrame, column: str = TEXT_COLUMN, id_column: str | None = None) -> pl.DataFrame:
        if id_column is None or id_column not in frame.columns:
            return pl.Series(REASON_COLUMN, [None] * frame.height, dtype=pl.String).to_frame()
        listed = frame[id_column].cast(pl.String).is_in(self.ids)
        return frame.select(pl.when(listed).then(pl.lit(self.reason_name)).otherwise(None).cast(pl.String)
                            .alias(REASON_COLUMN))

    def reasons_series(self, texts: pl.Series | Any) -> pl.Series:
        return pl.Series(REASON_COLUMN, [None] * len(as_series(texts)), dtype=pl.String)
