"""MetricTable display, evaluate_predictions, and repeated cross-validation."""

import doctest

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from riskml import Outcome
from riskml.evaluation import (
    ConfidenceInterval,
    MetricTable,
    RepeatedCV,
    _results,
    bootstrap_ci,
    concordance_index,
    concordance_index_ci,
    cross_val_predict_risk,
    default_metrics,
    evaluate_predictions,
    metric_ci,
    roc_auc,
    roc_auc_ci,
    time_dependent_auc,
)
from riskml.evaluation._bootstrap import _resample_chunks


class NoisyMean(BaseEstimator):
    """A seeded toy model whose prediction depends on its training fold."""

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit(self, X, y):
        self.coef_ = float(np.mean(y)) + float(np.mean(X["x"]))
        return self

    def predict_risk(self, X, horizon=None):
        return self.coef_ * X["x"].to_numpy() + X["z"].to_numpy()


def frame(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    y = (rng.random(n) < 0.4).astype(int)
    return X, y


# -- MetricTable ----------------------------------------------------------------------
def test_metric_table_rounds_only_at_display():
    """Oracle: the stored numbers are untouched; text and HTML show them rounded."""
    summary = pd.DataFrame(
        {
            "model": ["cox", "<xgb>"],
            "metric": ["harrell_c", "auc"],
            "estimate": [0.712345678, 0.8],
            "low": [0.70001, np.nan],
            "high": [0.725, 0.9],
            "p_value": [0.0004, 0.25],
            "n": [1000, 1000],
        }
    )
    table = MetricTable(summary, title="Discrimination")
    assert table.summary.loc[0, "estimate"] == 0.712345678
    text = table.to_string(decimals=2)
    assert text.splitlines() == [
        "Discrimination",
        "model  metric     estimate  low   high  p_value  n",
        "cox    harrell_c  0.71      0.70  0.72  <0.01    1000",
        "<xgb>  auc        0.80            0.90  0.25     1000",
    ]
    html = table.to_html(decimals=3)
    assert "<td>0.712</td>" in html and "&lt;xgb&gt;" in html and "<td>&lt;0.001</td>" in html
    assert "<caption>Discrimination</caption>" in html
    assert table._repr_html_() == table.to_html() and repr(table) == table.to_string()
    assert len(table) == 2


def test_metric_table_from_intervals_and_messages(capsys):
    """Oracle: the ConfidenceInterval fields it was built from."""
    ci = ConfidenceInterval(0.75, 0.7, 0.8, 0.95, 2000, 1, "percentile bootstrap")
    table = MetricTable.from_intervals({("cox", "auc"): ci}, n=300)
    assert table.summary.iloc[0].to_dict() == {
        "model": "cox",
        "metric": "auc",
        "estimate": 0.75,
        "low": 0.7,
        "high": 0.8,
        "method": "percentile bootstrap",
        "n": 300,
        "n_boot": 2000,
        "n_degenerate": 1,
    }
    table.print_summary(decimals=1)
    assert "cox    auc     0.8" in capsys.readouterr().out
    with pytest.raises(TypeError, match=r"summary of MetricTable must be a pandas DataFrame"):
        MetricTable([1, 2])
    with pytest.raises(ValueError, match=r"The 'decimals' parameter of MetricTable must be"):
        table.to_string(decimals=-1)
    with pytest.raises(TypeError, match=r"needs ConfidenceInterval values; got float"):
        MetricTable.from_intervals({("a", "b"): 0.5})


# -- repeated cross-validation --------------------------------------------------------
def test_repeated_cv_first_repeat_equals_single_cv_and_repeats_differ():
    """Oracle: cv=5 with the same seed; SeedSequence-derived seeds for later repeats."""
    X, y = frame()
    single = cross_val_predict_risk(NoisyMean(), X, y, cv=5, random_state=3)
    repeated, folds = cross_val_predict_risk(
        NoisyMean(), X, y, cv=RepeatedCV(5, 3), random_state=3, return_folds=True
    )
    assert repeated.shape == folds.shape == (3, 80)
    np.testing.assert_array_equal(repeated[0], single)
    seed = int(np.random.SeedSequence([3, 2]).generate_state(1)[0])
    np.testing.assert_array_equal(
        repeated[2], cross_val_predict_risk(NoisyMean(), X, y, cv=5, random_state=seed)
    )
    assert not np.array_equal(repeated[1], repeated[0])
    same = cross_val_predict_risk(NoisyMean(), X, y, cv=5, repeats=3, random_state=3)
    np.testing.assert_array_equal(same, repeated)
    parallel = cross_val_predict_risk(NoisyMean(), X, y, cv=5, repeats=3, random_state=3, n_jobs=2)
    np.testing.assert_array_equal(parallel, repeated)


def test_repeated_cv_messages():
    """Messages of the repeats checks (no oracle: error contract)."""
    from sklearn.model_selection import KFold

    X, y = frame()
    with pytest.raises(ValueError, match=r"The 'repeats' parameter of cross_val_predict_risk"):
        cross_val_predict_risk(NoisyMean(), X, y, repeats=0)
    with pytest.raises(ValueError, match=r"repeats > 1 in cross_val_predict_risk needs an int cv"):
        cross_val_predict_risk(NoisyMean(), X, y, cv=KFold(3), repeats=2)
    with pytest.raises(ValueError, match=r"got both cv=RepeatedCV\(k=5, repeats=2, random_state="):
        cross_val_predict_risk(NoisyMean(), X, y, cv=RepeatedCV(5, 2), repeats=2)
    assert RepeatedCV(4, 3).get_n_splits() == 12


# -- evaluate_predictions -------------------------------------------------------------
def test_evaluate_predictions_single_vectors_equal_the_ci_functions():
    """Oracles: concordance_index_ci and a bootstrap of time_dependent_auc, same seed."""
    rng = np.random.default_rng(1)
    time = rng.integers(1, 40, 150).astype(float)
    event = rng.random(150) < 0.5
    a, b = rng.normal(size=150) - time / 20, rng.normal(size=150)
    table = evaluate_predictions(
        Outcome.survival(time, event), {"a": a, "b": b}, horizon=20, n_boot=120, random_state=2
    ).summary
    # Linear predictors, not probabilities: only the rank metrics of the defaults.
    assert table[["model", "metric"]].values.tolist()[:2] == [["a", "harrell_c"], ["a", "td_auc"]]
    assert table.loc[table.metric == "brier", "method"].str.contains("not probabilities").all()
    ci = concordance_index_ci(time, event, b, n_boot=120, random_state=2)
    b_c = table[(table.model == "b") & (table.metric == "harrell_c")].iloc[0]
    assert [b_c.estimate, b_c.low, b_c.high] == pytest.approx(
        [ci.estimate, ci.low, ci.high], abs=1e-12
    )
    ci = bootstrap_ci(
        lambda t, e, r: time_dependent_auc(t, e, r, [20.0])[0],
        time,
        event,
        a,
        n_boot=120,
        random_state=2,
    )
    a_td = table[(table.model == "a") & (table.metric == "td_auc")].iloc[0]
    assert [a_td.estimate, a_td.low, a_td.high] == pytest.approx(
        [ci.estimate, ci.low, ci.high], abs=1e-12
    )
    assert a_td.events == int(np.sum(event & (time <= 20)))


def test_evaluate_predictions_binary_defaults_use_closed_form_intervals():
    """Oracles: roc_auc_ci (DeLong, = pROC) and metric_ci (Wald, = predRupdate)."""
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 0.7, 400)
    y = (rng.random(400) < p).astype(int)
    table = evaluate_predictions(y, {"m": p}, n_boot=150, random_state=0).summary
    assert table.metric.tolist() == list(default_metrics("binary"))
    auc = roc_auc_ci(y, p, method="delong")
    assert table.loc[0, ["estimate", "low", "high"]].tolist() == pytest.approx(
        [auc.estimate, auc.low, auc.high], abs=1e-12
    )
    for metric in ["calibration_intercept", "calibration_slope", "o_e"]:
        ci = metric_ci(metric, y, p, method="wald")
        row = table[table.metric == metric].iloc[0]
        assert [row.estimate, row.low, row.high] == pytest.approx(
            [ci.estimate, ci.low, ci.high], abs=1e-12
        )
    brier = table[table.metric == "brier"].iloc[0]
    assert brier.estimate == pytest.approx(np.mean((p - y) ** 2), abs=1e-12)  # definition
    assert brier.low < brier.estimate < brier.high


