"""SHAP explanations of a fitted XGBoost pipeline, mapped back to the input columns.

A fitted pipeline sees the model columns (one-hot levels, missing indicators); a
clinician reads the input columns (``smoking``, ``sbp``). :func:`explain_pipeline`
computes exact TreeSHAP values for the model columns and sums those that come from
the same input column, which keeps the additivity of SHAP values: the contributions
of one patient plus the base value still give the model's log-odds.
"""

from __future__ import annotations

import json
from numbers import Integral

import numpy as np
import pandas as pd

__all__ = ["ShapExplanation", "explain_pipeline"]


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def map_columns(input_columns, model_columns) -> dict[str, str]:
    """Map each model (transformed) column to the input column it was derived from.

    A model column maps to the input column of the same name; otherwise to the
    longest input column ``c`` such that the model column starts with ``c + "_"``
    (``smoking_current`` → ``smoking``, ``bp_treated_missing`` → ``bp_treated``
    rather than ``bp``).

    Raises
    ------
    ValueError
        If a model column has no origin among the input columns.
    """
    inputs = [str(c) for c in input_columns]
    input_set = set(inputs)
    # Longest first, so that the first prefix that matches is the longest one.
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


class ShapExplanation:
    """SHAP values of an XGBoost risk model, per model column and per input column.

    Returned by :func:`explain_pipeline`; not meant to be built by hand.

    Attributes
    ----------
    values : pandas.DataFrame, shape (n_rows, n_input_columns)
        SHAP values on the log-odds scale, summed over the model columns that share
        an input column. Input columns the model does not use (dropped by feature
        selection) hold 0.
    transformed_values : pandas.DataFrame, shape (n_rows, n_model_columns)
        SHAP values of the model columns, as the model sees them.
    base_value : float
        The expected model output (log-odds) that the contributions start from.
    data : pandas.DataFrame
        The input rows explained, with their original values.
    column_map : dict
        Model column → input column.
    features_used : list of str
        Input columns with at least one model column, in input order.
    row_positions : ndarray of int
        Positions (0-based) in the ``X`` given to :func:`explain_pipeline` of the
        rows explained. The three DataFrames above are indexed by these positions,
        never by the caller's index (which may hold identifiers).
    objective : str
        The XGBoost objective; :meth:`patient_risk` needs a ``binary:`` one.
    """

    def __init__(
        self,
        values,
        transformed_values,
        base_value,
        data,
        column_map,
        row_positions,
        objective,
    ):
        self.values = values
        self.transformed_values = transformed_values
        self.base_value = float(base_value)
        self.data = data
        self.column_map = dict(column_map)
        used = set(self.column_map.values())
        self.features_used = [c for c in values.columns if c in used]
        self.row_positions = np.asarray(row_positions, dtype=int)
        self.objective = objective

    def __repr__(self) -> str:
        return (
            f"ShapExplanation(rows={len(self.values)}, input_columns={self.values.shape[1]}, "
            f"model_columns={self.transformed_values.shape[1]}, "
            f"base_value={self.base_value:.4f})"
        )

    def global_importance(self) -> pd.Series:
        """Mean absolute SHAP value per input column, largest first.

        Columns with zero importance (unused by the model, or never split on) are
        left out.

        Returns
        -------
        importance : pandas.Series
            Indexed by input column, named ``"mean_abs_shap"`` (log-odds units).
        """
        importance = self.values.abs().mean(axis=0)
        importance = importance[importance > 0]
        importance = importance.sort_values(ascending=False, kind="stable")
        importance.name = "mean_abs_shap"
        return importance

    def _row(self, i) -> int:
        """The row label (position in the explained ``X``) of patient ``i``."""
        if isinstance(i, bool) or not isinstance(i, Integral):
            raise TypeError(
                "i must be an int, the 0-based position of the patient in the X that was "
                f"explained; got {type(i).__name__}."
            )
        i = int(i)
        if i not in self.values.index:
            n_rows = len(self.row_positions)
            raise ValueError(
                f"row {i} was not explained: the explanation covers {n_rows} row(s) "
                "(see row_positions; max_rows subsamples). Call explain_pipeline without "
                "max_rows, or pick a row in row_positions."
            )
        return i

    def patient(self, i) -> pd.DataFrame:
        """The contributions for one patient, largest in absolute value first.

        Parameters
        ----------
        i : int
            0-based position of the patient in the ``X`` given to
            :func:`explain_pipeline` (a row number, never an identifier).

        Returns
        -------
        contributions : pandas.DataFrame
            Columns ``feature`` (input column), ``value`` (the patient's original
            input value) and ``contribution`` (log-odds), one row per input column
            the model uses.
        """
        row = self._row(i)
        features = self.features_used
        contribution = self.values.loc[row, features].to_numpy(dtype=float)
        frame = pd.DataFrame(
            {
                "feature": features,
                "value": [self.data.at[row, c] for c in features],
                "contribution": contribution,
            }
        )
        order = np.argsort(-np.abs(contribution), kind="stable")
        return frame.iloc[order].reset_index(drop=True)

    def patient_margin(self, i) -> float:
        """The model output (log-odds) for one patient: base value + contributions."""
        row = self._row(i)
        return self.base_value + float(self.transformed_values.loc[row].sum())

    def patient_risk(self, i) -> float:
        """Predicted probability for one patient, ``sigmoid(base_value + sum)``.

        This equals the pipeline's ``predict_risk`` for that patient (the
        additivity of SHAP values).
        """
        if not str(self.objective).startswith("binary:"):
            raise ValueError(
                "patient_risk needs a binary XGBoost model (objective 'binary:...'); this "
                f"one has objective {self.objective!r}. Use patient_margin for the raw "
                "model output."
            )
        return float(_sigmoid(self.patient_margin(i)))


