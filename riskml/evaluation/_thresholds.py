"""Decisions at a risk threshold: the 2x2 table and its rates and the optimal threshold,
for binary outcomes and at a horizon (IPCW), with bootstrap intervals.

Every statistic here is read off one weighted ROC table: the (weighted) numbers of cases
and controls at each distinct risk, summed from the top. A bootstrap replicate is a vector
of multiplicities, so a chunk of replicates is a matrix of weights and every statistic of
every replicate comes from a few cumulative sums, with no Python loop over replicates.
At a horizon the weights are inverse-probability-of-censoring weights, the censoring
distribution re-estimated in every replicate. The partial AUC reads the same tables
(:mod:`riskml.evaluation._partial_auc`).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..utils.validation import check_option, check_random_state, check_same_length
from ._bootstrap import _check_interval_n_boot, _check_n_boot, _counts, _resample_chunks
from ._bootstrap_intervals import _check_sample_size
from ._checks import check_confidence_level, check_horizon_in_follow_up, check_outcome_argument
from ._discrimination import _check_score, _warn_constant_score
from ._ipcw import _check_censoring_weights, _ipcw_weights

__all__ = [
    "OptimalThreshold",
    "ThresholdStatistics",
    "optimal_threshold",
    "threshold_statistics",
]

#: The statistics of a 2x2 table, in the order of the tables returned.
STATISTICS = ("tp", "fp", "tn", "fn", "sensitivity", "specificity", "ppv", "npv", "accuracy")
OPTIMA = ("youden", "closest_topleft")
TIES = ("lowest", "highest")
# criteria closer than this count as tied (they are sums of two rates in [0, 1])
_TIE_TOLERANCE = 1e-12


# -- the data: risks, who is a case or a control, and their weights ----------------------
@dataclass
class _Decisions:
    """Checked data laid out for weighted ROC tables.

    ``values`` are the distinct risks, ascending; ``order``/``starts`` group the patients
    by value for ``numpy.add.reduceat``. ``case``/``control`` are the patients counted as
    each; ``weight`` their weights on the data (1, or IPCW at a horizon; 0 for patients
    not evaluable). ``strata`` are the bootstrap strata (class, or status at the horizon).
    """

    risk: np.ndarray
    values: np.ndarray
    slot: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    case: np.ndarray
    control: np.ndarray
    weight: np.ndarray
    strata: np.ndarray
    probability: bool
    horizon: float | None = None
    censoring: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.risk.shape[0]


def _check_y_risk(y, risk, horizon, censoring_weights, function: str) -> _Decisions:
    """The outcome and risks of a public function, checked and laid out."""
    outcome = check_outcome_argument(y, function)
    risk = _check_score(risk, "risk", function)
    check_same_length(function, y=outcome.event, risk=risk)
    if outcome.is_competing:
        raise ValueError(
            f"{function} does not handle competing risks yet; got a competing-risk outcome. "
            "Use competing_ipcw_weights for the status and weights at the horizon."
        )
    if outcome.is_survival:
        data = _survival_layout(outcome, risk, horizon, censoring_weights, function)
    else:
        if horizon is not None:
            raise ValueError(
                f"horizon of {function} applies to a time-to-event outcome; y is binary. "
                "Leave horizon=None, or pass Outcome.survival(time, event)."
            )
        event = outcome.event
        n_events = int(event.sum())
        if n_events in (0, event.shape[0]):
            raise ValueError(
                f"{function} needs both classes in y; got {n_events} event(s) and "
                f"{event.shape[0] - n_events} non-event(s). Sensitivity is undefined without "
                "events and specificity without non-events."
            )
        data = _layout(risk, event, ~event, np.ones(risk.shape[0]), event.astype(np.intp))
    _warn_constant_score(risk, "risk", function)
    return data


def _layout(risk, case, control, weight, strata) -> _Decisions:
    values, slot = np.unique(risk, return_inverse=True)
    order = np.argsort(slot, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(slot[order]) != 0])
    probability = bool(risk.min() >= 0.0 and risk.max() <= 1.0)
    return _Decisions(risk, values, slot, order, starts, case, control, weight, strata, probability)


def _survival_layout(outcome, risk, horizon, censoring_weights, function) -> _Decisions:
    """Cases, controls and IPCW weights at ``horizon``; what a replicate's G needs."""
    if horizon is None:
        raise ValueError(
            f"{function} needs a horizon for a time-to-event outcome: the decision is about "
            "the event by a given day. Pass horizon= (days), e.g. horizon=365."
        )
    censoring_weights = _check_censoring_weights(censoring_weights, function)
    time, event = outcome.time, outcome.event
    horizon = check_horizon_in_follow_up(horizon, time, function)
    case, control, weight = _ipcw_weights(
        time, event, horizon, None, None, censoring_weights, function
    )
    if not case.any() or not control.any():
        raise ValueError(
            f"{function} is undefined at horizon {horizon:g}: it has {int(case.sum())} "
            f"case(s) (events by then) and {int(control.sum())} control(s) (known event-free "
            "there). Choose a horizon with both."
        )
    strata = np.where(case, 1, np.where(control, 0, 2))
    data = _layout(risk, case, control, weight, strata)
    times, time_slot = np.unique(time, return_inverse=True)
    case_left = censoring_weights in ("before", "riskRegression")
    control_left = censoring_weights == "before"
    data.horizon = horizon
    data.censoring = {
        "order": np.argsort(time_slot, kind="stable"),
        "starts": np.flatnonzero(np.r_[True, np.diff(np.sort(time_slot)) != 0]),
        "event": event,
        # index into [1, G(t_0), G(t_1), ...] of G(T_i-) or G(T_i), and of G(h-) or G(h)
        "case_index": time_slot[case] + (0 if case_left else 1),
        "control_index": int(np.searchsorted(times, horizon, "left" if control_left else "right")),
    }
    return data


