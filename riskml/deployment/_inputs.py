"""A table of new patients turned into the model's input columns: checked against the
columns stored in the model file and its schema."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CommandError
from ._checks import _numeric_values
from ._wording import _rows, _rows_that

__all__ = []


def _schema_checked(frame, columns, schema_name):
    """Validate the model's columns against its schema; rows named from 1 in messages."""
    from dataclasses import replace

    from ..cohorts import load_schema, validate

    try:
        schema = load_schema(schema_name)
    except (ValueError, OSError, TypeError):
        return frame  # a user's schema file not at hand: the input profile still checks
    inputs = tuple(c for c in schema.columns if c.name in columns)
    if not inputs:
        return frame
    row = "row"
    while row in columns:
        row = f"{row}_"
    sub = replace(
        schema,
        columns=(*inputs, _id_column(inputs[0], row)),
        rules=(),
        id_column=row,
        group_column=None,
        _by_name={},
    )
    part = frame[[c.name for c in inputs]].reset_index(drop=True)
    part.insert(0, row, range(1, len(part) + 1))
    validated = validate(part, sub)
    for name in validated.columns:
        if name != row:
            frame = frame.assign(**{name: validated[name].to_numpy()})
    return frame


def _id_column(template, name):
    """A schema column for the row numbers (1 = the first data row) that messages cite."""
    from dataclasses import replace

    return replace(
        template,
        name=name,
        type="int",
        unit="",
        hard_range=None,
        soft_range=None,
        levels=None,
        role="id",
        post_index=False,
        missing=0.0,
        required=True,
        nullable=False,
        description="row number",
        accepted_units=(),
    )


def _prepare_inputs(frame, info: dict, source: str):
    """The model's input columns of ``frame``, checked against the columns stored in the
    model file (and its schema, when the model was fitted on a schema-checked cohort)."""

    columns = [c["name"] for c in info.get("columns") or []]
    if not columns:
        raise CommandError(
            "the model file does not list its input columns (saved without them); save the "
            "model again with riskml.save_model(model, path, cohort=training_cohort)."
        )
    frame = frame.rename(columns=lambda c: str(c).strip())
    _check_columns_present(frame, columns, source)
    schema_name = info.get("schema_name")
    if schema_name:
        frame = _schema_checked(frame, columns, schema_name)
    out = _input_values(frame, columns, info, source)
    extra = [str(c) for c in frame.columns if c not in set(columns)]
    return pd.DataFrame(out, index=range(len(frame))), extra


def _check_columns_present(frame, columns, source) -> None:
    """Every input column of the model is in ``frame`` (with a hint for a renamed one)."""
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


def _input_values(frame, columns, info: dict, source: str) -> dict:
    """Column name -> values: numbers for the numeric inputs (text refused), objects for
    the others."""
    dtypes = {c["name"]: c.get("dtype") or "" for c in info["columns"]}
    kinds = {
        name: entry.get("kind")
        for name, entry in ((info.get("inputs") or {}).get("columns") or {}).items()
        if isinstance(entry, dict)
    }
    out = {}
    problems = []
    for name in columns:
        values = frame[name]
        kind = dtypes[name]
        if kind.startswith(("float", "int", "bool", "uint")):
            numbers, bad = _numeric_values(values.reset_index(drop=True))
            if bad.any():
                hint = (
                    " (a 0/1 column: write 1 for yes and 0 for no)"
                    if kinds.get(name) == "binary"
                    else ""
                )
                problems.append(
                    f"{name}: {_rows_that(bad, 'holds', 'hold')} text where the model expects numbers{hint}"
                )
            out[name] = numbers
        else:
            out[name] = values.astype(object).where(values.notna(), np.nan).to_numpy()
    if problems:
        raise CommandError(
            f"{source}: "
            + "; ".join(problems[:10])
            + (f"; and {len(problems) - 10} more column(s)" if len(problems) > 10 else "")
            + ". Fix: write plain numbers (no units, '<', '>' or thousands separators) and "
            "leave unknown values empty. Rows count from 1 = the first data row."
        )
    return out


def _check_rows(frame, source):
    if len(frame) == 0:
        raise CommandError(
            f"{source} has a header but no rows; there is nobody to score. Fix: export the "
            "patients again with one row per patient."
        )


def _finite_risks(risk, source):

    risk = np.asarray(risk, dtype=float)
    bad = ~np.isfinite(risk)
    if bad.any():
        raise CommandError(
            f"the model gave no finite risk for {_rows(bad)} of {source}; nothing was written. "
            "Fix: check those rows' inputs (riskml predict --strict lists what lies outside "
            "the training data)."
        )
    return risk
