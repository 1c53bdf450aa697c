"""The model specification section: what each fitted pipeline holds (penalties,
coefficients, published scores, fit issues; TRIPOD+AI item 12).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..cohorts import MAX_TABLE_LEVELS, REPORT_MIN_COUNT
from ._common import (
    TOP_COEFFICIENTS,
    _final,
    _reference_text,
    _step,
    hidden_levels,
    is_saved_model_validation,
    level_masker,
)
from ._format import (
    fmt,
    fmt_ci,
    fmt_count,
    fmt_number,
    fmt_p,
    fmt_setting,
    fmt_value,
    outcome_words,
)
from ._section_predictors import reference_levels
from ._section_validation import model_file_rows

# --- model specification -------------------------------------------------------------


def _params(estimator) -> list[tuple[str, str]]:
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # noqa: BLE001 - display only
        return []
    return [(str(k), fmt_setting(v, 120)) for k, v in sorted(params.items())]


def describe_penalty(final) -> str | None:
    """The penalty the fitted model used, named and formatted for a reader.

    Reads the fitted value (``penalizer_used_`` of a Cox model, ``penalizer_`` of a
    LASSO Cox, ``C_`` of a logistic or LASSO model), never the requested one: an
    unpenalised Cox fit that met separation is refitted with a small ridge, and a
    penalty chosen by inner cross-validation is known only after the fit. None when
    the model has no penalty to report.
    """
    l1 = getattr(final, "l1_ratio", None)
    if getattr(final, "penalizer_used_", None) is not None:
        used = float(final.penalizer_used_)
        if used == 0:
            return "none (unpenalised partial likelihood)"
        text = f"{_penalty_kind(l1)} penalty λ = {fmt_number(used)} (lifelines penalizer)"
        requested = getattr(final, "penalizer", used)
        if requested is not None and float(requested) != used:
            text += (
                f", not the {fmt_number(requested)} requested: the requested fit failed "
                "(see the fit issues above)"
            )
        return text
    if getattr(final, "penalizer_", None) is not None:
        text = (
            f"{_penalty_kind(1.0 if l1 is None else l1)} penalty λ = "
            f"{fmt_number(final.penalizer_)} (lifelines penalizer"
        )
        cv = getattr(final, "cv", None)
        if cv:
            text += f"; chosen by {cv}-fold cross-validation on Harrell's C"
        return text + ")"
    C = getattr(final, "C_", None)
    if C is None:
        return None
    C = float(C)
    if math.isinf(C):
        return "none (maximum likelihood)"
    penalty = getattr(final, "penalty", None)
    if penalty == "l2":
        kind = "ridge (L2)"
    elif penalty == "l1" or getattr(final, "Cs_", None) is not None:
        kind = "LASSO (L1)"
    else:
        kind = str(penalty or "")
    text = f"{kind} inverse penalty C = {fmt_number(C)} (λ = 1/C = {fmt_number(1 / C)}".strip()
    cv = getattr(final, "cv", None)
    if cv:
        text += f"; chosen by {cv}-fold cross-validation on AUC"
    return text + ")"


def _penalty_kind(l1_ratio) -> str:
    l1 = float(l1_ratio or 0.0)
    if l1 == 0:
        return "ridge (L2)"
    if l1 == 1:
        return "LASSO (L1)"
    return f"elastic-net (L1 share {l1:g})"


def _unpenalised(final) -> bool:
    used = getattr(final, "penalizer_used_", None)
    return used is not None and float(used) == 0.0


def _one_hot_levels(prep) -> dict:
    """Model column -> (input column, level) for the one-hot columns of ``prep``."""
    levels = getattr(prep, "levels_", None)
    if not isinstance(levels, dict):
        return {}
    return {
        f"{column}_{level}": (str(column), level)
        for column, values in levels.items()
        for level in values
    }


def _hazard_ratios(pipeline, final) -> bool:
    """Whether the model's exponentiated coefficients are hazard ratios (else odds
    ratios): its family's specification says so, or a model of no family its outcome."""
    from ..models import model_spec

    spec = model_spec(pipeline)
    if spec is not None and spec.coefficients:
        return spec.coefficients == "hazard_ratio"
    return getattr(final, "outcome_kind", "") == "survival"


