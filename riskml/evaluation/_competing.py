"""Performance at a horizon under competing risks (event type 1 of interest).

At a horizon h a patient with the event of interest by h is a case; everyone else
known to be free of it at h is a control: those followed to h without an event and
those with a competing event by h (:func:`riskml.outcome.horizon_label`). Patients
censored before h are represented by inverse-probability-of-censoring weights, with
the censoring distribution G the reverse Kaplan-Meier in which events of any type
precede the censorings at a time (as :func:`ipcw_weights`). The conventions follow R
``riskRegression::Score(..., cause = 1)`` (Gerds & Kattan 2021) and the guide of van
Geloven et al. (2022).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..outcome import Outcome, aalen_johansen_at
from ..utils.validation import check_same_length
from ._calibration_checks import _check_horizon, _check_probabilities
from ._calibration_groups import _quantile_groups
from ._checks import check_time_array
from ._decision_curves import _check_thresholds, _net_benefit, _positive
from ._discrimination import _check_score
from ._ipcw import (
    _censoring_survival,
    _check_censoring_weights,
    _check_times,
    _horizon_weights,
    _step,
)

__all__ = [
    "competing_brier_score",
    "competing_calibration",
    "competing_concordance",
    "competing_ipcw_weights",
    "competing_net_benefit",
    "competing_observed_expected_ratio",
    "competing_scaled_brier",
    "competing_time_dependent_auc",
]


def _check_competing(time, event_type, function: str, names=("time", "event_type")):
    """Checked ``(time, event_type)``: times >= 0, event types 0, 1, 2, ..."""
    time = check_time_array(time, function, names[0])
    try:
        outcome = Outcome.competing(time, event_type)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{names[1]} of {function}: {error}") from None
    return outcome.time, outcome.event_type


def _check_inputs(time, event_type, risk, horizon, function: str):
    time, event_type = _check_competing(time, event_type, function)
    risk = _check_probabilities(risk, function, argument="risk_at_horizon")
    check_same_length(function, time=time, event_type=event_type, risk_at_horizon=risk)
    return time, event_type, risk, _check_horizon(horizon, time, function)


def _censoring(time, event_type, train_time, train_event_type, function):
    """G from the training data when given, else from the data evaluated."""
    if train_time is not None and train_event_type is not None:
        train_time, train_event_type = _check_competing(
            train_time, train_event_type, function, ("train_time", "train_event_type")
        )
        train_event_type = train_event_type > 0
    elif train_event_type is not None:
        train_event_type = np.asarray(train_event_type) > 0
    return _censoring_survival(time, event_type > 0, train_time, train_event_type, function)


def _status(time, event_type, horizon, g, censoring_weights, function, refuse_hidden=True):
    """``(cases, competing, survivors, weights)`` at the horizon.

    Cases and competing events by h are weighted by ``1 / G(T_i-)`` (``G(T_i)`` with
    ``"at"``); patients followed to h without an event (``time >= h`` with
    ``"before"``, ``time > h`` otherwise) by ``1 / G(h-)`` (``G(h)`` otherwise).
    """
    censoring_weights = _check_censoring_weights(censoring_weights, function)
    by_horizon = time <= horizon
    cases = by_horizon & (event_type == 1)
    competing = by_horizon & (event_type >= 2)
    after = time >= horizon if censoring_weights == "before" else time > horizon
    survivors = after & ~(cases | competing)
    weights = _horizon_weights(
        *g,
        time,
        cases | competing,
        survivors,
        horizon,
        censoring_weights,
        function,
        refuse_hidden=refuse_hidden,
    )
    return cases, competing, survivors, weights


def competing_ipcw_weights(
    time,
    event_type,
    horizon,
    *,
    train_time=None,
    train_event_type=None,
    censoring_weights: str = "before",
) -> tuple[np.ndarray, np.ndarray]:
    """Status at a horizon under competing risks and its censoring weights.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days to the first event or to censoring.
    event_type : array-like of shape (n_samples,)
        0 censored, 1 the event of interest, 2, 3, ... competing events.
    horizon : float
        Days.
    train_time, train_event_type : array-like, default=None
        The data the censoring distribution G is estimated from; by default the data
        given.
    censoring_weights : {"before", "at", "riskRegression"}, default="before"
        As :func:`ipcw_weights`: ``"before"`` (riskml's horizon rule) counts a patient
        censored exactly at h as free of the event at h; ``"riskRegression"`` equals
        ``riskRegression::Score(..., cause = 1, cens.model = "km")``.

    Returns
    -------
    label : ndarray
        1.0 for the event of interest by h, 0.0 for a competing event by h or
        follow-up reaching h without an event, NaN otherwise (censored before h).
    weight : ndarray
        ``1 / G(T_i-)`` for every event by h (of any type), ``1 / G(h-)`` (``1 / G(h)``
        with ``"at"`` and ``"riskRegression"``) for the event-free, 0 for the censored
        before h.

    References
    ----------
    .. [1] van Geloven N, Giardiello D, Bonneville EF, et al. Validation of prediction
       models in the presence of competing risks: a guide through modern methods. BMJ
       2022;377:e069249.

    Examples
    --------
    >>> from riskml.evaluation._competing import competing_ipcw_weights
    >>> label, weight = competing_ipcw_weights([2, 3, 4, 8, 9], [1, 0, 2, 0, 1], 6)
    >>> label.tolist(), weight.round(4).tolist()
    ([1.0, nan, 0.0, 0.0, 0.0], [1.0, 0.0, 1.3333, 1.3333, 1.3333])
    """
    function = "competing_ipcw_weights"
    time, event_type = _check_competing(time, event_type, function)
    horizon = _check_horizon(horizon, time, function)
    g = _censoring(time, event_type, train_time, train_event_type, function)
    cases, competing, survivors, weights = _status(
        time, event_type, horizon, g, censoring_weights, function, refuse_hidden=False
    )
    label = np.where(cases, 1.0, np.where(competing | survivors, 0.0, np.nan))
    return label, weights


def competing_brier_score(
    time,
    event_type,
    risk_at_horizon,
    horizon,
    *,
    train_time=None,
    train_event_type=None,
    censoring_weights: str = "before",
) -> float:
    """Brier score of the cumulative incidence of the event of interest at a horizon.

    Parameters
    ----------
    time, event_type, horizon, train_time, train_event_type, censoring_weights
        As :func:`competing_ipcw_weights`.
    risk_at_horizon : array-like of shape (n_samples,)
        Predicted cumulative incidence of event type 1 by the horizon, in [0, 1].

    Returns
    -------
    float
        ``1/n sum_i w_i (label_i - risk_i)^2`` with the label and weights of
        :func:`competing_ipcw_weights`: a competing event by h counts as 0 (weighted by
        ``1 / G(T_i-)``), not as censored.

    Notes
    -----
    With ``censoring_weights="riskRegression"`` it equals ``riskRegression::Score(...,
    cause = 1, metrics = "brier", cens.model = "km")``.

    References
    ----------
    .. [1] Graf E, Schmoor C, Sauerbrei W, Schumacher M. Assessment and comparison of
       prognostic classification schemes for survival data. Stat Med
       1999;18:2529-2545.
    .. [2] Schoop R, Beyersmann J, Schumacher M, Binder H. Quantifying the predictive
       accuracy of time-to-event models in the presence of competing risks. Biom J
       2011;53:88-112.

    Examples
    --------
    >>> from riskml.evaluation._competing import competing_brier_score
    >>> round(competing_brier_score([2, 3, 4, 8, 9], [1, 0, 2, 0, 1],
    ...                             [0.7, 0.4, 0.5, 0.2, 0.3], 6), 4)
    0.1193
    """
    function = "competing_brier_score"
    time, event_type, risk, horizon = _check_inputs(
        time, event_type, risk_at_horizon, horizon, function
    )
    g = _censoring(time, event_type, train_time, train_event_type, function)
    cases, _, _, weights = _status(time, event_type, horizon, g, censoring_weights, function)
    return float(np.mean(weights * (cases - risk) ** 2))


def competing_scaled_brier(
    time,
    event_type,
    risk_at_horizon,
    horizon,
    *,
    train_time=None,
    train_event_type=None,
    censoring_weights: str = "before",
) -> float:
    """Index of prediction accuracy (IPA) under competing risks.

    Parameters
    ----------
    time, event_type, risk_at_horizon, horizon, train_time, train_event_type, censoring_weights
        As :func:`competing_brier_score`.

    Returns
    -------
    float
        ``1 - BS(model) / BS(null)``; the null model predicts the Aalen-Johansen
        cumulative incidence of the data evaluated for everyone (R ``Score(...,
        summary = "ipa", null.model = TRUE)``).

    References
    ----------
    .. [1] Kattan MW, Gerds TA. The index of prediction accuracy: an intuitive measure
       useful for evaluating risk prediction models. Diagn Progn Res 2018;2:7.

    Examples
    --------
    >>> from riskml.evaluation._competing import competing_scaled_brier
    >>> round(competing_scaled_brier([2, 3, 4, 8, 9], [1, 0, 2, 0, 1],
    ...                              [0.7, 0.4, 0.5, 0.2, 0.3], 6), 4)
    0.2542
    """
    function = "competing_scaled_brier"
    time, event_type, risk, horizon = _check_inputs(
        time, event_type, risk_at_horizon, horizon, function
    )
    g = _censoring(time, event_type, train_time, train_event_type, function)
    cases, _, _, weights = _status(time, event_type, horizon, g, censoring_weights, function)
    null = np.mean(weights * (cases - aalen_johansen_at(time, event_type, horizon)) ** 2)
    if null == 0:
        raise ValueError(
            f"{function} is undefined when the null model's Brier score is 0 (no event of "
            "interest, or only such events, by the horizon)."
        )
    return float(1.0 - np.mean(weights * (cases - risk) ** 2) / null)


def _weighted_auc(case_scores, case_weights, control_scores, control_weights) -> float:
    """``sum_ij w_i w_j ([r_i > r_j] + [r_i = r_j] / 2) / (sum w_i sum w_j)``."""
    order = np.argsort(control_scores, kind="stable")
    scores, cumulative = control_scores[order], np.r_[0.0, np.cumsum(control_weights[order])]
    below = cumulative[np.searchsorted(scores, case_scores, side="left")]
    at_or_below = cumulative[np.searchsorted(scores, case_scores, side="right")]
    numerator = float(case_weights @ (below + at_or_below)) / 2.0
    return numerator / (float(case_weights.sum()) * cumulative[-1])


def competing_time_dependent_auc(
    time,
    event_type,
    risk,
    times,
    *,
    train_time=None,
    train_event_type=None,
    censoring_weights: str = "before",
) -> np.ndarray:
    """Cumulative/dynamic AUC of the event of interest at each horizon (IPCW).

    Parameters
    ----------
    time, event_type, train_time, train_event_type, censoring_weights
        As :func:`competing_ipcw_weights`.
    risk : array-like of shape (n_samples,) or (n_samples, n_times)
        Predicted risk, higher = higher risk; one column per horizon for risks that
        depend on it (the cumulative incidence by each horizon).
    times : float or array-like of shape (n_times,)
        Horizons (no repeats); the result follows their order.

    Returns
    -------
    ndarray of shape (n_times,)

    Notes
    -----
    Blanche et al. (2013), definition 2: cases have the event of interest by t
    (weight ``1 / G(T_i-)``); controls are all others known to be free of it at t,
    the patients with a competing event by t (``1 / G(T_j-)``) and those followed to
    t without an event (``1 / G(t-)``, ``1 / G(t)`` with ``"riskRegression"``). The
    weights of the controls differ, so unlike :func:`time_dependent_auc` they do not
    cancel. Equal to ``riskRegression::Score(..., cause = 1, metrics = "auc")`` with
    ``censoring_weights="riskRegression"``.

    References
    ----------
    .. [1] Blanche P, Dartigues JF, Jacqmin-Gadda H. Estimating and comparing
       time-dependent areas under receiver operating characteristic curves for
       censored event times with competing risks. Stat Med 2013;32:5381-5397.

    Examples
    --------
    >>> from riskml.evaluation._competing import competing_time_dependent_auc
    >>> competing_time_dependent_auc([2, 3, 4, 8, 9], [1, 0, 2, 0, 1],
    ...                              [0.7, 0.4, 0.5, 0.2, 0.3], 6)
    array([1.])
    """
    function = "competing_time_dependent_auc"
    time, event_type = _check_competing(time, event_type, function)
    times, _ = _check_times(times, function)
    values = np.asarray(risk, dtype=float)
    columns = (
        [_check_score(values[:, k], "risk", function) for k in range(values.shape[1])]
        if values.ndim == 2
        else [_check_score(values, "risk", function)] * times.shape[0]
    )
    if len(columns) != times.shape[0]:
        raise ValueError(
            f"risk of {function} has {len(columns)} columns but there are {times.shape[0]} "
            "horizons; pass one column per horizon or a 1-D risk."
        )
    check_same_length(function, time=time, event_type=event_type, risk=columns[0])
    g = _censoring(time, event_type, train_time, train_event_type, function)
    auc = np.empty(times.shape[0])
    for k, horizon in enumerate(times):
        cases, competing, survivors, weights = _status(
            time, event_type, float(horizon), g, censoring_weights, function, False
        )
        controls = competing | survivors
        if not cases.any() or not controls.any():
            raise ValueError(
                f"{function} is undefined at horizon {float(horizon)!r}: it has "
                f"{int(cases.sum())} case(s) and {int(controls.sum())} control(s). Choose "
                "horizons within the follow-up, with both."
            )
        score = columns[k]
        auc[k] = _weighted_auc(score[cases], weights[cases], score[controls], weights[controls])
    return auc


def competing_observed_expected_ratio(time, event_type, risk_at_horizon, horizon) -> float:
    """Observed-to-expected ratio: Aalen-Johansen incidence over mean predicted risk.

    Parameters
    ----------
    time, event_type, horizon
        As :func:`competing_ipcw_weights`.
    risk_at_horizon : array-like of shape (n_samples,)
        Predicted cumulative incidence of event type 1 by the horizon.

    Returns
    -------
    float
        ``F_AJ(h) / mean(risk)``; 1 is ideal, above 1 means under-prediction. The
        observed risk is the Aalen-Johansen cumulative incidence, not ``1 -
        Kaplan-Meier`` (which overstates it when competing events are censored).

    References
    ----------
    .. [1] van Geloven N, et al. BMJ 2022;377:e069249.

    Examples
    --------
    >>> from riskml.evaluation._competing import competing_observed_expected_ratio
    >>> round(competing_observed_expected_ratio([2, 3, 4, 8, 9], [1, 0, 2, 0, 1],
    ...                                         [0.3, 0.2, 0.3, 0.1, 0.1], 6), 4)
    1.0
    """
    function = "competing_observed_expected_ratio"
    time, event_type, risk, horizon = _check_inputs(
        time, event_type, risk_at_horizon, horizon, function
    )
    expected = float(risk.mean())
    if expected == 0:
        raise ValueError(f"{function} is undefined: every predicted risk is 0.")
    return aalen_johansen_at(time, event_type, horizon) / expected


def competing_calibration(
    time, event_type, risk_at_horizon, horizon, *, n_groups: int = 10
) -> pd.DataFrame:
    """Grouped calibration at a horizon against the Aalen-Johansen observed incidence.

    Parameters
    ----------
    time, event_type, risk_at_horizon, horizon
        As :func:`competing_observed_expected_ratio`.
    n_groups : int, default=10
        Groups by quantiles of predicted risk (the rule of :func:`calibration_curve`:
        ``(b_j, b_j+1]`` with the lowest risk in the first group, R ``cut(risk,
        quantile(risk, 0:10/10), include.lowest = TRUE)``).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n``, ``mean_predicted``, ``observed`` (the group's
        Aalen-Johansen cumulative incidence of event type 1 at h; NaN where its
        follow-up ends before h, as R ``predict.prodlim``).

    References
    ----------
    .. [1] van Geloven N, et al. BMJ 2022;377:e069249.
    .. [2] Gerds TA, Andersen PK, Kattan MW. Calibration plots for risk prediction
       models in the presence of competing risks. Stat Med 2014;33:3191-3203.

    Examples
    --------
    >>> from riskml.evaluation._competing import competing_calibration
    >>> table = competing_calibration([2, 3, 4, 8, 9, 10], [1, 0, 2, 0, 1, 0],
    ...                               [0.7, 0.4, 0.5, 0.2, 0.3, 0.1], 6, n_groups=2)
    >>> table["n"].tolist()
    [3, 3]
    """
    function = "competing_calibration"
    time, event_type, risk, horizon = _check_inputs(
        time, event_type, risk_at_horizon, horizon, function
    )
    if isinstance(n_groups, bool) or not isinstance(n_groups, int | np.integer) or n_groups < 1:
        raise ValueError(
            f"The 'n_groups' parameter of {function} must be an int >= 1. Got {n_groups!r}."
        )
    group, used = _quantile_groups(risk, int(n_groups))
    rows = []
    for g in range(used):
        members = group == g
        observed = aalen_johansen_at(time[members], event_type[members], horizon, tail="prodlim")
        rows.append((g, int(members.sum()), float(risk[members].mean()), observed))
    table = pd.DataFrame(rows, columns=["group", "n", "mean_predicted", "observed"])
    return table.set_index("group")


def competing_concordance(
    time, event_type, risk, *, tau=None, weighted: bool = True, censoring="data"
) -> float:
    """Concordance index for competing risks (Wolbers et al. 2009, 2014).

    Parameters
    ----------
    time, event_type : array-like of shape (n_samples,)
        As :func:`competing_ipcw_weights`.
    risk : array-like of shape (n_samples,)
        Predicted risk of the event of interest, higher = higher risk (e.g. the
        cumulative incidence by ``tau``).
    tau : float, optional
        Only cases (event of interest) at or before ``tau`` count; None: all.
    weighted : bool, default=True
        Weight the pairs by inverse probabilities of censoring (Wolbers et al. 2014,
        R ``pec::cindex(..., cause = 1)``'s default ``cens.model = "marginal"``);
        False gives the unweighted C of Wolbers et al. 2009 (``cens.model = "none"``).
    censoring : {"data"}, default="data"
        G is estimated from the data given (the reverse Kaplan-Meier, events first).

    Returns
    -------
    float
        The share of comparable pairs ordered correctly, ties in risk counting 1/2.
        A pair ``(i, j)`` is comparable when i has the event of interest at ``T_i``
        and j either has not had any event by then (``T_j > T_i``, or censored at
        ``T_i``; weight ``1 / (G(T_i-) G(T_i))``) or has had a competing event at or
        before ``T_i`` (so never has the event of interest; weight ``1 / (G(T_i-)
        G(T_j-))``).

    Notes
    -----
    Equal to ``pec::cindex(list(m = risk), Hist(time, status) ~ 1, data,
    eval.times = tau, cause = 1)`` (pec 2022.5.4) with ``tiedPredictionsIn = TRUE``.
    O(n log n): two Fenwick trees over the risk ranks, one counting the patients
    still event-free (filled backwards in time), one summing the weights of the
    competing events (forwards), instead of every pair.

    References
    ----------
    .. [1] Wolbers M, Koller MT, Witteman JCM, Steyerberg EW. Prognostic models with
       competing risks: methods and application to coronary risk prediction.
       Epidemiology 2009;20:555-561.
    .. [2] Wolbers M, Blanche P, Koller MT, Witteman JCM, Gerds TA. Concordance for
       prognostic models with competing risks. Biostatistics 2014;15:526-539.

    Examples
    --------
    >>> from riskml.evaluation._competing import competing_concordance
    >>> competing_concordance([2, 3, 4, 8, 9], [1, 0, 2, 0, 1],
    ...                       [0.7, 0.4, 0.5, 0.2, 0.3], weighted=False)
    0.8
    """
    function = "competing_concordance"
    time, event_type = _check_competing(time, event_type, function)
    risk = _check_score(risk, "risk", function)
    check_same_length(function, time=time, event_type=event_type, risk=risk)
    if censoring != "data":
        raise ValueError(f"The 'censoring' parameter of {function} must be 'data'.")
    cases = event_type == 1
    if tau is not None:
        cases &= time <= float(tau)
    if not cases.any():
        raise ValueError(f"{function} is undefined: no event of interest (before tau).")
    g_times, g_values = _censoring(time, event_type, None, None, function)
    g_before = _step(g_times, g_values, time, left=True) if weighted else np.ones_like(time)
    g_at = _step(g_times, g_values, time) if weighted else np.ones_like(time)
    return _wolbers(time, event_type, risk, cases, g_before, g_at)


def _wolbers(time, event_type, risk, cases, g_before, g_at) -> float:
    """The weighted pair sums of :func:`competing_concordance` by the O(n log n) kernel."""
    from ._kernels import kernel

    order = np.argsort(time, kind="stable")
    distinct, counts = np.unique(time[order], return_counts=True)
    group_end = np.cumsum(counts).astype(np.intp)
    levels, rank = np.unique(risk, return_inverse=True)
    out = np.zeros(2)
    kernel("wolbers_sums")(
        order.astype(np.intp),
        group_end,
        event_type.astype(np.int64),
        cases.astype(np.bool_),
        rank.astype(np.intp),
        int(levels.shape[0]),
        1.0 / (g_before * g_at),
        1.0 / g_before,
        1.0 / g_before,
        out,
    )
    return float(out[0] / out[1])


def _wolbers_pairs(time, event_type, risk, cases, g_before, g_at) -> float:
    """The same sums over every pair, O(n x cases): the brute-force oracle of the tests."""
    competing = event_type >= 2
    numerator = denominator = 0.0
    for chunk in np.array_split(np.flatnonzero(cases), max(1, int(cases.sum()) // 256)):
        t_i, r_i = time[chunk, None], risk[chunk, None]
        later = (time[None, :] > t_i) | ((time[None, :] == t_i) & (event_type[None, :] == 0))
        earlier = ~later & competing[None, :] & (time[None, :] <= t_i)
        weight_a = later / (g_before[chunk] * g_at[chunk])[:, None]
        weight_b = earlier / (g_before[chunk, None] * g_before[None, :])
        weight = weight_a + weight_b
        weight[np.arange(chunk.shape[0]), chunk] = 0.0
        score = (r_i > risk[None, :]) + 0.5 * (r_i == risk[None, :])
        numerator += float((weight * score).sum())
        denominator += float(weight.sum())
    return numerator / denominator


def competing_net_benefit(
    time, event_type, risk_at_horizon, horizon, *, thresholds=None
) -> np.ndarray:
    """Net benefit at a horizon under competing risks.

    Parameters
    ----------
    time, event_type, risk_at_horizon, horizon
        As :func:`competing_observed_expected_ratio`.
    thresholds : float or array-like of float in [0, 1), default=None
        Threshold probabilities; by default 0, 0.01, ..., 0.99.

    Returns
    -------
    ndarray of shape (n_thresholds,)
        ``TP/n - FP/n t / (1 - t)`` with ``TP/n = F_AJ(h | treated) P(treated)`` and
        ``FP/n = (1 - F_AJ(h | treated)) P(treated)``: the Aalen-Johansen cumulative
        incidence of event type 1 among the patients whose risk reaches t (risk 0
        never treated), 0 where nobody is treated, NaN where the treated group's
        follow-up ends before h.

    References
    ----------
    .. [1] Vickers AJ, Cronin AM, Elkin EB, Gonen M. Extensions to decision curve
       analysis. BMC Med Inform Decis Mak 2008;8:53.
    .. [2] van Geloven N, et al. BMJ 2022;377:e069249.

    Examples
    --------
    >>> from riskml.evaluation._competing import competing_net_benefit
    >>> competing_net_benefit([2, 3, 4, 8, 9, 10], [1, 0, 2, 0, 1, 0],
    ...                       [0.7, 0.4, 0.5, 0.2, 0.3, 0.1], 6,
    ...                       thresholds=[0.1]).round(4).tolist()
    [0.0741]
    """
    function = "competing_net_benefit"
    thresholds = _check_thresholds(thresholds, function)
    time, event_type, risk, horizon = _check_inputs(
        time, event_type, risk_at_horizon, horizon, function
    )
    n = time.shape[0]
    tp_rate, fp_rate = np.zeros(thresholds.shape[0]), np.zeros(thresholds.shape[0])
    for row, treated in enumerate(_positive(risk, thresholds)):
        count = int(treated.sum())
        if count:
            incidence = aalen_johansen_at(
                time[treated], event_type[treated], horizon, tail="prodlim"
            )
            tp_rate[row] = incidence * count / n
            fp_rate[row] = (1.0 - incidence) * count / n
    return _net_benefit(tp_rate, fp_rate, thresholds)
