"""Brier scores (binary and IPCW), net benefit and decision curves, NRI and IDI.

Oracles: scikit-learn, scikit-survival (GPL-3, imported here as a test oracle only),
lifelines, R dcurves output published in the dcurves repository, and hand computations.
"""

import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from lifelines import KaplanMeierFitter
from scipy import stats
from sklearn.metrics import brier_score_loss

from riskml.evaluation import DecisionCurveDisplay, bootstrap_ci
from riskml.evaluation._utility import (
    brier_score,
    brier_score_ipcw,
    decision_curve,
    decision_curve_survival,
    idi,
    metric_ci,
    net_benefit,
    net_benefit_survival,
    nri,
    scaled_brier,
    scaled_brier_ipcw,
    survival_metric_ci,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def _binary(seed, n=300):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.02, 0.8, n)
    y = (rng.random(n) < p * 0.9).astype(int)
    return y, p


def _censored(seed, n=300):
    """Continuous (tie-free) event and censoring times with a predicted risk."""
    rng = np.random.default_rng(seed)
    risk = rng.uniform(0.05, 0.8, n)
    event_time = rng.exponential(1.0 / (-np.log1p(-risk)))  # P(T <= 1) = risk
    censor_time = rng.uniform(0.2, 3.0, n)
    time = np.minimum(event_time, censor_time)
    return time, event_time <= censor_time, risk


# -- binary Brier ---------------------------------------------------------------------
def test_brier_score_equals_sklearn_and_scaled_brier_by_hand():
    """Oracles: sklearn brier_score_loss; IPA = 1 - B / (ybar (1 - ybar)) by hand."""
    y, p = _binary(0)
    assert brier_score(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-15)
    # hand: Brier 0.075 on [0, 1, 1, 0] / [0.1, 0.8, 0.6, 0.3]; null 0.25
    assert scaled_brier([0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3]) == pytest.approx(1 - 0.075 / 0.25)


# -- IPCW Brier: scikit-survival ----------------------------------------------------------
@pytest.mark.parametrize("horizon", [0.5, 1.0, 2.0], ids=["early", "middle", "late"])
def test_brier_score_ipcw_equals_scikit_survival(horizon):
    """Oracle: sksurv.metrics.brier_score (estimate = 1 - risk), censoring KM on the
    evaluation data and on separate training data; tie-free times."""
    from sksurv.metrics import brier_score as sksurv_brier
    from sksurv.util import Surv

    time, event, risk = _censored(1)
    train_time, train_event, _ = _censored(2, n=500)
    train_time[np.argmax(train_time)] = 10.0  # cover the test follow-up (sksurv requires it)
    test = Surv.from_arrays(event, time)
    train = Surv.from_arrays(train_event, train_time)
    _, expected_same = sksurv_brier(test, test, 1 - risk, horizon)
    _, expected_train = sksurv_brier(train, test, 1 - risk, horizon)
    assert brier_score_ipcw(time, event, risk, horizon) == pytest.approx(
        expected_same[0], abs=1e-10
    )
    assert brier_score_ipcw(
        time, event, risk, horizon, train_time=train_time, train_event=train_event
    ) == pytest.approx(expected_train[0], abs=1e-10)


def test_scaled_brier_ipcw_equals_scikit_survival_with_a_kaplan_meier_null_model():
    """Oracle: 1 - BS(model) / BS(null), both from sksurv, null = lifelines KM risk."""
    from sksurv.metrics import brier_score as sksurv_brier
    from sksurv.util import Surv

    time, event, risk = _censored(3)
    horizon = 1.0
    test = Surv.from_arrays(event, time)
    survival = KaplanMeierFitter().fit(time, event).predict(horizon)
    _, model = sksurv_brier(test, test, 1 - risk, horizon)
    _, null = sksurv_brier(test, test, np.full(time.shape, survival), horizon)
    expected = 1 - model[0] / null[0]
    assert scaled_brier_ipcw(time, event, risk, horizon) == pytest.approx(expected, abs=1e-10)


