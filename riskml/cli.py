"""Command line: ``riskml demo``, ``riskml run``, ``riskml predict`` and ``riskml validate``.

A thin client of :class:`riskml.Study`, :func:`riskml.load_model` and
:mod:`riskml.evaluation`; everything it does can be done in a notebook with the
same calls.

``riskml predict model.riskml patients.csv --out risks.csv`` writes one row per
input row: ``row`` (1 = the first data row of the input) and ``risk``; no column
of the input (identifiers included) is copied. ``riskml validate model.riskml
cohort.csv --outcome COL [--time COL --horizon DAYS] --out DIR`` validates a
saved model on a new cohort (discrimination with its CI, calibration intercept,
slope and O:E, Brier score, recalibration advice) and writes
``validation_metrics.csv`` and ``validation.md`` in DIR. ``riskml run study.yaml [--out DIR] [--overwrite]`` runs
the study a YAML file describes (:func:`run_study_file`) and writes its report.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

__all__ = [
    "CommandError",
    "load_study_file",
    "main",
    "predict",
    "run_demo",
    "run_study_file",
    "validate_model",
]

PREDICTIONS_COLUMNS = ("row", "risk")
VALIDATION_FILES = ("validation_metrics.csv", "validation.md")


class CommandError(ValueError):
    """A command-line input that cannot be used; the message says why and how to fix it."""


# Published C statistics of Wu et al. 2020 (Hypertension 75:1271), for orientation.
WU_2020_REPORTED = {
    "xgboost": "0.757 (0.660 to 0.854)",
    "cox": "about 0.72",
    "framingham_recalibrated": "about 0.53",
}


def run_demo(
    out: Path,
    *,
    random_state: int = 0,
    n_boot: int = 2000,
    progress: bool = True,
    overwrite: bool = False,
):
    """Run the Wu 2020 design on the bundled synthetic young-hypertension cohort.

    Recursive feature elimination to 11 features inside each training fold, then
    XGBoost vs Cox vs the recalibrated D'Agostino 2008 Framingham score, compared
    by Harrell's C on out-of-fold predictions of stratified 10-fold
    cross-validation, with 95% CIs by the method each summary row names (a
    percentile bootstrap of patients, Wald for the calibration slope and O:E).

    Returns
    -------
    result : StudyResult
    report_path : pathlib.Path
    """
    import riskml as rk
    from riskml.features import RecursiveFeatureElimination

    cohort = rk.cohorts.make_young_hypertension(random_state=random_state)
    study = rk.Study(
        cohort,
        models=["xgboost", "cox", "framingham_recalibrated"],
        selection=RecursiveFeatureElimination(n_features_to_select=11, random_state=random_state),
        validation=10,
        random_state=random_state,
        n_boot=n_boot,
        n_jobs=-1,
        progress=progress,
    )
    out.mkdir(parents=True, exist_ok=True)
    from riskml.persistence import check_output_path

    report_path = check_output_path(out / "report.html", overwrite=overwrite, what="report")
    result = study.run()
    report_path = result.report(report_path, overwrite=overwrite)
    return result, Path(report_path)


def _interval_method(record) -> str:
    """A summary row's interval method, with the resamples of a bootstrap."""
    method = str(record.get("method", "") or "not recorded")
    n_boot = record.get("n_boot")
    if (
        "bootstrap" in method.lower()
        and "replicates" not in method
        and n_boot is not None
        and n_boot == n_boot
        and n_boot > 0
    ):
        method += f" ({int(n_boot):,} resamples)"
    return method


def interval_heading(summary) -> str:
    """Which interval method served which metrics, read from the summary's ``method``.

    E.g. "percentile bootstrap (2000 resamples) for harrell_c, td_auc; Wald for
    calibration_slope, o_e": a heading never claims one method for rows computed
    by another.
    """
    served: dict = {}
    for record in summary.to_dict("records"):
        # a heading names the method; why an estimate lies outside its own interval is
        # said beside that row
        method = _interval_method(record).split("; the estimate lies ")[0]
        metrics = served.setdefault(method, [])
        if record["metric"] not in metrics:
            metrics.append(str(record["metric"]))
    return "; ".join(f"{method} for {', '.join(metrics)}" for method, metrics in served.items())


