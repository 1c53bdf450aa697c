"""The model families' specifications: one entry per family, asked by every consumer.

Oracles: the behaviour the registry had before it was table-driven, written out here
(the ranking families, the preprocessing of each family, the tuning grids, the explainer
each family's exact method belongs to); and, for identification from a fitted model, the
name the pipeline was built from.
"""

import pytest

import riskml as rk
from riskml.models import (
    MODELS,
    ModelSpec,
    make_model,
    model_spec,
    model_specs,
    ranking_estimator,
    register_model,
    registered_model,
)

#: Families whose bare model ranks features (feature_importances_ or coef_).
RANKERS = {
    "xgboost",
    "xgboost_survival",
    "random_forest",
    "lasso",
    "lasso_cox",
    "logistic",
    "ridge",
    "cox",
    "decision_tree",
    "adaboost",
}

#: Exact method of each family (everything else: model-agnostic).
EXPLAINERS = {
    "tree": {
        "xgboost",
        "xgboost_survival",
        "random_forest",
        "decision_tree",
        "bagging",
        "gradient_boosting",
    },
    "linear": {"lasso", "lasso_cox", "logistic", "ridge", "cox", "fine_gray"},
    "bayes_net": {"bayes_net", "naive_bayes"},
    "agnostic": {"svm", "knn", "mlp", "adaboost", "cause_specific_cox"},
    # the Aalen-Johansen null model has no predictors to explain
    "none": {"aalen_johansen"},
    # published equations: exact Shapley values over the input columns they read
    "equation": {
        "framingham",
        "framingham_recalibrated",
        "framingham_bmi",
        "framingham_bmi_recalibrated",
        "atp3_hard_chd",
        "atp3_hard_chd_recalibrated",
        "wilson1998_tc",
        "wilson1998_tc_recalibrated",
        "framingham_logistic_recalibrated",
        "pce",
        "pce_recalibrated",
        "pce_logistic_recalibrated",
        "prevent_cvd_10y",
        "prevent_cvd_10y_recalibrated",
    },
}
#: Published models (PublishedModel) that predict at their own horizon only: make_model
#: refuses another one (their recalibrated variants take any).
PUBLISHED_HORIZON_ONLY = {"pce", "prevent_cvd_10y"}


def test_every_family_has_one_spec_in_the_documented_order():
    assert tuple(spec.name for spec in model_specs()) == MODELS
    assert MODELS[:3] == ("xgboost", "xgboost_survival", "random_forest")
    assert MODELS[-1] == "prevent_cvd_10y_recalibrated"
    assert {name for name in MODELS if model_spec(name).ranks_features} == RANKERS


@pytest.mark.parametrize("name", MODELS)
def test_a_pipeline_is_found_to_be_of_a_family_with_the_same_behaviour(name):
    """model_spec(pipeline) finds a family that behaves as the one it was built from
    (logistic and ridge share LogisticRisk, the scores share FraminghamScore)."""
    spec = model_spec(name)
    horizon = 3652.5 if name in PUBLISHED_HORIZON_ONLY else 365.0
    found = model_spec(make_model(name, horizon=horizon))
    assert found is not None
    assert found.explainer == spec.explainer
    assert found.coefficients == spec.coefficients
    assert found.score is None if spec.score is None else found.score is not None
    expected = next(kind for kind, names in EXPLAINERS.items() if name in names)
    assert spec.explainer == expected
    if spec.score is not None:
        assert spec.explainer == "equation" and spec.preprocess is None


def test_a_published_model_family_at_another_horizon_is_refused():
    for name in PUBLISHED_HORIZON_ONLY:
        with pytest.raises(ValueError, match=rf"'{name}' predicts the published risk by 3652.5"):
            make_model(name, horizon=365.0)
        assert make_model(f"{name}_recalibrated", horizon=365.0).steps[-1][1].horizon == 365.0


def test_coefficients_are_hazard_ratios_for_cox_models_and_odds_ratios_for_logistic_ones():
    kinds = {name: model_spec(name).coefficients for name in MODELS}
    # Fine-Gray's are subdistribution hazard ratios
    assert {n for n, k in kinds.items() if k == "hazard_ratio"} == {"cox", "lasso_cox", "fine_gray"}
    assert {n for n, k in kinds.items() if k == "odds_ratio"} == {"lasso", "logistic", "ridge"}


def test_a_tuned_pipeline_and_a_wrapped_classifier_are_found():
    assert model_spec(make_model("cox", tune=True)).name == "cox"
    assert model_spec(make_model("knn")).name == "knn"  # the classifier SklearnRiskClassifier wraps
    from sklearn.linear_model import LogisticRegression

    assert model_spec(make_model(LogisticRegression())) is None  # your own: no family


def test_an_unknown_name_lists_the_families():
    with pytest.raises(ValueError, match=r"unknown model 'tabnet'; choose one of \['xgboost'"):
        model_spec("tabnet")


def test_xgboost_ranks_by_its_survival_family_for_a_time_to_event_outcome():
    assert model_spec("xgboost").survival_ranking == "xgboost_survival"
    assert isinstance(ranking_estimator("xgboost", survival=True), rk.models.XGBoostSurvival)
    assert isinstance(ranking_estimator("xgboost"), rk.models.XGBoostRisk)


def test_a_spec_is_checked_when_made():
    with pytest.raises(ValueError, match=r"coefficients must be one of"):
        ModelSpec(name="x", description="x", estimator=int, coefficients="risk_ratio")
    with pytest.raises(ValueError, match=r"preprocess takes \['scale', 'impute', 'drop_first'\]"):
        ModelSpec(name="x", description="x", estimator=int, preprocess={"center": True})
    with pytest.raises(ValueError, match=r"outcome_kinds must hold 'binary' and/or 'survival'"):
        ModelSpec(name="x", description="x", estimator=int, outcome_kinds=("count",))
    with pytest.raises(TypeError, match=r"estimator must be a callable"):
        ModelSpec(name="x", description="x", estimator=None)
    with pytest.raises(TypeError, match=r"register_model takes a riskml.models.ModelSpec"):
        register_model({"name": "x"})


def test_registered_model_registers_for_one_block_only():
    from sklearn.naive_bayes import GaussianNB

    spec = ModelSpec(
        name="gnb",
        description="Gaussian naive Bayes; P(event by the horizon).",
        estimator=lambda random_state: GaussianNB(),
        classes=(GaussianNB,),
        ranks_features=False,
    )
    with registered_model(spec):
        assert "gnb" in rk.models.MODELS
        pipeline = make_model("gnb")
        assert isinstance(pipeline[-1], rk.models.SklearnRiskClassifier)  # wrapped
        assert model_spec(pipeline) is spec  # before the built-in families
        with pytest.raises(ValueError, match=r"'gnb' is already registered"):
            register_model(spec)
    assert "gnb" not in rk.models.MODELS
    assert "gnb" not in rk.models.DEFAULT_GRIDS
