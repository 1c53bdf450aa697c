"""Tests of riskml.models.TunedRisk / tune and make_model(tune=...).

Oracles: sklearn GridSearchCV / RandomizedSearchCV run by hand with the same folds
(StratifiedKFold on the event flag) and the C-statistic scorer; for a time-to-event
outcome, Harrell's C (lifelines) recomputed per candidate by hand.
"""

import numpy as np
import pandas as pd
import pytest
from lifelines.utils import concordance_index
from scipy.stats import randint
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, StratifiedKFold

from riskml import Outcome
from riskml.evaluation import cross_val_predict_risk
from riskml.features import c_statistic_scorer
from riskml.models import CoxPH, RiskPipeline, TunedRisk, XGBoostRisk, make_model, tune


def _data(n=240, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=list("abcd"))
    lp = 1.2 * X["a"] + 0.6 * X["b"] * X["c"]
    y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    time = rng.exponential(400 * np.exp(-lp.to_numpy()))
    censor = rng.uniform(50, 900, n)
    return X, y, Outcome.survival(np.minimum(time, censor), time <= censor)


def test_grid_search_equals_gridsearchcv_by_hand():
    """Oracle: GridSearchCV(scoring=c_statistic_scorer, cv=explicit stratified folds)."""
    X, y, _ = _data()
    grid = {"max_depth": [1, 3], "learning_rate": [0.05, 0.3]}
    tuned = TunedRisk(XGBoostRisk(n_estimators=20), grid, cv=3, random_state=2).fit(X, y)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=2).split(X, y))
    direct = GridSearchCV(
        XGBoostRisk(n_estimators=20), grid, scoring=c_statistic_scorer, cv=folds
    ).fit(X, y)
    assert tuned.best_params_ == direct.best_params_
    np.testing.assert_allclose(
        tuned.cv_results_["mean_test_score"], direct.cv_results_["mean_test_score"], atol=1e-12
    )
    np.testing.assert_allclose(tuned.predict_risk(X), direct.best_estimator_.predict_risk(X))
    assert set(tuned.cv_results_.columns) >= {"params", "mean_test_score", "max_depth"}
    assert tuned.outcome_kind == "binary"


def test_random_search_and_the_tune_helper():
    """Oracle: RandomizedSearchCV with the same seed, folds and scorer."""
    X, y, _ = _data()
    space = {"max_depth": randint(1, 5)}
    tuned = tune(
        XGBoostRisk(n_estimators=10), space, search="random", n_iter=3, cv=3, random_state=5
    )
    assert isinstance(tuned, TunedRisk) and not hasattr(tuned, "best_params_")
    tuned.fit(X, y)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=5).split(X, y))
    direct = RandomizedSearchCV(
        XGBoostRisk(n_estimators=10),
        space,
        n_iter=3,
        cv=folds,
        scoring=c_statistic_scorer,
        random_state=5,
    ).fit(X, y)
    assert tuned.best_params_ == direct.best_params_
    assert len(tuned.cv_results_) == 3


def test_survival_outcome_is_tuned_on_harrells_c():
    """Oracle: Harrell's C (lifelines) of CoxPH per candidate over the same folds."""
    X, _, y = _data()
    grid = {"penalizer": [0.01, 1.0]}
    tuned = TunedRisk(CoxPH(), grid, cv=3, random_state=0).fit(X, y.to_structured())
    folds = StratifiedKFold(3, shuffle=True, random_state=0).split(X, y.event)
    by_hand = {0.01: [], 1.0: []}
    for train, test in folds:
        for penalizer in grid["penalizer"]:
            model = CoxPH(penalizer=penalizer).fit(X.iloc[train], y.to_structured()[train])
            risk = model.predict_risk(X.iloc[test])
            by_hand[penalizer].append(concordance_index(y.time[test], -risk, y.event[test]))
    means = [np.mean(by_hand[p]) for p in grid["penalizer"]]
    np.testing.assert_allclose(tuned.cv_results_["mean_test_score"], means, atol=1e-12)
    assert tuned.best_params_["penalizer"] == grid["penalizer"][int(np.argmax(means))]
    assert tuned.outcome_kind == "survival"


def test_make_model_tune_nests_the_search_inside_each_fold():
    """Oracle: the documented structure; the outer CV refits the search per fold."""
    X, y, ys = _data()
    pipe = make_model("xgboost", horizon=365.0, tune={"max_depth": [1, 2]}, n_estimators=10)
    assert [n for n, _ in pipe.steps] == ["model"] and isinstance(pipe[-1], TunedRisk)
    inner = pipe[-1].estimator
    assert isinstance(inner, RiskPipeline) and inner.horizon == 365.0
    assert pipe[-1].param_grid == {"model__max_depth": [1, 2]}
    risk = cross_val_predict_risk(pipe, X, ys, cv=3, random_state=0)
    assert risk.shape == (len(X),) and np.isfinite(risk).all()
    default = make_model("random_forest", tune=True)[-1]
    assert default.param_grid == {
        "model__min_samples_leaf": [2, 5, 20],
        "model__max_features": ["sqrt", 0.5],
    }
    custom = make_model(
        "cox", tune={"param_grid": {"penalizer": [0.1]}, "search": "random", "n_iter": 1}
    )[-1]
    assert custom.search == "random" and custom.n_iter == 1
    with pytest.raises(ValueError, match="model 'lasso' has no default tuning grid"):
        make_model("lasso", tune=True)
    with pytest.raises(ValueError, match=r"unknown tune option\(s\) \['folds'\]"):
        make_model("cox", tune={"param_grid": {"penalizer": [0.1]}, "folds": 3})
    with pytest.raises(TypeError, match="tune must be True"):
        make_model("cox", tune="yes")


def test_tuning_errors():
    X, y, _ = _data(n=30)
    y = np.zeros(30, dtype=int)
    y[:2] = 1
    with pytest.raises(ValueError, match=r"TunedRisk\(cv=5\) needs at least 5 events"):
        TunedRisk(XGBoostRisk(), {"max_depth": [2]}).fit(X, y)
    with pytest.raises(ValueError, match="'search' parameter of TunedRisk must be"):
        TunedRisk(XGBoostRisk(), {"max_depth": [2]}, search="bayes").fit(X, y)
