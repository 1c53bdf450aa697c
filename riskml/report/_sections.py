"""The sections of the validation report, keyed to TRIPOD+AI (Collins et al. 2024).

Each builder reads a finished study (a :class:`riskml.study.StudyResult` or an object
with the same attributes) and returns the plain values its template block shows, or
None when the study has nothing for it. Nothing is computed here that the study did
not compute, except the figures, the display of what the fitted pipelines hold and the
counts at the horizon (``Outcome.at_horizon``); the Kaplan-Meier risk by the horizon
comes from ``Cohort.describe(horizon=)`` through ``result.cohort_summary``.

One story: each figure is stated once, from one source, with its definition. Events
per candidate parameter come from ``result.sample_size`` only (the smaller of events
and non-events, by the horizon in a horizon study); the event rate beside a horizon
is the risk by the horizon, the all-follow-up proportion labelled as such; interval
methods are read from each row's ``method`` (never assumed), the comparison method
from ``result.comparison``, penalties from the fitted estimator (the one used, not
the one requested), and fit issues from ``result.fit_issues`` and the whole-cohort
fit's ``fit_issues_``.

References
----------
Collins GS, Moons KGM, Dhiman P, et al. TRIPOD+AI statement: updated guidance for
reporting clinical prediction models that use regression or machine learning
methods. BMJ 2024;385:e078378.
"""

from __future__ import annotations

import contextlib
import math
import platform
import re
from importlib import metadata

import numpy as np
import pandas as pd

from ..cohorts import MAX_TABLE_LEVELS, REPORT_MIN_COUNT
from ._figures import check_labels, draw_decision_curve, plot_roc, plot_shap_importance
from ._format import (
    fmt,
    fmt_ci,
    fmt_count,
    fmt_number,
    fmt_p,
    fmt_setting,
    fmt_value,
    metric_label,
    new_figure,
    outcome_name,
    outcome_words,
    png,
    sentence,
)

#: Columns shown as whole numbers.
COUNT_COLUMNS = {"n", "events", "fits", "n_boot", "excluded", "remaining", "n_degenerate"}
TOP_SHAP = 15
TOP_PATIENT = 10
TOP_COEFFICIENTS = 40
#: Risk thresholds at which the net benefit is tabulated.
NET_BENEFIT_THRESHOLDS = (0.05, 0.10, 0.20)
CALIBRATION_METRICS = ("calibration_intercept", "calibration_slope", "o_e", "ici")
OVERALL_METRICS = ("brier", "ipa")
DISCRIMINATION_METRICS = ("auc", "harrell_c", "uno_c", "td_auc", "auc_at_horizon")
#: Packages whose versions the reproducibility section lists.
PACKAGES = (
    "riskml",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "xgboost",
    "lifelines",
    "shap",
    "matplotlib",
)


def _table(frame: pd.DataFrame | None, columns=None) -> dict | None:
    """A DataFrame as {columns, rows} of display strings (numbers to 3 decimals)."""
    if frame is None or len(frame) == 0:
        return None
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, record, strict=False):
            if (
                str(column) in COUNT_COLUMNS
                and isinstance(value, float | np.floating)
                and float(value).is_integer()
            ):
                cells.append(f"{int(value):,}")
            elif isinstance(value, float | np.floating):
                cells.append(fmt(value))
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                cells.append("")
            else:
                cells.append(str(value))
        rows.append(cells)
    return {"columns": [str(c) for c in frame.columns], "rows": rows}


def _step(pipeline, name):
    steps = dict(getattr(pipeline, "steps", []) or [])
    return steps.get(name)


def _final(pipeline):
    steps = getattr(pipeline, "steps", None)
    return steps[-1][1] if steps else pipeline


# --- levels the report never prints ------------------------------------------------------

#: What the report prints instead of a category level that Table 1 does not list.
UNLISTED_LEVEL = "a level not listed"


def _listed_levels(result) -> dict:
    """Input column -> the levels Table 1 lists by name (an empty set: none of them).

    Table 1 (``Cohort.table_one(min_count=REPORT_MIN_COUNT)``) lists no level of a
    categorical with more than ``MAX_TABLE_LEVELS`` levels and shows levels seen in
    fewer than ``REPORT_MIN_COUNT`` patients together as "other (k levels)"; the
    rest of the report follows it, so that a rare level (a postcode, a date) that
    singles a patient out is printed nowhere.
    """
    table = getattr(result, "table_one", None)
    if not isinstance(table, pd.DataFrame) or not len(table):
        return {}
    listed = {}
    for variable, rows in table.groupby("variable", sort=False):
        statistics = set(rows["statistic"].astype(str))
        if "distinct levels" in statistics:
            listed[str(variable)] = set()
        elif "n (%)" in statistics:
            listed[str(variable)] = {
                str(level) for level in rows["level"] if not str(level).startswith("other (")
            }
    return listed


def hidden_levels(result) -> dict:
    """Input column -> the levels (as text) that the fitted models know but Table 1 does
    not list: the report never prints them."""
    listed = _listed_levels(result)
    hidden = {}
    for pipeline in (getattr(result, "fitted_models", None) or {}).values():
        levels = getattr(_step(pipeline, "preprocess"), "levels_", None)
        if not isinstance(levels, dict):
            continue
        for column, values in levels.items():
            if str(column) not in listed:
                continue
            for level in values:
                if str(level) not in listed[str(column)]:
                    hidden.setdefault(str(column), set()).add(str(level))
    return hidden


def level_masker(result):
    """A function that replaces, in a text, every mention of a level that Table 1
    does not list: a model column (``area_AB12``), ``area (AB12)`` and ``area = AB12``
    all become ``area (a level not listed)``."""
    hidden = hidden_levels(result)
    names = {}
    for column, levels in hidden.items():
        for level in levels:
            for form in (f"{column}_{level}", f"{column} ({level})", f"{column} = {level}"):
                names[form] = f"{column} ({UNLISTED_LEVEL})"
    if not names:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda m: names[m.group(0)], str(text))


def _reference_text(column, level, hidden: dict) -> str:
    if str(level) in hidden.get(str(column), ()):
        return UNLISTED_LEVEL
    return fmt_value(level)


# --- source of data, participants, outcome -------------------------------------------


def horizon_counts(outcome, horizon) -> dict:
    """Events by the horizon, event-free at it, and censored before it without one."""
    labels = outcome.at_horizon(float(horizon))
    return {
        "events": int(np.sum(labels == 1)),
        "event_free": int(np.sum(labels == 0)),
        "censored": int(np.sum(np.isnan(labels))),
    }


