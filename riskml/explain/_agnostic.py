"""Model-agnostic interventional Shapley values over the input columns.

The players are input columns; the value of a coalition ``S`` for a patient ``x``
is ``v(S) = mean over background rows b of f(x_S, b_rest)`` (interventional, or
"baseline" Shapley values; Janzing et al. 2020, Sundararajan & Najmi 2020), where
``f`` is the model's output on its additive scale (e.g. the log-odds of
``predict_risk``). Two estimators:

- ``"exact"``: every coalition is evaluated (``2^p`` of them) and the Shapley
  formula applied; exact for the background given.
- ``"permutation"``: antithetic random orderings of the players (Strumbelj &
  Kononenko 2014; Mitchell et al. 2022); each ordering telescopes from
  ``v(empty)`` to ``v(all)``, so the values are exactly additive for any number of
  orderings, and unbiased estimates of the exact ones.

Both satisfy ``v(empty) + sum(phi) = f(x)``, with ``v(empty)`` the mean of ``f`` over
the background.
"""

from __future__ import annotations

import warnings
from math import comb

import numpy as np
import pandas as pd

__all__ = ["shapley_values"]

#: Model evaluations per call of ``f`` (rows of one hybrid frame).
_BATCH = 100_000


def _hybrid(x: pd.Series, masks: np.ndarray, players, background: pd.DataFrame) -> pd.DataFrame:
    """Rows ``(coalition, background row)``: players in the coalition from ``x``."""
    n_masks, n_bg = masks.shape[0], len(background)
    columns = {}
    for column in background.columns:
        base = background[column].to_numpy()
        if column in players:
            j = players.index(column)
            take = np.repeat(masks[:, j], n_bg)
            tiled = np.tile(base, n_masks)
            if take.any():
                tiled = tiled.copy() if tiled.dtype != object else tiled
                if tiled.dtype.kind in "biu" and not isinstance(x[column], int | np.integer):
                    tiled = tiled.astype(float)
                tiled[take] = x[column]
            columns[column] = tiled
        else:
            columns[column] = np.repeat(x[column], n_masks * n_bg)
    frame = pd.DataFrame(columns)
    for column in background.columns:  # keep categorical/object dtypes as in the data
        if isinstance(background[column].dtype, pd.CategoricalDtype):
            frame[column] = pd.Categorical(
                frame[column], categories=background[column].cat.categories
            )
    return frame


