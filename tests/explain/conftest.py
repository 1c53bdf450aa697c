"""Session fixtures for the explain tests (see _explain_helpers for the pipeline)."""

import pytest
from _explain_helpers import XGBRisk, make_data, make_preprocessor
from sklearn.pipeline import Pipeline


@pytest.fixture(scope="session")
def data():
    return make_data()


@pytest.fixture(scope="session")
def fitted_pipeline(data):
    X, y = data
    return Pipeline([("prep", make_preprocessor()), ("model", XGBRisk())]).fit(X, y)


@pytest.fixture(scope="session")
def explanation(fitted_pipeline, data):
    from riskml.explain import explain_pipeline

    X, _ = data
    return explain_pipeline(fitted_pipeline, X)
