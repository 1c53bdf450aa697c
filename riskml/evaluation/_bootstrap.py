"""Confidence intervals: the seeded bootstrap (percentile and BCa) and DeLong's.

:func:`bootstrap_ci` resamples the rows of any arrays and calls a statistic per
replicate. :func:`roc_auc_ci` and :func:`concordance_index_ci` draw the same
resamples but never call a Python-level metric per replicate: a resample is a
vector of multiplicities (how often each patient was drawn), and compiled
pair-counting kernels (:mod:`riskml.evaluation._kernels`, numba) or vectorised
numpy kernels (:mod:`riskml.evaluation._discrimination`) count the weighted pairs
of a chunk of replicates at once, after sorting the data once. Chunks can run on
several threads (joblib); the draws are made in one place, in order, so the result
does not depend on ``n_jobs``.

BCa intervals take their acceleration from the jackknife, computed in one pass:
from DeLong's placements for the AUC, from per-patient pair counts for Harrell's C.
This module draws and evaluates the replicates; the intervals formed from them (and
:class:`ConfidenceInterval`) are in :mod:`riskml.evaluation._bootstrap_intervals`.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from ..utils.validation import check_n_jobs, check_option, check_random_state
from . import _kernels
from ._bootstrap_intervals import (  # noqa: F401
    MAX_N_BOOT,
    ConfidenceInterval,
    _as_number,
    _auc_jackknife,
    _check_interval_n_boot,
    _check_n_boot,
    _check_sample_size,
    _delong_interval,
    _generic_jackknife,
    _harrell_jackknife,
    _interval,
    _outside_note,
    _percentile_interval,
    _split_outside_note,
)
from ._checks import already_warned, check_confidence_level
from ._delong import _check_delong_sizes
from ._discrimination import (
    _AUCKernel,
    _check_binary_inputs,
    _check_survival_inputs,
    _ConcordanceKernel,
    concordance_index,
    roc_auc,
)

__all__ = ["ConfidenceInterval", "bootstrap_ci", "concordance_index_ci", "roc_auc_ci"]

# replicates x patients per chunk: bounds the memory of the index and weight matrices
_CHUNK_CELLS = 1_000_000


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
        if chunk_size > _kernels.LANES:  # whole blocks of the compiled kernels' lanes
            chunk_size -= chunk_size % _kernels.LANES
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


def _map_chunks(function, chunks, n_jobs) -> np.ndarray:
    """``function`` on every chunk, in order, optionally on joblib threads; concatenated.

    The kernels release the GIL (numba ``nogil``, large numpy operations), so threads
    run them in parallel; the chunks are drawn lazily by the calling thread.
    """
    if n_jobs is None or n_jobs == 1:
        parts = [function(chunk) for chunk in chunks]
    else:
        # threads even under another active joblib backend (e.g. Dask): chunks share data
        parts = Parallel(n_jobs=n_jobs, require="sharedmem")(
            delayed(function)(chunk) for chunk in chunks
        )
    return np.concatenate(parts)


_NAN_ESTIMATE = (
    "{function}: the statistic is NaN on the full data, so there is nothing to "
    "bootstrap. Check that it is defined on these data (e.g. both classes present)."
)


def _shared_batch_intervals(jobs, n, stratify, n_boot, confidence, random_state, n_jobs):
    """Percentile intervals of several vectorised statistics from one stream of draws.

    ``jobs`` holds ``(statistic, arrays, job_n_boot)`` with ``job_n_boot <= n_boot``.
    Each replicate is drawn on its own and in order (:func:`_resample_chunks`), so
    replicate r is the same in every call with the same seed: each job's interval
    equals ``bootstrap_ci(statistic, *arrays, n_boot=job_n_boot, stratify=stratify,
    random_state=random_state, vectorized=True)``, while the rows are drawn once for
    all jobs instead of once per job. The caller has made that call's checks: a
    finite estimate, enough replicates, at least 10 rows per stratum (``stratify``
    None: the plain bootstrap of ``n`` rows).
    """
    function = "bootstrap_ci"
    rng = check_random_state(random_state, function)

    def evaluate(numbered_chunk):
        start, chunk = numbered_chunk
        values = []
        for statistic, arrays, wanted in jobs:
            rows = chunk[: max(0, wanted - start)]
            if rows.shape[0] == 0:
                values.append(np.empty(0))
            else:
                values.append(np.asarray(statistic(*(a[rows] for a in arrays)), dtype=float))
        return values

    def numbered_chunks():
        start = 0
        for chunk in _resample_chunks(n, n_boot, rng, stratify):
            yield start, chunk
            start += chunk.shape[0]

    if n_jobs is None or n_jobs == 1:
        parts = [evaluate(chunk) for chunk in numbered_chunks()]
    else:
        parts = Parallel(n_jobs=n_jobs, require="sharedmem")(
            delayed(evaluate)(chunk) for chunk in numbered_chunks()
        )
    intervals = []  # a ConfidenceInterval, or the ValueError bootstrap_ci would raise
    for number, (statistic, arrays, wanted) in enumerate(jobs):
        estimate = float(np.asarray(statistic(*(a[None] for a in arrays)))[0])
        replicates = np.concatenate([part[number] for part in parts])
        method = "percentile bootstrap" + (", stratified" if stratify is not None else "")
        try:
            if np.isnan(estimate):
                raise ValueError(_NAN_ESTIMATE.format(function=function))
            intervals.append(_interval(estimate, replicates, wanted, confidence, method, function))
        except ValueError as error:
            intervals.append(error)
    return intervals


# -- vectorised replicate evaluators --------------------------------------------------
class _AUCReplicates:
    """The AUC of each resample (row of an index matrix); NaN where a class is absent."""

    def __init__(self, event: np.ndarray, score: np.ndarray):
        self._compiled = _kernels.compiled("auc_chunk")
        if self._compiled is not None:
            self._layout = _kernels.AUCLayout(event, score)
        else:
            self._numpy = _AUCKernel(event, score)

    def __call__(self, indices: np.ndarray) -> np.ndarray:
        if self._compiled is None:
            return self._numpy.replicates(indices)
        counts = self._layout.replicate_counts(indices, self._compiled)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(counts[:, 1] > 0, counts[:, 0] / 2.0 / counts[:, 1], np.nan)


class _HarrellReplicates:
    """Harrell's C of each resample; NaN where a resample has no comparable pair."""

    def __init__(self, time: np.ndarray, event: np.ndarray, risk: np.ndarray):
        self._compiled = _kernels.compiled("harrell_chunk")
        if self._compiled is not None:
            self._layout = _kernels.HarrellLayout(time, event, risk)
        else:
            self._numpy = _ConcordanceKernel(time, event, risk, cache=True)

    def __call__(self, indices: np.ndarray) -> np.ndarray:
        if self._compiled is None:
            return _concordance_replicates(self._numpy, indices)
        counts = self._layout.replicate_counts(indices, self._compiled)
        concordant, tied, comparable = counts[:, 0], counts[:, 1], counts[:, 2]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(comparable > 0, (concordant + 0.5 * tied) / comparable, np.nan)


