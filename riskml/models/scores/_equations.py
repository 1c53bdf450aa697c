"""The published Framingham equations as data: coefficients, inputs, ranges, citations.

Each :class:`Equation` is a sex-specific Cox model ``risk = 1 - S0 ** exp(sum - mean)``.
Its coefficient table (one dict per sex) holds the betas, the 10-year baseline
survival ``s0`` and the centering constant ``mean``; a small term function turns
the inputs into the per-factor terms ``beta * x``. Coefficients are typed from the
sources named in each equation's ``sources`` (and in ``docs/reference_scores.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["EQUATIONS", "Equation", "INPUT_UNITS", "PLAUSIBLE_RANGES"]

#: Every input a Framingham equation can take, and its unit.
INPUT_UNITS = {
    "sex": '"M"/"F"',
    "age": "years",
    "total_chol": "mg/dL",
    "hdl": "mg/dL",
    "ldl": "mg/dL",
    "sbp": "mmHg",
    "dbp": "mmHg",
    "bmi": "kg/m^2",
    "bp_treated": "0/1",
    "smoker": "0/1",
    "diabetes": "0/1",
}

#: Plausible ranges of the measurements (riskml's limits: the papers do not tabulate
#: their covariate ranges). Values outside warn (or raise with ``strict=True``).
PLAUSIBLE_RANGES = {
    "total_chol": (100.0, 400.0),
    "hdl": (15.0, 120.0),
    "ldl": (30.0, 300.0),
    "sbp": (80.0, 250.0),
    "dbp": (40.0, 150.0),
    "bmi": (15.0, 55.0),
}

# Wilson 1998 category cut points: a value v is in category searchsorted(cuts, v, "right"),
# so TC 199.9 is "160-199" and TC 200 is "200-239".
TC_CUTS = (160.0, 200.0, 240.0, 280.0)  # <160, 160-199, 200-239 (ref 160-199), 240-279, >=280
LDL_CUTS = (100.0, 130.0, 160.0, 190.0)  # <100, 100-129 (ref), 130-159, 160-189, >=190
HDL_CUTS = (35.0, 45.0, 50.0, 60.0)  # <35, 35-44, 45-49, 50-59, >=60
SBP_CUTS = (120.0, 130.0, 140.0, 160.0)  # optimal, normal, high normal, stage I, stage II-IV
DBP_CUTS = (80.0, 85.0, 90.0, 100.0)


@dataclass(frozen=True)
class Equation:
    """One published Framingham equation.

    Attributes
    ----------
    name : str
        The ``model`` name of :class:`~riskml.models.FraminghamScore`.
    title : str
        One line naming the paper and the form.
    outcome : str
        The predicted event (10-year risk).
    population : str
        The derivation cohort.
    age_range : tuple of float
        The ages the equation was derived on (or is stated for).
    inputs : tuple of str
        The inputs it reads, in the order of :data:`INPUT_UNITS`.
    terms : tuple of str
        The columns of ``FraminghamScore.contributions``.
    coefficients : dict
        ``{"M": {...}, "F": {...}}``: betas, ``s0`` (10-year baseline survival)
        and ``mean`` (the centering constant; for ATP III, minus the published
        intercept).
    citation : str
    sources : str
        Public sources whose coefficient values agree with the table.

    Examples
    --------
    >>> from riskml.models.scores import EQUATIONS
    >>> equation = EQUATIONS["dagostino2008_lipid"]
    >>> equation.age_range, equation.inputs  # doctest: +NORMALIZE_WHITESPACE
    ((30.0, 74.0), ('sex', 'age', 'total_chol', 'hdl', 'sbp', 'bp_treated', 'smoker',
     'diabetes'))
    """

    name: str
    title: str
    outcome: str
    population: str
    age_range: tuple[float, float]
    inputs: tuple[str, ...]
    terms: tuple[str, ...]
    coefficients: Mapping[str, Mapping]
    citation: str
    sources: str
    compute: Callable = field(repr=False, compare=False)

    def contributions(self, values: pd.DataFrame) -> pd.DataFrame:
        """Per-factor terms ``beta * x`` (one column per term, zero where unused).

        ``values`` holds the inputs as floats, ``sex`` coded 1 = male, 0 = female.
        """
        terms = self._terms(values)
        return pd.DataFrame({t: terms[t] for t in self.terms}, index=values.index)

    def _terms(self, values: pd.DataFrame) -> dict:
        """Each term's ``beta * x`` with the sex-specific coefficients."""
        male = values["sex"].to_numpy() == 1.0

        def beta(term):
            return np.where(male, self.coefficients["M"][term], self.coefficients["F"][term])

        def category_beta(term, category):
            m = np.asarray(self.coefficients["M"][term], dtype=float)
            f = np.asarray(self.coefficients["F"][term], dtype=float)
            return np.where(male, m[category], f[category])

        return self.compute(values, beta, category_beta)

    def linear_predictor(self, values: pd.DataFrame) -> np.ndarray:
        """The row sums of :meth:`contributions` (term by term, in order), without
        building the frame."""
        terms = self._terms(values)
        total = np.zeros(len(values))
        for term in self.terms:
            total = total + np.broadcast_to(np.asarray(terms[term], dtype=float), total.shape)
        return total

    def constants(self, sex: str) -> tuple[float, float]:
        """``(s0, mean)`` of one sex."""
        table = self.coefficients[sex]
        return float(table["s0"]), float(table["mean"])


