"""The Framingham explanation evaluates its coalitions on the prepared inputs (issue 30:
the recalibrated score's exact Shapley values took 12-20 s on the Wu cohort).

Oracle: the same exact interventional Shapley values computed on the raw columns (the
path every other model takes: every hybrid row parsed and unit-checked again), with
the fast path switched off; equal to 1e-12, with mapped input columns, a text sex
column, flags derived from a category and a missing value imputed.
"""

import warnings

import numpy as np
import pytest

import riskml as rk
from riskml.explain import _scores, _shap, explain_pipeline
from riskml.models import make_model


def _explain(pipeline, X, horizon, fast, monkeypatch):
    if not fast:
        monkeypatch.setattr(_shap, "prepared_equation_inputs", lambda *args: None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return explain_pipeline(pipeline, X, rows=60, background=X, horizon=horizon)


@pytest.mark.parametrize("model", ["framingham_recalibrated", "framingham"])
def test_prepared_inputs_give_the_raw_columns_values(model, monkeypatch):
    cohort = rk.cohorts.make_young_hypertension(300, random_state=2)
    X = cohort.features.copy()
    column = cohort.framingham_inputs.get("total_chol", "total_chol")
    X.loc[X.index[3], column] = np.nan  # imputed with the training median
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline = make_model(
            model, horizon=cohort.horizon, framingham_inputs=cohort.framingham_inputs
        ).fit(X, cohort.outcome.to_y())
    players = pipeline[-1].input_columns()
    parts = _shap._Parts(pipeline)
    raw = X[players]
    engaged = _scores.prepared_equation_inputs(parts, raw, raw, pipeline.predict_risk)
    assert engaged is not None  # the fast path is taken for this pipeline
    fast = _explain(pipeline, X, cohort.horizon, True, monkeypatch)
    slow = _explain(pipeline, X, cohort.horizon, False, monkeypatch)
    np.testing.assert_allclose(fast.values.to_numpy(), slow.values.to_numpy(), rtol=0, atol=1e-12)
    assert (fast.values.columns == slow.values.columns).all()
    assert fast.base_value == pytest.approx(slow.base_value, abs=1e-12)
    assert fast.method == slow.method


def test_a_shared_input_column_takes_the_raw_path():
    from riskml.explain._scores import prepared_equation_inputs
    from riskml.explain._shap import _Parts
    from riskml.models.scores import FraminghamScore

    cohort = rk.cohorts.make_young_hypertension(120, random_state=0)
    X = cohort.features
    inputs = dict(cohort.framingham_inputs)
    inputs["diabetes"] = inputs.get("smoker", "smoker")  # one column, two inputs
    score = FraminghamScore(inputs=inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score.fit(X)
    assert prepared_equation_inputs(_Parts(score), X, X, score.predict_risk) is None
