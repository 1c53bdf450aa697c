"""Unit errors in new rows: the conversions known by column name or schema, the one
that brings a column into its training range, and the bounds beyond which a value is
impossible."""

from __future__ import annotations

import math
import re

import numpy as np

__all__ = ["UNIT_CONVERSIONS"]

#: A value is impossible for a column (refused) beyond its schema's hard range, or,
#: for a positive training range [lo, hi], below lo / 4 or above 4 hi; for a range
#: reaching 0 or below, farther than 3 range widths out.
WILD_FACTOR = 4.0
WILD_WIDTHS = 3.0
#: A column is in another unit when at least this share of its values lies outside
#: the training range and one known conversion brings at least UNIT_FIT of them in.
UNIT_SHARE = 0.5
UNIT_FIT = 0.8

#: Unit conversions known by column name, used where the column's schema lists no
#: accepted units: ``(factor, unit of the new values, unit of the model, what,
#: name fragments)``; new value x factor = value in the model's unit.
UNIT_CONVERSIONS = (
    (38.67, "mmol/L", "mg/dL", "cholesterol", ("chol", "hdl", "ldl")),
    (1 / 38.67, "mg/dL", "mmol/L", "cholesterol", ("chol", "hdl", "ldl")),
    (88.57, "mmol/L", "mg/dL", "triglycerides", ("trig", "tg")),
    (1 / 88.57, "mg/dL", "mmol/L", "triglycerides", ("trig", "tg")),
    (18.0, "mmol/L", "mg/dL", "glucose", ("gluc",)),
    (1 / 18.0, "mg/dL", "mmol/L", "glucose", ("gluc",)),
    (1 / 88.4, "umol/L", "mg/dL", "creatinine", ("creat",)),
    (88.4, "mg/dL", "umol/L", "creatinine", ("creat",)),
    (1 / 17.1, "umol/L", "mg/dL", "bilirubin", ("bili",)),
    (1 / 59.48, "umol/L", "mg/dL", "uric acid", ("uric", "urate")),
    (2.801, "mmol/L (urea)", "mg/dL (BUN)", "urea", ("bun", "urea")),
    (0.1, "g/L", "g/dL", "haemoglobin", ("hemo", "haemo", "hgb", "hb", "albumin")),
    (10.0, "g/dL", "g/L", "haemoglobin", ("hemo", "haemo", "hgb", "hb", "albumin")),
    (0.45359237, "lb", "kg", "weight", ("weight", "wt")),
    (2.54, "inches", "cm", "height", ("height",)),
    (100.0, "m", "cm", "height", ("height",)),
    (7.50062, "kPa", "mmHg", "blood pressure", ("sbp", "dbp", "bp", "pressure")),
    (100.0, "a fraction", "%", "a percentage", ("pct", "percent", "ef", "ejection", "hct")),
    (0.01, "%", "a fraction", "a fraction", ("fraction", "frac", "ratio")),
    (1 / 12, "months", "years", "age", ("age",)),
    (1 / 365.25, "days", "years", "age", ("age",)),
    (1000.0, "10^3/uL", "per uL", "platelets", ("platelet", "plt")),
    (0.001, "per uL", "10^3/uL", "platelets", ("platelet", "plt")),
)


def _name_matches(name: str, keywords) -> bool:
    lowered = name.lower()
    tokens = [t for t in re.split(r"[^a-z0-9]+", lowered) if t]
    for keyword in keywords:
        if len(keyword) <= 3:
            if any(t == keyword or t.startswith(keyword) or t.endswith(keyword) for t in tokens):
                return True
        elif keyword in lowered:
            return True
    return False


def _conversions(name: str, entry: dict) -> list[tuple]:
    """Candidate conversions ``(factor, new unit, model unit)`` for a numeric column."""
    unit = entry.get("unit") or ""
    declared = [c for c in entry.get("conversions") or () if isinstance(c, dict)]
    found = [(float(c["factor"]), str(c["unit"]), unit) for c in declared]
    found += [
        (1.0 / float(c["factor"]), unit or "the training unit", str(c["unit"])) for c in declared
    ]
    if not entry.get("conversions"):
        for factor, new, model, _, keywords in UNIT_CONVERSIONS:
            if _name_matches(name, keywords) and (not unit or _same_unit(unit, model)):
                found.append((factor, new, model))
        if unit.strip() == "%":
            found.append((100.0, "a fraction", "%"))
        if unit.strip().lower() == "years":
            found += [(1 / 12, "months", "years"), (1 / 365.25, "days", "years")]
    return found


def _same_unit(a: str, b: str) -> bool:
    def norm(u):
        return u.replace("µ", "u").replace("μ", "u").replace(" ", "").lower()

    return norm(a) == norm(b) or norm(b).startswith(norm(a)) or norm(a).startswith(norm(b))


def _best_conversion(name: str, values, entry: dict):
    """The conversion that brings most of ``values`` into the training range, if any."""

    low, high, median = entry.get("min"), entry.get("max"), entry.get("median")
    if low is None or high is None or values.size == 0:
        return None
    best = None
    for factor, new, model in _conversions(name, entry):
        converted = values * factor
        inside = float(np.mean((converted >= low / 1.25) & (converted <= high * 1.25)))
        if low <= 0:
            width = max(high - low, 1e-12)
            inside = float(
                np.mean((converted >= low - 0.25 * width) & (converted <= high + 0.25 * width))
            )
        distance = 0.0
        if median is not None and median > 0 and np.median(converted) > 0:
            distance = abs(math.log(float(np.median(converted)) / median))
        if inside >= UNIT_FIT and distance < math.log(2.5):
            candidate = (inside, -distance, factor, new, model)
            if best is None or candidate > best:
                best = candidate
    return None if best is None else best[2:]


def _how(factor: float, name: str = "") -> str:
    """'multiply total_chol by 38.67' or 'divide creatinine by 88.4'."""
    target = f" {name}" if name else ""
    if factor >= 1:
        return f"multiply{target} by {factor:.4g}"
    return f"divide{target} by {1 / factor:.4g}"


def _wild_bounds(entry: dict):
    low, high = entry.get("min"), entry.get("max")
    if low is None or high is None:
        return None
    if low > 0:
        return low / WILD_FACTOR, high * WILD_FACTOR
    width = max(high - low, abs(high), 1.0)
    return low - WILD_WIDTHS * width, high + WILD_WIDTHS * width
