"""Reading a published model's inputs from a table: column mapping, flags, categories,
units (declared alternatives only) and the unit check on each column's median."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .framingham import _derived_flag, _positions, _read_flag, _read_number

__all__ = ["input_specs", "read_inputs"]


def input_specs(definition, inputs) -> dict:
    """The column spec of each input of the model, validated (``inputs`` mapping applied)."""
    given = {} if inputs is None else dict(inputs)
    specs = {}
    for name, spec in definition.inputs.items():
        column = given.get(name, name)
        at = f"inputs[{name!r}]"
        if isinstance(column, Mapping):
            keys = set(column)
            rules = keys & {"equals", "greater_than", "levels"}
            if "column" not in keys or len(rules) != 1 or keys - {"column"} - rules:
                raise ValueError(
                    f"{at} must be a column name or a dict with 'column' and exactly one of "
                    f"'equals', 'greater_than' or 'levels'; got {dict(column)!r}."
                )
            if spec.kind == "number":
                raise ValueError(
                    f"{at} must be a column name: {name} is a number in {spec.unit}, not a "
                    f"0/1 flag or a category; got {dict(column)!r}."
                )
            if "levels" in rules and spec.kind != "category":
                raise ValueError(f"{at}: 'levels' maps a category; {name} is a 0/1 flag.")
            if spec.kind == "category" and "levels" not in rules and spec.flag_level is None:
                raise ValueError(
                    f"{at}: {name} has levels {list(spec.levels)}; map its values with "
                    f"{{'column': {column['column']!r}, 'levels': {{value: level}}}}."
                )
        elif not isinstance(column, str):
            raise TypeError(
                f"{at} must be a column name (str) or a dict; got {type(column).__name__}."
            )
        specs[name] = column
    return specs


def _unit_factors(definition, units) -> dict:
    """``{input: factor}`` for the inputs given in another unit, validated."""
    numbers = {n: s for n, s in definition.inputs.items() if s.kind == "number"}
    if units is None:
        return {}
    if isinstance(units, str):
        chosen = {n: units for n, s in numbers.items() if units in s.units}
        if not chosen and not any(units == s.unit for s in numbers.values()):
            offered = sorted({u for s in numbers.values() for u in s.units})
            raise ValueError(
                f"units={units!r}: no input of {definition.name!r} takes that unit; the "
                f"alternatives it accepts are {offered}."
            )
        units = chosen
    factors = {}
    for name, unit in dict(units).items():
        spec = numbers.get(name)
        if spec is None:
            raise ValueError(
                f"units names {name!r}, which is not a number input of {definition.name!r} "
                f"({sorted(numbers)})."
            )
        if unit == spec.unit:
            continue
        if unit not in spec.units:
            raise ValueError(
                f"units[{name!r}] is {unit!r}; {name} is taken in {spec.unit}"
                + (f" or {sorted(spec.units)}" if spec.units else "")
                + ". Convert the column first."
            )
        factors[name] = (unit, float(spec.units[unit]))
    return factors


def _read_category(column: pd.Series, spec, source: str, mapping) -> pd.Series:
    if isinstance(mapping, Mapping) and "levels" in mapping:
        lookup = {k: str(v) for k, v in mapping["levels"].items()}
        wrong = sorted(set(lookup.values()) - set(spec.levels))
        if wrong:
            raise ValueError(
                f"inputs[{spec.name!r}]['levels'] maps to {wrong}, not levels of "
                f"{list(spec.levels)}."
            )
        coded = column.map(lookup)
        bad = column.notna() & coded.isna()
    elif isinstance(mapping, Mapping):
        flag = _derived_flag(column, mapping)
        other = next(level for level in spec.levels if level != spec.flag_level)
        return flag.map({1.0: spec.flag_level, 0.0: other}).astype(object)
    else:
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            raise ValueError(
                f"the {spec.name} column {source!r} is numeric, so which value means which of "
                f"{list(spec.levels)} is ambiguous. Say it: inputs={{{spec.name!r}: "
                f"{{'column': {source!r}, 'levels': {{value: level}}}}}}."
            )
        words = {level.lower(): level for level in spec.levels} | dict(spec.aliases)
        lookup = {v: words.get(str(v).strip().lower()) for v in pd.unique(column.dropna())}
        coded = column.map(lookup)
        bad = column.notna() & coded.isna()
    if bad.any():
        raise ValueError(
            f"the {spec.name} column {source!r} holds values that are not levels of "
            f"{list(spec.levels)}: {sorted(map(str, column[bad].unique()))[:5]} at positions "
            f"{_positions(bad)}. Map them with inputs={{{spec.name!r}: {{'column': {source!r}, "
            "'levels': {value: level}}}."
        )
    return coded.astype(object)


def _check_median(series, spec, source, given) -> None:
    """Refuse a column whose median is implausible in the unit the model takes."""
    observed = series.dropna()
    if spec.median_range is None or observed.empty:
        return
    low, high = spec.median_range
    median = float(observed.median())
    if low <= median <= high:
        return
    where = f"{spec.name} (column {source!r})"
    if given is not None:
        unit, factor = given
        raise ValueError(
            f"{where}: declared in {unit}, its median {median / factor:.3g} becomes "
            f"{median:.3g} {spec.unit}, outside the plausible {low:g}-{high:g}; the column "
            f"looks like {spec.unit} already. Leave {spec.name} out of units."
        )
    others = ", ".join(f"units={{{spec.name!r}: {u!r}}} (x {f:g})" for u, f in spec.units.items())
    raise ValueError(
        f"{where} has median {median:.3g}, outside {low:g}-{high:g}, implausible in "
        f"{spec.unit}, the unit the model takes: the column looks like another unit. "
        + (f"Declare it: {others}, or convert it." if others else "Convert it to " + spec.unit)
        + "."
    )


def read_inputs(definition, X, inputs, units) -> tuple[pd.DataFrame, dict]:
    """The model's inputs: numbers and flags as floats (in the file's units), categories as
    levels, NaN where missing; and the column each was read from."""
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"a published model needs a pandas DataFrame with named columns; got "
            f"{type(X).__name__}."
        )
    specs = input_specs(definition, inputs)
    columns = {n: (s if isinstance(s, str) else s["column"]) for n, s in specs.items()}
    absent = sorted({c for c in columns.values() if c not in X.columns})
    if absent:
        raise ValueError(
            f"X lacks the column(s) {absent} needed by {definition.name!r} (inputs "
            f"{list(definition.inputs)}). Map the inputs to your column names, e.g. "
            "inputs={'total_chol': 'TC', 'smoker': {'column': 'smoking', 'equals': 'current'}}."
        )
    factors = _unit_factors(definition, units)
    values = pd.DataFrame(index=X.index)
    for name, spec in definition.inputs.items():
        column, mapping = X[columns[name]], specs[name]
        if spec.kind == "category":
            values[name] = _read_category(column, spec, columns[name], mapping)
        elif isinstance(mapping, Mapping):
            values[name] = _derived_flag(column, mapping)
        elif spec.kind == "flag":
            values[name] = _read_flag(column, name, columns[name])
        else:
            number = _read_number(column, name, columns[name])
            if name in factors:
                number = number * factors[name][1]
            _check_median(number, spec, columns[name], factors.get(name))
            values[name] = number
    return values, columns
