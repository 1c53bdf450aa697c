"""The metric registry: every property of a metric in its one entry.

A :class:`Metric` holds everything any caller needs to know about a metric: the
outcome kind it applies to, whether it needs a horizon or probabilities, which values
are better, its confidence intervals, what a bootstrap of it costs, its
no-information value, the parameters it takes, how reports name, group and format
it, and whether a study reports it by default. :func:`evaluate_predictions`, the
interval functions, internal validation, subgroups, :class:`riskml.Study` and the
report read the entry; none keeps a table of its own keyed by a metric's name, as
scikit-learn's scorer registry (``sklearn/metrics/_scorer.py``) serves
``cross_validate`` and ``GridSearchCV``. :func:`register_metric` adds a user's own.
"""

from __future__ import annotations

import contextlib
import difflib
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from ._bootstrap import ConfidenceInterval, _outside_note, _split_outside_note

__all__ = [
    "EXPENSIVE_N_BOOT",
    "INTERVAL_METHODS",
    "Metric",
    "check_metric_params",
    "check_metrics",
    "default_metrics",
    "find_metric",
    "get_metric",
    "get_metric_names",
    "metric_value",
    "register_metric",
    "registered_metric",
    "registered_metrics",
    "unregister_metric",
]

# Metrics whose every evaluation smooths or refits (``Metric.cost == "refit"``): their
# bootstrap intervals use at most this many replicates, stated in the ``method`` column
# ("..., 200 replicates (capped from 2000: each replicate refits ...)") and in ``n_boot``.
EXPENSIVE_N_BOOT = 200

#: The confidence intervals a metric can name as its default (``Metric.interval``).
INTERVAL_METHODS = ("delong", "wald", "bootstrap", "harrell")
#: The groups of the report's tables (``Metric.section``).
SECTIONS = ("discrimination", "calibration", "overall", "utility")
OUTCOME_KINDS = ("binary", "survival", "competing")


