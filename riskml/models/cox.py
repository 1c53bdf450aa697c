"""Cox proportional-hazards regression (lifelines) behind the scikit-learn API."""

from __future__ import annotations

import contextlib
import warnings
from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils.fit_issues import quote_names
from ..utils.parallel import silenced
from ._base import ModelFitWarning, RiskEstimatorMixin
from ._breslow import BreslowBaseline, efron_score, not_estimable
from ._splines import CoxSplineTerms

__all__ = ["CoxPH"]

#: Ridge penalty (lifelines ``penalizer``) of the refit when the unpenalised partial
#: likelihood has no finite maximum (monotone likelihood) or its fit breaks down.
SEPARATION_RIDGE = 1e-3

#: R's ``coxph.control(toler.inf)``: ``sqrt(eps)`` with ``eps = 1e-9``. A coefficient
#: whose next Newton step is larger than this share of it (floored at 1, per SD of
#: its covariate) has not converged: monotone likelihood in an unpenalised fit.
TOLER_INF = np.sqrt(1e-9)

#: A penalised fit has not converged when its next Newton step exceeds this share
#: of a coefficient's standard error.
PENALISED_TOLERANCE = 1e-3

_TIME = "__riskml_time__"
_EVENT = "__riskml_event__"

#: Attributes of a fitted lifelines fitter that hold one entry per training patient
#: (durations, events, weights, fitted values) or per distinct follow-up time (its
#: own baseline, unused here: ``baselines_`` serves horizon risks). A model file
#: leaves them out (see ``CoxPH._model_file_state``).
LIFELINES_TRAINING_DATA = (
    "durations",
    "event_observed",
    "weights",
    "entries",
    "_clusters",
    "_predicted_partial_hazards_",
    "timeline",
    "baseline_hazard_",
    "baseline_cumulative_hazard_",
    "baseline_survival_",
)


def _without_training_data(fitter):
    """A shallow copy of a lifelines fitter (and of the fitter it wraps) without the
    attributes in :data:`LIFELINES_TRAINING_DATA`; the fitter itself is unchanged."""

    def copy(obj):
        out = object.__new__(type(obj))
        out.__dict__.update(
            (k, v) for k, v in vars(obj).items() if k not in LIFELINES_TRAINING_DATA
        )
        return out

    shell = copy(fitter)
    inner = vars(fitter).get("_model")
    if inner is not None and hasattr(inner, "__dict__"):
        shell.__dict__["_model"] = copy(inner)
    return shell


def _names(covariates) -> str:
    return quote_names(covariates)


def monotone_likelihood_issue(covariates) -> str:
    """The ``fit_issues_`` sentence of an unpenalised fit refitted for monotone likelihood."""
    return (
        f"monotone likelihood: the unpenalised partial likelihood keeps rising as the "
        f"coefficient of {_names(covariates)} moves away from 0 (at every event time the "
        "patients with the event rank highest, or lowest, on it among those at risk, as "
        "when a small group has no events; R's coxph warns that such a coefficient may be "
        "infinite), so the model was refitted with a ridge penalty (lifelines penalizer="
        f"{SEPARATION_RIDGE:g}, see penalizer_used_): its hazard ratios are shrunk, not "
        "maximum-likelihood estimates. Drop or merge the separating covariate, or choose a "
        "penalty (make_model('cox', penalizer=0.01))."
    )


def breakdown_issue() -> str:
    """The ``fit_issues_`` sentence of an unpenalised fit whose Newton-Raphson broke down."""
    return (
        "the unpenalised Cox fit did not converge (lifelines' Newton-Raphson broke down, "
        "usually from monotone likelihood: a covariate that separates events from "
        "non-events), so the model was refitted with a ridge penalty (lifelines penalizer="
        f"{SEPARATION_RIDGE:g}, see penalizer_used_): its hazard ratios are shrunk, not "
        "maximum-likelihood estimates. Drop or merge the separating covariate, or choose a "
        "penalty (make_model('cox', penalizer=0.01))."
    )


