"""Tests of the scikit-learn model families (svm, knn, mlp, decision_tree, bagging,
gradient_boosting, adaboost) and of make_model with any scikit-learn classifier.

Oracles: scikit-learn itself (each classifier, CalibratedClassifierCV and
FrozenEstimator fitted by hand on the same rows), riskml.Outcome.at_horizon for the
rows and labels a horizon keeps, the prior-correction formula (King & Zeng 2001),
and chance (AUC 0.5) for an outcome independent of the features. Data: the bundled
heart-failure clinical records (Chicco & Jurman 2020; 299 patients, 96 deaths).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from riskml.cohorts import load_heart_failure_clinical_records
from riskml.evaluation import cross_val_predict_risk, roc_auc
from riskml.features import RecursiveFeatureElimination, make_preprocessor
from riskml.models import (
    DEFAULT_GRIDS,
    MODELS,
    CoxPH,
    RiskPipeline,
    SklearnRiskClassifier,
    TunedRisk,
    describe_model,
    make_model,
)

FAMILIES = ["svm", "knn", "mlp", "decision_tree", "bagging", "gradient_boosting", "adaboost"]
HORIZON = 90.0
#: Fewer members than the defaults (200) keep the ensembles' 5-fold runs fast.
FAST = {"bagging": {"n_estimators": 50}, "adaboost": {"n_estimators": 50}}


@pytest.fixture(scope="module")
def records():
    cohort = load_heart_failure_clinical_records()
    X = cohort.features[cohort.predictors]
    return X, cohort.outcome.event.astype(int), cohort.outcome


# -- the registry families -----------------------------------------------------------


@pytest.mark.parametrize("name", FAMILIES)
def test_family_discriminates_death_on_the_heart_failure_records(records, name):
    """Oracle: chance. Ejection fraction and serum creatinine predict death in these
    records (Chicco & Jurman 2020), so every family's 5-fold cross-validated AUC for
    'death event' is well above 0.5 (measured 0.71-0.78 with seed 0); 0.6 is asserted.
    Bagging and AdaBoost run with 50 members here (FAST), for speed.
    """
    X, event, _ = records
    options = FAST.get(name, {})
    pipe = make_model(name, random_state=0, **options)
    risk = pipe.fit(X, event).predict_risk(X)
    assert risk.shape == (len(X),) and np.all((risk >= 0) & (risk <= 1))
    proba = pipe.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], risk)
    out_of_fold = cross_val_predict_risk(pipe, X, event, cv=5, random_state=0)
    assert np.all((out_of_fold >= 0) & (out_of_fold <= 1))
    assert roc_auc(event, out_of_fold) > 0.6


def test_registry_lists_the_families_with_descriptions_grids_and_options():
    """Oracle: the names the issue lists; options reach the wrapped classifier."""
    for name in FAMILIES:
        assert name in MODELS
        text = describe_model(name)
        assert isinstance(text, str) and "\n" not in text and len(text) > 60
        pipe = make_model(name, random_state=7)
        assert pipe.outcome_kind == "binary" and isinstance(pipe[-1], SklearnRiskClassifier)
        params = pipe[-1].estimator.get_params()
        if "random_state" in params:
            assert params["random_state"] == 7
        tuned = make_model(name, tune=True)[-1]
        assert isinstance(tuned, TunedRisk)
        grid = tuned.param_grid
        assert grid == {f"model__estimator__{k}": v for k, v in DEFAULT_GRIDS[name].items()}
        tuned.estimator.set_params(**{k: v[0] for k, v in grid.items()})  # valid names
    assert "Platt" in describe_model("svm") and "HistGradientBoosting" in describe_model(
        "gradient_boosting"
    )
    assert make_model("knn", n_neighbors=50)[-1].estimator.n_neighbors == 50
    assert make_model("svm", C=10.0)[-1].estimator.C == 10.0
    assert make_model("adaboost", calibration="sigmoid")[-1].calibration == "sigmoid"
    assert make_model("svm", class_weight="balanced")[-1].estimator.class_weight == "balanced"
    assert make_model("svm", tune={"C": [1, 2]})[-1].param_grid == {"model__estimator__C": [1, 2]}
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['k'\] for model 'knn'"):
        make_model("knn", k=5)
    with pytest.raises(ValueError, match="model 'knn' does not take class weights"):
        make_model("knn", class_weight="balanced")


def test_families_train_on_the_label_at_the_horizon(records):
    """Oracle: Outcome.at_horizon: the rows evaluable at 90 days and their labels; the
    tree fitted by hand on them gives the same risks."""
    X, _, outcome = records
    pipe = make_model("decision_tree", horizon=HORIZON, random_state=0).fit(X, outcome)
    label = outcome.at_horizon(HORIZON)
    keep = ~np.isnan(label)
    assert pipe.n_dropped_ == int((~keep).sum()) > 0
    tree = clone(make_model("decision_tree", random_state=0)).fit(X[keep], label[keep].astype(int))
    np.testing.assert_allclose(pipe.predict_risk(X), tree.predict_risk(X))


def test_svm_calibration_is_fitted_inside_the_training_fold(records):
    """Oracle: scikit-learn by hand. On the training rows only, 5 shuffled stratified
    folds; in each, an SVC fitted on 4 folds and a sigmoid (Platt) calibrator fitted on
    the held-out fold (CalibratedClassifierCV around a FrozenEstimator); the risk is
    their mean. The svm pipeline gives the same risks on the test rows, so no test
    row (and no row the SVC was fitted to) informs the calibration."""
    frozen = pytest.importorskip("sklearn.frozen")
    X, event, _ = records
    train = np.arange(len(X)) % 4 != 0
    pipe = make_model("svm", random_state=3).fit(X[train], event[train])
    fitted = pipe[-1].estimator_
    assert isinstance(fitted, CalibratedClassifierCV) and fitted.method == "sigmoid"
    assert isinstance(fitted.cv, StratifiedKFold) and fitted.cv.n_splits == 5
    assert len(fitted.calibrated_classifiers_) == 5
    Xp = make_preprocessor(scale=True).fit(X[train]).transform(X)
    Xt, yt = Xp[train], event[train]
    folds = StratifiedKFold(5, shuffle=True, random_state=3).split(Xt, yt)
    by_hand = []
    for fit_rows, held_out in folds:
        svc = SVC(random_state=3).fit(Xt.iloc[fit_rows], yt[fit_rows])
        platt = CalibratedClassifierCV(frozen.FrozenEstimator(svc), method="sigmoid")
        platt.fit(Xt.iloc[held_out], yt[held_out])
        by_hand.append(platt.predict_proba(Xp[~train])[:, 1])
    np.testing.assert_allclose(pipe.predict_risk(X[~train]), np.mean(by_hand, axis=0), atol=1e-10)


def test_svm_on_noise_stays_at_chance():
    """Oracle: chance. 20 noise features and an independent outcome (n=300): the
    cross-validated AUC of the calibrated SVM is 0.5 +/- 0.1 (null SD about 0.035)."""
    rng = np.random.default_rng(11)
    X = pd.DataFrame(rng.normal(size=(300, 20)), columns=[f"x{i}" for i in range(20)])
    y = rng.integers(0, 2, 300)
    risk = cross_val_predict_risk(make_model("svm"), X, y, cv=5, random_state=0)
    assert abs(roc_auc(y, risk) - 0.5) < 0.1


def test_class_weights_are_prior_corrected_unless_calibrated(records):
    """Oracle: prior correction (King & Zeng 2001) with balanced weights: the intercept
    is log(n1/n0), as weighted classes are equal in size. The calibrated SVM needs none:
    its held-out Platt fit already sees the training event rate."""
    X, event, _ = records
    tree = make_model("decision_tree", class_weight="balanced").fit(X, event)
    n1, n0 = event.sum(), (1 - event).sum()
    assert tree.recalibration_.intercept == pytest.approx(np.log(n1 / n0))
    assert tree.recalibration_.slope == 1.0
    assert make_model("svm", class_weight="balanced").fit(X, event).recalibration_ is None


# -- any scikit-learn classifier ------------------------------------------------------


def _plain_classifiers():
    return {
        "knn": KNeighborsClassifier(n_neighbors=15),
        "svc": SVC(),
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression()),
    }


def _by_hand(estimator, X_fit, y_fit, X_new):
    """The classifier fitted by scikit-learn on the preprocessed rows (SVC: Platt on
    5 shuffled internal folds, CalibratedClassifierCV's default ensemble)."""
    prep = make_preprocessor(scale=True).fit(X_fit)
    model = clone(estimator)
    if not hasattr(model, "predict_proba"):
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        model = CalibratedClassifierCV(model, method="sigmoid", cv=folds)
    model.fit(prep.transform(X_fit), y_fit)
    return model.predict_proba(prep.transform(X_new))[:, 1]


@pytest.mark.parametrize("kind", ["knn", "svc", "pipeline"])
def test_plain_classifier_works_on_binary_and_survival_outcomes(records, kind):
    """Oracle: scikit-learn by hand (see _by_hand) on the binary outcome, and on the
    rows and labels Outcome.at_horizon keeps for the survival outcome at 90 days.

    These are the reported failures: KNeighborsClassifier had no predict_risk and
    SVC on a survival outcome raised 'unhashable type'.
    """
    X, event, outcome = records
    estimator = _plain_classifiers()[kind]
    binary = make_model(estimator).fit(X, event)
    assert [n for n, _ in binary.steps] == ["preprocess", "model"]
    np.testing.assert_allclose(binary.predict_risk(X), _by_hand(estimator, X, event, X))
    survival = make_model(estimator, horizon=HORIZON).fit(X, outcome)
    label = outcome.at_horizon(HORIZON)
    keep = ~np.isnan(label)
    expected = _by_hand(estimator, X[keep], label[keep].astype(int), X)
    risk = survival.predict_risk(X)
    np.testing.assert_allclose(risk, expected)
    assert np.all((risk >= 0) & (risk <= 1))
    assert roc_auc(event, cross_val_predict_risk(make_model(estimator), X, event, cv=5)) > 0.6


def test_user_estimator_gets_selection_and_seed_and_stays_untouched(records):
    """Oracle: the documented step list; the user's own objects are not modified."""
    X, _, outcome = records
    forest = RandomForestClassifier(n_estimators=50)
    rfe = RecursiveFeatureElimination(estimator="xgboost", n_features_to_select=4)
    pipe = make_model(forest, selection=rfe, horizon=HORIZON, random_state=3)
    assert [n for n, _ in pipe.steps] == ["preprocess", "select", "model"]
    assert pipe[-1].estimator.random_state == 3 and forest.random_state is None
    assert not isinstance(pipe.named_steps["select"].estimator, str)
    pipe.fit(X, outcome)
    assert len(pipe.named_steps["select"].selected_features_) == 4
    assert pipe.predict_risk(X).shape == (len(X),)
    again = make_model(forest, selection=rfe, horizon=HORIZON, random_state=3).fit(X, outcome)
    np.testing.assert_array_equal(again.predict_risk(X), pipe.predict_risk(X))
    cox = make_model(CoxPH(), horizon=HORIZON)
    assert isinstance(cox[-1], CoxPH) and cox.outcome_kind == "survival"
    with pytest.raises(ValueError, match="sampler= needs a binary model; 'CoxPH'"):
        make_model(CoxPH(), sampler="undersample")


def test_risk_pipeline_is_returned_cloned_unchanged():
    """Oracle: the given pipeline's parameters."""
    given = make_model("knn", horizon=30.0)
    built = make_model(given, selection=RecursiveFeatureElimination(), horizon=90.0)
    assert built is not given and isinstance(built, RiskPipeline)
    assert built.horizon == 30.0 and [n for n, _ in built.steps] == ["preprocess", "model"]
    with pytest.raises(ValueError, match=r"takes a RiskPipeline as complete; \['sampler'\]"):
        make_model(given, sampler="undersample")


def test_non_classifiers_are_refused_with_what_is_expected(records):
    X, event, outcome = records
    with pytest.raises(
        TypeError,
        match=r"make_model needs a scikit-learn classifier .* got LinearRegression, which is a "
        "regressor",
    ):
        make_model(LinearRegression())
    with pytest.raises(TypeError, match="got StandardScaler, which is a transformer"):
        make_model(StandardScaler())
    with pytest.raises(TypeError, match=r"make_model takes a registry name .* got int"):
        make_model(42)
    with pytest.raises(TypeError, match="SklearnRiskClassifier needs a scikit-learn classifier"):
        SklearnRiskClassifier(LinearRegression()).fit(X, event)
    with pytest.raises(ValueError, match="needs a binary outcome; got a time-to-event"):
        SklearnRiskClassifier(KNeighborsClassifier()).fit(X, outcome)
    with pytest.raises(TypeError, match="SVC has no predict_proba and calibration=None"):
        SklearnRiskClassifier(SVC(), calibration=None).fit(X, event)
    with pytest.raises(ValueError, match="y has only one class"):
        SklearnRiskClassifier(KNeighborsClassifier()).fit(X, np.zeros(len(X), dtype=int))


def test_wrapper_passes_importances_through(records):
    """Oracle: the wrapped tree's own feature_importances_; k-NN has none."""
    X, event, _ = records
    tree = make_model("decision_tree").fit(X, event)[-1]
    np.testing.assert_array_equal(tree.feature_importances_, tree.estimator_.feature_importances_)
    knn = make_model("knn").fit(X, event)[-1]
    assert not hasattr(knn, "feature_importances_") and not hasattr(knn, "coef_")