def comparison_heading(comparison, kind: str) -> str:
    """ "Paired bootstrap difference in Harrell's C against cox", from the table."""
    from riskml.evaluation import get_metric

    first = comparison.iloc[0]
    metric = str(first["metric"])
    try:
        label = get_metric(metric, kind).label
    except (KeyError, ValueError):
        label = metric
    method = _interval_method(first.to_dict()) if "method" in comparison else "paired"
    return f"{method[:1].upper() + method[1:]} difference in {label} against {first['reference']}"


def _short_warning(message, category, filename, lineno, line=None) -> str:
    return f"warning ({category.__name__}): {message}\n"


def _check_demo_folder(out: Path) -> None:
    """Fail before the study, not after it, when the output folder is unusable."""
    import os

    if out.exists() and not out.is_dir():
        raise SystemExit(f"riskml demo: error: --out {str(out)!r} is a file; give a folder.")
    existing = out if out.exists() else out.parent
    while not existing.exists():
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        raise SystemExit(
            f"riskml demo: error: cannot write in {str(existing)!r}; choose another --out folder."
        )


def _demo(args) -> int:
    import warnings

    from riskml.persistence import check_output_path

    out = Path(args.out)
    _check_demo_folder(out)
    if out.is_dir():
        try:
            check_output_path(out / "report.html", overwrite=args.overwrite, what="report")
        except (FileExistsError, IsADirectoryError) as error:
            raise SystemExit(f"riskml demo: error: {error}") from None
    print(
        "riskml demo: Wu 2020 design (RFE to 11 features -> XGBoost vs Cox vs recalibrated "
        "Framingham)\non the synthetic young-hypertension cohort (508 patients, 58 candidate "
        "predictors).",
        flush=True,
    )
    default_format, warnings.formatwarning = warnings.formatwarning, _short_warning
    try:
        result, report_path = run_demo(
            out, random_state=args.random_state, n_boot=args.n_boot, overwrite=args.overwrite
        )
    finally:
        warnings.formatwarning = default_format
    summary = result.summary
    print()
    validation = str(result.settings.get("validation", "cross-validation")).split(";")[0]
    print(f"Out-of-fold performance, {validation}; 95% CIs by {interval_heading(summary)}:")
    print(result.format_summary())
    if result.comparison is not None:
        print()
        print(f"{comparison_heading(result.comparison, result.outcome.kind)}:")
        for row in result.comparison.itertuples():
            print(
                f"  {row.model:>24}  {row.difference:+.3f} (95% CI {row.low:+.3f} to "
                f"{row.high:+.3f}; p = {row.p_value:.3f})"
            )
    print()
    print(
        "Wu et al. 2020 reported (real cohort): "
        + "; ".join(f"{k} {v}" for k, v in WU_2020_REPORTED.items() if k in set(summary["model"]))
    )
    print(f"\nReport written to {report_path}")
    return 0


# -- predict and validate -------------------------------------------------------------