def test_brier_score_ipcw_weights_events_by_the_left_limit_of_censoring():
    """Oracle: hand computation with a censoring tied to an event time (5).

    Censoring KM, events first: G = 1 before 5, 2/3 on [5, 8), 1/3 from 8. The event at 5
    has weight 1 / G(5-) = 1 (riskRegression; sksurv's G(5) would give 1.5, Brier 0.122):
    (0.4^2 + 0.5^2 + 1.5 * (0.2^2 + 0.1^2)) / 5 = 0.097.
    """
    time = [2, 5, 5, 8, 9]
    event = [1, 1, 0, 0, 1]
    risk = [0.6, 0.5, 0.3, 0.2, 0.1]
    assert brier_score_ipcw(time, event, risk, 6) == pytest.approx(0.097, abs=1e-12)


# -- net benefit: R dcurves ---------------------------------------------------------------
def test_net_benefit_equals_published_dcurves_output_binary():
    """Oracle: R dcurves output stored in the dcurves repository (MSKCC-Epi-Bio/dcurves,
    tests/benchmark_data/r_simple_binary_dca_result_df.csv, commit ee419d7): rows "all"
    and "age" of dca(cancer ~ age, data = df_binary) with age made a probability by
    dcurves' as_probability, i.e. glm(cancer ~ age, binomial) (refitted here with
    statsmodels; its tp/fp rates match the file exactly).
    """
    data = pd.read_csv(DATA / "dcurves_df_binary.csv")
    y = data["cancer"].to_numpy()
    fit = sm.GLM(y.astype(float), sm.add_constant(data["age"]), family=sm.families.Binomial())
    age_risk = fit.fit(tol=1e-14).fittedvalues.to_numpy()
    published_age = {
        0.05: 0.09880701754385966,
        0.1: 0.0691851851851852,
        0.2: 0.04200000000000001,
        0.3: 0.02038095238095238,
        0.45: 0.011393939393939399,
        0.5: 0.009333333333333336,
        0.6: 0.004000000000000001,
        0.7: 0.002666666666666667,
        0.8: 0.0,
    }
    thresholds = list(published_age)
    assert net_benefit(y, age_risk, thresholds=thresholds) == pytest.approx(
        list(published_age.values()), abs=1e-12
    )
    curve = decision_curve(y, {"age": age_risk}, thresholds=[0.05, 0.1, 0.5])
    treat_all = curve.loc[curve["model"] == "Treat all", "net_benefit"]
    assert treat_all.tolist() == pytest.approx(
        [0.09473684210526317, 0.04444444444444445, -0.72], abs=1e-12
    )
    at_10 = curve[(curve["model"] == "age") & (curve["threshold"] == 0.1)].iloc[0]
    assert (at_10["tp_rate"], at_10["fp_rate"]) == pytest.approx(
        (0.11200000000000002, 0.38533333333333336), abs=1e-12
    )
    assert (curve.loc[curve["model"] == "Treat none", "net_benefit"] == 0).all()


def test_net_benefit_equals_brute_force_count():
    """Oracle: a patient-by-patient loop of Vickers & Elkin's formula."""
    data = pd.read_csv(DATA / "dcurves_df_binary.csv")
    y = data["cancer"].to_numpy()
    p = data["cancerpredmarker"].to_numpy()
    thresholds = np.arange(0, 100) / 100
    expected = []
    for t in thresholds:
        tp = fp = 0
        for outcome, risk in zip(y, p, strict=True):
            if risk >= t and risk > 0:
                tp += outcome
                fp += 1 - outcome
        expected.append(tp / len(y) - fp / len(y) * t / (1 - t))
    assert net_benefit(y, p, thresholds=thresholds) == pytest.approx(expected, abs=1e-12)


