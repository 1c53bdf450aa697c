"""The self-contained HTML report of a study.

:func:`write_report` turns a finished study (a :class:`riskml.study.StudyResult`, or
any object with the same attributes) into one HTML file: CSS inline, figures as
inline base64 PNG, nothing fetched from the network. Numbers are rounded here, at
display time only. Row identifiers are never read: the example patient is named by
its row number.
"""

from __future__ import annotations

import base64
import io
import math
from datetime import UTC, datetime
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd

from ..cohorts import MAX_TABLE_LEVELS, REPORT_MIN_COUNT
from ._figures import check_labels, plot_roc, plot_shap_importance

__all__ = ["write_report"]

REQUIRED_ATTRIBUTES = (
    "summary",
    "predictions",
    "outcome",
    "horizon_days",
    "cohort_summary",
    "cohort_name",
    "cohort_source",
    "models",
    "settings",
    "explanation",
    "patient_index",
)

METRIC_LABELS = {
    "harrell_c": "Harrell's C",
    "concordance_index": "Harrell's C",
    "uno_c": "Uno's C",
    "auc": "AUC",
    "roc_auc": "AUC",
    "brier": "Brier score",
}

SUMMARY_COLUMNS = ("model", "metric", "estimate", "low", "high", "method")
TOP_SHAP = 15
TOP_PATIENT = 10


# --- display formatting (the only place where numbers are rounded) ---------------


def _fmt(value, digits: int = 3) -> str:
    """A number to ``digits`` decimals; missing as an em dash."""
    if value is None:
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "—"
    return f"{number:.{digits}f}"


def _fmt_value(value) -> str:
    """A patient's input value, as a clinician would read it."""
    if value is None or (isinstance(value, Real) and math.isnan(float(value))):
        return "missing"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, Real):
        number = float(value)
        if number.is_integer():
            return str(int(number))
        return f"{number:.2f}".rstrip("0").rstrip(".")
    if pd.isna(value):
        return "missing"
    return str(value)


