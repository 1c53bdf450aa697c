"""Pre-flight checks of a study's parameters, before the first fit.

:func:`check_settings` checks every parameter of a :class:`~riskml.study.Study` in a
fixed order (the first problem found is the one reported) and returns the
:class:`~riskml.study.StudySettings` the run uses. The checks of the data themselves
(events per fold, leakage, sample size) are in :mod:`riskml.study._data_checks`.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from ..cohorts import Cohort
from ..evaluation import subgroup_labels
from ..utils.validation import check_int
from ._data_checks import check_horizon_evaluable
from ._settings import CENSORING_WEIGHTS, MIN_N_BOOT, StudySettings

__all__ = [
    "COMPETING_MODELS",
    "DEFAULT_MODELS",
    "build_pipeline",
    "check_horizon",
    "check_settings",
]

#: The models of a study that names none.
DEFAULT_MODELS = ("xgboost", "cox", "framingham_recalibrated")
#: ... and of one whose outcome has competing events: a learned model of the label at the
#: horizon, the Fine-Gray model of the cumulative incidence, and the Aalen-Johansen
#: incidence as the null model. ("cause_specific_cox" is explained by the model-agnostic
#: method, minutes per model, so it is named, not defaulted.)
COMPETING_MODELS = ("xgboost", "fine_gray", "aalen_johansen")


def check_settings(study) -> StudySettings:
    """Validate every setting of ``study``; return the settings of the run."""
    if not isinstance(study.cohort, Cohort):
        raise TypeError(
            f"cohort must be a riskml.Cohort; got {type(study.cohort).__name__}. Build one "
            "with a loader in riskml.cohorts or riskml.Cohort(features, outcome)."
        )
    given = study.models
    if given is DEFAULT_MODELS and study.cohort.outcome.is_competing:
        given = COMPETING_MODELS
    models = _check_models(given)
    horizon = check_horizon(study)
    check_int(study.n_boot, "n_boot", "Study", low=MIN_N_BOOT)
    check_int(study.random_state, "random_state", "Study", low=0)
    if study.explain_rows is not None:
        check_int(study.explain_rows, "explain_rows", "Study", low=1)
    if study.explain_max_trees is not None:
        check_int(study.explain_max_trees, "explain_max_trees", "Study", low=1)
    validation = _check_validation(study, horizon)
    temporal = _check_temporal(study, horizon)
    _check_run_options(study)
    metrics, metric_params = _check_metrics(study, horizon)
    _check_reference_levels(study)
    explain = _check_explain(study.explain, models)
    if study.explain in ("auto", "all", True):  # a model that reads no input has nothing to say
        explain = [name for name in explain if not _reads_no_input(models[name])]
    if study.reference is not None and study.reference not in models:
        raise ValueError(
            f"reference={study.reference!r} is not one of the study's models ({', '.join(models)})."
        )
    _check_patient(study)
    if not study.cohort.predictors:
        raise ValueError(
            "the cohort has no predictors left: every column is marked post_index or has "
            "a role other than 'predictor' in cohort.metadata."
        )
    subgroups = _check_subgroups(study)
    trusted = _check_trusted_predictors(study)
    _check_external(study)
    pipelines = {name: build_pipeline(study, model, horizon) for name, model in models.items()}
    _check_score_inputs(study.cohort, pipelines)
    _check_learners_have_a_label(study.cohort.outcome, horizon, pipelines)
    _check_outcome_kinds(study.cohort.outcome, pipelines)
    return StudySettings(
        validation=validation,
        models=models,
        pipelines=pipelines,
        horizon=horizon,
        metrics=tuple(metrics),
        metric_params=metric_params,
        explain=tuple(explain),
        subgroups=subgroups,
        trusted_predictors=tuple(trusted),
        reference=(study.reference or _default_reference(study.cohort.outcome, models)),
        selection=study.selection,
        random_state=study.random_state,
        n_boot=study.n_boot,
        explain_rows=study.explain_rows,
        explain_max_trees=study.explain_max_trees,
        patient=study.patient,
        comparison=study.comparison,
        censoring_weights=study.censoring_weights,
        reference_levels=study.reference_levels,
        stratified_bootstrap=study.stratified_bootstrap,
        n_jobs=study.n_jobs,
        progress=study.progress,
        temporal=temporal,
    )


def _default_reference(outcome, models) -> str:
    """The model the others are compared with: the Cox model (the Fine-Gray model under
    competing risks) when it is among them, else the first."""
    usual = "fine_gray" if outcome.is_competing else "cox"
    return usual if usual in models else next(iter(models))


def _reads_no_input(model) -> bool:
    """Whether the family reads no input (a null model such as ``aalen_johansen``)."""
    from ..models import model_spec

    spec = model_spec(model) if isinstance(model, str) else None
    return spec is not None and spec.explainer == "none"


def _check_models(given) -> dict:
    """``{name: model}`` from a list of registry names or a dict."""
    if isinstance(given, dict):
        models = dict(given)
    elif isinstance(given, str) or not hasattr(given, "__iter__"):
        models = {}
    else:
        models = {}
        for model in given:
            if not isinstance(model, str):
                raise ValueError(
                    "models given as a list must be names such as 'xgboost'; to compare "
                    "pipelines or scikit-learn classifiers of your own, pass a dict "
                    f"{{name: model}}. Got {type(model).__name__}."
                )
            if model in models:
                raise ValueError(f"model {model!r} is listed twice.")
            models[model] = model
    if not models:
        raise ValueError(
            "models must be a non-empty list of model names (e.g. ['xgboost', 'cox']) or "
            f"a dict {{name: model}}; got {given!r}."
        )
    return models


def check_horizon(study) -> float | None:
    """The horizon in days: the study's, else the cohort's; evaluable in the cohort."""
    outcome = study.cohort.outcome
    horizon = study.horizon
    if horizon is not None and not outcome.is_survival:
        raise ValueError(
            "horizon applies to time-to-event outcomes; this cohort's outcome is "
            "binary. Leave horizon out."
        )
    if horizon is None and outcome.is_survival:
        horizon = study.cohort.horizon
    if horizon is None:
        return None
    if (
        isinstance(horizon, bool)
        or not isinstance(horizon, int | float | np.integer | np.floating)
        or not np.isfinite(horizon)
        or horizon <= 0
    ):
        raise ValueError(f"horizon must be a positive number of days; got {horizon!r}.")
    horizon = float(horizon)
    check_horizon_evaluable(outcome, horizon, "the cohort")
    return horizon


def _default_validation(study, horizon):
    """The validation scheme; None becomes 10 folds, fewer for a rare class; a
    temporal split's scheme within its development period."""
    from ..evaluation import TemporalSplit

    if isinstance(study.validation, TemporalSplit):
        return study.validation.cv
    if study.validation is not None:
        return study.validation
    outcome = study.cohort.outcome
    event = outcome.event
    smallest = int(min(event.sum(), (~event).sum()))
    if outcome.is_survival and horizon is not None:
        label = outcome.at_horizon(horizon)
        smallest = min(smallest, int(np.sum(label == 1)), int(np.sum(label == 0)))
    return int(min(10, max(smallest, 2)))


