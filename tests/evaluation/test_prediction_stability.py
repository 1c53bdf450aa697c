"""Prediction stability (Riley & Collins 2023) against direct recomputation.

Oracle: every quantity is recomputed here from the stored replicate predictions
(``result.predictions``, one row per bootstrap model) with explicit per-patient and
per-model loops (numpy percentiles, absolute differences, threshold decisions, the
riskml curve functions called model by model). The expected ordering of Riley &
Collins (2023, Fig. 2-3): a logistic model with 5 strong predictors on 800 patients
is far more stable than a random forest on the same data with 50 noise predictors.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from riskml import Outcome
from riskml.evaluation import (
    PredictionStability,
    calibration_curve,
    internal_validation,
    net_benefit,
    net_benefit_survival,
)


class Classifier(BaseEstimator):
    def __init__(self, model=None):
        self.model = model

    def fit(self, X, y):
        from sklearn.base import clone

        self.model_ = clone(self.model).fit(np.asarray(X), y)
        return self

    def predict_risk(self, X, horizon=None):
        return self.model_.predict_proba(np.asarray(X))[:, 1]


def _logit():
    return Classifier(LogisticRegression(C=np.inf, solver="newton-cholesky"))


def _simulate(n, noise, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5 + noise))
    lp = -1.0 + X[:, :5].sum(axis=1) * 0.8
    y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])]), y


@pytest.fixture(scope="module")
def result():
    X, y = _simulate(300, 0, 1)
    return internal_validation(
        _logit(), X, y, metrics=["auc"], n_boot=30, random_state=0, name="logistic"
    )


def test_tables_equal_direct_recomputation(result):
    stability = result.stability()
    boot, original = result.predictions, result.apparent_risk
    table = stability.patients(confidence=0.9)
    for i in (0, 17, 299):
        column = boot[:, i]
        assert table.loc[i, "low"] == pytest.approx(np.percentile(column, 5))
        assert table.loc[i, "high"] == pytest.approx(np.percentile(column, 95))
        assert table.loc[i, "mean"] == pytest.approx(column.mean())
        assert table.loc[i, "mape"] == pytest.approx(np.mean(np.abs(column - original[i])))
    assert stability.mape == pytest.approx(
        np.mean([abs(boot[b, i] - original[i]) for b in range(30) for i in range(300)])
    )
    cii = stability.classification(0.3)
    for i in (0, 5, 123):
        flips = sum((boot[b, i] >= 0.3) != (original[i] >= 0.3) for b in range(30))
        assert cii.loc[i, "instability"] == pytest.approx(flips / 30)
    assert 0 < cii["instability"].max() <= 1
    summary = stability.summary(width=0.1, confidence=0.9).iloc[0]
    assert summary["share_wider"] == pytest.approx(np.mean(table["high"] - table["low"] > 0.1))
    sentence = stability.interpret(width=0.1, confidence=0.9)
    assert sentence.startswith(f"logistic: {summary['share_wider']:.0%} of patients have a 90%")
    assert f"MAPE {stability.mape:.3f} (30 bootstrap models)" in sentence


def test_curves_equal_model_by_model_calls(result):
    stability = result.stability()
    event = result.outcome.event.astype(int)
    curves = stability.calibration_curves(n_points=20)
    assert sorted(curves["replicate"].unique()) == list(range(-1, 30))
    expected = calibration_curve(event, result.predictions[4], n_boot=0, n_points=20)
    np.testing.assert_allclose(
        curves.loc[curves["replicate"] == 4, "observed"], expected["observed"]
    )
    thresholds = np.array([0.1, 0.2, 0.4])
    dca = stability.decision_curves(thresholds=thresholds)
    for replicate in (-1, 0, 29):
        risk = result.apparent_risk if replicate == -1 else result.predictions[replicate]
        model = "original" if replicate == -1 else "bootstrap"
        rows = dca[(dca["model"] == model) & (dca["replicate"] == replicate)]
        np.testing.assert_allclose(
            rows["net_benefit"], net_benefit(event, risk, thresholds=thresholds)
        )
    assert set(dca["model"]) == {"Treat all", "Treat none", "original", "bootstrap"}


def test_survival_curves_at_horizon():
    rng = np.random.default_rng(3)
    n, horizon = 200, 365.0
    risk = rng.uniform(0.05, 0.6, n)
    time = rng.exponential(-horizon / np.log1p(-risk))
    censor = rng.uniform(100, 800, n)
    outcome = Outcome.survival(np.minimum(time, censor), time <= censor)
    boot = np.clip(risk + rng.normal(0, 0.05, (8, n)), 0.01, 0.99)
    stability = PredictionStability(risk, boot, outcome, horizon=horizon)
    dca = stability.decision_curves(thresholds=[0.2, 0.3])
    rows = dca[(dca["model"] == "bootstrap") & (dca["replicate"] == 2)]
    np.testing.assert_allclose(
        rows["net_benefit"],
        net_benefit_survival(outcome.time, outcome.event, boot[2], horizon, thresholds=[0.2, 0.3]),
    )
    curves = stability.calibration_curves(n_points=10)
    original = curves[curves["replicate"] == -1]
    # the data follow the original risks: its smoothed curve stays near the diagonal
    assert np.max(np.abs(original["observed"] - original["predicted"])) < 0.15
    with pytest.raises(ValueError, match="needs the horizon"):
        PredictionStability(risk, boot, outcome).calibration_curves()


def test_plots_draw_on_new_pyplot_figures_shown_inline(result):
    """Without ax each plot gets its own pyplot figure (Jupyter shows it inline) and
    returns its Axes."""
    stability = result.stability()
    plt.close("all")
    axes = [
        stability.plot_predictions(),
        stability.plot_mape(),
        stability.plot_classification(0.3),
        stability.plot_calibration(n_points=10),
        stability.plot_decision_curves(thresholds=np.linspace(0, 0.5, 11)),
    ]
    assert plt.get_fignums() == [ax.figure.number for ax in axes]
    assert len(set(plt.get_fignums())) == 5
    assert len(axes[0].lines) == 3  # the two stability-interval bounds and the diagonal
    assert len(axes[3].lines) == 30 + 2  # bootstrap curves, the original, the diagonal
    assert len(axes[4].lines) == 30 + 3
    _, ax = plt.subplots()
    assert stability.plot_mape(ax=ax) is ax
    plt.close("all")


def test_logistic_with_strong_predictors_is_far_more_stable_than_forest_on_noise():
    """Riley & Collins (2023): 5 strong predictors, 800 patients; + 50 noise predictors
    and a random forest gives far less stable individual predictions."""
    X, y = _simulate(800, 50, 7)
    stable = internal_validation(
        _logit(), X.iloc[:, :5], y, metrics=["auc"], n_boot=15, random_state=1
    ).stability()
    forest = Classifier(RandomForestClassifier(n_estimators=40, random_state=0, n_jobs=1))
    unstable = internal_validation(
        forest, X, y, metrics=["auc"], n_boot=15, random_state=1
    ).stability()
    assert unstable.mape > 3 * stable.mape
    wide = unstable.summary(width=0.1)["share_wider"].iloc[0]
    assert wide > stable.summary(width=0.1)["share_wider"].iloc[0]


def test_bad_inputs():
    with pytest.raises(ValueError, match="shape \\(n_boot, n_samples\\)"):
        PredictionStability([0.1, 0.2], [0.1, 0.2])
    with pytest.raises(ValueError, match="all failed"):
        PredictionStability([0.1, 0.2], [[np.nan, 0.2]])
    stability = PredictionStability([0.1, 0.2], [[0.1, 0.3], [np.nan, 0.1]])
    assert stability.n_boot == 1 and stability.n_degenerate == 1
    with pytest.raises(ValueError, match="needs the outcomes"):
        stability.decision_curves()
    with pytest.raises(ValueError, match="'threshold' parameter"):
        stability.classification(1.5)
