"""Every registry model family explained through its fitted pipeline.

Oracles: the pipeline's own ``predict_risk`` (one patient at a time), shap's
TreeExplainer and LinearExplainer, the Framingham terms of the published equation,
and brute-force Shapley values (every coalition, written out here).
"""

import warnings
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from riskml.cohorts import make_young_hypertension
from riskml.explain import ShapExplanation, explain_pipeline
from riskml.models import RiskPipeline, make_model
from riskml.models._base import BinaryRiskMixin

N_EXPLAINED = 40

#: A small column set keeps LASSO-Cox and the model-agnostic method fast.
SMALL = ["age", "sex", "bmi", "office_sbp", "total_chol", "hdl", "smoking_status", "diabetes"]
NUMERIC = ["age", "bmi", "office_sbp", "total_chol", "hdl", "diabetes", "egfr", "uric_acid"]


class SklearnRisk(BinaryRiskMixin, ClassifierMixin, BaseEstimator):
    """Any scikit-learn classifier as a riskml binary model (as the model zoo wraps them)."""

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X, y):
        frame = self._check_X(X, reset=True)
        self.model_ = clone(self.estimator).fit(frame.to_numpy(dtype=float), np.asarray(y))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        frame = self._check_X(X, reset=False)
        return self.model_.predict_proba(frame.to_numpy(dtype=float))


@pytest.fixture(scope="module")
def cohort():
    return make_young_hypertension(300, random_state=3)


def _fit(name, cohort, columns=None, **options):
    X = cohort.features if columns is None else cohort.features[columns]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline = make_model(
            name, horizon=cohort.horizon, framingham_inputs=cohort.framingham_inputs, **options
        )
        return pipeline.fit(X, cohort.outcome), X


def _generic(estimator, cohort, columns=SMALL):
    from riskml.features import make_preprocessor

    X = cohort.features[columns]
    pipeline = RiskPipeline(
        [("preprocess", make_preprocessor(scale=True)), ("model", SklearnRisk(estimator))],
        horizon=cohort.horizon,
    )
    return pipeline.fit(X, cohort.outcome), X


