"""Synthetic MIMIC-III event rows of simulated admissions: vitals, labs, codes and drugs.

Each function takes the simulated admissions (``_mimic3_synthetic._simulate``)
and returns one raw table's rows as MIMIC-III v1.4 writes them: CareVue or
MetaVision item ids, degrees Fahrenheit, rows marked ERROR, troponin T as text,
laboratory rows drawn in the emergency department without HADM_ID.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

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
# Charted vitals: the SD of the hourly values around each admission's mean, and the decimals.
CHART_SD = {
    "heartrate": 9,
    "sysbp": 13,
    "diasbp": 8,
    "meanbp": 9,
    "resprate": 3,
    "spo2": 1.5,
    "tempc": 0.35,
    "glucose": 30,
}
CHART_DECIMALS = {
    "heartrate": 0,
    "sysbp": 0,
    "diasbp": 0,
    "meanbp": 0,
    "resprate": 0,
    "spo2": 0,
    "tempc": 1,
    "glucose": 0,
}


def _fmt_time(values) -> np.ndarray:
    """datetime64 -> 'YYYY-MM-DD HH:MM:SS' text ('' for NaT)."""
    values = np.asarray(values, dtype="datetime64[s]")
    text = np.datetime_as_string(values, unit="s").astype(object)
    text = np.char.replace(text.astype(str), "T", " ").astype(object)
    text[np.isnat(values)] = ""
    return text


def _series(rng, n_adm_rows, mean, sd, hours, phi=0.7):
    """AR(1) noise around per-admission means at the given hours."""
    k = len(hours)
    noise = rng.normal(size=(n_adm_rows, k))
    for j in range(1, k):
        noise[:, j] = phi * noise[:, j - 1] + np.sqrt(1 - phi**2) * noise[:, j]
    return mean[:, None] + sd * noise


def _chart_means(a) -> dict:
    """Each admission's mean of every charted vital, from its severity and shock."""
    sev = a["severity"]
    return {
        "heartrate": 82 + 9 * sev + 6 * a["shock"],
        "sysbp": 118 - 9 * sev - 14 * a["shock"],
        "diasbp": 60 - 4 * sev,
        "meanbp": 78 - 6 * sev - 8 * a["shock"],
        "resprate": 18.5 + 2.2 * sev,
        "spo2": 97 - 1.2 * np.maximum(sev, 0),
        "tempc": 36.9 + 0.25 * sev,
        "glucose": np.exp(np.log(150) + 0.15 * sev),
    }


def _chart_values(rng, a) -> pd.DataFrame:
    """The charted vitals as rows (``adm``, ``hours``, ``itemid``, ``valuenum``): hourly
    (glucose every 6 h, temperature every 4 h), some temperatures in degrees F."""
    n = a["n"]
    hours = np.arange(-2, 31, 1.0)  # hourly, from 2 h before to 30 h after intime
    means = _chart_means(a)
    rows = []
    carevue = a["era"] == "carevue"
    fahrenheit = ~carevue | (rng.random(n) < 0.5)  # MetaVision charts degrees F
    for name, mean in means.items():
        use_hours = hours if name != "glucose" else hours[::6]
        values = _series(rng, n, mean, CHART_SD[name], use_hours)
        if name == "spo2":
            values = np.minimum(values, 100)
        values = np.round(values, CHART_DECIMALS[name])
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
    return pd.concat(rows, ignore_index=True)


def _mark_errors(rng, a, chart: pd.DataFrame) -> None:
    """The ERROR column (in place): n_admissions // 10 MetaVision rows (at least one) are made
    implausible and marked 1; the loader must ignore them."""
    n = a["n"]
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


def _chartevents(rng, a, icustay_id):
    chart = _chart_values(rng, a)
    _mark_errors(rng, a, chart)
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
