"""Display objects: ROC, calibration and decision curves (Agg backend, see conftest).

Oracle for the drawn data: the metric functions that compute it (sklearn roc_curve and
riskml's roc_auc, calibration_curve, survival_calibration, decision_curve), read back
from the matplotlib artists.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from riskml.evaluation._calibration import calibration_curve, survival_calibration
from riskml.evaluation._plots import CalibrationDisplay, DecisionCurveDisplay, RocCurveDisplay
from riskml.evaluation._utility import decision_curve, decision_curve_survival

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def _no_show_and_close(monkeypatch):
    def refuse():
        raise AssertionError("a display called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def binary():
    data = pd.read_csv(DATA / "dcurves_df_binary.csv")
    return data["cancer"].to_numpy().astype(int), data


def test_roc_display_draws_every_model_with_its_auc(binary):
    """Oracle: sklearn roc_curve and roc_auc_score per model."""
    y, data = binary
    scores = data[["cancerpredmarker", "marker"]]
    display = RocCurveDisplay.from_predictions(y, scores)
    assert set(display.lines_) == {"cancerpredmarker", "marker"}
    for name, line in display.lines_.items():
        fpr, tpr, _ = roc_curve(y, scores[name])
        assert line.get_xdata() == pytest.approx(fpr)
        assert line.get_ydata() == pytest.approx(tpr)
        assert display.roc_auc[name] == pytest.approx(roc_auc_score(y, scores[name]), abs=1e-12)
        assert f"AUC = {display.roc_auc[name]:.3f}" in line.get_label()
    assert display.figure_ is display.ax_.figure
    labels = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert "Chance" in labels


def test_roc_display_draws_on_given_axes_and_names_a_single_curve(binary):
    y, data = binary
    _, ax = plt.subplots()
    display = RocCurveDisplay.from_predictions(
        y, data["marker"].to_numpy(), name="marker", ax=ax, chance_level=False
    )
    assert display.ax_ is ax
    assert list(display.lines_) == ["marker"]
    assert len(ax.get_lines()) == 1


def test_calibration_display_loess_curve_band_and_histogram(binary):
    """Oracle: calibration_curve with the same arguments and seed."""
    y, data = binary
    p = data["cancerpredmarker"].to_numpy()
    display = CalibrationDisplay.from_predictions(
        y, p, n_boot=40, random_state=0, name="marker model"
    )
    expected = calibration_curve(y, p, n_boot=40, random_state=0)
    pd.testing.assert_frame_equal(display.curve, expected)
    assert display.line_.get_xdata() == pytest.approx(expected["predicted"].to_numpy())
    assert display.band_ is not None
    assert display.hist_ is not None and len(display.hist_.patches) == 40
    assert display.line_.get_label().startswith("marker model (ICI = ")
    labels = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert "Ideal" in labels and "95% CI (bootstrap)" in labels


def test_calibration_display_bins_without_histogram(binary):
    y, data = binary
    display = CalibrationDisplay.from_predictions(
        y, data["cancerpredmarker"], method="bins", n_groups=5, histogram=False
    )
    assert display.hist_ is None and display.band_ is None
    points = display.line_.lines[0]
    assert points.get_xdata() == pytest.approx(display.curve["predicted"].to_numpy())
    assert points.get_ydata() == pytest.approx(display.curve["observed"].to_numpy())


def test_calibration_display_bins_with_tied_risks_draws_every_group_formed():
    """Oracle: sklearn.calibration.calibration_curve(strategy="quantile") on risks
    rounded to 0.05 (issue 29): an empty quantile group is neither drawn nor NaN."""
    from sklearn.calibration import calibration_curve as sklearn_curve

    rng = np.random.default_rng(1)
    p = np.round(rng.beta(2, 8, 300) / 0.05) * 0.05
    y = (rng.random(300) < p).astype(int)
    display = CalibrationDisplay.from_predictions(y, p, method="bins", n_groups=10)
    expected_true, expected_pred = sklearn_curve(y, p, n_bins=10, strategy="quantile")
    points = display.line_.lines[0]
    assert points.get_xdata() == pytest.approx(expected_pred, abs=1e-12)
    assert points.get_ydata() == pytest.approx(expected_true, abs=1e-12)
    assert display.curve.attrs["n_groups"] == len(expected_true) < 10


def test_calibration_display_from_survival():
    """Oracle: survival_calibration with the same arguments."""
    data = pd.read_csv(DATA / "dcurves_df_surv.csv")
    args = (data["ttcancer"], data["cancer"], data["cancerpredmarker"], 1.5)
    display = CalibrationDisplay.from_survival(*args, n_groups=4)
    pd.testing.assert_frame_equal(display.curve, survival_calibration(*args, n_groups=4))
    assert display.kind == "survival"
    assert display.line_.lines[0].get_ydata() == pytest.approx(display.curve["observed"])


def test_decision_curve_display_binary_and_survival(binary):
    """Oracle: decision_curve / decision_curve_survival with the same arguments."""
    y, data = binary
    models = {"model": data["cancerpredmarker"].to_numpy()}
    display = DecisionCurveDisplay.from_predictions(y, models, thresholds=[0.0, 0.1, 0.2])
    expected = decision_curve(y, models, thresholds=[0.0, 0.1, 0.2])
    pd.testing.assert_frame_equal(display.curve, expected)
    assert list(display.lines_) == ["Treat all", "Treat none", "model"]
    line = display.lines_["model"]
    assert line.get_ydata() == pytest.approx(
        expected.loc[expected["model"] == "model", "net_benefit"].to_numpy()
    )
    low, high = display.ax_.get_ylim()
    assert low < 0 < high

    surv = pd.read_csv(DATA / "dcurves_df_surv.csv")
    survival = DecisionCurveDisplay.from_survival(
        surv["ttcancer"],
        surv["cancer"],
        {"m": surv["cancerpredmarker"]},
        1.5,
        thresholds=np.arange(0, 50) / 100,
    )
    pd.testing.assert_frame_equal(
        survival.curve,
        decision_curve_survival(
            surv["ttcancer"],
            surv["cancer"],
            {"m": surv["cancerpredmarker"]},
            1.5,
            thresholds=np.arange(0, 50) / 100,
        ),
    )
    assert survival.plot(ylim=(-0.1, 0.3)).ax_.get_ylim() == (-0.1, 0.3)


def test_display_input_errors():
    with pytest.raises(ValueError, match=r"2 outcomes and 3 scores for 'model'"):
        RocCurveDisplay.from_predictions([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(
        ValueError, match=r"y_score\['a'\] of RocCurveDisplay.from_predictions has 1 NaN"
    ):
        RocCurveDisplay.from_predictions([0, 1], {"a": [0.1, np.nan]})
    with pytest.raises(ValueError, match=r"must hold probabilities in \[0, 1\].*linear predictor"):
        CalibrationDisplay.from_predictions([0, 1, 0], [-1.2, 0.3, 2.0])


def test_displays_without_ax_draw_on_registered_pyplot_figures(binary):
    """A notebook cell shows a pyplot figure inline: each display makes one and
    returns itself."""
    y, data = binary
    plt.close("all")
    displays = [
        RocCurveDisplay.from_predictions(y, data["marker"]),
        CalibrationDisplay.from_predictions(y, data["cancerpredmarker"], method="bins"),
        DecisionCurveDisplay.from_predictions(y, data[["cancerpredmarker"]]),
    ]
    assert plt.get_fignums() == [display.figure_.number for display in displays]
    assert [type(display) for display in displays] == [
        RocCurveDisplay,
        CalibrationDisplay,
        DecisionCurveDisplay,
    ]
