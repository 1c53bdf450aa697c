"""Make this folder's adapted copy of the MIMIC-III Clinical Database Demo v1.4 (ODbL-1.0).

Run from the repository root with the path of the demo folder::

    python tests/data/mimic3_demo/filter_demo.py /path/to/mimic-iii-demo-1.4

Small tables are copied byte for byte; PRESCRIPTIONS is gzipped whole; CHARTEVENTS and
LABEVENTS keep only the rows whose ITEMID riskml.cohorts.load_mimic3_ami reads (for all 100
patients, so that the loader's filtering by admission and time window is exercised), every
field as text, gzipped without a timestamp so that the output is reproducible.
"""

import gzip
import shutil
import sys
from pathlib import Path

import pandas as pd

from riskml.cohorts._mimic3 import (
    CKMB,
    GLUCOSE_CHART_ITEMS,
    LAB_ITEMS,
    TEMP_F_ITEMS,
    TROPONIN_T,
    VITAL_ITEMS,
)

HERE = Path(__file__).parent
VERBATIM = [
    "PATIENTS.csv",
    "ADMISSIONS.csv",
    "ICUSTAYS.csv",
    "DIAGNOSES_ICD.csv",
    "PROCEDURES_ICD.csv",
    "D_LABITEMS.csv",
    "LICENSE.txt",
]
CHART_ITEMS = (
    {i for ids, _ in VITAL_ITEMS.values() for i in ids}
    | set(TEMP_F_ITEMS)
    | set(GLUCOSE_CHART_ITEMS)
)
LAB_ITEM_IDS = {i for ids, _ in LAB_ITEMS.values() for i in ids} | {TROPONIN_T, CKMB}


def _gzip_bytes(data: bytes, target: Path) -> None:
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(data)


def main(source: Path) -> None:
    for name in VERBATIM:
        shutil.copyfile(source / name, HERE / name)
    _gzip_bytes((source / "PRESCRIPTIONS.csv").read_bytes(), HERE / "PRESCRIPTIONS.csv.gz")
    for name, items in (("CHARTEVENTS", CHART_ITEMS), ("LABEVENTS", LAB_ITEM_IDS)):
        table = pd.read_csv(source / f"{name}.csv.gz", dtype=str, keep_default_na=False)
        kept = table[table["itemid"].astype(int).isin(items)]
        _gzip_bytes(kept.to_csv(index=False, lineterminator="\n").encode(), HERE / f"{name}.csv.gz")
        print(f"{name}: kept {len(kept):,} of {len(table):,} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
