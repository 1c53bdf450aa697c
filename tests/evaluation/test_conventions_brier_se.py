"""The Brier score's Wald interval from the sampling variance of the estimate (issue 29,
item 4c, binary outcomes; the censored case is in test_conventions_ipcw.py).

Oracle: tests/data/brier_se.csv, written by brier_se.R (R 4.2.2, riskRegression
2022.11.28): ``Score(list(p), formula = y ~ 1, data = d, metrics = "brier", se.fit =
TRUE)``, whose se is ``sd((y - p)^2) / sqrt(n)`` and whose interval is truncated to
[0, 1], on rossi (arrest by week 52, everyone followed to week 52), the 16-patient
constructed set of tests/data/ipcw_inputs.py, and 8 sharp predictions written below.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskml.evaluation import brier_score, metric_ci

DATA = Path(__file__).resolve().parents[1] / "data"
_spec = importlib.util.spec_from_file_location("ipcw_inputs", DATA / "ipcw_inputs.py")
inputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(inputs)

R = pd.read_csv(DATA / "brier_se.csv")
#: the "sharp" data of brier_se.R
SHARP = (
    np.array([0, 0, 1, 1, 0, 1, 0, 1]),
    np.array([0.01, 0.02, 0.98, 0.97, 0.05, 0.9, 0.6, 0.95]),
)


def _binary(name):
    if name == "sharp":
        return SHARP
    _, event, risk = inputs.load(name)
    return event.astype(int), risk


@pytest.mark.parametrize(
    "row", list(R.itertuples()), ids=[f"{r.data}-{r.confidence:g}" for r in R.itertuples()]
)
def test_brier_wald_interval_equals_riskregression(row):
    """Oracle: riskRegression::Score(..., se.fit = TRUE) Brier, lower, upper; "sharp" has
    its lower limit truncated at 0 as R does."""
    y, p = _binary(row.data)
    ci = metric_ci("brier", y, p, method="wald", confidence=row.confidence)
    assert ci.estimate == pytest.approx(row.Brier, abs=1e-12)
    assert (ci.low, ci.high) == pytest.approx((row.lower, row.upper), abs=1e-10)
    assert ci.method == "Wald (sampling variance of the Brier score)"
    assert ci.confidence == row.confidence and ci.n_boot == 0
    # the standard error R reports: the interval's half-width where it is not truncated
    z = {0.95: 1.959963984540054, 0.9: 1.6448536269514722}[row.confidence]
    assert (ci.high - ci.estimate) / z == pytest.approx(row.se, abs=1e-10)


def test_sampling_variance_is_the_spread_of_the_estimate_for_a_miscalibrated_model():
    """Oracle: Monte Carlo over cohorts drawn from one population, with predictions a
    sixth of the true risks. The sampling standard error matches the spread of the
    Brier score; Spiegelhalter's null standard error (predictions taken as the true
    risks, so p (1 - p) in place of the outcome's variance) is about half of it."""
    rng = np.random.default_rng(17)
    n = 500

    def cohort():
        risk = rng.uniform(0.3, 0.5, n)
        return (rng.random(n) < risk).astype(int), risk / 6

    y, p = cohort()
    wald = metric_ci("brier", y, p, method="wald")
    null = metric_ci("brier", y, p, method="spiegelhalter")
    spread = np.std([brier_score(*cohort()) for _ in range(2000)], ddof=1)
    z = 1.959963984540054
    assert (wald.high - wald.low) / (2 * z) == pytest.approx(spread, rel=0.1)
    assert (null.high - null.low) / (2 * z) < 0.7 * spread
    assert null.method.startswith("Spiegelhalter")


def test_spiegelhalter_is_for_the_brier_score_only():
    """Error contract (no oracle)."""
    y, p = SHARP
    with pytest.raises(ValueError, match=r"method='spiegelhalter' is available for 'brier' only"):
        metric_ci("calibration_slope", y, p, method="spiegelhalter")
    with pytest.raises(ValueError, match=r"'method' parameter of metric_ci must be one of"):
        metric_ci("brier", y, p, method="normal")
    with pytest.raises(ValueError, match=r"needs the standard deviation over patients, so at"):
        metric_ci("brier", [1], [0.4], method="wald")
