"""A study: one cohort, several models, cross-validated and compared.

:class:`Study` ties the flow together: cohort → features → models → evaluation →
explain → report. Every model is a :class:`~riskml.models.RiskPipeline`, refitted
from scratch in each training fold, so imputation, selection and fitting never
see the patients they are evaluated on.
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone

from .cohorts import REPORT_MIN_COUNT, Cohort

__all__ = ["Study", "StudyResult"]

SUMMARY_COLUMNS = [
    "model",
    "metric",
    "estimate",
    "low",
    "high",
    "method",
    "n",
    "events",
    "n_degenerate",
]


def _reissue_once(model: str, caught, where: str = "across the cross-validation fits") -> None:
    """Re-issue warnings raised in every fold once, with the number of fits that raised them.

    Row positions inside a fold mean nothing to the user, so they are dropped.
    """
    counts: dict = {}
    for record in caught:
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


def _check_int(value, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(
            f"The '{name}' parameter of Study must be an int in the range [{low}, inf). "
            f"Got {value!r} instead."
        )
    return int(value)


@dataclass
class StudyResult:
    """What :meth:`Study.run` returns.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per model and metric: ``model``, ``metric`` (``"harrell_c"`` for a
        time-to-event outcome, ``"auc"`` for a binary one, and ``"td_auc"``, the
        cumulative/dynamic AUC at the horizon with inverse-probability-of-censoring
        weights, Uno et al. 2007),
        ``estimate``, ``low``, ``high`` (percentile-bootstrap 95% CI of the
        out-of-fold predictions), ``method``, ``n``, ``events`` and
        ``n_degenerate`` (bootstrap replicates in which the metric was undefined,
        left out of the CI). Numbers are unrounded.
    predictions : pandas.DataFrame
        Out-of-fold predicted risk, one column per model, one row per patient (in
        cohort order; no identifiers).
    outcome : Outcome
    fitted_models : dict
        Every model refitted on the whole cohort, for explanation and deployment.
    explanation : ShapExplanation or None
        SHAP values of the explained model fitted on the whole cohort.
    patient_index : int or None
        Row position (never an identifier) of the patient shown in the report card.
    comparison : pandas.DataFrame or None
        Paired bootstrap differences of each model's C-statistic against the
        reference model, on identical resamples (see
        :func:`riskml.evaluation.paired_bootstrap`); None with a single model.
    calibration : pandas.DataFrame or None
        Predicted against observed risk by group of predicted risk (tenths, or
        fewer so that groups hold about five events), per model: Kaplan-Meier
        observed risk at the horizon for a time-to-event outcome
        (:func:`riskml.evaluation.survival_calibration`), observed proportion in
        tenths of predicted risk for a binary one. None for a time-to-event
        outcome without a horizon (the models then predict relative risk only).
    table_one : pandas.DataFrame or None
        Characteristics of the candidate predictors by outcome group
        (:meth:`riskml.Cohort.table_one`), for the report.
    """

    summary: pd.DataFrame
    predictions: pd.DataFrame
    outcome: object
    horizon_days: float | None
    cohort_summary: dict
    cohort_name: str
    cohort_source: str
    models: dict
    settings: dict
    fitted_models: dict = field(default_factory=dict)
    explanation: object = None
    patient_index: int | None = None
    comparison: pd.DataFrame | None = None
    calibration: pd.DataFrame | None = None
    table_one: pd.DataFrame | None = None

    def print_summary(self, decimals: int = 3) -> None:
        """Print the comparison table, rounded for display only."""
        print(self.format_summary(decimals))

    def format_summary(self, decimals: int = 3) -> str:
        """The comparison table as text: estimate and 95% CI per model and metric."""
        rows = []
        for row in self.summary.itertuples():
            rows.append(
                {
                    "model": row.model,
                    "metric": row.metric,
                    "estimate": f"{row.estimate:.{decimals}f}",
                    "95% CI": f"{row.low:.{decimals}f} to {row.high:.{decimals}f}",
                    "n": row.n,
                    "events": row.events,
                }
            )
        return pd.DataFrame(rows).to_string(index=False)

    def explain(self, patient: int | None = None) -> pd.DataFrame:
        """One patient's SHAP explanation (feature, value, contribution).

        Parameters
        ----------
        patient : int, optional
            Row position in the cohort; defaults to the report's example patient.
        """
        if self.explanation is None:
            raise ValueError(
                "this study has no explanation: include 'xgboost' in models and leave "
                "explain='xgboost' to get SHAP values."
            )
        return self.explanation.patient(self.patient_index if patient is None else patient)

    def report(self, path) -> object:
        """Write the self-contained HTML validation report to ``path``."""
        from .report import write_report

        return write_report(self, path)


class Study:
    """Fit, cross-validate and compare risk models on one cohort.

    Parameters
    ----------
    cohort : Cohort
    models : sequence of str, or dict, default=("xgboost", "cox", "framingham_recalibrated")
        Names from :data:`riskml.models.MODELS` (``"xgboost"``, ``"lasso"``,
        ``"cox"``, ``"framingham"``, ``"framingham_recalibrated"``, ...), or a dict
        ``{name: model}`` whose values are names or
        :class:`~riskml.models.RiskPipeline` objects of your own.
    selection : transformer, optional
        A feature selector such as :class:`~riskml.features.RecursiveFeatureElimination`,
        applied inside every learned model's pipeline (published scores such as
        Framingham use their fixed inputs).
    validation : int or cross-validation splitter, default=10
        Number of stratified folds, or a scikit-learn splitter.
    horizon_days : float, optional
        Horizon for binary labels derived from a time-to-event outcome, for
        recalibrating published scores, and for the AUC at the horizon. Defaults
        to the cohort's ``horizon_days`` where the loader set one.
    random_state : int, default=0
        Seeds folds, models and bootstrap: the same seed gives the same numbers.
    n_boot : int, default=2000
        Bootstrap replicates for each confidence interval.
    explain : str or None, default="xgboost"
        XGBoost model whose whole-cohort fit is explained with SHAP; None for none.
    patient : int, optional
        Row position of the example patient in the report; defaults to the patient
        with the highest cross-validated risk of the explained model.
    framingham_inputs : dict, optional
        How the cohort's columns feed the Framingham score, e.g.
        ``{"sbp": "office_sbp", "smoker": {"column": "smoking_status",
        "equals": "current"}}``; defaults to the mapping the loader set
        (``cohort.framingham_inputs``).
    reference : str, optional
        Model the others are compared with (paired bootstrap of the C-statistic);
        defaults to ``"cox"`` when it is among the models, else the first model.
    n_jobs : int, optional
        Folds fitted in parallel with joblib.
    progress : bool, default=True
        Show a progress bar.

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
        validation=10,
        horizon_days: float | None = None,
        random_state: int = 0,
        n_boot: int = 2000,
        explain: str | None = "xgboost",
        patient: int | None = None,
        framingham_inputs: dict | None = None,
        reference: str | None = None,
        n_jobs: int | None = None,
        progress: bool = True,
    ):
        self.cohort = cohort
        self.models = models
        self.selection = selection
        self.validation = validation
        self.horizon_days = horizon_days
        self.random_state = random_state
        self.n_boot = n_boot
        self.explain = explain
        self.patient = patient
        self.framingham_inputs = framingham_inputs
        self.reference = reference
        self.n_jobs = n_jobs
        self.progress = progress

    # -- set-up -----------------------------------------------------------------
    def _check(self) -> tuple[dict, float | None]:
        """Validate the settings; return {name: model} and the horizon."""
        if not isinstance(self.cohort, Cohort):
            raise TypeError(
                f"cohort must be a riskml.Cohort; got {type(self.cohort).__name__}. Build one "
                "with a loader in riskml.cohorts or riskml.Cohort(features, outcome)."
            )
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
                        "pipelines of your own, pass a dict {name: pipeline}. Got "
                        f"{type(model).__name__}."
                    )
                if model in models:
                    raise ValueError(f"model {model!r} is listed twice.")
                models[model] = model
        if not models:
            raise ValueError(
                "models must be a non-empty list of model names (e.g. ['xgboost', 'cox']) or "
                f"a dict {{name: model}}; got {self.models!r}."
            )
        _check_int(self.n_boot, "n_boot", 1)
        _check_int(self.random_state, "random_state", 0)
        if isinstance(self.validation, bool) or not (
            (isinstance(self.validation, int | np.integer) and self.validation >= 2)
            or callable(getattr(self.validation, "split", None))
        ):
            raise ValueError(
                "The 'validation' parameter of Study must be an int in the range [2, inf) "
                f"(the number of folds) or a cross-validation splitter. Got {self.validation!r} "
                "instead."
            )
        outcome = self.cohort.outcome
        horizon = self.horizon_days
        if horizon is not None and not outcome.is_survival:
            raise ValueError(
                "horizon_days applies to time-to-event outcomes; this cohort's outcome is "
                "binary. Leave horizon_days out."
            )
        if horizon is None and outcome.is_survival:
            horizon = getattr(self.cohort, "horizon_days", None)
        if horizon is not None and (
            isinstance(horizon, bool)
            or not isinstance(horizon, int | float | np.integer | np.floating)
            or not np.isfinite(horizon)
            or horizon <= 0
        ):
            raise ValueError(f"horizon_days must be a positive number of days; got {horizon!r}.")
        if self.explain is not None and self.explain not in models:
            raise ValueError(
                f"explain={self.explain!r} is not one of the study's models "
                f"({', '.join(models)}); name an XGBoost model among them, or pass explain=None."
            )
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
        return models, horizon

    def _build(self, model, horizon):
        from .models import make_model

        if not isinstance(model, str):
            return clone(model)
        from .models._registry import _SCORES

        learned = model not in _SCORES
        return make_model(
            model,
            selection=self.selection if learned else None,
            horizon=horizon,
            framingham_inputs=(
                self.framingham_inputs
                if self.framingham_inputs is not None
                else getattr(self.cohort, "framingham_inputs", None)
            ),
            random_state=self.random_state,
        )

    # -- the run ----------------------------------------------------------------
    def run(self) -> StudyResult:
        """Cross-validate every model, compute C-statistics with CIs, explain, summarise."""
        from tqdm.auto import tqdm

        from .evaluation import (
            bootstrap_ci,
            concordance_index_ci,
            cross_val_predict_risk,
            roc_auc_ci,
            time_dependent_auc,
        )
        from .models import describe_model

        models, horizon = self._check()
        names = list(models)
        cohort = self.cohort
        outcome = cohort.outcome
        X = cohort.features[cohort.predictors]
        y = outcome.to_y()
        folds = self.validation

        pipelines = {name: self._build(model, horizon) for name, model in models.items()}
        if self.explain is not None and "XGBoost" not in type(pipelines[self.explain][-1]).__name__:
            raise ValueError(
                f"explain={self.explain!r}: SHAP explanations are available for XGBoost models "
                f"in this release; its final step is {type(pipelines[self.explain][-1]).__name__}. "
                "Pass explain=None or name an XGBoost model."
            )
        if outcome.is_survival and horizon is None:
            binary = [n for n, p in pipelines.items() if p.outcome_kind == "binary"]
            if binary:
                raise ValueError(
                    f"{', '.join(binary)} learn(s) a binary label, but the outcome is "
                    "time-to-event and no horizon is set. Pass horizon_days (e.g. "
                    "horizon_days=365) to train on 'event by the horizon', or use survival "
                    "models such as 'cox'."
                )

        predictions = {}
        bar = tqdm(total=len(names), desc="riskml study", unit="model", disable=not self.progress)
        for name, pipeline in pipelines.items():
            bar.set_postfix_str(name)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                predictions[name] = cross_val_predict_risk(
                    pipeline,
                    X,
                    y,
                    cv=folds,
                    groups=cohort.groups,
                    random_state=self.random_state,
                    horizon=horizon,
                    n_jobs=self.n_jobs,
                )
            _reissue_once(name, caught)
            bar.update(1)
        bar.close()
        predictions = pd.DataFrame(predictions)

        rows = []
        events = int(outcome.event.sum())
        for name in names:
            risk = predictions[name].to_numpy()
            if outcome.is_survival:
                ci = concordance_index_ci(
                    outcome.time,
                    outcome.event,
                    risk,
                    n_boot=self.n_boot,
                    random_state=self.random_state,
                )
                rows.append(self._row(name, "harrell_c", ci, len(outcome), events))
                if horizon is not None:

                    def td_auc(time, event, score):
                        return float(time_dependent_auc(time, event, score, [horizon])[0])

                    ci = bootstrap_ci(
                        td_auc,
                        outcome.time,
                        outcome.event,
                        risk,
                        n_boot=self.n_boot,
                        random_state=self.random_state,
                    )
                    rows.append(
                        self._row(
                            name,
                            "td_auc",
                            ci,
                            len(outcome),
                            int(np.sum(outcome.event & (outcome.time <= horizon))),
                            note=(
                                f"; cumulative/dynamic AUC at {horizon:g} days with "
                                "inverse-probability-of-censoring weights (Uno 2007)"
                            ),
                        )
                    )
            else:
                ci = roc_auc_ci(
                    outcome.event.astype(int),
                    risk,
                    n_boot=self.n_boot,
                    random_state=self.random_state,
                )
                rows.append(self._row(name, "auc", ci, len(outcome), events))
        summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
        comparison = self._compare(names, predictions, outcome)
        calibration = self._calibrate(names, predictions, outcome, horizon)

        # Every model refitted on the whole cohort: the model to deploy and to explain.
        fitted = {}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for name, pipeline in pipelines.items():
                fitted[name] = clone(pipeline).fit(X, y)
        _reissue_once("all models", caught, where="in the fits on the whole cohort")
        explanation, patient = None, None
        if self.explain is not None:
            from .explain import explain_pipeline

            explanation = explain_pipeline(fitted[self.explain], X, random_state=self.random_state)
            patient = self.patient
            if patient is None:
                # The example patient: highest cross-validated risk of the explained model.
                patient = int(np.argmax(predictions[self.explain].to_numpy()))

        descriptions = {
            name: describe_model(model) if isinstance(model, str) else repr(model)
            for name, model in models.items()
        }
        from .models import describe_imbalance_handling

        settings = {
            "validation": self._describe_validation(),
            "class imbalance": "; ".join(
                f"{name}: {describe_imbalance_handling(pipeline)}"
                for name, pipeline in pipelines.items()
            ),
            "selection": "none" if self.selection is None else repr(self.selection),
            "random_state": self.random_state,
            "n_boot": self.n_boot,
            "horizon_days": horizon,
            "generated": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        }
        return StudyResult(
            summary=summary,
            predictions=predictions,
            outcome=outcome,
            horizon_days=horizon,
            cohort_summary=cohort.describe(),
            cohort_name=cohort.name,
            cohort_source=cohort.source,
            models=descriptions,
            settings=settings,
            fitted_models=fitted,
            explanation=explanation,
            patient_index=patient,
            comparison=comparison,
            calibration=calibration,
            table_one=cohort.table_one(
                by_outcome=True, horizon=horizon, min_count=REPORT_MIN_COUNT
            ),
        )

    def _compare(self, names, predictions, outcome) -> pd.DataFrame | None:
        """Paired bootstrap of each model's C-statistic against the reference."""
        from .evaluation import concordance_index, paired_bootstrap, roc_auc

        if len(names) < 2:
            return None
        reference = self.reference or ("cox" if "cox" in names else names[0])
        if outcome.is_survival:
            return paired_bootstrap(
                concordance_index,
                predictions,
                outcome.time,
                outcome.event,
                reference=reference,
                n_boot=self.n_boot,
                random_state=self.random_state,
            )
        label = outcome.event.astype(int)
        return paired_bootstrap(
            roc_auc,
            predictions,
            label,
            reference=reference,
            n_boot=self.n_boot,
            stratify=label,
            random_state=self.random_state,
        )

    @staticmethod
    def _calibrate(names, predictions, outcome, horizon) -> pd.DataFrame | None:
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
        for name in names:
            risk = predictions[name].to_numpy()
            if np.nanmin(risk) < 0 or np.nanmax(risk) > 1:
                continue  # a linear predictor, not a probability
            if outcome.is_survival:
                table = survival_calibration(
                    outcome.time, outcome.event, risk, horizon, n_groups=n_groups
                )
            else:
                table = calibration_curve(
                    outcome.event.astype(int), risk, method="bins", n_bins=n_groups
                )
            tables.append(table.assign(model=name))
        if not tables:
            return None
        table = pd.concat(tables, ignore_index=True)
        return table[["model", *[c for c in table.columns if c != "model"]]]

    @staticmethod
    def _row(name, metric, ci, n, events, note="") -> dict:
        return {
            "model": name,
            "metric": metric,
            "estimate": ci.estimate,
            "low": ci.low,
            "high": ci.high,
            "method": f"out-of-fold, percentile bootstrap ({ci.n_boot} replicates){note}",
            "n": n,
            "events": events,
            "n_degenerate": ci.n_degenerate,
        }

    def _describe_validation(self) -> str:
        if isinstance(self.validation, int | np.integer):
            grouped = " grouped by patient" if self.cohort.groups is not None else ""
            return (
                f"stratified {int(self.validation)}-fold cross-validation{grouped}; "
                "every model refitted in each training fold"
            )
        return repr(self.validation)
