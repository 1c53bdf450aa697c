"""Published models as data (riskml.models.PublishedModel, YAML coefficient tables).

Oracles:
- the Pooled Cohort Equations: the worked example of Goff 2013, Table A (a 55-year-old,
  the four sex-race equations: 2.1, 3.0, 5.3, 6.1%; individual sums -29.67, 86.16,
  60.69, 18.97, which the table rounds); held-out vectors from two independent R
  implementations, bcjaeger/PooledCohort tests/testthat/test-predict_10yr_ascvd_risk.R
  (treated and smoking variants of the example; a 54-year-old man, 20.8%) and
  vcastro/CVrisk tests/testthat/test-compute_CVrisk.R (7.01%, 1.22%); and a hand-written
  formula for one patient (below, typed from Table A, independent of the YAML engine);
- PREVENT base 10-year total CVD: the worked example of Khan 2024, Supplemental Table S12
  (women 0.1468, men 0.1632, to 4 decimals; the same vector is 0.147 / 0.163 in R
  preventr's tests) and a hand-written formula over vectors that cross every spline knot;
- the Framingham family: riskml.models.FraminghamScore (the existing implementation and its
  own oracles) on the bundled cohorts, to 1e-12;
- recalibration: the maximum-likelihood score equations (sum of residuals, and residuals
  times logit risk or times each term, are 0 at the optimum) and FraminghamScore's "km".
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

import riskml as rk
from riskml.models import (
    FraminghamScore,
    OutOfRangeWarning,
    PublishedModel,
    PublishedModelError,
    RiskPipeline,
    published_model,
)
from riskml.models.scores import bundled_names
from riskml.models.scores._definition import BUNDLED_FOLDER

FRAMINGHAM = ("dagostino2008_lipid", "dagostino2008_bmi", "atp3_hard_chd", "wilson1998_tc",
              "wilson1998_ldl")  # fmt: skip


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def _pce_example(**changes) -> pd.DataFrame:
    """Goff 2013 Table A: 55 years, TC 213, HDL 50, untreated SBP 120, no smoking or diabetes."""
    frame = pd.DataFrame(
        {
            "sex": ["F", "F", "M", "M"],
            "race": ["white", "african_american", "white", "african_american"],
            "age": 55.0,
            "total_chol": 213.0,
            "hdl": 50.0,
            "sbp": 120.0,
            "bp_treated": 0,
            "smoker": 0,
            "diabetes": 0,
        }
    )
    return frame.assign(**changes)


def _prevent_example() -> pd.DataFrame:
    """Khan 2024 Supplemental Table S12: 50 years, TC 200, HDL 45, SBP 160 treated, diabetes."""
    return pd.DataFrame(
        {
            "sex": ["F", "M"],
            "age": 50.0,
            "total_chol": 200.0,
            "hdl": 45.0,
            "sbp": 160.0,
            "egfr": 90.0,
            "bp_treated": 1,
            "statin": 0,
            "smoker": 0,
            "diabetes": 1,
        }
    )


# -- the Pooled Cohort Equations ----------------------------------------------------------
def test_pce_reproduces_the_guideline_worked_example():
    """Goff 2013 Table A: 2.1% white women, 3.0% AA women, 5.3% white men, 6.1% AA men.

    The table rounds each product to 2 decimals, so its white men's sum (60.69) gives
    5.3% where the unrounded one (60.70) gives 5.38%: within 0.1 percentage point.
    """
    model = published_model("pce")
    X = _pce_example()
    risk = 100 * model.predict_risk(X)
    np.testing.assert_allclose(risk, [2.1, 3.0, 5.3, 6.1], atol=0.1)
    sums = model.contributions(X).sum(axis=1).to_numpy()
    np.testing.assert_allclose(sums, [-29.67, 86.16, 60.69, 18.97], atol=0.02)
    np.testing.assert_allclose(
        model.linear_predictor(X), sums - np.array([-29.18, 86.61, 61.18, 19.54]), atol=1e-12
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"bp_treated": 1}, [2.8, 4.6, 6.3, 9.9]),
        ({"smoker": 1}, [5.0, 5.9, 10.0, 10.3]),
    ],
    ids=["treated_sbp", "smoker"],
)
def test_pce_held_out_vectors_of_the_pooledcohort_package(changes, expected):
    """bcjaeger/PooledCohort (R) test-predict_10yr_ascvd_risk.R, rounded to 0.1%."""
    risk = 100 * published_model("pce").predict_risk(_pce_example(**changes))
    np.testing.assert_allclose(risk, expected, atol=0.05 + 1e-9)


def test_pce_held_out_single_patients():
    """PooledCohort: white man 54, smoker, diabetes, TC 170, HDL 50, SBP 157 -> 20.8%;
    CVrisk compute_CVrisk: white man 55, SBP 140 -> 7.01%; white woman 45, treated SBP 125,
    TC 200 -> 1.22%."""
    X = pd.DataFrame(
        {
            "sex": ["M", "M", "F"],
            "race": ["white"] * 3,
            "age": [54, 55, 45],
            "total_chol": [170, 213, 200],
            "hdl": [50, 50, 50],
            "sbp": [157, 140, 125],
            "bp_treated": [0, 0, 1],
            "smoker": [1, 0, 0],
            "diabetes": [1, 0, 0],
        }
    )
    risk = 100 * published_model("pce").predict_risk(X)
    assert risk[0] == pytest.approx(20.8, abs=0.05)
    np.testing.assert_allclose(risk[1:], [7.01, 1.22], atol=0.005 + 1e-9)


def test_pce_equals_a_hand_written_formula():
    """One patient per equation, each sum typed from Table A by hand (no YAML involved)."""
    age, tc, hdl, sbp = 63.0, 245.0, 38.0, 148.0
    la, lt, lh, ls = math.log(age), math.log(tc), math.log(hdl), math.log(sbp)
    # white woman, untreated SBP, smoker, no diabetes
    white_woman = (-29.799 * la + 4.884 * la**2 + 13.540 * lt - 3.114 * la * lt - 13.578 * lh
                   + 3.149 * la * lh + 1.957 * ls + 7.574 - 1.665 * la)  # fmt: skip
    # African-American woman, treated SBP, smoker, diabetes
    aa_woman = (17.114 * la + 0.940 * lt - 18.920 * lh + 4.475 * la * lh + 29.291 * ls
                - 6.432 * la * ls + 0.691 + 0.874)  # fmt: skip
    # white man, treated SBP, smoker, diabetes
    white_man = (12.344 * la + 11.853 * lt - 2.664 * la * lt - 7.990 * lh + 1.769 * la * lh
                 + 1.797 * ls + 7.837 - 1.795 * la + 0.658)  # fmt: skip
    # African-American man, untreated SBP, no smoking, diabetes
    aa_man = 2.469 * la + 0.302 * lt - 0.307 * lh + 1.809 * ls + 0.645
    expected = [
        1 - 0.9665 ** math.exp(white_woman + 29.18),
        1 - 0.9533 ** math.exp(aa_woman - 86.61),
        1 - 0.9144 ** math.exp(white_man - 61.18),
        1 - 0.8954 ** math.exp(aa_man - 19.54),
    ]
    X = pd.DataFrame(
        {"sex": ["female", "female", "male", "male"], "race": ["white", "black", "white", "AA"],
         "age": age, "total_chol": tc, "hdl": hdl, "sbp": sbp, "bp_treated": [0, 1, 1, 0],
         "smoker": [1, 1, 1, 0], "diabetes": [0, 1, 1, 1]}
    )  # fmt: skip
    np.testing.assert_allclose(published_model("pce").predict_risk(X), expected, rtol=1e-12)


def test_pce_other_races_use_the_white_equations():
    X = _pce_example()
    other = X.assign(race=["other", "african_american", "other", "african_american"])
    model = published_model("pce")
    np.testing.assert_array_equal(model.predict_risk(other), model.predict_risk(X))


# -- PREVENT --------------------------------------------------------------------------------
def test_prevent_reproduces_the_published_example_to_4_decimals():
    """Khan 2024 Supplemental Table S12: 0.1468 (women) and 0.1632 (men)."""
    risk = published_model("prevent_cvd_10y").predict_risk(_prevent_example())
    assert np.round(risk, 4).tolist() == [0.1468, 0.1632]


def _prevent_by_hand(female, age, tc, hdl, sbp, egfr, treated, statin, smoker, diabetes):
    """PREVENT base 10-year total CVD, typed from Khan 2024 Table S12 by hand."""
    if female:
        b = (-3.307728, 0.7939329, 0.0305239, -0.1606857, -0.2394003, 0.3600781, 0.8667604,
             0.5360739, 0.6045917, 0.0433769, 0.3151672, -0.1477655, -0.0663612, 0.1197879,
             -0.0819715, 0.0306769, -0.0946348, -0.27057, -0.078715, -0.1637806)  # fmt: skip
    else:
        b = (-3.031168, 0.7688528, 0.0736174, -0.0954431, -0.4347345, 0.3362658, 0.7692857,
             0.4386871, 0.5378979, 0.0164827, 0.288879, -0.1337349, -0.0475924, 0.150273,
             -0.0517874, 0.0191169, -0.1049477, -0.2251948, -0.0895067, -0.1543702)  # fmt: skip
    a = (age - 55) / 10
    non_hdl = (tc - hdl) * 0.02586 - 3.5
    h = (hdl * 0.02586 - 1.3) / 0.3
    s_lo, s_hi = (min(sbp, 110) - 110) / 20, (max(sbp, 110) - 130) / 20
    e_lo, e_hi = (min(egfr, 60) - 60) / -15, (max(egfr, 60) - 90) / -15
    x = (1, a, non_hdl, h, s_lo, s_hi, diabetes, smoker, e_lo, e_hi, treated, statin,
         treated * s_hi, statin * non_hdl, a * non_hdl, a * h, a * s_hi, a * diabetes,
         a * smoker, a * e_lo)  # fmt: skip
    lp = sum(bi * xi for bi, xi in zip(b, x, strict=True))
    return 1 / (1 + math.exp(-lp))


def test_prevent_equals_a_hand_written_formula_across_the_knots():
    rng = np.random.default_rng(3)
    n = 40
    X = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n),
            "age": rng.uniform(30, 79, n).round(1),
            "total_chol": rng.uniform(130, 320, n).round(),
            "hdl": rng.uniform(20, 100, n).round(),
            "sbp": rng.choice([92.0, 104.0, 110.0, 118.0, 135.0, 171.0, 199.0], n),
            "egfr": rng.choice([16.0, 45.0, 60.0, 75.0, 90.0, 120.0], n),
            "bp_treated": rng.integers(0, 2, n),
            "statin": rng.integers(0, 2, n),
            "smoker": rng.integers(0, 2, n),
            "diabetes": rng.integers(0, 2, n),
        }
    )
    expected = [
        _prevent_by_hand(r.sex == "F", r.age, r.total_chol, r.hdl, r.sbp, r.egfr,
                         r.bp_treated, r.statin, r.smoker, r.diabetes)
        for r in X.itertuples()
    ]  # fmt: skip
    risk = published_model("prevent_cvd_10y").predict_risk(X)
    np.testing.assert_allclose(risk, expected, rtol=1e-12)
    example = _prevent_example().iloc[0]
    assert _prevent_by_hand(True, 50, 200, 45, 160, 90, 1, 0, 0, 1) == pytest.approx(
        published_model("prevent_cvd_10y").predict_risk(example.to_frame().T.infer_objects())[0],
        rel=1e-12,
    )


# -- the Framingham family as data ------------------------------------------------------------
@pytest.fixture(scope="module")
def cohorts():
    return [
        rk.cohorts.make_young_hypertension(random_state=0),
        rk.cohorts.make_ccta_registry(random_state=0),
    ]


@pytest.mark.parametrize("name", FRAMINGHAM)
def test_framingham_yaml_equals_the_framingham_implementation(name, cohorts):
    for cohort in cohorts:
        X, inputs = cohort.features, cohort.framingham_inputs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = FraminghamScore(model=name, inputs=inputs).fit(X).predict_risk(X)
            risk = published_model(name, inputs=inputs).fit(X).predict_risk(X)
        assert np.max(np.abs(risk - expected)) < 1e-12


@pytest.mark.parametrize(("ours", "theirs"), [("km", "km"), ("slope", "logistic")])
def test_framingham_yaml_recalibrates_as_the_framingham_implementation(ours, theirs, cohorts):
    cohort = cohorts[0]
    X, y, inputs = cohort.features, cohort.outcome, cohort.framingham_inputs
    score = FraminghamScore(recalibrate=theirs, horizon=1004, inputs=inputs)
    expected = _quiet(lambda: score.fit(X, y).predict_risk(X))
    model = published_model("dagostino2008_lipid", recalibrate=ours, horizon=1004, inputs=inputs)
    risk = _quiet(lambda: model.fit(X, y).predict_risk(X))
    assert np.max(np.abs(risk - expected)) < 1e-12


def test_every_bundled_file_loads_and_is_in_the_package_folder():
    names = bundled_names()
    assert {"pce", "prevent_cvd_10y", *FRAMINGHAM} <= set(names)
    for name in names:
        assert published_model(name).definition.name == name
        assert (BUNDLED_FOLDER / f"{name}.yaml").is_file()


# -- inputs, units and ranges -----------------------------------------------------------------
def test_out_of_range_inputs_warn_and_strict_refuses():
    X = _pce_example(age=[35.0, 55.0, 55.0, 82.0])
    with pytest.warns(
        OutOfRangeWarning, match=r"2 row\(s\) have age \(column 'age'\) outside 40-79"
    ):
        published_model("pce").predict_risk(X)
    with pytest.raises(ValueError, match=r"outside 40-79 years.*first positions \[0, 3\]"):
        published_model("pce", strict=True).predict_risk(X)


def test_declared_mmol_per_litre_gives_the_mg_per_dl_risk_and_undeclared_is_refused():
    X = _pce_example()
    mmol = X.assign(total_chol=X["total_chol"] / 38.67, hdl=X["hdl"] / 38.67)
    expected = published_model("pce").predict_risk(X)
    risk = published_model("pce", units="mmol/L").predict_risk(mmol)
    np.testing.assert_allclose(risk, expected, rtol=1e-12)
    with pytest.raises(ValueError, match=r"total_chol \(column 'total_chol'\) has median 5\.51.*"
                       r"units=\{'total_chol': 'mmol/L'\} \(x 38\.67\)"):  # fmt: skip
        published_model("pce").predict_risk(mmol)
    with pytest.raises(ValueError, match=r"looks like mg/dL already"):
        published_model("pce", units={"total_chol": "mmol/L"}).predict_risk(X)
    with pytest.raises(ValueError, match=r"units\['sbp'\] is 'kPa'; sbp is taken in mmHg"):
        published_model("pce", units={"sbp": "kPa"}).predict_risk(X)


def test_inputs_map_columns_flags_and_levels():
    X = _pce_example()
    renamed = X.rename(columns={"total_chol": "TC"}).assign(
        smoking=["never"] * 4, race=[1, 2, 1, 2], sex=["woman", "woman", "man", "man"]
    )
    model = published_model(
        "pce",
        inputs={
            "total_chol": "TC",
            "smoker": {"column": "smoking", "equals": "current"},
            "race": {"column": "race", "levels": {1: "white", 2: "african_american"}},
        },
    )
    np.testing.assert_array_equal(
        model.predict_risk(renamed), published_model("pce").predict_risk(X)
    )
    assert model.input_columns()[:3] == ["sex", "race", "age"]
    with pytest.raises(ValueError, match=r"the race column 'race' is numeric.*'levels'"):
        published_model("pce").predict_risk(X.assign(race=1))
    with pytest.raises(ValueError, match=r"not levels of \['white', 'african_american', 'other'\]"):
        published_model("pce").predict_risk(X.assign(race="martian"))
    with pytest.raises(ValueError, match=r"X lacks the column\(s\) \['race'\] needed by 'pce'"):
        published_model("pce").predict_risk(X.drop(columns="race"))


def test_missing_inputs_need_fit_and_log_of_nonpositive_is_refused():
    X = _pce_example(hdl=[50.0, np.nan, 50.0, 50.0])
    with pytest.raises(ValueError, match=r"missing inputs of 'pce': hdl \(1 rows\).*fit\(X\)"):
        published_model("pce").predict_risk(X)
    fitted = published_model("pce").fit(_pce_example(hdl=[40.0, 50.0, 60.0, 70.0]))
    assert fitted.predict_risk(X)[1] == pytest.approx(
        published_model("pce").predict_risk(_pce_example(hdl=55.0))[1]
    )
    with pytest.raises(ValueError, match=r"term 'ln_hdl' = log\(hdl\) takes the log of a value "
                       r"<= 0 in 1 row\(s\) \(first positions \[2\]\)"):  # fmt: skip
        _quiet(published_model("pce").predict_risk, _pce_example(hdl=[50.0, 50.0, 0.0, 50.0]))


def test_horizon_other_than_the_models_is_refused():
    model = published_model("pce")
    assert model.predict_risk(_pce_example(), horizon=3652.5)[0] > 0
    with pytest.raises(ValueError, match=r"predicts the risk by 3652\.5 days \(10 years\) only; "
                       r"got horizon=365.*recalibrate='slope', horizon=365"):  # fmt: skip
        model.predict_risk(_pce_example(), horizon=365)


def test_coefficient_table_and_contributions():
    model = published_model("prevent_cvd_10y")
    table = model.coefficient_table()
    women = table[table["equation"] == "women"].set_index("term")["coefficient"]
    assert women["intercept"] == -3.307728 and women["age_per_10y"] == 0.7939329
    X = _prevent_example()
    contributions = model.contributions(X)
    np.testing.assert_allclose(
        contributions.sum(axis=1) + [-3.307728, -3.031168], model.linear_predictor(X), atol=1e-14
    )
    assert contributions.loc[0, "sbp_below_110"] == 0.0  # SBP 160 is above the knot


# -- bad model files ----------------------------------------------------------------------------
@pytest.fixture
def pce_content():
    return yaml.safe_load((BUNDLED_FOLDER / "pce.yaml").read_text(encoding="utf-8"))


def _break(content, edit):
    edit(content)
    return content


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c.update(colour="red"), r"unknown key\(s\) \['colour'\] in the top level"),
        (lambda c: c.pop("link"), r"the top level lacks the key\(s\) \['link'\]; add link \("),
        (lambda c: c.update(link="probit"), r"link is 'probit'; write 'cox'"),
        (
            lambda c: c["equations"][0]["coefficients"].update(ln_agee=1.0),
            r"equations\[0\]\.coefficients names \['ln_agee'\], which are not terms; define them",
        ),
        (
            lambda c: c["terms"].update(root="sqrt(age)"),
            r"terms\.root: 'sqrt\(age\)': the function 'sqrt' is not allowed",
        ),
        (
            lambda c: c["terms"].update(evil="__import__('os')"),
            r"terms\.evil: .*the function '__import__' is not allowed",
        ),
        (
            lambda c: c["terms"].update(typo="log(agee)"),
            r"terms\.typo: 'log\(agee\)' reads 'agee', which is neither an input nor an earlier",
        ),
        (
            lambda c: c["terms"].update(bad='race == "martian"'),
            r"terms\.bad: .*'martian' is not a level of 'race'",
        ),
        (
            lambda c: c["equations"][1].update(baseline_survival=1.2),
            r"equations\[1\]\.baseline_survival must lie in \(0, 1\)",
        ),
        (
            lambda c: c["equations"][0]["when"].update(race="white"),
            r"sex=F, race=other has no equation; each combination of levels needs exactly one",
        ),
        (
            lambda c: c["equations"][1].pop("mean"),
            r"equations\[1\] lacks the key\(s\) \['mean'\]",
        ),
        (
            lambda c: c["inputs"]["age"].update(type="integer"),
            r"inputs\.age\.type is 'integer'; write 'number', 'flag' or 'category'",
        ),
        (lambda c: c.update(riskml_published_model=2), r"this riskml reads version 1"),
    ],
    ids=[
        "unknown_key",
        "missing_key",
        "link",
        "coefficient_typo",
        "function",
        "import",
        "name_typo",
        "level",
        "baseline_survival",
        "cover",
        "mean",
        "input_type",
        "version",
    ],
)
def test_bad_model_files_name_the_key_and_the_fix(pce_content, edit, message):
    with pytest.raises(PublishedModelError, match=message):
        published_model(_break(pce_content, edit))


def test_a_model_file_on_disk_and_unknown_names(tmp_path, pce_content):
    path = tmp_path / "my_pce.yaml"
    path.write_text(yaml.safe_dump(pce_content, sort_keys=False), encoding="utf-8")
    X = _pce_example()
    np.testing.assert_array_equal(
        published_model(path).predict_risk(X), published_model("pce").predict_risk(X)
    )
    with pytest.raises(PublishedModelError, match=r"unknown published model 'qrisk3'; bundled:"):
        published_model("qrisk3")
    with pytest.raises(PublishedModelError, match=r"no published-model file at"):
        published_model(str(tmp_path / "absent.yaml"))
    (tmp_path / "broken.yaml").write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(PublishedModelError, match=r"broken\.yaml: not valid YAML"):
        published_model(tmp_path / "broken.yaml")


# -- recalibration ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hypertension():
    cohort = rk.cohorts.make_young_hypertension(random_state=0)
    inputs = dict(cohort.framingham_inputs) | {"egfr": "egfr", "statin": "statin"}
    return cohort, inputs


def _logit(p):
    return np.log(p) - np.log1p(-p)


@pytest.mark.parametrize("method", ["intercept", "slope", "refit"])
def test_recalibration_solves_its_score_equations(method, hypertension):
    """At the maximum likelihood the residuals sum to 0, and are orthogonal to logit(risk)
    (slope) or to every term of each equation (refit)."""
    cohort, inputs = hypertension
    X, y = cohort.features, cohort.outcome
    model = published_model("prevent_cvd_10y", inputs=inputs, recalibrate=method, horizon=1004)
    _quiet(model.fit, X, y)
    label = y.at_horizon(1004)
    keep = ~np.isnan(label)
    risk = _quiet(model.predict_risk, X)[keep]
    residual = label[keep] - risk
    assert model.n_recalibration_ == keep.sum()
    if method != "refit":
        assert abs(residual.sum()) < 1e-6
        published = _quiet(published_model("prevent_cvd_10y", inputs=inputs).fit(X).predict_risk, X)
        if method == "slope":
            assert abs((residual * _logit(published[keep])).sum()) < 1e-6
        else:
            assert model.calibration_slope_ == 1.0
        return
    values = _quiet(model._values, X, impute=True)
    index, terms = model._terms(values)
    for position, equation in enumerate(model.definition.equations):
        rows = (index == position)[keep]
        assert abs(residual[rows].sum()) < 1e-6
        for term in equation.coefficients:
            assert abs((residual[rows] * terms[term].to_numpy()[keep][rows]).sum()) < 1e-6


def test_km_recalibration_needs_a_cox_type_model(hypertension):
    cohort, inputs = hypertension
    model = published_model("prevent_cvd_10y", inputs=inputs, recalibrate="km", horizon=1004)
    with pytest.raises(ValueError, match=r"'prevent_cvd_10y' is a logistic model\. Use"):
        _quiet(model.fit, cohort.features, cohort.outcome)
    with pytest.raises(ValueError, match=r"recalibrate='slope' needs the outcome"):
        _quiet(published_model("prevent_cvd_10y", inputs=inputs, recalibrate="slope").fit,
               cohort.features)  # fmt: skip


# -- a study and an explanation -------------------------------------------------------------------
def test_prevent_as_a_study_model_on_the_young_hypertension_cohort(hypertension):
    """Oracle: the whole-cohort model equals PublishedModel fitted by hand; the study's C is
    the brute-force C of its own out-of-fold risks (tests/test_study.py's oracle)."""
    from tests.test_study import brute_force_harrell_c

    cohort, inputs = hypertension
    model = PublishedModel("prevent_cvd_10y", inputs=inputs, recalibrate="slope", horizon=1004)
    pipeline = RiskPipeline([("model", model)], horizon=1004)
    with pytest.warns(OutOfRangeWarning):
        result = rk.Study(
            cohort, models={"prevent": pipeline}, validation=3, n_boot=50, explain=None,
            progress=False, random_state=0,
        ).run()  # fmt: skip
    X, y = cohort.features, cohort.outcome
    by_hand = _quiet(lambda: model.fit(X, y).predict_risk(X, horizon=1004))
    whole = _quiet(result.fitted_models["prevent"].predict_risk, X, horizon=1004)
    np.testing.assert_allclose(whole, by_hand, rtol=1e-12)
    row = result.summary[(result.summary["metric"] == "harrell_c")].set_index("model")
    risk = result.predictions["prevent"].to_numpy()
    assert row.loc["prevent", "estimate"] == pytest.approx(
        brute_force_harrell_c(y.time, y.event, risk), abs=1e-12
    )


def test_explanations_over_the_columns_the_equation_reads(hypertension):
    """Registered with explainer="equation", as the Framingham family is: exact Shapley
    values over the model's own input columns, which rebuild predict_risk."""
    from riskml.explain import explain_pipeline
    from riskml.models import ModelSpec, registered_model

    cohort, inputs = hypertension
    X = cohort.features.iloc[:60]
    spec = ModelSpec(
        name="prevent_test",
        description="PREVENT base model, 10-year total CVD; P(event by the horizon).",
        estimator=lambda random_state: published_model("prevent_cvd_10y", inputs=inputs),
        preprocess=None,
        explainer="equation",
        classes=(PublishedModel,),
    )
    fitted = _quiet(
        RiskPipeline([("model", published_model("prevent_cvd_10y", inputs=inputs))]).fit, X
    )
    with registered_model(spec):
        explanation = _quiet(explain_pipeline, fitted, X, rows=5)
    risk = _quiet(fitted.predict_risk, X)
    for position in explanation.row_positions:
        assert explanation.patient_risk(position) == pytest.approx(risk[position], abs=1e-9)
    read = set(fitted.steps[-1][1].input_columns())
    unread = [c for c in explanation.values.columns if c not in read]
    assert unread and (explanation.values[unread] == 0).all().all()
    assert (explanation.values[sorted(read)].abs().sum() > 0).any()
