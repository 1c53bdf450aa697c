"""Brier score options of issue 14 against riskRegression, scikit-survival and simulation."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskml.evaluation import (
    brier_score,
    brier_score_ipcw,
    brier_scores_ipcw,
    integrated_brier_score,
    metric_ci,
    scaled_brier_ipcw,
)

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def ties():
    data = pd.read_csv(DATA / "ipcw_ties.csv")
    expected = pd.read_csv(DATA / "ipcw_ties_riskregression.csv")
    return data.time.to_numpy(), data.status.to_numpy(), data.risk.to_numpy(), expected


def test_brier_over_times_and_step_ibs_equal_riskregression(ties):
    """Oracle: riskRegression::Score Brier and summary="ibs" (tests/data/ipcw_ties.R)."""
    time, event, risk, expected = ties
    times = expected.times.to_numpy()
    np.testing.assert_allclose(
        brier_scores_ipcw(time, event, risk, times), expected.Brier, rtol=0, atol=1e-10
    )
    reversed_ = brier_scores_ipcw(time, event, risk, times[::-1])
    np.testing.assert_allclose(reversed_, expected.Brier.to_numpy()[::-1], rtol=0, atol=1e-10)
    for k in range(1, 4):
        ibs = integrated_brier_score(time, event, risk, times[: k + 1], rule="step")
        assert ibs == pytest.approx(expected.IBS[k], abs=1e-10)


def test_survival_probabilities_and_trapezoid_ibs_equal_scikit_survival():
    """Oracle: sksurv.metrics.brier_score / integrated_brier_score (estimate = S(t|x)),
    with censoring_weights="at" (scikit-survival's G(T_i)), on data with ties."""
    sksurv_metrics = pytest.importorskip("sksurv.metrics")
    surv = pytest.importorskip("sksurv.util").Surv
    rng = np.random.default_rng(5)
    n = 250
    time = rng.integers(1, 40, n).astype(float)
    event = rng.random(n) < 0.6
    time[0], event[0] = 50.0, False
    times = np.array([5.0, 12.0, 20.0, 31.0])
    survival = rng.uniform(0.3, 0.95, (n, times.shape[0]))
    y = surv.from_arrays(event, time)
    _, expected = sksurv_metrics.brier_score(y, y, survival, times)
    ours = brier_scores_ipcw(
        time, event, survival, times, prediction="survival", censoring_weights="at"
    )
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)
    expected_ibs = sksurv_metrics.integrated_brier_score(y, y, survival, times)
    ibs = integrated_brier_score(
        time, event, survival, times, prediction="survival", censoring_weights="at"
    )
    assert ibs == pytest.approx(expected_ibs, abs=1e-12)
    # the risk and survival spellings give the same score
    assert brier_score_ipcw(time, event, 1 - survival[:, 1], 12.0) == pytest.approx(
        brier_score_ipcw(time, event, survival[:, 1], 12.0, prediction="survival"), abs=1e-15
    )
    assert scaled_brier_ipcw(time, event, 1 - survival[:, 1], 12.0) == pytest.approx(
        scaled_brier_ipcw(time, event, survival[:, 1], 12.0, prediction="survival"), abs=1e-15
    )


def test_brier_spiegelhalter_interval_is_predrupdates_interval():
    """Oracle: predRupdate's formula (R/validate_logistic.R, Spiegelhalter 1986) written
    out term by term, and a Monte Carlo check that it is the Brier score's standard
    deviation when outcomes are drawn from the predicted risks.

    Issue 29: this was method="wald" until the Wald interval became the sampling
    variance of the estimate (tests/evaluation/test_conventions_brier_se.py); on these
    data "wald" moved from (0.16579, 0.19910) to (0.16413, 0.20075)."""
    rng = np.random.default_rng(11)
    p = rng.uniform(0.02, 0.7, 400)
    y = rng.random(400) < p
    ci = metric_ci("brier", y, p, method="spiegelhalter")
    assert ci.method.startswith("Spiegelhalter")
    n = p.shape[0]
    variance = n**-2 * sum((1 - 2 * pi) ** 2 * (pi * (1 - pi)) for pi in p)
    z = 1.959963984540054
    assert ci.estimate == pytest.approx(brier_score(y, p), abs=1e-15)
    assert (ci.low, ci.high) == pytest.approx(
        (ci.estimate - z * variance**0.5, ci.estimate + z * variance**0.5), abs=1e-14
    )
    draws = rng.random((4000, n)) < p
    simulated = ((draws - p) ** 2).mean(axis=1)
    assert simulated.std() == pytest.approx(variance**0.5, rel=0.05)


def test_option_errors():
    """Error contract (no oracle): bad option values are named with their choices."""
    args = ([2, 3, 5, 8, 9], [1, 0, 1, 0, 1], [0.7, 0.4, 0.5, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"'prediction' parameter of brier_score_ipcw"):
        brier_score_ipcw(*args, 6, prediction="hazard")
    with pytest.raises(ValueError, match=r"'censoring_weights' parameter of brier_score_ipcw"):
        brier_score_ipcw(*args, 6, censoring_weights="after")
    with pytest.raises(ValueError, match=r"integrated_brier_score needs at least two horizons"):
        integrated_brier_score(*args, [6])
    with pytest.raises(ValueError, match=r"'rule' parameter of integrated_brier_score"):
        integrated_brier_score(*args, [4, 6], rule="simpson")
    with pytest.raises(ValueError, match=r"predictions of brier_scores_ipcw have 2 columns"):
        brier_scores_ipcw(*args[:2], np.c_[args[2], args[2]], [4, 6, 8])