@pytest.mark.parametrize("kind", ["binary", "survival"])
def test_evaluate_predictions_repeats_equal_explicit_loop(kind):
    """Oracle: per replicate, the metric of every repeat on the same resample, averaged."""
    rng = np.random.default_rng(5)
    n, repeats = 90, 3
    y = rng.random(n) < 0.4
    time = rng.integers(1, 30, n).astype(float)
    oof = np.round(rng.normal(size=(repeats, n)) + y, 1)
    if kind == "binary":
        outcome, strata = y.astype(int), y

        def metric(rows, k):
            return roc_auc(y[rows], oof[k, rows])

    else:
        outcome, strata = Outcome.survival(time, y), None

        def metric(rows, k):
            return concordance_index(time[rows], y[rows], oof[k, rows])

    table = evaluate_predictions(outcome, {"m": oof}, n_boot=100, random_state=4).summary
    draws = np.concatenate(list(_resample_chunks(n, 100, np.random.default_rng(4), strata)))
    replicates = [np.mean([metric(rows, k) for k in range(repeats)]) for rows in draws]
    everyone = np.arange(n)
    estimate = np.mean([metric(everyone, k) for k in range(repeats)])
    expected = [estimate, *np.quantile(replicates, [0.025, 0.975])]
    assert table.loc[0, ["estimate", "low", "high"]].tolist() == pytest.approx(expected, abs=1e-12)
    assert "mean of 3 repeats" in table.loc[0, "method"]


def test_evaluate_predictions_messages():
    """Messages of evaluate_predictions' checks (no oracle: error contract)."""
    y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"must have shape \(4,\) or \(repeats, 4\)"):
        evaluate_predictions(y, {"a": np.zeros(5)})
    with pytest.raises(ValueError, match=r"'harrell_c' applies to survival outcomes, not binary"):
        evaluate_predictions(y, {"a": np.arange(4.0)}, metrics=["harrell_c"])
    with pytest.raises(ValueError, match=r"unknown metric 'aucc'. Did you mean 'auc'"):
        evaluate_predictions(y, {"a": np.arange(4.0)}, metrics=["aucc"])
    with pytest.raises(ValueError, match=r"'net_benefit' is evaluated at a risk threshold"):
        evaluate_predictions(y, {"a": np.full(4, 0.5)}, metrics=["net_benefit"])
    with pytest.raises(TypeError, match=r"predictions of evaluate_predictions must be a non-empty"):
        evaluate_predictions(y, [0.1, 0.2, 0.3, 0.4])
    survival = Outcome.survival([1.0, 2, 3, 4], [1, 1, 0, 1])
    with pytest.raises(ValueError, match=r"\['td_auc'\] are evaluated at a horizon"):
        evaluate_predictions(survival, {"a": np.arange(4.0)}, metrics=["td_auc"])


def test_docstring_examples_run():
    """Oracle: the values in the Examples."""
    result = doctest.testmod(_results, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0
