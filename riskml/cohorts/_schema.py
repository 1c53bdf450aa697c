"""Declarative cohort schemas: load them from YAML and validate data against them.

A schema (one YAML file per cohort kind in ``data_schemas/``) lists every column
of a cohort file with its type, canonical unit, hard range (impossible values,
or almost surely a unit error: refused), soft range (rare but possible: warned),
levels, role and the units it may arrive in. :func:`validate` checks a
DataFrame against it in one pass and reports every problem together, so that a
user fixes the file once; :func:`cohort_from_frame` turns the validated frame
into a :class:`~riskml.Cohort`.

Column fields: ``name``, ``type`` (int, float, bool, cat, str, date: ISO
``YYYY-MM-DD``, datetime: ``YYYY-MM-DD HH:MM:SS``), ``unit``, ``hard_range``,
``soft_range``, ``levels``, ``role`` (id, group, predictor, derived, outcome,
context: dates and secondary ids, validated but never features), ``post_index``,
``missing`` (typical share missing), ``required``, ``nullable`` (false: an empty
value is an error, e.g. registry checkboxes), ``summary`` (mean or median, for
Table 1), ``description``, ``accepted_units`` and, for dates, ``date_range``
(``[earliest, latest]``, ISO dates or ``today``; default ``[1901-01-01, today]``:
a date in the future or before 1901 is refused, so a placeholder such as
1900-01-01 or a typo such as 2099 is caught; a source whose dates are shifted for
de-identification, such as MIMIC-III, declares its own range).

Rules: ``less_than``, ``at_most`` and ``equal`` between two columns (numbers or
dates; optional ``tolerance``, in days for dates), ``ordered`` (min <= mean <=
max), ``sum_at_most``, ``horizon_label``, ``flag_matches`` (a 0/1 column is 1
exactly when a condition holds), ``bins_match`` (a category agrees with the bin
of a number), ``composite`` (a composite event flag and its component flags: a
component flagged without the composite, or the composite without any component
when every component column is present, is refused; ``exclusive: true`` also
refuses more than one component, for "first event was" flags). Any rule may carry
``if`` (conditions that select the rows it applies to), ``name`` (shown in the
message) and ``fix``.
"""

from __future__ import annotations

import difflib
import functools
import importlib.resources
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..outcome import Outcome, horizon_label
from ._cohort import Cohort
from ._columns import user_stacklevel as _user_stacklevel

__all__ = [
    "ColumnSpec",
    "OutcomeSpec",
    "Schema",
    "SchemaError",
    "SchemaProblem",
    "SchemaWarning",
    "cohort_from_frame",
    "cohort_from_validated",
    "load_schema",
    "validate",
]

COLUMN_TYPES = ("int", "float", "bool", "cat", "str", "date", "datetime")
ROLES = ("id", "group", "predictor", "derived", "outcome", "context")
RULE_KINDS = (
    "less_than",
    "at_most",
    "equal",
    "ordered",
    "sum_at_most",
    "horizon_label",
    "flag_matches",
    "bins_match",
    "composite",
)
SUMMARIES = ("mean", "median")
_MAX_IDS = 5
_SNIFF_SHARE = 0.9  # share of values that must fit a unit before it is suggested


class SchemaError(ValueError):
    """Data that does not match its cohort schema.

    The message lists every problem found, one per line, each naming the column,
    the rule broken, how many rows break it, the first row identifiers and the
    likely fix. The same information is in :attr:`problems`.

    Attributes
    ----------
    problems : list of SchemaProblem
    schema_name : str
    """

    def __init__(self, problems, schema_name: str = ""):
        self.problems = list(problems)
        self.schema_name = schema_name
        count = len(self.problems)
        head = (
            f"The data does not match the {schema_name!r} schema: {count} "
            f"problem{'s' if count != 1 else ''}, all listed so that the file can be "
            "fixed in one go:"
        )
        lines, size = [head], len(head)
        for shown, problem in enumerate(self.problems):
            line = f"  - {_cap(str(problem), MAX_PROBLEM_CHARS)}"
            if size + len(line) > MAX_MESSAGE_CHARS:
                lines[0] = head.replace("all listed so that", "listed here in part so that")
                lines.append(
                    f"  - ... and {count - shown} more problem(s) not shown, to keep this "
                    "message short; every problem is in SchemaError.problems."
                )
                break
            lines.append(line)
            size += len(line) + 1
        super().__init__("\n".join(lines))