def _replicate_weights(data: _Decisions, counts: np.ndarray) -> np.ndarray:
    """Per-patient weights of each replicate (rows of multiplicities ``counts``).

    Binary: the multiplicities. At a horizon: multiplicity / G of the replicate, with G
    the reverse Kaplan-Meier of the resample (events before censorings at a time); a
    replicate in which a needed G is 0 is all NaN (degenerate).
    """
    if data.horizon is None:
        return counts
    info = data.censoring
    sorted_counts = counts[:, info["order"]]
    total = np.add.reduceat(sorted_counts, info["starts"], axis=1)
    events = np.add.reduceat(sorted_counts * info["event"][info["order"]], info["starts"], axis=1)
    at_risk = np.cumsum(total[:, ::-1], axis=1)[:, ::-1] - events
    censored = total - events
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(censored > 0, 1.0 - censored / at_risk, 1.0)
    survival = np.hstack([np.ones((counts.shape[0], 1)), np.cumprod(factor, axis=1)])
    g_case = survival[:, info["case_index"]]
    g_control = survival[:, info["control_index"]]
    weights = np.zeros_like(counts)
    case_counts = counts[:, data.case]
    control_counts = counts[:, data.control]
    with np.errstate(divide="ignore", invalid="ignore"):
        weights[:, data.case] = case_counts / g_case
        weights[:, data.control] = control_counts / g_control[:, None]
    hidden = ((g_case <= 0) & (case_counts > 0)).any(axis=1)
    hidden |= (g_control <= 0) & (control_counts.sum(axis=1) > 0)
    weights[hidden] = np.nan
    return weights


# -- weighted ROC tables ----------------------------------------------------------------
@dataclass
class _Tables:
    """Weighted positives at each ROC point, one row per replicate.

    Column k (0..K-1) is the rule "risk >= values[k]"; column K is "nobody positive".
    ``present[:, k]``: values[k] occurs among the evaluable patients of the replicate.
    """

    tp: np.ndarray
    fp: np.ndarray
    cases: np.ndarray
    controls: np.ndarray
    present: np.ndarray


def _tables(data: _Decisions, weights: np.ndarray) -> _Tables:
    """The weighted ROC tables of the replicates whose per-patient weights are given."""
    by_value = {}
    for name, mask in (("case", data.case), ("control", data.control)):
        masked = np.where(mask[None, :], weights, 0.0)[:, data.order]
        by_value[name] = np.add.reduceat(masked, data.starts, axis=1)
    return _cumulate(by_value)


