"""Cox proportional-hazards regression (lifelines) behind the scikit-learn API."""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import RiskEstimatorMixin

__all__ = ["CoxPH"]

#: Ridge penalty used when an unpenalised fit meets separation (with a warning).
SEPARATION_RIDGE = 1e-3

_TIME = "__riskml_time__"
_EVENT = "__riskml_event__"


class CoxPH(RiskEstimatorMixin, BaseEstimator):
    """Cox proportional-hazards model with a Breslow baseline (lifelines).

    Parameters
    ----------
    penalizer : float, default=0.0
        Strength of the elastic-net penalty on the coefficients (lifelines'
        ``penalizer``); 0 gives the ordinary partial-likelihood fit.
    l1_ratio : float, default=0.0
        Share of the penalty that is L1 (0 = ridge, 1 = lasso).
    ties : {"efron"}, default="efron"
        Handling of tied event times. lifelines implements Efron's method only (R
        ``coxph``'s default).
    strata : str or list of str, optional
        Columns of ``X`` (a DataFrame) to stratify on: each stratum gets its own
        baseline hazard and the columns are not covariates (R's ``strata()``). The
        columns may hold any hashable values (numbers or text).

    Attributes
    ----------
    lifelines_ : lifelines.CoxPHFitter
        The fitted fitter.
    coef_ : pandas.Series
        Log hazard ratios, indexed by covariate (what scikit-learn's ``RFE`` and
        ``RFECV`` rank features by).
    strata_levels_ : list
        The strata seen in ``fit`` (values, or tuples for several columns); only
        with ``strata``.
    penalizer_used_ : float
        The penalty of the fit: ``penalizer``, or :data:`SEPARATION_RIDGE` when an
        unpenalised fit met separation (a warning says so).
    aliased_ : list of str
        Covariates left out of an unpenalised fit because they are constant or
        collinear with others (``NA`` coefficients in R's ``coxph``); they have no
        effect on predictions.
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    ``predict_risk(X)`` is the log partial hazard (the linear predictor centred at
    the training means of the covariates, as lifelines reports it): higher = higher
    risk. ``predict_risk(X, horizon)`` is 1 - S(horizon | x) from the Breslow
    baseline; beyond the last training time the baseline stays at its last value.
    ``predict(X)`` is the same linear predictor (scikit-survival's convention), so
    that ``RFE`` and ``Pipeline.predict`` work; ``score`` is Harrell's C.
    ``RFECV`` scores with R^2 unless told otherwise: pass
    ``scoring=riskml.features.c_statistic_scorer``.
    lifelines' concordance convention ("higher = longer survival") is converted
    once, in :func:`riskml.features.c_statistic`. With ``strata`` the horizon risk
    uses each patient's stratum baseline, and a stratum unseen in ``fit`` is
    refused; in a pipeline, the strata columns must reach the model under their
    own names (e.g. passed through the preprocessing unchanged), and tools that
    turn ``X`` into an array (``RFE``) cannot carry them. A model that fails to converge
    (e.g. separation) emits lifelines' ``ConvergenceWarning``; a small ``penalizer``
    usually fixes it.

    References
    ----------
    Cox DR. Regression models and life-tables. J R Stat Soc B. 1972;34(2):187-220.

    Breslow NE. Discussion of the paper by D. R. Cox. J R Stat Soc B.
    1972;34(2):216-217.

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
    }

    def __init__(self, penalizer=0.0, l1_ratio=0.0, ties="efron", strata=None):
        self.penalizer = penalizer
        self.l1_ratio = l1_ratio
        self.ties = ties
        self.strata = strata

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
        """Fit the Cox model by maximum partial likelihood.

        Parameters
        ----------
        X : pandas.DataFrame
            Numeric covariates (plus any ``strata`` columns).
        y : structured (event, time) array or time-to-event Outcome

        Returns
        -------
        self
        """
        from lifelines import CoxPHFitter

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
        data = frame.reset_index(drop=True).astype(
            {c: float for c in frame.columns if c not in self._strata()}
        )
        self.aliased_ = self._aliased(data) if self.penalizer == 0 else []
        data = data.drop(columns=self.aliased_)
        data[_TIME] = outcome.time
        data[_EVENT] = outcome.event.astype(int)
        fitter = CoxPHFitter(
            penalizer=self.penalizer,
            l1_ratio=self.l1_ratio,
            baseline_estimation_method="breslow",
            strata=self._strata() or None,
        )
        from lifelines.exceptions import ConvergenceError

        self.penalizer_used_ = self.penalizer
        try:
            fitter.fit(data, duration_col=_TIME, event_col=_EVENT)
        except ConvergenceError as error:
            if self.penalizer != 0:
                raise self._not_converged(data, error) from error
            # Separation: the partial likelihood has no finite maximum. R's coxph warns
            # ("coefficient may be infinite") and returns a huge estimate; here the
            # smallest ridge that keeps the coefficients finite is used, with a warning.
            import warnings

            from lifelines.exceptions import ConvergenceWarning

            warnings.warn(
                "the unpenalised Cox fit did not converge (a covariate separates events "
                "from non-events, so its coefficient is infinite); refitted with a ridge "
                f"penalty of {SEPARATION_RIDGE:g}, as the smallest that keeps it finite. "
                "Its hazard ratios are not interpretable: drop or merge the separating "
                "covariate, or choose a penalty (make_model('cox', penalizer=0.01)).",
                ConvergenceWarning,
                stacklevel=2,
            )
            fitter = CoxPHFitter(
                penalizer=SEPARATION_RIDGE,
                l1_ratio=0.0,
                baseline_estimation_method="breslow",
                strata=self._strata() or None,
            )
            try:
                fitter.fit(data, duration_col=_TIME, event_col=_EVENT)
            except ConvergenceError as second:
                raise self._not_converged(data, second) from second
            self.penalizer_used_ = SEPARATION_RIDGE
        self.lifelines_ = fitter
        self.coef_ = fitter.params_.copy().rename("coef")
        strata = self._strata()
        if strata:
            keys = frame[strata].drop_duplicates().itertuples(index=False, name=None)
            self.strata_levels_ = [k[0] if len(strata) == 1 else k for k in keys]
        return self

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
        from scipy.linalg import qr

        columns = [c for c in data.columns if c not in self._strata()]
        if not columns:
            return []
        values = data[columns].to_numpy(dtype=float)
        values = values - values.mean(axis=0)
        scale = np.abs(values).max(axis=0)
        constant = scale == 0
        values = values / np.where(constant, 1.0, scale)
        _, r, pivot = qr(values, mode="economic", pivoting=True)
        diagonal = np.abs(np.diag(r))
        tol = max(values.shape) * np.finfo(float).eps * (diagonal[0] if diagonal.size else 0.0)
        rank = int(np.sum(diagonal > max(tol, 1e-10)))
        dependent = set(pivot[rank:].tolist()) | set(np.flatnonzero(constant).tolist())
        return [columns[j] for j in sorted(dependent)]

    def _frame(self, X) -> pd.DataFrame:
        check_is_fitted(self, "lifelines_")
        frame = self._check_X(X, reset=False).reset_index(drop=True)
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
            Days. None: the log partial hazard. A number: 1 - S(horizon | x).

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
        survival = self.lifelines_.predict_survival_function(frame, times=[horizon])
        # with strata lifelines returns the patients grouped by stratum: restore row order
        survival = survival.reindex(columns=frame.index)
        return 1.0 - survival.to_numpy(dtype=float)[0]

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
        """Breslow ``H0(horizon)`` for a log partial hazard of 0 (lifelines' interpolation).

        ``predict_risk(X, horizon) = 1 - exp(-H0(horizon) * exp(predict_risk(X)))``.
        Not defined with ``strata`` (each stratum has its own baseline).
        """
        from lifelines.utils import interpolate_at_times

        check_is_fitted(self, "lifelines_")
        if self._strata():
            raise ValueError(
                "a stratified CoxPH has one baseline hazard per stratum; use "
                "predict_risk(X, horizon) instead."
            )
        horizon = float(horizon)
        if not np.isfinite(horizon) or horizon <= 0:
            raise ValueError(f"horizon must be a positive number of days; got {horizon!r}.")
        values = interpolate_at_times(self.lifelines_.baseline_cumulative_hazard_, [[horizon]])
        return float(np.ravel(values)[0])

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
        """Print hazard ratios with 95% CIs, as lifelines' ``print_summary``.

        Hazard ratios are per one unit of each covariate as the model received it:
        the predictor's own unit when the pipeline does not scale (the registry's
        ``"cox"``), per standard deviation when it does, and level vs reference for
        one-hot columns.
        """
        table = self.summary
        used = getattr(self, "penalizer_used_", self.penalizer)
        penalty = (
            "unpenalised"
            if used == 0
            else f"penalised (penalizer={used}, l1_ratio={self.l1_ratio})"
            + (" after separation in the unpenalised fit" if used != self.penalizer else "")
        )
        fitter = self.lifelines_
        print(
            f"Cox proportional-hazards model, {penalty}, Efron ties; "
            f"{fitter._n_examples} patients, {int(fitter.event_observed.sum())} events"
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

    @property
    def summary(self) -> pd.DataFrame:
        """Tidy coefficient table: coef, se, hazard_ratio, hr_low, hr_high, z, p.

        The confidence interval is 95% (Wald), as in R's ``summary(coxph(...))``.
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
        return table
