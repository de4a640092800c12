"""Shingles of a key, hashed once to 64 bits: character or word n-grams (rolling polynomial hash + splitmix64),
and the true Jaccard similarity of two shingle sets."""

from __future__ import annotations

from typing import Iterator, Literal

import numpy as np
import polars as pl

from corpus_sieve.filters.dedup.text_keys import python_key


_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
POLY = np.uint64(0x100000001B3)
_PAD = np.uint64(1 << 32)  # never a code point value, so padding cannot equal text
MAX32 = np.uint32(0xFFFFFFFF)


def mix64(x: np.ndarray) -> np.ndarray:
    """A cheap 64-bit finaliser (xorshift-multiply-xorshift), in place on a uint64 array."""
    x ^= x >> np.uint64(29)
    x *= _M1
    x ^= x >> np.uint64(32)
    return x


def _seed64(seed: int) -> np.uint64:
    return np.uint64((seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF)


def _utf8_buffers(keys: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(UTF-8 bytes, int64 offsets) of a String series, without copying into Python strings."""
    import pyarrow as pa

    arr = keys.fill_null("").rechunk().to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    _, off_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    return data, offsets


def _char_units(data: np.ndarray, offsets: np.ndarray, d0: int, d1: int) -> tuple[np.ndarray, np.ndarray]:
    """One uint64 per character of docs ``[d0, d1)`` (its UTF-8 bytes packed) and chars per doc."""
    lo, hi = int(offsets[d0]), int(offsets[d1])
    b = data[lo:hi]
    local = offsets[d0 : d1 + 1] - lo
    cont = (b & 0xC0) == 0x80
    if not cont.any():  # ASCII chunk
        return b.astype(np.uint64), np.diff(local)
    # pack each lead byte with the continuation bytes that follow it (contiguous slices, no gathers)
    v = b.astype(np.uint32)
    run = cont[1:].copy()
    for k in (1, 2, 3):
        if k > 1:
            run = run[:-1] & cont[k:]
        v[:-k] |= (v[k:] & np.uint32(0xFF) * run) << np.uint32(8 * k)
    lead = ~cont
    starts = np.concatenate([[0], np.cumsum(lead)])
    return v[lead].astype(np.uint64), np.diff(starts[local])


def _word_units(keys: pl.Series, seed: int) -> tuple[np.ndarray, np.ndarray]:
    words = keys.str.split(" ")
    counts = words.list.len().to_numpy().astype(np.int64)
    units = words.explode().hash(seed).to_numpy().astype(np.uint64)
    return units, counts


def _ngram_hashes(units: np.ndarray, counts: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every n-gram of units within each doc; docs shorter than n give one shingle
    (their units padded). Returns (hashes uint64, windows per doc int64), doc-major."""
    counts = counts.astype(np.int64)
    nwin = np.maximum(counts - n + 1, 1)
    short = counts < n
    if short.any():
        # rare: hash short docs separately as one padded window each
        ustart = np.concatenate([[0], np.cumsum(counts)[:-1]])
        pad_idx = ustart[short][:, None] + np.arange(n)[None, :]
        valid = np.arange(n)[None, :] < counts[short][:, None]
        ext = np.concatenate([units, np.zeros(n, np.uint64)])
        grams = np.where(valid, ext[np.minimum(pad_idx, units.size + n - 1)], _PAD)
        short_h = np.zeros(grams.shape[0], np.uint64)
        for j in range(n):
            short_h *= POLY
            short_h += grams[:, j]
    m = units.size - n + 1
    if m > 0:
        h = units[:m].copy()
        for j in range(1, n):
            h *= POLY
            h += units[j : j + m]
        # drop windows that run past their doc's end
        keep = np.ones(m, dtype=bool)
        ends = np.cumsum(counts)
        first_bad = np.maximum(ends - counts, ends - n + 1)
        nbad = ends - first_bad
        bad = np.repeat(first_bad, nbad) + (np.arange(int(nbad.sum())) - np.repeat(np.cumsum(nbad) - nbad, nbad))
        keep[bad[bad < m]] = False
        long_h = h[keep]
    else:
        long_h = np.zeros(0, np.uint64)
    if short.any():
        out = np.empty(int(nwin.sum()), np.uint64)
        pos = np.cumsum(nwin) - nwin
        is_short = np.zeros(out.size, dtype=bool)
        is_short[pos[short]] = True
        out[is_short] = short_h
        out[~is_short] = long_h
    else:
        out = long_h
    out ^= _seed64(seed)
    return mix64(out), nwin


def _doc_chunks(offsets: np.ndarray, target_bytes: int) -> list[tuple[int, int]]:
    ndoc = offsets.size - 1
    if ndoc == 0:
        return []
    cuts = np.searchsorted(offsets, np.arange(0, int(offsets[-1]) + 1, target_bytes), side="left")
    bounds = np.unique(np.concatenate([[0], cuts, [ndoc]]).clip(0, ndoc))
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


Shingle = Literal["char", "word"]


def iter_shingles(
    keys: pl.Series, shingle: Shingle = "char", ngram: int = 5, seed: int = 0, chunk_bytes: int = 1 << 19
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """Yield ``(d0, d1, hashes, windows_per_doc)`` for consecutive chunks of docs.

    Chunks keep the working arrays in cache (one big pass over 10^8 shingles is
    several times slower than the same work in chunks).
    """
    if shingle not in ("char", "word"):
        raise ValueError(f"shingle must be 'char' or 'word', not {shingle!r}")
    keys = keys.fill_null("")
    data, offsets = _utf8_buffers(keys)
    for d0, d1 in _doc_chunks(offsets, chunk_bytes):
        if shingle == "char":
            units, counts = _char_units(data, offsets, d0, d1)
        else:
            units, counts = _word_units(keys.slice(d0, d1 - d0), seed)
        hashes, nwin = _ngram_hashes(units, counts, ngram, seed)
        yield d0, d1, hashes, nwin


def shingle_hashes(keys: pl.Series, shingle: Shingle = "char", ngram: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """All shingle hashes, doc-major, and int64 offsets (``len(keys) + 1``)."""
    parts, counts = [], []
    for _, _, hashes, nwin in iter_shingles(keys, shingle, ngram, seed):
        parts.append(hashes)
        counts.append(nwin)
    hashes = np.concatenate(parts) if parts else np.zeros(0, np.uint64)
    cnt = np.concatenate(counts) if counts else np.zeros(0, np.int64)
    return hashes, np.concatenate([[0], np.cumsum(cnt)]).astype(np.int64)


def shingle_sets(keys: pl.Series, shingle: Shingle = "char", ngram: int = 5, seed: int = 0) -> pl.Series:
    """Each key's shingle hashes as a ``List(UInt64)`` series (duplicates kept; set ops dedupe)."""
    import pyarrow as pa

    hashes, offsets = shingle_hashes(keys, shingle, ngram, seed)
    arr = pa.LargeListArray.from_arrays(pa.array(offsets), pa.array(hashes, type=pa.uint64()))
    return pl.Series("shingles", arr)


def python_shingles(key: str, shingle: Shingle = "char", ngram: int = 5) -> set[tuple]:
    """Pure-Python shingle set of a normalised key (reference for tests)."""
    units = list(key) if shingle == "char" else key.split(" ")
    if len(units) < ngram:
        return {tuple(units)}
    return {tuple(units[i : i + ngram]) for i in range(len(units) - ngram + 1)}


def jaccard(a: str, b: str, shingle: Shingle = "char", ngram: int = 5) -> float:
    """True Jaccard similarity of the shingle sets of two texts (normalised first)."""
    sa, sb = python_shingles(python_key(a), shingle, ngram), python_shingles(python_key(b), shingle, ngram)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def jaccard_pairs(sets: pl.Series, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True Jaccard of ``sets[a[i]]`` and ``sets[b[i]]`` for every pair (Rust set intersection)."""
    if len(a) == 0:
        return np.zeros(0, np.float64)
    frame = pl.DataFrame({"a": sets.gather(a), "b": sets.gather(b)})
    stats = frame.select(
        inter=pl.col("a").list.set_intersection("b").list.len().cast(pl.Float64),
        na=pl.col("a").list.n_unique().cast(pl.Float64),
        nb=pl.col("b").list.n_unique().cast(pl.Float64),
    )
    inter, na, nb = (stats[c].to_numpy() for c in ("inter", "na", "nb"))
    return inter / np.maximum(na + nb - inter, 1.0)
