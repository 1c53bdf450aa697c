"""A synthetic young-hypertension cohort that follows the ``young_htn`` schema.

The generator draws the 58 candidate predictors of the ``young_htn`` schema
(Wu et al. 2020 design) from the distributions of the schema's design note, in
riskml's canonical units, correlated through a Gaussian copula with five latent
factors (blood pressure, metabolic, renal, age, lipids). Derived columns
(eGFR, LV mass index, pulse pressure, aldosterone-renin ratio, nocturnal dip,
LVH, the Framingham risk) are computed, never sampled. The outcome is the time
to a first composite cardiovascular event from a Weibull proportional-hazards
model with independent uniform censoring; its true risk at the 1004-day horizon
is kept, out of the features, as ``cohort.true_risk``.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..outcome import horizon_label
from ..utils.deprecation import renamed_keyword
from ..utils.validation import check_random_state
from ._generators import with_missing
from ._schema import cohort_from_frame, load_schema

__all__ = ["make_young_hypertension"]

HORIZON_DAYS = 1004.0
# Weibull proportional hazards, S(t | x) = exp(-LAMBDA * t**SHAPE * exp(SCALE * lp)).
# SCALE and LAMBDA were solved on 200,000 simulated patients for an oracle Harrell C
# of 0.78 and 7% observed events under uniform(180, 2200)-day censoring.
WEIBULL_SHAPE = 1.1
HAZARD_SCALE = 0.605
BASELINE_RATE = 1.82e-5
CENSOR_DAYS = (180.0, 2200.0)

FACTORS = ("bp", "metab", "renal", "age", "lipid")

# name: (distribution, parameters, loadings on FACTORS, decimals, (low, high) truncation)
# "normal": (mean, sd); "lognormal": (median, q1, q3). Truncation lies inside the
# schema's soft range, so that a default synthetic cohort validates without warnings.
CONTINUOUS = {
    "age": ("normal", (30.8, 6.2), (0, 0, 0, 1.0, 0), 1, (18, 40)),
    "bmi": ("normal", (27.0, 4.2), (0.1, 0.6, 0, 0.1, 0), 1, (17, 44)),
    "htn_duration_years": ("lognormal", (2.0, 0.5, 5.0), (0.2, 0, 0, 0.5, 0), 1, (0.1, 22)),
    "max_sbp_history": ("normal", (175, 22), (0.7, 0.1, 0, 0, 0), 0, (130, 260)),
    "office_sbp": ("normal", (145, 18), (0.75, 0.15, 0, 0.05, 0), 0, (100, 220)),
    "office_dbp": ("normal", (97, 13), (0.6, 0.15, 0, -0.2, 0), 0, (60, 140)),
    "office_hr": ("normal", (80, 11), (0.2, 0.2, 0, -0.1, 0), 0, (50, 125)),
    "abpm_day_sbp": ("normal", (142, 15), (0.8, 0.1, 0, 0, 0), 0, (105, 205)),
    "abpm_day_dbp": ("normal", (94, 11), (0.65, 0.1, 0, -0.2, 0), 0, (62, 135)),
    "abpm_24h_hr": ("normal", (78, 9), (0.2, 0.2, 0, -0.1, 0), 0, (50, 115)),
    "fasting_glucose": ("lognormal", (93.6, 86.4, 104.4), (0, 0.5, 0, 0.1, 0), 0, (65, 300)),
    "hba1c": ("normal", (5.5, 0.45), (0, 0.55, 0, 0.1, 0), 1, (4.2, 7.5)),
    "total_chol": ("normal", (185.6, 34.8), (0, 0.25, 0, 0.15, 0.85), 1, (100, 380)),
    "ldl": ("normal", (116.0, 30.9), (0, 0.15, 0, 0.1, 0.85), 1, (30, 290)),
    "hdl": ("normal", (40.6, 9.7), (0, -0.45, 0, 0, 0), 1, (20, 100)),
    "triglycerides": ("lognormal", (150.6, 97.4, 221.4), (0, 0.55, 0, 0.05, 0.2), 1, (30, 1000)),
    "uric_acid": ("normal", (7.0, 1.5), (0.1, 0.5, 0.3, 0, 0), 2, (2.0, 13.5)),
    "creatinine": ("lognormal", (0.88, 0.75, 1.04), (0.1, 0, 0.7, 0, 0), 2, (0.45, 1.6)),
    "potassium": ("normal", (3.9, 0.4), (0, 0, 0.1, 0, 0), 1, (2.6, 5.5)),
    "sodium": ("normal", (141, 2.5), (0.1, 0, 0, 0, 0), 0, (130, 152)),
    "hemoglobin": ("normal", (14.8, 1.2), (0, 0.2, -0.1, 0, 0), 1, (9, 19.5)),
    "alt": ("lognormal", (28, 18, 45), (0, 0.5, 0, 0, 0), 0, (5, 300)),
    "hs_crp": ("lognormal", (1.5, 0.6, 3.5), (0, 0.45, 0.1, 0, 0), 2, (0.05, 60)),
    "homocysteine": ("lognormal", (13, 10, 19), (0.1, 0.1, 0.4, 0, 0), 1, (4, 80)),
    "uacr": ("lognormal", (12, 6, 40), (0.4, 0.15, 0.5, 0, 0), 1, (1, 2000)),
    "nt_probnp": ("lognormal", (40, 20, 90), (0.35, -0.15, 0.2, 0, 0), 0, (5, 3000)),
    "plasma_renin_activity": ("lognormal", (1.2, 0.5, 2.8), (0, 0, 0, 0, 0), 2, (0.05, 40)),
    "plasma_aldosterone": ("lognormal", (14, 10, 20), (0.1, 0.1, 0, 0, 0), 1, (2, 90)),
    "lvef": ("normal", (65, 5), (-0.1, 0, 0, 0, 0), 0, (40, 80)),
    "lvedd": ("normal", (49, 4.5), (0.3, 0.3, 0, 0, 0), 0, (38, 66)),
    "ivst": ("normal", (10.5, 1.6), (0.6, 0.2, 0, 0.1, 0), 1, (7, 17)),
    "lvpwt": ("normal", (10.2, 1.4), (0.6, 0.2, 0, 0.1, 0), 1, (7, 16)),
    "la_diameter": ("normal", (35, 4.5), (0.4, 0.4, 0, 0.1, 0), 0, (25, 52)),
    "e_over_e_prime": ("normal", (8, 2.2), (0.3, 0.2, 0, 0.2, 0), 1, (4, 20)),
    "bapwv": ("normal", (1400, 230), (0.5, 0.1, 0.1, 0.4, 0), 0, (900, 2400)),
    "osa_ahi": ("lognormal", (8, 3, 20), (0.2, 0.6, 0, 0.1, 0), 1, (0.5, 100)),
}
# Binary columns thresholded from a latent normal (loadings, prevalence).
LATENT_BINARY = {
    "diabetes": ((0, 0.6, 0, 0.2, 0), 0.08),
    "dyslipidemia": ((0, 0.5, 0, 0.1, 0.3), 0.40),
    "ckd": ((0, 0, 0.8, 0, 0), 0.04),
}
ETIOLOGY = {
    "essential": 0.71,
    "osa": 0.12,
    "renovascular": 0.05,
    "primary_aldosteronism": 0.05,
    "coarctation": 0.01,
    "renal_parenchymal": 0.02,
    "other_endocrine": 0.02,
    "other": 0.02,
}
DIPPING_BANDS = {  # systolic night-time dip, %
    "dipper": (10.0, 20.0),
    "non_dipper": (0.0, 10.0),
    "reverse": (-12.0, 0.0),
    "extreme": (20.0, 28.0),
}
DIPPING_SHARES = {"dipper": 0.45, "non_dipper": 0.40, "reverse": 0.10, "extreme": 0.05}
N_DRUG_CLASSES = {0: 0.05, 1: 0.30, 2: 0.40, 3: 0.18, 4: 0.05, 5: 0.02}
# Drug classes drawn for each patient (weighted sampling without replacement, Gumbel top-k);
# the weights were solved so that the flags' prevalences are 0.60, 0.70, 0.35 and 0.25. The
# last two are classes the schema does not list, so the flags sum to at most
# n_bp_drug_classes.
DRUG_WEIGHTS = {
    "raas_blocker": 0.317,
    "ccb": 0.453,
    "beta_blocker": 0.130,
    "diuretic_or_mra": 0.082,
    "alpha_blocker": 0.009,
    "other_class": 0.009,
}
FIRST_EVENT_SHARES = {
    "death": 0.05,
    "ami": 0.10,
    "coronary_revasc": 0.10,
    "new_hf": 0.20,
    "new_af_aflutter": 0.10,
    "vt_vf": 0.0,
    "peripheral_revasc": 0.05,
    "new_stroke": 0.30,
    "esrd": 0.10,
}
ABPM_BLOCK = [
    "abpm_24h_sbp",
    "abpm_24h_dbp",
    "abpm_day_sbp",
    "abpm_day_dbp",
    "abpm_night_sbp",
    "abpm_night_dbp",
    "abpm_24h_hr",
    "dipping_pattern",
    "nocturnal_dip_pct",
]
ECHO_BLOCK = ["lvef", "lvedd", "ivst", "lvpwt", "lv_mass_index", "la_diameter", "lvh"]
# Columns missing together (MCAR by block), then single columns at their schema rate.
MISSING_BLOCKS = [
    (ABPM_BLOCK, 0.25),
    (ECHO_BLOCK, 0.05),
    (["total_chol", "ldl", "hdl", "triglycerides"], 0.03),
    (["creatinine", "egfr"], 0.02),
    (["plasma_renin_activity", "plasma_aldosterone", "aldosterone_renin_ratio"], 0.25),
]
# D'Agostino 2008 general cardiovascular disease (lipid model), Table 2.
FRS_2008 = {
    "F": dict(
        age=2.32888,
        tc=1.20904,
        hdl=-0.70833,
        sbp=2.76157,
        sbp_treated=2.82263,
        smoker=0.52873,
        diabetes=0.69154,
        s0=0.95012,
        mean=26.1931,
    ),
    "M": dict(
        age=3.06117,
        tc=1.12370,
        hdl=-0.93263,
        sbp=1.93303,
        sbp_treated=1.99881,
        smoker=0.65451,
        diabetes=0.57367,
        s0=0.88936,
        mean=23.9802,
    ),
}


def _truncated(z, mean, sd, low, high):
    """Map standard-normal scores ``z`` to N(mean, sd) truncated to [low, high] (by quantile)."""
    a = ndtr((low - mean) / sd)
    b = ndtr((high - mean) / sd)
    u = a + ndtr(z) * (b - a)
    return np.clip(mean + sd * ndtri(np.clip(u, 1e-12, 1 - 1e-12)), low, high)


def _marginal(z, kind, params, bounds):
    low, high = bounds
    if kind == "normal":
        mean, sd = params
        return _truncated(z, mean, sd, low, high)
    median, q1, q3 = params
    sigma = (np.log(q3) - np.log(q1)) / (2 * 0.6744897501960817)
    return np.exp(_truncated(z, np.log(median), sigma, np.log(low), np.log(high)))


def _categorical(rng, n, shares, *, probabilities=None):
    levels = np.array(list(shares))
    p = np.array(list(shares.values()), dtype=float) if probabilities is None else probabilities
    if p.ndim == 1:
        return levels[rng.choice(len(levels), size=n, p=p / p.sum())]
    cumulative = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    index = (rng.random((n, 1)) > cumulative).sum(axis=1)
    return levels[np.minimum(index, len(levels) - 1)]


def _egfr_ckd_epi_2021(creatinine, age, male):
    """CKD-EPI 2021 (race-free) creatinine equation, mL/min/1.73 m² (Inker et al. 2021)."""
    kappa = np.where(male, 0.9, 0.7)
    alpha = np.where(male, -0.302, -0.241)
    ratio = creatinine / kappa
    egfr = (
        142.0
        * np.minimum(ratio, 1.0) ** alpha
        * np.maximum(ratio, 1.0) ** -1.200
        * 0.9938**age
        * np.where(male, 1.0, 1.012)
    )
    return egfr


def _frs_2008(sex, age, tc, hdl, sbp, treated, smoker, diabetes):
    """10-year general CVD risk, D'Agostino et al. 2008 (NaN where an input is missing)."""
    risk = np.full(len(age), np.nan)
    for level, c in FRS_2008.items():
        rows = sex == level
        sbp_coef = np.where(treated[rows], c["sbp_treated"], c["sbp"])
        total = (
            c["age"] * np.log(age[rows])
            + c["tc"] * np.log(tc[rows])
            + c["hdl"] * np.log(hdl[rows])
            + sbp_coef * np.log(sbp[rows])
            + c["smoker"] * smoker[rows]
            + c["diabetes"] * diabetes[rows]
        )
        risk[rows] = 1.0 - c["s0"] ** np.exp(total - c["mean"])
    return risk


