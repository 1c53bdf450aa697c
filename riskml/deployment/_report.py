"""What the HTML report of ``riskml validate`` shows, computed once: the saved model's
risks for the validation cohort, their calibration by groups and decision curve, the
validation cohort described (counts, missingness, Table 1 with small cells suppressed),
and its inputs against the development data stored in the model file.

:func:`riskml.report.render_validation_report` shows it; nothing here is rounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["SavedModelValidation"]

#: The HTML report's file name in the results folder of ``riskml validate``.
REPORT_FILE = "validation-report.html"


@dataclass
class SavedModelValidation:
    """The external validation of a saved model on a new cohort, for its report.

    The attributes a study result gives its report (:func:`riskml.report.write_report`),
    with the saved model as the one model, plus what only a saved model's validation
    has.

    Attributes
    ----------
    summary : pandas.DataFrame
        :func:`riskml.evaluation.external_validation`'s table: ``model``, ``metric``,
        ``estimate``, ``low``, ``high``, ``method``, ``n``, ``events``, ``n_boot``,
        ``n_degenerate`` (the numbers of ``validation_metrics.csv``).
    predictions : pandas.DataFrame
        The saved model's risk for every patient of the validation cohort (one column,
        named as the model; rows in file order, no identifiers).
    outcome : riskml.Outcome
    horizon : float or None
    advice : list of str
        Recalibration advice (``validation.md``).
    model_file : dict
        The model file's header (:func:`riskml.persistence.read_model_info`), with
        ``file`` (its name) and ``family`` (its registered model family, or None).
    input_checks : pandas.DataFrame
        What :func:`riskml.deployment.check_inputs` warned about (empty when nothing).
    input_comparison : pandas.DataFrame
        Per input: the development data as stored (``training_min``,
        ``training_max``, ``training_median``, ``training_missing`` share,
        ``training_levels``) against the validation cohort (``median``, None for
        fewer than 5 values or a non-numeric input; ``missing`` count; ``n``).

    Examples
    --------
    >>> import os, tempfile
    >>> import riskml as rk
    >>> from riskml.deployment import saved_model_validation
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> model = rk.models.make_model("logistic").fit(cohort.features, cohort.outcome.event)
    >>> folder = tempfile.mkdtemp()
    >>> model_path = rk.save_model(model, os.path.join(folder, "model.riskml"), cohort=cohort)
    >>> cohort_path = os.path.join(folder, "cohort.csv")
    >>> cohort.features.assign(death=cohort.outcome.event).to_csv(cohort_path, index=False)
    >>> result = saved_model_validation(model_path, cohort_path, outcome="death", n_boot=50)
    >>> result.summary[["metric", "estimate"]].head(2).round(3)
                      metric  estimate
    0                    auc     0.809
    1  calibration_intercept    -0.000
    >>> result.advice[-1][:34]
    'No recalibration is indicated: the'
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
    fitted_models: dict
    advice: list
    model_file: dict
    input_checks: pd.DataFrame
    input_comparison: pd.DataFrame
    calibration: pd.DataFrame | None = None
    decision_curve: pd.DataFrame | None = None
    table_one: pd.DataFrame | None = None
    external: pd.DataFrame | None = None
    explanation: object = None
    explanations: dict = field(default_factory=dict)
    patient_index: int | None = None

    def report(self, path, *, title=None, authors=None, sections=None, overwrite=False):
        """Write the HTML report (:func:`riskml.report.write_validation_report`)."""
        from ..report import write_validation_report

        return write_validation_report(
            self, path, title=title, authors=authors, sections=sections, overwrite=overwrite
        )

    def export(self, path, *, min_cell=5, overwrite=False):
        """Write the aggregate results, safe to share, into the folder ``path``.

        Counts, metrics with intervals, the calibration table and the decision curve
        as CSV files with a README.txt; every count under ``min_cell`` is suppressed
        (shown as ``"<5"``), with what would give it back by subtraction
        (:mod:`riskml.deployment._export`). No identifier or row-level value is
        written.

        Returns
        -------
        list of pathlib.Path
            The files written (all of them or none).
        """
        from ._export import write_export

        return write_export(self, path, min_cell=min_cell, overwrite=overwrite)


