"""The schema engine: loading YAML schemas, validating tables, unit conversion.

Oracles: the conversion factors of the reference's unit table (study_designs.md
section 4.1: cholesterol x 38.67, glucose x 18.0, triglycerides x 88.57, creatinine
/ 88.4, uric acid / 59.48, hemoglobin g/L / 10), and hand-built broken tables whose
faulty rows are known by construction.
"""

import hashlib
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from riskml.cohorts import (
    Schema,
    SchemaError,
    SchemaWarning,
    cohort_from_frame,
    load_schema,
    load_young_hypertension,
    validate,
)

SI_FACTORS = {  # reference table, section 4.1
    "total_chol": 38.67,
    "ldl": 38.67,
    "hdl": 38.67,
    "fasting_glucose": 18.0,
    "triglycerides": 88.57,
    "creatinine": 1 / 88.4,
    "uric_acid": 1 / 59.48,
    "hemoglobin": 1 / 10,
}


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def first_ids(frame, mask, k=5):
    return ", ".join(str(i) for i in frame.loc[mask, "patient_id"].head(k))


# -- the schema files ----------------------------------------------------------------


def test_young_htn_schema_has_58_predictors_and_the_outcome_block():
    schema = load_schema("young_htn")
    assert isinstance(schema, Schema)
    assert len(schema.predictors) == 58
    assert schema.id_column == "patient_id"
    assert schema.outcome.kind == "survival"
    assert (schema.outcome.time, schema.outcome.event) == ("composite_time_days", "composite_event")
    assert schema.outcome.horizon_days == 1004
    derived = {c.name for c in schema.columns if c.role == "derived"}
    assert derived == {
        "pulse_pressure",
        "aldosterone_renin_ratio",
        "nocturnal_dip_pct",
        "lvh",
        "frs_10y_cvd",
    }
    assert not derived & set(schema.predictors)
    metadata = schema.metadata_frame()
    assert {"type", "unit", "role", "post_index", "description"} <= set(metadata.columns)
    assert metadata.loc["total_chol", "unit"] == "mg/dL"
    assert metadata.loc["composite_event", "post_index"]


def test_young_htn_schema_framingham_inputs():
    inputs = load_schema("young_htn").framingham_inputs
    assert inputs["sbp"] == "office_sbp"
    assert inputs["bp_treated"] == {"column": "n_bp_drug_classes", "greater_than": 0}
    assert inputs["smoker"] == {"column": "smoking_status", "equals": "current"}
    assert {k: inputs[k] for k in ("sex", "age", "total_chol", "hdl", "diabetes")} == {
        "sex": "sex",
        "age": "age",
        "total_chol": "total_chol",
        "hdl": "hdl",
        "diabetes": "diabetes",
    }


@pytest.mark.parametrize("column, factor", SI_FACTORS.items(), ids=list(SI_FACTORS))
def test_si_conversion_factors_match_the_reference_table(column, factor):
    (si,) = [u for u in load_schema("young_htn").column(column).accepted_units if u.si]
    assert si.factor == pytest.approx(factor, rel=1e-12)


def test_hard_ranges_are_the_reference_si_ranges_in_canonical_units():
    """Oracle: reference SI hard ranges (e.g. total cholesterol 1.0-20 mmol/L) x factor."""
    schema = load_schema("young_htn")
    si_ranges = {"total_chol": (1.0, 20), "creatinine": (20, 1500), "hemoglobin": (50, 220)}
    for column, (low, high) in si_ranges.items():
        factor = SI_FACTORS[column]
        assert schema.column(column).hard_range == pytest.approx(
            (low * factor, high * factor), rel=1e-3
        )


def test_unknown_schema_name_is_refused():
    with pytest.raises(ValueError, match=r"no bundled schema called 'nope'; bundled schemas are"):
        load_schema("nope")