@dataclass(frozen=True)
class Metric:
    """One registered metric: everything a caller needs to know about it.

    Attributes
    ----------
    name : str
        The name every caller uses.
    outcome_kind : {"binary", "survival", "competing"}
    function : callable
        ``function(event, risk, **params)`` for binary outcomes,
        ``function(time, event, risk, horizon, **params)`` for time-to-event ones,
        ``function(time, event_type, risk, horizon, **params)`` for competing risks
        (event type 0 censored, 1 the event of interest, 2.. competing); returns a
        float and raises ``ValueError`` where the metric is undefined.
    label : str
        How reports name it.
    needs_horizon : bool
        Time-to-event metrics evaluated at a horizon (reports add "at h days").
    needs_probability : bool
        True where ``risk`` must be a probability (calibration, Brier, net benefit);
        False for rank metrics, which accept any score.
    direction : {"higher", "lower", "target"}
        Which values are better; ``"target"``: closer to :attr:`target`.
    target : float or None
        The ideal value of a ``"target"`` metric (1 for a slope or O:E ratio).
    interval : {"delong", "wald", "bootstrap", "harrell"}
        The default confidence interval; other than ``"bootstrap"`` it names one of
        :attr:`intervals`.
    intervals : dict
        Closed-form (or metric-specific) intervals, ``{method: interval}``, each called
        as ``interval(*data, confidence=, n_boot=, random_state=, n_jobs=)`` with the
        data of :attr:`function` and returning a
        :class:`~riskml.evaluation.ConfidenceInterval`. The bootstrap needs no entry.
    reference : str
        Where the definition comes from.
    batch : callable or None
        Binary metrics only: ``batch(event, risk)`` on 2-D arrays (one bootstrap
        resample per row) returning the metric of every row, equal to ``function``
        row by row (tested); the bootstrap uses it instead of one call per replicate.
    ranked : bool
        ``batch(event, risk, rank)`` also takes the dense rank of each risk among the
        data's values, resampled with them (the ICI orders each resample by it).
    cost : {"cheap", "refit"}
        ``"refit"``: every evaluation smooths or refits a model, so a bootstrap
        interval draws at most ``EXPENSIVE_N_BOOT`` replicates.
    refit : str
        What every evaluation of a ``"refit"`` metric refits, e.g. ``"each replicate
        refits the lowess smooth"`` (the words go into the ``method`` column).
    bootstrap_bias : str
        Why the bootstrap values of the metric are shifted from its estimate, for the
        ``method`` column of a percentile interval that excludes its estimate.
    section : {"discrimination", "calibration", "overall", "utility"} or None
        The report table the metric joins besides the performance table.
    decimals : int
        Decimals shown in reports.
    percent : bool
        Reports show ``100 * value`` with a ``%`` sign.
    no_information : float, "quadratic" or None
        The value expected when outcomes and predictions are paired at random (the
        .632+ bootstrap's gamma): a number (1/2 for a C-statistic), ``"quadratic"``
        for a metric whose value at a constant prediction is a quadratic in it (read
        off three constants), None where it has none.
    params : dict
        ``{parameter: check}`` of the parameters it takes; ``check(value,
        function)`` returns the checked value or raises.
    required_params : dict
        ``{parameter: what to tell a user who left it out}``.
    check_params : callable or None
        ``check_params(params, function)`` checks the parameters together, after each
        one's own check, and raises where they do not go together (``partial_auc``
        takes exactly one of ``specificity`` and ``sensitivity``).
    default : bool
        A study reports it when no metrics are named (:func:`default_metrics`).
    listed : bool
        False for statistics that the interval functions (:func:`metric_ci`) know
        but studies do not report (E50, NRI, ...): :func:`get_metric_names` and
        :func:`get_metric` leave them out.
    n_risks : int
        Arrays of predicted risk the function takes (2 for NRI and IDI).
    aliases : tuple of str
        Other names a table may give it (a function's name in
        :func:`paired_bootstrap`'s table), for reports.
    deprecated_names : tuple of str
        Old names the interval functions accept with a ``FutureWarning``.
    undefined_for_constant : bool
        A constant risk leaves it undefined ("not computed").

    Examples
    --------
    >>> from riskml.evaluation import get_metric
    >>> metric = get_metric("auc", "binary")
    >>> metric.name, metric.label, metric.interval, metric.section
    ('auc', 'AUC', 'delong', 'discrimination')
    >>> metric.function([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
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
    intervals: Mapping[str, Callable[..., ConfidenceInterval]] = field(
        default_factory=dict, hash=False
    )
    reference: str = ""
    batch: Callable[..., np.ndarray] | None = None
    ranked: bool = False
    cost: str = "cheap"
    refit: str = ""
    bootstrap_bias: str = ""
    section: str | None = None
    decimals: int = 3
    percent: bool = False
    no_information: float | str | None = None
    params: Mapping[str, Callable] = field(default_factory=dict, hash=False)
    required_params: Mapping[str, str] = field(default_factory=dict, hash=False)
    check_params: Callable[[Mapping, str], None] | None = None
    default: bool = False
    listed: bool = True
    n_risks: int = 1
    aliases: tuple[str, ...] = ()
    deprecated_names: tuple[str, ...] = ()
    undefined_for_constant: bool = False

    @property
    def expensive(self) -> bool:
        """Whether every evaluation smooths or refits (at most ``EXPENSIVE_N_BOOT``
        bootstrap replicates)."""
        return self.cost == "refit"

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
_BUILT_IN: set[tuple[str, str]] = set()


def _register_built_in(metric: Metric) -> None:
    _REGISTRY[(metric.name, metric.outcome_kind)] = metric
    _BUILT_IN.add((metric.name, metric.outcome_kind))


def registered_metrics(
    outcome_kind: str, *, section: str | None = None, include_unlisted: bool = False
) -> list[Metric]:
    """The metrics of ``outcome_kind`` in the order they were registered: the listed
    ones (or all), optionally those of one report ``section``.

    Examples
    --------
    >>> from riskml.evaluation import registered_metrics
    >>> [metric.name for metric in registered_metrics("binary", section="calibration")]
    ['calibration_intercept', 'calibration_slope', 'o_e', 'ici']
    """
    return [
        m
        for (_, kind), m in _REGISTRY.items()
        if kind == outcome_kind
        and (m.listed or include_unlisted)
        and (section is None or m.section == section)
    ]


def get_metric_names(outcome_kind: str | None = None) -> list[str]:
    """The registered metric names, for one outcome kind or for all.

    Parameters
    ----------
    outcome_kind : {"binary", "survival", "competing"} or None, default=None

    Returns
    -------
    list of str
        Sorted names.

    Examples
    --------
    >>> from riskml.evaluation import get_metric_names
    >>> names = get_metric_names("binary")
    >>> names == sorted(names), "auc" in names, "calibration_slope" in names
    (True, True, True)
    """
    if outcome_kind not in (None, *OUTCOME_KINDS):
        raise ValueError(
            f"outcome_kind must be 'binary', 'survival', 'competing' or None; got {outcome_kind!r}."
        )
    return sorted(
        {
            name
            for (name, kind), metric in _REGISTRY.items()
            if metric.listed and (outcome_kind is None or kind == outcome_kind)
        }
    )


def get_metric(name: str, outcome_kind: str) -> Metric:
    """The registered :class:`Metric` called ``name`` for ``outcome_kind``.

    Raises
    ------
    ValueError
        For an unknown name, or a name that exists for the other outcome kind
        only; the message lists the valid names.

    Examples
    --------
    >>> from riskml.evaluation import get_metric
    >>> metric = get_metric("auc", "binary")
    >>> metric.label, metric.direction, metric.interval
    ('AUC', 'higher', 'delong')
    """
    metric = _REGISTRY.get((name, outcome_kind))
    if metric is not None and metric.listed:
        return metric
    valid = get_metric_names(outcome_kind)
    other = [kind for (n, kind), m in _REGISTRY.items() if n == name and m.listed]
    if other:
        raise ValueError(
            f"metric {name!r} applies to {other[0]} outcomes, not {outcome_kind} ones; "
            f"metrics for {outcome_kind} outcomes: {valid}."
        )
    close = difflib.get_close_matches(str(name), get_metric_names(), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f"unknown metric {name!r}.{hint} Metrics for {outcome_kind} outcomes: {valid}."
    )


def find_metric(name, outcome_kind: str | None = None, *, listed_only: bool = True):
    """The :class:`Metric` a table's ``metric`` value names, or None.

    ``name`` may be a metric's name or one of its :attr:`~Metric.aliases`; the entry
    of ``outcome_kind`` is preferred, then that of the other kind (a report naming
    ``harrell_c`` for a binary outcome still gets its label).

    Examples
    --------
    >>> from riskml.evaluation import find_metric
    >>> find_metric("roc_auc").name  # an alias of the AUC
    'auc'
    """
    matches = [
        m
        for m in _REGISTRY.values()
        if (m.listed or not listed_only) and (name == m.name or name in m.aliases)
    ]
    matches.sort(key=lambda m: (m.outcome_kind != outcome_kind, name != m.name))
    return matches[0] if matches else None


def default_metrics(outcome_kind: str, horizon=None) -> tuple[str, ...]:
    """The metrics a study reports by default (:attr:`Metric.default`).

    Binary outcomes: discrimination (``auc``), calibration (``calibration_intercept``,
    ``calibration_slope``, ``o_e``, ``ici``) and overall performance (``brier``,
    ``ipa``). Time-to-event outcomes with a horizon: ``harrell_c``, ``td_auc`` and
    the same calibration and overall metrics at the horizon; without a horizon the
    models predict relative risk only, so ``harrell_c``. Competing risks (at a
    horizon): ``td_auc``, ``o_e``, ``ece``, ``brier`` and ``ipa`` of the cumulative
    incidence of the event of interest (``wolbers_c`` on request).

    Examples
    --------
    >>> from riskml.evaluation import default_metrics
    >>> default_metrics("binary")
    ('auc', 'calibration_intercept', 'calibration_slope', 'o_e', 'ici', 'brier', 'ipa')
    >>> default_metrics("survival", horizon=365)
    ('harrell_c', 'td_auc', 'calibration_slope', 'o_e', 'ici', 'brier', 'ipa')
    >>> default_metrics("competing", horizon=30)
    ('td_auc', 'o_e', 'ece', 'brier', 'ipa')
    """
    return tuple(
        m.name
        for m in registered_metrics(outcome_kind)
        if m.default and not (horizon is None and m.needs_horizon)
    )


def _refuse(condition: bool, message: str, error=ValueError) -> None:
    if condition:
        raise error(f"register_metric: {message}")


def _check_entry(metric: Metric) -> None:
    """The fields of a user's metric, each refused with what was expected."""
    _refuse(
        not isinstance(metric.name, str) or not metric.name.isidentifier(),
        "the 'name' must be text usable as a column value and a keyword, e.g. "
        f"'sensitivity_20'; got {metric.name!r}.",
    )
    _refuse(
        metric.outcome_kind not in OUTCOME_KINDS,
        "the 'outcome_kind' must be 'binary' or 'survival' (or 'competing' for competing "
        f"risks); got {metric.outcome_kind!r}.",
    )
    _refuse(
        not callable(metric.function),
        "the 'function' must be callable: function(event, risk) for binary outcomes, "
        "function(time, event, risk, horizon) for time-to-event ones, "
        "function(time, event_type, risk, horizon) for competing risks; got "
        f"{type(metric.function).__name__}.",
        TypeError,
    )
    _refuse(
        metric.direction not in ("higher", "lower", "target"),
        f"the 'direction' must be 'higher', 'lower' or 'target'; got {metric.direction!r}.",
    )
    _refuse(
        metric.direction == "target" and not isinstance(metric.target, numbers.Real),
        "a metric with direction='target' needs target= (its ideal value, e.g. 1.0).",
    )
    _refuse(
        metric.interval != "bootstrap" and metric.interval not in metric.intervals,
        f"the default interval {metric.interval!r} is not among its intervals "
        f"{sorted(metric.intervals)}; use interval='bootstrap' or pass intervals=.",
    )
    _refuse(
        metric.section not in (None, *SECTIONS),
        f"the 'section' must be one of {list(SECTIONS)} or None; got {metric.section!r}.",
    )
    _refuse(
        metric.cost not in ("cheap", "refit"),
        f"the 'cost' must be 'cheap' or 'refit'; got {metric.cost!r}.",
    )
    _refuse(
        isinstance(metric.decimals, bool)
        or not isinstance(metric.decimals, numbers.Integral)
        or not 0 <= metric.decimals <= 10,
        f"the 'decimals' must be a whole number from 0 to 10; got {metric.decimals!r}.",
    )
    _refuse(
        metric.outcome_kind == "binary" and metric.needs_horizon,
        "a binary metric has no horizon; needs_horizon=True is for 'survival' and "
        "'competing' metrics.",
    )


