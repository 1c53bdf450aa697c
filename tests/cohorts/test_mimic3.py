"""Tests for load_mimic3_ami and make_mimic3_ami.

The real data are the adapted MIMIC-III demo copy in tests/data/mimic3_demo (ODbL-1.0, see its
README). Every count or value the loader produces is checked against an independent pandas
computation on the raw CSV rows (the oracle named in each test), never against itself.
"""

import datetime
import gzip
import hashlib
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from riskml.cohorts import SchemaError, load_mimic3_ami, make_mimic3_ami
from riskml.cohorts._icd9 import AMI_FLAGS, code_flags, elixhauser, prefixes
from riskml.cohorts._mimic3_cohort import _index_codes
from riskml.cohorts._mimic3_features import _parse_troponin

DEMO = Path(__file__).resolve().parents[1] / "data" / "mimic3_demo"


def _csv(name, **kwargs):
    path = DEMO / f"{name}.csv"
    return pd.read_csv(path if path.exists() else path.with_suffix(".csv.gz"), **kwargs)


def _hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _when(text):
    return datetime.datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def demo():
    before = _hashes(DEMO)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohort = load_mimic3_ami(DEMO)
    assert _hashes(DEMO) == before, "the loader modified its input files"
    return cohort


@pytest.fixture(scope="module")
def raw_cohort():
    """The AMI admissions rebuilt with pandas alone: the oracle for counts and ages."""
    dx = _csv("DIAGNOSES_ICD", dtype={"icd9_code": str})
    index = dx[dx["icd9_code"].str.startswith("410") | (dx["icd9_code"] == "4110")]
    adm = _csv("ADMISSIONS")
    adm = adm[adm["hadm_id"].isin(index["hadm_id"])]
    adm = adm[~adm["diagnosis"].fillna("").str.contains("DONOR", case=False)]
    adm = adm[adm["has_chartevents_data"] == 1]
    stays = _csv("ICUSTAYS").sort_values("intime").groupby("hadm_id").first()
    adm = adm[adm["hadm_id"].isin(stays.index)]
    adm = adm.merge(_csv("PATIENTS")[["subject_id", "dob"]], on="subject_id")
    adm["intime"] = adm["hadm_id"].map(stays["intime"])
    # age with Python datetimes (no 292-year limit): days / 365.242
    adm["age"] = [
        (_when(a) - _when(b)).total_seconds() / 86400 / 365.242
        for a, b in zip(adm["admittime"], adm["dob"], strict=True)
    ]
    return adm[adm["age"] >= 18].sort_values("hadm_id").reset_index(drop=True)


# --- the real demo ----------------------------------------------------------------------


def test_ami_admissions_match_an_independent_pandas_count(demo, raw_cohort):
    """Oracle: the AMI admissions and patients counted with pandas from the raw tables."""
    assert len(demo) == len(raw_cohort) == 13
    assert demo.ids.tolist() == raw_cohort["hadm_id"].tolist()
    assert demo.groups.tolist() == raw_cohort["subject_id"].tolist()
    assert demo.flow["admissions"].iloc[0] == 13
    assert demo.flow["patients"].iloc[-1] == raw_cohort["subject_id"].nunique()


def test_ages_and_the_shifted_over_89_group(demo, raw_cohort):
    """Oracle: (ADMITTIME - DOB) / 365.242 with Python datetimes; above 89 -> 91.4."""
    expected = np.where(raw_cohort["age"] > 89, 91.4, raw_cohort["age"].round(2))
    np.testing.assert_allclose(demo.features["age"], expected, atol=1e-9)
    assert demo.features["age_gt89"].tolist() == (raw_cohort["age"] > 89).astype(float).tolist()
    assert (raw_cohort["age"] > 250).sum() == 1  # one DOB shifted by 300 years


