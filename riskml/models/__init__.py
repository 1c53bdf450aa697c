"""Risk models with one contract: ``predict_risk(X, horizon=None)``, higher = higher risk.

Learned models (XGBoost, random forest, LASSO and ridge logistic, Cox and LASSO Cox,
Bayesian networks, and the scikit-learn families SVM, k-NN, MLP, decision tree,
bagging, histogram gradient boosting and AdaBoost) and published scores
(Framingham) share the scikit-learn API and sit at the end of a
:class:`RiskPipeline`, which learns everything inside ``fit`` (including
class-imbalance handling, probability calibration and hyperparameter search) so
that cross-validation is leakage-free. :func:`make_model` builds the standard
pipelines by name, and a pipeline for any scikit-learn classifier
(:class:`SklearnRiskClassifier`); :func:`models_from_yaml` builds them from a YAML
list.
"""

from ._base import ModelFitWarning, RiskEstimatorMixin
from ._bayes_net import BayesNetRisk
from ._breslow import BreslowBaseline
from ._forest import RandomForestRisk
from ._imbalance import SAMPLERS, Recalibration, describe_imbalance_handling, make_sampler
from ._lasso import LassoRisk
from ._lasso_cox import LassoCox
from ._linear import LogisticRisk
from ._pipeline import RiskPipeline
from ._registry import (
    DEFAULT_GRIDS,
    MODELS,
    describe_model,
    make_model,
    models_from_yaml,
    ranking_estimator,
)
from ._sklearn import SklearnRiskClassifier
from ._tuning import TunedRisk, tune
from ._xgboost import XGBoostRisk, XGBoostSurvival
from .cox import CoxPH
from .scores import FraminghamScore, OutOfRangeWarning

__all__ = [
    "DEFAULT_GRIDS",
    "MODELS",
    "SAMPLERS",
    "BayesNetRisk",
    "BreslowBaseline",
    "CoxPH",
    "FraminghamScore",
    "LassoCox",
    "LassoRisk",
    "LogisticRisk",
    "ModelFitWarning",
    "OutOfRangeWarning",
    "RandomForestRisk",
    "Recalibration",
    "RiskEstimatorMixin",
    "RiskPipeline",
    "SklearnRiskClassifier",
    "TunedRisk",
    "XGBoostRisk",
    "XGBoostSurvival",
    "describe_imbalance_handling",
    "describe_model",
    "make_model",
    "make_sampler",
    "models_from_yaml",
    "ranking_estimator",
    "tune",
]
