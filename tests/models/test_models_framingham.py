"""Tests of riskml.models.FraminghamScore (D'Agostino 2008 general CVD, lipid form).

Oracles: the two worked examples printed in D'Agostino et al., Circulation
2008;117:743-753 (10.48% and 15.62%); an independent per-row recomputation from
the coefficient table in /work/shared/reference/framingham.md (section 1.2,
typed again below); lifelines' KaplanMeierFitter for recalibration.
"""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from sklearn.base import clone

from riskml import Outcome
from riskml.models import FraminghamScore, OutOfRangeWarning

# Section 1.2 of the reference, typed independently of the implementation.
TABLE = {
    "M": (3.06117, 1.12370, -0.93263, 1.93303, 1.99881, 0.65451, 0.57367, 0.88936, 23.9802),
    "F": (2.32888, 1.20904, -0.70833, 2.76157, 2.82263, 0.52873, 0.69154, 0.95012, 26.1931),
}

WORKED = pd.DataFrame(
    {
        "sex": ["F", "M"],
        "age": [61, 53],
        "total_chol": [180, 161],
        "hdl": [47, 55],
        "sbp": [124, 125],
        "bp_treated": [0, 1],
        "smoker": [1, 0],
        "diabetes": [0, 1],
    }
)


def _brute_force(row) -> float:
    b_age, b_tc, b_hdl, b_sbp_u, b_sbp_t, b_smk, b_dm, s0, mean = TABLE[row["sex"]]
    b_sbp = b_sbp_t if row["bp_treated"] else b_sbp_u
    s = (
        b_age * math.log(row["age"])
        + b_tc * math.log(row["total_chol"])
        + b_hdl * math.log(row["hdl"])
        + b_sbp * math.log(row["sbp"])
        + b_smk * row["smoker"]
        + b_dm * row["diabetes"]
    )
    return 1.0 - s0 ** math.exp(s - mean)


def _random_patients(n, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n),
            "age": rng.uniform(30, 74, n),
            "total_chol": rng.uniform(120, 320, n),
            "hdl": rng.uniform(25, 95, n),
            "sbp": rng.uniform(95, 200, n),
            "bp_treated": rng.integers(0, 2, n),
            "smoker": rng.integers(0, 2, n),
            "diabetes": rng.integers(0, 2, n),
        }
    )


@pytest.mark.parametrize(
    ("row", "published_percent"),
    [(0, 10.48), (1, 15.62)],
    ids=["woman-61-smoker-10.48pct", "man-53-treated-diabetic-15.62pct"],
)
def test_published_worked_examples(row, published_percent):
    """Oracle: D'Agostino 2008 worked examples, printed to 0.01 percentage points."""
    risk = FraminghamScore().predict_risk(WORKED.iloc[[row]])[0]
    assert abs(100 * risk - published_percent) <= 0.005


def test_matches_brute_force_recomputation():
    """Oracle: per-row recomputation from the coefficient table."""
    X = _random_patients(60)
    expected = np.array([_brute_force(r) for _, r in X.iterrows()])
    np.testing.assert_allclose(FraminghamScore().predict_risk(X), expected, rtol=0, atol=1e-12)


def test_contributions_rebuild_the_risk():
    """Oracle: brute force; risk = 1 - S0^exp(sum(terms) - mean)."""
    X = _random_patients(20, seed=1)
    terms = FraminghamScore().contributions(X)
    assert terms.columns.tolist() == ["age", "total_chol", "hdl", "sbp", "smoker", "diabetes"]
    s0 = np.where(X["sex"] == "M", TABLE["M"][7], TABLE["F"][7])
    mean = np.where(X["sex"] == "M", TABLE["M"][8], TABLE["F"][8])
    risk = 1 - s0 ** np.exp(terms.sum(axis=1).to_numpy() - mean)
    expected = [_brute_force(r) for _, r in X.iterrows()]
    np.testing.assert_allclose(risk, expected, atol=1e-12)
    b_age_women = TABLE["F"][0]
    assert terms.loc[0, "age"] == pytest.approx(
        (b_age_women if X.loc[0, "sex"] == "F" else TABLE["M"][0]) * math.log(X.loc[0, "age"])
    )


def test_mmol_per_litre_is_refused_with_the_conversion():
    X = WORKED.assign(total_chol=WORKED["total_chol"] / 38.67)
    with pytest.raises(ValueError, match=r"looks like mmol/L.*38\.67"):
        FraminghamScore().predict_risk(X)
    X = WORKED.assign(hdl=WORKED["hdl"] / 38.67)
    with pytest.raises(ValueError, match=r"hdl \(column 'hdl'\) looks like mmol/L"):
        FraminghamScore().predict_risk(X)


