"""Fixtures shared by the cohort tests: one small synthetic cohort file, built once."""

import pytest

from riskml.cohorts import make_young_hypertension


@pytest.fixture(scope="session")
def htn_frame():
    """The default synthetic cohort (508 patients, seed 0) as its file-shaped table."""
    return make_young_hypertension(return_frame=True)


@pytest.fixture
def frame(htn_frame):
    """A private copy that a test may edit."""
    return htn_frame.copy()
