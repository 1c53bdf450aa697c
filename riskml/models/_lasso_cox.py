"""L1-penalised (LASSO) Cox regression with the penalty chosen by inner cross-validation."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..evaluation import c_statistic
from ..utils.parallel import silenced
from ._base import ModelFitWarning, RiskEstimatorMixin
from .cox import CoxPH

#: ``fit_issues_`` sentence: some candidate penalties could not be fitted in the inner folds.
SKIPPED_PENALTIES_ISSUE = (
    "lifelines could not fit the L1-penalised Cox model at some of the candidate penalties "
    "(its Newton-Raphson broke down, typically on collinear columns such as every level of "
    "a one-hot variable), so they were left out of the choice of the penalty "
    "(n_failed_fits_, cv_scores_)."
)

#: ``fit_issues_`` sentence: the refit at the chosen penalty failed; the next best was used.
NEXT_BEST_PENALTY_ISSUE = (
    "the refit on all the training data broke down at the penalty chosen by inner "
    "cross-validation, so the best penalty whose refit succeeded was used (penalizer_)."
)

__all__ = ["LassoCox"]


def max_cox_penalizer(X: np.ndarray, time: np.ndarray, event: np.ndarray) -> float:
    """The smallest lifelines ``penalizer`` (with ``l1_ratio=1``) that zeroes every coefficient.

    ``max_j |U_j(0)| / n``, where ``U(0)`` is the Cox score at beta = 0 with
    Breslow risk sets; lifelines penalises ``n * penalizer * ||beta||_1``, as
    glmnet does with its lambda (Simon et al. 2011).
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    order = np.argsort(-time, kind="stable")  # descending time: risk sets are prefixes
    cum_x = np.cumsum(X[order], axis=0)
    cum_n = np.arange(1, n + 1, dtype=float)
    sorted_time = time[order]
    # risk set of a patient = everyone with time >= theirs: the last prefix position
    # among equal times
    last = np.searchsorted(-sorted_time, -sorted_time, side="right") - 1
    means = cum_x[last] / cum_n[last, None]
    events = event[order]
    score = (X[order][events] - means[events]).sum(axis=0)
    return float(np.abs(score).max() / n) if n else 0.0


