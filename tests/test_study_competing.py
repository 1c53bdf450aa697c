"""Competing risks end to end (issue 27): the heart-failure registry with death before
readmission as a competing event, through Study -> summary -> explanations -> report,
the comparison, internal validation, model files and study files.

Oracles: the registered metric functions, themselves equal to R riskRegression / pec /
prodlim to 1e-9 (tests/evaluation/test_competing_metrics_r.py and
test_competing_registry.py), called directly on the study's out-of-fold predictions;
the generator's own event columns (readmission and death flags) for the loader; the
known answer of pure noise (a cross-validated time-dependent AUC of 1/2: leakage of
the outcome through selection or the horizon label would push it up); the fitted
model's own predictions for explanations (SHAP values add up to them) and model files
(bit-identical after loading).
"""

from __future__ import annotations

import html
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.evaluation import (
    calibration_table,
    competing_brier_score,
    competing_calibration_error,
    competing_observed_expected_ratio,
    competing_scaled_brier,
    competing_time_dependent_auc,
    decision_curve_table,
)
from riskml.study_file import load_study_file

HORIZON = 30.0


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@pytest.fixture(scope="module")
def cohort():
    return rk.cohorts.make_hf_registry(1200, competing_death="competing", random_state=0)


@pytest.fixture(scope="module")
def result(cohort):
    """The default models and explanations of a competing-risk study (3 folds, 100
    bootstrap replicates to keep it fast; the slow test below runs every default)."""
    return _quiet(rk.Study(cohort, validation=3, n_boot=100, progress=False).run)


# -- the loader ---------------------------------------------------------------------------
def test_loader_gives_death_before_readmission_as_a_competing_event():
    frame = rk.cohorts.make_hf_registry(2000, random_state=4, return_frame=True)
    cohort = rk.cohorts.make_hf_registry(2000, random_state=4, competing_death="competing")
    censored = rk.cohorts.make_hf_registry(2000, random_state=4)
    outcome = cohort.outcome
    assert outcome.is_competing and cohort.horizon == HORIZON
    readmitted = frame["readmit_30d"].to_numpy() == 1
    died_first = (frame["death_30d"].to_numpy() == 1) & ~readmitted
    np.testing.assert_array_equal(outcome.event_type == 1, readmitted)
    np.testing.assert_array_equal(outcome.event_type == 2, died_first)
    np.testing.assert_array_equal(outcome.time, censored.outcome.time)
    assert cohort.competing_deaths_30d == int(died_first.sum()) > 0
    # the label at the horizon: a death before readmission is a known 0, not censored
    label = outcome.at_horizon(HORIZON)
    assert np.all(label[died_first] == 0)
    assert np.isnan(
        censored.outcome.at_horizon(HORIZON)[died_first & (frame["readmit_time_days"] < 30)]
    ).all()


@pytest.mark.parametrize("name", ["logistic", "lasso", "random_forest", "xgboost"])
def test_learned_models_train_on_the_label_at_the_horizon(cohort, name):
    """A competing event before the horizon is a 0 the model learns from; only the
    patients censored before it are left out (riskml.outcome.horizon_label)."""
    X = cohort.features[cohort.predictors]
    model = _quiet(
        rk.models.make_model(name, horizon=HORIZON, random_state=0).fit, X, cohort.outcome
    )
    label = cohort.outcome.at_horizon(HORIZON)
    assert model.n_dropped_ == int(np.isnan(label).sum())
    assert np.sum(label[cohort.outcome.event_type == 2] == 0) == cohort.competing_deaths_30d
    risk = model.predict_risk(X, horizon=HORIZON)
    assert risk.shape == (len(X),) and np.all((risk >= 0) & (risk <= 1))


# -- Study: summary, comparison, calibration, decision curve --------------------------------
def test_default_models_of_a_competing_study(result):
    assert list(result.predictions.columns) == ["xgboost", "fine_gray", "aalen_johansen"]
    assert result.summary["metric"].unique().tolist() == ["td_auc", "o_e", "ece", "brier", "ipa"]
    assert result.outcome.is_competing and result.horizon == HORIZON


