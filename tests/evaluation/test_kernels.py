"""Compiled kernels: fast equals slow (1e-12), with and without numba, any thread count."""

import itertools

import numpy as np
import pytest

from riskml.evaluation import _kernels, concordance_index_ci, roc_auc, roc_auc_ci
from riskml.evaluation._bootstrap import (
    _AUCReplicates,
    _concordance_replicates,
    _harrell_jackknife,
    _HarrellReplicates,
    _resample_chunks,
)
from riskml.evaluation._discrimination import _ConcordanceKernel, concordance_index


def survival_data(seed, n, n_times=8, n_risks=6):
    rng = np.random.default_rng(seed)
    time = rng.integers(1, n_times + 1, n).astype(float)  # tied times
    event = rng.random(n) < 0.5
    event[0] = True
    risk = rng.integers(0, n_risks, n) / 3.0  # tied risks
    return time, event, risk


def brute_force_counts(time, event, risk, weights):
    """Weighted (concordant, tied, comparable) pair counts, pair by pair (R's convention)."""
    concordant = tied = comparable = 0
    for i, j in itertools.permutations(range(len(time)), 2):
        after = time[j] > time[i] or (time[j] == time[i] and not event[j])
        if not (event[i] and after):
            continue
        w = weights[i] * weights[j]
        comparable += w
        concordant += w * (risk[i] > risk[j])
        tied += w * (risk[i] == risk[j])
    return concordant, tied, comparable


def indices_for(n, n_boot, seed):
    return np.concatenate(list(_resample_chunks(n, n_boot, np.random.default_rng(seed))))


@pytest.fixture(params=["numba", "python"])
def kernel_mode(request, monkeypatch):
    """Run a test with the compiled kernels and with the plain-Python/numpy fallbacks."""
    if request.param == "python":
        monkeypatch.setattr(_kernels, "USE_NUMBA", False)
    else:
        pytest.importorskip("numba")
    return request.param


@pytest.mark.parametrize("n_boot", [1, 8, 13], ids=["one", "one-block", "partial-block"])
def test_harrell_chunk_equals_brute_force(n_boot):
    """Oracle: brute-force O(n^2) weighted pair counts, replicate by replicate.

    The compiled and plain-Python kernels count 8 replicates side by side; 13
    replicates leave a partly filled block.
    """
    time, event, risk = survival_data(1, 40)
    layout = _kernels.HarrellLayout(time, event, risk)
    indices = indices_for(40, n_boot, 2)
    expected = []
    for rows in indices:
        weights = np.bincount(rows, minlength=40)
        expected.append(brute_force_counts(time, event, risk, weights))
    python = layout.replicate_counts(indices, _kernels.harrell_chunk)
    np.testing.assert_array_equal(python, np.array(expected))
    compiled = _kernels.compiled("harrell_chunk")
    if compiled is not None:
        np.testing.assert_array_equal(layout.replicate_counts(indices, compiled), python)


def test_harrell_replicates_equal_numpy_kernel_and_loop(kernel_mode):
    """Oracles: the vectorised numpy kernel and concordance_index per resample, 1e-12."""
    time, event, risk = survival_data(3, 150, n_times=30, n_risks=40)
    indices = indices_for(150, 40, 4)
    fast = _HarrellReplicates(time, event, risk)(indices)
    numpy = _concordance_replicates(_ConcordanceKernel(time, event, risk, cache=True), indices)
    loop = np.array([concordance_index(time[r], event[r], risk[r]) for r in indices])
    np.testing.assert_allclose(fast, numpy, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast, loop, rtol=0, atol=1e-12)


def test_auc_replicates_equal_loop(kernel_mode):
    """Oracle: roc_auc on each (unstratified) resample; NaN exactly where a class is absent."""
    rng = np.random.default_rng(5)
    y = np.zeros(12, dtype=bool)
    y[[2, 7]] = True
    score = np.round(rng.normal(size=12), 1)
    indices = indices_for(12, 60, 6)
    fast = _AUCReplicates(y, score)(indices)
    one_class = np.array([len(set(y[rows])) < 2 for rows in indices])
    np.testing.assert_array_equal(np.isnan(fast), one_class)
    loop = [roc_auc(y[rows], score[rows]) for rows in indices[~one_class]]
    np.testing.assert_allclose(fast[~one_class], loop, rtol=0, atol=1e-12)


