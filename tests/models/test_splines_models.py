"""The splines= parameter of LogisticRisk and CoxPH: prediction, plots, errors.

The numbers themselves are checked against rms in test_splines_rms.py; here, that a
spline fit is the plain model fitted on the spline terms (a brute-force reference: the
terms built by hand with rcs_basis), that new patients are expanded at the training
knots, and that bad input is refused with the fix.
"""

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from riskml.cohorts import load_heart_failure_clinical_records
from riskml.features import rcs_basis, rcs_knots
from riskml.models import CoxPH, LogisticRisk, make_model

matplotlib.use("Agg")

COLUMNS = ["age", "ejection_fraction", "serum_creatinine", "sex"]


@pytest.fixture(scope="module")
def heart():
    cohort = load_heart_failure_clinical_records()
    return cohort.features[COLUMNS].astype(float), cohort.outcome


def _by_hand(X, column, n_knots):
    """X with ``column`` replaced by rcs terms built with rcs_basis (rms's names)."""
    basis = rcs_basis(X[column], rcs_knots(X[column], n_knots))
    names = [column + "'" * j for j in range(n_knots - 1)]
    terms = pd.DataFrame(basis, columns=names, index=X.index)
    position = list(X.columns).index(column)
    return pd.concat([X.iloc[:, :position], terms, X.iloc[:, position + 1 :]], axis=1)


@pytest.mark.parametrize("kind", ["logistic", "cox"])
def test_a_spline_fit_is_the_plain_fit_on_the_spline_terms(heart, kind):
    X, outcome = heart
    y = outcome.event.astype(int) if kind == "logistic" else outcome
    make = LogisticRisk if kind == "logistic" else CoxPH
    spline = make(splines={"age": 4}).fit(X, y)
    plain = make().fit(_by_hand(X, "age", 4), y)
    # lifelines stops a plain fit short of the maximum on collinear spline terms (1e-5
    # relatively here); the spline fit goes on to R's maximum, a higher likelihood
    tolerance = 1e-6 if kind == "logistic" else 1e-4
    np.testing.assert_allclose(spline.coef_, plain.coef_, rtol=tolerance, atol=1e-8)
    if kind == "cox":
        gain = spline.lifelines_.log_likelihood_ - plain.lifelines_.log_likelihood_
        assert 0 <= gain < 1e-6
    assert list(spline.coef_.index) == list(plain.coef_.index)
    new = X.iloc[[3, 50, 200]]  # three patients predicted on their own
    np.testing.assert_allclose(
        spline.predict_risk(new), spline.predict_risk(X)[[3, 50, 200]], rtol=1e-12
    )
    if kind == "cox":
        np.testing.assert_allclose(
            spline.predict_risk(X, horizon=180),
            plain.predict_risk(_by_hand(X, "age", 4), horizon=180),
            rtol=1e-4,
        )


def test_splines_as_a_list_use_five_knots_and_none_changes_nothing(heart):
    X, outcome = heart
    y = outcome.event.astype(int)
    listed = LogisticRisk(splines=["age"]).fit(X, y)
    assert listed.splines_.knots_["age"].size == 5
    assert listed.nonlinearity_test().loc["age", "df"] == 3
    plain, unsplined = LogisticRisk().fit(X, y), LogisticRisk(splines=None).fit(X, y)
    np.testing.assert_array_equal(plain.coef_, unsplined.coef_)
    assert not hasattr(unsplined, "splines_")
    listed.set_params(splines=None).fit(X, y)  # a refit without splines forgets them
    np.testing.assert_array_equal(listed.coef_, plain.coef_)
    np.testing.assert_array_equal(listed.predict_risk(X), plain.predict_risk(X))


def test_cox_with_strata_keeps_the_strata_out_of_the_splines(heart):
    X, outcome = heart
    model = CoxPH(strata="sex", splines={"age": 3}).fit(X, outcome)
    assert list(model.coef_.index) == ["age", "age'", "ejection_fraction", "serum_creatinine"]
    assert model.nonlinearity_test().loc["age", "df"] == 1
    assert np.all(np.isfinite(model.predict_risk(X, horizon=180)))
    with pytest.raises(ValueError, match=r"\['sex'\] are strata, not covariates"):
        CoxPH(strata="sex", splines=["sex"]).fit(X, outcome)


def test_plot_partial_effect_draws_the_curve_on_the_axes_given_or_a_new_figure(heart):
    import matplotlib.pyplot as plt

    X, outcome = heart
    model = CoxPH(splines={"age": 4}).fit(X, outcome)
    fig, ax = plt.subplots()
    assert model.plot_partial_effect("age", ax=ax) is ax
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), model.partial_effect("age")["effect"])
    assert ax.get_ylabel() == "log relative hazard"
    new = LogisticRisk(splines=["age"]).fit(X, outcome.event.astype(int))
    drawn = new.plot_partial_effect("ejection_fraction")
    assert drawn.get_ylabel() == "log odds" and drawn.figure is not fig
    plt.close("all")


def test_make_model_passes_splines_to_the_registry_model(heart):
    X, outcome = heart
    pipeline = make_model("cox", horizon=180, splines={"age": 4}).fit(X, outcome)
    np.testing.assert_allclose(pipeline[-1].splines_.knots_["age"], [42.9, 55.0, 65.0, 82.0])


@pytest.mark.parametrize(
    ("model", "call", "error", "message"),
    [
        (LogisticRisk(splines=3), "fit", ValueError, r"The .splines. parameter of LogisticRisk"),
        (LogisticRisk(splines={"age": "4"}), "fit", TypeError, r"number of knots \(e.g. 4\)"),
        (LogisticRisk(splines=["age", "age"]), "fit", ValueError, r"names a column twice"),
        (CoxPH(splines=["weight"]), "fit", ValueError, r"\['weight'\] are not in X"),
        (LogisticRisk(), "test", ValueError, r"fitted without splines"),
        (
            LogisticRisk(penalty="l2", splines=["age"]),
            "test",
            ValueError,
            r"needs the unpenalised, unweighted maximum-likelihood fit",
        ),
        (CoxPH(penalizer=0.1, splines=["age"]), "test", ValueError, r"is penalised"),
        (CoxPH(splines=["age"]), "effect", ValueError, r"'weight' is not a covariate"),
        (CoxPH(), "effect", ValueError, r"needs a CoxPH fitted with splines"),
    ],
    ids=[
        "not-names",
        "text-count",
        "twice",
        "absent",
        "no-splines",
        "ridge",
        "penalised-cox",
        "unknown-column",
        "effect-no-splines",
    ],
)
def test_bad_use_is_refused_with_the_fix(heart, model, call, error, message):
    X, outcome = heart
    y = outcome if isinstance(model, CoxPH) else outcome.event.astype(int)
    with pytest.raises(error, match=message), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
        if call == "test":
            model.nonlinearity_test()
        elif call == "effect":
            model.partial_effect("weight" if model.splines else "age")


def test_a_spline_model_file_predicts_as_the_model(heart, tmp_path):
    """riskml.save_model / load_model keep the spline step (its knots) and the tests."""
    import riskml

    X, outcome = heart
    pipeline = make_model("cox", horizon=180, splines=["age"]).fit(X, outcome)
    path = riskml.save_model(pipeline, tmp_path / "cox_rcs.skops")
    loaded = riskml.load_model(path)
    np.testing.assert_array_equal(
        loaded.predict_risk(X, horizon=180), pipeline.predict_risk(X, horizon=180)
    )
    pd.testing.assert_frame_equal(loaded[-1].nonlinearity_test(), pipeline[-1].nonlinearity_test())
