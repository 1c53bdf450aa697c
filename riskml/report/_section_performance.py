"""Report sections on performance: the summary table, discrimination, calibration,
overall performance, clinical utility, optimism, stability, external validation,
subgroups and the comparison of models (TRIPOD+AI items 12 and 23).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import NET_BENEFIT_THRESHOLDS, _table, predictions_words, risk_words
from ._figures import check_labels, draw_decision_curve, plot_roc
from ._format import (
    fmt,
    fmt_ci,
    fmt_count,
    fmt_metric,
    fmt_metric_ci,
    fmt_value,
    metric_label,
    new_figure,
    png,
    sentence,
)
from ._section_specification import _fit_issue_records

# --- performance ---------------------------------------------------------------------


def _summary_value(summary, model, metric):
    rows = summary[(summary["model"] == model) & (summary["metric"] == metric)]
    return None if rows.empty else rows.iloc[0]


def interval_method(record) -> str:
    """How a summary row's interval was computed: its ``method``, with the resamples."""
    method = str(record.get("method", "") or "")
    n_boot = record.get("n_boot")
    lowered = method.lower()
    if (
        "bootstrap" in lowered
        and "resample" not in lowered
        and "replicate" not in lowered
        and n_boot is not None
        and not pd.isna(n_boot)
        and int(n_boot) > 0
    ):
        method += f", {int(n_boot):,} resamples"
    return method


def interval_methods(result, metrics=None) -> list[tuple[str, list[str]]]:
    """Each interval method of the summary with the metrics it served, in table order."""
    summary = result.summary
    if metrics is not None:
        summary = summary[summary["metric"].isin(list(metrics))]
    served: dict = {}
    for record in summary.to_dict("records"):
        label = metric_label(str(record["metric"]), result.outcome, result.horizon)
        served.setdefault(interval_method(record), [])
        if label not in served[interval_method(record)]:
            served[interval_method(record)].append(label)
    return list(served.items())


def performance_section(result) -> dict:
    summary = result.summary
    confidence = (result.settings or {}).get("confidence", 0.95)
    extra = [c for c in ("n", "events") if c in summary.columns]
    optimism = "corrected" in summary.columns
    models = []
    for name in dict.fromkeys(summary["model"].astype(str)):
        rows = []
        for record in summary[summary["model"].astype(str) == name].to_dict("records"):
            row = {
                "metric": metric_label(str(record["metric"]), result.outcome, result.horizon),
                "estimate": fmt_metric(record["estimate"], record["metric"], result.outcome),
                "ci": fmt_metric_ci(
                    record["low"], record["high"], record["metric"], result.outcome
                ),
                "method": interval_method(record),
                "extra": [fmt_value(record[c]) for c in extra],
                "small": bool(record.get("small_data", False)),
            }
            if optimism:
                for column in ("optimism", "corrected"):
                    row[column] = fmt_metric(record.get(column), record["metric"], result.outcome)
            rows.append(row)
        issues = _fit_issue_records(result, name)
        models.append(
            {
                "name": name,
                "rows": rows,
                "fit_issues": (
                    f"{len(issues)} fit issue(s) of {name}: "
                    + "; ".join(
                        f"{fmt_count(r.get('fits'))} of {fmt_count(r.get('of'))} fits"
                        + (" (whole-cohort fit included)" if r.get("whole_cohort") else "")
                        for r in issues
                    )
                    if issues
                    else None
                ),
            }
        )
    return {
        "models": models,
        "extra_columns": [
            {
                "n": "Patients",
                "events": "Events"
                + (" (by the horizon for metrics at it)" if result.horizon is not None else ""),
            }.get(c, c)
            for c in extra
        ],
        "optimism": optimism,
        "ci_label": f"{100 * float(confidence):g}% CI",
    }