def register_metric(
    name: str,
    outcome_kind: str,
    function: Callable[..., float],
    *,
    label: str | None = None,
    replace_existing: bool = False,
    **properties,
) -> Metric:
    """Register a metric of one's own, so that every part of riskml reports it.

    After registration the name works wherever a built-in metric name does:
    ``metrics=`` of :func:`evaluate_predictions`, :func:`internal_validation` and
    :class:`riskml.Study` (its summary, internal validation and subgroups), and the
    HTML report, which names it by ``label`` and formats it as the entry says.

    Parameters
    ----------
    name : str
        The name callers use, e.g. ``"sensitivity_20"``.
    outcome_kind : {"binary", "survival", "competing"}
    function : callable
        ``function(event, risk)`` for a binary outcome, ``function(time, event,
        risk, horizon)`` for a time-to-event one, ``function(time, event_type, risk,
        horizon)`` for competing risks; returns a float and raises
        ``ValueError`` where the metric is undefined (such a bootstrap replicate is
        counted as degenerate).
    label : str, optional
        How reports name it; default ``name``.
    replace_existing : bool, default=False
        Replace a metric registered under the same name and kind (a built-in one
        cannot be replaced).
    **properties
        Any other field of :class:`Metric`: ``needs_horizon``, ``needs_probability``,
        ``direction``, ``target``, ``interval``, ``intervals``, ``section``,
        ``decimals``, ``percent``, ``cost``, ``refit``, ``no_information``,
        ``params``, ``required_params``, ``default``, ``reference``, ...

    Returns
    -------
    Metric
        The entry registered.

    See Also
    --------
    unregister_metric, registered_metric : remove it (the context manager does so on
        leaving its block).

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import evaluate_predictions, register_metric, unregister_metric
    >>> def sensitivity_20(event, risk):
    ...     event, risk = np.asarray(event, bool), np.asarray(risk, float)
    ...     if not event.any():
    ...         raise ValueError("no events: sensitivity is undefined")
    ...     return float(np.mean(risk[event] >= 0.2))
    >>> metric = register_metric("sensitivity_20", "binary", sensitivity_20,
    ...                          label="sensitivity at 20% risk", needs_probability=True,
    ...                          percent=True, decimals=1)
    >>> y = [0, 0, 1, 1, 0, 1, 0, 1]
    >>> risk = [0.1, 0.4, 0.35, 0.8, 0.2, 0.1, 0.3, 0.6]
    >>> table = evaluate_predictions(y, {"a": risk}, metrics=["auc", "sensitivity_20"],
    ...                              n_boot=200, random_state=0)
    >>> row = table.summary.iloc[1]
    >>> row["metric"], float(row["estimate"])
    ('sensitivity_20', 0.75)
    >>> unregister_metric("sensitivity_20", "binary")
    """
    if not isinstance(replace_existing, bool):
        raise TypeError(
            f"register_metric: replace_existing must be True or False; got {replace_existing!r}."
        )
    unknown = set(properties) - set(Metric.__dataclass_fields__)
    _refuse(
        bool(unknown),
        f"{sorted(unknown)} are not properties of a Metric; it takes "
        f"{sorted(set(Metric.__dataclass_fields__) - {'name', 'outcome_kind', 'function'})}.",
        TypeError,
    )
    metric = Metric(
        name=name,
        outcome_kind=outcome_kind,
        function=function,
        label=name if label is None else str(label),
        **properties,
    )
    _check_entry(metric)
    key = (name, outcome_kind)
    _refuse(
        key in _BUILT_IN,
        f"{name!r} is riskml's own {outcome_kind} metric and cannot be replaced; choose "
        "another name.",
    )
    _refuse(
        key in _REGISTRY and not replace_existing,
        f"a {outcome_kind} metric {name!r} is registered already; pass "
        "replace_existing=True to replace it, or unregister_metric() it first.",
    )
    _REGISTRY[key] = metric
    return metric