@pytest.mark.parametrize("hadm_id", [165393, 198480], ids=["carevue", "metavision-2-stays"])
def test_first_day_heart_rate_recomputed_by_hand(demo, hadm_id):
    """Oracle: the CHARTEVENTS rows of items 211/220045 in (intime, intime + 24 h], ERROR != 1,
    0 < value < 300, selected with pandas; intime is the first ICU stay's."""
    stays = _csv("ICUSTAYS")
    intime = pd.Timestamp(stays.loc[stays["hadm_id"] == hadm_id, "intime"].min())
    chart = _csv("CHARTEVENTS")
    rows = chart[
        (chart["hadm_id"] == hadm_id)
        & chart["itemid"].isin([211, 220045])
        & (chart["error"].fillna(0) != 1)
        & (chart["valuenum"] > 0)
        & (chart["valuenum"] < 300)
    ]
    when = pd.to_datetime(rows["charttime"])
    values = rows.loc[(when > intime) & (when <= intime + pd.Timedelta(hours=24)), "valuenum"]
    assert len(values) > 10
    row = demo.features.iloc[demo.ids.tolist().index(hadm_id)]
    assert row["heartrate_min"] == values.min()
    assert row["heartrate_max"] == values.max()
    assert row["heartrate_mean"] == pytest.approx(values.mean(), rel=1e-12)


def test_first_day_creatinine_recomputed_by_hand(demo):
    """Oracle: LABEVENTS item 50912 of the patient in [intime - 6 h, intime + 24 h], > 0."""
    hadm_id, subject_id = 182879, 40601
    stays = _csv("ICUSTAYS")
    intime = pd.Timestamp(stays.loc[stays["hadm_id"] == hadm_id, "intime"].min())
    labs = _csv("LABEVENTS")
    rows = labs[
        (labs["subject_id"] == subject_id) & (labs["itemid"] == 50912) & (labs["valuenum"] > 0)
    ]
    when = pd.to_datetime(rows["charttime"])
    window = (when >= intime - pd.Timedelta(hours=6)) & (when <= intime + pd.Timedelta(hours=24))
    row = demo.features.iloc[demo.ids.tolist().index(hadm_id)]
    assert row["creatinine_max"] == rows.loc[window, "valuenum"].max()
    assert row["creatinine_min"] == rows.loc[window, "valuenum"].min()


def test_outcome_is_death_within_a_year_of_admission(demo):
    """Oracle: DOD (or DEATHTIME in hospital) - ADMITTIME <= 365 days, computed with pandas."""
    adm = _csv("ADMISSIONS").set_index("hadm_id").loc[demo.ids]
    dod = _csv("PATIENTS").set_index("subject_id").loc[adm["subject_id"], "dod"].to_numpy()
    death = np.where(adm["hospital_expire_flag"] == 1, adm["deathtime"], dod)
    days = (pd.to_datetime(death) - pd.to_datetime(adm["admittime"])).dt.total_seconds() / 86400
    assert demo.outcome.event.tolist() == (days.to_numpy() <= 365).tolist()
    assert demo.outcomes["hospital_expire_flag"].tolist() == adm["hospital_expire_flag"].tolist()


def test_schema_tags_post_index_features_and_keeps_ids_out(demo):
    predictors = set(demo.predictors)
    for post in ("pci", "cabg", "los_hosp_days", "n_icu_stays", "aspirin_stay"):
        assert post in demo.features.columns and post not in predictors
    for kept in ("age", "heartrate_max", "aspirin_48h", "elix_congestive_heart_failure"):
        assert kept in predictors
    assert not {"hadm_id", "subject_id", "icustay_id", "admittime"} & set(demo.features.columns)
    assert demo.context["icustay_id"].iloc[0] > 0


