"""Confidence intervals of the probability metrics by name: :func:`metric_ci` (binary
outcomes) and :func:`survival_metric_ci` (time-to-event outcomes at a horizon).

Each name, its function, its closed-form intervals and its old names come from the
metric registry (the registered metrics that need predicted probabilities:
calibration, Brier, utility and reclassification); any callable works with the
bootstrap, the same machinery as :func:`roc_auc_ci`.
"""

from __future__ import annotations

from ..utils.deprecation import renamed_value
from ..utils.validation import check_option, check_same_length
from ._bootstrap import ConfidenceInterval, bootstrap_ci
from ._calibration import _check_binary_outcome, _check_probabilities, _check_survival_inputs
from ._checks import check_confidence_level
from ._metric_registry import Metric, registered_metrics

__all__ = ["metric_ci", "survival_metric_ci"]


def _probability_metrics(outcome_kind: str) -> dict[str, Metric]:
    """The registered metrics of predicted probabilities, listed or not, by name."""
    return {
        m.name: m
        for m in registered_metrics(outcome_kind, include_unlisted=True)
        if m.needs_probability
    }


def _deprecated_names(outcome_kind: str) -> dict[str, str]:
    """``{old name: registry name}`` of the interval functions (until riskml 0.2)."""
    return {
        old: m.name
        for m in _probability_metrics(outcome_kind).values()
        for old in m.deprecated_names
    }


def _resolve_metric(metric, outcome_kind: str, function: str):
    """``(statistic, entry)``: a callable as it is (no entry), or a registered name."""
    if callable(metric):
        return metric, None
    known = _probability_metrics(outcome_kind)
    if isinstance(metric, str) and metric in known:
        return known[metric].function, known[metric]
    names = ", ".join(repr(name) for name in known)
    raise ValueError(
        f"The 'metric' parameter of {function} must be a callable or one of {names}. "
        f"Got {metric!r} instead."
    )


def _closed_form(entry, metric, method: str, outcome_kind: str, function: str):
    """The registered interval ``method`` of ``entry``, refused where it has none."""
    if entry is None or method not in entry.intervals:
        names = ", ".join(
            repr(name)
            for name, m in _probability_metrics(outcome_kind).items()
            if method in m.intervals
        )
        raise ValueError(
            f"{function}: method={method!r} is available for {names} only; got metric "
            f"{metric!r}. Use method='bootstrap'."
        )
    return entry.intervals[method]


