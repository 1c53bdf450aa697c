"""Old names of riskml.evaluation (docs/conventions.md): each still works for one
release, gives the same result as the new name, and warns naming the new one."""

import numpy as np
import pandas as pd
import pytest

from riskml.evaluation import (
    CalibrationDisplay,
    calibration_curve,
    concordance_index,
    metric_ci,
    paired_bootstrap,
    roc_auc,
    survival_metric_ci,
)


def _binary(n=200, seed=0):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.7, n)
    y = (rng.random(n) < p).astype(int)
    return y, p


def test_calibration_curve_n_bins_is_n_groups():
    y, p = _binary()
    new = calibration_curve(y, p, method="bins", n_groups=4)
    with pytest.warns(FutureWarning, match=r"calibration_curve\(n_bins=...\) is renamed n_groups="):
        old = calibration_curve(y, p, method="bins", n_bins=4)
    pd.testing.assert_frame_equal(old, new)
    assert len(new) == 4
    with pytest.raises(TypeError, match=r"got both n_groups= and its old name n_bins="):
        calibration_curve(y, p, method="bins", n_groups=5, n_bins=4)


def test_calibration_display_n_bins_is_n_groups():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    y, p = _binary()
    with pytest.warns(FutureWarning, match=r"from_predictions\(n_bins=...\) is renamed n_groups="):
        display = CalibrationDisplay.from_predictions(
            y, p, method="bins", n_bins=3, histogram=False
        )
    assert len(display.curve) == 3
    import matplotlib.pyplot as plt

    plt.close("all")


def test_paired_bootstrap_scores_is_predictions():
    y, p = _binary()
    q = np.clip(p + np.random.default_rng(1).normal(0, 0.1, p.shape[0]), 0, 1)
    models = {"a": p, "b": q}
    new = paired_bootstrap(roc_auc, models, y, n_boot=50, random_state=0)
    with pytest.warns(
        FutureWarning, match=r"paired_bootstrap\(scores=...\) is renamed predictions="
    ):
        # the old keyword form: the outcome arrays come positionally, the models by keyword
        old = paired_bootstrap(roc_auc, y, scores=models, n_boot=50, random_state=0)
    pd.testing.assert_frame_equal(old, new)
    time = np.arange(1, 201, dtype=float)
    event = y.astype(bool)
    with pytest.warns(FutureWarning, match="predictions="):
        old = paired_bootstrap(
            concordance_index, time, event, scores=models, n_boot=50, random_state=0
        )
    new = paired_bootstrap(concordance_index, models, time, event, n_boot=50, random_state=0)
    pd.testing.assert_frame_equal(old, new)
    with pytest.raises(TypeError, match="paired_bootstrap needs predictions"):
        paired_bootstrap(roc_auc)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("calibration_in_the_large", "calibration_intercept"),
        ("observed_expected_ratio", "o_e"),
        ("brier_score", "brier"),
    ],
)
def test_metric_ci_old_names_warn_with_the_registry_name(old, new):
    y, p = _binary()
    with pytest.warns(FutureWarning, match=rf"metric '{old}' of metric_ci is renamed '{new}'"):
        got = metric_ci(old, y, p, method="wald")
    assert got == metric_ci(new, y, p, method="wald")


def test_metric_ci_scaled_brier_is_ipa():
    y, p = _binary()
    with pytest.warns(FutureWarning, match=r"'scaled_brier' of metric_ci is renamed 'ipa'"):
        got = metric_ci("scaled_brier", y, p, n_boot=50, random_state=0)
    assert got == metric_ci("ipa", y, p, n_boot=50, random_state=0)


@pytest.mark.parametrize(
    ("old", "new", "params"),
    [
        ("brier_score_ipcw", "brier", {}),
        ("scaled_brier_ipcw", "ipa", {}),
        ("net_benefit_survival", "net_benefit", {"threshold": 0.2}),
        ("observed_expected_ratio", "o_e", {}),
    ],
)
def test_survival_metric_ci_old_names_warn_with_the_registry_name(old, new, params):
    rng = np.random.default_rng(3)
    risk = rng.uniform(0.1, 0.6, 150)
    time = rng.exponential(1 / risk) * 100
    event = rng.random(150) < 0.7
    args = (time, event, risk, 100.0)
    with pytest.warns(FutureWarning, match=rf"'{old}' of survival_metric_ci is renamed '{new}'"):
        got = survival_metric_ci(old, *args, n_boot=50, random_state=0, **params)
    assert got == survival_metric_ci(new, *args, n_boot=50, random_state=0, **params)