#: Longest text of one problem in a SchemaError message, and of the whole message
#: (every problem stays in full in ``SchemaError.problems``).
MAX_PROBLEM_CHARS = 1000
MAX_MESSAGE_CHARS = 5000


def _cap(text: str, limit: int) -> str:
    """``text`` cut in the middle to ``limit`` characters, keeping its end (the fix)."""
    if len(text) <= limit:
        return text
    keep = limit - 40
    head, tail = keep * 2 // 3, keep - keep * 2 // 3
    return f"{text[:head]} ... ({len(text) - keep} characters cut) ... {text[-tail:]}"


def _names(names, limit: int = 30) -> str:
    """A list of column names for a message, the first ``limit`` and a count."""
    names = [str(n) for n in names]
    shown = names[:limit]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"{shown}{more}"


class SchemaWarning(UserWarning):
    """Values outside a soft range, or columns the schema does not know."""


@dataclass(frozen=True)
class SchemaProblem:
    """One broken rule: what :class:`SchemaError` lists.

    Attributes
    ----------
    column : str
        The column (or columns, for a cross-field rule).
    rule : str
        The rule broken, e.g. ``"hard range [38.67, 773.4] mg/dL"``.
    n_rows : int or None
        How many rows break it (None for a rule about a whole table, such as a
        missing column of a raw table that is not read in full).
    row_ids : tuple
        The first (up to five) identifiers of those rows: values of the id
        column, or positions from 0 where the data has no usable id column.
    id_label : str
        What ``row_ids`` are (the id column's name, or ``"row position"``).
    detail : str
        What was found.
    fix : str
        The likely fix.
    """

    column: str
    rule: str
    n_rows: int | None
    row_ids: tuple = ()
    id_label: str = "row position"
    detail: str = ""
    fix: str = ""

    def __str__(self) -> str:
        where = ""
        if self.row_ids:
            shown = ", ".join(str(i) for i in self.row_ids)
            more = ", ..." if self.n_rows > len(self.row_ids) else ""
            where = f" (first {self.id_label}: {shown}{more})"
        if self.n_rows is None:  # a rule about a whole table (e.g. a missing column)
            text = f"{self.column}: {self.rule}{where}."
        else:
            rows = f"{self.n_rows} row{'s' if self.n_rows != 1 else ''}"
            text = (
                f"{self.column}: {self.rule}: {rows} break{'s' if self.n_rows == 1 else ''} "
                f"it{where}."
            )
        if self.detail:
            text += f" {self.detail}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


