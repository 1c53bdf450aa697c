"""Discretization of continuous features: supervised MDL (Fayyad-Irani) and quantile bins.

Shared by :class:`~riskml.features.InformationGain` (entropy ranking) and the
Bayesian-network models, which both need every feature as a small set of states.
Missing values are never binned here; callers give them a state of their own.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

__all__ = [
    "bin_codes",
    "entropy_bits",
    "information_gain_table",
    "is_nominal",
    "mdl_cut_points",
    "quantile_cut_points",
]

_LN2 = np.log(2.0)


def _xlogx(counts: np.ndarray) -> np.ndarray:
    """c * ln(c), with 0 * ln(0) = 0."""
    counts = np.asarray(counts, dtype=float)
    out = np.zeros_like(counts)
    positive = counts > 0
    out[positive] = counts[positive] * np.log(counts[positive])
    return out


def entropy_bits(counts) -> np.ndarray:
    """Shannon entropy (bits) of the class counts in the last axis.

    Computed as Weka's ``ContingencyTables.entropy`` does,
    ``(N ln N - sum c ln c) / (N ln 2)``, and 0 for an empty row.
    """
    counts = np.asarray(counts, dtype=float)
    total = counts.sum(axis=-1)
    numerator = _xlogx(total) - _xlogx(counts).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = numerator / (total * _LN2)
    return np.where(total > 0, out, 0.0)


def _conditional_entropy_bits(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Weka's ``entropyConditionedOnRows`` of the 2-row tables ``[left_i, right_i]``."""
    n_left = left.sum(axis=-1)
    n_right = right.sum(axis=-1)
    total = n_left + n_right
    numerator = (
        _xlogx(n_left) - _xlogx(left).sum(axis=-1) + _xlogx(n_right) - _xlogx(right).sum(axis=-1)
    )
    return numerator / (total * _LN2)


def _accept_fayyad_irani(prior, left, right, n, n_cut_points) -> bool:
    """Fayyad & Irani's MDL stopping rule (1993, eq. in section 3), as in Weka.

    Accept the split when ``gain > (log2(m) + delta) / n`` with
    ``delta = log2(3^k - 2) - (k H(S) - k1 H(S1) - k2 H(S2))``; ``k``, ``k1``, ``k2``
    count the classes present in the set and in each half, and ``m`` is the
    number of candidate cut points (``n - 1`` in the paper; Weka's "better
    encoding" counts only the boundaries between distinct values).
    """
    prior_entropy = float(entropy_bits(prior))
    entropy = float(_conditional_entropy_bits(left, right))
    gain = prior_entropy - entropy
    k = int((prior > 0).sum())
    k_left = int((left > 0).sum())
    k_right = int((right > 0).sum())
    delta = np.log2(3.0**k - 2.0) - (
        k * prior_entropy
        - k_right * float(entropy_bits(right))
        - k_left * float(entropy_bits(left))
    )
    return bool(gain > (np.log2(n_cut_points) + delta) / n)


