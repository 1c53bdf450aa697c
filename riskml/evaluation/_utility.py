"""The former home of overall performance and clinical utility, kept for its importers.

The functions now live by concept: Brier scores in :mod:`._brier`, net benefit and
decision curves in :mod:`._decision_curves`, NRI and IDI in
:mod:`._reclassification`, the Wald intervals in :mod:`._wald` and the intervals by
metric name in :mod:`._metric_ci`.
"""

from __future__ import annotations

from ._brier import (
    _as_risk,
    _brier_batch,
    _brier_ipcw_influence,
    _ipcw,
    _scaled_brier_batch,
    brier_score,
    brier_score_ipcw,
    brier_scores_ipcw,
    integrated_brier_score,
    scaled_brier,
    scaled_brier_ipcw,
)
from ._decision_curves import (
    CONVENTIONS,
    TREAT_ALL,
    TREAT_NONE,
    _positive,
    decision_curve,
    decision_curve_survival,
    net_benefit,
    net_benefit_at,
    net_benefit_survival,
)
from ._ipcw import _km_at
from ._metric_ci import metric_ci, survival_metric_ci
from ._reclassification import IDIResult, NRIResult, idi, nri
from ._wald import _survival_wald_interval, _wald_interval

__all__ = [
    "CONVENTIONS",
    "IDIResult",
    "NRIResult",
    "TREAT_ALL",
    "TREAT_NONE",
    "_as_risk",
    "_brier_batch",
    "_brier_ipcw_influence",
    "_ipcw",
    "_km_at",
    "_positive",
    "_scaled_brier_batch",
    "_survival_wald_interval",
    "_wald_interval",
    "brier_score",
    "brier_score_ipcw",
    "brier_scores_ipcw",
    "decision_curve",
    "decision_curve_survival",
    "idi",
    "integrated_brier_score",
    "metric_ci",
    "net_benefit",
    "net_benefit_at",
    "net_benefit_survival",
    "nri",
    "scaled_brier",
    "scaled_brier_ipcw",
    "survival_metric_ci",
]
