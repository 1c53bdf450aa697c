"""The study: one cohort, several models, validated, compared, explained.

:class:`Study` is the flow, not a second engine: pre-flight checks
(:mod:`riskml.study._checks`, :mod:`riskml.study._data_checks`) give the
:class:`~riskml.study.StudySettings` → out-of-fold predictions
(:func:`~riskml.evaluation.cross_validate`) or internal validation → the summary
(:func:`~riskml.evaluation.evaluate_predictions`) → paired comparison → explanations →
:class:`~riskml.study.StudyResult`.
"""

from __future__ import annotations

import time as _time
import warnings

import pandas as pd

from ..cohorts import REPORT_MIN_COUNT, Cohort
from ..utils.deprecation import renamed_keyword
from ._checks import DEFAULT_MODELS, check_settings
from ._data_checks import check_data
from ._describe import describe_models, describe_settings
from ._evaluate import (
    calibration_table,
    compare_models,
    decision_curve_table,
    evaluate_external,
    evaluate_fairness,
    evaluate_subgroups,
    summarise,
)
from ._explain import explain_models
from ._fits import cross_validate_models, temporal_cohorts, validate_internally
from ._result import StudyResult
from ._settings import StudySettings

__all__ = ["Study"]


def _competing_incidence(outcome, horizon):
    """The cumulative incidence by event type of a competing-risk outcome, else None."""
    from ..evaluation import cumulative_incidence_table

    return cumulative_incidence_table(outcome, horizon) if outcome.is_competing else None