def _risk(pipeline, X, horizon=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(pipeline.predict_risk(X, horizon=horizon), dtype=float)


def _knn():
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(n_neighbors=15)


# name, make_model options, columns, horizon used, expected scale
CASES = {
    "xgboost": ("xgboost", {}, None, False, "log-odds"),
    "xgboost_survival": ("xgboost_survival", {}, None, True, "log relative hazard"),
    "random_forest": ("random_forest", {"n_estimators": 40}, None, False, "risk"),
    "logistic": ("logistic", {}, SMALL, False, "log-odds"),
    "lasso": ("lasso", {}, SMALL, False, "log-odds"),
    "ridge": ("ridge", {}, SMALL, False, "log-odds"),
    "bayes_net": ("bayes_net", {}, SMALL, False, "log-odds"),
    "naive_bayes": ("naive_bayes", {}, SMALL, False, "log-odds"),
    "cox": ("cox", {}, SMALL, True, "log relative hazard"),
    "lasso_cox": ("lasso_cox", {}, NUMERIC, True, "log relative hazard"),
    "framingham": ("framingham", {}, None, False, "log cumulative hazard"),
    "framingham_recalibrated": (
        "framingham_recalibrated",
        {},
        None,
        False,
        "log cumulative hazard",
    ),
    "framingham_logistic": ("framingham_logistic_recalibrated", {}, None, False, "log-odds"),
    "xgboost_balanced": ("xgboost", {"class_weight": "balanced"}, None, False, "log-odds"),
    "logistic_balanced": ("logistic", {"class_weight": "balanced"}, SMALL, False, "log-odds"),
    "forest_undersampled": (
        "random_forest",
        {"n_estimators": 30, "sampler": "undersample"},
        None,
        False,
        "risk before recalibration",
    ),
    "bayes_net_undersampled": ("bayes_net", {"sampler": "undersample"}, SMALL, False, "log-odds"),
    "logistic_smote_logistic_recalibration": (
        "logistic",
        {"sampler": "smote", "recalibrate": "logistic"},
        SMALL[:2] + SMALL[2:6],
        False,
        "log-odds",
    ),
}


def _additive_oracle(case, pipeline, X, horizon):
    """The model output on its additive scale, from the model's own predictions."""
    scale = CASES[case][4]
    final = pipeline[-1]
    if CASES[case][0].startswith("xgboost"):
        # XGBoost's own margin (float32); with class weights the prior correction's
        # intercept shift (slope 1)
        data = final._prepare_predict(pipeline[0].transform(X))
        margin = final.model_.predict(data, output_margin=True).astype(float)
        shift = 0.0 if pipeline.recalibration_ is None else pipeline.recalibration_.intercept
        return margin + shift
    if scale == "log-odds" and hasattr(
        final, "coef_"
    ):  # logistic models: the fitted sklearn model's log-odds
        Xt = pipeline[0].transform(X)[list(final.feature_names_in_)].to_numpy(dtype=float)
        z = final.model_.decision_function(Xt)
        recalibration = pipeline.recalibration_
        return z if recalibration is None else recalibration.intercept + recalibration.slope * z
    if scale == "log-odds":
        return logit(_risk(pipeline, X))
    if scale == "log relative hazard":
        return _risk(pipeline, X)  # predict_risk without a horizon: the linear predictor
    if scale == "log cumulative hazard":
        return np.log(-np.log1p(-_risk(pipeline, X)))
    # random forests: the probability before any recalibration
    Xt = pipeline[0].transform(X)
    return np.asarray(pipeline[-1].predict_risk(Xt), dtype=float)


def name_of(case):
    return CASES[case][0]


@pytest.fixture(scope="module")
def fitted(cohort):
    cache = {}

    def get(case):
        if case not in cache:
            name, options, columns, _, _ = CASES[case]
            cache[case] = _fit(name, cohort, columns, **options)
        return cache[case]

    return get


@pytest.mark.parametrize("case", list(CASES))
def test_additivity_and_patient_risk_equal_predict_risk(case, fitted, cohort):
    """Oracles: predict_risk of each patient alone, and the family's additive output."""
    pipeline, X = fitted(case)
    horizon = cohort.horizon if CASES[case][3] else None
    explanation = explain_pipeline(
        pipeline, X, rows=N_EXPLAINED, random_state=1, horizon=horizon, n_background=50
    )
    assert isinstance(explanation, ShapExplanation)
    assert explanation.scale == CASES[case][4]
    assert len(explanation.rows) == N_EXPLAINED
    rows = explanation.rows
    margin = explanation.base_value + explanation.values.sum(axis=1).to_numpy()
    # XGBoost adds its contributions in float32: margins agree to 1e-6 relative
    tolerance = 1e-6 if name_of(case).startswith("xgboost") else 0.0
    np.testing.assert_allclose(
        margin, _additive_oracle(case, pipeline, X.iloc[rows], horizon), atol=1e-6, rtol=tolerance
    )
    for i in rows:
        expected = _risk(pipeline, X.iloc[[i]], horizon=horizon)[0]
        assert explanation.patient_risk(int(i)) == pytest.approx(expected, abs=1e-6)


def test_generic_sklearn_classifier_through_risk_pipeline(cohort):
    """A KNN (risks of exactly 0 are possible: explained on the risk scale)."""
    pipeline, X = _generic(_knn(), cohort)
    explanation = explain_pipeline(pipeline, X, rows=N_EXPLAINED, random_state=0, n_background=20)
    assert explanation.method.startswith("exact")  # 8 input columns: every coalition
    assert set(explanation.values.columns) == set(SMALL)
    for i in explanation.rows:
        expected = _risk(pipeline, X.iloc[[i]])[0]
        assert explanation.patient_risk(int(i)) == pytest.approx(expected, abs=1e-6)
    if explanation.scale == "risk":
        margin = explanation.base_value + explanation.values.sum(axis=1)
        np.testing.assert_allclose(margin, _risk(pipeline, X.iloc[explanation.rows]), atol=1e-9)


# -- tree oracles ---------------------------------------------------------------------
def test_random_forest_values_equal_shap_tree_explainer(fitted):
    """Oracle: shap.TreeExplainer on the fitted scikit-learn forest."""
    import shap

    pipeline, X = fitted("random_forest")
    explanation = explain_pipeline(pipeline, X, rows=N_EXPLAINED, random_state=2)
    Xt = pipeline[0].transform(X.iloc[explanation.rows])
    model = pipeline[-1].model_
    explainer = shap.TreeExplainer(model)
    expected = np.asarray(explainer.shap_values(Xt.to_numpy(dtype=float)))[:, :, 1]
    np.testing.assert_allclose(explanation.transformed_values.to_numpy(), expected, atol=1e-6)
    assert explanation.base_value == pytest.approx(float(explainer.expected_value[1]), abs=1e-9)


@pytest.mark.parametrize("kind", ["extra_trees", "decision_tree", "gradient_boosting"])
def test_other_scikit_learn_trees_equal_shap_tree_explainer(kind, cohort):
    """Oracle: shap.TreeExplainer (probability for trees, log-odds for boosting)."""
    import shap
    from sklearn.ensemble import ExtraTreesClassifier, GradientBoostingClassifier
    from sklearn.tree import DecisionTreeClassifier

    estimator = {
        "extra_trees": ExtraTreesClassifier(20, min_samples_leaf=5, random_state=0),
        "decision_tree": DecisionTreeClassifier(min_samples_leaf=10, random_state=0),
        "gradient_boosting": GradientBoostingClassifier(n_estimators=20, random_state=0),
    }[kind]
    pipeline, X = _generic(estimator, cohort)
    explanation = explain_pipeline(pipeline, X, rows=N_EXPLAINED)
    assert explanation.method.startswith("tree")
    Xt = pipeline[0].transform(X.iloc[explanation.rows]).to_numpy(dtype=float)
    expected = np.asarray(shap.TreeExplainer(pipeline[-1].model_).shap_values(Xt))
    expected = expected[:, :, 1] if expected.ndim == 3 else expected
    np.testing.assert_allclose(explanation.transformed_values.to_numpy(), expected, atol=1e-6)
    for i in explanation.rows[:10]:
        assert explanation.patient_risk(int(i)) == pytest.approx(
            _risk(pipeline, X.iloc[[i]])[0], abs=1e-6
        )


def test_bagged_trees_are_additive(cohort):
    """Oracle: predict_proba of the bagging ensemble (feature subsets mapped back)."""
    from sklearn.ensemble import BaggingClassifier
    from sklearn.tree import DecisionTreeClassifier

    bagging = BaggingClassifier(
        DecisionTreeClassifier(min_samples_leaf=5),
        n_estimators=10,
        max_features=0.6,
        random_state=0,
    )
    pipeline, X = _generic(bagging, cohort)
    explanation = explain_pipeline(pipeline, X, rows=N_EXPLAINED)
    assert explanation.method.startswith("tree")
    margin = explanation.base_value + explanation.values.sum(axis=1).to_numpy()
    np.testing.assert_allclose(margin, _risk(pipeline, X.iloc[explanation.rows]), atol=1e-9)


def test_xgboost_survival_values_equal_shap_tree_explainer(fitted, cohort):
    """Oracle: shap.TreeExplainer on the survival:cox booster (log relative hazard)."""
    import shap

    pipeline, X = fitted("xgboost_survival")
    explanation = explain_pipeline(pipeline, X, rows=N_EXPLAINED, horizon=cohort.horizon)
    Xt = pipeline[0].transform(X.iloc[explanation.rows])
    expected = shap.TreeExplainer(pipeline[-1].model_).shap_values(Xt)
    np.testing.assert_allclose(explanation.transformed_values.to_numpy(), expected, atol=1e-5)


def test_forest_tree_subsample_is_additive_and_close(fitted):
    """Oracle: the exact values; the estimate is within 5 standard errors (+ rounding)."""
    pipeline, X = fitted("random_forest")
    rows = np.arange(N_EXPLAINED)
    exact = explain_pipeline(pipeline, X, rows=rows)
    sampled = explain_pipeline(pipeline, X, rows=rows, max_trees=20, random_state=4)
    assert "20 of 40 trees" in sampled.method
    assert sampled.standard_errors is not None
    margin = sampled.base_value + sampled.values.sum(axis=1).to_numpy()
    np.testing.assert_allclose(
        margin, _additive_oracle("random_forest", pipeline, X.iloc[sampled.rows], None), atol=1e-9
    )
    error = (sampled.transformed_values - exact.transformed_values).abs().to_numpy()
    assert np.mean(error) < 0.01  # probability points
    assert sampled.base_value == pytest.approx(exact.base_value)


# -- linear oracles -------------------------------------------------------------------
@pytest.mark.parametrize("case", ["logistic", "lasso", "cox", "lasso_cox", "logistic_balanced"])
def test_linear_values_equal_shap_linear_explainer(case, fitted, cohort):
    """Oracle: shap.LinearExplainer with the training data as background (times the
    recalibration slope, 1 here)."""
    import shap

    pipeline, X = fitted(case)
    horizon = cohort.horizon if CASES[case][3] else None
    explanation = explain_pipeline(pipeline, X, rows=N_EXPLAINED, horizon=horizon)
    final = pipeline[-1]
    cox = getattr(final, "model_", final) if case == "lasso_cox" else final
    coef = cox.coef_
    background = pipeline[0].transform(X)[list(coef.index)]
    masker = shap.maskers.Independent(background.to_numpy(), max_samples=len(background))
    explainer = shap.LinearExplainer((coef.to_numpy(), 0.0), masker)
    rows = pipeline[0].transform(X.iloc[explanation.rows])[list(coef.index)]
    expected = explainer.shap_values(rows.to_numpy())
    if pipeline.recalibration_ is not None:
        expected = expected * pipeline.recalibration_.slope
    np.testing.assert_allclose(
        explanation.transformed_values[list(coef.index)], expected, atol=1e-9
    )


def test_framingham_values_are_the_published_terms_for_one_sex(cohort):
    """Oracle: with one sex in the patients and the background, the Shapley value of a
    single-input term is the term minus its background mean (FraminghamScore.contributions)."""
    pipeline, X = _fit("framingham_recalibrated", cohort)
    men = X[X["sex"] == "M"].iloc[:60]
    explanation = explain_pipeline(pipeline, men.iloc[:20], background=men, n_background=60)
    terms = pipeline[-1].contributions(men)
    for name, column in [("age", "age"), ("total_chol", "total_chol"), ("hdl", "hdl")]:
        expected = terms[name].iloc[:20] - terms[name].mean()
        np.testing.assert_allclose(
            explanation.values[column].to_numpy(), expected.to_numpy(), atol=1e-9
        )
    assert explanation.values["sex"].abs().max() < 1e-12
    assert explanation.values["bmi"].abs().sum() == 0  # not an input of the lipid form


# -- exact Shapley oracles ----------------------------------------------------------------
def _brute_force(f, x: pd.Series, players, background: pd.DataFrame) -> np.ndarray:
    """Interventional Shapley values by enumerating every coalition (slow, plain)."""
    p = len(players)

    cache = {}

    def value(subset):
        key = frozenset(subset)
        if key not in cache:
            frame = background.copy()
            for column in subset:
                frame[column] = x[column]
            cache[key] = float(np.mean(f(frame)))
        return cache[key]

    phi = np.zeros(p)
    for j, player in enumerate(players):
        others = [c for c in players if c != player]
        for size in range(p):
            weight = factorial(size) * factorial(p - size - 1) / factorial(p)
            for subset in combinations(others, size):
                phi[j] += weight * (value(subset + (player,)) - value(subset))
    return phi


def test_model_agnostic_exact_and_permutation_match_brute_force(cohort):
    """Oracle: brute-force enumeration with the same background. Exact estimator: to
    1e-9. Permutation estimator (40 antithetic orderings): mean absolute error below
    10% of the mean absolute value, and exactly additive."""
    columns = ["age", "bmi", "office_sbp", "total_chol", "hdl", "sex"]
    pipeline, X = _generic(_knn(), cohort, columns)
    background = X.iloc[:25]

    def f(frame):
        return _risk(pipeline, frame)

    exact = explain_pipeline(
        pipeline, X, rows=[3, 50, 100], background=background, n_background=25, method="exact"
    )
    sampled = explain_pipeline(
        pipeline,
        X,
        rows=[3, 50, 100],
        background=background,
        n_background=25,
        method="permutation",
        n_permutations=40,
        random_state=7,
    )
    assert exact.scale == sampled.scale == "risk"
    errors, sizes = [], []
    for i in (3, 50, 100):
        truth = _brute_force(f, X.iloc[i], columns, background.reset_index(drop=True))
        np.testing.assert_allclose(exact.values.loc[i, columns].to_numpy(), truth, atol=1e-9)
        errors.append(np.abs(sampled.values.loc[i, columns].to_numpy() - truth))
        sizes.append(np.abs(truth))
        assert sampled.patient_margin(i) == pytest.approx(float(f(X.iloc[[i]])[0]), abs=1e-12)
    assert np.mean(errors) < 0.1 * np.mean(sizes)


def test_bayes_net_exact_values_match_brute_force(cohort):
    """Oracle: brute-force Shapley values of the network's log-odds over the model
    columns, with the same (whole) background."""
    columns = ["age", "bmi", "office_sbp", "hdl", "diabetes"]
    pipeline, X = _fit("bayes_net", cohort, columns)
    background = X.iloc[:40]
    explanation = explain_pipeline(pipeline, X, rows=[0, 7, 99], background=background)
    assert explanation.method.startswith("bayes_net")
    transform = pipeline[0]

    def f(frame):
        return logit(pipeline[-1].predict_risk(frame))

    model_background = transform.transform(background).reset_index(drop=True)
    for i in (0, 7, 99):
        x = transform.transform(X.iloc[[i]]).iloc[0]
        truth = _brute_force(f, x, list(model_background.columns), model_background)
        np.testing.assert_allclose(
            explanation.transformed_values.loc[i, list(model_background.columns)], truth, atol=1e-9
        )
    # the model-agnostic permutation estimate of the same network (players: input columns,
    # here one model column each), against the exact values
    agnostic = explain_pipeline(
        pipeline, X, rows=[0, 7, 99], background=background, n_background=40, method="exact"
    )
    np.testing.assert_allclose(
        agnostic.values[columns].to_numpy(), explanation.values[columns].to_numpy(), atol=1e-9
    )
