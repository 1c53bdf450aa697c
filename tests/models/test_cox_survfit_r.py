"""CoxPH horizon risks and monotone likelihood against R's survival package.

Oracle: R 4.2.2, survival 3.5.3: ``coxph`` (Efron ties) and ``survfit.coxph(fit,
newdata)`` run by ``tests/data/cox_survfit.R`` on the Rossi data (lifelines' copy);
its outputs are ``tests/data/cox_survfit.csv`` (every third patient's risk at weeks 8,
20, 29, 52 and 60) and ``tests/data/cox_survfit_coef.csv``.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.datasets import load_rossi

from riskml import Outcome
from riskml.models import CoxPH, ModelFitWarning
from riskml.models.cox import SEPARATION_RIDGE, monotone_likelihood_issue

DATA = Path(__file__).resolve().parents[1] / "data"
COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
HORIZONS = [8.0, 20.0, 29.0, 52.0, 60.0]


@pytest.fixture(scope="module")
def rossi():
    data = load_rossi()
    return data, Outcome.survival(data["week"], data["arrest"])


@pytest.fixture(scope="module")
def r_risks():
    return pd.read_csv(DATA / "cox_survfit.csv")


@pytest.fixture(scope="module")
def r_coef():
    return pd.read_csv(DATA / "cox_survfit_coef.csv", keep_default_na=False)


def _r(r_risks, model, ctype):
    rows = r_risks[(r_risks["model"] == model) & (r_risks["ctype"] == ctype)]
    return rows["row"].to_numpy(), rows[[f"h{h:g}" for h in HORIZONS]].to_numpy()


@pytest.mark.parametrize(
    ("label", "options", "ctype"),
    [
        ("plain", {}, "default"),
        ("plain", {"baseline_ties": "breslow"}, "1"),
        ("strata_wexp", {"strata": "wexp"}, "default"),
    ],
    ids=["efron-default", "breslow-ctype1", "strata"],
)
def test_horizon_risk_equals_r_survfit(rossi, r_risks, r_coef, label, options, ctype):
    """Oracle: ``1 - summary(survfit(fit, newdata = d[, ctype = 1]), times = c(8, 20, 29,
    52, 60), extend = TRUE)$surv``, to 1e-7 (the coefficients of lifelines' and R's fits
    agree to ~4e-9, which moves the risks by up to ~1e-8).

    Weeks 8 and 20 have five tied arrests each and week 52 four arrests tied with 318
    censorings (an event exactly at the horizon counts); week 29 lies between arrests
    at 28 and 30 (no interpolation); week 60 is past the last time (last value kept).
    R's default after an Efron fit is ctype = 2 (Efron's correction), riskml's
    ``baseline_ties="efron"``; ``"breslow"`` is ctype = 1. With strata(wexp) each man
    gets his stratum's baseline.
    """
    data, y = rossi
    model = CoxPH(**options).fit(data[COVARIATES], y)
    expected_coef = r_coef[r_coef["model"] == label].set_index("term")["coef"].astype(float)
    np.testing.assert_allclose(model.coef_[expected_coef.index], expected_coef, atol=1e-7)
    rows, expected = _r(r_risks, label, ctype)
    got = np.column_stack([model.predict_risk(data[COVARIATES], h)[rows] for h in HORIZONS])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-7)
    assert model.fit_issues_ == []


def test_efron_and_breslow_differ_only_at_ties(rossi, r_risks):
    """Oracle: R's ctype 1 vs 2 (the two columns of the CSV): equal before the first
    tied week (weeks 1-7 have one arrest each), Efron's higher from week 8 on (five tied
    arrests); riskml's two conventions behave the same way."""
    data, y = rossi
    efron = CoxPH().fit(data[COVARIATES], y)
    breslow = CoxPH(baseline_ties="breslow").fit(data[COVARIATES], y)
    np.testing.assert_allclose(
        efron.predict_risk(data[COVARIATES], 7.0),
        breslow.predict_risk(data[COVARIATES], 7.0),
        atol=1e-14,
    )
    rows, r_efron = _r(r_risks, "plain", "default")
    _, r_breslow = _r(r_risks, "plain", "1")
    assert np.all(r_efron[:, 0] > r_breslow[:, 0])  # week 8: five tied arrests
    assert np.all(
        efron.predict_risk(data[COVARIATES], 8.0) > breslow.predict_risk(data[COVARIATES], 8.0)
    )


def test_riskml_steps_where_lifelines_interpolates(rossi, r_risks):
    """Oracles: R's survfit (a step function) and lifelines' own
    ``predict_survival_function(times=[29])``, which interpolates linearly between the
    arrests at weeks 28 and 30: it is more than 1e-4 from R's ctype-1 risk, where
    riskml's ``baseline_ties="breslow"`` (lifelines' Breslow form) is within 1e-7."""
    data, y = rossi
    rows, r_breslow = _r(r_risks, "plain", "1")
    lifelines = CoxPHFitter(baseline_estimation_method="breslow").fit(
        data[[*COVARIATES, "week", "arrest"]], "week", "arrest"
    )
    interpolated = 1 - lifelines.predict_survival_function(data[COVARIATES], times=[29.0])
    interpolated = interpolated.to_numpy()[0][rows]
    assert np.max(np.abs(interpolated - r_breslow[:, 2])) > 1e-4
    model = CoxPH(baseline_ties="breslow").fit(data[COVARIATES], y)
    np.testing.assert_allclose(
        model.predict_risk(data[COVARIATES], 29.0)[rows], r_breslow[:, 2], atol=1e-7
    )
    # at a stored event week lifelines' value is the step function's (no interpolation)
    exact = 1 - lifelines.predict_survival_function(data[COVARIATES], times=[30.0])
    np.testing.assert_allclose(
        model.predict_risk(data[COVARIATES], 30.0), exact.to_numpy()[0], atol=1e-10
    )


