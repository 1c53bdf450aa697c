"""Make this folder's adapted copy of the MIMIC-IV Clinical Database Demo v2.2 (ODbL-1.0).

Run from the repository root with the path of the demo folder (the one holding hosp/ and icu/)::

    python tests/data/mimic4_demo/filter_demo.py /path/to/mimic-iv-clinical-database-demo-2.2

The small tables that riskml.cohorts.load_mimic4_ami reads are copied byte for byte; labevents
keeps only the rows whose itemid the loader reads (for all 100 patients, so that the loader's
filtering by patient and time window is exercised) and the columns it reads; prescriptions keeps
every row and the columns the loader reads; d_labitems keeps the rows of those lab items. Every
field is kept as text and gzipped without a timestamp, so that the output is reproducible.
icu/chartevents is left out, as in the project's copy of the demo.
"""

import gzip
import shutil
import sys
from pathlib import Path

import pandas as pd

from riskml.cohorts._mimic3_tables import CKMB, LAB_ITEMS, TROPONIN_T

HERE = Path(__file__).parent
VERBATIM = [
    "hosp/patients.csv.gz",
    "hosp/admissions.csv.gz",
    "hosp/diagnoses_icd.csv.gz",
    "hosp/procedures_icd.csv.gz",
    "hosp/omr.csv.gz",
    "icu/icustays.csv.gz",
    "LICENSE.txt",
]
LAB_ITEM_IDS = {i for ids, _ in LAB_ITEMS.values() for i in ids} | {TROPONIN_T, CKMB}
LAB_COLUMNS = [
    "subject_id",
    "hadm_id",
    "itemid",
    "charttime",
    "value",
    "valuenum",
    "valueuom",
    "comments",
]
PRESCRIPTION_COLUMNS = ["subject_id", "hadm_id", "starttime", "drug"]


def _write(table: pd.DataFrame, target: Path) -> None:
    data = table.to_csv(index=False, lineterminator="\n").encode()
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(data)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def main(source: Path) -> None:
    for folder in ("hosp", "icu"):
        (HERE / folder).mkdir(exist_ok=True)
    for name in VERBATIM:
        shutil.copyfile(source / name, HERE / name)
    labs = _read(source / "hosp/labevents.csv.gz")
    kept = labs[labs["itemid"].astype(int).isin(LAB_ITEM_IDS)][LAB_COLUMNS]
    _write(kept, HERE / "hosp/labevents.csv.gz")
    print(f"labevents: kept {len(kept):,} of {len(labs):,} rows, {len(LAB_COLUMNS)} columns")
    prescriptions = _read(source / "hosp/prescriptions.csv.gz")[PRESCRIPTION_COLUMNS]
    _write(prescriptions, HERE / "hosp/prescriptions.csv.gz")
    items = _read(source / "hosp/d_labitems.csv.gz")
    _write(items[items["itemid"].astype(int).isin(LAB_ITEM_IDS)], HERE / "hosp/d_labitems.csv.gz")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
