"""fairness_summary: the largest between-group difference and its bootstrap interval.

Oracles: the per-group estimates of subgroup_performance (the difference of its
numbers, to 1e-12), and a brute-force bootstrap written out here (a Python loop over
replicates, groups and outcome classes with the same seed) for the interval.
"""

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.evaluation import (
    calibration_table,
    fairness_summary,
    roc_auc,
    subgroup_performance,
)

N_BOOT = 150


@pytest.fixture(scope="module")
def data():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    y = hf.outcome.event.astype(int)
    rng = np.random.default_rng(7)
    age = hf.features["age"].to_numpy()
    risk = np.clip(0.32 + 0.015 * (age - 60) + rng.normal(0, 0.12, len(y)), 0.02, 0.95)
    groups = pd.DataFrame({"sex": hf.features["sex"], "age": age})
    predictions = {"a": risk, "b": np.clip(0.9 * risk + 0.03, 0, 1)}
    result = fairness_summary(y, predictions, groups, n_boot=N_BOOT, random_state=11)
    return y, predictions, groups, result


def test_estimate_is_the_difference_of_subgroup_performance(data):
    """Oracle: subgroup_performance's per-group estimates; O:E compared as a ratio."""
    y, predictions, groups, result = data
    per_group = subgroup_performance(
        y,
        predictions,
        groups,
        metrics=["auc", "o_e", "calibration_slope", "net_benefit"],
        metric_params={"net_benefit": {"threshold": 0.1}},
        n_boot=50,
        random_state=0,
        overall=False,
    ).summary
    assert len(result.summary) == 2 * 2 * 4
    for row in result.summary.itertuples():
        chosen = per_group[
            (per_group["variable"] == row.variable)
            & (per_group["model"] == row.model)
            & (per_group["metric"] == row.metric)
        ].set_index("subgroup")["estimate"]
        assert row.highest == chosen.idxmax() and row.lowest == chosen.idxmin()
        if row.metric == "o_e":
            assert row.scale == "ratio"
            expected = chosen.max() / chosen.min()
        else:
            assert row.scale == "difference"
            expected = chosen.max() - chosen.min()
        assert row.estimate == pytest.approx(expected, abs=1e-12)
    # the per-group table is subgroup_performance's
    pd.testing.assert_series_equal(
        result.groups["estimate"],
        subgroup_performance(
            y,
            predictions,
            groups,
            metrics=["auc", "o_e", "calibration_slope", "net_benefit"],
            metric_params={"net_benefit": {"threshold": 0.1}},
            n_boot=N_BOOT,
            random_state=11,
            overall=False,
        ).summary["estimate"],
    )


def _net_benefit(y, risk, threshold):
    """Vickers & Elkin 2006: true positives minus weighted false positives, per patient."""
    treated = risk >= threshold
    odds = threshold / (1 - threshold)
    return (np.sum(treated & (y == 1)) - odds * np.sum(treated & (y == 0))) / len(y)


def _brute_force(y, risk, labels, statistic, n_boot, seed, confidence=0.95):
    """Resample patients within each group and outcome class, one replicate at a time;
    compare the groups with the highest and lowest estimate on the data."""
    levels = sorted(pd.unique(labels), key=str)
    estimates = [statistic(y[labels == level], risk[labels == level]) for level in levels]
    hi, lo = int(np.argmax(estimates)), int(np.argmin(estimates))
    rng = np.random.default_rng(seed)
    gaps = []
    for _ in range(n_boot):
        values = []
        drawn = {}
        for level in levels:
            for event in (0, 1):
                members = np.flatnonzero((labels == level) & (y == event))
                drawn[(level, event)] = members[rng.integers(0, len(members), len(members))]
        for level in levels:
            rows = np.concatenate([drawn[(level, 0)], drawn[(level, 1)]])
            values.append(statistic(y[rows], risk[rows]))
        gaps.append(values[hi] - values[lo])
    return estimates[hi] - estimates[lo], np.quantile(gaps, [0.025, 0.975])


