"""The stability of bootstrap models' predictions (Riley & Collins 2023).

:class:`PredictionStability`: from the internal validation bootstrap's models'
predictions on the original data (no extra fits), the prediction, classification,
calibration and decision-curve instability, each as a tidy table and a one-call plot
(on a new pyplot figure, shown inline in Jupyter, unless ``ax`` is given; each returns
the Axes), with a one-sentence interpretation.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..outcome import check_outcome
from ..utils.validation import (
    check_fraction,
)
from ._calibration import (
    _DEFAULT_FRAC,
    _smoothed_observed,
    _survival_calibration_inputs,
    calibration_curve,
)
from ._checks import (
    check_confidence_level,
)
from ._competing import competing_calibration
from ._decision_curves import (
    TREAT_ALL,
    TREAT_NONE,
    _check_thresholds,
    _positive,
    decision_curve,
    decision_curve_survival,
)
from ._report_tables import _decision_curve_competing

__all__ = ["PredictionStability"]


# -- stability -----------------------------------------------------------------------
def _new_axes(ax):
    """``ax``, or the axes of a new pyplot figure (shown inline by Jupyter)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
    return ax


class PredictionStability:
    """Instability of individual predictions across bootstrap models (Riley & Collins 2023).

    Usually made by :meth:`InternalValidationResult.stability`, from the predictions
    that the bootstrap models of :func:`internal_validation` made for every patient of
    the original data (no extra fits).

    Parameters
    ----------
    original : array-like of shape (n_samples,)
        The predicted risk of the model fitted on all the data.
    predictions : array-like of shape (n_boot, n_samples)
        Each bootstrap model's predicted risk for the same patients; rows holding a
        NaN (failed fits) are left out and counted in :attr:`n_degenerate`.
    y : array-like of 0/1, structured ``(event, time)`` array, or Outcome, optional
        The outcomes, for the calibration and decision-curve instability.
    horizon : float, optional
        The horizon of the predicted risks, for a time-to-event ``y``.
    name : str, default="model"

    Attributes
    ----------
    n_boot : int
        The bootstrap models used.
    n_degenerate : int
        Rows of ``predictions`` left out.
    mape : float
        Mean absolute prediction error: the mean over patients and bootstrap models
        of ``|bootstrap-model risk - original-model risk|``.

    References
    ----------
    .. [1] Riley RD, Collins GS. Stability of clinical prediction models developed
       using statistical or machine learning methods. Biom J 2023;65:2200302.
    .. [2] Rhodes S. pminternal (R package), stability plots (documented behaviour).

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import PredictionStability
    >>> stability = PredictionStability([0.1, 0.5], [[0.2, 0.5], [0.1, 0.3]])
    >>> round(stability.mape, 3)
    0.075
    """

    def __init__(self, original, predictions, y=None, *, horizon=None, name: str = "model"):
        function = "PredictionStability"
        original = np.asarray(original, dtype=float)
        predictions = np.asarray(predictions, dtype=float)
        if original.ndim != 1 or predictions.ndim != 2 or predictions.shape[1] != len(original):
            raise ValueError(
                f"{function} needs original of shape (n_samples,) and predictions of shape "
                f"(n_boot, n_samples); got {original.shape} and {predictions.shape}."
            )
        if not np.isfinite(original).all():
            raise ValueError(f"original of {function} has missing or infinite risks.")
        usable = np.isfinite(predictions).all(axis=1)
        if not usable.any():
            raise ValueError(
                f"{function}: none of the {predictions.shape[0]} bootstrap models predicted "
                "every patient (all failed)."
            )
        self.outcome = None if y is None else check_outcome(y)
        if self.outcome is not None and len(self.outcome) != len(original):
            raise ValueError(
                f"y of {function} must hold one outcome per patient ({len(original)}); "
                f"got {len(self.outcome)}."
            )
        self.original = original
        self.predictions = predictions[usable]
        self.n_boot = int(usable.sum())
        self.n_degenerate = int((~usable).sum())
        self.horizon = horizon
        self.name = str(name)

    # -- tables --------------------------------------------------------------------
    @property
    def mape(self) -> float:
        return float(np.mean(np.abs(self.predictions - self.original)))

    def patients(self, confidence: float = 0.95) -> pd.DataFrame:
        """Per-patient prediction instability.

        Returns
        -------
        pandas.DataFrame
            One row per patient: ``patient`` (row position), ``original``, ``mean``
            (of the bootstrap models' risks), ``low`` and ``high`` (the stability
            interval: percentiles ``(1 - confidence)/2`` and ``(1 + confidence)/2``
            of the bootstrap models' risks, numpy's linear interpolation = R's
            ``quantile`` type 7), ``width`` and ``mape`` (mean absolute difference
            from ``original``).
        """
        confidence = check_confidence_level(confidence, "PredictionStability.patients")
        alpha = 1.0 - confidence
        low, high = np.quantile(self.predictions, [alpha / 2, 1 - alpha / 2], axis=0)
        return pd.DataFrame(
            {
                "patient": np.arange(self.original.shape[0]),
                "original": self.original,
                "mean": self.predictions.mean(axis=0),
                "low": low,
                "high": high,
                "width": high - low,
                "mape": np.mean(np.abs(self.predictions - self.original), axis=0),
            }
        )

    def classification(self, threshold: float) -> pd.DataFrame:
        """Classification instability index at a risk threshold.

        Returns
        -------
        pandas.DataFrame
            One row per patient: ``patient``, ``original``, ``classified`` (the
            original model's decision, risk >= threshold as in :func:`net_benefit`)
            and ``instability``: the share of bootstrap models that classify the
            patient differently.
        """
        threshold = check_fraction(threshold, "threshold", "PredictionStability.classification")
        original = _positive(self.original, np.array([threshold]))[0]
        boot = np.stack([_positive(row, np.array([threshold]))[0] for row in self.predictions])
        return pd.DataFrame(
            {
                "patient": np.arange(self.original.shape[0]),
                "original": self.original,
                "classified": original,
                "instability": np.mean(boot != original, axis=0),
            }
        )

    def _require_outcome(self, what: str):
        if self.outcome is None:
            raise ValueError(
                f"{what} needs the outcomes: make the PredictionStability with y= (or from "
                "internal_validation, which keeps them)."
            )
        if self.outcome.is_survival and self.horizon is None:
            raise ValueError(
                f"{what} of time-to-event outcomes needs the horizon of the predicted "
                "risks: pass horizon= (days)."
            )

    def _models(self):
        yield -1, self.original
        yield from enumerate(self.predictions)

    def calibration_curves(
        self, *, n_points: int = 50, frac: float = _DEFAULT_FRAC, n_groups: int = 10
    ):
        """Each model's smoothed calibration curve on the original data.

        Binary outcomes: the lowess curve of :func:`calibration_curve` (no band).
        Time-to-event outcomes: the flexible calibration model of
        :func:`survival_ici` (Cox on a restricted cubic spline of the cloglog risk,
        follow-up truncated at the horizon), each patient's smoothed observed risk
        interpolated onto the grid. Competing risks: each model's ``n_groups``
        quantile groups of predicted risk against their Aalen-Johansen cumulative
        incidence of the event of interest at the horizon
        (:func:`~riskml.evaluation.competing_calibration`, the competing events counted
        as such, never as censorings), one point per group.

        Returns
        -------
        pandas.DataFrame
            ``replicate`` (-1: the original model), ``predicted`` (``n_points``
            equally spaced risks over that model's range, or the groups' mean risks),
            ``observed``.
        """
        self._require_outcome("calibration_curves")
        frames, undefined = [], []
        outcome = self.outcome
        for replicate, risk in self._models():
            if outcome.is_competing:
                table = competing_calibration(
                    outcome.time, outcome.event_type, risk, self.horizon, n_groups=n_groups
                )
                curve = pd.DataFrame(
                    {
                        "predicted": table["mean_predicted"].to_numpy(),
                        "observed": table["observed"].to_numpy(),
                    }
                )
            elif outcome.is_survival:
                time, event, risk_used, horizon, cloglog = _survival_calibration_inputs(
                    outcome.time, outcome.event, risk, self.horizon, "calibration_curves"
                )
                try:
                    observed = _smoothed_observed(time, event, cloglog, horizon)
                except ValueError as error:  # no finite calibration model (see survival_ici)
                    if replicate < 0:
                        raise
                    undefined.append(str(error))
                    continue
                order = np.argsort(risk_used, kind="stable")
                grid = np.linspace(risk_used.min(), risk_used.max(), n_points)
                curve = pd.DataFrame(
                    {
                        "predicted": grid,
                        "observed": np.interp(grid, risk_used[order], observed[order]),
                    }
                )
            else:
                curve = calibration_curve(
                    outcome.event.astype(int), risk, n_boot=0, n_points=n_points, frac=frac
                )[["predicted", "observed"]]
            curve.insert(0, "replicate", replicate)
            frames.append(curve)
        if undefined:
            warnings.warn(
                f"calibration_curves: the curve of {len(undefined)} of {self.n_boot} bootstrap "
                f"models is undefined and left out. First reason: {undefined[0]}",
                UserWarning,
                stacklevel=2,
            )
        return pd.concat(frames, ignore_index=True)

    def decision_curves(self, *, thresholds=None) -> pd.DataFrame:
        """Each model's net benefit on the original data, with treat all and treat none.

        Returns
        -------
        pandas.DataFrame
            ``model`` (``"Treat all"``, ``"Treat none"``, ``"original"`` or
            ``"bootstrap"``), ``replicate`` (-1 except for the bootstrap models),
            ``threshold``, ``net_benefit``; from :func:`decision_curve`,
            :func:`decision_curve_survival` or, for competing risks, the
            Aalen-Johansen incidence among the treated
            (:func:`~riskml.evaluation.decision_curve_table`'s rule).
        """
        self._require_outcome("decision_curves")
        models = {str(replicate): risk for replicate, risk in self._models()}
        outcome = self.outcome
        if outcome.is_competing:
            grid = _check_thresholds(thresholds, "PredictionStability.decision_curves")
            curve = _decision_curve_competing(
                outcome, pd.DataFrame(models), self.horizon, thresholds=grid
            )
        elif outcome.is_survival:
            curve = decision_curve_survival(
                outcome.time, outcome.event, models, self.horizon, thresholds=thresholds
            )
        else:
            curve = decision_curve(outcome.event.astype(int), models, thresholds=thresholds)
        label = curve["model"].to_numpy()
        named = np.isin(label, [TREAT_ALL, TREAT_NONE])
        replicate = np.where(named, -1, pd.to_numeric(label, errors="coerce")).astype(int)
        model = np.where(named, label, np.where(replicate == -1, "original", "bootstrap"))
        return pd.DataFrame(
            {
                "model": model,
                "replicate": replicate,
                "threshold": curve["threshold"].to_numpy(),
                "net_benefit": curve["net_benefit"].to_numpy(),
            }
        )

    def summary(self, *, width: float = 0.10, confidence: float = 0.95) -> pd.DataFrame:
        """One row: ``model``, ``n_boot``, ``n_degenerate``, ``mape``,
        ``median_width`` and ``share_wider`` (patients whose stability interval is
        wider than ``width``)."""
        table = self.patients(confidence)
        return pd.DataFrame(
            [
                {
                    "model": self.name,
                    "n_boot": self.n_boot,
                    "n_degenerate": self.n_degenerate,
                    "mape": self.mape,
                    "median_width": float(table["width"].median()),
                    "share_wider": float(np.mean(table["width"] > width)),
                    "width": width,
                    "confidence": confidence,
                }
            ]
        )

    def interpret(self, *, width: float = 0.10, confidence: float = 0.95) -> str:
        """One sentence, e.g. "37% of patients have a 95% stability interval wider than
        10 percentage points; MAPE 0.042 (200 bootstrap models)"."""
        width = check_fraction(width, "width", "PredictionStability.interpret")
        row = self.summary(width=width, confidence=confidence).iloc[0]
        return (
            f"{self.name}: {row['share_wider']:.0%} of patients have a {confidence:.0%} "
            f"stability interval wider than {width * 100:g} percentage points; MAPE "
            f"{row['mape']:.3f} ({self.n_boot} bootstrap models)."
        )

    # -- plots ---------------------------------------------------------------------
    def plot_predictions(self, ax=None, *, confidence: float = 0.95, max_points: int = 20000):
        """Prediction instability plot: bootstrap-model risk against original risk.

        Points (at most ``max_points``, a seeded subsample) and the per-patient
        stability interval bounds as lines over the original risk; returns the Axes.
        """
        ax = _new_axes(ax)
        boot = self.predictions
        x = np.broadcast_to(self.original, boot.shape).ravel()
        yv = boot.ravel()
        if x.shape[0] > max_points:
            keep = np.random.default_rng(0).choice(x.shape[0], max_points, replace=False)
            x, yv = x[keep], yv[keep]
        ax.scatter(x, yv, s=4, alpha=0.15, color="tab:blue", linewidths=0)
        table = self.patients(confidence).sort_values("original")
        for column in ("low", "high"):
            ax.plot(table["original"], table[column], color="black", linestyle="--", lw=1)
        ax.plot([0, 1], [0, 1], color="grey", lw=1)
        top = float(max(self.original.max(), boot.max()))
        ax.set_xlim(0, top * 1.02)
        ax.set_ylim(0, top * 1.02)
        ax.set_xlabel("Risk from the developed model")
        ax.set_ylabel(f"Risk from {self.n_boot} bootstrap models")
        ax.set_title(f"Prediction instability ({confidence:.0%} stability interval)")
        return ax

    def plot_mape(self, ax=None):
        """Per-patient MAPE against the original risk; returns the Axes."""
        ax = _new_axes(ax)
        table = self.patients()
        ax.scatter(table["original"], table["mape"], s=6, alpha=0.5, linewidths=0)
        ax.set_xlabel("Risk from the developed model")
        ax.set_ylabel("Mean absolute prediction error")
        ax.set_title(f"MAPE instability (overall {self.mape:.3f})")
        return ax

    def plot_classification(self, threshold: float, ax=None):
        """Classification instability index against the original risk; returns the Axes."""
        ax = _new_axes(ax)
        table = self.classification(threshold)
        ax.scatter(table["original"], table["instability"], s=6, alpha=0.5, linewidths=0)
        ax.axvline(threshold, color="grey", linestyle="--", lw=1)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("Risk from the developed model")
        ax.set_ylabel("Classification instability index")
        ax.set_title(f"Classification instability at threshold {threshold:g}")
        return ax

    def plot_calibration(self, ax=None, **kwargs):
        """Calibration instability: every bootstrap model's curve and the original's."""
        ax = _new_axes(ax)
        curves = self.calibration_curves(**kwargs)
        for replicate, rows in curves.groupby("replicate", sort=True):
            if replicate >= 0:
                ax.plot(rows["predicted"], rows["observed"], color="tab:blue", alpha=0.2, lw=0.6)
        original = curves[curves["replicate"] == -1]
        ax.plot(original["predicted"], original["observed"], color="black", lw=2, label="developed")
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", lw=1)
        top = float(np.nanmax(curves[["predicted", "observed"]].to_numpy()))
        ax.set_xlim(0, min(1.0, top * 1.05))
        ax.set_ylim(0, min(1.0, top * 1.05))
        ax.set_xlabel("Predicted risk")
        competing = getattr(self.outcome, "is_competing", False)
        ax.set_ylabel(
            "Observed incidence (Aalen-Johansen, grouped)"
            if competing
            else "Observed risk (smoothed)"
        )
        ax.set_title("Calibration instability")
        ax.legend(loc="upper left")
        return ax

    def plot_decision_curves(self, ax=None, *, thresholds=None):
        """Decision-curve instability: every bootstrap model's net benefit curve."""
        ax = _new_axes(ax)
        curves = self.decision_curves(thresholds=thresholds)
        boot = curves[curves["model"] == "bootstrap"]
        for _, rows in boot.groupby("replicate", sort=True):
            ax.plot(rows["threshold"], rows["net_benefit"], color="tab:blue", alpha=0.2, lw=0.6)
        styles = {
            "original": {"color": "black", "lw": 2, "label": "developed"},
            TREAT_ALL: {"color": "grey", "lw": 1, "label": TREAT_ALL},
            TREAT_NONE: {"color": "grey", "lw": 1, "linestyle": ":", "label": TREAT_NONE},
        }
        for model, style in styles.items():
            rows = curves[curves["model"] == model]
            ax.plot(rows["threshold"], rows["net_benefit"], **style)
        top = float(np.nanmax(curves["net_benefit"].to_numpy()))
        top = top if top > 0 else 0.05
        ax.set_ylim(-0.1 * top, 1.1 * top)
        ax.set_xlabel("Threshold probability")
        ax.set_ylabel("Net benefit")
        ax.set_title("Decision-curve instability")
        ax.legend(loc="upper right")
        return ax
