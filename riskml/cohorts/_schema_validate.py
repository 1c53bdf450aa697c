"""Check a table against a schema column by column and return its typed, converted copy."""

from __future__ import annotations

import difflib
import warnings

import numpy as np
import pandas as pd

from ._columns import user_stacklevel as _user_stacklevel
from ._schema_model import (
    ColumnSpec,
    Schema,
    SchemaError,
    SchemaProblem,
    SchemaWarning,
    _examples,
    _fmt,
    _plain,
)
from ._schema_parse import load_schema
from ._schema_rules import _check_rules

__all__ = ["validate"]

_MAX_IDS = 5
_SNIFF_SHARE = 0.9  # share of values that must fit a unit before it is suggested


def _names(names, limit: int = 30) -> str:
    """A list of column names for a message, the first ``limit`` and a count."""
    names = [str(n) for n in names]
    shown = names[:limit]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"{shown}{more}"


def _normalize_unit(unit: str) -> str:
    return unit.replace("µ", "u").replace("μ", "u").replace(" ", "").lower()


def _unit_factors(spec: ColumnSpec) -> dict:
    """Normalized unit name → (factor to canonical, AcceptedUnit or None)."""
    factors = {_normalize_unit(spec.unit): (1.0, None)} if spec.unit else {}
    for accepted in spec.accepted_units:
        factors[_normalize_unit(accepted.unit)] = (accepted.factor, accepted)
    return factors


def _declared_units(units, schema: Schema) -> dict:
    """Check ``units`` and return {column: AcceptedUnit or None (canonical)}."""
    if units is None:
        return {}
    if isinstance(units, str):
        if units.upper() != "SI":
            raise ValueError(
                f"units must be None, 'SI' or a dict such as {{'total_chol': 'mmol/L'}}; "
                f"got {units!r}."
            )
        return {
            c.name: next(a for a in c.accepted_units if a.si)
            for c in schema.columns
            if any(a.si for a in c.accepted_units)
        }
    if not isinstance(units, dict):
        raise TypeError(
            "units must be None, 'SI' or a dict mapping column names to units, such as "
            f"{{'total_chol': 'mmol/L'}}; got {type(units).__name__}."
        )
    declared = {}
    for column, unit in units.items():
        if column not in schema._by_name:
            raise ValueError(
                f"units names column {column!r}, which the {schema.name!r} schema does not "
                f"have; columns with alternative units: "
                f"{[c.name for c in schema.columns if c.accepted_units]}."
            )
        spec = schema.column(column)
        factors = _unit_factors(spec)
        key = _normalize_unit(str(unit))
        if key not in factors:
            accepted = [spec.unit, *(a.unit for a in spec.accepted_units)]
            raise ValueError(
                f"units gives {column!r} in {unit!r}; the {schema.name!r} schema accepts it in "
                f"{accepted} (riskml stores {spec.unit})."
            )
        declared[column] = factors[key][1]
    return declared


class _Checker:
    """Collects problems and warnings while one frame is validated."""

    def __init__(self, frame: pd.DataFrame, schema: Schema):
        self.schema = schema
        self.problems: list[SchemaProblem] = []
        self.warnings: list[str] = []
        self.id_label = "row position"
        self.ids = np.arange(len(frame))
        id_column = schema.id_column
        if id_column and id_column in frame.columns:
            ids = frame[id_column]
            if ids.notna().all() and not ids.duplicated().any():
                self.id_label = id_column
                self.ids = ids.to_numpy()

    def first_ids(self, mask) -> tuple:
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))[:_MAX_IDS]
        return tuple(_plain(self.ids[r]) for r in rows)

    def add(self, column, rule, mask=None, *, n_rows=None, detail="", fix=""):
        """Record a problem; ``mask`` marks the rows that break the rule."""
        ids = ()
        if mask is not None:
            n_rows = int(np.count_nonzero(mask))
            ids = self.first_ids(mask)
        self.problems.append(
            SchemaProblem(
                column=column,
                rule=rule,
                n_rows=int(n_rows),
                row_ids=ids,
                id_label=self.id_label if mask is not None else "row position",
                detail=detail,
                fix=fix,
            )
        )


