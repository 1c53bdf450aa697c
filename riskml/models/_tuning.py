"""Hyperparameter search scored by the C-statistic, nested inside the outer validation."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..evaluation import c_statistic_scorer
from ..outcome import check_outcome
from ._base import RiskEstimatorMixin

__all__ = ["TunedRisk", "tune"]


class TunedRisk(RiskEstimatorMixin, BaseEstimator):
    """A risk model (or pipeline) whose hyperparameters are chosen by inner CV in ``fit``.

    Wraps :class:`~sklearn.model_selection.GridSearchCV` or
    :class:`~sklearn.model_selection.RandomizedSearchCV` with the C-statistic as
    the score and explicit folds stratified on the event flag, so that it
    works with binary and time-to-event ``y`` alike. Because the search runs in
    ``fit``, putting a ``TunedRisk`` in a cross-validated pipeline nests the
    tuning inside each outer training fold (nested cross-validation).

    Parameters
    ----------
    estimator : riskml model or RiskPipeline
        Cloned for every candidate.
    param_grid : dict or list of dict
        ``search="grid"``: lists of values per parameter (``step__name`` for a
        pipeline). ``search="random"``: lists or scipy distributions.
    search : {"grid", "random"}, default="grid"
    cv : int, default=5
        Inner folds, stratified on the event flag, shuffled with
        ``random_state``.
    n_iter : int, default=10
        Candidates drawn by ``search="random"``.
    scoring : callable, optional
        ``scorer(estimator, X, y)``; None: the C-statistic (AUC for a binary
        ``y``, Harrell's C for a time-to-event ``y``).
    random_state : int, default=0
        Seed of the folds and of the random search.
    n_jobs : int, optional
        Candidates fitted in parallel.

    Attributes
    ----------
    best_estimator_ : estimator
        Refitted on all of ``X`` with ``best_params_``.
    best_params_ : dict
    best_score_ : float
        Mean inner-CV score of the best candidate.
    cv_results_ : pandas.DataFrame
        One row per candidate: ``params``, ``mean_test_score``,
        ``std_test_score``, ``rank_test_score`` and one column per parameter.
    search_ : GridSearchCV or RandomizedSearchCV

    Notes
    -----
    scikit-learn's searches stratify an int ``cv`` on ``y`` itself, which fails
    for a structured time-to-event ``y``; ``TunedRisk`` passes the folds
    explicitly instead. For a pipeline whose final step is binary, a
    time-to-event ``y`` is scored by Harrell's C of the horizon risk.

    References
    ----------
    Varma S, Simon R. Bias in error estimation when using cross-validation for
    model selection. BMC Bioinformatics. 2006;7:91.

    Examples
    --------
    >>> import riskml as rk
    >>> from riskml.models import XGBoostRisk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> X, y = cohort.features, cohort.outcome.event
    >>> tuned = TunedRisk(XGBoostRisk(n_estimators=50, random_state=0), {"max_depth": [2, 3]}, cv=3)
    >>> tuned.fit(X, y).best_params_
    {'max_depth': 2}
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_risk"])],
        "param_grid": [dict, list],
        "search": [StrOptions({"grid", "random"})],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "scoring": [callable, None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        search="grid",
        cv=5,
        n_iter=10,
        scoring=None,
        random_state=0,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.param_grid = param_grid
        self.search = search
        self.cv = cv
        self.n_iter = n_iter
        self.scoring = scoring
        self.random_state = random_state
        self.n_jobs = n_jobs

    @property
    def outcome_kind(self) -> str:
        """The wrapped estimator's outcome kind."""
        return getattr(self.estimator, "outcome_kind", "any")

    def fit(self, X, y):
        """Search the candidates by inner CV, then refit the best on all of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame
        y : 0/1 array, structured (event, time) array or Outcome

        Returns
        -------
        self
        """
        from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, StratifiedKFold

        self._validate_params()
        outcome = check_outcome(y)
        smallest = int(min(outcome.event.sum(), (~outcome.event).sum()))
        if smallest < self.cv:
            raise ValueError(
                f"TunedRisk(cv={self.cv}) needs at least {self.cv} events and {self.cv} "
                f"non-events in the data it is fitted on; got {int(outcome.event.sum())} events "
                f"and {int((~outcome.event).sum())} non-events. Use fewer folds."
            )
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        splits = list(folds.split(np.zeros(len(outcome)), outcome.event))
        common = dict(
            scoring=c_statistic_scorer if self.scoring is None else self.scoring,
            cv=splits,
            refit=True,
            n_jobs=self.n_jobs,
            error_score="raise",
        )
        if self.search == "grid":
            search = GridSearchCV(clone(self.estimator), self.param_grid, **common)
        else:
            search = RandomizedSearchCV(
                clone(self.estimator),
                self.param_grid,
                n_iter=self.n_iter,
                random_state=self.random_state,
                **common,
            )
        search.fit(X, outcome.to_y())
        self.search_ = search
        self.best_estimator_ = search.best_estimator_
        self.best_params_ = dict(search.best_params_)
        self.best_score_ = float(search.best_score_)
        results = pd.DataFrame(search.cv_results_)
        keep = ["params", "mean_test_score", "std_test_score", "rank_test_score"]
        params = pd.DataFrame(list(results["params"]), index=results.index)
        self.cv_results_ = pd.concat([results[keep], params], axis=1)
        if hasattr(self.best_estimator_, "n_features_in_"):
            self.n_features_in_ = self.best_estimator_.n_features_in_
        return self

    def predict_risk(self, X, horizon=None):
        """The best candidate's risk (higher = higher risk).

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Passed to the best estimator.

        Returns
        -------
        ndarray of float, shape (n_samples,)
        """
        check_is_fitted(self, "best_estimator_")
        return np.asarray(self.best_estimator_.predict_risk(X, horizon=horizon), dtype=float)


def tune(
    estimator,
    param_grid,
    *,
    search="grid",
    cv=5,
    n_iter=10,
    random_state=0,
    n_jobs=None,
) -> TunedRisk:
    """An unfitted :class:`TunedRisk`: hyperparameter search by C-statistic in ``fit``.

    Parameters
    ----------
    estimator : riskml model or RiskPipeline
    param_grid : dict or list of dict
        Values (grid) or distributions (random) per parameter.
    search : {"grid", "random"}, default="grid"
    cv : int, default=5
    n_iter : int, default=10
    random_state : int, default=0
    n_jobs : int, optional

    Returns
    -------
    TunedRisk

    Examples
    --------
    >>> from riskml.models import make_model
    >>> tuned = tune(make_model("xgboost", horizon=365), {"model__max_depth": [2, 3]})
    >>> type(tuned).__name__
    'TunedRisk'
    """
    return TunedRisk(
        estimator,
        param_grid,
        search=search,
        cv=cv,
        n_iter=n_iter,
        random_state=random_state,
        n_jobs=n_jobs,
    )
