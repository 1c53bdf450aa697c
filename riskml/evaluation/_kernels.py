"""Compiled kernels: pair counts for the bootstrap, the jackknife and Uno's C; lowess
and the calibration errors read off it; a counting sort.

Each kernel is written once, as plain Python loops over numpy arrays, and compiled
with numba (``nogil=True``, cached on disk) the first time it is used. Without
numba the callers fall back to the vectorised numpy kernels of
:mod:`riskml.evaluation._discrimination` (bootstrap) or run the plain Python
loops (the one-pass jackknife counts), so numba is a speed-up, never a
requirement for a correct answer. ``tests/evaluation/test_kernels.py`` checks the
compiled, the plain-Python and the numpy versions against each other and against
brute-force pair counts ("fast equals slow").

All counts are integers held in int64, so the compiled results are exact and do
not depend on how replicates are split into chunks or spread over threads.

Layout shared by the Harrell kernels: rows are sorted by ``tkey`` *descending*,
where ``tkey = 2 * rank(time) + censored`` (a patient j is "after" an event i when
``tkey_j > tkey_i``, R survival's convention for tied times), and ``bounds`` holds
the start of each run of equal ``tkey`` (a run is all events or all censorings).
``rank`` is the dense rank of the risk (0 .. n_levels - 1). A Fenwick tree over
the risk ranks holds the multiplicities of the rows already passed.
"""

from __future__ import annotations

import os
import threading

import numpy as np

__all__: list[str] = []

# Tests flip this to exercise the fallbacks; RISKML_NO_NUMBA=1 does the same.
USE_NUMBA = os.environ.get("RISKML_NO_NUMBA", "") in ("", "0")


# -- kernels (plain Python; compiled by `compiled`) ------------------------------------
LANES = 8  # replicates counted side by side, so the tree walks are shared (SIMD)


def harrell_chunk(indices, slot, rank, event, bounds, n_levels, out):  # pragma: no cover
    """Concordant, tied-risk and comparable pair counts of bootstrap resamples.

    ``indices[b]`` holds the rows drawn for replicate b; ``slot`` maps a row to its
    sorted position. ``out[b] = (concordant, tied_risk, comparable)``, each pair
    weighted by the product of the two rows' multiplicities. Replicates are counted
    ``LANES`` at a time: one walk of the Fenwick tree updates every lane.
    """
    n_rep, n_draws = indices.shape
    n_rows = slot.shape[0]
    weight = np.zeros((n_rows, LANES), np.int32)
    tree = np.zeros((n_levels + 1, LANES), np.int32)
    tally = np.zeros((n_levels, LANES), np.int32)
    total = np.zeros(LANES, np.int64)
    lower = np.zeros(LANES, np.int64)
    concordant = np.zeros(LANES, np.int64)
    tied = np.zeros(LANES, np.int64)
    comparable = np.zeros(LANES, np.int64)
    for b0 in range(0, n_rep, LANES):
        used = min(LANES, n_rep - b0)
        weight[:, :] = 0
        for lane in range(used):
            for k in range(n_draws):
                weight[slot[indices[b0 + lane, k]], lane] += 1
        tree[:, :] = 0
        tally[:, :] = 0
        total[:] = 0
        concordant[:] = 0
        tied[:] = 0
        comparable[:] = 0
        for g in range(bounds.shape[0] - 1):
            start = bounds[g]
            stop = bounds[g + 1]
            if event[start]:
                for p in range(start, stop):
                    r = rank[p]
                    lower[:] = 0
                    i = r
                    while i > 0:
                        for lane in range(LANES):
                            lower[lane] += tree[i, lane]
                        i -= i & -i
                    for lane in range(LANES):
                        w = np.int64(weight[p, lane])
                        concordant[lane] += w * lower[lane]
                        tied[lane] += w * tally[r, lane]
                        comparable[lane] += w * total[lane]
            for p in range(start, stop):
                r = rank[p]
                for lane in range(LANES):
                    tally[r, lane] += weight[p, lane]
                    total[lane] += weight[p, lane]
                i = r + 1
                while i <= n_levels:
                    for lane in range(LANES):
                        tree[i, lane] += weight[p, lane]
                    i += i & -i
        for lane in range(used):
            out[b0 + lane, 0] = concordant[lane]
            out[b0 + lane, 1] = tied[lane]
            out[b0 + lane, 2] = comparable[lane]


