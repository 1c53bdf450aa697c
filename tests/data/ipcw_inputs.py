"""Inputs of the R oracles ipcw_horizon_censoring.R, uno_c_timewt.R and brier_se.R.

Each data set is ``(time, status, risk)``: two lifelines data sets with a fixed, hand-written
risk formula (no fitting, so Python and R see the same numbers) and one hand-made cohort.
The test suite calls :func:`load`; to regenerate the R output, write the inputs to /tmp
first (the R scripts read them from there; nothing of lifelines is stored here):

    .venv/bin/python tests/data/ipcw_inputs.py /tmp
    Rscript tests/data/ipcw_horizon_censoring.R
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd


def _expit(x):
    # The linear predictor is rounded first: combinations of covariates that give one
    # value on paper differ in the last bit, and whether exp() then keeps them tied
    # depends on numpy's build (ties in the risk move concordances by ~1e-5).
    return 1.0 / (1.0 + np.exp(-np.round(x, 10)))


def constructed() -> pd.DataFrame:
    """16 patients in whole days: at day 10 two are censored and two have the event; at
    day 5 one event and two censorings; the last day (15) has an event and a censoring."""
    return pd.DataFrame(
        {
            "time": [2, 3, 3, 5, 5, 5, 7, 8, 10, 10, 10, 10, 12, 13, 15, 15],
            "status": [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1],
            "risk": [
                0.9,
                0.2,
                0.7,
                0.6,
                0.3,
                0.5,
                0.55,
                0.1,
                0.8,
                0.35,
                0.25,
                0.45,
                0.15,
                0.65,
                0.05,
                0.4,
            ],
        }
    ).astype({"time": float})


def rossi() -> pd.DataFrame:
    """lifelines' Rossi recidivism data (432 released prisoners, weeks to arrest): every
    patient without an arrest is censored at week 52, 114 arrests on 49 distinct weeks."""
    from lifelines.datasets import load_rossi

    data = load_rossi()
    lp = -1.0 + 0.09 * data.prio - 0.06 * (data.age - 25) - 0.35 * data.fin
    return pd.DataFrame(
        {"time": data.week.astype(float), "status": data.arrest.astype(int), "risk": _expit(lp)}
    )


def gbsg2() -> pd.DataFrame:
    """lifelines' GBSG2 breast cancer data (686 patients, days to recurrence): censorings
    on days 1095 and 1826 and censorings tied with events on 35 days."""
    from lifelines.datasets import load_gbsg2

    data = load_gbsg2()
    lp = (
        -1.2
        + 0.1 * data.pnodes
        + 0.012 * data.tsize
        - 0.35 * (data.horTh == "yes")
        - 0.001 * data.progrec
    )
    return pd.DataFrame(
        {"time": data.time.astype(float), "status": data.cens.astype(int), "risk": _expit(lp)}
    )


DATA_SETS = {"constructed": constructed, "rossi": rossi, "gbsg2": gbsg2}


def load(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    frame = DATA_SETS[name]()
    return (
        frame.time.to_numpy(dtype=float),
        frame.status.to_numpy(dtype=int) == 1,
        frame.risk.to_numpy(dtype=float),
    )


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp")
    for name, make in DATA_SETS.items():
        make().to_csv(folder / f"riskml_ipcw_{name}.csv", index=False, float_format="%.17g")
