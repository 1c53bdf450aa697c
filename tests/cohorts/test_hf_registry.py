"""Tests for load_hf_registry and make_hf_registry (hf_registry schema).

Oracles: Frizzell et al. 2017 (21.2% of 56,477 patients readmitted within 30 days; validation
C-statistics 0.60-0.63), study_designs.md section 3 (33% one-year mortality; EF mix 39/14/47;
checkbox history never missing), scikit-learn's roc_auc_score and LogisticRegression, and the
file's own outcome columns for the competing-death choices.
"""

import hashlib

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from riskml.cohorts import SchemaError, load_hf_registry, load_schema, make_hf_registry
from riskml.features import make_preprocessor


@pytest.fixture(scope="module")
def full():
    """The default Frizzell-size registry (its generation time is in benchmarks/README.md)."""
    return make_hf_registry(random_state=0)


@pytest.fixture(scope="module")
def small_frame():
    return make_hf_registry(n_patients=3000, random_state=1, return_frame=True)


@pytest.fixture
def frame(small_frame):
    return small_frame.copy()


def _write(frame, tmp_path, name="registry.csv"):
    path = tmp_path / name
    if name.endswith(".parquet"):
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


def test_frizzell_size_by_default(full):
    """Oracle: Frizzell et al. 2017, 56,477 patients."""
    assert len(full) == 56477


def test_readmission_and_mortality_rates_match_the_anchors(full):
    """Oracle: Frizzell 2017 (21.2% readmitted) and the design's 33% one-year mortality."""
    outcomes = full.outcomes
    assert outcomes["readmit_30d"].mean() == pytest.approx(0.212, abs=0.008)
    one_year = outcomes["death_1yr"].dropna()
    assert one_year.mean() == pytest.approx(0.33, abs=0.01)
    assert 0.0 < outcomes["death_1yr"].isna().mean() < 0.05  # disenrollment before a year
    assert outcomes["death_30d"].mean() == pytest.approx(0.07, abs=0.01)


def test_models_only_modestly_discriminate(full):
    """Oracle: sklearn's roc_auc_score. The true risk reaches about 0.64; a logistic regression
    fitted on a 70/30 split (as Frizzell) reaches the paper's 0.60-0.63 band."""
    cohort = full
    y = cohort.outcomes["readmit_30d"].to_numpy()
    assert roc_auc_score(y, cohort.true_risks["readmit_30d"]) == pytest.approx(0.64, abs=0.015)
    X = make_preprocessor().fit_transform(cohort.features[cohort.predictors])
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    model = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    assert 0.59 <= roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]) <= 0.66
    death = cohort.outcomes["death_1yr"].to_numpy()
    known = ~np.isnan(death)
    assert roc_auc_score(death[known], cohort.true_risks["death_1yr"][known]) == pytest.approx(
        0.74, abs=0.02
    )


def test_missingness_checkboxes_and_clusters(full):
    """Oracle: the schema's missing rates and the registry's checkbox rule."""
    cohort = full
    schema = load_schema("hf_registry")
    features = cohort.features
    for name in features.columns:
        spec = schema.column(name)
        if name.startswith("hx_"):
            assert features[name].notna().all()
        elif name not in ("weight_kg", "bnp", "ef_category"):  # MAR / MNAR / qualitative EF
            assert features[name].isna().mean() == pytest.approx(spec.missing, abs=0.01), name
    share = features["ef_category"].value_counts(normalize=True)
    assert share["reduced"] == pytest.approx(0.39, abs=0.03)
    assert share["preserved"] == pytest.approx(0.47, abs=0.04)
    assert 200 <= len(np.unique(cohort.groups)) <= 250


def test_same_seed_same_registry(small_frame):
    again = make_hf_registry(n_patients=3000, random_state=1, return_frame=True)
    pd.testing.assert_frame_equal(small_frame, again)
    other = make_hf_registry(n_patients=3000, random_state=2, return_frame=True)
    assert not small_frame["age"].equals(other["age"])


