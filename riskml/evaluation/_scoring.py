"""The C-statistic and its scikit-learn scorer, shared by feature selection, tuning and
the models' ``score`` (they live here, below features and models, so that neither
imports the other)."""

from __future__ import annotations

import numpy as np

from ..outcome import check_outcome
from ._discrimination import concordance_index, roc_auc

__all__ = ["c_statistic", "c_statistic_scorer", "risk_scores"]


def c_statistic(y, risk) -> float:
    """AUC for a binary ``y``, Harrell's C for a time-to-event ``y``.

    Parameters
    ----------
    y : Outcome, structured (event, time) array or 0/1 array
    risk : array-like of float
        Higher = higher risk.

    Returns
    -------
    float

    Notes
    -----
    One C-statistic implementation serves selection, tuning and reporting:
    :func:`riskml.evaluation.roc_auc` and :func:`riskml.evaluation.concordance_index`
    (R ``survival::concordance`` conventions for ties).

    Examples
    --------
    >>> from riskml.evaluation import c_statistic
    >>> round(c_statistic([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.7]), 3)
    0.889
    """
    outcome = check_outcome(y)
    risk = np.asarray(risk, dtype=float).ravel()
    if outcome.is_survival:
        return float(concordance_index(outcome.time, outcome.event, risk))
    return float(roc_auc(outcome.event, risk))


def risk_scores(estimator, X, survival: bool) -> np.ndarray:
    """Higher-is-riskier scores from any fitted estimator."""
    if hasattr(estimator, "predict_risk"):
        return np.asarray(estimator.predict_risk(X), dtype=float)
    if not survival and hasattr(estimator, "predict_proba"):
        return np.asarray(estimator.predict_proba(X), dtype=float)[:, 1]
    if not survival and hasattr(estimator, "decision_function"):
        return np.asarray(estimator.decision_function(X), dtype=float)
    return np.asarray(estimator.predict(X), dtype=float)


def c_statistic_scorer(estimator, X, y) -> float:
    """A scikit-learn scorer ``(estimator, X, y) -> C-statistic`` (greater is better).

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import c_statistic_scorer
    >>> from riskml.models import LogisticRisk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + rng.normal(size=200) > 1).astype(int)
    >>> model = LogisticRisk().fit(X[:100], y[:100])
    >>> round(c_statistic_scorer(model, X[100:], y[100:]), 4)
    0.7719
    """
    outcome = check_outcome(y)
    return c_statistic(outcome, risk_scores(estimator, X, outcome.is_survival))
