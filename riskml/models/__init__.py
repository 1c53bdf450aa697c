"""Risk models with one contract: ``predict_risk(X, horizon=None)``, higher = higher risk.

Learned models (XGBoost, LASSO logistic, Cox) and published scores (Framingham)
share the scikit-learn API and sit at the end of a :class:`RiskPipeline`, which
learns everything inside ``fit`` so that cross-validation is leakage-free.
:func:`make_model` builds the standard pipelines by name.
"""

from ._base import RiskEstimatorMixin
from ._linear import LassoRisk
from ._pipeline import RiskPipeline
from ._registry import MODELS, describe_model, make_model
from ._xgboost import XGBoostRisk
from .cox import CoxPH
from .scores import FraminghamScore, OutOfRangeWarning

__all__ = [
    "MODELS",
    "CoxPH",
    "FraminghamScore",
    "LassoRisk",
    "OutOfRangeWarning",
    "RiskEstimatorMixin",
    "RiskPipeline",
    "XGBoostRisk",
    "describe_model",
    "make_model",
]
