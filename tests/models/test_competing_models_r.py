"""Competing-risk estimators equal R (issue 27).

Oracles (tests/data/competing_risks.R; R 4.2.2), on riskRegression's Melanoma (205
patients, melanoma death vs other death) and survival's mgus2 (1338 complete cases,
PCM vs death, whole months with many ties):

- CauseSpecificCox: riskRegression 2022.11.28 ``predictRisk(CSC(Hist(time, status) ~ ...),
  newdata, times, cause, product.limit = TRUE/FALSE)`` and ``coef``/``vcov`` of its
  ``coxph`` fits;
- FineGray: cmprsk 2.2-11 ``crr(time, status, cov1 = X, failcode = 1, cencode = 0,
  gtol, maxiter = 50)`` coefficients, ``sqrt(diag(var))``, ``loglik``, ``loglik.null``,
  and ``predict.crr`` read at the horizons (default ``gtol = 1e-6``);
- AalenJohansen: prodlim's cumulative incidence (competing_aalen_johansen.csv).

Tolerance 1e-9 (the CSVs hold 12 significant digits or more); the issue asks for 1e-6.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskml import Outcome
from riskml.models import AalenJohansen, CauseSpecificCox, FineGray, ModelFitWarning

DATA = Path(__file__).parents[1] / "data"
COVARIATES = {
    "melanoma": ["age", "sex", "logthick", "ulcer"],
    "mgus2": ["age", "sex", "hgb", "creat", "mspike"],
}
PREDICTIONS = pd.read_csv(DATA / "competing_predictions.csv")


def _data(name):
    data = pd.read_csv(DATA / f"competing_{name}.csv")
    return data[COVARIATES[name]], Outcome.competing(data.time, data.status)


@pytest.fixture(scope="module", params=["melanoma", "mgus2"])
def fitted(request):
    name = request.param
    X, y = _data(name)
    return name, X, y, CauseSpecificCox().fit(X, y), FineGray().fit(X, y)


def _rows(name):
    table = PREDICTIONS[PREDICTIONS.dataset == name]
    return table, table.horizon.unique()


def test_cause_specific_absolute_risk_equals_riskregression(fitted):
    name, X, y, model, _ = fitted
    exponential = CauseSpecificCox(product_limit="exponential").fit(X, y)
    table, horizons = _rows(name)
    for horizon in horizons:
        oracle = table[table.horizon == horizon]
        rows = X.iloc[oracle.row.to_numpy()]
        np.testing.assert_allclose(model.predict_risk(rows, horizon), oracle.csc1, atol=1e-9)
        np.testing.assert_allclose(
            exponential.predict_risk(rows, horizon), oracle.csc1_exp, atol=1e-9
        )
        np.testing.assert_allclose(
            model.predict_cumulative_incidence(rows, horizon, cause=2), oracle.csc2, atol=1e-9
        )


def test_cause_specific_coefficients_equal_coxph(fitted):
    name, _, _, model, _ = fitted
    oracle = pd.read_csv(DATA / "competing_csc_coef.csv")
    summary = model.summary
    for cause in (1, 2):
        expected = oracle[(oracle.dataset == name) & (oracle.cause == cause)]
        np.testing.assert_allclose(model.coef_[cause], expected.coef, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(summary.loc[cause, "se"], expected.se, rtol=1e-8)


@pytest.mark.parametrize("gtol", [1e-6, 1e-12])
def test_fine_gray_equals_crr(fitted, gtol):
    name, X, y, _, _ = fitted
    model = FineGray(gtol=gtol, max_iter=50).fit(X, y)
    oracle = pd.read_csv(DATA / "competing_fine_gray_coef.csv")
    oracle = oracle[(oracle.dataset == name) & (oracle.gtol == gtol)]
    assert list(model.coef_.index) == oracle.term.tolist()
    np.testing.assert_allclose(model.coef_, oracle.coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.se_, oracle.se, rtol=1e-9)
    assert model.loglik_ == pytest.approx(oracle.loglik.iloc[0], rel=1e-12)
    assert model.loglik_null_ == pytest.approx(oracle.loglik_null.iloc[0], rel=1e-12)
    assert model.converged_


def test_fine_gray_predicted_incidence_equals_predict_crr(fitted):
    name, X, _, _, model = fitted
    table, horizons = _rows(name)
    for horizon in horizons:
        oracle = table[table.horizon == horizon]
        rows = X.iloc[oracle.row.to_numpy()]
        np.testing.assert_allclose(model.predict_risk(rows, horizon), oracle.fine_gray, atol=1e-9)


def test_aalen_johansen_estimator_is_the_cohort_incidence():
    X, y = _data("melanoma")
    model = AalenJohansen().fit(X, y)
    oracle = pd.read_csv(DATA / "competing_aalen_johansen.csv")
    for cause in (1, 2):
        row = oracle[(oracle.dataset == "melanoma") & (oracle.cause == cause)]
        row = row[row.time == 1826.25].iloc[0]
        risk = model.predict_risk(X.iloc[:3], 1826.25, cause=cause)
        np.testing.assert_allclose(risk, row.prodlim, atol=1e-9)
    with pytest.raises(ValueError, match="needs a horizon"):
        model.predict_risk(X)
    with pytest.raises(ValueError, match="cause must be one of"):
        model.predict_risk(X, 100, cause=3)


def test_higher_risk_ranks_higher_and_summaries_print(fitted):
    name, X, _, csc, fine_gray = fitted
    # predict_risk without a horizon is the linear predictor, monotone in the incidence
    lp, risk = fine_gray.predict_risk(X), fine_gray.predict_risk(X, 60)
    assert np.all(np.diff(risk[np.argsort(lp)]) >= -1e-15)
    np.testing.assert_allclose(csc.predict(X), csc.predict_risk(X))
    for model, words in ((csc, "Cause-specific Cox"), (fine_gray, "Fine-Gray")):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            model.print_summary()
        assert words in buffer.getvalue() and COVARIATES[name][0] in buffer.getvalue()
    assert set(fine_gray.summary.columns) >= {"coef", "se", "hazard_ratio", "p"}


def test_fine_gray_not_converged_is_said():
    X, y = _data("melanoma")
    with pytest.warns(ModelFitWarning, match="did not converge"):
        model = FineGray(max_iter=1).fit(X, y)
    assert not model.converged_ and model.fit_issues_


def test_survival_outcome_is_competing_risk_free():
    """Oracle: the product-limit identity. Without competing events the absolute risk
    ``sum_s prod_{u<s} (1 - dH(u)) dH(s)`` telescopes to ``1 - prod_{s<=t} (1 - dH(s))``."""
    X, y = _data("melanoma")
    survival = Outcome.survival(y.time, y.event)
    csc = CauseSpecificCox().fit(X, survival)
    assert csc.event_types_ == [1]
    baseline = csc.baselines_[1]
    jumps = np.diff(np.r_[0.0, baseline.cumulative_hazard[baseline.times <= 1826.25]])
    relative = np.exp(csc.predict_risk(X) - baseline.offset)
    expected = 1.0 - np.prod(1.0 - relative[:, None] * jumps[None, :], axis=1)
    np.testing.assert_allclose(csc.predict_risk(X, 1826.25), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("model", "X", "y", "match"),
    [
        (FineGray(), pd.DataFrame({"x": [1.0, 1.0, 1.0]}), ([1, 2, 3], [1, 0, 2]), "constant"),
        (CauseSpecificCox(), pd.DataFrame({"x": [1.0, 1.0]}), ([1, 2], [1, 0]), "constant"),
        (FineGray(), pd.DataFrame({"x": [1.0, 2.0]}), ([1, 2], [2, 0]), "no event of interest"),
        (FineGray(), pd.DataFrame({"x": [1.0, 2.0]}), ([1, 2, 3], [1, 0, 0]), "one row per"),
    ],
)
def test_bad_inputs_are_refused(model, X, y, match):
    with pytest.raises(ValueError, match=match):
        model.fit(X, Outcome.competing(*y))


def test_bad_horizon_is_refused(fitted):
    _, X, _, csc, fine_gray = fitted
    for model in (csc, fine_gray):
        with pytest.raises(ValueError, match="positive number of days"):
            model.predict_risk(X, -1)
        with pytest.warns(UserWarning, match="beyond the longest follow-up"):
            model.predict_risk(X.iloc[:2], 1e6)
    with pytest.raises(ValueError, match="cause must be one of"):
        csc.predict_cumulative_incidence(X, 10, cause=5)


def test_docstring_examples_run():
    import doctest

    from riskml.models import _competing, _fine_gray

    for module in (_competing, _fine_gray):
        result = doctest.testmod(module, raise_on_error=False)
        assert result.attempted > 0 and result.failed == 0
