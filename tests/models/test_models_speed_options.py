"""Speed options that must not change the numbers: forest threads, the LASSO solver, RFE."""

import numpy as np
import pandas as pd
import pytest
from joblib import Parallel, delayed
from sklearn.ensemble import RandomForestClassifier

from riskml.models import RandomForestRisk


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"x{i}" for i in range(6)])
    y = (rng.random(n) < 1 / (1 + np.exp(-(X["x0"] - X["x1"] - 1.5)))).astype(int)
    return X, y


def test_forest_risks_are_identical_whatever_the_threads():
    """Oracle: scikit-learn's RandomForestClassifier on one thread, same seed."""
    X, y = _data()
    direct = RandomForestClassifier(
        n_estimators=60, min_samples_leaf=5, max_features="sqrt", n_jobs=1, random_state=3
    ).fit(X.to_numpy(), y)
    expected = direct.predict_proba(X.to_numpy())[:, 1]
    for n_jobs in (None, 1, 2, -1):
        model = RandomForestRisk(n_estimators=60, n_jobs=n_jobs, random_state=3).fit(X, y)
        assert np.array_equal(model.predict_risk(X), expected), n_jobs


def test_forest_default_threads_all_cores_at_top_level_one_in_a_worker():
    from joblib import cpu_count

    X, y = _data(200)
    top = RandomForestRisk(n_estimators=10).fit(X, y)
    assert top.n_jobs_ == cpu_count()
    in_workers = Parallel(n_jobs=2, prefer="threads")(
        delayed(lambda: RandomForestRisk(n_estimators=10).fit(X, y).n_jobs_)() for _ in range(2)
    )
    assert in_workers == [1, 1]
    assert RandomForestRisk(n_estimators=10, n_jobs=2).fit(X, y).n_jobs_ == 2


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_forest_predicts_in_one_thread(n_jobs):
    X, y = _data(200)
    model = RandomForestRisk(n_estimators=10, n_jobs=n_jobs).fit(X, y)
    assert model.model_.n_jobs == 1  # risks summed in tree order


@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_lasso_fit_is_identical_whatever_the_threads(class_weight):
    """Oracle: the same LassoRisk on one thread (inner folds one after another).

    The inner folds' paths run on threads with one BLAS thread each, for any
    n_jobs, so the rounding (and the warm start of the final fit) is the same.
    """
    from riskml.models import LassoRisk

    X, y = _data(4000, seed=5)
    X["x5"] = X["x0"] + 0.01 * X["x5"]  # a collinear pair: the path must choose
    serial = LassoRisk(n_jobs=1, class_weight=class_weight).fit(X, y)
    for n_jobs in (None, 2, -1):
        threaded = LassoRisk(n_jobs=n_jobs, class_weight=class_weight).fit(X, y)
        assert np.array_equal(threaded.coef_.to_numpy(), serial.coef_.to_numpy()), n_jobs
        assert threaded.intercept_ == serial.intercept_
        assert np.array_equal(threaded.scores_, serial.scores_)
        assert threaded.C_ == serial.C_


def test_study_explains_large_forests_from_a_tree_sample_by_default():
    """Oracle: explain_pipeline on the Study's own whole-cohort forest, with the same rows
    and seed: max_trees=20 by default (Study.explain_max_trees), every tree with None."""
    import riskml as rk
    from riskml.explain import explain_pipeline
    from riskml.models import make_model

    cohort = rk.cohorts.make_hf_registry(400, random_state=2)
    forest = make_model("random_forest", horizon=30, n_estimators=40, random_state=0)
    for max_trees, expected in ((None, 20), (None, None), (5, 5)):
        options = {} if expected == 20 and max_trees is None else {"explain_max_trees": max_trees}
        result = rk.Study(
            cohort,
            models={"rf": forest},
            validation=2,
            n_boot=50,
            explain_rows=12,
            progress=False,
            **options,
        ).run()
        got = result.explanations["rf"]
        X = cohort.features
        oracle = explain_pipeline(
            result.fitted_models["rf"],
            X,
            horizon=30,
            rows=np.flatnonzero(X.index.isin(got.transformed_values.index)),
            background=X,
            random_state=0,
            max_trees=expected,
            check_input=False,
        )
        np.testing.assert_allclose(
            got.transformed_values.to_numpy(), oracle.transformed_values.to_numpy(), atol=1e-12
        )
    with pytest.raises(ValueError, match="'explain_max_trees' parameter of Study must be"):
        rk.Study(cohort, models=["logistic"], explain_max_trees=0, progress=False).run()