def test_options_label_followup_and_primary_only():
    """Oracle: counts of the demo's raw columns (hospital_expire_flag, dbsource, SEQ_NUM)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        survival = load_mimic3_ami(DEMO, label="death")
        discharged = load_mimic3_ami(DEMO, label="death_1yr_post_discharge")
        carevue = load_mimic3_ami(DEMO, followup="carevue_only", primary_only=True)
    assert survival.outcome.is_survival and survival.horizon == 365
    assert (survival.outcome.time <= survival.outcomes["followup_days"]).all()
    died_in_hospital = int(survival.outcomes["hospital_expire_flag"].sum())
    assert len(discharged) == len(survival) - died_in_hospital == 7
    dx = _csv("DIAGNOSES_ICD", dtype={"icd9_code": str})
    primary = set(dx.loc[(dx["seq_num"] == 1) & dx["icd9_code"].str.startswith("410"), "hadm_id"])
    stays = _csv("ICUSTAYS").set_index("hadm_id")
    expected = {h for h in primary if (stays.loc[[h], "dbsource"] == "carevue").all()}
    assert set(carevue.ids) == expected
    assert carevue.flow["step"].iloc[-1].startswith("excluded: not CareVue")


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match=r"label must be one of \['death_1yr_from_admit'"):
        load_mimic3_ami(DEMO, label="mortality")
    with pytest.raises(ValueError, match=r"followup must be one of \['flag', 'carevue_only'\]"):
        load_mimic3_ami(DEMO, followup="drop")
    with pytest.raises(TypeError, match="primary_only must be True or False; got 'yes'"):
        load_mimic3_ami(DEMO, primary_only="yes")
    with pytest.raises(TypeError, match="exclude_hadm_ids must be a list of HADM_ID"):
        load_mimic3_ami(DEMO, exclude_hadm_ids=["x"])
    with pytest.raises(TypeError, match="directory must be a folder path"):
        load_mimic3_ami(3)


# --- corrupted copies -----------------------------------------------------------------------


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "mimic"
    shutil.copytree(DEMO, target)
    return target


def _rewrite(folder, name, edit):
    path = folder / f"{name}.csv"
    if path.exists():
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        edit(table)
        table.to_csv(path, index=False)
    else:
        path = path.with_suffix(".csv.gz")
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        edit(table)
        with gzip.open(path, "wt") as handle:
            table.to_csv(handle, index=False)


def test_missing_table_is_named(copy):
    (copy / "ICUSTAYS.csv").unlink()
    with pytest.raises(FileNotFoundError, match=r"lacks the table\(s\) \['ICUSTAYS'\]"):
        load_mimic3_ami(copy)


def test_missing_column_is_named_with_the_table(copy):
    _rewrite(copy, "PATIENTS", lambda t: t.drop(columns="dob", inplace=True))
    with pytest.raises(
        SchemaError,
        match=r"PATIENTS\.dob: required column missing\. "
        r"PATIENTS\.csv has the columns \['row_id', 'subject_id', 'gender', ",
    ):
        load_mimic3_ami(copy)


def test_bad_date_names_column_rule_and_admission(copy):
    def edit(table):
        table.loc[table["hadm_id"] == "165520", "admittime"] = "2125-13-04 23:36:00"

    _rewrite(copy, "ADMISSIONS", edit)
    with pytest.raises(
        SchemaError,
        match=r"ADMISSIONS\.admittime: datetime values \(YYYY-MM-DD "
        r"HH:MM:SS\): 1 row breaks it \(first hadm_id: 165520\)\. Found "
        r"'2125-13-04 23:36:00'",
    ):
        load_mimic3_ami(copy)


def test_creatinine_in_umol_is_diagnosed_as_a_unit_error(copy):
    def edit(table):
        rows = table["itemid"] == "50912"
        table.loc[rows, "valuenum"] = (pd.to_numeric(table.loc[rows, "valuenum"]) * 88.4).round(0)

    _rewrite(copy, "LABEVENTS", edit)
    with pytest.raises(
        SchemaError,
        match=r"creatinine_max: hard range \[0.05, 40\] mg/dL: \d+ "
        r"rows break it \(first hadm_id: \d+",
    ) as caught:
        load_mimic3_ami(copy)
    assert "creatinine_max looks like umol/L" in str(caught.value)
    assert "divide by 88.4" in str(caught.value)


def test_hemoglobin_in_g_per_l_is_refused_not_silently_emptied(copy):
    def edit(table):
        rows = table["itemid"].isin(["51222", "50811"])
        table.loc[rows, "valuenum"] = pd.to_numeric(table.loc[rows, "valuenum"]) * 10

    _rewrite(copy, "LABEVENTS", edit)
    with pytest.raises(
        SchemaError,
        match=r"LABEVENTS\.valuenum \(hemoglobin, itemid 51222, "
        r"50811\): sanity cap 50 g/dL: \d+ rows break it \(first hadm_id: .*look "
        r"like g/L .*divide by 10",
    ):
        load_mimic3_ami(copy)


def test_death_before_admission_is_refused_with_the_admission(copy):
    def edit(table):
        table.loc[table["subject_id"] == "10013", "dod"] = "2120-01-01 00:00:00"

    _rewrite(copy, "PATIENTS", edit)
    with pytest.raises(
        SchemaError,
        match=r"admittime, dod: death before admission \(admittime "
        r"<= dod \+ 1 day\): 1 row breaks it \(first hadm_id: 165520\)",
    ):
        load_mimic3_ami(copy)


def test_duplicated_admissions_are_refused(copy):
    path = copy / "ADMISSIONS.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.concat([table, table[table["hadm_id"] == "126949"]]).to_csv(path, index=False)
    with pytest.raises(
        SchemaError,
        match=r"ADMISSIONS\.hadm_id: unique ids: 2 rows break it "
        r"\(first hadm_id: 126949",
    ):
        load_mimic3_ami(copy)


def test_renumbered_lab_items_are_caught_by_d_labitems(copy):
    def edit(table):
        table.loc[table["itemid"] == "50912", "label"] = "Cholesterol, Total"

    _rewrite(copy, "D_LABITEMS", edit)
    with pytest.raises(
        SchemaError,
        match=r"D_LABITEMS\.label: item ids of MIMIC-III v1\.4\. "
        r"These item ids do not carry the expected labels: 50912 is 'cholesterol, "
        r"total', expected 'creatinine'",
    ):
        load_mimic3_ami(copy)


# --- pieces against published definitions ----------------------------------------------------


def test_ami_type_precedence_and_options():
    """Oracle: the precedence rule of study_designs.md 2.1, applied by hand to these codes."""
    dx = pd.DataFrame(
        {
            "hadm_id": [1, 1, 2, 3, 3, 4, 5],
            "seq_num": ["2", "5", "1", "3", "1", "1", "2"],
            "icd9_code": ["41071", "41041", "4110", "41091", "4110", "41072", "4111"],
        }
    )
    chosen = _index_codes(dx, primary_only=False, exclude_subsequent_episode=False)
    assert chosen["ami_type"].to_dict() == {
        1: "STEMI",
        2: "post_mi_syndrome",
        3: "unspecified",
        4: "NSTEMI",
    }
    assert chosen.loc[1, "ami_icd9_code"] == "41041"
    assert chosen["ami_primary_dx"].to_dict() == {1: False, 2: True, 3: True, 4: True}
    assert 4 not in _index_codes(dx, primary_only=False, exclude_subsequent_episode=True).index
    assert set(_index_codes(dx, primary_only=True, exclude_subsequent_episode=False).index) == {
        2,
        3,
        4,
    }


def test_troponin_text_values_are_parsed():
    value, below = _parse_troponin(
        pd.Series(["<0.01", "0.05", ">25", "GREATER THAN 50", "NotDone", None, " 1.2 "])
    )
    assert value.tolist()[:4] == [0.005, 0.05, 25.0, 50.0]
    assert np.isnan(value[4]) and np.isnan(value[5]) and value[6] == 1.2
    assert below.tolist() == [True, False, False, False, False, False, False]


def test_icd9_prefixes_expand_published_ranges():
    assert prefixes("425.4-425.6, 428.x, V42.2, 042.x-044.x") == (
        "4254",
        "4255",
        "4256",
        "428",
        "V422",
        "042",
        "043",
        "044",
    )
    assert prefixes("36.1x, 00.66") == ("361", "0066")


def test_elixhauser_against_quan_2005_and_van_walraven_2009():
    """Oracle: categories and weights looked up by hand in Quan 2005 Table 2 (enhanced ICD-9-CM)
    and van Walraven 2009 Table 2; the principal diagnosis is not counted (mimic-code)."""
    dx = pd.DataFrame(
        {
            "hadm_id": [1, 1, 1, 2, 2, 2, 3, 3, 4],
            "seq_num": [1, 2, 3, 2, 3, 4, 2, 3, 1],
            "icd9_code": [
                "4280",
                "42731",
                "4019",
                "25000",
                "25040",
                "1970",
                "1541",
                "V4581",
                "4280",
            ],
        }
    )
    elix = elixhauser(dx)
    assert elix.loc[1, "elix_congestive_heart_failure"] == 0  # principal diagnosis
    assert elix.loc[1, "elix_cardiac_arrhythmias"] == 1 and elix.loc[1, "elix_hypertension"] == 1
    assert elix.loc[1, "elixhauser_vanwalraven"] == 5 + 0
    assert elix.loc[2, ["elix_diabetes_uncomplicated", "elix_diabetes_complicated"]].tolist() == [
        0,
        1,
    ]
    assert elix.loc[2, "elix_metastatic_cancer"] == 1
    assert elix.loc[2, "elixhauser_vanwalraven"] == 12
    assert elix.loc[3, "elix_solid_tumor"] == 1 and elix.loc[3, "elixhauser_vanwalraven"] == 4
    assert elix.loc[4].sum() == 0
    flags = code_flags(dx, AMI_FLAGS)
    assert flags.loc[3, "prior_cabg"] == 1 and flags.loc[1, "afib"] == 1


# --- synthetic tables, end to end ---------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic_mimic")
    truth = make_mimic3_ami(folder, n_patients=400, random_state=3)
    before = _hashes(folder)
    with pytest.warns(UserWarning, match=r"(\d+) of (\d+) admissions are MetaVision-era") as caught:
        cohort = load_mimic3_ami(folder)
    assert _hashes(folder) == before
    return folder, truth, cohort, str(caught[0].message)


def test_generator_round_trip_keeps_every_admission_and_its_attributes(synthetic):
    """Oracle: the generator's own record of what it wrote (``truth``)."""
    _, truth, cohort, _ = synthetic
    truth = truth.set_index("hadm_id").loc[cohort.ids]
    assert len(cohort) == len(truth) > 400  # 10% of patients have a second admission
    assert (cohort.groups == truth["subject_id"].to_numpy()).all()
    assert (cohort.features["ami_type"].to_numpy() == truth["ami_type"].to_numpy()).all()
    assert (cohort.context["ami_icd9_code"].to_numpy() == truth["ami_icd9_code"].to_numpy()).all()
    expected_age = np.where(truth["age"] > 89, 91.4, truth["age"])
    np.testing.assert_allclose(cohort.features["age"], expected_age, atol=0.01)