class LassoCox(RiskEstimatorMixin, BaseEstimator):
    """LASSO Cox model: lifelines ``CoxPH(penalizer=lambda, l1_ratio=1)``, lambda by inner CV.

    The penalty is chosen from a log-spaced grid below the smallest penalty that
    removes every covariate, by the mean Harrell's C over inner stratified folds;
    the model is then refitted on all the training data with it.

    Parameters
    ----------
    penalizers : list of float, optional
        The grid of lifelines ``penalizer`` values. None: ``n_penalizers``
        values from ``lambda_max`` down to ``lambda_max * min_ratio``.
    n_penalizers : int, default=6
    min_ratio : float, default=0.02
    cv : int, default=5
        Inner folds, stratified on the event flag and shuffled with
        ``random_state``.
    l1_ratio : float, default=1.0
        lifelines' ``l1_ratio`` (1 = LASSO; below 1 = elastic net).
    random_state : int, default=0

    Attributes
    ----------
    penalizer_ : float
        The chosen penalty.
    cv_scores_ : pandas.Series
        Mean inner-CV Harrell's C by penalty (index ``penalizer``); NaN where a
        fit failed in some fold.
    n_failed_fits_ : int
        lifelines fits that broke down (see Notes); those penalties are skipped.
    fit_issues_ : list of str
        Skipped penalties, a refit at other than the chosen penalty, and the
        refitted model's own issues (:attr:`CoxPH.fit_issues_`), one sentence each,
        also raised as :class:`~riskml.models.ModelFitWarning`; empty for a clean fit.
    model_ : CoxPH
        The refitted model (``model_.lifelines_`` is the lifelines fitter).
    coef_ : pandas.Series
        Log hazard ratios on the (scaled) columns.
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    lifelines fits the L1 penalty through a smooth approximation whose
    sharpness grows with the iterations, so removed coefficients are tiny rather
    than exactly 0, and its Newton steps can break down ("matrix inversion
    problems") at some penalties, typically with collinear columns such as every
    level of a one-hot variable. Such penalties are skipped and counted
    (``n_failed_fits_``); ``l1_ratio`` slightly below 1 adds a little ridge.
    Each fit takes ~60 Newton steps, so the grid is small by default. Standardise the covariates first (``make_preprocessor(
    scale=True)``). Ties in the inner C favour the larger penalty (the sparser
    model). ``predict_risk`` follows :class:`CoxPH`: the log partial hazard, or
    ``1 - S(horizon | x)`` with a horizon.

    References
    ----------
    Tibshirani R. The lasso method for variable selection in the Cox model. Stat
    Med. 1997;16(4):385-395.

    Simon N, Friedman J, Hastie T, Tibshirani R. Regularization paths for Cox's
    proportional hazards model via coordinate descent. J Stat Softw.
    2011;39(5):1-13.

    Examples
    --------
    >>> model = LassoCox(random_state=0).fit(X, y_survival)  # doctest: +SKIP
    >>> model.coef_[model.coef_.abs() > 1e-3]  # doctest: +SKIP
    """

    outcome_kind = "survival"

    _parameter_constraints = {
        "penalizers": ["array-like", None],
        "n_penalizers": [Interval(Integral, 1, None, closed="left")],
        "min_ratio": [Interval(Real, 0, 1, closed="neither")],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="right")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        penalizers=None,
        n_penalizers=6,
        min_ratio=0.02,
        cv=5,
        l1_ratio=1.0,
        random_state=0,
    ):
        self.penalizers = penalizers
        self.n_penalizers = n_penalizers
        self.min_ratio = min_ratio
        self.cv = cv
        self.l1_ratio = l1_ratio
        self.random_state = random_state

    def _grid(self, frame: pd.DataFrame, outcome) -> np.ndarray:
        if self.penalizers is not None:
            grid = np.asarray(self.penalizers, dtype=float).ravel()
            if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid <= 0):
                raise ValueError(
                    f"penalizers must be positive numbers; got {list(self.penalizers)!r}."
                )
            return np.sort(grid)[::-1]
        top = max_cox_penalizer(frame.to_numpy(dtype=float), outcome.time, outcome.event)
        top = top if top > 0 else 1.0
        return top * np.geomspace(1.0, self.min_ratio, self.n_penalizers)

    def fit(self, X, y):
        """Choose the penalty by inner CV on Harrell's C, then fit on all of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame
            Numeric, scaled covariates.
        y : structured (event, time) array or time-to-event Outcome

        Returns
        -------
        self
        """
        from sklearn.model_selection import StratifiedKFold

        self._validate_params()
        outcome = self._check_outcome(y)
        frame = self._check_X(X, reset=True)
        grid = self._grid(frame, outcome)
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        y_all = outcome.to_structured()
        splits = list(folds.split(frame, outcome.event))
        scores = np.zeros(grid.size)
        failed = 0
        for train, test in splits:
            for k, penalizer in enumerate(grid):
                if np.isnan(scores[k]):
                    continue
                model = self._try_fit(penalizer, frame.iloc[train], y_all[train])
                if model is None:
                    failed += 1
                    scores[k] = np.nan
                    continue
                scores[k] += c_statistic(y_all[test], model.predict_risk(frame.iloc[test]))
        scores /= len(splits)
        self.cv_scores_ = pd.Series(
            scores, index=pd.Index(grid, name="penalizer"), name="mean_c_statistic"
        )
        # grid is descending, and a stable sort keeps ties in that order: the larger
        # penalty (the sparser model) wins a tie
        order = [
            k
            for k in np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")
            if not np.isnan(scores[k])
        ]
        self.model_ = None
        for k in order:
            self.model_ = self._try_fit(grid[k], frame, y_all)
            if self.model_ is not None:
                self.penalizer_ = float(grid[k])
                break
            failed += 1
        self.n_failed_fits_ = failed
        if self.model_ is None:
            raise ValueError(
                f"lifelines could not fit the L1-penalised Cox model at any of the penalties "
                f"{np.round(grid, 6).tolist()} ({failed} fits failed to converge). Pass other "
                "penalizers, or use l1_ratio < 1 (elastic net) or the ridge-penalised 'cox'."
            )
        self.fit_issues_ = []
        if np.isnan(scores).any():
            self.fit_issues_.append(SKIPPED_PENALTIES_ISSUE)
        if self.penalizer_ != float(grid[order[0]]):
            self.fit_issues_.append(NEXT_BEST_PENALTY_ISSUE)
        self.fit_issues_ += self.model_.fit_issues_
        for issue in self.fit_issues_:
            warnings.warn(issue, ModelFitWarning, stacklevel=2)
        self.coef_ = self.model_.coef_
        return self

    def _try_fit(self, penalizer, X, y):
        """The fitted CoxPH, or None when lifelines' Newton iterations break down."""
        from lifelines.exceptions import ConvergenceError

        try:
            with silenced():
                return self._cox(penalizer).fit(X, y)
        except (ConvergenceError, np.linalg.LinAlgError):
            return None

    def _cox(self, penalizer: float) -> CoxPH:
        return CoxPH(penalizer=float(penalizer), l1_ratio=float(self.l1_ratio))

    def predict_risk(self, X, horizon=None):
        """Risk, higher = higher risk (as :meth:`CoxPH.predict_risk`).

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Days. None: the log partial hazard; a number: ``1 - S(horizon | x)``.

        Returns
        -------
        ndarray of float, shape (n_samples,)
        """
        check_is_fitted(self, "model_")
        frame = self._check_X(X, reset=False)
        with silenced(FutureWarning):
            return self.model_.predict_risk(frame, horizon=horizon)
