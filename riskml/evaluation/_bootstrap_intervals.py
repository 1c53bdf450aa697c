"""Bootstrap and DeLong intervals from replicates: the interval methods.

:class:`ConfidenceInterval`, the checks of the interval parameters, the percentile
and BCa intervals of a set of replicates (:func:`_interval`), the jackknife that
gives the BCa acceleration (in one pass from DeLong's placements for the AUC, from
per-patient pair counts for Harrell's C, by leaving each row out otherwise), and
DeLong's Wald interval of the AUC. The replicates come from
:mod:`riskml.evaluation._bootstrap`.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from . import _kernels
from ._checks import already_warned
from ._delong import _check_delong_sizes, delong_covariance, delong_placements
from ._discrimination import roc_auc

__all__ = ["ConfidenceInterval"]


@dataclass(frozen=True)
class ConfidenceInterval:
    """A point estimate with a confidence interval.

    Attributes
    ----------
    estimate : float
        The statistic on the full data.
    low, high : float
        The interval bounds.
    confidence : float
        The nominal coverage, e.g. 0.95.
    n_boot : int
        Replicates drawn (0 for an analytical interval such as DeLong's).
    n_degenerate : int
        Replicates on which the statistic was undefined (one class, no comparable
        pair); they are excluded from the interval, which rests on
        ``n_boot - n_degenerate`` replicates.
    method : str
        How the interval was computed, e.g. ``"percentile bootstrap"``,
        ``"BCa bootstrap"`` or ``"DeLong"``. A bootstrap interval that excludes its
        estimate says so here ("; the estimate lies below this interval because the
        bootstrap values of the statistic are biased upward: ..."); a metric whose
        replicates were capped states the number drawn (see
        :func:`riskml.evaluation.metric_interval`).

    Examples
    --------
    >>> from riskml.evaluation import roc_auc_ci
    >>> ci = roc_auc_ci([0, 0, 1, 1, 0, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6], method="delong")
    >>> ci
    ConfidenceInterval(0.9375, 95% CI 0.7643 to 1.0000; DeLong)
    >>> round(ci.low, 3), ci.high, ci.method
    (0.764, 1.0, 'DeLong')
    """

    estimate: float
    low: float
    high: float
    confidence: float
    n_boot: int
    n_degenerate: int
    method: str

    def __repr__(self) -> str:
        degenerate = f", {self.n_degenerate} degenerate" if self.n_degenerate else ""
        replicates = ""
        if self.n_boot and f"{self.n_boot} replicates" not in self.method:
            replicates = f", {self.n_boot} replicates"
        replicates += degenerate if self.n_boot else ""
        return (
            f"ConfidenceInterval({self.estimate:.4f}, {self.confidence:.0%} CI "
            f"{self.low:.4f} to {self.high:.4f}; {self.method}{replicates})"
        )

    def as_dict(self) -> dict:
        """The fields as a plain dict (e.g. a row of a summary DataFrame)."""
        return asdict(self)


# -- parameter validation (sklearn's message shape) ----------------------------------
# More replicates than this are refused: they add nothing to an interval and would run
# for hours (a mistyped n_boot=10**9 would otherwise look like a hang).
MAX_N_BOOT = 1_000_000


def _check_n_boot(n_boot, function: str) -> int:
    message = (
        f"The 'n_boot' parameter of {function} must be an int in the range [1, inf). "
        f"Got {n_boot!r} instead. Pass a whole number of bootstrap replicates, e.g. "
        "n_boot=2000."
    )
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral):
        raise TypeError(message)
    if n_boot < 1:
        raise ValueError(message)
    if n_boot > MAX_N_BOOT:
        raise ValueError(
            f"The 'n_boot' parameter of {function} must be at most {MAX_N_BOOT:,}; got "
            f"{n_boot:,}. Percentile intervals are stable with 2,000 to 10,000 replicates, and "
            "this many would run for hours; use n_boot=2000 (the default)."
        )
    return int(n_boot)


def _as_number(value, function: str) -> float:
    """The statistic's value on the full data as a float; a clear error otherwise."""
    array = np.asarray(value)
    if array.size != 1 or array.dtype.kind not in "biuf":
        raise TypeError(
            f"the statistic of {function} must return one number; on the full data it "
            f"returned {type(value).__name__} of shape {array.shape}. Reduce it to one number "
            "(e.g. return float(values.mean()))."
        )
    return float(array.reshape(-1)[0])


def _check_interval_n_boot(n_boot: int, confidence: float, function: str) -> int:
    """At least ``2 / (1 - confidence)`` replicates (40 at 95%) for a percentile interval.

    With fewer, less than one replicate is expected beyond each endpoint, so the
    interval is set by the most extreme replicates; ``n_boot=1`` gives a zero-width
    interval that can exclude its own estimate.
    """
    minimum = int(np.ceil(2.0 / (1.0 - confidence) - 1e-9))
    if n_boot < minimum:
        raise ValueError(
            f"The 'n_boot' parameter of {function} must be at least {minimum} for a "
            f"{confidence:.0%} interval (2 / (1 - confidence), so that each tail holds at "
            f"least one replicate); got {n_boot}. Use n_boot=2000 (the default) for "
            "reported intervals."
        )
    return n_boot


def _check_sample_size(groups: dict[str, int], function: str) -> None:
    """Refuse resampling units of one; warn below 10 (small-sample intervals)."""
    single = {name: count for name, count in groups.items() if count < 2}
    if single:
        needed = " and ".join(f"2 {name}" for name in groups)
        described = ", ".join(f"{count} {name}" for name, count in single.items())
        raise ValueError(
            f"{function}: a bootstrap interval needs at least {needed}; got "
            f"{described}. Resampling a single patient always draws the same patient, so the "
            "interval would have zero width (e.g. 1.000-1.000) and claim a certainty the data "
            "do not have. Report the estimate without an interval, or collect more data."
        )
    small = {name: count for name, count in groups.items() if count < 10}
    if small:
        described = ", ".join(f"{count} {name}" for name, count in small.items())
        warnings.warn(
            f"{function}: only {described} (fewer than 10); the bootstrap interval is "
            "unreliable at this sample size and may be too narrow.",
            UserWarning,
            stacklevel=3,
        )


# -- jackknife (for the BCa acceleration) ---------------------------------------------
def _auc_jackknife(event: np.ndarray, score: np.ndarray) -> list[np.ndarray]:
    """Leave-one-out AUCs, [non-events, events], from DeLong's placements in O(n log n).

    Leaving event i out gives ``(m * AUC - V10_i) / (m - 1)``, leaving non-event j out
    ``(n * AUC - V01_j) / (n - 1)``.
    """
    auc, v10, v01 = delong_placements(event, score[None, :])
    auc, v10, v01 = float(auc[0]), v10[0], v01[0]
    m, n = v10.shape[0], v01.shape[0]
    return [(n * auc - v01) / (n - 1), (m * auc - v10) / (m - 1)]


def _harrell_jackknife(time: np.ndarray, event: np.ndarray, risk: np.ndarray) -> list:
    """Leave-one-out Harrell's C of every patient, from per-patient pair counts."""
    rows = _kernels.HarrellLayout(time, event, risk).row_counts()
    concordant = rows[:, 0] + rows[:, 3]
    tied = rows[:, 1] + rows[:, 4]
    comparable = rows[:, 2] + rows[:, 5]
    # every pair has two members: the totals are half the per-patient sums
    total_c, total_t, total_m = concordant.sum() // 2, tied.sum() // 2, comparable.sum() // 2
    remaining = total_m - comparable
    if (remaining == 0).any():
        raise ValueError(
            "the BCa interval of Harrell's C needs the statistic on every leave-one-out "
            "sample, but removing one patient leaves no comparable pair. Use "
            "ci_type='percentile'."
        )
    return [((total_c - concordant) + 0.5 * (total_t - tied)) / remaining]


def _generic_jackknife(statistic, arrays, strata, function) -> list[np.ndarray]:
    """Leave-one-out values of ``statistic``, grouped by stratum (one group without)."""
    n = arrays[0].shape[0]
    codes = (
        np.zeros(n, dtype=np.intp) if strata is None else np.unique(strata, return_inverse=True)[1]
    )
    values = np.empty(n)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        keep[i] = False
        try:
            values[i] = float(statistic(*(array[keep] for array in arrays)))
        except ValueError as error:
            raise ValueError(
                f"{function} with ci_type='bca' needs the statistic on every leave-one-out "
                f"sample (the jackknife); without row {i} it raised: {error} Use "
                "ci_type='percentile'."
            ) from error
        keep[i] = True
    if not np.isfinite(values).all():
        raise ValueError(
            f"{function} with ci_type='bca' needs the statistic on every leave-one-out "
            f"sample (the jackknife); it is NaN without row(s) "
            f"{np.flatnonzero(~np.isfinite(values))[:5].tolist()}. Use ci_type='percentile'."
        )
    return [values[codes == code] for code in np.unique(codes)]


def _acceleration(jackknife: list[np.ndarray]) -> float:
    """Efron's acceleration from jackknife values, one array per stratum.

    ``a = sum_s sum_i U_si^3 / n_s^3 / (6 (sum_s sum_i U_si^2 / n_s^2)^{3/2})`` with
    ``U_si = (n_s - 1)(mean_s - theta_(si))`` (Efron & Tibshirani 1993, eq. 14.15;
    the multi-sample form of ``scipy.stats.bootstrap``). 0 when every jackknife value
    is equal.
    """
    numerator = denominator = 0.0
    for values in jackknife:
        size = float(values.shape[0])
        u = (size - 1.0) * (values.mean() - values)
        numerator += float(np.sum(u**3)) / size**3
        denominator += float(np.sum(u**2)) / size**2
    if denominator == 0.0:
        return 0.0
    return numerator / (6.0 * denominator**1.5)


def _bca_levels(estimate: float, valid: np.ndarray, acceleration: float, confidence: float):
    """The two quantile levels of the BCa interval (Efron & Tibshirani 1993, eq. 14.10)."""
    # bias correction from the share of replicates below the estimate, ties counting 1/2
    share = (np.count_nonzero(valid < estimate) + np.count_nonzero(valid <= estimate)) / (
        2.0 * valid.shape[0]
    )
    if share <= 0.0 or share >= 1.0:
        return None
    z0 = float(ndtri(share))
    levels = []
    for tail in ((1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0):
        shifted = z0 + float(ndtri(tail))
        levels.append(float(ndtr(z0 + shifted / (1.0 - acceleration * shifted))))
    return levels


# Opens the sentence that _interval appends to ``method`` when the interval excludes its
# estimate (the metric layer finds it here to add the metric's own reason).
_OUTSIDE_MARK = "; the estimate lies "


def _outside_note(estimate: float, low: float, high: float, reason: str = "") -> str:
    """The words appended to ``method`` when ``estimate`` is outside ``[low, high]``.

    A percentile interval is the middle of the bootstrap distribution of the statistic,
    which is centred on the estimate only if the statistic is unbiased in resamples; where
    the resampled values are shifted (the ICI, a mean of absolute errors, runs higher in
    every resample) the interval can miss the estimate. Empty when the estimate is inside.
    """
    if not (estimate < low or estimate > high):  # inside, or NaN
        return ""
    side, bias = ("below", "upward") if estimate < low else ("above", "downward")
    because = f" ({reason})" if reason else ""
    return (
        f"{_OUTSIDE_MARK}{side} this interval because the bootstrap values of the "
        f"statistic are biased {bias}{because}: the interval shows how much the statistic "
        "varies between samples, not a range around the estimate"
    )


def _split_outside_note(method: str) -> str:
    """``method`` without the sentence of :func:`_outside_note`."""
    return method.split(_OUTSIDE_MARK, 1)[0]


def _interval(
    estimate: float,
    replicates: np.ndarray,
    n_boot: int,
    confidence: float,
    method: str,
    function: str,
    first_error: str | None = None,
    jackknife: Callable[[], list] | None = None,
) -> ConfidenceInterval:
    """Percentile interval, or BCa when a ``jackknife`` (callable) is given."""
    valid = replicates[np.isfinite(replicates)]
    n_degenerate = n_boot - valid.shape[0]
    if valid.shape[0] == 0:
        reason = f" The statistic said: {first_error}" if first_error else ""
        raise ValueError(
            f"{function}: all {n_boot} bootstrap replicates were degenerate (the statistic "
            f"is undefined on each resample, e.g. one class or no comparable pair), so no "
            f"interval can be formed. The data hold too few events to resample.{reason}"
        )
    alpha = 1.0 - confidence
    levels = [alpha / 2.0, 1.0 - alpha / 2.0]
    if jackknife is not None:
        levels = _bca_levels(estimate, valid, _acceleration(jackknife()), confidence)
        if levels is None:
            raise ValueError(
                f"{function}: the BCa interval is undefined because every bootstrap "
                f"replicate lies on one side of the estimate {estimate!r} (the bias "
                "correction is infinite). Use ci_type='percentile' or more replicates."
            )
        method = method.replace("percentile bootstrap", "BCa bootstrap")
    low, high = np.quantile(valid, levels)
    return ConfidenceInterval(
        estimate=float(estimate),
        low=float(low),
        high=float(high),
        confidence=confidence,
        n_boot=n_boot,
        n_degenerate=int(n_degenerate),
        method=method + _outside_note(float(estimate), float(low), float(high)),
    )


def _percentile_interval(
    estimate, replicates, n_boot, confidence, method, function, first_error=None
) -> ConfidenceInterval:
    """Percentile interval (kept for callers of the earlier name)."""
    return _interval(estimate, replicates, n_boot, confidence, method, function, first_error)


def _delong_interval(event: np.ndarray, score: np.ndarray, confidence: float, function: str):
    """Wald interval on the AUC scale with DeLong's standard error, clipped to [0, 1]."""
    _check_delong_sizes(event, function)
    with already_warned():
        estimate = roc_auc(event, score)
    _, covariance = delong_covariance(event, score[None, :])
    se = float(np.sqrt(covariance[0, 0]))
    z = float(ndtri(0.5 + confidence / 2.0))
    return ConfidenceInterval(
        estimate=estimate,
        low=float(np.clip(estimate - z * se, 0.0, 1.0)),
        high=float(np.clip(estimate + z * se, 0.0, 1.0)),
        confidence=confidence,
        n_boot=0,
        n_degenerate=0,
        method="DeLong",
    )
