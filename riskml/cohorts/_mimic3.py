"""The MIMIC-III acute myocardial infarction extract, built from the raw v1.4 tables.

One row per hospital admission with an AMI (ICD-9 410.x, any position) or
post-MI syndrome (411.0) code and an ICU stay; t0 is the INTIME of the
admission's first ICU stay. The recipe follows study_designs.md section 2 and
the MIT-LCP/mimic-code concepts it cites (item ids, windows, sanity bounds),
re-implemented here: no mimic-code SQL is vendored.

CHARTEVENTS (330M rows, about 33 GB) and LABEVENTS (27M rows) are scanned by
DuckDB with the item ids, the cohort's admissions (or patients) and the time
windows pushed into the scan, under a memory cap; only the rows that pass reach
pandas.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._cohort import Cohort
from ._icd9 import AMI_FLAGS, PROCEDURES, code_flags, elixhauser
from ._schema import cohort_from_frame, load_schema
from ._tables import (
    RawChecker,
    TableSet,
    connect,
    numbers,
    parse_times,
    reading,
    remove_spill,
    warn_if_no_events,
)

__all__ = ["load_mimic3_ami", "LABELS", "FOLLOWUP_DAYS"]

SOURCE = (
    "MIMIC-III Clinical Database v1.4 (Johnson AEW, Pollard TJ, Shen L, et al. Sci Data "
    "2016;3:160035; PhysioNet, doi:10.13026/C2XW26)"
)

TABLE_COLUMNS = {
    "PATIENTS": ("subject_id", "gender", "dob", "dod"),
    "ADMISSIONS": (
        "subject_id",
        "hadm_id",
        "admittime",
        "dischtime",
        "deathtime",
        "admission_type",
        "insurance",
        "marital_status",
        "ethnicity",
        "diagnosis",
        "hospital_expire_flag",
        "has_chartevents_data",
    ),
    "ICUSTAYS": (
        "subject_id",
        "hadm_id",
        "icustay_id",
        "dbsource",
        "first_careunit",
        "intime",
        "los",
    ),
    "DIAGNOSES_ICD": ("subject_id", "hadm_id", "seq_num", "icd9_code"),
    "PROCEDURES_ICD": ("hadm_id", "icd9_code"),
    "PRESCRIPTIONS": ("hadm_id", "startdate", "drug"),
    "CHARTEVENTS": ("hadm_id", "itemid", "charttime", "valuenum", "error"),
    "LABEVENTS": ("subject_id", "itemid", "charttime", "value", "valuenum"),
}
OPTIONAL_COLUMNS = {"D_LABITEMS": ("itemid", "label")}

# First-day vital signs: CHARTEVENTS item ids (CareVue and MetaVision) and the sanity bounds
# of mimic-code's vitals_first_day (exclusive; SpO2's upper bound inclusive).
VITAL_ITEMS = {
    "heartrate": ((211, 220045), (0, 300)),
    "sysbp": ((51, 442, 455, 6701, 220179, 220050), (0, 400)),
    "diasbp": ((8368, 8440, 8441, 8555, 220180, 220051), (0, 300)),
    "meanbp": ((456, 52, 6702, 443, 220052, 220181, 225312), (0, 300)),
    "resprate": ((615, 618, 220210, 224690), (0, 70)),
    "tempc": ((223762, 676, 226329, 227632, 227634), (10, 50)),
    "spo2": ((646, 220277), (0, 100)),
}
TEMP_F_ITEMS = (223761, 678)  # degrees F, kept when 70 < F < 120, then converted
GLUCOSE_CHART_ITEMS = (807, 811, 1529, 3745, 3744, 225664, 220621, 226537)

# First-day laboratory values: LABEVENTS item ids, their expected D_LABITEMS label (checked
# when D_LABITEMS is present) and mimic-code labs_first_day's upper sanity caps.
LAB_ITEMS = {
    "aniongap": ((50868,), None),
    "albumin": ((50862,), None),
    "bands": ((51144,), None),
    "bicarbonate": ((50882,), None),
    "bilirubin": ((50885,), None),
    "creatinine": ((50912,), 150.0),
    "chloride": ((50902, 50806), None),
    "glucose": ((50931, 50809), None),
    "hematocrit": ((51221, 50810), None),
    "hemoglobin": ((51222, 50811), 50.0),
    "lactate": ((50813,), 50.0),
    "platelet": ((51265,), None),
    "potassium": ((50971, 50822), 30.0),
    "ptt": ((51275,), None),
    "inr": ((51237,), None),
    "pt": ((51274,), None),
    "sodium": ((50983, 50824), None),
    "bun": ((51006,), 300.0),
    "wbc": ((51301, 51300), 1000.0),
}
TROPONIN_T = 51003
CKMB = 50911
LAB_LABELS = {
    50868: "anion gap",
    50862: "albumin",
    51144: "bands",
    50882: "bicarbonate",
    50885: "bilirubin, total",
    50912: "creatinine",
    50902: "chloride",
    50806: "chloride",
    50931: "glucose",
    50809: "glucose",
    51221: "hematocrit",
    50810: "hematocrit",
    51222: "hemoglobin",
    50811: "hemoglobin",
    51265: "platelet count",
    50971: "potassium",
    50822: "potassium",
    51275: "ptt",
    51237: "inr",
    51274: "pt",
    50983: "sodium",
    50824: "sodium",
    51006: "urea nitrogen",
    51301: "white blood cells",
    51300: "wbc",
    50813: "lactate",
    51003: "troponin t",
    50911: "creatine kinase, mb",
}
# A glucose above 2000 mg/dL is not a measurement (riskml's cap; mimic-code has none).
GLUCOSE_CAP = 2000.0
# Share of a lab's first-day values above its sanity cap beyond which the lab is refused as a
# unit problem rather than silently emptied.
CAP_SHARE_LIMIT = 0.5

MEDICATIONS = {
    "aspirin": r"aspirin|\basa\b",
    "p2y12": r"clopidogrel|plavix|prasugrel|effient|ticagrelor|brilinta|ticlopidine",
    "beta_blocker": r"\w+(?:olol|ilol|alol)\b|lopressor|toprol|coreg",
    "statin": r"(?:atorva|simva|rosuva|prava|lova|fluva|pitava|ceriva)statin|lipitor|zocor|"
    r"crestor|pravachol",
    "acei_arb": r"\w+(?:pril|prilat|sartan)\b",
    "heparin": r"heparin|enoxaparin|lovenox|dalteparin|fragmin",
    "loop_diuretic": r"furosemide|lasix|bumetanide|bumex|torsemide|ethacrynic",
}
MEDICATION_EXCLUDE = r"flush|lock"  # heparin flushes keep lines open; they are not treatment

# Guaranteed follow-up of deaths from ADMITTIME. DOD_SSN holds deaths "up to 4 years in the
# future for CareVue patients" and "up to 90 days" for MetaVision patients (MIMIC-III
# documentation, quoted in MIT-LCP/mimic-code#185); 90 days is the maintainers' conservative
# lower bound (#208, #647, #736). Stays recorded in both systems count as MetaVision.
FOLLOWUP_DAYS = {"carevue": 1461.0, "metavision": 90.0, "both": 90.0}
LABELS = ("death_1yr_from_admit", "death_1yr_post_discharge", "hospital_expire_flag", "death")
FOLLOWUP_CHOICES = ("flag", "carevue_only")

ETHNICITY = (
    ("white", r"^WHITE|^PORTUGUESE"),
    ("black", r"^BLACK"),
    ("hispanic", r"^HISPANIC|^SOUTH AMERICAN"),
    ("asian", r"^ASIAN"),
    ("unknown", r"UNKNOWN|UNABLE TO OBTAIN|DECLINED"),
)
MARITAL = {
    "MARRIED": "married",
    "SINGLE": "single",
    "WIDOWED": "widowed",
    "DIVORCED": "divorced",
    "SEPARATED": "separated",
    "LIFE PARTNER": "life_partner",
    "UNKNOWN (DEFAULT)": "unknown",
}
INSURANCE = {
    "MEDICARE": "medicare",
    "PRIVATE": "private",
    "MEDICAID": "medicaid",
    "GOVERNMENT": "government",
    "SELF PAY": "self_pay",
}
# Tables without which no cohort can be built: a header-only file is an error.
CORE_TABLES = ("PATIENTS", "ADMISSIONS", "ICUSTAYS", "DIAGNOSES_ICD")
# What a header-only event table means for the features (a warning).
EMPTY_TABLE_EFFECT = {
    "CHARTEVENTS": "every first-day vital sign (heart rate, blood pressure, respiratory rate, "
    "temperature, SpO2, bedside glucose) is missing for every admission.",
    "LABEVENTS": "every first-day laboratory value (creatinine, troponin T, ...) is missing for "
    "every admission.",
    "PRESCRIPTIONS": "every medication flag is 0 for every admission.",
    "PROCEDURES_ICD": "every procedure flag is 0 for every admission.",
}
AGE_SHIFTED = 91.4  # documented median age of the patients older than 89
DAYS_PER_YEAR = 365.242


def _check_options(
    primary_only,
    exclude_subsequent_episode,
    first_admission_only,
    label,
    followup,
    exclude_hadm_ids,
):
    for name, value in (
        ("primary_only", primary_only),
        ("exclude_subsequent_episode", exclude_subsequent_episode),
        ("first_admission_only", first_admission_only),
    ):
        if not isinstance(value, bool | np.bool_):
            raise TypeError(f"{name} must be True or False; got {value!r}.")
    if label not in LABELS:
        raise ValueError(
            f"label must be one of {list(LABELS)}; got {label!r}. 'death' is the time to death "
            "with censoring; the others are binary."
        )
    if followup not in FOLLOWUP_CHOICES:
        raise ValueError(
            f"followup must be one of {list(FOLLOWUP_CHOICES)}; got {followup!r}. 'flag' keeps "
            "every admission and marks MetaVision-era survivors in label_followup_adequate; "
            "'carevue_only' keeps the CareVue era (2001-2008), whose deaths are followed for 4 "
            "years."
        )
    if exclude_hadm_ids is None:
        return set()
    try:
        return {int(v) for v in exclude_hadm_ids}
    except (TypeError, ValueError):
        raise TypeError(
            f"exclude_hadm_ids must be a list of HADM_ID integers; got {exclude_hadm_ids!r}."
        ) from None


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


def _ethnicity(values: pd.Series) -> pd.Series:
    text = values.fillna("UNKNOWN").str.upper()
    out = pd.Series("other", index=values.index, dtype=object)
    for level, pattern in reversed(ETHNICITY):
        out[text.str.contains(pattern, regex=True)] = level
    return out


def _register(connection, cohort: pd.DataFrame) -> None:
    frame = pd.DataFrame(
        {
            "subject_id": cohort["subject_id"].to_numpy(np.int64),
            "hadm_id": cohort["hadm_id"].to_numpy(np.int64),
            "intime": cohort["intime"].astype("datetime64[us]").to_numpy(),
        }
    )
    connection.register("riskml_cohort_view", frame)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE riskml_cohort AS SELECT * FROM riskml_cohort_view"
    )
    connection.unregister("riskml_cohort_view")


def _scan_chartevents(connection, tables: TableSet, check: RawChecker) -> pd.DataFrame:
    """First-day chart rows of the cohort's admissions: item ids and window pushed down."""
    items = sorted(
        {i for ids, _ in VITAL_ITEMS.values() for i in ids}
        | set(TEMP_F_ITEMS)
        | set(GLUCOSE_CHART_ITEMS)
    )
    query = f"""
        WITH c AS (
            SELECT TRY_CAST(hadm_id AS BIGINT) AS hadm_id, TRY_CAST(itemid AS INTEGER) AS itemid,
                   charttime AS charttime_text, TRY_CAST(charttime AS TIMESTAMP) AS charttime,
                   TRY_CAST(valuenum AS DOUBLE) AS valuenum, TRY_CAST(error AS DOUBLE) AS error
            FROM {tables.source("CHARTEVENTS")}
        )
        SELECT c.hadm_id, c.itemid, c.charttime_text, c.charttime, c.valuenum
        FROM c JOIN riskml_cohort k ON c.hadm_id = k.hadm_id
        WHERE c.itemid IN ({", ".join(map(str, items))})
          AND (c.error IS NULL OR c.error <> 1)
          AND (c.charttime IS NULL
               OR (c.charttime > k.intime AND c.charttime <= k.intime + INTERVAL 24 HOUR))
    """
    with reading(tables.paths["CHARTEVENTS"], "CHARTEVENTS"):
        rows = connection.sql(query).df()
    _report_bad_times(rows, "CHARTEVENTS", check, "hadm_id")
    return rows[rows["charttime"].notna()]


