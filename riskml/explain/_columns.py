"""Model columns (one-hot levels, missing indicators) mapped back to the input columns.

A fitted pipeline sees the model columns; a clinician reads the input columns. The
SHAP values of the model columns that come from one input column are summed, which
keeps their additivity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["by_input_column", "map_columns"]


def map_columns(input_columns, model_columns) -> dict[str, str]:
    """Map each model (transformed) column to the input column it was derived from.

    A model column maps to the input column of the same name; otherwise to the
    longest input column ``c`` such that the model column starts with ``c + "_"``
    (``smoking_current`` -> ``smoking``, ``bp_treated_missing`` -> ``bp_treated``
    rather than ``bp``).

    Raises
    ------
    ValueError
        If a model column has no origin among the input columns.

    Examples
    --------
    >>> from riskml.explain import map_columns
    >>> map_columns(["age", "sex"], ["age", "sex_M", "sex_F", "age_missing"])
    {'age': 'age', 'sex_M': 'sex', 'sex_F': 'sex', 'age_missing': 'age'}
    """
    inputs = [str(c) for c in input_columns]
    input_set = set(inputs)
    by_length = sorted(inputs, key=len, reverse=True)
    mapping = {}
    unmapped = []
    for column in map(str, model_columns):
        if column in input_set:
            mapping[column] = column
            continue
        origin = next((c for c in by_length if column.startswith(c + "_")), None)
        if origin is None:
            unmapped.append(column)
        else:
            mapping[column] = origin
    if unmapped:
        raise ValueError(
            f"cannot map the model column(s) {unmapped[:5]} back to an input column: a "
            "model column must be named '<input>' or '<input>_<suffix>' (one-hot level, "
            "missing indicator). With scikit-learn's ColumnTransformer pass "
            "verbose_feature_names_out=False."
        )
    return mapping


def by_input_column(raw, data, positions):
    """``(transformed, values, column_map, standard_errors)``: model columns summed per
    input column (additivity kept; standard errors of independent parts in quadrature)."""
    transformed = pd.DataFrame(raw.values, index=positions, columns=raw.columns)
    column_map = map_columns(data.columns, transformed.columns)
    origins = [column_map[c] for c in transformed.columns]
    values = transformed.T.groupby(origins, sort=False).sum().T
    values = values.reindex(columns=data.columns, fill_value=0.0)
    values.index = positions
    standard_errors = None
    if raw.se is not None:
        se = pd.DataFrame(raw.se**2, index=positions, columns=raw.columns)
        standard_errors = np.sqrt(se.T.groupby(origins, sort=False).sum().T)
        standard_errors = standard_errors.reindex(columns=data.columns, fill_value=0.0)
    return transformed, values, column_map, standard_errors
