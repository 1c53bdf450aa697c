"""Tests for riskml.report.plot_roc and plot_shap_importance."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.metrics import roc_auc_score, roc_curve

from riskml.report import plot_roc, plot_shap_importance


def _data(n=80, seed=1):
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.4).astype(float)
    predictions = pd.DataFrame(
        {"good": labels + rng.normal(0, 0.8, n), "noise": rng.random(n)},
        index=[f"MRN-{i}" for i in range(n)],
    )
    return labels, predictions


def test_roc_curves_match_sklearn_roc_curve():
    """Oracle: sklearn.metrics.roc_curve and roc_auc_score on the evaluable rows."""
    labels, predictions = _data()
    labels[:10] = np.nan  # not evaluable
    predictions.iloc[15, 1] = np.nan  # one missing score for one model
    ax = Figure().add_subplot()
    assert plot_roc(labels, predictions, ax=ax) is ax
    lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(lines) == 2
    for line, name in zip(lines, predictions.columns, strict=True):
        score = predictions[name].to_numpy()
        keep = ~np.isnan(labels) & ~np.isnan(score)
        fpr, tpr, _ = roc_curve(labels[keep], score[keep])
        np.testing.assert_allclose(line.get_xdata(), fpr)
        np.testing.assert_allclose(line.get_ydata(), tpr)
        assert line.get_label() == f"{name} (AUC {roc_auc_score(labels[keep], score[keep]):.3f})"


def test_roc_with_ax_none_uses_new_axes():
    labels, predictions = _data()
    ax = plot_roc(labels, predictions)
    assert ax.get_xlabel().startswith("1 - specificity")
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("labels", "predictions", "error", "match"),
    [
        ([0, 1, 2], pd.DataFrame({"m": [0.1, 0.2, 0.3]}), ValueError, "1 \\(event\\), 0"),
        ([0, 1], pd.DataFrame({"m": [0.1, 0.2, 0.3]}), ValueError, "2 entries but predictions"),
        ([0, 1, 0], [0.1, 0.2, 0.3], TypeError, "predictions must be a pandas DataFrame"),
        ([0, 0, np.nan], pd.DataFrame({"m": [0.1, 0.2, 0.3]}), ValueError, "all in one class"),
        ([[0, 1]], pd.DataFrame({"m": [0.1]}), ValueError, "must be one-dimensional"),
    ],
    ids=["label-2", "length", "not-frame", "one-class", "2d"],
)
def test_roc_input_errors(labels, predictions, error, match):
    with pytest.raises(error, match=match):
        plot_roc(labels, predictions, ax=Figure().add_subplot())


def test_shap_importance_bars_are_the_top_values_largest_first():
    importance = pd.Series(np.arange(1.0, 21.0), index=[f"f{i}" for i in range(1, 21)])
    ax = Figure().add_subplot()
    assert plot_shap_importance(importance, ax=ax, top=15) is ax
    bars = sorted(ax.patches, key=lambda bar: -bar.get_y())  # top of the chart first
    assert len(bars) == 15
    assert [bar.get_width() for bar in bars] == list(np.arange(20.0, 5.0, -1.0))
    labels = {tick.get_text() for tick in ax.get_yticklabels()}
    assert labels == {f"f{i}" for i in range(6, 21)}
    plt.close(plot_shap_importance(importance.head(3)).figure)


@pytest.mark.parametrize(
    ("importance", "top", "error", "match"),
    [
        ([1.0, 2.0], 15, TypeError, "importance must be a pandas Series"),
        (pd.Series([1.0], index=["a"]), 0, ValueError, "top must be an int >= 1; got 0"),
    ],
    ids=["not-series", "top-zero"],
)
def test_shap_importance_input_errors(importance, top, error, match):
    with pytest.raises(error, match=match):
        plot_shap_importance(importance, ax=Figure().add_subplot(), top=top)
