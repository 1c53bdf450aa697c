"""Reference levels of categorical predictors in riskml.features.Preprocessor.

Oracles:
- R (tests/data/reference_levels.R -> tests/data/reference_levels.csv): ``coxph`` (Efron
  ties) and ``glm(family = binomial)`` on synthetic data (tests/data/reference_levels_data.csv,
  seeded, written by the same script) with ``factor(age_group, levels = c("<=20", "20-50",
  ">50"))`` (case "ordered"), ``relevel(..., ref = ">50")`` and ``relevel(factor(sex), ref =
  "M")`` (case "relevel"), and ``factor(x)``'s default sorted levels under ``LC_COLLATE=C``
  (case "sorted"). Coefficients are compared term by term (riskml's ``<input>_<level>``
  names); the R reference of each factor is its first level.
- Hand-written expectations of the level order for the unit cases (pandas categories,
  ``sorted`` of the values).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from sklearn.base import clone

from riskml import Outcome
from riskml.explain import map_columns
from riskml.features import Preprocessor, make_preprocessor
from riskml.models import LogisticRisk, make_model

DATA = Path(__file__).resolve().parents[1] / "data"
AGE_LEVELS = ["<=20", "20-50", ">50"]

#: case of the R script -> (age_group as riskml sees it, reference_levels)
CASES = {
    "ordered": ("ordered", None),
    "relevel": ("ordered", {"age_group": ">50", "sex": "M"}),
    "sorted": ("text", None),
}


def _data():
    return pd.read_csv(DATA / "reference_levels_data.csv")


def _features(kind: str) -> pd.DataFrame:
    X = _data()[["age_group", "sex", "sbp"]].copy()
    if kind == "ordered":
        X["age_group"] = pd.Categorical(X["age_group"], categories=AGE_LEVELS, ordered=True)
    return X


def _r(case: str, model: str) -> pd.DataFrame:
    table = pd.read_csv(DATA / "reference_levels.csv")
    return table[(table["case"] == case) & (table["model"] == model)].set_index("term")


def _reference_by_column(expected: pd.DataFrame) -> dict:
    """R's reference level of each factor (its first level), keyed by input column."""
    rows = expected["reference"].dropna()
    return {term.rsplit("_", 1)[0]: ref for term, ref in rows.items()}


def test_ordered_categorical_from_the_issue_is_the_cox_reference():
    """Oracle: R coxph with factor(age_group, levels = c("<=20", "20-50", ">50")).

    The issue: with an ordered Categorical, '20-50' (first in sorted text order) became
    the reference instead of '<=20'. make_model('cox') must now give R's coefficients.
    """
    X = _features("ordered")
    data = _data()
    pipeline = make_model("cox").fit(X, Outcome.survival(data["time"], data["status"]))
    expected = _r("ordered", "cox")
    prep = pipeline.named_steps["preprocess"]
    assert prep.reference_levels_ == {"age_group": "<=20", "sex": "F"}
    assert prep.levels_ == {"age_group": AGE_LEVELS, "sex": ["F", "M"]}
    assert list(prep.get_feature_names_out()) == [
        "sbp",
        "age_group_20-50",
        "age_group_>50",
        "sex_M",
    ]
    coef = pipeline.named_steps["model"].coef_
    assert sorted(coef.index) == sorted(expected.index)
    # lifelines stops at its own convergence tolerance (house tolerance for coxph: 1e-4)
    np.testing.assert_allclose(coef[expected.index], expected["estimate"], atol=1e-4, rtol=0)