def _evaluable_weights(outcome, horizon, censoring_weights="before"):
    """Labels and IPCW weights of the cumulative/dynamic ROC at ``horizon``, with the
    study's weighting convention (so the curve's area is the table's td_auc)."""
    from ..evaluation import competing_ipcw_weights, ipcw_weights

    if outcome.is_competing:  # competing events by the horizon are controls
        return competing_ipcw_weights(
            outcome.time,
            outcome.event_type,
            float(horizon),
            censoring_weights=censoring_weights,
        )
    return ipcw_weights(
        outcome.time, outcome.event, float(horizon), censoring_weights=censoring_weights
    )


def discrimination_section(result) -> dict:
    outcome = result.outcome
    n = len(outcome)
    horizon = result.horizon
    summary = result.summary
    weights = None
    metric = None
    if outcome.is_survival and horizon is not None:
        labels, weights = _evaluable_weights(
            outcome, horizon, (result.settings or {}).get("censoring_weights", "before")
        )
        evaluable = int(np.sum(~np.isnan(labels)))
        metric = "td_auc"
        caption = (
            f"Time-dependent ROC curves at {horizon:g} days (cumulative cases: event at or "
            "before the horizon; dynamic controls: follow-up reaching the horizon without an "
            f"event) of the {predictions_words(result)}. Restricted to the "
            f"{evaluable:,} of {n:,} patients evaluable at the horizon: patients censored "
            f"before {horizon:g} days without an event are excluded, not counted as "
            "event-free; cases are weighted by the inverse probability of censoring (Uno et "
            "al. 2007), so the area under each curve is the time-dependent AUC of the "
            "performance table, the number in the legend."
        )
        if outcome.is_competing:
            caption += (
                " Cases have the event of interest by the horizon; controls include the "
                "patients with a competing event first, weighted by the inverse probability "
                "of censoring at their event (Blanche et al. 2013)."
            )
        name = "td AUC"
    elif outcome.is_survival:
        labels = outcome.event.astype(float)
        caption = (
            f"ROC curves of the {predictions_words(result)} against the event indicator over "
            f"the whole follow-up ({n:,} patients; follow-up time and censoring are ignored "
            "here, so the area is not a reported metric: see Harrell's C in the performance "
            "table for the time-to-event comparison)."
        )
        name = "area"
    else:
        labels = outcome.event.astype(float)
        metric = "auc"
        caption = (
            f"ROC curves of the {predictions_words(result)} against the binary outcome "
            f"({n:,} patients); the legend shows each model's AUC from the performance table."
        )
        name = "AUC"
    labels = check_labels(labels)
    usable = result.predictions.loc[:, result.predictions.notna().any()]
    known = labels[~np.isnan(labels)]
    legend_values = {}
    if metric is not None:
        for model in usable.columns:
            row = _summary_value(summary, str(model), metric)
            if row is not None and not pd.isna(row["estimate"]):
                legend_values[model] = float(row["estimate"])
    if metric is not None and len(legend_values) < usable.shape[1]:
        caption += (
            f" Models without a {metric} row in the table show the area under the drawn curve."
        )
    if usable.shape[1] == 0 or np.unique(known).size < 2:
        return {
            "image": None,
            "caption": caption + " Not drawn: only one outcome class.",
            "legend": [],
        }
    fig, ax = new_figure((5.2, 5.2))
    plot_roc(
        labels, usable, ax=ax, sample_weight=weights, legend_values=legend_values, metric_name=name
    )
    legend = [text for text in ax.get_legend_handles_labels()[1] if not text.startswith("_")]
    return {"image": png(fig), "caption": caption, "legend": legend}


def _metric_table(result, section: str) -> dict | None:
    """The summary's metrics of one report ``section`` (the registry's grouping, in
    its order) as a table of models by metrics."""
    from ..evaluation import registered_metrics

    summary = result.summary
    metrics = [m.name for m in registered_metrics(result.outcome.kind, section=section)]
    chosen = [m for m in metrics if m in set(summary["metric"])]
    if not chosen:
        return None
    rows = []
    for model in dict.fromkeys(summary["model"].astype(str)):
        cells = [model]
        for metric in chosen:
            row = _summary_value(summary, model, metric)
            if row is None:
                cells.append("—")
            else:
                interval = fmt_metric_ci(row["low"], row["high"], metric, result.outcome)
                estimate = fmt_metric(row["estimate"], metric, result.outcome)
                cells.append(estimate + ("" if interval == "—" else f" ({interval})"))
        rows.append(cells)
    columns = ["Model"]
    for metric in chosen:
        methods = [method for method, _ in interval_methods(result, [metric])]
        columns.append(
            f"{metric_label(metric, result.outcome, result.horizon)} "
            f"(95% CI: {'; '.join(methods) or 'none'})"
        )
    return {"columns": columns, "rows": rows}


