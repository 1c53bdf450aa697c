"""Display objects for ROC, time-dependent ROC, calibration and decision curves
(scikit-learn style).

Each display computes its data in ``from_predictions`` (or ``from_survival``),
keeps it as attributes, and draws in :meth:`plot`, which takes ``ax=None`` and
returns the display with ``ax_`` and ``figure_`` set. Without ``ax`` it draws on a
new pyplot figure, so a notebook cell shows it inline; nothing here calls
``plt.show()``; matplotlib is imported only when a plot is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..utils.deprecation import renamed_keyword
from ..utils.validation import check_one_dimensional
from ._calibration import (
    CalibrationErrors,
    _check_binary_outcome,
    _check_probabilities,
    _check_survival_inputs,
    _first_positions,
    calibration_curve,
    ici,
    survival_calibration,
)
from ._decision_curves import (
    TREAT_ALL,
    TREAT_NONE,
    decision_curve,
    decision_curve_survival,
)

__all__ = [
    "CalibrationDisplay",
    "DecisionCurveDisplay",
    "RocCurveDisplay",
    "TimeDependentRocDisplay",
]


def _axes(ax):
    """``ax``, or the axes of a new pyplot figure (shown inline by Jupyter)."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _named(values, name, function: str) -> list[tuple[str, object]]:
    """``[(name, array)]`` from an array, a Series, a DataFrame or a mapping."""
    if isinstance(values, pd.DataFrame):
        return [(str(column), values[column].to_numpy()) for column in values]
    if isinstance(values, pd.Series):
        default = "model" if values.name is None else str(values.name)
        return [(name or default, values.to_numpy())]
    if isinstance(values, Mapping):
        if not values:
            raise ValueError(f"{function} needs at least one model's predictions; got none.")
        return [(str(key), array) for key, array in values.items()]
    return [(name or "model", values)]


def _check_scores(values, argument: str, function: str) -> np.ndarray:
    array = check_one_dimensional(values, argument, function)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{argument} of {function} must be numeric; got dtype {array.dtype}. Pass the "
            "predicted risk (higher = higher risk)."
        )
    array = array.astype(float)
    missing = np.isnan(array)
    if missing.any():
        raise ValueError(
            f"{argument} of {function} has {int(missing.sum())} NaN value(s) (first positions "
            f"{_first_positions(missing)}); every patient needs a score."
        )
    return array


# -- ROC -------------------------------------------------------------------------------
class RocCurveDisplay:
    """ROC curves of one or more models.

    Build one with :meth:`from_predictions`; the constructor only stores the curves.

    Parameters
    ----------
    fpr, tpr : dict of str to ndarray
        False and true positive rates of each model's curve.
    roc_auc : dict of str to float
        Area under each curve.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    lines_ : dict of str to matplotlib Line2D

    References
    ----------
    .. [1] Hanley JA, McNeil BJ. The meaning and use of the area under a receiver
       operating characteristic (ROC) curve. Radiology 1982;143:29-36.

    Examples
    --------
    >>> from riskml.evaluation import RocCurveDisplay
    >>> display = RocCurveDisplay.from_predictions(
    ...     [0, 0, 1, 1], {"a": [0.1, 0.4, 0.35, 0.8], "b": [0.2, 0.1, 0.7, 0.9]})
    >>> display.roc_auc
    {'a': 0.75, 'b': 1.0}
    """

    def __init__(self, *, fpr: dict, tpr: dict, roc_auc: dict):
        self.fpr = fpr
        self.tpr = tpr
        self.roc_auc = roc_auc

    @classmethod
    def from_predictions(
        cls, y_true, y_score, *, name: str | None = None, ax=None, chance_level: bool = True
    ) -> RocCurveDisplay:
        """Compute the curves and plot them.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            1 (or True) for an event, 0 for none.
        y_score : array-like, pandas.Series, pandas.DataFrame or dict
            Risk scores (higher = higher risk): one array, or one per model as
            DataFrame columns or a dict ``{name: array}``.
        name : str, default=None
            Label of a single curve (default ``"model"`` or the Series name).
        ax : matplotlib Axes, default=None
        chance_level : bool, default=True
            Draw the diagonal of a useless score.

        Returns
        -------
        RocCurveDisplay
        """
        from sklearn.metrics import roc_curve

        from ._discrimination import roc_auc

        function = "RocCurveDisplay.from_predictions"
        event = _check_binary_outcome(y_true, function)
        fpr, tpr, areas = {}, {}, {}
        for label, values in _named(y_score, name, function):
            score = _check_scores(values, f"y_score[{label!r}]", function)
            if score.shape[0] != event.shape[0]:
                raise ValueError(
                    f"the inputs of {function} must have one value per patient; got "
                    f"{event.shape[0]} outcomes and {score.shape[0]} scores for {label!r}."
                )
            fpr[label], tpr[label], _ = roc_curve(event, score)
            areas[label] = roc_auc(event, score)
        return cls(fpr=fpr, tpr=tpr, roc_auc=areas).plot(ax=ax, chance_level=chance_level)

    def plot(self, ax=None, *, chance_level: bool = True) -> RocCurveDisplay:
        """Draw the curves on ``ax`` (new axes when None); returns self."""
        ax = _axes(ax)
        self.lines_ = {}
        for label in self.fpr:
            (self.lines_[label],) = ax.plot(
                self.fpr[label], self.tpr[label], label=self._curve_label(label)
            )
        if chance_level:
            ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="Chance")
        ax.set_xlim(-0.01, 1.01)
        ax.set_ylim(-0.01, 1.01)
        ax.set_aspect("equal")
        xlabel, ylabel = self._axis_labels()
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="lower right")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _curve_label(self, label: str) -> str:
        return f"{label} (AUC = {self.roc_auc[label]:.3f})"

    def _axis_labels(self) -> tuple[str, str]:
        return "1 - specificity (false positive rate)", "Sensitivity (true positive rate)"