def test_declared_mmol_per_litre_gives_the_mg_dl_risk():
    """Oracle: the mg/dL prediction of the same patients (mg/dL = mmol/L x 38.67)."""
    X = _random_patients(30, seed=2)
    mmol = X.assign(total_chol=X["total_chol"] / 38.67, hdl=X["hdl"] / 38.67)
    np.testing.assert_allclose(
        FraminghamScore(units="mmol/L").predict_risk(mmol),
        FraminghamScore().predict_risk(X),
        rtol=1e-12,
    )
    with pytest.raises(ValueError, match="looks like mg/dL"):
        FraminghamScore(units="mmol/L").predict_risk(X)


def test_age_outside_derivation_range_warns_or_refuses():
    X = pd.concat([WORKED, WORKED], ignore_index=True)
    X.loc[[1, 3], "age"] = [25, 80]
    with pytest.warns(OutOfRangeWarning, match=r"2 row\(s\) have age outside 30-74.*\[1, 3\]"):
        FraminghamScore().predict_risk(X)
    with pytest.raises(ValueError, match=r"2 row\(s\) have age outside 30-74"):
        FraminghamScore(strict=True).predict_risk(X)


def test_input_mapping_and_derived_flags():
    """Oracle: the identity-named prediction of the same patients."""
    X = _random_patients(25, seed=3)
    renamed = pd.DataFrame(
        {
            "gender": np.where(X["sex"] == "M", "male", "female"),
            "AGE": X["age"],
            "TC": X["total_chol"],
            "HDL_C": X["hdl"],
            "SBP": X["sbp"],
            "antihypertensive": np.where(X["bp_treated"] == 1, "yes", "no"),
            "smoking": np.where(X["smoker"] == 1, "current", "never"),
            "hba1c": np.where(X["diabetes"] == 1, 7.5, 5.2),
        }
    )
    inputs = {
        "sex": {"column": "gender", "equals": "male"},
        "age": "AGE",
        "total_chol": "TC",
        "hdl": "HDL_C",
        "sbp": "SBP",
        "bp_treated": {"column": "antihypertensive", "equals": "yes"},
        "smoker": {"column": "smoking", "equals": "current"},
        "diabetes": {"column": "hba1c", "greater_than": 6.5},
    }
    np.testing.assert_allclose(
        FraminghamScore(inputs=inputs).predict_risk(renamed),
        FraminghamScore().predict_risk(X),
        rtol=1e-12,
    )


def test_fit_imputes_medians_and_modes():
    """Oracle: the prediction with the training median/mode filled in by hand."""
    X = _random_patients(41, seed=4)
    X.loc[0, "hdl"] = np.nan
    X.loc[1, "smoker"] = np.nan
    with pytest.raises(ValueError, match=r"missing Framingham inputs: hdl \(1 rows\)"):
        FraminghamScore().predict_risk(X)
    model = FraminghamScore().fit(X)
    filled = X.copy()
    filled.loc[0, "hdl"] = X["hdl"].median()
    filled.loc[1, "smoker"] = X["smoker"].mode().iloc[0]
    np.testing.assert_allclose(
        model.predict_risk(X), FraminghamScore().predict_risk(filled), rtol=1e-12
    )


