"""Results objects: tidy tables of metrics, and their evaluation from predictions.

:class:`MetricTable` holds a tidy ``summary`` DataFrame (one row per model and
metric, full precision) and renders it as text or HTML, rounding only at display
time (lifelines' ``print_summary`` pattern). :func:`evaluate_predictions` fills one
from out-of-fold (or external) predictions of several models, including repeated
cross-validation where each model has one prediction vector per repeat.
"""

from __future__ import annotations

import html
import numbers

import numpy as np
import pandas as pd

from ..utils.validation import check_n_jobs, check_option, check_random_state
from ._bootstrap import (
    ConfidenceInterval,
    _auc_jackknife,
    _AUCReplicates,
    _check_n_boot,
    _harrell_jackknife,
    _HarrellReplicates,
    _interval,
    _map_chunks,
    _resample_chunks,
)
from ._calibration import BARELY_VARYING, _barely_varying, _classes_message
from ._checks import (
    already_warned,
    check_array_argument,
    check_confidence_level,
    check_horizon_in_follow_up,
    check_outcome_argument,
    spread_of,
    warn_degenerate,
    warn_if_constant,
)
from ._discrimination import _check_score, concordance_index, roc_auc

__all__ = ["MetricTable", "evaluate_predictions"]

SUMMARY_COLUMNS = ["model", "metric", "estimate", "low", "high", "method"]
_INT_COLUMNS = {"n", "events", "n_boot", "n_degenerate", "repeats"}


def _format_value(value, column: str, decimals: int) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if column in _INT_COLUMNS and isinstance(value, numbers.Real):
        return f"{int(value):d}"
    if column in ("p_value", "p_val") and isinstance(value, numbers.Real):
        smallest = 10.0**-decimals
        return f"<{smallest:.{decimals}f}" if value < smallest else f"{value:.{decimals}f}"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{value:d}"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return f"{value:.{decimals}f}"
    return str(value)


