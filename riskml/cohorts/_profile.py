"""The input profile of a model: what it saw in training, as aggregates only.

:func:`riskml.save_model` stores it in the model file when given the training cohort;
:func:`riskml.deployment.check_inputs` compares new rows with it before a model scores
anyone. Per numeric input: minimum, maximum, 0.5th and 99.5th percentiles, median, unit
and, where a schema in ``data_schemas/`` knows the column, its hard range and the units it
accepts; per categorical input the levels seen; the follow-up of a time-to-event cohort.
It describes a cohort, so it lives beside :class:`~riskml.Cohort`, below the model files
and the deployment code that read it.
"""

from __future__ import annotations

import math

__all__ = ["input_profile", "profile_level"]

PROFILE_VERSION = 1
#: The robust training range stored for each numeric input (percentiles).
ROBUST_PERCENTILES = (0.5, 99.5)
#: A categorical input with more levels than this, distinct in most rows, looks like an
#: identifier or free text: its levels are not stored in the profile.
MAX_LEVELS = 50


def _finite(values):
    import numpy as np

    values = np.asarray(values, dtype=float)
    return values[np.isfinite(values)]


def _number(value):
    """A JSON-safe float (None for NaN or infinity)."""
    value = float(value)
    return value if math.isfinite(value) else None


def profile_level(value) -> str:
    """A category level as text; whole numbers without '.0' (1 and 1.0 are one level).

    Examples
    --------
    >>> from riskml.cohorts import profile_level
    >>> profile_level(1.0), profile_level(2.5), profile_level("M")
    ('1', '2.5', 'M')
    """
    import numpy as np

    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _unpack(data):
    """(features, outcome, metadata, schema) of a Cohort, or of a DataFrame."""
    import pandas as pd

    features = getattr(data, "features", data)
    if not isinstance(features, pd.DataFrame):
        raise TypeError(
            "input_profile takes the training Cohort or its features DataFrame; got "
            f"{type(data).__name__}."
        )
    outcome = getattr(data, "outcome", None)
    metadata = getattr(data, "metadata", None)
    schema = getattr(data, "schema", None)
    name = getattr(data, "schema_name", None)
    if schema is None and isinstance(name, str):
        from ._schema import load_schema

        try:
            schema = load_schema(name)
        except (ValueError, OSError, TypeError):
            schema = None
    return features, outcome, metadata, schema


def _packaged_columns() -> dict:
    """Column name -> list of numeric ColumnSpecs in riskml's bundled schemas."""
    import importlib.resources

    from ._schema import load_schema

    found: dict = {}
    for item in importlib.resources.files("riskml.data_schemas").iterdir():
        if not item.name.endswith(".yaml"):
            continue
        try:
            schema = load_schema(item.name[: -len(".yaml")])
        except (ValueError, OSError):  # pragma: no cover - bundled schemas load
            continue
        for spec in schema.columns:
            if spec.type in ("float", "int") and spec.hard_range is not None:
                found.setdefault(spec.name, []).append(spec)
    return found


def _schema_spec(name: str, values, schema, packaged: dict):
    """The schema column describing ``name``: the cohort's own schema, or a bundled one
    whose hard range holds every training value (and soft range its median)."""
    import numpy as np

    if schema is not None:
        try:
            spec = schema.column(name)
        except (KeyError, ValueError):
            spec = None
        if spec is not None and spec.type in ("float", "int", "bool"):
            return spec
        return None
    if values.size == 0:
        return None
    median = float(np.median(values))
    for spec in packaged.get(name, ()):
        low, high = spec.hard_range
        if values.min() < low or values.max() > high:
            continue
        if spec.soft_range is not None and not spec.soft_range[0] <= median <= spec.soft_range[1]:
            continue
        return spec
    return None


def _is_binary(series, kind: str) -> bool:
    import numpy as np
    import pandas as pd

    if kind == "bool" or pd.api.types.is_bool_dtype(series):
        return True
    if not pd.api.types.is_numeric_dtype(series):
        return False
    values = _finite(series.to_numpy(dtype=float, na_value=np.nan))
    return values.size > 0 and bool(np.isin(values, (0.0, 1.0)).all()) and kind != "int"