@dataclass(frozen=True)
class AcceptedUnit:
    """A unit a column may arrive in, and how to convert it to the canonical unit."""

    unit: str
    factor: float
    how: str  # "multiply by 38.67" / "divide by 88.4", for messages
    si: bool = False


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a schema (see the module docstring for the fields)."""

    name: str
    type: str
    unit: str = ""
    hard_range: tuple | None = None
    soft_range: tuple | None = None
    levels: tuple | None = None
    role: str = "predictor"
    post_index: bool = False
    missing: float = 0.0
    required: bool = True
    nullable: bool = True
    description: str = ""
    accepted_units: tuple = ()
    summary: str = ""
    date_range: tuple | None = None  # (earliest, latest) as pd.Timestamp; None: the default

    @property
    def is_numeric(self) -> bool:
        return self.type in ("int", "float", "bool")

    @property
    def is_temporal(self) -> bool:
        return self.type in ("date", "datetime")

    def unit_text(self) -> str:
        return f" {self.unit}" if self.unit else ""


@dataclass(frozen=True)
class OutcomeSpec:
    """The outcome block: ``kind`` survival or binary, its columns, a default horizon."""

    kind: str
    event: str
    time: str | None = None
    horizon_days: float | None = None
    name: str = "outcome"


@dataclass(frozen=True, eq=False)
class Schema:
    """A cohort schema read from YAML by :func:`load_schema`.

    Attributes
    ----------
    name, description : str
    id_column, group_column : str or None
    outcome : OutcomeSpec
    framingham_inputs : dict or None
        Maps Framingham input names (sex, age, total_chol, hdl, sbp, bp_treated,
        smoker, diabetes) to a column name or ``{"column": ..., "equals": ...}`` /
        ``{"column": ..., "greater_than": ...}``, as ``FraminghamScore(inputs=...)``
        takes them.
    columns : tuple of ColumnSpec
    rules : tuple of dict
        Cross-field rules (see the module docstring).
    path : str
        The YAML file it came from.
    """

    name: str
    description: str
    id_column: str | None
    group_column: str | None
    outcome: OutcomeSpec
    framingham_inputs: dict | None
    columns: tuple
    rules: tuple = ()
    path: str = ""
    _by_name: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._by_name.update({c.name: c for c in self.columns})

    def column(self, name: str) -> ColumnSpec:
        """The :class:`ColumnSpec` called ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"schema {self.name!r} has no column {name!r}.") from None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def predictors(self) -> list[str]:
        """Candidate predictors: role ``predictor`` and known at the index time."""
        return [c.name for c in self.columns if c.role == "predictor" and not c.post_index]

    @property
    def features(self) -> list[str]:
        """Columns that go into ``Cohort.features``: predictors and derived columns."""
        return [c.name for c in self.columns if c.role in ("predictor", "derived")]

    @property
    def context(self) -> list[str]:
        """Columns of role ``context`` (dates, secondary ids): validated, never features."""
        return [c.name for c in self.columns if c.role == "context"]

    def metadata_frame(self) -> pd.DataFrame:
        """Per-column metadata in the layout of ``Cohort.metadata`` (plus ranges and levels)."""
        rows = {
            c.name: {
                "type": c.type,
                "unit": c.unit,
                "role": c.role,
                "post_index": bool(c.post_index),
                "description": c.description,
                "hard_range": c.hard_range,
                "soft_range": c.soft_range,
                "levels": c.levels,
                "missing": c.missing,
                "summary": c.summary,
            }
            for c in self.columns
        }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        return frame.astype({"post_index": bool})

    def __repr__(self) -> str:
        return (
            f"Schema(name={self.name!r}, columns={len(self.columns)}, "
            f"predictors={len(self.predictors)}, outcome={self.outcome.kind})"
        )


# -- reading YAML -------------------------------------------------------------------

_TOP_KEYS = {
    "name",
    "description",
    "id_column",
    "group_column",
    "outcome",
    "framingham_inputs",
    "columns",
    "rules",
}
_COLUMN_KEYS = {
    "name",
    "type",
    "unit",
    "hard_range",
    "soft_range",
    "levels",
    "role",
    "post_index",
    "missing",
    "required",
    "nullable",
    "description",
    "accepted_units",
    "summary",
    "date_range",
}


_CONDITION_OPS = {
    "equals": np.equal,
    "not_equals": np.not_equal,
    "greater_than": np.greater,
    "at_least": np.greater_equal,
    "less_than": np.less,
    "at_most": np.less_equal,
}


