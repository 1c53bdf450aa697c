"""The MIMIC-IV AMI predictors: first-day vitals and labs, outpatient measurements,
demographics, codes and medications.

chartevents, labevents and omr are scanned by DuckDB with the item ids (or result
names), the cohort's admissions (or patients) and the time windows pushed into the
scan; only the rows that pass reach pandas. The first-day summaries reuse the
MIMIC-III recipe (:mod:`._mimic3_features`): same item ids, windows and sanity bounds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._mimic3_features import _ethnicity, _labs, _medications, _report_bad_times, _vitals
from ._mimic3_tables import CKMB, LAB_ITEMS, TROPONIN_T, VITAL_ITEMS
from ._mimic4_codes import diagnosis_flags, elixhauser_any_version, procedure_flags
from ._mimic4_tables import CHART_ITEMS, OMR_LOOKBACK_DAYS, OMR_RESULTS
from ._tables import numbers, parse_times, reading

POUND_KG = 0.45359237
# Plausible outpatient values; others (typing errors, other units) are dropped.
OMR_BOUNDS = {
    "omr_sbp": (40.0, 300.0),
    "omr_dbp": (10.0, 200.0),
    "omr_weight_kg": (20.0, 400.0),
    "omr_bmi": (10.0, 100.0),
}
ADMISSION_TYPES = {
    "EW EMER.": "emergency",
    "DIRECT EMER.": "emergency",
    "URGENT": "urgent",
    "ELECTIVE": "elective",
    "SURGICAL SAME DAY ADMISSION": "elective",
    "OBSERVATION ADMIT": "observation",
    "EU OBSERVATION": "observation",
    "DIRECT OBSERVATION": "observation",
    "AMBULATORY OBSERVATION": "observation",
}
INSURANCE = {
    "MEDICARE": "medicare",
    "MEDICAID": "medicaid",
    "PRIVATE": "private",
    "OTHER": "other",
    "NO CHARGE": "no_charge",
}
MARITAL = {"MARRIED": "married", "SINGLE": "single", "WIDOWED": "widowed", "DIVORCED": "divorced"}
CARE_UNITS = {"CCU", "CVICU", "MICU", "MICU/SICU", "SICU", "TSICU"}

#: The wide table's columns that come only from each predictor table (left out when absent).
SOURCE_COLUMNS = {
    "chartevents": [f"{v}_{s}" for v in VITAL_ITEMS for s in ("min", "max", "mean")],
    "labevents": [f"{lab}_{s}" for lab in LAB_ITEMS if lab != "glucose" for s in ("min", "max")]
    + ["troponin_t_max", "troponin_t_below_lod", "ckmb_max"],
    "omr": list(OMR_BOUNDS),
    "prescriptions": [
        f"{drug}_{when}"
        for drug in ("aspirin", "p2y12", "beta_blocker", "statin", "acei_arb", "heparin")
        + ("loop_diuretic",)
        for when in ("48h", "stay")
    ],
    "procedures_icd": [
        "pci",
        "cabg",
        "cardiac_cath",
        "coronary_angiography",
        "iabp",
        "thrombolysis",
        "mech_vent",
    ],
}


def _register(connection, cohort: pd.DataFrame) -> None:
    """The cohort's ids and index times as a DuckDB table, for the scans to join."""
    frame = pd.DataFrame(
        {
            "subject_id": cohort["subject_id"].to_numpy(np.int64),
            "hadm_id": cohort["hadm_id"].to_numpy(np.int64),
            "admittime": cohort["admittime"].astype("datetime64[us]").to_numpy(),
            "intime": cohort["intime"].astype("datetime64[us]").to_numpy(),
        }
    )
    connection.register("riskml_cohort4_view", frame)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE riskml_cohort4 AS SELECT * FROM riskml_cohort4_view"
    )
    connection.unregister("riskml_cohort4_view")


def _scan_chartevents(connection, tables, check) -> pd.DataFrame:
    """First-day chart rows of the cohort's admissions: charttime in (intime, intime + 24 h]."""
    query = f"""
        WITH c AS (
            SELECT TRY_CAST(hadm_id AS BIGINT) AS hadm_id, TRY_CAST(itemid AS INTEGER) AS itemid,
                   charttime AS charttime_text, TRY_CAST(charttime AS TIMESTAMP) AS charttime,
                   TRY_CAST(valuenum AS DOUBLE) AS valuenum
            FROM {tables.source("chartevents")}
        )
        SELECT c.hadm_id, c.itemid, c.charttime_text, c.charttime, c.valuenum
        FROM c JOIN riskml_cohort4 k ON c.hadm_id = k.hadm_id
        WHERE c.itemid IN ({", ".join(map(str, CHART_ITEMS))})
          AND (c.charttime IS NULL
               OR (c.charttime > k.intime AND c.charttime <= k.intime + INTERVAL 24 HOUR))
    """
    with reading(tables.paths["chartevents"], "chartevents"):
        rows = connection.sql(query).df()
    _report_bad_times(rows, "chartevents", check, "hadm_id")
    return rows[rows["charttime"].notna()]


