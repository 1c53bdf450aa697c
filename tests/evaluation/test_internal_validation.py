"""Internal validation schemes against rms::validate and brute-force recomputations.

Oracles:
- R ``rms::validate`` (rms 6.5.0, R 4.2) of ``lrm`` on the bundled heart failure
  clinical records (``tests/data/internal_validation_rms.R`` -> ``.csv``): Harrell's
  bootstrap and Efron's .632 with B = 4000, 10-fold cross-validation repeated 200
  times. rms draws its own resamples, so estimates are compared within 4 Monte Carlo
  standard errors of the difference (from the spread of the per-replicate values).
- Explicit loops with the same bootstrap draws / folds for every scheme, and the
  O(n^2) double sum of Efron & Tibshirani (1997) for the no-information Brier score.
"""

import doctest
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from riskml import Outcome
from riskml.evaluation import (
    _internal,
    _stability,
    brier_score,
    brier_score_ipcw,
    calibration_slope,
    concordance_index,
    cv_folds,
    internal_validation,
    optimism_bootstrap,
    roc_auc,
)

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
PREDICTORS = ["age", "ejection_fraction", "serum_creatinine", "serum_sodium", "high_blood_pressure"]


class Logit(BaseEstimator):
    """Unpenalised logistic regression (the maximum-likelihood fit of R's lrm)."""

    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        self.mean_, self.scale_ = X.mean(axis=0), X.std(axis=0)
        self.model_ = LogisticRegression(
            C=np.inf, solver="newton-cholesky", tol=1e-10, max_iter=100
        ).fit((X - self.mean_) / self.scale_, y)
        return self

    def predict_risk(self, X, horizon=None):
        X = (np.asarray(X, dtype=float) - self.mean_) / self.scale_
        return self.model_.predict_proba(X)[:, 1]


class ExpCox(BaseEstimator):
    """A toy survival model: exponential hazard from a least-squares linear predictor."""

    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        design = np.column_stack([np.ones(len(X)), X])
        target = np.log(np.maximum(y["time"], 1.0))
        self.beta_ = np.linalg.lstsq(design, target, rcond=None)[0]
        self.rate_ = y["event"].sum() / y["time"].sum()
        return self

    def predict_risk(self, X, horizon=None):
        X = np.asarray(X, dtype=float)
        lp = -(np.column_stack([np.ones(len(X)), X]) @ self.beta_ - self.beta_[0])
        return 1.0 - np.exp(-self.rate_ * (horizon or 1.0) * np.exp(np.clip(lp, -5, 5)))


@pytest.fixture(scope="module")
def heart():
    d = pd.read_csv(ROOT / "riskml/cohorts/datasets/heart_failure_clinical_records_dataset.csv")
    return d[PREDICTORS], d["DEATH_EVENT"].to_numpy(), d


@pytest.fixture(scope="module")
def rms():
    return pd.read_csv(DATA / "internal_validation_rms.csv")


def _binary(event, risk):
    return {
        "auc": roc_auc(event, risk),
        "calibration_slope": calibration_slope(event, risk),
        "brier": brier_score(event, risk),
    }


METRICS = ["auc", "calibration_slope", "brier"]


def _by_metric(result):
    return result.summary.set_index("metric")


# -- brute force with the same draws ------------------------------------------------
def _brute_bootstrap(X, y, n_boot, seed):
    rng = np.random.default_rng(seed)
    n = len(y)
    original = Logit().fit(X, y).predict_risk(X)
    apparent = _binary(y, original)
    training, test, oob = [], [], []
    for _ in range(n_boot):
        rows = rng.integers(0, n, size=n)
        out = np.setdiff1d(np.arange(n), rows)
        model = Logit().fit(X.iloc[rows], y[rows])
        training.append(_binary(y[rows], model.predict_risk(X.iloc[rows])))
        test.append(_binary(y, model.predict_risk(X)))
        oob.append(_binary(y[out], model.predict_risk(X.iloc[out])))
    frame = {k: pd.DataFrame(v) for k, v in [("training", training), ("test", test), ("oob", oob)]}
    return apparent, frame, original


