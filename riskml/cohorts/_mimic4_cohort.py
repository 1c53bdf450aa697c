"""Select the MIMIC-IV AMI admissions: index codes, inclusion and exclusion steps, outcomes.

Each step is counted in the CONSORT-style flow of the MIMIC-III recipe
(:class:`._mimic3_cohort._Flow`). Only the candidate admissions' rows of admissions,
patients and icustays reach pandas: DuckDB filters the tables on the way in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._mimic3_cohort import _check_unique, _days
from ._mimic4_codes import AMI_TYPES, ami_type
from ._tables import numbers, parse_times, reading

__all__ = ["AGE_TOP", "DEATH_FOLLOWUP_DAYS", "FIRST_STEP", "INDEX_CODES_SQL"]

#: MIMIC-IV sets anchor_age to 91 for every patient older than 89; ages above 89 become 91.
AGE_TOP = 91.0
#: Out-of-hospital deaths are recorded up to one year after the patient's last discharge.
DEATH_FOLLOWUP_DAYS = 365.0
FIRST_STEP = "admissions with an AMI code (ICD-9 410.x, 411.0; ICD-10 I21.x, I22.x, I24.1)"
#: The index codes, any position: a SQL condition on diagnoses_icd (dot-less codes).
INDEX_CODES_SQL = (
    "(TRY_CAST(icd_version AS INTEGER) = 9 AND (trim(icd_code) LIKE '410%' "
    "OR trim(icd_code) = '4110')) OR (TRY_CAST(icd_version AS INTEGER) = 10 AND "
    "(trim(icd_code) LIKE 'I21%' OR trim(icd_code) LIKE 'I22%' OR trim(icd_code) = 'I241'))"
)


def _index_codes(codes, primary_only, exclude_subsequent_episode):
    """Each admission's index code (highest-precedence type, then lowest seq_num), after
    the options."""
    if exclude_subsequent_episode:
        subsequent = ((codes["icd_version"] == 9) & codes["icd_code"].str.fullmatch(r"410\d2")) | (
            (codes["icd_version"] == 10) & codes["icd_code"].str.startswith("I22")
        )
        codes = codes[~subsequent]
    codes = codes.assign(ami_type=ami_type(codes["icd_code"], codes["icd_version"]))
    codes["rank"] = codes["ami_type"].map({t: i for i, t in enumerate(AMI_TYPES)})
    if primary_only:
        codes = codes[codes["hadm_id"].isin(codes.loc[codes["seq_num"] == 1, "hadm_id"])]
    codes = codes.sort_values(["hadm_id", "rank", "seq_num", "icd_code"], kind="stable")
    chosen = codes.groupby("hadm_id", sort=False).first()
    chosen["ami_primary_dx"] = codes.groupby("hadm_id")["seq_num"].min() == 1
    chosen = chosen.rename(columns={"icd_code": "ami_icd_code", "icd_version": "ami_icd_version"})
    return chosen[["ami_type", "ami_icd_code", "ami_icd_version", "ami_primary_dx"]]


def _index_diagnoses(connection, tables, primary_only, exclude_subsequent_episode):
    """The index-code rows of diagnoses_icd, each admission's index code and the candidate
    admissions (hadm_id); no candidate is refused."""
    codes = tables.read(connection, "diagnoses_icd", where=f"WHERE {INDEX_CODES_SQL}")
    for column in ("hadm_id", "subject_id", "seq_num", "icd_version"):
        codes[column] = numbers(codes[column])
    codes["icd_code"] = codes["icd_code"].str.strip().str.upper()
    codes = codes[codes["hadm_id"].notna()]
    if codes.empty:
        raise ValueError(
            f"{tables.where('diagnoses_icd')} has no AMI code (ICD-9 410.x or 411.0, ICD-10 "
            "I21.x, I22.x or I24.1), so the MIMIC-IV AMI cohort is empty. Fix: check that the "
            "folder holds the full MIMIC-IV diagnoses_icd table (icd_code without dots, "
            "icd_version 9 or 10)."
        )
    index = _index_codes(codes, primary_only, exclude_subsequent_episode)
    candidates = index.index.astype(np.int64)
    if len(candidates) == 0:
        raise ValueError(
            "no admission is left in the MIMIC-IV AMI cohort after the diagnosis options "
            f"(primary_only={primary_only}, exclude_subsequent_episode="
            f"{exclude_subsequent_episode}). Fix: relax these options."
        )
    return codes, index, candidates


def _register_ids(connection, name: str, ids) -> None:
    """A temporary one-column table of ids for DuckDB to filter scans with."""
    frame = pd.DataFrame({"id": np.asarray(ids, dtype=np.int64)})
    connection.register(f"{name}_view", frame)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_view")
    connection.unregister(f"{name}_view")


def _read_core(connection, tables, check, candidates):
    """The candidates' admissions, patients and icustays rows, ids and times parsed, and
    each of their patients' last discharge (over every admission)."""
    _register_ids(connection, "riskml_candidates", candidates)
    in_candidates = "WHERE TRY_CAST(hadm_id AS BIGINT) IN (SELECT id FROM riskml_candidates)"
    admissions = tables.read(connection, "admissions", where=in_candidates)
    for column in ("hadm_id", "subject_id"):
        admissions[column] = numbers(admissions[column])
    _check_unique(admissions, "admissions", "hadm_id", check)
    parse_times(
        admissions,
        "admissions",
        ["admittime", "dischtime", "deathtime"],
        check,
        id_column="hadm_id",
    )
    _register_ids(connection, "riskml_subjects", admissions["subject_id"].dropna().unique())
    in_subjects = "WHERE TRY_CAST(subject_id AS BIGINT) IN (SELECT id FROM riskml_subjects)"
    patients = tables.read(connection, "patients", where=in_subjects)
    patients["subject_id"] = numbers(patients["subject_id"])
    _check_unique(patients, "patients", "subject_id", check)
    parse_times(patients, "patients", ["dod"], check, id_column="subject_id", date_only=True)
    query = f"""
        SELECT TRY_CAST(subject_id AS BIGINT) AS subject_id,
               max(TRY_CAST(dischtime AS TIMESTAMP)) AS last_dischtime
        FROM {tables.source("admissions")} {in_subjects} GROUP BY 1
    """
    with reading(tables.paths["admissions"], "admissions"):
        last = connection.sql(query).df().set_index("subject_id")["last_dischtime"]
    icustays = tables.read(connection, "icustays", where=in_candidates)
    for column in ("hadm_id", "stay_id"):
        icustays[column] = numbers(icustays[column])
    _check_unique(icustays, "icustays", "stay_id", check)
    parse_times(icustays, "icustays", ["intime"], check, id_column="stay_id")
    check.raise_if_any()
    return admissions, patients, icustays, last


