"""Paired comparisons: identical resamples for every model, fast paths equal loops."""

import doctest

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from riskml.evaluation import (
    _compare,
    compare_auc,
    compare_concordance,
    concordance_index,
    paired_bootstrap,
    roc_auc,
)
from riskml.evaluation._bootstrap import _resample_chunks


def binary(seed=0, n=160):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.35).astype(int)
    a = np.round(rng.normal(size=n) + y, 1)
    b = np.round(rng.normal(size=n) + 0.5 * y, 1)
    c = np.round(a + rng.normal(size=n), 1)
    return y, a, b, c


def survival(seed=0, n=120):
    rng = np.random.default_rng(seed)
    time = rng.integers(1, 30, n).astype(float)
    event = rng.random(n) < 0.45
    a = np.round(rng.normal(size=n) - time / 15, 1)
    b = np.round(rng.normal(size=n), 1)
    return time, event, a, b


def draws(n, n_boot, seed, strata=None):
    return np.concatenate(list(_resample_chunks(n, n_boot, np.random.default_rng(seed), strata)))


def test_compare_auc_bootstrap_equals_explicit_loop():
    """Oracle: roc_auc of both scores on each stratified resample; percentile and Z by hand."""
    y, a, b, _ = binary()
    result = compare_auc(y, a, b, method="bootstrap", n_boot=300, random_state=2, confidence=0.9)
    diffs = np.array([roc_auc(y[r], a[r]) - roc_auc(y[r], b[r]) for r in draws(160, 300, 2, y)])
    difference = roc_auc(y, a) - roc_auc(y, b)
    z = difference / diffs.std(ddof=1)
    assert result.difference == pytest.approx(difference, abs=1e-12)
    assert (result.low, result.high) == pytest.approx(
        tuple(np.quantile(diffs, [0.05, 0.95])), 1e-12
    )
    assert result.statistic == pytest.approx(z, abs=1e-12)
    assert result.p_value == pytest.approx(2 * norm.sf(abs(z)), abs=1e-12)
    assert (result.n_boot, result.n_degenerate) == (300, 0)


def test_compare_concordance_equals_loop_and_paired_bootstrap():
    """Oracles: concordance_index on each resample; paired_bootstrap with the same seed."""
    time, event, a, b = survival()
    result = compare_concordance(time, event, a, b, n_boot=200, random_state=4)
    diffs = np.array(
        [
            concordance_index(time[r], event[r], a[r]) - concordance_index(time[r], event[r], b[r])
            for r in draws(120, 200, 4)
        ]
    )
    assert (result.low, result.high) == pytest.approx(
        tuple(np.quantile(diffs, [0.025, 0.975])), 1e-12
    )
    table = paired_bootstrap(
        concordance_index, {"b": b, "a": a}, time, event, n_boot=200, random_state=4
    )
    row = table.iloc[0]
    assert (row["model"], row["reference"]) == ("a", "b")
    assert (row["difference"], row["low"], row["high"], row["statistic"]) == pytest.approx(
        (result.difference, result.low, result.high, result.statistic), abs=1e-12
    )


def test_paired_bootstrap_fast_path_equals_generic_path():
    """Oracle: the same metric wrapped in a lambda runs the per-replicate generic path."""
    y, a, b, c = binary(1, 120)
    scores = pd.DataFrame({"ref": a, "b": b, "c": c})
    fast = paired_bootstrap(roc_auc, scores, y, n_boot=150, stratify=y, random_state=0)
    slow = paired_bootstrap(
        lambda y_, s_: roc_auc(y_, s_), scores, y, n_boot=150, stratify=y, random_state=0
    )
    numeric = [
        "estimate",
        "reference_estimate",
        "difference",
        "low",
        "high",
        "statistic",
        "p_value",
    ]
    np.testing.assert_allclose(fast[numeric], slow[numeric], rtol=0, atol=1e-12)
    assert fast["model"].tolist() == ["b", "c"]
    assert set(fast["reference"]) == {"ref"}


