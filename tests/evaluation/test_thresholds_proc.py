"""Decisions at a threshold on a binary outcome, against R's pROC.

Oracle: pROC 1.18.0 (R 4.2.2) on 113 synthetic patients with two tied biomarkers and a
clinical grade (``threshold_markers.csv``, generated and evaluated by
``tests/data/threshold_proc.R``)::

    r <- roc(outcome, marker, levels = c("Good", "Poor"), direction = "<")
    coords(r, "all" | thresholds, input = "threshold", ret = c("threshold",
           "specificity", "sensitivity", "accuracy", "tn", "tp", "fn", "fp", "npv", "ppv"))
    coords(r, "best", best.method = "youden" | "closest.topleft", ret = ...)
    auc(r, partial.auc = c(high, low), partial.auc.focus = , partial.auc.correct = )
    ci.coords(r, thresholds, boot.n = 2000); ci.auc(partial, method = "bootstrap")

Point values agree to 1e-9 (observed: 4e-15). Bootstrap intervals cannot agree draw for
draw with R's; they are checked against riskml's generic ``bootstrap_ci`` with the same
seed and strata calling a brute-force statistic written here (equal to 1e-12), and against
pROC's intervals within one step of the empirical curve (1 / number of cases).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskml.evaluation import (
    bootstrap_ci,
    optimal_threshold,
    partial_auc,
    partial_auc_ci,
    threshold_statistics,
)

DATA = Path(__file__).resolve().parents[1] / "data"
STATS = ["specificity", "sensitivity", "accuracy", "tn", "tp", "fn", "fp", "npv", "ppv"]


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, float_precision="round_trip")


PATIENTS = _read("threshold_markers.csv")
Y = (PATIENTS["outcome"] == "Poor").to_numpy().astype(int)
MARKERS = {
    "s100b": PATIENTS["s100b"].to_numpy(),
    "ndka": PATIENTS["ndka"].to_numpy(),
    "glm": _read("threshold_proc_glm.csv")["glm_risk"].to_numpy(),
}
COORDS = _read("threshold_proc_coords.csv")
AUC = _read("threshold_proc_auc.csv")
CI = _read("threshold_proc_ci.csv")


def _assert_same(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Equal to 1e-9 where pROC has a number, NaN where pROC has NaN (e.g. PPV 0/0)."""
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours[~np.isnan(ours)], theirs[~np.isnan(theirs)], atol=1e-9)


# -- point values ---------------------------------------------------------------------------
@pytest.mark.parametrize("marker", list(MARKERS))
@pytest.mark.parametrize("which", ["all", "user"])
def test_statistics_equal_proc_coords(marker, which):
    """Every pROC ROC threshold (-Inf, midpoints, Inf) and user thresholds such as 0.1 and
    0.2 on the glm risk, or values observed exactly (s100b 0.1, 0.13): positive iff risk >=
    threshold, as pROC's direction "<"."""
    expected = COORDS[(COORDS["marker"] == marker) & (COORDS["input"] == which)]
    table = threshold_statistics(
        Y, MARKERS[marker], expected["threshold"].to_numpy(), n_boot=0
    ).summary
    np.testing.assert_array_equal(table["threshold"], expected["threshold"])
    _assert_same(table[STATS].to_numpy(), expected[STATS].to_numpy())
    assert len(table) == len(expected) > 4


def test_user_thresholds_include_probability_cutoffs():
    """The glm risk at 0.1 and 0.2 (risk thresholds as users state them)."""
    expected = COORDS[(COORDS["marker"] == "glm") & (COORDS["input"] == "user")]
    assert {0.1, 0.2} <= set(expected["threshold"])
    table = threshold_statistics(Y, MARKERS["glm"], [0.1, 0.2], n_boot=0).summary
    rows = expected.set_index("threshold").loc[[0.1, 0.2]]
    np.testing.assert_allclose(table["sensitivity"], rows["sensitivity"], atol=1e-9)
    np.testing.assert_allclose(table["npv"], rows["npv"], atol=1e-9)


@pytest.mark.parametrize("marker", list(MARKERS))
@pytest.mark.parametrize("method", ["youden", "closest_topleft"])
def test_optimal_threshold_equals_proc_best(marker, method):
    expected = COORDS[(COORDS["marker"] == marker) & (COORDS["input"] == method)]
    best = optimal_threshold(Y, MARKERS[marker], method=method, n_boot=0)
    np.testing.assert_allclose(best.tied_thresholds, expected["threshold"], atol=1e-9)
    np.testing.assert_allclose(best.threshold, expected["threshold"].min(), atol=1e-9)
    first = expected.iloc[0]
    ours = best.summary.loc[STATS, "estimate"].to_numpy()
    _assert_same(ours, first[STATS].to_numpy(dtype=float))
    se, sp = first["sensitivity"], first["specificity"]
    criterion = se + sp - 1 if method == "youden" else (1 - se) ** 2 + (1 - sp) ** 2
    assert best.criterion == pytest.approx(criterion, abs=1e-12)


