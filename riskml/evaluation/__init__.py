"""Evaluation: discrimination, honest uncertainty, comparison, calibration, validation.

- Discrimination: :func:`roc_auc`, :func:`concordance_index` (Harrell's C),
  :func:`uno_c` (IPCW, truncation tau), :func:`time_dependent_auc`
  (cumulative/dynamic AUC at horizons); all O(n log n), ties count 1/2.
- Uncertainty: :func:`roc_auc_ci` (DeLong or bootstrap), :func:`concordance_index_ci`,
  :func:`bootstrap_ci` (any statistic): seeded percentile or BCa intervals, returned
  as :class:`ConfidenceInterval`; bootstrap replicates are counted by compiled
  kernels, never by a Python-level metric call per replicate.
- Comparison: :func:`compare_auc` (paired DeLong or bootstrap),
  :func:`compare_concordance`, :func:`paired_bootstrap` (any metric, any number of
  models, identical resamples), returning :class:`ComparisonResult` or a tidy table.
- Validation: :func:`cross_val_predict_risk` (repeated with :class:`RepeatedCV`),
  :func:`internal_validation` (bootstrap optimism, .632, .632+, cross-validation
  optimism and average; refits the whole pipeline; :class:`InternalValidation` for
  Study), :func:`optimism_bootstrap` (its Harrell case), :class:`PredictionStability`,
  :func:`external_validation`, :func:`subgroup_performance`.
- Results: :class:`MetricTable` (tidy ``summary``, ``print_summary()``,
  ``to_html()``) and :func:`evaluate_predictions`.
- Calibration, overall performance, clinical utility and plots (Brier, IPA, decision
  curves, NRI/IDI, ``*Display`` objects): see :mod:`._calibration`,
  :mod:`._brier`, :mod:`._decision_curves`, :mod:`._reclassification`,
  :mod:`._metric_ci`, :mod:`._plots`.
- The metric registry (:mod:`._metric_registry`): every metric described once;
  :func:`register_metric` adds one's own, which then flows through
  :func:`evaluate_predictions`, :func:`internal_validation`, :class:`riskml.Study`
  and the report.
"""

from ._bootstrap import ConfidenceInterval, bootstrap_ci, concordance_index_ci, roc_auc_ci
from ._compare import ComparisonResult, compare_auc, compare_concordance, paired_bootstrap
from ._discrimination import ConcordanceResult, concordance_index, roc_auc
from ._ipcw import time_dependent_auc, uno_c
from ._metrics import (
    Metric,
    check_metric_params,
    check_metrics,
    default_metrics,
    find_metric,
    get_metric,
    get_metric_names,
    metric_interval,
    register_metric,
    registered_metric,
    registered_metrics,
    unregister_metric,
)
from ._results import MetricTable, evaluate_predictions
from ._sample_size import SampleSizeResult, cox_snell_r2_from_c_statistic, minimum_sample_size
from ._schemes import (
    InternalValidation,
    OptimismBootstrap,
    OptimismResult,
    external_validation,
    optimism_bootstrap,
)
from ._scoring import c_statistic, c_statistic_scorer
from ._subgroups import subgroup_labels, subgroup_performance
from ._validation import (
    CrossValidation,
    FitFailedError,
    RepeatedCV,
    cross_val_predict_risk,
    cross_validate,
    cv_folds,
)

__all__ = [
    "ComparisonResult",
    "ConcordanceResult",
    "ConfidenceInterval",
    "CrossValidation",
    "FitFailedError",
    "InternalValidation",
    "Metric",
    "MetricTable",
    "OptimismBootstrap",
    "OptimismResult",
    "RepeatedCV",
    "SampleSizeResult",
    "bootstrap_ci",
    "c_statistic",
    "c_statistic_scorer",
    "compare_auc",
    "compare_concordance",
    "concordance_index",
    "concordance_index_ci",
    "cox_snell_r2_from_c_statistic",
    "cross_val_predict_risk",
    "cross_validate",
    "cv_folds",
    "default_metrics",
    "evaluate_predictions",
    "external_validation",
    "get_metric",
    "check_metric_params",
    "check_metrics",
    "get_metric_names",
    "metric_interval",
    "find_metric",
    "register_metric",
    "registered_metric",
    "registered_metrics",
    "unregister_metric",
    "minimum_sample_size",
    "optimism_bootstrap",
    "paired_bootstrap",
    "roc_auc",
    "roc_auc_ci",
    "subgroup_labels",
    "subgroup_performance",
    "time_dependent_auc",
    "uno_c",
]

