"""Competing-risk metrics at a horizon equal R (issue 27).

Oracles (tests/data/competing_risks.R; R 4.2.2): riskRegression 2022.11.28
``Score(list(csc, fine_gray), Hist(time, status) ~ 1, data, times, cause = 1,
metrics = c("auc", "brier"), summary = "ipa", cens.model = "km")``; pec 2022.5.4
``cindex(..., cause = 1, cens.model = "marginal" / "none")`` (Wolbers' C); prodlim's
Aalen-Johansen for O:E, decile calibration and net benefit; on the synthetic cohort_days
(205 patients) and every 4th patient of cohort_months (whole months: censorings tie with
events and with the horizons 12, 60, 120 and 240). Predictions: R's CSC and Fine-Gray
risks (competing_predictions.csv). Tolerance 1e-9. Plus brute-force O(n^2) references
and the horizon rule without censoring.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import riskml.evaluation._competing as competing_module
from riskml.evaluation import roc_auc
from riskml.evaluation._competing import (
    competing_brier_score,
    competing_calibration,
    competing_concordance,
    competing_ipcw_weights,
    competing_net_benefit,
    competing_observed_expected_ratio,
    competing_scaled_brier,
    competing_time_dependent_auc,
)
from riskml.outcome import horizon_label

DATA = Path(__file__).parents[1] / "data"
PREDICTIONS = pd.read_csv(DATA / "competing_predictions.csv")
SCORE = pd.read_csv(DATA / "competing_score.csv")
COLUMN = {"csc": "csc1", "fine_gray": "fine_gray"}


def _evaluation(name, model):
    data = pd.read_csv(DATA / f"competing_{name}.csv")
    table = PREDICTIONS[PREDICTIONS.dataset == name]
    horizons = table.horizon.unique()
    rows = table[table.horizon == horizons[0]].row.to_numpy()
    risk = np.column_stack([table[table.horizon == h][COLUMN[model]] for h in horizons])
    return data.time.to_numpy()[rows], data.status.to_numpy()[rows], risk, horizons


CASES = [
    (name, model) for name in ("cohort_days", "cohort_months") for model in ("csc", "fine_gray")
]


@pytest.mark.parametrize(("name", "model"), CASES)
def test_auc_brier_ipa_equal_riskregression_score(name, model):
    time, event_type, risk, horizons = _evaluation(name, model)
    auc = competing_time_dependent_auc(
        time, event_type, risk, horizons, censoring_weights="riskRegression"
    )
    for k, horizon in enumerate(horizons):
        oracle = SCORE[(SCORE.dataset == name) & (SCORE.model == model)]
        oracle = oracle[oracle.times == horizon].iloc[0]
        brier = competing_brier_score(
            time, event_type, risk[:, k], horizon, censoring_weights="riskRegression"
        )
        ipa = competing_scaled_brier(
            time, event_type, risk[:, k], horizon, censoring_weights="riskRegression"
        )
        assert auc[k] == pytest.approx(oracle.AUC, abs=1e-9)
        assert brier == pytest.approx(oracle.Brier, abs=1e-9)
        assert ipa == pytest.approx(oracle.IPA, abs=1e-9)


@pytest.mark.parametrize(("name", "model"), CASES)
def test_wolbers_concordance_and_oe_equal_r(name, model):
    time, event_type, risk, horizons = _evaluation(name, model)
    for k, horizon in enumerate(horizons):
        oracle = SCORE[(SCORE.dataset == name) & (SCORE.model == model)]
        oracle = oracle[oracle.times == horizon].iloc[0]
        weighted = competing_concordance(time, event_type, risk[:, k], tau=horizon)
        plain = competing_concordance(time, event_type, risk[:, k], tau=horizon, weighted=False)
        assert weighted == pytest.approx(oracle.wolbers_c, abs=1e-9)
        assert plain == pytest.approx(oracle.wolbers_c_unweighted, abs=1e-9)
        oe = competing_observed_expected_ratio(time, event_type, risk[:, k], horizon)
        assert oe == pytest.approx(oracle.oe, abs=1e-9)


@pytest.mark.parametrize("name", ["cohort_days", "cohort_months"])
def test_calibration_and_net_benefit_equal_prodlim(name):
    time, event_type, risk, horizons = _evaluation(name, "csc")
    calibration = pd.read_csv(DATA / "competing_calibration.csv")
    net_benefit = pd.read_csv(DATA / "competing_net_benefit.csv")
    for k, horizon in enumerate(horizons):
        expected = calibration[(calibration.dataset == name) & (calibration.horizon == horizon)]
        table = competing_calibration(time, event_type, risk[:, k], horizon)
        np.testing.assert_array_equal(table.n, expected.n)
        np.testing.assert_allclose(table.mean_predicted, expected.mean_predicted, atol=1e-12)
        np.testing.assert_allclose(table.observed, expected.observed, atol=1e-9)
        expected = net_benefit[(net_benefit.dataset == name) & (net_benefit.horizon == horizon)]
        got = competing_net_benefit(
            time, event_type, risk[:, k], horizon, thresholds=expected.threshold
        )
        np.testing.assert_allclose(got, expected.net_benefit, atol=1e-9)  # NaN where R has NA


def _brute_force_auc(time, event_type, risk, horizon, weights):
    """O(n^2) Blanche et al. 2013 definition 2 from the weights of competing_ipcw_weights."""
    cases = (event_type == 1) & (time <= horizon)
    controls = (weights > 0) & ~cases
    numerator = denominator = 0.0
    for i in np.flatnonzero(cases):
        for j in np.flatnonzero(controls):
            w = weights[i] * weights[j]
            numerator += w * ((risk[i] > risk[j]) + 0.5 * (risk[i] == risk[j]))
            denominator += w
    return numerator / denominator


@pytest.mark.parametrize("convention", ["before", "at", "riskRegression"])
def test_auc_equals_brute_force(convention):
    time, event_type, risk, horizons = _evaluation("cohort_months", "csc")
    risk = np.round(risk[:, 2], 2)  # ties in risk
    _, weights = competing_ipcw_weights(time, event_type, 120, censoring_weights=convention)
    expected = _brute_force_auc(time, event_type, risk, 120, weights)
    got = competing_time_dependent_auc(time, event_type, risk, 120, censoring_weights=convention)
    assert got[0] == pytest.approx(expected, rel=1e-12)


def test_before_rule_without_censoring_is_the_plain_auc_and_brier():
    """Oracle: riskml's horizon rule. Censored only after the horizon, every weight is 1
    and the metrics are the binary ones of horizon_label (competing events as 0)."""
    rng = np.random.default_rng(7)
    n = 400
    time = rng.exponential(300, n).round() + 1
    event_type = rng.integers(1, 3, n)
    event_type[time > 500] = 0
    risk = np.clip(rng.beta(2, 5, n) + 0.2 * (event_type == 1), 0, 1)
    label = horizon_label(time, event_type, 365)
    assert not np.isnan(label).any()
    auc = competing_time_dependent_auc(time, event_type, risk, 365)[0]
    assert auc == pytest.approx(roc_auc(label, risk), rel=1e-12)
    brier = competing_brier_score(time, event_type, risk, 365)
    assert brier == pytest.approx(np.mean((label - risk) ** 2), rel=1e-12)
    ipcw_label, weight = competing_ipcw_weights(time, event_type, 365)
    np.testing.assert_array_equal(ipcw_label, label)
    np.testing.assert_array_equal(weight, np.ones(n))


def test_censoring_at_the_horizon_counts_with_before_only():
    time = np.array([1.0, 2.0, 3.0, 4.0, 4.0, 6.0])
    event_type = np.array([1, 2, 0, 0, 1, 0])
    label, weight = competing_ipcw_weights(time, event_type, 4)
    assert label.tolist()[:4] == [1.0, 0.0, pytest.approx(np.nan, nan_ok=True), 0.0]
    label_r, weight_r = competing_ipcw_weights(time, event_type, 4, censoring_weights="at")
    assert np.isnan(label_r[3]) and weight_r[3] == 0


def test_concordance_equals_brute_force_without_weights():
    rng = np.random.default_rng(2)
    time = rng.integers(1, 30, 120).astype(float)
    event_type = rng.integers(0, 3, 120)
    risk = np.round(rng.random(120), 1)
    numerator = denominator = 0.0
    for i in np.flatnonzero(event_type == 1):
        for j in range(120):
            later = time[j] > time[i] or (time[j] == time[i] and event_type[j] == 0)
            earlier = event_type[j] >= 2 and time[j] <= time[i]
            if j != i and (later or earlier):
                numerator += (risk[i] > risk[j]) + 0.5 * (risk[i] == risk[j])
                denominator += 1
    got = competing_concordance(time, event_type, risk, weighted=False)
    assert got == pytest.approx(numerator / denominator, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: competing_brier_score([1, 2], [1, 5.5], [0.1, 0.2], 1), ValueError, "whole"),
        (lambda: competing_brier_score([1, 2], [1, 0], [0.1, 1.2], 1), ValueError, "risk"),
        (lambda: competing_brier_score([1, 2], [1, 0], [0.1, 0.2], 9), ValueError, "followed"),
        (
            lambda: competing_time_dependent_auc([1, 2], [2, 0], [0.1, 0.2], 1.5),
            ValueError,
            "0 case",
        ),
        (lambda: competing_concordance([1, 2], [0, 2], [0.1, 0.2]), ValueError, "no event"),
        (
            lambda: competing_calibration([1, 2], [1, 0], [0.1, 0.2], 1, n_groups=0),
            ValueError,
            "n_groups",
        ),
        (lambda: competing_scaled_brier([1, 2], [2, 0], [0.1, 0.2], 1.5), ValueError, "null model"),
    ],
)
def test_bad_inputs_say_what_is_wrong(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_docstring_examples_run():
    result = doctest.testmod(competing_module, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0
