"""Optimism bootstrap, external validation and subgroups against explicit loops."""

import doctest
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression

from riskml import Outcome
from riskml.evaluation import (
    _schemes,
    brier_score,
    brier_score_ipcw,
    calibration_in_the_large,
    calibration_slope,
    concordance_index,
    concordance_index_ci,
    external_validation,
    internal_validation,
    metric_ci,
    optimism_bootstrap,
    roc_auc,
    roc_auc_ci,
    subgroup_performance,
)


class Logit(BaseEstimator):
    """Nearly unpenalised logistic regression: overfits noise with many predictors."""

    outcome_kind = "binary"

    def __init__(self, C=1e4):
        self.C = C

    def fit(self, X, y):
        self.model_ = LogisticRegression(C=self.C, solver="newton-cholesky", max_iter=100).fit(
            np.asarray(X), y
        )
        return self

    def predict_risk(self, X, horizon=None):
        return self.model_.predict_proba(np.asarray(X))[:, 1]


class SurvivalToy(BaseEstimator):
    """Risk by a horizon = expit(a * x), a learned from the training events' mean x."""

    outcome_kind = "survival"

    def fit(self, X, y):
        self.a_ = float(np.mean(X["x"].to_numpy()[y["event"]])) + 0.5
        return self

    def predict_risk(self, X, horizon=None):
        return expit(self.a_ * X["x"].to_numpy() - 1.0)


def noise(n=60, p=12, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"x{i}" for i in range(p)])
    y = (rng.random(n) < 0.4).astype(int)
    return X, y


def slow_optimism(estimator, X, y_outcome, n_boot, seed, metrics, horizon=None):
    """Harrell's algorithm written out: refit per resample, test on the original data."""

    def value(outcome, risk, metric):
        if metric == "harrell_c":
            return concordance_index(outcome.time, outcome.event, risk)
        if metric == "auc":
            return roc_auc(outcome.event, risk)
        if metric == "brier" and outcome.is_survival:
            return brier_score_ipcw(outcome.time, outcome.event, risk, horizon)
        return {
            "calibration_slope": calibration_slope,
            "calibration_intercept": calibration_in_the_large,
            "brier": brier_score,
        }[metric](outcome.event.astype(int), risk)

    y_fit = y_outcome.to_y()
    fitted = clone(estimator).fit(X, y_fit)
    apparent = {m: value(y_outcome, fitted.predict_risk(X, horizon=horizon), m) for m in metrics}
    rng = np.random.default_rng(seed)
    optimism = {m: [] for m in metrics}
    for _ in range(n_boot):
        rows = rng.integers(0, len(X), size=len(X))
        model = clone(estimator).fit(X.iloc[rows], y_fit[rows])
        for m in metrics:
            training = value(y_outcome[rows], model.predict_risk(X.iloc[rows], horizon=horizon), m)
            test = value(y_outcome, model.predict_risk(X, horizon=horizon), m)
            optimism[m].append(training - test)
    return {m: (apparent[m], np.mean(optimism[m])) for m in metrics}


def test_optimism_bootstrap_equals_slow_loop_and_is_positive_on_noise():
    """Oracles: the explicit Harrell loop with the same draws; optimism > 0 for noise.

    An unpenalised logistic model with 12 noise predictors and 60 patients looks good on
    its own data (apparent C well above 0.5) and is too extreme (slope 1 on itself,
    below 1 on new data): C and slope optimism are positive, and the corrected C is
    near 0.5.
    """
    X, y = noise()
    metrics = ("auc", "calibration_slope", "calibration_intercept", "brier")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = optimism_bootstrap(Logit(), X, y, n_boot=25, metrics=metrics, random_state=3)
        expected = slow_optimism(Logit(), X, Outcome.binary(y), 25, 3, metrics)
    summary = result.summary.set_index("metric")
    for m in metrics:
        apparent, optimism = expected[m]
        assert summary.loc[m, "apparent"] == pytest.approx(apparent, abs=1e-10)
        assert summary.loc[m, "optimism"] == pytest.approx(optimism, abs=1e-10)
        assert summary.loc[m, "corrected"] == pytest.approx(apparent - optimism, abs=1e-10)
    assert summary.loc["auc", "optimism"] > 0.05
    assert summary.loc["calibration_slope", "optimism"] > 0.2
    assert abs(summary.loc["auc", "corrected"] - 0.5) < 0.15
    assert result.replicates.shape == (25 * 4, 5)
    assert set(summary["n_degenerate"]) == {0}