def test_bootstrap_schemes_equal_explicit_loops(heart):
    """Harrell, .632 and .632+ against a loop over the same draws, fitting on each sample."""
    X, y, _ = heart
    apparent, brute, original = _brute_bootstrap(X, y, 25, 7)
    harrell = _by_metric(
        internal_validation(Logit(), X, y, metrics=METRICS, n_boot=25, random_state=7)
    )
    e632 = _by_metric(
        internal_validation(Logit(), X, y, method="632", metrics=METRICS, n_boot=25, random_state=7)
    )
    plus = internal_validation(
        Logit(), X, y, method="632+", metrics=METRICS, n_boot=25, random_state=7
    )
    p632 = _by_metric(plus)
    for metric in METRICS:
        app = apparent[metric]
        optimism = (brute["training"][metric] - brute["test"][metric]).mean()
        assert harrell.loc[metric, "corrected"] == pytest.approx(app - optimism, abs=1e-9)
        oob = brute["oob"][metric].mean()
        assert e632.loc[metric, "corrected"] == pytest.approx(0.368 * app + 0.632 * oob, abs=1e-9)
        assert e632.loc[metric, "optimism"] == pytest.approx(0.632 * (app - oob), abs=1e-9)
    # .632+ by hand (Efron & Tibshirani 1997, eq. 32) for the AUC (gamma = 1/2, higher
    # is better: the loss is -AUC) and the Brier score (gamma from the O(n^2) sum)
    gamma_brier = np.mean((y[:, None] - original[None, :]) ** 2)
    assert p632.loc["brier", "no_information"] == pytest.approx(gamma_brier, rel=1e-9)
    for metric, sign, gamma in (("auc", -1, 0.5), ("brier", 1, gamma_brier)):
        err, err1, g = sign * apparent[metric], sign * brute["oob"][metric].mean(), sign * gamma
        err1p = min(err1, g)
        rate = (err1p - err) / (g - err) if (err1p > err and g > err) else 0.0
        expected = (
            0.368 * err + 0.632 * err1 + (err1p - err) * 0.368 * 0.632 * rate / (1 - 0.368 * rate)
        )
        assert rate > 0  # the model overfits, so .632+ moves away from .632
        assert p632.loc[metric, "overfitting_rate"] == pytest.approx(rate, abs=1e-9)
        assert p632.loc[metric, "corrected"] == pytest.approx(sign * expected, abs=1e-9)
    # no natural no-information slope: .632+ falls back to .632, and says so
    assert np.isnan(p632.loc["calibration_slope", "no_information"])
    assert p632.loc["calibration_slope", "corrected"] == pytest.approx(
        e632.loc["calibration_slope", "corrected"], abs=1e-12
    )
    # every bootstrap scheme keeps the replicate models' predictions on the original data
    assert plus.predictions.shape == (25, len(y))


def test_harrell_equals_optimism_bootstrap(heart):
    """The "bootstrap" scheme reproduces riskml.evaluation.optimism_bootstrap exactly."""
    X, y, _ = heart
    ours = internal_validation(Logit(), X, y, metrics=METRICS, n_boot=15, random_state=3)
    theirs = optimism_bootstrap(Logit(), X, y, metrics=METRICS, n_boot=15, random_state=3)
    np.testing.assert_allclose(
        ours.summary["corrected"], theirs.summary["corrected"], rtol=0, atol=1e-12
    )


def test_optimism_bootstrap_is_a_thin_wrapper_with_identical_output(heart):
    """One implementation: optimism_bootstrap's every number is internal_validation's,
    which test_bootstrap_schemes_equal_explicit_loops checks against a slow loop."""
    X, y, _ = heart
    ours = internal_validation(Logit(), X, y, metrics=METRICS, n_boot=12, random_state=5)
    theirs = optimism_bootstrap(Logit(), X, y, metrics=METRICS, n_boot=12, random_state=5, n_jobs=2)
    columns = ["model", "metric", "apparent", "optimism", "corrected", "n_boot", "n_degenerate"]
    pd.testing.assert_frame_equal(theirs.summary[columns], ours.summary[columns])
    assert list(theirs.summary.columns) == [*columns, "method"]
    pd.testing.assert_frame_equal(
        theirs.replicates[["replicate", "metric", "training", "test"]],
        ours.replicates[["replicate", "metric", "training", "test"]],
    )
    np.testing.assert_array_equal(
        theirs.replicates["optimism"], ours.replicates["training"] - ours.replicates["test"]
    )
    with pytest.raises(ValueError, match="'n_boot' parameter of optimism_bootstrap"):
        optimism_bootstrap(Logit(), X, y, n_boot=0)


