"""What the ``method`` column says about an interval (issue 29, item 5).

A metric whose bootstrap is capped (the ICI: each replicate refits the lowess smooth)
states the replicates it drew, in ``method`` and ``n_boot``; an interval that excludes
its estimate says so. Oracles: ``bootstrap_ci`` with the same seed and the stated
number of replicates, brute-force percentiles of a statistic whose bootstrap bias is
known in closed form, and the registry itself (every path gives one text).
"""

import numpy as np
import pytest

from riskml.evaluation import bootstrap_ci, evaluate_predictions, ici
from riskml.evaluation._metrics import EXPENSIVE_N_BOOT, get_metric, metric_interval
from riskml.outcome import Outcome

CAP = f"{EXPENSIVE_N_BOOT} replicates (capped from 1000: each replicate refits the lowess smooth)"
BELOW = (
    "; the estimate lies below this interval because the bootstrap values of the "
    "statistic are biased upward"
)


def _data(seed, n, a=1.0, b=8.0):
    rng = np.random.default_rng(seed)
    p = rng.beta(a, b, n)
    return (rng.random(n) < p).astype(int), p


def _ici(event, prob):
    return ici(event, prob).ici


def test_capped_ici_states_the_replicates_it_drew():
    """Oracle: bootstrap_ci(ici, y, p, n_boot=200, stratify=y) with the same seed: the
    interval rests on exactly the 200 replicates that n_boot and method state."""
    y, p = _data(0, 400, 2.0, 8.0)
    table = evaluate_predictions(y, {"a": p}, metrics=["ici"], n_boot=1000, random_state=3)
    row = table.summary.iloc[0]
    expected = bootstrap_ci(_ici, y, p, n_boot=EXPENSIVE_N_BOOT, stratify=y, random_state=3)
    assert row["n_boot"] == EXPENSIVE_N_BOOT == expected.n_boot
    assert (row["low"], row["high"]) == pytest.approx((expected.low, expected.high), abs=1e-12)
    assert row["method"].startswith(f"percentile bootstrap, stratified, {CAP}")
    more = bootstrap_ci(_ici, y, p, n_boot=1000, stratify=y, random_state=3)
    assert (row["low"], row["high"]) != pytest.approx((more.low, more.high), abs=1e-12)


def test_uncapped_request_says_nothing_about_a_cap():
    """Oracle: bootstrap_ci with the requested 100 replicates (under the cap)."""
    y, p = _data(0, 400, 2.0, 8.0)
    row = evaluate_predictions(
        y, {"a": p}, metrics=["ici"], n_boot=100, random_state=3
    ).summary.iloc[0]
    expected = bootstrap_ci(_ici, y, p, n_boot=100, stratify=y, random_state=3)
    assert row["n_boot"] == 100
    assert row["low"] == pytest.approx(expected.low, abs=1e-12)
    assert "capped" not in row["method"]


def test_every_path_gives_the_same_method_text():
    """Oracle: metric_interval on one model, the shared draws of evaluate_predictions
    (two models), and the one-call-per-replicate path (repeated predictions) name the
    same cap; the repeats are stated where there are repeats."""
    y, p = _data(1, 300, 2.0, 8.0)
    q = np.clip(p * 1.2, 0, 1)
    outcome = Outcome.binary(y)
    single = metric_interval(
        get_metric("ici", "binary"), outcome, p, n_boot=1000, random_state=np.random.default_rng(5)
    )
    shared = evaluate_predictions(
        y, {"a": p, "b": q}, metrics=["ici", "brier"], n_boot=1000, random_state=5
    ).summary.set_index(["model", "metric"])
    repeated = evaluate_predictions(
        y, {"a": np.vstack([p, q])}, metrics=["ici"], n_boot=1000, random_state=5
    ).summary.iloc[0]
    assert shared.loc[("a", "ici"), "method"] == single.method
    assert shared.loc[("a", "ici"), "low"] == pytest.approx(single.low, abs=1e-12)
    assert single.method.startswith(f"percentile bootstrap, stratified, {CAP}")
    assert repeated["method"].startswith(
        f"percentile bootstrap, stratified, mean of 2 repeats, {CAP}"
    )
    assert shared.loc[("a", "brier"), "method"] == "percentile bootstrap, stratified"
    assert shared.loc[("a", "brier"), "n_boot"] == 1000
    assert repeated["n_boot"] == EXPENSIVE_N_BOOT