def test_paired_bootstrap_counts_degenerate_replicates():
    """Oracle: replaying the unstratified draws; a replicate without an event is undefined."""
    y = np.array([0, 0, 0, 1, 0, 0, 0, 0, 1, 0])
    a = np.arange(10.0)
    b = a[::-1].copy()
    table = paired_bootstrap(roc_auc, {"a": a, "b": b}, y, n_boot=200, random_state=3)
    one_class = sum(len(set(y[r])) < 2 for r in draws(10, 200, 3))
    assert table.loc[0, "n_degenerate"] == one_class > 0


def test_parallel_equals_serial():
    """Oracle: n_jobs=None; chunks of replicates on threads give identical numbers."""
    time, event, a, b = survival(5, 300)
    serial = compare_concordance(time, event, a, b, n_boot=100, random_state=1)
    assert compare_concordance(time, event, a, b, n_boot=100, random_state=1, n_jobs=2) == serial
    y, a, b, _ = binary(2, 300)
    serial = compare_auc(y, a, b, method="bootstrap", n_boot=100, random_state=1)
    parallel = compare_auc(y, a, b, method="bootstrap", n_boot=100, random_state=1, n_jobs=2)
    assert parallel == serial


@pytest.mark.parametrize(
    "call,error,match",
    [
        (
            lambda y, a, b: compare_auc(y, a, b, method="mann-whitney"),
            ValueError,
            r"The 'method' parameter of compare_auc must be one of 'delong', 'bootstrap'\. "
            r"Got 'mann-whitney' instead\.",
        ),
        (
            lambda y, a, b: compare_auc(y, a, a),
            ValueError,
            r"compare_auc: the difference has zero variance",
        ),
        (
            lambda y, a, b: compare_auc(y, a, b[:-1]),
            ValueError,
            r"one value per patient; got lengths y_true=160, score_a=160, score_b=159",
        ),
        (
            lambda y, a, b: paired_bootstrap(roc_auc, {"a": a}, y),
            TypeError,
            r"predictions of paired_bootstrap must be a dict .* at least two models; got dict with 1",
        ),
        (
            lambda y, a, b: paired_bootstrap(roc_auc, {"a": a, "b": b}, y, reference="cox"),
            ValueError,
            r"reference='cox' of paired_bootstrap is not one of the models \['a', 'b'\]",
        ),
        (
            lambda y, a, b: paired_bootstrap(roc_auc, {"a": a, "b": b[:5]}, y),
            ValueError,
            r"every model in predictions of paired_bootstrap must score the same patients",
        ),
        (
            lambda y, a, b: paired_bootstrap("auc", {"a": a, "b": b}, y),
            TypeError,
            r"The 'metric' parameter of paired_bootstrap must be a callable",
        ),
        (
            lambda y, a, b: paired_bootstrap(roc_auc, {"a": a, "b": b}, y[:9]),
            ValueError,
            r"the outcome arrays of paired_bootstrap must hold one value per patient \(160\)",
        ),
        (
            lambda y, a, b: compare_auc(y, a, b, n_jobs=0),
            ValueError,
            r"The 'n_jobs' parameter of compare_auc must be None or a non-zero int",
        ),
    ],
    ids=[
        "method",
        "identical",
        "lengths",
        "one-model",
        "reference",
        "score-lengths",
        "metric",
        "args",
        "n_jobs",
    ],
)
def test_input_messages(call, error, match):
    """Every message of the comparison functions' checks (no oracle: error contract)."""
    y, a, b, _ = binary()
    with pytest.raises(error, match=match):
        call(y, a, b)


def test_result_repr_and_docstrings():
    """Oracle: the values in the Examples (checked against sklearn and lifelines by hand)."""
    result = _compare.ComparisonResult(
        0.8, 0.7, 0.1, 0.02, 0.18, 2.5, 0.0124, 0.95, "DeLong paired"
    )
    assert repr(result) == (
        "ComparisonResult(difference 0.1000, 95% CI 0.0200 to 0.1800; Z = 2.500, p = 0.0124; "
        "DeLong paired)"
    )
    outcome = doctest.testmod(_compare, raise_on_error=False)
    assert outcome.attempted > 0
    assert outcome.failed == 0
