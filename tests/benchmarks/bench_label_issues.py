"""Label errors: ``label_issues`` against cleanlab on real labelled text with labels flipped on purpose.

Rows: the pt-PT / pt-BR sentences of ``../shared/data`` (DSLCC news, FRMT wiki,
Tatoeba conversational), per domain. 6% of the labels are flipped (seed 0).
Both tools score every row out of fold (5 folds, the same folds):

* cleanlab: ``cleanlab.filter.find_label_issues`` (its defaults) on the
  probabilities of a TF-IDF (word 1-2-grams) logistic regression, as its docs
  do it for text;
* corpus-sieve: the ``label_issues`` check (word and character n-grams,
  confident learning's per-class thresholds).

Precision, recall and F1 of the flipped rows found; and, on the same rows with the
labels permuted instead, how many rows each flags.

    .venv/bin/python tests/benchmarks/bench_label_issues.py [--markdown FILE]   (pip install cleanlab)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared" / "data"
sys.path[:0] = [str(REPO / "tests")]


def cleanlab_issues(texts: list[str], labels: np.ndarray, seed: int = 0) -> np.ndarray:
    from cleanlab.filter import find_label_issues
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    features = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit_transform(texts)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    probabilities = cross_val_predict(LogisticRegression(max_iter=2000), features, labels, cv=folds, method="predict_proba")
    return find_label_issues(labels, probabilities)


def main() -> int:
    from realdata import load_pt_varieties

    from corpus_sieve.audits.stats.label_noise import label_noise

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", type=Path)
    ap.add_argument("--flip", type=float, default=0.06)
    args = ap.parse_args()
    frame = load_pt_varieties(SHARED)
    lines = [f"{args.flip:.0%} of the labels flipped (seed 0); 5-fold out-of-fold scores; permuted: rows flagged "
             "when the labels are shuffled instead.", "",
             "| domain | rows | tool | precision | recall | F1 | flagged | s | permuted: flagged |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    rng = np.random.default_rng(0)
    for domain in sorted(frame["domain"].unique().to_list()):
        rows = frame.filter(pl.col("domain") == domain)
        texts = rows["text"].to_list()
        truth = np.array([0 if v == "pt-PT" else 1 for v in rows["label"].to_list()])
        flipped = rng.random(truth.size) < args.flip
        noisy = np.where(flipped, 1 - truth, truth)
        permuted = rng.permutation(truth)
        for tool in ("cleanlab", "corpus-sieve"):
            t0 = time.perf_counter()
            if tool == "cleanlab":
                found, control = cleanlab_issues(texts, noisy), cleanlab_issues(texts, permuted)
            else:
                noise = label_noise(texts, noisy)
                # the check reports nothing from a model below its competence bar (min_balanced_accuracy 0.75)
                found = noise.issue
                control_noise = label_noise(texts, permuted)
                control = control_noise.issue if control_noise.balanced_accuracy >= 0.75 else np.zeros(truth.size, bool)
            seconds = (time.perf_counter() - t0) / 2
            tp = int((found & flipped).sum())
            precision, recall = tp / max(int(found.sum()), 1), tp / max(int(flipped.sum()), 1)
            f1 = 2 * precision * recall / max(precision + recall, 1e-9)
            lines.append(f"| {domain} | {truth.size:,} | {tool} | {precision:.3f} | {recall:.3f} | {f1:.3f} | "
                         f"{int(found.sum()):,} | {seconds:.1f} | {int(control.sum()):,} |")
            print(lines[-1], flush=True)
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
