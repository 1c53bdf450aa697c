"""riskml: build, validate and explain clinical risk-prediction models.

The flow follows the data: :mod:`riskml.cohorts` (loaders, schemas) gives a
:class:`Cohort`; :mod:`riskml.features` and :mod:`riskml.models` build leakage-safe
pipelines with one contract, ``predict_risk(X, horizon=None)``;
:mod:`riskml.evaluation` computes C-statistics with confidence intervals on
cross-validated predictions; :mod:`riskml.explain` gives SHAP explanations and
:mod:`riskml.report` writes a self-contained HTML report. :class:`Study` ties the
steps together.
"""

from importlib import import_module

from ._version import __version__
from .cohorts import Cohort
from .outcome import Outcome

__all__ = [
    "Cohort",
    "Outcome",
    "Study",
    "StudyResult",
    "cohorts",
    "deployment",
    "evaluation",
    "explain",
    "features",
    "models",
    "report",
    "load_model",
    "save_model",
    "__version__",
]

_SUBMODULES = {
    "cli",
    "cohorts",
    "deployment",
    "errors",
    "evaluation",
    "explain",
    "features",
    "models",
    "persistence",
    "report",
    "study",
    "study_file",
    "utils",
}


def __getattr__(name):
    # Heavy dependencies (xgboost, shap, lifelines) load only when first used.
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    if name in {"Study", "StudyResult"}:
        return getattr(import_module(".study", __name__), name)
    if name in {"save_model", "load_model"}:
        return getattr(import_module(".persistence", __name__), name)
    raise AttributeError(f"module 'riskml' has no attribute {name!r}")
