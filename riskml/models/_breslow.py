"""The baseline cumulative hazard of a log-relative-hazard model (Breslow, or Efron's form)."""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["BreslowBaseline", "not_estimable"]

BASELINE_TIES = ("breslow", "efron")


def not_estimable(values: np.ndarray) -> np.ndarray:
    """Columns of ``values`` whose coefficient a Cox-type model cannot estimate: constant
    ones and those linearly dependent on the others (``NA`` in R's ``coxph``), found by
    a rank-revealing QR decomposition of the centred, scaled columns.

    Returns
    -------
    ndarray of int
        Their positions, ascending.
    """
    from scipy.linalg import qr

    values = np.asarray(values, dtype=float)
    if values.shape[1] == 0:
        return np.array([], dtype=int)
    values = values - values.mean(axis=0)
    scale = np.abs(values).max(axis=0)
    constant = scale == 0
    values = values / np.where(constant, 1.0, scale)
    _, r, pivot = qr(values, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(r))
    tol = max(values.shape) * np.finfo(float).eps * (diagonal[0] if diagonal.size else 0.0)
    rank = int(np.sum(diagonal > max(tol, 1e-10)))
    dependent = set(pivot[rank:].tolist()) | set(np.flatnonzero(constant).tolist())
    return np.array(sorted(dependent), dtype=int)


def _event_time_sums(time, event, weight, values=None):
    """Risk-set and death sums at each distinct event time.

    Returns ``times`` (distinct event times, ascending), ``deaths`` (the number of
    events at each), ``at_risk`` (sum of ``weight`` over patients with
    ``time >= t``), ``dying`` (sum of ``weight`` over the events at ``t``) and, when
    ``values`` (n x p) is given, the same two sums of ``weight * values``.
    """
    order = np.argsort(time, kind="stable")
    sorted_time = time[order]
    times = np.unique(time[event])
    start = np.searchsorted(sorted_time, times, side="left")  # first patient at risk
    tail = np.concatenate([np.cumsum(weight[order][::-1])[::-1], [0.0]])
    at = np.searchsorted(times, time[event])
    deaths = np.bincount(at, minlength=times.size).astype(float)
    dying = np.bincount(at, weights=weight[event], minlength=times.size)
    sums = (times, deaths, tail[start], dying)
    if values is None:
        return sums
    weighted = weight[:, None] * values
    cumulative = np.vstack(
        [np.cumsum(weighted[order][::-1], axis=0)[::-1], np.zeros(values.shape[1])]
    )
    dying_values = np.zeros((times.size, values.shape[1]))
    np.add.at(dying_values, at, weighted[event])
    return (*sums, cumulative[start], dying_values)


