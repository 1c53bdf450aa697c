"""Feature preparation: preprocessing, splines, information-gain ranking and recursive elimination.

Every object here is a scikit-learn transformer that returns a pandas DataFrame, so
that it can sit in a :class:`~riskml.models.RiskPipeline` (and be refitted in each
training fold) while keeping column names for explanations.
:func:`selection_stability` refits a selector on resamples to show how stable its
choices are.
"""

from ..evaluation import c_statistic, c_statistic_scorer
from ._discretize import bin_codes, is_nominal, mdl_cut_points, quantile_cut_points
from ._information_gain import InformationGain
from ._preprocessing import Preprocessor, make_preprocessor
from ._rankers import set_ranking_resolver
from ._selection import RecursiveFeatureElimination
from ._splines import RestrictedCubicSpline, rcs_basis, rcs_knots
from ._stability import (
    SelectionStability,
    plot_selection_stability,
    selected_features,
    selection_stability,
)

__all__ = [
    "InformationGain",
    "Preprocessor",
    "RecursiveFeatureElimination",
    "RestrictedCubicSpline",
    "SelectionStability",
    "bin_codes",
    "c_statistic",
    "c_statistic_scorer",
    "is_nominal",
    "make_preprocessor",
    "mdl_cut_points",
    "plot_selection_stability",
    "quantile_cut_points",
    "rcs_basis",
    "rcs_knots",
    "selected_features",
    "selection_stability",
    "set_ranking_resolver",
]
