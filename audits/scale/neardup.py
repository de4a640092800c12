"""The near-duplicate index of a streamed corpus: keys as hashes, LSH bands on disk.

:class:`~corpus_sieve.audits.stats.neardup.NearDupIndex` holds every distinct
normalised text and its MinHash signature (about 350 bytes a distinct text).
:class:`SpilledNearDupIndex` answers the same questions
(:meth:`~corpus_sieve.audits.stats.neardup.NearDupIndex.cross_group_matches`:
the same exact matches, the same candidate buckets) while keeping per row
only a 64-bit key hash and a key id, built in two passes over the corpus:

1. every row's normalised key (:func:`~corpus_sieve.filters.dedup.text_keys.normalise_key`)
   is hashed to 64 bits; equal hashes are one key (two different texts
   collide with probability about ``n**2 / 2**65``: 3e-6 at ten million rows);
2. the first row of every key gets its MinHash signature
   (:func:`~corpus_sieve.filters.dedup.minhash.minhash_signatures`), whose
   ``bands`` LSH band hashes go to one file per band in the work directory;
   the signature itself is dropped.

Candidates come band by band from those files with
:func:`~corpus_sieve.filters.dedup.minhash.cross_group_candidates` (per band,
so exactly the in-memory buckets). Without signatures, the candidate a row
verifies first in each other group is the one sharing the most bands with it
(ties: the lowest key id) instead of the one with the best MinHash estimate;
more shared bands means a higher Jaccard similarity, and every reported pair
is still verified with the true Jaccard of the two texts, read back from the
corpus. The search limits (``max_reps``, ``max_verify``,
``max_verify_pairs`` with its seeded sample) are those of the in-memory index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from corpus_sieve.audits.base import TEXT
from corpus_sieve.audits.stats.neardup import NearDupIndex, NearDupParams, best_verified, sample_questions
from corpus_sieve.filters.dedup.minhash import band_hashes, cross_group_candidates, minhash_signatures
from corpus_sieve.filters.dedup.shingles import jaccard_pairs, shingle_sets
from corpus_sieve.filters.dedup.text_keys import normalise_key


def key_ids(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense key ids in first-seen order for per-row key hashes, and the first row of each id.

    Examples
    --------
    >>> kid, first = key_ids(np.array([9, 4, 9, 7, 4], dtype=np.uint64))
    >>> kid.tolist(), first.tolist()
    ([0, 1, 0, 2, 1], [0, 1, 3])
    """
    _, first_sorted, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    order = np.argsort(first_sorted, kind="stable")
    rank = np.empty(order.size, dtype=np.int32 if order.size < 2**31 else np.int64)
    rank[order] = np.arange(order.size)
    return rank[inverse.ravel()], first_sorted[order].astype(np.int64)


