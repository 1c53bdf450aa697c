"""Restricted cubic splines in LogisticRisk and CoxPH against R's rms.

Oracle: R 4.2.2, rms 6.5.0, Hmisc 4.8.0 and survival 3.5-3, run by
``tests/data/splines_rms.R`` on the bundled heart-failure clinical records:
``lrm(DEATH_EVENT ~ rcs(age, 4) + rcs(ejection_fraction, 3) + rcs(serum_creatinine, 5) +
sex)``, the same ``cph(Surv(time, DEATH_EVENT) ~ ...)`` (Efron ties), ``rcs(age)`` with
rms's default 5 knots, ``rcs(age, c(45, 60, 75))`` with given knots; both fitted to
convergence (lrm ``eps = 1e-12``, cph ``eps = 1e-10``). The likelihood-ratio tests of
non-linearity are ``rms::lrtest(fit without the non-linear terms, fit)`` (what
``anova(fit, test = "LR")`` computes in later rms versions), the partial effects
``rms::Predict(fit, age)`` with ``datadist()`` of the data. Knots:
``Hmisc::rcspline.eval(x, nk = k, knots.only = TRUE)``. Outputs:
``tests/data/splines_rms_*.csv``.
"""

import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from riskml import Outcome
from riskml.features import RestrictedCubicSpline, rcs_basis, rcs_knots
from riskml.models import CoxPH, LogisticRisk

matplotlib.use("Agg")

DATA = Path(__file__).resolve().parents[1] / "data"
HEART = (
    Path(__file__).resolve().parents[2]
    / "riskml/cohorts/datasets/heart_failure_clinical_records_dataset.csv"
)
THREE = {"age": 4, "ejection_fraction": 3, "serum_creatinine": 5}
#: case of splines_rms.R -> (columns of X in the formula's order, splines=)
CASES = {
    "lrm4": (["age", "ejection_fraction", "serum_creatinine", "sex"], THREE),
    "cph4": (["age", "ejection_fraction", "serum_creatinine", "sex"], THREE),
    "lrm5": (["age", "ejection_fraction"], ["age"]),
    "cph5": (["age", "ejection_fraction"], "age"),
    "lrmk": (["age", "ejection_fraction"], {"age": [45, 60, 75]}),
}


@pytest.fixture(scope="module")
def heart():
    return pd.read_csv(HEART)


@pytest.fixture(scope="module")
def r_output():
    return {
        part: pd.read_csv(DATA / f"splines_rms_{part}.csv")
        for part in ("coef", "fit", "lr", "predict", "knots", "knot_inputs")
    }


@pytest.fixture(scope="module")
def fits(heart):
    fitted = {}
    for case, (columns, splines) in CASES.items():
        X = heart[columns]
        if case.startswith("lrm"):
            fitted[case] = LogisticRisk(splines=splines).fit(X, heart["DEATH_EVENT"])
        else:
            y = Outcome.survival(heart["time"], heart["DEATH_EVENT"])
            fitted[case] = CoxPH(splines=splines).fit(X, y)
    return fitted


def _rows(table, case):
    return table[table["case"] == case].reset_index(drop=True)


@pytest.mark.parametrize("case", list(CASES))
def test_coefficients_equal_rms(fits, r_output, case):
    """Coefficients (rms's term names and order) to 1e-6; Wald standard errors to 1e-6
    relatively for Cox, 1e-4 for the logistic model, whose standard errors are glm's
    (the information at the weights of the last IRLS iteration, 3e-5 from lrm's
    information at the estimate on these data)."""
    model = fits[case]
    expected = _rows(r_output["coef"], case)
    if case.startswith("lrm"):
        terms = ["Intercept", *model.coef_.index]
        coef = np.r_[model.intercept_, model.coef_.to_numpy()]
    else:
        terms, coef = list(model.coef_.index), model.coef_.to_numpy()
    assert terms == expected["term"].tolist()
    np.testing.assert_allclose(coef, expected["estimate"], rtol=1e-6, atol=1e-6)
    se_tolerance = 1e-4 if case.startswith("lrm") else 1e-6
    np.testing.assert_allclose(model.summary["se"], expected["se"], rtol=se_tolerance)