def harrell_rows(rank, event, bounds, n_levels, out):  # pragma: no cover
    """Per-row pair counts of Harrell's C (unit weights), in sorted order.

    ``out[p] = (concordant, tied_risk, comparable)`` over the pairs that row p is a
    member of, as the earlier event (columns 0-2) and as the later patient
    (columns 3-5). Removing row p removes exactly these pairs (the jackknife).
    """

    tree = np.zeros(n_levels + 1, np.int64)
    tally = np.zeros(n_levels, np.int64)
    # p as the earlier event: rows after p (descending tkey, i.e. already passed)
    total = 0
    for g in range(bounds.shape[0] - 1):
        start = bounds[g]
        stop = bounds[g + 1]
        if event[start]:
            for p in range(start, stop):
                r = rank[p]
                lower = 0
                i = r
                while i > 0:
                    lower += tree[i]
                    i -= i & -i
                out[p, 0] = lower
                out[p, 1] = tally[r]
                out[p, 2] = total
        for p in range(start, stop):
            r = rank[p]
            tally[r] += 1
            total += 1
            i = r + 1
            while i <= n_levels:
                tree[i] += 1
                i += i & -i
    # p as the later patient: events before p (ascending tkey)
    tree[:] = 0
    tally[:] = 0
    total = 0
    for g in range(bounds.shape[0] - 2, -1, -1):
        start = bounds[g]
        stop = bounds[g + 1]
        for p in range(start, stop):
            r = rank[p]
            at_or_below = 0
            i = r + 1
            while i > 0:
                at_or_below += tree[i]
                i -= i & -i
            out[p, 3] = total - at_or_below  # earlier events with higher risk
            out[p, 4] = tally[r]
            out[p, 5] = total
        if event[start]:
            for p in range(start, stop):
                r = rank[p]
                tally[r] += 1
                total += 1
                i = r + 1
                while i <= n_levels:
                    tree[i] += 1
                    i += i & -i


def auc_chunk(indices, slot, n_neg, below, at_or_below, out):  # pragma: no cover
    """Twice the Mann-Whitney numerator and the number of pairs of bootstrap resamples.

    Rows sit at ``slot`` = [non-events by score, events]; ``below[e]`` and
    ``at_or_below[e]`` are the counts of non-events with a score < and <= that of
    event e. ``out[b] = (2 * (wins + ties / 2), events * non_events)``, weighted.
    """
    n_rep, n_draws = indices.shape
    n_rows = slot.shape[0]
    weight = np.zeros(n_rows, np.int64)
    cum = np.zeros(n_neg + 1, np.int64)
    for b in range(n_rep):
        weight[:] = 0
        for k in range(n_draws):
            weight[slot[indices[b, k]]] += 1
        for j in range(n_neg):
            cum[j + 1] = cum[j] + weight[j]
        twice = 0
        positives = 0
        for e in range(n_rows - n_neg):
            w = weight[n_neg + e]
            if w == 0:
                continue
            twice += w * (cum[below[e]] + cum[at_or_below[e]])
            positives += w
        out[b, 0] = twice
        out[b, 1] = positives * cum[n_neg]


