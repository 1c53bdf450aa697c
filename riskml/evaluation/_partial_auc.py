"""Partial area under the ROC curve (McClish 1989), with its bootstrap interval.

Read off the weighted ROC tables of :mod:`riskml.evaluation._thresholds`, so it serves
binary outcomes and time-to-event ones at a horizon (IPCW), and a chunk of bootstrap
replicates is evaluated at once.
"""

from __future__ import annotations

import numpy as np

from ._bootstrap_intervals import ConfidenceInterval, _interval
from ._thresholds import _bootstrap_setup, _check_y_risk, _estimate_tables, _replicates, _Tables

__all__ = ["partial_auc", "partial_auc_ci"]


# -- partial AUC ------------------------------------------------------------------------------
def _check_range(specificity, sensitivity, function: str):
    """``(focus, low, high)`` from the one range given."""
    if (specificity is None) == (sensitivity is None):
        raise ValueError(
            f"{function} needs exactly one of specificity=(low, high) or sensitivity=(low, "
            "high): the range of the ROC curve the area is taken over, e.g. "
            "specificity=(0.9, 1)."
        )
    focus = "specificity" if specificity is not None else "sensitivity"
    value = specificity if specificity is not None else sensitivity
    message = (
        f"The '{focus}' parameter of {function} must be a pair (low, high) of rates with 0 <= "
        f"low < high <= 1, e.g. {focus}=(0.9, 1). Got {value!r} instead."
    )
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(message) from None
    if not 0.0 <= low < high <= 1.0:
        raise ValueError(message)
    return focus, low, high


