"""Uno's C and the cumulative/dynamic AUC against scikit-survival and brute force.

scikit-survival (GPL-3) is a test-only oracle: it is imported here, never by riskml.
"""

import doctest
import itertools

import numpy as np
import pytest

from riskml.evaluation import _ipcw, integrated_time_dependent_auc, time_dependent_auc, uno_c

sksurv_metrics = pytest.importorskip("sksurv.metrics")
Surv = pytest.importorskip("sksurv.util").Surv


def cohort(seed, n, max_time=60, n_risks=40):
    """Whole-day times (ties), tied risks; the longest follow-up is a lone censoring.

    The lone last censoring keeps the censoring survival G above 0 at every event
    time, which scikit-survival requires.
    """
    rng = np.random.default_rng(seed)
    time = rng.integers(1, max_time, n).astype(float)
    event = rng.random(n) < 0.5
    time[0], event[0] = max_time + 1, False
    risk = rng.integers(0, n_risks, n) / 7.0
    return time, event, risk


def brute_force_uno(time, event, risk, tau, g):
    """Uno's C from its definition, pair by pair, with the weights G(T_i)^-2 given."""
    numerator = denominator = 0.0
    for i, j in itertools.permutations(range(len(time)), 2):
        after = time[j] > time[i] or (time[j] == time[i] and not event[j])
        if not (event[i] and after and (tau is None or time[i] < tau)):
            continue
        w = g(time[i]) ** -2
        denominator += w
        numerator += w * ((risk[i] > risk[j]) + 0.5 * (risk[i] == risk[j]))
    return numerator / denominator