def _binary_tables(data: _Decisions, indices: np.ndarray) -> _Tables:
    """:func:`_tables` of binary replicates straight from their row indices (one
    ``bincount`` of (class, risk value) codes instead of a weight matrix)."""
    rows, n_values = indices.shape[0], data.values.shape[0]
    code = data.slot + n_values * data.control
    flat = code[indices] + (np.arange(rows) * 2 * n_values)[:, None]
    counts = np.bincount(flat.ravel(), minlength=rows * 2 * n_values).astype(float)
    counts = counts.reshape(rows, 2, n_values)
    return _cumulate({"case": counts[:, 0], "control": counts[:, 1]})


def _cumulate(by_value: dict) -> _Tables:
    """ROC tables from the weighted cases and controls at each distinct risk."""
    rows = by_value["case"].shape[0]
    positives = {}
    for name, per_value in by_value.items():
        cumulative = np.zeros((rows, per_value.shape[1] + 1))
        cumulative[:, :-1] = np.cumsum(per_value[:, ::-1], axis=1)[:, ::-1]
        positives[name] = cumulative
    present = np.ones((rows, by_value["case"].shape[1] + 1), dtype=bool)
    present[:, :-1] = (by_value["case"] + by_value["control"]) > 0
    return _Tables(
        positives["case"],
        positives["control"],
        positives["case"][:, 0],
        positives["control"][:, 0],
        present,
    )


def _rates(tp, fp, cases, controls) -> dict[str, np.ndarray]:
    """The statistics of :data:`STATISTICS` from positives and class totals (broadcast)."""
    fn, tn = cases - tp, controls - fp
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "tp": tp,
            "fp": fp,
            "tn": tn,
            "fn": fn,
            "sensitivity": tp / cases,
            "specificity": tn / controls,
            "ppv": tp / (tp + fp),
            "npv": tn / (tn + fn),
            "accuracy": (tp + tn) / (cases + controls),
        }


def _estimate_tables(data: _Decisions) -> _Tables:
    return _tables(data, data.weight[None, :])


# -- input checks -------------------------------------------------------------------------
def _check_thresholds(thresholds, data: _Decisions, function: str) -> np.ndarray:
    """Thresholds as a 1-D float array: numbers, no NaN; in [0, 1] for probabilities."""
    message = (
        f"The 'thresholds' parameter of {function} must be a number or a non-empty 1-D "
        f"array of numbers (risks at or above which a patient is positive). Got {thresholds!r} "
        "instead."
    )
    if thresholds is None or isinstance(thresholds, str | bytes | bool):
        raise TypeError(message)
    array = np.atleast_1d(np.asarray(thresholds))
    if array.dtype.kind == "b" or array.dtype.kind not in "iuf":
        raise TypeError(message)
    if array.ndim != 1 or array.shape[0] == 0:
        raise ValueError(message)
    array = array.astype(float)
    if np.isnan(array).any():
        raise ValueError(f"{message} It holds NaN.")
    outside = np.isfinite(array) & ((array < 0) | (array > 1))
    if data.probability and outside.any():
        bad = float(array[outside][0])
        percent = 1 < bad <= 100 and bool(np.all((array >= 0) & (array <= 100)))
        raise ValueError(
            f"The 'thresholds' parameter of {function} must hold risks in [0, 1] because risk "
            f"is a probability (every value in [0, 1]); got {bad:g}."
            + (
                " If the thresholds are percentages, divide them by 100 (10% is 0.1)."
                if percent
                else ""
            )
        )
    return array


def _check_n_boot_or_zero(n_boot, confidence, function: str) -> int:
    """``n_boot``: 0 (no intervals) or a valid number of replicates."""
    if isinstance(n_boot, numbers.Integral) and not isinstance(n_boot, bool) and n_boot == 0:
        return 0
    n_boot = _check_n_boot(n_boot, function)
    return _check_interval_n_boot(n_boot, confidence, function)