def _roc_auc_replicates(event: np.ndarray, score: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """The AUC of each resample (rows of ``indices``), vectorised over the rows."""
    return _AUCReplicates(event, score)(indices)


def _concordance_replicates(kernel: _ConcordanceKernel, indices: np.ndarray) -> np.ndarray:
    """Harrell's C of each resample with the numpy kernel; NaN without a comparable pair."""
    concordant, _, tied, comparable = kernel.counts(_counts(indices, indices.shape[1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        values = (concordant + 0.5 * tied) / comparable
    values[comparable == 0] = np.nan
    return values


# -- bootstrap_ci's checks of its data -------------------------------------------------
def _check_resampled_arrays(arrays, function: str) -> list[np.ndarray]:
    """The arrays resampled together, as numpy arrays of one equal, positive length."""
    if not arrays:
        raise ValueError(
            f"{function} needs at least one array to resample after the statistic; got none."
        )
    for position, array in enumerate(arrays):
        if array is None or isinstance(array, str | bytes | dict | set | numbers.Number):
            raise TypeError(
                f"the arrays of {function} must be arrays with one row per patient; array "
                f"{position + 1} (after the statistic) is {type(array).__name__}. Pass the "
                "data the statistic takes, e.g. bootstrap_ci(roc_auc, y_true, y_score)."
            )
    arrays = [np.asarray(array) for array in arrays]
    lengths = [array.shape[0] if array.ndim else -1 for array in arrays]
    if len(set(lengths)) != 1 or lengths[0] < 1:
        raise ValueError(
            f"the arrays of {function} must have one row per patient and equal lengths; "
            f"got lengths {lengths}."
        )
    return arrays


def _check_strata(stratify, n: int, function: str):
    """The stratum labels of ``n`` rows as an array (None: one stratum); every stratum,
    or the whole sample without strata, must hold at least 2 rows."""
    if stratify is None:
        if n < 2:
            _check_sample_size({"patients": n}, function)
        return None
    stratify = np.asarray(stratify)
    if stratify.shape != (n,):
        raise ValueError(
            f"stratify of {function} must hold one label per row ({n}); got shape {stratify.shape}."
        )
    missing = pd.isna(stratify)
    if missing.any():
        raise ValueError(
            f"stratify of {function} has {int(missing.sum())} missing label(s) (first "
            f"positions {np.flatnonzero(missing)[:5].tolist()}); every row needs its "
            "stratum. Drop those rows or fill in their label."
        )
    _, sizes = np.unique(stratify, return_counts=True)
    if sizes.min() < 2:
        _check_sample_size({"patients per stratum": int(sizes.min())}, function)
    return stratify


def _full_data_estimate(statistic, arrays, vectorized: bool, function: str) -> float:
    """The statistic on the full data as one float; NaN is refused (nothing to bootstrap)."""
    if vectorized:
        estimate = np.asarray(statistic(*(array[None] for array in arrays)))
        estimate = estimate[0] if estimate.ndim == 1 and estimate.shape[0] == 1 else estimate
    else:
        estimate = statistic(*arrays)
    estimate = _as_number(estimate, function)
    if np.isnan(estimate):
        raise ValueError(_NAN_ESTIMATE.format(function=function))
    return estimate


# -- public API -----------------------------------------------------------------------
def bootstrap_ci(
    statistic: Callable[..., float],
    *arrays,
    n_boot: int = 2000,
    confidence: float = 0.95,
    ci_type: str = "percentile",
    stratify=None,
    random_state=None,
    n_jobs=None,
    vectorized: bool = False,
) -> ConfidenceInterval:
    """Bootstrap confidence interval (percentile or BCa) of any statistic of paired arrays.

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
    ci_type : {"percentile", "bca"}, default="percentile"
        ``"bca"``: bias-corrected and accelerated, with the acceleration from the
        jackknife (``n_samples`` more calls of ``statistic``).
    stratify : array-like of length n_samples, default=None
        Resample within the strata given by these labels (each stratum keeps its
        size), e.g. the class labels for an AUC.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of ``numpy.random.default_rng``; the same seed gives the same interval.
    n_jobs : int or None, default=None
        Threads evaluating ``statistic`` on chunks of replicates (None: one; -1: every
        core). The draws stay in one thread, in order, so the interval does not depend
        on ``n_jobs``. Pays where ``statistic`` releases the GIL (compiled or large
        numpy work, e.g. :func:`ici`); ``statistic`` must be safe to call from threads.
    vectorized : bool, default=False
        As in ``scipy.stats.bootstrap``: ``statistic`` takes 2-D arrays, one resample
        per row (the data as a single row for the estimate), and returns one value per
        row; a non-finite value marks a degenerate replicate.

    Returns
    -------
    ConfidenceInterval

    Notes
    -----
    A replicate on which ``statistic`` raises ``ValueError`` or returns NaN (a
    resample with one class, or without a comparable pair) is *degenerate*: it is
    counted in ``n_degenerate`` and left out of the interval. Quantiles use
    ``numpy.quantile``'s default linear interpolation. The BCa bias correction
    counts replicates equal to the estimate as half below, and with ``stratify``
    the acceleration sums the jackknife terms of each stratum, both as in
    ``scipy.stats.bootstrap(method="BCa")`` (whose strata are separate samples).

    A percentile interval is the middle of the replicates, not a range centred on
    the estimate: for a statistic biased in resamples (e.g. an absolute value or a
    mean absolute error, which resampling noise inflates) it can exclude the
    estimate. ``method`` then says so ("...; the estimate lies below this interval
    because the bootstrap values of the statistic are biased upward: the interval
    shows how much the statistic varies between samples, not a range around the
    estimate"); Efron & Tibshirani (1993, ch. 10) on bootstrap estimates of bias.

    References
    ----------
    .. [1] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman &
       Hall; 1993. Chapters 13 (percentile) and 14 (BCa) intervals.

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
    confidence = check_confidence_level(confidence, function)
    n_boot = _check_interval_n_boot(n_boot, confidence, function)
    ci_type = check_option(ci_type, "ci_type", ("percentile", "bca"), function)
    rng = check_random_state(random_state, function)
    n_jobs = check_n_jobs(n_jobs, function)
    arrays = _check_resampled_arrays(arrays, function)
    n = arrays[0].shape[0]
    stratify = _check_strata(stratify, n, function)
    estimate = _full_data_estimate(statistic, arrays, vectorized, function)
    errors = {}  # first error message of each chunk that had one, by chunk

    def evaluate(numbered_chunk):
        number, chunk = numbered_chunk
        if vectorized:
            return np.asarray(statistic(*(array[chunk] for array in arrays)), dtype=float)
        values = np.empty(chunk.shape[0])
        for row, indices in enumerate(chunk):
            try:
                values[row] = float(statistic(*(array[indices] for array in arrays)))
            except ValueError as error:
                errors.setdefault(number, str(error))
                values[row] = np.nan
        return values

    chunks = enumerate(_resample_chunks(n, n_boot, rng, stratify))
    replicates = _map_chunks(evaluate, chunks, n_jobs)
    first_error = errors[min(errors)] if errors else None
    method = "percentile bootstrap" + (", stratified" if stratify is not None else "")
    jackknife = None
    if ci_type == "bca":

        def jackknife():
            return _generic_jackknife(statistic, arrays, stratify, function)

    return _interval(
        estimate, replicates, n_boot, confidence, method, function, first_error, jackknife
    )


def roc_auc_ci(
    y_true,
    y_score,
    *,
    method: str = "bootstrap",
    confidence: float = 0.95,
    n_boot: int = 2000,
    ci_type: str = "percentile",
    random_state=None,
    n_jobs=None,
) -> ConfidenceInterval:
    """ROC AUC with a DeLong or class-stratified bootstrap confidence interval.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        1 (or True) for an event, 0 for none.
    y_score : array-like of shape (n_samples,)
        Predicted risk; higher = higher risk.
    method : {"bootstrap", "delong"}, default="bootstrap"
        ``"delong"``: Wald interval on the AUC scale with DeLong's standard error
        (O(n log n), Sun & Xu 2014), clipped to [0, 1], as R
        ``pROC::ci.auc(method="delong")``. ``"bootstrap"``: seeded, stratified by
        class. The default stays ``"bootstrap"`` so that existing calls with
        ``n_boot`` and ``random_state`` keep their meaning.
    confidence : float, default=0.95
    n_boot : int, default=2000
        Bootstrap replicates (ignored by DeLong).
    ci_type : {"percentile", "bca"}, default="percentile"
        Bootstrap interval type; ``"bca"`` takes the acceleration from the
        jackknife, computed in closed form from DeLong's placements.
    random_state : int, numpy.random.Generator or None, default=None
    n_jobs : int or None, default=None
        Threads over chunks of replicates (joblib); the result does not depend on it.

    Returns
    -------
    ConfidenceInterval
        ``estimate`` is :func:`roc_auc` on the data; for DeLong ``n_boot`` is 0.

    Notes
    -----
    Events and non-events are resampled separately, so every replicate keeps the
    observed numbers of each and none is degenerate. The replicates are the same as
    ``bootstrap_ci(roc_auc, y_true, y_score, stratify=y_true, ...)`` with the same
    seed, but counted by a compiled kernel from bootstrap multiplicities after one
    sort, O(n) per replicate. DeLong needs at least two events and two non-events.

    References
    ----------
    .. [1] DeLong ER, DeLong DM, Clarke-Pearson DL. Comparing the areas under two or
       more correlated receiver operating characteristic curves: a nonparametric
       approach. Biometrics 1988;44:837-845.
    .. [2] Sun X, Xu W. Fast implementation of DeLong's algorithm for comparing the
       areas under correlated receiver operating characteristic curves. IEEE Signal
       Process Lett 2014;21:1389-1393.
    .. [3] Robin X, Turck N, Hainard A, et al. pROC: an open-source package for R
       and S+ to analyze and compare ROC curves. BMC Bioinformatics 2011;12:77.
    .. [4] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. 1993.

    Examples
    --------
    >>> from riskml.evaluation import roc_auc_ci
    >>> y, s = [0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.7]
    >>> round(roc_auc_ci(y, s, n_boot=500, random_state=0).estimate, 4)
    0.8889
    >>> ci = roc_auc_ci(y, s, method="delong")
    >>> ci.method, round(ci.high, 4)
    ('DeLong', 1.0)
    """
    function = "roc_auc_ci"
    method = check_option(method, "method", ("bootstrap", "delong"), function)
    n_boot = _check_n_boot(n_boot, function)
    confidence = check_confidence_level(confidence, function)
    ci_type = check_option(ci_type, "ci_type", ("percentile", "bca"), function)
    rng = check_random_state(random_state, function)
    n_jobs = check_n_jobs(n_jobs, function)
    event, score = _check_binary_inputs(y_true, y_score, function)
    if method == "delong":
        if ci_type != "percentile":
            raise ValueError(
                f"ci_type={ci_type!r} applies to method='bootstrap'; DeLong's interval is a "
                "Wald interval. Pass method='bootstrap' for a BCa interval."
            )
        return _delong_interval(event, score, confidence, function)
    n_boot = _check_interval_n_boot(n_boot, confidence, function)
    n_events = int(event.sum())
    _check_sample_size({"events": n_events, "non-events": event.shape[0] - n_events}, function)
    with already_warned():
        estimate = roc_auc(event, score)
    replicates = _map_chunks(
        _AUCReplicates(event, score),
        _resample_chunks(event.shape[0], n_boot, rng, event),
        n_jobs,
    )
    jackknife = None
    if ci_type == "bca":
        _check_delong_sizes(event, function)

        def jackknife():
            return _auc_jackknife(event, score)

    return _interval(
        estimate,
        replicates,
        n_boot,
        confidence,
        "percentile bootstrap, stratified by class",
        function,
        jackknife=jackknife,
    )


def concordance_index_ci(
    time,
    event,
    risk,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    ci_type: str = "percentile",
    random_state=None,
    n_jobs=None,
) -> ConfidenceInterval:
    """Harrell's C with a bootstrap confidence interval (percentile or BCa).

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
    ci_type : {"percentile", "bca"}, default="percentile"
        ``"bca"`` takes the acceleration from the jackknife, computed in one
        O(n log n) pass from per-patient pair counts.
    random_state : int, numpy.random.Generator or None, default=None
    n_jobs : int or None, default=None
        Threads over chunks of replicates (joblib); the result does not depend on it.

    Returns
    -------
    ConfidenceInterval
        ``estimate`` is :func:`concordance_index` on the data.

    Notes
    -----
    Patients are resampled as a whole (no stratification). A replicate without a
    comparable pair (e.g. no event drawn) is counted in ``n_degenerate`` and left
    out. The replicates equal ``bootstrap_ci(concordance_index, time, event, risk,
    ...)`` with the same seed, counted by a compiled Fenwick-tree kernel from
    bootstrap multiplicities after one sort, O(n log n) per replicate with integer
    (exact) counts. Tie conventions are those of :func:`concordance_index`.

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
    confidence = check_confidence_level(confidence, function)
    ci_type = check_option(ci_type, "ci_type", ("percentile", "bca"), function)
    rng = check_random_state(random_state, function)
    n_jobs = check_n_jobs(n_jobs, function)
    n_boot = _check_interval_n_boot(n_boot, confidence, function)
    time, event, risk = _check_survival_inputs(time, event, risk, function)
    _check_sample_size({"events": int(event.sum())}, function)
    with already_warned():
        estimate = concordance_index(time, event, risk)
    replicates = _map_chunks(
        _HarrellReplicates(time, event, risk),
        _resample_chunks(time.shape[0], n_boot, rng),
        n_jobs,
    )
    jackknife = None
    if ci_type == "bca":

        def jackknife():
            return _harrell_jackknife(time, event, risk)

    return _interval(
        estimate,
        replicates,
        n_boot,
        confidence,
        "percentile bootstrap",
        function,
        jackknife=jackknife,
    )