@pytest.mark.parametrize("case", list(CASES))
def test_nonlinearity_lr_tests_equal_rms(fits, r_output, case):
    """LR chi-square, df, p and both log-likelihoods equal rms::lrtest to 1e-6."""
    table = fits[case].nonlinearity_test()
    expected = _rows(r_output["lr"], case).set_index("variable")
    assert table.index.tolist() == expected.index.tolist()
    np.testing.assert_allclose(table["chi2"], expected["chi2"], rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(table["df"], expected["df"])
    np.testing.assert_allclose(table["p"], expected["p"], rtol=1e-6)
    np.testing.assert_allclose(
        table["loglik_reduced"], expected["loglik_reduced"], rtol=1e-9, atol=1e-6
    )
    loglik = _rows(r_output["fit"], case)["loglik"].iloc[0]
    assert table.attrs["loglik"] == pytest.approx(loglik, abs=1e-6)


@pytest.mark.parametrize("case", ["lrm4", "cph4", "lrm5", "cph5"])
def test_knots_of_the_fit_equal_hmisc(fits, r_output, case):
    """The knots learned in fit are rcs()'s (Hmisc::rcspline.eval on the column), 1e-12."""
    knots = r_output["knots"]
    _, splines = CASES[case]
    counts = splines if isinstance(splines, dict) else dict.fromkeys(np.atleast_1d(splines), 5)
    for column, nk in counts.items():
        rows = knots[(knots["vector"] == column) & (knots["nk"] == nk)].sort_values("knot")
        learned = fits[case].splines_.knots_[column]
        np.testing.assert_allclose(learned, rows["value"], rtol=1e-12, err_msg=column)


@pytest.mark.parametrize("case", list(CASES))
def test_partial_effect_equals_rms_predict(fits, r_output, case):
    """rms::Predict(fit, age): the 200 ages, the log odds / log relative hazard with the
    others at datadist's "Adjust to" values (1e-6), and the half-width of its 95% limits
    (relatively 1e-6 for Cox, 1e-4 for the logistic model's glm standard errors)."""
    table = fits[case].partial_effect("age")
    expected = _rows(r_output["predict"], case)
    np.testing.assert_allclose(table["age"], expected["x"], rtol=1e-12)
    np.testing.assert_allclose(table["effect"], expected["yhat"], atol=1e-6)
    tolerance = 1e-4 if case.startswith("lrm") else 1e-6
    for side in ("lower", "upper"):
        np.testing.assert_allclose(
            np.abs(table[side] - table["effect"]),
            np.abs(expected[side] - expected["yhat"]),
            rtol=tolerance,
        )


def _knot_input(heart, inputs, vector):
    if vector in set(inputs["vector"]):
        return inputs.loc[inputs["vector"] == vector, "value"].to_numpy()
    if vector.endswith("_first80"):
        return heart[vector.removesuffix("_first80")].to_numpy()[:80]
    return heart[vector].to_numpy()


def test_rcs_knots_equal_hmisc(heart, r_output):
    """Hmisc::rcspline.eval's default knots for 3 to 7 knots on 17 vectors (heart-failure
    columns, their first 80 values, tied extremes, few distinct values), to 1e-12."""
    knots = r_output["knots"]
    checked = 0
    for (vector, nk), rows in knots.groupby(["vector", "nk"]):
        x = _knot_input(heart, r_output["knot_inputs"], vector)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = rcs_knots(x, int(nk))
        np.testing.assert_allclose(
            got, rows.sort_values("knot")["value"], rtol=1e-12, err_msg=f"{vector}, nk={nk}"
        )
        checked += 1
    assert checked == 85


def test_transformer_basis_equals_the_fitted_rms_design(heart, fits):
    """The terms the spline step makes reproduce the model's fitted log odds, which equal
    R's (the coefficients above); and rcs_basis is the transformer's basis."""
    X = heart[["age", "ejection_fraction"]]
    spline = RestrictedCubicSpline(columns="age", n_knots=5).fit(X)
    terms = spline.transform(X)
    assert list(terms.columns) == ["age", "age'", "age''", "age'''", "ejection_fraction"]
    np.testing.assert_array_equal(
        terms[["age", "age'", "age''", "age'''"]].to_numpy(),
        rcs_basis(X["age"], spline.knots_["age"]),
    )
    model = fits["lrm5"]
    log_odds = terms.to_numpy() @ model.coef_.to_numpy() + model.intercept_
    risk = model.predict_risk(X)
    np.testing.assert_allclose(1 / (1 + np.exp(-log_odds)), risk, rtol=1e-12)