# -- time-dependent ROC ----------------------------------------------------------------
class TimeDependentRocDisplay(RocCurveDisplay):
    """Time-dependent ROC curves at a horizon (cumulative/dynamic, IPCW).

    Build one with :meth:`from_predictions`; the constructor only stores the curves.
    At horizon t the cases are the patients with an event at or before t, weighted
    by the inverse probability of remaining uncensored until their event; the
    controls are the patients event-free at t (one shared weight, which cancels);
    patients censored before t are neither. Sensitivity is the weighted share of
    cases with a risk above a threshold, 1 - specificity the share of controls.
    The area under each curve is :func:`time_dependent_auc` at t.

    Parameters
    ----------
    fpr, tpr : dict of str to ndarray
        1 - specificity and sensitivity at the horizon, per model.
    roc_auc : dict of str to float
        The time-dependent AUC of each model at the horizon.
    horizon : float
        The horizon, in the units of the follow-up time (days).
    thresholds : dict of str to ndarray, default=None
        The risk thresholds of the curve's points (a patient is positive when their
        risk is at or above it; the first is ``inf``).
    censoring_weights : {"before", "at", "riskRegression"}, default="before"
        The convention of :func:`ipcw_weights` the curves were computed with.
    n_cases, n_controls : int, default=None
        Events by the horizon, and patients event-free at it.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    lines_ : dict of str to matplotlib Line2D

    See Also
    --------
    time_dependent_auc : The area under each curve.
    ipcw_weights : The cases, controls and weights.
    RocCurveDisplay : ROC curves of a binary outcome.

    Notes
    -----
    ``tpr(c) = sum_cases w_i [r_i >= c] / sum_cases w_i`` and ``fpr(c) =
    #{controls with r_j >= c} / #controls`` (Uno et al. 2007; Blanche et al. 2013);
    the weights ``w_i`` are ``1 / G(T_i-)`` with the default ``"before"``
    convention (:func:`ipcw_weights`). The trapezoidal area under the curve counts
    tied risks 1/2, so it equals the time-dependent AUC in the legend. Higher risk =
    more likely a case.

    References
    ----------
    .. [1] Heagerty PJ, Lumley T, Pepe MS. Time-dependent ROC curves for censored
       survival data and a diagnostic marker. Biometrics 2000;56:337-344.
    .. [2] Uno H, Cai T, Tian L, Wei LJ. Evaluating prediction rules for t-year
       survivors with censored regression models. J Am Stat Assoc 2007;102:527-537.
    .. [3] Blanche P, Dartigues JF, Jacqmin-Gadda H. Estimating and comparing
       time-dependent areas under receiver operating characteristic curves for
       censored event times with competing risks. Stat Med 2013;32:5381-5397.

    Examples
    --------
    >>> from riskml.evaluation import TimeDependentRocDisplay
    >>> display = TimeDependentRocDisplay.from_predictions(
    ...     [5, 10, 15, 20, 25], [1, 1, 0, 1, 0], [0.9, 0.3, 0.5, 0.1, 0.2], horizon=12)
    >>> round(display.roc_auc["model"], 4)
    0.8333
    """

    def __init__(
        self,
        *,
        fpr: dict,
        tpr: dict,
        roc_auc: dict,
        horizon: float,
        thresholds: dict | None = None,
        censoring_weights: str = "before",
        n_cases: int | None = None,
        n_controls: int | None = None,
    ):
        super().__init__(fpr=fpr, tpr=tpr, roc_auc=roc_auc)
        self.horizon = horizon
        self.thresholds = thresholds
        self.censoring_weights = censoring_weights
        self.n_cases = n_cases
        self.n_controls = n_controls

    @classmethod
    def from_predictions(
        cls,
        time,
        event,
        risk,
        horizon,
        *,
        name: str | None = None,
        censoring_weights: str = "before",
        train_time=None,
        train_event=None,
        event_type=None,
        ax=None,
        chance_level: bool = True,
    ) -> TimeDependentRocDisplay:
        """Compute the time-dependent ROC curves at ``horizon`` and plot them.

        Parameters
        ----------
        time : array-like of shape (n_samples,)
            Days from the index time to the event or to censoring.
        event : array-like of shape (n_samples,)
            1 where the event was observed, 0 where follow-up was censored.
        risk : array-like, pandas.Series, pandas.DataFrame or dict
            Predicted risk by the horizon (higher = higher risk): one array, or one
            per model as DataFrame columns or a dict ``{name: array}``.
        horizon : float
            The horizon, in the units of ``time``; it needs a case and a control.
        name : str, default=None
            Label of a single curve (default ``"model"`` or the Series name).
        censoring_weights : {"before", "at", "riskRegression"}, default="before"
            As :func:`time_dependent_auc`.
        train_time, train_event : array-like, default=None
            The data the censoring distribution is estimated from; None: the data
            given.
        event_type : array-like of shape (n_samples,), default=None
            Competing risks (``event`` is then ignored): 0 censored, 1 the event of
            interest, 2, 3, ... competing events. The cases have the event of interest
            by the horizon; the controls are everyone else known to be free of it,
            competing events before the horizon included (weights of
            :func:`competing_ipcw_weights`); the area is
            :func:`competing_time_dependent_auc`, as ``riskRegression::Score(cause = 1)``.
        ax : matplotlib Axes, default=None
            New axes on a new pyplot figure when None.
        chance_level : bool, default=True
            Draw the diagonal of a useless score.

        Returns
        -------
        TimeDependentRocDisplay
        """
        from sklearn.metrics import roc_curve

        from ._discrimination import _check_event_time
        from ._ipcw import _check_censoring_weights, _ipcw_weights, time_dependent_auc

        function = "TimeDependentRocDisplay.from_predictions"
        censoring_weights = _check_censoring_weights(censoring_weights, function)
        if event_type is not None:
            from ._competing import competing_ipcw_weights, competing_time_dependent_auc

            time = np.asarray(time, dtype=float)
            event_type = np.asarray(event_type)
            label, weights = competing_ipcw_weights(
                time, event_type, horizon, censoring_weights=censoring_weights
            )
            cases, controls = label == 1, label == 0

            def area(score):
                return competing_time_dependent_auc(
                    time, event_type, score, [float(horizon)], censoring_weights=censoring_weights
                )[0]
        else:
            time, event = _check_event_time(time, event, function)
            cases, controls, weights = _ipcw_weights(
                time, event, horizon, train_time, train_event, censoring_weights, function
            )

            def area(score):
                return time_dependent_auc(
                    time,
                    event,
                    score,
                    [float(horizon)],
                    train_time=train_time,
                    train_event=train_event,
                    censoring_weights=censoring_weights,
                )[0]

        if not cases.any() or not controls.any():
            raise ValueError(
                f"{function} needs cases (events by the horizon) and controls (event-free "
                f"at it) at horizon={float(horizon):g}; got {int(cases.sum())} case(s) and "
                f"{int(controls.sum())} control(s). Choose a horizon within the follow-up."
            )
        evaluable = cases | controls
        fpr, tpr, thresholds, areas = {}, {}, {}, {}
        for label, values in _named(risk, name, function):
            score = _check_scores(values, f"risk[{label!r}]", function)
            if score.shape[0] != time.shape[0]:
                raise ValueError(
                    f"the inputs of {function} must have one value per patient; got "
                    f"{time.shape[0]} follow-up times and {score.shape[0]} risks for {label!r}."
                )
            fpr[label], tpr[label], thresholds[label] = roc_curve(
                cases[evaluable], score[evaluable], sample_weight=weights[evaluable]
            )
            areas[label] = float(area(score))
        display = cls(
            fpr=fpr,
            tpr=tpr,
            roc_auc=areas,
            horizon=float(horizon),
            thresholds=thresholds,
            censoring_weights=censoring_weights,
            n_cases=int(cases.sum()),
            n_controls=int(controls.sum()),
        )
        return display.plot(ax=ax, chance_level=chance_level)

    def _curve_label(self, label: str) -> str:
        return f"{label} (AUC({self.horizon:g}) = {self.roc_auc[label]:.3f})"

    def _axis_labels(self) -> tuple[str, str]:
        return (
            f"1 - specificity (event-free at {self.horizon:g})",
            f"Sensitivity (events by {self.horizon:g}, IPCW)",
        )