def _hazard_drivers(data, bp_driver):
    """The generator's true linear predictor (before HAZARD_SCALE), centred near 0."""
    return (
        1.2 * (data["htn_etiology"] == "renovascular")
        + 0.5 * (110.0 - data["egfr"]) / 20.0
        + 0.4 * (np.log(data["uacr"]) - np.log(12.0)) / 0.9
        + 0.5 * (data["lv_mass_index"] - 100.0) / 22.0
        + 0.5 * (bp_driver - 140.0) / 15.0
        + 0.3 * (data["uric_acid"] - 7.0) / 1.5
        + 0.5 * (data["smoking_status"] == "current")
        + 0.4 * (data["age"] - 31.0) / 6.2
    )


def _simulate(n: int, seed: np.random.Generator):
    """All columns of the file (a DataFrame), the true risk and the true linear predictor.

    Predictors, missingness and outcome draw from three independent streams spawned
    from ``seed``, so that changing one part of the simulation leaves the others as
    they were. The steps below draw from their stream in a fixed order: keep it.
    """
    rng, rng_missing, rng_outcome = seed.spawn(3)
    z, binary_z = _latent_scores(rng, n)
    sex = np.where(rng.random(n) < 0.70, "M", "F")
    male = sex == "M"
    etiology = _categorical(rng, n, ETIOLOGY)
    data = _continuous(z, male, etiology)
    ckd = _comorbidities(rng, n, data, z, binary_z, etiology)
    _history(rng, n, data, male)
    _round_to_precision(data)
    _abpm(rng, n, data)
    _derived(rng, n, data, male, ckd)
    _drug_classes(rng, n, data, etiology == "primary_aldosteronism")
    data["sex"] = sex
    data["htn_etiology"] = etiology

    schema = load_schema("young_htn")
    truth = _hide_values(rng_missing, n, data, schema, etiology == "osa")
    data["frs_10y_cvd"] = _framingham_risk(data, sex)
    true_risk, lp = _outcome(rng_outcome, n, data, truth, etiology == "renovascular")
    frame = _file_frame(data, schema, n)
    return frame, true_risk, lp