def input_profile(cohort, columns=None) -> dict:
    """What a model saw in training, as aggregates only: stored in model files.

    Parameters
    ----------
    cohort : Cohort or pandas.DataFrame
        The data the model was fitted on (a :class:`~riskml.Cohort` adds units from
        its metadata, its schema's hard ranges and accepted units, and the
        follow-up of a time-to-event outcome).
    columns : list of str, optional
        The model's input columns (default: every column of the features).

    Returns
    -------
    dict
        JSON-ready: ``version``, ``n_rows`` and ``columns``, a mapping from each
        input to ``{"kind": "numeric", "min", "max", "low", "high" (0.5th and
        99.5th percentiles), "median", "missing" (share), "unit", "hard_range",
        "conversions"}``, ``{"kind": "binary", "missing"}`` (0/1 codes) or
        ``{"kind": "categorical", "levels", "missing"}`` (no levels for a column
        distinct in most rows, which would identify patients); plus ``followup``
        (``max_days``, ``median_days``, ``first_event_days``, ``last_event_days``,
        ``events``) for a time-to-event outcome.

    Notes
    -----
    Nothing per patient is kept: no row, no identifier, no individual follow-up
    (the extreme values of each input and of the follow-up are the only single
    values, as in any Table 1). Hard ranges and accepted units come from the
    cohort's schema; for a plain DataFrame, from a bundled schema
    (``data_schemas/*.yaml``) with a column of the same name whose hard range holds
    every training value, so that ``total_chol`` in mg/dL is recognised as such.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> profile = rk.cohorts.input_profile(cohort, columns=["age"])
    >>> age = profile["columns"]["age"]
    >>> age["unit"], age["min"], age["max"], age["median"]
    ('years', 40.0, 95.0, 60.0)
    >>> profile["followup"]["max_days"]
    285.0
    """
    features, outcome, metadata, schema = _unpack(cohort)
    names = [str(c) for c in features.columns] if columns is None else [str(c) for c in columns]
    frame = features.set_axis([str(c) for c in features.columns], axis=1)
    units, kinds = _metadata_units_and_types(metadata)
    packaged = _packaged_columns() if schema is None else {}
    described = {
        name: _describe_column(frame[name], name, kinds.get(name, ""), units, schema, packaged)
        for name in names
        if name in frame.columns
    }
    profile = {"version": PROFILE_VERSION, "n_rows": int(len(frame)), "columns": described}
    if outcome is not None and getattr(outcome, "is_survival", False):
        profile["followup"] = _followup(outcome)
    return profile


def _metadata_units_and_types(metadata) -> tuple[dict, dict]:
    """The ``unit`` and ``type`` the cohort's metadata gives each column."""
    import pandas as pd

    units, kinds = {}, {}
    if isinstance(metadata, pd.DataFrame):
        if "unit" in metadata.columns:
            units = {str(k): str(v) for k, v in metadata["unit"].dropna().items() if str(v)}
        if "type" in metadata.columns:
            kinds = {str(k): str(v) for k, v in metadata["type"].dropna().items()}
    return units, kinds


def _describe_column(series, name: str, kind: str, units: dict, schema, packaged: dict) -> dict:
    """One input's entry: binary, numeric (range, unit, schema limits) or categorical."""
    import pandas as pd

    missing = round(float(series.isna().mean()) if len(series) else 0.0, 4)
    if _is_binary(series, kind):
        return {"kind": "binary", "missing": missing}
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return _describe_numeric(series, name, missing, units, schema, packaged)
    present = series.dropna().tolist()
    levels = sorted({profile_level(v) for v in present})
    if len(levels) > MAX_LEVELS and len(levels) > 0.5 * len(present):
        # distinct in most rows: an identifier or free text, never stored (no check)
        return {"kind": "categorical", "missing": missing}
    return {"kind": "categorical", "levels": levels, "missing": missing}


def _describe_numeric(series, name, missing, units, schema, packaged) -> dict:
    import numpy as np

    values = _finite(series.to_numpy(dtype=float, na_value=np.nan))
    spec = _schema_spec(name, values, schema, packaged)
    unit = units.get(name) or (spec.unit if spec is not None else "")
    if spec is not None and units.get(name) and units[name] != spec.unit:
        spec = None  # the cohort says another unit: the schema's ranges do not apply
    entry = {"kind": "numeric", "missing": missing, "unit": unit}
    if values.size:
        low, high = np.percentile(values, ROBUST_PERCENTILES)
        entry.update(
            min=_number(values.min()),
            max=_number(values.max()),
            low=_number(low),
            high=_number(high),
            median=_number(np.median(values)),
        )
    if spec is not None and spec.hard_range is not None:
        entry["hard_range"] = [float(spec.hard_range[0]), float(spec.hard_range[1])]
        entry["conversions"] = [
            {"unit": a.unit, "factor": float(a.factor)} for a in spec.accepted_units
        ]
    return entry


def _followup(outcome) -> dict:
    """Aggregate follow-up of a time-to-event outcome (no individual time but the extremes)."""
    import numpy as np

    time = np.asarray(outcome.time, dtype=float)
    event = np.asarray(outcome.event, dtype=bool)
    finite = np.isfinite(time)
    event_times = time[event & finite]
    return {
        "max_days": _number(time[finite].max()) if finite.any() else None,
        "median_days": _number(np.median(time[finite])) if finite.any() else None,
        "first_event_days": _number(event_times.min()) if event_times.size else None,
        "last_event_days": _number(event_times.max()) if event_times.size else None,
        "events": int(event.sum()),
    }
