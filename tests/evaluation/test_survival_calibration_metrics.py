"""O:E, calibration slope and ICI at a horizon against R (tests/data/survival_calibration.R).

The data have whole-day times (ties, so Efron's method matters) and a miscalibrated
prediction. R: survival::survfit (Kaplan-Meier, Greenwood), survival::coxph (Efron ties,
follow-up truncated at the horizon), Hmisc::rcspline.eval (3-knot spline) and
survfit.coxph for the ICI (Austin, Harrell & van Klaveren 2020).
"""

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskml.evaluation import (
    _calibration,
    survival_calibration_slope,
    survival_ici,
    survival_metric_ci,
    survival_observed_expected_ratio,
)
from riskml.outcome import horizon_label

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def data():
    frame = pd.read_csv(DATA / "survival_calibration.csv")
    expected = pd.read_csv(DATA / "survival_calibration_r.csv").set_index("metric")["value"]
    return (frame.time.to_numpy(), frame.status.to_numpy(), frame.risk.to_numpy()), expected


def test_point_estimates_equal_r(data):
    args, expected = data
    assert survival_observed_expected_ratio(*args, 365.0) == pytest.approx(expected.oe, abs=1e-10)
    assert survival_calibration_slope(*args, 365.0) == pytest.approx(expected.slope, abs=1e-8)
    assert survival_ici(*args, 365.0) == pytest.approx(expected.ici, abs=1e-8)


def test_wald_intervals_equal_r(data):
    args, expected = data
    oe = survival_metric_ci("o_e", *args, 365.0, method="wald")
    assert (oe.estimate, oe.low, oe.high) == pytest.approx(
        (expected.oe, expected.oe_low, expected.oe_high), abs=1e-10
    )
    slope = survival_metric_ci("calibration_slope", *args, 365.0, method="wald")
    assert (slope.estimate, slope.low, slope.high) == pytest.approx(
        (expected.slope, expected.slope_low, expected.slope_high), abs=1e-8
    )
    with pytest.raises(ValueError, match=r"method='wald' is available for .* got metric 'ici'"):
        survival_metric_ci("ici", *args, 365.0, method="wald")


def test_bootstrap_interval_of_the_ici_is_seeded(data):
    """Oracle: the same seed gives the same interval, which covers the estimate."""
    args, _ = data
    first = survival_metric_ci("ici", *args, 365.0, n_boot=100, random_state=1)
    again = survival_metric_ci("ici", *args, 365.0, n_boot=100, random_state=1)
    assert first == again
    assert first.low < first.estimate < first.high


def test_without_censoring_before_the_horizon_o_e_is_the_binary_ratio(data):
    """Oracle: sum(horizon_label) / sum(risk) when nobody is censored before h."""
    (time, event, risk), _ = data
    keep = ~np.isnan(horizon_label(time, event, 365.0))
    label = horizon_label(time[keep], event[keep], 365.0)
    assert survival_observed_expected_ratio(
        time[keep], event[keep], risk[keep], 365.0
    ) == pytest.approx(label.sum() / risk[keep].sum(), abs=1e-12)


def test_risks_of_zero_or_one_are_left_out_with_a_warning(data):
    """Oracle: the slope of the other patients (as rms::val.prob drops p of 0 or 1)."""
    (time, event, risk), _ = data
    risk = risk.copy()
    risk[[3, 7]] = [0.0, 1.0]
    keep = np.ones(len(risk), bool)
    keep[[3, 7]] = False
    with pytest.warns(UserWarning, match=r"2 patient\(s\) with a predicted risk of exactly 0"):
        slope = survival_calibration_slope(time, event, risk, 365.0)
    assert slope == pytest.approx(
        survival_calibration_slope(time[keep], event[keep], risk[keep], 365.0), abs=1e-12
    )


def test_docstring_examples_run():
    """Oracle: the Examples' values (the O:E by hand: KM risk 1 - 0.8 * 2/3 over mean risk 0.38)."""
    result = doctest.testmod(_calibration, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0
