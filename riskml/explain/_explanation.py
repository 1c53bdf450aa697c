"""The result of :func:`riskml.explain.explain_pipeline`: SHAP values per input column."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

__all__ = ["ShapExplanation", "horizon_words"]


def horizon_words(horizon) -> str:
    """``"1-year"``, ``"30-day"``, ``"10-year"``... for a horizon in days (None: "")."""
    if horizon is None:
        return ""
    days = float(horizon)
    years = days / 365.25
    if days >= 360 and abs(years - round(years)) < 0.02:
        return f"{round(years):d}-year"
    months = days / (365.25 / 12)
    if days >= 28 and abs(months - round(months)) < 0.02 and days not in (30.0, 60.0, 90.0):
        return f"{round(months):d}-month"
    return f"{days:g}-day"


def _format_value(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "missing"
    if isinstance(value, float | np.floating):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


class ShapExplanation:
    """SHAP values of one fitted risk pipeline, per model column and per input column.

    Returned by :func:`~riskml.explain.explain_pipeline`; not meant to be built by
    hand. For every explained row ``base_value + values.sum(axis=1)`` is the model's
    output on its additive scale (:attr:`scale`), and :meth:`patient_risk` maps it
    to the pipeline's ``predict_risk``.

    Attributes
    ----------
    values : pandas.DataFrame, shape (n_rows, n_input_columns)
        SHAP values on :attr:`scale`, summed over the model columns that share an
        input column (one-hot levels, missing indicators). Input columns the model
        does not use hold 0.
    transformed_values : pandas.DataFrame
        SHAP values of the model columns as the model sees them (for the
        model-agnostic methods, whose players are the input columns, the same as
        ``values``).
    base_value : float
        The expected output the contributions start from.
    data : pandas.DataFrame
        The input rows explained, with their original values.
    column_map : dict
        Model column -> input column.
    features_used : list of str
        Input columns with at least one model column (or player), in input order.
    row_positions : ndarray of int
        Positions (0-based) in the ``X`` given to :func:`explain_pipeline` of the
        rows explained; the DataFrames above are indexed by them.
    scale : str
        The additive scale: ``"log-odds"``, ``"log relative hazard"``,
        ``"log cumulative hazard"``, ``"risk"``...
    method : str
        How the values were computed (e.g. ``"tree (path-dependent TreeSHAP)"``).
    model_agnostic : bool
        True when the values come from the model-agnostic interventional Shapley
        estimator (exact over coalitions or by permutations) rather than a method
        specific to the model family.
    model_name : str
        The model explained.
    horizon : float or None
        Days: the horizon of :meth:`patient_risk`.
    reference_risk : float or None
        Mean predicted risk of the background rows (the "cohort average").
    standard_errors : pandas.DataFrame or None
        Monte Carlo standard errors of ``values`` when they are estimates (a
        subsample of trees); None when exact.
    notes : str
        What the background was, and any approximation.

    Examples
    --------
    >>> import riskml as rk
    >>> from riskml.explain import explain_pipeline
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> X, y = cohort.features, cohort.outcome.event
    >>> fitted = rk.models.make_model("logistic").fit(X, y)
    >>> explanation = explain_pipeline(fitted, X)
    >>> explanation.scale, explanation.values.shape
    ('log-odds', (299, 11))
    >>> explanation.global_importance().index[:3].tolist()
    ['ejection_fraction', 'age', 'serum_creatinine']
    """

    def __init__(
        self,
        values,
        transformed_values,
        base_value,
        data,
        column_map,
        row_positions,
        *,
        scale="log-odds",
        link=None,
        method="",
        model_name="",
        horizon=None,
        reference_risk=None,
        standard_errors=None,
        notes="",
        objective=None,
    ):
        from ._links import Logistic

        self.values = values
        self.transformed_values = transformed_values
        self.base_value = float(base_value)
        self.data = data
        self.column_map = dict(column_map)
        used = set(self.column_map.values())
        self.features_used = [c for c in values.columns if c in used]
        self.row_positions = np.asarray(row_positions, dtype=int)
        self.scale = scale
        self.link = Logistic() if link is None else link
        self.method = method
        self.model_name = model_name
        self.horizon = horizon
        self.reference_risk = None if reference_risk is None else float(reference_risk)
        self.standard_errors = standard_errors
        self.notes = notes
        self.objective = objective

    @property
    def model_agnostic(self) -> bool:
        """True for the model-agnostic interventional Shapley values."""
        return self.method.startswith(("exact (interventional", "permutation (interventional"))

    def __repr__(self) -> str:
        return (
            f"ShapExplanation(model={self.model_name!r}, method={self.method!r}, "
            f"scale={self.scale!r}, rows={len(self.values)}, "
            f"input_columns={self.values.shape[1]}, base_value={self.base_value:.4f})"
        )

    @property
    def rows(self) -> np.ndarray:
        """Positions in the explained ``X`` of the rows explained (``row_positions``)."""
        return self.row_positions

    # -- global ---------------------------------------------------------------------
    def importance(self) -> pd.Series:
        """Mean absolute SHAP value per input column, largest first.

        Columns with zero importance (unused by the model) are left out.

        Returns
        -------
        importance : pandas.Series
            Indexed by input column, named ``"mean_abs_shap"`` (units of
            :attr:`scale`).
        """
        importance = self.values.abs().mean(axis=0)
        importance = importance[importance > 0]
        importance = importance.sort_values(ascending=False, kind="stable")
        importance.name = "mean_abs_shap"
        return importance

    global_importance = importance

    # -- one patient ------------------------------------------------------------------
    def _row(self, i) -> int:
        if isinstance(i, bool) or not isinstance(i, Integral):
            raise TypeError(
                "i must be an int, the 0-based position of the patient in the X that was "
                f"explained; got {type(i).__name__}."
            )
        i = int(i)
        if i not in self.values.index:
            raise ValueError(
                f"row {i} was not explained: the explanation covers {len(self.row_positions)} "
                "row(s) (see .rows). Call explain_pipeline with rows=None (every row) or "
                "rows=[...] including it."
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
            value) and ``contribution`` (on :attr:`scale`), one row per input
            column the model uses.
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
        """The model output on :attr:`scale` for one patient: base value + contributions."""
        row = self._row(i)
        return self.base_value + float(self.values.loc[row].sum())

    patient_output = patient_margin

    def patient_risk(self, i) -> float:
        """The predicted risk of one patient, from the contributions.

        Equals the pipeline's ``predict_risk(X.iloc[[i]], horizon=horizon)``
        (additivity of SHAP values, then the model's own map to risk, including
        any recalibration).
        """
        return float(np.ravel(self.link(self.patient_margin(i)))[0])

    def base_risk(self) -> float:
        """The risk at the base value (``link(base_value)``)."""
        return float(np.ravel(self.link(self.base_value))[0])

    def summary_sentence(self, i, n_features: int = 2) -> str:
        """One plain-language sentence about one patient's prediction.

        Example: "Predicted 1-year risk 23% against a cohort average of 9%; raised
        most by age (71) and bnp (1,850); lowered most by lvef_pct (55)."

        Parameters
        ----------
        i : int
            Row position, as in :meth:`patient`.
        n_features : int, default=2
            Features named in each direction.

        Returns
        -------
        str
        """
        table = self.patient(i)
        words = horizon_words(self.horizon)
        risk = self.patient_risk(i)
        reference = self.reference_risk if self.reference_risk is not None else self.base_risk()
        is_probability = 0.0 <= risk <= 1.0 and 0.0 <= reference <= 1.0
        if is_probability:
            head = f"Predicted {words + ' ' if words else ''}risk {risk:.0%} against a cohort "
            head += f"average of {reference:.0%}"
        else:
            head = f"Predicted {self.scale} {risk:.2f} against a cohort average of {reference:.2f}"

        def listing(part):
            names = [f"{r.feature} ({_format_value(r.value)})" for r in part.itertuples()]
            return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

        up = table[table["contribution"] > 0].head(n_features)
        down = table[table["contribution"] < 0].head(n_features)
        parts = [head]
        if len(up):
            parts.append(f"raised most by {listing(up)}")
        if len(down):
            parts.append(f"lowered most by {listing(down)}")
        return "; ".join(parts) + "."

    # -- interop and plots ------------------------------------------------------------
    def to_shap(self):
        """The values as a ``shap.Explanation`` (shap's waterfall, beeswarm, scatter, force).

        ``data`` holds numbers (categorical columns as their category codes, for
        shap's colouring) and ``display_data`` the original values.

        Returns
        -------
        shap.Explanation
        """
        import shap

        features = self.features_used
        numeric = pd.DataFrame(index=self.data.index)
        for column in features:
            series = self.data[column]
            if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
                numeric[column] = series.astype(float)
            else:
                codes = pd.Categorical(series).codes.astype(float)
                numeric[column] = np.where(codes < 0, np.nan, codes)
        n = len(self.values)
        return shap.Explanation(
            values=self.values[features].to_numpy(dtype=float),
            base_values=np.full(n, self.base_value),
            data=numeric.to_numpy(dtype=float),
            display_data=self.data[features].to_numpy(dtype=object),
            feature_names=list(features),
            output_names=self.scale,
        )

    def plot_waterfall(self, i, *, max_display: int = 10, ax=None):
        """Waterfall of one patient's contributions, annotated with the risk.

        Draws on a new pyplot figure when ``ax`` is None (shown inline in Jupyter)
        and returns the Axes. See :func:`riskml.explain.plot_waterfall`.
        """
        from ._plots import plot_waterfall

        return plot_waterfall(self, i, max_display=max_display, ax=ax)

    def plot_beeswarm(self, *, max_display: int = 15, ax=None):
        """Beeswarm of every explained row (one dot per patient and feature).

        Draws on a new pyplot figure when ``ax`` is None (shown inline in Jupyter)
        and returns the Axes. See :func:`riskml.explain.plot_beeswarm`.
        """
        from ._plots import plot_beeswarm

        return plot_beeswarm(self, max_display=max_display, ax=ax)

    def plot_bar(self, *, max_display: int = 15, ax=None):
        """Bar chart of the mean absolute SHAP value per input column (:meth:`importance`).

        Draws on a new pyplot figure when ``ax`` is None (shown inline in Jupyter)
        and returns the Axes.

        Parameters
        ----------
        max_display : int, default=15
            Number of columns shown (the most important ones).
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> ax = explanation.plot_bar(max_display=10)  # doctest: +SKIP
        """
        from ._plots import plot_bar

        return plot_bar(self, max_display=max_display, ax=ax)