def test_bad_schema_file_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\noutcome: {kind: binary, event: y}\n"
        "columns:\n  - {name: y, type: bool, role: outcome}\n  - {name: x, type: number}\n"
    )
    with pytest.raises(ValueError, match=r"invalid schema file .*column 'x': type must be one of"):
        load_schema(path)


def test_load_schema_needs_a_name_or_path():
    with pytest.raises(TypeError, match="name_or_path must be a schema name"):
        load_schema(3)


# -- valid data ---------------------------------------------------------------------


def test_generated_table_validates_cleanly_and_is_not_modified(frame):
    before = frame.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validated = validate(frame, "young_htn")
    pd.testing.assert_frame_equal(frame, before)
    assert validated is not frame
    assert len(validated) == len(frame)
    assert validated["n_bp_drug_classes"].dtype == np.int64
    assert validated["diabetes"].dtype == np.float64
    assert set(validated["sex"]) == {"M", "F"}


def test_row_order_and_index_labels_do_not_matter(htn_frame):
    shuffled = htn_frame.sample(frac=1.0, random_state=0)
    validated = validate(shuffled, "young_htn")
    np.testing.assert_array_equal(validated["patient_id"], shuffled["patient_id"])
    np.testing.assert_array_equal(validated["office_sbp"], shuffled["office_sbp"])


def test_soft_range_warning_points_at_the_caller(frame):
    frame.loc[0, "age"] = 45.0
    with pytest.warns(SchemaWarning) as record:
        validate(frame, "young_htn")
    assert record[0].filename == __file__


# -- units ----------------------------------------------------------------------------


def test_undeclared_mmol_cholesterol_is_refused_and_the_file_is_untouched(frame, tmp_path):
    """A CSV with total_chol in mmol/L: refused with the conversion; file bytes unchanged."""
    frame["total_chol"] = frame["total_chol"] / 38.67
    path = tmp_path / "cohort_mmol.csv"
    frame.to_csv(path, index=False)
    digest = sha256(path)
    present = frame["total_chol"].notna()
    expected = (
        rf"total_chol: hard range \[38\.67, 773\.4\] mg/dL: {present.sum()} rows break it "
        rf"\(first patient_id: {first_ids(frame, present)}, \.\.\.\)"
    )
    with pytest.raises(SchemaError, match=expected) as caught:
        load_young_hypertension(path)
    message = str(caught.value)
    assert re.search(
        r"total_chol looks like mmol/L \(median 4\.\d+\); riskml expects mg/dL", message
    )
    assert "multiply by 38.67, or pass units={'total_chol': 'mmol/L'} to convert on load" in message
    assert sha256(path) == digest


def test_declared_mmol_cholesterol_is_converted_on_load(htn_frame, frame, tmp_path):
    frame["total_chol"] = frame["total_chol"] / 38.67
    path = tmp_path / "cohort_mmol.csv"
    frame.to_csv(path, index=False)
    digest = sha256(path)
    cohort = load_young_hypertension(path, units={"total_chol": "mmol/L"})
    np.testing.assert_allclose(
        cohort.features["total_chol"], htn_frame["total_chol"], rtol=0, atol=1e-9
    )
    assert sha256(path) == digest


def test_units_si_converts_every_declared_si_column(htn_frame, frame):
    for column, factor in SI_FACTORS.items():
        frame[column] = frame[column] / factor
    validated = validate(frame, "young_htn", units="SI")
    for column in SI_FACTORS:
        np.testing.assert_allclose(validated[column], htn_frame[column], rtol=1e-12, atol=1e-9)


def test_units_si_on_a_canonical_file_says_it_is_already_canonical(frame):
    with pytest.raises(
        SchemaError, match=r"total_chol looks like mg/dL already \(median 1\d\d"
    ) as caught:
        validate(frame, "young_htn", units="SI")
    assert len(caught.value.problems) == len(SI_FACTORS)  # every SI column