def test_summary_equals_the_registered_functions_on_the_out_of_fold_predictions(result):
    outcome = result.outcome
    time, event_type = outcome.time, outcome.event_type
    summary = result.summary.set_index(["model", "metric"])
    for name in result.predictions.columns:
        risk = result.predictions[name].to_numpy()
        expected = {
            "td_auc": competing_time_dependent_auc(time, event_type, risk, [HORIZON])[0],
            "o_e": competing_observed_expected_ratio(time, event_type, risk, HORIZON),
            "ece": competing_calibration_error(time, event_type, risk, HORIZON),
            "brier": competing_brier_score(time, event_type, risk, HORIZON),
            "ipa": competing_scaled_brier(time, event_type, risk, HORIZON),
        }
        for metric, value in expected.items():
            row = summary.loc[(name, metric)]
            assert row["estimate"] == pytest.approx(value, abs=1e-12), (name, metric)
            assert row["low"] <= row["high"] and row["n_boot"] == 100
            assert row["method"].startswith("percentile bootstrap")
    # the null model: the cohort's incidence, so IPA about 0 and a td AUC of 1/2
    assert summary.loc[("aalen_johansen", "td_auc"), "estimate"] == pytest.approx(0.5, abs=0.05)


def test_comparison_calibration_and_decision_curve_handle_the_competing_events(result):
    outcome = result.outcome
    comparison = result.comparison
    assert set(comparison["metric"]) == {"td_auc"}
    assert set(comparison["reference"]) == {"fine_gray"}
    auc = {
        name: competing_time_dependent_auc(
            outcome.time, outcome.event_type, result.predictions[name], [HORIZON]
        )[0]
        for name in result.predictions.columns
    }
    for row in comparison.itertuples():
        assert row.difference == pytest.approx(auc[row.model] - auc["fine_gray"], abs=1e-12)
    pd.testing.assert_frame_equal(
        result.calibration, calibration_table(outcome, result.predictions, HORIZON)
    )
    pd.testing.assert_frame_equal(
        result.decision_curve, decision_curve_table(outcome, result.predictions, HORIZON)
    )
    at = result.competing_incidence.attrs["at_horizon"].set_index(["event_type", "estimator"])
    naive = at.loc[(1, "1 - Kaplan-Meier (competing events censored)"), "risk"]
    assert naive > at.loc[(1, "Aalen-Johansen"), "risk"]


# -- explanations on the cumulative-incidence scale ------------------------------------------
def test_explanations_add_up_to_the_cumulative_incidence(result, cohort):
    assert set(result.explanations) == {"xgboost", "fine_gray"}  # the null model reads nothing
    X = cohort.features[cohort.predictors]
    for name, explanation in result.explanations.items():
        rows = explanation.row_positions[:5]
        risk = result.fitted_models[name].predict_risk(X.iloc[rows], horizon=HORIZON)
        rebuilt = [explanation.patient_risk(int(k)) for k in rows]
        np.testing.assert_allclose(rebuilt, risk, atol=1e-6)
    assert result.explanations["fine_gray"].scale == "log subdistribution hazard"


# -- the report --------------------------------------------------------------------------
def test_report_has_the_competing_risks_part_of_the_outcome_section(result, tmp_path):
    path = result.report(tmp_path / "report.html")
    text = html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
    start = text.index("Competing risks")
    section = text[start : text.index("Candidate predictors and their handling", start)]
    assert "Outcome definition: the predicted quantity is the cumulative incidence" in section
    assert "How competing events were handled: never as censorings" in section
    at = result.competing_incidence.attrs["at_horizon"]
    naive = at[at["estimator"] != "Aalen-Johansen"].iloc[0]
    assert f"{100 * naive['risk']:.1f}%" in section
    assert f"{naive['overstatement']:.2f} times" in section
    competing = int(np.sum(result.outcome.event_type == 2))
    assert f"{competing:,} competing events" in section
    assert "Aalen-Johansen cumulative incidence of the event of interest in the group" in text
    assert 'alt="Cumulative incidence by event type"' in path.read_text(encoding="utf-8")


# -- model files ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["fine_gray", "xgboost", "aalen_johansen"])
def test_model_file_round_trip(result, cohort, name, tmp_path):
    X = cohort.features[cohort.predictors]
    fitted = result.fitted_models[name]
    path = rk.save_model(fitted, tmp_path / f"{name}.riskml", cohort=X)
    loaded = rk.load_model(path)
    np.testing.assert_array_equal(
        loaded.predict_risk(X, horizon=HORIZON), fitted.predict_risk(X, horizon=HORIZON)
    )
    kind = "binary" if name == "xgboost" else "competing"
    assert rk.persistence.read_model_info(path)["outcome_kind"] == kind


