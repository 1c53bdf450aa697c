"""Report sections on the source of data, the participants and the outcome (TRIPOD+AI
items 5-6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import _table, is_saved_model_validation
from ._format import (
    outcome_name,
)
from ._section_competing import competing_section

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
        incidence = _aalen_johansen_at_horizon(result)
        if incidence is not None:
            rows.append(
                (
                    f"Risk of the event of interest by {days} (Aalen-Johansen)",
                    f"{100 * incidence:.1f}%",
                )
            )
        elif risk is not None and np.isfinite(risk):
            rows.append((f"Risk of the event by {days} (Kaplan-Meier)", f"{100 * risk:.1f}%"))
        rows += [
            (
                "Events over the whole follow-up (any time)",
                f"{events:,} ({100 * rate:.1f}% of patients)",
            ),
            (
                "Outcome",
                "time to event, competing events" if outcome.is_competing else "time to event",
            ),
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


def _aalen_johansen_at_horizon(result):
    """The cohort's Aalen-Johansen incidence of the event of interest at the horizon, as
    the study computed it (competing-risk outcomes only), else None."""
    table = getattr(result, "competing_incidence", None)
    at = None if table is None else table.attrs.get("at_horizon")
    if not isinstance(at, pd.DataFrame):
        return None
    rows = at[(at["event_type"] == 1) & (at["estimator"] == "Aalen-Johansen")]
    return float(rows["risk"].iloc[0]) if len(rows) else None


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
    kind = "time to event" if outcome.is_survival else "binary"
    if outcome.is_competing:
        kind = "time to the first event, with competing events (event types 2+)"
    rows = [("Outcome", label), ("Type", kind)]
    if outcome.is_competing and horizon is not None:
        return _competing_outcome(result, rows, name)
    if not outcome.is_survival:
        text = (
            f"Binary outcome {name if named else f'({name})'}: 1 when the event was "
            "recorded, 0 otherwise, as "
            "coded in the cohort; no follow-up time is used. Models predict the "
            "probability of the event."
        )
        return {"rows": rows, "text": text, "competing": None}
    rows.append(("Follow-up", "days from the index date to the event or to censoring"))
    if horizon is None:
        text = (
            f"Time to {name} with right censoring; no horizon was set, so time-to-event "
            "models are compared by Harrell's C over the whole follow-up and their output "
            "is a relative risk score, not a probability."
        )
        return {"rows": rows, "text": text, "competing": None}
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
        "of censoring (IPCW) or use the Kaplan-Meier estimate"
        + (
            "; none is counted as event-free."
            if is_saved_model_validation(result)
            else ", and models that learn a binary label leave such patients out of their "
            "training fold instead of counting them as event-free."
        )
    )
    return {"rows": rows, "text": text, "competing": None}


def _competing_outcome(result, rows, name) -> dict:
    """The outcome section of a competing-risk study: the definition, the counts by
    event type at the horizon, the cumulative incidence curves by cause and the naive
    estimate (:mod:`._section_competing`)."""
    horizon = float(result.horizon)
    counts = horizon_counts(result.outcome, horizon)
    rows = [
        *rows,
        ("Follow-up", "days from the index date to the first event or to censoring"),
        ("Horizon", f"{horizon:g} days"),
        ("Events of interest by the horizon", f"{counts['events']:,}"),
        (
            "Free of the event of interest at the horizon (competing event first, or "
            "followed to it)",
            f"{counts['event_free']:,}",
        ),
        ("Censored before the horizon without an event", f"{counts['censored']:,}"),
    ]
    section = competing_section(result)
    text = (
        f"Predicted quantity: the cumulative incidence of {name} by {horizon:g} days with "
        "competing events, P(event of interest by the horizon)."
    )
    return {"rows": rows, "text": text, "competing": section}
