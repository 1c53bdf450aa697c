"""The metric registry is the one description of a metric (issue 25).

Oracles: the values the side tables held before they were removed (the report's
groups, the defaults, the no-information values, the interval names of
``metric_ci``), written out here, and the metric functions called by hand.
"""

import doctest

import numpy as np
import pytest

from riskml.evaluation import (
    _brier,
    _decision_curves,
    _metric_ci,
    _metric_registry,
    _metrics,
    _reclassification,
    _stability,
    default_metrics,
    evaluate_predictions,
    get_metric,
    metric_ci,
    registered_metric,
    registered_metrics,
)
from riskml.evaluation._decision_curves import net_benefit, net_benefit_at, net_benefit_survival


@pytest.mark.parametrize(
    "module",
    [
        _metric_registry,
        _metrics,
        _metric_ci,
        _brier,
        _decision_curves,
        _reclassification,
        _stability,
    ],
    ids=lambda m: m.__name__.rsplit(".", 1)[-1],
)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, raise_on_error=False)
    assert result.failed == 0


def test_the_entries_hold_what_the_side_tables_held():
    def names(kind, section):
        return [m.name for m in registered_metrics(kind, section=section)]

    assert names("binary", "calibration") == [
        "calibration_intercept",
        "calibration_slope",
        "o_e",
        "ici",
    ]
    assert names("survival", "calibration") == ["calibration_slope", "o_e", "ici"]
    assert names("binary", "overall") == names("survival", "overall") == ["brier", "ipa"]
    assert default_metrics("survival") == ("harrell_c",)
    for name in ("auc", "harrell_c", "uno_c", "td_auc"):
        kind = "binary" if name == "auc" else "survival"
        assert get_metric(name, kind).no_information == 0.5
    for kind in ("binary", "survival"):
        assert get_metric("brier", kind).no_information == "quadratic"
        assert get_metric("calibration_slope", kind).undefined_for_constant
        assert get_metric("ici", kind).expensive
    assert get_metric("calibration_slope", "survival").expensive
    assert not get_metric("calibration_slope", "binary").expensive
    assert sorted(get_metric("brier", "binary").intervals) == ["spiegelhalter", "wald"]


def test_net_benefit_helper_is_one_function_for_both_kinds():
    rng = np.random.default_rng(0)
    risk = rng.uniform(0.05, 0.6, 200)
    event = rng.random(200) < risk
    time = rng.exponential(300, 200)
    assert (
        net_benefit_at(event, risk, threshold=0.2) == net_benefit(event, risk, thresholds=[0.2])[0]
    )
    expected = net_benefit_survival(time, event, risk, 200.0, thresholds=[0.2])[0]
    assert net_benefit_at(time, event, risk, 200.0, threshold=0.2) == expected
    with pytest.raises(TypeError, match="binary outcome takes no convention"):
        net_benefit_at(event, risk, threshold=0.2, convention="dcurves")


def test_a_registered_probability_metric_works_in_metric_ci_and_evaluate_predictions():
    """Oracle: the function by hand on the data."""
    rng = np.random.default_rng(1)
    risk = rng.uniform(0.05, 0.6, 150)
    event = (rng.random(150) < risk).astype(int)

    def mean_risk_of_events(event, risk):
        return float(np.mean(np.asarray(risk)[np.asarray(event, bool)]))

    with registered_metric(
        "mean_risk_events", "binary", mean_risk_of_events, needs_probability=True
    ):
        ci = metric_ci("mean_risk_events", event, risk, n_boot=100, random_state=0)
        table = evaluate_predictions(
            event, {"m": risk}, metrics=["mean_risk_events"], n_boot=100, random_state=0
        ).summary
    assert ci.estimate == pytest.approx(mean_risk_of_events(event, risk), abs=1e-15)
    assert table.loc[0, "estimate"] == pytest.approx(ci.estimate, abs=1e-15)
    with pytest.raises(ValueError, match="must be a callable or one of"):
        metric_ci("mean_risk_events", event, risk)
