"""Near-duplicate machinery: keys, shingles, MinHash, LSH candidates, verification."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from _pt_corpus import corpus, pt_frame, perturb
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_sieve.filters.dedup import minhash as mh
from corpus_sieve.audits.stats import neardup as nd
from corpus_sieve.filters.dedup import shingles as sh
from corpus_sieve.filters.dedup import text_keys as tk


def test_key_keeps_diacritics_and_punctuation_and_folds_case_and_space():
    keys = tk.normalise_key(pl.Series(["  Você   ESTÁ\u00a0aqui?\n", "você está aqui?", "voce esta aqui?", "Straße", None]))
    assert keys.to_list() == ["você está aqui?", "você está aqui?", "voce esta aqui?", "strasse", ""]


def test_key_composes_decomposed_accents():
    assert tk.normalise_key(pl.Series(["ac\u0327a\u0303o"])).to_list() == ["ação"]


# Cn: characters this Python's Unicode database does not know yet can have case
# mappings in polars' newer Unicode tables (U+16EA0 lowercases there, not here).
@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(exclude_categories=("Cs", "Cn")), max_size=30), min_size=1, max_size=20))
def test_key_matches_python_reference(texts):
    assert tk.normalise_key(pl.Series(texts, dtype=pl.String)).to_list() == [tk.python_key(t) for t in texts]


def _python_sets(keys, shingle, n):
    return [sh.python_shingles(k, shingle, n) for k in keys]


@pytest.mark.parametrize("shingle,n", [("char", 5), ("char", 3), ("word", 2)])
def test_shingle_counts_match_python(shared_data, shingle, n):
    texts = pt_frame(shared_data)["text"].sample(300, seed=1).to_list() + ["", "a", "olá", "ação é"]
    keys = tk.normalise_key(pl.Series(texts))
    sets = sh.shingle_sets(keys, shingle, n)
    ours = sets.list.n_unique().to_list()
    assert ours == [len(s) for s in _python_sets(keys.to_list(), shingle, n)]


def test_verified_jaccard_equals_python(shared_data):
    rng = np.random.default_rng(0)
    base = pt_frame(shared_data)["text"].sample(200, seed=2).to_list()
    texts = base + [perturb(t, rng, 3) for t in base]
    keys = tk.normalise_key(pl.Series(texts))
    sets = sh.shingle_sets(keys)
    a = np.arange(200)
    got = sh.jaccard_pairs(sets, a, a + 200)
    want = [sh.jaccard(texts[i], texts[i + 200]) for i in range(200)]
    assert np.allclose(got, want)


def test_minhash_estimates_jaccard(shared_data):
    rng = np.random.default_rng(0)
    base = pt_frame(shared_data).filter(pl.col("text").str.len_chars() > 60)["text"].sample(300, seed=3).to_list()
    texts = base + [perturb(t, rng, int(rng.integers(1, 8))) for t in base]
    keys = tk.normalise_key(pl.Series(texts))
    sig = mh.minhash_signatures(keys, 64)
    a = np.arange(300)
    est = mh.estimate_jaccard(sig, a, a + 300)
    true = np.array([sh.jaccard(texts[i], texts[i + 300]) for i in range(300)])
    assert abs(float(np.mean(est - true))) < 0.03  # unbiased
    assert float(np.mean(np.abs(est - true))) < 0.08


def test_short_and_empty_texts_get_signatures():
    sig = mh.minhash_signatures(pl.Series(["", "a", "ab", "abcd", "abcd"]), 16)
    assert (sig != np.uint32(0xFFFFFFFF)).all()
    assert (sig[3] == sig[4]).all()


def test_candidate_probability_is_the_s_curve():
    assert mh.candidate_probability(0.8, 64, 16) > 0.999
    assert mh.candidate_probability(0.7, 64, 16) > 0.98
    assert mh.candidate_probability(0.2, 64, 16) < 0.03


def test_cross_group_matches_recall_and_precision_against_brute_force(shared_data):
    """Planted near duplicates across groups: every verified match is real, and LSH misses almost none."""
    rng = np.random.default_rng(5)
    frame = pt_frame(shared_data).sample(2000, seed=5)
    texts = frame["text"].to_list()
    groups = ["a"] * len(texts)
    for i in range(300):  # near copies in group b: 1-6 edits, or an added word
        t = texts[i]
        texts.append(perturb(t, rng, int(rng.integers(1, 7))) if i % 2 else t + " hoje")
        groups.append("b")
    df = pl.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text": texts, "label": "x", "domain": "d"})
    c = corpus(df)
    index = nd.corpus_index(c)
    matches, work = index.cross_group_matches(pl.Series(groups), {"b"})
    found = {(r, p) for r, p in zip(matches["row"].to_list(), matches["partner"].to_list())}
    # the copy of row i is row 2000 + i; brute force over those pairs (other pairs are unrelated sentences)
    want = {2000 + i for i in range(300) if sh.jaccard(texts[i], texts[2000 + i]) >= 0.7}
    got_rows = {r for r, _ in found}
    assert len(want & got_rows) >= 0.95 * len(want)
    for r, p in found:
        assert sh.jaccard(texts[r], texts[p]) >= 0.7 - 1e-9
    assert work["sampled_share"] == 1.0


def test_index_is_cached_per_frame(shared_data):
    df = pl.DataFrame({"id": ["1", "2"], "text": ["olá mundo", "Olá  mundo"], "label": "x", "domain": "d"})
    c = corpus(df)
    assert nd.corpus_index(c) is nd.corpus_index(c, nd.NearDupParams(threshold=0.9))
    assert nd.corpus_index(c) is not nd.corpus_index(c, nd.NearDupParams(ngram=3))
