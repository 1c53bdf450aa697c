"""What a study returns: :class:`StudyResult`, its tables, fits and explanations."""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..utils.deprecation import renamed_attribute
from ._plots import StudyPlots

__all__ = ["StudyResult"]


@dataclass
class StudyResult(StudyPlots):
    """What :meth:`Study.run` returns.

    Its plots (``plot_roc``, ``plot_calibration``, ``plot_decision_curve``,
    ``plot_importance``, ``plot_patient``, ``plot_stability``) draw what it holds on
    ``ax`` or on a new pyplot figure, shown inline in Jupyter.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per model and metric (names from the metric registry,
        :func:`riskml.evaluation.get_metric_names`): ``model``, ``metric``,
        ``estimate``, ``low``, ``high`` (95% interval: DeLong for the AUC, Wald for
        calibration intercept, slope and O:E, a bootstrap of patients otherwise),
        ``method``, ``n``, ``events`` (by the horizon for metrics at a horizon),
        ``n_boot``, ``n_degenerate``, ``small_data`` (True where fewer than 10
        events or non-events make the estimate unstable) and ``fit_issues`` (the
        model's fit issues with their counts, as in :attr:`fit_issues`; empty when
        every fit was clean). With an
        :class:`~riskml.evaluation.InternalValidation` scheme also ``optimism`` and
        ``corrected``. Numbers are unrounded.
    predictions : pandas.DataFrame
        Out-of-fold predicted risk (the mean over repeats for repeated
        cross-validation; the whole-cohort fit's for the internal validation schemes), one
        column per model, one row per patient in cohort order (no identifiers).
    outcome : Outcome
    horizon : float or None
        The horizon in days (``horizon_days`` is its deprecated name).
    fitted_models : dict
        Every model refitted on the whole cohort, for explanation and deployment.
    explanations : dict
        Model name → SHAP explanation of its whole-cohort fit
        (:func:`riskml.explain.explain_pipeline`).
    explanation : explanation or None
        The main model's explanation (the first explained model), for the report.
    patient_index : int or None
        Row position (never an identifier) of the example patient.
    comparison : pandas.DataFrame or None
        Each model against the reference: paired DeLong test of the AUCs for a
        binary outcome (as R's ``pROC::roc.test``), paired bootstrap of Harrell's C
        for a time-to-event one and of the time-dependent AUC of the event of
        interest at the horizon under competing risks; ``difference``, ``low``,
        ``high``, ``p_value``.
    calibration : pandas.DataFrame or None
        Predicted against observed risk by group of predicted risk, per model.
    decision_curve : pandas.DataFrame or None
        Net benefit by threshold, per model, with treat-all and treat-none.
    optimism : pandas.DataFrame or None
        With an :class:`~riskml.evaluation.InternalValidation` scheme (bootstrap,
        .632, .632+, cross-validation optimism or average): ``apparent``,
        ``optimism`` and ``corrected`` per model and metric, with ``method``,
        ``n_boot`` (replicates or folds) and ``n_degenerate``.
    external : pandas.DataFrame or None
        Performance of the whole-cohort fits on an external cohort.
    subgroups : pandas.DataFrame or None
        Performance within subgroups, from the out-of-fold predictions.
    fairness : riskml.evaluation.FairnessResult or None
        With ``subgroups``: the largest between-group difference of discrimination,
        calibration (O:E as a ratio, slope) and net benefit per grouping variable and
        model, with bootstrap intervals (its ``summary``), every metric per group
        (``groups``) and each group's calibration curve (``calibration``)
        (:func:`riskml.evaluation.fairness_summary`).
    selection_frequency : pandas.DataFrame or None
        How often each candidate predictor was kept by ``selection`` across the fits
        of each model (``model``, ``feature``, ``frequency``).
    sample_size : dict
        Events per candidate predictor parameter and the minimum sample size
        (Riley et al. 2019/2020 criteria).
    table_one : pandas.DataFrame or None
        Characteristics of the candidate predictors by outcome group, small cells
        suppressed.
    flow : pandas.DataFrame or None
        The cohort's exclusion flow (from loaders that apply inclusion criteria).
    stability : dict or None
        With the bootstrap validation schemes: model name →
        :class:`~riskml.evaluation.PredictionStability` (Riley & Collins 2023) from the
        replicate models' predictions: per-patient stability intervals, MAPE,
        classification instability, calibration and decision-curve instability,
        with ``interpret()`` for a one-sentence reading.
    fit_issues : pandas.DataFrame or None
        Fits that did not give the model asked for (separation, non-convergence, a
        fallback such as a ridge refit; :class:`~riskml.models.ModelFitWarning`), one
        row per model and issue: ``model``, ``issue`` (the sentence the model
        recorded), ``fits`` (how many fits had it), ``of`` (the fits made: whole
        cohort, folds or replicates) and ``whole_cohort`` (True when the deployed,
        explained fit has it). None when every fit was clean.
    competing_incidence : pandas.DataFrame or None
        A competing-risk outcome only: the Aalen-Johansen cumulative incidence of each
        event type and the ``1 - Kaplan-Meier`` of the event of interest with the
        competing events censored, with their values at the horizon in
        ``attrs["at_horizon"]`` (:func:`riskml.evaluation.cumulative_incidence_table`).
    timings : dict
        Wall-clock seconds per phase (``checks``, ``validation``, ``metrics``,
        ``explanations``; ``report`` once :meth:`report` has written one; the phases
        follow one another) and per model within the phases that fit or explain
        models (e.g. ``"validation lasso"``). With cross-validation, each model's
        whole-cohort fit (the model to deploy and explain) runs among its fold fits,
        several at a time (:func:`riskml.utils.parallel.run_fits`): ``"validation
        lasso"`` includes it and ``"refit lasso"`` gives its own seconds.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> study = rk.Study(cohort, models=["logistic"], validation=3, metrics=["harrell_c"],
    ...                  n_boot=50, explain=False, progress=False)
    >>> result = study.run()
    >>> result.horizon, result.predictions.shape
    (90.0, (299, 1))
    >>> result.summary[["model", "metric", "estimate", "low", "high"]].round(3)
          model     metric  estimate    low   high
    0  logistic  harrell_c     0.664  0.604  0.728
    """

    summary: pd.DataFrame
    predictions: pd.DataFrame
    outcome: object
    horizon: float | None
    cohort_summary: dict
    cohort_name: str
    cohort_source: str
    models: dict
    settings: dict
    fitted_models: dict = field(default_factory=dict)
    explanation: object = None
    explanations: dict = field(default_factory=dict)
    patient_index: int | None = None
    comparison: pd.DataFrame | None = None
    calibration: pd.DataFrame | None = None
    decision_curve: pd.DataFrame | None = None
    optimism: pd.DataFrame | None = None
    external: pd.DataFrame | None = None
    subgroups: pd.DataFrame | None = None
    fairness: object = None
    selection_frequency: pd.DataFrame | None = None
    sample_size: dict = field(default_factory=dict)
    table_one: pd.DataFrame | None = None
    flow: pd.DataFrame | None = None
    stability: dict | None = None
    fit_issues: pd.DataFrame | None = None
    timings: dict = field(default_factory=dict)
    competing_incidence: pd.DataFrame | None = None
    #: what :meth:`explain` needs to explain a patient outside the explained sample
    _explain_inputs: dict | None = field(default=None, repr=False)
    _on_demand: dict = field(default_factory=dict, repr=False)

    @property
    def horizon_days(self):
        """Deprecated name of :attr:`horizon`."""
        renamed_attribute("StudyResult", "horizon_days", "horizon")
        return self.horizon

    def print_summary(self, decimals: int = 3) -> None:
        """Print the comparison table, rounded for display only."""
        print(self.format_summary(decimals))

    def format_summary(self, decimals: int = 3) -> str:
        """The summary as text: estimate and 95% CI per model and metric."""
        rows = []
        for row in self.summary.itertuples():
            estimate = "—" if pd.isna(row.estimate) else f"{row.estimate:.{decimals}f}"
            interval = (
                "—" if pd.isna(row.low) else f"{row.low:.{decimals}f} to {row.high:.{decimals}f}"
            )
            rows.append(
                {
                    "model": row.model,
                    "metric": row.metric,
                    "estimate": estimate,
                    "95% CI": interval,
                    "n": row.n,
                    "events": row.events,
                    "": "small data" if row.small_data else "",
                }
            )
        text = pd.DataFrame(rows).to_string(index=False)
        if self.fit_issues is not None and len(self.fit_issues):
            notes = self.summary.drop_duplicates("model").set_index("model")["fit_issues"]
            text += "\n\nFit issues (result.fit_issues):\n" + "\n".join(
                f"  {model}: {note}" for model, note in notes.items() if note
            )
        return text

    def explain(self, patient: int | None = None, model: str | None = None) -> pd.DataFrame:
        """One patient's SHAP explanation (feature, value, contribution).

        Parameters
        ----------
        patient : int, optional
            Row position in the cohort; defaults to the report's example patient.
            Any patient of the cohort: one outside the sample the study explained
            (``explain_rows``) is explained now, with the same model, background and
            seed, and kept for later calls.
        model : str, optional
            Which model; defaults to the main explained model.
        """
        if not self.explanations:
            raise ValueError(
                "this study has no explanation: it was run with explain=None. Run it again "
                "with explain='auto' (the default) or name the models to explain."
            )
        if model is None:
            explanation = self.explanation
        elif model in self.explanations:
            explanation = self.explanations[model]
        else:
            raise ValueError(
                f"model {model!r} was not explained; explained models: {list(self.explanations)}."
            )
        k = self.patient_index if patient is None else patient
        name = getattr(explanation, "model_name", None)
        explanation = self._covering(explanation, name, k)
        table = explanation.patient(k)
        if self.stability and name in self.stability:
            row = self.patient_stability(k).set_index("model").loc[name]
            table.attrs["stability_interval"] = (float(row["low"]), float(row["high"]))
            table.attrs["stability_n_boot"] = int(row["n_boot"])
        return table

    def _covering(self, explanation, name, k):
        """``explanation``, or one of patient ``k`` alone when it does not cover ``k``."""
        if (
            isinstance(k, bool)
            or not isinstance(k, int | np.integer)
            or not 0 <= k < len(self.predictions)
        ):
            raise ValueError(
                f"patient must be a row position in [0, {len(self.predictions)}); got {k!r}."
            )
        k = int(k)
        if k in explanation.values.index or self._explain_inputs is None:
            return explanation
        if (name, k) not in self._on_demand:
            from ..explain import explain_pipeline

            inputs = self._explain_inputs
            self._on_demand[(name, k)] = explain_pipeline(
                self.fitted_models[name],
                inputs["X"],
                horizon=self.horizon,
                rows=np.array([k]),
                background=inputs["X"],
                random_state=inputs["random_state"],
                n_jobs=inputs["n_jobs"],
                max_trees=inputs["max_trees"],
                model_name=name,
                check_input=False,
            )
        return self._on_demand[(name, k)]

    def patient_stability(self, patient: int | None = None, confidence: float = 0.95):
        """One patient's stability interval per model (Riley & Collins 2023).

        The percentiles ``(1 - confidence)/2`` and ``(1 + confidence)/2`` of the
        patient's risks from the bootstrap replicate models, as
        :meth:`~riskml.evaluation.PredictionStability.patients`; :meth:`explain`
        carries the explained model's interval in ``attrs["stability_interval"]``.

        Parameters
        ----------
        patient : int, optional
            Row position in the cohort; defaults to the report's example patient.
        confidence : float, default=0.95

        Returns
        -------
        pandas.DataFrame
            One row per model: ``model``, ``patient``, ``risk`` (the whole-cohort
            fit's), ``low``, ``high``, ``width``, ``n_boot``, ``confidence``.

        Raises
        ------
        ValueError
            When the study was not validated by a bootstrap scheme
            (``validation=InternalValidation("bootstrap" | "632" | "632+")``).

        References
        ----------
        .. [1] Riley RD, Collins GS. Stability of clinical prediction models developed
           using statistical or machine learning methods. Biom J 2023;65:2200302.
        """
        if not self.stability:
            raise ValueError(
                "stability intervals come from the bootstrap replicate models; this study "
                "has none. Run it with validation=InternalValidation('bootstrap') (or "
                "'632', '632+'; OptimismBootstrap is the same)."
            )
        k = self.patient_index if patient is None else patient
        if (
            isinstance(k, bool)
            or not isinstance(k, int | np.integer)
            or not 0 <= k < len(self.predictions)
        ):
            raise ValueError(
                f"patient must be a row position in [0, {len(self.predictions)}); got {k!r}."
            )
        rows = []
        for name, model in self.stability.items():
            row = model.patients(confidence).iloc[int(k)]
            rows.append(
                {
                    "model": name,
                    "patient": int(k),
                    "risk": float(row["original"]),
                    "low": float(row["low"]),
                    "high": float(row["high"]),
                    "width": float(row["width"]),
                    "n_boot": model.n_boot,
                    "confidence": confidence,
                }
            )
        return pd.DataFrame(rows)

    def report(self, path, **options) -> object:
        """Write the self-contained HTML validation report to ``path``."""
        from ..report import write_report

        start = _time.perf_counter()
        written = write_report(self, path, **options)
        self.timings["report"] = _time.perf_counter() - start
        return written
