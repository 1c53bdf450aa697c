"""Check a schema's cross-field rules (less_than, ordered, composite, ...) on a typed table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..outcome import horizon_label
from ._schema_model import _CONDITION_OPS, _conditions, _fmt, _plain


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


def _check_ordered(out, rule, check, when_mask, when) -> None:
    """Columns in non-decreasing order (min <= mean <= max)."""
    columns = [c for c in rule["columns"] if c in out]
    if len(columns) < 2:
        return
    values = np.column_stack([_numbers(out[c]) for c in columns])
    with np.errstate(invalid="ignore"):
        bad = (np.diff(values, axis=1) < 0).any(axis=1) & when_mask
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        found = ", ".join(f"{c}={_fmt(v)}" for c, v in zip(columns, values[first], strict=True))
        check.add(
            ", ".join(columns),
            _rule_text(rule, " <= ".join(columns), when),
            bad,
            detail=f"Found e.g. {found}.",
            fix=rule.get("fix", "")
            or "a minimum cannot exceed the mean, nor the mean the maximum; check "
            "for swapped columns or values from different windows.",
        )


def _check_flag_matches(out, rule, check, when_mask, when) -> None:
    """A 0/1 column is 1 exactly when its condition holds."""
    column = rule["column"]
    condition_mask, condition = _condition_mask(out, _conditions(rule["condition"]))
    if column not in out or condition_mask is None:
        return
    flag = _numbers(out[column])
    sources = [c["column"] for c in _conditions(rule["condition"])]
    known = ~np.isnan(flag) & np.logical_and.reduce([out[c].notna().to_numpy() for c in sources])
    bad = known & ((flag == 1) != condition_mask) & when_mask
    if bad.any():
        check.add(
            column,
            _rule_text(rule, f"{column} = 1 exactly when {condition}", when),
            bad,
            detail=f"Found e.g. {column}={_fmt(flag[bad][0])} with "
            + ", ".join(f"{c}={_show(out[c][bad].iloc[0])}" for c in sources)
            + ".",
            fix=rule.get("fix", "") or f"recompute {column} from {', '.join(sources)}.",
        )


def _check_bins_match(out, rule, check, when_mask, when) -> None:
    """A category agrees with the bin of a number."""
    column, source = rule["column"], rule["source"]
    if column not in out or source not in out:
        return
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
            detail=f"Found e.g. {column}={given[bad][0]!r} with {source}={_fmt(values[bad][0])}.",
            fix=rule.get("fix", "") or f"recompute {column} from {source}, or correct {source}.",
        )


def _check_sum_at_most(out, rule, check, when_mask, when) -> None:
    """Flags that sum to at most a count column."""
    columns = [c for c in rule["columns"] if c in out]
    limit = rule["limit"]
    if not columns or limit not in out:
        return
    total = out[columns].sum(axis=1, min_count=1).to_numpy(float)
    cap = out[limit].to_numpy(float)
    with np.errstate(invalid="ignore"):
        bad = (total > cap) & when_mask
    if bad.any():
        check.add(
            ", ".join(columns),
            _rule_text(rule, f"sum of ({' + '.join(columns)}) <= {limit}", when),
            bad,
            detail=f"Found e.g. a sum of {_fmt(total[bad][0])} with {limit}={_fmt(cap[bad][0])}.",
            fix=rule.get("fix", "")
            or f"{limit} counts every class, so it cannot be below the flags.",
        )


def _check_horizon_label(out, rule, check, when_mask, when, outcome) -> None:
    """A binary label equals the event by a day, derived from (time, event)."""
    column, days = rule["column"], float(rule["days"])
    time = rule.get("time", outcome.time)
    event = rule.get("event", outcome.event)
    if column not in out or time not in out or event not in out:
        return
    t, e = out[time].to_numpy(float), out[event].to_numpy(float)
    expected = horizon_label(t, e, days)
    given = out[column].to_numpy(float)
    known = ~np.isnan(t) & ~np.isnan(e)
    bad = known & ~((given == expected) | (np.isnan(given) & np.isnan(expected)))
    bad &= when_mask
    if bad.any():
        check.add(
            column,
            _rule_text(rule, f"{column} = event by day {days:g} from ({time}, {event})", when),
            bad,
            detail="It must be 1 for an event by that day, 0 for follow-up beyond it "
            "and empty for patients censored before it without an event.",
            fix=rule.get("fix", "") or f"recompute {column} from {time} and {event}, or drop it.",
        )


def _check_rules(out: pd.DataFrame, schema, check) -> None:
    """Every cross-field rule of ``schema`` on the typed table ``out``, in the schema's order."""
    for rule in schema.rules:
        kind = rule["kind"]
        when_mask, when = _condition_mask(out, _conditions(rule.get("if")))
        if when_mask is None:
            continue
        if kind in ("less_than", "at_most", "equal"):
            _check_pairwise(out, rule, kind, check, when_mask, when)
        elif kind == "horizon_label":
            _check_horizon_label(out, rule, check, when_mask, when, schema.outcome)
        else:
            _RULE_CHECKS[kind](out, rule, check, when_mask, when)


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


_RULE_CHECKS = {
    "ordered": _check_ordered,
    "flag_matches": _check_flag_matches,
    "bins_match": _check_bins_match,
    "sum_at_most": _check_sum_at_most,
    "composite": _check_composite,
}
