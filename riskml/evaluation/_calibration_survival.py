"""Calibration of risks by a horizon for time-to-event outcomes.

Kaplan-Meier observed risk by groups of predicted risk (:func:`survival_calibration`),
and single numbers: the O:E ratio, the calibration slope (a Cox fit on the
complementary log-log of the risk) and the ICI (a Cox fit on a spline of it).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ..outcome import kaplan_meier_at
from ..utils.validation import check_int
from ._calibration_binary import _check_slope_spread
from ._calibration_checks import _check_survival_inputs
from ._calibration_groups import _group_attrs, _quantile_groups
from ._checks import check_confidence_level, spread_of

__all__ = [
    "survival_calibration",
    "survival_calibration_slope",
    "survival_ici",
    "survival_observed_expected_ratio",
]


# -- survival at a horizon -------------------------------------------------------------
def _km_risk_interval(survival: float, greenwood: float, confidence: float):
    """Risk bounds from the log(-log) ("exponential Greenwood") interval of S."""
    if not 0 < survival < 1:
        return np.nan, np.nan
    z = stats.norm.ppf(0.5 + confidence / 2)
    log_s = np.log(survival)
    spread = z * np.sqrt(greenwood) / log_s
    # log_s < 0, so -spread > 0 and s_low < survival < s_high
    s_low = np.exp(-np.exp(np.log(-log_s) - spread))
    s_high = np.exp(-np.exp(np.log(-log_s) + spread))
    return 1.0 - s_high, 1.0 - s_low


def survival_calibration(
    time, event, risk_at_horizon, horizon, *, n_groups: int = 10, confidence: float = 0.95
) -> pd.DataFrame:
    """Predicted against Kaplan-Meier observed risk at a horizon, by risk group.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 where the event was observed, 0 where follow-up was censored.
    risk_at_horizon : array-like of shape (n_samples,)
        Predicted probability of the event by ``horizon``, in [0, 1] (e.g.
        ``model.predict_risk(X, horizon=horizon)``).
    horizon : float
        The horizon, in the units of ``time``.
    n_groups : int, default=10
        Number of quantile groups of predicted risk asked for; fewer may result
        where risks are tied (see Notes), and ``table.attrs["n_groups"]`` holds the
        number formed.
    confidence : float, default=0.95
        Coverage of the interval of the observed risk.

    Returns
    -------
    pandas.DataFrame
        One row per group formed (every one with ``n >= 1``), in increasing order of
        risk: ``n``, ``events`` (observed by the horizon), ``predicted`` (mean
        predicted risk), ``observed`` (1 - Kaplan-Meier survival at the horizon
        within the group), ``low`` and ``high``. ``attrs`` holds
        ``"n_groups_requested"`` (``n_groups``) and ``"n_groups"`` (the rows).

    Notes
    -----
    The groups are those of :func:`calibration_curve` (``method="bins"``) on the
    predicted risks: R's ``cut(risk, unique(quantile(risk, (0:g) / g)),
    include.lowest = TRUE)`` with its empty levels dropped, as
    ``sklearn.calibration.calibration_curve(strategy="quantile")``: the breaks are
    the ``g + 1`` type-7 quantiles of the risks (linear interpolation, as
    ``numpy.quantile``) with duplicates removed; a group holds the risks above one
    break up to and including the next (the first also holds the smallest risk), so
    tied risks always share a group; a group that holds nobody is dropped. With tied
    risks (e.g. rounded to 0.05) a break repeats when one value holds more than 1/g
    of the patients, and an interpolated break can fall between two neighbouring
    values and leave its group empty: **fewer groups than asked may result**, of
    unequal sizes.

    Censoring is handled by the Kaplan-Meier estimator within each group, never by
    treating censored patients as event-free. The interval is the log(-log)
    ("exponential Greenwood") interval of the survival, as lifelines'
    ``KaplanMeierFitter``; it is NaN where the observed risk is 0 or 1. A group whose
    follow-up ends with a censoring before the horizon has no observed risk (NaN, with a
    warning); one whose last patients all had the event has observed risk 1.

    References
    ----------
    .. [1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
       J Am Stat Assoc 1958;53:457-481.
    .. [2] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 15.
    .. [3] Royston P, Altman DG. External validation of a Cox prognostic model:
       principles and methods. BMC Med Res Methodol 2013;13:33.

    Examples
    --------
    >>> from riskml.evaluation import survival_calibration
    >>> table = survival_calibration([2, 4, 6, 8, 10, 12], [1, 0, 1, 0, 1, 0],
    ...                              [0.6, 0.1, 0.5, 0.2, 0.4, 0.3], 7, n_groups=2)
    >>> table["observed"].round(3).tolist()
    [0.0, 0.667]
    """
    function = "survival_calibration"
    n_groups = check_int(n_groups, "n_groups", function, low=1)
    confidence = check_confidence_level(confidence, function)
    time, event, risk, horizon = _check_survival_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    group, used = _quantile_groups(risk, n_groups)
    rows = []
    short = []
    for index in range(used):
        members = group == index
        survival, greenwood = kaplan_meier_at(time[members], event[members], horizon)
        if np.isnan(survival):
            short.append(index)
        low, high = _km_risk_interval(survival, greenwood, confidence)
        rows.append(
            {
                "n": int(members.sum()),
                "events": int((event[members] & (time[members] <= horizon)).sum()),
                "predicted": float(risk[members].mean()),
                "observed": 1.0 - survival,
                "low": low,
                "high": high,
            }
        )
    if short:
        warnings.warn(
            f"{function}: in risk group(s) {short} nobody is followed up to the horizon "
            f"({horizon!r}), so their observed risk is NaN.",
            UserWarning,
            stacklevel=2,
        )
    return _group_attrs(pd.DataFrame(rows), n_groups, used)


# -- survival calibration at a horizon as single numbers ---------------------------------
_SINGULAR_COX = (
    "{function}: the Cox calibration model cannot be fitted: its information matrix is "
    "singular (the predicted risks do not vary enough among the patients at risk at the "
    "event times). Check that the risks differ between patients, and that there are events "
    "by the horizon among patients with different risks."
)


def _cox_efron(x: np.ndarray, time: np.ndarray, event: np.ndarray, function: str):
    """Cox partial-likelihood fit with Efron's ties: ``(beta, covariance, efron_terms)``.

    ``x`` is (n, p) with small p. Newton-Raphson from 0 with step halving, as R's
    ``coxph`` (tolerance on the relative change of the log partial likelihood).
    ``efron_terms(beta)`` gives the per-event-time pieces of the baseline hazard.
    """
    order = np.argsort(time, kind="stable")
    x, time, event = x[order], time[order], event[order]
    n, p = x.shape
    times, start = np.unique(time, return_index=True)
    group = np.searchsorted(times, time)
    # one row per event: its tie group and its position l = 0..d-1 within the group
    event_rows = np.flatnonzero(event)
    if event_rows.shape[0] == 0:
        raise ValueError(f"{function}: no event before the horizon; the Cox fit is undefined.")
    event_group = group[event_rows]
    d = np.bincount(event_group, minlength=times.shape[0]).astype(float)
    first = np.searchsorted(event_group, event_group)
    fraction = (np.arange(event_rows.shape[0]) - first) / d[event_group]

    def pieces(beta):
        eta = x @ beta
        shift = eta.max()
        w = np.exp(eta - shift)
        wx = w[:, None] * x
        wxx = wx[:, :, None] * x[:, None, :]
        # risk-set sums over {j : time_j >= t_g}: reverse cumulative sums from each group start
        s0 = np.cumsum(w[::-1])[::-1][start]
        s1 = np.cumsum(wx[::-1], axis=0)[::-1][start]
        s2 = np.cumsum(wxx[::-1], axis=0)[::-1][start]
        e = event.astype(float)
        d0 = np.bincount(group, weights=w * e, minlength=times.shape[0])
        d1 = np.stack(
            [np.bincount(group, weights=wx[:, k] * e, minlength=times.shape[0]) for k in range(p)],
            axis=1,
        )
        d2 = np.zeros((times.shape[0], p, p))
        np.add.at(d2, group[event_rows], wxx[event_rows])
        f = fraction
        g = event_group
        den = s0[g] - f * d0[g]
        num1 = s1[g] - f[:, None] * d1[g]
        num2 = s2[g] - f[:, None, None] * d2[g]
        return eta, shift, den, num1, num2

    def loglik(beta):
        eta, shift, den, _, _ = pieces(beta)
        return float(eta[event_rows].sum() - (np.log(den) + shift).sum())

    beta = np.zeros(p)
    current = loglik(beta)
    for _ in range(50):
        eta, shift, den, num1, num2 = pieces(beta)
        mean = num1 / den[:, None]
        gradient = x[event_rows].sum(axis=0) - mean.sum(axis=0)
        information = (num2 / den[:, None, None]).sum(axis=0) - np.einsum("ei,ej->ij", mean, mean)
        try:
            step = np.linalg.solve(information, gradient)
        except np.linalg.LinAlgError:
            raise ValueError(_SINGULAR_COX.format(function=function)) from None
        for _ in range(30):
            candidate = beta + step
            value = loglik(candidate)
            if np.isfinite(value) and value >= current - 1e-12:
                break
            step = step / 2
        converged = abs(value - current) <= 1e-10 * (abs(current) + 1e-10)
        beta, current = candidate, value
        if converged:
            break
    eta, shift, den, num1, num2 = pieces(beta)
    mean = num1 / den[:, None]
    information = (num2 / den[:, None, None]).sum(axis=0) - np.einsum("ei,ej->ij", mean, mean)
    try:
        covariance = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        raise ValueError(_SINGULAR_COX.format(function=function)) from None
    # Efron baseline hazard (R survfit.coxph, ctype=2): sum_l 1 / (S0 - l/d D0), at eta
    increments = np.bincount(event_group, weights=np.exp(-shift) / den, minlength=times.shape[0])
    return beta, covariance, times, np.cumsum(increments)


def _survival_calibration_inputs(time, event, risk_at_horizon, horizon, function):
    """Checked inputs, follow-up truncated at the horizon, and cloglog of the risks."""
    time, event, risk, horizon = _check_survival_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    extreme = (risk <= 0) | (risk >= 1)
    if extreme.all():
        raise ValueError(
            f"{function}: every predicted risk is exactly 0 or 1, so the calibration fit has "
            "no patient left (their complementary log-log is infinite). These look like "
            "predicted classes: pass the predicted probability of the event by the horizon, "
            "e.g. model.predict_risk(X, horizon=days)."
        )
    if extreme.any():
        # As for the logistic calibration (R rms::val.prob): left out, with a warning.
        warnings.warn(
            f"{function}: {int(extreme.sum())} patient(s) with a predicted risk of exactly 0 "
            "or 1 were left out of the calibration fit (their complementary log-log is "
            "infinite), as R rms::val.prob does for the logistic calibration.",
            UserWarning,
            stacklevel=3,
        )
        keep = ~extreme
        time, event, risk = time[keep], event[keep], risk[keep]
        if not (event & (time <= horizon)).any():
            raise ValueError(
                f"{function}: no event by the horizon among the patients whose predicted "
                "risk is strictly between 0 and 1."
            )
    # administrative censoring at the horizon: the calibration model describes [0, h]
    truncated_event = event & (time <= horizon)
    truncated_time = np.minimum(time, horizon)
    cloglog = np.log(-np.log1p(-risk))
    return truncated_time, truncated_event, risk, horizon, cloglog


def survival_observed_expected_ratio(time, event, risk_at_horizon, horizon) -> float:
    """Observed-to-expected ratio at a horizon: Kaplan-Meier risk over mean predicted risk.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 where the event was observed, 0 where follow-up was censored.
    risk_at_horizon : array-like of shape (n_samples,)
        Predicted probability of the event by ``horizon``, in [0, 1].
    horizon : float
        The horizon, in the units of ``time``.

    Returns
    -------
    float
        ``(1 - S_KM(h)) / mean(risk_at_horizon)``; 1 is ideal, above 1 means the model
        under-predicts.

    Notes
    -----
    The observed risk is the Kaplan-Meier estimate, in which a patient censored at h
    is event-free at h (as :func:`riskml.outcome.horizon_label`). The Wald interval
    of :func:`survival_metric_ci` is on the log scale, with the expected risk taken
    as fixed and ``SE(log O) = SE(S_KM(h)) / (1 - S_KM(h))`` from Greenwood's
    variance (Debray et al. 2017, Table 1; R ``summary(survfit(...), times=h)``).

    References
    ----------
    .. [1] Debray TPA, Damen JAAG, Snell KIE, et al. A guide to systematic review and
       meta-analysis of prediction model performance. BMJ 2017;356:i6460.
    .. [2] Riley RD, Archer L, Snell KIE, et al. Evaluation of clinical prediction
       models (part 2). BMJ 2024;384:e074820.

    Examples
    --------
    >>> from riskml.evaluation import survival_observed_expected_ratio
    >>> round(survival_observed_expected_ratio([2, 3, 5, 8, 9], [1, 0, 1, 0, 1],
    ...                                        [0.5, 0.4, 0.5, 0.2, 0.3], 6), 4)
    1.2281
    """
    function = "survival_observed_expected_ratio"
    time, event, risk, horizon = _check_survival_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    return _survival_oe(time, event, risk, horizon, function)[0]


def _survival_oe(time, event, risk, horizon, function):
    survival, greenwood = kaplan_meier_at(time, event, horizon)
    expected = risk.mean()
    if expected == 0 or not np.isfinite(survival):
        raise ValueError(
            f"{function} is undefined: "
            + ("every predicted risk is 0." if expected == 0 else "S_KM(h) is undefined.")
        )
    observed = 1.0 - survival
    se_log = np.sqrt(greenwood) * survival / observed if observed > 0 else np.inf
    return float(observed / expected), float(se_log)


def survival_calibration_slope(time, event, risk_at_horizon, horizon) -> float:
    """Calibration slope at a horizon: the Cox coefficient of the cloglog predicted risk.

    Parameters
    ----------
    time, event, risk_at_horizon, horizon
        As :func:`survival_observed_expected_ratio`; risks strictly inside (0, 1).

    Returns
    -------
    float
        The coefficient of ``log(-log(1 - risk))`` in a Cox model of the follow-up
        truncated at the horizon; 1 is ideal, below 1 means predictions too extreme.

    Raises
    ------
    ValueError
        When every predicted risk is the same (or within 1e-8 on the complementary
        log-log scale): the Cox coefficient of a constant is undefined (R's
        ``coxph`` returns NA), not a number to report.

    Notes
    -----
    For a proportional-hazards model ``log(-log(1 - risk(h)))`` is the linear
    predictor plus ``log H0(h)``, so this is the slope of the prognostic index
    (van Houwelingen 2000; McLernon et al. 2023, who also truncate follow-up at the
    horizon so that the fit describes [0, h]). Ties are handled by Efron's method, as
    R ``survival::coxph`` by default; the Wald interval of
    :func:`survival_metric_ci` uses the inverse observed information.

    References
    ----------
    .. [1] van Houwelingen HC. Validation, calibration, revision and combination of
       prognostic survival models. Stat Med 2000;19:3401-3415.
    .. [2] McLernon DJ, Giardiello D, Van Calster B, et al. Assessing performance and
       clinical usefulness in prediction models with survival outcomes: practical
       guidance for Cox proportional hazards models. Ann Intern Med 2023;176:105-114.

    Examples
    --------
    >>> from riskml.evaluation import survival_calibration_slope
    >>> round(survival_calibration_slope([2, 3, 5, 8, 9, 4, 7], [1, 0, 1, 0, 1, 1, 0],
    ...                                  [0.5, 0.4, 0.3, 0.2, 0.35, 0.25, 0.3], 6), 4)
    2.76
    """
    function = "survival_calibration_slope"
    time, event, _, _, cloglog = _survival_calibration_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    _check_slope_spread(cloglog, function, scale="complementary log-log")
    beta, _, _, _ = _cox_efron(cloglog[:, None], time, event, function)
    return float(beta[0])


def _rcs_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Harrell's restricted cubic spline basis (R ``Hmisc::rcspline.eval``, norm=2)."""
    k = knots
    scale = (k[-1] - k[0]) ** 2
    columns = [x]
    for j in range(k.shape[0] - 2):
        term = (
            np.maximum(x - k[j], 0) ** 3
            - np.maximum(x - k[-2], 0) ** 3 * (k[-1] - k[j]) / (k[-1] - k[-2])
            + np.maximum(x - k[-1], 0) ** 3 * (k[-2] - k[j]) / (k[-1] - k[-2])
        )
        columns.append(term / scale)
    return np.column_stack(columns)


def survival_ici(time, event, risk_at_horizon, horizon) -> float:
    """Integrated calibration index at a horizon (Austin, Harrell & van Klaveren 2020).

    Parameters
    ----------
    time, event, risk_at_horizon, horizon
        As :func:`survival_observed_expected_ratio`; risks strictly inside (0, 1).

    Returns
    -------
    float
        ``mean |risk_i - observed_i|`` with ``observed_i`` the risk by the horizon
        that a flexible calibration model assigns to patient i.

    Notes
    -----
    The calibration model is a Cox model of the follow-up truncated at the horizon
    on a restricted cubic spline of ``log(-log(1 - risk))`` with 3 knots at its 10th,
    50th and 90th percentiles (Austin et al. 2020, the ``cph(... ~ rcs(cll, 3))``
    variant); ``observed_i = 1 - exp(-H0(h) exp(f(cll_i)))`` with the Efron
    baseline hazard of R ``survfit.coxph``. For constant risks (to 1e-8) the model
    has no covariate (R's ``cph`` refuses the fit): every patient's observed risk is
    then the Kaplan-Meier risk by the horizon, ``1 - S_KM(h)``, as
    :func:`survival_calibration` gives for one group, and the ICI is
    ``|1 - S_KM(h) - p|``. Where that model has no finite fit
    (monotone likelihood: its log hazard ratio between two patients exceeds 50, or
    overflows), a ``ValueError`` says so instead of returning NaN; R ``coxph``
    warns "coefficient may be infinite" there and returns an arbitrary curve.

    References
    ----------
    .. [1] Austin PC, Harrell FE Jr, van Klaveren D. Graphical calibration curves and
       the integrated calibration index (ICI) for survival models. Stat Med
       2020;39:2714-2742.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import survival_ici
    >>> rng = np.random.default_rng(0)
    >>> risk = rng.uniform(0.05, 0.5, 400)
    >>> time = rng.exponential(-365 / np.log1p(-risk))
    >>> survival_ici(time, np.ones(400), risk, 365.0) < 0.05
    True
    """
    function = "survival_ici"
    time, event, risk, horizon, cloglog = _survival_calibration_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    return float(np.mean(np.abs(risk - _smoothed_observed(time, event, cloglog, horizon))))


def _observed_risk_by(time, event, horizon) -> float:
    """The Kaplan-Meier risk by the horizon (1 - S_KM(h)) of follow-up truncated at it."""
    survival, _ = kaplan_meier_at(time, event, horizon)
    return 1.0 - float(survival)


def _smoothed_observed(time, event, cloglog, horizon):
    if spread_of(cloglog)[1]:
        # One predicted risk for everyone (to 1e-8): the calibration model has no
        # covariate to smooth on, and the observed risk of every patient is that of the
        # whole cohort, the Kaplan-Meier risk by the horizon (as survival_calibration
        # gives for one group).
        return np.full(cloglog.shape[0], _observed_risk_by(time, event, horizon))
    knots = np.quantile(cloglog, [0.1, 0.5, 0.9])
    # too few distinct risks for a spline: linear in cll
    spline = np.unique(knots).shape[0] == 3
    basis = _rcs_basis(cloglog, knots) if spline else cloglog[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        beta, _, times, hazard = _cox_efron(basis, time, event, "survival_ici")
        position = np.searchsorted(times, horizon, side="right") - 1
        h0 = hazard[position] if position >= 0 else 0.0
        eta = basis @ beta
        observed = 1.0 - np.exp(-h0 * np.exp(eta))
    # Monotone likelihood: with few distinct events (a bootstrap sample duplicates
    # them) a combination of the spline terms can rank the events above the patients
    # still at risk, the partial likelihood keeps rising as the coefficients diverge,
    # and the curve overflowed to NaN. Seen on a flexible model's own training sample.
    if not np.isfinite(observed).all() or np.ptp(eta) > _MAX_LOG_HAZARD_RATIO:
        raise ValueError(
            "survival_ici: the flexible calibration model has no finite fit (monotone "
            f"likelihood: its coefficients diverge, {np.round(beta, 1).tolist()}): with "
            f"{int(np.unique(time[event]).shape[0])} distinct event times, the spline of "
            "the predicted risk ranks the events above the patients still at risk, as "
            "happens when a flexible model is evaluated on the sample it was fitted on. "
            "The smoothed observed risk, and so the ICI, is undefined here; evaluate on "
            "patients the model did not see (e.g. held-out folds: internal_validation "
            "method='cv_average')."
        )
    return observed


# A calibration model whose log hazard ratio between two patients exceeds this has
# diverged (a hazard ratio of e^50 ~ 5e21 is no calibration curve).
_MAX_LOG_HAZARD_RATIO = 50.0