def _scan_labevents(connection, tables, check) -> pd.DataFrame:
    """Lab rows of the cohort's patients in [intime - 6 h, intime + 24 h] of each admission
    (joined on subject_id, so that results drawn before the admission existed count)."""
    items = sorted({i for ids, _ in LAB_ITEMS.values() for i in ids} | {TROPONIN_T, CKMB})
    comments = "comments" if "comments" in tables.columns["labevents"] else "NULL"
    query = f"""
        WITH l AS (
            SELECT TRY_CAST(subject_id AS BIGINT) AS subject_id,
                   TRY_CAST(itemid AS INTEGER) AS itemid,
                   charttime AS charttime_text, TRY_CAST(charttime AS TIMESTAMP) AS charttime,
                   value AS value, TRY_CAST(valuenum AS DOUBLE) AS valuenum,
                   {comments} AS comments
            FROM {tables.source("labevents")}
        )
        SELECT k.hadm_id, l.itemid, l.charttime_text, l.charttime, l.value, l.valuenum,
               l.comments
        FROM l JOIN riskml_cohort4 k ON l.subject_id = k.subject_id
        WHERE l.itemid IN ({", ".join(map(str, items))})
          AND (l.charttime IS NULL
               OR (l.charttime >= k.intime - INTERVAL 6 HOUR
                   AND l.charttime <= k.intime + INTERVAL 24 HOUR))
    """
    with reading(tables.paths["labevents"], "labevents"):
        rows = connection.sql(query).df()
    _report_bad_times(rows, "labevents", check, "hadm_id")
    rows = rows[rows["charttime"].notna()].copy()
    rows["value"] = _troponin_text(rows)
    return rows


def _troponin_text(labs: pd.DataFrame) -> pd.Series:
    """The text that the troponin T parser reads: MIMIC-IV writes a measured troponin T in
    VALUENUM (VALUE is de-identified as '___') and a result below detection only in
    COMMENTS ('<0.01. cTropnT > 0.10 ng/mL suggests Acute MI.')."""
    text = labs["value"].astype(object)
    troponin = (labs["itemid"] == TROPONIN_T).to_numpy()
    if not troponin.any():
        return text
    measured = labs["valuenum"].map(lambda v: f"{v:g}" if pd.notna(v) else None)
    below = labs["comments"].astype("string").str.extract(r"^\s*(<\s*\d*\.?\d+)", expand=False)
    parsed = measured.where(measured.notna(), below.astype(object).where(below.notna(), text))
    return text.where(~troponin, parsed)


def _scan_omr(connection, tables) -> pd.DataFrame:
    """Outpatient measurements of the cohort's patients dated in the lookback window before
    the day of admission (omr has dates, no times: the admission day is left out)."""
    names = " OR ".join(f"o.result_name LIKE '{pattern}'" for pattern in OMR_RESULTS.values())
    query = f"""
        WITH o AS (
            SELECT TRY_CAST(subject_id AS BIGINT) AS subject_id,
                   TRY_CAST(chartdate AS DATE) AS chartdate,
                   trim(result_name) AS result_name, trim(result_value) AS result_value
            FROM {tables.source("omr")}
        )
        SELECT k.hadm_id, o.chartdate, o.result_name, o.result_value
        FROM o JOIN riskml_cohort4 k ON o.subject_id = k.subject_id
        WHERE ({names})
          AND o.chartdate < CAST(k.admittime AS DATE)
          AND o.chartdate >= CAST(k.admittime AS DATE) - INTERVAL {OMR_LOOKBACK_DAYS} DAY
    """
    with reading(tables.paths["omr"], "omr"):
        return connection.sql(query).df()


