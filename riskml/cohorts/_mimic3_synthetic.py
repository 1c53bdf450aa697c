"""Synthetic MIMIC-III-shaped raw tables for acute myocardial infarction admissions.

:func:`make_mimic3_ami` writes PATIENTS, ADMISSIONS, ICUSTAYS, DIAGNOSES_ICD,
PROCEDURES_ICD, PRESCRIPTIONS, CHARTEVENTS, LABEVENTS and D_LABITEMS with the
columns, codes, item ids, units and quirks of MIMIC-III v1.4 (shifted dates,
DOBs 300 years back for patients over 89, troponin T as text such as
``"<0.01"``, CareVue and MetaVision item ids, degrees Fahrenheit, rows marked
ERROR, laboratory rows without HADM_ID), so that
:func:`~riskml.cohorts.load_mimic3_ami` runs end to end on them. Each AMI
admission's true probability of death within a year is known, and the
MetaVision-era under-recording of out-of-hospital deaths is simulated.
"""

from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit

from ..utils.validation import check_random_state
from ._mimic3 import FOLLOWUP_DAYS, LAB_LABELS

__all__ = ["make_mimic3_ami"]

TABLES = (
    "PATIENTS",
    "ADMISSIONS",
    "ICUSTAYS",
    "DIAGNOSES_ICD",
    "PROCEDURES_ICD",
    "PRESCRIPTIONS",
    "CHARTEVENTS",
    "LABEVENTS",
    "D_LABITEMS",
)
# Logistic model of death within 365 days of admission (true risk). The intercept was solved
# for about 27% deaths; the coefficients give an oracle AUC of about 0.85.
RISK_INTERCEPT = -1.55
RISK_COEF = {
    "age10": 0.55,
    "severity": 0.95,
    "shock": 1.1,
    "chf": 0.55,
    "renal": 0.45,
    "stemi": 0.25,
    "log_creatinine": 0.5,
}
ERA_SHARES = {"carevue": 0.55, "metavision": 0.42, "both": 0.03}
AMI_TYPE_SHARES = {"STEMI": 0.32, "NSTEMI": 0.50, "unspecified": 0.175, "post_mi_syndrome": 0.005}
COMORBIDITY_CODES = {  # representative ICD-9 codes: (code, prevalence)
    "chf": ("4280", 0.42),
    "afib": ("42731", 0.30),
    "hypertension": ("4019", 0.60),
    "diabetes": ("25000", 0.25),
    "diabetes_complicated": ("25040", 0.07),
    "renal": ("5859", 0.18),
    "copd": ("496", 0.16),
    "hyperlipidemia": ("2724", 0.45),
    "old_mi": ("412", 0.12),
    "anemia": ("2859", 0.15),
    "valvular": ("4241", 0.13),
    "pvd": ("4439", 0.10),
    "obesity": ("2780", 0.06),
    "tobacco": ("3051", 0.15),
    "fluid": ("2761", 0.28),
    "prior_pci": ("V4582", 0.12),
    "prior_cabg": ("V4581", 0.08),
}
PROCEDURE_CODES = {
    "pci": ("3606", 0.40),
    "cabg": ("3612", 0.18),
    "cath": ("3722", 0.60),
    "angio": ("8856", 0.55),
    "iabp": ("3761", 0.08),
    "vent": ("9671", 0.30),
}
DRUGS = {  # PRESCRIPTIONS.DRUG names, prevalence during the stay
    "Aspirin EC": 0.90,
    "Clopidogrel Bisulfate": 0.60,
    "Metoprolol Tartrate": 0.80,
    "Atorvastatin": 0.75,
    "Lisinopril": 0.45,
    "Heparin": 0.85,
    "Furosemide": 0.55,
    "Heparin Flush (10 units/ml)": 0.50,
    "Docusate Sodium": 0.60,
    "Nystatin Oral Suspension": 0.05,
}
CAREVUE = {
    "heartrate": 211,
    "sysbp": 455,
    "diasbp": 8441,
    "meanbp": 456,
    "resprate": 618,
    "spo2": 646,
    "tempc": 676,
    "tempf": 678,
    "glucose": 807,
}
METAVISION = {
    "heartrate": 220045,
    "sysbp": 220179,
    "diasbp": 220180,
    "meanbp": 220181,
    "resprate": 220210,
    "spo2": 220277,
    "tempc": 223762,
    "tempf": 223761,
    "glucose": 225664,
}
LABS = {  # itemid: (name, median, spread (log-sd or sd), log-normal?, decimals, uom)
    50868: ("aniongap", 15.0, 3.5, False, 0, "mEq/L"),
    50862: ("albumin", 3.3, 0.6, False, 1, "g/dL"),
    50882: ("bicarbonate", 22.0, 4.0, False, 0, "mEq/L"),
    50885: ("bilirubin", 0.6, 0.55, True, 1, "mg/dL"),
    50912: ("creatinine", 1.1, 0.45, True, 1, "mg/dL"),
    50902: ("chloride", 104.0, 4.5, False, 0, "mEq/L"),
    50931: ("glucose", 150.0, 0.35, True, 0, "mg/dL"),
    51221: ("hematocrit", 33.0, 5.5, False, 1, "%"),
    51222: ("hemoglobin", 11.0, 1.9, False, 1, "g/dL"),
    50813: ("lactate", 1.9, 0.5, True, 1, "mmol/L"),
    51265: ("platelet", 210.0, 75.0, False, 0, "K/uL"),
    50971: ("potassium", 4.3, 0.6, False, 1, "mEq/L"),
    51275: ("ptt", 40.0, 0.45, True, 1, "sec"),
    51237: ("inr", 1.3, 0.25, True, 1, ""),
    51274: ("pt", 14.0, 0.2, True, 1, "sec"),
    50983: ("sodium", 137.0, 4.0, False, 0, "mEq/L"),
    51006: ("bun", 23.0, 0.5, True, 0, "mg/dL"),
    51301: ("wbc", 11.0, 0.35, True, 1, "K/uL"),
    50911: ("ckmb", 12.0, 1.2, True, 0, "ng/mL"),
}
HEADERS = {
    "PATIENTS": [
        "row_id",
        "subject_id",
        "gender",
        "dob",
        "dod",
        "dod_hosp",
        "dod_ssn",
        "expire_flag",
    ],
    "ADMISSIONS": [
        "row_id",
        "subject_id",
        "hadm_id",
        "admittime",
        "dischtime",
        "deathtime",
        "admission_type",
        "admission_location",
        "discharge_location",
        "insurance",
        "language",
        "religion",
        "marital_status",
        "ethnicity",
        "edregtime",
        "edouttime",
        "diagnosis",
        "hospital_expire_flag",
        "has_chartevents_data",
    ],
    "ICUSTAYS": [
        "row_id",
        "subject_id",
        "hadm_id",
        "icustay_id",
        "dbsource",
        "first_careunit",
        "last_careunit",
        "first_wardid",
        "last_wardid",
        "intime",
        "outtime",
        "los",
    ],
    "DIAGNOSES_ICD": ["row_id", "subject_id", "hadm_id", "seq_num", "icd9_code"],
    "PROCEDURES_ICD": ["row_id", "subject_id", "hadm_id", "seq_num", "icd9_code"],
    "PRESCRIPTIONS": [
        "row_id",
        "subject_id",
        "hadm_id",
        "icustay_id",
        "startdate",
        "enddate",
        "drug_type",
        "drug",
        "drug_name_poe",
        "drug_name_generic",
        "formulary_drug_cd",
        "gsn",
        "ndc",
        "prod_strength",
        "dose_val_rx",
        "dose_unit_rx",
        "form_val_disp",
        "form_unit_disp",
        "route",
    ],
    "CHARTEVENTS": [
        "row_id",
        "subject_id",
        "hadm_id",
        "icustay_id",
        "itemid",
        "charttime",
        "storetime",
        "cgid",
        "value",
        "valuenum",
        "valueuom",
        "warning",
        "error",
        "resultstatus",
        "stopped",
    ],
    "LABEVENTS": [
        "row_id",
        "subject_id",
        "hadm_id",
        "itemid",
        "charttime",
        "value",
        "valuenum",
        "valueuom",
        "flag",
    ],
    "D_LABITEMS": ["row_id", "itemid", "label", "fluid", "category", "loinc_code"],
}


