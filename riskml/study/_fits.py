"""Every model of a study fitted and validated: out-of-fold risk (cross-validation) or
apparent and optimism-corrected performance (internal validation), with the
whole-cohort fits, the selection frequencies and the fit issues counted over the fits.
"""

from __future__ import annotations

import re
import time as _time
import warnings

import pandas as pd

from ..utils.fit_issues import ModelFitWarning, merge_fit_issues

__all__ = ["cross_validate_models", "fit_issue_note", "temporal_cohorts", "validate_internally"]


def temporal_cohorts(cohort, external, settings):
    """The cohort a study develops on, the one it validates its fits on, and the
    settings for them: with ``validation=TemporalSplit(...)``, the earlier and the
    later index dates (subgroup labels kept for the development rows); otherwise
    ``cohort``, ``external`` and ``settings`` as given.
    """
    from dataclasses import replace

    periods = settings.temporal
    if periods is None:
        return cohort, external, settings
    development = cohort.subset(periods.development)
    validation = cohort.subset(periods.validation)
    day = "%Y-%m-%d"
    development.name = f"{cohort.name}, index dates before {periods.split:{day}}"
    validation.name = f"{cohort.name}, index dates from {periods.split:{day}}"
    subgroups = {
        name: labels[periods.development].reset_index(drop=True)
        if hasattr(labels, "reset_index")
        else labels[periods.development]
        for name, labels in settings.subgroups.items()
    }
    return development, validation, replace(settings, subgroups=subgroups)


def _reissue_once(model: str, caught, where: str = "across the cross-validation fits") -> None:
    """Re-issue warnings raised in every fold once, with the number of fits that raised them.

    Row positions inside a fold mean nothing to the user, so they are dropped. Fit
    issues (:class:`~riskml.models.ModelFitWarning`) are left to :func:`_fit_issue_rows`,
    which counts them per fit.
    """
    counts: dict = {}
    for record in caught:
        if issubclass(record.category, ModelFitWarning):
            continue
        text = re.sub(r" \(first positions [^)]*\)", "", str(record.message))
        text = re.sub(r"^\d+ row\(s\) have", "Rows have", text)
        key = (record.category, text)
        counts[key] = counts.get(key, 0) + 1
    for (category, text), count in counts.items():
        warnings.warn(
            f"[{model}] {text} (raised {count} time(s) {where})",
            category,
            stacklevel=3,
        )


def _fit_issue_rows(model: str, issues: dict, n_fits: int, whole: tuple, stage: str) -> list:
    """One row per fit issue of a model, counted over its fits, warned once.

    Parameters
    ----------
    issues : dict
        Sentence -> number of fold (or replicate) fits that raised it.
    n_fits : int
        Fold (or replicate) fits made.
    whole : tuple of str
        The sentences the whole-cohort fit raised.
    stage : str
        What the fits were ("cross-validation folds", "bootstrap replicates", ...).
    """
    rows = []
    for issue, fits, in_whole in merge_fit_issues(issues, whole):
        rows.append(
            {
                "model": model,
                "issue": issue,
                "fits": fits,
                "of": n_fits + 1,
                "whole_cohort": in_whole,
            }
        )
        where = (
            "including the whole-cohort fit that is reported, explained and deployed"
            if in_whole
            else "not the whole-cohort fit"
        )
        warnings.warn(
            f"[{model}] {issue} In {fits} of {n_fits + 1} fits ({n_fits} {stage} and the "
            f"whole-cohort fit; {where}). Recorded in result.fit_issues, the summary's "
            "fit_issues column and the report.",
            ModelFitWarning,
            stacklevel=4,
        )
    return rows


def fit_issue_note(rows: list) -> str:
    """The summary's ``fit_issues`` text of one model: each issue with its count."""
    return "; ".join(
        f"{row['issue'].rstrip('.')} ({row['fits']} of {row['of']} fits"
        + (", whole-cohort fit included)" if row["whole_cohort"] else ")")
        for row in rows
    )