def test_optimism_bootstrap_survival_with_horizon_and_parallel():
    """Oracles: the explicit loop (Harrell's C; IPCW Brier at the horizon); n_jobs=2."""
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"x": rng.normal(size=80)})
    time = np.ceil(rng.exponential(300, 80) * np.exp(-0.5 * X["x"].to_numpy()))
    outcome = Outcome.survival(time, rng.random(80) < 0.7)
    metrics = ("harrell_c", "brier")
    result = optimism_bootstrap(
        SurvivalToy(), X, outcome, n_boot=15, metrics=metrics, horizon=200, random_state=0
    )
    expected = slow_optimism(SurvivalToy(), X, outcome, 15, 0, metrics, horizon=200)
    summary = result.summary.set_index("metric")
    for m in metrics:
        assert summary.loc[m, ["apparent", "optimism"]].tolist() == pytest.approx(
            list(expected[m]), abs=1e-10
        )
    parallel = optimism_bootstrap(
        SurvivalToy(),
        X,
        outcome,
        n_boot=15,
        metrics=metrics,
        horizon=200,
        random_state=0,
        n_jobs=2,
    )
    pd.testing.assert_frame_equal(parallel.summary, result.summary)


def test_optimism_bootstrap_counts_degenerate_replicates():
    """Oracle: replaying the draws; a resample without an event has no AUC."""
    X = pd.DataFrame({"x": np.arange(14.0)})
    y = np.zeros(14, dtype=int)
    y[[3, 9]] = 1

    class Identity(BaseEstimator):
        def fit(self, X, y):
            return self

        def predict_risk(self, X, horizon=None):
            return X["x"].to_numpy() / 20

    result = optimism_bootstrap(Identity(), X, y, n_boot=60, metrics=["auc"], random_state=2)
    rng = np.random.default_rng(2)
    no_event = sum(y[rng.integers(0, 14, size=14)].sum() == 0 for _ in range(60))
    assert result.summary.loc[0, "n_degenerate"] == no_event > 0