def cohort_section(result) -> dict:
    summary = dict(result.cohort_summary or {})
    outcome = result.outcome
    horizon = result.horizon
    n = int(summary.get("n", len(outcome)))
    events = int(summary.get("events", int(np.sum(outcome.event))))
    rate = summary.get("event_rate", events / n if n else float("nan"))
    rows = [("Patients (n)", f"{n:,}")]
    if not outcome.is_survival:
        rows += [
            ("Events", f"{events:,}"),
            ("Event rate", f"{100 * rate:.1f}%"),
            ("Outcome", "binary"),
        ]
    elif horizon is None:
        rows += [
            ("Events over the whole follow-up", f"{events:,} ({100 * rate:.1f}% of patients)"),
            ("Outcome", "time to event (no prediction horizon)"),
        ]
    else:
        days = f"{float(horizon):g} days"
        counts = horizon_counts(outcome, horizon)
        rows += [
            ("Prediction horizon", days),
            (f"Events by {days}", f"{counts['events']:,}"),
        ]
        risk = summary.get("risk_by_horizon")
        if risk is not None and np.isfinite(risk):
            rows.append((f"Risk of the event by {days} (Kaplan-Meier)", f"{100 * risk:.1f}%"))
        rows += [
            (
                "Events over the whole follow-up (any time)",
                f"{events:,} ({100 * rate:.1f}% of patients)",
            ),
            ("Outcome", "time to event"),
        ]
    if outcome.is_survival:
        median = summary.get("followup_median_days", float(np.median(outcome.time)))
        low, high = summary.get(
            "followup_iqr_days",
            (float(np.percentile(outcome.time, 25)), float(np.percentile(outcome.time, 75))),
        )
        rows.append(("Follow-up, median (IQR)", f"{median:.0f} days ({low:.0f}–{high:.0f})"))
    if "n_candidates" in summary:
        rows.append(("Candidate predictors", str(summary["n_candidates"])))
    # Events per candidate parameter: one figure, in the sample-size section.
    flow = getattr(result, "flow", None)
    if not isinstance(flow, pd.DataFrame) or len(flow) == 0:
        flow = getattr(getattr(result, "cohort", None), "flow", None)
    return {
        "name": str(result.cohort_name),
        "source": str(result.cohort_source or ""),
        "rows": rows,
        "flow": _table(flow) if isinstance(flow, pd.DataFrame) else None,
        "synthetic": "synthetic" in f"{result.cohort_name} {result.cohort_source}".lower(),
    }


def _outcome_phrase(result) -> tuple[str, str, bool]:
    """The outcome as the table names it, as a sentence names it, and whether it is named.

    An outcome left with the default name ``"outcome"`` is described by its cohort
    ("the event recorded in <cohort>"), never quoted as 'outcome'.
    """
    name = outcome_name(result.outcome)
    if name is not None:
        return name, f"'{name}'", True
    cohort = str(getattr(result, "cohort_name", "") or "").strip()
    where = f"the event recorded in {cohort}" if cohort and cohort != "cohort" else "the event"
    return f"{where} (the outcome was given no name)", where, False


def outcome_section(result) -> dict:
    outcome = result.outcome
    horizon = result.horizon
    label, name, named = _outcome_phrase(result)
    rows = [("Outcome", label), ("Type", "time to event" if outcome.is_survival else "binary")]
    if not outcome.is_survival:
        text = (
            f"Binary outcome {name if named else f'({name})'}: 1 when the event was "
            "recorded, 0 otherwise, as "
            "coded in the cohort; no follow-up time is used. Models predict the "
            "probability of the event."
        )
        return {"rows": rows, "text": text}
    rows.append(("Follow-up", "days from the index date to the event or to censoring"))
    if horizon is None:
        text = (
            f"Time to {name} with right censoring; no horizon was set, so time-to-event "
            "models are compared by Harrell's C over the whole follow-up and their output "
            "is a relative risk score, not a probability."
        )
        return {"rows": rows, "text": text}
    counts = horizon_counts(outcome, horizon)
    rows += [
        ("Horizon", f"{float(horizon):g} days"),
        ("Events by the horizon", f"{counts['events']:,}"),
        ("Event-free at the horizon", f"{counts['event_free']:,}"),
        ("Censored before the horizon without an event", f"{counts['censored']:,}"),
    ]
    text = (
        f"Predicted quantity: the risk of {name} by {float(horizon):g} days, P(event by "
        "the horizon). An event at or before the horizon counts as an event. A patient "
        "counts as event-free at the horizon when follow-up reaches it without an event. "
        "A patient censored before the horizon without an event is not evaluable there: "
        "metrics at the horizon weight the evaluable patients by the inverse probability "
        "of censoring (IPCW) or use the Kaplan-Meier estimate, and models that learn a "
        "binary label leave such patients out of their training fold instead of counting "
        "them as event-free."
    )
    return {"rows": rows, "text": text}


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


# --- model specification -------------------------------------------------------------


def _params(estimator) -> list[tuple[str, str]]:
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # noqa: BLE001 - display only
        return []
    return [(str(k), fmt_setting(v, 120)) for k, v in sorted(params.items())]


def describe_penalty(final) -> str | None:
    """The penalty the fitted model used, named and formatted for a reader.

    Reads the fitted value (``penalizer_used_`` of a Cox model, ``penalizer_`` of a
    LASSO Cox, ``C_`` of a logistic or LASSO model), never the requested one: an
    unpenalised Cox fit that met separation is refitted with a small ridge, and a
    penalty chosen by inner cross-validation is known only after the fit. None when
    the model has no penalty to report.
    """
    l1 = getattr(final, "l1_ratio", None)
    if getattr(final, "penalizer_used_", None) is not None:
        used = float(final.penalizer_used_)
        if used == 0:
            return "none (unpenalised partial likelihood)"
        text = f"{_penalty_kind(l1)} penalty λ = {fmt_number(used)} (lifelines penalizer)"
        requested = getattr(final, "penalizer", used)
        if requested is not None and float(requested) != used:
            text += (
                f", not the {fmt_number(requested)} requested: the requested fit failed "
                "(see the fit issues above)"
            )
        return text
    if getattr(final, "penalizer_", None) is not None:
        text = (
            f"{_penalty_kind(1.0 if l1 is None else l1)} penalty λ = "
            f"{fmt_number(final.penalizer_)} (lifelines penalizer"
        )
        cv = getattr(final, "cv", None)
        if cv:
            text += f"; chosen by {cv}-fold cross-validation on Harrell's C"
        return text + ")"
    C = getattr(final, "C_", None)
    if C is None:
        return None
    C = float(C)
    if math.isinf(C):
        return "none (maximum likelihood)"
    penalty = getattr(final, "penalty", None)
    if penalty == "l2":
        kind = "ridge (L2)"
    elif penalty == "l1" or getattr(final, "Cs_", None) is not None:
        kind = "LASSO (L1)"
    else:
        kind = str(penalty or "")
    text = f"{kind} inverse penalty C = {fmt_number(C)} (λ = 1/C = {fmt_number(1 / C)}".strip()
    cv = getattr(final, "cv", None)
    if cv:
        text += f"; chosen by {cv}-fold cross-validation on AUC"
    return text + ")"


