"""Recalibration of a :class:`PublishedModel` to a local cohort: intercept, intercept and
slope, refit of the coefficients, or a Kaplan-Meier baseline (Cox-type models).

The intercept and slope fits are riskml's (:func:`riskml.evaluation.recalibrate_intercept`,
:func:`riskml.evaluation.recalibrate_logistic`), the refit is
:class:`riskml.models.LogisticRisk` (R's ``glm``) and the baseline survival riskml's
Kaplan-Meier estimator, as for :class:`~riskml.models.FraminghamScore`.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import expit

from ...evaluation import recalibrate_intercept, recalibrate_logistic
from ._recalibration import kaplan_meier_survival
from .framingham import _logit

__all__ = ["fit_recalibration", "recalibrated_risk"]

_TINY = np.finfo(float).eps


def _label(model, outcome):
    """The 0/1 label "event by the horizon" and the rows evaluable there."""
    if outcome.is_survival:
        label = outcome.at_horizon(model.horizon_)
    else:
        label = outcome.event.astype(float)
    keep = ~np.isnan(label)
    if not keep.any():
        raise ValueError(
            f"recalibration needs patients evaluable at horizon={model.horizon_:g}: all "
            f"{len(label)} were censored before it. Choose a shorter horizon."
        )
    label = label[keep]
    if label.min() == label.max():
        raise ValueError(
            "recalibration needs events and non-events"
            + (f" by horizon={model.horizon_:g}" if outcome.is_survival else "")
            + f"; the {label.size} evaluable training patients all have outcome "
            f"{int(label[0])}. Use the published model or another horizon."
        )
    return label, keep


def fit_recalibration(model, method, outcome, values) -> None:
    """Learn ``method`` on the training data, setting the model's fitted attributes."""
    index, contributions, offset = model._published_parts(values)
    linear = contributions.sum(axis=1).to_numpy() + offset
    if method == "km":
        _fit_kaplan_meier(model, outcome, index, linear)
        return
    label, keep = _label(model, outcome)
    if method == "refit":
        _fit_refit(model, label, keep, index, values)
        return
    risk = np.clip(model._published_risk(index, linear)[keep], _TINY, 1.0 - _TINY)
    fit = recalibrate_intercept if method == "intercept" else recalibrate_logistic
    try:
        fitted = fit(label, risk)
    except ValueError as error:
        raise ValueError(
            f"recalibrate={method!r} did not converge: the published model separates the "
            "training events from the non-events (or is constant), so there is no finite "
            "maximum-likelihood estimate. Use recalibrate='intercept', or a larger cohort."
        ) from error
    model.calibration_intercept_ = float(fitted.intercept_)
    model.calibration_slope_ = float(fitted.slope_)
    model.n_recalibration_ = int(label.size)


def _fit_kaplan_meier(model, outcome, index, linear) -> None:
    definition = model.definition
    if definition.link != "cox":
        raise ValueError(
            f"recalibrate='km' replaces a Cox-type model's baseline survival, but "
            f"{definition.name!r} is a logistic model. Use recalibrate='intercept' or 'slope'."
        )
    pooled = kaplan_meier_survival(outcome, model.horizon_)
    if pooled is None:
        raise ValueError(
            "recalibration needs events: y has no event"
            + (f" by horizon={model.horizon_:g}" if outcome.is_survival else "")
            + ". Use the published model (recalibrate=False) or a longer horizon."
        )
    baseline, means = {}, {}
    for position, equation in enumerate(definition.equations):
        mask = index == position
        s0 = kaplan_meier_survival(outcome[mask], model.horizon_) if mask.any() else None
        if s0 is None:
            warnings.warn(
                f"no training patients of equation {equation.label!r}"
                + (" with an event" if mask.any() else "")
                + "; their recalibrated baseline survival is the pooled one.",
                UserWarning,
                stacklevel=4,
            )
            s0 = pooled
        baseline[equation.label] = float(s0)
        # linear holds "- mean" already: the cohort mean of sum(beta x) is mean + lp mean
        means[equation.label] = (
            float(equation.mean + linear[mask].mean()) if mask.any() else float(equation.mean)
        )
    model.baseline_survival_ = baseline
    model.mean_linear_predictor_ = means
    model.n_recalibration_ = len(outcome)


def _fit_refit(model, label, keep, index, values) -> None:
    from .._linear import LogisticRisk

    definition = model.definition
    _, terms = model._terms(values)
    refit = {}
    for position, equation in enumerate(definition.equations):
        rows = keep & (index == position)
        used = [t for t in terms.columns if t in equation.coefficients]
        y = label[(index == position)[keep]]
        if not rows.any() or y.min() == y.max():
            raise ValueError(
                f"recalibrate='refit' re-estimates each equation on its own patients; equation "
                f"{equation.label!r} has {int(rows.sum())} evaluable training patients with "
                f"{int(y.sum()) if rows.any() else 0} events. It needs events and non-events: "
                "use recalibrate='slope' (one recalibration for all equations)."
            )
        fitted = LogisticRisk().fit(terms.loc[rows, used], y.astype(int))
        coefficients = {"intercept": float(fitted.intercept_)}
        coefficients.update({t: float(fitted.coef_[t]) for t in used})
        refit[equation.label] = coefficients
    model.refit_coefficients_ = refit
    model.n_recalibration_ = int(keep.sum())


def recalibrated_risk(model, method, index, values, linear) -> np.ndarray:
    """The risk at ``horizon_`` of a fitted recalibration."""
    definition = model.definition
    if method in ("intercept", "slope"):
        risk = model._published_risk(index, linear)
        return expit(model.calibration_intercept_ + model.calibration_slope_ * _logit(risk))
    labels = [e.label for e in definition.equations]
    if method == "km":
        s0 = np.array([model.baseline_survival_[k] for k in labels])[index]
        mean = np.array([model.mean_linear_predictor_[k] for k in labels])[index]
        means = np.array([e.mean for e in definition.equations])[index]
        return -np.expm1(np.exp(linear + means - mean) * np.log(s0))
    _, terms = model._terms(values)
    out = np.empty(len(values))
    for position, label in enumerate(labels):
        rows = index == position
        table = model.refit_coefficients_[label]
        lp = table["intercept"] + sum(
            terms.loc[rows, t].to_numpy() * beta for t, beta in table.items() if t != "intercept"
        )
        out[rows] = expit(lp)
    return out