def _check_validation(study, horizon):
    from ..evaluation import InternalValidation, RepeatedCV

    validation = _default_validation(study, horizon)
    if isinstance(validation, bool) or not (
        (isinstance(validation, int | np.integer) and validation >= 2)
        or isinstance(validation, RepeatedCV | InternalValidation)
        or callable(getattr(validation, "split", None))
    ):
        raise ValueError(
            "The 'validation' parameter of Study must be an int in the range [2, inf) "
            "(the number of folds), a cross-validation splitter, RepeatedCV, "
            f"InternalValidation (or OptimismBootstrap) or TemporalSplit. Got {validation!r} "
            "instead."
        )
    return validation


def _index_dates(cohort, column: str):
    """The index dates of a temporal split: a context column, or a feature column
    that is not a predictor."""
    context = cohort.context
    if context is not None and column in context.columns:
        return context[column]
    if column in cohort.features.columns:
        if column in cohort.predictors:
            raise ValueError(
                f"the date_column {column!r} of TemporalSplit is a predictor of the cohort; "
                "an index date places a patient in a period and is not a predictor. Fix: "
                "move it to cohort.context, or set its role in cohort.metadata to 'context'."
            )
        return cohort.features[column]
    available = [] if context is None else list(context.columns)
    raise ValueError(
        f"the date_column {column!r} of TemporalSplit is not in the cohort: its context "
        f"columns are {available[:10] or 'none'}. Fix: add the index dates to "
        "cohort.context (one row per patient) or name the column that holds them."
    )


