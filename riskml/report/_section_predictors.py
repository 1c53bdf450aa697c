"""Report sections on the predictors, their selection, the sample size and missing
data (TRIPOD+AI items 7-9).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..cohorts import MAX_TABLE_LEVELS, REPORT_MIN_COUNT
from ._common import _final, _reference_text, _step, hidden_levels, level_masker
from ._format import (
    fmt,
    fmt_count,
    fmt_setting,
    sentence,
)

# --- predictors, selection, sample size, missing data -------------------------------


def reference_levels(prep) -> dict:
    """Input column -> its reference level, where the one-hot encoding left one out.

    Read from the fitted preprocessing step's ``reference_levels_`` (empty without
    ``drop_first``); an empty dict when the step does not record it.
    """
    levels = getattr(prep, "reference_levels_", None)
    return dict(levels) if isinstance(levels, dict) else {}


def _describe_preprocessing(pipeline, hidden=None) -> str:
    """How a fitted pipeline imputes, encodes and scales, read from its steps (a
    reference level that Table 1 does not list is not named)."""
    hidden = hidden or {}
    prep = _step(pipeline, "preprocess")
    final = _final(pipeline)
    if prep is not None and hasattr(prep, "numeric_columns_"):
        parts = []
        if getattr(prep, "impute", True):
            numeric = "median imputation"
        else:
            numeric = "missing values passed to the model as missing"
        if getattr(prep, "add_indicator", False):
            numeric += ", a 0/1 missing-value indicator"
        if getattr(prep, "scale", False):
            numeric += ", standardised (mean 0, SD 1 in the training data)"
        parts.append(f"{len(prep.numeric_columns_)} numeric or 0/1 column(s): {numeric}")
        if prep.categorical_columns_:
            categorical = (
                "most-frequent-level imputation"
                if getattr(prep, "impute", True)
                else "a missing value as its own level"
            )
            references = reference_levels(prep)
            if references:
                listed = ", ".join(
                    f"{k} = {_reference_text(k, v, hidden)}" for k, v in references.items()
                )
                encoding = f"one-hot encoding with a reference level left out ({listed})"
            elif getattr(prep, "drop_first", False):
                encoding = "one-hot encoding with the first level of each left out as reference"
            else:
                encoding = "one-hot encoding of every level (no reference level)"
            parts.append(
                f"{len(prep.categorical_columns_)} categorical column(s): {categorical}, {encoding}"
            )
        if getattr(prep, "dropped_columns_", None):
            parts.append(f"dropped (unsupported type): {', '.join(prep.dropped_columns_)}")
        return "; ".join(parts) + "; learned inside each training fold"
    if hasattr(final, "impute_values_"):
        return (
            "published equation inputs only; a missing input takes the training cohort's "
            "median (measurements) or most frequent value (flags, sex)"
        )
    if prep is not None:
        return f"preprocessing step {type(prep).__name__}"
    return "the model's own handling (no preprocessing step)"


def candidate_predictors(result) -> list[str] | None:
    """The candidate predictors (the columns the models were given), or None if unknown.

    Read from the fitted pipelines (``feature_names_in_``) or the explanations, never
    from the cohort summary, which also lists context columns (names, dates...).
    """
    for pipeline in (getattr(result, "fitted_models", None) or {}).values():
        names = getattr(pipeline, "feature_names_in_", None)
        if names is None:
            names = getattr(_step(pipeline, "preprocess"), "feature_names_in_", None)
        if names is not None:
            return [str(c) for c in names]
    explanations = dict(getattr(result, "explanations", None) or {})
    if result.explanation is not None:
        explanations.setdefault("main", result.explanation)
    for explanation in explanations.values():
        values = getattr(explanation, "values", None)
        if isinstance(values, pd.DataFrame):
            return [str(c) for c in values.columns]
    return None


def predictors_section(result) -> dict:
    summary = dict(result.cohort_summary or {})
    names = candidate_predictors(result) or []
    hidden = hidden_levels(result)
    handling = [
        (str(name), _describe_preprocessing(pipeline, hidden))
        for name, pipeline in (getattr(result, "fitted_models", None) or {}).items()
    ]
    table = getattr(result, "table_one", None)
    table_one = None
    if table is not None and len(table):
        table_one = {
            "columns": [str(c) for c in table.columns],
            "rows": [
                [
                    "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                    for v in row
                ]
                for row in table.values
            ],
            "min_count": REPORT_MIN_COUNT,
            "max_levels": MAX_TABLE_LEVELS,
        }
    return {
        "n": summary.get("n_candidates", len(names) or None),
        "names": names,
        "handling": handling,
        "table_one": table_one,
    }


def _input_name(column: str, inputs: list[str]) -> str:
    """The input column a model column (one-hot level, indicator) comes from."""
    if column in inputs:
        return column
    matches = [name for name in inputs if column.startswith(f"{name}_")]
    return max(matches, key=len) if matches else column


def selection_section(result) -> dict:
    settings = dict(result.settings or {})
    selection = settings.get("selection")
    if selection in (None, "none"):
        selection_text = "none: every candidate predictor entered each learned model"
    else:
        selection_text = (
            f"{fmt_setting(selection)}, refitted inside every training fold (and once on "
            "the whole cohort for the final model)"
        )
    frequency = getattr(result, "selection_frequency", None)
    mask = level_masker(result)
    stability = None
    if isinstance(frequency, pd.DataFrame) and len(frequency):
        wide = frequency.pivot_table(
            index="feature", columns="model", values="frequency", aggfunc="first", sort=False
        )
        fits = frequency.groupby("model", sort=False)["fits"].first()
        rows = []
        order = wide.max(axis=1).sort_values(ascending=False, kind="stable").index
        for feature in order:
            rows.append(
                [mask(str(feature))]
                + [
                    "—" if pd.isna(wide.loc[feature, m]) else f"{100 * wide.loc[feature, m]:.0f}%"
                    for m in wide.columns
                ]
            )
        stability = {
            "columns": ["Feature"] + [f"{m} ({int(fits[m])} fits)" for m in wide.columns],
            "rows": rows,
        }
    used = []
    for name, pipeline in (getattr(result, "fitted_models", None) or {}).items():
        used.append((str(name), mask(_features_used(result, name, pipeline))))
    return {"text": sentence(selection_text), "stability": stability, "used": used}


def _features_used(result, name, pipeline) -> str:
    from ..features import selected_features

    explanation = (getattr(result, "explanations", None) or {}).get(name)
    inputs = list(explanation.values.columns) if explanation is not None else []
    try:
        kept = selected_features(pipeline)
    except Exception:  # noqa: BLE001 - display only
        kept = None
    if kept is not None:
        columns = list(dict.fromkeys(_input_name(str(c), inputs) for c in kept))
        return f"{len(columns)}: {', '.join(columns)} (selected on the whole cohort)"
    if explanation is not None:
        used = list(explanation.features_used)
        return f"{len(used)}: {', '.join(used)}"
    final = _final(pipeline)
    names = getattr(final, "feature_names_in_", None)
    if names is not None:
        return f"{len(names)} model column(s)"
    return "not recorded"


#: Column headings of the Riley et al. criteria table (SampleSizeResult.criteria).
CRITERIA_HEADINGS = {
    "criterion": "Criterion",
    "n": "Patients needed",
    "shrinkage": "Expected shrinkage factor",
    "events": "Events needed",
    "events_per_parameter": "Events per candidate parameter needed",
}


def _needed(value) -> str:
    """A number of patients or events needed: a whole number, rounded up."""
    if fmt(value) == "—":
        return "—"
    return f"{math.ceil(float(value) - 1e-9):,}"


def _criteria_table(criteria: pd.DataFrame) -> dict:
    rows = []
    for record in criteria.to_dict("records"):
        cells = []
        for column, value in record.items():
            if column == "n":
                cells.append(_needed(value))
            elif column == "events":
                cells.append(fmt_count(value))
            elif column == "events_per_parameter":
                cells.append(fmt(value, 1))
            elif column == "shrinkage":
                cells.append(fmt(value, 2))
            elif isinstance(value, float | np.floating):
                cells.append(fmt(value))
            else:
                cells.append("" if value is None else str(value))
        rows.append(cells)
    columns = [
        CRITERIA_HEADINGS.get(str(c), sentence(str(c).replace("_", " "))) for c in criteria.columns
    ]
    return {"columns": columns, "rows": rows}


def events_per_parameter(result) -> dict | None:
    """The one events-per-parameter figure of the report, with its definition.

    Read from ``result.sample_size`` (the study's): the smaller of events and
    non-events, by the horizon for a time-to-event study with a horizon (over the
    whole follow-up without one), per candidate predictor parameter.
    """
    info = dict(getattr(result, "sample_size", None) or {})
    value = info.get("events_per_parameter")
    if value is None:
        return None
    events, non_events = info.get("events"), info.get("non_events")
    parameters = info.get("candidate_parameters")
    outcome, horizon = result.outcome, result.horizon
    if outcome.is_survival and horizon is not None:
        when = f"by the horizon ({float(horizon):g} days)"
        others = "patients event-free at the horizon"
    elif outcome.is_survival:
        when = "over the whole follow-up"
        others = "censored patients"
    else:
        when = ""
        others = "non-events"
    if events is not None and non_events is not None and parameters:
        smaller = min(int(events), int(non_events))
        which = "events" if int(events) <= int(non_events) else others
        definition = (
            f"{smaller:,} {which} {when} / {int(parameters):,} candidate predictor "
            f"parameters (the smaller of events and {others})"
        ).replace("  ", " ")
    else:
        definition = "events (or non-events, whichever are fewer) per candidate parameter"
    return {"value": fmt(value, 1), "number": float(value), "definition": definition}


def sample_size_section(result) -> dict | None:
    info = dict(getattr(result, "sample_size", None) or {})
    if not info:
        return None
    outcome, horizon = result.outcome, result.horizon
    if outcome.is_survival and horizon is not None:
        events, non_events = (
            f"Events by the horizon ({float(horizon):g} days)",
            "Event-free at the horizon",
        )
    elif outcome.is_survival:
        events, non_events = "Events over the whole follow-up", "Censored without an event"
    else:
        events, non_events = "Events", "Non-events"
    labels = {
        "n": "Patients",
        "events": events,
        "non_events": non_events,
        "candidate_parameters": "Candidate predictor parameters",
        "minimum_n": "Minimum sample size (Riley et al.)",
        "minimum_events": "Minimum number of events (expected at that size)",
        "anticipated_r2_cs": "Anticipated Cox-Snell R²",
    }
    rows = []
    for key, label in labels.items():
        value = info.get(key)
        if value is None:
            continue
        if key == "anticipated_r2_cs":
            rows.append((label, fmt(value, 3)))
        elif key == "minimum_n":
            rows.append((label, _needed(value)))
        else:
            rows.append((label, fmt_count(value)))
        if key == "candidate_parameters":
            epp = events_per_parameter(result)
            if epp is not None:
                rows.append(("Events per candidate parameter", epp["value"]))
    criteria = info.get("criteria")
    epp = events_per_parameter(result)
    return {
        "rows": rows,
        "epp_definition": None if epp is None else epp["definition"],
        "criteria": _criteria_table(criteria)
        if isinstance(criteria, pd.DataFrame) and len(criteria)
        else None,
        "judgement": sentence(str(info.get("judgement", "not recorded"))),
        "note": info.get("note"),
    }


def missing_section(result) -> dict:
    summary = dict(result.cohort_summary or {})
    n = int(summary.get("n", len(result.outcome)))
    rows = []
    missing = summary.get("missing")
    if isinstance(missing, pd.DataFrame) and "missing" in missing.columns:
        predictors = candidate_predictors(result)
        if predictors is not None:  # context columns (names, dates) are never listed
            missing = missing[missing.index.astype(str).isin(predictors)]
        table = missing[missing["missing"] > 0].copy()
        table["_name"] = table.index.astype(str)
        # a count below REPORT_MIN_COUNT is suppressed, as in Table 1 (and sorted with the
        # other suppressed ones, by name, so that the order does not rank them)
        table["_small"] = table["missing"] < REPORT_MIN_COUNT
        table["_key"] = table["missing"].where(~table["_small"], 0)
        table = table.sort_values(["_key", "_name"], ascending=[False, True], kind="stable")
        for name, row in table.iterrows():
            if row["_small"]:
                bound = 100 * REPORT_MIN_COUNT / max(n, 1)
                rows.append((str(name), f"<{REPORT_MIN_COUNT}", f"<{bound:.1f}%"))
                continue
            percent = row["percent"] if "percent" in table.columns else 100 * row["missing"] / n
            rows.append((str(name), f"{int(row['missing']):,}", f"{percent:.1f}%"))
    return {
        "rows": rows,
        "recorded": isinstance(missing, pd.DataFrame),
        "suppressed": any(count.startswith("<") for _, count, _ in rows),
        "min_count": REPORT_MIN_COUNT,
    }