def test_generator_labels_and_the_metavision_censoring(synthetic):
    """Oracle: the simulated truth. CareVue labels are complete; MetaVision ones miss deaths."""
    _, truth, cohort, message = synthetic
    truth = truth.set_index("hadm_id").loc[cohort.ids]
    label = cohort.outcome.event.astype(int)
    carevue = (truth["dbsource"] == "carevue").to_numpy()
    assert (label[carevue] == truth["died_1yr"].to_numpy()[carevue]).all()
    assert (label <= truth["died_1yr"].to_numpy()).all()
    inadequate = ((truth["death_recorded"] == 0) & ~carevue).to_numpy()
    assert (cohort.outcomes["label_followup_adequate"].to_numpy() == ~inadequate).all()
    assert message.startswith(f"{inadequate.sum()} of {len(cohort)} admissions")
    known = truth["true_risk"].notna().to_numpy() & carevue
    assert roc_auc_score(label[known], truth["true_risk"].to_numpy()[known]) > 0.75


def test_generator_error_rows_and_fahrenheit_are_handled(synthetic):
    """Oracle: pandas on the written (upper-case) CHARTEVENTS: ERROR = 1 rows dropped, degrees F
    converted, window (intime, intime + 24 h]."""
    folder, _, cohort, _ = synthetic
    chart = pd.read_csv(folder / "CHARTEVENTS.csv")
    errors = chart[chart["ERROR"] == 1]
    assert len(errors) > 0
    stays = pd.read_csv(folder / "ICUSTAYS.csv").sort_values("INTIME").groupby("HADM_ID").first()
    checked = 0
    for hadm_id in errors["HADM_ID"].unique()[:5]:
        rows = chart[(chart["HADM_ID"] == hadm_id) & (chart["ERROR"] != 1)]
        intime = pd.Timestamp(stays.loc[hadm_id, "INTIME"])
        when = pd.to_datetime(rows["CHARTTIME"])
        rows = rows[(when > intime) & (when <= intime + pd.Timedelta(hours=24))]
        temp = rows[rows["ITEMID"].isin([223761, 678])]["VALUENUM"]
        temp = pd.concat([(temp - 32) / 1.8, rows[rows["ITEMID"].isin([223762, 676])]["VALUENUM"]])
        hr = rows[rows["ITEMID"].isin([211, 220045])]["VALUENUM"]
        row = cohort.features.iloc[cohort.ids.tolist().index(hadm_id)]
        assert row["heartrate_max"] == hr.max()
        assert row["tempc_max"] == pytest.approx(temp.max(), abs=1e-12)
        checked += 1
    assert checked > 0


