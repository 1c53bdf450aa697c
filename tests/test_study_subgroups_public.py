"""Study's subgroups come from the public riskml.evaluation.subgroup_performance.

Oracles: evaluate_predictions on each subgroup's rows (the per-subgroup loop Study
ran before it called the public function: same numbers, frame for frame) and
scikit-learn's roc_auc_score on the women's out-of-fold predictions.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import riskml as rk
from riskml.evaluation import evaluate_predictions, subgroup_performance


@pytest.fixture(scope="module")
def binary_study():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    binary = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)
    result = rk.Study(
        binary,
        models=["logistic", "lasso"],
        subgroups=["sex", "diabetes"],
        validation=3,
        n_boot=100,
        explain=None,
        progress=False,
        random_state=3,
    ).run()
    return binary, result


def _naive_subgroups(outcome, predictions, groups, **options):
    tables = []
    for variable, labels in groups.items():
        for level in sorted(labels.dropna().unique(), key=str):
            rows = np.flatnonzero((labels == level).to_numpy())
            table = evaluate_predictions(outcome[rows], predictions.iloc[rows], **options)
            tables.append(table.summary.assign(variable=variable, subgroup=str(level)))
    table = pd.concat(tables, ignore_index=True)
    first = ["variable", "subgroup", "model", "metric"]
    return table[[*first, *[c for c in table.columns if c not in first]]]


def test_study_subgroups_equal_the_public_function_and_a_naive_loop(binary_study):
    cohort, result = binary_study
    # the features hold 0.0/1.0 codes; the subgroups read them as "0"/"1"
    groups = {name: cohort.features[name].astype(int).astype(str) for name in ("sex", "diabetes")}
    options = {"n_boot": 100, "random_state": 3, "metrics": list(result.summary.metric.unique())}
    raw = cohort.features[["sex", "diabetes"]]
    public = subgroup_performance(
        cohort.outcome, result.predictions, raw, overall=False, **options
    ).summary
    pd.testing.assert_frame_equal(result.subgroups, public)
    naive = _naive_subgroups(cohort.outcome, result.predictions, groups, **options)
    pd.testing.assert_frame_equal(result.subgroups, naive)
    women = cohort.features["sex"].to_numpy() == 0
    row = result.subgroups.query("variable == 'sex' and subgroup == '0' and metric == 'auc'")
    oracle = roc_auc_score(
        cohort.outcome.event[women], result.predictions["logistic"].to_numpy()[women]
    )
    assert row.set_index("model").loc["logistic", "estimate"] == pytest.approx(oracle, abs=1e-12)


def test_overall_rows_equal_the_study_summary(binary_study):
    cohort, result = binary_study
    table = subgroup_performance(
        cohort.outcome,
        result.predictions,
        cohort.features[["sex"]],
        n_boot=100,
        random_state=3,
        metrics=list(result.summary.metric.unique()),
    ).summary
    overall = table[table.subgroup == "all"].drop(columns=["variable", "subgroup"])
    columns = list(overall.columns)
    pd.testing.assert_frame_equal(
        overall.reset_index(drop=True), result.summary[columns].reset_index(drop=True)
    )


def test_survival_subgroups_at_a_horizon():
    """Oracle: evaluate_predictions on the diabetic patients' rows alone."""
    hf = rk.cohorts.load_heart_failure_clinical_records()
    rng = np.random.default_rng(0)
    risk = pd.DataFrame({"a": rng.random(len(hf.outcome)), "b": rng.random(len(hf.outcome))})
    table = subgroup_performance(
        hf.outcome, risk, hf.features["diabetes"], horizon=180, n_boot=50, random_state=1
    ).summary
    assert set(table["variable"]) == {"", "diabetes"}
    rows = np.flatnonzero(hf.features["diabetes"].to_numpy() == 1)
    oracle = evaluate_predictions(
        hf.outcome[rows], risk.iloc[rows], horizon=180, n_boot=50, random_state=1
    ).summary
    mine = table[table.subgroup == "1"].drop(columns=["variable", "subgroup"])
    pd.testing.assert_frame_equal(
        mine.reset_index(drop=True), oracle[list(mine.columns)].reset_index(drop=True)
    )
    assert {"td_auc", "harrell_c", "brier"} <= set(mine["metric"])


def test_bad_groups_are_explained():
    y = [0, 1, 0, 1]
    with pytest.raises(TypeError, match="one array .* or a DataFrame or dict of several"):
        subgroup_performance(y, [0.1, 0.2, 0.3, 0.4], "sex")
    with pytest.raises(ValueError, match=r"got 4 patients and 3 labels in groups\['group'\]"):
        subgroup_performance(y, [0.1, 0.2, 0.3, 0.4], ["a", "b", "a"])
    with pytest.raises(TypeError, match="'overall' parameter"):
        subgroup_performance(y, [0.1, 0.2, 0.3, 0.4], ["a", "b", "a", "b"], overall="no")
