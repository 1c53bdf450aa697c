"""Using a saved model: predicted risks for new patients (``riskml predict``) and
external validation on a new cohort (``riskml validate``), each checked against what
the model saw in training, with the headings that name the interval methods used.

``predict`` writes one row per input row: ``row`` (1 = the first data row of the input)
and ``risk``; no column of the input (identifiers included) is copied.
``validate_model`` gives discrimination with its CI, calibration intercept, slope and
O:E, the Brier score and recalibration advice, and writes ``validation_metrics.csv``
and ``validation.md``.

Before a model scores anyone, :func:`check_inputs` compares the new rows with the
model's *input profile*, the aggregate description of its training data that
:func:`riskml.save_model` stores when given the training cohort
(:func:`input_profile`): per numeric input its minimum, maximum, 0.5th and 99.5th
percentiles, median, unit and, where a schema in ``data_schemas/`` knows the column,
its hard range and the units it accepts; per categorical input the levels seen; the
follow-up of a time-to-event cohort. What would give a wrong risk is refused (values
impossible for the column, a column in another unit, 0/1 columns with other codes,
infinite values, a categorical column none of whose values the model knows, a
horizon beyond the training follow-up or meaningless for the model); what gives a
risk to check is warned about (values outside the training range, a few unseen
levels, an empty column), or refused with ``strict=True`` (``--strict``).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from .cohorts import input_profile
from .cohorts import profile_level as _level
from .errors import CommandError, InputError, InputWarning

__all__ = [
    "UNIT_CONVERSIONS",
    "check_horizon",
    "check_inputs",
    "comparison_heading",
    "input_profile",
    "interval_heading",
    "predict",
    "validate_model",
]

PREDICTIONS_COLUMNS = ("row", "risk")
VALIDATION_FILES = ("validation_metrics.csv", "validation.md")

#: A value is impossible for a column (refused) beyond its schema's hard range, or,
#: for a positive training range [lo, hi], below lo / 4 or above 4 hi; for a range
#: reaching 0 or below, farther than 3 range widths out.
WILD_FACTOR = 4.0
WILD_WIDTHS = 3.0
#: A column is in another unit when at least this share of its values lies outside
#: the training range and one known conversion brings at least UNIT_FIT of them in.
UNIT_SHARE = 0.5
UNIT_FIT = 0.8
#: Events below which validation advice is marked tentative (Riley et al. 2024
#: recommend at least 100 events, and 100 non-events, for external validation).
FEW_EVENTS = 100

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

#: Follow-up time units (new value x factor = days), for the hint of a validation
#: cohort whose ``--time`` is not in days.
TIME_UNITS = ((365.25, "years"), (30.4375, "months"), (7.0, "weeks"))


def _finite(values):
    import numpy as np

    values = np.asarray(values, dtype=float)
    return values[np.isfinite(values)]


# -- checking new rows against the profile ------------------------------------------------


def _fmt(value) -> str:
    return "?" if value is None else f"{float(value):.4g}"


def _rows(mask, limit: int = 5) -> str:
    """'3 rows (first rows: 4, 9, 12)', rows counted from 1 = the first data row."""
    import numpy as np

    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    shown = ", ".join(str(int(p) + 1) for p in positions[:limit])
    more = ", ..." if positions.size > limit else ""
    noun = "row" if positions.size == 1 else "rows"
    return f"{positions.size} {noun} (first {noun}: {shown}{more})"


def _rows_that(mask, singular: str, plural: str) -> str:
    """'1 row (first row: 4) holds' / '3 rows (first rows: 4, 9, 12) hold'."""
    import numpy as np

    many = int(np.count_nonzero(np.asarray(mask, dtype=bool))) != 1
    return f"{_rows(mask)} {plural if many else singular}"


def _range_text(entry: dict) -> str:
    unit = f" {entry['unit']}" if entry.get("unit") else ""
    text = f"{_fmt(entry.get('min'))} to {_fmt(entry.get('max'))}{unit}"
    if entry.get("low") is not None and entry.get("high") is not None:
        text += f" (99% of training patients {_fmt(entry['low'])} to {_fmt(entry['high'])})"
    return text


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
    import numpy as np

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


class _Findings:
    """Problems found, one per column and kind; refused ones raise at the end."""

    def __init__(self, strict: bool):
        self.strict = strict
        self.items: list[dict] = []

    def add(self, column, problem, mask, message, *, refuse: bool):
        import numpy as np

        positions = np.flatnonzero(np.asarray(mask, dtype=bool)) if mask is not None else []
        self.items.append(
            {
                "column": column,
                "problem": problem,
                "rows": int(len(positions)),
                "first_rows": [int(p) + 1 for p in positions[:5]],
                "action": "refused" if refuse or self.strict else "warned",
                "message": message,
            }
        )


def _numeric_values(series):
    import numpy as np
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        return series.astype(float).to_numpy(), np.zeros(len(series), dtype=bool)
    text = series.map(lambda v: v.strip() if isinstance(v, str) else v).replace("", np.nan)
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna()
    return numbers.to_numpy(dtype=float, na_value=np.nan), bad.to_numpy()


def _check_numeric(name, series, entry, findings):
    import numpy as np

    values, text = _numeric_values(series)
    if text.any():
        findings.add(
            name,
            "text",
            text,
            f"{name}: {_rows_that(text, 'holds', 'hold')} text where the model expects numbers. "
            "Fix: write plain "
            "numbers (no units, '<', '>' or thousands separators) and leave unknown values "
            "empty.",
            refuse=True,
        )
    infinite = np.isinf(values)
    if infinite.any():
        findings.add(
            name,
            "infinite",
            infinite,
            f"{name}: {_rows_that(infinite, 'holds', 'hold')} infinite values, which no model can "
            "score. Fix: "
            "correct them, or leave them empty if unknown (the model imputes missing values).",
            refuse=True,
        )
    finite = np.isfinite(values)
    present = finite.sum()
    if entry["kind"] == "binary":
        other = finite & ~np.isin(values, (0.0, 1.0))
        if other.any():
            seen = set(np.unique(values[finite]).tolist())
            hint = (
                " (the values look coded 1/2: subtract 1, with 1 for the condition present)"
                if seen <= {1.0, 2.0}
                else ""
            )
            findings.add(
                name,
                "binary_codes",
                other,
                f"{name}: {_rows_that(other, 'holds', 'hold')} values other than 0 and 1, the only "
                "codes the "
                f"model was trained on{hint}. Fix: recode them to 0 (no) and 1 (yes), or leave "
                "them empty if unknown.",
                refuse=True,
            )
        return
    _check_missing(name, series, ~np.isnan(values), entry, findings)
    if present == 0 or entry.get("min") is None:
        return
    low, high = entry["min"], entry["max"]
    outside = finite & ((values < low) | (values > high))
    share = outside.sum() / present
    if share >= UNIT_SHARE:
        conversion = _best_conversion(name, values[finite], entry)
        if conversion is not None:
            factor, new, model = conversion
            median = float(np.median(values[finite]))
            shown = f" (median {median:.4g})" if present >= 5 else ""
            findings.add(
                name,
                "unit",
                outside,
                f"{name}: {int(outside.sum())} of {int(present)} values lie outside the training "
                f"range {_range_text(entry)}, and the conversion {new} -> {model} brings them "
                f"into it: the column looks like {new}{shown} while the model was trained in "
                f"{model}. Fix: {_how(factor, name)} ({new} -> {model}) before using the model.",
                refuse=True,
            )
            return
    bounds = _wild_bounds(entry)
    hard = entry.get("hard_range")
    impossible = np.zeros(len(values), dtype=bool)
    if bounds is not None:
        impossible |= finite & ((values < bounds[0]) | (values > bounds[1]))
    if hard is not None:
        impossible |= finite & ((values < hard[0]) | (values > hard[1]))
    if impossible.any():
        conversion = _best_conversion(name, values[impossible], entry)
        hint = (
            f" Converting them ({conversion[1]} -> {conversion[2]}: {_how(conversion[0])}) "
            "brings them into the training range: a unit error in those rows?"
            if conversion is not None
            else ""
        )
        limits = (
            f"; riskml's schema accepts {_fmt(hard[0])} to {_fmt(hard[1])} for it" if hard else ""
        )
        findings.add(
            name,
            "impossible",
            impossible,
            f"{name}: {_rows_that(impossible, 'lies', 'lie')} far outside anything the model saw "
            "(training "
            f"range {_range_text(entry)}{limits}): impossible values or a unit error.{hint} "
            "Fix: correct them, or leave them empty if unknown (the model imputes missing "
            "values).",
            refuse=True,
        )
    beyond = outside & ~impossible
    if beyond.any():
        most = " Most of the column lies outside: is it the right column, in the right unit?"
        findings.add(
            name,
            "outside_training_range",
            beyond,
            f"{name}: {_rows_that(beyond, 'lies', 'lie')} outside the training range "
            f"{_range_text(entry)}: the "
            "model extrapolates there, so check these risks (a model is only validated within "
            "the range it was trained on)." + (most if share >= UNIT_SHARE else ""),
            refuse=False,
        )


def _check_missing(name, series, present, entry, findings):
    import numpy as np

    n = len(series)
    if n == 0:
        return
    share = 1.0 - float(np.mean(present))
    if share == 1.0:
        findings.add(
            name,
            "all_missing",
            None,
            f"{name}: every value is missing, so the model imputes the same value for every "
            f"row and its risks ignore {name}. Fix: provide {name} where it is recorded (or "
            "accept that the risks do not use it).",
            refuse=False,
        )
    elif share > 0.5 and share > 3 * float(entry.get("missing") or 0.0):
        findings.add(
            name,
            "mostly_missing",
            ~np.asarray(present),
            f"{name}: {share:.0%} of the values are missing (training: "
            f"{float(entry.get('missing') or 0.0):.0%}); the model imputes them, so their risks "
            f"ignore {name}. Fix: provide {name} where it is recorded.",
            refuse=False,
        )


#: Words that stand for a one-letter code ('male' for 'M'); safe to quote in messages.
_CODE_WORDS = frozenset({"male", "female", "man", "woman", "yes", "no", "true", "false"})


def _check_levels(name, series, entry, findings):
    import difflib

    import numpy as np

    levels = list(entry.get("levels") or ())
    present = series.notna().to_numpy()
    _check_missing(name, series, present, entry, findings)
    if not levels or not present.any():
        return
    labels = np.array([_level(v) if p else "" for v, p in zip(series, present, strict=True)])
    unseen = present & ~np.isin(labels, levels)
    if not unseen.any():
        return
    by_text = {level.lower().replace(" ", "").replace("_", ""): level for level in levels}
    initials = {}
    for level in levels:  # one-letter codes (M/F, Y/N): 'male' -> 'M' when the letter is unique
        if len(level) == 1 and level.isalpha():
            initials.setdefault(level.lower(), []).append(level)
    counts = {}
    for value in labels[unseen].tolist():
        counts[value] = counts.get(value, 0) + 1
    fixes = {}
    for value, count in counts.items():
        # Only what cannot identify anyone is quoted: a level up to case and spacing, a
        # common word for a one-letter code, or a near match that recurs in several rows.
        key = value.lower().replace(" ", "").replace("_", "")
        match = by_text.get(key)
        if match is None and key in _CODE_WORDS and len(initials.get(key[:1], ())) == 1:
            match = initials[key[:1]][0]
        if match is None and count >= 2:
            close = difflib.get_close_matches(key, list(by_text), n=1, cutoff=0.8)
            match = by_text[close[0]] if close else None
        if match is not None:
            fixes[value] = match
    fix = (
        "recode " + ", ".join(f"{k!r} -> {v!r}" for k, v in list(fixes.items())[:5])
        if fixes
        else "recode them to a training level"
    )
    distinct = len(set(labels[unseen].tolist()))
    everything = unseen.sum() == present.sum()
    shown = ", ".join(repr(v) for v in levels[:10]) + (", ..." if len(levels) > 10 else "")
    findings.add(
        name,
        "unseen_level",
        unseen,
        f"{name}: {_rows_that(unseen, 'holds', 'hold')} {distinct} level(s) the model never "
        "saw (training "
        f"levels: {shown}; unseen values are quoted only where they match a level, as they "
        "may identify patients); "
        + (
            "none of the column's values is a level the model knows, so every risk would "
            "ignore it. "
            if everything
            else "the model scores those rows as if the column held none of its levels. "
        )
        + f"Fix: {fix}, or leave them empty if unknown.",
        refuse=bool(everything),
    )


def _reference(reference) -> tuple[dict, dict]:
    """(profile, model info) from a model header, a profile, a model file or training data."""
    import os

    import pandas as pd

    if isinstance(reference, str | os.PathLike):
        from riskml.persistence import read_model_info

        info = read_model_info(reference)
        return info.get("inputs") or {}, info
    if isinstance(reference, dict):
        if "format" in reference or "inputs" in reference:
            return reference.get("inputs") or {}, reference
        if isinstance(reference.get("columns"), dict):
            return reference, {}
    if isinstance(reference, pd.DataFrame) or hasattr(reference, "features"):
        return input_profile(reference), {}
    raise TypeError(
        "check_inputs compares new rows with what a model saw in training: pass a model file "
        "path, its header (riskml.persistence.read_model_info(path)), an input profile "
        "(input_profile(cohort)), or the training Cohort or DataFrame; got "
        f"{type(reference).__name__}."
    )


def check_inputs(frame, reference, *, strict=False, horizon=None, source="the input"):
    """Check new rows against what a model saw in training, before it scores them.

    Parameters
    ----------
    frame : pandas.DataFrame
        The new rows (patients x the model's input columns; other columns are
        ignored). Rows are named by position, counting from 1 = the first row;
        the index (which may hold identifiers) is never read.
    reference : path-like, dict, Cohort or pandas.DataFrame
        What the model saw: a model file written by :func:`riskml.save_model` with
        ``cohort=``, its header (:func:`riskml.persistence.read_model_info`), an
        :func:`input_profile`, or the training Cohort or features themselves.
    strict : bool, default=False
        Refuse what is otherwise only warned about (values outside the training
        range, a few unseen levels, empty columns).
    horizon : float, optional
        Days: checked too (:func:`check_horizon`) when ``reference`` is a model file
        or header.
    source : str, default="the input"
        How the rows are named in messages (e.g. the file name).

    Returns
    -------
    pandas.DataFrame
        One row per problem found: ``column``, ``problem`` (``"unit"``,
        ``"impossible"``, ``"outside_training_range"``, ``"unseen_level"``,
        ``"binary_codes"``, ``"infinite"``, ``"text"``, ``"all_missing"``,
        ``"mostly_missing"``, ``"missing_column"``), ``rows`` (how many),
        ``first_rows`` (counting from 1), ``action`` (``"warned"``) and
        ``message``. Empty when all is well.

    Raises
    ------
    riskml.errors.InputError
        Listing every problem at once when any would give a wrong risk: values
        impossible for the column (beyond its schema's hard range, or far beyond
        the training range), a column in another unit (most values outside the
        training range and a known conversion bringing them in), 0/1 columns with
        other codes, infinite values or text, a categorical column none of whose
        values the model knows, missing input columns, a horizon beyond the
        training follow-up; and, with ``strict=True``, any problem.
    TypeError
        When ``frame`` is not a DataFrame or ``reference`` is none of the above.

    Warns
    -----
    riskml.errors.InputWarning
        One per problem that still gives a usable risk (without ``strict``).

    Notes
    -----
    No patient value is quoted in messages: only counts, row numbers, training
    ranges and levels, and medians of at least 5 values. Without a profile (a
    model saved without ``cohort=``) only the columns are checked, with a
    warning that says so.

    Examples
    --------
    >>> import riskml as rk
    >>> train = rk.cohorts.make_young_hypertension(n_patients=200, random_state=0)
    >>> new = train.features.head(3).assign(total_chol=lambda f: f.total_chol / 38.67)
    >>> check_inputs(new, train)  # doctest: +SKIP
    Traceback (most recent call last):
    InputError: the input cannot be scored as it is: ... total_chol: 3 of 3 values lie outside
    the training range ... the column looks like mmol/L while the model was trained in mg/dL.
    Fix: multiply total_chol by 38.67 (mmol/L -> mg/dL) before predicting.
    """
    import warnings

    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"check_inputs takes the new rows as a pandas DataFrame; got {type(frame).__name__}."
        )
    if not isinstance(strict, bool):
        raise TypeError(f"strict must be True or False; got {type(strict).__name__}.")
    profile, info = _reference(reference)
    findings = _Findings(strict)
    frame = frame.set_axis([str(c).strip() for c in frame.columns], axis=1)
    twice = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if twice:
        raise InputError(
            f"{source} has column(s) {twice[:10]} twice; riskml cannot tell which one the model "
            "should use. Fix: keep one column of each name."
        )
    described = profile.get("columns") or {}
    expected = [c["name"] for c in info.get("columns") or []] or list(described)
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        findings.add(
            ", ".join(missing[:10]),
            "missing_column",
            None,
            f"{source} lacks {len(missing)} of the model's {len(expected)} input column(s): "
            f"{missing[:20]}. Fix: add each with the name used in training (leave values "
            "empty where unknown: the model imputes them).",
            refuse=True,
        )
    if info and not described:
        warnings.warn(
            f"the model file holds no training ranges (it was saved without cohort=), so "
            f"{source} cannot be checked for impossible values, unit errors or unseen levels. "
            "Fix: save the model again with riskml.save_model(model, path, cohort=training).",
            InputWarning,
            stacklevel=2,
        )
    for name, entry in described.items():
        if name not in frame.columns or not isinstance(entry, dict):
            continue
        column = frame[name].reset_index(drop=True)
        if entry.get("kind") in ("numeric", "binary"):
            _check_numeric(name, column, entry, findings)
        elif entry.get("kind") == "categorical":
            _check_levels(name, column, entry, findings)
    if horizon is not None and info:
        try:
            check_horizon(horizon, info)
        except InputError as error:
            findings.add("horizon", "horizon", None, str(error), refuse=True)
    table = pd.DataFrame(
        findings.items,
        columns=["column", "problem", "rows", "first_rows", "action", "message"],
    )
    refused = table[table["action"] == "refused"]
    if len(refused):
        lines = "\n".join(f"  - {m}" for m in refused["message"])
        also = len(table) - len(refused)
        raise InputError(
            f"{source} cannot be scored as it is"
            + (" (strict=True / --strict refuses every problem)" if strict else "")
            + f": {len(refused)} problem(s), all listed so that they can be fixed in one go "
            "(rows count from 1 = the first data row):\n"
            + lines
            + (f"\n  ({also} further caveat(s) would be warned about.)" if also else "")
        )
    for message in table["message"]:
        warnings.warn(
            message + " (Pass strict=True, or --strict, to refuse such rows.)",
            InputWarning,
            stacklevel=2,
        )
    return table


def check_horizon(
    horizon, info: dict, *, option: str = "horizon", needed: bool = False, labels: bool = False
):
    """The horizon at which a saved model predicts, or an error when it has no meaning.

    Parameters
    ----------
    horizon : float or None
        Days, as asked for; None: the horizon stored in the model file.
    info : dict
        The model file's header (:func:`riskml.persistence.read_model_info`).
    option : str
        How the horizon is named in messages (``"--horizon"`` for the CLI).
    needed : bool, default=False
        Refuse a time-to-event model without any horizon (its ``predict_risk``
        would give a linear predictor, not a risk).
    labels : bool, default=False
        The horizon defines the outcome labels of a validation cohort: then a
        model of a binary outcome without a stored horizon accepts one (the horizon
        at which its 0/1 outcome was defined, e.g. 30 for a 30-day readmission).

    Returns
    -------
    float or None

    Raises
    ------
    riskml.errors.InputError
        A horizon that is not a positive number; any horizon for a model of a
        binary outcome; another horizon than the one a binary model was trained
        at (it predicts that one only); a horizon beyond the training follow-up
        of a time-to-event model (its baseline hazard is unknown there).
    """
    kind = info.get("outcome_kind")
    stored = info.get("horizon_days")
    followup = (info.get("inputs") or {}).get("followup") or {}
    if horizon is not None:
        try:
            value = float(horizon)
        except (TypeError, ValueError):
            raise InputError(
                f"{option} must be a positive number of days; got {str(horizon)[:40]!r}."
            ) from None
        if not math.isfinite(value) or value <= 0 or isinstance(horizon, bool):
            raise InputError(
                f"{option} must be a positive, finite number of days; got {str(horizon)[:40]}."
            )
        if kind == "binary" and stored is None and not labels:
            raise InputError(
                f"{option} has no meaning for this model: it predicts a binary outcome, "
                "P(event), without a horizon (it was trained on a 0/1 outcome). Fix: leave "
                f"{option} out; to predict by a day, fit a model on a time-to-event outcome."
            )
        if kind == "binary" and stored is not None and not math.isclose(value, float(stored)):
            raise InputError(
                f"{option} {value:g} differs from the horizon this model was trained at: it "
                f"predicts P(event by day {float(stored):g}) and nothing else. Fix: leave "
                f"{option} out (or give {float(stored):g}); for another horizon, fit a model at "
                "that horizon."
            )
    else:
        value = None if stored is None else float(stored)
    if kind == "survival" and value is not None:
        longest = followup.get("max_days")
        if longest is not None and value > float(longest):
            raise InputError(
                f"{option} {value:g} days lies beyond the training follow-up (the longest was "
                f"{float(longest):g} days, the last event at "
                f"{_fmt(followup.get('last_event_days'))} days): the model's baseline hazard "
                f"is unknown there, so its risks would be guesses. Fix: a {option} of at most "
                f"{float(longest):g} days."
            )
    first = followup.get("first_event_days")
    if kind == "survival" and value is not None and first is not None and value < float(first):
        import warnings

        warnings.warn(
            f"{option} {value:g} days comes before the first event in training (day "
            f"{float(first):g}): the baseline hazard is 0 there, so every risk is 0. Check the "
            f"horizon (in days) and its unit.",
            InputWarning,
            stacklevel=3,
        )
    if kind == "survival" and value is None and needed:
        longest = followup.get("max_days")
        raise InputError(
            f"this time-to-event model stores no horizon, so it needs {option} DAYS: without "
            "one it gives a log relative hazard, not a risk"
            + (f" (training follow-up up to {float(longest):g} days)" if longest else "")
            + f". Fix: pass {option} DAYS."
        )
    return value


# -- predict and validate -----------------------------------------------------------------


def _schema_checked(frame, columns, schema_name):
    """Validate the model's columns against its schema; rows named from 1 in messages."""
    from dataclasses import replace

    from riskml.cohorts import load_schema, validate

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
    import numpy as np
    import pandas as pd

    columns = [c["name"] for c in info.get("columns") or []]
    if not columns:
        raise CommandError(
            "the model file does not list its input columns (saved without them); save the "
            "model again with riskml.save_model(model, path, cohort=training_cohort)."
        )
    frame = frame.rename(columns=lambda c: str(c).strip())
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
    schema_name = info.get("schema_name")
    if schema_name:
        frame = _schema_checked(frame, columns, schema_name)
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
    extra = [str(c) for c in frame.columns if c not in set(columns)]
    return pd.DataFrame(out, index=range(len(frame))), extra


