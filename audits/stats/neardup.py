"""Exact and near-duplicate machinery shared by the duplicate, conflict and leakage checks.

Pipeline, all vectorised (numpy over Arrow buffers, polars group-bys):

1. :func:`~corpus_sieve.filters.dedup.text_keys.normalise_key` — NFC, full Unicode casefold, collapsed whitespace.
   Diacritics and punctuation are kept: they carry the pt-PT / pt-BR label.
2. :func:`~corpus_sieve.filters.dedup.shingles.shingle_hashes` — character n-grams (default 5) or word n-grams of
   the key, each hashed to 64 bits once (rolling polynomial hash + splitmix64).
3. :func:`~corpus_sieve.filters.dedup.minhash.minhash_signatures` — one-permutation MinHash (Li, Owen & Zhang 2012)
   with rotation densification (Shrivastava & Li 2014): each shingle hash picks
   one of ``num_perm`` bins and the bin keeps its minimum, so the cost is one
   pass over the shingles instead of ``num_perm`` passes; two signatures agree
   in a bin with probability equal to the Jaccard similarity.
4. :func:`~corpus_sieve.filters.dedup.minhash.band_hashes` — LSH banding, ``bands`` bands of ``num_perm // bands``
   bins; rows sharing any band hash are candidates.
5. :func:`~corpus_sieve.filters.dedup.minhash.cross_group_candidates` — candidates between *different* groups
   (train vs test, pt-PT vs pt-BR), bounded: in each bucket a row is compared
   with at most ``max_reps`` rows of every other group (the count of buckets
   where that bound bit is reported, never hidden).
6. :func:`~corpus_sieve.filters.dedup.shingles.jaccard_pairs` — every reported pair is verified with the true
   Jaccard similarity of the two shingle sets.

:class:`NearDupIndex` ties this together for one corpus; :func:`corpus_index`
caches it so the checks that share it compute keys and signatures once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from corpus_sieve.audits.base import ID, TEXT, AuditCorpus
from corpus_sieve.filters.dedup.text_keys import normalise_key
from corpus_sieve.filters.dedup.shingles import Shingle, jaccard_pairs, shingle_sets
from corpus_sieve.filters.dedup.minhash import band_hashes, cross_group_candidates, estimate_jaccard, minhash_signatures


@dataclass(frozen=True)
class NearDupParams:
    """Near-duplicate settings shared by ``conflicting_labels`` and ``split_leakage``.

    With the defaults (char 5-grams, 64 bins in 16 bands of 4) a pair with
    Jaccard 0.7 becomes a candidate with probability 0.988, 0.8 with 0.9998,
    0.3 with 0.12 (:func:`candidate_probability`); candidates are then
    verified with the true Jaccard. ``shingle``, ``ngram``, ``num_perm``,
    ``bands`` and ``seed`` shape the signatures (the cached index); the rest
    only how matches are searched.
    """

    shingle: Shingle = "char"
    ngram: int = 5
    num_perm: int = 64
    bands: int = 16
    threshold: float = 0.7
    #: per LSH bucket, each row is compared with at most this many rows of every other group
    max_reps: int = 2
    #: candidates whose MinHash estimate is this far below ``threshold`` are not verified
    estimate_margin: float = 0.3
    #: a row's candidates in another group are verified best-estimate first, at most this many
    max_verify: int = 1
    #: at most this many (row, other group) questions are verified; beyond it a seeded sample
    #: is verified and the findings say so (``sampled_share`` < 1)
    max_verify_pairs: int = 300_000
    seed: int = 0

    @classmethod
    def from_config(cls, cfg: dict) -> "NearDupParams":
        names = cls.__dataclass_fields__
        return cls(**{k: cfg[k] for k in names if k in cfg})

    @property
    def signature_fields(self) -> tuple:
        return (self.shingle, self.ngram, self.num_perm, self.bands, self.seed)


@dataclass
class NearDupIndex:
    """Keys, exact groups and (lazily) MinHash signatures of one corpus."""

    frame: pl.DataFrame
    params: NearDupParams
    #: per row: normalised key and its dense key id (0..n_keys-1, first-seen order)
    key: pl.Series | None = None
    key_id: np.ndarray = field(init=False)
    #: distinct keys, indexed by key id
    distinct: pl.Series = field(init=False)
    _sig: np.ndarray | None = field(default=None, init=False, repr=False)
    _bands: np.ndarray | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.key is None:
            self.key = normalise_key(self.frame[TEXT])
        ids = pl.DataFrame({"key": self.key}).with_row_index("i")
        first = ids.group_by("key", maintain_order=True).agg(pl.col("i").first()).with_row_index("kid")
        joined = ids.join(first.select("key", "kid"), on="key", how="left", maintain_order="left")
        self.key_id = joined["kid"].to_numpy().astype(np.int64)
        self.distinct = first["key"]

    @property
    def signatures(self) -> np.ndarray:
        if self._sig is None:
            p = self.params
            self._sig = minhash_signatures(self.distinct, p.num_perm, p.shingle, p.ngram, p.seed)
        return self._sig

    @property
    def bands(self) -> np.ndarray:
        if self._bands is None:
            self._bands = band_hashes(self.signatures, self.params.bands)
        return self._bands

    def cross_group_matches(
        self, group: pl.Series, query_groups: set[str] | None = None, params: NearDupParams | None = None
    ) -> tuple[pl.DataFrame, dict]:
        """Verified exact and near duplicates between rows of different ``group`` values.

        For every row (whose group is in ``query_groups``, if given) and every
        other group value that holds a duplicate of it, one partner: the exact
        duplicate if any, else the best verified near duplicate (true Jaccard
        >= ``threshold``). Returns a frame with columns ``row`` (row index),
        ``other`` (the partner's group), ``partner`` (partner row index),
        ``jaccard`` and ``exact``, and a dict of work counters (candidates,
        verified pairs, capped buckets) for the findings. ``params`` gives the
        search settings (threshold ...); its signature fields must match the index.
        """
        p = params or self.params
        if p.signature_fields != self.params.signature_fields:
            raise ValueError("params change the signatures: get another index with corpus_index")
        gser = group.cast(pl.String).fill_null("")
        names = np.array(sorted(gser.unique().to_list()), dtype=object)
        gcode = gser.replace_strict({v: i for i, v in enumerate(names)}, return_dtype=pl.Int64).to_numpy()
        n_groups = max(len(names), 1)
        # entries: distinct (key, group); first_row is the lowest row index holding it
        uniq, first_row, row_entry = _entries(self.key_id.astype(np.int64) * n_groups + gcode)
        del gcode
        e_kid, e_g = uniq // n_groups, uniq % n_groups
        query = np.ones(len(names), bool) if query_groups is None else np.isin(names, sorted(query_groups))
        e_query = query[e_g]
        stats = {"candidates": 0, "verified": 0, "capped_buckets": 0, "questions": 0, "sampled_questions": 0}
        # exact: entries of the same key (contiguous in ``uniq``) in other groups
        starts = np.searchsorted(e_kid, e_kid, side="left")
        counts = np.searchsorted(e_kid, e_kid, side="right") - starts
        ex_a, ex_b = [], []
        for o in range(int(counts.max()) if counts.size else 0):
            ok = (o < counts) & e_query
            a = np.flatnonzero(ok)
            b = starts[ok] + o
            cross = b != a
            ex_a.append(a[cross])
            ex_b.append(b[cross])
        ex_a = np.concatenate(ex_a) if ex_a else np.zeros(0, np.int64)
        ex_b = np.concatenate(ex_b) if ex_b else np.zeros(0, np.int64)
        near_a, near_b, near_j = self._near_matches(e_kid, e_g, e_query, ex_a, ex_b, n_groups, stats, p)
        a = np.concatenate([ex_a, near_a])
        b = np.concatenate([ex_b, near_b])
        jac = np.concatenate([np.ones(ex_a.size), near_j])
        exact = np.concatenate([np.ones(ex_a.size, bool), np.zeros(near_a.size, bool)])
        # expand entry-level matches to every row of the entry (only rows whose entry matched)
        order = np.argsort(a, kind="stable")
        a, b, jac, exact = a[order], b[order], jac[order], exact[order]
        matched = np.zeros(uniq.size, dtype=bool)
        matched[a] = True
        hit_rows = np.flatnonzero(matched[row_entry])
        hit_entry = row_entry[hit_rows]
        lo = np.searchsorted(a, hit_entry, side="left")
        cnt = np.searchsorted(a, hit_entry, side="right") - lo
        rows = np.repeat(hit_rows.astype(np.int64), cnt)
        m = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(int(cnt.sum()))
        out = pl.DataFrame(
            {
                "row": rows,
                "other": pl.Series(names[e_g[b[m]]].tolist() if m.size else [], dtype=pl.String),
                "partner": first_row[b[m]].astype(np.int64),
                "jaccard": jac[m],
                "exact": exact[m],
            }
        )
        stats["sampled_share"] = stats["sampled_questions"] / stats["questions"] if stats["questions"] else 1.0
        return out, stats

    def _near_matches(self, e_kid, e_g, e_query, ex_a, ex_b, n_groups, stats, p: NearDupParams):
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))
        if n_groups < 2 or not e_query.any():
            return empty
        a, b, capped = cross_group_candidates(self.bands[e_kid], e_g, p.max_reps, e_query)
        stats["capped_buckets"] += capped
        if a.size == 0:
            return empty
        est = estimate_jaccard(self.signatures, e_kid[a], e_kid[b])
        keep = est >= p.threshold - p.estimate_margin
        # an exact partner in that group already answers the question for (entry, group)
        slot = a * n_groups + e_g[b]
        keep &= ~np.isin(slot, ex_a * n_groups + e_g[ex_b])
        a, b, est, slot = a[keep], b[keep], est[keep], slot[keep]
        stats["candidates"] += int(a.size)
        if a.size == 0:
            return empty
        # best estimate first within each (entry, other group); verify at most max_verify of them
        order = np.lexsort((b, -est, slot))
        a, b, est, slot = a[order], b[order], est[order], slot[order]
        first = np.concatenate([[True], slot[1:] != slot[:-1]])
        run_first = np.maximum.accumulate(np.where(first, np.arange(a.size), 0))
        sel = (np.arange(a.size) - run_first) < p.max_verify
        a, b, slot = a[sel], b[sel], slot[sel]
        a, b, slot = sample_questions(a, b, slot, p, stats)
        need = np.concatenate([e_kid[a], e_kid[b]])
        need.sort()
        need = need[np.concatenate([[True], need[1:] != need[:-1]])]
        sets = shingle_sets(self.distinct.gather(need), p.shingle, p.ngram, p.seed)
        ja = jaccard_pairs(sets, np.searchsorted(need, e_kid[a]), np.searchsorted(need, e_kid[b]))
        stats["verified"] += int(ja.size)
        return best_verified(a, b, ja, slot, p.threshold)


def sample_questions(a: np.ndarray, b: np.ndarray, slot: np.ndarray, p: NearDupParams, stats: dict):
    """The candidate pairs to verify: every (entry, other group) question, or a seeded sample of
    ``p.max_verify_pairs`` of them; ``stats`` counts the questions and the sampled ones."""
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
    return a, b, slot


def best_verified(a: np.ndarray, b: np.ndarray, ja: np.ndarray, slot: np.ndarray, threshold: float):
    """The best verified partner per (entry, other group): true Jaccard >= ``threshold``, highest first."""
    ok = ja >= threshold
    a, b, ja, slot = a[ok], b[ok], ja[ok], slot[ok]
    order = np.lexsort((b, -ja, slot))
    a, b, ja, slot = a[order], b[order], ja[order], slot[order]
    first = np.concatenate([[True], slot[1:] != slot[:-1]]) if slot.size else np.zeros(0, bool)
    return a[first], b[first], ja[first]


def _entries(combined: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(combined, return_index=True, return_inverse=True)`` with 32-bit row
    positions where they fit: a third of the memory on ten million rows."""
    n = combined.size
    index = np.int32 if n < 2**31 else np.int64
    order = np.argsort(combined, kind="stable").astype(index)
    ordered = combined[order]
    start = np.empty(n, dtype=bool)
    start[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=start[1:])
    uniq = ordered[start]
    del ordered
    first_row = order[start].astype(np.int64)
    row_entry = np.empty(n, dtype=index)
    row_entry[order] = (np.cumsum(start) - 1).astype(index)
    return uniq, first_row, row_entry


_CACHE: list = []


def corpus_index(corpus: AuditCorpus, params: NearDupParams | None = None) -> NearDupIndex:
    """The :class:`NearDupIndex` of ``corpus`` (cached: the checks of one audit share it)."""
    params = params or NearDupParams()
    for frame, prm, index in _CACHE:
        if frame is corpus.frame and prm.signature_fields == params.signature_fields:
            return index
    special = corpus.near_dup_index_class
    if special is not None:  # e.g. texts on disk: corpus_sieve.audits.scale.neardup.SpilledNearDupIndex
        index = special(corpus.frame, params, corpus=corpus)
        _CACHE.clear()
        _CACHE.append((corpus.frame, params, index))
        return index
    # keys do not depend on the MinHash params: reuse them when only those differ
    key = _CACHE[0][2].key if _CACHE and _CACHE[0][0] is corpus.frame else None
    index = NearDupIndex(corpus.frame, params, key)
    _CACHE.clear()
    _CACHE.append((corpus.frame, params, index))
    return index


def row_ids(corpus: AuditCorpus, rows: np.ndarray | pl.Series) -> pl.Series:
    """Ids of the given row indices."""
    return corpus.frame[ID].gather(rows)