# -- calibration -----------------------------------------------------------------------
class CalibrationDisplay:
    """Calibration plot: observed against predicted risk, with its uncertainty.

    Build one with :meth:`from_predictions` (binary outcome: a smoothed curve with
    a bootstrap band, or grouped points) or :meth:`from_survival` (observed risk at
    a horizon from Kaplan-Meier within risk groups).

    Parameters
    ----------
    curve : pandas.DataFrame
        Columns ``predicted``, ``observed``, ``low``, ``high`` (from
        :func:`calibration_curve` or :func:`survival_calibration`).
    y_prob : ndarray
        The predicted risks (for the histogram).
    kind : {"loess", "bins", "survival"}
        How ``curve`` was made: a continuous curve or grouped points.
    name : str, default="model"
    confidence : float, default=0.95
    errors : CalibrationErrors or None, default=None
        ICI and friends, shown in the legend when given.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    line_ : the curve (Line2D) or the points (ErrorbarContainer)
    band_ : matplotlib PolyCollection or None
        The confidence band of a smoothed curve.
    hist_ : matplotlib BarContainer or None
        The histogram of predicted risks along the bottom.

    References
    ----------
    .. [1] Van Calster B, McLernon DJ, van Smeden M, et al. Calibration: the Achilles
       heel of predictive analytics. BMC Med 2019;17:230.
    .. [2] Austin PC, Steyerberg EW. Graphical assessment of internal and external
       calibration of logistic regression models by using loess smoothers. Stat Med
       2014;33:517-535.

    Examples
    --------
    >>> import numpy as np
    >>> from riskml.evaluation import CalibrationDisplay
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.6, 300)
    >>> y = rng.random(300) < p
    >>> display = CalibrationDisplay.from_predictions(y, p, n_boot=50, random_state=0)
    >>> list(display.curve.columns)
    ['predicted', 'observed', 'low', 'high']
    """

    def __init__(
        self,
        *,
        curve: pd.DataFrame,
        y_prob: np.ndarray,
        kind: str,
        name: str = "model",
        confidence: float = 0.95,
        errors: CalibrationErrors | None = None,
    ):
        self.curve = curve
        self.y_prob = y_prob
        self.kind = kind
        self.name = name
        self.confidence = confidence
        self.errors = errors

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_prob,
        *,
        method: str = "loess",
        n_groups: int = 10,
        frac: float = 2.0 / 3.0,
        confidence: float = 0.95,
        n_boot: int = 200,
        random_state=None,
        name: str = "model",
        histogram: bool = True,
        ax=None,
        n_bins=None,
    ) -> CalibrationDisplay:
        """Compute a binary-outcome calibration curve and plot it.

        Parameters
        ----------
        y_true, y_prob, method, n_groups, frac, confidence, n_boot, random_state
            As :func:`calibration_curve`.
        name : str, default="model"
        histogram : bool, default=True
            Draw the distribution of predicted risks along the bottom.
        ax : matplotlib Axes, default=None
        n_bins : int, default=None
            Deprecated old name of ``n_groups`` (``FutureWarning``; removed in 0.2).

        Returns
        -------
        CalibrationDisplay
        """
        n_groups = renamed_keyword(
            n_groups, n_bins, "n_groups", "n_bins", "CalibrationDisplay.from_predictions", 10
        )
        curve = calibration_curve(
            y_true,
            y_prob,
            method=method,
            n_groups=n_groups,
            frac=frac,
            confidence=confidence,
            n_boot=n_boot,
            random_state=random_state,
        )
        prob = _check_probabilities(y_prob, "CalibrationDisplay.from_predictions")
        event = _check_binary_outcome(y_true, "CalibrationDisplay.from_predictions")
        errors = ici(event, prob, frac=frac) if 0 < event.sum() < event.shape[0] else None
        display = cls(
            curve=curve, y_prob=prob, kind=method, name=name, confidence=confidence, errors=errors
        )
        return display.plot(ax=ax, histogram=histogram)

    @classmethod
    def from_survival(
        cls,
        time,
        event,
        risk_at_horizon,
        horizon,
        *,
        n_groups: int = 10,
        confidence: float = 0.95,
        name: str = "model",
        histogram: bool = True,
        ax=None,
    ) -> CalibrationDisplay:
        """Compute Kaplan-Meier calibration at a horizon by risk group and plot it.

        Parameters
        ----------
        time, event, risk_at_horizon, horizon, n_groups, confidence
            As :func:`survival_calibration`.
        name : str, default="model"
        histogram : bool, default=True
        ax : matplotlib Axes, default=None

        Returns
        -------
        CalibrationDisplay
        """
        curve = survival_calibration(
            time, event, risk_at_horizon, horizon, n_groups=n_groups, confidence=confidence
        )
        _, _, risk, _ = _check_survival_inputs(
            time, event, risk_at_horizon, horizon, "CalibrationDisplay.from_survival"
        )
        display = cls(curve=curve, y_prob=risk, kind="survival", name=name, confidence=confidence)
        return display.plot(ax=ax, histogram=histogram)

    def plot(self, ax=None, *, histogram: bool = True) -> CalibrationDisplay:
        """Draw the ideal line, the curve with its uncertainty, and the risk histogram."""
        ax = _axes(ax)
        curve = self.curve
        values = np.concatenate(
            [self.y_prob, curve["observed"].to_numpy(), curve["high"].to_numpy()]
        )
        top = float(min(1.0, 1.05 * np.nanmax(values))) if np.isfinite(values).any() else 1.0
        if not any(line.get_label() == "Ideal" for line in ax.get_lines()):
            ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="Ideal")
        label = self.name
        if self.errors is not None:
            label = f"{label} (ICI = {self.errors.ici:.3f})"
        self.band_ = None
        if self.kind == "loess":
            (self.line_,) = ax.plot(curve["predicted"], curve["observed"], label=label)
            if curve["low"].notna().any():
                self.band_ = ax.fill_between(
                    curve["predicted"],
                    curve["low"],
                    curve["high"],
                    alpha=0.25,
                    color=self.line_.get_color(),
                    linewidth=0,
                    label=f"{self.confidence:.0%} CI (bootstrap)",
                )
        else:
            observed = curve["observed"].to_numpy()
            errors = np.vstack(
                [observed - curve["low"].to_numpy(), curve["high"].to_numpy() - observed]
            )
            self.line_ = ax.errorbar(
                curve["predicted"],
                observed,
                yerr=np.where(np.isfinite(errors), np.clip(errors, 0.0, None), 0.0),
                fmt="o",
                capsize=3,
                label=f"{label} ({self.confidence:.0%} CI)",
            )
        self.hist_ = None
        if histogram and self.y_prob.shape[0]:
            counts, edges = np.histogram(self.y_prob, bins=40, range=(0.0, top))
            heights = counts / max(counts.max(), 1) * 0.15 * top
            self.hist_ = ax.bar(
                edges[:-1],
                heights,
                width=np.diff(edges),
                align="edge",
                color="grey",
                alpha=0.35,
                label="Predicted risks (histogram)",
            )
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_aspect("equal")
        ax.set_xlabel("Predicted risk")
        ax.set_ylabel("Observed risk")
        ax.legend(loc="upper left")
        self.ax_, self.figure_ = ax, ax.figure
        return self


