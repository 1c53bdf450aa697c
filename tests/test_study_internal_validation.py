"""Study with every internal validation scheme (issue 16): InternalValidation, the
optimism table, the report, and the example patient's stability interval.

Oracles: the known answer of pure noise (a corrected AUC of 1/2: leakage through
selection would push it up), a direct call of ``riskml.evaluation.internal_validation``
(itself checked against explicit loops and R ``rms::validate`` in
tests/evaluation/test_internal_validation.py), and numpy's quantiles of the stored
replicate predictions.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.evaluation import InternalValidation, OptimismBootstrap, internal_validation
from riskml.models import make_model
from riskml.report import _sections


def _noise_cohort(n=600, p=40, seed=7):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"noise_{i}" for i in range(p)])
    return rk.Cohort(X, rk.Outcome.binary(rng.random(n) < 0.5))


def _run(cohort, validation, **options):
    settings = {"explain": None, "progress": False, "n_boot": 100, "metrics": ["auc"]}
    settings.update(options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rk.Study(cohort, validation=validation, **settings).run()


@pytest.mark.parametrize("method", ["cv_optimism", "cv_average"])
def test_noise_predictors_give_chance_corrected_auc_and_match_the_direct_call(method):
    """40 noise predictors, selection (information gain, top 5) inside every fold fit:
    the corrected AUC is 0.50 ± 0.05 while the apparent one is optimistic; Study's
    optimism table equals internal_validation called on the same pipeline."""
    cohort = _noise_cohort()
    pipeline = make_model(
        "logistic", selection=rk.features.InformationGain(top_k=5), random_state=0
    )
    result = _run(cohort, InternalValidation(method, cv=5), models={"logistic": pipeline})
    auc = result.summary.set_index("metric").loc["auc"]
    assert abs(auc["corrected"] - 0.5) < 0.05, auc["corrected"]
    assert auc["estimate"] - auc["corrected"] == pytest.approx(auc["optimism"], abs=1e-12)
    assert auc["optimism"] > 0.02  # the apparent AUC of a model selected on noise
    assert result.stability is None  # no bootstrap models
    assert "5-fold" in result.settings["validation"]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = internal_validation(
            pipeline,
            cohort.features[cohort.predictors],
            cohort.outcome,
            method=method,
            cv=5,
            metrics=["auc"],
            random_state=0,
            name="logistic",
        )
    columns = ["model", "metric", "apparent", "optimism", "corrected", "n_boot"]
    pd.testing.assert_frame_equal(
        result.optimism[columns].reset_index(drop=True), direct.summary[columns]
    )
    # the reported predictions are the whole-cohort fit's, as for the bootstrap schemes
    np.testing.assert_array_equal(result.predictions["logistic"], direct.apparent_risk)


def test_optimism_bootstrap_is_the_bootstrap_case_of_internal_validation():
    assert repr(OptimismBootstrap(20, "632")) == "OptimismBootstrap(n_boot=20, method='632')"
    assert isinstance(OptimismBootstrap(20), InternalValidation)
    assert OptimismBootstrap(20).bootstrap and not InternalValidation("cv_average").bootstrap
    assert repr(InternalValidation("cv_optimism", cv=5)) == (
        "InternalValidation(method='cv_optimism', cv=5)"
    )
    with pytest.raises(ValueError, match="method of OptimismBootstrap must be one of"):
        OptimismBootstrap(20, method="cv_optimism")
    with pytest.raises(ValueError, match="method of InternalValidation must be one of"):
        InternalValidation("632++")
    with pytest.raises(ValueError, match="n_boot of InternalValidation must be an int >= 10"):
        InternalValidation("bootstrap", n_boot=5)
    with pytest.raises(ValueError, match="cv of InternalValidation must be an int >= 2"):
        InternalValidation("cv_average", cv=1)


def test_report_renders_the_cross_validation_optimism(tmp_path):
    cohort = _noise_cohort(n=300, p=6, seed=1)
    result = _run(cohort, InternalValidation("cv_average", cv=3), models=["logistic"])
    section = _sections.optimism_section(result)
    assert section["table"]["columns"][-1] == "folds"
    assert section["note"].startswith("Cross-validation average")
    result.report(tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text()
    assert "Cross-validation average: the mean held-out-fold performance" in html


def test_example_patient_card_carries_its_stability_interval(tmp_path):
    """The card's 95% stability interval equals numpy's 2.5th and 97.5th percentiles
    of the patient's risks from the stored bootstrap replicate predictions."""
    hf = rk.cohorts.load_heart_failure_clinical_records()
    binary = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)
    result = _run(
        binary,
        OptimismBootstrap(20),
        models=["logistic", "lasso"],
        explain=["logistic"],
        patient=5,
        n_boot=200,
    )
    card = _sections.patient_section(result)
    assert card["risk_label"] == "Whole-cohort fit" and card["n_boot"] == 20
    for name in ("logistic", "lasso"):
        stored = result.stability[name].predictions[:, 5]
        low, high = np.quantile(stored, [0.025, 0.975])
        assert card["stability"][name]["low"] == pytest.approx(low, abs=1e-15)
        assert card["stability"][name]["high"] == pytest.approx(high, abs=1e-15)
        row = result.patient_stability().set_index("model").loc[name]
        assert row["risk"] == pytest.approx(result.predictions[name].iloc[5], abs=1e-15)
    low, high = card["stability"]["logistic"]["low"], card["stability"]["logistic"]["high"]
    assert low < high
    assert result.explain().attrs["stability_interval"] == (low, high)
    assert card["explained_interval"] == card["stability"]["logistic"]["text"]
    result.report(tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text()
    assert "95% stability interval" in html
    assert card["stability"]["lasso"]["text"] in html


def test_patient_stability_needs_bootstrap_models():
    result = _run(_noise_cohort(n=200, p=4, seed=2), 3, models=["logistic"])
    with pytest.raises(ValueError, match="validation=InternalValidation\\('bootstrap'\\)"):
        result.patient_stability(0)
