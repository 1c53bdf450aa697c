"""Tests of riskml.models.CoxPH.

Oracles: R survival::coxph on the Rossi recidivism data; lifelines' CoxPHFitter
fitted directly; lifelines.utils.concordance_index.
"""

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.datasets import load_rossi
from lifelines.utils import concordance_index
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold

from riskml import Outcome
from riskml.models import CoxPH

COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


@pytest.fixture(scope="module")
def rossi():
    data = load_rossi()
    return data[COVARIATES], Outcome.survival(data["week"], data["arrest"]), data


@pytest.fixture(scope="module")
def fitted(rossi):
    X, y, _ = rossi
    return CoxPH().fit(X, y.to_structured())


@pytest.fixture(scope="module")
def oracle(rossi):
    _, _, data = rossi
    return CoxPHFitter(baseline_estimation_method="breslow").fit(data, "week", "arrest")


def test_coefficients_and_standard_errors_match_r(fitted):
    """Oracle: R 4.x, survival package, Efron ties (R's default)::

        library(carData)  # Rossi
        fit <- survival::coxph(
            Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = Rossi
        )
        summary(fit)$coefficients[, c("coef", "se(coef)")]

    Published output (5 decimals); tolerance 1e-4.
    """
    r_coef = [-0.37942, -0.05744, 0.31390, -0.14980, -0.43370, -0.08487, 0.09150]
    r_se = [0.19138, 0.02200, 0.30799, 0.21222, 0.38187, 0.19576, 0.02865]
    summary = fitted.summary
    assert summary.index.tolist() == COVARIATES
    np.testing.assert_allclose(summary["coef"], r_coef, atol=1e-4, rtol=0)
    np.testing.assert_allclose(summary["se"], r_se, atol=1e-4, rtol=0)
    np.testing.assert_allclose(summary["hazard_ratio"], np.exp(summary["coef"]), rtol=1e-12)
    assert (summary["hr_low"] < summary["hazard_ratio"]).all()
    assert (summary["hazard_ratio"] < summary["hr_high"]).all()


def test_linear_predictor_orders_like_lifelines_partial_hazard(fitted, oracle, rossi):
    """Oracle: lifelines predict_partial_hazard (higher = higher risk)."""
    X, _, _ = rossi
    risk = fitted.predict_risk(X)
    hazard = oracle.predict_partial_hazard(X).to_numpy()
    np.testing.assert_array_equal(rankdata(risk), rankdata(hazard))
    np.testing.assert_allclose(risk, np.log(hazard), atol=1e-10)


@pytest.mark.parametrize("horizon", [10.0, 26.5, 52.0], ids=["10w", "26.5w", "52w"])
def test_horizon_risk_is_one_minus_lifelines_survival(fitted, oracle, rossi, horizon):
    """Oracle: 1 - lifelines predict_survival_function at the horizon (Breslow)."""
    X, _, _ = rossi
    survival = oracle.predict_survival_function(X, times=[horizon]).to_numpy()[0]
    np.testing.assert_allclose(fitted.predict_risk(X, horizon=horizon), 1 - survival, atol=1e-10)


def test_score_is_harrells_c_with_the_risk_direction_converted(fitted, rossi):
    """Oracle: lifelines concordance_index with -partial hazard (its survival direction)."""
    X, y, data = rossi
    expected = concordance_index(data["week"], -fitted.predict_risk(X), data["arrest"])
    assert fitted.score(X, y) == pytest.approx(expected, abs=1e-12)
    assert fitted.score(X, y) > 0.6


def test_strata_and_penalizer_match_lifelines(rossi):
    """Oracle: lifelines CoxPHFitter with the same strata and penalty."""
    X, y, data = rossi
    model = CoxPH(penalizer=0.1, l1_ratio=0.0, strata=["race"]).fit(X, y)
    direct = CoxPHFitter(penalizer=0.1, strata=["race"], baseline_estimation_method="breslow")
    direct.fit(data, "week", "arrest")
    np.testing.assert_allclose(model.coef_, direct.params_, atol=1e-10)
    expected = 1 - direct.predict_survival_function(X, times=[30.0]).to_numpy()[0]
    np.testing.assert_allclose(model.predict_risk(X, horizon=30.0), expected, atol=1e-10)


def test_grid_search_and_clone(rossi):
    """Oracle: sklearn GridSearchCV/clone conventions (params round-trip; best in grid)."""
    X, y, _ = rossi
    search = GridSearchCV(
        CoxPH(), {"penalizer": [0.0, 0.1]}, cv=KFold(3, shuffle=True, random_state=0)
    )
    search.fit(X, y.to_structured())
    assert search.best_params_["penalizer"] in (0.0, 0.1)
    assert 0.5 < search.best_score_ < 1.0
    model = CoxPH(penalizer=0.5, strata="race")
    assert clone(model).get_params() == model.get_params()


def test_errors(rossi, fitted):
    X, y, _ = rossi
    with pytest.raises(ValueError, match="needs a time-to-event outcome"):
        CoxPH().fit(X, y.event.astype(int))
    with pytest.raises(TypeError, match=r"CoxPH needs numeric columns; \['fin'\]"):
        CoxPH().fit(X.assign(fin=np.where(X["fin"] == 1, "yes", "no")), y)
    with pytest.raises(ValueError, match=r"strata names column\(s\) \['site'\]"):
        CoxPH(strata="site").fit(X, y)
    with pytest.raises(ValueError, match="'ties' parameter of CoxPH must be"):
        CoxPH(ties="breslow").fit(X, y)
    with pytest.raises(ValueError, match="horizon must be a positive number of days"):
        fitted.predict_risk(X, horizon=0)
    with pytest.raises(ValueError, match=r"X lacks 1 column\(s\).*\['prio'\]"):
        fitted.predict_risk(X.drop(columns="prio"))
    with pytest.raises(ValueError, match="X has 3 columns but CoxPH was fitted with 7"):
        fitted.predict_risk(np.zeros((2, 3)))


def test_array_input_and_column_order(fitted, rossi):
    """Oracle: the DataFrame prediction (columns are matched by name, arrays by position)."""
    X, _, _ = rossi
    expected = fitted.predict_risk(X)
    np.testing.assert_allclose(fitted.predict_risk(X[X.columns[::-1]]), expected)
    np.testing.assert_allclose(fitted.predict_risk(X.to_numpy()), expected)
    assert isinstance(fitted.lifelines_, CoxPHFitter)
    assert isinstance(fitted.summary, pd.DataFrame)
