"""Percentile-bootstrap intervals: seeding, vectorised kernels equal to naive loops."""

import dataclasses
import doctest
import re
import warnings

import numpy as np
import pytest

from riskml.evaluation import (
    ConfidenceInterval,
    _bootstrap,
    bootstrap_ci,
    concordance_index,
    concordance_index_ci,
    roc_auc,
    roc_auc_ci,
)
from riskml.evaluation._bootstrap import (
    _concordance_replicates,
    _resample_chunks,
    _roc_auc_replicates,
)
from riskml.evaluation._discrimination import _ConcordanceKernel


def binary_data(seed=0, n=150):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    score = np.round(rng.normal(size=n) + y, 1)  # rounded: ties
    return y, score


def survival_data(seed=0, n=120):
    rng = np.random.default_rng(seed)
    time = rng.integers(1, 25, n).astype(float)  # tied times
    event = rng.random(n) < 0.4
    risk = np.round(rng.normal(size=n) - 0.05 * time, 1)  # tied risks
    return time, event, risk


def all_indices(n, n_boot, seed, strata=None, chunk_size=None):
    rng = np.random.default_rng(seed)
    return np.concatenate(list(_resample_chunks(n, n_boot, rng, strata, chunk_size)))


# -- seeding and the draw protocol ----------------------------------------------------
def test_same_seed_same_interval_and_different_seed_differs():
    """Oracle: determinism of numpy.random.default_rng(seed)."""
    y, score = binary_data()
    first = roc_auc_ci(y, score, n_boot=300, random_state=3)
    assert roc_auc_ci(y, score, n_boot=300, random_state=3) == first
    other = roc_auc_ci(y, score, n_boot=300, random_state=4)
    assert (other.low, other.high) != (first.low, first.high)
    time, event, risk = survival_data()
    c_first = concordance_index_ci(time, event, risk, n_boot=200, random_state=3)
    assert concordance_index_ci(time, event, risk, n_boot=200, random_state=3) == c_first
    c_other = concordance_index_ci(time, event, risk, n_boot=200, random_state=4)
    assert (c_other.low, c_other.high) != (c_first.low, c_first.high)


def test_bootstrap_ci_equals_explicit_draws_and_numpy_quantile():
    """Oracle: a hand loop of rng.integers(0, n, n) draws and numpy.quantile (linear)."""
    x = np.random.default_rng(1).normal(size=40)
    rng = np.random.default_rng(11)
    means = [x[rng.integers(0, 40, size=40)].mean() for _ in range(500)]
    low, high = np.quantile(means, [0.05, 0.95])
    ci = bootstrap_ci(np.mean, x, n_boot=500, confidence=0.9, random_state=11)
    assert (ci.estimate, ci.low, ci.high) == pytest.approx((x.mean(), low, high), abs=1e-12)
    assert (ci.n_boot, ci.n_degenerate, ci.confidence) == (500, 0, 0.9)


def test_draws_do_not_depend_on_chunk_size():
    """Oracle: the same draws cut into chunks of 1, 7 and the default size."""
    y, _ = binary_data()
    reference = all_indices(150, 20, 5, strata=y)
    for chunk_size in (1, 7):
        np.testing.assert_array_equal(all_indices(150, 20, 5, y, chunk_size), reference)


def test_stratified_resampling_keeps_class_counts():
    """Oracle: the observed class counts; every index stays in its own stratum."""
    y, _ = binary_data()
    indices = all_indices(150, 50, 0, strata=y)
    np.testing.assert_array_equal(y[indices].sum(axis=1), np.full(50, y.sum()))
    n_neg = int((y == 0).sum())
    assert (y[indices[:, :n_neg]] == 0).all() and (y[indices[:, n_neg:]] == 1).all()


# -- fast equals slow -----------------------------------------------------------------
def test_vectorised_auc_replicates_equal_naive_loop():
    """Oracle: roc_auc called on each resample (same index draws), to 1e-12."""
    y, score = binary_data(2, 200)
    indices = all_indices(200, 300, 9, strata=y)
    event = y.astype(bool)
    fast = _roc_auc_replicates(event, score.astype(float), indices)
    slow = np.array([roc_auc(y[rows], score[rows]) for rows in indices])
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)


