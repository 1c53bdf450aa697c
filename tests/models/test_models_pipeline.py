"""Tests of riskml.models.RiskPipeline and the model registry.

Oracles: the same steps fitted by hand on the rows evaluable at the horizon
(Outcome.at_horizon), sklearn's clone/get_params conventions, and the registry's
documented step list.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import BaseEstimator, clone

from riskml import Outcome
from riskml.features import Preprocessor, RecursiveFeatureElimination, make_preprocessor
from riskml.models import (
    MODELS,
    CoxPH,
    FraminghamScore,
    LassoRisk,
    RiskPipeline,
    XGBoostRisk,
    describe_model,
    make_model,
    model_spec,
)

HORIZON = 365.0


def _data(n=240, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a", "b", "c", "d"])
    X["site"] = rng.choice(["north", "south"], n)
    X.loc[::17, "a"] = np.nan
    time = rng.exponential(400 * np.exp(-X["b"].to_numpy()))
    censor = rng.uniform(50, 900, n)
    return X, Outcome.survival(np.minimum(time, censor), time <= censor)


def _framingham_data(n=200, seed=1):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n),
            "age": rng.uniform(35, 70, n),
            "total_chol": rng.normal(210, 30, n),
            "hdl": rng.normal(50, 10, n).clip(25),
            "sbp": rng.normal(135, 15, n),
            "dbp": rng.normal(82, 10, n).clip(50, 130),
            "bp_treated": rng.integers(0, 2, n),
            "smoker": rng.integers(0, 2, n),
            "diabetes": rng.integers(0, 2, n),
            "bmi": rng.normal(27, 4, n),
        }
    )
    time = rng.exponential(3000, n)
    return X, Outcome.survival(np.minimum(time, 2000), time <= 2000)


def test_horizon_label_drops_exactly_the_not_evaluable_rows():
    """Oracle: the steps fitted by hand on X[keep], label[keep] (at_horizon)."""
    X, y = _data()
    pipe = RiskPipeline(
        [("prep", make_preprocessor(scale=False)), ("model", XGBoostRisk(n_estimators=30))],
        horizon=HORIZON,
    ).fit(X, y.to_structured())
    label = y.at_horizon(HORIZON)
    keep = ~np.isnan(label)
    assert 0 < pipe.n_dropped_ == int((~keep).sum())
    prep = make_preprocessor(scale=False).fit(X[keep])
    model = XGBoostRisk(n_estimators=30).fit(prep.transform(X[keep]), label[keep].astype(int))
    expected = model.predict_risk(prep.transform(X))
    np.testing.assert_allclose(pipe.predict_risk(X), expected, rtol=0, atol=1e-12)
    # an Outcome works the same way
    again = clone(pipe).fit(X, y)
    np.testing.assert_allclose(again.predict_risk(X), expected, rtol=0, atol=1e-12)


def test_survival_final_step_gets_the_time_to_event_outcome():
    """Oracle: CoxPH fitted by hand on the preprocessed data, all rows."""
    X, y = _data()
    pipe = RiskPipeline(
        [("prep", make_preprocessor()), ("model", CoxPH(penalizer=0.01))], horizon=HORIZON
    ).fit(X, y)
    assert pipe.n_dropped_ == 0
    prep = make_preprocessor().fit(X)
    cox = CoxPH(penalizer=0.01).fit(prep.transform(X), y)
    for horizon in (None, HORIZON):
        np.testing.assert_allclose(
            pipe.predict_risk(X, horizon=horizon),
            cox.predict_risk(prep.transform(X), horizon=horizon),
            atol=1e-12,
        )


def test_binary_y_passes_through():
    """Oracle: the final model fitted by hand on the binary label."""
    X, y = _data()
    binary = (y.event & (y.time < 300)).astype(int)
    pipe = RiskPipeline([("prep", make_preprocessor()), ("model", LassoRisk(Cs=4))]).fit(X, binary)
    prep = make_preprocessor().fit(X)
    model = LassoRisk(Cs=4).fit(prep.transform(X), binary)
    np.testing.assert_allclose(pipe.predict_risk(X), model.predict_risk(prep.transform(X)))


def test_missing_or_bad_horizon_is_refused():
    X, y = _data()
    pipe = RiskPipeline([("prep", make_preprocessor()), ("model", XGBoostRisk())])
    with pytest.raises(ValueError, match="RiskPipeline.horizon is None"):
        pipe.fit(X, y.to_structured())
    with pytest.raises(ValueError, match="horizon must be a positive number of days"):
        pipe.set_params(horizon=-1.0).fit(X, y)
    with pytest.raises(TypeError, match="horizon must be a number of days; got str"):
        pipe.set_params(horizon="1y").fit(X, y)
    with pytest.raises(ValueError, match="every one of the .* evaluable patients has label 1"):
        pipe.set_params(horizon=10_000.0).fit(X, y)
    censored = Outcome.survival(y.time, np.zeros(len(y), dtype=bool))
    with pytest.raises(ValueError, match="no patient is evaluable at horizon"):
        pipe.set_params(horizon=10_000.0).fit(X, censored)


def test_predicting_at_another_horizon_warns_for_binary_models():
    X, y = _data()
    pipe = make_model("xgboost", horizon=HORIZON).fit(X, y)
    with pytest.warns(UserWarning, match="trained on the label at horizon=365.0 days"):
        pipe.predict_risk(X, horizon=730.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pipe.predict_risk(X, horizon=HORIZON)


class _RecordWeights(BaseEstimator):
    """Final step that records the sample weights it receives."""

    outcome_kind = "binary"

    def fit(self, X, y, sample_weight=None):
        self.n_rows_, self.weights_ = len(X), sample_weight
        return self

    def predict_risk(self, X, horizon=None):
        return np.zeros(len(X))


def test_per_patient_fit_params_follow_the_dropped_rows():
    """Oracle: the weights of the evaluable rows, in order."""
    X, y = _data()
    weights = np.arange(len(X), dtype=float)
    pipe = RiskPipeline([("model", _RecordWeights())], horizon=HORIZON)
    pipe.fit(X, y, model__sample_weight=weights)
    keep = ~np.isnan(y.at_horizon(HORIZON))
    np.testing.assert_array_equal(pipe[-1].weights_, weights[keep])


def test_samplers_act_only_in_fit():
    """Oracle: imbalanced-learn semantics; every row gets a prediction."""
    X, y = _data()
    pipe = RiskPipeline(
        [
            ("prep", make_preprocessor()),
            ("under", RandomUnderSampler(random_state=0)),
            ("model", XGBoostRisk(n_estimators=20)),
        ],
        horizon=HORIZON,
    ).fit(X, y)
    assert pipe.predict_risk(X).shape == (len(X),)


def test_params_clone_and_outcome_kind():
    pipe = RiskPipeline([("prep", make_preprocessor()), ("model", CoxPH())], horizon=30.0)
    params = pipe.get_params()
    assert params["horizon"] == 30.0
    assert params["model__penalizer"] == 0.0
    cloned = clone(pipe.set_params(model__penalizer=0.2, horizon=60.0))
    assert cloned.horizon == 60.0 and cloned[-1].penalizer == 0.2
    assert pipe.outcome_kind == "survival"
    assert RiskPipeline([("m", XGBoostRisk())]).outcome_kind == "binary"
    assert RiskPipeline([("m", FraminghamScore())]).outcome_kind == "any"


#: Families this test's data cannot serve: competing-risk models need a competing-risk
#: outcome (test_competing_families_build_fit_and_pickle below), and the Pooled Cohort and
#: PREVENT equations inputs such as race and eGFR (tests/test_study_published_models.py).
COMPETING = {"cause_specific_cox", "fine_gray", "aalen_johansen"}
OTHER_INPUTS = {n for n in MODELS if n.startswith(("pce", "prevent_cvd_10y"))}


@pytest.mark.parametrize("name", [n for n in MODELS if n not in COMPETING | OTHER_INPUTS])
def test_registry_builds_unfitted_pipelines_that_fit(name):
    """Oracle: the documented step list; every pipeline fits and predicts (and pickles)."""
    X, y = _framingham_data()
    selection = RecursiveFeatureElimination(n_features_to_select=4, step=3, random_state=0)
    pipe = make_model(name, selection=selection, horizon=1004.0, random_state=1)
    assert isinstance(pipe, RiskPipeline) and pipe.horizon == 1004.0
    names = [n for n, _ in pipe.steps]
    if model_spec(name).score is not None:  # a published score
        assert names == ["model"]
        score = pipe[-1]
        assert bool(score.recalibrate) == name.endswith("_recalibrated")
        assert score.horizon == (1004.0 if score.recalibrate else 3652.5)
    else:
        assert names == ["preprocess", "select", "model"]
        assert pipe.named_steps["select"] is not selection
        assert isinstance(pipe[0], Preprocessor)
        unscaled = {"xgboost", "xgboost_survival", "random_forest", "bayes_net", "naive_bayes"}
        unscaled |= {"decision_tree", "bagging", "gradient_boosting", "adaboost", "cox"}
        assert pipe[0].scale == (name not in unscaled)
        assert pipe[0].impute == (name not in {"bayes_net", "naive_bayes"})
    assert not hasattr(pipe[-1], "n_features_in_") and not hasattr(pipe[-1], "impute_values_")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pipe.fit(X, y)
    risk = pickle.loads(pickle.dumps(pipe)).predict_risk(X, horizon=1004.0)
    assert risk.shape == (len(X),) and np.isfinite(risk).all()
    assert isinstance(describe_model(name), str) and "\n" not in describe_model(name)


@pytest.mark.parametrize("name", sorted(COMPETING))
def test_competing_families_build_fit_and_pickle(name):
    """Every competing-risk family fits a competing-risk outcome (a third of the events
    turned into competing deaths) and predicts a cumulative incidence in [0, 1]."""
    X, y = _framingham_data()
    event_type = np.where(y.event, 1, 0)
    event_type[np.flatnonzero(y.event)[::3]] = 2
    outcome = Outcome.competing(y.time, event_type)
    pipe = make_model(name, horizon=1004.0, random_state=1)
    assert isinstance(pipe, RiskPipeline) and pipe.horizon == 1004.0
    pipe.fit(X, outcome)
    risk = pickle.loads(pickle.dumps(pipe)).predict_risk(X, horizon=1004.0)
    assert risk.shape == (len(X),) and ((risk >= 0) & (risk <= 1)).all()
    assert isinstance(describe_model(name), str) and "\n" not in describe_model(name)


def test_registry_details():
    # the standard Cox model of the seed studies: unpenalised, own units, reference levels
    assert make_model("cox")[-1].penalizer == 0.0
    assert make_model("cox")[0].drop_first and not make_model("cox")[0].scale
    assert make_model("xgboost", random_state=5)[-1].random_state == 5
    assert make_model("framingham_recalibrated")[-1].horizon == 3652.5
    inputs = {"age": "AGE"}
    score = make_model("framingham", framingham_inputs=inputs, framingham_units="mmol/L")[-1]
    assert score.inputs == inputs and score.units == "mmol/L"
    assert [n for n, _ in make_model("lasso").steps] == ["preprocess", "model"]
    with pytest.raises(ValueError, match=r"unknown model 'tabnet'; choose one of \['xgboost'"):
        make_model("tabnet")
    with pytest.raises(ValueError, match="unknown model 'tabnet'"):
        describe_model("tabnet")


def test_registry_names_options_and_selector_horizon():
    """Oracle: the names the issue lists; options reach the documented steps."""
    from riskml.features import InformationGain

    assert set(MODELS) == {
        "xgboost",
        "xgboost_survival",
        "random_forest",
        "lasso",
        "lasso_cox",
        "bayes_net",
        "naive_bayes",
        "logistic",
        "ridge",
        "svm",
        "knn",
        "mlp",
        "decision_tree",
        "bagging",
        "gradient_boosting",
        "adaboost",
        "cox",
        "framingham",
        "framingham_recalibrated",
        "framingham_logistic_recalibrated",
        "framingham_bmi",
        "framingham_bmi_recalibrated",
        "atp3_hard_chd",
        "atp3_hard_chd_recalibrated",
        "wilson1998_tc",
        "wilson1998_tc_recalibrated",
        # competing risks (issue 27)
        "cause_specific_cox",
        "fine_gray",
        "aalen_johansen",
        # published equations of other inputs (issue 28)
        "pce",
        "pce_recalibrated",
        "pce_logistic_recalibrated",
        "prevent_cvd_10y",
        "prevent_cvd_10y_recalibrated",
    }
    pipe = make_model("random_forest", sampler="undersample", n_estimators=50, random_state=3)
    assert [n for n, _ in pipe.steps] == ["preprocess", "sampler", "model"]
    assert pipe[-1].n_estimators == 50 and pipe.named_steps["sampler"].random_state == 3
    assert make_model("xgboost", class_weight="balanced")[-1].scale_pos_weight == "balanced"
    assert make_model("ridge")[-1].penalty == "l2" and make_model("logistic")[-1].penalty is None
    assert make_model("naive_bayes")[-1].structure == "naive"
    cox = make_model("cox", selection=InformationGain(top_k=3), horizon=730.0)
    assert cox.named_steps["select"].horizon == 730.0
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['depth'\] for model 'xgboost'"):
        make_model("xgboost", depth=3)
    with pytest.raises(ValueError, match="'framingham' is a published score"):
        make_model("framingham", sampler="undersample")


def test_models_from_yaml(tmp_path):
    """Oracle: the YAML entries, in order, built as make_model builds them."""
    from riskml.models import models_from_yaml

    text = """
