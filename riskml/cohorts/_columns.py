"""Column checks of a cohort table: identifiers, dates, numbers written as text, row keys.

Helpers of :mod:`riskml.cohorts._guards` (which :class:`~riskml.Cohort` calls when it
is built): each looks at one column or one key array and says what is wrong with it,
in words that name the rows (positions from 0, never the values) and the fix.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["as_numbers", "check_row_keys", "identifier_reason", "user_stacklevel"]

UNIQUE_SHARE = 0.95  # a column distinct in at least this share of rows identifies them
FREE_TEXT_WORDS = 5  # string values of this many words or more on average are free text
_SHOWN_ROWS = 5

_ID_NAME = re.compile(r"^(id|mrn|.*_id|.*_mrn)$", re.IGNORECASE)
# Column names that mark direct identifiers (HIPAA Safe Harbor categories: names, dates,
# contact details, record numbers), matched on the name's lower-case words.
_IDENTIFIER_WORDS = {
    "a name": {"name", "surname", "forename", "firstname", "lastname", "fullname"},
    "a date": {"dob", "date", "birthdate", "birthday", "datetime", "timestamp"},
    "a contact detail": {"email", "mail", "phone", "telephone", "mobile", "fax"},
    "an address": {"address", "street", "postcode", "zip", "zipcode", "postal"},
    "a record number": {"mrn", "ssn", "nhs", "passport"},
}
_IDENTIFIER_PHRASES = {
    "a name": [("patient", "name"), ("first", "name"), ("last", "name"), ("given", "name")],
    "a date": [("date", "of", "birth"), ("birth", "date"), ("birth", "day")],
    "a record number": [
        ("medical", "record"),
        ("record", "number"),
        ("patient", "number"),
        ("patient", "no"),
        ("social", "security"),
        ("case", "number"),
        ("insurance", "number"),
    ],
}
# Words that, next to "name", describe a category rather than a person (drug name ...).
_NOT_PERSON_NAME = {"drug", "hospital", "site", "centre", "center", "test", "lab", "ward"}
# Dates written as text: ISO (2015-03-02, 2015/03/02), day-first or month-first
# (02/03/2015, 2.3.15), with a month name (2 Mar 2015, March 2, 2015); a time may follow.
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_TEXT = re.compile(
    r"^\s*("
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}[-/.]\d{1,2}[-/.](\d{4}|\d{2})"
    rf"|\d{{1,2}}[ -]{_MONTH}[ -,]*\d{{2,4}}"
    rf"|{_MONTH} \d{{1,2}},? \d{{4}}"
    r")([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(z|[+-]\d{2}:?\d{2})?)?\s*$",
    re.IGNORECASE,
)
# Text in a numeric column that is a malformed number rather than a category.
_NA_CODES = {
    "na",
    "n/a",
    "n.a.",
    "nan",
    "null",
    "none",
    "missing",
    "unknown",
    "unk",
    "-",
    "--",
    ".",
    "?",
    "nd",
    "not done",
    "#n/a",
    "#value!",
    "#div/0!",
}
_BOUND = re.compile(r"^\s*(<|>|<=|>=|≤|≥)\s*[-+]?\d+([.,]\d+)?\s*$")
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_THOUSANDS = re.compile(r"^\s*[-+]?\d{1,3}([ ,']\d{3})+(\.\d+)?\s*$")
_WITH_UNIT = re.compile(r"^\s*[-+]?\d+([.,]\d+)?\s*(%|[a-zA-Zµμ/]+[a-zA-Z0-9/µμ]*)\s*$")


def user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside riskml."""
    package = str(Path(__file__).resolve().parent.parent)
    frame = inspect.currentframe().f_back  # the function that warns: level 1
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
        level += 1
    return level


def _rows(mask, limit: int = _SHOWN_ROWS) -> str:
    """The first row positions (0-based) where ``mask`` holds, for a message."""
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    shown = ", ".join(str(int(r)) for r in rows[:limit])
    return f"{shown}{', ...' if rows.size > limit else ''}"