def _probability(risk) -> bool:
    """Whether the risks are probabilities (a calibration plot and decision curve
    have a meaning), not a linear predictor."""
    return bool(np.nanmin(risk) >= 0 and np.nanmax(risk) <= 1)


def calibration_groups(risk, outcome, horizon, name) -> pd.DataFrame | None:
    """Predicted against observed risk by group of predicted risk, grouped as a study's
    report groups them (:func:`riskml.evaluation.calibration_table`)."""
    from ..evaluation import calibration_table

    if not _probability(risk):
        return None
    return calibration_table(outcome, pd.DataFrame({name: risk}), horizon)


def decision_curve_table(risk, outcome, horizon, name) -> pd.DataFrame | None:
    """Net benefit by threshold (1% to 50%), with treat all and treat none
    (:func:`riskml.evaluation.decision_curve_table`)."""
    from ..evaluation import decision_curve_table as table

    if not _probability(risk):
        return None
    return table(outcome, pd.DataFrame({name: risk}), horizon)


def input_comparison(X: pd.DataFrame, info: dict) -> pd.DataFrame:
    """Each input of the model: the development data as stored in the model file
    against the validation cohort (median of at least 5 values, missing count)."""
    from ..cohorts import REPORT_MIN_COUNT

    profile = ((info.get("inputs") or {}).get("columns")) or {}
    dtypes = {c["name"]: c.get("dtype") or "" for c in info.get("columns") or []}
    rows = []
    for name in X.columns:
        entry = profile.get(name) if isinstance(profile.get(name), dict) else {}
        values = X[name]
        numeric = pd.api.types.is_numeric_dtype(values) and entry.get("kind") != "categorical"
        present = values.notna()
        median = None
        if numeric and entry.get("kind") != "binary" and int(present.sum()) >= REPORT_MIN_COUNT:
            median = float(np.median(values[present].astype(float)))
        levels = entry.get("levels")
        rows.append(
            {
                "input": str(name),
                "kind": entry.get("kind")
                or ("numeric" if numeric else "categorical" if dtypes.get(name) else ""),
                "unit": entry.get("unit") or "",
                "training_min": entry.get("min"),
                "training_max": entry.get("max"),
                "training_median": entry.get("median"),
                "training_missing": entry.get("missing"),
                "training_levels": None if levels is None else len(levels),
                "median": median,
                "missing": int((~present).sum()),
                "n": len(values),
            }
        )
    return pd.DataFrame(rows)


def describe_cohort(X, y, horizon, name, source, info):
    """Counts, missingness and Table 1 of the validation cohort (the model's inputs only:
    no other column of the file, identifiers included, is read).

    The inputs are the model's predictors, described as the model file describes them:
    the unit stored for each (a measurement distinct in every row, such as BNP, is not
    an identifier) and categorical inputs as categories.
    """
    from ..cohorts import REPORT_MIN_COUNT, Cohort

    profile = ((info.get("inputs") or {}).get("columns")) or {}
    metadata = pd.DataFrame(
        {
            "unit": [
                (profile.get(c) or {}).get("unit") or "as in the development data"
                for c in X.columns
            ],
            "type": [
                "cat" if (profile.get(c) or {}).get("kind") == "categorical" else None
                for c in X.columns
            ],
            "role": "predictor",
        },
        index=X.columns,
    )
    cohort = Cohort(X, y, metadata, name=name, source=source)
    at = horizon if y.is_survival else None
    return cohort.describe(horizon=at), cohort.table_one(
        by_outcome=True, horizon=at, min_count=REPORT_MIN_COUNT
    )
