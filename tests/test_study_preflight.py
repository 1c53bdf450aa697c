"""Study's pre-flight refuses, before any fit, settings that would fail or mislead later:
a published score whose input columns the cohort lacks, a reference level on a numeric
predictor, and a horizon on a tiny cohort, without quoting its patients' values.

Oracles: the cohort's own columns and values, checked against the messages.
"""

import time

import numpy as np
import pandas as pd
import pytest

import riskml as rk


@pytest.fixture(scope="module")
def heart_failure():
    return rk.cohorts.load_heart_failure_clinical_records()


def test_a_score_without_its_columns_is_refused_before_any_fit(heart_failure):
    # the default models include the recalibrated Framingham score, whose inputs
    # (cholesterol, HDL, systolic pressure, ...) the heart-failure records lack
    assert "total_chol" not in heart_failure.features.columns
    start = time.perf_counter()
    with pytest.raises(ValueError) as raised:
        rk.Study(heart_failure, progress=False).run()
    message = str(raised.value)
    assert "model 'framingham_recalibrated' needs the column(s) ['total_chol'" in message
    assert "framingham_inputs=" in message and "leave 'framingham_recalibrated' out" in message
    # refused in the checks, not after the cross-validation of the other models
    assert time.perf_counter() - start < 30


def test_a_reference_level_on_a_numeric_predictor_is_refused_without_its_values(
    heart_failure,
):
    with pytest.raises(ValueError) as raised:
        rk.Study(
            heart_failure, models=["cox"], reference_levels={"age": 60.0}, progress=False
        ).run()
    message = str(raised.value)
    assert "'age', a numeric predictor" in message
    ages = {f"{a:g}" for a in heart_failure.features["age"].unique()} - {"60"}
    assert not any(f"'{a}'" in message for a in ages)


def test_a_tiny_cohort_horizon_message_quotes_no_follow_up_time():
    rng = np.random.default_rng(3)
    n = 12
    time_ = np.round(rng.uniform(700, 2100, n))
    event = np.zeros(n, dtype=bool)
    event[:4] = True
    features = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    cohort = rk.Cohort(features, rk.Outcome.survival(time_, event))
    with pytest.raises(ValueError) as raised:
        rk.Study(cohort, models=["cox"], horizon=30, progress=False).run()
    message = str(raised.value)
    assert "among only 12 patients (their follow-up is not quoted)" in message
    assert not any(f"{t:,.0f}" in message for t in time_)


def test_the_settings_are_checked_once_into_a_frozen_object(heart_failure):
    """``Study``'s parameters become one frozen :class:`riskml.study.StudySettings`: the
    defaults resolved (folds, reference, explained models, metric parameters), no fit.

    Oracle: the documented defaults (10 folds, the first model as reference without
    'cox', every model explained for explain='auto', net benefit at the threshold given).
    """
    import dataclasses

    from riskml.study import StudySettings

    binary = rk.Cohort(heart_failure.features, rk.Outcome.binary(heart_failure.outcome.event))
    study = rk.Study(
        binary,
        models=["logistic", "lasso"],
        metrics=["auc", "net_benefit"],
        threshold=0.2,
        subgroups=["sex"],
        progress=False,
    )
    settings = study._check_settings()
    assert isinstance(settings, StudySettings)
    assert settings.validation == 10
    assert settings.reference == "logistic"
    assert settings.explain == ("logistic", "lasso")
    assert settings.names == ("logistic", "lasso")
    assert settings.metrics == ("auc", "net_benefit")
    assert settings.metric_params == {"net_benefit": {"threshold": 0.2}}
    assert settings.horizon is None
    assert sorted(settings.subgroups["sex"].unique()) == ["0", "1"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.n_boot = 10
