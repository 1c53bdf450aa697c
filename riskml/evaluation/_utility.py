"""Overall performance and clinical utility: Brier scores, decision curves, NRI and IDI.

Also the confidence intervals of every calibration and utility metric
(:func:`metric_ci`, :func:`survival_metric_ci`), through the shared bootstrap of
:mod:`riskml.evaluation._bootstrap` (or Wald intervals where they are standard).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..utils.deprecation import renamed_value
from ..utils.validation import check_option, check_same_length
from ._bootstrap import ConfidenceInterval, bootstrap_ci
from ._calibration import (
    _check_binary_inputs,
    _check_binary_outcome,
    _check_both_classes,
    _check_probabilities,
    _check_slope_spread,
    _check_survival_inputs,
    _cox_efron,
    _finite_logit,
    _fit_intercept_slope,
    _fit_offset_intercept,
    _survival_calibration_inputs,
    _survival_oe,
    calibration_in_the_large,
    calibration_slope,
    ici,
    observed_expected_ratio,
    survival_calibration_slope,
    survival_ici,
    survival_observed_expected_ratio,
)
from ._checks import check_confidence_level, check_time_array, warn_degenerate
from ._ipcw import _LEFT_LIMITS, _check_censoring_weights, _ipcw_weights, _km_at

__all__ = [
    "IDIResult",
    "NRIResult",
    "brier_score",
    "brier_score_ipcw",
    "brier_scores_ipcw",
    "decision_curve",
    "decision_curve_survival",
    "idi",
    "integrated_brier_score",
    "metric_ci",
    "net_benefit",
    "net_benefit_survival",
    "nri",
    "scaled_brier",
    "scaled_brier_ipcw",
    "survival_metric_ci",
]

TREAT_ALL = "Treat all"
TREAT_NONE = "Treat none"


# -- Brier score, binary ---------------------------------------------------------------
def brier_score(y_true, y_prob) -> float:
    """Brier score: the mean squared difference between outcome and predicted risk.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    float
        ``mean((y_true - y_prob)^2)``; 0 is perfect, lower is better.

    References
    ----------
    .. [1] Brier GW. Verification of forecasts expressed in terms of probability.
       Mon Weather Rev 1950;78:1-3.
    .. [2] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 15.

    Examples
    --------
    >>> from riskml.evaluation import brier_score
    >>> round(brier_score([0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3]), 4)
    0.075
    """
    event, prob = _check_binary_inputs(y_true, y_prob, "brier_score", both_classes=False)
    return float(_brier_batch(event, prob))


def scaled_brier(y_true, y_prob) -> float:
    """Scaled Brier score (index of prediction accuracy, IPA).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    float
        ``1 - Brier / Brier_null`` where the null model predicts the observed
        prevalence ``ybar`` for everyone (``Brier_null = ybar (1 - ybar)``). 1 is
        perfect, 0 is no better than the prevalence, below 0 is worse.

    References
    ----------
    .. [1] Kattan MW, Gerds TA. The index of prediction accuracy: an intuitive measure
       useful for evaluating risk prediction models. Diagn Progn Res 2018;2:7.
    .. [2] Steyerberg EW, Vickers AJ, Cook NR, et al. Assessing the performance of
       prediction models: a framework for traditional and novel measures.
       Epidemiology 2010;21:128-138.

    Examples
    --------
    >>> from riskml.evaluation import scaled_brier
    >>> round(scaled_brier([0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3]), 4)
    0.7
    """
    function = "scaled_brier"
    event, prob = _check_binary_inputs(y_true, y_prob, function)
    return float(_scaled_brier_batch(event, prob))


def _brier_batch(event: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """:func:`brier_score` of checked data, or of every row of a batch of resamples."""
    return np.mean((event - prob) ** 2, axis=-1)


def _scaled_brier_batch(event: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """:func:`scaled_brier` of checked data, or of every row of a batch of resamples."""
    prevalence = event.mean(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):  # one class: NaN (degenerate)
        return 1.0 - np.mean((event - prob) ** 2, axis=-1) / (prevalence * (1 - prevalence))


# -- Brier score, censored ---------------------------------------------------------------
def _ipcw(time, event, horizon, train_time, train_event, censoring_weights, function):
    """Outcome by the horizon and Graf's inverse-probability-of-censoring weights.

    Cases and controls are those of :func:`riskml.outcome.horizon_label` (with
    ``censoring_weights="before"``); see :func:`brier_score_ipcw` and
    :func:`ipcw_weights`.
    """
    cases, _, weights = _ipcw_weights(
        time,
        event,
        horizon,
        train_time,
        train_event,
        censoring_weights,
        function,
        refuse_hidden=True,
    )
    return cases.astype(float), weights


def _as_risk(values: np.ndarray, prediction: str, function: str) -> np.ndarray:
    prediction = check_option(prediction, "prediction", ("risk", "survival"), function)
    return values if prediction == "risk" else 1.0 - values


def brier_score_ipcw(
    time,
    event,
    risk_at_horizon,
    horizon,
    *,
    prediction: str = "risk",
    train_time=None,
    train_event=None,
    censoring_weights: str = "before",
) -> float:
    """Brier score at a horizon for censored data, with inverse probability of censoring weights.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 where the event was observed, 0 where follow-up was censored.
    risk_at_horizon : array-like of shape (n_samples,)
        Predicted probability of the event by ``horizon``, in [0, 1] (for a survival
        model, ``predict_risk(X, horizon=horizon)``, i.e. ``1 - S(horizon | x)``); with
        ``prediction="survival"`` the predicted survival probability ``S(horizon | x)``.
    horizon : float
        The horizon, in the units of ``time``.
    prediction : {"risk", "survival"}, default="risk"
        What ``risk_at_horizon`` holds: the risk of the event by the horizon (riskml's
        convention) or the probability of surviving it (what scikit-survival's
        ``brier_score`` and R pec take). The score is the same either way.
    train_time, train_event : array-like, default=None
        Data on which to estimate the censoring distribution (e.g. the training
        set, as scikit-survival's ``survival_train``); by default the evaluation data.
    censoring_weights : {"before", "at", "riskRegression"}, default="before"
        Which patients count and their weights (events by t are always the cases):

        - ``"before"`` (riskml's horizon rule, :func:`riskml.outcome.horizon_label`):
          events weighted by ``1 / G(T_i-)``; event-free means ``time >= t`` (a
          patient censored exactly at t included), weighted by ``1 / G(t-)``.
        - ``"at"`` (scikit-survival's ``brier_score``): ``1 / G(T_i)``; event-free
          means ``time > t``, weighted by ``1 / G(t)``.
        - ``"riskRegression"`` (R ``riskRegression::Score(..., cens.model = "km")``):
          ``1 / G(T_i-)``; event-free means ``time > t``, weighted by ``1 / G(t)``.

        A patient censored exactly at t counts with ``"before"`` only. See Notes.

    Returns
    -------
    float

    Notes
    -----
    Graf et al. (1999): with ``G`` the Kaplan-Meier estimate of the censoring
    survival (events at a time precede the censorings at that time), ``BS(t) = 1/n
    sum_i [ 1(T_i <= t, event_i) (1 - r_i)^2 / G(T_i-) + 1(T_i >= t, no event by t)
    r_i^2 / G(t-) ]``; patients censored before ``t`` have weight 0. A patient
    censored exactly at ``t`` is event-free at ``t``, as in
    :func:`riskml.outcome.horizon_label`, so a cohort administratively censored at
    the horizon is evaluable; without censoring before ``t`` every weight is 1 and
    the value is the binary :func:`brier_score` of the horizon label.

    The conventions differ only where someone is censored at an event time or at
    ``t``. A censoring tied with an event at ``T_i <= t`` changes the weight of that
    event with ``"at"`` only. A censoring exactly at ``t`` (whole-day data with an
    integer horizon such as 365 or 1826): ``"before"`` gives that patient the term
    ``r_i^2 / G(t-)``; ``"at"`` and ``"riskRegression"`` give it 0 and weight the
    patients followed beyond ``t`` by ``1 / G(t)`` instead of ``1 / G(t-)``. With G
    from the data evaluated the total weight of the event-free is the same, so the
    scores differ by how far the risks of those censored at ``t`` differ from the
    risks of those followed beyond it. ``"riskRegression"`` equals
    ``riskRegression::Score(..., metrics = "brier", cens.model = "km")`` (2022.11.28)
    everywhere, except where nobody is followed beyond ``t`` (``G(t) = 0``): there
    ``Score`` returns the events' term alone and riskml raises.

    References
    ----------
    .. [1] Graf E, Schmoor C, Sauerbrei W, Schumacher M. Assessment and comparison of
       prognostic classification schemes for survival data. Stat Med
       1999;18:2529-2545.
    .. [2] Gerds TA, Schumacher M. Consistent estimation of the expected Brier score in
       general survival models with right-censored event times. Biom J
       2006;48:1029-1040.

    Examples
    --------
    >>> from riskml.evaluation import brier_score_ipcw
    >>> round(brier_score_ipcw([2, 3, 5, 8, 9], [1, 0, 1, 0, 1], [0.7, 0.4, 0.5, 0.2, 0.3],
    ...                        6), 4)
    0.1193
    """
    function = "brier_score_ipcw"
    time, event, risk, horizon = _check_survival_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    risk = _as_risk(risk, prediction, function)
    outcome, weights = _ipcw(
        time, event, horizon, train_time, train_event, censoring_weights, function
    )
    return float(np.mean(weights * (outcome - risk) ** 2))


def _brier_ipcw_influence(time, event, risk, horizon, censoring_weights, function):
    """``(estimate, influence)`` of the IPCW Brier score with G estimated from the data.

    ``influence[k] = R_k - BS + (1/n) sum_i R_i phi_k(a_i)``: ``R_i`` is patient i's
    weighted residual (``BS = mean(R)``), ``a_i`` the time its weight is taken at
    (``T_i`` for a case, the horizon for a control; as a left limit where the
    convention takes ``G(a-)``), and ``phi_k(a)`` the influence of patient k on the
    cumulative censoring hazard at ``a``: ``n / Y(T_k)`` if k is censored at or before
    ``a`` (before ``a`` for a left limit), minus ``sum n c_s / Y(s)^2`` over the times
    ``s <= T_k`` up to ``a``, with ``Y(s)`` the patients with ``time >= s`` and ``c_s``
    the censorings at s: the Nelson-Aalen form riskRegression uses for the
    Kaplan-Meier G (``getInfluenceFunctionBrierKMCensoringTerm``). O(n log n).
    """
    cases, controls, weights = _ipcw_weights(
        time, event, horizon, None, None, censoring_weights, function, refuse_hidden=True
    )
    n = time.shape[0]
    residual = weights * (cases - risk) ** 2
    estimate = float(residual.mean())
    times, inverse = np.unique(time, return_inverse=True)
    at_risk = n - np.r_[0.0, np.cumsum(np.bincount(inverse))[:-1]]
    censored = np.bincount(inverse, weights=(~event).astype(float), minlength=times.shape[0])
    cumulative = np.cumsum(n * censored / at_risk**2)
    case_left, control_left = _LEFT_LIMITS[censoring_weights]
    evaluable = cases | controls
    at = np.where(cases, time, horizon)[evaluable]
    left = np.where(cases[evaluable], case_left, control_left)
    mass = residual[evaluable]
    # the cumulative term up to a_i: times s < a_i (left limit) or s <= a_i
    index = np.where(
        left, np.searchsorted(times, at, side="left"), np.searchsorted(times, at, side="right")
    )
    hazard_at = np.where(index > 0, cumulative[np.maximum(index - 1, 0)], 0.0)
    # sum_i R_i min(H(T_k), H(a_i)): the times up to both T_k and a_i
    hazard_k = cumulative[inverse]
    order = np.argsort(hazard_at, kind="stable")
    sorted_hazard, sorted_mass = hazard_at[order], mass[order]
    below = np.r_[0.0, np.cumsum(sorted_mass * sorted_hazard)]
    total = np.r_[0.0, np.cumsum(sorted_mass)]
    position = np.searchsorted(sorted_hazard, hazard_k, side="left")
    compensator = below[position] + hazard_k * (total[-1] - total[position])
    # sum_i R_i [k censored at T_k < a_i (left limit) or T_k <= a_i]
    jump = np.zeros(n)
    for side, chosen in (("right", left), ("left", ~left)):
        order = np.argsort(at[chosen], kind="stable")
        sorted_at = at[chosen][order]
        after = np.r_[np.cumsum(mass[chosen][order][::-1])[::-1], 0.0]
        jump += after[np.searchsorted(sorted_at, time, side=side)]
    jump *= np.where(event, 0.0, n / at_risk[inverse])
    return estimate, residual - estimate + (jump - compensator) / n


def scaled_brier_ipcw(
    time,
    event,
    risk_at_horizon,
    horizon,
    *,
    prediction: str = "risk",
    train_time=None,
    train_event=None,
    censoring_weights: str = "before",
) -> float:
    """Index of prediction accuracy (scaled IPCW Brier score) at a horizon.

    Parameters
    ----------
    time, event, risk_at_horizon, horizon, prediction, train_time, train_event
        As :func:`brier_score_ipcw`.
    censoring_weights : {"before", "at", "riskRegression"}, default="before"
        As :func:`brier_score_ipcw`; ``"riskRegression"`` gives the ``IPA`` of
        ``riskRegression::Score(..., summary = "ipa", cens.model = "km")``.

    Returns
    -------
    float
        ``1 - BS(model) / BS(null)``, where the null model gives everyone the
        Kaplan-Meier risk ``1 - S_KM(horizon)`` of the evaluation data and both Brier
        scores use the same weights.

    Notes
    -----
    The null model is fitted on the evaluation data, as ``riskRegression::Score``
    does with ``null.model = TRUE``.

    References
    ----------
    .. [1] Kattan MW, Gerds TA. The index of prediction accuracy: an intuitive measure
       useful for evaluating risk prediction models. Diagn Progn Res 2018;2:7.
    .. [2] Graf E, Schmoor C, Sauerbrei W, Schumacher M. Stat Med 1999;18:2529-2545.

    Examples
    --------
    >>> from riskml.evaluation import scaled_brier_ipcw
    >>> round(scaled_brier_ipcw([2, 3, 5, 8, 9], [1, 0, 1, 0, 1],
    ...                         [0.7, 0.4, 0.5, 0.2, 0.3], 6), 4)
    0.5205
    """
    function = "scaled_brier_ipcw"
    time, event, risk, horizon = _check_survival_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    risk = _as_risk(risk, prediction, function)
    outcome, weights = _ipcw(
        time, event, horizon, train_time, train_event, censoring_weights, function
    )
    survival, _ = _km_at(time, event, horizon)
    null = np.mean(weights * (outcome - (1.0 - survival)) ** 2)
    if null == 0:
        raise ValueError(
            f"{function} is undefined when the null model's Brier score is 0 (no event, or "
            "only events, by the horizon)."
        )
    return float(1.0 - np.mean(weights * (outcome - risk) ** 2) / null)


def brier_scores_ipcw(
    time,
    event,
    predictions,
    times,
    *,
    prediction: str = "risk",
    train_time=None,
    train_event=None,
    censoring_weights: str = "before",
) -> np.ndarray:
    """IPCW Brier score at each of several horizons.

    Parameters
    ----------
    time, event : array-like of shape (n_samples,)
        Follow-up time and event indicator.
    predictions : array-like of shape (n_samples,) or (n_samples, n_times)
        Predicted risk (or survival, with ``prediction="survival"``) by each horizon,
        one column per entry of ``times``; a 1-D array is used at every horizon.
    times : float or array-like of shape (n_times,)
        Horizons, in any order; the result follows it.
    prediction, train_time, train_event, censoring_weights
        As :func:`brier_score_ipcw`.

    Returns
    -------
    ndarray of shape (n_times,)
        :func:`brier_score_ipcw` at each horizon.

    Examples
    --------
    >>> from riskml.evaluation import brier_scores_ipcw
    >>> brier_scores_ipcw([2, 3, 5, 8, 9], [1, 0, 1, 0, 1], [0.7, 0.4, 0.5, 0.2, 0.3],
    ...                   [6, 8.5]).round(4).tolist()
    [0.1193, 0.1327]
    """
    function = "brier_scores_ipcw"
    times, columns = _time_grid(predictions, times, len(time), function)
    return np.array(
        [
            brier_score_ipcw(
                time,
                event,
                column,
                horizon,
                prediction=prediction,
                train_time=train_time,
                train_event=train_event,
                censoring_weights=censoring_weights,
            )
            for horizon, column in zip(times, columns, strict=True)
        ]
    )


def _check_number_array(values, argument: str, function: str, example: str) -> np.ndarray:
    """``values`` as a float array, refusing text and other non-numbers with the fix."""
    raw = np.atleast_1d(np.asarray(values, dtype=object if values is None else None))
    if raw.dtype.kind not in "biuf" or isinstance(values, bool):
        raise TypeError(
            f"{argument} of {function} must be numbers, e.g. {example}; got {values!r}. "
            "Pass numbers, not text."
        )
    return raw.astype(float)


def _time_grid(predictions, times, n: int, function: str):
    grid = _check_number_array(times, "times", function, "times=[365, 730]")
    if grid.ndim != 1 or grid.shape[0] == 0 or not np.isfinite(grid).all():
        raise ValueError(
            f"times of {function} must be a non-empty 1-D array of finite horizons; got {times!r}."
        )
    if np.unique(grid).shape[0] != grid.shape[0]:
        raise ValueError(f"times of {function} must not repeat a horizon; got {grid.tolist()}.")
    array = np.asarray(predictions)
    if array.ndim == 2:
        if array.shape[1] != grid.shape[0]:
            raise ValueError(
                f"predictions of {function} have {array.shape[1]} columns but there are "
                f"{grid.shape[0]} horizons; pass one column per horizon or a 1-D array."
            )
        columns = [array[:, k] for k in range(grid.shape[0])]
    else:
        columns = [array] * grid.shape[0]
    return grid, columns


def integrated_brier_score(
    time,
    event,
    predictions,
    times,
    *,
    prediction: str = "risk",
    rule: str = "trapezoid",
    train_time=None,
    train_event=None,
    censoring_weights: str = "before",
) -> float:
    """Integrated Brier score (IBS): the IPCW Brier score averaged over a time grid.

    Parameters
    ----------
    time, event, predictions, times, prediction, train_time, train_event, censoring_weights
        As :func:`brier_scores_ipcw`; at least two horizons.
    rule : {"trapezoid", "step"}, default="trapezoid"
        ``"trapezoid"``: the trapezoidal integral over the sorted horizons divided by
        ``t_max - t_min`` (scikit-survival's ``integrated_brier_score``). ``"step"``:
        the Brier score held from each horizon to the next, integrated from 0 (score 0
        before the first horizon) and divided by ``t_max`` (R riskRegression
        ``Score(..., summary="ibs")``, whose grid usually starts at 0; with
        ``censoring_weights="riskRegression"`` also where someone is censored
        exactly at a grid time).

    Returns
    -------
    float

    References
    ----------
    .. [1] Graf E, Schmoor C, Sauerbrei W, Schumacher M. Assessment and comparison of
       prognostic classification schemes for survival data. Stat Med
       1999;18:2529-2545.

    Examples
    --------
    >>> from riskml.evaluation import integrated_brier_score
    >>> round(integrated_brier_score([2, 3, 5, 8, 9], [1, 0, 1, 0, 1],
    ...                              [0.7, 0.4, 0.5, 0.2, 0.3], [4, 8.5]), 4)
    0.126
    """
    function = "integrated_brier_score"
    rule = check_option(rule, "rule", ("trapezoid", "step"), function)
    grid, _ = _time_grid(predictions, times, len(time), function)
    if grid.shape[0] < 2:
        raise ValueError(
            f"{function} needs at least two horizons to integrate over; got {grid.tolist()}. "
            "Use brier_score_ipcw for one horizon."
        )
    scores = brier_scores_ipcw(
        time,
        event,
        predictions,
        times,
        prediction=prediction,
        train_time=train_time,
        train_event=train_event,
        censoring_weights=censoring_weights,
    )
    order = np.argsort(grid)
    grid, scores = grid[order], scores[order]
    widths = np.diff(grid)
    if rule == "trapezoid":
        return float(np.sum(widths * (scores[1:] + scores[:-1]) / 2) / (grid[-1] - grid[0]))
    return float(np.sum(widths * scores[:-1]) / grid[-1])


# -- net benefit and decision curves ---------------------------------------------------
def _default_thresholds() -> np.ndarray:
    return np.arange(100) / 100.0


def _check_thresholds(thresholds, function: str) -> np.ndarray:
    if thresholds is None:
        return _default_thresholds()
    array = np.atleast_1d(np.asarray(thresholds))
    if array.ndim != 1 or array.dtype.kind not in "biuf" or array.shape[0] == 0:
        raise ValueError(
            f"The 'thresholds' parameter of {function} must be a number or a 1-D array of "
            f"numbers in [0, 1). Got {thresholds!r} instead."
        )
    array = array.astype(float)
    bad = ~np.isfinite(array) | (array < 0) | (array >= 1)
    if bad.any():
        percent = bool(np.all(np.isfinite(array) & (array >= 0) & (array < 100)))
        raise ValueError(
            f"The 'thresholds' parameter of {function} must hold threshold probabilities in "
            f"[0, 1) (net benefit weighs false positives by t / (1 - t), infinite at 1); "
            f"got {float(array[bad][0])!r}."
            + (" If they are percentages, divide them by 100 (10% is 0.1)." if percent else "")
        )
    return array


def _positive(prob: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """``(n_thresholds, n)`` treat decisions: risk >= threshold, never for a risk of 0."""
    return (prob[None, :] >= thresholds[:, None]) & (prob[None, :] > 0)


def _binary_rates(event: np.ndarray, prob: np.ndarray, thresholds: np.ndarray):
    n = event.shape[0]
    positive = _positive(prob, thresholds)
    tp_rate = (positive & event[None, :]).sum(axis=1) / n
    fp_rate = (positive & ~event[None, :]).sum(axis=1) / n
    return tp_rate, fp_rate


def _net_benefit(tp_rate, fp_rate, thresholds):
    return tp_rate - fp_rate * thresholds / (1.0 - thresholds)


def net_benefit(y_true, y_prob, *, thresholds=None) -> np.ndarray:
    """Net benefit of treating patients whose predicted risk reaches a threshold.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].
    thresholds : float or array-like of float in [0, 1), default=None
        Threshold probabilities ``t``; by default 0, 0.01, ..., 0.99 (as Python
        ``dcurves``). Keyword-only, as in every function of riskml.evaluation.

    Returns
    -------
    ndarray of shape (n_thresholds,)
        ``TP/n - FP/n * t / (1 - t)`` at each threshold.

    Notes
    -----
    A patient is treated when ``y_prob >= t`` and ``y_prob > 0``: a predicted risk of
    exactly 0 is never treated, even at ``t = 0``. This is the convention of R's
    ``dcurves::dca`` (which moves risks of 0 to ``-eps``), so a 0/1 marker gives its
    own net benefit at ``t = 0`` rather than that of treating everyone.

    References
    ----------
    .. [1] Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating
       prediction models. Med Decis Making 2006;26:565-574.
    .. [2] Van Calster B, Wynants L, Verbeek JFM, et al. Reporting and interpreting
       decision curve analysis: a guide for investigators. Eur Urol
       2018;74:796-804.

    Examples
    --------
    >>> from riskml.evaluation import net_benefit
    >>> net_benefit([0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3], thresholds=[0.2, 0.5]).round(4).tolist()
    [0.4375, 0.5]
    """
    function = "net_benefit"
    thresholds = _check_thresholds(thresholds, function)
    event, prob = _check_binary_inputs(y_true, y_prob, function, both_classes=False)
    return _net_benefit(*_binary_rates(event, prob, thresholds), thresholds)


def _check_predictions(predictions, n: int, function: str) -> dict[str, np.ndarray]:
    """``{name: risks}`` from an array, a Series, a DataFrame or a mapping."""
    if isinstance(predictions, pd.DataFrame):
        items = [(str(column), predictions[column].to_numpy()) for column in predictions]
    elif isinstance(predictions, pd.Series):
        name = "model" if predictions.name is None else str(predictions.name)
        items = [(name, predictions.to_numpy())]
    elif isinstance(predictions, Mapping):
        items = [(str(name), values) for name, values in predictions.items()]
    else:
        items = [("model", predictions)]
    if not items:
        raise ValueError(f"{function} needs at least one model's predictions; got none.")
    out = {}
    for name, values in items:
        if name in (TREAT_ALL, TREAT_NONE):
            raise ValueError(
                f"{function}: the model name {name!r} is reserved for the reference "
                "strategies; rename the model."
            )
        prob = _check_probabilities(values, function, argument=f"predictions[{name!r}]")
        if prob.shape[0] != n:
            raise ValueError(
                f"the inputs of {function} must have one value per patient; got "
                f"{n} outcomes and {prob.shape[0]} predictions for {name!r}."
            )
        out[name] = prob
    return out


def _check_harm(harm, names, function: str) -> dict:
    """``harm`` as {model: float}: one number for every model, or a dict by model."""
    if isinstance(harm, dict):
        unknown = sorted(set(harm) - set(names))
        if unknown:
            raise ValueError(
                f"harm of {function} names {unknown}, which are not among the models {names}."
            )
        values = {name: harm.get(name, 0.0) for name in names}
    else:
        values = dict.fromkeys(names, harm)
    for name, value in values.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not np.isfinite(value)
            or value < 0
        ):
            raise ValueError(
                f"harm of {function} must be a finite number >= 0 (the burden of using the "
                f"model, in net benefit units, e.g. harm=0.01) or a dict {{model: number}}; got "
                f"{value!r} for {name!r}."
            )
    return {name: float(value) for name, value in values.items()}


def _curve_frame(rows: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]], thresholds, harm):
    """Tidy curves; ``net_interventions_avoided`` against treat-all, per patient (dcurves)."""
    treat_all = _net_benefit(rows[0][1], rows[0][2], thresholds)
    odds = thresholds / (1 - thresholds)
    frames = []
    for name, tp_rate, fp_rate in rows:
        benefit = _net_benefit(tp_rate, fp_rate, thresholds) - harm.get(name, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            avoided = np.where(odds > 0, (benefit - treat_all) / odds, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "model": name,
                    "threshold": thresholds,
                    "net_benefit": benefit,
                    "tp_rate": tp_rate,
                    "fp_rate": fp_rate,
                    "net_interventions_avoided": avoided,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def decision_curve(y_true, predictions, *, thresholds=None, harm=0.0) -> pd.DataFrame:
    """Decision curves of one or more models, with treat-all and treat-none.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    predictions : array-like, pandas.Series, pandas.DataFrame or dict
        Predicted probabilities: one array (named ``"model"``), a Series (its name),
        a DataFrame (one column per model) or a dict ``{name: array}``.
    thresholds : float or array-like of float in [0, 1), default=None
        Threshold probabilities; by default 0, 0.01, ..., 0.99 (as Python
        ``dcurves``).
    harm : float or dict, default=0.0
        The harm of using a model (e.g. the burden of the test it needs), in net
        benefit units, subtracted from its net benefit at every threshold: one
        number for every model, or ``{model: harm}`` (dcurves' ``harm``). Treat all
        and treat none carry no harm.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per (model, threshold): ``model``, ``threshold``,
        ``net_benefit``, ``tp_rate``, ``fp_rate`` (true and false positives per
        patient) and ``net_interventions_avoided``: ``(NB - NB_treat_all) / (t /
        (1 - t))`` per patient (dcurves' ``net_intervention_avoided`` with
        ``nper = 1``; NaN at t = 0). The rows of ``"Treat all"`` and
        ``"Treat none"`` come first.

    Notes
    -----
    Treat all: ``prevalence - (1 - prevalence) t / (1 - t)``; treat none: 0. Model
    decisions follow :func:`net_benefit`.

    References
    ----------
    .. [1] Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating
       prediction models. Med Decis Making 2006;26:565-574.
    .. [2] Vickers AJ, van Calster B, Steyerberg EW. A simple, step-by-step guide to
       interpreting decision curve analysis. Diagn Progn Res 2019;3:18.

    Examples
    --------
    >>> from riskml.evaluation import decision_curve
    >>> curve = decision_curve([0, 1, 1, 0], {"m": [0.1, 0.8, 0.6, 0.3]}, thresholds=[0.2])
    >>> curve[["model", "net_benefit"]].round(4).values.tolist()
    [['Treat all', 0.375], ['Treat none', 0.0], ['m', 0.4375]]
    """
    function = "decision_curve"
    thresholds = _check_thresholds(thresholds, function)
    event = _check_binary_outcome(y_true, function)
    models = _check_predictions(predictions, event.shape[0], function)
    prevalence = event.mean()
    ones = np.ones_like(thresholds)
    rows = [
        (TREAT_ALL, prevalence * ones, (1 - prevalence) * ones),
        (TREAT_NONE, 0 * ones, 0 * ones),
    ]
    rows += [(name, *_binary_rates(event, prob, thresholds)) for name, prob in models.items()]
    return _curve_frame(rows, thresholds, _check_harm(harm, list(models), function))


def _survival_rates(time, event, prob, thresholds, horizon, tail):
    """True/false positives per patient at a horizon from Kaplan-Meier among the treated."""
    n = time.shape[0]
    tp_rate = np.empty(thresholds.shape[0])
    fp_rate = np.empty(thresholds.shape[0])
    positive = _positive(prob, thresholds)
    cache: dict[int, tuple[float, float]] = {}
    for row, treated in enumerate(positive):
        count = int(treated.sum())
        if count == 0:
            tp_rate[row] = fp_rate[row] = 0.0
            continue
        # the treated sets are nested (risk >= t), so their size identifies them
        key = count
        if key not in cache:
            survival, _ = _km_at(time[treated], event[treated], horizon, tail=tail)
            share = count / n
            cache[key] = ((1.0 - survival) * share, survival * share)
        tp_rate[row], fp_rate[row] = cache[key]
    return tp_rate, fp_rate


CONVENTIONS = ("kaplan_meier", "dcurves")


def _check_convention(convention, function: str) -> str:
    return check_option(convention, "convention", CONVENTIONS, function)


def net_benefit_survival(
    time, event, risk_at_horizon, horizon, *, thresholds=None, convention: str = "kaplan_meier"
) -> np.ndarray:
    """Net benefit at a horizon for censored data, with Kaplan-Meier among the treated.

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
    thresholds : float or array-like of float in [0, 1), default=None
        Threshold probabilities; by default 0, 0.01, ..., 0.99.
    convention : {"kaplan_meier", "dcurves"}, default="kaplan_meier"
        The treated patients' risk when their follow-up ends before the horizon.
        ``"kaplan_meier"``: the Kaplan-Meier estimate, which stays 0 after a last
        follow-up that is an event (risk 1) and is undefined (NaN) after a last
        censoring (Kaplan & Meier 1958). ``"dcurves"``: undefined (NaN) in both
        cases, as R ``dcurves::dca`` and Python ``dcurves.dca`` (no observed time
        at or after the horizon gives NA). The two agree whenever the treated
        group's follow-up reaches the horizon.

    Returns
    -------
    ndarray of shape (n_thresholds,)

    Notes
    -----
    Vickers et al. (2008): with ``P(treated)`` the share of patients whose risk
    reaches ``t`` and ``S`` the Kaplan-Meier survival at the horizon among them,
    ``TP/n = (1 - S) P(treated)`` and ``FP/n = S P(treated)``; 0 where nobody is
    treated. Treatment decisions follow :func:`net_benefit`. Equal to R's
    ``dcurves::dca`` with a ``Surv()`` outcome and ``time = horizon``, and to Python
    ``dcurves.dca(..., time=horizon)``, at every threshold with ``convention="dcurves"``.

    References
    ----------
    .. [1] Vickers AJ, Cronin AM, Elkin EB, Gonen M. Extensions to decision curve
       analysis, a novel method for evaluating diagnostic tests, prediction models
       and molecular markers. BMC Med Inform Decis Mak 2008;8:53.
    .. [2] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
       J Am Stat Assoc 1958;53:457-481.
    .. [3] Sjoberg DD. dcurves: Decision Curve Analysis for Model Evaluation. R package
       and Python package (MSKCC-Epi-Bio).

    Examples
    --------
    >>> from riskml.evaluation import net_benefit_survival
    >>> net_benefit_survival([2, 4, 6, 8, 10, 12], [1, 0, 1, 0, 1, 0],
    ...                      [0.6, 0.1, 0.5, 0.2, 0.4, 0.3], 7,
    ...                      thresholds=[0.35]).round(4).tolist()
    [0.2436]
    """
    function = "net_benefit_survival"
    thresholds = _check_thresholds(thresholds, function)
    tail = _check_convention(convention, function)
    time, event, risk, horizon = _check_survival_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    tp_rate, fp_rate = _survival_rates(time, event, risk, thresholds, horizon, tail)
    return _net_benefit(tp_rate, fp_rate, thresholds)


def decision_curve_survival(
    time,
    event,
    predictions,
    horizon,
    *,
    thresholds=None,
    harm=0.0,
    convention: str = "kaplan_meier",
) -> pd.DataFrame:
    """Decision curves at a horizon for censored data, with treat-all and treat-none.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 where the event was observed, 0 where follow-up was censored.
    predictions : array-like, pandas.Series, pandas.DataFrame or dict
        Predicted probabilities of the event by ``horizon``, as in
        :func:`decision_curve`.
    horizon : float
        The horizon, in the units of ``time``.
    thresholds : float or array-like of float in [0, 1), default=None
        By default 0, 0.01, ..., 0.99.
    harm : float or dict, default=0.0
        The harm of using a model (e.g. the burden of the test it needs), in net
        benefit units, subtracted from its net benefit at every threshold: one
        number for every model, or ``{model: harm}`` (dcurves' ``harm``). Treat all
        and treat none carry no harm.
    convention : {"kaplan_meier", "dcurves"}, default="kaplan_meier"
        The treated patients' risk when their follow-up ends before the horizon; see
        :func:`net_benefit_survival`. Also applies to treat all.

    Returns
    -------
    pandas.DataFrame
        As :func:`decision_curve`; treat all uses the Kaplan-Meier risk of everyone.

    References
    ----------
    .. [1] Vickers AJ, Cronin AM, Elkin EB, Gonen M. BMC Med Inform Decis Mak
       2008;8:53.

    Examples
    --------
    >>> from riskml.evaluation import decision_curve_survival
    >>> curve = decision_curve_survival([2, 4, 6, 8, 10, 12], [1, 0, 1, 0, 1, 0],
    ...                                 [0.6, 0.1, 0.5, 0.2, 0.4, 0.3], 7,
    ...                                 thresholds=[0.35])
    >>> curve["net_benefit"].round(4).tolist()
    [0.0385, 0.0, 0.2436]
    """
    function = "decision_curve_survival"
    thresholds = _check_thresholds(thresholds, function)
    tail = _check_convention(convention, function)
    time = check_time_array(time, function)
    models = _check_predictions(predictions, time.shape[0], function)
    first = next(iter(models.values()))
    time, event, _, horizon = _check_survival_inputs(time, event, first, horizon, function)
    survival, _ = _km_at(time, event, horizon, tail=tail)
    ones = np.ones_like(thresholds)
    rows = [
        (TREAT_ALL, (1 - survival) * ones, survival * ones),
        (TREAT_NONE, 0 * ones, 0 * ones),
    ]
    rows += [
        (name, *_survival_rates(time, event, prob, thresholds, horizon, tail))
        for name, prob in models.items()
    ]
    return _curve_frame(rows, thresholds, _check_harm(harm, list(models), function))


# -- reclassification: NRI and IDI -----------------------------------------------------
@dataclass(frozen=True)
class NRIResult:
    """Net reclassification improvement of a new model over an old one.

    Attributes
    ----------
    nri : float
        ``nri_events + nri_non_events``.
    nri_events : float
        ``P(up | event) - P(down | event)``.
    nri_non_events : float
        ``P(down | non-event) - P(up | non-event)``.
    events_up, events_down, non_events_up, non_events_down : int
        Patients moved up or down.
    n_events, n_non_events : int
    z, p_value : float
        Pencina's asymptotic test of NRI = 0 (two-sided).
    kind : str
        ``"categorical"`` or ``"continuous"``.
    """

    nri: float
    nri_events: float
    nri_non_events: float
    events_up: int
    events_down: int
    non_events_up: int
    non_events_down: int
    n_events: int
    n_non_events: int
    z: float
    p_value: float
    kind: str

    def as_dict(self) -> dict:
        """The fields as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class IDIResult:
    """Integrated discrimination improvement of a new model over an old one.

    Attributes
    ----------
    idi : float
        ``events + non_events``: the change in the discrimination slope.
    events : float
        Mean of ``p_new - p_old`` among events.
    non_events : float
        Mean of ``p_old - p_new`` among non-events.
    z, p_value : float
        Pencina's asymptotic test of IDI = 0 (two-sided).
    """

    idi: float
    events: float
    non_events: float
    z: float
    p_value: float

    def as_dict(self) -> dict:
        """The fields as a plain dict."""
        return asdict(self)


def _check_reclassification_inputs(y_true, p_old, p_new, function: str):
    event = _check_binary_outcome(y_true, function)
    old = _check_probabilities(p_old, function, argument="p_old")
    new = _check_probabilities(p_new, function, argument="p_new")
    check_same_length(function, y_true=event, p_old=old, p_new=new)
    _check_both_classes(event, function)
    if np.array_equal(old, new):
        warn_degenerate(
            f"{function}: p_old and p_new are identical, so nothing is reclassified: the "
            f"{function.upper()} is 0 and its test statistic and p-value are undefined (NaN). "
            "Pass the predictions of the two models you mean to compare."
        )
    return event, old, new


def _check_cutoffs(cutoffs, function: str) -> np.ndarray:
    array = _check_number_array(cutoffs, "cutoffs", function, "cutoffs=[0.05, 0.2]")
    if (
        array.ndim != 1
        or array.shape[0] == 0
        or np.any(~np.isfinite(array))
        or np.any((array <= 0) | (array >= 1))
        or np.any(np.diff(array) <= 0)
    ):
        raise ValueError(
            f"The 'cutoffs' parameter of {function} must be None (continuous NRI) or "
            f"increasing risk cut-offs in (0, 1), e.g. [0.05, 0.2]. Got {cutoffs!r} instead."
        )
    return array


def _two_sided_p(z: float) -> float:
    return float(2.0 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan


def nri(y_true, p_old, p_new, *, cutoffs=None) -> NRIResult:
    """Net reclassification improvement (categorical or continuous).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    p_old, p_new : array-like of shape (n_samples,)
        Predicted probabilities of the reference and the new model, in [0, 1].
    cutoffs : array-like of float, default=None
        Increasing cut-offs in (0, 1) that define risk categories; a risk equal to a
        cut-off belongs to the higher category. None gives the continuous
        (category-free) NRI, where any increase counts as "up".

    Returns
    -------
    NRIResult

    Notes
    -----
    The test statistic is ``z = NRI / sqrt((p_up,e + p_down,e) / n_e +
    (p_up,ne + p_down,ne) / n_ne)`` (Pencina 2008). The NRI weighs events and
    non-events equally whatever the prevalence and can reward miscalibrated models;
    report its two components and prefer decision curves for clinical utility.

    References
    ----------
    .. [1] Pencina MJ, D'Agostino RB Sr, D'Agostino RB Jr, Vasan RS. Evaluating the
       added predictive ability of a new marker: from area under the ROC curve to
       reclassification and beyond. Stat Med 2008;27:157-172.
    .. [2] Pencina MJ, D'Agostino RB Sr, Steyerberg EW. Extensions of net
       reclassification improvement calculations to measure usefulness of new
       biomarkers. Stat Med 2011;30:11-21.
    .. [3] Kerr KF, Wang Z, Janes H, et al. Net reclassification indices for evaluating
       risk prediction instruments: a critical review. Epidemiology 2014;25:114-121.

    Examples
    --------
    >>> from riskml.evaluation import nri
    >>> result = nri([1, 1, 0, 0], [0.1, 0.3, 0.4, 0.2], [0.3, 0.2, 0.1, 0.1],
    ...              cutoffs=[0.25])
    >>> result.nri_events, result.nri_non_events
    (0.0, 0.5)
    """
    function = "nri"
    event, old, new = _check_reclassification_inputs(y_true, p_old, p_new, function)
    if cutoffs is None:
        kind = "continuous"
        up, down = new > old, new < old
    else:
        kind = "categorical"
        cut = _check_cutoffs(cutoffs, function)
        old_category = np.searchsorted(cut, old, side="right")
        new_category = np.searchsorted(cut, new, side="right")
        up, down = new_category > old_category, new_category < old_category
    n_events = int(event.sum())
    n_non_events = int((~event).sum())
    counts = {
        "events_up": int((up & event).sum()),
        "events_down": int((down & event).sum()),
        "non_events_up": int((up & ~event).sum()),
        "non_events_down": int((down & ~event).sum()),
    }
    nri_events = (counts["events_up"] - counts["events_down"]) / n_events
    nri_non_events = (counts["non_events_down"] - counts["non_events_up"]) / n_non_events
    value = nri_events + nri_non_events
    variance = (counts["events_up"] + counts["events_down"]) / n_events**2 + (
        counts["non_events_up"] + counts["non_events_down"]
    ) / n_non_events**2
    z = value / np.sqrt(variance) if variance > 0 else np.nan
    return NRIResult(
        nri=float(value),
        nri_events=float(nri_events),
        nri_non_events=float(nri_non_events),
        n_events=n_events,
        n_non_events=n_non_events,
        z=float(z),
        p_value=_two_sided_p(z),
        kind=kind,
        **counts,
    )


def idi(y_true, p_old, p_new) -> IDIResult:
    """Integrated discrimination improvement.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    p_old, p_new : array-like of shape (n_samples,)
        Predicted probabilities of the reference and the new model, in [0, 1].

    Returns
    -------
    IDIResult
        ``idi = (mean p_new - mean p_old among events) - (mean p_new - mean p_old
        among non-events)``, the change in the discrimination slope.

    Notes
    -----
    ``z = IDI / sqrt(se_e^2 + se_ne^2)`` with ``se_e`` the standard error (sample
    standard deviation over sqrt(n), ddof=1) of the paired differences
    ``p_new - p_old`` among events, and ``se_ne`` among non-events (Pencina 2008).

    References
    ----------
    .. [1] Pencina MJ, D'Agostino RB Sr, D'Agostino RB Jr, Vasan RS. Stat Med
       2008;27:157-172.

    Examples
    --------
    >>> from riskml.evaluation import idi
    >>> round(idi([1, 1, 0, 0], [0.3, 0.4, 0.3, 0.2], [0.5, 0.6, 0.2, 0.2]).idi, 4)
    0.25
    """
    function = "idi"
    event, old, new = _check_reclassification_inputs(y_true, p_old, p_new, function)
    difference = new - old
    gain_events = difference[event]
    gain_non_events = -difference[~event]
    value = gain_events.mean() + gain_non_events.mean()
    if gain_events.shape[0] > 1 and gain_non_events.shape[0] > 1:
        se = np.sqrt(
            gain_events.var(ddof=1) / gain_events.shape[0]
            + gain_non_events.var(ddof=1) / gain_non_events.shape[0]
        )
    else:
        se = np.nan
    z = value / se if se > 0 else np.nan
    return IDIResult(
        idi=float(value),
        events=float(gain_events.mean()),
        non_events=float(gain_non_events.mean()),
        z=float(z),
        p_value=_two_sided_p(z),
    )


# -- confidence intervals --------------------------------------------------------------
def _net_benefit_at(y_true, y_prob, *, threshold):
    return float(net_benefit(y_true, y_prob, thresholds=[threshold])[0])


_BINARY_METRICS: dict[str, tuple[Callable[..., float], int]] = {
    # name: (metric(y_true, *probabilities, **kwargs) -> float, number of probability arrays)
    # the names of the metric registry (riskml.evaluation.get_metric_names()) where it has them
    "calibration_intercept": (calibration_in_the_large, 1),
    "calibration_slope": (calibration_slope, 1),
    "o_e": (observed_expected_ratio, 1),
    "ici": (lambda y, p, **kw: ici(y, p, **kw).ici, 1),
    "e50": (lambda y, p, **kw: ici(y, p, **kw).e50, 1),
    "e90": (lambda y, p, **kw: ici(y, p, **kw).e90, 1),
    "emax": (lambda y, p, **kw: ici(y, p, **kw).emax, 1),
    "brier": (brier_score, 1),
    "ipa": (scaled_brier, 1),
    "net_benefit": (_net_benefit_at, 1),
    "nri": (lambda y, a, b, **kw: nri(y, a, b, **kw).nri, 2),
    "nri_events": (lambda y, a, b, **kw: nri(y, a, b, **kw).nri_events, 2),
    "nri_non_events": (lambda y, a, b, **kw: nri(y, a, b, **kw).nri_non_events, 2),
    "idi": (lambda y, a, b: idi(y, a, b).idi, 2),
}
_WALD_METRICS = ("calibration_intercept", "calibration_slope", "o_e", "brier")
#: old metric names of metric_ci (the function names), accepted until riskml 0.2
_RENAMED_BINARY = {
    "calibration_in_the_large": "calibration_intercept",
    "observed_expected_ratio": "o_e",
    "brier_score": "brier",
    "scaled_brier": "ipa",
}


def _check_two_patients(values: np.ndarray, function: str) -> None:
    if values.shape[0] < 2:
        raise ValueError(
            f"{function}: the Wald interval of the Brier score needs the standard deviation "
            f"over patients, so at least 2 patients; got {values.shape[0]}."
        )


def _wald_interval(name: str, y_true, y_prob, confidence: float) -> ConfidenceInterval:
    function = "metric_ci"
    z = stats.norm.ppf(0.5 + confidence / 2)
    method = "Wald"
    if name == "o_e":
        event, prob = _check_binary_inputs(y_true, y_prob, function)
        estimate = observed_expected_ratio(event, prob)
        # Var(log O) under a binomial number of events; E taken as fixed (Debray 2017)
        se = np.sqrt((1 - event.mean()) / event.sum())
        low, high = estimate * np.exp(-z * se), estimate * np.exp(z * se)
    elif name == "brier":
        event, prob = _check_binary_inputs(y_true, y_prob, function, both_classes=False)
        residual = (event - prob) ** 2
        estimate = float(residual.mean())
        _check_two_patients(residual, function)
        # the sampling variance of the mean of (y - p)^2, as R riskRegression's Score
        # (se.fit = TRUE), interval truncated to [0, 1] as there
        se = np.std(residual, ddof=1) / np.sqrt(residual.shape[0])
        low, high = max(0.0, estimate - z * se), min(1.0, estimate + z * se)
        method = "Wald (sampling variance of the Brier score)"
    elif name == "spiegelhalter":
        event, prob = _check_binary_inputs(y_true, y_prob, function, both_classes=False)
        estimate = brier_score(event, prob)
        # variance of the Brier score if the predictions were the true risks
        # (Spiegelhalter 1986), as R predRupdate's pred_validate
        n = prob.shape[0]
        se = np.sqrt(np.sum((1 - 2 * prob) ** 2 * prob * (1 - prob))) / n
        low, high = estimate - z * se, estimate + z * se
        method = "Spiegelhalter (Brier score's variance were the predictions the true risks)"
    else:
        event, prob = _check_binary_inputs(y_true, y_prob, function)
        event, lp = _finite_logit(event, prob, function)
        if name == "calibration_intercept":
            estimate, se = _fit_offset_intercept(event, lp)
        else:
            _, estimate, covariance = _fit_intercept_slope(event, lp, function)
            se = np.sqrt(covariance[1, 1])
        low, high = estimate - z * se, estimate + z * se
    return ConfidenceInterval(
        estimate=float(estimate),
        low=float(low),
        high=float(high),
        confidence=confidence,
        n_boot=0,
        n_degenerate=0,
        method=method,
    )


def _resolve_metric(metric, registry: dict, function: str):
    if callable(metric):
        return metric, None
    if isinstance(metric, str) and metric in registry:
        return registry[metric]
    names = ", ".join(repr(name) for name in registry)
    raise ValueError(
        f"The 'metric' parameter of {function} must be a callable or one of {names}. "
        f"Got {metric!r} instead."
    )


def metric_ci(
    metric,
    y_true,
    *y_probs,
    method: str = "bootstrap",
    n_boot: int = 2000,
    confidence: float = 0.95,
    ci_type: str = "percentile",
    random_state=None,
    **metric_params,
) -> ConfidenceInterval:
    """Confidence interval of a binary-outcome metric (calibration, Brier, utility).

    Parameters
    ----------
    metric : str or callable
        One of ``"calibration_intercept"`` (:func:`calibration_in_the_large`),
        ``"calibration_slope"``, ``"o_e"`` (:func:`observed_expected_ratio`),
        ``"ici"``, ``"e50"``, ``"e90"``, ``"emax"``, ``"brier"``
        (:func:`brier_score`), ``"ipa"`` (:func:`scaled_brier`), ``"net_benefit"``
        (pass ``threshold=``), ``"nri"``, ``"nri_events"``, ``"nri_non_events"`` (two
        probability arrays, optional ``cutoffs=``), ``"idi"`` (two arrays); or a
        callable ``metric(y_true, *y_probs, **metric_params) -> float``. The names
        are the metric registry's (:func:`get_metric_names`); the old names
        ``"calibration_in_the_large"``, ``"observed_expected_ratio"``,
        ``"brier_score"`` and ``"scaled_brier"`` still work, with a
        ``FutureWarning``, until riskml 0.2.
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    *y_probs : array-like of shape (n_samples,)
        The predicted probabilities the metric takes (``p_old, p_new`` for NRI/IDI).
    method : {"bootstrap", "wald", "spiegelhalter"}, default="bootstrap"
        ``"wald"`` is available for calibration-in-the-large and the slope (standard
        errors from the logistic likelihood), the O:E ratio (on the log scale) and
        the Brier score: ``SE = sd((y - p)^2) / sqrt(n)``, the sampling standard
        error of the mean squared residual, as R riskRegression's ``Score(...,
        se.fit = TRUE)``, with the interval truncated to [0, 1] as there.
        ``"spiegelhalter"`` (Brier score only): ``SE = sqrt(sum (1 - 2 p_i)^2 p_i
        (1 - p_i)) / n``, the Brier score's standard error were the predictions the
        true risks (Spiegelhalter 1986; the interval R predRupdate reports). It is
        the null variance of Spiegelhalter's calibration test, not the sampling
        variance of the estimate: it ignores miscalibration and is too narrow or too
        wide for a miscalibrated model. (riskml before issue 29 gave it for
        ``"wald"``.)
    n_boot : int, default=2000
    confidence : float, default=0.95
    ci_type : {"percentile", "bca"}, default="percentile"
        Bootstrap interval type, passed to :func:`bootstrap_ci`.
    random_state : int, numpy.random.Generator or None, default=None
    **metric_params
        Passed to the metric, e.g. ``threshold=0.1``, ``cutoffs=[0.1, 0.2]``,
        ``frac=0.5``.

    Returns
    -------
    ConfidenceInterval

    Notes
    -----
    The bootstrap resamples patients within each outcome class (stratified), the
    same machinery as :func:`roc_auc_ci`; replicates on which the metric is
    undefined are counted in ``n_degenerate``. The Wald intervals of the calibration
    intercept, slope and O:E equal those of R's predRupdate ``pred_validate``
    (``confint.default`` of the GLM fits; O:E with ``SE(log O:E) = sqrt((1 - O/n) /
    O)``); the Brier score's those of R riskRegression's ``Score`` (its ``method``
    reads "Wald (sampling variance of the Brier score)"), and ``"spiegelhalter"``
    predRupdate's.

    References
    ----------
    .. [1] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. 1993.
    .. [2] Debray TPA, Damen JAAG, Snell KIE, et al. A guide to systematic review and
       meta-analysis of prediction model performance. BMJ 2017;356:i6460.
    .. [3] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019.
    .. [4] Spiegelhalter DJ. Probabilistic prediction in patient management and
       clinical trials. Stat Med 1986;5:421-433.
    .. [5] Gerds TA, Kattan MW. Medical Risk Prediction Models: With Ties to Machine
       Learning. Chapman and Hall/CRC; 2021 (riskRegression's ``Score``).

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import metric_ci
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.6, 300)
    >>> y = rng.random(300) < p
    >>> ci = metric_ci("calibration_slope", y, p, n_boot=200, random_state=0)
    >>> ci.low < ci.estimate < ci.high
    True
    """
    function = "metric_ci"
    metric = renamed_value(metric, _RENAMED_BINARY, "metric", function)
    method = check_option(method, "method", ("bootstrap", "wald", "spiegelhalter"), function)
    statistic, n_probs = _resolve_metric(metric, _BINARY_METRICS, function)
    if n_probs is not None and len(y_probs) != n_probs:
        raise ValueError(
            f"{function}: the metric {metric!r} takes {n_probs} array(s) of predicted "
            f"probabilities after y_true; got {len(y_probs)}."
        )
    if method == "spiegelhalter" and metric != "brier":
        raise ValueError(
            f"{function}: method='spiegelhalter' is available for 'brier' only; got metric "
            f"{metric!r}. Use method='bootstrap'."
        )
    if method in ("wald", "spiegelhalter"):
        if metric not in _WALD_METRICS:
            names = ", ".join(repr(name) for name in _WALD_METRICS)
            raise ValueError(
                f"{function}: method='wald' is available for {names} only; got metric "
                f"{metric!r}. Use method='bootstrap'."
            )
        if metric_params:
            raise TypeError(f"{function}: {metric!r} takes no parameters; got {metric_params}.")
        confidence = check_confidence_level(confidence, function)
        name = "spiegelhalter" if method == "spiegelhalter" else metric
        return _wald_interval(name, y_true, y_probs[0], confidence)
    event = _check_binary_outcome(y_true, function)
    probs = [
        _check_probabilities(values, function, argument=f"y_probs[{index}]")
        for index, values in enumerate(y_probs)
    ]
    check_same_length(function, y_true=event, **{f"y_probs[{i}]": p for i, p in enumerate(probs)})
    options = {} if ci_type == "percentile" else {"ci_type": ci_type}
    return bootstrap_ci(
        lambda *arrays: statistic(*arrays, **metric_params),
        event,
        *probs,
        n_boot=n_boot,
        confidence=confidence,
        stratify=event,
        random_state=random_state,
        **options,
    )


def _net_benefit_survival_at(time, event, risk, horizon, *, threshold, convention="kaplan_meier"):
    values = net_benefit_survival(
        time, event, risk, horizon, thresholds=[threshold], convention=convention
    )
    return float(values[0])


_SURVIVAL_METRICS: dict[str, tuple[Callable[..., float], int]] = {
    # the names of the metric registry
    "brier": (brier_score_ipcw, 1),
    "ipa": (scaled_brier_ipcw, 1),
    "net_benefit": (_net_benefit_survival_at, 1),
    "o_e": (survival_observed_expected_ratio, 1),
    "calibration_slope": (survival_calibration_slope, 1),
    "ici": (survival_ici, 1),
}
_SURVIVAL_WALD_METRICS = ("o_e", "calibration_slope", "brier")
#: old metric names of survival_metric_ci, accepted until riskml 0.2
_RENAMED_SURVIVAL = {
    "brier_score_ipcw": "brier",
    "scaled_brier_ipcw": "ipa",
    "net_benefit_survival": "net_benefit",
    "observed_expected_ratio": "o_e",
}


def _survival_wald_interval(name, time, event, risk, horizon, confidence, params):
    function = "survival_metric_ci"
    z = stats.norm.ppf(0.5 + confidence / 2)
    method = "Wald"
    if name == "brier":
        unknown = set(params) - {"censoring_weights", "prediction"}
        if unknown & {"train_time", "train_event"}:
            raise ValueError(
                f"{function}: method='wald' for 'brier' needs the censoring distribution "
                "estimated from the data evaluated (its influence function is that of this "
                "Kaplan-Meier estimate); got train_time/train_event. Use "
                "method='bootstrap'."
            )
        if unknown:
            raise TypeError(
                f"{function}: method='wald' for 'brier' takes censoring_weights= and "
                f"prediction= only; got {sorted(unknown)}."
            )
        risk = _as_risk(risk, params.get("prediction", "risk"), function)
        censoring_weights = _check_censoring_weights(
            params.get("censoring_weights", "before"), function
        )
        estimate, influence = _brier_ipcw_influence(
            time, event, risk, horizon, censoring_weights, function
        )
        _check_two_patients(influence, function)
        se = np.std(influence, ddof=1) / np.sqrt(influence.shape[0])
        low, high = max(0.0, estimate - z * se), min(1.0, estimate + z * se)
        method = "Wald (influence function of the IPCW Brier score)"
    elif name == "o_e":
        estimate, se = _survival_oe(time, event, risk, horizon, function)
        low, high = estimate * np.exp(-z * se), estimate * np.exp(z * se)
    else:
        t, e, _, _, cloglog = _survival_calibration_inputs(time, event, risk, horizon, function)
        _check_slope_spread(cloglog, function, scale="complementary log-log")
        beta, covariance, _, _ = _cox_efron(cloglog[:, None], t, e, function)
        estimate, se = beta[0], np.sqrt(covariance[0, 0])
        low, high = estimate - z * se, estimate + z * se
    return ConfidenceInterval(
        estimate=float(estimate),
        low=float(low),
        high=float(high),
        confidence=confidence,
        n_boot=0,
        n_degenerate=0,
        method=method,
    )


def survival_metric_ci(
    metric,
    time,
    event,
    risk_at_horizon,
    horizon,
    *,
    method: str = "bootstrap",
    n_boot: int = 2000,
    confidence: float = 0.95,
    ci_type: str = "percentile",
    random_state=None,
    **metric_params,
) -> ConfidenceInterval:
    """Confidence interval of a time-to-event metric at a horizon.

    Parameters
    ----------
    metric : str or callable
        ``"brier"`` (:func:`brier_score_ipcw`), ``"ipa"`` (:func:`scaled_brier_ipcw`),
        ``"net_benefit"`` (:func:`net_benefit_survival`; pass ``threshold=``, and
        optionally ``convention=``),
        ``"o_e"`` (:func:`survival_observed_expected_ratio`), ``"calibration_slope"``
        (:func:`survival_calibration_slope`), ``"ici"`` (:func:`survival_ici`), or a
        callable ``metric(time, event, risk_at_horizon, horizon, **metric_params) ->
        float``. The names are the metric registry's (:func:`get_metric_names`); the
        old names ``"brier_score_ipcw"``, ``"scaled_brier_ipcw"``,
        ``"net_benefit_survival"`` and ``"observed_expected_ratio"`` still work, with
        a ``FutureWarning``, until riskml 0.2.
    time, event, risk_at_horizon : array-like of shape (n_samples,)
    horizon : float
    method : {"bootstrap", "wald"}, default="bootstrap"
        ``"wald"`` is available for the O:E ratio (log scale, Greenwood standard
        error of the Kaplan-Meier risk, expected risk fixed; Debray et al. 2017), the
        calibration slope (Cox information matrix, as R ``confint.default`` of
        ``coxph``) and the IPCW Brier score (takes ``censoring_weights=`` and
        ``prediction=``): ``SE = sd(IF) / sqrt(n)`` with IF the influence function of
        the estimate, the Kaplan-Meier estimate of the censoring distribution
        included, interval truncated to [0, 1]; with
        ``censoring_weights="riskRegression"`` it equals R riskRegression's
        ``Score(..., se.fit = TRUE, cens.model = "km")``. See Notes.
    n_boot : int, default=2000
    confidence : float, default=0.95
    ci_type : {"percentile", "bca"}, default="percentile"
    random_state : int, numpy.random.Generator or None, default=None
    **metric_params
        Passed to the metric (e.g. ``train_time=``, ``train_event=``, which are not
        resampled, or ``threshold=``).

    Returns
    -------
    ConfidenceInterval

    Notes
    -----
    Patients are resampled as a whole (not stratified), as in
    :func:`concordance_index_ci`; the censoring distribution is re-estimated in each
    replicate unless ``train_time``/``train_event`` are given.

    The Brier score's influence function is that of riskRegression 2022.11.28
    (``getInfluenceFunctionBrierKMCensoringTerm``): patient k's is ``R_k - BS +
    (1/n) sum_i R_i phi_k(a_i)``, with ``R_i`` patient i's weighted squared residual
    (0 where not evaluable; ``BS = mean(R)``), ``a_i`` the time its weight is taken
    at (``T_i`` for a case, the horizon for a control) and ``phi_k`` patient k's
    influence on the Nelson-Aalen cumulative hazard of censoring, whose risk set at
    s is every patient with ``time >= s``. For ``"before"`` and ``"at"`` the same
    formula is evaluated at those conventions' times (left limits where the weight is
    ``G(a-)``); it equals riskRegression's wherever the conventions agree (no
    censoring tied with an event time or the horizon), and has no R counterpart
    where they differ.

    References
    ----------
    .. [1] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. 1993.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import survival_metric_ci
    >>> rng = np.random.default_rng(0)
    >>> risk = rng.uniform(0.1, 0.6, 200)
    >>> time = rng.exponential(1 / risk) * 100
    >>> event = rng.random(200) < 0.7
    >>> ci = survival_metric_ci("brier", time, event, risk, 100.0,
    ...                         n_boot=100, random_state=0)
    >>> ci.low <= ci.estimate <= ci.high
    True
    """
    function = "survival_metric_ci"
    metric = renamed_value(metric, _RENAMED_SURVIVAL, "metric", function)
    method = check_option(method, "method", ("bootstrap", "wald"), function)
    statistic, _ = _resolve_metric(metric, _SURVIVAL_METRICS, function)
    time, event, risk, horizon = _check_survival_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    if method == "wald":
        if metric not in _SURVIVAL_WALD_METRICS:
            names = ", ".join(repr(name) for name in _SURVIVAL_WALD_METRICS)
            raise ValueError(
                f"{function}: method='wald' is available for {names} only; got metric "
                f"{metric!r}. Use method='bootstrap'."
            )
        confidence = check_confidence_level(confidence, function)
        return _survival_wald_interval(
            metric, time, event, risk, horizon, confidence, metric_params
        )
    options = {} if ci_type == "percentile" else {"ci_type": ci_type}
    return bootstrap_ci(
        lambda t, e, r: statistic(t, e, r, horizon, **metric_params),
        time,
        event,
        risk,
        n_boot=n_boot,
        confidence=confidence,
        random_state=random_state,
        **options,
    )
