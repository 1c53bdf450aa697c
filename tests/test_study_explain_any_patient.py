"""``result.explain(patient=k, model=...)`` works for every patient of the cohort, not only
those in the explained sample (issue: "raises 'row 0 was not explained' on any cohort larger
than the explained sample").

Oracles: SHAP additivity against the deployed model's own ``predict_risk`` (base value plus
contributions equals the model output), and the batch explanation of the same patient
(a patient's values do not depend on which other patients are explained).
"""

import numpy as np
import pytest
from scipy.special import logit

import riskml as rk


@pytest.fixture(scope="module")
def result():
    cohort = rk.cohorts.make_young_hypertension(n_patients=300, random_state=0)
    return rk.Study(
        cohort,
        models=["xgboost", "cox"],
        validation=3,
        n_boot=50,
        explain_rows=10,
        progress=False,
    ).run()


def _outside(result, model):
    explained = set(result.explanations[model].values.index)
    return next(k for k in range(len(result.predictions)) if k not in explained)


@pytest.mark.parametrize("model", ["xgboost", "cox"])
def test_a_patient_outside_the_explained_sample_is_explained_on_demand(result, model):
    k = _outside(result, model)
    with pytest.raises(ValueError, match="was not explained"):
        result.explanations[model].patient(k)  # the sample alone does not cover k
    card = result.explain(patient=k, model=model)
    on_demand = result._on_demand[(model, k)]
    margin = on_demand.base_value + card["contribution"].sum()
    X = result._explain_inputs["X"].iloc[[k]]
    deployed = result.fitted_models[model]
    if model == "xgboost":  # explained on the log-odds scale
        expected = logit(deployed.predict_risk(X)[0])
    else:  # explained on the log relative hazard, what predict_risk(X) returns
        expected = deployed.predict_risk(X)[0]
    assert margin == pytest.approx(expected, abs=1e-6)
    risk = deployed.predict_risk(X, horizon=result.horizon)[0]
    assert on_demand.patient_risk(k) == pytest.approx(risk, abs=1e-6)
    # the same base value as the study's explanation: same model, background and seed
    assert on_demand.base_value == pytest.approx(result.explanations[model].base_value)
    # cached: a second call does not explain again
    again = result.explain(patient=k, model=model)
    assert result._on_demand[(model, k)] is on_demand
    np.testing.assert_array_equal(again["contribution"], card["contribution"])


@pytest.mark.parametrize("model", ["xgboost", "cox"])
def test_on_demand_values_equal_the_batch_values(result, model):
    batch = result.explanations[model]
    k = int(batch.values.index[0])
    from riskml.explain import explain_pipeline

    inputs = result._explain_inputs
    alone = explain_pipeline(
        result.fitted_models[model],
        inputs["X"],
        horizon=result.horizon,
        rows=np.array([k]),
        background=inputs["X"],
        random_state=inputs["random_state"],
        max_trees=inputs["max_trees"],
        model_name=model,
        check_input=False,
    )
    np.testing.assert_allclose(
        alone.values.loc[k].to_numpy(), batch.values.loc[k].to_numpy(), atol=1e-9
    )


def test_a_position_outside_the_cohort_is_refused(result):
    with pytest.raises(ValueError, match=r"patient must be a row position in \[0, 300\)"):
        result.explain(patient=300, model="cox")
