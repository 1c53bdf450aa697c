"""DeLong's AUC variance and paired test: fast (Sun & Xu) equals slow (1988), and pROC.

Oracles: a slow O(m n) DeLong from the 1988 structural components written below,
and R pROC's documented output on its aSAH data. aSAH is GPL-licensed, so it is
not in this repository: the pROC tests read it from the shared oracle inputs
(``../shared/data/oracle-inputs/pROC-aSAH/aSAH.csv`` next to the repository) and
skip when the file is absent.
"""

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

from riskml.evaluation import compare_auc, roc_auc, roc_auc_ci
from riskml.evaluation._delong import delong_covariance, delong_placements

ASAH = Path(__file__).resolve().parents[2].parent / "shared/data/oracle-inputs/pROC-aSAH/aSAH.csv"


def slow_delong(y, scores):
    """DeLong, DeLong & Clarke-Pearson 1988: structural components by explicit pairs.

    psi(x, y) = 1 if x > y, 1/2 if x == y, 0 otherwise; V10(X_i) = mean_j psi(X_i, Y_j),
    V01(Y_j) = mean_i psi(X_i, Y_j); S10, S01 their sample covariances (divisors m-1,
    n-1); cov(AUC) = S10/m + S01/n.
    """
    y = np.asarray(y, dtype=bool)
    k = len(scores)
    v10, v01 = [], []
    for s in scores:
        x_pos, y_neg = s[y], s[~y]
        psi = (x_pos[:, None] > y_neg[None, :]) + 0.5 * (x_pos[:, None] == y_neg[None, :])
        v10.append(psi.mean(axis=1))
        v01.append(psi.mean(axis=0))
    v10, v01 = np.array(v10), np.array(v01)
    m, n = v10.shape[1], v01.shape[1]
    auc = v10.mean(axis=1)
    s10 = np.array(
        [
            [np.sum((v10[a] - auc[a]) * (v10[b] - auc[b])) / (m - 1) for b in range(k)]
            for a in range(k)
        ]
    )
    s01 = np.array(
        [
            [np.sum((v01[a] - auc[a]) * (v01[b] - auc[b])) / (n - 1) for b in range(k)]
            for a in range(k)
        ]
    )
    return auc, s10 / m + s01 / n


def tied_data(seed, n=140, levels=6):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.4
    y[:2] = [True, False]
    a = rng.integers(0, levels, n) + y  # heavy ties
    b = np.round(rng.normal(size=n) + 0.5 * y, 1)
    c = a + rng.integers(0, 2, n)
    return y, np.vstack([a, b, c]).astype(float)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_delong_equals_structural_components(seed):
    """Oracle: the slow 1988 computation, AUCs and the 3x3 covariance, to 1e-12."""
    y, scores = tied_data(seed)
    auc, cov = delong_covariance(y, scores)
    slow_auc, slow_cov = slow_delong(y, scores)
    np.testing.assert_allclose(auc, slow_auc, rtol=0, atol=1e-12)
    np.testing.assert_allclose(cov, slow_cov, rtol=0, atol=1e-12)
    auc_p, v10, v01 = delong_placements(y, scores)
    np.testing.assert_allclose(auc_p, [roc_auc(y, s) for s in scores], rtol=0, atol=1e-12)
    np.testing.assert_allclose(v01.mean(axis=1), auc, rtol=0, atol=1e-12)


def test_delong_interval_and_paired_test_from_the_slow_formula():
    """Oracle: Wald interval and Z from the slow covariance (pROC's formulas), 1e-12."""
    y, scores = tied_data(4)
    slow_auc, slow_cov = slow_delong(y, scores[:2])
    ci = roc_auc_ci(y, scores[0], method="delong", confidence=0.9)
    se = np.sqrt(slow_cov[0, 0])
    assert (ci.low, ci.high) == pytest.approx(
        (slow_auc[0] - norm.ppf(0.95) * se, slow_auc[0] + norm.ppf(0.95) * se), abs=1e-12
    )
    assert (ci.method, ci.n_boot, ci.n_degenerate) == ("DeLong", 0, 0)
    result = compare_auc(y, scores[0], scores[1])
    z = (slow_auc[0] - slow_auc[1]) / np.sqrt(slow_cov[0, 0] + slow_cov[1, 1] - 2 * slow_cov[0, 1])
    assert result.statistic == pytest.approx(z, abs=1e-12)
    assert result.p_value == pytest.approx(2 * norm.sf(abs(z)), abs=1e-12)
    assert result.difference == pytest.approx(slow_auc[0] - slow_auc[1], abs=1e-12)


def test_delong_interval_is_clipped_to_the_unit_interval():
    """Oracle: a perfectly separating score, AUC 1 with a positive variance bound at 1."""
    y = np.array([0, 0, 0, 1, 1, 1, 0, 1])
    s = np.array([0.1, 0.2, 0.3, 0.8, 0.7, 0.9, 0.75, 0.6])
    ci = roc_auc_ci(y, s, method="delong")
    assert ci.high == 1.0 and ci.low < ci.estimate


def load_asah():
    if not ASAH.exists():
        pytest.skip(f"outside oracle input not present: {ASAH} (pROC's aSAH, GPL; not copied)")
    import pandas as pd

    data = pd.read_csv(ASAH)
    return (data["outcome"] == "Poor").to_numpy(), data


def test_proc_asah_s100b_delong_interval():
    """Oracle: R pROC documentation, ``roc(aSAH$outcome, aSAH$s100b)`` then ``ci.auc``.

    pROC prints: Area under the curve: 0.7314; 95% CI: 0.6301-0.8326 (DeLong).
    """
    y, data = load_asah()
    ci = roc_auc_ci(y, data["s100b"], method="delong")
    assert ci.estimate == pytest.approx(0.7314, abs=5e-5)
    assert (ci.low, ci.high) == pytest.approx((0.6301, 0.8326), abs=5e-5)


def test_proc_asah_paired_delong_test():
    """Oracle: R pROC, ``roc.test(roc(outcome, s100b), roc(outcome, wfns))``.

    pROC prints: DeLong's test for two correlated ROC curves, Z = -2.209,
    p-value = 0.02718; AUC of roc1 0.7313686, of roc2 0.8236789.
    """
    y, data = load_asah()
    result = compare_auc(y, data["s100b"], data["wfns"])
    assert result.statistic == pytest.approx(-2.209, abs=5e-4)
    assert result.p_value == pytest.approx(0.02718, abs=5e-6)
    assert (result.estimate_a, result.estimate_b) == pytest.approx((0.7313686, 0.8236789), 1e-6)


def test_delong_needs_two_of_each_class():
    """DeLong's variance divides by m - 1 and n - 1 (no oracle: error contract)."""
    with pytest.raises(
        ValueError,
        match=r"roc_auc_ci with method='delong' needs at least 2 events and 2 non-events .*; got "
        r"1 event\(s\) and 3 non-event\(s\)",
    ):
        roc_auc_ci([0, 0, 0, 1], [0.1, 0.2, 0.3, 0.4], method="delong")
    with pytest.raises(ValueError, match=r"ci_type='bca' applies to method='bootstrap'"):
        roc_auc_ci([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], method="delong", ci_type="bca")
