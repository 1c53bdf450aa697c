"""Fairness across groups: each metric per group, and the largest between-group gap.

:func:`fairness_summary` reads the per-group numbers from :func:`subgroup_performance`
(one implementation of subgroup performance) and adds, for every grouping variable,
model and metric, the largest between-group difference with a bootstrap interval, and
the calibration curve of every group (:func:`calibration_table`).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd

from ._bootstrap import _check_n_boot, _resample_chunks
from ._checks import check_confidence_level, check_outcome_argument
from ._metric_registry import check_metric_params, check_metrics, default_metrics, metric_data
from ._report_tables import calibration_table
from ._results import MetricTable, _check_predictions
from ._subgroups import _groupings, _levels, subgroup_performance

__all__ = ["FairnessResult", "fairness_summary"]

#: Metrics compared as a ratio of the highest to the lowest group (a difference on the
#: log scale): an O:E of 1.2 against 0.8 is 1.5 times as many events as expected,
#: whatever the overall event rate.
RATIO_METRICS = frozenset({"o_e"})

#: What fairness looks at by default: discrimination, calibration, net benefit.
_FAIRNESS_METRICS = ("o_e", "calibration_slope", "net_benefit")

_COLUMNS = [
    "variable",
    "model",
    "metric",
    "scale",
    "highest",
    "lowest",
    "estimate",
    "low",
    "high",
    "method",
    "groups",
    "n_boot",
    "n_degenerate",
    "note",
]


class FairnessResult(MetricTable):
    """What :func:`fairness_summary` returns: a table of between-group differences.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per grouping variable, model and metric: ``variable``, ``model``,
        ``metric``, ``scale`` (``"difference"``: highest minus lowest group;
        ``"ratio"``: highest over lowest, for the O:E ratio), ``highest`` and
        ``lowest`` (the groups with the highest and lowest estimate), ``estimate``,
        ``low``, ``high``, ``method``, ``groups`` (groups with an estimate),
        ``n_boot``, ``n_degenerate`` (replicates in which a group's metric was
        undefined, left out of the interval) and ``note`` (why a row has no
        estimate).
    groups : pandas.DataFrame
        Every metric per group, with its interval: the ``summary`` of
        :func:`subgroup_performance` on the same predictions.
    calibration : pandas.DataFrame or None
        The calibration curve of every group (:func:`calibration_table`), with
        ``variable`` and ``subgroup`` columns.
    threshold : float
        The risk threshold of the net benefit.
    confidence : float

    Examples
    --------
    >>> from riskml.evaluation import fairness_summary
    >>> y = [0, 1] * 12
    >>> risk = [.2, .7, .1, .6, .3, .8, .4, .5, .2, .9, .3, .6] * 2
    >>> site = ["a"] * 12 + ["b"] * 12
    >>> result = fairness_summary(y, {"m": risk}, site, n_boot=100, random_state=0)
    >>> result.summary["metric"].tolist()
    ['auc', 'o_e', 'calibration_slope', 'net_benefit']
    >>> sorted(result.groups["subgroup"].unique()), result.threshold
    (['a', 'b'], 0.1)
    """

    def __init__(self, summary, groups, calibration, threshold, confidence):
        super().__init__(summary, title="Largest between-group differences")
        self.groups = groups
        self.calibration = calibration
        self.threshold = threshold
        self.confidence = confidence


def _default_fairness_metrics(kind: str, horizon) -> list[str]:
    """The main discrimination metric of the outcome kind, then O:E, calibration slope
    and net benefit where the kind has them (at a horizon when one is given)."""
    from ._metric_registry import get_metric, get_metric_names

    names = get_metric_names(kind)
    chosen = [default_metrics(kind, horizon)[0]]
    for name in _FAIRNESS_METRICS:
        if name in names and (horizon is not None or not get_metric(name, kind).needs_horizon):
            chosen.append(name)
    return chosen


def _check_threshold(threshold, function: str) -> float:
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, numbers.Real)
        or not 0 < float(threshold) < 1
    ):
        raise ValueError(
            f"The 'threshold' parameter of {function} must be a risk in (0, 1), the risk "
            f"above which a patient would be treated (e.g. 0.1). Got {threshold!r} instead."
        )
    return float(threshold)


def _strata(outcome, labels: pd.Series, levels: list, stratified: bool):
    """Rows with a label, and their stratum codes: the group, and within it the outcome
    class of a binary outcome when ``stratified`` (codes group by group)."""
    rows = np.flatnonzero(labels.notna().to_numpy())
    group = pd.Categorical(labels.iloc[rows], categories=levels).codes.astype(np.intp)
    if stratified and not outcome.is_survival:
        return rows, group, 2 * group + outcome.event[rows].astype(np.intp)
    return rows, group, group


def _replicate_values(metric, args, params, draws, group_of_draw, n_groups) -> np.ndarray:
    """``(replicates, groups)``: the metric of every group on every replicate's draw
    (NaN where undefined on it)."""
    values = np.full((len(draws), n_groups), np.nan)
    n = len(group_of_draw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined replicates are counted, not warned about
        for b, draw in enumerate(draws):
            for g in range(n_groups):
                chosen = draw[group_of_draw == g]
                data = [a[chosen] if isinstance(a, np.ndarray) and len(a) == n else a for a in args]
                try:
                    values[b, g] = float(metric.function(*data, **params))
                except (ValueError, ZeroDivisionError, FloatingPointError):
                    continue
    return values


def _gap_row(where, metric, estimates, replicates, confidence, method) -> dict:
    """The largest between-group difference (or ratio) with its percentile interval,
    the same two groups compared on every replicate."""
    ratio = metric.name in RATIO_METRICS
    row = {
        **where,
        "metric": metric.name,
        "scale": "ratio" if ratio else "difference",
        "groups": int(np.sum(np.isfinite(estimates))),
    }
    defined = np.isfinite(estimates)
    if defined.sum() < 2:
        return {
            **row,
            "estimate": np.nan,
            "low": np.nan,
            "high": np.nan,
            "n_boot": 0,
            "n_degenerate": 0,
            "note": f"fewer than two groups have an estimate of {metric.name}",
        }
    highest = int(np.nanargmax(np.where(defined, estimates, -np.inf)))
    lowest = int(np.nanargmin(np.where(defined, estimates, np.inf)))
    with np.errstate(divide="ignore", invalid="ignore"):
        if ratio:
            estimate = estimates[highest] / estimates[lowest]
            gaps = replicates[:, highest] / replicates[:, lowest]
        else:
            estimate = estimates[highest] - estimates[lowest]
            gaps = replicates[:, highest] - replicates[:, lowest]
    finite = gaps[np.isfinite(gaps)]
    low, high = (
        np.quantile(finite, [(1 - confidence) / 2, (1 + confidence) / 2])
        if finite.size >= 2
        else (np.nan, np.nan)
    )
    return {
        **row,
        "highest_index": highest,
        "lowest_index": lowest,
        "estimate": float(estimate),
        "low": float(low),
        "high": float(high),
        "method": method,
        "n_boot": int(len(gaps)),
        "n_degenerate": int(len(gaps) - finite.size),
        "note": "",
    }


def fairness_summary(
    y,
    predictions,
    groups,
    *,
    metrics=None,
    horizon=None,
    threshold: float = 0.1,
    n_boot: int = 2000,
    confidence: float = 0.95,
    random_state=None,
    n_jobs=None,
    metric_params: dict | None = None,
    stratified: bool = True,
) -> FairnessResult:
    """Performance per group and the largest between-group difference, with intervals.

    For every grouping variable (e.g. sex), model and metric, the groups with the
    highest and lowest estimate are compared: their difference (highest minus lowest),
    or for the O:E ratio their ratio (highest over lowest: a difference on the log
    scale, so 1.25 against 0.8 reads "1.56 times"). Its interval is a percentile
    bootstrap in which each replicate resamples the patients within every group
    (and, for a binary outcome with ``stratified``, within each outcome class of the
    group), computes every group's metric on that one draw and the same two groups'
    difference, so the interval is that of the difference itself (TRIPOD+AI items 14
    and 23b).

    Parameters
    ----------
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
    predictions : array-like, dict or pandas.DataFrame
        Predicted risk (probabilities), one per patient: one array or model name ->
        array (e.g. out-of-fold predictions; for repeated cross-validation the mean
        over repeats).
    groups : array-like, pandas.DataFrame or dict
        The group of each patient, as in :func:`subgroup_performance` (numeric
        variables with more than 10 values cut at their tertiles; missing labels
        left out).
    metrics : sequence of str, default=None
        Registered metric names. None: the outcome kind's main discrimination
        metric (``auc``, ``harrell_c`` or ``td_auc``), ``o_e``,
        ``calibration_slope`` and ``net_benefit`` (those the kind has; those at a
        horizon only with ``horizon``).
    horizon : float, default=None
        Days, for the metrics of a time-to-event outcome at a horizon.
    threshold : float, default=0.1
        Risk threshold of ``net_benefit`` (unless ``metric_params`` sets one).
    n_boot : int, default=2000
        Bootstrap replicates of the differences (fewer for the metrics the
        registry caps, e.g. ``ici``: the first of the same draws); also those of
        the per-group intervals.
    confidence : float, default=0.95
    random_state : int, numpy.random.Generator or None, default=None
        Seeds ``numpy.random.default_rng``. The draws: for each variable a fresh
        generator; each replicate resamples every stratum in turn (groups in text
        order, outcome classes 0 then 1) with ``rng.integers(0, size, size)``.
    n_jobs : int or None, default=None
        Threads of the per-group intervals (:func:`subgroup_performance`).
    metric_params : dict, default=None
        Parameters of individual metrics, e.g. ``{"net_benefit": {"threshold": 0.2}}``.
    stratified : bool, default=True
        Binary outcome: resample within each outcome class of every group (each
        replicate keeps every group's numbers of events), as the per-group
        intervals do.

    Returns
    -------
    FairnessResult
        ``summary``: the differences; ``groups``: every metric per group;
        ``calibration``: the calibration curve of every group.

    Notes
    -----
    The groups compared are those with the highest and lowest estimate on the data;
    each replicate compares the same two groups (not the replicate's own highest and
    lowest, whose difference is never below 0 and is biased upwards), so the
    interval can include no difference. A replicate in which a group's metric is
    undefined (e.g. a calibration slope of constant predictions) is counted in
    ``n_degenerate`` and left out of the interval.

    References
    ----------
    .. [1] Collins GS, Moons KGM, Dhiman P, et al. TRIPOD+AI statement. BMJ
       2024;385:e078378 (items 14 and 23b).
    .. [2] Riley RD, Collins GS, et al. Evaluation of clinical prediction models
       (part 1): from development to external validation. BMJ 2024;384:e074819.
    .. [3] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall;
       1993 (the stratified bootstrap, ch. 8).

    Examples
    --------
    >>> from riskml.evaluation import fairness_summary
    >>> y = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]
    >>> risk = [.1, .9, .2, .7, .3, .8, .6, .4, .3, .8, .5, .6]
    >>> sex = ["f"] * 6 + ["m"] * 6
    >>> table = fairness_summary(y, risk, sex, metrics=["auc"], n_boot=200, random_state=0)
    >>> row = table.summary.iloc[0]  # AUC 1.0 among f, 0.722 among m
    >>> row["highest"], row["lowest"], round(float(row["estimate"]), 4)
    ('f', 'm', 0.2778)
    """
    function = "fairness_summary"
    outcome = check_outcome_argument(y, function)
    if not isinstance(predictions, dict | pd.DataFrame):
        predictions = {"model": predictions}
    matrices = _check_predictions(predictions, len(outcome), function)
    repeated = [name for name, matrix in matrices.items() if matrix.shape[0] > 1]
    if repeated:
        raise ValueError(
            f"predictions of {function} must hold one risk per patient; {repeated} hold "
            "several rows (repeats of cross-validation): pass their mean over repeats."
        )
    risks = {name: matrix[0] for name, matrix in matrices.items()}
    groupings = _groupings(groups, len(outcome), function)
    n_boot = _check_n_boot(n_boot, function)
    confidence = check_confidence_level(confidence, function)
    threshold = _check_threshold(threshold, function)
    if metrics is None:
        metrics = _default_fairness_metrics(outcome.kind, horizon)
    resolved = check_metrics(metrics, outcome.kind, horizon, function)
    params = dict(metric_params or {})
    if any(metric.name == "net_benefit" for metric in resolved):
        params.setdefault("net_benefit", {"threshold": threshold})
    params = check_metric_params(params, resolved, function)
    threshold = float(params.get("net_benefit", {}).get("threshold", threshold))

    per_group = subgroup_performance(
        outcome,
        risks,
        groupings,
        metrics=[metric.name for metric in resolved],
        horizon=horizon,
        n_boot=n_boot,
        confidence=confidence,
        random_state=random_state,
        n_jobs=n_jobs,
        metric_params=params,
        stratified=stratified,
        overall=False,
    ).summary
    method = (
        "percentile bootstrap, patients resampled within each group"
        + (" and outcome class" if stratified and not outcome.is_survival else "")
        + "; every group's estimate from the same replicates"
    )
    rows = []
    for variable, labels in groupings.items():
        levels = _levels(labels)
        labelled, group, strata = _strata(outcome, labels, levels, stratified)
        rng = (
            random_state
            if isinstance(random_state, np.random.Generator)
            else np.random.default_rng(random_state)
        )
        draws = labelled[np.vstack(list(_resample_chunks(len(labelled), n_boot, rng, strata)))]
        # the resampled rows come stratum by stratum, so each column keeps its group
        group_of_draw = group[np.argsort(strata, kind="stable")]
        for name, risk in risks.items():
            table = per_group[(per_group["variable"] == variable) & (per_group["model"] == name)]
            for metric in resolved:
                found = table[table["metric"] == metric.name].set_index("subgroup")["estimate"]
                estimates = np.array([found.get(level, np.nan) for level in levels], dtype=float)
                replicates = (
                    _replicate_values(
                        metric,
                        metric_data(metric, outcome, risk, horizon),
                        params.get(metric.name, {}),
                        draws[: metric.bootstrap_replicates(n_boot)],
                        group_of_draw,
                        len(levels),
                    )
                    if np.isfinite(estimates).sum() >= 2
                    else None
                )
                row = _gap_row(
                    {"variable": variable, "model": name},
                    metric,
                    estimates,
                    replicates,
                    confidence,
                    method,
                )
                row["highest"] = levels[row.pop("highest_index")] if "highest_index" in row else ""
                row["lowest"] = levels[row.pop("lowest_index")] if "lowest_index" in row else ""
                rows.append(row)
    summary = pd.DataFrame(rows).reindex(columns=_COLUMNS)
    summary["method"] = summary["method"].fillna("")
    return FairnessResult(
        summary,
        per_group,
        _group_calibration(outcome, risks, groupings, horizon),
        threshold,
        confidence,
    )


def _group_calibration(outcome, risks, groupings, horizon) -> pd.DataFrame | None:
    """The calibration curve of every group (:func:`calibration_table`)."""
    frame = pd.DataFrame(risks)
    tables = []
    for variable, labels in groupings.items():
        for level in _levels(labels):
            rows = np.flatnonzero((labels == level).to_numpy(dtype=bool))
            try:
                table = calibration_table(outcome[rows], frame.iloc[rows], horizon)
            except ValueError:  # too few patients or events to group
                continue
            if table is not None:
                tables.append(table.assign(variable=variable, subgroup=level))
    if not tables:
        return None
    table = pd.concat(tables, ignore_index=True)
    first = ["variable", "subgroup", "model"]
    return table[first + [c for c in table.columns if c not in first]]
