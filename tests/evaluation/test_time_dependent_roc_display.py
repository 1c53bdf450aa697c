"""TimeDependentRocDisplay: the cumulative/dynamic ROC curve at a horizon (IPCW).

Oracles: a brute-force O(n^2) computation written here from the definitions (the
reverse Kaplan-Meier G with events before censorings at a tied time, case weights
1 / G(T_i-), controls event-free at the horizon; Uno et al. 2007, Blanche et al.
2013), riskml's time_dependent_auc for the area, and scikit-learn's roc_curve of the
horizon label when nobody is censored before the horizon.
"""

import doctest

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_curve

from riskml.evaluation import TimeDependentRocDisplay, time_dependent_auc
from riskml.evaluation import _plots as plots_module


@pytest.fixture(autouse=True)
def _no_show_and_close(monkeypatch):
    def refuse():
        raise AssertionError("a display called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    plt.close("all")
    yield
    plt.close("all")


def _censored_data(n=160, seed=3):
    """Integer times (ties between events and censorings, censorings at the horizon)
    and risks rounded to tie some scores."""
    rng = np.random.default_rng(seed)
    marker = rng.normal(size=n)
    event_time = np.ceil(rng.exponential(40 * np.exp(-0.8 * marker)))
    censor_time = np.ceil(rng.uniform(5, 90, size=n))
    censor_time[:6] = 30.0  # censored exactly at the horizon used below
    time = np.minimum(event_time, censor_time)
    event = (event_time <= censor_time).astype(int)
    risk = np.round(1 / (1 + np.exp(-(marker + rng.normal(scale=0.7, size=n)))), 2)
    return time, event, risk


def _brute_force_g_left(time, event, at):
    """G(at-): the reverse Kaplan-Meier just before ``at``; at a tied time events
    leave the risk set before the censorings."""
    g = 1.0
    for s in np.unique(time[event == 0]):
        if s >= at:
            break
        censored = np.sum((time == s) & (event == 0))
        at_risk = np.sum(time > s) + censored
        g *= 1.0 - censored / at_risk
    return g


def _brute_force_curve(time, event, risk, horizon, thresholds):
    """IPCW sensitivity and 1 - specificity at each threshold (risk >= threshold)."""
    cases = (event == 1) & (time <= horizon)
    controls = (time >= horizon) & ~cases
    weight = np.array([1.0 / _brute_force_g_left(time, event, t) for t in time[cases]])
    tpr = [np.sum(weight * (risk[cases] >= c)) / weight.sum() for c in thresholds]
    fpr = [np.mean(risk[controls] >= c) for c in thresholds]
    pairs = sum(
        w * (np.sum(r > risk[controls]) + 0.5 * np.sum(r == risk[controls]))
        for w, r in zip(weight, risk[cases], strict=True)
    )
    auc = pairs / (weight.sum() * controls.sum())
    return np.array(fpr), np.array(tpr), auc


def test_curve_points_equal_a_brute_force_ipcw_computation():
    """Oracle: the brute-force IPCW sensitivity/specificity and O(n^2) weighted AUC."""
    time, event, risk = _censored_data()
    horizon = 30.0
    display = TimeDependentRocDisplay.from_predictions(time, event, risk, horizon, name="m")
    thresholds = display.thresholds["m"]
    assert np.isinf(thresholds[0])
    fpr, tpr, auc = _brute_force_curve(time, event, risk, horizon, thresholds)
    np.testing.assert_allclose(display.fpr["m"], fpr, rtol=0, atol=1e-12)
    np.testing.assert_allclose(display.tpr["m"], tpr, rtol=0, atol=1e-12)
    assert display.roc_auc["m"] == pytest.approx(auc, abs=1e-12)
    # the data exercise what the weights are about
    assert np.sum((time == horizon) & (event == 0)) >= 1
    assert 0 < display.n_cases < len(time) and 0 < display.n_controls < len(time)
    assert display.n_cases + display.n_controls < len(time)  # some censored before h


@pytest.mark.parametrize("censoring_weights", ["before", "at", "riskRegression"])
def test_area_equals_time_dependent_auc(censoring_weights):
    """Oracle: riskml's time_dependent_auc at the horizon, and the trapezoidal area
    under the drawn curve."""
    time, event, risk = _censored_data(seed=11)
    other = np.round(risk + np.random.default_rng(0).normal(scale=0.2, size=risk.shape), 2)
    display = TimeDependentRocDisplay.from_predictions(
        time, event, {"a": risk, "b": other}, 35, censoring_weights=censoring_weights
    )
    for name, score in {"a": risk, "b": other}.items():
        expected = time_dependent_auc(
            time, event, score, [35], censoring_weights=censoring_weights
        )[0]
        assert display.roc_auc[name] == pytest.approx(expected, abs=1e-12)
        area = np.trapezoid(display.tpr[name], display.fpr[name])
        assert area == pytest.approx(expected, abs=1e-12)
        assert f"AUC(35) = {expected:.3f}" in display.lines_[name].get_label()
    assert display.censoring_weights == censoring_weights


def test_without_censoring_before_the_horizon_it_is_the_plain_roc_of_the_label():
    """Oracle: sklearn roc_curve of the label at the horizon (all weights are 1)."""
    rng = np.random.default_rng(5)
    time = rng.integers(1, 100, size=120).astype(float)
    event = np.where(time < 60, 1, rng.integers(0, 2, size=120))  # censoring only after 60
    risk = rng.random(120)
    display = TimeDependentRocDisplay.from_predictions(time, event, pd.Series(risk, name="s"), 50)
    label = (time <= 50) & (event == 1)
    fpr, tpr, _ = roc_curve(label, risk)
    np.testing.assert_allclose(display.fpr["s"], fpr)
    np.testing.assert_allclose(display.tpr["s"], tpr)


def test_without_ax_draws_on_a_registered_pyplot_figure_and_returns_the_display():
    time, event, risk = _censored_data()
    assert plt.get_fignums() == []
    display = TimeDependentRocDisplay.from_predictions(
        time, event, pd.DataFrame({"x": risk, "y": -risk}), 30
    )
    assert isinstance(display, TimeDependentRocDisplay)
    assert plt.get_fignums() == [display.figure_.number]
    assert display.figure_ is display.ax_.figure
    assert set(display.lines_) == {"x", "y"}
    assert display.roc_auc["y"] == pytest.approx(1 - display.roc_auc["x"], abs=1e-12)
    assert "30" in display.ax_.get_xlabel() and "IPCW" in display.ax_.get_ylabel()
    _, ax = plt.subplots()
    again = TimeDependentRocDisplay.from_predictions(
        time, event, risk, 30, ax=ax, chance_level=False
    )
    assert again.ax_ is ax and len(ax.lines) == 1
    assert len(plt.get_fignums()) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        pytest.param(
            {"horizon": 500}, ValueError, "needs cases .* and controls", id="beyond-follow-up"
        ),
        pytest.param(
            {"horizon": "30"}, TypeError, "horizon of TimeDependentRocDisplay", id="text-horizon"
        ),
        pytest.param(
            {"risk": [0.1, np.nan] + [0.5] * 158}, ValueError, "1 NaN value", id="nan-risk"
        ),
        pytest.param({"risk": [0.1, 0.2]}, ValueError, "one value per patient", id="length"),
        pytest.param(
            {"censoring_weights": "after"}, ValueError, "'censoring_weights' parameter", id="cw"
        ),
        pytest.param({"risk": {}}, ValueError, "at least one model", id="no-model"),
    ],
)
def test_bad_inputs_are_refused_with_a_clear_message(kwargs, error, message):
    time, event, risk = _censored_data()
    arguments = {"risk": risk, "horizon": 30, **kwargs}
    with pytest.raises(error, match=message):
        TimeDependentRocDisplay.from_predictions(
            time,
            event,
            arguments.pop("risk"),
            arguments.pop("horizon"),
            **arguments,
        )


def test_module_examples_run():
    result = doctest.testmod(plots_module, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0