def _bootstrap_setup(data: _Decisions, n_boot, confidence, random_state, stratified, function):
    """Checked bootstrap settings: ``(n_boot, confidence, rng, strata, method)``."""
    confidence = check_confidence_level(confidence, function)
    n_boot = _check_n_boot_or_zero(n_boot, confidence, function)
    rng = check_random_state(random_state, function)
    if not isinstance(stratified, bool | np.bool_):
        raise TypeError(
            f"The 'stratified' parameter of {function} must be True or False. Got "
            f"{stratified!r} instead."
        )
    if not n_boot:
        return 0, confidence, rng, None, "no interval (n_boot=0)"
    groups = {"cases": int(data.case.sum()), "controls": int(data.control.sum())}
    _check_sample_size(groups, function)
    if not stratified:
        return n_boot, confidence, rng, None, "percentile bootstrap"
    by = "class" if data.horizon is None else "status at the horizon"
    return n_boot, confidence, rng, data.strata, f"percentile bootstrap, stratified by {by}"


def _replicates(data: _Decisions, n_boot: int, rng, strata, evaluate) -> list[np.ndarray]:
    """``evaluate(tables)`` on every replicate's ROC tables, chunk by chunk, concatenated.

    ``evaluate`` returns a tuple of arrays with one row per replicate. The draws are those
    of :func:`riskml.evaluation.bootstrap_ci` with the same seed and ``stratify``.
    """
    parts = []
    for chunk in _resample_chunks(data.n, n_boot, rng, strata):
        if data.horizon is None:
            tables = _binary_tables(data, chunk)
        else:
            tables = _tables(data, _replicate_weights(data, _counts(chunk, data.n)))
        parts.append(evaluate(tables))
    return [np.concatenate(column) for column in zip(*parts, strict=True)]