def test_baseline_cumulative_hazard_is_the_step_function(rossi, r_risks):
    """Oracle: R's risks through ``1 - exp(-H0(t) exp(lp))`` with riskml's H0 and lp;
    H0 is flat between the arrests at weeks 28 and 30 and jumps at 30."""
    data, y = rossi
    model = CoxPH().fit(data[COVARIATES], y)
    lp = model.predict_risk(data[COVARIATES])
    rows, expected = _r(r_risks, "plain", "default")
    for k, horizon in enumerate(HORIZONS):
        h0 = model.baseline_cumulative_hazard_at(horizon)
        np.testing.assert_allclose(-np.expm1(-h0 * np.exp(lp[rows])), expected[:, k], atol=1e-7)
    assert model.baseline_cumulative_hazard_at(28.0) == model.baseline_cumulative_hazard_at(29.99)
    assert model.baseline_cumulative_hazard_at(30.0) > model.baseline_cumulative_hazard_at(29.99)
    assert model.baseline_cumulative_hazard_at(0.5) == 0.0


def test_monotone_likelihood_is_refitted_with_the_ridge_and_said(rossi, r_coef, capsys):
    """Oracles: R's coxph on rossi + prio9 (the five men with nine prior convictions,
    none arrested) warns "Loglik converged before variable 8; coefficient may be
    infinite" (prio9 = -16.4); lifelines' CoxPHFitter(penalizer=0.001) fitted directly
    gives the refit's coefficients (1e-8)."""
    data, y = rossi
    said = r_coef.loc[r_coef["model"] == "prio9", "warning"].iloc[0]
    assert "Loglik converged before variable  8 ; coefficient may be infinite" in said
    X = data[COVARIATES].assign(prio9=(data["prio"] == 9).astype(float))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = CoxPH().fit(X, y)
    raised = [str(w.message) for w in caught if issubclass(w.category, ModelFitWarning)]
    assert model.fit_issues_ == [monotone_likelihood_issue(["prio9"])] == raised
    assert "‘prio9’" in raised[0] and "‘prio’" not in raised[0]
    assert model.penalizer_used_ == SEPARATION_RIDGE == 0.001 and model.penalizer == 0.0
    oracle = CoxPHFitter(penalizer=SEPARATION_RIDGE).fit(
        X.assign(week=data["week"], arrest=data["arrest"]), "week", "arrest"
    )
    np.testing.assert_allclose(model.coef_, oracle.params_, atol=1e-8)
    r_prio9 = float(r_coef.query("model == 'prio9' and term == 'prio9'")["coef"].iloc[0])
    assert r_prio9 < -16.0 < model.coef_["prio9"]  # R's diverging estimate; the ridge's
    assert "ridge refit (penalizer=0.001)" in model.summary.attrs["caveat"]
    assert model.summary.attrs["fit_issues"] == model.fit_issues_
    model.print_summary()
    printed = capsys.readouterr().out
    assert "ridge-penalised (penalizer=0.001) instead of the unpenalised fit" in printed
    assert f"Fit issue: {raised[0]}" in printed


def test_clean_fits_raise_nothing(rossi):
    """Oracle: R's coxph on rossi, with and without strata(wexp), warns nothing."""
    data, y = rossi
    for options in ({}, {"strata": "wexp"}, {"penalizer": 0.1}):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = CoxPH(**options).fit(data[COVARIATES], y)
        assert model.fit_issues_ == []
        assert not [w for w in caught if issubclass(w.category, ModelFitWarning)]


def test_efron_score_equals_finite_differences_of_the_partial_likelihood():
    """Oracle (fast equals slow): central differences of Efron's partial log-likelihood
    written out event time by event time, on integer times with many ties."""
    from riskml.models._breslow import efron_score

    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, 3))
    time = np.ceil(rng.exponential(5, 80))
    event = rng.random(80) < 0.7
    beta = np.array([0.3, -0.5, 0.1])

    def loglik(b):
        eta = X @ b
        total = 0.0
        for t in np.unique(time[event]):
            dying, at_risk = event & (time == t), time >= t
            d = dying.sum()
            total += eta[dying].sum()
            shares = np.arange(d) / d
            risk = np.exp(eta)
            total -= np.log(risk[at_risk].sum() - shares * risk[dying].sum()).sum()
        return total

    h = 1e-6
    numeric = [(loglik(beta + h * e) - loglik(beta - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(efron_score(time, event, X, beta), numeric, atol=1e-6)
