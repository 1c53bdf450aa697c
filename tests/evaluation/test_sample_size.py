"""Tests for minimum_sample_size (Riley et al. 2019/2020 criteria; C-statistic route of
Riley, Van Calster & Collins 2021 as R's pmsampsize)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskml.evaluation import _sample_size as ss
from riskml.evaluation import minimum_sample_size
from riskml.evaluation._sample_size import cox_snell_r2_from_c_statistic


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


# -- the C-statistic route (Riley, Van Calster & Collins 2021; pmsampsize cstatistic=) ----

CSTATISTIC = pd.read_csv(Path(__file__).parents[1] / "data" / "sample_size_cstatistic.csv")


def test_r_uniforms_and_normals_equal_r_bit_for_bit():
    """Oracle: R 4.2.2, `set.seed(1234); runif(5); rnorm(5)` and `set.seed(-42); rnorm(3)`
    printed with sprintf("%.17g") (default RNGkind: Mersenne-Twister, Inversion)."""
    bit_generator = ss._r_mersenne_twister(1234)
    uniforms = ss._r_unif_rand(bit_generator, 5)
    normals = ss._r_rnorm(bit_generator, 5, 0.0)
    assert uniforms.tolist() == [
        0.11370341130532324,
        0.62229940481483936,
        0.60927473288029432,
        0.62337944167666137,
        0.86091538355685771,
    ]
    assert normals.tolist() == [
        0.359289138225477200,
        -0.730473159432788122,
        0.035729912453538404,
        0.112975059379529327,
        1.428552028932301043,
    ]
    negative_seed = ss._r_rnorm(ss._r_mersenne_twister(-42), 3, 0.0)
    assert negative_seed.tolist() == [
        -0.093744814512965166,
        0.073645240433905579,
        0.48471964530476797,
    ]


def test_qnorm_as241_equals_r_qnorm_bit_for_bit():
    """Oracle: R 4.2.2, sprintf("%.17g", qnorm(p)) for points of the three branches of
    AS 241 (central |p - 0.5| <= 0.425, intermediate, far tail)."""
    p = [1e-300, 1e-20, 1e-12, 0.01, 0.074, 0.075, 0.5, 0.89, 0.925, 0.93, 0.999999]
    r_qnorm = [
        -37.047096299361201,
        -9.2623400897984052,
        -7.0344838253011321,
        -2.3263478740408408,
        -1.4466320671589785,
        -1.4395314709384557,
        0.0,
        1.2265281200366105,
        1.4395314709384559,
        1.4757910281791708,
        4.7534243088170891,
    ]
    assert ss._qnorm_as241(np.array(p)).tolist() == r_qnorm


@pytest.mark.parametrize("row", CSTATISTIC.to_dict("records"), ids=CSTATISTIC["scenario"].tolist())
def test_c_statistic_route_equals_r(row):
    """Oracle: tests/data/sample_size_cstatistic.R — R 4.2.2 runs the simulation of Riley
    et al. (2021) as pmsampsize's cstat2rsq (set.seed, 1e6 binormal linear predictors,
    glm(binomial)), rounds the R² to 4 decimals, and applies the three criteria; it also
    integrates the population R² with integrate(). The unrounded R² agree to 1e-9 (R's
    glm stops at a relative deviance change of 1e-8), the rounded R² and every criterion
    exactly."""
    kwargs = {
        "prevalence": row["prevalence"],
        "c_statistic": row["c_statistic"],
        "shrinkage": row["shrinkage"],
    }
    simulated = ss._r2_simulated(row["c_statistic"], row["prevalence"], int(row["seed"]))
    assert simulated == pytest.approx(row["r2_cs_simulated"], abs=1e-9)
    result = minimum_sample_size(
        "binary", int(row["n_parameters"]), random_state=int(row["seed"]), **kwargs
    )
    assert result.r2_cs == row["r2_cs"]
    assert result.criteria["n"].tolist() == [
        row["n_criterion1"],
        row["n_criterion2"],
        row["n_criterion3"],
    ]
    assert result.n_required == row["n_required"]
    assert (result.route, result.c_statistic_method) == ("c_statistic", "simulation")
    assert result.random_state == row["seed"]
    exact = minimum_sample_size(
        "binary", int(row["n_parameters"]), c_statistic_method="exact", **kwargs
    )
    assert exact.r2_cs == pytest.approx(row["r2_cs_population"], rel=1e-10)
    assert exact.n_required == row["n_required_population"]
    assert (exact.c_statistic_method, exact.random_state) == ("exact", None)


def test_c_statistic_route_reproduces_published_pmsampsize_output():
    """Oracle: printed output of R's pmsampsize (>= 1.1) in a public analysis script of a
    DVT diagnostic model: `pmsampsize(type = "b", cstatistic = 0.81, parameters = 6,
    prevalence = 0.18, seed = 123)` -> "Cox-Snell R-sq = 0.1818", 266 patients "with 48
    events ... and an EPP = 7.98"."""
    result = minimum_sample_size("binary", 6, prevalence=0.18, c_statistic=0.81, random_state=123)
    assert result.r2_cs == 0.1818
    assert result.n_required == 266
    assert np.ceil(result.events_required) == 48
    assert round(result.events_required / 6, 2) == 7.98