def _coerce_numeric(raw: pd.Series, spec: ColumnSpec, check: _Checker) -> pd.Series:
    """Numbers (floats) from ``raw``; text that is not a number is reported."""
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(float)
    values = raw
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        values = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
        values = values.replace("", np.nan)
        if spec.type == "bool":
            mapping = {"true": 1.0, "false": 0.0, "yes": 1.0, "no": 0.0}
            values = values.map(lambda v: mapping.get(v.lower(), v) if isinstance(v, str) else v)
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    bad = numbers.isna() & values.notna()
    if bad.any():
        check.add(
            spec.name,
            f"{spec.type} values",
            bad,
            detail=f"Found text that is not a number: {_examples(values[bad])}.",
            fix="write plain numbers (no units, '<', '>' or commas) and leave missing values "
            "empty.",
        )
    return numbers


def _level_text(value):
    """A categorical value as text: 1 and 1.0 both read as '1'."""
    if isinstance(value, str) or pd.isna(value):
        return value
    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


_TEMPORAL_FORMATS = {"date": "YYYY-MM-DD", "datetime": "YYYY-MM-DD HH:MM:SS"}


def _coerce_temporal(raw: pd.Series, spec: ColumnSpec, check: _Checker) -> pd.Series:
    """ISO 8601 dates or date-times; anything else is reported, never guessed."""
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw.copy()
    text = raw.map(lambda v: v.strip() if isinstance(v, str) else v).replace("", np.nan)
    text = text.astype(object).where(text.notna(), None)
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    if spec.type == "date":
        # A date column holds days: a time of day other than midnight is not a date.
        with_time = parsed.notna() & (parsed != parsed.dt.normalize())
        parsed = parsed.where(~with_time)
    bad = parsed.isna() & text.notna()
    if bad.any():
        check.add(
            spec.name,
            f"{spec.type} values ({_TEMPORAL_FORMATS[spec.type]})",
            bad,
            detail=f"Found {_examples(text[bad])}, which is not a valid "
            f"{'calendar date' if spec.type == 'date' else 'date and time'}.",
            fix=f"write ISO 8601 {_TEMPORAL_FORMATS[spec.type]} (e.g. 2009-02-28) and leave "
            "unknown dates empty; check for day/month swaps and impossible days.",
        )
    return parsed


DEFAULT_DATE_RANGE = (pd.Timestamp("1901-01-01"), "today")


def _check_dates(parsed: pd.Series, spec: ColumnSpec, check: _Checker) -> pd.Series:
    """Dates inside the column's ``date_range`` (default: 1901-01-01 to today)."""
    today = pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    bounds = [today if b == "today" else b for b in (spec.date_range or DEFAULT_DATE_RANGE)]
    earliest, latest = bounds
    shown = ["today" if b is today else str(b.date()) for b in bounds]
    values = parsed
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    declared = (
        ""
        if spec.date_range is not None
        else (
            " (a source whose dates are shifted for de-identification declares date_range in "
            "its schema)"
        )
    )
    for bad, what, fix in (
        (
            values > latest,
            f"after {shown[1]}",
            "a date in the future is a typo (e.g. 2099 for 2009) or a placeholder; correct "
            "it, or leave it empty if unknown",
        ),
        (
            values < earliest,
            f"before {shown[0]}",
            "a date this early is usually a placeholder for an unknown date (e.g. "
            "1900-01-01); leave unknown dates empty",
        ),
    ):
        bad = bad.fillna(False).to_numpy(dtype=bool)
        if bad.any():
            check.add(
                spec.name,
                f"dates from {shown[0]} to {shown[1]}",
                bad,
                detail=f"{int(bad.sum())} date(s) fall {what}.",
                fix=f"{fix}{declared}.",
            )
            parsed = parsed.where(~bad)
    return parsed