def _penalty_kind(l1_ratio) -> str:
    l1 = float(l1_ratio or 0.0)
    if l1 == 0:
        return "ridge (L2)"
    if l1 == 1:
        return "LASSO (L1)"
    return f"elastic-net (L1 share {l1:g})"


def _unpenalised(final) -> bool:
    used = getattr(final, "penalizer_used_", None)
    return used is not None and float(used) == 0.0


def _one_hot_levels(prep) -> dict:
    """Model column -> (input column, level) for the one-hot columns of ``prep``."""
    levels = getattr(prep, "levels_", None)
    if not isinstance(levels, dict):
        return {}
    return {
        f"{column}_{level}": (str(column), level)
        for column, values in levels.items()
        for level in values
    }


def _coefficients(pipeline, outcome, hidden=None) -> dict | None:
    """The coefficient table of a fitted pipeline; the levels in ``hidden`` (input column
    -> levels that Table 1 does not list) are summarised in one row per column."""
    hidden = hidden or {}
    final = _final(pipeline)
    coef = getattr(final, "coef_", None)
    if coef is None or getattr(final, "impute_values_", None) is not None:
        return None
    try:
        coef = pd.Series(np.ravel(np.asarray(coef, dtype=float)), index=_coef_index(final, coef))
    except (TypeError, ValueError):
        return None
    prep = _step(pipeline, "preprocess")
    scaled = bool(getattr(prep, "scale", False))
    numeric = set(getattr(prep, "numeric_columns_", []) or [])
    references = reference_levels(prep)
    one_hot = _one_hot_levels(prep)
    survival = getattr(final, "outcome_kind", "") == "survival" or type(final).__name__ in (
        "CoxPH",
        "LassoCox",
    )
    ratio = "hazard ratio" if survival else "odds ratio"
    # Wald 95% CIs and p-values where the model has them and they mean what they
    # say: an unpenalised Cox fit (CoxPH.summary, as R's summary(coxph(...))).
    inference = None
    table = getattr(final, "summary", None) if _unpenalised(final) else None
    if isinstance(table, pd.DataFrame) and {"hr_low", "hr_high", "p"} <= set(table.columns):
        inference = table.set_axis([str(c) for c in table.index])
    shown = coef[coef != 0]
    shown = shown.reindex(shown.abs().sort_values(ascending=False, kind="stable").index)
    unlisted = {}  # input column -> coefficients of its unlisted levels
    keep = []
    for column, value in shown.items():
        source = one_hot.get(str(column))
        is_unlisted = source is not None and str(source[1]) in hidden.get(source[0], ())
        if is_unlisted:
            unlisted.setdefault(source[0], []).append(float(value))
        keep.append(not is_unlisted)
    shown = shown[np.asarray(keep, dtype=bool)]
    rows = []
    for column, value in shown.head(TOP_COEFFICIENTS).items():
        column = str(column)
        if column in numeric:
            unit = "per SD of the standardised input" if scaled else "per unit of the input"
        elif column.endswith("_missing"):
            unit = "missing vs observed"
        elif column in one_hot and one_hot[column][0] in references:
            source, level = one_hot[column]
            reference = _reference_text(source, references[source], hidden)
            unit = f"{source} {fmt_value(level)} vs {reference} (reference)"
        elif getattr(prep, "drop_first", False):
            unit = "level vs the reference level left out (one-hot)"
        else:
            unit = "level present vs absent (one-hot)"
        # a coefficient per unit of a large-valued input (platelets per mL) is tiny
        shown_coef = f"{value:+.3f}" if abs(value) >= 5e-4 else f"{value:+.2e}"
        row = [column, shown_coef, fmt(math.exp(value))]
        if inference is not None:
            if column in inference.index:
                record = inference.loc[column]
                row += [fmt_ci(record["hr_low"], record["hr_high"]), fmt_p(record["p"])]
            else:
                row += ["—", "—"]
        rows.append((*row, unit))
    for source, values in unlisted.items():
        low, high = min(values), max(values)
        row = [
            f"{source} ({len(values)} level{'s' if len(values) > 1 else ''} not listed)",
            f"{low:+.3f} to {high:+.3f}",
            f"{fmt(math.exp(low))} to {fmt(math.exp(high))}",
        ]
        if inference is not None:
            row += ["—", "—"]
        rows.append(
            (
                *row,
                "levels that Table 1 does not list (seen in fewer than "
                f"{REPORT_MIN_COUNT} patients, or one of more than {MAX_TABLE_LEVELS} levels), "
                "each vs the reference: not named, so that no rare value is printed",
            )
        )
    intercept = getattr(final, "intercept_", None)
    penalty = describe_penalty(final)
    return {
        "ratio": ratio,
        "inference": inference is not None,
        "rows": rows,
        "n_zero": int((coef == 0).sum()),
        "n_total": len(coef),
        "intercept": None if intercept is None else f"{float(intercept):+.3f}",
        "penalty": penalty,
        "penalised": penalty is not None and not penalty.startswith("none"),
        "no_inference": (
            "No 95% CIs or p-values: the fit is penalised, and the Wald intervals of a "
            "penalised fit ignore its shrinkage"
            if survival and inference is None
            else None
        ),
        "scaled": scaled,
        "truncated": len(shown) > TOP_COEFFICIENTS,
    }


def _coef_index(final, coef):
    if isinstance(coef, pd.Series):
        return [str(c) for c in coef.index]
    names = getattr(final, "feature_names_in_", None)
    if names is None:
        return [f"x{i}" for i in range(np.size(coef))]
    return [str(c) for c in names]


