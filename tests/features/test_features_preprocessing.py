"""Tests of riskml.features.Preprocessor / make_preprocessor.

Oracles: pandas (median, mode, mean/std computed directly on the input columns) and
the output-name contract (``<input>``, ``<input>_<level>``, ``<input>_missing``).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from riskml.features import Preprocessor, make_preprocessor


def _frame():
    return pd.DataFrame(
        {
            "age": [50.0, np.nan, 70.0, 60.0, 40.0],
            "sbp": [120, 130, 140, 150, 160],
            "on_statin": [True, False, True, True, False],
            "smoking": ["never", "current", None, "never", "former"],
            "stage": pd.Categorical(["I", "II", "I", "III", "II"]),
            "visit": pd.to_datetime(["2020-01-01"] * 5),
        }
    )


def test_output_names_follow_the_contract():
    """Oracle: the naming contract; datetimes are dropped and reported."""
    prep = make_preprocessor(scale=True, add_indicator=True).fit(_frame())
    out = prep.transform(_frame())
    assert isinstance(out, pd.DataFrame)
    assert out.columns.tolist() == [
        "age",
        "sbp",
        "on_statin",
        "age_missing",
        "smoking_current",
        "smoking_former",
        "smoking_never",
        "stage_I",
        "stage_II",
        "stage_III",
    ]
    assert list(prep.get_feature_names_out()) == out.columns.tolist()
    assert prep.numeric_columns_ == ["age", "sbp", "on_statin"]
    assert prep.categorical_columns_ == ["smoking", "stage"]
    assert prep.dropped_columns_ == ["visit"]
    assert out["age_missing"].tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]


def test_imputation_and_scaling_values():
    """Oracle: pandas median / mode / mean / population std of the training columns."""
    X = _frame()
    out = Preprocessor(scale=False).fit_transform(X)
    assert out.loc[1, "age"] == X["age"].median()
    # most-frequent imputation of the missing smoking value ("never" is the mode)
    assert out.loc[2, "smoking_never"] == 1.0
    scaled = Preprocessor(scale=True).fit_transform(X)
    filled = X["sbp"].astype(float)
    expected = (filled - filled.mean()) / filled.std(ddof=0)
    np.testing.assert_allclose(scaled["sbp"], expected, rtol=1e-12)


def test_indicators_only_for_columns_missing_in_fit_and_index_kept():
    """Oracle: the training data (only age has missing values); index preserved."""
    X = _frame().set_index(pd.Index(list("abcde")))
    out = make_preprocessor(add_indicator=True).fit_transform(X)
    assert [c for c in out.columns if c.endswith("_missing")] == ["age_missing"]
    assert out.index.tolist() == list("abcde")


def test_unknown_category_at_predict_is_ignored():
    """Oracle: one-hot of an unseen level is all zeros (handle_unknown='ignore')."""
    prep = make_preprocessor().fit(_frame())
    new = _frame().iloc[:1].copy()
    new["smoking"] = "vaping"
    out = prep.transform(new)
    assert out.loc[0, ["smoking_current", "smoking_former", "smoking_never"]].sum() == 0.0


def test_column_kinds_are_read_at_fit_time():
    """Oracle: a clone fitted on data where 'sbp' is text one-hot encodes it."""
    prep = make_preprocessor()
    X = _frame().drop(columns="visit")
    X2 = X.assign(sbp=X["sbp"].astype(str))
    first = clone(prep).fit(X)
    second = clone(prep).fit(X2)
    assert "sbp" in first.get_feature_names_out()
    assert "sbp_120" in second.get_feature_names_out()


def test_array_input_is_refused():
    with pytest.raises(TypeError, match="needs a pandas DataFrame"):
        make_preprocessor().fit(np.zeros((3, 2)))


def test_bad_parameter_is_refused():
    with pytest.raises(ValueError, match="'scale' parameter of Preprocessor must be"):
        Preprocessor(scale="yes").fit(_frame())


def test_clone_and_get_params():
    prep = make_preprocessor(scale=False, add_indicator=True)
    assert clone(prep).get_params() == {
        "scale": False,
        "add_indicator": True,
        "impute": True,
        "drop_first": False,
        "reference_levels": None,
    }
