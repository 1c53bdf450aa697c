"""Figures for the report: ROC curves and SHAP global importance.

Each function draws on ``ax`` (or on new axes when ``ax`` is None) and returns the
Axes; none calls ``plt.show()``. :func:`riskml.report.write_report` draws them on
figures that are never registered with pyplot, so nothing is left open.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

__all__ = ["plot_roc", "plot_shap_importance"]


def _new_axes(figsize):
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _legend_text(name) -> str:
    # A "$" would switch matplotlib to mathtext; a leading "_" would hide the entry.
    return str(name).replace("$", r"\$").lstrip("_") or "model"


def check_labels(outcome_labels) -> np.ndarray:
    """``outcome_labels`` as a float array of 1, 0 or NaN (not evaluable)."""
    labels = np.asarray(outcome_labels, dtype=float)
    if labels.ndim != 1:
        raise ValueError(f"outcome_labels must be one-dimensional; got shape {labels.shape}.")
    known = labels[~np.isnan(labels)]
    bad = ~np.isin(known, (0.0, 1.0))
    if bad.any():
        raise ValueError(
            "outcome_labels must hold 1 (event), 0 (no event) or NaN (not evaluable); got "
            f"{known[bad][0]!r}. For a time-to-event outcome pass outcome.at_horizon(days)."
        )
    return labels


def plot_roc(
    outcome_labels,
    predictions: pd.DataFrame,
    ax=None,
    *,
    sample_weight=None,
    legend_values=None,
    metric_name: str = "AUC",
):
    """ROC curves, one per model, with the area under each in the legend.

    Parameters
    ----------
    outcome_labels : array-like of shape (n_samples,)
        1 for an event, 0 for none, NaN for a patient who is not evaluable (e.g.
        censored before the horizon: ``Outcome.at_horizon(days)``). NaN rows are
        left out of every curve.
    predictions : pandas.DataFrame of shape (n_samples, n_models)
        One column of risk scores per model (higher = higher risk), in the row
        order of ``outcome_labels``. Rows with a missing score are left out of that
        model's curve. The index is never used.
    ax : matplotlib Axes, optional
        Axes to draw on; new axes when None.
    sample_weight : array-like of shape (n_samples,), optional
        Weight of each patient, e.g. inverse-probability-of-censoring weights of a
        cumulative/dynamic ROC curve at a horizon (Uno et al. 2007).
    legend_values : dict, optional
        Model name → the number shown in the legend (e.g. the estimate of the
        results table, so that figure and table show one number); the area under
        the drawn curve by default.
    metric_name : str, default="AUC"
        The name in the legend.

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    Curves are ``sklearn.metrics.roc_curve``; the area is the trapezoidal area under
    that curve, which equals the (weighted) AUC with ties counted 1/2.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> ax = plot_roc([0, 1, 0, 1], pd.DataFrame({"m": [0.1, 0.8, 0.3, 0.6]}), ax=ax)
    >>> ax.get_legend_handles_labels()[1]
    ['m (AUC 1.000)']
    """
    from sklearn.metrics import auc, roc_curve

    if not isinstance(predictions, pd.DataFrame):
        raise TypeError(
            "predictions must be a pandas DataFrame with one column of risk per model; got "
            f"{type(predictions).__name__}."
        )
    labels = check_labels(outcome_labels)
    if len(labels) != len(predictions):
        raise ValueError(
            f"outcome_labels has {len(labels)} entries but predictions has "
            f"{len(predictions)} rows; they must describe the same patients in order."
        )
    if ax is None:
        ax = _new_axes((5.0, 5.0))
    evaluable = ~np.isnan(labels)
    weight = None
    if sample_weight is not None:
        weight = np.asarray(sample_weight, dtype=float)
        if weight.shape != labels.shape:
            raise ValueError(
                f"sample_weight has shape {weight.shape}; it needs one weight per patient "
                f"({labels.shape[0]})."
            )
    legend_values = dict(legend_values or {})
    for name in predictions.columns:
        score = predictions[name].to_numpy(dtype=float)
        keep = evaluable & np.isfinite(score)
        y = labels[keep]
        if np.unique(y).size < 2:
            raise ValueError(
                f"model {name!r}: the evaluable patients with a prediction are all in one "
                "class, so no ROC curve can be drawn."
            )
        fpr, tpr, _ = roc_curve(
            y, score[keep], sample_weight=None if weight is None else weight[keep]
        )
        value = legend_values.get(name, auc(fpr, tpr))
        ax.plot(fpr, tpr, linewidth=1.6, label=f"{_legend_text(name)} ({metric_name} {value:.3f})")
    ax.plot([0, 1], [0, 1], linestyle="--", linewidth=1, color="0.6", label="_chance")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("1 - specificity (false-positive rate)")
    ax.set_ylabel("Sensitivity (true-positive rate)")
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    return ax


def plot_shap_importance(importance: pd.Series, ax=None, top: int = 15, *, scale: str = "log-odds"):
    """Horizontal bar chart of mean |SHAP| per input column, largest at the top.

    Parameters
    ----------
    importance : pandas.Series
        Indexed by input column, e.g. ``ShapExplanation.global_importance()``.
    ax : matplotlib Axes, optional
        Axes to draw on; new axes when None.
    top : int, default=15
        Number of columns shown (the largest ones).
    scale : str, default="log-odds"
        The additive scale of the SHAP values (``explanation.scale``), in the axis label.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from riskml.report import plot_shap_importance
    >>> importance = pd.Series({"age": 0.42, "ejection_fraction": 0.31, "serum_sodium": 0.05})
    >>> ax = plot_shap_importance(importance, top=2)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['age', 'ejection_fraction']
    """
    if not isinstance(importance, pd.Series):
        raise TypeError(
            "importance must be a pandas Series indexed by feature (e.g. "
            f"explanation.global_importance()); got {type(importance).__name__}."
        )
    if isinstance(top, bool) or not isinstance(top, Integral) or top < 1:
        raise ValueError(f"top must be an int >= 1; got {top!r}.")
    shown = importance.astype(float).sort_values(ascending=False, kind="stable").head(int(top))
    if ax is None:
        ax = _new_axes((6.0, 0.8 + 0.3 * max(len(shown), 1)))
    positions = np.arange(len(shown))[::-1]
    ax.barh(positions, shown.to_numpy(), color="#3b6ea8")
    ax.set_yticks(positions)
    ax.set_yticklabels([_legend_text(name) for name in shown.index])
    ax.set_xlabel(f"Mean |SHAP value| ({scale})")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def draw_decision_curve(table: pd.DataFrame, ax):
    """Net benefit by threshold, one line per model, with treat all and treat none.

    Parameters
    ----------
    table : pandas.DataFrame
        ``model``, ``threshold``, ``net_benefit`` (``StudyResult.decision_curve``);
        the rows named "Treat all" and "Treat none" are the reference strategies.
    ax : matplotlib Axes

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    The y-axis always includes 0, the net benefit of treating no one, so the
    treat-none line is never cut off (drawn at 0 when the table lacks it). Below 0
    it stops a little under the lowest model curve: treat all falls to large
    negative values at high thresholds and would flatten every model curve.
    """
    names = list(dict.fromkeys(table["model"].astype(str)))
    for name in names:
        group = table[table["model"].astype(str) == name]
        style = {}
        if name == "Treat all":
            style = {"color": "0.35", "linestyle": ":"}
        elif name == "Treat none":
            style = {"color": "black", "linestyle": "--"}
        ax.plot(
            group["threshold"],
            group["net_benefit"],
            linewidth=1.4,
            label=_legend_text(name),
            **style,
        )
    if "Treat none" not in names:
        ax.axhline(0.0, color="black", linestyle="--", linewidth=1.4, label="Treat none")
    values = table["net_benefit"].to_numpy(dtype=float)
    models = table[~table["model"].astype(str).isin(["Treat all", "Treat none"])]
    model_values = models["net_benefit"].to_numpy(dtype=float)
    top = max(float(np.nanmax(values)) if np.isfinite(values).any() else 0.0, 0.0)
    lowest = float(np.nanmin(model_values)) if np.isfinite(model_values).any() else 0.0
    floor = -0.05 - 0.1 * abs(top)
    low = min(0.0, max(lowest, floor))
    span = max(top - low, 1e-3)
    ax.set_ylim(low - 0.05 * span, top + 0.08 * span)
    ax.set_xlabel("Risk threshold")
    ax.set_ylabel("Net benefit")
    ax.legend(fontsize=8)
    return ax
