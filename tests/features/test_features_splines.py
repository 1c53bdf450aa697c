"""RestrictedCubicSpline and rcs_basis: rms's rcs() design, knots learned in fit.

Oracle: the design matrix ``fit$x`` of R's ``lrm(DEATH_EVENT ~ rcs(age, 4) +
rcs(ejection_fraction, 3) + rcs(serum_creatinine, 5) + sex)`` (rms 6.5.0, Hmisc 4.8.0)
on the bundled heart-failure records, written by ``tests/data/splines_rms.R`` to
``tests/data/splines_rms_design.csv``; the knots of ``splines_rms_knots.csv``
(``Hmisc::rcspline.eval``). Properties of the basis (linear beyond the outer knots,
continuous second derivative) are checked by finite differences.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from riskml.features import RestrictedCubicSpline, rcs_basis, rcs_knots

ROOT = Path(__file__).resolve().parents[2]
HEART = ROOT / "riskml/cohorts/datasets/heart_failure_clinical_records_dataset.csv"
DATA = ROOT / "tests/data"
COLUMNS = ["age", "ejection_fraction", "serum_creatinine", "sex"]


@pytest.fixture(scope="module")
def heart():
    return pd.read_csv(HEART)


def test_transform_equals_the_rms_design(heart):
    """Terms, names and order equal rms's fit$x to 1e-12."""
    spline = RestrictedCubicSpline(
        n_knots={"age": 4, "ejection_fraction": 3, "serum_creatinine": 5}
    )
    terms = spline.fit_transform(heart[COLUMNS])
    expected = pd.read_csv(DATA / "splines_rms_design.csv")
    assert list(terms.columns) == list(expected.columns)
    assert list(spline.get_feature_names_out()) == list(expected.columns)
    np.testing.assert_allclose(terms.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-12)
    assert terms.index.equals(heart.index)


def test_knots_are_learned_in_fit_from_the_training_rows_only(heart):
    """In a pipeline, the knots are those of the rows fitted on (Hmisc's on that subset);
    a clone refitted elsewhere learns other knots."""
    first80 = heart[COLUMNS].iloc[:80]
    spline = RestrictedCubicSpline(columns="age", n_knots=4)
    make_pipeline(spline).fit(first80)
    knots = pd.read_csv(DATA / "splines_rms_knots.csv")
    rows = knots[(knots["vector"] == "age_first80") & (knots["nk"] == 4)]
    np.testing.assert_allclose(spline.knots_["age"], rows["value"], rtol=1e-12)
    other = clone(spline).fit(heart[COLUMNS])
    assert not np.array_equal(other.knots_["age"], spline.knots_["age"])
    # new rows are expanded at the training knots
    expanded = spline.transform(heart[COLUMNS].iloc[80:90])
    np.testing.assert_array_equal(
        expanded[["age", "age'", "age''"]].to_numpy(),
        rcs_basis(heart["age"].iloc[80:90], spline.knots_["age"]),
    )


def test_given_knots_are_used_and_count_as_columns(heart):
    spline = RestrictedCubicSpline(knots={"age": [45, 60, 75]}).fit(heart[COLUMNS])
    np.testing.assert_array_equal(spline.knots_["age"], [45.0, 60.0, 75.0])
    assert list(spline.get_feature_names_out()) == ["age", "age'", *COLUMNS[1:]]
    assert spline.nonlinear_terms() == {"age": ["age'"]}


def test_basis_is_linear_beyond_the_outer_knots_and_smooth_at_the_knots():
    """Restricted: second differences vanish beyond the outer knots; cubic spline:
    the second derivative is continuous across every knot (one-sided estimates)."""
    knots = np.array([1.0, 3.0, 4.0, 7.0, 10.0])
    h = 1e-3
    outside = np.r_[np.linspace(-5, 0.99, 7), np.linspace(10.01, 20, 7)]
    second = (
        rcs_basis(outside + h, knots)
        - 2 * rcs_basis(outside, knots)
        + rcs_basis(outside - h, knots)
    ) / h**2
    np.testing.assert_allclose(second, 0, atol=1e-6)
    for knot in knots:
        left = rcs_basis(knot - np.array([2 * h, h, 0]), knots)
        right = rcs_basis(knot + np.array([0, h, 2 * h]), knots)
        left_second = (left[2] - 2 * left[1] + left[0]) / h**2
        right_second = (right[2] - 2 * right[1] + right[0]) / h**2
        np.testing.assert_allclose(left_second, right_second, atol=1e-2)


def test_missing_values_stay_missing_and_are_left_out_of_the_knots():
    x = np.r_[np.arange(1.0, 201.0), np.nan]
    frame = pd.DataFrame({"x": x})
    spline = RestrictedCubicSpline(columns="x", n_knots=3).fit(frame)
    np.testing.assert_array_equal(spline.knots_["x"], rcs_knots(x[:-1], 3))
    out = spline.transform(frame)
    assert out.iloc[-1].isna().all() and out.iloc[:-1].notna().all().all()


def test_few_distinct_values_give_the_interior_values_as_knots_with_a_warning():
    x = np.repeat([1.0, 2.0, 3.0, 5.0, 8.0, 13.0], [5, 9, 20, 14, 3, 2])
    with pytest.warns(UserWarning, match="5 knots requested with 6 unique values"):
        knots = rcs_knots(x, 5)
    np.testing.assert_array_equal(knots, [2.0, 3.0, 5.0, 8.0])


@pytest.mark.parametrize(
    ("kwargs", "X", "error", "message"),
    [
        ({}, None, ValueError, r"has no column to expand: name them"),
        ({"columns": 3}, None, TypeError, r"columns must be a column name or a list"),
        ({"columns": "weight"}, None, ValueError, r"column\(s\) \['weight'\] are not in X"),
        ({"columns": "age", "n_knots": 2}, None, ValueError, r"n_knots must be an int of at"),
        ({"columns": "group"}, None, TypeError, r"a spline needs a continuous numeric col"),
        ({"knots": {"age": [60, 45, 75]}}, None, ValueError, r"strictly increasing numbers"),
        ({"knots": [45, 60, 75]}, None, TypeError, r"knots must be a dict \{column"),
        ({"columns": "age"}, "tiny", ValueError, r"default knots need at least 6"),
        ({"columns": "age"}, "array", TypeError, r"needs a pandas DataFrame"),
    ],
    ids=[
        "no-columns",
        "columns-not-names",
        "absent-column",
        "two-knots",
        "text-column",
        "unordered-knots",
        "knots-not-dict",
        "five-values",
        "array",
    ],
)
def test_bad_input_is_refused_with_the_fix(heart, kwargs, X, error, message):
    frame = heart[["age"]].assign(group="a")
    if X == "tiny":
        frame = frame.iloc[:5]
    elif X == "array":
        frame = frame[["age"]].to_numpy()
    with pytest.raises(error, match=message), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        RestrictedCubicSpline(**kwargs).fit(frame)


def test_rcs_basis_refuses_bad_knots():
    with pytest.raises(ValueError, match=r"at least 3 finite, strictly increasing"):
        rcs_basis([1.0, 2.0], [1.0, 2.0])


def test_transform_needs_the_fitted_columns(heart):
    spline = RestrictedCubicSpline(columns="age").fit(heart[COLUMNS])
    with pytest.raises(ValueError, match="ejection_fraction"):
        spline.transform(heart[["age", "serum_creatinine", "sex"]])
