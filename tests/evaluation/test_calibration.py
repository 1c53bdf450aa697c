"""Calibration metrics: intercept, slope, O:E, ICI, curves, Hosmer-Lemeshow, survival, recalibration.

Each numeric test names its oracle: statsmodels' GLM, R output published by predRupdate,
a property of maximum-likelihood fits, a brute-force lowess written from Cleveland
(1979) and R's clowess, a hand computation, scipy, pandas or lifelines.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from lifelines import KaplanMeierFitter
from scipy import stats
from scipy.special import expit, logit

from riskml.evaluation._calibration import (
    LogisticRecalibration,
    calibration_curve,
    calibration_in_the_large,
    calibration_slope,
    hosmer_lemeshow,
    ici,
    observed_expected_ratio,
    recalibrate_intercept,
    recalibrate_logistic,
    survival_calibration,
)
from riskml.evaluation._utility import metric_ci

ORACLE_INPUTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "oracle-inputs"


def _simulated(seed, n=400, intercept=0.0, slope=1.0):
    """Risks p and outcomes drawn from expit(intercept + slope * logit(p))."""
    rng = np.random.default_rng(seed)
    p = expit(rng.normal(-1.0, 1.0, n))
    y = (rng.random(n) < expit(intercept + slope * logit(p))).astype(int)
    return y, p


# -- intercept and slope: statsmodels GLM ------------------------------------------------
@pytest.mark.parametrize(
    ("seed", "intercept", "slope"),
    [(0, 0.0, 1.0), (1, 0.5, 0.7), (2, -0.8, 1.4)],
    ids=["calibrated", "under-predicting-too-extreme", "over-predicting-too-modest"],
)
def test_intercept_and_slope_equal_statsmodels_glm(seed, intercept, slope):
    """Oracle: statsmodels GLM(Binomial), logit(p) as offset (CITL) or covariate (slope)."""
    y, p = _simulated(seed, intercept=intercept, slope=slope)
    lp = logit(p)
    offset_fit = sm.GLM(y, np.ones_like(lp), family=sm.families.Binomial(), offset=lp).fit(
        tol=1e-14
    )
    slope_fit = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit(tol=1e-14)
    assert calibration_in_the_large(y, p) == pytest.approx(offset_fit.params[0], abs=1e-8)
    assert calibration_slope(y, p) == pytest.approx(slope_fit.params[1], abs=1e-8)
    recal = recalibrate_logistic(y, p)
    assert recal.intercept_ == pytest.approx(slope_fit.params[0], abs=1e-8)
    assert recal.slope_ == pytest.approx(slope_fit.params[1], abs=1e-8)
    # Wald intervals are statsmodels' conf_int of the same fits
    wald_slope = metric_ci("calibration_slope", y, p, method="wald")
    low, high = slope_fit.conf_int()[1]
    assert (wald_slope.low, wald_slope.high) == pytest.approx((low, high), abs=1e-7)
    wald_citl = metric_ci("calibration_intercept", y, p, method="wald")
    low, high = offset_fit.conf_int()[0]
    assert (wald_citl.low, wald_citl.high) == pytest.approx((low, high), abs=1e-7)


def test_published_predrupdate_validation_of_synpm():
    """Oracle: R predRupdate vignette "Introduction to the predRupdate package".

    R: coefs_table <- data.frame("Intercept" = -3.995, "Age" = 0.012, "SexM" = 0.267,
    "Smoking_Status" = 0.751, "Diabetes" = 0.523, "Creatinine" = 0.578);
    summary(pred_validate(pred_input_info("logistic", coefs_table),
    new_data = SYNPM$ValidationData, binary_outcome = "Y")) printed (4 decimals):
    O:E 1.8583 (95% CI 1.7959 to 1.9228), calibration intercept 0.7076 (0.6673 to 0.7479),
    slope 0.6496 (0.5588 to 0.7403); with level = 0.90: O:E 1.8058 to 1.9123, intercept
    0.6738 to 0.7414, slope 0.5734 to 0.7257. Tolerance: the rounding, 5e-5.
    """
    path = ORACLE_INPUTS / "synpm_validation.csv.gz"
    if not path.exists():
        pytest.skip("SYNPM validation data (predRupdate, MIT) not available")
    data = pd.read_csv(path)
    lp = (
        -3.995
        + 0.012 * data["Age"]
        + 0.267 * data["SexM"]
        + 0.751 * data["Smoking_Status"]
        + 0.523 * data["Diabetes"]
        + 0.578 * data["Creatinine"]
    )
    y, p = data["Y"].to_numpy(), expit(lp.to_numpy())
    assert observed_expected_ratio(y, p) == pytest.approx(1.8583, abs=5e-5)
    assert calibration_in_the_large(y, p) == pytest.approx(0.7076, abs=5e-5)
    assert calibration_slope(y, p) == pytest.approx(0.6496, abs=5e-5)
    published = {
        0.95: {
            "o_e": (1.7959, 1.9228),
            "calibration_intercept": (0.6673, 0.7479),
            "calibration_slope": (0.5588, 0.7403),
        },
        0.90: {
            "o_e": (1.8058, 1.9123),
            "calibration_intercept": (0.6738, 0.7414),
            "calibration_slope": (0.5734, 0.7257),
        },
    }
    for confidence, intervals in published.items():
        for metric, (low, high) in intervals.items():
            ci = metric_ci(metric, y, p, method="wald", confidence=confidence)
            assert (ci.low, ci.high) == pytest.approx((low, high), abs=5e-5), metric
            assert ci.method == "Wald"


def test_apparent_calibration_of_a_maximum_likelihood_fit_is_perfect():
    """Oracle: the score equations of the ML logistic fit that produced the risks.

    hsb2.csv holds R's fitted values of glm(honcomp ~ female + read + science, binomial):
    sum(y - p) = 0 and sum((y - p) * lp) = 0, so the calibration intercept is 0, the
    slope 1 and O:E 1 on these data.
    """
    path = ORACLE_INPUTS / "hsb2.csv"
    if not path.exists():
        pytest.skip("hsb2 teaching sample not available")
    data = pd.read_csv(path)
    y, p = data["honcomp"].to_numpy(), data["p_female_read_science"].to_numpy()
    assert calibration_in_the_large(y, p) == pytest.approx(0.0, abs=1e-6)
    assert calibration_slope(y, p) == pytest.approx(1.0, abs=1e-6)
    assert observed_expected_ratio(y, p) == pytest.approx(1.0, abs=1e-6)


def test_observed_expected_ratio_hand_computed():
    """Oracle: hand computation, 2 events over 0.2 + 0.3 + 0.1 + 0.4 = 1.0 expected."""
    assert observed_expected_ratio([0, 1, 0, 1], [0.2, 0.3, 0.1, 0.4]) == pytest.approx(2.0)


def test_risks_of_exactly_zero_or_one_are_left_out_with_a_warning():
    """Oracle: the fit without those rows (R rms::val.prob drops them the same way)."""
    y, p = _simulated(3)
    y_edge = np.concatenate([y, [1, 0]])
    p_edge = np.concatenate([p, [0.0, 1.0]])
    with pytest.warns(UserWarning, match=r"2 patient\(s\) with a predicted risk of exactly 0 or 1"):
        value = calibration_slope(y_edge, p_edge)
    assert value == pytest.approx(calibration_slope(y, p), abs=1e-12)


# -- recalibration ---------------------------------------------------------------------
def test_recalibrated_risks_are_calibrated_on_the_fitting_data():
    """Oracle: ML score equations after refitting (intercept 0, slope 1; O:E 1)."""
    y, p = _simulated(4, intercept=0.6, slope=0.6)
    logistic = recalibrate_logistic(y, p)
    new = logistic.transform(p)
    assert new == pytest.approx(expit(logistic.intercept_ + logistic.slope_ * logit(p)))
    assert calibration_in_the_large(y, new) == pytest.approx(0.0, abs=1e-8)
    assert calibration_slope(y, new) == pytest.approx(1.0, abs=1e-8)
    intercept = recalibrate_intercept(y, p)
    assert intercept.slope_ == 1.0
    assert intercept.intercept_ == pytest.approx(calibration_in_the_large(y, p), abs=1e-12)
    assert observed_expected_ratio(y, intercept(p)) == pytest.approx(1.0, abs=1e-8)


def test_recalibration_keeps_risks_of_zero_and_one():
    """Oracle: the limits of expit(a + b logit(p)) for b > 0."""
    y, p = _simulated(5)
    recal = recalibrate_logistic(y, p)
    assert recal.transform([0.0, 1.0]).tolist() == [0.0, 1.0]


# -- ICI and the smoothed curve: brute-force lowess ---------------------------------------
def _brute_force_lowess(x, y, frac):
    """Local linear tricube smoother at every x (Cleveland 1979; R's clowess, iter = 0).

    O(n^2): the neighbourhood is the ns = floor(frac * n) nearest points, h the distance
    to the farthest of them, weights (1 - (r/h)^3)^3 for r <= 0.999 h (1 for r <= 0.001
    h) and a weighted least-squares line evaluated at x. Valid without ties and with
    points more than 1% of the range apart (where R's delta skips nothing).
    """
    n = x.shape[0]
    ns = max(2, min(n, int(frac * n + 1e-7)))
    fitted = np.empty(n)
    for i in range(n):
        r = np.abs(x - x[i])
        h = np.sort(r)[ns - 1]
        w = np.where(r <= 0.999 * h, (1 - (r / h) ** 3) ** 3, 0.0)
        w[r <= 0.001 * h] = 1.0
        design = np.column_stack([np.ones(n), x - x[i]])
        coef = np.linalg.solve(design.T @ (design * w[:, None]), design.T @ (w * y))
        fitted[i] = coef[0]
    return fitted


def _spread_sample(seed, n=60):
    rng = np.random.default_rng(seed)
    grid = np.linspace(0.05, 0.85, n)
    p = grid + rng.uniform(-0.2, 0.2, n) * (grid[1] - grid[0])
    y = (rng.random(n) < np.clip(p * 1.3 - 0.05, 0, 1)).astype(int)
    return y, p


@pytest.mark.parametrize("frac", [2.0 / 3.0, 0.4], ids=["R-default-f", "narrow-span"])
def test_ici_e50_e90_emax_equal_brute_force_lowess(frac):
    """Oracle: brute-force lowess above, then mean/median/type-7 quantile/max by hand."""
    y, p = _spread_sample(6)
    errors = np.sort(np.abs(p - _brute_force_lowess(p, y.astype(float), frac)))
    n = errors.shape[0]
    position = (n - 1) * 0.9
    below = int(np.floor(position))
    e90 = errors[below] + (position - below) * (errors[below + 1] - errors[below])
    result = ici(y, p, frac=frac)
    assert result.ici == pytest.approx(errors.sum() / n, abs=1e-12)
    assert result.e50 == pytest.approx((errors[n // 2 - 1] + errors[n // 2]) / 2, abs=1e-12)
    assert result.e90 == pytest.approx(e90, abs=1e-12)
    assert result.emax == pytest.approx(errors[-1], abs=1e-12)


def test_loess_curve_interpolates_the_brute_force_smooth():
    """Oracle: brute-force lowess at the data, linearly interpolated (R's approx)."""
    y, p = _spread_sample(7)
    order = np.argsort(p)
    smooth = _brute_force_lowess(p, y.astype(float), 2.0 / 3.0)
    curve = calibration_curve(y, p, n_boot=0, n_points=25)
    expected = np.interp(curve["predicted"], p[order], smooth[order])
    assert curve["observed"].to_numpy() == pytest.approx(expected, abs=1e-12)
    assert curve["predicted"].iloc[0] == p.min() and curve["predicted"].iloc[-1] == p.max()
    assert curve[["low", "high"]].isna().all().all()


def test_loess_band_is_seeded_and_covers_the_curve():
    """Oracle: same seed gives the same band; a 95% band contains the smooth it bootstraps."""
    y, p = _simulated(8, n=300)
    first = calibration_curve(y, p, n_boot=100, random_state=1)
    again = calibration_curve(y, p, n_boot=100, random_state=1)
    other = calibration_curve(y, p, n_boot=100, random_state=2)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["low"], other["low"])
    inside = (first["low"] <= first["observed"]) & (first["observed"] <= first["high"])
    assert inside.mean() >= 0.9
    assert ((first["low"] >= 0) & (first["high"] <= 1)).all()


def test_binned_curve_hand_computed_with_clopper_pearson_intervals():
    """Oracle: hand computation of two groups; scipy.stats.binomtest exact intervals."""
    y = [0, 0, 1, 1, 0, 1]
    p = [0.1, 0.2, 0.6, 0.8, 0.3, 0.5]
    curve = calibration_curve(y, p, method="bins", n_groups=2, confidence=0.9)
    assert curve["predicted"].tolist() == pytest.approx([0.2, 1.9 / 3])
    assert curve["observed"].tolist() == [0.0, 1.0]
    assert curve["n"].tolist() == [3, 3]
    for row, events in zip(curve.itertuples(), [0, 3], strict=True):
        expected = stats.binomtest(events, 3).proportion_ci(0.9, method="exact")
        assert (row.low, row.high) == pytest.approx((expected.low, expected.high), abs=1e-12)


# -- Hosmer-Lemeshow ---------------------------------------------------------------------
def test_hosmer_lemeshow_tiny_table_by_hand():
    """Oracle: hand computation with the textbook formula and scipy's chi-square.

    Groups at the type-7 tertiles (0.2667, 0.5333) of these 12 risks: (n, O, E) =
    (4, 1, 0.6), (4, 2, 1.6), (4, 3, 3.0); HL = sum (O - E)^2 / (E (1 - E/n)) on 1 df.
    """
    p = [0.1, 0.1, 0.2, 0.2, 0.3, 0.4, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    y = [0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1]
    result = hosmer_lemeshow(y, p, n_groups=3)
    statistic = 0.4**2 / (0.6 * (1 - 0.6 / 4)) + 0.4**2 / (1.6 * (1 - 1.6 / 4)) + 0.0
    assert result.statistic == pytest.approx(statistic, abs=1e-12)
    assert result.df == 1
    assert result.p_value == pytest.approx(stats.chi2.sf(statistic, 1), abs=1e-12)
    assert result.table["observed"].tolist() == [1, 2, 3]
    assert result.table["expected"].tolist() == pytest.approx([0.6, 1.6, 3.0])


def test_hosmer_lemeshow_equals_pearson_chi_square_of_deciles():
    """Oracle: pandas.qcut deciles and the 2 x g Pearson form of R ResourceSelection.

    hoslem.test: cut(yhat, quantile(yhat, 0:g/g), include.lowest = TRUE); chisq =
    sum((obs - expect)^2 / expect) over events and non-events; df = g - 2.
    """
    y, p = _simulated(9, n=500, intercept=0.3, slope=0.8)
    groups = pd.qcut(p, 10, labels=False, duplicates="drop")
    frame = pd.DataFrame({"y": y, "p": p, "g": groups}).groupby("g")
    observed = np.column_stack([frame["y"].sum(), frame["y"].count() - frame["y"].sum()])
    expected = np.column_stack([frame["p"].sum(), frame["p"].count() - frame["p"].sum()])
    statistic = ((observed - expected) ** 2 / expected).sum()
    result = hosmer_lemeshow(y, p)
    assert result.statistic == pytest.approx(statistic, rel=1e-12)
    assert result.df == 8
    assert result.p_value == pytest.approx(stats.chi2.sf(statistic, 8), rel=1e-10)


# -- survival at a horizon: lifelines ---------------------------------------------------------
def test_survival_calibration_equals_lifelines_kaplan_meier_by_group():
    """Oracle: lifelines KaplanMeierFitter in pandas.qcut groups (estimate and log-log CI)."""
    rng = np.random.default_rng(10)
    n = 400
    risk = rng.uniform(0.05, 0.7, n)
    time = np.round(rng.exponential(365 / (3 * risk)), 0)  # whole days: tied times
    censor = np.round(rng.uniform(30, 900, n), 0)
    event = time <= censor
    time = np.minimum(time, censor)
    horizon = 365.0
    table = survival_calibration(time, event, risk, horizon, n_groups=5, confidence=0.9)
    groups = pd.qcut(risk, 5, labels=False)
    for index, row in table.iterrows():
        members = groups == index
        fitter = KaplanMeierFitter(alpha=0.1).fit(time[members], event[members])
        survival = fitter.survival_function_.loc[:horizon].iloc[-1, 0]
        bounds = fitter.confidence_interval_.loc[:horizon].iloc[-1]
        assert row["observed"] == pytest.approx(1 - survival, abs=1e-12)
        assert row["low"] == pytest.approx(1 - bounds.iloc[1], abs=1e-12)
        assert row["high"] == pytest.approx(1 - bounds.iloc[0], abs=1e-12)
        assert row["predicted"] == pytest.approx(risk[members].mean(), abs=1e-12)
        assert row["n"] == members.sum()


def test_survival_calibration_group_without_follow_up_to_horizon_is_nan():
    """Oracle: hand-made data; the low-risk group's follow-up ends before the horizon
    (censored: NaN; with events: Kaplan-Meier risk 1)."""
    time = [1, 2, 3, 10, 12, 14]
    event = [0, 0, 0, 1, 0, 1]
    risk = [0.1, 0.1, 0.1, 0.5, 0.6, 0.7]
    with pytest.warns(UserWarning, match=r"risk group\(s\) \[0\] nobody is followed up"):
        table = survival_calibration(time, event, risk, 11, n_groups=2)
    assert np.isnan(table["observed"].iloc[0])
    assert table["observed"].iloc[1] == pytest.approx(1 / 3)
    # follow-up that ends with events: the Kaplan-Meier risk has reached 1
    table = survival_calibration(time, [1, 1, 1, 1, 0, 1], risk, 11, n_groups=2)
    assert table["observed"].iloc[0] == 1.0


# -- bootstrap intervals ---------------------------------------------------------------
def test_metric_ci_uses_the_shared_stratified_bootstrap():
    """Oracle: bootstrap_ci(statistic, y, p, stratify=y) with the same seed."""
    from riskml.evaluation import bootstrap_ci

    y, p = _simulated(11, n=200)
    ci = metric_ci("calibration_slope", y, p, n_boot=200, random_state=3)
    direct = bootstrap_ci(
        calibration_slope, y.astype(bool), p, n_boot=200, stratify=y.astype(bool), random_state=3
    )
    assert (ci.estimate, ci.low, ci.high) == (direct.estimate, direct.low, direct.high)
    assert ci.low < ci.estimate < ci.high
    ici_ci = metric_ci("ici", y, p, n_boot=50, random_state=3)
    assert ici_ci.estimate == pytest.approx(ici(y, p).ici)


# -- input checks (messages pinned) ------------------------------------------------------------
@pytest.mark.parametrize(
    ("y", "p", "error", "match"),
    [
        (
            [0, 1, 1],
            [0.1, 0.2],
            ValueError,
            r"one value per patient; got lengths y_true=3, y_prob=2",
        ),
        (
            [0, 1, 1],
            [0.1, 2.3, -0.5],
            ValueError,
            r"probabilities in \[0, 1\]; 2 value\(s\) are outside .*linear predictor.*"
            r"predict_risk\(X, horizon=days\)",
        ),
        ([0, 1, 1], [0.1, np.nan, 0.5], ValueError, r"y_prob of calibration_slope has 1 NaN"),
        (
            [0, np.nan, 1],
            [0.1, 0.2, 0.5],
            ValueError,
            r"y_true of calibration_slope has 1 NaN.*at_horizon",
        ),
        ([0, 2, 1], [0.1, 0.2, 0.5], ValueError, r"must hold only 0 and 1"),
        ([1, 1, 1], [0.1, 0.2, 0.5], ValueError, r"needs both events and non-events; got 3 event"),
        ([0, 1, 1], ["a", "b", "c"], TypeError, r"y_prob of calibration_slope must be numeric"),
        (
            [[0, 1]],
            [[0.1, 0.2]],
            ValueError,
            r"y_true of calibration_slope must be one-dimensional",
        ),
    ],
    ids=["length", "outside-0-1", "nan-prob", "nan-label", "not-0-1", "one-class", "dtype", "2-d"],
)
def test_input_errors(y, p, error, match):
    with pytest.raises(error, match=match):
        calibration_slope(y, p)


def test_slope_errors_for_separation_and_constant_risk():
    with pytest.raises(ValueError, match=r"did not converge; the predicted risks separate"):
        calibration_slope([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.8])
    with pytest.raises(ValueError, match=r"undefined when every patient has the same"):
        calibration_slope([0, 1, 1], [0.3, 0.3, 0.3])
    with pytest.raises(ValueError, match=r"undefined when every predicted risk is 0"):
        observed_expected_ratio([0, 1], [0.0, 0.0])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: hosmer_lemeshow([0, 1] * 5, np.linspace(0.1, 0.9, 10), n_groups=2),
            ValueError,
            r"'n_groups' parameter of hosmer_lemeshow must be an int in the range \[3, inf\)",
        ),
        (
            lambda: hosmer_lemeshow([0, 1] * 5, [0.2] * 5 + [0.4] * 5),
            ValueError,
            r"at least 3 groups of predicted risk to have degrees of freedom \(g - 2\); the "
            r"2 distinct predicted risk\(s\) form 2 group\(s\) out of the 10 asked for",
        ),
        (
            lambda: calibration_curve([0, 1], [0.2, 0.4], method="spline"),
            ValueError,
            r"'method' parameter of calibration_curve must be one of 'loess', 'bins'",
        ),
        (
            lambda: ici([0, 1], [0.2, 0.4], frac=0),
            ValueError,
            r"'frac' parameter of ici must be a float in the range \(0, 1\]",
        ),
        (
            lambda: calibration_curve([0, 1], [0.2, 0.4], random_state="x"),
            TypeError,
            r"'random_state' parameter of calibration_curve",
        ),
        (
            lambda: survival_calibration([1, 2], [1, 0], [0.2, 0.4], 5),
            ValueError,
            r"no patient is followed up to the horizon \(5 days\)",
        ),
        (
            lambda: survival_calibration([1, 2], [1, 0], [0.2, 0.4], -1),
            ValueError,
            r"'horizon' parameter of survival_calibration must be a positive number",
        ),
        (
            lambda: survival_calibration([1, 2], [1, 0], [1.2, 0.4], 1),
            ValueError,
            r"risk_at_horizon of survival_calibration must hold probabilities.*linear predictor",
        ),
        (
            lambda: LogisticRecalibration().transform([0.2]),
            ValueError,
            r"not fitted yet; call fit\(y_prob, y_true\)",
        ),
        (
            lambda: LogisticRecalibration(method="spline").fit([0.2, 0.4], [0, 1]),
            ValueError,
            r"'method' parameter of LogisticRecalibration must be one of 'logistic', 'intercept'",
        ),
    ],
    ids=[
        "n-groups",
        "tied-risks",
        "method",
        "frac",
        "random-state",
        "horizon-beyond",
        "horizon-negative",
        "risk-not-probability",
        "unfitted",
        "recal-method",
    ],
)
def test_parameter_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("n_bins", [5, 10, 13])
def test_uniform_bins_equal_sklearn_calibration_curve(n_bins):
    """Oracle: sklearn.calibration.calibration_curve(strategy="uniform"), whose empty
    bins are dropped and whose inner edges belong to the lower bin."""
    from sklearn.calibration import calibration_curve as sklearn_curve

    rng = np.random.default_rng(n_bins)
    p = np.round(rng.beta(1.2, 4, 700), 2)  # rounded: some risks sit on bin edges
    y = rng.random(700) < p
    expected_true, expected_pred = sklearn_curve(y, p, n_bins=n_bins, strategy="uniform")
    curve = calibration_curve(y, p, method="bins", n_groups=n_bins, strategy="uniform")
    np.testing.assert_allclose(curve["observed"], expected_true, rtol=0, atol=1e-12)
    np.testing.assert_allclose(curve["predicted"], expected_pred, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match=r"'strategy' parameter of calibration_curve"):
        calibration_curve(y, p, method="bins", strategy="kmeans")