def metric_ci(
    metric,
    y_true,
    *y_probs,
    method: str = "bootstrap",
    n_boot: int = 2000,
    confidence: float = 0.95,
    ci_type: str = "percentile",
    random_state=None,
    **metric_params,
) -> ConfidenceInterval:
    """Confidence interval of a binary-outcome metric (calibration, Brier, utility).

    Parameters
    ----------
    metric : str or callable
        One of ``"calibration_intercept"`` (:func:`calibration_in_the_large`),
        ``"calibration_slope"``, ``"o_e"`` (:func:`observed_expected_ratio`),
        ``"ici"``, ``"e50"``, ``"e90"``, ``"emax"``, ``"brier"``
        (:func:`brier_score`), ``"ipa"`` (:func:`scaled_brier`), ``"net_benefit"``
        (pass ``threshold=``), ``"nri"``, ``"nri_events"``, ``"nri_non_events"`` (two
        probability arrays, optional ``cutoffs=``), ``"idi"`` (two arrays); or a
        callable ``metric(y_true, *y_probs, **metric_params) -> float``. The names
        are the metric registry's (:func:`get_metric_names`); the old names
        ``"calibration_in_the_large"``, ``"observed_expected_ratio"``,
        ``"brier_score"`` and ``"scaled_brier"`` still work, with a
        ``FutureWarning``, until riskml 0.2.
    y_true : array-like of shape (n_samples,)
        Observed outcome, 1 (or True) for an event and 0 for none.
    *y_probs : array-like of shape (n_samples,)
        The predicted probabilities the metric takes (``p_old, p_new`` for NRI/IDI).
    method : {"bootstrap", "wald", "spiegelhalter"}, default="bootstrap"
        ``"wald"`` is available for calibration-in-the-large and the slope (standard
        errors from the logistic likelihood), the O:E ratio (on the log scale) and
        the Brier score: ``SE = sd((y - p)^2) / sqrt(n)``, the sampling standard
        error of the mean squared residual, as R riskRegression's ``Score(...,
        se.fit = TRUE)``, with the interval truncated to [0, 1] as there.
        ``"spiegelhalter"`` (Brier score only): ``SE = sqrt(sum (1 - 2 p_i)^2 p_i
        (1 - p_i)) / n``, the Brier score's standard error were the predictions the
        true risks (Spiegelhalter 1986; the interval R predRupdate reports). It is
        the null variance of Spiegelhalter's calibration test, not the sampling
        variance of the estimate: it ignores miscalibration and is too narrow or too
        wide for a miscalibrated model. (riskml before issue 29 gave it for
        ``"wald"``.)
    n_boot : int, default=2000
    confidence : float, default=0.95
    ci_type : {"percentile", "bca"}, default="percentile"
        Bootstrap interval type, passed to :func:`bootstrap_ci`.
    random_state : int, numpy.random.Generator or None, default=None
    **metric_params
        Passed to the metric, e.g. ``threshold=0.1``, ``cutoffs=[0.1, 0.2]``,
        ``frac=0.5``.

    Returns
    -------
    ConfidenceInterval

    Notes
    -----
    The bootstrap resamples patients within each outcome class (stratified), the
    same machinery as :func:`roc_auc_ci`; replicates on which the metric is
    undefined are counted in ``n_degenerate``. The Wald intervals of the calibration
    intercept, slope and O:E equal those of R's predRupdate ``pred_validate``
    (``confint.default`` of the GLM fits; O:E with ``SE(log O:E) = sqrt((1 - O/n) /
    O)``); the Brier score's those of R riskRegression's ``Score`` (its ``method``
    reads "Wald (sampling variance of the Brier score)"), and ``"spiegelhalter"``
    predRupdate's.

    References
    ----------
    .. [1] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. 1993.
    .. [2] Debray TPA, Damen JAAG, Snell KIE, et al. A guide to systematic review and
       meta-analysis of prediction model performance. BMJ 2017;356:i6460.
    .. [3] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019.
    .. [4] Spiegelhalter DJ. Probabilistic prediction in patient management and
       clinical trials. Stat Med 1986;5:421-433.
    .. [5] Gerds TA, Kattan MW. Medical Risk Prediction Models: With Ties to Machine
       Learning. Chapman and Hall/CRC; 2021 (riskRegression's ``Score``).

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import metric_ci
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.6, 300)
    >>> y = rng.random(300) < p
    >>> ci = metric_ci("calibration_slope", y, p, n_boot=200, random_state=0)
    >>> ci.low < ci.estimate < ci.high
    True
    """
    function = "metric_ci"
    metric = renamed_value(metric, _deprecated_names("binary"), "metric", function)
    method = check_option(method, "method", ("bootstrap", "wald", "spiegelhalter"), function)
    statistic, entry = _resolve_metric(metric, "binary", function)
    n_risks = 1 if entry is None else entry.n_risks
    if entry is not None and len(y_probs) != n_risks:
        raise ValueError(
            f"{function}: the metric {metric!r} takes {n_risks} array(s) of predicted "
            f"probabilities after y_true; got {len(y_probs)}."
        )
    if method != "bootstrap":
        interval = _closed_form(entry, metric, method, "binary", function)
        if metric_params:
            raise TypeError(f"{function}: {metric!r} takes no parameters; got {metric_params}.")
        confidence = check_confidence_level(confidence, function)
        return interval(y_true, y_probs[0], confidence=confidence)
    event = _check_binary_outcome(y_true, function)
    probs = [
        _check_probabilities(values, function, argument=f"y_probs[{index}]")
        for index, values in enumerate(y_probs)
    ]
    check_same_length(function, y_true=event, **{f"y_probs[{i}]": p for i, p in enumerate(probs)})
    options = {} if ci_type == "percentile" else {"ci_type": ci_type}
    return bootstrap_ci(
        lambda *arrays: statistic(*arrays, **metric_params),
        event,
        *probs,
        n_boot=n_boot,
        confidence=confidence,
        stratify=event,
        random_state=random_state,
        **options,
    )