@pytest.mark.parametrize("method", ["cv_optimism", "cv_average"])
def test_cross_validation_schemes_equal_explicit_loops(heart, method):
    X, y, _ = heart
    folds = cv_folds(y, 5, random_state=11)
    apparent = _binary(y, Logit().fit(X, y).predict_risk(X))
    training, test = [], []
    for fold in range(5):
        tr, te = folds != fold, folds == fold
        model = Logit().fit(X[tr], y[tr])
        training.append(_binary(y[tr], model.predict_risk(X[tr])))
        test.append(_binary(y[te], model.predict_risk(X[te])))
    training, test = pd.DataFrame(training), pd.DataFrame(test)
    result = internal_validation(
        Logit(), X, y, method=method, cv=5, metrics=METRICS, random_state=11
    )
    table = _by_metric(result)
    for metric in METRICS:
        if method == "cv_optimism":
            expected = apparent[metric] - (training[metric] - test[metric]).mean()
        else:
            expected = test[metric].mean()
        assert table.loc[metric, "corrected"] == pytest.approx(expected, abs=1e-9)
        assert table.loc[metric, "n_boot"] == 5
    assert result.predictions is None
    with pytest.raises(ValueError, match="bootstrap method"):
        result.stability()


# -- rms::validate -------------------------------------------------------------------
def _mc_tolerance(python_sd, b_python, b_r):
    return 4 * python_sd * np.sqrt(1 / b_python + 1 / b_r)


@pytest.mark.parametrize("method, rms_method", [("bootstrap", "boot"), ("632", ".632")])
def test_bootstrap_optimism_agrees_with_rms_validate(heart, rms, method, rms_method):
    """rms::validate(lrm(...), method="boot"/".632", B=4000): C (Dxy/2 + 1/2), slope, Brier."""
    X, y, _ = heart
    b = 150
    result = internal_validation(
        Logit(), X, y, method=method, metrics=METRICS, n_boot=b, random_state=2024
    )
    table = _by_metric(result)
    r = rms[rms["method"] == rms_method].set_index("index")
    reps = result.replicates.pivot(index="replicate", columns="metric", values=["training", "test"])
    for metric, index, scale in (
        ("auc", "Dxy", 0.5),
        ("calibration_slope", "Slope", 1.0),
        ("brier", "B", 1.0),
    ):
        # the same maximum-likelihood model: apparent values agree to numerical precision
        assert table.loc[metric, "apparent"] == pytest.approx(
            (0.5 if index == "Dxy" else 0.0) + scale * r.loc[index, "apparent"], abs=1e-6
        )
        if method == "bootstrap":
            spread = (reps["training"][metric] - reps["test"][metric]).std()
        else:
            spread = 0.632 * reps["test"][metric].std()
        tolerance = _mc_tolerance(spread, b, 4000)
        assert table.loc[metric, "optimism"] == pytest.approx(
            scale * r.loc[index, "optimism"], abs=tolerance
        )


def test_cv_optimism_agrees_with_rms_crossvalidation(heart, rms):
    """rms::validate(method="crossvalidation", B=10), 200 repetitions: mean optimism of
    C and Brier against 6 repetitions here (stratified folds; rms's are not, which
    changes the expectation far less than the Monte Carlo error)."""
    X, y, _ = heart
    r = rms[rms["method"] == "crossvalidation"]
    runs = [
        _by_metric(
            internal_validation(
                Logit(),
                X,
                y,
                method="cv_optimism",
                cv=10,
                metrics=["auc", "brier"],
                random_state=seed,
            )
        )
        for seed in range(6)
    ]
    for metric, index, scale in (("auc", "Dxy", 0.5), ("brier", "B", 1.0)):
        ours = np.array([run.loc[metric, "optimism"] for run in runs])
        theirs = scale * r.loc[r["index"] == index, "optimism"].to_numpy()
        tolerance = 4 * theirs.std(ddof=1) * np.sqrt(1 / len(ours) + 1 / len(theirs))
        assert ours.mean() == pytest.approx(theirs.mean(), abs=tolerance)


# -- time-to-event, parallel, degenerate -------------------------------------------
@pytest.fixture(scope="module")
def survival():
    rng = np.random.default_rng(5)
    n = 160
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    lp = X["a"].to_numpy() - 0.5 * X["b"].to_numpy()
    event_time = rng.exponential(400 * np.exp(-lp))
    censor = rng.uniform(50, 900, n)
    y = Outcome.survival(np.minimum(event_time, censor), event_time <= censor)
    return X, y


