"""Build a Cohort from a table validated against its schema."""

from __future__ import annotations

from dataclasses import replace

from ..outcome import Outcome
from ._cohort import Cohort
from ._schema_model import OutcomeSpec, Schema
from ._schema_parse import load_schema
from ._schema_validate import validate

__all__ = ["cohort_from_frame", "cohort_from_validated"]


def _outcome_override(schema: Schema, outcome) -> Schema:
    """The schema with its outcome block replaced (``outcome`` is a dict or OutcomeSpec)."""
    if outcome is None:
        return schema
    if isinstance(outcome, dict):
        unknown = set(outcome) - {"kind", "event", "time", "horizon_days", "name"}
        if unknown:
            raise ValueError(
                f"outcome takes the keys kind, event, time, horizon_days and name; got "
                f"{sorted(unknown)}."
            )
        outcome = OutcomeSpec(**outcome)
    if not isinstance(outcome, OutcomeSpec):
        raise TypeError(f"outcome must be a dict or an OutcomeSpec; got {type(outcome).__name__}.")
    if outcome.kind not in ("survival", "binary", "competing"):
        raise ValueError(
            "outcome kind must be 'survival' or 'binary' (or 'competing', with event types "
            f"0 censored, 1 the event of interest, 2+ competing); got {outcome.kind!r}."
        )
    for column in (outcome.event, outcome.time):
        if column is not None and column not in schema._by_name:
            raise ValueError(
                f"outcome column {column!r} is not in the {schema.name!r} schema; outcome "
                f"columns are {[c.name for c in schema.columns if c.role == 'outcome']}."
            )
    if outcome.kind in ("survival", "competing") and outcome.time is None:
        raise ValueError(f"a {outcome.kind} outcome needs its time column.")
    return replace(schema, outcome=outcome, _by_name={})


def cohort_from_frame(frame, schema, *, units=None, name=None, source="", outcome=None) -> Cohort:
    """Validate a cohort table and build a :class:`~riskml.Cohort` from it.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per analysis unit. It is never modified.
    schema : Schema or str
        The schema (or the name or path :func:`load_schema` takes).
    units : None, "SI" or dict, optional
        See :func:`validate`.
    name : str, optional
        The cohort's name; defaults to the schema's.
    source : str, optional
        Where the data came from, for the report.
    outcome : dict or OutcomeSpec, optional
        Another outcome than the schema's default, from the schema's outcome
        columns, e.g. ``{"kind": "binary", "event": "readmit_30d"}`` or
        ``{"kind": "survival", "time": "death_time_days", "event": "death_event",
        "horizon_days": 365}``, or ``"kind": "competing"`` with an ``event`` column of
        event types (0 censored, 1 the event of interest, 2+ competing). Its columns
        must be present in every row.

    Returns
    -------
    cohort : Cohort
        Features are the schema's ``predictor`` and ``derived`` columns
        (``cohort.predictors`` lists only the predictors); ids and groups are kept
        out of the features. The cohort also carries ``schema_name``,
        ``schema`` (the :class:`Schema`), ``framingham_inputs`` (dict or None),
        ``horizon_days`` (the outcome's default horizon, or None), ``outcomes``
        (a DataFrame of every outcome column present, e.g. component events) and
        ``context`` (a DataFrame of the ``context`` columns present, such as dates;
        empty when the schema has none).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from riskml.cohorts import SchemaError, cohort_from_frame
    >>> schema = [
    ...     "name: ward",
    ...     "id_column: stay_id",
    ...     "outcome: {kind: binary, name: readmission, event: readmitted}",
    ...     "columns:",
    ...     "  - {name: stay_id, type: str, role: id}",
    ...     "  - {name: age, type: float, unit: years, hard_range: [18, 110]}",
    ...     "  - {name: readmitted, type: bool, role: outcome}",
    ... ]
    >>> frame = pd.DataFrame({"stay_id": ["a", "b", "c", "d"], "age": [54.0, 71.0, 66.0, 80.0],
    ...                       "readmitted": [False, True, False, True]})
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "ward.yaml"
    >>> _ = path.write_text("\\n".join(schema))
    >>> cohort_from_frame(frame, path)
    Cohort(name='ward', n=4, features=1, outcome=Outcome.binary(n=4, events=2, name='readmission'))
    >>> folder.cleanup()
    """
    schema = _outcome_override(load_schema(schema), outcome)
    validated = validate(frame, schema, units=units)
    spec = schema.outcome
    event = validated[spec.event].to_numpy()
    if spec.kind == "competing":
        outcome = Outcome.competing(validated[spec.time].to_numpy(), event, name=spec.name)
    elif spec.kind == "survival":
        outcome = Outcome.survival(validated[spec.time].to_numpy(), event, name=spec.name)
    else:
        outcome = Outcome.binary(event, name=spec.name)
    return cohort_from_validated(
        validated, schema, outcome, name=name, source=source, horizon=spec.horizon_days
    )


def cohort_from_validated(
    validated, schema, outcome, *, name=None, source="", horizon=None
) -> Cohort:
    """A :class:`~riskml.Cohort` from a frame that :func:`validate` returned.

    For loaders whose outcome is derived from several schema columns (e.g. a
    readmission with death as a competing event): they validate, derive the
    :class:`~riskml.Outcome` themselves and call this. Parameters as
    :func:`cohort_from_frame`, plus ``outcome`` (an Outcome with one entry per row
    of ``validated``) and ``horizon`` (days).
    """
    schema = load_schema(schema)
    features = validated[[c for c in schema.features if c in validated]]
    ids = validated[schema.id_column].to_numpy() if schema.id_column else None
    groups = validated[schema.group_column].to_numpy() if schema.group_column else None
    metadata = schema.metadata_frame()
    cohort = Cohort(
        features,
        outcome,
        metadata.loc[metadata.index.isin(features.columns)],
        ids=ids,
        groups=groups,
        name=name or schema.name,
        source=source,
    )
    cohort.schema_name = schema.name
    cohort.schema = schema
    cohort.framingham_inputs = (
        None if schema.framingham_inputs is None else dict(schema.framingham_inputs)
    )
    cohort.horizon = horizon
    outcome_columns = [
        c.name for c in schema.columns if c.role == "outcome" and c.name in validated
    ]
    cohort.outcomes = validated[outcome_columns].reset_index(drop=True)
    cohort.context = validated[[c for c in schema.context if c in validated]].reset_index(drop=True)
    return cohort
