"""Recalibration of a published score to a local cohort: Kaplan-Meier baseline, logistic."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_expit

__all__ = ["fit_logistic_recalibration", "kaplan_meier_survival"]

_MAX_ITER = 100
_TOL = 1e-12


def kaplan_meier_survival(outcome, horizon_days: float) -> float | None:
    """Kaplan-Meier S(horizon_days), or 1 - event rate for a binary outcome.

    Returns None when there is no event (by the horizon), so nothing to calibrate to.
    """
    if len(outcome) == 0:
        return None
    if not outcome.is_survival:
        rate = float(outcome.event.mean())
        return None if rate == 0.0 else 1.0 - rate
    if not (outcome.event & (outcome.time <= horizon_days)).any():
        return None
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter().fit(outcome.time, outcome.event)
    return float(km.survival_function_at_times(horizon_days).iloc[0])


def _log_likelihood(beta: np.ndarray, design: np.ndarray, label: np.ndarray) -> float:
    eta = design @ beta
    return float(np.sum(label * log_expit(eta) + (1.0 - label) * log_expit(-eta)))


def fit_logistic_recalibration(score: np.ndarray, label: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood ``(a, b)`` of ``P(label = 1) = expit(a + b * score)``.

    Newton-Raphson with step halving, from ``(0, 0)``; ``score`` is the logit of the
    published risk.

    Raises
    ------
    ValueError
        When the iterations do not converge (the score separates the outcome).
    """
    score = np.asarray(score, dtype=float)
    label = np.asarray(label, dtype=float)
    design = np.column_stack([np.ones_like(score), score])
    beta = np.zeros(2)
    current = _log_likelihood(beta, design, label)
    for _ in range(_MAX_ITER):
        p = expit(design @ beta)
        gradient = design.T @ (label - p)
        hessian = (design * (p * (1.0 - p))[:, None]).T @ design
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            break
        candidate = beta + step
        value = _log_likelihood(candidate, design, label)
        halvings = 0
        while value < current - 1e-12 * abs(current) and halvings < 30:
            step = step / 2.0
            candidate = beta + step
            value = _log_likelihood(candidate, design, label)
            halvings += 1
        beta, current = candidate, value
        if np.max(np.abs(step)) < _TOL * (1.0 + np.max(np.abs(beta))):
            return float(beta[0]), float(beta[1])
    raise ValueError(
        "logistic recalibration did not converge: the published score separates the "
        "training events from the non-events (or is constant), so the slope has no finite "
        "maximum-likelihood estimate. Use recalibrate='km', or a larger training cohort."
    )