def _ln(values: pd.DataFrame, name: str) -> np.ndarray:
    return np.log(values[name].to_numpy())


def _flag(values: pd.DataFrame, name: str) -> np.ndarray:
    return values[name].to_numpy()


def _dagostino_terms(*log_inputs: str) -> Callable:
    """ln inputs, ln SBP with the treated or untreated slope, smoking, diabetes."""

    def compute(values, beta, category_beta):
        out = {name: beta(name) * _ln(values, name) for name in log_inputs}
        treated = _flag(values, "bp_treated") == 1.0
        slope = np.where(treated, beta("sbp_treated"), beta("sbp_untreated"))
        out["sbp"] = slope * _ln(values, "sbp")
        out["smoker"] = beta("smoker") * _flag(values, "smoker")
        out["diabetes"] = beta("diabetes") * _flag(values, "diabetes")
        return out

    return compute


def _atp3_terms(values, beta, category_beta):
    ln_age = _ln(values, "age")
    ln_tc = _ln(values, "total_chol")
    smoker = _flag(values, "smoker")
    # the age x smoking term uses age capped at 70 (men) / 78 (women)
    ln_age_capped = np.log(np.minimum(values["age"].to_numpy(), beta("smoker_age_cap")))
    return {
        "age": beta("age") * ln_age,
        "age_squared": beta("age_squared") * ln_age * ln_age,
        "total_chol": beta("total_chol") * ln_tc,
        "hdl": beta("hdl") * _ln(values, "hdl"),
        "sbp": beta("sbp") * _ln(values, "sbp"),
        "bp_treated": beta("bp_treated") * _flag(values, "bp_treated"),
        "smoker": beta("smoker") * smoker,
        "age_x_total_chol": beta("age_x_total_chol") * ln_age * ln_tc,
        "age_x_smoker": beta("age_x_smoker") * ln_age_capped * smoker,
    }


def bp_category(sbp, dbp) -> np.ndarray:
    """JNC-V category 0-4 (optimal ... stage II-IV): the higher of the SBP and DBP ones."""
    sbp_cat = np.searchsorted(SBP_CUTS, np.asarray(sbp, dtype=float), side="right")
    dbp_cat = np.searchsorted(DBP_CUTS, np.asarray(dbp, dtype=float), side="right")
    return np.maximum(sbp_cat, dbp_cat)