def _check_type(raw: pd.Series, spec: ColumnSpec, check: _Checker) -> pd.Series:
    """Coerce one column to its schema type, reporting values that cannot be coerced."""
    if spec.type == "str":
        return raw.copy()
    if spec.is_temporal:
        return _check_dates(_coerce_temporal(raw, spec, check), spec, check)
    if spec.type == "cat":
        values = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
        values = values.map(_level_text)
        values = values.replace("", np.nan).astype(object)
        values = values.where(values.notna(), np.nan)
        unknown = values.notna() & ~values.isin(spec.levels)
        if unknown.any():
            found = list(dict.fromkeys(values[unknown]))
            lowered = {level.lower(): level for level in spec.levels}
            hint = [lowered.get(str(v).lower()) for v in found]
            fix = f"use only the levels {list(spec.levels)} (leave missing values empty)"
            if all(hint):
                fix += f"; the values differ only in case: {dict(zip(found[:5], hint[:5], strict=True))}"
            check.add(
                spec.name,
                f"allowed levels {list(spec.levels)}",
                unknown,
                detail=f"Unknown level(s): {_examples(found, 5)}.",
                fix=fix + ".",
            )
            values = values.where(~unknown, np.nan)
        return values
    numbers = _coerce_numeric(raw, spec, check)
    if spec.type == "bool":
        bad = numbers.notna() & ~numbers.isin((0.0, 1.0))
        if bad.any():
            check.add(
                spec.name,
                "bool values 0/1",
                bad,
                detail=f"Found {_examples(numbers[bad])}.",
                fix="code the flag as 1 (yes) or 0 (no), missing as empty.",
            )
            numbers = numbers.where(~bad, np.nan)
    elif spec.type == "int":
        bad = numbers.notna() & (numbers != np.round(numbers))
        if bad.any():
            check.add(
                spec.name,
                "whole numbers (int)",
                bad,
                detail=f"Found {_examples(numbers[bad])}.",
                fix="this column counts something; round or correct the values.",
            )
            numbers = numbers.where(~bad, np.nan)
    return numbers


def _fit_share(values: np.ndarray, low: float, high: float) -> float:
    return float(np.mean((values >= low) & (values <= high))) if values.size else 0.0


def _sniff(raw: np.ndarray, spec: ColumnSpec, declared, outside: np.ndarray) -> tuple[str, str]:
    """Explain a hard-range violation by a unit mix-up, when the numbers say so.

    ``raw`` are the column's values as given (before conversion), ``declared``
    the unit they were declared in (None: canonical), ``outside`` the rows out
    of range. Returns ``(diagnosis, fix)``, both empty when no unit fits.
    """
    low, high = spec.hard_range
    present = raw[~np.isnan(raw)]
    declared_unit = spec.unit if declared is None else declared.unit
    candidates = [(spec.unit, 1.0, None), *((a.unit, a.factor, a) for a in spec.accepted_units)]
    candidates = [c for c in candidates if _normalize_unit(c[0]) != _normalize_unit(declared_unit)]

    def best_for(values):
        best = None
        for unit, factor, accepted in candidates:
            share = _fit_share(values * factor, low, high)
            if share >= _SNIFF_SHARE and (best is None or share > best[0]):
                best = (share, unit, accepted)
        return best

    whole = best_for(present)
    if whole is not None:
        _, unit, accepted = whole
        median = _fmt(float(np.median(present)))
        if accepted is None:
            return (
                f"{spec.name} looks like {spec.unit} already (median {median}), but it was "
                f"declared in {declared_unit}.",
                f"drop {spec.name!r} from units (or do not pass units='SI').",
            )
        return (
            f"{spec.name} looks like {unit} (median {median}); riskml expects {spec.unit}.",
            f"{accepted.how}, or pass units={{'{spec.name}': '{unit}'}} to convert on load.",
        )
    wrong = raw[outside]
    some = best_for(wrong[~np.isnan(wrong)])
    if some is not None and some[2] is not None:
        _, unit, accepted = some
        return (
            f"The out-of-range values look like {unit} (median "
            f"{_fmt(float(np.nanmedian(wrong)))}) in a column otherwise in {declared_unit}.",
            f"{accepted.how} those values only.",
        )
    return "", ""


