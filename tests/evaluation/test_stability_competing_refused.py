"""Prediction-stability curves refuse a competing-risk outcome instead of counting the
competing events as censorings (which overstates the risk: 1 - Kaplan-Meier exceeds the
Aalen-Johansen incidence)."""

import numpy as np
import pytest

from riskml import Outcome
from riskml.evaluation import PredictionStability


def test_calibration_and_decision_curves_refuse_competing_outcomes():
    rng = np.random.default_rng(0)
    n = 60
    outcome = Outcome.competing(rng.integers(1, 100, n).astype(float), rng.integers(0, 3, n))
    original = rng.uniform(0.05, 0.6, n)
    stability = PredictionStability(
        original, original + rng.normal(0, 0.01, (5, n)), y=outcome, horizon=50
    )
    for method in (stability.calibration_curves, stability.decision_curves):
        with pytest.raises(ValueError, match="competing-risk outcome is not available"):
            method()
    assert stability.patients().shape[0] == n  # the patients' stability still works
