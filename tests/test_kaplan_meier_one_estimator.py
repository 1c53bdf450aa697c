"""riskml has one Kaplan-Meier estimator (:func:`riskml.outcome.kaplan_meier`), used by
evaluation (observed risk, IPCW, net benefit), cohorts (risk by a horizon, reverse-KM
follow-up) and the recalibration of published scores.

Oracle: lifelines' ``KaplanMeierFitter`` (survival function at every time, at horizons,
and ``qth_survival_times`` for the reverse-KM quartiles), on random cohorts with ties.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import qth_survival_times

import riskml.outcome
from riskml import Outcome
from riskml.cohorts._cohort import kaplan_meier_risk, reverse_km_quartiles
from riskml.models.scores._recalibration import kaplan_meier_survival
from riskml.outcome import kaplan_meier, kaplan_meier_at


def _cohort(seed, n=300, tied=False):
    rng = np.random.default_rng(seed)
    time = rng.exponential(400, n)
    if tied:
        time = np.ceil(time / 30) * 30  # monthly follow-up: many ties
    return time, rng.random(n) < 0.4


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("tied", [False, True])
def test_equals_lifelines_everywhere(seed, tied):
    time, event = _cohort(seed, tied=tied)
    fitter = KaplanMeierFitter().fit(time, event)
    times, survival, _ = kaplan_meier(time, event)
    expected = fitter.survival_function_.iloc[:, 0]
    expected = expected[expected.index > 0]
    np.testing.assert_allclose(times, expected.index.to_numpy(), rtol=0, atol=0)
    np.testing.assert_allclose(survival, expected.to_numpy(), rtol=1e-12, atol=1e-14)
    for horizon in (0.5, 90, 365, 400.0, float(np.median(time)), float(time.max())):
        oracle = float(fitter.survival_function_at_times(horizon).iloc[0])
        assert kaplan_meier_at(time, event, horizon, tail="hold")[0] == pytest.approx(
            oracle, rel=1e-12, abs=1e-14
        )
        assert kaplan_meier_risk(time, event, horizon) == pytest.approx(
            1 - oracle, rel=1e-12, abs=1e-14
        )
        outcome = Outcome.survival(time, event)
        if (event & (time <= horizon)).any():
            assert kaplan_meier_survival(outcome, horizon) == pytest.approx(oracle, rel=1e-12)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("tied", [False, True])
def test_reverse_km_quartiles_equal_lifelines(seed, tied):
    time, event = _cohort(seed, tied=tied)
    fitter = KaplanMeierFitter().fit(time, ~event)
    expected = [
        float(np.asarray(qth_survival_times(q, fitter.survival_function_)).ravel()[0])
        for q in (0.75, 0.5, 0.25)
    ]
    expected = [value if np.isfinite(value) else float("nan") for value in expected]
    np.testing.assert_allclose(reverse_km_quartiles(time, event), expected, rtol=0, atol=0)


def test_tails_beyond_the_last_follow_up():
    """Oracle: the definitions (docstring): hold, 0 once the estimate reached 0, else NaN."""
    time, event = np.array([1.0, 2.0, 3.0]), np.array([True, False, True])
    assert kaplan_meier_at(time, event, 10.0)[0] == 0.0  # the last patient died
    assert np.isnan(kaplan_meier_at(time, ~event, 10.0)[0])
    assert kaplan_meier_at(time, ~event, 10.0, tail="hold")[0] == pytest.approx(0.5)
    assert np.isnan(kaplan_meier_at(time, event, 10.0, tail="dcurves")[0])
    assert np.isnan(kaplan_meier_risk(time, ~event, 10.0))


def test_no_second_kaplan_meier_in_riskml():
    """Oracle: the source text. No module fits lifelines' KaplanMeierFitter any more."""
    root = Path(riskml.outcome.__file__).parent
    users = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if "KaplanMeierFitter(" in path.read_text(encoding="utf-8")
    ]
    assert users == []


def test_docstring_examples_run():
    result = doctest.testmod(riskml.outcome, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0
