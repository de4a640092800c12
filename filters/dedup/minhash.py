"""One-permutation MinHash with densification, LSH banding, and the bounded candidate pairs between groups."""

from __future__ import annotations


import numpy as np
import polars as pl

from corpus_sieve.filters.dedup.shingles import MAX32, POLY, Shingle, iter_shingles, mix64


def _densify(sig: np.ndarray) -> None:
    """Rotation densification in place on a ``(num_perm, docs)`` block: an empty bin takes the
    next non-empty bin to its right (circularly) plus a constant times the distance, so empty
    bins still agree with probability J (Shrivastava & Li 2014)."""
    empty = sig == MAX32
    if not empty.any():
        return
    k = sig.shape[0]
    nxt_val = np.zeros(sig.shape[1], np.uint32)
    nxt_dist = np.zeros(sig.shape[1], np.uint32)
    step = np.uint32(0x9E3779B1)
    for jj in range(2 * k - 1, -1, -1):  # two sweeps right-to-left cover the wrap-around
        j = jj % k
        e = empty[j]
        nxt_dist += np.uint32(1)
        np.copyto(nxt_val, sig[j], where=~e)
        np.copyto(nxt_dist, np.uint32(0), where=~e)
        if jj < k:
            np.copyto(sig[j], nxt_val + nxt_dist * step, where=e)


def minhash_signatures(
    keys: pl.Series, num_perm: int = 64, shingle: Shingle = "char", ngram: int = 5, seed: int = 0
) -> np.ndarray:
    """One-permutation MinHash signatures, shape ``(len(keys), num_perm)``, uint32.

    Agreement of two signatures in a bin has probability equal to the Jaccard
    similarity of the shingle sets, so ``(sig_a == sig_b).mean()`` estimates it.
    """
    n = len(keys)
    sig = np.full((n, num_perm), MAX32, dtype=np.uint32)
    k = np.uint64(num_perm)
    low = np.uint64(0xFFFFFFFF)
    buffer = np.empty(0, np.uint32)
    for d0, d1, hashes, nwin in iter_shingles(keys, shingle, ngram, seed, chunk_bytes=1 << 20):
        nd = d1 - d0
        if buffer.size < nd * num_perm:
            buffer = np.empty(nd * num_perm * 2, np.uint32)
        local = buffer[: nd * num_perm]
        local.fill(MAX32)
        bins = ((hashes & low) * k) >> np.uint64(32)
        slot = bins.astype(np.int64) * nd + np.repeat(np.arange(nd, dtype=np.int64), nwin)
        np.minimum.at(local, slot, (hashes >> np.uint64(32)).astype(np.uint32))
        block = local.reshape(num_perm, nd)  # bins x docs: densify walks bins with long vector ops
        _densify(block)
        sig[d0:d1] = block.T
    return sig


def band_hashes(sig: np.ndarray, bands: int) -> np.ndarray:
    """LSH band hashes, shape ``(n, bands)`` uint64; ``num_perm`` must be a multiple of ``bands``."""
    n, k = sig.shape
    if k % bands:
        raise ValueError(f"num_perm={k} is not a multiple of bands={bands}")
    r = k // bands
    # band j holds bins j, j+bands, j+2*bands, ...: bins far apart, so a short text's
    # densified bins (borrowed from the nearest filled bin) rarely share a source in one band
    blocks = sig.reshape(n, r, bands)
    acc = np.zeros((n, bands), dtype=np.uint64)
    for j in range(r):
        acc ^= blocks[:, j, :].astype(np.uint64)
        acc *= POLY
    acc ^= np.arange(bands, dtype=np.uint64)[None, :] << np.uint64(56)
    return mix64(acc)


def estimate_jaccard(sig: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 1 << 18) -> np.ndarray:
    """MinHash estimate of the Jaccard similarity of rows ``a[i]`` and ``b[i]`` of ``sig``."""
    out = np.empty(len(a), dtype=np.float64)
    for s in range(0, len(a), chunk):
        out[s : s + chunk] = (sig[a[s : s + chunk]] == sig[b[s : s + chunk]]).mean(axis=1)
    return out


def candidate_probability(jaccard_value: float, num_perm: int, bands: int) -> float:
    """Probability that a pair with this Jaccard similarity shares at least one band (the LSH S-curve)."""
    r = num_perm // bands
    return 1.0 - (1.0 - jaccard_value**r) ** bands


def cross_group_candidates(
    bands: np.ndarray, groups: np.ndarray, max_reps: int = 2, query: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """Candidate pairs ``(a, b)`` of entries in different groups that share a band bucket.

    In each bucket, every entry (of a ``query`` group, if given) is paired with
    the ``max_reps`` lowest-numbered entries of each *other* group in that
    bucket — linear work even in huge buckets. Returns ``(a, b, capped)`` where
    ``capped`` counts (bucket, group) cells that held more than ``max_reps``
    entries (where a true pair may have been passed over in that band).
    """
    n_entries, n_bands = bands.shape
    groups = np.asarray(groups, dtype=np.int64)
    q = np.ones(n_entries, dtype=bool) if query is None else np.asarray(query, dtype=bool)
    # entries pre-ordered by (group, entry): a stable sort on the band hash then yields (hash, group, entry)
    pre = np.lexsort((np.arange(n_entries), groups))
    found: list[np.ndarray] = []
    capped = 0
    for j in range(n_bands):
        hj = bands[pre, j]
        order = np.argsort(hj, kind="stable")
        hs = hj[order]
        if hs.size < 2:
            continue
        boundary = np.concatenate([[True], hs[1:] != hs[:-1]])
        starts = np.flatnonzero(boundary)
        ends = np.concatenate([starts[1:], [hs.size]]) - 1
        bid = np.cumsum(boundary) - 1
        es = pre[order]
        gs = groups[es]
        mixed_bucket = gs[starts] != gs[ends]  # sorted by group inside a bucket
        keep = mixed_bucket[bid]
        if not keep.any():
            continue
        es, gs, bid = es[keep], gs[keep], bid[keep]
        # rank inside each (bucket, group) run; the first max_reps of a run are its representatives
        run_start = np.concatenate([[True], (bid[1:] != bid[:-1]) | (gs[1:] != gs[:-1])])
        run_first = np.maximum.accumulate(np.where(run_start, np.arange(es.size), 0))
        rank = np.arange(es.size) - run_first
        capped += int(np.count_nonzero(rank == max_reps))
        is_head = rank < max_reps
        h_e, h_g, h_b = es[is_head], gs[is_head], bid[is_head]
        # heads of one bucket are contiguous in h_*: locate each member's slice
        first_head = np.searchsorted(h_b, bid, side="left")
        n_heads = np.searchsorted(h_b, bid, side="right") - first_head
        member = q[es]
        m_e, m_g, m_first, m_n = es[member], gs[member], first_head[member], n_heads[member]
        for o in range(int(m_n.max()) if m_n.size else 0):
            ok = o < m_n
            idx = m_first[ok] + o
            cross = h_g[idx] != m_g[ok]
            a, b = m_e[ok][cross], h_e[idx][cross]
            found.append(a * n_entries + b)
    empty = np.zeros(0, np.int64)
    if not found:
        return empty, empty, capped
    pairs = np.concatenate(found)
    pairs.sort()
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])]
    return pairs // n_entries, pairs % n_entries, capped
