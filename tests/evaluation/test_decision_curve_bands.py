"""Bootstrap bands of decision curves.

Oracle: riskml's generic ``bootstrap_ci`` with the same seed calling ``net_benefit`` /
``net_benefit_survival`` (whose values are checked against R and Python dcurves in
test_utility.py) on each resample, and treat all's net benefit written out here; the bands
must equal its percentile intervals. Without ``n_boot`` the curves are unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskml.evaluation import (
    bootstrap_ci,
    decision_curve,
    decision_curve_survival,
    net_benefit,
    net_benefit_survival,
)
from riskml.outcome import kaplan_meier_at

RNG = np.random.default_rng(8)
N = 120
PROB = RNG.uniform(0.02, 0.9, N).round(2)
EVENT = (RNG.uniform(size=N) < PROB).astype(int)
TIME = np.ceil(RNG.exponential(300 / (0.2 + PROB))).clip(max=500)
STATUS = (RNG.uniform(size=N) < 0.7).astype(int)
THRESHOLDS = [0.1, 0.3, 0.6]


def _treat_all(y, t):
    prevalence = np.mean(y)
    return prevalence - (1 - prevalence) * t / (1 - t)


def test_binary_band_equals_generic_bootstrap():
    curve = decision_curve(
        EVENT, {"m": PROB}, thresholds=THRESHOLDS, harm=0.01, n_boot=300, random_state=2
    )
    for t in THRESHOLDS:
        model = bootstrap_ci(
            lambda y, p, t=t: net_benefit(y, p, thresholds=[t])[0] - 0.01,
            EVENT,
            PROB,
            n_boot=300,
            random_state=2,
        )
        everyone = bootstrap_ci(lambda y, t=t: _treat_all(y, t), EVENT, n_boot=300, random_state=2)
        for name, reference in (("m", model), ("Treat all", everyone)):
            row = curve[(curve["model"] == name) & (curve["threshold"] == t)].iloc[0]
            assert row["net_benefit_low"] == pytest.approx(reference.low, abs=1e-12)
            assert row["net_benefit_high"] == pytest.approx(reference.high, abs=1e-12)
            assert row["net_benefit_low"] <= row["net_benefit"] <= row["net_benefit_high"]
    none = curve[curve["model"] == "Treat none"]
    assert (none[["net_benefit_low", "net_benefit_high"]].to_numpy() == 0).all()


def test_survival_band_equals_generic_bootstrap():
    horizon = 200
    curve = decision_curve_survival(
        TIME, STATUS, {"m": PROB}, horizon, thresholds=THRESHOLDS, n_boot=100, random_state=5
    )
    for t in THRESHOLDS:
        model = bootstrap_ci(
            lambda a, b, p, t=t: net_benefit_survival(a, b, p, horizon, thresholds=[t])[0],
            TIME,
            STATUS,
            PROB,
            n_boot=100,
            random_state=5,
        )
        row = curve[(curve["model"] == "m") & (curve["threshold"] == t)].iloc[0]
        assert row["net_benefit_low"] == pytest.approx(model.low, abs=1e-12)
        assert row["net_benefit_high"] == pytest.approx(model.high, abs=1e-12)
        assert row["n_degenerate"] == model.n_degenerate

        def everyone(a, b, t=t):
            risk = 1 - kaplan_meier_at(a, b, horizon)[0]
            return risk - (1 - risk) * t / (1 - t)

        reference = bootstrap_ci(everyone, TIME, STATUS, n_boot=100, random_state=5)
        row = curve[(curve["model"] == "Treat all") & (curve["threshold"] == t)].iloc[0]
        assert row["net_benefit_low"] == pytest.approx(reference.low, abs=1e-12)


def test_without_n_boot_the_curves_are_unchanged():
    plain = decision_curve(EVENT, {"m": PROB}, thresholds=THRESHOLDS)
    banded = decision_curve(EVENT, {"m": PROB}, thresholds=THRESHOLDS, n_boot=100, random_state=0)
    assert list(plain.columns) == [
        "model",
        "threshold",
        "net_benefit",
        "tp_rate",
        "fp_rate",
        "net_interventions_avoided",
    ]
    pd.testing.assert_frame_equal(plain, banded[plain.columns])


def test_same_seed_same_band():
    first = decision_curve(EVENT, PROB, thresholds=THRESHOLDS, n_boot=100, random_state=3)
    again = decision_curve(EVENT, PROB, thresholds=THRESHOLDS, n_boot=100, random_state=3)
    pd.testing.assert_frame_equal(first, again)


def test_bad_band_settings():
    with pytest.raises(ValueError, match="must be at least 40"):
        decision_curve(EVENT, PROB, thresholds=THRESHOLDS, n_boot=10)
    with pytest.raises(TypeError, match="'n_boot' parameter of decision_curve_survival"):
        decision_curve_survival(TIME, STATUS, PROB, 200, n_boot=1.5)
    with pytest.raises(ValueError, match="confidence"):
        decision_curve(EVENT, PROB, thresholds=THRESHOLDS, n_boot=100, confidence=95)
