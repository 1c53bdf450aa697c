"""Groups of predicted risk with tied risks (issue 29): never empty, never NaN.

Risks rounded to 0.05 put interpolated quantile breaks between two neighbouring
values (an empty group) and repeat breaks (fewer groups). Oracles:
``sklearn.calibration.calibration_curve(strategy="quantile")``, which drops empty
bins, and R (tests/data/calibration_groups_ties.R: ``cut`` at the unique type-7
quantiles with empty levels dropped, ``binom.test``, ``survfit`` with log-log
intervals, and the Hosmer-Lemeshow statistic written out).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from riskml.evaluation import calibration_curve, hosmer_lemeshow, survival_calibration
from riskml.evaluation._calibration import _quantile_groups

DATA = Path(__file__).resolve().parents[1] / "data"
HORIZON = 365.0


@pytest.fixture(scope="module")
def cohort():
    return pd.read_csv(DATA / "calibration_groups_ties_data.csv")


@pytest.fixture(scope="module")
def r_output():
    return pd.read_csv(DATA / "calibration_groups_ties.csv")


def _rounded(seed, n=300):
    """Risks Beta(2, 8) rounded to 0.05 (some exactly 0) and outcomes drawn from them."""
    rng = np.random.default_rng(seed)
    risk = np.round(rng.beta(2, 8, n) / 0.05) * 0.05
    return (rng.random(n) < risk).astype(int), risk


def _cases(r_output, analysis):
    keys = r_output[r_output["analysis"] == analysis][["risk_column", "n_groups_requested"]]
    return [tuple(key) for key in keys.drop_duplicates().itertuples(index=False)]


# -- scikit-learn ---------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("n_groups", [5, 10, 13])
def test_quantile_groups_with_rounded_risks_equal_sklearn(seed, n_groups):
    """Oracle: sklearn.calibration.calibration_curve(strategy="quantile") (empty bins
    dropped): the same groups, so the same observed and mean predicted risks."""
    from sklearn.calibration import calibration_curve as sklearn_curve

    y, p = _rounded(seed)
    expected_true, expected_pred = sklearn_curve(y, p, n_bins=n_groups, strategy="quantile")
    curve = calibration_curve(y, p, method="bins", n_groups=n_groups)
    np.testing.assert_allclose(curve["observed"], expected_true, rtol=0, atol=1e-12)
    np.testing.assert_allclose(curve["predicted"], expected_pred, rtol=0, atol=1e-12)
    assert curve.attrs == {"n_groups_requested": n_groups, "n_groups": len(expected_true)}
    assert (curve["n"] >= 1).all()
    assert curve["n"].sum() == len(p)


def test_issue_case_has_an_empty_interpolated_group_that_is_dropped():
    """Oracle: numpy.quantile's breaks by hand. Risks rounded to 0.05, 10 groups (the
    issue): the breaks 0.2 and 0.215 (interpolated between the tied values 0.2 and
    0.25) bound an interval that holds nobody (group sizes 42, 60, 53, 55, 0, 39, ...);
    it was a NaN row with interval [0, 1] and made the Hosmer-Lemeshow statistic NaN."""
    y, p = _rounded(1)
    breaks = np.unique(np.quantile(p, np.linspace(0, 1, 11)))
    inside = [
        np.sum((p > low) & (p <= high)) for low, high in zip(breaks[1:-1], breaks[2:], strict=True)
    ]
    assert inside[3] == 0 and breaks[4] == 0.2 and breaks[5] == pytest.approx(0.215)
    curve = calibration_curve(y, p, method="bins", n_groups=10)
    assert curve.attrs["n_groups"] == breaks.shape[0] - 2 == 7
    assert np.isfinite(curve[["predicted", "observed", "low", "high"]].to_numpy()).all()
    assert not ((curve["low"] == 0) & (curve["high"] == 1)).any()
    result = hosmer_lemeshow(y, p + 0.01)  # no risk of exactly 0: every E_g > 0
    assert np.isfinite(result.statistic)
    assert (result.n_groups, result.n_groups_requested, result.df) == (7, 10, 5)
    assert "groups=7 of 10 asked" in repr(result)


# -- R ----------------------------------------------------------------------------------
def test_r_data_hold_both_kinds_of_ties(r_output):
    """The R oracle covers an empty interpolated group and repeated breaks (R's
    unique breaks give 8 intervals for `risk` with g = 10, of which 7 hold patients)."""
    used = r_output.groupby(["risk_column", "n_groups_requested"])["n_groups"].first()
    assert used.to_dict() == {
        ("risk", 5): 5,
        ("risk", 10): 7,
        ("risk_coarse", 5): 3,
        ("risk_coarse", 10): 3,
    }


@pytest.mark.parametrize(("column", "n_groups"), [("risk", 5), ("risk", 10), ("risk_coarse", 10)])
def test_binary_groups_equal_r_cut_at_unique_quantiles(cohort, r_output, column, n_groups):
    """Oracle: R droplevels(cut(p, unique(quantile(p, (0:g)/g)), include.lowest = TRUE)),
    events / n and binom.test's Clopper-Pearson interval (calibration_groups_ties.R)."""
    expected = r_output[
        (r_output["analysis"] == "binary")
        & (r_output["risk_column"] == column)
        & (r_output["n_groups_requested"] == n_groups)
    ]
    curve = calibration_curve(cohort["y"], cohort[column], method="bins", n_groups=n_groups)
    assert curve.attrs["n_groups"] == expected["n_groups"].iloc[0] == len(expected)
    assert curve["n"].tolist() == expected["n"].tolist()
    assert curve["events"].tolist() == expected["events"].tolist()
    for name in ("predicted", "observed", "low", "high"):
        np.testing.assert_allclose(curve[name], expected[name], rtol=0, atol=1e-6, err_msg=name)


