"""A study: one cohort, several models, validated, compared, explained.

:class:`Study` is the flow, not a second engine: pre-flight checks → out-of-fold
predictions (:func:`~riskml.evaluation.cross_val_predict_risk`, or the optimism
bootstrap) → :func:`~riskml.evaluation.evaluate_predictions` → paired comparison →
whole-cohort refits → explanations → :class:`StudyResult`. Every model is a
:class:`~riskml.models.RiskPipeline`, refitted from scratch in each training fold or
bootstrap replicate, so imputation, selection, resampling and fitting never see the
patients they are evaluated on.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import time as _time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .cohorts import REPORT_MIN_COUNT, Cohort, check_predictors
from .utils.deprecation import renamed_attribute, renamed_keyword
from .utils.fit_issues import ModelFitWarning, merge_fit_issues
from .utils.validation import check_int

__all__ = ["Study", "StudyResult"]

#: Fewer events (or non-events) than this make an estimate a small-data estimate.
SMALL_DATA_EVENTS = 10
#: Below this many patients, messages quote no follow-up distribution (it would be theirs).
QUOTED_MIN_PATIENTS = 20
#: Conventions of the inverse-probability-of-censoring weights (docs/conventions.md).
CENSORING_WEIGHTS = ("before", "at", "riskRegression")
#: Fewer bootstrap replicates give intervals too coarse to report.
MIN_N_BOOT = 50


def _reissue_once(model: str, caught, where: str = "across the cross-validation fits") -> None:
    """Re-issue warnings raised in every fold once, with the number of fits that raised them.

    Row positions inside a fold mean nothing to the user, so they are dropped. Fit
    issues (:class:`~riskml.models.ModelFitWarning`) are left to :func:`_fit_issue_rows`,
    which counts them per fit.
    """
    counts: dict = {}
    for record in caught:
        if issubclass(record.category, ModelFitWarning):
            continue
        text = re.sub(r" \(first positions [^)]*\)", "", str(record.message))
        text = re.sub(r"^\d+ row\(s\) have", "Rows have", text)
        key = (record.category, text)
        counts[key] = counts.get(key, 0) + 1
    for (category, text), count in counts.items():
        warnings.warn(
            f"[{model}] {text} (raised {count} time(s) {where})",
            category,
            stacklevel=3,
        )


def _fit_issue_rows(model: str, issues: dict, n_fits: int, whole: tuple, stage: str) -> list:
    """One row per fit issue of a model, counted over its fits, warned once.

    Parameters
    ----------
    issues : dict
        Sentence -> number of fold (or replicate) fits that raised it.
    n_fits : int
        Fold (or replicate) fits made.
    whole : tuple of str
        The sentences the whole-cohort fit raised.
    stage : str
        What the fits were ("cross-validation folds", "bootstrap replicates", ...).
    """
    rows = []
    for issue, fits, in_whole in merge_fit_issues(issues, whole):
        rows.append(
            {
                "model": model,
                "issue": issue,
                "fits": fits,
                "of": n_fits + 1,
                "whole_cohort": in_whole,
            }
        )
        where = (
            "including the whole-cohort fit that is reported, explained and deployed"
            if in_whole
            else "not the whole-cohort fit"
        )
        warnings.warn(
            f"[{model}] {issue} In {fits} of {n_fits + 1} fits ({n_fits} {stage} and the "
            f"whole-cohort fit; {where}). Recorded in result.fit_issues, the summary's "
            "fit_issues column and the report.",
            ModelFitWarning,
            stacklevel=4,
        )
    return rows


def _fit_issue_note(rows: list) -> str:
    """The summary's ``fit_issues`` text of one model: each issue with its count."""
    return "; ".join(
        f"{row['issue'].rstrip('.')} ({row['fits']} of {row['of']} fits"
        + (", whole-cohort fit included)" if row["whole_cohort"] else ")")
        for row in rows
    )


def _check_horizon_evaluable(outcome, horizon: float, which: str) -> None:
    """Refuse a horizon by which ``which`` has no case or no control.

    One definition of "event-free at the horizon" (:func:`riskml.outcome.horizon_label`):
    an event at or before ``h`` is a case; follow-up reaching ``h`` without one, a
    control. The message gives the follow-up distribution, so that a horizon in the
    wrong unit (months for a cohort in days) is recognised.
    """
    label = outcome.at_horizon(horizon)
    cases, controls = int(np.sum(label == 1)), int(np.sum(label == 0))
    if cases and controls:
        return
    time = np.asarray(outcome.time, dtype=float)
    events = time[np.asarray(outcome.event, dtype=bool)]
    if time.size < QUOTED_MIN_PATIENTS:
        # a handful of patients: their own follow-up times would be quoted
        raise ValueError(
            f"horizon={horizon:g} days cannot be evaluated in {which}: {cases} case(s) with "
            f"the event by day {horizon:g} and {controls} control(s) followed to it without "
            f"the event, among only {time.size} patients (their follow-up is not quoted). "
            + (
                "An outcome without events cannot be evaluated at any horizon."
                if events.size == 0
                else "Times are in days: check the horizon's unit, and choose one with both "
                "cases and controls."
            )
        )
    q1, median, q3 = np.quantile(time, [0.25, 0.5, 0.75])
    spread = (
        f"its follow-up runs from {time.min():,.0f} to {time.max():,.0f} days (median "
        f"{median:,.0f}, quartiles {q1:,.0f}-{q3:,.0f})"
        + (
            f" and its {events.size:,} events fall between day {events.min():,.0f} and day "
            f"{events.max():,.0f} (median {np.median(events):,.0f})"
            if events.size
            else " and it has no events"
        )
    )
    if controls == 0 and cases == 0:
        missing = "no patient has the event by then or is followed to it event-free"
    elif controls == 0:
        missing = "no patient is followed to it event-free (no controls)"
    else:
        missing = "no patient has the event by then (no cases)"
    if controls == 0:
        advice = f"choose a horizon no later than the longest follow-up ({time.max():,.0f} days)"
    elif events.size:
        advice = f"choose a horizon after the first event (day {events.min():,.0f})"
    else:
        advice = "an outcome without events cannot be evaluated at any horizon"
    guess = ""
    if events.size and horizon < events.min() and horizon * 30.4375 <= time.max():
        guess = (
            f" Is the horizon in days? Times are in days: {horizon:g} months would be "
            f"horizon={horizon * 30.4375:,.0f}, {horizon:g} weeks horizon={horizon * 7:,.0f}."
        )
    raise ValueError(
        f"horizon={horizon:g} days cannot be evaluated in {which}: {missing} "
        f"({cases} case(s) with the event by day {horizon:g}, {controls} control(s) "
        f"followed to it without the event; a patient counts as event-free at the "
        f"horizon when follow-up reaches it without an event). In {which}, {spread}."
        f"{guess} {advice[0].upper() + advice[1:]}."
    )