def _coefficients(pipeline, outcome, hidden=None) -> dict | None:
    """The coefficient table of a fitted pipeline; the levels in ``hidden`` (input column
    -> levels that Table 1 does not list) are summarised in one row per column."""
    hidden = hidden or {}
    final = _final(pipeline)
    coef = getattr(final, "coef_", None)
    if coef is None or getattr(final, "impute_values_", None) is not None:
        return None
    try:
        coef = pd.Series(np.ravel(np.asarray(coef, dtype=float)), index=_coef_index(final, coef))
    except (TypeError, ValueError):
        return None
    prep = _step(pipeline, "preprocess")
    scaled = bool(getattr(prep, "scale", False))
    numeric = set(getattr(prep, "numeric_columns_", []) or [])
    references = reference_levels(prep)
    one_hot = _one_hot_levels(prep)
    survival = _hazard_ratios(pipeline, final)
    ratio = "hazard ratio" if survival else "odds ratio"
    # Wald 95% CIs and p-values where the model has them and they mean what they
    # say: an unpenalised Cox fit (CoxPH.summary, as R's summary(coxph(...))).
    inference = None
    table = getattr(final, "summary", None) if _unpenalised(final) else None
    if isinstance(table, pd.DataFrame) and {"hr_low", "hr_high", "p"} <= set(table.columns):
        inference = table.set_axis([str(c) for c in table.index])
    shown = coef[coef != 0]
    shown = shown.reindex(shown.abs().sort_values(ascending=False, kind="stable").index)
    shown, unlisted = _set_aside_unlisted(shown, one_hot, hidden)
    units = {
        "numeric": numeric,
        "scaled": scaled,
        "one_hot": one_hot,
        "references": references,
        "hidden": hidden,
        "drop_first": bool(getattr(prep, "drop_first", False)),
        # restricted cubic splines ("age", "age'", "age''"): the model's own terms
        "splines": {str(c).rstrip("'") for c in coef.index if str(c).endswith("'")},
    }
    rows = [
        _coefficient_row(str(column), value, inference, units)
        for column, value in shown.head(TOP_COEFFICIENTS).items()
    ]
    rows += [_unlisted_row(source, values, inference) for source, values in unlisted.items()]
    intercept = getattr(final, "intercept_", None)
    penalty = describe_penalty(final)
    return {
        "ratio": ratio,
        "inference": inference is not None,
        "rows": rows,
        "n_zero": int((coef == 0).sum()),
        "n_total": len(coef),
        "intercept": None if intercept is None else f"{float(intercept):+.3f}",
        "penalty": penalty,
        "penalised": penalty is not None and not penalty.startswith("none"),
        "no_inference": (
            "No 95% CIs or p-values: the fit is penalised, and the Wald intervals of a "
            "penalised fit ignore its shrinkage"
            if survival and inference is None
            else None
        ),
        "scaled": scaled,
        "truncated": len(shown) > TOP_COEFFICIENTS,
    }


def _set_aside_unlisted(shown: pd.Series, one_hot: dict, hidden: dict):
    """The coefficients to list, and ``{input column: coefficients}`` of the levels
    that Table 1 does not list (summarised, never named)."""
    unlisted = {}
    keep = []
    for column, value in shown.items():
        source = one_hot.get(str(column))
        is_unlisted = source is not None and str(source[1]) in hidden.get(source[0], ())
        if is_unlisted:
            unlisted.setdefault(source[0], []).append(float(value))
        keep.append(not is_unlisted)
    return shown[np.asarray(keep, dtype=bool)], unlisted


