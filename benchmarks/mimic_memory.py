"""Peak memory of riskml.cohorts.load_mimic3_ami on large, MIMIC-shaped CHARTEVENTS/LABEVENTS.

Run from the repository root::

    python -m benchmarks.mimic_memory                  # 1M, 4M, 16M CHARTEVENTS rows, ~1-2 min
    python -m benchmarks.mimic_memory --rows 50000000  # scaling up to 50M rows
    python -m benchmarks.mimic_memory --full           # full MIMIC-III size: 330M / 27M rows, ~36 GB

A synthetic AMI cohort is written with :func:`riskml.cohorts.make_mimic3_ami` (``--patients``,
default 5,000 patients, about 5,500 admissions: the size of Barrett et al.'s extract). Its
CHARTEVENTS and LABEVENTS are then padded with filler rows (other patients and admissions, other
item ids, and the loader's item ids outside its time windows) up to each requested size, in the
ratio of full MIMIC-III v1.4 (330,712,483 CHARTEVENTS and 27,854,055 LABEVENTS rows), with all 15
and 9 columns. At each size the loader runs in a fresh Python process; the table reports its wall
time, the process's peak resident memory (VmHWM from ``/proc/self/status``, Linux; it includes
Python, pandas and DuckDB themselves; ``ru_maxrss`` is not used because Linux carries it over
from the parent across ``exec``) and the peak minus the resident memory after imports. DuckDB's own cap is ``--memory-limit`` (default 2GB, the loader's default); the loader
scans the CSVs with the item ids, admissions and time windows pushed into the scan and only the
matching rows reach pandas, so the peak should not grow with the number of rows.

The generated folder is deleted at the end unless ``--keep DIR`` names where to write it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FULL_CHART_ROWS = 330_712_483
FULL_LAB_ROWS = 27_854_055
BYTES_PER_CHART_ROW = 110  # measured on the filler written below, to check disk space
BYTES_PER_LAB_ROW = 75
CHUNK = 2_000_000

CHILD = r"""
import json, sys, time, warnings
def hwm_kib():  # this process's peak resident memory (VmHWM); unlike ru_maxrss, it starts
    # afresh at exec and so does not inherit the benchmark's own memory
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
import riskml.cohorts
rss_after_imports = hwm_kib()
warnings.simplefilter("ignore")
start = time.perf_counter()
cohort = riskml.cohorts.load_mimic3_ami(sys.argv[1], memory_limit=sys.argv[2], threads=None)
wall = time.perf_counter() - start
peak = hwm_kib()
print(json.dumps({"wall_s": wall, "peak_kib": peak, "imports_kib": rss_after_imports,
                  "admissions": len(cohort), "features": cohort.features.shape[1],
                  "hr_max_mean": float(cohort.features["heartrate_max"].mean())}))
