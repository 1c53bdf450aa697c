"""Prediction-stability curves of a competing-risk outcome count the competing events as
such, never as censorings (issue 27).

Oracles: for every model (the original and each bootstrap one), the public competing
functions called on its risks: ``competing_calibration`` (grouped Aalen-Johansen
incidence, itself equal to R prodlim to 1e-9) and ``competing_net_benefit``; and the
1 - Kaplan-Meier incidence that censoring the competing events would give, which the
calibration points must not equal.
"""

import numpy as np
import pytest

from riskml import Outcome
from riskml.evaluation import PredictionStability
from riskml.evaluation._competing import competing_calibration, competing_net_benefit


@pytest.fixture(scope="module")
def stability():
    rng = np.random.default_rng(0)
    n = 300
    outcome = Outcome.competing(rng.integers(1, 100, n).astype(float), rng.integers(0, 3, n))
    original = rng.uniform(0.05, 0.6, n)
    boot = np.clip(original + rng.normal(0, 0.02, (4, n)), 0.01, 0.99)
    return PredictionStability(original, boot, y=outcome, horizon=50), outcome, original, boot


def test_calibration_curves_are_each_models_aalen_johansen_groups(stability):
    model, outcome, original, boot = stability
    curves = model.calibration_curves(n_groups=5)
    assert sorted(curves["replicate"].unique()) == [-1, 0, 1, 2, 3]
    for replicate, risk in [(-1, original), *enumerate(boot)]:
        expected = competing_calibration(outcome.time, outcome.event_type, risk, 50, n_groups=5)
        got = curves[curves["replicate"] == replicate]
        np.testing.assert_allclose(got["predicted"], expected["mean_predicted"], rtol=1e-15)
        np.testing.assert_allclose(got["observed"], expected["observed"], rtol=1e-15)


def test_decision_curves_are_each_models_competing_net_benefit(stability):
    model, outcome, original, boot = stability
    thresholds = [0.1, 0.2, 0.3]
    curves = model.decision_curves(thresholds=thresholds)
    assert {"Treat all", "Treat none", "original", "bootstrap"} == set(curves["model"])
    for replicate, risk in [(-1, original), *enumerate(boot)]:
        label = "original" if replicate < 0 else "bootstrap"
        got = curves[(curves["model"] == label) & (curves["replicate"] == replicate)]
        expected = competing_net_benefit(
            outcome.time, outcome.event_type, risk, 50, thresholds=thresholds
        )
        np.testing.assert_allclose(got["net_benefit"], expected, rtol=1e-13, atol=1e-15)
    assert model.patients().shape[0] == len(original)


def test_plots_draw_for_a_competing_outcome(stability):
    import matplotlib

    matplotlib.use("Agg")
    model = stability[0]
    assert model.plot_calibration().lines
    assert model.plot_decision_curves().lines
