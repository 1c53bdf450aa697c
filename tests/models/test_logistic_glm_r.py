"""LogisticRisk's unpenalised fit against R's glm(family = binomial).

Oracle: R 4.2.2 ``glm`` (``glm.fit``, ``glm.control()`` defaults) and ``pROC::auc``,
run by ``tests/data/logistic_glm.R`` on the Rossi data (lifelines) and the Wisconsin
breast cancer data (scikit-learn); its outputs are ``tests/data/logistic_glm_*.csv``.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from riskml.models import LogisticRisk, ModelFitWarning
from riskml.models._glm import BOUNDARY_ISSUE, not_converged_issue, separation_issue

DATA = Path(__file__).resolve().parents[1] / "data"
ROSSI = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
CANCER4 = ["mean_radius", "mean_texture", "mean_smoothness", "mean_concave_points"]


@pytest.fixture(scope="module")
def r_output():
    coef = pd.read_csv(DATA / "logistic_glm_coef.csv")
    fit = pd.read_csv(DATA / "logistic_glm_fit.csv", keep_default_na=False).set_index("case")
    fitted = pd.read_csv(DATA / "logistic_glm_fitted.csv")
    return coef, fit, fitted


def _case(name):
    """(X, y, LogisticRisk) of a case of logistic_glm.R."""
    from lifelines.datasets import load_rossi
    from sklearn.datasets import load_breast_cancer

    rossi = load_rossi()
    rossi["fin_no"] = 1.0 - rossi["fin"]
    rossi["prio9"] = (rossi["prio"] == 9).astype(float)
    if name == "boundary":
        X = pd.DataFrame({"x": [-4.0, -3, -2, -1, 0, 1, 2, 3, 4, 60]})
        return X, np.array([0, 0, 1, 0, 1, 0, 1, 1, 1, 1]), LogisticRisk()
    if name.startswith("cancer"):
        frame = load_breast_cancer(as_frame=True).frame
        frame.columns = [c.replace(" ", "_") for c in frame.columns]
        X = frame[CANCER4] if name == "cancer4" else frame.drop(columns="target")
        return X, frame["target"].to_numpy(), LogisticRisk()
    columns = {
        "rossi": ROSSI,
        "rossi_weighted": ROSSI,
        "rossi_aliased": ["fin", "fin_no", *ROSSI[1:]],
        "rossi_prio9": [*ROSSI, "prio9"],
    }[name]
    model = LogisticRisk(class_weight="balanced" if name == "rossi_weighted" else None)
    return rossi[columns], rossi["arrest"].to_numpy(), model


def _fit(model, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    return model, [str(w.message) for w in caught if issubclass(w.category, ModelFitWarning)]


@pytest.mark.parametrize(
    "case", ["rossi", "rossi_weighted", "rossi_aliased", "cancer4", "rossi_prio9", "boundary"]
)
def test_coefficients_iterations_and_auc_equal_r_glm(case, r_output):
    """Oracle: R ``coef(glm(...))``, ``summary(fit)$coefficients[, "Std. Error"]``,
    ``fit$iter`` and ``pROC::auc(y, fitted(fit))``.

    Tolerances 1e-9 on coefficients (R prints 15 digits; the fits agree to ~1e-12),
    1e-7 relative on standard errors, 1e-12 on the AUC. ``rossi_weighted`` is
    ``class_weight="balanced"`` against ``glm(weights = n / (2 n_class))``;
    ``rossi_aliased`` has R's NA (riskml: 0 in ``coef_``, listed in ``aliased_``, NaN
    in ``summary``); ``rossi_prio9`` is quasi-completely separated and still lands
    where R's glm stops (iteration 14, prio9 = -14.83).
    """
    coef, fit, _ = r_output
    X, y, model = _case(case)
    model, _ = _fit(model, X, y)
    expected = coef[coef["case"] == case].set_index("term")
    summary = model.summary
    assert list(summary.index) == list(expected.index)
    aliased = expected["estimate"].isna()
    assert model.aliased_ == list(expected.index[aliased])
    assert (model.coef_[model.aliased_] == 0).all() and summary.loc[aliased, "se"].isna().all()
    kept = expected.index[~aliased]
    np.testing.assert_allclose(
        summary.loc[kept, "coef"], expected.loc[kept, "estimate"], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(summary.loc[kept, "se"], expected.loc[kept, "se"], rtol=1e-7)
    assert model.n_iter_ == fit.loc[case, "iter"] and model.converged_
    auc = roc_auc_score(y, model.predict_risk(X))
    assert auc == pytest.approx(fit.loc[case, "auc"], abs=1e-12)


@pytest.mark.parametrize("case", ["rossi", "rossi_weighted", "rossi_prio9"])
def test_risks_equal_r_fitted_values(case, r_output):
    """Oracle: R ``fitted(glm(...))`` (13 significant digits), to 1e-10."""
    _, _, fitted = r_output
    X, y, model = _case(case)
    model, _ = _fit(model, X, y)
    expected = fitted.loc[fitted["case"] == case, "fitted"].to_numpy()
    np.testing.assert_allclose(model.predict_risk(X), expected, rtol=1e-11, atol=1e-12)


def test_clean_fit_has_no_issues_and_the_maximum_likelihood(r_output):
    """Oracles: R's glm (no warning) and the score equations: the gradient of the
    log-likelihood at the fit is 0 to 1e-8 of the information's scale."""
    X, y, model = _case("rossi")
    model, raised = _fit(model, X, y)
    assert model.fit_issues_ == [] and raised == []
    X1 = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)])
    risk = model.predict_risk(X)
    score = X1.T @ (y - risk)
    assert np.max(np.abs(score)) < 1e-8 * len(y)


