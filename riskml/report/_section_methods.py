"""Report sections on limitations, methods and reproducibility."""

from __future__ import annotations

import math
import platform
from importlib import metadata

import numpy as np
import pandas as pd

from ._common import PACKAGES, _final, level_masker
from ._format import (
    fmt_setting,
    metric_label,
    sentence,
)
from ._section_performance import interval_method, interval_methods
from ._section_predictors import _needed, events_per_parameter
from ._section_specification import (
    _fit_issue_count,
    _fit_issue_records,
    _issue_text,
    _whole_cohort_issues,
)

# --- limitations, methods, reproducibility -----------------------------------------------


def _framingham_ages(result) -> list[str]:
    """Warnings for Framingham models applied outside their derivation ages."""
    notes = []
    fitted = getattr(result, "fitted_models", None) or {}
    explanations = getattr(result, "explanations", None) or {}
    for name, pipeline in fitted.items():
        final = _final(pipeline)
        if not hasattr(final, "recalibration_"):
            continue
        try:
            from ..models.scores import EQUATIONS

            low, high = EQUATIONS[final.model].age_range
        except (ImportError, KeyError, AttributeError):
            continue
        column = (getattr(final, "inputs", None) or {}).get("age", "age")
        column = column.get("column", "age") if isinstance(column, dict) else column
        explanation = explanations.get(name) or next(iter(explanations.values()), None)
        data = getattr(explanation, "data", None)
        if data is None or column not in data.columns:
            notes.append(
                f"{name} was derived on ages {low:g}–{high:g}; check that the cohort's ages lie "
                "in that range (they were not available to the report)."
            )
            continue
        ages = pd.to_numeric(data[column], errors="coerce").dropna()
        outside = int(((ages < low) | (ages > high)).sum())
        if outside:
            notes.append(
                f"{name}: {outside} of {len(ages)} patients examined ({100 * outside / len(ages):.0f}%) "
                f"are outside the equation's derivation ages ({low:g}–{high:g} years, youngest "
                f"{ages.min():g}); its risks for them are extrapolated."
            )
    return notes


def limitations_section(result) -> dict:
    items = []
    info = dict(getattr(result, "sample_size", None) or {})
    minimum = info.get("minimum_n")
    epp = events_per_parameter(result)
    if minimum is not None and info.get("n", math.inf) < minimum:
        items.append(
            f"Small sample: {info['n']:,} patients against the {_needed(minimum)} that the "
            "Riley et al. criteria ask for"
            + (f" ({epp['value']} events per candidate parameter)" if epp else "")
            + "; expect overfitting and wide intervals."
        )
    elif epp is not None and epp["number"] < 10:
        items.append(
            f"{epp['value']} events per candidate predictor parameter: estimates may be "
            "unstable and optimistic."
        )
    mask = level_masker(result)
    for record in _fit_issue_records(result):
        items.append(
            f"{record['model']} ({_fit_issue_count(record)}): {mask(_issue_text(record['issue']))}"
        )
    recorded = {(str(r["model"]), str(r["issue"]).strip()) for r in _fit_issue_records(result)}
    for name, pipeline in (getattr(result, "fitted_models", None) or {}).items():
        for issue in _whole_cohort_issues(pipeline):
            if (str(name), issue.strip()) not in recorded:
                items.append(f"{name} (the whole-cohort fit): {mask(_issue_text(issue))}")
    summary = result.summary
    if "small_data" in summary.columns and summary["small_data"].any():
        small = summary[summary["small_data"].astype(bool)]
        listed = ", ".join(
            f"{m} ({metric_label(x, result.outcome, result.horizon)})"
            for m, x in zip(small["model"], small["metric"], strict=False)
        )
        items.append(
            f"Fewer than 10 events or non-events behind: {listed}; these estimates are unstable."
        )
    items += _framingham_ages(result)
    if "synthetic" in f"{result.cohort_name} {result.cohort_source}".lower():
        items.append(
            "The cohort is synthetic (generated data): the numbers illustrate the method and "
            "say nothing about real patients."
        )
    if result.outcome.is_survival and result.horizon is not None:
        unknown = int(np.sum(np.isnan(result.outcome.at_horizon(float(result.horizon)))))
        if unknown:
            items.append(
                f"{unknown:,} patients were censored before the horizon without an event; "
                "metrics at the horizon assume censoring independent of the outcome (IPCW)."
            )
    if (result.settings or {}).get("temporal validation"):
        items.append(
            "Temporal validation: the later patients come from the same source as the "
            "earlier ones, so it tests transportability over time, not to other settings."
        )
    elif getattr(result, "external", None) is None:
        items.append(
            "Internal validation only: no external cohort was evaluated, so transportability "
            "to other settings is unknown."
        )
    items.append(
        "To be completed by the authors: clinical context, data quality, the population the "
        "model is meant for, and any fairness assessment beyond the subgroups shown."
    )
    return {"items": items}


