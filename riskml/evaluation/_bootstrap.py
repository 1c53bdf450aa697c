"""Seeded percentile-bootstrap confidence intervals.

:func:`bootstrap_ci` resamples the rows of any arrays and calls a statistic per
replicate. :func:`roc_auc_ci` and :func:`concordance_index_ci` draw the same
resamples but evaluate all replicates of a chunk at once: a resample is a vector of
multiplicities (how often each patient was drawn), and the pair-counting kernels of
:mod:`riskml.evaluation._discrimination` take such weights directly.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import numpy as np

from ._discrimination import (
    _AUCKernel,
    _check_binary_inputs,
    _check_survival_inputs,
    _ConcordanceKernel,
    concordance_index,
    roc_auc,
)

__all__ = ["ConfidenceInterval", "bootstrap_ci", "concordance_index_ci", "roc_auc_ci"]

# replicates x patients per vectorised chunk: bounds the memory of the weight matrix
_CHUNK_CELLS = 1_000_000


@dataclass(frozen=True)
class ConfidenceInterval:
    """A point estimate with a bootstrap confidence interval.

    Attributes
    ----------
    estimate : float
        The statistic on the full data.
    low, high : float
        The interval bounds.
    confidence : float
        The nominal coverage, e.g. 0.95.
    n_boot : int
        Replicates drawn.
    n_degenerate : int
        Replicates on which the statistic was undefined (one class, no comparable
        pair); they are excluded from the interval, which rests on
        ``n_boot - n_degenerate`` replicates.
    method : str
        How the interval was computed, e.g. ``"percentile bootstrap"``.
    """

    estimate: float
    low: float
    high: float
    confidence: float
    n_boot: int
    n_degenerate: int
    method: str

    def __repr__(self) -> str:
        degenerate = f", {self.n_degenerate} degenerate" if self.n_degenerate else ""
        return (
            f"ConfidenceInterval({self.estimate:.4f}, {self.confidence:.0%} CI "
            f"{self.low:.4f} to {self.high:.4f}; {self.method}, {self.n_boot} "
            f"replicates{degenerate})"
        )

    def as_dict(self) -> dict:
        """The fields as a plain dict (e.g. a row of a summary DataFrame)."""
        return asdict(self)


# -- parameter validation (sklearn's message shape) ----------------------------------
def _check_n_boot(n_boot, function: str) -> int:
    message = (
        f"The 'n_boot' parameter of {function} must be an int in the range [1, inf). "
        f"Got {n_boot!r} instead."
    )
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral):
        raise TypeError(message)
    if n_boot < 1:
        raise ValueError(message)
    return int(n_boot)


def _check_confidence(confidence, function: str) -> float:
    message = (
        f"The 'confidence' parameter of {function} must be a float in the range (0, 1). "
        f"Got {confidence!r} instead."
    )
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise TypeError(message)
    if not 0 < confidence < 1:
        raise ValueError(message)
    return float(confidence)


def _check_random_state(random_state, function: str) -> np.random.Generator:
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(
                f"The 'random_state' parameter of {function} must be an int in the range "
                f"[0, inf), a numpy.random.Generator or None. Got {random_state!r} instead."
            )
        return np.random.default_rng(int(random_state))
    raise TypeError(
        f"The 'random_state' parameter of {function} must be an int in the range [0, inf), "
        f"a numpy.random.Generator or None. Got {random_state!r} instead."
    )


# -- resampling -----------------------------------------------------------------------
def _resample_chunks(
    n: int, n_boot: int, rng: np.random.Generator, strata=None, chunk_size: int | None = None
) -> Iterator[np.ndarray]:
    """Yield bootstrap row indices, ``(replicates_in_chunk, n)`` at a time.

    Each replicate is drawn on its own (one ``rng.integers`` call per stratum), so the
    draws do not depend on the chunk size. With ``strata``, each stratum is resampled
    within itself and keeps its size; the indices come stratum by stratum.
    """
    if chunk_size is None:
        chunk_size = max(1, _CHUNK_CELLS // max(n, 1))
    members = None
    if strata is not None:
        _, codes = np.unique(strata, return_inverse=True)
        members = [np.flatnonzero(codes == code) for code in range(codes.max() + 1)]
    done = 0
    while done < n_boot:
        size = min(chunk_size, n_boot - done)
        chunk = np.empty((size, n), dtype=np.intp)
        for row in range(size):
            if members is None:
                chunk[row] = rng.integers(0, n, size=n)
            else:
                start = 0
                for rows in members:
                    stop = start + rows.shape[0]
                    chunk[row, start:stop] = rows[
                        rng.integers(0, rows.shape[0], size=rows.shape[0])
                    ]
                    start = stop
        done += size
        yield chunk


def _counts(indices: np.ndarray, n: int) -> np.ndarray:
    """Multiplicity of each row in each replicate: ``(replicates, n)`` floats."""
    size = indices.shape[0]
    flat = (indices + (np.arange(size) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=size * n).reshape(size, n).astype(float)


def _percentile_interval(
    estimate: float,
    replicates: np.ndarray,
    n_boot: int,
    confidence: float,
    method: str,
    function: str,
    first_error: str | None = None,
) -> ConfidenceInterval:
    valid = replicates[np.isfinite(replicates)]
    n_degenerate = n_boot - valid.shape[0]
    if valid.shape[0] == 0:
        reason = f" The statistic said: {first_error}" if first_error else ""
        raise ValueError(
            f"{function}: all {n_boot} bootstrap replicates were degenerate (the statistic "
            f"is undefined on each resample, e.g. one class or no comparable pair), so no "
            f"interval can be formed. The data hold too few events to resample.{reason}"
        )
    alpha = 1.0 - confidence
    low, high = np.quantile(valid, [alpha / 2.0, 1.0 - alpha / 2.0])
    return ConfidenceInterval(
        estimate=float(estimate),
        low=float(low),
        high=float(high),
        confidence=confidence,
        n_boot=n_boot,
        n_degenerate=int(n_degenerate),
        method=method,
    )


# -- public API -----------------------------------------------------------------------
def bootstrap_ci(
    statistic: Callable[..., float],
    *arrays,
    n_boot: int = 2000,
    confidence: float = 0.95,
    stratify=None,
    random_state=None,
) -> ConfidenceInterval:
    """Percentile-bootstrap confidence interval of any statistic of paired arrays.

    Parameters
    ----------
    statistic : callable
        ``statistic(*arrays) -> float``. It is called once on the data and once per
        replicate with the rows of every array resampled together.
    *arrays : array-like, each of length n_samples
    n_boot : int, default=2000
        Number of bootstrap replicates.
    confidence : float, default=0.95
        Nominal coverage of the interval, in (0, 1).
    stratify : array-like of length n_samples, default=None
        Resample within the strata given by these labels (each stratum keeps its
        size), e.g. the class labels for an AUC.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of ``numpy.random.default_rng``; the same seed gives the same interval.

    Returns
    -------
    ConfidenceInterval

    Notes
    -----
    A replicate on which ``statistic`` raises ``ValueError`` or returns NaN (a
    resample with one class, or without a comparable pair) is *degenerate*: it is
    counted in ``n_degenerate`` and left out of the percentiles. Percentiles use
    ``numpy.quantile``'s default linear interpolation.

    References
    ----------
    .. [1] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman &
       Hall; 1993. Chapter 13 (percentile intervals).

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import bootstrap_ci
    >>> x = np.arange(20.0)
    >>> bootstrap_ci(np.mean, x, n_boot=200, random_state=0).estimate
    9.5
    """
    function = "bootstrap_ci"
    if not callable(statistic):
        raise TypeError(
            f"The 'statistic' parameter of {function} must be a callable. "
            f"Got {statistic!r} instead."
        )
    n_boot = _check_n_boot(n_boot, function)
    confidence = _check_confidence(confidence, function)
    rng = _check_random_state(random_state, function)
    if not arrays:
        raise ValueError(
            f"{function} needs at least one array to resample after the statistic; got none."
        )
    arrays = [np.asarray(array) for array in arrays]
    lengths = [array.shape[0] if array.ndim else -1 for array in arrays]
    if len(set(lengths)) != 1 or lengths[0] < 1:
        raise ValueError(
            f"the arrays of {function} must have one row per patient and equal lengths; "
            f"got lengths {lengths}."
        )
    n = lengths[0]
    if stratify is not None:
        stratify = np.asarray(stratify)
        if stratify.shape != (n,):
            raise ValueError(
                f"stratify of {function} must hold one label per row ({n}); got shape "
                f"{stratify.shape}."
            )
    estimate = float(statistic(*arrays))
    if np.isnan(estimate):
        raise ValueError(
            f"{function}: the statistic is NaN on the full data, so there is nothing to "
            "bootstrap. Check that it is defined on these data (e.g. both classes present)."
        )
    replicates = np.empty(n_boot)
    first_error = None
    position = 0
    for chunk in _resample_chunks(n, n_boot, rng, stratify):
        for indices in chunk:
            try:
                value = float(statistic(*(array[indices] for array in arrays)))
            except ValueError as error:
                first_error = first_error or str(error)
                value = np.nan
            replicates[position] = value
            position += 1
    method = "percentile bootstrap" + (", stratified" if stratify is not None else "")
    return _percentile_interval(
        estimate, replicates, n_boot, confidence, method, function, first_error
    )


def _roc_auc_replicates(event: np.ndarray, score: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """The AUC of each resample (rows of ``indices``), vectorised over the rows."""
    return _AUCKernel(event, score).replicates(indices)


def roc_auc_ci(
    y_true, y_score, *, n_boot: int = 2000, confidence: float = 0.95, random_state=None
) -> ConfidenceInterval:
    """ROC AUC with a class-stratified percentile-bootstrap confidence interval.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        1 (or True) for an event, 0 for none.
    y_score : array-like of shape (n_samples,)
        Predicted risk; higher = higher risk.
    n_boot : int, default=2000
    confidence : float, default=0.95
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    ConfidenceInterval
        ``estimate`` is :func:`roc_auc` on the data.

    Notes
    -----
    Events and non-events are resampled separately, so every replicate keeps the
    observed numbers of each and none is degenerate. The replicates are the same
    as ``bootstrap_ci(roc_auc, y_true, y_score, stratify=y_true, ...)`` with the
    same seed, but computed for a chunk of replicates at once from bootstrap
    multiplicities (no per-replicate sort), O(n) per replicate after one sort.

    References
    ----------
    .. [1] Hanley JA, McNeil BJ. Radiology 1982;143:29-36.
    .. [2] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. 1993.

    Examples
    --------
    >>> from riskml.evaluation import roc_auc_ci
    >>> ci = roc_auc_ci([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.7],
    ...                 n_boot=500, random_state=0)
    >>> round(ci.estimate, 4)
    0.8889
    """
    function = "roc_auc_ci"
    n_boot = _check_n_boot(n_boot, function)
    confidence = _check_confidence(confidence, function)
    rng = _check_random_state(random_state, function)
    event, score = _check_binary_inputs(y_true, y_score, function)
    estimate = roc_auc(event, score)
    kernel = _AUCKernel(event, score)
    parts = [
        kernel.replicates(chunk) for chunk in _resample_chunks(event.shape[0], n_boot, rng, event)
    ]
    return _percentile_interval(
        estimate,
        np.concatenate(parts),
        n_boot,
        confidence,
        "percentile bootstrap, stratified by class",
        function,
    )


def _concordance_replicates(kernel: _ConcordanceKernel, indices: np.ndarray) -> np.ndarray:
    """Harrell's C of each resample; NaN where a resample has no comparable pair."""
    concordant, _, tied, comparable = kernel.counts(_counts(indices, indices.shape[1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        values = (concordant + 0.5 * tied) / comparable
    values[comparable == 0] = np.nan
    return values


def concordance_index_ci(
    time, event, risk, *, n_boot: int = 2000, confidence: float = 0.95, random_state=None
) -> ConfidenceInterval:
    """Harrell's C with a percentile-bootstrap confidence interval.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 where the event was observed, 0 where follow-up was censored.
    risk : array-like of shape (n_samples,)
        Predicted risk; higher = higher risk = earlier event.
    n_boot : int, default=2000
    confidence : float, default=0.95
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    ConfidenceInterval
        ``estimate`` is :func:`concordance_index` on the data.

    Notes
    -----
    Patients are resampled as a whole (no stratification). A replicate without a
    comparable pair (e.g. no event drawn) is counted in ``n_degenerate`` and left
    out. The replicates equal ``bootstrap_ci(concordance_index, time, event, risk,
    ...)`` with the same seed, computed for a chunk of replicates at once from
    bootstrap multiplicities, O(n log n) per replicate. Tie conventions are those
    of :func:`concordance_index`.

    References
    ----------
    .. [1] Harrell FE, Lee KL, Mark DB. Stat Med 1996;15:361-387.
    .. [2] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. 1993.

    Examples
    --------
    >>> from riskml.evaluation import concordance_index_ci
    >>> ci = concordance_index_ci([5, 10, 15, 20, 25], [1, 1, 0, 1, 0],
    ...                           [0.9, 0.3, 0.5, 0.1, 0.2], n_boot=200, random_state=0)
    >>> ci.estimate
    0.75
    """
    function = "concordance_index_ci"
    n_boot = _check_n_boot(n_boot, function)
    confidence = _check_confidence(confidence, function)
    rng = _check_random_state(random_state, function)
    time, event, risk = _check_survival_inputs(time, event, risk, function)
    estimate = concordance_index(time, event, risk)
    kernel = _ConcordanceKernel(time, event, risk, cache=True)
    parts = [
        _concordance_replicates(kernel, chunk)
        for chunk in _resample_chunks(time.shape[0], n_boot, rng)
    ]
    return _percentile_interval(
        estimate, np.concatenate(parts), n_boot, confidence, "percentile bootstrap", function
    )
