"""A metric of one's own, registered from outside riskml, flows through a Study.

``riskml.evaluation.register_metric`` adds a binary metric ("sensitivity at 20%
risk") and a time-to-event metric at the horizon ("sensitivity at 20% risk among the
events by the horizon"); nothing in riskml is edited. Each must appear in
``Study(...).run()``'s summary, in its internal validation (``result.optimism``) and
in the HTML report.

Oracles: the metric function called by hand on the study's own predictions (the
out-of-fold risks of cross-validation; the whole-cohort fit's risks, which internal
validation reports as its apparent performance), and ``corrected = apparent -
optimism`` by definition.
"""

import html
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.evaluation import (
    InternalValidation,
    get_metric_names,
    register_metric,
    registered_metric,
    unregister_metric,
)

THRESHOLD = 0.2
HORIZON = 365.0


def sensitivity_at_20(event, risk):
    """Share of the patients with the event whose predicted risk is at least 20%."""
    event, risk = np.asarray(event, bool), np.asarray(risk, float)
    if not event.any():
        raise ValueError("no events: the sensitivity is undefined")
    return float(np.mean(risk[event] >= THRESHOLD))


def sensitivity_at_20_by_horizon(time, event, risk, horizon):
    """The same among the patients with the event by the horizon (a plain count)."""
    cases = np.asarray(event, bool) & (np.asarray(time, float) <= horizon)
    return sensitivity_at_20(cases, risk)


def _binary_cohort(n=300, seed=3):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a", "b", "c", "d"])
    risk = 1 / (1 + np.exp(-(-1.2 + X["a"] - 0.7 * X["b"])))
    return rk.Cohort(X, rk.Outcome.binary(rng.random(n) < risk))


def _survival_cohort(n=300, seed=4):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    hazard = np.exp(0.8 * X["a"] - 0.5 * X["b"]) / 700.0
    event_time = rng.exponential(1 / hazard)
    censor_time = rng.uniform(200, 1500, n)
    time = np.minimum(event_time, censor_time)
    return rk.Cohort(X, rk.Outcome.survival(time, event_time <= censor_time))


def _run(cohort, **settings):
    options = {"explain": None, "progress": False, "n_boot": 50, "random_state": 0}
    options.update(settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rk.Study(cohort, **options).run()


def _performance_table(result, tmp_path) -> str:
    text = result.report(tmp_path / "report.html")
    text = (tmp_path / "report.html").read_text() if not isinstance(text, str) else text
    start = text.index('id="performance"')
    return html.unescape(text[start : text.index("</section>", start)])


@pytest.fixture
def binary_metric():
    with registered_metric(
        "sensitivity_20",
        "binary",
        sensitivity_at_20,
        label="sensitivity at 20% risk",
        needs_probability=True,
        percent=True,
        decimals=1,
    ) as metric:
        yield metric
    assert "sensitivity_20" not in get_metric_names("binary")  # nothing leaks


@pytest.fixture
def survival_metric():
    with registered_metric(
        "sensitivity_20_h",
        "survival",
        sensitivity_at_20_by_horizon,
        label="sensitivity at 20% risk",
        needs_horizon=True,
        needs_probability=True,
    ) as metric:
        yield metric
    assert "sensitivity_20_h" not in get_metric_names("survival")


def test_binary_metric_in_the_summary_and_the_report(binary_metric, tmp_path):
    cohort = _binary_cohort()
    result = _run(cohort, models=["logistic"], validation=5, metrics=["auc", "sensitivity_20"])
    row = result.summary.set_index("metric").loc["sensitivity_20"]
    expected = sensitivity_at_20(cohort.outcome.event, result.predictions["logistic"])
    assert row["estimate"] == pytest.approx(expected, abs=1e-12)
    assert row["low"] <= row["estimate"] <= row["high"]
    assert "bootstrap" in row["method"]

    table = _performance_table(result, tmp_path)
    assert "sensitivity at 20% risk" in table
    assert f"{100 * expected:.1f}%" in table  # the registry's format: percent, 1 decimal


def test_binary_metric_in_internal_validation(binary_metric, tmp_path):
    cohort = _binary_cohort()
    result = _run(
        cohort,
        models=["logistic"],
        validation=InternalValidation("cv_optimism", cv=4),
        metrics=["auc", "sensitivity_20"],
    )
    row = result.optimism.set_index("metric").loc["sensitivity_20"]
    # apparent: the whole-cohort fit's predictions, which the study reports
    expected = sensitivity_at_20(cohort.outcome.event, result.predictions["logistic"])
    assert row["apparent"] == pytest.approx(expected, abs=1e-12)
    assert row["corrected"] == pytest.approx(row["apparent"] - row["optimism"], abs=1e-12)
    assert np.isfinite(row["optimism"])
    summary = result.summary.set_index("metric").loc["sensitivity_20"]
    assert summary["corrected"] == pytest.approx(row["corrected"], abs=1e-12)

    text = result.report(tmp_path / "report.html")
    text = (tmp_path / "report.html").read_text() if not isinstance(text, str) else text
    start = text.index('id="optimism"')
    optimism = html.unescape(text[start : text.index("</section>", start)])
    assert "sensitivity at 20% risk" in optimism
    assert f"{100 * expected:.1f}%" in optimism


def test_survival_metric_at_the_horizon(survival_metric, tmp_path):
    cohort = _survival_cohort()
    result = _run(
        cohort,
        models=["cox"],
        validation=5,
        horizon=HORIZON,
        metrics=["harrell_c", "sensitivity_20_h"],
    )
    row = result.summary.set_index("metric").loc["sensitivity_20_h"]
    outcome = cohort.outcome
    expected = sensitivity_at_20_by_horizon(
        outcome.time, outcome.event, result.predictions["cox"], HORIZON
    )
    assert row["estimate"] == pytest.approx(expected, abs=1e-12)
    # the events of a metric at the horizon are those by the horizon
    assert row["events"] == int(np.sum(outcome.event & (outcome.time <= HORIZON)))

    table = _performance_table(result, tmp_path)
    assert f"sensitivity at 20% risk at {HORIZON:g} days" in table
    assert re.search(rf"{expected:.3f}", table)


def test_register_metric_refuses_what_it_cannot_use():
    with pytest.raises(ValueError, match="riskml's own binary metric and cannot be replaced"):
        register_metric("auc", "binary", sensitivity_at_20)
    with pytest.raises(ValueError, match="'outcome_kind' must be 'binary' or 'survival'"):
        register_metric("x_metric", "ordinal", sensitivity_at_20)
    with pytest.raises(TypeError, match="'function' must be callable"):
        register_metric("x_metric", "binary", 0.2)
    with pytest.raises(TypeError, match=r"\['colour'\] are not properties of a Metric"):
        register_metric("x_metric", "binary", sensitivity_at_20, colour="red")
    with pytest.raises(ValueError, match="direction='target' needs target="):
        register_metric("x_metric", "binary", sensitivity_at_20, direction="target")
    with pytest.raises(ValueError, match="no binary metric 'x_metric' was registered"):
        unregister_metric("x_metric", "binary")
    with pytest.raises(ValueError, match="riskml's own survival metric"):
        unregister_metric("harrell_c", "survival")
    with registered_metric("x_metric", "binary", sensitivity_at_20):
        with pytest.raises(ValueError, match="registered already; pass replace_existing=True"):
            register_metric("x_metric", "binary", sensitivity_at_20)
        replaced = register_metric(
            "x_metric", "binary", sensitivity_at_20, label="X", replace_existing=True
        )
        assert replaced.label == "X"
    assert "x_metric" not in get_metric_names()
