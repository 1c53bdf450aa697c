"""The MIMIC-III AMI predictors: first-day vitals and labs, demographics, codes and medications.

CHARTEVENTS and LABEVENTS are scanned by DuckDB with the item ids, the cohort's
admissions (or patients) and the time windows pushed into the scan; only the rows
that pass reach pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._icd9 import AMI_FLAGS, PROCEDURES, code_flags, elixhauser
from ._mimic3_tables import (
    CKMB,
    GLUCOSE_CHART_ITEMS,
    LAB_ITEMS,
    LAB_LABELS,
    TEMP_F_ITEMS,
    TROPONIN_T,
    VITAL_ITEMS,
)
from ._tables import RawChecker, TableSet, numbers, parse_times, reading

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


def _demographics(cohort: pd.DataFrame) -> None:
    """Demographic columns recoded to the ``mimic_ami`` schema's levels (in place)."""
    cohort["ethnicity"] = _ethnicity(cohort["ethnicity"])
    cohort["admission_type"] = cohort["admission_type"].str.strip().str.lower()
    cohort["insurance"] = cohort["insurance"].str.strip().str.upper().map(INSURANCE)
    cohort["marital_status"] = cohort["marital_status"].str.strip().str.upper().map(MARITAL)
    cohort["gender"] = cohort["gender"].str.strip().str.upper()
    cohort["first_careunit"] = cohort["first_careunit"].str.strip().str.upper()
    cohort["ami_primary_dx"] = cohort["ami_primary_dx"].astype(np.int64)


def _event_tables(connection, tables: TableSet, check: RawChecker, cohort: pd.DataFrame, advance):
    """The cohort's first-day CHARTEVENTS and LABEVENTS rows, and its DIAGNOSES_ICD,
    PROCEDURES_ICD and PRESCRIPTIONS rows."""
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
    return chart, labs, diagnoses, procedures, prescriptions


def _wide(cohort, schema, vitals, lab_stats, diagnoses, procedures, prescriptions):
    """One row per admission: the cohort's columns and every predictor, in schema order."""
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
    return wide[columns + missing]