def unregister_metric(name: str, outcome_kind: str) -> None:
    """Remove a metric added by :func:`register_metric` (riskml's own stay).

    Examples
    --------
    >>> from riskml.evaluation import register_metric, unregister_metric, get_metric_names
    >>> def mean_risk(event, risk):
    ...     return float(sum(risk) / len(risk))
    >>> register_metric("mean_risk", "binary", mean_risk, label="Mean risk")  # doctest: +ELLIPSIS
    Metric(...)
    >>> unregister_metric("mean_risk", "binary")
    >>> "mean_risk" in get_metric_names("binary")
    False
    """
    key = (name, outcome_kind)
    if key in _BUILT_IN:
        raise ValueError(
            f"unregister_metric: {name!r} is riskml's own {outcome_kind} metric; only "
            "metrics added by register_metric can be removed."
        )
    if key not in _REGISTRY:
        raise ValueError(
            f"unregister_metric: no {outcome_kind} metric {name!r} was registered; "
            f"registered: {get_metric_names(outcome_kind)}."
        )
    del _REGISTRY[key]


@contextlib.contextmanager
def registered_metric(name: str, outcome_kind: str, function, **properties):
    """:func:`register_metric` for the length of a ``with`` block (tests, notebooks).

    Examples
    --------
    >>> from riskml.evaluation import get_metric_names, registered_metric
    >>> with registered_metric("mean_risk", "binary", lambda event, risk: float(risk.mean())):
    ...     "mean_risk" in get_metric_names("binary")
    True
    >>> "mean_risk" in get_metric_names("binary")
    False
    """
    metric = register_metric(name, outcome_kind, function, **properties)
    try:
        yield metric
    finally:
        unregister_metric(name, outcome_kind)