def lowess_sorted(x, y, frac, delta, fitted):  # pragma: no cover
    """Lowess of ``y`` on sorted ``x`` (local linear, tricube, no robustness steps).

    The algorithm of Cleveland (1979) as ``statsmodels.nonparametric.lowess(y, x,
    frac, it=0, delta, is_sorted=True)`` implements it, written out for speed: the
    window holds the ``k = max(2, min(n, int(frac * n + 1e-10)))`` points nearest
    ``x[i]`` (slid right while ``x[i]`` is past the midpoint of its ends), weights
    are tricube in the distance over the window's radius, a fit needs two weights
    above 1e-12 (else ``y[i]``), the weighted x variance is floored at 1e-12, and
    fits are skipped within ``delta`` of the last fit (linear interpolation; ties
    copy the fit). ``fitted`` receives the smooth at every ``x``.

    One difference from statsmodels, where R's ``lowess`` (``clowess``) is followed
    instead: when ``k`` or more points are tied at ``x[i]`` the window's radius is 0;
    statsmodels then returns ``y[i]``, the outcome of whichever tied point comes
    first, while R gives every point at distance 0 the weight 1, so the fit is the
    mean of ``y`` over all the points tied at ``x[i]``. That is what this kernel does:
    for constant ``x`` the smooth is the mean of ``y`` (the observed proportion of a
    calibration curve), not one patient's outcome.

    Each fit computes the weights in one pass and the weighted moments of
    ``d = x - x[i]`` and ``y`` in a second (statsmodels makes a dozen passes):
    the local line's value at ``x[i]`` is ``mean(y) - mean(d) * cov(d, y) / var(d)``,
    the same line as statsmodels' centring on the weighted mean of ``x``. Where the
    weight sits far from ``x[i]`` (the variance under 1% of ``mean(d^2)``, so the
    moments would cancel), a third pass centres on the weighted mean instead. The sums
    run as four interleaved partial sums added in a fixed order: independent chains
    run side by side, and unlike sums a compiler reassociates, the result does not
    depend on where the arrays sit in memory.
    """
    n = x.shape[0]
    k = int(frac * n + 1e-10)
    if k < 2:
        k = 2
    if k > n:
        k = n
    left = 0
    right = k  # the window is x[left:right]
    weight = np.empty(k)
    i = 0
    last = -1
    while True:
        xval = x[i]
        while right < n and xval > (x[left] + x[right]) / 2.0:
            left += 1
            right += 1
        radius = max(xval - x[left], x[right - 1] - xval)
        if radius == 0.0:
            # k or more points tied at x[i]: every one of them is at distance 0 and
            # weighs 1 (R's clowess), so the fit is the mean of y over the whole run
            fitted[i] = _lowess_tied_mean(x, y, i)
        elif _lowess_weights(x, xval, left, right, 1.0 / radius, weight) < 2:
            fitted[i] = y[i]
        else:
            fitted[i] = _lowess_local_line(x, y, weight, left, right, xval)
        if last < i - 1:  # points skipped within delta: interpolate
            _lowess_interpolate(x, fitted, last, i)
        last, following = _lowess_skip(x, fitted, i, delta)
        if last >= n - 1:
            break
        i = following


# The steps of lowess_sorted: plain Python, and compiled inside it (numba's
# register_jitable, see `compiled`). Each does its arithmetic in the kernel's order.
def _lowess_weights(x, xval, left, stop, scale, weight):  # pragma: no cover
    """Tricube weights of ``x[left:stop]`` around ``xval`` (``scale`` = 1 / radius) into
    ``weight``; returns how many exceed 1e-12, counting no further than 2."""
    for j in range(left, stop):  # no reduction here: the compiler uses SIMD
        d = abs(x[j] - xval) * scale
        d = 1.0 - d * d * d
        weight[j - left] = d * d * d
    positive = 0  # a fit needs two weights above 1e-12: stop counting at two
    for j in range(left, stop):
        if weight[j - left] > 1e-12:
            positive += 1
            if positive == 2:
                break
    return positive


def _lowess_tied_mean(x, y, i):  # pragma: no cover
    """The mean of ``y`` over the run of ``x`` tied at ``x[i]``."""
    n = x.shape[0]
    xval = x[i]
    first = i
    while first > 0 and x[first - 1] == xval:
        first -= 1
    last_tied = i
    while last_tied < n - 1 and x[last_tied + 1] == xval:
        last_tied += 1
    total = 0.0
    for j in range(first, last_tied + 1):
        total += y[j]
    return total / (last_tied - first + 1)


