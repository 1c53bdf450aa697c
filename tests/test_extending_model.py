"""A model family registered from outside riskml flows through everything.

The family is defined here, in a test module (as a user's own package would define it):
a Gaussian naive Bayes classifier given ``predict_risk``. ``register_model`` adds it, and
``Study(models=[...])`` then validates, summarises, explains and reports it, and
``save_model``/``load_model`` store it, with nothing in riskml edited.

Oracles: the family's own estimator fitted by hand on the same (preprocessed) cohort
gives the whole-cohort risks of the Study's fitted model and of the loaded model file
(to 1e-12); scikit-learn's ``roc_auc_score`` on the Study's out-of-fold risks gives its
summary AUC; the explanation rebuilds the deployed model's risk of the example patient.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.metrics import roc_auc_score
from sklearn.naive_bayes import GaussianNB

import riskml as rk
from riskml.features import make_preprocessor
from riskml.models import ModelSpec, make_model, model_spec, register_model, unregister_model

NAME = "gaussian_nb"


class GaussianNBRisk(BaseEstimator):
    """Gaussian naive Bayes as a riskml risk model: ``predict_risk`` is P(event)."""

    outcome_kind = "binary"

    def __init__(self, var_smoothing=1e-9):
        self.var_smoothing = var_smoothing

    def fit(self, X, y):
        self.model_ = GaussianNB(var_smoothing=self.var_smoothing)
        self.model_.fit(np.asarray(X, dtype=float), np.asarray(y, dtype=int))
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def predict_risk(self, X, horizon=None):
        return self.model_.predict_proba(np.asarray(X, dtype=float))[:, 1]


SPEC = ModelSpec(
    name=NAME,
    description=(
        "Gaussian naive Bayes (scikit-learn GaussianNB) on imputed, standardised features; "
        "P(event by the horizon)."
    ),
    estimator=lambda random_state: GaussianNBRisk(),
    preprocess={"scale": True},
    grid={"var_smoothing": [1e-9, 1e-3]},
    explainer="agnostic",
    classes=(GaussianNBRisk,),
)


@pytest.fixture
def family():
    register_model(SPEC)
    try:
        yield SPEC
    finally:
        unregister_model(NAME)


@pytest.fixture(scope="module")
def cohort():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    return rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)


def _by_hand(cohort):
    """The family's own estimator after the spec's preprocessing, fitted by hand."""
    X = cohort.features[cohort.predictors]
    preprocess = make_preprocessor(scale=True)
    Xt = preprocess.fit_transform(X)
    model = GaussianNBRisk().fit(Xt, cohort.outcome.event.astype(int))
    return model.predict_risk(Xt)


def test_registration_makes_the_family_known_and_unregistering_forgets_it(family):
    assert NAME in rk.models.MODELS
    assert model_spec(NAME) is SPEC
    assert rk.models.describe_model(NAME, 365) == (
        "Gaussian naive Bayes (scikit-learn GaussianNB) on imputed, standardised features; "
        "P(event by day 365)."
    )
    assert rk.models.DEFAULT_GRIDS[NAME] == {"var_smoothing": [1e-9, 1e-3]}
    pipeline = make_model(NAME, horizon=365)
    assert [name for name, _ in pipeline.steps] == ["preprocess", "model"]
    assert isinstance(pipeline[-1], GaussianNBRisk)
    assert model_spec(pipeline) is SPEC  # found from the pipeline by its class
    tuned = make_model(NAME, tune=True)
    assert tuned[-1].param_grid == {"model__var_smoothing": [1e-9, 1e-3]}
    with pytest.raises(ValueError, match=r"model 'gaussian_nb' cannot rank features"):
        rk.models.ranking_estimator(NAME)


def test_registration_is_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"'cox' is a built-in model family"):
        register_model(ModelSpec(name="cox", description="x", estimator=GaussianNB))

    def local_family():
        class Local(GaussianNBRisk):
            pass

        return Local

    local = local_family()
    with pytest.raises(ValueError, match=r"load_model cannot import \(a class defined inside"):
        register_model(ModelSpec(name="local", description="x", estimator=local, classes=(local,)))
    assert "local" not in rk.models.MODELS
    with pytest.raises(ValueError, match=r"explainer must be one of"):
        ModelSpec(name="odd", description="x", estimator=GaussianNB, explainer="magic")
    with pytest.raises(ValueError, match=r"no model family 'gaussian_nb' is registered"):
        unregister_model(NAME)


@pytest.mark.slow
def test_a_registered_family_flows_through_study_explanation_model_file_and_report(
    family, cohort, tmp_path
):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = rk.Study(
            cohort,
            models=[NAME, "logistic"],
            validation=3,
            n_boot=50,
            explain=[NAME],
            explain_rows=20,
            progress=False,
        ).run()
    X = cohort.features[cohort.predictors]
    # summary: the AUC of the out-of-fold risks
    risk = result.predictions[NAME].to_numpy()
    rows = result.summary[result.summary.model == NAME].set_index("metric")
    assert rows.loc["auc", "estimate"] == pytest.approx(
        roc_auc_score(cohort.outcome.event, risk), abs=1e-12
    )
    # the whole-cohort fit is the family's estimator fitted by hand
    deployed = result.fitted_models[NAME]
    expected = _by_hand(cohort)
    np.testing.assert_allclose(deployed.predict_risk(X), expected, rtol=0, atol=1e-12)
    # the explanation rebuilds the deployed model's risk of the example patient
    k = result.patient_index
    explanation = result.explanations[NAME]
    assert explanation.patient_risk(k) == pytest.approx(
        deployed.predict_risk(X.iloc[[k]])[0], abs=1e-6
    )
    # the model file holds the family's own class, allowed because it is registered
    path = rk.save_model(deployed, tmp_path / "nb.riskml", cohort=cohort)
    assert f"{GaussianNBRisk.__module__}.GaussianNBRisk" in rk.persistence.allowed_types()
    loaded = rk.load_model(path)
    assert type(loaded[-1]) is GaussianNBRisk
    np.testing.assert_allclose(loaded.predict_risk(X), expected, rtol=0, atol=1e-12)
    # the report names the family and describes it
    text = result.report(tmp_path / "report.html").read_text(encoding="utf-8")
    assert NAME in text
    assert "Gaussian naive Bayes (scikit-learn GaussianNB)" in text


def test_a_model_file_of_an_unregistered_family_is_refused(family, cohort, tmp_path):
    X = cohort.features[cohort.predictors]
    model = make_model(NAME).fit(X, cohort.outcome)
    np.testing.assert_allclose(model.predict_risk(X), _by_hand(cohort), rtol=0, atol=1e-12)
    path = rk.save_model(model, tmp_path / "nb.riskml")
    unregister_model(NAME)
    try:
        with pytest.raises(rk.persistence.ModelFileError, match=r"GaussianNBRisk"):
            rk.load_model(path)
        # trusted= still lets the person who wrote the file load it
        name = f"{GaussianNBRisk.__module__}.GaussianNBRisk"
        loaded = rk.load_model(path, trusted=[name])
        np.testing.assert_allclose(loaded.predict_risk(X), model.predict_risk(X), atol=1e-12)
    finally:
        register_model(SPEC)  # the fixture unregisters it
