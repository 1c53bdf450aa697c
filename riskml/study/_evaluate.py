"""A study's predictions evaluated: the summary (metrics with intervals, small-data
flags, fit issues), the paired comparison, calibration, the decision curve, subgroups,
fairness across groups and the external cohort.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._fits import fit_issue_note

__all__ = [
    "SMALL_DATA_EVENTS",
    "calibration_table",
    "compare_models",
    "decision_curve_table",
    "evaluate_external",
    "evaluate_fairness",
    "evaluate_subgroups",
    "summarise",
]

#: Fewer events (or non-events) than this make an estimate a small-data estimate.
SMALL_DATA_EVENTS = 10


def summarise(outcome, settings, evaluated, optimism, issues):
    """The summary table, the small-data warning (or None) and each model's fit-issue note.

    Parameters
    ----------
    evaluated : dict
        Model name -> predictions to evaluate (out-of-fold, or apparent).
    optimism : pandas.DataFrame or None
        The internal validation's table, merged in when given.
    issues : list of dict
        Fit-issue rows of every model.
    """
    from ..evaluation import evaluate_predictions

    summary = evaluate_predictions(outcome, evaluated, **settings.interval_options()).summary
    summary["small_data"], small_message = _small_data(summary, outcome, settings.horizon)
    if optimism is not None:
        summary = summary.merge(
            optimism[["model", "metric", "optimism", "corrected"]],
            on=["model", "metric"],
            how="left",
        )
        summary["method"] = "apparent (whole-cohort fit); " + summary["method"]
    notes = {
        name: fit_issue_note([row for row in issues if row["model"] == name])
        for name in settings.names
    }
    summary["fit_issues"] = summary["model"].map(notes).fillna("")
    return summary, small_message, notes


def _small_data(summary: pd.DataFrame, outcome, horizon) -> tuple[pd.Series, str | None]:
    """Which summary rows rest on fewer than 10 events or non-events, and the warning.

    A metric at the horizon counts the events by the horizon and the patients
    followed to it event-free (:func:`riskml.outcome.horizon_label`); the others
    count the events and the patients without one.
    """
    from ..evaluation import get_metric

    events = summary["events"].astype(int)
    non_events = summary["n"].astype(int) - events
    at_horizon = pd.Series(False, index=summary.index)
    if outcome.is_survival and horizon is not None:
        label = outcome.at_horizon(horizon)
        at_horizon = summary["metric"].map(
            lambda name: bool(getattr(get_metric(name, outcome.kind), "needs_horizon", False))
        )
        non_events = non_events.where(~at_horizon, int(np.sum(label == 0)))
    flags = (events < SMALL_DATA_EVENTS) | (non_events < SMALL_DATA_EVENTS)
    if not flags.any():
        return flags, None
    groups = {}
    for row in summary.index[flags]:
        key = (int(events[row]), int(non_events[row]), bool(at_horizon[row]))
        groups.setdefault(key, []).append(str(summary.loc[row, "metric"]))
    parts = []
    for (n_events, n_non, by_horizon), metrics in groups.items():
        if by_horizon:
            counts = (
                f"{n_events} patient(s) with the event by day {horizon:g} and {n_non} "
                "patient(s) event-free at the horizon"
            )
        elif outcome.is_survival:
            counts = f"{n_events} event(s) and {n_non} patient(s) without the event"
        else:
            counts = f"{n_events} event(s) and {n_non} non-event(s)"
        parts.append(f"{', '.join(dict.fromkeys(metrics))} rest on {counts}")
    message = (
        f"Small data: {'; '.join(parts)}: fewer than {SMALL_DATA_EVENTS} events or "
        "non-events, so their estimates and intervals are unstable (flagged small_data in "
        "the summary)."
    )
    return flags, message


def compare_models(settings, predictions, outcome) -> pd.DataFrame | None:
    """Each model against the reference: paired DeLong (AUC) or bootstrap (C)."""
    from ..evaluation import compare_auc, concordance_index, paired_bootstrap

    names = list(settings.names)
    if len(names) < 2:
        return None
    reference = settings.reference
    if outcome.is_competing:
        return _compare_competing(settings, predictions, outcome)
    if outcome.is_survival:
        table = paired_bootstrap(
            concordance_index,
            predictions,
            outcome.time,
            outcome.event,
            reference=reference,
            n_boot=settings.n_boot,
            random_state=settings.random_state,
            n_jobs=settings.metric_threads,
        )
        table["metric"] = "harrell_c"
        return table
    label = outcome.event.astype(int)
    rows = []
    for name in names:
        if name == reference:
            continue
        try:
            result = compare_auc(
                label,
                predictions[name].to_numpy(),
                predictions[reference].to_numpy(),
                method=settings.comparison,
                n_boot=settings.n_boot,
                random_state=settings.random_state,
                n_jobs=settings.metric_threads,
                stratified=settings.stratified_bootstrap,
            )
        except ValueError as error:
            if "zero variance" not in str(error):
                raise
            rows.append(_untestable(name, reference, label, predictions))
            continue
        rows.append(
            {
                "model": name,
                "reference": reference,
                "metric": "auc",
                "estimate": result.estimate_a,
                "reference_estimate": result.estimate_b,
                "difference": result.difference,
                "low": result.low,
                "high": result.high,
                "statistic": result.statistic,
                "p_value": result.p_value,
                "method": result.method,
                "n_boot": result.n_boot,
                "n_degenerate": result.n_degenerate,
            }
        )
    return pd.DataFrame(rows)


def _compare_competing(settings, predictions, outcome) -> pd.DataFrame:
    """Paired bootstrap of the time-dependent AUC of the event of interest at the
    horizon (competing events as controls, :func:`competing_time_dependent_auc`)."""
    from ..evaluation import competing_time_dependent_auc, paired_bootstrap

    horizon = settings.horizon
    params = dict(settings.metric_params.get("td_auc", {}))

    def td_auc(time, event_type, risk):
        return float(competing_time_dependent_auc(time, event_type, risk, [horizon], **params)[0])

    table = paired_bootstrap(
        td_auc,
        predictions,
        outcome.time,
        outcome.event_type,
        reference=settings.reference,
        n_boot=settings.n_boot,
        random_state=settings.random_state,
        n_jobs=settings.metric_threads,
    )
    table["metric"] = "td_auc"
    return table


def _untestable(name, reference, label, predictions) -> dict:
    """The comparison row of two models whose difference in AUC has no variance (they
    order the patients identically): both AUCs, no interval and no test, and why."""
    from ..evaluation import roc_auc

    estimate = roc_auc(label, predictions[name].to_numpy())
    reference_estimate = roc_auc(label, predictions[reference].to_numpy())
    return {
        "model": name,
        "reference": reference,
        "metric": "auc",
        "estimate": estimate,
        "reference_estimate": reference_estimate,
        "difference": estimate - reference_estimate,
        "low": np.nan,
        "high": np.nan,
        "statistic": np.nan,
        "p_value": np.nan,
        "method": "not tested: the difference in AUC has zero variance (both models "
        "order the patients identically)",
        "n_boot": 0,
        "n_degenerate": 0,
    }


def calibration_table(names, predictions, outcome, horizon) -> pd.DataFrame | None:
    """Predicted against observed risk by group of predicted risk, per model
    (:func:`riskml.evaluation.calibration_table`)."""
    from ..evaluation import calibration_table as table

    return table(outcome, predictions[list(names)], horizon)


def decision_curve_table(names, predictions, outcome, horizon) -> pd.DataFrame | None:
    """Net benefit by threshold (1% to 50%) of every model giving probabilities
    (:func:`riskml.evaluation.decision_curve_table`)."""
    from ..evaluation import decision_curve_table as table

    return table(outcome, predictions[list(names)], horizon)


def evaluate_subgroups(outcome, settings, predictions) -> pd.DataFrame | None:
    """The summary's metrics within each subgroup, from the out-of-fold predictions,
    through :func:`riskml.evaluation.subgroup_performance`."""
    from ..evaluation import subgroup_performance

    if not settings.subgroups:
        return None
    return subgroup_performance(
        outcome,
        predictions,
        settings.subgroups,
        overall=False,
        **settings.interval_options(),
    ).summary


#: Risk threshold of the net benefit compared across groups when the study sets none.
FAIRNESS_THRESHOLD = 0.1


def evaluate_fairness(outcome, settings, predictions):
    """Each group's discrimination, calibration and net benefit, and the largest
    between-group difference with its interval, from the out-of-fold predictions,
    through :func:`riskml.evaluation.fairness_summary` (None without subgroups).

    The net benefit is taken at the study's ``threshold`` (10% when none is set).
    """
    from ..evaluation import fairness_summary

    if not settings.subgroups:
        return None
    threshold = settings.metric_params.get("net_benefit", {}).get("threshold", FAIRNESS_THRESHOLD)
    return fairness_summary(
        outcome,
        predictions,
        settings.subgroups,
        horizon=settings.horizon,
        threshold=threshold,
        n_boot=settings.n_boot,
        random_state=settings.random_state,
        n_jobs=settings.metric_threads,
        stratified=settings.stratified_bootstrap,
    )


def evaluate_external(external, predictors, settings, fitted) -> pd.DataFrame | None:
    """Performance of the whole-cohort fits on the external cohort (None without one),
    through :func:`riskml.evaluation.external_validation` (every model on the same
    bootstrap resamples)."""
    from ..evaluation import external_validation

    if external is None:
        return None
    return external_validation(
        dict(fitted), external.features[predictors], external.outcome, **settings.interval_options()
    ).summary.assign(cohort=external.name)
