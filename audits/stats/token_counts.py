"""Document frequencies of words and bigrams per (domain, label), batch by batch, in bounded memory.

``token_shortcut`` needs, for every feature held by at least ``min_count``
documents of a domain, how many documents of each label hold it. Counting
every distinct feature exactly would keep tens of millions of one-off
features (typos, numbers) in memory on a large corpus, so the counts are
made in two passes over the corpus (:func:`count_features`):

1. **screen**: every (domain, feature) is hashed into a table of saturating
   8-bit counters (a one-row count-min sketch). A counter only
   over-estimates: a feature whose counter stays below ``min_count`` is held
   by fewer than ``min_count`` documents and can be dropped safely.
2. **count**: the features whose counter passes are counted exactly per
   label, partial counts merged as the batches go.

The result is exactly the table a single in-memory group-by gives; the screen
only decides which features are worth counting. The table has ``2**bits``
counters, ``bits`` sized from the corpus (at most 2**27, 128 MiB).

:func:`tagging_evidence` is the third pass, once the candidate features are
known: their documents in the tagging sample and a seeded reservoir of
documents per feature. :func:`report_evidence` is the fourth, once their
severities are known: the first documents per label of the reported features
and, batch by batch, the documents holding a warn/error feature (for the
flags). Neither keeps the exploded features of the whole corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np
import polars as pl

from corpus_sieve.audits.base import DOMAIN, LABEL, TEXT

#: hash seed of the screen (any fixed value)
_SCREEN_SEED = 7
_DOM_MIX = 0x9E3779B97F4A7C15
#: partial counts are merged once they hold this many rows
_MERGE_ROWS = 500_000


def doc_features(frame: pl.DataFrame, bigrams: bool) -> pl.DataFrame:
    """``doc``, ``dom``, ``lab`` and the list of unique features of each document.

    Lowercased ``\\w+`` words (diacritics kept) and, with ``bigrams``, the pairs
    of adjacent words joined by a space.
    """
    norm = pl.col("norm")
    parts = [norm.str.split(" ")]
    if bigrams:
        # words are single-space separated, so the non-overlapping `\w+ \w+` matches of the
        # text and of the text without its first word are together every adjacent pair
        parts.append(norm.str.extract_all(r"\w+ \w+"))
        parts.append(norm.str.replace(r"^\w+ ?", "").str.extract_all(r"\w+ \w+"))
    return (
        frame.lazy()
        .with_columns(
            norm=pl.col(TEXT).fill_null("").str.to_lowercase().str.replace_all(r"\W+", " ").str.strip_chars()
        )
        .select("doc", "dom", "lab", feature=pl.concat_list(parts).list.unique())
        .collect()
    )


def feature_rows(frame: pl.DataFrame, bigrams: bool) -> pl.DataFrame:
    """One row per (document, feature): ``doc``, ``dom``, ``lab``, ``feature``."""
    return doc_features(frame, bigrams).explode("feature").filter(pl.col("feature") != "")


def _buckets(rows: pl.DataFrame, bits: int) -> np.ndarray:
    mask = (1 << bits) - 1
    h = rows.select(
        pl.col("feature").hash(seed=_SCREEN_SEED) ^ (pl.col("dom").cast(pl.UInt64) * pl.lit(_DOM_MIX, pl.UInt64))
    ).to_series()
    return (h & mask).to_numpy().astype(np.int64)


def sketch_bits(rows: int) -> int:
    """Counter-table size for a corpus of ``rows`` documents: about 4 counters per feature occurrence
    of a short document (40 a document), between 2**16 and 2**27."""
    return int(min(27, max(16, np.ceil(np.log2(max(rows, 1) * 160)))))


def count_features(
    batches: Callable[[], Iterable[pl.DataFrame]], rows: int, n_labels: int, min_count: int, bigrams: bool
) -> pl.DataFrame:
    """``dom``, ``feature``, ``n`` and ``k_0 .. k_{L-1}`` for the features of >= ``min_count`` documents.

    ``batches()`` yields the corpus (``doc``, ``dom``, ``lab``, ``text``) and is
    called twice (see the module docstring).
    """
    bits = sketch_bits(rows)
    sketch = np.zeros(1 << bits, dtype=np.uint8)
    for batch in batches():
        found = pl.Series(_buckets(feature_rows(batch, bigrams), bits)).value_counts()
        where = found[:, 0].to_numpy()
        sketch[where] = np.minimum(sketch[where].astype(np.int64) + found[:, 1].to_numpy(), 255).astype(np.uint8)
    sums = [(pl.col("lab") == i).sum().cast(pl.UInt32).alias(f"k_{i}") for i in range(n_labels)]
    k_cols = [f"k_{i}" for i in range(n_labels)]
    parts: list[pl.DataFrame] = []
    held = 0
    for batch in batches():
        found = feature_rows(batch, bigrams)
        keep = sketch[_buckets(found, bits)] >= min(min_count, 255)
        part = found.filter(pl.Series(keep)).group_by("dom", "feature").agg(pl.len().cast(pl.UInt32).alias("n"), *sums)
        parts.append(part)
        held += part.height
        if held > _MERGE_ROWS and len(parts) > 1:
            parts = [_merge(parts, k_cols)]
            held = parts[0].height
    if not parts:
        return pl.DataFrame(schema={"dom": pl.UInt32, "feature": pl.String, "n": pl.UInt32,
                                    **{k: pl.UInt32 for k in k_cols}})
    return _merge(parts, k_cols).filter(pl.col("n") >= min_count)


def _merge(parts: list[pl.DataFrame], k_cols: list[str]) -> pl.DataFrame:
    return pl.concat(parts).group_by("dom", "feature").agg(pl.col("n").sum(), *[pl.col(k).sum() for k in k_cols])


def tagging_evidence(
    sample: pl.DataFrame,
    batches: Callable[[], Iterable[pl.DataFrame]],
    bigrams: bool,
    wanted: pl.DataFrame,
    doc_keys: Callable[[np.ndarray], np.ndarray],
    per_feature: int,
    budget: int,
) -> pl.DataFrame:
    """``doc``, ``dom``, ``feature`` for the ``wanted`` features, as much as tagging them reads.

    Every wanted feature in the tagging ``sample`` (``doc``, ``dom``, ``lab``,
    ``text`` of its documents); then, for the features in fewer than
    ``per_feature`` sample documents, one pass over ``batches()`` keeps the
    documents with the smallest seeded keys (``doc_keys``):
    ``max(2, min(per_feature, budget // rare features))`` of them per feature,
    the extra documents :func:`corpus_sieve.audits.stats.token_tags.tag_features`
    reads. When even 2 each exceed ``budget`` documents, only the rare features
    with the largest ``z`` (a column of ``wanted``) get theirs; the others are
    tagged from the sample. Bounded by the sample and ``budget``, whatever the corpus.
    """
    in_sample = feature_rows(sample, bigrams).join(wanted, on=["dom", "feature"], how="semi").select(
        "doc", "dom", "feature"
    )
    seen = in_sample.group_by("dom", "feature").len()
    rare = wanted.join(seen.filter(pl.col("len") >= per_feature), on=["dom", "feature"], how="anti")
    keep = max(2, min(per_feature, budget // max(1, rare.height)))
    if rare.height * keep > budget:
        # more rare features than the budget holds: the most significant (largest z) get their documents
        rare = rare.sort(["z", "dom", "feature"], descending=[True, False, False], nulls_last=True).head(budget // keep)
    rare = rare.select("dom", "feature")
    reservoir: list[pl.DataFrame] = []
    if rare.height:
        for batch in batches():
            hits = feature_rows(batch, bigrams).join(rare, on=["dom", "feature"], how="semi")
            keyed = hits.select("doc", "dom", "feature").with_columns(
                key=pl.Series(doc_keys(hits["doc"].to_numpy()), dtype=pl.UInt64)
            )
            reservoir.append(_smallest(keyed, keep))
            if len(reservoir) > 2:
                reservoir = [_smallest(pl.concat(reservoir), keep)]
    parts = [in_sample] + ([_smallest(pl.concat(reservoir), keep).drop("key")] if reservoir else [])
    return pl.concat([p.select(in_sample.columns) for p in parts]).unique().sort("doc", "dom", "feature")


class ReportPass:
    """The fourth pass: evidence for the reported and the alarming (warn/error) features.

    Iterating :meth:`flag_batches` reads the corpus once and yields, batch by
    batch, ``doc`` and the sorted ``shortcut_features`` of the documents
    holding an ``alarming`` feature; afterwards :attr:`first_docs` holds the
    first ``max_ids`` documents (row order) per (dom, feature, lab) of the
    ``reported`` features.
    """

    def __init__(self, bigrams: bool, reported: pl.DataFrame, alarming: pl.DataFrame, max_ids: int):
        self.bigrams, self.max_ids = bigrams, max_ids
        self.reported = reported.select("dom", "feature").unique()
        self.alarming = alarming.select("dom", "feature").unique()
        self.first_docs = pl.DataFrame(
            schema={"dom": pl.UInt32, "feature": pl.String, "lab": pl.UInt32, "doc": pl.List(pl.UInt32)}
        )

    def flag_batches(self, batches: Iterable[pl.DataFrame]) -> Iterator[pl.DataFrame]:
        wanted = pl.concat([self.reported, self.alarming]).unique()
        firsts: list[pl.DataFrame] = []
        for batch in batches:
            hits = feature_rows(batch, self.bigrams).join(wanted, on=["dom", "feature"], how="semi")
            own = hits.join(self.reported, on=["dom", "feature"], how="semi")
            firsts.append(own.sort("doc").group_by("dom", "feature", "lab").agg(pl.col("doc").head(self.max_ids)))
            if len(firsts) > 2:
                firsts = [_first(firsts, self.max_ids)]
            yield (
                hits.join(self.alarming, on=["dom", "feature"], how="semi")
                .group_by("doc")
                .agg(pl.col("feature").unique().sort().alias("shortcut_features"))
                .sort("doc")
            )
        if firsts:
            self.first_docs = _first(firsts, self.max_ids)


def _smallest(keyed: pl.DataFrame, k: int) -> pl.DataFrame:
    """The ``k`` rows with the smallest ``key`` of each (dom, feature); keys are distinct per document."""
    return keyed.sort("key").group_by("dom", "feature", maintain_order=True).head(k)


def _first(parts: list[pl.DataFrame], max_ids: int) -> pl.DataFrame:
    return (
        pl.concat(parts)
        .explode("doc")
        .sort("doc")
        .group_by("dom", "feature", "lab")
        .agg(pl.col("doc").head(max_ids))
    )


def indexed_batches(
    corpus_batches: Iterator[pl.DataFrame], dom_code: dict[str, int], lab_code: dict[str, int]
) -> Iterator[pl.DataFrame]:
    """The corpus's batches as ``doc`` (row number), ``dom``, ``lab`` (codes) and ``text``."""
    offset = 0
    for batch in corpus_batches:
        yield batch.select(
            (pl.int_range(pl.len(), dtype=pl.UInt32) + offset).alias("doc"),
            pl.col(DOMAIN).cast(pl.String).replace_strict(dom_code, return_dtype=pl.UInt32).alias("dom"),
            pl.col(LABEL).cast(pl.String).replace_strict(lab_code, return_dtype=pl.UInt32).alias("lab"),
            TEXT,
        )
        offset += batch.height
