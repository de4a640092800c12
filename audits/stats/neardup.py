"""Exact and near-duplicate machinery shared by the duplicate, conflict and leakage checks.

Pipeline, all vectorised (numpy over Arrow buffers, polars group-bys):

1. :func:`normalise_key` — NFC, full Unicode casefold, collapsed whitespace.
   Diacritics and punctuation are kept: they carry the pt-PT / pt-BR label.
2. :func:`shingle_hashes` — character n-grams (default 5) or word n-grams of
   the key, each hashed to 64 bits once (rolling polynomial hash + splitmix64).
3. :func:`minhash_signatures` — one-permutation MinHash (Li, Owen & Zhang 2012)
   with rotation densification (Shrivastava & Li 2014): each shingle hash picks
   one of ``num_perm`` bins and the bin keeps its minimum, so the cost is one
   pass over the shingles instead of ``num_perm`` passes; two signatures agree
   in a bin with probability equal to the Jaccard similarity.
4. :func:`band_hashes` — LSH banding, ``bands`` bands of ``num_perm // bands``
   bins; rows sharing any band hash are candidates.
5. :func:`cross_group_candidates` — candidates between *different* groups
   (train vs test, pt-PT vs pt-BR), bounded: in each bucket a row is compared
   with at most ``max_reps`` rows of every other group (the count of buckets
   where that bound bit is reported, never hidden).
6. :func:`jaccard_pairs` — every reported pair is verified with the true
   Jaccard similarity of the two shingle sets.

:class:`NearDupIndex` ties this together for one corpus; :func:`corpus_index`
caches it so the checks that share it compute keys and signatures once.
"""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Literal

import numpy as np
import polars as pl

from corpus_sieve.audits.base import ID, TEXT, AuditCorpus

# --------------------------------------------------------------------------- keys

_WS_NEEDS_WORK = r"\s\s|[^\S ]|^\s|\s$"


def _char_class(chars: list[str]) -> str:
    """A Rust-regex character class matching exactly ``chars`` (as ranges)."""
    cps = sorted({ord(c) for c in chars})
    ranges: list[tuple[int, int]] = []
    for cp in cps:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    parts = [f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges]
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=1)
def _special_classes() -> tuple[str, str]:
    """(chars whose casefold differs from lowercase, chars that may make text non-NFC).

    Rows without any of them skip the Python casefold / the NFC pass: for them
    polars' lowercase already equals ``str.casefold`` and the text is NFC.
    """
    casefold_special, not_nfc = [], []
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if c.casefold() != c.lower():
            casefold_special.append(c)
        if unicodedata.combining(c) or unicodedata.normalize("NFC", c) != c:
            not_nfc.append(c)
        decomposition = unicodedata.decomposition(c)
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:  # the second char of a composition pair (NFC_QC=Maybe)
                not_nfc.append(chr(int(parts[1], 16)))
    # Greek capital sigma lowercases contextually (final ς) but casefolds to σ
    casefold_special.append("\u03a3")
    # Hangul vowel and trailing jamo compose algorithmically with a preceding syllable
    not_nfc += [chr(cp) for cp in range(0x1161, 0x1176)] + [chr(cp) for cp in range(0x11A8, 0x11C3)]
    return _char_class(casefold_special), _char_class(not_nfc)


def _apply_where(series: pl.Series, mask: pl.Series, fn) -> pl.Series:
    """``fn`` applied only to the rows where ``mask`` is true (the rest unchanged)."""
    idx = mask.arg_true()
    if idx.len() == 0:
        return series
    return series.scatter(idx, fn(series.gather(idx)))


def normalise_key(texts: pl.Series) -> pl.Series:
    """The exact-duplicate key: NFC of the full casefold, whitespace runs collapsed to one space.

    Diacritics and punctuation are kept (they carry variety labels); whitespace
    is Unicode White_Space. Equivalent to
    ``" ".join(unicodedata.normalize("NFC", t.casefold()).split())`` up to
    Python's wider notion of whitespace. Nulls become ``""``.

    Examples
    --------
    >>> normalise_key(pl.Series(["  Olá,\\u00a0MUNDO!  ", "Straße", "e\\u0301"])).to_list()
    ['olá, mundo!', 'strasse', 'é']
    """
    casefold_special, not_nfc = _special_classes()
    s = texts.cast(pl.String).fill_null("")
    needs_casefold = s.str.contains(casefold_special)
    lowered = s.str.to_lowercase()
    if needs_casefold.any():
        folded = pl.Series([t.casefold() for t in s.filter(needs_casefold).to_list()], dtype=pl.String)
        lowered = lowered.scatter(needs_casefold.arg_true(), folded)
    key = _apply_where(lowered, lowered.str.contains(not_nfc), lambda x: x.str.normalize("NFC"))
    key = _apply_where(
        key,
        key.str.contains(_WS_NEEDS_WORK),
        lambda x: x.str.replace_all(r"\s+", " ").str.strip_chars(" "),
    )
    return key.alias("key")