def _admission_steps(codes, index, candidates, admissions, flow):
    """The coded admissions through the admission-level exclusions."""
    flow.add(FIRST_STEP, codes[codes["hadm_id"].isin(candidates)].drop_duplicates("hadm_id"))
    before = len(candidates)
    cohort = admissions.merge(index, left_on="hadm_id", right_index=True, how="inner")
    flow.add("excluded: no admissions row", cohort, before)
    before = len(cohort)
    cohort = cohort[cohort["dischtime"].notna()]
    flow.add("excluded: discharge time missing", cohort, before)
    return cohort


def _with_icu_stay_and_age(cohort, icustays, patients, flow):
    """Each admission's first ICU stay (t0; none: excluded), its patient (none: excluded)
    and the age at admission (under 18: excluded)."""
    stays = icustays.sort_values(["hadm_id", "intime", "stay_id"], kind="stable")
    first = stays.groupby("hadm_id").first()
    first["n_icu_stays"] = stays.groupby("hadm_id").size()
    before = len(cohort)
    cohort = cohort.merge(
        first[["stay_id", "intime", "first_careunit", "los", "n_icu_stays"]],
        left_on="hadm_id",
        right_index=True,
        how="inner",
    )
    flow.add("excluded: no ICU stay", cohort, before)
    before = len(cohort)
    people = patients[["subject_id", "gender", "anchor_age", "anchor_year", "dod"]]
    if "anchor_year_group" in patients:
        people = people.assign(anchor_year_group=patients["anchor_year_group"])
    cohort = cohort.merge(people, on="subject_id", how="inner")
    known = numbers(cohort["anchor_age"]).notna() & numbers(cohort["anchor_year"]).notna()
    cohort = cohort[known.to_numpy()]
    flow.add("excluded: no patients row or anchor age", cohort, before)
    # mimic-code's age: anchor_age plus the years from anchor_year to the admission
    age = (
        numbers(cohort["anchor_age"]) + cohort["admittime"].dt.year - numbers(cohort["anchor_year"])
    )
    cohort = cohort.assign(age_gt89=(age > 89).astype(np.int64), age=np.minimum(age, AGE_TOP))
    before = len(cohort)
    cohort = cohort[cohort["age"] >= 18]
    flow.add("excluded: age under 18", cohort, before)
    return cohort