def _check_temporal(study, horizon):
    """The periods of ``validation=TemporalSplit(...)`` (None for another scheme)."""
    from ..evaluation import TemporalSplit

    scheme = study.validation
    if not isinstance(scheme, TemporalSplit):
        return None
    if study.external is not None:
        raise ValueError(
            "validation=TemporalSplit(...) validates on the cohort's later index dates, "
            "so external= cannot be given too. Fix: run a second study for the external "
            "cohort, or validate the saved model on it (riskml validate)."
        )
    return scheme.periods(
        _index_dates(study.cohort, scheme.date_column), study.cohort.outcome, horizon
    )


def _check_run_options(study) -> None:
    """``n_jobs``, ``comparison`` and ``stratified_bootstrap``."""
    if study.n_jobs is not None and (
        isinstance(study.n_jobs, bool)
        or not isinstance(study.n_jobs, int | np.integer)
        or study.n_jobs == 0
    ):
        raise ValueError(
            "The 'n_jobs' parameter of Study must be None, a positive int (the number of "
            f"parallel fits) or -1 (all cores). Got {study.n_jobs!r} instead."
        )
    if study.comparison not in ("delong", "bootstrap"):
        raise ValueError(f"comparison must be 'delong' or 'bootstrap'; got {study.comparison!r}.")
    if not isinstance(study.stratified_bootstrap, bool | np.bool_):
        raise TypeError(
            "The 'stratified_bootstrap' parameter of Study must be True (resample "
            "within each class) or False (the plain bootstrap of patients). Got "
            f"{study.stratified_bootstrap!r} instead."
        )


def _check_metrics(study, horizon) -> tuple[list, dict]:
    """The metric names and each one's keyword arguments."""
    from ..evaluation import check_metric_params, check_metrics

    outcome = study.cohort.outcome
    resolved = check_metrics(study.metrics, outcome.kind, horizon, "Study")
    metrics = [m.name for m in resolved]
    metric_params = _given_metric_params(study, resolved)
    if "net_benefit" in metrics and "threshold" not in metric_params.get("net_benefit", {}):
        if study.threshold is None:
            raise ValueError(
                "metric 'net_benefit' is evaluated at a risk threshold: pass "
                "Study(..., threshold=0.1), the risk above which a patient would be "
                "treated."
            )
        if not (isinstance(study.threshold, float | int) and 0 < study.threshold < 1):
            raise ValueError(f"threshold must be in (0, 1); got {study.threshold!r}.")
        metric_params["net_benefit"] = {"threshold": float(study.threshold)}
    if study.censoring_weights not in CENSORING_WEIGHTS:
        raise ValueError(
            "The 'censoring_weights' parameter of Study must be one of "
            f"{list(CENSORING_WEIGHTS)}; got {study.censoring_weights!r} instead "
            "(docs/conventions.md describes each)."
        )
    if outcome.is_survival and study.censoring_weights != "before":
        for name in set(metrics) & {"brier", "ipa", "td_auc", "uno_c"}:
            weights = study.censoring_weights
            if name == "uno_c":  # Uno's C knows scikit-survival's and R's weights
                weights = "at" if weights == "at" else "before"
            metric_params.setdefault(name, {}).setdefault("censoring_weights", weights)
    check_metric_params(metric_params, resolved, "Study")  # a missing threshold, a bad range
    return metrics, metric_params


def _given_metric_params(study, resolved) -> dict:
    """``Study(metric_params=)``, with ``threshold=`` as the default threshold of every
    chosen metric at a threshold (net_benefit, sensitivity, specificity, ppv, npv,
    accuracy)."""
    from ..evaluation import check_metric_params

    given = study.metric_params
    check_metric_params(given, resolved, "Study", require=False)
    metric_params = {name: dict(params) for name, params in (given or {}).items()}
    if study.threshold is not None:
        for metric in resolved:
            if metric.name != "net_benefit" and "threshold" in metric.params:
                metric_params.setdefault(metric.name, {}).setdefault("threshold", study.threshold)
    return metric_params


def _check_explain(explain, models) -> list[str]:
    if explain is None or explain is False:
        return []
    if explain is True:
        return list(models)
    if isinstance(explain, str) and explain in ("auto", "all"):
        return list(models)
    names = [explain] if isinstance(explain, str) else list(explain)
    unknown = [name for name in names if name not in models]
    if unknown:
        raise ValueError(
            f"explain names {unknown}, which are not among the study's models "
            f"({', '.join(models)}); pass explain='auto', a list of those names, or None."
        )
    return names


