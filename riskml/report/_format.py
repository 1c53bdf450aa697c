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
    "fmt_count",
    "fmt_metric",
    "fmt_metric_ci",
    "fmt_number",
    "fmt_p",
    "fmt_setting",
    "fmt_value",
    "metric_label",
    "new_figure",
    "outcome_name",
    "outcome_words",
    "png",
    "sentence",
]

#: The name :class:`riskml.Outcome` takes when none is given: not a name to show.
DEFAULT_OUTCOME_NAMES = {"", "outcome", "event", "y"}


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


def fmt_count(value) -> str:
    """A count as a whole number with thousands separators; missing as an em dash."""
    if fmt(value) == "—":
        return "—"
    return f"{round(float(value)):,}"


def fmt_number(value) -> str:
    """A tuning value (a penalty, say) for a reader: 3 significant digits, no noise.

    ``0.3593813663804626`` reads ``0.359``, ``10000.0`` reads ``10,000``, ``1e-05``
    reads ``1.0e-05``, an infinite value ``infinite``.
    """
    if fmt(value) == "—":
        return "—"
    number = float(value)
    if math.isinf(number):
        return "infinite"
    if number == 0:
        return "0"
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    if abs(number) < 1e-3:
        return f"{number:.1e}"
    return f"{number:.3g}"


def fmt_p(value) -> str:
    """A p-value: 3 decimals, or ``<0.001``."""
    if fmt(value) == "—":
        return "—"
    return "<0.001" if float(value) < 0.001 else f"{float(value):.3f}"


def outcome_name(outcome) -> str | None:
    """The outcome's own name (``Outcome(..., name=...)``, a schema's outcome name).

    None when it is the default ``"outcome"`` (or empty), which names nothing: the
    report then says "the event" and names the cohort instead.
    """
    name = str(getattr(outcome, "name", "") or "").strip()
    return None if name.lower() in DEFAULT_OUTCOME_NAMES else name


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


def _entry(metric, outcome):
    """The metric registry's entry a table's ``metric`` value names, or None."""
    from ..evaluation import find_metric

    return find_metric(str(metric), outcome.kind)


def metric_label(metric: str, outcome, horizon) -> str:
    """How the report names a metric: the registry's label, with the horizon for a
    metric evaluated at one; a name the registry does not know, as it is."""
    entry = _entry(metric, outcome)
    if entry is None:
        return str(metric)
    if horizon is not None and outcome.is_survival and entry.needs_horizon:
        return f"{entry.label} at {float(horizon):g} days"
    return entry.label


def _metric_number(value, entry) -> str:
    if entry is None:
        return fmt(value)
    if entry.percent and fmt(value) != "—":
        return f"{100 * float(value):.{entry.decimals}f}%"
    return fmt(value, entry.decimals)


def fmt_metric(value, metric: str, outcome) -> str:
    """A metric's value as its registry entry says (decimals, percent or not); 3
    decimals for a metric the registry does not know."""
    return _metric_number(value, _entry(metric, outcome))


def fmt_metric_ci(low, high, metric: str, outcome) -> str:
    """A metric's interval as :func:`fmt_ci` writes it, each bound as :func:`fmt_metric`."""
    entry = _entry(metric, outcome)
    if entry is None:
        return fmt_ci(low, high)
    if fmt(low) == "—" or fmt(high) == "—":
        return "—"
    separator = " to " if float(low) < 0 else "–"
    return f"{_metric_number(low, entry)}{separator}{_metric_number(high, entry)}"


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
