"""Decisions at a horizon for a time-to-event outcome (IPCW), against brute force and R.

Oracles:

- a brute-force computation written here: the reverse Kaplan-Meier G by a loop over the
  distinct times (censorings after the events of their time), each patient's status and
  weight at the horizon by hand (cases ``1 / G(T_i-)`` or ``1 / G(T_i)``, controls
  ``1 / G(h-)`` or ``1 / G(h)``), and the weighted 2x2 table by a loop over thresholds;
- R riskRegression 2022.11.28 ``Score(list(risk), Hist(time, status) ~ 1, times = 365,
  metrics = "auc", plots = "roc", cens.model = "km")``: its ROC points (TPR, FPR at each
  distinct risk), written by ``tests/data/threshold_survival.R`` on a simulated cohort
  with events, censorings and the horizon tied on whole days;
- the Kaplan-Meier identity: the weighted cases sum to ``n (1 - S(h))``.

timeROC and survivalROC are not installed here (checked with R's requireNamespace).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.evaluation import (
    bootstrap_ci,
    optimal_threshold,
    partial_auc,
    partial_auc_ci,
    threshold_statistics,
    time_dependent_auc,
)
from riskml.outcome import kaplan_meier_at

DATA = Path(__file__).resolve().parents[1] / "data"
COHORT = pd.read_csv(DATA / "threshold_survival.csv", float_precision="round_trip")
ROC = pd.read_csv(DATA / "threshold_survival_roc.csv", float_precision="round_trip")
TIME = COHORT["time"].to_numpy(dtype=float)
EVENT = COHORT["status"].to_numpy().astype(bool)
RISK = COHORT["risk"].to_numpy()
Y = rk.Outcome.survival(TIME, EVENT)
HORIZON = 365
CONVENTIONS = ["before", "at", "riskRegression"]
# a hand-made cohort: an event and a censoring on day 4, a censoring on the horizon (6)
SMALL = {
    "time": np.array([1, 2, 3, 4, 4, 5, 6, 6, 7, 8, 9, 10, 11, 12], dtype=float),
    "event": np.array([1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0], dtype=bool),
    "risk": np.array([0.9, 0.2, 0.7, 0.6, 0.6, 0.8, 0.3, 0.5, 0.4, 0.35, 0.1, 0.2, 0.3, 0.05]),
}


def _reverse_km(time, event):
    """G at each distinct time by a loop: censorings leave the risk set after the events."""
    times, values, g = np.unique(time), [], 1.0
    for t in times:
        at_risk = np.sum(time >= t) - np.sum((time == t) & event)
        censored = np.sum((time == t) & ~event)
        if censored:
            g *= 1.0 - censored / at_risk
        values.append(g)
    return times, values


def _g(table, at, left):
    """G(at), or G(at-) with ``left``: the last value at a time before (or at) ``at``."""
    value = 1.0
    for t, g in zip(*table, strict=True):
        if t > at or (left and t == at):
            break
        value = g
    return value


def _brute_weights(time, event, horizon, convention):
    table = _reverse_km(time, event)
    weights = np.zeros(time.shape[0])
    case = np.zeros(time.shape[0], dtype=bool)
    control = np.zeros(time.shape[0], dtype=bool)
    for i in range(time.shape[0]):
        if event[i] and time[i] <= horizon:
            case[i] = True
            weights[i] = 1.0 / _g(table, time[i], left=convention != "at")
        elif time[i] > horizon or (convention == "before" and time[i] == horizon):
            control[i] = True
            weights[i] = 1.0 / _g(table, horizon, left=convention == "before")
    return case, control, weights


def _brute_statistics(time, event, risk, horizon, threshold, convention="before", weights=None):
    case, control, weights = weights or _brute_weights(time, event, horizon, convention)
    positive = risk >= threshold
    tp = np.sum(weights[case & positive])
    fp = np.sum(weights[control & positive])
    fn = np.sum(weights[case & ~positive])
    tn = np.sum(weights[control & ~positive])
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "tp": tp,
            "fp": fp,
            "tn": tn,
            "fn": fn,
            "sensitivity": tp / (tp + fn),
            "specificity": tn / (tn + fp),
            "ppv": tp / (tp + fp) if tp + fp else np.nan,
            "npv": tn / (tn + fn) if tn + fn else np.nan,
            "accuracy": (tp + tn) / (tp + fp + tn + fn),
        }


STATS = ["tp", "fp", "tn", "fn", "sensitivity", "specificity", "ppv", "npv", "accuracy"]


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("cohort", ["simulated", "small"])
def test_statistics_equal_brute_force(convention, cohort):
    if cohort == "simulated":
        time, event, risk, horizon = TIME, EVENT, RISK, HORIZON
        thresholds = np.array([0.0, 0.1, 0.25, 0.4, 0.41, 0.6, 0.95, 1.0])
    else:
        time, event, risk, horizon = SMALL["time"], SMALL["event"], SMALL["risk"], 6
        thresholds = np.array([0.05, 0.3, 0.55, 0.6, 0.85, 1.0])
    table = threshold_statistics(
        rk.Outcome.survival(time, event),
        risk,
        thresholds,
        horizon=horizon,
        censoring_weights=convention,
        n_boot=0,
    ).summary
    weights = _brute_weights(time, event, horizon, convention)
    for row, threshold in zip(table.itertuples(index=False), thresholds, strict=True):
        expected = _brute_statistics(time, event, risk, horizon, threshold, weights=weights)
        for name in STATS:
            ours = getattr(row, name)
            if np.isnan(expected[name]):
                assert np.isnan(ours), (threshold, name)
            else:
                assert ours == pytest.approx(expected[name], abs=1e-9), (threshold, name)


def test_roc_points_equal_riskregression_score():
    """TPR and FPR at every distinct risk, censoring_weights='riskRegression'."""
    table = threshold_statistics(
        Y,
        RISK,
        ROC["risk"].to_numpy(),
        horizon=HORIZON,
        censoring_weights="riskRegression",
        n_boot=0,
    ).summary
    np.testing.assert_allclose(table["sensitivity"], ROC["TPR"], atol=1e-9)
    np.testing.assert_allclose(1 - table["specificity"], ROC["FPR"], atol=1e-9)
    # and the area under those points is Score's AUC
    area = partial_auc(
        Y, RISK, specificity=(0, 1), horizon=HORIZON, censoring_weights="riskRegression"
    )
    assert area == pytest.approx(ROC["auc"].iloc[0], abs=1e-9)


def test_weighted_table_estimates_the_whole_cohort():
    """Kaplan-Meier identity (G from the same data, 'before'): weighted cases = n (1 - S(h)),
    all weights = n."""
    table = threshold_statistics(Y, RISK, [0.3], horizon=HORIZON, n_boot=0).summary.iloc[0]
    survival, _ = kaplan_meier_at(TIME, EVENT, HORIZON)
    assert table["tp"] + table["fn"] == pytest.approx(TIME.shape[0] * (1 - survival), abs=1e-9)
    total = table[["tp", "fp", "tn", "fn"]].sum()
    assert total == pytest.approx(TIME.shape[0], abs=1e-9)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_full_range_partial_auc_equals_time_dependent_auc(convention):
    area = partial_auc(Y, RISK, sensitivity=(0, 1), horizon=HORIZON, censoring_weights=convention)
    auc = time_dependent_auc(TIME, EVENT, RISK, [HORIZON], censoring_weights=convention)[0]
    assert area == pytest.approx(auc, abs=1e-12)


def test_optimal_threshold_equals_brute_force():
    values = np.unique(RISK)
    candidates = np.r_[-np.inf, (values[:-1] + values[1:]) / 2, np.inf]
    youden, weights = [], _brute_weights(TIME, EVENT, HORIZON, "before")
    for threshold in candidates:
        stats = _brute_statistics(TIME, EVENT, RISK, HORIZON, threshold, weights=weights)
        youden.append(stats["sensitivity"] + stats["specificity"] - 1)
    youden = np.array(youden)
    best = optimal_threshold(Y, RISK, horizon=HORIZON, n_boot=0)
    assert best.criterion == pytest.approx(youden.max(), abs=1e-12)
    assert best.threshold == candidates[np.flatnonzero(youden >= youden.max() - 1e-12)[0]]


def _status(time, event, horizon):
    return np.where(event & (time <= horizon), 1, np.where(time >= horizon, 0, 2))


@pytest.mark.parametrize("stratified", [True, False])
def test_bootstrap_reestimates_censoring_in_each_replicate(stratified):
    """Replicate r equals the brute force on bootstrap_ci's resample r (same seed, strata:
    the status at the horizon), with G estimated again on the resample."""
    time, event, risk = SMALL["time"], SMALL["event"], SMALL["risk"]
    outcome = rk.Outcome.survival(time, event)
    with pytest.warns(UserWarning, match="fewer than 10"):
        result = threshold_statistics(
            outcome, risk, [0.3, 0.6], horizon=6, n_boot=200, random_state=4, stratified=stratified
        )
    frame = result.intervals.set_index(["threshold", "statistic"])
    strata = _status(time, event, 6) if stratified else None
    for threshold in (0.3, 0.6):
        for name in ("sensitivity", "specificity", "ppv", "npv", "tp"):
            reference = bootstrap_ci(
                lambda t, e, r, c=threshold, s=name: _brute_statistics(t, e, r, 6, c)[s],
                time,
                event,
                risk,
                n_boot=200,
                stratify=strata,
                random_state=4,
            )
            row = frame.loc[(threshold, name)]
            assert row["low"] == pytest.approx(reference.low, abs=1e-9)
            assert row["high"] == pytest.approx(reference.high, abs=1e-9)
            assert row["n_degenerate"] == reference.n_degenerate


def test_partial_auc_interval_at_horizon_equals_generic_bootstrap():
    strata = _status(TIME, EVENT, HORIZON)
    fast = partial_auc_ci(
        Y, RISK, specificity=(0.8, 1), horizon=HORIZON, n_boot=100, random_state=2
    )
    slow = bootstrap_ci(
        lambda t, e, r: partial_auc(
            rk.Outcome.survival(t, e), r, specificity=(0.8, 1), horizon=HORIZON
        ),
        TIME,
        EVENT,
        RISK,
        n_boot=100,
        stratify=strata,
        random_state=2,
    )
    assert (fast.low, fast.high) == pytest.approx((slow.low, slow.high), abs=1e-12)


def test_bad_horizons():
    with pytest.raises(ValueError, match="needs a horizon for a time-to-event outcome"):
        threshold_statistics(Y, RISK, [0.2])
    with pytest.raises(ValueError, match="beyond the follow-up"):
        threshold_statistics(Y, RISK, [0.2], horizon=5000)
    with pytest.raises(ValueError, match="positive number of days"):
        optimal_threshold(Y, RISK, horizon=-1)
    early = rk.Outcome.survival([5, 6, 7, 8], [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"undefined at horizon 2: it has 0 case\(s\)"):
        threshold_statistics(early, [0.1, 0.2, 0.3, 0.4], [0.2], horizon=2)
    with pytest.raises(ValueError, match="'censoring_weights' parameter"):
        threshold_statistics(Y, RISK, [0.2], horizon=HORIZON, censoring_weights="after")