def not_converged_issue(penalizer, covariates) -> str:
    """The ``fit_issues_`` sentence of a penalised fit that stopped short of its maximum."""
    return (
        f"the Cox fit (lifelines penalizer={float(penalizer):g}) did not converge: "
        "lifelines' Newton-Raphson stopped short of the maximum of the penalised partial "
        f"likelihood along {_names(covariates)}, so its coefficients and risks are where it "
        "stopped. Use a larger penalty or fewer covariates."
    )


class CoxPH(CoxSplineTerms, RiskEstimatorMixin, BaseEstimator):
    """Cox proportional-hazards model (lifelines) with R's baseline hazard and horizon risk.

    Parameters
    ----------
    penalizer : float, default=0.0
        Strength of the elastic-net penalty on the coefficients (lifelines'
        ``penalizer``: ``n * penalizer * (l1_ratio * |b| + (1 - l1_ratio) * b^2 / 2)``
        summed over the coefficients ``b`` of the standardised covariates); 0 gives
        the ordinary partial-likelihood fit.
    l1_ratio : float, default=0.0
        Share of the penalty that is L1 (0 = ridge, 1 = lasso).
    ties : {"efron"}, default="efron"
        Handling of tied event times. lifelines implements Efron's method only (R
        ``coxph``'s default).
    strata : str or list of str, optional
        Columns of ``X`` (a DataFrame) to stratify on: each stratum gets its own
        baseline hazard and the columns are not covariates (R's ``strata()``). The
        columns may hold any hashable values (numbers or text).
    baseline_ties : {"efron", "breslow"}, default="efron"
        How tied event times enter the baseline cumulative hazard behind
        ``predict_risk(X, horizon)``: ``"efron"`` is R's ``survfit.coxph`` default
        after an Efron fit (``ctype = 2``); ``"breslow"`` is ``ctype = 1`` (the
        Breslow / Nelson-Aalen form, lifelines' ``baseline_cumulative_hazard_``).
        They differ only where events are tied (see Notes).
    splines : str, list of str or dict, optional
        Continuous covariates modelled by restricted cubic splines, as rms's
        ``cph(Surv(time, status) ~ rcs(age, 4) + ...)``: a name or a list of names (5
        knots, rms's default) or ``{column: number of knots or list of knots}``; see
        :class:`~riskml.models.LogisticRisk` for the terms, :meth:`nonlinearity_test`
        and :meth:`plot_partial_effect` (here on the log relative hazard scale, centred
        at the training means as rms's ``Predict``). None (default): linear covariates.

    Attributes
    ----------
    lifelines_ : lifelines.CoxPHFitter
        The fitted fitter (coefficients and standard errors; its baseline is not
        used for horizon risks, see Notes).
    coef_ : pandas.Series
        Log hazard ratios, indexed by covariate (what scikit-learn's ``RFE`` and
        ``RFECV`` rank features by).
    baselines_ : list of BreslowBaseline
        The baseline cumulative hazard (a step function at the event times), one per
        stratum in the order of ``strata_levels_`` (one without ``strata``).
    strata_levels_ : list
        The strata seen in ``fit`` (values, or tuples for several columns); only
        with ``strata``.
    penalizer_used_ : float
        The penalty of the fitted model: ``penalizer``, or :data:`SEPARATION_RIDGE`
        (0.001) when an unpenalised fit met monotone likelihood or broke down and
        was refitted with that ridge (``fit_issues_`` says so).
    fit_issues_ : list of str
        What kept the fit from being the model asked for (monotone likelihood and
        the ridge refit; a fit that stopped short of its maximum), one sentence
        each, also raised as :class:`~riskml.models.ModelFitWarning`; empty for a
        clean fit.
    aliased_ : list of str
        Covariates left out of an unpenalised fit because they are constant or
        collinear with others (``NA`` coefficients in R's ``coxph``); they have no
        effect on predictions.
    n_events_ : int
        Events in the training data.
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    ``predict_risk(X)`` is the log partial hazard (the linear predictor centred at
    the training means of the covariates, as lifelines reports it): higher = higher
    risk. ``predict_risk(X, horizon)`` is ``1 - S(horizon | x)`` with
    ``S(t | x) = exp(-H0(t) exp(lp))``, as R's ``survfit(fit, newdata)`` (its
    default ``stype = 2``): ``H0`` is a right-continuous step function of the
    training event times, so an event exactly at the horizon counts, nothing is
    interpolated between event times, and beyond the last event time ``H0`` keeps
    its last value (``summary(..., extend = TRUE)``). With the default
    ``baseline_ties="efron"`` the ``d`` events tied at a time leave the risk set in
    ``d`` equal shares (``sum_{k<d} 1 / (S0 - k/d D0)``), which is what R's
    ``survfit.coxph`` does by default after an Efron fit (its ``ctype`` follows
    the fit's ties method). lifelines' own ``predict_survival_function(X, times)``
    differs twice: it uses the Breslow form (``ctype = 1``), and it interpolates
    linearly between the times it stores.
    ``predict(X)`` is the same linear predictor (scikit-survival's convention), so
    that ``RFE`` and ``Pipeline.predict`` work; ``score`` is Harrell's C.
    ``RFECV`` scores with R^2 unless told otherwise: pass
    ``scoring=riskml.evaluation.c_statistic_scorer``.
    lifelines' concordance convention ("higher = longer survival") is converted
    once, in :func:`riskml.evaluation.c_statistic`. With ``strata`` the horizon risk
    uses each patient's stratum baseline, and a stratum unseen in ``fit`` is
    refused; in a pipeline, the strata columns must reach the model under their
    own names (e.g. passed through the preprocessing unchanged), and tools that
    turn ``X`` into an array (``RFE``) cannot carry them.

    **Monotone likelihood.** When a covariate separates earlier events from later
    ones, the unpenalised partial likelihood has no finite maximum. riskml finds it
    with R's ``coxph`` rule: after the fit, a coefficient whose next Newton step
    ``(I^-1 U)_j`` exceeds ``sqrt(1e-9)`` times the coefficient (per SD of its
    covariate, floored at 1) "may be infinite". R then keeps the diverging
    estimate with a warning; riskml refits with a ridge penalty of
    :data:`SEPARATION_RIDGE` = 0.001 (lifelines' scale: a normal prior on the
    standardised coefficients with variance ``1000 / n``, which shrinks a
    non-separating coefficient by roughly ``n / (1000 d)`` of itself, about 1% at
    a 10% event rate), records it in ``fit_issues_``, ``penalizer_used_``,
    :meth:`print_summary` and ``summary.attrs["caveat"]``, and raises one
    :class:`~riskml.models.ModelFitWarning`; the same happens when lifelines'
    Newton-Raphson breaks down. A requested penalty (``penalizer > 0``) is never
    changed: a fit that fails then raises a ``ValueError`` naming the fix. For
    ``l1_ratio > 0`` lifelines smooths the L1 penalty, so no convergence check
    is possible beyond lifelines' own ``ConvergenceWarning``.

    References
    ----------
    Cox DR. Regression models and life-tables. J R Stat Soc B. 1972;34(2):187-220.

    Breslow NE. Discussion of the paper by D. R. Cox. J R Stat Soc B.
    1972;34(2):216-217.

    Efron B. The efficiency of Cox's likelihood function for censored data. J Am
    Stat Assoc. 1977;72(359):557-565.

    Heinze G, Schemper M. A solution to the problem of monotone likelihood in Cox
    regression. Biometrics. 2001;57(1):114-119.

    Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model.
    Springer; 2000.

    Davidson-Pilon C. lifelines: survival analysis in Python. J Open Source Softw.
    2019;4(40):1317.

    Examples
    --------
    >>> from lifelines.datasets import load_rossi
    >>> from riskml import Outcome
    >>> rossi = load_rossi()
    >>> y = Outcome.survival(rossi["week"], rossi["arrest"])
    >>> model = CoxPH().fit(rossi.drop(columns=["week", "arrest"]), y)
    >>> round(float(model.coef_["fin"]), 4)
    -0.3794
    """

    outcome_kind = "survival"

    _parameter_constraints = {
        "penalizer": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "ties": [StrOptions({"efron"})],
        "strata": [str, list, None],
        "baseline_ties": [StrOptions({"efron", "breslow"})],
        "splines": [str, list, tuple, dict, None],
    }

    def __init__(
        self,
        penalizer=0.0,
        l1_ratio=0.0,
        ties="efron",
        strata=None,
        baseline_ties="efron",
        splines=None,
    ):
        self.penalizer = penalizer
        self.l1_ratio = l1_ratio
        self.ties = ties
        self.strata = strata
        self.baseline_ties = baseline_ties
        self.splines = splines

    def _strata(self) -> list[str]:
        if self.strata is None:
            return []
        return [self.strata] if isinstance(self.strata, str) else list(self.strata)

    def _check_numeric(self, frame: pd.DataFrame) -> None:
        strata = set(self._strata())
        bad = [
            c
            for c in frame.columns
            if c not in strata
            and not (
                pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
            )
        ]
        if bad:
            raise TypeError(
                f"CoxPH needs numeric columns; {bad[:5]} are not (dtypes "
                f"{[str(frame[c].dtype) for c in bad[:5]]}). Encode them first, e.g. with "
                "riskml.features.make_preprocessor() in a RiskPipeline."
            )

    def fit(self, X, y):
        """Fit the Cox model by maximum partial likelihood, and its baseline hazard.

        Parameters
        ----------
        X : pandas.DataFrame
            Numeric covariates (plus any ``strata`` columns).
        y : structured (event, time) array or time-to-event Outcome

        Returns
        -------
        self

        Warns
        -----
        ModelFitWarning
            Once per sentence of ``fit_issues_`` (monotone likelihood and the ridge
            refit, a fit that did not converge).
        """

        self._validate_params()
        outcome = self._check_outcome(y)
        frame = self._check_X(X, reset=True)
        missing = [s for s in self._strata() if s not in frame.columns]
        if missing:
            raise ValueError(
                f"strata names column(s) {missing} that X does not have; X has "
                f"{list(frame.columns)[:10]}. Pass existing column names as strata."
            )
        self._check_numeric(frame)
        frame = self._fit_splines(frame)
        data = frame.reset_index(drop=True).astype(
            {c: float for c in frame.columns if c not in self._strata()}
        )
        self.aliased_ = self._aliased(data) if self.penalizer == 0 else []
        data = data.drop(columns=self.aliased_)
        data[_TIME] = outcome.time
        data[_EVENT] = outcome.event.astype(int)
        self.fit_issues_ = []
        self.penalizer_used_ = self.penalizer
        fitter = self._fit_checked(data)
        if self.splines is not None and self.penalizer_used_ == 0:
            # spline terms are collinear: lifelines stops short of R's maximum
            fitter = self._fit_like_r(data) or fitter
        self.lifelines_ = fitter
        self.n_events_ = int(np.sum(outcome.event))
        self.coef_ = fitter.params_.copy().rename("coef")
        strata = self._strata()
        if strata:
            keys = frame[strata].drop_duplicates().itertuples(index=False, name=None)
            self.strata_levels_ = [k[0] if len(strata) == 1 else k for k in keys]
        eta = self._log_partial_hazard(data.drop(columns=[_TIME, _EVENT]))
        self.baselines_ = [
            BreslowBaseline(
                outcome.time[rows], outcome.event[rows], eta[rows], ties=self.baseline_ties
            )
            for rows in self._stratum_rows(data)
        ]
        self._spline_results(frame, outcome)
        for issue in self.fit_issues_:
            warnings.warn(issue, ModelFitWarning, stacklevel=2)
        return self

    def _fit_checked(self, data: pd.DataFrame):
        """lifelines' fit, rescued as R maximises where lifelines stops short, and refitted
        with a small ridge (recorded in ``fit_issues_``) where the likelihood has no
        finite maximum."""
        from lifelines.exceptions import ConvergenceError

        try:
            fitter = self._lifelines_fit(data, self.penalizer, self.l1_ratio)
        except ConvergenceError as error:
            if self.penalizer != 0:
                raise self._not_converged(data, error) from error
            fitter = None
        unpenalised = self.penalizer == 0
        infinite = self._unconverged(fitter, data) if unpenalised and fitter is not None else []
        if unpenalised and (fitter is None or infinite):
            # lifelines' damped Newton steps can stop short of the maximum, or break
            # down, on collinear covariates where R's coxph converges: maximise as R
            # does, then let lifelines hold that maximum.
            rescued = self._fit_like_r(data)
            if rescued is not None:
                fitter, infinite = rescued, self._unconverged(rescued, data)
        if fitter is None:
            issue = breakdown_issue()
        else:
            issue = monotone_likelihood_issue(infinite) if infinite else None
        if issue is not None:
            # No finite maximum (R's coxph keeps the diverging estimate with a
            # warning): refit with a small ridge and say so.
            self.fit_issues_.append(issue)
            try:
                fitter = self._lifelines_fit(data, SEPARATION_RIDGE, 0.0)
            except ConvergenceError as second:
                raise self._not_converged(data, second) from second
            self.penalizer_used_ = SEPARATION_RIDGE
        if self.penalizer_used_ != 0 and (self.l1_ratio == 0 or issue is not None):
            stuck = self._unconverged(fitter, data)
            if stuck:
                self.fit_issues_.append(not_converged_issue(self.penalizer_used_, stuck))
        return fitter

    def _fit_like_r(self, data: pd.DataFrame):
        """The unpenalised fit at the maximum R's ``coxph`` finds, or None.

        Efron's partial likelihood maximised as R's ``coxfit6`` does
        (:func:`~riskml.models._breslow.newton_raphson_like_r`: full Newton steps,
        step halving, ``eps = 1e-9``, 20 iterations), then lifelines refitted from that
        point (its own scale: covariates standardised), so that the fitted model,
        its variance and its summary are lifelines' at R's maximum. None when that
        maximisation does not converge either.
        """
        from lifelines.exceptions import ConvergenceError

        from ._breslow import newton_raphson_like_r

        strata = self._strata()
        covariates = [c for c in data.columns if c not in (_TIME, _EVENT, *strata)]
        if not covariates:
            return None
        values = data[covariates].to_numpy(dtype=float)
        values = values - values.mean(axis=0)
        time, event = data[_TIME].to_numpy(dtype=float), data[_EVENT].to_numpy(dtype=bool)
        groups = self._stratum_groups(data)
        beta, converged, _ = newton_raphson_like_r(
            [(time[rows], event[rows], values[rows]) for rows in groups]
        )
        if not converged or not np.all(np.isfinite(beta)):
            return None
        start = beta * data[covariates].std().to_numpy(dtype=float)  # lifelines' scale
        try:
            return self._lifelines_fit(data, 0.0, 0.0, initial_point=start)
        except ConvergenceError:
            return None

    def _lifelines_fit(
        self, data: pd.DataFrame, penalizer: float, l1_ratio: float, initial_point=None
    ):
        """lifelines' fit; its ConvergenceWarnings are replaced by riskml's own check
        (``_unconverged``) except under an L1 penalty, which that check cannot cover.
        The floating-point warnings of Newton-Raphson steps taken along a diverging
        coefficient (overflow in exp, invalid values, an ill-conditioned Hessian) are
        dropped: the monotone-likelihood and convergence checks say what they mean, in
        one sentence each (``fit_issues_``)."""
        from lifelines import CoxPHFitter
        from lifelines.exceptions import ConvergenceWarning
        from scipy.linalg import LinAlgWarning

        fitter = CoxPHFitter(
            penalizer=penalizer,
            l1_ratio=l1_ratio,
            baseline_estimation_method="breslow",
            strata=self._strata() or None,
        )
        with contextlib.ExitStack() as quiet:
            quiet.enter_context(silenced(RuntimeWarning))
            quiet.enter_context(silenced(LinAlgWarning))
            if l1_ratio == 0:
                quiet.enter_context(silenced(ConvergenceWarning))
            return fitter.fit(
                data, duration_col=_TIME, event_col=_EVENT, initial_point=initial_point
            )

    def _stratum_groups(self, data: pd.DataFrame):
        """Row positions of each stratum present in ``data`` (all rows without strata),
        for sums over strata during fit (before ``strata_levels_`` exists)."""
        if not self._strata():
            return [np.arange(len(data))]
        return data.groupby(self._strata(), sort=False).indices.values()

    def _stratum_rows(self, data: pd.DataFrame) -> list[np.ndarray]:
        """Row positions of each stratum of ``strata_levels_`` (all rows without strata)."""
        if not self._strata():
            return [np.arange(len(data))]
        index = self._stratum_index(data)
        return [np.flatnonzero(index == i) for i in range(len(self.strata_levels_))]

    def _stratum_index(self, frame: pd.DataFrame) -> np.ndarray:
        """Each row's position in ``strata_levels_`` (-1 for a stratum not seen in fit)."""
        strata = self._strata()
        keys = frame[strata].itertuples(index=False, name=None)
        position = {level: i for i, level in enumerate(self.strata_levels_)}
        return np.array(
            [position.get(k[0] if len(strata) == 1 else k, -1) for k in keys], dtype=int
        )

    def _log_partial_hazard(self, frame: pd.DataFrame) -> np.ndarray:
        """``(x - centers_) @ coef_``: lifelines' log partial hazard."""
        covariates = list(self.coef_.index)
        values = frame[covariates].to_numpy(dtype=float)
        center = np.asarray(self.lifelines_._norm_mean, dtype=float)
        return (values - center) @ self.coef_.to_numpy(dtype=float)

    def _unconverged(self, fitter, data: pd.DataFrame) -> list[str]:
        """Covariates whose next Newton step is not negligible.

        ``(I^-1 U)_j``, the step Newton-Raphson would still take, with ``U`` the score
        of Efron's partial likelihood (minus the ridge penalty's gradient) and ``I^-1``
        lifelines' variance matrix, both at the fitted coefficients. Unpenalised fit:
        R's ``coxph`` rule for monotone likelihood, a step above ``TOLER_INF`` times the
        coefficient (both per SD of the covariate, lifelines' scale; the coefficient
        floored at 1). Penalised fit, whose maximum is finite: a step above
        ``PENALISED_TOLERANCE`` of the coefficient's standard error, a fit stopped
        short of its maximum by more than a negligible share of its uncertainty.
        """
        covariates = list(fitter.params_.index)
        if not covariates:
            return []
        beta = fitter.params_.to_numpy(dtype=float)
        values = data[covariates].to_numpy(dtype=float)
        values = values - values.mean(axis=0)
        time, event = data[_TIME].to_numpy(dtype=float), data[_EVENT].to_numpy(dtype=bool)
        score = np.zeros(len(covariates))
        for rows in self._stratum_groups(data):
            score += efron_score(time[rows], event[rows], values[rows], beta)
        scale = np.asarray(fitter._norm_std, dtype=float)
        penalizer = float(fitter.penalizer)
        if penalizer > 0:  # ridge part of lifelines' penalty, on the standardised scale
            score -= len(data) * penalizer * (1 - fitter.l1_ratio) * scale**2 * beta
        variance = fitter.variance_matrix_.to_numpy(dtype=float)
        with np.errstate(invalid="ignore", over="ignore"):
            step = np.abs(variance @ score)
            if penalizer > 0:
                limit = PENALISED_TOLERANCE * np.sqrt(np.abs(np.diag(variance)))
            else:
                step = step * scale
                limit = TOLER_INF * np.maximum(np.abs(beta) * scale, 1.0)
            flagged = ~(step <= limit)
        return [c for c, bad in zip(covariates, flagged, strict=True) if bad]

    @staticmethod
    def _not_converged(data: pd.DataFrame, error) -> ValueError:
        covariates = data.shape[1] - 2
        return ValueError(
            f"the Cox model did not converge with {covariates} covariates and "
            f"{int(data[_EVENT].sum())} events (collinear columns, or a covariate that "
            "separates events from non-events). Fix: fewer candidate predictors "
            "(Study(selection=...)), or a small penalty, e.g. "
            f"make_model('cox', penalizer=0.01). lifelines said: {str(error)[:200]}"
        )

    def _aliased(self, data: pd.DataFrame) -> list[str]:
        """Covariates that are constant or linear combinations of the others.

        As R's ``coxph``, an unpenalised fit leaves them out (their coefficient is
        not estimable, ``NA`` in R): a constant column (e.g. a level absent from a
        training fold) or a set of collinear columns. Found by a rank-revealing QR
        decomposition of the centred covariates.
        """
        columns = [c for c in data.columns if c not in self._strata()]
        if not columns:
            return []
        return [columns[j] for j in not_estimable(data[columns].to_numpy(dtype=float))]

    def _frame(self, X) -> pd.DataFrame:
        check_is_fitted(self, "lifelines_")
        frame = self._spline_terms(self._check_X(X, reset=False).reset_index(drop=True))
        frame = frame.drop(columns=getattr(self, "aliased_", []))
        return frame.astype({c: float for c in frame.columns if c not in self._strata()})

    def _check_strata_seen(self, frame: pd.DataFrame) -> None:
        """Refuse strata that fit never saw: they have no baseline hazard."""
        strata = self._strata()
        if not strata:
            return
        seen = set(self.strata_levels_)
        keys = list(frame[strata].itertuples(index=False, name=None))
        keys = [k[0] if len(strata) == 1 else k for k in keys]
        unseen = [k for k in dict.fromkeys(keys) if k not in seen]
        if unseen:
            positions = [i for i, k in enumerate(keys) if k not in seen][:5]
            raise ValueError(
                f"strata {strata} value(s) {unseen[:5]} (first positions {positions}) were "
                f"not in the training data, so they have no baseline hazard; fit saw "
                f"{sorted(seen, key=str)[:10]}. Predict them without a horizon (the linear "
                "predictor needs no baseline), or fit on data that includes them."
            )

    def predict_risk(self, X, horizon=None):
        """Risk, higher = higher risk.

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Days. None: the log partial hazard. A number: ``1 - S(horizon | x)``
            from the step-function baseline of the patient's stratum (see Notes):
            R's ``1 - summary(survfit(fit, newdata), times = horizon)$surv``.

        Returns
        -------
        ndarray of float, shape (n_samples,)
        """
        frame = self._frame(X)
        if horizon is None:
            return np.asarray(self.lifelines_.predict_log_partial_hazard(frame), dtype=float)
        horizon = float(horizon)
        if not np.isfinite(horizon) or horizon <= 0:
            raise ValueError(f"horizon must be a positive number of days; got {horizon!r}.")
        self._check_strata_seen(frame)
        eta = self._log_partial_hazard(frame)
        if not self._strata():
            return self.baselines_[0].risk(eta, horizon)
        index = self._stratum_index(frame)
        risk = np.empty(len(frame))
        for i in np.unique(index):
            rows = index == i
            risk[rows] = self.baselines_[i].risk(eta[rows], horizon)
        return risk

    @property
    def centers_(self) -> pd.Series:
        """Covariate values at which ``predict_risk(X)`` (the log partial hazard) is 0.

        lifelines centres the linear predictor at the training means:
        ``predict_risk(X) = (X - centers_) @ coef_``.
        """
        check_is_fitted(self, "lifelines_")
        return pd.Series(
            np.asarray(self.lifelines_._norm_mean, dtype=float),
            index=self.coef_.index,
            name="center",
        )

    def baseline_cumulative_hazard_at(self, horizon) -> float:
        """``H0(horizon)`` for a log partial hazard of 0: the step function of ``baselines_``.

        ``predict_risk(X, horizon) = 1 - exp(-H0(horizon) * exp(predict_risk(X)))``,
        with the tie convention of ``baseline_ties`` (R's ``survfit.coxph`` default)
        and no interpolation between event times. Not defined with ``strata`` (each
        stratum has its own baseline).
        """
        check_is_fitted(self, "lifelines_")
        if self._strata():
            raise ValueError(
                "a stratified CoxPH has one baseline hazard per stratum; use "
                "predict_risk(X, horizon) instead."
            )
        horizon = float(horizon)
        if not np.isfinite(horizon) or horizon <= 0:
            raise ValueError(f"horizon must be a positive number of days; got {horizon!r}.")
        baseline = self.baselines_[0]
        return baseline.baseline_at(horizon) * float(np.exp(-baseline.offset))

    def predict(self, X):
        """The linear predictor, as scikit-survival's ``CoxPHSurvivalAnalysis.predict``.

        Same as ``predict_risk(X)``; it lets scikit-learn tools that look for
        ``predict`` (``RFE``/``RFECV`` scoring, ``Pipeline.predict``) use the model.

        Parameters
        ----------
        X : pandas.DataFrame

        Returns
        -------
        ndarray of float, shape (n_samples,)
            Higher = higher risk.
        """
        return self.predict_risk(X)

    def print_summary(self, decimals: int = 3) -> None:
        """Print hazard ratios with 95% CIs, as lifelines' ``print_summary``, and the fit issues.

        Hazard ratios are per one unit of each covariate as the model received it:
        the predictor's own unit when the pipeline does not scale (the registry's
        ``"cox"``), per standard deviation when it does, and level vs reference for
        one-hot columns. The penalty printed is the one fitted (``penalizer_used_``),
        followed by every sentence of ``fit_issues_``.
        """
        table = self.summary
        fitter = self.lifelines_
        print(
            f"Cox proportional-hazards model, {self._penalty_text()}, Efron ties; "
            f"{fitter._n_examples} patients, {self._n_events()} events"
        )
        shown = table[["hazard_ratio", "hr_low", "hr_high", "p"]].rename(
            columns={"hazard_ratio": "HR", "hr_low": "95% low", "hr_high": "95% high"}
        )
        print(shown.round(decimals).to_string())
        if self.aliased_:
            print(
                f"Not estimable (constant or collinear, left out as R's coxph does): "
                f"{', '.join(map(str, self.aliased_))}"
            )
        caveat = table.attrs.get("caveat")
        if caveat:
            print(f"Caveat: {caveat}")
        for issue in getattr(self, "fit_issues_", []):
            print(f"Fit issue: {issue}")

    def _n_events(self) -> int:
        events = getattr(self, "n_events_", None)
        if events is None:  # fitted before n_events_ existed
            events = int(np.sum(self.lifelines_.event_observed))
        return int(events)

    def _model_file_state(self) -> dict:
        """The attributes a model file stores (see :func:`riskml.save_model`).

        Everything prediction, ``summary`` and ``print_summary`` use (coefficients,
        their covariance, the centring, ``baselines_``, the counts of patients and
        events) without the per-patient data the lifelines fitter keeps
        (:data:`LIFELINES_TRAINING_DATA`: training durations, events, weights, fitted
        partial hazards, and its own baseline at every follow-up time). The model
        itself is not changed.
        """
        state = dict(vars(self))
        fitter = state.get("lifelines_")
        if fitter is not None:
            state["n_events_"] = self._n_events()
            state["lifelines_"] = _without_training_data(fitter)
        return state

    def _penalty_text(self) -> str:
        used = getattr(self, "penalizer_used_", self.penalizer)
        if used == 0:
            return "unpenalised"
        if used != self.penalizer:
            return (
                f"ridge-penalised (penalizer={used:g}) instead of the unpenalised fit asked "
                "for (see the fit issues)"
            )
        return f"penalised (penalizer={used:g}, l1_ratio={self.l1_ratio:g})"

    @property
    def summary(self) -> pd.DataFrame:
        """Tidy coefficient table: coef, se, hazard_ratio, hr_low, hr_high, z, p.

        The confidence interval is 95% (Wald), as in R's ``summary(coxph(...))``.
        For a penalised fit (asked for, or the ridge refit after monotone likelihood,
        ``penalizer_used_ > 0``) they come from lifelines' penalised information and
        ignore the shrinkage, so they are not valid inference: ``attrs["caveat"]``
        says so, and ``attrs["fit_issues"]`` holds ``fit_issues_``.
        """
        check_is_fitted(self, "lifelines_")
        s = self.lifelines_.summary
        table = pd.DataFrame(
            {
                "coef": s["coef"],
                "se": s["se(coef)"],
                "hazard_ratio": s["exp(coef)"],
                "hr_low": s["exp(coef) lower 95%"],
                "hr_high": s["exp(coef) upper 95%"],
                "z": s["z"],
                "p": s["p"],
            }
        )
        table.index.name = "covariate"
        used = float(getattr(self, "penalizer_used_", self.penalizer))
        caveat = None
        if used != 0 and used != self.penalizer:
            caveat = (
                f"the unpenalised fit asked for has no finite maximum, so these are the "
                f"estimates of a ridge refit (penalizer={used:g}): shrunk towards 0, and the "
                "Wald intervals and p-values ignore the shrinkage."
            )
        elif used != 0:
            caveat = (
                f"penalised fit (penalizer={used:g}, l1_ratio={self.l1_ratio:g}): the "
                "estimates are shrunk towards 0, and the Wald intervals and p-values ignore "
                "the shrinkage."
            )
        table.attrs["caveat"] = caveat
        table.attrs["fit_issues"] = list(getattr(self, "fit_issues_", []))
        return table