def test_net_benefit_survival_equals_published_dcurves_output():
    """Oracle: R dcurves output stored in the dcurves repository (MSKCC-Epi-Bio/dcurves,
    tests/benchmark_data/r_simple_surv_dca_result_df.csv, commit 603629d): rows "all" and
    "famhistory" of dca(Surv(ttcancer, cancer) ~ famhistory, data = df_surv, time = t);
    t = 1.5 is the horizon at which the file's prevalence 0.2201127546956282 is 1 - KM.

    At threshold 0 only famhistory == 1 is treated: dcurves moves risks of 0 to -eps.
    """
    data = pd.read_csv(DATA / "dcurves_df_surv.csv")
    time, event = data["ttcancer"].to_numpy(), data["cancer"].to_numpy()
    famhistory = data["famhistory"].to_numpy().astype(float)
    published = {
        0.0: 0.0531743954260046,
        0.1: 0.042045624547412515,
        0.2: 0.028134660949172417,
        0.35: -7.573403702493403e-4,
        0.5: -0.04698454248132413,
        0.9: -0.8482560457399542,
    }
    thresholds = list(published)
    assert net_benefit_survival(
        time, event, famhistory, 1.5, thresholds=thresholds
    ) == pytest.approx(list(published.values()), abs=1e-12)
    curve = decision_curve_survival(
        time, event, {"famhistory": famhistory}, 1.5, thresholds=[0.0, 0.1, 0.3]
    )
    rows = curve[curve["model"] == "famhistory"].iloc[0]
    assert (rows["tp_rate"], rows["fp_rate"]) == pytest.approx(
        (0.0531743954260046, 0.10015893790732873), abs=1e-12
    )
    treat_all = curve.loc[curve["model"] == "Treat all", "net_benefit"]
    assert treat_all.tolist() == pytest.approx(
        [0.2201127546956282, 0.13345861632847578, -0.11412463614910262], abs=1e-12
    )


def test_net_benefit_survival_equals_lifelines_among_the_treated():
    """Oracle: lifelines KaplanMeierFitter among patients with risk >= t (Vickers 2008)."""
    data = pd.read_csv(DATA / "dcurves_df_surv.csv")
    time, event = data["ttcancer"].to_numpy(), data["cancer"].to_numpy()
    risk = data["cancerpredmarker"].to_numpy()
    thresholds = [0.05, 0.15, 0.3, 0.6]
    expected = []
    for t in thresholds:
        treated = risk >= t
        survival = KaplanMeierFitter().fit(time[treated], event[treated]).predict(1.0)
        share = treated.mean()
        expected.append((1 - survival) * share - survival * share * t / (1 - t))
    assert net_benefit_survival(time, event, risk, 1.0, thresholds=thresholds) == pytest.approx(
        expected, abs=1e-12
    )


def test_net_benefit_survival_edge_cases_by_hand():
    """Oracle: hand-made data. Nobody treated: 0. Treated followed up < horizon: NaN when
    their follow-up ends censored; when it ends with events the KM risk is 1, so
    NB = P(treated) = 0.5 (dcurves returns NA there: convention="dcurves")."""
    risk = [0.9, 0.8, 0.1, 0.2]
    censored = net_benefit_survival([1, 2, 8, 9], [0, 0, 1, 0], risk, 5, thresholds=[0.5, 0.95])
    assert np.isnan(censored[0])
    assert censored[1] == 0.0
    events = net_benefit_survival([1, 2, 8, 9], [1, 1, 1, 0], risk, 5, thresholds=[0.5])
    assert events.tolist() == [0.5]


def _dcurves_tail():
    """Python dcurves 1.1.7 output of tests/data/dcurves_survival_tail.py, with its inputs."""
    oracle = pd.read_csv(DATA / "dcurves_survival_tail.csv")
    surv = pd.read_csv(DATA / "dcurves_df_surv.csv")
    hand = {"time": [1.0, 2.0, 8.0, 9.0], "risk": [0.9, 0.8, 0.1, 0.2]}
    inputs = {
        "df_surv": (
            surv["ttcancer"].to_numpy(),
            surv["cancer"].to_numpy(dtype=int),
            surv["cancerpredmarker"].to_numpy(),
        ),
        "hand_events": (hand["time"], [1, 1, 1, 0], hand["risk"]),
        "hand_censored": (hand["time"], [0, 0, 1, 0], hand["risk"]),
    }
    names = {"all": "Treat all", "none": "Treat none"}
    for name, (time, event, risk) in inputs.items():
        rows = oracle[oracle["data"] == name].copy()
        rows["model"] = rows["model"].map(lambda m: names.get(m, "model"))
        horizon = float(rows["horizon"].iloc[0])
        yield name, np.asarray(time), np.asarray(event), np.asarray(risk), horizon, rows


