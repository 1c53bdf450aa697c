"""Tests of the binary risk models riskml.models.XGBoostRisk and LassoRisk.

Oracles: the wrapped library models fitted directly (xgboost.XGBClassifier,
sklearn LogisticRegressionCV) and sklearn.metrics.roc_auc_score.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from xgboost import XGBClassifier

from riskml import Outcome
from riskml.models import CoxPH, FraminghamScore, LassoRisk, RiskPipeline, XGBoostRisk


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"x{i}" for i in range(6)])
    lp = 2.0 * X["x0"] + 0.5 * X["x1"] - 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    return X, y


XGB_DEFAULTS = dict(
    n_estimators=200,
    max_depth=3,
    learning_rate=0.05,
    subsample=0.8,
    colsample_bytree=0.8,
    min_child_weight=1,
    reg_lambda=1.0,
    scale_pos_weight=1.0,
    n_jobs=1,
    random_state=0,
)


def test_xgboost_equals_the_underlying_classifier():
    """Oracle: XGBClassifier with the same parameters, predict_proba[:, 1]."""
    X, y = _data()
    model = XGBoostRisk().fit(X, y)
    direct = XGBClassifier(**XGB_DEFAULTS).fit(X, y)
    np.testing.assert_allclose(model.predict_risk(X), direct.predict_proba(X)[:, 1], atol=1e-10)
    assert isinstance(model.model_, XGBClassifier)
    assert list(model.feature_names_in_) == list(X.columns)
    assert model.model_.get_booster().feature_names == list(X.columns)
    assert model.score(X, y) == pytest.approx(roc_auc_score(y, model.predict_risk(X)))


def test_xgboost_risk_rises_with_a_strong_feature():
    """Oracle: the simulation (log-odds slope 2 on x0): risk rises along x0.

    Trees are piecewise constant and fitted on subsamples, so a flat stretch may
    wobble by a little; a tolerance of 0.01 allows that and nothing more.
    """
    X, y = _data(n=600)
    model = XGBoostRisk().fit(X, y)
    grid = pd.DataFrame(0.0, index=range(9), columns=X.columns)
    grid["x0"] = np.linspace(-2, 2, 9)
    risk = model.predict_risk(grid)
    assert np.all(np.diff(risk) >= -0.01)
    assert risk[-1] - risk[0] > 0.5


def test_xgboost_names_xgboost_refuses_are_fitted_as_an_array():
    """Oracle: XGBClassifier fitted on the bare array."""
    X, y = _data()
    named = X.rename(columns={"x0": "age<30", "x1": "ldl[mg/dL]"})
    model = XGBoostRisk(n_estimators=20).fit(named, y)
    direct = XGBClassifier(**{**XGB_DEFAULTS, "n_estimators": 20}).fit(X.to_numpy(), y)
    np.testing.assert_allclose(model.predict_risk(named), direct.predict_proba(X.to_numpy())[:, 1])


def _saga_cv(X, y, tol, seed=3, Cs=10, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegressionCV(
            Cs=Cs,
            l1_ratios=(1.0,),
            solver="saga",
            cv=StratifiedKFold(5, shuffle=True, random_state=seed),
            scoring="roc_auc",
            max_iter=100000,
            tol=tol,
            random_state=seed,
            **kw,
        ).fit(X, y)


def _l1_objective(X, y, coef, intercept, C, weight=None):
    """scikit-learn's L1 objective divided by C: sum of weighted log-losses + ||coef||_1 / C."""
    z = X.to_numpy() @ np.ravel(coef) + intercept
    weight = np.ones(len(y)) if weight is None else weight
    return weight @ (np.logaddexp(0.0, z) - y * z) + np.abs(coef).sum() / C


@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_lasso_newton_path_equals_saga_at_a_tight_tolerance(class_weight):
    """Oracle: sklearn LogisticRegressionCV (saga, tol=1e-9), same grid, folds and AUC scoring.

    Same chosen C, same fold AUCs, and coefficients and risks equal to 1e-6; the objective
    is no higher than saga's (the Newton path is the more exact of the two)."""
    from sklearn.utils.class_weight import compute_sample_weight

    X, y = _data(n=400, seed=5)
    model = LassoRisk(random_state=3, class_weight=class_weight).fit(X, y)
    direct = _saga_cv(X, y, tol=1e-9, class_weight=class_weight)
    assert model.solver == "newton"
    np.testing.assert_allclose(
        model.model_.predict_proba(X.to_numpy())[:, 1], model.predict_risk(X)
    )
    assert float(np.ravel(direct.C_)[0]) == pytest.approx(model.C_, rel=1e-12)
    np.testing.assert_allclose(model.scores_, np.reshape(direct.scores_[1], (5, 10)), atol=1e-4)
    np.testing.assert_allclose(model.coef_.to_numpy(), direct.coef_.ravel(), atol=1e-6)
    assert model.intercept_ == pytest.approx(float(np.ravel(direct.intercept_)[0]), abs=1e-6)
    np.testing.assert_allclose(model.predict_risk(X), direct.predict_proba(X)[:, 1], atol=1e-6)
    weight = None if class_weight is None else compute_sample_weight(class_weight, y)
    ours = _l1_objective(X, y, model.coef_, model.intercept_, model.C_, weight)
    theirs = _l1_objective(X, y, direct.coef_, float(direct.intercept_[0]), model.C_, weight)
    assert ours <= theirs + 1e-9


