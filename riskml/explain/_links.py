"""Maps from a model's additive scale (where SHAP values add up) to the predicted risk.

Small classes rather than lambdas, so that explanations can be pickled (joblib).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = ["Identity", "InverseCloglog", "Logistic", "RecalibratedProbability", "CoxRisk"]


class Identity:
    """The output is the risk itself (or the model output without a horizon)."""

    def __call__(self, z):
        return np.asarray(z, dtype=float)


class Logistic:
    """``risk = expit(z)``: ``z`` is the log-odds."""

    def __call__(self, z):
        return expit(np.asarray(z, dtype=float))


class InverseCloglog:
    """``risk = 1 - exp(-exp(z))``: ``z`` is the log cumulative hazard at the horizon."""

    def __call__(self, z):
        return -np.expm1(-np.exp(np.asarray(z, dtype=float)))


class CoxRisk:
    """``risk = 1 - exp(-H0 exp(z - offset))``: ``z`` is the log relative hazard."""

    def __init__(self, baseline_hazard: float, offset: float = 0.0):
        self.baseline_hazard = float(baseline_hazard)
        self.offset = float(offset)

    def __call__(self, z):
        return -np.expm1(-self.baseline_hazard * np.exp(np.asarray(z, dtype=float) - self.offset))


class RecalibratedProbability:
    """``risk = recalibration.apply(z)``: ``z`` is a probability before recalibration."""

    def __init__(self, recalibration):
        self.recalibration = recalibration

    def __call__(self, z):
        return np.asarray(self.recalibration.apply(np.asarray(z, dtype=float)), dtype=float)
