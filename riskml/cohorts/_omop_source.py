"""One reading interface for an OMOP CDM: a folder of CSV/Parquet files or a database.

A folder is read through embedded DuckDB (each table a view over its file); a
``postgresql://`` connection string is read through pg8000 (BSD-3, the optional extra
``riskml[postgres]``). Both answer the same SQL (the subset that DuckDB and PostgreSQL
share: explicit ``CAST``, ``IN`` lists, temporary tables), so a cohort built from a
database equals the one built from the same tables exported to CSV.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd

__all__ = ["OmopSource"]

_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".tsv", ".tsv.gz")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _folder_tables(folder: Path) -> dict[str, Path]:
    """The OMOP tables of a folder, by lower-case table name (CONCEPT.csv -> concept)."""
    tables = {}
    for path in sorted(folder.iterdir()):
        lower = path.name.lower()
        for suffix in _SUFFIXES:
            if lower.endswith(suffix) and path.is_file():
                tables.setdefault(lower[: -len(suffix)], path)
    return tables


def _pg_connect(url: str):
    """A pg8000 connection from a ``postgresql://user:password@host:port/database`` string."""
    try:
        import pg8000.dbapi
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "reading an OMOP CDM from PostgreSQL needs the pg8000 driver (BSD-3). Fix: "
            "pip install 'riskml[postgres]' (or pip install pg8000)."
        ) from error
    parts = urlparse(url)
    return pg8000.dbapi.connect(
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password else None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        database=(parts.path or "/").lstrip("/") or None,
    )


class OmopSource:
    """An OMOP CDM to build cohorts from: a folder of files or a PostgreSQL database.

    Parameters
    ----------
    location : str or path-like
        A folder holding one file per CDM table (``person.csv``, ``CONCEPT.csv.gz``,
        ``measurement.parquet``, ...; names are matched without regard to case), read
        by embedded DuckDB; or a connection string ``postgresql://user:password@host:
        port/database``, read by pg8000 (``pip install 'riskml[postgres]'``).
    schema : str, optional
        The database schema that holds the CDM tables (PostgreSQL only; default: the
        connection's search path).

    Notes
    -----
    The tables are never written to. Only the rows a cohort needs are read: the
    concept sets' events, the observation periods and persons, and the cohort's
    persons' covariate rows.

    Examples
    --------
    >>> import riskml as rk
    >>> source = rk.cohorts.OmopSource("omop_csv/")  # doctest: +SKIP
    >>> source = rk.cohorts.OmopSource(
    ...     "postgresql://me@127.0.0.1:5432/cdm", schema="cdm54"
    ... )  # doctest: +SKIP
    """

    def __init__(self, location, schema: str | None = None):
        text = str(location)
        self.schema = schema
        if schema is not None and not _NAME.match(schema):
            raise ValueError(
                f"schema must be a plain SQL name (letters, digits, underscores); got {schema!r}."
            )
        if text.startswith(("postgresql://", "postgres://")):
            self.kind = "postgresql"
            parts = urlparse(text)  # the password stays out of reports
            self.location = f"postgresql://{parts.hostname or ''}:{parts.port or 5432}{parts.path}"
            self._connection = _pg_connect(text)
            self._connection.autocommit = True
            self._tables = self._pg_tables()
        else:
            import duckdb

            folder = Path(location)
            if not folder.is_dir():
                raise FileNotFoundError(
                    f"location {text!r} is neither a folder of OMOP CDM files nor a "
                    "postgresql:// connection string. Fix: pass the folder that holds "
                    "person.csv, observation_period.csv, ... or a connection string."
                )
            if schema is not None:
                raise ValueError("schema applies to a database; a folder has none.")
            self.kind = "folder"
            self.location = str(folder)
            self._connection = duckdb.connect()
            self._tables = {}
            for name, path in _folder_tables(folder).items():
                reader = "read_parquet" if path.name.lower().endswith(".parquet") else "read_csv"
                options = "" if reader == "read_parquet" else ", header=true"
                quoted = str(path).replace("'", "''")
                self._connection.execute(
                    f"CREATE VIEW \"{name}\" AS SELECT * FROM {reader}('{quoted}'{options})"
                )
                self._tables[name] = name
        for required in ("person", "observation_period"):
            self.require(required)

    def _pg_tables(self) -> dict[str, str]:
        schema = self.schema
        where = "table_schema = %s" if schema else "table_schema = ANY(current_schemas(false))"
        cursor = self._connection.cursor()
        cursor.execute(
            f"SELECT table_schema, table_name FROM information_schema.tables WHERE {where}",
            (schema,) if schema else (),
        )
        tables = {}
        for table_schema, name in cursor.fetchall():
            tables.setdefault(name.lower(), f'"{table_schema}"."{name}"')
        return tables

    def __repr__(self) -> str:
        where = f", schema={self.schema!r}" if self.schema else ""
        return f"OmopSource({self.location!r}{where})"

    def has(self, table: str) -> bool:
        """Whether the CDM holds ``table``."""
        return table in self._tables

    def require(self, table: str) -> str:
        """The SQL name of ``table``; a missing table is refused, naming the fix."""
        if table not in self._tables:
            place = f"schema {self.schema!r}" if self.schema else repr(self.location)
            raise ValueError(
                f"the OMOP CDM at {place} has no {table} table. Fix: "
                + (
                    f"add {table}.csv (or .csv.gz, .parquet) to the folder."
                    if self.kind == "folder"
                    else "pass schema= naming the schema that holds the CDM tables."
                )
            )
        return self._tables[table]

    def query(self, sql: str) -> pd.DataFrame:
        """The rows of ``sql`` (``{table}`` placeholders name CDM tables) as a DataFrame."""
        sql = re.sub(r"\{(\w+)\}", lambda m: self.require(m.group(1)), sql)
        if self.kind == "folder":
            return self._connection.sql(sql).df()
        cursor = self._connection.cursor()
        cursor.execute(sql)
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)

    def register_ids(self, name: str, ids) -> str:
        """A temporary one-column table ``name(id BIGINT)`` of ``ids``; returns its name."""
        values = [int(v) for v in np.unique(np.asarray(ids, dtype=np.int64))]
        if self.kind == "folder":
            self._connection.register(f"{name}_view", pd.DataFrame({"id": values}, dtype="int64"))
            self._connection.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_view"
            )
            self._connection.unregister(f"{name}_view")
            return name
        cursor = self._connection.cursor()
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMP TABLE {name} (id BIGINT)")
        cursor.execute(f"INSERT INTO {name} SELECT unnest(CAST(%s AS BIGINT[]))", (values,))
        return name

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()
