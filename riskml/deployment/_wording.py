"""How deployment messages name rows and ranges: counts and row numbers, never a
patient value."""

from __future__ import annotations

import numpy as np

__all__ = []


def _finite(values):

    values = np.asarray(values, dtype=float)
    return values[np.isfinite(values)]


# -- checking new rows against the profile ------------------------------------------------


def _fmt(value) -> str:
    return "?" if value is None else f"{float(value):.4g}"


def _rows(mask, limit: int = 5) -> str:
    """'3 rows (first rows: 4, 9, 12)', rows counted from 1 = the first data row."""

    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    shown = ", ".join(str(int(p) + 1) for p in positions[:limit])
    more = ", ..." if positions.size > limit else ""
    noun = "row" if positions.size == 1 else "rows"
    return f"{positions.size} {noun} (first {noun}: {shown}{more})"


def _rows_that(mask, singular: str, plural: str) -> str:
    """'1 row (first row: 4) holds' / '3 rows (first rows: 4, 9, 12) hold'."""

    many = int(np.count_nonzero(np.asarray(mask, dtype=bool))) != 1
    return f"{_rows(mask)} {plural if many else singular}"


def _range_text(entry: dict) -> str:
    unit = f" {entry['unit']}" if entry.get("unit") else ""
    text = f"{_fmt(entry.get('min'))} to {_fmt(entry.get('max'))}{unit}"
    if entry.get("low") is not None and entry.get("high") is not None:
        text += f" (99% of training patients {_fmt(entry['low'])} to {_fmt(entry['high'])})"
    return text
