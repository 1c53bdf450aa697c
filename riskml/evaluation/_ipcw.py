"""Discrimination under censoring with inverse-probability-of-censoring weights.

- :func:`uno_c`: Uno's C (Uno et al. 2011), Harrell's pairs re-weighted by the
  inverse squared probability of remaining uncensored, with a truncation time tau.
- :func:`time_dependent_auc`: the cumulative/dynamic AUC at given horizons
  (Uno et al. 2007; Hung & Chiang 2010): cases are events by the horizon, weighted
  by the inverse probability of remaining uncensored; controls are still at risk.

The censoring distribution G is the Kaplan-Meier estimate of the censoring times
("reverse" Kaplan-Meier), from the training data when given, else from the data
being evaluated.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..outcome import Outcome
from . import _kernels
from ._discrimination import _check_same_length, _check_score, _check_survival_inputs

__all__ = ["time_dependent_auc", "uno_c"]


# -- Kaplan-Meier step functions ------------------------------------------------------
def _kaplan_meier(time: np.ndarray, event: np.ndarray, *, censoring: bool = False):
    """Kaplan-Meier estimate at the unique times: ``(times, values)``.

    With ``censoring=True`` the "events" are the censorings and the patients with an
    event at a time leave the risk set before the censorings at that time (the
    censoring distribution G, as in scikit-survival's ``CensoringDistributionEstimator``
    and the convention that censoring happens just after events).
    """
    times, inverse = np.unique(time, return_inverse=True)
    n_total = np.bincount(inverse).astype(float)
    n_events = np.bincount(inverse, weights=event.astype(float))
    at_risk = time.shape[0] - np.r_[0.0, np.cumsum(n_total)[:-1]]
    if censoring:
        at_risk = at_risk - n_events
        n_events = n_total - n_events
    ratio = np.divide(n_events, at_risk, out=np.zeros_like(at_risk), where=n_events != 0)
    return times, np.cumprod(1.0 - ratio)


def _step(
    times: np.ndarray, values: np.ndarray, at: np.ndarray, *, left: bool = False
) -> np.ndarray:
    """A right-continuous step function (1 before the first time) evaluated ``at``.

    ``left=True`` gives the left limit ``f(u-)``.
    """
    index = np.searchsorted(times, at, side="left" if left else "right") - 1
    return np.where(index >= 0, values[np.maximum(index, 0)], 1.0)


def _censoring_survival(time, event, train_time, train_event, function: str):
    """G(t) from the training data when given, else from ``(time, event)``."""
    if (train_time is None) != (train_event is None):
        raise ValueError(
            f"{function} needs both train_time and train_event (the data the censoring "
            "distribution is estimated from) or neither (estimate it from the data being "
            "evaluated); got only one of them."
        )
    if train_time is None:
        return _kaplan_meier(time, event, censoring=True)
    train = Outcome.survival(train_time, train_event)
    return _kaplan_meier(train.time, train.event, censoring=True)


def _inverse_censoring(g_times, g_values, at: np.ndarray, function: str) -> np.ndarray:
    g = _step(g_times, g_values, at)
    if (g <= 0).any():
        first = float(at[np.flatnonzero(g <= 0)[0]])
        raise ValueError(
            f"{function}: the censoring survival function G is 0 at time {first!r} (every "
            "patient still at risk there was censored), so the inverse-probability weight "
            "is infinite. Set tau (or the horizons) before the last censoring time of the "
            "training data."
        )
    return 1.0 / g


# -- Uno's C --------------------------------------------------------------------------
def uno_c(time, event, risk, *, tau=None, train_time=None, train_event=None) -> float:
    """Uno's concordance index: Harrell's C re-weighted for censoring (IPCW).

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 where the event was observed, 0 where follow-up was censored.
    risk : array-like of shape (n_samples,)
        Predicted risk; **higher = higher risk = earlier event**.
    tau : float, default=None
        Truncation time: only pairs whose earlier event happens before ``tau`` count.
        None: no truncation. Choose tau where enough patients remain at risk.
    train_time, train_event : array-like, default=None
        The data the censoring distribution G is estimated from (Kaplan-Meier of
        the censoring times), usually the training cohort. None: the data given.

    Returns
    -------
    c_index : float
        ``sum_i w_i (concordant_i + tied_i / 2) / sum_i w_i comparable_i`` with
        ``w_i = G(T_i)^-2`` for each event i with ``T_i < tau``.

    Notes
    -----
    Pairs are those of :func:`concordance_index` (R survival's convention: an event
    and a censoring at the same time are comparable, two events at the same time
    are not); equal risks count 1/2. The weights are ``G(T_i)^-2`` with G the
    right-continuous reverse Kaplan-Meier, in which events at a time precede the
    censorings at that time. These are scikit-survival's ``concordance_index_ipcw``
    conventions; riskml treats risks as tied only when exactly equal (sksurv: within
    1e-8), and beyond the last training time G keeps its last value (sksurv raises).

    References
    ----------
    .. [1] Uno H, Cai T, Pencina MJ, D'Agostino RB, Wei LJ. On the C-statistics for
       evaluating overall adequacy of risk prediction procedures with censored
       survival data. Stat Med 2011;30:1105-1117.

    Examples
    --------
    >>> from riskml.evaluation import uno_c
    >>> round(uno_c([5, 10, 15, 20, 25], [1, 1, 0, 1, 0], [0.9, 0.3, 0.5, 0.1, 0.2]), 4)
    0.6486
    """
    function = "uno_c"
    time, event, risk = _check_survival_inputs(time, event, risk, function)
    if tau is not None and (
        isinstance(tau, bool) or not isinstance(tau, numbers.Real) or not tau > 0
    ):
        raise ValueError(
            f"The 'tau' parameter of {function} must be a positive number (a time in the "
            f"units of time) or None. Got {tau!r} instead."
        )
    g_times, g_values = _censoring_survival(time, event, train_time, train_event, function)
    counts = _kernels.HarrellLayout(time, event, risk).row_counts()
    used = event if tau is None else event & (time < tau)
    weight = np.zeros(time.shape[0])
    weight[used] = _inverse_censoring(g_times, g_values, time[used], function) ** 2
    denominator = float(weight @ counts[:, 2])
    if denominator == 0:
        raise ValueError(
            f"{function} is undefined: no comparable pair has its earlier event before "
            f"tau={tau!r}. Increase tau or check the follow-up times."
        )
    return float(weight @ (counts[:, 0] + 0.5 * counts[:, 1])) / denominator


# -- cumulative/dynamic AUC -----------------------------------------------------------
def _check_times(times, time: np.ndarray, function: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(times, dtype=float))
    if array.ndim != 1 or array.shape[0] == 0 or not np.isfinite(array).all():
        raise ValueError(
            f"times of {function} must be a non-empty 1-D array of finite horizons; got {times!r}."
        )
    if (np.diff(array) <= 0).any():
        raise ValueError(
            f"times of {function} must be strictly increasing; got {array.tolist()}. Pass "
            "numpy.unique(times)."
        )
    return array


def time_dependent_auc(
    time, event, risk, times, *, train_time=None, train_event=None, return_mean=False
):
    """Cumulative/dynamic time-dependent AUC at each horizon (IPCW).

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 where the event was observed, 0 where follow-up was censored.
    risk : array-like of shape (n_samples,) or (n_samples, n_times)
        Predicted risk, higher = higher risk; one column per horizon for risks that
        depend on the horizon (e.g. ``1 - S(t | x)``).
    times : float or array-like of shape (n_times,)
        Strictly increasing horizons; each needs a case and a control.
    train_time, train_event : array-like, default=None
        The data the censoring distribution G is estimated from; None: the data given.
    return_mean : bool, default=False
        Also return the mean AUC over the horizons, weighted by the Kaplan-Meier
        decrease of the data given, as scikit-survival's ``cumulative_dynamic_auc``.

    Returns
    -------
    auc : ndarray of shape (n_times,)
    mean_auc : float
        Only with ``return_mean=True``.

    Notes
    -----
    At horizon t the cases are the patients with an event at or before t, each
    weighted by ``1 / G(T_i)``, and the controls the patients with a time after t.
    ``AUC(t) = sum_cases sum_controls w_i ([r_i > r_j] + [r_i == r_j] / 2) /
    (sum_cases w_i * n_controls)``: the area under the weighted ROC curve with ties
    1/2, O(n log n) per horizon. Censored patients with a time at or before t are
    neither cases nor controls. Risks are tied only when exactly equal
    (scikit-survival: within 1e-8).

    References
    ----------
    .. [1] Uno H, Cai T, Tian L, Wei LJ. Evaluating prediction rules for t-year
       survivors with censored regression models. J Am Stat Assoc 2007;102:527-537.
    .. [2] Hung H, Chiang CT. Estimation methods for time-dependent AUC models with
       survival data. Can J Stat 2010;38:8-26.

    Examples
    --------
    >>> from riskml.evaluation import time_dependent_auc
    >>> time_dependent_auc([5, 10, 15, 20, 25], [1, 1, 0, 1, 0],
    ...                    [0.9, 0.3, 0.5, 0.1, 0.2], times=[12])
    array([0.83333333])
    """
    function = "time_dependent_auc"
    outcome = Outcome.survival(time, event)
    time, event = outcome.time, outcome.event
    times = _check_times(times, time, function)
    risk_array = np.asarray(risk)
    if risk_array.ndim == 2:
        if risk_array.shape[1] != times.shape[0]:
            raise ValueError(
                f"risk of {function} has {risk_array.shape[1]} columns but there are "
                f"{times.shape[0]} horizons; pass one column per horizon or a 1-D risk."
            )
        columns = [_check_score(risk_array[:, k], "risk", function) for k in range(times.shape[0])]
    else:
        columns = [_check_score(risk_array, "risk", function)] * times.shape[0]
    _check_same_length(function, time=time, event=event, risk=columns[0])
    g_times, g_values = _censoring_survival(time, event, train_time, train_event, function)
    auc = np.empty(times.shape[0])
    for k, horizon in enumerate(times):
        cases = event & (time <= horizon)
        controls = time > horizon
        if not cases.any() or not controls.any():
            raise ValueError(
                f"{function} is undefined at horizon {float(horizon)!r}: it has "
                f"{int(cases.sum())} case(s) (events by then) and {int(controls.sum())} "
                f"control(s) (still at risk after it). Choose horizons within the follow-up, "
                f"in [{float(time.min())!r}, {float(time.max())!r})."
            )
        score = columns[k]
        weight = _inverse_censoring(g_times, g_values, time[cases], function)
        control_scores = np.sort(score[controls])
        below = np.searchsorted(control_scores, score[cases], side="left")
        at_or_below = np.searchsorted(control_scores, score[cases], side="right")
        numerator = float(weight @ (below + at_or_below)) / 2.0
        auc[k] = numerator / (float(weight.sum()) * control_scores.shape[0])
    if not return_mean:
        return auc
    if times.shape[0] == 1:
        return auc, float(auc[0])
    km_times, km_values = _kaplan_meier(time, event)
    survival = _step(km_times, km_values, times)
    drop = -np.diff(np.r_[1.0, survival])
    return auc, float(auc @ drop / (1.0 - survival[-1]))