def calibration_section(result) -> dict | None:
    table = getattr(result, "calibration", None)
    numbers = _metric_table(result, "calibration")
    if (table is None or len(table) == 0) and numbers is None:
        return None
    image = None
    if table is not None and len(table):
        fig, ax = new_figure((5.2, 5.2))
        columns = [c for c in ("predicted", "observed", "high") if c in table.columns]
        upper = float(np.nanmax(table[columns].to_numpy()))
        limit = min(1.0, max(0.05, 1.1 * upper))
        ax.plot([0, limit], [0, limit], color="grey", linestyle="--", linewidth=1, label="ideal")
        band = {"low", "high"} <= set(table.columns)
        for name, group in table.groupby("model", sort=False):
            group = group.sort_values("predicted")
            (line,) = ax.plot(
                group["predicted"],
                group["observed"],
                marker="o",
                markersize=4,
                linewidth=1,
                label=str(name).replace("$", r"\$").lstrip("_") or "model",
            )
            if band:
                ax.fill_between(
                    group["predicted"],
                    group["low"],
                    group["high"],
                    color=line.get_color(),
                    alpha=0.15,
                    linewidth=0,
                )
        ax.set_xlim(0, limit)
        ax.set_ylim(0, limit)
        ax.set_xlabel("Predicted risk (mean in group)")
        ax.set_ylabel("Observed risk")
        ax.legend(loc="upper left", fontsize=8)
        image = png(fig)
    horizon = result.horizon
    if result.outcome.is_competing:
        caption = (
            f"Calibration at {float(horizon):g} days: patients grouped at the tenths of each "
            f"model's {risk_words(result)} (fewer groups when events are few or risks are "
            "tied); observed risk is the Aalen-Johansen cumulative incidence of the event of "
            "interest in the group, competing events not censored (Gerds et al. 2014)."
        )
    elif result.outcome.is_survival:
        caption = (
            f"Calibration at {float(horizon):g} days: patients grouped at the tenths of each "
            f"model's {risk_words(result)} (fewer groups when events are few or risks are "
            "tied: tied risks share a group, and no group is empty); observed "
            "risk is 1 minus the Kaplan-Meier survival in the group (censoring handled); the "
            "shaded band joins the groups' 95% intervals."
        )
    else:
        caption = (
            f"Calibration: patients grouped at the tenths of each model's {risk_words(result)} "
            "(fewer groups when events are few or risks are tied: tied risks share a "
            "group, and no group is empty); observed proportion, with the shaded "
            "band joining the groups' exact (Clopper-Pearson) 95% intervals."
        )
    return {"image": image, "caption": caption, "numbers": numbers}


def overall_section(result) -> dict | None:
    numbers = _metric_table(result, "overall")
    if numbers is None:
        return None
    ipcw = " (IPCW at the horizon)" if result.outcome.is_survival else ""
    null = (
        "everyone the Kaplan-Meier risk of the event by the horizon"
        if result.outcome.is_survival
        else "everyone the event rate"
    )
    if result.outcome.is_competing:
        null = (
            "everyone the Aalen-Johansen cumulative incidence of the event of interest by "
            "the horizon (a competing event counting as a non-event)"
        )
    return {
        "numbers": numbers,
        "caption": (
            f"Brier score{ipcw}: mean squared difference between predicted risk and outcome "
            "(lower is better). IPA, the index of prediction accuracy: 1 minus the Brier score "
            f"over that of the null model predicting {null} (higher is better; 0 = no "
            "better than that null model)."
        ),
    }


