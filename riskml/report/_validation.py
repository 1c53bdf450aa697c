"""The HTML report of a saved model's external validation (``riskml validate``).

The same template, renderer and section builders as a study's report
(:func:`riskml.report.write_report`), with the sections that an external validation of
a model file has: the validation cohort, the outcome, the model's predictors and the
validation cohort's missing data, the inputs against the development data with the
input checks, the model as saved in its file, performance with intervals,
discrimination, calibration, overall performance, the decision curve, recalibration
advice, limitations, methods, reproducibility and the TRIPOD+AI checklist. Nothing is
computed here: :func:`riskml.deployment.validate_model` computes, this module shows.
"""

from __future__ import annotations

from pathlib import Path

from . import _sections as S
from ._html import SECTIONS, document_mode, render_sections

__all__ = ["VALIDATION_SECTIONS", "render_validation_report", "write_validation_report"]

#: The sections of a saved model's validation report, in order: name (also the HTML
#: id) → (title, builder). A study's builders where a study's section says the same.
VALIDATION_SECTIONS = {
    "cohort": ("Validation cohort: source of data and participants", S.cohort_section),
    "outcome": ("Outcome", S.outcome_section),
    "predictors": ("The model's predictors and their handling", S.saved_model_predictors_section),
    "missing": ("Missing data in the validation cohort", S.missing_section),
    "inputs": ("Validation cohort against the development data", S.inputs_section),
    "specification": ("Model specification, as saved in the model file", S.specification_section),
    "performance": ("External validation: performance", S.performance_section),
    "discrimination": (SECTIONS["discrimination"][0], S.discrimination_section),
    "calibration": (SECTIONS["calibration"][0], S.calibration_section),
    "overall": (SECTIONS["overall"][0], S.overall_section),
    "clinical_utility": (SECTIONS["clinical_utility"][0], S.clinical_utility_section),
    "recalibration": ("Recalibration advice", S.recalibration_section),
    "limitations": (SECTIONS["limitations"][0], S.limitations_section),
    "methods": (SECTIONS["methods"][0], S.methods_section),
    "reproducibility": (SECTIONS["reproducibility"][0], S.reproducibility_section),
    "checklist": (SECTIONS["checklist"][0], None),
}


def _check_saved_model(result) -> None:
    if not isinstance(getattr(result, "model_file", None), dict):
        raise TypeError(
            "a validation report needs the result of a saved model's external validation "
            "(an object with model_file, the model file's header, as validate_model builds "
            f"it); {type(result).__name__} has no model_file. For a study, use write_report."
        )


def _title(result, title) -> str:
    if title:
        return str(title)
    name = result.model_file.get("file") or "a saved model"
    return f"External validation of {name} on {result.cohort_name}"


def render_validation_report(result, *, title=None, authors=None, sections=None) -> str:
    """The validation report of ``result`` as an HTML string (see
    :func:`write_validation_report`).

    Examples
    --------
    >>> import os, tempfile
    >>> import riskml as rk
    >>> from riskml.deployment import saved_model_validation
    >>> from riskml.report import render_validation_report
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> model = rk.models.make_model("logistic").fit(cohort.features, cohort.outcome.event)
    >>> folder = tempfile.mkdtemp()
    >>> model_path = rk.save_model(model, os.path.join(folder, "model.riskml"), cohort=cohort)
    >>> cohort_path = os.path.join(folder, "cohort.csv")
    >>> cohort.features.assign(death=cohort.outcome.event).to_csv(cohort_path, index=False)
    >>> result = saved_model_validation(model_path, cohort_path, outcome="death", n_boot=50)
    >>> html = render_validation_report(result, title="External validation")
    >>> html.startswith("<!DOCTYPE html>"), "External validation" in html
    (True, True)
    """
    _check_saved_model(result)
    return render_sections(
        result,
        title=_title(result, title),
        authors=authors,
        sections=sections,
        catalogue=VALIDATION_SECTIONS,
    )


def write_validation_report(
    result, path, *, title=None, authors=None, sections=None, overwrite: bool = False
) -> Path:
    """Write the self-contained HTML report of a saved model's external validation.

    :func:`riskml.deployment.validate_model` writes it (``validation-report.html``,
    beside ``validation_metrics.csv`` and ``validation.md``, with the same numbers);
    this function writes the report of the result that
    :func:`riskml.deployment.saved_model_validation` returns, e.g. with another title
    or fewer sections.

    Parameters
    ----------
    result : riskml.deployment.SavedModelValidation
        Or any object with the attributes of a study result that
        :func:`write_report` reads (``summary``, ``predictions``: the saved model's
        risks for the validation cohort, ``outcome``, ``horizon``, ``cohort_summary``,
        ``cohort_name``, ``cohort_source``, ``models``, ``settings``,
        ``fitted_models``, ``calibration``, ``decision_curve``, ``table_one``,
        ``external``, ``explanation`` and ``patient_index``), plus ``model_file``
        (the model file's header, :func:`riskml.persistence.read_model_info`, with
        ``file``, its name, and ``family``), ``input_comparison`` (per input: the
        development data as stored against the validation cohort), ``input_checks``
        (what :func:`riskml.deployment.check_inputs` warned about) and ``advice``
        (recalibration advice, one sentence per item).
    path : str or path-like
        The file to write; missing parent folders are created when it is written.
    title : str, optional
        Defaults to "External validation of <model file> on <cohort>".
    authors : str or list of str, optional
    sections : sequence of str, optional
        Names among :data:`VALIDATION_SECTIONS` (all by default).
    overwrite : bool, default=False
        Replace an existing file; by default an existing path is refused before any
        work, as :func:`write_report` does.

    Returns
    -------
    pathlib.Path

    References
    ----------
    Collins GS, Moons KGM, Dhiman P, et al. TRIPOD+AI statement: updated guidance
    for reporting clinical prediction models that use regression or machine
    learning methods. BMJ 2024;385:e078378.

    Riley RD, Archer L, Snell KIE, et al. Evaluation of clinical prediction models
    (part 2): how to undertake an external validation study. BMJ 2024;384:e074820.

    Examples
    --------
    >>> import os, tempfile
    >>> import riskml as rk
    >>> from riskml.deployment import saved_model_validation
    >>> from riskml.report import write_validation_report
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> model = rk.models.make_model("logistic").fit(cohort.features, cohort.outcome.event)
    >>> folder = tempfile.mkdtemp()
    >>> model_path = rk.save_model(model, os.path.join(folder, "model.riskml"), cohort=cohort)
    >>> cohort_path = os.path.join(folder, "cohort.csv")
    >>> cohort.features.assign(death=cohort.outcome.event).to_csv(cohort_path, index=False)
    >>> result = saved_model_validation(model_path, cohort_path, outcome="death", n_boot=50)
    >>> write_validation_report(result, os.path.join(folder, "validation.html"),
    ...                         sections=["performance"]).name
    'validation.html'
    """
    from ..persistence import check_output_path, write_atomically

    path = check_output_path(path, overwrite=overwrite, what="report", create_parents=True)
    html = render_validation_report(result, title=title, authors=authors, sections=sections)
    write_atomically(
        path, html.encode("utf-8"), overwrite=overwrite, what="report", mode=document_mode()
    )
    return path
