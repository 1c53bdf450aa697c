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
list. Each family is described once, by a :class:`ModelSpec`;
:func:`register_model` adds your own.
"""

from ._base import ModelFitWarning, RiskEstimatorMixin
from ._bayes_net import BayesNetRisk
from ._breslow import BreslowBaseline
from ._competing import AalenJohansen, CauseSpecificCox
from ._fine_gray import FineGray
from ._forest import RandomForestRisk
from ._imbalance import SAMPLERS, Recalibration, describe_imbalance_handling, make_sampler
from ._lasso import LassoRisk
from ._lasso_cox import LassoCox
from ._linear import LogisticRisk
from ._pipeline import RiskPipeline
from ._registry import (
    default_grids,
    describe_model,
    make_model,
    model_names,
    models_from_yaml,
    ranking_estimator,
)
from ._sklearn import SklearnRiskClassifier
from ._spec import (
    ModelSpec,
    model_spec,
    model_specs,
    register_model,
    registered_model,
    unregister_model,
)
from ._tuning import TunedRisk, tune
from ._xgboost import XGBoostRisk, XGBoostSurvival
from .cox import CoxPH
from .scores import (
    FraminghamScore,
    OutOfRangeWarning,
    PublishedModel,
    PublishedModelError,
    published_model,
)

__all__ = [
    "DEFAULT_GRIDS",
    "MODELS",
    "SAMPLERS",
    "AalenJohansen",
    "BayesNetRisk",
    "BreslowBaseline",
    "CauseSpecificCox",
    "CoxPH",
    "FineGray",
    "FraminghamScore",
    "LassoCox",
    "LassoRisk",
    "LogisticRisk",
    "ModelFitWarning",
    "ModelSpec",
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
    "default_grids",
    "describe_model",
    "make_model",
    "make_sampler",
    "model_names",
    "model_spec",
    "model_specs",
    "models_from_yaml",
    "ranking_estimator",
    "register_model",
    "registered_model",
    "tune",
    "unregister_model",
    "PublishedModel",
    "PublishedModelError",
    "published_model",
]


def __getattr__(name):
    # MODELS and DEFAULT_GRIDS follow register_model: computed when read
    if name == "MODELS":
        return model_names()
    if name == "DEFAULT_GRIDS":
        return default_grids()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
