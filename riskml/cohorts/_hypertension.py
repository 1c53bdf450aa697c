"""Load a young-hypertension cohort file (``young_htn`` schema)."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pandas as pd

from ._cohort import Cohort
from ._schema import cohort_from_frame
from ._tables import TableReadError, reading, warn_if_no_events

__all__ = ["load_young_hypertension", "read_table"]


def read_table(path) -> pd.DataFrame:
    """Read a CSV (optionally compressed) or Parquet file into a DataFrame; never writes.

    Parameters
    ----------
    path : str or path-like
        ``.csv``, ``.csv.gz``, ``.csv.zip``, ``.txt``, ``.tsv`` or ``.parquet`` / ``.pq``.

    Raises
    ------
    FileNotFoundError
        When there is no file at ``path``.
    TableReadError
        (a ``ValueError``) When the file is empty, has a header but no rows, is not
        UTF-8 text, is a truncated or mislabelled ``.gz``/``.zip``, is not a
        well-formed CSV table or has a column name twice; the message names the
        file and the fix and never quotes its content.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"path must be a file path (str or pathlib.Path); got {type(path).__name__}."
        )
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no cohort file at {str(path)!r}" + (" (it is a folder)." if path.is_dir() else ".")
        )
    suffixes = [s.lower() for s in path.suffixes]
    tabular = any(s in (".csv", ".txt", ".tsv") for s in suffixes)
    parquet = bool(suffixes) and suffixes[-1] in (".parquet", ".pq")
    if not (tabular or parquet):
        raise ValueError(
            f"cannot tell the format of {path.name!r}: expected a .csv (optionally .gz/.zip), "
            ".tsv or .parquet file."
        )
    if path.stat().st_size == 0:
        raise TableReadError(
            f"{path.name} is empty (0 bytes). Fix: export the cohort again with a header row "
            "and one row per patient."
        )
    if parquet:
        try:
            frame = pd.read_parquet(path)
        except ImportError as error:
            raise ImportError(
                f"reading {path.name} needs a Parquet engine: pip install pyarrow (or save the "
                "cohort as CSV)."
            ) from error
        except (OSError, ValueError) as error:
            raise TableReadError(
                f"{path.name} is not a readable Parquet file ({type(error).__name__}). Fix: "
                "write it again (e.g. DataFrame.to_parquet), or save the cohort as CSV."
            ) from None
    else:
        separator = "\t" if ".tsv" in suffixes else ","
        try:
            with reading(path):
                frame = pd.read_csv(path, sep=separator, encoding="utf-8")
        except zipfile.BadZipFile:
            raise TableReadError(
                f"{path.name} is named .zip but is not a readable zip archive (truncated, or "
                "another format). Fix: rename or re-create it, or save the cohort as plain CSV."
            ) from None
        except ValueError as error:
            if isinstance(error, TableReadError):
                raise
            raise TableReadError(
                f"{path.name} could not be read as {'tab' if separator != ',' else 'comma'}"
                f"-separated text ({type(error).__name__}). Fix: check the compression suffix "
                "(.gz, .zip) and that the file is a single CSV table."
            ) from None
        _check_header(frame, path)
    if frame.empty:
        raise TableReadError(
            f"{path.name} has a header but no data rows ({frame.shape[1]} columns, 0 rows). "
            "Fix: export the cohort again with its rows (an interrupted export leaves only "
            "the header)."
        )
    return frame


def _check_header(frame: pd.DataFrame, path: Path) -> None:
    """Column names read twice come back from pandas as ``name.1``: refuse them."""
    names = [str(c) for c in frame.columns]
    copies = sorted(
        {
            n.rsplit(".", 1)[0]
            for n in names
            if re.fullmatch(r".+\.\d+", n) and n.rsplit(".", 1)[0] in names
        }
    )
    if copies:
        shown = copies[:10] + ([f"... ({len(copies) - 10} more)"] if len(copies) > 10 else [])
        raise TableReadError(
            f"{path.name} names column(s) {shown} more than once in its header. Fix: keep one "
            "column per name (rename or delete the copies) and load it again."
        )
    if len(names) == 1:
        for separator, label in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if separator in names[0]:
                raise TableReadError(
                    f"{path.name} has one column whose name holds {label}s: it looks "
                    f"{label}-separated, not comma-separated. Fix: save it as comma-separated "
                    "values (or name it .tsv if tab-separated) and load it again."
                )
    unnamed = [i for i, n in enumerate(names) if n.startswith("Unnamed: ")]
    if unnamed and len(unnamed) == len(names):
        raise TableReadError(
            f"{path.name} has no header row names. Fix: make the first line the column names."
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
    cohort = cohort_from_frame(
        frame,
        "young_htn",
        units=units,
        name="young_htn",
        source="a file in the young_htn schema",  # never the path: it may name a patient
    )
    warn_if_no_events(cohort, Path(path).name)
    return cohort