def _check_ranges(values: pd.Series, raw: np.ndarray, spec, declared, check: _Checker) -> None:
    """Hard range (error, with unit sniffing) and soft range (warning) of one column."""
    array = values.to_numpy(dtype=float)
    present = ~np.isnan(array)
    unit = spec.unit_text()
    if spec.hard_range is not None:
        low, high = spec.hard_range
        outside = present & ((array < low) | (array > high))
        if outside.any():
            diagnosis, fix = _sniff(raw, spec, declared, outside)
            found = _examples(raw[outside])
            if declared is not None:
                found += f" {declared.unit} (= {_examples(array[outside])}{unit})"
            check.add(
                spec.name,
                f"hard range [{_fmt(low)}, {_fmt(high)}]{unit}",
                outside,
                detail=f"Values such as {found} are impossible or a unit error."
                + (f" {diagnosis}" if diagnosis else ""),
                fix=fix
                or "correct these values, or leave them empty if unknown; riskml never clips them.",
            )
            return  # no soft-range warning on top of the error
    if spec.soft_range is not None:
        low, high = spec.soft_range
        outside = present & ((array < low) | (array > high))
        if outside.any():
            ids = ", ".join(str(i) for i in check.first_ids(outside))
            check.warnings.append(
                f"{check.schema.name}: {spec.name}: {int(outside.sum())} value(s) outside the "
                f"typical range [{_fmt(low)}, {_fmt(high)}]{unit} (first {check.id_label}: "
                f"{ids}; e.g. {_examples(array[outside])}). They are kept; check them."
            )


def _check_rows(frame: pd.DataFrame, schema: Schema, check: _Checker) -> None:
    """Refuse a table without rows (a header-only file) at once."""
    if len(frame) == 0:
        check.add(
            "(all columns)",
            "at least one row",
            n_rows=0,
            detail=f"The table has {frame.shape[1]} columns and no rows (a header-only file?).",
            fix="export the cohort again with one row per patient.",
        )
        raise SchemaError(check.problems, schema.name)


def _check_columns(frame: pd.DataFrame, schema: Schema, check: _Checker) -> None:
    """Required columns missing (with a rename hint) and columns the schema does not know."""
    names = schema.column_names
    missing = [c for c in schema.columns if c.required and c.name not in frame.columns]
    if missing:
        missing_names = [c.name for c in missing]
        hints = []
        for name in missing_names:
            close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=1)
            lower = {str(c).lower(): c for c in frame.columns}
            match = lower.get(name.lower()) or (close[0] if close else None)
            if match is not None and match not in names:
                hints.append(f"{match!r} -> {name!r}")
        check.add(
            ", ".join(missing_names),
            "required column missing",
            n_rows=len(frame),
            detail=f"Missing {len(missing_names)} column(s): {_names(missing_names)}. The data's "
            f"columns are: {_names(frame.columns)}.",
            fix=(f"rename {', '.join(hints)}; " if hints else "")
            + "add each missing column (leave values empty where unknown).",
        )
    extra = [str(c) for c in frame.columns if c not in names]
    if extra:
        check.warnings.append(
            f"{schema.name}: columns not in the schema are ignored: {_names(extra)}. Add them "
            "to the schema to use them."
        )


def _typed_columns(frame: pd.DataFrame, schema: Schema, declared: dict, check: _Checker) -> dict:
    """Each schema column present, coerced to its type, converted to its canonical unit and
    checked against its ranges."""
    out = {}
    for spec in schema.columns:
        if spec.name not in frame.columns:
            continue
        raw = frame[spec.name]
        if isinstance(raw, pd.DataFrame):
            check.add(
                spec.name,
                "unique column names",
                n_rows=len(frame),
                detail="The column appears more than once.",
                fix="keep one copy.",
            )
            continue
        values = _check_type(raw, spec, check)
        if spec.is_numeric:
            given = values.to_numpy(dtype=float, copy=True)
            accepted = declared.get(spec.name)
            if accepted is not None:
                values = values * accepted.factor
            if spec.hard_range is not None or spec.soft_range is not None:
                _check_ranges(values, given, spec, accepted, check)
        out[spec.name] = values
    return out


def _check_not_empty(frame: pd.DataFrame, out: dict, schema: Schema, check: _Checker) -> None:
    """Columns that may not be empty (e.g. registry checkboxes: unchecked is 0, not empty)."""
    for spec in schema.columns:
        if not spec.nullable and spec.name in out:
            absent = out[spec.name].isna().to_numpy() & frame[spec.name].isna().to_numpy()
            if absent.any():
                check.add(
                    spec.name,
                    "no empty values",
                    absent,
                    detail="This column is never missing in the source (a checkbox is 0 when "
                    "unchecked), so an empty value points to a broken export.",
                    fix="re-export the column; write 0 for unchecked boxes.",
                )