def _lowess_local_line(x, y, weight, left, stop, xval):  # pragma: no cover
    """The weighted local line of ``y`` on ``x[left:stop]`` evaluated at ``xval``.

    Sums of w, w d, w d^2, w y and w d y (``d = x - xval``), four partial sums each
    added in a fixed order; centred on the weighted mean where they would cancel.
    """
    t0 = t1 = t2 = t3 = 0.0
    a0 = a1 = a2 = a3 = 0.0
    b0 = b1 = b2 = b3 = 0.0
    m0 = m1 = m2 = m3 = 0.0
    c0 = c1 = c2 = c3 = 0.0
    whole = left + (stop - left) // 4 * 4
    for j in range(left, whole, 4):
        w0 = weight[j - left]
        w1 = weight[j - left + 1]
        w2 = weight[j - left + 2]
        w3 = weight[j - left + 3]
        d0 = x[j] - xval
        d1 = x[j + 1] - xval
        d2 = x[j + 2] - xval
        d3 = x[j + 3] - xval
        t0 += w0
        t1 += w1
        t2 += w2
        t3 += w3
        e0 = w0 * d0
        e1 = w1 * d1
        e2 = w2 * d2
        e3 = w3 * d3
        a0 += e0
        a1 += e1
        a2 += e2
        a3 += e3
        b0 += e0 * d0
        b1 += e1 * d1
        b2 += e2 * d2
        b3 += e3 * d3
        m0 += w0 * y[j]
        m1 += w1 * y[j + 1]
        m2 += w2 * y[j + 2]
        m3 += w3 * y[j + 3]
        c0 += e0 * y[j]
        c1 += e1 * y[j + 1]
        c2 += e2 * y[j + 2]
        c3 += e3 * y[j + 3]
    for j in range(whole, stop):
        w0 = weight[j - left]
        d0 = x[j] - xval
        t0 += w0
        a0 += w0 * d0
        b0 += w0 * d0 * d0
        m0 += w0 * y[j]
        c0 += w0 * d0 * y[j]
    share = 1.0 / ((t0 + t1) + (t2 + t3))
    mean_d = ((a0 + a1) + (a2 + a3)) * share
    level = ((m0 + m1) + (m2 + m3)) * share
    second = ((b0 + b1) + (b2 + b3)) * share
    variance = second - mean_d * mean_d
    covariance = ((c0 + c1) + (c2 + c3)) * share - mean_d * level
    if variance < 0.01 * second:
        # the weight sits far from x[i] (mean(d)^2 near mean(d^2)): the
        # differences above cancel, so centre on the weighted mean instead
        variance = 0.0
        covariance = 0.0
        for j in range(left, stop):
            e0 = x[j] - xval - mean_d
            w0 = weight[j - left] * share
            variance += w0 * e0 * e0
            covariance += w0 * e0 * y[j]
    return level - mean_d * covariance / max(variance, 1e-12)


def _lowess_interpolate(x, fitted, last, i):  # pragma: no cover
    """Fill ``fitted`` between the fits at ``last`` and ``i`` by linear interpolation."""
    span = x[i] - x[last]
    for j in range(last + 1, i):
        a = (x[j] - x[last]) / span
        fitted[j] = a * fitted[i] + (1.0 - a) * fitted[last]


def _lowess_skip(x, fitted, i, delta):  # pragma: no cover
    """After the fit at ``i``: copy it to the points tied with ``x[i]``; returns the last
    point fitted and the next point to fit (the last one within ``delta`` of ``x[i]``,
    or the one after the last fitted)."""
    n = x.shape[0]
    last = i
    cut = x[last] + delta
    j = last
    for j in range(last + 1, n):
        if x[j] > cut:
            break
        if x[j] == x[last]:
            fitted[j] = fitted[last]
            last = j
    return last, max(j - 1, last + 1)


def stable_order_by_rank(rank, n_ranks, order):  # pragma: no cover
    """The permutation that sorts ``rank`` (ints in ``0 .. n_ranks - 1``) stably.

    A counting sort: ``order`` receives the positions of the rows of rank 0 in
    their order, then those of rank 1, and so on, the permutation that
    ``numpy.argsort(values, kind="stable")`` gives for values whose dense rank is
    ``rank``, in O(n + n_ranks) instead of O(n log n).
    """
    start = np.zeros(n_ranks + 1, np.intp)
    for i in range(rank.shape[0]):
        start[rank[i] + 1] += 1
    for r in range(n_ranks):
        start[r + 1] += start[r]
    for i in range(rank.shape[0]):
        order[start[rank[i]]] = i
        start[rank[i]] += 1


def take_sorted(order, prob, event, x, y):  # pragma: no cover
    """``x = prob[order]`` and ``y = event[order]`` (as floats); returns the number of
    events among them."""
    events = 0
    for i in range(order.shape[0]):
        x[i] = prob[order[i]]
        if event[order[i]]:
            y[i] = 1.0
            events += 1
        else:
            y[i] = 0.0
    return events


