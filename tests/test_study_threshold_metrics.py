"""Decisions at a threshold and the partial AUC as registered metrics (issue 28).

``sensitivity``, ``specificity``, ``ppv``, ``npv``, ``accuracy`` (at a required
``threshold``) and ``partial_auc`` (over a ``specificity`` or ``sensitivity`` range,
``correct`` for McClish) flow through :func:`evaluate_predictions`, a Study, its report
and a study file.

Oracles: :func:`threshold_statistics` and :func:`partial_auc`, equal to R ``pROC``
(``coords``, ``auc(partial.auc=)``; tests/evaluation/test_thresholds_proc.py and
tests/evaluation/test_partial_auc*.py) and, at a horizon, to ``riskRegression::Score``'s
ROC points (tests/evaluation/test_thresholds_survival.py): the registry entries must equal
them to 1e-12. The vectorised bootstrap form of each binary entry must equal the entry
itself resample by resample.
"""

import html
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.evaluation import (
    evaluate_predictions,
    get_metric,
    partial_auc,
    threshold_statistics,
)

STATISTICS = ("sensitivity", "specificity", "ppv", "npv", "accuracy")
THRESHOLD = 0.2
PARAMS = {
    **{name: {"threshold": THRESHOLD} for name in STATISTICS},
    "partial_auc": {"specificity": (0.8, 1.0), "correct": True},
}
STUDY_TAKES_METRIC_PARAMS = "metric_params" in inspect.signature(rk.Study).parameters
needs_study_params = pytest.mark.skipif(
    not STUDY_TAKES_METRIC_PARAMS,
    reason="Study(metric_params=) is not there yet (riskml/study, the lead's change)",
)


def _binary(n=400, seed=11):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    risk = 1 / (1 + np.exp(-(-1.3 + 1.1 * x)))
    y = (rng.random(n) < risk).astype(int)
    noisy = np.clip(risk + rng.normal(0, 0.05, n), 0.001, 0.999)
    return y, noisy


def _survival(n=400, seed=12):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    event_time = rng.exponential(900 * np.exp(-0.9 * x))
    censor = rng.uniform(100, 1500, n)
    time = np.minimum(event_time, censor)
    outcome = rk.Outcome.survival(time, event_time <= censor)
    risk = 1 - np.exp(-365 / (900 * np.exp(-0.9 * x)))
    return outcome, risk


def test_binary_entries_equal_the_proc_validated_functions():
    y, risk = _binary()
    table = evaluate_predictions(
        y, {"m": risk}, metrics=[*STATISTICS, "partial_auc"], metric_params=PARAMS,
        n_boot=200, random_state=0,
    ).summary.set_index("metric")  # fmt: skip
    direct = threshold_statistics(y, risk, [THRESHOLD], n_boot=0).summary.iloc[0]
    for name in STATISTICS:
        assert table.loc[name, "estimate"] == pytest.approx(direct[name], abs=1e-12)
        assert table.loc[name, "low"] <= table.loc[name, "estimate"] <= table.loc[name, "high"]
        assert "stratified" in table.loc[name, "method"]
    pauc = partial_auc(y, risk, specificity=(0.8, 1.0), correct=True)
    assert table.loc["partial_auc", "estimate"] == pytest.approx(pauc, abs=1e-12)
    assert table.loc["partial_auc", "low"] < pauc < table.loc["partial_auc", "high"]
    # a sensitivity range and the raw area
    raw = evaluate_predictions(
        y, {"m": risk}, metrics=["partial_auc"], n_boot=50, random_state=0,
        metric_params={"partial_auc": {"sensitivity": [0.9, 1]}},
    ).summary  # fmt: skip
    assert raw["estimate"].iloc[0] == pytest.approx(
        partial_auc(y, risk, sensitivity=(0.9, 1)), abs=1e-12
    )


