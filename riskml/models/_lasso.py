"""LASSO logistic regression: the penalty chosen by cross-validation on the AUC, fitted by
an exact proximal Newton solver (glmnet's algorithm) or scikit-learn's solvers."""

from __future__ import annotations

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils.parallel import fit_threads, silenced
from ._base import BinaryRiskMixin, ModelFitWarning
from ._glm import _fitted_logistic, _weighted_gram, not_converged_issue
from ._linear import _check_two_classes, _finite_values

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


def _l1_logistic_objective(X1, y, weight, beta, penalty) -> float:
    """``sum_i w_i logloss_i + sum_j penalty_j |beta_j|`` (scikit-learn's objective times 1/C)."""
    z = X1 @ beta
    return float(weight @ (np.logaddexp(0.0, z) - y * z) + penalty @ np.abs(beta))


def _quadratic_lasso_cd(hessian, diagonal, gradient, penalty, new, tol, max_sweeps):
    """Cyclic coordinate descent on ``g'(b - b0) + (b - b0)'H(b - b0)/2 + penalty'|b|``.

    ``new`` holds ``b0`` on entry and the solution on return.
    """
    p1 = new.shape[0]
    h_step = np.zeros(p1)  # H (b - b0)
    for _ in range(max_sweeps):
        largest = 0.0
        for j in range(p1):
            u = diagonal[j] * new[j] - gradient[j] - h_step[j]
            value = np.sign(u) * max(abs(u) - penalty[j], 0.0) / diagonal[j]
            delta = value - new[j]
            if delta != 0.0:
                new[j] = value
                for i in range(p1):
                    h_step[i] += hessian[i, j] * delta
                largest = max(largest, abs(delta) * np.sqrt(diagonal[j]))
        if largest < tol:
            break
    return new


_COMPILED_CD = []


def _quadratic_lasso():
    """The coordinate-descent kernel, compiled by numba when available (else Python)."""
    if not _COMPILED_CD:
        try:
            import numba

            kernel = numba.njit(cache=True, nogil=True)(_quadratic_lasso_cd)
        except ImportError:  # pragma: no cover - numba is a runtime dependency
            kernel = _quadratic_lasso_cd
        _COMPILED_CD.append(kernel)
    return _COMPILED_CD[0]


def _l1_logistic_fit(X1, y, weight, C, beta=None, tol=1e-8, max_iter=100, polish=True):
    """Exact L1-penalised logistic regression by proximal Newton (glmnet's outer/inner loops).

    Minimises ``C sum_i w_i logloss_i + ||coef||_1`` (the intercept, the last column
    of ``X1``, unpenalised): scikit-learn's objective for ``penalty="l1"``. Each
    outer step forms the weighted Gram matrix ``X1' W X1`` (cheap for the tens of
    columns of a clinical model), solves the penalised quadratic model by cyclic
    coordinate descent on it, and backtracks along that direction until the true
    objective decreases enough (Lee, Sun & Saunders 2014). Stops when the step
    changes no coefficient by more than ``tol`` or the objective by less than
    1e-14 of itself. Quadratic convergence makes weak
    penalties as cheap as strong ones, where saga and liblinear slow down.

    Returns
    -------
    beta : ndarray, shape (n_columns,)
    n_iter : int
        Newton steps taken.
    """
    p1 = X1.shape[1]
    penalty = np.r_[np.full(p1 - 1, 1.0 / C), 0.0]
    if beta is None:
        beta = np.zeros(p1)
        rate = np.clip(weight @ y / weight.sum(), 1e-12, 1 - 1e-12)
        beta[-1] = np.log(rate / (1 - rate))
    beta = beta.astype(float, copy=True)
    objective = _l1_logistic_objective(X1, y, weight, beta, penalty)
    inner_tol = np.sqrt(1e-18 * weight.sum())
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        risk = 0.5 * (1.0 + np.tanh(0.5 * (X1 @ beta)))  # expit without overflow warnings
        gradient = X1.T @ (weight * (risk - y))
        hessian = _weighted_gram(X1, weight * risk * (1.0 - risk))
        diagonal = np.maximum(np.diag(hessian), 1e-12)
        # inner problem: min_b g'(b - beta) + (b - beta)'H(b - beta)/2 + penalty'|b|
        # inner threshold as glmnet's: max_j H_jj delta_j^2 below 1e-18 x the total weight
        new = _quadratic_lasso()(
            hessian, diagonal, gradient, penalty, beta.copy(), inner_tol, 10000
        )
        direction = new - beta
        decrease = gradient @ direction + penalty @ (np.abs(new) - np.abs(beta))
        if decrease > -1e-14 * abs(objective):  # no descent left: optimal to rounding
            break
        step = 1.0
        while True:
            trial = beta + step * direction
            value = _l1_logistic_objective(X1, y, weight, trial, penalty)
            if value <= objective + 1e-4 * step * decrease or step < 1e-10:
                break
            step *= 0.5
        beta, previous, objective = trial, objective, value
        if np.max(np.abs(step * direction)) <= tol or previous - value <= 1e-14 * abs(value):
            break
    return (_polish(X1, y, weight, beta, penalty) if polish else beta), n_iter


