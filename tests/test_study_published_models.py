"""The published models as registry families (issue 28): ``pce``, ``prevent_cvd_10y`` and
their recalibrated variants through make_model, a Study, its explanation, model files and
the report.

Oracles: :func:`riskml.models.published_model` fitted by hand (its numbers are the
published worked examples, tests/models/test_published_models.py), the brute-force C of
the study's own out-of-fold risks (tests/test_study.py), and the efficiency of exact
Shapley values (they add up to the model's output on its additive scale).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit

import riskml as rk
from riskml.explain import explain_pipeline
from riskml.models import (
    PublishedModel,
    RiskPipeline,
    make_model,
    model_spec,
    published_model,
)

HORIZON = 3652.5  # the published 10 years
PCE_COLUMNS = ["age", "sex", "race", "total_chol", "hdl", "sbp", "bp_treated", "smoker",
               "diabetes"]  # fmt: skip
PREVENT_COLUMNS = ["age", "sex", "total_chol", "hdl", "sbp", "bp_treated", "smoker",
                   "diabetes", "egfr", "statin"]  # fmt: skip


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@pytest.fixture(scope="module")
def cohort():
    """Adults 40-79 with every PCE and PREVENT input in its published unit and range, and
    follow-up to beyond ten years; events drawn from the PCE risk doubled."""
    rng = np.random.default_rng(28)
    n = 240
    X = pd.DataFrame(
        {
            "age": rng.uniform(41, 78, n).round(),
            "sex": rng.choice(["F", "M"], n),
            "race": rng.choice(["white", "african_american", "other"], n, p=[0.6, 0.3, 0.1]),
            "total_chol": rng.uniform(140, 300, n).round(),
            "hdl": rng.uniform(25, 95, n).round(),
            "sbp": rng.uniform(95, 195, n).round(),
            "bp_treated": rng.integers(0, 2, n),
            "smoker": rng.integers(0, 2, n),
            "diabetes": (rng.random(n) < 0.2).astype(int),
            "egfr": rng.uniform(20, 130, n).round(),
            "statin": (rng.random(n) < 0.25).astype(int),
            "noise": rng.normal(size=n),  # a predictor no equation reads
        }
    )
    risk = np.clip(2 * published_model("pce").predict_risk(X), 0.01, 0.95)
    event_time = rng.exponential(HORIZON / -np.log1p(-risk))
    censor = rng.uniform(3000, 6000, n)
    outcome = rk.Outcome.survival(np.minimum(event_time, censor), event_time <= censor)
    return rk.Cohort(X, outcome)


def test_the_families_are_registered_as_published_equations():
    for name in ("pce", "pce_recalibrated", "pce_logistic_recalibrated", "prevent_cvd_10y",
                 "prevent_cvd_10y_recalibrated"):  # fmt: skip
        spec = model_spec(name)
        assert spec.explainer == "equation" and spec.preprocess is None
        assert spec.classes == (PublishedModel,)
        assert "riskml.models.scores._published.PublishedModel" in spec.model_file_types
    example = pd.DataFrame({"sex": ["F", "M"], "race": "white", "age": 55, "total_chol": 213,
                            "hdl": 50, "sbp": 120, "bp_treated": 0, "smoker": 0, "diabetes": 0})  # fmt: skip
    fitted = _quiet(make_model("pce").fit, example)
    assert model_spec(fitted).explainer == "equation"  # found by its class


def test_make_model_equals_the_published_model(cohort):
    X = cohort.features
    for name, recalibrate in (("pce", False), ("prevent_cvd_10y", False)):
        pipeline = _quiet(make_model(name).fit, X, cohort.outcome)
        by_hand = _quiet(published_model(name, recalibrate=recalibrate).fit(X).predict_risk, X)
        np.testing.assert_allclose(_quiet(pipeline.predict_risk, X), by_hand, rtol=0, atol=0)
    pipeline = _quiet(make_model("pce_recalibrated", horizon=2000).fit, X, cohort.outcome)
    by_hand = published_model("pce", recalibrate="km", horizon=2000)
    by_hand = _quiet(by_hand.fit(X, cohort.outcome).predict_risk, X)
    np.testing.assert_allclose(_quiet(pipeline.predict_risk, X), by_hand, rtol=0, atol=0)
    assert pipeline.steps[-1][1].recalibration_ == "km"
    logistic = _quiet(make_model("prevent_cvd_10y_recalibrated", horizon=2000).fit, X,
                      cohort.outcome)  # fmt: skip
    assert logistic.steps[-1][1].recalibration_ == "slope"


def test_a_published_family_at_another_horizon_is_refused_before_any_fit():
    with pytest.raises(ValueError, match=r"'pce' predicts the published risk by 3652.5 days "
                       r"\(10 years\); the horizon is 365 days. Use 'pce_recalibrated'"):  # fmt: skip
        make_model("pce", horizon=365)
    with pytest.raises(ValueError, match="published score: it takes no sampler"):
        make_model("prevent_cvd_10y", sampler="undersample")


@pytest.mark.slow
def test_study_summary_explanation_model_file_and_report(cohort, tmp_path):
    from tests.test_study import brute_force_harrell_c

    models = ["pce", "prevent_cvd_10y", "pce_recalibrated"]
    result = _quiet(
        rk.Study(
            cohort, models=models, horizon=HORIZON, validation=3, n_boot=50,
            explain=["prevent_cvd_10y", "pce"], explain_rows=10, progress=False,
            random_state=0,
        ).run
    )  # fmt: skip
    X, y = cohort.features, cohort.outcome
    summary = result.summary.set_index(["model", "metric"])
    for name in models:
        risk = result.predictions[name].to_numpy()
        assert summary.loc[(name, "harrell_c"), "estimate"] == pytest.approx(
            brute_force_harrell_c(y.time, y.event, risk), abs=1e-12
        )
    # published equations learn nothing from the outcome: out-of-fold = published risk
    published = _quiet(published_model("prevent_cvd_10y").predict_risk, X)
    np.testing.assert_allclose(result.predictions["prevent_cvd_10y"], published, atol=1e-12)
    deployed = result.fitted_models["prevent_cvd_10y"]
    np.testing.assert_allclose(_quiet(deployed.predict_risk, X), published, atol=1e-12)
    # exact Shapley values over the inputs the equation reads, on the model's own scale
    for name, scale in (("prevent_cvd_10y", "log-odds"), ("pce", "log cumulative hazard")):
        explanation = result.explanations[name]
        assert explanation.scale == scale
        risk = _quiet(result.fitted_models[name].predict_risk, X)
        for position in explanation.row_positions:
            assert explanation.patient_risk(position) == pytest.approx(risk[position], abs=1e-9)
        assert (explanation.values["noise"] == 0).all()
    # the model file holds the published model and predicts the same
    for name in ("prevent_cvd_10y", "pce_recalibrated"):
        path = rk.save_model(result.fitted_models[name], tmp_path / f"{name}.riskml")
        loaded = rk.load_model(path)
        assert type(loaded.steps[-1][1]) is PublishedModel
        np.testing.assert_allclose(
            _quiet(loaded.predict_risk, X),
            _quiet(result.fitted_models[name].predict_risk, X),
            rtol=0,
            atol=0,
        )
    text = result.report(tmp_path / "report.html").read_text(encoding="utf-8")
    for name in models:
        assert name in text
    assert "Pooled Cohort Equations (Goff 2013" in text
    assert "PREVENT base model (Khan 2024" in text


def test_a_logistic_published_model_is_explained_on_log_odds(cohort):
    """The exact Shapley values of PREVENT (a logistic equation) add up to logit(risk);
    on the log-odds scale a term of one input is that input's own contribution."""
    X = cohort.features.iloc[:40]
    fitted = _quiet(make_model("prevent_cvd_10y").fit, X)
    explanation = _quiet(explain_pipeline, fitted, X, rows=8)
    assert explanation.scale == "log-odds"
    risk = _quiet(fitted.predict_risk, X)
    values = explanation.values.loc[:, PREVENT_COLUMNS].to_numpy()
    rows = list(explanation.row_positions)
    np.testing.assert_allclose(
        values.sum(axis=1) + explanation.base_value, logit(risk[rows]), atol=1e-9
    )
    # recalibrated by the logistic slope: still log-odds; PCE recalibrated by KM: cloglog
    logistic = _quiet(make_model("pce_logistic_recalibrated", horizon=2000).fit, cohort.features,
                      cohort.outcome)  # fmt: skip
    assert _quiet(explain_pipeline, logistic, X, rows=3).scale == "log-odds"
    km = _quiet(make_model("pce_recalibrated", horizon=2000).fit, cohort.features, cohort.outcome)
    assert _quiet(explain_pipeline, km, X, rows=3).scale == "log cumulative hazard"


def test_a_user_pipeline_of_a_published_model_keeps_working(cohort):
    pipeline = RiskPipeline([("model", published_model("prevent_cvd_10y"))])
    fitted = _quiet(pipeline.fit, cohort.features)
    assert model_spec(fitted).explainer == "equation"