def _framingham(pipeline, horizon) -> dict | None:
    final = _final(pipeline)
    if not hasattr(final, "recalibration_"):
        return None
    from ..models.scores import EQUATIONS

    equation = EQUATIONS.get(getattr(final, "model", ""), None)
    ages = getattr(equation, "age_range", None)
    rows = [
        ("Published equation", str(getattr(final, "model", ""))),
        ("Form", "risk = 1 - S0 ^ exp(sum(beta x) - mean), sex-specific coefficients"),
    ]
    if ages is not None:
        rows.append(("Derivation ages", f"{ages[0]:g}–{ages[1]:g} years"))
    method = final.recalibration_
    if method is None:
        rows.append(("Recalibration", "none: published 10-year baseline and means"))
    elif method == "km":
        rows.append(
            (
                "Recalibration",
                "Kaplan-Meier baseline survival of the training cohort at the horizon and "
                "the cohort's mean linear predictor, per sex (D'Agostino 2001); coefficients "
                "kept as published; refitted inside each training fold",
            )
        )
        for sex, value in sorted((getattr(final, "baseline_survival_", None) or {}).items()):
            rows.append((f"Baseline survival S0 at the horizon ({sex})", fmt(value, 4)))
        for sex, value in sorted((getattr(final, "mean_linear_predictor_", None) or {}).items()):
            rows.append((f"Mean linear predictor ({sex})", fmt(value, 4)))
    else:
        rows.append(
            (
                "Recalibration",
                "logistic: risk = expit(a + b logit(published risk)); refitted inside each "
                "training fold",
            )
        )
        rows.append(("Intercept a", fmt(getattr(final, "calibration_intercept_", None))))
        rows.append(("Slope b", fmt(getattr(final, "calibration_slope_", None))))
    if getattr(final, "horizon_", None) is not None:
        rows.append(("Horizon of the risks", f"{float(final.horizon_):g} days"))
    return {"rows": rows}


def _fit_issue_records(result, name=None) -> list[dict]:
    """The rows of ``result.fit_issues`` (all, or one model's); [] when every fit was clean."""
    table = getattr(result, "fit_issues", None)
    if not isinstance(table, pd.DataFrame) or len(table) == 0:
        return []
    records = table.to_dict("records")
    return [r for r in records if name is None or str(r.get("model")) == str(name)]


def _issue_text(issue) -> str:
    text = str(issue).strip()
    return text if text.endswith(".") else text + "."


def _fit_issue_count(record) -> str:
    """ "3 of 11 fits, including the whole-cohort fit ..." for one row of fit_issues."""
    counts = f"{fmt_count(record.get('fits'))} of {fmt_count(record.get('of'))} fits"
    if bool(record.get("whole_cohort", False)):
        return counts + ", including the whole-cohort fit that is reported, explained and deployed"
    return counts + "; not the whole-cohort fit"


def _whole_cohort_issues(pipeline) -> list[str]:
    """The sentences the whole-cohort fit recorded (``fit_issues_``), if it records them."""
    found = []
    for holder in (pipeline, _final(pipeline)):
        issues = getattr(holder, "fit_issues_", None)
        if isinstance(issues, str):
            issues = [issues]
        for issue in issues or []:
            if str(issue) not in found:
                found.append(str(issue))
    return found


def fit_issue_items(result, name, pipeline=None) -> list[str]:
    """One line per fit issue of model ``name``: its counts, then the sentence (a model
    column of a level that Table 1 does not list is not named)."""
    items, seen = [], set()
    mask = level_masker(result)
    for record in _fit_issue_records(result, name):
        items.append(f"{_fit_issue_count(record)}: {mask(_issue_text(record['issue']))}")
        seen.add(str(record["issue"]).strip())
    if pipeline is not None:
        for issue in _whole_cohort_issues(pipeline):
            if issue.strip() not in seen:
                items.append(f"the whole-cohort fit: {mask(_issue_text(issue))}")
    return items


def _description(result, name, has_issues: bool) -> str:
    text = outcome_words((result.models or {}).get(name, ""), result.outcome)
    # The study appends the summary's fit-issue note; the report lists the issues itself.
    if has_issues and " Fit issues: " in text:
        text = text[: text.index(" Fit issues: ")]
    return text


def specification_section(result) -> dict:
    fitted = getattr(result, "fitted_models", None) or {}
    hidden = hidden_levels(result)
    mask = level_masker(result)
    models = []
    for name in [str(c) for c in result.predictions.columns]:
        pipeline = fitted.get(name)
        issues = fit_issue_items(result, name, pipeline)
        entry = {
            "name": name,
            "description": mask(_description(result, name, bool(issues))),
            "steps": None,
            "params": [],
            "coefficients": None,
            "framingham": None,
            "references": [],
            "fit_issues": issues,
        }
        if pipeline is not None:
            steps = getattr(pipeline, "steps", None)
            if steps:
                entry["steps"] = " → ".join(f"{k} ({type(v).__name__})" for k, v in steps)
            entry["params"] = _params(_final(pipeline))
            entry["coefficients"] = _coefficients(pipeline, result.outcome, hidden)
            entry["framingham"] = _framingham(pipeline, result.horizon)
            entry["references"] = [
                (str(k), _reference_text(k, v, hidden))
                for k, v in reference_levels(_step(pipeline, "preprocess")).items()
            ]
        models.append(entry)
    return {"models": models, "fitted": bool(fitted)}


# --- performance ---------------------------------------------------------------------


def _summary_value(summary, model, metric):
    rows = summary[(summary["model"] == model) & (summary["metric"] == metric)]
    return None if rows.empty else rows.iloc[0]


def interval_method(record) -> str:
    """How a summary row's interval was computed: its ``method``, with the resamples."""
    method = str(record.get("method", "") or "")
    n_boot = record.get("n_boot")
    lowered = method.lower()
    if (
        "bootstrap" in lowered
        and "resample" not in lowered
        and "replicate" not in lowered
        and n_boot is not None
        and not pd.isna(n_boot)
        and int(n_boot) > 0
    ):
        method += f", {int(n_boot):,} resamples"
    return method


def interval_methods(result, metrics=None) -> list[tuple[str, list[str]]]:
    """Each interval method of the summary with the metrics it served, in table order."""
    summary = result.summary
    if metrics is not None:
        summary = summary[summary["metric"].isin(list(metrics))]
    served: dict = {}
    for record in summary.to_dict("records"):
        label = metric_label(str(record["metric"]), result.outcome, result.horizon)
        served.setdefault(interval_method(record), [])
        if label not in served[interval_method(record)]:
            served[interval_method(record)].append(label)
    return list(served.items())


def performance_section(result) -> dict:
    summary = result.summary
    confidence = (result.settings or {}).get("confidence", 0.95)
    extra = [c for c in ("n", "events") if c in summary.columns]
    optimism = "corrected" in summary.columns
    models = []
    for name in dict.fromkeys(summary["model"].astype(str)):
        rows = []
        for record in summary[summary["model"].astype(str) == name].to_dict("records"):
            row = {
                "metric": metric_label(str(record["metric"]), result.outcome, result.horizon),
                "estimate": fmt(record["estimate"]),
                "ci": fmt_ci(record["low"], record["high"]),
                "method": interval_method(record),
                "extra": [fmt_value(record[c]) for c in extra],
                "small": bool(record.get("small_data", False)),
            }
            if optimism:
                row["optimism"] = fmt(record.get("optimism"))
                row["corrected"] = fmt(record.get("corrected"))
            rows.append(row)
        issues = _fit_issue_records(result, name)
        models.append(
            {
                "name": name,
                "rows": rows,
                "fit_issues": (
                    f"{len(issues)} fit issue(s) of {name}: "
                    + "; ".join(
                        f"{fmt_count(r.get('fits'))} of {fmt_count(r.get('of'))} fits"
                        + (" (whole-cohort fit included)" if r.get("whole_cohort") else "")
                        for r in issues
                    )
                    if issues
                    else None
                ),
            }
        )
    return {
        "models": models,
        "extra_columns": [
            {
                "n": "Patients",
                "events": "Events"
                + (" (by the horizon for metrics at it)" if result.horizon is not None else ""),
            }.get(c, c)
            for c in extra
        ],
        "optimism": optimism,
        "ci_label": f"{100 * float(confidence):g}% CI",
    }