def _polish(X1, y, weight, beta, penalty):
    """Newton steps on the active set with the signs fixed, to machine precision.

    Near the optimum the L1 problem is smooth on the active set (the nonzero
    coefficients keep their signs): its exact minimiser satisfies the optimality
    conditions to rounding. Kept only when the signs stay and every inactive
    coefficient still has ``|gradient| <= penalty``; otherwise ``beta`` as given.
    """
    active = (beta != 0) | (penalty == 0)
    signs = np.sign(beta) * (penalty > 0)
    polished = beta.copy()
    previous = np.inf
    for _ in range(8):
        risk = 0.5 * (1.0 + np.tanh(0.5 * (X1 @ polished)))
        gradient = X1.T @ (weight * (risk - y)) + signs * penalty
        Xa = X1[:, active]
        hessian = _weighted_gram(Xa, weight * risk * (1.0 - risk))
        # least squares: collinear columns (e.g. dummies of one factor) make it singular
        step = np.linalg.lstsq(hessian, gradient[active], rcond=None)[0]
        if not np.all(np.isfinite(step)):
            return beta
        polished[active] -= step
        size = np.max(np.abs(step))
        # quadratic convergence: stop at rounding, or when a step no longer shrinks
        if size <= 1e-13 * max(1.0, np.max(np.abs(polished))) or size >= previous / 2:
            break
        previous = size
    risk = 0.5 * (1.0 + np.tanh(0.5 * (X1 @ polished)))
    gradient = X1.T @ (weight * (risk - y))
    keeps_signs = np.all(np.sign(polished[active]) == np.sign(beta[active]))
    inactive_ok = np.all(np.abs(gradient[~active]) <= penalty[~active] * (1 + 1e-9))
    if keeps_signs and inactive_ok:
        return polished
    return beta


def _l1_logistic_path_cv(X, y, Cs, splits, class_weight, tol, max_iter, n_jobs=1):
    """Warm-started L1 paths on each training fold, scored by AUC on its test fold.

    The same choice as ``LogisticRegressionCV(scoring="roc_auc")``: the C of the
    highest mean fold AUC (the first of ties, Cs ascending), then one fit on all
    rows, warm-started at the mean of the fold solutions. The folds' paths run on
    ``n_jobs`` threads (numpy and the compiled kernel release the GIL); each path
    is computed as it would be alone, so the result does not depend on ``n_jobs``.
    """
    from joblib import Parallel, delayed
    from sklearn.utils.class_weight import compute_sample_weight
    from threadpoolctl import threadpool_limits

    X1 = np.column_stack([X, np.ones(len(X))])
    weight = np.ones(len(y)) if class_weight is None else compute_sample_weight(class_weight, y)
    # one BLAS thread per fold path, whatever n_jobs: no oversubscription when
    # paths run side by side, and the same rounding (so the same fit) for any n_jobs
    with threadpool_limits(1, user_api="blas"):
        paths = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(_fold_path)(X1, y, weight, train, test, Cs, tol, max_iter)
            for train, test in splits
        )
    scores = np.array([path[0] for path in paths])
    fold_betas = np.array([path[1] for path in paths])
    n_iter = max(path[2] for path in paths)
    best = int(np.argmax(scores.mean(axis=0)))
    beta, steps = _l1_logistic_fit(
        X1, y, weight, Cs[best], fold_betas[:, best].mean(axis=0), tol=tol, max_iter=max_iter
    )
    return beta, best, scores, max(n_iter, steps), steps


