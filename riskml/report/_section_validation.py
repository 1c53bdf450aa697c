"""Report sections of the external validation of a saved model (``riskml validate``):
the model file as saved, the validation cohort's inputs against the development data,
the input checks, and the recalibration advice (TRIPOD+AI items 7, 12f, 16, 20c, 22
and 27a).

They read what :func:`riskml.deployment.validate_model` computed and put on its result
(``model_file``, ``input_comparison``, ``input_checks``, ``advice``); a study result
has none of these, so they are left out of a study's report.
"""

from __future__ import annotations

import math

import pandas as pd

from ..cohorts import REPORT_MIN_COUNT
from ._common import is_saved_model_validation
from ._format import fmt_count, sentence
from ._section_predictors import predictors_section

__all__ = [
    "PROBLEMS",
    "inputs_section",
    "model_file_rows",
    "recalibration_section",
    "saved_model_predictors_section",
]

#: How the input checks name their problems (``check_inputs``' ``problem`` column).
PROBLEMS = {
    "outside_training_range": "values outside the training range",
    "unseen_level": "levels the model never saw",
    "all_missing": "every value missing",
    "mostly_missing": "mostly missing",
    "unit": "another unit",
    "impossible": "impossible values",
    "binary_codes": "codes other than 0/1",
    "infinite": "infinite values",
    "text": "text in a numeric column",
    "missing_column": "missing input column",
    "horizon": "horizon",
}


def _number(value) -> str:
    """A value of the input profile for a reader (4 significant digits)."""
    if _absent(value):
        return "—"
    number = float(value)
    return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.4g}"