def _merged(curve, rows):
    return rows.merge(curve, on=["model", "threshold"], suffixes=("_dcurves", ""))


def test_survival_decision_curve_dcurves_convention_equals_python_dcurves():
    """Oracle: Python dcurves 1.1.7 (stored output, tests/data/dcurves_survival_tail.py).
    Where the treated group's follow-up ends before the horizon, dcurves gives NaN whether
    it ends with an event or a censoring; convention="dcurves" does the same, at every
    threshold, for the model, treat all and treat none."""
    n_nan = 0
    for name, time, event, risk, horizon, rows in _dcurves_tail():
        thresholds = np.sort(rows["threshold"].unique())
        curve = decision_curve_survival(
            time, event, {"model": risk}, horizon, thresholds=thresholds, convention="dcurves"
        )
        merged = _merged(curve, rows)
        assert len(merged) == len(rows), name
        for column in ("tp_rate", "fp_rate", "net_benefit"):
            np.testing.assert_allclose(
                merged[column], merged[f"{column}_dcurves"], rtol=0, atol=1e-12, err_msg=name
            )
        model = merged[merged["model"] == "model"]
        direct = net_benefit_survival(
            time, event, risk, horizon, thresholds=model["threshold"], convention="dcurves"
        )
        np.testing.assert_allclose(direct, model["net_benefit_dcurves"], rtol=0, atol=1e-12)
        n_nan += int(model["net_benefit_dcurves"].isna().sum())
        if name == "hand_events":
            plotted = DecisionCurveDisplay.from_survival(
                time, event, {"model": risk}, horizon, thresholds=thresholds, convention="dcurves"
            ).curve
            pd.testing.assert_frame_equal(plotted, curve)
            # the convention reaches the metric through survival_metric_ci
            args = (time, event, risk, horizon)
            kaplan_meier = survival_metric_ci(
                "net_benefit", *args, threshold=0.5, n_boot=40, random_state=0
            )
            assert kaplan_meier.estimate == 0.5
            with pytest.raises(ValueError, match="statistic is NaN on the full data"):
                survival_metric_ci(
                    "net_benefit", *args, threshold=0.5, convention="dcurves", n_boot=40
                )
    assert n_nan == 69 + 2 + 2  # df_surv from 0.31 up; two thresholds of each hand cohort


def test_survival_decision_curve_kaplan_meier_convention_beyond_follow_up():
    """Oracles: Python dcurves 1.1.7 (stored output) where the treated group's follow-up
    reaches the horizon, lifelines' KaplanMeierFitter where it does not: a Kaplan-Meier
    curve that reached 0 (last follow-up an event) gives risk 1, one that ends with a
    censoring is undefined (NaN)."""
    n_event_tail = 0
    for name, time, event, risk, horizon, rows in _dcurves_tail():
        model = rows[rows["model"] == "model"]
        thresholds = model["threshold"].to_numpy()
        got = net_benefit_survival(time, event, risk, horizon, thresholds=thresholds)
        assert np.array_equal(
            got,
            net_benefit_survival(
                time, event, risk, horizon, thresholds=thresholds, convention="kaplan_meier"
            ),
            equal_nan=True,
        )
        for t, value, oracle in zip(thresholds, got, model["net_benefit"], strict=True):
            treated = (risk >= t) & (risk > 0)
            if not np.isnan(oracle) or treated.sum() == 0:
                assert value == pytest.approx(oracle, abs=1e-12), (name, t)
                continue
            km = KaplanMeierFitter().fit(time[treated], event[treated])
            survival = float(km.survival_function_at_times(horizon).iloc[0])
            share = treated.mean()
            if survival == 0:
                n_event_tail += 1
                assert value == pytest.approx(share, abs=1e-12), (name, t)
            else:
                assert np.isnan(value), (name, t)
    # df_surv: thresholds 0.33-0.46, 0.57-0.79, 0.95-0.99; hand_events: 0.5 and 0.85
    assert n_event_tail == 14 + 23 + 5 + 2


