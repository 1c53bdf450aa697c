"""Discrimination: the ROC AUC of a binary outcome and Harrell's C of a time-to-event one.

Both are rank statistics over pairs of patients, computed in O(n log n) without
forming the pairs. The counting kernels take per-patient weights, one row per
replicate, so that the bootstrap in :mod:`riskml.evaluation._bootstrap` evaluates
many resamples in one vectorised pass (a resample is a vector of multiplicities).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from ..utils.validation import check_event_array, check_same_length
from ._checks import check_array_argument, check_time_array, warn_if_constant

__all__ = ["concordance_index", "roc_auc"]


# -- input checks ---------------------------------------------------------------------
def _check_score(values, argument: str, function: str) -> np.ndarray:
    """A 1-D float array without NaN."""
    array = check_array_argument(values, argument, function, what="predicted risk")
    if array.ndim != 1:
        raise ValueError(
            f"{argument} of {function} must be one-dimensional; got shape {array.shape}. "
            "Pass one score per patient."
        )
    if array.shape[0] == 0:
        raise ValueError(
            f"{argument} of {function} is empty (0 patients): there is nothing to evaluate. "
            "Check the filter or split that produced it (e.g. a subgroup with no patients)."
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{argument} of {function} must be numeric; got dtype {array.dtype}. "
            "Pass the predicted risk as numbers (higher = higher risk)."
        )
    array = array.astype(float)
    missing = np.isnan(array)
    if missing.any():
        rows = np.flatnonzero(missing)[:5].tolist()
        raise ValueError(
            f"{argument} of {function} has {int(missing.sum())} NaN value(s) (first positions "
            f"{rows}); every patient needs a score. Drop those patients or fix the model "
            "that produced them."
        )
    infinite = np.isinf(array)
    if infinite.any():
        rows = np.flatnonzero(infinite)[:5].tolist()
        raise ValueError(
            f"{argument} of {function} has {int(infinite.sum())} infinite value(s) (first "
            f"positions {rows}); scores must be finite (scikit-learn refuses them too). An "
            "infinite score usually comes from log(0) or a logit of a risk of exactly 0 or 1: "
            "clip the risks into (0, 1) before transforming them, or fix the model."
        )
    return array


def _check_two_classes(event: np.ndarray, function: str) -> None:
    n_events = int(event.sum())
    n_non_events = int(event.shape[0] - n_events)
    if n_events == 0 or n_non_events == 0:
        raise ValueError(
            f"{function} is undefined when y_true holds one class only; got {n_events} "
            f"event(s) and {n_non_events} non-event(s). The AUC compares events with "
            "non-events, so both must be present."
        )


def _check_has_events(event: np.ndarray, function: str) -> None:
    if not event.any():
        raise ValueError(
            f"{function} is undefined: no patient has an event (event is all 0), so no "
            "pair of patients is comparable. Harrell's C needs at least one observed event "
            "followed by a longer follow-up."
        )


# What tied risks do to a rank statistic, for the warning on constant risks.
TIES_ONLY = (
    "the concordance (AUC or C-index) is 0.5 from ties alone (every pair of patients is "
    "tied), which says nothing about discrimination."
)
NOISE_ONLY = (
    "the concordance (AUC or C-index) ranks patients by differences that are rounding "
    "noise, so it says nothing about discrimination."
)


def _warn_constant_score(score: np.ndarray, argument: str, function: str) -> None:
    """Warn when every score is (practically) the same: the rank statistic is then 0.5
    from ties alone (or rests on rounding noise)."""
    warn_if_constant(score, argument, function, TIES_ONLY, NOISE_ONLY)


def _check_binary_inputs(y_true, y_score, function: str, argument: str = "y_score"):
    event = check_event_array(
        check_array_argument(y_true, "y_true", function, what="0/1 outcome"), "y_true", function
    )
    score = _check_score(y_score, argument, function)
    check_same_length(function, y_true=event, **{argument: score})
    _check_two_classes(event, function)
    _warn_constant_score(score, argument, function)
    return event, score


def _check_event_time(time, event, function: str, names=("time", "event")):
    """Checked ``(time, event)`` of a time-to-event outcome, of equal lengths.

    ``names`` are the arguments' names in messages (e.g. ``train_time``)."""
    time = check_time_array(time, function, names[0])
    event = check_event_array(
        check_array_argument(event, names[1], function, what="event flag (0/1)"),
        names[1],
        function,
    )
    if time.shape[0] != event.shape[0]:
        raise ValueError(
            f"{names[0]} and {names[1]} of {function} must have one value per patient; got "
            f"{time.shape[0]} times and {event.shape[0]} event flags."
        )
    return time, event