def _scan_labevents(connection, tables: TableSet, check: RawChecker) -> pd.DataFrame:
    """Lab rows of the cohort's patients in [intime - 6 h, intime + 24 h] of each admission.

    Joined on SUBJECT_ID and the window (as mimic-code's MIMIC-III labs_first_day), so
    that emergency-department results drawn before the admission existed, which have
    no HADM_ID, are kept.
    """
    items = sorted({i for ids, _ in LAB_ITEMS.values() for i in ids} | {TROPONIN_T, CKMB})
    query = f"""
        WITH l AS (
            SELECT TRY_CAST(subject_id AS BIGINT) AS subject_id,
                   TRY_CAST(itemid AS INTEGER) AS itemid,
                   charttime AS charttime_text, TRY_CAST(charttime AS TIMESTAMP) AS charttime,
                   value AS value, TRY_CAST(valuenum AS DOUBLE) AS valuenum
            FROM {tables.source("LABEVENTS")}
        )
        SELECT k.hadm_id, l.itemid, l.charttime_text, l.charttime, l.value, l.valuenum
        FROM l JOIN riskml_cohort k ON l.subject_id = k.subject_id
        WHERE l.itemid IN ({", ".join(map(str, items))})
          AND (l.charttime IS NULL
               OR (l.charttime >= k.intime - INTERVAL 6 HOUR
                   AND l.charttime <= k.intime + INTERVAL 24 HOUR))
    """
    with reading(tables.paths["LABEVENTS"], "LABEVENTS"):
        rows = connection.sql(query).df()
    _report_bad_times(rows, "LABEVENTS", check, "hadm_id")
    return rows[rows["charttime"].notna()]