def _evaluable_weights(outcome, horizon, censoring_weights="before"):
    """Labels and IPCW weights of the cumulative/dynamic ROC at ``horizon``, with the
    study's weighting convention (so the curve's area is the table's td_auc)."""
    from ..evaluation import ipcw_weights

    return ipcw_weights(
        outcome.time, outcome.event, float(horizon), censoring_weights=censoring_weights
    )


def discrimination_section(result) -> dict:
    outcome = result.outcome
    n = len(outcome)
    horizon = result.horizon
    summary = result.summary
    weights = None
    metric = None
    if outcome.is_survival and horizon is not None:
        labels, weights = _evaluable_weights(
            outcome, horizon, (result.settings or {}).get("censoring_weights", "before")
        )
        evaluable = int(np.sum(~np.isnan(labels)))
        metric = "td_auc"
        caption = (
            f"Time-dependent ROC curves at {horizon:g} days (cumulative cases: event at or "
            "before the horizon; dynamic controls: follow-up reaching the horizon without an "
            "event) of the out-of-fold predictions. Restricted to the "
            f"{evaluable:,} of {n:,} patients evaluable at the horizon: patients censored "
            f"before {horizon:g} days without an event are excluded, not counted as "
            "event-free; cases are weighted by the inverse probability of censoring (Uno et "
            "al. 2007), so the area under each curve is the time-dependent AUC of the "
            "performance table, the number in the legend."
        )
        name = "td AUC"
    elif outcome.is_survival:
        labels = outcome.event.astype(float)
        caption = (
            f"ROC curves of the out-of-fold predictions against the event indicator over "
            f"the whole follow-up ({n:,} patients; follow-up time and censoring are ignored "
            "here, so the area is not a reported metric: see Harrell's C in the performance "
            "table for the time-to-event comparison)."
        )
        name = "area"
    else:
        labels = outcome.event.astype(float)
        metric = "auc"
        caption = (
            f"ROC curves of the out-of-fold predictions against the binary outcome "
            f"({n:,} patients); the legend shows each model's AUC from the performance table."
        )
        name = "AUC"
    labels = check_labels(labels)
    usable = result.predictions.loc[:, result.predictions.notna().any()]
    known = labels[~np.isnan(labels)]
    legend_values = {}
    if metric is not None:
        for model in usable.columns:
            row = _summary_value(summary, str(model), metric)
            if row is not None and not pd.isna(row["estimate"]):
                legend_values[model] = float(row["estimate"])
    if metric is not None and len(legend_values) < usable.shape[1]:
        caption += (
            f" Models without a {metric} row in the table show the area under the drawn curve."
        )
    if usable.shape[1] == 0 or np.unique(known).size < 2:
        return {
            "image": None,
            "caption": caption + " Not drawn: only one outcome class.",
            "legend": [],
        }
    fig, ax = new_figure((5.2, 5.2))
    plot_roc(
        labels, usable, ax=ax, sample_weight=weights, legend_values=legend_values, metric_name=name
    )
    legend = [text for text in ax.get_legend_handles_labels()[1] if not text.startswith("_")]
    return {"image": png(fig), "caption": caption, "legend": legend}


def _metric_table(result, metrics) -> dict | None:
    summary = result.summary
    chosen = [m for m in metrics if m in set(summary["metric"])]
    if not chosen:
        return None
    rows = []
    for model in dict.fromkeys(summary["model"].astype(str)):
        cells = [model]
        for metric in chosen:
            row = _summary_value(summary, model, metric)
            if row is None:
                cells.append("—")
            else:
                interval = fmt_ci(row["low"], row["high"])
                cells.append(fmt(row["estimate"]) + ("" if interval == "—" else f" ({interval})"))
        rows.append(cells)
    columns = ["Model"]
    for metric in chosen:
        methods = [method for method, _ in interval_methods(result, [metric])]
        columns.append(
            f"{metric_label(metric, result.outcome, result.horizon)} "
            f"(95% CI: {'; '.join(methods) or 'none'})"
        )
    return {"columns": columns, "rows": rows}


def calibration_section(result) -> dict | None:
    table = getattr(result, "calibration", None)
    numbers = _metric_table(result, CALIBRATION_METRICS)
    if (table is None or len(table) == 0) and numbers is None:
        return None
    image = None
    if table is not None and len(table):
        fig, ax = new_figure((5.2, 5.2))
        columns = [c for c in ("predicted", "observed", "high") if c in table.columns]
        upper = float(np.nanmax(table[columns].to_numpy()))
        limit = min(1.0, max(0.05, 1.1 * upper))
        ax.plot([0, limit], [0, limit], color="grey", linestyle="--", linewidth=1, label="ideal")
        band = {"low", "high"} <= set(table.columns)
        for name, group in table.groupby("model", sort=False):
            group = group.sort_values("predicted")
            (line,) = ax.plot(
                group["predicted"],
                group["observed"],
                marker="o",
                markersize=4,
                linewidth=1,
                label=str(name).replace("$", r"\$").lstrip("_") or "model",
            )
            if band:
                ax.fill_between(
                    group["predicted"],
                    group["low"],
                    group["high"],
                    color=line.get_color(),
                    alpha=0.15,
                    linewidth=0,
                )
        ax.set_xlim(0, limit)
        ax.set_ylim(0, limit)
        ax.set_xlabel("Predicted risk (mean in group)")
        ax.set_ylabel("Observed risk")
        ax.legend(loc="upper left", fontsize=8)
        image = png(fig)
    horizon = result.horizon
    if result.outcome.is_survival:
        caption = (
            f"Calibration at {float(horizon):g} days: patients grouped at the tenths of each "
            "model's out-of-fold predicted risk (fewer groups when events are few or risks are "
            "tied: tied risks share a group, and no group is empty); observed "
            "risk is 1 minus the Kaplan-Meier survival in the group (censoring handled); the "
            "shaded band joins the groups' 95% intervals."
        )
    else:
        caption = (
            "Calibration: patients grouped at the tenths of each model's out-of-fold predicted "
            "risk (fewer groups when events are few or risks are tied: tied risks share a "
            "group, and no group is empty); observed proportion, with the shaded "
            "band joining the groups' exact (Clopper-Pearson) 95% intervals."
        )
    return {"image": image, "caption": caption, "numbers": numbers}


