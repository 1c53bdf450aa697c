"""End-to-end tests of riskml.Study and the ``riskml demo`` command."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import riskml as rk
from riskml.cli import main
from riskml.evaluation import default_metrics
from riskml.features import RecursiveFeatureElimination


def brute_force_harrell_c(time, event, risk):
    """O(n^2) Harrell's C (R survival convention), the oracle for the study summary."""
    concordant = comparable = 0.0
    n = len(time)
    for i in range(n):
        if not event[i]:
            continue
        for j in range(n):
            # i had the event first; j outlived i (or was censored at i's time).
            if time[j] > time[i] or (time[j] == time[i] and not event[j]):
                comparable += 1
                if risk[i] > risk[j]:
                    concordant += 1
                elif risk[i] == risk[j]:
                    concordant += 0.5
    return concordant / comparable


@pytest.fixture(scope="module")
def small_cohort():
    return rk.cohorts.make_young_hypertension(n_patients=300, random_state=1)


@pytest.fixture(scope="module")
def survival_result(small_cohort):
    study = rk.Study(
        small_cohort,
        models=["xgboost", "cox", "framingham_recalibrated"],
        selection=RecursiveFeatureElimination(n_features_to_select=8, random_state=0),
        validation=3,
        n_boot=200,
        random_state=0,
        progress=False,
    )
    return study.run()


def test_summary_has_the_public_columns(survival_result):
    summary = survival_result.summary
    for column in ["model", "metric", "estimate", "low", "high"]:
        assert column in summary.columns
    c_rows = summary[summary["metric"] == "harrell_c"]
    assert c_rows["model"].tolist() == ["xgboost", "cox", "framingham_recalibrated"]
    assert (c_rows["low"] <= c_rows["estimate"]).all()
    assert (c_rows["estimate"] <= c_rows["high"]).all()


def test_summary_c_equals_brute_force_on_out_of_fold_predictions(survival_result, small_cohort):
    """Oracle: brute-force O(n^2) Harrell's C on the study's own out-of-fold risks."""
    outcome = small_cohort.outcome
    c_rows = survival_result.summary.set_index("model")
    c_rows = c_rows[c_rows["metric"] == "harrell_c"]
    for model in ["xgboost", "cox", "framingham_recalibrated"]:
        risk = survival_result.predictions[model].to_numpy()
        expected = brute_force_harrell_c(outcome.time, outcome.event, risk)
        assert c_rows.loc[model, "estimate"] == pytest.approx(expected, abs=1e-12)


def test_time_dependent_auc_matches_scikit_survival(survival_result, small_cohort):
    """Oracle: scikit-survival's cumulative_dynamic_auc (test-only dependency, GPL-3)."""
    from sksurv.metrics import cumulative_dynamic_auc

    y = small_cohort.outcome.to_structured()
    rows = survival_result.summary
    for model in ["xgboost", "cox"]:
        row = rows[(rows["model"] == model) & (rows["metric"] == "td_auc")].iloc[0]
        risk = survival_result.predictions[model].to_numpy()
        expected, _ = cumulative_dynamic_auc(y, y, risk, [1004])
        assert row["estimate"] == pytest.approx(expected[0], abs=1e-10)


def test_paired_comparison_against_cox(survival_result, small_cohort):
    """Oracle: brute-force Harrell's C of each model minus that of Cox, same predictions."""
    outcome = small_cohort.outcome
    comparison = survival_result.comparison.set_index("model")
    assert set(comparison.index) == {"xgboost", "framingham_recalibrated"}
    assert (comparison["reference"] == "cox").all()
    cox = brute_force_harrell_c(
        outcome.time, outcome.event, survival_result.predictions["cox"].to_numpy()
    )
    for model in comparison.index:
        model_c = brute_force_harrell_c(
            outcome.time, outcome.event, survival_result.predictions[model].to_numpy()
        )
        assert comparison.loc[model, "difference"] == pytest.approx(model_c - cox, abs=1e-12)
        assert comparison.loc[model, "low"] <= comparison.loc[model, "difference"]
        assert 0 <= comparison.loc[model, "p_value"] <= 1