# -- what is refused -------------------------------------------------------------------------
def test_a_single_event_model_is_refused_for_a_competing_outcome(cohort):
    with pytest.raises(ValueError, match=r"cox model\(s\) time to one event type.*fine_gray"):
        rk.Study(cohort, models=["xgboost", "cox"], progress=False)._check_settings()
    binary = rk.cohorts.make_hf_registry(500, competing_death="exclude", random_state=0)
    with pytest.raises(ValueError, match=r"fine_gray model\(s\) the cumulative incidence"):
        rk.Study(binary, models=["fine_gray"], progress=False)._check_settings()


# -- leakage ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "reason"),
    [
        (lambda y: y.at_horizon(HORIZON), r"is the outcome label at the horizon"),
        (lambda y: y.time / 7, r"rises with the follow-up time"),
        (lambda y: y.event_type.astype(float), r"falls with the follow-up time.*event flag"),
    ],
    ids=["label_at_horizon", "time_in_weeks", "event_type"],
)
def test_leaky_predictors_are_refused_before_the_first_fit(cohort, column, reason):
    features = cohort.features.assign(Quux=column(cohort.outcome))
    leaky = _quiet(rk.Cohort, features, cohort.outcome, name="leaky")
    leaky.horizon = HORIZON
    study = rk.Study(leaky, models=["logistic", "fine_gray"], progress=False, explain=None)
    with pytest.raises(ValueError, match=rf"(?s)before the first fit.*'Quux': {reason}"):
        _quiet(study._check_data, study._check_settings())


@pytest.mark.xfail(
    strict=True,
    reason="riskml/cohorts/_guards.py compares predictors with the event of interest only; "
    "a copy of the competing-event flag (death) is not yet refused",
)
def test_a_copy_of_the_competing_event_flag_is_refused(cohort):
    features = cohort.features.assign(Quux=(cohort.outcome.event_type == 2).astype(float))
    leaky = _quiet(rk.Cohort, features, cohort.outcome, name="leaky")
    leaky.horizon = HORIZON
    study = rk.Study(leaky, models=["logistic"], progress=False, explain=None)
    with pytest.raises(ValueError, match="Quux"):
        _quiet(study._check_data, study._check_settings())


def _noise_cohort(n=900, p=30, seed=11):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"noise_{i}" for i in range(p)])
    time = np.minimum(np.ceil(rng.exponential(60, n)), HORIZON)
    event_type = np.where(time < HORIZON, rng.choice([1, 2], n, p=[0.6, 0.4]), 0)
    cohort = rk.Cohort(X, rk.Outcome.competing(time, event_type))
    cohort.horizon = HORIZON
    return cohort


def test_noise_predictors_give_a_chance_td_auc_through_the_whole_pipeline():
    """Selection (information gain, top 5) inside every fold of a learned model and
    the Fine-Gray model: out-of-fold td AUC 1/2 ± 0.06; the apparent AUC of the
    whole-cohort fit, selected on the same noise, is optimistic."""
    cohort = _noise_cohort()
    selection = rk.features.InformationGain(top_k=5)
    result = _quiet(
        rk.Study(
            cohort,
            models=["logistic", "fine_gray"],
            selection=selection,
            validation=5,
            n_boot=50,
            explain=None,
            progress=False,
        ).run
    )
    auc = result.summary.set_index(["model", "metric"])["estimate"]
    X = cohort.features[cohort.predictors]
    for name in ("logistic", "fine_gray"):
        assert abs(auc[(name, "td_auc")] - 0.5) < 0.06, auc[(name, "td_auc")]
        apparent = competing_time_dependent_auc(
            cohort.outcome.time,
            cohort.outcome.event_type,
            result.fitted_models[name].predict_risk(X, horizon=HORIZON),
            [HORIZON],
        )[0]
        assert apparent > auc[(name, "td_auc")] + 0.02


def test_internal_validation_and_stability_of_a_competing_study(cohort):
    validation = rk.evaluation.InternalValidation("bootstrap", n_boot=10)
    result = _quiet(
        rk.Study(
            cohort,
            models=["logistic", "aalen_johansen"],
            validation=validation,
            n_boot=50,
            explain=None,
            progress=False,
        ).run
    )
    table = result.summary.set_index(["model", "metric"])
    row = table.loc[("logistic", "td_auc")]
    assert row["estimate"] - row["corrected"] == pytest.approx(row["optimism"], abs=1e-12)
    assert row["optimism"] > 0  # the apparent AUC of the whole-cohort fit is optimistic
    apparent = competing_time_dependent_auc(
        cohort.outcome.time, cohort.outcome.event_type, result.predictions["logistic"], [HORIZON]
    )[0]
    assert row["estimate"] == pytest.approx(apparent, abs=1e-12)
    assert set(result.stability) == {"logistic", "aalen_johansen"}
    # calibration and decision-curve instability count the competing events as such
    import matplotlib

    matplotlib.use("Agg")
    for kind in ("calibration", "decision_curves"):
        assert result.plot_stability("logistic", kind=kind).lines
    curves = result.stability["logistic"].calibration_curves()
    original = curves[curves["replicate"] == -1]
    expected = rk.evaluation.competing_calibration(
        cohort.outcome.time, cohort.outcome.event_type, result.predictions["logistic"], HORIZON
    )
    np.testing.assert_allclose(original["observed"], expected["observed"], rtol=1e-15)