def _check_patient(study) -> None:
    patient = study.patient
    if patient is not None and (
        isinstance(patient, bool)
        or not isinstance(patient, int | np.integer)
        or not 0 <= patient < len(study.cohort)
    ):
        raise ValueError(
            "patient must be a row position in the cohort, an int in the range "
            f"[0, {len(study.cohort) - 1}]; got {patient!r}."
        )


def _categorical_predictors(cohort) -> list:
    features = cohort.features
    return [
        c
        for c in cohort.predictors
        if not pd.api.types.is_numeric_dtype(features[c])
        or isinstance(features[c].dtype, pd.CategoricalDtype)
    ]


def _check_reference_levels(study) -> None:
    """Each named column is a categorical predictor and each level occurs in it."""
    levels = study.reference_levels
    if levels is None:
        return
    if not isinstance(levels, dict):
        raise TypeError(
            "The 'reference_levels' parameter of Study must be a dict {column: level}, "
            f"e.g. {{'age_group': '<=20'}}; got {type(levels).__name__}."
        )
    cohort = study.cohort
    for column, level in levels.items():
        if column not in cohort.predictors:
            raise ValueError(
                f"reference_levels names {column!r}, which is not a predictor of the "
                f"cohort; its categorical predictors: {_categorical_predictors(cohort)}."
            )
        if column not in _categorical_predictors(cohort):
            raise ValueError(
                f"reference_levels names {column!r}, a numeric predictor: a reference "
                "level applies to categorical predictors only; its categorical "
                f"predictors: {_categorical_predictors(cohort)}. Drop {column!r} from "
                "reference_levels (or make it a pandas Categorical first)."
            )
        seen = {str(v) for v in cohort.features[column].dropna().unique()}
        if str(level) not in seen:
            shown = sorted(seen)[:20] if len(seen) <= 20 else f"{len(seen)} levels"
            raise ValueError(
                f"reference_levels[{column!r}] = {level!r} is not a level of {column!r}; "
                f"its levels: {shown}."
            )


def _check_trusted_predictors(study) -> list[str]:
    """The predictors exempt from the leakage and quasi-identifier guards."""
    names = study.trusted_predictors
    if names is None:
        return []
    if isinstance(names, str):
        names = [names]
    if not hasattr(names, "__iter__") or any(not isinstance(n, str) for n in names):
        raise TypeError(
            "The 'trusted_predictors' parameter of Study must be a list of column names, "
            f"e.g. ['weeks_in_trial']; got {names!r}."
        )
    names = list(dict.fromkeys(names))
    predictors = study.cohort.predictors
    unknown = [n for n in names if n not in predictors]
    if unknown:
        features = [str(c) for c in study.cohort.features.columns]
        hints = {
            n: difflib.get_close_matches(n, [str(p) for p in predictors], n=1) for n in unknown
        }
        hint = "; ".join(f"{n!r}: did you mean {h[0]!r}?" for n, h in hints.items() if h)
        raise ValueError(
            f"trusted_predictors names {unknown}, which "
            + ("are" if len(unknown) > 1 else "is")
            + " not among the cohort's predictors"
            + (
                " (a column marked post_index or with a role other than 'predictor' "
                "is never fitted, so it needs no exemption)"
                if any(n in features for n in unknown)
                else ""
            )
            + (f". {hint}" if hint else "")
            + f". The predictors: {predictors[:20]}{' ...' if len(predictors) > 20 else ''}."
        )
    return names


def _subgroup_columns(study) -> list:
    """``(name, labels)`` of every subgroup variable, as given."""
    cohort = study.cohort
    if isinstance(study.subgroups, dict):
        return list(study.subgroups.items())
    names = [study.subgroups] if isinstance(study.subgroups, str) else study.subgroups
    items = []
    for name in names:
        if name in cohort.features.columns:
            items.append((name, cohort.features[name]))
        elif cohort.context is not None and name in cohort.context.columns:
            items.append((name, cohort.context[name]))
        else:
            raise ValueError(
                f"subgroups names {name!r}, which is not a column of the cohort's "
                "features or context; pass {name: labels} for a grouping of your own."
            )
    return items


def _check_subgroups(study) -> dict:
    """{subgroup variable: labels per patient}."""
    if study.subgroups is None:
        return {}
    n_patients = len(study.cohort)
    groups = {}
    for name, labels in _subgroup_columns(study):
        labels = pd.Series(np.asarray(labels, dtype=object)).reset_index(drop=True)
        if len(labels) != n_patients:
            raise ValueError(
                f"subgroups[{name!r}] has {len(labels)} labels but the cohort has "
                f"{n_patients} patients."
            )
        labels = subgroup_labels(labels)
        groups[str(name)] = labels
    return groups


