"""Cohort.table_one and the reverse Kaplan-Meier follow-up of Cohort.describe, on the real heart
failure clinical records (UCI 519). Oracles: pandas group statistics, numpy percentiles, and a
brute-force product-limit estimator written here."""

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.cohorts import load_heart_failure_clinical_records, make_hf_registry


@pytest.fixture(scope="module")
def hf():
    return load_heart_failure_clinical_records()


def _reverse_km_median(time, event):
    """Brute force: product-limit curve of censoring (censored = 1), first time S <= 0.5."""
    censored = ~np.asarray(event, dtype=bool)
    survival = 1.0
    for t in np.unique(time):
        at_risk = np.sum(time >= t)
        happened = np.sum((time == t) & censored)
        survival *= 1 - happened / at_risk
        if survival <= 0.5:
            return float(t)
    return float("nan")


def test_reverse_km_follow_up_against_a_brute_force_estimator(hf):
    summary = hf.describe()
    time, event = hf.outcome.time, hf.outcome.event
    assert summary["followup_reverse_km_median_days"] == _reverse_km_median(time, event)
    assert summary["followup_median_days"] == np.median(time)  # the observed-time summary stays
    low, high = summary["followup_reverse_km_iqr_days"]
    assert low < summary["followup_reverse_km_median_days"] < high


def test_reverse_km_worked_example():
    """Worked by hand: censored at 20 and 40 of times 10-40 -> S = 2/3 at 20, 0 at 40."""
    cohort = rk.Cohort(
        pd.DataFrame({"x": [1.0, 2, 3, 4]}), rk.Outcome.survival([10, 20, 30, 40], [1, 0, 1, 0])
    )
    summary = cohort.describe()
    assert summary["followup_reverse_km_median_days"] == 40.0
    assert summary["followup_reverse_km_iqr_days"] == (20.0, 40.0)


def test_table_one_by_outcome_against_pandas(hf):
    # Without a horizon (the loader's default is 90 days): event during follow-up or not.
    hf = rk.Cohort(hf.features, hf.outcome, hf.metadata)
    table = hf.table_one().set_index(["variable", "level"])
    died = hf.outcome.event
    groups = {"Overall": np.ones(len(hf), bool), "Event during follow-up": died, "Censored": ~died}
    assert list(table.columns) == ["statistic", *groups, "missing"]
    for name, mask in groups.items():
        assert table.loc[("n", ""), name] == str(mask.sum())
        age = hf.features.loc[mask, "age"]
        assert table.loc[("age", ""), name] == f"{age.mean():.1f} ({age.std():.1f})"
        cpk = hf.features.loc[mask, "creatinine_phosphokinase"]  # skewness 4.5: median [IQR]
        q1, q2, q3 = np.percentile(cpk, [25, 50, 75])
        assert table.loc[("creatinine_phosphokinase", ""), name] == f"{q2:.1f} [{q1:.1f}, {q3:.1f}]"
        anaemia = hf.features.loc[mask, "anaemia"]
        k = int(anaemia.sum())
        assert table.loc[("anaemia", ""), name] == f"{k} ({100 * k / mask.sum():.1f}%)"
    assert table.loc[("age", ""), "statistic"] == "mean (SD)"
    assert table.loc[("creatinine_phosphokinase", ""), "statistic"] == "median [Q1, Q3]"


def test_table_one_at_a_horizon_has_a_not_evaluable_group(hf):
    table = hf.table_one(horizon=90, columns=["age"], decimals=2)
    label = hf.outcome.at_horizon(90)
    assert list(table.columns[4:7]) == [
        "Event by 90 days",
        "No event by 90 days",
        "Censored before 90 days",
    ]
    assert table.iloc[0, 4:7].tolist() == [
        str((label == 1).sum()),
        str((label == 0).sum()),
        str(np.isnan(label).sum()),
    ]


def test_table_one_uses_schema_summaries_levels_and_counts_missing():
    cohort = make_hf_registry(n_patients=2000, random_state=0)
    table = cohort.table_one(by_outcome=False).set_index(["variable", "level"])
    assert table.loc[("bun", ""), "statistic"] == "median [Q1, Q3]"  # summary: median
    assert table.loc[("bnp", ""), "missing"] == cohort.features["bnp"].isna().sum()
    levels = table.loc["dc_acei_arb"].index.tolist()
    assert levels == ["yes", "no", "contraindicated"]
    present = cohort.features["dc_acei_arb"].notna().sum()
    k = int((cohort.features["dc_acei_arb"] == "no").sum())
    assert table.loc[("dc_acei_arb", "no"), "Overall"] == f"{k} ({100 * k / present:.1f}%)"


def test_table_one_arguments_are_checked(hf):
    with pytest.raises(ValueError, match=r"columns \['nope'\] are not features of this cohort"):
        hf.table_one(columns=["nope"])
    with pytest.raises(ValueError, match="decimals must be a non-negative int; got -1"):
        hf.table_one(decimals=-1)
