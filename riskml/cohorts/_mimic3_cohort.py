"""Select the MIMIC-III AMI admissions: index codes, inclusion and exclusion steps, outcomes.

Each step is counted in a CONSORT-style flow; the outcome columns (deaths from
ADMITTIME, censored at each ICU system's guaranteed follow-up) are derived before
the label-specific exclusions, which need them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._mimic3_tables import FOLLOWUP_DAYS
from ._tables import numbers, parse_times

AGE_SHIFTED = 91.4  # documented median age of the patients older than 89
DAYS_PER_YEAR = 365.242


def _days(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    """``later - earlier`` in days (NaN where either is missing), without the 292-year
    limit of nanosecond time deltas (shifted dates of birth are 300 years back)."""
    a = later.to_numpy(dtype="datetime64[s]")
    b = earlier.to_numpy(dtype="datetime64[s]")
    days = (a - b).astype("timedelta64[s]").astype(np.int64) / 86400.0
    days[np.isnat(a) | np.isnat(b)] = np.nan
    return days


class _Flow:
    """The cohort's inclusion and exclusion steps, with counts (CONSORT-style)."""

    def __init__(self):
        self.rows = []

    def add(self, step: str, frame: pd.DataFrame, before: int | None = None):
        self.rows.append(
            {
                "step": step,
                "excluded": None if before is None else before - len(frame),
                "admissions": len(frame),
                "patients": int(frame["subject_id"].nunique()),
            }
        )

    def frame(self) -> pd.DataFrame:
        out = pd.DataFrame(self.rows)
        out["excluded"] = out["excluded"].astype("Int64")
        return out


def _index_codes(diagnoses, primary_only, exclude_subsequent_episode):
    """AMI / post-MI codes per admission with their type, after the options."""
    code = diagnoses["icd9_code"].fillna("").str.strip().str.upper()
    is_ami = code.str.fullmatch(r"410\d{0,2}")
    is_post = code == "4110"
    codes = diagnoses.assign(icd9_code=code)[is_ami | is_post].copy()
    codes["seq_num"] = numbers(codes["seq_num"])
    if exclude_subsequent_episode:
        codes = codes[
            ~(
                (codes["icd9_code"].str.len() == 5)
                & codes["icd9_code"].str.endswith("2")
                & codes["icd9_code"].str.startswith("410")
            )
        ]
    site = codes["icd9_code"].str[3:4]
    kind = np.select(
        [codes["icd9_code"] == "4110", site == "7", site == "9"],
        ["post_mi_syndrome", "NSTEMI", "unspecified"],
        default="STEMI",
    )
    codes["ami_type"] = kind
    codes["rank"] = pd.Series(kind, index=codes.index).map(
        {"STEMI": 0, "NSTEMI": 1, "unspecified": 2, "post_mi_syndrome": 3}
    )
    if primary_only:
        primary = codes.loc[codes["seq_num"] == 1, "hadm_id"]
        codes = codes[codes["hadm_id"].isin(primary)]
    codes = codes.sort_values(["hadm_id", "rank", "seq_num", "icd9_code"], kind="stable")
    chosen = codes.groupby("hadm_id", sort=False).first()
    chosen["ami_primary_dx"] = codes.groupby("hadm_id")["seq_num"].min() == 1
    chosen["ami_icd9_code"] = chosen["icd9_code"]
    return chosen[["ami_type", "ami_icd9_code", "ami_primary_dx"]]


def _index_diagnoses(connection, tables, primary_only, exclude_subsequent_episode):
    """The AMI and post-MI rows of DIAGNOSES_ICD, each admission's index code and the
    candidate admissions (HADM_ID); an empty candidate list is refused."""
    diagnoses_ami = tables.read(
        connection,
        "DIAGNOSES_ICD",
        where="WHERE trim(icd9_code) LIKE '410%' OR trim(icd9_code) = '4110'",
    )
    diagnoses_ami["hadm_id"] = numbers(diagnoses_ami["hadm_id"])
    if diagnoses_ami.empty:
        raise ValueError(
            f"{tables.paths['DIAGNOSES_ICD'].name} has no AMI (410.x) or post-MI syndrome "
            "(411.0) code, so the MIMIC-III AMI cohort is empty. Fix: check that the folder "
            "holds the full DIAGNOSES_ICD table (ICD9_CODE without dots, e.g. 41071)."
        )
    index = _index_codes(diagnoses_ami, primary_only, exclude_subsequent_episode)
    candidates = index.index.dropna().astype(np.int64)
    if len(candidates) == 0:
        raise ValueError(
            "no admission is left in the MIMIC-III AMI cohort after the diagnosis options "
            f"(primary_only={primary_only}, exclude_subsequent_episode="
            f"{exclude_subsequent_episode}). Fix: relax these options, or check that the "
            "folder holds the full DIAGNOSES_ICD table."
        )
    return diagnoses_ami, index, candidates


