"""StudyResult's plots: plot_roc, plot_calibration, plot_decision_curve,
plot_importance, plot_patient and plot_stability.

Oracles: the result's own numbers (the summary's AUC and time-dependent AUC, the
calibration and decision-curve tables, the SHAP values) read back from the drawn
matplotlib artists; scikit-learn's roc_auc_score for the binary AUC.
"""

import dataclasses
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import riskml as rk
from riskml.evaluation import (
    DecisionCurveDisplay,
    InternalValidation,
    RocCurveDisplay,
    TimeDependentRocDisplay,
)

HORIZON = 120


@pytest.fixture(autouse=True)
def _no_show_and_close(monkeypatch):
    def refuse():
        raise AssertionError("a plot called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    plt.close("all")
    yield
    plt.close("all")


def _run(cohort, models, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rk.Study(cohort, models=models, n_boot=50, progress=False, **options).run()


@pytest.fixture(scope="module")
def heart_failure():
    return rk.cohorts.load_heart_failure_clinical_records()


@pytest.fixture(scope="module")
def survival_result(heart_failure):
    return _run(heart_failure, ["cox", "lasso"], validation=3, explain=True, horizon=HORIZON)


@pytest.fixture(scope="module")
def binary_result(heart_failure):
    binary = rk.Cohort(
        heart_failure.features,
        rk.Outcome.binary(heart_failure.outcome.event),
        heart_failure.metadata,
    )
    return _run(binary, ["lasso", "logistic"], validation=3, explain=None)


@pytest.fixture(scope="module")
def bootstrap_result(heart_failure):
    return _run(
        heart_failure,
        ["cox", "logistic"],
        validation=InternalValidation("bootstrap", n_boot=10),
        explain=None,
        horizon=HORIZON,
    )


def _summary(result, metric):
    table = result.summary[result.summary["metric"] == metric]
    return dict(zip(table["model"], table["estimate"], strict=True))


# -- ROC -----------------------------------------------------------------------------
def test_plot_roc_of_a_survival_outcome_is_the_time_dependent_roc_of_the_summary(
    survival_result,
):
    """Oracle: the summary's td_auc (the same held-out predictions)."""
    display = survival_result.plot_roc()
    assert isinstance(display, TimeDependentRocDisplay)
    assert plt.get_fignums() == [display.figure_.number]  # shown inline in Jupyter
    expected = _summary(survival_result, "td_auc")
    assert set(display.roc_auc) == {"cox", "lasso"}
    for model, auc in display.roc_auc.items():
        assert auc == pytest.approx(expected[model], abs=1e-12)
        area = np.trapezoid(display.tpr[model], display.fpr[model])
        assert area == pytest.approx(expected[model], abs=1e-12)
    assert display.horizon == HORIZON
    assert display.censoring_weights == survival_result.settings["censoring_weights"]
    assert display.ax_.get_title() == f"Time-dependent ROC at {HORIZON} days (out-of-fold)"


def test_plot_roc_of_chosen_models_on_given_axes(survival_result):
    _, ax = plt.subplots()
    display = survival_result.plot_roc("lasso", ax=ax, chance_level=False)
    assert display.ax_ is ax
    assert list(display.lines_) == ["lasso"] and len(ax.lines) == 1
    assert len(plt.get_fignums()) == 1


def test_plot_roc_of_a_binary_outcome_shows_the_summary_auc(binary_result):
    """Oracle: sklearn roc_auc_score of the out-of-fold predictions, and the summary."""
    display = binary_result.plot_roc()
    assert type(display) is RocCurveDisplay
    expected = _summary(binary_result, "auc")
    for model in ["lasso", "logistic"]:
        oracle = roc_auc_score(binary_result.outcome.event, binary_result.predictions[model])
        assert display.roc_auc[model] == pytest.approx(oracle, abs=1e-12)
        assert display.roc_auc[model] == pytest.approx(expected[model], abs=1e-12)
    assert display.ax_.get_title() == "ROC (out-of-fold)"


def test_plot_roc_of_the_internal_validation_says_it_is_apparent(bootstrap_result):
    display = bootstrap_result.plot_roc(["cox"])
    assert "apparent, whole-cohort fit" in display.ax_.get_title()


# -- calibration and decision curve ------------------------------------------------------
def test_plot_calibration_draws_the_calibration_table(survival_result):
    """Oracle: result.calibration (Kaplan-Meier risk by group of predicted risk)."""
    ax = survival_result.plot_calibration()
    assert plt.get_fignums() == [ax.figure.number]
    table = survival_result.calibration
    points = {c.get_label(): c for c in ax.containers if c.get_label().endswith("(95% CI)")}
    assert set(points) == {"cox (95% CI)", "lasso (95% CI)"}
    for model in ["cox", "lasso"]:
        rows = table[table["model"] == model]
        line = points[f"{model} (95% CI)"].lines[0]
        np.testing.assert_allclose(np.asarray(line.get_xdata(), float), rows["predicted"])
        np.testing.assert_allclose(np.asarray(line.get_ydata(), float), rows["observed"])
    top = 1.1 * np.nanmax(table[["predicted", "observed", "high"]].to_numpy())
    assert ax.get_xlim() == pytest.approx((0, min(1.0, top)))
    assert ax.get_title() == f"Calibration at {HORIZON} days (out-of-fold)"
    # one model: with the histogram of its predicted risks
    single = survival_result.plot_calibration("cox")
    assert len(single.patches) == 40


def test_plot_decision_curve_draws_the_decision_curve_table(survival_result):
    """Oracle: result.decision_curve."""
    display = survival_result.plot_decision_curve(["cox"])
    assert isinstance(display, DecisionCurveDisplay)
    assert plt.get_fignums() == [display.figure_.number]
    assert set(display.lines_) == {"cox", "Treat all", "Treat none"}
    table = survival_result.decision_curve
    for model, line in display.lines_.items():
        rows = table[table["model"] == model]
        np.testing.assert_allclose(line.get_xdata(), rows["threshold"])
        np.testing.assert_allclose(line.get_ydata(), rows["net_benefit"])


# -- explanations --------------------------------------------------------------------------
def test_plot_importance_beeswarm_and_bar(survival_result):
    """Oracle: the mean absolute SHAP values of the explanation."""
    bees = survival_result.plot_importance(max_display=4)
    explanation = survival_result.explanations["cox"]  # the main (first) explained model
    labels = [t.get_text() for t in bees.get_yticklabels()][::-1]
    assert labels == list(explanation.importance().index[:4])
    lasso = survival_result.explanations["lasso"]
    bars = survival_result.plot_importance("lasso", kind="bar", max_display=3)
    expected = lasso.values.abs().mean(axis=0).sort_values(ascending=False).head(3)
    np.testing.assert_allclose([p.get_width() for p in bars.patches], expected.to_numpy())
    assert len(plt.get_fignums()) == 2


def test_plot_patient_is_the_waterfall_of_that_patient(survival_result):
    """Oracle: SHAP additivity, base value + contributions = the patient's output."""
    ax = survival_result.plot_patient(5, "lasso", max_display=20)
    explanation = survival_result.explanations["lasso"]
    widths = [patch.get_width() for patch in ax.patches]
    assert len(widths) == len(explanation.features_used)
    assert explanation.base_value + sum(widths) == pytest.approx(explanation.patient_margin(5))
    assert ax.get_title().startswith(f"lasso: patient 5, {HORIZON}-day risk")
    assert plt.get_fignums() == [ax.figure.number]
    default = survival_result.plot_patient()
    assert default.get_title().startswith(f"cox: patient {survival_result.patient_index},")


# -- stability --------------------------------------------------------------------------
def test_plot_stability_one_panel_per_model(bootstrap_result):
    panels = bootstrap_result.plot_stability()
    assert len(panels) == 2 and len(plt.get_fignums()) == 1
    assert [ax.get_title().split(":")[0] for ax in panels] == ["cox", "logistic"]
    # the two stability-interval bounds and the diagonal
    assert all(len(ax.lines) == 3 for ax in panels)
    ax = bootstrap_result.plot_stability("cox", kind="classification", threshold=0.3)
    assert ax.get_title() == "cox: Classification instability at threshold 0.3"
    _, given = plt.subplots()
    assert bootstrap_result.plot_stability("logistic", kind="mape", ax=given) is given


# -- what a plot needs ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        pytest.param(
            lambda r: r.plot_roc(["cox", "svm"]), ValueError, r"'svm' not among", id="model"
        ),
        pytest.param(lambda r: r.plot_roc([]), ValueError, "is empty", id="no-model"),
        pytest.param(
            lambda r: r.plot_importance("xgboost"), ValueError, "'xgboost' was not explained"
        ),
        pytest.param(lambda r: r.plot_importance(kind="violin"), ValueError, "'kind' parameter of"),
        pytest.param(lambda r: r.plot_patient(10_000), ValueError, r"row position in \[0, 299\)"),
        pytest.param(
            lambda r: r.plot_stability(),
            ValueError,
            r"validation=InternalValidation\('bootstrap'\)",
            id="no-stability",
        ),
    ],
)
def test_plots_refuse_what_the_result_cannot_draw(survival_result, call, error, message):
    with pytest.raises(error, match=message):
        call(survival_result)


