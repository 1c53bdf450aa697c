"""Helpers for the report tests: a synthetic StudyResult-like object.

Built from scikit-learn, xgboost and riskml.Outcome / riskml.Cohort only (no
riskml.models, riskml.evaluation). Identifiers ("MRN-...") are planted in every place a
result might carry them, so that the tests can check that none reaches the HTML.
"""

import types

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import riskml

SCRIPT_MODEL = "<script>alert(1)</script>"
HORIZON = 365.0


def planted_id(i):
    return f"MRN-{123456 + i}"


class XGBRisk(BaseEstimator):
    """Minimal final step: XGBClassifier as ``model_`` and ``predict_risk``."""

    outcome_kind = "binary"

    def __init__(self, n_estimators=20, random_state=0):
        self.n_estimators = n_estimators
        self.random_state = random_state

    def fit(self, X, y):
        import xgboost

        self.model_ = xgboost.XGBClassifier(
            n_estimators=self.n_estimators, max_depth=3, random_state=self.random_state, n_jobs=1
        ).fit(X, y)
        return self

    def predict_risk(self, X, horizon=None):
        return self.model_.predict_proba(X)[:, 1]


def make_pipeline():
    prep = ColumnTransformer(
        [
            ("num", SimpleImputer(strategy="median"), ["age", "sbp", "chol"]),
            (
                "cat",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="most_frequent")),
                        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
                    ]
                ),
                ["smoking"],
            ),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return Pipeline([("prep", prep), ("model", XGBRisk())])


def make_features(n, rng):
    features = pd.DataFrame(
        {
            "age": rng.normal(50, 9, n).round(),
            "sbp": rng.normal(135, 15, n),
            "chol": rng.normal(210, 35, n),
            "smoking": rng.choice(["never", "current"], n, p=[0.7, 0.3]),
        }
    )
    features.loc[rng.random(n) < 0.2, "chol"] = np.nan  # most missing
    features.loc[rng.random(n) < 0.05, "age"] = np.nan  # column order is not count order
    return features


def make_result(kind="survival", explanation=True, n=240, seed=0, patient_index=7):
    """A StudyResult-like namespace; ``kind`` is "survival" (horizon 365 d) or "binary"."""
    rng = np.random.default_rng(seed)
    features = make_features(n, rng)
    hazard = np.exp(
        0.05 * (features["age"].fillna(50) - 50)
        + 0.02 * (features["sbp"].fillna(135) - 135)
        + 0.9 * (features["smoking"] == "current")
    ).to_numpy()
    ids = [planted_id(i) for i in range(n)]
    if kind == "survival":
        event_time = rng.exponential(900 / hazard)
        censor_time = rng.uniform(100, 1500, n)
        outcome = riskml.Outcome.survival(
            np.minimum(event_time, censor_time), event_time <= censor_time
        )
        label = outcome.at_horizon(HORIZON)
        horizon = HORIZON
        metric = "harrell_c"
    else:
        outcome = riskml.Outcome.binary(rng.random(n) < hazard / (1 + hazard))
        label = outcome.event.astype(float)
        horizon = None
        metric = "auc"
    cohort = riskml.Cohort(features, outcome, ids=ids, name="synthetic <cohort>")
    keep = ~np.isnan(label)
    X_index = features.set_axis(ids)  # identifiers in the index, as a careless caller might
    pipeline = make_pipeline().fit(X_index[keep], label[keep].astype(int))
    names = ["xgboost", "cox", SCRIPT_MODEL]
    scores = np.column_stack(
        [
            pipeline[-1].predict_risk(pipeline[:-1].transform(X_index)),
            np.log(hazard) + rng.normal(0, 0.5, n),
            rng.random(n),
        ]
    )
    predictions = pd.DataFrame(scores, columns=names, index=pd.Index(ids, name="patient_id"))
    summary = pd.DataFrame(
        {
            "model": names,
            "metric": metric,
            "estimate": [0.71234, 0.68891, 0.50444],
            "low": [0.65432, 0.61116, 0.43987],
            "high": [0.77001, 0.75559, 0.57012],
            "method": "percentile bootstrap (2000 resamples)",
            "n": n,
            "events": int(outcome.event.sum()),
        }
    )
    if explanation:
        from riskml.explain import explain_pipeline

        explained = explain_pipeline(pipeline, X_index)
    else:
        explained = None
    return types.SimpleNamespace(
        summary=summary,
        predictions=predictions,
        outcome=outcome,
        horizon=horizon,
        cohort_summary=cohort.describe(horizon=horizon),
        cohort_name=cohort.name,
        cohort_source="Synthetic data for tests (riskml)",
        models={
            "xgboost": "Gradient-boosted trees (XGBoost)",
            "cox": "Cox proportional hazards",
            SCRIPT_MODEL: "a model named to test <b>escaping</b>",
        },
        settings={
            "validation": "stratified 5-fold cross-validation",
            "selection": None,
            "random_state": 20240611,
            "n_boot": 2000,
        },
        explanation=explained,
        patient_index=patient_index,
        cohort_ids=np.asarray(ids),
        ids=np.asarray(ids),
    )
