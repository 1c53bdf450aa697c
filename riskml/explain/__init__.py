"""SHAP explanations of fitted risk pipelines, mapped back to the input columns.

:func:`explain_pipeline` explains any fitted pipeline with the exact method of its
model family (TreeSHAP for tree ensembles, linear SHAP for logistic and Cox models,
an exact decomposition for Bayesian networks, exact or sampled interventional
Shapley values for anything else) and sums the contributions of the model columns
derived from one input column (one-hot levels, missing indicators), so that a
patient's card reads in the clinician's variables. Values are on the model's
additive scale (``explanation.scale``) and map back to ``predict_risk`` exactly.
``shap`` is imported only when needed.
"""

from ._checks import check_new_patients
from ._explanation import ShapExplanation
from ._plots import plot_bar, plot_beeswarm, plot_waterfall
from ._shap import explain_pipeline, map_columns

__all__ = [
    "ShapExplanation",
    "check_new_patients",
    "explain_pipeline",
    "map_columns",
    "plot_bar",
    "plot_beeswarm",
    "plot_waterfall",
]
