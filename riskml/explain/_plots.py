"""Waterfall, beeswarm and bar plots of a :class:`ShapExplanation`.

Each function draws into ``ax`` or, when None, into a new pyplot figure (so a
notebook cell shows it inline; nothing calls ``plt.show()``), and returns the Axes.
Pass ``ax`` to draw elsewhere, e.g. on a detached ``matplotlib.figure.Figure`` as
the report does.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

from ._explanation import _format_value, horizon_words

__all__ = ["plot_bar", "plot_beeswarm", "plot_waterfall"]

_UP = "#d62728"
_DOWN = "#1f77b4"


def _new_axes(height: float):
    """The axes of a new pyplot figure (shown inline by Jupyter)."""
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(7.0, height), layout="constrained")
    return ax


def _risk_label(explanation, z) -> str:
    """``"0.41 (risk 20.7%)"``: a value on the additive scale (named on the x axis)."""
    risk = float(np.ravel(explanation.link(z))[0])
    if 0.0 <= risk <= 1.0 and explanation.scale != "risk":
        return f"{z:.2f} (risk {risk:.1%})"
    return f"{z:.3g}"


def plot_waterfall(explanation, i, *, max_display: int = 10, ax=None):
    """One patient's contributions from the base value to the prediction.

    Bars run on the additive scale, from the base value (bottom) to the patient's
    output (top); the start and end are labelled with the risk they map to.
    Features beyond ``max_display - 1`` are pooled into one bar.

    Parameters
    ----------
    explanation : ShapExplanation
    i : int
        Row position, as in :meth:`ShapExplanation.patient`.
    max_display : int, default=10
    ax : matplotlib.axes.Axes, optional
        New axes on a new pyplot figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from riskml.explain import plot_waterfall
    >>> ax = plot_waterfall(explanation, 0, max_display=8)  # doctest: +SKIP
    """
    table = explanation.patient(i)
    table["label"] = [f"{r.feature} = {_format_value(r.value)}" for r in table.itertuples()]
    if len(table) > max_display:
        head = table.iloc[: max_display - 1]
        rest = table.iloc[max_display - 1 :]
        other = pd.DataFrame(
            {
                "feature": [f"{len(rest)} other features"],
                "contribution": [rest["contribution"].sum()],
                "label": [f"{len(rest)} other features"],
            }
        )
        table = pd.concat([head, other], ignore_index=True)
    if ax is None:
        ax = _new_axes(1.4 + 0.4 * len(table))
    table = table.iloc[::-1].reset_index(drop=True)  # the largest at the top
    start = explanation.base_value + table["contribution"].cumsum() - table["contribution"]
    for k, row in table.iterrows():
        color = _UP if row["contribution"] > 0 else _DOWN
        ax.barh(k, row["contribution"], left=start[k], color=color, height=0.6)
        ax.text(
            start[k] + row["contribution"],
            k,
            f" {row['contribution']:+.3g} ",
            va="center",
            ha="left" if row["contribution"] > 0 else "right",
            fontsize=8,
        )
    ax.set_yticks(range(len(table)), list(table["label"]), fontsize=8)
    ax.use_sticky_edges = False  # the bars' edges would stop the margin
    ax.margins(x=0.15)  # room for the value labels beside the bars
    end = explanation.patient_margin(i)
    ax.axvline(explanation.base_value, color="grey", lw=0.8, ls="--")
    ax.axvline(end, color="black", lw=0.8)
    words = horizon_words(explanation.horizon)
    ax.set_title(
        f"{explanation.model_name}: patient {i}" + (f", {words} risk" if words else "") + "\n"
        f"base {_risk_label(explanation, explanation.base_value)} -> "
        f"{_risk_label(explanation, end)}",
        fontsize=9,
    )
    ax.set_xlabel(f"contribution ({explanation.scale})")
    return ax


def plot_beeswarm(explanation, *, max_display: int = 15, ax=None):
    """Every explained patient's contribution per feature, coloured by the feature value.

    Features are ordered by mean absolute SHAP value; dots are jittered vertically
    by their density; colour runs from low (blue) to high (red) values of the
    feature (category codes for categorical columns; grey when missing).

    Parameters
    ----------
    explanation : ShapExplanation
    max_display : int, default=15
    ax : matplotlib.axes.Axes, optional
        New axes on a new pyplot figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from riskml.explain import plot_beeswarm
    >>> ax = plot_beeswarm(explanation, max_display=10)  # doctest: +SKIP
    """
    from matplotlib import colormaps

    importance = explanation.importance().head(max_display)
    features = list(importance.index)[::-1]
    if ax is None:
        ax = _new_axes(1.2 + 0.35 * max(len(features), 1))
    rng = np.random.default_rng(0)
    cmap = colormaps["coolwarm"]
    for k, feature in enumerate(features):
        shap_values = explanation.values[feature].to_numpy(dtype=float)
        raw = explanation.data[feature]
        if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
            numbers = raw.to_numpy(dtype=float)
        else:
            codes = pd.Categorical(raw).codes.astype(float)
            numbers = np.where(codes < 0, np.nan, codes)
        finite = np.isfinite(numbers)
        colors = np.full((len(numbers), 4), (0.6, 0.6, 0.6, 1.0))
        if finite.any():
            low, high = np.nanpercentile(numbers[finite], [5, 95])
            scaled = np.clip((numbers - low) / (high - low if high > low else 1.0), 0, 1)
            colors[finite] = cmap(scaled[finite])
        # vertical jitter proportional to the local density of the values
        bins = np.digitize(shap_values, np.histogram_bin_edges(shap_values, bins=40))
        counts = np.bincount(bins)[bins]
        jitter = (rng.random(len(shap_values)) - 0.5) * 0.8 * counts / max(counts.max(), 1)
        ax.scatter(shap_values, k + jitter, c=colors, s=8, linewidths=0)
    ax.axvline(0.0, color="grey", lw=0.8)
    ax.set_yticks(range(len(features)), features, fontsize=8)
    ax.set_xlabel(f"SHAP value ({explanation.scale})")
    ax.set_title(f"{explanation.model_name}: {len(explanation.values)} patients", fontsize=9)
    return ax


def plot_bar(explanation, *, max_display: int = 15, ax=None):
    """Mean absolute SHAP value per input column, largest at the top.

    The global importance of :meth:`ShapExplanation.importance` over the explained
    patients; columns beyond ``max_display`` are left out (the title says how many
    columns the model uses).

    Parameters
    ----------
    explanation : ShapExplanation
    max_display : int, default=15
        Number of columns shown (the most important ones).
    ax : matplotlib.axes.Axes, optional
        New axes on a new pyplot figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = explanation.plot_bar(max_display=10)  # doctest: +SKIP
    """
    if isinstance(max_display, bool) or not isinstance(max_display, Integral) or max_display < 1:
        raise ValueError(f"max_display must be an int >= 1; got {max_display!r}.")
    importance = explanation.importance()
    shown = importance.head(max_display)
    if ax is None:
        ax = _new_axes(1.2 + 0.3 * max(len(shown), 1))
    positions = np.arange(len(shown))[::-1]
    ax.barh(positions, shown.to_numpy(dtype=float), color="#3b6ea8", height=0.7)
    ax.set_yticks(positions, list(shown.index), fontsize=8)
    ax.set_xlabel(f"mean |SHAP value| ({explanation.scale})")
    ax.set_title(
        f"{explanation.model_name}: {len(explanation.values)} patients, "
        f"{len(importance)} columns used",
        fontsize=9,
    )
    return ax
