"""Shared pieces of the report sections: display constants, tables of display strings,
pipeline steps and the levels the report never prints.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ._format import (
    fmt,
    fmt_value,
)

#: Columns shown as whole numbers.
COUNT_COLUMNS = {"n", "events", "fits", "n_boot", "excluded", "remaining", "n_degenerate"}
TOP_SHAP = 15
TOP_PATIENT = 10
TOP_COEFFICIENTS = 40
#: Risk thresholds at which the net benefit is tabulated.
NET_BENEFIT_THRESHOLDS = (0.05, 0.10, 0.20)
#: Packages whose versions the reproducibility section lists.
PACKAGES = (
    "riskml",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "xgboost",
    "lifelines",
    "shap",
    "matplotlib",
)


def _table(frame: pd.DataFrame | None, columns=None) -> dict | None:
    """A DataFrame as {columns, rows} of display strings (numbers to 3 decimals)."""
    if frame is None or len(frame) == 0:
        return None
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, record, strict=False):
            if (
                str(column) in COUNT_COLUMNS
                and isinstance(value, float | np.floating)
                and float(value).is_integer()
            ):
                cells.append(f"{int(value):,}")
            elif isinstance(value, float | np.floating):
                cells.append(fmt(value))
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                cells.append("")
            else:
                cells.append(str(value))
        rows.append(cells)
    return {"columns": [str(c) for c in frame.columns], "rows": rows}


def _step(pipeline, name):
    steps = dict(getattr(pipeline, "steps", []) or [])
    return steps.get(name)


def _final(pipeline):
    steps = getattr(pipeline, "steps", None)
    return steps[-1][1] if steps else pipeline


# --- levels the report never prints ------------------------------------------------------

#: What the report prints instead of a category level that Table 1 does not list.
UNLISTED_LEVEL = "a level not listed"


def _listed_levels(result) -> dict:
    """Input column -> the levels Table 1 lists by name (an empty set: none of them).

    Table 1 (``Cohort.table_one(min_count=REPORT_MIN_COUNT)``) lists no level of a
    categorical with more than ``MAX_TABLE_LEVELS`` levels and shows levels seen in
    fewer than ``REPORT_MIN_COUNT`` patients together as "other (k levels)"; the
    rest of the report follows it, so that a rare level (a postcode, a date) that
    singles a patient out is printed nowhere.
    """
    table = getattr(result, "table_one", None)
    if not isinstance(table, pd.DataFrame) or not len(table):
        return {}
    listed = {}
    for variable, rows in table.groupby("variable", sort=False):
        statistics = set(rows["statistic"].astype(str))
        if "distinct levels" in statistics:
            listed[str(variable)] = set()
        elif "n (%)" in statistics:
            listed[str(variable)] = {
                str(level) for level in rows["level"] if not str(level).startswith("other (")
            }
    return listed


def hidden_levels(result) -> dict:
    """Input column -> the levels (as text) that the fitted models know but Table 1 does
    not list: the report never prints them."""
    listed = _listed_levels(result)
    hidden = {}
    for pipeline in (getattr(result, "fitted_models", None) or {}).values():
        levels = getattr(_step(pipeline, "preprocess"), "levels_", None)
        if not isinstance(levels, dict):
            continue
        for column, values in levels.items():
            if str(column) not in listed:
                continue
            for level in values:
                if str(level) not in listed[str(column)]:
                    hidden.setdefault(str(column), set()).add(str(level))
    return hidden


def level_masker(result):
    """A function that replaces, in a text, every mention of a level that Table 1
    does not list: a model column (``area_AB12``), ``area (AB12)`` and ``area = AB12``
    all become ``area (a level not listed)``."""
    hidden = hidden_levels(result)
    names = {}
    for column, levels in hidden.items():
        for level in levels:
            for form in (f"{column}_{level}", f"{column} ({level})", f"{column} = {level}"):
                names[form] = f"{column} ({UNLISTED_LEVEL})"
    if not names:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda m: names[m.group(0)], str(text))


def _reference_text(column, level, hidden: dict) -> str:
    if str(level) in hidden.get(str(column), ()):
        return UNLISTED_LEVEL
    return fmt_value(level)


# --- where the risks come from -------------------------------------------------------------


def is_saved_model_validation(result) -> bool:
    """Whether ``result`` is the external validation of a saved model (``riskml
    validate``): its risks come from a model file applied unchanged, not from fits made
    inside cross-validation folds. Such a result carries ``model_file``, the file's
    header."""
    return isinstance(getattr(result, "model_file", None), dict)


def predictions_words(result) -> str:
    """How a caption names the risks the metrics are computed on."""
    return (
        "saved model's predictions"
        if is_saved_model_validation(result)
        else "out-of-fold predictions"
    )


def risk_words(result) -> str:
    """How a caption names one model's predicted risk."""
    return "predicted risk" if is_saved_model_validation(result) else "out-of-fold predicted risk"