def _wilson_terms(cholesterol: str, cuts: tuple[float, ...]) -> Callable:
    def compute(values, beta, category_beta):
        age = values["age"].to_numpy()
        chol = np.searchsorted(cuts, values[cholesterol].to_numpy(), side="right")
        hdl = np.searchsorted(HDL_CUTS, values["hdl"].to_numpy(), side="right")
        bp = bp_category(values["sbp"].to_numpy(), values["dbp"].to_numpy())
        return {
            "age": beta("age") * age,
            "age_squared": beta("age_squared") * age * age,
            cholesterol: category_beta(cholesterol, chol),
            "hdl": category_beta("hdl", hdl),
            "bp": category_beta("bp", bp),
            "diabetes": beta("diabetes") * _flag(values, "diabetes"),
            "smoker": beta("smoker") * _flag(values, "smoker"),
        }

    return compute


_DAGOSTINO_CITATION = (
    "D'Agostino RB Sr, Vasan RS, Pencina MJ, Wolf PA, Cobain M, Massaro JM, Kannel WB. "
    "General cardiovascular risk profile for use in primary care: the Framingham Heart "
    "Study. Circulation. 2008;117(6):743-753. doi:10.1161/CIRCULATIONAHA.107.699579"
)
_DAGOSTINO_OUTCOME = (
    "first cardiovascular event: coronary death, myocardial infarction, coronary "
    "insufficiency, angina, ischaemic or haemorrhagic stroke, transient ischaemic attack, "
    "peripheral artery disease or heart failure"
)
_DAGOSTINO_POPULATION = (
    "8491 Framingham Heart Study participants (Original and Offspring cohorts) aged 30-74 "
    "without cardiovascular disease, followed up to 12 years"
)
_WILSON_CITATION = (
    "Wilson PW, D'Agostino RB, Levy D, Belanger AM, Silbershatz H, Kannel WB. Prediction "
    "of coronary heart disease using risk factor categories. Circulation. "
    "1998;97(18):1837-1847. doi:10.1161/01.CIR.97.18.1837"
)
_WILSON_OUTCOME = (
    "total coronary heart disease: angina pectoris, myocardial infarction (recognised or "
    "unrecognised), coronary insufficiency or coronary death"
)
_WILSON_POPULATION = (
    "2489 men and 2856 women of the Framingham Heart Study (Original and Offspring "
    "cohorts) aged 30-74 without coronary heart disease, 12-year follow-up"
)

EQUATIONS: dict[str, Equation] = {}


def _register(equation: Equation) -> None:
    EQUATIONS[equation.name] = equation


_register(
    Equation(
        name="dagostino2008_lipid",
        title="D'Agostino 2008 general cardiovascular risk, laboratory (lipid) form",
        outcome=_DAGOSTINO_OUTCOME,
        population=_DAGOSTINO_POPULATION,
        age_range=(30.0, 74.0),
        inputs=("sex", "age", "total_chol", "hdl", "sbp", "bp_treated", "smoker", "diabetes"),
        terms=("age", "total_chol", "hdl", "sbp", "smoker", "diabetes"),
        coefficients={
            "M": {
                "age": 3.06117,
                "total_chol": 1.12370,
                "hdl": -0.93263,
                "sbp_untreated": 1.93303,
                "sbp_treated": 1.99881,
                "smoker": 0.65451,
                "diabetes": 0.57367,
                "s0": 0.88936,
                "mean": 23.9802,
            },
            "F": {
                "age": 2.32888,
                "total_chol": 1.20904,
                "hdl": -0.70833,
                "sbp_untreated": 2.76157,
                "sbp_treated": 2.82263,
                "smoker": 0.52873,
                "diabetes": 0.69154,
                "s0": 0.95012,
                "mean": 26.1931,
            },
        },
        citation=_DAGOSTINO_CITATION + " (Table 2; Framingham Heart Study 'Primary Model').",
        sources=(
            "Framingham Heart Study risk-function page (primary model); JAHA 2015;4:e001758 "
            "Table 1; vcastro/CVrisk data-raw/score_coef.R (frs_coef)"
        ),
        compute=_dagostino_terms("age", "total_chol", "hdl"),
    )
)

