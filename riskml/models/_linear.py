"""L1-penalised (LASSO) logistic regression with the penalty chosen by cross-validation."""

from __future__ import annotations

import inspect
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import RiskEstimatorMixin

__all__ = ["LassoRisk"]


def _lasso_logistic_cv(**kwargs):
    """``LogisticRegressionCV`` with a pure L1 penalty, across scikit-learn versions.

    scikit-learn 1.8 deprecated ``penalty`` in favour of ``l1_ratios``; 1.9 warns
    unless ``use_legacy_attributes`` is given.
    """
    from sklearn.linear_model import LogisticRegressionCV

    params = inspect.signature(LogisticRegressionCV).parameters
    if params["penalty"].default == "deprecated":
        kwargs["l1_ratios"] = (1.0,)
    else:  # scikit-learn < 1.8
        kwargs["penalty"] = "l1"
    if "use_legacy_attributes" in params:
        kwargs["use_legacy_attributes"] = False
    return LogisticRegressionCV(**kwargs)


class LassoRisk(RiskEstimatorMixin, ClassifierMixin, BaseEstimator):
    """LASSO logistic regression; the penalty is chosen by inner stratified CV on AUC.

    Parameters
    ----------
    Cs : int or list of float, default=10
        Inverse penalty strengths to try (an int: that many on a log grid from
        1e-4 to 1e4).
    cv : int, default=5
        Inner stratified folds (shuffled with ``random_state``) used to choose C.
    solver : {"saga", "liblinear"}, default="saga"
        ``"liblinear"`` also penalises the intercept, which biases risks toward
        0.5 under strong penalties; ``"saga"`` does not.
    max_iter : int, default=5000
    tol : float, default=1e-4
    class_weight : dict, "balanced" or None, default=None
    random_state : int, default=0

    Attributes
    ----------
    model_ : sklearn.linear_model.LogisticRegressionCV
    coef_ : pandas.Series
        Coefficients on the (scaled) input columns, indexed by feature name; zeros
        are features the penalty removed.
    intercept_ : float
    C_ : float
        The chosen inverse penalty.
    classes_ : ndarray, ``[0, 1]``
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    Scale the features first (``make_preprocessor(scale=True)``): the L1 penalty
    treats all coefficients alike. ``predict_risk`` ignores ``horizon`` (the risk
    is for the horizon of the training label).

    References
    ----------
    Tibshirani R. Regression shrinkage and selection via the lasso. J R Stat Soc B.
    1996;58(1):267-288.

    Examples
    --------
    >>> model = LassoRisk(random_state=0).fit(X, y)  # doctest: +SKIP
    >>> model.coef_[model.coef_ != 0]  # doctest: +SKIP
    """

    outcome_kind = "binary"

    _parameter_constraints = {
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "solver": [StrOptions({"saga", "liblinear"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        Cs=10,
        cv=5,
        solver="saga",
        max_iter=5000,
        tol=1e-4,
        class_weight=None,
        random_state=0,
    ):
        self.Cs = Cs
        self.cv = cv
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, X, y):
        """Choose the penalty by inner CV and fit on all of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame
            Numeric, scaled features.
        y : 0/1 array or binary Outcome

        Returns
        -------
        self
        """
        from sklearn.model_selection import StratifiedKFold

        self._validate_params()
        outcome = self._check_outcome(y)
        frame = self._check_X(X, reset=True)
        self.model_ = _lasso_logistic_cv(
            Cs=self.Cs,
            cv=StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.random_state),
            solver=self.solver,
            scoring="roc_auc",
            max_iter=self.max_iter,
            tol=self.tol,
            class_weight=self.class_weight,
            random_state=self.random_state,
        ).fit(frame, outcome.event.astype(int))
        self.coef_ = pd.Series(
            self.model_.coef_.ravel(), index=list(self.feature_names_in_), name="coef"
        )
        self.intercept_ = float(np.ravel(self.model_.intercept_)[0])
        self.C_ = float(np.ravel(self.model_.C_)[0])
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        """Class probabilities ``[P(no event), P(event)]``."""
        check_is_fitted(self, "model_")
        frame = self._check_X(X, reset=False)
        return np.asarray(self.model_.predict_proba(frame), dtype=float)

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