def test_lasso_newton_reaches_the_optimum_where_saga_stops_early():
    """Oracle: the subgradient optimality (KKT) conditions of the L1 objective.

    A nearly separable fit at a weak penalty: at the Newton solution every zero coefficient
    has |gradient| <= 1/C and every other one gradient = -sign(coef)/C (to 1e-6; 1/C = 0.01),
    and its objective is below saga's at scikit-learn's default tolerance."""
    from scipy.special import expit

    X, y = _data(n=60, seed=1)
    X = X * 3.0  # nearly separable
    model = LassoRisk(Cs=[100.0], cv=3, random_state=0).fit(X, y)
    coef = model.coef_.to_numpy()
    gradient = X.to_numpy().T @ (expit(X.to_numpy() @ coef + model.intercept_) - y)
    penalty = 1.0 / model.C_
    nonzero = coef != 0
    np.testing.assert_allclose(gradient[nonzero], -np.sign(coef[nonzero]) * penalty, atol=1e-6)
    assert np.all(np.abs(gradient[~nonzero]) <= penalty + 1e-6)
    saga = LassoRisk(Cs=[100.0], cv=3, random_state=0, solver="saga").fit(X, y)
    assert _l1_objective(X, y, coef, model.intercept_, 100.0) < _l1_objective(
        X, y, saga.coef_.to_numpy(), saga.intercept_, 100.0
    )


def test_lasso_saga_equals_logistic_regression_cv():
    """Oracle: sklearn LogisticRegressionCV, pure L1 (saga), same folds, AUC scoring."""
    X, y = _data()
    model = LassoRisk(random_state=3, solver="saga").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        direct = LogisticRegressionCV(
            Cs=10,
            l1_ratios=(1.0,),
            solver="saga",
            cv=StratifiedKFold(5, shuffle=True, random_state=3),
            scoring="roc_auc",
            max_iter=5000,
            random_state=3,
        ).fit(X, y)
    np.testing.assert_allclose(model.predict_risk(X), direct.predict_proba(X)[:, 1], atol=1e-10)
    np.testing.assert_allclose(model.coef_.to_numpy(), direct.coef_.ravel(), atol=1e-10)
    assert model.coef_.index.tolist() == list(X.columns)
    assert model.coef_["x0"] > 0
    assert (model.coef_[["x2", "x3", "x4", "x5"]] == 0).all()  # pure noise, shrunk to 0


def test_binary_models_refuse_time_to_event_y():
    X, _ = _data(n=50)
    y = Outcome.survival(np.arange(1.0, 51.0), np.arange(50) % 2)
    for model in (XGBoostRisk(), LassoRisk()):
        with pytest.raises(ValueError, match="needs a binary outcome"):
            model.fit(X, y.to_structured())


@pytest.mark.parametrize(
    ("model", "match"),
    [
        (XGBoostRisk(n_estimators=0), "'n_estimators' parameter of XGBoostRisk must be"),
        (XGBoostRisk(subsample=1.5), "'subsample' parameter of XGBoostRisk must be"),
        (LassoRisk(solver="lbfgs"), "'solver' parameter of LassoRisk must be"),
        (LassoRisk(cv=1), "'cv' parameter of LassoRisk must be"),
    ],
    ids=["xgb-trees", "xgb-subsample", "lasso-solver", "lasso-cv"],
)
def test_bad_parameters(model, match):
    X, y = _data(n=50)
    with pytest.raises(ValueError, match=match):
        model.fit(X, y)


def test_same_seed_same_numbers():
    X, y = _data()
    for make in (lambda: XGBoostRisk(random_state=4), lambda: LassoRisk(random_state=4)):
        np.testing.assert_array_equal(
            make().fit(X, y).predict_risk(X), make().fit(X, y).predict_risk(X)
        )


@pytest.mark.parametrize(
    "estimator",
    [
        XGBoostRisk(max_depth=2),
        LassoRisk(Cs=5),
        CoxPH(penalizer=0.1),
        FraminghamScore(units="mmol/L"),
        RiskPipeline([("model", XGBoostRisk())], horizon=365.0),
    ],
    ids=["xgboost", "lasso", "cox", "framingham", "pipeline"],
)
def test_clone_keeps_parameters(estimator):
    """Oracle: sklearn clone / get_params round trip."""
    cloned = clone(estimator)
    assert type(cloned) is type(estimator)
    params = cloned.get_params(deep=False)
    for key, value in estimator.get_params(deep=False).items():
        if key == "steps":
            assert [n for n, _ in params[key]] == [n for n, _ in value]
        else:
            assert params[key] == value


@pytest.mark.parametrize("Cs", [[0.05], [1.0], [20.0]])
def test_lasso_newton_solution_meets_the_optimality_conditions_to_rounding(Cs):
    """Oracle: the subgradient optimality (KKT) conditions of the L1 objective, to 1e-9.

    On full-rank data the polished Newton solution is the exact minimiser: each nonzero
    coefficient has gradient -sign(coef)/C, each zero one |gradient| <= 1/C, and the
    intercept's gradient is zero (relative to the penalty, to 1e-9)."""
    from scipy.special import expit

    X, y = _data(n=400, seed=5)
    model = LassoRisk(Cs=Cs, cv=3, random_state=0).fit(X, y)
    A = X.to_numpy()
    coef = model.coef_.to_numpy()
    residual = expit(A @ coef + model.intercept_) - y
    gradient, penalty = A.T @ residual, 1.0 / model.C_
    nonzero = coef != 0
    assert nonzero.any()
    tolerance = 1e-9 * max(1.0, penalty)
    np.testing.assert_allclose(
        gradient[nonzero], -np.sign(coef[nonzero]) * penalty, rtol=0, atol=tolerance
    )
    assert np.all(np.abs(gradient[~nonzero]) <= penalty + tolerance)
    assert abs(residual.sum()) <= tolerance