def _check_survival_inputs(time, event, risk, function: str, argument: str = "risk"):
    risk = _check_score(risk, argument, function)
    time, event = _check_event_time(time, event, function)
    check_same_length(function, time=time, event=event, **{argument: risk})
    _check_has_events(event, function)
    _warn_constant_score(risk, argument, function)
    return time, event, risk


# -- ROC AUC --------------------------------------------------------------------------
def roc_auc(y_true, y_score) -> float:
    """Area under the ROC curve (the C-statistic of a binary outcome).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        1 (or True) for an event, 0 for none.
    y_score : array-like of shape (n_samples,)
        Predicted risk; higher = higher risk.

    Returns
    -------
    auc : float
        The probability that a random event has a higher score than a random
        non-event, ties counting 1/2.

    Notes
    -----
    Computed from mid-ranks (the Mann-Whitney U statistic), O(n log n); equal to
    the trapezoidal area under the empirical ROC curve and to
    ``sklearn.metrics.roc_auc_score``.

    References
    ----------
    .. [1] Hanley JA, McNeil BJ. The meaning and use of the area under a receiver
       operating characteristic (ROC) curve. Radiology 1982;143:29-36.

    Examples
    --------
    >>> from riskml.evaluation import roc_auc
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    event, score = _check_binary_inputs(y_true, y_score, "roc_auc")
    n_pos = int(event.sum())
    n_neg = event.shape[0] - n_pos
    ranks = rankdata(score)  # mid-ranks: ties count 1/2
    u_statistic = ranks[event].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u_statistic / (n_pos * n_neg))


class _AUCKernel:
    """The AUC of many resamples at once, from their row indices.

    A resample's AUC is ``sum_{i event, j non-event} w_i w_j ([s_i > s_j] +
    [s_i == s_j] / 2) / (n_events * n_non_events)`` with ``w`` the multiplicities of
    the rows drawn. The rows are laid out as [non-events by score, events], so the
    multiplicities of a chunk of resamples come from one ``bincount`` and the inner
    sum is a cumulative sum over the non-events, read at two positions per event.
    All sums are of integers (twice the numerator), so the result is exact.
    """

    def __init__(self, event: np.ndarray, score: np.ndarray):
        events = np.flatnonzero(event)
        non_events = np.flatnonzero(~event)
        non_events = non_events[np.argsort(score[non_events], kind="stable")]
        self.n_non_events = non_events.shape[0]
        self.slot = np.empty(event.shape[0], dtype=np.intp)
        self.slot[non_events] = np.arange(self.n_non_events)
        self.slot[events] = self.n_non_events + np.arange(events.shape[0])
        sorted_scores = score[non_events]
        self.below = np.searchsorted(sorted_scores, score[events], side="left")
        self.at_or_below = np.searchsorted(sorted_scores, score[events], side="right")

    def replicates(self, indices: np.ndarray) -> np.ndarray:
        """AUC of each row of ``indices`` (one resample per row); NaN if a class is absent."""
        size, n = indices.shape
        flat = self.slot[indices]
        flat += (np.arange(size) * n)[:, None]
        weights = np.bincount(flat.ravel(), minlength=size * n).reshape(size, n)
        split = self.n_non_events
        cum = np.zeros((size, split + 1), dtype=np.int64)
        np.cumsum(weights[:, :split], axis=1, out=cum[:, 1:])
        # twice (non-events strictly below + half those tied), per event
        twice_beaten = cum[:, self.below]
        twice_beaten += cum[:, self.at_or_below]
        event_weights = weights[:, split:]
        numerator = np.einsum("bi,bi->b", event_weights, twice_beaten) / 2.0
        pairs = event_weights.sum(axis=1) * cum[:, -1]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(pairs > 0, numerator / pairs, np.nan)


# -- Harrell's C ----------------------------------------------------------------------
def _run_ends(sorted_key: np.ndarray) -> np.ndarray:
    """For each position of a sorted array, one past the last position of its run of equal values."""
    n = sorted_key.shape[0]
    last = np.ones(n, dtype=bool)
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=last[:-1])
    ends = np.flatnonzero(last) + 1
    run = np.zeros(n, dtype=np.intp)
    np.cumsum(last[:-1], out=run[1:])
    return ends[run]


class _GroupSuffix:
    """Sums over ``{j : group_j == group_i, tkey_j > tkey_i}`` for the ``active`` rows i.

    With the rows sorted by ``(group, tkey)`` each such set is the contiguous range
    from the end of i's ``(group, tkey)`` run to the end of its group, so one
    cumulative sum of the (masked) weights answers every row at once.

    Parameters
    ----------
    order : ndarray of int
        A permutation sorting the rows by ``(group, tkey)``; not kept.
    group, tkey : ndarray of int
    active : ndarray of bool
        Rows i whose sums are wanted.
    mask : ndarray of bool or None
        Rows j allowed in the sums (None: all).
    """

    def __init__(self, order, group, tkey, active, mask=None):
        group_ends = _run_ends(group[order])
        # a tkey run may continue across a group boundary; it ends with its group
        key_ends = np.minimum(_run_ends(tkey[order]), group_ends)
        positions = np.flatnonzero(active[order])
        self.active = order[positions]
        if mask is None:
            self.columns = order
            self.hi, self.lo = group_ends[positions], key_ends[positions]
        else:
            # keep only the allowed rows j; ranges become counts of allowed rows before
            allowed = mask[order]
            self.columns = order[allowed]
            before = np.zeros(order.shape[0] + 1, dtype=np.intp)
            np.cumsum(allowed, out=before[1:])
            self.hi, self.lo = before[group_ends[positions]], before[key_ends[positions]]

    def sums(self, weights: np.ndarray) -> np.ndarray:
        """Per replicate (row of ``weights``): ``sum_{i active} W[i] * sum_{j in set(i)} W[j]``."""
        cum = np.zeros((weights.shape[0], self.columns.shape[0] + 1))
        np.cumsum(weights[:, self.columns], axis=1, out=cum[:, 1:])
        inner = cum[:, self.hi]
        inner -= cum[:, self.lo]
        return np.einsum("bi,bi->b", weights[:, self.active], inner)


class _ConcordanceKernel:
    """Weighted pair counts of Harrell's C, for one or many replicates at once.

    Patient j is *after* event i when ``time_j > time_i``, or ``time_j == time_i``
    and j is censored (R survival's convention; two events at the same time are
    not comparable). With ``tkey = 2 * rank(time) + censored`` this is
    ``tkey_j > tkey_i``. The comparable, tied-risk and concordant counts are then
    sums over ``{j : tkey_j > tkey_i}`` restricted to all risks, equal risk, and
    lower risk. "Lower risk" is split over the bits of the dense risk rank ``r``:
    ``r_j < r_i`` exactly when, for one bit b set in ``r_i`` and clear in ``r_j``,
    the higher bits agree. Each bit is one :class:`_GroupSuffix` whose sort order
    merges the previous bit's (a bottom-up merge sort), so the whole count is
    O(n log n) per replicate with no Python loop over patients.
    """

    def __init__(self, time: np.ndarray, event: np.ndarray, risk: np.ndarray, *, cache=False):
        _, time_rank = np.unique(time, return_inverse=True)
        _, risk_rank = np.unique(risk, return_inverse=True)
        self._event = event
        self._tkey = 2 * time_rank.astype(np.int64) + (~event).astype(np.int64)
        self._risk_rank = risk_rank.astype(np.int64)
        # cached levels hold a few index arrays each (~log2(n) levels, tens of bytes
        # per patient per level): worth it only when the same data are counted many
        # times (the bootstrap); a single count streams them
        self._cached = list(self._levels()) if cache else None

    def _levels(self):
        """Yield ``(kind, _GroupSuffix)`` with kind in {"tied", "lower", "comparable"}."""
        event, tkey, risk_rank = self._event, self._tkey, self._risk_rank
        n_tkeys = int(tkey.max()) + 1
        order = np.lexsort((tkey, risk_rank))
        yield "tied", _GroupSuffix(order, risk_rank, tkey, event)
        n_bits = max(int(risk_rank.max()), 1).bit_length()
        for bit in range(n_bits):
            group = risk_rank >> (bit + 1)
            # each new group is two sorted runs of the previous order: a stable merge
            order = order[np.argsort((group * n_tkeys + tkey)[order], kind="stable")]
            set_here = ((risk_rank >> bit) & 1).astype(bool)
            active = event & set_here
            if active.any():
                yield "lower", _GroupSuffix(order, group, tkey, active, ~set_here)
        # after the last bit every group is 0: the order sorts by tkey alone
        yield "comparable", _GroupSuffix(order, np.zeros_like(tkey), tkey, event)

    def counts(self, weights: np.ndarray):
        """Concordant, discordant, tied-risk and comparable (weighted) pair counts.

        ``weights`` has one row per replicate and one column per patient; each
        returned array has one value per row.
        """
        weights = np.asarray(weights, dtype=float)
        totals = {"tied": 0.0, "lower": 0.0, "comparable": 0.0}
        for kind, level in self._cached if self._cached is not None else self._levels():
            totals[kind] = totals[kind] + level.sums(weights)
        concordant = totals["lower"] + np.zeros(weights.shape[0])
        discordant = totals["comparable"] - concordant - totals["tied"]
        return concordant, discordant, totals["tied"], totals["comparable"]


def _concordance_pairs(time, event, risk) -> tuple[int, int, int, int]:
    """Pair counts of Harrell's C: (concordant, discordant, tied_risk, comparable).

    ``time``, ``event`` (bool) and ``risk`` are already checked arrays. A pair is
    comparable when the patient with the shorter time had an event; at equal times
    an event and a censoring are comparable (the censored patient outlived the
    event), two events are not. It is concordant when the earlier event has the
    higher risk.
    """
    kernel = _ConcordanceKernel(time, event, risk)
    counts = kernel.counts(np.ones((1, time.shape[0])))
    return tuple(int(round(float(count[0]))) for count in counts)


@dataclass(frozen=True)
class ConcordanceResult:
    """Harrell's C with its (weighted) pair counts, as R's ``concordance()``.

    Attributes
    ----------
    c_index : float
    concordant, discordant : float
        Comparable pairs in which the earlier event has the higher (lower) risk.
    tied_risk : float
        Comparable pairs tied on risk (R's ``tied.x``), counted 1/2.
    tied_time : float
        Pairs of two events at the same time, not comparable (R's ``tied.y``).
    comparable : float
        ``concordant + discordant + tied_risk``.

    Examples
    --------
    >>> from riskml.evaluation import concordance_index
    >>> counts = concordance_index([5, 10, 15, 20], [1, 1, 0, 1], [0.9, 0.3, 0.5, 0.1],
    ...                            return_counts=True)
    >>> counts.c_index, float(counts.concordant), float(counts.discordant), float(counts.comparable)
    (0.8, 4.0, 1.0, 5.0)
    """

    c_index: float
    concordant: float
    discordant: float
    tied_risk: float
    tied_time: float
    comparable: float


def _merge_close(risk: np.ndarray, tied_tol: float) -> np.ndarray:
    """Risks within ``tied_tol`` of their sorted neighbour set to one value."""
    order = np.argsort(risk, kind="stable")
    ordered = risk[order]
    new_group = np.r_[True, np.diff(ordered) > tied_tol]
    merged = np.empty_like(risk)
    merged[order] = ordered[np.flatnonzero(new_group)[np.cumsum(new_group) - 1]]
    return merged


def concordance_index(
    time, event, risk, *, weights=None, strata=None, tied_tol=0.0, return_counts=False
):
    """Harrell's concordance index (C) of a right-censored time-to-event outcome.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Days from the index time to the event or to censoring.
    event : array-like of shape (n_samples,)
        1 (or True) where the event was observed, 0 where follow-up was censored.
    risk : array-like of shape (n_samples,)
        Predicted risk; **higher = higher risk = earlier event** (riskml's single
        direction, e.g. a Cox linear predictor).
    weights : array-like of shape (n_samples,), optional
        Case weights; a pair counts ``w_i * w_j`` (R ``concordance(weights=)``).
    strata : array-like of shape (n_samples,), optional
        Only pairs within the same stratum are compared (R's ``strata()``); the
        counts are summed over strata.
    tied_tol : float, default=0.0
        Risks closer than this count as tied (scikit-survival's ``tied_tol``, whose
        default is 1e-8). Risks are merged with their neighbour in sorted order
        (single linkage), which equals the pairwise rule unless a chain of close
        risks spans more than ``tied_tol``. 0: exact equality, as R.
    return_counts : bool, default=False
        Return a :class:`ConcordanceResult` with the pair counts R's
        ``concordance()`` reports instead of the index alone.

    Returns
    -------
    c_index : float or ConcordanceResult
        ``(concordant + tied_risk / 2) / comparable`` over the comparable pairs.

    Notes
    -----
    Conventions, as R ``survival::concordance(..., reverse=TRUE)`` with the default
    ``timewt="n"``:

    - a pair is comparable when the shorter follow-up ended in an event;
    - two events at the same time are not comparable (R's ``tied.y``);
    - an event and a censoring at the same time are comparable: the censored
      patient is taken to have outlived the event;
    - pairs tied on risk count 1/2 (R's ``tied.x``).

    ``lifelines.utils.concordance_index`` scores "higher = longer survival"; its
    value equals ``concordance_index(time, event, risk)`` when given ``-risk``.
    Counting is O(n log n).

    References
    ----------
    .. [1] Harrell FE, Lee KL, Mark DB. Multivariable prognostic models: issues in
       developing models, evaluating assumptions and adequacy, and measuring and
       reducing errors. Stat Med 1996;15:361-387.
    .. [2] Therneau T. The concordance statistic. Vignette of the R package
       survival.

    Examples
    --------
    >>> from riskml.evaluation import concordance_index
    >>> concordance_index([5, 10, 15, 20], [1, 1, 0, 1], [0.9, 0.3, 0.5, 0.1])
    0.8
    """
    function = "concordance_index"
    time, event, risk = _check_survival_inputs(time, event, risk, function)
    n = time.shape[0]
    if weights is None:
        weights = np.ones(n)
    else:
        weights = np.asarray(weights, dtype=float)
        if weights.shape != (n,) or not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError(
                f"weights of {function} must hold one finite, non-negative weight per "
                f"patient ({n}); got shape {weights.shape}."
            )
    if isinstance(tied_tol, bool) or not isinstance(tied_tol, int | float) or tied_tol < 0:
        raise ValueError(f"tied_tol of {function} must be a number >= 0; got {tied_tol!r}.")
    if tied_tol > 0:
        risk = _merge_close(risk, float(tied_tol))
    if strata is None:
        groups = [np.arange(n)]
    else:
        strata = np.asarray(strata)
        if strata.shape != (n,):
            raise ValueError(
                f"strata of {function} must hold one label per patient ({n}); got shape "
                f"{strata.shape}."
            )
        groups = [np.flatnonzero(strata == level) for level in np.unique(strata)]
    totals = np.zeros(5)
    for rows in groups:
        if rows.shape[0] < 2:
            continue
        kernel = _ConcordanceKernel(time[rows], event[rows], risk[rows])
        concordant, discordant, tied, comparable = (
            float(c[0]) for c in kernel.counts(weights[rows][None, :])
        )
        # two events at one time: sum over times of (W^2 - sum w^2) / 2
        w, t = weights[rows][event[rows]], time[rows][event[rows]]
        _, where = np.unique(t, return_inverse=True)
        total, squares = np.bincount(where, weights=w), np.bincount(where, weights=w**2)
        tied_time = float(np.sum((total**2 - squares) / 2)) if w.size else 0.0
        totals += (concordant, discordant, tied, tied_time, comparable)
    concordant, discordant, tied, tied_time, comparable = totals
    if comparable == 0:
        raise ValueError(
            "concordance_index is undefined: no pair of patients is comparable (every "
            "event happened at or after the last follow-up time of all other patients, "
            "or at the same time as the other events). Harrell's C needs an event "
            "followed by a longer follow-up."
        )
    c_index = (concordant + 0.5 * tied) / comparable
    if return_counts:
        return ConcordanceResult(
            float(c_index), concordant, discordant, tied, tied_time, comparable
        )
    return float(c_index)