def python_key(text: str) -> str:
    """Pure-Python reference of :func:`normalise_key` for one text (tests, debugging)."""
    import re

    folded = unicodedata.normalize("NFC", text.casefold())
    return re.sub(r"[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+", " ", folded).strip(" ")


# --------------------------------------------------------------------------- shingles

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_POLY = np.uint64(0x100000001B3)
_PAD = np.uint64(1 << 32)  # never a code point value, so padding cannot equal text
_MAX32 = np.uint32(0xFFFFFFFF)


def _mix64(x: np.ndarray) -> np.ndarray:
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
            short_h *= _POLY
            short_h += grams[:, j]
    m = units.size - n + 1
    if m > 0:
        h = units[:m].copy()
        for j in range(1, n):
            h *= _POLY
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
    return _mix64(out), nwin


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


# --------------------------------------------------------------------------- MinHash / LSH


def _densify(sig: np.ndarray) -> None:
    """Rotation densification in place on a ``(num_perm, docs)`` block: an empty bin takes the
    next non-empty bin to its right (circularly) plus a constant times the distance, so empty
    bins still agree with probability J (Shrivastava & Li 2014)."""
    empty = sig == _MAX32
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
    sig = np.full((n, num_perm), _MAX32, dtype=np.uint32)
    k = np.uint64(num_perm)
    low = np.uint64(0xFFFFFFFF)
    buffer = np.empty(0, np.uint32)
    for d0, d1, hashes, nwin in iter_shingles(keys, shingle, ngram, seed, chunk_bytes=1 << 20):
        nd = d1 - d0
        if buffer.size < nd * num_perm:
            buffer = np.empty(nd * num_perm * 2, np.uint32)
        local = buffer[: nd * num_perm]
        local.fill(_MAX32)
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
        acc *= _POLY
    acc ^= np.arange(bands, dtype=np.uint64)[None, :] << np.uint64(56)
    return _mix64(acc)


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


# --------------------------------------------------------------------------- corpus index


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
        n = self.frame.height
        gser = group.cast(pl.String).fill_null("")
        names, gcode = np.unique(gser.to_numpy().astype(str), return_inverse=True)
        gcode = gcode.astype(np.int64)
        n_groups = max(len(names), 1)
        # entries: distinct (key, group); first_row is the lowest row index holding it
        combined = self.key_id * n_groups + gcode
        uniq, first_row, row_entry = np.unique(combined, return_index=True, return_inverse=True)
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
        # expand entry-level matches to every row of the entry
        order = np.argsort(a, kind="stable")
        a, b, jac, exact = a[order], b[order], jac[order], exact[order]
        lo = np.searchsorted(a, row_entry, side="left")
        cnt = np.searchsorted(a, row_entry, side="right") - lo
        rows = np.repeat(np.arange(n, dtype=np.int64), cnt)
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
        need = np.concatenate([e_kid[a], e_kid[b]])
        need.sort()
        need = need[np.concatenate([[True], need[1:] != need[:-1]])]
        sets = shingle_sets(self.distinct.gather(need), p.shingle, p.ngram, p.seed)
        ja = jaccard_pairs(sets, np.searchsorted(need, e_kid[a]), np.searchsorted(need, e_kid[b]))
        stats["verified"] += int(ja.size)
        ok = ja >= p.threshold
        a, b, ja, slot = a[ok], b[ok], ja[ok], slot[ok]
        # the best verified partner per (entry, other group)
        order = np.lexsort((b, -ja, slot))
        a, b, ja, slot = a[order], b[order], ja[order], slot[order]
        first = np.concatenate([[True], slot[1:] != slot[:-1]]) if slot.size else np.zeros(0, bool)
        return a[first], b[first], ja[first]


_CACHE: list = []


def corpus_index(corpus: AuditCorpus, params: NearDupParams | None = None) -> NearDupIndex:
    """The :class:`NearDupIndex` of ``corpus`` (cached: the checks of one audit share it)."""
    params = params or NearDupParams()
    for frame, prm, index in _CACHE:
        if frame is corpus.frame and prm.signature_fields == params.signature_fields:
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
