"""Tests of class-imbalance handling in riskml.models.RiskPipeline.

Oracles: the same steps fitted by hand (preprocessor, sampler.fit_resample, model) with
the prior-correction formula of King & Zeng (2001) applied by hand; scipy's root
finder and sklearn's LogisticRegression for the fitted recalibrations; and, for class
weights, the unweighted logistic model (prior correction undoes class weights exactly
for a correctly specified logistic model, up to sampling noise).
"""

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from scipy.optimize import brentq
from scipy.special import expit, logit
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from riskml import Outcome
from riskml.evaluation import cross_val_predict_risk
from riskml.features import make_preprocessor
from riskml.models import (
    CoxPH,
    LogisticRisk,
    RandomForestRisk,
    RiskPipeline,
    XGBoostRisk,
    describe_imbalance_handling,
    make_model,
)


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=list("abcd"))
    X["site"] = rng.choice(["north", "south"], n)
    y = (rng.random(n) < expit(-2.3 + 1.2 * X["a"] + 0.5 * X["b"])).astype(int)
    return X, y


def _odds(y):
    return np.mean(y) / (1 - np.mean(y))


@pytest.mark.parametrize(
    "sampler",
    [RandomUnderSampler(random_state=0), RandomOverSampler(random_state=0), SMOTE(random_state=0)],
    ids=["undersample", "oversample", "smote"],
)
def test_sampler_pipeline_equals_the_steps_by_hand(sampler):
    """Oracle: prep.fit -> sampler.fit_resample -> model.fit by hand, then
    logit p + log(odds(y) / odds(y_resampled)) (prior correction) by hand."""
    X, y = _data()
    model = XGBoostRisk(n_estimators=30)
    pipe = RiskPipeline(
        [("prep", make_preprocessor()), ("sampler", clone(sampler)), ("model", clone(model))]
    ).fit(X, y)
    prep = make_preprocessor().fit(X)
    Xs, ys = clone(sampler).fit_resample(prep.transform(X), y)
    raw = clone(model).fit(Xs, ys).predict_risk(prep.transform(X))
    expected = expit(logit(raw) + np.log(_odds(y)) - np.log(_odds(ys)))
    np.testing.assert_allclose(pipe.predict_risk(X), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pipe.predict_proba(X)[:, 1], expected, atol=1e-12)
    assert pipe.recalibration_.event_rate_fitted == pytest.approx(np.mean(ys))
    off = clone(pipe).set_params(recalibrate=None).fit(X, y)
    np.testing.assert_allclose(off.predict_risk(X), raw, atol=1e-12)
    assert off.recalibration_ is None


def test_fitted_recalibrations():
    """Oracles: scipy brentq on sum(expit(logit p + a)) = events (intercept), and sklearn
    LogisticRegression(C=inf) of y on logit p (intercept and slope), both on the
    original training rows."""
    X, y = _data()
    steps = [
        ("prep", make_preprocessor()),
        ("sampler", RandomUnderSampler(random_state=1)),
        ("model", LogisticRisk()),
    ]
    raw = RiskPipeline(steps, recalibrate=None).fit(X, y).predict_risk(X)
    z = logit(raw)
    shift = RiskPipeline(steps, recalibrate="intercept").fit(X, y)
    a = brentq(lambda a: expit(z + a).sum() - y.sum(), -50, 50, xtol=1e-12)
    assert shift.recalibration_.intercept == pytest.approx(a, abs=1e-9)
    assert shift.predict_risk(X).mean() == pytest.approx(y.mean(), abs=1e-9)
    full = RiskPipeline(steps, recalibrate="logistic").fit(X, y)
    fit = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(z[:, None], y)
    assert full.recalibration_.slope == pytest.approx(fit.coef_[0, 0], abs=1e-6)
    np.testing.assert_allclose(full.predict_risk(X), fit.predict_proba(z[:, None])[:, 1], atol=1e-6)


def test_prior_correction_undoes_class_weights():
    """Oracle: the unweighted logistic model. For a correctly specified logistic model,
    class weights shift only the intercept, by log(w1/w0); prior correction removes it."""
    X, y = _data(n=3000, seed=2)
    plain = RiskPipeline([("prep", make_preprocessor()), ("model", LogisticRisk())]).fit(X, y)
    weighted = RiskPipeline(
        [("prep", make_preprocessor()), ("model", LogisticRisk(class_weight="balanced"))]
    ).fit(X, y)
    assert weighted.recalibration_.event_rate_fitted == pytest.approx(0.5)
    assert np.abs(weighted.predict_risk(X) - plain.predict_risk(X)).mean() < 0.01
    raw = weighted[-1].predict_risk(weighted[0].transform(X))
    assert raw.mean() > 0.3 > y.mean()  # what a weighted model predicts uncorrected
    xgb = RiskPipeline(
        [
            ("prep", make_preprocessor()),
            ("model", XGBoostRisk(n_estimators=20, scale_pos_weight="balanced")),
        ]
    )
    xgb.fit(X, y)
    assert xgb[-1].scale_pos_weight_ == pytest.approx((y == 0).sum() / y.sum())
    assert xgb.recalibration_.event_rate_fitted == pytest.approx(0.5)


def test_samplers_act_only_in_fit_inside_cross_validation():
    """Oracle: every patient of every test fold gets a risk (no resampling at predict)."""
    X, y = _data(n=300)
    pipe = make_model("random_forest", sampler="smote", n_estimators=30)
    risk = cross_val_predict_risk(pipe, X, y, cv=3, random_state=0)
    assert risk.shape == (300,) and np.isfinite(risk).all()
    assert abs(risk.mean() - y.mean()) < 0.05  # recalibrated to the event rate


def test_describe_imbalance_handling():
    """Oracle: the configured steps and the fitted recalibration, stated in the text."""
    X, y = _data()
    pipe = make_model("logistic", sampler="undersample")
    text = pipe.describe_imbalance_handling()
    assert "random undersampling of the majority class" in text
    assert "each training fold only" in text and "prior correction" in text
    fitted = pipe.fit(X, y).describe_imbalance_handling()
    assert f"event rate {y.mean():.3f} in the training data, 0.500 as fitted" in fitted
    weights = describe_imbalance_handling(make_model("random_forest", class_weight="balanced"))
    assert "class_weight='balanced'" in weights
    assert (
        "NOT recalibrated"
        in make_model(
            "xgboost", sampler="oversample", recalibrate=None
        ).describe_imbalance_handling()
    )
    assert describe_imbalance_handling(make_model("xgboost")).startswith(
        "Class imbalance: no resampling"
    )
    assert RandomForestRisk().class_weight is None


def test_imbalance_errors():
    X, y = _data(n=200)
    time = np.arange(1.0, 201.0)
    surv = Outcome.survival(time, y.astype(bool))
    pipe = RiskPipeline(
        [("prep", make_preprocessor()), ("s", RandomUnderSampler()), ("model", CoxPH())]
    )
    with pytest.raises(
        ValueError, match=r"sampler step\(s\) \['RandomUnderSampler'\] need a binary"
    ):
        pipe.fit(X, surv)
    with pytest.raises(ValueError, match="recalibrate must be one of"):
        RiskPipeline([("model", LogisticRisk())], recalibrate="platt").fit(X, y)
    with pytest.raises(ValueError, match="unknown sampler 'tomek'; choose one of"):
        make_model("xgboost", sampler="tomek")
    with pytest.raises(ValueError, match="sampler= needs a binary model; 'cox'"):
        make_model("cox", sampler="undersample")
    with pytest.raises(ValueError, match="model 'bayes_net' does not take class weights"):
        make_model("bayes_net", class_weight="balanced")