def _latent_scores(rng, n: int):
    """Standard-normal scores of every continuous and latent binary column (Gaussian copula)."""
    factors = rng.standard_normal((n, len(FACTORS)))

    def latent(loadings):
        loadings = np.asarray(loadings, dtype=float)
        unique = np.sqrt(max(1.0 - loadings @ loadings, 0.0))
        return factors @ loadings + unique * rng.standard_normal(n)

    z = {name: latent(spec[2]) for name, spec in CONTINUOUS.items()}
    binary_z = {name: latent(loadings) for name, (loadings, _) in LATENT_BINARY.items()}
    return z, binary_z


def _continuous(z, male, etiology) -> dict:
    """The continuous columns from their scores: marginals, sex and aetiology differences."""
    data = {}
    for name, (kind, params, _, _, bounds) in CONTINUOUS.items():
        data[name] = _marginal(z[name], kind, params, bounds)

    # Sex differences (men: higher hemoglobin, creatinine, uric acid, larger hearts).
    data["hemoglobin"] = np.where(male, data["hemoglobin"] + 0.5, data["hemoglobin"] - 1.2)
    data["creatinine"] = data["creatinine"] * np.where(male, 1.07, 0.84)
    data["uric_acid"] = data["uric_acid"] + np.where(male, 0.45, -1.05)
    for name in ("lvedd", "ivst", "lvpwt", "la_diameter"):
        data[name] = data[name] * np.where(male, 1.025, 0.94)

    # Aetiology-specific values, drawn from the same latent scores (ranks are kept).
    osa = etiology == "osa"
    data["osa_ahi"][osa] = _marginal(z["osa_ahi"][osa], "lognormal", (32, 22, 48), (15, 100))
    data["bmi"][osa] = np.minimum(data["bmi"][osa] + 2.5, 44)
    pa = etiology == "primary_aldosteronism"
    data["potassium"][pa] = _marginal(z["potassium"][pa], "normal", (3.3, 0.4), (2.6, 4.5))
    data["plasma_aldosterone"][pa] = _marginal(
        z["plasma_aldosterone"][pa], "lognormal", (28, 20, 40), (8, 90)
    )
    data["plasma_renin_activity"][pa] = _marginal(
        z["plasma_renin_activity"][pa], "lognormal", (0.25, 0.12, 0.5), (0.05, 2)
    )
    reno = etiology == "renovascular"
    data["plasma_renin_activity"][reno] = _marginal(
        z["plasma_renin_activity"][reno], "lognormal", (3.5, 2.0, 7.0), (0.3, 40)
    )
    return data


