"""Decisions at a risk threshold and the partial AUC, as metric registry entries.

Each entry computes one number of :func:`threshold_statistics` or :func:`partial_auc`
(the functions checked against R ``pROC``; at a horizon, IPCW-weighted as
``riskRegression::Score``), so a study's summary equals them. Binary entries take
``(event, risk, **params)``, time-to-event ones ``(time, event, risk, horizon,
**params)``. Intervals are percentile bootstraps over patients, class-stratified for a
binary outcome (as ``pROC::ci.coords``).

========================  =============================================================
name                      meaning
========================  =============================================================
``sensitivity``           share of the events with ``risk >= threshold``
``specificity``           share of the non-events with ``risk < threshold``
``ppv``                   share of the positives (``risk >= threshold``) with the event
``npv``                   share of the negatives without the event
``accuracy``              share classified correctly
``partial_auc``           area under the ROC curve over a range of specificity or
                          sensitivity, optionally McClish-standardised
========================  =============================================================

The first five need ``metric_params={name: {"threshold": t}}``; ``partial_auc`` needs
``{"specificity": (low, high)}`` or ``{"sensitivity": (low, high)}`` and takes
``correct`` (McClish).
"""

from __future__ import annotations

import numbers

import numpy as np

from ._ipcw import _check_censoring_weights
from ._metric_registry import Metric
from ._partial_auc import _check_range, partial_auc
from ._thresholds import threshold_statistics

__all__ = ["THRESHOLD_METRICS"]

#: The statistics of a 2x2 table registered as metrics: (name, label, what is undefined).
_STATISTICS = (
    ("sensitivity", "sensitivity", "no events"),
    ("specificity", "specificity", "no non-events"),
    ("ppv", "PPV", "nobody at or above the threshold"),
    ("npv", "NPV", "nobody below the threshold"),
    ("accuracy", "accuracy", "no patients"),
)


def _outcome(data):
    """``(y, risk, horizon)`` of a metric function's data: binary ``(event, risk)`` or
    time-to-event ``(time, event, risk, horizon)``."""
    if len(data) == 2:
        return data[0], data[1], None
    from ..outcome import Outcome

    time, event, risk, horizon = data
    return Outcome.survival(time, event), risk, horizon


def _threshold_statistic(statistic: str, undefined: str):
    def value(*data, threshold, censoring_weights="before"):
        y, risk, horizon = _outcome(data)
        options = {} if horizon is None else {"censoring_weights": censoring_weights}
        table = threshold_statistics(y, risk, [threshold], horizon=horizon, n_boot=0, **options)
        result = float(table.summary[statistic].iloc[0])
        if not np.isfinite(result):
            raise ValueError(
                f"{statistic} at the threshold {threshold:g} is undefined: {undefined}."
            )
        return result

    value.__name__ = statistic
    return value


def _threshold_batch(statistic: str):
    """The binary statistic of every bootstrap resample (rows of 2-D arrays); NaN where
    undefined. Counts divided as :func:`threshold_statistics` does, so equal to it."""

    def batch(event, risk, *, threshold):
        event = np.asarray(event, dtype=bool)
        positive = np.asarray(risk, dtype=float) >= threshold
        tp = (positive & event).sum(axis=1).astype(float)
        fp = (positive & ~event).sum(axis=1).astype(float)
        cases = event.sum(axis=1).astype(float)
        controls = (~event).sum(axis=1).astype(float)
        fn, tn = cases - tp, controls - fp
        with np.errstate(divide="ignore", invalid="ignore"):
            return {
                "sensitivity": lambda: tp / cases,
                "specificity": lambda: tn / controls,
                "ppv": lambda: tp / (tp + fp),
                "npv": lambda: tn / (tn + fn),
                "accuracy": lambda: (tp + tn) / (cases + controls),
            }[statistic]()

    batch.__name__ = f"{statistic}_batch"
    return batch


def _threshold_check(name: str):
    def check(value, function: str) -> float:
        real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not real or not 0 < value < 1:
            hint = f" For {value:g}% pass {value / 100:g}." if real and 1 <= value < 100 else ""
            raise ValueError(
                f"the 'threshold' of {name} in {function} must be a risk in (0, 1) at or above "
                f"which a patient counts as positive, e.g. 0.2; got {value!r}.{hint}"
            )
        return float(value)

    return check


def _range_check(focus: str):
    def check(value, function: str) -> tuple[float, float]:
        arguments = {"specificity": None, "sensitivity": None, focus: value}
        _, low, high = _check_range(
            arguments["specificity"], arguments["sensitivity"], f"partial_auc in {function}"
        )
        return (low, high)

    return check


def _check_correct(value, function: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(
            f"the 'correct' of partial_auc in {function} must be True (McClish's "
            f"standardisation) or False (the raw area); got {value!r}."
        )
    return bool(value)


def _one_range(params, function: str) -> None:
    """partial_auc takes exactly one of specificity and sensitivity."""
    given = [key for key in ("specificity", "sensitivity") if key in params]
    if len(given) != 1:
        raise ValueError(
            f"{function}: 'partial_auc' is the area over a range of the ROC curve and needs "
            "exactly one of specificity=(low, high) or sensitivity=(low, high); pass e.g. "
            "metric_params={'partial_auc': {'specificity': (0.9, 1.0)}}"
            + (f" (got both {given})." if given else ".")
        )


def _partial_auc(*data, censoring_weights="before", **params):
    y, risk, horizon = _outcome(data)
    options = {} if horizon is None else {"censoring_weights": censoring_weights}
    return partial_auc(y, risk, horizon=horizon, **params, **options)


def _required_threshold(name: str) -> dict:
    return {
        "threshold": "is evaluated at a risk threshold; pass metric_params={"
        f"'{name}': {{'threshold': 0.2}}}} (a patient with risk >= threshold is positive)."
    }


_PARTIAL_AUC_PARAMS = {
    "specificity": _range_check("specificity"),
    "sensitivity": _range_check("sensitivity"),
    "correct": _check_correct,
}
_REFERENCES = {
    "binary": "Altman & Bland 1994 (2x2 table at a threshold; as pROC::coords)",
    "survival": "Blanche et al. 2013 (IPCW 2x2 table at the horizon; as riskRegression::Score)",
}


def _entries(kind: str) -> tuple[Metric, ...]:
    survival = kind == "survival"
    weights = {"censoring_weights": _check_censoring_weights} if survival else {}
    at_horizon = {"needs_horizon": survival}
    threshold_entries = tuple(
        Metric(
            name,
            kind,
            _threshold_statistic(name, undefined),
            label,
            needs_probability=True,
            reference=_REFERENCES[kind],
            batch=None if survival else _threshold_batch(name),
            section="utility",
            params={"threshold": _threshold_check(name), **weights},
            required_params=_required_threshold(name),
            **at_horizon,
        )
        for name, label, undefined in _STATISTICS
    )
    partial = Metric(
        "partial_auc",
        kind,
        _partial_auc,
        "partial AUC",
        reference="McClish 1989 (as pROC::auc(partial.auc=))",
        section="discrimination",
        params={**_PARTIAL_AUC_PARAMS, **weights},
        check_params=_one_range,
        **at_horizon,
    )
    return (*threshold_entries, partial)


#: The entries, binary then time-to-event, in the order reports list them.
THRESHOLD_METRICS = (*_entries("binary"), *_entries("survival"))
