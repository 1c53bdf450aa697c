"""Recursive feature elimination keeps a fit's importances while it drops columns that no
split used (issue 30, "less work for the same answer").

Oracle: scikit-learn's ``RFE``, which refits its estimator at every step, with the same
XGBoost ranking model; ``support_`` and ``ranking_`` must be identical, on bootstrap
resamples of the young-hypertension cohort (the Wu design) and of a binary outcome.
"""

import numpy as np
import pytest
from sklearn.feature_selection import RFE

import riskml as rk
from riskml.features import RecursiveFeatureElimination, _selection
from riskml.models import make_model


@pytest.fixture(scope="module")
def wu():
    cohort = rk.cohorts.make_young_hypertension(508, random_state=0)
    encoder = make_model("cox", horizon=cohort.horizon)[:-1]
    X = np.asarray(encoder.fit_transform(cohort.features, cohort.outcome), dtype=float)
    return X, cohort.outcome


def _count_fits(monkeypatch):
    """Count the ranking fits _eliminate makes."""
    fits = []
    original = _selection._with_threads

    def counted(estimator, n_cells):
        fits.append(n_cells)
        return original(estimator, n_cells)

    monkeypatch.setattr(_selection, "_with_threads", counted)
    return fits


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_survival_ranking_equals_sklearn_rfe_with_fewer_fits(wu, seed, monkeypatch):
    X, outcome = wu
    rows = np.random.default_rng(seed).integers(0, len(X), len(X))
    y = outcome[rows].to_y()
    ranker = _selection._XGBoostCoxRanker(random_state=0)
    oracle = RFE(ranker, n_features_to_select=11, step=1).fit(X[rows], y)
    fits = _count_fits(monkeypatch)
    ours = RecursiveFeatureElimination(n_features_to_select=11, random_state=0).fit(X[rows], y)
    assert np.array_equal(ours.support_, oracle.support_)
    assert np.array_equal(ours.ranking_, oracle.ranking_)
    # sklearn's RFE fits once per dropped column (and once more at the end)
    assert 0 < len(fits) < X.shape[1] - 11


def test_binary_ranking_equals_sklearn_rfe_with_step_two(monkeypatch):
    cohort = rk.cohorts.make_hf_registry(1500, random_state=3)
    X = np.asarray(
        make_model("logistic", horizon=30)[:-1].fit_transform(
            cohort.features[cohort.predictors], cohort.outcome
        ),
        dtype=float,
    )
    label = cohort.outcome.at_horizon(30)
    keep = ~np.isnan(label)
    X, y = X[keep], label[keep].astype(int)
    ranker = _selection._default_estimator(False, 0).set_params(n_jobs=1)
    oracle = RFE(ranker, n_features_to_select=8, step=2).fit(X, y)
    fits = _count_fits(monkeypatch)
    ours = RecursiveFeatureElimination(n_features_to_select=8, step=2, random_state=0).fit(X, y)
    assert np.array_equal(ours.support_, oracle.support_)
    assert np.array_equal(ours.ranking_, oracle.ranking_)
    assert len(fits) <= int(np.ceil((X.shape[1] - 8) / 2))


def test_a_sampling_ranker_refits_every_step(wu, monkeypatch):
    """Row or column sampling makes every fit depend on every column: no reuse."""
    from xgboost import XGBClassifier

    assert not _selection._unused_columns_change_nothing(XGBClassifier(subsample=0.8))
    assert not _selection._unused_columns_change_nothing(XGBClassifier(colsample_bytree=0.5))
    assert _selection._unused_columns_change_nothing(XGBClassifier())
    assert not _selection._unused_columns_change_nothing(make_model("logistic")[-1])
