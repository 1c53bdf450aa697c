"""New patients (input checks), plots, shap interop and the plain-language sentence."""

import warnings

import numpy as np
import pandas as pd
import pytest

from riskml.cohorts import make_young_hypertension
from riskml.explain import check_new_patients, explain_pipeline
from riskml.models import make_model

COLUMNS = ["age", "sex", "bmi", "office_sbp", "total_chol", "hdl", "smoking_status", "diabetes"]


@pytest.fixture(scope="module")
def trained():
    cohort = make_young_hypertension(300, random_state=5)
    X = cohort.features[COLUMNS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline = make_model("logistic", horizon=365.25).fit(X.iloc[:250], cohort.outcome[:250])
    return pipeline, X.iloc[:250], X.iloc[250:].reset_index(drop=True)


@pytest.fixture(scope="module")
def explanation(trained):
    pipeline, train, new = trained
    return explain_pipeline(pipeline, new, background=train, model_name="logistic")


def test_new_patients_are_explained_against_the_training_background(trained, explanation):
    """Oracle: predict_risk of the new patients; base value = mean training log-odds."""
    pipeline, train, new = trained
    risk = pipeline.predict_risk(new)
    for i in range(len(new)):
        assert explanation.patient_risk(i) == pytest.approx(float(risk[i]), abs=1e-6)
    z_train = pipeline[-1].model_.decision_function(
        pipeline[0].transform(train)[list(pipeline[-1].feature_names_in_)].to_numpy()
    )
    assert explanation.base_value == pytest.approx(float(np.mean(z_train)), abs=1e-9)
    assert explanation.reference_risk == pytest.approx(float(np.mean(pipeline.predict_risk(train))))


def test_missing_and_extra_columns_are_refused(trained):
    pipeline, train, new = trained
    with pytest.raises(
        ValueError, match=r"X lacks 1 column\(s\) the pipeline was fitted on: \['hdl'\]"
    ):
        explain_pipeline(pipeline, new.drop(columns="hdl"), background=train)
    with pytest.raises(
        ValueError, match=r"X has 1 column\(s\) the pipeline was not fitted on: \['mrn'\]"
    ):
        explain_pipeline(pipeline, new.assign(mrn=1), background=train)


def test_unseen_category_level_is_refused(trained):
    pipeline, train, new = trained
    vaping = new.copy()
    vaping.loc[3, "smoking_status"] = "vaping"
    with pytest.raises(ValueError, match=r"smoking_status: \['vaping'\] \(row positions \[3\]"):
        explain_pipeline(pipeline, vaping, background=train)


def test_unit_error_is_refused_with_the_conversion(trained):
    pipeline, train, new = trained
    mmol = new.copy()
    rows = [int(k) for k in np.flatnonzero(mmol["total_chol"].notna().to_numpy())[:2]]
    mmol.loc[rows, "total_chol"] = mmol.loc[rows, "total_chol"] / 38.67  # mmol/L
    with pytest.raises(
        ValueError,
        match=rf"total_chol: .* at row positions \[{rows[0]}, {rows[1]}\].* x 38\.67 \(chol",
    ):
        explain_pipeline(pipeline, mmol, background=train)
    # explained anyway on request
    explain_pipeline(pipeline, mmol, background=train, check_input=False)
    with pytest.raises(ValueError, match="far outside the training data"):
        check_new_patients(pipeline, mmol, train)


def test_rows_argument(trained):
    pipeline, train, _ = trained
    assert len(explain_pipeline(pipeline, train, rows=7, random_state=2).rows) == 7
    chosen = explain_pipeline(pipeline, train, rows=np.array([5, 1, 9]))
    np.testing.assert_array_equal(chosen.rows, [1, 5, 9])
    with pytest.raises(ValueError, match=r"rows holds positions outside 0..249"):
        explain_pipeline(pipeline, train, rows=np.array([250]))
    with pytest.raises(TypeError, match="rows must be None"):
        explain_pipeline(pipeline, train, rows=[0.5])


def test_summary_sentence(explanation):
    """Oracle: the patient's table (largest positive and negative contributions)."""
    table = explanation.patient(0)
    sentence = explanation.summary_sentence(0)
    risk = explanation.patient_risk(0)
    assert sentence.startswith(f"Predicted 1-year risk {risk:.0%} against a cohort average of ")
    top_up = table[table["contribution"] > 0]["feature"].iloc[0]
    top_down = table[table["contribution"] < 0]["feature"].iloc[0]
    assert f"raised most by {top_up} (" in sentence
    assert f"lowered most by {top_down} (" in sentence
    assert sentence.endswith(".")


def test_to_shap_and_shap_plots(explanation):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import shap

    plt.close("all")  # the checks below count figures: none left open by earlier tests
    exp = explanation.to_shap()
    assert isinstance(exp, shap.Explanation)
    assert exp.values.shape == (len(explanation.rows), len(explanation.features_used))
    np.testing.assert_allclose(
        exp.values.sum(axis=1) + exp.base_values,
        [explanation.patient_margin(i) for i in explanation.rows],
    )
    assert exp.feature_names == explanation.features_used
    shap.plots.waterfall(exp[0], show=False)
    shap.plots.beeswarm(exp, show=False)
    shap.plots.scatter(exp[:, "age"], show=False)
    shap.plots.force(exp[0], matplotlib=True, show=False)
    plt.close("all")


def test_riskml_plots_draw_on_new_pyplot_figures_shown_inline(explanation):
    """Without ax each plot gets its own pyplot figure (Jupyter shows it inline) and
    returns its Axes."""
    import matplotlib.pyplot as plt

    plt.close("all")
    ax = explanation.plot_waterfall(0, max_display=5)
    assert plt.get_fignums() == [ax.figure.number]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 5 and labels[0] == f"{len(explanation.features_used) - 4} other features"
    assert "risk" in ax.get_title()
    # the bars run from the base value to the patient's output (SHAP additivity)
    widths = [patch.get_width() for patch in ax.patches]
    assert explanation.base_value + sum(widths) == pytest.approx(explanation.patient_margin(0))
    bees = explanation.plot_beeswarm(max_display=4)
    assert len(bees.get_yticklabels()) == 4
    assert plt.get_fignums() == [ax.figure.number, bees.figure.number]
    importance = explanation.importance()
    assert [t.get_text() for t in bees.get_yticklabels()][::-1] == list(importance.index[:4])
    bars = explanation.plot_bar(max_display=3)
    assert len(plt.get_fignums()) == 3
    # oracle: the mean absolute SHAP value of each column, from the values themselves
    expected = explanation.values.abs().mean(axis=0).sort_values(ascending=False).head(3)
    assert [t.get_text() for t in bars.get_yticklabels()] == list(expected.index)
    widths = [patch.get_width() for patch in bars.patches]
    np.testing.assert_allclose(widths, expected.to_numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="max_display must be an int >= 1; got 0"):
        explanation.plot_bar(max_display=0)
    _, given = plt.subplots()
    assert explanation.plot_bar(ax=given) is given
    plt.close("all")


def test_pipeline_with_a_sampler_and_framingham_are_explained_without_transform_errors():
    """A sampler step is skipped (it acts only in fit); a score's inputs mapped by name."""
    cohort = make_young_hypertension(200, random_state=6)
    X = cohort.features
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline = make_model("xgboost", sampler="undersample", horizon=cohort.horizon)
        pipeline.fit(X, cohort.outcome)
    explanation = explain_pipeline(pipeline, X, rows=5)
    for i in explanation.rows:
        assert explanation.patient_risk(int(i)) == pytest.approx(
            float(pipeline.predict_risk(X.iloc[[i]])[0]), abs=1e-6
        )
    assert isinstance(explanation.values, pd.DataFrame)
