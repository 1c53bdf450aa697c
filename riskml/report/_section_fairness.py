"""The report section on fairness across groups (TRIPOD+AI items 14, 23b and 25):
the largest between-group difference of each metric stated in words with its
interval, every metric per group, and each group's calibration curve.

Everything shown is read from ``result.fairness``
(:func:`riskml.evaluation.fairness_summary`); only the figure is drawn here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._format import fmt, fmt_ci, metric_label, new_figure, png

__all__ = ["fairness_section", "fairness_sentence"]

#: Panels of the calibration figure: at most this many models and grouping variables.
_MAX_PANELS = 3


def fairness_sentence(record: dict, outcome, horizon, confidence: float = 0.95) -> str:
    """One row of ``fairness.summary`` in words, e.g. "The AUC differed by 0.080 (95% CI
    0.010 to 0.150) between sex groups for logistic (highest: 1, lowest: 0)"."""
    label = metric_label(str(record["metric"]), outcome, horizon)
    level = f"{100 * float(confidence):g}% CI"
    variable, model = str(record["variable"]), str(record["model"])
    interval = (
        f"{level} {fmt(record['low'])} to {fmt(record['high'])}"
        if fmt(record["low"]) != "—"
        else f"{level} not estimable"
    )
    if record["scale"] == "ratio":
        return (
            f"The {label} was {fmt(record['estimate'])} times as high ({interval}) in "
            f"{variable} group {record['highest']} as in group {record['lowest']}, for {model}"
        )
    return (
        f"The {label} differed by {fmt(record['estimate'])} ({interval}) between "
        f"{variable} groups for {model} (highest: {record['highest']}, lowest: "
        f"{record['lowest']})"
    )


def _group_table(result, fairness) -> dict | None:
    """Every metric per group: estimate with its interval, one column per metric."""
    groups = fairness.groups
    if groups is None or len(groups) == 0 or "metric" not in groups.columns:
        return None
    groups = groups[groups["metric"].notna()]
    metrics = list(dict.fromkeys(groups["metric"].astype(str)))
    rows = []
    keys = ["variable", "subgroup", "model"]
    for (variable, subgroup, model), block in groups.groupby(keys, sort=False):
        cells = [str(variable), str(subgroup), str(model), fmt(block["n"].iloc[0], 0)]
        for metric in metrics:
            found = block[block["metric"].astype(str) == metric]
            if found.empty or fmt(found["estimate"].iloc[0]) == "—":
                cells.append("—")
                continue
            interval = fmt_ci(found["low"].iloc[0], found["high"].iloc[0])
            estimate = fmt(found["estimate"].iloc[0])
            cells.append(estimate + ("" if interval == "—" else f" ({interval})"))
        rows.append(cells)
    columns = ["Variable", "Group", "Model", "Patients"] + [
        metric_label(metric, result.outcome, result.horizon) for metric in metrics
    ]
    return {"columns": columns, "rows": rows}


def _gap_table(result, summary: pd.DataFrame) -> dict:
    rows = []
    for record in summary.to_dict("records"):
        rows.append(
            [
                str(record["variable"]),
                str(record["model"]),
                metric_label(str(record["metric"]), result.outcome, result.horizon),
                "highest / lowest" if record["scale"] == "ratio" else "highest − lowest",
                str(record["highest"]),
                str(record["lowest"]),
                fmt(record["estimate"]),
                fmt_ci(record["low"], record["high"]),
                str(int(record["n_boot"])) if fmt(record["n_boot"]) != "—" else "—",
            ]
        )
    columns = ["Variable", "Model", "Metric", "Compared as", "Highest", "Lowest"]
    return {"columns": columns + ["Largest difference", "95% CI", "Replicates"], "rows": rows}


def _calibration_figure(table: pd.DataFrame | None) -> str | None:
    """Observed against predicted risk of every group: one panel per grouping variable
    (rows) and model (columns)."""
    if table is None or len(table) == 0:
        return None
    variables = list(dict.fromkeys(table["variable"].astype(str)))[:_MAX_PANELS]
    models = list(dict.fromkeys(table["model"].astype(str)))[:_MAX_PANELS]
    fig, axes = new_figure((3.4 * len(models), 3.4 * len(variables)))
    fig.clf()
    axes = fig.subplots(len(variables), len(models), squeeze=False)
    upper = float(np.nanmax(table[["predicted", "observed"]].to_numpy(dtype=float)))
    limit = min(1.0, max(0.05, 1.1 * upper))
    for i, variable in enumerate(variables):
        for j, model in enumerate(models):
            ax = axes[i][j]
            ax.plot([0, limit], [0, limit], color="grey", linestyle="--", linewidth=1)
            chosen = table[
                (table["variable"].astype(str) == variable) & (table["model"].astype(str) == model)
            ]
            for group, curve in chosen.groupby("subgroup", sort=False):
                curve = curve.sort_values("predicted")
                ax.plot(
                    curve["predicted"],
                    curve["observed"],
                    marker="o",
                    markersize=3,
                    linewidth=1,
                    label=f"{variable} {group}".replace("$", r"\$"),
                )
            ax.set_xlim(0, limit)
            ax.set_ylim(0, limit)
            ax.set_title(f"{model.replace('$', chr(92) + '$')}: by {variable}", fontsize=9)
            ax.set_xlabel("Predicted risk", fontsize=8)
            ax.set_ylabel("Observed risk", fontsize=8)
            ax.legend(loc="upper left", fontsize=7)
    return png(fig)


def fairness_section(result) -> dict | None:
    fairness = getattr(result, "fairness", None)
    summary = getattr(fairness, "summary", None)
    if not isinstance(summary, pd.DataFrame) or len(summary) == 0:
        return None
    confidence = float(getattr(fairness, "confidence", 0.95))
    estimated = summary[summary["estimate"].notna()]
    sentences = [
        fairness_sentence(record, result.outcome, result.horizon, confidence)
        for record in estimated.to_dict("records")
    ]
    missing = [
        f"{metric_label(str(r['metric']), result.outcome, result.horizon)} of {r['model']} "
        f"by {r['variable']}: {r['note']}"
        for r in summary[summary["estimate"].isna()].to_dict("records")
    ]
    methods = [m for m in dict.fromkeys(summary["method"].astype(str)) if m]
    threshold = getattr(fairness, "threshold", None)
    return {
        "sentences": sentences,
        "missing": missing,
        "gaps": _gap_table(result, summary),
        "groups": _group_table(result, fairness),
        "image": _calibration_figure(getattr(fairness, "calibration", None)),
        "note": (
            "For each grouping variable, model and metric, the groups with the highest and "
            "lowest estimate are compared: their difference, or for the O:E ratio their "
            "ratio (a difference on the log scale). Interval: "
            + ("; ".join(methods) or "none")
            + ", the same two groups compared on every replicate, so it can include no "
            "difference (a difference of 0, a ratio of 1)."
            + (
                f" Net benefit at a risk threshold of {100 * float(threshold):g}%."
                if threshold is not None
                else ""
            )
            + " From the out-of-fold predictions; a difference between groups is not by "
            "itself unfairness: read it with the groups' sizes, events and the intended use "
            "(TRIPOD+AI items 14 and 23b)."
        ),
        "caption": (
            "Calibration within each group: patients of the group binned by predicted risk "
            "(fewer bins with few events); observed against mean predicted risk, the dashed "
            "line marking perfect calibration."
        ),
    }
