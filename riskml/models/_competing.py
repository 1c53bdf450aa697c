"""Absolute risk under competing risks: Aalen-Johansen and cause-specific Cox models.

Both predict the cumulative incidence of the event of interest (event type 1) by a
horizon, ``P(T <= t, event type 1 | x)``, the quantity a patient is counselled on when
other events (death from other causes) can come first. :class:`FineGray` (in
``_fine_gray.py``) models it directly.
"""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ..outcome import aalen_johansen, check_outcome
from ..utils.fit_issues import quote_names
from ._base import ModelFitWarning, RiskEstimatorMixin
from ._breslow import BreslowBaseline, efron_values, newton_raphson_like_r, not_estimable

__all__ = ["AalenJohansen", "CauseSpecificCox"]


class CompetingRiskMixin(RiskEstimatorMixin):
    """Shared checks of the competing-risk estimators.

    ``fit(X, y)`` takes a competing-risk ``y`` (:meth:`riskml.Outcome.competing` or a
    structured ``(event_type, time)`` array); a time-to-event ``y`` is read as one
    without competing events.
    """

    outcome_kind = "competing"

    def _fit_covariates(self, X):
        """``(frame, values, kept)`` of the training covariates: ``kept`` the positions of
        the columns whose coefficients are estimable. Constant or collinear columns are
        left out of the fit, as R's ``coxph`` does (``NA`` there): their coefficient is 0
        here, their standard error NaN, and ``aliased_`` names them."""
        frame = self._check_X(X, reset=True)
        values = frame.to_numpy(dtype=float)
        left_out = not_estimable(values)
        self.aliased_ = [str(frame.columns[j]) for j in left_out]
        kept = np.setdiff1d(np.arange(values.shape[1]), left_out)
        if kept.size == 0:
            raise ValueError(
                f"{type(self).__name__}.fit: every covariate is constant or collinear "
                f"({quote_names(frame.columns)}), so no coefficient is estimable. Check X."
            )
        return frame, values, kept

    @staticmethod
    def _expand(kept, p, vector=None, matrix=None):
        """A coefficient vector (zeros) or covariance matrix (NaN) over all ``p`` columns
        from its values on the ``kept`` ones."""
        if matrix is not None:
            full = np.full((p, p), np.nan)
            full[np.ix_(kept, kept)] = matrix
            return full
        full = np.zeros(p)
        full[kept] = vector
        return full

    def _competing_outcome(self, y) -> tuple[np.ndarray, np.ndarray]:
        """``(time, event_type)`` of ``y``; its length is kept for ``_check_X``."""
        if y is None or isinstance(y, str | bytes | dict):
            raise TypeError(
                f"{type(self).__name__}.fit needs y, the observed outcome of every patient: "
                "Outcome.competing(time, event_type) (0 censored, 1 the event of interest, "
                f"2+ competing events); got {type(y).__name__}."
            )
        outcome = check_outcome(y, allow_binary=False, allow_survival=True, allow_competing=True)
        self._n_outcomes_in_fit = len(outcome)
        event_type = outcome.event_type if outcome.is_competing else outcome.event.astype(np.int64)
        if not (event_type == 1).any():
            raise ValueError(
                f"{type(self).__name__}.fit: y has no event of interest (event_type 1), so "
                "its incidence cannot be estimated. Check the coding (0 censored, 1 the event "
                "of interest, 2+ competing events)."
            )
        return outcome.time, event_type

    @staticmethod
    def _check_horizon(horizon) -> float:
        if isinstance(horizon, bool) or not isinstance(horizon, Real):
            raise TypeError(f"horizon must be a number of days; got {horizon!r}.")
        horizon = float(horizon)
        if not np.isfinite(horizon) or horizon <= 0:
            raise ValueError(f"horizon must be a positive number of days; got {horizon!r}.")
        return horizon

    def _warn_beyond(self, horizon: float) -> None:
        last = self.last_follow_up_
        if horizon > last:
            warnings.warn(
                f"predict_risk(horizon={horizon:g}): the horizon is beyond the longest "
                f"follow-up of the training data ({last:g} days), where the incidence was "
                f"not estimated; it is held at its value at {last:g} days. Choose a horizon "
                "within the training follow-up.",
                UserWarning,
                stacklevel=3,
            )