def _read_admissions(connection, tables, check, candidates):
    """The ADMISSIONS, PATIENTS and ICUSTAYS rows of the candidates, ids and times parsed,
    with each candidate's ``next_admittime`` (for the readmission label)."""
    every = tables.read(connection, "ADMISSIONS")
    every["hadm_id"] = numbers(every["hadm_id"])
    every["subject_id"] = numbers(every["subject_id"])
    admissions = every[every["hadm_id"].isin(candidates)].copy()
    _check_unique(admissions, "ADMISSIONS", "hadm_id", check)
    parse_times(
        admissions,
        "ADMISSIONS",
        ["admittime", "dischtime", "deathtime"],
        check,
        id_column="hadm_id",
    )
    # the patients' other admissions: only their start times are read (an unreadable
    # one cannot be a readmission and is skipped; it is not a cohort admission)
    others = every.loc[every["subject_id"].isin(admissions["subject_id"]), ["subject_id"]]
    others["admittime"] = pd.to_datetime(
        every.loc[others.index, "admittime"], format="ISO8601", errors="coerce"
    )
    admissions["next_admittime"] = _next_admission(admissions, others)

    patients = tables.read(connection, "PATIENTS")
    patients["subject_id"] = numbers(patients["subject_id"])
    patients = patients[patients["subject_id"].isin(admissions["subject_id"])].copy()
    _check_unique(patients, "PATIENTS", "subject_id", check)
    parse_times(patients, "PATIENTS", ["dob", "dod"], check, id_column="subject_id")

    icustays = tables.read(connection, "ICUSTAYS")
    icustays["hadm_id"] = numbers(icustays["hadm_id"])
    icustays = icustays[icustays["hadm_id"].isin(candidates)].copy()
    icustays["icustay_id"] = numbers(icustays["icustay_id"])
    _check_unique(icustays, "ICUSTAYS", "icustay_id", check)
    parse_times(icustays, "ICUSTAYS", ["intime"], check, id_column="icustay_id")
    check.raise_if_any()
    return admissions, patients, icustays


def _next_admission(admissions: pd.DataFrame, others: pd.DataFrame) -> np.ndarray:
    """Each admission's first later ADMITTIME of the same patient after its DISCHTIME
    (NaT if none), among ``others`` (``subject_id``, ``admittime``): any admission in
    ADMISSIONS, which holds the hospital admissions with an ICU stay."""
    starts = others.dropna(subset=["admittime"]).sort_values(
        ["subject_id", "admittime"], kind="stable"
    )
    by_patient = {
        subject: group.to_numpy(dtype="datetime64[ns]")
        for subject, group in starts.groupby("subject_id", sort=False)["admittime"]
    }
    following = np.full(len(admissions), np.datetime64("NaT"), dtype="datetime64[ns]")
    ends = admissions["dischtime"].to_numpy(dtype="datetime64[ns]")
    for k, subject in enumerate(admissions["subject_id"].to_numpy()):
        times = by_patient.get(subject)
        if times is None or np.isnat(ends[k]):
            continue
        position = np.searchsorted(times, ends[k], side="right")
        if position < len(times):
            following[k] = times[position]
    return following