def test_plots_say_which_setting_gives_what_they_need(
    binary_result, survival_result, bootstrap_result
):
    for method in ("plot_importance", "plot_patient"):
        with pytest.raises(ValueError, match=r"Study\(\.\.\., explain=True\)"):
            getattr(binary_result, method)()
    no_horizon = dataclasses.replace(survival_result, horizon=None)
    with pytest.raises(ValueError, match=r"Run Study\(\.\.\., horizon=days\)"):
        no_horizon.plot_roc()
    without_lasso = dataclasses.replace(
        survival_result,
        calibration=survival_result.calibration.query("model != 'lasso'"),
        decision_curve=None,
    )
    with pytest.raises(ValueError, match="'lasso' has no calibration table: its predictions"):
        without_lasso.plot_calibration(["cox", "lasso"])
    with pytest.raises(ValueError, match="has no decision curve: no model gives probabilities"):
        without_lasso.plot_decision_curve()
    with pytest.raises(TypeError, match="needs threshold="):
        bootstrap_result.plot_stability(kind="classification")
    with pytest.raises(ValueError, match="ax takes one model's plot"):
        bootstrap_result.plot_stability(ax=plt.subplots()[1])
    assert plt.get_fignums() == [1]  # the axes given above; no figure left by a refusal


def test_plot_roc_of_a_competing_risk_outcome_is_its_time_dependent_roc():
    """Competing events before the horizon are controls there, not censorings. Oracles:
    the summary's td_auc (riskRegression-validated competing_time_dependent_auc) and a
    brute-force weighted ROC of the competing_ipcw_weights."""
    from riskml.evaluation._competing import competing_ipcw_weights

    cohort = rk.cohorts.make_hf_registry(
        1500, random_state=0, label="readmit_30d", competing_death="competing"
    )
    result = rk.Study(
        cohort,
        models=["fine_gray", "aalen_johansen"],
        validation=2,
        n_boot=50,
        explain=False,
        random_state=0,
        progress=False,
    ).run()
    display = result.plot_roc(["fine_gray"])
    summary = result.summary.set_index(["model", "metric"])["estimate"]
    assert display.roc_auc["fine_gray"] == pytest.approx(summary["fine_gray", "td_auc"], abs=1e-12)
    outcome = result.outcome
    label, weight = competing_ipcw_weights(outcome.time, outcome.event_type, result.horizon)
    risk = result.predictions["fine_gray"].to_numpy()
    known = ~np.isnan(label)
    cases, controls = known & (label == 1), known & (label == 0)
    assert (outcome.event_type[controls] == 2).any()  # competing events are controls
    threshold = display.thresholds["fine_gray"][3]
    tpr = weight[cases & (risk >= threshold)].sum() / weight[cases].sum()
    fpr = weight[controls & (risk >= threshold)].sum() / weight[controls].sum()
    assert [display.fpr["fine_gray"][3], display.tpr["fine_gray"][3]] == pytest.approx(
        [fpr, tpr], abs=1e-12
    )
    plt.close("all")
