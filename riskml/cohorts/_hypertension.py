"""Load a young-hypertension cohort file (``young_htn`` schema)."""

from __future__ import annotations

from pathlib import Path

from ._cohort import Cohort
from ._schema import cohort_from_frame
from ._tables import read_table, warn_if_no_events

__all__ = ["load_young_hypertension"]


def load_young_hypertension(path, *, units=None) -> Cohort:
    """Load and validate a young-hypertension cohort file.

    Parameters
    ----------
    path : str or path-like
        A CSV or Parquet file with one row per patient and the columns of the
        ``young_htn`` schema (``riskml.cohorts.load_schema("young_htn")``). The
        file is only read.
    units : None, "SI" or dict, optional
        Units of columns that are not in riskml's canonical units (mg/dL for
        cholesterol, glucose, triglycerides, creatinine and uric acid; g/dL for
        hemoglobin), e.g. ``{"total_chol": "mmol/L"}``, or ``"SI"`` for a file in
        SI units throughout. They are converted on load.

    Returns
    -------
    cohort : Cohort
        Time-to-event outcome (``composite_time_days``, ``composite_event``), the
        58 candidate predictors, ``horizon`` = 1004 and the Framingham input
        mapping (``cohort.framingham_inputs``).

    Raises
    ------
    SchemaError
        When the file breaks the schema; every problem is listed, with the rows
        and the fix (for instance a cholesterol column in mmol/L that was not
        declared in ``units``).

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_young_hypertension("cohort.csv", units="SI")  # doctest: +SKIP
    """
    frame = read_table(path)
    cohort = cohort_from_frame(
        frame,
        "young_htn",
        units=units,
        name="young_htn",
        source="a file in the young_htn schema",  # never the path: it may name a patient
    )
    warn_if_no_events(cohort, Path(path).name)
    return cohort
