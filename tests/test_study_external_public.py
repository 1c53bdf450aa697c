"""Study's external validation is the public ``riskml.evaluation.external_validation``.

Oracle: ``evaluate_predictions`` on the whole-cohort fits' risks for the external
cohort (what Study computed before it called the public function): the same estimates
and intervals to the last digit; and scikit-learn's ``roc_auc_score`` for the AUC.
"""

import warnings

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import riskml as rk
from riskml.evaluation import evaluate_predictions, external_validation


@pytest.fixture(scope="module")
def study():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    cohort = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)
    first, second = cohort.subset(np.arange(180)), cohort.subset(np.arange(180, 299))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = rk.Study(
            first,
            models=["logistic", "random_forest"],
            external=second,
            validation=3,
            n_boot=200,
            explain=False,
            progress=False,
        ).run()
    return result, first, second


def test_numbers_equal_evaluate_predictions_on_the_same_fits(study):
    result, first, second = study
    X = second.features[first.predictors]
    risks = {name: model.predict_risk(X) for name, model in result.fitted_models.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = evaluate_predictions(second.outcome, risks, n_boot=200, random_state=0).summary
    table = result.external
    for column in ("estimate", "low", "high"):
        np.testing.assert_array_equal(table[column].to_numpy(), direct[column].to_numpy())
    assert (table["method"] == "external validation, " + direct["method"]).all()
    auc = table.query("model == 'logistic' and metric == 'auc'")["estimate"].iloc[0]
    assert auc == pytest.approx(roc_auc_score(second.outcome.event, risks["logistic"]), abs=1e-12)


def test_one_model_alone_gets_the_same_numbers(study):
    """Replicate r is drawn the same way in every call with the same seed."""
    result, first, second = study
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = external_validation(
            result.fitted_models["logistic"],
            second.features[first.predictors],
            second.outcome,
            n_boot=200,
            random_state=0,
            name="logistic",
        ).summary
    together = result.external.query("model == 'logistic'")
    np.testing.assert_array_equal(alone["low"].to_numpy(), together["low"].to_numpy())