def _check_rows(frame, source):
    if len(frame) == 0:
        raise CommandError(
            f"{source} has a header but no rows; there is nobody to score. Fix: export the "
            "patients again with one row per patient."
        )


def _finite_risks(risk, source):
    import numpy as np

    risk = np.asarray(risk, dtype=float)
    bad = ~np.isfinite(risk)
    if bad.any():
        raise CommandError(
            f"the model gave no finite risk for {_rows(bad)} of {source}; nothing was written. "
            "Fix: check those rows' inputs (riskml predict --strict lists what lies outside "
            "the training data)."
        )
    return risk


def predict(
    model_path, input_path, out, *, horizon=None, overwrite=False, strict=False, key=None
) -> tuple:
    """Predict risks for every row of a table with a saved model (``riskml predict``).

    Parameters
    ----------
    model_path : path-like
        A file written by :func:`riskml.save_model`.
    input_path : path-like
        A CSV (optionally compressed) or Parquet table with the model's input
        columns; other columns (identifiers included) are ignored.
    out : path-like
        The CSV to write: columns ``row`` (1 = the first data row of the input)
        and ``risk``. Checked before any work; never replaced unless
        ``overwrite`` (also when another run writes it meanwhile).
    horizon : float, optional
        Days; defaults to the horizon stored in the model file. Refused for a
        model of a binary outcome, for a binary model trained at another horizon,
        and beyond the training follow-up (:func:`check_horizon`).
    overwrite : bool, default=False
    strict : bool, default=False
        Refuse rows outside the training range and unseen levels instead of
        warning (:func:`check_inputs`).
    key : str or bytes, optional
        The model file's signing key (:func:`riskml.load_model`).

    Returns
    -------
    out : pathlib.Path
        The file written.
    n_rows : int
    ignored : list of str
        Input columns the model does not use (never copied to ``out``).

    Raises
    ------
    riskml.errors.InputError
        New rows the model cannot score as they are (see :func:`check_inputs`).
    """
    import pandas as pd

    from riskml.cohorts import read_table
    from riskml.persistence import check_output_path, load_model, read_model_info, write_atomically

    out = check_output_path(out, overwrite=overwrite, what="output file")
    if Path(input_path).resolve() == out.resolve():
        raise CommandError("--out names the input file; choose another output file.")
    if Path(model_path).resolve() == out.resolve():
        raise CommandError("--out names the model file; choose another output file.")
    info = read_model_info(model_path, key=key)
    horizon = check_horizon(horizon, info, option="--horizon", needed=True)
    model = load_model(model_path, key=key)
    frame = read_table(input_path)
    source = Path(input_path).name
    _check_rows(frame, source)
    X, extra = _prepare_inputs(frame, info, source)
    check_inputs(X, info, strict=strict, source=source)
    risk = _finite_risks(model.predict_risk(X, horizon=horizon), source)
    table = pd.DataFrame({"row": range(1, len(X) + 1), "risk": risk})
    write_atomically(
        out, table.to_csv(index=False).encode("utf-8"), overwrite=overwrite, what="output file"
    )
    return out, len(table), extra


