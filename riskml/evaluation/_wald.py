"""Closed-form (Wald) confidence intervals of the calibration metrics and the Brier score.

Binary outcomes: calibration intercept and slope (logistic likelihood), O:E (log
scale), the Brier score (sampling variance, as R riskRegression's ``Score``) and
Spiegelhalter's null variance of it. Time-to-event outcomes at a horizon: O:E
(Greenwood), the calibration slope (Cox information) and the IPCW Brier score
(influence function). The metric registry names each in its entry's ``intervals``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ._bootstrap import ConfidenceInterval
from ._brier import _as_risk, _brier_ipcw_influence, brier_score
from ._calibration import (
    _check_binary_inputs,
    _check_slope_spread,
    _check_survival_inputs,
    _cox_efron,
    _finite_logit,
    _fit_intercept_slope,
    _fit_offset_intercept,
    _survival_calibration_inputs,
    _survival_oe,
    observed_expected_ratio,
)
from ._ipcw import _check_censoring_weights

__all__ = [
    "binary_wald",
    "survival_wald",
]


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


def binary_wald(name: str):
    """The closed-form interval ``name`` of a binary metric as a registry interval:
    ``interval(event, risk, *, confidence, **bootstrap_options)``."""

    def interval(event, risk, *, confidence, **_bootstrap_options) -> ConfidenceInterval:
        return _wald_interval(name, event, risk, confidence)

    return interval


def survival_wald(name: str):
    """The Wald interval of a time-to-event metric at a horizon as a registry interval:
    ``interval(time, event, risk, horizon, *, confidence, **params)`` (the data checked
    as :func:`survival_metric_ci` checks them)."""

    def interval(time, event, risk, horizon, *, confidence, **options) -> ConfidenceInterval:
        # options: the metric's parameters (survival_metric_ci), or the bootstrap
        # settings metric_interval passes to every interval (ignored but by 'brier')
        function = "survival_metric_ci"
        time, event, risk, horizon = _check_survival_inputs(time, event, risk, horizon, function)
        return _survival_wald_interval(name, time, event, risk, horizon, confidence, options)

    return interval
