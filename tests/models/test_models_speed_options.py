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