def _fmt_setting(value, limit: int = 300) -> str:
    if value is None:
        return "none"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sentence(text: str) -> str:
    """``text`` with a capital first letter and no final period (the template adds it)."""
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def _png(fig) -> str:
    """A figure as a base64 PNG (Agg canvas, no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _new_figure(figsize):
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


# --- validation -------------------------------------------------------------------


def _check_result(result):
    missing = [name for name in REQUIRED_ATTRIBUTES if not hasattr(result, name)]
    if missing:
        raise TypeError(
            "write_report needs a StudyResult (or an object with the same attributes); "
            f"{type(result).__name__} lacks {', '.join(missing)}. Pass the object returned "
            "by Study.run()."
        )
    if not isinstance(result.summary, pd.DataFrame) or not set(SUMMARY_COLUMNS) <= set(
        result.summary.columns
    ):
        raise TypeError(
            "result.summary must be a DataFrame with columns "
            f"{', '.join(SUMMARY_COLUMNS)}; got {type(result.summary).__name__}"
            + (
                f" with columns {list(result.summary.columns)}"
                if isinstance(result.summary, pd.DataFrame)
                else ""
            )
            + "."
        )
    if not isinstance(result.predictions, pd.DataFrame):
        raise TypeError(
            "result.predictions must be a DataFrame with one column of out-of-fold risk per "
            f"model; got {type(result.predictions).__name__}."
        )
    n = len(result.outcome)
    if len(result.predictions) != n:
        raise ValueError(
            f"result.predictions has {len(result.predictions)} rows but result.outcome has "
            f"{n}; they must describe the same patients in the same order."
        )
    index = result.patient_index
    if index is not None:
        if isinstance(index, bool) or not isinstance(index, Integral):
            # The value is not quoted: a wrong value here may be an identifier.
            raise TypeError(
                "result.patient_index must be an int, a 0-based row position in the cohort "
                f"(never an identifier), or None; got a {type(index).__name__}."
            )
        if not 0 <= index < n:
            raise ValueError(
                f"result.patient_index must be a row position in [0, {n}); got {index}."
            )


# --- sections ---------------------------------------------------------------------


def _cohort_section(result) -> dict:
    summary = dict(result.cohort_summary or {})
    outcome = result.outcome
    n = int(summary.get("n", len(outcome)))
    events = int(summary.get("events", int(np.sum(outcome.event))))
    rate = summary.get("event_rate", events / n if n else float("nan"))
    rows = [
        ("Patients (n)", f"{n:,}"),
        ("Events", f"{events:,}"),
        ("Event rate", f"{100 * rate:.1f}%"),
        ("Outcome", "time to event" if outcome.is_survival else "binary"),
    ]
    if result.horizon_days is not None:
        rows.append(("Prediction horizon", f"{float(result.horizon_days):g} days"))
    if outcome.is_survival:
        median = summary.get("followup_median_days", float(np.median(outcome.time)))
        low, high = summary.get(
            "followup_iqr_days",
            (float(np.percentile(outcome.time, 25)), float(np.percentile(outcome.time, 75))),
        )
        rows.append(("Follow-up, median (IQR)", f"{median:.0f} days ({low:.0f}–{high:.0f})"))
    if "n_candidates" in summary:
        rows.append(("Candidate predictors", str(summary["n_candidates"])))
    if "events_per_variable" in summary:
        rows.append(("Events per candidate variable", _fmt(summary["events_per_variable"], 1)))

    missing_rows = []
    missing = summary.get("missing")
    if isinstance(missing, pd.DataFrame) and "missing" in missing.columns:
        table = missing[missing["missing"] > 0].copy()
        table["_name"] = table.index.astype(str)
        table = table.sort_values(["missing", "_name"], ascending=[False, True], kind="stable")
        for name, row in table.iterrows():
            percent = row["percent"] if "percent" in table.columns else 100 * row["missing"] / n
            missing_rows.append((str(name), f"{int(row['missing']):,}", f"{percent:.1f}%"))
    return {"rows": rows, "missing": missing_rows, "has_missing_table": missing is not None}


def _metric_label(metric: str, horizon_days) -> str:
    if metric == "auc_at_horizon":
        return "AUC" if horizon_days is None else f"AUC at {float(horizon_days):g} days"
    if metric == "td_auc":
        if horizon_days is None:
            return "time-dependent AUC"
        return f"time-dependent AUC at {float(horizon_days):g} days"
    return METRIC_LABELS.get(metric, metric)


def _table_one_section(result) -> dict | None:
    table = getattr(result, "table_one", None)
    if table is None or len(table) == 0:
        return None
    columns = [str(c) for c in table.columns]
    rows = [
        ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in row]
        for row in table.values
    ]
    return {
        "columns": columns,
        "rows": rows,
        "min_count": REPORT_MIN_COUNT,
        "max_levels": MAX_TABLE_LEVELS,
    }


def _comparison_section(result) -> dict | None:
    table = getattr(result, "comparison", None)
    if table is None or len(table) == 0:
        return None
    rows = []
    for record in table.to_dict("records"):
        rows.append(
            {
                "model": str(record["model"]),
                "metric": METRIC_LABELS.get(str(record["metric"]), str(record["metric"])),
                "difference": _fmt(record["difference"]),
                "low": _fmt(record["low"]),
                "high": _fmt(record["high"]),
                "p_value": _fmt(record["p_value"]),
            }
        )
    reference = str(table["reference"].iloc[0])
    n_boot = int(table["n_boot"].iloc[0])
    return {
        "reference": reference,
        "rows": rows,
        "caption": (
            f"Difference of each model's C-statistic minus {reference}'s, on the same "
            f"{n_boot} bootstrap resamples of the patients (a paired bootstrap, so the "
            "correlation between models is kept); percentile 95% interval and two-sided "
            "p-value from the bootstrap standard error."
        ),
    }


def _calibration_section(result) -> dict | None:
    table = getattr(result, "calibration", None)
    if table is None or len(table) == 0:
        return None
    fig, ax = _new_figure((5.2, 5.2))
    upper = float(np.nanmax(table[["predicted", "observed", "high"]].to_numpy()))
    limit = min(1.0, max(0.05, 1.1 * upper))
    ax.plot([0, limit], [0, limit], color="grey", linestyle="--", linewidth=1, label="ideal")
    for name, group in table.groupby("model", sort=False):
        errors = np.vstack(
            [
                np.clip(group["observed"] - group["low"], 0, None),
                np.clip(group["high"] - group["observed"], 0, None),
            ]
        )
        ax.errorbar(
            group["predicted"],
            group["observed"],
            yerr=errors,
            marker="o",
            markersize=4,
            capsize=2,
            linewidth=1,
            label=str(name),
        )
    ax.set_xlim(0, limit)
    ax.set_ylim(0, limit)
    ax.set_xlabel("Predicted risk (mean in group)")
    ax.set_ylabel("Observed risk")
    ax.legend(loc="upper left", fontsize=8)
    horizon = result.horizon_days
    if result.outcome.is_survival:
        caption = (
            f"Calibration at {float(horizon):g} days: patients in equal-sized groups of each "
            "model's out-of-fold predicted risk (tenths, fewer when events are few); observed "
            "risk is 1 minus the Kaplan-Meier survival in the group (censoring handled), with "
            "95% intervals."
        )
    else:
        caption = (
            "Calibration: patients in equal-sized groups of each model's out-of-fold predicted "
            "risk (tenths, fewer when events are few); observed proportion with exact "
            "(Clopper-Pearson) 95% intervals."
        )
    return {"image": _png(fig), "caption": caption}


def _models_section(result) -> dict:
    descriptions = dict(result.models or {})
    summary = result.summary
    extra = [c for c in ("n", "events") if c in summary.columns]
    rows = []
    for record in summary.to_dict("records"):
        metric = str(record["metric"])
        rows.append(
            {
                "model": str(record["model"]),
                "description": str(descriptions.get(record["model"], "")),
                "metric": _metric_label(metric, result.horizon_days),
                "estimate": _fmt(record["estimate"]),
                "low": _fmt(record["low"]),
                "high": _fmt(record["high"]),
                "method": str(record["method"]),
                "extra": [_fmt_value(record[c]) for c in extra],
            }
        )
    confidence = (result.settings or {}).get("confidence", 0.95)
    return {
        "rows": rows,
        "extra_columns": extra,
        "ci_label": f"{100 * float(confidence):g}% CI",
    }


def _roc_section(result) -> dict:
    outcome = result.outcome
    n = len(outcome)
    horizon = result.horizon_days
    if outcome.is_survival and horizon is not None:
        labels = outcome.at_horizon(float(horizon))
        evaluable = int(np.sum(~np.isnan(labels)))
        caption = (
            f"ROC curves of the out-of-fold predictions against the outcome by {horizon:g} "
            f"days (event at or before the horizon). Restricted to the {evaluable:,} of "
            f"{n:,} patients evaluable at the horizon: patients censored before "
            f"{horizon:g} days without an event are excluded, not counted as event-free."
        )
    elif outcome.is_survival:
        labels = outcome.event.astype(float)
        caption = (
            f"ROC curves of the out-of-fold predictions against the event indicator over "
            f"the whole follow-up ({n:,} patients; follow-up time and censoring are ignored "
            "here, see Harrell's C in the table for the time-to-event comparison)."
        )
    else:
        labels = outcome.event.astype(float)
        caption = (
            f"ROC curves of the out-of-fold predictions against the binary outcome "
            f"({n:,} patients)."
        )
    labels = check_labels(labels)
    usable = result.predictions.loc[:, result.predictions.notna().any()]
    known = labels[~np.isnan(labels)]
    if usable.shape[1] == 0 or np.unique(known).size < 2:
        return {"image": None, "caption": caption + " Not drawn: only one outcome class."}
    fig, ax = _new_figure((5.2, 5.2))
    plot_roc(labels, usable, ax=ax)
    return {"image": _png(fig), "caption": caption}


def _shap_scale(explanation) -> str:
    """The scale of the SHAP values: log-hazard for survival:cox, else log-odds."""
    objective = str(getattr(explanation, "objective", ""))
    return "log relative hazard" if objective.startswith("survival:") else "log-odds"


def _shap_section(explanation) -> dict | None:
    if explanation is None:
        return None
    importance = explanation.global_importance()
    if importance.empty:
        return {
            "image": None,
            "scale": _shap_scale(explanation),
            "caption": "All SHAP values are zero: the model is constant.",
        }
    shown = min(TOP_SHAP, len(importance))
    fig, ax = _new_figure((6.0, 0.9 + 0.32 * shown))
    plot_shap_importance(importance, ax=ax, top=TOP_SHAP)
    return {
        "image": _png(fig),
        "scale": _shap_scale(explanation),
        "caption": (
            f"Mean absolute SHAP value per input column over {len(explanation.values):,} "
            f"patients ({_shap_scale(explanation)} scale; top {shown} of {len(importance)} "
            "columns used by "
            "the model). One-hot levels and missing indicators are summed into the column "
            "they come from."
        ),
    }


def _patient_section(result) -> dict | None:
    k = result.patient_index
    if k is None:
        return None
    k = int(k)
    predictions = result.predictions.iloc[k]
    risks = [(str(name), _fmt(value)) for name, value in predictions.items()]
    card = {"row": k, "risks": risks, "contributions": None, "note": None}
    explanation = result.explanation
    if explanation is None:
        card["note"] = "No SHAP explanation was computed for this study."
        return card
    try:
        table = explanation.patient(k)
    except ValueError:
        card["note"] = (
            "This patient was not in the rows explained (the explanation was computed on a "
            "subsample)."
        )
        return card
    card["contributions"] = [
        (str(row.feature), _fmt_value(row.value), f"{row.contribution:+.3f}")
        for row in table.head(TOP_PATIENT).itertuples(index=False)
    ]
    card["n_features"] = len(table)
    card["base_value"] = _fmt(explanation.base_value)
    card["scale"] = _shap_scale(explanation)
    card["explained_risk"] = None
    if str(getattr(explanation, "objective", "")).startswith("binary:"):
        card["explained_risk"] = _fmt(explanation.patient_risk(k))
    return card


def _methods_section(result) -> dict:
    settings = dict(result.settings or {})
    names = [str(name) for name in result.predictions.columns]
    framingham = []
    descriptions = dict(result.models or {})
    for name in names:
        if "framingham" in name.lower():
            description = descriptions.get(name, "")
            if "recalibrat" in name.lower():
                text = (
                    "the published coefficients are kept and the score is recalibrated to "
                    "this cohort inside each training fold, so the test fold never informs "
                    "the recalibration"
                )
            else:
                text = "the published score is applied as is, with no fitting to this cohort"
            framingham.append((name, _sentence(str(description)) if description else "", text))
    selection = settings.get("selection")
    if selection is None:
        selection = "none: every candidate predictor entered each model"
    return {
        "validation": _sentence(_fmt_setting(settings.get("validation", "not recorded"))),
        "selection": _sentence(_fmt_setting(selection)),
        "framingham": framingham,
        "survival": result.outcome.is_survival,
    }


def _context(result) -> dict:
    import riskml

    settings = dict(result.settings or {})
    return {
        "title": f"Risk model report: {result.cohort_name}",
        "cohort_name": str(result.cohort_name),
        "cohort_source": str(result.cohort_source or ""),
        "version": riskml.__version__,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "random_state": _fmt_setting(settings.get("random_state")),
        "settings": [(str(k), _fmt_setting(v)) for k, v in settings.items()],
        "cohort": _cohort_section(result),
        "models": _models_section(result),
        "roc": _roc_section(result),
        "comparison": _comparison_section(result),
        "table_one": _table_one_section(result),
        "calibration": _calibration_section(result),
        "shap": _shap_section(result.explanation),
        "patient": _patient_section(result),
        "methods": _methods_section(result),
    }


def render_report(result) -> str:
    """The report of ``result`` as an HTML string (see :func:`write_report`)."""
    import jinja2

    _check_result(result)
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("riskml.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("report.html").render(**_context(result))


def write_report(result, path) -> Path:
    """Write the self-contained HTML report of a study.

    Parameters
    ----------
    result : riskml.study.StudyResult
        Or any object with the attributes ``summary`` (DataFrame: model, metric,
        estimate, low, high, method; optionally n, events), ``predictions``
        (DataFrame, one column of out-of-fold risk per model, rows in cohort order),
        ``outcome`` (:class:`riskml.Outcome`), ``horizon_days`` (float or None),
        ``cohort_summary`` (dict from :meth:`riskml.Cohort.describe`),
        ``cohort_name``, ``cohort_source``, ``models`` (dict: name → one-line
        description), ``settings`` (dict: validation, selection, random_state, ...;
        optionally ``confidence``), ``explanation``
        (:class:`riskml.explain.ShapExplanation` or None) and ``patient_index``
        (0-based row position of the example patient, or None).
    path : str or path-like
        Where to write the file; missing parent folders are created.

    Returns
    -------
    path : pathlib.Path
        The path written.

    Notes
    -----
    The file needs no network: CSS is inline and figures are base64 PNG data URIs
    drawn with matplotlib's Agg canvas. All text from ``result`` is HTML-escaped.
    Identifiers are never read: the example patient is shown as "row k of the
    cohort", and the index of ``predictions`` is ignored. Numbers are rounded to 3
    decimals for display only.

    Examples
    --------
    >>> result = study.run()  # doctest: +SKIP
    >>> write_report(result, "report.html")  # doctest: +SKIP
    PosixPath('report.html')
    """
    html = render_report(result)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