@pytest.mark.parametrize(
    "metric, statistic",
    [
        ("auc", roc_auc),
        ("net_benefit", lambda y, r: _net_benefit(y, r, 0.1)),
    ],
    ids=["auc", "net_benefit"],
)
def test_interval_equals_a_brute_force_bootstrap(data, metric, statistic):
    y, predictions, groups, result = data
    labels = np.asarray(groups["sex"].astype(str))
    estimate, (low, high) = _brute_force(
        np.asarray(y), predictions["a"], labels, statistic, N_BOOT, 11
    )
    row = result.summary.set_index(["variable", "model", "metric"]).loc[("sex", "a", metric)]
    assert row["estimate"] == pytest.approx(estimate, abs=1e-12)
    assert (row["low"], row["high"]) == pytest.approx((low, high), abs=1e-12)
    assert row["n_boot"] == N_BOOT and row["n_degenerate"] == 0
    assert row["low"] < row["estimate"] < row["high"]


def test_calibration_curves_per_group(data):
    """Oracle: calibration_table on each group's patients alone."""
    y, predictions, groups, result = data
    women = np.flatnonzero(groups["sex"].to_numpy() == 0)
    expected = calibration_table(
        rk.Outcome.binary(np.asarray(y)[women]),
        {name: risk[women] for name, risk in predictions.items()},
    )
    got = result.calibration[
        (result.calibration["variable"] == "sex") & (result.calibration["subgroup"] == "0")
    ]
    np.testing.assert_allclose(got["observed"], expected["observed"], atol=1e-12)
    assert set(result.calibration["variable"]) == {"sex", "age"}


def test_seed_repeats_and_bad_input():
    y = np.tile([0, 1], 20)
    risk = np.linspace(0.05, 0.9, 40)
    sex = np.repeat(["f", "m"], 20)
    first = fairness_summary(y, risk, sex, metrics=["auc"], n_boot=60, random_state=3)
    again = fairness_summary(y, risk, sex, metrics=["auc"], n_boot=60, random_state=3)
    pd.testing.assert_frame_equal(first.summary, again.summary)
    with pytest.raises(ValueError, match="'threshold' parameter of fairness_summary"):
        fairness_summary(y, risk, sex, threshold=10, n_boot=60)
    with pytest.raises(ValueError, match="pass their mean over repeats"):
        fairness_summary(y, {"m": np.vstack([risk, risk])}, sex, n_boot=60)
    with pytest.raises(ValueError, match="one value per patient"):
        fairness_summary(y, risk, sex[:10], n_boot=60)


def test_a_group_without_an_estimate_is_noted():
    """Groups without events have no AUC: fewer than two groups, no difference."""
    y = np.r_[np.tile([0, 1], 15), np.zeros(30, int)]
    risk = np.linspace(0.05, 0.9, 60)
    site = np.repeat(["a", "b"], 30)
    row = fairness_summary(y, risk, site, metrics=["auc"], n_boot=60, random_state=0).summary
    assert np.isnan(row.loc[0, "estimate"]) and "fewer than two groups" in row.loc[0, "note"]


@pytest.mark.filterwarnings("ignore:concordance_index_ci:UserWarning")
def test_time_to_event_at_a_horizon():
    """Oracle: subgroup_performance on the same synthetic cohort (Harrell's C, and the
    calibration metrics at the horizon)."""
    cohort = rk.cohorts.make_young_hypertension(n_patients=300, random_state=1)
    risk = np.clip(cohort.features["age"].to_numpy() / 100, 0.01, 0.9)
    site = np.where(np.arange(300) % 2 == 0, "even", "odd")
    result = fairness_summary(cohort.outcome, risk, site, horizon=1000, n_boot=40, random_state=0)
    per_group = subgroup_performance(
        cohort.outcome,
        risk,
        site,
        metrics=list(result.summary["metric"]),
        horizon=1000,
        metric_params={"net_benefit": {"threshold": 0.1}},
        n_boot=40,
        overall=False,
    ).summary
    assert list(result.summary["metric"]) == [
        "harrell_c",
        "o_e",
        "calibration_slope",
        "net_benefit",
    ]
    for row in result.summary.itertuples():
        chosen = per_group[per_group["metric"] == row.metric]["estimate"]
        gap = chosen.max() / chosen.min() if row.scale == "ratio" else chosen.max() - chosen.min()
        assert row.estimate == pytest.approx(gap, abs=1e-12)
        assert row.low <= row.high and row.n_boot == 40
    assert "outcome class" not in result.summary["method"].iloc[0]
