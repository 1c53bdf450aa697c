"""Using a saved model: predicted risks for new patients (``riskml predict``) and
external validation on a new cohort (``riskml validate``), each checked against what
the model saw in training, with the headings that name the interval methods used.

``predict`` writes one row per input row: ``row`` (1 = the first data row of the input)
and ``risk``; no column of the input (identifiers included) is copied.
``validate_model`` gives discrimination with its CI, calibration intercept, slope and
O:E, the Brier score and recalibration advice, and writes ``validation_metrics.csv``,
``validation.md`` and ``validation-report.html``, the HTML report of a study's
template and section builders (:func:`riskml.report.write_validation_report`) with the
same numbers; :func:`saved_model_validation` gives the same as an object, for a
notebook.

Before a model scores anyone, :func:`check_inputs` compares the new rows with the
model's *input profile*, the aggregate description of its training data that
:func:`riskml.save_model` stores when given the training cohort
(:func:`input_profile`): per numeric input its minimum, maximum, 0.5th and 99.5th
percentiles, median, unit and, where a schema in ``data_schemas/`` knows the column,
its hard range and the units it accepts; per categorical input the levels seen; the
follow-up of a time-to-event cohort. What would give a wrong risk is refused (values
impossible for the column, a column in another unit, 0/1 columns with other codes,
infinite values, a categorical column none of whose values the model knows, a
horizon beyond the training follow-up or meaningless for the model); what gives a
risk to check is warned about (values outside the training range, a few unseen
levels, an empty column), or refused with ``strict=True`` (``--strict``).

Modules: ``_wording`` (rows and ranges in messages), ``_units`` (unit conversions),
``_checks`` (:func:`check_inputs`), ``_horizon`` (:func:`check_horizon`), ``_inputs``
(a table turned into the model's input columns), ``_validate`` (outcome, advice and
headings of an external validation) and ``_report`` (what the HTML report shows:
calibration groups, decision curve, the cohort described, inputs against the
development data). :func:`predict`, :func:`saved_model_validation` and
:func:`validate_model`, the flows, live here and call :func:`check_inputs` through this
module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..cohorts import input_profile
from ..errors import CommandError
from ._checks import check_inputs
from ._export import EXPORT_FILES, aggregate_export, check_min_cell
from ._horizon import check_horizon
from ._inputs import _check_rows, _finite_risks, _prepare_inputs
from ._report import (
    REPORT_FILE,
    SavedModelValidation,
    calibration_groups,
    decision_curve_table,
    describe_cohort,
    input_comparison,
)
from ._units import UNIT_CONVERSIONS
from ._validate import (
    _advice,
    _check_defined,
    _check_out_dir,
    _markdown,
    _outcome,
    _validation_horizon,
    comparison_heading,
    interval_heading,
    interval_method,
)

__all__ = [
    "UNIT_CONVERSIONS",
    "check_horizon",
    "check_inputs",
    "comparison_heading",
    "input_profile",
    "interval_heading",
    "interval_method",
    "SavedModelValidation",
    "predict",
    "saved_model_validation",
    "validate_model",
]

PREDICTIONS_COLUMNS = ("row", "risk")
VALIDATION_FILES = ("validation_metrics.csv", "validation.md")
#: What ``riskml validate`` writes in its results folder (``--out``).
VALIDATION_OUTPUTS = (*VALIDATION_FILES, REPORT_FILE)


def predict(
    model_path, input_path, out, *, horizon=None, overwrite=False, strict=False, key=None
) -> tuple:
    """Predict risks for every row of a table with a saved model (``riskml predict``).

    Parameters
    ----------
    model_path : path-like
        A file written by :func:`riskml.save_model`.
    input_path : path-like
        A CSV (optionally compressed) or Parquet table with the model's input
        columns; other columns (identifiers included) are ignored.
    out : path-like
        The CSV to write: columns ``row`` (1 = the first data row of the input)
        and ``risk``. Checked before any work; never replaced unless
        ``overwrite`` (also when another run writes it meanwhile).
    horizon : float, optional
        Days; defaults to the horizon stored in the model file. Refused for a
        model of a binary outcome, for a binary model trained at another horizon,
        and beyond the training follow-up (:func:`check_horizon`).
    overwrite : bool, default=False
    strict : bool, default=False
        Refuse rows outside the training range and unseen levels instead of
        warning (:func:`check_inputs`).
    key : str or bytes, optional
        The model file's signing key (:func:`riskml.load_model`).

    Returns
    -------
    out : pathlib.Path
        The file written.
    n_rows : int
    ignored : list of str
        Input columns the model does not use (never copied to ``out``).

    Raises
    ------
    riskml.errors.InputError
        New rows the model cannot score as they are (see :func:`check_inputs`).

    Examples
    --------
    >>> import os, tempfile
    >>> import riskml as rk
    >>> from riskml.deployment import predict
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> model = rk.models.make_model("logistic").fit(cohort.features, cohort.outcome.event)
    >>> folder = tempfile.mkdtemp()
    >>> model_path = rk.save_model(model, os.path.join(folder, "model.riskml"), cohort=cohort)
    >>> cohort.features.head(3).to_csv(os.path.join(folder, "new.csv"), index=False)
    >>> path, n_rows, notes = predict(model_path, os.path.join(folder, "new.csv"),
    ...                               os.path.join(folder, "risk.csv"))
    >>> path.name, n_rows
    ('risk.csv', 3)
    >>> path.read_text().splitlines()[0]
    'row,risk'
    """
    from ..cohorts import read_table
    from ..persistence import check_output_path, load_model, read_model_info, write_atomically

    out = check_output_path(out, overwrite=overwrite, what="output file")
    if Path(input_path).resolve() == out.resolve():
        raise CommandError("--out names the input file; choose another output file.")
    if Path(model_path).resolve() == out.resolve():
        raise CommandError("--out names the model file; choose another output file.")
    info = read_model_info(model_path, key=key)
    horizon = check_horizon(horizon, info, option="--horizon", needed=True)
    model = load_model(model_path, key=key)
    frame = read_table(input_path)
    source = Path(input_path).name
    _check_rows(frame, source)
    X, extra = _prepare_inputs(frame, info, source)
    check_inputs(X, info, strict=strict, source=source)
    risk = _finite_risks(model.predict_risk(X, horizon=horizon), source)
    table = pd.DataFrame({"row": range(1, len(X) + 1), "risk": risk})
    write_atomically(
        out, table.to_csv(index=False).encode("utf-8"), overwrite=overwrite, what="output file"
    )
    return out, len(table), extra


def saved_model_validation(
    model_path,
    cohort_path,
    *,
    outcome,
    time=None,
    horizon=None,
    n_boot=2000,
    random_state=0,
    strict=False,
    key=None,
) -> SavedModelValidation:
    """External validation of a saved model on a new cohort, as an object (nothing is
    written): what :func:`validate_model` writes, and its report shows.

    Parameters are those of :func:`validate_model`. The result's ``report(path)``
    writes the HTML report (:func:`riskml.report.write_validation_report`).

    Returns
    -------
    SavedModelValidation
        ``summary`` (the metrics with their intervals), ``advice``, the saved model's
        risks, the validation cohort described, the input checks and the model
        file's header.

    Examples
    --------
    >>> result = saved_model_validation("model.riskml", "cohort.csv", outcome="death")  # doctest: +SKIP
    >>> result.report("validation-report.html")  # doctest: +SKIP
    PosixPath('validation-report.html')
    """
    from ..cohorts import read_table
    from ..evaluation import external_validation
    from ..models import describe_model, model_spec
    from ..persistence import load_model, read_model_info

    info = read_model_info(model_path, key=key)
    model = load_model(model_path, key=key)
    frame = read_table(cohort_path)
    source = Path(cohort_path).name
    _check_rows(frame, source)
    y = _outcome(frame, outcome, time, source, info.get("outcome_kind") == "competing")
    horizon = _validation_horizon(horizon, info, y, time)
    X, _ = _prepare_inputs(frame, info, source)
    del frame  # no other column (identifiers included) is read from here on
    findings = check_inputs(X, info, strict=strict, source=source)
    followup = (info.get("inputs") or {}).get("followup")
    events, _controls = _check_defined(y, horizon, source, followup)
    family = getattr(model_spec(model), "name", None)
    name = family or str(info.get("final_estimator") or "model")
    table = external_validation(
        model, X, y, horizon=horizon, n_boot=n_boot, random_state=random_state, name=name
    ).summary
    metrics = {r.metric: r._asdict() for r in table.itertuples(index=False)}
    advice = _advice(metrics, events)
    risk = np.asarray(model.predict_risk(X, horizon=horizon), dtype=float)
    cohort_summary, table_one = describe_cohort(
        X, y, horizon, source, f"external validation cohort ({source})", info
    )
    settings = {
        "validation": f"external validation of the saved model {Path(model_path).name} on "
        f"{source} (riskml.evaluation.external_validation)",
        "model file": Path(model_path).name,
        "cohort file": source,
        "outcome column": outcome,
        "time column": time or "none (a 0/1 outcome)",
        "horizon": "none" if horizon is None else f"{horizon:g} days",
        "n_boot": n_boot,
        "random_state": random_state,
        "strict": strict,
    }
    description = (
        describe_model(family, horizon)
        if family
        else f"{info.get('final_estimator')} (no registered family)"
    )
    return SavedModelValidation(
        summary=table,
        predictions=pd.DataFrame({name: risk}),
        outcome=y,
        horizon=horizon,
        cohort_summary=cohort_summary,
        cohort_name=source,
        cohort_source=f"external validation cohort read from {source}",
        models={name: description},
        settings=settings,
        fitted_models={name: model},
        advice=advice,
        model_file={**info, "file": Path(model_path).name, "family": family},
        input_checks=findings,
        input_comparison=input_comparison(X, info),
        calibration=calibration_groups(risk, y, horizon, name),
        decision_curve=decision_curve_table(risk, y, horizon, name),
        table_one=table_one,
        external=table.assign(cohort=source),
    )


def validate_model(
    model_path,
    cohort_path,
    out_dir,
    *,
    outcome,
    time=None,
    horizon=None,
    n_boot=2000,
    random_state=0,
    overwrite=False,
    strict=False,
    key=None,
    report=True,
    export=None,
    min_cell=5,
):
    """External validation of a saved model on a new cohort (``riskml validate``).

    Discrimination (AUC for a binary outcome, Harrell's C for time to event) with
    a 95% CI, calibration intercept and slope (on the label "event by the
    horizon" for time to event) with CIs, the observed-to-expected ratio, the
    Brier score, and recalibration advice, via
    :func:`riskml.evaluation.external_validation`.

    The cohort's predictors are checked first, as for ``riskml predict``
    (:func:`check_inputs`: a creatinine column in umol/L where the model was
    trained in mg/dL is refused, not validated), and so is the horizon
    (:func:`check_horizon`). A cohort without events or without non-events (at the
    horizon) is refused: its metrics are undefined. Advice is drawn only from
    defined estimates.

    Parameters
    ----------
    model_path : path-like
        A file written by :func:`riskml.save_model`.
    cohort_path : path-like
        A CSV or Parquet cohort with the model's inputs and the outcome; only the
        model's input columns and the outcome columns are read (identifiers never).
    out_dir : path-like
        The results folder (created when missing); not the cohort file's folder.
    outcome : str
        The 0/1 event column.
    time : str, optional
        The follow-up column (days) of a time-to-event outcome.
    horizon : float, optional
        Days; defaults to the horizon stored in the model file.
    n_boot : int, default=2000
    random_state : int, default=0
    overwrite : bool, default=False
        Replace earlier results in ``out_dir``; by default an existing file there is
        refused before any work, as ``riskml run`` and ``Study.report`` refuse an
        existing report.
    strict : bool, default=False
        Refuse values outside the training range and unseen levels instead of
        warning.
    key : str or bytes, optional
        The model file's signing key.
    report : bool, default=True
        Also write ``validation-report.html``, the HTML report with the same numbers
        (:func:`riskml.report.write_validation_report`: the model as saved, the
        validation cohort, the input checks, performance with intervals, ROC,
        calibration plot, Brier score and IPA, decision curve, recalibration advice
        and the TRIPOD+AI checklist).
    export : path-like, optional
        Also write the aggregate results, safe to share, into this folder
        (:meth:`SavedModelValidation.export`: counts, metrics with intervals,
        calibration table, decision curve, README.txt; counts under ``min_cell``
        suppressed, no identifier or row-level value).
    min_cell : int, default=5
        The smallest count the export shows.

    Returns
    -------
    summary : pandas.DataFrame
    advice : list of str
    paths : list of pathlib.Path
        ``validation_metrics.csv``, ``validation.md`` and (with ``report``)
        ``validation-report.html`` in ``out_dir`` (created when missing, only once
        every file is ready; written together or not at all), then the export's
        files.

    References
    ----------
    Van Calster B, Nieboer D, Vergouwe Y, et al. A calibration hierarchy for
    risk models was defined: from utopia to empirical data. J Clin Epidemiol.
    2016;74:167-176.

    Riley RD, Archer L, Snell KIE, et al. Evaluation of clinical prediction
    models (part 2): how to undertake an external validation study. BMJ
    2024;384:e074820.

    Examples
    --------
    >>> import os, tempfile
    >>> import riskml as rk
    >>> from riskml.deployment import validate_model
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> model = rk.models.make_model("logistic").fit(cohort.features, cohort.outcome.event)
    >>> folder = tempfile.mkdtemp()
    >>> model_path = rk.save_model(model, os.path.join(folder, "model.riskml"), cohort=cohort)
    >>> cohort_path = os.path.join(folder, "cohort.csv")
    >>> cohort.features.assign(death=cohort.outcome.event).to_csv(cohort_path, index=False)
    >>> table, advice, written = validate_model(model_path, cohort_path,
    ...                                         os.path.join(folder, "validation"),
    ...                                         outcome="death", n_boot=50, report=False)
    >>> sorted(path.name for path in written)
    ['validation.md', 'validation_metrics.csv']
    """
    from ..persistence import check_output_path, write_files_atomically
    from ..report import render_validation_report

    out_dir = _check_out_dir(out_dir, cohort_path)
    names = VALIDATION_FILES + ((REPORT_FILE,) if report else ())
    paths = [
        check_output_path(out_dir / n, overwrite=overwrite, create_parents=True) for n in names
    ]
    if export is not None:
        min_cell = check_min_cell(min_cell)
        export = _check_out_dir(export, cohort_path)
        paths += [
            check_output_path(export / n, overwrite=overwrite, create_parents=True)
            for n in EXPORT_FILES
        ]
    result = saved_model_validation(
        model_path,
        cohort_path,
        outcome=outcome,
        time=time,
        horizon=horizon,
        n_boot=n_boot,
        random_state=random_state,
        strict=strict,
        key=key,
    )
    table = result.summary
    rows = table[["metric", "estimate", "low", "high", "method", "n", "events"]].copy()
    lines = _markdown(
        result.model_file,
        result.outcome,
        table,
        result.advice,
        outcome=outcome,
        time=time,
        horizon=result.horizon,
        seed=random_state,
        report=REPORT_FILE if report else None,
    )
    files = [
        (paths[0], rows.to_csv(index=False).encode("utf-8")),
        (paths[1], "\n".join(lines).encode("utf-8")),
    ]
    if report:
        files.append((paths[2], render_validation_report(result).encode("utf-8")))
    if export is not None:
        shared = aggregate_export(result, min_cell=min_cell)
        files += [(export / name, content) for name, content in shared.items()]
    write_files_atomically(files, overwrite=overwrite, what="validation results")
    return rows, result.advice, [path for path, _ in files]