class MetricTable:
    """A tidy table of metrics with display helpers.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per model and metric. The usual columns are ``model``, ``metric``,
        ``estimate``, ``low``, ``high``, ``method`` (plus e.g. ``n``, ``events``,
        ``n_boot``, ``n_degenerate``); other tidy tables (optimism, subgroups) bring
        their own columns.
    title : str, default=""
        Printed above the table.

    Attributes
    ----------
    summary : pandas.DataFrame
        The numbers at full precision; rounding happens only in
        :meth:`print_summary`, :meth:`to_string` and :meth:`to_html`.

    Examples
    --------
    >>> import pandas as pd
    >>> from riskml.evaluation import MetricTable
    >>> table = MetricTable(pd.DataFrame({"model": ["cox"], "metric": ["harrell_c"],
    ...     "estimate": [0.71234], "low": [0.7], "high": [0.725], "method": ["DeLong"]}))
    >>> table.print_summary(decimals=2)
    model  metric     estimate  low   high  method
    cox    harrell_c  0.71      0.70  0.72  DeLong
    """

    def __init__(self, summary: pd.DataFrame, title: str = ""):
        if not isinstance(summary, pd.DataFrame):
            raise TypeError(
                f"summary of MetricTable must be a pandas DataFrame; got {type(summary).__name__}."
            )
        self.summary = summary.reset_index(drop=True)
        self.title = title

    @classmethod
    def from_intervals(cls, intervals: dict, title: str = "", **columns) -> MetricTable:
        """Build a table from ``{(model, metric): ConfidenceInterval}``.

        Extra keyword arguments become constant columns (e.g. ``n=500``).
        """
        rows = []
        for (model, metric), ci in intervals.items():
            if not isinstance(ci, ConfidenceInterval):
                raise TypeError(
                    f"MetricTable.from_intervals needs ConfidenceInterval values; got "
                    f"{type(ci).__name__} for ({model!r}, {metric!r})."
                )
            rows.append(
                {
                    "model": model,
                    "metric": metric,
                    "estimate": ci.estimate,
                    "low": ci.low,
                    "high": ci.high,
                    "method": ci.method,
                    **columns,
                    "n_boot": ci.n_boot,
                    "n_degenerate": ci.n_degenerate,
                }
            )
        return cls(pd.DataFrame(rows), title=title)

    def __len__(self) -> int:
        return len(self.summary)

    def _formatted(self, decimals: int) -> pd.DataFrame:
        if isinstance(decimals, bool) or not isinstance(decimals, numbers.Integral) or decimals < 0:
            raise ValueError(
                f"The 'decimals' parameter of MetricTable must be an int in the range [0, inf). "
                f"Got {decimals!r} instead."
            )
        return pd.DataFrame(
            {
                column: [_format_value(value, column, decimals) for value in self.summary[column]]
                for column in self.summary.columns
            }
        )

    def to_string(self, decimals: int = 3) -> str:
        """The table as aligned plain text, numbers rounded to ``decimals`` places."""
        formatted = self._formatted(decimals)
        columns = list(formatted.columns)
        widths = [
            max([len(str(column))] + [len(value) for value in formatted[column]])
            for column in columns
        ]
        lines = ["  ".join(str(c).ljust(w) for c, w in zip(columns, widths, strict=True))]
        for _, row in formatted.iterrows():
            lines.append(
                "  ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths, strict=True))
            )
        lines = [line.rstrip() for line in lines]
        if self.title:
            lines.insert(0, self.title)
        return "\n".join(lines)

    def print_summary(self, decimals: int = 3) -> None:
        """Print :meth:`to_string`."""
        print(self.to_string(decimals))

    def to_html(self, decimals: int = 3) -> str:
        """The table as an HTML ``<table>`` (escaped), numbers rounded to ``decimals``."""
        formatted = self._formatted(decimals)
        head = "".join(f"<th>{html.escape(str(column))}</th>" for column in formatted.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(value)}</td>" for value in row) + "</tr>"
            for row in formatted.itertuples(index=False)
        )
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return (
            f'<table class="riskml-metrics">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.to_string()


# -- evaluate predictions -------------------------------------------------------------
def _check_predictions(predictions, n: int, function: str) -> dict[str, np.ndarray]:
    if isinstance(predictions, pd.DataFrame):
        predictions = {str(column): predictions[column].to_numpy() for column in predictions}
    if not isinstance(predictions, dict) or not predictions:
        raise TypeError(
            f"predictions of {function} must be a non-empty dict (model name -> predicted "
            f"risk) or a DataFrame with one column per model; got {type(predictions).__name__}."
        )
    checked = {}
    for name, values in predictions.items():
        array = check_array_argument(
            values, f"predictions[{name!r}]", function, what="predicted risk"
        )
        if array.ndim == 1:
            array = array[None, :]
        if array.ndim != 2 or array.shape[1] != n:
            raise ValueError(
                f"predictions[{name!r}] of {function} must have shape ({n},) or (repeats, {n}) "
                f"(one risk per patient, per repeat of cross-validation); got shape "
                f"{np.asarray(values).shape}."
            )
        checked[name] = np.vstack(
            [_check_score(row, f"predictions[{name!r}]", function) for row in array]
        )
    return checked


def _repeated_interval(kind, args, matrix, *, n_boot, confidence, ci_type, rng, n_jobs, strata):
    """Mean over repeats of AUC or Harrell's C, with a bootstrap of patients.

    Each replicate draws one resample and averages the metric of every repeat's
    predictions on it; the jackknife of the mean is the mean of the jackknives.
    """
    if kind == "auc":
        (event,) = args
        estimates = [roc_auc(event, row) for row in matrix]
        kernels = [_AUCReplicates(event, row) for row in matrix]
    else:
        time, event = args
        estimates = [concordance_index(time, event, row) for row in matrix]
        kernels = [_HarrellReplicates(time, event, row) for row in matrix]
    replicates = _map_chunks(
        lambda chunk: np.mean([kernel(chunk) for kernel in kernels], axis=0),
        _resample_chunks(matrix.shape[1], n_boot, rng, strata),
        n_jobs,
    )
    jackknife = None
    if ci_type == "bca":

        def jackknife():
            parts = [
                _auc_jackknife(event, row) if kind == "auc" else _harrell_jackknife(*args, row)
                for row in matrix
            ]
            return [np.mean([part[k] for part in parts], axis=0) for k in range(len(parts[0]))]

    method = f"percentile bootstrap, mean of {matrix.shape[0]} repeats" + (
        ", stratified by class" if strata is not None else ""
    )
    return _interval(
        float(np.mean(estimates)),
        replicates,
        n_boot,
        confidence,
        method,
        "evaluate_predictions",
        jackknife=jackknife,
    )


def _warn_degenerate_predictions(name, matrix: np.ndarray, resolved, function: str) -> None:
    """One warning per model whose predictions are (practically) constant or all 0/1."""
    label = f"predictions[{name!r}]"
    for row in matrix:
        if spread_of(row)[1]:
            defined = [m.name for m in resolved if m.undefined_for_constant]
            warn_if_constant(
                row,
                label,
                function,
                "rank metrics (AUC, C-index) are then 0.5 from ties alone and say nothing "
                "about discrimination"
                + (f", and {defined} are undefined (not computed)." if defined else "."),
                "rank metrics (AUC, C-index) then rank patients by rounding noise and say "
                "nothing about discrimination"
                + (f", and {defined} are undefined (not computed)." if defined else "."),
            )
            return
    classes = matrix.shape[1] > 1 and np.all((matrix == 0.0) | (matrix == 1.0))
    if classes and any(m.needs_probability for m in resolved):
        warn_degenerate(_classes_message(label, function))
    slope = [m for m in resolved if m.name == "calibration_slope"]
    inside = (matrix > 0) & (matrix < 1)
    if slope and inside.sum(axis=1).min() > 1:
        kind = slope[0].outcome_kind
        for row, keep in zip(matrix, inside, strict=True):
            risk = row[keep]
            lp = np.log(risk / (1 - risk)) if kind == "binary" else np.log(-np.log1p(-risk))
            if not spread_of(lp)[1] and np.ptp(lp) < BARELY_VARYING:
                scale = "logit" if kind == "binary" else "complementary log-log"
                warn_degenerate(
                    f"{function}: for {label}, {_barely_varying(lp, scale)}: their calibration "
                    "slope rests on differences too small to matter and is very imprecise "
                    "(read its interval); rely on calibration-in-the-large or the O:E ratio. "
                    "Check the model that produced them (e.g. too strong a penalty)."
                )
                return


_NOT_PROBABILITIES = (
    "the predictions are not probabilities (some lie outside [0, 1]): for percentages "
    "divide by 100; for a survival model pass predict_risk(X, horizon=days), not its "
    "linear predictor"
)


def _not_computed(row: dict, reason: str) -> dict:
    """A summary row for a metric that could not be computed, with the reason."""
    return {
        **row,
        "estimate": np.nan,
        "low": np.nan,
        "high": np.nan,
        "method": f"not computed: {reason}",
        "n_boot": 0,
        "n_degenerate": 0,
    }


def _shared_bootstrap(
    outcome,
    predictions,
    metrics,
    method,
    n_boot,
    confidence,
    random_state,
    n_jobs,
    params,
    stratified,
) -> dict:
    """The vectorised bootstrap intervals of :func:`evaluate_predictions` (binary metrics
    with a batch form: Brier, IPA, ICI), every model and metric on one stream of
    draws: ``{(model, metric): ConfidenceInterval or ValueError}``.

    Every call of :func:`metric_interval` with the same seed draws the same replicates,
    so drawing them once gives the same intervals (tested). Left to the one-by-one
    path: anything whose checks raise or warn (fewer than 10 patients in a class,
    too few replicates, data the metric is undefined for).
    """
    from ._bootstrap import _check_interval_n_boot, _shared_batch_intervals
    from ._metrics import _batch_job

    if outcome.is_survival or min(outcome.event.sum(), (~outcome.event).sum()) < 10:
        return {}
    keys, jobs = [], []
    for name, matrix in predictions.items():
        probability = bool(np.all((matrix >= 0) & (matrix <= 1)))
        for metric in metrics:
            if metric.needs_probability and not probability:
                continue
            try:
                job = _batch_job(
                    metric, outcome, matrix, method, n_boot, params.get(metric.name, {})
                )
                if job is not None:
                    _check_interval_n_boot(job[2], confidence, "bootstrap_ci")
            except ValueError:
                continue
            if job is not None:
                keys.append((name, metric.name))
                jobs.append(job)
    if len(jobs) < 2:
        return {}
    longest = max(job[2] for job in jobs)
    stratify = outcome.event if stratified else None
    intervals = _shared_batch_intervals(
        jobs, len(outcome), stratify, longest, confidence, random_state, n_jobs
    )
    by_name = {metric.name: metric for metric in metrics}
    # the method text of metric_interval: replicate cap, estimate outside its interval
    return {
        key: ci if isinstance(ci, ValueError) else by_name[key[1]].describe_interval(ci, n_boot)
        for key, ci in zip(keys, intervals, strict=True)
    }


def evaluate_predictions(
    y,
    predictions,
    *,
    metrics=None,
    horizon=None,
    method: str | None = None,
    n_boot: int = 2000,
    confidence: float = 0.95,
    ci_type: str = "percentile",
    random_state=None,
    n_jobs=None,
    metric_params: dict | None = None,
    stratified: bool = True,
) -> MetricTable:
    """Performance of several models' predictions, with confidence intervals.

    Every metric comes from the metric registry (:func:`get_metric_names`).

    Parameters
    ----------
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
    predictions : dict or pandas.DataFrame
        Model name -> predicted risk (higher = higher risk), shape ``(n,)``, or
        ``(repeats, n)`` for repeated cross-validation (one row per repeat). For
        calibration, Brier and net benefit metrics the risk must be a probability
        (of the event by ``horizon`` for a time-to-event outcome).
    metrics : sequence of str, default=None
        Registered names (:func:`get_metric_names`). None: the defaults of
        :func:`default_metrics` — for a binary outcome ``auc``,
        ``calibration_intercept``, ``calibration_slope``, ``o_e``, ``ici``,
        ``brier``, ``ipa``; for a time-to-event one ``harrell_c`` and, with a
        horizon, ``td_auc`` and the calibration and overall metrics at the horizon.
        Metrics that need probabilities are skipped (with a note in ``method``)
        for a model whose predictions are not in [0, 1], e.g. a linear predictor;
        a metric undefined for a model's predictions (e.g. a calibration slope of
        risks that are exactly 0 or 1) has NaN values and the reason in ``method``.
    horizon : float, default=None
        Days, for the metrics evaluated at a horizon.
    method : {"bootstrap"} or None, default=None
        None: each metric's own interval — DeLong for the AUC (as R's pROC),
        Wald for calibration intercept, slope and O:E (as R's predRupdate), a
        bootstrap of patients for the others (class-stratified for a binary
        outcome unless ``stratified=False``). ``"bootstrap"`` uses the bootstrap
        for every metric.
    n_boot : int, default=2000
        Replicates of each bootstrap interval, except for the metrics that refit or
        smooth in every replicate (``ici``; at a horizon also ``calibration_slope``
        when bootstrapped), which draw at most 200: their ``n_boot`` column
        holds the replicates drawn and ``method`` says "200 replicates (capped from
        2000: each replicate refits ...)".
    confidence : float, default=0.95
    ci_type : {"percentile", "bca"}, default="percentile"
        Of Harrell's C and the AUC of repeated predictions.
    random_state : int, numpy.random.Generator or None, default=None
        Each model and metric is resampled with a generator seeded by this value,
        so every model sees the same resamples.
    n_jobs : int or None, default=None
        Threads over chunks of bootstrap replicates (None: one; -1: every core); the
        intervals do not depend on it.
    metric_params : dict, default=None
        Parameters of individual metrics, e.g. ``{"net_benefit": {"threshold": 0.1}}``.
    stratified : bool, default=True
        Binary outcomes: bootstrap within each class (every resample keeps the
        numbers of events and non-events, as ``pROC``'s default), or, with False,
        the plain bootstrap of patients (``method`` says which). Time-to-event
        outcomes are always resampled plainly.

    Returns
    -------
    MetricTable
        ``summary`` columns ``model``, ``metric``, ``estimate``, ``low``, ``high``,
        ``method``, ``n``, ``events``, ``n_boot``, ``n_degenerate``. ``events`` is
        the number of events (by the horizon for metrics at a horizon).

    Notes
    -----
    Degenerate predictions are warned about once per model: risks that are the same
    for every patient (to 1e-8; rank metrics are then 0.5 from ties alone and the
    calibration slope is undefined, "not computed") or that are all exactly 0 or 1
    (predicted classes, not probabilities). A horizon outside the follow-up, or a bad
    ``metric_params``, is refused before anything is computed.

    ``method`` is the same text :func:`metric_interval` gives for the same metric,
    whichever path computes the interval. When a percentile interval excludes its
    estimate (typical of the ICI on small or well-calibrated data, whose resampled
    values are biased upward), ``method`` says so in words, with the metric's
    reason; :func:`metric_interval` explains why that interval is kept.

    For repeated cross-validation the estimate is the mean over repeats of the
    metric of each repeat's out-of-fold predictions; the interval comes from a
    bootstrap of patients in which every replicate averages the metric over the
    repeats on the same resample (the repeats are not independent samples, so
    their spread is not used as a standard error).

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019.
       Chapter 17.
    .. [2] Riley RD, Archer L, Snell KIE, et al. Evaluation of clinical prediction
       models (part 2): how to undertake an external validation study. BMJ
       2024;384:e074820.

    Examples
    --------
    >>> from riskml.evaluation import evaluate_predictions
    >>> y = [0, 0, 1, 1, 0, 1, 0, 1]
    >>> table = evaluate_predictions(y, {"a": [0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6]},
    ...                              metrics=["auc"])
    >>> table.summary.loc[0, ["model", "metric", "method"]].tolist()
    ['a', 'auc', 'DeLong']
    """
    from ._metrics import check_metric_params, check_metrics

    function = "evaluate_predictions"
    outcome = check_outcome_argument(y, function)
    if method is not None:
        method = check_option(method, "method", ("bootstrap",), function)
    n_boot = _check_n_boot(n_boot, function)
    confidence = check_confidence_level(confidence, function)
    ci_type = check_option(ci_type, "ci_type", ("percentile", "bca"), function)
    check_random_state(random_state, function)
    n_jobs = check_n_jobs(n_jobs, function)
    if not isinstance(stratified, bool | np.bool_):
        raise TypeError(
            f"The 'stratified' parameter of {function} must be True (resample within "
            f"each class) or False (the plain bootstrap). Got {stratified!r} instead."
        )
    resolved = check_metrics(metrics, outcome.kind, horizon, function)
    if horizon is not None and outcome.is_survival:
        horizon = check_horizon_in_follow_up(horizon, outcome.time, function)
    metric_params = check_metric_params(metric_params, resolved, function)
    predictions = _check_predictions(predictions, len(outcome), function)
    events_by_horizon = events = int(outcome.event.sum())
    if outcome.is_survival and horizon is not None:
        events_by_horizon = int(np.sum(outcome.event & (outcome.time <= horizon)))

    options = {
        "horizon": horizon,
        "method": method,
        "n_boot": n_boot,
        "confidence": confidence,
        "ci_type": ci_type,
        "random_state": random_state,
        "n_jobs": n_jobs,
        "stratified": stratified,
        "metric_params": metric_params,
    }
    for name, matrix in predictions.items():
        _warn_degenerate_predictions(name, matrix, resolved, function)
    # each model's degenerate predictions were warned about once, just above
    with already_warned():
        shared = {}
        if not isinstance(random_state, np.random.Generator) and ci_type == "percentile":
            shared = _shared_bootstrap(
                outcome,
                predictions,
                resolved,
                method,
                n_boot,
                confidence,
                random_state,
                n_jobs,
                metric_params,
                stratified,
            )
        rows = []
        for name, matrix in predictions.items():
            probability = bool(np.all((matrix >= 0) & (matrix <= 1)))
            for metric in resolved:
                n_events = events_by_horizon if metric.needs_horizon else events
                row = {"model": name, "metric": metric.name, "n": len(outcome), "events": n_events}
                if metric.needs_probability and not probability:
                    rows.append(_not_computed(row, _NOT_PROBABILITIES))
                    continue
                ci = shared.get((name, metric.name))
                if ci is None or matrix.shape[0] > 1 and metric.name in _REPEATED_KERNELS:
                    ci = _interval_of(metric, outcome, matrix, options)
                if isinstance(ci, ValueError):  # undefined for these predictions: say why
                    rows.append(_not_computed(row, str(ci)))
                    continue
                rows.append(
                    {
                        **row,
                        "estimate": ci.estimate,
                        "low": ci.low,
                        "high": ci.high,
                        "method": ci.method,
                        "n_boot": ci.n_boot,
                        "n_degenerate": ci.n_degenerate,
                    }
                )
        columns = ["model", "metric", "estimate", "low", "high", "method", "n", "events"]
    return MetricTable(pd.DataFrame(rows, columns=[*columns, "n_boot", "n_degenerate"]))


# Rank metrics whose repeated predictions have a kernel of their own (the mean over
# repeats on each resample, with a jackknife for BCa): {name: the outcome's arrays}
_REPEATED_KERNELS = {
    "auc": lambda outcome: (outcome.event,),
    "harrell_c": lambda outcome: (outcome.time, outcome.event),
}


def _interval_of(metric, outcome, matrix, options: dict):
    """The interval of one model's predictions (``matrix``: one row per repeat) for one
    metric, or the ``ValueError`` that says why it is undefined."""

    def rng():
        # the same draws for every model: a fresh generator per call
        random_state = options["random_state"]
        if isinstance(random_state, np.random.Generator):
            return random_state
        return np.random.default_rng(random_state)

    if matrix.shape[0] > 1 and metric.name in _REPEATED_KERNELS:
        return _repeated_interval(
            metric.name,
            _REPEATED_KERNELS[metric.name](outcome),
            matrix,
            n_boot=options["n_boot"],
            confidence=options["confidence"],
            ci_type=options["ci_type"],
            rng=rng(),
            n_jobs=options["n_jobs"],
            strata=outcome.event if metric.name == "auc" and options["stratified"] else None,
        )
    from ._metrics import metric_interval

    try:
        return metric_interval(
            metric,
            outcome,
            matrix,
            horizon=options["horizon"],
            method=options["method"],
            n_boot=options["n_boot"],
            confidence=options["confidence"],
            random_state=rng(),
            n_jobs=options["n_jobs"],
            stratified=options["stratified"],
            **options["metric_params"].get(metric.name, {}),
        )
    except ValueError as error:
        return error
