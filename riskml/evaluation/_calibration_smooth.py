"""The smoothed calibration curve of a binary outcome and the errors read off it.

The lowess smooth of the outcome on the predicted risk (as R's ``rms::val.prob``),
the ICI, E50, E90 and Emax (:func:`ici`, and :func:`_ici_batch` for bootstrap
replicates), and :func:`calibration_curve` (the smooth with a bootstrap band, or
groups of risk with exact binomial intervals).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ..utils.deprecation import renamed_keyword
from ..utils.validation import (
    check_fraction,
    check_int,
    check_option,
    check_random_state,
)
from ._calibration_checks import _check_binary_inputs
from ._calibration_groups import _binomial_interval, _group_attrs, _quantile_groups
from ._checks import NEAR_CONSTANT, check_confidence_level, describe_number, spread_of

__all__ = ["CalibrationErrors", "calibration_curve", "ici"]


_DEFAULT_FRAC = 2.0 / 3.0


def _window_size(n: int, frac: float) -> int:
    """Points in each local fit: ``max(2, min(n, int(frac * n)))`` (the kernel's ``k``)."""
    return max(2, min(n, int(frac * n + 1e-10)))


def _fallback_lowess(x: np.ndarray, y: np.ndarray, frac: float, delta: float) -> np.ndarray:
    """The lowess of :func:`riskml.evaluation._kernels.lowess_sorted` without numba.

    statsmodels' lowess (compiled, the same algorithm) except where ``k`` or more
    points are tied at one ``x`` (a window of radius 0), where it returns one tied
    point's ``y`` and R (and the kernel) the mean of all of them: then the kernel runs
    in plain Python.
    """
    from ._kernels import lowess_sorted

    starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
    longest = int(np.diff(np.r_[starts, x.shape[0]]).max())
    if longest >= _window_size(x.shape[0], frac):
        smooth = np.empty(x.shape[0])
        lowess_sorted(x, y, float(frac), delta, smooth)
        return smooth
    from statsmodels.nonparametric.smoothers_lowess import lowess

    return lowess(y, x, frac=frac, it=0, delta=delta, is_sorted=True, return_sorted=False)


def _practically_constant(x: np.ndarray) -> bool:
    """Sorted risks whose range is at most NEAR_CONSTANT (see :mod:`._checks`): one risk."""
    return x.shape[0] > 0 and bool(x[-1] - x[0] <= NEAR_CONSTANT)


def _lowess_smooth(event: np.ndarray, prob: np.ndarray, frac: float, order=None):
    """The lowess calibration curve of ``event`` on ``prob`` at the sorted ``prob``.

    As R's ``lowess(p, y, iter=0)`` (f = frac, delta = 1% of the range of p), tied
    ``p`` averaged as ``approx(..., ties=mean)`` does. Returns the sorted ``p`` and
    the smooth at each of them (equal within ties). The smooth is riskml's compiled
    kernel (:func:`riskml.evaluation._kernels.lowess_sorted`, equal to statsmodels'
    lowess to rounding, and to R's where many risks are tied, tested) or, without
    numba, :func:`_fallback_lowess`. Risks that are practically constant (a range of
    at most 1e-8) are one risk: the smooth is the observed proportion.
    ``order``, when given, is ``numpy.argsort(prob, kind="stable")`` found another way.
    """
    from ._kernels import compiled

    if order is None:
        order = np.argsort(prob, kind="stable")
    x = np.ascontiguousarray(prob[order], dtype=float)
    y = np.ascontiguousarray(event[order], dtype=float)
    if _practically_constant(x):
        return x, np.full(x.shape[0], y.mean())
    delta = _delta(x)
    lowess_sorted = compiled("lowess_sorted")
    if lowess_sorted is None:
        smooth = _fallback_lowess(x, y, frac, delta)
    else:
        smooth = np.empty(x.shape[0])
        lowess_sorted(x, y, float(frac), delta, smooth)
    starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
    if starts.shape[0] < x.shape[0]:  # ties: their mean, as approx(ties = mean)
        sizes = np.diff(np.r_[starts, x.shape[0]])
        smooth = np.repeat(np.add.reduceat(smooth, starts) / sizes, sizes)
    return x, smooth


def _lowess_at(event: np.ndarray, prob: np.ndarray, frac: float, points: np.ndarray):
    """The lowess calibration curve of ``event`` on ``prob`` evaluated at ``points``.

    As R's ``lowess(p, y, iter=0)`` (f = frac, delta = 1% of the range of p) followed by
    ``approx(..., ties=mean)``; NaN at points outside the range of ``prob``. For
    practically constant risks the curve is one point, the observed proportion.
    """
    x, smooth = _lowess_smooth(event, prob, frac)
    if _practically_constant(x):
        values = np.full(points.shape, smooth.mean())
        values[(points < x[0] - NEAR_CONSTANT) | (points > x[-1] + NEAR_CONSTANT)] = np.nan
        return values
    values = np.interp(points, x, smooth)
    values[(points < x[0]) | (points > x[-1])] = np.nan
    return values


@dataclass(frozen=True)
class CalibrationErrors:
    """Absolute differences between predicted and smoothed observed risk.

    Attributes
    ----------
    ici : float
        Integrated calibration index: the mean absolute difference (``Eavg`` of
        R's ``rms::val.prob``).
    e50, e90 : float
        Median and 90th percentile of the absolute differences.
    emax : float
        Their maximum.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import ici
    >>> event = np.array([0, 0, 1, 1, 0, 1, 0, 1, 0, 0])
    >>> risk = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6, 0.15, 0.5])
    >>> errors = ici(event, risk)
    >>> round(errors.ici, 3), round(errors.e50, 3), round(errors.e90, 3)
    (0.141, 0.139, 0.231)
    """

    ici: float
    e50: float
    e90: float
    emax: float

    def as_dict(self) -> dict:
        """The fields as a plain dict."""
        return asdict(self)


def ici(y_true, y_prob, *, frac: float = _DEFAULT_FRAC) -> CalibrationErrors:
    """Integrated calibration index, E50, E90 and Emax from a lowess calibration curve.

    The observed risk at each patient's predicted risk ``p_i`` is read off a lowess
    smooth of ``y`` on ``p``; the errors are ``|p_i - smooth(p_i)|``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].
    frac : float, default=2/3
        Fraction of the patients in each local fit (R's ``f``).

    Returns
    -------
    CalibrationErrors
        ``ici`` (mean), ``e50`` (median), ``e90`` (90th percentile, linear
        interpolation as R's ``quantile`` type 7) and ``emax`` (maximum).

    Notes
    -----
    The smoother is that of R's ``rms::val.prob``: ``lowess(p, y, iter=0)`` (local
    linear, tricube weights, no robustness iterations, ``delta`` = 1% of the range
    of p) evaluated at each ``p`` with ``approx(..., ties=mean)``; ``ici`` equals
    val.prob's ``Eavg`` and ``e90``/``emax`` its ``E90``/``Emax`` (as computed in current rms). The
    smooth is the algorithm of ``statsmodels.nonparametric.lowess`` (whose own tests
    check it against R's ``lowess``), run by a compiled kernel equal to it to rounding
    (about 3x faster: it matters in the bootstrap of the ICI). Austin & Steyerberg
    (2019) smooth with R's ``loess()`` instead (local quadratic, span 0.75), so their ICI differs slightly from this one.
    Robustness iterations are off because they down-weight exactly the surprising
    outcomes that miscalibration consists of.

    Tied risks follow R's ``lowess``: where the window of a local fit holds only
    patients tied at one risk (a risk shared by at least ``frac`` of the patients)
    every one of them weighs 1, so the smooth there is their observed proportion
    (statsmodels' lowess returns one tied patient's outcome instead). In particular,
    for **constant risks** ``p`` (to 1e-8) the smooth is the observed proportion
    ``ybar`` and every error is ``|ybar - p|``; with two or three distinct risks it is
    each group's observed proportion. The smooth of very few patients follows their
    own outcomes (with two patients each one's outcome), so the ICI of a handful of
    patients is mostly noise.

    References
    ----------
    .. [1] Austin PC, Steyerberg EW. The Integrated Calibration Index (ICI) and
       related metrics for quantifying the calibration of logistic regression models.
       Stat Med 2019;38:4051-4065.
    .. [2] Harrell FE. rms: Regression Modeling Strategies. R package, ``val.prob``.
    .. [3] Cleveland WS. Robust locally weighted regression and smoothing
       scatterplots. J Am Stat Assoc 1979;74:829-836.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import ici
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.6, 500)
    >>> y = rng.random(500) < p
    >>> ici(y, p).ici < 0.05
    True
    """
    function = "ici"
    frac = check_fraction(frac, "frac", function, closed_right=True)
    event, prob = _check_binary_inputs(y_true, y_prob, function)
    order = np.argsort(prob, kind="stable")
    errors, mean = _sorted_calibration_errors(prob[order], event[order], frac)
    # the errors in order of p: the statistics ignore order
    return CalibrationErrors(
        ici=mean,
        e50=float(np.median(errors)),
        e90=float(np.quantile(errors, 0.9)),
        emax=float(errors.max()),
    )


def _sorted_calibration_errors(x: np.ndarray, y: np.ndarray, frac: float):
    """``|p - smooth(p)|`` at each sorted ``p`` (``x``; ``y`` the events in that order)
    and their mean, the ICI: compiled kernels, or :func:`_lowess_smooth`'s path."""
    from ._kernels import compiled

    lowess_sorted, errors_of = compiled("lowess_sorted"), compiled("calibration_errors")
    x = np.ascontiguousarray(x, dtype=float)
    if _practically_constant(x):  # one risk: the smooth is the observed proportion
        errors = np.abs(x - np.mean(y))
        return errors, float(errors.mean())
    if lowess_sorted is None or errors_of is None:
        sorted_prob, smooth = _lowess_smooth(y, x, frac, order=np.arange(x.shape[0]))
        errors = np.abs(sorted_prob - smooth)
        return errors, float(errors.mean())
    smooth, errors = np.empty(x.shape[0]), np.empty(x.shape[0])
    lowess_sorted(x, np.ascontiguousarray(y, dtype=float), float(frac), _delta(x), smooth)
    return errors, float(errors_of(x, smooth, errors))


def _delta(x: np.ndarray) -> float:
    """R's ``lowess`` default: skip fits within 1% of the range of sorted ``x``."""
    return 0.01 * float(x[-1] - x[0])


def _ici_batch(event: np.ndarray, prob: np.ndarray, rank: np.ndarray, frac=_DEFAULT_FRAC):
    """``ici(event, prob).ici`` of every row of 2-D bootstrap resamples (checked data).

    ``rank`` is the dense rank of each ``prob`` among the values of the data resampled
    (the same rows resampled along), so each row is ordered by a counting sort in
    O(n) instead of a comparison sort: the same stable permutation, so the values are
    those of :func:`ici` on each row, bit for bit (tested); NaN for a row of one
    class, where :func:`ici` raises. With numba every step of a row runs in compiled
    kernels that release the GIL, so the bootstrap's threads run side by side.
    """
    from ._kernels import compiled

    event, prob, rank = np.atleast_2d(event, prob, rank)
    kernels = [
        compiled(name)
        for name in ("stable_order_by_rank", "take_sorted", "lowess_sorted", "calibration_errors")
    ]
    values = np.empty(prob.shape[0])
    n = prob.shape[1]
    if any(kernel is None for kernel in kernels):
        for row in range(prob.shape[0]):
            if event[row].min() == event[row].max():  # one class: ici() refuses it
                values[row] = np.nan
                continue
            order = np.argsort(rank[row], kind="stable")
            values[row] = _sorted_calibration_errors(prob[row][order], event[row][order], frac)[1]
        return values
    stable_order, take_sorted, lowess_sorted, errors_of = kernels
    n_ranks = int(rank.max()) + 1
    order = np.empty(n, dtype=np.intp)
    x, y, smooth, errors = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    frac = float(frac)
    for row in range(prob.shape[0]):
        stable_order(rank[row], n_ranks, order)
        events = take_sorted(order, prob[row], event[row], x, y)
        if events == 0 or events == n:  # one class: ici() refuses it
            values[row] = np.nan
            continue
        if _practically_constant(x):  # one risk: the smooth is the observed proportion
            values[row] = float(np.mean(np.abs(x - events / n)))
            continue
        lowess_sorted(x, y, frac, _delta(x), smooth)
        values[row] = errors_of(x, smooth, errors)
    return values


def calibration_curve(
    y_true,
    y_prob,
    *,
    method: str = "loess",
    n_groups: int = 10,
    strategy: str = "quantile",
    frac: float = _DEFAULT_FRAC,
    confidence: float = 0.95,
    n_boot: int = 200,
    n_points: int = 100,
    random_state=None,
    n_bins=None,
) -> pd.DataFrame:
    """Observed against predicted risk, with a confidence band.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].
    method : {"loess", "bins"}, default="loess"
        ``"loess"``: a lowess smooth of y on p (as :func:`ici`), evaluated on
        ``n_points`` equally spaced predicted risks from the smallest to the largest,
        with a pointwise percentile-bootstrap band. ``"bins"``: groups of predicted
        risk (see ``strategy``), with Clopper-Pearson intervals.
    n_groups : int, default=10
        Number of groups of patients asked for with ``method="bins"``; fewer may
        result (see Notes), and ``curve.attrs["n_groups"]`` holds the number
        formed. The same groups as :func:`hosmer_lemeshow` and
        :func:`survival_calibration` with the same ``n_groups``.
    strategy : {"quantile", "uniform"}, default="quantile"
        How ``method="bins"`` forms its groups, as ``sklearn.calibration.
        calibration_curve``: ``"quantile"``, groups of (nearly) equal size at
        quantiles of the predicted risk (see Notes for ties); ``"uniform"``,
        equal-width bins on [0, 1], a risk on an inner edge going to the lower bin.
        Either way a group or bin that holds nobody is left out: every row has
        ``n >= 1``.
    frac : float, default=2/3
        Lowess span for ``method="loess"``.
    confidence : float, default=0.95
        Nominal coverage of the band, in (0, 1).
    n_boot : int, default=200
        Bootstrap replicates for the loess band; 0 gives no band (NaN bounds). Each
        replicate refits the smooth: about 70 ms at n = 56,000.
    n_points : int, default=100
        Grid size for ``method="loess"``.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the bootstrap; the same seed gives the same band.
    n_bins : int, default=None
        Deprecated old name of ``n_groups``: accepted with a ``FutureWarning``
        until riskml 0.2.

    Returns
    -------
    pandas.DataFrame
        One row per point with columns ``predicted``, ``observed``, ``low``,
        ``high``; ``method="bins"`` adds ``n`` and ``events`` per group (one row per
        group formed, in increasing order of risk) and records the numbers of
        groups in ``attrs``: ``"n_groups_requested"`` (``n_groups``) and
        ``"n_groups"`` (the rows, possibly fewer).

    Notes
    -----
    For constant risks the loess curve is a single point, the observed proportion
    (see :func:`ici` for ties), with no band, and a warning says so.

    The loess band resamples patients (not stratified) and refits the smooth in
    each replicate; a grid point outside the range of a replicate's predicted risks
    has no value in that replicate, and the percentiles use the replicates that
    cover it.

    Groups of predicted risk (``method="bins"``, ``strategy="quantile"``) are those
    of ``sklearn.calibration.calibration_curve(strategy="quantile")``, i.e. R's
    ``cut(p, unique(quantile(p, (0:g) / g)), include.lowest = TRUE)`` with its
    empty levels dropped: the breaks are the ``g + 1`` quantiles of the predicted
    risks (type 7: linear interpolation between order statistics, as
    ``numpy.quantile``) with duplicates removed; a group holds the risks above one
    break up to and including the next (the first also holds the smallest risk),
    so tied risks always share a group; a group that holds nobody is dropped. With
    tied risks (e.g. rounded to 0.05) a break repeats when one value holds more
    than 1/g of the patients, and an interpolated break can fall between two
    neighbouring values and leave its group empty: **fewer groups than asked may
    result**, of unequal sizes.

    R's ``rms::val.prob(g=)`` groups with ``Hmisc::cut2(p, g=)`` instead, whose
    breaks are observed risks and whose groups are closed on the left, so with
    ties its groups can differ from these by where a tied value goes.

    References
    ----------
    .. [1] Van Calster B, Nieboer D, Vergouwe Y, et al. A calibration hierarchy for
       risk models was defined: from utopia to empirical data. J Clin Epidemiol
       2016;74:167-176.
    .. [2] Austin PC, Steyerberg EW. Graphical assessment of internal and external
       calibration of logistic regression models by using loess smoothers. Stat Med
       2014;33:517-535.
    .. [3] Clopper CJ, Pearson ES. The use of confidence or fiducial limits
       illustrated in the case of the binomial. Biometrika 1934;26:404-413.

    Examples
    --------
    >>> from riskml.evaluation import calibration_curve
    >>> curve = calibration_curve([0, 0, 1, 1, 0, 1], [0.1, 0.2, 0.6, 0.8, 0.3, 0.5],
    ...                           method="bins", n_groups=2)
    >>> curve[["predicted", "observed", "n"]].round(3).values.tolist()
    [[0.2, 0.0, 3.0], [0.633, 1.0, 3.0]]
    """
    function = "calibration_curve"
    method = check_option(method, "method", ("loess", "bins"), function)
    n_groups = renamed_keyword(n_groups, n_bins, "n_groups", "n_bins", function, 10)
    n_groups = check_int(n_groups, "n_groups", function, low=1)
    frac = check_fraction(frac, "frac", function, closed_right=True)
    confidence = check_confidence_level(confidence, function)
    n_boot = check_int(n_boot, "n_boot", function, low=0)
    n_points = check_int(n_points, "n_points", function, low=2)
    rng = check_random_state(random_state, function)
    event, prob = _check_binary_inputs(y_true, y_prob, function, both_classes=False)

    strategy = check_option(strategy, "strategy", ("quantile", "uniform"), function)
    if method == "bins":
        if strategy == "quantile":
            group, used = _quantile_groups(prob, n_groups)
        else:
            edges = np.linspace(0.0, 1.0, n_groups + 1)
            _, group = np.unique(np.searchsorted(edges[1:-1], prob), return_inverse=True)
            used = int(group.max()) + 1
        n = np.bincount(group, minlength=used).astype(float)
        events = np.bincount(group, weights=event.astype(float), minlength=used)
        predicted = np.bincount(group, weights=prob, minlength=used) / n
        low, high = _binomial_interval(events, n, confidence)
        table = pd.DataFrame(
            {
                "predicted": predicted,
                "observed": events / n,
                "low": low,
                "high": high,
                "n": n,
                "events": events,
            }
        )
        return _group_attrs(table, n_groups, used)

    grid = np.linspace(prob.min(), prob.max(), n_points)
    observed = _lowess_at(event, prob, frac, grid)
    low = np.full(n_points, np.nan)
    high = np.full(n_points, np.nan)
    constant = spread_of(prob)[1]
    if constant:
        warnings.warn(
            f"{function}: every predicted risk is the same ({describe_number(prob[0])}), so "
            "the calibration curve is a single point: the observed proportion "
            f"({describe_number(event.mean())}), with no band. Check the model that produced "
            "the risks (one risk for every patient means it learned nothing from the "
            "predictors).",
            UserWarning,
            stacklevel=2,
        )
    if n_boot > 0 and not constant:
        n = prob.shape[0]
        replicates = np.empty((n_boot, n_points))
        for row in range(n_boot):
            rows = rng.integers(0, n, size=n)
            replicates[row] = _lowess_at(event[rows], prob[rows], frac, grid)
        alpha = 1.0 - confidence
        covered = np.isfinite(replicates).any(axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            bounds = np.nanquantile(replicates[:, covered], [alpha / 2, 1 - alpha / 2], axis=0)
        # the smooth of a 0/1 outcome can leave [0, 1]; a band for a risk cannot
        low[covered], high[covered] = np.clip(bounds, 0.0, 1.0)
    return pd.DataFrame({"predicted": grid, "observed": observed, "low": low, "high": high})
