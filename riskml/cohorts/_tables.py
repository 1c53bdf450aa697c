"""Read raw CSV tables (MIMIC-style) with DuckDB: case-insensitive headers, push-down filters.

Small tables are read into pandas as text and parsed here; big tables
(CHARTEVENTS, LABEVENTS) are only ever scanned by DuckDB, which streams the file
and returns the rows that pass the filters, so memory does not grow with the
size of the file.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ._schema import SchemaError, SchemaProblem, _examples, _plain

__all__ = ["RawChecker", "TableSet", "connect"]

_MAX_IDS = 5


def connect(memory_limit: str | None = "2GB", threads: int | None = None):
    """An in-memory DuckDB connection with a memory cap and a private spill folder.

    Returns ``(connection, spill_directory)``; remove the folder when done.
    """
    import duckdb

    connection = duckdb.connect(":memory:")
    spill = tempfile.mkdtemp(prefix="riskml-duckdb-")
    connection.execute(f"SET temp_directory = '{_quote(spill)}'")
    connection.execute("SET preserve_insertion_order = false")
    if memory_limit is not None:
        connection.execute(f"SET memory_limit = '{_quote(str(memory_limit))}'")
    if threads is not None:
        connection.execute(f"SET threads = {int(threads)}")
    return connection, spill


def _quote(text: str) -> str:
    return text.replace("'", "''")


def read_header(path: Path) -> list[str]:
    """The lower-cased column names of a CSV file (plain or gzip)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        line = handle.readline()
    return [c.strip().strip('"').strip().lower() for c in line.rstrip("\r\n").split(",")]


class TableSet:
    """The tables of one directory, located by name whatever the case and compression.

    Parameters
    ----------
    directory : path-like
    required : dict
        Table name (upper case) -> columns the loader reads.
    optional : dict
        The same, for tables that may be absent.
    """

    def __init__(self, directory, required: dict, optional: dict | None = None):
        if not isinstance(directory, str | os.PathLike):
            raise TypeError(
                f"directory must be a folder path (str or pathlib.Path); got "
                f"{type(directory).__name__}."
            )
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise FileNotFoundError(f"no directory at {str(self.directory)!r}.")
        files = {p.name.lower(): p for p in self.directory.iterdir() if p.is_file()}
        self.paths = {}
        self.columns = dict(required)
        self.columns.update(optional or {})
        missing = []
        for name in self.columns:
            found = files.get(f"{name.lower()}.csv") or files.get(f"{name.lower()}.csv.gz")
            if found is not None:
                self.paths[name] = found
            elif name in required:
                missing.append(name)
        if missing:
            raise FileNotFoundError(
                f"{self.directory} lacks the table(s) {missing}: expected files such as "
                f"{missing[0]}.csv or {missing[0]}.csv.gz (any case). Files found: "
                f"{sorted(p.name for p in files.values())[:20]}."
            )

    def __contains__(self, name: str) -> bool:
        return name in self.paths

    def check_headers(self, check: RawChecker) -> None:
        """Report every needed column that a table's header lacks."""
        for name, path in self.paths.items():
            header = read_header(path)
            for column in self.columns[name]:
                if column not in header:
                    check.add(
                        f"{name}.{column}",
                        "required column missing",
                        detail=f"{path.name} has the columns {header}.",
                        fix=f"export {name} with its MIMIC-III v1.4 columns (names in any case).",
                    )

    def source(self, name: str, *, all_varchar: bool = True) -> str:
        """The ``read_csv(...)`` table expression of one table, for a DuckDB query."""
        options = "header = true, delim = ',', quote = '\"', escape = '\"'"
        if all_varchar:
            options += ", all_varchar = true"
        return f"read_csv('{_quote(str(self.paths[name]))}', {options})"

    def read(self, connection, name: str, columns=None, where: str = "") -> pd.DataFrame:
        """Columns of one table as text (pandas object columns, None for empty fields)."""
        columns = list(columns or self.columns[name])
        select = ", ".join(f'"{c}" AS "{c}"' for c in columns)
        frame = connection.sql(f"SELECT {select} FROM {self.source(name)} t {where}").df()
        frame.columns = columns
        return frame


class RawChecker:
    """Collects problems found in raw tables and raises them together as a SchemaError."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[SchemaProblem] = []

    def add(self, column, rule, *, mask=None, ids=None, id_label="row position", detail="", fix=""):
        row_ids, n_rows = (), None
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            n_rows = int(mask.sum())
            positions = np.flatnonzero(mask)
            if ids is None:
                row_ids = tuple(int(p) for p in positions[:_MAX_IDS])
            else:  # distinct ids: several rows of one admission name it once
                values = (_id(v) for v in np.asarray(ids)[positions[: 50 * _MAX_IDS]])
                row_ids = tuple(dict.fromkeys(values))[:_MAX_IDS]
        self.problems.append(
            SchemaProblem(
                column=column,
                rule=rule,
                n_rows=n_rows,
                row_ids=row_ids,
                id_label=id_label if ids is not None else "row position",
                detail=detail,
                fix=fix,
            )
        )

    def raise_if_any(self) -> None:
        if self.problems:
            raise SchemaError(self.problems, self.source)


def _id(value):
    """An identifier for a message: 165520.0 (read as a float) shows as 165520."""
    value = _plain(value)
    return int(value) if isinstance(value, float) and value.is_integer() else value


def parse_times(
    frame: pd.DataFrame,
    table: str,
    columns,
    check: RawChecker,
    *,
    id_column: str,
    date_only: bool = False,
) -> None:
    """Parse ``YYYY-MM-DD[ HH:MM:SS]`` text columns in place; report what does not parse."""
    for column in columns:
        text = frame[column].map(lambda v: v.strip() if isinstance(v, str) else v)
        text = text.where(text.notna() & (text != ""), None)
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        bad = (parsed.isna() & text.notna()).to_numpy()
        if bad.any():
            check.add(
                f"{table}.{column}",
                f"{'date' if date_only else 'datetime'} values (YYYY-MM-DD HH:MM:SS)",
                mask=bad,
                ids=frame[id_column].to_numpy(),
                id_label=id_column,
                detail=f"Found {_examples(text[bad])}, which is not a valid date and time.",
                fix="restore the value from the original MIMIC-III file (check for impossible "
                "days or months and for day/month swaps).",
            )
        frame[column] = parsed


def numbers(values: pd.Series) -> pd.Series:
    """Text to float, with empty or non-numeric text as NaN."""
    return pd.to_numeric(values, errors="coerce").astype(float)


def remove_spill(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
