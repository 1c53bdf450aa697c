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
from ._mimic3_synthetic_events import (
    COMORBIDITY_CODES,
    _chartevents,
    _diagnoses,
    _fmt_time,
    _labevents,
    _prescriptions,
    _procedures,
)
from ._mimic3_tables import FOLLOWUP_DAYS, HEADERS, LAB_LABELS

__all__ = ["make_mimic3_ami"]

TABLES = tuple(HEADERS)
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


def _choice(rng, shares: dict, n: int) -> np.ndarray:
    levels = np.array(list(shares), dtype=object)
    p = np.array(list(shares.values()), dtype=float)
    return levels[rng.choice(len(levels), size=n, p=p / p.sum())]


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


def _check_folder(directory, overwrite: bool) -> Path:
    """The folder to write to, created if needed; refused when it holds MIMIC tables."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    existing = sorted(p.name for p in directory.iterdir() if p.name.upper().split(".")[0] in TABLES)
    if existing and not overwrite:
        raise FileExistsError(
            f"{directory} already holds {existing}; choose an empty folder or pass overwrite=True."
        )
    return directory


def _patients_table(a) -> pd.DataFrame:
    """PATIENTS: one date of death per patient, if recorded; DOBs shifted for the oldest."""
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
    return pd.DataFrame(
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


def _admissions_table(rng, a) -> pd.DataFrame:
    """ADMISSIONS, with the times of each admission and its administrative fields."""
    n = a["n"]
    nat = np.datetime64("NaT", "s")
    return pd.DataFrame(
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


def _icustays_table(rng, a, icustay_id) -> pd.DataFrame:
    """ICUSTAYS: the first stay of every admission, and a second one for some survivors."""
    n = a["n"]
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
    return pd.concat(stays, ignore_index=True)


def _lab_dictionary() -> pd.DataFrame:
    """D_LABITEMS: the labels of the lab item ids the loader reads."""
    return pd.DataFrame(
        {
            "itemid": list(LAB_LABELS),
            "label": [v.title() for v in LAB_LABELS.values()],
            "fluid": "Blood",
            "category": "Chemistry",
            "loinc_code": "",
        }
    )


def _truth(a, ami_code) -> pd.DataFrame:
    """One row per AMI admission: what the simulation knows and the tables may not say."""
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
    >>> import tempfile
    >>> from pathlib import Path
    >>> import riskml as rk
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     truth = rk.cohorts.make_mimic3_ami(Path(folder) / "mimic", n_patients=200)
    ...     cohort = rk.cohorts.load_mimic3_ami(Path(folder) / "mimic", progress=False)
    >>> cohort.outcome
    Outcome.binary(n=211, events=67, name='death_1yr_from_admit')
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
    directory = _check_folder(directory, overwrite)
    a = _simulate(rng, int(n_patients))
    icustay_id = 200001 + np.arange(a["n"])
    patients = _patients_table(a)
    admissions = _admissions_table(rng, a)
    icustays = _icustays_table(rng, a, icustay_id)
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
        "D_LABITEMS": _lab_dictionary(),
    }
    for name, frame in tables.items():
        _write(frame, name, directory, uppercase, compress)
    return _truth(a, ami_code)
