"""Report section on competing risks: how the outcome was defined when other events
can come first, the cumulative incidence of each event type, and how much treating
the competing events as censorings would overstate the risk (TRIPOD+AI item 8a).

Everything shown was computed by the study (``result.competing_incidence``,
:func:`riskml.evaluation.cumulative_incidence_table`); only the figure is drawn here.

References
----------
van Geloven N, Giardiello D, Bonneville EF, et al. Validation of prediction models in
the presence of competing risks: a guide through modern methods. BMJ
2022;377:e069249.

Austin PC, Lee DS, Fine JP. Introduction to the analysis of survival data in the
presence of competing risks. Circulation 2016;133:601-609.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._format import new_figure, png

__all__ = ["competing_section", "competing_words"]

_AALEN_JOHANSEN = "Aalen-Johansen"


def competing_words(event_type: int) -> str:
    """How the report names an event type: "the event of interest" or "competing
    event k" (numbered from 2, as coded)."""
    return (
        "the event of interest (type 1)"
        if event_type == 1
        else f"competing event (type {event_type})"
    )


def _counts(outcome, horizon) -> dict:
    by = outcome.time <= float(horizon)
    return {
        "interest": int(np.sum(by & (outcome.event_type == 1))),
        "competing": int(np.sum(by & (outcome.event_type >= 2))),
        "censored": int(np.sum(by & (outcome.event_type == 0) & (outcome.time < float(horizon)))),
    }


def _figure(table: pd.DataFrame, horizon) -> str:
    fig, ax = new_figure((6.0, 4.2))
    for (cause, estimator), curve in table.groupby(["event_type", "estimator"], sort=False):
        naive = estimator != _AALEN_JOHANSEN
        times = np.r_[0.0, curve["time"].to_numpy(dtype=float)]
        risk = np.r_[0.0, curve["risk"].to_numpy(dtype=float)]
        label = f"{competing_words(int(cause))}, {estimator}"
        ax.step(times, risk, where="post", linestyle="--" if naive else "-", label=label)
    if horizon is not None:
        ax.axvline(float(horizon), color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel("Days from the index date")
    ax.set_ylabel("Cumulative incidence")
    ax.legend(loc="upper left", fontsize=8)
    return png(fig)


def competing_section(result) -> dict | None:
    """The competing-risk section of a study whose outcome has event types, else None."""
    outcome = result.outcome
    table = getattr(result, "competing_incidence", None)
    if not getattr(outcome, "is_competing", False) or table is None or result.horizon is None:
        return None
    horizon = float(result.horizon)
    counts = _counts(outcome, horizon)
    at = table.attrs.get("at_horizon")
    text = [
        f"Outcome definition: the predicted quantity is the cumulative incidence of the event "
        f"of interest by {horizon:g} days, P(event of interest by {horizon:g} days), in the "
        "presence of competing events that preclude it. A patient with the event of "
        f"interest at or before {horizon:g} days counts as an event; a patient with a "
        "competing event first, or followed to the horizon without an event, counts as "
        "free of it; a patient censored before the horizon is not evaluable there.",
        f"By {horizon:g} days: {counts['interest']:,} events of interest, "
        f"{counts['competing']:,} competing events and {counts['censored']:,} patients "
        "censored without an event.",
        "How competing events were handled: never as censorings. Models of the label at "
        "the horizon (logistic, LASSO, random forest, XGBoost) learned a competing event "
        "before the horizon as 0 and left out patients censored before it; the "
        "cause-specific Cox and Fine-Gray models estimated the cumulative incidence of "
        "the event of interest with the competing events in their own role; the metrics "
        "at the horizon count a competing event as a known non-event weighted by the "
        "inverse probability of censoring (time-dependent AUC, Brier score, IPA; R "
        "riskRegression's Score(cause = 1)), and observed risk in calibration, O:E and "
        "the decision curve is the Aalen-Johansen cumulative incidence (van Geloven et "
        "al. 2022).",
    ]
    rows = None
    if isinstance(at, pd.DataFrame) and len(at):
        rows = []
        for record in at.itertuples(index=False):
            over = getattr(record, "overstatement", np.nan)
            rows.append(
                [
                    competing_words(int(record.event_type)),
                    str(record.estimator),
                    f"{100 * float(record.risk):.1f}%",
                    "" if pd.isna(over) else f"{float(over):.2f} times",
                ]
            )
        naive = at[at["estimator"] != _AALEN_JOHANSEN]
        if len(naive) and np.isfinite(naive["overstatement"].iloc[0]):
            text.append(
                f"Treating the competing events as censorings (1 - Kaplan-Meier) would give a "
                f"risk of {100 * float(naive['risk'].iloc[0]):.1f}% by {horizon:g} days, "
                f"{float(naive['overstatement'].iloc[0]):.2f} times the Aalen-Johansen "
                "cumulative incidence: the risk of a world in which the competing events "
                "could not happen, not the risk a patient faces."
            )
    return {
        "text": text,
        "image": _figure(table, horizon),
        "caption": (
            "Cumulative incidence of each event type (Aalen-Johansen, solid) and of the event "
            "of interest with the competing events censored (1 - Kaplan-Meier, dashed); the "
            f"dotted line marks the horizon, {horizon:g} days."
        ),
        "columns": ["Event", "Estimator", f"Risk by {horizon:g} days", "Naive / Aalen-Johansen"],
        "rows": rows,
    }
