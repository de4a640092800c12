"""A growing map from LSH band keys (uint32) to cluster numbers (uint32), in sorted numpy runs.

Near-duplicate removal looks up every band key of every row of a batch among
all the keys seen before, then adds the new ones. A Python dict would cost
~100 bytes a key; here a key costs 8 bytes (key + value) in sorted arrays,
and lookups are one vectorised ``searchsorted`` per run. Runs are merged
like a log-structured merge tree (a new run is merged into the previous one
while it is at least half its size), so there are O(log n) runs and every key
is copied O(log n) times in all; a merge places the smaller run into the larger
by ``searchsorted`` (no sort of the merged run, so its peak stays near the output's size).
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = ["BandIndex"]

MISSING = np.uint32(0xFFFFFFFF)


class BandIndex:
    """Unique uint32 keys, each with a uint32 value; the first value given for a key stays.

    Examples
    --------
    >>> index = BandIndex()
    >>> index.add(np.array([5, 9], np.uint32), np.array([0, 1], np.uint32))
    >>> index.add(np.array([9, 7], np.uint32), np.array([2, 2], np.uint32))   # 9 is known: stays 1
    >>> index.lookup(np.array([7, 9, 5, 4], np.uint32)).tolist() == [2, 1, 0, int(MISSING)]
    True
    """

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(keys.size for keys, _ in self._runs)

    @property
    def nbytes(self) -> int:
        return sum(keys.nbytes + values.nbytes for keys, values in self._runs)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, :data:`MISSING` where the key is unknown."""
        out = np.full(keys.size, MISSING, dtype=np.uint32)
        if not self._runs or keys.size == 0:
            return out
        # sorted queries walk each run in order: several times faster than random probes
        order = np.argsort(keys)
        ordered = keys[order]
        found = np.full(keys.size, MISSING, dtype=np.uint32)
        for run_keys, run_values in self._runs:
            at = np.minimum(np.searchsorted(run_keys, ordered), run_keys.size - 1)
            hit = run_keys[at] == ordered
            found[hit] = run_values[at[hit]]
        out[order] = found
        return out

    def add(self, keys: np.ndarray, values: np.ndarray, known: np.ndarray | None = None) -> None:
        """Add the keys not known yet (for a key given twice, the first of them wins); ``known`` is
        ``lookup(keys) != MISSING`` when the caller has it already."""
        if known is None:
            known = self.lookup(keys) != MISSING
        keys, values = keys[~known], values[~known]
        if keys.size == 0:
            return
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
        first = np.concatenate([[True], keys[1:] != keys[:-1]])
        self._runs.append((keys[first], values[first]))
        while len(self._runs) > 1 and self._runs[-1][0].size * 2 >= self._runs[-2][0].size:
            (a_keys, a_values), (b_keys, b_values) = self._runs[-2], self._runs.pop()
            self._runs[-1] = _merge(a_keys, a_values, b_keys, b_values)

    def to_frame(self) -> pl.DataFrame:
        """Every key and value (for a checkpoint)."""
        keys = np.concatenate([k for k, _ in self._runs]) if self._runs else np.zeros(0, np.uint32)
        values = np.concatenate([v for _, v in self._runs]) if self._runs else np.zeros(0, np.uint32)
        return pl.DataFrame({"key": pl.Series(keys, dtype=pl.UInt32), "value": pl.Series(values, dtype=pl.UInt32)})

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> BandIndex:
        """The index :meth:`to_frame` saved."""
        index = cls()
        keys = frame["key"].to_numpy().astype(np.uint32)
        if keys.size:
            order = np.argsort(keys, kind="stable")
            index._runs = [(keys[order], frame["value"].to_numpy().astype(np.uint32)[order])]
        return index


def _merge(a_keys: np.ndarray, a_values: np.ndarray, b_keys: np.ndarray,
           b_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs with no key in common as one: ``b`` placed into ``a`` by position."""
    at = np.searchsorted(a_keys, b_keys) + np.arange(b_keys.size)
    keys = np.empty(a_keys.size + b_keys.size, dtype=a_keys.dtype)
    values = np.empty(keys.size, dtype=a_values.dtype)
    from_a = np.ones(keys.size, dtype=bool)
    from_a[at] = False
    keys[at], values[at] = b_keys, b_values
    keys[from_a], values[from_a] = a_keys, a_values
    return keys, values
