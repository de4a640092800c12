"""Confident learning over a bag-of-n-grams model: the rows whose given label a cross-validated model
confidently disputes.

The model is a logistic regression over TF-IDF word 1-2-grams and character
2-5-grams (within words), fitted ``folds`` times so that every row is scored by
a model that never saw it. The rule is confident learning's (Northcutt et al.
2021, as cleanlab applies it): a class's threshold is the mean probability the
model gives that class on the rows labelled with it; a row is disputed when
another class reaches its threshold while the given label does not reach its
own, and the suggested label is the most probable of the classes that do.
Character n-grams carry spelling and morphology (``facto`` / ``fato``,
``equipa`` / ``equipe``), which word features miss on short texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LabelNoise", "confident_issues", "label_noise", "out_of_fold_probabilities"]


@dataclass(frozen=True)
class LabelNoise:
    """Out-of-fold probabilities and what confident learning makes of them."""

    probabilities: np.ndarray  # (n, classes)
    issue: np.ndarray          # bool (n,)
    suggested: np.ndarray      # int (n,), the given label where there is no issue
    balanced_accuracy: float   # of the out-of-fold predictions against the given labels


def out_of_fold_probabilities(texts: list[str], labels: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
    """``P(class | text)`` for every row from models that did not see it (stratified ``folds``-fold)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=300_000)
    features = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    classes = int(labels.max()) + 1
    out = np.zeros((len(texts), classes))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(features, labels):
        model = LogisticRegression(C=4.0, max_iter=2000)
        model.fit(features[train], labels[train])
        out[np.ix_(test, model.classes_)] = model.predict_proba(features[test])
    return out


def confident_issues(probabilities: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(issue, suggested)`` by confident learning's per-class thresholds (see the module docstring).

    >>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.2, 0.8], [0.1, 0.9], [0.95, 0.05]])
    >>> issue, suggested = confident_issues(p, np.array([0, 0, 1, 1, 1]))
    >>> issue.tolist(), suggested.tolist()
    ([False, False, False, False, True], [0, 0, 1, 1, 0])
    """
    n, classes = probabilities.shape
    thresholds = np.array([probabilities[labels == c, c].mean() if (labels == c).any() else 1.0 for c in range(classes)])
    above = probabilities >= thresholds[None, :]
    rows = np.arange(n)
    given_confident = above[rows, labels].copy()
    above[rows, labels] = False
    candidates = np.where(above, probabilities, -1.0)
    suggested = candidates.argmax(axis=1)
    issue = (candidates.max(axis=1) >= 0) & ~given_confident
    return issue, np.where(issue, suggested, labels)


def label_noise(texts: list[str], labels: np.ndarray, folds: int = 5, seed: int = 0) -> LabelNoise:
    """:func:`out_of_fold_probabilities`, then :func:`confident_issues`."""
    probabilities = out_of_fold_probabilities(texts, labels, folds, seed)
    issue, suggested = confident_issues(probabilities, labels)
    predicted = probabilities.argmax(axis=1)
    recalls = [float((predicted[labels == c] == c).mean()) for c in np.unique(labels)]
    return LabelNoise(probabilities, issue, suggested, float(np.mean(recalls)))