@pytest.mark.parametrize("row", list(AUC.itertuples(index=False)), ids=lambda r: str(tuple(r)[:5]))
def test_partial_auc_equals_proc(row):
    """Ranges with both ends on the curve, between ROC points, and one narrower than a step."""
    range_ = {row.focus: (row.low, row.high)}
    if np.isnan(row.auc):  # pROC: NA with a warning (McClish undefined below the diagonal)
        with pytest.raises(ValueError, match="McClish's correction .* below"):
            partial_auc(Y, MARKERS[row.marker], correct=bool(row.correct), **range_)
        return
    value = partial_auc(Y, MARKERS[row.marker], correct=bool(row.correct), **range_)
    assert value == pytest.approx(row.auc, abs=1e-9)


def test_full_range_partial_auc_is_the_auc():
    from riskml.evaluation import roc_auc

    for risk in MARKERS.values():
        full = partial_auc(Y, risk, specificity=(0, 1))
        assert full == pytest.approx(roc_auc(Y, risk), abs=1e-12)
        assert partial_auc(Y, risk, sensitivity=(0, 1)) == pytest.approx(full, abs=1e-12)


# -- bootstrap intervals: riskml's generic bootstrap with a brute-force statistic -----------
def _brute_table(y, risk, threshold):
    positive = risk >= threshold
    tp = np.sum(positive & (y == 1))
    fp = np.sum(positive & (y == 0))
    fn = np.sum(~positive & (y == 1))
    tn = np.sum(~positive & (y == 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "tp": tp,
            "fp": fp,
            "tn": tn,
            "fn": fn,
            "sensitivity": tp / (tp + fn),
            "specificity": tn / (tn + fp),
            "ppv": tp / (tp + fp) if tp + fp else np.nan,
            "npv": tn / (tn + fn) if tn + fn else np.nan,
            "accuracy": (tp + tn) / y.shape[0],
        }


def _brute_best(y, risk, ties="lowest"):
    """pROC's "best" by enumeration: thresholds -inf, midpoints, inf; Youden's J."""
    values = np.unique(risk)
    candidates = np.r_[-np.inf, (values[:-1] + values[1:]) / 2, np.inf]
    j = np.array([_brute_table(y, risk, t)["sensitivity"] for t in candidates])
    j = j + np.array([_brute_table(y, risk, t)["specificity"] for t in candidates]) - 1
    tied = np.flatnonzero(j >= j.max() - 1e-12)
    return candidates[tied[0] if ties == "lowest" else tied[-1]]


@pytest.mark.parametrize("stratified", [True, False])
def test_threshold_intervals_equal_generic_bootstrap(stratified):
    """Replicate r is the same resample as bootstrap_ci's with the same seed and strata."""
    risk, thresholds = MARKERS["s100b"], np.array([0.1, 0.205, 1.5])
    result = threshold_statistics(
        Y, risk, thresholds, n_boot=300, random_state=11, stratified=stratified
    )
    frame = result.intervals.set_index(["threshold", "statistic"])
    for threshold in thresholds:
        for name in ("sensitivity", "specificity", "ppv", "npv", "accuracy", "tp"):
            reference = bootstrap_ci(
                lambda y, r, t=threshold, s=name: _brute_table(y, r, t)[s],
                Y,
                risk,
                n_boot=300,
                stratify=Y if stratified else None,
                random_state=11,
            )
            row = frame.loc[(threshold, name)]
            assert row["low"] == pytest.approx(reference.low, abs=1e-12)
            assert row["high"] == pytest.approx(reference.high, abs=1e-12)
            assert row["n_degenerate"] == reference.n_degenerate
    # at 1.5 few patients are positive: some replicates have nobody positive (PPV 0/0)
    assert frame.loc[(1.5, "ppv"), "n_degenerate"] > 0 or not stratified


def test_optimal_threshold_interval_equals_brute_force_bootstrap():
    risk = MARKERS["ndka"]
    best = optimal_threshold(Y, risk, n_boot=200, random_state=3)
    reference = bootstrap_ci(_brute_best, Y, risk, n_boot=200, stratify=Y, random_state=3)
    row = best.summary.loc["threshold"]
    assert (row["low"], row["high"]) == pytest.approx((reference.low, reference.high), abs=1e-12)
    highest = optimal_threshold(Y, risk, ties="highest", n_boot=200, random_state=3)
    reference = bootstrap_ci(
        lambda y, r: _brute_best(y, r, "highest"), Y, risk, n_boot=200, stratify=Y, random_state=3
    )
    row = highest.summary.loc["threshold"]
    assert (row["low"], row["high"]) == pytest.approx((reference.low, reference.high), abs=1e-12)


@pytest.mark.parametrize("correct", [False, True])
def test_partial_auc_interval_equals_generic_bootstrap(correct):
    """Fast (all replicates at once) equals slow (partial_auc per replicate)."""
    risk = MARKERS["s100b"]
    fast = partial_auc_ci(
        Y, risk, specificity=(0.9, 1), correct=correct, n_boot=200, random_state=5
    )
    slow = bootstrap_ci(
        lambda y, r: partial_auc(y, r, specificity=(0.9, 1), correct=correct),
        Y,
        risk,
        n_boot=200,
        stratify=Y,
        random_state=5,
    )
    assert (fast.low, fast.high, fast.n_degenerate) == pytest.approx(
        (slow.low, slow.high, slow.n_degenerate), abs=1e-12
    )


def test_same_seed_same_intervals():
    first = threshold_statistics(Y, MARKERS["glm"], [0.1, 0.2], n_boot=100, random_state=1)
    again = threshold_statistics(Y, MARKERS["glm"], [0.1, 0.2], n_boot=100, random_state=1)
    pd.testing.assert_frame_equal(first.summary, again.summary)


# -- the same distribution as pROC's bootstrap ------------------------------------------------
def test_intervals_agree_with_proc_within_one_step():
    """pROC's ci.coords (2000 stratified replicates, another generator): riskml's bounds
    lie within one step of the empirical curve (1/41 cases) of R's."""
    step = 1 / Y.sum() + 1e-3
    for marker, expected in CI.groupby("marker"):
        thresholds = np.unique(expected["x"].to_numpy())
        result = threshold_statistics(Y, MARKERS[marker], thresholds, random_state=7)
        frame = result.intervals.set_index(["threshold", "statistic"])
        for row in expected.itertuples(index=False):
            ours = frame.loc[(row.x, row.statistic)]
            assert abs(ours["low"] - row.low) <= step
            assert abs(ours["high"] - row.high) <= step


def test_partial_auc_interval_agrees_with_proc():
    for row in AUC.dropna(subset=["ci_low"]).itertuples(index=False):
        ci = partial_auc_ci(
            Y,
            MARKERS[row.marker],
            specificity=(row.low, row.high),
            correct=bool(row.correct),
            random_state=7,
        )
        assert ci.low == pytest.approx(row.ci_low, abs=0.005)
        assert ci.high == pytest.approx(row.ci_high, abs=0.005)


# -- bad input --------------------------------------------------------------------------------
GLM = MARKERS["glm"]


@pytest.mark.parametrize(
    ("thresholds", "error", "match"),
    [
        ([10, 20], ValueError, r"in \[0, 1\] because risk is a probability.*divide them by 100"),
        (
            [-0.1],
            ValueError,
            r"because risk is a probability \(every value in \[0, 1\]\); got -0.1",
        ),
        ([], ValueError, "non-empty 1-D array"),
        ([0.1, np.nan], ValueError, "It holds NaN"),
        ("0.1", TypeError, "must be a number or a non-empty"),
        (None, TypeError, "must be a number or a non-empty"),
        ([[0.1, 0.2]], ValueError, "non-empty 1-D array"),
    ],
)
def test_bad_thresholds(thresholds, error, match):
    with pytest.raises(error, match=match):
        threshold_statistics(Y, GLM, thresholds, n_boot=0)


def test_scores_outside_zero_one_take_any_threshold():
    table = threshold_statistics(Y, MARKERS["ndka"], [-5.0, 50.0, np.inf], n_boot=0).summary
    assert table["sensitivity"].tolist()[0] == 1.0 and table["tp"].tolist()[2] == 0


def test_one_class_outcome():
    with pytest.raises(ValueError, match="needs both classes in y; got 0 event"):
        threshold_statistics(np.zeros(10), np.linspace(0, 1, 10), [0.5])
    with pytest.raises(ValueError, match="needs both classes"):
        optimal_threshold(np.ones(10), np.linspace(0, 1, 10))


def test_bad_options():
    with pytest.raises(ValueError, match="'method' parameter of optimal_threshold must be one"):
        optimal_threshold(Y, GLM, method="closest.topleft")
    with pytest.raises(ValueError, match="'ties' parameter"):
        optimal_threshold(Y, GLM, ties="random")
    with pytest.raises(ValueError, match="exactly one of specificity"):
        partial_auc(Y, GLM)
    with pytest.raises(ValueError, match="exactly one of specificity"):
        partial_auc(Y, GLM, specificity=(0.9, 1), sensitivity=(0.9, 1))
    with pytest.raises(ValueError, match=r"0 <= low < high <= 1"):
        partial_auc(Y, GLM, specificity=(1, 0.9))
    with pytest.raises(TypeError, match="must be a pair"):
        partial_auc(Y, GLM, specificity=0.9)
    with pytest.raises(ValueError, match="Use partial_auc for the estimate alone"):
        partial_auc_ci(Y, GLM, specificity=(0.9, 1), n_boot=0)
    with pytest.raises(TypeError, match="'stratified' parameter"):
        threshold_statistics(Y, GLM, [0.1], stratified="yes")
    with pytest.raises(ValueError, match="at least 40"):
        threshold_statistics(Y, GLM, [0.1], n_boot=10)
    with pytest.raises(ValueError, match="horizon of threshold_statistics applies to a time-to"):
        threshold_statistics(Y, GLM, [0.1], horizon=365)
    with pytest.raises(ValueError, match="one value per patient"):
        threshold_statistics(Y[:-1], GLM, [0.1])