def clinical_utility_section(result) -> dict | None:
    table = getattr(result, "decision_curve", None)
    if table is None or len(table) == 0:
        return None
    fig, ax = new_figure((6.0, 4.2))
    names = list(dict.fromkeys(table["model"].astype(str)))
    draw_decision_curve(table, ax)
    thresholds = np.sort(table["threshold"].unique())
    chosen = []
    for wanted in NET_BENEFIT_THRESHOLDS:
        if len(thresholds) and np.min(np.abs(thresholds - wanted)) < 1e-9:
            chosen.append(float(wanted))
    rows = []
    for name in names:
        group = table[table["model"].astype(str) == name]
        cells = [name]
        for threshold in chosen:
            value = group.loc[np.isclose(group["threshold"], threshold), "net_benefit"]
            cells.append(fmt(value.iloc[0]) if len(value) else "—")
        rows.append(cells)
    horizon = result.horizon
    by = f" by {float(horizon):g} days" if result.outcome.is_survival else ""
    return {
        "image": png(fig),
        "columns": ["Model"] + [f"{100 * t:g}%" for t in chosen],
        "rows": rows,
        "caption": (
            f"Decision curve (Vickers & Elkin 2006): net benefit of treating the patients "
            f"whose {risk_words(result)}{by} exceeds the threshold, against treating "
            "everyone (treat all) and no one (treat none, net benefit 0)."
            + (
                (
                    " Events of interest by the horizon are estimated with the Aalen-Johansen "
                    "cumulative incidence (competing events not censored)."
                    if result.outcome.is_competing
                    else " Events by the horizon are estimated with Kaplan-Meier."
                )
                if by
                else ""
            )
        ),
    }


def optimism_section(result) -> dict | None:
    table = getattr(result, "optimism", None)
    if not isinstance(table, pd.DataFrame) or len(table) == 0:
        return None
    table = table.copy()
    for column in ("apparent", "optimism", "corrected"):
        if column in table.columns:
            table[column] = [
                fmt_metric(value, metric, result.outcome)
                for value, metric in zip(table[column], table["metric"], strict=True)
            ]
    table["metric"] = [metric_label(m, result.outcome, result.horizon) for m in table["metric"]]
    columns = ["model", "metric"] + [
        c for c in ("apparent", "optimism", "corrected", "n_boot") if c in table.columns
    ]
    methods = list(dict.fromkeys(table["method"])) if "method" in table.columns else []
    notes = [_OPTIMISM_NOTES[m] for m in methods if m in _OPTIMISM_NOTES]
    note = " ".join(notes) or _OPTIMISM_NOTES["optimism-corrected bootstrap (Harrell)"]
    unit = (
        "folds"
        if methods and all(m.startswith("cross-validation") for m in methods)
        else "replicates"
    )
    table = table.rename(columns={"n_boot": unit})
    columns = [unit if c == "n_boot" else c for c in columns]
    return {"table": _table(table, columns), "note": note}


# the method labels of riskml.evaluation.internal_validation
_OPTIMISM_NOTES = {
    "optimism-corrected bootstrap (Harrell)": (
        "Harrell's optimism bootstrap: apparent performance of the whole-cohort fit minus "
        "the mean optimism (performance on its bootstrap sample minus performance on the "
        "original data) of the pipeline refitted on bootstrap samples (Steyerberg 2019, "
        "ch. 17)."
    ),
    ".632 bootstrap (Efron 1983)": (
        "Efron's .632 bootstrap: 0.368 x apparent + 0.632 x the mean performance of the "
        "bootstrap models on the patients left out of their sample (Efron 1983)."
    ),
    ".632+ bootstrap (Efron & Tibshirani 1997)": (
        "Efron and Tibshirani's .632+ bootstrap: the .632 estimate with more weight on "
        "the left-out patients where the relative overfitting rate is high (Efron & "
        "Tibshirani 1997)."
    ),
    "cross-validation optimism": (
        "Cross-validation optimism: apparent performance minus the mean over folds of "
        "(training-fold minus held-out-fold performance) of the pipeline refitted in each "
        "fold."
    ),
    "cross-validation average": (
        "Cross-validation average: the mean held-out-fold performance of the pipeline "
        "refitted in each fold; optimism = apparent minus that mean."
    ),
}