def _cohort(n=3000, seed=5):
    """A middle-aged cohort with event times from a Cox model on the Framingham predictor."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n),
            "age": rng.normal(52, 6, n).clip(30, 74),
            "total_chol": rng.normal(210, 30, n),
            "hdl": rng.normal(50, 10, n).clip(25),
            "sbp": rng.normal(135, 12, n),
            "bp_treated": rng.random(n) < 0.3,
            "smoker": rng.random(n) < 0.2,
            "diabetes": rng.random(n) < 0.1,
        }
    )
    terms = FraminghamScore().contributions(X).sum(axis=1).to_numpy()
    mean = np.where(X["sex"] == "M", TABLE["M"][8], TABLE["F"][8])
    hazard = 0.02 / 365.25 * np.exp(terms - mean)
    time = rng.exponential(1 / hazard)
    censor = rng.uniform(200, 2500, n)
    return X, Outcome.survival(np.minimum(time, censor), time <= censor)


def test_recalibration_uses_kaplan_meier_and_cohort_means():
    """Oracles: lifelines KaplanMeierFitter per sex; the mean of the linear predictor.

    The mean recalibrated risk approximates the Kaplan-Meier risk only: S0 is put at
    the mean linear predictor, and the mean of 1 - S0^exp(lp - mean) exceeds
    1 - S0 by Jensen's inequality (here by about 15%).
    """
    horizon = 1004.0
    X, y = _cohort()
    model = FraminghamScore(recalibrate=True, horizon_days=horizon).fit(X, y.to_structured())
    linear = FraminghamScore().contributions(X).sum(axis=1).to_numpy()
    for sex in ("F", "M"):
        mask = (X["sex"] == sex).to_numpy()
        km = KaplanMeierFitter().fit(y.time[mask], y.event[mask])
        expected = km.survival_function_at_times(horizon).iloc[0]
        assert abs(model.baseline_survival_[sex] - expected) < 1e-12
        assert model.mean_linear_predictor_[sex] == pytest.approx(linear[mask].mean(), abs=1e-12)
    pooled = KaplanMeierFitter().fit(y.time, y.event).survival_function_at_times(horizon)
    observed = 1 - pooled.iloc[0]
    predicted = model.predict_risk(X).mean()
    assert abs(predicted - observed) < 0.25 * observed
    assert model.horizon_days_ == horizon
    # the recalibrated model is closer to the observed risk than the published one
    published = FraminghamScore().predict_risk(X).mean()
    assert abs(predicted - observed) < abs(published - observed)


def test_recalibration_with_a_binary_outcome():
    """Oracle: baseline survival = 1 - observed event rate in each sex."""
    X = _random_patients(200, seed=6)
    y = np.random.default_rng(6).random(200) < 0.1
    model = FraminghamScore(recalibrate=True).fit(X, y.astype(int))
    for sex in ("F", "M"):
        mask = (X["sex"] == sex).to_numpy()
        assert model.baseline_survival_[sex] == pytest.approx(1 - y[mask].mean(), abs=1e-12)


def test_recalibration_falls_back_to_pooled_baseline_for_a_sex_without_events():
    X = _random_patients(100, seed=7)
    y = ((X["sex"] == "F") & (np.arange(100) % 3 == 0)).to_numpy().astype(int)
    with pytest.warns(UserWarning, match="no training patients of sex M with an event"):
        model = FraminghamScore(recalibrate=True).fit(X, y)
    assert model.baseline_survival_["M"] == pytest.approx(1 - y.mean())
    with pytest.raises(ValueError, match="recalibration needs events"):
        FraminghamScore(recalibrate=True).fit(X, np.zeros(100, dtype=int))
    with pytest.raises(ValueError, match="recalibrate=True needs the outcome"):
        FraminghamScore(recalibrate=True).fit(X)


@pytest.mark.parametrize(
    ("inputs", "error", "match"),
    [
        ({"cholesterol": "tc"}, ValueError, r"unknown key\(s\) \['cholesterol'\]"),
        ({"smoker": {"column": "smoker"}}, ValueError, "exactly one of 'equals'"),
        ({"age": {"column": "age", "equals": 1}}, ValueError, "age is a measurement"),
        ({"age": 3}, TypeError, r"inputs\['age'\] must be a column name \(str\) or a dict"),
        ({"age": "AGE"}, ValueError, r"X lacks the column\(s\) \['AGE'\]"),
        ({"diabetes": {"column": "sex", "greater_than": 1}}, TypeError, "'greater_than' needs"),
    ],
    ids=[
        "unknown-key",
        "incomplete-dict",
        "derived-measurement",
        "bad-type",
        "absent-column",
        "greater-than-text",
    ],
)
def test_bad_input_mappings(inputs, error, match):
    with pytest.raises(error, match=match):
        FraminghamScore(inputs=inputs).predict_risk(WORKED)


@pytest.mark.parametrize(
    ("column", "values", "error", "match"),
    [
        ("sex", [1, 0], ValueError, "which value means male is ambiguous"),
        ("sex", ["F", "X"], ValueError, r"other than M/F.*\['X'\]"),
        ("smoker", ["yes", "no"], ValueError, "smoker .* must hold 0/1"),
        ("diabetes", [0, 2], ValueError, "diabetes .* must hold 0/1"),
        ("age", ["61", "53"], TypeError, r"age \(column 'age'\) must be numeric"),
        ("sbp", [124, 0], ValueError, "must be > 0"),
    ],
    ids=["numeric-sex", "unknown-sex", "text-flag", "flag-not-01", "text-age", "zero-sbp"],
)
def test_bad_input_values(column, values, error, match):
    X = WORKED.copy()
    X[column] = values
    with pytest.raises(error, match=match):
        FraminghamScore().predict_risk(X)


def test_sex_words_and_whole_missing_input():
    X = WORKED.assign(sex=[" female", "MALE"])
    np.testing.assert_allclose(
        FraminghamScore().predict_risk(X), FraminghamScore().predict_risk(WORKED)
    )
    with pytest.raises(ValueError, match=r"\['hdl'\] are missing for every patient"):
        FraminghamScore().fit(WORKED.assign(hdl=np.nan))
    with pytest.raises(ValueError, match="'units' parameter of FraminghamScore must be"):
        FraminghamScore(units="mmol").predict_risk(WORKED)
    with pytest.raises(TypeError, match="needs a pandas DataFrame"):
        FraminghamScore().predict_risk(WORKED.to_numpy())


def test_clone_and_horizon_argument_is_ignored():
    model = FraminghamScore(inputs={"age": "age"}, recalibrate=True, horizon_days=1004)
    assert clone(model).get_params() == model.get_params()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        risk = FraminghamScore().predict_risk(WORKED, horizon=1004)
    np.testing.assert_array_equal(risk, FraminghamScore().predict_risk(WORKED))