def test_row_counts_give_the_jackknife(kernel_mode):
    """Oracle: concordance_index with each patient left out, to 1e-12."""
    time, event, risk = survival_data(7, 45)
    jackknife = _harrell_jackknife(time, event, risk)[0]
    keep = np.ones(45, dtype=bool)
    expected = []
    for i in range(45):
        keep[i] = False
        expected.append(concordance_index(time[keep], event[keep], risk[keep]))
        keep[i] = True
    np.testing.assert_allclose(jackknife, expected, rtol=0, atol=1e-12)


def test_intervals_do_not_depend_on_numba_or_threads(monkeypatch):
    """Oracle: the same seed with numba off/on and n_jobs None/2 gives identical intervals."""
    time, event, risk = survival_data(8, 300, n_times=50, n_risks=100)
    y = event.astype(int)
    c_ref = concordance_index_ci(time, event, risk, n_boot=100, random_state=1)
    a_ref = roc_auc_ci(y, risk, n_boot=100, random_state=1, ci_type="bca")
    assert concordance_index_ci(time, event, risk, n_boot=100, random_state=1, n_jobs=2) == c_ref
    assert roc_auc_ci(y, risk, n_boot=100, random_state=1, ci_type="bca", n_jobs=2) == a_ref
    monkeypatch.setattr(_kernels, "USE_NUMBA", False)
    assert concordance_index_ci(time, event, risk, n_boot=100, random_state=1) == c_ref
    assert roc_auc_ci(y, risk, n_boot=100, random_state=1, ci_type="bca") == a_ref


