"""A horizon nobody can be evaluated at is refused before any fit, in words that name
its unit and the follow-up (issue: "Study(..., horizon=60) on a cohort in days").

Oracle: the counts of ``Outcome.at_horizon`` (riskml's one horizon rule) and numpy's
quantiles of the follow-up, recomputed here.
"""

import numpy as np
import pytest

import riskml as rk


@pytest.fixture(scope="module")
def development():
    return rk.cohorts.make_young_hypertension(n_patients=508, random_state=0)


def _quartiles(cohort):
    return np.quantile(cohort.outcome.time, [0.25, 0.5, 0.75])


def test_a_horizon_in_months_on_a_cohort_in_days_is_refused(development):
    # the first event is on day 40: 36 (months) leaves no case by the horizon
    first_event = development.outcome.time[development.outcome.event].min()
    assert first_event == 40
    label = development.outcome.at_horizon(36)
    assert np.sum(label == 1) == 0 and np.sum(label == 0) == len(development)
    q1, median, q3 = _quartiles(development)
    with pytest.raises(ValueError) as raised:
        rk.Study(development, models=["cox"], horizon=36, progress=False).run()
    message = str(raised.value)
    assert "horizon=36 days cannot be evaluated in the cohort" in message
    assert "no patient has the event by then (no cases)" in message
    assert f"0 case(s) with the event by day 36, {len(development)} control(s)" in message
    assert f"(median {median:,.0f}, quartiles {q1:,.0f}-{q3:,.0f})" in message
    assert "Is the horizon in days?" in message
    assert f"36 months would be horizon={36 * 30.4375:,.0f}" in message
    assert "choose a horizon after the first event (day 40)" in message.lower()


def test_an_external_cohort_without_cases_by_the_horizon_is_refused(development):
    # the development cohort has a case by day 60 (day 40); this external one has none
    external = rk.cohorts.make_young_hypertension(n_patients=508, random_state=4)
    assert np.sum(development.outcome.at_horizon(60) == 1) >= 1
    assert np.sum(external.outcome.at_horizon(60) == 1) == 0
    with pytest.raises(ValueError, match=r"horizon=60 days cannot be evaluated in the external"):
        rk.Study(development, models=["cox"], horizon=60, external=external, progress=False).run()


def test_an_external_cohort_evaluable_at_the_horizon_passes_the_check(development):
    external = rk.cohorts.make_young_hypertension(n_patients=508, random_state=1)
    study = rk.Study(development, models=["cox"], horizon=1004, external=external)
    # the pre-flight checks alone: no fit
    settings = study._check_settings()
    assert settings.horizon == 1004.0


def test_a_horizon_beyond_every_follow_up_names_the_longest(development):
    longest = development.outcome.time.max()
    with pytest.raises(ValueError) as raised:
        rk.Study(development, models=["cox"], horizon=10_000, progress=False).run()
    message = str(raised.value)
    assert "no patient is followed to it event-free (no controls)" in message
    assert f"no later than the longest follow-up ({longest:,.0f} days)" in message
    assert "Is the horizon in days?" not in message
