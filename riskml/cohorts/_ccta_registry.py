"""A synthetic coronary CT angiography registry (CONFIRM-like, Motwani et al. 2017 design).

:func:`make_ccta_registry` simulates patients with suspected coronary artery
disease who underwent CCTA: 25 clinical and 44 CCTA parameters following the
variable list of Motwani et al. (2017), and all-cause death over five years,
with the generating model's true risk kept as ``cohort.true_risk``.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from scipy.special import expit

from ..outcome import Outcome
from ..utils.validation import check_random_state
from ._cohort import Cohort

__all__ = ["make_ccta_registry"]

HORIZON_DAYS = 1826.0  # five years
# The 16 coronary segments of the modified AHA model used by CONFIRM (Min et al. 2011),
# with their vessel and a baseline log-odds of plaque (proximal segments more often diseased).
SEGMENTS = {
    "prca": ("rca", -0.2),
    "mrca": ("rca", -0.4),
    "drca": ("rca", -1.2),
    "rpda": ("rca", -1.8),
    "lm": ("lm", -1.3),
    "plad": ("lad", 0.1),
    "mlad": ("lad", -0.3),
    "dlad": ("lad", -1.5),
    "d1": ("lad", -1.2),
    "d2": ("lad", -2.2),
    "plcx": ("lcx", -0.7),
    "om1": ("lcx", -1.3),
    "mlcx": ("lcx", -1.2),
    "om2": ("lcx", -2.0),
    "lpda": ("lcx", -2.6),
    "rplb": ("rca", -2.2),
}
COMPOSITIONS = np.array(["none", "noncalcified", "mixed", "calcified"])
# Weibull proportional hazards of all-cause death: h(t) = RATE * SHAPE * t**(SHAPE - 1) * exp(lp).
# RATE was solved on simulated patients (n = 200,000, seed 1; Brent's method) for 7.4% observed
# deaths within five years (745 of 10,030 in CONFIRM); the effects give the true risk an AUC
# of 0.78 at five years, the segment stenosis score 0.64 and the Framingham score 0.64.
WEIBULL_SHAPE, WEIBULL_RATE = 1.15, 9.13e-6
LOST_TO_FOLLOWUP = 0.10  # share censored uniformly before five years


def _segment_vessel_max(grades: np.ndarray, vessel: str) -> np.ndarray:
    columns = [i for i, (v, _) in enumerate(SEGMENTS.values()) if v == vessel]
    return grades[:, columns].max(axis=1)


def _duke_index(grades: np.ndarray) -> np.ndarray:
    """Modified Duke CAD index, 0-6, from per-segment stenosis grades (0-4).

    A simplified form of Min et al. (2007): 0 no plaque; 1 plaque with every stenosis
    below 50%; 2 at least one stenosis of 50-69%; 3 one vessel with a stenosis of 70%
    or more; 4 two such vessels, or one with proximal LAD involvement; 5 three such
    vessels, or two with proximal LAD involvement; 6 left main stenosis of 50% or more.
    """
    severe = np.column_stack(
        [_segment_vessel_max(grades, v) >= 3 for v in ("lad", "lcx", "rca")]
    ).sum(axis=1)
    plad = grades[:, list(SEGMENTS).index("plad")] >= 3
    index = np.where(grades.max(axis=1) >= 1, 1, 0)
    index = np.where(grades.max(axis=1) >= 2, 2, index)
    index = np.where(severe >= 1, 3, index)
    index = np.where((severe >= 2) | ((severe >= 1) & plad), 4, index)
    index = np.where((severe >= 3) | ((severe >= 2) & plad), 5, index)
    return np.where(_segment_vessel_max(grades, "lm") >= 2, 6, index)


def _simulate(n: int, rng: np.random.Generator):
    """Clinical and CCTA columns, then death; the steps draw from ``rng`` in this order."""
    data, age_z, male, smoking, frailty = _clinical(rng, n)
    grades, composition = _plaque(rng, n, data, age_z, male, smoking)
    _ccta_summary(rng, n, data, grades, composition)
    features = pd.DataFrame(data)
    time, event, true_risk, lp = _death(rng, n, data, age_z, smoking, frailty)
    return features, time, event, true_risk, lp


def _clinical(rng, n: int):
    """The 25 clinical columns from latent age, metabolic and frailty scores."""
    age_z = rng.normal(size=n)
    age = np.clip(np.round(57.5 + 12.0 * age_z), 18, 90)
    male = rng.random(n) < 0.56
    metabolic, frailty = rng.normal(size=(2, n))
    data = {"age": age, "sex": np.where(male, "M", "F")}
    data["bmi"] = np.round(np.clip(27.5 + 3.0 * metabolic + rng.normal(0, 4.0, n), 15, 60), 1)
    data["hypertension"] = (rng.random(n) < expit(-0.1 + 0.6 * age_z + 0.6 * metabolic)).astype(int)
    data["diabetes"] = (rng.random(n) < expit(-1.8 + 0.3 * age_z + 0.8 * metabolic)).astype(int)
    data["dyslipidemia"] = (rng.random(n) < expit(0.0 + 0.2 * age_z + 0.5 * metabolic)).astype(int)
    smoking = rng.choice(3, size=n, p=[0.60, 0.22, 0.18])
    data["smoking_status"] = np.array(["never", "former", "current"])[smoking]
    data["family_history_cad"] = (rng.random(n) < 0.33).astype(int)
    data["total_chol"] = np.round(np.clip(195 + 10 * metabolic + rng.normal(0, 38, n), 100, 400))
    data["hdl"] = np.round(np.clip(52 - 6 * metabolic - 7 * male + rng.normal(0, 12, n), 20, 110))
    data["ldl"] = np.round(
        np.clip(data["total_chol"] - data["hdl"] - 30 + rng.normal(0, 12, n), 30, 300)
    )
    data["triglycerides"] = np.round(
        np.clip(np.exp(np.log(130) + 0.25 * metabolic + rng.normal(0, 0.4, n)), 30, 1500)
    )
    data["sbp"] = np.round(np.clip(133 + 6 * age_z + 5 * metabolic + rng.normal(0, 16, n), 85, 230))
    data["dbp"] = np.round(np.clip(0.45 * data["sbp"] + 19 + rng.normal(0, 8, n), 45, 130))
    data["dbp"] = np.minimum(data["dbp"], data["sbp"] - 15)
    data["bp_treated"] = (data["hypertension"] & (rng.random(n) < 0.8)).astype(int)
    data["statin"] = (rng.random(n) < expit(-1.2 + 1.4 * data["dyslipidemia"])).astype(int)
    data["aspirin"] = (rng.random(n) < expit(-0.8 + 0.4 * age_z)).astype(int)
    data["beta_blocker"] = (rng.random(n) < expit(-1.4 + 0.8 * data["hypertension"])).astype(int)
    data["chest_pain"] = np.array(["typical", "atypical", "noncardiac", "none"])[
        rng.choice(4, size=n, p=[0.20, 0.40, 0.15, 0.25])
    ]
    data["dyspnea"] = (rng.random(n) < expit(-1.6 + 0.6 * frailty)).astype(int)
    data["peripheral_vascular_disease"] = (rng.random(n) < expit(-3.4 + 0.6 * age_z)).astype(int)
    data["cerebrovascular_disease"] = (rng.random(n) < expit(-3.4 + 0.6 * age_z)).astype(int)
    data["egfr"] = np.round(
        np.clip(88 - 9 * age_z - 4 * metabolic - 5 * frailty + rng.normal(0, 14, n), 5, 150)
    )
    data["heart_rate"] = np.round(np.clip(68 + 3 * frailty + rng.normal(0, 10, n), 40, 130))
    data["atrial_fibrillation"] = (rng.random(n) < expit(-3.3 + 0.8 * age_z)).astype(int)
    return data, age_z, male, smoking, frailty


def _plaque(rng, n: int, data: dict, age_z, male, smoking):
    """Per-segment stenosis grades and plaque compositions (the atherosclerotic burden drives
    plaque in every segment), added as ``stenosis_*`` and ``plaque_*`` columns."""
    burden = (
        0.3 * age_z
        + 0.3 * male
        + 0.25 * data["diabetes"]
        + 0.2 * (smoking == 2)
        + 0.2 * data["hypertension"]
        + 0.2 * data["dyslipidemia"]
        + 0.15 * data["family_history_cad"]
        + 0.3 * (data["chest_pain"] == "typical")
        + rng.normal(0, 1.2, n)
    )
    grades = np.zeros((n, len(SEGMENTS)), dtype=int)
    composition = np.zeros((n, len(SEGMENTS)), dtype=int)
    calcified_logit = 0.6 * age_z - 0.5 * (smoking == 2)
    for j, (_, base) in enumerate(SEGMENTS.values()):
        plaque = rng.random(n) < expit(base - 0.6 + 1.1 * burden)
        # Stenosis grade given plaque: 1 (1-49%), 2 (50-69%), 3 (70-99%), 4 (occluded).
        severity = 0.8 * burden + rng.logistic(size=n)
        grade = 1 + (severity > 1.7) + (severity > 2.7) + (severity > 4.2)
        grades[:, j] = np.where(plaque, grade, 0)
        kind = rng.random(n)
        p_calcified = expit(0.2 + calcified_logit)
        p_noncalcified = (1 - p_calcified) * 0.45
        composition[:, j] = np.where(
            ~plaque,
            0,
            np.where(kind < p_calcified, 3, np.where(kind < p_calcified + p_noncalcified, 1, 2)),
        )
    for j, segment in enumerate(SEGMENTS):
        data[f"stenosis_{segment}"] = grades[:, j]
    for j, segment in enumerate(SEGMENTS):
        data[f"plaque_{segment}"] = COMPOSITIONS[composition[:, j]]
    return grades, composition


def _ccta_summary(rng, n: int, data: dict, grades, composition) -> None:
    """The CCTA summary scores (SSS, SIS, Duke index, vessel counts, calcium score, ...)."""
    # SSS: each segment scored 0 (none), 1 (<50%), 2 (50-69%), 3 (>=70%): 0-48 (Min 2007).
    data["segment_stenosis_score"] = np.minimum(grades, 3).sum(axis=1)
    data["segment_involvement_score"] = (grades > 0).sum(axis=1)
    data["modified_duke_index"] = _duke_index(grades)
    vessel_max = np.column_stack([_segment_vessel_max(grades, v) for v in ("lad", "lcx", "rca")])
    data["n_vessels_50"] = (vessel_max >= 2).sum(axis=1)
    data["n_vessels_70"] = (vessel_max >= 3).sum(axis=1)
    data["left_main_50"] = (grades[:, list(SEGMENTS).index("lm")] >= 2).astype(int)
    data["proximal_lad_70"] = (grades[:, list(SEGMENTS).index("plad")] >= 3).astype(int)
    data["n_noncalcified_segments"] = (composition == 1).sum(axis=1)
    data["n_mixed_segments"] = (composition == 2).sum(axis=1)
    data["n_calcified_segments"] = (composition == 3).sum(axis=1)
    calcified = (composition >= 2).sum(axis=1)
    data["cac_score"] = np.round(
        np.where(calcified > 0, np.exp(3.2 + 0.35 * calcified + rng.normal(0, 0.9, n)), 0.0)
    )
    data["obstructive_cad"] = (grades.max(axis=1) >= 2).astype(int)


def _death(rng, n: int, data: dict, age_z, smoking, frailty):
    """All-cause death: age and comorbidity, plus plaque burden, composition and left main."""
    lp = (
        0.3 * age_z
        + 0.45 * data["diabetes"]
        + 0.55 * (smoking == 2)
        + 0.04 * (75 - np.minimum(data["egfr"], 75))
        + 0.7 * data["dyspnea"]
        + 0.7 * data["peripheral_vascular_disease"]
        + 0.6 * data["cerebrovascular_disease"]
        + 0.7 * data["atrial_fibrillation"]
        + 0.02 * (data["heart_rate"] - 68)
        + 0.5 * (data["bmi"] < 20)
        + 0.35 * frailty
        + 0.06 * np.sqrt(data["segment_stenosis_score"])
        + 0.06 * data["n_noncalcified_segments"]
        + 0.05 * data["n_mixed_segments"]
        + 0.35 * data["left_main_50"]
        + 0.15 * data["n_vessels_70"]
    )
    lp = lp - np.mean(lp)
    cumulative = WEIBULL_RATE * np.exp(lp)
    true_risk = 1.0 - np.exp(-cumulative * HORIZON_DAYS**WEIBULL_SHAPE)
    death = (-np.log(rng.random(n)) / cumulative) ** (1.0 / WEIBULL_SHAPE)
    lost = rng.random(n) < LOST_TO_FOLLOWUP
    followup = np.where(lost, rng.uniform(30, HORIZON_DAYS, n), rng.uniform(HORIZON_DAYS, 2400, n))
    time = np.round(np.maximum(np.minimum(death, followup), 1.0))
    event = death <= followup
    return time, event, true_risk, lp


def _metadata(features: pd.DataFrame) -> pd.DataFrame:
    rows = {}
    for column in features.columns:
        ccta = column.startswith(("stenosis_", "plaque_")) or column in CCTA_SUMMARY
        kind = "cat" if features[column].dtype == object else "float"
        if set(np.unique(features[column])) <= {0, 1} and kind == "float":
            kind = "bool"
        detail = DESCRIPTIONS.get(column, "")
        rows[column] = {
            "type": kind,
            "role": "predictor",
            "description": ("CCTA" if ccta else "clinical") + (f": {detail}" if detail else ""),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


CCTA_SUMMARY = (
    "segment_stenosis_score",
    "segment_involvement_score",
    "modified_duke_index",
    "n_vessels_50",
    "n_vessels_70",
    "left_main_50",
    "proximal_lad_70",
    "n_noncalcified_segments",
    "n_mixed_segments",
    "n_calcified_segments",
    "cac_score",
    "obstructive_cad",
)
DESCRIPTIONS = {
    "segment_stenosis_score": "SSS: sum of per-segment stenosis scores 0-3 over 16 segments",
    "segment_involvement_score": "SIS: number of segments with plaque",
    "modified_duke_index": "modified Duke CAD index 0-6 (simplified from Min et al. 2007)",
    "n_vessels_50": "vessels (LAD, LCx, RCA) with a stenosis of 50% or more",
    "n_vessels_70": "vessels with a stenosis of 70% or more",
    "left_main_50": "left main stenosis of 50% or more",
    "proximal_lad_70": "proximal LAD stenosis of 70% or more",
    "cac_score": "coronary artery calcium (Agatston units)",
    "obstructive_cad": "any stenosis of 50% or more",
}
for _segment in SEGMENTS:
    DESCRIPTIONS[f"stenosis_{_segment}"] = (
        f"segment {_segment}: 0 none, 1 <50%, 2 50-69%, 3 70-99%, 4 occluded"
    )
    DESCRIPTIONS[f"plaque_{_segment}"] = f"segment {_segment}: plaque composition"


def make_ccta_registry(n_patients=10030, *, random_state=0):
    """A synthetic CCTA registry cohort (CONFIRM-like; Motwani et al. 2017 design).

    Parameters
    ----------
    n_patients : int, default=10030
        Number of patients (Motwani et al. had 10,030).
    random_state : int, numpy.random.Generator or None, default=0
        Seed; the same seed gives the same cohort.

    Returns
    -------
    cohort : Cohort
        Time to all-cause death (days) with ``horizon`` = 1826 (five years).
        ``cohort.predictors`` are 25 clinical parameters (age, sex, BMI, risk
        factors, lipids, blood pressure, medication, symptoms, comorbidity, eGFR,
        heart rate) and 44 CCTA parameters: the stenosis grade (0-4) and plaque
        composition (none, non-calcified, mixed, calcified) of each of the 16
        coronary segments, the segment stenosis score (SSS), segment involvement
        score (SIS), modified Duke index, vessel counts, left main and proximal LAD
        flags, counts of segments by plaque composition, the calcium score and
        obstructive CAD. ``cohort.metadata["description"]`` starts with
        ``"clinical"`` or ``"CCTA"``. ``cohort.framingham_inputs`` maps the clinical columns onto the
        Framingham scores' inputs. ``cohort.true_risk`` is the true probability
        of death within five years and ``cohort.true_linear_predictor`` the log
        relative hazard of the simulation.

    Notes
    -----
    Five latent quantities (age, a metabolic factor, frailty, sex, and an
    atherosclerotic burden driven by the risk factors) correlate the columns.
    Plaque in each segment is more likely with the burden and in proximal
    segments; its stenosis grade rises with the burden; calcified plaque is more
    frequent with age. Death follows a Weibull proportional-hazards model
    (shape 1.15) of age, diabetes, current smoking, low eGFR, dyspnoea, heart rate, vascular
    disease, atrial fibrillation, low BMI, frailty and the CCTA findings
    (stenosis score, non-calcified and mixed plaque, left main and multivessel
    disease), scaled for about 7.4% deaths within five years (CONFIRM: 745 of
    10,030); 10% of patients are lost to follow-up uniformly before five years,
    the others are censored between five and 6.6 years. The variable list follows
    the published one; every distribution and effect size is an assumption.

    References
    ----------
    Motwani M, Dey D, Berman DS, et al. Machine learning for prediction of
    all-cause mortality in patients with suspected coronary artery disease: a
    5-year multicentre prospective registry analysis. Eur Heart J.
    2017;38(7):500-507.

    Min JK, Shaw LJ, Devereux RB, et al. Prognostic value of multidetector coronary
    computed tomographic angiography for prediction of all-cause mortality. J Am
    Coll Cardiol. 2007;50(12):1161-1170.

    Examples
    --------
    >>> from riskml.cohorts import make_ccta_registry
    >>> cohort = make_ccta_registry(2000, random_state=0)
    >>> len(cohort), len(cohort.predictors)
    (2000, 69)
    """
    if (
        isinstance(n_patients, bool)
        or not isinstance(n_patients, numbers.Integral)
        or n_patients < 1
    ):
        raise ValueError(
            "The 'n_patients' parameter of make_ccta_registry must be an int in the range "
            f"[1, inf). Got {n_patients!r} instead."
        )
    rng = check_random_state(random_state, "make_ccta_registry")
    features, time, event, true_risk, lp = _simulate(int(n_patients), rng)
    cohort = Cohort(
        features,
        Outcome.survival(time, event),
        _metadata(features),
        ids=np.arange(1, n_patients + 1),
        name="ccta_registry_synthetic",
        source=(
            f"synthetic: riskml.cohorts.make_ccta_registry(n_patients={n_patients}, "
            f"random_state={random_state!r}), after Motwani et al. 2017 (CONFIRM)"
        ),
        horizon=HORIZON_DAYS,
        framingham_inputs={"smoker": {"column": "smoking_status", "equals": "current"}},
    )
    cohort.true_risk = true_risk
    cohort.true_linear_predictor = lp
    return cohort
