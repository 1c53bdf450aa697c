"""The metric registry: every performance metric named once.

Each metric is registered with its function, the outcome kind it applies to, whether
it needs a horizon or predicted probabilities, its direction and its default
interval. Every caller — :class:`riskml.Study`, :func:`evaluate_predictions`, the
feature-selection and tuning scorers and the optimism bootstrap — names metrics from
here, as scikit-learn's scorer registry does for its callers.

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
========================  ==========  ============  =========================================
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from ._bootstrap import (
    ConfidenceInterval,
    _check_n_boot,
    _outside_note,
    _split_outside_note,
    bootstrap_ci,
    concordance_index_ci,
    roc_auc_ci,
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
from ._discrimination import _check_score, concordance_index, roc_auc
from ._ipcw import time_dependent_auc, uno_c
from ._utility import (
    _brier_batch,
    _scaled_brier_batch,
    brier_score,
    brier_score_ipcw,
    metric_ci,
    net_benefit,
    net_benefit_survival,
    scaled_brier,
    scaled_brier_ipcw,
    survival_metric_ci,
)

__all__ = [
    "Metric",
    "check_metric_params",
    "default_metrics",
    "get_metric",
    "get_metric_names",
    "metric_interval",
]

# Metrics whose every evaluation smooths or refits (lowess, Cox; ``Metric.refit``): their
# bootstrap intervals use at most this many replicates, stated in the ``method`` column
# ("..., 200 replicates (capped from 2000: each replicate refits ...)") and in ``n_boot``.
EXPENSIVE_N_BOOT = 200


@dataclass(frozen=True)
class Metric:
    """One registered metric.

    Attributes
    ----------
    name : str
        The name every caller uses.
    outcome_kind : {"binary", "survival"}
    function : callable
        ``function(event, risk)`` for binary outcomes,
        ``function(time, event, risk, horizon)`` for time-to-event ones; returns a
        float and raises ``ValueError`` where the metric is undefined.
    label : str
        How reports name it.
    needs_horizon : bool
        Time-to-event metrics evaluated at a horizon.
    needs_probability : bool
        True where ``risk`` must be a probability (calibration, Brier, net benefit);
        False for rank metrics, which accept any score.
    direction : {"higher", "lower", "target"}
        Which values are better; ``"target"``: closer to :attr:`target`.
    target : float or None
        The ideal value of a ``"target"`` metric (1 for a slope or O:E ratio).
    interval : {"delong", "wald", "bootstrap", "harrell"}
        The default confidence interval.
    reference : str
        Where the definition comes from.
    batch : callable or None
        Binary metrics only: ``batch(event, risk)`` on 2-D arrays (one bootstrap
        resample per row) returning the metric of every row, equal to ``function``
        row by row (tested); the bootstrap uses it instead of one call per replicate.
    ranked : bool
        ``batch(event, risk, rank)`` also takes the dense rank of each risk among the
        data's values, resampled with them (the ICI orders each resample by it).
    refit : str
        What every evaluation refits, e.g. ``"each replicate refits the lowess
        smooth"``; non-empty for the metrics whose bootstrap is capped at
        ``EXPENSIVE_N_BOOT`` replicates (the words go into the ``method`` column).
    bootstrap_bias : str
        Why the bootstrap values of the metric are shifted from its estimate, for the
        ``method`` column of a percentile interval that excludes its estimate.
    """

    name: str
    outcome_kind: str
    function: Callable[..., float]
    label: str
    needs_horizon: bool = False
    needs_probability: bool = False
    direction: str = "higher"
    target: float | None = None
    interval: str = "bootstrap"
    reference: str = ""
    batch: Callable[..., np.ndarray] | None = None
    ranked: bool = False
    refit: str = ""
    bootstrap_bias: str = ""

    @property
    def expensive(self) -> bool:
        """Whether every evaluation smooths or refits (at most ``EXPENSIVE_N_BOOT``
        bootstrap replicates)."""
        return bool(self.refit)

    def bootstrap_replicates(self, n_boot: int) -> int:
        """The replicates a bootstrap interval of this metric draws when ``n_boot``
        are asked for: ``n_boot``, or at most ``EXPENSIVE_N_BOOT`` for an expensive
        metric."""
        return min(n_boot, EXPENSIVE_N_BOOT) if self.expensive else n_boot

    def describe_interval(
        self, ci: ConfidenceInterval, requested: int, repeats: int = 1
    ) -> ConfidenceInterval:
        """``ci`` with its ``method`` saying what a reader needs to read it.

        A bootstrap interval (``ci.n_boot > 0``) gets, in this order: the number of
        repeated predictions averaged, the replicates drawn when fewer than the
        ``requested`` (``"200 replicates (capped from 1000: each replicate refits the
        lowess smooth)"``), and, when the interval excludes its estimate, that fact
        with this metric's reason (:attr:`bootstrap_bias`). Closed-form intervals are
        returned unchanged.
        """
        if ci.n_boot == 0:
            return ci
        method = _split_outside_note(ci.method)
        if repeats > 1:
            method += f", mean of {repeats} repeats"
        if ci.n_boot < requested:
            why = f": {self.refit}" if self.refit else ""
            method += f", {ci.n_boot} replicates (capped from {requested}{why})"
        method += _outside_note(ci.estimate, ci.low, ci.high, self.bootstrap_bias)
        return replace(ci, method=method)


_REGISTRY: dict[tuple[str, str], Metric] = {}


def _register(metric: Metric) -> None:
    _REGISTRY[(metric.name, metric.outcome_kind)] = metric


def _net_benefit_at(event, risk, *, threshold):
    return float(net_benefit(event, risk, thresholds=[threshold])[0])


def _net_benefit_survival_at(time, event, risk, horizon, *, threshold):
    return float(net_benefit_survival(time, event, risk, horizon, thresholds=[threshold])[0])


def _td_auc(time, event, risk, horizon, **params):
    # params: censoring_weights (docs/conventions.md)
    return float(np.ravel(time_dependent_auc(time, event, risk, [horizon], **params))[0])


def _uno_c(time, event, risk, horizon, **params):
    return uno_c(time, event, risk, tau=horizon, **params)


_ICI_BIAS = (
    "the ICI averages absolute differences between predicted and smoothed observed "
    "risk, so the chance miscalibration of each resample adds to it"
)


for _metric in (
    Metric("auc", "binary", roc_auc, "AUC", interval="delong", reference="Hanley & McNeil 1982"),
    Metric(
        "calibration_intercept",
        "binary",
        calibration_in_the_large,
        "calibration intercept",
        needs_probability=True,
        direction="target",
        target=0.0,
        interval="wald",
        reference="Van Calster et al. 2016; Steyerberg 2019",
    ),
    Metric(
        "calibration_slope",
        "binary",
        calibration_slope,
        "calibration slope",
        needs_probability=True,
        direction="target",
        target=1.0,
        interval="wald",
        reference="Cox 1958; Steyerberg 2019",
    ),
    Metric(
        "o_e",
        "binary",
        observed_expected_ratio,
        "O:E ratio",
        needs_probability=True,
        direction="target",
        target=1.0,
        interval="wald",
        reference="Debray et al. 2017",
    ),
    Metric(
        "ici",
        "binary",
        lambda event, risk: ici(event, risk).ici,
        "ICI",
        needs_probability=True,
        direction="lower",
        reference="Austin & Steyerberg 2019",
        batch=_ici_batch,
        ranked=True,
        refit="each replicate refits the lowess smooth",
        bootstrap_bias=_ICI_BIAS,
    ),
    Metric(
        "brier",
        "binary",
        brier_score,
        "Brier score",
        needs_probability=True,
        direction="lower",
        reference="Brier 1950",
        batch=_brier_batch,
    ),
    Metric(
        "ipa",
        "binary",
        scaled_brier,
        "IPA (scaled Brier)",
        needs_probability=True,
        reference="Kattan & Gerds 2018",
        batch=_scaled_brier_batch,
    ),
    Metric(
        "net_benefit",
        "binary",
        _net_benefit_at,
        "net benefit",
        needs_probability=True,
        reference="Vickers & Elkin 2006",
    ),
    Metric(
        "harrell_c",
        "survival",
        lambda time, event, risk, horizon: concordance_index(time, event, risk),
        "Harrell's C",
        interval="harrell",
        reference="Harrell et al. 1982",
    ),
    Metric(
        "uno_c",
        "survival",
        _uno_c,
        "Uno's C",
        reference="Uno et al. 2011",
    ),
    Metric(
        "td_auc",
        "survival",
        _td_auc,
        "time-dependent AUC",
        needs_horizon=True,
        reference="Uno et al. 2007 (cumulative/dynamic, IPCW)",
    ),
    Metric(
        "calibration_slope",
        "survival",
        survival_calibration_slope,
        "calibration slope",
        needs_horizon=True,
        needs_probability=True,
        direction="target",
        target=1.0,
        interval="wald",
        reference="Cox regression on cloglog risk, follow-up truncated at h (McLernon 2023)",
        refit="each replicate refits the Cox calibration model",
    ),
    Metric(
        "o_e",
        "survival",
        survival_observed_expected_ratio,
        "O:E ratio",
        needs_horizon=True,
        needs_probability=True,
        direction="target",
        target=1.0,
        interval="wald",
        reference="Kaplan-Meier observed over mean predicted risk (Debray 2017)",
    ),
    Metric(
        "ici",
        "survival",
        survival_ici,
        "ICI",
        needs_horizon=True,
        needs_probability=True,
        direction="lower",
        reference="Austin, Harrell & van Klaveren 2020",
        refit="each replicate refits the spline Cox calibration model",
        bootstrap_bias=_ICI_BIAS,
    ),
    Metric(
        "brier",
        "survival",
        brier_score_ipcw,
        "Brier score (IPCW)",
        needs_horizon=True,
        needs_probability=True,
        direction="lower",
        reference="Graf et al. 1999; Gerds & Schumacher 2006",
    ),
    Metric(
        "ipa",
        "survival",
        scaled_brier_ipcw,
        "IPA (scaled Brier, IPCW)",
        needs_horizon=True,
        needs_probability=True,
        reference="Kattan & Gerds 2018",
    ),
    Metric(
        "net_benefit",
        "survival",
        _net_benefit_survival_at,
        "net benefit",
        needs_horizon=True,
        needs_probability=True,
        reference="Vickers et al. 2008",
    ),
):
    _register(_metric)
del _metric

_DEFAULTS = {
    "binary": (
        "auc",
        "calibration_intercept",
        "calibration_slope",
        "o_e",
        "ici",
        "brier",
        "ipa",
    ),
    "survival": ("harrell_c",),
    "survival_at_horizon": (
        "harrell_c",
        "td_auc",
        "calibration_slope",
        "o_e",
        "ici",
        "brier",
        "ipa",
    ),
}


def get_metric_names(outcome_kind: str | None = None) -> list[str]:
    """The registered metric names, for one outcome kind or for both.

    Parameters
    ----------
    outcome_kind : {"binary", "survival"} or None, default=None

    Returns
    -------
    list of str
        Sorted names.

    Examples
    --------
    >>> from riskml.evaluation import get_metric_names
    >>> get_metric_names("binary")[:3]
    ['auc', 'brier', 'calibration_intercept']
    """
    if outcome_kind not in (None, "binary", "survival"):
        raise ValueError(
            f"outcome_kind must be 'binary', 'survival' or None; got {outcome_kind!r}."
        )
    return sorted(
        {name for name, kind in _REGISTRY if outcome_kind is None or kind == outcome_kind}
    )


def get_metric(name: str, outcome_kind: str) -> Metric:
    """The registered :class:`Metric` called ``name`` for ``outcome_kind``.

    Raises
    ------
    ValueError
        For an unknown name, or a name that exists for the other outcome kind
        only; the message lists the valid names.
    """
    metric = _REGISTRY.get((name, outcome_kind))
    if metric is not None:
        return metric
    valid = get_metric_names(outcome_kind)
    other = [kind for (n, kind) in _REGISTRY if n == name]
    if other:
        raise ValueError(
            f"metric {name!r} applies to {other[0]} outcomes, not {outcome_kind} ones; "
            f"metrics for {outcome_kind} outcomes: {valid}."
        )
    import difflib

    close = difflib.get_close_matches(str(name), get_metric_names(), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f"unknown metric {name!r}.{hint} Metrics for {outcome_kind} outcomes: {valid}."
    )


def default_metrics(outcome_kind: str, horizon=None) -> tuple[str, ...]:
    """The metrics a study reports by default.

    Binary outcomes: discrimination (``auc``), calibration (``calibration_intercept``,
    ``calibration_slope``, ``o_e``, ``ici``) and overall performance (``brier``,
    ``ipa``). Time-to-event outcomes with a horizon: ``harrell_c``, ``td_auc`` and
    the same calibration and overall metrics at the horizon; without a horizon the
    models predict relative risk only, so ``harrell_c``.
    """
    if outcome_kind == "binary":
        names = _DEFAULTS["binary"]
    elif horizon is None:
        names = _DEFAULTS["survival"]
    else:
        names = _DEFAULTS["survival_at_horizon"]
    return tuple(name for name in names if (name, outcome_kind) in _REGISTRY)


def check_metrics(metrics, outcome_kind: str, horizon, function: str) -> tuple[Metric, ...]:
    """Resolve metric names (None: the defaults) for an outcome kind and horizon.

    Parameters
    ----------
    metrics : str, sequence of str or None
        Registered names (:func:`get_metric_names`); None gives
        :func:`default_metrics`.
    outcome_kind : {"binary", "survival"}
    horizon : float or None
        Days; metrics at a horizon need one.
    function : str
        The caller, named in error messages.

    Returns
    -------
    tuple of Metric

    Raises
    ------
    ValueError
        For an empty list, a name given twice, an unknown name, a metric of the
        other outcome kind, or a metric at a horizon without one; the message
        lists the valid names.
    """
    if metrics is None:
        metrics = default_metrics(outcome_kind, horizon)
    elif isinstance(metrics, str):
        metrics = (metrics,)
    elif isinstance(metrics, Metric):
        metrics = (metrics.name,)
    if isinstance(metrics, dict) or not isinstance(metrics, Iterable):
        raise TypeError(
            f"metrics of {function} must be a metric name or a list of names, e.g. "
            f"metrics=['auc', 'brier']; got {type(metrics).__name__}. Names for "
            f"{outcome_kind} outcomes: {get_metric_names(outcome_kind)}."
        )
    metrics = tuple(m.name if isinstance(m, Metric) else m for m in metrics)
    not_text = [m for m in metrics if not isinstance(m, str)]
    if not_text:
        raise TypeError(
            f"metrics of {function} must be metric names (text); got {not_text[0]!r} "
            f"({type(not_text[0]).__name__}). Names for {outcome_kind} outcomes: "
            f"{get_metric_names(outcome_kind)}."
        )
    if not metrics:
        raise ValueError(
            f"metrics of {function} must name at least one of {get_metric_names(outcome_kind)}."
        )
    if len(set(metrics)) != len(metrics):
        raise ValueError(f"metrics of {function} lists a metric twice: {list(metrics)}.")
    resolved = tuple(get_metric(name, outcome_kind) for name in metrics)
    if horizon is None and outcome_kind == "survival":
        need = [m.name for m in resolved if m.needs_horizon]
        if need:
            raise ValueError(
                f"{function}: {need} are evaluated at a horizon, but no horizon is set. "
                "Pass the horizon in days (e.g. horizon=365), or choose metrics without "
                "one ('harrell_c', 'uno_c')."
            )
    return resolved


# The parameters each parametrised metric takes, and their check.
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


def _check_censoring_weights(value, function: str) -> str:
    # the metric itself checks the value against the conventions it knows
    if not isinstance(value, str):
        raise TypeError(
            f"the 'censoring_weights' of {function} must be text ('before', 'at' or "
            f"'riskRegression'; docs/conventions.md); got {type(value).__name__}."
        )
    return value


# {(metric name, outcome kind): {parameter: check}}
_METRIC_PARAMS = {
    ("net_benefit", "binary"): {"threshold": _check_threshold},
    ("net_benefit", "survival"): {"threshold": _check_threshold},
    **{
        (name, "survival"): {"censoring_weights": _check_censoring_weights}
        for name in ("brier", "ipa", "td_auc", "uno_c")
    },
}


def check_metric_params(metric_params, resolved, function: str) -> dict:
    """``{metric name: {parameter: value}}`` checked against the metrics chosen.

    Refuses a non-mapping, a metric not chosen, a parameter the metric does not take,
    a bad value, and a missing required one (``net_benefit``'s ``threshold``).
    """
    if metric_params is None:
        metric_params = {}
    if not isinstance(metric_params, Mapping):
        raise TypeError(
            f"metric_params of {function} must be a dict {{metric name: {{parameter: value}}}}, "
            f"e.g. metric_params={{'net_benefit': {{'threshold': 0.1}}}}; got "
            f"{type(metric_params).__name__}."
        )
    names = [m.name for m in resolved]
    kinds = {m.name: m.outcome_kind for m in resolved}
    unknown = set(metric_params) - set(names)
    if unknown:
        raise ValueError(
            f"metric_params of {function} names {sorted(map(str, unknown))}, which are not "
            f"among the metrics {names}."
        )
    checked = {}
    for name, params in metric_params.items():
        if not isinstance(params, Mapping):
            raise TypeError(
                f"metric_params[{name!r}] of {function} must be a dict of that metric's "
                f"parameters, e.g. {{'threshold': 0.1}}; got {type(params).__name__} "
                f"{params!r}."
            )
        accepted = _METRIC_PARAMS.get((name, kinds[name]), {})
        extra = set(params) - set(accepted)
        if extra:
            raise ValueError(
                f"metric_params[{name!r}] of {function} names {sorted(map(str, extra))}, which "
                f"{name} does not take; it takes {sorted(accepted) or 'no parameters'}."
            )
        checked[name] = {key: accepted[key](value, function) for key, value in params.items()}
    if "net_benefit" in names and "threshold" not in checked.get("net_benefit", {}):
        raise ValueError(
            f"{function}: 'net_benefit' is evaluated at a risk threshold; pass "
            "metric_params={'net_benefit': {'threshold': 0.1}} (the risk above which a "
            "patient would be treated)."
        )
    return checked


def metric_value(metric: Metric, outcome, risk, horizon=None, **params) -> float:
    """The value of a registered metric for one vector of predicted risk."""
    risk = np.asarray(risk, dtype=float)
    if metric.outcome_kind == "binary":
        return float(metric.function(outcome.event.astype(int), risk, **params))
    return float(metric.function(outcome.time, outcome.event, risk, horizon, **params))


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
    """
    function = "metric_interval"
    outcome = check_outcome_argument(outcome, function, "outcome")
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
    array = check_array_argument(risk, "risk", function, what="predicted risk")
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"risk of {function} must be numeric; got dtype {array.dtype}. Pass the "
            "predicted risk as numbers."
        )
    risk = np.atleast_2d(array.astype(float))
    if risk.ndim != 2 or risk.shape[1] != len(outcome):
        raise ValueError(
            f"risk of {function} must have shape ({len(outcome)},) or (repeats, "
            f"{len(outcome)}) (one risk per patient); got shape {array.shape}."
        )
    for row in risk:
        _check_score(row, "risk", function)  # NaN and infinity, named here
    method = method or metric.interval
    if method not in ("delong", "wald", "bootstrap", "harrell"):
        raise ValueError(
            f"The 'method' parameter of {function} must be 'delong', 'wald' or 'bootstrap'; "
            f"got {method!r}. 'bootstrap' is available for every metric."
        )
    if risk.shape[0] == 1 and metric.interval == method:
        if method == "delong":
            return roc_auc_ci(outcome.event, risk[0], method="delong", confidence=confidence)
        if method == "wald":
            wald_name = metric.name
            if metric.outcome_kind == "survival":
                return survival_metric_ci(
                    wald_name,
                    outcome.time,
                    outcome.event,
                    risk[0],
                    horizon,
                    method="wald",
                    confidence=confidence,
                )
            return metric_ci(
                wald_name, outcome.event.astype(int), risk[0], method="wald", confidence=confidence
            )
        if method == "harrell":
            ci = concordance_index_ci(
                outcome.time,
                outcome.event,
                risk[0],
                n_boot=n_boot,
                confidence=confidence,
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
    else:

        def statistic(time, event, *rows):
            return float(
                np.mean([metric.function(time, event, row, horizon, **params) for row in rows])
            )

        arrays, stratify = (outcome.time, outcome.event, *risk), None
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