def _partial_area(tables: _Tables, focus: str, low: float, high: float) -> np.ndarray:
    """Area under each replicate's ROC curve over ``focus`` in [low, high] (trapezoids).

    Along the ROC points (k ascending) specificity rises and sensitivity falls; each
    segment is clipped to the range and its straight line integrated, so a range end
    between two points takes the interpolated value, as pROC's ``auc(partial.auc=)``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        se = tables.tp / tables.cases[:, None]
        sp = 1.0 - tables.fp / tables.controls[:, None]
    if focus == "specificity":
        x0, x1, y0, y1 = sp[:, :-1], sp[:, 1:], se[:, :-1], se[:, 1:]
    else:
        x0, x1, y0, y1 = se[:, 1:], se[:, :-1], sp[:, 1:], sp[:, :-1]
    start, stop = np.maximum(x0, low), np.minimum(x1, high)
    width = stop - start
    inside = width > 0
    span = np.where(inside, x1 - x0, 1.0)
    with np.errstate(invalid="ignore"):
        y_start = y0 + (y1 - y0) * (start - x0) / span
        y_stop = y0 + (y1 - y0) * (stop - x0) / span
        area = np.where(inside, width * (y_start + y_stop) / 2.0, 0.0)
    return area.sum(axis=1)


def _mcclish(area: np.ndarray, low: float, high: float) -> np.ndarray:
    """McClish's standardised partial AUC: 0.5 on the diagonal, 1 for a perfect curve;
    NaN below the diagonal, where it is not defined."""
    minimum = (2.0 - low - high) * (high - low) / 2.0
    maximum = high - low
    corrected = (1.0 + (area - minimum) / (maximum - minimum)) / 2.0
    return np.where(area < minimum, np.nan, corrected)


def _partial_auc_parts(
    y, risk, specificity, sensitivity, correct, horizon, censoring_weights, function
):
    focus, low, high = _check_range(specificity, sensitivity, function)
    if not isinstance(correct, bool | np.bool_):
        raise TypeError(
            f"The 'correct' parameter of {function} must be True or False. Got {correct!r} instead."
        )
    data = _check_y_risk(y, risk, horizon, censoring_weights, function)

    def statistic(tables: _Tables) -> np.ndarray:
        area = _partial_area(tables, focus, low, high)
        return _mcclish(area, low, high) if correct else area

    value = float(statistic(_estimate_tables(data))[0])
    if np.isnan(value):
        raise ValueError(
            f"{function}: McClish's correction (correct=True) is defined for ROC curves above "
            f"the diagonal, and this curve lies below it over {focus} in [{low:g}, {high:g}] "
            "(higher risks go with fewer events there). Check that higher risk means higher "
            "risk (negate a protective marker), or pass correct=False."
        )
    return data, statistic, value, focus


def partial_auc(
    y,
    risk,
    *,
    specificity=None,
    sensitivity=None,
    correct: bool = False,
    horizon=None,
    censoring_weights: str = "before",
) -> float:
    """Partial area under the ROC curve over a range of specificity or sensitivity.

    Parameters
    ----------
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome
    risk : array-like of shape (n_samples,)
        Predicted risk, higher = higher risk.
    specificity, sensitivity : (float, float), default=None
        Exactly one: the range ``(low, high)`` of the ROC curve, e.g.
        ``specificity=(0.9, 1)`` for the high-specificity region.
    correct : bool, default=False
        McClish's standardisation: ``(1 + (A - min) / (max - min)) / 2``, with ``min``
        the area under the diagonal over the range and ``max`` its width, so 0.5 means
        no discrimination and 1 perfect (pROC's ``partial.auc.correct``).
    horizon : float, default=None
        Days, for a time-to-event outcome (the IPCW ROC curve at the horizon).
    censoring_weights : {"before", "at", "riskRegression"}, default="before"

    Returns
    -------
    float
        The area (at most ``high - low``), or its standardised value.

    Raises
    ------
    ValueError
        With ``correct=True`` when the curve lies below the diagonal over the range
        (pROC returns NA with a warning).

    Notes
    -----
    Equal to ``pROC::auc(roc, partial.auc = c(high, low), partial.auc.focus = ,
    partial.auc.correct = )``: the trapezoidal area of the empirical ROC curve (tied
    risks joined by straight lines), a range end between two ROC points taking the
    interpolated value.

    References
    ----------
    .. [1] McClish DK. Analyzing a portion of the ROC curve. Med Decis Making
       1989;9:190-195.
    .. [2] Robin X, Turck N, Hainard A, et al. pROC. BMC Bioinformatics 2011;12:77.

    Examples
    --------
    >>> from riskml.evaluation import partial_auc
    >>> y = [0, 0, 1, 1, 0, 1, 0, 1]
    >>> risk = [0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.3, 0.6]
    >>> round(partial_auc(y, risk, specificity=(0.8, 1)), 4)
    0.15
    >>> round(partial_auc(y, risk, specificity=(0.8, 1), correct=True), 4)
    0.8611
    """
    return _partial_auc_parts(
        y, risk, specificity, sensitivity, correct, horizon, censoring_weights, "partial_auc"
    )[2]


def partial_auc_ci(
    y,
    risk,
    *,
    specificity=None,
    sensitivity=None,
    correct: bool = False,
    horizon=None,
    censoring_weights: str = "before",
    n_boot: int = 2000,
    confidence: float = 0.95,
    stratified: bool = True,
    random_state=None,
) -> ConfidenceInterval:
    """Partial AUC with a bootstrap confidence interval (pROC's ``ci.auc`` bootstrap).

    Parameters
    ----------
    y, risk, specificity, sensitivity, correct, horizon, censoring_weights
        As :func:`partial_auc`.
    n_boot : int, default=2000
    confidence : float, default=0.95
    stratified : bool, default=True
        Resample within classes (or the status at the horizon), as pROC's default.
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    ConfidenceInterval
        ``estimate`` is :func:`partial_auc`. A replicate whose corrected area is
        undefined (its curve below the diagonal) is counted in ``n_degenerate``.

    References
    ----------
    .. [1] McClish DK. Med Decis Making 1989;9:190-195.
    .. [2] Robin X, et al. pROC. BMC Bioinformatics 2011;12:77.

    Examples
    --------
    >>> from riskml.evaluation import partial_auc_ci
    >>> y = [0, 1] * 10
    >>> risk = [0.1, 0.3, 0.2, 0.5, 0.4, 0.45, 0.15, 0.9, 0.6, 0.55] * 2
    >>> ci = partial_auc_ci(y, risk, specificity=(0.8, 1), n_boot=200, random_state=0)
    >>> round(ci.estimate, 4), round(ci.low, 4), round(ci.high, 4)
    (0.04, 0.0, 0.18)
    """
    function = "partial_auc_ci"
    data, statistic, value, focus = _partial_auc_parts(
        y, risk, specificity, sensitivity, correct, horizon, censoring_weights, function
    )
    n_boot, confidence, rng, strata, method = _bootstrap_setup(
        data, n_boot, confidence, random_state, stratified, function
    )
    if not n_boot:
        raise ValueError(
            f"The 'n_boot' parameter of {function} must be an int in the range [1, inf); got "
            "0. Use partial_auc for the estimate alone."
        )
    (replicates,) = _replicates(data, n_boot, rng, strata, lambda tables: (statistic(tables),))
    return _interval(value, replicates, n_boot, confidence, method, function)