def _frequency(name, selected) -> list:
    """``(model, feature, frequency, fits)`` of every feature kept in some fit."""
    fits = [s for s in selected if s is not None]
    if not fits:
        return []
    counts: dict = {}
    for features in fits:
        for feature in features:
            counts[feature] = counts.get(feature, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(name, feature, count / len(fits), len(fits)) for feature, count in ordered]


def cross_validate_models(cohort, settings, X, timings):
    """Out-of-fold risk of every model, how often selection kept each feature, and
    every model's whole-cohort fit (made among its folds' fits: see ``run_fits``).

    Returns
    -------
    predictions, frequency, fitted, issues
        Model name -> out-of-fold risk; the selection frequencies (or None); model
        name -> whole-cohort fit; fit-issue rows.
    """
    from tqdm.auto import tqdm

    from ..evaluation import cross_validate
    from ..features import selected_features

    y = cohort.outcome.to_y()
    predictions, kept, fitted, issues = {}, [], {}, []
    pipelines = settings.pipelines
    bar = tqdm(
        total=len(pipelines), desc="riskml study", unit="model", disable=not settings.progress
    )
    for name, pipeline in pipelines.items():
        bar.set_postfix_str(name)
        start = _time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                run = cross_validate(
                    pipeline,
                    X,
                    y,
                    cv=settings.validation,
                    groups=cohort.groups,
                    random_state=settings.random_state,
                    horizon=settings.horizon,
                    n_jobs=settings.n_jobs,
                    inspect=selected_features,
                    refit=True,
                )
            except Exception as error:
                bar.close()
                raise RuntimeError(f"model {name!r} failed: {error}") from error
        timings[f"validation {name}"] = _time.perf_counter() - start
        timings[f"refit {name}"] = run.refit_seconds
        _reissue_once(name, caught, where="across the cross-validation and whole-cohort fits")
        issues += _fit_issue_rows(
            name, run.fit_issues, len(run.inspected), run.refit_issues, "fold fits"
        )
        predictions[name] = run.risk
        fitted[name] = run.refitted
        kept += _frequency(name, run.inspected)
        bar.update(1)
    bar.close()
    frequency = None
    if kept:
        frequency = pd.DataFrame(kept, columns=["model", "feature", "frequency", "fits"])
    return predictions, frequency, fitted, issues


def validate_internally(cohort, settings, X):
    """Internal validation of every model; apparent predictions and fits, stability.

    Returns
    -------
    predictions, table, fitted, stability, issues
        Model name -> apparent risk; the optimism table; model name -> whole-cohort
        fit; model name -> prediction stability (bootstrap schemes, else None);
        fit-issue rows.
    """
    from ..evaluation import internal_validation

    scheme = settings.validation
    y = cohort.outcome.to_y()
    tables, fitted, predictions, issues = [], {}, {}, []
    stability = {} if scheme.bootstrap else None
    for name, pipeline in settings.pipelines.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = internal_validation(
                    pipeline,
                    X,
                    y,
                    method=scheme.method,
                    metrics=list(settings.metrics),
                    horizon=settings.horizon,
                    n_boot=scheme.n_boot,
                    cv=scheme.cv,
                    groups=cohort.groups,
                    random_state=settings.random_state,
                    n_jobs=settings.n_jobs,
                    progress=settings.progress,
                    metric_params=settings.metric_params,
                    name=name,
                )
            except Exception as error:
                raise RuntimeError(f"model {name!r} failed: {error}") from error
        where = "across the bootstrap fits" if scheme.bootstrap else "across the fold fits"
        _reissue_once(name, caught, where=where)
        issues += _fit_issue_rows(
            name,
            result.fit_issues,
            result.n_fits,
            result.apparent_fit_issues,
            "bootstrap replicate fits" if scheme.bootstrap else "fold fits",
        )
        # the apparent (whole-cohort) fit made by internal_validation: no second fit
        fitted[name] = result.estimator_
        predictions[name] = result.apparent_risk
        if scheme.bootstrap:
            stability[name] = result.stability()
        tables.append(result.summary.assign(model=name))
    table = pd.concat(tables, ignore_index=True)
    table = table[["model", *[c for c in table.columns if c != "model"]]]
    return predictions, table, fitted, stability, issues