def _conditions(value) -> list:
    """A rule's ``if`` / ``condition``: one mapping or a list of them (all must hold)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _bad_schema(where: str, message: str) -> ValueError:
    return ValueError(f"invalid schema file {where}: {message}")


def _range(value, where, column, key):
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _bad_schema(where, f"column {column!r}: {key} must be [low, high]; got {value!r}.")
    low, high = (float(v) for v in value)
    if not low <= high:
        raise _bad_schema(where, f"column {column!r}: {key} low > high in {value!r}.")
    return (low, high)


def _date_range(value, where, column):
    """``[earliest, latest]`` as Timestamps (``today`` allowed), or None."""
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _bad_schema(
            where, f"column {column!r}: date_range must be [earliest, latest]; got {value!r}."
        )
    bounds = []
    for bound in value:
        if str(bound).strip().lower() == "today":
            bounds.append("today")
            continue
        try:
            bounds.append(pd.Timestamp(str(bound)))
        except ValueError:
            raise _bad_schema(
                where,
                f"column {column!r}: date_range bound {bound!r} is not an ISO date "
                "(YYYY-MM-DD) or 'today'.",
            ) from None
    return tuple(bounds)


def _accepted_unit(entry, where, column) -> AcceptedUnit:
    if not isinstance(entry, dict) or "unit" not in entry:
        raise _bad_schema(where, f"column {column!r}: accepted_units entries need a 'unit'.")
    if ("multiply_by" in entry) == ("divide_by" in entry):
        raise _bad_schema(
            where,
            f"column {column!r}: unit {entry['unit']!r} needs exactly one of "
            "multiply_by or divide_by.",
        )
    if "multiply_by" in entry:
        value = float(entry["multiply_by"])
        factor, how = value, f"multiply by {value:g}"
    else:
        value = float(entry["divide_by"])
        factor, how = 1.0 / value, f"divide by {value:g}"
    return AcceptedUnit(str(entry["unit"]), factor, how, bool(entry.get("si", False)))


def _column_spec(entry, where) -> ColumnSpec:
    if not isinstance(entry, dict) or "name" not in entry or "type" not in entry:
        raise _bad_schema(where, f"every column needs a name and a type; got {entry!r}.")
    name = str(entry["name"])
    unknown = set(entry) - _COLUMN_KEYS
    if unknown:
        raise _bad_schema(
            where,
            f"column {name!r}: unknown keys {sorted(unknown)}; allowed {sorted(_COLUMN_KEYS)}.",
        )
    if entry["type"] not in COLUMN_TYPES:
        raise _bad_schema(
            where, f"column {name!r}: type must be one of {COLUMN_TYPES}; got {entry['type']!r}."
        )
    role = entry.get("role", "predictor")
    if role not in ROLES:
        raise _bad_schema(where, f"column {name!r}: role must be one of {ROLES}; got {role!r}.")
    levels = entry.get("levels")
    if entry["type"] == "cat" and not levels:
        raise _bad_schema(where, f"column {name!r}: a cat column needs its levels.")
    summary = str(entry.get("summary") or "")
    if summary and summary not in SUMMARIES:
        raise _bad_schema(
            where, f"column {name!r}: summary must be one of {SUMMARIES}; got {summary!r}."
        )
    dates = _date_range(entry.get("date_range"), where, name)
    if dates is not None and entry["type"] not in ("date", "datetime"):
        raise _bad_schema(where, f"column {name!r}: date_range applies to date columns only.")
    hard = _range(entry.get("hard_range"), where, name, "hard_range")
    soft = _range(entry.get("soft_range"), where, name, "soft_range")
    if hard and soft and not (hard[0] <= soft[0] and soft[1] <= hard[1]):
        raise _bad_schema(where, f"column {name!r}: soft_range must lie inside hard_range.")
    return ColumnSpec(
        name=name,
        type=entry["type"],
        unit=str(entry.get("unit") or ""),
        hard_range=hard,
        soft_range=soft,
        levels=None if levels is None else tuple(str(v) for v in levels),
        role=role,
        post_index=bool(entry.get("post_index", role == "outcome")),
        missing=float(entry.get("missing", 0.0)),
        required=bool(entry.get("required", True)),
        nullable=bool(entry.get("nullable", True)),
        description=str(entry.get("description", "")).strip(),
        accepted_units=tuple(
            _accepted_unit(u, where, name) for u in entry.get("accepted_units") or ()
        ),
        summary=summary,
        date_range=dates,
    )


def _schema_from_dict(data, where: str) -> Schema:
    if not isinstance(data, dict):
        raise _bad_schema(where, "the top level must be a mapping.")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _bad_schema(where, f"unknown keys {sorted(unknown)}; allowed {sorted(_TOP_KEYS)}.")
    for key in ("name", "outcome", "columns"):
        if key not in data:
            raise _bad_schema(where, f"missing the {key!r} key.")
    columns = tuple(_column_spec(entry, where) for entry in data["columns"])
    names = [c.name for c in columns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise _bad_schema(where, f"columns listed twice: {duplicated}.")

    def known(column, what):
        if column is not None and column not in names:
            raise _bad_schema(where, f"{what} {column!r} is not among the columns.")
        return column

    block = data["outcome"]
    kind = block.get("kind")
    if kind not in ("survival", "binary"):
        raise _bad_schema(where, f"outcome kind must be survival or binary; got {kind!r}.")
    if kind == "survival" and not block.get("time"):
        raise _bad_schema(where, "a survival outcome needs its time column.")
    horizon = block.get("horizon_days")
    outcome = OutcomeSpec(
        kind=kind,
        event=known(block.get("event"), "outcome event column"),
        time=known(block.get("time"), "outcome time column"),
        horizon_days=None if horizon is None else float(horizon),
        name=str(block.get("name", "outcome")),
    )
    if outcome.event is None:
        raise _bad_schema(where, "the outcome block needs its event column.")
    framingham = data.get("framingham_inputs")
    for target, source in (framingham or {}).items():
        known(source["column"] if isinstance(source, dict) else source, f"framingham {target}")
    rules = tuple(data.get("rules") or ())
    for rule in rules:
        if rule.get("kind") not in RULE_KINDS:
            raise _bad_schema(where, f"rule kind must be one of {RULE_KINDS}; got {rule!r}.")
        for key in ("left", "right", "column", "limit", "source", "time", "event"):
            if key in rule:
                known(rule[key], f"rule {rule['kind']} {key}")
        for column in [*rule.get("columns", ()), *rule.get("components", ())]:
            known(column, f"rule {rule['kind']} column")
        if rule["kind"] == "composite" and not (rule.get("column") and rule.get("components")):
            raise _bad_schema(where, f"rule composite needs column and components: {rule!r}.")
        conditions = [*_conditions(rule.get("if")), *_conditions(rule.get("condition"))]
        for condition in conditions:
            if (
                not isinstance(condition, dict)
                or "column" not in condition
                or not (set(condition) - {"column"} <= set(_CONDITION_OPS) and len(condition) == 2)
            ):
                raise _bad_schema(
                    where,
                    f"rule {rule['kind']}: a condition is {{column: name, <op>: value}} "
                    f"with op one of {sorted(_CONDITION_OPS)}; got {condition!r}.",
                )
            known(condition["column"], f"rule {rule['kind']} condition column")
        if (
            rule["kind"] == "bins_match"
            and len(rule.get("labels", ())) != len(rule.get("breaks", ())) + 1
        ):
            raise _bad_schema(where, f"rule bins_match needs one label more than breaks: {rule!r}.")
    return Schema(
        name=str(data["name"]),
        description=str(data.get("description", "")).strip(),
        id_column=known(data.get("id_column"), "id_column"),
        group_column=known(data.get("group_column"), "group_column"),
        outcome=outcome,
        framingham_inputs=None if framingham is None else dict(framingham),
        columns=columns,
        rules=rules,
        path=where,
    )


def _yaml_load(text: str):
    """Parse YAML safely, with libyaml's C loader where PyYAML has it (10x faster)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