def _patient_steps(cohort, flow, excluded_ids, first_admission_only):
    """The exclusions the options ask for; an empty cohort is refused."""
    if excluded_ids:
        before = len(cohort)
        cohort = cohort[~cohort["hadm_id"].isin(excluded_ids)]
        flow.add("excluded: exclude_hadm_ids", cohort, before)
    if first_admission_only:
        before = len(cohort)
        cohort = cohort.sort_values(["subject_id", "admittime"], kind="stable")
        cohort = cohort.groupby("subject_id", sort=False).head(1)
        flow.add("excluded: not the patient's first qualifying admission", cohort, before)
    if cohort.empty:
        steps = "; ".join(f"{row['step']}: {row['admissions']} left" for row in flow.rows)
        raise ValueError(
            f"no admission is left in the MIMIC-IV AMI cohort after the inclusion and "
            f"exclusion steps ({steps}). Fix: check that the folder holds the full tables "
            "(diagnoses_icd with AMI codes, their admissions, icustays and patients rows) and "
            "relax the options (primary_only, exclude_hadm_ids, ...)."
        )
    cohort = cohort.sort_values("hadm_id", kind="stable").reset_index(drop=True)
    for column in ("hadm_id", "subject_id", "stay_id", "ami_icd_version"):
        cohort[column] = cohort[column].astype(np.int64)
    return cohort


def _outcomes(cohort, last_dischtime) -> np.ndarray:
    """The outcome columns, added in place; returns which admissions ended in death in
    hospital.

    Deaths count from ADMITTIME: DEATHTIME for a death in hospital, else patients.dod (a
    date; a same-day difference below zero counts as 0). A survivor is followed to one
    year after the patient's last discharge (MIMIC-IV links state death records up to
    then), so every one-year label is complete.
    """
    died_in_hospital = numbers(cohort["hospital_expire_flag"]).fillna(0).to_numpy() == 1
    death_time = cohort["deathtime"].where(
        died_in_hospital & cohort["deathtime"].notna(), cohort["dod"]
    )
    dod_days = _days(death_time, cohort["admittime"])
    dod_days = np.where((dod_days < 0) & (dod_days >= -1), 0.0, dod_days)
    after_discharge = _days(death_time, cohort["dischtime"])
    last = pd.to_datetime(cohort["subject_id"].map(last_dischtime))
    followup_days = _days(last, cohort["admittime"]) + DEATH_FOLLOWUP_DAYS
    recorded = ~np.isnan(dod_days)
    with np.errstate(invalid="ignore"):
        cohort["hospital_expire_flag"] = died_in_hospital.astype(np.int64)
        cohort["death_1yr_from_admit"] = (recorded & (dod_days <= 365)).astype(np.int64)
        cohort["death_1yr_post_discharge"] = np.where(
            died_in_hospital, np.nan, (recorded & (after_discharge <= 365)).astype(float)
        )
    cohort["dod_days"] = dod_days
    cohort["followup_days"] = np.round(followup_days, 4)
    cohort["death_event"] = recorded.astype(np.int64)
    cohort["death_time_days"] = np.where(recorded, dod_days, cohort["followup_days"])
    cohort["los_hosp_days"] = np.round(_days(cohort["dischtime"], cohort["admittime"]), 4)
    cohort["los_icu_days"] = numbers(cohort["los"])
    return died_in_hospital


def _label_steps(cohort, died_in_hospital, label, flow):
    """The exclusion the label asks for (in-hospital deaths for the post-discharge label)."""
    if label == "death_1yr_post_discharge":
        before = len(cohort)
        cohort = cohort[~died_in_hospital].reset_index(drop=True)
        flow.add("excluded: died in hospital (label death_1yr_post_discharge)", cohort, before)
    return cohort