def _comorbidities(rng, n: int, data: dict, z, binary_z, etiology) -> np.ndarray:
    """Latent binary comorbidities and their laboratory signs; returns who has CKD."""
    for name, (_, prevalence) in LATENT_BINARY.items():
        data[name] = (binary_z[name] > ndtri(1.0 - prevalence)).astype(int)
    data["ckd"] |= (etiology == "renal_parenchymal") & (rng.random(n) < 0.5)
    diabetic = data["diabetes"] == 1
    data["fasting_glucose"][diabetic] = _marginal(
        z["fasting_glucose"][diabetic], "lognormal", (140, 115, 180), (90, 300)
    )
    data["hba1c"][diabetic] = _marginal(z["hba1c"][diabetic], "normal", (7.6, 1.3), (6.0, 13.0))
    ckd = data["ckd"] == 1
    data["creatinine"][ckd] *= np.exp(rng.normal(np.log(1.9), 0.35, ckd.sum()))
    data["creatinine"] = np.clip(data["creatinine"], 0.45, 4.0)
    data["uacr"][ckd] = _marginal(z["uacr"][ckd], "lognormal", (150, 60, 400), (10, 2000))
    return ckd


def _history(rng, n: int, data: dict, male) -> None:
    """Categorical history: smoking, alcohol, family history."""
    data["smoking_status"] = _categorical(
        rng,
        n,
        {"never": 1, "former": 1, "current": 1},
        probabilities=np.where(male[:, None], [0.45, 0.10, 0.45], [0.85, 0.05, 0.10]),
    )
    data["alcohol_use"] = (rng.random(n) < np.where(male, 0.45, 0.12)).astype(int)
    data["family_history_htn"] = (rng.random(n) < 0.55).astype(int)
    data["family_history_premature_cvd"] = (rng.random(n) < 0.10).astype(int)