@pytest.mark.parametrize("tau", [None, 40.0], ids=["no-tau", "tau-40"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uno_c_matches_sksurv(seed, tau):
    """Oracle: sksurv.metrics.concordance_index_ipcw, G from the same and from training data."""
    time, event, risk = cohort(seed, 250)
    train_time, train_event, _ = cohort(seed + 10, 300, max_time=70)
    y, y_train = Surv.from_arrays(event, time), Surv.from_arrays(train_event, train_time)
    same = sksurv_metrics.concordance_index_ipcw(y, y, risk, tau=tau)[0]
    assert uno_c(time, event, risk, tau=tau) == pytest.approx(same, abs=1e-10)
    other = sksurv_metrics.concordance_index_ipcw(y_train, y, risk, tau=tau)[0]
    riskml_other = uno_c(time, event, risk, tau=tau, train_time=train_time, train_event=train_event)
    assert riskml_other == pytest.approx(other, abs=1e-10)


def test_uno_c_equals_brute_force_definition():
    """Oracle: the pairwise definition (Uno 2011, eq. 6) with sksurv's censoring KM."""
    time, event, risk = cohort(4, 60, max_time=15, n_risks=6)
    estimator = pytest.importorskip("sksurv.nonparametric").CensoringDistributionEstimator()
    estimator.fit(Surv.from_arrays(event, time))

    def g(t):
        return float(estimator.predict_proba(np.array([t]))[0])

    for tau in (None, 10.0):
        expected = brute_force_uno(time, event, risk, tau, g)
        assert uno_c(time, event, risk, tau=tau) == pytest.approx(expected, abs=1e-12)


def test_uno_c_without_censoring_is_harrell_c():
    """Oracle: with no censoring every weight is 1, so Uno's C is Harrell's C."""
    from riskml.evaluation import concordance_index

    rng = np.random.default_rng(3)
    time = rng.integers(1, 30, 80).astype(float)
    event = np.ones(80, dtype=bool)
    risk = rng.normal(size=80)
    assert uno_c(time, event, risk) == pytest.approx(concordance_index(time, event, risk), 1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_time_dependent_auc_matches_sksurv(seed):
    """Oracle: sksurv.metrics.cumulative_dynamic_auc, 1-D and per-horizon risks, mean AUC."""
    time, event, risk = cohort(seed, 250)
    train_time, train_event, _ = cohort(seed + 10, 300, max_time=70)
    y, y_train = Surv.from_arrays(event, time), Surv.from_arrays(train_event, train_time)
    times = np.array([10.0, 20.0, 30.0, 45.0])
    expected, expected_mean = sksurv_metrics.cumulative_dynamic_auc(y_train, y, risk, times)
    kwargs = dict(train_time=train_time, train_event=train_event, censoring_weights="at")
    auc = time_dependent_auc(time, event, risk, times, **kwargs)
    mean = integrated_time_dependent_auc(time, event, risk, times, **kwargs)
    np.testing.assert_allclose(auc, expected, rtol=0, atol=1e-10)
    assert mean == pytest.approx(expected_mean, abs=1e-10)
    per_horizon = np.random.default_rng(seed).random((250, 4))
    expected, expected_mean = sksurv_metrics.cumulative_dynamic_auc(y, y, per_horizon, times)
    auc = time_dependent_auc(time, event, per_horizon, times, censoring_weights="at")
    mean = integrated_time_dependent_auc(time, event, per_horizon, times, censoring_weights="at")
    np.testing.assert_allclose(auc, expected, rtol=0, atol=1e-10)
    assert mean == pytest.approx(expected_mean, abs=1e-10)


def test_time_dependent_auc_without_censoring_before_horizon_is_plain_auc():
    """Oracle: sklearn roc_auc_score of "event by t" when nobody is censored before t."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(8)
    time = rng.integers(1, 50, 120).astype(float)
    event = np.ones(120, dtype=bool)
    event[time > 30] = rng.random(int((time > 30).sum())) < 0.5  # censoring only after 30
    risk = rng.normal(size=120) - time / 20
    label = (time <= 25).astype(int)
    assert time_dependent_auc(time, event, risk, 25)[0] == pytest.approx(
        roc_auc_score(label, risk), abs=1e-12
    )


@pytest.mark.parametrize(
    "call,error,match",
    [
        (
            lambda t, e, r: uno_c(t, e, r, tau=0),
            ValueError,
            r"The 'tau' parameter of uno_c must be a positive number .* Got 0 instead",
        ),
        (
            lambda t, e, r: uno_c(t, e, r, train_time=t),
            ValueError,
            r"uno_c needs both train_time and train_event .* got only one of them",
        ),
        (
            lambda t, e, r: uno_c(t, e, r, tau=0.5),
            ValueError,
            r"uno_c is undefined: no comparable pair has its earlier event before tau=0.5",
        ),
        (
            lambda t, e, r: time_dependent_auc(t, e, r, [20, 10, 20]),
            ValueError,
            r"times of time_dependent_auc must not repeat a horizon; got \[20.0, 10.0, 20.0\]",
        ),
        (
            lambda t, e, r: time_dependent_auc(t, e, r, [500.0]),
            ValueError,
            r"undefined at horizon 500: it has \d+ case\(s\) .* and 0 control\(s\)",
        ),
        (
            lambda t, e, r: time_dependent_auc(t, e, np.c_[r, r], [10.0]),
            ValueError,
            r"risk of time_dependent_auc has 2 columns but there are 1 horizons",
        ),
        (
            lambda t, e, r: time_dependent_auc(t, e, r, []),
            ValueError,
            r"times of time_dependent_auc must be a non-empty 1-D array",
        ),
    ],
    ids=["tau-0", "train-half", "tau-too-early", "times-order", "no-controls", "columns", "empty"],
)
def test_input_messages(call, error, match):
    """Every message of uno_c's and time_dependent_auc's checks (no oracle: error contract)."""
    time, event, risk = cohort(0, 50)
    with pytest.raises(error, match=match):
        call(time, event, risk)


def test_zero_censoring_survival_is_refused():
    """An event after the last censoring-free time has weight 1/0: a clear error.

    Oracle: G drops to 0 at time 5 (the only patient still at risk there is censored),
    so the event at time 6 would get an infinite weight.
    """
    time = np.array([1.0, 2, 3, 5, 6])
    event = np.array([1, 0, 1, 0, 1], dtype=bool)
    risk = np.array([0.5, 0.1, 0.4, 0.3, 0.2])
    train_time, train_event = np.array([1.0, 2, 5]), np.array([1, 0, 0], dtype=bool)
    with pytest.raises(ValueError, match=r"the censoring survival function G is 0 at time 6.0"):
        uno_c(time, event, risk, train_time=train_time, train_event=train_event)


def test_docstring_examples_run():
    """Oracle: the values in the Examples (checked against sksurv in a Python session)."""
    result = doctest.testmod(_ipcw, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0
