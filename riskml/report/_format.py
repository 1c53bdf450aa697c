"""Display helpers of the report: the only place where numbers are rounded."""

from __future__ import annotations

import base64
import io
import math
from numbers import Real

import numpy as np
import pandas as pd

__all__ = [
    "fmt",
    "fmt_ci",
    "fmt_setting",
    "fmt_value",
    "metric_label",
    "new_figure",
    "outcome_words",
    "png",
    "sentence",
]

#: Names used by the report when the metric registry does not know a metric.
METRIC_LABELS = {
    "harrell_c": "Harrell's C",
    "concordance_index": "Harrell's C",
    "uno_c": "Uno's C",
    "auc": "AUC",
    "roc_auc": "AUC",
    "brier": "Brier score",
}


def fmt(value, digits: int = 3) -> str:
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


def fmt_ci(low, high, digits: int = 3) -> str:
    """``low–high``, or an em dash when the interval is missing."""
    if fmt(low) == "—" or fmt(high) == "—":
        return "—"
    if float(low) < 0:  # "-0.304–-0.479" would be unreadable
        return f"{fmt(low, digits)} to {fmt(high, digits)}"
    return f"{fmt(low, digits)}–{fmt(high, digits)}"


def fmt_value(value) -> str:
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


def fmt_setting(value, limit: int = 300) -> str:
    if value is None:
        return "none"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sentence(text: str) -> str:
    """``text`` with a capital first letter and no final period (the template adds it)."""
    text = str(text).strip().rstrip(".")
    return text[:1].upper() + text[1:]


def outcome_words(text: str, outcome) -> str:
    """A model description with its output named for the outcome at hand.

    Registry descriptions say "P(event by the horizon)"; for a plain binary outcome
    there is no horizon, so the report says "P(event)".
    """
    text = str(text)
    if not outcome.is_survival:
        text = text.replace("P(event by the horizon)", "P(event)")
    return text


def metric_label(metric: str, outcome, horizon) -> str:
    """How the report names a metric: the registry's label, with the horizon."""
    from ..evaluation import get_metric

    try:
        label = get_metric(str(metric), outcome.kind).label
    except (ValueError, KeyError):
        label = METRIC_LABELS.get(str(metric), str(metric))
    if metric == "auc_at_horizon":
        label = "AUC"
    at_horizon = metric in ("td_auc", "auc_at_horizon", "brier", "ipa", "o_e", "ici")
    at_horizon = at_horizon or "calibration" in str(metric) or metric == "net_benefit"
    if horizon is not None and outcome.is_survival and at_horizon:
        label = f"{label} at {float(horizon):g} days"
    return label


def png(fig) -> str:
    """A figure as a base64 PNG (Agg canvas, no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def new_figure(figsize):
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()
