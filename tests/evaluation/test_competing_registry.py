"""Competing-risk metrics in the metric registry, and the report tables (issue 27).

Oracles: R (tests/data/competing_risks.R; riskRegression 2022.11.28 ``Score(...,
cause = 1, cens.model = "km")`` for the time-dependent AUC, Brier score and IPA; pec
2022.5.4 ``cindex(..., cause = 1)`` for Wolbers' C; prodlim's Aalen-Johansen for O:E,
the decile calibration table and net benefit) on the synthetic cohort_days and
cohort_months with R's cause-specific Cox and Fine-Gray risks, tolerance 1e-9; the bootstrap
intervals against :func:`riskml.evaluation.bootstrap_ci` called on the R-validated
function with the same seed (patients resampled); Kaplan-Meier by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskml import Outcome
from riskml.evaluation import (
    bootstrap_ci,
    calibration_table,
    check_metrics,
    competing_brier_score,
    competing_calibration,
    competing_calibration_error,
    competing_concordance,
    competing_net_benefit,
    competing_time_dependent_auc,
    cumulative_incidence_table,
    decision_curve_table,
    default_metrics,
    evaluate_predictions,
    get_metric,
    get_metric_names,
    metric_interval,
)
from riskml.evaluation._metric_registry import metric_value

DATA = Path(__file__).parents[1] / "data"
PREDICTIONS = pd.read_csv(DATA / "competing_predictions.csv")
SCORE = pd.read_csv(DATA / "competing_score.csv")
COLUMN = {"csc": "csc1", "fine_gray": "fine_gray"}
CASES = [
    (name, model) for name in ("cohort_days", "cohort_months") for model in ("csc", "fine_gray")
]


def _evaluation(name, model):
    data = pd.read_csv(DATA / f"competing_{name}.csv")
    table = PREDICTIONS[PREDICTIONS.dataset == name]
    horizons = table.horizon.unique()
    rows = table[table.horizon == horizons[0]].row.to_numpy()
    risk = np.column_stack([table[table.horizon == h][COLUMN[model]] for h in horizons])
    outcome = Outcome.competing(data.time.to_numpy()[rows], data.status.to_numpy()[rows])
    return outcome, risk, horizons


def test_default_metrics_and_names_of_competing_outcomes():
    assert default_metrics("competing", 30) == ("td_auc", "o_e", "ece", "brier", "ipa")
    assert default_metrics("competing") == ()  # every one is at a horizon
    assert get_metric_names("competing") == [
        "brier",
        "ece",
        "ipa",
        "net_benefit",
        "o_e",
        "td_auc",
        "wolbers_c",
    ]
    with pytest.raises(ValueError, match="every competing-risk metric is evaluated at a"):
        check_metrics(["brier"], "competing", None, "f")
    with pytest.raises(ValueError, match="'harrell_c' applies to survival outcomes, not compet"):
        get_metric("harrell_c", "competing")


@pytest.mark.parametrize(("name", "model"), CASES)
def test_registered_metrics_equal_riskregression_and_pec(name, model):
    outcome, risk, horizons = _evaluation(name, model)
    rr = {"censoring_weights": "riskRegression"}
    for k, horizon in enumerate(horizons):
        oracle = SCORE[(SCORE.dataset == name) & (SCORE.model == model)]
        oracle = oracle[oracle.times == horizon].iloc[0]
        value = {
            metric: metric_value(
                get_metric(metric, "competing"), outcome, risk[:, k], horizon, **params
            )
            for metric, params in (("td_auc", rr), ("brier", rr), ("ipa", rr), ("o_e", {}))
        }
        assert value["td_auc"] == pytest.approx(oracle.AUC, abs=1e-9)
        assert value["brier"] == pytest.approx(oracle.Brier, abs=1e-9)
        assert value["ipa"] == pytest.approx(oracle.IPA, abs=1e-9)
        assert value["o_e"] == pytest.approx(oracle.oe, abs=1e-9)
        wolbers = metric_value(get_metric("wolbers_c", "competing"), outcome, risk[:, k], horizon)
        at_horizon = np.any((outcome.time == horizon) & (outcome.event_type == 0))
        if not at_horizon:  # pec's weights; riskml's horizon rule differs only there
            assert wolbers == pytest.approx(oracle.wolbers_c, abs=1e-9)


def test_wolbers_c_counts_a_censoring_at_the_horizon_as_event_free_there():
    """Administrative censoring at the horizon (every survivor censored at day 30):
    pec's 1 / G(T_i) is infinite for a case at day 30; the registry's C moves those
    censorings just past the horizon (riskml's rule: followed to h without an event).
    Oracle: competing_concordance on the times moved by hand."""
    time = np.array([5, 10, 12, 20, 30, 30, 30, 30, 30, 25.0])
    event_type = np.array([1, 2, 1, 1, 1, 0, 0, 0, 0, 0])
    risk = np.array([0.9, 0.2, 0.5, 0.6, 0.4, 0.1, 0.3, 0.2, 0.45, 0.35])
    moved = np.where((time == 30) & (event_type == 0), 30.5, time)
    expected = competing_concordance(moved, event_type, risk, tau=30)
    got = metric_value(
        get_metric("wolbers_c", "competing"), Outcome.competing(time, event_type), risk, 30
    )
    assert np.isfinite(got) and got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("name", ["cohort_days", "cohort_months"])
def test_calibration_error_and_net_benefit_equal_prodlim(name):
    outcome, risk, horizons = _evaluation(name, "csc")
    calibration = pd.read_csv(DATA / "competing_calibration.csv")
    net_benefit = pd.read_csv(DATA / "competing_net_benefit.csv")
    for k, horizon in enumerate(horizons):
        groups = calibration[(calibration.dataset == name) & (calibration.horizon == horizon)]
        groups = groups[groups.observed.notna()]
        expected = np.average(np.abs(groups.observed - groups.mean_predicted), weights=groups.n)
        got = metric_value(get_metric("ece", "competing"), outcome, risk[:, k], horizon)
        assert got == pytest.approx(expected, abs=1e-9)
        curve = net_benefit[(net_benefit.dataset == name) & (net_benefit.horizon == horizon)]
        for row in curve[curve.net_benefit.notna()].head(3).itertuples():
            value = metric_value(
                get_metric("net_benefit", "competing"),
                outcome,
                risk[:, k],
                horizon,
                threshold=row.threshold,
            )
            assert value == pytest.approx(row.net_benefit, abs=1e-9)


def test_bootstrap_interval_resamples_patients_with_their_event_types():
    outcome, risk, horizons = _evaluation("cohort_days", "csc")
    horizon = float(horizons[1])
    ci = metric_interval("brier", outcome, risk[:, 1], horizon=horizon, n_boot=200, random_state=3)

    def brier(time, event_type, row):
        return competing_brier_score(time, event_type, row, horizon)

    expected = bootstrap_ci(
        brier, outcome.time, outcome.event_type, risk[:, 1], n_boot=200, random_state=3
    )
    assert (ci.estimate, ci.low, ci.high) == pytest.approx(
        (expected.estimate, expected.low, expected.high), abs=1e-12
    )
    assert ci.n_boot == 200 and "bootstrap" in ci.method


def test_evaluate_predictions_on_a_competing_outcome():
    outcome, risk, horizons = _evaluation("cohort_months", "fine_gray")
    horizon = float(horizons[1])
    table = evaluate_predictions(
        outcome, {"fg": risk[:, 1]}, horizon=horizon, n_boot=100, random_state=0
    ).summary.set_index("metric")
    assert list(table.index) == ["td_auc", "o_e", "ece", "brier", "ipa"]
    expected = competing_time_dependent_auc(
        outcome.time, outcome.event_type, risk[:, 1], [horizon]
    )[0]
    assert table.loc["td_auc", "estimate"] == pytest.approx(expected, abs=1e-12)
    assert (table["low"] <= table["high"]).all() and (table["n_boot"] == 100).all()
    assert table.loc["td_auc", "events"] == int(
        np.sum((outcome.event_type == 1) & (outcome.time <= horizon))
    )


def test_report_tables_of_a_competing_outcome_equal_the_r_validated_functions():
    outcome, risk, horizons = _evaluation("cohort_days", "csc")
    horizon = float(horizons[1])
    predictions = pd.DataFrame({"csc": risk[:, 1], "lp": np.log(risk[:, 1])})  # lp: no
    table = calibration_table(outcome, predictions, horizon)
    assert set(table["model"]) == {"csc"}  # not probabilities: left out
    events = int(np.sum((outcome.event_type == 1) & (outcome.time <= horizon)))
    n_groups = int(np.clip(events // 5, 3, 10))
    expected = competing_calibration(
        outcome.time, outcome.event_type, risk[:, 1], horizon, n_groups=n_groups
    )
    np.testing.assert_array_equal(table["n"], expected["n"])
    np.testing.assert_allclose(table["predicted"], expected["mean_predicted"], atol=1e-15)
    np.testing.assert_allclose(table["observed"], expected["observed"], atol=1e-15)
    assert table["events"].sum() == events
    curve = decision_curve_table(outcome, predictions, horizon)
    assert list(dict.fromkeys(curve["model"])) == ["Treat all", "Treat none", "csc"]
    model = curve[curve["model"] == "csc"]
    expected = competing_net_benefit(
        outcome.time, outcome.event_type, risk[:, 1], horizon, thresholds=model["threshold"]
    )
    np.testing.assert_allclose(model["net_benefit"], expected, atol=1e-15)
    everyone = curve[curve["model"] == "Treat all"]
    with pytest.warns(UserWarning, match="predicted classes"):  # a risk of 1 for everyone
        all_treated = competing_net_benefit(
            outcome.time,
            outcome.event_type,
            np.ones(len(outcome)),
            horizon,
            thresholds=everyone["threshold"],
        )
    np.testing.assert_allclose(everyone["net_benefit"], all_treated, atol=1e-15)


def test_cumulative_incidence_table_equals_prodlim_and_kaplan_meier_by_hand():
    data = pd.read_csv(DATA / "competing_cohort_days.csv")
    outcome = Outcome.competing(data.time, data.status)
    oracle = pd.read_csv(DATA / "competing_aalen_johansen.csv")
    table = cumulative_incidence_table(outcome, horizon=1826.25)
    for cause in (1, 2):
        curve = table[(table.event_type == cause) & (table.estimator == "Aalen-Johansen")]
        expected = oracle[(oracle.dataset == "cohort_days") & (oracle.cause == cause)]
        expected = expected[expected.prodlim.notna()]  # NA beyond the last follow-up
        got = [curve["risk"][curve["time"] <= t].iloc[-1] for t in expected.time]
        np.testing.assert_allclose(got, expected.prodlim, atol=1e-9)
    # 1 - Kaplan-Meier with the deaths of other causes censored, by hand
    survival, time, interest = 1.0, data.time.to_numpy(float), data.status.to_numpy() == 1
    for t in np.unique(time[interest & (time <= 1826.25)]):
        survival *= 1 - np.sum(interest & (time == t)) / np.sum(time >= t)
    at = table.attrs["at_horizon"].set_index(["event_type", "estimator"])
    naive = at.loc[(1, "1 - Kaplan-Meier (competing events censored)")]
    assert naive["risk"] == pytest.approx(1 - survival, abs=1e-12)
    aj = at.loc[(1, "Aalen-Johansen"), "risk"]
    assert naive["overstatement"] == pytest.approx((1 - survival) / aj, abs=1e-12)
    assert naive["risk"] > aj  # censoring the competing deaths overstates the risk
    with pytest.raises(ValueError, match="needs a competing-risk outcome"):
        cumulative_incidence_table(Outcome.survival([1, 2], [1, 0]))


def test_calibration_error_function_checks_its_groups():
    assert competing_calibration_error(
        [2, 3, 4, 8, 9, 10], [1, 0, 2, 0, 1, 0], [0.7, 0.4, 0.5, 0.2, 0.3, 0.1], 6, n_groups=2
    ) == pytest.approx(0.2, abs=1e-12)  # |1/3 - 0.5333| and |0 - 0.2|, by hand