def _choice(rng, shares: dict, n: int) -> np.ndarray:
    levels = np.array(list(shares), dtype=object)
    p = np.array(list(shares.values()), dtype=float)
    return levels[rng.choice(len(levels), size=n, p=p / p.sum())]


def _fmt_time(values) -> np.ndarray:
    """datetime64 -> 'YYYY-MM-DD HH:MM:SS' text ('' for NaT)."""
    values = np.asarray(values, dtype="datetime64[s]")
    text = np.datetime_as_string(values, unit="s").astype(object)
    text = np.char.replace(text.astype(str), "T", " ").astype(object)
    text[np.isnat(values)] = ""
    return text


def _admissions(rng, n, age, male, era):
    """Covariates and the true one-year risk of ``n`` AMI admissions."""
    severity = rng.normal(size=n)
    ami_type = _choice(rng, AMI_TYPE_SHARES, n)
    comorbid = {
        name: rng.random(n) < expit(np.log(p / (1 - p)) + 0.35 * (np.minimum(age, 95) - 68) / 12)
        for name, (_, p) in COMORBIDITY_CODES.items()
    }
    comorbid["diabetes"] &= ~comorbid["diabetes_complicated"]
    shock = rng.random(n) < expit(-2.9 + 1.3 * severity)
    log_creat = np.log(1.1) + 0.45 * (
        0.5 * severity + 0.8 * comorbid["renal"] + rng.normal(scale=0.8, size=n)
    )
    lp = (
        RISK_INTERCEPT
        + RISK_COEF["age10"] * (np.minimum(age, 91.4) - 68) / 10
        + RISK_COEF["severity"] * severity
        + RISK_COEF["shock"] * shock
        + RISK_COEF["chf"] * comorbid["chf"]
        + RISK_COEF["renal"] * comorbid["renal"]
        + RISK_COEF["stemi"] * (ami_type == "STEMI")
        + RISK_COEF["log_creatinine"] * (log_creat - np.log(1.1))
    )
    intime_h = rng.uniform(0.02, 8, n)
    los_icu = np.exp(rng.normal(np.log(2.3) + 0.25 * severity, 0.6, n))
    n_stays = 1 + (rng.random(n) < 0.10) + (rng.random(n) < 0.02)
    los_hosp = (
        intime_h / 24 + los_icu + np.exp(rng.normal(np.log(3.5), 0.6, n)) + (n_stays - 1) * 2.5
    )
    return {
        "age": age,
        "male": male,
        "era": era,
        "severity": severity,
        "ami_type": ami_type,
        "comorbid": comorbid,
        "shock": shock,
        "log_creat": log_creat,
        "true_risk": expit(lp),
        "intime_h": intime_h,
        "los_icu": los_icu,
        "n_stays": n_stays,
        "los_hosp": los_hosp,
    }


