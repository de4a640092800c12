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
from corpus_sieve.audits.stats.neardup import NearDupIndex, NearDupParams
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
        found = []
        for path in self._band_files():
            band = np.fromfile(path, dtype=np.uint64)[e_kid]
            # a bucket lies in one partition of the hash space: the same candidates, a 16th of the work memory
            part = (band >> np.uint64(60)).astype(np.int8)
            for q in range(16):
                idx = np.flatnonzero(part == q)
                a, b, capped = cross_group_candidates(band[idx, None], e_g[idx], p.max_reps, e_query[idx])
                stats["capped_buckets"] += capped
                found.append(idx[a] * n_entries + idx[b])
            del band, part
        pairs, shared = np.unique(np.concatenate(found), return_counts=True)
        a, b = pairs // n_entries, pairs % n_entries
        # an exact partner in that group already answers the question for (entry, group)
        slot = a * n_groups + e_g[b]
        keep = ~np.isin(slot, ex_a * n_groups + e_g[ex_b])
        a, b, shared, slot = a[keep], b[keep], shared[keep], slot[keep]
        stats["candidates"] += int(a.size)
        if a.size == 0:
            return empty
        # most shared bands first within each (entry, other group); verify at most max_verify of them
        order = np.lexsort((e_kid[b], -shared, slot))
        a, b, slot = a[order], b[order], slot[order]
        first = np.concatenate([[True], slot[1:] != slot[:-1]])
        run_first = np.maximum.accumulate(np.where(first, np.arange(a.size), 0))
        sel = (np.arange(a.size) - run_first) < p.max_verify
        a, b, slot = a[sel], b[sel], slot[sel]
        slots = np.unique(slot)
        stats["questions"] = stats.get("questions", 0) + int(slots.size)
        if slots.size > p.max_verify_pairs:
            rng = np.random.default_rng(p.seed)
            chosen = np.sort(rng.choice(slots, p.max_verify_pairs, replace=False))
            sel = np.isin(slot, chosen)
            a, b, slot = a[sel], b[sel], slot[sel]
            stats["sampled_questions"] = stats.get("sampled_questions", 0) + int(chosen.size)
        else:
            stats["sampled_questions"] = stats.get("sampled_questions", 0) + int(slots.size)
        need = np.unique(np.concatenate([e_kid[a], e_kid[b]]))
        keys = pl.concat(list(self._first_row_keys(need))) if need.size else pl.Series([], dtype=pl.String)
        sets = shingle_sets(keys, p.shingle, p.ngram, p.seed)
        ja = jaccard_pairs(sets, np.searchsorted(need, e_kid[a]), np.searchsorted(need, e_kid[b]))
        stats["verified"] += int(ja.size)
        ok = ja >= p.threshold
        a, b, ja, slot = a[ok], b[ok], ja[ok], slot[ok]
        order = np.lexsort((b, -ja, slot))
        a, b, ja, slot = a[order], b[order], ja[order], slot[order]
        first = np.concatenate([[True], slot[1:] != slot[:-1]]) if slot.size else np.zeros(0, bool)
        return a[first], b[first], ja[first]
