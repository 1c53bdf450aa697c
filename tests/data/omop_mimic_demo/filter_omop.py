"""Make the adapted OMOP demo copies in tests/data/omop_mimic_demo and tests/data/omop_synthea27nj.

Run from the repository root with the two source folders (the MIMIC-IV demo in OMOP, gzipped CSV
files; the Synthea 27 NJ CDM 5.4, the unzipped CSV files)::

    python tests/data/omop_mimic_demo/filter_omop.py /path/to/omop-mimic-iv-demo-0.9 /path/to/Synthea27Nj_5.4

Every row of the tables that riskml.cohorts.build_omop_cohort reads is kept, with only the columns
it reads; the concept table keeps the rows of the concepts that those tables name. Every field is
kept as text, and written gzipped without a timestamp, so that the output is reproducible.
"""

import gzip
import sys
from pathlib import Path

import duckdb

HERE = Path(__file__).parent
COLUMNS = {
    "person": ["person_id", "gender_concept_id", "year_of_birth"],
    "observation_period": [
        "person_id",
        "observation_period_start_date",
        "observation_period_end_date",
    ],
    "condition_occurrence": ["person_id", "condition_concept_id", "condition_start_date"],
    "drug_exposure": ["person_id", "drug_concept_id", "drug_exposure_start_date"],
    "procedure_occurrence": ["person_id", "procedure_concept_id", "procedure_date"],
    "measurement": [
        "measurement_id",
        "person_id",
        "measurement_concept_id",
        "measurement_date",
        "value_as_number",
        "unit_concept_id",
    ],
}


def _find(folder: Path, table: str):
    for path in folder.iterdir():
        if path.name.lower() in (f"{table}.csv", f"{table}.csv.gz"):
            return path
    return None


def _write(frame, target: Path) -> None:
    data = frame.to_csv(index=False, lineterminator="\n").encode()
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(data)


def filter_cdm(source: Path, target: Path) -> None:
    """Copy the tables' columns (all rows, as text) and the concepts they name."""
    concepts = set()
    for table, columns in COLUMNS.items():
        path = _find(source, table)
        if path is None:
            continue
        frame = duckdb.sql(
            f"SELECT {', '.join(columns)} FROM read_csv('{path}', all_varchar=true, header=true)"
        ).df()
        _write(frame, target / f"{table}.csv.gz")
        for column in columns:
            if column.endswith("concept_id"):
                concepts |= set(frame[column].dropna())
    path = _find(source, "concept")
    concept = duckdb.sql(
        f"SELECT concept_id, concept_name FROM read_csv('{path}', all_varchar=true, header=true, "
        "quote='\"')"
    ).df()
    _write(concept[concept["concept_id"].isin(concepts)], target / "concept.csv.gz")


if __name__ == "__main__":
    filter_cdm(Path(sys.argv[1]), HERE.parent / "omop_mimic_demo")
    filter_cdm(Path(sys.argv[2]), HERE.parent / "omop_synthea27nj")