@pytest.mark.parametrize("case", list(CASES))
def test_cox_coefficients_match_r_with_the_same_reference(case):
    """Oracle: R coxph (Efron) per case, against make_model('cox') with the reference set
    through the pipeline's preprocess step, and lifelines fitted to a tight tolerance on
    the Preprocessor output."""
    kind, references = CASES[case]
    X = _features(kind)
    data = _data()
    expected = _r(case, "cox")
    pipeline = make_model("cox").set_params(preprocess__reference_levels=references)
    pipeline.fit(X, Outcome.survival(data["time"], data["status"]))
    assert pipeline.named_steps["preprocess"].reference_levels_ == _reference_by_column(expected)
    coef = pipeline.named_steps["model"].coef_
    assert sorted(coef.index) == sorted(expected.index)
    np.testing.assert_allclose(coef[expected.index], expected["estimate"], atol=1e-4, rtol=0)

    Xt = Preprocessor(scale=False, drop_first=True, reference_levels=references).fit_transform(X)
    fitter = CoxPHFitter().fit(
        Xt.assign(time=data["time"], status=data["status"]),
        "time",
        "status",
        fit_options={"precision": 1e-12, "max_steps": 200},
    )
    np.testing.assert_allclose(
        fitter.params_[expected.index], expected["estimate"], atol=1e-8, rtol=0
    )


@pytest.mark.parametrize("case", list(CASES))
def test_unpenalised_logistic_coefficients_match_r_glm(case):
    """Oracle: R glm(outcome ~ age_group + sex + sbp, family = binomial) per case."""
    kind, references = CASES[case]
    X = _features(kind)
    expected = _r(case, "logistic")
    prep = Preprocessor(scale=False, drop_first=True, reference_levels=references)
    Xt = prep.fit_transform(X)
    assert prep.reference_levels_ == _reference_by_column(expected)
    model = LogisticRisk(tol=1e-10, max_iter=10_000).fit(Xt, Outcome.binary(_data()["outcome"]))
    assert sorted(model.coef_.index) == sorted(expected.index)
    np.testing.assert_allclose(model.coef_[expected.index], expected["estimate"], atol=1e-7, rtol=0)


def test_sorted_text_reference_differs_from_the_ordered_one():
    """Oracle: R's tables: with sorted text levels the reference is '20-50' (code point
    order, as R with LC_COLLATE=C), so the 'sorted' and 'ordered' coefficients differ."""
    sorted_ref = _reference_by_column(_r("sorted", "cox"))
    ordered_ref = _reference_by_column(_r("ordered", "cox"))
    assert sorted_ref["age_group"] == "20-50" != ordered_ref["age_group"]
    prep = Preprocessor(drop_first=True).fit(_features("text"))
    assert prep.reference_levels_["age_group"] == "20-50"


# -- unit cases ---------------------------------------------------------------------------
def test_unordered_categorical_keeps_its_given_category_order():
    """Oracle: pandas' categories (['b', 'a', 'c']), not sorted order (['a', 'b', 'c'])."""
    X = pd.DataFrame({"g": pd.Categorical(list("abcab"), categories=["b", "a", "c"])})
    prep = Preprocessor(drop_first=True).fit(X)
    assert prep.reference_levels_ == {"g": "b"}
    assert list(prep.get_feature_names_out()) == ["g_a", "g_c"]
    out = prep.transform(X)
    assert out["g_a"].tolist() == [1.0, 0.0, 0.0, 1.0, 0.0]
    assert out["g_c"].tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]


def test_categories_absent_in_fit_are_left_out():
    """Oracle: R's droplevels: the first category *seen* is the reference."""
    X = pd.DataFrame(
        {"g": pd.Categorical(["20-50", ">50", "20-50"], categories=AGE_LEVELS, ordered=True)}
    )
    prep = Preprocessor(drop_first=True).fit(X)
    assert prep.levels_ == {"g": ["20-50", ">50"]}
    assert prep.reference_levels_ == {"g": "20-50"}
    assert list(prep.get_feature_names_out()) == ["g_>50"]