def _round_to_precision(data: dict) -> None:
    """Rounding to recorded precision, before anything is derived from the values."""
    for name, spec in CONTINUOUS.items():
        low, high = spec[4]
        data[name] = np.clip(np.round(data[name], spec[3]), low, high)
    data["htn_duration_years"] = np.minimum(data["htn_duration_years"], data["age"] - 12)
    data["max_sbp_history"] = np.maximum(data["max_sbp_history"], data["office_sbp"])
    data["office_dbp"] = np.minimum(data["office_dbp"], data["office_sbp"] - 20)


def _abpm(rng, n: int, data: dict) -> None:
    """ABPM: the daytime pressures are sampled; night-time follows the dipping pattern."""
    pattern = _categorical(rng, n, DIPPING_SHARES)
    bands = np.array([DIPPING_BANDS[p] for p in pattern])
    dip = bands[:, 0] + rng.random(n) * (bands[:, 1] - bands[:, 0])
    day_sbp = data["abpm_day_sbp"]
    day_dbp = np.minimum(data["abpm_day_dbp"], day_sbp - 20)
    night_sbp = np.clip(np.round(day_sbp * (1 - dip / 100)), 85, 205)
    night_dbp = np.round(day_dbp * (1 - (dip + rng.normal(0, 3, n)) / 100))
    night_dbp = np.clip(night_dbp, 45, np.minimum(night_sbp - 15, 140))
    data["abpm_day_dbp"] = day_dbp
    data["abpm_night_sbp"] = night_sbp
    data["abpm_night_dbp"] = night_dbp
    data["abpm_24h_sbp"] = np.round((2 * day_sbp + night_sbp) / 3)
    data["abpm_24h_dbp"] = np.round((2 * day_dbp + night_dbp) / 3)
    dip_pct = 100 * (day_sbp - night_sbp) / day_sbp
    data["nocturnal_dip_pct"] = np.round(dip_pct, 1)
    data["dipping_pattern"] = np.select(
        [dip_pct < 0, dip_pct < 10, dip_pct < 20], ["reverse", "non_dipper", "dipper"], "extreme"
    )