def _coefficient_unit(column: str, units: dict) -> str:
    """What one unit of a coefficient's column is (per SD, a level vs the reference...)."""
    one_hot, references = units["one_hot"], units["references"]
    base = column.rstrip("'")
    if base in units.get("splines", ()):
        # a spline's terms act together: no single term is an effect per unit
        part = "linear" if base == column else f"non-linear ({len(column) - len(base)})"
        return (
            f"{part} term of the restricted cubic spline of {base}: the terms act together, "
            "so its ratio is not an effect per unit (see the model's partial-effect plot "
            "and its test of non-linearity)"
        )
    if column in units["numeric"]:
        return "per SD of the standardised input" if units["scaled"] else "per unit of the input"
    if column.endswith("_missing"):
        return "missing vs observed"
    if column in one_hot and one_hot[column][0] in references:
        source, level = one_hot[column]
        reference = _reference_text(source, references[source], units["hidden"])
        return f"{source} {fmt_value(level)} vs {reference} (reference)"
    if units["drop_first"]:
        return "level vs the reference level left out (one-hot)"
    return "level present vs absent (one-hot)"


def _coefficient_row(column: str, value: float, inference, units: dict) -> tuple:
    # a coefficient per unit of a large-valued input (platelets per mL) is tiny
    shown_coef = f"{value:+.3f}" if abs(value) >= 5e-4 else f"{value:+.2e}"
    row = [column, shown_coef, fmt(math.exp(value))]
    if inference is not None:
        if column in inference.index:
            record = inference.loc[column]
            row += [fmt_ci(record["hr_low"], record["hr_high"]), fmt_p(record["p"])]
        else:
            row += ["—", "—"]
    return (*row, _coefficient_unit(column, units))


def _unlisted_row(source: str, values: list, inference) -> tuple:
    low, high = min(values), max(values)
    row = [
        f"{source} ({len(values)} level{'s' if len(values) > 1 else ''} not listed)",
        f"{low:+.3f} to {high:+.3f}",
        f"{fmt(math.exp(low))} to {fmt(math.exp(high))}",
    ]
    if inference is not None:
        row += ["—", "—"]
    return (
        *row,
        "levels that Table 1 does not list (seen in fewer than "
        f"{REPORT_MIN_COUNT} patients, or one of more than {MAX_TABLE_LEVELS} levels), "
        "each vs the reference: not named, so that no rare value is printed",
    )


def _coef_index(final, coef):
    if isinstance(coef, pd.Series):
        return [str(c) for c in coef.index]
    names = getattr(final, "feature_names_in_", None)
    if names is None:
        return [f"x{i}" for i in range(np.size(coef))]
    return [str(c) for c in names]


def _framingham(pipeline, horizon) -> dict | None:
    final = _final(pipeline)
    if not hasattr(final, "recalibration_"):
        return None
    from ..models.scores import EQUATIONS

    equation = EQUATIONS.get(getattr(final, "model", ""), None)
    ages = getattr(equation, "age_range", None)
    rows = [
        ("Published equation", str(getattr(final, "model", ""))),
        ("Form", "risk = 1 - S0 ^ exp(sum(beta x) - mean), sex-specific coefficients"),
    ]
    if ages is not None:
        rows.append(("Derivation ages", f"{ages[0]:g}–{ages[1]:g} years"))
    method = final.recalibration_
    if method is None:
        rows.append(("Recalibration", "none: published 10-year baseline and means"))
    elif method == "km":
        rows.append(
            (
                "Recalibration",
                "Kaplan-Meier baseline survival of the training cohort at the horizon and "
                "the cohort's mean linear predictor, per sex (D'Agostino 2001); coefficients "
                "kept as published; refitted inside each training fold",
            )
        )
        for sex, value in sorted((getattr(final, "baseline_survival_", None) or {}).items()):
            rows.append((f"Baseline survival S0 at the horizon ({sex})", fmt(value, 4)))
        for sex, value in sorted((getattr(final, "mean_linear_predictor_", None) or {}).items()):
            rows.append((f"Mean linear predictor ({sex})", fmt(value, 4)))
    else:
        rows.append(
            (
                "Recalibration",
                "logistic: risk = expit(a + b logit(published risk)); refitted inside each "
                "training fold",
            )
        )
        rows.append(("Intercept a", fmt(getattr(final, "calibration_intercept_", None))))
        rows.append(("Slope b", fmt(getattr(final, "calibration_slope_", None))))
    if getattr(final, "horizon_", None) is not None:
        rows.append(("Horizon of the risks", f"{float(final.horizon_):g} days"))
    return {"rows": rows}