def test_roc_auc_ci_equals_generic_bootstrap():
    """Oracle: bootstrap_ci(roc_auc, ..., stratify=y_true) replicate by replicate."""
    y, score = binary_data(3, 180)
    fast = roc_auc_ci(y, score, n_boot=400, confidence=0.9, random_state=2)
    slow = bootstrap_ci(roc_auc, y, score, n_boot=400, confidence=0.9, stratify=y, random_state=2)
    assert (fast.estimate, fast.low, fast.high) == pytest.approx(
        (slow.estimate, slow.low, slow.high), abs=1e-12
    )
    assert fast.n_degenerate == slow.n_degenerate == 0
    assert fast.method == "percentile bootstrap, stratified by class"


def test_vectorised_concordance_replicates_equal_naive_loop():
    """Oracle: concordance_index called on each resample (same index draws), to 1e-12."""
    time, event, risk = survival_data(4, 90)
    indices = all_indices(90, 200, 8)
    fast = _concordance_replicates(_ConcordanceKernel(time, event, risk, cache=True), indices)
    slow = np.array([concordance_index(time[r], event[r], risk[r]) for r in indices])
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)


def test_concordance_index_ci_equals_generic_bootstrap_including_degenerate():
    """Oracle: bootstrap_ci(concordance_index, ...) on a tiny cohort with two events.

    With 8 patients and 2 events many resamples draw no event (C undefined); both
    paths must count the same degenerate replicates and agree on the interval.
    """
    time = np.array([2.0, 3, 5, 7, 11, 13, 17, 19])
    event = np.array([0, 1, 0, 0, 1, 0, 0, 0], dtype=bool)
    risk = np.array([0.2, 0.9, 0.1, 0.4, 0.6, 0.3, 0.5, 0.7])
    fast = concordance_index_ci(time, event, risk, n_boot=500, random_state=1)
    slow = bootstrap_ci(concordance_index, time, event, risk, n_boot=500, random_state=1)
    assert fast.n_degenerate == slow.n_degenerate > 0
    assert (fast.estimate, fast.low, fast.high) == pytest.approx(
        (slow.estimate, slow.low, slow.high), abs=1e-12
    )
    # independent count: a resample is degenerate when it has no comparable pair
    indices = all_indices(8, 500, 1)
    undefined = sum(
        not any(event[r][i] and time[r][i] < time[r][j] for i in range(8) for j in range(8))
        for r in indices
    )
    assert fast.n_degenerate == undefined


# -- degenerate replicates ------------------------------------------------------------
@pytest.mark.parametrize("undefined", ["nan", "value-error"])
def test_nan_and_value_error_replicates_are_counted_not_kept(undefined):
    """Oracle: replaying the draws; the statistic is undefined when row 0 is not drawn."""

    def mean_if_zero_drawn(x):
        if not (x == 0).any():
            if undefined == "nan":
                return np.nan
            raise ValueError("undefined")
        return x.mean()

    x = np.arange(6.0)
    rng = np.random.default_rng(5)
    zero_missing = sum(not (rng.integers(0, 6, size=6) == 0).any() for _ in range(300))
    ci = bootstrap_ci(mean_if_zero_drawn, x, n_boot=300, random_state=5)
    assert ci.n_degenerate == zero_missing > 0
    assert np.isfinite([ci.low, ci.high]).all()
    assert ci.n_boot == 300


def test_nan_estimate_raises():
    """A statistic undefined on the full data: an error, never a NaN estimate."""
    with pytest.raises(ValueError, match=r"the statistic is NaN on the full data"):
        bootstrap_ci(lambda x: np.nan, np.arange(5.0), n_boot=40, random_state=0)


def test_all_degenerate_replicates_raise():
    """Every replicate undefined: an error, never a silent NaN interval."""

    def undefined_on_resamples(x):
        if x is not data:
            raise ValueError("one class only")
        return 0.5

    data = np.arange(5.0)
    with pytest.raises(
        ValueError,
        match=r"all 40 bootstrap replicates were degenerate.*"
        r"The statistic said: one class only",
    ):
        bootstrap_ci(undefined_on_resamples, data, n_boot=40, random_state=0)