def test_calibration_table_observed_risk_is_kaplan_meier(survival_result, small_cohort):
    """Oracle: lifelines' Kaplan-Meier in the highest-risk tenth of Cox's predictions."""
    from lifelines import KaplanMeierFitter

    table = survival_result.calibration
    assert set(table["model"]) == {"xgboost", "cox", "framingham_recalibrated"}
    cox = table[table["model"] == "cox"]
    risk = survival_result.predictions["cox"].to_numpy()
    top = np.argsort(risk, kind="mergesort")[-int(cox["n"].iloc[-1]) :]
    outcome = small_cohort.outcome
    km = KaplanMeierFitter().fit(outcome.time[top], outcome.event[top])
    assert cox["observed"].iloc[-1] == pytest.approx(1 - km.predict(1004), abs=1e-10)
    assert cox["predicted"].iloc[-1] == pytest.approx(risk[top].mean(), abs=1e-12)


def test_same_random_state_gives_identical_numbers(small_cohort, survival_result):
    again = rk.Study(
        small_cohort,
        models=["xgboost", "cox", "framingham_recalibrated"],
        selection=RecursiveFeatureElimination(n_features_to_select=8, random_state=0),
        validation=3,
        n_boot=200,
        random_state=0,
        explain=None,  # the numbers, not the explanations, are compared
        progress=False,
    ).run()
    pd.testing.assert_frame_equal(again.summary, survival_result.summary)
    pd.testing.assert_frame_equal(again.predictions, survival_result.predictions)


def test_explanation_adds_up_to_the_deployed_models_risk(survival_result, small_cohort):
    """Oracle: SHAP additivity against the whole-cohort XGBoost model's own predict_risk."""
    patient = survival_result.patient_index
    card = survival_result.explain()
    assert set(card["feature"]) <= set(small_cohort.features.columns)
    margin = survival_result.explanation.base_value + card["contribution"].sum()
    X = small_cohort.features[small_cohort.predictors]
    deployed = survival_result.fitted_models["xgboost"].predict_risk(X.iloc[[patient]])[0]
    assert 1 / (1 + np.exp(-margin)) == pytest.approx(deployed, abs=1e-5)


def test_every_model_is_refitted_on_the_whole_cohort(survival_result):
    assert set(survival_result.fitted_models) == {"xgboost", "cox", "framingham_recalibrated"}


def test_table_one_is_stratified_by_status_at_the_horizon(survival_result, small_cohort):
    """Oracle: the counts of Outcome.at_horizon(1004) in the cohort."""
    table = survival_result.table_one
    label = small_cohort.outcome.at_horizon(1004)
    n_row = table[table["variable"] == "n"].iloc[0]
    assert int(n_row["Event by 1004 days"]) == int(np.nansum(label == 1))
    assert int(n_row["Censored before 1004 days"]) == int(np.isnan(label).sum())


def test_summary_counts_no_degenerate_replicate_where_none_can_occur(survival_result):
    """300 patients with 15 events: a resample without a comparable pair for Harrell's C
    would have to miss all 15 events (probability about (1 - 15/300)^300 < 1e-6 per
    replicate), so any count above 0 is a miscount."""
    c_rows = survival_result.summary[survival_result.summary["metric"] == "harrell_c"]
    assert c_rows["n_degenerate"].tolist() == [0, 0, 0]


def test_degenerate_replicates_are_counted_at_their_expected_rate():
    """Oracle: probability theory. Two events among 40 patients, at the two earliest
    times: a resample has a comparable pair unless it draws neither event patient (or
    draws one patient only), so a replicate is degenerate with probability
    (1 - 2/n)^n + 2 n^-n. The count over 2,000 replicates must fall within 5 binomial
    standard deviations of 2,000 times that (about 257 +- 75)."""
    from riskml.evaluation import get_metric, metric_interval

    n, n_boot = 40, 2000
    time = np.arange(1.0, n + 1)
    event = np.zeros(n, dtype=bool)
    event[:2] = True
    risk = np.linspace(0.9, 0.1, n)
    interval = metric_interval(
        get_metric("harrell_c", "survival"),
        rk.Outcome.survival(time, event),
        risk,
        n_boot=n_boot,
        random_state=0,
    )
    p = (1 - 2 / n) ** n + 2 * n ** (-n)
    expected, sd = n_boot * p, np.sqrt(n_boot * p * (1 - p))
    assert abs(interval.n_degenerate - expected) < 5 * sd


