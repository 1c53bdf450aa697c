"""Descriptions of registry models name what the model predicts for the study at hand."""

import pytest

from riskml.models import MODELS, describe_model


@pytest.mark.parametrize("name", MODELS)
def test_binary_study_descriptions_do_not_mention_a_horizon(name):
    text = describe_model(name)
    assert "P(event by the horizon)" not in text
    assert text.endswith(".")


def test_time_to_event_study_names_the_day():
    assert "P(event by day 30)" in describe_model("svm", horizon=30)
    assert "P(event by day 1004)" in describe_model("xgboost", horizon=1004.0)
    assert "P(event)" in describe_model("logistic")
