"""An aggregate-results export that is safe to share: counts, metrics with intervals,
the calibration table and the decision curve of a validation, as CSV files, with every
count under a threshold suppressed, together with what would reveal it by subtraction.

Written by :meth:`SavedModelValidation.export` and ``riskml validate --export DIR``.
Nothing row-level is exported: no identifier, no predictor value, no single risk.

Rules (statistical disclosure control of tables, as in the Office for National
Statistics' and NHS England's small-number policies [1]_):

- a count under ``min_cell`` (0 included) is shown as ``"<min_cell"``;
- where a shown total is the sum of cells and exactly one cell is suppressed, the
  smallest other cell is suppressed too (complementary suppression), so no cell is
  recovered by subtraction;
- a number that gives a suppressed count back (an observed proportion with its count
  of events, a net benefit and its true- and false-positive rates at a threshold, a
  metric when the cohort's events are suppressed) is suppressed with it.

References
----------
.. [1] Office for National Statistics. Statistical Disclosure Control: policy for
   tables of counts (2006, updated 2021); NHS England. Anonymisation standard for
   publishing health and social care data (ISB1523), 2013.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_MIN_CELL", "EXPORT_FILES", "aggregate_export"]

#: The smallest count shown by default.
DEFAULT_MIN_CELL = 5
#: The files of an export folder.
EXPORT_FILES = ("counts.csv", "metrics.csv", "calibration.csv", "decision_curve.csv", "README.txt")


def check_min_cell(min_cell) -> int:
    """``min_cell``: an int of at least 1."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, int | np.integer) or min_cell < 1:
        raise ValueError(
            f"The 'min_cell' parameter of export must be an int in the range [1, inf). "
            f"Got {min_cell!r} instead."
        )
    return int(min_cell)


def _suppress_cells(values, min_cell: int) -> np.ndarray:
    """Which cells of components summing to a shown total are suppressed: every count
    under ``min_cell``, and the smallest other one where only one would be."""
    values = np.asarray(values, dtype=float)
    hidden = values < min_cell
    if hidden.sum() == 1 and len(values) > 1:
        shown = np.flatnonzero(~hidden)
        hidden[shown[np.argmin(values[shown])]] = True
    return hidden


def _counts(outcome, horizon, min_cell: int) -> tuple[pd.DataFrame, bool]:
    """The cohort's counts (n and its parts), suppressed; and whether the events (or
    the non-events) are hidden."""
    if outcome.is_survival and horizon is not None:
        label = outcome.at_horizon(horizon)
        parts = {
            "events_by_horizon": int(np.sum(label == 1)),
            "event_free_at_horizon": int(np.sum(label == 0)),
            "censored_before_horizon": int(np.sum(np.isnan(label))),
        }
    else:
        event = np.asarray(outcome.event, dtype=float)
        parts = {"events": int(np.sum(event == 1)), "non_events": int(np.sum(event == 0))}
    n = len(outcome)
    names, values = list(parts), list(parts.values())
    hidden = _suppress_cells(values, min_cell) if n >= min_cell else np.ones(len(values), bool)
    rows = [{"count": "n", "value": n, "suppressed": n < min_cell}]
    rows += [
        {"count": name, "value": value, "suppressed": bool(hide)}
        for name, value, hide in zip(names, values, hidden, strict=True)
    ]
    outcome_hidden = n < min_cell or bool(hidden[0] or hidden[1])
    return pd.DataFrame(rows), outcome_hidden


def _calibration(table: pd.DataFrame | None, min_cell: int) -> tuple[pd.DataFrame | None, int]:
    """The calibration groups with small groups and small event counts suppressed
    (per model; complementary over the groups, whose sums are the cohort's counts)."""
    if table is None or not len(table):
        return None, 0
    out = table.copy().astype(object)
    hidden_cells = 0
    for _, rows in table.groupby("model", sort=False):
        index = rows.index
        n = rows["n"].to_numpy(float)
        events = rows["events"].to_numpy(float)
        hide_n = _suppress_cells(n, min_cell)
        small = (events < min_cell) | (n - events < min_cell) | hide_n
        hide_events = _suppress_cells(np.where(small, 0, events), min_cell) | small
        for column, hide in (("n", hide_n), ("events", hide_events)):
            out.loc[index[hide], column] = None
        for column in ("observed", "low", "high"):
            out.loc[index[hide_events], column] = None
        hidden_cells += int(hide_n.sum() + hide_events.sum())
    return out, hidden_cells


def _treated_counts(risk, threshold, event):
    """The counts a decision-curve row gives back: true and false positives for a 0/1
    outcome (``event``), the patients treated for time to event (weighted rates)."""
    treated = risk >= threshold
    if event is None:
        return np.array([treated.sum()])
    true_positives = int(np.sum(treated & (event == 1)))
    return np.array([true_positives, int(treated.sum()) - true_positives])


def _decision_curve(curve, predictions, outcome, horizon, min_cell: int, outcome_hidden):
    """The decision curve, each model's thresholds suppressed where fewer than
    ``min_cell`` patients are treated (at or above the threshold) or, for a 0/1
    outcome, its true or false positives are fewer (the rates give them back); and
    where the step from the previous threshold shown (or from treating all) moves
    fewer than ``min_cell`` (but some) patients, so no two rows shown give a small
    band of risk back by subtraction (the counts are monotone in the threshold)."""
    if curve is None or not len(curve):
        return None, 0
    out = curve.copy().astype(object)
    numbers = ["net_benefit", "tp_rate", "fp_rate", "net_interventions_avoided"]
    event = None if outcome.is_survival else np.asarray(outcome.event, dtype=float)
    everyone = _treated_counts(np.zeros(len(outcome)), 0.0, event)
    hide = np.zeros(len(curve), bool)
    hide[(curve["model"] == "Treat all").to_numpy()] = outcome_hidden
    for model, rows in curve.groupby("model", sort=False):
        if model in ("Treat all", "Treat none"):
            continue
        risk = np.asarray(predictions[model], dtype=float)
        last = everyone
        for index, threshold in rows["threshold"].sort_values().items():
            counts = _treated_counts(risk, threshold, event)
            step = np.abs(last - counts)
            small = (counts < min_cell).any() or ((step > 0) & (step < min_cell)).any()
            position = curve.index.get_loc(index)
            hide[position] = small or outcome_hidden
            if not hide[position]:
                last = counts
    out.loc[hide, numbers] = None
    return out, int(hide.sum())