@functools.lru_cache(maxsize=32)
def _load_packaged(name: str) -> Schema:
    resource = importlib.resources.files("riskml.data_schemas") / f"{name}.yaml"
    if not resource.is_file():
        available = sorted(
            p.name[: -len(".yaml")]
            for p in importlib.resources.files("riskml.data_schemas").iterdir()
            if p.name.endswith(".yaml")
        )
        raise ValueError(
            f"no bundled schema called {name!r}; bundled schemas are {available}. "
            "Pass the path of a YAML file for your own."
        )
    return _schema_from_dict(_yaml_load(resource.read_text(encoding="utf-8")), str(resource))


def load_schema(name_or_path) -> Schema:
    """Read a cohort schema.

    Parameters
    ----------
    name_or_path : str, path-like or Schema
        The name of a bundled schema (``"young_htn"``, ``"mimic_ami"``,
        ``"hf_registry"``, ``"heart_failure_clinical_records"``), the path of a YAML file, or a
        :class:`Schema` (returned as is).

    Returns
    -------
    schema : Schema

    Examples
    --------
    >>> from riskml.cohorts import load_schema
    >>> schema = load_schema("young_htn")
    >>> len(schema.predictors), schema.outcome.horizon_days
    (58, 1004.0)
    """
    if isinstance(name_or_path, Schema):
        return name_or_path
    if not isinstance(name_or_path, str | Path):
        raise TypeError(
            "name_or_path must be a schema name, a path to a YAML file or a Schema; got "
            f"{type(name_or_path).__name__}."
        )
    text = str(name_or_path)
    if isinstance(name_or_path, str) and not text.endswith((".yaml", ".yml")) and "/" not in text:
        return _load_packaged(text)
    path = Path(name_or_path)
    if not path.is_file():
        raise FileNotFoundError(f"schema file {str(path)!r} does not exist.")
    return _schema_from_dict(_yaml_load(path.read_text(encoding="utf-8")), str(path))


