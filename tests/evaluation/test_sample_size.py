"""Tests for minimum_sample_size (Riley et al. 2019/2020 criteria)."""

import numpy as np
import pytest

from riskml.evaluation import minimum_sample_size


def test_binary_worked_example_of_pmsampsize():
    """Oracle: pmsampsize's binary example (Riley et al. BMJ 2020): R2cs 0.288, 24
    parameters, prevalence 0.174 -> criteria 623, 662, 221; minimum 662."""
    result = minimum_sample_size("binary", 24, prevalence=0.174, r2_cs=0.288)
    assert result.criteria["n"].tolist() == [623, 662, 221]
    assert result.n_required == 662
    assert result.events_required == pytest.approx(662 * 0.174)


def test_survival_worked_example_of_riley_2020():
    """Oracle: Riley et al. BMJ 2020, time-to-event example (recurrent VTE): R2cs 0.051,
    30 parameters, rate 0.065/year, 2 years, mean follow-up 2.07 years -> 5143
    participants, 692 events, 23.07 events per parameter."""
    result = minimum_sample_size(
        "survival", 30, rate=0.065, timepoint=2, mean_followup=2.07, r2_cs=0.051
    )
    assert result.n_required == 5143
    assert round(result.events_required) == 692
    assert result.criteria.loc[0, "events_per_parameter"] == pytest.approx(23.07, abs=0.005)
    risk, low, high = result.risk_interval
    assert risk == pytest.approx(1 - np.exp(-0.13))  # exponential: 1 - exp(-rate t)
    assert low < risk < high


def test_maximum_r2_and_default_nagelkerke():
    """Oracle: closed form max R2cs = 1 - (p^p (1-p)^(1-p))^2 (Riley 2019, eq. 23)."""
    p = 0.1
    result = minimum_sample_size("binary", 10, prevalence=p)
    expected_max = 1 - (p**p * (1 - p) ** (1 - p)) ** 2
    assert result.max_r2_cs == pytest.approx(expected_max, abs=1e-12)
    assert result.r2_cs == pytest.approx(0.15 * expected_max, abs=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome_kind": "binary", "n_parameters": 5}, "needs prevalence="),
        ({"outcome_kind": "survival", "n_parameters": 5, "rate": 0.1}, "timepoint, mean_followup"),
        ({"outcome_kind": "binary", "n_parameters": 0, "prevalence": 0.2}, "positive int"),
        (
            {"outcome_kind": "binary", "n_parameters": 5, "prevalence": 0.2, "r2_cs": 0.9},
            "above the largest Cox-Snell",
        ),
        ({"outcome_kind": "ordinal", "n_parameters": 5}, "'binary' or 'survival'"),
    ],
)
def test_messages(kwargs, message):
    with pytest.raises(ValueError, match=message):
        minimum_sample_size(**kwargs)