@pytest.mark.parametrize(("column", "n_groups"), [("risk", 5), ("risk", 10), ("risk_coarse", 10)])
def test_hosmer_lemeshow_with_tied_risks_equals_r(cohort, r_output, column, n_groups):
    """Oracle: the Hosmer-Lemeshow chi-square over R's groups (2 x g Pearson form),
    on (groups formed - 2) df, pchisq upper tail (calibration_groups_ties.R)."""
    expected = r_output[
        (r_output["analysis"] == "binary")
        & (r_output["risk_column"] == column)
        & (r_output["n_groups_requested"] == n_groups)
    ].iloc[0]
    result = hosmer_lemeshow(cohort["y"], cohort[column], n_groups=n_groups)
    assert result.statistic == pytest.approx(expected["hl_statistic"], rel=1e-6)
    assert result.df == expected["hl_df"] == expected["n_groups"] - 2
    assert result.p_value == pytest.approx(expected["hl_p_value"], rel=1e-5)
    assert (result.n_groups, result.n_groups_requested) == (expected["n_groups"], n_groups)
    assert (
        result.table["n"].tolist()
        == r_output[
            (r_output["analysis"] == "binary")
            & (r_output["risk_column"] == column)
            & (r_output["n_groups_requested"] == n_groups)
        ]["n"].tolist()
    )
    assert result.p_value == pytest.approx(stats.chi2.sf(result.statistic, result.df))


@pytest.mark.parametrize(("column", "n_groups"), [("risk", 5), ("risk", 10), ("risk_coarse", 10)])
def test_survival_calibration_with_tied_risks_equals_r_kaplan_meier(
    cohort, r_output, column, n_groups
):
    """Oracle: R survfit(Surv(time, status) ~ 1, conf.type = "log-log") at day 365 in
    R's groups (calibration_groups_ties.R)."""
    expected = r_output[
        (r_output["analysis"] == "survival")
        & (r_output["risk_column"] == column)
        & (r_output["n_groups_requested"] == n_groups)
    ]
    table = survival_calibration(
        cohort["time"], cohort["status"], cohort[column], HORIZON, n_groups=n_groups
    )
    assert table.attrs == {"n_groups_requested": n_groups, "n_groups": len(expected)}
    assert table["n"].tolist() == expected["n"].tolist()
    assert table["events"].tolist() == expected["events"].tolist()
    for name in ("predicted", "observed", "low", "high"):
        np.testing.assert_allclose(table[name], expected[name], rtol=0, atol=1e-6, err_msg=name)


def test_every_group_index_holds_a_patient():
    """Oracle: brute force over many tied inputs: the indices are 0..used-1, each
    used, in increasing order of risk, and tied risks share a group."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(5, 200))
        p = np.round(rng.beta(1 + 3 * rng.random(), 5, n), int(rng.integers(1, 3)))
        group, used = _quantile_groups(p, int(rng.integers(2, 20)))
        assert sorted(np.unique(group)) == list(range(used))
        order = np.argsort(p, kind="stable")
        assert (np.diff(group[order]) >= 0).all()
        for value in np.unique(p):
            assert np.unique(group[p == value]).shape[0] == 1
