"""Bad cohort files and MIMIC-III tables: each gets one clear error or warning.

Built from the synthetic young-hypertension and heart-failure-registry cohorts
and from the MIMIC-III demo copy in tests/data/mimic3_demo; see conftest.py for
what every case asserts (type, problem, fix, no patient values, inputs unchanged).
"""

import gzip
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

from riskml.cohorts import SchemaError, load_hf_registry, load_mimic3_ami, load_young_hypertension
from riskml.cohorts._tables import TableReadError

from .conftest import Case, check_case

DEMO = Path(__file__).resolve().parents[1] / "data" / "mimic3_demo"


@pytest.fixture(scope="module")
def data():
    from riskml.cohorts import make_hf_registry, make_young_hypertension

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        htn = make_young_hypertension(n_patients=60, random_state=0, return_frame=True)
        hf = make_hf_registry(n_patients=300, random_state=0, return_frame=True)
    return {"htn": htn, "hf": hf}


# -- young hypertension cohort files -------------------------------------------------------


def _htn(edit=None, *, name="cohort.csv", write=None):
    """A case builder: the synthetic cohort, edited, written as ``name``."""

    def build(tmp_path, data):
        frame = data["htn"].copy()
        if edit is not None:
            frame = edit(frame) if edit(frame.copy()) is not None else frame
        path = tmp_path / name
        if write is not None:
            write(path, frame)
        else:
            frame.to_csv(path, index=False)
        return (lambda: load_young_hypertension(path)), [path]

    return build


def _edit(function):
    """Wrap an in-place edit so that it returns the frame."""

    def edit(frame):
        function(frame)
        return frame

    return edit


def _bytes(function):
    """A writer that post-processes the CSV bytes."""

    def write(path, frame):
        path.write_bytes(function(frame.to_csv(index=False).encode("utf-8")))

    return write