def _outcome(frame, outcome_column, time_column, source):
    import numpy as np
    import pandas as pd

    from riskml import Outcome

    for column, flag in ((outcome_column, "--outcome"), (time_column, "--time")):
        if column is not None and column not in frame.columns:
            raise CommandError(
                f"{source} has no column {column!r} ({flag}); its columns include "
                f"{[str(c) for c in frame.columns][:20]}."
            )
    if time_column is not None and time_column == outcome_column:
        raise CommandError(
            f"--outcome and --time both name {outcome_column!r}; --outcome is the 0/1 event "
            "column and --time the follow-up in days. Fix: name two different columns."
        )
    event = pd.to_numeric(frame[outcome_column], errors="coerce")
    bad = ~event.isin((0, 1))
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1)[:5].tolist()
        raise CommandError(
            f"{source}: the outcome column {outcome_column!r} must be 1 (event) or 0 (no event) "
            f"in every row; {int(bad.sum())} row(s) are not (first rows: {rows}; rows count "
            "from 1 = the first data row). Fix: code the outcome 0/1 and drop rows without it."
        )
    if time_column is None:
        return Outcome.binary(event.to_numpy(int), name=outcome_column)
    time = pd.to_numeric(frame[time_column], errors="coerce")
    bad = ~((time > 0) & np.isfinite(time))
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1)[:5].tolist()
        raise CommandError(
            f"{source}: the follow-up time {time_column!r} must be a positive number of days in "
            f"every row; {int(bad.sum())} row(s) are not (first rows: {rows}). Fix: correct "
            "them or drop those rows."
        )
    return Outcome.survival(time.to_numpy(float), event.to_numpy(int), name=outcome_column)


