"""A study's settings, checked once: what :meth:`Study.run` runs with.

:func:`~riskml.study._checks.check_settings` builds a :class:`StudySettings` from the
parameters of a :class:`~riskml.study.Study` before the first fit; the run reads it
and never the raw parameters again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CENSORING_WEIGHTS", "MIN_N_BOOT", "StudySettings"]

#: Conventions of the inverse-probability-of-censoring weights (docs/conventions.md).
CENSORING_WEIGHTS = ("before", "at", "riskRegression")
#: Fewer bootstrap replicates give intervals too coarse to report.
MIN_N_BOOT = 50


@dataclass(frozen=True)
class StudySettings:
    """The checked settings of one study run.

    Attributes
    ----------
    validation : int, splitter, RepeatedCV or InternalValidation
        The validation scheme (None resolved to a number of folds).
    models : dict
        Model name -> what the user passed (a registry name, a pipeline, ...).
    pipelines : dict
        Model name -> :class:`~riskml.models.RiskPipeline` to fit.
    horizon : float or None
        The horizon in days (the cohort's when not given).
    metrics : tuple of str
        Registered metric names.
    metric_params : dict
        Metric name -> keyword arguments (``threshold``, ``censoring_weights``).
    explain : tuple of str
        Models to explain, the main one first.
    subgroups : dict
        Subgroup variable -> labels per patient (a pandas Series).
    trusted_predictors : tuple of str
        Predictors exempt from the leakage and quasi-identifier guards.
    reference : str or None
        The model the others are compared with (None with a single model).
    temporal : TemporalPeriods or None
        With ``validation=TemporalSplit(...)``: the development and validation periods
        of the cohort (``validation`` is then the development period's own scheme).
    selection, random_state, n_boot, explain_rows, explain_max_trees, patient,
    comparison, censoring_weights, reference_levels, stratified_bootstrap, n_jobs,
    progress
        As the :class:`~riskml.study.Study` parameters of those names, checked.
    """

    validation: object
    models: dict
    pipelines: dict
    horizon: float | None
    metrics: tuple
    metric_params: dict
    explain: tuple
    subgroups: dict
    trusted_predictors: tuple
    reference: str | None
    selection: object = None
    random_state: int = 0
    n_boot: int = 2000
    explain_rows: int | None = None
    explain_max_trees: int | None = 20
    patient: int | None = None
    comparison: str = "delong"
    censoring_weights: str = "before"
    reference_levels: dict | None = None
    stratified_bootstrap: bool = True
    n_jobs: int | None = None
    progress: bool = True
    temporal: object = None
    names: tuple = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "names", tuple(self.pipelines))

    @property
    def metric_threads(self):
        """Threads of the bootstrap intervals: every core unless ``n_jobs`` says
        otherwise (the intervals do not depend on it)."""
        return -1 if self.n_jobs is None else self.n_jobs

    def interval_options(self) -> dict:
        """The keyword arguments every :func:`~riskml.evaluation.evaluate_predictions`
        call of the study shares."""
        return {
            "metrics": list(self.metrics),
            "horizon": self.horizon,
            "n_boot": self.n_boot,
            "random_state": self.random_state,
            "n_jobs": self.metric_threads,
            "metric_params": self.metric_params,
            "stratified": self.stratified_bootstrap,
        }
