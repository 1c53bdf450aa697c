"""Tests for riskml.Cohort: features, outcome and per-column metadata."""

import numpy as np
import pandas as pd
import pytest

import riskml as rk


@pytest.fixture
def small_cohort():
    features = pd.DataFrame(
        {
            "age": [50.0, 61.0, np.nan, 45.0],
            "sex": ["M", "F", "F", "M"],
            "smoker": [0, 1, 1, 0],
            "troponin_peak": [0.1, 2.0, 0.3, 0.2],
        }
    )
    metadata = pd.DataFrame(
        {"unit": ["years", "ng/mL"], "post_index": [False, True]},
        index=["age", "troponin_peak"],
    )
    outcome = rk.Outcome.survival([100, 200, 300, 400], [1, 0, 1, 0])
    return rk.Cohort(features, outcome, metadata, ids=["p1", "p2", "p3", "p4"], groups=[1, 1, 2, 3])


def test_metadata_is_inferred_and_merged(small_cohort):
    meta = small_cohort.metadata
    assert meta.loc["age", "type"] == "float"
    assert meta.loc["age", "unit"] == "years"
    assert meta.loc["sex", "type"] == "cat"
    assert meta.loc["smoker", "type"] == "bool"
    assert bool(meta.loc["troponin_peak", "post_index"])


def test_predictors_exclude_post_index_columns(small_cohort):
    assert small_cohort.predictors == ["age", "sex", "smoker"]


def test_len_and_subset_keep_rows_aligned(small_cohort):
    assert len(small_cohort) == 4
    sub = small_cohort.subset(np.array([False, True, False, True]))
    assert len(sub) == 2
    assert sub.ids.tolist() == ["p2", "p4"]
    assert sub.outcome.time.tolist() == [200.0, 400.0]
    assert sub.features["age"].tolist() == [61.0, 45.0]


def test_describe_counts_events_and_missingness(small_cohort):
    summary = small_cohort.describe()
    assert summary["n"] == 4
    assert summary["events"] == 2
    assert summary["missing"].loc["age", "missing"] == 1
    assert summary["missing"].loc["age", "percent"] == pytest.approx(25.0)
    # Oracle: numpy's median of the observed times.
    assert summary["followup_median_days"] == pytest.approx(np.median([100, 200, 300, 400]))
    assert summary["events_per_variable"] == pytest.approx(2 / 3)


def test_row_count_mismatch_is_refused():
    with pytest.raises(ValueError, match="features has 2 rows but outcome has 3"):
        rk.Cohort(pd.DataFrame({"a": [1, 2]}), rk.Outcome.binary([0, 1, 0]))


def test_features_must_be_a_dataframe():
    with pytest.raises(TypeError, match="pandas DataFrame"):
        rk.Cohort(np.zeros((2, 2)), rk.Outcome.binary([0, 1]))


def test_outcome_must_be_an_outcome():
    with pytest.raises(TypeError, match=r"riskml.Outcome"):
        rk.Cohort(pd.DataFrame({"a": [1, 2]}), np.array([0, 1]))


def test_ids_length_is_checked():
    with pytest.raises(ValueError, match="ids has 1 entries"):
        rk.Cohort(pd.DataFrame({"a": [1, 2]}), rk.Outcome.binary([0, 1]), ids=["x"])


def test_subset_keeps_loader_attributes_and_subsets_per_row_ones(small_cohort):
    small_cohort.horizon_days = 1004
    small_cohort.true_risk = np.array([0.1, 0.2, 0.3, 0.4])
    sub = small_cohort.subset([3, 1])
    assert sub.horizon_days == 1004
    np.testing.assert_array_equal(sub.true_risk, [0.4, 0.2])


def _hf_frame():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    return hf.features.copy(), hf.outcome


def test_identifier_columns_are_refused():
    features, outcome = _hf_frame()
    features["patient_id"] = np.arange(len(features))
    with pytest.raises(ValueError, match=r"identifier column\(s\) \['patient_id'\].*ids="):
        rk.Cohort(features, outcome)


def test_the_outcome_as_a_feature_is_refused():
    features, outcome = _hf_frame()
    features["death"] = outcome.event.astype(int)
    with pytest.raises(ValueError, match="'death' equals the outcome's event flag"):
        rk.Cohort(features, outcome)


def test_duplicate_column_names_are_refused():
    features = pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"])
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        rk.Cohort(features, rk.Outcome.binary([0, 1]))


def test_misspelled_metadata_is_refused_with_a_hint(small_cohort):
    metadata = pd.DataFrame({"post_index": [True]}, index=["tropnin_peak"])
    with pytest.raises(ValueError, match="did you mean 'troponin_peak'"):
        rk.Cohort(small_cohort.features, small_cohort.outcome, metadata)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("post_index", "yes", "'post_index' must be True or False"),
        ("role", "predictr", "'role' must be one of"),
        ("type", "number", "'type' must be one of"),
    ],
)
def test_metadata_values_are_checked(small_cohort, field, value, message):
    metadata = pd.DataFrame({field: [value]}, index=["age"])
    with pytest.raises(ValueError, match=message):
        rk.Cohort(small_cohort.features, small_cohort.outcome, metadata)


def test_groups_length_is_checked():
    with pytest.raises(ValueError, match="groups has 3 entries"):
        rk.Cohort(pd.DataFrame({"a": [1, 2]}), rk.Outcome.binary([0, 1]), groups=[1, 2, 3])
