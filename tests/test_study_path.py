"""The user's path: every bundled cohort and generator through Study with default settings.

Each case runs ``rk.Study(cohort, models=[...learned models...]).run()`` with the default
validation (10 folds), metrics, explanations and comparison; only ``n_boot`` is lowered
(200) and the progress bar switched off, to keep the suite fast. The numbers are
checked against outside oracles where one is cheap (scikit-learn's AUC, a brute-force
Harrell's C on the out-of-fold predictions).
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import riskml as rk
from riskml.evaluation import default_metrics

DEMO = Path(__file__).resolve().parent / "data" / "mimic3_demo"
N_BOOT = 200


def _mimic_synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mimic")
    rk.cohorts.make_mimic3_ami(folder, n_patients=300, random_state=0)
    return rk.cohorts.load_mimic3_ami(folder)


def _hf_registry_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("registry")
    frame = rk.cohorts.make_hf_registry(1500, random_state=0, return_frame=True)
    if isinstance(frame, tuple):
        frame = frame[-1]
    path = folder / "registry.csv"
    frame.to_csv(path, index=False)
    return rk.cohorts.load_hf_registry(path)


COHORTS = {
    "young_hypertension": lambda f: rk.cohorts.make_young_hypertension(random_state=0),
    "hf_registry_30_day": lambda f: rk.cohorts.make_hf_registry(1500, random_state=0),
    "hf_registry_loaded": _hf_registry_file,
    "mimic3_ami_synthetic": _mimic_synthetic,
    "mimic3_ami_demo": lambda f: rk.cohorts.load_mimic3_ami(DEMO),
    "heart_failure_records": lambda f: rk.cohorts.load_heart_failure_clinical_records(),
}
MODELS = ["logistic", "xgboost"]  # the forest and the zoo run on the records below


def _brute_force_harrell(time, event, risk):
    """Harrell's C pair by pair (ties in risk count 1/2; a censored time equal to an
    event time counts as outliving it)."""
    concordant = comparable = 0.0
    for i in np.flatnonzero(event):
        later = (time > time[i]) | ((time == time[i]) & ~event)
        comparable += later.sum()
        concordant += (risk[i] > risk[later]).sum() + 0.5 * (risk[i] == risk[later]).sum()
    return concordant / comparable


@pytest.mark.slow
@pytest.mark.parametrize("name", list(COHORTS))
def test_every_bundled_cohort_runs_through_study_with_defaults(name, tmp_path_factory):
    cohort = COHORTS[name](tmp_path_factory)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small-sample and range warnings are expected here
        result = rk.Study(cohort, models=MODELS, n_boot=N_BOOT, progress=False).run()
    outcome = cohort.outcome
    summary = result.summary
    horizon = result.horizon
    assert outcome.is_survival == (horizon is not None) or not outcome.is_survival
    expected = list(default_metrics(outcome.kind, horizon))
    for model in MODELS:
        rows = summary[summary["model"] == model].set_index("metric")
        assert rows.index.tolist() == expected
        # discrimination, calibration slope and Brier for every model, with intervals
        for metric in ("calibration_slope", "brier"):
            assert np.isfinite(rows.loc[metric, "estimate"])
            assert (
                rows.loc[metric, "low"] <= rows.loc[metric, "estimate"] <= rows.loc[metric, "high"]
            )
        risk = result.predictions[model].to_numpy()
        assert ((risk >= 0) & (risk <= 1)).all()
        if outcome.is_survival:
            brute = _brute_force_harrell(outcome.time, outcome.event, risk)
            assert rows.loc["harrell_c", "estimate"] == pytest.approx(brute, abs=1e-12)
        else:
            oracle = roc_auc_score(outcome.event, risk)
            assert rows.loc["auc", "estimate"] == pytest.approx(oracle, abs=1e-12)
    # every model compared, refitted and explained; the report is written
    assert set(result.comparison["model"]) == set(MODELS) - {result.comparison["reference"][0]}
    assert set(result.fitted_models) == set(MODELS)
    assert set(result.explanations) <= set(MODELS) and result.explanations
    assert result.sample_size["candidate_parameters"] > 0
    assert isinstance(result.sample_size["judgement"], str)
    path = tmp_path_factory.mktemp("report") / "report.html"
    result.report(path)
    assert path.stat().st_size > 10_000


def test_small_data_estimates_are_flagged_and_warned():
    """MIMIC-III demo: 10 deaths within a year, 3 survivors -> flagged small_data, warned."""
    cohort = rk.cohorts.load_mimic3_ami(DEMO)
    event = cohort.outcome.event
    assert min(event.sum(), (~event).sum()) < 10
    with pytest.warns(UserWarning, match="Small data: .* fewer than 10 events or non-events"):
        result = rk.Study(
            cohort, models=["logistic"], validation=3, n_boot=N_BOOT, explain=None, progress=False
        ).run()
    assert result.summary["small_data"].all()


def test_default_folds_shrink_for_a_rare_class_with_advice_that_names_validation():
    cohort = rk.cohorts.load_mimic3_ami(DEMO)  # 3 patients without the event
    result = rk.Study(
        cohort, models=["logistic"], n_boot=N_BOOT, explain=None, progress=False
    ).run()
    assert result.settings["validation"].startswith("stratified 3-fold")
    with pytest.raises(ValueError, match=r"Use validation=3 or fewer folds.*validation= param"):
        rk.Study(cohort, models=["logistic"], validation=5, progress=False).run()


def test_a_failing_model_is_named_with_its_fold():
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Broken(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            if len(y) < 280:  # every training fold of 299 patients in 10 folds
                raise RuntimeError("solver diverged")
            return self

    from riskml.models import RiskPipeline

    hf = rk.cohorts.load_heart_failure_clinical_records()
    binary = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)
    pipeline = RiskPipeline([("model", Broken())])
    with pytest.raises(RuntimeError, match=r"model 'mine' failed: .* in fold 1 of 10 .*diverged"):
        rk.Study(binary, models={"mine": pipeline}, n_boot=N_BOOT, progress=False).run()


def test_administrative_censoring_at_the_horizon_runs():
    """Frizzell design on the registry generator: follow-up ends exactly at 30 days.

    Oracle: with nobody censored before the horizon the time-dependent AUC is the plain
    AUC of the 30-day label (scikit-learn).
    """
    cohort = rk.cohorts.make_hf_registry(2000, random_state=1)
    label = cohort.outcome.at_horizon(30)
    keep = ~np.isnan(label)
    sub = cohort.subset(keep)
    result = rk.Study(
        sub,
        models=["logistic"],
        validation=3,
        n_boot=N_BOOT,
        explain=None,
        progress=False,
        metrics=["td_auc"],
    ).run()
    risk = result.predictions["logistic"].to_numpy()
    oracle = roc_auc_score(sub.outcome.at_horizon(30), risk)
    assert result.summary.loc[0, "estimate"] == pytest.approx(oracle, abs=1e-12)


def test_validation_schemes_and_subgroups_in_study():
    """RepeatedCV, the optimism bootstrap, an external cohort and subgroups, one study each.

    Oracles: scikit-learn's AUC of the external predictions and of the women's
    out-of-fold predictions; apparent - optimism = corrected."""
    hf = rk.cohorts.load_heart_failure_clinical_records()
    binary = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)
    options = {"models": ["logistic"], "n_boot": N_BOOT, "explain": None, "progress": False}
    repeated = rk.Study(binary, validation=rk.evaluation.RepeatedCV(5, 2), **options).run()
    assert "mean of 2 repeats" in repeated.summary.loc[0, "method"]
    optimism = rk.Study(
        binary, validation=rk.evaluation.OptimismBootstrap(n_boot=20), **options
    ).run()
    auc = optimism.summary.set_index("metric").loc["auc"]
    assert auc["corrected"] == pytest.approx(auc["estimate"] - auc["optimism"])
    assert auc["optimism"] > 0  # a model looks better on its own data
    # stability from the same replicates: MAPE recomputed from the stored predictions
    stability = optimism.stability["logistic"]
    original = optimism.predictions["logistic"].to_numpy()
    assert stability.mape == pytest.approx(
        np.nanmean(np.abs(stability.predictions - original[None, :])), abs=1e-12
    )
    assert "stability interval" in stability.interpret()
    plus = rk.Study(
        binary, validation=rk.evaluation.OptimismBootstrap(20, method="632+"), **options
    ).run()
    assert "632+" in plus.settings["validation"]
    assert plus.optimism["method"].str.contains("632+", regex=False).all()
    first, second = binary.subset(np.arange(150)), binary.subset(np.arange(150, 299))
    external = rk.Study(first, external=second, validation=3, **options).run()
    oracle = roc_auc_score(
        second.outcome.event,
        external.fitted_models["logistic"].predict_risk(second.features[first.predictors]),
    )
    ext = external.external.set_index("metric").loc["auc"]
    assert ext["estimate"] == pytest.approx(oracle, abs=1e-12)
    grouped = rk.Study(binary, subgroups=["sex", "age"], validation=3, **options).run()
    table = grouped.subgroups
    assert set(table["variable"]) == {"sex", "age"}
    assert table[table["variable"] == "age"]["subgroup"].nunique() == 3  # tertiles
    women = binary.features["sex"].to_numpy() == 0
    row = table[(table.variable == "sex") & (table.subgroup == "0") & (table.metric == "auc")]
    oracle = roc_auc_score(
        binary.outcome.event[women], grouped.predictions["logistic"].to_numpy()[women]
    )
    assert row["estimate"].iloc[0] == pytest.approx(oracle, abs=1e-12)


def test_selection_frequency_is_reported():
    cohort = rk.cohorts.make_young_hypertension(n_patients=300, random_state=2)
    selection = rk.features.InformationGain(top_k=5)
    result = rk.Study(
        cohort,
        models=["logistic"],
        selection=selection,
        validation=3,
        n_boot=N_BOOT,
        explain=None,
        progress=False,
    ).run()
    table = result.selection_frequency
    assert isinstance(table, pd.DataFrame)
    assert (table["fits"] == 3).all()
    assert table["frequency"].between(0, 1).all()
    # five features kept in each of three fits
    assert table["frequency"].sum() * 3 == pytest.approx(15)


@pytest.mark.slow
def test_noise_predictors_give_chance_auc_under_every_validation_scheme():
    """Leakage safety: with selection inside every fit, 40 noise predictors give AUC 0.50 ± 0.05
    under k-fold, repeated k-fold and the optimism-corrected bootstrap."""
    rng = np.random.default_rng(7)
    n = 600
    X = pd.DataFrame(rng.normal(size=(n, 40)), columns=[f"noise_{i}" for i in range(40)])
    cohort = rk.Cohort(X, rk.Outcome.binary(rng.random(n) < 0.5))
    options = {
        "models": ["logistic"],
        "selection": rk.features.InformationGain(top_k=5),
        "n_boot": 100,
        "explain": None,
        "progress": False,
        "metrics": ["auc"],
    }
    for validation in (5, rk.evaluation.RepeatedCV(5, 2), rk.evaluation.OptimismBootstrap(20)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            summary = rk.Study(cohort, validation=validation, **options).run().summary
        auc = summary.loc[0, "corrected" if "corrected" in summary else "estimate"]
        assert abs(auc - 0.5) < 0.05, (validation, auc)


BINARY_FAMILIES = [
    "logistic",
    "lasso",
    "ridge",
    "random_forest",
    "xgboost",
    "bayes_net",
    "naive_bayes",
    "svm",
    "knn",
    "mlp",
    "decision_tree",
    "bagging",
    "gradient_boosting",
    "adaboost",
]
SURVIVAL_FAMILIES = ["cox", "lasso_cox", "xgboost_survival"]


@pytest.mark.slow
def test_every_registry_family_through_summary_explanation_and_report(tmp_path):
    """fit -> summary -> explanation -> report for every learned family of the registry.

    Oracles: scikit-learn's AUC (binary) and a brute-force Harrell's C (time-to-event) on
    the out-of-fold predictions; each explanation reproduces the whole-cohort model's
    risk of the example patient."""
    hf = rk.cohorts.load_heart_failure_clinical_records()
    binary = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)
    for cohort, families in ((binary, BINARY_FAMILIES), (hf, SURVIVAL_FAMILIES)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = rk.Study(
                cohort,
                models=families,
                validation=3,
                n_boot=50,
                explain_rows=40,  # the model-agnostic explainers cost most; 40 rows suffice
                progress=False,
            ).run()
        outcome = cohort.outcome
        for name in families:
            risk = result.predictions[name].to_numpy()
            rows = result.summary[result.summary.model == name].set_index("metric")
            if outcome.is_survival:
                brute = _brute_force_harrell(outcome.time, outcome.event, risk)
                assert rows.loc["harrell_c", "estimate"] == pytest.approx(brute, abs=1e-12)
            else:
                assert ((risk >= 0) & (risk <= 1)).all()
                assert rows.loc["auc", "estimate"] == pytest.approx(
                    roc_auc_score(outcome.event, risk), abs=1e-12
                )
                assert rows.loc["auc", "estimate"] > 0.6, name  # above chance
            explanation = result.explanations[name]
            k = result.patient_index
            X = cohort.features[cohort.predictors]
            deployed = result.fitted_models[name].predict_risk(X.iloc[[k]], horizon=result.horizon)[
                0
            ]
            assert explanation.patient_risk(k) == pytest.approx(deployed, abs=1e-6), name
        path = result.report(tmp_path / f"{outcome.kind}.html")
        text = path.read_text(encoding="utf-8")
        for name in families:
            assert name in text


def test_plain_bootstrap_through_study_summary_comparison_subgroups_and_report(tmp_path):
    """Study(stratified_bootstrap=False): every bootstrap interval of the summary, the
    bootstrap comparison and the subgroups is the plain one. Oracle: a naive loop of
    plain resamples of the Study's own out-of-fold predictions (sklearn's
    ``brier_score_loss`` and the paired ``roc_auc_score`` difference, ``numpy.percentile``).
    """
    from sklearn.metrics import brier_score_loss

    hf = rk.cohorts.load_heart_failure_clinical_records()
    binary = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)
    result = rk.Study(
        binary,
        models=["logistic", "lasso"],
        validation=3,
        n_boot=200,
        random_state=4,
        comparison="bootstrap",
        subgroups=["sex"],
        stratified_bootstrap=False,
        explain=None,
        progress=False,
    ).run()
    y = binary.outcome.event.astype(int)
    risk = {name: result.predictions[name].to_numpy() for name in ["logistic", "lasso"]}
    rng = np.random.default_rng(4)
    brier, difference = [], []
    for _ in range(200):
        idx = rng.integers(0, len(y), len(y))
        brier.append(brier_score_loss(y[idx], risk["logistic"][idx]))
        difference.append(
            roc_auc_score(y[idx], risk["lasso"][idx]) - roc_auc_score(y[idx], risk["logistic"][idx])
        )
    row = result.summary.set_index(["model", "metric"]).loc[("logistic", "brier")]
    assert row["low"] == pytest.approx(np.percentile(brier, 2.5), abs=1e-12)
    assert row["high"] == pytest.approx(np.percentile(brier, 97.5), abs=1e-12)
    assert row["method"] == "percentile bootstrap"
    compared = result.comparison.iloc[0]
    assert compared["low"] == pytest.approx(np.percentile(difference, 2.5), abs=1e-12)
    assert compared["method"] == "paired bootstrap"
    assert not result.subgroups["method"].str.contains("stratified").any()
    assert result.settings["bootstrap"] == "plain (patients as they come)"
    result.report(tmp_path / "plain.html")
    html = (tmp_path / "plain.html").read_text(encoding="utf-8")
    assert "plain (patients as they come)" in html
    with pytest.raises(TypeError, match="stratified_bootstrap"):
        rk.Study(binary, models=["logistic"], stratified_bootstrap="no", progress=False).run()
