"""Load a young-hypertension cohort file (``young_htn`` schema)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ._cohort import Cohort
from ._schema import cohort_from_frame

__all__ = ["load_young_hypertension", "read_table"]


def read_table(path) -> pd.DataFrame:
    """Read a CSV (optionally compressed) or Parquet file into a DataFrame; never writes.

    Parameters
    ----------
    path : str or path-like
        ``.csv``, ``.csv.gz``, ``.csv.zip``, ``.txt`` or ``.parquet`` / ``.pq``.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"path must be a file path (str or pathlib.Path); got {type(path).__name__}."
        )
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no cohort file at {str(path)!r}.")
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path)
        except ImportError as error:
            raise ImportError(
                f"reading {path.name} needs a Parquet engine: pip install pyarrow (or save the "
                "cohort as CSV)."
            ) from error
    if any(s in (".csv", ".txt", ".tsv") for s in suffixes):
        separator = "\t" if ".tsv" in suffixes else ","
        return pd.read_csv(path, sep=separator)
    raise ValueError(
        f"cannot tell the format of {path.name!r}: expected a .csv (optionally .gz/.zip), "
        ".tsv or .parquet file."
    )


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
        58 candidate predictors, ``horizon_days`` = 1004 and the Framingham input
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
    return cohort_from_frame(
        frame,
        "young_htn",
        units=units,
        name="young_htn",
        source="a file in the young_htn schema",  # never the path: it may name a patient
    )
