"""The calibration and decision-curve tables of a study and of a saved model's
validation, computed by one implementation for every outcome kind.

:class:`riskml.Study` and ``riskml validate`` (:mod:`riskml.deployment`) both show
predicted against observed risk by group of predicted risk and net benefit from 1% to
50% risk; both call :func:`calibration_table` and :func:`decision_curve_table`, so the
two reports group and threshold alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..outcome import aalen_johansen, aalen_johansen_at, kaplan_meier
from ._calibration_survival import survival_calibration
from ._competing import _check_inputs as _check_competing_inputs
from ._competing import competing_calibration
from ._decision_curves import (
    TREAT_ALL,
    TREAT_NONE,
    _check_harm,
    _curve_frame,
    _positive,
    decision_curve,
    decision_curve_survival,
)

__all__ = [
    "DECISION_THRESHOLDS",
    "calibration_table",
    "cumulative_incidence_table",
    "decision_curve_table",
]

#: Risk thresholds of a report's decision curve: 1% to 50%.
DECISION_THRESHOLDS = np.round(np.arange(0.01, 0.51, 0.01), 2)


def _frame(predictions) -> pd.DataFrame:
    if isinstance(predictions, pd.DataFrame):
        return predictions
    if isinstance(predictions, dict):
        return pd.DataFrame(
            {name: np.asarray(risk, dtype=float) for name, risk in predictions.items()}
        )
    raise TypeError(
        "predictions must be a DataFrame or a dict {model name: predicted risk}; got "
        f"{type(predictions).__name__}."
    )


def _probabilities(predictions: pd.DataFrame) -> list:
    """The models whose predictions are probabilities (not linear predictors)."""
    return [
        name
        for name in predictions.columns
        if np.nanmin(predictions[name]) >= 0 and np.nanmax(predictions[name]) <= 1
    ]


def _n_groups(outcome, horizon) -> int:
    """Tenths of predicted risk, fewer with few events (about 5 a group, 3 to 10)."""
    if outcome.is_survival:
        events = int(np.sum(outcome.event & (outcome.time <= horizon)))
    else:
        events = int(min(outcome.event.sum(), (~outcome.event.astype(bool)).sum()))
    return int(np.clip(events // 5, 3, 10))


def _competing_groups(outcome, risk, horizon, n_groups) -> pd.DataFrame:
    """:func:`competing_calibration` in the columns of :func:`survival_calibration`:
    ``n``, ``events`` (of interest by the horizon), ``predicted``, ``observed`` (the
    Aalen-Johansen incidence), and ``low``/``high`` left empty (no interval)."""
    table = competing_calibration(
        outcome.time, outcome.event_type, risk, horizon, n_groups=n_groups
    )
    from ._calibration_groups import _quantile_groups

    group, _ = _quantile_groups(np.asarray(risk, dtype=float), n_groups)
    case = (outcome.event_type == 1) & (outcome.time <= horizon)
    events = [int(case[group == g].sum()) for g in table.index]
    return pd.DataFrame(
        {
            "n": table["n"].to_numpy(),
            "events": events,
            "predicted": table["mean_predicted"].to_numpy(),
            "observed": table["observed"].to_numpy(),
            "low": np.nan,
            "high": np.nan,
        }
    )


def calibration_table(outcome, predictions, horizon=None) -> pd.DataFrame | None:
    """Predicted against observed risk by group of predicted risk, per model.

    Parameters
    ----------
    outcome : Outcome
        Binary, time-to-event or competing-risk.
    predictions : pandas.DataFrame or dict
        Model name -> predicted risk of every patient; models whose predictions are
        not probabilities (a linear predictor) are left out.
    horizon : float, optional
        Days; required for a time-to-event or competing-risk outcome.

    Returns
    -------
    pandas.DataFrame or None
        ``model`` and the columns of the grouping: tenths of predicted risk, fewer
        with few events (at least about 5 events a group, 3 to 10 groups). Binary:
        :func:`calibration_curve` (``method="bins"``); time-to-event:
        :func:`survival_calibration` (Kaplan-Meier observed risk with its interval);
        competing risks: :func:`competing_calibration` (the Aalen-Johansen cumulative
        incidence of the event of interest, ``low`` and ``high`` empty). None without
        a horizon for a time-to-event outcome, or when no model gives probabilities.

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 15.
    .. [2] Gerds TA, Andersen PK, Kattan MW. Calibration plots for risk prediction
       models in the presence of competing risks. Stat Med 2014;33:3191-3203.

    Examples
    --------
    >>> from riskml import Outcome
    >>> from riskml.evaluation import calibration_table
    >>> y = Outcome.binary([0, 0, 1, 1, 0, 1, 0, 1, 0, 0])
    >>> table = calibration_table(y, {"a": [.1, .2, .8, .7, .3, .6, .2, .9, .1, .4]})
    >>> table["model"].unique().tolist(), len(table)
    (['a'], 3)
    """
    from ._calibration import calibration_curve

    predictions = _frame(predictions)
    if outcome.is_survival and horizon is None:
        return None
    n_groups = _n_groups(outcome, horizon)
    tables = []
    for name in _probabilities(predictions):
        risk = predictions[name].to_numpy()
        if outcome.is_competing:
            table = _competing_groups(outcome, risk, horizon, n_groups)
        elif outcome.is_survival:
            table = survival_calibration(
                outcome.time, outcome.event, risk, horizon, n_groups=n_groups
            )
        else:
            table = calibration_curve(
                outcome.event.astype(int), risk, method="bins", n_groups=n_groups
            )
        tables.append(table.assign(model=name))
    if not tables:
        return None
    table = pd.concat(tables, ignore_index=True)
    return table[["model", *[c for c in table.columns if c != "model"]]]


def _competing_rates(time, event_type, risk, thresholds, horizon):
    """``(tp_rate, fp_rate)`` at each threshold: the Aalen-Johansen incidence among the
    treated times their share, as :func:`competing_net_benefit`."""
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
    return tp_rate, fp_rate


def _decision_curve_competing(outcome, predictions, horizon, *, thresholds) -> pd.DataFrame:
    """Decision curves under competing risks, with treat all and treat none.

    Treat all uses the Aalen-Johansen cumulative incidence of the event of interest
    in everyone; each model's net benefit equals :func:`competing_net_benefit`.
    """
    function = "decision_curve_table"
    first = predictions[predictions.columns[0]].to_numpy()
    time, event_type, _, horizon = _check_competing_inputs(
        outcome.time, outcome.event_type, first, horizon, function
    )
    incidence = aalen_johansen_at(time, event_type, horizon, tail="prodlim")
    ones = np.ones_like(thresholds)
    rows = [
        (TREAT_ALL, incidence * ones, (1 - incidence) * ones),
        (TREAT_NONE, 0 * ones, 0 * ones),
    ]
    for name in predictions.columns:
        risk = predictions[name].to_numpy(dtype=float)
        rows.append((name, *_competing_rates(time, event_type, risk, thresholds, horizon)))
    return _curve_frame(rows, thresholds, _check_harm(0.0, list(predictions.columns), function))


def decision_curve_table(outcome, predictions, horizon=None) -> pd.DataFrame | None:
    """Net benefit by risk threshold (1% to 50%) of every model giving probabilities.

    Parameters
    ----------
    outcome : Outcome
        Binary, time-to-event or competing-risk.
    predictions : pandas.DataFrame or dict
        Model name -> predicted risk; models whose predictions are not probabilities
        are left out.
    horizon : float, optional
        Days; required for a time-to-event or competing-risk outcome.

    Returns
    -------
    pandas.DataFrame or None
        The table of :func:`decision_curve` (binary), :func:`decision_curve_survival`
        (time-to-event, Kaplan-Meier among the treated) or, for competing risks, the
        Aalen-Johansen incidence of the event of interest among the treated
        (:func:`competing_net_benefit`; treat all: everyone's), at the thresholds of
        :data:`DECISION_THRESHOLDS`. None without a horizon for a time-to-event
        outcome, or when no model gives probabilities.

    References
    ----------
    .. [1] Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating
       prediction models. Med Decis Making 2006;26:565-574.
    .. [2] Vickers AJ, Cronin AM, Elkin EB, Gonen M. Extensions to decision curve
       analysis. BMC Med Inform Decis Mak 2008;8:53.

    Examples
    --------
    >>> from riskml import Outcome
    >>> from riskml.evaluation import decision_curve_table
    >>> y = Outcome.binary([0, 0, 1, 1, 0, 1, 0, 1, 0, 0])
    >>> curve = decision_curve_table(y, {"a": [.1, .2, .8, .7, .3, .6, .2, .9, .1, .4]})
    >>> curve["model"].unique().tolist()
    ['Treat all', 'Treat none', 'a']
    """
    predictions = _frame(predictions)
    if outcome.is_survival and horizon is None:
        return None
    models = predictions[_probabilities(predictions)]
    if models.shape[1] == 0:
        return None
    if outcome.is_competing:
        return _decision_curve_competing(outcome, models, horizon, thresholds=DECISION_THRESHOLDS)
    if outcome.is_survival:
        return decision_curve_survival(
            outcome.time, outcome.event, models, horizon, thresholds=DECISION_THRESHOLDS
        )
    return decision_curve(outcome.event.astype(int), models, thresholds=DECISION_THRESHOLDS)


#: The estimator column of :func:`cumulative_incidence_table`.
AALEN_JOHANSEN = "Aalen-Johansen"
NAIVE_KAPLAN_MEIER = "1 - Kaplan-Meier (competing events censored)"


def cumulative_incidence_table(outcome, horizon=None) -> pd.DataFrame:
    """Cumulative incidence by event type, and what censoring the competing events gives.

    Parameters
    ----------
    outcome : Outcome
        A competing-risk outcome (:meth:`riskml.Outcome.competing`).
    horizon : float, optional
        Days; when given, ``attrs["at_horizon"]`` holds each curve's value there.

    Returns
    -------
    pandas.DataFrame
        One row per curve and distinct follow-up time: ``event_type`` (1 the event of
        interest, 2, 3, ... competing), ``estimator`` (``"Aalen-Johansen"``, or for
        event type 1 also ``"1 - Kaplan-Meier (competing events censored)"``),
        ``time`` and ``risk`` (right-continuous steps, 0 before the first time).
        ``attrs["at_horizon"]``: a DataFrame of ``event_type``, ``estimator`` and
        ``risk`` at the horizon, with the naive estimate's ``overstatement`` (its
        risk over the Aalen-Johansen risk of event type 1).

    Notes
    -----
    ``1 - Kaplan-Meier`` with the competing events censored estimates the risk in a
    world where they could not happen; it is never below the Aalen-Johansen
    incidence and overstates the risk a patient faces (Wolbers et al. 2009; Austin,
    Lee & Fine 2016).

    References
    ----------
    .. [1] Aalen OO, Johansen S. An empirical transition matrix for non-homogeneous
       Markov chains based on censored observations. Scand J Stat 1978;5:141-150.
    .. [2] Austin PC, Lee DS, Fine JP. Introduction to the analysis of survival data in
       the presence of competing risks. Circulation 2016;133:601-609.

    Examples
    --------
    >>> from riskml import Outcome
    >>> from riskml.evaluation import cumulative_incidence_table
    >>> y = Outcome.competing([2, 3, 4, 5, 6], [1, 2, 1, 0, 1])
    >>> table = cumulative_incidence_table(y, horizon=4.5)
    >>> table.attrs["at_horizon"]["risk"].round(4).tolist()
    [0.4, 0.2, 0.4667]
    """
    if not getattr(outcome, "is_competing", False):
        raise ValueError(
            "cumulative_incidence_table needs a competing-risk outcome, "
            "Outcome.competing(time, event_type); got a "
            f"{getattr(outcome, 'kind', type(outcome).__name__)} outcome."
        )
    time, event_type = outcome.time, outcome.event_type
    frames, at = [], []
    for cause in sorted(int(k) for k in np.unique(event_type) if k > 0):
        times, incidence, _ = aalen_johansen(time, event_type, cause=cause)
        frames.append(_curve(cause, AALEN_JOHANSEN, times, incidence))
    times, survival, _ = kaplan_meier(time, event_type == 1)
    frames.append(_curve(1, NAIVE_KAPLAN_MEIER, times, 1.0 - survival))
    table = pd.concat(frames, ignore_index=True)
    if horizon is not None:
        for (cause, estimator), curve in table.groupby(["event_type", "estimator"], sort=False):
            before = curve[curve["time"] <= float(horizon)]
            at.append((cause, estimator, float(before["risk"].iloc[-1]) if len(before) else 0.0))
        at_horizon = pd.DataFrame(at, columns=["event_type", "estimator", "risk"])
        reference = at_horizon.loc[
            (at_horizon["event_type"] == 1) & (at_horizon["estimator"] == AALEN_JOHANSEN), "risk"
        ].iloc[0]
        at_horizon["overstatement"] = np.where(
            at_horizon["estimator"] == NAIVE_KAPLAN_MEIER,
            at_horizon["risk"] / reference if reference > 0 else np.nan,
            np.nan,
        )
        table.attrs["at_horizon"] = at_horizon
    return table


def _curve(cause, estimator, times, risk) -> pd.DataFrame:
    return pd.DataFrame({"event_type": cause, "estimator": estimator, "time": times, "risk": risk})