def stability_section(result) -> dict | None:
    """Prediction stability from the bootstrap models (Riley & Collins 2023)."""
    stability = getattr(result, "stability", None)
    if not stability:
        return None
    rows, images = [], []
    for name, model in stability.items():
        patients = model.patients()
        width = (patients["high"] - patients["low"]).to_numpy()
        rows.append(
            [
                str(name),
                fmt(model.mape),
                f"{100 * float(np.mean(width > 0.10)):.0f}%",
                str(model.n_boot),
            ]
        )
        fig, ax = new_figure((4.6, 4.2))
        model.plot_predictions(ax=ax)
        ax.set_title(str(name))
        images.append((str(name), png(fig)))
    sentences = [sentence(model.interpret()) for model in stability.values()]
    return {
        "columns": [
            "Model",
            "MAPE",
            "Patients with a 95% stability interval wider than 10 points",
            "Bootstrap models",
        ],
        "rows": rows,
        "images": images,
        "sentences": sentences,
    }


def _performance_rows(result, table, first) -> dict | None:
    if not isinstance(table, pd.DataFrame) or len(table) == 0:
        return None
    table = table.copy()
    if "metric" in table.columns:
        table["metric"] = [
            m if pd.isna(m) else metric_label(m, result.outcome, result.horizon)
            for m in table["metric"]
        ]
    if {"low", "high"} <= set(table.columns):
        table["95% CI"] = [
            fmt_ci(lo, hi) for lo, hi in zip(table["low"], table["high"], strict=False)
        ]
    columns = first + [
        c for c in ("model", "metric", "estimate", "95% CI", "n", "events", "note") if c in table
    ]
    return _table(table, list(dict.fromkeys(columns)))


def external_section(result) -> dict | None:
    table = getattr(result, "external", None)
    rendered = _performance_rows(result, table, [])
    if rendered is None:
        return None
    name = str(table["cohort"].iloc[0]) if "cohort" in table.columns else "the external cohort"
    return {"cohort": name, "table": rendered}


def subgroups_section(result) -> dict | None:
    return _performance_rows(result, getattr(result, "subgroups", None), ["variable", "subgroup"])


def comparison_section(result) -> dict | None:
    table = getattr(result, "comparison", None)
    if table is None or len(table) == 0:
        return None
    rows = []
    for record in table.to_dict("records"):
        rows.append(
            {
                "model": str(record["model"]),
                "metric": metric_label(str(record["metric"]), result.outcome, None),
                "difference": fmt(record["difference"]),
                "low": fmt(record["low"]),
                "high": fmt(record["high"]),
                "p_value": fmt(record["p_value"]),
            }
        )
    reference = str(table["reference"].iloc[0])
    first = table.iloc[0].to_dict()
    method = interval_method(first) if "method" in table.columns else "method not recorded"
    n_boot = int(first["n_boot"]) if not pd.isna(first.get("n_boot", np.nan)) else 0
    metric = metric_label(str(table["metric"].iloc[0]), result.outcome, None)
    if "method" not in table.columns:
        caption = (
            f"Difference of each model's {metric} minus {reference}'s on the same patients; "
            "the comparison method was not recorded."
        )
    elif "delong" in method.lower():
        caption = (
            f"Difference of each model's {metric} minus {reference}'s on the same patients, "
            "by DeLong's test for paired ROC curves (DeLong et al. 1988, as R's "
            "pROC::roc.test): 95% interval and two-sided p-value from the DeLong variance of "
            "the difference."
        )
    else:
        caption = (
            f"Difference of each model's {metric} minus {reference}'s, on the same "
            f"{n_boot:,} bootstrap resamples of the patients"
            + (", stratified by outcome class" if "stratified" in method.lower() else "")
            + " (a paired bootstrap, so the correlation between models is kept); percentile "
            "95% interval and two-sided p-value from the bootstrap standard error."
        )
    return {"reference": reference, "rows": rows, "caption": caption, "method": method}
