"""The self-contained HTML report of a study.

:func:`write_report` turns a finished study (a :class:`riskml.study.StudyResult`, or
any object with the same attributes) into one HTML file: CSS inline, figures as
inline base64 PNG, nothing fetched from the network. Numbers are rounded here, at
display time only. Row identifiers are never read: the example patient is named by
its row number.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from numbers import Integral
from pathlib import Path

import pandas as pd

from . import _sections as S
from ._common import is_saved_model_validation
from ._custom import build_custom, custom_sections
from ._tripod import checklist

__all__ = ["SECTIONS", "render_report", "render_sections", "write_report"]

REQUIRED_ATTRIBUTES = (
    "summary",
    "predictions",
    "outcome",
    "horizon",
    "cohort_summary",
    "cohort_name",
    "cohort_source",
    "models",
    "settings",
    "explanation",
    "patient_index",
)

SUMMARY_COLUMNS = ("model", "metric", "estimate", "low", "high", "method")

#: The report's sections in order: name (also the HTML id) → (title, builder).
#: ``write_report(..., sections=[...])`` chooses among these names.
SECTIONS = {
    "cohort": ("Source of data and participants", S.cohort_section),
    "outcome": ("Outcome", S.outcome_section),
    "predictors": ("Candidate predictors and their handling", S.predictors_section),
    "selection": ("Predictors used by each model", S.selection_section),
    "sample_size": ("Sample size", S.sample_size_section),
    "missing": ("Missing data", S.missing_section),
    "specification": ("Model specification", S.specification_section),
    "performance": ("Performance", S.performance_section),
    "discrimination": ("Discrimination", S.discrimination_section),
    "calibration": ("Calibration", S.calibration_section),
    "overall": ("Overall performance", S.overall_section),
    "clinical_utility": ("Clinical utility", S.clinical_utility_section),
    "optimism": ("Optimism-corrected performance", S.optimism_section),
    "stability": ("Prediction stability", S.stability_section),
    "external": ("External validation", S.external_section),
    "subgroups": ("Performance in subgroups", S.subgroups_section),
    "fairness": ("Fairness across groups", S.fairness_section),
    "comparison": ("Model comparison", S.comparison_section),
    "explanations": ("Explanations", S.explanations_section),
    "patient": ("Example patient", S.patient_section),
    "limitations": ("Limitations", S.limitations_section),
    "methods": ("Methods and notes", S.methods_section),
    "reproducibility": ("Reproducibility", S.reproducibility_section),
    "checklist": ("TRIPOD+AI checklist", None),
}

#: Blocks of the template that only a saved model's validation report fills
#: (:data:`riskml.report.VALIDATION_SECTIONS`): empty in a study's report.
VALIDATION_ONLY = ("inputs", "recalibration")


# --- validation -------------------------------------------------------------------


def _check_result(result):
    missing = [name for name in REQUIRED_ATTRIBUTES if not hasattr(result, name)]
    if missing:
        raise TypeError(
            "write_report needs a StudyResult (or an object with the same attributes); "
            f"{type(result).__name__} lacks {', '.join(missing)}. Pass the object returned "
            "by Study.run()."
        )
    if not isinstance(result.summary, pd.DataFrame) or not set(SUMMARY_COLUMNS) <= set(
        result.summary.columns
    ):
        raise TypeError(
            "result.summary must be a DataFrame with columns "
            f"{', '.join(SUMMARY_COLUMNS)}; got {type(result.summary).__name__}"
            + (
                f" with columns {list(result.summary.columns)}"
                if isinstance(result.summary, pd.DataFrame)
                else ""
            )
            + "."
        )
    if not isinstance(result.predictions, pd.DataFrame):
        raise TypeError(
            "result.predictions must be a DataFrame with one column of out-of-fold risk per "
            f"model; got {type(result.predictions).__name__}."
        )
    n = len(result.outcome)
    if len(result.predictions) != n:
        raise ValueError(
            f"result.predictions has {len(result.predictions)} rows but result.outcome has "
            f"{n}; they must describe the same patients in the same order."
        )
    index = result.patient_index
    if index is not None:
        if isinstance(index, bool) or not isinstance(index, Integral):
            # The value is not quoted: a wrong value here may be an identifier.
            raise TypeError(
                "result.patient_index must be an int, a 0-based row position in the cohort "
                f"(never an identifier), or None; got a {type(index).__name__}."
            )
        if not 0 <= index < n:
            raise ValueError(
                f"result.patient_index must be a row position in [0, {n}); got {index}."
            )


def _section_order(catalogue=None) -> list[str]:
    """riskml's sections with the registered ones before the limitations; the sections
    of ``catalogue`` alone when one is given (a saved model's validation report, which
    registered sections, written for a study, do not enter)."""
    if catalogue is not None:
        return list(catalogue)
    order = list(SECTIONS)
    at = order.index("limitations")
    return order[:at] + list(custom_sections()) + order[at:]


def _check_sections(sections, catalogue=None) -> list[str]:
    order = _section_order(catalogue)
    if sections is None:
        return order
    names = [sections] if isinstance(sections, str) else list(sections)
    unknown = [name for name in names if name not in order]
    if unknown or not names:
        raise ValueError(
            f"sections must name report sections; unknown: {unknown or 'none given'}. "
            f"Choose among {', '.join(order)}."
        )
    return [name for name in order if name in set(names)]


def _context(result, *, title=None, authors=None, sections=None, catalogue=None) -> dict:
    """What the template shows: the sections of ``catalogue`` (name -> (title,
    builder); :data:`SECTIONS` and the registered sections by default) chosen by
    ``sections``, and the header."""
    from .._version import __version__

    chosen = _check_sections(sections, catalogue)
    shown = SECTIONS if catalogue is None else catalogue
    titles = {name: entry[0] for name, entry in {**SECTIONS, **shown}.items()}
    settings = dict(result.settings or {})
    context = {name: None for name in (*titles, *VALIDATION_ONLY)}
    context["custom"] = []
    present = {}
    extra = custom_sections() if catalogue is None else {}
    for name in chosen:
        if name in extra:
            built = build_custom(extra[name], result)
            if built is not None:
                context["custom"].append(built)
                present[name] = extra[name].title
            continue
        section_title, builder = shown[name]
        if builder is None:
            continue
        context[name] = builder(result)
        if context[name] is not None:
            present[name] = section_title
    if "checklist" in chosen:
        present["checklist"] = titles["checklist"]
        context["checklist"] = _with_custom_links(checklist(present), extra, present)
    context.update(
        {
            "title": str(title) if title else f"Risk model report: {result.cohort_name}",
            "authors": None if authors is None else _authors(authors),
            "cohort_name": str(result.cohort_name),
            "cohort_source": str(result.cohort_source or ""),
            "version": __version__,
            "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "random_state": S.fmt_setting(settings.get("random_state")),
            "titles": titles,
            "toc": [(name, present[name]) for name in present],
            "binary": not result.outcome.is_survival,
            "saved_model": is_saved_model_validation(result),
        }
    )
    return context


def _with_custom_links(rows: list[dict], extra: dict, present: dict) -> list[dict]:
    """Link the checklist items a registered section answers to it."""
    for row in rows:
        for name, section in extra.items():
            if name in present and row["item"] in section.tripod:
                row["links"].append((name, section.title))
                row["status"] = None
    return rows


def _authors(authors) -> str:
    if isinstance(authors, str):
        return authors
    if isinstance(authors, list | tuple) and all(isinstance(a, str) for a in authors):
        return ", ".join(authors)
    raise TypeError(f"authors must be a string or a list of strings; got {type(authors).__name__}.")


def render_report(result, *, title=None, authors=None, sections=None) -> str:
    """The report of ``result`` as an HTML string (see :func:`write_report`).

    Examples
    --------
    >>> import riskml as rk
    >>> from riskml.report import render_report
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> result = rk.Study(cohort, models=["logistic"], validation=3, metrics=["harrell_c"],
    ...                   n_boot=50, explain=False, progress=False).run()
    >>> html = render_report(result, title="Heart failure: 90-day death", sections=["performance"])
    >>> html.startswith("<!DOCTYPE html>"), "Heart failure: 90-day death" in html
    (True, True)
    """
    return render_sections(result, title=title, authors=authors, sections=sections)


def render_sections(result, *, title=None, authors=None, sections=None, catalogue=None) -> str:
    """The report of ``result`` with the sections of ``catalogue`` (name -> (title,
    builder), in the template's order; :data:`SECTIONS` by default), as an HTML string:
    the one template and renderer behind every riskml report."""
    import jinja2

    _check_result(result)
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("riskml.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    context = _context(result, title=title, authors=authors, sections=sections, catalogue=catalogue)
    return environment.get_template("report.html").render(**context)


def write_report(
    result, path, *, title=None, authors=None, sections=None, overwrite: bool = False
) -> Path:
    """Write the self-contained HTML validation report of a study.

    Parameters
    ----------
    result : riskml.study.StudyResult
        Or any object with the attributes ``summary`` (DataFrame: model, metric,
        estimate, low, high, method; optionally n, events, small_data, optimism,
        corrected), ``predictions`` (DataFrame, one column of out-of-fold risk per
        model, rows in cohort order), ``outcome`` (:class:`riskml.Outcome`),
        ``horizon`` (float or None, days), ``cohort_summary`` (dict from
        :meth:`riskml.Cohort.describe`), ``cohort_name``, ``cohort_source``,
        ``models`` (dict: name → one-line description), ``settings`` (dict:
        validation, selection, random_state, ...), ``explanation`` (the main
        model's SHAP explanation or None) and ``patient_index`` (0-based row
        position of the example patient, or None). The optional attributes of
        :class:`~riskml.study.StudyResult` (``fitted_models``, ``explanations``,
        ``calibration``, ``decision_curve``, ``optimism``, ``external``,
        ``subgroups``, ``fairness``, ``selection_frequency``, ``sample_size``, ``table_one``,
        ``timings``, ``fit_issues`` (fits that did not give the model asked for:
        listed in the specification and the limitations), and ``flow``, the
        cohort's exclusion flow) fill the sections that need them; a section
        without its data is left out.
    path : str or path-like
        The file to write; missing parent folders are created when the report is
        written (not before, so a failed run leaves no empty folder).
    title : str, optional
        The report's title; defaults to "Risk model report: <cohort name>".
    authors : str or list of str, optional
        Shown under the title.
    sections : sequence of str, optional
        The sections to include, by name (:data:`SECTIONS`, shown in this order):
        ``cohort``, ``outcome``, ``predictors``, ``selection``, ``sample_size``,
        ``missing``, ``specification``, ``performance``, ``discrimination``,
        ``calibration``, ``overall``, ``clinical_utility``, ``optimism``,
        ``external``, ``subgroups``, ``fairness``, ``comparison``, ``explanations``,
        ``patient``, ``limitations``, ``methods``, ``reproducibility``, ``checklist``.
        All by default.
    overwrite : bool, default=False
        Replace an existing file (or a symbolic link: the link itself is replaced,
        its target left alone). By default an existing path is refused before any
        work.

    Returns
    -------
    path : pathlib.Path
        The path written.

    Notes
    -----
    The file needs no network: CSS is inline and figures are base64 PNG data URIs
    drawn with matplotlib's Agg canvas. All text from ``result`` is HTML-escaped.
    Identifiers are never read: the example patient is shown as "row k of the
    cohort", and the index of ``predictions`` is ignored. Numbers are rounded to 3
    decimals for display only. The file is written to a temporary file beside
    ``path`` and linked into place only if no file is there yet (an atomic check),
    so a crash, a full disk or a read-only folder leaves no partial report
    (:class:`riskml.errors.WriteError` names the path and the fix), and two runs
    writing the same path never replace each other's report: the second gets a
    ``FileExistsError`` unless ``overwrite=True``.

    References
    ----------
    Collins GS, Moons KGM, Dhiman P, et al. TRIPOD+AI statement: updated guidance
    for reporting clinical prediction models that use regression or machine
    learning methods. BMJ 2024;385:e078378.

    Examples
    --------
    >>> result = study.run()  # doctest: +SKIP
    >>> write_report(result, "report.html", sections=["performance", "calibration"])  # doctest: +SKIP
    PosixPath('report.html')
    """
    from ..persistence import check_output_path, write_atomically

    # Missing folders are accepted here and made only when the report is written, so a
    # failed run leaves no empty folder; the write never replaces a report another run
    # wrote meanwhile (unless overwrite), and a full disk leaves nothing half-written.
    path = check_output_path(path, overwrite=overwrite, what="report", create_parents=True)
    _check_sections(sections)
    html = render_report(result, title=title, authors=authors, sections=sections)
    write_atomically(
        path, html.encode("utf-8"), overwrite=overwrite, what="report", mode=document_mode()
    )
    return path


def document_mode() -> int:
    """The permission bits of a report: a document, not a secret (readable as the umask
    allows; the default of temporary files is 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