def _validation_horizon(horizon, info, y, time_column):
    """The horizon of a validation, or an error when it has no meaning."""
    kind = info.get("outcome_kind")
    no_horizon = info.get("horizon_days") is None
    if time_column is None and horizon is not None and kind == "binary" and no_horizon:
        raise InputError(
            "--horizon has no meaning here: the model predicts a binary outcome, "
            "P(event), and --outcome is a 0/1 column without --time. Fix: leave --horizon "
            "out, or pass --time with the follow-up column so that the label 'event by "
            "the horizon' is derived with censoring handled."
        )
    value = check_horizon(horizon, info, option="--horizon", labels=time_column is not None)
    if y.is_survival and value is None:
        raise CommandError(
            "a time-to-event validation needs --horizon DAYS (the model file stores none)."
        )
    if not y.is_survival and value is None and kind == "survival":
        raise CommandError(
            "this time-to-event model needs --horizon DAYS to give the risks a 0/1 outcome is "
            "compared with (the model file stores none). Fix: pass --horizon DAYS, the "
            "horizon at which --outcome was recorded."
        )
    return value


def _time_hint(time, followup, horizon) -> str:
    """' --time looks like years (...)' when a unit other than days explains the follow-up."""
    import numpy as np

    median = (followup or {}).get("median_days")
    here = float(np.median(time))
    if median and here > 0:
        for factor, unit in TIME_UNITS:
            if abs(math.log(here * factor / float(median))) < math.log(2.5):
                return (
                    f" --time looks like {unit} (median {here:.4g}; the training follow-up's "
                    f"median is {float(median):.4g} days): multiply it by {factor:g} to give days."
                )
    longest = float(np.max(time))
    if longest >= horizon:
        return ""
    fits = [(factor, unit) for factor, unit in TIME_UNITS if longest * factor >= horizon]
    if len(fits) == 1:
        factor, unit = fits[0]
        return (
            f" --time looks like {unit} (the longest follow-up, {longest:.4g}, is shorter than "
            f"the horizon of {horizon:g} days): multiply it by {factor:g} to give days."
        )
    if fits:
        return (
            " --time may not be in days: "
            + ", ".join(f"multiply it by {factor:g} if it is in {unit}" for factor, unit in fits)
            + "."
        )
    return ""


