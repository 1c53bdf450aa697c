"""Tests for riskml.explain.explain_pipeline and ShapExplanation."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xgboost
from _explain_helpers import DROPPED, XGBRisk, make_preprocessor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from riskml.explain import ShapExplanation, explain_pipeline, map_columns


def _model_input(pipeline, X):
    return pipeline[:-1].transform(X)


def test_shap_values_equal_xgboost_native_treeshap(fitted_pipeline, data, explanation):
    """Oracle: XGBoost's own TreeSHAP, ``Booster.predict(..., pred_contribs=True)``."""
    X, _ = data
    Xt = _model_input(fitted_pipeline, X)
    booster = fitted_pipeline[-1].model_.get_booster()
    contribs = booster.predict(xgboost.DMatrix(Xt), pred_contribs=True)
    assert list(explanation.transformed_values.columns) == list(Xt.columns)
    np.testing.assert_allclose(
        explanation.transformed_values.to_numpy(), contribs[:, :-1], atol=1e-5
    )
    np.testing.assert_allclose(explanation.base_value, contribs[0, -1], atol=1e-5)


def test_additivity_against_model_margin(fitted_pipeline, data, explanation):
    """Oracle: XGBoost's ``predict(..., output_margin=True)`` (log-odds)."""
    X, _ = data
    margin = fitted_pipeline[-1].model_.predict(
        _model_input(fitted_pipeline, X), output_margin=True
    )
    summed_inputs = explanation.values.sum(axis=1).to_numpy() + explanation.base_value
    summed_model_columns = explanation.transformed_values.sum(axis=1).to_numpy()
    np.testing.assert_allclose(summed_inputs, margin, atol=1e-5)
    np.testing.assert_allclose(summed_model_columns + explanation.base_value, margin, atol=1e-5)
    assert isinstance(explanation.base_value, float)


def test_patient_risk_equals_pipeline_predict_risk(fitted_pipeline, data, explanation):
    """Oracle: the pipeline's own ``predict_risk`` (probability), to 1e-6."""
    X, _ = data
    risk = fitted_pipeline[-1].predict_risk(_model_input(fitted_pipeline, X))
    for i in (0, 7, 123, len(X) - 1):
        assert explanation.patient_risk(i) == pytest.approx(float(risk[i]), abs=1e-6)


def test_one_hot_levels_and_missing_indicators_sum_to_their_input_column(explanation):
    """Oracle: the model-column SHAP values, summed by hand per origin."""
    tv = explanation.transformed_values
    levels = [c for c in tv.columns if c.startswith("smoking_")]
    assert sorted(levels) == ["smoking_current", "smoking_former", "smoking_never"]
    np.testing.assert_allclose(explanation.values["smoking"], tv[levels].sum(axis=1))
    np.testing.assert_allclose(explanation.values["age"], tv["age"] + tv["age_missing"])
    # "bp_treated_missing" belongs to bp_treated (longest prefix), not to bp.
    np.testing.assert_allclose(
        explanation.values["bp_treated"], tv["bp_treated"] + tv["bp_treated_missing"]
    )
    np.testing.assert_allclose(explanation.values["bp"], tv["bp"])
    assert explanation.column_map["bp_treated_missing"] == "bp_treated"


def test_map_columns_longest_prefix_rule():
    """Oracle: the naming rule, applied by hand to a small case."""
    mapping = map_columns(
        ["bp", "bp_treated", "sex"],
        ["bp", "bp_missing", "bp_treated", "bp_treated_missing", "sex_F", "sex_M"],
    )
    assert mapping == {
        "bp": "bp",
        "bp_missing": "bp",
        "bp_treated": "bp_treated",
        "bp_treated_missing": "bp_treated",
        "sex_F": "sex",
        "sex_M": "sex",
    }


def test_map_columns_unmappable_name_is_an_error():
    with pytest.raises(ValueError, match=r"cannot map the model column\(s\) \['num__age'\]"):
        map_columns(["age"], ["num__age"])


def test_dropped_column_has_zero_contribution_and_no_rank(explanation, data):
    X, _ = data
    assert list(explanation.values.columns) == list(X.columns)
    assert (explanation.values[DROPPED] == 0).all()
    assert DROPPED not in explanation.features_used
    assert DROPPED not in explanation.global_importance().index
    assert DROPPED not in set(explanation.patient(0)["feature"])


