"""Small statistics for the shortcut checks (numpy/scipy; statsmodels is not a dependency).

- :func:`bh_adjust`: Benjamini-Hochberg adjusted p-values for a family of tests.
- :func:`proportion_z`: the Gardner et al. (2021) "competency problems" z-statistic.
- :func:`hypergeom_upper_p` / :func:`min_attainable_p`: the exact (Fisher) one-sided
  p-value of a feature's label share, and the smallest p-value its document count allows.
- :func:`tarone_testable`: Tarone's (1990) testable family for discrete tests.
- :func:`n_needed`: sample size to detect a proportion shift at a given alpha and power.
- :func:`npmi`: normalised pointwise mutual information of a feature and a label.
- :func:`cmh_test`: Cochran-Mantel-Haenszel test over K 2x2 tables, with the
  Mantel-Haenszel common odds ratio and risk difference.
- :func:`balanced_accuracy_null`: the normal null of balanced accuracy under
  prediction-label independence.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (reject where adjusted <= q).

    Examples
    --------
    >>> bh_adjust(np.array([0.01, 0.04, 0.03, 0.5])).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="mergesort")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted_sorted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.clip(adjusted_sorted, 0.0, 1.0)
    return out


def proportion_z(k: np.ndarray, n: np.ndarray, p0: np.ndarray) -> np.ndarray:
    """``(k/n - p0) / sqrt(p0 (1 - p0) / n)``: how far the label share among the
    ``n`` documents holding a feature is from the prior ``p0``, in standard errors.

    Examples
    --------
    >>> float(proportion_z(np.array([90]), np.array([100]), np.array([0.5]))[0])
    8.0
    """
    k, n, p0 = (np.asarray(a, dtype=float) for a in (k, n, p0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (k / n - p0) / np.sqrt(p0 * (1.0 - p0) / n)


def hypergeom_upper_p(k: np.ndarray, n: np.ndarray, n_label: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Exact one-sided p-value that ``k`` or more of the ``n`` documents holding a
    feature carry a label held by ``n_label`` of ``total`` documents, if the feature
    ignored the label (the upper tail of Fisher's exact test: hypergeometric).

    Exact where the normal approximation of :func:`proportion_z` is weak: few
    documents, or a share near 0 or 1: 19 of 19 documents with a label that 37
    of 71 carry is p = 2e-7, where the normal approximation says 3e-5.

    Examples
    --------
    >>> float(hypergeom_upper_p(np.array([2]), np.array([2]), np.array([2]), np.array([4]))[0])
    0.16666666666666666
    """
    k, n, n_label, total = (np.asarray(a, dtype=np.int64) for a in (k, n, n_label, total))
    return np.clip(stats.hypergeom.sf(k - 1, total, n_label, n), 0.0, 1.0)


def min_attainable_p(n: np.ndarray, n_label: np.ndarray, total: np.ndarray) -> np.ndarray:
    """The smallest :func:`hypergeom_upper_p` a feature in ``n`` documents can reach
    (as many of them as possible carry the label).

    Examples
    --------
    >>> float(min_attainable_p(np.array([2]), np.array([2]), np.array([4]))[0])
    0.16666666666666666
    """
    n, n_label = np.asarray(n, dtype=np.int64), np.asarray(n_label, dtype=np.int64)
    return hypergeom_upper_p(np.minimum(n, n_label), n, n_label, total)


def tarone_testable(min_p: np.ndarray, alpha: float) -> tuple[np.ndarray, int]:
    """Tarone's (1990) family for discrete tests: which tests count, and how many.

    A discrete test whose smallest attainable p-value exceeds ``alpha / m`` can
    never be rejected, so counting it in a Bonferroni family of ``m`` only costs
    power. Tarone's ``m`` is the smallest with at most ``m`` tests attainable at
    ``alpha / m``; those tests are the family (the familywise error stays at
    most ``alpha``). Used before Benjamini-Hochberg too (Gilbert 2005).

    Returns the mask of testable tests and the family size ``m`` (at least 1).

    Examples
    --------
    Ten rare features that can never reach 0.01 / m do not dilute two strong ones:

    >>> mask, m = tarone_testable(np.array([1e-6, 1e-5] + [0.2] * 10), 0.01)
    >>> mask.tolist()[:3], m
    ([True, True, False], 2)
    """
    min_p = np.asarray(min_p, dtype=float)
    if min_p.size == 0:
        return np.zeros(0, dtype=bool), 1
    ordered = np.sort(min_p)
    m = np.arange(1, min_p.size + 1)
    attainable = np.searchsorted(ordered, alpha / m, side="right")  # non-increasing in m
    family = int(m[np.argmax(attainable <= m)])
    return min_p <= alpha / family, family


