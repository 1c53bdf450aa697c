"""Constant and collinear covariates in the competing-risk models are left out of the fit,
as R's coxph does (NA coefficients), instead of failing the whole Study.

Oracle: the same model fitted without those columns (which is what R's coxph and
finegray + coxph fit); coefficients, standard errors and predicted incidences must equal
it to 1e-12, the left-out columns get coefficient 0 and standard error NaN.
"""

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.models import CauseSpecificCox, FineGray


@pytest.fixture(scope="module")
def data():
    cohort = rk.cohorts.make_hf_registry(600, random_state=1, competing_death="competing")
    X = cohort.features[["age", "lvef_pct", "creatinine", "bun"]].astype(float).copy()
    X = X.fillna(X.median())
    wider = X.assign(constant=1.0, twice_age=2.0 * X["age"] + 1.0)
    return X, wider, cohort.outcome


@pytest.mark.parametrize("model", [FineGray, CauseSpecificCox])
def test_left_out_columns_leave_the_fit_of_the_others_unchanged(data, model):
    X, wider, y = data
    plain, padded = model().fit(X, y), model().fit(wider, y)
    assert padded.aliased_ == ["constant", "twice_age"] and plain.aliased_ == []
    coef = padded.coef_
    np.testing.assert_allclose(
        np.asarray(coef.loc[X.columns], dtype=float),
        np.asarray(plain.coef_, dtype=float),
        rtol=0,
        atol=1e-12,
    )
    assert np.all(np.asarray(coef.loc[["constant", "twice_age"]]) == 0.0)
    np.testing.assert_allclose(
        padded.predict_risk(wider, 30), plain.predict_risk(X, 30), rtol=0, atol=1e-12
    )


def test_fine_gray_summary_marks_the_left_out_columns(data, capsys):
    X, wider, y = data
    model = FineGray().fit(wider, y)
    summary = model.summary
    assert np.isnan(summary.loc["constant", "se"]) and np.isfinite(summary.loc["age", "se"])
    np.testing.assert_allclose(
        summary.loc[X.columns, "se"], FineGray().fit(X, y).summary["se"], rtol=1e-12
    )
    model.print_summary()
    assert "Not estimable" in capsys.readouterr().out


def test_every_covariate_constant_is_refused(data):
    _, _, y = data
    with pytest.raises(ValueError, match="no coefficient is estimable"):
        FineGray().fit(pd.DataFrame({"c": np.ones(len(y))}), y)
