"""Feature preparation: preprocessing and recursive feature elimination.

Every object here is a scikit-learn transformer that returns a pandas DataFrame, so
that it can sit in a :class:`~riskml.models.RiskPipeline` (and be refitted in each
training fold) while keeping column names for explanations.
"""

from ._preprocessing import Preprocessor, make_preprocessor
from ._scoring import c_statistic, c_statistic_scorer
from ._selection import RecursiveFeatureElimination

__all__ = [
    "Preprocessor",
    "RecursiveFeatureElimination",
    "c_statistic",
    "c_statistic_scorer",
    "make_preprocessor",
]