def _check_external(study) -> None:
    external = study.external
    if external is None:
        return
    if not isinstance(external, Cohort):
        raise TypeError(f"external must be a riskml.Cohort; got {type(external).__name__}.")
    cohort = study.cohort
    missing = [c for c in cohort.predictors if c not in external.features.columns]
    if missing:
        raise ValueError(
            f"the external cohort lacks predictor column(s) {missing[:10]}; it needs every "
            "predictor of the development cohort, with the same names and units."
        )
    if external.outcome.kind != cohort.outcome.kind:
        raise ValueError(
            f"the external cohort's outcome is {external.outcome.kind}, the development "
            f"cohort's {cohort.outcome.kind}; they must be of one kind."
        )
    if external.outcome.is_survival:
        horizon = check_horizon(study)
        if horizon is not None:
            check_horizon_evaluable(external.outcome, horizon, "the external cohort")


def build_pipeline(study, model, horizon):
    """A RiskPipeline for a registry name, a pipeline or any scikit-learn classifier.

    ``make_model`` applies ``selection`` to learned models only (published scores
    keep their fixed inputs) and returns a user's RiskPipeline unchanged.
    """
    from ..models import RiskPipeline, make_model

    pipeline = make_model(
        model,
        selection=None if isinstance(model, RiskPipeline) else study.selection,
        horizon=horizon,
        framingham_inputs=(
            study.framingham_inputs
            if study.framingham_inputs is not None
            else study.cohort.framingham_inputs
        ),
        random_state=study.random_state,
    )
    if study.reference_levels and not isinstance(model, RiskPipeline):
        # every preprocessing step that encodes categories (tuned pipelines nest it)
        names = [
            name for name in pipeline.get_params(deep=True) if name.endswith("__reference_levels")
        ]
        pipeline.set_params(**{name: dict(study.reference_levels) for name in names})
    return pipeline


def _check_score_inputs(cohort, pipelines) -> None:
    """Every published score finds its input columns, before any fit."""
    columns = set(cohort.features.columns)
    for name, pipeline in pipelines.items():
        final = pipeline.steps[-1][1] if hasattr(pipeline, "steps") else pipeline
        reads = getattr(final, "input_columns", None)
        if not callable(reads):
            continue
        absent = [c for c in reads() if c not in columns]
        if absent:
            raise ValueError(
                f"model {name!r} needs the column(s) {absent}, which the cohort lacks "
                f"({len(columns)} columns). Map the score's inputs to your column names "
                "with Study(framingham_inputs={'total_chol': 'TC', ...}), or leave "
                f"{name!r} out of models."
            )


def _check_outcome_kinds(outcome, pipelines) -> None:
    """Competing events are never treated as censorings: a survival-only model is
    refused for a competing-risk outcome, a competing-risk model for a binary one."""
    kinds = {name: getattr(p, "outcome_kind", "any") for name, p in pipelines.items()}
    if outcome.is_competing:
        survival = [name for name, kind in kinds.items() if kind == "survival"]
        if survival:
            raise ValueError(
                f"{', '.join(survival)} model(s) time to one event type, but the outcome has "
                "competing events (event types 2+): censoring them at the competing event "
                "would overstate the risk. Use 'cause_specific_cox' or 'fine_gray' (the "
                "cumulative incidence of the event of interest), or a binary learner such "
                "as 'xgboost' (trained on the label at the horizon, a competing event "
                "before it counting as 0)."
            )
    elif not outcome.is_survival:
        competing = [name for name, kind in kinds.items() if kind == "competing"]
        if competing:
            raise ValueError(
                f"{', '.join(competing)} model(s) the cumulative incidence of a competing-risk "
                "outcome, but the outcome is binary. Use a binary model, or build the cohort "
                "with Outcome.competing(time, event_type)."
            )


def _check_learners_have_a_label(outcome, horizon, pipelines) -> None:
    """A binary learner on a time-to-event outcome needs a horizon to label it."""
    if outcome.is_survival and horizon is None:
        binary = [n for n, p in pipelines.items() if p.outcome_kind == "binary"]
        if binary:
            raise ValueError(
                f"{', '.join(binary)} learn(s) a binary label, but the outcome is "
                "time-to-event and no horizon is set. Pass horizon (e.g. "
                "horizon=365) to train on 'event by the horizon', or use survival "
                "models such as 'cox'."
            )