def _prepare_inputs(frame, info: dict, source: str):
    """The model's input columns of ``frame``, checked against the columns stored in the
    model file (and its schema, when the model was fitted on a schema-checked cohort)."""
    import numpy as np
    import pandas as pd

    columns = [c["name"] for c in info.get("columns") or []]
    if not columns:
        raise CommandError(
            "the model file does not list its input columns (saved without them); save the "
            "model again with riskml.save_model(model, path, cohort=training_cohort)."
        )
    frame = frame.rename(columns=lambda c: str(c).strip())
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        lower = {str(c).lower(): c for c in frame.columns}
        hints = [f"{lower[m.lower()]!r} -> {m!r}" for m in missing if m.lower() in lower]
        shown = missing[:20] + ([f"... ({len(missing) - 20} more)"] if len(missing) > 20 else [])
        raise CommandError(
            f"{source} lacks {len(missing)} of the model's {len(columns)} input column(s): "
            f"{shown}. Fix: "
            + (f"rename {', '.join(hints[:10])}; " if hints else "")
            + "add each missing column with the name used in training (leave values empty "
            "where unknown: the model imputes them)."
        )
    schema_name = info.get("schema_name")
    if schema_name:
        from dataclasses import replace

        from riskml.cohorts import load_schema, validate

        schema = load_schema(schema_name)
        inputs = tuple(c for c in schema.columns if c.name in columns)
        if inputs:
            sub = replace(
                schema,
                columns=inputs,
                rules=(),
                id_column=None,
                group_column=None,
                _by_name={},
            )
            validated = validate(frame[[c.name for c in inputs]], sub)
            for name in validated.columns:
                frame = frame.assign(**{name: validated[name].to_numpy()})
    dtypes = {c["name"]: c.get("dtype") or "" for c in info["columns"]}
    out = {}
    problems = []
    for name in columns:
        values = frame[name]
        kind = dtypes[name]
        if kind.startswith(("float", "int", "bool", "uint")):
            text = values.map(lambda v: v.strip() if isinstance(v, str) else v).replace("", np.nan)
            numbers = pd.to_numeric(text, errors="coerce")
            bad = numbers.isna() & text.notna()
            if bad.any():
                rows = (np.flatnonzero(bad.to_numpy()) + 1)[:5].tolist()
                problems.append(
                    f"{name}: {int(bad.sum())} row(s) hold text where the model expects "
                    f"numbers (first rows: {rows})"
                )
            out[name] = numbers.astype(float)
        else:
            out[name] = values.astype(object).where(values.notna(), np.nan)
    if problems:
        raise CommandError(
            f"{source}: "
            + "; ".join(problems[:10])
            + (f"; and {len(problems) - 10} more column(s)" if len(problems) > 10 else "")
            + ". Fix: write plain numbers (no units, '<', '>' or thousands separators) and "
            "leave unknown values empty. Rows count from 1 = the first data row."
        )
    extra = [str(c) for c in frame.columns if c not in set(columns)]
    return pd.DataFrame(out, index=range(len(frame))), extra


