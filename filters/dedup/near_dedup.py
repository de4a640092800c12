"""``near_dedup``: remove near-duplicates (MinHash + LSH), keeping the first row of each cluster.

Every row's text is keyed (NFC, casefold, whitespace collapsed:
:func:`~corpus_sieve.filters.dedup.text_keys.normalise_key`), cut into
shingles and summarised by a MinHash signature
(:mod:`~corpus_sieve.filters.dedup.minhash`: numpy over the batch's Arrow
buffers). The signature is cut into bands; rows sharing a band are
candidates, and a candidate is only a duplicate when the signatures agree on
at least ``threshold`` of their bins (the estimated Jaccard similarity).

Clusters grow as rows arrive, in input order. A row's candidates come from
the bands of *every* earlier row of a cluster (kept or removed: a cluster is
found through any of its members), and the row is checked against the
cluster's kept row, whose id becomes its ``duplicate_of``. So every removed row
is similar to the row it names, never only through a chain of rows that drift
away from it. A row that matches several clusters joins the earliest.

Memory grows with the clusters, not the rows: per cluster its kept row's
signature (``num_perm`` × 2 bytes) and id; per distinct band key 8 bytes
(:class:`~corpus_sieve.filters.dedup.band_index.BandIndex`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import polars as pl

from corpus_sieve.filters.base import (EARLIER_COLUMN, KEYS_COLUMN, ORDER_COLUMN, REASON_COLUMN, TEXT_COLUMN,
                                       Check, as_series)
from corpus_sieve.filters.dedup.band_index import MISSING, BandIndex
from corpus_sieve.filters.dedup.minhash import band_hashes, minhash_signatures
from corpus_sieve.filters.dedup.text_keys import normalise_key
from corpus_sieve.filters.registry import register

__all__ = ["NearDedup"]

DUPLICATE_OF_COLUMN = "duplicate_of"
SIMILARITY_COLUMN = "similarity"
#: the signatures :meth:`NearDedup.prepare` computes ahead (on the Ray engine's workers)
SIGNATURE_COLUMN = "__near_dedup_signature"


@register
class NearDedup(Check):
    """Reject near-duplicates (reason ``near_duplicate``), keeping the first row of each cluster.

    Rejected rows name the kept row of their cluster (``duplicate_of``: its id,
    or ``"#<n>"``, its 0-based position in the run without an id column) and
    the estimated Jaccard similarity with it (``similarity``). Null texts are
    never duplicates. The check remembers the whole run across batches
    (``is_global``), so the result does not depend on the batch size.

    Parameters
    ----------
    threshold : float, default 0.7
        Estimated Jaccard similarity of the shingle sets from which two texts
        are duplicates.
    shingle : {"char", "word"}, default "char"
        Shingles of characters (robust on short texts: one changed word in a
        tweet keeps most character 5-grams) or of words.
    ngram : int, default 5
        Shingle length, in characters or words.
    num_perm : int, default 128
        MinHash bins per signature; more bins, a finer similarity estimate.
    bands : int, default 32
        LSH bands (``num_perm`` must be a multiple): more bands find pairs of
        lower similarity, at more candidates to check.
    seed : int, default 0
        Seed of the shingle hashes.
    keep_split : str, optional
        Split-aware removal, the fix for train/test leakage: when a cluster
        spans splits, the copy in this split (e.g. ``train``) is kept and the
        others are removed. Rows are taken in input order, so a copy of another
        split that comes *before* the first ``train`` copy stays (it was kept
        before the train copy was seen): read the kept split first (a
        ``DatasetDict`` is read split by split, in its order).
    split_column : str, default "split"
        The column that holds each row's split, for ``keep_split``.

    Examples
    --------
    >>> dedup = NearDedup()
    >>> base = "O Governo aprovou hoje o orçamento do Estado para o próximo ano, disse a ministra."
    >>> dedup(base), dedup(base.replace("hoje", "ontem")), dedup("Chove muito no Porto esta semana.")
    (True, False, True)
    """

    name = "near_dedup"
    reasons: ClassVar[tuple[str, ...]] = ("near_duplicate",)
    is_global: ClassVar[bool] = True

    def __init__(self, threshold: float = 0.7, shingle: str = "char", ngram: int = 5, num_perm: int = 128,
                 bands: int = 32, seed: int = 0, keep_split: str | None = None, split_column: str = "split") -> None:
        if not 0.0 < float(threshold) <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
        if shingle not in ("char", "word"):
            raise ValueError(f"shingle must be 'char' or 'word', got {shingle!r}")
        if int(ngram) < 1:
            raise ValueError(f"ngram must be positive, got {ngram!r}")
        if int(bands) < 1 or int(num_perm) % int(bands):
            raise ValueError(f"num_perm ({num_perm}) must be a positive multiple of bands ({bands})")
        self.threshold = float(threshold)
        self.shingle = shingle
        self.ngram = int(ngram)
        self.num_perm = int(num_perm)
        self.bands = int(bands)
        self.seed = int(seed)
        self.keep_split = keep_split
        self.split_column = split_column
        self.reset()

    def reset(self) -> None:
        """Forget every row seen so far."""
        self._index = BandIndex()
        self._signatures = np.zeros((0, self.num_perm), dtype=np.uint16)  # one row per cluster (capacity grows)
        self._clusters = 0
        self._kept_ids: list[pl.Series] = []
        self._kept_in_split = np.zeros(0, dtype=bool)  # per cluster: is its kept row in keep_split?
        self._rows = 0
        self._known = np.zeros((0, self.bands), dtype=bool)

    def warm_up(self) -> None:
        normalise_key(pl.Series(["Olá"]))  # builds its Unicode tables (~0.25 s) while the input is read

    # -- the check ----------------------------------------------------------------
    def reasons_series(self, texts: pl.Series | Any) -> pl.Series:
        return self.reasons_frame(as_series(texts).to_frame(TEXT_COLUMN), TEXT_COLUMN)[REASON_COLUMN]

    def reasons_frame(self, frame: pl.DataFrame, column: str = TEXT_COLUMN, id_column: str | None = None) -> pl.DataFrame:
        """``reason``, ``duplicate_of`` and ``similarity`` of every row of the batch, in order."""
        n = frame.height
        if id_column is not None:
            ids = frame[id_column].cast(pl.String)
        else:
            ids = "#" + pl.int_range(self._rows, self._rows + n, dtype=pl.Int64, eager=True).cast(pl.String)
        self._rows += n
        texts = frame[column].cast(pl.String)
        rows = np.flatnonzero(texts.is_not_null().to_numpy())
        if SIGNATURE_COLUMN in frame.columns and frame[SIGNATURE_COLUMN].gather(rows).null_count() == 0:
            signatures = _from_binary(frame[SIGNATURE_COLUMN].gather(rows), self.num_perm)
        else:
            signatures = self._signatures_of(texts.gather(rows))
        keys = _band_keys(signatures, self.bands)
        signatures = _compared(signatures)  # what similarities are estimated on (and what is kept)
        in_split = self._in_split(frame, rows)
        if EARLIER_COLUMN in frame.columns and ORDER_COLUMN in frame.columns and self._clusters == 0:
            # the Ray engine grouped the band keys across the cluster: each row comes with the input
            # positions of the first rows of its keys (this task holds every row of the run)
            order = frame[ORDER_COLUMN].gather(rows).to_numpy()
            cluster, similarity = self._assign_from_earlier(signatures, order, frame[EARLIER_COLUMN].gather(rows).to_list())
        else:
            cluster, similarity = self._assign(signatures, keys)
        duplicate = cluster != self._clusters + np.arange(cluster.size)  # not the first row of its cluster
        self._remember(signatures, keys, cluster, ids.gather(rows), in_split)
        named = self._ids_of(cluster[duplicate]).to_list() if duplicate.any() else []
        if self.keep_split is not None and duplicate.any():
            named = self._prefer_split(signatures, cluster, duplicate, in_split, ids.gather(rows), named)
        reason = np.full(n, None, dtype=object)
        reason[rows[duplicate]] = "near_duplicate"
        duplicate_of = pl.Series(DUPLICATE_OF_COLUMN, [None] * n, dtype=pl.String)
        score = np.full(n, np.nan)
        if duplicate.any():
            at = pl.Series(rows[duplicate], dtype=pl.UInt32)
            duplicate_of = duplicate_of.scatter(at, pl.Series(named, dtype=pl.String))
            score[rows[duplicate]] = np.round(similarity[duplicate], 4)
        return pl.DataFrame([
            pl.Series(REASON_COLUMN, reason.tolist(), dtype=pl.String),
            duplicate_of,
            pl.Series(SIMILARITY_COLUMN, score, dtype=pl.Float64).fill_nan(None),
        ])

    def prepare(self, texts: pl.Series) -> pl.DataFrame:
        """The MinHash signature and the band keys of every non-null text (the work that needs no other
        row), for the Ray engine to compute on its workers and to group the rows by band key."""
        texts = texts.cast(pl.String)
        rows = np.flatnonzero(texts.is_not_null().to_numpy())
        column = pl.Series(SIGNATURE_COLUMN, [None] * texts.len(), dtype=pl.Binary)
        keys = pl.Series(KEYS_COLUMN, [None] * texts.len(), dtype=pl.List(pl.UInt64))
        if rows.size:
            signatures = self._signatures_of(texts.gather(rows))
            column = column.scatter(pl.Series(rows, dtype=pl.UInt32), _to_binary(signatures))
            found = pl.DataFrame({"row": rows, KEYS_COLUMN: _band_keys(signatures, self.bands)})
            keys = (pl.DataFrame({"row": np.arange(texts.len())})
                    .join(found.with_columns(pl.col(KEYS_COLUMN).cast(pl.List(pl.UInt64))), on="row", how="left")
                    [KEYS_COLUMN])
        return pl.DataFrame([column, keys])

    def _assign_from_earlier(self, signatures: np.ndarray, order: np.ndarray,
                             earlier: list[list[int] | None]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_assign` from each row's earlier rows sharing a band key (input positions), in one pass in
        input order: the same clusters, as the candidates are the same (the first row of each key)."""
        position = {int(o): i for i, o in enumerate(order)}
        cluster = np.arange(order.size, dtype=np.int64)  # a row that matches nothing starts its own
        similarity = np.zeros(order.size)
        for r in np.argsort(order, kind="stable"):
            firsts = earlier[r]
            if not firsts:
                continue
            for c in sorted({int(cluster[position[e]]) for e in firsts if e in position}):
                estimate = float((signatures[r] == signatures[c]).mean())
                if estimate >= self.threshold:
                    cluster[r], similarity[r] = c, estimate
                    break
        return cluster, similarity

    def _signatures_of(self, texts: pl.Series) -> np.ndarray:
        return minhash_signatures(normalise_key(texts), self.num_perm, self.shingle, self.ngram, self.seed)

    # -- splits -------------------------------------------------------------------
    def _in_split(self, frame: pl.DataFrame, rows: np.ndarray) -> np.ndarray:
        """Whether each (non-null) row is in ``keep_split`` (all False without it)."""
        if self.keep_split is None:
            return np.zeros(rows.size, dtype=bool)
        if self.split_column not in frame.columns:
            raise ValueError(f"near_dedup: keep_split={self.keep_split!r} needs the column {self.split_column!r}, "
                             f"which the input lacks (its columns: {', '.join(frame.columns)}); "
                             "name the right one with split_column")
        split = frame[self.split_column].cast(pl.String).gather(rows)
        return (split == self.keep_split).fill_null(False).to_numpy()

    def _prefer_split(self, signatures: np.ndarray, cluster: np.ndarray, duplicate: np.ndarray, in_split: np.ndarray,
                      ids: pl.Series, named: list[str]) -> list[str]:
        """``keep_split``: the first row of ``keep_split`` that joins a cluster kept from another split is
        kept too and becomes the row later rows of the cluster name. Rows are still checked against
        the row that started the cluster, so the result does not depend on where batches end."""
        rows = np.flatnonzero(duplicate)
        touched = {int(c) for c in cluster[rows[in_split[rows]]] if not self._kept_in_split[c]}
        if not touched:
            return named
        ids_list = ids.to_list()
        replaced: dict[int, int] = {}
        for at, r in enumerate(rows):
            c = int(cluster[r])
            if c not in touched:
                continue
            if in_split[r] and not self._kept_in_split[c]:
                duplicate[r] = False
                self._kept_in_split[c] = True
                replaced[c] = int(r)
            elif c in replaced:
                named[at] = ids_list[replaced[c]]
        if replaced:
            self._ids_of(np.zeros(0, dtype=np.int64))  # concatenates the kept ids into one series
            kept = self._kept_ids[0]
            at_clusters = pl.Series(list(replaced), dtype=pl.UInt32)
            self._kept_ids = [kept.scatter(at_clusters, ids.gather(pl.Series(list(replaced.values()), dtype=pl.UInt32)))]
        return [name for name, r in zip(named, rows) if duplicate[r]]

    # -- clustering ---------------------------------------------------------------
    def _assign(self, signatures: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The cluster of every row of the batch and its similarity with the cluster's kept row.

        Clusters numbered below ``self._clusters`` are earlier ones; a row that
        starts a cluster gets ``self._clusters + row`` (renumbered in :meth:`_remember`).
        """
        m, b = keys.shape
        cluster = np.full(m, -1, dtype=np.int64)
        similarity = np.zeros(m)
        self._known = np.zeros((m, b), dtype=bool)
        if m == 0:
            return cluster, similarity
        known = self._index.lookup(keys.ravel()).reshape(m, b)
        self._known = known != MISSING  # for _remember: the keys the index holds already
        # 1. rows that match an earlier cluster through a band key seen in an earlier batch
        row, col = np.nonzero(known != MISSING)
        if row.size:
            candidate = known[row, col].astype(np.int64)
            pair = np.unique(row * (self._clusters + 1) + candidate)
            row, candidate = pair // (self._clusters + 1), pair % (self._clusters + 1)
            estimate = (signatures[row] == self._signatures[candidate]).mean(axis=1)
            ok = estimate >= self.threshold
            row, candidate, estimate = row[ok], candidate[ok], estimate[ok]
            if row.size:
                first = np.concatenate([[True], row[1:] != row[:-1]])  # sorted by row, then cluster: the earliest
                cluster[row[first]], similarity[row[first]] = candidate[first], estimate[first]
        # 2. band keys new to the index, shared by rows of this batch: rows in order (only those rows)
        fresh = known == MISSING
        flat = pl.DataFrame({"row": np.repeat(np.arange(m), b)[fresh.ravel()], "key": keys[fresh]})
        shared = flat.filter(pl.col("key").is_duplicated())
        if shared.height:
            self._within_batch(shared, signatures, cluster, similarity)
        starts = cluster < 0
        cluster[starts] = self._clusters + np.flatnonzero(starts)
        return cluster, similarity

    def _within_batch(self, shared: pl.DataFrame, signatures: np.ndarray, cluster: np.ndarray,
                      similarity: np.ndarray) -> None:
        """Rows sharing band keys that no earlier batch had, in input order: each joins the earliest
        cluster, met through those keys, whose kept row it is similar to."""
        base = self._clusters
        owner: dict[int, int] = {}
        grouped = shared.group_by("row", maintain_order=False).agg("key").sort("row")
        for r, row_keys in zip(grouped["row"].to_list(), grouped["key"].to_list()):
            if cluster[r] < 0:
                best = -1
                for c in sorted({owner[k] for k in row_keys if k in owner}):
                    kept = self._signatures[c] if c < base else signatures[c - base]
                    estimate = float((signatures[r] == kept).mean())
                    if estimate >= self.threshold:
                        best = c
                        similarity[r] = estimate
                        break
                cluster[r] = best if best >= 0 else base + r
            for k in row_keys:
                owner.setdefault(k, int(cluster[r]))

    def _remember(self, signatures: np.ndarray, keys: np.ndarray, cluster: np.ndarray, ids: pl.Series,
                  in_split: np.ndarray) -> None:
        """Number the batch's new clusters in row order, keep their kept rows, index every band key
        (``cluster`` is renumbered in place)."""
        base = self._clusters
        starts = np.flatnonzero(cluster == base + np.arange(cluster.size))
        new = cluster >= base
        renumber = np.full(cluster.size, -1, dtype=np.int64)
        renumber[starts] = base + np.arange(starts.size)
        cluster[new] = renumber[cluster[new] - base]
        if starts.size:
            needed = base + starts.size
            if needed > self._signatures.shape[0]:  # grow by half: the copy is the peak
                grown = np.zeros((max(needed, self._signatures.shape[0] * 3 // 2, 1024), self.num_perm), dtype=np.uint16)
                grown[:base] = self._signatures[:base]
                self._signatures = grown
            self._signatures[base:needed] = signatures[starts]
            self._kept_ids.append(ids.gather(starts))
            if needed > self._kept_in_split.size:  # grown like the signatures: no copy per batch
                grown_split = np.zeros(self._signatures.shape[0], dtype=bool)
                grown_split[:base] = self._kept_in_split[:base]
                self._kept_in_split = grown_split
            self._kept_in_split[base:needed] = in_split[starts]
            self._clusters = needed
        known = self._known.ravel() if self._known.shape == keys.shape else None
        self._index.add(keys.ravel(), np.repeat(cluster, keys.shape[1]).astype(np.uint32), known)

    def _ids_of(self, clusters: np.ndarray) -> pl.Series:
        if len(self._kept_ids) > 1:  # chunks are linked, not copied; copied together once they are many
            joined = pl.concat(self._kept_ids, rechunk=False)
            self._kept_ids = [joined.rechunk() if joined.n_chunks() > 256 else joined]
        if not self._kept_ids:
            return pl.Series("id", [], dtype=pl.String)
        return self._kept_ids[0].gather(pl.Series(clusters, dtype=pl.UInt32))

    # -- checkpoint ---------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        """The run so far, for a checkpoint: the kept row (id, signature) of every cluster and the band index."""
        kept = pl.concat(self._kept_ids) if self._kept_ids else pl.Series("id", [], dtype=pl.String)
        return {
            "rows": self._rows,
            "clusters": pl.DataFrame({"id": kept.alias("id"),
                                      "signature": pl.Series("signature", self._signatures[: self._clusters]),
                                      "in_split": pl.Series(self._kept_in_split[: self._clusters], dtype=pl.Boolean)}),
            "index": self._index.to_frame(),
        }

    def set_state(self, state: dict[str, Any]) -> None:
        self._rows = int(state["rows"])
        clusters = state["clusters"]
        self._clusters = clusters.height
        signatures = clusters["signature"].to_numpy() if clusters.height else np.zeros((0, self.num_perm))
        self._signatures = np.array(signatures, dtype=np.uint16, copy=True).reshape(self._clusters, self.num_perm)
        self._kept_ids = [clusters["id"]] if clusters.height else []
        self._kept_in_split = clusters["in_split"].to_numpy().astype(bool) if clusters.height else np.zeros(0, dtype=bool)
        self._index = BandIndex.from_frame(state["index"])


def _band_keys(signatures: np.ndarray, bands: int) -> np.ndarray:
    """The LSH band keys, cut to their low 32 bits (well mixed, and salted by the band): 4 bytes a
    key in the index. A chance collision only adds a candidate, which the similarity check rejects."""
    return (band_hashes(signatures, bands) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def _compared(signatures: np.ndarray) -> np.ndarray:
    """The low 16 bits of each bin: what similarities are estimated on and what a cluster keeps (half
    the memory; two different bins agree by chance with probability 2^-16, which rarely moves an
    estimate, and then by one bin in ``num_perm``)."""
    return (signatures & np.uint32(0xFFFF)).astype(np.uint16)


def _to_binary(signatures: np.ndarray) -> pl.Series:
    """One binary value per signature row (its uint32 bins, little-endian)."""
    import pyarrow as pa

    width = signatures.shape[1] * 4
    data = np.ascontiguousarray(signatures, dtype="<u4").tobytes()
    array = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), signatures.shape[0], [None, pa.py_buffer(data)])
    return pl.Series(SIGNATURE_COLUMN, array.cast(pa.large_binary()))


def _from_binary(values: pl.Series, num_perm: int) -> np.ndarray:
    """The signatures :func:`_to_binary` packed."""
    raw = b"".join(values.to_list())
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32).reshape(values.len(), num_perm)
