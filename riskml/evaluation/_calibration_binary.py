"""Calibration of risks of a binary outcome as numbers, and logistic recalibration.

The logistic calibration fits (intercept with the logit as offset; intercept and
slope), calibration-in-the-large, the calibration slope, the O:E ratio, and
:class:`LogisticRecalibration` built on the same fits.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import expit

from ..utils.validation import check_option
from ._calibration_checks import _check_binary_inputs, _check_both_classes, _check_probabilities
from ._checks import spread_of, warn_degenerate

__all__ = [
    "LogisticRecalibration",
    "calibration_in_the_large",
    "calibration_slope",
    "observed_expected_ratio",
    "recalibrate_intercept",
    "recalibrate_logistic",
]


# -- logistic calibration fits --------------------------------------------------------
def _logit(prob: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(prob) - np.log1p(-prob)


def _finite_logit(event: np.ndarray, prob: np.ndarray, function: str):
    """Logit of the risks, leaving out (with a warning) risks of exactly 0 or 1."""
    lp = _logit(prob)
    finite = np.isfinite(lp)
    if not finite.any():
        raise ValueError(
            f"{function}: every predicted risk is exactly 0 or 1, so the logistic calibration "
            "fit has no patient left (their logit is infinite). These look like predicted "
            "classes: pass predicted probabilities (model.predict_proba(X)[:, 1] or "
            "model.predict_risk(X))."
        )
    if not finite.all():
        warnings.warn(
            f"{function}: {int((~finite).sum())} patient(s) with a predicted risk of exactly "
            "0 or 1 were left out of the logistic calibration fit (their logit is infinite), "
            "as R rms::val.prob does.",
            UserWarning,
            stacklevel=3,
        )
        event, lp = event[finite], lp[finite]
        try:
            _check_both_classes(event, function)
        except ValueError as error:
            raise ValueError(
                f"{error} (among the {int(finite.sum())} patient(s) whose predicted risk is "
                "strictly between 0 and 1; the others were left out)"
            ) from None
    return event, lp


def _fit_offset_intercept(event: np.ndarray, lp: np.ndarray) -> tuple[float, float]:
    """ML intercept of ``logit P(y=1) = a + lp`` (lp an offset); returns (a, se)."""
    y = event.astype(float)
    a = 0.0
    for _ in range(200):
        mu = expit(a + lp)
        information = float(np.sum(mu * (1 - mu)))
        # the score is monotone in a; capping the Newton step keeps it from overshooting
        step = float(np.clip(np.sum(y - mu) / information, -5.0, 5.0))
        a += step
        if abs(step) < 1e-13 * max(1.0, abs(a)):
            break
    mu = expit(a + lp)
    return a, float(1.0 / np.sqrt(np.sum(mu * (1 - mu))))


# Predicted risks whose logits (or complementary log-logs) span less than this, an odds
# (hazard) ratio under 1.01 between the most and the least at risk, barely vary: their
# calibration slope is estimated from differences too small to matter.
BARELY_VARYING = 0.01


def _barely_varying(lp: np.ndarray, scale: str) -> str:
    spread = float(lp.max() - lp.min())
    ratio = "odds" if scale == "logit" else "hazard"
    return (
        f"the predicted risks barely vary (their {scale}s span {spread:.2g}, an {ratio} ratio "
        f"of {np.exp(spread):.4f} between the most and the least at risk)"
    )


def _check_slope_spread(lp: np.ndarray, function: str, scale: str = "logit") -> None:
    """Refuse a calibration slope of (practically) constant risks: it is undefined; warn
    when the risks barely vary (:data:`BARELY_VARYING`): it is then imprecise."""
    spread, constant = spread_of(lp)
    if not constant:
        if lp.shape[0] > 1 and spread < BARELY_VARYING:
            warn_degenerate(
                f"{function}: {_barely_varying(lp, scale)}, so the calibration slope rests on "
                "differences too small to matter and is very imprecise: read its interval, "
                "and rely on calibration-in-the-large or the O:E ratio for these risks. "
                "Check the model that produced them (e.g. too strong a penalty).",
            )
        return
    same = (
        "every patient has the same predicted risk"
        if spread == 0
        else f"the predicted risks are practically constant (their {scale}s differ by at most "
        f"{spread:.1g})"
    )
    raise ValueError(
        f"{function}: the calibration slope is undefined when {same}: the slope measures "
        "how observed risk changes with predicted risk, and these predictions do not change. "
        "Check the model that produced them (one risk for every patient means it learned "
        "nothing from the predictors); calibration-in-the-large and the O:E ratio are still "
        "defined."
    )


def _log_likelihood(y: np.ndarray, eta: np.ndarray) -> float:
    # y*eta - log(1 + exp(eta)), stable for large |eta|
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)))


def _fit_intercept_slope(event: np.ndarray, lp: np.ndarray, function: str):
    """ML fit of ``logit P(y=1) = a + b * lp``; returns (a, b, covariance).

    Newton-Raphson with step halving, started at perfect calibration (a = 0, b = 1),
    on the sufficient sums of the 2 x 2 problem (no design matrix).
    """
    y = event.astype(float)
    _check_slope_spread(lp, function)
    lp2 = lp * lp

    def information(a: float, b: float):
        mu = expit(a + b * lp)
        weights = mu * (1 - mu)
        # elementwise sums, not BLAS dot products: on a loaded machine the BLAS threads
        # spin (15 ms for a 56,000-long dot product against 0.2 ms)
        return mu, weights.sum(), (weights * lp).sum(), (weights * lp2).sum()

    a, b = 0.0, 1.0
    current = _log_likelihood(y, a + b * lp)
    converged = False
    for _ in range(200):
        mu, s0, s1, s2 = information(a, b)
        residual = y - mu
        g0, g1 = residual.sum(), (residual * lp).sum()
        determinant = s0 * s2 - s1 * s1
        if not determinant > 0:
            break
        step_a = (s2 * g0 - s1 * g1) / determinant
        step_b = (s0 * g1 - s1 * g0) / determinant
        # step halving keeps every iteration an ascent step
        scale = 1.0
        while True:
            new_a, new_b = a + scale * step_a, b + scale * step_b
            value = _log_likelihood(y, new_a + new_b * lp)
            if value >= current - 1e-12 * abs(current) or scale < 1e-10:
                break
            scale /= 2
        a, b, current = new_a, new_b, value
        if max(abs(scale * step_a), abs(scale * step_b)) < 1e-12 * max(1.0, abs(a), abs(b)):
            converged = True
            break
    if not converged or max(abs(a), abs(b)) > 1e6:
        if np.ptp(lp) < BARELY_VARYING:
            raise ValueError(
                f"{function}: the logistic calibration fit did not converge: "
                f"{_barely_varying(lp, 'logit')}, so the calibration slope is not estimable. "
                "Check the model that produced them; calibration-in-the-large and the O:E "
                "ratio are still defined."
            )
        raise ValueError(
            f"{function}: the logistic calibration fit did not converge; the predicted "
            "risks separate events from non-events perfectly (or nearly so), so the slope "
            "is infinite."
        )
    _, s0, s1, s2 = information(a, b)
    hessian = np.array([[s0, s1], [s1, s2]])
    return float(a), float(b), np.linalg.inv(hessian)


# -- calibration-in-the-large, slope, O:E --------------------------------------------
def calibration_in_the_large(y_true, y_prob) -> float:
    """Calibration-in-the-large: the intercept with the slope fixed at 1.

    The maximum-likelihood ``a`` in ``logit P(y = 1) = a + logit(p)``, with
    ``logit(p)`` an offset. 0 is ideal; ``a > 0`` means the model under-estimates
    risk on average, ``a < 0`` that it over-estimates.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    float

    Notes
    -----
    Also called the *calibration intercept* (predRupdate, Van Calster 2016). R's
    ``rms::val.prob`` reports a different "Intercept": that of the logistic
    recalibration ``a + b * logit(p)`` with the slope estimated (see
    :func:`recalibrate_logistic`). Patients with a predicted risk of exactly 0 or 1
    have an infinite logit; as in ``val.prob`` they are left out with a warning.

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 15.
    .. [2] Van Calster B, Nieboer D, Vergouwe Y, et al. A calibration hierarchy for
       risk models was defined: from utopia to empirical data. J Clin Epidemiol
       2016;74:167-176.

    Examples
    --------
    >>> from riskml.evaluation import calibration_in_the_large
    >>> round(calibration_in_the_large([0, 1, 0, 1], [0.2, 0.3, 0.1, 0.4]), 4)
    1.201
    """
    function = "calibration_in_the_large"
    event, prob = _check_binary_inputs(y_true, y_prob, function)
    event, lp = _finite_logit(event, prob, function)
    return _fit_offset_intercept(event, lp)[0]


def calibration_slope(y_true, y_prob) -> float:
    """Calibration slope: the coefficient of ``logit(p)`` in a logistic regression of y.

    The maximum-likelihood ``b`` in ``logit P(y = 1) = a + b * logit(p)``. 1 is ideal;
    ``b < 1`` means predictions are too extreme (typical of overfitting), ``b > 1``
    that they are too modest.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When every predicted risk is the same (or within 1e-8 on the logit scale): the
        slope is undefined (R's ``glm`` returns NA for it), not a number to report.

    Notes
    -----
    Equal to the "Slope" of R's ``rms::val.prob``. Patients with a predicted risk of
    exactly 0 or 1 are left out with a warning, as in ``val.prob``.

    References
    ----------
    .. [1] Cox DR. Two further applications of a model for binary regression.
       Biometrika 1958;45:562-565.
    .. [2] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019.
    .. [3] Van Calster B, McLernon DJ, van Smeden M, et al. Calibration: the Achilles
       heel of predictive analytics. BMC Med 2019;17:230.

    Examples
    --------
    >>> from riskml.evaluation import calibration_slope
    >>> round(calibration_slope([0, 1, 0, 1, 1, 0], [0.2, 0.3, 0.1, 0.4, 0.8, 0.5]), 4)
    1.3828
    """
    function = "calibration_slope"
    event, prob = _check_binary_inputs(y_true, y_prob, function)
    event, lp = _finite_logit(event, prob, function)
    return _fit_intercept_slope(event, lp, function)[1]


def observed_expected_ratio(y_true, y_prob) -> float:
    """Observed-to-expected ratio: events observed over events predicted.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    float
        ``sum(y_true) / sum(y_prob)``; 1 is ideal, above 1 means under-prediction.

    References
    ----------
    .. [1] Riley RD, Archer L, Snell KIE, et al. Evaluation of clinical prediction
       models (part 2). BMJ 2024;384:e074820.
    .. [2] Debray TPA, Damen JAAG, Snell KIE, et al. A guide to systematic review and
       meta-analysis of prediction model performance. BMJ 2017;356:i6460.

    Examples
    --------
    >>> from riskml.evaluation import observed_expected_ratio
    >>> observed_expected_ratio([0, 1, 0, 1], [0.2, 0.3, 0.1, 0.4])
    2.0
    """
    function = "observed_expected_ratio"
    event, prob = _check_binary_inputs(y_true, y_prob, function, both_classes=False)
    expected = prob.sum()
    if expected == 0:
        raise ValueError(
            f"{function} is undefined when every predicted risk is 0 (no expected events)."
        )
    return float(event.sum() / expected)


# -- recalibration ---------------------------------------------------------------------
class LogisticRecalibration:
    """Logistic recalibration of predicted risks: ``expit(a + b * logit(p))``.

    Parameters
    ----------
    method : {"logistic", "intercept"}, default="logistic"
        ``"intercept"`` re-estimates the intercept only (``b = 1``: calibration in the
        large, "recalibration in the large"); ``"logistic"`` re-estimates intercept
        and slope ("logistic recalibration").

    Attributes
    ----------
    intercept_ : float
    slope_ : float
        1.0 for ``method="intercept"``.
    n_ : int
        Patients used in the fit.

    Notes
    -----
    Fit on the data of the setting the model is moved to, then apply
    :meth:`transform` to new predictions. Risks of exactly 0 or 1 are left out of
    the fit with a warning and stay 0 or 1 after the transformation.

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 20.
    .. [2] Janssen KJM, Moons KGM, Kalkman CJ, et al. Updating methods improved the
       performance of a clinical prediction model in new patients. J Clin Epidemiol
       2008;61:76-86.

    Examples
    --------
    >>> from riskml.evaluation import recalibrate_intercept
    >>> recal = recalibrate_intercept([0, 1, 0, 1], [0.2, 0.3, 0.1, 0.4])
    >>> round(float(recal.transform([0.2, 0.3, 0.1, 0.4]).mean()), 4)
    0.5
    """

    def __init__(self, method: str = "logistic"):
        self.method = method

    def fit(self, y_prob, y_true) -> LogisticRecalibration:
        """Estimate the recalibration from predicted risks and observed outcomes."""
        function = f"LogisticRecalibration(method={self.method!r}).fit"
        check_option(self.method, "method", ("logistic", "intercept"), "LogisticRecalibration")
        event, prob = _check_binary_inputs(y_true, y_prob, function)
        event, lp = _finite_logit(event, prob, function)
        if self.method == "intercept":
            self.intercept_, _ = _fit_offset_intercept(event, lp)
            self.slope_ = 1.0
        else:
            self.intercept_, self.slope_, _ = _fit_intercept_slope(event, lp, function)
        self.n_ = int(event.shape[0])
        return self

    def transform(self, y_prob) -> np.ndarray:
        """Recalibrated risks ``expit(intercept_ + slope_ * logit(y_prob))``."""
        if not hasattr(self, "intercept_"):
            raise ValueError(
                "This LogisticRecalibration is not fitted yet; call fit(y_prob, y_true) "
                "(or use recalibrate_intercept / recalibrate_logistic) before transform."
            )
        prob = _check_probabilities(y_prob, "LogisticRecalibration.transform")
        with np.errstate(divide="ignore", invalid="ignore"):
            out = expit(self.intercept_ + self.slope_ * _logit(prob))
        # risks of exactly 0 or 1 keep their value (for a positive slope)
        out[prob == 0.0] = 0.0 if self.slope_ > 0 else 1.0
        out[prob == 1.0] = 1.0 if self.slope_ > 0 else 0.0
        return out

    def __call__(self, y_prob) -> np.ndarray:
        return self.transform(y_prob)

    def __repr__(self) -> str:
        if hasattr(self, "intercept_"):
            return (
                f"LogisticRecalibration(method={self.method!r}; intercept_="
                f"{self.intercept_:.4f}, slope_={self.slope_:.4f})"
            )
        return f"LogisticRecalibration(method={self.method!r})"


def recalibrate_intercept(y_true, y_prob) -> LogisticRecalibration:
    """Fit an intercept-only recalibration (slope fixed at 1).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    LogisticRecalibration
        Fitted; ``intercept_`` equals :func:`calibration_in_the_large`.

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 20.

    Examples
    --------
    >>> from riskml.evaluation import recalibrate_intercept
    >>> round(recalibrate_intercept([0, 1, 0, 1], [0.2, 0.3, 0.1, 0.4]).intercept_, 4)
    1.201
    """
    return LogisticRecalibration(method="intercept").fit(y_prob, y_true)


def recalibrate_logistic(y_true, y_prob) -> LogisticRecalibration:
    """Fit a logistic recalibration (intercept and slope).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the event, in [0, 1].

    Returns
    -------
    LogisticRecalibration
        Fitted; ``slope_`` equals :func:`calibration_slope` and ``intercept_`` the
        "Intercept" of R's ``rms::val.prob``.

    References
    ----------
    .. [1] Cox DR. Two further applications of a model for binary regression.
       Biometrika 1958;45:562-565.
    .. [2] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019. Ch. 20.

    Examples
    --------
    >>> from riskml.evaluation import recalibrate_logistic
    >>> recal = recalibrate_logistic([0, 1, 0, 1, 1, 0], [0.2, 0.3, 0.1, 0.4, 0.8, 0.5])
    >>> round(recal.slope_, 4)
    1.3828
    """
    return LogisticRecalibration(method="logistic").fit(y_prob, y_true)