def survival_metric_ci(
    metric,
    time,
    event,
    risk_at_horizon,
    horizon,
    *,
    method: str = "bootstrap",
    n_boot: int = 2000,
    confidence: float = 0.95,
    ci_type: str = "percentile",
    random_state=None,
    **metric_params,
) -> ConfidenceInterval:
    """Confidence interval of a time-to-event metric at a horizon.

    Parameters
    ----------
    metric : str or callable
        ``"brier"`` (:func:`brier_score_ipcw`), ``"ipa"`` (:func:`scaled_brier_ipcw`),
        ``"net_benefit"`` (:func:`net_benefit_survival`; pass ``threshold=``, and
        optionally ``convention=``),
        ``"o_e"`` (:func:`survival_observed_expected_ratio`), ``"calibration_slope"``
        (:func:`survival_calibration_slope`), ``"ici"`` (:func:`survival_ici`), or a
        callable ``metric(time, event, risk_at_horizon, horizon, **metric_params) ->
        float``. The names are the metric registry's (:func:`get_metric_names`); the
        old names ``"brier_score_ipcw"``, ``"scaled_brier_ipcw"``,
        ``"net_benefit_survival"`` and ``"observed_expected_ratio"`` still work, with
        a ``FutureWarning``, until riskml 0.2.
    time, event, risk_at_horizon : array-like of shape (n_samples,)
    horizon : float
    method : {"bootstrap", "wald"}, default="bootstrap"
        ``"wald"`` is available for the O:E ratio (log scale, Greenwood standard
        error of the Kaplan-Meier risk, expected risk fixed; Debray et al. 2017), the
        calibration slope (Cox information matrix, as R ``confint.default`` of
        ``coxph``) and the IPCW Brier score (takes ``censoring_weights=`` and
        ``prediction=``): ``SE = sd(IF) / sqrt(n)`` with IF the influence function of
        the estimate, the Kaplan-Meier estimate of the censoring distribution
        included, interval truncated to [0, 1]; with
        ``censoring_weights="riskRegression"`` it equals R riskRegression's
        ``Score(..., se.fit = TRUE, cens.model = "km")``. See Notes.
    n_boot : int, default=2000
    confidence : float, default=0.95
    ci_type : {"percentile", "bca"}, default="percentile"
    random_state : int, numpy.random.Generator or None, default=None
    **metric_params
        Passed to the metric (e.g. ``train_time=``, ``train_event=``, which are not
        resampled, or ``threshold=``).

    Returns
    -------
    ConfidenceInterval

    Notes
    -----
    Patients are resampled as a whole (not stratified), as in
    :func:`concordance_index_ci`; the censoring distribution is re-estimated in each
    replicate unless ``train_time``/``train_event`` are given.

    The Brier score's influence function is that of riskRegression 2022.11.28
    (``getInfluenceFunctionBrierKMCensoringTerm``): patient k's is ``R_k - BS +
    (1/n) sum_i R_i phi_k(a_i)``, with ``R_i`` patient i's weighted squared residual
    (0 where not evaluable; ``BS = mean(R)``), ``a_i`` the time its weight is taken
    at (``T_i`` for a case, the horizon for a control) and ``phi_k`` patient k's
    influence on the Nelson-Aalen cumulative hazard of censoring, whose risk set at
    s is every patient with ``time >= s``. For ``"before"`` and ``"at"`` the same
    formula is evaluated at those conventions' times (left limits where the weight is
    ``G(a-)``); it equals riskRegression's wherever the conventions agree (no
    censoring tied with an event time or the horizon), and has no R counterpart
    where they differ.

    References
    ----------
    .. [1] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. 1993.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import survival_metric_ci
    >>> rng = np.random.default_rng(0)
    >>> risk = rng.uniform(0.1, 0.6, 200)
    >>> time = rng.exponential(1 / risk) * 100
    >>> event = rng.random(200) < 0.7
    >>> ci = survival_metric_ci("brier", time, event, risk, 100.0,
    ...                         n_boot=100, random_state=0)
    >>> ci.low <= ci.estimate <= ci.high
    True
    """
    function = "survival_metric_ci"
    metric = renamed_value(metric, _deprecated_names("survival"), "metric", function)
    method = check_option(method, "method", ("bootstrap", "wald"), function)
    statistic, entry = _resolve_metric(metric, "survival", function)
    time, event, risk, horizon = _check_survival_inputs(
        time, event, risk_at_horizon, horizon, function
    )
    if method == "wald":
        interval = _closed_form(entry, metric, method, "survival", function)
        confidence = check_confidence_level(confidence, function)
        return interval(time, event, risk, horizon, confidence=confidence, **metric_params)
    options = {} if ci_type == "percentile" else {"ci_type": ci_type}
    return bootstrap_ci(
        lambda t, e, r: statistic(t, e, r, horizon, **metric_params),
        time,
        event,
        risk,
        n_boot=n_boot,
        confidence=confidence,
        random_state=random_state,
        **options,
    )