def test_binary_outcome_reports_auc():
    """Oracle: scikit-learn's roc_auc_score on the out-of-fold predictions."""
    hf = rk.cohorts.load_heart_failure_clinical_records()
    binary = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)
    result = rk.Study(
        binary, models=["lasso", "xgboost"], validation=5, n_boot=200, progress=False
    ).run()
    assert result.summary["metric"].unique().tolist() == list(default_metrics("binary"))
    for model in ["lasso", "xgboost"]:
        row = result.summary.set_index(["model", "metric"]).loc[(model, "auc")]
        expected = roc_auc_score(binary.outcome.event, result.predictions[model])
        assert row["estimate"] == pytest.approx(expected, abs=1e-12)


def test_models_as_a_dict_name_pipelines_of_your_own(small_cohort):
    from riskml.models import make_model

    models = {
        "cox_a": make_model("cox", horizon=1004),
        "cox_b": make_model("cox", horizon=1004),
    }
    result = rk.Study(
        small_cohort, models=models, validation=3, n_boot=50, explain=None, progress=False
    ).run()
    c_rows = result.summary[result.summary["metric"] == "harrell_c"]
    assert c_rows["model"].tolist() == ["cox_a", "cox_b"]
    assert c_rows["estimate"].iloc[0] == c_rows["estimate"].iloc[1]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"models": []}, "models must be a non-empty list"),
        ({"models": ["cox", "cox"]}, "model 'cox' is listed twice"),
        ({"models": [object()]}, r"pass a dict \{name: model\}"),
        ({"validation": 1}, r"The 'validation' parameter of Study must be an int"),
        ({"random_state": -1}, r"The 'random_state' parameter of Study"),
        ({"horizon": -5}, "horizon must be a positive number of days"),
        ({"explain": "xgb"}, r"explain names \['xgb'\], which are not among the study's models"),
        ({"n_jobs": 0}, r"The 'n_jobs' parameter of Study must be None, a positive int"),
        ({"metrics": ["auc"]}, r"metric 'auc' applies to binary outcomes"),
        ({"metrics": ["harrell_c", "brier"], "horizon": 10**6}, r"cannot be evaluated"),
        ({"subgroups": ["no_such_column"]}, r"subgroups names 'no_such_column'"),
        ({"patient": 10**6}, r"patient must be a row position in the cohort"),
    ],
)
def test_study_settings_are_checked_before_any_fitting(small_cohort, options, message):
    with pytest.raises(ValueError, match=message):
        rk.Study(small_cohort, progress=False, **options).run()


def test_horizon_on_a_binary_outcome_is_refused():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    binary = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event))
    with pytest.raises(ValueError, match="horizon applies to time-to-event outcomes"):
        rk.Study(binary, models=["lasso"], horizon=30, progress=False).run()


def test_study_refuses_unknown_model(small_cohort):
    with pytest.raises(ValueError, match="unknown model 'randomforest'"):
        rk.Study(small_cohort, models=["randomforest"], progress=False).run()


def test_study_refuses_bad_n_boot(small_cohort):
    with pytest.raises(
        ValueError, match=r"The 'n_boot' parameter of Study must be an int in the range \[50, inf\)"
    ):
        rk.Study(small_cohort, n_boot=0).run()


def test_study_needs_a_cohort():
    with pytest.raises(TypeError, match="cohort must be a riskml.Cohort"):
        rk.Study(pd.DataFrame({"a": [1]})).run()


@pytest.mark.slow
def test_demo_command_end_to_end(tmp_path, capsys):
    """The README's demo: prints C with 95% CIs for the three models and writes the report."""
    assert main(["demo", "--out", str(tmp_path / "demo"), "--n-boot", "200"]) == 0
    printed = capsys.readouterr().out
    for model in ["xgboost", "cox", "framingham_recalibrated"]:
        assert model in printed
    assert "harrell_c" in printed and "95% CI" in printed
    assert "difference in Harrell's C against cox" in printed
    html = (tmp_path / "demo" / "report.html").read_text()
    assert "<html" in html.lower()
    assert "framingham_recalibrated" in html
    assert "Paired comparison against cox" in html
    assert 'id="calibration"' in html
    assert "Table 1: candidate predictors by outcome group" in html


