"""Recursive feature elimination ranked by XGBoost, sized by a cross-validated C-statistic."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_array
from sklearn.utils._param_validation import HasMethods, Interval

from ..evaluation import c_statistic_scorer
from ..outcome import check_outcome
from ..utils.parallel import fit_threads
from ._base import DataFrameSelectorMixin, check_selector_input, validate_parameters
from ._rankers import named_ranking_estimator

__all__ = ["RecursiveFeatureElimination"]


def _signed_time(y) -> np.ndarray:
    """XGBoost's ``survival:cox`` label: the time, negated where censored.

    A time of 0 cannot carry a sign, so times are floored at 1e-6 days.
    """
    outcome = check_outcome(y, allow_binary=False)
    time = np.maximum(outcome.time, 1e-6)
    return np.where(outcome.event, time, -time)


class _XGBoostCoxRanker(BaseEstimator):
    """XGBoost with ``objective="survival:cox"`` taking a structured (event, time) ``y``.

    Used as the default ranking estimator of :class:`RecursiveFeatureElimination`
    for time-to-event outcomes. ``predict_risk`` is the log relative hazard.
    """

    def __init__(self, n_estimators=100, max_depth=3, learning_rate=0.1, random_state=0):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.random_state = random_state

    def fit(self, X, y):
        from xgboost import XGBRegressor

        self.model_ = XGBRegressor(
            objective="survival:cox",
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            learning_rate=self.learning_rate,
            n_jobs=fit_threads(None, np.size(X)),
            random_state=self.random_state,
        ).fit(X, _signed_time(y))
        self.n_features_in_ = np.shape(X)[1]
        return self

    @property
    def feature_importances_(self):
        return self.model_.feature_importances_

    def predict_risk(self, X, horizon=None):
        return np.asarray(self.model_.predict(X, output_margin=True), dtype=float)


def _default_estimator(survival: bool, random_state):
    seed = 0 if random_state is None else random_state
    if survival:
        return _XGBoostCoxRanker(random_state=seed)
    from xgboost import XGBClassifier

    # threads are set per fit by _eliminate (the same trees whatever their number)
    return XGBClassifier(n_estimators=100, max_depth=3, learning_rate=0.1, random_state=seed)


def _with_threads(estimator, n_cells):
    """The default XGBoost ranker with :func:`~riskml.utils.fit_threads`' threads for a
    fit of ``n_cells`` cells (one for a small fit); other estimators unchanged."""
    from xgboost import XGBClassifier

    if type(estimator) is XGBClassifier and estimator.get_params()["n_jobs"] is None:
        estimator.set_params(n_jobs=fit_threads(None, n_cells))
    return estimator


def _eliminate(estimator, X, y, n_features_to_select, step):
    """Recursive elimination to a fixed size, without scikit-learn's final fit.

    The same loop, importances and tie rule as :class:`sklearn.feature_selection.RFE`
    (so the same ``support_`` and ``ranking_``), but it stops once the size is
    reached: RFE then fits its estimator once more on the kept columns, a model
    that a pipeline discards and fits again as its own final step.

    Returns
    -------
    support : ndarray of bool
    ranking : ndarray of int
    """
    import warnings

    from sklearn.feature_selection._base import _get_feature_importances

    n_features = X.shape[1]
    if isinstance(n_features_to_select, Integral):
        if n_features_to_select > n_features:
            warnings.warn(
                f"Found n_features_to_select={n_features_to_select} > n_features={n_features}. "
                "There will be no feature selection and all features will be kept.",
                UserWarning,
                stacklevel=3,
            )
    else:
        n_features_to_select = int(n_features * n_features_to_select)
    step = int(max(1, step * n_features)) if 0.0 < step < 1.0 else int(step)
    support = np.ones(n_features, dtype=bool)
    ranking = np.ones(n_features, dtype=int)
    reuse = _unused_columns_change_nothing(estimator)
    known = None  # importances of the last fit, by column, while they still hold
    while support.sum() > n_features_to_select:
        features = np.flatnonzero(support)
        if known is not None:
            importances = known[features]
        else:
            fitted = _with_threads(clone(estimator), X.shape[0] * len(features)).fit(
                X[:, features], y
            )
            importances = _get_feature_importances(fitted, "auto", transform_func="square")
        ranks = np.ravel(np.argsort(importances, kind="stable"))
        threshold = min(step, support.sum() - n_features_to_select)
        dropped = ranks[:threshold]
        support[features[dropped]] = False
        ranking[~support] += 1
        # columns no split used leave the next fit as it is: keep this fit's importances
        if reuse and not np.any(importances[dropped]):
            known = np.full(n_features, np.nan)
            known[features] = importances
        else:
            known = None
    return support, ranking


def _unused_columns_change_nothing(estimator) -> bool:
    """Whether refitting without columns that no split used gives the same model.

    True of riskml's default XGBoost rankers, which sample neither rows nor columns:
    each split is the best gain over the columns, a tie going to the lowest column
    index (XGBoost's ``SplitEntry::NeedReplace``), and a column's histogram does not
    depend on the others. A column that never won a split therefore wins none when
    another such column is removed, so every tree, and every other column's
    importance, is unchanged (``tests/features/test_rfe_reuse.py`` checks it against
    scikit-learn's RFE, which refits every time).
    """
    from xgboost import XGBClassifier

    if type(estimator) is _XGBoostCoxRanker:
        return True
    if type(estimator) is not XGBClassifier:
        return False
    params = estimator.get_params()
    sampling = ("subsample", "colsample_bytree", "colsample_bylevel", "colsample_bynode")
    return (
        all(params.get(name) in (None, 1, 1.0) for name in sampling)
        and params.get("booster") in (None, "gbtree")
        and params.get("tree_method") in (None, "hist", "auto")
        and not params.get("feature_weights")
        and not params.get("interaction_constraints")
    )


class RecursiveFeatureElimination(DataFrameSelectorMixin, BaseEstimator):
    """Recursive feature elimination for binary or time-to-event outcomes.

    Repeatedly fits a ranking estimator and drops the ``step`` least important
    features. With ``n_features_to_select`` the final size is forced (Wu 2020 kept
    11); without it the size is chosen by the cross-validated C-statistic
    (:class:`sklearn.feature_selection.RFECV`).

    Parameters
    ----------
    estimator : estimator or str, optional
        Ranks features by ``feature_importances_`` or ``coef_``. Default: XGBoost
        (100 trees of depth 3; every core at the top level, one thread inside a
        parallel worker: the same trees either way), an ``XGBClassifier`` for a binary
        ``y`` and ``objective="survival:cox"`` for a time-to-event ``y``. A given
        estimator is cloned; it must accept the ``y`` passed to ``fit``; any riskml
        model works, survival models (e.g. :class:`~riskml.models.CoxPH`, ranked
        by ``|coef_|``) included. A registry name (``"xgboost"``, ``"cox"``,
        ``"random_forest"``, ``"logistic"``, ...) stands for that registry model
        without its preprocessing (:func:`riskml.models.ranking_estimator`);
        :func:`riskml.models.make_model` replaces it by the model when it builds
        a pipeline (XGBoost survival before a time-to-event model), and a
        selector used on its own resolves it in ``fit`` (``"xgboost"`` with a
        time-to-event ``y`` gives :class:`~riskml.models.XGBoostSurvival`) once
        :mod:`riskml.models` is imported (it registers the families; features,
        the layer below, imports nothing from it).
    n_features_to_select : int or float, optional
        Number of features to keep (an int, or a fraction in (0, 1)). None chooses
        the number by cross-validation.
    step : int or float, default=1
        Features removed per iteration (an int, or a fraction in (0, 1)).
    cv : int or cross-validation splitter, default=None
        Used only when ``n_features_to_select`` is None. An int (None: 5) gives
        stratified k-fold on the event flag, shuffled with ``random_state``; a
        splitter's ``split(X, event)`` is used as is.
    scoring : str or callable, optional
        Cross-validation score. None: the C-statistic (AUC for a binary ``y``,
        Harrell's C for a time-to-event ``y``), higher = better.
    min_features_to_select : int, default=1
        Smallest size considered by cross-validation.
    random_state : int, optional
        Seed of the default estimator and of the folds.
    n_jobs : int, optional
        Parallel folds in cross-validation.

    Attributes
    ----------
    support_ : ndarray of bool
        Mask of the selected input columns.
    ranking_ : ndarray of int
        1 for selected columns; larger = eliminated earlier.
    selected_features_ : list of str
        Names of the selected columns, in input order.
    cv_scores_ : pandas.Series or None
        Mean cross-validated score by number of features (None when the size was
        forced).
    selector_ : sklearn.feature_selection.RFE or RFECV
        The scikit-learn selector. With ``n_features_to_select`` it is an
        ``RFE`` holding ``support_``, ``ranking_`` and ``n_features_`` but no
        ``estimator_``: the final fit on the kept columns is skipped, since a
        pipeline fits its own model on them next (see Notes).
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    Put the selector inside a :class:`~riskml.models.RiskPipeline` so that it is
    refitted in every training fold; selecting on the full cohort before
    cross-validation leaks the outcome into the estimate. Time-to-event outcomes
    are passed to XGBoost as the time, negated for censored patients (its
    ``survival:cox`` convention).

    With a forced size, the elimination is scikit-learn's RFE (the same ranking
    and tie rule) stopped at that size: RFE would fit the ranking estimator once
    more on the kept columns, which a pipeline then discards, so a pipeline fit
    costs one ranking fit per elimination step and nothing more.

    References
    ----------
    Guyon I, Weston J, Barnhill S, Vapnik V. Gene selection for cancer
    classification using support vector machines. Mach Learn. 2002;46:389-422.

    Wu X, Yuan X, Wang W, et al. Value of a machine learning approach for predicting
    clinical outcomes in young patients with hypertension. Hypertension.
    2020;75(5):1271-1278.

    Examples
    --------
    >>> selector = RecursiveFeatureElimination(n_features_to_select=11, random_state=0)
    >>> Xs = selector.fit(X, y).transform(X)  # doctest: +SKIP
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit"]), str, None],
        "n_features_to_select": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
            None,
        ],
        "step": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
        ],
        "cv": ["cv_object"],
        "scoring": [str, callable, None],
        "min_features_to_select": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimator=None,
        n_features_to_select=None,
        step=1,
        cv=None,
        scoring=None,
        min_features_to_select=1,
        random_state=None,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.n_features_to_select = n_features_to_select
        self.step = step
        self.cv = cv
        self.scoring = scoring
        self.min_features_to_select = min_features_to_select
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _splits(self, X, outcome):
        from sklearn.model_selection import StratifiedKFold

        cv = 5 if self.cv is None else self.cv
        if isinstance(cv, Integral):
            cv = StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=self.random_state)
        if hasattr(cv, "split"):
            return list(cv.split(X, outcome.event.astype(int)))
        return list(cv)

    def fit(self, X, y):
        """Rank and select the columns of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Numeric (preprocessed) features.
        y : Outcome, structured (event, time) array or 0/1 array

        Returns
        -------
        self
        """
        from sklearn.feature_selection import RFE, RFECV

        validate_parameters(
            self, "RecursiveFeatureElimination(n_features_to_select=11, step=1, cv=10)"
        )
        check_selector_input(X, y, "RecursiveFeatureElimination", numeric=True)
        if isinstance(self.scoring, str):
            from sklearn.metrics import get_scorer_names

            if self.scoring not in get_scorer_names():
                import difflib

                close = difflib.get_close_matches(self.scoring, get_scorer_names(), n=3)
                raise ValueError(
                    f"The 'scoring' parameter of RecursiveFeatureElimination must be None (the "
                    f"C-statistic: AUC or Harrell's C), a scikit-learn scorer name or a "
                    f"callable scorer; got {self.scoring!r}"
                    + (f" (did you mean {close}?)" if close else "")
                    + ". Leave it at None to size the selection by the C-statistic."
                )
        outcome = check_outcome(y)
        y_fit = outcome.to_y()
        if isinstance(X, pd.DataFrame):
            names = np.asarray([str(c) for c in X.columns], dtype=object)
        else:
            X = np.asarray(X)
            names = np.asarray([f"x{i}" for i in range(X.shape[1])], dtype=object)
        if self.estimator is None:
            estimator = _default_estimator(outcome.is_survival, self.random_state)
        elif isinstance(self.estimator, str):
            estimator = named_ranking_estimator(
                self.estimator, outcome.is_survival, self.random_state
            )
        else:
            estimator = clone(self.estimator)

        if self.n_features_to_select is not None:
            X_array = check_array(
                X, accept_sparse="csc", ensure_all_finite=False, ensure_min_features=2
            )
            support, ranking = _eliminate(
                estimator, X_array, y_fit, self.n_features_to_select, self.step
            )
            # the fitted state of RFE without its final fit (estimator_ is left unset)
            selector = RFE(
                estimator, n_features_to_select=self.n_features_to_select, step=self.step
            )
            selector.support_, selector.ranking_ = support, ranking
            selector.n_features_, selector.n_features_in_ = int(support.sum()), len(names)
            self.cv_scores_ = None
        else:
            selector = RFECV(
                _with_threads(estimator, int(np.prod(np.shape(X)))),
                step=self.step,
                min_features_to_select=self.min_features_to_select,
                cv=self._splits(X, outcome),
                scoring=c_statistic_scorer if self.scoring is None else self.scoring,
                n_jobs=self.n_jobs,
            )
            selector.fit(X, y_fit)
            results = selector.cv_results_
            self.cv_scores_ = pd.Series(
                results["mean_test_score"],
                index=pd.Index(results["n_features"], name="n_features"),
                name="mean_test_score",
            )
        self.selector_ = selector
        self.support_ = np.asarray(selector.support_, dtype=bool)
        self.ranking_ = np.asarray(selector.ranking_)
        self.feature_names_in_ = names
        self.n_features_in_ = len(names)
        self.selected_features_ = [str(n) for n in names[self.support_]]
        return self