def _admission_steps(diagnoses_ami, index, candidates, admissions, flow):
    """The coded admissions through the admission-level exclusions."""
    coded = diagnoses_ami[diagnoses_ami["hadm_id"].isin(candidates)]
    flow.add(
        "admissions with an AMI (410.x) or post-MI syndrome (411.0) code",
        coded.drop_duplicates("hadm_id"),
    )
    before = len(candidates)
    cohort = admissions.merge(index, left_on="hadm_id", right_index=True, how="inner")
    flow.add("excluded: no ADMISSIONS row", cohort, before)
    before = len(cohort)
    cohort = cohort[cohort["dischtime"].notna()]
    flow.add("excluded: discharge time missing", cohort, before)
    before = len(cohort)
    donor = cohort["diagnosis"].fillna("").str.contains("ORGAN DONOR|DONOR ACCOUNT", case=False)
    cohort = cohort[~donor]
    flow.add("excluded: organ-donor accounts", cohort, before)
    before = len(cohort)
    cohort = cohort[numbers(cohort["has_chartevents_data"]) != 0]
    flow.add("excluded: no chart data (HAS_CHARTEVENTS_DATA = 0)", cohort, before)
    return cohort


def _with_icu_stay_and_age(cohort, icustays, patients, flow):
    """Each admission's first ICU stay (t0; none: excluded) and the age at admission."""
    stays = icustays.sort_values(["hadm_id", "intime", "icustay_id"], kind="stable")
    first = stays.groupby("hadm_id").first()
    first["n_icu_stays"] = stays.groupby("hadm_id").size()
    before = len(cohort)
    cohort = cohort.merge(
        first[["icustay_id", "intime", "dbsource", "first_careunit", "los", "n_icu_stays"]],
        left_on="hadm_id",
        right_index=True,
        how="inner",
    )
    flow.add("excluded: no ICU stay", cohort, before)

    cohort = cohort.merge(
        patients[["subject_id", "gender", "dob", "dod"]], on="subject_id", how="left"
    )
    age = _days(cohort["admittime"], cohort["dob"]) / DAYS_PER_YEAR
    cohort["age_gt89"] = (age > 89).astype(np.int64)
    cohort["age"] = np.where(age > 89, AGE_SHIFTED, np.round(age, 2))
    return cohort, age


def _patient_steps(cohort, age, flow, excluded_ids, first_admission_only):
    """The exclusions by date of birth, age and the options; an empty cohort is refused."""
    before = len(cohort)
    born_later = (age < 0) | np.isnan(age)
    if born_later.any():
        ids = cohort.loc[born_later, "hadm_id"].astype(np.int64).tolist()
        warnings.warn(
            f"{int(born_later.sum())} admission(s) have a date of birth after the admission "
            f"or none (PATIENTS.DOB vs ADMISSIONS.ADMITTIME; first hadm_id: {ids[:5]}); they are "
            "excluded as 'date of birth missing or after admission', not as under 18. Fix: "
            "restore DOB from the original PATIENTS table (a date shifted with another "
            "patient's offset?).",
            UserWarning,
            stacklevel=4,
        )
    cohort = cohort[~born_later]
    flow.add("excluded: date of birth missing or after admission", cohort, before)
    before = len(cohort)
    cohort = cohort[cohort["age"] >= 18]
    flow.add("excluded: age under 18", cohort, before)
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
            f"no admission is left in the MIMIC-III AMI cohort after the inclusion and "
            f"exclusion steps ({steps}). Fix: check that the folder holds the full tables "
            "(DIAGNOSES_ICD with 410.x codes, their ADMISSIONS, ICUSTAYS and PATIENTS rows) "
            "and relax the options (primary_only, exclude_hadm_ids, ...)."
        )
    cohort = cohort.sort_values("hadm_id", kind="stable").reset_index(drop=True)
    cohort["hadm_id"] = cohort["hadm_id"].astype(np.int64)
    cohort["subject_id"] = cohort["subject_id"].astype(np.int64)
    return cohort