def test_binary_model_on_survival_outcome_needs_a_horizon():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    no_horizon = rk.Cohort(hf.features, hf.outcome)
    with pytest.raises(ValueError, match=r"xgboost learn\(s\) a binary label.*horizon"):
        rk.Study(no_horizon, models=["xgboost", "cox"], progress=False).run()


def test_planted_identifiers_never_reach_the_report(tmp_path):
    """Names kept as context, ids and a file-like source: none reaches the HTML report."""
    hf = rk.cohorts.load_heart_failure_clinical_records()
    features = hf.features.copy()
    n = len(features)
    features["Patient Name"] = [f"Zed Quux{i}" for i in range(n)]
    metadata = pd.DataFrame({"role": ["context"]}, index=["Patient Name"])
    ids = [f"MRN{900000 + i}" for i in range(n)]
    cohort = rk.Cohort(features, hf.outcome, metadata, ids=ids, name="hf")
    result = rk.Study(
        cohort, models=["cox"], validation=3, n_boot=50, explain=None, progress=False
    ).run()
    html = result.report(tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Quux" not in html and "Patient Name" not in html
    assert "MRN9" not in html


def test_horizon_days_is_a_deprecated_name_of_horizon():
    # docs/conventions.md: `horizon` (days) everywhere; the old name works for one release.
    hf = rk.cohorts.load_heart_failure_clinical_records()
    with pytest.warns(FutureWarning, match=r"Study\(horizon_days=\.\.\.\) is renamed horizon="):
        study = rk.Study(hf, models=["cox"], horizon_days=120, progress=False)
    assert study.horizon == 120
    result = rk.Study(
        hf, models=["cox"], horizon=120, validation=2, n_boot=50, explain=None, progress=False
    ).run()
    assert result.horizon == 120.0
    with pytest.warns(FutureWarning, match="StudyResult.horizon_days"):
        assert result.horizon_days == 120.0


def test_model_agnostic_explanations_get_a_time_budget(monkeypatch):
    # Shapley values by the model-agnostic method cost thousands of model evaluations per
    # patient: by default Study explains as many patients as fit in EXPLAIN_SECONDS per
    # model (timed on the example patient) and says so; tree models keep every row.
    import riskml.study._explain

    monkeypatch.setattr(riskml.study._explain, "EXPLAIN_SECONDS", 1e-9)
    hf = rk.cohorts.load_heart_failure_clinical_records()
    binary = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event))
    with pytest.warns(
        UserWarning, match=r"knn is explained by the model-agnostic method.*1 of 299"
    ):
        result = rk.Study(
            binary, models=["knn", "xgboost"], validation=3, n_boot=50, progress=False
        ).run()
    knn, xgb = result.explanations["knn"], result.explanations["xgboost"]
    assert knn.model_agnostic and not xgb.model_agnostic
    assert list(knn.row_positions) == [result.patient_index]
    assert len(xgb.row_positions) == len(binary)
    # an explicit explain_rows is honoured whatever the cost
    explicit = rk.Study(
        binary, models=["knn"], validation=3, n_boot=50, explain_rows=5, progress=False
    ).run()
    assert len(explicit.explanations["knn"].row_positions) == 5


def test_timings_name_each_phase_and_each_model(survival_result):
    timings = survival_result.timings
    models = ["xgboost", "cox", "framingham_recalibrated"]
    for phase in ("validation", "explanations"):
        per_model = [timings[f"{phase} {name}"] for name in models]
        assert all(seconds >= 0 for seconds in per_model)
        assert sum(per_model) <= timings[phase] + 1e-6  # the phase includes its models
    # the whole-cohort fit runs among the model's fold fits: part of its validation time
    for name in models:
        assert 0 <= timings[f"refit {name}"] <= timings[f"validation {name}"]
    assert {"checks", "metrics"} <= set(timings)
    assert "refit" not in timings


def test_report_records_its_time(tmp_path, survival_result):
    from copy import deepcopy

    result = deepcopy(survival_result)  # the fixture is shared: leave its timings alone
    assert "report" not in result.timings
    result.report(tmp_path / "study.html")
    assert result.timings["report"] > 0
