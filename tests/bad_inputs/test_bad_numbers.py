"""Bad-input corpus: degenerate predictions and bad arguments in riskml.evaluation.

Each case writes the bundled heart-failure records with a predicted risk (a fixed
formula of age, ejection fraction and serum creatinine, not a fitted model) to a CSV
in ``tmp_path``, plants one problem, reads the file back and makes one public call of
riskml.evaluation. The message must name the argument (or column) and the fix, quote
no planted value, and leave the file untouched (``check_case``).

The second half pins the numbers of degenerate predictions against a direct
computation (the oracle named in each test): constant risks, risks with two or three
distinct values, risks of exactly 0 and 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import riskml as rk
import riskml.evaluation as ev

from .conftest import Case, check_case

HORIZON = 90.0
PLANTED_TIME = -31337.0  # a planted follow-up time: never quoted
PLANTED_RISK = 0.4242  # a planted predicted risk: never quoted


@pytest.fixture(scope="module")
def data():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    f = hf.features
    risk = expit(
        -1.2
        + 0.04 * (f["age"] - 60)
        - 0.05 * (f["ejection_fraction"] - 38)
        + 0.8 * (f["serum_creatinine"] - 1.4)
    )
    frame = pd.DataFrame(
        {
            "time": hf.outcome.time,
            "death": hf.outcome.event.astype(int),
            "risk": risk.to_numpy(),
            "sex": np.where(f["sex"] == 1, "M", "F"),
        }
    )
    return {"frame": frame}


def _read(path):
    return pd.read_csv(path)


def _eval(function, change=None):
    """build(tmp_path, data) -> (call, inputs): ``function(table)`` on the changed CSV."""

    def build(tmp_path, data):
        frame = data["frame"].copy()
        if change is not None:
            frame = change(frame)
        path = tmp_path / "predictions.csv"
        frame.to_csv(path, index=False)
        return (lambda: function(_read(path))), [path]

    return build


def _const(value=0.3):
    return lambda f: f.assign(risk=value)


def _labels(f):
    return f.assign(risk=(f["risk"] > 0.5).astype(float))


def _binary(t):
    return rk.Outcome.binary(t["death"])


def _survival(t):
    return rk.Outcome.survival(t["time"], t["death"])


def _planted_time(f):
    f = f.copy()
    f.loc[7, "time"] = PLANTED_TIME
    return f


DEGENERATE = [
    Case(
        "auc_of_constant_risks",
        _eval(lambda t: ev.roc_auc(t["death"], t["risk"]), _const()),
        UserWarning,
        r"roc_auc: every value of y_score is the same \(0\.3\).*0\.5 from ties alone",
        r"Check the model that produced them",
        warns=True,
    ),
    Case(
        "auc_of_practically_constant_risks",
        _eval(
            lambda t: ev.roc_auc(t["death"], 0.3 + 1e-12 * np.arange(len(t))),
        ),
        UserWarning,
        r"values of y_score differ by at most 3e-10, practically constant.*rounding noise",
        r"Check the model",
        warns=True,
    ),
    Case(
        "harrell_c_of_constant_risks",
        _eval(lambda t: ev.concordance_index(t["time"], t["death"], t["risk"]), _const()),
        UserWarning,
        r"concordance_index: every value of risk is the same.*0\.5 from ties alone",
        r"learned nothing from the predictors",
        warns=True,
    ),
    Case(
        "uno_c_of_constant_risks",
        _eval(lambda t: ev.uno_c(t["time"], t["death"], t["risk"], tau=HORIZON), _const()),
        UserWarning,
        r"uno_c: every value of risk is the same",
        r"Check the model",
        warns=True,
    ),
    Case(
        "td_auc_of_constant_risks",
        _eval(
            lambda t: ev.time_dependent_auc(t["time"], t["death"], t["risk"], [HORIZON]),
            _const(),
        ),
        UserWarning,
        r"time_dependent_auc: every value of risk is the same",
        r"Check the model",
        warns=True,
    ),
    Case(
        "compare_auc_with_a_constant_model",
        _eval(
            lambda t: ev.compare_auc(t["death"], t["risk"], np.full(len(t), 0.3)),
        ),
        UserWarning,
        r"compare_auc: every value of score_b is the same",
        r"Check the model",
        warns=True,
    ),
    Case(
        "evaluate_predictions_of_constant_risks",
        _eval(
            lambda t: ev.evaluate_predictions(
                _binary(t), {"flat": t["risk"]}, n_boot=200, random_state=0
            ),
            _const(),
        ),
        UserWarning,
        r"every value of predictions\['flat'\] is the same.*\['calibration_slope'\] are undefined",
        r"learned nothing from the predictors",
        warns=True,
    ),
    Case(
        "calibration_curve_of_constant_risks",
        _eval(lambda t: ev.calibration_curve(t["death"], t["risk"], n_boot=0), _const()),
        UserWarning,
        r"calibration_curve: every predicted risk is the same \(0\.3\).*single point: the "
        r"observed proportion",
        r"Check the model",
        warns=True,
    ),
    Case(
        "brier_of_class_labels",
        _eval(lambda t: ev.brier_score(t["death"], t["risk"]), _labels),
        UserWarning,
        r"brier_score: every value of y_prob is exactly 0 or 1; these look like predicted "
        r"classes",
        r"predict_proba\(X\)\[:, 1\]",
        warns=True,
    ),
    Case(
        "ici_of_class_labels",
        _eval(lambda t: ev.ici(t["death"], t["risk"]), _labels),
        UserWarning,
        r"ici: every value of y_prob is exactly 0 or 1",
        r"predict_risk\(X\)",
        warns=True,
    ),
    Case(
        "survival_brier_of_class_labels",
        _eval(lambda t: ev.brier_score_ipcw(t["time"], t["death"], t["risk"], HORIZON), _labels),
        UserWarning,
        r"every value of risk_at_horizon is exactly 0 or 1",
        r"predict_proba",
        warns=True,
    ),
    Case(
        "calibration_slope_of_constant_risks",
        _eval(lambda t: ev.calibration_slope(t["death"], t["risk"]), _const()),
        ValueError,
        r"calibration_slope: the calibration slope is undefined when every patient has the "
        r"same predicted risk",
        r"calibration-in-the-large and the O:E ratio are still defined",
    ),
    Case(
        "calibration_slope_of_practically_constant_risks",
        _eval(lambda t: ev.calibration_slope(t["death"], 0.3 + 1e-12 * np.arange(len(t)))),
        ValueError,
        r"practically constant \(their logits differ by at most",
        r"Check the model",
    ),
    Case(
        "calibration_slope_of_barely_varying_risks",
        _eval(lambda t: ev.calibration_slope(t["death"], 0.3 + 1e-7 * np.arange(len(t)))),
        UserWarning,
        r"calibration_slope: the predicted risks barely vary \(their logits span 0\.00014, an "
        r"odds ratio of 1\.0001",
        r"rely on calibration-in-the-large or the O:E ratio",
        warns=True,
    ),
    Case(
        "calibration_slope_not_estimable",
        _eval(lambda t: ev.calibration_slope(t["death"], 0.3 + 1e-9 * np.arange(len(t)))),
        ValueError,
        r"did not converge: the predicted risks barely vary .* so the calibration slope is not "
        r"estimable",
        r"calibration-in-the-large and the O:E ratio are still defined",
    ),
    Case(
        "evaluate_predictions_of_barely_varying_risks",
        _eval(
            lambda t: ev.evaluate_predictions(
                _binary(t),
                {"shrunk": 0.3 + 1e-6 * (t["risk"] - 0.3)},
                metrics=["auc", "calibration_slope"],
            )
        ),
        UserWarning,
        r"evaluate_predictions: for predictions\['shrunk'\], the predicted risks barely vary",
        r"too strong a penalty",
        warns=True,
    ),
    Case(
        "survival_calibration_slope_of_constant_risks",
        _eval(
            lambda t: ev.survival_calibration_slope(t["time"], t["death"], t["risk"], HORIZON),
            _const(),
        ),
        ValueError,
        r"survival_calibration_slope: the calibration slope is undefined when every patient "
        r"has the same predicted risk",
        r"Check the model",
    ),
    Case(
        "survival_slope_interval_of_constant_risks",
        _eval(
            lambda t: ev.survival_metric_ci(
                "calibration_slope", t["time"], t["death"], t["risk"], HORIZON, method="wald"
            ),
            _const(),
        ),
        ValueError,
        r"calibration slope is undefined when every patient has the same predicted risk",
        r"O:E ratio are still defined",
    ),
    Case(
        "recalibrate_constant_risks",
        _eval(lambda t: ev.recalibrate_logistic(t["death"], t["risk"]), _const()),
        ValueError,
        r"calibration slope is undefined",
        r"calibration-in-the-large",
    ),
    Case(
        "calibration_intercept_of_class_labels",
        _eval(lambda t: ev.calibration_in_the_large(t["death"], t["risk"]), _labels),
        ValueError,
        r"every predicted risk is exactly 0 or 1, so the logistic calibration fit has no "
        r"patient left",
        r"model\.predict_proba\(X\)\[:, 1\]",
    ),
    Case(
        "survival_ici_of_class_labels",
        _eval(lambda t: ev.survival_ici(t["time"], t["death"], t["risk"], HORIZON), _labels),
        ValueError,
        r"survival_ici: every predicted risk is exactly 0 or 1",
        r"predict_risk\(X, horizon=days\)",
    ),
    Case(
        "true_false_as_probabilities",
        _eval(lambda t: ev.brier_score(t["death"], t["risk"] > 0.5)),
        TypeError,
        r"y_prob of brier_score holds True/False values: predicted classes",
        r"predict_proba\(X\)\[:, 1\]",
    ),
    Case(
        "ici_with_one_class",
        _eval(lambda t: ev.ici(np.zeros(len(t)), t["risk"])),
        ValueError,
        r"ici needs both events and non-events; got 0 event\(s\) and 299 non-event\(s\)",
        r"evaluate on a sample that has both",
    ),
    Case(
        "auc_with_one_patient",
        _eval(lambda t: ev.roc_auc(t["death"][:1], t["risk"][:1])),
        ValueError,
        r"roc_auc is undefined when y_true holds one class only",
        r"both must be present",
    ),
    Case(
        "empty_predictions",
        _eval(lambda t: ev.roc_auc(t["death"][:0], t["risk"][:0])),
        ValueError,
        r"y_score of roc_auc is empty \(0 patients\)",
        r"Check the filter or split that produced it",
    ),
    Case(
        "empty_probabilities",
        _eval(lambda t: ev.brier_score(t["death"][:0], t["risk"][:0])),
        ValueError,
        r"y_prob of brier_score is empty",
        r"Check the filter",
    ),
]

BAD_VALUES = [
    Case(
        "nan_risk",
        _eval(
            lambda t: ev.brier_score(t["death"], t["risk"]),
            lambda f: f.assign(risk=f["risk"].where(f.index != 5)),
        ),
        ValueError,
        r"y_prob of brier_score has 1 NaN value\(s\) \(first positions \[5\]\)",
        r"Drop those patients or fix the model",
    ),
    Case(
        "infinite_score",
        _eval(
            lambda t: ev.concordance_index(t["time"], t["death"], np.log(t["risk"])),
            lambda f: f.assign(risk=np.where(f.index == 3, 0.0, f["risk"])),
        ),
        ValueError,
        r"risk of concordance_index has 1 infinite value\(s\) \(first positions \[3\]\)",
        r"clip the risks into \(0, 1\)",
    ),
    Case(
        "risks_in_percent",
        _eval(
            lambda t: ev.brier_score(t["death"], t["risk"] * 100),
            lambda f: f.assign(risk=np.where(f.index == 0, PLANTED_RISK, f["risk"])),
        ),
        ValueError,
        r"y_prob of brier_score must hold probabilities in \[0, 1\]",
        r"if they are percentages, divide them by 100",
        absent=("42.42",),
    ),
    Case(
        "linear_predictor_as_risk",
        _eval(
            lambda t: ev.brier_score_ipcw(
                t["time"], t["death"], np.log(t["risk"] / (1 - t["risk"])), HORIZON
            )
        ),
        ValueError,
        r"risk_at_horizon of brier_score_ipcw must hold probabilities in \[0, 1\]",
        r"call predict_risk\(X, horizon=days\)",
    ),
    Case(
        "negative_follow_up_time",
        _eval(
            lambda t: ev.survival_calibration(t["time"], t["death"], t["risk"], HORIZON),
            _planted_time,
        ),
        ValueError,
        r"time of survival_calibration has 1 negative value\(s\) \(first positions \[7\]\)",
        r"Check the order of the dates subtracted",
        absent=("31337",),
    ),
    Case(
        "missing_follow_up_time",
        _eval(
            lambda t: ev.concordance_index(t["time"], t["death"], t["risk"]),
            lambda f: f.assign(time=f["time"].where(f.index != 2)),
        ),
        ValueError,
        r"time of concordance_index has 1 missing value\(s\) \(first positions \[2\]\)",
        r"Drop those patients or fill in their follow-up",
    ),
    Case(
        "infinite_follow_up_time",
        _eval(
            lambda t: ev.uno_c(t["time"], t["death"], t["risk"]),
            lambda f: f.assign(time=np.where(f.index == 4, np.inf, f["time"])),
        ),
        ValueError,
        r"time of uno_c has 1 infinite value\(s\)",
        r"Use the date of the last contact",
    ),
    Case(
        "follow_up_as_dates",
        _eval(
            lambda t: ev.time_dependent_auc(
                pd.to_datetime("2020-01-01") + pd.to_timedelta(t["time"], unit="D"),
                t["death"],
                t["risk"],
                [HORIZON],
            )
        ),
        TypeError,
        r"time of time_dependent_auc holds calendar dates",
        r"\(end_date - index_date\)\.dt\.days",
    ),
    Case(
        "no_follow_up_time",
        _eval(lambda t: ev.concordance_index(None, t["death"], t["risk"])),
        TypeError,
        r"time of concordance_index must be an array with one follow-up time .* got None",
        r"Pass a list, numpy array or pandas Series",
    ),
    Case(
        "event_flag_missing_in_survival_metric",
        _eval(
            lambda t: ev.survival_ici(t["time"], t["death"], t["risk"], HORIZON),
            lambda f: f.assign(death=f["death"].where(f.index != 9)),
        ),
        ValueError,
        r"event of survival_ici has 1 NaN: 1 missing value\(s\) \(first positions \[9\]\)",
        r"Drop those patients",
        absent=("at_horizon(days) is NaN",),
    ),
    Case(
        "risk_of_another_length",
        _eval(lambda t: ev.roc_auc(t["death"], t["risk"][:-3])),
        ValueError,
        r"roc_auc must have one value per patient; got lengths y_true=299, y_score=296",
        r"one value per patient",
    ),
    Case(
        "risk_as_text",
        _eval(lambda t: ev.roc_auc(t["death"], t["risk"].astype(str).astype(object))),
        TypeError,
        r"y_score of roc_auc must be numeric; 299 value\(s\) are text",
        r"pandas\.to_numeric",
    ),
    Case(
        "risk_as_a_column_name",
        _eval(lambda t: ev.roc_auc(t["death"], "risk")),
        TypeError,
        r"y_score of roc_auc must be an array with one predicted risk per patient; got str",
        r"Pass a list, numpy array or pandas Series",
    ),
]

HORIZONS = [
    Case(
        "horizon_beyond_follow_up",
        _eval(lambda t: ev.brier_score_ipcw(t["time"], t["death"], t["risk"], 5000.0)),
        ValueError,
        r"brier_score_ipcw: no patient is followed up to the horizon \(5000 days\); the "
        r"longest follow-up is 285 days",
        r"Choose a horizon within the follow-up",
    ),
    Case(
        "evaluate_predictions_horizon_beyond_follow_up",
        _eval(
            lambda t: ev.evaluate_predictions(
                _survival(t), {"m": t["risk"]}, horizon=1e6, n_boot=200, random_state=0
            )
        ),
        ValueError,
        r"evaluate_predictions: horizon=1e\+06 days is beyond the follow-up",
        r"Choose a horizon within the follow-up, e\.g\. its median",
    ),
    Case(
        "evaluate_predictions_negative_horizon",
        _eval(
            lambda t: ev.evaluate_predictions(
                _survival(t), {"m": t["risk"]}, horizon=-90, n_boot=200, random_state=0
            )
        ),
        ValueError,
        r"'horizon' parameter of evaluate_predictions must be a positive number of days",
        r"horizon=365",
    ),
    Case(
        "horizon_as_text",
        _eval(
            lambda t: ev.evaluate_predictions(
                _survival(t), {"m": t["risk"]}, horizon="90", n_boot=200
            )
        ),
        TypeError,
        r"'horizon' parameter of evaluate_predictions must be a positive number of days",
        r"Pass a number, e\.g\. horizon=90",
    ),
    Case(
        "ipcw_weights_horizon_beyond_follow_up",
        _eval(lambda t: ev.ipcw_weights(t["time"], t["death"], 400.0)),
        ValueError,
        r"ipcw_weights: horizon=400 days is beyond the follow-up \(the longest is 285 days\)",
        r"Choose a horizon within the follow-up",
    ),
    Case(
        "cross_validation_negative_horizon",
        _eval(
            lambda t: ev.cross_val_predict_risk(
                rk.models.make_model("cox"), t[["risk"]], _survival(t), cv=3, horizon=-1
            )
        ),
        ValueError,
        r"'horizon' parameter of cross_val_predict_risk must be a positive number of days",
        r"horizon=365",
    ),
    Case(
        "external_validation_horizon_beyond_follow_up",
        _eval(
            lambda t: ev.external_validation(
                rk.models.make_model("cox").fit(t[["risk"]], _survival(t)),
                t[["risk"]],
                _survival(t),
                horizon=3000,
            )
        ),
        ValueError,
        r"external_validation: horizon=3000 days is beyond the follow-up",
        r"Choose a horizon within the follow-up",
    ),
    Case(
        "time_dependent_auc_times_as_text",
        _eval(lambda t: ev.time_dependent_auc(t["time"], t["death"], t["risk"], ["90 days"])),
        TypeError,
        r"times of time_dependent_auc must be numbers \(horizons in days",
        r"Pass the horizons as numbers, not text",
    ),
]

SETTINGS = [
    Case(
        "n_boot_zero",
        _eval(lambda t: ev.bootstrap_ci(np.mean, t["risk"], n_boot=0)),
        ValueError,
        r"'n_boot' parameter of bootstrap_ci must be an int in the range \[1, inf\)\. Got 0",
        r"e\.g\. n_boot=2000",
    ),
    Case(
        "n_boot_fraction",
        _eval(lambda t: ev.roc_auc_ci(t["death"], t["risk"], n_boot=1.5)),
        TypeError,
        r"'n_boot' parameter of roc_auc_ci must be an int .* Got 1\.5",
        r"Pass a whole number of bootstrap replicates",
    ),
    Case(
        "n_boot_absurd",
        _eval(lambda t: ev.bootstrap_ci(np.mean, t["risk"], n_boot=10**9)),
        ValueError,
        r"'n_boot' parameter of bootstrap_ci must be at most 1,000,000; got 1,000,000,000",
        r"use n_boot=2000",
    ),
    Case(
        "confidence_as_percent",
        _eval(lambda t: ev.roc_auc_ci(t["death"], t["risk"], confidence=95)),
        ValueError,
        r"'confidence' parameter of roc_auc_ci must be a float in the range \(0, 1\)\. Got 95 "
        r"instead: a percentage",
        r"Pass confidence=0\.95 for a 95% interval",
    ),
    Case(
        "confidence_one",
        _eval(lambda t: ev.compare_auc(t["death"], t["risk"], t["risk"] ** 2, confidence=1.0)),
        ValueError,
        r"'confidence' parameter of compare_auc must be a float in the range \(0, 1\)",
        r"confidence=0\.95 for a 95% interval",
    ),
    Case(
        "confidence_as_text",
        _eval(lambda t: ev.evaluate_predictions(_binary(t), {"m": t["risk"]}, confidence="0.95")),
        TypeError,
        r"'confidence' parameter of evaluate_predictions .* Got '0\.95'",
        r"confidence=0\.95",
    ),
    Case(
        "metric_of_the_other_outcome_kind",
        _eval(
            lambda t: ev.metric_interval(ev.get_metric("auc", "binary"), _survival(t), t["risk"])
        ),
        ValueError,
        r"metric_interval: the metric 'auc' is for binary outcomes, but the outcome is survival",
        r"Use get_metric\('auc', 'survival'\) or a metric from \[",
    ),
    Case(
        "metric_interval_without_outcome",
        _eval(lambda t: ev.metric_interval("auc", None, t["risk"])),
        TypeError,
        r"outcome of metric_interval must be the observed outcome of every patient; got None",
        r"rk\.Outcome\.survival\(time, event\)",
    ),
    Case(
        "metric_interval_net_benefit_without_threshold",
        _eval(lambda t: ev.metric_interval("net_benefit", _binary(t), t["risk"], n_boot=200)),
        ValueError,
        r"metric_interval: 'net_benefit' is evaluated at a risk threshold",
        r"metric_params=\{'net_benefit': \{'threshold': 0\.1\}\}",
    ),
    Case(
        "outcome_as_a_column_name",
        _eval(lambda t: ev.evaluate_predictions("death", {"m": t["risk"]})),
        TypeError,
        r"y of evaluate_predictions must be the observed outcome of every patient; got str "
        r"'death'",
        r"Pass the outcome itself",
    ),
    Case(
        "outcome_as_a_two_column_frame",
        _eval(lambda t: ev.evaluate_predictions(t[["time", "death"]], {"m": t["risk"]})),
        TypeError,
        r"y of evaluate_predictions is a DataFrame with 2 columns \['time', 'death'\]",
        r"rk\.Outcome\.survival\(frame\['time'\], frame\['event'\]\)",
    ),
    Case(
        "metrics_as_a_number",
        _eval(lambda t: ev.evaluate_predictions(_binary(t), {"m": t["risk"]}, metrics=5)),
        TypeError,
        r"metrics of evaluate_predictions must be a metric name or a list of names",
        r"metrics=\['auc', 'brier'\]",
    ),
    Case(
        "threshold_in_percent",
        _eval(
            lambda t: ev.evaluate_predictions(
                _binary(t),
                {"m": t["risk"]},
                metrics=["net_benefit"],
                metric_params={"net_benefit": {"threshold": 10}},
            )
        ),
        ValueError,
        r"the 'threshold' of net_benefit in evaluate_predictions must be a risk in \(0, 1\)",
        r"For 10% pass 0\.1",
    ),
    Case(
        "metric_params_not_a_dict",
        _eval(
            lambda t: ev.evaluate_predictions(
                _binary(t), {"m": t["risk"]}, metrics=["net_benefit"], metric_params=[0.1]
            )
        ),
        TypeError,
        r"metric_params of evaluate_predictions must be a dict",
        r"metric_params=\{'net_benefit': \{'threshold': 0\.1\}\}",
    ),
    Case(
        "metric_params_of_an_unknown_parameter",
        _eval(
            lambda t: ev.evaluate_predictions(
                _binary(t),
                {"m": t["risk"]},
                metrics=["net_benefit"],
                metric_params={"net_benefit": {"cutoff": 0.1}},
            )
        ),
        ValueError,
        r"metric_params\['net_benefit'\] of evaluate_predictions names \['cutoff'\]",
        r"it takes \['threshold'\]",
    ),
    Case(
        "decision_curve_thresholds_in_percent",
        _eval(lambda t: ev.decision_curve(t["death"], {"m": t["risk"]}, thresholds=[10, 20])),
        ValueError,
        r"'thresholds' parameter of decision_curve must hold threshold probabilities",
        r"divide them by 100 \(10% is 0\.1\)",
    ),
    Case(
        "decision_curve_negative_harm",
        _eval(lambda t: ev.decision_curve(t["death"], {"m": t["risk"]}, harm=-0.01)),
        ValueError,
        r"harm of decision_curve must be a finite number >= 0",
        r"harm=0\.01",
    ),
    Case(
        "nri_cutoffs_as_text",
        _eval(lambda t: ev.nri(t["death"], t["risk"], t["risk"] ** 1.1, cutoffs="high")),
        TypeError,
        r"cutoffs of nri must be numbers",
        r"cutoffs=\[0\.05, 0\.2\]",
    ),
    Case(
        "paired_bootstrap_with_a_metric_name",
        _eval(
            lambda t: ev.paired_bootstrap(
                "auc", {"a": t["risk"], "b": t["risk"] ** 2}, t["death"], n_boot=200
            )
        ),
        TypeError,
        r"'metric' parameter of paired_bootstrap must be a callable .* Got 'auc'",
        r"Pass the function itself, e\.g\. roc_auc",
    ),
    Case(
        "paired_bootstrap_without_outcome",
        _eval(
            lambda t: ev.paired_bootstrap(
                ev.roc_auc, {"a": t["risk"], "b": t["risk"] ** 2}, n_boot=200
            )
        ),
        TypeError,
        r"paired_bootstrap needs the outcome arrays after predictions",
        r"paired_bootstrap\(roc_auc, predictions, y_true\)",
    ),
    Case(
        "bootstrap_statistic_returning_an_array",
        _eval(lambda t: ev.bootstrap_ci(lambda r: r * 2, t["risk"], n_boot=200)),
        TypeError,
        r"the statistic of bootstrap_ci must return one number; on the full data it returned "
        r"ndarray of shape \(299,\)",
        r"Reduce it to one number",
    ),
    Case(
        "subgroups_missing",
        _eval(lambda t: ev.subgroup_performance(_binary(t), t["risk"], None, n_boot=200)),
        TypeError,
        r"groups of subgroup_performance must hold the subgroup label of every patient",
        r"cohort\.features\['sex'\]",
    ),
    Case(
        "subgroups_as_a_column_name",
        _eval(lambda t: ev.subgroup_performance(_binary(t), t["risk"], "sex", n_boot=200)),
        TypeError,
        r"groups of subgroup_performance must hold the subgroup label of every patient.*got str",
        r"or a DataFrame or dict of several",
    ),
    Case(
        "repeated_cv_of_one_fold",
        _eval(lambda t: ev.RepeatedCV(1, 5)),
        ValueError,
        r"'k' parameter of RepeatedCV must be an int in the range \[2, inf\)",
        r"RepeatedCV\(10, 5\)",
    ),
    Case(
        "prevalence_in_percent",
        _eval(lambda t: ev.minimum_sample_size("binary", 10, prevalence=32, c_statistic=0.8)),
        ValueError,
        r"prevalence of minimum_sample_size must be above 0 and below 1; got 32",
        r"pass prevalence=0\.32",
    ),
    Case(
        "c_statistic_in_percent",
        _eval(lambda t: ev.minimum_sample_size("binary", 10, prevalence=0.3, c_statistic=80)),
        ValueError,
        r"'c_statistic' parameter of minimum_sample_size must be above 0\.5 and below 1",
        r"pass 1 - C",
    ),
    Case(
        "hosmer_lemeshow_of_constant_risks",
        _eval(lambda t: ev.hosmer_lemeshow(t["death"], t["risk"]), _const()),
        ValueError,
        r"hosmer_lemeshow needs at least 3 groups .* the 1 distinct predicted risk",
        r"Assess calibration with calibration_curve",
    ),
]

COMPARISONS = [
    Case(
        "idi_of_identical_models",
        _eval(lambda t: ev.idi(t["death"], t["risk"], t["risk"].copy())),
        UserWarning,
        r"idi: p_old and p_new are identical, so nothing is reclassified: the IDI is 0 and its "
        r"test statistic and p-value are undefined",
        r"Pass the predictions of the two models you mean to compare",
        warns=True,
    ),
    Case(
        "nri_of_identical_models",
        _eval(lambda t: ev.nri(t["death"], t["risk"], t["risk"].copy(), cutoffs=[0.2])),
        UserWarning,
        r"nri: p_old and p_new are identical",
        r"Pass the predictions of the two models",
        warns=True,
    ),
    Case(
        "bootstrap_strata_missing",
        _eval(
            lambda t: ev.bootstrap_ci(
                np.mean, t["risk"], n_boot=200, stratify=t["sex"].where(t.index != 12)
            )
        ),
        ValueError,
        r"stratify of bootstrap_ci has 1 missing label\(s\) \(first positions \[12\]\)",
        r"Drop those rows or fill in their label",
    ),
    Case(
        "compare_identical_rankings",
        _eval(lambda t: ev.compare_auc(t["death"], t["risk"], np.log(t["risk"]))),
        ValueError,
        r"compare_auc: the difference has zero variance \(the two scores order the patients "
        r"identically",
        r"Compare models whose scores differ",
    ),
]

CASES = DEGENERATE + BAD_VALUES + HORIZONS + SETTINGS + COMPARISONS


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_numbers(case, tmp_path, data):
    check_case(case, tmp_path, data)


# -- the numbers of degenerate predictions, against a direct computation ---------------
def _outcome(data):
    frame = data["frame"]
    return frame["death"].to_numpy(), frame["risk"].to_numpy()


def test_ici_of_constant_risks_is_the_distance_to_the_observed_proportion(data):
    """Oracle: direct computation. With one risk p for everyone the smoothed calibration
    curve is the observed proportion ybar, so every error is |ybar - p| (the issue's
    report: 0.300, the distance to one patient's outcome, instead of about 0.035)."""
    event, _ = _outcome(data)
    expected = abs(event.mean() - 0.3)
    result = ev.ici(event, np.full(event.shape[0], 0.3))
    for name, value in result.as_dict().items():
        assert value == pytest.approx(expected, abs=1e-12), name
    assert expected == pytest.approx(abs(96 / 299 - 0.3))  # 0.0211, far from 0.3


def test_ici_of_practically_constant_risks_is_that_of_one_risk(data):
    """Oracle: direct computation, mean |ybar - p_i| (risks within 1e-8 are one risk)."""
    event, _ = _outcome(data)
    prob = 0.3 + 1e-11 * np.arange(event.shape[0])
    assert ev.ici(event, prob).ici == pytest.approx(np.mean(np.abs(event.mean() - prob)), abs=1e-12)


@pytest.mark.parametrize("share", [0.5, 0.8], ids=["half", "eighty-percent"])
def test_ici_of_two_distinct_risks_uses_each_group_observed_rate(data, share):
    """Oracle: direct computation. With two distinct risks the lowess window at each one
    weighs only its own group (the other lies at the window's radius, weight 0, or the
    group fills the window), so the smooth is each group's observed rate r_g and the ICI
    is sum_g n_g |p_g - r_g| / n."""
    event, _ = _outcome(data)
    n = event.shape[0]
    low = np.arange(n) < int(share * n)
    prob = np.where(low, 0.1, 0.5)
    expected = (
        low.sum() * abs(0.1 - event[low].mean()) + (~low).sum() * abs(0.5 - event[~low].mean())
    ) / n
    assert ev.ici(event, prob).ici == pytest.approx(expected, abs=1e-12)


def test_ici_of_three_equal_groups_uses_each_group_observed_rate(data):
    """Oracle: direct computation, as for two groups (each window reaches the next group
    only at its radius)."""
    event, _ = _outcome(data)
    n = event.shape[0] - event.shape[0] % 3
    event = event[:n]
    group = np.repeat([0, 1, 2], n // 3)
    levels = np.array([0.1, 0.25, 0.4])
    prob = levels[group]
    expected = np.mean(np.abs(prob - np.array([event[group == g].mean() for g in range(3)])[group]))
    assert ev.ici(event, prob).ici == pytest.approx(expected, abs=1e-12)


def test_calibration_curve_of_constant_risks_observes_the_proportion(data):
    """Oracle: direct computation: the loess curve of constant risks is the observed
    proportion at the one predicted risk (the issue's report: an observed column of 0)."""
    event, _ = _outcome(data)
    with pytest.warns(UserWarning, match="single point"):
        curve = ev.calibration_curve(event, np.full(event.shape[0], 0.3), n_boot=0)
    np.testing.assert_allclose(curve["observed"], event.mean(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(curve["predicted"], 0.3)
    assert curve[["low", "high"]].isna().all().all()


def test_calibration_curve_bins_of_constant_risks_is_one_group(data):
    """Oracle: direct computation: one group, observed = events / n."""
    event, _ = _outcome(data)
    curve = ev.calibration_curve(event, np.full(event.shape[0], 0.3), method="bins")
    assert curve.shape[0] == 1
    assert curve.loc[0, "observed"] == pytest.approx(event.mean())
    assert curve.loc[0, "n"] == event.shape[0]


def test_survival_ici_of_constant_risks_is_the_distance_to_kaplan_meier(data):
    """Oracle: direct computation with lifelines' Kaplan-Meier estimator:
    |1 - S_KM(h) - p| for every patient (the calibration model has no covariate)."""
    from lifelines import KaplanMeierFitter

    frame = data["frame"]
    km = KaplanMeierFitter().fit(frame["time"], frame["death"])
    observed = 1.0 - float(km.survival_function_at_times(HORIZON).iloc[0])
    value = ev.survival_ici(frame["time"], frame["death"], np.full(len(frame), 0.3), HORIZON)
    assert value == pytest.approx(abs(observed - 0.3), abs=1e-12)


def test_ici_interval_of_constant_risks_centres_on_the_direct_value(data):
    """Oracle: direct computation for the estimate; the vectorised bootstrap of the ICI
    (compiled kernels) gives each replicate |ybar* - p| too, so every replicate lies
    within [0, 1] of the resample's proportion and the interval contains the estimate."""
    event, _ = _outcome(data)
    prob = np.full(event.shape[0], 0.3)
    metric = ev.get_metric("ici", "binary")
    ci = ev.metric_interval(metric, rk.Outcome.binary(event), prob, n_boot=200, random_state=0)
    assert ci.estimate == pytest.approx(abs(event.mean() - 0.3), abs=1e-12)
    # stratified by class, every resample keeps the proportion: each replicate equals it
    assert ci.low == pytest.approx(ci.estimate, abs=1e-12)
    assert ci.high == pytest.approx(ci.estimate, abs=1e-12)


def test_brier_of_class_labels_is_the_error_rate(data):
    """Oracle: direct computation: with risks of exactly 0 and 1, the Brier score is the
    share of patients whose label is wrong."""
    event, risk = _outcome(data)
    labels = (risk > 0.5).astype(float)
    with pytest.warns(UserWarning, match="look like predicted classes"):
        value = ev.brier_score(event, labels)
    assert value == pytest.approx(np.mean(labels != event))


def test_auc_of_constant_risks_is_one_half(data):
    """Oracle: direct computation (every event-non-event pair tied counts 1/2)."""
    event, _ = _outcome(data)
    with pytest.warns(UserWarning, match="ties alone"):
        assert ev.roc_auc(event, np.full(event.shape[0], 0.3)) == 0.5


def test_o_e_with_no_events_is_zero(data):
    """Oracle: direct computation: 0 observed events / sum of predicted risks."""
    _, risk = _outcome(data)
    assert ev.observed_expected_ratio(np.zeros(risk.shape[0]), risk) == 0.0


def test_net_benefit_of_one_patient(data):
    """Oracle: direct computation: one treated event, TP/n = 1, FP/n = 0."""
    assert ev.net_benefit([1], [0.4], thresholds=[0.2])[0] == pytest.approx(1.0)


def test_ici_of_two_patients_is_their_own_errors():
    """Oracle: direct computation. With two patients each lowess window weighs only its
    own patient (the other lies at the radius), so the smooth is each one's outcome and
    the ICI is the mean of |p_i - y_i| (mostly noise, as the Notes of ici say)."""
    result = ev.ici([1, 0], [0.4, 0.2])
    assert result.ici == pytest.approx((abs(0.4 - 1) + abs(0.2 - 0)) / 2)
    assert result.emax == pytest.approx(0.6)
