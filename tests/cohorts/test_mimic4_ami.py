"""Tests for load_mimic4_ami: the Barrett 2019 AMI design on MIMIC-IV v2.x.

The real data are the adapted MIMIC-IV demo copy in tests/data/mimic4_demo (ODbL-1.0, see its
README; icu/chartevents is absent there, as in the project's copy of the demo). Every count or
value the loader produces is checked against an independent computation on the raw tables: a
DuckDB SQL query written here for the cohort's flow, pandas for the per-admission values, and
the published code tables (Quan 2005) for the code lists.
"""

import gzip
import hashlib
import shutil
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.cli import main, run_study_file
from riskml.cohorts import SchemaError, load_mimic4_ami
from riskml.cohorts._icd9 import prefixes
from riskml.cohorts._mimic4_codes import (
    AMI_FLAGS_ICD10,
    ELIXHAUSER_QUAN_ICD10,
    PROCEDURES_ICD10_PCS,
    ami_type,
    elixhauser_any_version,
    flags_any_version,
)

DEMO = Path(__file__).resolve().parents[1] / "data" / "mimic4_demo"


def _table(name):
    module = "icu" if name in ("icustays", "chartevents") else "hosp"
    return pd.read_csv(DEMO / module / f"{name}.csv.gz")


def _hashes(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _load(folder=DEMO, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_mimic4_ami(folder, progress=False, **kwargs)


@pytest.fixture(scope="module")
def demo():
    before = _hashes(DEMO)
    with pytest.warns(UserWarning, match=r"icu/chartevents\.csv\.gz \(chartevents\) is absent"):
        cohort = load_mimic4_ami(DEMO, progress=False)
    assert _hashes(DEMO) == before, "the loader modified its input files"
    return cohort


# The oracle of the flow: each step as its own SQL query on the raw tables.
FLOW_SQL = """
WITH
dx AS (SELECT * FROM read_csv('{hosp}/diagnoses_icd.csv.gz', all_varchar = true)),
coded AS (
    SELECT DISTINCT CAST(hadm_id AS BIGINT) AS hadm_id, CAST(subject_id AS BIGINT) AS subject_id
    FROM dx
    WHERE (icd_version = '9' AND (icd_code LIKE '410%' OR icd_code = '4110'))
       OR (icd_version = '10' AND (icd_code LIKE 'I21%' OR icd_code LIKE 'I22%'
                                   OR icd_code = 'I241'))),
adm AS (
    SELECT c.hadm_id, c.subject_id, a.admittime, a.dischtime, a.deathtime,
           a.hospital_expire_flag
    FROM coded c JOIN read_csv('{hosp}/admissions.csv.gz') a ON a.hadm_id = c.hadm_id),
discharged AS (SELECT * FROM adm WHERE dischtime IS NOT NULL),
icu AS (
    SELECT * FROM discharged
    WHERE hadm_id IN (SELECT hadm_id FROM read_csv('{icu}/icustays.csv.gz'))),
aged AS (
    SELECT i.*, p.anchor_age + year(i.admittime) - p.anchor_year AS age, p.dod
    FROM icu i JOIN read_csv('{hosp}/patients.csv.gz') p ON p.subject_id = i.subject_id),
adults AS (SELECT * FROM aged WHERE age >= 18)
SELECT 'coded' AS step, count(*) AS admissions, count(DISTINCT subject_id) AS patients,
       NULL AS deaths FROM coded
UNION ALL SELECT 'admissions', count(*), count(DISTINCT subject_id), NULL FROM adm
UNION ALL SELECT 'discharged', count(*), count(DISTINCT subject_id), NULL FROM discharged
UNION ALL SELECT 'icu', count(*), count(DISTINCT subject_id), NULL FROM icu
UNION ALL SELECT 'patients', count(*), count(DISTINCT subject_id), NULL FROM aged
UNION ALL SELECT 'adults', count(*), count(DISTINCT subject_id),
       count(*) FILTER (WHERE date_diff('second', admittime,
           CASE WHEN hospital_expire_flag = 1 AND deathtime IS NOT NULL THEN deathtime
                ELSE CAST(dod AS TIMESTAMP) END) <= 365 * 86400)
FROM adults
"""


@pytest.fixture(scope="module")
def sql_flow():
    query = FLOW_SQL.format(hosp=DEMO / "hosp", icu=DEMO / "icu")
    return duckdb.connect().execute(query).df()


def test_flow_counts_equal_an_independent_sql_query(demo, sql_flow):
    """Oracle: FLOW_SQL above (DuckDB on the raw demo tables), step by step."""
    flow = demo.flow
    assert flow["step"].tolist() == [
        "admissions with an AMI code (ICD-9 410.x, 411.0; ICD-10 I21.x, I22.x, I24.1)",
        "excluded: no admissions row",
        "excluded: discharge time missing",
        "excluded: no ICU stay",
        "excluded: no patients row or anchor age",
        "excluded: age under 18",
    ]
    assert flow["admissions"].tolist() == sql_flow["admissions"].tolist()
    assert flow["patients"].tolist() == sql_flow["patients"].tolist()
    expected_excluded = [pd.NA, *(-np.diff(sql_flow["admissions"])).tolist()]
    assert flow["excluded"].tolist()[1:] == expected_excluded[1:]
    assert pd.isna(flow["excluded"].iloc[0])
    assert len(demo) == sql_flow["admissions"].iloc[-1] == 11
    assert len(set(demo.groups)) == sql_flow["patients"].iloc[-1] == 10
    assert int(demo.outcome.event.sum()) == sql_flow["deaths"].iloc[-1] == 3
    assert flow["excluded"].iloc[3] == 1  # one AMI admission of the demo has no ICU stay


def test_age_index_time_and_outcome_per_admission(demo):
    """Oracle: pandas on the raw tables: anchor_age + year(admittime) - anchor_year; the
    first intime; death (deathtime in hospital, else dod) within 365 days of admittime."""
    adm = _table("admissions").set_index("hadm_id").loc[demo.ids]
    patients = _table("patients").set_index("subject_id").loc[adm["subject_id"]]
    admit = pd.to_datetime(adm["admittime"])
    age = patients["anchor_age"].to_numpy() + admit.dt.year.to_numpy()
    age = age - patients["anchor_year"].to_numpy()
    np.testing.assert_array_equal(demo.features["age"], np.minimum(age, 91))
    assert demo.features["age"].max() == 89  # 10010471: anchor_age 89, admitted in anchor_year
    stays = _table("icustays").groupby("hadm_id")["intime"].min().loc[demo.ids]
    assert (demo.context["intime"] == pd.to_datetime(stays).to_numpy()).all()
    death = np.where(adm["hospital_expire_flag"] == 1, adm["deathtime"], patients["dod"])
    since = pd.DatetimeIndex(pd.to_datetime(death, format="ISO8601")) - pd.DatetimeIndex(admit)
    days = since.total_seconds() / 86400
    assert demo.outcome.event.tolist() == (days.to_numpy() <= 365).tolist()
    assert demo.groups.tolist() == adm["subject_id"].tolist()


def test_first_day_creatinine_and_troponin_below_detection(demo):
    """Oracle: labevents of the patient in [intime - 6 h, intime + 24 h], selected with pandas.
    MIMIC-IV writes a troponin T below detection only in comments ('<0.01. ...'): half of 0.01."""
    labs = _table("labevents")
    stays = _table("icustays").groupby("hadm_id")["intime"].min()
    below = []
    for position, (hadm_id, subject_id) in enumerate(zip(demo.ids, demo.groups, strict=True)):
        intime = pd.Timestamp(stays.loc[hadm_id])
        when = pd.to_datetime(labs["charttime"])
        window = (when >= intime - pd.Timedelta(hours=6)) & (
            when <= intime + pd.Timedelta(hours=24)
        )
        mine = labs[window & (labs["subject_id"] == subject_id)]
        creatinine = mine.loc[(mine["itemid"] == 50912) & (mine["valuenum"] > 0), "valuenum"]
        row = demo.features.iloc[position]
        assert row["creatinine_max"] == creatinine.max()
        assert row["creatinine_min"] == creatinine.min()
        troponin = mine[mine["itemid"] == 51003]
        if len(troponin) and troponin["valuenum"].isna().all():
            assert troponin["comments"].str.startswith("<0.01").all()
            below.append(hadm_id)
            assert row["troponin_t_max"] == 0.005 and row["troponin_t_below_lod"] == 1
        elif len(troponin):
            assert row["troponin_t_max"] == troponin["valuenum"].max()
    assert below == [28258130]


def test_outpatient_blood_pressure_weight_and_bmi(demo):
    """Oracle: omr rows of the patient dated in the 365 days before the admission day, the
    latest date's mean, computed with pandas."""
    omr = _table("omr")
    omr["chartdate"] = pd.to_datetime(omr["chartdate"])
    adm = _table("admissions").set_index("hadm_id")
    checked = 0
    for position, (hadm_id, subject_id) in enumerate(zip(demo.ids, demo.groups, strict=True)):
        day = pd.Timestamp(adm.loc[hadm_id, "admittime"]).normalize()
        mine = omr[
            (omr["subject_id"] == subject_id)
            & (omr["chartdate"] < day)
            & (omr["chartdate"] >= day - pd.Timedelta(days=365))
        ]
        row = demo.features.iloc[position]
        pressure = mine[mine["result_name"].str.startswith("Blood Pressure")]
        if pressure.empty:
            assert np.isnan(row["omr_sbp"])
        else:
            latest = pressure[pressure["chartdate"] == pressure["chartdate"].max()]
            systolic = latest["result_value"].str.split("/").str[0].astype(float)
            assert row["omr_sbp"] == pytest.approx(systolic.mean())
            checked += 1
        weight = mine[mine["result_name"] == "Weight (Lbs)"]
        if len(weight):
            latest = weight[weight["chartdate"] == weight["chartdate"].max()]
            kg = latest["result_value"].astype(float).mean() * 0.45359237
            assert row["omr_weight_kg"] == pytest.approx(kg)
    assert checked == 3


def test_schema_tags_post_index_features_and_keeps_ids_out(demo):
    assert demo.schema_name == "mimic4_ami"
    for column in ("pci", "los_hosp_days", "aspirin_stay", "n_icu_stays"):
        assert column in demo.features and column not in demo.predictors
    assert "aspirin_48h" in demo.predictors and "omr_bmi" in demo.predictors
    for column in ("hadm_id", "subject_id", "stay_id", "dod", "heartrate_mean", "sysbp_min"):
        assert column not in demo.features
    assert demo.context["ami_icd_code"].tolist().count("I214") == 8
    assert set(demo.context["ami_icd_version"]) == {9, 10}


def test_vitals_from_a_chartevents_file(tmp_path):
    """Oracle: the rows written here, summarised by hand (window (intime, intime + 24 h],
    0 < heart rate < 300, degrees F converted, bedside glucose merged with the lab's)."""
    folder = tmp_path / "mimic"
    shutil.copytree(DEMO, folder)
    hadm_id, intime = 24490144, pd.Timestamp("2161-11-19 10:04:04")
    rows = [
        (220045, 0.5, 80.0),  # heart rate
        (220045, 2.0, 100.0),
        (220045, 23.5, 120.0),
        (220045, 24.5, 500.0),  # after 24 h
        (220045, -1.0, 40.0),  # before the ICU stay
        (220045, 3.0, 301.0),  # above the sanity bound
        (223761, 4.0, 100.4),  # degrees F -> 38 C
        (223762, 5.0, 36.0),
        (225664, 6.0, 400.0),  # bedside glucose
    ]
    table = pd.DataFrame(
        {
            "subject_id": 10021118,
            "hadm_id": hadm_id,
            "stay_id": 36558922,
            "charttime": [str(intime + pd.Timedelta(hours=h)) for _, h, _ in rows],
            "itemid": [item for item, _, _ in rows],
            "valuenum": [value for _, _, value in rows],
        }
    )
    with gzip.open(folder / "icu" / "chartevents.csv.gz", "wt") as handle:
        table.to_csv(handle, index=False)
    cohort = _load(folder)
    row = cohort.features.iloc[cohort.ids.tolist().index(hadm_id)]
    assert (row["heartrate_min"], row["heartrate_max"]) == (80.0, 120.0)
    assert row["heartrate_mean"] == pytest.approx(100.0)
    assert row["tempc_max"] == pytest.approx(38.0) and row["tempc_min"] == 36.0
    assert row["glucose_max"] == 400.0
    assert cohort.features["heartrate_mean"].notna().sum() == 1


def test_options_labels_and_time_to_event():
    every = _load()
    first = _load(first_admission_only=True)
    assert len(first) == len(every) - 1  # patient 10016742 has two AMI admissions
    assert first.flow["step"].iloc[-1] == "excluded: not the patient's first qualifying admission"
    assert 28506150 not in first.ids  # the later one
    primary = _load(primary_only=True)
    assert len(primary) == int(every.features["ami_primary_dx"].sum()) == 5
    assert len(_load(exclude_hadm_ids=[24490144])) == len(every) - 1
    alive = _load(label="death_1yr_post_discharge")
    assert len(alive) == len(every) - int(every.outcomes["hospital_expire_flag"].sum())
    survival = _load(label="death")
    assert survival.outcome.is_survival and survival.horizon == 365.0
    # one death beyond a year (767.9 days); survivors followed to a year after the last discharge
    assert survival.outcome.event.sum() == 4
    adm = _table("admissions")
    last = pd.to_datetime(adm.groupby("subject_id")["dischtime"].max())
    admit = pd.to_datetime(adm.set_index("hadm_id").loc[survival.ids, "admittime"])
    expected = (last.loc[survival.groups].to_numpy() - admit.to_numpy()) / pd.Timedelta(days=1)
    np.testing.assert_allclose(survival.outcomes["followup_days"], expected + 365, atol=1e-4)
    censored = ~survival.outcome.event
    np.testing.assert_allclose(survival.outcome.time[censored], expected[censored] + 365, atol=1e-4)
    with pytest.raises(ValueError, match=r"no admission is left .* \(admissions with an AMI"):
        _load(exclude_hadm_ids=list(every.ids))


def test_bad_options_are_refused():
    with pytest.raises(TypeError, match="primary_only must be True or False; got 'yes'"):
        load_mimic4_ami(DEMO, primary_only="yes")
    with pytest.raises(ValueError, match=r"label must be one of \['death_1yr_from_admit'"):
        load_mimic4_ami(DEMO, label="death_30d")
    with pytest.raises(TypeError, match="exclude_hadm_ids must be a list of hadm_id integers"):
        load_mimic4_ami(DEMO, exclude_hadm_ids=["x"])
    with pytest.raises(TypeError, match="directory must be a folder path"):
        load_mimic4_ami(42)


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "mimic"
    shutil.copytree(DEMO, target)
    return target


def test_missing_core_table_is_named_with_its_place(copy):
    (copy / "icu" / "icustays.csv.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"lacks the MIMIC-IV table\(s\) \['icustays'\]: "
                       r"expected icu/icustays\.csv\.gz"):  # fmt: skip
        load_mimic4_ami(copy, progress=False)


def test_missing_column_and_header_only_tables(copy):
    path = copy / "hosp" / "labevents.csv.gz"
    table = pd.read_csv(path, dtype=str).drop(columns="valuenum")
    table.to_csv(path, index=False)
    with pytest.raises(SchemaError, match=r"labevents\.valuenum: required column missing\. "
                       r"hosp/labevents\.csv\.gz has the columns"):  # fmt: skip
        load_mimic4_ami(copy, progress=False)
    pd.DataFrame(columns=["subject_id", "chartdate", "result_name", "result_value"]).to_csv(
        copy / "hosp" / "omr.csv.gz", index=False
    )
    (copy / "hosp" / "prescriptions.csv.gz").unlink()
    table.assign(valuenum=pd.read_csv(DEMO / "hosp" / "labevents.csv.gz")["valuenum"]).to_csv(
        path, index=False
    )
    with pytest.warns(UserWarning) as record:
        cohort = load_mimic4_ami(copy, progress=False)
    messages = " ".join(str(w.message) for w in record)
    assert "hosp/omr.csv.gz (omr) has a header but no rows" in messages
    assert "hosp/prescriptions.csv.gz (prescriptions) is absent" in messages
    assert "the medication flags are left out" in messages
    assert "omr_bmi" not in cohort.features and "aspirin_48h" not in cohort.features
    assert "creatinine_max" in cohort.features


def test_memory_cap_and_threads_give_the_same_cohort(demo):
    capped = _load(memory_limit="256MB", threads=1)
    pd.testing.assert_frame_equal(capped.features, demo.features)
    assert capped.flow.equals(demo.flow)


def test_progress_bar_names_the_cohort(capsys):
    _load()
    assert capsys.readouterr().err == ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load_mimic4_ami(DEMO)
    err = capsys.readouterr().err
    assert "MIMIC-IV AMI cohort" in err and "6/6" in err


# --- code lists -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "version", "expected"),
    [
        ("41071", 9, "NSTEMI"),
        ("41011", 9, "STEMI"),
        ("41091", 9, "unspecified"),
        ("4110", 9, "post_mi_syndrome"),
        ("I2101", 10, "STEMI"),
        ("I213", 10, "STEMI"),
        ("I214", 10, "NSTEMI"),
        ("I222", 10, "NSTEMI"),
        ("I229", 10, "STEMI"),
        ("I21A1", 10, "type2_or_other"),
        ("I219", 10, "unspecified"),
        ("I241", 10, "post_mi_syndrome"),
    ],
)
def test_ami_type_of_each_revision(code, version, expected):
    """Oracle: the ICD-9-CM and ICD-10-CM titles (MIMIC-IV d_icd_diagnoses), e.g. I22.2
    'Subsequent non-ST elevation (NSTEMI) myocardial infarction'."""
    assert ami_type(pd.Series([code]), pd.Series([version]))[0] == expected


# Quan 2005 Table 2, ICD-10 column: one code per category, as published (dot-less), and a
# neighbour outside it.
QUAN_ICD10 = {
    "congestive_heart_failure": ("I110", "I111"),
    "cardiac_arrhythmias": ("R001", "R002"),
    "valvular_disease": ("Q233", "Q234"),
    "pulmonary_circulation": ("I288", "I281"),
    "hypertension": ("I150", "I14"),
    "renal_failure": ("Z992", "Z991"),
    "liver_disease": ("K717", "K716"),
    "coagulopathy": ("D696", "D692"),
    "solid_tumor": ("C97", "C42"),
    "alcohol_abuse": ("Z721", "Z720"),
    "depression": ("F412", "F411"),
}


@pytest.mark.parametrize("category", list(QUAN_ICD10))
def test_quan_icd10_categories(category):
    inside, outside = QUAN_ICD10[category]
    codes = pd.DataFrame(
        {"hadm_id": [1, 2], "icd_code": [inside, outside], "icd_version": [10, 10]}
    )
    flags = flags_any_version(codes, {}, ELIXHAUSER_QUAN_ICD10, [1, 2])
    assert flags.loc[1, category] == 1 and flags.loc[2, category] == 0


def test_elixhauser_reads_both_revisions_and_skips_the_principal_diagnosis():
    """Oracle: van Walraven 2009 weights by hand: CHF 7 + renal failure 5 (ICD-10), CHF 7
    (ICD-9), the principal diagnosis not counted."""
    diagnoses = pd.DataFrame(
        {
            "hadm_id": [1, 1, 1, 2, 2, 3],
            "seq_num": [1, 2, 3, 1, 2, 1],
            "icd_code": ["I214", "I5023", "N184", "41071", "4280", "I5023"],
            "icd_version": [10, 10, 10, 9, 9, 10],
        }
    )
    flags = elixhauser_any_version(diagnoses, [1, 2, 3, 4])
    assert flags["elixhauser_vanwalraven"].tolist() == [12, 7, 0, 0]
    assert flags["elix_renal_failure"].tolist() == [1, 0, 0, 0]


def test_icd10_lists_expand_to_dotless_prefixes():
    assert prefixes(AMI_FLAGS_ICD10["afib"]) == ("I480", "I481", "I482", "I4891")
    assert prefixes(PROCEDURES_ICD10_PCS["pci"])[:4] == ("0270", "0271", "0272", "0273")
    assert prefixes(ELIXHAUSER_QUAN_ICD10["coagulopathy"]) == (
        "D65", "D66", "D67", "D68", "D691", "D693", "D694", "D695", "D696",
    )  # fmt: skip


# --- the cohort in a study --------------------------------------------------------------


def test_study_end_to_end_on_the_demo(demo, tmp_path):
    """11 admissions, 3 deaths: the Study runs, flags every estimate as small data and the
    report's cohort section shows the exclusion flow."""
    with pytest.warns(UserWarning, match="Small data: .* fewer than 10 events or non-events"):
        result = rk.Study(
            demo, models=["logistic"], validation=3, n_boot=50, explain=None, progress=False,
            random_state=0,
        ).run()  # fmt: skip
    assert result.summary["small_data"].all()
    assert result.settings["validation"].startswith("stratified 3-fold")
    assert "grouped by patient" in result.settings["validation"]
    path = tmp_path / "report.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result.report(path)
    text = path.read_text()
    assert "excluded: no ICU stay" in text and "MIMIC-IV" in text


STUDY = """
cohort:
  loader: load_mimic4_ami
  path: mimic4
  args: {{progress: false, memory_limit: 1GB}}
models: [logistic]
validation: 3
n_boot: 50
random_state: 3
explain: null
report:
  file: mimic4.html
  sections: [cohort, performance]
"""


def test_riskml_run_study_file_on_the_demo(demo, tmp_path):
    """Oracle: the same study built with rk.Study in Python."""
    shutil.copytree(DEMO, tmp_path / "mimic4")
    study_file = tmp_path / "study.yaml"
    study_file.write_text(STUDY.format())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, report = run_study_file(study_file, tmp_path / "out", progress=False)
        expected = rk.Study(
            demo, models=["logistic"], validation=3, n_boot=50, random_state=3, explain=None,
            progress=False,
        ).run()  # fmt: skip
        assert main(["run", str(study_file), "--out", str(tmp_path / "cli")]) == 0
    pd.testing.assert_frame_equal(result.summary, expected.summary)
    assert "excluded: no ICU stay" in report.read_text()
    assert (tmp_path / "cli" / "mimic4.html").exists()
