"""Read a cohort schema from YAML into the Schema dataclasses, refusing a malformed file."""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

import pandas as pd
import yaml

from ._schema_model import (
    _CONDITION_OPS,
    COLUMN_TYPES,
    ROLES,
    RULE_KINDS,
    SUMMARIES,
    AcceptedUnit,
    ColumnSpec,
    OutcomeSpec,
    Schema,
    _conditions,
)

__all__ = ["load_schema"]

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


def _known(names, where):
    """A check that a column the schema names (outcome, rule, ...) is among its columns."""

    def known(column, what):
        if column is not None and column not in names:
            raise _bad_schema(where, f"{what} {column!r} is not among the columns.")
        return column

    return known


def _outcome_spec(block, known, where) -> OutcomeSpec:
    """The ``outcome`` block: its kind and its columns."""
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
    return outcome


def _check_rule(rule, known, where) -> None:
    """One cross-field rule: a known kind, known columns and well-formed conditions."""
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
    known = _known(names, where)
    outcome = _outcome_spec(data["outcome"], known, where)
    framingham = data.get("framingham_inputs")
    for target, source in (framingham or {}).items():
        known(source["column"] if isinstance(source, dict) else source, f"framingham {target}")
    rules = tuple(data.get("rules") or ())
    for rule in rules:
        _check_rule(rule, known, where)
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