def test_global_importance_is_mean_absolute_value_sorted(explanation):
    """Oracle: mean |SHAP| per input column computed by a plain loop."""
    importance = explanation.global_importance()
    expected = {}
    for column in explanation.values.columns:
        mean_abs = float(np.mean([abs(v) for v in explanation.values[column]]))
        if mean_abs > 0:
            expected[column] = mean_abs
    assert set(importance.index) == set(expected)
    for column, value in expected.items():
        assert importance[column] == pytest.approx(value)
    assert (np.diff(importance.to_numpy()) <= 0).all()
    assert importance.name == "mean_abs_shap"
    assert importance.index[0] in {"age", "sbp", "smoking"}  # strong planted effects


def test_patient_table_has_original_values_sorted_by_absolute_contribution(explanation, data):
    X, _ = data
    i = int(np.flatnonzero(X["age"].isna().to_numpy())[0])  # a patient with a missing age
    table = explanation.patient(i)
    assert list(table.columns) == ["feature", "value", "contribution"]
    assert set(table["feature"]) == set(explanation.features_used)
    assert (np.diff(table["contribution"].abs().to_numpy()) <= 0).all()
    by_feature = table.set_index("feature")
    assert by_feature.loc["smoking", "value"] == X["smoking"].iloc[i]
    assert by_feature.loc["sbp", "value"] == X["sbp"].iloc[i]
    assert pd.isna(by_feature.loc["age", "value"])
    assert by_feature.loc["age", "contribution"] == pytest.approx(explanation.values.loc[i, "age"])


def test_identifiers_in_the_index_are_not_carried(explanation):
    for frame in (explanation.values, explanation.transformed_values, explanation.data):
        assert not any(str(label).startswith("MRN-") for label in frame.index)
    np.testing.assert_array_equal(explanation.values.index, np.arange(len(explanation.values)))


def test_max_rows_subsamples_reproducibly(fitted_pipeline, data, explanation):
    """Oracle: the full explanation at the same rows (TreeSHAP is row-wise)."""
    X, _ = data
    first = explain_pipeline(fitted_pipeline, X, max_rows=40, random_state=3)
    again = explain_pipeline(fitted_pipeline, X, max_rows=40, random_state=3)
    other = explain_pipeline(fitted_pipeline, X, max_rows=40, random_state=4)
    assert len(first.values) == 40
    np.testing.assert_array_equal(first.row_positions, again.row_positions)
    assert not np.array_equal(first.row_positions, other.row_positions)
    rows = first.row_positions
    np.testing.assert_allclose(
        first.values.to_numpy(), explanation.values.loc[rows].to_numpy(), atol=1e-6
    )
    pd.testing.assert_frame_equal(first.data, explanation.data.loc[rows])
    assert first.patient_risk(int(rows[0])) == pytest.approx(explanation.patient_risk(int(rows[0])))
    missing_row = int(np.setdiff1d(np.arange(len(X)), rows)[0])
    with pytest.raises(ValueError, match=f"row {missing_row} was not explained"):
        first.patient(missing_row)
    # max_rows at least the number of rows explains every row.
    assert len(explain_pipeline(fitted_pipeline, X.iloc[:10], max_rows=50).values) == 10


@pytest.mark.parametrize(
    ("max_rows", "error", "match"),
    [
        (0, ValueError, "max_rows must be >= 1 or None; got 0"),
        (2.5, TypeError, "max_rows must be an int or None; got float"),
    ],
    ids=["zero", "float"],
)
def test_max_rows_validation(fitted_pipeline, data, max_rows, error, match):
    X, _ = data
    with pytest.raises(error, match=match):
        explain_pipeline(fitted_pipeline, X, max_rows=max_rows)


def test_patient_index_must_be_an_int(explanation):
    with pytest.raises(TypeError, match="i must be an int, the 0-based position"):
        explanation.patient("MRN-100003")


def test_final_estimator_alone_and_one_step_pipeline(fitted_pipeline, data, explanation):
    """Explaining the final step on the model input gives the same model-column values."""
    X, _ = data
    Xt = _model_input(fitted_pipeline, X)
    for target in (fitted_pipeline[-1], Pipeline([("model", fitted_pipeline[-1])])):
        direct = explain_pipeline(target, Xt)
        assert isinstance(direct, ShapExplanation)
        np.testing.assert_allclose(
            direct.values.to_numpy(), explanation.transformed_values.to_numpy()
        )
        assert direct.base_value == pytest.approx(explanation.base_value)


