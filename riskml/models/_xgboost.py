"""Gradient-boosted trees (XGBoost) for a binary outcome."""

from __future__ import annotations

import re
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._base import RiskEstimatorMixin

__all__ = ["XGBoostRisk"]

# XGBoost refuses feature names containing these characters.
_XGBOOST_FORBIDDEN = re.compile(r"[\[\]<]")


class XGBoostRisk(RiskEstimatorMixin, ClassifierMixin, BaseEstimator):
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
    scale_pos_weight : float, default=1.0
        Weight of events relative to non-events (leave at 1 for calibrated risks).
    n_jobs : int, default=1
        XGBoost threads; parallelise over folds instead.
    random_state : int, default=0

    Attributes
    ----------
    model_ : xgboost.XGBClassifier
        The fitted model (for SHAP's ``TreeExplainer``).
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

    References
    ----------
    Chen T, Guestrin C. XGBoost: a scalable tree boosting system. KDD 2016:785-794.

    Examples
    --------
    >>> model = XGBoostRisk(random_state=0).fit(X, y)  # doctest: +SKIP
    >>> model.predict_risk(X)[:3]  # doctest: +SKIP
    """

    outcome_kind = "binary"

    _parameter_constraints = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_depth": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "subsample": [Interval(Real, 0, 1, closed="right")],
        "colsample_bytree": [Interval(Real, 0, 1, closed="right")],
        "min_child_weight": [Interval(Real, 0, None, closed="left")],
        "reg_lambda": [Interval(Real, 0, None, closed="left")],
        "scale_pos_weight": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
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
        n_jobs=1,
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

    def _model_input(self, frame):
        return frame.to_numpy(dtype=float) if self._bare_array_ else frame

    def fit(self, X, y):
        """Fit the boosted trees.

        Parameters
        ----------
        X : pandas.DataFrame
            Numeric features (e.g. the output of
            :func:`~riskml.features.make_preprocessor`).
        y : 0/1 array or binary Outcome

        Returns
        -------
        self
        """
        from xgboost import XGBClassifier

        self._validate_params()
        outcome = self._check_outcome(y)
        frame = self._check_X(X, reset=True)
        self._bare_array_ = any(_XGBOOST_FORBIDDEN.search(n) for n in self.feature_names_in_)
        self.model_ = XGBClassifier(
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            learning_rate=self.learning_rate,
            subsample=self.subsample,
            colsample_bytree=self.colsample_bytree,
            min_child_weight=self.min_child_weight,
            reg_lambda=self.reg_lambda,
            scale_pos_weight=self.scale_pos_weight,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
        ).fit(self._model_input(frame), outcome.event.astype(int))
        self.classes_ = np.array([0, 1])
        return self

    @property
    def feature_importances_(self):
        """Gain-based importances of the fitted model (for feature elimination)."""
        check_is_fitted(self, "model_")
        return self.model_.feature_importances_

    def predict_proba(self, X):
        """Class probabilities ``[P(no event), P(event)]``."""
        check_is_fitted(self, "model_")
        frame = self._check_X(X, reset=False)
        return np.asarray(self.model_.predict_proba(self._model_input(frame)), dtype=float)

    def predict(self, X):
        """0/1 at a risk threshold of 0.5 (use ``predict_risk`` for risk models)."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def predict_risk(self, X, horizon=None):
        """P(event), higher = higher risk.

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Ignored: the model predicts at the horizon of its training label.

        Returns
        -------
        ndarray of float, shape (n_samples,)
        """
        return self.predict_proba(X)[:, 1]