def _check_defined(y, horizon, source, followup):
    """Refuse a validation whose metrics are undefined: no events, or no non-events."""
    import numpy as np

    from riskml.outcome import horizon_label

    if y.is_survival:
        label = horizon_label(y.time, y.event, horizon)
        events, controls = int(np.sum(label == 1)), int(np.sum(label == 0))
        what = f" by day {horizon:g}"
        detail = (
            f" (follow-up runs from {float(np.min(y.time)):.4g} to {float(np.max(y.time)):.4g} "
            "days)"
        )
    else:
        events = int(np.sum(y.event))
        controls = len(y) - events
        what, detail = "", ""
    if events == 0 or controls == 0:
        missing = "events" if events == 0 else "patients without the event"
        if y.is_survival and controls == 0:
            missing = f"patients followed event-free to day {horizon:g}"
        raise CommandError(
            f"{source} has {events} event(s){what} and {controls} patient(s) without "
            f"one{detail}: with no {missing}, discrimination and calibration are undefined, "
            "so riskml gives no metric and no advice."
            + (_time_hint(y.time, followup, horizon) if y.is_survival else "")
            + " Fix: a cohort with both events and non-events"
            + (", or a horizon within its follow-up." if y.is_survival else ".")
        )
    return events, controls


def _defined(row) -> bool:
    return row is not None and all(
        isinstance(row.get(k), int | float) and math.isfinite(row[k])
        for k in ("estimate", "low", "high")
    )


