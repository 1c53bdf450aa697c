"""The plots of a study's results: :class:`StudyPlots`, the plotting methods of
:class:`~riskml.study.StudyResult`.

Each method draws what the result already holds (the held-out predictions, the
calibration and decision-curve tables, the explanations, the bootstrap models'
predictions) through riskml's Display objects and explanation plots, on ``ax`` or on
a new pyplot figure (so a notebook cell shows it inline), and returns the Display or
the Axes; none calls ``plt.show()``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["StudyPlots"]

#: ``StudyResult.plot_stability(kind=...)`` -> the PredictionStability method it calls
STABILITY_PLOTS = {
    "predictions": "plot_predictions",
    "mape": "plot_mape",
    "classification": "plot_classification",
    "calibration": "plot_calibration",
    "decision_curves": "plot_decision_curves",
}

_REFERENCE_STRATEGIES = ("Treat all", "Treat none")


def _chosen(models, available: list[str], method: str, what: str) -> list[str]:
    """``models`` (None: all ``available``; one name or several) checked against them."""
    if models is None:
        return list(available)
    names = [models] if isinstance(models, str) else list(models)
    if not names:
        raise ValueError(f"models of StudyResult.{method} is empty; name at least one model.")
    unknown = [name for name in names if name not in available]
    if unknown:
        raise ValueError(
            f"StudyResult.{method}: {', '.join(map(repr, unknown))} not among the models "
            f"{what}: {available}."
        )
    return names


class StudyPlots:
    """The plotting methods of :class:`~riskml.study.StudyResult` (a mixin).

    ``plot_roc``, ``plot_calibration`` and ``plot_decision_curve`` draw the held-out
    predictions (out of fold; the whole-cohort fit's for the internal validation
    schemes) and the tables of the result; ``plot_importance`` and ``plot_patient``
    the SHAP explanations; ``plot_stability`` the bootstrap models' predictions.
    Without ``ax`` each draws on a new pyplot figure, which Jupyter shows inline.
    """

    # -- helpers ------------------------------------------------------------------
    def _predictions_words(self) -> str:
        """Which predictions the curves are of."""
        if getattr(self, "optimism", None) is not None:
            return "apparent, whole-cohort fit"
        return "out-of-fold"

    def _needs_horizon(self, method: str, what: str) -> None:
        if self.outcome.is_survival and self.horizon is None:
            raise ValueError(
                f"StudyResult.{method}: {what} of a time-to-event outcome is read at a "
                "horizon, and this study has none (its models predict relative risk "
                "only). Run Study(..., horizon=days)."
            )

    def _table_models(self, table, models, method: str, what: str) -> list[str]:
        """The models of a stored table (calibration, decision curve) to draw."""
        self._needs_horizon(method, what)
        if table is None or len(table) == 0:
            raise ValueError(
                f"StudyResult.{method}: this study has no {what}: no model gives "
                "probabilities (risks between 0 and 1), which it needs."
            )
        available = [
            str(name) for name in dict.fromkeys(table["model"]) if name not in _REFERENCE_STRATEGIES
        ]
        if models is not None:
            names = [models] if isinstance(models, str) else list(models)
            lacking = [n for n in names if n in self.predictions.columns and n not in available]
            if lacking:
                raise ValueError(
                    f"StudyResult.{method}: {', '.join(map(repr, lacking))} has no {what}: "
                    "its predictions are not probabilities (risks between 0 and 1). "
                    f"Models with one: {available}."
                )
        return _chosen(models, available, method, f"with a {what}")

    def _explanation_of(self, model, method: str):
        if not self.explanations:
            raise ValueError(
                f"StudyResult.{method} needs SHAP explanations, and this study has none (it "
                "was run with explain=None or explain=False). Run it again with "
                "Study(..., explain=True) (every model), explain='auto' or explain=[names]."
            )
        if model is None:
            return self.explanation
        if model not in self.explanations:
            raise ValueError(
                f"StudyResult.{method}: model {model!r} was not explained; explained models: "
                f"{list(self.explanations)}. Name it in Study(..., explain=[...]) or run "
                "with explain=True."
            )
        return self.explanations[model]

    # -- discrimination, calibration, clinical utility -------------------------------
    def plot_roc(self, models=None, ax=None, *, chance_level: bool = True):
        """ROC curves of the held-out predictions, with each model's AUC.

        A binary outcome gives the ROC curve of each model
        (:class:`~riskml.evaluation.RocCurveDisplay`, the AUC of the summary); a
        time-to-event outcome the time-dependent ROC at the study's horizon
        (:class:`~riskml.evaluation.TimeDependentRocDisplay`: cumulative cases,
        dynamic controls, inverse-probability-of-censoring weights with the study's
        ``censoring_weights``), whose area is the summary's ``td_auc``.

        Parameters
        ----------
        models : str or list of str, default=None
            Models to draw; every model when None.
        ax : matplotlib Axes, default=None
            New axes on a new pyplot figure when None (shown inline in Jupyter).
        chance_level : bool, default=True
            Draw the diagonal of a useless score.

        Returns
        -------
        RocCurveDisplay or TimeDependentRocDisplay
            With ``roc_auc`` per model, ``ax_`` and ``figure_``.

        Raises
        ------
        ValueError
            For a time-to-event outcome studied without a horizon, or an unknown
            model.

        Examples
        --------
        >>> display = result.plot_roc()  # doctest: +SKIP
        >>> display.roc_auc  # doctest: +SKIP
        {'cox': 0.712..., 'lasso': 0.683...}
        """
        from ..evaluation import RocCurveDisplay, TimeDependentRocDisplay

        names = _chosen(models, list(self.predictions.columns), "plot_roc", "of this study")
        risk = self.predictions[names]
        outcome = self.outcome
        if outcome.is_survival:
            self._needs_horizon("plot_roc", "the ROC curve")
            # competing risks: the controls include competing events before the horizon
            competing = getattr(outcome, "is_competing", False)
            display = TimeDependentRocDisplay.from_predictions(
                outcome.time,
                outcome.event,
                risk,
                self.horizon,
                censoring_weights=(self.settings or {}).get("censoring_weights", "before"),
                event_type=outcome.event_type if competing else None,
                ax=ax,
                chance_level=chance_level,
            )
            title = f"Time-dependent ROC at {self.horizon:g} days"
        else:
            display = RocCurveDisplay.from_predictions(
                outcome.event.astype(int), risk, ax=ax, chance_level=chance_level
            )
            title = "ROC"
        display.ax_.set_title(f"{title} ({self._predictions_words()})")
        return display

    def plot_calibration(self, models=None, ax=None, *, histogram: bool | None = None):
        """Observed against predicted risk by group of predicted risk, with 95% CIs.

        Draws :attr:`calibration` (the table of the study: Kaplan-Meier risk by the
        horizon within groups of predicted risk for a time-to-event outcome, the
        event rate for a binary one) through
        :class:`~riskml.evaluation.CalibrationDisplay`, one set of points per model.

        Parameters
        ----------
        models : str or list of str, default=None
            Models to draw; every model with a calibration table when None (those
            whose predictions are probabilities).
        ax : matplotlib Axes, default=None
            New axes on a new pyplot figure when None (shown inline in Jupyter).
        histogram : bool, default=None
            Draw the distribution of predicted risks along the bottom; by default
            only when one model is drawn.

        Returns
        -------
        matplotlib Axes

        Raises
        ------
        ValueError
            When the study has no calibration table (a time-to-event outcome without
            a horizon, or no model giving probabilities) or a model is not in it.

        Examples
        --------
        >>> ax = result.plot_calibration(["cox"])  # doctest: +SKIP
        """
        from ..evaluation import CalibrationDisplay

        table = self.calibration
        names = self._table_models(table, models, "plot_calibration", "calibration table")
        histogram = len(names) == 1 if histogram is None else bool(histogram)
        kind = "survival" if self.outcome.is_survival else "bins"
        drawn = table[table["model"].isin(names)]
        values = drawn[["predicted", "observed", "high"]].to_numpy(dtype=float)
        top = min(1.0, 1.1 * float(np.nanmax(values))) if np.isfinite(values).any() else 1.0
        for name in names:
            rows = drawn[drawn["model"] == name].drop(columns="model").reset_index(drop=True)
            display = CalibrationDisplay(
                curve=rows,
                y_prob=self.predictions[name].to_numpy(dtype=float),
                kind=kind,
                name=name,
            ).plot(ax=ax, histogram=histogram)
            ax = display.ax_
            if histogram:  # the histogram spans every predicted risk
                top = max(top, ax.get_xlim()[1])
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        where = f" at {self.horizon:g} days" if self.outcome.is_survival else ""
        ax.set_title(f"Calibration{where} ({self._predictions_words()})")
        return ax

    def plot_decision_curve(self, models=None, ax=None, *, ylim=None):
        """Net benefit against threshold probability, with treat all and treat none.

        Draws :attr:`decision_curve` (thresholds 1% to 50%; at the horizon for a
        time-to-event outcome) through :class:`~riskml.evaluation.DecisionCurveDisplay`.

        Parameters
        ----------
        models : str or list of str, default=None
            Models to draw; every model with a decision curve when None (those whose
            predictions are probabilities).
        ax : matplotlib Axes, default=None
            New axes on a new pyplot figure when None (shown inline in Jupyter).
        ylim : (float, float), default=None
            As :meth:`DecisionCurveDisplay.plot <riskml.evaluation.DecisionCurveDisplay.plot>`.

        Returns
        -------
        DecisionCurveDisplay

        Examples
        --------
        >>> display = result.plot_decision_curve()  # doctest: +SKIP
        """
        from ..evaluation import DecisionCurveDisplay

        table = self.decision_curve
        names = self._table_models(table, models, "plot_decision_curve", "decision curve")
        curve = table[table["model"].isin([*names, *_REFERENCE_STRATEGIES])]
        display = DecisionCurveDisplay(curve=curve.reset_index(drop=True)).plot(ax=ax, ylim=ylim)
        where = f" at {self.horizon:g} days" if self.outcome.is_survival else ""
        display.ax_.set_title(f"Decision curve{where} ({self._predictions_words()})")
        return display

    # -- explanations ---------------------------------------------------------------
    def plot_importance(self, model=None, *, kind: str = "beeswarm", max_display=15, ax=None):
        """Global SHAP importance of one model's whole-cohort fit.

        Parameters
        ----------
        model : str, default=None
            An explained model; the main explained model when None.
        kind : {"beeswarm", "bar"}, default="beeswarm"
            Every explained patient's contribution per feature, coloured by the
            feature's value (:func:`riskml.explain.plot_beeswarm`), or the mean
            absolute SHAP value per feature (``ShapExplanation.plot_bar``).
        max_display : int, default=15
            Features shown (the most important ones).
        ax : matplotlib Axes, default=None
            New axes on a new pyplot figure when None (shown inline in Jupyter).

        Returns
        -------
        matplotlib Axes

        Raises
        ------
        ValueError
            When the study has no explanations (``Study(..., explain=None)``) or the
            model was not explained.

        Examples
        --------
        >>> ax = result.plot_importance("cox", kind="bar")  # doctest: +SKIP
        """
        if kind not in ("beeswarm", "bar"):
            raise ValueError(
                f"The 'kind' parameter of StudyResult.plot_importance must be 'beeswarm' or "
                f"'bar'. Got {kind!r} instead."
            )
        explanation = self._explanation_of(model, "plot_importance")
        if kind == "bar":
            return explanation.plot_bar(max_display=max_display, ax=ax)
        return explanation.plot_beeswarm(max_display=max_display, ax=ax)

    def plot_patient(self, k=None, model=None, *, max_display: int = 10, ax=None):
        """Waterfall of one patient's SHAP contributions, from the base value to the risk.

        Parameters
        ----------
        k : int, default=None
            Row position of the patient in the cohort (never an identifier); the
            example patient (:attr:`patient_index`) when None. A patient outside the
            explained sample is explained now, as in :meth:`explain`.
        model : str, default=None
            An explained model; the main explained model when None.
        max_display : int, default=10
            Bars shown; the remaining features are pooled into one.
        ax : matplotlib Axes, default=None
            New axes on a new pyplot figure when None (shown inline in Jupyter).

        Returns
        -------
        matplotlib Axes

        Raises
        ------
        ValueError
            When the study has no explanations, the model was not explained, or
            ``k`` is not a row position of the cohort.

        Examples
        --------
        >>> ax = result.plot_patient(17)  # doctest: +SKIP
        """
        explanation = self._explanation_of(model, "plot_patient")
        k = self.patient_index if k is None else k
        explanation = self._covering(explanation, getattr(explanation, "model_name", None), k)
        return explanation.plot_waterfall(int(k), max_display=max_display, ax=ax)

    # -- stability --------------------------------------------------------------------
    def plot_stability(self, models=None, *, kind: str = "predictions", ax=None, **options):
        """Prediction stability across the bootstrap models (Riley & Collins 2023).

        Parameters
        ----------
        models : str or list of str, default=None
            Models to draw, one panel each; every model when None.
        kind : {"predictions", "mape", "classification", "calibration", \
"decision_curves"}, default="predictions"
            Which plot of :class:`~riskml.evaluation.PredictionStability`:
            bootstrap-model risk against the developed model's, per-patient mean
            absolute prediction error, classification instability (needs
            ``threshold=``), calibration or decision-curve instability.
        ax : matplotlib Axes, default=None
            Axes for a single model's plot; None: a new pyplot figure (shown inline
            in Jupyter) with one panel per model.
        **options
            Passed to the PredictionStability method (e.g. ``threshold=0.2``,
            ``confidence=0.9``).

        Returns
        -------
        matplotlib Axes, or ndarray of Axes
            The Axes when one model is drawn; one Axes per model otherwise.

        Raises
        ------
        ValueError
            When the study was not validated by a bootstrap scheme
            (``validation=InternalValidation("bootstrap" | "632" | "632+")``).

        References
        ----------
        .. [1] Riley RD, Collins GS. Stability of clinical prediction models developed
           using statistical or machine learning methods. Biom J 2023;65:2200302.

        Examples
        --------
        >>> ax = result.plot_stability("cox", kind="mape")  # doctest: +SKIP
        """
        if kind not in STABILITY_PLOTS:
            raise ValueError(
                "The 'kind' parameter of StudyResult.plot_stability must be one of "
                f"{', '.join(map(repr, STABILITY_PLOTS))}. Got {kind!r} instead."
            )
        if not self.stability:
            raise ValueError(
                "StudyResult.plot_stability needs the bootstrap replicate models' "
                "predictions; this study has none. Run it with "
                "validation=InternalValidation('bootstrap') (or '632', '632+')."
            )
        if kind == "classification" and "threshold" not in options:
            raise TypeError(
                "StudyResult.plot_stability(kind='classification') needs threshold=, the "
                "risk threshold that classifies patients (e.g. threshold=0.2)."
            )
        names = _chosen(models, list(self.stability), "plot_stability", "with stability")
        if ax is not None and len(names) > 1:
            raise ValueError(
                f"StudyResult.plot_stability draws {len(names)} models; ax takes one "
                "model's plot. Pass models='<name>', or leave ax=None for one panel per model."
            )
        if ax is None:
            import matplotlib.pyplot as plt

            _, panels = plt.subplots(
                1, len(names), figsize=(5.0 * len(names), 4.5), layout="constrained", squeeze=False
            )
            panels = panels[0]
        else:
            panels = np.array([ax], dtype=object)
        for name, panel in zip(names, panels, strict=True):
            getattr(self.stability[name], STABILITY_PLOTS[kind])(ax=panel, **options)
            panel.set_title(f"{name}: {panel.get_title()}", fontsize=9)
        return panels[0] if len(names) == 1 else panels
