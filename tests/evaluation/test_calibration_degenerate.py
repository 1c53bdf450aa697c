"""The smoothed calibration errors (ICI, E50, E90, Emax) on tied and constant risks.

Oracle: R's ``lowess(p, y, iter = 0)`` followed by ``approx(..., ties = mean)``, the
lines of ``rms::val.prob`` (rms 6.5.0) that give its Eavg, E90 and Emax, run by
tests/data/calibration_ties.R on six data sets built there by fixed formulas: constant
risks, two and three distinct risks, a run of tied risks longer than the lowess window,
risks rounded to one decimal, and risks of exactly 0 and 1. Where k or more risks are
tied (k the window's size) statsmodels' lowess returns one tied patient's outcome;
R, and riskml, the mean outcome of all of them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskml.evaluation import _kernels, calibration_curve, ici
from riskml.evaluation._calibration import _lowess_smooth

DATA = Path(__file__).parents[1] / "data" / "calibration_ties.csv"


def _datasets():
    table = pd.read_csv(DATA)
    return {name: group for name, group in table.groupby("dataset", sort=False)}


@pytest.fixture(params=[True, False], ids=["numba", "python"])
def kernel_mode(request, monkeypatch):
    if request.param:
        pytest.importorskip("numba")
    else:
        monkeypatch.setattr(_kernels, "USE_NUMBA", False)
    return request.param


@pytest.mark.parametrize("name", list(_datasets()))
def test_ici_equals_r_val_prob_on_tied_risks(name, kernel_mode):
    """Oracle: R (see the module docstring), to 1e-12; with numba and without."""
    group = _datasets()[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the 0/1 data set warns
        result = ici(group["y"].to_numpy(), group["p"].to_numpy())
    assert result.ici == pytest.approx(group["eavg"].iloc[0], abs=1e-12)
    assert result.e90 == pytest.approx(group["e90"].iloc[0], abs=1e-12)
    assert result.emax == pytest.approx(group["emax"].iloc[0], abs=1e-12)


@pytest.mark.parametrize("name", list(_datasets()))
def test_smooth_equals_r_lowess_on_tied_risks(name, kernel_mode):
    """Oracle: R's smooth at every patient's risk (``cal.smooth``), to 1e-12."""
    group = _datasets()[name]
    p, y = group["p"].to_numpy(), group["y"].to_numpy()
    order = np.argsort(p, kind="stable")
    _, smooth = _lowess_smooth(y, p, 2.0 / 3.0)
    np.testing.assert_allclose(smooth, group["cal_smooth"].to_numpy()[order], atol=1e-12)


def test_constant_risks_give_the_observed_proportion_everywhere():
    """Oracle: R's lowess of constant x (every point weighs 1: the mean of y), which is
    the direct computation ybar. The loess calibration curve of the same data."""
    group = _datasets()["constant"]
    y = group["y"].to_numpy()
    assert group["cal_smooth"].nunique() == 1
    assert group["cal_smooth"].iloc[0] == pytest.approx(y.mean())
    with pytest.warns(UserWarning, match="single point"):
        curve = calibration_curve(y, group["p"].to_numpy(), n_boot=0, n_points=5)
    np.testing.assert_allclose(curve["observed"], y.mean(), atol=1e-12)
