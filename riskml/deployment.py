"""Using a saved model: predicted risks for new patients (``riskml predict``) and
external validation on a new cohort (``riskml validate``), with the headings that name
the interval methods actually used.

``predict`` writes one row per input row: ``row`` (1 = the first data row of the input)
and ``risk``; no column of the input (identifiers included) is copied.
``validate_model`` gives discrimination with its CI, calibration intercept, slope and
O:E, the Brier score and recalibration advice, and writes ``validation_metrics.csv``
and ``validation.md``.
"""

from __future__ import annotations

import math
from pathlib import Path

from .errors import CommandError

__all__ = [
    "comparison_heading",
    "interval_heading",
    "predict",
    "validate_model",
]

PREDICTIONS_COLUMNS = ("row", "risk")
VALIDATION_FILES = ("validation_metrics.csv", "validation.md")


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
