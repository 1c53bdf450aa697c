"""uno_c(..., censoring_weights="before"): R survival's concordance(timewt = "n/G2")
(issue 29, item 4b).

Oracle: tests/data/uno_c_timewt.csv, written by uno_c_timewt.R (R 4.2.2, survival 3.5-3):
``concordance(Surv(time, status) ~ risk, timewt = "n/G2", reverse = TRUE, ymax = tau)``
without and with ymax, on the data of tests/data/ipcw_inputs.py (a 16-patient
constructed cohort with events and censorings tied on several days, lifelines' rossi in
whole weeks, lifelines' gbsg2 in whole days).
"""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskml.evaluation import concordance_index, uno_c

DATA = Path(__file__).resolve().parents[1] / "data"
_spec = importlib.util.spec_from_file_location("ipcw_inputs", DATA / "ipcw_inputs.py")
inputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(inputs)

R = pd.read_csv(DATA / "uno_c_timewt.csv")
ROWS = [(row.data, None if np.isnan(row.ymax) else row.ymax, row.uno) for row in R.itertuples()]
IDS = [f"{name}-{'none' if tau is None else f'{tau:g}'}" for name, tau, _ in ROWS]


@pytest.mark.parametrize(("name", "tau", "expected"), ROWS, ids=IDS)
def test_before_equals_r_concordance_n_over_g2(name, tau, expected):
    """Oracle: R survival concordance(timewt = "n/G2", ymax = tau)."""
    time, event, risk = inputs.load(name)
    assert uno_c(time, event, risk, tau=tau, censoring_weights="before") == pytest.approx(
        expected, abs=1e-10
    )


def _uno_brute(time, event, risk, tau, *, left, inclusive):
    """O(n^2) loop: pairs (i event, T_i < T_j, or T_j == T_i censored), weight G(T_i[-])^-2,
    G the reverse Kaplan-Meier (events leave before censorings at a time)."""
    times = np.unique(time)
    g_after, value = {}, 1.0
    for u in times:
        g_before = value
        at_risk = np.sum(time >= u) - np.sum((time == u) & event)
        value *= 1 - np.sum((time == u) & ~event) / at_risk
        g_after[u] = (g_before, value)
    numerator = denominator = 0.0
    for i in np.flatnonzero(event):
        if tau is not None and (time[i] > tau if inclusive else time[i] >= tau):
            continue
        w = g_after[time[i]][0 if left else 1] ** -2
        for j in range(time.shape[0]):
            if time[j] > time[i] or (time[j] == time[i] and not event[j]):
                denominator += w
                numerator += w * ((risk[i] > risk[j]) + 0.5 * (risk[i] == risk[j]))
    return numerator / denominator


def test_the_oracle_catches_g_at_the_event_time_and_tau_exclusive():
    """The constructed data have censorings on event days (3, 5, 10, 15) and an event on
    the ymax day 5, so a loop with R's rule reproduces R, while G(T_i) instead of
    G(T_i-), or leaving out the events at ymax, moves the value far beyond 1e-10."""
    time, event, risk = inputs.load("constructed")
    r_rows = R[R.data == "constructed"].set_index("ymax", drop=False)
    full, at_five = r_rows.uno.iloc[0], r_rows.loc[5.0, "uno"]
    assert _uno_brute(time, event, risk, None, left=True, inclusive=True) == pytest.approx(
        full, abs=1e-12
    )
    assert _uno_brute(time, event, risk, 5.0, left=True, inclusive=True) == pytest.approx(
        at_five, abs=1e-12
    )
    assert abs(_uno_brute(time, event, risk, 5.0, left=True, inclusive=False) - at_five) > 1e-3
    assert abs(_uno_brute(time, event, risk, 12.5, left=False, inclusive=True) - full) > 1e-3
    # riskml's default ("at", scikit-survival) is that second convention: G(T_i), T_i < tau
    assert uno_c(time, event, risk, tau=12.5) == pytest.approx(
        _uno_brute(time, event, risk, 12.5, left=False, inclusive=False), abs=1e-12
    )
    assert abs(uno_c(time, event, risk, tau=12.5) - r_rows.loc[12.5, "uno"]) > 1e-3


def test_gbsg2_default_and_before_differ_and_harrell_matches_r():
    """Oracle: R's concordance() without timewt (Harrell's C) for the pair convention;
    the two weightings of Uno's C differ on gbsg2 (censorings tie with events on 35
    days): by 6e-5 with tau = 1826, 1.1e-3 without tau."""
    time, event, risk = inputs.load("gbsg2")
    row = R[(R.data == "gbsg2") & R.ymax.isna()].iloc[0]
    assert concordance_index(time, event, risk) == pytest.approx(row.harrell, abs=1e-10)
    tau = 1826.0
    before = uno_c(time, event, risk, tau=tau, censoring_weights="before")
    at = uno_c(time, event, risk, tau=tau)
    assert before == pytest.approx(R[(R.data == "gbsg2") & (R.ymax == tau)].uno.iloc[0], abs=1e-10)
    assert 1e-5 < abs(before - at) < 1e-2


def test_rossi_without_censoring_before_week_52_is_harrell():
    """Oracle: R. Nobody is censored before week 52, so G(T_i-) = 1 for every event and
    Uno's C with R's weights is Harrell's C, also with the events of week 52 (ymax = 52);
    with G(T_i) (the default) those events have G = 0 and the index is refused."""
    time, event, risk = inputs.load("rossi")
    row = R[(R.data == "rossi") & R.ymax.isna()].iloc[0]
    assert row.uno == pytest.approx(row.harrell, abs=1e-15)
    assert uno_c(time, event, risk, censoring_weights="before") == pytest.approx(
        row.harrell, abs=1e-10
    )
    with pytest.raises(ValueError, match=r"censoring survival function G is 0 at time 52.0"):
        uno_c(time, event, risk)


def test_option_error():
    """Error contract (no oracle)."""
    with pytest.raises(ValueError, match=r"'censoring_weights' parameter of uno_c must be 'at'"):
        uno_c([1, 2, 3], [1, 0, 1], [0.3, 0.2, 0.1], censoring_weights="riskRegression")