def test_survival_decision_curve_convention_is_checked():
    with pytest.raises(ValueError, match=r"convention.*'kaplan_meier', 'dcurves'"):
        net_benefit_survival([1, 2], [1, 0], [0.2, 0.4], 1.5, convention="R")


def test_thresholds_are_keyword_only_with_one_default():
    """Every net benefit function takes thresholds by keyword only, defaulting to
    0, 0.01, ..., 0.99 (Python dcurves' grid)."""
    y, p = [0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3]
    time, event = [2, 4, 6, 8], [1, 0, 1, 0]
    grid = np.arange(100) / 100
    assert np.array_equal(net_benefit(y, p), net_benefit(y, p, thresholds=grid))
    assert np.array_equal(
        net_benefit_survival(time, event, p, 5),
        net_benefit_survival(time, event, p, 5, thresholds=grid),
        equal_nan=True,
    )
    assert decision_curve(y, p)["threshold"].nunique() == 100
    assert decision_curve_survival(time, event, p, 5)["threshold"].nunique() == 100
    with pytest.raises(TypeError, match="positional"):
        net_benefit(y, p, [0.2])
    with pytest.raises(TypeError, match="positional"):
        net_benefit_survival(time, event, p, 5, [0.2])
    with pytest.raises(TypeError, match="positional"):
        decision_curve_survival(time, event, p, 5, [0.2])


def test_decision_curve_accepts_dataframes_series_and_arrays():
    """Oracle: net_benefit on each column (same function, different containers)."""
    y, p = _binary(4)
    q = np.clip(p + 0.1, 0, 1)
    frame = decision_curve(y, pd.DataFrame({"a": p, "b": q}), thresholds=[0.1, 0.2])
    assert frame["model"].unique().tolist() == ["Treat all", "Treat none", "a", "b"]
    assert list(frame.columns) == [
        "model",
        "threshold",
        "net_benefit",
        "tp_rate",
        "fp_rate",
        "net_interventions_avoided",
    ]
    b_rows = frame.loc[frame["model"] == "b", "net_benefit"]
    assert b_rows.tolist() == pytest.approx(net_benefit(y, q, thresholds=[0.1, 0.2]).tolist())
    assert decision_curve(y, pd.Series(p, name="s"), thresholds=[0.1])["model"].iloc[-1] == "s"
    assert decision_curve(y, p, thresholds=[0.1])["model"].iloc[-1] == "model"
    assert len(decision_curve(y, p)) == 3 * 100


# -- NRI and IDI: hand computations ---------------------------------------------------------
P_OLD = [0.05, 0.15, 0.25, 0.19, 0.05, 0.12, 0.22, 0.18]
P_NEW = [0.15, 0.25, 0.12, 0.20, 0.02, 0.08, 0.30, 0.21]
Y = [1, 1, 1, 1, 0, 0, 0, 0]


def test_categorical_nri_hand_computed():
    """Oracle: hand count with cut-offs 0.1 and 0.2 (0.19 -> 0.20 moves up).

    Events: 3 up, 1 down (NRI_e = 0.5); non-events: 1 up, 1 down (NRI_ne = 0);
    z = 0.5 / sqrt(4/16 + 2/16) (Pencina 2008).
    """
    result = nri(Y, P_OLD, P_NEW, cutoffs=[0.1, 0.2])
    assert (result.events_up, result.events_down) == (3, 1)
    assert (result.non_events_up, result.non_events_down) == (1, 1)
    assert (result.nri_events, result.nri_non_events, result.nri) == (0.5, 0.0, 0.5)
    z = 0.5 / np.sqrt(6 / 16)
    assert result.z == pytest.approx(z, abs=1e-12)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z), abs=1e-12)
    assert result.kind == "categorical"


