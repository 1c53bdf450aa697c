"""Helpers shared by the synthetic cohort generators."""

from __future__ import annotations

import numpy as np


def with_missing(values, rows):
    """``values`` with ``rows`` made missing: None in text, NaN in numbers (a new array)."""
    values = np.asarray(values)
    if values.dtype.kind in "OUS":
        out = values.astype(object)
        out[rows] = None
        return out
    out = values.astype(float)
    out[rows] = np.nan
    return out