def calibration_errors(x, smooth, errors):  # pragma: no cover
    """``errors[i] = |x[i] - s_i|`` where ``s_i`` is the mean of ``smooth`` over the
    run of ``x`` equal to ``x[i]`` (R's ``approx(..., ties = mean)`` of a smooth at
    sorted ``x``); returns the mean error (a sum in row order over ``n``)."""
    n = x.shape[0]
    start = 0
    total = 0.0
    while start < n:
        stop = start + 1
        while stop < n and x[stop] == x[start]:
            stop += 1
        level = smooth[start]
        if stop - start > 1:
            level = 0.0
            for j in range(start, stop):
                level += smooth[j]
            level /= stop - start
        for j in range(start, stop):
            errors[j] = abs(x[j] - level)
            total += errors[j]
        start = stop
    return total / n


def _fenwick_add(tree, position, value):  # pragma: no cover
    """Add ``value`` at 0-based ``position`` of the Fenwick tree ``tree`` (size n + 1)."""
    k = position + 1
    while k < tree.shape[0]:
        tree[k] += value
        k += k & (-k)


def _fenwick_sum(tree, stop):  # pragma: no cover
    """Sum of the values at 0-based positions below ``stop`` in the Fenwick tree ``tree``."""
    total = 0.0
    k = stop
    while k > 0:
        total += tree[k]
        k -= k & (-k)
    return total


def _pairs_scored(tree, rank):  # pragma: no cover
    """Patients in ``tree`` ranked below ``rank`` plus half those tied with it."""
    below = _fenwick_sum(tree, rank)
    return below + 0.5 * (_fenwick_sum(tree, rank + 1) - below)


def wolbers_sums(
    order, group_end, event_type, case, rank, n_ranks, w_later, w_earlier, v, out
):  # pragma: no cover
    """Numerator and denominator of Wolbers' competing-risk concordance in O(n log n).

    ``order`` sorts the patients by time ascending; ``group_end[k]`` is one past the
    last position of the k-th distinct time. Pairs (i case, j later: T_j > T_i, or
    censored at T_i) weigh ``w_later[i]``; pairs (i case, j competing at or before
    T_i) weigh ``w_earlier[i] * v[j]``. A pair scores 1 when risk rank i > j, 1/2 when
    equal. Two Fenwick trees over the risk ranks: counts of the later patients
    (filled in descending time), weights of the competing ones (ascending time).
    ``out`` receives (numerator, denominator).
    """
    tree_count = np.zeros(n_ranks + 1)
    tree_weight = np.zeros(n_ranks + 1)
    numerator = 0.0
    denominator = 0.0
    n_groups = group_end.shape[0]
    # competing patients at or before each case's time (ascending time)
    total_weight = 0.0
    start = 0
    for g in range(n_groups):
        stop = group_end[g]
        for p in range(start, stop):
            j = order[p]
            if event_type[j] >= 2:
                _fenwick_add(tree_weight, rank[j], v[j])
                total_weight += v[j]
        for p in range(start, stop):
            i = order[p]
            if case[i]:
                numerator += w_earlier[i] * _pairs_scored(tree_weight, rank[i])
                denominator += w_earlier[i] * total_weight
        start = stop
    # later patients: T_j > T_i, or censored at T_i (descending time)
    total_count = 0.0
    for g in range(n_groups - 1, -1, -1):
        stop = group_end[g]
        start = group_end[g - 1] if g > 0 else 0
        for p in range(start, stop):
            j = order[p]
            if event_type[j] == 0:
                _fenwick_add(tree_count, rank[j], 1.0)
                total_count += 1.0
        for p in range(start, stop):
            i = order[p]
            if case[i]:
                numerator += w_later[i] * _pairs_scored(tree_count, rank[i])
                denominator += w_later[i] * total_count
        for p in range(start, stop):
            j = order[p]
            if event_type[j] != 0:
                _fenwick_add(tree_count, rank[j], 1.0)
                total_count += 1.0
    out[0] = numerator
    out[1] = denominator


_KERNELS = {
    "wolbers_sums": wolbers_sums,
    "harrell_chunk": harrell_chunk,
    "harrell_rows": harrell_rows,
    "auc_chunk": auc_chunk,
    "lowess_sorted": lowess_sorted,
    "stable_order_by_rank": stable_order_by_rank,
    "take_sorted": take_sorted,
    "calibration_errors": calibration_errors,
}
_COMPILED: dict = {}