def overall_section(result) -> dict | None:
    numbers = _metric_table(result, OVERALL_METRICS)
    if numbers is None:
        return None
    ipcw = " (IPCW at the horizon)" if result.outcome.is_survival else ""
    null = (
        "everyone the Kaplan-Meier risk of the event by the horizon"
        if result.outcome.is_survival
        else "everyone the event rate"
    )
    return {
        "numbers": numbers,
        "caption": (
            f"Brier score{ipcw}: mean squared difference between predicted risk and outcome "
            "(lower is better). IPA, the index of prediction accuracy: 1 minus the Brier score "
            f"over that of the null model predicting {null} (higher is better; 0 = no "
            "better than that null model)."
        ),
    }


def clinical_utility_section(result) -> dict | None:
    table = getattr(result, "decision_curve", None)
    if table is None or len(table) == 0:
        return None
    fig, ax = new_figure((6.0, 4.2))
    names = list(dict.fromkeys(table["model"].astype(str)))
    draw_decision_curve(table, ax)
    thresholds = np.sort(table["threshold"].unique())
    chosen = []
    for wanted in NET_BENEFIT_THRESHOLDS:
        if len(thresholds) and np.min(np.abs(thresholds - wanted)) < 1e-9:
            chosen.append(float(wanted))
    rows = []
    for name in names:
        group = table[table["model"].astype(str) == name]
        cells = [name]
        for threshold in chosen:
            value = group.loc[np.isclose(group["threshold"], threshold), "net_benefit"]
            cells.append(fmt(value.iloc[0]) if len(value) else "—")
        rows.append(cells)
    horizon = result.horizon
    by = f" by {float(horizon):g} days" if result.outcome.is_survival else ""
    return {
        "image": png(fig),
        "columns": ["Model"] + [f"{100 * t:g}%" for t in chosen],
        "rows": rows,
        "caption": (
            f"Decision curve (Vickers & Elkin 2006): net benefit of treating the patients "
            f"whose out-of-fold predicted risk{by} exceeds the threshold, against treating "
            "everyone (treat all) and no one (treat none, net benefit 0)."
            + (" Events by the horizon are estimated with Kaplan-Meier." if by else "")
        ),
    }


def optimism_section(result) -> dict | None:
    table = getattr(result, "optimism", None)
    if not isinstance(table, pd.DataFrame) or len(table) == 0:
        return None
    table = table.copy()
    table["metric"] = [metric_label(m, result.outcome, result.horizon) for m in table["metric"]]
    columns = ["model", "metric"] + [
        c for c in ("apparent", "optimism", "corrected", "n_boot") if c in table.columns
    ]
    methods = list(dict.fromkeys(table["method"])) if "method" in table.columns else []
    notes = [_OPTIMISM_NOTES[m] for m in methods if m in _OPTIMISM_NOTES]
    note = " ".join(notes) or _OPTIMISM_NOTES["optimism-corrected bootstrap (Harrell)"]
    unit = (
        "folds"
        if methods and all(m.startswith("cross-validation") for m in methods)
        else "replicates"
    )
    table = table.rename(columns={"n_boot": unit})
    columns = [unit if c == "n_boot" else c for c in columns]
    return {"table": _table(table, columns), "note": note}


# the method labels of riskml.evaluation.internal_validation
_OPTIMISM_NOTES = {
    "optimism-corrected bootstrap (Harrell)": (
        "Harrell's optimism bootstrap: apparent performance of the whole-cohort fit minus "
        "the mean optimism (performance on its bootstrap sample minus performance on the "
        "original data) of the pipeline refitted on bootstrap samples (Steyerberg 2019, "
        "ch. 17)."
    ),
    ".632 bootstrap (Efron 1983)": (
        "Efron's .632 bootstrap: 0.368 x apparent + 0.632 x the mean performance of the "
        "bootstrap models on the patients left out of their sample (Efron 1983)."
    ),
    ".632+ bootstrap (Efron & Tibshirani 1997)": (
        "Efron and Tibshirani's .632+ bootstrap: the .632 estimate with more weight on "
        "the left-out patients where the relative overfitting rate is high (Efron & "
        "Tibshirani 1997)."
    ),
    "cross-validation optimism": (
        "Cross-validation optimism: apparent performance minus the mean over folds of "
        "(training-fold minus held-out-fold performance) of the pipeline refitted in each "
        "fold."
    ),
    "cross-validation average": (
        "Cross-validation average: the mean held-out-fold performance of the pipeline "
        "refitted in each fold; optimism = apparent minus that mean."
    ),
}


def stability_section(result) -> dict | None:
    """Prediction stability from the bootstrap models (Riley & Collins 2023)."""
    stability = getattr(result, "stability", None)
    if not stability:
        return None
    rows, images = [], []
    for name, model in stability.items():
        patients = model.patients()
        width = (patients["high"] - patients["low"]).to_numpy()
        rows.append(
            [
                str(name),
                fmt(model.mape),
                f"{100 * float(np.mean(width > 0.10)):.0f}%",
                str(model.n_boot),
            ]
        )
        fig, ax = new_figure((4.6, 4.2))
        model.plot_predictions(ax=ax)
        ax.set_title(str(name))
        images.append((str(name), png(fig)))
    sentences = [sentence(model.interpret()) for model in stability.values()]
    return {
        "columns": [
            "Model",
            "MAPE",
            "Patients with a 95% stability interval wider than 10 points",
            "Bootstrap models",
        ],
        "rows": rows,
        "images": images,
        "sentences": sentences,
    }


def _performance_rows(result, table, first) -> dict | None:
    if not isinstance(table, pd.DataFrame) or len(table) == 0:
        return None
    table = table.copy()
    if "metric" in table.columns:
        table["metric"] = [
            m if pd.isna(m) else metric_label(m, result.outcome, result.horizon)
            for m in table["metric"]
        ]
    if {"low", "high"} <= set(table.columns):
        table["95% CI"] = [
            fmt_ci(lo, hi) for lo, hi in zip(table["low"], table["high"], strict=False)
        ]
    columns = first + [
        c for c in ("model", "metric", "estimate", "95% CI", "n", "events", "note") if c in table
    ]
    return _table(table, list(dict.fromkeys(columns)))


def external_section(result) -> dict | None:
    table = getattr(result, "external", None)
    rendered = _performance_rows(result, table, [])
    if rendered is None:
        return None
    name = str(table["cohort"].iloc[0]) if "cohort" in table.columns else "the external cohort"
    return {"cohort": name, "table": rendered}