def _final_step(pipeline):
    """Split ``pipeline`` into (transform steps or None, final estimator)."""
    steps = getattr(pipeline, "steps", None)
    if steps is None:
        return None, pipeline
    final = pipeline[-1]
    return (pipeline[:-1] if len(steps) > 1 else None), final


def _xgboost_model(final):
    """The fitted XGBoost model behind ``final``, or a TypeError."""
    import xgboost

    model = getattr(final, "model_", None)
    if not isinstance(model, xgboost.XGBModel | xgboost.Booster):
        got = type(final).__name__
        if model is not None:
            got += f" with model_ of type {type(model).__name__}"
        else:
            got += " without a fitted model_ attribute"
        raise TypeError(
            "SHAP explanations are available for XGBoost models in this release; got "
            f"{got}. Explain a fitted pipeline whose final step wraps an XGBoost model "
            "as model_ (e.g. riskml.models.make_model('xgboost'))."
        )
    return model


def _booster(model):
    import xgboost

    return model.get_booster() if isinstance(model, xgboost.XGBModel) else model


def _model_input(model, Xt: pd.DataFrame):
    """``(Xt, input)``: Xt in the booster's column order, and what the booster takes.

    A model fitted on a bare array (e.g. because a one-hot level such as ``age_<18``
    holds a character XGBoost refuses in feature names) takes a bare array.
    """
    names = _booster(model).feature_names
    if names is None:
        return Xt, Xt.to_numpy(dtype=float)
    if list(names) != list(Xt.columns) and set(names) == set(Xt.columns):
        Xt = Xt[list(names)]
    return Xt, Xt


def _objective(model) -> str:
    """The XGBoost objective name (e.g. ``binary:logistic``)."""
    config = json.loads(_booster(model).save_config())
    return str(config["learner"]["objective"]["name"])


def _check_max_rows(max_rows):
    if max_rows is None:
        return None
    if isinstance(max_rows, bool) or not isinstance(max_rows, Integral):
        raise TypeError(f"max_rows must be an int or None; got {type(max_rows).__name__}.")
    if max_rows < 1:
        raise ValueError(f"max_rows must be >= 1 or None; got {max_rows}.")
    return int(max_rows)