def _advice(metrics: dict, events: int | None = None) -> list[str]:
    """Recalibration advice from the external calibration (Van Calster 2016 hierarchy).

    Only defined estimates (finite estimate and interval) are judged; an undefined
    one is named, and no advice is drawn from it.
    """
    advice = []
    undefined = []
    if events is not None and events < FEW_EVENTS:
        advice.append(
            f"Only {events} events: the intervals are wide and the advice below is tentative "
            f"(Riley et al. 2024 recommend at least {FEW_EVENTS} events for external "
            "validation)."
        )
    c = metrics.get("auc") or metrics.get("harrell_c")
    if c is not None and not _defined(c):
        undefined.append("discrimination")
    elif c is not None and c["high"] < 0.6:
        advice.append(
            f"Discrimination is poor (C {c['estimate']:.3f}, 95% CI up to {c['high']:.3f}): "
            "recalibration cannot fix ranking; revise or refit the model for this population."
        )
    oe_row = metrics.get("o_e")
    intercept, slope = metrics.get("calibration_intercept"), metrics.get("calibration_slope")
    if intercept is not None and not _defined(intercept):
        undefined.append("the calibration intercept")
        intercept = None
    if intercept is None and oe_row is not None:  # time-to-event: judge the mean by O:E
        if _defined(oe_row) and min(oe_row["estimate"], oe_row["low"], oe_row["high"]) > 0:
            intercept = {
                "estimate": math.log(oe_row["estimate"]),
                "low": math.log(oe_row["low"]),
                "high": math.log(oe_row["high"]),
            }
        elif "calibration_intercept" not in metrics:
            undefined.append("the O:E ratio")
    if slope is not None and not _defined(slope):
        undefined.append("the calibration slope")
        slope = None
    oe = oe_row["estimate"] if oe_row and _defined(oe_row) else float("nan")
    off_mean = intercept is not None and not (intercept["low"] <= 0 <= intercept["high"])
    off_slope = slope is not None and not (slope["low"] <= 1 <= slope["high"])
    if off_slope:
        kind = "too extreme (overfitting)" if slope["estimate"] < 1 else "too modest"
        advice.append(
            f"Calibration slope {slope['estimate']:.2f} (95% CI {slope['low']:.2f} to "
            f"{slope['high']:.2f}): predictions are {kind}. Logistic recalibration (new "
            "intercept and slope, riskml.evaluation.recalibrate_logistic) is indicated."
        )
    if off_mean:
        direction = "under-estimates" if intercept["estimate"] > 0 else "over-estimates"
        advice.append(
            f"Calibration-in-the-large (log O:E for a time-to-event outcome) "
            f"{intercept['estimate']:+.2f} (95% CI "
            f"{intercept['low']:+.2f} to {intercept['high']:+.2f})"
            + (f", O:E {oe:.2f}" if math.isfinite(oe) else "")
            + f": the model {direction} risk on average in this cohort. "
            + (
                "Update the intercept (riskml.evaluation.recalibrate_intercept)."
                if not off_slope
                else "The logistic recalibration above updates it too."
            )
        )
    if undefined:
        advice.append(
            f"Undefined in this cohort: {', '.join(undefined)} (e.g. every predicted risk "
            "equal, or too few events); no advice is drawn from it."
        )
    judged = (intercept is not None) or (slope is not None)
    if not off_mean and not off_slope and judged:
        advice.append(
            "No recalibration is indicated: the intercept's CI includes 0 and the slope's CI "
            "includes 1 (with this sample size; small cohorts give wide intervals)."
        )
    if not judged:
        advice.append("No recalibration advice: no calibration metric is defined in this cohort.")
    return advice