def _derived(rng, n: int, data: dict, male, ckd) -> None:
    """Derived laboratory and echo values (eGFR, LV mass index, LVH, ...)."""
    data["egfr"] = np.clip(
        np.round(_egfr_ckd_epi_2021(data["creatinine"], data["age"], male)), 15, 160
    )
    low_kidney = ckd & (data["egfr"] >= 60) & (data["uacr"] < 30)
    data["uacr"][low_kidney] = np.round(30 + 40 * rng.random(low_kidney.sum()), 1)
    height_m = rng.normal(np.where(male, 1.72, 1.60), 0.06)
    weight_kg = data["bmi"] * height_m**2
    bsa = np.sqrt(height_m * 100 * weight_kg / 3600)  # Mosteller
    lvedd, ivst, lvpwt = data["lvedd"] / 10, data["ivst"] / 10, data["lvpwt"] / 10  # cm
    lv_mass = 0.8 * 1.04 * ((lvedd + ivst + lvpwt) ** 3 - lvedd**3) + 0.6  # Devereux
    data["lv_mass_index"] = np.clip(np.round(lv_mass / bsa, 1), 40, 220)
    data["lvh"] = (data["lv_mass_index"] >= np.where(male, 115, 95)).astype(int)
    data["pulse_pressure"] = data["office_sbp"] - data["office_dbp"]
    data["aldosterone_renin_ratio"] = np.round(
        data["plasma_aldosterone"] / data["plasma_renin_activity"], 1
    )


def _drug_classes(rng, n: int, data: dict, pa) -> None:
    """Discharge medications: n classes, then which ones (an MRA more often in aldosteronism)."""
    counts = np.array(list(N_DRUG_CLASSES))
    n_classes = counts[rng.choice(len(counts), size=n, p=list(N_DRUG_CLASSES.values()))]
    weights = np.tile(np.array(list(DRUG_WEIGHTS.values())), (n, 1))
    weights[pa, list(DRUG_WEIGHTS).index("diuretic_or_mra")] = 0.5  # MRA
    keys = np.log(weights) + rng.gumbel(size=weights.shape)
    order = np.argsort(-keys, axis=1)
    ranks = np.argsort(order, axis=1)
    taken = ranks < n_classes[:, None]
    for j, name in enumerate(DRUG_WEIGHTS):
        if name in ("alpha_blocker", "other_class"):
            continue
        data[name] = taken[:, j].astype(int)
    data["n_bp_drug_classes"] = n_classes
    data["statin"] = (rng.random(n) < np.where(data["dyslipidemia"] == 1, 0.30, 0.05)).astype(int)