class Study:
    """Fit, validate, compare and explain risk models on one cohort.

    Parameters
    ----------
    cohort : Cohort
    models : sequence of str, or dict, default=("xgboost", "cox", "framingham_recalibrated")
        Names from :data:`riskml.models.MODELS`, or a dict ``{name: model}`` whose
        values are names, :class:`~riskml.models.RiskPipeline` objects, or any
        scikit-learn classifier. Left at its default for a competing-risk outcome
        (:meth:`riskml.Outcome.competing`): ``("xgboost", "fine_gray",
        "aalen_johansen")``. Under competing risks the binary learners train on
        the label at the horizon (a competing event before it counts as 0), the
        competing-risk models (``"cause_specific_cox"``, ``"fine_gray"``,
        ``"aalen_johansen"``) predict the cumulative incidence of the event of
        interest, and models of one event type (``"cox"``) are refused.
    selection : transformer, optional
        A feature selector such as :class:`~riskml.features.RecursiveFeatureElimination`,
        applied inside every learned model's pipeline (published scores such as
        Framingham use their fixed inputs).
    validation : int, splitter, RepeatedCV or InternalValidation, optional
        Number of stratified folds; a scikit-learn splitter;
        :class:`~riskml.evaluation.RepeatedCV`; or
        :class:`~riskml.evaluation.InternalValidation` (``method="bootstrap"``,
        ``"632"``, ``"632+"``, ``"cv_optimism"`` or ``"cv_average"``: apparent,
        optimism and corrected performance of the whole pipeline, in
        ``result.optimism``; the bootstrap schemes also give ``result.stability``),
        of which :class:`~riskml.evaluation.OptimismBootstrap` is the bootstrap
        case. Defaults to 10 stratified folds, or as many
        as the rarer outcome class allows when it has fewer than 10 patients (every
        fold then holds at least one of each).
    horizon : float, optional
        Horizon of a time-to-event outcome, in days: binary models learn "event by
        the horizon", published scores are recalibrated to it, and calibration,
        Brier, IPA and the time-dependent AUC are evaluated at it. Defaults to the
        cohort's ``horizon``. ``horizon_days`` is its deprecated name (it still
        works in this release, with a ``FutureWarning``).
    metrics : sequence of str, optional
        Registered metric names; defaults to
        :func:`riskml.evaluation.default_metrics`.
    threshold : float, optional
        Risk threshold of the ``net_benefit`` metric, and the default threshold of
        ``sensitivity``, ``specificity``, ``ppv``, ``npv`` and ``accuracy``; the decision
        curve spans thresholds from 1% to 50% regardless.
    metric_params : dict, optional
        ``{metric name: {parameter: value}}`` of the chosen metrics, e.g.
        ``{"sensitivity": {"threshold": 0.2}, "partial_auc": {"specificity": (0.9, 1)}}``
        (:func:`riskml.evaluation.evaluate_predictions`).
    external : Cohort, optional
        An external cohort with the same predictors: the whole-cohort fits are
        evaluated on it (``result.external``).
    subgroups : sequence of str or dict, optional
        Feature (or context) column names whose levels define subgroups (numeric
        columns with more than 10 values are cut at their tertiles), or
        ``{name: labels}`` with one label per patient; performance within each is
        in ``result.subgroups``, and the largest between-group differences of
        discrimination, calibration and net benefit (at ``threshold``, 10% when none
        is set) in ``result.fairness``.
    random_state : int, default=0
        Seeds folds, models and bootstrap: the same seed gives the same numbers.
    n_boot : int, default=2000
        Bootstrap replicates of each confidence interval (at least 50; 1000 or more
        for publication).
    explain : "auto", str, sequence of str or None, default="auto"
        Models whose whole-cohort fit is explained with SHAP: "auto" explains every
        model that can be; None explains none.
    explain_rows : int, optional
        Patients explained per model (a seeded sample in larger cohorts; the
        example patient is always included). By default 1000, except for models
        explained by the model-agnostic method (SVM, k-nearest neighbours,
        multilayer perceptron, ...), whose Shapley values cost thousands of model
        evaluations per patient: they get as many patients as fit in about
        ``EXPLAIN_SECONDS`` (120 s) per model, timed on the example patient, with a
        warning saying how many. An int explains exactly that many.
    explain_max_trees : int or None, default=20
        Forests with more trees are explained from a seeded sample of this many
        trees (``explain_pipeline(max_trees=)``: exactly additive, with standard
        errors); None explains every tree exactly. Exact TreeSHAP of a 500-tree
        forest at 56k patients costs about 1.5 s a row on 2 cores; 20 trees
        explain 1,000 rows in under a minute, 0.002-0.003 probability points
        from the exact values on average (correlation 0.90 with them; 50 trees:
        0.0015 and 0.96, at 2.5 times the cost; ``benchmarks/README.md``).
    patient : int, optional
        Row position of the example patient; defaults to the patient with the
        highest cross-validated risk of the main explained model.
    framingham_inputs : dict, optional
        How the cohort's columns feed the Framingham score; defaults to
        ``cohort.framingham_inputs``.
    reference : str, optional
        Model the others are compared with; defaults to ``"cox"`` (``"fine_gray"``
        under competing risks) when it is among the models, else the first model.
    comparison : {"delong", "bootstrap"}, default="delong"
        Paired test of binary AUCs (Harrell's C is always compared by a paired
        bootstrap).
    censoring_weights : {"before", "at", "riskRegression"}, default="before"
        How the metrics at the horizon of a time-to-event outcome (Brier score,
        IPA, time-dependent AUC and its ROC curve in the report; Uno's C)
        weight for censoring (see ``docs/conventions.md``): ``"before"`` is
        riskml's horizon rule (a patient followed to the horizon without an event
        is event-free there, weights G(T-), G(h-)); ``"riskRegression"`` equals R
        riskRegression's ``Score()`` exactly (a patient censored exactly at the
        horizon is not evaluable); ``"at"`` is scikit-survival's (G(T), G(h)).
        Uno's C takes ``"before"`` (R's ``concordance(timewt="n/G2")``) for both
        ``"before"`` and ``"riskRegression"``.
    reference_levels : dict, optional
        ``{column: level}``: the reference level of a categorical predictor in the
        models that leave one out (the Cox model), as R's ``relevel``. By default a
        pandas Categorical's first category, otherwise the first level in sorted
        order (:class:`~riskml.features.Preprocessor`). The report states each
        reference.
    stratified_bootstrap : bool, default=True
        Binary outcomes: every bootstrap interval and bootstrap comparison resamples
        within each class (the numbers of events and non-events stay fixed, as
        R's ``pROC`` does by default); False: the plain bootstrap of patients, as
        most hand-written analyses do. The summary's ``method`` says which.
        Time-to-event outcomes are always resampled plainly.
    n_jobs : int, optional
        Folds or replicates fitted in parallel with joblib's active backend (-1: all
        cores or all workers of a Dask cluster). None: with cross-validation, each
        model's folds and its whole-cohort fit run on threads, one per core, each fit
        with its share of the cores (on 2 cores: two single-threaded fits at a time,
        faster than one two-threaded fit after another for forests, XGBoost, LASSO
        and TAN, ``benchmarks/README.md``); the internal validation schemes run their
        replicates or folds the same way; bootstrap intervals run on a thread per
        core. No result depends on it. A study records its fits' warnings through the
        ``warnings`` module, whose state is process-wide: run several studies at once
        in separate processes, not in threads of one process.
    progress : bool, default=True
        Show a progress bar.
    trusted_predictors : sequence of str, optional
        Predictors you have checked and vouch for: exempt from the pre-flight
        leakage and quasi-identifier guards (:func:`riskml.cohorts.check_predictors`),
        which otherwise refuse, before the first fit, a predictor that (nearly)
        determines the outcome, follows the follow-up time, equals the label at the
        horizon, or is a categorical with more than 20 levels (e.g. a postcode). The
        exemption is recorded in ``result.settings``. Constant predictors are warned
        about whatever this says.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.make_young_hypertension(random_state=0)
    >>> study = rk.Study(cohort, models=["cox", "framingham_recalibrated"],
    ...                  validation=5, n_boot=200, progress=False)
    >>> result = study.run()  # doctest: +SKIP
    """

    def __init__(
        self,
        cohort: Cohort,
        models=DEFAULT_MODELS,
        *,
        selection=None,
        validation=None,
        horizon: float | None = None,
        metrics=None,
        threshold: float | None = None,
        metric_params: dict | None = None,
        external: Cohort | None = None,
        subgroups=None,
        random_state: int = 0,
        n_boot: int = 2000,
        explain="auto",
        explain_rows: int | None = None,
        explain_max_trees: int | None = 20,
        patient: int | None = None,
        framingham_inputs: dict | None = None,
        reference: str | None = None,
        comparison: str = "delong",
        censoring_weights: str = "before",
        reference_levels: dict | None = None,
        stratified_bootstrap: bool = True,
        n_jobs: int | None = None,
        progress: bool = True,
        horizon_days=None,
        trusted_predictors=None,
    ):
        self.cohort = cohort
        self.models = models
        self.selection = selection
        self.validation = validation
        self.horizon = renamed_keyword(
            horizon, horizon_days, "horizon", "horizon_days", "Study", None
        )
        self.metrics = metrics
        self.threshold = threshold
        self.metric_params = metric_params
        self.external = external
        self.subgroups = subgroups
        self.random_state = random_state
        self.n_boot = n_boot
        self.explain = explain
        self.explain_rows = explain_rows
        self.explain_max_trees = explain_max_trees
        self.patient = patient
        self.framingham_inputs = framingham_inputs
        self.reference = reference
        self.comparison = comparison
        self.censoring_weights = censoring_weights
        self.reference_levels = reference_levels
        self.stratified_bootstrap = stratified_bootstrap
        self.n_jobs = n_jobs
        self.progress = progress
        self.trusted_predictors = trusted_predictors

    def _check_settings(self) -> StudySettings:
        """Validate every setting, before any fit; return the settings of the run."""
        return check_settings(self)

    def _check_data(self, settings: StudySettings) -> tuple[dict, list]:
        """The data checks of :meth:`run`, before any fit: the sample-size judgement and
        what the leakage guards found in the trusted predictors."""
        return check_data(self.cohort, settings)

    # -- the run ----------------------------------------------------------------
    def run(self) -> StudyResult:
        """Validate every model, evaluate, compare, refit, explain, summarise."""
        from ..evaluation import InternalValidation

        timings = {}
        start = _time.perf_counter()
        settings = self._check_settings()
        # validation=TemporalSplit: develop on the earlier index dates, validate on the later
        cohort, external, settings = temporal_cohorts(self.cohort, self.external, settings)
        sample_size, trusted_findings = check_data(cohort, settings)
        timings["checks"] = _time.perf_counter() - start
        horizon = settings.horizon
        outcome = cohort.outcome
        X = cohort.features[cohort.predictors]
        names = list(settings.names)

        start = _time.perf_counter()
        optimism = selection_frequency = stability = None
        if isinstance(settings.validation, InternalValidation):
            predictions, optimism, fitted, stability, issues = validate_internally(
                cohort, settings, X
            )
            evaluated = predictions
        else:
            evaluated, selection_frequency, fitted, issues = cross_validate_models(
                cohort, settings, X, timings
            )
            predictions = {
                name: risk.mean(axis=0) if risk.ndim == 2 else risk
                for name, risk in evaluated.items()
            }
        timings["validation"] = _time.perf_counter() - start

        start = _time.perf_counter()
        summary, small_message, notes = summarise(outcome, settings, evaluated, optimism, issues)
        if small_message:
            warnings.warn(small_message, UserWarning, stacklevel=2)
        predictions = pd.DataFrame(predictions)
        comparison = compare_models(settings, predictions, outcome)
        calibration = calibration_table(names, predictions, outcome, horizon)
        decision_curve = decision_curve_table(names, predictions, outcome, horizon)
        subgroups = evaluate_subgroups(outcome, settings, predictions)
        fairness = evaluate_fairness(outcome, settings, predictions)
        timings["metrics"] = _time.perf_counter() - start

        external = evaluate_external(external, cohort.predictors, settings, fitted)

        start = _time.perf_counter()
        explanations, patient = explain_models(settings, fitted, X, predictions, timings)
        timings["explanations"] = _time.perf_counter() - start

        return StudyResult(
            summary=summary,
            predictions=predictions,
            outcome=outcome,
            horizon=horizon,
            cohort_summary=cohort.describe(horizon=horizon),
            cohort_name=cohort.name,
            cohort_source=cohort.source,
            models=describe_models(settings, notes),
            settings=describe_settings(cohort, settings, trusted_findings, comparison)
            | ({"temporal validation": settings.temporal.describe()} if settings.temporal else {}),
            fitted_models=fitted,
            explanation=next(iter(explanations.values()), None),
            explanations=explanations,
            patient_index=patient,
            comparison=comparison,
            calibration=calibration,
            decision_curve=decision_curve,
            optimism=optimism,
            external=external,
            subgroups=subgroups,
            fairness=fairness,
            selection_frequency=selection_frequency,
            sample_size=sample_size,
            table_one=cohort.table_one(
                by_outcome=True, horizon=horizon, min_count=REPORT_MIN_COUNT
            ),
            flow=cohort.flow,
            stability=stability,
            fit_issues=pd.DataFrame(issues) if issues else None,
            timings=timings,
            competing_incidence=_competing_incidence(outcome, horizon),
            _explain_inputs=(
                {
                    "X": X,
                    "random_state": settings.random_state,
                    "n_jobs": settings.n_jobs,
                    "max_trees": settings.explain_max_trees,
                }
                if explanations
                else None
            ),
        )