def validate_model(
    model_path,
    cohort_path,
    out_dir,
    *,
    outcome,
    time=None,
    horizon=None,
    n_boot=2000,
    random_state=0,
    overwrite=False,
    strict=False,
    key=None,
):
    """External validation of a saved model on a new cohort (``riskml validate``).

    Discrimination (AUC for a binary outcome, Harrell's C for time to event) with
    a 95% CI, calibration intercept and slope (on the label "event by the
    horizon" for time to event) with CIs, the observed-to-expected ratio, the
    Brier score, and recalibration advice, via
    :func:`riskml.evaluation.external_validation`.

    The cohort's predictors are checked first, as for ``riskml predict``
    (:func:`check_inputs`: a creatinine column in umol/L where the model was
    trained in mg/dL is refused, not validated), and so is the horizon
    (:func:`check_horizon`). A cohort without events or without non-events (at the
    horizon) is refused: its metrics are undefined. Advice is drawn only from
    defined estimates.

    Parameters
    ----------
    strict : bool, default=False
        Refuse values outside the training range and unseen levels instead of
        warning.
    key : str or bytes, optional
        The model file's signing key.

    Returns
    -------
    summary : pandas.DataFrame
    advice : list of str
    paths : list of pathlib.Path
        ``validation_metrics.csv`` and ``validation.md`` in ``out_dir`` (created when
        missing, only once both files are ready; written together or not at all).

    References
    ----------
    Van Calster B, Nieboer D, Vergouwe Y, et al. A calibration hierarchy for
    risk models was defined: from utopia to empirical data. J Clin Epidemiol.
    2016;74:167-176.

    Riley RD, Archer L, Snell KIE, et al. Evaluation of clinical prediction
    models (part 2): how to undertake an external validation study. BMJ
    2024;384:e074820.
    """
    import numpy as np

    from riskml.cohorts import read_table
    from riskml.evaluation import external_validation, get_metric
    from riskml.persistence import (
        check_output_path,
        load_model,
        read_model_info,
        write_files_atomically,
    )

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise CommandError(f"--out {str(out_dir)!r} is a file; give a folder for the results.")
    if not out_dir.exists() and not out_dir.parent.is_dir():
        ancestor = out_dir.parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if ancestor.exists() and not ancestor.is_dir():
            raise CommandError(
                f"--out {str(out_dir)!r} cannot be created: {str(ancestor)!r} is a file, not a "
                "folder. Fix: give a folder inside an existing folder."
            )
        raise FileNotFoundError(
            f"the folder {str(out_dir.parent)!r} for --out does not exist; create it first."
        )
    paths = [
        check_output_path(out_dir / n, overwrite=overwrite, create_parents=True)
        for n in VALIDATION_FILES
    ]
    info = read_model_info(model_path, key=key)
    model = load_model(model_path, key=key)
    frame = read_table(cohort_path)
    source = Path(cohort_path).name
    _check_rows(frame, source)
    y = _outcome(frame, outcome, time, source)
    horizon = _validation_horizon(horizon, info, y, time)
    X, _ = _prepare_inputs(frame, info, source)
    check_inputs(X, info, strict=strict, source=source)
    followup = (info.get("inputs") or {}).get("followup")
    events, _controls = _check_defined(y, horizon, source, followup)
    table = external_validation(
        model, X, y, horizon=horizon, n_boot=n_boot, random_state=random_state, name="model"
    ).summary
    metrics = {r.metric: r._asdict() for r in table.itertuples(index=False)}
    advice = _advice(metrics, events)
    rows = table[["metric", "estimate", "low", "high", "method", "n", "events"]].copy()
    names = {name: get_metric(name, y.kind).label for name in rows["metric"]}
    lines = [
        "# External validation of a saved riskml model",
        "",
        f"- Model: {info.get('final_estimator')} (riskml {info.get('versions', {}).get('riskml')}, "
        f"saved {info.get('created_utc')})",
        f"- Validation cohort: {len(y)} rows, {int(np.sum(y.event))} events; outcome "
        f"`{outcome}`" + (f", time `{time}`, horizon {horizon:g} days" if time else ""),
        f"- 95% CIs by {interval_heading(table)} (seed {random_state}).",
        "",
        "| Metric | Estimate | 95% CI | CI method |",
        "|---|---|---|---|",
    ]
    for r in table.to_dict("records"):
        ci = "" if not np.isfinite(r["low"]) else f"{r['low']:.3f} to {r['high']:.3f}"
        estimate = f"{r['estimate']:.3f}" if np.isfinite(r["estimate"]) else "undefined"
        lines.append(
            f"| {names.get(r['metric'], r['metric'])} | {estimate} | {ci} | "
            f"{_interval_method(r) if ci else ''} |"
        )
    lines += ["", "## Recalibration advice", "", *(f"- {a}" for a in advice), ""]
    lines += [
        "The HTML validation report is not produced yet; these tables hold its numbers.",
        "",
    ]
    write_files_atomically(
        [
            (paths[0], rows.to_csv(index=False).encode("utf-8")),
            (paths[1], "\n".join(lines).encode("utf-8")),
        ],
        overwrite=overwrite,
        what="validation results",
    )
    return rows, advice, paths