def _name_words(column) -> list[str]:
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(column))
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def _is_text(series: pd.Series) -> bool:
    """Strings or categories whose values are not all numbers."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return not pd.api.types.is_numeric_dtype(series.cat.categories)
    return pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)


def _date_like(series: pd.Series) -> str | None:
    """'a date' when the values are dates written as text or as YYYYMMDD numbers."""
    present = series.dropna()
    if len(present) < 5:
        return None
    if _is_text(series):
        values = pd.Series(pd.unique(present.astype(str)))
        if len(values) < 3:
            return None
        if values.str.match(_DATE_TEXT).mean() >= 0.9:
            return "a date (values written as dates)"
        if not values.str.fullmatch(r"\s*\d{8}\s*").all():
            return None
        present = pd.to_numeric(values)  # YYYYMMDD written as text
    elif pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return None
    values = np.unique(present.to_numpy(dtype=float))
    if len(values) < 5 or not np.all(values == np.round(values)):
        return None
    year, rest = np.divmod(values, 10000)
    month, day = np.divmod(rest, 100)
    valid = (year >= 1900) & (year <= 2100) & (month >= 1) & (month <= 12) & (day >= 1)
    valid &= day <= 31
    if valid.mean() >= 0.95:
        return "a date written as a number (YYYYMMDD)"
    return None


def identifier_reason(column, series: pd.Series, described_unit: bool) -> str | None:
    """Why ``column`` looks like a patient identifier, or None.

    Names are matched first (names, dates, contact details, addresses, record
    numbers); then the values: dates (a date dtype, dates written as text, or
    YYYYMMDD numbers), free text, and strings or whole numbers that are distinct in
    nearly every row (a column described with a unit in the metadata is a
    measurement, and is exempt from the uniqueness rule).
    """
    reason = _name_reason(column)
    if reason is not None:
        return reason
    if pd.api.types.is_datetime64_any_dtype(series) or isinstance(series.dtype, pd.PeriodDtype):
        return "a date"
    dated = _date_like(series) if not described_unit else None
    if dated is not None:
        return dated
    return _values_reason(series, described_unit)


def _name_reason(column) -> str | None:
    """What kind of identifier the column's name says it holds, or None."""
    if _ID_NAME.match(str(column)):
        return "an identifier"
    words = _name_words(column)
    joined = "".join(words)
    for kind, vocabulary in _IDENTIFIER_WORDS.items():
        hits = vocabulary.intersection(words) | ({joined} & vocabulary)
        if kind == "a name" and hits and _NOT_PERSON_NAME.intersection(words):
            continue
        if hits:
            return f"{kind} (column name)"
    for kind, phrases in _IDENTIFIER_PHRASES.items():
        for phrase in phrases:
            n = len(phrase)
            if any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1)):
                return f"{kind} (column name)"
    return None


def _values_reason(series: pd.Series, described_unit: bool) -> str | None:
    """Free text, or strings or whole numbers distinct in nearly every row; None otherwise."""
    present = series.dropna()
    if len(present) < 20:
        return None
    textual = isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(series)
    if textual and not pd.api.types.is_numeric_dtype(present.infer_objects()):
        # words per row, counted once per distinct value (a few levels, many rows)
        counts = present.astype(str).value_counts(sort=False)
        words = counts.index.to_series().str.split().str.len().to_numpy()
        if (words @ counts.to_numpy()) / len(present) >= FREE_TEXT_WORDS:
            return "free text"
        if len(counts) >= UNIQUE_SHARE * len(present):
            return "a value distinct in nearly every row"
        return None
    if described_unit or pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_numeric_dtype(series):
        values = present.to_numpy(dtype=float)
        whole = np.all(np.isfinite(values) & (values == np.round(values)))
        if whole and len(np.unique(values)) >= UNIQUE_SHARE * len(values):
            return "a whole number distinct in nearly every row"
    return None