# -- lowess ---------------------------------------------------------------------------
def lowess_data(seed):
    """Sorted x with ties (rounded to 1-5 decimals), 0/1 y, random frac and delta."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 300))
    x = np.sort(np.round(rng.beta(2, 8, n), int(rng.integers(1, 6))))
    y = (rng.random(n) < x).astype(float)
    frac = float(rng.choice([2 / 3, 0.01, 0.1, 0.5, 1.0]))
    delta = float(rng.choice([0.0, 0.01, 0.1])) * float(np.ptp(x))
    return x, y, frac, delta


def _tie_runs(x):
    """(start, stop) of every run of equal values of sorted x."""
    starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
    return list(zip(starts, np.r_[starts[1:], x.shape[0]], strict=True))


@pytest.mark.parametrize("compiled", [True, False], ids=["numba", "python"])
def test_lowess_kernel_equals_statsmodels(compiled):
    """Oracle: ``statsmodels.nonparametric.lowess(y, x, frac, it=0, delta, is_sorted=True)``,
    with R's rule where a window has radius 0.

    200 random data sets with tied x, n from 2, frac from 0.01 to 1 and delta 0 to 10%
    of the range; compiled and plain Python. Where k = max(2, int(frac * n)) or more
    points are tied at one x (a window of radius 0), statsmodels returns the y of one
    of them and R's ``lowess`` (clowess: every point at distance 0 weighs 1) the mean
    of y over all of them, which the kernel follows (R itself is the oracle of
    tests/evaluation/test_calibration_degenerate.py); there the data sets are compared
    with delta 0 (no interpolation across the run) and statsmodels' values on such runs
    replaced by the run's mean of y.
    """
    from statsmodels.nonparametric.smoothers_lowess import lowess

    if compiled:
        pytest.importorskip("numba")
        function = _kernels.compiled("lowess_sorted")
    else:
        function = _kernels.lowess_sorted
    radius_zero = 0
    for seed in range(200 if compiled else 40):
        x, y, frac, delta = lowess_data(seed)
        k = max(2, min(x.shape[0], int(frac * x.shape[0] + 1e-10)))
        long_runs = [(a, b) for a, b in _tie_runs(x) if b - a >= k]
        if long_runs:
            delta = 0.0
            radius_zero += 1
        with np.errstate(invalid="ignore"):  # statsmodels divides 0 by 0 at ties
            expected = lowess(
                y, x, frac=frac, it=0, delta=delta, is_sorted=True, return_sorted=False
            )
        for a, b in long_runs:
            expected[a:b] = y[a:b].mean()
        fitted = np.empty(x.shape[0])
        function(x, y, frac, delta, fitted)
        np.testing.assert_allclose(fitted, expected, rtol=0, atol=1e-9, err_msg=f"seed {seed}")
    assert radius_zero > 0  # the rule was exercised


@pytest.mark.parametrize("compiled", [True, False], ids=["numba", "python"])
def test_lowess_kernel_keeps_its_precision_far_from_the_weight(compiled):
    """Oracle: the local line at an isolated point whose window's weight sits in a
    tight cluster far from it (the moments about the point cancel), computed by brute
    force in two centred passes with exactly rounded sums (``math.fsum``)."""
    import math

    if compiled:
        pytest.importorskip("numba")
    function = _kernels.compiled("lowess_sorted") if compiled else _kernels.lowess_sorted
    n, centre = 5000, 1e-3
    cluster = centre + (2 * centre / np.sqrt(n)) * (np.arange(n - 2) / (n - 3) - 0.5)
    x = np.r_[0.0, cluster, 1.0]
    y = np.r_[0.0, np.arange(n - 2) >= (n - 2) // 2, 0.0].astype(float)
    fitted = np.empty(n)
    function(x, y, 1.0, 0.01, fitted)
    weight = (1 - np.abs(x - x[0]) ** 3) ** 3  # the window is every point, radius 1
    total = math.fsum(weight)
    mean_x, mean_y = math.fsum(weight * x) / total, math.fsum(weight * y) / total
    variance = math.fsum(weight * (x - mean_x) ** 2) / total
    covariance = math.fsum(weight * (x - mean_x) * y) / total
    expected = mean_y + (x[0] - mean_x) * covariance / variance  # about -13.13
    assert fitted[0] == pytest.approx(expected, rel=0, abs=1e-12)  # 6e-11 uncentred


@pytest.mark.parametrize("compiled", [True, False], ids=["numba", "python"])
def test_calibration_errors_equal_numpy(compiled):
    """Oracle: the errors written out in numpy, ``|p - smooth|`` with the smooth
    averaged over tied ``p`` (``numpy.add.reduceat``, R's ``approx(ties = mean)``),
    and their mean; tied and untied ``p``, and the events taken in sorted order."""
    if compiled:
        pytest.importorskip("numba")
    take = _kernels.compiled("take_sorted") if compiled else _kernels.take_sorted
    errors_of = _kernels.compiled("calibration_errors") if compiled else _kernels.calibration_errors
    rng = np.random.default_rng(7)
    for decimals in (1, 2, 8):
        prob = np.round(rng.beta(2, 8, 400), decimals)
        event = rng.random(400) < prob
        order = np.argsort(prob, kind="stable")
        x, y = np.empty(400), np.empty(400)
        assert take(order, prob, event, x, y) == event.sum()
        np.testing.assert_array_equal(x, prob[order])
        np.testing.assert_array_equal(y, event[order].astype(float))
        smooth = np.sort(rng.random(400))
        starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
        sizes = np.diff(np.r_[starts, 400])
        expected = np.abs(x - np.repeat(np.add.reduceat(smooth, starts) / sizes, sizes))
        errors = np.empty(400)
        mean = errors_of(x, smooth, errors)
        np.testing.assert_allclose(errors, expected, rtol=0, atol=1e-15)
        assert mean == pytest.approx(expected.mean(), abs=1e-13)  # sums in another order


@pytest.mark.parametrize("compiled", [True, False], ids=["numba", "python"])
def test_stable_order_by_rank_equals_a_stable_argsort(compiled):
    """Oracle: ``numpy.argsort(values, kind="stable")`` (ties keep their order)."""
    if compiled:
        pytest.importorskip("numba")
        function = _kernels.compiled("stable_order_by_rank")
    else:
        function = _kernels.stable_order_by_rank
    rng = np.random.default_rng(4)
    for n in (1, 2, 7, 500):
        values = np.round(rng.random(n), int(rng.integers(1, 4)))
        rank = np.unique(values, return_inverse=True)[1].reshape(-1)
        order = np.empty(n, dtype=np.intp)
        function(rank, int(rank.max()) + 1, order)
        np.testing.assert_array_equal(order, np.argsort(values, kind="stable"))


def test_ici_does_not_depend_on_numba(monkeypatch):
    """Oracle: statsmodels' lowess (the fallback without numba) gives the same ICI to 1e-12."""
    from riskml.evaluation import ici

    pytest.importorskip("numba")
    rng = np.random.default_rng(3)
    prob = np.round(rng.beta(2, 10, 2000), 3)  # tied risks, as a discrete model gives
    event = rng.random(2000) < prob
    fast = ici(event, prob)
    monkeypatch.setattr(_kernels, "USE_NUMBA", False)
    slow = ici(event, prob)
    for name, value in fast.as_dict().items():
        assert value == pytest.approx(slow.as_dict()[name], abs=1e-12), name