def _report_bad_times(rows, table, check, id_label):
    bad = (rows["charttime"].isna() & rows["charttime_text"].notna()).to_numpy()
    if bad.any():
        check.add(
            f"{table}.charttime",
            "datetime values (YYYY-MM-DD HH:MM:SS)",
            mask=bad,
            ids=rows[id_label].to_numpy(),
            id_label=id_label,
            detail=f"Found {', '.join(repr(v) for v in rows.loc[bad, 'charttime_text'][:3])}.",
            fix="restore the value from the original MIMIC-III file.",
        )


def _vitals(chart: pd.DataFrame) -> pd.DataFrame:
    """min, max and mean of each vital, and the chart glucose values."""
    frames = []
    value, item = chart["valuenum"], chart["itemid"]
    for name, (ids, (low, high)) in VITAL_ITEMS.items():
        keep = (
            item.isin(ids) & (value > low) & ((value <= high) if name == "spo2" else (value < high))
        )
        values = value[keep]
        hadm = chart.loc[keep, "hadm_id"]
        if name == "tempc":
            f = item.isin(TEMP_F_ITEMS) & (value > 70) & (value < 120)
            values = pd.concat([values, (value[f] - 32.0) / 1.8])
            hadm = pd.concat([hadm, chart.loc[f, "hadm_id"]])
        frames.append(
            pd.DataFrame({"hadm_id": hadm.to_numpy(), "vital": name, "v": values.to_numpy()})
        )
    long = pd.concat(frames, ignore_index=True)
    stats = long.groupby(["hadm_id", "vital"])["v"].agg(["min", "max", "mean"]).unstack("vital")
    stats.columns = [f"{vital}_{stat}" for stat, vital in stats.columns]
    return stats