def as_numbers(series: pd.Series) -> np.ndarray | None:
    """``pd.to_numeric(series, errors="coerce")`` as floats; None when a value is not a
    number. Text and categories are parsed once per distinct value, not per row."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    codes, levels = pd.factorize(series, use_na_sentinel=True)
    numbers = pd.to_numeric(pd.Series(np.asarray(levels, dtype=object)), errors="coerce")
    numbers = numbers.to_numpy(dtype=float)
    if np.isnan(numbers).any():
        return None
    return np.where(codes >= 0, numbers[np.maximum(codes, 0)], np.nan)


# -- numbers written as text -----------------------------------------------------------


def _text_kind(value: str) -> str:
    """What a non-number in a numeric column is, for the message."""
    text = value.strip()
    if text.lower() in _NA_CODES or text == "":
        return "missing-value code"
    if _BOUND.match(text):
        return "bound"
    if _DECIMAL_COMMA.match(text):
        return "decimal comma"
    if _THOUSANDS.match(text):
        return "thousands separator"
    if _WITH_UNIT.match(text):
        return "number with a unit"
    return "other text"


_KIND_WORDS = {
    "bound": "a bound (e.g. a value below a detection limit)",
    "decimal comma": "a decimal comma",
    "thousands separator": "a thousands separator",
    "number with a unit": "a number with its unit",
    "missing-value code": "a missing-value code",
    "other text": "other text (not quoted)",
}


def _numbers_as_text(series: pd.Series) -> dict | None:
    """How a text column holds numbers with a few stray values, or None."""
    if not _is_text(series) or isinstance(series.dtype, pd.CategoricalDtype):
        return None
    present = series.notna().to_numpy()
    if present.sum() < 10:
        return None
    text = series[present].astype(str)
    codes, levels = pd.factorize(text)
    levels = pd.Series(np.asarray(levels, dtype=object))
    numbers = pd.to_numeric(levels.str.strip(), errors="coerce").to_numpy(dtype=float)
    is_number = ~np.isnan(numbers)
    row_number = is_number[codes]
    share = row_number.mean()
    distinct = int(is_number.sum())
    if share < 0.5 or distinct < 3:
        return None
    kinds = {i: _text_kind(str(levels[i])) for i in np.flatnonzero(~is_number)}
    malformed = any(kind != "other text" for kind in kinds.values())
    if distinct <= 10 and not malformed:
        return None  # a few codes that happen to be numbers, and words: a category
    bad = np.zeros(len(series), dtype=bool)
    bad[np.flatnonzero(present)[~row_number]] = True
    found = {}
    for i, kind in kinds.items():
        count = int(np.sum(codes == i))
        entry = found.setdefault(kind, {"rows": 0, "examples": []})
        entry["rows"] += count
        if kind != "other text" and len(entry["examples"]) < 3:
            entry["examples"].append(str(levels[i]).strip()[:12])
    return {
        "bad": bad,
        "n_numbers": int(row_number.sum()),
        "n_present": int(present.sum()),
        "levels": len(levels),
        "found": found,
    }


def _describe_numbers_as_text(column, info: dict) -> str:
    bad = info["bad"]
    parts = []
    for kind, entry in info["found"].items():
        examples = ", ".join(repr(e) for e in entry["examples"])
        parts.append(
            f"{_KIND_WORDS[kind]}{' such as ' + examples if examples else ''} "
            f"({entry['rows']} row{'s' if entry['rows'] != 1 else ''})"
        )
    if not bad.any():
        what = "every value is a number written as text"
    else:
        what = (
            f"{info['n_numbers']} of {info['n_present']} values are numbers, but "
            f"{int(bad.sum())} row(s) (row positions {_rows(bad)}, from 0) hold text that is "
            f"not a number: {'; '.join(parts)}"
        )
    return (
        f"{column!r} holds numbers stored as text ({what}); read as text it would become "
        f"a categorical predictor with {info['levels']} levels"
    )


# -- the Cohort's own checks -------------------------------------------------------------


def check_row_keys(values, argument: str, n_rows: int) -> None:
    """``ids`` must name every row once; ``groups`` must be present in every row.

    Raises
    ------
    ValueError
        Naming the row positions (never the values: they identify patients).
    """
    if values is None:
        return
    if len(values) != n_rows:
        raise ValueError(f"{argument} has {len(values)} entries but features has {n_rows} rows.")
    keys = pd.Series(np.asarray(values, dtype=object))
    absent = keys.isna().to_numpy()
    if absent.any():
        raise ValueError(
            f"{argument} is missing in {int(absent.sum())} row(s) (row positions "
            f"{_rows(absent)}, from 0): every row needs its "
            f"{'identifier' if argument == 'ids' else 'group key'}. Fill them in, or drop "
            "those rows from features and outcome together."
        )
    if argument != "ids":
        return
    repeated = keys.duplicated(keep=False).to_numpy()
    if repeated.any():
        raise ValueError(
            f"ids has {int(keys[repeated].nunique())} value(s) repeated across "
            f"{int(repeated.sum())} rows (row positions {_rows(repeated)}, from 0): ids= must "
            "identify one row each. Drop duplicated rows; if a patient has several rows "
            "(e.g. admissions), pass the admission key as ids= and the patient key as "
            "groups=, so that cross-validation keeps a patient's rows together."
        )
