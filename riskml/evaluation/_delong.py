"""DeLong's variance of the ROC AUC and covariance of paired AUCs, O(n log n).

The structural components (placements) of DeLong, DeLong & Clarke-Pearson (1988)
are computed from mid-ranks as in Sun & Xu (2014): with ``Tz`` the mid-ranks of all
scores, ``Tx`` those within the events and ``Ty`` those within the non-events,

- ``V10_i = (Tz_i - Tx_i) / n`` for event i (the share of non-events it beats,
  ties 1/2), and
- ``V01_j = 1 - (Tz_j - Ty_j) / m`` for non-event j (the share of events that beat
  it),

with m events and n non-events. The AUC is the mean of either, and the covariance
of the AUCs of several scores on the same patients is
``S10 / m + S01 / n`` with ``S10``, ``S01`` the sample covariances (divisor m - 1,
n - 1) of the placements, as in R pROC.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

__all__: list[str] = []


def _check_delong_sizes(event: np.ndarray, function: str) -> None:
    m = int(event.sum())
    n = int(event.shape[0] - m)
    if m < 2 or n < 2:
        raise ValueError(
            f"{function} with method='delong' needs at least 2 events and 2 non-events "
            f"(the variance of the placements divides by m - 1 and n - 1); got {m} event(s) "
            f"and {n} non-event(s). Use method='bootstrap' or collect more data."
        )


def delong_placements(event: np.ndarray, scores: np.ndarray):
    """AUCs and placements of each row of ``scores`` (one row per model).

    Returns
    -------
    auc : ndarray of shape (k,)
    v10 : ndarray of shape (k, m)
        Placements of the events.
    v01 : ndarray of shape (k, n)
        Placements of the non-events.
    """
    scores = np.atleast_2d(scores)
    m = int(event.sum())
    n = int(event.shape[0] - m)
    all_ranks = rankdata(scores, axis=1)
    pos_ranks = rankdata(scores[:, event], axis=1)
    neg_ranks = rankdata(scores[:, ~event], axis=1)
    v10 = (all_ranks[:, event] - pos_ranks) / n
    v01 = 1.0 - (all_ranks[:, ~event] - neg_ranks) / m
    auc = v10.mean(axis=1)
    return auc, v10, v01


def delong_covariance(event: np.ndarray, scores: np.ndarray):
    """AUCs and their DeLong covariance matrix ``(k, k)``; rows of ``scores`` are models."""
    auc, v10, v01 = delong_placements(event, scores)
    m, n = v10.shape[1], v01.shape[1]
    s10 = np.atleast_2d(np.cov(v10, ddof=1))
    s01 = np.atleast_2d(np.cov(v01, ddof=1))
    return auc, s10 / m + s01 / n