def _check_ids(frame: pd.DataFrame, out: dict, schema: Schema, check: _Checker) -> None:
    """An id in every row, each id once."""
    id_column = schema.id_column
    if id_column in out:
        ids = frame[id_column]
        absent = ids.isna().to_numpy()
        if absent.any():
            check.add(
                id_column, "id present in every row", absent, fix=f"give every row its {id_column}."
            )
        repeated = ids.duplicated(keep=False).to_numpy() & ~absent
        if repeated.any():
            check.add(
                id_column,
                "unique ids",
                repeated,
                detail=f"{int(ids[repeated].nunique())} id value(s) appear more than once: "
                f"{_examples(ids[repeated], 5)}.",
                fix="keep one row per patient (remove duplicates), or give each row its own id.",
            )


def _check_outcome_present(frame: pd.DataFrame, out: dict, schema: Schema, check) -> None:
    """The outcome's time and event in every row."""
    for column in (schema.outcome.time, schema.outcome.event):
        if column in out and out[column].isna().any():
            absent = out[column].isna().to_numpy() & frame[column].isna().to_numpy()
            if absent.any():
                check.add(
                    column,
                    "outcome present in every row",
                    absent,
                    fix="every patient needs an event flag and a follow-up time; drop "
                    "patients without them before loading.",
                )


def validate(frame, schema, *, units=None) -> pd.DataFrame:
    """Check a cohort table against its schema and return a clean copy.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per analysis unit, as read from the file. It is never modified.
    schema : Schema or str
        A :class:`Schema`, or anything :func:`load_schema` accepts.
    units : None, "SI" or dict, optional
        Units that columns arrive in when they differ from the schema's canonical
        unit, e.g. ``{"total_chol": "mmol/L"}``; they are converted on load.
        ``"SI"`` converts every column whose schema declares an SI alternative
        (cholesterol, glucose, triglycerides, creatinine, uric acid,
        hemoglobin for ``young_htn``).

    Returns
    -------
    validated : pandas.DataFrame
        A new frame with the schema's columns that are present, in schema order,
        converted to canonical units: ``float`` columns as float64, ``int`` as
        int64 (float64 where values are missing), ``bool`` as float64 0.0/1.0 with
        NaN for missing, ``cat`` as object strings with NaN for missing, ``str``
        as read.

    Raises
    ------
    SchemaError
        Listing every problem at once: missing required columns, text in numeric
        columns, unknown levels, values outside hard ranges (with a unit
        diagnosis where the numbers point to one), missing or duplicated ids,
        missing outcome values and broken cross-field rules.

    Warns
    -----
    SchemaWarning
        For values outside a soft range (one warning per column) and for columns
        the schema does not know (they are dropped).

    Notes
    -----
    Hard ranges are in the canonical unit; a value outside one is refused and
    never clipped. A column that arrives in a unit the schema accepts but that was
    not declared is refused with the conversion to apply, for instance
    ``total_chol looks like mmol/L (median 4.8); riskml expects mg/dL: multiply
    by 38.67, or pass units={'total_chol': 'mmol/L'} to convert on load``.

    Examples
    --------
    >>> import riskml as rk
    >>> frame = rk.cohorts.make_young_hypertension(n_patients=50, return_frame=True)
    >>> rk.cohorts.validate(frame, "young_htn").shape[0]
    50
    """
    schema = load_schema(schema)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame; got {type(frame).__name__}.")
    declared = _declared_units(units, schema)
    frame = frame.reset_index(drop=True)  # a new object; the caller's frame is untouched
    check = _Checker(frame, schema)
    _check_rows(frame, schema, check)
    _check_columns(frame, schema, check)
    out = _typed_columns(frame, schema, declared, check)
    _check_not_empty(frame, out, schema, check)
    _check_ids(frame, out, schema, check)
    _check_outcome_present(frame, out, schema, check)

    result = pd.DataFrame(out, index=range(len(frame)))
    _check_rules(result, schema, check)

    for message in check.warnings:
        warnings.warn(message, SchemaWarning, stacklevel=_user_stacklevel())
    if check.problems:
        raise SchemaError(check.problems, schema.name)

    for spec in schema.columns:
        if spec.name in result and spec.type == "int" and not result[spec.name].isna().any():
            result[spec.name] = result[spec.name].astype(np.int64)
    return result
