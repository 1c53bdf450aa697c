"""New rows checked against the input profile of a saved model (:func:`check_inputs`)."""

from __future__ import annotations

import difflib
import os
import warnings

import numpy as np
import pandas as pd

from ..cohorts import input_profile
from ..cohorts import profile_level as _level
from ..errors import InputError, InputWarning
from ._horizon import check_horizon
from ._units import UNIT_SHARE, _best_conversion, _how, _wild_bounds
from ._wording import _fmt, _range_text, _rows_that

__all__ = ["check_inputs"]


class _Findings:
    """Problems found, one per column and kind; refused ones raise at the end."""

    def __init__(self, strict: bool):
        self.strict = strict
        self.items: list[dict] = []

    def add(self, column, problem, mask, message, *, refuse: bool):
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

    if pd.api.types.is_bool_dtype(series):
        return series.astype(float).to_numpy(), np.zeros(len(series), dtype=bool)
    text = series.map(lambda v: v.strip() if isinstance(v, str) else v).replace("", np.nan)
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna()
    return numbers.to_numpy(dtype=float, na_value=np.nan), bad.to_numpy()


def _check_numeric(name, series, entry, findings):

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
    _check_range(name, values, entry, findings)


def _check_range(name, values, entry, findings):
    """Values against the training range: another unit, impossible, or outside it."""
    finite = np.isfinite(values)
    present = finite.sum()
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
    impossible = _check_impossible(name, values, entry, findings)
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


def _check_impossible(name, values, entry, findings):
    """Values beyond the schema's hard range or far beyond the training range (refused);
    returns where they are."""
    finite = np.isfinite(values)
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
    return impossible


def _check_missing(name, series, present, entry, findings):

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
    """Categorical values against the training levels: unseen levels warned about (or
    refused when none is known), with the recoding that fixes them where it is safe."""
    levels = list(entry.get("levels") or ())
    present = series.notna().to_numpy()
    _check_missing(name, series, present, entry, findings)
    if not levels or not present.any():
        return
    labels = np.array([_level(v) if p else "" for v, p in zip(series, present, strict=True)])
    unseen = present & ~np.isin(labels, levels)
    if not unseen.any():
        return
    fixes = _level_fixes(labels[unseen].tolist(), levels)
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


def _level_fixes(unseen: list, levels: list) -> dict:
    """Unseen value -> the training level it stands for, where that is clear."""
    by_text = {level.lower().replace(" ", "").replace("_", ""): level for level in levels}
    initials = {}
    for level in levels:  # one-letter codes (M/F, Y/N): 'male' -> 'M' when the letter is unique
        if len(level) == 1 and level.isalpha():
            initials.setdefault(level.lower(), []).append(level)
    counts = {}
    for value in unseen:
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
    return fixes


def _reference(reference) -> tuple[dict, dict]:
    """(profile, model info) from a model header, a profile, a model file or training data."""

    if isinstance(reference, str | os.PathLike):
        from ..persistence import read_model_info

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
    _check_columns(frame, info, described, source, findings)
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
    _refuse(table, source, strict)
    for message in table["message"]:
        warnings.warn(
            message + " (Pass strict=True, or --strict, to refuse such rows.)",
            InputWarning,
            stacklevel=2,
        )
    return table


def _check_columns(frame, info, described, source, findings) -> None:
    """Every input column of the model is present; a model without a profile is warned
    about (only its columns can be checked)."""
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
            stacklevel=3,
        )


def _refuse(table, source, strict) -> None:
    """Raise, listing every refused problem at once, when any is."""
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