# -- validation -------------------------------------------------------------------


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


def _plain(value):
    """A numpy scalar as a plain Python value, for readable messages."""
    return value.item() if isinstance(value, np.generic) else value


def _examples(values, limit: int = 3) -> str:
    unique = list(dict.fromkeys(_plain(v) for v in values))[:limit]
    return ", ".join(_fmt(v) if isinstance(v, float) else repr(v) for v in unique)


def _fmt(value: float) -> str:
    return f"{value:.4g}"


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


def _numbers(series: pd.Series) -> np.ndarray:
    """A column as floats for a cross-field rule: date-times become days since 1970."""
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.to_numpy(dtype="datetime64[s]").astype("int64").astype(float) / 86400.0
        values[series.isna().to_numpy()] = np.nan
        return values
    if series.dtype == object:
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    return series.to_numpy(dtype=float)


def _condition_mask(out: pd.DataFrame, conditions) -> tuple[np.ndarray | None, str]:
    """Rows where every condition holds (None if a column is absent) and its text."""
    mask = np.ones(len(out), dtype=bool)
    texts = []
    for condition in conditions:
        column = condition["column"]
        if column not in out:
            return None, ""
        ((op, value),) = ((k, v) for k, v in condition.items() if k != "column")
        left = out[column]
        if isinstance(value, str):
            with np.errstate(invalid="ignore"):
                hold = _CONDITION_OPS[op](left.astype(object).to_numpy(), value)
            hold = np.asarray(hold, dtype=bool) & left.notna().to_numpy()
        else:
            with np.errstate(invalid="ignore"):
                hold = _CONDITION_OPS[op](_numbers(left), float(value))
        mask &= hold
        symbol = {
            "equals": "=",
            "not_equals": "!=",
            "greater_than": ">",
            "at_least": ">=",
            "less_than": "<",
            "at_most": "<=",
        }[op]
        texts.append(
            f"{column} {symbol} {value:g}"
            if isinstance(value, float | int)
            else f"{column} {symbol} {value}"
        )
    return mask, " and ".join(texts)


def _rule_text(rule, text: str, when: str) -> str:
    text = f"{text} when {when}" if when else text
    return f"{rule['name']} ({text})" if rule.get("name") else text


def _check_pairwise(out, rule, kind, check, when_mask, when) -> None:
    left, right = rule["left"], rule["right"]
    if left not in out or right not in out:
        return
    a, b = _numbers(out[left]), _numbers(out[right])
    tolerance = float(rule.get("tolerance", 0.0))
    with np.errstate(invalid="ignore"):
        if kind == "less_than":
            bad = a >= b + tolerance
        elif kind == "at_most":
            bad = a > b + tolerance
        else:
            bad = np.abs(a - b) > tolerance
    bad &= when_mask
    op = {"less_than": "<", "at_most": "<=", "equal": "="}[kind]
    unit = " day" if pd.api.types.is_datetime64_any_dtype(out[right]) else ""
    slack = ""
    if tolerance:
        slack = f" ± {tolerance:g}{unit}" if kind == "equal" else f" + {tolerance:g}{unit}"
        slack += "s" if unit and tolerance != 1 else ""
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        found = ", ".join(f"{c}={_show(out[c].iloc[first])}" for c in (left, right))
        check.add(
            f"{left}, {right}",
            _rule_text(rule, f"{left} {op} {right}{slack}", when),
            bad,
            detail=f"Found e.g. {found}.",
            fix=rule.get("fix") or f"correct the rows; {left} must be {op} {right}{slack}.",
        )


def _show(value) -> str:
    if isinstance(value, pd.Timestamp):
        return str(value)
    value = _plain(value)
    return _fmt(value) if isinstance(value, float) else repr(value)


