"""Calibration: do predicted risks match observed risks?

Binary outcomes: calibration-in-the-large, the calibration slope, the O:E ratio,
the smoothed calibration curve and the errors read off it (ICI, E50, E90, Emax),
the Hosmer-Lemeshow test, and logistic recalibration. Time-to-event outcomes at a
horizon: observed risk from Kaplan-Meier within groups of predicted risk.

The input checks (``_check_*``) live here and are shared by
:mod:`riskml.evaluation._utility` and :mod:`riskml.evaluation._plots`.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from ..utils.deprecation import renamed_keyword
from ..utils.validation import (
    check_event_array,
    check_fraction,
    check_int,
    check_one_dimensional,
    check_option,
    check_random_state,
    check_same_length,
)
from ._checks import (
    NEAR_CONSTANT,
    check_array_argument,
    check_confidence_level,
    check_time_array,
    describe_number,
    spread_of,
    warn_degenerate,
)
from ._ipcw import _km_at

__all__ = [
    "CalibrationErrors",
    "HosmerLemeshowResult",
    "LogisticRecalibration",
    "calibration_curve",
    "calibration_in_the_large",
    "calibration_slope",
    "hosmer_lemeshow",
    "ici",
    "observed_expected_ratio",
    "recalibrate_intercept",
    "recalibrate_logistic",
    "survival_calibration",
    "survival_calibration_slope",
    "survival_ici",
    "survival_observed_expected_ratio",
]

_LINEAR_PREDICTOR_HINT = (
    "A survival model's predict_risk(X) without a horizon returns a linear predictor "
    "(log relative hazard), not a probability: call predict_risk(X, horizon=days) to get "
    "the risk of the event by the horizon."
)


# -- input checks (shared by _utility and _plots) -----------------------------------
_CENSORED_LABEL_ADVICE = (
    "a label from Outcome.at_horizon(days) is NaN for patients censored before the horizon: "
    "drop them, or use the time-to-event version of the metric, which weights for censoring."
)


def _first_positions(mask: np.ndarray) -> list[int]:
    return np.flatnonzero(mask)[:5].tolist()


def _check_binary_outcome(y_true, function: str, argument: str = "y_true") -> np.ndarray:
    """A 1-D bool array from 0/1 or True/False values, refusing NaN and other values."""
    return check_event_array(y_true, argument, function, missing_advice=_CENSORED_LABEL_ADVICE)


def _check_probabilities(values, function: str, argument: str = "y_prob") -> np.ndarray:
    """A 1-D float array of probabilities in [0, 1] without NaN.

    True/False values are refused (predicted classes, not probabilities); risks that
    are all exactly 0 or 1 are accepted with a warning that they look like classes.
    """
    array = check_array_argument(values, argument, function, what="predicted risk")
    array = check_one_dimensional(array, argument, function)
    _check_not_empty(array, argument, function)
    if array.dtype == bool:
        raise TypeError(
            f"{argument} of {function} holds True/False values: predicted classes, not "
            "probabilities. Pass the predicted probability of the event, e.g. "
            "model.predict_proba(X)[:, 1] or model.predict_risk(X)."
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{argument} of {function} must be numeric; got dtype {array.dtype}. Pass "
            "predicted probabilities (risks between 0 and 1)."
        )
    array = array.astype(float)
    missing = np.isnan(array)
    if missing.any():
        raise ValueError(
            f"{argument} of {function} has {int(missing.sum())} NaN value(s) (first positions "
            f"{_first_positions(missing)}); every patient needs a predicted risk. Drop those "
            "patients or fix the model that produced them."
        )
    outside = (array < 0.0) | (array > 1.0)
    if outside.any():
        percent = bool(np.all((array >= 0) & (array <= 100)) and np.any(array > 1))
        hint = (
            " They lie in [0, 100]: if they are percentages, divide them by 100." if percent else ""
        )
        raise ValueError(
            f"{argument} of {function} must hold probabilities in [0, 1]; "
            f"{int(outside.sum())} value(s) are outside (first positions "
            f"{_first_positions(outside)}).{hint} {_LINEAR_PREDICTOR_HINT}"
        )
    if array.shape[0] > 1 and np.all((array == 0.0) | (array == 1.0)):
        warn_degenerate(_classes_message(argument, function))
    return array


def _classes_message(argument: str, function: str) -> str:
    return (
        f"{function}: every value of {argument} is exactly 0 or 1; these look like "
        "predicted classes (model.predict), not probabilities. The result treats them as "
        "risks of 0% and 100%; pass model.predict_proba(X)[:, 1] or "
        "model.predict_risk(X) to assess the model's risks."
    )


def _check_not_empty(array: np.ndarray, argument: str, function: str) -> None:
    if array.shape[0] == 0:
        raise ValueError(
            f"{argument} of {function} is empty (0 patients): there is nothing to evaluate. "
            "Check the filter or split that produced it (e.g. a subgroup with no patients)."
        )


def _check_both_classes(event: np.ndarray, function: str) -> None:
    n_events = int(event.sum())
    n_non_events = int(event.shape[0] - n_events)
    if n_events == 0 or n_non_events == 0:
        raise ValueError(
            f"{function} needs both events and non-events; got {n_events} event(s) and "
            f"{n_non_events} non-event(s). It compares predicted with observed risk among "
            "patients with and without the event, so both must occur: evaluate on a sample "
            "that has both (more patients, or a longer horizon)."
        )


def _check_binary_inputs(y_true, y_prob, function: str, *, both_classes: bool = True):
    """The checked (event, probability) pair of a binary-outcome metric."""
    event = _check_binary_outcome(y_true, function)
    prob = _check_probabilities(y_prob, function)
    check_same_length(function, y_true=event, y_prob=prob)
    if both_classes:
        _check_both_classes(event, function)
    return event, prob


def _check_survival_inputs(time, event, risk_at_horizon, horizon, function: str):
    """Checked (time, event, risk, horizon) of a time-to-event metric at a horizon."""
    time = check_time_array(time, function)
    event = check_event_array(
        check_array_argument(event, "event", function, what="event flag (0/1)"),
        "event",
        function,
    )
    risk = _check_probabilities(risk_at_horizon, function, argument="risk_at_horizon")
    check_same_length(function, time=time, event=event, risk_at_horizon=risk)
    horizon = _check_horizon(horizon, time, function)
    return time, event, risk, horizon


def _check_horizon(horizon, time: np.ndarray, function: str) -> float:
    message = (
        f"The 'horizon' parameter of {function} must be a positive number (days, e.g. "
        f"horizon=365). Got {horizon!r} instead."
    )
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Real):
        raise TypeError(message)
    if not np.isfinite(horizon) or horizon <= 0:
        raise ValueError(message)
    if time.max() < horizon:
        longest = (
            f"the longest follow-up is {describe_number(time.max())} days"
            if time.shape[0] >= 20
            else f"none of the {time.shape[0]} patients is followed that long"
        )
        raise ValueError(
            f"{function}: no patient is followed up to the horizon "
            f"({describe_number(horizon)} days); {longest}, so the risk by the horizon cannot "
            "be estimated. Choose a horizon within the follow-up."
        )
    return float(horizon)


# -- logistic calibration fits --------------------------------------------------------
def _logit(prob: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(prob) - np.log1p(-prob)


def _finite_logit(event: np.ndarray, prob: np.ndarray, function: str):
    """Logit of the risks, leaving out (with a warning) risks of exactly 0 or 1."""
    lp = _logit(prob)
    finite = np.isfinite(lp)
    if not finite.any():
        raise ValueError(
            f"{function}: every predicted risk is exactly 0 or 1, so the logistic calibration "
            "fit has no patient left (their logit is infinite). These look like predicted "
            "classes: pass predicted probabilities (model.predict_proba(X)[:, 1] or "
            "model.predict_risk(X))."
        )
    if not finite.all():
        warnings.warn(
            f"{function}: {int((~finite).sum())} patient(s) with a predicted risk of exactly "
            "0 or 1 were left out of the logistic calibration fit (their logit is infinite), "
            "as R rms::val.prob does.",
            UserWarning,
            stacklevel=3,
        )
        event, lp = event[finite], lp[finite]
        try:
            _check_both_classes(event, function)
        except ValueError as error:
            raise ValueError(
                f"{error} (among the {int(finite.sum())} patient(s) whose predicted risk is "
                "strictly between 0 and 1; the others were left out)"
            ) from None
    return event, lp


def _fit_offset_intercept(event: np.ndarray, lp: np.ndarray) -> tuple[float, float]:
    """ML intercept of ``logit P(y=1) = a + lp`` (lp an offset); returns (a, se)."""
    y = event.astype(float)
    a = 0.0
    for _ in range(200):
        mu = expit(a + lp)
        information = float(np.sum(mu * (1 - mu)))
        # the score is monotone in a; capping the Newton step keeps it from overshooting
        step = float(np.clip(np.sum(y - mu) / information, -5.0, 5.0))
        a += step
        if abs(step) < 1e-13 * max(1.0, abs(a)):
            break
    mu = expit(a + lp)
    return a, float(1.0 / np.sqrt(np.sum(mu * (1 - mu))))


# Predicted risks whose logits (or complementary log-logs) span less than this, an odds
# (hazard) ratio under 1.01 between the most and the least at risk, barely vary: their
# calibration slope is estimated from differences too small to matter.
BARELY_VARYING = 0.01


def _barely_varying(lp: np.ndarray, scale: str) -> str:
    spread = float(lp.max() - lp.min())
    ratio = "odds" if scale == "logit" else "hazard"
    return (
        f"the predicted risks barely vary (their {scale}s span {spread:.2g}, an {ratio} ratio "
        f"of {np.exp(spread):.4f} between the most and the least at risk)"
    )


def _check_slope_spread(lp: np.ndarray, function: str, scale: str = "logit") -> None:
    """Refuse a calibration slope of (practically) constant risks: it is undefined; warn
    when the risks barely vary (:data:`BARELY_VARYING`): it is then imprecise."""
    spread, constant = spread_of(lp)
    if not constant:
        if lp.shape[0] > 1 and spread < BARELY_VARYING:
            warn_degenerate(
                f"{function}: {_barely_varying(lp, scale)}, so the calibration slope rests on "
                "differences too small to matter and is very imprecise: read its interval, "
                "and rely on calibration-in-the-large or the O:E ratio for these risks. "
                "Check the model that produced them (e.g. too strong a penalty).",
            )
        return
    same = (
        "every patient has the same predicted risk"
        if spread == 0
        else f"the predicted risks are practically constant (their {scale}s differ by at most "
        f"{spread:.1g})"
    )
    raise ValueError(
        f"{function}: the calibration slope is undefined when {same}: the slope measures "
        "how observed risk changes with predicted risk, and these predictions do not change. "
        "Check the model that produced them (one risk for every patient means it learned "
        "nothing from the predictors); calibration-in-the-large and the O:E ratio are still "
        "defined."
    )


def _log_likelihood(y: np.ndarray, eta: np.ndarray) -> float:
    # y*eta - log(1 + exp(eta)), stable for large |eta|
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)))


def _fit_intercept_slope(event: np.ndarray, lp: np.ndarray, function: str):
    """ML fit of ``logit P(y=1) = a + b * lp``; returns (a, b, covariance).

    Newton-Raphson with step halving, started at perfect calibration (a = 0, b = 1),
    on the sufficient sums of the 2 x 2 problem (no design matrix).
    """
    y = event.astype(float)
    _check_slope_spread(lp, function)
    lp2 = lp * lp

    def information(a: float, b: float):
        mu = expit(a + b * lp)
        weights = mu * (1 - mu)
        # elementwise sums, not BLAS dot products: on a loaded machine the BLAS threads
        # spin (15 ms for a 56,000-long dot product against 0.2 ms)
        return mu, weights.sum(), (weights * lp).sum(), (weights * lp2).sum()

    a, b = 0.0, 1.0
    current = _log_likelihood(y, a + b * lp)
    converged = False
    for _ in range(200):
        mu, s0, s1, s2 = information(a, b)
        residual = y - mu
        g0, g1 = residual.sum(), (residual * lp).sum()
        determinant = s0 * s2 - s1 * s1
        if not determinant > 0:
            break
        step_a = (s2 * g0 - s1 * g1) / determinant
        step_b = (s0 * g1 - s1 * g0) / determinant
        # step halving keeps every iteration an ascent step
        scale = 1.0
        while True:
            new_a, new_b = a + scale * step_a, b + scale * step_b
            value = _log_likelihood(y, new_a + new_b * lp)
            if value >= current - 1e-12 * abs(current) or scale < 1e-10:
                break
            scale /= 2
        a, b, current = new_a, new_b, value
        if max(abs(scale * step_a), abs(scale * step_b)) < 1e-12 * max(1.0, abs(a), abs(b)):
            converged = True
            break
    if not converged or max(abs(a), abs(b)) > 1e6:
        if np.ptp(lp) < BARELY_VARYING:
            raise ValueError(
                f"{function}: the logistic calibration fit did not converge: "
                f"{_barely_varying(lp, 'logit')}, so the calibration slope is not estimable. "
                "Check the model that produced them; calibration-in-the-large and the O:E "
                "ratio are still defined."
            )
        raise ValueError(
            f"{function}: the logistic calibration fit did not converge; the predicted "
            "risks separate events from non-events perfectly (or nearly so), so the slope "
            "is infinite."
        )
    _, s0, s1, s2 = information(a, b)
    hessian = np.array([[s0, s1], [s1, s2]])
    return float(a), float(b), np.linalg.inv(hessian)


# -- calibration-in-the-large, slope, O:E --------------------------------------------
def calibration_in_the_large(y_true, y_prob) -> float:
    """Calibration-in-the-large: the intercept with the slope fixed at 1.

    The maximum-likelihood ``a`` in ``logit P(y = 1) = a + logit(p)``, with
    ``logit(p)`` an offset. 0 is ideal; ``a > 0`` means the model under-estimates
    risk on average, ``a < 0`` that it over-estimates.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    float

    Notes
    -----
    Also called the *calibration intercept* (predRupdate, Van Calster 2016). R's
    ``rms::val.prob`` reports a different "Intercept": that of the logistic
    recalibration ``a + b * logit(p)`` with the slope estimated (see
    :func:`recalibrate_logistic`). Patients with a predicted risk of exactly 0 or 1
    have an infinite logit; as in ``val.prob`` they are left out with a warning.

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 15.
    .. [2] Van Calster B, Nieboer D, Vergouwe Y, et al. A calibration hierarchy for
       risk models was defined: from utopia to empirical data. J Clin Epidemiol
       2016;74:167-176.

    Examples
    --------
    >>> from riskml.evaluation import calibration_in_the_large
    >>> round(calibration_in_the_large([0, 1, 0, 1], [0.2, 0.3, 0.1, 0.4]), 4)
    1.201
    """
    function = "calibration_in_the_large"
    event, prob = _check_binary_inputs(y_true, y_prob, function)
    event, lp = _finite_logit(event, prob, function)
    return _fit_offset_intercept(event, lp)[0]


def calibration_slope(y_true, y_prob) -> float:
    """Calibration slope: the coefficient of ``logit(p)`` in a logistic regression of y.

    The maximum-likelihood ``b`` in ``logit P(y = 1) = a + b * logit(p)``. 1 is ideal;
    ``b < 1`` means predictions are too extreme (typical of overfitting), ``b > 1``
    that they are too modest.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When every predicted risk is the same (or within 1e-8 on the logit scale): the
        slope is undefined (R's ``glm`` returns NA for it), not a number to report.

    Notes
    -----
    Equal to the "Slope" of R's ``rms::val.prob``. Patients with a predicted risk of
    exactly 0 or 1 are left out with a warning, as in ``val.prob``.

    References
    ----------
    .. [1] Cox DR. Two further applications of a model for binary regression.
       Biometrika 1958;45:562-565.
    .. [2] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019.
    .. [3] Van Calster B, McLernon DJ, van Smeden M, et al. Calibration: the Achilles
       heel of predictive analytics. BMC Med 2019;17:230.

    Examples
    --------
    >>> from riskml.evaluation import calibration_slope
    >>> round(calibration_slope([0, 1, 0, 1, 1, 0], [0.2, 0.3, 0.1, 0.4, 0.8, 0.5]), 4)
    1.3828
    """
    function = "calibration_slope"
    event, prob = _check_binary_inputs(y_true, y_prob, function)
    event, lp = _finite_logit(event, prob, function)
    return _fit_intercept_slope(event, lp, function)[1]


def observed_expected_ratio(y_true, y_prob) -> float:
    """Observed-to-expected ratio: events observed over events predicted.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    float
        ``sum(y_true) / sum(y_prob)``; 1 is ideal, above 1 means under-prediction.

    References
    ----------
    .. [1] Riley RD, Archer L, Snell KIE, et al. Evaluation of clinical prediction
       models (part 2). BMJ 2024;384:e074820.
    .. [2] Debray TPA, Damen JAAG, Snell KIE, et al. A guide to systematic review and
       meta-analysis of prediction model performance. BMJ 2017;356:i6460.

    Examples
    --------
    >>> from riskml.evaluation import observed_expected_ratio
    >>> observed_expected_ratio([0, 1, 0, 1], [0.2, 0.3, 0.1, 0.4])
    2.0
    """
    function = "observed_expected_ratio"
    event, prob = _check_binary_inputs(y_true, y_prob, function, both_classes=False)
    expected = prob.sum()
    if expected == 0:
        raise ValueError(
            f"{function} is undefined when every predicted risk is 0 (no expected events)."
        )
    return float(event.sum() / expected)


# -- smoothed calibration curve and the errors read off it ---------------------------
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


def _quantile_groups(prob: np.ndarray, n_groups: int) -> tuple[np.ndarray, int]:
    """Group index (0, 1, ...) of each patient by quantiles of predicted risk, and the
    number of groups (the rule stated in :func:`calibration_curve`'s Notes).

    Every group index in ``0 .. used - 1`` holds at least one patient: a break at an
    interpolated quantile that falls between two neighbouring tied values leaves its
    interval empty, and such intervals are dropped (the groups renumbered in order),
    as scikit-learn drops empty bins.
    """
    breaks = np.unique(np.quantile(prob, np.linspace(0.0, 1.0, n_groups + 1)))
    if breaks.shape[0] < 2:
        return np.zeros(prob.shape[0], dtype=np.intp), 1
    # the interval (b_j, b_j+1] is group j; the smallest risk (= b_0) joins group 0
    interval = np.searchsorted(breaks, prob, side="left") - 1
    interval[interval < 0] = 0
    occupied, group = np.unique(interval, return_inverse=True)
    return group.reshape(-1).astype(np.intp), int(occupied.shape[0])


def _group_attrs(table: pd.DataFrame, requested: int, used: int) -> pd.DataFrame:
    """Record the numbers of groups asked for and formed in ``table.attrs``."""
    table.attrs["n_groups_requested"] = int(requested)
    table.attrs["n_groups"] = int(used)
    return table


def _binomial_interval(events: np.ndarray, n: np.ndarray, confidence: float):
    """Clopper-Pearson ("exact") interval of a binomial proportion."""
    alpha = 1.0 - confidence
    with np.errstate(invalid="ignore"):
        low = np.where(events > 0, stats.beta.ppf(alpha / 2, events, n - events + 1), 0.0)
        high = np.where(events < n, stats.beta.ppf(1 - alpha / 2, events + 1, n - events), 1.0)
    return low, high


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


# -- Hosmer-Lemeshow -------------------------------------------------------------------
@dataclass(frozen=True)
class HosmerLemeshowResult:
    """The Hosmer-Lemeshow test.

    Attributes
    ----------
    statistic : float
        The chi-square statistic.
    df : int
        Degrees of freedom: ``n_groups - 2``, from the groups actually formed.
    p_value : float
        Upper tail of the chi-square distribution with ``df`` degrees of freedom.
    table : pandas.DataFrame
        Per group formed (every one with ``n >= 1``): ``n``, ``observed`` and
        ``expected`` events, ``mean_predicted``.
    n_groups : int or None
        The number of groups formed (the rows of ``table``); fewer than
        ``n_groups_requested`` where risks are tied.
    n_groups_requested : int or None
        The ``n_groups`` asked for.
    """

    statistic: float
    df: int
    p_value: float
    table: pd.DataFrame
    n_groups: int | None = None
    n_groups_requested: int | None = None

    def __repr__(self) -> str:
        groups = ""
        if self.n_groups is not None and self.n_groups != self.n_groups_requested:
            groups = f", groups={self.n_groups} of {self.n_groups_requested} asked"
        return (
            f"HosmerLemeshowResult(statistic={self.statistic:.4f}, df={self.df}, "
            f"p_value={self.p_value:.4g}{groups})"
        )


def hosmer_lemeshow(y_true, y_prob, *, n_groups: int = 10) -> HosmerLemeshowResult:
    """Hosmer-Lemeshow goodness-of-fit test over groups of predicted risk.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].
    n_groups : int, default=10
        Number of quantile groups asked for ("deciles of risk"); fewer may result
        where risks are tied (see Notes). ``result.n_groups`` holds the number
        formed, which sets the degrees of freedom.

    Returns
    -------
    HosmerLemeshowResult

    Notes
    -----
    ``statistic = sum_g (O_g - E_g)^2 / (E_g (1 - E_g / n_g))``, the Pearson
    chi-square of the 2 x g table of observed and expected events and non-events,
    on ``g - 2`` degrees of freedom, g the number of groups formed (for a model
    fitted on these data; for an external validation, Hosmer & Lemeshow suggest g
    degrees of freedom).

    The groups are those of :func:`calibration_curve` (``method="bins"``): R's
    ``cut(p, unique(quantile(p, (0:g) / g)), include.lowest = TRUE)`` with its
    empty levels dropped, as ``sklearn.calibration.calibration_curve(strategy=
    "quantile")``: the breaks are the ``g + 1`` type-7 quantiles of the predicted
    risks (linear interpolation, as ``numpy.quantile``) with duplicates removed; a
    group holds the risks above one break up to and including the next (the first
    also holds the smallest risk), so tied risks always share a group; a group that
    holds nobody is dropped. With tied risks (e.g. rounded to 0.05) a break repeats
    when one value holds more than 1/g of the patients, and an interpolated break
    can fall between two neighbouring values and leave its group empty: **fewer
    groups than asked may result**, and the degrees of freedom fall with them.
    ``ResourceSelection::hoslem.test`` cuts at the same quantiles but stops where
    two breaks coincide ("'breaks' are not unique") and keeps empty groups;
    ``rms``/``Hmisc::cut2(p, g=)`` breaks at observed risks, closed on the left.

    Caveats: the statistic depends on the grouping (the number of groups and how
    tied risks are split can change the verdict); the test has little power in small
    samples and rejects nearly every model in large ones (registry-size cohorts),
    since it tests exact calibration rather than its size; a non-significant result
    is not evidence of good calibration. Prefer the calibration curve, slope and
    ICI, which measure the size of the miscalibration.

    References
    ----------
    .. [1] Hosmer DW, Lemeshow S, Sturdivant RX. Applied Logistic Regression. 3rd ed.
       Wiley; 2013. Section 5.2.2.
    .. [2] Hosmer DW, Hosmer T, le Cessie S, Lemeshow S. A comparison of
       goodness-of-fit tests for the logistic regression model. Stat Med
       1997;16:965-980.
    .. [3] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019.

    Examples
    --------
    >>> from riskml.evaluation import hosmer_lemeshow
    >>> result = hosmer_lemeshow([0, 0, 1, 0, 1, 1, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5,
    ...                          0.6, 0.7, 0.8], n_groups=4)
    >>> result.df
    2
    """
    function = "hosmer_lemeshow"
    n_groups = check_int(n_groups, "n_groups", function, low=3)
    event, prob = _check_binary_inputs(y_true, y_prob, function, both_classes=False)
    group, used = _quantile_groups(prob, n_groups)
    if used < 3:
        raise ValueError(
            f"{function} needs at least 3 groups of predicted risk to have degrees of "
            f"freedom (g - 2); the {np.unique(prob).shape[0]} distinct predicted risk(s) "
            f"form {used} group(s) out of the {n_groups} asked for (tied risks share a "
            "group). Assess calibration with calibration_curve or calibration_slope "
            "instead."
        )
    n = np.bincount(group, minlength=used).astype(float)
    observed = np.bincount(group, weights=event.astype(float), minlength=used)
    expected = np.bincount(group, weights=prob, minlength=used)
    denominator = expected * (1.0 - expected / n)
    if np.any(denominator <= 0):
        raise ValueError(
            f"{function} is undefined when a group's predicted risks are all 0 or all 1 "
            "(its expected variance is 0)."
        )
    statistic = float(np.sum((observed - expected) ** 2 / denominator))
    df = used - 2
    table = pd.DataFrame(
        {"n": n, "observed": observed, "expected": expected, "mean_predicted": expected / n}
    )
    return HosmerLemeshowResult(
        statistic=statistic,
        df=df,
        p_value=float(stats.chi2.sf(statistic, df)),
        table=table,
        n_groups=used,
        n_groups_requested=n_groups,
    )


# -- survival at a horizon -------------------------------------------------------------
def _km_risk_interval(survival: float, greenwood: float, confidence: float):
    """Risk bounds from the log(-log) ("exponential Greenwood") interval of S."""
    if not 0 < survival < 1:
        return np.nan, np.nan
    z = stats.norm.ppf(0.5 + confidence / 2)
    log_s = np.log(survival)
    spread = z * np.sqrt(greenwood) / log_s
    # log_s < 0, so -spread > 0 and s_low < survival < s_high
    s_low = np.exp(-np.exp(np.log(-log_s) - spread))
    s_high = np.exp(-np.exp(np.log(-log_s) + spread))
    return 1.0 - s_high, 1.0 - s_low


def survival_calibration(
    time, event, risk_at_horizon, horizon, *, n_groups: int = 10, confidence: float = 0.95
) -> pd.DataFrame:
    """Predicted against Kaplan-Meier observed risk at a horizon, by risk group.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 where the event was observed, 0 where follow-up was censored.
    risk_at_horizon : array-like of shape (n_samples,)
        Predicted probability of the event by ``horizon``, in [0, 1] (e.g.
        ``model.predict_risk(X, horizon=horizon)``).
    horizon : float
        The horizon, in the units of ``time``.
    n_groups : int, default=10
        Number of quantile groups of predicted risk asked for; fewer may result
        where risks are tied (see Notes), and ``table.attrs["n_groups"]`` holds the
        number formed.
    confidence : float, default=0.95
        Coverage of the interval of the observed risk.

    Returns
    -------
    pandas.DataFrame
        One row per group formed (every one with ``n >= 1``), in increasing order of
        risk: ``n``, ``events`` (observed by the horizon), ``predicted`` (mean
        predicted risk), ``observed`` (1 - Kaplan-Meier survival at the horizon
        within the group), ``low`` and ``high``. ``attrs`` holds
        ``"n_groups_requested"`` (``n_groups``) and ``"n_groups"`` (the rows).

    Notes
    -----
    The groups are those of :func:`calibration_curve` (``method="bins"``) on the
    predicted risks: R's ``cut(risk, unique(quantile(risk, (0:g) / g)),
    include.lowest = TRUE)`` with its empty levels dropped, as
    ``sklearn.calibration.calibration_curve(strategy="quantile")``: the breaks are
    the ``g + 1`` type-7 quantiles of the risks (linear interpolation, as
    ``numpy.quantile``) with duplicates removed; a group holds the risks above one
    break up to and including the next (the first also holds the smallest risk), so
    tied risks always share a group; a group that holds nobody is dropped. With tied
    risks (e.g. rounded to 0.05) a break repeats when one value holds more than 1/g
    of the patients, and an interpolated break can fall between two neighbouring
    values and leave its group empty: **fewer groups than asked may result**, of
    unequal sizes.

    Censoring is handled by the Kaplan-Meier estimator within each group, never by
    treating censored patients as event-free. The interval is the log(-log)
    ("exponential Greenwood") interval of the survival, as lifelines'
    ``KaplanMeierFitter``; it is NaN where the observed risk is 0 or 1. A group whose
    follow-up ends with a censoring before the horizon has no observed risk (NaN, with a
    warning); one whose last patients all had the event has observed risk 1.

    References
    ----------
    .. [1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
       J Am Stat Assoc 1958;53:457-481.
    .. [2] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 15.
    .. [3] Royston P, Altman DG. External validation of a Cox prognostic model:
       principles and methods. BMC Med Res Methodol 2013;13:33.

    Examples
    --------
    >>> from riskml.evaluation import survival_calibration
    >>> table = survival_calibration([2, 4, 6, 8, 10, 12], [1, 0, 1, 0, 1, 0],
    ...                              [0.6, 0.1, 0.5, 0.2, 0.4, 0.3], 7, n_groups=2)
    >>> table["observed"].round(3).tolist()
    [0.0, 0.667]
    """
    function = "survival_calibration"
    n_groups = check_int(n_groups, "n_groups", function, low=1)
    confidence = check_confidence_level(confidence, function)
    time, event, risk, horizon = _check_survival_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    group, used = _quantile_groups(risk, n_groups)
    rows = []
    short = []
    for index in range(used):
        members = group == index
        survival, greenwood = _km_at(time[members], event[members], horizon)
        if np.isnan(survival):
            short.append(index)
        low, high = _km_risk_interval(survival, greenwood, confidence)
        rows.append(
            {
                "n": int(members.sum()),
                "events": int((event[members] & (time[members] <= horizon)).sum()),
                "predicted": float(risk[members].mean()),
                "observed": 1.0 - survival,
                "low": low,
                "high": high,
            }
        )
    if short:
        warnings.warn(
            f"{function}: in risk group(s) {short} nobody is followed up to the horizon "
            f"({horizon!r}), so their observed risk is NaN.",
            UserWarning,
            stacklevel=2,
        )
    return _group_attrs(pd.DataFrame(rows), n_groups, used)


# -- recalibration ---------------------------------------------------------------------
class LogisticRecalibration:
    """Logistic recalibration of predicted risks: ``expit(a + b * logit(p))``.

    Parameters
    ----------
    method : {"logistic", "intercept"}, default="logistic"
        ``"intercept"`` re-estimates the intercept only (``b = 1``: calibration in the
        large, "recalibration in the large"); ``"logistic"`` re-estimates intercept
        and slope ("logistic recalibration").

    Attributes
    ----------
    intercept_ : float
    slope_ : float
        1.0 for ``method="intercept"``.
    n_ : int
        Patients used in the fit.

    Notes
    -----
    Fit on the data of the setting the model is moved to, then apply
    :meth:`transform` to new predictions. Risks of exactly 0 or 1 are left out of
    the fit with a warning and stay 0 or 1 after the transformation.

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 20.
    .. [2] Janssen KJM, Moons KGM, Kalkman CJ, et al. Updating methods improved the
       performance of a clinical prediction model in new patients. J Clin Epidemiol
       2008;61:76-86.

    Examples
    --------
    >>> from riskml.evaluation import recalibrate_intercept
    >>> recal = recalibrate_intercept([0, 1, 0, 1], [0.2, 0.3, 0.1, 0.4])
    >>> round(float(recal.transform([0.2, 0.3, 0.1, 0.4]).mean()), 4)
    0.5
    """

    def __init__(self, method: str = "logistic"):
        self.method = method

    def fit(self, y_prob, y_true) -> LogisticRecalibration:
        """Estimate the recalibration from predicted risks and observed outcomes."""
        function = f"LogisticRecalibration(method={self.method!r}).fit"
        check_option(self.method, "method", ("logistic", "intercept"), "LogisticRecalibration")
        event, prob = _check_binary_inputs(y_true, y_prob, function)
        event, lp = _finite_logit(event, prob, function)
        if self.method == "intercept":
            self.intercept_, _ = _fit_offset_intercept(event, lp)
            self.slope_ = 1.0
        else:
            self.intercept_, self.slope_, _ = _fit_intercept_slope(event, lp, function)
        self.n_ = int(event.shape[0])
        return self

    def transform(self, y_prob) -> np.ndarray:
        """Recalibrated risks ``expit(intercept_ + slope_ * logit(y_prob))``."""
        if not hasattr(self, "intercept_"):
            raise ValueError(
                "This LogisticRecalibration is not fitted yet; call fit(y_prob, y_true) "
                "(or use recalibrate_intercept / recalibrate_logistic) before transform."
            )
        prob = _check_probabilities(y_prob, "LogisticRecalibration.transform")
        with np.errstate(divide="ignore", invalid="ignore"):
            out = expit(self.intercept_ + self.slope_ * _logit(prob))
        # risks of exactly 0 or 1 keep their value (for a positive slope)
        out[prob == 0.0] = 0.0 if self.slope_ > 0 else 1.0
        out[prob == 1.0] = 1.0 if self.slope_ > 0 else 0.0
        return out

    def __call__(self, y_prob) -> np.ndarray:
        return self.transform(y_prob)

    def __repr__(self) -> str:
        if hasattr(self, "intercept_"):
            return (
                f"LogisticRecalibration(method={self.method!r}; intercept_="
                f"{self.intercept_:.4f}, slope_={self.slope_:.4f})"
            )
        return f"LogisticRecalibration(method={self.method!r})"


def recalibrate_intercept(y_true, y_prob) -> LogisticRecalibration:
    """Fit an intercept-only recalibration (slope fixed at 1).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    LogisticRecalibration
        Fitted; ``intercept_`` equals :func:`calibration_in_the_large`.

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 20.

    Examples
    --------
    >>> from riskml.evaluation import recalibrate_intercept
    >>> round(recalibrate_intercept([0, 1, 0, 1], [0.2, 0.3, 0.1, 0.4]).intercept_, 4)
    1.201
    """
    return LogisticRecalibration(method="intercept").fit(y_prob, y_true)


def recalibrate_logistic(y_true, y_prob) -> LogisticRecalibration:
    """Fit a logistic recalibration (intercept and slope).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    LogisticRecalibration
        Fitted; ``slope_`` equals :func:`calibration_slope` and ``intercept_`` the
        "Intercept" of R's ``rms::val.prob``.

    References
    ----------
    .. [1] Cox DR. Two further applications of a model for binary regression.
       Biometrika 1958;45:562-565.
    .. [2] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 20.

    Examples
    --------
    >>> from riskml.evaluation import recalibrate_logistic
    >>> recal = recalibrate_logistic([0, 1, 0, 1, 1, 0], [0.2, 0.3, 0.1, 0.4, 0.8, 0.5])
    >>> round(recal.slope_, 4)
    1.3828
    """
    return LogisticRecalibration(method="logistic").fit(y_prob, y_true)


# -- survival calibration at a horizon as single numbers ---------------------------------
_SINGULAR_COX = (
    "{function}: the Cox calibration model cannot be fitted: its information matrix is "
    "singular (the predicted risks do not vary enough among the patients at risk at the "
    "event times). Check that the risks differ between patients, and that there are events "
    "by the horizon among patients with different risks."
)


def _cox_efron(x: np.ndarray, time: np.ndarray, event: np.ndarray, function: str):
    """Cox partial-likelihood fit with Efron's ties: ``(beta, covariance, efron_terms)``.

    ``x`` is (n, p) with small p. Newton-Raphson from 0 with step halving, as R's
    ``coxph`` (tolerance on the relative change of the log partial likelihood).
    ``efron_terms(beta)`` gives the per-event-time pieces of the baseline hazard.
    """
    order = np.argsort(time, kind="stable")
    x, time, event = x[order], time[order], event[order]
    n, p = x.shape
    times, start = np.unique(time, return_index=True)
    group = np.searchsorted(times, time)
    # one row per event: its tie group and its position l = 0..d-1 within the group
    event_rows = np.flatnonzero(event)
    if event_rows.shape[0] == 0:
        raise ValueError(f"{function}: no event before the horizon; the Cox fit is undefined.")
    event_group = group[event_rows]
    d = np.bincount(event_group, minlength=times.shape[0]).astype(float)
    first = np.searchsorted(event_group, event_group)
    fraction = (np.arange(event_rows.shape[0]) - first) / d[event_group]

    def pieces(beta):
        eta = x @ beta
        shift = eta.max()
        w = np.exp(eta - shift)
        wx = w[:, None] * x
        wxx = wx[:, :, None] * x[:, None, :]
        # risk-set sums over {j : time_j >= t_g}: reverse cumulative sums from each group start
        s0 = np.cumsum(w[::-1])[::-1][start]
        s1 = np.cumsum(wx[::-1], axis=0)[::-1][start]
        s2 = np.cumsum(wxx[::-1], axis=0)[::-1][start]
        e = event.astype(float)
        d0 = np.bincount(group, weights=w * e, minlength=times.shape[0])
        d1 = np.stack(
            [np.bincount(group, weights=wx[:, k] * e, minlength=times.shape[0]) for k in range(p)],
            axis=1,
        )
        d2 = np.zeros((times.shape[0], p, p))
        np.add.at(d2, group[event_rows], wxx[event_rows])
        f = fraction
        g = event_group
        den = s0[g] - f * d0[g]
        num1 = s1[g] - f[:, None] * d1[g]
        num2 = s2[g] - f[:, None, None] * d2[g]
        return eta, shift, den, num1, num2

    def loglik(beta):
        eta, shift, den, _, _ = pieces(beta)
        return float(eta[event_rows].sum() - (np.log(den) + shift).sum())

    beta = np.zeros(p)
    current = loglik(beta)
    for _ in range(50):
        eta, shift, den, num1, num2 = pieces(beta)
        mean = num1 / den[:, None]
        gradient = x[event_rows].sum(axis=0) - mean.sum(axis=0)
        information = (num2 / den[:, None, None]).sum(axis=0) - np.einsum("ei,ej->ij", mean, mean)
        try:
            step = np.linalg.solve(information, gradient)
        except np.linalg.LinAlgError:
            raise ValueError(_SINGULAR_COX.format(function=function)) from None
        for _ in range(30):
            candidate = beta + step
            value = loglik(candidate)
            if np.isfinite(value) and value >= current - 1e-12:
                break
            step = step / 2
        converged = abs(value - current) <= 1e-10 * (abs(current) + 1e-10)
        beta, current = candidate, value
        if converged:
            break
    eta, shift, den, num1, num2 = pieces(beta)
    mean = num1 / den[:, None]
    information = (num2 / den[:, None, None]).sum(axis=0) - np.einsum("ei,ej->ij", mean, mean)
    try:
        covariance = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        raise ValueError(_SINGULAR_COX.format(function=function)) from None
    # Efron baseline hazard (R survfit.coxph, ctype=2): sum_l 1 / (S0 - l/d D0), at eta
    increments = np.bincount(event_group, weights=np.exp(-shift) / den, minlength=times.shape[0])
    return beta, covariance, times, np.cumsum(increments)


def _survival_calibration_inputs(time, event, risk_at_horizon, horizon, function):
    """Checked inputs, follow-up truncated at the horizon, and cloglog of the risks."""
    time, event, risk, horizon = _check_survival_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    extreme = (risk <= 0) | (risk >= 1)
    if extreme.all():
        raise ValueError(
            f"{function}: every predicted risk is exactly 0 or 1, so the calibration fit has "
            "no patient left (their complementary log-log is infinite). These look like "
            "predicted classes: pass the predicted probability of the event by the horizon, "
            "e.g. model.predict_risk(X, horizon=days)."
        )
    if extreme.any():
        # As for the logistic calibration (R rms::val.prob): left out, with a warning.
        warnings.warn(
            f"{function}: {int(extreme.sum())} patient(s) with a predicted risk of exactly 0 "
            "or 1 were left out of the calibration fit (their complementary log-log is "
            "infinite), as R rms::val.prob does for the logistic calibration.",
            UserWarning,
            stacklevel=3,
        )
        keep = ~extreme
        time, event, risk = time[keep], event[keep], risk[keep]
        if not (event & (time <= horizon)).any():
            raise ValueError(
                f"{function}: no event by the horizon among the patients whose predicted "
                "risk is strictly between 0 and 1."
            )
    # administrative censoring at the horizon: the calibration model describes [0, h]
    truncated_event = event & (time <= horizon)
    truncated_time = np.minimum(time, horizon)
    cloglog = np.log(-np.log1p(-risk))
    return truncated_time, truncated_event, risk, horizon, cloglog


def survival_observed_expected_ratio(time, event, risk_at_horizon, horizon) -> float:
    """Observed-to-expected ratio at a horizon: Kaplan-Meier risk over mean predicted risk.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 where the event was observed, 0 where follow-up was censored.
    risk_at_horizon : array-like of shape (n_samples,)
        Predicted probability of the event by ``horizon``, in [0, 1].
    horizon : float
        The horizon, in the units of ``time``.

    Returns
    -------
    float
        ``(1 - S_KM(h)) / mean(risk_at_horizon)``; 1 is ideal, above 1 means the model
        under-predicts.

    Notes
    -----
    The observed risk is the Kaplan-Meier estimate, in which a patient censored at h
    is event-free at h (as :func:`riskml.outcome.horizon_label`). The Wald interval
    of :func:`survival_metric_ci` is on the log scale, with the expected risk taken
    as fixed and ``SE(log O) = SE(S_KM(h)) / (1 - S_KM(h))`` from Greenwood's
    variance (Debray et al. 2017, Table 1; R ``summary(survfit(...), times=h)``).

    References
    ----------
    .. [1] Debray TPA, Damen JAAG, Snell KIE, et al. A guide to systematic review and
       meta-analysis of prediction model performance. BMJ 2017;356:i6460.
    .. [2] Riley RD, Archer L, Snell KIE, et al. Evaluation of clinical prediction
       models (part 2). BMJ 2024;384:e074820.

    Examples
    --------
    >>> from riskml.evaluation import survival_observed_expected_ratio
    >>> round(survival_observed_expected_ratio([2, 3, 5, 8, 9], [1, 0, 1, 0, 1],
    ...                                        [0.5, 0.4, 0.5, 0.2, 0.3], 6), 4)
    1.2281
    """
    function = "survival_observed_expected_ratio"
    time, event, risk, horizon = _check_survival_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    return _survival_oe(time, event, risk, horizon, function)[0]


def _survival_oe(time, event, risk, horizon, function):
    survival, greenwood = _km_at(time, event, horizon)
    expected = risk.mean()
    if expected == 0 or not np.isfinite(survival):
        raise ValueError(
            f"{function} is undefined: "
            + ("every predicted risk is 0." if expected == 0 else "S_KM(h) is undefined.")
        )
    observed = 1.0 - survival
    se_log = np.sqrt(greenwood) * survival / observed if observed > 0 else np.inf
    return float(observed / expected), float(se_log)


def survival_calibration_slope(time, event, risk_at_horizon, horizon) -> float:
    """Calibration slope at a horizon: the Cox coefficient of the cloglog predicted risk.

    Parameters
    ----------
    time, event, risk_at_horizon, horizon
        As :func:`survival_observed_expected_ratio`; risks strictly inside (0, 1).

    Returns
    -------
    float
        The coefficient of ``log(-log(1 - risk))`` in a Cox model of the follow-up
        truncated at the horizon; 1 is ideal, below 1 means predictions too extreme.

    Raises
    ------
    ValueError
        When every predicted risk is the same (or within 1e-8 on the complementary
        log-log scale): the Cox coefficient of a constant is undefined (R's
        ``coxph`` returns NA), not a number to report.

    Notes
    -----
    For a proportional-hazards model ``log(-log(1 - risk(h)))`` is the linear
    predictor plus ``log H0(h)``, so this is the slope of the prognostic index
    (van Houwelingen 2000; McLernon et al. 2023, who also truncate follow-up at the
    horizon so that the fit describes [0, h]). Ties are handled by Efron's method, as
    R ``survival::coxph`` by default; the Wald interval of
    :func:`survival_metric_ci` uses the inverse observed information.

    References
    ----------
    .. [1] van Houwelingen HC. Validation, calibration, revision and combination of
       prognostic survival models. Stat Med 2000;19:3401-3415.
    .. [2] McLernon DJ, Giardiello D, Van Calster B, et al. Assessing performance and
       clinical usefulness in prediction models with survival outcomes: practical
       guidance for Cox proportional hazards models. Ann Intern Med 2023;176:105-114.

    Examples
    --------
    >>> from riskml.evaluation import survival_calibration_slope
    >>> round(survival_calibration_slope([2, 3, 5, 8, 9, 4, 7], [1, 0, 1, 0, 1, 1, 0],
    ...                                  [0.5, 0.4, 0.3, 0.2, 0.35, 0.25, 0.3], 6), 4)
    2.76
    """
    function = "survival_calibration_slope"
    time, event, _, _, cloglog = _survival_calibration_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    _check_slope_spread(cloglog, function, scale="complementary log-log")
    beta, _, _, _ = _cox_efron(cloglog[:, None], time, event, function)
    return float(beta[0])


def _rcs_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Harrell's restricted cubic spline basis (R ``Hmisc::rcspline.eval``, norm=2)."""
    k = knots
    scale = (k[-1] - k[0]) ** 2
    columns = [x]
    for j in range(k.shape[0] - 2):
        term = (
            np.maximum(x - k[j], 0) ** 3
            - np.maximum(x - k[-2], 0) ** 3 * (k[-1] - k[j]) / (k[-1] - k[-2])
            + np.maximum(x - k[-1], 0) ** 3 * (k[-2] - k[j]) / (k[-1] - k[-2])
        )
        columns.append(term / scale)
    return np.column_stack(columns)


def survival_ici(time, event, risk_at_horizon, horizon) -> float:
    """Integrated calibration index at a horizon (Austin, Harrell & van Klaveren 2020).

    Parameters
    ----------
    time, event, risk_at_horizon, horizon
        As :func:`survival_observed_expected_ratio`; risks strictly inside (0, 1).

    Returns
    -------
    float
        ``mean |risk_i - observed_i|`` with ``observed_i`` the risk by the horizon
        that a flexible calibration model assigns to patient i.

    Notes
    -----
    The calibration model is a Cox model of the follow-up truncated at the horizon
    on a restricted cubic spline of ``log(-log(1 - risk))`` with 3 knots at its 10th,
    50th and 90th percentiles (Austin et al. 2020, the ``cph(... ~ rcs(cll, 3))``
    variant); ``observed_i = 1 - exp(-H0(h) exp(f(cll_i)))`` with the Efron
    baseline hazard of R ``survfit.coxph``. For constant risks (to 1e-8) the model
    has no covariate (R's ``cph`` refuses the fit): every patient's observed risk is
    then the Kaplan-Meier risk by the horizon, ``1 - S_KM(h)``, as
    :func:`survival_calibration` gives for one group, and the ICI is
    ``|1 - S_KM(h) - p|``. Where that model has no finite fit
    (monotone likelihood: its log hazard ratio between two patients exceeds 50, or
    overflows), a ``ValueError`` says so instead of returning NaN; R ``coxph``
    warns "coefficient may be infinite" there and returns an arbitrary curve.

    References
    ----------
    .. [1] Austin PC, Harrell FE Jr, van Klaveren D. Graphical calibration curves and
       the integrated calibration index (ICI) for survival models. Stat Med
       2020;39:2714-2742.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import survival_ici
    >>> rng = np.random.default_rng(0)
    >>> risk = rng.uniform(0.05, 0.5, 400)
    >>> time = rng.exponential(-365 / np.log1p(-risk))
    >>> survival_ici(time, np.ones(400), risk, 365.0) < 0.05
    True
    """
    function = "survival_ici"
    time, event, risk, horizon, cloglog = _survival_calibration_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    return float(np.mean(np.abs(risk - _smoothed_observed(time, event, cloglog, horizon))))


def _observed_risk_by(time, event, horizon) -> float:
    """The Kaplan-Meier risk by the horizon (1 - S_KM(h)) of follow-up truncated at it."""
    survival, _ = _km_at(time, event, horizon)
    return 1.0 - float(survival)


def _smoothed_observed(time, event, cloglog, horizon):
    if spread_of(cloglog)[1]:
        # One predicted risk for everyone (to 1e-8): the calibration model has no
        # covariate to smooth on, and the observed risk of every patient is that of the
        # whole cohort, the Kaplan-Meier risk by the horizon (as survival_calibration
        # gives for one group).
        return np.full(cloglog.shape[0], _observed_risk_by(time, event, horizon))
    knots = np.quantile(cloglog, [0.1, 0.5, 0.9])
    # too few distinct risks for a spline: linear in cll
    spline = np.unique(knots).shape[0] == 3
    basis = _rcs_basis(cloglog, knots) if spline else cloglog[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        beta, _, times, hazard = _cox_efron(basis, time, event, "survival_ici")
        position = np.searchsorted(times, horizon, side="right") - 1
        h0 = hazard[position] if position >= 0 else 0.0
        eta = basis @ beta
        observed = 1.0 - np.exp(-h0 * np.exp(eta))
    # Monotone likelihood: with few distinct events (a bootstrap sample duplicates
    # them) a combination of the spline terms can rank the events above the patients
    # still at risk, the partial likelihood keeps rising as the coefficients diverge,
    # and the curve overflowed to NaN. Seen on a flexible model's own training sample.
    if not np.isfinite(observed).all() or np.ptp(eta) > _MAX_LOG_HAZARD_RATIO:
        raise ValueError(
            "survival_ici: the flexible calibration model has no finite fit (monotone "
            f"likelihood: its coefficients diverge, {np.round(beta, 1).tolist()}): with "
            f"{int(np.unique(time[event]).shape[0])} distinct event times, the spline of "
            "the predicted risk ranks the events above the patients still at risk, as "
            "happens when a flexible model is evaluated on the sample it was fitted on. "
            "The smoothed observed risk, and so the ICI, is undefined here; evaluate on "
            "patients the model did not see (e.g. held-out folds: internal_validation "
            "method='cv_average')."
        )
    return observed


# A calibration model whose log hazard ratio between two patients exceeds this has
# diverged (a hazard ratio of e^50 ~ 5e21 is no calibration curve).
_MAX_LOG_HAZARD_RATIO = 50.0
