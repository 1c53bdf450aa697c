"""Gradient-boosted trees (XGBoost) for binary and time-to-event outcomes."""

from __future__ import annotations

import re
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..features import is_nominal
from ..utils.parallel import fit_threads
from ._base import BinaryRiskMixin, RiskEstimatorMixin
from ._breslow import BreslowBaseline

__all__ = ["XGBoostRisk", "XGBoostSurvival"]

# XGBoost refuses feature names containing these characters.
_XGBOOST_FORBIDDEN = re.compile(r"[\[\]<]")


_COMMON_CONSTRAINTS = {
    "n_estimators": [Interval(Integral, 1, None, closed="left")],
    "max_depth": [Interval(Integral, 1, None, closed="left")],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "subsample": [Interval(Real, 0, 1, closed="right")],
    "colsample_bytree": [Interval(Real, 0, 1, closed="right")],
    "min_child_weight": [Interval(Real, 0, None, closed="left")],
    "reg_lambda": [Interval(Real, 0, None, closed="left")],
    "n_jobs": [Integral, None],
    "random_state": [Interval(Integral, 0, None, closed="left"), None],
}


def _predict_threads(model, n_jobs) -> None:
    """Predict (and explain) with every core unless ``n_jobs`` says otherwise, whatever
    share of the cores the fit had (a fit among others gets fewer, ``fit_threads``)."""
    from joblib import cpu_count

    model.set_params(n_jobs=cpu_count() if n_jobs is None else n_jobs)


def _value_kinds(column: pd.Series) -> set:
    """The kinds of an object column's non-missing values: "number", "text" or a type name."""
    kinds = set()
    for value in column.dropna():
        if isinstance(value, str):
            kinds.add("text")
        elif isinstance(value, Real):  # int, float, bool and numpy numbers
            kinds.add("number")
        else:
            kinds.add(type(value).__name__)
    return kinds


class _XGBoostInput:
    """Shared input handling: categorical columns, numbers held as objects, and names
    XGBoost refuses."""

    accepts_text = True  # text columns are categories (see the class notes)

    def _prepare_fit(self, X) -> pd.DataFrame:
        frame = self._check_X(X, reset=True)
        self.categories_ = {}
        for c in frame.columns:
            column = frame[c]
            if not is_nominal(column) or pd.api.types.is_bool_dtype(column):
                continue
            if isinstance(column.dtype, pd.CategoricalDtype):
                if pd.api.types.is_float_dtype(column.cat.categories):
                    raise ValueError(
                        f"column {c!r} is categorical with floating-point levels "
                        f"({list(column.cat.categories[:3])}), which XGBoost refuses. Give "
                        "it integer or text levels (X[col].cat.rename_categories(str)), or "
                        "pass it as a numeric column."
                    )
            elif pd.api.types.is_object_dtype(column.dtype):
                kinds = _value_kinds(column)
                if kinds <= {"number"}:
                    continue  # numbers held as objects: a numeric column, as the other models
                if kinds != {"text"}:
                    raise TypeError(
                        f"column {c!r} of X holds {sorted(kinds)} values; "
                        f"{type(self).__name__} takes numbers, or text as categories, in "
                        "each column (an object column is numeric when every value is a "
                        "number). Convert it, e.g. with pandas.to_numeric or astype(str)."
                    )
            self.categories_[c] = list(pd.Categorical(column).categories)
        self._bare_array_ = any(_XGBOOST_FORBIDDEN.search(n) for n in self.feature_names_in_)
        if self._bare_array_ and self.categories_:
            bad = [n for n in self.feature_names_in_ if _XGBOOST_FORBIDDEN.search(n)]
            raise ValueError(
                f"XGBoost refuses the column name(s) {bad[:5]} (they contain '[', ']' or '<'), "
                "and categorical columns need names. Rename those columns."
            )
        return self._model_input(frame)

    def _model_input(self, frame: pd.DataFrame):
        numeric = [
            c
            for c in frame.columns
            if c not in self.categories_ and pd.api.types.is_object_dtype(frame[c].dtype)
        ]
        if numeric:  # numbers held as objects (seen as such in fit)
            try:
                frame = frame.astype({c: float for c in numeric})
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"{type(self).__name__} was fitted with numbers in column(s) "
                    f"{numeric[:5]}, which now hold(s) values that are not numbers: {error}. "
                    "Pass the numeric columns as numbers."
                ) from error
        if self._bare_array_:
            return frame.to_numpy(dtype=float)
        if not self.categories_:
            return frame
        frame = frame.copy()
        for column, levels in self.categories_.items():
            # Levels unseen in fit become missing values.
            frame[column] = pd.Categorical(frame[column], categories=levels)
        return frame

    def _prepare_predict(self, X):
        check_is_fitted(self, "model_")
        return self._model_input(self._check_X(X, reset=False))

    @property
    def feature_importances_(self):
        """Gain-based importances of the fitted model (for feature elimination)."""
        check_is_fitted(self, "model_")
        return self.model_.feature_importances_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # XGBoost learns a default direction for NaN
        return tags


