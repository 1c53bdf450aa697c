"""The sections of the validation report, keyed to TRIPOD+AI (Collins et al. 2024).

Each builder reads a finished study (a :class:`riskml.study.StudyResult` or an object
with the same attributes) and returns the plain values its template block shows, or
None when the study has nothing for it. Nothing is computed here that the study did
not compute, except the figures, the display of what the fitted pipelines hold and the
counts at the horizon (``Outcome.at_horizon``); the Kaplan-Meier risk by the horizon
comes from ``Cohort.describe(horizon=)`` through ``result.cohort_summary``.

One story: each figure is stated once, from one source, with its definition. Events
per candidate parameter come from ``result.sample_size`` only (the smaller of events
and non-events, by the horizon in a horizon study); the event rate beside a horizon
is the risk by the horizon, the all-follow-up proportion labelled as such; interval
methods are read from each row's ``method`` (never assumed), the comparison method
from ``result.comparison``, penalties from the fitted estimator (the one used, not
the one requested), and fit issues from ``result.fit_issues`` and the whole-cohort
fit's ``fit_issues_``.

References
----------
Collins GS, Moons KGM, Dhiman P, et al. TRIPOD+AI statement: updated guidance for
reporting clinical prediction models that use regression or machine learning
methods. BMJ 2024;385:e078378.

The builders live by section: :mod:`._section_cohort` (source of data, participants,
outcome), :mod:`._section_predictors` (predictors, selection, sample size, missing
data), :mod:`._section_specification` (model specification),
:mod:`._section_performance` (performance, discrimination, calibration, overall,
clinical utility, optimism, stability, external, subgroups, comparison),
:mod:`._section_fairness` (fairness across groups),
:mod:`._section_explanations` and :mod:`._section_methods` (limitations, methods,
reproducibility), and :mod:`._section_validation` (the model file, inputs and
recalibration advice of a saved model's external validation); shared pieces in
:mod:`._common`. This module gathers them for the
renderer (:mod:`._html`).
"""

from __future__ import annotations

from ._common import (
    COUNT_COLUMNS,
    NET_BENEFIT_THRESHOLDS,
    PACKAGES,
    TOP_COEFFICIENTS,
    TOP_PATIENT,
    TOP_SHAP,
    UNLISTED_LEVEL,
    _final,
    _listed_levels,
    _reference_text,
    _step,
    _table,
    hidden_levels,
    level_masker,
)
from ._format import fmt_setting
from ._section_cohort import (
    _outcome_phrase,
    cohort_section,
    horizon_counts,
    outcome_section,
)
from ._section_explanations import (
    _patient_intervals,
    _scale,
    explanations_section,
    patient_section,
)
from ._section_fairness import fairness_section, fairness_sentence
from ._section_methods import (
    _framingham_ages,
    _imbalance_texts,
    _version,
    comparison_run,
    imbalance_sentence,
    limitations_section,
    methods_section,
    reproducibility_section,
)
from ._section_performance import (
    _OPTIMISM_NOTES,
    _evaluable_weights,
    _metric_table,
    _performance_rows,
    _summary_value,
    calibration_section,
    clinical_utility_section,
    comparison_section,
    discrimination_section,
    external_section,
    interval_method,
    interval_methods,
    optimism_section,
    overall_section,
    performance_section,
    stability_section,
    subgroups_section,
)
from ._section_predictors import (
    CRITERIA_HEADINGS,
    _criteria_table,
    _describe_preprocessing,
    _features_used,
    _input_name,
    _needed,
    candidate_predictors,
    events_per_parameter,
    missing_section,
    predictors_section,
    reference_levels,
    sample_size_section,
    selection_section,
)
from ._section_specification import (
    _coef_index,
    _coefficients,
    _description,
    _fit_issue_count,
    _fit_issue_records,
    _framingham,
    _issue_text,
    _one_hot_levels,
    _params,
    _penalty_kind,
    _unpenalised,
    _whole_cohort_issues,
    describe_penalty,
    fit_issue_items,
    specification_section,
)
from ._section_validation import (
    inputs_section,
    model_file_rows,
    recalibration_section,
    saved_model_predictors_section,
)

__all__ = [
    "COUNT_COLUMNS",
    "CRITERIA_HEADINGS",
    "NET_BENEFIT_THRESHOLDS",
    "PACKAGES",
    "TOP_COEFFICIENTS",
    "TOP_PATIENT",
    "TOP_SHAP",
    "UNLISTED_LEVEL",
    "_OPTIMISM_NOTES",
    "_coef_index",
    "_coefficients",
    "_criteria_table",
    "_describe_preprocessing",
    "_description",
    "_evaluable_weights",
    "_features_used",
    "_final",
    "_fit_issue_count",
    "_fit_issue_records",
    "_framingham",
    "_framingham_ages",
    "_imbalance_texts",
    "_input_name",
    "_issue_text",
    "_listed_levels",
    "_metric_table",
    "_needed",
    "_one_hot_levels",
    "_outcome_phrase",
    "_params",
    "_patient_intervals",
    "_penalty_kind",
    "_performance_rows",
    "_reference_text",
    "_scale",
    "_step",
    "_summary_value",
    "_table",
    "_unpenalised",
    "_version",
    "_whole_cohort_issues",
    "calibration_section",
    "candidate_predictors",
    "clinical_utility_section",
    "cohort_section",
    "comparison_run",
    "comparison_section",
    "describe_penalty",
    "discrimination_section",
    "events_per_parameter",
    "explanations_section",
    "external_section",
    "fit_issue_items",
    "fmt_setting",
    "hidden_levels",
    "horizon_counts",
    "imbalance_sentence",
    "inputs_section",
    "interval_method",
    "interval_methods",
    "level_masker",
    "limitations_section",
    "methods_section",
    "missing_section",
    "model_file_rows",
    "optimism_section",
    "outcome_section",
    "overall_section",
    "patient_section",
    "performance_section",
    "predictors_section",
    "recalibration_section",
    "reference_levels",
    "reproducibility_section",
    "sample_size_section",
    "saved_model_predictors_section",
    "selection_section",
    "specification_section",
    "stability_section",
    "subgroups_section",
    "fairness_section",
    "fairness_sentence",
]
