"""Out-of-fold predicted risk: partition, no leakage, groups, parallel determinism."""

import doctest

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.model_selection import KFold, ShuffleSplit

from riskml import Outcome
from riskml.evaluation import _validation, cross_val_predict_risk

LEAK = 1_000_000.0


class RowRecorder(BaseEstimator):
    """Remembers the row ids it was fitted on; predict_risk reports them back.

    The risk of a test row is its own id, plus LEAK when that id was in the training
    fold, so leakage and misplaced predictions show in the output even when folds run
    in other processes. It also stores the y it was given.
    """

    outcome_kind = "any"

    def __init__(self, offset=0.0):
        self.offset = offset

    def fit(self, X, y):
        self.train_ids_ = set(X["row_id"].tolist())
        self.y_ = y
        return self

    def predict_risk(self, X, horizon=None):
        ids = X["row_id"].to_numpy(dtype=float)
        seen = np.array([i in self.train_ids_ for i in X["row_id"]], dtype=float)
        return ids + LEAK * seen + self.offset + (0.0 if horizon is None else horizon)


class NoisyMean(BaseEstimator):
    """A seeded model whose prediction depends on its training fold: mean(y) + noise * x."""

    outcome_kind = "binary"

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit(self, X, y):
        rng = np.random.default_rng(self.random_state)
        self.coef_ = rng.normal() + float(np.mean(y)) + float(np.mean(X["x"]))
        return self

    def predict_risk(self, X, horizon=None):
        return self.coef_ * X["x"].to_numpy()


class SurvivalRecorder(BaseEstimator):
    """Checks it receives the structured (event, time) y; risk = -mean training time."""

    outcome_kind = "survival"

    def fit(self, X, y):
        assert y.dtype.names == ("event", "time")
        self.mean_time_ = float(y["time"].mean())
        return self

    def predict_risk(self, X, horizon=None):
        return np.full(len(X), -self.mean_time_) + X["x"].to_numpy()


def frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"row_id": np.arange(n), "x": rng.normal(size=n)})
    y = (rng.random(n) < 0.35).astype(int)
    y[:10] = 1
    return X, y


def test_each_row_predicted_once_by_a_model_that_never_saw_it():
    """Oracle: the recorder echoes each row's own id and flags ids seen in fit."""
    X, y = frame()
    risk, folds = cross_val_predict_risk(
        RowRecorder(), X, y, cv=5, random_state=0, return_folds=True
    )
    np.testing.assert_array_equal(risk, X["row_id"].to_numpy(dtype=float))
    assert sorted(np.unique(folds).tolist()) == [0, 1, 2, 3, 4]
    # stratified on the event flag: every fold has 4 or 5 of the 22+ events
    events_per_fold = np.bincount(folds[y == 1], minlength=5)
    assert events_per_fold.max() - events_per_fold.min() <= 1


def test_training_fold_gets_int_y_and_horizon_reaches_predict_risk():
    """Oracle: the recorder's stored y and the horizon added to its output."""
    X, y = frame()
    risk = cross_val_predict_risk(
        RowRecorder(), X, y.astype(bool), cv=3, random_state=1, horizon=365.0
    )
    np.testing.assert_array_equal(risk, X["row_id"].to_numpy(dtype=float) + 365.0)


def test_groups_are_never_split():
    """Oracle: StratifiedGroupKFold's guarantee, checked on the returned folds."""
    X, y = frame(80)
    groups = np.repeat(np.arange(20), 4)
    risk, folds = cross_val_predict_risk(
        RowRecorder(), X, y, cv=4, groups=groups, random_state=0, return_folds=True
    )
    for group in range(20):
        assert len(set(folds[groups == group])) == 1
    assert (risk < LEAK).all()


def test_parallel_equals_serial():
    """Oracle: the n_jobs=1 run; folds are seeded, so n_jobs=2 gives identical numbers."""
    X, y = frame(90, seed=3)
    serial = cross_val_predict_risk(NoisyMean(), X, y, cv=5, random_state=4, n_jobs=1)
    parallel = cross_val_predict_risk(NoisyMean(), X, y, cv=5, random_state=4, n_jobs=2)
    np.testing.assert_array_equal(serial, parallel)
    different_folds = cross_val_predict_risk(NoisyMean(), X, y, cv=5, random_state=5)
    assert not np.array_equal(serial, different_folds)


@pytest.mark.parametrize("as_outcome", [False, True], ids=["structured", "Outcome"])
def test_survival_y_is_passed_structured(as_outcome):
    """Oracle: the training-fold mean time, recomputed from the returned folds."""
    X, _ = frame(50)
    rng = np.random.default_rng(2)
    outcome = Outcome.survival(rng.integers(10, 500, 50), rng.random(50) < 0.4)
    y = outcome if as_outcome else outcome.to_structured()
    risk, folds = cross_val_predict_risk(
        SurvivalRecorder(), X, y, cv=5, random_state=0, return_folds=True
    )
    for k in range(5):
        test = folds == k
        expected = -outcome.time[~test].mean() + X["x"].to_numpy()[test]
        np.testing.assert_allclose(risk[test], expected, rtol=0, atol=1e-12)