def predict(model_path, input_path, out, *, horizon=None, overwrite=False) -> Path:
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
        ``overwrite``.
    horizon : float, optional
        Days; defaults to the horizon stored in the model file.
    overwrite : bool, default=False

    Returns
    -------
    out : pathlib.Path
        The file written.
    n_rows : int
    ignored : list of str
        Input columns the model does not use (never copied to ``out``).
    """
    import pandas as pd

    from riskml.cohorts import read_table
    from riskml.persistence import check_output_path, load_model, read_model_info, write_atomically

    out = check_output_path(out, overwrite=overwrite, what="output file")
    if Path(input_path).resolve() == out.resolve():
        raise CommandError("--out names the input file; choose another output file.")
    info = read_model_info(model_path)
    model = load_model(model_path)
    frame = read_table(input_path)
    X, extra = _prepare_inputs(frame, info, Path(input_path).name)
    risk = model.predict_risk(X, horizon=_horizon_value(horizon, info))
    table = pd.DataFrame({"row": range(1, len(X) + 1), "risk": risk})
    write_atomically(out, table.to_csv(index=False).encode("utf-8"))
    return out, len(table), extra


def _horizon_value(horizon, info):
    if horizon is None:
        horizon = info.get("horizon_days")
    if horizon is not None and not float(horizon) > 0:
        raise CommandError(f"--horizon must be a positive number of days; got {horizon}.")
    return None if horizon is None else float(horizon)


def _outcome(frame, outcome_column, time_column, source):
    import numpy as np
    import pandas as pd

    from riskml import Outcome

    for column, flag in ((outcome_column, "--outcome"), (time_column, "--time")):
        if column is not None and column not in frame.columns:
            raise CommandError(
                f"{source} has no column {column!r} ({flag}); its columns include "
                f"{[str(c) for c in frame.columns][:20]}."
            )
    event = pd.to_numeric(frame[outcome_column], errors="coerce")
    bad = ~event.isin((0, 1))
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1)[:5].tolist()
        raise CommandError(
            f"{source}: the outcome column {outcome_column!r} must be 1 (event) or 0 (no event) "
            f"in every row; {int(bad.sum())} row(s) are not (first rows: {rows}; rows count "
            "from 1 = the first data row). Fix: code the outcome 0/1 and drop rows without it."
        )
    if time_column is None:
        return Outcome.binary(event.to_numpy(int), name=outcome_column)
    time = pd.to_numeric(frame[time_column], errors="coerce")
    bad = ~(time > 0)
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1)[:5].tolist()
        raise CommandError(
            f"{source}: the follow-up time {time_column!r} must be a positive number of days in "
            f"every row; {int(bad.sum())} row(s) are not (first rows: {rows}). Fix: correct "
            "them or drop those rows."
        )
    return Outcome.survival(time.to_numpy(float), event.to_numpy(int), name=outcome_column)


def _advice(metrics: dict) -> list[str]:
    """Recalibration advice from the external calibration (Van Calster 2016 hierarchy)."""
    advice = []
    c = metrics.get("auc") or metrics.get("harrell_c")
    oe_row = metrics.get("o_e")
    oe = oe_row["estimate"] if oe_row else float("nan")
    if c is not None and c["high"] < 0.6:
        advice.append(
            f"Discrimination is poor (C {c['estimate']:.3f}, 95% CI up to {c['high']:.3f}): "
            "recalibration cannot fix ranking; revise or refit the model for this population."
        )
    intercept, slope = metrics.get("calibration_intercept"), metrics.get("calibration_slope")
    if intercept is None and oe_row is not None:  # time-to-event: judge the mean by O:E
        intercept = {
            "estimate": math.log(oe_row["estimate"]),
            "low": math.log(oe_row["low"]),
            "high": math.log(oe_row["high"]),
        }
    off_mean = intercept is not None and not (intercept["low"] <= 0 <= intercept["high"])
    off_slope = slope is not None and not (slope["low"] <= 1 <= slope["high"])
    if off_slope:
        kind = "too extreme (overfitting)" if slope["estimate"] < 1 else "too modest"
        advice.append(
            f"Calibration slope {slope['estimate']:.2f} (95% CI {slope['low']:.2f} to "
            f"{slope['high']:.2f}): predictions are {kind}. Logistic recalibration (new "
            "intercept and slope, riskml.evaluation.recalibrate_logistic) is indicated."
        )
    if off_mean:
        direction = "under-estimates" if intercept["estimate"] > 0 else "over-estimates"
        advice.append(
            f"Calibration-in-the-large (log O:E for a time-to-event outcome) "
            f"{intercept['estimate']:+.2f} (95% CI "
            f"{intercept['low']:+.2f} to {intercept['high']:+.2f}), O:E {oe:.2f}: the model "
            f"{direction} risk on average in this cohort. "
            + (
                "Update the intercept (riskml.evaluation.recalibrate_intercept)."
                if not off_slope
                else "The logistic recalibration above updates it too."
            )
        )
    if not advice:
        advice.append(
            "No recalibration is indicated: the intercept's CI includes 0 and the slope's CI "
            "includes 1 (with this sample size; small cohorts give wide intervals)."
        )
    return advice


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
):
    """External validation of a saved model on a new cohort (``riskml validate``).

    Discrimination (AUC for a binary outcome, Harrell's C for time to event) with
    a 95% CI, calibration intercept and slope (on the label "event by the
    horizon" for time to event) with CIs, the observed-to-expected ratio, the
    Brier score, and recalibration advice, via
    :func:`riskml.evaluation.external_validation`.

    Returns
    -------
    summary : pandas.DataFrame
    advice : list of str
    paths : list of pathlib.Path
        ``validation_metrics.csv`` and ``validation.md`` in ``out_dir``.

    References
    ----------
    Van Calster B, Nieboer D, Vergouwe Y, et al. A calibration hierarchy for
    risk models was defined: from utopia to empirical data. J Clin Epidemiol.
    2016;74:167-176.

    Riley RD, Archer L, Snell KIE, et al. Evaluation of clinical prediction
    models (part 2): how to undertake an external validation study. BMJ
    2024;384:e074820.
    """
    import numpy as np

    from riskml.cohorts import read_table
    from riskml.evaluation import external_validation, get_metric
    from riskml.persistence import check_output_path, load_model, read_model_info, write_atomically

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise CommandError(f"--out {str(out_dir)!r} is a file; give a folder for the results.")
    if not out_dir.exists():
        if not out_dir.parent.is_dir():
            raise FileNotFoundError(
                f"the folder {str(out_dir.parent)!r} for --out does not exist; create it first."
            )
        out_dir.mkdir()
    paths = [check_output_path(out_dir / n, overwrite=overwrite) for n in VALIDATION_FILES]
    info = read_model_info(model_path)
    model = load_model(model_path)
    frame = read_table(cohort_path)
    source = Path(cohort_path).name
    y = _outcome(frame, outcome, time, source)
    horizon = _horizon_value(horizon, info)
    if time is not None and horizon is None:
        raise CommandError(
            "a time-to-event validation needs --horizon DAYS (the model file stores none)."
        )
    X, _ = _prepare_inputs(frame, info, source)
    table = external_validation(
        model, X, y, horizon=horizon, n_boot=n_boot, random_state=random_state, name="model"
    ).summary
    metrics = {r.metric: r._asdict() for r in table.itertuples(index=False)}
    advice = _advice(metrics)
    rows = table[["metric", "estimate", "low", "high", "method", "n", "events"]].copy()
    names = {name: get_metric(name, y.kind).label for name in rows["metric"]}
    lines = [
        "# External validation of a saved riskml model",
        "",
        f"- Model: {info.get('final_estimator')} (riskml {info.get('versions', {}).get('riskml')}, "
        f"saved {info.get('created_utc')})",
        f"- Validation cohort: {len(y)} rows, {int(np.sum(y.event))} events; outcome "
        f"`{outcome}`" + (f", time `{time}`, horizon {horizon:g} days" if time else ""),
        f"- 95% CIs by {interval_heading(table)} (seed {random_state}).",
        "",
        "| Metric | Estimate | 95% CI | CI method |",
        "|---|---|---|---|",
    ]
    for r in table.to_dict("records"):
        ci = "" if np.isnan(r["low"]) else f"{r['low']:.3f} to {r['high']:.3f}"
        lines.append(
            f"| {names.get(r['metric'], r['metric'])} | {r['estimate']:.3f} | {ci} | "
            f"{_interval_method(r) if ci else ''} |"
        )
    lines += ["", "## Recalibration advice", "", *(f"- {a}" for a in advice), ""]
    lines += [
        "The HTML validation report is not produced yet; these tables hold its numbers.",
        "",
    ]
    write_atomically(paths[0], rows.to_csv(index=False).encode("utf-8"))
    write_atomically(paths[1], "\n".join(lines).encode("utf-8"))
    return rows, advice, paths


# -- run: a study described in YAML ---------------------------------------------------

STUDY_KEYS = (
    "cohort",
    "models",
    "selection",
    "validation",
    "horizon",
    "horizon_days",
    "metrics",
    "threshold",
    "n_boot",
    "random_state",
    "subgroups",
    "explain",
    "reference",
    "comparison",
    "censoring_weights",
    "reference_levels",
    "stratified_bootstrap",
    "n_jobs",
    "report",
)
COHORT_KEYS = ("loader", "generator", "path", "args", "outcome", "name")
REPORT_KEYS = ("file", "title", "authors", "sections")
SELECTORS = {
    "information_gain": "InformationGain",
    "rfe": "RecursiveFeatureElimination",
    "recursive_feature_elimination": "RecursiveFeatureElimination",
}


def _mapping(value, where: str, allowed) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CommandError(f"{where} must be a mapping (key: value); got {value!r}.")
    unknown = [str(k) for k in value if k not in allowed]
    if unknown:
        raise CommandError(f"{where} has unknown key(s) {unknown}; allowed: {', '.join(allowed)}.")
    return dict(value)


def _study_cohort(spec: dict, folder: Path):
    """The cohort a study file names: a loader with a path, or a generator."""
    import riskml as rk

    spec = _mapping(spec, "cohort", COHORT_KEYS)
    if ("loader" in spec) == ("generator" in spec):
        raise CommandError(
            "cohort needs exactly one of 'loader' (e.g. load_young_hypertension, with "
            "'path') or 'generator' (e.g. make_young_hypertension, with 'args')."
        )
    kind = "loader" if "loader" in spec else "generator"
    name = str(spec[kind])
    prefix = "load_" if kind == "loader" else "make_"
    function = getattr(rk.cohorts, name, None)
    choices = [n for n in dir(rk.cohorts) if n.startswith(prefix)]
    if not name.startswith(prefix) or not callable(function):
        raise CommandError(f"cohort {kind} {name!r} is not one of {choices}.")
    args = _mapping(spec.get("args"), "cohort.args", _parameters(function))
    positional = []
    if "path" in spec:
        path = Path(str(spec["path"])).expanduser()
        positional.append(path if path.is_absolute() else folder / path)
    cohort = function(*positional, **args)
    if not isinstance(cohort, rk.Cohort):
        raise CommandError(
            f"cohort {kind} {name!r} returns a {type(cohort).__name__}, not a Cohort; use a "
            "loader on the files it writes."
        )
    outcome = spec.get("outcome")
    if outcome not in (None, "binary", "survival"):
        raise CommandError(f"cohort.outcome must be 'binary' or 'survival'; got {outcome!r}.")
    if outcome == "binary" and cohort.outcome.is_survival:
        cohort = rk.Cohort(
            cohort.features,
            rk.Outcome.binary(cohort.outcome.event, name=cohort.outcome.name),
            cohort.metadata,
            name=str(spec.get("name", cohort.name)),
            source=cohort.source,
        )
    elif outcome == "survival" and not cohort.outcome.is_survival:
        raise CommandError("cohort.outcome 'survival' needs a cohort with follow-up times.")
    return cohort


def _parameters(function) -> tuple:
    import inspect

    return tuple(inspect.signature(function).parameters)


def _study_selection(spec):
    import riskml as rk

    if spec is None or spec == "none":
        return None
    if isinstance(spec, str):
        spec = {spec: {}}
    if not isinstance(spec, dict) or len(spec) != 1:
        raise CommandError(
            f"selection must be one of {list(SELECTORS)}, optionally with its parameters "
            f"(e.g. {{information_gain: {{top_k: 5}}}}); got {spec!r}."
        )
    ((name, params),) = spec.items()
    if name not in SELECTORS:
        raise CommandError(f"selection {name!r} is not one of {list(SELECTORS)}.")
    cls = getattr(rk.features, SELECTORS[name])
    params = _mapping(params, f"selection.{name}", _parameters(cls))
    return cls(**params)


def _study_validation(spec):
    from riskml.evaluation import InternalValidation, OptimismBootstrap, RepeatedCV

    if spec is None or isinstance(spec, int):
        return spec
    if isinstance(spec, dict) and len(spec) == 1:
        ((name, value),) = spec.items()
        if name == "repeated":
            value = _mapping(value, "validation.repeated", ("k", "repeats"))
            return RepeatedCV(**value)
        if name == "optimism":
            if isinstance(value, dict):
                return OptimismBootstrap(**_mapping(value, "validation.optimism", ("n_boot",)))
            return OptimismBootstrap(n_boot=value)
        if name == "internal":
            value = _mapping(value, "validation.internal", ("method", "n_boot", "cv"))
            method = value.pop("method", "bootstrap")
            return InternalValidation(method, **value)
    raise CommandError(
        "validation must be a number of folds (e.g. 10), {repeated: {k: 5, repeats: 10}}, "
        "{optimism: 200} or {internal: {method: cv_optimism, cv: 10}} (methods bootstrap, "
        f"632, 632+, cv_optimism, cv_average); got {spec!r}."
    )


def load_study_file(path):
    """Read a YAML study file: ``(study, report options, report file name)``.

    Parameters
    ----------
    path : path-like
        A YAML mapping with ``cohort`` (``loader`` and ``path``, or ``generator`` and
        ``args``; ``outcome: binary`` to use only the event indicator of a
        time-to-event cohort) and any of ``models``, ``selection``
        (``{information_gain: {top_k: 5}}`` or ``{rfe: {n_features_to_select:
        11}}``), ``validation`` (folds, ``{repeated: {k:, repeats:}}``,
        ``{optimism: n_boot}`` or ``{internal: {method:, n_boot:, cv:}}`` with a
        method of :class:`riskml.evaluation.InternalValidation`), ``horizon`` (days; ``horizon_days`` is its
        deprecated name), ``metrics``, ``threshold``,
        ``n_boot``, ``random_state``, ``subgroups``, ``explain``, ``reference``,
        ``comparison``, ``censoring_weights``, ``reference_levels`` (a mapping
        ``{column: level}``; quote levels such as ``">50"``, which YAML would otherwise
        read as a block scalar), ``stratified_bootstrap``, ``n_jobs`` and ``report``
        (``file``, ``title``, ``authors``, ``sections``). Relative paths are read from
        the file's folder.

    Returns
    -------
    study : riskml.Study
    options : dict
        Keyword arguments of :func:`riskml.report.write_report`.
    file_name : str
    """
    import yaml

    import riskml as rk

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"study file {str(path)!r} does not exist.")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CommandError(f"{path.name} is not valid YAML: {error}") from None
    spec = _mapping(spec, path.name, STUDY_KEYS)
    if "cohort" not in spec:
        raise CommandError(f"{path.name} needs a 'cohort' entry (loader and path, or generator).")
    report = _mapping(spec.pop("report", None), "report", REPORT_KEYS)
    file_name = str(report.pop("file", "report.html"))
    if Path(file_name).name != file_name:
        raise CommandError(f"report.file must be a file name without folders; got {file_name!r}.")
    cohort = _study_cohort(spec.pop("cohort"), path.resolve().parent)
    options = {
        "selection": _study_selection(spec.pop("selection", None)),
        "validation": _study_validation(spec.pop("validation", None)),
    }
    options.update(spec)
    if "models" in options and isinstance(options["models"], str):
        options["models"] = [options["models"]]
    study = rk.Study(cohort, progress=True, **options)
    return study, report, file_name


def run_study_file(path, out=None, *, overwrite: bool = False, progress: bool = True):
    """Run the study a YAML file describes and write its report (``riskml run``).

    The output folder and report file are checked before the study starts.

    Parameters
    ----------
    path : path-like
        The study file (:func:`load_study_file`).
    out : path-like, optional
        Folder of the report; created if missing. Defaults to the study file's folder.
    overwrite : bool, default=False
        Replace an existing report file.
    progress : bool, default=True

    Returns
    -------
    result : riskml.study.StudyResult
    report_path : pathlib.Path
    """
    from riskml.persistence import check_output_path

    study, options, file_name = load_study_file(path)
    study.progress = progress
    out = Path(path).resolve().parent if out is None else Path(out)
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {str(out)!r} is a file; give a folder for the report.")
    out.mkdir(parents=True, exist_ok=True)
    target = check_output_path(out / file_name, overwrite=overwrite, what="report")
    result = study.run()
    return result, result.report(target, overwrite=overwrite, **options)


def _run_command(args) -> int:
    import warnings

    default_format, warnings.formatwarning = warnings.formatwarning, _short_warning
    try:
        result, report_path = run_study_file(args.study, args.out, overwrite=args.overwrite)
    finally:
        warnings.formatwarning = default_format
    print(result.format_summary())
    print(f"\nReport written to {report_path}")
    return 0


def _predict_command(args) -> int:
    out, n, extra = predict(
        args.model, args.input, args.out, horizon=args.horizon, overwrite=args.overwrite
    )
    note = f"; {len(extra)} other input column(s) ignored, none copied" if extra else ""
    print(f"riskml predict: {n} risks written to {out} (columns row, risk){note}.")
    return 0


def _validate_command(args) -> int:
    rows, advice, paths = validate_model(
        args.model,
        args.cohort,
        args.out,
        outcome=args.outcome,
        time=args.time,
        horizon=args.horizon,
        n_boot=args.n_boot,
        random_state=args.random_state,
        overwrite=args.overwrite,
    )
    for r in rows.to_dict("records"):
        ci = (
            ""
            if r["low"] != r["low"]
            else f" (95% CI {r['low']:.3f} to {r['high']:.3f}, {_interval_method(r)})"
        )
        print(f"  {r['metric']:>18}  {r['estimate']:.3f}{ci}")
    print("Recalibration advice:")
    for line in advice:
        print(f"  - {line}")
    print(f"Written: {', '.join(str(p) for p in paths)}")
    return 0


def _run(function, args) -> int:
    """Run a command; known input problems print one clear line and exit with 2."""
    from riskml.cohorts import SchemaError
    from riskml.persistence import ModelFileError

    try:
        return function(args)
    except (
        CommandError,
        ModelFileError,
        SchemaError,
        FileNotFoundError,
        FileExistsError,
        PermissionError,
        IsADirectoryError,
        ValueError,
    ) as error:
        print(f"riskml {args.command}: error: {error}", file=sys.stderr)
        return 2


def main(argv=None) -> int:
    """Entry point of the ``riskml`` command."""
    from riskml import __version__

    parser = argparse.ArgumentParser(
        prog="riskml", description="Build, validate and explain clinical risk-prediction models."
    )
    parser.add_argument("--version", action="version", version=f"riskml {__version__}")
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser(
        "demo", help="run the Wu 2020 design on bundled synthetic data and write a report"
    )
    demo.add_argument("--out", default="riskml-demo", help="output folder (default ./riskml-demo)")
    demo.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the synthetic cohort, the folds, the models and the bootstrap (default 0)",
    )
    demo.add_argument(
        "--n-boot", type=int, default=2000, help="bootstrap replicates per CI (default 2000)"
    )
    demo.add_argument(
        "--overwrite", action="store_true", help="replace an earlier report.html in --out"
    )
    run_parser = commands.add_parser(
        "run", help="run the study described in a YAML file and write its report"
    )
    run_parser.add_argument("study", help="YAML study file (see the README)")
    run_parser.add_argument(
        "--out", default=None, help="folder for the report (default: the study file's folder)"
    )
    run_parser.add_argument(
        "--overwrite", action="store_true", help="replace an existing report file"
    )
    predict_parser = commands.add_parser(
        "predict", help="predict risks for a table of patients with a saved model"
    )
    predict_parser.add_argument("model", help="model file written by riskml.save_model")
    predict_parser.add_argument("input", help="CSV or Parquet table with the model's inputs")
    predict_parser.add_argument(
        "--out", required=True, help="CSV to write (columns row, risk; no identifiers)"
    )
    predict_parser.add_argument(
        "--horizon", type=float, default=None, help="days (default: the model's horizon)"
    )
    predict_parser.add_argument(
        "--overwrite", action="store_true", help="replace --out if it exists"
    )
    validate_parser = commands.add_parser(
        "validate", help="external validation of a saved model on a new cohort"
    )
    validate_parser.add_argument("model", help="model file written by riskml.save_model")
    validate_parser.add_argument("cohort", help="CSV or Parquet cohort with inputs and outcome")
    validate_parser.add_argument("--outcome", required=True, help="0/1 event column")
    validate_parser.add_argument("--time", default=None, help="follow-up time column (days)")
    validate_parser.add_argument(
        "--horizon", type=float, default=None, help="days (default: the model's horizon)"
    )
    validate_parser.add_argument("--out", required=True, help="folder for the results")
    validate_parser.add_argument("--n-boot", type=int, default=2000, help="bootstrap replicates")
    validate_parser.add_argument("--random-state", type=int, default=0, help="bootstrap seed")
    validate_parser.add_argument(
        "--overwrite", action="store_true", help="replace earlier results in --out"
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        return _demo(args)
    if args.command == "run":
        return _run(_run_command, args)
    if args.command == "predict":
        return _run(_predict_command, args)
    if args.command == "validate":
        return _run(_validate_command, args)
    parser.print_help()
    return 1


if __name__ == "__main__":
    sys.exit(main())