def _simulate(rng, n_patients: int):
    """Patients, their first AMI admission (true risk known) and, for 10%, a later one.

    A patient has one date of death. It is drawn from the first admission's risk; a
    second admission is placed 30-700 days after the first discharge and before that
    death, and its outcome follows from the same date (its true risk is not defined).
    """
    base = np.datetime64("2100-01-01T00:00:00") + (
        rng.integers(0, 100 * 365, n_patients) * 86400 + rng.integers(0, 86400, n_patients)
    ).astype("timedelta64[s]")
    era = _choice(rng, ERA_SHARES, n_patients)
    old = rng.random(n_patients) < 0.07
    age = np.where(
        old, rng.uniform(90, 99, n_patients), np.clip(rng.normal(68, 12.5, n_patients), 18.5, 88.9)
    )
    male = rng.random(n_patients) < 0.6
    first = _admissions(rng, n_patients, age, male, era)
    died_1yr = rng.random(n_patients) < first["true_risk"]
    in_hospital = died_1yr & (rng.random(n_patients) < 0.42)
    later = rng.random(n_patients) < 0.35
    death_day = np.where(
        in_hospital,
        first["intime_h"] / 24
        + rng.uniform(0.3, 1.0, n_patients) * (first["los_hosp"] - first["intime_h"] / 24),
        np.where(
            died_1yr,
            rng.uniform(first["los_hosp"] + 1, 365),
            np.where(later, rng.uniform(366, 2500, n_patients), np.inf),
        ),
    )
    # second admissions: 10% of the patients alive 40 days after their first discharge
    gap = first["los_hosp"] + rng.uniform(30, 700, n_patients)
    again = (rng.random(n_patients) < 0.10) & (death_day > gap + 10)
    idx = np.flatnonzero(again)
    second = _admissions(rng, len(idx), age[idx] + gap[idx] / 365.242, male[idx], era[idx])
    second["true_risk"] = np.full(len(idx), np.nan)

    def cat(key):
        return np.concatenate([first[key], second[key]])

    a = {key: cat(key) for key in first if key != "comorbid"}
    a["comorbid"] = {
        k: np.concatenate([first["comorbid"][k], second["comorbid"][k]]) for k in first["comorbid"]
    }
    patient = np.concatenate([np.arange(n_patients), idx])
    offset = np.concatenate([np.zeros(n_patients), gap[idx]])
    order = np.lexsort((offset, patient))
    a = {
        k: (v[order] if k != "comorbid" else {c: x[order] for c, x in v.items()})
        for k, v in a.items()
    }
    patient, offset = patient[order], offset[order]
    n = len(patient)
    a["admit"] = base[patient] + (offset * 86400).astype("timedelta64[s]")
    a["subject_id"] = patient + 10001
    a["hadm_id"] = 100001 + np.arange(n)
    a["n"], a["n_patients"] = n, n_patients
    a["old"], a["base"], a["age_first"], a["male_patient"] = old, base, age, male
    # outcome of each admission from the patient's one death date
    day = death_day[patient] - offset  # days from this admission
    a["death_day"] = day
    a["in_hospital"] = day <= a["los_hosp"]
    a["died_1yr"] = day <= 365
    guaranteed = np.array([FOLLOWUP_DAYS[e] for e in era])
    horizon = guaranteed + rng.uniform(0, 1500, n_patients)
    recorded_patient = (in_hospital | (death_day <= horizon)) & np.isfinite(death_day)
    a["recorded"] = recorded_patient[patient] | (a["in_hospital"] & np.isfinite(day))
    a["intime"] = a["admit"] + (a["intime_h"] * 3600).astype("timedelta64[s]")
    stay_end = np.where(a["in_hospital"], day, a["los_hosp"])
    a["disch"] = a["admit"] + (stay_end * 86400).astype("timedelta64[s]")
    a["death_time"] = a["admit"] + (np.where(np.isfinite(day), day, 0) * 86400).astype(
        "timedelta64[s]"
    )
    a["first"] = np.r_[True, a["subject_id"][1:] != a["subject_id"][:-1]]
    return a


