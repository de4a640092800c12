"""Seeded, stratified samples of distinct texts that do not depend on how the corpus is read.

The model-based checks (``text_free_baseline``, ``label_issues``) fit models
on a sample. The sample is chosen from per-row codes and 64-bit text hashes
only, so the in-memory and the streamed audit pick exactly the same rows:

1. each distinct text counts once per domain (its first row): copies would
   otherwise sit in both the training and the test folds;
2. a scope (one domain, or all of them) with more than ``max_rows`` distinct
   texts keeps the same share of every (domain, label) cell,
   ``ceil(n_cell * max_rows / n_scope)`` rows;
3. within a cell the rows with the smallest seeded hash of their text are
   kept: a uniform random sample without replacement, reproducible from the
   seed, and independent of the row order.
"""

from __future__ import annotations

import numpy as np

_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def sample_key(text_hash: np.ndarray, seed: int) -> np.ndarray:
    """splitmix64 of ``text_hash`` xor the seed: a seeded uniform 64-bit key per text."""
    with np.errstate(over="ignore"):
        z = text_hash.astype(np.uint64) ^ np.uint64((seed * 0x9E3779B97F4A7C15) % 2**64)
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        return z ^ (z >> np.uint64(31))


def first_of_each_text(domain: np.ndarray, text_hash: np.ndarray) -> np.ndarray:
    """Boolean mask: the first row of each distinct (domain, text) pair.

    Examples
    --------
    >>> first_of_each_text(np.array([0, 0, 1, 0]), np.array([7, 7, 7, 8], dtype=np.uint64)).tolist()
    [True, False, True, True]
    """
    n = domain.size
    order = np.lexsort((np.arange(n), text_hash, domain))
    d, h = domain[order], text_hash[order]
    first_sorted = np.ones(n, bool)
    first_sorted[1:] = (d[1:] != d[:-1]) | (h[1:] != h[:-1])
    mask = np.zeros(n, bool)
    mask[order[first_sorted]] = True
    return mask


def stratified_rows(
    cell: np.ndarray, keys: np.ndarray, candidates: np.ndarray, max_rows: int
) -> tuple[np.ndarray, int]:
    """Row indices of the sample among ``candidates`` (a boolean mask), and how many candidates there were.

    ``cell`` is a per-row stratum code (e.g. ``domain * n_labels + label``),
    ``keys`` the per-row :func:`sample_key`. All candidates when there are at
    most ``max_rows``; otherwise ``ceil(n_cell * max_rows / n)`` rows of every
    cell, smallest key first. Returned in row order.

    Examples
    --------
    >>> cell = np.array([0, 0, 0, 0, 1, 1]); keys = np.array([5, 1, 4, 2, 9, 3], dtype=np.uint64)
    >>> stratified_rows(cell, keys, np.ones(6, bool), 3)
    (array([1, 3, 5]), 6)
    """
    rows = np.flatnonzero(candidates)
    n = rows.size
    if n <= max_rows:
        return rows, n
    c, k = cell[rows], keys[rows]
    order = np.lexsort((rows, k, c))
    c_sorted = c[order]
    starts = np.flatnonzero(np.r_[True, c_sorted[1:] != c_sorted[:-1]])
    sizes = np.diff(np.r_[starts, n])
    quota = np.ceil(sizes * (max_rows / n)).astype(np.int64)
    rank = np.arange(n) - np.repeat(starts, sizes)
    keep = rank < np.repeat(quota, sizes)
    return np.sort(rows[order[keep]]), n
