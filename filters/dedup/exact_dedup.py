"""Exact deduplication on a normalised key, keeping the first occurrence of a run."""

from __future__ import annotations

from typing import Any

import polars as pl

from corpus_sieve.filters.base import REASON_COLUMN, TEXT_COLUMN, Check, as_series
from corpus_sieve.filters.registry import register

DUPLICATE_OF_COLUMN = "duplicate_of"
# Two independent 64-bit hashes = a 128-bit key: a false "duplicate" needs
# both to collide (~n^2 / 2^129). polars' hash is deterministic for a given
# seed within one polars version, and the state never outlives a process.
_SEEDS = (0x5EED_C0DE_0001, 0x5EED_C0DE_0002)


def _empty_seen() -> pl.DataFrame:
    return pl.DataFrame(schema={"h1": pl.UInt64, "h2": pl.UInt64, "first": pl.String})


@register
class ExactDedup(Check):
    """Reject exact duplicates (reason ``duplicate``), keeping the first occurrence.

    Two texts are duplicates when their *keys* are equal. The key is the text
    in Unicode NFC, lowercased (Unicode lowercase, ``lowercase=True``), with
    every run of whitespace turned into one space and the ends stripped
    (``normalize_whitespace=True``). Diacritics and punctuation are kept:
    ``"Olá, mundo"`` and ``"ola mundo"`` are different texts. Null texts are
    never duplicates.

    The check is stateful: it remembers every key of a run, across batches,
    in order (``is_global = True``: the pipeline feeds it all batches in
    order, never in parallel shards), so the result does not depend on the
    batch size. :meth:`reset` forgets everything (a new run). Calls on single
    strings are batches of one: the first ``"olá"`` is kept, later ones are
    rejected.

    :meth:`reasons_frame` also gives ``duplicate_of``: the id of the first
    occurrence (the ``id_column`` value, or ``"#<n>"``, its 0-based row
    position counted across all batches of the run when there is no id).

    Vectorised: the key is hashed twice (two fixed seeds, 128 bits in all)
    by polars, duplicates inside a batch are found with a window, and
    earlier batches with a join against the kept hashes (a polars frame).

    Parameters
    ----------
    lowercase : bool, default True
        Compare texts case-insensitively.
    normalize_whitespace : bool, default True
        Compare texts with whitespace runs collapsed and ends stripped.

    Examples
    --------
    >>> dedup = ExactDedup()
    >>> dedup("Olá  Mundo"), dedup("olá mundo "), dedup("ola mundo")
    (True, False, True)
    >>> import polars as pl
    >>> dedup.reset()
    >>> df = pl.DataFrame({"id": ["a", "b", "c"], "text": ["Bom dia!", "bom   dia!", "Boa noite"]})
    >>> dedup.reasons_frame(df, "text", id_column="id").to_dicts()[1]
    {'reason': 'duplicate', 'duplicate_of': 'a'}
    """

    name = "exact_dedup"
    reasons = ("duplicate",)
    is_global = True

    def __init__(self, lowercase: bool = True, normalize_whitespace: bool = True) -> None:
        self.lowercase = lowercase
        self.normalize_whitespace = normalize_whitespace
        self.reset()

    def reset(self) -> None:
        """Forget every text seen so far."""
        self._seen = _empty_seen()
        self._rows = 0

    def key_expr(self, col: pl.Expr) -> pl.Expr:
        """The normalised comparison key of each text (see the class docstring)."""
        key = col.str.normalize("NFC")
        if self.lowercase:
            key = key.str.to_lowercase()
        if self.normalize_whitespace:
            key = key.str.replace_all(r"\s+", " ").str.strip_chars()
        return key

    def reasons_frame(
        self, frame: pl.DataFrame, column: str = TEXT_COLUMN, id_column: str | None = None
    ) -> pl.DataFrame:
        """``reason`` (``"duplicate"`` or null) and ``duplicate_of`` for each row, in order."""
        n = frame.height
        if id_column is not None:
            ids = frame[id_column].cast(pl.String)
        else:
            ids = pl.int_range(self._rows, self._rows + n, dtype=pl.Int64, eager=True).cast(pl.String)
            ids = "#" + ids
        self._rows += n
        key = self.key_expr(pl.col("text"))
        work = (
            pl.DataFrame({"text": frame[column].cast(pl.String), "id": ids.alias("id")})
            .with_row_index("row")
            .filter(pl.col("text").is_not_null())
            .with_columns(key.alias("key"))  # once: the two hashes below would each compute it
            .with_columns(h1=pl.col("key").hash(_SEEDS[0]), h2=pl.col("key").hash(_SEEDS[1]))
            .drop("key", "text")
            .with_columns(
                batch_first=pl.col("id").first().over("h1", "h2"),
                is_first=pl.struct("h1", "h2").is_first_distinct(),
            )
            .join(self._seen, on=["h1", "h2"], how="left", maintain_order="left")
        )
        new = work.filter(pl.col("first").is_null() & pl.col("is_first")).select(
            "h1", "h2", pl.col("id").alias("first")
        )
        if new.height:
            self._seen = pl.concat([self._seen, new])
            if self._seen.n_chunks() > 32:
                self._seen = self._seen.rechunk()
        dup = work.select(
            "row",
            pl.coalesce(pl.col("first"), pl.when(~pl.col("is_first")).then(pl.col("batch_first")))
            .alias(DUPLICATE_OF_COLUMN),
            (pl.col("first").is_not_null() | ~pl.col("is_first")).alias("is_dup"),
        )
        return (
            pl.DataFrame({"row": pl.int_range(0, n, dtype=pl.UInt32, eager=True)})
            .join(dup, on="row", how="left", maintain_order="left")
            .select(
                pl.when(pl.col("is_dup")).then(pl.lit("duplicate")).alias(REASON_COLUMN),
                pl.when(pl.col("is_dup")).then(pl.col(DUPLICATE_OF_COLUMN)).alias(DUPLICATE_OF_COLUMN),
            )
        )

    def reasons_series(self, texts: pl.Series | Any) -> pl.Series:
        s = as_series(texts)
        return self.reasons_frame(s.to_frame(TEXT_COLUMN), TEXT_COLUMN)[REASON_COLUMN]

    def reasons_batch(self, texts: list[str]) -> list[str | None]:
        return self.reasons_series(texts).to_list()

    def __call__(self, data: Any, column: str = TEXT_COLUMN) -> Any:
        if isinstance(data, pl.LazyFrame):
            # the whole column in one call, in order: first occurrences must
            # not depend on how polars would split the frame
            return data.filter(
                pl.col(column)
                .map_batches(self.reasons_series, return_dtype=pl.String, is_elementwise=False)
                .is_null()
            )
        return super().__call__(data, column)