# -- parameter validation -------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (
            {"n_boot": 0},
            ValueError,
            r"The 'n_boot' parameter of roc_auc_ci must be an int in the range \[1, inf\)\. "
            r"Got 0 instead\.",
        ),
        ({"n_boot": 2.5}, TypeError, r"'n_boot' parameter of roc_auc_ci .* Got 2\.5 instead"),
        ({"n_boot": True}, TypeError, r"'n_boot' parameter of roc_auc_ci .* Got True instead"),
        (
            {"confidence": 1.5},
            ValueError,
            r"The 'confidence' parameter of roc_auc_ci must be a float in the range \(0, 1\)\. "
            r"Got 1\.5 instead\.",
        ),
        ({"confidence": 0}, ValueError, r"'confidence' parameter .* Got 0 instead"),
        ({"confidence": "95%"}, TypeError, r"'confidence' parameter .* Got '95%' instead"),
        (
            {"random_state": "a"},
            TypeError,
            r"The 'random_state' parameter of roc_auc_ci must be an int in the range \[0, inf\), "
            r"a numpy.random.Generator or None\. Got 'a' instead\.",
        ),
        ({"random_state": -1}, ValueError, r"'random_state' parameter .* Got -1 instead"),
    ],
    ids=[
        "n_boot-0",
        "n_boot-float",
        "n_boot-bool",
        "confidence-1.5",
        "confidence-0",
        "confidence-str",
        "random_state-str",
        "random_state-negative",
    ],
)
def test_roc_auc_ci_parameter_messages(kwargs, error, match):
    """sklearn's message shape for every bad parameter (no oracle: error contract)."""
    y, score = binary_data()
    with pytest.raises(error, match=match):
        roc_auc_ci(y, score, **kwargs)


def test_concordance_index_ci_and_bootstrap_ci_name_themselves():
    """The function named in the message is the one called."""
    time, event, risk = survival_data()
    with pytest.raises(ValueError, match=r"'n_boot' parameter of concordance_index_ci"):
        concordance_index_ci(time, event, risk, n_boot=0)
    with pytest.raises(ValueError, match=r"'n_boot' parameter of bootstrap_ci .* Got -3"):
        bootstrap_ci(np.mean, risk, n_boot=-3)


@pytest.mark.parametrize(
    "args,kwargs,error,match",
    [
        (
            ("mean", np.arange(3.0)),
            {},
            TypeError,
            r"The 'statistic' parameter of bootstrap_ci must be a callable\. Got 'mean'",
        ),
        ((np.mean,), {}, ValueError, r"needs at least one array to resample"),
        (
            (np.mean, np.arange(3.0), np.arange(4.0)),
            {},
            ValueError,
            r"equal lengths; got lengths \[3, 4\]",
        ),
        (
            (np.mean, np.arange(3.0)),
            {"stratify": [0, 1]},
            ValueError,
            r"stratify of bootstrap_ci must hold one label per row \(3\); got shape \(2,\)",
        ),
    ],
    ids=["not-callable", "no-arrays", "lengths", "stratify-shape"],
)
def test_bootstrap_ci_input_messages(args, kwargs, error, match):
    """Messages of bootstrap_ci's own checks (no oracle: error contract)."""
    with pytest.raises(error, match=match):
        bootstrap_ci(*args, **kwargs)