def _outcomes(cohort) -> np.ndarray:
    """The outcome columns, added in place; returns which admissions ended in death in hospital."""
    cohort["dbsource"] = cohort["dbsource"].str.strip().str.lower()
    # outcomes (before the label-specific exclusions, which need them)
    died_in_hospital = numbers(cohort["hospital_expire_flag"]).fillna(0).to_numpy() == 1
    death_time = cohort["deathtime"].where(
        died_in_hospital & cohort["deathtime"].notna(), cohort["dod"]
    )
    dod_days = _days(death_time, cohort["admittime"])
    same_day = (dod_days < 0) & (dod_days >= -1)
    dod_days = np.where(same_day, 0.0, dod_days)
    los_hosp = _days(cohort["dischtime"], cohort["admittime"])
    after_discharge = _days(death_time, cohort["dischtime"])
    followup_days = cohort["dbsource"].map(FOLLOWUP_DAYS).fillna(90.0).to_numpy()
    recorded = ~np.isnan(dod_days)
    with np.errstate(invalid="ignore"):
        cohort["hospital_expire_flag"] = died_in_hospital.astype(np.int64)
        cohort["death_1yr_from_admit"] = (recorded & (dod_days <= 365)).astype(np.int64)
        cohort["death_1yr_post_discharge"] = np.where(
            died_in_hospital, np.nan, (recorded & (after_discharge <= 365)).astype(float)
        )
        cohort["dod_days"] = dod_days
        cohort["followup_days"] = followup_days
        cohort["death_event"] = (recorded & (dod_days <= followup_days)).astype(np.int64)
        cohort["death_time_days"] = np.where(cohort["death_event"] == 1, dod_days, followup_days)
    # readmission from discharge, among patients discharged alive, death competing;
    # censored at the era's guaranteed follow-up (counted from ADMITTIME)
    with np.errstate(invalid="ignore"):
        readmit_days = np.where(
            died_in_hospital, np.nan, _days(cohort["next_admittime"], cohort["dischtime"])
        )
        horizon = np.where(died_in_hospital, np.nan, np.maximum(followup_days - los_hosp, 0.0))
        readmitted = (readmit_days <= horizon) & ~(after_discharge < readmit_days)
        died_first = (after_discharge <= horizon) & ~(readmit_days <= after_discharge)
        cohort["readmit_days"] = readmit_days
        cohort["readmit_event"] = np.where(
            died_in_hospital, np.nan, np.where(readmitted, 1.0, np.where(died_first, 2.0, 0.0))
        )
        cohort["readmit_time_days"] = np.where(
            readmitted,
            readmit_days,
            np.where(died_first, np.maximum(after_discharge, 0.0), horizon),
        )
    cohort["label_followup_adequate"] = (
        recorded | (cohort["dbsource"] == "carevue").to_numpy()
    ).astype(np.int64)
    cohort["los_hosp_days"] = np.round(los_hosp, 4)
    cohort["los_icu_days"] = numbers(cohort["los"])
    return died_in_hospital


def _label_steps(cohort, died_in_hospital, label, followup, flow):
    """The follow-up table of every era, then the exclusions the label and followup ask for."""
    followup_table = _followup_table(cohort)
    if label in ("death_1yr_post_discharge", "readmission"):
        before = len(cohort)
        cohort = cohort[~died_in_hospital].reset_index(drop=True)
        flow.add(f"excluded: died in hospital (label {label})", cohort, before)
    if followup == "carevue_only":
        before = len(cohort)
        cohort = cohort[cohort["dbsource"] == "carevue"].reset_index(drop=True)
        flow.add("excluded: not CareVue era (followup='carevue_only')", cohort, before)
    return cohort, followup_table


def _check_unique(frame, table, column, check):
    repeated = frame[column].duplicated(keep=False).to_numpy() & frame[column].notna().to_numpy()
    if repeated.any():
        check.add(
            f"{table}.{column}",
            "unique ids",
            mask=repeated,
            ids=frame[column].to_numpy(),
            id_label=column,
            detail=f"{int(frame.loc[repeated, column].nunique())} {column} value(s) appear more "
            "than once.",
            fix=f"remove the duplicated rows of {table} (a table appended twice?).",
        )


def _followup_table(cohort: pd.DataFrame) -> pd.DataFrame:
    """Recorded one-year deaths and inadequately followed survivors per ICU system."""
    rows = []
    for era, part in cohort.groupby("dbsource", sort=True):
        deaths = int(part["death_1yr_from_admit"].sum())
        rows.append(
            {
                "dbsource": era,
                "admissions": len(part),
                "deaths_1yr_recorded": deaths,
                "death_rate_1yr": deaths / len(part),
                "survivors_followup_inadequate": int((part["label_followup_adequate"] == 0).sum()),
                "guaranteed_followup_days": FOLLOWUP_DAYS.get(era, 90.0),
            }
        )
    return pd.DataFrame(rows)
