"""Spline models through a Study: cross-validated, summarised and reported.

Oracle for the knots of the whole-cohort fits: ``Hmisc::rcspline.eval`` on the
heart-failure records (``tests/data/splines_rms_knots.csv``, written by
``tests/data/splines_rms.R``). The registry's Cox model reads the columns in their own
units; a model of your own gets standardised inputs, and a binary model the patients
labelled at the horizon, so its knots are those of the labelled patients, standardised
with their mean and (population) SD.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.features import rcs_knots
from riskml.models import LogisticRisk, make_model
from riskml.outcome import horizon_label

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def result():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    models = {
        # a model of your own (standardised inputs) and a registry family (own units)
        "logistic_rcs": LogisticRisk(splines={"age": 4}),
        "cox_rcs": make_model("cox", horizon=180, splines={"age": 4, "ejection_fraction": 3}),
    }
    study = rk.Study(
        hf,
        models=models,
        horizon=180,
        validation=3,
        n_boot=50,
        # a spline Cox model's terms ("age'") are not input columns: it is explained
        # by the model-agnostic explainer on its inputs
        explain=["logistic_rcs", "cox_rcs"],
        explain_rows=5,
        progress=False,
    )
    return hf, study.run()


def _r_knots(column, nk):
    knots = pd.read_csv(DATA / "splines_rms_knots.csv")
    rows = knots[(knots["vector"] == column) & (knots["nk"] == nk)]
    return rows.sort_values("knot")["value"].to_numpy()


def test_spline_models_are_validated_and_summarised(result):
    _, res = result
    c = res.summary[res.summary["metric"] == "harrell_c"].set_index("model")["estimate"]
    assert list(c.index) == ["logistic_rcs", "cox_rcs"]
    assert c.between(0.6, 1).all()
    assert res.predictions.notna().all().all()


def test_whole_cohort_fits_have_rms_knots_and_nonlinearity_tests(result):
    hf, res = result
    cox = res.fitted_models["cox_rcs"][-1]
    np.testing.assert_allclose(cox.splines_.knots_["age"], _r_knots("age", 4), rtol=1e-12)
    np.testing.assert_allclose(
        cox.splines_.knots_["ejection_fraction"], _r_knots("ejection_fraction", 3), rtol=1e-12
    )
    assert cox.nonlinearity_test().index.tolist() == [
        "age",
        "ejection_fraction",
        "TOTAL NONLINEAR",
    ]
    # the binary model is fitted on the patients with a label at the horizon: their
    # knots (rcs_knots equals Hmisc, test_splines_rms.py), standardised
    logistic = res.fitted_models["logistic_rcs"][-1]
    labelled = ~np.isnan(horizon_label(hf.outcome.time, hf.outcome.event, 180))
    age = hf.features["age"][labelled]
    standardised = (rcs_knots(age, 4) - age.mean()) / age.std(ddof=0)
    np.testing.assert_allclose(logistic.splines_.knots_["age"], standardised, rtol=1e-9)
    assert logistic.nonlinearity_test().loc["age", "df"] == 2


def test_the_report_is_written(result, tmp_path):
    _, res = result
    path = tmp_path / "report.html"
    res.report(path)
    html = path.read_text(encoding="utf-8")
    assert "logistic_rcs" in html and "cox_rcs" in html


def test_spline_cox_is_explained_on_its_input_columns(result):
    """Oracle: the whole-cohort fit's own predict_risk at the horizon, which each
    explained patient's base value + contributions must reproduce (SHAP additivity)."""
    hf, res = result
    explanation = res.explanations["cox_rcs"]
    assert "age" in explanation.values.columns and "age'" not in explanation.values.columns
    fitted = res.fitted_models["cox_rcs"]
    for position in explanation.rows[:3]:
        expected = fitted.predict_risk(hf.features.iloc[[position]], horizon=180)[0]
        assert explanation.patient_risk(int(position)) == pytest.approx(expected, abs=1e-8)


def test_report_describes_spline_terms_as_spline_terms(result, tmp_path):
    """A spline's primed terms are not one-hot levels: the coefficient table says what
    they are instead of giving them a per-level reading."""
    import html
    import re

    _, res = result
    text = html.unescape(re.sub(r"<[^>]+>", " ", res.report(tmp_path / "r.html").read_text()))
    assert "non-linear (1) term of the restricted cubic spline of age" in text
    assert "linear term of the restricted cubic spline of ejection_fraction" in text
    rows = [line for line in text.splitlines() if "age'" in line]
    assert rows and not any("one-hot" in line for line in rows)