def _coalition_values(f, rows: pd.DataFrame, masks_per_row, players, background) -> list:
    """``v(S)`` for each row and each of its coalition masks (mean over the background)."""
    n_bg = len(background)
    out = []
    pending_frames, pending_shape = [], []

    def flush():
        if not pending_frames:
            return
        frame = pd.concat(pending_frames, ignore_index=True)
        values = np.asarray(f(frame), dtype=float)
        start = 0
        for n_masks in pending_shape:
            block = values[start : start + n_masks * n_bg].reshape(n_masks, n_bg)
            out.append(block.mean(axis=1))
            start += n_masks * n_bg
        pending_frames.clear()
        pending_shape.clear()

    size = 0
    for (_, x), masks in zip(rows.iterrows(), masks_per_row, strict=True):
        for start in range(0, masks.shape[0], max(1, _BATCH // n_bg)):
            part = masks[start : start + max(1, _BATCH // n_bg)]
            pending_frames.append(_hybrid(x, part, players, background))
            pending_shape.append(part.shape[0])
            size += part.shape[0] * n_bg
            if size >= _BATCH:
                flush()
                size = 0
    flush()
    # Re-assemble per row (a row's masks may have been split over batches).
    result, k = [], 0
    for masks in masks_per_row:
        parts, count = [], 0
        while count < masks.shape[0]:
            parts.append(out[k])
            count += out[k].shape[0]
            k += 1
        result.append(np.concatenate(parts))
    return result


def _all_masks(p: int) -> np.ndarray:
    codes = np.arange(2**p)
    return ((codes[:, None] >> np.arange(p)) & 1).astype(bool)


def _exact_from_values(values: np.ndarray, p: int) -> np.ndarray:
    """Shapley values from ``v`` at every coalition (index = bit mask)."""
    codes = np.arange(2**p)
    sizes = np.array([bin(c).count("1") for c in codes])
    weights = np.array([1.0 / (p * comb(p - 1, s)) if s < p else 0.0 for s in range(p + 1)])
    phi = np.zeros(p)
    for j in range(p):
        without = codes[(codes >> j) & 1 == 0]
        phi[j] = np.sum(weights[sizes[without]] * (values[without | (1 << j)] - values[without]))
    return phi


def shapley_values(
    f,
    rows: pd.DataFrame,
    players: list,
    background: pd.DataFrame,
    *,
    method: str = "auto",
    n_permutations: int = 20,
    random_state=0,
    n_jobs=None,
):
    """Interventional Shapley values of ``f`` for ``rows``, the players being columns.

    Parameters
    ----------
    f : callable
        DataFrame (the columns of ``background``) -> array of the model output.
    rows : pandas.DataFrame
        Patients to explain (same columns as ``background``).
    players : list of str
        The columns whose Shapley values are computed; the other columns are held
        at the patient's values.
    background : pandas.DataFrame
        The reference rows.
    method : {"auto", "exact", "permutation"}
        ``"auto"``: exact when ``2^p <= 4 * n_permutations * (p + 1)`` (at most four
        times the cost of the sampled orderings), else permutation.
    n_permutations : int, default=20
        Orderings per patient (rounded up to an even number: antithetic pairs).
    random_state : int
    n_jobs : int, optional
        Processes over chunks of rows (joblib).

    Returns
    -------
    values : ndarray, shape (n_rows, p)
    base_value : float
        ``mean f(background)``.
    method : str
        The estimator used.
    """
    p = len(players)
    if method == "auto":
        method = "exact" if 2**p <= 4 * n_permutations * (p + 1) else "permutation"
    n_pairs = max(1, (int(n_permutations) + 1) // 2)
    rng = np.random.default_rng(random_state)
    if method == "exact":
        masks = _all_masks(p)
        plans = [masks] * len(rows)
    else:
        plans = []
        for _ in range(len(rows)):
            orders = [rng.permutation(p) for _ in range(n_pairs)]
            orders += [order[::-1] for order in orders]
            masks = np.zeros((len(orders), p + 1, p), dtype=bool)
            for k, order in enumerate(orders):
                for step in range(1, p + 1):
                    masks[k, step, order[:step]] = True
            plans.append((np.asarray(orders), masks))
    evaluations = [plan if method == "exact" else plan[1][:, 1:-1].reshape(-1, p) for plan in plans]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base_value = float(np.mean(np.asarray(f(background), dtype=float)))
        full = np.asarray(f(rows), dtype=float)
        values = _run(f, rows, evaluations, players, background, n_jobs)

    phi = np.zeros((len(rows), p))
    for i in range(len(rows)):
        if method == "exact":
            v = values[i].copy()
            v[0], v[-1] = base_value, full[i]  # the same numbers, without background noise
            phi[i] = _exact_from_values(v, p)
            continue
        orders, _ = plans[i]
        n_orders = orders.shape[0]
        v = np.empty((n_orders, p + 1))
        v[:, 0] = base_value
        v[:, -1] = full[i]
        v[:, 1:-1] = values[i].reshape(n_orders, p - 1)
        gains = np.diff(v, axis=1)  # gain of the player added at each step
        for k in range(n_orders):
            phi[i, orders[k]] += gains[k]
        phi[i] /= n_orders
    return phi, base_value, method


def _run(f, rows, evaluations, players, background, n_jobs):
    from joblib import Parallel, delayed, effective_n_jobs

    n_chunks = min(max(1, effective_n_jobs(n_jobs)), len(rows))
    if n_chunks <= 1:
        return _coalition_values(f, rows, evaluations, players, background)
    bounds = np.array_split(np.arange(len(rows)), n_chunks)
    parts = Parallel(n_jobs=n_chunks)(
        delayed(_coalition_values)(
            f, rows.iloc[b], [evaluations[i] for i in b], players, background
        )
        for b in bounds
    )
    return [v for part in parts for v in part]
