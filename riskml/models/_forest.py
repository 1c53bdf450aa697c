"""Random forest (scikit-learn) for a binary outcome."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils.parallel import fit_threads
from ._base import BinaryRiskMixin

__all__ = ["RandomForestRisk"]


class RandomForestRisk(BinaryRiskMixin, ClassifierMixin, BaseEstimator):
    """Random forest returning P(event), with defaults sized for clinical cohorts.

    Parameters
    ----------
    n_estimators : int, default=500
        Enough trees for stable risks (the forest's risk is an average of trees).
    min_samples_leaf : int or float, default=5
        Leaves of at least 5 patients: fully grown trees (sklearn's default of 1)
        give in-sample risks of 0 or 1 and poorly calibrated out-of-sample risks.
    max_features : {"sqrt", "log2"}, int, float or None, default="sqrt"
    max_depth : int, optional
    class_weight : dict, "balanced", "balanced_subsample" or None, default=None
        Anything but None distorts the risks; a
        :class:`~riskml.models.RiskPipeline` recalibrates them (see its
        ``recalibrate``).
    n_jobs : int or None, default=None
        Threads that grow the trees. None: every core when the forest is fitted
        at the top level (e.g. folds fitted one after another, the whole-cohort
        refit), one thread inside a parallel worker (folds or replicates already
        in parallel), so that the cores are not oversubscribed. Fitted trees and
        predicted risks are identical whatever ``n_jobs`` (trees are seeded
        before they are grown, and risks are averaged over trees in a fixed
        order).
    random_state : int, default=0

    Attributes
    ----------
    model_ : sklearn.ensemble.RandomForestClassifier
        Predicts in one thread (risks summed in tree order).
    n_jobs_ : int
        Threads used to grow the trees.
    feature_importances_ : ndarray
        Impurity-based importances (for feature elimination).
    classes_ : ndarray, ``[0, 1]``
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    ``outcome_kind`` is ``"binary"``; ``predict_risk`` ignores ``horizon``.
    Missing values are accepted (scikit-learn >= 1.4 trees route them at each
    split), but imputation in the pipeline is the tested path.

    References
    ----------
    Breiman L. Random forests. Mach Learn. 2001;45:5-32.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> X, y = cohort.features, cohort.outcome.event
    >>> model = RandomForestRisk(random_state=0).fit(X, y)
    >>> model.predict_risk(X)[:3].round(2)
    array([0.88, 0.29, 0.77])
    """

    outcome_kind = "binary"

    _parameter_constraints = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "min_samples_leaf": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
        ],
        "max_features": [
            StrOptions({"sqrt", "log2"}),
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="right"),
            None,
        ],
        "max_depth": [Interval(Integral, 1, None, closed="left"), None],
        "class_weight": [dict, StrOptions({"balanced", "balanced_subsample"}), None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_estimators=500,
        min_samples_leaf=5,
        max_features="sqrt",
        max_depth=None,
        class_weight=None,
        n_jobs=None,
        random_state=0,
    ):
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.max_depth = max_depth
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y):
        """Grow the forest.

        Parameters
        ----------
        X : pandas.DataFrame
            Numeric features.
        y : 0/1 array or binary Outcome

        Returns
        -------
        self
        """
        from joblib import parallel_config
        from sklearn.ensemble import RandomForestClassifier

        self._validate_params()
        outcome = self._check_outcome(y)
        frame = self._check_X(X, reset=True)
        self.n_jobs_ = fit_threads(self.n_jobs)
        model = RandomForestClassifier(
            n_estimators=self.n_estimators,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
            max_depth=self.max_depth,
            class_weight=self.class_weight,
            n_jobs=self.n_jobs_,
            random_state=self.random_state,
        )
        # threads, even under another active joblib backend (e.g. Dask): trees share X
        with parallel_config(backend="threading"):
            model.fit(frame.to_numpy(dtype=float), outcome.event.astype(int))
        # scikit-learn sums the trees' probabilities in threads in completion order,
        # which changes the last bits; one thread sums them in tree order
        self.model_ = model.set_params(n_jobs=1)
        self.classes_ = np.array([0, 1])
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # scikit-learn >= 1.4 trees route NaN at each split
        return tags

    @property
    def feature_importances_(self):
        """Impurity-based importances (for feature elimination)."""
        check_is_fitted(self, "model_")
        return self.model_.feature_importances_

    def predict_proba(self, X):
        """Class probabilities ``[P(no event), P(event)]``."""
        check_is_fitted(self, "model_")
        frame = self._check_X(X, reset=False)
        proba = np.asarray(self.model_.predict_proba(frame.to_numpy(dtype=float)), dtype=float)
        if proba.shape[1] == 1:  # a training set with one class
            event = np.full(proba.shape[0], float(self.model_.classes_[0] == 1))
            return np.column_stack([1.0 - event, event])
        return proba