models:
  - name: xgboost
    options: {n_estimators: 300, sampler: undersample}
  - cox
  - name: random_forest
    label: forest_balanced
    options: {class_weight: balanced, min_samples_leaf: 10}
"""
    models = models_from_yaml(text, horizon=365.0, random_state=4)
    assert list(models) == ["xgboost", "cox", "forest_balanced"]
    assert models["xgboost"][-1].n_estimators == 300
    assert [n for n, _ in models["xgboost"].steps] == ["preprocess", "sampler", "model"]
    assert models["forest_balanced"][-1].class_weight == "balanced"
    assert all(m.horizon == 365.0 for m in models.values())
    assert models["cox"][-1].penalizer == 0.0
    path = tmp_path / "models.yaml"
    path.write_text("- lasso\n- name: bayes_net\n  options: {n_bins: 3}\n")
    from_file = models_from_yaml(path)
    assert list(from_file) == ["lasso", "bayes_net"] and from_file["bayes_net"][-1].n_bins == 3
    assert list(models_from_yaml(str(path))) == ["lasso", "bayes_net"]
    with pytest.raises(ValueError, match=r"unknown model 'tabnet'; choose one of \['xgboost'"):
        models_from_yaml("- tabnet")
    with pytest.raises(ValueError, match="must be a non-empty list of model entries"):
        models_from_yaml("xgboost: {}")
    with pytest.raises(ValueError, match=r"has unknown key\(s\) \['option'\]"):
        models_from_yaml("- name: cox\n  option: {}")
    with pytest.raises(ValueError, match="model label 'cox' appears twice"):
        models_from_yaml("- cox\n- cox")
    with pytest.raises(FileNotFoundError, match="no YAML file at"):
        models_from_yaml(str(tmp_path / "missing.yaml"))
