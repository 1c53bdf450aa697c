"""The schema's data model: column, outcome and schema specs, and the problems they report."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "AcceptedUnit",
    "ColumnSpec",
    "OutcomeSpec",
    "Schema",
    "SchemaError",
    "SchemaProblem",
    "SchemaWarning",
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


class SchemaError(ValueError):
    """Data that does not match its cohort schema.

    The message lists every problem found, one per line, each naming the column,
    the rule broken, how many rows break it, the first row identifiers and the
    likely fix. The same information is in :attr:`problems`.

    Attributes
    ----------
    problems : list of SchemaProblem
    schema_name : str

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
    >>> try:
    ...     cohort_from_frame(frame.assign(age=[54.0, 710.0, 66.0, 80.0]), path)
    ... except SchemaError as error:
    ...     print(error.problems[0].column, len(error.problems))
    age 1
    >>> folder.cleanup()
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


class SchemaWarning(UserWarning):
    """Values outside a soft range, or columns the schema does not know.

    Examples
    --------
    >>> import warnings
    >>> import riskml as rk
    >>> frame = rk.cohorts.make_young_hypertension(n_patients=50, return_frame=True)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     checked = rk.cohorts.validate(frame.assign(extra=1), "young_htn")
    >>> [(w.category.__name__, str(w.message)) for w in caught]  # doctest: +NORMALIZE_WHITESPACE
    [('SchemaWarning', "young_htn: columns not in the schema are ignored: ['extra']. Add them to
      the schema to use them.")]
    """


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

    Examples
    --------
    >>> from riskml.cohorts import load_schema
    >>> schema = load_schema("young_htn")
    >>> schema.id_column, schema.outcome.horizon_days
    ('patient_id', 1004.0)
    >>> age = schema.column("age")
    >>> age.unit, age.hard_range
    ('years', (0.0, 120.0))
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


# -- the vocabulary of rule conditions -------------------------------------------------------

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


# -- values in problem messages ------------------------------------------------------------


def _plain(value):
    """A numpy scalar as a plain Python value, for readable messages."""
    return value.item() if isinstance(value, np.generic) else value


def _examples(values, limit: int = 3) -> str:
    unique = list(dict.fromkeys(_plain(v) for v in values))[:limit]
    return ", ".join(_fmt(v) if isinstance(v, float) else repr(v) for v in unique)


def _fmt(value: float) -> str:
    return f"{value:.4g}"