def test_xgboost_risks_are_identical_whatever_the_threads():
    """Oracle: xgboost's XGBClassifier / survival:cox booster fitted on one thread, same seed."""
    from riskml.models import XGBoostRisk, XGBoostSurvival
    from riskml.outcome import Outcome

    X, y = _data(2000, seed=4)
    X = X.mask(np.random.default_rng(1).random(X.shape) < 0.1)  # missing values too
    single = XGBoostRisk(n_jobs=1, random_state=3).fit(X, y).predict_risk(X)
    time = np.random.default_rng(2).uniform(1, 1000, len(y))
    outcome = Outcome.survival(time, y)
    survival = XGBoostSurvival(n_jobs=1, random_state=3).fit(X, outcome).predict_risk(X, 500)
    for n_jobs in (None, 2, -1):
        risk = XGBoostRisk(n_jobs=n_jobs, random_state=3).fit(X, y).predict_risk(X)
        assert np.array_equal(risk, single), n_jobs
        other = XGBoostSurvival(n_jobs=n_jobs, random_state=3).fit(X, outcome)
        assert np.array_equal(other.predict_risk(X, 500), survival), n_jobs


@pytest.mark.parametrize("survival", [False, True], ids=["binary", "survival"])
def test_default_rfe_ranking_is_identical_at_top_level_and_in_a_worker(survival):
    """Oracle: the same elimination fitted inside a joblib worker, where the default
    XGBoost ranking model runs one thread (at the top level it uses every core)."""
    from riskml.features import RecursiveFeatureElimination
    from riskml.features._selection import _default_estimator

    X, y = _data(400)
    if survival:
        time = np.where(y == 1, 30.0, 365.0) + np.arange(len(y)) % 17
        y = np.array(
            list(zip(y.astype(bool), time, strict=True)), dtype=[("event", bool), ("time", float)]
        )

    def fit():
        selector = RecursiveFeatureElimination(n_features_to_select=3, random_state=0)
        return selector.fit(X, y).ranking_

    top = fit()
    (worker,) = Parallel(n_jobs=2, prefer="threads")(delayed(fit)() for _ in range(1))
    assert np.array_equal(top, worker)
    if not survival:
        # the same ranking with the booster forced to one thread and to two
        for threads in (1, 2):
            forced = _default_estimator(False, 0).set_params(n_jobs=threads)
            ranking = RecursiveFeatureElimination(forced, n_features_to_select=3).fit(X, y)
            assert np.array_equal(ranking.ranking_, top), threads


def test_rfe_ranking_threads_follow_the_size_of_each_fit():
    """A small ranking fit runs on one thread wherever it runs (a second thread gains
    little there and oversubscribes a busy machine); a large one on every core at the
    top level. Oracle: the rule written in riskml.utils.parallel.SMALL_FIT_CELLS."""
    from joblib import cpu_count

    from riskml.features._selection import _default_estimator, _with_threads
    from riskml.utils.parallel import SMALL_FIT_CELLS

    assert _default_estimator(False, 0).get_params()["n_jobs"] is None
    small = _with_threads(_default_estimator(False, 0), SMALL_FIT_CELLS - 1)
    large = _with_threads(_default_estimator(False, 0), SMALL_FIT_CELLS)
    assert small.get_params()["n_jobs"] == 1
    assert large.get_params()["n_jobs"] == cpu_count()
    explicit = _with_threads(_default_estimator(False, 0).set_params(n_jobs=2), 10)
    assert explicit.get_params()["n_jobs"] == 2  # the user's choice is kept


def test_forest_shap_values_are_identical_whatever_the_threads():
    """Oracle: the tree kernel on one thread (rows in one chunk); SHAP values of
    sampled trees and their squares alike, and the default (None) splits rows
    across every core."""
    from riskml.explain._tree import sklearn_tree_arrays, tree_shap

    X, y = _data(500)
    forest = RandomForestClassifier(n_estimators=15, min_samples_leaf=5, random_state=1)
    arrays, _ = sklearn_tree_arrays(forest.fit(X.to_numpy(), y))
    serial, serial_sq = tree_shap(arrays, X.to_numpy(), X.shape[1], n_jobs=1, squares=True)
    for n_jobs in (None, 2, 3):
        values, squares = tree_shap(arrays, X.to_numpy(), X.shape[1], n_jobs=n_jobs, squares=True)
        assert np.array_equal(values, serial), n_jobs
        assert np.array_equal(squares, serial_sq), n_jobs