def subgroups_section(result) -> dict | None:
    return _performance_rows(result, getattr(result, "subgroups", None), ["variable", "subgroup"])


def comparison_section(result) -> dict | None:
    table = getattr(result, "comparison", None)
    if table is None or len(table) == 0:
        return None
    rows = []
    for record in table.to_dict("records"):
        rows.append(
            {
                "model": str(record["model"]),
                "metric": metric_label(str(record["metric"]), result.outcome, None),
                "difference": fmt(record["difference"]),
                "low": fmt(record["low"]),
                "high": fmt(record["high"]),
                "p_value": fmt(record["p_value"]),
            }
        )
    reference = str(table["reference"].iloc[0])
    first = table.iloc[0].to_dict()
    method = interval_method(first) if "method" in table.columns else "method not recorded"
    n_boot = int(first["n_boot"]) if not pd.isna(first.get("n_boot", np.nan)) else 0
    metric = metric_label(str(table["metric"].iloc[0]), result.outcome, None)
    if "method" not in table.columns:
        caption = (
            f"Difference of each model's {metric} minus {reference}'s on the same patients; "
            "the comparison method was not recorded."
        )
    elif "delong" in method.lower():
        caption = (
            f"Difference of each model's {metric} minus {reference}'s on the same patients, "
            "by DeLong's test for paired ROC curves (DeLong et al. 1988, as R's "
            "pROC::roc.test): 95% interval and two-sided p-value from the DeLong variance of "
            "the difference."
        )
    else:
        caption = (
            f"Difference of each model's {metric} minus {reference}'s, on the same "
            f"{n_boot:,} bootstrap resamples of the patients"
            + (", stratified by outcome class" if "stratified" in method.lower() else "")
            + " (a paired bootstrap, so the correlation between models is kept); percentile "
            "95% interval and two-sided p-value from the bootstrap standard error."
        )
    return {"reference": reference, "rows": rows, "caption": caption, "method": method}


# --- explanations ----------------------------------------------------------------------


def _scale(explanation) -> str:
    scale = getattr(explanation, "scale", None)
    if scale:
        return str(scale)
    objective = str(getattr(explanation, "objective", ""))
    return "log relative hazard" if objective.startswith("survival:") else "log-odds"


def explanations_section(result) -> dict | None:
    explanations = dict(getattr(result, "explanations", None) or {})
    main = result.explanation
    if not explanations and main is not None:
        explanations = {str(getattr(main, "model_name", "") or "model"): main}
    if not explanations:
        return None
    models = []
    for name, explanation in explanations.items():
        importance = explanation.importance()
        importance = importance[importance > 0]
        scale = _scale(explanation)
        entry = {
            "name": str(name),
            "scale": scale,
            "method": str(getattr(explanation, "method", "") or ""),
            "notes": str(getattr(explanation, "notes", "") or ""),
            "n_rows": len(explanation.values),
            "image": None,
        }
        if len(importance):
            shown = min(TOP_SHAP, len(importance))
            fig, ax = new_figure((5.0, 0.8 + 0.26 * shown))
            plot_shap_importance(importance, ax=ax, top=TOP_SHAP, scale=scale)
            entry["image"] = png(fig)
            entry["shown"] = shown
            entry["n_used"] = len(importance)
        models.append(entry)
    main_name = str(getattr(main, "model_name", "") or models[0]["name"]) if main else None
    beeswarm = None
    if main is not None and hasattr(main, "plot_beeswarm") and main.importance().gt(0).any():
        fig, ax = new_figure((6.4, 5.0))
        main.plot_beeswarm(ax=ax, max_display=TOP_SHAP)
        beeswarm = png(fig)
    return {"models": models, "main": main_name, "beeswarm": beeswarm}


def _patient_intervals(result, k: int) -> dict:
    """Model name -> the patient's 95% stability interval (bootstrap schemes only)."""
    if not getattr(result, "stability", None):
        return {}
    table = result.patient_stability(k, confidence=0.95)
    return {
        row.model: {
            "low": row.low,
            "high": row.high,
            "n_boot": int(row.n_boot),
            "text": fmt_ci(row.low, row.high),
        }
        for row in table.itertuples(index=False)
    }


def patient_section(result) -> dict | None:
    k = result.patient_index
    if k is None:
        return None
    k = int(k)
    predictions = result.predictions.iloc[k]
    # the internal validation schemes report the whole-cohort fit's risk, not out-of-fold
    apparent = isinstance(getattr(result, "optimism", None), pd.DataFrame)
    intervals = _patient_intervals(result, k)
    risks = [
        (str(name), fmt(value), intervals.get(name, {}).get("text"))
        for name, value in predictions.items()
    ]
    card = {
        "row": k,
        "risks": risks,
        "risk_label": "Whole-cohort fit" if apparent else "Out-of-fold prediction",
        "stability": intervals or None,
        "n_boot": next(iter(intervals.values()))["n_boot"] if intervals else None,
        "contributions": None,
        "note": None,
        "model": None,
    }
    explanation = result.explanation
    if explanation is None:
        card["note"] = "No SHAP explanation was computed for this study."
        return card
    name = str(getattr(explanation, "model_name", "") or "")
    card["model"] = name or "the main model"
    try:
        table = explanation.patient(k)
    except (ValueError, KeyError):
        card["note"] = (
            "This patient was not in the rows explained (the explanation was computed on a "
            "subsample)."
        )
        return card
    hidden = hidden_levels(result)
    card["contributions"] = [
        (
            str(row.feature),
            UNLISTED_LEVEL
            if str(row.value) in hidden.get(str(row.feature), ())
            else fmt_value(row.value),
            f"{row.contribution:+.3f}",
        )
        for row in table.head(TOP_PATIENT).itertuples(index=False)
    ]
    card["n_features"] = len(table)
    card["base_value"] = fmt(explanation.base_value)
    card["scale"] = _scale(explanation)
    card["explained_risk"] = None
    card["oof_risk"] = None
    with contextlib.suppress(ValueError, NotImplementedError, AttributeError):
        card["explained_risk"] = fmt(explanation.patient_risk(k))
    if name in result.predictions.columns and not apparent:
        card["oof_risk"] = fmt(result.predictions[name].iloc[k])
    card["explained_interval"] = intervals.get(name, {}).get("text")
    summary = getattr(explanation, "summary_sentence", None)
    card["sentence"] = None
    if callable(summary):
        with contextlib.suppress(ValueError, NotImplementedError):
            card["sentence"] = level_masker(result)(sentence(summary(k)))
    return card


# --- limitations, methods, reproducibility -----------------------------------------------