def mdl_cut_points(x, y, *, better_encoding: bool = True) -> np.ndarray:
    """Fayyad-Irani MDL cut points of a continuous feature for a class label.

    The recursive minimal-entropy partitioning of Fayyad & Irani (1993), in the
    form of Weka's ``weka.filters.supervised.attribute.Discretize`` (the
    discretizer used by ``InfoGainAttributeEval``): candidate cuts are the
    midpoints between adjacent distinct values; the cut with the lowest class
    entropy is kept if it passes the MDL criterion, and both halves are split
    again.

    Parameters
    ----------
    x : array-like of float, shape (n_samples,)
        Missing values (NaN) are ignored, as Weka does.
    y : array-like, shape (n_samples,)
        Class labels (any number of classes).
    better_encoding : bool, default=True
        Count only boundaries between distinct values as candidate cut points in
        the MDL cost (Weka's ``useBetterEncoding``, which ``InfoGainAttributeEval``
        switches on); False uses ``n - 1`` as in the paper.

    Returns
    -------
    ndarray of float
        Sorted cut points; a value ``v`` falls in bin ``j`` when
        ``cuts[j-1] < v <= cuts[j]`` (Weka's convention).

    References
    ----------
    Fayyad UM, Irani KB. Multi-interval discretization of continuous-valued
    attributes for classification learning. IJCAI 1993:1022-1027.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> iris = load_iris()
    >>> mdl_cut_points(iris.data[:, 2], iris.target).tolist()  # petal length, Weka
    [2.45, 4.75, 5.15]
    >>> mdl_cut_points(iris.data[:, 2], iris.target, better_encoding=False).tolist()
    [2.45, 4.75]
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y).ravel()
    if x.shape != y.shape:
        raise ValueError(
            f"x and y must have one value per patient; got {x.shape[0]} and {y.shape[0]}."
        )
    keep = ~np.isnan(x)
    x, y = x[keep], y[keep]
    if x.size < 2:
        return np.empty(0)
    _, codes = np.unique(y, return_inverse=True)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    onehot = np.zeros((xs.size, codes.max() + 1))
    onehot[np.arange(xs.size), codes[order]] = 1.0
    cum = np.vstack([np.zeros(onehot.shape[1]), np.cumsum(onehot, axis=0)])

    cuts: list[float] = []
    stack = [(0, xs.size)]
    while stack:
        first, last_plus_one = stack.pop()
        n = last_plus_one - first
        if n < 2:
            continue
        prior = cum[last_plus_one] - cum[first]
        boundaries = first + np.flatnonzero(
            xs[first : last_plus_one - 1] < xs[first + 1 : last_plus_one]
        )
        if boundaries.size == 0:
            continue
        left = cum[boundaries + 1] - cum[first]
        right = prior - left
        entropy = _conditional_entropy_bits(left, right)
        best = int(np.argmin(entropy))
        prior_entropy = float(entropy_bits(prior))
        if not entropy[best] < prior_entropy:
            continue
        n_cut_points = boundaries.size if better_encoding else n - 1
        if not _accept_fayyad_irani(prior, left[best], right[best], n, n_cut_points):
            continue
        i = int(boundaries[best])
        cuts.append((xs[i] + xs[i + 1]) / 2.0)
        stack.append((first, i + 1))
        stack.append((i + 1, last_plus_one))
    return np.sort(np.asarray(cuts, dtype=float))


def quantile_cut_points(x, n_bins: int) -> np.ndarray:
    """Cut points of equal-frequency bins learned from ``x`` (NaN ignored).

    A feature with at most ``n_bins`` distinct values gets one bin per value
    (cuts at the midpoints between them); otherwise the cuts are the interior
    quantiles ``1/n_bins, ..., (n_bins-1)/n_bins``, with duplicates (from tied
    values) and cuts at or above the maximum dropped, so some features get fewer
    bins.

    Parameters
    ----------
    x : array-like of float
    n_bins : int
        At least 2.

    Returns
    -------
    ndarray of float
        Sorted cut points, binned as in :func:`bin_codes`.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.features import quantile_cut_points
    >>> quantile_cut_points(np.arange(10.0), 3)
    array([3., 6.])
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, Integral) or n_bins < 2:
        raise ValueError(f"n_bins must be an int >= 2; got {n_bins!r}.")
    x = np.asarray(x, dtype=float).ravel()
    x = x[~np.isnan(x)]
    if x.size == 0:
        return np.empty(0)
    distinct = np.unique(x)
    if distinct.size <= n_bins:
        return (distinct[:-1] + distinct[1:]) / 2.0
    cuts = np.unique(np.quantile(x, np.linspace(0.0, 1.0, n_bins + 1)[1:-1]))
    return cuts[cuts < distinct[-1]]


def bin_codes(x, cuts) -> np.ndarray:
    """Bin index of each value (``v <= cuts[j]`` goes to bin ``j`` or lower); NaN gives -1.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.features import bin_codes
    >>> bin_codes(np.array([1.0, 5.0, 9.0]), np.array([3.0, 6.0]))
    array([0, 1, 2])
    """
    x = np.asarray(x, dtype=float).ravel()
    codes = np.searchsorted(np.asarray(cuts, dtype=float), x, side="left").astype(np.intp)
    codes[np.isnan(x)] = -1
    return codes


def is_nominal(column: pd.Series) -> bool:
    """True for object, string, category and boolean columns (their values are states).

    Examples
    --------
    >>> import pandas as pd
    >>> from riskml.features import is_nominal
    >>> is_nominal(pd.Series(["a", "b"])), is_nominal(pd.Series([1.5, 2.0]))
    (True, False)
    """
    return (
        isinstance(column.dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(column.dtype)
        or pd.api.types.is_string_dtype(column.dtype)
        or pd.api.types.is_bool_dtype(column.dtype)
    )


def information_gain_table(counts, *, missing: str = "state") -> float:
    """Information gain (bits) of a contingency table ``states x classes``.

    ``H(class) - H(class | state)`` with Weka's ``ContingencyTables`` formulas.
    The last row holds the patients with a missing value: with
    ``missing="state"`` it is one more state; with ``missing="distribute"`` its
    counts are spread over the other rows in proportion to their totals
    (Weka's ``missingMerge``, the default of ``InfoGainAttributeEval``).

    Parameters
    ----------
    counts : array-like of float, shape (n_states + 1, n_classes)
    missing : {"state", "distribute"}, default="state"

    Returns
    -------
    float
    """
    counts = np.asarray(counts, dtype=float).copy()
    if missing == "distribute":
        observed = counts[:-1]
        row_totals = observed.sum(axis=1)
        n_observed = row_totals.sum()
        if n_observed > 0 and counts[-1].sum() > 0:
            observed += np.outer(row_totals / n_observed, counts[-1])
            counts = np.vstack([observed, np.zeros((1, counts.shape[1]))])
    elif missing != "state":
        raise ValueError(f"missing must be 'state' or 'distribute'; got {missing!r}.")
    total = counts.sum()
    if total == 0:
        return 0.0
    class_entropy = float(entropy_bits(counts.sum(axis=0)))
    row_totals = counts.sum(axis=1)
    conditional = float((_xlogx(row_totals).sum() - _xlogx(counts).sum()) / (total * _LN2))
    return max(class_entropy - conditional, 0.0)