def test_the_bootstrap_form_equals_the_entry_on_every_resample():
    y, risk = _binary(n=60, seed=3)
    rng = np.random.default_rng(0)
    rows = rng.integers(0, len(y), size=(25, len(y)))
    for name in STATISTICS:
        metric = get_metric(name, "binary")
        batch = metric.batch(y[rows], risk[rows], threshold=0.35)
        for row, value in zip(rows, batch, strict=True):
            try:
                expected = metric.function(y[row], risk[row], threshold=0.35)
            except ValueError:  # undefined on this resample: the batch says NaN
                assert np.isnan(value)
                continue
            assert value == pytest.approx(expected, abs=1e-15)


def test_survival_entries_equal_the_ipcw_functions_at_the_horizon():
    outcome, risk = _survival()
    table = evaluate_predictions(
        outcome, {"m": risk}, metrics=[*STATISTICS, "partial_auc"], metric_params=PARAMS,
        horizon=365, n_boot=50, random_state=0,
    ).summary.set_index("metric")  # fmt: skip
    direct = threshold_statistics(outcome, risk, [THRESHOLD], horizon=365, n_boot=0).summary
    for name in STATISTICS:
        assert table.loc[name, "estimate"] == pytest.approx(direct[name].iloc[0], abs=1e-12)
        assert np.isfinite(table.loc[name, "low"])
    pauc = partial_auc(outcome, risk, specificity=(0.8, 1.0), correct=True, horizon=365)
    assert table.loc["partial_auc", "estimate"] == pytest.approx(pauc, abs=1e-12)
    with pytest.raises(ValueError, match="evaluated at a horizon"):
        evaluate_predictions(outcome, {"m": risk}, metrics=["sensitivity"],
                             metric_params=PARAMS, n_boot=30)  # fmt: skip


def test_bad_parameters_are_refused_with_the_fix():
    y, risk = _binary(n=100)

    def evaluate(metrics, params):
        return evaluate_predictions(y, {"m": risk}, metrics=metrics, metric_params=params,
                                    n_boot=30)  # fmt: skip

    with pytest.raises(ValueError, match=r"'sensitivity' is evaluated at a risk threshold.*"
                       r"metric_params=\{'sensitivity': \{'threshold': 0.2\}\}"):  # fmt: skip
        evaluate(["sensitivity"], None)
    with pytest.raises(ValueError, match=r"threshold' of ppv .* For 20% pass 0.2"):
        evaluate(["ppv"], {"ppv": {"threshold": 20}})
    with pytest.raises(ValueError, match="exactly one of specificity=.*or sensitivity="):
        evaluate(["partial_auc"], None)
    with pytest.raises(ValueError, match=r"got both \['specificity', 'sensitivity'\]"):
        evaluate(["partial_auc"], {"partial_auc": {"specificity": (0.8, 1),
                                                   "sensitivity": (0.8, 1)}})  # fmt: skip
    with pytest.raises(ValueError, match=r"0 <= low < high <= 1"):
        evaluate(["partial_auc"], {"partial_auc": {"specificity": (1, 0.8)}})
    with pytest.raises(TypeError, match="'correct' of partial_auc"):
        evaluate(["partial_auc"], {"partial_auc": {"specificity": (0.8, 1), "correct": "yes"}})


def test_an_undefined_ppv_is_reported_not_raised():
    y, risk = _binary(n=100)
    table = evaluate_predictions(
        y, {"m": risk}, metrics=["ppv"], metric_params={"ppv": {"threshold": 0.9999}}, n_boot=30
    ).summary
    assert np.isnan(table["estimate"].iloc[0])
    assert "nobody at or above the threshold" in table["method"].iloc[0]


# -- a study, its report and a study file ----------------------------------------------------------
def _cohort(n=300, seed=5):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    risk = 1 / (1 + np.exp(-(-1.2 + X["a"] - 0.7 * X["b"])))
    return rk.Cohort(X, rk.Outcome.binary(rng.random(n) < risk))


