"""Report sections on explanations: global SHAP importance and the example patient."""

from __future__ import annotations

import contextlib

import pandas as pd

from ._common import TOP_PATIENT, TOP_SHAP, UNLISTED_LEVEL, hidden_levels, level_masker
from ._figures import plot_shap_importance
from ._format import (
    fmt,
    fmt_ci,
    fmt_value,
    new_figure,
    png,
    sentence,
)

# --- explanations ----------------------------------------------------------------------


def _scale(explanation) -> str:
    scale = getattr(explanation, "scale", None)
    if scale:
        return str(scale)
    objective = str(getattr(explanation, "objective", ""))
    return "log relative hazard" if objective.startswith("survival:") else "log-odds"


def explanations_section(result) -> dict | None:
    explanations = dict(getattr(result, "explanations", None) or {})
    main = result.explanation
    if not explanations and main is not None:
        explanations = {str(getattr(main, "model_name", "") or "model"): main}
    if not explanations:
        return None
    models = []
    for name, explanation in explanations.items():
        importance = explanation.importance()
        importance = importance[importance > 0]
        scale = _scale(explanation)
        entry = {
            "name": str(name),
            "scale": scale,
            "method": str(getattr(explanation, "method", "") or ""),
            "notes": str(getattr(explanation, "notes", "") or ""),
            "n_rows": len(explanation.values),
            "image": None,
        }
        if len(importance):
            shown = min(TOP_SHAP, len(importance))
            fig, ax = new_figure((5.0, 0.8 + 0.26 * shown))
            plot_shap_importance(importance, ax=ax, top=TOP_SHAP, scale=scale)
            entry["image"] = png(fig)
            entry["shown"] = shown
            entry["n_used"] = len(importance)
        models.append(entry)
    main_name = str(getattr(main, "model_name", "") or models[0]["name"]) if main else None
    beeswarm = None
    if main is not None and hasattr(main, "plot_beeswarm") and main.importance().gt(0).any():
        fig, ax = new_figure((6.4, 5.0))
        main.plot_beeswarm(ax=ax, max_display=TOP_SHAP)
        beeswarm = png(fig)
    return {"models": models, "main": main_name, "beeswarm": beeswarm}


def _patient_intervals(result, k: int) -> dict:
    """Model name -> the patient's 95% stability interval (bootstrap schemes only)."""
    if not getattr(result, "stability", None):
        return {}
    table = result.patient_stability(k, confidence=0.95)
    return {
        row.model: {
            "low": row.low,
            "high": row.high,
            "n_boot": int(row.n_boot),
            "text": fmt_ci(row.low, row.high),
        }
        for row in table.itertuples(index=False)
    }


def patient_section(result) -> dict | None:
    k = result.patient_index
    if k is None:
        return None
    k = int(k)
    predictions = result.predictions.iloc[k]
    # the internal validation schemes report the whole-cohort fit's risk, not out-of-fold
    apparent = isinstance(getattr(result, "optimism", None), pd.DataFrame)
    intervals = _patient_intervals(result, k)
    risks = [
        (str(name), fmt(value), intervals.get(name, {}).get("text"))
        for name, value in predictions.items()
    ]
    card = {
        "row": k,
        "risks": risks,
        "risk_label": "Whole-cohort fit" if apparent else "Out-of-fold prediction",
        "stability": intervals or None,
        "n_boot": next(iter(intervals.values()))["n_boot"] if intervals else None,
        "contributions": None,
        "note": None,
        "model": None,
    }
    explanation = result.explanation
    if explanation is None:
        card["note"] = "No SHAP explanation was computed for this study."
        return card
    name = str(getattr(explanation, "model_name", "") or "")
    card["model"] = name or "the main model"
    try:
        table = explanation.patient(k)
    except (ValueError, KeyError):
        card["note"] = (
            "This patient was not in the rows explained (the explanation was computed on a "
            "subsample)."
        )
        return card
    hidden = hidden_levels(result)
    card["contributions"] = [
        (
            str(row.feature),
            UNLISTED_LEVEL
            if str(row.value) in hidden.get(str(row.feature), ())
            else fmt_value(row.value),
            f"{row.contribution:+.3f}",
        )
        for row in table.head(TOP_PATIENT).itertuples(index=False)
    ]
    card["n_features"] = len(table)
    card["base_value"] = fmt(explanation.base_value)
    card["scale"] = _scale(explanation)
    card["explained_risk"] = None
    card["oof_risk"] = None
    with contextlib.suppress(ValueError, NotImplementedError, AttributeError):
        card["explained_risk"] = fmt(explanation.patient_risk(k))
    if name in result.predictions.columns and not apparent:
        card["oof_risk"] = fmt(result.predictions[name].iloc[k])
    card["explained_interval"] = intervals.get(name, {}).get("text")
    summary = getattr(explanation, "summary_sentence", None)
    card["sentence"] = None
    if callable(summary):
        with contextlib.suppress(ValueError, NotImplementedError):
            card["sentence"] = level_masker(result)(sentence(summary(k)))
    return card
