"""Dev mode ("the 10-second rule"): the full pipeline on a small, stratified sample.

While the input streams by, every domain x label stratum keeps at most
``per_stratum`` rows: the rows with the smallest seeded hash of their input
position (bottom-k sampling). That is a uniform random sample per stratum,
reproducible for a seed, independent of the batch size, and held in bounded
memory (``per_stratum`` x strata + one batch).
"""

from __future__ import annotations

from typing import Iterable, Iterator

import polars as pl

_PRIORITY = "__sieve_priority"


def stratified_sample(
    batches: Iterable[pl.DataFrame],
    strata: list[str],
    position: str,
    per_stratum: int,
    seed: int,
) -> pl.DataFrame:
    """At most ``per_stratum`` rows per distinct value of ``strata``, in input order.

    ``position`` names a column with each row's position in the input.

    >>> df = pl.DataFrame({"pos": range(10), "label": ["a"] * 8 + ["b"] * 2})
    >>> s = stratified_sample([df.head(5), df.tail(5)], ["label"], "pos", per_stratum=3, seed=1)
    >>> s["label"].to_list()
    ['a', 'a', 'a', 'b', 'b']
    >>> s.equals(stratified_sample([df], ["label"], "pos", per_stratum=3, seed=1))
    True
    """
    sample: pl.DataFrame | None = None
    for batch in batches:
        batch = batch.with_columns(pl.col(position).hash(seed).alias(_PRIORITY))
        sample = batch if sample is None else pl.concat([sample, batch], how="vertical_relaxed")
        sample = (
            sample.sort([_PRIORITY, position])
            .group_by(strata, maintain_order=True)
            .head(per_stratum)
            .select(batch.columns)  # group_by puts the keys first
        )
    if sample is None:
        return pl.DataFrame()
    return sample.sort(position).drop(_PRIORITY)


def rebatch(frame: pl.DataFrame, batch_size: int) -> Iterator[pl.DataFrame]:
    """``frame`` in slices of ``batch_size`` rows."""
    for start in range(0, frame.height, batch_size):
        yield frame.slice(start, batch_size)
