"""Input checks of the calibration measures: outcomes, probabilities, a horizon.

Each public calibration function (binary or time-to-event) checks its arguments here
first; :mod:`riskml.evaluation._utility` and :mod:`riskml.evaluation._plots` share them.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..utils.validation import check_event_array, check_one_dimensional, check_same_length
from ._checks import check_array_argument, check_time_array, describe_number, warn_degenerate

_LINEAR_PREDICTOR_HINT = (
    "A survival model's predict_risk(X) without a horizon returns a linear predictor "
    "(log relative hazard), not a probability: call predict_risk(X, horizon=days) to get "
    "the risk of the event by the horizon."
)
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
