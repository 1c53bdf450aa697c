"""riskml's own metrics, each registered once with everything about it.

The registry itself (:class:`Metric`, :func:`register_metric`, :func:`get_metric`,
...) is :mod:`riskml.evaluation._metric_registry`; this module fills it and computes
a registered metric with its interval (:func:`metric_interval`).

Names (the same name may exist for both outcome kinds; the time-to-event version is
evaluated at the horizon with censoring handled):

========================  ==========  ============  =========================================
name                      binary      time-to-event  meaning
========================  ==========  ============  =========================================
``auc``                   yes                       ROC AUC (= C-statistic)
``harrell_c``                         yes           Harrell's C over the whole follow-up
``uno_c``                             yes           Uno's IPCW C (truncated at the horizon)
``td_auc``                            at horizon    cumulative/dynamic AUC, IPCW (Uno 2007)
``calibration_intercept`` yes                       calibration-in-the-large (slope fixed 1)
``calibration_slope``     yes         at horizon    slope of the logit (binary) or the
                                                    complementary log-log (time-to-event)
``o_e``                   yes         at horizon    observed / expected events
``ici``                   yes         at horizon    integrated calibration index
``brier``                 yes         at horizon    Brier score (IPCW for time-to-event)
``ipa``                   yes         at horizon    index of prediction accuracy, 1 - Brier /
                                                    Brier of the null model
``net_benefit``           yes         at horizon    net benefit at a threshold
``sensitivity``           yes         at horizon    at a threshold; so are ``specificity``,
                                                    ``ppv``, ``npv`` and ``accuracy``
``partial_auc``           yes         at horizon    partial AUC (McClish)
========================  ==========  ============  =========================================

The interval functions also know E50, E90 and Emax (binary calibration) and the NRI
and IDI of two models (:func:`metric_ci`), registered unlisted. Competing-risk
outcomes have their own entries at the horizon (``td_auc``, ``wolbers_c``, ``o_e``,
``ece``, ``brier``, ``ipa``, ``net_benefit``): :mod:`riskml.evaluation._metrics_competing`.
"""

from __future__ import annotations

import numbers
from functools import partial

import numpy as np

from ._bootstrap import (
    ConfidenceInterval,
    _check_n_boot,
    bootstrap_ci,
    concordance_index_ci,
    roc_auc_ci,
)
from ._brier import (
    _brier_batch,
    _scaled_brier_batch,
    brier_score,
    brier_score_ipcw,
    scaled_brier,
    scaled_brier_ipcw,
)
from ._calibration import (
    _ici_batch,
    calibration_in_the_large,
    calibration_slope,
    ici,
    observed_expected_ratio,
    survival_calibration_slope,
    survival_ici,
    survival_observed_expected_ratio,
)
from ._checks import (
    check_array_argument,
    check_confidence_level,
    check_horizon_in_follow_up,
    check_outcome_argument,
)
from ._decision_curves import net_benefit_at
from ._discrimination import _check_score, concordance_index, roc_auc
from ._ipcw import _check_censoring_weights, time_dependent_auc, uno_c
from ._metric_registry import (
    EXPENSIVE_N_BOOT,
    INTERVAL_METHODS,
    Metric,
    _register_built_in,
    check_metric_params,
    check_metrics,
    default_metrics,
    find_metric,
    get_metric,
    get_metric_names,
    metric_data,
    metric_value,
    register_metric,
    registered_metric,
    registered_metrics,
    unregister_metric,
)
from ._metrics_competing import COMPETING_METRICS
from ._metrics_threshold import THRESHOLD_METRICS
from ._reclassification import idi, nri
from ._wald import binary_wald, survival_wald

__all__ = [
    "EXPENSIVE_N_BOOT",
    "Metric",
    "check_metric_params",
    "check_metrics",
    "default_metrics",
    "find_metric",
    "get_metric",
    "get_metric_names",
    "metric_interval",
    "metric_value",
    "register_metric",
    "registered_metric",
    "registered_metrics",
    "unregister_metric",
]