def _efron_fractions(deaths):
    """For each event ``(time index, k / d)`` with ``k = 0..d-1``: Efron's tie fractions."""
    counts = deaths.astype(int)
    index = np.repeat(np.arange(deaths.size), counts)
    k = np.arange(index.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return index, k / deaths[index]


def efron_score(time, event, X, beta) -> np.ndarray:
    """Score (gradient) of Efron's partial log-likelihood at ``beta``.

    ``U = sum over event times t of [ sum_{deaths at t} x_i
    - sum_{k=0}^{d-1} (S1(t) - k/d D1(t)) / (S0(t) - k/d D0(t)) ]``, with ``S`` sums
    over the risk set and ``D`` over the ``d`` deaths at ``t`` (Efron 1977), as R's
    ``coxph`` and lifelines compute it. Add the strata's scores for a stratified model.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    X = np.asarray(X, dtype=float)
    eta = X @ np.asarray(beta, dtype=float)
    weight = np.exp(eta - (eta.max() if eta.size else 0.0))
    _, deaths, s0, d0, s1, d1 = _event_time_sums(time, event, weight, X)
    index, fraction = _efron_fractions(deaths)
    expected = (s1[index] - fraction[:, None] * d1[index]) / (s0[index] - fraction * d0[index])[
        :, None
    ]
    return X[event].sum(axis=0) - expected.sum(axis=0)


class BreslowBaseline:
    """Baseline cumulative hazard ``H0(t)`` given fitted log relative hazards.

    ``ties="breslow"``: ``H0(t) = sum over event times s <= t of d(s) / sum_{j at risk
    at s} exp(eta_j)`` (Breslow 1972; R's ``survfit.coxph(ctype = 1)``, lifelines'
    ``baseline_cumulative_hazard_``). ``ties="efron"``: the ``d`` tied events at ``s``
    leave the risk set a ``1/d`` share at a time, ``sum_{k=0}^{d-1} 1 / (S0(s) - k/d
    D0(s))`` with ``S0`` the risk set's and ``D0`` the dying patients' sum of
    ``exp(eta)`` (R's ``ctype = 2``, its default after an Efron fit). Both equal when
    no event times are tied. ``eta`` is centred at its training mean so that ``exp``
    cannot overflow; risks use the same centring.

    Parameters
    ----------
    time, event : array-like
        Training follow-up (days) and event flags.
    log_risk : array-like of float
        Training log relative hazards ``eta`` (any model's margin).
    ties : {"breslow", "efron"}, default="breslow"
        How tied event times share the risk set (above).

    Attributes
    ----------
    times : ndarray
        Distinct event times, ascending.
    cumulative_hazard : ndarray
        ``H0`` at ``times`` (for ``eta`` = the training mean).
    offset : float
        The training mean of ``eta``.
    ties : str

    Notes
    -----
    ``H0`` is a right-continuous step function: an event exactly at the horizon
    counts, nothing between two event times is interpolated (lifelines'
    ``predict_survival_function(times=...)`` interpolates linearly between the
    times it stores), and beyond the last event time ``H0`` keeps its last value.
    ``1 - S(t | x) = 1 - exp(-H0(t) exp(eta - offset))``, R's default ``stype = 2``.

    References
    ----------
    Breslow NE. Discussion of the paper by D. R. Cox. J R Stat Soc B.
    1972;34(2):216-217.

    Efron B. The efficiency of Cox's likelihood function for censored data. J Am
    Stat Assoc. 1977;72(359):557-565.

    Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model.
    Springer; 2000. Section 10.2.

    Examples
    --------
    With all log relative hazards 0 the Breslow baseline is the Nelson-Aalen estimate:
    1/6 at day 2 (six at risk, one event), 1/6 + 1/5 at day 4, and so on.

    >>> import numpy as np
    >>> from riskml.models import BreslowBaseline
    >>> baseline = BreslowBaseline([2, 4, 4, 6, 8, 10], [1, 1, 0, 1, 0, 1], np.zeros(6))
    >>> baseline.times
    array([ 2.,  4.,  6., 10.])
    >>> baseline.cumulative_hazard.round(4)
    array([0.1667, 0.3667, 0.7   , 1.7   ])
    >>> baseline.risk(np.zeros(1), horizon=5).round(4)  # 1 - exp(-(1/6 + 1/5))
    array([0.307])
    """

    def __init__(self, time, event, log_risk, ties="breslow"):
        if ties not in BASELINE_TIES:
            raise ValueError(
                f"ties must be one of {list(BASELINE_TIES)} (R's survfit.coxph ctype 1 or 2); "
                f"got {ties!r}."
            )
        time = np.asarray(time, dtype=float)
        event = np.asarray(event, dtype=bool)
        eta = np.asarray(log_risk, dtype=float)
        self.ties = ties
        self.offset = float(eta.mean()) if eta.size else 0.0
        weight = np.exp(eta - self.offset)
        times, deaths, at_risk, dying = _event_time_sums(time, event, weight)
        if ties == "breslow":
            increments = deaths / at_risk
        else:
            index, fraction = _efron_fractions(deaths)
            increments = np.bincount(
                index,
                weights=1.0 / (at_risk[index] - fraction * dying[index]),
                minlength=times.size,
            )
        self.times = times
        self.cumulative_hazard = np.cumsum(increments)
        self.last_follow_up = float(time.max()) if time.size else 0.0

    def baseline_at(self, horizon: float) -> float:
        """``H0(horizon)``: a right-continuous step function, 0 before the first event."""
        index = np.searchsorted(self.times, float(horizon), side="right") - 1
        return float(self.cumulative_hazard[index]) if index >= 0 else 0.0

    def risk(self, log_risk, horizon: float) -> np.ndarray:
        """``1 - S(horizon | x) = 1 - exp(-H0(horizon) exp(eta - offset))``.

        Beyond the longest follow-up of the training data ``H0`` is unknown (it is held
        at its last value, as R's ``summary(survfit, times, extend = TRUE)``): a warning
        says so.
        """
        last = getattr(self, "last_follow_up", None)  # absent from models saved before it
        if last is not None and float(horizon) > last:
            warnings.warn(
                f"predict_risk(horizon={float(horizon):g}): the horizon is beyond the longest "
                f"follow-up of the training data ({last:g} days), where the baseline hazard "
                f"was not estimated; it is held at its value at {last:g} days, so these are "
                f"the risks by {last:g} days. Choose a horizon within the training follow-up.",
                UserWarning,
                stacklevel=3,
            )
        eta = np.asarray(log_risk, dtype=float)
        return -np.expm1(-self.baseline_at(horizon) * np.exp(eta - self.offset))


def efron_values(time, event, X, beta) -> tuple[float, np.ndarray, np.ndarray]:
    """Efron's partial log-likelihood, its score and its information at ``beta``.

    ``loglik = sum_events eta_i - sum_slots log(S0 - k/d D0)``, ``score`` as
    :func:`efron_score` and ``information = sum_slots [(S2 - k/d D2) / A - m m']``
    with ``A = S0 - k/d D0`` and ``m = (S1 - k/d D1) / A`` (Efron 1977; R's
    ``coxfit6``). The risk-set sums of ``exp(eta) x x'`` are accumulated one event
    time at a time, from the last, so memory stays ``p x p``.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    X = np.asarray(X, dtype=float)
    p = X.shape[1]
    eta = X @ np.asarray(beta, dtype=float)
    top = float(eta.max()) if eta.size else 0.0
    weight = np.exp(eta - top)
    order = np.argsort(-time, kind="stable")
    sorted_time = time[order]
    s0, s1, s2 = 0.0, np.zeros(p), np.zeros((p, p))
    loglik = float(eta[event].sum())
    score = X[event].sum(axis=0)
    information = np.zeros((p, p))
    added = 0
    for t in np.unique(time[event])[::-1]:
        end = int(np.searchsorted(-sorted_time, -t, side="right"))
        rows = order[added:end]
        if rows.size:
            weighted = weight[rows, None] * X[rows]
            s0 += float(weight[rows].sum())
            s1 += weighted.sum(axis=0)
            s2 += X[rows].T @ weighted
        added = end
        dying = np.flatnonzero(event & (time == t))
        d0 = float(weight[dying].sum())
        dying_weighted = weight[dying, None] * X[dying]
        d1, d2 = dying_weighted.sum(axis=0), X[dying].T @ dying_weighted
        for k in range(dying.size):
            share = k / dying.size
            at_risk = s0 - share * d0
            mean = (s1 - share * d1) / at_risk
            loglik -= np.log(at_risk) + top
            score -= mean
            information += (s2 - share * d2) / at_risk - np.outer(mean, mean)
    return loglik, score, information


def newton_raphson_like_r(groups, beta=None, *, eps=1e-9, max_iter=20):
    """Maximise Efron's partial likelihood as R's ``coxph`` does (``coxfit6``).

    Newton-Raphson from ``beta`` (0 by default) with full steps; a step that lowers
    the log-likelihood is halved towards the last accepted point; converged when
    ``|1 - loglik_old / loglik_new| <= eps`` after an accepted step (R's
    ``coxph.control(eps = 1e-9, iter.max = 20)``).

    Parameters
    ----------
    groups : list of (time, event, X)
        One triple per stratum; their values add up.
    beta : array-like, optional

    Returns
    -------
    beta : ndarray
    converged : bool
    iterations : int
    """

    def values(b):
        total = [0.0, 0.0, 0.0]
        for time, event, X in groups:
            for i, part in enumerate(efron_values(time, event, X, b)):
                total[i] = total[i] + part
        return total

    p = groups[0][2].shape[1]
    beta = np.zeros(p) if beta is None else np.asarray(beta, dtype=float).copy()
    loglik, score, information = values(beta)
    try:
        new = beta + np.linalg.solve(information, score)
    except np.linalg.LinAlgError:
        return beta, False, 0
    halving = 0
    for iteration in range(1, max_iter + 1):
        with np.errstate(all="ignore"):
            new_loglik, new_score, new_information = values(new)
        finite = np.isfinite(new_loglik) and np.all(np.isfinite(new_information))
        if finite and halving == 0 and abs(1 - loglik / new_loglik) <= eps:
            return new, True, iteration
        if not finite or new_loglik < loglik:
            halving += 1
            new = (new + beta) / 2
            continue
        halving = 0
        beta, loglik = new, new_loglik
        try:
            new = beta + np.linalg.solve(new_information, new_score)
        except np.linalg.LinAlgError:
            return beta, False, iteration
    return beta, False, max_iter