def test_a_few_rows_in_another_unit_are_diagnosed(frame):
    rows = frame.index[frame["total_chol"].notna()][[4, 8]]
    frame.loc[rows, "total_chol"] = frame.loc[rows, "total_chol"] / 38.67
    ids = ", ".join(str(i) for i in frame.loc[rows, "patient_id"])
    with pytest.raises(
        SchemaError,
        match=rf"2 rows break it \(first patient_id: {ids}\).*look like mmol/L.*multiply by "
        r"38\.67 those values only",
    ):
        validate(frame, "young_htn")


def test_unknown_unit_is_refused(frame):
    with pytest.raises(ValueError, match=r"units gives 'total_chol' in 'g/L'; .* accepts it in"):
        validate(frame, "young_htn", units={"total_chol": "g/L"})
    with pytest.raises(ValueError, match=r"units names column 'chol', which .* does not have"):
        validate(frame, "young_htn", units={"chol": "mmol/L"})
    with pytest.raises(ValueError, match=r"units must be None, 'SI' or a dict"):
        validate(frame, "young_htn", units="metric")


# -- broken data ----------------------------------------------------------------------


def test_out_of_range_value_names_the_row_id(frame):
    frame.loc[41, "office_sbp"] = 900
    with pytest.raises(
        SchemaError,
        match=r"office_sbp: hard range \[70, 300\] mmHg: 1 row breaks it \(first patient_id: 42\)"
        r"\. Values such as 900 are impossible or a unit error\. Fix: correct these values",
    ):
        validate(frame, "young_htn")


@pytest.mark.filterwarnings("ignore::riskml.cohorts.SchemaWarning")  # the renamed 'HDL'
def test_missing_column_lists_it_and_the_file_columns(frame):
    frame = frame.drop(columns=["bmi"]).rename(columns={"hdl": "HDL"})
    with pytest.raises(
        SchemaError,
        match=r"bmi, hdl: required column missing: 508 rows break it\. Missing 2 column\(s\): "
        r"\['bmi', 'hdl'\]\. The data's columns are: \['patient_id', 'age'.*rename 'HDL' -> 'hdl'",
    ):
        validate(frame, "young_htn")


def test_unknown_level_is_refused(frame):
    frame.loc[6, "sex"] = "m"
    frame.loc[9, "smoking_status"] = "sometimes"
    with pytest.raises(SchemaError) as caught:
        validate(frame, "young_htn")
    message = str(caught.value)
    assert re.search(
        r"sex: allowed levels \['M', 'F'\]: 1 row breaks it \(first patient_id: 7\)\. "
        r"Unknown level\(s\): 'm'\..*differ only in case: \{'m': 'M'\}",
        message,
    )
    assert re.search(r"smoking_status: .*first patient_id: 10\).*'sometimes'", message)


def test_soft_range_warns_with_count_and_ids(frame):
    frame.loc[[10, 20], "age"] = [43.0, 16.5]
    with pytest.warns(
        SchemaWarning,
        match=r"age: 2 value\(s\) outside the typical range \[18, 40\] years "
        r"\(first patient_id: 11, 21; e\.g\. 43, 16\.5\)",
    ):
        validated = validate(frame, "young_htn")
    assert validated.loc[10, "age"] == 43.0  # kept, never clipped


def test_duplicate_ids_are_refused(frame):
    frame.loc[9, "patient_id"] = 5
    with pytest.raises(
        SchemaError,
        match=r"patient_id: unique ids: 2 rows break it \(first row position: 4, 9\)\. "
        r"1 id value\(s\) appear more than once: 5",
    ):
        validate(frame, "young_htn")


@pytest.mark.filterwarnings("ignore::riskml.cohorts.SchemaWarning")  # dbp 175 is also unusual
def test_diastolic_not_below_systolic_is_refused(frame):
    frame.loc[2, "office_dbp"] = frame.loc[2, "office_sbp"]
    frame.loc[5, "office_dbp"] = frame.loc[5, "office_sbp"] + 10
    with pytest.raises(
        SchemaError,
        match=r"office_dbp < office_sbp: 2 rows break it \(first patient_id: 3, 6\).*"
        r"check for swapped columns",
    ):
        validate(frame, "young_htn")