def _imbalance_texts(result) -> dict:
    """Model name -> how class imbalance was handled (``settings["class imbalance"]``)."""
    recorded = (result.settings or {}).get("class imbalance") or {}
    return {
        str(name): sentence(str(text).removeprefix("Class imbalance:").strip())
        for name, text in recorded.items()
    }


def imbalance_sentence(result) -> str | None:
    """Class-imbalance handling, said once per distinct handling (not once per model)."""
    texts = _imbalance_texts(result)
    if not texts:
        return None
    grouped: dict = {}
    for name, text in texts.items():
        grouped.setdefault(text, []).append(name)
    if len(grouped) == 1:
        return f"{next(iter(grouped))}."
    return " ".join(f"{', '.join(names)}: {text}." for text, names in grouped.items())


def methods_section(result) -> dict:
    settings = dict(result.settings or {})
    selection = settings.get("selection")
    if selection in (None, "none"):
        selection = "none: every candidate predictor entered each model"
    validation = fmt_setting(settings.get("validation", "not recorded"))
    temporal = settings.get("temporal validation")
    if temporal:
        # the periods first (dates and counts), then the development period's own scheme
        validation = f"{temporal}; within the development period, {validation}"
    return {
        "validation": sentence(validation),
        "selection": sentence(fmt_setting(selection)),
        "imbalance": imbalance_sentence(result),
        "intervals": [(method, ", ".join(metrics)) for method, metrics in interval_methods(result)],
        "survival": result.outcome.is_survival,
        "explained": bool(getattr(result, "explanations", None) or result.explanation),
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def comparison_run(result) -> str | None:
    """The paired comparison that ran, read from the comparison table (never the request)."""
    table = getattr(result, "comparison", None)
    if not isinstance(table, pd.DataFrame) or len(table) == 0 or "method" not in table.columns:
        return None
    first = table.iloc[0].to_dict()
    metric = metric_label(str(first.get("metric", "")), result.outcome, None)
    return f"{interval_method(first)} ({metric}; reference {first.get('reference')})"


def reproducibility_section(result) -> dict:
    from .._version import __version__

    settings = dict(result.settings or {})
    versions = [("Python", platform.python_version())]
    for package in PACKAGES:
        versions.append((package, __version__ if package == "riskml" else _version(package)))
    timings = getattr(result, "timings", None) or {}
    shown = []
    for key, value in settings.items():
        if key == "comparison":
            ran = comparison_run(result)
            if ran is not None:
                value = ran
            elif getattr(result, "comparison", None) is None and not str(value).startswith("none"):
                value = "none (no comparison ran)"
        elif key == "class imbalance":
            value = imbalance_sentence(result) or value
        shown.append((str(key), fmt_setting(value)))
    return {
        "versions": versions,
        "seed": fmt_setting(settings.get("random_state")),
        "settings": shown,
        "timings": [(str(k), f"{float(v):.1f} s") for k, v in timings.items()],
    }