@pytest.mark.parametrize("method", ["bootstrap", "632", "632+", "cv_optimism"])
def test_survival_at_horizon_equals_explicit_loop(survival, method):
    X, outcome = survival
    horizon = 300.0
    y = outcome.to_y()

    def values(o, risk):
        return {
            "harrell_c": concordance_index(o.time, o.event, risk),
            "brier": brier_score_ipcw(o.time, o.event, risk, horizon),
        }

    result = internal_validation(
        ExpCox(),
        X,
        outcome,
        method=method,
        n_boot=12,
        cv=4,
        metrics=["harrell_c", "brier"],
        horizon=horizon,
        random_state=1,
    )
    table = _by_metric(result)
    apparent = values(outcome, ExpCox().fit(X, y).predict_risk(X, horizon))
    rows = []
    if method == "cv_optimism":
        folds = cv_folds(outcome, 4, random_state=1)
        splits = [(np.flatnonzero(folds != k), np.flatnonzero(folds == k)) for k in range(4)]
    else:
        rng = np.random.default_rng(1)
        splits = []
        for _ in range(12):
            draw = rng.integers(0, len(y), len(y))
            splits.append((draw, np.setdiff1d(np.arange(len(y)), draw)))
    for train, out in splits:
        model = ExpCox().fit(X.iloc[train], y[train])
        risk = model.predict_risk(X, horizon)
        if method in ("bootstrap", "cv_optimism"):
            evaluated = np.arange(len(y)) if method == "bootstrap" else out
            fit_values = values(outcome[train], risk[train])
            test_values = values(outcome[evaluated], risk[evaluated])
            rows.append({m: fit_values[m] - test_values[m] for m in fit_values})
        else:
            rows.append(values(outcome[out], risk[out]))
    rows = pd.DataFrame(rows).mean()
    for metric in ("harrell_c", "brier"):
        if method in ("bootstrap", "cv_optimism"):
            expected = apparent[metric] - rows[metric]
        elif method == "632":
            expected = 0.368 * apparent[metric] + 0.632 * rows[metric]
        else:
            continue  # .632+ arithmetic is checked on binary data; here the gamma:
        assert table.loc[metric, "corrected"] == pytest.approx(expected, abs=1e-9)
    if method == "632+":
        original = ExpCox().fit(X, y).predict_risk(X, horizon)
        # brute force: the mean over every constant prediction p_j of the IPCW Brier
        gamma = np.mean(
            [
                brier_score_ipcw(outcome.time, outcome.event, np.full(len(y), p), horizon)
                for p in original
            ]
        )
        assert table.loc["brier", "no_information"] == pytest.approx(gamma, rel=1e-9)
        assert table.loc["harrell_c", "no_information"] == 0.5


def test_parallel_equals_serial(heart, monkeypatch):
    X, y, _ = heart
    kwargs = dict(method="632+", metrics=METRICS, n_boot=8, random_state=4)
    serial = internal_validation(Logit(), X, y, n_jobs=1, **kwargs)
    parallel = internal_validation(Logit(), X, y, n_jobs=2, **kwargs)
    pd.testing.assert_frame_equal(serial.summary, parallel.summary)
    np.testing.assert_array_equal(serial.predictions, parallel.predictions)
    # the default runs the replicates on threads (four of them on a four-core machine)
    import joblib

    monkeypatch.setattr(joblib, "cpu_count", lambda *args, **kwargs: 4)
    threaded = internal_validation(Logit(), X, y, **kwargs)
    pd.testing.assert_frame_equal(serial.summary, threaded.summary)
    np.testing.assert_array_equal(serial.predictions, threaded.predictions)


class WarnsOnEveryFit(Logit):
    def fit(self, X, y):
        import time

        time.sleep(0.02)  # the fits overlap around their warnings
        warnings.warn("separation in this sample", UserWarning, stacklevel=2)
        time.sleep(0.02)
        return super().fit(X, y)


@pytest.mark.parametrize("n_jobs", [None, 1, 2])
def test_replicate_warnings_are_counted_once_per_replicate(heart, monkeypatch, n_jobs):
    """On threads (the default), in one process and in worker processes alike."""
    import joblib

    monkeypatch.setattr(joblib, "cpu_count", lambda *args, **kwargs: 4)
    X, y, _ = heart
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        internal_validation(
            WarnsOnEveryFit(), X, y, metrics=METRICS, n_boot=12, random_state=1, n_jobs=n_jobs
        )
    messages = [str(w.message) for w in caught]
    assert "separation in this sample (in 12 of 12 replicates)" in messages


class FailsOnFewEvents(Logit):
    def fit(self, X, y):
        if np.sum(y) < 92:
            raise ValueError("too few events in this sample")
        return super().fit(X, y)


def test_failed_fits_are_counted_not_hidden(heart):
    X, y, _ = heart
    result = internal_validation(
        FailsOnFewEvents(), X, y, metrics=["auc"], n_boot=20, random_state=0
    )
    failed = int(np.isnan(result.predictions).any(axis=1).sum())
    assert 0 < failed < 20
    assert result.summary.loc[0, "n_degenerate"] == failed
    assert result.stability().n_degenerate == failed