def test_generator_refuses_to_overwrite(synthetic):
    folder = synthetic[0]
    with pytest.raises(FileExistsError, match="already holds"):
        make_mimic3_ami(folder, n_patients=5)
    with pytest.raises(ValueError, match=r"The 'n_patients' parameter of make_mimic3_ami must be"):
        make_mimic3_ami(folder, n_patients=0)


def test_subset_and_table_one_on_the_demo(demo):
    """The flow table has as many rows as the subset (a per-row look-alike); it must stay whole."""
    steps = len(demo.flow)
    sub = demo.subset(np.arange(steps))
    pd.testing.assert_frame_equal(sub.flow, demo.flow)
    assert sub.context["icustay_id"].tolist() == demo.context["icustay_id"].iloc[:steps].tolist()
    table = demo.table_one().set_index(["variable", "level"])
    assert table.loc[("n", ""), "Event"] == str(int(demo.outcome.event.sum()))
    ages = demo.features["age"]
    q1, q2, q3 = np.percentile(ages, [25, 50, 75])  # schema: summary median
    assert table.loc[("age", ""), "Overall"] == f"{q2:.1f} [{q1:.1f}, {q3:.1f}]"


def test_loading_shows_a_progress_bar_over_the_build_steps(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quiet = load_mimic3_ami(DEMO, progress=False)
        assert capsys.readouterr().err == ""
        shown = load_mimic3_ami(DEMO)
    err = capsys.readouterr().err
    assert "MIMIC-III AMI cohort" in err and "6/6" in err
    pd.testing.assert_frame_equal(quiet.features, shown.features)


# --- readmission with death competing (issue 27) ------------------------------------------
def _readmission_oracle(folder, ids):
    """Event type and time from discharge rebuilt with pandas from the raw tables: the
    next ADMITTIME of the same patient after DISCHTIME (1), else a death before the end of
    follow-up (2), else censored at the era's follow-up less the stay (0)."""

    def read(name):
        for path in (folder / f"{name}.csv", folder / f"{name}.csv.gz"):
            if path.exists():
                frame = pd.read_csv(path)
                return frame.rename(columns=str.lower)
        raise FileNotFoundError(name)

    adm = read("ADMISSIONS")
    for column in ("admittime", "dischtime", "deathtime"):
        adm[column] = pd.to_datetime(adm[column])
    dod = read("PATIENTS").set_index("subject_id")["dod"]
    era = read("ICUSTAYS").sort_values("intime").groupby("hadm_id")["dbsource"].first()
    rows = []
    for hadm in ids:
        me = adm.set_index("hadm_id").loc[hadm]
        later = adm[(adm["subject_id"] == me["subject_id"]) & (adm["admittime"] > me["dischtime"])]
        day = 86400.0
        readmit = (later["admittime"].min() - me["dischtime"]).total_seconds() / day
        death = pd.to_datetime(dod.get(me["subject_id"]))
        died = (death - me["dischtime"]).total_seconds() / day if pd.notna(death) else np.nan
        stay = (me["dischtime"] - me["admittime"]).total_seconds() / day
        limit = max((1461.0 if era[hadm].strip().lower() == "carevue" else 90.0) - stay, 0.0)
        if readmit <= limit and not died < readmit:
            rows.append((1, readmit))
        elif died <= limit:
            rows.append((2, max(died, 0.0)))
        else:
            rows.append((0, limit))
    return np.array(rows, dtype=float)


@pytest.mark.parametrize("source", ["demo", "synthetic"])
def test_readmission_with_death_competing_equals_a_pandas_rebuild(source, tmp_path):
    folder = DEMO
    if source == "synthetic":
        folder = tmp_path / "mimic"
        make_mimic3_ami(folder, n_patients=300, random_state=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohort = load_mimic3_ami(folder, label="readmission", progress=False)
        everyone = load_mimic3_ami(folder, label="death", progress=False)
    died_in_hospital = int(everyone.outcomes["hospital_expire_flag"].sum())
    assert len(cohort) == len(everyone) - died_in_hospital
    assert cohort.outcome.kind == "competing" and cohort.horizon == 365
    assert cohort.flow["step"].str.contains("died in hospital").any()
    expected = _readmission_oracle(folder, cohort.ids)
    np.testing.assert_array_equal(cohort.outcome.event_type, expected[:, 0])
    np.testing.assert_allclose(cohort.outcome.time, expected[:, 1], atol=1e-9)
    if source == "synthetic":
        assert (cohort.outcome.event_type == 1).sum() > 0  # second admissions are readmissions