# -- the parameters of parametrised metrics, and their checks ---------------------------
def _check_threshold(value, function: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
        hint = (
            f" For {value:g}% pass {value / 100:g}."
            if isinstance(value, numbers.Real) and not isinstance(value, bool) and 1 <= value < 100
            else ""
        )
        raise ValueError(
            f"the 'threshold' of net_benefit in {function} must be a risk in (0, 1) above "
            f"which a patient would be treated, e.g. 0.1; got {value!r}.{hint}"
        )
    return float(value)


_THRESHOLD = {"threshold": _check_threshold}
_CENSORING_WEIGHTS = {"censoring_weights": _check_censoring_weights}
_THRESHOLD_REQUIRED = {
    "threshold": "is evaluated at a risk threshold; pass metric_params={'net_benefit': "
    "{'threshold': 0.1}} (the risk above which a patient would be treated)."
}


# -- the functions of the entries --------------------------------------------------------
def _ici_statistic(statistic: str):
    def value(event, risk, **options):
        return getattr(ici(event, risk, **options), statistic)

    value.__name__ = statistic
    return value


def _nri_statistic(statistic: str):
    def value(event, risk_old, risk_new, **options):
        return getattr(nri(event, risk_old, risk_new, **options), statistic)

    value.__name__ = statistic
    return value


def _idi(event, risk_old, risk_new):
    return idi(event, risk_old, risk_new).idi


def _harrell_c(time, event, risk, horizon):
    return concordance_index(time, event, risk)


def _td_auc(time, event, risk, horizon, **params):
    # params: censoring_weights (docs/conventions.md)
    return float(np.ravel(time_dependent_auc(time, event, risk, [horizon], **params))[0])


def _uno_c(time, event, risk, horizon, **params):
    return uno_c(time, event, risk, tau=horizon, **params)


def _delong_interval(event, risk, *, confidence, **_bootstrap_options) -> ConfidenceInterval:
    return roc_auc_ci(event, risk, method="delong", confidence=confidence)


def _harrell_interval(
    time, event, risk, horizon, *, confidence, n_boot, random_state, n_jobs
) -> ConfidenceInterval:
    return concordance_index_ci(
        time,
        event,
        risk,
        n_boot=n_boot,
        confidence=confidence,
        random_state=random_state,
        n_jobs=n_jobs,
    )


_ICI_BIAS = (
    "the ICI averages absolute differences between predicted and smoothed observed "
    "risk, so the chance miscalibration of each resample adds to it"
)
_RANK = {"section": "discrimination", "no_information": 0.5}
_CALIBRATION = {"section": "calibration", "needs_probability": True}
_OVERALL = {"section": "overall", "needs_probability": True, "no_information": "quadratic"}
_AT_HORIZON = {"needs_horizon": True, "needs_probability": True}


# -- riskml's own metrics, in the order reports list them ---------------------------------
_BINARY = (
    Metric(
        "auc",
        "binary",
        roc_auc,
        "AUC",
        interval="delong",
        intervals={"delong": _delong_interval},
        reference="Hanley & McNeil 1982",
        default=True,
        aliases=("roc_auc",),
        **_RANK,
    ),
    Metric(
        "calibration_intercept",
        "binary",
        calibration_in_the_large,
        "calibration intercept",
        direction="target",
        target=0.0,
        interval="wald",
        intervals={"wald": binary_wald("calibration_intercept")},
        reference="Van Calster et al. 2016; Steyerberg 2019",
        default=True,
        deprecated_names=("calibration_in_the_large",),
        **_CALIBRATION,
    ),
    Metric(
        "calibration_slope",
        "binary",
        calibration_slope,
        "calibration slope",
        direction="target",
        target=1.0,
        interval="wald",
        intervals={"wald": binary_wald("calibration_slope")},
        reference="Cox 1958; Steyerberg 2019",
        default=True,
        undefined_for_constant=True,
        **_CALIBRATION,
    ),
    Metric(
        "o_e",
        "binary",
        observed_expected_ratio,
        "O:E ratio",
        direction="target",
        target=1.0,
        interval="wald",
        intervals={"wald": binary_wald("o_e")},
        reference="Debray et al. 2017",
        default=True,
        deprecated_names=("observed_expected_ratio",),
        **_CALIBRATION,
    ),
    Metric(
        "ici",
        "binary",
        _ici_statistic("ici"),
        "ICI",
        direction="lower",
        reference="Austin & Steyerberg 2019",
        batch=_ici_batch,
        ranked=True,
        cost="refit",
        refit="each replicate refits the lowess smooth",
        bootstrap_bias=_ICI_BIAS,
        default=True,
        **_CALIBRATION,
    ),
    Metric(
        "brier",
        "binary",
        brier_score,
        "Brier score",
        direction="lower",
        intervals={
            "wald": binary_wald("brier"),
            "spiegelhalter": binary_wald("spiegelhalter"),
        },
        reference="Brier 1950",
        batch=_brier_batch,
        default=True,
        deprecated_names=("brier_score",),
        **_OVERALL,
    ),
    Metric(
        "ipa",
        "binary",
        scaled_brier,
        "IPA (scaled Brier)",
        reference="Kattan & Gerds 2018",
        batch=_scaled_brier_batch,
        default=True,
        deprecated_names=("scaled_brier",),
        **_OVERALL,
    ),
    Metric(
        "net_benefit",
        "binary",
        net_benefit_at,
        "net benefit",
        needs_probability=True,
        reference="Vickers & Elkin 2006",
        section="utility",
        params=_THRESHOLD,
        required_params=_THRESHOLD_REQUIRED,
    ),
    # statistics of metric_ci only: calibration quantiles, and two models' reclassification
    *(
        Metric(
            name,
            "binary",
            _ici_statistic(name),
            label,
            direction="lower",
            reference="Austin & Steyerberg 2019",
            cost="refit",
            refit="each replicate refits the lowess smooth",
            listed=False,
            **_CALIBRATION,
        )
        for name, label in (("e50", "E50"), ("e90", "E90"), ("emax", "Emax"))
    ),
    *(
        Metric(
            name,
            "binary",
            _nri_statistic(name),
            label,
            reference="Pencina et al. 2008",
            listed=False,
            n_risks=2,
            needs_probability=True,
        )
        for name, label in (
            ("nri", "NRI"),
            ("nri_events", "NRI (events)"),
            ("nri_non_events", "NRI (non-events)"),
        )
    ),
    Metric(
        "idi",
        "binary",
        _idi,
        "IDI",
        reference="Pencina et al. 2008",
        listed=False,
        n_risks=2,
        needs_probability=True,
    ),
)

_SURVIVAL = (
    Metric(
        "harrell_c",
        "survival",
        _harrell_c,
        "Harrell's C",
        interval="harrell",
        intervals={"harrell": _harrell_interval},
        reference="Harrell et al. 1982",
        default=True,
        aliases=("concordance_index",),
        **_RANK,
    ),
    Metric(
        "uno_c",
        "survival",
        _uno_c,
        "Uno's C",
        reference="Uno et al. 2011",
        params=_CENSORING_WEIGHTS,
        **_RANK,
    ),
    Metric(
        "td_auc",
        "survival",
        _td_auc,
        "time-dependent AUC",
        needs_horizon=True,
        reference="Uno et al. 2007 (cumulative/dynamic, IPCW)",
        params=_CENSORING_WEIGHTS,
        default=True,
        **_RANK,
    ),
    Metric(
        "calibration_slope",
        "survival",
        survival_calibration_slope,
        "calibration slope",
        direction="target",
        target=1.0,
        interval="wald",
        intervals={"wald": survival_wald("calibration_slope")},
        reference="Cox regression on cloglog risk, follow-up truncated at h (McLernon 2023)",
        cost="refit",
        refit="each replicate refits the Cox calibration model",
        default=True,
        undefined_for_constant=True,
        section="calibration",
        **_AT_HORIZON,
    ),
    Metric(
        "o_e",
        "survival",
        survival_observed_expected_ratio,
        "O:E ratio",
        direction="target",
        target=1.0,
        interval="wald",
        intervals={"wald": survival_wald("o_e")},
        reference="Kaplan-Meier observed over mean predicted risk (Debray 2017)",
        default=True,
        deprecated_names=("observed_expected_ratio",),
        section="calibration",
        **_AT_HORIZON,
    ),
    Metric(
        "ici",
        "survival",
        survival_ici,
        "ICI",
        direction="lower",
        reference="Austin, Harrell & van Klaveren 2020",
        cost="refit",
        refit="each replicate refits the spline Cox calibration model",
        bootstrap_bias=_ICI_BIAS,
        default=True,
        section="calibration",
        **_AT_HORIZON,
    ),
    Metric(
        "brier",
        "survival",
        brier_score_ipcw,
        "Brier score (IPCW)",
        direction="lower",
        intervals={"wald": survival_wald("brier")},
        reference="Graf et al. 1999; Gerds & Schumacher 2006",
        params=_CENSORING_WEIGHTS,
        default=True,
        deprecated_names=("brier_score_ipcw",),
        needs_horizon=True,
        **_OVERALL,
    ),
    Metric(
        "ipa",
        "survival",
        scaled_brier_ipcw,
        "IPA (scaled Brier, IPCW)",
        reference="Kattan & Gerds 2018",
        params=_CENSORING_WEIGHTS,
        default=True,
        deprecated_names=("scaled_brier_ipcw",),
        needs_horizon=True,
        **_OVERALL,
    ),
    Metric(
        "net_benefit",
        "survival",
        net_benefit_at,
        "net benefit",
        reference="Vickers et al. 2008",
        section="utility",
        params=_THRESHOLD,
        required_params=_THRESHOLD_REQUIRED,
        deprecated_names=("net_benefit_survival",),
        **_AT_HORIZON,
    ),
)

for _metric in (*_BINARY, *_SURVIVAL, *THRESHOLD_METRICS, *COMPETING_METRICS):
    _register_built_in(_metric)
del _metric


def _batch_job(metric: Metric, outcome, risk: np.ndarray, method, n_boot: int, params: dict):
    """``(statistic, arrays, n_boot)`` of :func:`metric_interval`'s vectorised bootstrap
    (a binary metric with a ``batch`` form, one row of risks, no closed-form
    interval); None where it takes another path.
    Raises the metric's own error on data it is undefined for.
    """
    method = method or metric.interval
    closed_form = metric.interval == method and method != "bootstrap"
    if closed_form or metric.outcome_kind != "binary" or metric.batch is None:
        return None
    if risk.shape[0] != 1:  # repeated predictions: the mean over repeats, one call each
        return None
    metric.function(outcome.event, risk[0], **params)  # the checks, once
    arrays = (outcome.event, risk[0])
    if metric.ranked:
        arrays += (np.unique(risk[0], return_inverse=True)[1].reshape(-1),)
    return partial(metric.batch, **params), arrays, metric.bootstrap_replicates(n_boot)


def metric_interval(
    metric: Metric,
    outcome,
    risk,
    *,
    horizon=None,
    method: str | None = None,
    n_boot: int = 2000,
    confidence: float = 0.95,
    random_state=None,
    n_jobs=None,
    stratified: bool = True,
    **params,
) -> ConfidenceInterval:
    """A registered metric with its confidence interval.

    Parameters
    ----------
    metric : Metric or str
        A registered metric, or its name for the outcome's kind.
    outcome : Outcome, structured (event, time) array or 0/1 array
    risk : ndarray of shape (n_samples,) or (repeats, n_samples)
        Predicted risk; with several rows (repeated cross-validation) the
        estimate is the mean of the metric over the rows, and every bootstrap
        replicate averages it over the rows on the same resample.
    horizon : float, optional
    method : {"delong", "wald", "bootstrap"}, optional
        Overrides the metric's default interval where it has a closed form
        (``"bootstrap"`` is always available).
    n_boot, confidence, random_state
        Of the bootstrap; binary outcomes are resampled within each class. A metric
        that refits in every evaluation (:attr:`Metric.refit`: ``ici``, and at a
        horizon ``calibration_slope``) draws at most ``EXPENSIVE_N_BOOT``
        (200) replicates; the interval's ``n_boot`` is the number drawn and its
        ``method`` says so.
    n_jobs : int or None, default=None
        Threads over chunks of bootstrap replicates (the interval does not depend on
        it).
    stratified : bool, default=True
        Binary outcomes: resample within each class (each resample keeps the
        numbers of events and non-events), or, with False, patients as they come
        (the plain bootstrap; a resample may lose a class, which makes it degenerate
        for metrics that need both). Time-to-event outcomes are always resampled
        plainly.
    **params
        Metric parameters such as ``threshold=`` for ``net_benefit``.

    Returns
    -------
    ConfidenceInterval
        ``method`` names the interval and, for a bootstrap, any cap on the
        replicates and whether the interval excludes the estimate
        (:meth:`Metric.describe_interval`).

    Notes
    -----
    A percentile bootstrap interval can exclude its own estimate: it is the middle
    of the statistic's values over resamples, and where the statistic is biased in
    resamples that middle is shifted. The ICI is the case in point: a mean of
    absolute differences between predicted and smoothed observed risk, it grows with
    the chance miscalibration of each resample, so on small or well-calibrated data
    nearly every resampled ICI can exceed the estimate (e.g. ICI 0.0057, interval
    0.0069 to 0.0439). riskml keeps the percentile interval and says so in
    ``method`` ("the estimate lies below this interval because the bootstrap values
    of the statistic are biased upward (...)"), because the usual corrections fail
    exactly there: when the lower percentile exceeds the estimate, the basic
    (reverse percentile) interval ``2 * estimate - quantiles`` has its upper bound
    below the estimate (and often a lower bound below 0, which no ICI can be), and the
    BCa bias correction ``z0 = Phi^-1(share of replicates below the estimate)``
    becomes infinite as that share goes to 0 (Efron & Tibshirani 1993, ch. 13-14;
    Davison & Hinkley 1997, sec. 5.2-5.3). Read such an interval as the spread of
    the statistic, and the estimate itself as an upward-biased measure of
    miscalibration (Austin & Steyerberg 2019).

    References
    ----------
    .. [1] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman &
       Hall; 1993. Chapters 10 (bias), 13 (percentile) and 14 (BCa).
    .. [2] Davison AC, Hinkley DV. Bootstrap Methods and their Application.
       Cambridge University Press; 1997. Sections 5.2-5.3.
    .. [3] Austin PC, Steyerberg EW. The Integrated Calibration Index (ICI) and
       related metrics for quantifying the calibration of logistic regression
       models. Stat Med 2019;38:4051-4065.

    Examples
    --------
    >>> from riskml.evaluation import metric_interval
    >>> y = [0, 0, 1, 1, 0, 1, 0, 1]
    >>> risk = [0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6]
    >>> metric_interval("auc", y, risk)
    ConfidenceInterval(0.9375, 95% CI 0.7643 to 1.0000; DeLong)
    """
    function = "metric_interval"
    outcome = check_outcome_argument(outcome, function, "outcome")
    metric = _check_metric_argument(metric, outcome, function)
    _check_n_boot(n_boot, function)
    confidence = check_confidence_level(confidence, function)
    if metric.needs_horizon:
        if horizon is None:
            raise ValueError(
                f"{function}: {metric.name!r} is evaluated at a horizon; pass horizon= in days "
                "(e.g. horizon=365)."
            )
        horizon = check_horizon_in_follow_up(horizon, outcome.time, function)
    params = check_metric_params({metric.name: params}, (metric,), function)[metric.name]
    risk = _check_risk_rows(risk, len(outcome), function)
    method = method or metric.interval
    if method not in INTERVAL_METHODS:
        raise ValueError(
            f"The 'method' parameter of {function} must be 'delong', 'wald' or 'bootstrap'; "
            f"got {method!r}. 'bootstrap' is available for every metric."
        )
    if risk.shape[0] == 1 and metric.interval == method and method in metric.intervals:
        # the metric's own closed-form (or specific) interval
        ci = metric.intervals[method](
            *metric_data(metric, outcome, risk[0], horizon),
            confidence=confidence,
            n_boot=n_boot,
            random_state=random_state,
            n_jobs=n_jobs,
        )
        return metric.describe_interval(ci, n_boot)
    repeats = risk.shape[0]
    requested = n_boot
    batch = _batch_job(metric, outcome, risk, method, n_boot, params)
    vectorized = batch is not None
    n_boot = metric.bootstrap_replicates(n_boot)
    if vectorized:
        statistic, arrays, n_boot = batch
        stratify = outcome.event if stratified else None
    elif metric.outcome_kind == "binary":
        event = outcome.event.astype(int)

        def statistic(event, *rows):
            return float(np.mean([metric.function(event, row, **params) for row in rows]))

        arrays, stratify = (event, *risk), event if stratified else None
    else:  # time-to-event and competing risks: patients resampled as they come

        def statistic(time, event, *rows):
            return float(
                np.mean([metric.function(time, event, row, horizon, **params) for row in rows])
            )

        time, event = metric_data(metric, outcome, risk[0], horizon)[:2]
        arrays, stratify = (time, event, *risk), None
    ci = bootstrap_ci(
        statistic,
        *arrays,
        n_boot=n_boot,
        confidence=confidence,
        stratify=stratify,
        random_state=random_state,
        n_jobs=n_jobs,
        vectorized=vectorized,
    )
    return metric.describe_interval(ci, requested, repeats)


def _check_metric_argument(metric, outcome, function: str) -> Metric:
    """The registered :class:`Metric` that ``metric`` names, for ``outcome``'s kind."""
    if isinstance(metric, str):
        metric = get_metric(metric, outcome.kind)
    elif not isinstance(metric, Metric):
        raise TypeError(
            f"metric of {function} must be a registered Metric or its name, e.g. "
            f"get_metric('auc', 'binary') or 'auc'; got {type(metric).__name__}."
        )
    if metric.outcome_kind != outcome.kind:
        raise ValueError(
            f"{function}: the metric {metric.name!r} is for {metric.outcome_kind} outcomes, but "
            f"the outcome is {outcome.kind}. Use get_metric({metric.name!r}, "
            f"{outcome.kind!r}) or a metric from {get_metric_names(outcome.kind)}."
        )
    return metric


def _check_risk_rows(risk, n: int, function: str) -> np.ndarray:
    """``risk`` as a float array of shape (repeats, n), refused with what was expected."""
    array = check_array_argument(risk, "risk", function, what="predicted risk")
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"risk of {function} must be numeric; got dtype {array.dtype}. Pass the "
            "predicted risk as numbers."
        )
    risk = np.atleast_2d(array.astype(float))
    if risk.ndim != 2 or risk.shape[1] != n:
        raise ValueError(
            f"risk of {function} must have shape ({n},) or (repeats, "
            f"{n}) (one risk per patient); got shape {array.shape}."
        )
    for row in risk:
        _check_score(row, "risk", function)  # NaN and infinity, named here
    return risk