def test_model_without_predict_risk_is_a_type_error(data):
    X, y = data
    numeric = X[["sbp", "bp"]]
    plain = Pipeline([("model", LogisticRegression())]).fit(numeric, y)
    with pytest.raises(
        TypeError,
        match=r"needs a fitted risk model with predict_risk; got "
        r"LogisticRegression",
    ):
        explain_pipeline(plain, numeric)


def test_x_must_be_a_dataframe(fitted_pipeline, data):
    X, _ = data
    with pytest.raises(TypeError, match="X must be a pandas DataFrame .* got ndarray"):
        explain_pipeline(fitted_pipeline, X.to_numpy())


def test_verbose_feature_names_are_refused(data):
    X, y = data
    prep = make_preprocessor().set_params(verbose_feature_names_out=True)
    pipeline = Pipeline([("prep", prep), ("model", XGBRisk(n_estimators=3))]).fit(X, y)
    with pytest.raises(ValueError, match="verbose_feature_names_out=False"):
        explain_pipeline(pipeline, X)


def test_array_output_with_names_is_accepted_and_without_names_refused(data):
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    X, y = data
    numeric = X[["sbp", "bp"]]
    scaled = Pipeline([("scale", StandardScaler()), ("model", XGBRisk(n_estimators=3))])
    scaled.fit(numeric, y)  # the model sees an unnamed array; names come from the scaler
    explanation = explain_pipeline(scaled, numeric)
    assert list(explanation.values.columns) == ["sbp", "bp"]
    assert explanation.global_importance().index.isin(["sbp", "bp"]).all()
    anonymous = Pipeline(
        [("f", FunctionTransformer(np.asarray)), ("model", XGBRisk(n_estimators=3))]
    )
    anonymous.fit(numeric, y)
    with pytest.raises(TypeError, match=r"set_output\(transform='pandas'\)"):
        explain_pipeline(anonymous, numeric)


def test_multiclass_model_is_refused(data):
    X, _ = data
    numeric = X[["sbp", "bp"]]
    three_classes = np.arange(len(numeric)) % 3
    model = XGBRisk(n_estimators=3).fit(numeric, three_classes)
    with pytest.raises(ValueError, match="supports binary \\(single-output\\) XGBoost models"):
        explain_pipeline(model, numeric)


class _RegressorRisk(XGBRisk):
    """A regression XGBoost whose ``predict_risk`` is its raw prediction."""

    def predict_risk(self, X, horizon=None):
        return self.model_.predict(self._input(X))


def test_regression_objective_is_explained_on_its_output(data):
    """Oracle: XGBoost's own margin (regression: the prediction itself)."""
    X, y = data
    numeric = X[["sbp", "bp"]]
    regressor = _RegressorRisk(n_estimators=3, model_class=xgboost.XGBRegressor).fit(numeric, y)
    explanation = explain_pipeline(regressor, numeric)
    assert explanation.objective == "reg:squarederror"
    assert explanation.scale == "model output"
    margin = regressor.model_.predict(numeric, output_margin=True)
    assert explanation.patient_margin(5) == pytest.approx(float(margin[5]), abs=1e-5)
    assert explanation.patient_risk(5) == pytest.approx(float(margin[5]), abs=1e-5)


class _BoosterRisk(XGBRisk):
    def predict_risk(self, X, horizon=None):
        return self.model_.predict(xgboost.DMatrix(self._input(X)))


def test_booster_as_model_is_accepted(fitted_pipeline, data, explanation):
    X, _ = data
    wrapper = _BoosterRisk()
    wrapper.model_ = fitted_pipeline[-1].model_.get_booster()
    direct = explain_pipeline(wrapper, _model_input(fitted_pipeline, X))
    assert direct.objective == "binary:logistic"
    np.testing.assert_allclose(direct.values.to_numpy(), explanation.transformed_values.to_numpy())