def _quantiles(replicates: np.ndarray, confidence: float):
    """Percentile bounds of each column over its finite replicates; NaN where none.

    Linear interpolation (numpy's default, R's type 7); an infinite threshold (everyone
    or nobody positive) is a value like any other.
    """
    levels = ((1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0)
    columns = replicates.shape[1]
    bounds = np.full((2, columns), np.nan)
    valid = ~np.isnan(replicates)
    for column in range(columns):
        values = np.sort(replicates[valid[:, column], column])
        if values.shape[0] == 0:
            continue
        for row, level in enumerate(levels):
            position = (values.shape[0] - 1) * level
            below, above = int(np.floor(position)), int(np.ceil(position))
            low, high = values[below], values[above]
            fraction = position - below
            if low == high or fraction == 0:
                bounds[row, column] = low
            elif np.isinf(low) or np.isinf(high):
                bounds[row, column] = low if np.isinf(low) else high
            else:
                bounds[row, column] = low + fraction * (high - low)
    return bounds[0], bounds[1], (~valid).sum(axis=0)


# -- statistics at given thresholds ----------------------------------------------------
@dataclass(frozen=True)
class ThresholdStatistics:
    """The 2x2 table and its rates at each threshold, with bootstrap intervals.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per threshold, in the order given: ``threshold``, then for each of
        ``tp, fp, tn, fn, sensitivity, specificity, ppv, npv, accuracy`` the estimate and
        its ``<name>_low`` and ``<name>_high`` bounds (NaN with ``n_boot=0``).
    intervals : pandas.DataFrame
        The same in long form: ``threshold``, ``statistic``, ``estimate``, ``low``,
        ``high``, ``n_degenerate`` (replicates where the statistic is undefined, e.g. a
        PPV with nobody positive, left out of its interval).
    confidence : float
    n_boot : int
    method : str
        How the intervals were formed.
    horizon : float or None
        The horizon of a time-to-event outcome (the counts are then IPCW-weighted).

    Examples
    --------
    >>> from riskml.evaluation import threshold_statistics
    >>> stats = threshold_statistics([0, 0, 1, 1, 0, 1, 0, 1],
    ...                              [0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6], [0.5], n_boot=0)
    >>> stats.intervals[["statistic", "estimate"]].head(3)
      statistic  estimate
    0        tp       3.0
    1        fp       0.0
    2        tn       4.0
    """

    summary: pd.DataFrame
    intervals: pd.DataFrame
    confidence: float
    n_boot: int
    method: str
    horizon: float | None = None

    def __repr__(self) -> str:
        at = "" if self.horizon is None else f" at horizon {self.horizon:g}"
        return (
            f"ThresholdStatistics({self.summary.shape[0]} threshold(s){at}; "
            f"{self.confidence:.0%} CI, {self.method}, {self.n_boot} replicates)"
        )


def _threshold_frames(thresholds, estimates, bounds, n_degenerate):
    """Wide and long tables from ``{statistic: array per threshold}`` and the bounds."""
    wide = {"threshold": thresholds}
    long = []
    for name in STATISTICS:
        low, high = bounds[name]
        wide[name], wide[f"{name}_low"], wide[f"{name}_high"] = estimates[name], low, high
        long.append(
            pd.DataFrame(
                {
                    "threshold": thresholds,
                    "statistic": name,
                    "estimate": estimates[name],
                    "low": low,
                    "high": high,
                    "n_degenerate": n_degenerate[name],
                }
            )
        )
    order = ["threshold"] + [
        c for name in STATISTICS for c in (name, f"{name}_low", f"{name}_high")
    ]
    return pd.DataFrame(wide)[order], pd.concat(long, ignore_index=True)


def threshold_statistics(
    y,
    risk,
    thresholds,
    *,
    horizon=None,
    censoring_weights: str = "before",
    n_boot: int = 2000,
    confidence: float = 0.95,
    stratified: bool = True,
    random_state=None,
) -> ThresholdStatistics:
    """Sensitivity, specificity, PPV, NPV, accuracy and the 2x2 counts at risk thresholds.

    Parameters
    ----------
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
        The observed outcome: binary, or time-to-event (then ``horizon`` is needed).
    risk : array-like of shape (n_samples,)
        Predicted risk (higher = higher risk); a probability (of the event by the
        horizon) or any score.
    thresholds : float or array-like of float
        A patient is *positive* when ``risk >= threshold``. Risks in [0, 1] take
        thresholds in [0, 1]; -inf (everyone positive) and inf (nobody) are allowed.
    horizon : float, default=None
        Days; for a time-to-event outcome, the decision is about the event by then.
    censoring_weights : {"before", "at", "riskRegression"}, default="before"
        Who is a control at the horizon and the weights, as :func:`ipcw_weights`.
    n_boot : int, default=2000
        Bootstrap replicates; 0 for no intervals.
    confidence : float, default=0.95
    stratified : bool, default=True
        Resample within classes (binary; as ``pROC::ci.coords``) or within the status at
        the horizon (case, control, censored before it), so every replicate keeps the
        numbers of each; False resamples patients as a whole.
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    ThresholdStatistics
        ``summary``: one row per threshold with every statistic and its bounds.

    Notes
    -----
    ``sensitivity = TP / (TP + FN)``, ``specificity = TN / (TN + FP)``, ``ppv = TP /
    (TP + FP)`` (NaN when nobody is positive), ``npv = TN / (TN + FN)`` (NaN when
    nobody is negative), ``accuracy = (TP + TN) / n``.

    pROC's thresholds: ``pROC::coords(roc, x, input = "threshold")`` with
    ``direction = "<"`` calls a patient positive when the predictor is ``>= x``, as
    here, so the numbers are equal at any ``x``. pROC's own list of thresholds (``coords
    (roc, "all")``) holds the midpoints between sorted distinct risks (and -Inf, Inf):
    every threshold in ``(r_(k-1), r_(k)]`` gives the same table, and the midpoint is
    the one pROC reports. Negative-direction markers (lower = higher risk) must be
    negated first.

    At a horizon (Blanche et al. 2013; Uno et al. 2007): cases are events by the
    horizon, weighted by ``1 / G(T_i-)``; controls are known event-free there and share
    one weight ``1 / G(h-)``; patients censored before the horizon count 0. The 2x2
    table is weighted, so ``tp + fn`` estimates the number of events by the horizon
    among all ``n`` patients and ``tp + fp + tn + fn = n`` with ``"before"``. The
    sensitivity and specificity equal the ROC points of ``riskRegression::Score(...,
    plots = "roc")`` with ``censoring_weights="riskRegression"``; the PPV is the
    weighted table's, which differs slightly from timeROC's ``Se (1 - S(t)) / P(risk >=
    c)`` (an empirical denominator). In every replicate G is re-estimated.

    References
    ----------
    .. [1] Robin X, Turck N, Hainard A, et al. pROC: an open-source package for R and S+
       to analyze and compare ROC curves. BMC Bioinformatics 2011;12:77.
    .. [2] Blanche P, Dartigues JF, Jacqmin-Gadda H. Review and comparison of ROC curve
       estimators for a time-dependent outcome with marker-dependent censoring. Biom J
       2013;55:687-704.
    .. [3] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. 1993.

    Examples
    --------
    >>> from riskml.evaluation import threshold_statistics
    >>> y = [0, 0, 1, 1, 0, 1, 0, 1]
    >>> risk = [0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6]
    >>> table = threshold_statistics(y, risk, [0.3, 0.5], n_boot=0).summary
    >>> table[["threshold", "tp", "fp", "sensitivity", "specificity", "ppv"]].round(3)
       threshold   tp   fp  sensitivity  specificity    ppv
    0        0.3  4.0  2.0         1.00          0.5  0.667
    1        0.5  3.0  0.0         0.75          1.0  1.000
    """
    function = "threshold_statistics"
    data = _check_y_risk(y, risk, horizon, censoring_weights, function)
    thresholds = _check_thresholds(thresholds, data, function)
    n_boot, confidence, rng, strata, method = _bootstrap_setup(
        data, n_boot, confidence, random_state, stratified, function
    )
    columns = np.searchsorted(data.values, thresholds, side="left")

    def at_thresholds(tables: _Tables):
        rates = _rates(
            tables.tp[:, columns],
            tables.fp[:, columns],
            tables.cases[:, None],
            tables.controls[:, None],
        )
        return tuple(rates[name] for name in STATISTICS)

    estimates = dict(
        zip(STATISTICS, (v[0] for v in at_thresholds(_estimate_tables(data))), strict=True)
    )
    nan = np.full(thresholds.shape[0], np.nan)
    bounds = dict.fromkeys(STATISTICS, (nan, nan))
    degenerate = dict.fromkeys(STATISTICS, np.zeros(thresholds.shape[0], dtype=int))
    if n_boot:
        replicates = _replicates(data, n_boot, rng, strata, at_thresholds)
        for name, values in zip(STATISTICS, replicates, strict=True):
            low, high, count = _quantiles(values, confidence)
            bounds[name], degenerate[name] = (low, high), count
    summary, intervals = _threshold_frames(thresholds, estimates, bounds, degenerate)
    return ThresholdStatistics(summary, intervals, confidence, n_boot, method, data.horizon)


# -- the optimal threshold -----------------------------------------------------------------
def _roc_thresholds(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """pROC's threshold of every ROC point of each replicate (NaN where not a point).

    Point k < K ("risk >= values[k]") sits at the midpoint between values[k] and the
    previous value present in the replicate, -inf when there is none; point K at +inf.
    """
    rows, points = present.shape
    position = np.where(present[:, :-1], np.arange(points - 1), -1)
    previous = np.full((rows, points - 1), -1)
    previous[:, 1:] = np.maximum.accumulate(position, axis=1)[:, :-1]
    lower = values[np.maximum(previous, 0)]
    with np.errstate(invalid="ignore", over="ignore"):
        middle = (lower + values) / 2.0
    # adjacent floating-point numbers: the midpoint rounds onto the lower value
    middle = np.where(middle > lower, middle, values)
    thresholds = np.full((rows, points), np.inf)
    thresholds[:, :-1] = np.where(previous >= 0, middle, -np.inf)
    thresholds[:, :-1][~present[:, :-1]] = np.nan
    return thresholds


def _best(tables: _Tables, values: np.ndarray, method: str, ties: str):
    """Per replicate: the chosen ROC point, its threshold, its criterion and the ties.

    The criterion is maximised over the ROC points present: Youden's ``se + sp - 1`` or
    ``-((1 - se)^2 + (1 - sp)^2)``; among points within 1e-12 of the best, the lowest or
    highest threshold.
    """
    rates = _rates(tables.tp, tables.fp, tables.cases[:, None], tables.controls[:, None])
    se, sp = rates["sensitivity"], rates["specificity"]
    youden = method == "youden"
    criterion = se + sp - 1.0 if youden else -((1.0 - se) ** 2 + (1.0 - sp) ** 2)
    criterion = np.where(tables.present, criterion, -np.inf)
    with np.errstate(invalid="ignore"):
        top = np.max(criterion, axis=1)
        tied = criterion >= top[:, None] - _TIE_TOLERANCE
    if ties == "lowest":
        chosen = np.argmax(tied, axis=1)
    else:
        chosen = tied.shape[1] - 1 - np.argmax(tied[:, ::-1], axis=1)
    rows = np.arange(chosen.shape[0])
    thresholds = _roc_thresholds(values, tables.present)
    undefined = np.isnan(top)
    picked = {name: rates[name][rows, chosen] for name in STATISTICS}
    picked["threshold"] = np.where(undefined, np.nan, thresholds[rows, chosen])
    picked["criterion"] = top if method == "youden" else -top
    return picked, tied, thresholds


@dataclass(frozen=True)
class OptimalThreshold:
    """The threshold that maximises Youden's J or is closest to the top-left corner.

    Attributes
    ----------
    threshold : float
        pROC's threshold of the optimal ROC point: a patient is positive when ``risk >=
        threshold`` (the midpoint between two observed risks; -inf: everyone, inf:
        nobody).
    method : {"youden", "closest_topleft"}
    criterion : float
        Youden's ``J = se + sp - 1``, or the squared distance ``(1 - se)^2 + (1 -
        sp)^2`` to the top-left corner.
    tied_thresholds : tuple of float
        Every threshold reaching the optimum (pROC's ``coords(roc, "best")`` rows);
        ``threshold`` is one of them, chosen by ``ties``.
    summary : pandas.DataFrame
        Index ``threshold, criterion, tp, fp, tn, fn, sensitivity, specificity, ppv, npv,
        accuracy``; columns ``estimate``, ``low``, ``high``, ``n_degenerate``. The
        bounds are those of the bootstrap distribution of the optimum found again in
        every replicate (pROC's ``ci.coords(roc, "best")``).
    confidence : float
    n_boot : int
    interval_method : str
    horizon : float or None

    Examples
    --------
    >>> from riskml.evaluation import optimal_threshold
    >>> best = optimal_threshold([0, 0, 1, 1, 0, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6],
    ...                          n_boot=0)
    >>> best.method, round(best.threshold, 3), best.criterion
    ('youden', 0.325, 0.75)
    """

    threshold: float
    method: str
    criterion: float
    tied_thresholds: tuple
    summary: pd.DataFrame
    confidence: float
    n_boot: int
    interval_method: str
    horizon: float | None = None

    def __repr__(self) -> str:
        row = self.summary.loc["threshold"]
        interval = (
            ""
            if np.isnan(row["low"])
            else f", {self.confidence:.0%} CI {row['low']:.4g} to {row['high']:.4g}"
        )
        return f"OptimalThreshold({self.method}: risk >= {self.threshold:.4g}{interval})"


def optimal_threshold(
    y,
    risk,
    *,
    method: str = "youden",
    ties: str = "lowest",
    horizon=None,
    censoring_weights: str = "before",
    n_boot: int = 2000,
    confidence: float = 0.95,
    stratified: bool = True,
    random_state=None,
) -> OptimalThreshold:
    """The optimal risk threshold (Youden or closest to top-left), with bootstrap intervals.

    Parameters
    ----------
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
    risk : array-like of shape (n_samples,)
        Predicted risk (higher = higher risk), a probability or any score.
    method : {"youden", "closest_topleft"}, default="youden"
        ``"youden"``: maximise ``sensitivity + specificity - 1`` (Youden 1950);
        ``"closest_topleft"``: minimise ``(1 - sensitivity)^2 + (1 - specificity)^2``.
    ties : {"lowest", "highest"}, default="lowest"
        Which threshold to take when several reach the optimum, in the data and in each
        replicate: the lowest (the most sensitive rule) or the highest. All of them are
        in ``tied_thresholds``.
    horizon : float, default=None
        Days, for a time-to-event outcome (IPCW; see :func:`threshold_statistics`).
    censoring_weights : {"before", "at", "riskRegression"}, default="before"
    n_boot : int, default=2000
        Bootstrap replicates (0: none). Each replicate finds its own optimum.
    confidence : float, default=0.95
    stratified : bool, default=True
        As :func:`threshold_statistics`.
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    OptimalThreshold

    Notes
    -----
    The candidates are pROC's ROC thresholds: -inf (everyone positive), the midpoints
    between sorted distinct risks, and inf (nobody positive); a patient is positive when
    ``risk >= threshold``. The optimum and its statistics equal ``pROC::coords(roc,
    "best", best.method = "youden")`` (or ``"closest.topleft"``) with the default
    ``best.weights``; where pROC returns several rows, ``tied_thresholds`` holds them all.
    The interval of the threshold and of its statistics are percentiles over replicates
    in which the optimum is found again (``pROC::ci.coords(roc, "best")``); pROC's
    default ``best.policy = "stop"`` aborts when a replicate has tied optima, riskml
    applies ``ties``. An optimal threshold is a property of this sample: its interval is
    usually wide.

    References
    ----------
    .. [1] Youden WJ. Index for rating diagnostic tests. Cancer 1950;3:32-35.
    .. [2] Perkins NJ, Schisterman EF. The inconsistency of "optimal" cutpoints obtained
       using two criteria based on the receiver operating characteristic curve. Am J
       Epidemiol 2006;163:670-675.
    .. [3] Robin X, Turck N, Hainard A, et al. pROC. BMC Bioinformatics 2011;12:77.

    Examples
    --------
    >>> from riskml.evaluation import optimal_threshold
    >>> y = [0, 0, 1, 1, 0, 1, 0, 1]
    >>> risk = [0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6]
    >>> best = optimal_threshold(y, risk, n_boot=0)
    >>> round(best.threshold, 3), best.criterion
    (0.325, 0.75)
    >>> [round(t, 3) for t in best.tied_thresholds]
    [0.325, 0.5]
    >>> best.summary.loc[["sensitivity", "specificity"], "estimate"].tolist()
    [1.0, 0.75]
    """
    function = "optimal_threshold"
    method = check_option(method, "method", OPTIMA, function)
    ties = check_option(ties, "ties", TIES, function)
    data = _check_y_risk(y, risk, horizon, censoring_weights, function)
    n_boot, confidence, rng, strata, interval_method = _bootstrap_setup(
        data, n_boot, confidence, random_state, stratified, function
    )
    names = ("threshold", "criterion", *STATISTICS)

    def best_of(tables: _Tables):
        picked, _, _ = _best(tables, data.values, method, ties)
        return tuple(picked[name][:, None] for name in names)

    picked, tied, thresholds = _best(_estimate_tables(data), data.values, method, ties)
    frame = pd.DataFrame(
        {"estimate": [float(picked[name][0]) for name in names]},
        index=pd.Index(names, name="statistic"),
    )
    frame["low"] = frame["high"] = np.nan
    frame["n_degenerate"] = 0
    if n_boot:
        for name, values in zip(
            names, _replicates(data, n_boot, rng, strata, best_of), strict=True
        ):
            low, high, count = _quantiles(values, confidence)
            frame.loc[name, ["low", "high", "n_degenerate"]] = low[0], high[0], int(count[0])
    frame["n_degenerate"] = frame["n_degenerate"].astype(int)
    return OptimalThreshold(
        threshold=float(picked["threshold"][0]),
        method=method,
        criterion=float(picked["criterion"][0]),
        tied_thresholds=tuple(float(t) for t in thresholds[0][tied[0]]),
        summary=frame,
        confidence=confidence,
        n_boot=n_boot,
        interval_method=interval_method,
        horizon=data.horizon,
    )
