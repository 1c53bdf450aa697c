"""Competing-risk outcomes (issue 27): the horizon rule, the fit(X, y) forms, and the one
Aalen-Johansen estimator.

Oracles: the written rule (a competing event by the horizon is a known non-event of
interest; van Geloven et al. 2022) checked case by case; R prodlim 2019.11.13
``predict(prodlim(Hist(time, status) ~ 1), times, cause, type = "cuminc")`` and cmprsk
2.2-11 ``timepoints(cuminc(time, status), times)`` on the synthetic cohort_days and
cohort_months (tests/data/competing_risks.R, competing_aalen_johansen.csv), tolerance
1e-9 (the CSV holds 12 significant digits); 1 - Kaplan-Meier for one event type.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskml import Outcome
from riskml.models import CoxPH, LogisticRisk, RiskPipeline
from riskml.outcome import (
    aalen_johansen,
    aalen_johansen_at,
    check_outcome,
    horizon_label,
    kaplan_meier,
)

DATA = Path(__file__).parent / "data"


def test_horizon_rule_case_by_case():
    # interest by h, competing by h, censored before h, censored at h, any event after h
    time = [100, 200, 300, 365, 365, 365, 500, 600]
    event_type = [1, 2, 0, 0, 1, 3, 1, 2]
    expected = [1.0, 0.0, np.nan, 0.0, 1.0, 0.0, 0.0, 0.0]
    np.testing.assert_array_equal(horizon_label(time, event_type, 365), expected)
    np.testing.assert_array_equal(Outcome.competing(time, event_type).at_horizon(365), expected)


def test_binary_events_keep_the_old_rule():
    time, event = [100, 200, 400], [1, 0, 0]
    np.testing.assert_array_equal(horizon_label(time, event, 365), [1.0, np.nan, 0.0])
    np.testing.assert_array_equal(
        horizon_label(time, np.array(event, dtype=bool), 365), [1.0, np.nan, 0.0]
    )


def test_outcome_attributes_and_round_trip():
    y = Outcome.competing([5.0, 6.0, 7.0, 8.0], [0, 1, 2, 1], name="cvd")
    assert (y.kind, y.is_competing, y.is_survival, len(y)) == ("competing", True, True, 4)
    assert y.event.tolist() == [False, True, False, True]
    structured = y.to_y()
    assert structured.dtype.names == ("event_type", "time")
    back = check_outcome(structured)
    assert back.event_type.tolist() == [0, 1, 2, 1] and back.time.tolist() == y.time.tolist()
    assert y[1:].event_type.tolist() == [1, 2, 1]
    assert y.to_frame()["event_type"].tolist() == [0, 1, 2, 1]
    assert "competing=1" in repr(y)
    assert Outcome.survival([1, 2], [1, 0]).kind == "survival"
    assert not Outcome.survival([1, 2], [1, 0]).is_competing


@pytest.mark.parametrize(
    ("event_type", "error", "match"),
    [
        ([0, 1, -1], ValueError, "whole numbers >= 0"),
        ([0, 1.5, 2], ValueError, "whole numbers >= 0"),
        ([0, np.nan, 2], ValueError, "whole numbers >= 0"),
        (["a", "b", "c"], TypeError, "integer event codes"),
    ],
)
def test_bad_event_types_are_refused(event_type, error, match):
    with pytest.raises(error, match=match):
        Outcome.competing([1, 2, 3], event_type)


def test_competing_outcome_needs_time():
    with pytest.raises(ValueError, match="needs the time"):
        Outcome(None, None, event_type=[0, 1])


def test_survival_models_refuse_competing_outcomes():
    X = pd.DataFrame({"x": np.arange(6.0)})
    y = Outcome.competing([1, 2, 3, 4, 5, 6], [1, 2, 0, 1, 2, 0])
    with pytest.raises(ValueError, match="does not model competing risks"):
        CoxPH().fit(X, y)
    with pytest.raises(ValueError, match="does not model competing risks"):
        check_outcome(y, allow_binary=False)


def test_pipeline_learns_the_competing_label_at_the_horizon():
    """A binary model in a RiskPipeline trains on the written rule: the patients censored
    before the horizon are left out, a competing event is a 0."""
    rng = np.random.default_rng(3)
    n = 300
    X = pd.DataFrame({"x": rng.normal(size=n)})
    time = rng.exponential(400, n).round() + 1
    event_type = rng.integers(0, 3, n)
    y = Outcome.competing(time, event_type)
    pipeline = RiskPipeline([("model", LogisticRisk())], horizon=365).fit(X, y)
    label = horizon_label(time, event_type, 365)
    assert pipeline.n_dropped_ == int(np.isnan(label).sum())
    direct = LogisticRisk().fit(X[~np.isnan(label)], label[~np.isnan(label)].astype(int))
    np.testing.assert_allclose(pipeline.predict_risk(X), direct.predict_risk(X), rtol=1e-12)


@pytest.mark.parametrize("name", ["cohort_days", "cohort_months"])
@pytest.mark.parametrize("cause", [1, 2])
def test_aalen_johansen_equals_prodlim_and_cuminc(name, cause):
    data = pd.read_csv(DATA / f"competing_{name}.csv")
    oracle = pd.read_csv(DATA / "competing_aalen_johansen.csv")
    oracle = oracle[(oracle.dataset == name) & (oracle.cause == cause)]
    got = np.array(
        [
            aalen_johansen_at(data.time, data.status, t, cause=cause, tail="prodlim")
            for t in oracle.time
        ]
    )
    np.testing.assert_allclose(got, oracle.prodlim, rtol=0, atol=1e-9)  # NaN beyond follow-up
    np.testing.assert_allclose(got, oracle.cuminc, rtol=0, atol=1e-9)
    assert np.isnan(got[-1])  # one day after the last follow-up: NA in R


def test_one_event_type_gives_one_minus_kaplan_meier():
    rng = np.random.default_rng(1)
    time = np.ceil(rng.exponential(300, 200) / 30) * 30
    event = rng.random(200) < 0.5
    times, incidence, survival = aalen_johansen(time, event.astype(int))
    km_times, km_survival, _ = kaplan_meier(time, event)
    np.testing.assert_array_equal(times, km_times)
    np.testing.assert_allclose(incidence, 1.0 - km_survival, rtol=0, atol=1e-12)
    np.testing.assert_allclose(survival, km_survival, rtol=0, atol=0)


def test_treating_competing_events_as_censored_overstates_the_risk():
    """Wolbers et al. 2009: 1 - KM (competing censored) >= the cumulative incidence."""
    data = pd.read_csv(DATA / "competing_cohort_months.csv")
    km_times, km_survival, _ = kaplan_meier(data.time, data.status == 1)
    times, incidence, _ = aalen_johansen(data.time, data.status)
    assert np.all(1.0 - km_survival >= incidence - 1e-12)
    assert (1.0 - km_survival[-1]) - incidence[-1] > 0.05


def test_aalen_johansen_tail_option():
    assert aalen_johansen_at([1, 2], [1, 0], 5) == 0.5
    assert np.isnan(aalen_johansen_at([1, 2], [1, 0], 5, tail="prodlim"))
    with pytest.raises(ValueError, match="tail must be"):
        aalen_johansen_at([1, 2], [1, 0], 5, tail="x")