class XGBoostRisk(_XGBoostInput, BinaryRiskMixin, ClassifierMixin, BaseEstimator):
    """XGBoost classifier returning P(event), with defaults sized for clinical cohorts.

    Parameters
    ----------
    n_estimators : int, default=200
    max_depth : int, default=3
        Shallow trees: clinical cohorts of hundreds to tens of thousands of
        patients rarely support deep interactions.
    learning_rate : float, default=0.05
    subsample : float, default=0.8
        Fraction of rows drawn for each tree.
    colsample_bytree : float, default=0.8
        Fraction of columns drawn for each tree.
    min_child_weight : float, default=1
    reg_lambda : float, default=1.0
        L2 penalty on leaf weights.
    scale_pos_weight : float or "balanced", default=1.0
        Weight of events relative to non-events (``"balanced"``: non-events /
        events in the training data). Anything but 1 distorts the risks; a
        :class:`~riskml.models.RiskPipeline` recalibrates them (see its
        ``recalibrate``).
    n_jobs : int or None, default=None
        XGBoost threads. None: every core when the model is fitted at the top
        level (folds one after another, the whole-cohort refit), one thread
        inside a parallel worker (folds or replicates already in parallel).
        XGBoost's ``hist`` trees and risks do not depend on the thread count
        (tested), so the numbers are the same whatever ``n_jobs``.
    random_state : int, default=0

    Attributes
    ----------
    model_ : xgboost.XGBClassifier
        The fitted model (for SHAP's ``TreeExplainer``).
    categories_ : dict of str to list
        Levels of each categorical column seen in ``fit``.
    scale_pos_weight_ : float
        The event weight used.
    classes_ : ndarray, ``[0, 1]``
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    ``outcome_kind`` is ``"binary"``: inside a :class:`~riskml.models.RiskPipeline`
    with a time-to-event outcome, the pipeline derives the label at its horizon.
    ``predict_risk`` ignores ``horizon``: the risk is for the horizon of the label
    the model was trained on. When column names contain ``[``, ``]`` or ``<``
    (which XGBoost refuses), the model is fitted on the bare array.

    Categorical columns (pandas ``category`` or string dtype, or object dtype
    holding text) are passed to XGBoost as categories (``enable_categorical=True``),
    without one-hot encoding; levels first seen at prediction time are treated as
    missing. An object column whose values are all numbers (and missing values) is
    numeric, as for the forest and logistic models; one that mixes numbers and text,
    or holds other objects, is refused with a ``TypeError``, and so is a category
    with floating-point levels (a ``ValueError``), which XGBoost cannot take.

    References
    ----------
    Chen T, Guestrin C. XGBoost: a scalable tree boosting system. KDD 2016:785-794.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> X, y = cohort.features, cohort.outcome.event
    >>> model = XGBoostRisk(random_state=0).fit(X, y)
    >>> model.predict_risk(X)[:3].round(2)
    array([0.94, 0.31, 0.96])
    """

    outcome_kind = "binary"

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        "scale_pos_weight": [Interval(Real, 0, None, closed="neither"), StrOptions({"balanced"})],
    }

    def __init__(
        self,
        n_estimators=200,
        max_depth=3,
        learning_rate=0.05,
        subsample=0.8,
        colsample_bytree=0.8,
        min_child_weight=1,
        reg_lambda=1.0,
        scale_pos_weight=1.0,
        n_jobs=None,
        random_state=0,
    ):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.scale_pos_weight = scale_pos_weight
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the boosted trees.

        Parameters
        ----------
        X : pandas.DataFrame
            Numeric features (e.g. the output of
            :func:`~riskml.features.make_preprocessor`), or categorical columns.
        y : 0/1 array or binary Outcome

        Returns
        -------
        self
        """
        from xgboost import XGBClassifier

        self._validate_params()
        outcome = self._check_outcome(y)
        data = self._prepare_fit(X)
        event = outcome.event.astype(int)
        if event.min() == event.max():
            raise ValueError(
                f"XGBoostRisk needs events and non-events; y holds 1 class only "
                f"({'events' if event[0] else 'non-events'}, n_samples={event.size})."
            )
        if self.scale_pos_weight == "balanced":
            self.scale_pos_weight_ = float((event == 0).sum()) / max(float(event.sum()), 1.0)
        else:
            self.scale_pos_weight_ = float(self.scale_pos_weight)
        self.model_ = XGBClassifier(
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            learning_rate=self.learning_rate,
            subsample=self.subsample,
            colsample_bytree=self.colsample_bytree,
            min_child_weight=self.min_child_weight,
            reg_lambda=self.reg_lambda,
            scale_pos_weight=self.scale_pos_weight_,
            n_jobs=fit_threads(self.n_jobs, np.size(data)),
            random_state=self.random_state,
            enable_categorical=bool(self.categories_),
        ).fit(data, event)
        _predict_threads(self.model_, self.n_jobs)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        """Class probabilities ``[P(no event), P(event)]``."""
        data = self._prepare_predict(X)
        return np.asarray(self.model_.predict_proba(data), dtype=float)


def _check_horizon(horizon) -> float:
    if isinstance(horizon, bool) or not isinstance(horizon, Real):
        raise TypeError(f"horizon must be a number of days; got {type(horizon).__name__}.")
    horizon = float(horizon)
    if not np.isfinite(horizon) or horizon <= 0:
        raise ValueError(f"horizon must be a positive number of days; got {horizon!r}.")
    return horizon


class XGBoostSurvival(_XGBoostInput, RiskEstimatorMixin, BaseEstimator):
    """XGBoost with a Cox partial-likelihood objective and a Breslow baseline hazard.

    The trees model the log relative hazard (``objective="survival:cox"``);
    Breslow's estimator of the baseline cumulative hazard ``H0`` is then computed
    from the training margins, so that a horizon risk is a probability.

    Parameters
    ----------
    n_estimators : int, default=200
    max_depth : int, default=3
    learning_rate : float, default=0.05
    subsample : float, default=0.8
    colsample_bytree : float, default=0.8
    min_child_weight : float, default=1
    reg_lambda : float, default=1.0
    n_jobs : int or None, default=None
        XGBoost threads. None: every core when the model is fitted at the top
        level (folds one after another, the whole-cohort refit), one thread
        inside a parallel worker (folds or replicates already in parallel).
        XGBoost's ``hist`` trees and risks do not depend on the thread count
        (tested), so the numbers are the same whatever ``n_jobs``.
    random_state : int, default=0

    Attributes
    ----------
    model_ : xgboost.XGBRegressor
        The fitted model (``objective="survival:cox"``).
    baseline_ : BreslowBaseline
        Event times and ``H0`` at them (``baseline_.times``,
        ``baseline_.cumulative_hazard``), for margins centred at their training
        mean ``baseline_.offset``.
    categories_ : dict of str to list
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    ``predict_risk(X)`` is the margin (log relative hazard; higher = higher
    risk). ``predict_risk(X, horizon)`` is ``1 - S0(horizon)^exp(margin)``, i.e.
    ``1 - exp(-H0(horizon) exp(margin - offset))``, with ``H0`` the same
    right-continuous step function as :class:`~riskml.models.CoxPH`'s (no
    interpolation between event times; beyond the last training event time ``H0``
    stays at its last value). Ties follow R's rule that the baseline matches the
    partial likelihood's tie method: XGBoost's ``survival:cox`` objective is
    Breslow's partial likelihood (its ``cox-nloglik`` equals it on tied data,
    tested), so ``H0`` is Breslow's estimator (R's ``survfit.coxph(ctype = 1)``),
    where CoxPH's Efron fit uses Efron's (``ctype = 2``). XGBoost's label is the time,
    negated for censored patients (times of 0 are floored at 1e-6 days).
    Categorical columns are handled as in :class:`XGBoostRisk`.

    References
    ----------
    Chen T, Guestrin C. XGBoost: a scalable tree boosting system. KDD 2016:785-794.

    Breslow NE. Discussion of the paper by D. R. Cox. J R Stat Soc B.
    1972;34(2):216-217.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> X, y_survival = cohort.features, cohort.outcome.to_y()
    >>> model = XGBoostSurvival(random_state=0).fit(X, y_survival)
    >>> model.predict_risk(X, horizon=180)[:3].round(2)
    array([1.  , 0.63, 1.  ])
    """

    outcome_kind = "survival"

    _parameter_constraints = dict(_COMMON_CONSTRAINTS)

    def __init__(
        self,
        n_estimators=200,
        max_depth=3,
        learning_rate=0.05,
        subsample=0.8,
        colsample_bytree=0.8,
        min_child_weight=1,
        reg_lambda=1.0,
        n_jobs=None,
        random_state=0,
    ):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the boosted Cox model and the Breslow baseline.

        Parameters
        ----------
        X : pandas.DataFrame
        y : structured (event, time) array or time-to-event Outcome

        Returns
        -------
        self
        """
        from xgboost import XGBRegressor

        self._validate_params()
        outcome = self._check_outcome(y)
        data = self._prepare_fit(X)
        time = np.maximum(outcome.time, 1e-6)
        self.model_ = XGBRegressor(
            objective="survival:cox",
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            learning_rate=self.learning_rate,
            subsample=self.subsample,
            colsample_bytree=self.colsample_bytree,
            min_child_weight=self.min_child_weight,
            reg_lambda=self.reg_lambda,
            n_jobs=fit_threads(self.n_jobs, np.size(data)),
            random_state=self.random_state,
            enable_categorical=bool(self.categories_),
        ).fit(data, np.where(outcome.event, time, -time))
        _predict_threads(self.model_, self.n_jobs)
        margin = np.asarray(self.model_.predict(data, output_margin=True), dtype=float)
        self.baseline_ = BreslowBaseline(outcome.time, outcome.event, margin)
        return self

    def predict_risk(self, X, horizon=None):
        """Risk, higher = higher risk.

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Days. None: the margin (log relative hazard). A number:
            ``1 - S(horizon | x)``.

        Returns
        -------
        ndarray of float, shape (n_samples,)
        """
        data = self._prepare_predict(X)
        margin = np.asarray(self.model_.predict(data, output_margin=True), dtype=float)
        if horizon is None:
            return margin
        return self.baseline_.risk(margin, _check_horizon(horizon))