#: Functions the kernels call, compiled where they are called (numba's register_jitable).
_STEPS = (
    _lowess_weights,
    _lowess_tied_mean,
    _lowess_local_line,
    _lowess_interpolate,
    _lowess_skip,
    _fenwick_add,
    _fenwick_sum,
    _pairs_scored,
)
_REGISTERED: list[bool] = []
_REGISTERING = threading.Lock()


def _register_steps() -> None:
    """Let compiled kernels call :data:`_STEPS` (once; they stay plain Python outside)."""
    with _REGISTERING:
        if not _REGISTERED:
            from numba.extending import register_jitable

            for step in _STEPS:
                register_jitable(step)
            _REGISTERED.append(True)


def compiled(name: str):
    """The numba-compiled kernel ``name``, or None when numba is unavailable or disabled."""
    if not USE_NUMBA:
        return None
    if name not in _COMPILED:
        try:
            import numba
        except ImportError:  # pragma: no cover - numba ships with shap
            _COMPILED[name] = None
        else:
            _register_steps()
            try:
                _COMPILED[name] = numba.njit(cache=True, nogil=True)(_KERNELS[name])
            except RuntimeError:  # pragma: no cover - no writable cache location
                _COMPILED[name] = numba.njit(nogil=True)(_KERNELS[name])
    return _COMPILED[name]


def kernel(name: str):
    """The compiled kernel when available, else the plain-Python one (slow, same result)."""
    return compiled(name) or _KERNELS[name]


# -- prepared data ----------------------------------------------------------------------
class HarrellLayout:
    """Rows of ``(time, event, risk)`` sorted for the Harrell kernels (see module notes)."""

    def __init__(self, time: np.ndarray, event: np.ndarray, risk: np.ndarray):
        _, time_rank = np.unique(time, return_inverse=True)
        levels, risk_rank = np.unique(risk, return_inverse=True)
        tkey = 2 * time_rank.astype(np.int64) + (~event).astype(np.int64)
        order = np.argsort(-tkey, kind="stable")
        self.order = order
        self.slot = np.empty(order.shape[0], dtype=np.intp)
        self.slot[order] = np.arange(order.shape[0])
        self.rank = np.ascontiguousarray(risk_rank[order], dtype=np.int64)
        self.event = np.ascontiguousarray(event[order])
        sorted_key = tkey[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        self.bounds = np.r_[starts, order.shape[0]].astype(np.intp)
        self.n_levels = int(levels.shape[0])

    def replicate_counts(self, indices: np.ndarray, function) -> np.ndarray:
        """``(replicates, 3)`` int64 counts (concordant, tied, comparable) via ``function``."""
        out = np.zeros((indices.shape[0], 3), dtype=np.int64)
        function(
            np.ascontiguousarray(indices, dtype=np.intp),
            self.slot,
            self.rank,
            self.event,
            self.bounds,
            self.n_levels,
            out,
        )
        return out

    def row_counts(self) -> np.ndarray:
        """``(n, 6)`` per-row counts of :func:`harrell_rows`, in the original row order."""
        out = np.zeros((self.order.shape[0], 6), dtype=np.int64)
        kernel("harrell_rows")(self.rank, self.event, self.bounds, self.n_levels, out)
        result = np.empty_like(out)
        result[self.order] = out
        return result


class AUCLayout:
    """Rows of ``(event, score)`` laid out for :func:`auc_chunk`."""

    def __init__(self, event: np.ndarray, score: np.ndarray):
        events = np.flatnonzero(event)
        non_events = np.flatnonzero(~event)
        non_events = non_events[np.argsort(score[non_events], kind="stable")]
        self.n_neg = int(non_events.shape[0])
        self.slot = np.empty(event.shape[0], dtype=np.intp)
        self.slot[non_events] = np.arange(self.n_neg)
        self.slot[events] = self.n_neg + np.arange(events.shape[0])
        sorted_scores = score[non_events]
        self.below = np.searchsorted(sorted_scores, score[events], side="left").astype(np.intp)
        self.at_or_below = np.searchsorted(sorted_scores, score[events], side="right").astype(
            np.intp
        )

    def replicate_counts(self, indices: np.ndarray, function) -> np.ndarray:
        out = np.zeros((indices.shape[0], 2), dtype=np.int64)
        function(
            np.ascontiguousarray(indices, dtype=np.intp),
            self.slot,
            self.n_neg,
            self.below,
            self.at_or_below,
            out,
        )
        return out
