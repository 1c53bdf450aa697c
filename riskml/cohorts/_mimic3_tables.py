"""What the MIMIC-III v1.4 tables hold: their columns, and the item ids and labels riskml reads."""

from __future__ import annotations

__all__ = [
    "CKMB",
    "FOLLOWUP_DAYS",
    "GLUCOSE_CHART_ITEMS",
    "HEADERS",
    "LAB_ITEMS",
    "LAB_LABELS",
    "OPTIONAL_COLUMNS",
    "TABLE_COLUMNS",
    "TEMP_F_ITEMS",
    "TROPONIN_T",
    "VITAL_ITEMS",
]

# Each table's header in MIMIC-III v1.4, in file order (make_mimic3_ami writes it whole); a
# name ending in "*" is a column that load_mimic3_ami reads (a table without it is refused).
_LAYOUT = {
    "PATIENTS": (
        "row_id",
        "subject_id*",
        "gender*",
        "dob*",
        "dod*",
        "dod_hosp",
        "dod_ssn",
        "expire_flag",
    ),
    "ADMISSIONS": (
        "row_id",
        "subject_id*",
        "hadm_id*",
        "admittime*",
        "dischtime*",
        "deathtime*",
        "admission_type*",
        "admission_location",
        "discharge_location",
        "insurance*",
        "language",
        "religion",
        "marital_status*",
        "ethnicity*",
        "edregtime",
        "edouttime",
        "diagnosis*",
        "hospital_expire_flag*",
        "has_chartevents_data*",
    ),
    "ICUSTAYS": (
        "row_id",
        "subject_id*",
        "hadm_id*",
        "icustay_id*",
        "dbsource*",
        "first_careunit*",
        "last_careunit",
        "first_wardid",
        "last_wardid",
        "intime*",
        "outtime",
        "los*",
    ),
    "DIAGNOSES_ICD": ("row_id", "subject_id*", "hadm_id*", "seq_num*", "icd9_code*"),
    "PROCEDURES_ICD": ("row_id", "subject_id", "hadm_id*", "seq_num", "icd9_code*"),
    "PRESCRIPTIONS": (
        "row_id",
        "subject_id",
        "hadm_id*",
        "icustay_id",
        "startdate*",
        "enddate",
        "drug_type",
        "drug*",
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
    ),
    "CHARTEVENTS": (
        "row_id",
        "subject_id",
        "hadm_id*",
        "icustay_id",
        "itemid*",
        "charttime*",
        "storetime",
        "cgid",
        "value",
        "valuenum*",
        "valueuom",
        "warning",
        "error*",
        "resultstatus",
        "stopped",
    ),
    "LABEVENTS": (
        "row_id",
        "subject_id*",
        "hadm_id",
        "itemid*",
        "charttime*",
        "value*",
        "valuenum*",
        "valueuom",
        "flag",
    ),
    "D_LABITEMS": ("row_id", "itemid*", "label*", "fluid", "category", "loinc_code"),
}
#: Tables the loader uses when they are there (D_LABITEMS checks the lab item ids).
OPTIONAL_TABLES = ("D_LABITEMS",)
#: Each table's header, in file order.
HEADERS = {table: [c.rstrip("*") for c in columns] for table, columns in _LAYOUT.items()}
_READ = {
    table: tuple(c[:-1] for c in columns if c.endswith("*")) for table, columns in _LAYOUT.items()
}
#: The columns load_mimic3_ami reads from each table it needs, and from the optional ones.
TABLE_COLUMNS = {table: columns for table, columns in _READ.items() if table not in OPTIONAL_TABLES}
OPTIONAL_COLUMNS = {table: _READ[table] for table in OPTIONAL_TABLES}

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

# Guaranteed follow-up of deaths from ADMITTIME. DOD_SSN holds deaths "up to 4 years in the
# future for CareVue patients" and "up to 90 days" for MetaVision patients (MIMIC-III
# documentation, quoted in MIT-LCP/mimic-code#185); 90 days is the maintainers' conservative
# lower bound (#208, #647, #736). Stays recorded in both systems count as MetaVision.
FOLLOWUP_DAYS = {"carevue": 1461.0, "metavision": 90.0, "both": 90.0}