def test_without_drop_first_nothing_is_dropped_but_order_is_kept():
    """Oracle: the Categorical order, and the named reference moved first (R's relevel)."""
    X = _features("ordered").head(50)
    prep = Preprocessor().fit(X)
    assert prep.reference_levels_ == {}
    assert list(prep.get_feature_names_out()) == [
        "sbp",
        "age_group_<=20",
        "age_group_20-50",
        "age_group_>50",
        "sex_F",
        "sex_M",
    ]
    prep = Preprocessor(reference_levels={"age_group": "20-50"}).fit(X)
    assert prep.reference_levels_ == {}
    assert prep.levels_["age_group"] == ["20-50", "<=20", ">50"]
    assert list(prep.get_feature_names_out())[1:4] == [
        "age_group_20-50",
        "age_group_<=20",
        "age_group_>50",
    ]


def test_levels_unseen_at_fit_give_all_zero_columns():
    """Oracle: handle_unknown='ignore': an unseen level is encoded like the reference."""
    X = _features("ordered").head(50)
    prep = Preprocessor(drop_first=True, reference_levels={"sex": "M"}).fit(X)
    new = X.head(2).copy()
    new["sex"] = ["unknown", "F"]
    new["age_group"] = ["<=20", "20-50"]  # plain text at prediction time
    with pytest.warns(UserWarning, match="unknown categories"):
        out = prep.transform(new)
    assert out.loc[0, ["age_group_20-50", "age_group_>50", "sex_F"]].tolist() == [0.0] * 3
    assert out.loc[1, ["age_group_20-50", "age_group_>50", "sex_F"]].tolist() == [1.0, 0.0, 1.0]


def test_missing_level_without_imputation_stays_last():
    """Oracle: with impute=False the missing level is its own column, after the levels;
    the reference is the first non-missing level."""
    X = pd.DataFrame(
        {"g": pd.Categorical(["b", None, "a", "b"], categories=["b", "a"], ordered=True)}
    )
    prep = Preprocessor(impute=False, drop_first=True).fit(X)
    assert prep.reference_levels_ == {"g": "b"}
    assert prep.levels_ == {"g": ["b", "a"]}
    assert list(prep.get_feature_names_out()) == ["g_a", "g_nan"]
    assert prep.transform(X)["g_nan"].tolist() == [0.0, 1.0, 0.0, 0.0]


def test_reference_given_as_text_matches_a_numeric_level():
    """Oracle: the level 2 of integer categories, named '2' as a YAML file would."""
    X = pd.DataFrame({"grade": pd.Categorical([1, 2, 3, 2, 1])})
    prep = Preprocessor(drop_first=True, reference_levels={"grade": "2"}).fit(X)
    assert prep.reference_levels_ == {"grade": 2}
    assert list(prep.get_feature_names_out()) == ["grade_1", "grade_3"]


def test_all_missing_categorical_column_is_still_dropped_by_imputation():
    """Oracle: SimpleImputer leaves out a column without observed values (as before)."""
    X = pd.DataFrame({"g": ["a", "b", "a"], "empty": pd.Series([None] * 3, dtype=object)})
    with pytest.warns(UserWarning, match="Skipping features without any observed values"):
        prep = Preprocessor(drop_first=True).fit(X)
    assert list(prep.get_feature_names_out()) == ["g_b"]
    assert prep.reference_levels_ == {"g": "a"}


def test_output_names_map_back_to_the_input_columns():
    """Oracle: riskml.explain.map_columns, which explanations rely on."""
    X = _features("ordered").head(50)
    prep = Preprocessor(drop_first=True, reference_levels={"age_group": ">50"}).fit(X)
    mapping = map_columns(X.columns, prep.get_feature_names_out())
    assert mapping == {
        "sbp": "sbp",
        "age_group_<=20": "age_group",
        "age_group_20-50": "age_group",
        "sex_M": "sex",
    }


def test_clone_and_get_params_keep_the_reference_levels():
    references = {"age_group": ">50"}
    prep = make_preprocessor(scale=False, drop_first=True, reference_levels=references)
    assert prep.get_params()["reference_levels"] == references
    copy = clone(prep)
    assert copy.get_params()["reference_levels"] == references
    fitted = copy.fit(_features("ordered").head(50))
    assert fitted.reference_levels_["age_group"] == ">50"
    assert not hasattr(prep, "reference_levels_")