def _parse_troponin(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Troponin T from the text VALUE: '<0.01' -> 0.005 (below detection), '>25' -> 25."""
    clean = text.fillna("").str.strip().str.upper()
    match = clean.str.extract(r"^(<|>|LESS THAN|GREATER THAN)?\s*=?\s*(\d*\.?\d+)$")
    number = pd.to_numeric(match[1], errors="coerce")
    below = match[0].isin(["<", "LESS THAN"])
    value = number.where(~below, number / 2.0)
    return value, below & number.notna()


def _labs(labs: pd.DataFrame, chart: pd.DataFrame, schema, check: RawChecker) -> pd.DataFrame:
    """min and max of each lab (VALUENUM > 0, sanity caps), troponin T and CK-MB."""
    value, item = labs["valuenum"], labs["itemid"]
    frames = []
    for name, (ids, cap) in LAB_ITEMS.items():
        rows = item.isin(ids) & (value > 0)
        values = value[rows]
        hadm = labs.loc[rows, "hadm_id"]
        if name == "glucose":
            g = chart["itemid"].isin(GLUCOSE_CHART_ITEMS) & (chart["valuenum"] > 0)
            values = pd.concat([values, chart.loc[g, "valuenum"]])
            hadm = pd.concat([hadm, chart.loc[g, "hadm_id"]])
            cap = GLUCOSE_CAP
        if cap is not None:
            above = (values > cap).to_numpy()
            if len(values) and above.mean() > CAP_SHARE_LIMIT:
                _report_cap(name, ids, cap, values, hadm, above, schema, check)
            values, hadm = values[~above], hadm[~above]
        frames.append(
            pd.DataFrame({"hadm_id": hadm.to_numpy(), "lab": name, "v": values.to_numpy()})
        )
    long = pd.concat(frames, ignore_index=True)
    stats = long.groupby(["hadm_id", "lab"])["v"].agg(["min", "max"]).unstack("lab")
    stats.columns = [f"{lab}_{stat}" for stat, lab in stats.columns]

    tnt = labs[item == TROPONIN_T]
    tnt_value, tnt_below = _parse_troponin(tnt["value"])
    tnt = pd.DataFrame({"hadm_id": tnt["hadm_id"], "v": tnt_value, "below": tnt_below})
    tnt = tnt[tnt["v"] > 0]
    grouped = tnt.groupby("hadm_id")
    stats = stats.join(
        pd.DataFrame(
            {
                "troponin_t_max": grouped["v"].max(),
                "troponin_t_below_lod": grouped["below"].all().astype(float),
            }
        ),
        how="outer",
    )
    ckmb = labs[(item == CKMB) & (value > 0)]
    stats = stats.join(ckmb.groupby("hadm_id")["valuenum"].max().rename("ckmb_max"), how="outer")
    return stats


def _report_cap(name, ids, cap, values, hadm, above, schema, check):
    spec = schema.column(f"{name}_max")
    median = float(np.median(values))
    hint = ""
    for accepted in spec.accepted_units:
        low, high = spec.hard_range
        if low <= median * accepted.factor <= high:
            hint = (
                f" Values of this size look like {accepted.unit} (median {median:.4g}); "
                f"MIMIC-III stores {spec.unit}: {accepted.how}."
            )
    check.add(
        f"LABEVENTS.valuenum ({name}, itemid {', '.join(map(str, ids))})",
        f"sanity cap {cap:g} {spec.unit}",
        mask=above,
        ids=hadm.to_numpy(),
        id_label="hadm_id",
        detail=f"{100 * above.mean():.0f}% of the first-day values exceed the cap, so they are "
        f"not outliers but a unit problem.{hint}",
        fix=f"restore {name} in {spec.unit} (the unit of MIMIC-III v1.4) before loading.",
    )


def _medications(prescriptions: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    drug = prescriptions["drug"].fillna("").str.lower()
    usable = ~drug.str.contains(MEDICATION_EXCLUDE, regex=True)
    limit = prescriptions["hadm_id"].map(cohort.set_index("hadm_id")["intime"]) + pd.Timedelta(
        hours=48
    )
    early = prescriptions["startdate"].notna() & (prescriptions["startdate"] <= limit)
    out = pd.DataFrame(index=pd.Index(cohort["hadm_id"], name="hadm_id"))
    for name, pattern in MEDICATIONS.items():
        given = usable & drug.str.contains(pattern, regex=True)
        stay = prescriptions.loc[given, "hadm_id"].unique()
        first = prescriptions.loc[given & early, "hadm_id"].unique()
        out[f"{name}_48h"] = out.index.isin(first).astype(np.int64)
        out[f"{name}_stay"] = out.index.isin(stay).astype(np.int64)
    return out


def _check_lab_dictionary(connection, tables: TableSet, check: RawChecker) -> None:
    """When D_LABITEMS is there, make sure the item ids mean what the recipe assumes."""
    if "D_LABITEMS" not in tables:
        return
    items = tables.read(connection, "D_LABITEMS")
    items["itemid"] = numbers(items["itemid"])
    label = items.set_index("itemid")["label"].fillna("").str.lower()
    wrong = [
        (itemid, expected, label.get(float(itemid), "<absent>"))
        for itemid, expected in LAB_LABELS.items()
        if float(itemid) in label.index and expected not in label[float(itemid)]
    ]
    if wrong:
        check.add(
            "D_LABITEMS.label",
            "item ids of MIMIC-III v1.4",
            detail="These item ids do not carry the expected labels: "
            + "; ".join(f"{i} is {got!r}, expected {want!r}" for i, want, got in wrong[:5])
            + ".",
            fix="load MIMIC-III v1.4; other versions renumber items.",
        )


def load_mimic3_ami(
    directory,
    *,
    primary_only=False,
    exclude_subsequent_episode=False,
    first_admission_only=False,
    label="death_1yr_from_admit",
    followup="flag",
    exclude_hadm_ids=None,
    memory_limit="2GB",
    threads=None,
    progress=True,
) -> Cohort:
    """Build the MIMIC-III acute myocardial infarction cohort from the raw v1.4 tables.

    Parameters
    ----------
    directory : str or path-like
        A folder with the MIMIC-III v1.4 CSV tables PATIENTS, ADMISSIONS, ICUSTAYS,
        DIAGNOSES_ICD, PROCEDURES_ICD, PRESCRIPTIONS, CHARTEVENTS and LABEVENTS
        (and optionally D_LABITEMS, used to check the lab item ids), as ``.csv`` or
        ``.csv.gz``, file names and headers in any case. Files are only read.
    primary_only : bool, default=False
        Keep admissions whose principal diagnosis (SEQ_NUM 1) is the AMI or post-MI
        code. By default a code in any position qualifies.
    exclude_subsequent_episode : bool, default=False
        Ignore 410.x2 codes ("subsequent episode of care", within 8 weeks of an
        earlier MI); an admission with only such codes is left out.
    first_admission_only : bool, default=False
        Keep each patient's first qualifying admission only.
    label : {"death_1yr_from_admit", "death_1yr_post_discharge", "hospital_expire_flag", \
"death"}, default="death_1yr_from_admit"
        The outcome. ``death_1yr_from_admit``: a death within 365 days of
        admission, in-hospital deaths included (binary, as in Barrett et al.
        2019). ``death_1yr_post_discharge``: within 365 days of discharge, among
        patients discharged alive (in-hospital deaths are left out).
        ``hospital_expire_flag``: in-hospital death. ``death``: time to death from
        admission, censored at the end of guaranteed follow-up (1461 days for
        CareVue, 90 days for MetaVision patients), with ``horizon`` 365.
    followup : {"flag", "carevue_only"}, default="flag"
        How to treat the incomplete follow-up of MetaVision-era patients (2008-2012),
        whose out-of-hospital deaths are recorded only up to about 90 days after the
        ICU admission. ``"flag"`` keeps every admission, sets
        ``label_followup_adequate`` to 0 for MetaVision-era survivors (in
        ``cohort.outcomes``) and warns with their number when the label is a
        one-year label; ``"carevue_only"`` keeps the CareVue era (2001-2008), whose
        one-year labels are complete. There is deliberately no option that drops
        only the survivors with inadequate follow-up: it would keep that era's
        deaths and inflate the death rate.
    exclude_hadm_ids : list of int, optional
        Admissions to leave out (e.g. linkage errors that the validator reports).
    memory_limit : str or None, default="2GB"
        DuckDB's memory cap while scanning CHARTEVENTS and LABEVENTS (it spills to a
        private temporary folder beyond it). None uses DuckDB's default (80% of RAM).
    threads : int, optional
        DuckDB threads (default: all cores).
    progress : bool, default=True
        Show a progress bar over the build's steps (tqdm); on the full database the
        CHARTEVENTS and LABEVENTS scans take minutes.

    Returns
    -------
    cohort : Cohort
        One row per admission (ids = ``hadm_id``, groups = ``subject_id``, so that
        cross-validation never splits a patient's admissions), the ``mimic_ami``
        schema's features (``cohort.predictors`` leaves out the ``post_index`` ones:
        lengths of stay, ICU stay count, procedures and whole-stay medications) and
        the chosen outcome. Extra attributes: ``outcomes`` (every outcome column,
        including ``label_followup_adequate``), ``context`` (dates, first
        ``icustay_id``, the AMI code), ``flow`` (each inclusion and exclusion step
        with counts), ``followup_table`` (admissions, recorded one-year deaths and
        inadequately followed survivors per ICU system: the sensitivity table of the
        censoring problem), ``label`` and ``followup``.

    Raises
    ------
    FileNotFoundError
        When the folder or a required table is missing.
    SchemaError
        When a table lacks a needed column, holds an unparseable date, a lab whose
        values are mostly above their sanity cap (a unit problem), or when the
        extract breaks the ``mimic_ami`` schema; every problem is listed with the
        table and column, the rule, the row count and the first ids.

    Warns
    -----
    UserWarning
        With ``followup="flag"`` and a one-year label, the number of MetaVision-era
        survivors whose label may be wrong.

    Notes
    -----
    The recipe (study_designs.md section 2; docs/data_sources.md):

    * **Index diagnosis** (DIAGNOSES_ICD): ICD-9 410.x in any position, or 411.0
      (post-MI syndrome; not 411.1, unstable angina). ``ami_type`` by precedence
      STEMI (410.0x-410.6x, 410.8x) > NSTEMI (410.7x) > unspecified (410.9x) >
      post-MI syndrome; ``ami_icd9_code`` is the highest-precedence code (lowest
      SEQ_NUM among ties).
    * **Exclusions**, in order: no ADMISSIONS row, DISCHTIME missing, organ-donor
      accounts (DIAGNOSIS mentions "organ donor" or "donor account"),
      HAS_CHARTEVENTS_DATA = 0, no ICU stay, age under 18, ``exclude_hadm_ids``,
      then the options. ``cohort.flow`` counts each step.
    * **t0** is the INTIME of the first ICU stay. **Age** is (ADMITTIME - DOB) /
      365.242 days; ages above 89 (DOB shifted 300 years back) become 91.4, the
      documented median of that group, with ``age_gt89`` = 1.
    * **Vitals** (CHARTEVENTS, mimic-code ``vitals_first_day`` item ids and
      bounds): charttime in (intime, intime + 24 h], ERROR = 1 excluded, degrees F
      converted. Joined on HADM_ID (mimic-code joins on the first ICUSTAY_ID).
    * **Labs** (LABEVENTS, ``labs_first_day`` item ids): charttime in [intime -
      6 h, intime + 24 h] joined on SUBJECT_ID, VALUENUM > 0, mimic-code's upper
      caps (creatinine 150, BUN 300, potassium 30, hemoglobin 50, lactate 50, WBC
      1000) plus glucose 2000 mg/dL; a lab whose values are mostly above the cap
      is refused as a unit problem. Glucose merges laboratory and bedside values.
      Troponin T (51003) is parsed from the text VALUE ("<0.01" is half the limit,
      flagged in ``troponin_t_below_lod``); CK-MB is 50911.
    * **Comorbidities**: Elixhauser (Quan 2005 enhanced ICD-9-CM, principal
      diagnosis not counted) with the van Walraven score, and AMI flags. ICD
      codes are assigned at discharge: complications coded during the stay
      (cardiogenic shock, arrest) may postdate t0.
    * **Procedures** (PROCEDURES_ICD, undated) and whole-stay medications are
      ``post_index``. ``*_48h`` medications were started by intime + 48 h
      (PRESCRIPTIONS.STARTDATE has no time of day).
    * **Outcomes**: ``dod_days`` from ADMITTIME to DEATHTIME (in hospital) or DOD
      (a date; a same-day difference below zero counts as 0).

    References
    ----------
    Johnson AEW, Pollard TJ, Shen L, et al. MIMIC-III, a freely accessible
    critical care database. Sci Data. 2016;3:160035.

    Barrett LA, Payrovnaziri SN, Bian J, He Z. Building computational models to
    predict one-year mortality in ICU patients with acute myocardial infarction
    and post myocardial infarction syndrome. AMIA Jt Summits Transl Sci Proc.
    2019;2019:407-416.

    Quan H, Sundararajan V, Halfon P, et al. Coding algorithms for defining
    comorbidities in ICD-9-CM and ICD-10 administrative data. Med Care.
    2005;43(11):1130-1139.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_mimic3_ami("mimic-iii-1.4/", followup="carevue_only")  # doctest: +SKIP
    >>> cohort.flow  # doctest: +SKIP
    """
    excluded_ids = _check_options(
        primary_only,
        exclude_subsequent_episode,
        first_admission_only,
        label,
        followup,
        exclude_hadm_ids,
    )
    import duckdb

    tables = TableSet(directory, TABLE_COLUMNS, OPTIONAL_COLUMNS)
    check = RawChecker("MIMIC-III tables")
    header_only = tables.check_headers(check, must_have_rows=CORE_TABLES)
    check.raise_if_any()
    for table in header_only:
        if table in EMPTY_TABLE_EFFECT:
            warnings.warn(
                f"{tables.paths[table].name} ({table}) has a header but no rows, so "
                f"{EMPTY_TABLE_EFFECT[table]} If this is not intended, export {table} again "
                "(an interrupted export leaves only the header).",
                UserWarning,
                stacklevel=2,
            )
    schema = load_schema("mimic_ami")
    connection, spill = connect(memory_limit, threads)
    bar = _StepBar(progress, ["AMI diagnoses", *BUILD_STEPS])
    try:
        _check_lab_dictionary(connection, tables, check)
        bar("AMI diagnoses")
        frame, flow, extras = _build(
            connection,
            tables,
            check,
            schema,
            primary_only=primary_only,
            exclude_subsequent_episode=exclude_subsequent_episode,
            first_admission_only=first_admission_only,
            label=label,
            followup=followup,
            excluded_ids=excluded_ids,
            header_only=header_only,
            advance=bar,
        )
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    finally:
        bar.close()
        connection.close()
        remove_spill(spill)

    outcome = {
        "death_1yr_from_admit": {
            "kind": "binary",
            "event": "death_1yr_from_admit",
            "name": "death_1yr_from_admit",
        },
        "death_1yr_post_discharge": {
            "kind": "binary",
            "event": "death_1yr_post_discharge",
            "name": "death_1yr_post_discharge",
        },
        "hospital_expire_flag": {
            "kind": "binary",
            "event": "hospital_expire_flag",
            "name": "hospital_death",
        },
        "death": {
            "kind": "survival",
            "event": "death_event",
            "time": "death_time_days",
            "horizon_days": 365.0,
            "name": "death",
        },
    }[label]
    cohort = cohort_from_frame(
        frame,
        schema,
        outcome=outcome,
        name="mimic3_ami",
        source=f"{SOURCE}; label {label}, followup {followup}",
    )
    cohort.flow = flow
    cohort.followup_table = extras["followup_table"]
    cohort.label = label
    cohort.followup = followup
    warn_if_no_events(cohort, f"MIMIC-III folder {tables.directory.name!r}")
    inadequate = int((cohort.outcomes["label_followup_adequate"] == 0).sum())
    if followup == "flag" and label.startswith("death_1yr") and inadequate:
        warnings.warn(
            f"{inadequate} of {len(cohort)} admissions are MetaVision-era (2008-2012) survivors "
            "whose deaths are recorded only up to about 90 days after the ICU admission, so "
            f"their {label} = 0 may be wrong (label_followup_adequate = 0 in cohort.outcomes). "
            "Use followup='carevue_only' for complete one-year labels, or label='death' for "
            "time to death censored at each era's guaranteed follow-up; cohort.followup_table "
            "compares the eras.",
            UserWarning,
            stacklevel=2,
        )
    return cohort


BUILD_STEPS = (
    "admissions",
    "CHARTEVENTS",
    "LABEVENTS",
    "diagnoses, procedures, prescriptions",
    "features",
)


class _StepBar:
    """A tqdm bar over named build steps (nothing shown with ``progress=False``)."""

    def __init__(self, progress, steps):
        self.steps = list(steps)
        self.bar = None
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=len(self.steps), desc="MIMIC-III AMI cohort", unit="step")

    def __call__(self, step: str) -> None:
        if self.bar is not None:
            done = self.steps.index(step)
            self.bar.update(done - self.bar.n)
            self.bar.set_postfix_str(step)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(len(self.steps) - self.bar.n)
            self.bar.close()


def _build(
    connection,
    tables,
    check,
    schema,
    *,
    primary_only,
    exclude_subsequent_episode,
    first_admission_only,
    label,
    followup,
    excluded_ids,
    header_only=(),
    advance=None,
):
    advance = advance or (lambda step: None)
    flow = _Flow()
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

    advance("admissions")
    admissions = tables.read(connection, "ADMISSIONS")
    admissions["hadm_id"] = numbers(admissions["hadm_id"])
    admissions = admissions[admissions["hadm_id"].isin(candidates)].copy()
    admissions["subject_id"] = numbers(admissions["subject_id"])
    _check_unique(admissions, "ADMISSIONS", "hadm_id", check)
    parse_times(
        admissions,
        "ADMISSIONS",
        ["admittime", "dischtime", "deathtime"],
        check,
        id_column="hadm_id",
    )

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
            stacklevel=3,
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
    cohort["label_followup_adequate"] = (
        recorded | (cohort["dbsource"] == "carevue").to_numpy()
    ).astype(np.int64)
    cohort["los_hosp_days"] = np.round(los_hosp, 4)
    cohort["los_icu_days"] = numbers(cohort["los"])

    followup_table = _followup_table(cohort)
    if label == "death_1yr_post_discharge":
        before = len(cohort)
        cohort = cohort[~died_in_hospital].reset_index(drop=True)
        flow.add("excluded: died in hospital (label death_1yr_post_discharge)", cohort, before)
    if followup == "carevue_only":
        before = len(cohort)
        cohort = cohort[cohort["dbsource"] == "carevue"].reset_index(drop=True)
        flow.add("excluded: not CareVue era (followup='carevue_only')", cohort, before)

    # demographics
    cohort["ethnicity"] = _ethnicity(cohort["ethnicity"])
    cohort["admission_type"] = cohort["admission_type"].str.strip().str.lower()
    cohort["insurance"] = cohort["insurance"].str.strip().str.upper().map(INSURANCE)
    cohort["marital_status"] = cohort["marital_status"].str.strip().str.upper().map(MARITAL)
    cohort["gender"] = cohort["gender"].str.strip().str.upper()
    cohort["first_careunit"] = cohort["first_careunit"].str.strip().str.upper()
    cohort["ami_primary_dx"] = cohort["ami_primary_dx"].astype(np.int64)

    # events, codes and medications of the cohort's admissions
    _register(connection, cohort)
    advance("CHARTEVENTS")
    chart = _scan_chartevents(connection, tables, check)
    advance("LABEVENTS")
    labs = _scan_labevents(connection, tables, check)
    advance("diagnoses, procedures, prescriptions")
    ids = ", ".join(str(i) for i in cohort["hadm_id"]) or "NULL"
    in_cohort = f"WHERE TRY_CAST(hadm_id AS BIGINT) IN ({ids})"
    diagnoses = tables.read(connection, "DIAGNOSES_ICD", where=in_cohort)
    procedures = tables.read(connection, "PROCEDURES_ICD", where=in_cohort)
    prescriptions = tables.read(connection, "PRESCRIPTIONS", where=in_cohort)
    for frame in (diagnoses, procedures, prescriptions):
        frame["hadm_id"] = numbers(frame["hadm_id"]).astype(np.int64)
    parse_times(
        prescriptions, "PRESCRIPTIONS", ["startdate"], check, id_column="hadm_id", date_only=True
    )
    advance("features")
    vitals = _vitals(chart)
    lab_stats = _labs(labs, chart, schema, check)
    check.raise_if_any()
    for table, rows in (("CHARTEVENTS", chart), ("LABEVENTS", labs)):
        if rows.empty and table not in header_only:
            warnings.warn(
                f"{tables.paths[table].name} ({table}) has no first-day row for any of the "
                f"{len(cohort)} admissions, so {EMPTY_TABLE_EFFECT[table]} Check that the "
                "file is the full MIMIC-III v1.4 table (item ids, HADM_ID/SUBJECT_ID and "
                "CHARTTIME present).",
                UserWarning,
                stacklevel=3,
            )

    keys = pd.Index(cohort["hadm_id"], name="hadm_id")
    comorbid = elixhauser(diagnoses).reindex(keys, fill_value=0)
    flags = code_flags(diagnoses, AMI_FLAGS).reindex(keys, fill_value=0)
    procs = code_flags(procedures, PROCEDURES).reindex(keys, fill_value=0)
    meds = _medications(prescriptions, cohort)
    wide = (
        cohort.set_index("hadm_id")
        .join([vitals.reindex(keys), lab_stats.reindex(keys), comorbid, flags, procs, meds])
        .reset_index()
    )
    wide["dod"] = wide["dod"].dt.normalize()
    columns = [c.name for c in schema.columns if c.name in wide.columns]
    missing = [c.name for c in schema.columns if c.name not in wide.columns]
    for name in missing:  # an item never measured in this cohort
        wide[name] = np.nan
    return wide[columns + missing], flow.frame(), {"followup_table": followup_table}


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
