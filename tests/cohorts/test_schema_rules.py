"""The schema engine's dates, non-empty columns and cross-field rules (ordered, flag_matches,
bins_match, equal, conditional rules), on a small schema written for the test. Oracle: the rows
edited by hand in each test."""

import numpy as np
import pandas as pd
import pytest

from riskml.cohorts import SchemaError, load_schema, make_young_hypertension, validate
from riskml.cohorts._schema import cohort_from_frame

SCHEMA = """
name: toy
id_column: pid
outcome: {kind: binary, event: died}
rules:
  - {kind: ordered, columns: [hr_min, hr_mean, hr_max]}
  - {kind: flag_matches, column: old, condition: {column: age, greater_than: 89}}
  - {kind: bins_match, column: ef_cat, source: ef, breaks: [40, 50],
     labels: [reduced, borderline, preserved]}
  - {kind: at_most, left: admit, right: death, tolerance: 1, name: death before admission}
  - {kind: equal, left: t, right: fu, if: {column: died, equals: 0}}
columns:
  - {name: pid, type: int, role: id}
  - {name: admit, type: datetime, role: context, date_range: [2100-01-01, 2200-12-31]}
  - {name: death, type: date, role: context, required: false, date_range: [2100-01-01, 2200-12-31]}
  - {name: age, type: float, hard_range: [0, 120]}
  - {name: old, type: bool}
  - {name: hr_min, type: float}
  - {name: hr_mean, type: float, summary: mean}
  - {name: hr_max, type: float}
  - {name: ef, type: float}
  - {name: ef_cat, type: cat, levels: [reduced, borderline, preserved]}
  - {name: box, type: bool, nullable: false}
  - {name: died, type: bool, role: outcome}
  - {name: t, type: float, role: outcome}
  - {name: fu, type: float, role: outcome}
"""


@pytest.fixture
def schema(tmp_path):
    path = tmp_path / "toy.yaml"
    path.write_text(SCHEMA)
    return load_schema(path)


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "pid": [1, 2, 3, 4],
            "admit": [
                "2101-01-01 10:00:00",
                "2102-05-05 08:00:00",
                "2103-03-03 00:00:00",
                "2104-04-04 12:00:00",
            ],
            "death": ["2101-01-01", "", "2104-01-01", ""],
            "age": [50.0, 91.4, 70.0, 60.0],
            "old": [0, 1, 0, 0],
            "hr_min": [60.0, 55.0, 70.0, np.nan],
            "hr_mean": [80.0, 75.0, 90.0, np.nan],
            "hr_max": [100.0, 120.0, 130.0, 99.0],
            "ef": [35.0, 45.0, 60.0, np.nan],
            "ef_cat": ["reduced", "borderline", "preserved", "reduced"],
            "box": [0, 1, 1, 0],
            "died": [1, 0, 1, 0],
            "t": [0.5, 365.0, 300.0, 400.0],
            "fu": [1461.0, 365.0, 1461.0, 400.0],
        }
    )


def test_a_clean_frame_validates_and_dates_are_parsed(schema, frame):
    out = validate(frame, schema)
    assert out["admit"].dtype.kind == "M" and out["death"].isna().sum() == 2
    cohort = cohort_from_frame(frame, schema)
    assert list(cohort.context.columns) == ["admit", "death"]
    assert "admit" not in cohort.features.columns
    assert schema.column("hr_mean").summary == "mean"


def test_every_broken_rule_is_named_with_its_rows(schema, frame):
    frame.loc[1, "hr_mean"] = 130.0  # above hr_max = 120
    frame.loc[2, "old"] = 1  # age 70
    frame.loc[0, "ef_cat"] = "preserved"  # ef 35
    frame.loc[2, "death"] = "2101-01-01"  # two years before admission
    frame.loc[3, "t"] = 10.0  # censored (died 0) before the end of follow-up
    frame.loc[0, "box"] = np.nan
    frame.loc[3, "admit"] = "2104-02-30 12:00:00"
    with pytest.raises(SchemaError) as caught:
        validate(frame, schema)
    text = str(caught.value)
    for expected in (
        "hr_min, hr_mean, hr_max: hr_min <= hr_mean <= hr_max: 1 row breaks it (first pid: 2). "
        "Found e.g. hr_min=55, hr_mean=130, hr_max=120.",
        "old: old = 1 exactly when age > 89: 1 row breaks it (first pid: 3).",
        "ef_cat, ef: ef_cat agrees with ef (reduced < 40, borderline >= 40, preserved >= 50): 1 "
        "row breaks it (first pid: 1). Found e.g. ef_cat='preserved' with ef=35.",
        "admit, death: death before admission (admit <= death + 1 day): 1 row breaks it (first "
        "pid: 3).",
        "t, fu: t = fu when died = 0: 1 row breaks it (first pid: 4).",
        "box: no empty values: 1 row breaks it (first pid: 1).",
        "admit: datetime values (YYYY-MM-DD HH:MM:SS): 1 row breaks it (first pid: 4). Found "
        "'2104-02-30 12:00:00'",
    ):
        assert expected in text, expected
    assert len(caught.value.problems) == 7


def test_a_date_with_a_time_is_not_a_date(schema, frame):
    frame.loc[0, "death"] = "2101-01-01 13:00:00"
    with pytest.raises(SchemaError, match=r"death: date values \(YYYY-MM-DD\): 1 row breaks it"):
        validate(frame, schema)


def test_bad_rule_and_summary_definitions_are_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(SCHEMA.replace("summary: mean", "summary: mode"))
    with pytest.raises(
        ValueError,
        match=r"column 'hr_mean': summary must be one of \('mean', "
        r"'median'\); got 'mode'",
    ):
        load_schema(path)
    path.write_text(SCHEMA.replace("greater_than: 89", "above: 89"))
    with pytest.raises(
        ValueError,
        match=r"rule flag_matches: a condition is \{column: name, "
        r"<op>: value\}",
    ):
        load_schema(path)
    path.write_text(
        SCHEMA.replace("labels: [reduced, borderline, preserved]}", "labels: [reduced, preserved]}")
    )
    with pytest.raises(ValueError, match="rule bins_match needs one label more than breaks"):
        load_schema(path)


def test_outcome_override_is_checked(schema, frame):
    with pytest.raises(ValueError, match=r"outcome column 'nope' is not in the 'toy' schema"):
        cohort_from_frame(frame, schema, outcome={"kind": "binary", "event": "nope"})
    with pytest.raises(ValueError, match="outcome takes the keys kind, event, time"):
        cohort_from_frame(frame, schema, outcome={"kind": "binary", "event": "died", "x": 1})
    cohort = cohort_from_frame(
        frame,
        schema,
        outcome={"kind": "survival", "event": "died", "time": "t", "horizon_days": 365},
    )
    assert cohort.outcome.is_survival and cohort.horizon == 365


def test_young_htn_index_date_is_optional_and_checked():
    frame = make_young_hypertension(n_patients=40, return_frame=True)
    frame.insert(1, "index_date", "2019-05-01")
    frame.loc[3, "index_date"] = "2019-15-01"
    with pytest.raises(
        SchemaError,
        match=r"index_date: date values \(YYYY-MM-DD\): 1 row breaks "
        r"it \(first patient_id: 4\)",
    ):
        validate(frame, "young_htn")