# -- errors -------------------------------------------------------------------------------
def test_unknown_reference_level_names_column_level_and_levels_seen():
    prep = Preprocessor(drop_first=True, reference_levels={"age_group": "<20"})
    with pytest.raises(
        ValueError,
        match=r"reference level '<20' of column 'age_group' was not seen in fit; the levels "
        r"seen are \['<=20', '20-50', '>50'\]",
    ):
        prep.fit(_features("ordered"))


def test_reference_for_an_absent_column_is_refused():
    prep = Preprocessor(reference_levels={"agegroup": "<=20"})
    with pytest.raises(
        ValueError,
        match=r"names the column 'agegroup', which is not in the data; the categorical "
        r"columns are \['age_group', 'sex'\]",
    ):
        prep.fit(_features("ordered"))


def test_reference_for_a_numeric_column_is_refused():
    prep = Preprocessor(reference_levels={"sbp": 120})
    with pytest.raises(
        ValueError, match=r"column 'sbp', which has dtype int64 and is not one-hot encoded"
    ):
        prep.fit(_features("ordered"))


def test_reference_levels_must_be_a_dict():
    with pytest.raises(ValueError, match="'reference_levels' parameter of Preprocessor must be"):
        Preprocessor(reference_levels=[("age_group", "<=20")]).fit(_features("ordered"))


def test_mixed_value_types_are_refused_with_a_fix():
    X = pd.DataFrame({"code": pd.Series(["a", 1, "b"], dtype=object)})
    with pytest.raises(
        TypeError,
        match=r"column 'code' mixes numbers and text \(2 text, 1 number values; the number "
        r"ones at positions \[1\]\).*X\['code'\] = X\['code'\]\.astype\(str\)",
    ):
        Preprocessor().fit(X)


def test_declared_but_absent_reference_says_it_is_rare():
    """A category of the dtype that no training row has (e.g. in a small fold)."""
    X = pd.DataFrame(
        {"g": pd.Categorical(["20-50", ">50", "20-50"], categories=AGE_LEVELS, ordered=True)}
    )
    with pytest.raises(
        ValueError,
        match=r"reference level '<=20' of column 'g' is one of its categories but no row in "
        r"this fit has it .* the levels seen are \['20-50', '>50'\]. Choose a more common",
    ):
        Preprocessor(drop_first=True, reference_levels={"g": "<=20"}).fit(X)


@pytest.mark.parametrize("case", ["ordered", "relevel"])
def test_make_model_logistic_odds_ratios_are_level_vs_reference_as_r_glm(case):
    """Oracle: R glm per case. make_model('logistic') standardises the numeric column
    (sbp: R's coefficient times its population SD) and encodes the categorical ones as
    level vs reference, as glm does (make_model(reference_levels=) as relevel)."""
    kind, references = CASES[case]
    X = _features(kind)
    expected = _r(case, "logistic")
    pipeline = make_model("logistic", reference_levels=references)
    pipeline.fit(X, Outcome.binary(_data()["outcome"]))
    assert pipeline.named_steps["preprocess"].reference_levels_ == _reference_by_column(expected)
    coef = pipeline.named_steps["model"].coef_
    assert sorted(coef.index) == sorted(expected.index)
    r_coef = expected["estimate"].copy()
    r_coef["sbp"] *= X["sbp"].std(ddof=0)
    np.testing.assert_allclose(coef[r_coef.index], r_coef, atol=1e-6, rtol=0)


def test_make_model_refuses_reference_levels_for_a_published_score():
    with pytest.raises(ValueError, match=r"takes no sampler, class_weight, tune or reference"):
        make_model("framingham", reference_levels={"sex": "M"})
