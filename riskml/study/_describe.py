"""A study's settings and models in words, for ``result.settings``, ``result.models``
and the report."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

__all__ = ["describe_models", "describe_settings"]


def describe_models(settings, notes: dict) -> dict:
    """Model name -> description, with its fit issues."""
    from ..models import describe_model

    descriptions = {
        name: describe_model(model, settings.horizon) if isinstance(model, str) else repr(model)
        for name, model in settings.models.items()
    }
    for name, note in notes.items():
        if note:
            descriptions[name] += f" Fit issues: {note}."
    return descriptions


def describe_settings(cohort, settings, trusted_findings, comparison) -> dict:
    """``result.settings``: each setting as the report states it."""
    from ..models import describe_imbalance_handling

    return {
        "validation": _describe_validation(settings.validation, cohort.groups is not None),
        "metrics": ", ".join(settings.metrics),
        "class imbalance": {
            name: describe_imbalance_handling(pipeline).removeprefix("Class imbalance: ")
            for name, pipeline in settings.pipelines.items()
        },
        "selection": "none" if settings.selection is None else repr(settings.selection),
        "random_state": settings.random_state,
        "n_boot": settings.n_boot,
        "bootstrap": (
            "class-stratified"
            if settings.stratified_bootstrap and not cohort.outcome.is_survival
            else "plain (patients as they come)"
        ),
        "horizon": settings.horizon,
        "comparison": _describe_comparison(comparison),
        "censoring_weights": settings.censoring_weights,
        "reference_levels": settings.reference_levels,
        "trusted_predictors": (
            "; ".join(trusted_findings) or ", ".join(settings.trusted_predictors) or "none"
        ),
        "generated": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


def _describe_comparison(comparison) -> str:
    """The paired comparison that ran, as the comparison table's ``method`` says."""
    if comparison is None or not len(comparison):
        return "none (a single model)"
    first = comparison.iloc[0]
    metric = {"auc": "AUC", "harrell_c": "Harrell's C"}.get(first["metric"], first["metric"])
    text = f"{first['method']} ({metric}"
    if "bootstrap" in str(first["method"]) and pd.notna(first.get("n_boot")):
        text += f", {int(first['n_boot'])} replicates"
    return text + f"; reference {first['reference']})"


def _describe_validation(validation, grouped_by_patient: bool) -> str:
    from ..evaluation import InternalValidation, RepeatedCV

    grouped = " grouped by patient" if grouped_by_patient else ""
    if isinstance(validation, int | np.integer):
        return (
            f"stratified {int(validation)}-fold cross-validation{grouped}; "
            "every model refitted in each training fold"
        )
    if isinstance(validation, RepeatedCV):
        return (
            f"stratified {validation.k}-fold cross-validation{grouped} repeated "
            f"{validation.repeats} times; every model refitted in each training fold; "
            "estimates are the mean over repeats"
        )
    if isinstance(validation, InternalValidation):
        if validation.bootstrap:
            name = {
                "bootstrap": "Harrell's optimism-corrected bootstrap",
                "632": "Efron's .632 bootstrap",
                "632+": "Efron and Tibshirani's .632+ bootstrap",
            }[validation.method]
            return (
                f"{name} ({validation.n_boot} replicates); the whole pipeline refitted "
                "in each replicate"
            )
        name = {
            "cv_optimism": "cross-validation optimism (training-fold minus held-out-fold "
            "performance, subtracted from the apparent)",
            "cv_average": "cross-validation average (the mean held-out-fold performance)",
        }[validation.method]
        folds = f"{validation.cv}-fold" if isinstance(validation.cv, int) else repr(validation.cv)
        return f"{name}, {folds}{grouped}; the whole pipeline refitted in each fold"
    return repr(validation)