def test_c_statistic_default_seed_is_pmsampsize_seed():
    """Oracle: pmsampsize's default seed = 123456; its documented example
    `pmsampsize(type = "b", cstatistic = 0.89, parameters = 24, prevalence = 0.174)` run
    by tests/data/sample_size_cstatistic.R gives R² 0.2902 and 661 patients; another seed
    gives another draw: 0.2908 with seed 1 (the same R procedure, `set.seed(1)`)."""
    default = minimum_sample_size("binary", 24, prevalence=0.174, c_statistic=0.89)
    assert (default.r2_cs, default.n_required, default.random_state) == (0.2902, 661, 123456)
    assert cox_snell_r2_from_c_statistic(0.89, 0.174, random_state=1) == 0.2908


def test_exact_r2_is_the_limit_of_the_simulation():
    """Oracle: the law of large numbers — each of the 11 simulations of 1e6 patients of
    tests/data/sample_size_cstatistic.csv lies within 2% (+ 1e-4) of the integral (the
    largest gap is 1.6%, at R² 0.0137; a seed-to-seed SD of about 1.8% there); and the
    limits: R² -> 0 as C -> 0.5, R² -> the maximum Cox-Snell R² (closed form
    1 - (p^p (1-p)^(1-p))^2) as C -> 1."""
    for row in CSTATISTIC.itertuples():
        exact = cox_snell_r2_from_c_statistic(row.c_statistic, row.prevalence, method="exact")
        simulated = ss._r2_simulated(row.c_statistic, row.prevalence, row.seed)
        assert abs(simulated - exact) <= 0.02 * exact + 1e-4, row.scenario
    assert cox_snell_r2_from_c_statistic(0.5 + 1e-9, 0.3, method="exact") < 1e-15
    max_r2 = 1 - (0.3**0.3 * 0.7**0.7) ** 2
    assert cox_snell_r2_from_c_statistic(1 - 1e-12, 0.3, method="exact") > 0.99 * max_r2


def test_result_says_which_route_gave_the_r2():
    """Oracle: the arguments themselves — each route is recorded, and r2_source names it."""
    binary = {"outcome_kind": "binary", "n_parameters": 10, "prevalence": 0.2}
    given = minimum_sample_size(**binary, r2_cs=0.1)
    nagelkerke = minimum_sample_size(**binary, r2_nagelkerke=0.3)
    default = minimum_sample_size(**binary)
    from_c = minimum_sample_size(**binary, c_statistic=0.8)
    exact = minimum_sample_size(**binary, c_statistic=0.8, c_statistic_method="exact")
    assert [r.route for r in (given, nagelkerke, default, from_c)] == [
        "r2_cs",
        "r2_nagelkerke",
        "default_nagelkerke",
        "c_statistic",
    ]
    assert given.c_statistic is None and given.c_statistic_method is None
    assert nagelkerke.r2_nagelkerke == pytest.approx(0.3, abs=1e-12)
    assert "as given" in given.r2_source
    assert "default Nagelkerke R² 0.15" in default.r2_source
    assert "C-statistic 0.8" in from_c.r2_source and "seed 123456" in from_c.r2_source
    assert "exact population value" in exact.r2_source
    assert from_c.c_statistic == 0.8


def test_r2_routes_unchanged_by_the_c_statistic_options():
    """Oracle: the pmsampsize example (R²cs 0.288 -> 662); random_state and
    c_statistic_method only act on the C-statistic route."""
    result = minimum_sample_size(
        "binary",
        24,
        prevalence=0.174,
        r2_cs=0.288,
        random_state=1,
        c_statistic_method="exact",
    )
    assert (result.n_required, result.route, result.random_state) == (662, "r2_cs", None)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"c_statistic": 0.5}, ValueError, r"above 0.5 and below 1 .* Got 0.5 instead"),
        ({"c_statistic": 0.3}, ValueError, r"ranks the wrong way round pass 1 - C"),
        ({"c_statistic": 1.0}, ValueError, r"'c_statistic' parameter .* below 1"),
        ({"c_statistic": "0.8"}, TypeError, r"must be a number in \(0.5, 1\). Got '0.8'"),
        ({"c_statistic": 0.8, "r2_cs": 0.1}, ValueError, r"got r2_cs= and c_statistic="),
        (
            {"c_statistic": 0.8, "r2_nagelkerke": 0.2},
            ValueError,
            r"one anticipated performance: .* got r2_nagelkerke= and c_statistic=",
        ),
        (
            {"c_statistic": 0.8, "c_statistic_method": "integral"},
            ValueError,
            r"'c_statistic_method' parameter .* one of 'simulation', 'exact'",
        ),
        ({"c_statistic": 0.8, "random_state": 1.5}, TypeError, r"R's set.seed\(\) seed"),
        ({"c_statistic": 0.8, "random_state": 2**31}, ValueError, r"\[-2147483647, 2147483647\]"),
        (
            {"c_statistic": 0.8, "prevalence": 1e-7},
            ValueError,
            r"without events; pass c_statistic_method='exact'",
        ),
        ({"c_statistic": 0.8, "prevalence": 1.2}, ValueError, r"prevalence .* below 1"),
    ],
)
def test_c_statistic_messages(kwargs, error, message):
    arguments = {"prevalence": 0.2, **kwargs}
    with pytest.raises(error, match=message):
        minimum_sample_size("binary", 5, **arguments)


def test_c_statistic_needs_a_binary_outcome_and_prevalence():
    with pytest.raises(ValueError, match="c_statistic= is for binary outcomes"):
        minimum_sample_size("survival", 5, rate=0.1, timepoint=1, mean_followup=1, c_statistic=0.8)
    with pytest.raises(ValueError, match="needs prevalence="):
        minimum_sample_size("binary", 5, c_statistic=0.8)
    with pytest.raises(ValueError, match=r"'method' parameter of cox_snell_r2_from_c"):
        cox_snell_r2_from_c_statistic(0.8, 0.2, method="pmsampsize")