_register(
    Equation(
        name="dagostino2008_bmi",
        title="D'Agostino 2008 general cardiovascular risk, non-laboratory (BMI) form",
        outcome=_DAGOSTINO_OUTCOME,
        population=_DAGOSTINO_POPULATION,
        age_range=(30.0, 74.0),
        inputs=("sex", "age", "sbp", "bmi", "bp_treated", "smoker", "diabetes"),
        terms=("age", "bmi", "sbp", "smoker", "diabetes"),
        coefficients={
            "M": {
                "age": 3.11296,
                "bmi": 0.79277,
                "sbp_untreated": 1.85508,
                "sbp_treated": 1.92672,
                "smoker": 0.70953,
                "diabetes": 0.53160,
                "s0": 0.88431,
                "mean": 23.9388,
            },
            "F": {
                "age": 2.72107,
                "bmi": 0.51125,
                "sbp_untreated": 2.81291,
                "sbp_treated": 2.88267,
                "smoker": 0.61868,
                "diabetes": 0.77763,
                "s0": 0.94833,
                "mean": 26.0145,
            },
        },
        citation=_DAGOSTINO_CITATION + " (office-based model: BMI replaces the lipids).",
        sources=(
            "vcastro/CVrisk data-raw/score_coef.R (frs_simple_coef); fonnesbeck/framingham_risk "
            "frs/frs.py"
        ),
        compute=_dagostino_terms("age", "bmi"),
    )
)

_register(
    Equation(
        name="atp3_hard_chd",
        title="ATP III (NCEP 2001) Framingham 10-year hard CHD equation",
        outcome="hard coronary heart disease: myocardial infarction or coronary death",
        population=(
            "Framingham Heart Study participants free of coronary heart disease; NCEP ATP III "
            "states the risk assessment for adults aged 20-79"
        ),
        age_range=(20.0, 79.0),
        inputs=("sex", "age", "total_chol", "hdl", "sbp", "bp_treated", "smoker"),
        terms=(
            "age",
            "age_squared",
            "total_chol",
            "hdl",
            "sbp",
            "bp_treated",
            "smoker",
            "age_x_total_chol",
            "age_x_smoker",
        ),
        coefficients={
            "M": {
                "age": 52.00961,
                "age_squared": -2.93323,
                "total_chol": 20.014077,
                "hdl": -0.905964,
                "sbp": 1.305784,
                "bp_treated": 0.241549,
                "smoker": 12.096316,
                "age_x_total_chol": -4.605038,
                "age_x_smoker": -2.84367,
                "smoker_age_cap": 70.0,
                "s0": 0.9402,
                "mean": 172.300168,
            },
            "F": {
                "age": 31.764001,
                "age_squared": 0.0,
                "total_chol": 22.465206,
                "hdl": -1.187731,
                "sbp": 2.552905,
                "bp_treated": 0.420251,
                "smoker": 13.07543,
                "age_x_total_chol": -5.060998,
                "age_x_smoker": -2.996945,
                "smoker_age_cap": 78.0,
                "s0": 0.98767,
                "mean": 146.5933061,
            },
        },
        citation=(
            "Expert Panel on Detection, Evaluation, and Treatment of High Blood Cholesterol in "
            "Adults. Executive summary of the Third Report of the National Cholesterol "
            "Education Program (NCEP) Adult Treatment Panel III. JAMA. "
            "2001;285(19):2486-2497. doi:10.1001/jama.285.19.2486 (continuous equation as "
            "published by the Framingham Heart Study, 'Hard Coronary Heart Disease (10-year "
            "risk)')."
        ),
        sources=(
            "Framingham Heart Study hard-CHD risk-function page; ncbi-nlp/MedCalc-Bench "
            "calculator_implementations/framingham_risk_score.py (70/78 cap on the age x "
            "smoking term)"
        ),
        compute=_atp3_terms,
    )
)

