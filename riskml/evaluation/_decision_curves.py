"""Clinical utility: net benefit and decision curves (Vickers & Elkin 2006), for
binary outcomes and, with Kaplan-Meier, at a horizon.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..outcome import kaplan_meier_at
from ..utils.validation import check_option, check_random_state
from ._bootstrap import _check_interval_n_boot, _check_n_boot, _counts, _resample_chunks
from ._calibration import (
    _check_binary_inputs,
    _check_binary_outcome,
    _check_probabilities,
    _check_survival_inputs,
)
from ._checks import check_confidence_level, check_time_array

__all__ = [
    "TREAT_ALL",
    "TREAT_NONE",
    "decision_curve",
    "decision_curve_survival",
    "net_benefit",
    "net_benefit_at",
    "net_benefit_survival",
]


TREAT_ALL = "Treat all"
TREAT_NONE = "Treat none"


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


# -- bootstrap bands -----------------------------------------------------------------------
def _check_bands(n_boot, confidence, random_state, function: str):
    """``(n_boot, confidence, rng)`` of a band; ``n_boot=None``: no band."""
    if n_boot is None:
        return None, None, None
    confidence = check_confidence_level(confidence, function)
    n_boot = _check_interval_n_boot(_check_n_boot(n_boot, function), confidence, function)
    return n_boot, confidence, check_random_state(random_state, function)


def _with_bands(frame: pd.DataFrame, replicates: np.ndarray, confidence: float) -> pd.DataFrame:
    """``net_benefit_low``/``_high``: percentiles of each row's finite replicates.

    ``replicates`` has one column per row of ``frame`` (the same order); a replicate whose
    net benefit is undefined (NaN: nobody treated followed to the horizon) is left out.
    """
    levels = ((1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0)
    finite = np.isfinite(replicates)
    bounds = np.full((2, replicates.shape[1]), np.nan)
    for column in np.flatnonzero(finite.any(axis=0)):
        bounds[:, column] = np.quantile(replicates[finite[:, column], column], levels)
    frame = frame.copy()
    frame["net_benefit_low"], frame["net_benefit_high"] = bounds
    frame["n_degenerate"] = (~finite).sum(axis=0)
    return frame


def _binary_band_replicates(event, models, thresholds, harm, n_boot, rng) -> np.ndarray:
    """Net benefit of every (strategy, threshold) in each replicate: ``(n_boot, rows)``."""
    n = event.shape[0]
    odds = thresholds / (1.0 - thresholds)
    positives = {name: _positive(prob, thresholds).astype(float) for name, prob in models.items()}
    parts = []
    for chunk in _resample_chunks(n, n_boot, rng):
        weights = _counts(chunk, n)
        prevalence = (weights @ event) / n
        curves = [prevalence[:, None] - (1.0 - prevalence[:, None]) * odds]
        curves.append(np.zeros((weights.shape[0], thresholds.shape[0])))
        for name, positive in positives.items():
            tp_rate = (weights * event) @ positive.T / n
            fp_rate = (weights * ~event) @ positive.T / n
            curves.append(_net_benefit(tp_rate, fp_rate, thresholds) - harm.get(name, 0.0))
        parts.append(np.hstack(curves))
    return np.vstack(parts)


def _survival_band_replicates(time, event, models, thresholds, horizon, tail, harm, n_boot, rng):
    """As :func:`_binary_band_replicates` at a horizon: Kaplan-Meier re-estimated in each."""
    n = time.shape[0]
    rows = []
    for chunk in _resample_chunks(n, n_boot, rng):
        for index in chunk:
            survival, _ = kaplan_meier_at(time[index], event[index], horizon, tail=tail)
            treat_all = _net_benefit(1.0 - survival, survival, thresholds)
            curves = [treat_all * np.ones_like(thresholds), np.zeros_like(thresholds)]
            for name, prob in models.items():
                rates = _survival_rates(
                    time[index], event[index], prob[index], thresholds, horizon, tail
                )
                curves.append(_net_benefit(*rates, thresholds) - harm.get(name, 0.0))
            rows.append(np.concatenate(curves))
    return np.vstack(rows)


def decision_curve(
    y_true,
    predictions,
    *,
    thresholds=None,
    harm=0.0,
    n_boot=None,
    confidence: float = 0.95,
    random_state=None,
) -> pd.DataFrame:
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
    n_boot : int, default=None
        Bootstrap replicates of a percentile band around every curve (e.g. 1000); None:
        no band. Patients are resampled as a whole (not within classes), so the band
        carries the uncertainty of the prevalence too, as R ``rmda::decision_curve``.
    confidence : float, default=0.95
        Coverage of the band.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the band's resamples.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per (model, threshold): ``model``, ``threshold``,
        ``net_benefit``, ``tp_rate``, ``fp_rate`` (true and false positives per
        patient) and ``net_interventions_avoided``: ``(NB - NB_treat_all) / (t /
        (1 - t))`` per patient (dcurves' ``net_intervention_avoided`` with
        ``nper = 1``; NaN at t = 0). The rows of ``"Treat all"`` and
        ``"Treat none"`` come first. With ``n_boot``: ``net_benefit_low``,
        ``net_benefit_high`` (pointwise percentile band) and ``n_degenerate``
        (replicates where the net benefit is undefined, left out of the band).

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
    harm = _check_harm(harm, list(models), function)
    n_boot, confidence, rng = _check_bands(n_boot, confidence, random_state, function)
    frame = _curve_frame(rows, thresholds, harm)
    if n_boot is None:
        return frame
    replicates = _binary_band_replicates(event, models, thresholds, harm, n_boot, rng)
    return _with_bands(frame, replicates, confidence)


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
            survival, _ = kaplan_meier_at(time[treated], event[treated], horizon, tail=tail)
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
    n_boot=None,
    confidence: float = 0.95,
    random_state=None,
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
    n_boot : int, default=None
        Bootstrap replicates of a percentile band around every curve; None: no band.
        Patients are resampled as a whole and every Kaplan-Meier estimate is made
        again in each replicate (one estimate per distinct treated group), so a band
        costs about ``n_boot`` times the curves.
    confidence : float, default=0.95
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    pandas.DataFrame
        As :func:`decision_curve`; treat all uses the Kaplan-Meier risk of everyone.
        A replicate whose net benefit is undefined at a threshold (the treated
        group's follow-up ends before the horizon, see ``convention``) is left out of
        that threshold's band and counted in ``n_degenerate``.

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
    survival, _ = kaplan_meier_at(time, event, horizon, tail=tail)
    ones = np.ones_like(thresholds)
    rows = [
        (TREAT_ALL, (1 - survival) * ones, survival * ones),
        (TREAT_NONE, 0 * ones, 0 * ones),
    ]
    rows += [
        (name, *_survival_rates(time, event, prob, thresholds, horizon, tail))
        for name, prob in models.items()
    ]
    harm = _check_harm(harm, list(models), function)
    n_boot, confidence, rng = _check_bands(n_boot, confidence, random_state, function)
    frame = _curve_frame(rows, thresholds, harm)
    if n_boot is None:
        return frame
    replicates = _survival_band_replicates(
        time, event, models, thresholds, horizon, tail, harm, n_boot, rng
    )
    return _with_bands(frame, replicates, confidence)


def net_benefit_at(*data, threshold, convention=None) -> float:
    """Net benefit at one risk threshold: the metric registry's ``net_benefit``.

    ``data`` is ``(event, risk)`` for a binary outcome (:func:`net_benefit`) or
    ``(time, event, risk, horizon)`` for a time-to-event one
    (:func:`net_benefit_survival`, whose ``convention`` defaults to
    ``"kaplan_meier"``).
    """
    if len(data) == 2:
        if convention is not None:
            raise TypeError(
                "the net benefit of a binary outcome takes no convention (it is the "
                f"Kaplan-Meier or dcurves choice at a horizon); got convention={convention!r}."
            )
        return float(net_benefit(*data, thresholds=[threshold])[0])
    convention = "kaplan_meier" if convention is None else convention
    return float(net_benefit_survival(*data, thresholds=[threshold], convention=convention)[0])
