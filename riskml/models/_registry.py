"""The standard model pipelines, by name."""

from __future__ import annotations

from sklearn.base import clone

from ..features import make_preprocessor
from ._linear import LassoRisk
from ._pipeline import RiskPipeline
from ._xgboost import XGBoostRisk
from .cox import CoxPH
from .scores import FraminghamScore
from .scores.framingham import TEN_YEARS_DAYS

__all__ = ["MODELS", "describe_model", "make_model"]

#: Ridge penalty of the registry's Cox model. Unscaled one-hot columns keep every
#: level (their sum is constant, which the Cox baseline absorbs), and a rare level
#: or a small training fold can separate events; either leaves the unpenalised
#: partial likelihood without a finite maximum. 0.01 on standardised covariates
#: makes the fit unique and barely moves well-estimated coefficients.
COX_PENALIZER = 0.01

_DESCRIPTIONS = {
    "xgboost": (
        "XGBoost (200 trees, depth 3, learning rate 0.05) on imputed features; "
        "P(event by the horizon)."
    ),
    "lasso": (
        "LASSO logistic regression (L1 penalty chosen by 5-fold CV on AUC) on imputed, "
        "standardised features; P(event by the horizon)."
    ),
    "cox": (
        "Cox proportional-hazards model (Efron ties, ridge penalty 0.01) on imputed, "
        "standardised features; 1 - S(horizon | x)."
    ),
    "framingham": (
        "Framingham general CVD score (D'Agostino 2008, laboratory form), published "
        "coefficients and 10-year baseline."
    ),
    "framingham_recalibrated": (
        "Framingham general CVD score (D'Agostino 2008) recalibrated to the training cohort: "
        "Kaplan-Meier baseline survival at the horizon and cohort mean linear predictor."
    ),
}

#: Names accepted by :func:`make_model`.
MODELS = tuple(_DESCRIPTIONS)


def _check_name(name) -> str:
    if name not in _DESCRIPTIONS:
        raise ValueError(f"unknown model {name!r}; choose one of {list(MODELS)}.")
    return name


def describe_model(name: str) -> str:
    """One-line description of a registry model, for reports.

    Parameters
    ----------
    name : str
        One of :data:`MODELS`.

    Returns
    -------
    str
    """
    return _DESCRIPTIONS[_check_name(name)]


def make_model(
    name: str,
    *,
    selection=None,
    horizon=None,
    framingham_inputs=None,
    framingham_units="mg/dL",
    random_state=0,
) -> RiskPipeline:
    """An unfitted :class:`RiskPipeline` for a registry model.

    Parameters
    ----------
    name : str
        ``"xgboost"``, ``"lasso"``, ``"cox"``, ``"framingham"`` or
        ``"framingham_recalibrated"``.
    selection : transformer, optional
        A feature selector (e.g.
        :class:`~riskml.features.RecursiveFeatureElimination`), cloned and placed
        after preprocessing in the learned models; ignored by the Framingham scores,
        which take fixed inputs.
    horizon : float, optional
        Days. The pipeline's horizon (binary models train on "event by horizon");
        for ``"framingham_recalibrated"`` also the recalibration horizon (default 10
        years).
    framingham_inputs : dict, optional
        Column mapping of :class:`~riskml.models.FraminghamScore`.
    framingham_units : {"mg/dL", "mmol/L"}, default="mg/dL"
        Cholesterol unit for the Framingham scores.
    random_state : int, default=0
        Seed of the learned models.

    Returns
    -------
    RiskPipeline

    Notes
    -----
    The Cox model carries a small ridge penalty (0.01): the one-hot columns keep
    every level and small folds can separate events, which leave the unpenalised
    partial likelihood without a unique maximum.

    Examples
    --------
    >>> make_model("cox", horizon=1004).steps[-1][0]
    'model'
    """
    _check_name(name)
    if name in ("framingham", "framingham_recalibrated"):
        recalibrate = name == "framingham_recalibrated"
        score = FraminghamScore(
            recalibrate=recalibrate,
            horizon_days=(horizon if recalibrate and horizon is not None else TEN_YEARS_DAYS),
            inputs=framingham_inputs,
            units=framingham_units,
        )
        return RiskPipeline([("model", score)], horizon=horizon)
    if name == "xgboost":
        steps = [("preprocess", make_preprocessor(scale=False))]
        model = XGBoostRisk(random_state=random_state)
    elif name == "lasso":
        steps = [("preprocess", make_preprocessor(scale=True))]
        model = LassoRisk(random_state=random_state)
    else:
        steps = [("preprocess", make_preprocessor(scale=True))]
        model = CoxPH(penalizer=COX_PENALIZER)
    if selection is not None:
        steps.append(("select", clone(selection)))
    steps.append(("model", model))
    return RiskPipeline(steps, horizon=horizon)
