"""Kaplan-Meier baseline survival for recalibrating a published score to a local cohort
(riskml's one estimator, :func:`riskml.outcome.kaplan_meier`)."""

from __future__ import annotations

__all__ = ["kaplan_meier_survival"]


def kaplan_meier_survival(outcome, horizon: float) -> float | None:
    """Kaplan-Meier S(horizon), or 1 - event rate for a binary outcome.

    Returns None when there is no event (by the horizon), so nothing to calibrate to.
    """
    if len(outcome) == 0:
        return None
    if not outcome.is_survival:
        rate = float(outcome.event.mean())
        return None if rate == 0.0 else 1.0 - rate
    if not (outcome.event & (outcome.time <= horizon)).any():
        return None
    from ...outcome import kaplan_meier_at

    return kaplan_meier_at(outcome.time, outcome.event, horizon, tail="hold")[0]
