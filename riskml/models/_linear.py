"""Logistic regression, unpenalised (as R's glm) or ridge; the input checks the logistic
models share."""

from __future__ import annotations

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils.parallel import silenced
from ._base import BinaryRiskMixin, ModelFitWarning
from ._glm import (
    _EPS,
    BOUNDARY_ISSUE,
    GLM_EPSILON,
    GLM_MAXIT,
    _estimable_columns,
    _fitted_logistic,
    _glm_logistic,
    _infinite_estimates,
    not_converged_issue,
    separation_issue,
)
from ._splines import LogisticSplineTerms

__all__ = ["LogisticRisk"]


def _logistic(penalty, C, **kwargs):
    """``LogisticRegression`` with an L2 penalty, across scikit-learn versions.

    scikit-learn 1.8 deprecated ``penalty``: L2 is ``l1_ratio=0``.
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


def _check_two_classes(model, label) -> None:
    if label.size and label.min() == label.max():
        raise ValueError(
            f"{type(model).__name__} needs events and non-events; y holds 1 class only "
            f"({'events' if label[0] else 'non-events'}, n_samples={label.size})."
        )


def _finite_values(model, frame: pd.DataFrame) -> np.ndarray:
    """``frame`` as floats, refusing NaN and infinite values with the columns named."""
    values = frame.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        columns = [str(c) for c in frame.columns[bad.any(axis=0)]]
        raise ValueError(
            f"X contains NaN or inf values (column(s) {columns[:5]}, {int(bad.sum())} "
            f"value(s)); {type(model).__name__} needs complete, finite numbers. Impute "
            "missing values first, e.g. with riskml.features.make_preprocessor() in a "
            "RiskPipeline."
        )
    return values


class LogisticRisk(LogisticSplineTerms, BinaryRiskMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression, unpenalised (R's ``glm``) or ridge: the conventional comparator.

    Parameters
    ----------
    penalty : {None, "l2"}, default=None
        None: maximum likelihood, fitted as R's ``glm(family = binomial)`` fits it
        (see Notes). ``"l2"``: ridge with inverse strength ``C`` (scikit-learn's
        L-BFGS), or chosen by inner CV when ``cv`` is set.
    C : float, default=1.0
        Inverse ridge strength (``penalty="l2"`` without ``cv``).
    cv : int, optional
        With ``penalty="l2"``: choose ``C`` among ``Cs`` by inner stratified CV
        on AUC (folds shuffled with ``random_state``).
    Cs : int or list of float, default=10
        Candidate ``C`` values for ``cv`` (an int: a log grid from 1e-4 to 1e4).
    class_weight : dict, "balanced" or None, default=None
        Weights of the two classes (R's ``glm(weights = )`` for the unpenalised
        fit). Anything but None distorts the risks; a
        :class:`~riskml.models.RiskPipeline` recalibrates them.
    max_iter : int, optional
        None: 25 IRLS iterations unpenalised (R's ``glm.control(maxit = 25)``),
        1000 L-BFGS iterations for the ridge.
    tol : float, optional
        None: 1e-8 unpenalised (R's ``glm.control(epsilon = 1e-8)``: the
        relative change of the deviance that stops the iterations), 1e-4 for the
        ridge (scikit-learn's tolerance).
    random_state : int, default=0
    splines : str, list of str or dict, optional
        Continuous columns modelled by restricted cubic splines, as rms's ``rcs()``
        (:class:`~riskml.features.RestrictedCubicSpline`, knots learned in ``fit``): a
        name or a list of names (5 knots each, rms's default), or a dict giving each
        column a number of knots (``{"age": 4}``, Harrell's default quantiles) or its
        knots (``{"age": [45, 60, 75]}``). None (default): every column is linear.

    Attributes
    ----------
    model_ : sklearn.linear_model.LogisticRegression or LogisticRegressionCV
        The ridge model fitted by scikit-learn, or (unpenalised) a
        ``LogisticRegression`` holding the maximum-likelihood solution (never
        fitted itself).
    coef_ : pandas.Series
        Log odds ratios per (scaled) input column; 0 for an aliased column.
    intercept_ : float
    C_ : float
        The inverse penalty used (``inf`` when unpenalised).
    n_iter_ : int
        Solver iterations (IRLS iterations unpenalised; the most over folds and
        candidates for the ridge).
    converged_ : bool
        Whether the iterations met their stopping rule before ``max_iter``.
    aliased_ : list of str
        Columns left out of an unpenalised fit because they are constant or
        collinear with the intercept and the columns before them (``NA`` in R's
        ``glm``, 0 in ``coef_``); they have no effect on predictions.
    covariance_ : pandas.DataFrame or None
        Unpenalised fit: the covariance matrix of ``(Intercept)`` and the
        coefficients (R's ``vcov``; NaN for aliased columns). None for the ridge.
    fit_issues_ : list of str
        What kept the fit from being the model asked for (separation, a fit that
        stopped at ``max_iter``, fitted probabilities numerically 0 or 1), one
        sentence each, also raised as :class:`~riskml.models.ModelFitWarning`;
        empty for a clean fit.
    classes_ : ndarray, ``[0, 1]``
    feature_names_in_ : ndarray of str
    n_features_in_ : int
    splines_ : RestrictedCubicSpline
        With ``splines``: the fitted spline step (``knots_``). ``coef_``, ``summary`` and
        ``covariance_`` then hold rms's terms (``age``, ``age'``, ``age''``, ...).
    nonlinearity_ : pandas.DataFrame or None
        With ``splines``: the likelihood-ratio tests of non-linearity
        (:meth:`nonlinearity_test`); None for a ridge or weighted fit.
    adjust_to_ : pandas.Series
        With ``splines``: the reference value of each column in :meth:`partial_effect`.
    display_range_ : pandas.DataFrame
        With ``splines``: the range of each column in :meth:`partial_effect`.

    Notes
    -----
    **Unpenalised fit.** riskml follows R's ``glm.fit``: iteratively reweighted
    least squares from R's starting values (``mustart = (w y + 1/2) / (w + 1)``),
    R's clamped logit link, and R's stopping rule (the deviance changes by less
    than ``tol * (|deviance| + 0.1)``, at most ``max_iter`` iterations). On
    well-conditioned data the coefficients equal R's to about 1e-9 and the MLE to
    the same order; risks and the apparent AUC are R's. Each weighted least-squares
    step solves the normal equations by Cholesky with one step of iterative
    refinement where R uses a QR decomposition (several times slower on tall
    data); the two agree to rounding unless the weighted design is nearly
    singular. Aliased columns are found once, in column order as R does, with a
    tolerance on ``1 - R^2`` of 1e-12 (R tests the QR diagonal against 1e-11 in
    every iteration: a column collinear to within that margin, which R would keep
    with an enormous coefficient, is aliased here). The standard errors
    (:attr:`summary`) invert ``X'WX`` at the weights of the last iteration, as
    ``summary.glm`` does.

    **Separation.** When a covariate or a combination of covariates predicts the
    outcome perfectly in part of the data (quasi-complete separation, e.g. a rare
    characteristic that only patients with the event have) or everywhere
    (complete separation), the maximum-likelihood estimate is infinite. R's
    ``glm`` stops at a large coefficient, and warns only when fitted probabilities
    reach 0 or 1 ("fitted probabilities numerically 0 or 1 occurred") or the 25
    iterations run out. riskml stops at the same place (so its risks are R's), and
    finds the separation with R's ``coxph`` rule for infinite coefficients: the
    Newton step that remains at the fit, per SD of a covariate, exceeds
    ``sqrt(tol)`` times its coefficient (floored at 1), and still does after ten
    further Newton steps (which would reach a finite maximum, so a fit that merely
    stopped at ``max_iter`` is told apart); it records the issue, naming the
    covariates, in ``fit_issues_`` and raises one
    :class:`~riskml.models.ModelFitWarning`. A ridge
    (``penalty="l2"``, the registry's ``"ridge"``) or Firth's penalised
    likelihood (Heinze & Schemper 2002; not in riskml) gives finite estimates.

    **Ridge.** scikit-learn's ``LogisticRegression`` (L-BFGS) minimises
    ``C sum w_i logloss_i + |b|^2 / 2``, the intercept unpenalised; a fit that
    reaches ``max_iter`` is a fit issue. Scale the columns first
    (``make_preprocessor(scale=True)``). ``predict_risk`` ignores ``horizon``.

    **Splines.** With ``splines`` the model is rms's ``lrm(y ~ rcs(age, 4) + ...)``:
    each named column is replaced, in place, by its restricted cubic spline terms
    (knots learned in ``fit``, so inside each training fold), and the coefficients,
    log-likelihood and likelihood-ratio tests of non-linearity equal rms's (to 1e-6 on
    the heart-failure records; rms's ``lrm`` must be run to convergence,
    ``eps = 1e-12``, its default stops at a change of 0.025 in ``-2 log L``).
    :meth:`plot_partial_effect` draws the log odds against one column, the others at
    reference values, as ``plot(Predict(fit, age))``. In a pipeline that scales the
    columns the knots and the curve are on the scaled values (the fitted risks are
    the same as on the original ones).

    References
    ----------
    McCullagh P, Nelder JA. Generalized Linear Models. 2nd ed. Chapman and Hall;
    1989. Section 2.5.

    Albert A, Anderson JA. On the existence of maximum likelihood estimates in
    logistic regression models. Biometrika. 1984;71(1):1-10.

    Heinze G, Schemper M. A solution to the problem of separation in logistic
    regression. Stat Med. 2002;21(16):2409-2419.

    Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Chapter 13.

    le Cessie S, van Houwelingen JC. Ridge estimators in logistic regression.
    Appl Stat. 1992;41(1):191-201.

    Examples
    --------
    >>> from lifelines.datasets import load_rossi
    >>> rossi = load_rossi()
    >>> model = LogisticRisk().fit(rossi[["fin", "age", "prio"]], rossi["arrest"])
    >>> round(float(model.coef_["prio"]), 4), model.fit_issues_  # R: 0.1056
    (0.1056, [])
    """

    outcome_kind = "binary"

    _parameter_constraints = {
        "penalty": [StrOptions({"l2"}), None],
        "C": [Interval(Real, 0, None, closed="neither")],
        "cv": [Interval(Integral, 2, None, closed="left"), None],
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="neither"), None],
        "random_state": ["random_state"],
        "splines": [str, list, tuple, dict, None],
    }

    def __init__(
        self,
        penalty=None,
        C=1.0,
        cv=None,
        Cs=10,
        class_weight=None,
        max_iter=None,
        tol=None,
        random_state=0,
        splines=None,
    ):
        self.penalty = penalty
        self.C = C
        self.cv = cv
        self.Cs = Cs
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.splines = splines

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

        Warns
        -----
        ModelFitWarning
            Once per sentence of ``fit_issues_`` (separation, non-convergence,
            fitted probabilities numerically 0 or 1).
        """
        from sklearn.utils.class_weight import compute_sample_weight

        self._validate_params()
        if self.cv is not None and self.penalty is None:
            raise ValueError(
                "LogisticRisk(cv=...) chooses the ridge strength, but penalty is None. Use "
                "penalty='l2' with cv, or leave cv=None for an unpenalised fit."
            )
        outcome = self._check_outcome(y)
        frame = self._fit_splines(self._check_X(X, reset=True))
        label = outcome.event.astype(int)
        _check_two_classes(self, label)
        values = _finite_values(self, frame)
        weight = (
            np.ones(label.size)
            if self.class_weight is None
            else compute_sample_weight(self.class_weight, label)
        )
        self.fit_issues_ = []
        if self.penalty is None:
            self._fit_maximum_likelihood(values, label.astype(float), weight, list(frame.columns))
        else:
            self._fit_ridge(values, label, list(frame.columns))
        self.classes_ = np.array([0, 1])
        self._spline_results(frame, outcome)
        for issue in self.fit_issues_:
            warnings.warn(issue, ModelFitWarning, stacklevel=2)
        return self

    def _fit_maximum_likelihood(self, values, label, weight, names) -> None:
        tol = GLM_EPSILON if self.tol is None else float(self.tol)
        max_iter = GLM_MAXIT if self.max_iter is None else int(self.max_iter)
        X1 = np.column_stack([np.ones(len(values)), values])
        keep = _estimable_columns(X1)
        beta, self.n_iter_, self.converged_, mu, factor = _glm_logistic(
            X1[:, keep], label, weight, tol, max_iter
        )
        full = np.zeros(X1.shape[1])
        full[keep] = beta
        self.aliased_ = [names[j - 1] for j in range(1, X1.shape[1]) if j not in set(keep)]
        self.coef_ = pd.Series(full[1:], index=names, name="coef")
        self.intercept_ = float(full[0])
        self.C_ = float("inf")
        self.model_ = _fitted_logistic(full[1:], full[0], np.inf, self.n_iter_)
        terms = ["(Intercept)", *names]
        covariance = np.full((X1.shape[1], X1.shape[1]), np.nan)
        if factor is not None:
            from scipy.linalg import cho_solve

            covariance[np.ix_(keep, keep)] = cho_solve(factor, np.eye(keep.size))
        self.covariance_ = pd.DataFrame(covariance, index=terms, columns=terms)
        infinite = _infinite_estimates(X1[:, keep], label, weight, beta, np.sqrt(tol))
        if np.any(infinite):
            flagged = [terms[j] for j, bad in zip(keep, infinite, strict=True) if bad]
            covariates = [t for t in flagged if t != "(Intercept)"] or flagged
            self.fit_issues_.append(separation_issue(covariates))
        elif not self.converged_:
            self.fit_issues_.append(not_converged_issue(max_iter))
        elif np.any(mu > 1 - 10 * _EPS) or np.any(mu < 10 * _EPS):
            self.fit_issues_.append(BOUNDARY_ISSUE)

    def _fit_ridge(self, values, label, names) -> None:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.model_selection import StratifiedKFold

        max_iter = 1000 if self.max_iter is None else int(self.max_iter)
        common = dict(
            class_weight=self.class_weight,
            max_iter=max_iter,
            tol=1e-4 if self.tol is None else float(self.tol),
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
        with silenced(ConvergenceWarning):  # a fit issue below instead
            self.model_.fit(values, label)
        self.coef_ = pd.Series(self.model_.coef_.ravel(), index=names, name="coef")
        self.intercept_ = float(np.ravel(self.model_.intercept_)[0])
        if self.cv is not None:
            self.C_ = float(np.ravel(self.model_.C_)[0])
        else:
            self.C_ = float(self.C)
        self.n_iter_ = int(np.max(self.model_.n_iter_))
        self.converged_ = self.n_iter_ < max_iter
        self.aliased_ = []
        self.covariance_ = None
        if not self.converged_:
            self.fit_issues_.append(not_converged_issue(max_iter, "L-BFGS"))

    def predict_proba(self, X):
        """Class probabilities ``[P(no event), P(event)]``."""
        from scipy.special import expit

        check_is_fitted(self, "coef_")
        frame = self._spline_terms(self._check_X(X, reset=False))
        risk = expit(_finite_values(self, frame) @ self.coef_.to_numpy() + self.intercept_)
        return np.column_stack([1.0 - risk, risk])

    @property
    def summary(self) -> pd.DataFrame:
        """Tidy coefficient table: coef, se, odds_ratio, or_low, or_high, z, p.

        One row per term, ``(Intercept)`` first, as R's ``summary(glm(...))``:
        Wald standard errors from :attr:`covariance_`, 95% intervals and two-sided
        p-values (NaN for aliased columns, and for the ridge, whose Wald
        intervals would ignore the shrinkage). ``attrs["caveat"]`` says when the
        numbers cannot be read as maximum-likelihood inference and
        ``attrs["fit_issues"]`` holds ``fit_issues_``.
        """
        from scipy.stats import norm

        check_is_fitted(self, "coef_")
        coef = pd.concat([pd.Series({"(Intercept)": self.intercept_}), self.coef_])
        if self.covariance_ is not None:
            se = np.sqrt(np.diag(self.covariance_.to_numpy(dtype=float)))
        else:
            se = np.full(coef.size, np.nan)
        values = coef.to_numpy(dtype=float)
        aliased = coef.index.isin(self.aliased_)
        values = np.where(aliased, np.nan, values)
        half = norm.ppf(0.975) * se
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            z = values / se
            table = pd.DataFrame(
                {
                    "coef": values,
                    "se": se,
                    "odds_ratio": np.exp(values),
                    "or_low": np.exp(values - half),
                    "or_high": np.exp(values + half),
                    "z": z,
                    "p": 2 * norm.sf(np.abs(z)),
                },
                index=pd.Index(coef.index, name="term"),
            )
        caveat = None
        if self.penalty is not None:
            caveat = (
                f"ridge fit (C={self.C_:g}): the estimates are shrunk towards 0; no Wald "
                "intervals or p-values, which would ignore the shrinkage."
            )
        elif any(issue.startswith("separation") for issue in self.fit_issues_):
            caveat = (
                "separation: some maximum-likelihood estimates are infinite; the reported "
                "values are where the iterations stopped (as R's glm), with meaningless "
                "standard errors."
            )
        table.attrs["caveat"] = caveat
        table.attrs["fit_issues"] = list(self.fit_issues_)
        return table

    def print_summary(self, decimals: int = 3) -> None:
        """Print odds ratios with 95% CIs (as R's ``summary(glm(...))``) and the fit issues.

        Odds ratios are per one unit of each column as the model received it: per
        standard deviation when the pipeline scales (the registry's ``"logistic"``),
        level vs reference for one-hot columns.
        """
        table = self.summary
        if self.penalty is None:
            fit = (
                f"maximum likelihood (IRLS as R's glm, "
                f"{'converged' if self.converged_ else 'not converged'} in "
                f"{self.n_iter_} iterations)"
            )
        else:
            fit = f"ridge (C={self.C_:g})"
        print(f"Logistic regression, {fit}")
        shown = table[["odds_ratio", "or_low", "or_high", "p"]].rename(
            columns={"odds_ratio": "OR", "or_low": "95% low", "or_high": "95% high"}
        )
        print(shown.round(decimals).to_string())
        if self.aliased_:
            print(
                "Not estimable (constant or collinear, left out as R's glm does): "
                f"{', '.join(map(str, self.aliased_))}"
            )
        if table.attrs.get("caveat"):
            print(f"Caveat: {table.attrs['caveat']}")
        for issue in self.fit_issues_:
            print(f"Fit issue: {issue}")