def test_text_in_a_numeric_column_is_refused(frame):
    frame["hdl"] = frame["hdl"].astype(object)
    frame.loc[12, "hdl"] = "<20"
    with pytest.raises(
        SchemaError,
        match=r"hdl: float values: 1 row breaks it \(first patient_id: 13\)\. Found text that "
        r"is not a number: '<20'",
    ):
        validate(frame, "young_htn")


def test_bad_event_flag_and_negative_time_are_refused(frame):
    frame["composite_event"] = frame["composite_event"].astype(float)
    frame.loc[0, "composite_event"] = 2
    frame.loc[1, "composite_time_days"] = -3
    with pytest.raises(SchemaError) as caught:
        validate(frame, "young_htn")
    message = str(caught.value)
    assert re.search(
        r"composite_event: bool values 0/1: 1 row breaks it \(first patient_id: 1\)", message
    )
    assert re.search(
        r"composite_time_days: hard range \[0, 3650\] days: 1 row breaks it "
        r"\(first patient_id: 2\)",
        message,
    )


def test_time_after_followup_and_wrong_horizon_label_are_refused(frame):
    censored_late = frame.index[
        (frame["composite_event"] == 0) & (frame["composite_time_days"] > 1100)
    ][0]
    frame.loc[censored_late, "composite_by_33mo"] = 1
    frame.loc[3, "followup_days"] = frame.loc[3, "composite_time_days"] - 1
    with pytest.raises(SchemaError) as caught:
        validate(frame, "young_htn")
    message = str(caught.value)
    assert re.search(
        r"composite_time_days <= followup_days: 1 row breaks it \(first "
        r"patient_id: 4\)",
        message,
    )
    assert re.search(
        rf"composite_by_33mo = event by day 1004 .*: 1 row breaks it \(first "
        rf"patient_id: {censored_late + 1}\)",
        message,
    )


def test_every_problem_is_reported_in_one_error(frame):
    frame.loc[0, "office_sbp"] = 900
    frame.loc[1, "sex"] = "X"
    frame = frame.drop(columns=["bapwv"])
    with pytest.raises(SchemaError, match=r"3 problems, all listed") as caught:
        validate(frame, "young_htn")
    columns = [p.column for p in caught.value.problems]
    assert sorted(columns) == ["bapwv", "office_sbp", "sex"]
    assert caught.value.problems[0].n_rows == 508


def test_unknown_columns_are_dropped_with_a_warning(frame):
    frame["hospital_ward"] = "A"
    with pytest.warns(
        SchemaWarning,
        match=r"columns not in the schema are ignored: "
        r"\['hospital_ward'\]",
    ):
        validated = validate(frame, "young_htn")
    assert "hospital_ward" not in validated


def test_validate_needs_a_dataframe():
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame; got dict"):
        validate({"age": [30]}, "young_htn")


# -- Cohort construction ----------------------------------------------------------------


def test_cohort_from_frame_splits_ids_outcome_and_features(htn_frame):
    cohort = cohort_from_frame(htn_frame, "young_htn")
    assert "patient_id" not in cohort.features
    assert not {"composite_event", "composite_time_days", "evt_esrd"} & set(cohort.features)
    np.testing.assert_array_equal(cohort.ids, htn_frame["patient_id"])
    np.testing.assert_array_equal(cohort.outcome.time, htn_frame["composite_time_days"])
    np.testing.assert_array_equal(cohort.outcome.event, htn_frame["composite_event"] == 1)
    assert cohort.predictors == load_schema("young_htn").predictors
    assert cohort.metadata.loc["pulse_pressure", "role"] == "derived"
    assert cohort.schema_name == "young_htn"
    assert cohort.horizon == 1004
    assert cohort.framingham_inputs["sbp"] == "office_sbp"
    assert "evt_new_stroke" in cohort.outcomes