class AalenJohansen(CompetingRiskMixin, BaseEstimator):
    """The cohort's cumulative incidence (Aalen-Johansen), the same for every patient.

    The competing-risk counterpart of ``1 - Kaplan-Meier``: the null model of the
    index of prediction accuracy and the observed incidence of calibration plots.

    Attributes
    ----------
    times_ : ndarray
        Distinct follow-up times of the training data.
    incidence_ : dict of int to ndarray
        The cumulative incidence of each event type at ``times_``.
    event_types_ : list of int
        The event types seen (1 first).
    last_follow_up_ : float

    Notes
    -----
    :func:`riskml.outcome.aalen_johansen` computes it: R ``prodlim`` and
    ``cmprsk::cuminc`` give the same numbers, ties included.

    References
    ----------
    .. [1] Aalen OO, Johansen S. An empirical transition matrix for non-homogeneous
       Markov chains based on censored observations. Scand J Stat 1978;5:141-150.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml import Outcome
    >>> y = Outcome.competing([2, 3, 3, 5, 6], [1, 2, 1, 0, 1])
    >>> AalenJohansen().fit(np.zeros((5, 1)), y).predict_risk(np.zeros((2, 1)), 4)
    array([0.4, 0.4])
    """

    def fit(self, X, y):
        """Estimate the cumulative incidence of every event type (``X`` is not used).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Only its number of rows is checked against ``y``.
        y : Outcome (competing or time-to-event) or structured (event_type, time) array

        Returns
        -------
        self
        """
        time, event_type = self._competing_outcome(y)
        n_outcomes = self.__dict__.pop("_n_outcomes_in_fit")
        if len(X) != n_outcomes:
            raise ValueError(
                f"AalenJohansen.fit: X and y must have one row per patient; got {len(X)} "
                f"rows in X and {n_outcomes} outcomes in y."
            )
        types = sorted(int(k) for k in np.unique(event_type) if k > 0)
        self.event_types_ = types
        self.incidence_ = {}
        for cause in types:
            self.times_, self.incidence_[cause], _ = aalen_johansen(time, event_type, cause=cause)
        self.last_follow_up_ = float(time.max())
        return self

    def predict_risk(self, X, horizon=None, *, cause: int = 1):
        """The cumulative incidence of ``cause`` by ``horizon``, for each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        horizon : float
            Days; required (the model has no ranking without one).
        cause : int, default=1

        Returns
        -------
        ndarray of float, shape (n_samples,)
        """
        check_is_fitted(self, "incidence_")
        if horizon is None:
            raise ValueError(
                "AalenJohansen.predict_risk needs a horizon (days): it predicts the cohort's "
                "cumulative incidence by then, the same for every patient."
            )
        horizon = self._check_horizon(horizon)
        if cause not in self.incidence_:
            raise ValueError(f"cause must be one of {self.event_types_}; got {cause!r}.")
        self._warn_beyond(horizon)
        position = np.searchsorted(self.times_, horizon, side="right") - 1
        value = 0.0 if position < 0 else float(self.incidence_[cause][position])
        return np.full(len(X), value)


