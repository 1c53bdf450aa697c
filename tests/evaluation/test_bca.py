"""BCa intervals against scipy.stats.bootstrap(method="BCa") on the same replicates.

scipy accepts an earlier bootstrap distribution (``bootstrap_result``) with
``n_resamples=0``: it then computes the BCa interval from *our* replicates and its
own jackknife of the statistic, so any difference is in the BCa formulas.
"""

import types

import numpy as np
import pytest
from scipy import stats

from riskml.evaluation import bootstrap_ci, concordance_index, concordance_index_ci, roc_auc_ci
from riskml.evaluation._bootstrap import (
    _AUCReplicates,
    _HarrellReplicates,
    _resample_chunks,
)


def scipy_bca(data, statistic, replicates, confidence, **kwargs):
    result = stats.bootstrap(
        data,
        statistic,
        n_resamples=0,
        method="BCa",
        confidence_level=confidence,
        bootstrap_result=types.SimpleNamespace(bootstrap_distribution=replicates),
        **kwargs,
    )
    return result.confidence_interval.low, result.confidence_interval.high


def auc_statistic(negatives, positives, axis=-1):
    """Brute-force AUC of two independent samples, vectorised over leading axes."""
    diff = positives[..., :, None] - negatives[..., None, :]
    return ((diff > 0) + 0.5 * (diff == 0)).mean(axis=(-1, -2))


@pytest.mark.parametrize("seed", [0, 1])
def test_roc_auc_bca_matches_scipy_two_sample(seed):
    """Oracle: scipy BCa with events and non-events as two samples (= class strata)."""
    rng = np.random.default_rng(seed)
    y = rng.random(120) < 0.35
    s = np.round(rng.normal(size=120) + y, 1)
    chunks = _resample_chunks(120, 500, np.random.default_rng(3), y)
    replicates = np.concatenate([_AUCReplicates(y, s)(chunk) for chunk in chunks])
    low, high = scipy_bca((s[~y], s[y]), auc_statistic, replicates, 0.9, vectorized=True)
    ci = roc_auc_ci(y, s, n_boot=500, random_state=3, ci_type="bca", confidence=0.9)
    assert (ci.low, ci.high) == pytest.approx((low, high), abs=1e-12)
    assert ci.method == "BCa bootstrap, stratified by class"


def test_concordance_bca_matches_scipy_paired():
    """Oracle: scipy BCa with (time, event, risk) resampled together (paired=True)."""
    rng = np.random.default_rng(2)
    time = rng.integers(1, 20, 70).astype(float)
    event = rng.random(70) < 0.5
    risk = np.round(rng.normal(size=70) - time / 10, 1)
    chunks = _resample_chunks(70, 400, np.random.default_rng(5))
    replicates = np.concatenate([_HarrellReplicates(time, event, risk)(c) for c in chunks])

    def statistic(t, e, r):
        return concordance_index(t, e.astype(bool), r)

    low, high = scipy_bca(
        (time, event.astype(float), risk),
        statistic,
        replicates,
        0.95,
        paired=True,
        vectorized=False,
    )
    ci = concordance_index_ci(time, event, risk, n_boot=400, random_state=5, ci_type="bca")
    assert (ci.low, ci.high) == pytest.approx((low, high), abs=1e-12)
    assert ci.method == "BCa bootstrap"


def test_generic_bca_matches_scipy_one_sample():
    """Oracle: scipy BCa of a skewed mean with our replicates (one sample)."""
    x = np.random.default_rng(4).exponential(size=40)
    rng = np.random.default_rng(9)
    replicates = np.array([x[rng.integers(0, 40, size=40)].mean() for _ in range(600)])
    low, high = scipy_bca((x,), np.mean, replicates, 0.95)
    ci = bootstrap_ci(np.mean, x, n_boot=600, random_state=9, ci_type="bca")
    assert (ci.low, ci.high) == pytest.approx((low, high), abs=1e-12)
    percentile = bootstrap_ci(np.mean, x, n_boot=600, random_state=9)
    assert (ci.low, ci.high) != (percentile.low, percentile.high)


def test_generic_stratified_bca_matches_fast_auc_bca():
    """Oracle: the generic path (n leave-one-out calls) equals the closed-form jackknife."""
    from riskml.evaluation import roc_auc

    rng = np.random.default_rng(6)
    y = (rng.random(60) < 0.4).astype(int)
    s = np.round(rng.normal(size=60) + y, 1)
    fast = roc_auc_ci(y, s, n_boot=300, random_state=1, ci_type="bca")
    slow = bootstrap_ci(roc_auc, y, s, n_boot=300, random_state=1, stratify=y, ci_type="bca")
    assert (fast.low, fast.high) == pytest.approx((slow.low, slow.high), abs=1e-12)


def test_bca_messages():
    """Undefined BCa and a bad ci_type are errors that name the fix (error contract)."""
    with pytest.raises(
        ValueError,
        match=r"The 'ci_type' parameter of concordance_index_ci must be one of 'percentile', "
        r"'bca'\. Got 'BCa' instead\.",
    ):
        concordance_index_ci([1, 2, 3], [1, 1, 0], [0.3, 0.2, 0.1], ci_type="BCa")
    # a resample of 10 distinct values almost never holds all 10 (P = 10!/10^10), so
    # every replicate of "number of distinct values" lies below the estimate
    with pytest.raises(ValueError, match=r"the BCa interval is undefined because every bootstrap"):
        bootstrap_ci(
            lambda x: len(np.unique(x)), np.arange(10.0), n_boot=50, random_state=0, ci_type="bca"
        )

    def fails_without_first_row(x):
        if len(x) < 5 and x[0] != 0:  # only the jackknife sample without row 0
            raise ValueError("needs row 0")
        return x.mean()

    with pytest.raises(ValueError, match=r"without row 0 it raised: needs row 0"):
        bootstrap_ci(fails_without_first_row, np.arange(5.0), n_boot=40, ci_type="bca")
