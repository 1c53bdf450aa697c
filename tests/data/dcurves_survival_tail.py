"""Oracle output of Python dcurves for survival decision curves whose test-positive
group's follow-up ends before the horizon.

Writes ``dcurves_survival_tail.csv`` beside this script: ``dcurves.dca`` (dcurves
1.1.7, Apache-2.0; ``pip install dcurves==1.1.7``) on

- ``df_surv`` (``dcurves_df_surv.csv``), model ``cancerpredmarker``, horizon 2.5 years,
  thresholds 0, 0.01, ..., 0.99: from 0.31 up the treated patients' follow-up ends
  before 2.5 years, with a cancer at 0.33-0.46, 0.57-0.79 and 0.95-0.99, with a
  censoring at the other thresholds;
- a hand-made cohort (``hand``) of 4 patients, horizon 5: the two high-risk patients
  have events (or are censored) at days 1 and 2.

Run from the repository root: ``python tests/data/dcurves_survival_tail.py``. The test
suite reads the CSV only; it never imports dcurves.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from dcurves import dca

HERE = Path(__file__).parent
COLUMNS = ["data", "model", "threshold", "test_pos_rate", "tp_rate", "fp_rate", "net_benefit"]


def curves(name, data, model, horizon, thresholds):
    out = dca(
        data=data,
        outcome="event",
        modelnames=[model],
        thresholds=thresholds,
        time=horizon,
        time_to_outcome_col="time",
    )
    out = out.assign(data=name, horizon=horizon)
    return out[[*COLUMNS, "horizon"]]


surv = pd.read_csv(HERE / "dcurves_df_surv.csv")
surv = pd.DataFrame(
    {
        "time": surv["ttcancer"],
        "event": surv["cancer"].astype(int),
        "cancerpredmarker": surv["cancerpredmarker"],
    }
)
hand_events = pd.DataFrame(
    {"time": [1.0, 2.0, 8.0, 9.0], "event": [1, 1, 1, 0], "risk": [0.9, 0.8, 0.1, 0.2]}
)
hand_censored = hand_events.assign(event=[0, 0, 1, 0])
frames = [
    curves("df_surv", surv, "cancerpredmarker", 2.5, np.arange(100) / 100),
    curves("hand_events", hand_events, "risk", 5.0, [0.05, 0.5, 0.85, 0.95]),
    curves("hand_censored", hand_censored, "risk", 5.0, [0.05, 0.5, 0.85, 0.95]),
]
pd.concat(frames, ignore_index=True).to_csv(HERE / "dcurves_survival_tail.csv", index=False)