class CauseSpecificCox(CompetingRiskMixin, BaseEstimator):
    """Cause-specific Cox models combined into the absolute risk of the event of interest.

    One Cox model per event type (the competing events censored), fitted by Efron's
    partial likelihood as R ``coxph``; the absolute risk of cause ``k`` by ``t`` is
    ``F_k(t | x) = sum over event times s <= t of S(s- | x) dH_k(s | x)`` with
    ``dH_k(s | x) = dH_0k(s) exp(x b_k)`` and ``S`` the probability of no event of any
    type (Benichou & Gail 1990), as R ``riskRegression::CSC`` + ``predictRisk``.

    Parameters
    ----------
    product_limit : {"product_limit", "exponential"}, default="product_limit"
        How ``S(s- | x)`` is computed from the cause-specific hazards:
        ``prod_{u < s} (1 - sum_k dH_k(u | x))`` (riskRegression's default,
        ``product.limit = TRUE``) or ``exp(-sum_k H_k(s- | x))`` (``product.limit =
        FALSE``).

    Attributes
    ----------
    coef_ : pandas.DataFrame
        Log cause-specific hazard ratios, one column per event type (1, 2, ...).
    baselines_ : dict of int to BreslowBaseline
        The baseline cumulative hazard of each cause (Efron's form for tied events, R
        ``survfit.coxph``'s default after an Efron fit), for the centred covariates.
    center_ : pandas.Series
        Training means of the covariates (the linear predictors are centred there).
    event_types_ : list of int
    aliased_ : list of str
        Covariates left out of the fit because they are constant or collinear with
        others (``NA`` in R's ``coxph``): coefficient 0, standard error NaN.
    fit_issues_ : list of str
        Causes whose partial likelihood did not converge (monotone likelihood), also
        raised as :class:`~riskml.models.ModelFitWarning`.
    last_follow_up_ : float
    n_events_ : dict of int to int

    Notes
    -----
    ``predict_risk(X, horizon)`` is the absolute risk of event type 1; without a horizon
    it is the cause-1 linear predictor (higher = higher cause-specific hazard, which
    need not order the absolute risks: a covariate that raises a competing hazard
    lowers the absolute risk). The coefficients are maximised as R's ``coxph``
    (``coxfit6``: Newton-Raphson from 0, step halving, ``eps = 1e-9``), so that they and
    the absolute risks equal R's to 1e-6 and beyond; the hazards combine at the union
    of the event times of all causes, with a right-continuous step function (an
    event on the horizon day counts). Beyond the last training follow-up the hazards
    are held (a warning says so).

    References
    ----------
    .. [1] Benichou J, Gail MH. Estimates of absolute cause-specific risk in cohort
       studies. Biometrics 1990;46:813-826.
    .. [2] Putter H, Fiocco M, Geskus RB. Tutorial in biostatistics: competing risks and
       multi-state models. Stat Med 2007;26:2389-2430.
    .. [3] Ozenne B, Sorensen AL, Scheike T, Torp-Pedersen C, Gerds TA. riskRegression:
       predicting the risk of an event using Cox regression models. R J 2017;9:440-460.
    .. [4] Efron B. The efficiency of Cox's likelihood function for censored data. J Am
       Stat Assoc 1977;72:557-565.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from riskml import Outcome
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"age": rng.normal(60, 10, 200)})
    >>> y = Outcome.competing(rng.exponential(1000, 200).round(), rng.integers(0, 3, 200))
    >>> model = CauseSpecificCox().fit(X, y)
    >>> risk = model.predict_risk(X, horizon=365)
    >>> bool(((0 <= risk) & (risk <= 1)).all())
    True
    """

    _parameter_constraints = {"product_limit": [StrOptions({"product_limit", "exponential"})]}

    def __init__(self, product_limit="product_limit"):
        self.product_limit = product_limit

    def fit(self, X, y):
        """Fit one Efron Cox model per event type.

        Parameters
        ----------
        X : pandas.DataFrame
            Numeric covariates.
        y : Outcome (competing or time-to-event) or structured (event_type, time) array

        Returns
        -------
        self
        """
        self._validate_params()
        time, event_type = self._competing_outcome(y)
        frame, values, kept = self._fit_covariates(X)
        self.center_ = pd.Series(values.mean(axis=0), index=frame.columns, name="center")
        centred = values - self.center_.to_numpy()
        p, estimable = values.shape[1], centred[:, kept]
        self.event_types_ = sorted(int(k) for k in np.unique(event_type) if k > 0)
        self.fit_issues_, coef, self.baselines_ = [], {}, {}
        self.variance_, self.n_events_ = {}, {}
        for cause in self.event_types_:
            event = event_type == cause
            beta, converged, _ = newton_raphson_like_r([(time, event, estimable)])
            if not converged or not np.all(np.isfinite(beta)):
                self.fit_issues_.append(
                    f"the cause-{cause} Cox model did not converge (monotone likelihood or "
                    f"collinear covariates among {quote_names(frame.columns)}); its "
                    "coefficients are the last Newton-Raphson iterate."
                )
            _, _, information = efron_values(time, event, estimable, beta)
            self.variance_[cause] = self._expand(kept, p, matrix=np.linalg.pinv(information))
            beta = coef[cause] = self._expand(kept, p, vector=beta)
            self.baselines_[cause] = BreslowBaseline(time, event, centred @ beta, ties="efron")
            self.n_events_[cause] = int(event.sum())
        self.coef_ = pd.DataFrame(coef, index=frame.columns)
        self.coef_.index.name = "covariate"
        self.last_follow_up_ = float(time.max())
        self.n_samples_ = int(time.shape[0])
        for issue in self.fit_issues_:
            warnings.warn(issue, ModelFitWarning, stacklevel=2)
        return self

    def _linear_predictors(self, X) -> dict[int, np.ndarray]:
        check_is_fitted(self, "coef_")
        frame = self._check_X(X, reset=False)
        centred = frame.to_numpy(dtype=float) - self.center_.to_numpy()
        return {cause: centred @ self.coef_[cause].to_numpy() for cause in self.event_types_}

    def _hazard_jumps(self, linear_predictors, horizon: float):
        """Event times up to ``horizon`` and each cause's hazard jump there, per patient."""
        times = np.unique(np.concatenate([b.times for b in self.baselines_.values()]))
        times = times[times <= horizon]
        jumps = {}
        for cause, baseline in self.baselines_.items():
            position = np.searchsorted(baseline.times, times, side="right") - 1
            cumulative = np.where(
                position >= 0, baseline.cumulative_hazard[np.maximum(position, 0)], 0.0
            )
            increments = np.diff(np.r_[0.0, cumulative])
            relative = np.exp(linear_predictors[cause] - baseline.offset)
            jumps[cause] = relative[:, None] * increments[None, :]
        return times, jumps

    def predict_cumulative_incidence(self, X, horizon, *, cause: int = 1) -> np.ndarray:
        """The absolute risk of ``cause`` by ``horizon``: ``F_cause(horizon | x)``.

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float
            Days.
        cause : int, default=1
            An event type seen in ``fit``.

        Returns
        -------
        ndarray of float, shape (n_samples,)
            R ``riskRegression::predictRisk(CSC(...), newdata, times = horizon,
            cause = cause)``.
        """
        horizon = self._check_horizon(horizon)
        check_is_fitted(self, "coef_")
        if cause not in self.event_types_:
            raise ValueError(f"cause must be one of {self.event_types_}; got {cause!r}.")
        self._warn_beyond(horizon)
        times, jumps = self._hazard_jumps(self._linear_predictors(X), horizon)
        total = sum(jumps.values())
        if self.product_limit == "product_limit":
            survival = np.cumprod(1.0 - total, axis=1)
        else:
            survival = np.exp(-np.cumsum(total, axis=1))
        before = np.hstack([np.ones((total.shape[0], 1)), survival[:, :-1]])
        return np.sum(before * jumps[cause], axis=1)

    def predict_risk(self, X, horizon=None):
        """Absolute risk of the event of interest, higher = higher risk.

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Days. A number: the cumulative incidence of event type 1 by then
            (:meth:`predict_cumulative_incidence`). None: the cause-1 linear predictor
            (see Notes of the class).

        Returns
        -------
        ndarray of float, shape (n_samples,)
        """
        if horizon is None:
            return self._linear_predictors(X)[1]
        return self.predict_cumulative_incidence(X, horizon, cause=1)

    def predict(self, X):
        """The cause-1 linear predictor (as ``predict_risk(X)``), for scikit-learn tools."""
        return self.predict_risk(X)

    @property
    def summary(self) -> pd.DataFrame:
        """Tidy table, one row per cause and covariate: coef, se, hazard_ratio, hr_low,
        hr_high, z, p (95% Wald intervals from Efron's information, as R
        ``summary(coxph)``)."""
        check_is_fitted(self, "coef_")
        rows = []
        for cause in self.event_types_:
            coef = self.coef_[cause].to_numpy()
            se = np.sqrt(np.diag(self.variance_[cause]))
            z = coef / se
            rows.append(
                pd.DataFrame(
                    {
                        "cause": cause,
                        "covariate": self.coef_.index,
                        "coef": coef,
                        "se": se,
                        "hazard_ratio": np.exp(coef),
                        "hr_low": np.exp(coef - stats.norm.ppf(0.975) * se),
                        "hr_high": np.exp(coef + stats.norm.ppf(0.975) * se),
                        "z": z,
                        "p": 2 * stats.norm.sf(np.abs(z)),
                    }
                )
            )
        table = pd.concat(rows).set_index(["cause", "covariate"])
        table.attrs["fit_issues"] = list(self.fit_issues_)
        return table

    def print_summary(self, decimals: int = 3) -> None:
        """Print the cause-specific hazard ratios with 95% CIs, and any fit issues."""
        events = ", ".join(f"cause {k}: {n}" for k, n in self.n_events_.items())
        print(
            f"Cause-specific Cox models (Efron ties); {self.n_samples_} patients, events {events}"
        )
        shown = self.summary[["hazard_ratio", "hr_low", "hr_high", "p"]].rename(
            columns={"hazard_ratio": "HR", "hr_low": "95% low", "hr_high": "95% high"}
        )
        print(shown.round(decimals).to_string())
        for issue in self.fit_issues_:
            print(f"Fit issue: {issue}")
