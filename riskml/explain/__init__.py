"""SHAP explanations of fitted risk models, mapped back to the input columns.

:func:`explain_pipeline` computes exact TreeSHAP values (log-odds scale) for a fitted
XGBoost pipeline and sums the contributions of the model columns derived from one
input column (one-hot levels, missing indicators), so that a patient's card reads in
the clinician's variables. ``shap`` is imported only when an explanation is computed.
"""

from ._shap import ShapExplanation, explain_pipeline, map_columns

__all__ = ["ShapExplanation", "explain_pipeline", "map_columns"]