"""


def _filler(rng, n, start_row, kind, cohort):
    """``n`` filler rows of CHARTEVENTS or LABEVENTS as a pyarrow table (no header)."""
    import pyarrow as pa

    hadm = cohort["hadm_id"]
    # 90% other admissions and patients; 10% the cohort's own admissions with either other
    # item ids or the loader's item ids years away from the index window
    own = rng.random(n) < 0.10
    pick = rng.integers(0, len(hadm), n)
    subject = np.where(own, cohort["subject_id"][pick], rng.integers(50_000, 99_999, n))
    adm = np.where(own, hadm[pick], rng.integers(200_000, 299_999, n))
    base = np.datetime64("2100-01-01T00:00:00")
    when = base + rng.integers(0, 100 * 365 * 86400, n).astype("timedelta64[s]")
    when = np.where(
        own,
        cohort["intime"][pick]
        + np.timedelta64(30 * 365 * 86400, "s")  # after any admission of the patient
        + rng.integers(0, 86400 * 30, n).astype("timedelta64[s]"),
        when,
    )
    value = np.round(rng.gamma(2.0, 40.0, n), 1)
    if kind == "CHARTEVENTS":
        loader_items = np.array([211, 220045, 220179, 220181, 220210, 220277, 223761, 646])
        item = np.where(
            rng.random(n) < 0.5,
            rng.integers(1, 230_000, n),
            loader_items[rng.integers(0, len(loader_items), n)],
        )
        columns = {
            "row_id": np.arange(start_row, start_row + n),
            "subject_id": subject,
            "hadm_id": adm,
            "icustay_id": adm + 100_000,
            "itemid": item,
            "charttime": pa.array(when, type=pa.timestamp("s")),
            "storetime": pa.array(when + np.timedelta64(600, "s"), type=pa.timestamp("s")),
            "cgid": rng.integers(14_000, 21_000, n),
            "value": pa.array(value).cast(pa.string()),
            "valuenum": value,
            "valueuom": pa.array(np.full(n, "mmHg")),
            "warning": rng.integers(0, 2, n),
            "error": rng.integers(0, 2, n),
            "resultstatus": pa.nulls(n, pa.string()),
            "stopped": pa.nulls(n, pa.string()),
        }
    else:
        loader_items = np.array([50912, 50971, 51222, 50931, 51003, 50813])
        item = np.where(
            rng.random(n) < 0.5,
            rng.integers(50_800, 51_600, n),
            loader_items[rng.integers(0, len(loader_items), n)],
        )
        columns = {
            "row_id": np.arange(start_row, start_row + n),
            "subject_id": subject,
            "hadm_id": pa.array(adm, mask=rng.random(n) < 0.2),
            "itemid": item,
            "charttime": pa.array(when, type=pa.timestamp("s")),
            "value": pa.array(value).cast(pa.string()),
            "valuenum": value,
            "valueuom": pa.array(np.full(n, "mg/dL")),
            "flag": pa.nulls(n, pa.string()),
        }
    return pa.table(columns)


def _append(path: Path, rows: int, kind: str, rng, start_row: int, cohort) -> None:
    import pyarrow.csv as pacsv

    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with open(path, "ab") as handle:
        done = 0
        while done < rows:
            n = min(CHUNK, rows - done)
            pacsv.write_csv(_filler(rng, n, start_row + done, kind, cohort), handle, options)
            done += n


def _cohort_keys(directory: Path) -> dict:
    import pandas as pd

    stays = pd.read_csv(directory / "ICUSTAYS.csv")
    stays.columns = [c.lower() for c in stays.columns]
    stays = stays.sort_values("intime").groupby("hadm_id").first().reset_index()
    return {
        "hadm_id": stays["hadm_id"].to_numpy(),
        "subject_id": stays["subject_id"].to_numpy(),
        "intime": pd.to_datetime(stays["intime"]).to_numpy(dtype="datetime64[s]"),
    }


def _measure(directory: Path, memory_limit: str) -> dict:
    env = dict(os.environ)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(directory), memory_limit],
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the loader failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _rows_in(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b"")) - 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=float,
        default=16e6,
        help="largest CHARTEVENTS size (rows); LABEVENTS in MIMIC's ratio",
    )
    parser.add_argument(
        "--steps", type=int, default=3, help="sizes measured, each 4x the previous, up to --rows"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="full MIMIC-III size (330M CHARTEVENTS rows, about 36 GB of disk)",
    )
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument(
        "--keep", type=Path, default=None, help="write the tables here and keep them"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from riskml.cohorts import make_mimic3_ami

    top = FULL_CHART_ROWS if args.full else int(args.rows)
    sizes = sorted({max(int(top / 4**k), 1) for k in range(args.steps)})
    folder = args.keep or Path(tempfile.mkdtemp(prefix="riskml-mimic-bench-"))
    need = top * BYTES_PER_CHART_ROW + top * FULL_LAB_ROWS / FULL_CHART_ROWS * BYTES_PER_LAB_ROW
    free = shutil.disk_usage(folder if folder.exists() else folder.parent).free
    if need > 0.95 * free:
        print(f"needs about {need / 1e9:.0f} GB of disk in {folder}; {free / 1e9:.0f} GB free.")
        return 2
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; DuckDB memory_limit {args.memory_limit}"
    )
    print(f"writing a {args.patients:,}-patient synthetic AMI cohort to {folder} ...")
    start = time.perf_counter()
    make_mimic3_ami(folder, n_patients=args.patients, random_state=args.seed, overwrite=True)
    cohort = _cohort_keys(folder)
    rng = np.random.default_rng(args.seed + 1)
    chart, lab = folder / "CHARTEVENTS.csv", folder / "LABEVENTS.csv"
    chart_rows, lab_rows = _rows_in(chart), _rows_in(lab)
    print(
        f"  {time.perf_counter() - start:.0f} s; cohort tables hold {chart_rows:,} "
        f"CHARTEVENTS and {lab_rows:,} LABEVENTS rows"
    )

    header = (
        f"{'CHARTEVENTS rows':>17} {'LABEVENTS rows':>15} {'files GB':>9} {'write s':>8} "
        f"{'load s':>7} {'peak RSS MiB':>13} {'- imports MiB':>14} {'admissions':>11}"
    )
    results = []
    print(header)
    try:
        for size in sizes:
            t0 = time.perf_counter()
            want_lab = int(round(size * FULL_LAB_ROWS / FULL_CHART_ROWS))
            if size > chart_rows:
                _append(chart, size - chart_rows, "CHARTEVENTS", rng, 10**9 + chart_rows, cohort)
                chart_rows = size
            if want_lab > lab_rows:
                _append(lab, want_lab - lab_rows, "LABEVENTS", rng, 10**9 + lab_rows, cohort)
                lab_rows = want_lab
            written = time.perf_counter() - t0
            gigabytes = (chart.stat().st_size + lab.stat().st_size) / 1e9
            m = _measure(folder, args.memory_limit)
            row = {
                "chartevents_rows": chart_rows,
                "labevents_rows": lab_rows,
                "files_gb": gigabytes,
                "write_s": written,
                **m,
            }
            results.append(row)
            print(
                f"{chart_rows:>17,} {lab_rows:>15,} {gigabytes:>9.2f} {written:>8.0f} "
                f"{m['wall_s']:>7.1f} {m['peak_kib'] / 1024:>13.0f} "
                f"{(m['peak_kib'] - m['imports_kib']) / 1024:>14.0f} {m['admissions']:>11,}",
                flush=True,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    peaks = [r["peak_kib"] / 1024 for r in results]
    same = len({(r["admissions"], round(r["hr_max_mean"], 9)) for r in results}) == 1
    print(
        f"peak RSS {min(peaks):.0f}-{max(peaks):.0f} MiB over a "
        f"{results[-1]['chartevents_rows'] / results[0]['chartevents_rows']:.0f}x range of "
        f"rows; same cohort at every size: {same}; under 4 GB: {max(peaks) < 4096}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
