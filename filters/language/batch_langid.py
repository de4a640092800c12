"""py3langid's classifier over a whole batch at once: the same model, the same answer, numpy instead of a
Python loop per byte.

py3langid scores one text at a time: a walk of its byte-level automaton in
Python (one step per byte), then a naive Bayes product. Here the walk runs
for every text of a batch in step, one numpy gather per byte position (texts
sorted by length, so short texts stop early), and the products are one sparse
matrix product. ``tests/filters/test_language_id.py`` checks that the
languages and probabilities equal ``LanguageIdentifier.classify``'s.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from typing import Any, Sequence

import numpy as np

__all__ = ["BatchIdentifier", "batch_identifier"]

#: texts walked together; bounds the memory of one step
CHUNK = 4096


def encode(text: str) -> bytes:
    """The bytes py3langid reads: all-uppercase text lowered, NFC, UTF-8."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


class BatchIdentifier:
    """Languages and probabilities (``norm_probs``) of many texts, from a py3langid ``LanguageIdentifier``."""

    def __init__(self, identifier: Any) -> None:
        self.classes = list(identifier.nb_classes)
        self.nextmove = np.frombuffer(identifier.tk_nextmove, dtype=np.int64) if identifier.tk_nextmove.itemsize == 8 \
            else np.asarray(identifier.tk_nextmove, dtype=np.int64)
        self.rowbase = np.asarray(identifier.tk_row, dtype=np.int64) << 8
        self.output = np.asarray(identifier.tk_output, dtype=np.int64)
        self.ptc = np.asarray(identifier.nb_ptc, dtype=np.float32)
        self.pc = np.asarray(identifier.nb_pc, dtype=np.float32)
        first: dict[str, int] = {}
        self.alias_pairs = []
        for i, name in enumerate(self.classes):
            if name in first:
                self.alias_pairs.append((first[name], i))
            else:
                first[name] = i

    def classify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """``(language, probability)`` of each text, as ``LanguageIdentifier.classify`` gives them."""
        encoded = [encode(t) for t in texts]
        result: list[tuple[str, float]] = [("", 0.0)] * len(encoded)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), CHUNK):
            rows = order[start:start + CHUNK]
            for i, answer in zip(rows, self._classify_chunk([encoded[i] for i in rows])):
                result[i] = answer
        return result

    def _features(self, chunk: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """``(text index, feature id)`` of every feature the automaton emits, one pair per emission."""
        lengths = np.fromiter((len(b) for b in chunk), dtype=np.int64, count=len(chunk))
        width = int(lengths.max()) if len(chunk) else 0
        grid = np.zeros((len(chunk), width), dtype=np.int64)
        for i, b in enumerate(chunk):
            grid[i, :len(b)] = np.frombuffer(b, dtype=np.uint8)
        state = np.zeros(len(chunk), dtype=np.int64)
        texts, features = [], []
        alive = len(chunk)
        # texts are sorted by length: at position p the first texts with length <= p are done
        done = np.searchsorted(lengths, np.arange(width + 1), side="right")
        for position in range(width):
            first = int(done[position])
            if first >= alive:
                break
            active = state[first:]
            active = self.nextmove[self.rowbase[active] + grid[first:, position]]
            state[first:] = active
            emitted = self.output[active]
            hit = np.nonzero(emitted >= 0)[0]
            if hit.size:
                texts.append(hit + first)
                features.append(emitted[hit])
        if not texts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(texts), np.concatenate(features)

    def _classify_chunk(self, chunk: list[bytes]) -> list[tuple[str, float]]:
        from scipy import sparse

        text_idx, feature_idx = self._features(chunk)
        n = len(chunk)
        counts = sparse.coo_matrix((np.ones(text_idx.size, dtype=np.float32), (text_idx, feature_idx)),
                                   shape=(n, self.ptc.shape[0])).tocsr()
        counts.sum_duplicates()
        counts.data = np.log1p(counts.data).astype(np.float32)
        has_features = np.diff(counts.indptr) > 0
        scores = np.asarray(counts @ self.ptc, dtype=np.float32) + self.pc
        scores[~has_features] = 0.0  # py3langid: no features -> uniform
        lengths = np.fromiter((len(b) or 1 for b in chunk), dtype=np.float32, count=n)
        scores *= (1.0 / np.sqrt(lengths))[:, None]
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
        for i, j in self.alias_pairs:
            scores[:, i] += scores[:, j]
            scores[:, j] = 0.0
        best = scores.argmax(axis=1)
        return [(self.classes[k], float(scores[row, k])) for row, k in enumerate(best)]


_LOADING = threading.Lock()


def batch_identifier() -> BatchIdentifier:
    """The batch classifier over py3langid's shipped model, loaded once per process (a run may
    start loading it in a background thread: a second caller waits for that load)."""
    with _LOADING:
        return _load()


@functools.lru_cache(maxsize=1)
def _load() -> BatchIdentifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return BatchIdentifier(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