def n_needed(p_hat: np.ndarray, p0: np.ndarray, alpha: float, power: float) -> np.ndarray:
    """Documents needed for a two-sided one-sample proportion test at ``alpha``
    to detect a true share ``p_hat`` against ``p0`` with probability ``power``
    (normal approximation; ``inf`` where ``p_hat == p0``).

    Examples
    --------
    >>> int(n_needed(np.array([0.6]), np.array([0.5]), 0.05, 0.8)[0])
    194
    """
    p_hat, p0 = np.asarray(p_hat, dtype=float), np.asarray(p0, dtype=float)
    z_a = stats.norm.isf(alpha / 2.0)
    z_b = stats.norm.ppf(power)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = ((z_a * np.sqrt(p0 * (1 - p0)) + z_b * np.sqrt(p_hat * (1 - p_hat))) / (p_hat - p0)) ** 2
    return np.where(p_hat == p0, np.inf, np.ceil(n))


def npmi(k: np.ndarray, n: np.ndarray, n_label: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Normalised PMI of feature presence and label, in [-1, 1] (-1 when they never co-occur).

    ``k`` documents hold both, ``n`` hold the feature, ``n_label`` carry the
    label, ``total`` documents in all.

    Examples
    --------
    >>> float(npmi(np.array([50]), np.array([50]), np.array([50]), np.array([100]))[0])
    1.0
    """
    k, n, n_label, total = (np.asarray(a, dtype=float) for a in (k, n, n_label, total))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_xy = k / total
        pmi = np.log(p_xy / ((n / total) * (n_label / total)))
        out = pmi / -np.log(p_xy)
    out = np.where(k == 0, -1.0, out)
    return np.where(p_xy >= 1.0, 1.0, out)


def cmh_test(tables: np.ndarray, correction: bool = True) -> dict[str, float]:
    """Cochran-Mantel-Haenszel test of conditional independence in K 2x2 tables.

    ``tables`` has shape (K, 2, 2): ``[[a, b], [c, d]]`` per stratum, rows =
    exposure (e.g. label y / other labels), columns = outcome present / absent.
    Strata with fewer than 2 observations carry no information and are skipped.

    Returns ``chi2`` (1 df, with the 0.5 continuity correction unless
    ``correction=False``), ``p_value``, ``odds_ratio`` (Mantel-Haenszel common
    odds ratio sum(a d / n) / sum(b c / n)) and ``risk_difference`` (Mantel-Haenszel
    weighted difference of proportions, weights n1 n0 / n).

    Examples
    --------
    Two strata (checked by hand in the tests):

    >>> t = np.array([[[10, 20], [5, 25]], [[8, 12], [4, 16]]])
    >>> r = cmh_test(t)
    >>> round(r["odds_ratio"], 4), round(r["chi2"], 4)
    (2.5698, 3.1911)
    """
    t = np.asarray(tables, dtype=float).reshape(-1, 2, 2)
    a, b, c, d = t[:, 0, 0], t[:, 0, 1], t[:, 1, 0], t[:, 1, 1]
    n = a + b + c + d
    keep = n > 1
    a, b, c, d, n = a[keep], b[keep], c[keep], d[keep], n[keep]
    row1, row0 = a + b, c + d
    col1, col0 = a + c, b + d
    expected = row1 * col1 / n
    variance = row1 * row0 * col1 * col0 / (n * n * (n - 1))
    deviation = abs(float(np.sum(a - expected)))
    var_sum = float(np.sum(variance))
    if var_sum <= 0:
        chi2, p = 0.0, 1.0
    else:
        deviation = max(0.0, deviation - 0.5) if correction else deviation
        chi2 = deviation * deviation / var_sum
        p = float(stats.chi2.sf(chi2, 1))
    num, den = float(np.sum(a * d / n)), float(np.sum(b * c / n))
    odds_ratio = num / den if den > 0 else (np.inf if num > 0 else np.nan)
    weights = row1 * row0 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = np.where(weights > 0, a / row1 - c / row0, 0.0)
    risk_difference = float(np.sum(weights * diff) / np.sum(weights)) if np.sum(weights) > 0 else 0.0
    return {"chi2": chi2, "p_value": p, "odds_ratio": float(odds_ratio), "risk_difference": risk_difference}


def balanced_accuracy_null(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[float, float]:
    """Balanced accuracy and its one-sided p-value against chance.

    Under independence of predictions and labels (each class predicted with the
    observed share ``q_j``), the recall of class ``j`` is Binomial(n_j, q_j)/n_j,
    so balanced accuracy has mean ``sum(q_j)/K = 1/K`` and variance
    ``sum(q_j (1 - q_j) / n_j) / K^2``; the p-value is the normal upper tail.

    Examples
    --------
    >>> y = np.array([0] * 50 + [1] * 50)
    >>> ba, p = balanced_accuracy_null(y, y)
    >>> ba, p < 1e-10
    (1.0, True)
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    classes = np.unique(y_true)
    k = classes.size
    recalls, variance = [], 0.0
    for c in classes:
        mask = y_true == c
        n_c = int(mask.sum())
        recalls.append(float(np.mean(y_pred[mask] == c)))
        q = float(np.mean(y_pred == c))
        variance += q * (1 - q) / n_c
    ba = float(np.mean(recalls))
    sd = np.sqrt(variance) / k
    if sd == 0:
        return ba, 1.0 if ba <= 1.0 / k else 0.0
    return ba, float(stats.norm.sf((ba - 1.0 / k) / sd))
