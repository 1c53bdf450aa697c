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
    small_cohort.horizon = 1004
    small_cohort.true_risk = np.array([0.1, 0.2, 0.3, 0.4])
    sub = small_cohort.subset([3, 1])
    assert sub.horizon == 1004
    np.testing.assert_array_equal(sub.true_risk, [0.4, 0.2])


def _hf_frame():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    return hf.features.copy(), hf.outcome


def test_identifier_columns_are_refused():
    features, outcome = _hf_frame()
    features["patient_id"] = np.arange(len(features))
    with pytest.raises(ValueError, match=r"identifier-like column\(s\): 'patient_id'.*ids="):
        rk.Cohort(features, outcome)


def _planted(features, column):
    """Identifier-like values for a planted column (one distinct value per row)."""
    n = len(features)
    rng = np.random.default_rng(0)
    first = np.array(["Ann", "Bob", "Cas", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jon"])
    values = {
        "Patient Name": [f"{first[i % 10]} Smith{i}" for i in range(n)],
        "DOB": [f"19{50 + i % 40}-0{1 + i % 9}-{10 + i % 18}" for i in range(n)],
        "Medical Record Number": [f"MRN{100000 + i}" for i in range(n)],
        "email": [f"p{i}@example.org" for i in range(n)],
        "phone": [f"555-01{i:04d}" for i in range(n)],
        "home_address": [f"{i} High Street" for i in range(n)],
        "zip": [f"{10000 + i}" for i in range(n)],
        "SSN": [f"{i:09d}" for i in range(n)],
        "patient_number": rng.permutation(n) + 5000,  # whole numbers, unique
        "visit_code": [f"V{rng.integers(1e9)}" for _ in range(n)],  # unique strings
        "notes": ["patient reports chest pain on exertion since last week"] * n,
        "admit_datetime": pd.date_range("2020-01-01", periods=n, freq="D"),
        "FirstName": list(first[np.arange(n) % 10]),
    }
    return values[column]


@pytest.mark.parametrize(
    ("column", "reason"),
    [
        ("Patient Name", "a name"),
        ("DOB", "a date"),
        ("Medical Record Number", "a record number"),
        ("email", "a contact detail"),
        ("phone", "a contact detail"),
        ("home_address", "an address"),
        ("zip", "an address"),
        ("SSN", "a record number"),
        ("patient_number", "a record number"),
        ("visit_code", "a value distinct in nearly every row"),
        ("notes", "free text"),
        ("admit_datetime", "a date"),
        ("FirstName", "a name"),
    ],
)
def test_planted_identifier_columns_are_refused_with_the_fix(column, reason):
    features, outcome = _hf_frame()
    features[column] = _planted(features, column)
    with pytest.raises(ValueError) as error:
        rk.Cohort(features, outcome)
    message = str(error.value)
    assert f"{column!r}: {reason}" in message
    assert "ids=" in message and "groups=" in message and "role 'context'" in message


def test_unique_whole_numbers_are_refused_unless_described_with_a_unit():
    features, outcome = _hf_frame()
    features["study_number"] = np.random.default_rng(1).permutation(len(features))
    with pytest.raises(ValueError, match="'study_number': a whole number distinct"):
        rk.Cohort(features, outcome)
    # A measurement that happens to be distinct in every row is accepted with its unit.
    metadata = pd.DataFrame({"unit": ["cells/uL"]}, index=["study_number"])
    assert "study_number" in rk.Cohort(features, outcome, metadata).predictors


@pytest.mark.parametrize(
    "column", ["insurance", "drug_name", "mobility_score", "birth_weight", "time_to_cath"]
)
def test_ordinary_predictors_are_not_mistaken_for_identifiers(column):
    features, outcome = _hf_frame()
    features[column] = np.resize([1.5, 2.0, 3.5, 2.0], len(features))
    if column in ("insurance", "drug_name"):
        features[column] = np.resize(["Medicare", "Private", "Medicaid"], len(features))
    assert column in rk.Cohort(features, outcome).predictors


def test_identifier_with_a_context_role_is_kept_out_of_predictors_and_table_one():
    features, outcome = _hf_frame()
    features["Patient Name"] = _planted(features, "Patient Name")
    metadata = pd.DataFrame({"role": ["context"]}, index=["Patient Name"])
    cohort = rk.Cohort(features, outcome, metadata)
    assert "Patient Name" not in cohort.predictors
    table = cohort.table_one()
    assert "Patient Name" not in set(table["variable"])
    assert not table.astype(str).apply(lambda c: c.str.contains("Smith")).any().any()


def test_table_one_suppresses_small_cells_and_never_lists_many_levels():
    features, outcome = _hf_frame()
    n = len(features)
    features["rare"] = np.r_[np.ones(3), np.zeros(n - 3)].astype(int)
    features["site"] = [f"site {i % 25}" for i in range(n)]
    cohort = rk.Cohort(features, outcome)
    table = cohort.table_one(by_outcome=False, min_count=5)
    rare = table[table["variable"] == "rare"].iloc[0]
    assert rare["Overall"] == "<5"
    site = table[table["variable"] == "site"]
    assert len(site) == 1 and site.iloc[0]["level"] == "25 levels, not listed"
    assert site.iloc[0]["Overall"] == "25"
    # Without suppression the count is exact (3 of n).
    exact = cohort.table_one(by_outcome=False)
    assert exact[exact["variable"] == "rare"].iloc[0]["Overall"].startswith("3 (")


def test_the_complement_of_the_outcome_is_refused_and_a_near_copy_warned():
    features, outcome = _hf_frame()
    features["alive"] = 1 - outcome.event.astype(int)
    with pytest.raises(ValueError, match="'alive' is the complement of the outcome"):
        rk.Cohort(features, outcome)
    features = features.drop(columns="alive")
    near = outcome.event.astype(float) * 10 + np.linspace(0, 1, len(features))
    near[0] = 10.5 if not outcome.event[0] else 0.5  # one discordant row
    features["discharge_code"] = near
    with pytest.warns(UserWarning, match="'discharge_code' separates events from non-events"):
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


def test_horizon_days_is_a_deprecated_name_of_horizon():
    # docs/conventions.md: one name, `horizon` (days); the old name works for one release.
    X = pd.DataFrame({"age": [50.0, 61.0, 72.0]})
    outcome = rk.Outcome.survival([100.0, 200.0, 300.0], [1, 0, 1])
    with pytest.warns(FutureWarning, match="renamed horizon"):
        old = rk.Cohort(X, outcome, horizon_days=150)
    assert old.horizon == 150.0
    with pytest.warns(FutureWarning, match="renamed horizon"):
        assert old.horizon_days == 150.0
    with pytest.warns(FutureWarning, match="renamed horizon"):
        old.horizon_days = 250
    assert old.horizon == 250.0
    assert rk.Cohort(X, outcome, horizon=150).horizon == 150.0


def test_outcome_copy_check_reads_text_numbers_as_pandas_does():
    """Oracle: ``pd.to_numeric(column, errors="coerce")`` row by row; riskml parses each
    distinct value once (numbers as text, categories, missing values, words, bools)."""
    from riskml.cohorts._cohort import _as_numbers

    columns = [
        pd.Series(["1", "0", "1", None, "0.5"] * 20),
        pd.Series(["1", "0", "yes"] * 20),
        pd.Series(pd.Categorical(["2", "3", "2"] * 20)),
        pd.Series(pd.Categorical([1, 0, 1] * 20)),
        pd.Series([1.5, np.nan, 2.0] * 20),
        pd.Series([True, False, True] * 20),
        pd.Series(["a b", "c"] * 30, dtype="string"),
        pd.Series([1, "2", 3.5] * 20, dtype=object),
    ]
    for column in columns:
        expected = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        got = _as_numbers(column)
        if np.isnan(expected).any():
            assert got is None or np.isnan(got).any(), column.dtype
        else:
            np.testing.assert_array_equal(got, expected)