def _outpatient(omr: pd.DataFrame) -> pd.DataFrame:
    """Each admission's latest outpatient blood pressure, weight and BMI (the mean of the
    values of the latest date with a plausible value)."""
    name = omr["result_name"]
    pressure = omr["result_value"].str.extract(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")
    long = pd.concat(
        [
            omr.assign(feature="omr_sbp", v=pd.to_numeric(pressure[0]))[
                name.str.startswith("Blood Pressure")
            ],
            omr.assign(feature="omr_dbp", v=pd.to_numeric(pressure[1]))[
                name.str.startswith("Blood Pressure")
            ],
            omr.assign(feature="omr_weight_kg", v=numbers(omr["result_value"]) * POUND_KG)[
                name == OMR_RESULTS["weight_lbs"]
            ],
            omr.assign(feature="omr_bmi", v=numbers(omr["result_value"]))[
                name == OMR_RESULTS["bmi"]
            ],
        ],
        ignore_index=True,
    )
    low = long["feature"].map({k: b[0] for k, b in OMR_BOUNDS.items()})
    high = long["feature"].map({k: b[1] for k, b in OMR_BOUNDS.items()})
    long = long[(long["v"] >= low) & (long["v"] <= high)]
    latest = long.groupby(["hadm_id", "feature"])["chartdate"].transform("max")
    long = long[long["chartdate"] == latest]
    wide = long.groupby(["hadm_id", "feature"])["v"].mean().unstack("feature")
    return wide.reindex(columns=list(OMR_BOUNDS))


def _care_unit(values: pd.Series) -> pd.Series:
    """'Coronary Care Unit (CCU)' -> 'CCU'; the neuro units -> 'neuro'; others -> 'other'."""
    text = values.fillna("").str.strip()
    short = text.str.extract(r"\(([^()]+)\)\s*$", expand=False).fillna(text)
    out = short.where(short.isin(CARE_UNITS), "other")
    return out.where(~text.str.upper().str.startswith("NEURO"), "neuro")


def _demographics(cohort: pd.DataFrame) -> None:
    """Demographic columns recoded to the ``mimic4_ami`` schema's levels (in place)."""
    cohort["race"] = _ethnicity(cohort["race"])
    cohort["admission_type"] = cohort["admission_type"].str.strip().str.upper().map(ADMISSION_TYPES)
    cohort["insurance"] = cohort["insurance"].str.strip().str.upper().map(INSURANCE)
    cohort["marital_status"] = cohort["marital_status"].str.strip().str.upper().map(MARITAL)
    cohort["gender"] = cohort["gender"].str.strip().str.upper()
    cohort["first_careunit"] = _care_unit(cohort["first_careunit"])
    cohort["ami_primary_dx"] = cohort["ami_primary_dx"].astype(np.int64)


def _codes(connection, tables, name, cohort) -> pd.DataFrame:
    """One table's rows of the cohort's admissions, ids and versions as numbers."""
    frame = tables.read(
        connection,
        name,
        where="WHERE TRY_CAST(hadm_id AS BIGINT) IN (SELECT hadm_id FROM riskml_cohort4)",
    )
    frame["hadm_id"] = numbers(frame["hadm_id"]).astype(np.int64)
    if "icd_version" in frame:
        frame["icd_version"] = numbers(frame["icd_version"])
        frame["icd_code"] = frame["icd_code"].fillna("").str.strip().str.upper()
    return frame


def _event_tables(connection, tables, check, cohort, present, advance) -> dict:
    """The rows each present table contributes, keyed by table (empty where absent)."""
    _register(connection, cohort)
    empty_chart = pd.DataFrame(
        {
            "hadm_id": pd.Series([], dtype=np.int64),
            "itemid": pd.Series([], dtype=np.int32),
            "valuenum": pd.Series([], dtype=float),
        }
    )
    empty_labs = empty_chart.assign(value=pd.Series([], dtype=object))
    rows = {"chartevents": empty_chart, "labevents": empty_labs}
    advance("chartevents")
    if "chartevents" in present:
        rows["chartevents"] = _scan_chartevents(connection, tables, check)
    advance("labevents")
    if "labevents" in present:
        rows["labevents"] = _scan_labevents(connection, tables, check)
    advance("omr, codes, prescriptions")
    if "omr" in present:
        rows["omr"] = _scan_omr(connection, tables)
    rows["diagnoses_icd"] = _codes(connection, tables, "diagnoses_icd", cohort)
    for name in ("procedures_icd", "prescriptions"):
        if name in present:
            rows[name] = _codes(connection, tables, name, cohort)
    if "prescriptions" in present:
        parse_times(
            rows["prescriptions"], "prescriptions", ["starttime"], check, id_column="hadm_id"
        )
        rows["prescriptions"] = rows["prescriptions"].rename(columns={"starttime": "startdate"})
    return rows


def _wide(cohort, schema, check, rows, present) -> pd.DataFrame:
    """One row per admission: the cohort's columns and every predictor, in schema order;
    the columns of absent tables left out."""
    keys = pd.Index(cohort["hadm_id"], name="hadm_id")
    parts = [
        elixhauser_any_version(rows["diagnoses_icd"], keys),
        diagnosis_flags(rows["diagnoses_icd"], keys),
        _labs(rows["labevents"], rows["chartevents"], schema, check).reindex(keys),
    ]
    if "chartevents" in present:
        parts.append(_vitals(rows["chartevents"]).reindex(keys))
    if "omr" in present:
        parts.append(_outpatient(rows["omr"]).reindex(keys))
    if "procedures_icd" in present:
        parts.append(procedure_flags(rows["procedures_icd"], keys))
    if "prescriptions" in present:
        parts.append(_medications(rows["prescriptions"], cohort))
    wide = cohort.set_index("hadm_id").join(parts).reset_index()
    wide["dod"] = wide["dod"].dt.normalize()
    absent = {
        c for table, columns in SOURCE_COLUMNS.items() if table not in present for c in columns
    }
    if not {"chartevents", "labevents"} & set(present):
        absent |= {"glucose_min", "glucose_max"}
    names = [c.name for c in schema.columns if c.name not in absent]
    for name in names:  # an item never measured in this cohort
        if name not in wide:
            wide[name] = np.nan
    return wide[names]
