"""Overall performance: the Brier score and the index of prediction accuracy (IPA),
for binary outcomes and, with inverse probability of censoring weights, at a horizon.
"""

from __future__ import annotations

import numpy as np

from ..outcome import kaplan_meier_at
from ..utils.validation import check_option
from ._calibration import (
    _check_binary_inputs,
    _check_survival_inputs,
)
from ._ipcw import _LEFT_LIMITS, _ipcw_weights

__all__ = [
    "brier_score",
    "brier_score_ipcw",
    "brier_scores_ipcw",
    "integrated_brier_score",
    "scaled_brier",
    "scaled_brier_ipcw",
]


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
    survival, _ = kaplan_meier_at(time, event, horizon)
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
