"""Two models that order the patients identically: the study completes and says so.

Oracle: scikit-learn's ``roc_auc_score`` for both AUCs; the definition of the DeLong
test (a difference with zero variance cannot be tested).
"""

import warnings

import numpy as np
from sklearn.metrics import roc_auc_score

import riskml as rk


def test_identical_orderings_are_reported_not_crashed(tmp_path):
    hf = rk.cohorts.load_heart_failure_clinical_records()
    cohort = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = rk.Study(
            cohort,
            models={"a": "logistic", "b": "logistic"},
            validation=3,
            n_boot=100,
            explain=False,
            progress=False,
        ).run()
    row = result.comparison.iloc[0]
    expected = roc_auc_score(hf.outcome.event, result.predictions["b"])
    assert row["estimate"] == row["reference_estimate"]
    assert abs(row["estimate"] - expected) < 1e-12
    assert row["difference"] == 0 and np.isnan(row["p_value"]) and np.isnan(row["low"])
    assert row["method"].startswith("not tested: the difference in AUC has zero variance")
    html = result.report(tmp_path / "report.html").read_text(encoding="utf-8")
    assert "not tested: the difference in AUC has zero variance" in html