def test_continuous_nri_hand_computed():
    """Oracle: hand count of any increase/decrease: events 3 up 1 down, non-events 2 and 2."""
    result = nri(Y, P_OLD, P_NEW)
    assert (result.events_up, result.events_down) == (3, 1)
    assert (result.non_events_up, result.non_events_down) == (2, 2)
    assert result.nri == 0.5
    assert result.z == pytest.approx(0.5 / np.sqrt(0.5), abs=1e-12)
    assert result.kind == "continuous"


def test_idi_hand_computed():
    """Oracle: mean paired differences by hand; standard errors from statistics.stdev."""
    gains_events = [0.10, 0.10, -0.13, 0.01]
    gains_non_events = [0.03, 0.04, -0.08, -0.03]  # p_old - p_new
    result = idi(Y, P_OLD, P_NEW)
    assert result.events == pytest.approx(0.02, abs=1e-12)
    assert result.non_events == pytest.approx(-0.01, abs=1e-12)
    assert result.idi == pytest.approx(0.01, abs=1e-12)
    se = np.sqrt(
        statistics.stdev(gains_events) ** 2 / 4 + statistics.stdev(gains_non_events) ** 2 / 4
    )
    assert result.z == pytest.approx(0.01 / se, abs=1e-10)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(0.01 / se), abs=1e-10)


# -- confidence intervals --------------------------------------------------------------------
def test_metric_ci_for_utility_metrics_is_the_seeded_shared_bootstrap():
    """Oracle: bootstrap_ci with the same statistic, stratification and seed."""
    y, p = _binary(5, n=200)
    q = np.clip(p * 1.2, 0, 1)
    ci = metric_ci("net_benefit", y, p, threshold=0.2, n_boot=100, random_state=7)
    direct = bootstrap_ci(
        lambda a, b: net_benefit(a, b, thresholds=[0.2])[0],
        y.astype(bool),
        p,
        n_boot=100,
        stratify=y.astype(bool),
        random_state=7,
    )
    assert (ci.low, ci.high) == (direct.low, direct.high)
    nri_ci = metric_ci("nri", y, p, q, cutoffs=[0.2, 0.4], n_boot=100, random_state=7)
    assert nri_ci.estimate == nri(y, p, q, cutoffs=[0.2, 0.4]).nri
    again = metric_ci("idi", y, p, q, n_boot=100, random_state=7)
    assert again == metric_ci("idi", y, p, q, n_boot=100, random_state=7)


def test_survival_metric_ci_is_the_seeded_shared_bootstrap():
    """Oracle: bootstrap_ci over (time, event, risk) with the same seed."""
    time, event, risk = _censored(6, n=150)
    ci = survival_metric_ci("brier", time, event, risk, 1.0, n_boot=60, random_state=2)
    direct = bootstrap_ci(
        lambda t, e, r: brier_score_ipcw(t, e, r, 1.0),
        time,
        event,
        risk,
        n_boot=60,
        random_state=2,
    )
    assert (ci.estimate, ci.low, ci.high) == (direct.estimate, direct.low, direct.high)