def _latin1(raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    lines[5] = lines[5].replace(b",M,", b",M\xe9,", 1).replace(b",F,", b",F\xe9,", 1)
    return b"\n".join(lines)


def _ragged(raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    lines[7] = lines[7] + b",1,2,3"
    return b"\n".join(lines)


def _duplicate_header(raw: bytes) -> bytes:
    head, rest = raw.split(b"\n", 1)
    return head.replace(b"bmi", b"age", 1) + b"\n" + rest


def _no_events(frame):
    frame["composite_event"] = 0
    time = frame["composite_time_days"].to_numpy(float)
    frame["composite_by_33mo"] = np.where(time >= 1004, 0.0, np.nan)
    for column in [c for c in frame.columns if c.startswith("evt_")]:
        frame[column] = 0
    if "first_event_type" in frame:
        frame["first_event_type"] = np.nan


def _text_numbers(frame):
    frame["office_sbp"] = frame["office_sbp"].astype(object)
    frame.loc[[3, 8], "office_sbp"] = "142 mmHg"


def _decimal_comma(frame):
    frame["total_chol"] = frame["total_chol"].map(lambda v: f"{v:.1f}".replace(".", ","))


def _all_text(frame):
    numeric = [c for c in frame.columns if frame[c].dtype.kind == "f"]
    for column in numeric:
        frame[column] = frame[column].astype(object)
        frame.loc[0, column] = "n/a " + "x" * 200


HTN_CASES = [
    Case(
        "htn-empty-file",
        _htn(write=lambda p, f: p.write_bytes(b"")),
        TableReadError,
        r"cohort\.csv is empty \(0 bytes\)",
        r"export the cohort again",
    ),
    Case(
        "htn-header-only",
        _htn(write=lambda p, f: p.write_text(",".join(f.columns) + "\n")),
        TableReadError,
        r"cohort\.csv has a header but no data rows",
        r"export the cohort again with its rows",
    ),
    Case(
        "htn-not-utf8",
        _htn(write=_bytes(_latin1)),
        TableReadError,
        r"cohort\.csv holds bytes that are not UTF-8 text \(first at line 6\)",
        r"re-save the file as UTF-8",
    ),
    Case(
        "htn-truncated-gz",
        _htn(
            name="cohort.csv.gz",
            write=_bytes(lambda raw: gzip.compress(raw)[: len(gzip.compress(raw)) // 2]),
        ),
        TableReadError,
        r"cohort\.csv\.gz is truncated or damaged",
        r"copy or download it again",
    ),
    Case(
        "htn-semicolon-separated",
        _htn(write=lambda p, f: f.to_csv(p, index=False, sep=";")),
        TableReadError,
        r"cohort\.csv has one column whose name holds semicolons",
        r"save it as comma-separated values",
    ),
    Case(
        "htn-gz-not-utf8",
        _htn(name="cohort.csv.gz", write=_bytes(lambda raw: gzip.compress(_latin1(raw)))),
        TableReadError,
        r"cohort\.csv\.gz holds bytes that are not UTF-8 text \(first at line 6\)",
        r"re-save the file as UTF-8",
    ),
    Case(
        "htn-ragged-row",
        _htn(write=_bytes(_ragged)),
        TableReadError,
        r"cohort\.csv is not a well-formed CSV table",
        r"re-export it as comma-separated values",
    ),
    Case(
        "htn-duplicated-header",
        _htn(write=_bytes(_duplicate_header)),
        TableReadError,
        r"names column\(s\) \['age'\] more than once",
        r"keep one column per name",
    ),
    Case(
        "htn-unknown-format",
        _htn(name="cohort.xlsx"),
        ValueError,
        r"cannot tell the format of 'cohort\.xlsx'",
        r"expected a \.csv",
    ),
    Case(
        "htn-numbers-as-text",
        _htn(_edit(_text_numbers)),
        SchemaError,
        r"office_sbp: float values: 2 rows break it.*text that is not a number",
        r"write plain numbers",
    ),
    Case(
        "htn-decimal-comma",
        _htn(_edit(_decimal_comma)),
        SchemaError,
        r"total_chol: float values: \d+ rows break it.*text that is not a number",
        r"no units, '<', '>' or commas",
    ),
    Case(
        "htn-zero-events",
        _htn(_edit(_no_events)),
        UserWarning,
        r"cohort\.csv: the outcome .* has no event in 60 rows",
        r"Check the outcome column",
        warns=True,
    ),
    Case(
        "htn-cholesterol-mmol",
        _htn(_edit(lambda f: f.__setitem__("total_chol", f["total_chol"] / 38.67))),
        SchemaError,
        r"total_chol looks like mmol/L",
        r"multiply by 38\.67, or pass units=",
    ),
    Case(
        "htn-unknown-level",
        _htn(_edit(lambda f: f.__setitem__("sex", f["sex"].str.lower()))),
        SchemaError,
        r"sex: allowed levels \['M', 'F'\]",
        r"the values differ only in case",
    ),
    Case(
        "htn-missing-column",
        _htn(lambda f: f.drop(columns=["bmi"])),
        SchemaError,
        r"bmi: required column missing",
        r"add each missing column",
    ),
    Case(
        "htn-missing-outcome",
        _htn(
            _edit(
                lambda f: f.__setitem__("composite_event", f["composite_event"].where(f.index != 4))
            )
        ),
        SchemaError,
        r"composite_event: outcome present in every row: 1 row",
        r"drop patients without them",
    ),
    Case(
        "htn-duplicated-ids",
        _htn(
            _edit(
                lambda f: f.__setitem__(
                    "patient_id", f["patient_id"].where(f.index != 5, f["patient_id"][4])
                )
            )
        ),
        SchemaError,
        r"patient_id: unique ids: 2 rows",
        r"keep one row per patient",
    ),
    Case(
        "htn-swapped-pressures",
        _htn(_edit(lambda f: f.__setitem__("office_dbp", f["office_sbp"] + 5))),
        SchemaError,
        r"office_dbp < office_sbp",
        r"check for swapped columns",
    ),
    Case(
        "htn-message-capped",
        _htn(_edit(_all_text)),
        SchemaError,
        r"listed here in part.*more problem\(s\) not shown",
        r"every problem is in SchemaError\.problems",
    ),
]


def test_directory_and_missing_file_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no cohort file at .* \(it is a folder\)"):
        load_young_hypertension(tmp_path)
    with pytest.raises(FileNotFoundError, match="no cohort file at"):
        load_young_hypertension(tmp_path / "absent.csv")


@pytest.mark.parametrize("case", HTN_CASES, ids=lambda c: c.id)
def test_young_hypertension_file(case, tmp_path, data):
    message = check_case(case, tmp_path, data)
    if case.id == "htn-message-capped":
        assert len(message) < 5500


# -- heart-failure registry exports ----------------------------------------------------------


def _hf(edit=None, *, write=None, name="registry.csv"):
    def build(tmp_path, data):
        frame = data["hf"].copy()
        if edit is not None:
            edit(frame)
        path = tmp_path / name
        if write is not None:
            write(path, frame)
        else:
            frame.to_csv(path, index=False)
        return (lambda: load_hf_registry(path)), [path]

    return build


def _day0(frame):
    rows = frame.index[frame["readmit_30d"] == 1][:3]
    frame.loc[rows, "readmit_time_days"] = 0.0


def _hf_no_events(frame):
    frame["readmit_event"] = 0
    frame["readmit_30d"] = 0
    frame["readmit_time_days"] = frame["death_time_days"]


def _after_death(frame):
    row = frame.index[(frame["readmit_event"] == 1)][0]
    frame.loc[row, "death_time_days"] = frame.loc[row, "readmit_time_days"] - 1
    frame.loc[row, "death_event"] = 1


HF_CASES = [
    Case(
        "hf-day0-readmission",
        _hf(_day0),
        SchemaError,
        r"readmit_time_days, readmit_event: a readmission starts at least 1 day after "
        r"discharge: 3 rows",
        r"merge these returns into the index hospitalization",
    ),
    Case(
        "hf-zero-events",
        _hf(_hf_no_events),
        UserWarning,
        r"registry\.csv.*has no event in",
        r"Check the outcome column",
        warns=True,
    ),
    Case(
        "hf-empty-checkbox",
        _hf(lambda f: f.__setitem__("hx_diabetes", f["hx_diabetes"].where(f.index != 2))),
        SchemaError,
        r"hx_diabetes: no empty values: 1 row",
        r"write 0 for unchecked boxes",
    ),
    Case(
        "hf-creatinine-umol",
        _hf(lambda f: f.__setitem__("creatinine", f["creatinine"] * 88.4)),
        SchemaError,
        r"creatinine looks like umol/L",
        r"divide by 88\.4",
    ),
    Case(
        "hf-readmission-after-death",
        _hf(_after_death),
        SchemaError,
        r"readmit_time_days <= death_time_days",
        r"readmission is censored at death",
    ),
    Case(
        "hf-impossible-date",
        _hf(
            lambda f: f.__setitem__("admit_date", f["admit_date"].where(f.index != 3, "2009-02-30"))
        ),
        SchemaError,
        r"admit_date: date values \(YYYY-MM-DD\)",
        r"write ISO 8601 YYYY-MM-DD",
    ),
    Case(
        "hf-header-only",
        _hf(write=lambda p, f: p.write_text(",".join(f.columns) + "\n")),
        TableReadError,
        r"registry\.csv has a header but no data rows",
        r"export the cohort again with its rows",
    ),
    Case(
        "hf-not-utf8",
        _hf(
            write=lambda p, f: p.write_bytes(
                f.to_csv(index=False)
                .encode("cp1252", "replace")
                .replace(b",white,", b",whit\xe9,", 1)
            )
        ),
        TableReadError,
        r"registry\.csv holds bytes that are not UTF-8 text",
        r"re-save the file as UTF-8",
    ),
    Case(
        "hf-tsv-named-csv",
        _hf(write=lambda p, f: f.to_csv(p, index=False, sep="\t")),
        TableReadError,
        r"registry\.csv has one column whose name holds tabs",
        r"name it \.tsv if tab-separated",
    ),
    Case(
        "hf-many-missing-columns-capped",
        _hf(write=lambda p, f: f.rename(columns=str.upper).to_csv(p, index=False)),
        SchemaError,
        r"required column missing: 300 rows.*characters cut",
        r"add each missing column",
    ),
]


@pytest.mark.parametrize("case", HF_CASES, ids=lambda c: c.id)
def test_hf_registry_file(case, tmp_path, data):
    check_case(case, tmp_path, data)


# -- MIMIC-III tables ------------------------------------------------------------------------


def _mimic(edit, **options):
    def build(tmp_path, data):
        folder = tmp_path / "mimic"
        shutil.copytree(DEMO, folder)
        edit(folder)
        return (lambda: load_mimic3_ami(folder, **options)), [folder]

    return build


def _gz_rows(folder, table):
    return gzip.decompress((folder / f"{table}.csv.gz").read_bytes())


def _truncate(table):
    def edit(folder):
        path = folder / f"{table}.csv.gz"
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])

    return edit


def _unzip_in_place(table):
    def edit(folder):
        path = folder / f"{table}.csv.gz"
        path.write_bytes(gzip.decompress(path.read_bytes()))

    return edit


def _header_only(table):
    def edit(folder):
        path = folder / f"{table}.csv.gz"
        if path.exists():
            path.write_bytes(gzip.compress(_gz_rows(folder, table).split(b"\n")[0] + b"\n"))
        else:
            path = folder / f"{table}.csv"
            path.write_bytes(path.read_bytes().split(b"\n")[0] + b"\n")

    return edit


def _replace_text(table, old, new, count=1):
    def edit(folder):
        path = folder / f"{table}.csv"
        path.write_bytes(path.read_bytes().replace(old, new, count))

    return edit


def _ragged_table(table):
    def edit(folder):
        path = folder / f"{table}.csv"
        lines = path.read_bytes().split(b"\n")
        lines[3] += b",extra,cells"
        path.write_bytes(b"\n".join(lines))

    return edit


def _dob_after_admission(folder):
    import pandas as pd

    patients = pd.read_csv(folder / "PATIENTS.csv")
    admissions = pd.read_csv(folder / "ADMISSIONS.csv")
    ami = pd.read_csv(folder / "DIAGNOSES_ICD.csv", dtype={"icd9_code": str})
    hadm = ami.loc[ami["icd9_code"].str.startswith("410"), "hadm_id"].iloc[0]
    subject = admissions.loc[admissions["hadm_id"] == hadm, "subject_id"].iloc[0]
    patients.loc[patients["subject_id"] == subject, "dob"] = "2199-01-01 00:00:00"
    patients.to_csv(folder / "PATIENTS.csv", index=False)


def _no_ami(folder):
    import pandas as pd

    codes = pd.read_csv(folder / "DIAGNOSES_ICD.csv", dtype={"icd9_code": str})
    codes = codes[~codes["icd9_code"].str.startswith(("410", "4110"))]
    codes.to_csv(folder / "DIAGNOSES_ICD.csv", index=False)


def _bad_admittime(folder):
    import pandas as pd

    admissions = pd.read_csv(folder / "ADMISSIONS.csv")
    ami = pd.read_csv(folder / "DIAGNOSES_ICD.csv", dtype={"icd9_code": str})
    hadm = ami.loc[ami["icd9_code"].str.startswith("410"), "hadm_id"].iloc[0]
    admissions.loc[admissions["hadm_id"] == hadm, "admittime"] = "2101-13-45 19:08:00"
    admissions.to_csv(folder / "ADMISSIONS.csv", index=False)


MIMIC_IDS = ("subject_id", "hadm_id")
MIMIC_CASES = [
    Case(
        "mimic-truncated-chartevents",
        _mimic(_truncate("CHARTEVENTS")),
        TableReadError,
        r"CHARTEVENTS\.csv\.gz \(CHARTEVENTS table\) is truncated or damaged",
        r"copy or download it again",
        absent=MIMIC_IDS,
    ),
    Case(
        "mimic-truncated-labevents",
        _mimic(_truncate("LABEVENTS")),
        TableReadError,
        r"LABEVENTS\.csv\.gz \(LABEVENTS table\) is truncated",
        r"SHA256SUMS",
        absent=MIMIC_IDS,
    ),
    Case(
        "mimic-mislabelled-labevents",
        _mimic(_unzip_in_place("LABEVENTS")),
        TableReadError,
        r"LABEVENTS\.csv\.gz \(LABEVENTS table\) is named \.gz but is not gzip",
        r"rename it without \.gz \(e\.g\. LABEVENTS\.csv\)",
    ),
    Case(
        "mimic-mislabelled-prescriptions",
        _mimic(_unzip_in_place("PRESCRIPTIONS")),
        TableReadError,
        r"PRESCRIPTIONS\.csv\.gz .* is named \.gz but is not gzip",
        r"compress it with gzip",
    ),
    Case(
        "mimic-admissions-not-utf8",
        _mimic(_replace_text("ADMISSIONS", b"EMERGENCY", b"EMERG\xe9NCY")),
        TableReadError,
        r"ADMISSIONS\.csv \(ADMISSIONS table\) holds bytes that are not UTF-8 text \(first "
        r"at line \d+\)",
        r"re-save the file as UTF-8",
        absent=("EMERG",),
    ),
    Case(
        "mimic-ragged-admissions",
        _mimic(_ragged_table("ADMISSIONS")),
        TableReadError,
        r"ADMISSIONS\.csv \(ADMISSIONS table\) is not a well-formed CSV table",
        r"re-export it",
        absent=MIMIC_IDS,
    ),
    Case(
        "mimic-header-only-admissions",
        _mimic(_header_only("ADMISSIONS")),
        SchemaError,
        r"ADMISSIONS: at least one data row.*has a header but no rows",
        r"export ADMISSIONS with its rows",
    ),
    Case(
        "mimic-empty-patients",
        _mimic(lambda f: (f / "PATIENTS.csv").write_bytes(b"")),
        SchemaError,
        r"1 problem.*PATIENTS\.csv is empty \(0 bytes\)",
        r"export PATIENTS again",
    ),
    Case(
        "mimic-header-only-chartevents",
        _mimic(_header_only("CHARTEVENTS")),
        UserWarning,
        r"CHARTEVENTS\.csv\.gz \(CHARTEVENTS\) has a header but no rows, so every first-day "
        r"vital sign .* is missing",
        r"export CHARTEVENTS again",
        warns=True,
    ),
    Case(
        "mimic-header-only-labevents",
        _mimic(_header_only("LABEVENTS")),
        UserWarning,
        r"LABEVENTS.*has a header but no rows, so every first-day laboratory value",
        r"export LABEVENTS again",
        warns=True,
    ),
    Case(
        "mimic-dob-after-admission",
        _mimic(_dob_after_admission),
        UserWarning,
        r"1 admission\(s\) have a date of birth after the admission",
        r"restore DOB from the original PATIENTS table",
        warns=True,
    ),
    Case(
        "mimic-no-ami-admission",
        _mimic(_no_ami),
        ValueError,
        r"DIAGNOSES_ICD\.csv has no AMI \(410\.x\)",
        r"check that the folder holds the full DIAGNOSES_ICD table",
    ),
    Case(
        "mimic-missing-table",
        _mimic(lambda f: (f / "ICUSTAYS.csv").unlink()),
        FileNotFoundError,
        r"lacks the table\(s\) \['ICUSTAYS'\]",
        r"expected files such as ICUSTAYS\.csv",
    ),
    Case(
        "mimic-bad-date",
        _mimic(_bad_admittime),
        SchemaError,
        r"ADMISSIONS\.admittime: datetime values",
        r"restore the value from the original MIMIC-III file",
    ),
]


@pytest.mark.parametrize("case", MIMIC_CASES, ids=lambda c: c.id)
def test_mimic_tables(case, tmp_path, data):
    check_case(case, tmp_path, data)


def test_mimic_dob_after_admission_is_its_own_exclusion_step(tmp_path):
    folder = tmp_path / "mimic"
    shutil.copytree(DEMO, folder)
    _dob_after_admission(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohort = load_mimic3_ami(folder)
    flow = cohort.flow.set_index("step")["excluded"]
    assert flow["excluded: date of birth missing or after admission"] == 1
    assert flow["excluded: age under 18"] == 0


def test_mimic_interrupt_surfaces_as_keyboard_interrupt_without_temporary_folder(
    tmp_path, monkeypatch
):
    import duckdb

    import riskml.cohorts._mimic3 as mimic3

    spill_root = tmp_path / "tmp"
    spill_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spill_root))

    def interrupted(*args, **kwargs):
        raise duckdb.InterruptException("Query interrupted")

    monkeypatch.setattr(mimic3, "_build", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_mimic3_ami(DEMO)
    assert list(spill_root.iterdir()) == []