def _small_data(summary: pd.DataFrame, outcome, horizon) -> tuple[pd.Series, str | None]:
    """Which summary rows rest on fewer than 10 events or non-events, and the warning.

    A metric at the horizon counts the events by the horizon and the patients
    followed to it event-free (:func:`riskml.outcome.horizon_label`); the others
    count the events and the patients without one.
    """
    from .evaluation import get_metric

    events = summary["events"].astype(int)
    non_events = summary["n"].astype(int) - events
    at_horizon = pd.Series(False, index=summary.index)
    if outcome.is_survival and horizon is not None:
        label = outcome.at_horizon(horizon)
        at_horizon = summary["metric"].map(
            lambda name: bool(getattr(get_metric(name, outcome.kind), "needs_horizon", False))
        )
        non_events = non_events.where(~at_horizon, int(np.sum(label == 0)))
    flags = (events < SMALL_DATA_EVENTS) | (non_events < SMALL_DATA_EVENTS)
    if not flags.any():
        return flags, None
    groups = {}
    for row in summary.index[flags]:
        key = (int(events[row]), int(non_events[row]), bool(at_horizon[row]))
        groups.setdefault(key, []).append(str(summary.loc[row, "metric"]))
    parts = []
    for (n_events, n_non, by_horizon), metrics in groups.items():
        if by_horizon:
            counts = (
                f"{n_events} patient(s) with the event by day {horizon:g} and {n_non} "
                "patient(s) event-free at the horizon"
            )
        elif outcome.is_survival:
            counts = f"{n_events} event(s) and {n_non} patient(s) without the event"
        else:
            counts = f"{n_events} event(s) and {n_non} non-event(s)"
        parts.append(f"{', '.join(dict.fromkeys(metrics))} rest on {counts}")
    message = (
        f"Small data: {'; '.join(parts)}: fewer than {SMALL_DATA_EVENTS} events or "
        "non-events, so their estimates and intervals are unstable (flagged small_data in "
        "the summary)."
    )
    return flags, message


def _describe_comparison(comparison) -> str:
    """The paired comparison that ran, as the comparison table's ``method`` says."""
    if comparison is None or not len(comparison):
        return "none (a single model)"
    first = comparison.iloc[0]
    metric = {"auc": "AUC", "harrell_c": "Harrell's C"}.get(first["metric"], first["metric"])
    text = f"{first['method']} ({metric}"
    if "bootstrap" in str(first["method"]) and pd.notna(first.get("n_boot")):
        text += f", {int(first['n_boot'])} replicates"
    return text + f"; reference {first['reference']})"


#: Patients explained per model by default; model-agnostic explanations get a time budget.
EXPLAIN_ROWS = 1000
EXPLAIN_SECONDS = 120.0