def _fold_path(X1, y, weight, train, test, Cs, tol, max_iter):
    """One training fold's warm-started path: test-fold AUC and solution at each C."""
    from sklearn.metrics import roc_auc_score

    scores = np.empty(len(Cs))
    betas = np.empty((len(Cs), X1.shape[1]))
    beta, n_iter = None, 0
    X_train, y_train, w_train, X_test = X1[train], y[train], weight[train], X1[test]
    for c, C in enumerate(Cs):
        # fold fits only rank the Cs (by AUC): the polish is kept for the final fit
        beta, steps = _l1_logistic_fit(
            X_train, y_train, w_train, C, beta, tol=tol, max_iter=max_iter, polish=False
        )
        n_iter = max(n_iter, steps)
        betas[c] = beta
        scores[c] = roc_auc_score(y[test], X_test @ beta)
    return scores, betas, n_iter


class LassoRisk(BinaryRiskMixin, ClassifierMixin, BaseEstimator):
    """LASSO logistic regression; the penalty is chosen by inner stratified CV on AUC.

    Parameters
    ----------
    Cs : int or list of float, default=10
        Inverse penalty strengths to try (an int: that many on a log grid from
        1e-4 to 1e4).
    cv : int, default=5
        Inner stratified folds (shuffled with ``random_state``) used to choose C.
    solver : {"newton", "saga", "liblinear"}, default="newton"
        ``"newton"``: an exact proximal Newton solver (glmnet's algorithm on the
        Gram matrix) run along each fold's path of ``Cs`` from the strongest
        penalty, each fit warm-started at the previous one; it minimises the
        same objective as scikit-learn's and converges in a few steps even
        under weak penalties, where saga needs thousands of passes (see Notes).
        ``"saga"`` or ``"liblinear"``: scikit-learn's ``LogisticRegressionCV``
        with that solver; ``"liblinear"`` also penalises the intercept, which
        biases risks toward 0.5 under strong penalties.
    max_iter : int, default=5000
        Iterations of the solver (Newton steps for ``"newton"``).
    tol : float, optional
        Stopping tolerance; None: 1e-8 (largest coefficient change of a Newton
        step) for ``"newton"``, 1e-4 for the scikit-learn solvers.
    class_weight : dict, "balanced" or None, default=None
    random_state : int, default=0
    n_jobs : int, optional
        Threads running the inner folds' paths (``solver="newton"``); None: every
        core at the top level, one inside a parallel worker
        (:func:`riskml.utils.parallel.fit_threads`). The fit does not depend on it.

    Attributes
    ----------
    model_ : sklearn.linear_model.LogisticRegressionCV or LogisticRegression
        The fitted scikit-learn model; with ``solver="newton"`` a
        ``LogisticRegression`` holding the Newton solution (never fitted itself).
    scores_ : ndarray, shape (cv, n_Cs)
        AUC of each inner test fold (rows) at each candidate C (columns).
    Cs_ : ndarray
        The candidate inverse penalties, ascending.
    coef_ : pandas.Series
        Coefficients on the (scaled) input columns, indexed by feature name; zeros
        are features the penalty removed.
    intercept_ : float
    C_ : float
        The chosen inverse penalty.
    n_iter_ : int
        Solver iterations (the most over folds and candidates).
    fit_issues_ : list of str
        A fit that stopped at ``max_iter`` (the refit on all rows for ``"newton"``;
        any fit of scikit-learn's solvers, whose ``ConvergenceWarning`` it replaces),
        also raised as :class:`~riskml.models.ModelFitWarning`; empty for a clean fit.
    classes_ : ndarray, ``[0, 1]``
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    Scale the features first (``make_preprocessor(scale=True)``): the L1 penalty
    treats all coefficients alike. ``predict_risk`` ignores ``horizon`` (the risk
    is for the horizon of the training label).

    The C is chosen as ``LogisticRegressionCV(scoring="roc_auc")`` chooses it
    (highest mean fold AUC, the first of ties in ascending C) and the
    objective is the same, so the solvers differ only in how close they get to
    its optimum. On the 52,948 evaluable rows x 56 columns of
    ``make_hf_registry()`` (30 days) saga took 91 s (a single fit at C = 1 took
    32 s), the Newton path a few seconds, with coefficients equal to saga's at a
    tight tolerance (``benchmarks/lasso_solvers.py``, ``tests/models``).

    References
    ----------
    Tibshirani R. Regression shrinkage and selection via the lasso. J R Stat Soc B.
    1996;58(1):267-288.

    Friedman J, Hastie T, Tibshirani R. Regularization paths for generalized linear
    models via coordinate descent. J Stat Softw. 2010;33(1):1-22.

    Lee JD, Sun Y, Saunders MA. Proximal Newton-type methods for minimizing
    composite functions. SIAM J Optim. 2014;24(3):1420-1443.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> X, y = cohort.features, cohort.outcome.event
    >>> model = LassoRisk(random_state=0).fit(X, y)
    >>> model.coef_.round(2).head(3)
    age                         0.06
    anaemia                     0.42
    creatinine_phosphokinase    0.00
    Name: coef, dtype: float64
    """

    outcome_kind = "binary"

    _parameter_constraints = {
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "solver": [StrOptions({"newton", "saga", "liblinear"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither"), None],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        Cs=10,
        cv=5,
        solver="newton",
        max_iter=5000,
        tol=None,
        class_weight=None,
        random_state=0,
        n_jobs=None,
    ):
        self.Cs = Cs
        self.cv = cv
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs

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
        label = outcome.event.astype(int)
        _check_two_classes(self, label)
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.random_state)
        self.Cs_ = np.logspace(-4, 4, self.Cs) if isinstance(self.Cs, Integral) else None
        if self.Cs_ is None:
            self.Cs_ = np.asarray(self.Cs, dtype=float)
        self.fit_issues_ = []
        if self.solver == "newton":
            beta, best, self.scores_, self.n_iter_, final = _l1_logistic_path_cv(
                _finite_values(self, frame),
                label.astype(float),
                self.Cs_,
                list(folds.split(frame, label)),
                self.class_weight,
                tol=1e-8 if self.tol is None else self.tol,
                max_iter=self.max_iter,
                n_jobs=fit_threads(self.n_jobs),
            )
            coef, self.intercept_, self.C_ = beta[:-1], float(beta[-1]), float(self.Cs_[best])
            self.model_ = _fitted_logistic(coef, self.intercept_, self.C_, self.n_iter_)
            if final >= self.max_iter:
                self.fit_issues_.append(not_converged_issue(self.max_iter, "Newton"))
        else:
            from sklearn.exceptions import ConvergenceWarning

            model = _lasso_logistic_cv(
                Cs=self.Cs_,
                cv=folds,
                solver=self.solver,
                scoring="roc_auc",
                max_iter=self.max_iter,
                tol=1e-4 if self.tol is None else self.tol,
                class_weight=self.class_weight,
                random_state=self.random_state,
            )
            with silenced(ConvergenceWarning):  # a fit issue below instead
                self.model_ = model.fit(frame, label)
            coef = self.model_.coef_.ravel()
            self.intercept_ = float(np.ravel(self.model_.intercept_)[0])
            self.C_ = float(np.ravel(self.model_.C_)[0])
            scores = self.model_.scores_
            self.scores_ = np.asarray(scores[1] if isinstance(scores, dict) else scores)
            self.scores_ = self.scores_.reshape(self.cv, len(self.Cs_))
            self.n_iter_ = int(np.max(self.model_.n_iter_))
            if self.n_iter_ >= self.max_iter:
                self.fit_issues_.append(not_converged_issue(self.max_iter, self.solver))
        self.coef_ = pd.Series(coef, index=list(self.feature_names_in_), name="coef")
        self.classes_ = np.array([0, 1])
        for issue in self.fit_issues_:
            warnings.warn(issue, ModelFitWarning, stacklevel=2)
        return self

    def predict_proba(self, X):
        """Class probabilities ``[P(no event), P(event)]``."""
        from scipy.special import expit

        check_is_fitted(self, "coef_")
        frame = self._check_X(X, reset=False)
        risk = expit(_finite_values(self, frame) @ self.coef_.to_numpy() + self.intercept_)
        return np.column_stack([1.0 - risk, risk])