def _check_rules(out: pd.DataFrame, schema: Schema, check: _Checker) -> None:
    for rule in schema.rules:
        kind = rule["kind"]
        fix = rule.get("fix", "")
        when_mask, when = _condition_mask(out, _conditions(rule.get("if")))
        if when_mask is None:
            continue
        if kind in ("less_than", "at_most", "equal"):
            _check_pairwise(out, rule, kind, check, when_mask, when)
        elif kind == "ordered":
            columns = [c for c in rule["columns"] if c in out]
            if len(columns) < 2:
                continue
            values = np.column_stack([_numbers(out[c]) for c in columns])
            with np.errstate(invalid="ignore"):
                bad = (np.diff(values, axis=1) < 0).any(axis=1) & when_mask
            if bad.any():
                first = int(np.flatnonzero(bad)[0])
                found = ", ".join(
                    f"{c}={_fmt(v)}" for c, v in zip(columns, values[first], strict=True)
                )
                check.add(
                    ", ".join(columns),
                    _rule_text(rule, " <= ".join(columns), when),
                    bad,
                    detail=f"Found e.g. {found}.",
                    fix=fix
                    or "a minimum cannot exceed the mean, nor the mean the maximum; check "
                    "for swapped columns or values from different windows.",
                )
        elif kind == "flag_matches":
            column = rule["column"]
            condition_mask, condition = _condition_mask(out, _conditions(rule["condition"]))
            if column not in out or condition_mask is None:
                continue
            flag = _numbers(out[column])
            sources = [c["column"] for c in _conditions(rule["condition"])]
            known = ~np.isnan(flag) & np.logical_and.reduce(
                [out[c].notna().to_numpy() for c in sources]
            )
            bad = known & ((flag == 1) != condition_mask) & when_mask
            if bad.any():
                check.add(
                    column,
                    _rule_text(rule, f"{column} = 1 exactly when {condition}", when),
                    bad,
                    detail=f"Found e.g. {column}={_fmt(flag[bad][0])} with "
                    + ", ".join(f"{c}={_show(out[c][bad].iloc[0])}" for c in sources)
                    + ".",
                    fix=fix or f"recompute {column} from {', '.join(sources)}.",
                )
        elif kind == "bins_match":
            column, source = rule["column"], rule["source"]
            if column not in out or source not in out:
                continue
            breaks = [float(b) for b in rule["breaks"]]
            labels = np.asarray([str(v) for v in rule["labels"]], dtype=object)
            values = _numbers(out[source])
            expected = labels[np.searchsorted(breaks, np.nan_to_num(values), side="right")]
            given = out[column].astype(object).to_numpy()
            known = ~np.isnan(values) & out[column].notna().to_numpy()
            bad = known & (given != expected) & when_mask
            if bad.any():
                edges = ", ".join(
                    f"{label} {'<' if i == 0 else '>='} {breaks[0 if i == 0 else i - 1]:g}"
                    for i, label in enumerate(labels)
                )
                check.add(
                    f"{column}, {source}",
                    _rule_text(rule, f"{column} agrees with {source} ({edges})", when),
                    bad,
                    detail=f"Found e.g. {column}={given[bad][0]!r} with {source}="
                    f"{_fmt(values[bad][0])}.",
                    fix=fix or f"recompute {column} from {source}, or correct {source}.",
                )
        elif kind == "sum_at_most":
            columns = [c for c in rule["columns"] if c in out]
            limit = rule["limit"]
            if not columns or limit not in out:
                continue
            total = out[columns].sum(axis=1, min_count=1).to_numpy(float)
            cap = out[limit].to_numpy(float)
            with np.errstate(invalid="ignore"):
                bad = (total > cap) & when_mask
            if bad.any():
                check.add(
                    ", ".join(columns),
                    _rule_text(rule, f"sum of ({' + '.join(columns)}) <= {limit}", when),
                    bad,
                    detail=f"Found e.g. a sum of {_fmt(total[bad][0])} with {limit}="
                    f"{_fmt(cap[bad][0])}.",
                    fix=fix or f"{limit} counts every class, so it cannot be below the flags.",
                )
        elif kind == "composite":
            _check_composite(out, rule, check, when_mask, when)
        elif kind == "horizon_label":
            column, days = rule["column"], float(rule["days"])
            time = rule.get("time", schema.outcome.time)
            event = rule.get("event", schema.outcome.event)
            if column not in out or time not in out or event not in out:
                continue
            t, e = out[time].to_numpy(float), out[event].to_numpy(float)
            expected = horizon_label(t, e, days)
            given = out[column].to_numpy(float)
            known = ~np.isnan(t) & ~np.isnan(e)
            bad = known & ~((given == expected) | (np.isnan(given) & np.isnan(expected)))
            bad &= when_mask
            if bad.any():
                check.add(
                    column,
                    _rule_text(
                        rule, f"{column} = event by day {days:g} from ({time}, {event})", when
                    ),
                    bad,
                    detail="It must be 1 for an event by that day, 0 for follow-up beyond it "
                    "and empty for patients censored before it without an event.",
                    fix=fix or f"recompute {column} from {time} and {event}, or drop it.",
                )


