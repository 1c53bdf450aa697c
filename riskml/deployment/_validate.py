"""The pieces of an external validation of a saved model: the outcome read from the
cohort, the horizon, the check that metrics are defined, recalibration advice and the
headings that name the interval methods used."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CommandError, InputError
from ._horizon import check_horizon

__all__ = ["comparison_heading", "interval_heading", "interval_method"]

#: recommend at least 100 events, and 100 non-events, for external validation).
FEW_EVENTS = 100

#: cohort whose ``--time`` is not in days.
TIME_UNITS = ((365.25, "years"), (30.4375, "months"), (7.0, "weeks"))


def _outcome(frame, outcome_column, time_column, source, competing: bool = False):

    from ..outcome import Outcome

    for column, flag in ((outcome_column, "--outcome"), (time_column, "--time")):
        if column is not None and column not in frame.columns:
            raise CommandError(
                f"{source} has no column {column!r} ({flag}); its columns include "
                f"{[str(c) for c in frame.columns][:20]}."
            )
    if time_column is not None and time_column == outcome_column:
        raise CommandError(
            f"--outcome and --time both name {outcome_column!r}; --outcome is the 0/1 event "
            "column and --time the follow-up in days. Fix: name two different columns."
        )
    event = pd.to_numeric(frame[outcome_column], errors="coerce")
    if competing:
        return _competing_outcome(frame, event, outcome_column, time_column, source)
    bad = ~event.isin((0, 1))
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1)[:5].tolist()
        raise CommandError(
            f"{source}: the outcome column {outcome_column!r} must be 1 (event) or 0 (no event) "
            f"in every row; {int(bad.sum())} row(s) are not (first rows: {rows}; rows count "
            "from 1 = the first data row). Fix: code the outcome 0/1 and drop rows without it."
        )
    if time_column is None:
        return Outcome.binary(event.to_numpy(int), name=outcome_column)
    time = pd.to_numeric(frame[time_column], errors="coerce")
    bad = ~((time > 0) & np.isfinite(time))
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1)[:5].tolist()
        raise CommandError(
            f"{source}: the follow-up time {time_column!r} must be a positive number of days in "
            f"every row; {int(bad.sum())} row(s) are not (first rows: {rows}). Fix: correct "
            "them or drop those rows."
        )
    return Outcome.survival(time.to_numpy(float), event.to_numpy(int), name=outcome_column)


def _competing_outcome(frame, event, outcome_column, time_column, source):
    """Outcome.competing from the event-type column (0 censored, 1 the event of
    interest, 2, 3, ... competing events) and the follow-up."""
    from ..outcome import Outcome

    if time_column is None:
        raise CommandError(
            "this model predicts the cumulative incidence of an event that competing events "
            "can pre-empt: validate it with --time (the follow-up in days) and an --outcome "
            "column of event types (0 censored, 1 the event of interest, 2, 3, ... competing "
            "events)."
        )
    bad = ~(np.isfinite(event) & (event >= 0) & (event == event.round()))
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1)[:5].tolist()
        raise CommandError(
            f"{source}: the outcome column {outcome_column!r} of a competing-risk model must "
            "be an event type in every row: 0 censored, 1 the event of interest, 2, 3, ... "
            f"competing events; {int(bad.sum())} row(s) are not (first rows: {rows})."
        )
    time = pd.to_numeric(frame[time_column], errors="coerce")
    bad = ~((time > 0) & np.isfinite(time))
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1)[:5].tolist()
        raise CommandError(
            f"{source}: the follow-up time {time_column!r} must be a positive number of days in "
            f"every row; {int(bad.sum())} row(s) are not (first rows: {rows})."
        )
    return Outcome.competing(time.to_numpy(float), event.to_numpy(int), name=outcome_column)


def _validation_horizon(horizon, info, y, time_column):
    """The horizon of a validation, or an error when it has no meaning."""
    kind = info.get("outcome_kind")
    no_horizon = info.get("horizon_days") is None
    if time_column is None and horizon is not None and kind == "binary" and no_horizon:
        raise InputError(
            "--horizon has no meaning here: the model predicts a binary outcome, "
            "P(event), and --outcome is a 0/1 column without --time. Fix: leave --horizon "
            "out, or pass --time with the follow-up column so that the label 'event by "
            "the horizon' is derived with censoring handled."
        )
    value = check_horizon(horizon, info, option="--horizon", labels=time_column is not None)
    if y.is_survival and value is None:
        raise CommandError(
            "a time-to-event validation needs --horizon DAYS (the model file stores none)."
        )
    if not y.is_survival and value is None and kind == "survival":
        raise CommandError(
            "this time-to-event model needs --horizon DAYS to give the risks a 0/1 outcome is "
            "compared with (the model file stores none). Fix: pass --horizon DAYS, the "
            "horizon at which --outcome was recorded."
        )
    return value


def _time_hint(time, followup, horizon) -> str:
    """' --time looks like years (...)' when a unit other than days explains the follow-up."""

    median = (followup or {}).get("median_days")
    here = float(np.median(time))
    if median and here > 0:
        for factor, unit in TIME_UNITS:
            if abs(math.log(here * factor / float(median))) < math.log(2.5):
                return (
                    f" --time looks like {unit} (median {here:.4g}; the training follow-up's "
                    f"median is {float(median):.4g} days): multiply it by {factor:g} to give days."
                )
    longest = float(np.max(time))
    if longest >= horizon:
        return ""
    fits = [(factor, unit) for factor, unit in TIME_UNITS if longest * factor >= horizon]
    if len(fits) == 1:
        factor, unit = fits[0]
        return (
            f" --time looks like {unit} (the longest follow-up, {longest:.4g}, is shorter than "
            f"the horizon of {horizon:g} days): multiply it by {factor:g} to give days."
        )
    if fits:
        return (
            " --time may not be in days: "
            + ", ".join(f"multiply it by {factor:g} if it is in {unit}" for factor, unit in fits)
            + "."
        )
    return ""


def _check_defined(y, horizon, source, followup):
    """Refuse a validation whose metrics are undefined: no events, or no non-events."""

    from ..outcome import horizon_label

    if y.is_survival:
        label = horizon_label(y.time, y.event, horizon)
        events, controls = int(np.sum(label == 1)), int(np.sum(label == 0))
        what = f" by day {horizon:g}"
        detail = (
            f" (follow-up runs from {float(np.min(y.time)):.4g} to {float(np.max(y.time)):.4g} "
            "days)"
        )
    else:
        events = int(np.sum(y.event))
        controls = len(y) - events
        what, detail = "", ""
    if events == 0 or controls == 0:
        missing = "events" if events == 0 else "patients without the event"
        if y.is_survival and controls == 0:
            missing = f"patients followed event-free to day {horizon:g}"
        raise CommandError(
            f"{source} has {events} event(s){what} and {controls} patient(s) without "
            f"one{detail}: with no {missing}, discrimination and calibration are undefined, "
            "so riskml gives no metric and no advice."
            + (_time_hint(y.time, followup, horizon) if y.is_survival else "")
            + " Fix: a cohort with both events and non-events"
            + (", or a horizon within its follow-up." if y.is_survival else ".")
        )
    return events, controls


def _defined(row) -> bool:
    return row is not None and all(
        isinstance(row.get(k), int | float) and math.isfinite(row[k])
        for k in ("estimate", "low", "high")
    )


def _advice(metrics: dict, events: int | None = None) -> list[str]:
    """Recalibration advice from the external calibration (Van Calster 2016 hierarchy).

    Only defined estimates (finite estimate and interval) are judged; an undefined
    one is named, and no advice is drawn from it.
    """
    advice = []
    undefined = []
    if events is not None and events < FEW_EVENTS:
        advice.append(
            f"Only {events} events: the intervals are wide and the advice below is tentative "
            f"(Riley et al. 2024 recommend at least {FEW_EVENTS} events for external "
            "validation)."
        )
    c = metrics.get("auc") or metrics.get("harrell_c")
    if c is not None and not _defined(c):
        undefined.append("discrimination")
    elif c is not None and c["high"] < 0.6:
        advice.append(
            f"Discrimination is poor (C {c['estimate']:.3f}, 95% CI up to {c['high']:.3f}): "
            "recalibration cannot fix ranking; revise or refit the model for this population."
        )
    intercept, slope, oe = _calibration_estimates(metrics, undefined)
    off_mean = intercept is not None and not (intercept["low"] <= 0 <= intercept["high"])
    off_slope = slope is not None and not (slope["low"] <= 1 <= slope["high"])
    if off_slope:
        kind = "too extreme (overfitting)" if slope["estimate"] < 1 else "too modest"
        advice.append(
            f"Calibration slope {slope['estimate']:.2f} (95% CI {slope['low']:.2f} to "
            f"{slope['high']:.2f}): predictions are {kind}. Logistic recalibration (new "
            "intercept and slope, riskml.evaluation.recalibrate_logistic) is indicated."
        )
    if off_mean:
        advice.append(_mean_advice(intercept, oe, off_slope))
    if undefined:
        advice.append(
            f"Undefined in this cohort: {', '.join(undefined)} (e.g. every predicted risk "
            "equal, or too few events); no advice is drawn from it."
        )
    judged = (intercept is not None) or (slope is not None)
    if not off_mean and not off_slope and judged:
        advice.append(
            "No recalibration is indicated: the intercept's CI includes 0 and the slope's CI "
            "includes 1 (with this sample size; small cohorts give wide intervals)."
        )
    if not judged:
        advice.append("No recalibration advice: no calibration metric is defined in this cohort.")
    return advice


def _calibration_estimates(metrics: dict, undefined: list):
    """The defined calibration intercept (log O:E for time to event), slope and O:E.

    Appends to ``undefined`` the name of each estimate that is undefined.
    """
    oe_row = metrics.get("o_e")
    intercept, slope = metrics.get("calibration_intercept"), metrics.get("calibration_slope")
    if intercept is not None and not _defined(intercept):
        undefined.append("the calibration intercept")
        intercept = None
    if intercept is None and oe_row is not None:  # time-to-event: judge the mean by O:E
        if _defined(oe_row) and min(oe_row["estimate"], oe_row["low"], oe_row["high"]) > 0:
            intercept = {
                "estimate": math.log(oe_row["estimate"]),
                "low": math.log(oe_row["low"]),
                "high": math.log(oe_row["high"]),
            }
        elif "calibration_intercept" not in metrics:
            undefined.append("the O:E ratio")
    if slope is not None and not _defined(slope):
        undefined.append("the calibration slope")
        slope = None
    oe = oe_row["estimate"] if oe_row and _defined(oe_row) else float("nan")
    return intercept, slope, oe


def _mean_advice(intercept: dict, oe: float, off_slope: bool) -> str:
    """The advice on calibration-in-the-large whose interval excludes 0."""
    direction = "under-estimates" if intercept["estimate"] > 0 else "over-estimates"
    return (
        f"Calibration-in-the-large (log O:E for a time-to-event outcome) "
        f"{intercept['estimate']:+.2f} (95% CI "
        f"{intercept['low']:+.2f} to {intercept['high']:+.2f})"
        + (f", O:E {oe:.2f}" if math.isfinite(oe) else "")
        + f": the model {direction} risk on average in this cohort. "
        + (
            "Update the intercept (riskml.evaluation.recalibrate_intercept)."
            if not off_slope
            else "The logistic recalibration above updates it too."
        )
    )


def interval_method(record) -> str:
    """A summary row's interval method, with the resamples of a bootstrap.

    Examples
    --------
    >>> from riskml.deployment import interval_method
    >>> interval_method({"method": "percentile bootstrap", "n_boot": 2000})
    'percentile bootstrap (2,000 resamples)'
    >>> interval_method({"method": "Wald"})
    'Wald'
    """
    method = str(record.get("method", "") or "not recorded")
    n_boot = record.get("n_boot")
    if (
        "bootstrap" in method.lower()
        and "replicates" not in method
        and n_boot is not None
        and n_boot == n_boot
        and n_boot > 0
    ):
        method += f" ({int(n_boot):,} resamples)"
    return method


def interval_heading(summary) -> str:
    """Which interval method served which metrics, read from the summary's ``method``.

    E.g. "percentile bootstrap (2000 resamples) for harrell_c, td_auc; Wald for
    calibration_slope, o_e": a heading never claims one method for rows computed
    by another.

    Examples
    --------
    >>> import pandas as pd
    >>> from riskml.deployment import interval_heading
    >>> summary = pd.DataFrame({"metric": ["harrell_c", "calibration_slope", "o_e"],
    ...                         "method": ["percentile bootstrap", "Wald", "Wald"],
    ...                         "n_boot": [2000, 0, 0]})
    >>> interval_heading(summary)
    'percentile bootstrap (2,000 resamples) for harrell_c; Wald for calibration_slope, o_e'
    """
    served: dict = {}
    for record in summary.to_dict("records"):
        # a heading names the method; why an estimate lies outside its own interval is
        # said beside that row
        method = interval_method(record).split("; the estimate lies ")[0]
        metrics = served.setdefault(method, [])
        if record["metric"] not in metrics:
            metrics.append(str(record["metric"]))
    return "; ".join(f"{method} for {', '.join(metrics)}" for method, metrics in served.items())


def comparison_heading(comparison, kind: str) -> str:
    """ "Paired bootstrap difference in Harrell's C against cox", from the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from riskml.deployment import comparison_heading
    >>> comparison = pd.DataFrame({"model": ["xgboost"], "reference": ["cox"],
    ...                            "metric": ["harrell_c"], "method": ["paired bootstrap"],
    ...                            "n_boot": [2000]})
    >>> comparison_heading(comparison, "survival")
    "Paired bootstrap (2,000 resamples) difference in Harrell's C against cox"
    """
    from ..evaluation import get_metric

    first = comparison.iloc[0]
    metric = str(first["metric"])
    try:
        label = get_metric(metric, kind).label
    except (KeyError, ValueError):
        label = metric
    method = interval_method(first.to_dict()) if "method" in comparison else "paired"
    return f"{method[:1].upper() + method[1:]} difference in {label} against {first['reference']}"


def _check_out_dir(out_dir, cohort_path=None) -> Path:
    """The results folder of ``riskml validate``: a folder, or one that can be created,
    and not the folder of the cohort file (results are never written beside the input
    data)."""
    out_dir = Path(out_dir)
    if cohort_path is not None and out_dir.resolve() == Path(cohort_path).resolve().parent:
        raise CommandError(
            f"--out {str(out_dir)!r} is the folder of the cohort file "
            f"{Path(cohort_path).name!r}; riskml never writes results beside the input data. "
            "Fix: give another folder, e.g. a new subfolder such as --out validation."
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise CommandError(f"--out {str(out_dir)!r} is a file; give a folder for the results.")
    if not out_dir.exists() and not out_dir.parent.is_dir():
        ancestor = out_dir.parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if ancestor.exists() and not ancestor.is_dir():
            raise CommandError(
                f"--out {str(out_dir)!r} cannot be created: {str(ancestor)!r} is a file, not a "
                "folder. Fix: give a folder inside an existing folder."
            )
        raise FileNotFoundError(
            f"the folder {str(out_dir.parent)!r} for --out does not exist; create it first."
        )
    return out_dir


def _markdown(info, y, table, advice, *, outcome, time, horizon, seed, report=None) -> list[str]:
    """The lines of ``validation.md``: the model, the cohort, the metrics, the advice and
    the name of the HTML report written beside it (``report``, when one is)."""
    from ..evaluation import get_metric

    names = {name: get_metric(name, y.kind).label for name in table["metric"]}
    lines = [
        "# External validation of a saved riskml model",
        "",
        f"- Model: {info.get('final_estimator')} (riskml {info.get('versions', {}).get('riskml')}, "
        f"saved {info.get('created_utc')})",
        f"- Validation cohort: {len(y)} rows, {int(np.sum(y.event))} events; outcome "
        f"`{outcome}`" + (f", time `{time}`, horizon {horizon:g} days" if time else ""),
        f"- 95% CIs by {interval_heading(table)} (seed {seed}).",
        "",
        "| Metric | Estimate | 95% CI | CI method |",
        "|---|---|---|---|",
    ]
    for r in table.to_dict("records"):
        ci = "" if not np.isfinite(r["low"]) else f"{r['low']:.3f} to {r['high']:.3f}"
        estimate = f"{r['estimate']:.3f}" if np.isfinite(r["estimate"]) else "undefined"
        lines.append(
            f"| {names.get(r['metric'], r['metric'])} | {estimate} | {ci} | "
            f"{interval_method(r) if ci else ''} |"
        )
    lines += ["", "## Recalibration advice", "", *(f"- {a}" for a in advice), ""]
    if report:
        lines += [
            f"The HTML report, {report}, shows these numbers with the model as saved, the "
            "validation cohort, the input checks, the ROC and calibration plots, the decision "
            "curve and the TRIPOD+AI checklist.",
            "",
        ]
    return lines
