"""Read raw CSV tables (MIMIC-style) with DuckDB: case-insensitive headers, push-down filters.

Small tables are read into pandas as text and parsed here; big tables
(CHARTEVENTS, LABEVENTS) are only ever scanned by DuckDB, which streams the file
and returns the rows that pass the filters, so memory does not grow with the
size of the file.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import shutil
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from ..utils.validation import check_file
from ._schema_model import SchemaError, SchemaProblem, _examples, _plain

__all__ = [
    "RawChecker",
    "TableReadError",
    "TableSet",
    "connect",
    "read_table",
    "reading",
    "warn_if_no_events",
]

_MAX_IDS = 5


class TableReadError(ValueError):
    """A data file that cannot be read: empty, not UTF-8, truncated or mislabelled
    compression, or not a well-formed CSV table.

    The message names the file (and the table), what is wrong and the fix; it
    never quotes the file's content, so no patient value or identifier leaks
    into logs.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from riskml.cohorts import TableReadError, read_table
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     empty = Path(folder) / "empty.csv"
    ...     _ = empty.write_text("")
    ...     try:
    ...         read_table(empty)
    ...     except TableReadError as error:
    ...         print(error)
    empty.csv is empty (0 bytes). Fix: export the cohort again with a header row and one row per patient.
    """


def first_non_utf8_line(path: Path) -> int | None:
    """The 1-based number of the first line that is not valid UTF-8 (None if all are)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with contextlib.suppress(OSError, EOFError, zlib.error), opener(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def read_error(error: BaseException, path: Path, table: str | None = None) -> TableReadError:
    """A :class:`TableReadError` explaining why ``path`` could not be read.

    ``error`` is the exception of pandas, DuckDB, gzip, zlib or the codec; only
    its kind (and a line number) is used, never its text, which may quote rows.
    """
    name = path.name
    what = f"{name} ({table} table)" if table else name
    text = str(error).lower()
    gz = name.lower().endswith(".gz")
    encoding, line = _encoding_problem(error, text, path)
    if encoding:
        where = f" (first at line {line})" if line else ""
        return TableReadError(
            f"{what} holds bytes that are not UTF-8 text{where}, e.g. accented letters saved "
            "as Latin-1 or Windows-1252. Fix: re-save the file as UTF-8 (in Excel: 'CSV UTF-8'; "
            f"or iconv -f latin1 -t utf-8 {name} > {name}.utf8), then load it again."
        )
    if isinstance(error, gzip.BadGzipFile) or (gz and "not a gzip" in text):
        return TableReadError(
            f"{what} is named .gz but is not gzip-compressed. Fix: rename it without .gz "
            f"(e.g. {name[:-3]}), or compress it with gzip."
        )
    if _is_truncated(error, text, gz):
        return TableReadError(
            f"{what} is truncated or damaged (its compressed data ends early or is corrupt). "
            "Fix: copy or download it again and compare its size or checksum with the source "
            "(MIMIC-III ships SHA256SUMS.txt)."
        )
    if isinstance(error, pd.errors.EmptyDataError) or "no columns to parse" in text:
        return TableReadError(
            f"{what} is empty (no header and no rows). Fix: export it again with its header "
            "row and one row per record."
        )
    if _is_malformed_csv(error, text):
        match = re.search(r"line:?\s*(\d+)", text)
        where = f" (near line {match.group(1)})" if match else ""
        return TableReadError(
            f"{what} is not a well-formed CSV table{where}: rows with more or fewer fields than "
            "the header, or an unclosed quote. Fix: re-export it as comma-separated values with "
            "one header row, and quote text fields that contain commas."
        )
    return TableReadError(
        f"{what} could not be read ({type(error).__name__}). Fix: check that it is a "
        "comma-separated text file (optionally .gz) that other programs can open."
    )


def _encoding_problem(error: BaseException, text: str, path: Path) -> tuple[bool, int | None]:
    """Whether ``error`` is about text that is not UTF-8, and the first such line of ``path``."""
    if isinstance(error, UnicodeDecodeError):
        return True, first_non_utf8_line(path)
    if any(hint in text for hint in ("unicode", "utf", "encoding")):
        line = first_non_utf8_line(path)  # DuckDB names the encoding in many messages
        return line is not None, line
    return False, None


def _is_truncated(error: BaseException, text: str, gz: bool) -> bool:
    """Whether ``error`` says that compressed data ends early or is corrupt."""
    return (
        isinstance(error, EOFError | zlib.error)
        or "end of gzip" in text
        or "end-of-stream" in text
        or (gz and ("gzip" in text or "inflate" in text or "zlib" in text))
    )


def _is_malformed_csv(error: BaseException, text: str) -> bool:
    """Whether ``error`` says that the file is not a well-formed CSV table."""
    return (
        isinstance(error, pd.errors.ParserError)
        or "csv" in text
        or "sniff" in text
        or "columns" in text
        or "quote" in text
    )


@contextlib.contextmanager
def reading(path: Path, table: str | None = None):
    """Re-raise errors of reading ``path`` as :class:`TableReadError`, with context.

    A DuckDB query interrupted by Ctrl-C surfaces as ``KeyboardInterrupt``.
    """
    import duckdb

    try:
        yield
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    except TableReadError:
        raise
    except (
        UnicodeDecodeError,
        OSError,
        EOFError,
        zlib.error,
        duckdb.Error,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
    ) as error:
        if isinstance(error, FileNotFoundError | PermissionError | IsADirectoryError):
            raise
        raise read_error(error, Path(path), table) from None


def warn_if_no_events(cohort, source: str) -> None:
    """Warn when a loaded cohort has no event at all (nothing can be learned from it)."""
    event = np.asarray(cohort.outcome.event, dtype=float)
    if len(event) and not np.nansum(event):
        warnings.warn(
            f"{source}: the outcome {cohort.outcome.name!r} has no event in {len(event)} "
            "rows, so no model can be fitted or evaluated on it. Check the outcome column "
            "(events coded 1, non-events 0) and that the file is the full cohort, not a "
            "filtered subset.",
            UserWarning,
            stacklevel=3,
        )


def connect(memory_limit: str | None = "2GB", threads: int | None = None):
    """An in-memory DuckDB connection with a memory cap and a private spill folder.

    Returns ``(connection, spill_directory)``; remove the folder when done.
    """
    import duckdb

    connection = duckdb.connect(":memory:")
    spill = tempfile.mkdtemp(prefix="riskml-duckdb-")
    try:
        connection.execute(f"SET temp_directory = '{_quote(spill)}'")
        connection.execute("SET preserve_insertion_order = false")
        if memory_limit is not None:
            connection.execute(f"SET memory_limit = '{_quote(str(memory_limit))}'")
        if threads is not None:
            connection.execute(f"SET threads = {int(threads)}")
    except BaseException:  # an interrupt or a bad setting: leave no folder behind
        connection.close()
        remove_spill(spill)
        raise
    return connection, spill


def _quote(text: str) -> str:
    return text.replace("'", "''")


def read_header(path: Path, table: str | None = None) -> list[str]:
    """The lower-cased column names of a CSV file (plain or gzip)."""
    return _head(path, table)[0]


def _head(path: Path, table: str | None = None) -> tuple[list[str], bool]:
    """The lower-cased header of a CSV file and whether a data row follows it."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with reading(path, table), opener(path, "rt", encoding="utf-8", newline="") as handle:
        line = handle.readline()
        has_rows = any(row.strip() for row in _first(handle, 5))
    header = [c.strip().strip('"').strip().lower() for c in line.rstrip("\r\n").split(",")]
    return header, has_rows


def _first(handle, n: int):
    for _ in range(n):
        row = handle.readline()
        if not row:
            return
        yield row


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

    def check_headers(self, check: RawChecker, *, must_have_rows=()) -> list[str]:
        """Report every needed column that a table's header lacks.

        An empty file is one problem (not one per column); a header without rows
        is a problem for the tables in ``must_have_rows``. Returns the names of
        the other tables that have a header but no rows.
        """
        header_only = []
        for name, path in self.paths.items():
            if path.stat().st_size == 0:
                check.add(
                    name,
                    "a non-empty file",
                    detail=f"{path.name} is empty (0 bytes).",
                    fix=f"export {name} again with its header row and its rows.",
                )
                continue
            header, has_rows = _head(path, name)
            if not has_rows:
                if name in must_have_rows:
                    check.add(
                        name,
                        "at least one data row",
                        detail=f"{path.name} has a header but no rows.",
                        fix=f"export {name} with its rows (an interrupted export leaves only "
                        "the header).",
                    )
                else:
                    header_only.append(name)
            for column in self.columns[name]:
                if column not in header:
                    check.add(
                        f"{name}.{column}",
                        "required column missing",
                        detail=f"{path.name} has the columns {header}.",
                        fix=f"export {name} with its MIMIC-III v1.4 columns (names in any case).",
                    )
        return header_only

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
        with reading(self.paths[name], name):
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

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from riskml.cohorts import read_table
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "patients.csv"
    ...     _ = path.write_text("age,sbp\\n61,140\\n47,128\\n")
    ...     read_table(path)
       age  sbp
    0   61  140
    1   47  128
    """
    path = check_file(path, "cohort file")
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
