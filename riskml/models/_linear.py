"""Logistic regression: LASSO (penalty chosen by cross-validation), unpenalised and ridge."""

from __future__ import annotations

import inspect
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import BinaryRiskMixin

__all__ = ["LassoRisk", "LogisticRisk"]


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


class LassoRisk(BinaryRiskMixin, ClassifierMixin, BaseEstimator):
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
    n_iter_ : int
        Solver iterations (the most over folds and candidates).
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
        self.n_iter_ = int(np.max(self.model_.n_iter_))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        """Class probabilities ``[P(no event), P(event)]``."""
        check_is_fitted(self, "model_")
        frame = self._check_X(X, reset=False)
        return np.asarray(self.model_.predict_proba(frame), dtype=float)


def _logistic(penalty, C, **kwargs):
    """``LogisticRegression`` without or with an L2 penalty, across scikit-learn versions.

    scikit-learn 1.8 deprecated ``penalty``: no penalty is ``C=inf`` and L2 is
    ``l1_ratio=0``.
    """
    from sklearn.linear_model import LogisticRegression

    params = inspect.signature(LogisticRegression).parameters
    if params["penalty"].default == "deprecated":
        kwargs["C"] = np.inf if penalty is None else C
        kwargs["l1_ratio"] = 0.0
    else:  # scikit-learn < 1.8
        kwargs["penalty"] = penalty
        kwargs["C"] = C
    return LogisticRegression(**kwargs)


def _ridge_logistic_cv(**kwargs):
    """``LogisticRegressionCV`` with an L2 penalty, across scikit-learn versions."""
    from sklearn.linear_model import LogisticRegressionCV

    params = inspect.signature(LogisticRegressionCV).parameters
    if params["penalty"].default == "deprecated":
        kwargs["l1_ratios"] = (0.0,)
    else:  # scikit-learn < 1.8
        kwargs["penalty"] = "l2"
    if "use_legacy_attributes" in params:
        kwargs["use_legacy_attributes"] = False
    return LogisticRegressionCV(**kwargs)


class LogisticRisk(BinaryRiskMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression, unpenalised or ridge: the conventional comparator.

    Parameters
    ----------
    penalty : {None, "l2"}, default=None
        None: maximum likelihood. ``"l2"``: ridge with inverse strength ``C``, or
        chosen by inner CV when ``cv`` is set.
    C : float, default=1.0
        Inverse ridge strength (``penalty="l2"`` without ``cv``).
    cv : int, optional
        With ``penalty="l2"``: choose ``C`` among ``Cs`` by inner stratified CV
        on AUC (folds shuffled with ``random_state``).
    Cs : int or list of float, default=10
        Candidate ``C`` values for ``cv`` (an int: a log grid from 1e-4 to 1e4).
    class_weight : dict, "balanced" or None, default=None
        Anything but None distorts the risks; a
        :class:`~riskml.models.RiskPipeline` recalibrates them.
    max_iter : int, default=1000
    tol : float, default=1e-4
    random_state : int, default=0

    Attributes
    ----------
    model_ : sklearn.linear_model.LogisticRegression or LogisticRegressionCV
    coef_ : pandas.Series
        Log odds ratios per (scaled) input column.
    intercept_ : float
    C_ : float
        The inverse penalty used (``inf`` when unpenalised).
    n_iter_ : int
        Solver iterations (the most over folds and candidates).
    classes_ : ndarray, ``[0, 1]``
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    Fitted by L-BFGS. Unpenalised fits with collinear columns (e.g. every level of
    a one-hot-encoded variable next to the intercept) have non-unique
    coefficients but unique risks. ``predict_risk`` ignores ``horizon``.

    References
    ----------
    Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Chapter 13.

    le Cessie S, van Houwelingen JC. Ridge estimators in logistic regression.
    Appl Stat. 1992;41(1):191-201.

    Examples
    --------
    >>> model = LogisticRisk().fit(X, y)  # doctest: +SKIP
    >>> model.coef_  # doctest: +SKIP
    """

    outcome_kind = "binary"

    _parameter_constraints = {
        "penalty": [StrOptions({"l2"}), None],
        "C": [Interval(Real, 0, None, closed="neither")],
        "cv": [Interval(Integral, 2, None, closed="left"), None],
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        penalty=None,
        C=1.0,
        cv=None,
        Cs=10,
        class_weight=None,
        max_iter=1000,
        tol=1e-4,
        random_state=0,
    ):
        self.penalty = penalty
        self.C = C
        self.cv = cv
        self.Cs = Cs
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the logistic model (choosing ``C`` first when ``cv`` is set).

        Parameters
        ----------
        X : pandas.DataFrame
            Numeric (scaled) features.
        y : 0/1 array or binary Outcome

        Returns
        -------
        self
        """
        from sklearn.model_selection import StratifiedKFold

        self._validate_params()
        if self.cv is not None and self.penalty is None:
            raise ValueError(
                "LogisticRisk(cv=...) chooses the ridge strength, but penalty is None. Use "
                "penalty='l2' with cv, or leave cv=None for an unpenalised fit."
            )
        outcome = self._check_outcome(y)
        frame = self._check_X(X, reset=True)
        common = dict(
            class_weight=self.class_weight,
            max_iter=self.max_iter,
            tol=self.tol,
            random_state=self.random_state,
        )
        if self.cv is not None:
            self.model_ = _ridge_logistic_cv(
                Cs=self.Cs,
                cv=StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.random_state),
                scoring="roc_auc",
                **common,
            )
        else:
            self.model_ = _logistic(self.penalty, self.C, **common)
        self.model_.fit(frame.to_numpy(dtype=float), outcome.event.astype(int))
        self.coef_ = pd.Series(
            self.model_.coef_.ravel(), index=list(self.feature_names_in_), name="coef"
        )
        self.intercept_ = float(np.ravel(self.model_.intercept_)[0])
        if self.cv is not None:
            self.C_ = float(np.ravel(self.model_.C_)[0])
        else:
            self.C_ = float("inf") if self.penalty is None else float(self.C)
        self.n_iter_ = int(np.max(self.model_.n_iter_))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        """Class probabilities ``[P(no event), P(event)]``."""
        check_is_fitted(self, "model_")
        frame = self._check_X(X, reset=False)
        return np.asarray(self.model_.predict_proba(frame.to_numpy(dtype=float)), dtype=float)