def test_survival_ici_states_its_cap():
    """Oracle: bootstrap_ci(survival_ici, ..., n_boot=200) with the same seed."""
    from riskml.evaluation import survival_ici

    rng = np.random.default_rng(1)
    n = 200
    risk = rng.uniform(0.1, 0.6, n)
    event_time = rng.exponential(365 / -np.log1p(-risk))
    censor = rng.uniform(100, 800, n)
    time, event = np.ceil(np.minimum(event_time, censor)), event_time <= censor
    ci = metric_interval(
        get_metric("ici", "survival"),
        Outcome.survival(time, event),
        risk,
        horizon=365.0,
        n_boot=300,
        random_state=np.random.default_rng(0),
    )
    expected = bootstrap_ci(
        lambda t, e, r: survival_ici(t, e, r, 365.0),
        time,
        event,
        risk,
        n_boot=EXPENSIVE_N_BOOT,
        random_state=np.random.default_rng(0),
    )
    assert ci.n_boot == EXPENSIVE_N_BOOT
    assert (ci.low, ci.high) == pytest.approx((expected.low, expected.high), abs=1e-12)
    assert ci.method.startswith(
        "percentile bootstrap, 200 replicates (capped from 300: each replicate refits the "
        "spline Cox calibration model)"
    )


def test_ici_below_its_percentile_interval_is_stated():
    """Oracle: the brute-force percentiles of the same 200 replicates (bootstrap_ci of
    ici with the seed): the ICI of these 100 patients (9 events) lies below the 2.5th
    percentile of its resampled values, and the method column says why."""
    y, p = _data(8, 100)
    row = evaluate_predictions(
        y, {"a": p}, metrics=["ici"], n_boot=1000, random_state=0
    ).summary.iloc[0]
    expected = bootstrap_ci(_ici, y, p, n_boot=EXPENSIVE_N_BOOT, stratify=y, random_state=0)
    assert row["estimate"] == pytest.approx(ici(y, p).ici, abs=1e-15)
    assert row["estimate"] < expected.low == pytest.approx(row["low"], abs=1e-12)
    assert row["method"] == (
        f"percentile bootstrap, stratified, {CAP}{BELOW} (the ICI averages absolute "
        "differences between predicted and smoothed observed risk, so the chance "
        "miscalibration of each resample adds to it): the interval shows how much the "
        "statistic varies between samples, not a range around the estimate"
    )


@pytest.mark.parametrize(
    ("sign", "side", "bias"), [(1.0, "below", "upward"), (-1.0, "above", "downward")]
)
def test_bootstrap_ci_states_an_estimate_outside_its_interval(sign, side, bias):
    """Oracle: |mean| of data symmetric about 0 is exactly 0, and every resample's
    |mean| is >= 0 (brute force: the percentiles of the replicates drawn by hand with
    the same generator are above 0), so the interval lies above the estimate."""
    x = np.r_[np.arange(1.0, 26.0), -np.arange(1.0, 26.0)]

    def statistic(values):
        return sign * abs(values.mean())

    ci = bootstrap_ci(statistic, x, n_boot=400, random_state=0)
    rng = np.random.default_rng(0)
    by_hand = [statistic(x[rng.integers(0, x.shape[0], x.shape[0])]) for _ in range(400)]
    assert ci.estimate == 0.0
    assert (ci.low, ci.high) == pytest.approx(tuple(np.quantile(by_hand, [0.025, 0.975])))
    assert ci.method == (
        f"percentile bootstrap; the estimate lies {side} this interval because the "
        f"bootstrap values of the statistic are biased {bias}: the interval shows how much "
        "the statistic varies between samples, not a range around the estimate"
    )
    inside = bootstrap_ci(np.mean, x, n_boot=400, random_state=0)
    assert inside.low < inside.estimate < inside.high
    assert inside.method == "percentile bootstrap"


def test_survival_o_e_bootstrap_honours_n_boot():
    """Oracle: bootstrap_ci(survival_observed_expected_ratio, ..., n_boot=300) with the
    same seed: the Kaplan-Meier O:E is cheap (no refit), so it is not capped."""
    from riskml.evaluation import survival_observed_expected_ratio

    rng = np.random.default_rng(2)
    n = 300
    risk = rng.uniform(0.1, 0.6, n)
    event_time = rng.exponential(365 / -np.log1p(-risk))
    censor = rng.uniform(100, 800, n)
    time, event = np.ceil(np.minimum(event_time, censor)), event_time <= censor
    ci = metric_interval(
        get_metric("o_e", "survival"),
        Outcome.survival(time, event),
        risk,
        horizon=365.0,
        method="bootstrap",
        n_boot=300,
        random_state=np.random.default_rng(0),
    )
    expected = bootstrap_ci(
        lambda t, e, r: survival_observed_expected_ratio(t, e, r, 365.0),
        time,
        event,
        risk,
        n_boot=300,
        random_state=np.random.default_rng(0),
    )
    assert ci.n_boot == 300
    assert (ci.low, ci.high) == pytest.approx((expected.low, expected.high), abs=1e-12)
    assert ci.method == "percentile bootstrap"
