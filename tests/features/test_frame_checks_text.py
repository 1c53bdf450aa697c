"""The check for numbers stored as text parses each distinct value once.

Oracle: ``pandas.to_numeric(column, errors="coerce")`` row by row, the check's earlier
form: the same rows are read as numbers, so the same error, warning or silence follows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from riskml.features._frame_checks import _check_numbers_as_text

VALUES = ["3", " 4", "1e5", "inf", "nan", "NA", "male", "female", "", "-2.5", "0x1"]


def _outcome(column):
    """What the check does: ('error', message), ('warning', message) or ('silent', '')."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            _check_numbers_as_text(column, "x", "test")
        except TypeError as error:
            return "error", str(error)
    return ("warning", str(caught[0].message)) if caught else ("silent", "")


def _reference(column):
    """The same decision from flags computed on every row (the earlier implementation)."""
    present = column.notna().to_numpy()
    numbers = pd.to_numeric(column, errors="coerce").notna().to_numpy() & present
    return numbers, present & ~numbers


@pytest.mark.parametrize("seed", range(20))
def test_distinct_value_parsing_equals_row_by_row(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(5, 60))
    pool = rng.choice(VALUES, size=int(rng.integers(1, len(VALUES))), replace=False)
    values = rng.choice(pool, size=size).astype(object)
    values[rng.random(size) < 0.2] = None
    column = pd.Series(values, dtype=object)
    numbers, text = _reference(column)
    kind, message = _outcome(column)
    if numbers.sum() == 0:
        assert kind == "silent"
    elif text.sum() == 0:
        assert kind in ("silent", "error")  # error only beyond 20 distinct numbers
    elif numbers.sum() >= text.sum():
        assert kind == "error"
        assert f"({int(numbers.sum())} values read as numbers)" in message
        assert f"{int(text.sum())} value(s) are not numbers" in message
        assert str(np.flatnonzero(text)[:5].tolist()) in message
    else:
        assert kind == "warning"
        assert f"{int(numbers.sum())} of its values read as numbers" in message
        assert str(np.flatnonzero(numbers)[:5].tolist()) in message
