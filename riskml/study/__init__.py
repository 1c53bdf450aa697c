"""A study: one cohort, several models, validated, compared, explained.

:class:`Study` is the flow, not a second engine: pre-flight checks → out-of-fold
predictions (:func:`~riskml.evaluation.cross_validate`, or the optimism bootstrap)
→ :func:`~riskml.evaluation.evaluate_predictions` → paired comparison →
whole-cohort refits → explanations → :class:`StudyResult`. Every model is a
:class:`~riskml.models.RiskPipeline`, refitted from scratch in each training fold or
bootstrap replicate, so imputation, selection, resampling and fitting never see the
patients they are evaluated on.

Modules, in the order of the run: ``_settings`` (:class:`StudySettings`, the checked
settings), ``_checks`` (the parameters), ``_data_checks`` (the data: horizon, folds,
leakage, sample size), ``_fits`` (cross-validation or internal validation of every
model), ``_evaluate`` (summary, comparison, calibration, subgroups, external cohort),
``_explain``, ``_describe`` (settings in words), ``_result`` (:class:`StudyResult`)
and ``_study`` (:class:`Study`).
"""

from ._data_checks import QUOTED_MIN_PATIENTS as QUOTED_MIN_PATIENTS
from ._evaluate import SMALL_DATA_EVENTS as SMALL_DATA_EVENTS
from ._explain import EXPLAIN_ROWS as EXPLAIN_ROWS
from ._explain import EXPLAIN_SECONDS as EXPLAIN_SECONDS
from ._result import StudyResult
from ._settings import CENSORING_WEIGHTS as CENSORING_WEIGHTS
from ._settings import MIN_N_BOOT as MIN_N_BOOT
from ._settings import StudySettings
from ._study import Study

__all__ = ["Study", "StudyResult", "StudySettings"]