def explain_pipeline(pipeline, X, *, max_rows=None, random_state=0) -> ShapExplanation:
    """Exact TreeSHAP values of a fitted XGBoost pipeline, per input column.

    Parameters
    ----------
    pipeline : fitted Pipeline or estimator
        A fitted (Risk)Pipeline whose final step exposes the fitted XGBoost model as
        ``model_``, or such a final estimator on its own. The steps before the last
        must turn ``X`` into a DataFrame whose columns are named ``<input>`` or
        ``<input>_<suffix>``.
    X : pandas.DataFrame
        The input rows to explain, with the columns the pipeline was fitted on.
    max_rows : int, optional
        Explain a random subsample of this many rows (without replacement, drawn
        with ``random_state``) instead of all rows; rows keep their positions in
        ``X`` (``row_positions``). TreeSHAP on XGBoost is fast, so subsample only
        for very large cohorts; global importance from a few hundred rows ranks
        features almost as the full cohort does.
    random_state : int, default=0
        Seed of the subsample; same seed, same rows.

    Returns
    -------
    explanation : ShapExplanation

    Raises
    ------
    TypeError
        If the final step has no fitted XGBoost ``model_``, or ``X`` is not a
        DataFrame.
    ValueError
        If a model column cannot be mapped to an input column.

    Notes
    -----
    SHAP values are on the log-odds (margin) scale and computed with
    ``shap.TreeExplainer`` using the tree-path-dependent algorithm (no background
    data), which gives the same numbers as XGBoost's own ``pred_contribs=True``.
    The contributions of model columns derived from one input column (one-hot
    levels, missing indicators) are summed; SHAP values are additive, so the sum is
    the contribution of the input column. ``shap >= 0.50`` is required with
    ``xgboost >= 3``.

    References
    ----------
    Lundberg SM, Erion G, Chen H, et al. From local explanations to global
    understanding with explainable AI for trees. Nat Mach Intell. 2020;2:56-67.

    Examples
    --------
    >>> explanation = explain_pipeline(fitted_pipeline, X)  # doctest: +SKIP
    >>> explanation.global_importance().head()  # doctest: +SKIP
    >>> explanation.patient(17)  # doctest: +SKIP
    """
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"X must be a pandas DataFrame with the input columns; got {type(X).__name__}."
        )
    max_rows = _check_max_rows(max_rows)
    transform, final = _final_step(pipeline)
    model = _xgboost_model(final)

    positions = np.arange(len(X))
    if max_rows is not None and max_rows < len(X):
        rng = np.random.default_rng(random_state)
        positions = np.sort(rng.choice(len(X), size=max_rows, replace=False))
    rows = X.iloc[positions]
    data = rows.copy()
    data.index = positions
    data.columns = [str(c) for c in X.columns]

    Xt = rows if transform is None else transform.transform(rows)
    if not isinstance(Xt, pd.DataFrame):
        try:
            names = list(transform.get_feature_names_out())
        except (AttributeError, ValueError):
            names = list(getattr(final, "feature_names_in_", []))
        if len(names) != np.shape(Xt)[1]:
            raise TypeError(
                "the pipeline's transform steps returned an array without column names; "
                "set_output(transform='pandas') on them so that SHAP values can be "
                "mapped back to the input columns."
            )
        Xt = pd.DataFrame(np.asarray(Xt), columns=names)
    Xt = Xt.set_axis(positions, axis=0)
    column_map = map_columns(data.columns, Xt.columns)

    import shap

    explainer = shap.TreeExplainer(model)
    Xt, model_input = _model_input(model, Xt)
    shap_values = np.asarray(explainer.shap_values(model_input), dtype=float)
    if shap_values.ndim != 2:
        raise ValueError(
            "explain_pipeline supports binary (single-output) XGBoost models; got SHAP "
            f"values of shape {shap_values.shape}."
        )
    base_value = float(np.ravel(explainer.expected_value)[0])
    transformed_values = pd.DataFrame(
        shap_values, index=positions, columns=[str(c) for c in Xt.columns]
    )

    origins = [column_map[c] for c in transformed_values.columns]
    summed = transformed_values.T.groupby(origins, sort=False).sum().T
    values = summed.reindex(columns=data.columns, fill_value=0.0)
    values.index = positions

    objective = _objective(model)
    return ShapExplanation(
        values=values,
        transformed_values=transformed_values,
        base_value=base_value,
        data=data,
        column_map=column_map,
        row_positions=positions,
        objective=objective,
    )
