"""What the MIMIC-IV v2.x tables hold, where they sit (``hosp/``, ``icu/``) and how they are found.

MIMIC-IV ships its tables in modules: ``hosp/`` (patients, admissions, diagnoses,
procedures, prescriptions, laboratory results, outpatient measurements) and ``icu/``
(ICU stays, chart events). :class:`Mimic4Tables` finds each table in its module's
folder (or, for a flat copy, in the folder itself), whatever the case of the file
name, as ``.csv`` or ``.csv.gz``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._mimic3_tables import GLUCOSE_CHART_ITEMS, TEMP_F_ITEMS, VITAL_ITEMS
from ._tables import RawChecker, TableSet, _head

__all__ = [
    "CHART_ITEMS",
    "CORE_TABLES",
    "MISSING_TABLE_EFFECT",
    "Mimic4Tables",
    "OMR_LOOKBACK_DAYS",
    "OMR_RESULTS",
    "OPTIONAL_COLUMNS",
    "TABLE_COLUMNS",
    "TABLE_MODULES",
]

# Each table's module and the columns load_mimic4_ami reads from it (a table without one of
# them is refused). Names as in MIMIC-IV v2.2 (v2.0 renamed admissions.ethnicity to race).
_LAYOUT = {
    "patients": ("hosp", ("subject_id", "gender", "anchor_age", "anchor_year", "dod")),
    "admissions": (
        "hosp",
        (
            "subject_id",
            "hadm_id",
            "admittime",
            "dischtime",
            "deathtime",
            "admission_type",
            "insurance",
            "marital_status",
            "race",
            "hospital_expire_flag",
        ),
    ),
    "diagnoses_icd": ("hosp", ("subject_id", "hadm_id", "seq_num", "icd_code", "icd_version")),
    "icustays": ("icu", ("subject_id", "hadm_id", "stay_id", "first_careunit", "intime", "los")),
    "procedures_icd": ("hosp", ("hadm_id", "icd_code", "icd_version")),
    "prescriptions": ("hosp", ("hadm_id", "starttime", "drug")),
    "labevents": ("hosp", ("subject_id", "itemid", "charttime", "value", "valuenum")),
    "omr": ("hosp", ("subject_id", "chartdate", "result_name", "result_value")),
    "chartevents": ("icu", ("hadm_id", "itemid", "charttime", "valuenum")),
    "d_labitems": ("hosp", ("itemid", "label")),
}
#: The module folder (``hosp`` or ``icu``) of each table.
TABLE_MODULES = {table: module for table, (module, _) in _LAYOUT.items()}
#: Tables without which no cohort can be built (absent: FileNotFoundError; no rows: SchemaError).
CORE_TABLES = ("patients", "admissions", "diagnoses_icd", "icustays")
#: What an absent (or header-only) predictor table means for the cohort (a warning).
MISSING_TABLE_EFFECT = {
    "chartevents": "the first-day vital signs (heart rate, blood pressures, respiratory rate, "
    "temperature, SpO2) are left out and glucose uses laboratory values only",
    "labevents": "the first-day laboratory values (creatinine, troponin T, ...) are left out",
    "omr": "the outpatient measurements before admission (blood pressure, weight, BMI) are "
    "left out",
    "prescriptions": "the medication flags are left out",
    "procedures_icd": "the procedure flags are left out",
}
#: The columns read from the tables that must be there, and from the optional ones.
TABLE_COLUMNS = {t: _LAYOUT[t][1] for t in CORE_TABLES}
OPTIONAL_COLUMNS = {t: columns for t, (_, columns) in _LAYOUT.items() if t not in CORE_TABLES}
#: Columns read when a table has them (labevents.comments holds "<0.01" troponin results).
EXTRA_COLUMNS = {"labevents": ("comments",), "patients": ("anchor_year_group",)}

# First-day vitals: MIMIC-IV charts with MetaVision item ids only (>= 220000), the same ids and
# sanity bounds as the MIMIC-III recipe (mimic-code vitals_first_day / vitalsign).
CHART_ITEMS = tuple(
    sorted(
        i
        for i in (
            {i for ids, _ in VITAL_ITEMS.values() for i in ids}
            | set(TEMP_F_ITEMS)
            | set(GLUCOSE_CHART_ITEMS)
        )
        if i >= 220000
    )
)

# Outpatient measurements (hosp/omr): feature -> the result names read (blood pressure is
# written "systolic/diastolic", in any position; weight in pounds). Names without a unit
# ("Weight", "BMI") are not read.
OMR_RESULTS = {
    "blood_pressure": "Blood Pressure%",
    "weight_lbs": "Weight (Lbs)",
    "bmi": "BMI (kg/m2)",
}
#: The most recent outpatient value in this many days before the day of admission is kept.
OMR_LOOKBACK_DAYS = 365


class Mimic4Tables(TableSet):
    """The MIMIC-IV tables under one folder, in ``hosp/`` and ``icu/`` or side by side.

    Parameters
    ----------
    directory : path-like
        The MIMIC-IV folder (the one holding ``hosp/`` and ``icu/``).
    """

    def __init__(self, directory):
        if not isinstance(directory, str | os.PathLike):
            raise TypeError(
                f"directory must be a folder path (str or pathlib.Path); got "
                f"{type(directory).__name__}."
            )
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise FileNotFoundError(f"no directory at {str(self.directory)!r}.")
        self.columns = {**TABLE_COLUMNS, **OPTIONAL_COLUMNS}
        self.paths = {}
        missing = []
        for name in self.columns:
            found = self._find(name)
            if found is not None:
                self.paths[name] = found
            elif name in CORE_TABLES:
                missing.append(name)
        if missing:
            expected = ", ".join(f"{TABLE_MODULES[t]}/{t}.csv.gz" for t in missing)
            raise FileNotFoundError(
                f"{self.directory} lacks the MIMIC-IV table(s) {missing}: expected {expected} "
                "(or .csv, any case) under the MIMIC-IV folder, which holds hosp/ and icu/. Fix: "
                "pass the folder that holds hosp/ and icu/ (e.g. physionet.org/files/mimiciv/2.2)."
            )

    def _find(self, name: str) -> Path | None:
        for folder in (self.directory / TABLE_MODULES[name], self.directory):
            if not folder.is_dir():
                continue
            files = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
            found = files.get(f"{name}.csv") or files.get(f"{name}.csv.gz")
            if found is not None:
                return found
        return None

    def where(self, name: str) -> str:
        """The table's file as the user sees it, e.g. ``hosp/labevents.csv.gz``."""
        path = self.paths.get(name)
        if path is None:
            return f"{TABLE_MODULES[name]}/{name}.csv.gz"
        return path.relative_to(self.directory).as_posix()

    def check_headers(self, check: RawChecker, *, must_have_rows=CORE_TABLES) -> list[str]:
        """Report every needed column a table's header lacks; return the header-only tables
        that are not core tables (a core table without rows is a problem)."""
        header_only = []
        for name, path in self.paths.items():
            if path.stat().st_size == 0:
                check.add(
                    name,
                    "a non-empty file",
                    detail=f"{self.where(name)} is empty (0 bytes).",
                    fix=f"download {self.where(name)} again from PhysioNet.",
                )
                continue
            header, has_rows = _head(path, name)
            if not has_rows:
                if name in must_have_rows:
                    check.add(
                        name,
                        "at least one data row",
                        detail=f"{self.where(name)} has a header but no rows.",
                        fix=f"download {self.where(name)} again (an interrupted download or "
                        "export leaves only the header).",
                    )
                else:
                    header_only.append(name)
            for column in self.columns[name]:
                if column not in header:
                    check.add(
                        f"{name}.{column}",
                        "required column missing",
                        detail=f"{self.where(name)} has the columns {header}.",
                        fix=f"use the MIMIC-IV v2.x {name} table (column names in any case).",
                    )
            for column in EXTRA_COLUMNS.get(name, ()):
                if column in header and column not in self.columns[name]:
                    self.columns[name] = (*self.columns[name], column)
        return header_only