def _check_composite(out, rule, check, when_mask, when) -> None:
    """A composite event flag agrees with its component flags."""
    column = rule["column"]
    components = [c for c in rule["components"] if c in out]
    if column not in out or not components:
        return
    flag = _numbers(out[column])
    parts = np.column_stack([_numbers(out[c]) for c in components])
    flagged = np.nansum(parts == 1, axis=1)
    name = rule.get("name")
    checks = [
        (
            (flagged > 0) & (flag == 0),
            f"a component ({', '.join(components)}) flagged without {column}",
            f"a component event is an event of the composite: set {column} = 1 (with its "
            "time), or clear the component flag",
        )
    ]
    if len(components) == len(rule["components"]):
        complete = ~np.isnan(parts).any(axis=1)
        checks.append(
            (
                complete & (flagged == 0) & (flag == 1),
                f"{column} = 1 with no component flagged",
                f"flag the component that happened, or set {column} = 0",
            )
        )
    if rule.get("exclusive"):
        checks.append(
            (
                flagged > 1,
                f"at most one of {', '.join(components)} (the first event's component)",
                "keep only the component of the first event",
            )
        )
    for bad, text, fix in checks:
        bad = bad & when_mask
        if bad.any():
            check.add(
                ", ".join([column, *components]),
                _rule_text({"name": name} if name else {}, text, when),
                bad,
                fix=rule.get("fix") or f"{fix}.",
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
    n = len(frame)
    if n == 0:
        check.add(
            "(all columns)",
            "at least one row",
            n_rows=0,
            detail=f"The table has {frame.shape[1]} columns and no rows (a header-only file?).",
            fix="export the cohort again with one row per patient.",
        )
        raise SchemaError(check.problems, schema.name)
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
            n_rows=n,
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

    out = {}
    for spec in schema.columns:
        if spec.name not in frame.columns:
            continue
        raw = frame[spec.name]
        if isinstance(raw, pd.DataFrame):
            check.add(
                spec.name,
                "unique column names",
                n_rows=n,
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

    # columns that may not be empty (e.g. registry checkboxes: unchecked is 0, not empty)
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

    # ids, outcome completeness
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

    result = pd.DataFrame(out, index=range(n))
    _check_rules(result, schema, check)

    for message in check.warnings:
        warnings.warn(message, SchemaWarning, stacklevel=_user_stacklevel())
    if check.problems:
        raise SchemaError(check.problems, schema.name)

    for spec in schema.columns:
        if spec.name in result and spec.type == "int" and not result[spec.name].isna().any():
            result[spec.name] = result[spec.name].astype(np.int64)
    return result


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
    if outcome.kind not in ("survival", "binary"):
        raise ValueError(f"outcome kind must be 'survival' or 'binary'; got {outcome.kind!r}.")
    for column in (outcome.event, outcome.time):
        if column is not None and column not in schema._by_name:
            raise ValueError(
                f"outcome column {column!r} is not in the {schema.name!r} schema; outcome "
                f"columns are {[c.name for c in schema.columns if c.role == 'outcome']}."
            )
    if outcome.kind == "survival" and outcome.time is None:
        raise ValueError("a survival outcome needs its time column.")
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
        "horizon_days": 365}``. Its columns must be present in every row.

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
    """
    schema = _outcome_override(load_schema(schema), outcome)
    validated = validate(frame, schema, units=units)
    spec = schema.outcome
    event = validated[spec.event].to_numpy()
    if spec.kind == "survival":
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