def test_import_is_lazy():
    """``import riskml.explain`` must not import shap or xgboost."""
    code = (
        "import sys, riskml.explain; "
        "assert 'shap' not in sys.modules and 'xgboost' not in sys.modules, sys.modules.keys()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _path_dependent_expectation(tree, x, subset):
    """E[f(x) | x_S] of one tree, by Lundberg et al. (2018), Algorithm 1 (EXPVALUE).

    Features in ``subset`` follow x's branch (NaN takes the tree's missing branch);
    the others average both children weighted by their cover (hessian sum).
    """

    def walk(node_id):
        node = tree[node_id]
        if node["Feature"] == "Leaf":
            return node["Gain"]
        if node["Feature"] in subset:
            value = x[node["Feature"]]
            if np.isnan(value):
                return walk(node["Missing"])
            return walk(node["Yes"] if value < node["Split"] else node["No"])
        yes, no = tree[node["Yes"]], tree[node["No"]]
        return (yes["Cover"] * walk(node["Yes"]) + no["Cover"] * walk(node["No"])) / node["Cover"]

    return walk(next(key for key in tree if key.endswith("-0")))


def test_shap_values_equal_brute_force_shapley_values():
    """Oracle: exact Shapley values by enumerating all 2^p feature subsets.

    The value function is the tree-path-dependent conditional expectation (Lundberg
    et al. 2018, Algorithm 1), read from ``Booster.trees_to_dataframe()``. This does not
    go through shap nor through XGBoost's pred_contribs (which shap itself calls).
    """
    from itertools import combinations
    from math import factorial

    rng = np.random.default_rng(5)
    n = 200
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a", "b", "c", "d"])
    X.loc[rng.random(n) < 0.15, "b"] = np.nan
    y = ((X["a"] + X["b"].fillna(0) * X["c"] + rng.normal(0, 0.5, n)) > 0).astype(int)
    model = XGBRisk(n_estimators=6, max_depth=3).fit(X, y)
    explanation = explain_pipeline(model, X)

    frame = model.model_.get_booster().trees_to_dataframe()
    trees = [
        {row["ID"]: row for row in group.to_dict("records")} for _, group in frame.groupby("Tree")
    ]
    features = list(X.columns)
    p = len(features)
    margin = model.model_.predict(X, output_margin=True)
    for i in (0, int(np.flatnonzero(X["b"].isna())[0]), 17, 123):
        x = X.iloc[i]

        def value(subset, x=x):
            return sum(_path_dependent_expectation(tree, x, set(subset)) for tree in trees)

        offset = margin[i] - value(features)  # the base margin (logit of base_score)
        assert explanation.base_value == pytest.approx(offset + value(()), abs=1e-5)
        for feature in features:
            others = [f for f in features if f != feature]
            phi = 0.0
            for size in range(p):
                weight = factorial(size) * factorial(p - size - 1) / factorial(p)
                for subset in combinations(others, size):
                    phi += weight * (value(subset + (feature,)) - value(subset))
            assert explanation.values.loc[i, feature] == pytest.approx(phi, abs=1e-5)


@pytest.mark.parametrize(("layout", "young"), [("bare", "<18"), ("reversed", "u18")])
def test_models_fitted_on_bare_arrays_or_other_column_orders(layout, young):
    """A level name XGBoost refuses ("<18") forces a bare array; the booster's order rules.

    Oracle: additivity against the final step's own predict_risk.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(2)
    n = 150
    X = pd.DataFrame(
        {"age_group": rng.choice([young, "18-65", ">65"], n), "sbp": rng.normal(130, 15, n)}
    )
    y = ((X["age_group"] == ">65") | (X["sbp"] > 140)).astype(int).to_numpy()
    prep = ColumnTransformer(
        [
            ("cat", OneHotEncoder(sparse_output=False), ["age_group"]),
            ("num", "passthrough", ["sbp"]),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    pipeline = Pipeline([("prep", prep), ("model", XGBRisk(layout=layout))]).fit(X, y)
    explanation = explain_pipeline(pipeline, X)
    risk = pipeline[-1].predict_risk(pipeline[:-1].transform(X))
    for i in (0, 50, 149):
        assert explanation.patient_risk(i) == pytest.approx(float(risk[i]), abs=1e-6)
    booster_names = pipeline[-1].model_.get_booster().feature_names
    if layout == "reversed":
        assert list(explanation.transformed_values.columns) == booster_names
    assert set(explanation.values.columns) == {"age_group", "sbp"}
    assert explanation.column_map[f"age_group_{young}"] == "age_group"