def test_accepts_a_splitter_and_numpy_X():
    """Oracle: KFold(3) without shuffle tests rows 0-19, 20-39, 40-59 in order."""
    X, y = frame()

    class Echo(BaseEstimator):
        def fit(self, X, y):
            return self

        def predict_risk(self, X, horizon=None):
            return X[:, 0].astype(float)

    risk, folds = cross_val_predict_risk(Echo(), X.to_numpy(), y, cv=KFold(3), return_folds=True)
    np.testing.assert_array_equal(risk, np.arange(60.0))
    np.testing.assert_array_equal(folds, np.repeat([0, 1, 2], 20))


def test_progress_callable_and_bar():
    """Oracle: one progress(done, total) call per fold, in order."""
    X, y = frame()
    calls = []
    cross_val_predict_risk(
        RowRecorder(),
        X,
        y,
        cv=4,
        random_state=0,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    risk = cross_val_predict_risk(RowRecorder(), X, y, cv=4, random_state=0, progress=True)
    assert (risk < LEAK).all()


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (
            {"cv": 1},
            ValueError,
            r"The 'cv' parameter of cross_val_predict_risk must be an int in the range \[2, inf\) "
            r"or a cross-validation splitter\. Got 1 instead\.",
        ),
        ({"cv": "five"}, TypeError, r"'cv' parameter .* Got 'five' instead"),
        (
            {"cv": 30},
            ValueError,
            r"cv=30 stratified folds need at least 30 events and 30 non-events; got \d+ events",
        ),
        (
            {"cv": ShuffleSplit(3, random_state=0)},
            ValueError,
            r"needs folds whose test sets partition the rows .* left \d+ row\(s\) untested",
        ),
        (
            {"groups": np.arange(5)},
            ValueError,
            r"groups of cross_val_predict_risk must hold one label per row of X \(60\)",
        ),
        (
            {"progress": "yes"},
            TypeError,
            r"The 'progress' parameter of cross_val_predict_risk must be a bool or a callable",
        ),
    ],
    ids=["cv-1", "cv-str", "too-few-events", "not-a-partition", "groups-shape", "progress"],
)
def test_input_messages(kwargs, error, match):
    """Every message of cross_val_predict_risk's checks (no oracle: error contract)."""
    X, y = frame()
    with pytest.raises(error, match=match):
        cross_val_predict_risk(RowRecorder(), X, y, **kwargs)


def test_estimator_and_shape_messages():
    """Messages for an estimator without predict_risk, X/y lengths, and a bad output shape."""
    from sklearn.linear_model import LogisticRegression

    X, y = frame()
    with pytest.raises(
        TypeError,
        match=r"needs an estimator with fit\(X, y\) and "
        r"predict_risk.*got LogisticRegression",
    ):
        cross_val_predict_risk(LogisticRegression(), X, y)
    with pytest.raises(ValueError, match=r"got 60 rows in X and 59 outcomes in y"):
        cross_val_predict_risk(RowRecorder(), X, y[:-1])

    class TwoColumns(RowRecorder):
        def predict_risk(self, X, horizon=None):
            return np.zeros((len(X), 2))

    with pytest.raises(
        ValueError,
        match=r"TwoColumns.predict_risk must return one risk per "
        r"row, shape \(\d+,\); got shape \(\d+, 2\)",
    ):
        cross_val_predict_risk(TwoColumns(), X, y, cv=3, random_state=0)


def test_docstring_examples_run():
    """Oracle: the values stated in the numpydoc Examples."""
    result = doctest.testmod(_validation, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


class _WarningModel:
    """A toy model that warns once per fit, to check warnings reach the caller."""

    def __init__(self):
        pass

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y):
        import warnings

        warnings.warn("fold warning", UserWarning, stacklevel=2)
        return self

    def predict_risk(self, X, horizon=None):
        return np.zeros(len(X))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_fold_warnings_reach_the_caller_even_from_worker_processes(n_jobs):
    y = np.array([0, 1] * 10)
    with pytest.warns(UserWarning, match="fold warning") as record:
        cross_val_predict_risk(_WarningModel(), np.zeros((20, 1)), y, cv=4, n_jobs=n_jobs)
    assert sum("fold warning" in str(r.message) for r in record) == 4


def test_cross_validate_returns_the_same_risk_and_the_whole_cohort_fit():
    """Oracle: cross_val_predict_risk on the same folds, and the estimator fitted on every
    row by hand (sklearn.base.clone + fit)."""
    from sklearn.base import clone

    from riskml.evaluation import cross_validate
    from riskml.models import LogisticRisk

    rng = np.random.default_rng(3)
    X = rng.normal(size=(240, 4))
    y = (X[:, 0] - X[:, 2] + rng.normal(size=240) > 0.8).astype(int)
    run = cross_validate(
        LogisticRisk(), X, y, cv=4, random_state=5, refit=True, inspect=lambda e: e.coef_.size
    )
    expected = cross_val_predict_risk(LogisticRisk(), X, y, cv=4, random_state=5)
    np.testing.assert_allclose(run.risk, expected, rtol=0, atol=0)
    by_hand = clone(LogisticRisk()).fit(X, y)
    np.testing.assert_allclose(run.refitted.coef_, by_hand.coef_, rtol=0, atol=1e-12)
    assert run.inspected == [4, 4, 4, 4]
    assert run.fit_issues == {} and run.refit_issues == ()
    assert np.isfinite(run.refit_seconds)