# -- the result object ----------------------------------------------------------------
def test_confidence_interval_repr_dict_and_frozen():
    """Oracle: the field values it was built from."""
    ci = ConfidenceInterval(0.81234, 0.79, 0.8345, 0.95, 2000, 3, "percentile bootstrap")
    assert repr(ci) == (
        "ConfidenceInterval(0.8123, 95% CI 0.7900 to 0.8345; percentile "
        "bootstrap, 2000 replicates, 3 degenerate)"
    )
    assert ci.as_dict() == {
        "estimate": 0.81234,
        "low": 0.79,
        "high": 0.8345,
        "confidence": 0.95,
        "n_boot": 2000,
        "n_degenerate": 3,
        "method": "percentile bootstrap",
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        ci.low = 0.0


def test_docstring_examples_run():
    """Oracle: the hand-computed values in the numpydoc Examples."""
    result = doctest.testmod(_bootstrap, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_vectorised_auc_marks_one_class_resamples_like_the_loop():
    """Oracle: roc_auc raising on each unstratified resample that lacks a class."""
    y = np.array([0, 0, 0, 1, 0, 0])
    score = np.array([0.1, 0.5, 0.3, 0.4, 0.2, 0.6])
    indices = all_indices(6, 200, 3)
    fast = _roc_auc_replicates(y.astype(bool), score, indices)
    one_class = [len(set(y[rows])) < 2 for rows in indices]
    np.testing.assert_array_equal(np.isnan(fast), one_class)
    defined = ~np.isnan(fast)
    slow = [roc_auc(y[rows], score[rows]) for rows in indices[defined]]
    np.testing.assert_allclose(fast[defined], slow, rtol=0, atol=1e-12)
    ci = bootstrap_ci(roc_auc, y, score, n_boot=200, random_state=3)
    assert ci.n_degenerate == sum(one_class) > 0


# -- threads and batches --------------------------------------------------------------
@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of a few replicates, so that threads get many chunks at these sizes."""
    monkeypatch.setattr(_bootstrap, "_CHUNK_CELLS", 2000)


def test_threads_give_the_same_interval_and_first_error(monkeypatch):
    """Oracle: the serial run and a replay of the draws; threads evaluate chunks of five
    replicates (60 chunks), the draws stay in one thread, in order.

    A statistic undefined on some resamples gives the serial interval and count of
    degenerate replicates; one undefined on every resample raises with the message of
    the first draw in serial order, whichever chunk finishes first.
    """
    monkeypatch.setattr(_bootstrap, "_CHUNK_CELLS", 30)
    x = np.arange(6.0)

    def mean_if_zero_drawn(sample):
        if not (sample == 0).any():
            raise ValueError("no zero drawn")
        return sample.mean()

    serial = bootstrap_ci(mean_if_zero_drawn, x, n_boot=300, random_state=5)
    threaded = bootstrap_ci(mean_if_zero_drawn, x, n_boot=300, random_state=5, n_jobs=2)
    assert threaded == serial
    assert serial.n_degenerate > 0

    def only_on_the_data(sample):
        if not np.array_equal(sample, x):
            raise ValueError(f"undefined; draw begins {sample[:3].tolist()}")
        return sample.mean()

    rng = np.random.default_rng(7)
    first = x[rng.integers(0, 6, size=6)][:3].tolist()
    for n_jobs in (None, 2):
        with pytest.raises(ValueError, match=re.escape(f"draw begins {first}")):
            bootstrap_ci(only_on_the_data, x, n_boot=300, random_state=7, n_jobs=n_jobs)


def test_vectorized_statistic_equals_one_call_per_replicate(small_chunks):
    """Oracle: the same statistic called replicate by replicate (as scipy's ``vectorized``)."""
    y, score = binary_data(3, n=200)

    def brier(event, prob):
        return np.mean((event - prob) ** 2)

    prob = 1 / (1 + np.exp(-score))
    kwargs = dict(n_boot=400, random_state=2, stratify=y)
    loop = bootstrap_ci(brier, y, prob, **kwargs)
    batch = bootstrap_ci(
        lambda e, p: np.mean((e - p) ** 2, axis=-1), y, prob, **kwargs, vectorized=True
    )
    assert batch == loop


def test_brier_and_ipa_batches_equal_the_metric_row_by_row():
    """Oracle: ``brier_score`` and ``scaled_brier`` on each resample, bit for bit."""
    from riskml.evaluation import brier_score, scaled_brier
    from riskml.evaluation._metrics import get_metric

    y, score = binary_data(4, n=300)
    event = y.astype(bool)
    prob = 1 / (1 + np.exp(-score))
    rows = np.concatenate(list(_resample_chunks(300, 50, np.random.default_rng(0), y)))
    brier = get_metric("brier", "binary").batch(event[rows], prob[rows])
    ipa = get_metric("ipa", "binary").batch(event[rows], prob[rows])
    assert brier.tolist() == [brier_score(event[r], prob[r]) for r in rows]
    assert ipa.tolist() == [scaled_brier(event[r], prob[r]) for r in rows]


@pytest.mark.parametrize("numba", [True, False], ids=["numba", "python"])
def test_ici_batch_equals_ici_row_by_row(numba, monkeypatch):
    """Oracle: ``ici(event, prob).ici`` on each resample, bit for bit.

    Predictions with many ties (rounded to 2 decimals, as a discrete model gives):
    the counting sort must give each resample the order of ``ici``'s stable sort,
    whose ties keep the draw order.
    """
    from riskml.evaluation import _kernels, ici
    from riskml.evaluation._metrics import get_metric

    if numba:
        pytest.importorskip("numba")
    else:
        monkeypatch.setattr(_kernels, "USE_NUMBA", False)
    y, score = binary_data(6, n=500)
    event = y.astype(bool)
    for prob in (1 / (1 + np.exp(-score)), np.round(1 / (1 + np.exp(-score)), 2)):
        rank = np.unique(prob, return_inverse=True)[1]
        rows = np.concatenate(list(_resample_chunks(500, 30, np.random.default_rng(1), y)))
        batch = get_metric("ici", "binary").batch(event[rows], prob[rows], rank[rows])
        assert batch.tolist() == [ici(event[r], prob[r]).ici for r in rows]


def test_ici_interval_equals_one_call_per_replicate():
    """Oracle: ``bootstrap_ci`` of ``ici(...).ici`` called replicate by replicate."""
    from riskml import Outcome
    from riskml.evaluation import ici
    from riskml.evaluation._metrics import get_metric, metric_interval

    y, score = binary_data(7, n=300)
    prob = np.round(1 / (1 + np.exp(-score)), 2)
    interval = metric_interval(
        get_metric("ici", "binary"), Outcome.binary(y), prob, n_boot=150, random_state=3
    )
    loop = bootstrap_ci(lambda e, p: ici(e, p).ici, y, prob, n_boot=150, random_state=3, stratify=y)
    assert interval == loop


def test_evaluate_predictions_does_not_depend_on_threads(small_chunks):
    """Oracle: the serial run of every default binary metric (ICI included)."""
    from riskml.evaluation import evaluate_predictions

    y, score = binary_data(5, n=400)
    predictions = {"a": 1 / (1 + np.exp(-score)), "b": 1 / (1 + np.exp(-score / 2))}
    serial = evaluate_predictions(y, predictions, n_boot=300, random_state=3).summary
    threaded = evaluate_predictions(y, predictions, n_boot=300, random_state=3, n_jobs=2)
    import pandas as pd

    pd.testing.assert_frame_equal(threaded.summary, serial, check_exact=True)


def test_survival_evaluation_does_not_depend_on_threads(small_chunks):
    """Oracle: the serial run of every default time-to-event metric at a horizon
    (Harrell's C, td-AUC, the spline calibration and ICI, IPCW Brier and IPA)."""
    import pandas as pd

    from riskml import Outcome
    from riskml.evaluation import evaluate_predictions

    rng = np.random.default_rng(6)
    risk = rng.uniform(0.05, 0.6, 300)
    time = rng.exponential(400 / (0.2 + risk))
    censor = rng.uniform(50, 900, 300)
    outcome = Outcome.survival(np.minimum(time, censor), time <= censor)
    predictions = {"a": risk, "b": np.sqrt(risk) / 1.5}
    kwargs = dict(horizon=180, n_boot=200, random_state=4)
    serial = evaluate_predictions(outcome, predictions, **kwargs).summary
    threaded = evaluate_predictions(outcome, predictions, n_jobs=2, **kwargs).summary
    pd.testing.assert_frame_equal(threaded, serial, check_exact=True)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_evaluate_predictions_draws_once_with_the_intervals_of_one_call_each(n_jobs, monkeypatch):
    """Oracle: ``metric_interval`` called for each model and metric on its own (each
    draws its replicates from a fresh generator with the same seed). evaluate_predictions
    draws them once for the Brier score, IPA and ICI of every model (the ICI uses the
    first 200)."""
    from riskml import Outcome
    from riskml.evaluation import evaluate_predictions
    from riskml.evaluation._metrics import get_metric, metric_interval

    y, score = binary_data(8, n=400)
    predictions = {
        "a": 1 / (1 + np.exp(-score)),
        "b": np.round(1 / (1 + np.exp(-score / 2)), 2),
        "c": 1 / (1 + np.exp(-score - 0.5)),
    }
    metrics = ["brier", "ipa", "ici", "auc"]
    from riskml.evaluation import _bootstrap

    shared_jobs = []
    original = _bootstrap._shared_batch_intervals

    def spy(jobs, *args):
        shared_jobs.append(len(jobs))
        return original(jobs, *args)

    monkeypatch.setattr(_bootstrap, "_shared_batch_intervals", spy)
    table = evaluate_predictions(
        y, predictions, metrics=metrics, n_boot=300, random_state=11, n_jobs=n_jobs
    ).summary.set_index(["model", "metric"])
    for name, risk in predictions.items():
        for metric in metrics:
            expected = metric_interval(
                get_metric(metric, "binary"), Outcome.binary(y), risk, n_boot=300, random_state=11
            )
            row = table.loc[(name, metric)]
            assert (row["estimate"], row["low"], row["high"]) == (
                expected.estimate,
                expected.low,
                expected.high,
            ), (name, metric)
            assert (row["n_boot"], row["method"]) == (expected.n_boot, expected.method)
    assert shared_jobs == [9]  # Brier, IPA and ICI of the three models, one stream


def _naive_plain_bootstrap(statistic, y, columns, n_boot, seed):
    """The loop of a hand-written analysis: ``rng.integers(0, n, n)`` per replicate."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        values.append([statistic(y[idx], column[idx]) for column in columns])
    return np.array(values)


def test_plain_bootstrap_equals_a_naive_loop():
    """Oracle: a naive loop of patients drawn with ``numpy.random.default_rng(seed)`` and
    scikit-learn's ``roc_auc_score`` / ``brier_score_loss``, percentiles by
    ``numpy.percentile`` (the benchmark's hand-written script): the same intervals with
    ``stratified=False`` (AUC by bootstrap, Brier on the shared draws)."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    from riskml.evaluation import evaluate_predictions

    y, score = binary_data(9, n=300)
    a, b = 1 / (1 + np.exp(-score)), 1 / (1 + np.exp(-score / 3))
    table = evaluate_predictions(
        y,
        {"a": a, "b": b},
        metrics=["auc", "brier"],
        method="bootstrap",
        n_boot=400,
        random_state=21,
        stratified=False,
    ).summary.set_index(["model", "metric"])
    for metric, statistic in (("auc", roc_auc_score), ("brier", brier_score_loss)):
        loop = _naive_plain_bootstrap(statistic, y, [a, b], 400, 21)
        for column, name in enumerate(["a", "b"]):
            low, high = np.percentile(loop[:, column], [2.5, 97.5])
            row = table.loc[(name, metric)]
            assert row["low"] == pytest.approx(low, abs=1e-12), (name, metric)
            assert row["high"] == pytest.approx(high, abs=1e-12), (name, metric)
            assert row["method"] == "percentile bootstrap"
    stratified = evaluate_predictions(
        y, {"a": a}, metrics=["brier"], n_boot=400, random_state=21
    ).summary.iloc[0]
    assert stratified["method"] == "percentile bootstrap, stratified"
    assert stratified["low"] != table.loc[("a", "brier"), "low"]


def test_plain_paired_auc_bootstrap_equals_a_naive_loop():
    """Oracle: the hand-written paired loop (differences of ``roc_auc_score`` on the same
    plain resamples, ``numpy.percentile``), as ``compare_auc(..., stratified=False)``."""
    from sklearn.metrics import roc_auc_score

    from riskml.evaluation import compare_auc

    y, score = binary_data(10, n=300)
    a, b = 1 / (1 + np.exp(-score)), 1 / (1 + np.exp(-score / 3 - 0.2 * y))
    result = compare_auc(y, a, b, method="bootstrap", n_boot=400, random_state=5, stratified=False)
    loop = _naive_plain_bootstrap(roc_auc_score, y, [a, b], 400, 5)
    low, high = np.percentile(loop[:, 0] - loop[:, 1], [2.5, 97.5])
    assert (result.low, result.high) == (
        pytest.approx(low, abs=1e-12),
        pytest.approx(high, abs=1e-12),
    )
    assert result.method == "paired bootstrap"


def test_plain_bootstrap_leaves_out_resamples_that_lose_a_class():
    """A plain resample of 3 events among 40 patients can hold no event: degenerate for
    the AUC, IPA and ICI (undefined with one class), counted, and left out."""
    from riskml.evaluation import evaluate_predictions

    rng = np.random.default_rng(0)
    y = np.zeros(40, dtype=int)
    y[:3] = 1
    prob = np.clip(0.1 + 0.3 * y + rng.normal(0, 0.05, 40), 0.01, 0.99)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = evaluate_predictions(
            y,
            {"a": prob},
            metrics=["auc", "ipa", "ici", "brier"],
            method="bootstrap",
            n_boot=400,
            random_state=0,
            stratified=False,
        ).summary.set_index("metric")
    assert table.loc["auc", "n_degenerate"] > 0
    assert table.loc["ipa", "n_degenerate"] == table.loc["auc", "n_degenerate"]
    assert table.loc["brier", "n_degenerate"] == 0  # defined with one class
