"""Discrimination under censoring with inverse-probability-of-censoring weights.

- :func:`uno_c`: Uno's C (Uno et al. 2011), Harrell's pairs re-weighted by the
  inverse squared probability of remaining uncensored, with a truncation time tau.
- :func:`time_dependent_auc`: the cumulative/dynamic AUC at given horizons
  (Uno et al. 2007; Hung & Chiang 2010): cases are events by the horizon, weighted
  by the inverse probability of remaining uncensored; controls are still at risk.

The censoring distribution G is the Kaplan-Meier estimate of the censoring times
("reverse" Kaplan-Meier), from the training data when given, else from the data
being evaluated. Where G is read (``G(t)`` or ``G(t-)``) and who is evaluable at a
horizon is the ``censoring_weights`` option: riskml's horizon rule (``"before"``),
scikit-survival's (``"at"``) or riskRegression's (``"riskRegression"``); the table
is in docs/conventions.md.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..outcome import kaplan_meier, kaplan_meier_at
from ..utils.validation import check_same_length
from . import _kernels
from ._checks import check_array_argument, describe_number
from ._discrimination import (
    _check_event_time,
    _check_score,
    _check_survival_inputs,
    _warn_constant_score,
)

__all__ = ["integrated_time_dependent_auc", "ipcw_weights", "time_dependent_auc", "uno_c"]


# -- Kaplan-Meier: riskml's one estimator (riskml.outcome); the private names stay for
# the modules and tests that re-export or import them
_kaplan_meier = kaplan_meier
_km_at = kaplan_meier_at


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
        return kaplan_meier(time, event, censoring=True)[:2]
    train_time, train_event = _check_event_time(
        train_time, train_event, function, ("train_time", "train_event")
    )
    return kaplan_meier(train_time, train_event, censoring=True)[:2]


def _inverse_censoring(
    g_times, g_values, at: np.ndarray, function: str, *, left: bool = False
) -> np.ndarray:
    """``1 / G(at)`` (``1 / G(at-)`` with ``left=True``); raises where G is 0."""
    g = _step(g_times, g_values, at, left=left)
    if (g <= 0).any():
        first = float(at[np.flatnonzero(g <= 0)[0]])
        raise ValueError(
            f"{function}: the censoring survival function G is 0 at time {first!r} (every "
            "patient still at risk there was censored), so the inverse-probability weight "
            "is infinite. Set tau (or the horizons) before the last censoring time of the "
            "training data."
        )
    return 1.0 / g


# -- status at a horizon ---------------------------------------------------------------
CENSORING_WEIGHTS = ("before", "at", "riskRegression")


def _check_censoring_weights(value, function: str) -> str:
    if not isinstance(value, str) or value not in CENSORING_WEIGHTS:
        raise ValueError(
            f"The 'censoring_weights' parameter of {function} must be 'before' (riskml's "
            "horizon rule: follow-up reaching the horizon without an event is event-free "
            "there), 'at' (scikit-survival) or 'riskRegression' (R riskRegression::Score: "
            f"a censoring exactly at the horizon is not evaluable). Got {value!r} instead."
        )
    return value


def _horizon_status(time, event, horizon: float, censoring_weights: str = "before"):
    """Cases and controls at a horizon: ``(cases, controls)`` boolean masks.

    A case has an event at or before the horizon. With ``censoring_weights="before"``
    a control is anyone else whose follow-up reaches the horizon (``time >= horizon``),
    exactly the 0 of :func:`riskml.outcome.horizon_label`; with ``"at"`` (scikit-survival)
    and ``"riskRegression"`` a control needs ``time > horizon``, so a censoring at the
    horizon is not evaluable.
    """
    cases = event & (time <= horizon)
    at_or_after = time >= horizon if censoring_weights == "before" else time > horizon
    return cases, at_or_after & ~cases


#: (case weight G(T_i-)?, control weight G(h-)?) of each convention
_LEFT_LIMITS = {"before": (True, True), "at": (False, False), "riskRegression": (True, False)}


def _horizon_weights(
    g_times,
    g_values,
    time,
    cases,
    controls,
    horizon,
    censoring_weights,
    function,
    *,
    refuse_hidden: bool = False,
) -> np.ndarray:
    """Inverse-probability-of-censoring weights at a horizon (0 where not evaluable).

    The status of a case is seen when its censoring time is not before its event,
    that of a control when its censoring time is not before the horizon. With
    ``"before"`` (censorings at a time follow the events at that time) these have
    probabilities ``G(T_i-)`` and ``G(h-)``; with ``"at"`` ``G(T_i)`` and ``G(h)``;
    with ``"riskRegression"`` ``G(T_i-)`` and ``G(h)`` (controls ``time > h``).
    ``refuse_hidden``: raise where there is no control because G is 0 at the
    controls' time (nobody known to be event-free at the horizon), where a score
    would be the events' term alone.
    """
    case_left, control_left = _LEFT_LIMITS[censoring_weights]
    weights = np.zeros(time.shape[0])
    g_case = _step(g_times, g_values, time[cases], left=case_left)
    g_control = float(_step(g_times, g_values, np.array([horizon]), left=control_left)[0])
    if (g_case <= 0).any() or (controls.any() and g_control <= 0):
        where = time[cases][g_case <= 0]
        first = float(where[0]) if where.shape[0] else float(horizon)
        hint = (
            f" With censoring_weights={censoring_weights!r} a censoring at the horizon "
            "itself hides the status there; censoring_weights='before' (the default) "
            "counts it as event-free."
            if censoring_weights != "before"
            else ""
        )
        raise ValueError(
            f"{function}: the censoring survival function G is 0 at time {first!r} (every "
            "patient still at risk there was censored), so the inverse-probability weight "
            f"is infinite. Choose an earlier horizon.{hint}"
        )
    if refuse_hidden and not controls.any() and g_control <= 0:
        hint = (
            f" With censoring_weights={censoring_weights!r} a patient censored exactly at "
            "the horizon is not evaluable (R riskRegression::Score returns the events' "
            "term alone as its Brier score here); censoring_weights='before' (the "
            "default) counts them as event-free."
            if censoring_weights != "before"
            else ""
        )
        raise ValueError(
            f"{function} is undefined at horizon {float(horizon)!r}: nobody is known to be "
            "event-free there (no control: the censoring survival function G is 0 at the "
            "horizon, as when every patient without an event is censored by then), so "
            f"only the events' term would remain. Choose an earlier horizon.{hint}"
        )
    weights[cases] = 1.0 / g_case
    if controls.any():
        weights[controls] = 1.0 / g_control
    return weights


def _ipcw_weights(
    time,
    event,
    horizon,
    train_time,
    train_event,
    censoring_weights,
    function,
    *,
    refuse_hidden: bool = False,
):
    """Checked-input core of :func:`ipcw_weights`: ``(cases, controls, weights)``."""
    censoring_weights = _check_censoring_weights(censoring_weights, function)
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Real):
        raise TypeError(
            f"horizon of {function} must be a number (days, e.g. horizon=365); got {horizon!r}."
        )
    if not np.isfinite(horizon) or horizon <= 0:
        raise ValueError(
            f"horizon of {function} must be a finite number > 0 (days, e.g. horizon=365); got "
            f"{horizon!r}."
        )
    g_times, g_values = _censoring_survival(time, event, train_time, train_event, function)
    cases, controls = _horizon_status(time, event, float(horizon), censoring_weights)
    weights = _horizon_weights(
        g_times,
        g_values,
        time,
        cases,
        controls,
        float(horizon),
        censoring_weights,
        function,
        refuse_hidden=refuse_hidden,
    )
    return cases, controls, weights


def ipcw_weights(
    time,
    event,
    horizon,
    *,
    train_time=None,
    train_event=None,
    censoring_weights: str = "before",
) -> tuple[np.ndarray, np.ndarray]:
    """Status at a horizon and its inverse-probability-of-censoring weights.

    The weights that :func:`brier_score_ipcw`, :func:`time_dependent_auc` and the
    report's time-dependent ROC curves use, for any other statistic at a horizon.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 where the event was observed, 0 where follow-up was censored.
    horizon : float
        The horizon, in the units of ``time``.
    train_time, train_event : array-like, default=None
        The data the censoring distribution G is estimated from; by default
        ``(time, event)``.
    censoring_weights : {"before", "at", "riskRegression"}, default="before"
        Which patients are evaluable and their weights; the cases are always the
        patients with an event at or before the horizon.

        - ``"before"`` (riskml's horizon rule): a case has weight ``1 / G(T_i-)``; a
          control is follow-up reaching the horizon without an event (``time >=
          horizon``, as :func:`riskml.outcome.horizon_label`), weight
          ``1 / G(horizon-)``.
        - ``"at"`` (scikit-survival): cases ``1 / G(T_i)``; controls ``time >
          horizon``, ``1 / G(horizon)``.
        - ``"riskRegression"`` (R ``riskRegression::Score``): cases ``1 / G(T_i-)``;
          controls ``time > horizon``, ``1 / G(horizon)``.

        With ``"at"`` and ``"riskRegression"`` a patient censored exactly at the
        horizon is not evaluable (label NaN, weight 0). See Notes.

    Returns
    -------
    label : ndarray of shape (n_samples,)
        1.0 for a case, 0.0 for a control, NaN for a patient censored before the
        horizon (not evaluable).
    weight : ndarray of shape (n_samples,)
        The inverse-probability-of-censoring weight; 0 where not evaluable. The
        weights of all patients sum to about n.

    Raises
    ------
    ValueError
        Where G is 0 at a time a weight needs (every patient still at risk there
        was censored): choose an earlier horizon.

    Notes
    -----
    G is the Kaplan-Meier estimate of the censoring times in which events at a time
    precede the censorings at that time (Graf et al. 1999; Gerds & Schumacher 2006),
    as R prodlim's ``reverse = TRUE`` and scikit-survival's
    ``CensoringDistributionEstimator``. The three conventions give the same labels and
    weights when nobody is censored at an event time or at the horizon. Otherwise:

    - a censoring at an event time ``T_i`` before the horizon changes the case weight
      ``1 / G(T_i)`` (``"at"``) but not ``1 / G(T_i-)`` (``"before"``,
      ``"riskRegression"``);
    - patients censored exactly at the horizon are controls with ``"before"`` (the
      controls' weight ``1 / G(h-)``) and not evaluable with ``"at"`` and
      ``"riskRegression"``, whose controls ``time > h`` have the weight ``1 / G(h)``.
      With G from the data evaluated, the controls' weights sum to the same total
      either way (the Kaplan-Meier redistributes the mass of the censored at h to
      those followed beyond h), but ``"before"`` gives it to every patient
      event-free at h, the others only to those followed beyond h. When nobody is followed beyond h (an administrative
      end of follow-up at h), ``G(h) = 0``: ``"at"`` and ``"riskRegression"`` have
      no control (the Brier scores and the AUC raise), ``"before"`` counts everyone
      event-free at h as a control.

    ``"riskRegression"`` reproduces ``riskRegression::Score(..., cens.model = "km")``
    (riskRegression 2022.11.28): cases ``time <= t & status == 1`` weighted by
    ``1 / G(T_i-)`` (``prodlim::predictSurvIndividual(lag = 1)``), controls ``time >
    t`` by ``1 / G(t)`` (``predict.prodlim`` at t), ``time <= t & status == 0`` by 0.
    Where ``G(t) = 0`` (nobody followed beyond t) ``Score`` returns a Brier score made
    of the cases' term alone and an AUC of NA; riskml's Brier scores and AUC raise
    instead (this function returns the labels: nobody is a control). ``Score`` gives
    NA beyond the last follow-up time, where riskml holds G at its last value.

    References
    ----------
    .. [1] Graf E, Schmoor C, Sauerbrei W, Schumacher M. Assessment and comparison of
       prognostic classification schemes for survival data. Stat Med
       1999;18:2529-2545.
    .. [2] Gerds TA, Schumacher M. Consistent estimation of the expected Brier score in
       general survival models with right-censored event times. Biom J
       2006;48:1029-1040.
    .. [3] Gerds TA, Kattan MW. Medical Risk Prediction Models: With Ties to Machine
       Learning. Chapman and Hall/CRC; 2021 (riskRegression's ``Score``).

    Examples
    --------
    >>> from riskml.evaluation import ipcw_weights
    >>> label, weight = ipcw_weights([2, 3, 5, 8, 9], [1, 0, 1, 0, 1], 6)
    >>> label.tolist(), weight.round(4).tolist()
    ([1.0, nan, 1.0, 0.0, 0.0], [1.0, 0.0, 1.3333, 1.3333, 1.3333])
    """
    function = "ipcw_weights"
    time, event = _check_event_time(time, event, function)
    if (
        isinstance(horizon, numbers.Real)
        and not isinstance(horizon, bool)
        and np.isfinite(horizon)
        and horizon > time.max()
    ):
        raise ValueError(
            f"{function}: horizon={describe_number(horizon)} days is beyond the follow-up"
            + (
                f" (the longest is {describe_number(time.max())} days)"
                if time.shape[0] >= MIN_PATIENTS_TO_QUOTE_FOLLOW_UP
                else ""
            )
            + ": nobody is followed to it, so nobody can be a control. Choose a horizon "
            "within the follow-up."
        )
    cases, controls, weights = _ipcw_weights(
        time, event, horizon, train_time, train_event, censoring_weights, function
    )
    label = np.full(time.shape[0], np.nan)
    label[cases] = 1.0
    label[controls] = 0.0
    return label, weights


def _check_beyond(value, function: str) -> str:
    if value not in ("warn", "raise"):
        raise ValueError(
            f"The 'beyond_follow_up' parameter of {function} must be 'warn' or 'raise'. "
            f"Got {value!r} instead."
        )
    return value


# -- Uno's C --------------------------------------------------------------------------
UNO_CENSORING_WEIGHTS = ("at", "before")


def uno_c(
    time,
    event,
    risk,
    *,
    tau=None,
    train_time=None,
    train_event=None,
    beyond_follow_up: str = "warn",
    censoring_weights: str = "at",
) -> float:
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
        Truncation time: only pairs whose earlier event happens before ``tau``
        (``"at"``) or at or before ``tau`` (``"before"``) count. None: no truncation.
        Choose tau where enough patients remain at risk.
    train_time, train_event : array-like, default=None
        The data the censoring distribution G is estimated from (Kaplan-Meier of
        the censoring times), usually the training cohort. None: the data given.
    beyond_follow_up : {"warn", "raise"}, default="warn"
        What to do when an event counted (before ``tau``) lies after the last time
        of the data G is estimated from, where G is only held at its last value:
        a ``UserWarning``, or a ``ValueError`` as scikit-survival's
        ``concordance_index_ipcw`` raises. Set ``tau`` to that last time to avoid it.
    censoring_weights : {"at", "before"}, default="at"
        ``"at"`` (scikit-survival's ``concordance_index_ipcw``): each event i with
        ``T_i < tau`` weighs its pairs by ``G(T_i)^-2``. ``"before"`` (R survival's
        ``concordance(..., timewt = "n/G2", ymax = tau)``): by ``G(T_i-)^-2``, and
        the events with ``T_i <= tau`` count. See Notes.

    Returns
    -------
    c_index : float
        ``sum_i w_i (concordant_i + tied_i / 2) / sum_i w_i comparable_i`` over the
        events i counted, ``w_i = G(T_i)^-2`` (``"at"``) or ``G(T_i-)^-2``
        (``"before"``).

    Notes
    -----
    Pairs are those of :func:`concordance_index` (R survival's convention: an event
    and a censoring at the same time are comparable, two events at the same time
    are not); equal risks count 1/2. G is the right-continuous reverse Kaplan-Meier,
    in which events at a time precede the censorings at that time (in both
    conventions, as R survival's ``fastkm1``).

    The conventions differ in two places, both on whole-day (or week) data:

    - an event at a time where someone is also censored: ``"at"`` divides by
      ``G(T_i)``, which counts that censoring, ``"before"`` by ``G(T_i-)``, which does
      not (the censored patient is known to outlive the event, as for the pairs).
      At the last follow-up time, with an event and a censoring, ``G(T_i) = 0``:
      ``"at"`` raises, ``"before"`` does not.
    - an event exactly at ``tau``: ``"at"`` leaves it out (``T_i < tau``, Uno et al.
      2011 and scikit-survival), ``"before"`` counts it (``T_i <= ymax`` in R, and
      riskml's horizon rule: an event at the horizon is an event by the horizon).

    ``"before"`` equals R's ``concordance(Surv(time, status) ~ risk, timewt =
    "n/G2", reverse = TRUE, ymax = tau)`` (survival 3.5-3) except that R first
    merges times closer than about 1e-8 relative (``timefix = TRUE``) and falls back
    to unweighted pairs with fewer than two events (where the weights cancel
    anyway). ``"at"`` is scikit-survival's ``concordance_index_ipcw``, except that
    riskml treats risks as tied only when exactly equal (sksurv: within 1e-8) and
    beyond the last training time G keeps its last value with a warning (sksurv
    raises; ``beyond_follow_up="raise"``).

    References
    ----------
    .. [1] Uno H, Cai T, Pencina MJ, D'Agostino RB, Wei LJ. On the C-statistics for
       evaluating overall adequacy of risk prediction procedures with censored
       survival data. Stat Med 2011;30:1105-1117.
    .. [2] Therneau T, Atkinson E. Concordance. Vignette of the R package survival
       (timewt = "n/G2").

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
    beyond_follow_up = _check_beyond(beyond_follow_up, function)
    if not isinstance(censoring_weights, str) or censoring_weights not in UNO_CENSORING_WEIGHTS:
        raise ValueError(
            f"The 'censoring_weights' parameter of {function} must be 'at' (weights "
            "G(T_i)^-2, events before tau: scikit-survival) or 'before' (G(T_i-)^-2, "
            "events at or before tau: R survival's concordance(timewt='n/G2')). Got "
            f"{censoring_weights!r} instead."
        )
    before = censoring_weights == "before"
    g_times, g_values = _censoring_survival(time, event, train_time, train_event, function)
    counts = _kernels.HarrellLayout(time, event, risk).row_counts()
    # R's ymax counts an event at tau (riskml's horizon rule); Uno 2011 and sksurv do not
    within = np.ones_like(event) if tau is None else (time <= tau if before else time < tau)
    used = event & within
    last = float(g_times[-1])
    late = used & (time > last)
    if late.any():
        message = (
            f"{function}: {int(late.sum())} event(s) counted lie after {last!r}, the last "
            "follow-up time of the data the censoring distribution G is estimated from, "
            "where G is unknown (held at its last value). Set tau <= "
            f"{last!r} to compare within the follow-up."
        )
        if beyond_follow_up == "raise":
            raise ValueError(message)
        warnings.warn(message, UserWarning, stacklevel=2)
    weight = np.zeros(time.shape[0])
    inverse = _inverse_censoring(g_times, g_values, time[used], function, left=before)
    weight[used] = inverse**2
    denominator = float(weight @ counts[:, 2])
    if denominator == 0:
        raise ValueError(
            f"{function} is undefined: no comparable pair has its earlier event before "
            f"tau={tau!r}. Increase tau or check the follow-up times."
        )
    return float(weight @ (counts[:, 0] + 0.5 * counts[:, 1])) / denominator


# -- cumulative/dynamic AUC -----------------------------------------------------------
def _check_times(times, function: str) -> tuple[np.ndarray, np.ndarray]:
    """The horizons sorted, and the permutation that sorts them."""
    raw = np.atleast_1d(np.asarray(times, dtype=object if times is None else None))
    if raw.dtype.kind not in "biuf" or isinstance(times, bool):
        raise TypeError(
            f"times of {function} must be numbers (horizons in days, e.g. times=[365, 730]); "
            f"got {times!r}. Pass the horizons as numbers, not text."
        )
    array = raw.astype(float)
    if array.ndim != 1 or array.shape[0] == 0 or not np.isfinite(array).all():
        raise ValueError(
            f"times of {function} must be a non-empty 1-D array of finite horizons (days, e.g. "
            f"times=[365, 730]); got {times!r}."
        )
    order = np.argsort(array, kind="stable")
    if (np.diff(array[order]) == 0).any():
        raise ValueError(
            f"times of {function} must not repeat a horizon; got {array.tolist()}. Pass "
            "numpy.unique(times)."
        )
    return array, order


def _auc_columns(risk, times: np.ndarray, function: str) -> list[np.ndarray]:
    risk_array = check_array_argument(risk, "risk", function, what="predicted risk")
    if risk_array.ndim != 2:
        risk_array = _check_score(risk_array, "risk", function)
    if risk_array.ndim == 2:
        if risk_array.shape[1] != times.shape[0]:
            raise ValueError(
                f"risk of {function} has {risk_array.shape[1]} columns but there are "
                f"{times.shape[0]} horizons; pass one column per horizon or a 1-D risk."
            )
        columns = [_check_score(risk_array[:, k], "risk", function) for k in range(times.shape[0])]
    else:
        columns = [risk_array] * times.shape[0]
    for column in columns[:1] if risk_array.ndim == 1 else columns:
        _warn_constant_score(column, "risk", function)
    return columns


# The range of follow-up is quoted in messages only for at least this many patients (the
# shortest and longest follow-up of a handful of patients could single one out).
MIN_PATIENTS_TO_QUOTE_FOLLOW_UP = 20


def _td_auc(time, event, columns, times, g_times, g_values, censoring_weights, function):
    auc = np.empty(times.shape[0])
    for k, horizon in enumerate(times):
        cases, controls = _horizon_status(time, event, horizon, censoring_weights)
        if not cases.any() or not controls.any():
            after = "time >= horizon" if censoring_weights == "before" else "time > horizon"
            within = (
                f", in [{describe_number(time.min())}, {describe_number(time.max())}] days"
                if time.shape[0] >= MIN_PATIENTS_TO_QUOTE_FOLLOW_UP
                else " (the follow-up of so few patients is not quoted)"
            )
            raise ValueError(
                f"{function} is undefined at horizon {describe_number(horizon)}: it has "
                f"{int(cases.sum())} case(s) (events by then) and {int(controls.sum())} "
                f"control(s) (event-free with {after}). Choose horizons within the "
                f"follow-up{within}, with both cases and controls."
            )
        weight = _horizon_weights(
            g_times, g_values, time, cases, controls, horizon, censoring_weights, function
        )[cases]
        score = columns[k]
        # every control has the same weight 1 / G(h-) (or G(h)), which cancels
        control_scores = np.sort(score[controls])
        below = np.searchsorted(control_scores, score[cases], side="left")
        at_or_below = np.searchsorted(control_scores, score[cases], side="right")
        numerator = float(weight @ (below + at_or_below)) / 2.0
        auc[k] = numerator / (float(weight.sum()) * control_scores.shape[0])
    return auc


def time_dependent_auc(
    time,
    event,
    risk,
    times,
    *,
    train_time=None,
    train_event=None,
    censoring_weights: str = "before",
) -> np.ndarray:
    """Cumulative/dynamic time-dependent AUC at each horizon (IPCW).

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 where the event was observed, 0 where follow-up was censored.
    risk : array-like of shape (n_samples,) or (n_samples, n_times)
        Predicted risk, higher = higher risk; one column per horizon (in the order of
        ``times``) for risks that depend on the horizon (e.g. ``1 - S(t | x)``).
    times : float or array-like of shape (n_times,)
        Horizons, in any order (each computed on its own; no repeats); each needs a
        case and a control.
    train_time, train_event : array-like, default=None
        The data the censoring distribution G is estimated from; None: the data given.
    censoring_weights : {"before", "at", "riskRegression"}, default="before"
        Which patients are evaluable at t and their weights (the controls share one
        weight, which cancels): ``"before"`` (riskml's horizon rule): cases
        ``1 / G(T_i-)``, controls ``time >= t`` without an event by t, so a patient
        censored at t is a control; ``"at"`` (scikit-survival's
        ``cumulative_dynamic_auc``): cases ``1 / G(T_i)``, controls ``time > t``;
        ``"riskRegression"`` (R ``riskRegression::Score``): cases
        ``1 / G(T_i-)``, controls ``time > t``. See Notes and :func:`ipcw_weights`.

    Returns
    -------
    auc : ndarray of shape (n_times,)
        Always an array, in the order of ``times`` (also for a single horizon: take
        ``[0]``). The summary over the horizons is
        :func:`integrated_time_dependent_auc`.

    Notes
    -----
    At horizon t the cases are the patients with an event at or before t and the
    controls those event-free at t. With the default ``"before"`` a patient is
    event-free at t when the follow-up reaches t (``time >= t``) without an event,
    the single definition of :func:`riskml.outcome.horizon_label`: a cohort
    administratively censored exactly at the horizon is evaluable, and with no
    censoring before t the value equals the plain ROC AUC of ``horizon_label``.
    The status of a case is observed when its censoring time is not before its
    event (probability ``G(T_i-)``), that of a control when it is not before t
    (``G(t-)``); ``G`` is the reverse Kaplan-Meier in which events at a time precede
    the censorings at that time. ``AUC(t) = sum_cases sum_controls w_i w_j
    ([r_i > r_j] + [r_i == r_j] / 2) / (sum_cases w_i * sum_controls w_j)``; the
    controls share one weight, which cancels. Censored patients with a time before t
    (or at t with ``"at"`` and ``"riskRegression"``) are neither cases nor controls.

    Where the conventions differ: a censoring tied with an event time before t
    changes the case weight of ``"at"`` only; a censoring exactly at t makes that
    patient a control with ``"before"`` and leaves it out with the other two, so
    ``"riskRegression"`` differs from ``"before"`` exactly when someone is censored
    at t. Without a censoring at an event time or at t all three give the same
    number. ``"riskRegression"`` equals ``riskRegression::Score(..., metrics =
    "auc", cens.model = "km")`` (2022.11.28), which returns NA where there is no
    control (everyone event-free at t censored at t); riskml raises. Risks are tied
    only when exactly equal (scikit-survival: within 1e-8). O(n log n) per horizon.

    References
    ----------
    .. [1] Uno H, Cai T, Tian L, Wei LJ. Evaluating prediction rules for t-year
       survivors with censored regression models. J Am Stat Assoc 2007;102:527-537.
    .. [2] Hung H, Chiang CT. Estimation methods for time-dependent AUC models with
       survival data. Can J Stat 2010;38:8-26.
    .. [3] Blanche P, Dartigues JF, Jacqmin-Gadda H. Estimating and comparing
       time-dependent areas under receiver operating characteristic curves for
       censored event times with competing risks. Stat Med 2013;32:5381-5397
       (timeROC; weights ``G(T_i-)``).

    Examples
    --------
    >>> from riskml.evaluation import time_dependent_auc
    >>> time_dependent_auc([5, 10, 15, 20, 25], [1, 1, 0, 1, 0],
    ...                    [0.9, 0.3, 0.5, 0.1, 0.2], times=[12])
    array([0.83333333])
    """
    function = "time_dependent_auc"
    time, event = _check_event_time(time, event, function)
    censoring_weights = _check_censoring_weights(censoring_weights, function)
    times, order = _check_times(times, function)
    columns = _auc_columns(risk, times, function)
    check_same_length(function, time=time, event=event, risk=columns[0])
    g_times, g_values = _censoring_survival(time, event, train_time, train_event, function)
    return _td_auc(time, event, columns, times, g_times, g_values, censoring_weights, function)


def integrated_time_dependent_auc(
    time,
    event,
    risk,
    times,
    *,
    train_time=None,
    train_event=None,
    censoring_weights: str = "before",
) -> float:
    """Mean of the cumulative/dynamic AUC over horizons, weighted by the Kaplan-Meier drop.

    Parameters
    ----------
    time, event, risk, times, train_time, train_event, censoring_weights
        As :func:`time_dependent_auc`.

    Returns
    -------
    float
        ``sum_k AUC(t_k) (S(t_{k-1}) - S(t_k)) / (1 - S(t_K))`` over the sorted
        horizons, with S the Kaplan-Meier survival of the data given and
        ``S(t_0) = 1``: scikit-survival's ``mean_auc`` of ``cumulative_dynamic_auc``.
        For one horizon it is that horizon's AUC.

    References
    ----------
    .. [1] Lambert J, Chevret S. Summary measure of discrimination in survival
       models based on cumulative/dynamic time-dependent ROC curves. Stat Methods
       Med Res 2016;25:2088-2102.

    Examples
    --------
    >>> from riskml.evaluation import integrated_time_dependent_auc
    >>> round(integrated_time_dependent_auc([5, 10, 15, 20, 25], [1, 1, 0, 1, 0],
    ...                                     [0.9, 0.3, 0.5, 0.1, 0.2], [12, 22]), 4)
    0.7211
    """
    function = "integrated_time_dependent_auc"
    auc = time_dependent_auc(
        time,
        event,
        risk,
        times,
        train_time=train_time,
        train_event=train_event,
        censoring_weights=censoring_weights,
    )
    times, order = _check_times(times, function)
    auc, times = auc[order], times[order]
    if times.shape[0] == 1:
        return float(auc[0])
    time, event = _check_event_time(time, event, function)
    km_times, km_values, _ = kaplan_meier(time, event)
    survival = _step(km_times, km_values, times)
    drop = -np.diff(np.r_[1.0, survival])
    return float(auc @ drop / (1.0 - survival[-1]))