def _hide_values(rng_missing, n: int, data: dict, schema, osa) -> dict:
    """Missing values: blocks, then single columns at the schema's rates (MCAR; the AHI is
    always measured when OSA is the diagnosis). Returns the values before hiding."""
    truth = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in data.items()}
    masked = set()
    for columns, rate in MISSING_BLOCKS:
        rows = rng_missing.random(n) < rate
        for column in columns:
            data[column] = with_missing(data[column], rows)
            masked.add(column)
    for spec in schema.columns:
        name = spec.name
        if spec.role != "predictor" or name in masked or spec.missing <= 0 or name not in data:
            continue
        rate = spec.missing
        rows = rng_missing.random(n) < rate
        if name == "osa_ahi":
            rows = (rng_missing.random(n) < rate / (1 - ETIOLOGY["osa"])) & ~osa
        data[name] = with_missing(data[name], rows)
    return truth


def _framingham_risk(data: dict, sex) -> np.ndarray:
    """The D'Agostino 2008 10-year risk from the recorded (possibly missing) values."""
    treated = data["n_bp_drug_classes"] > 0
    return np.round(
        _frs_2008(
            sex,
            data["age"],
            data["total_chol"],
            data["hdl"],
            data["office_sbp"],
            treated,
            _as_float(data["smoking_status"] == "current", data["smoking_status"]),
            data["diabetes"].astype(float),
        ),
        4,
    )


def _outcome(rng_outcome, n: int, data: dict, truth: dict, reno):
    """Outcome: Weibull proportional hazards, independent uniform censoring, and the first
    event's type; returns the true risk by the horizon and the linear predictor."""
    abpm_seen = ~pd.isna(data["abpm_24h_sbp"])
    bp_driver = np.where(abpm_seen, truth["abpm_24h_sbp"], truth["office_sbp"])
    raw = _hazard_drivers(truth, bp_driver)
    lp = HAZARD_SCALE * (raw - raw.mean())
    cumulative_rate = BASELINE_RATE * np.exp(lp)
    event_time = (-np.log(rng_outcome.random(n)) / cumulative_rate) ** (1 / WEIBULL_SHAPE)
    censor_time = rng_outcome.uniform(*CENSOR_DAYS, n)
    event = event_time <= censor_time
    time = np.ceil(np.minimum(event_time, censor_time))
    true_risk = 1.0 - np.exp(-cumulative_rate * HORIZON_DAYS**WEIBULL_SHAPE)

    shares = np.tile(np.array(list(FIRST_EVENT_SHARES.values())), (n, 1))
    events = list(FIRST_EVENT_SHARES)
    shares[truth["egfr"] < 60, events.index("esrd")] *= 4
    shares[reno, events.index("peripheral_revasc")] *= 4
    first = _categorical(rng_outcome, n, FIRST_EVENT_SHARES, probabilities=shares)

    data["composite_event"] = event.astype(int)
    data["composite_time_days"] = time
    data["followup_days"] = np.ceil(censor_time)
    data["composite_by_33mo"] = horizon_label(time, event, HORIZON_DAYS)
    for name in events:
        data[f"evt_{name}"] = (event & (first == name)).astype(int)
    data["first_event_type"] = np.where(event, first, None)
    return true_risk, lp


def _as_float(flags, source):
    out = np.asarray(flags, dtype=float)
    out[pd.isna(source)] = np.nan
    return out


def _file_frame(data, schema, n) -> pd.DataFrame:
    """The table as a CSV export would hold it: schema order, nullable integers for flags."""
    columns = {"patient_id": np.arange(1, n + 1)}
    for spec in schema.columns:
        if spec.name == "patient_id" or spec.name not in data:  # e.g. the optional index_date
            continue
        values = data[spec.name]
        if spec.type in ("bool", "int"):
            columns[spec.name] = pd.array(
                np.where(pd.isna(values), np.nan, values).astype(float), dtype="Float64"
            ).astype("Int64")
        elif spec.type == "cat":
            values = np.asarray(values, dtype=object)
            columns[spec.name] = np.where(pd.isna(values), np.nan, values).astype(object)
        else:
            columns[spec.name] = np.asarray(values, dtype=float)
    return pd.DataFrame(columns)


