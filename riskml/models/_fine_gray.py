"""The Fine-Gray proportional subdistribution hazards model, equal to R ``cmprsk::crr``."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..outcome import kaplan_meier
from ._base import ModelFitWarning
from ._competing import CompetingRiskMixin

__all__ = ["FineGray"]


class _SubdistributionRiskSets:
    """The weighted risk sets of the Fine-Gray partial likelihood (cmprsk's conventions).

    At each distinct time ``u_k`` of the event of interest (``d_k`` events there) the
    risk set holds everyone with ``T_j >= u_k`` (weight 1) and everyone with a
    competing event before ``u_k``, weighted by ``G(u_k-) / G(T_j-)``; ``G`` is the
    Kaplan-Meier estimate of the censoring distribution in which a censoring and an
    event at the same time share the risk set (R ``survfit(Surv(time, status == 0) ~
    1)``, as ``crr``), read just before each time.
    """

    def __init__(self, time, event_type, X):
        self.time, self.X = time, X
        self.interest = event_type == 1
        self.competing = event_type >= 2
        self.censored = event_type == 0
        self.times, self.deaths = np.unique(time[self.interest], return_counts=True)
        g_times, g_values, _ = kaplan_meier(time, self.censored)
        self.g_before = self._left_limit(g_times, g_values, time)
        g_at_event_times = self._left_limit(g_times, g_values, self.times)
        at_risk = time[:, None] >= self.times[None, :]
        ratio = g_at_event_times[None, :] / np.where(self.g_before > 0, self.g_before, 1.0)[:, None]
        self.weight = np.where(at_risk, 1.0, np.where(self.competing[:, None], ratio, 0.0))

    @staticmethod
    def _left_limit(times, values, at):
        index = np.searchsorted(times, at, side="left") - 1
        return np.where(index >= 0, values[np.maximum(index, 0)], 1.0)

    def sums(self, beta):
        """Weighted risk-set sums at the event times: ``S0``, ``S1`` (m x p), ``zbar``."""
        eta = self.X @ beta
        w = self.weight * np.exp(eta)[:, None]
        s0 = w.sum(axis=0)
        s1 = w.T @ self.X
        return w, s0, s1, s1 / s0[:, None]

    def values(self, beta):
        """Log partial likelihood, score and information at ``beta`` (Breslow ties)."""
        w, s0, s1, zbar = self.sums(beta)
        eta = self.X @ beta
        loglik = float(eta[self.interest].sum() - self.deaths @ np.log(s0))
        score = self.X[self.interest].sum(axis=0) - self.deaths @ zbar
        # sum_k d_k / S0_k sum_j w_jk x_j x_j' = X' diag(w d / S0) X: one product, O(n p^2)
        v = w @ (self.deaths / s0)
        information = (self.X * v[:, None]).T @ self.X - (self.deaths[:, None] * zbar).T @ zbar
        return loglik, score, information

    def baseline_jumps(self, beta) -> np.ndarray:
        """Jumps of the baseline cumulative subdistribution hazard: ``d_k / S0(u_k)``."""
        return self.deaths / self.sums(beta)[1]

    def score_contributions(self, beta) -> np.ndarray:
        """Each patient's ``eta_i + psi_i`` (n x p): the terms of crr's robust variance.

        ``eta_i`` is the patient's score residual (its event term minus its share of the
        weighted risk sets), ``psi_i`` the correction for estimating ``G`` (Fine & Gray
        1999, section 3): ``psi_i = q(T_i) / R(T_i) [i censored] - sum over censoring
        times u <= T_i of q(u) c(u) / R(u)^2``, with ``R(u)`` the patients with ``time >=
        u``, ``c(u)`` the censorings at ``u`` and ``q(u) = sum over event times u_k >= u
        of (d_k / S0_k) sum over competing events T_j < u of w_j(u_k) (x_j - zbar_k)``.
        """
        w, s0, _, zbar = self.sums(beta)
        X, time = self.X, self.time
        position = np.searchsorted(self.times, time)  # the event time of each case
        eta = np.zeros_like(X)
        eta[self.interest] = X[self.interest] - zbar[position[self.interest]]
        share = w * (self.deaths / s0)[None, :]
        eta -= share.sum(axis=1)[:, None] * X - share @ zbar
        # q(u) at every censoring time u, from cumulative sums over the competing events
        order = np.flatnonzero(self.competing)[np.argsort(time[self.competing], kind="stable")]
        competing_times = time[order]
        terms = w[order][:, :, None] * (X[order][:, None, :] - zbar[None, :, :])
        terms *= (self.deaths / s0)[None, :, None]
        cumulative = np.concatenate([np.zeros((1, *terms.shape[1:])), np.cumsum(terms, axis=0)])
        censoring_times, censorings = np.unique(time[self.censored], return_counts=True)
        before = np.searchsorted(competing_times, censoring_times, side="left")
        later = self.times[None, :] >= censoring_times[:, None]  # event times u_k >= u
        q = np.einsum("ck,ckp->cp", later, cumulative[before])
        sorted_time = np.sort(time)
        at_risk = time.shape[0] - np.searchsorted(sorted_time, censoring_times, side="left")
        compensator = np.cumsum(q * (censorings / at_risk**2)[:, None], axis=0)
        upto = np.searchsorted(censoring_times, time, side="right") - 1
        psi = -np.where(upto[:, None] >= 0, compensator[np.maximum(upto, 0)], 0.0)
        own = np.searchsorted(censoring_times, time[self.censored])
        psi[self.censored] += q[own] / at_risk[own][:, None]
        return eta + psi


def _maximise_like_crr(risk_sets, p: int, gtol: float, max_iter: int):
    """Newton-Raphson with backtracking as R ``crr``: ``(beta, converged, iterations)``.

    From 0; stop when ``max |U_j| max(|b_j|, 1) < max(|loglik|, 1) gtol``; a step is
    halved (at most 20 times) until ``-loglik(b + s) <= -loglik(b) - 1e-4 s'U``.
    """
    beta = np.zeros(p)
    for iteration in range(max_iter + 1):
        loglik, score, information = risk_sets.values(beta)
        if np.max(np.abs(score) * np.maximum(np.abs(beta), 1.0)) < max(abs(loglik), 1.0) * gtol:
            return beta, True, iteration
        if iteration == max_iter:
            return beta, False, iteration
        step = np.linalg.solve(information, score)
        for _ in range(21):
            with np.errstate(all="ignore"):
                new = risk_sets.values(beta + step)[0]
            if np.isfinite(new) and -new <= -loglik - 1e-4 * float(step @ score):
                break
            step = step * 0.5
        else:
            return beta, False, iteration
        beta = beta + step
    return beta, False, max_iter  # pragma: no cover - the loop returns


class FineGray(CompetingRiskMixin, BaseEstimator):
    """Fine-Gray proportional subdistribution hazards model (R ``cmprsk::crr``).

    Models the cumulative incidence of the event of interest (event type 1) directly:
    ``F_1(t | x) = 1 - exp(-Lambda_0(t) exp(x b))``, where the subdistribution hazard
    keeps patients with a competing event in the risk set, weighted by the probability
    of their still being uncensored.

    Parameters
    ----------
    gtol : float, default=1e-6
        Convergence tolerance, as ``crr(gtol)``: stop when
        ``max_j |U_j| max(|b_j|, 1) < max(|loglik|, 1) gtol``.
    max_iter : int, default=10
        Most Newton-Raphson iterations (``crr(maxiter)``).

    Attributes
    ----------
    coef_ : pandas.Series
        Log subdistribution hazard ratios, indexed by covariate.
    variance_ : pandas.DataFrame
        Their robust (sandwich) covariance matrix, crr's ``var``.
    se_ : pandas.Series
    loglik_, loglik_null_ : float
        Log pseudo-partial likelihood at ``coef_`` and at 0 (crr's ``loglik`` and
        ``loglik.null``).
    times_ : ndarray
        Distinct times of the event of interest.
    baseline_jumps_ : ndarray
        Jumps of the baseline cumulative subdistribution hazard at ``times_``, for
        the centred covariates (crr's ``bfitj`` for uncentred ones).
    center_ : pandas.Series
    converged_ : bool
    n_iter_ : int
    aliased_ : list of str
        Covariates left out of the fit because they are constant or collinear with
        others (``NA`` in R's ``coxph``): coefficient 0, standard error NaN.
    fit_issues_ : list of str

    Notes
    -----
    Equal to ``crr(time, status, cov1 = X, failcode = 1, cencode = 0)`` (cmprsk 2.2-11)
    in its coefficients, standard errors, log-likelihoods and ``predict.crr``: the
    censoring distribution ``G`` is the Kaplan-Meier of the censorings in which a
    censoring tied with an event shares the risk set with it (R ``survfit``, not the
    "events first" reverse Kaplan-Meier of the IPCW metrics), read as ``G(t-)``; tied
    event times use Breslow's form; Newton-Raphson starts at 0 and stops as ``crr``
    does, so that both give the same iterate. The variance is Fine & Gray's sandwich
    ``I^-1 (sum_i (eta_i + psi_i)(eta_i + psi_i)') I^-1``, whose ``psi`` accounts for
    the estimated ``G``. ``predict_risk(X, horizon)`` is a right-continuous step
    function of the event times (an event on the horizon day counts), held beyond the
    last; without a horizon it is the linear predictor ``(x - center_) b``. Only one
    censoring group (crr's ``cengroup``) and no time-varying effects (``cov2``).

    References
    ----------
    .. [1] Fine JP, Gray RJ. A proportional hazards model for the subdistribution of a
       competing risk. J Am Stat Assoc 1999;94:496-509.
    .. [2] Gray B. cmprsk: Subdistribution Analysis of Competing Risks. R package
       version 2.2-11.
    .. [3] Austin PC, Lee DS, Fine JP. Introduction to the analysis of survival data in
       the presence of competing risks. Circulation 2016;133:601-609.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from riskml import Outcome
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"age": rng.normal(60, 10, 200)})
    >>> y = Outcome.competing(rng.exponential(1000, 200).round(), rng.integers(0, 3, 200))
    >>> model = FineGray().fit(X, y)
    >>> bool(model.converged_)
    True
    """

    _parameter_constraints = {
        "gtol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, gtol=1e-6, max_iter=10):
        self.gtol = gtol
        self.max_iter = max_iter

    def fit(self, X, y):
        """Fit by maximum pseudo-partial likelihood, with crr's robust variance.

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
        centred = (values - self.center_.to_numpy())[:, kept]
        risk_sets = _SubdistributionRiskSets(time, event_type, centred)
        beta, self.converged_, self.n_iter_ = _maximise_like_crr(
            risk_sets, kept.size, self.gtol, self.max_iter
        )
        self.fit_issues_ = []
        if not self.converged_:
            self.fit_issues_.append(
                f"the Fine-Gray model did not converge in {self.n_iter_} iterations (gtol="
                f"{self.gtol:g}); its coefficients are the last iterate. Increase max_iter, "
                "or check for a covariate that separates the events."
            )
        self.loglik_, _, information = risk_sets.values(beta)
        self.loglik_null_ = risk_sets.values(np.zeros_like(beta))[0]
        inverse = np.linalg.inv(information)
        contributions = risk_sets.score_contributions(beta)
        variance = inverse @ (contributions.T @ contributions) @ inverse.T
        names, p = frame.columns, values.shape[1]
        self.times_ = risk_sets.times
        self.baseline_jumps_ = risk_sets.baseline_jumps(beta)
        beta, variance = self._expand(kept, p, vector=beta), self._expand(kept, p, matrix=variance)
        self.coef_ = pd.Series(beta, index=names, name="coef")
        self.variance_ = pd.DataFrame(variance, index=names, columns=names)
        self.se_ = pd.Series(np.sqrt(np.diag(variance)), index=names, name="se")
        self.n_events_ = int(risk_sets.interest.sum())
        self.n_competing_ = int(risk_sets.competing.sum())
        self.n_samples_ = int(time.shape[0])
        self.last_follow_up_ = float(time.max())
        for issue in self.fit_issues_:
            warnings.warn(issue, ModelFitWarning, stacklevel=2)
        return self

    def _linear_predictor(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        frame = self._check_X(X, reset=False)
        return (frame.to_numpy(dtype=float) - self.center_.to_numpy()) @ self.coef_.to_numpy()

    @property
    def centers_(self) -> pd.Series:
        """The covariate means the linear predictor is centred at (``center_``), named
        as a Cox model's, so that the exact linear SHAP of a Cox model explains it."""
        check_is_fitted(self, "coef_")
        return self.center_

    def baseline_cumulative_hazard_at(self, horizon) -> float:
        """The baseline cumulative subdistribution hazard ``Lambda_0(horizon)`` (for the
        centred covariates): ``predict_risk(X, horizon) = 1 - exp(-Lambda_0(horizon)
        exp((x - center_) b))``.
        """
        check_is_fitted(self, "coef_")
        horizon = self._check_horizon(horizon)
        return float(self.baseline_jumps_[self.times_ <= horizon].sum())

    def predict_risk(self, X, horizon=None):
        """Cumulative incidence of the event of interest by ``horizon``.

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Days. A number: ``1 - exp(-Lambda_0(horizon) exp(x b))``, R
            ``predict.crr`` read at the horizon. None: the linear predictor.

        Returns
        -------
        ndarray of float, shape (n_samples,)
        """
        eta = self._linear_predictor(X)
        if horizon is None:
            return eta
        horizon = self._check_horizon(horizon)
        self._warn_beyond(horizon)
        cumulative = self.baseline_cumulative_hazard_at(horizon)
        return -np.expm1(-cumulative * np.exp(eta))

    def predict(self, X):
        """The linear predictor (as ``predict_risk(X)``), for scikit-learn tools."""
        return self.predict_risk(X)

    @property
    def summary(self) -> pd.DataFrame:
        """Tidy table: coef, se, hazard_ratio (subdistribution), hr_low, hr_high, z, p.

        Robust standard errors and 95% Wald intervals, as R ``summary(crr(...))``.
        """
        check_is_fitted(self, "coef_")
        coef, se = self.coef_.to_numpy(), self.se_.to_numpy()
        z = coef / se
        quantile = stats.norm.ppf(0.975)
        table = pd.DataFrame(
            {
                "coef": coef,
                "se": se,
                "hazard_ratio": np.exp(coef),
                "hr_low": np.exp(coef - quantile * se),
                "hr_high": np.exp(coef + quantile * se),
                "z": z,
                "p": 2 * stats.norm.sf(np.abs(z)),
            },
            index=self.coef_.index,
        )
        table.index.name = "covariate"
        table.attrs["fit_issues"] = list(self.fit_issues_)
        return table

    def print_summary(self, decimals: int = 3) -> None:
        """Print the subdistribution hazard ratios with 95% CIs, as ``summary(crr)``."""
        print(
            f"Fine-Gray subdistribution hazards model; {self.n_samples_} patients, "
            f"{self.n_events_} events of interest, {self.n_competing_} competing events; "
            f"pseudo log-likelihood {self.loglik_:.{decimals}f} (null "
            f"{self.loglik_null_:.{decimals}f})"
        )
        shown = self.summary[["coef", "se", "hazard_ratio", "hr_low", "hr_high", "p"]].rename(
            columns={"hazard_ratio": "sHR", "hr_low": "95% low", "hr_high": "95% high"}
        )
        print(shown.round(decimals).to_string())
        if self.aliased_:
            print(
                "Not estimable (constant or collinear, left out as R's coxph does; coef 0, "
                f"se NaN): {', '.join(self.aliased_)}"
            )
        for issue in self.fit_issues_:
            print(f"Fit issue: {issue}")
