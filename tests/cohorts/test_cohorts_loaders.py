"""File loaders and the bundled heart-failure data.

Oracle for the heart-failure cohort: the bundled CSV read directly with pandas
(299 patients, 96 deaths, as published by Chicco & Jurman 2020).
"""

import hashlib
import importlib.resources
import re

import numpy as np
import pandas as pd
import pytest

from riskml.cohorts import load_heart_failure_clinical_records, load_young_hypertension

DATASETS = importlib.resources.files("riskml.cohorts") / "datasets"
HF_CSV = DATASETS / "heart_failure_clinical_records_dataset.csv"


@pytest.fixture(scope="module")
def hf():
    return load_heart_failure_clinical_records()


def test_heart_failure_counts_match_the_raw_csv(hf):
    raw = pd.read_csv(HF_CSV)
    assert len(hf) == len(raw) == 299
    assert hf.outcome.event.sum() == raw["DEATH_EVENT"].sum() == 96
    np.testing.assert_array_equal(hf.outcome.time, raw["time"])
    np.testing.assert_array_equal(hf.outcome.event, raw["DEATH_EVENT"] == 1)
    for column in hf.features:
        np.testing.assert_allclose(hf.features[column], raw[column])


def test_heart_failure_columns_are_snake_case_without_id_or_outcome(hf):
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in hf.features)
    assert len(hf.predictors) == 11
    assert not {"patient_id", "time", "death_event", "DEATH_EVENT"} & set(hf.features)
    np.testing.assert_array_equal(hf.ids, np.arange(1, 300))
    assert hf.metadata.loc["serum_creatinine", "unit"] == "mg/dL"
    assert hf.schema_name == "heart_failure_clinical_records"
    assert "CC BY 4.0" in hf.source


def test_bundled_file_matches_its_documented_checksum():
    notes = (DATASETS / "heart_failure_clinical_records.md").read_text()
    digest = hashlib.sha256(HF_CSV.read_bytes()).hexdigest()
    assert f"SHA-256 `{digest}`" in notes
    assert "CC BY 4.0" in notes and "Chicco" in notes and "Ahmad" in notes


def test_young_hypertension_csv_round_trip(htn_frame, tmp_path):
    path = tmp_path / "cohort.csv"
    htn_frame.to_csv(path, index=False)
    cohort = load_young_hypertension(path)
    assert len(cohort) == 508 and len(cohort.predictors) == 58
    np.testing.assert_allclose(cohort.features["office_sbp"], htn_frame["office_sbp"])
    assert cohort.horizon == 1004
    # The file name is never copied into the cohort (it may name a patient).
    assert "cohort.csv" not in cohort.source and "young_htn" in cohort.source


def test_young_hypertension_parquet(htn_frame, tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "cohort.parquet"
    htn_frame.to_parquet(path)
    assert len(load_young_hypertension(path)) == 508


def test_loader_refuses_a_missing_file_or_unknown_format(tmp_path):
    with pytest.raises(FileNotFoundError, match="no cohort file at"):
        load_young_hypertension(tmp_path / "absent.csv")
    path = tmp_path / "cohort.xlsx"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"cannot tell the format of 'cohort.xlsx'"):
        load_young_hypertension(path)
    with pytest.raises(TypeError, match="path must be a file path"):
        load_young_hypertension(3)