_register(
    Equation(
        name="wilson1998_tc",
        title="Wilson 1998 coronary heart disease, total-cholesterol categories",
        outcome=_WILSON_OUTCOME,
        population=_WILSON_POPULATION,
        age_range=(30.0, 74.0),
        inputs=("sex", "age", "total_chol", "hdl", "sbp", "dbp", "smoker", "diabetes"),
        terms=("age", "age_squared", "total_chol", "hdl", "bp", "diabetes", "smoker"),
        coefficients={
            "M": {
                "age": 0.04826,
                "age_squared": 0.0,
                "total_chol": (-0.65945, 0.0, 0.17692, 0.50539, 0.65713),
                "hdl": (0.49744, 0.24310, 0.0, -0.05107, -0.48660),
                "bp": (-0.00226, 0.0, 0.28320, 0.52168, 0.61859),
                "diabetes": 0.42839,
                "smoker": 0.52337,
                "s0": 0.90015,
                "mean": 3.0975,
            },
            "F": {
                "age": 0.33766,
                "age_squared": -0.00268,
                "total_chol": (-0.26138, 0.0, 0.20771, 0.24385, 0.53513),
                "hdl": (0.84312, 0.37796, 0.19785, 0.0, -0.42951),
                "bp": (-0.53363, 0.0, -0.06773, 0.26288, 0.46573),
                "diabetes": 0.59626,
                "smoker": 0.29246,
                "s0": 0.96246,
                "mean": 9.92545,
            },
        },
        citation=_WILSON_CITATION + " (total-cholesterol model).",
        sources=(
            "DGruen89/estimateCVRisk data-raw/ascvd_frs_chd_coefficients.csv; doirisks/dori "
            "models/10.1161:01.CIR.97.18.1837/model_a.py"
        ),
        compute=_wilson_terms("total_chol", TC_CUTS),
    )
)

_register(
    Equation(
        name="wilson1998_ldl",
        title="Wilson 1998 coronary heart disease, LDL-cholesterol categories",
        outcome=_WILSON_OUTCOME,
        population=_WILSON_POPULATION,
        age_range=(30.0, 74.0),
        inputs=("sex", "age", "hdl", "ldl", "sbp", "dbp", "smoker", "diabetes"),
        terms=("age", "age_squared", "ldl", "hdl", "bp", "diabetes", "smoker"),
        coefficients={
            "M": {
                "age": 0.04808,
                "age_squared": 0.0,
                "ldl": (-0.69281, 0.0, 0.00389, 0.26755, 0.56705),
                "hdl": (0.48598, 0.21643, 0.0, -0.04710, -0.34190),
                "bp": (-0.02642, 0.0, 0.30104, 0.55714, 0.65107),
                "diabetes": 0.42146,
                "smoker": 0.54377,
                "s0": 0.90017,
                "mean": 3.00069,
            },
            "F": {
                "age": 0.33994,
                "age_squared": -0.00270,
                "ldl": (-0.42616, 0.0, 0.01366, 0.26948, 0.33251),
                "hdl": (0.88121, 0.36312, 0.19247, 0.0, -0.35404),
                "bp": (-0.51204, 0.0, -0.03484, 0.28533, 0.50403),
                "diabetes": 0.61313,
                "smoker": 0.29737,
                "s0": 0.96280,
                "mean": 9.914136,
            },
        },
        citation=_WILSON_CITATION + " (LDL-cholesterol model).",
        sources=(
            "DGruen89/estimateCVRisk data-raw/ascvd_frs_chd_coefficients.csv; doirisks/dori "
            "models/10.1161:01.CIR.97.18.1837/model_b.py"
        ),
        compute=_wilson_terms("ldl", LDL_CUTS),
    )
)