# -- run: a study described in YAML ---------------------------------------------------


def _interval_method(record) -> str:
    """A summary row's interval method, with the resamples of a bootstrap."""
    method = str(record.get("method", "") or "not recorded")
    n_boot = record.get("n_boot")
    if (
        "bootstrap" in method.lower()
        and "replicates" not in method
        and n_boot is not None
        and n_boot == n_boot
        and n_boot > 0
    ):
        method += f" ({int(n_boot):,} resamples)"
    return method


def interval_heading(summary) -> str:
    """Which interval method served which metrics, read from the summary's ``method``.

    E.g. "percentile bootstrap (2000 resamples) for harrell_c, td_auc; Wald for
    calibration_slope, o_e": a heading never claims one method for rows computed
    by another.
    """
    served: dict = {}
    for record in summary.to_dict("records"):
        # a heading names the method; why an estimate lies outside its own interval is
        # said beside that row
        method = _interval_method(record).split("; the estimate lies ")[0]
        metrics = served.setdefault(method, [])
        if record["metric"] not in metrics:
            metrics.append(str(record["metric"]))
    return "; ".join(f"{method} for {', '.join(metrics)}" for method, metrics in served.items())


def comparison_heading(comparison, kind: str) -> str:
    """ "Paired bootstrap difference in Harrell's C against cox", from the table."""
    from riskml.evaluation import get_metric

    first = comparison.iloc[0]
    metric = str(first["metric"])
    try:
        label = get_metric(metric, kind).label
    except (KeyError, ValueError):
        label = metric
    method = _interval_method(first.to_dict()) if "method" in comparison else "paired"
    return f"{method[:1].upper() + method[1:]} difference in {label} against {first['reference']}"