@needs_study_params
def test_a_study_summary_and_report_show_them(tmp_path):
    cohort = _cohort()
    metrics = ["auc", *STATISTICS, "partial_auc"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = rk.Study(
            cohort, models=["logistic"], metrics=metrics, metric_params=PARAMS, explain=None,
            progress=False, n_boot=50, random_state=0,
        ).run()  # fmt: skip
    summary = result.summary.set_index("metric")
    risk = result.predictions["logistic"].to_numpy()
    y = cohort.outcome.event.astype(int)
    direct = threshold_statistics(y, risk, [THRESHOLD], n_boot=0).summary.iloc[0]
    for name in STATISTICS:
        assert summary.loc[name, "estimate"] == pytest.approx(direct[name], abs=1e-12)
    assert summary.loc["partial_auc", "estimate"] == pytest.approx(
        partial_auc(y, risk, specificity=(0.8, 1.0), correct=True), abs=1e-12
    )
    result.report(tmp_path / "report.html")
    text = html.unescape((tmp_path / "report.html").read_text())
    for label in ("sensitivity", "specificity", "PPV", "NPV", "accuracy", "partial AUC"):
        assert label in text
    assert f"{summary.loc['sensitivity', 'estimate']:.3f}" in text


@needs_study_params
def test_the_study_threshold_is_the_default_of_every_metric_at_a_threshold():
    cohort = _cohort(n=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = rk.Study(
            cohort, models=["logistic"], metrics=["sensitivity", "net_benefit", "npv"],
            threshold=0.3, metric_params={"npv": {"threshold": 0.1}}, explain=None,
            progress=False, n_boot=50, random_state=0,
        ).run()  # fmt: skip
    summary = result.summary.set_index("metric")["estimate"]
    risk = result.predictions["logistic"].to_numpy()
    y = cohort.outcome.event.astype(int)
    stats = threshold_statistics(y, risk, [0.3, 0.1], n_boot=0).summary
    assert summary["sensitivity"] == pytest.approx(stats["sensitivity"].iloc[0], abs=1e-12)
    assert summary["npv"] == pytest.approx(stats["npv"].iloc[1], abs=1e-12)
    with pytest.raises(ValueError, match=r"'sensitivity' is evaluated at a risk threshold"):
        rk.Study(cohort, models=["logistic"], metrics=["sensitivity"], progress=False).run()


def _study_file_takes_metric_params() -> bool:
    from riskml.study_file import _load

    return "metric_params" in getattr(_load, "STUDY_KEYS", ())


@pytest.mark.skipif(
    not _study_file_takes_metric_params(),
    reason="the study file's metric_params key is not there yet (riskml/study_file, the lead's)",
)
def test_a_study_file_runs_with_them(tmp_path):
    """Oracle: the same study built with rk.Study in Python."""
    from riskml.cli import load_study_file, run_study_file

    path = tmp_path / "study.yaml"
    path.write_text(
        "cohort:\n  generator: make_young_hypertension\n"
        "  args: {n_patients: 200, random_state: 1}\n  outcome: binary\n"
        "models: [logistic]\nvalidation: 3\nn_boot: 50\nrandom_state: 3\nexplain: null\n"
        "metrics: [auc, sensitivity, specificity, partial_auc]\n"
        "metric_params:\n  sensitivity: {threshold: 0.2}\n  specificity: {threshold: 0.2}\n"
        "  partial_auc: {specificity: [0.8, 1.0], correct: true}\n"
        "report: {file: report.html}\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, report = run_study_file(path, tmp_path / "out", progress=False)
        study, _, _ = load_study_file(path)
        expected = rk.Study(
            study.cohort, models=["logistic"], validation=3, n_boot=50, random_state=3,
            explain=None, metrics=["auc", "sensitivity", "specificity", "partial_auc"],
            metric_params={"sensitivity": {"threshold": 0.2}, "specificity": {"threshold": 0.2},
                           "partial_auc": {"specificity": (0.8, 1.0), "correct": True}},
            progress=False,
        ).run()  # fmt: skip
    pd.testing.assert_frame_equal(result.summary, expected.summary)
    assert set(result.summary["metric"]) == {"auc", "sensitivity", "specificity", "partial_auc"}
    assert "partial AUC" in html.unescape(report.read_text())