def test_optimism_bootstrap_progress_and_messages():
    """progress is called once per replicate; bad metrics name the fix (error contract)."""
    X, y = noise(40, 2)
    calls = []
    optimism_bootstrap(
        Logit(),
        X,
        y,
        n_boot=3,
        metrics="auc",
        random_state=0,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(ValueError, match=r"unknown metric 'c'\. .*Metrics for binary outcomes"):
        optimism_bootstrap(Logit(), X, y, metrics=["c"])
    survival_y = Outcome.survival(np.arange(1.0, 41), y)
    with pytest.raises(ValueError, match=r"\['brier'\] are evaluated at a horizon.* Pass"):
        optimism_bootstrap(Logit(), X, survival_y, metrics=["harrell_c", "brier"])
    with pytest.raises(ValueError, match=r"got 40 rows in X and 39 outcomes in y"):
        optimism_bootstrap(Logit(), X, y[:-1])
    with pytest.raises(TypeError, match=r"optimism_bootstrap needs an estimator with fit"):
        optimism_bootstrap(LogisticRegression(), X, y)


def test_refitting_schemes_show_a_bar_by_default_and_are_silent_on_request(capsys):
    """Hundreds of refits take minutes: a tqdm bar unless progress=False (issue 15)."""
    X, y = noise(40, 2)
    optimism_bootstrap(Logit(), X, y, n_boot=3, metrics="auc", random_state=0)
    assert "internal validation (bootstrap)" in capsys.readouterr().err
    internal_validation(Logit(), X, y, method="632", n_boot=3, metrics="auc", random_state=0)
    assert "internal validation (632)" in capsys.readouterr().err
    optimism_bootstrap(Logit(), X, y, n_boot=3, metrics="auc", random_state=0, progress=False)
    assert capsys.readouterr().err == ""


def test_external_validation_equals_direct_intervals():
    """Oracles: roc_auc_ci (DeLong, = pROC) and metric_ci (Wald, = predRupdate)."""
    X, y = noise(80, 3, seed=1)
    X2, y2 = noise(150, 3, seed=2)
    fitted = Logit(C=1.0).fit(X, y)
    table = external_validation(
        fitted,
        X2,
        y2,
        metrics=["auc", "calibration_slope"],
        n_boot=200,
        random_state=5,
        name="logit",
    )
    risk = fitted.predict_risk(X2)
    c = roc_auc_ci(y2, risk, method="delong")
    slope = metric_ci("calibration_slope", y2, risk, method="wald")
    summary = table.summary.set_index("metric")
    assert summary.loc["auc", ["estimate", "low", "high"]].tolist() == pytest.approx(
        [c.estimate, c.low, c.high], abs=1e-12
    )
    assert summary.loc["calibration_slope", ["estimate", "low", "high"]].tolist() == pytest.approx(
        [slope.estimate, slope.low, slope.high], abs=1e-10
    )
    assert set(summary["model"]) == {"logit"}
    with pytest.raises(ValueError, match=r"needs an estimator already fitted .* Logit is not"):
        external_validation(Logit(), X2, y2)


def test_subgroup_performance_equals_per_group_intervals():
    """Oracles: roc_auc_ci / concordance_index_ci on each subgroup with the same seed
    (the bootstrap interval asked for with method="bootstrap")."""
    rng = np.random.default_rng(4)
    y = (rng.random(200) < 0.3).astype(int)
    risk = np.round(rng.normal(size=200) + y, 1)
    groups = np.where(rng.random(200) < 0.5, "female", "male").astype(object)
    groups[:3] = None
    table = subgroup_performance(
        y, risk, groups, metrics=["auc"], method="bootstrap", n_boot=150, random_state=1
    ).summary
    assert table["subgroup"].tolist() == ["all", "female", "male"]
    for label in ("female", "male"):
        mask = groups == label
        ci = roc_auc_ci(y[mask], risk[mask], n_boot=150, random_state=1)
        row = table.set_index("subgroup").loc[label]
        assert [row["estimate"], row["low"], row["high"]] == pytest.approx(
            [ci.estimate, ci.low, ci.high], abs=1e-12
        )
        assert row["n"] == mask.sum()
    time = rng.integers(1, 50, 200).astype(float)
    surv = subgroup_performance(
        Outcome.survival(time, y), risk, groups, metrics=["harrell_c"], n_boot=100, random_state=1
    ).summary
    ci = concordance_index_ci(time, y, risk, n_boot=100, random_state=1)
    assert surv.loc[0, ["metric", "estimate", "low"]].tolist() == pytest.approx(
        ["harrell_c", ci.estimate, ci.low]
    )


def test_subgroup_with_one_class_is_explained_not_silent():
    """A subgroup without events has no AUC: NaN values with the reason in `method`."""
    y = np.array([0, 1, 0, 1, 0, 0, 0, 1])
    risk = np.linspace(0.1, 0.8, 8)
    groups = ["a", "a", "a", "a", "b", "b", "b", "a"]
    table = subgroup_performance(y, risk, groups, metrics=["auc"], n_boot=50, random_state=0)
    row = table.summary.set_index("subgroup").loc["b"]
    assert np.isnan(row["estimate"])
    assert "one class" in row["method"]
    with pytest.raises(ValueError, match=r"y, predictions and groups of subgroup_performance"):
        subgroup_performance(y, risk, groups[:-1])


def test_docstring_examples_run():
    """Oracle: the values in the Examples."""
    result = doctest.testmod(_schemes, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0