def _fit_issue_records(result, name=None) -> list[dict]:
    """The rows of ``result.fit_issues`` (all, or one model's); [] when every fit was clean."""
    table = getattr(result, "fit_issues", None)
    if not isinstance(table, pd.DataFrame) or len(table) == 0:
        return []
    records = table.to_dict("records")
    return [r for r in records if name is None or str(r.get("model")) == str(name)]


def _issue_text(issue) -> str:
    text = str(issue).strip()
    return text if text.endswith(".") else text + "."


def _fit_issue_count(record) -> str:
    """ "3 of 11 fits, including the whole-cohort fit ..." for one row of fit_issues."""
    counts = f"{fmt_count(record.get('fits'))} of {fmt_count(record.get('of'))} fits"
    if bool(record.get("whole_cohort", False)):
        return counts + ", including the whole-cohort fit that is reported, explained and deployed"
    return counts + "; not the whole-cohort fit"


def _whole_cohort_issues(pipeline) -> list[str]:
    """The sentences the whole-cohort fit recorded (``fit_issues_``), if it records them."""
    found = []
    for holder in (pipeline, _final(pipeline)):
        issues = getattr(holder, "fit_issues_", None)
        if isinstance(issues, str):
            issues = [issues]
        for issue in issues or []:
            if str(issue) not in found:
                found.append(str(issue))
    return found


def fit_issue_items(result, name, pipeline=None) -> list[str]:
    """One line per fit issue of model ``name``: its counts, then the sentence (a model
    column of a level that Table 1 does not list is not named)."""
    items, seen = [], set()
    mask = level_masker(result)
    for record in _fit_issue_records(result, name):
        items.append(f"{_fit_issue_count(record)}: {mask(_issue_text(record['issue']))}")
        seen.add(str(record["issue"]).strip())
    if pipeline is not None:
        for issue in _whole_cohort_issues(pipeline):
            if issue.strip() not in seen:
                items.append(f"the whole-cohort fit: {mask(_issue_text(issue))}")
    return items


def _description(result, name, has_issues: bool) -> str:
    text = outcome_words((result.models or {}).get(name, ""), result.outcome)
    # The study appends the summary's fit-issue note; the report lists the issues itself.
    if has_issues and " Fit issues: " in text:
        text = text[: text.index(" Fit issues: ")]
    return text


def specification_section(result) -> dict:
    fitted = getattr(result, "fitted_models", None) or {}
    hidden = hidden_levels(result)
    mask = level_masker(result)
    models = []
    for name in [str(c) for c in result.predictions.columns]:
        pipeline = fitted.get(name)
        issues = fit_issue_items(result, name, pipeline)
        entry = {
            "name": name,
            "description": mask(_description(result, name, bool(issues))),
            "steps": None,
            "params": [],
            "coefficients": None,
            "framingham": None,
            "references": [],
            "fit_issues": issues,
        }
        if pipeline is not None:
            steps = getattr(pipeline, "steps", None)
            if steps:
                entry["steps"] = " → ".join(f"{k} ({type(v).__name__})" for k, v in steps)
            entry["params"] = _params(_final(pipeline))
            entry["coefficients"] = _coefficients(pipeline, result.outcome, hidden)
            entry["framingham"] = _framingham(pipeline, result.horizon)
            entry["references"] = [
                (str(k), _reference_text(k, v, hidden))
                for k, v in reference_levels(_step(pipeline, "preprocess")).items()
            ]
        models.append(entry)
    return {
        "models": models,
        "fitted": bool(fitted),
        "model_file": model_file_rows(result),
        "saved": is_saved_model_validation(result),
    }