def test_quasi_complete_separation_is_reported_where_r_is_silent(r_output):
    """Oracle: R's glm on rossi + prio9 (the five men with nine prior convictions, none
    arrested): converged in 14 iterations with prio9 = -14.83 and no warning at all.
    riskml stops at the same coefficients and says why they cannot be trusted: one
    ModelFitWarning whose text is the single fit issue, naming prio9 only."""
    coef, fit, _ = r_output
    assert fit.loc["rossi_prio9", "warnings"] == ""  # R says nothing
    X, y, model = _case("rossi_prio9")
    model, raised = _fit(model, X, y)
    assert model.fit_issues_ == [separation_issue(["prio9"])] == raised
    assert "along ‘prio9’" in raised[0] and "‘prio’" not in raised[0]
    r_prio9 = coef.set_index(["case", "term"]).loc[("rossi_prio9", "prio9"), "estimate"]
    assert model.coef_["prio9"] == pytest.approx(r_prio9, abs=1e-8)
    assert model.summary.attrs["caveat"].startswith("separation")
    assert model.summary.attrs["fit_issues"] == model.fit_issues_


def test_complete_separation_stops_at_r_iteration_limit(r_output):
    """Oracle: R's glm on all 30 breast-cancer measurements: 25 iterations, not
    converged, "algorithm did not converge" and "fitted probabilities numerically 0 or
    1 occurred". The coefficients there run off towards infinity (millions) and
    amplify rounding, so only the stopping point and the diagnosis are compared; riskml
    folds R's two warnings into its one separation issue."""
    _, fit, _ = r_output
    assert fit.loc["cancer_all", "iter"] == 25 and not fit.loc["cancer_all", "converged"]
    assert "algorithm did not converge" in fit.loc["cancer_all", "warnings"]
    X, y, model = _case("cancer_all")
    model, raised = _fit(model, X, y)
    assert model.n_iter_ == 25 and not model.converged_
    assert len(raised) == 1 and raised == model.fit_issues_
    assert raised[0].startswith("separation: the outcome is perfectly predicted along")


def test_fitted_probabilities_at_0_or_1_without_separation(r_output, capsys):
    """Oracle: R's glm on the ten-point ``boundary`` case: converged (finite estimate)
    with "glm.fit: fitted probabilities numerically 0 or 1 occurred"."""
    _, fit, _ = r_output
    assert fit.loc["boundary", "warnings"] == (
        "glm.fit: fitted probabilities numerically 0 or 1 occurred"
    )
    X, y, model = _case("boundary")
    model, raised = _fit(model, X, y)
    assert model.fit_issues_ == [BOUNDARY_ISSUE] == raised
    model.print_summary()
    printed = capsys.readouterr().out
    assert f"Fit issue: {BOUNDARY_ISSUE}" in printed and "converged in 7 iterations" in printed


def test_iteration_limit_is_a_fit_issue():
    """Oracle: R's glm(control = glm.control(maxit = 2)) on rossi stops after 2
    iterations with "glm.fit: algorithm did not converge"; riskml's max_iter=2 does the
    same and records it (the sentence names the limit, not the data)."""
    X, y, _ = _case("rossi")
    model, raised = _fit(LogisticRisk(max_iter=2), X, y)
    assert model.n_iter_ == 2 and not model.converged_
    assert model.fit_issues_ == [not_converged_issue(2)] == raised


def test_ridge_that_hits_max_iter_is_a_fit_issue():
    """Oracle: scikit-learn's LogisticRegression with the same settings reports
    n_iter_ == max_iter (and its ConvergenceWarning) for 2 L-BFGS iterations."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    X, y, _ = _case("rossi")
    with pytest.warns(ConvergenceWarning):
        direct = LogisticRegression(C=1.0, max_iter=2, tol=1e-4).fit(X.to_numpy(float), y)
    assert direct.n_iter_[0] == 2
    model, raised = _fit(LogisticRisk(penalty="l2", max_iter=2), X, y)
    assert model.fit_issues_ == [not_converged_issue(2, "L-BFGS")] == raised
    np.testing.assert_allclose(model.coef_, direct.coef_.ravel(), atol=1e-12)
    clean, raised = _fit(LogisticRisk(penalty="l2"), X, y)
    assert clean.fit_issues_ == [] == raised and clean.summary["se"].isna().all()
    assert clean.summary.attrs["caveat"].startswith("ridge fit")


def test_one_class_is_refused_with_riskml_message():
    X, y, _ = _case("rossi")
    with pytest.raises(ValueError, match=r"LogisticRisk needs events and non-events; y holds 1"):
        LogisticRisk().fit(X, np.zeros_like(y))