def _framingham_ages(result) -> list[str]:
    """Warnings for Framingham models applied outside their derivation ages."""
    notes = []
    fitted = getattr(result, "fitted_models", None) or {}
    explanations = getattr(result, "explanations", None) or {}
    for name, pipeline in fitted.items():
        final = _final(pipeline)
        if not hasattr(final, "recalibration_"):
            continue
        try:
            from ..models.scores import EQUATIONS

            low, high = EQUATIONS[final.model].age_range
        except (ImportError, KeyError, AttributeError):
            continue
        column = (getattr(final, "inputs", None) or {}).get("age", "age")
        column = column.get("column", "age") if isinstance(column, dict) else column
        explanation = explanations.get(name) or next(iter(explanations.values()), None)
        data = getattr(explanation, "data", None)
        if data is None or column not in data.columns:
            notes.append(
                f"{name} was derived on ages {low:g}–{high:g}; check that the cohort's ages lie "
                "in that range (they were not available to the report)."
            )
            continue
        ages = pd.to_numeric(data[column], errors="coerce").dropna()
        outside = int(((ages < low) | (ages > high)).sum())
        if outside:
            notes.append(
                f"{name}: {outside} of {len(ages)} patients examined ({100 * outside / len(ages):.0f}%) "
                f"are outside the equation's derivation ages ({low:g}–{high:g} years, youngest "
                f"{ages.min():g}); its risks for them are extrapolated."
            )
    return notes


def limitations_section(result) -> dict:
    items = []
    info = dict(getattr(result, "sample_size", None) or {})
    minimum = info.get("minimum_n")
    epp = events_per_parameter(result)
    if minimum is not None and info.get("n", math.inf) < minimum:
        items.append(
            f"Small sample: {info['n']:,} patients against the {_needed(minimum)} that the "
            "Riley et al. criteria ask for"
            + (f" ({epp['value']} events per candidate parameter)" if epp else "")
            + "; expect overfitting and wide intervals."
        )
    elif epp is not None and epp["number"] < 10:
        items.append(
            f"{epp['value']} events per candidate predictor parameter: estimates may be "
            "unstable and optimistic."
        )
    mask = level_masker(result)
    for record in _fit_issue_records(result):
        items.append(
            f"{record['model']} ({_fit_issue_count(record)}): {mask(_issue_text(record['issue']))}"
        )
    recorded = {(str(r["model"]), str(r["issue"]).strip()) for r in _fit_issue_records(result)}
    for name, pipeline in (getattr(result, "fitted_models", None) or {}).items():
        for issue in _whole_cohort_issues(pipeline):
            if (str(name), issue.strip()) not in recorded:
                items.append(f"{name} (the whole-cohort fit): {mask(_issue_text(issue))}")
    summary = result.summary
    if "small_data" in summary.columns and summary["small_data"].any():
        small = summary[summary["small_data"].astype(bool)]
        listed = ", ".join(
            f"{m} ({metric_label(x, result.outcome, result.horizon)})"
            for m, x in zip(small["model"], small["metric"], strict=False)
        )
        items.append(
            f"Fewer than 10 events or non-events behind: {listed}; these estimates are unstable."
        )
    items += _framingham_ages(result)
    if "synthetic" in f"{result.cohort_name} {result.cohort_source}".lower():
        items.append(
            "The cohort is synthetic (generated data): the numbers illustrate the method and "
            "say nothing about real patients."
        )
    if result.outcome.is_survival and result.horizon is not None:
        unknown = int(np.sum(np.isnan(result.outcome.at_horizon(float(result.horizon)))))
        if unknown:
            items.append(
                f"{unknown:,} patients were censored before the horizon without an event; "
                "metrics at the horizon assume censoring independent of the outcome (IPCW)."
            )
    if getattr(result, "external", None) is None:
        items.append(
            "Internal validation only: no external cohort was evaluated, so transportability "
            "to other settings is unknown."
        )
    items.append(
        "To be completed by the authors: clinical context, data quality, the population the "
        "model is meant for, and any fairness assessment beyond the subgroups shown."
    )
    return {"items": items}


def _imbalance_texts(result) -> dict:
    """Model name -> how class imbalance was handled (``settings["class imbalance"]``)."""
    recorded = (result.settings or {}).get("class imbalance") or {}
    return {
        str(name): sentence(str(text).removeprefix("Class imbalance:").strip())
        for name, text in recorded.items()
    }


def imbalance_sentence(result) -> str | None:
    """Class-imbalance handling, said once per distinct handling (not once per model)."""
    texts = _imbalance_texts(result)
    if not texts:
        return None
    grouped: dict = {}
    for name, text in texts.items():
        grouped.setdefault(text, []).append(name)
    if len(grouped) == 1:
        return f"{next(iter(grouped))}."
    return " ".join(f"{', '.join(names)}: {text}." for text, names in grouped.items())


def methods_section(result) -> dict:
    settings = dict(result.settings or {})
    selection = settings.get("selection")
    if selection in (None, "none"):
        selection = "none: every candidate predictor entered each model"
    return {
        "validation": sentence(fmt_setting(settings.get("validation", "not recorded"))),
        "selection": sentence(fmt_setting(selection)),
        "imbalance": imbalance_sentence(result),
        "intervals": [(method, ", ".join(metrics)) for method, metrics in interval_methods(result)],
        "survival": result.outcome.is_survival,
        "explained": bool(getattr(result, "explanations", None) or result.explanation),
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def comparison_run(result) -> str | None:
    """The paired comparison that ran, read from the comparison table (never the request)."""
    table = getattr(result, "comparison", None)
    if not isinstance(table, pd.DataFrame) or len(table) == 0 or "method" not in table.columns:
        return None
    first = table.iloc[0].to_dict()
    metric = metric_label(str(first.get("metric", "")), result.outcome, None)
    return f"{interval_method(first)} ({metric}; reference {first.get('reference')})"


def reproducibility_section(result) -> dict:
    import riskml

    settings = dict(result.settings or {})
    versions = [("Python", platform.python_version())]
    for package in PACKAGES:
        versions.append((package, riskml.__version__ if package == "riskml" else _version(package)))
    timings = getattr(result, "timings", None) or {}
    shown = []
    for key, value in settings.items():
        if key == "comparison":
            ran = comparison_run(result)
            if ran is not None:
                value = ran
            elif getattr(result, "comparison", None) is None and not str(value).startswith("none"):
                value = "none (no comparison ran)"
        elif key == "class imbalance":
            value = imbalance_sentence(result) or value
        shown.append((str(key), fmt_setting(value)))
    return {
        "versions": versions,
        "seed": fmt_setting(settings.get("random_state")),
        "settings": shown,
        "timings": [(str(k), f"{float(v):.1f} s") for k, v in timings.items()],
    }