def _metrics(summary: pd.DataFrame, counts: pd.DataFrame, outcome_hidden: bool, min_cell: int):
    """The metrics with intervals; their ``n`` and ``events`` as the counts show them,
    and every estimate withheld where the cohort's events are suppressed."""
    keep = [c for c in ("model", "metric", "estimate", "low", "high", "method") if c in summary]
    out = summary[keep].copy().astype(object)
    pairs = zip(counts["value"], counts["suppressed"], strict=True)
    shown = dict(zip(counts["count"], pairs, strict=True))
    n_value, n_hidden = shown["n"]
    out["n"] = None if n_hidden else n_value
    event_key = "events" if "events" in shown else "events_by_horizon"
    events, events_hidden = shown[event_key]
    out["events"] = None if events_hidden else events
    if outcome_hidden:
        out[["estimate", "low", "high"]] = None
    return out


def _csv(frame: pd.DataFrame, count_columns, min_cell: int) -> bytes:
    """The frame as CSV, suppressed cells of the count columns as ``"<min_cell"``."""
    frame = frame.copy()
    for column in count_columns:
        if column in frame:
            frame[column] = [
                f"<{min_cell}" if value is None or value != value else str(int(value))
                for value in frame[column]
            ]
    return frame.to_csv(index=False, na_rep="suppressed").encode("utf-8")


def aggregate_export(result, *, min_cell: int = DEFAULT_MIN_CELL) -> dict:
    """File name -> bytes of the aggregate export of a validation ``result`` (a
    :class:`SavedModelValidation` or a study result: ``summary``, ``predictions``,
    ``outcome``, ``horizon``, ``calibration``, ``decision_curve``)."""
    min_cell = check_min_cell(min_cell)
    outcome, horizon = result.outcome, result.horizon
    counts, outcome_hidden = _counts(outcome, horizon, min_cell)
    shown_counts = counts.assign(
        value=[None if s else v for v, s in zip(counts["value"], counts["suppressed"], strict=True)]
    )[["count", "value"]]
    metrics = _metrics(result.summary, counts, outcome_hidden, min_cell)
    calibration, calibration_hidden = _calibration(result.calibration, min_cell)
    curve, curve_hidden = _decision_curve(
        result.decision_curve, result.predictions, outcome, horizon, min_cell, outcome_hidden
    )
    files = {
        "counts.csv": _csv(shown_counts, ["value"], min_cell),
        "metrics.csv": _csv(metrics, ["n", "events"], min_cell),
    }
    if calibration is not None:
        files["calibration.csv"] = _csv(calibration, ["n", "events"], min_cell)
    if curve is not None:
        files["decision_curve.csv"] = curve.to_csv(index=False, na_rep="suppressed").encode()
    hidden_counts = [c for c, s in zip(counts["count"], counts["suppressed"], strict=True) if s]
    lines = [
        "Aggregate results of a risk-model validation (riskml), safe to share.",
        "",
        f"Small-cell rule: every count under {min_cell} is shown as '<{min_cell}', and where "
        "a total is shown and only one of its parts would be suppressed, the smallest other "
        "part is suppressed too (complementary suppression). Numbers that give a suppressed "
        "count back are shown as 'suppressed'.",
        "No identifier, predictor value or individual risk is included.",
        "",
        "Suppressed here:",
        f"- counts.csv: {', '.join(hidden_counts) or 'nothing'}",
        "- metrics.csv: "
        + (
            "every estimate and interval (the cohort's events or non-events are suppressed)"
            if outcome_hidden
            else ("the counts shown as '<...'" if hidden_counts else "nothing")
        ),
        f"- calibration.csv: {calibration_hidden} group count(s) with their observed risk"
        if calibration is not None
        else "- calibration.csv: not written (the model's risks are not probabilities)",
        f"- decision_curve.csv: {curve_hidden} row(s) where fewer than {min_cell} patients "
        "are treated, their true or false positives are fewer, or the step from the "
        "previous row shown moves fewer (but some) patients"
        if curve is not None
        else "- decision_curve.csv: not written (the model's risks are not probabilities)",
        "",
        "horizon: " + ("none (a 0/1 outcome)" if horizon is None else f"{horizon:g} days"),
    ]
    files["README.txt"] = ("\n".join(lines) + "\n").encode("utf-8")
    return files


def write_export(result, path, *, min_cell: int = DEFAULT_MIN_CELL, overwrite: bool = False):
    """Write :func:`aggregate_export` into the folder ``path``; the paths written."""
    from pathlib import Path

    from ..persistence import check_output_path, write_files_atomically

    files = aggregate_export(result, min_cell=min_cell)
    folder = Path(path)
    items = [
        (check_output_path(folder / name, overwrite=overwrite, create_parents=True), content)
        for name, content in files.items()
    ]
    write_files_atomically(items, overwrite=overwrite, what="aggregate export")
    return [item[0] for item in items]
