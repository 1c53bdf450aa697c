"""Class imbalance: samplers by name, and recalibration of risks after resampling or weighting.

Resampling (undersampling, oversampling, SMOTE) and class weights change the event
rate a model is fitted to, and therefore its risks: a model fitted on a 50:50
undersample predicts about 50% where the true risk is 10%. A
:class:`~riskml.models.RiskPipeline` therefore maps the risks back to the event
rate of the original training fold (``recalibrate``), and
:func:`describe_imbalance_handling` states what was done for the report
(TRIPOD+AI item 13).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from ..evaluation import recalibrate_intercept, recalibrate_logistic

__all__ = [
    "RECALIBRATION_METHODS",
    "SAMPLERS",
    "Recalibration",
    "describe_imbalance_handling",
    "make_sampler",
]

#: Sampler names accepted by :func:`make_sampler` (and ``make_model(sampler=...)``).
SAMPLERS = {
    "undersample": "random undersampling of the majority class to a 1:1 ratio "
    "(imbalanced-learn RandomUnderSampler)",
    "oversample": "random oversampling of the minority class to a 1:1 ratio "
    "(imbalanced-learn RandomOverSampler)",
    "smote": "SMOTE synthetic minority oversampling to a 1:1 ratio (Chawla 2002; "
    "imbalanced-learn SMOTE)",
}

#: Values of ``RiskPipeline(recalibrate=...)``.
RECALIBRATION_METHODS = ("prior", "intercept", "logistic")

_DESCRIBE_METHOD = {
    "prior": "by prior correction (the log odds shifted by log(original odds / fitted odds) "
    "of the event, learned from the class counts of the training fold)",
    "intercept": "by logistic recalibration of the intercept (slope fixed at 1) fitted on "
    "the original, un-resampled training fold",
    "logistic": "by logistic recalibration (intercept and slope) fitted on the original, "
    "un-resampled training fold",
}


def make_sampler(sampler, random_state=0):
    """An unfitted imbalanced-learn sampler from a name or an instance.

    Parameters
    ----------
    sampler : {"undersample", "oversample", "smote"} or sampler
        A name from :data:`SAMPLERS`, or an object with ``fit_resample`` (cloned).
    random_state : int, default=0

    Returns
    -------
    sampler

    Examples
    --------
    >>> from riskml.models import make_sampler
    >>> make_sampler("undersample", random_state=0)
    RandomUnderSampler(random_state=0)
    """
    if hasattr(sampler, "fit_resample"):
        return clone(sampler)
    if sampler == "undersample":
        from imblearn.under_sampling import RandomUnderSampler

        return RandomUnderSampler(random_state=random_state)
    if sampler == "oversample":
        from imblearn.over_sampling import RandomOverSampler

        return RandomOverSampler(random_state=random_state)
    if sampler == "smote":
        from imblearn.over_sampling import SMOTE

        return SMOTE(random_state=random_state)
    raise ValueError(
        f"unknown sampler {sampler!r}; choose one of {list(SAMPLERS)} or pass an "
        "imbalanced-learn sampler (an object with fit_resample)."
    )


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-15, 1.0 - 1e-15)
    return np.log(p) - np.log1p(-p)


def _expit(z: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(z)


@dataclass(frozen=True)
class Recalibration:
    """A fitted map of risks back to the original event rate: ``expit(a + b logit(p))``.

    Attributes
    ----------
    method : {"prior", "intercept", "logistic"}
    intercept, slope : float
        ``a`` and ``b``.
    event_rate_original : float
        Event rate of the training fold before resampling.
    event_rate_fitted : float
        (Weighted) event rate of the data the model was fitted on.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> model = rk.models.make_model("logistic", sampler="undersample")
    >>> model = model.fit(cohort.features, cohort.outcome.event)
    >>> recalibration = model.recalibration_
    >>> recalibration.method, round(recalibration.event_rate_fitted, 3)
    ('prior', 0.5)
    """

    method: str
    intercept: float
    slope: float
    event_rate_original: float
    event_rate_fitted: float

    def apply(self, risk) -> np.ndarray:
        """Recalibrated risks."""
        return _expit(self.intercept + self.slope * _logit(risk))


def class_weight_pair(final, y_fitted: np.ndarray) -> tuple[float, float] | None:
    """``(w0, w1)``: the class weights the final model applied, or None when unweighted."""
    spw = getattr(final, "scale_pos_weight_", getattr(final, "scale_pos_weight", None))
    if spw is not None and not isinstance(spw, str) and float(spw) != 1.0:
        return 1.0, float(spw)
    weight = getattr(final, "class_weight", None)
    if weight is None:
        return None
    y_fitted = np.asarray(y_fitted).astype(int)
    if isinstance(weight, str):  # "balanced" (and "balanced_subsample", on average)
        n = y_fitted.size
        counts = np.bincount(y_fitted, minlength=2).astype(float)
        return n / (2.0 * counts[0]), n / (2.0 * counts[1])
    return float(weight.get(0, 1.0)), float(weight.get(1, 1.0))


def fit_recalibration(method, y_original, y_fitted, weights, risk_original) -> Recalibration:
    """Fit the map from the sampled/weighted model's risks back to the original event rate.

    Parameters
    ----------
    method : {"prior", "intercept", "logistic"}
    y_original : array of 0/1
        Labels of the original training fold.
    y_fitted : array of 0/1
        Labels the final model was fitted on (after any sampler).
    weights : (float, float) or None
        Class weights the final model applied.
    risk_original : callable
        Returns the model's (uncalibrated) risks for the original training fold;
        called only by the methods that need them.
    """
    y_original = np.asarray(y_original).astype(int)
    y_fitted = np.asarray(y_fitted).astype(int)
    w0, w1 = weights if weights is not None else (1.0, 1.0)
    n1_fit, n0_fit = w1 * float((y_fitted == 1).sum()), w0 * float((y_fitted == 0).sum())
    n1, n0 = float((y_original == 1).sum()), float((y_original == 0).sum())
    rate_original = n1 / (n1 + n0)
    rate_fitted = n1_fit / (n1_fit + n0_fit)
    if method == "prior":
        intercept = np.log(n1 / n0) - np.log(n1_fit / n0_fit)
        return Recalibration(method, float(intercept), 1.0, rate_original, rate_fitted)
    # one logistic recalibration for the whole package (riskml.evaluation); risks of
    # exactly 0 or 1 (a forest's empty leaves) are kept, just inside the unit interval
    risk = np.clip(np.asarray(risk_original(), dtype=float), 1e-15, 1.0 - 1e-15)
    recalibrate = recalibrate_intercept if method == "intercept" else recalibrate_logistic
    fitted = recalibrate(y_original, risk)
    return Recalibration(
        method, float(fitted.intercept_), float(fitted.slope_), rate_original, rate_fitted
    )


def _sampler_description(sampler) -> str:
    name = type(sampler).__name__
    known = {
        "RandomUnderSampler": SAMPLERS["undersample"],
        "RandomOverSampler": SAMPLERS["oversample"],
        "SMOTE": SAMPLERS["smote"],
    }
    text = known.get(name, f"{name} (imbalanced-learn)")
    strategy = getattr(sampler, "sampling_strategy", "auto")
    if strategy != "auto":
        text = text.replace(" to a 1:1 ratio", "") + f", sampling_strategy={strategy!r}"
    return text


def _weight_description(final) -> str | None:
    spw = getattr(final, "scale_pos_weight", None)
    if spw is not None and (isinstance(spw, str) or float(spw) != 1.0):
        return f"events weighted by scale_pos_weight={spw!r} in {type(final).__name__}"
    weight = getattr(final, "class_weight", None)
    if weight is not None:
        return f"class weights class_weight={weight!r} in {type(final).__name__}"
    return None


def describe_imbalance_handling(pipeline) -> str:
    """One paragraph for the report on how class imbalance was handled (TRIPOD+AI 13).

    Parameters
    ----------
    pipeline : RiskPipeline or estimator
        Fitted or not; a fitted pipeline adds the event rates and the fitted
        recalibration.

    Returns
    -------
    str

    Examples
    --------
    >>> from riskml.models import describe_imbalance_handling, make_model
    >>> describe_imbalance_handling(make_model("logistic"))
    'Class imbalance: no resampling or class weighting; models were fitted to the observed event rate.'
    """
    steps = list(getattr(pipeline, "steps", [("model", pipeline)]))
    final = steps[-1][1]
    samplers = [s for _, s in steps[:-1] if hasattr(s, "fit_resample")]
    parts = [_sampler_description(s) for s in samplers]
    weighting = _weight_description(final)
    if weighting:
        parts.append(weighting)
    if not parts:
        return (
            "Class imbalance: no resampling or class weighting; models were fitted to the "
            "observed event rate."
        )
    text = "Class imbalance: " + "; ".join(parts) + ", applied in each training fold only"
    method = getattr(pipeline, "recalibrate", None)
    if method is None:
        return (
            text
            + ". Predicted risks were NOT recalibrated, so they reflect the "
            + ("resampled or weighted event rate, not the cohort's.")
        )
    text += (
        f". Predicted risks were mapped back to the original event rate {_DESCRIBE_METHOD[method]}"
    )
    fitted = getattr(pipeline, "recalibration_", None)
    if fitted is not None:
        text += (
            f" (last fit: event rate {fitted.event_rate_original:.3f} in the training data, "
            f"{fitted.event_rate_fitted:.3f} as fitted; intercept {fitted.intercept:+.3f}, "
            f"slope {fitted.slope:.3f})"
        )
    return text + "."