@pytest.mark.parametrize("name", ["registry.csv", "registry.csv.gz", "registry.parquet"])
def test_file_round_trip_equals_the_generator_and_leaves_the_file_untouched(frame, tmp_path, name):
    path = _write(frame, tmp_path, name)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cohort = load_hf_registry(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    direct = make_hf_registry(n_patients=3000, random_state=1)
    pd.testing.assert_frame_equal(cohort.features, direct.features, check_dtype=False)
    np.testing.assert_array_equal(cohort.outcome.time, direct.outcome.time)
    assert (cohort.groups == frame["hospital_id"].to_numpy()).all()


def test_competing_death_choices(frame, tmp_path):
    """Oracle: the file's readmit_30d, death_30d and readmit_time_days columns."""
    path = _write(frame, tmp_path)
    readmit = frame["readmit_30d"].to_numpy() == 1
    died = frame["death_30d"].to_numpy() == 1
    early = frame["readmit_time_days"].to_numpy() < 30  # censored before day 30 ...
    competing = died & ~readmit & early  # ... by death
    lost = ~readmit & ~died & early  # ... by the end of follow-up (disenrollment)
    censor = load_hf_registry(path, competing_death="censor")
    assert censor.outcome.event.tolist() == readmit.tolist()
    np.testing.assert_array_equal(censor.outcome.time, np.minimum(frame["readmit_time_days"], 30))
    label = censor.outcome.at_horizon(censor.horizon)
    assert np.isnan(label).tolist() == (competing | lost).tolist()
    assert censor.competing_deaths_30d == (died & ~readmit).sum() >= competing.sum() > 0
    event = load_hf_registry(path, competing_death="event")
    assert event.outcome.event.tolist() == (readmit | died).tolist()
    excluded = load_hf_registry(path, competing_death="exclude")
    assert len(excluded) == len(frame) - competing.sum() - lost.sum()
    assert excluded.outcome.kind == "binary"
    assert excluded.ids.tolist() == frame.loc[~competing & ~lost, "patient_id"].tolist()
    death = load_hf_registry(path, label="death_1yr")
    assert death.horizon == 365
    assert death.outcome.event.tolist() == (frame["death_1yr"] == 1).tolist()


def test_bad_choices_are_refused(frame, tmp_path):
    path = _write(frame, tmp_path)
    with pytest.raises(
        ValueError,
        match=r"The 'competing_death' parameter of load_hf_registry must be one of 'censor', "
        r"'event', 'exclude', 'competing'\. Got 'ignore' instead\.",
    ):
        load_hf_registry(path, competing_death="ignore")
    with pytest.raises(
        ValueError,
        match=r"The 'label' parameter of load_hf_registry must be one of 'readmit_30d', 'death_1yr'",
    ):
        load_hf_registry(path, label="readmit_90d")
    with pytest.raises(ValueError, match=r"The 'n_patients' parameter of make_hf_registry must"):
        make_hf_registry(n_patients=0)
    with pytest.raises(ValueError, match="'random_state' parameter of make_hf_registry"):
        make_hf_registry(n_patients=5, random_state=-1)


# --- corrupted copies ---------------------------------------------------------------------


def test_creatinine_in_umol_is_diagnosed_and_converted_when_declared(frame, tmp_path):
    frame["creatinine"] = (frame["creatinine"] * 88.4).round(0)
    path = _write(frame, tmp_path)
    with pytest.raises(
        SchemaError,
        match=r"creatinine: hard range \[0.2, 20\] mg/dL: \d+ rows "
        r"break it \(first patient_id: 1, 2, 3, 4, 5, \.\.\.\)\. .*creatinine looks "
        r"like umol/L \(median 1\d\d\); riskml expects mg/dL\. Fix: divide by 88.4, or "
        r"pass units=\{'creatinine': 'umol/L'\}",
    ):
        load_hf_registry(path)
    cohort = load_hf_registry(path, units={"creatinine": "umol/L"})
    assert cohort.features["creatinine"].median() == pytest.approx(1.4, abs=0.15)


def test_hemoglobin_in_g_per_l_is_diagnosed(frame, tmp_path):
    frame["hemoglobin"] = frame["hemoglobin"] * 10
    with pytest.raises(
        SchemaError,
        match=r"hemoglobin looks like g/L \(median 1\d\d\); riskml "
        r"expects g/dL\. Fix: divide by 10",
    ):
        load_hf_registry(_write(frame, tmp_path))


def test_missing_column_is_named(frame, tmp_path):
    frame = frame.rename(columns={"hx_cad": "HX_CAD"})
    with pytest.raises(
        SchemaError,
        match=r"hx_cad: required column missing: 3000 rows break it\. "
        r".*Fix: rename 'HX_CAD' -> 'hx_cad'",
    ):
        load_hf_registry(_write(frame, tmp_path))


def test_bad_date_is_named_with_the_patient(frame, tmp_path):
    frame.loc[6, "discharge_date"] = "2009-02-30"
    with pytest.raises(
        SchemaError,
        match=r"discharge_date: date values \(YYYY-MM-DD\): 1 row "
        r"breaks it \(first patient_id: 7\)\. Found '2009-02-30', which is not a "
        r"valid calendar date",
    ):
        load_hf_registry(_write(frame, tmp_path))


def test_empty_checkbox_and_impossible_combinations(frame, tmp_path):
    frame.loc[4, "hx_diabetes"] = np.nan
    dead = frame.index[(frame["death_event"] == 1) & (frame["readmit_event"] == 0)][0]
    frame.loc[dead, "readmit_time_days"] = frame.loc[dead, "death_time_days"] + 5
    preserved = frame.index[frame["ef_category"] == "preserved"][0]
    frame.loc[preserved, "lvef_pct"] = 20.0
    frame.loc[9, "admit_date"] = "2011-06-01"
    with pytest.raises(SchemaError) as caught:
        load_hf_registry(_write(frame, tmp_path))
    message = str(caught.value)
    assert "hx_diabetes: no empty values: 1 row breaks it (first patient_id: 5)." in message
    assert (
        f"readmit_time_days, death_time_days: readmission after death (readmit_time_days <= "
        f"death_time_days): 1 row breaks it (first patient_id: {dead + 1})"
    ) in message
    assert (
        f"ef_category, lvef_pct: ef_category agrees with lvef_pct (reduced < 40, borderline "
        f">= 40, preserved >= 50): 1 row breaks it (first patient_id: {preserved + 1})"
    ) in message
    assert (
        "admit_date, discharge_date: discharge before admission (admit_date <= "
        "discharge_date): 1 row breaks it (first patient_id: 10)"
    ) in message
    assert "los_days, length_of_stay_from_dates" in message


def test_death_before_discharge_is_refused(frame, tmp_path):
    frame.loc[2, ["death_time_days", "death_event"]] = [-3.0, 1]
    with pytest.raises(
        SchemaError,
        match=r"death_time_days: hard range \[0, 1825\] days: 1 row "
        r"breaks it \(first patient_id: 3\)",
    ):
        load_hf_registry(_write(frame, tmp_path))
