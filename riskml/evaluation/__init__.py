"""Evaluation: discrimination metrics, bootstrap confidence intervals, cross-validation.

- :func:`roc_auc`, :func:`concordance_index`: the C-statistics of a binary and a
  time-to-event outcome (O(n log n), ties count 1/2).
- :func:`roc_auc_ci`, :func:`concordance_index_ci`, :func:`bootstrap_ci`: seeded
  percentile-bootstrap intervals, returned as :class:`ConfidenceInterval`.
- :func:`cross_val_predict_risk`: out-of-fold predicted risk, refitting the whole
  pipeline in each training fold.
"""

from ._bootstrap import ConfidenceInterval, bootstrap_ci, concordance_index_ci, roc_auc_ci
from ._discrimination import concordance_index, roc_auc
from ._validation import cross_val_predict_risk

__all__ = [
    "ConfidenceInterval",
    "bootstrap_ci",
    "concordance_index",
    "concordance_index_ci",
    "cross_val_predict_risk",
    "roc_auc",
    "roc_auc_ci",
]