def check_metrics(metrics, outcome_kind: str, horizon, function: str) -> tuple[Metric, ...]:
    """Resolve metric names (None: the defaults) for an outcome kind and horizon.

    Parameters
    ----------
    metrics : str, sequence of str or None
        Registered names (:func:`get_metric_names`); None gives
        :func:`default_metrics`.
    outcome_kind : {"binary", "survival", "competing"}
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

    Examples
    --------
    >>> from riskml.evaluation import check_metrics
    >>> [metric.name for metric in check_metrics(["auc", "brier"], "binary", None, "my_function")]
    ['auc', 'brier']
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
    if horizon is None and outcome_kind in ("survival", "competing"):
        need = [m.name for m in resolved if m.needs_horizon]
        if need:
            without = (
                "; every competing-risk metric is evaluated at a horizon."
                if outcome_kind == "competing"
                else ", or choose metrics without one ('harrell_c', 'uno_c')."
            )
            raise ValueError(
                f"{function}: {need} are evaluated at a horizon, but no horizon is set. "
                f"Pass the horizon in days (e.g. horizon=365){without}"
            )
    return resolved


def check_metric_params(metric_params, resolved, function: str, *, require: bool = True) -> dict:
    """``{metric name: {parameter: value}}`` checked against the metrics chosen.

    Refuses a non-mapping, a metric not chosen, a parameter the metric does not take
    (:attr:`Metric.params`), a bad value, and (unless ``require=False``, for parameters
    that others will complete) a missing required one (:attr:`Metric.required_params`,
    e.g. ``net_benefit``'s ``threshold``) or parameters that do not go together
    (:attr:`Metric.check_params`).

    Examples
    --------
    >>> from riskml.evaluation import check_metric_params, check_metrics
    >>> chosen = check_metrics(["auc", "net_benefit"], "binary", None, "my_function")
    >>> check_metric_params({"net_benefit": {"threshold": 0.1}}, chosen, "my_function")
    {'net_benefit': {'threshold': 0.1}}
    >>> check_metric_params({"net_benefit": {}}, chosen, "my_function")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: my_function: 'net_benefit' is evaluated at a risk threshold; ...
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
    by_name = {m.name: m for m in resolved}
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
        accepted = by_name[name].params
        extra = set(params) - set(accepted)
        if extra:
            raise ValueError(
                f"metric_params[{name!r}] of {function} names {sorted(map(str, extra))}, which "
                f"{name} does not take; it takes {sorted(accepted) or 'no parameters'}."
            )
        checked[name] = {key: accepted[key](value, function) for key, value in params.items()}
    for metric in resolved if require else ():
        for param, advice in metric.required_params.items():
            if param not in checked.get(metric.name, {}):
                raise ValueError(f"{function}: {metric.name!r} {advice}")
        if metric.check_params is not None:
            metric.check_params(checked.get(metric.name, {}), function)
    return checked


def metric_data(metric: Metric, outcome, risk, horizon=None) -> tuple:
    """The arguments of ``metric.function`` before its parameters: ``(event, risk)``,
    ``(time, event, risk, horizon)`` or, for competing risks, ``(time, event_type,
    risk, horizon)``."""
    if metric.outcome_kind == "binary":
        return outcome.event.astype(int), risk
    if metric.outcome_kind == "competing":
        return outcome.time, outcome.event_type, risk, horizon
    return outcome.time, outcome.event, risk, horizon


def metric_value(metric: Metric, outcome, risk, horizon=None, **params) -> float:
    """The value of a registered metric for one vector of predicted risk."""
    risk = np.asarray(risk, dtype=float)
    return float(metric.function(*metric_data(metric, outcome, risk, horizon), **params))