@dataclass
class StudyResult:
    """What :meth:`Study.run` returns.

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
        for a time-to-event one; ``difference``, ``low``, ``high``, ``p_value``.
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
    timings : dict
        Wall-clock seconds per phase (``checks``, ``validation``, ``metrics``,
        ``explanations``; ``report`` once :meth:`report` has written one; the phases
        follow one another) and per model within the phases that fit or explain
        models (e.g. ``"validation lasso"``). With cross-validation, each model's
        whole-cohort fit (the model to deploy and explain) runs among its fold fits,
        several at a time (:func:`riskml.utils.parallel.run_fits`): ``"validation
        lasso"`` includes it and ``"refit lasso"`` gives its own seconds.
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
    selection_frequency: pd.DataFrame | None = None
    sample_size: dict = field(default_factory=dict)
    table_one: pd.DataFrame | None = None
    flow: pd.DataFrame | None = None
    stability: dict | None = None
    fit_issues: pd.DataFrame | None = None
    timings: dict = field(default_factory=dict)
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
            from .explain import explain_pipeline

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
        from .report import write_report

        start = _time.perf_counter()
        written = write_report(self, path, **options)
        self.timings["report"] = _time.perf_counter() - start
        return written


class Study:
    """Fit, validate, compare and explain risk models on one cohort.

    Parameters
    ----------
    cohort : Cohort
    models : sequence of str, or dict, default=("xgboost", "cox", "framingham_recalibrated")
        Names from :data:`riskml.models.MODELS`, or a dict ``{name: model}`` whose
        values are names, :class:`~riskml.models.RiskPipeline` objects, or any
        scikit-learn classifier.
    selection : transformer, optional
        A feature selector such as :class:`~riskml.features.RecursiveFeatureElimination`,
        applied inside every learned model's pipeline (published scores such as
        Framingham use their fixed inputs).
    validation : int, splitter, RepeatedCV or InternalValidation, optional
        Number of stratified folds; a scikit-learn splitter;
        :class:`~riskml.evaluation.RepeatedCV`; or
        :class:`~riskml.evaluation.InternalValidation` (``method="bootstrap"``,
        ``"632"``, ``"632+"``, ``"cv_optimism"`` or ``"cv_average"``: apparent,
        optimism and corrected performance of the whole pipeline, in
        ``result.optimism``; the bootstrap schemes also give ``result.stability``),
        of which :class:`~riskml.evaluation.OptimismBootstrap` is the bootstrap
        case. Defaults to 10 stratified folds, or as many
        as the rarer outcome class allows when it has fewer than 10 patients (every
        fold then holds at least one of each).
    horizon : float, optional
        Horizon of a time-to-event outcome, in days: binary models learn "event by
        the horizon", published scores are recalibrated to it, and calibration,
        Brier, IPA and the time-dependent AUC are evaluated at it. Defaults to the
        cohort's ``horizon``. ``horizon_days`` is its deprecated name (it still
        works in this release, with a ``FutureWarning``).
    metrics : sequence of str, optional
        Registered metric names; defaults to
        :func:`riskml.evaluation.default_metrics`.
    threshold : float, optional
        Risk threshold of the ``net_benefit`` metric; the decision curve spans
        thresholds from 1% to 50% regardless.
    external : Cohort, optional
        An external cohort with the same predictors: the whole-cohort fits are
        evaluated on it (``result.external``).
    subgroups : sequence of str or dict, optional
        Feature (or context) column names whose levels define subgroups (numeric
        columns with more than 10 values are cut at their tertiles), or
        ``{name: labels}`` with one label per patient; performance within each is
        in ``result.subgroups``.
    random_state : int, default=0
        Seeds folds, models and bootstrap: the same seed gives the same numbers.
    n_boot : int, default=2000
        Bootstrap replicates of each confidence interval (at least 50; 1000 or more
        for publication).
    explain : "auto", str, sequence of str or None, default="auto"
        Models whose whole-cohort fit is explained with SHAP: "auto" explains every
        model that can be; None explains none.
    explain_rows : int, optional
        Patients explained per model (a seeded sample in larger cohorts; the
        example patient is always included). By default 1000, except for models
        explained by the model-agnostic method (SVM, k-nearest neighbours,
        multilayer perceptron, ...), whose Shapley values cost thousands of model
        evaluations per patient: they get as many patients as fit in about
        ``EXPLAIN_SECONDS`` (120 s) per model, timed on the example patient, with a
        warning saying how many. An int explains exactly that many.
    explain_max_trees : int or None, default=20
        Forests with more trees are explained from a seeded sample of this many
        trees (``explain_pipeline(max_trees=)``: exactly additive, with standard
        errors); None explains every tree exactly. Exact TreeSHAP of a 500-tree
        forest at 56k patients costs about 1.5 s a row on 2 cores; 20 trees
        explain 1,000 rows in under a minute, 0.002-0.003 probability points
        from the exact values on average (correlation 0.90 with them; 50 trees:
        0.0015 and 0.96, at 2.5 times the cost; ``benchmarks/README.md``).
    patient : int, optional
        Row position of the example patient; defaults to the patient with the
        highest cross-validated risk of the main explained model.
    framingham_inputs : dict, optional
        How the cohort's columns feed the Framingham score; defaults to
        ``cohort.framingham_inputs``.
    reference : str, optional
        Model the others are compared with; defaults to ``"cox"`` when it is among
        the models, else the first model.
    comparison : {"delong", "bootstrap"}, default="delong"
        Paired test of binary AUCs (Harrell's C is always compared by a paired
        bootstrap).
    censoring_weights : {"before", "at", "riskRegression"}, default="before"
        How the metrics at the horizon of a time-to-event outcome (Brier score,
        IPA, time-dependent AUC and its ROC curve in the report; Uno's C)
        weight for censoring (see ``docs/conventions.md``): ``"before"`` is
        riskml's horizon rule (a patient followed to the horizon without an event
        is event-free there, weights G(T-), G(h-)); ``"riskRegression"`` equals R
        riskRegression's ``Score()`` exactly (a patient censored exactly at the
        horizon is not evaluable); ``"at"`` is scikit-survival's (G(T), G(h)).
        Uno's C takes ``"before"`` (R's ``concordance(timewt="n/G2")``) for both
        ``"before"`` and ``"riskRegression"``.
    reference_levels : dict, optional
        ``{column: level}``: the reference level of a categorical predictor in the
        models that leave one out (the Cox model), as R's ``relevel``. By default a
        pandas Categorical's first category, otherwise the first level in sorted
        order (:class:`~riskml.features.Preprocessor`). The report states each
        reference.
    stratified_bootstrap : bool, default=True
        Binary outcomes: every bootstrap interval and bootstrap comparison resamples
        within each class (the numbers of events and non-events stay fixed, as
        R's ``pROC`` does by default); False: the plain bootstrap of patients, as
        most hand-written analyses do. The summary's ``method`` says which.
        Time-to-event outcomes are always resampled plainly.
    n_jobs : int, optional
        Folds or replicates fitted in parallel with joblib's active backend (-1: all
        cores or all workers of a Dask cluster). None: with cross-validation, each
        model's folds and its whole-cohort fit run on threads, one per core, each fit
        with its share of the cores (on 2 cores: two single-threaded fits at a time,
        faster than one two-threaded fit after another for forests, XGBoost, LASSO
        and TAN, ``benchmarks/README.md``); the internal validation schemes run their
        replicates or folds the same way; bootstrap intervals run on a thread per
        core. No result depends on it. A study records its fits' warnings through the
        ``warnings`` module, whose state is process-wide: run several studies at once
        in separate processes, not in threads of one process.
    progress : bool, default=True
        Show a progress bar.
    trusted_predictors : sequence of str, optional
        Predictors you have checked and vouch for: exempt from the pre-flight
        leakage and quasi-identifier guards (:func:`riskml.cohorts.check_predictors`),
        which otherwise refuse, before the first fit, a predictor that (nearly)
        determines the outcome, follows the follow-up time, equals the label at the
        horizon, or is a categorical with more than 20 levels (e.g. a postcode). The
        exemption is recorded in ``result.settings``. Constant predictors are warned
        about whatever this says.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.make_young_hypertension(random_state=0)
    >>> study = rk.Study(cohort, models=["cox", "framingham_recalibrated"],
    ...                  validation=5, n_boot=200, progress=False)
    >>> result = study.run()  # doctest: +SKIP
    """

    def __init__(
        self,
        cohort: Cohort,
        models=("xgboost", "cox", "framingham_recalibrated"),
        *,
        selection=None,
        validation=None,
        horizon: float | None = None,
        metrics=None,
        threshold: float | None = None,
        external: Cohort | None = None,
        subgroups=None,
        random_state: int = 0,
        n_boot: int = 2000,
        explain="auto",
        explain_rows: int | None = None,
        explain_max_trees: int | None = 20,
        patient: int | None = None,
        framingham_inputs: dict | None = None,
        reference: str | None = None,
        comparison: str = "delong",
        censoring_weights: str = "before",
        reference_levels: dict | None = None,
        stratified_bootstrap: bool = True,
        n_jobs: int | None = None,
        progress: bool = True,
        horizon_days=None,
        trusted_predictors=None,
    ):
        self.cohort = cohort
        self.models = models
        self.selection = selection
        self.validation = validation
        self.horizon = renamed_keyword(
            horizon, horizon_days, "horizon", "horizon_days", "Study", None
        )
        self.metrics = metrics
        self.threshold = threshold
        self.external = external
        self.subgroups = subgroups
        self.random_state = random_state
        self.n_boot = n_boot
        self.explain = explain
        self.explain_rows = explain_rows
        self.explain_max_trees = explain_max_trees
        self.patient = patient
        self.framingham_inputs = framingham_inputs
        self.reference = reference
        self.comparison = comparison
        self.censoring_weights = censoring_weights
        self.reference_levels = reference_levels
        self.stratified_bootstrap = stratified_bootstrap
        self.n_jobs = n_jobs
        self.progress = progress
        self.trusted_predictors = trusted_predictors

    @property
    def _metric_threads(self):
        """Threads of the bootstrap intervals: every core unless ``n_jobs`` says otherwise
        (the intervals do not depend on it)."""
        return -1 if self.n_jobs is None else self.n_jobs

    # -- pre-flight: every setting, before the first fit ---------------------------
    def _check_models(self) -> dict:
        if isinstance(self.models, dict):
            models = dict(self.models)
        elif isinstance(self.models, str) or not hasattr(self.models, "__iter__"):
            models = {}
        else:
            models = {}
            for model in self.models:
                if not isinstance(model, str):
                    raise ValueError(
                        "models given as a list must be names such as 'xgboost'; to compare "
                        "pipelines or scikit-learn classifiers of your own, pass a dict "
                        f"{{name: model}}. Got {type(model).__name__}."
                    )
                if model in models:
                    raise ValueError(f"model {model!r} is listed twice.")
                models[model] = model
        if not models:
            raise ValueError(
                "models must be a non-empty list of model names (e.g. ['xgboost', 'cox']) or "
                f"a dict {{name: model}}; got {self.models!r}."
            )
        return models

    def _check_horizon(self):
        outcome = self.cohort.outcome
        horizon = self.horizon
        if horizon is not None and not outcome.is_survival:
            raise ValueError(
                "horizon applies to time-to-event outcomes; this cohort's outcome is "
                "binary. Leave horizon out."
            )
        if horizon is None and outcome.is_survival:
            horizon = self.cohort.horizon
        if horizon is None:
            return None
        if (
            isinstance(horizon, bool)
            or not isinstance(horizon, int | float | np.integer | np.floating)
            or not np.isfinite(horizon)
            or horizon <= 0
        ):
            raise ValueError(f"horizon must be a positive number of days; got {horizon!r}.")
        horizon = float(horizon)
        _check_horizon_evaluable(outcome, horizon, "the cohort")
        return horizon

    def _check_settings(self) -> dict:
        """Validate every setting; return the plan of the run."""
        from .evaluation import InternalValidation, RepeatedCV, check_metrics

        if not isinstance(self.cohort, Cohort):
            raise TypeError(
                f"cohort must be a riskml.Cohort; got {type(self.cohort).__name__}. Build one "
                "with a loader in riskml.cohorts or riskml.Cohort(features, outcome)."
            )
        models = self._check_models()
        horizon = self._check_horizon()
        check_int(self.n_boot, "n_boot", "Study", low=MIN_N_BOOT)
        check_int(self.random_state, "random_state", "Study", low=0)
        if self.explain_rows is not None:
            check_int(self.explain_rows, "explain_rows", "Study", low=1)
        if self.explain_max_trees is not None:
            check_int(self.explain_max_trees, "explain_max_trees", "Study", low=1)
        validation = self._validation(horizon)
        if isinstance(validation, bool) or not (
            (isinstance(validation, int | np.integer) and validation >= 2)
            or isinstance(validation, RepeatedCV | InternalValidation)
            or callable(getattr(validation, "split", None))
        ):
            raise ValueError(
                "The 'validation' parameter of Study must be an int in the range [2, inf) "
                "(the number of folds), a cross-validation splitter, RepeatedCV or "
                f"InternalValidation (or OptimismBootstrap). Got {validation!r} instead."
            )
        if self.n_jobs is not None and (
            isinstance(self.n_jobs, bool)
            or not isinstance(self.n_jobs, int | np.integer)
            or self.n_jobs == 0
        ):
            raise ValueError(
                "The 'n_jobs' parameter of Study must be None, a positive int (the number of "
                f"parallel fits) or -1 (all cores). Got {self.n_jobs!r} instead."
            )
        if self.comparison not in ("delong", "bootstrap"):
            raise ValueError(
                f"comparison must be 'delong' or 'bootstrap'; got {self.comparison!r}."
            )
        if not isinstance(self.stratified_bootstrap, bool | np.bool_):
            raise TypeError(
                "The 'stratified_bootstrap' parameter of Study must be True (resample "
                "within each class) or False (the plain bootstrap of patients). Got "
                f"{self.stratified_bootstrap!r} instead."
            )
        outcome = self.cohort.outcome
        metrics = [m.name for m in check_metrics(self.metrics, outcome.kind, horizon, "Study")]
        metric_params = {}
        if "net_benefit" in metrics:
            if self.threshold is None:
                raise ValueError(
                    "metric 'net_benefit' is evaluated at a risk threshold: pass "
                    "Study(..., threshold=0.1), the risk above which a patient would be "
                    "treated."
                )
            if not (isinstance(self.threshold, float | int) and 0 < self.threshold < 1):
                raise ValueError(f"threshold must be in (0, 1); got {self.threshold!r}.")
            metric_params["net_benefit"] = {"threshold": float(self.threshold)}
        if self.censoring_weights not in CENSORING_WEIGHTS:
            raise ValueError(
                "The 'censoring_weights' parameter of Study must be one of "
                f"{list(CENSORING_WEIGHTS)}; got {self.censoring_weights!r} instead "
                "(docs/conventions.md describes each)."
            )
        if outcome.is_survival and self.censoring_weights != "before":
            for name in set(metrics) & {"brier", "ipa", "td_auc", "uno_c"}:
                weights = self.censoring_weights
                if name == "uno_c":  # Uno's C knows scikit-survival's and R's weights
                    weights = "at" if weights == "at" else "before"
                metric_params.setdefault(name, {})["censoring_weights"] = weights
        self._check_reference_levels()
        explain = self._check_explain(models)
        if self.reference is not None and self.reference not in models:
            raise ValueError(
                f"reference={self.reference!r} is not one of the study's models "
                f"({', '.join(models)})."
            )
        if self.patient is not None and (
            isinstance(self.patient, bool)
            or not isinstance(self.patient, int | np.integer)
            or not 0 <= self.patient < len(self.cohort)
        ):
            raise ValueError(
                "patient must be a row position in the cohort, an int in the range "
                f"[0, {len(self.cohort) - 1}]; got {self.patient!r}."
            )
        if not self.cohort.predictors:
            raise ValueError(
                "the cohort has no predictors left: every column is marked post_index or has "
                "a role other than 'predictor' in cohort.metadata."
            )
        subgroups = self._check_subgroups()
        trusted = self._check_trusted_predictors()
        self._check_external()
        pipelines = {name: self._build(model, horizon) for name, model in models.items()}
        self._check_score_inputs(pipelines)
        if outcome.is_survival and horizon is None:
            binary = [n for n, p in pipelines.items() if p.outcome_kind == "binary"]
            if binary:
                raise ValueError(
                    f"{', '.join(binary)} learn(s) a binary label, but the outcome is "
                    "time-to-event and no horizon is set. Pass horizon (e.g. "
                    "horizon=365) to train on 'event by the horizon', or use survival "
                    "models such as 'cox'."
                )
        return {
            "validation": validation,
            "models": models,
            "pipelines": pipelines,
            "horizon": horizon,
            "metrics": metrics,
            "metric_params": metric_params,
            "explain": explain,
            "subgroups": subgroups,
            "trusted_predictors": trusted,
        }

    def _validation(self, horizon):
        """The validation scheme; None becomes 10 folds, fewer for a rare class."""
        if self.validation is not None:
            return self.validation
        outcome = self.cohort.outcome
        event = outcome.event
        smallest = int(min(event.sum(), (~event).sum()))
        if outcome.is_survival and horizon is not None:
            label = outcome.at_horizon(horizon)
            smallest = min(smallest, int(np.sum(label == 1)), int(np.sum(label == 0)))
        return int(min(10, max(smallest, 2)))

    def _check_explain(self, models) -> list[str]:
        explain = self.explain
        if explain is None:
            return []
        if isinstance(explain, str) and explain in ("auto", "all"):
            return list(models)
        names = [explain] if isinstance(explain, str) else list(explain)
        unknown = [name for name in names if name not in models]
        if unknown:
            raise ValueError(
                f"explain names {unknown}, which are not among the study's models "
                f"({', '.join(models)}); pass explain='auto', a list of those names, or None."
            )
        return names

    def _check_reference_levels(self) -> None:
        """Each named column is a categorical predictor and each level occurs in it."""
        levels = self.reference_levels
        if levels is None:
            return
        if not isinstance(levels, dict):
            raise TypeError(
                "The 'reference_levels' parameter of Study must be a dict {column: level}, "
                f"e.g. {{'age_group': '<=20'}}; got {type(levels).__name__}."
            )
        features = self.cohort.features
        for column, level in levels.items():
            if column not in self.cohort.predictors:
                raise ValueError(
                    f"reference_levels names {column!r}, which is not a predictor of the "
                    f"cohort; its categorical predictors: {self._categorical_predictors()}."
                )
            if column not in self._categorical_predictors():
                raise ValueError(
                    f"reference_levels names {column!r}, a numeric predictor: a reference "
                    "level applies to categorical predictors only; its categorical "
                    f"predictors: {self._categorical_predictors()}. Drop {column!r} from "
                    "reference_levels (or make it a pandas Categorical first)."
                )
            values = features[column].dropna()
            seen = {str(v) for v in values.unique()}
            if str(level) not in seen:
                shown = sorted(seen)[:20] if len(seen) <= 20 else f"{len(seen)} levels"
                raise ValueError(
                    f"reference_levels[{column!r}] = {level!r} is not a level of {column!r}; "
                    f"its levels: {shown}."
                )

    def _check_trusted_predictors(self) -> list[str]:
        """The predictors exempt from the leakage and quasi-identifier guards."""
        names = self.trusted_predictors
        if names is None:
            return []
        if isinstance(names, str):
            names = [names]
        if not hasattr(names, "__iter__") or any(not isinstance(n, str) for n in names):
            raise TypeError(
                "The 'trusted_predictors' parameter of Study must be a list of column names, "
                f"e.g. ['weeks_in_trial']; got {names!r}."
            )
        names = list(dict.fromkeys(names))
        predictors = self.cohort.predictors
        unknown = [n for n in names if n not in predictors]
        if unknown:
            features = [str(c) for c in self.cohort.features.columns]
            hints = {
                n: difflib.get_close_matches(n, [str(p) for p in predictors], n=1) for n in unknown
            }
            hint = "; ".join(f"{n!r}: did you mean {h[0]!r}?" for n, h in hints.items() if h)
            raise ValueError(
                f"trusted_predictors names {unknown}, which "
                + ("are" if len(unknown) > 1 else "is")
                + " not among the cohort's predictors"
                + (
                    " (a column marked post_index or with a role other than 'predictor' "
                    "is never fitted, so it needs no exemption)"
                    if any(n in features for n in unknown)
                    else ""
                )
                + (f". {hint}" if hint else "")
                + f". The predictors: {predictors[:20]}{' ...' if len(predictors) > 20 else ''}."
            )
        return names

    def _categorical_predictors(self) -> list:
        features = self.cohort.features
        return [
            c
            for c in self.cohort.predictors
            if not pd.api.types.is_numeric_dtype(features[c])
            or isinstance(features[c].dtype, pd.CategoricalDtype)
        ]

    def _check_subgroups(self) -> dict:
        """{subgroup variable: labels per patient}."""
        if self.subgroups is None:
            return {}
        cohort = self.cohort
        if isinstance(self.subgroups, dict):
            items = self.subgroups.items()
        else:
            names = [self.subgroups] if isinstance(self.subgroups, str) else self.subgroups
            items = []
            for name in names:
                if name in cohort.features.columns:
                    items.append((name, cohort.features[name]))
                elif cohort.context is not None and name in cohort.context.columns:
                    items.append((name, cohort.context[name]))
                else:
                    raise ValueError(
                        f"subgroups names {name!r}, which is not a column of the cohort's "
                        "features or context; pass {name: labels} for a grouping of your own."
                    )
        groups = {}
        for name, labels in items:
            labels = pd.Series(np.asarray(labels, dtype=object)).reset_index(drop=True)
            if len(labels) != len(cohort):
                raise ValueError(
                    f"subgroups[{name!r}] has {len(labels)} labels but the cohort has "
                    f"{len(cohort)} patients."
                )
            numeric = pd.to_numeric(labels, errors="coerce")
            if numeric.notna().all() and numeric.nunique() > 10:
                edges = np.unique(np.quantile(numeric, [0, 1 / 3, 2 / 3, 1]))
                labels = pd.cut(numeric, edges, include_lowest=True).astype(str)
            elif numeric.notna().all() and (numeric == numeric.round()).all():
                labels = numeric.astype(int).astype(str)  # 0.0/1.0 codes read as 0/1
            groups[str(name)] = labels
        return groups

    def _check_score_inputs(self, pipelines) -> None:
        """Every published score finds its input columns, before any fit."""
        columns = set(self.cohort.features.columns)
        for name, pipeline in pipelines.items():
            final = pipeline.steps[-1][1] if hasattr(pipeline, "steps") else pipeline
            reads = getattr(final, "input_columns", None)
            if not callable(reads):
                continue
            absent = [c for c in reads() if c not in columns]
            if absent:
                raise ValueError(
                    f"model {name!r} needs the column(s) {absent}, which the cohort lacks "
                    f"({len(columns)} columns). Map the score's inputs to your column names "
                    "with Study(framingham_inputs={'total_chol': 'TC', ...}), or leave "
                    f"{name!r} out of models."
                )

    def _check_external(self) -> None:
        external = self.external
        if external is None:
            return
        if not isinstance(external, Cohort):
            raise TypeError(f"external must be a riskml.Cohort; got {type(external).__name__}.")
        missing = [c for c in self.cohort.predictors if c not in external.features.columns]
        if missing:
            raise ValueError(
                f"the external cohort lacks predictor column(s) {missing[:10]}; it needs every "
                "predictor of the development cohort, with the same names and units."
            )
        if external.outcome.kind != self.cohort.outcome.kind:
            raise ValueError(
                f"the external cohort's outcome is {external.outcome.kind}, the development "
                f"cohort's {self.cohort.outcome.kind}; they must be of one kind."
            )
        if external.outcome.is_survival:
            horizon = self._check_horizon()
            if horizon is not None:
                _check_horizon_evaluable(external.outcome, horizon, "the external cohort")

    def _build(self, model, horizon):
        """A RiskPipeline for a registry name, a pipeline or any scikit-learn classifier.

        ``make_model`` applies ``selection`` to learned models only (published scores
        keep their fixed inputs) and returns a user's RiskPipeline unchanged.
        """
        from .models import RiskPipeline, make_model

        pipeline = make_model(
            model,
            selection=None if isinstance(model, RiskPipeline) else self.selection,
            horizon=horizon,
            framingham_inputs=(
                self.framingham_inputs
                if self.framingham_inputs is not None
                else self.cohort.framingham_inputs
            ),
            random_state=self.random_state,
        )
        if self.reference_levels and not isinstance(model, RiskPipeline):
            # every preprocessing step that encodes categories (tuned pipelines nest it)
            names = [
                name
                for name in pipeline.get_params(deep=True)
                if name.endswith("__reference_levels")
            ]
            pipeline.set_params(**{name: dict(self.reference_levels) for name in names})
        return pipeline

    def _check_data(self, plan) -> dict:
        """Evaluability per fold and the sample-size judgement, before any fit."""
        from .evaluation import InternalValidation, cv_folds, minimum_sample_size

        cohort, horizon = self.cohort, plan["horizon"]
        outcome = cohort.outcome
        if int(outcome.event.sum()) == 0:
            raise ValueError("the outcome has no events: no model can be developed or validated.")
        # leakage, quasi-identifiers and constant predictors, before anything is fitted
        plan["trusted_findings"] = check_predictors(
            cohort.features,
            outcome,
            cohort.predictors,
            horizon=horizon,
            trusted=plan.get("trusted_predictors", ()),
        )
        if outcome.is_survival and horizon is not None:
            label = outcome.at_horizon(horizon)
            learning = label  # binary learners train on this label
        else:
            label = learning = outcome.event.astype(float)
        events, non_events = int(np.sum(label == 1)), int(np.sum(label == 0))
        if outcome.is_survival and horizon is None:
            events, non_events = int(outcome.event.sum()), int((~outcome.event).sum())
        validation = plan["validation"]
        if isinstance(validation, InternalValidation):
            # the cross-validation schemes' folds; the bootstrap schemes have none
            validation = None if validation.bootstrap else validation.cv
        if validation is not None:
            try:
                folds = cv_folds(
                    outcome, cv=validation, groups=cohort.groups, random_state=self.random_state
                )
            except ValueError as error:
                raise ValueError(
                    str(error).replace("cv=", "validation=")
                    + " (Study's validation= parameter; validation=OptimismBootstrap() needs "
                    "no folds)"
                ) from error
            binary_learners = [
                n for n, p in plan["pipelines"].items() if p.outcome_kind == "binary"
            ]
            for repeat in np.atleast_2d(folds):
                for k in np.unique(repeat):
                    train = learning[repeat != k]
                    if binary_learners and (np.sum(train == 1) == 0 or np.sum(train == 0) == 0):
                        raise ValueError(
                            f"training fold {k + 1} has {int(np.sum(train == 1))} event(s) and "
                            f"{int(np.sum(train == 0))} non-event(s), so "
                            f"{', '.join(binary_learners)} cannot be fitted there. The cohort "
                            f"has {events} events and {non_events} non-events"
                            + (" by the horizon" if horizon is not None else "")
                            + "; use fewer folds (validation=2 or 3), a later horizon, or "
                            "validation=OptimismBootstrap()."
                        )
        # Sample size: events per candidate predictor parameter, Riley et al. criteria.
        n_parameters = 0
        for column in cohort.predictors:
            if cohort.metadata.loc[column, "type"] == "cat":
                n_parameters += max(cohort.features[column].nunique() - 1, 1)
            else:
                n_parameters += 1
        n = len(cohort)
        epp = min(events, non_events) / n_parameters
        info = {
            "n": n,
            "events": events,
            "non_events": non_events,
            "candidate_parameters": n_parameters,
            "events_per_parameter": epp,
        }
        try:
            if outcome.is_survival:
                person_time = float(np.sum(outcome.time))
                timepoint = horizon if horizon is not None else float(np.median(outcome.time))
                required = minimum_sample_size(
                    "survival",
                    n_parameters,
                    rate=float(outcome.event.sum()) / person_time,
                    timepoint=timepoint,
                    mean_followup=person_time / n,
                )
            else:
                required = minimum_sample_size(
                    "binary", n_parameters, prevalence=events / max(n, 1)
                )
            info["minimum_n"] = required.n_required
            info["minimum_events"] = required.events_required
            info["criteria"] = required.criteria
            info["anticipated_r2_cs"] = required.r2_cs
            info["r2_source"] = required.r2_source
        except ValueError as error:
            info["minimum_n"] = None
            info["note"] = str(error)
        message = None
        if outcome.is_survival and horizon is not None:
            counts = (
                f"{events:,} with the event by day {horizon:g} and {non_events:,} event-free "
                "at the horizon"
            )
            smaller = "the events" if events <= non_events else "the patients event-free"
        elif outcome.is_survival:
            counts = f"{events:,} events and {non_events:,} censored without one"
            smaller = "the events" if events <= non_events else "the patients without one"
        else:
            counts = f"{events:,} events and {non_events:,} non-events"
            smaller = "the events" if events <= non_events else "the non-events"
        if info.get("minimum_n") is not None and n < info["minimum_n"]:
            message = (
                f"the cohort has {n:,} patients ({counts}) for {n_parameters} candidate "
                f"predictor parameters ({epp:.1f} events per parameter, counting {smaller}, "
                f"the smaller group); the Riley et al. minimum sample size criteria ask for "
                f"{info['minimum_n']:,} patients (about {info['minimum_events']:,.0f} events, "
                f"with the {info['r2_source']}). Expect overfitting: prefer penalised "
                "models, fewer candidate predictors (selection=), and read the optimism-"
                "corrected or cross-validated estimates, not apparent ones."
            )
        elif epp < 10:
            message = (
                f"{epp:.1f} events per candidate predictor parameter (fewer than 10; "
                f"{counts}, counting {smaller}, the smaller group): estimates may be "
                "unstable and optimistic."
            )
        info["judgement"] = message or "adequate by the Riley et al. criteria"
        if message:
            warnings.warn(f"Small sample: {message}", UserWarning, stacklevel=3)
        return info

    # -- the run ----------------------------------------------------------------
    def run(self) -> StudyResult:
        """Validate every model, evaluate, compare, refit, explain, summarise."""
        from .evaluation import InternalValidation, evaluate_predictions
        from .models import describe_imbalance_handling, describe_model

        timings = {}
        start = _time.perf_counter()
        plan = self._check_settings()
        sample_size = self._check_data(plan)
        timings["checks"] = _time.perf_counter() - start
        cohort, horizon = self.cohort, plan["horizon"]
        outcome = cohort.outcome
        X = cohort.features[cohort.predictors]
        names = list(plan["pipelines"])

        start = _time.perf_counter()
        optimism = selection_frequency = stability = None
        if isinstance(plan["validation"], InternalValidation):
            predictions, optimism, fitted, stability, issues = self._optimism(plan, X)
        else:
            oof, selection_frequency, fitted, issues = self._cross_validate(plan, X, timings)
            predictions = {
                name: risk.mean(axis=0) if risk.ndim == 2 else risk for name, risk in oof.items()
            }
        timings["validation"] = _time.perf_counter() - start

        start = _time.perf_counter()
        evaluated = oof if optimism is None else predictions
        summary = evaluate_predictions(
            outcome,
            evaluated,
            metrics=plan["metrics"],
            horizon=horizon,
            n_boot=self.n_boot,
            random_state=self.random_state,
            n_jobs=self._metric_threads,
            metric_params=plan["metric_params"],
            stratified=self.stratified_bootstrap,
        ).summary
        summary["small_data"], small_message = _small_data(summary, outcome, horizon)
        if optimism is not None:
            summary = summary.merge(
                optimism[["model", "metric", "optimism", "corrected"]],
                on=["model", "metric"],
                how="left",
            )
            summary["method"] = "apparent (whole-cohort fit); " + summary["method"]
        fit_issues = pd.DataFrame(issues) if issues else None
        notes = {
            name: _fit_issue_note([row for row in issues if row["model"] == name]) for name in names
        }
        summary["fit_issues"] = summary["model"].map(notes).fillna("")
        if small_message:
            warnings.warn(small_message, UserWarning, stacklevel=2)
        predictions = pd.DataFrame(predictions)
        comparison = self._compare(names, predictions, outcome)
        calibration = self._calibrate(names, predictions, outcome, horizon)
        decision_curve = self._decision_curve(names, predictions, outcome, horizon)
        subgroups = self._subgroups(plan, predictions)
        timings["metrics"] = _time.perf_counter() - start

        external = self._external(plan, fitted)

        start = _time.perf_counter()
        explanations, patient = self._explain(plan, fitted, X, predictions, timings)
        timings["explanations"] = _time.perf_counter() - start

        descriptions = {
            name: describe_model(model, horizon) if isinstance(model, str) else repr(model)
            for name, model in plan["models"].items()
        }
        for name, note in notes.items():
            if note:
                descriptions[name] += f" Fit issues: {note}."
        settings = {
            "validation": self._describe_validation(plan["validation"]),
            "metrics": ", ".join(plan["metrics"]),
            "class imbalance": {
                name: describe_imbalance_handling(pipeline).removeprefix("Class imbalance: ")
                for name, pipeline in plan["pipelines"].items()
            },
            "selection": "none" if self.selection is None else repr(self.selection),
            "random_state": self.random_state,
            "n_boot": self.n_boot,
            "bootstrap": (
                "class-stratified"
                if self.stratified_bootstrap and not outcome.is_survival
                else "plain (patients as they come)"
            ),
            "horizon": horizon,
            "comparison": _describe_comparison(comparison),
            "censoring_weights": self.censoring_weights,
            "reference_levels": self.reference_levels,
            "trusted_predictors": (
                "; ".join(plan["trusted_findings"])
                or ", ".join(plan["trusted_predictors"])
                or "none"
            ),
            "generated": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        }
        return StudyResult(
            summary=summary,
            predictions=predictions,
            outcome=outcome,
            horizon=horizon,
            cohort_summary=cohort.describe(horizon=horizon),
            cohort_name=cohort.name,
            cohort_source=cohort.source,
            models=descriptions,
            settings=settings,
            fitted_models=fitted,
            explanation=next(iter(explanations.values()), None),
            explanations=explanations,
            patient_index=patient,
            comparison=comparison,
            calibration=calibration,
            decision_curve=decision_curve,
            optimism=optimism,
            external=external,
            subgroups=subgroups,
            selection_frequency=selection_frequency,
            sample_size=sample_size,
            table_one=cohort.table_one(
                by_outcome=True, horizon=horizon, min_count=REPORT_MIN_COUNT
            ),
            flow=cohort.flow,
            stability=stability,
            fit_issues=fit_issues,
            timings=timings,
            _explain_inputs=(
                {
                    "X": X,
                    "random_state": self.random_state,
                    "n_jobs": self.n_jobs,
                    "max_trees": self.explain_max_trees,
                }
                if explanations
                else None
            ),
        )

    def _cross_validate(self, plan, X, timings):
        """Out-of-fold risk of every model, how often selection kept each feature, and
        every model's whole-cohort fit (made among its folds' fits: see ``run_fits``)."""
        from tqdm.auto import tqdm

        from .evaluation._validation import _cross_validate
        from .features import selected_features

        cohort, horizon = self.cohort, plan["horizon"]
        y = cohort.outcome.to_y()
        predictions, kept, fitted, issues = {}, [], {}, []
        pipelines = plan["pipelines"]
        bar = tqdm(
            total=len(pipelines), desc="riskml study", unit="model", disable=not self.progress
        )
        for name, pipeline in pipelines.items():
            bar.set_postfix_str(name)
            start = _time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    run = _cross_validate(
                        pipeline,
                        X,
                        y,
                        cv=plan["validation"],
                        groups=cohort.groups,
                        random_state=self.random_state,
                        horizon=horizon,
                        n_jobs=self.n_jobs,
                        inspect=selected_features,
                        refit=True,
                    )
                except Exception as error:
                    bar.close()
                    raise RuntimeError(f"model {name!r} failed: {error}") from error
            timings[f"validation {name}"] = _time.perf_counter() - start
            timings[f"refit {name}"] = run.refit_seconds
            _reissue_once(name, caught, where="across the cross-validation and whole-cohort fits")
            issues += _fit_issue_rows(
                name, run.fit_issues, len(run.inspected), run.refit_issues, "fold fits"
            )
            predictions[name] = run.risk
            fitted[name] = run.refitted
            kept += self._frequency(name, run.inspected)
            bar.update(1)
        bar.close()
        frequency = None
        if kept:
            frequency = pd.DataFrame(kept, columns=["model", "feature", "frequency", "fits"])
        return predictions, frequency, fitted, issues

    @staticmethod
    def _frequency(name, selected) -> list:
        fits = [s for s in selected if s is not None]
        if not fits:
            return []
        counts: dict = {}
        for features in fits:
            for feature in features:
                counts[feature] = counts.get(feature, 0) + 1
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return [(name, feature, count / len(fits), len(fits)) for feature, count in ordered]

    def _optimism(self, plan, X):
        """Internal validation of every model; apparent predictions and fits, stability."""
        from .evaluation import internal_validation

        cohort, horizon = self.cohort, plan["horizon"]
        scheme = plan["validation"]
        y = cohort.outcome.to_y()
        tables, fitted, predictions, issues = [], {}, {}, []
        stability = {} if scheme.bootstrap else None
        for name, pipeline in plan["pipelines"].items():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    result = internal_validation(
                        pipeline,
                        X,
                        y,
                        method=scheme.method,
                        metrics=plan["metrics"],
                        horizon=horizon,
                        n_boot=scheme.n_boot,
                        cv=scheme.cv,
                        groups=cohort.groups,
                        random_state=self.random_state,
                        n_jobs=self.n_jobs,
                        progress=self.progress,
                        metric_params=plan["metric_params"],
                        name=name,
                    )
                except Exception as error:
                    raise RuntimeError(f"model {name!r} failed: {error}") from error
            where = "across the bootstrap fits" if scheme.bootstrap else "across the fold fits"
            _reissue_once(name, caught, where=where)
            issues += _fit_issue_rows(
                name,
                result.fit_issues,
                result.n_fits,
                result.apparent_fit_issues,
                "bootstrap replicate fits" if scheme.bootstrap else "fold fits",
            )
            # the apparent (whole-cohort) fit made by internal_validation: no second fit
            fitted[name] = result.estimator_
            predictions[name] = result.apparent_risk
            if scheme.bootstrap:
                stability[name] = result.stability()
            tables.append(result.summary.assign(model=name))
        table = pd.concat(tables, ignore_index=True)
        table = table[["model", *[c for c in table.columns if c != "model"]]]
        return predictions, table, fitted, stability, issues

    def _explain(self, plan, fitted, X, predictions, timings):
        from .explain import explain_pipeline

        if not plan["explain"]:
            return {}, self.patient
        explanations = {}
        main = plan["explain"][0]
        patient = self.patient
        if patient is None:
            patient = int(np.argmax(predictions[main].to_numpy()))
        wanted = EXPLAIN_ROWS if self.explain_rows is None else self.explain_rows
        # a seeded order of the other patients; the first ones are explained
        others = np.random.default_rng(self.random_state).permutation(
            np.delete(np.arange(len(X)), patient)
        )

        def explain(name, n_rows):
            rows = np.sort(np.r_[others[: n_rows - 1], patient])
            return explain_pipeline(
                fitted[name],
                X,
                horizon=plan["horizon"],
                rows=None if len(rows) == len(X) else rows,
                background=X,
                random_state=self.random_state,
                n_jobs=self.n_jobs,
                max_trees=self.explain_max_trees,
                model_name=name,
                # the cohort's own rows: a binary model trained on the patients evaluable
                # at the horizon may not have seen a level that only censored ones have
                check_input=False,
            )

        for name in plan["explain"]:
            start = _time.perf_counter()
            n_rows = min(wanted, len(X))
            if self.explain_rows is None and n_rows > 1:
                start = _time.perf_counter()
                probe = explain(name, 1)
                per_patient = _time.perf_counter() - start
                if probe.model_agnostic and per_patient * n_rows > EXPLAIN_SECONDS:
                    n_rows = max(1, int(EXPLAIN_SECONDS // per_patient))
                    warnings.warn(
                        f"{name} is explained by the model-agnostic method at about "
                        f"{per_patient:.2g} s per patient, so {n_rows} of {min(wanted, len(X))} "
                        f"patients (the example patient included) are explained, in about "
                        f"{EXPLAIN_SECONDS:.0f} s. Pass explain_rows= to explain more.",
                        UserWarning,
                        stacklevel=3,
                    )
                if n_rows == 1:
                    explanations[name] = probe
                    timings[f"explanations {name}"] = _time.perf_counter() - start
                    continue
            explanations[name] = explain(name, n_rows)
            timings[f"explanations {name}"] = _time.perf_counter() - start
        return explanations, patient

    def _compare(self, names, predictions, outcome) -> pd.DataFrame | None:
        """Each model against the reference: paired DeLong (AUC) or bootstrap (C)."""
        from .evaluation import compare_auc, concordance_index, paired_bootstrap

        if len(names) < 2:
            return None
        reference = self.reference or ("cox" if "cox" in names else names[0])
        if outcome.is_survival:
            table = paired_bootstrap(
                concordance_index,
                predictions,
                outcome.time,
                outcome.event,
                reference=reference,
                n_boot=self.n_boot,
                random_state=self.random_state,
                n_jobs=self._metric_threads,
            )
            table["metric"] = "harrell_c"
            return table
        label = outcome.event.astype(int)
        rows = []
        for name in names:
            if name == reference:
                continue
            result = compare_auc(
                label,
                predictions[name].to_numpy(),
                predictions[reference].to_numpy(),
                method=self.comparison,
                n_boot=self.n_boot,
                random_state=self.random_state,
                n_jobs=self._metric_threads,
                stratified=self.stratified_bootstrap,
            )
            rows.append(
                {
                    "model": name,
                    "reference": reference,
                    "metric": "auc",
                    "estimate": result.estimate_a,
                    "reference_estimate": result.estimate_b,
                    "difference": result.difference,
                    "low": result.low,
                    "high": result.high,
                    "statistic": result.statistic,
                    "p_value": result.p_value,
                    "method": result.method,
                    "n_boot": result.n_boot,
                    "n_degenerate": result.n_degenerate,
                }
            )
        return pd.DataFrame(rows)

    @staticmethod
    def _probabilities(names, predictions) -> list[str]:
        """Models whose predictions are probabilities (not linear predictors)."""
        return [
            name
            for name in names
            if np.nanmin(predictions[name]) >= 0 and np.nanmax(predictions[name]) <= 1
        ]

    def _calibrate(self, names, predictions, outcome, horizon) -> pd.DataFrame | None:
        """Predicted against observed risk by group of predicted risk, per model."""
        from .evaluation import calibration_curve, survival_calibration

        if outcome.is_survival and horizon is None:
            return None
        # Tenths of predicted risk, fewer with few events (about 5 events a group at least).
        if outcome.is_survival:
            events = int(np.sum(outcome.event & (outcome.time <= horizon)))
        else:
            events = int(min(outcome.event.sum(), (~outcome.event).sum()))
        n_groups = int(np.clip(events // 5, 3, 10))
        tables = []
        for name in self._probabilities(names, predictions):
            risk = predictions[name].to_numpy()
            if outcome.is_survival:
                table = survival_calibration(
                    outcome.time, outcome.event, risk, horizon, n_groups=n_groups
                )
            else:
                table = calibration_curve(
                    outcome.event.astype(int), risk, method="bins", n_groups=n_groups
                )
            tables.append(table.assign(model=name))
        if not tables:
            return None
        table = pd.concat(tables, ignore_index=True)
        return table[["model", *[c for c in table.columns if c != "model"]]]

    def _decision_curve(self, names, predictions, outcome, horizon) -> pd.DataFrame | None:
        from .evaluation import decision_curve, decision_curve_survival

        if outcome.is_survival and horizon is None:
            return None
        models = predictions[self._probabilities(names, predictions)]
        if models.shape[1] == 0:
            return None
        thresholds = np.round(np.arange(0.01, 0.51, 0.01), 2)
        if outcome.is_survival:
            return decision_curve_survival(
                outcome.time, outcome.event, models, horizon, thresholds=thresholds
            )
        return decision_curve(outcome.event.astype(int), models, thresholds=thresholds)

    def _subgroups(self, plan, predictions) -> pd.DataFrame | None:
        """The summary's metrics within each subgroup, from the out-of-fold predictions."""
        from .evaluation import evaluate_predictions

        if not plan["subgroups"]:
            return None
        outcome = self.cohort.outcome
        tables = []
        for variable, labels in plan["subgroups"].items():
            for level in sorted(labels.dropna().unique(), key=str):
                rows = np.flatnonzero((labels == level).to_numpy())
                sub = outcome[rows]
                base = {"variable": variable, "subgroup": str(level), "n": len(rows)}
                try:
                    table = evaluate_predictions(
                        sub,
                        predictions.iloc[rows],
                        metrics=plan["metrics"],
                        horizon=plan["horizon"],
                        n_boot=self.n_boot,
                        random_state=self.random_state,
                        n_jobs=self._metric_threads,
                        metric_params=plan["metric_params"],
                        stratified=self.stratified_bootstrap,
                    ).summary
                except ValueError as error:
                    tables.append(pd.DataFrame([{**base, "note": str(error)}]))
                    continue
                tables.append(table.assign(variable=variable, subgroup=str(level)))
        table = pd.concat(tables, ignore_index=True)
        first = ["variable", "subgroup", "model", "metric"]
        return table[[*first, *[c for c in table.columns if c not in first]]]

    def _external(self, plan, fitted) -> pd.DataFrame | None:
        from .evaluation import evaluate_predictions

        external = self.external
        if external is None:
            return None
        X = external.features[self.cohort.predictors]
        predictions = {
            name: np.asarray(model.predict_risk(X, horizon=plan["horizon"]), dtype=float)
            for name, model in fitted.items()
        }
        return evaluate_predictions(
            external.outcome,
            predictions,
            metrics=plan["metrics"],
            horizon=plan["horizon"],
            n_boot=self.n_boot,
            random_state=self.random_state,
            n_jobs=self._metric_threads,
            metric_params=plan["metric_params"],
            stratified=self.stratified_bootstrap,
        ).summary.assign(cohort=external.name)

    def _describe_validation(self, validation) -> str:
        from .evaluation import InternalValidation, RepeatedCV

        grouped = " grouped by patient" if self.cohort.groups is not None else ""
        if isinstance(validation, int | np.integer):
            return (
                f"stratified {int(validation)}-fold cross-validation{grouped}; "
                "every model refitted in each training fold"
            )
        if isinstance(validation, RepeatedCV):
            return (
                f"stratified {validation.k}-fold cross-validation{grouped} repeated "
                f"{validation.repeats} times; every model refitted in each training fold; "
                "estimates are the mean over repeats"
            )
        if isinstance(validation, InternalValidation):
            if validation.bootstrap:
                name = {
                    "bootstrap": "Harrell's optimism-corrected bootstrap",
                    "632": "Efron's .632 bootstrap",
                    "632+": "Efron and Tibshirani's .632+ bootstrap",
                }[validation.method]
                return (
                    f"{name} ({validation.n_boot} replicates); the whole pipeline refitted "
                    "in each replicate"
                )
            name = {
                "cv_optimism": "cross-validation optimism (training-fold minus held-out-fold "
                "performance, subtracted from the apparent)",
                "cv_average": "cross-validation average (the mean held-out-fold performance)",
            }[validation.method]
            folds = (
                f"{validation.cv}-fold" if isinstance(validation.cv, int) else repr(validation.cv)
            )
            return f"{name}, {folds}{grouped}; the whole pipeline refitted in each fold"
        return repr(validation)