def test_bad_inputs_name_the_parameter(heart):
    X, y, _ = heart
    with pytest.raises(ValueError, match="'method' parameter of internal_validation"):
        internal_validation(Logit(), X, y, method=".633")
    with pytest.raises(TypeError, match="'keep_predictions' parameter"):
        internal_validation(Logit(), X, y, keep_predictions="yes")
    with pytest.raises(ValueError, match="one row per patient"):
        internal_validation(Logit(), X.iloc[:10], y)
    with pytest.raises(TypeError, match="fit\\(X, y\\) and predict_risk"):
        internal_validation(LogisticRegression(), X, y)
    with pytest.raises(ValueError, match="kept none"):
        internal_validation(
            Logit(), X, y, metrics=["auc"], n_boot=2, random_state=0, keep_predictions=False
        ).stability()


def test_doctests():
    assert doctest.testmod(_internal, raise_on_error=False).failed == 0
    assert doctest.testmod(_stability, raise_on_error=False).failed == 0


def _breslow_loglik(eta, time, event):
    """Cox partial log-likelihood with Breslow ties, event by event (O(n^2))."""
    from scipy.special import logsumexp

    return sum(eta[i] - logsumexp(eta[time >= time[i]]) for i in np.flatnonzero(event))


@pytest.fixture(scope="module")
def young_xgboost():
    """XGBoost (binary at the horizon) on the Wu-size young-hypertension cohort."""
    import riskml as rk
    from riskml.models import make_model

    cohort = rk.cohorts.make_young_hypertension(508, random_state=0)
    horizon = cohort.horizon
    model = make_model("xgboost", horizon=horizon, random_state=0)
    return model, cohort.features, cohort.outcome, horizon


def test_survival_ici_on_a_training_sample_is_undefined_and_says_why(young_xgboost):
    """Diagnosis of the NaN survival ICI in the bootstrap replicates of the Wu design.

    On its own bootstrap sample (18 events by the horizon, 15 distinct patients) the
    XGBoost risks admit no finite calibration model: the spline Cox model's partial
    likelihood keeps rising along the direction of the diverging coefficients (checked
    with a brute-force Breslow likelihood), so the curve overflowed to NaN. It now
    raises a ValueError that internal_validation counts and reports; the ICI on the
    original data, and the .632 scheme (out-of-bag patients only), stay defined."""
    from riskml.evaluation import _calibration, survival_ici

    model, X, y, horizon = young_xgboost
    rows = np.random.default_rng(0).integers(0, len(y), len(y))
    fitted = model.fit(X.iloc[rows], y.to_y()[rows])
    risk = np.asarray(fitted.predict_risk(X, horizon=horizon))
    with pytest.raises(ValueError, match="no finite fit \\(monotone likelihood"):
        survival_ici(y.time[rows], y.event[rows], risk[rows], horizon)
    assert 0 < survival_ici(y.time, y.event, risk, horizon) < 0.2

    time, event, _, _, cll = _calibration._survival_calibration_inputs(
        y.time[rows], y.event[rows], risk[rows], horizon, "test"
    )
    basis = _calibration._rcs_basis(cll, np.quantile(cll, [0.1, 0.5, 0.9]))
    with np.errstate(all="ignore"):
        beta = _calibration._cox_efron(basis, time, event, "test")[0]
    direction = beta / np.linalg.norm(beta)
    scaled = [_breslow_loglik(basis @ (s * direction), time, event) for s in (10, 100, 1000)]
    assert scaled[0] < scaled[1] < scaled[2] < 0  # monotone likelihood: no finite maximum

    # the whole-cohort fit is a training sample too: its (apparent) ICI is undefined
    kwargs = dict(metrics=["harrell_c", "ici"], horizon=horizon, random_state=0)
    with pytest.warns(UserWarning) as caught:
        harrell = internal_validation(model, X, y, n_boot=3, **kwargs).summary
    messages = " | ".join(str(w.message) for w in caught)
    assert "ici was undefined on the training data of 3 of 3 replicates" in messages
    assert "ici is undefined for the model fitted on all the data" in messages
    harrell = harrell.set_index("metric")
    assert harrell.loc["ici", "n_degenerate"] == 3 and np.isnan(harrell.loc["ici", "corrected"])
    assert np.isfinite(harrell.loc["harrell_c", "corrected"])
    # cross-validation average needs neither: each fold model on its held-out patients
    with pytest.warns(UserWarning, match=r"so is its optimism\. Reason: survival_ici"):
        average = internal_validation(model, X, y, method="cv_average", cv=3, **kwargs).summary
    average = average.set_index("metric")
    assert average.loc["ici", "n_degenerate"] == 0
    assert 0 < average.loc["ici", "corrected"] < 0.2