def _series(rng, n_adm_rows, mean, sd, hours, phi=0.7):
    """AR(1) noise around per-admission means at the given hours."""
    k = len(hours)
    noise = rng.normal(size=(n_adm_rows, k))
    for j in range(1, k):
        noise[:, j] = phi * noise[:, j - 1] + np.sqrt(1 - phi**2) * noise[:, j]
    return mean[:, None] + sd * noise


def _chartevents(rng, a, icustay_id):
    n = a["n"]
    hours = np.arange(-2, 31, 1.0)  # hourly, from 2 h before to 30 h after intime
    sev = a["severity"]
    means = {
        "heartrate": 82 + 9 * sev + 6 * a["shock"],
        "sysbp": 118 - 9 * sev - 14 * a["shock"],
        "diasbp": 60 - 4 * sev,
        "meanbp": 78 - 6 * sev - 8 * a["shock"],
        "resprate": 18.5 + 2.2 * sev,
        "spo2": 97 - 1.2 * np.maximum(sev, 0),
        "tempc": 36.9 + 0.25 * sev,
        "glucose": np.exp(np.log(150) + 0.15 * sev),
    }
    sds = {
        "heartrate": 9,
        "sysbp": 13,
        "diasbp": 8,
        "meanbp": 9,
        "resprate": 3,
        "spo2": 1.5,
        "tempc": 0.35,
        "glucose": 30,
    }
    decimals = {
        "heartrate": 0,
        "sysbp": 0,
        "diasbp": 0,
        "meanbp": 0,
        "resprate": 0,
        "spo2": 0,
        "tempc": 1,
        "glucose": 0,
    }
    rows = []
    carevue = a["era"] == "carevue"
    fahrenheit = ~carevue | (rng.random(n) < 0.5)  # MetaVision charts degrees F
    for name, mean in means.items():
        use_hours = hours if name != "glucose" else hours[::6]
        values = _series(rng, n, mean, sds[name], use_hours)
        if name == "spo2":
            values = np.minimum(values, 100)
        values = np.round(values, decimals[name])
        items = np.where(carevue, CAREVUE[name], METAVISION[name])
        if name == "tempc":
            items = np.where(
                fahrenheit, np.where(carevue, CAREVUE["tempf"], METAVISION["tempf"]), items
            )
            values = np.where(fahrenheit[:, None], np.round(values * 1.8 + 32, 1), values)
        measured = rng.random(values.shape) < (0.93 if name != "glucose" else 0.8)
        if name == "tempc":
            measured &= (np.arange(len(use_hours)) % 4 == 0)[None, :]
        r, c = np.nonzero(measured)
        rows.append(
            pd.DataFrame(
                {
                    "adm": r,
                    "hours": use_hours[c],
                    "itemid": items[r],
                    "valuenum": values[r, c],
                }
            )
        )
    chart = pd.concat(rows, ignore_index=True)
    # MetaVision rows entered in error: implausible values flagged ERROR = 1 (must be ignored)
    mv_rows = np.flatnonzero(a["era"][chart["adm"]] != "carevue")
    wrong = (
        rng.choice(mv_rows, size=min(len(mv_rows), max(1, n // 10)), replace=False)
        if len(mv_rows)
        else np.array([], dtype=int)
    )
    chart["error"] = np.where(a["era"][chart["adm"]] == "carevue", "", "0").astype(object)
    chart.loc[wrong, "error"] = "1"
    chart.loc[wrong, "valuenum"] = chart.loc[wrong, "valuenum"] * 3 + 50
    adm = chart["adm"].to_numpy()
    time = a["intime"][adm] + (
        chart["hours"].to_numpy() * 3600 + rng.integers(-900, 900, len(chart))
    ).astype("timedelta64[s]")
    # a patient who died in the first day has no charting after death
    alive = ~a["in_hospital"][adm] | (time < a["death_time"][adm])
    chart = chart[alive]
    adm, time = adm[alive], time[alive]
    value_text = chart["valuenum"].map(lambda v: f"{v:g}").to_numpy()
    uom = np.where(
        np.isin(chart["itemid"], [678, 223761]),
        "?F",
        np.where(np.isin(chart["itemid"], [676, 223762]), "?C", ""),
    )
    return pd.DataFrame(
        {
            "subject_id": a["subject_id"][adm],
            "hadm_id": a["hadm_id"][adm],
            "icustay_id": icustay_id[adm],
            "itemid": chart["itemid"].to_numpy(),
            "charttime": _fmt_time(time),
            "storetime": _fmt_time(time + np.timedelta64(600, "s")),
            "cgid": 14000 + adm % 300,
            "value": value_text,
            "valuenum": chart["valuenum"].to_numpy(),
            "valueuom": uom,
            "warning": np.where(chart["error"] == "", "", "0"),
            "error": chart["error"].to_numpy(),
            "resultstatus": "",
            "stopped": "",
        }
    )


def _labevents(rng, a):
    n = a["n"]
    hours = np.array([-5.0, 2, 10, 18, 26, 34])  # an ED draw before the ICU, then every 8 h
    sev = a["severity"]
    frames = []
    for itemid, (name, median, spread, lognormal, decimals, uom) in LABS.items():
        if name == "creatinine":
            centre = a["log_creat"]
        elif lognormal:
            shift = {
                "lactate": 0.35 * sev + 0.6 * a["shock"],
                "bun": 0.2 * sev,
                "ckmb": 0.5 * (a["ami_type"] == "STEMI"),
            }.get(name, 0.0)
            centre = np.log(median) + shift
        else:
            shift = {"bicarbonate": -1.5 * sev, "hemoglobin": -0.3 * sev}.get(name, 0.0)
            centre = median + shift
        values = _series(
            rng,
            n,
            np.asarray(centre, dtype=float) + np.zeros(n),
            spread * (0.4 if lognormal else 0.5),
            hours,
        )
        values = np.exp(values) if lognormal else values
        values = np.round(np.maximum(values, 10.0**-decimals), decimals)
        share = {
            "lactate": expit(-0.3 + 1.2 * sev),
            "albumin": np.full(n, 0.4),
            "bilirubin": np.full(n, 0.55),
            "ckmb": np.full(n, 0.65),
        }.get(name, np.full(n, 0.97))
        taken = (rng.random(n) < share)[:, None] & (rng.random(values.shape) < 0.75)
        r, c = np.nonzero(taken)
        frames.append(
            pd.DataFrame(
                {
                    "adm": r,
                    "hours": hours[c],
                    "itemid": itemid,
                    "valuenum": values[r, c],
                    "uom": uom,
                }
            )
        )
    # troponin T as text: '<0.01' below detection
    tnt = np.exp(
        _series(rng, n, np.log(0.45) + 0.6 * (a["ami_type"] == "STEMI") + 0.3 * sev, 0.9, hours)
    )
    taken = (rng.random(n) < 0.65)[:, None] & (rng.random(tnt.shape) < 0.6)
    r, c = np.nonzero(taken)
    frames.append(
        pd.DataFrame(
            {
                "adm": r,
                "hours": hours[c],
                "itemid": 51003,
                "valuenum": np.round(tnt[r, c], 2),
                "uom": "ng/mL",
            }
        )
    )
    labs = pd.concat(frames, ignore_index=True)
    adm = labs["adm"].to_numpy()
    time = a["intime"][adm] + (
        labs["hours"].to_numpy() * 3600 + rng.integers(-1200, 1200, len(labs))
    ).astype("timedelta64[s]")
    alive = ~a["in_hospital"][adm] | (time < a["death_time"][adm])
    labs, adm, time = labs[alive], adm[alive], time[alive]
    valuenum = labs["valuenum"].to_numpy(dtype=float)
    value = np.array([f"{v:g}" for v in valuenum], dtype=object)
    troponin = labs["itemid"].to_numpy() == 51003
    below = troponin & (valuenum < 0.01)
    value[below] = "<0.01"
    valuenum = np.where(below, np.nan, valuenum)
    decimals = {itemid: LABS[itemid][4] for itemid in LABS}
    for itemid, d in decimals.items():  # MIMIC writes whole numbers without decimals
        rows = labs["itemid"].to_numpy() == itemid
        if d == 0:
            value[rows] = [f"{v:.0f}" for v in valuenum[rows]]
    ed = labs["hours"].to_numpy() < -4  # drawn in the emergency department: no HADM_ID yet
    return pd.DataFrame(
        {
            "subject_id": a["subject_id"][adm],
            "hadm_id": np.where(ed, "", a["hadm_id"][adm].astype(str)).astype(object),
            "itemid": labs["itemid"].to_numpy(),
            "charttime": _fmt_time(time),
            "value": value,
            "valuenum": valuenum,
            "valueuom": labs["uom"].to_numpy(),
            "flag": "",
        }
    )


def _diagnoses(rng, a):
    n = a["n"]
    ami_code = np.empty(n, dtype=object)
    for i, kind in enumerate(a["ami_type"]):
        if kind == "post_mi_syndrome":
            ami_code[i] = "4110"
            continue
        site = {
            "STEMI": rng.choice(["0", "1", "2", "3", "4", "5", "6", "8"]),
            "NSTEMI": "7",
            "unspecified": "9",
        }[kind]
        ami_code[i] = f"410{site}{rng.choice(['1', '1', '1', '0', '2'])}"
    primary = rng.random(n) < 0.45
    rows = []
    for i in range(n):
        codes = [name for name, flag in a["comorbid"].items() if flag[i]]
        other = [COMORBIDITY_CODES[name][0] for name in codes]
        if a["shock"][i]:
            other.append("78551")
        rng.shuffle(other)
        listed = (
            [ami_code[i], *other] if primary[i] else ["4148", *other[:1], ami_code[i], *other[1:]]
        )
        rows.extend(
            (a["subject_id"][i], a["hadm_id"][i], k + 1, code) for k, code in enumerate(listed)
        )
    frame = pd.DataFrame(rows, columns=["subject_id", "hadm_id", "seq_num", "icd9_code"])
    return frame, ami_code


def _procedures(rng, a):
    rows = []
    for i in range(a["n"]):
        codes = [code for code, p in PROCEDURE_CODES.values() if rng.random() < p]
        rows.extend((a["subject_id"][i], a["hadm_id"][i], k + 1, c) for k, c in enumerate(codes))
    return pd.DataFrame(rows, columns=["subject_id", "hadm_id", "seq_num", "icd9_code"])


def _prescriptions(rng, a):
    rows = []
    for i in range(a["n"]):
        start_day = np.datetime64(a["admit"][i], "D")
        stay_days = max(int((a["disch"][i] - a["admit"][i]) / np.timedelta64(1, "D")), 0)
        for drug, p in DRUGS.items():
            if rng.random() < p:
                offset = int(rng.integers(0, stay_days + 1)) if rng.random() < 0.3 else 0
                rows.append(
                    (
                        a["subject_id"][i],
                        a["hadm_id"][i],
                        start_day + np.timedelta64(offset, "D"),
                        drug,
                    )
                )
    frame = pd.DataFrame(rows, columns=["subject_id", "hadm_id", "startdate", "drug"])
    frame["startdate"] = _fmt_time(frame["startdate"].to_numpy(dtype="datetime64[s]"))
    return frame


def _write(frame: pd.DataFrame, name: str, directory: Path, uppercase: bool, compress: bool):
    columns = HEADERS[name]
    out = pd.DataFrame(
        {c: frame[c] if c in frame.columns else "" for c in columns}, index=frame.index
    )
    out["row_id"] = np.arange(1, len(out) + 1)
    out.columns = [c.upper() if uppercase else c for c in columns]
    path = directory / f"{name}.csv{'.gz' if compress else ''}"
    out.to_csv(path, index=False, compression={"method": "gzip", "mtime": 0} if compress else None)
    return path


def make_mimic3_ami(
    directory, n_patients=300, *, random_state=0, uppercase=True, compress=False, overwrite=False
) -> pd.DataFrame:
    """Write synthetic MIMIC-III-shaped raw tables of acute MI admissions to a folder.

    Parameters
    ----------
    directory : str or path-like
        Folder to write to (created if needed). It must not hold MIMIC tables
        already unless ``overwrite`` is True.
    n_patients : int, default=300
        Patients; 10% have a second AMI admission.
    random_state : int, numpy.random.Generator or None, default=0
    uppercase : bool, default=True
        Upper-case headers as in the full MIMIC-III v1.4 CSVs (the open demo has
        lower-case ones).
    compress : bool, default=False
        Write ``.csv.gz`` files.
    overwrite : bool, default=False

    Returns
    -------
    truth : pandas.DataFrame
        One row per AMI admission: ``subject_id``, ``hadm_id``, ``dbsource``,
        ``ami_type``, ``ami_icd9_code``, ``age`` (the true age, above 89 for the
        shifted patients), ``true_risk`` (the true probability of death within
        365 days of admission), ``died_1yr`` (the simulated truth) and
        ``death_recorded`` (whether the tables record the death: out-of-hospital
        deaths of MetaVision-era patients are recorded only up to 90-1590 days
        after admission, as in MIMIC-III).

    Notes
    -----
    Every admission is an AMI admission with an ICU stay (the loader's
    exclusions are exercised by the real demo). Vitals are charted hourly from
    2 h before to 30 h after the ICU admission with CareVue or MetaVision item
    ids (temperature partly in degrees F; 10% of MetaVision admissions have one
    implausible value marked ERROR = 1); labs are drawn 5 h before the ICU
    admission (in the emergency department, without HADM_ID) and then every 8 h.
    Death within a year follows a logistic model of age, a latent severity,
    cardiogenic shock, heart failure, renal failure, STEMI and creatinine
    (``RISK_COEF``; about 27% deaths, oracle AUC about 0.85); 42% of those deaths
    happen in hospital.

    Examples
    --------
    >>> import riskml as rk
    >>> truth = rk.cohorts.make_mimic3_ami("synthetic-mimic", n_patients=200)  # doctest: +SKIP
    >>> cohort = rk.cohorts.load_mimic3_ami("synthetic-mimic")  # doctest: +SKIP
    """
    if (
        isinstance(n_patients, bool)
        or not isinstance(n_patients, numbers.Integral)
        or n_patients < 1
    ):
        raise ValueError(
            "The 'n_patients' parameter of make_mimic3_ami must be an int in the range [1, inf). "
            f"Got {n_patients!r} instead."
        )
    rng = check_random_state(random_state, "make_mimic3_ami")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    existing = sorted(p.name for p in directory.iterdir() if p.name.upper().split(".")[0] in TABLES)
    if existing and not overwrite:
        raise FileExistsError(
            f"{directory} already holds {existing}; choose an empty folder or pass overwrite=True."
        )
    a = _simulate(rng, int(n_patients))
    n = a["n"]

    # PATIENTS: one date of death per patient, if recorded
    died = pd.DataFrame(
        {
            "subject_id": a["subject_id"],
            "recorded": a["recorded"],
            "death": a["death_time"],
            "hosp": a["in_hospital"],
        }
    )
    died = died[died["recorded"]].sort_values("death").groupby("subject_id").first()
    subjects = np.arange(a["n_patients"]) + 10001
    dob = (
        np.where(
            a["old"],
            a["base"] - np.timedelta64(300 * 365 + 73, "D"),
            a["base"] - (a["age_first"] * 365.242 * 86400).astype("timedelta64[s]"),
        )
        .astype("datetime64[D]")
        .astype("datetime64[s]")
    )
    dod = died["death"].reindex(subjects).to_numpy(dtype="datetime64[s]")
    dod_day = dod.astype("datetime64[D]").astype("datetime64[s]")
    hosp = died["hosp"].astype(bool).reindex(subjects, fill_value=False).to_numpy(dtype=bool)
    nat = np.datetime64("NaT", "s")
    patients = pd.DataFrame(
        {
            "subject_id": subjects,
            "gender": np.where(a["male_patient"], "M", "F"),
            "dob": _fmt_time(dob),
            "dod": _fmt_time(dod_day),
            "dod_hosp": _fmt_time(np.where(hosp, dod_day, nat)),
            "dod_ssn": _fmt_time(np.where(~hosp, dod_day, nat)),
            "expire_flag": (~np.isnat(dod)).astype(int),
        }
    )
    icustay_id = 200001 + np.arange(n)
    admissions = pd.DataFrame(
        {
            "subject_id": a["subject_id"],
            "hadm_id": a["hadm_id"],
            "admittime": _fmt_time(a["admit"]),
            "dischtime": _fmt_time(a["disch"]),
            "deathtime": _fmt_time(np.where(a["in_hospital"], a["death_time"], nat)),
            "admission_type": _choice(
                rng, {"EMERGENCY": 0.86, "URGENT": 0.04, "ELECTIVE": 0.10}, n
            ),
            "admission_location": "EMERGENCY ROOM ADMIT",
            "discharge_location": np.where(a["in_hospital"], "DEAD/EXPIRED", "HOME"),
            "insurance": _choice(
                rng,
                {
                    "Medicare": 0.58,
                    "Private": 0.32,
                    "Medicaid": 0.06,
                    "Government": 0.03,
                    "Self Pay": 0.01,
                },
                n,
            ),
            "marital_status": _choice(
                rng, {"MARRIED": 0.5, "SINGLE": 0.2, "WIDOWED": 0.18, "DIVORCED": 0.07, "": 0.05}, n
            ),
            "ethnicity": _choice(
                rng,
                {
                    "WHITE": 0.70,
                    "BLACK/AFRICAN AMERICAN": 0.08,
                    "HISPANIC OR LATINO": 0.03,
                    "ASIAN": 0.03,
                    "OTHER": 0.06,
                    "UNKNOWN/NOT SPECIFIED": 0.10,
                },
                n,
            ),
            "diagnosis": np.where(
                a["ami_type"] == "STEMI",
                "ST ELEVATION MYOCARDIAL INFARCTION",
                "MYOCARDIAL INFARCTION",
            ),
            "hospital_expire_flag": a["in_hospital"].astype(int),
            "has_chartevents_data": 1,
        }
    )
    first_unit = _choice(
        rng, {"CCU": 0.55, "CSRU": 0.25, "MICU": 0.12, "SICU": 0.05, "TSICU": 0.03}, n
    )
    outtime = a["intime"] + (a["los_icu"] * 86400).astype("timedelta64[s]")
    stays = [
        pd.DataFrame(
            {
                "subject_id": a["subject_id"],
                "hadm_id": a["hadm_id"],
                "icustay_id": icustay_id,
                "dbsource": a["era"],
                "first_careunit": first_unit,
                "last_careunit": first_unit,
                "intime": _fmt_time(a["intime"]),
                "outtime": _fmt_time(outtime),
                "los": np.round(a["los_icu"], 4),
            }
        )
    ]
    again = (a["n_stays"] >= 2) & ~a["in_hospital"]
    later_in = outtime[again] + np.timedelta64(36 * 3600, "s")
    stays.append(
        pd.DataFrame(
            {
                "subject_id": a["subject_id"][again],
                "hadm_id": a["hadm_id"][again],
                "icustay_id": 300001 + np.arange(again.sum()),
                "dbsource": a["era"][again],
                "first_careunit": "MICU",
                "last_careunit": "MICU",
                "intime": _fmt_time(later_in),
                "outtime": _fmt_time(later_in + np.timedelta64(86400, "s")),
                "los": 1.0,
            }
        )
    )
    icustays = pd.concat(stays, ignore_index=True)
    diagnoses, ami_code = _diagnoses(rng, a)
    tables = {
        "PATIENTS": patients,
        "ADMISSIONS": admissions,
        "ICUSTAYS": icustays,
        "DIAGNOSES_ICD": diagnoses,
        "PROCEDURES_ICD": _procedures(rng, a),
        "PRESCRIPTIONS": _prescriptions(rng, a),
        "CHARTEVENTS": _chartevents(rng, a, icustay_id),
        "LABEVENTS": _labevents(rng, a),
        "D_LABITEMS": pd.DataFrame(
            {
                "itemid": list(LAB_LABELS),
                "label": [v.title() for v in LAB_LABELS.values()],
                "fluid": "Blood",
                "category": "Chemistry",
                "loinc_code": "",
            }
        ),
    }
    for name, frame in tables.items():
        _write(frame, name, directory, uppercase, compress)
    return pd.DataFrame(
        {
            "subject_id": a["subject_id"],
            "hadm_id": a["hadm_id"],
            "dbsource": a["era"],
            "ami_type": a["ami_type"],
            "ami_icd9_code": ami_code,
            "age": a["age"],
            "true_risk": a["true_risk"],
            "died_1yr": a["died_1yr"].astype(int),
            "death_recorded": a["recorded"].astype(int),
        }
    )