# -- study files -------------------------------------------------------------------------------
def _write(tmp_path, cohort_lines, rest="models: [logistic, aalen_johansen]\n"):
    path = tmp_path / "study.yaml"
    path.write_text("cohort:\n" + cohort_lines + rest, encoding="utf-8")
    return path


def test_study_file_competing_key(tmp_path):
    path = _write(
        tmp_path,
        "  generator: make_hf_registry\n  args: {n_patients: 600}\n  competing: death\n",
    )
    study, _, _ = _quiet(load_study_file, path)
    assert study.cohort.outcome.is_competing and study.cohort.horizon == HORIZON
    assert study.models == ["logistic", "aalen_johansen"]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            "  generator: make_young_hypertension\n  competing: death\n",
            "carries no competing events",
        ),
        (
            "  generator: make_hf_registry\n  competing: stroke\n",
            "the competing event: one of death",
        ),
        (
            "  generator: make_hf_registry\n  args: {competing_death: censor}\n  competing: death\n",
            "cohort.args gives competing_death: censor",
        ),
        (
            "  generator: make_hf_registry\n  outcome: binary\n  competing: death\n",
            "contradicts cohort.competing",
        ),
        (
            "  generator: make_hf_registry\n  outcome: competing\n",
            "add cohort.competing",
        ),
    ],
    ids=["no_competing_events", "unknown_event", "contradicting_args", "binary", "no_event"],
)
def test_study_file_competing_key_errors(tmp_path, lines, message):
    path = _write(tmp_path, lines)
    with pytest.raises(rk.errors.CommandError, match=message):
        _quiet(load_study_file, path)


# -- every default, the size of a small registry ------------------------------------------------
@pytest.mark.slow
def test_hf_registry_with_competing_death_runs_with_default_settings(tmp_path):
    cohort = rk.cohorts.make_hf_registry(3000, competing_death="competing", random_state=1)
    result = _quiet(rk.Study(cohort, progress=False).run)
    assert set(result.summary["model"]) == {"xgboost", "fine_gray", "aalen_johansen"}
    assert result.summary["estimate"].notna().all()
    assert set(result.explanations) == {"xgboost", "fine_gray"}
    path = result.report(tmp_path / "report.html")
    assert "Competing risks" in path.read_text(encoding="utf-8")


# -- MIMIC-III AMI: readmission with death competing ----------------------------------------
def test_mimic3_readmission_with_death_competing_runs_through_study(tmp_path):
    """The MIMIC-III AMI loader's competing outcome (label="readmission") through Study
    with its default models, summary, explanations and report: ~100 candidate columns, some
    constant in the cohort, which the Fine-Gray model leaves out as R's coxph does
    instead of failing. Oracle: the registered competing AUC on the study's out-of-fold
    predictions, and the loader's event types."""
    folder = tmp_path / "mimic"
    rk.cohorts.make_mimic3_ami(folder, n_patients=400, random_state=4)
    cohort = _quiet(rk.cohorts.load_mimic3_ami, folder, label="readmission", progress=False)
    assert cohort.outcome.is_competing and {1, 2} <= set(cohort.outcome.event_type.astype(int))
    result = _quiet(rk.Study(cohort, validation=3, n_boot=50, progress=False).run)
    assert "fine_gray" in result.fitted_models
    fitted = result.fitted_models["fine_gray"][-1]
    assert fitted.aliased_  # constant columns of this cohort, left out
    outcome, horizon = result.outcome, result.horizon
    for model in result.summary["model"].unique():
        risk = result.predictions[model].to_numpy()
        assert ((risk >= 0) & (risk <= 1)).all()
        row = result.summary.query("model == @model and metric == 'td_auc'")
        expected = competing_time_dependent_auc(outcome.time, outcome.event_type, risk, horizon)
        assert row["estimate"].iloc[0] == pytest.approx(float(np.ravel(expected)[0]), abs=1e-12)
    assert result.explanations
    path = result.report(tmp_path / "report.html")
    assert "Competing risks" in path.read_text(encoding="utf-8")