# Calibration, overall performance, clinical utility and plots (items 4-5 and the
# Display objects of item 7 of the evaluation issue), from their own modules.
from ._brier import brier_score, brier_score_ipcw, scaled_brier, scaled_brier_ipcw  # noqa: E402
from ._calibration import (  # noqa: E402
    CalibrationErrors,
    HosmerLemeshowResult,
    LogisticRecalibration,
    calibration_curve,
    calibration_in_the_large,
    calibration_slope,
    hosmer_lemeshow,
    ici,
    observed_expected_ratio,
    recalibrate_intercept,
    recalibrate_logistic,
    survival_calibration,
)
from ._decision_curves import (  # noqa: E402
    decision_curve,
    decision_curve_survival,
    net_benefit,
    net_benefit_survival,
)
from ._metric_ci import metric_ci, survival_metric_ci  # noqa: E402
from ._plots import (  # noqa: E402
    CalibrationDisplay,
    DecisionCurveDisplay,
    RocCurveDisplay,
    TimeDependentRocDisplay,
)
from ._reclassification import IDIResult, NRIResult, idi, nri  # noqa: E402

__all__ += [
    "CalibrationDisplay",
    "CalibrationErrors",
    "DecisionCurveDisplay",
    "HosmerLemeshowResult",
    "IDIResult",
    "LogisticRecalibration",
    "NRIResult",
    "RocCurveDisplay",
    "TimeDependentRocDisplay",
    "brier_score",
    "brier_score_ipcw",
    "calibration_curve",
    "calibration_in_the_large",
    "calibration_slope",
    "decision_curve",
    "decision_curve_survival",
    "hosmer_lemeshow",
    "ici",
    "idi",
    "metric_ci",
    "net_benefit",
    "net_benefit_survival",
    "nri",
    "observed_expected_ratio",
    "recalibrate_intercept",
    "recalibrate_logistic",
    "scaled_brier",
    "scaled_brier_ipcw",
    "survival_calibration",
    "survival_metric_ci",
]

# -- added by the statistics work (issue 14): exports only, kept in one block ----------
from ._ipcw import integrated_time_dependent_auc, ipcw_weights  # noqa: E402

__all__ += ["integrated_time_dependent_auc", "ipcw_weights"]
from ._calibration import (  # noqa: E402
    survival_calibration_slope,
    survival_ici,
    survival_observed_expected_ratio,
)

__all__ += [
    "survival_calibration_slope",
    "survival_ici",
    "survival_observed_expected_ratio",
]
from ._brier import brier_scores_ipcw, integrated_brier_score  # noqa: E402

__all__ += ["brier_scores_ipcw", "integrated_brier_score"]

# -- added by the stability work (issue 16): exports only, kept in one block -----------
from ._internal import (  # noqa: E402
    InternalValidationResult,
    PredictionStability,
    internal_validation,
)

__all__ += ["InternalValidationResult", "PredictionStability", "internal_validation"]

# -- competing risks (issue 27): metrics at a horizon for event types 0/1/2.. ----------
from ._competing import (  # noqa: E402
    competing_brier_score,
    competing_calibration,
    competing_concordance,
    competing_ipcw_weights,
    competing_net_benefit,
    competing_observed_expected_ratio,
    competing_scaled_brier,
    competing_time_dependent_auc,
)

__all__ += [
    "competing_brier_score",
    "competing_calibration",
    "competing_concordance",
    "competing_ipcw_weights",
    "competing_net_benefit",
    "competing_observed_expected_ratio",
    "competing_scaled_brier",
    "competing_time_dependent_auc",
]

# -- competing risks in the metric registry (issue 27, integration) ----------------------
from ._metrics_competing import competing_calibration_error  # noqa: E402

__all__ += ["competing_calibration_error"]

# -- the calibration and decision-curve tables of a study and of a saved model's report ---
from ._report_tables import (  # noqa: E402
    calibration_table,
    cumulative_incidence_table,
    decision_curve_table,
)

__all__ += ["calibration_table", "cumulative_incidence_table", "decision_curve_table"]

# -- decisions at a threshold (issue 28, item 2): 2x2 statistics, optimum, partial AUC ----
from ._partial_auc import partial_auc, partial_auc_ci  # noqa: E402
from ._thresholds import (  # noqa: E402
    OptimalThreshold,
    ThresholdStatistics,
    optimal_threshold,
    threshold_statistics,
)

__all__ += [
    "OptimalThreshold",
    "ThresholdStatistics",
    "optimal_threshold",
    "partial_auc",
    "partial_auc_ci",
    "threshold_statistics",
]

# -- added by the fairness work (issue 28): exports only, kept in one block ------------
from ._fairness import FairnessResult, fairness_summary  # noqa: E402

__all__ += ["FairnessResult", "fairness_summary"]

# -- temporal validation (issue 31, item 3): develop on earlier, validate on later dates --
from ._temporal import TemporalPeriods, TemporalSplit  # noqa: E402

__all__ += ["TemporalPeriods", "TemporalSplit"]