# -- decision curves -------------------------------------------------------------------
class DecisionCurveDisplay:
    """Decision curves: net benefit against threshold probability.

    Build one with :meth:`from_predictions` (binary outcome) or
    :meth:`from_survival` (risk by a horizon, censored data).

    Parameters
    ----------
    curve : pandas.DataFrame
        The tidy output of :func:`decision_curve` or :func:`decision_curve_survival`.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    lines_ : dict of str to matplotlib Line2D
        One per strategy, including ``"Treat all"`` and ``"Treat none"``.

    References
    ----------
    .. [1] Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating
       prediction models. Med Decis Making 2006;26:565-574.

    Examples
    --------
    >>> from riskml.evaluation import DecisionCurveDisplay
    >>> display = DecisionCurveDisplay.from_predictions(
    ...     [0, 1, 1, 0, 0, 1], {"m": [0.1, 0.8, 0.6, 0.3, 0.2, 0.4]})
    >>> sorted(display.lines_)
    ['Treat all', 'Treat none', 'm']
    """

    def __init__(self, *, curve: pd.DataFrame):
        self.curve = curve

    @classmethod
    def from_predictions(
        cls, y_true, predictions, *, thresholds=None, ax=None
    ) -> DecisionCurveDisplay:
        """Compute binary-outcome decision curves (:func:`decision_curve`) and plot them."""
        return cls(curve=decision_curve(y_true, predictions, thresholds=thresholds)).plot(ax=ax)

    @classmethod
    def from_survival(
        cls,
        time,
        event,
        predictions,
        horizon,
        *,
        thresholds=None,
        convention: str = "kaplan_meier",
        ax=None,
    ) -> DecisionCurveDisplay:
        """Compute decision curves at a horizon (:func:`decision_curve_survival`), plot them.

        ``convention`` is that of :func:`net_benefit_survival`.
        """
        curve = decision_curve_survival(
            time, event, predictions, horizon, thresholds=thresholds, convention=convention
        )
        return cls(curve=curve).plot(ax=ax)

    def plot(self, ax=None, *, ylim=None) -> DecisionCurveDisplay:
        """Draw one line per strategy on ``ax`` (new axes when None); returns self.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        ylim : (float, float), default=None
            Net-benefit range; by default from a little below 0 to a little above the
            largest net benefit (treat all plunges as the threshold rises).
        """
        ax = _axes(ax)
        self.lines_ = {}
        styles = {
            TREAT_NONE: {"color": "black", "linewidth": 1},
            TREAT_ALL: {"color": "grey", "linewidth": 1},
        }
        for label, rows in self.curve.groupby("model", sort=False):
            (self.lines_[label],) = ax.plot(
                rows["threshold"], rows["net_benefit"], label=label, **styles.get(label, {})
            )
        if ylim is None:
            top = float(np.nanmax(self.curve["net_benefit"].to_numpy()))
            top = top if top > 0 else 0.05
            ylim = (-0.1 * top, 1.1 * top)
        ax.set_ylim(*ylim)
        ax.set_xlim(self.curve["threshold"].min(), self.curve["threshold"].max())
        ax.set_xlabel("Threshold probability")
        ax.set_ylabel("Net benefit")
        ax.legend(loc="upper right")
        self.ax_, self.figure_ = ax, ax.figure
        return self
