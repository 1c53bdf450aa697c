"""The synthetic young-hypertension generator.

Oracles: a brute-force O(n^2) Harrell's C (R survival convention: a patient censored
at the time of another's event counts as outliving it), cross-checked against
lifelines.utils.concordance_index; the schema's distributions and rules.
"""

import numpy as np
import pandas as pd
import pytest
from lifelines.utils import concordance_index

from riskml.cohorts import cohort_from_frame, load_schema, make_young_hypertension

ABPM = [
    "abpm_24h_sbp",
    "abpm_24h_dbp",
    "abpm_day_sbp",
    "abpm_day_dbp",
    "abpm_night_sbp",
    "abpm_night_dbp",
    "abpm_24h_hr",
    "dipping_pattern",
]


def brute_force_harrell_c(time, event, risk):
    """O(n^2) Harrell's C: for each event i, every j with a longer time (or censored at i's time)."""
    concordant = comparable = 0.0
    for i in np.flatnonzero(event):
        later = (time > time[i]) | ((time == time[i]) & ~event)
        comparable += later.sum()
        concordant += (risk[i] > risk[later]).sum() + 0.5 * (risk[i] == risk[later]).sum()
    return concordant / comparable


@pytest.fixture(scope="module")
def cohort():
    return make_young_hypertension()


def test_same_seed_same_table_other_seed_other_table():
    a = make_young_hypertension(n_patients=100, random_state=3, return_frame=True)
    b = make_young_hypertension(n_patients=100, random_state=3, return_frame=True)
    c = make_young_hypertension(n_patients=100, random_state=4, return_frame=True)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_default_size_and_the_58_predictors(cohort):
    assert len(cohort) == 508
    assert len(cohort.predictors) == 58
    assert cohort.predictors == load_schema("young_htn").predictors
    assert "patient_id" not in cohort.features
    assert set(cohort.features) - set(cohort.predictors) == {
        "pulse_pressure",
        "aldosterone_renin_ratio",
        "nocturnal_dip_pct",
        "lvh",
        "frs_10y_cvd",
    }


def test_event_rate(cohort):
    assert 0.04 <= cohort.outcome.event.mean() <= 0.11


def test_oracle_c_of_the_true_risk(cohort):
    """Oracle: brute-force O(n^2) Harrell's C, equal to lifelines' concordance_index."""
    time, event, risk = cohort.outcome.time, cohort.outcome.event, cohort.true_risk
    brute = brute_force_harrell_c(time, event, risk)
    assert brute == pytest.approx(concordance_index(time, -risk, event), abs=1e-12)
    assert 0.72 <= brute <= 0.84


def test_population_oracle_c_is_tuned_to_078():
    """On 20,000 patients (C's sampling error about 0.01), the oracle C is near 0.78."""
    big = make_young_hypertension(n_patients=20_000, random_state=11)
    c = concordance_index(big.outcome.time, -big.true_risk, big.outcome.event)
    assert 0.76 <= c <= 0.80
    assert 0.06 <= big.outcome.event.mean() <= 0.08


def test_true_risk_is_kept_out_of_the_features(cohort):
    assert cohort.true_risk.shape == (508,)
    assert ((cohort.true_risk > 0) & (cohort.true_risk < 1)).all()
    assert not any("risk" in c and c != "frs_10y_cvd" for c in cohort.features)


def test_abpm_block_is_missing_jointly(cohort):
    missing = cohort.features[ABPM].isna()
    assert (missing.all(axis=1) == missing.any(axis=1)).all()
    assert 0.18 <= missing.all(axis=1).mean() <= 0.32


def test_composite_by_33mo_is_nan_exactly_for_censored_before_1004(cohort):
    label = cohort.outcomes["composite_by_33mo"].to_numpy()
    time, event = cohort.outcome.time, cohort.outcome.event
    np.testing.assert_array_equal(np.isnan(label), ~event & (time <= 1004))
    np.testing.assert_array_equal(label, cohort.outcome.at_horizon(1004))


def test_followup_and_components_agree_with_the_composite(cohort):
    out = cohort.outcomes
    assert (out["followup_days"] >= out["composite_time_days"]).all()
    assert ((out["followup_days"] >= 180) & (out["followup_days"] <= 2200)).all()
    components = out.filter(like="evt_").sum(axis=1)
    np.testing.assert_array_equal(components, cohort.outcome.event.astype(int))
    assert out["first_event_type"].notna().sum() == cohort.outcome.event.sum()


def test_framingham_inputs_are_present_in_canonical_units(cohort):
    X = cohort.features
    for column in [
        "sex",
        "age",
        "total_chol",
        "hdl",
        "office_sbp",
        "n_bp_drug_classes",
        "smoking_status",
        "diabetes",
    ]:
        assert column in cohort.predictors
    assert set(X["sex"]) == {"M", "F"}
    assert 150 < X["total_chol"].median() < 220  # mg/dL (4.8 mmol/L = 186 mg/dL)
    assert 30 < X["hdl"].median() < 55
    assert set(X["smoking_status"].dropna()) == {"never", "former", "current"}
    assert cohort.framingham_inputs["smoker"] == {"column": "smoking_status", "equals": "current"}


def test_derived_columns_are_computed(cohort):
    X = cohort.features
    np.testing.assert_array_equal(X["pulse_pressure"], X["office_sbp"] - X["office_dbp"])
    dip = 100 * (X["abpm_day_sbp"] - X["abpm_night_sbp"]) / X["abpm_day_sbp"]
    np.testing.assert_allclose(X["nocturnal_dip_pct"], dip.round(1), atol=1e-9)
    expected = np.select(
        [dip < 0, dip < 10, dip < 20], ["reverse", "non_dipper", "dipper"], "extreme"
    )
    seen = dip.notna()
    np.testing.assert_array_equal(X.loc[seen, "dipping_pattern"], expected[seen])
    threshold = np.where(X["sex"] == "M", 115, 95)
    seen = X["lv_mass_index"].notna()
    np.testing.assert_array_equal(
        X.loc[seen, "lvh"], X.loc[seen, "lv_mass_index"] >= threshold[seen]
    )


def test_drug_flags_never_exceed_the_class_count(cohort):
    X = cohort.features
    flags = X[["raas_blocker", "ccb", "beta_blocker", "diuretic_or_mra"]].sum(axis=1)
    assert (flags <= X["n_bp_drug_classes"]).all()


def test_cohort_path_equals_loading_the_frame(cohort):
    frame = make_young_hypertension(return_frame=True)
    assert {"patient_id", "composite_event", "composite_time_days"} <= set(frame)
    again = cohort_from_frame(frame, "young_htn")
    pd.testing.assert_frame_equal(again.features, cohort.features)
    np.testing.assert_array_equal(again.outcome.time, cohort.outcome.time)


def test_bad_arguments_are_refused():
    with pytest.raises(
        ValueError,
        match=r"The 'n_patients' parameter of make_young_hypertension must be an int in the "
        r"range \[1, inf\)\. Got 0 instead\.",
    ):
        make_young_hypertension(n_patients=0)
    with pytest.raises(TypeError, match="'random_state' parameter of make_young_hypertension"):
        make_young_hypertension(random_state="seed")


def test_n_samples_still_works_with_a_future_warning():
    # Renamed to n_patients (docs/conventions.md); the old keyword gives the same cohort.
    with pytest.warns(FutureWarning, match="renamed n_patients"):
        old = make_young_hypertension(n_samples=40, random_state=5, return_frame=True)
    new = make_young_hypertension(n_patients=40, random_state=5, return_frame=True)
    pd.testing.assert_frame_equal(old, new)
