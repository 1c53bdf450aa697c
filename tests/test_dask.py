"""Folds, optimism replicates and a Study on a Dask cluster through joblib's Dask backend.

Oracle: the serial run (``n_jobs=1``, joblib's default backend) of the same call. Work
is shipped to the workers by joblib, so the numbers must be bitwise identical.
"""

import warnings

import joblib
import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.evaluation import cross_val_predict_risk, optimism_bootstrap

pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def client():
    """Two single-threaded in-process workers.

    ``processes=False`` keeps the workers in this process (no spawn, no nanny),
    which is reliable on CI runners; every task still goes through the scheduler
    and joblib's Dask backend, which pickles each batch with cloudpickle.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        )
        client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def registry():
    cohort = rk.cohorts.make_hf_registry(800, random_state=0)
    return cohort, cohort.features[cohort.predictors], cohort.outcome


def _transitions(client):
    """Task state transitions the scheduler has made (grows when work is sent)."""
    return client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter)


def test_cross_val_predict_risk_on_dask_equals_serial(client, registry):
    _, X, y = registry
    model = rk.models.make_model("logistic", horizon=30)
    serial = cross_val_predict_risk(model, X, y, cv=5, random_state=0, horizon=30, n_jobs=1)
    before = _transitions(client)
    with joblib.parallel_backend("dask"):
        on_dask = cross_val_predict_risk(model, X, y, cv=5, random_state=0, horizon=30, n_jobs=-1)
    assert _transitions(client) > before  # the folds ran on the cluster
    assert np.array_equal(np.asarray(serial), np.asarray(on_dask))


def test_optimism_bootstrap_on_dask_equals_serial(client, registry):
    _, X, y = registry
    model = rk.models.make_model("logistic", horizon=30)
    kwargs = dict(n_boot=6, random_state=0, horizon=30, metrics=["td_auc", "brier"])
    serial = optimism_bootstrap(model, X, y, n_jobs=1, **kwargs)
    with joblib.parallel_backend("dask"):
        on_dask = optimism_bootstrap(model, X, y, n_jobs=-1, **kwargs)
    pd.testing.assert_frame_equal(serial.replicates, on_dask.replicates, check_exact=True)
    pd.testing.assert_frame_equal(serial.summary, on_dask.summary, check_exact=True)


def test_study_on_dask_equals_serial(client, registry):
    cohort, _, _ = registry
    settings = dict(
        models=["logistic"],
        validation=3,
        n_boot=50,
        explain=None,
        progress=False,
        random_state=0,
    )
    serial = rk.Study(cohort, n_jobs=1, **settings).run()
    with joblib.parallel_backend("dask"):
        on_dask = rk.Study(cohort, n_jobs=-1, **settings).run()
    pd.testing.assert_frame_equal(serial.predictions, on_dask.predictions, check_exact=True)
    pd.testing.assert_frame_equal(serial.summary, on_dask.summary, check_exact=True)


def test_internal_validation_with_stability_on_dask_equals_serial(client, registry):
    """Issue 30, item 5: the replicates of internal validation (.632+, the replicate
    predictions kept for stability) go to the cluster through the same switch as the
    folds, riskml's default n_jobs included, and give the serial numbers bit for bit."""
    from riskml.evaluation import internal_validation

    _, X, y = registry
    model = rk.models.make_model("xgboost", n_estimators=20, horizon=30)
    kwargs = dict(method="632+", n_boot=6, random_state=0, horizon=30, progress=False)
    kwargs["metrics"] = ["td_auc", "brier"]
    serial = internal_validation(model, X, y, n_jobs=1, **kwargs)
    before = _transitions(client)
    with joblib.parallel_backend("dask"):
        on_dask = internal_validation(model, X, y, **kwargs)  # n_jobs left to riskml
    assert _transitions(client) > before  # the replicates ran on the cluster
    pd.testing.assert_frame_equal(serial.summary, on_dask.summary, check_exact=True)
    assert np.array_equal(serial.predictions, on_dask.predictions, equal_nan=True)
    assert serial.stability().mape == on_dask.stability().mape


def test_study_internal_validation_on_dask_equals_serial(client, registry):
    from riskml.evaluation import InternalValidation

    cohort, _, _ = registry
    settings = dict(
        models=["logistic"],
        validation=InternalValidation("bootstrap", n_boot=10),
        n_boot=50,
        explain=None,
        progress=False,
        random_state=0,
    )
    serial = rk.Study(cohort, n_jobs=1, **settings).run()
    with joblib.parallel_backend("dask"):
        on_dask = rk.Study(cohort, n_jobs=-1, **settings).run()
    pd.testing.assert_frame_equal(serial.summary, on_dask.summary, check_exact=True)
    pd.testing.assert_frame_equal(serial.optimism, on_dask.optimism, check_exact=True)
