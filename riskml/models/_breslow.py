"""Breslow's estimator of the baseline cumulative hazard for any log-relative-hazard model."""

from __future__ import annotations

import numpy as np

__all__ = ["BreslowBaseline"]


class BreslowBaseline:
    """Baseline cumulative hazard ``H0(t)`` given fitted log relative hazards.

    ``H0(t) = sum over event times s <= t of d(s) / sum_{j at risk at s} exp(eta_j)``
    (Breslow 1972), with ``eta`` centred at its training mean so that ``exp``
    cannot overflow; risks use the same centring.

    Parameters
    ----------
    time, event : array-like
        Training follow-up (days) and event flags.
    log_risk : array-like of float
        Training log relative hazards ``eta`` (any model's margin).

    Attributes
    ----------
    times : ndarray
        Distinct event times, ascending.
    cumulative_hazard : ndarray
        ``H0`` at ``times`` (for ``eta`` = the training mean).
    offset : float
        The training mean of ``eta``.

    References
    ----------
    Breslow NE. Discussion of the paper by D. R. Cox. J R Stat Soc B.
    1972;34(2):216-217.
    """

    def __init__(self, time, event, log_risk):
        time = np.asarray(time, dtype=float)
        event = np.asarray(event, dtype=bool)
        eta = np.asarray(log_risk, dtype=float)
        self.offset = float(eta.mean()) if eta.size else 0.0
        weight = np.exp(eta - self.offset)
        times = np.unique(time[event])
        # sum of exp(eta) over patients with time >= t, for each event time t
        order = np.argsort(time, kind="stable")
        sorted_time = time[order]
        tail = np.concatenate([np.cumsum(weight[order][::-1])[::-1], [0.0]])
        at_risk = tail[np.searchsorted(sorted_time, times, side="left")]
        deaths = np.bincount(np.searchsorted(times, time[event]), minlength=times.size).astype(
            float
        )
        self.times = times
        self.cumulative_hazard = np.cumsum(deaths / at_risk)

    def baseline_at(self, horizon: float) -> float:
        """``H0(horizon)``: a right-continuous step function, 0 before the first event."""
        index = np.searchsorted(self.times, float(horizon), side="right") - 1
        return float(self.cumulative_hazard[index]) if index >= 0 else 0.0

    def risk(self, log_risk, horizon: float) -> np.ndarray:
        """``1 - S(horizon | x) = 1 - exp(-H0(horizon) exp(eta - offset))``."""
        eta = np.asarray(log_risk, dtype=float)
        return -np.expm1(-self.baseline_at(horizon) * np.exp(eta - self.offset))