# -- input checks (messages pinned) ------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: net_benefit([0, 1], [0.2, 0.4], thresholds=[0.5, 1.0]),
            ValueError,
            r"threshold probabilities in \[0, 1\) .* got 1.0",
        ),
        (
            lambda: net_benefit([0, 1], [0.2, 0.4], thresholds="x"),
            ValueError,
            r"'thresholds' parameter of net_benefit must be a number or a 1-D array",
        ),
        (
            lambda: decision_curve([0, 1], {"Treat all": [0.2, 0.4]}),
            ValueError,
            r"model name 'Treat all' is reserved",
        ),
        (
            lambda: decision_curve([0, 1], {"m": [0.2, 0.4, 0.5]}),
            ValueError,
            r"2 outcomes and 3 predictions for 'm'",
        ),
        (
            lambda: decision_curve([0, 1], {"m": [0.2, 3.0]}),
            ValueError,
            r"predictions\['m'\] of decision_curve must hold probabilities.*linear predictor",
        ),
        (
            lambda: brier_score_ipcw([1, 2], [1, 0], [0.2, 0.4], 1.5, train_time=[1, 2]),
            ValueError,
            r"needs both train_time and train_event",
        ),
        (
            lambda: brier_score_ipcw([1, 2], [1, 0], [0.2, 0.4], 3),
            ValueError,
            r"no patient is followed up to the horizon",
        ),
        (
            lambda: brier_score_ipcw(
                [1, 6],
                [0, 0],
                [0.2, 0.4],
                5,
                train_time=[1, 2, 5],
                train_event=[0, 0, 0],
                censoring_weights="at",
            ),
            ValueError,
            r"the censoring survival function G is 0 at time 5.0 .* censoring_weights='before'",
        ),
        (
            lambda: scaled_brier_ipcw([1, 2, 3], [0, 0, 0], [0.2, 0.4, 0.1], 0.5),
            ValueError,
            r"null model's Brier score is 0",
        ),
        (
            lambda: brier_score([0, 1], [0.2, -0.4]),
            ValueError,
            r"y_prob of brier_score must hold probabilities in \[0, 1\]",
        ),
        (
            lambda: nri(Y, P_OLD, P_NEW, cutoffs=[0.3, 0.2]),
            ValueError,
            r"'cutoffs' parameter of nri must be None .* increasing risk cut-offs",
        ),
        (
            lambda: nri([1, 0], [0.2, 0.4], [0.1]),
            ValueError,
            r"got lengths y_true=2, p_old=2, p_new=1",
        ),
        (
            lambda: metric_ci("auc", Y, P_OLD),
            ValueError,
            r"'metric' parameter of metric_ci must be a callable or one of",
        ),
        (
            lambda: metric_ci("nri", Y, P_OLD),
            ValueError,
            r"takes 2 array\(s\) of predicted probabilities after y_true; got 1",
        ),
        (
            lambda: metric_ci("ici", Y, P_OLD, method="wald"),
            ValueError,
            r"method='wald' is available for 'calibration_intercept'",
        ),
        (
            lambda: metric_ci("ici", Y, P_OLD, method="exact"),
            ValueError,
            r"'method' parameter of metric_ci must be one of 'bootstrap', 'wald'",
        ),
    ],
    ids=[
        "threshold-1",
        "threshold-type",
        "reserved-name",
        "prediction-length",
        "prediction-range",
        "train-half",
        "horizon-beyond",
        "censoring-zero",
        "null-zero",
        "brier-range",
        "cutoffs",
        "nri-length",
        "metric-name",
        "metric-arity",
        "wald-metric",
        "ci-method",
    ],
)
def test_input_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_decision_curve_harm_and_net_interventions_avoided():
    """Oracle: net benefit counted patient by patient (TP/n - FP/n * t/(1-t) - harm) and
    dcurves' definition of net interventions avoided, (NB - NB_all) / (t/(1-t))."""
    rng = np.random.default_rng(11)
    p = rng.uniform(0.01, 0.9, 200)
    y = (rng.random(200) < p).astype(int)
    thresholds = [0.1, 0.25, 0.4]
    curve = decision_curve(y, {"m": p}, thresholds=thresholds, harm={"m": 0.02})
    for t in thresholds:
        treated = p >= t
        tp, fp = np.sum(treated & (y == 1)), np.sum(treated & (y == 0))
        nb = tp / 200 - fp / 200 * t / (1 - t) - 0.02
        nb_all = y.mean() - (1 - y.mean()) * t / (1 - t)
        row = curve[(curve.model == "m") & (curve.threshold == t)].iloc[0]
        assert row.net_benefit == pytest.approx(nb, abs=1e-12)
        assert row.net_interventions_avoided == pytest.approx(
            (nb - nb_all) / (t / (1 - t)), abs=1e-12
        )
        everyone = curve[(curve.model == "Treat all") & (curve.threshold == t)].iloc[0]
        assert everyone.net_interventions_avoided == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match=r"harm of decision_curve names \['x'\]"):
        decision_curve(y, {"m": p}, thresholds=[0.1], harm={"x": 0.1})
    with pytest.raises(TypeError):
        decision_curve(y, {"m": p}, [0.1])  # thresholds are keyword-only