def _absent(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _share(value) -> str:
    if _absent(value):
        return "—"
    return f"{100 * float(value):.1f}%"


def model_file_rows(result) -> list[tuple[str, str]] | None:
    """The model as saved in its file (``result.model_file``, the file's header with
    ``file`` and ``family``): what it predicts, its inputs and what it saw in training,
    as stored. None for a study."""
    if not is_saved_model_validation(result):
        return None
    info = result.model_file
    horizon = info.get("horizon_days")
    kind = info.get("outcome_kind")
    columns = [str(c.get("name")) for c in info.get("columns") or []]
    profile = info.get("inputs") or {}
    rows = [
        ("Model file", str(info.get("file") or "—")),
        (
            "Model family",
            str(
                info.get("family")
                or f"none registered (final estimator {info.get('final_estimator')})"
            ),
        ),
        (
            "Model class",
            f"{info.get('model_class')} (final estimator {info.get('final_estimator')})",
        ),
        (
            "Outcome the model predicts",
            {"binary": "binary", "survival": "time to event"}.get(
                kind, str(kind or "not recorded")
            ),
        ),
        (
            "Horizon stored in the file",
            "none" if horizon is None else f"{float(horizon):g} days",
        ),
        (f"Input columns ({len(columns)})", ", ".join(columns) or "not recorded"),
        ("Schema of the inputs", str(info.get("schema_name") or "none")),
    ]
    if profile:
        rows.append(
            ("Development data (as stored)", f"{fmt_count(profile.get('n_rows'))} patients")
        )
    else:
        rows.append(
            (
                "Development data (as stored)",
                "not stored: the model was saved without cohort=, so the file holds no "
                "training ranges and the inputs could not be checked against them",
            )
        )
    followup = profile.get("followup") or {}
    if followup:
        rows.append(
            (
                "Development follow-up (as stored)",
                f"median {_number(followup.get('median_days'))} days, longest "
                f"{_number(followup.get('max_days'))} days; {fmt_count(followup.get('events'))} "
                "events",
            )
        )
    versions = info.get("versions") or {}
    rows.append(
        (
            "Saved",
            f"{info.get('created_utc') or 'date not recorded'} with riskml "
            f"{versions.get('riskml', 'version not recorded')}, Python {info.get('python', '—')}",
        )
    )
    rows.append(
        (
            "Integrity",
            "SHA-256 digest checked"
            + (
                "; signed (HMAC-SHA256), signature checked with the key given"
                if info.get("signature_hmac_sha256")
                else "; not signed"
            ),
        )
    )
    if info.get("training_rows"):
        rows.append(("Training rows", "the file holds training patients' rows (patient data)"))
    return rows


def _comparison_rows(table: pd.DataFrame) -> list[list[str]]:
    """One row per input: development data as stored against the validation cohort."""
    rows = []
    for record in table.to_dict("records"):
        kind = str(record.get("kind") or "")
        if kind == "binary":
            development = "0/1"
        elif _absent(record.get("training_min")) and _absent(record.get("training_levels")):
            development = "not stored"
        elif kind == "numeric":
            development = (
                f"{_number(record.get('training_min'))} to {_number(record.get('training_max'))}"
                f"; median {_number(record.get('training_median'))}"
            )
        elif kind == "categorical" and not _absent(record.get("training_levels")):
            development = f"{fmt_count(record['training_levels'])} level(s)"
        else:
            development = "—"
        median = record.get("median")
        missing = int(record.get("missing") or 0)
        n = int(record.get("n") or 0)
        if 0 < missing < REPORT_MIN_COUNT:
            shown_missing = f"<{REPORT_MIN_COUNT}"
        else:
            shown_missing = f"{missing:,} ({100 * missing / max(n, 1):.1f}%)"
        unit = str(record.get("unit") or "")
        rows.append(
            [
                str(record["input"]),
                kind + (f" ({unit})" if unit else ""),
                development,
                _share(record.get("training_missing")),
                _number(median),
                shown_missing,
            ]
        )
    return rows


def inputs_section(result) -> dict | None:
    """The validation cohort's inputs against the development data, and what the input
    checks found (values outside the training range, unseen levels, columns left
    empty; what would have made the risks wrong was refused before any metric)."""
    if not is_saved_model_validation(result):
        return None
    comparison = getattr(result, "input_comparison", None)
    checks = getattr(result, "input_checks", None)
    profiled = bool(result.model_file.get("inputs"))
    findings = []
    if isinstance(checks, pd.DataFrame):
        for record in checks.to_dict("records"):
            findings.append(
                (
                    str(record.get("column")),
                    PROBLEMS.get(str(record.get("problem")), str(record.get("problem"))),
                    fmt_count(record.get("rows")) if record.get("rows") else "—",
                    str(record.get("action")),
                    str(record.get("message")),
                )
            )
    strict = bool((result.settings or {}).get("strict", False))
    return {
        "columns": [
            "Input",
            "Type (unit)",
            "Development data: range; median",
            "Development: missing",
            "Validation: median",
            "Validation: missing",
        ],
        "rows": (
            _comparison_rows(comparison)
            if isinstance(comparison, pd.DataFrame) and len(comparison)
            else []
        ),
        "findings": findings,
        "profiled": profiled,
        "strict": strict,
        "min_count": REPORT_MIN_COUNT,
    }


def recalibration_section(result) -> dict | None:
    """The recalibration advice drawn from the external calibration (Van Calster et al.
    2016 hierarchy), as ``validate_model`` gave it."""
    advice = getattr(result, "advice", None)
    if not is_saved_model_validation(result) or not advice:
        return None
    return {"items": [sentence(str(item)) for item in advice]}


def saved_model_predictors_section(result) -> dict:
    """The predictors section of a saved model: the handling read from the fitted
    pipeline, learned on the development data (not inside folds of this cohort)."""
    section = predictors_section(result)
    suffix = "; learned inside each training fold"
    section["handling"] = [
        (
            name,
            text.removesuffix(suffix) + "; learned on the development data, as saved"
            if text.endswith(suffix)
            else text,
        )
        for name, text in section["handling"]
    ]
    return section
