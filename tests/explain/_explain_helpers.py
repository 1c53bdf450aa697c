"""Helpers for the explain tests: a scikit-learn pipeline mirroring the model contract.

The pipeline is built from scikit-learn only (no riskml.features / riskml.models), with
the contract's column names: ``<input>`` for numeric columns, ``<input>_<level>`` for
one-hot levels and ``<input>_missing`` for missing indicators.
"""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

NUMERIC = ["age", "sbp", "bp", "bp_treated"]
CATEGORICAL = ["smoking"]
DROPPED = "noise"  # an input column the preprocessing drops, as feature selection would


class XGBRisk(BaseEstimator):
    """Minimal final step: an XGBoost model as ``model_`` and ``predict_risk``.

    ``layout`` is how the model is fed: "frame" (named columns), "reversed" (named
    columns in reverse order) or "bare" (a bare array, no feature names).
    """

    outcome_kind = "binary"

    def __init__(
        self, n_estimators=25, max_depth=3, random_state=0, model_class=None, layout="frame"
    ):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.random_state = random_state
        self.model_class = model_class
        self.layout = layout

    def _input(self, X):
        if self.layout == "bare":
            return np.asarray(X, dtype=float)
        if self.layout == "reversed":
            return X[list(X.columns)[::-1]]
        return X

    def fit(self, X, y):
        import xgboost

        model_class = self.model_class or xgboost.XGBClassifier
        self.model_ = model_class(
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            learning_rate=0.3,
            random_state=self.random_state,
            n_jobs=1,
        )
        self.model_.fit(self._input(X), y)
        self.feature_names_in_ = np.asarray(getattr(X, "columns", []), dtype=object)
        return self

    def predict_risk(self, X, horizon=None):
        return self.model_.predict_proba(self._input(X))[:, 1]


def _missing_indicator():
    return FunctionTransformer(
        lambda frame: frame.isna().astype(float).add_suffix("_missing"),
        feature_names_out=lambda transformer, names: [f"{n}_missing" for n in names],
    )


def make_preprocessor():
    numeric = SimpleImputer(strategy="median")
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
    )
    return ColumnTransformer(
        [
            ("num", numeric, NUMERIC),
            ("missing", _missing_indicator(), ["age", "bp_treated"]),
            ("cat", categorical, CATEGORICAL),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


def make_data(n=300, seed=0):
    """Synthetic cohort; the index holds identifiers that must never be used."""
    rng = np.random.default_rng(seed)
    age = rng.normal(55, 10, n)
    sbp = rng.normal(135, 18, n)
    bp = rng.normal(80, 10, n)
    bp_treated = rng.integers(0, 2, n).astype(float)
    smoking = rng.choice(["never", "former", "current"], n, p=[0.5, 0.3, 0.2])
    logit = (
        -1.0
        + 0.06 * (age - 55)
        + 0.03 * (sbp - 135)
        + 0.8 * bp_treated
        + np.where(smoking == "current", 1.2, np.where(smoking == "former", 0.4, 0.0))
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    age[rng.random(n) < 0.15] = np.nan
    bp_treated[rng.random(n) < 0.1] = np.nan
    X = pd.DataFrame(
        {
            "age": age,
            "sbp": sbp,
            "bp": bp,
            "bp_treated": bp_treated,
            "smoking": smoking,
            DROPPED: rng.normal(size=n),
        },
        index=[f"MRN-{100000 + i}" for i in range(n)],
    )
    return X, y