def _add_band(pairs: np.ndarray, shared: np.ndarray, band_pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct sorted ``pairs`` with the number of bands ``shared`` by each, plus one band's sorted
    distinct pairs.

    Examples
    --------
    >>> p, s = _add_band(np.array([2, 5]), np.array([1, 1]), np.array([1, 5, 9]))
    >>> p.tolist(), s.tolist()
    ([1, 2, 5, 9], [1, 1, 2, 1])
    """
    at = np.searchsorted(pairs, band_pairs)
    seen = np.zeros(band_pairs.size, dtype=bool)
    inside = at < pairs.size
    seen[inside] = pairs[at[inside]] == band_pairs[inside]
    shared = shared.copy()
    shared[at[seen]] += 1
    # both sorted: insert the new pairs in place (no sort of the union)
    return np.insert(pairs, at[~seen], band_pairs[~seen]), np.insert(shared, at[~seen], 1)


def _best_per_slot(pairs, shared, n_entries, n_groups, e_g, e_kid, answered, max_verify, chunk=1 << 21):
    """The ``max_verify`` candidates sharing the most bands (ties: lowest key id) of every
    (entry, other group) slot not ``answered`` by an exact partner, as ``(a, b, slot, candidates)``.

    ``pairs`` are sorted, so an entry's pairs are contiguous: they are ranked a
    chunk of entries at a time, never all candidates at once.
    """
    out_a, out_b, out_slot, total = [], [], [], 0
    start = 0
    while start < pairs.size:
        stop = min(start + chunk, pairs.size)
        if stop < pairs.size:  # end the chunk at an entry boundary
            last = pairs[stop - 1] // n_entries
            stop = int(np.searchsorted(pairs, (last + 1) * n_entries))
        a, b = pairs[start:stop] // n_entries, pairs[start:stop] % n_entries
        count = shared[start:stop]
        start = stop
        slot = a * n_groups + e_g[b]
        keep = ~np.isin(slot, answered)
        a, b, count, slot = a[keep], b[keep], count[keep], slot[keep]
        total += int(a.size)
        order = np.lexsort((e_kid[b], -count, slot))
        a, b, slot = a[order], b[order], slot[order]
        first = np.concatenate([[True], slot[1:] != slot[:-1]]) if slot.size else np.zeros(0, bool)
        run_first = np.maximum.accumulate(np.where(first, np.arange(a.size), 0))
        sel = (np.arange(a.size) - run_first) < max_verify
        out_a.append(a[sel])
        out_b.append(b[sel])
        out_slot.append(slot[sel])
    empty = np.zeros(0, np.int64)
    if not out_a:
        return empty, empty, empty, 0
    return np.concatenate(out_a), np.concatenate(out_b), np.concatenate(out_slot), total


@dataclass
class SpilledNearDupIndex(NearDupIndex):
    """A :class:`~corpus_sieve.audits.stats.neardup.NearDupIndex` for a streamed corpus (module docstring)."""

    corpus: object = None
    #: the first row of each key id
    first_row: np.ndarray = field(init=False)
    _band_dir: Path | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        hashes = np.concatenate(
            [normalise_key(batch[TEXT]).hash(seed=0).to_numpy() for batch in self.corpus.iter_batches([TEXT])]
            or [np.zeros(0, np.uint64)]
        )
        self.key_id, self.first_row = key_ids(hashes)
        self.distinct = pl.Series("key", [], dtype=pl.String)  # the texts stay on disk

    @property
    def signatures(self) -> np.ndarray:
        raise AttributeError("a spilled index keeps no signatures; candidates come from its band files")

    def _band_files(self) -> list[Path]:
        p = self.params
        if self._band_dir is None:
            self._band_dir = Path(self.corpus.spill_path(f"bands-{p.shingle}{p.ngram}-{p.num_perm}-{p.bands}-{p.seed}"))
            self._band_dir.mkdir(parents=True, exist_ok=True)
            handles = [open(self._band_dir / f"band{j}.u64", "wb") for j in range(p.bands)]  # noqa: SIM115
            try:
                for keys in self._first_row_keys():
                    bands = band_hashes(minhash_signatures(keys, p.num_perm, p.shingle, p.ngram, p.seed), p.bands)
                    for j, handle in enumerate(handles):
                        handle.write(np.ascontiguousarray(bands[:, j]).tobytes())
            finally:
                for handle in handles:
                    handle.close()
        return [self._band_dir / f"band{j}.u64" for j in range(self.params.bands)]

    def _first_row_keys(self, wanted: np.ndarray | None = None):
        """Normalised keys of the first rows of all keys (or of the key ids ``wanted``, sorted), in key-id order."""
        rows = self.first_row if wanted is None else self.first_row[wanted]
        is_first = np.zeros(self.key_id.size, dtype=bool)
        is_first[rows] = True
        offset = 0
        for batch in self.corpus.iter_batches([TEXT]):
            mask = is_first[offset : offset + batch.height]
            offset += batch.height
            if mask.any():
                yield normalise_key(batch[TEXT].filter(pl.Series(mask)))

    def _near_matches(self, e_kid, e_g, e_query, ex_a, ex_b, n_groups, stats, p: NearDupParams):
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))
        if n_groups < 2 or not e_query.any():
            return empty
        n_entries = e_kid.size
        pairs, shared = np.zeros(0, np.int64), np.zeros(0, np.int64)
        for path in self._band_files():
            band = np.fromfile(path, dtype=np.uint64)[e_kid]
            # a bucket lies in one partition of the hash space: the same candidates, a 16th of the work memory
            part = (band >> np.uint64(60)).astype(np.int8)
            found = []
            for q in range(16):
                idx = np.flatnonzero(part == q)
                a, b, capped = cross_group_candidates(band[idx, None], e_g[idx], p.max_reps, e_query[idx])
                stats["capped_buckets"] += capped
                found.append(idx[a] * n_entries + idx[b])
            del band, part
            # merged band by band (each band's pairs are distinct): memory for the distinct pairs, not for all bands'
            pairs, shared = _add_band(pairs, shared, np.sort(np.concatenate(found)))
        answered = np.unique(ex_a * n_groups + e_g[ex_b])
        a, b, slot, n_candidates = _best_per_slot(pairs, shared, n_entries, n_groups, e_g, e_kid, answered, p.max_verify)
        del pairs, shared
        stats["candidates"] += n_candidates
        if a.size == 0:
            return empty
        a, b, slot = sample_questions(a, b, slot, p, stats)
        need = np.unique(np.concatenate([e_kid[a], e_kid[b]]))
        keys = pl.concat(list(self._first_row_keys(need))) if need.size else pl.Series([], dtype=pl.String)
        sets = shingle_sets(keys, p.shingle, p.ngram, p.seed)
        ja = jaccard_pairs(sets, np.searchsorted(need, e_kid[a]), np.searchsorted(need, e_kid[b]))
        stats["verified"] += int(ja.size)
        return best_verified(a, b, ja, slot, p.threshold)