def make_young_hypertension(n_patients=508, *, random_state=0, return_frame=False, n_samples=None):
    """A synthetic young-hypertension cohort (Wu et al. 2020 design).

    Parameters
    ----------
    n_patients : int, default=508
        Number of patients (Wu et al. had 508).
    random_state : int, numpy.random.Generator or None, default=0
        Seed; the same seed gives the same cohort.
    return_frame : bool, default=False
        Return the table as a CSV export of such a cohort would look (with
        ``patient_id`` and the outcome columns) instead of a :class:`Cohort`.
    n_samples : int
        Deprecated name of ``n_patients`` (the name every generator uses); it
        still works in this release, with a ``FutureWarning``.

    Returns
    -------
    cohort : Cohort or pandas.DataFrame
        Built with :func:`~riskml.cohorts.cohort_from_frame` on the ``young_htn``
        schema, so generator and file loader agree. ``cohort.predictors`` are the
        58 candidate predictors; derived columns are in ``cohort.features`` with
        role ``derived``. Extra attributes: ``true_risk`` (ndarray, the true
        probability of an event by day 1004), ``true_linear_predictor`` (the
        log relative hazard of the simulation), and those that
        ``cohort_from_frame`` sets (``schema_name``, ``framingham_inputs``,
        ``horizon`` = 1004, ``outcomes``).

    Notes
    -----
    Distributions follow the ``young_htn`` schema's design note, in riskml's
    canonical units (mg/dL, g/dL). A Gaussian copula with five latent factors
    (blood pressure, metabolic, renal, age, lipids) correlates the continuous
    columns (office and ambulatory systolic pressure about 0.6). Computed, not
    sampled: eGFR (CKD-EPI 2021), LV mass index (Devereux, Mosteller body-surface
    area), the night-time pressures (from the dipping pattern), pulse pressure,
    the aldosterone-renin ratio, LVH and the D'Agostino 2008 risk. The ABPM block
    is missing jointly (25%), the echo block, lipid panel and renin/aldosterone
    pair by block; other columns are missing completely at random at the schema's
    rates.

    The composite event follows a Weibull proportional-hazards model (shape 1.1)
    driven by renovascular aetiology, eGFR, UACR, LV mass index, 24-hour systolic
    pressure (office pressure where ABPM is missing), uric acid, current smoking
    and age, scaled so that the oracle Harrell C of the true risk is about 0.78,
    with uniform(180, 2200)-day censoring and about 7% observed events.
    ``composite_by_33mo`` is derived from the time-to-event pair (NaN when
    censored before day 1004 without an event).

    References
    ----------
    Wu X, Yuan X, Wang W, et al. Value of a machine learning approach for
    predicting clinical outcomes in young patients with hypertension.
    Hypertension. 2020;75(5):1271-1278.

    D'Agostino RB Sr, Vasan RS, Pencina MJ, et al. General cardiovascular risk
    profile for use in primary care: the Framingham Heart Study. Circulation.
    2008;117(6):743-753.

    Inker LA, Eneanya ND, Coresh J, et al. New creatinine- and cystatin C-based
    equations to estimate GFR without race. N Engl J Med. 2021;385:1737-1749.

    Examples
    --------
    >>> from riskml.cohorts import make_young_hypertension
    >>> cohort = make_young_hypertension(random_state=0)
    >>> len(cohort), len(cohort.predictors)
    (508, 58)
    """
    n_patients = renamed_keyword(
        n_patients, n_samples, "n_patients", "n_samples", "make_young_hypertension", 508
    )
    if (
        isinstance(n_patients, bool)
        or not isinstance(n_patients, numbers.Integral)
        or n_patients < 1
    ):
        raise ValueError(
            "The 'n_patients' parameter of make_young_hypertension must be an int in the range "
            f"[1, inf). Got {n_patients!r} instead."
        )
    rng = check_random_state(random_state, "make_young_hypertension")
    frame, true_risk, lp = _simulate(int(n_patients), rng)
    if return_frame:
        return frame
    cohort = cohort_from_frame(
        frame,
        "young_htn",
        name="young_htn_synthetic",
        source=(
            f"synthetic: riskml.cohorts.make_young_hypertension(n_patients={n_patients}, "
            f"random_state={random_state!r}), young_htn schema"
        ),
    )
    cohort.true_risk = true_risk
    cohort.true_linear_predictor = lp
    return cohort
