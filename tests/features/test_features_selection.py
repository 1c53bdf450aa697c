"""Tests of riskml.features.RecursiveFeatureElimination and the C-statistic scorer.

Oracles: sklearn.metrics.roc_auc_score; a brute-force O(n^2) Harrell's C; the
simulation design (which columns carry signal); and, for leakage, the chance level
0.5 of an outcome independent of every feature.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from xgboost import XGBClassifier

from riskml import Outcome
from riskml.features import RecursiveFeatureElimination, c_statistic, make_preprocessor
from riskml.models import RiskPipeline, XGBoostRisk


def _data(n=300, p=20, seed=0, signal=("x0", "x1", "x2")):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"x{i}" for i in range(p)])
    lp = sum(1.2 * X[c] for c in signal)
    y_binary = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    time = rng.exponential(365 * np.exp(-lp))
    censor = rng.uniform(0, 800, n)
    y_surv = Outcome.survival(np.minimum(time, censor), time <= censor)
    return X, y_binary, y_surv


def _harrell_brute_force(time, event, risk):
    """O(n^2) Harrell's C: pairs (i, j) with t_i < t_j and event_i; ties in risk = 1/2."""
    concordant = comparable = 0.0
    for i in range(len(time)):
        if not event[i]:
            continue
        for j in range(len(time)):
            if time[i] < time[j]:
                comparable += 1
                concordant += 1.0 if risk[i] > risk[j] else 0.5 if risk[i] == risk[j] else 0.0
    return concordant / comparable


def test_c_statistic_matches_oracles():
    """Oracles: roc_auc_score (binary) and brute-force Harrell's C (no tied times)."""
    rng = np.random.default_rng(1)
    risk = np.round(rng.normal(size=80), 1)  # ties in risk
    event = rng.random(80) < 0.5
    time = rng.permutation(np.arange(1.0, 81.0))
    assert c_statistic(event.astype(int), risk) == pytest.approx(roc_auc_score(event, risk))
    y = Outcome.survival(time, event)
    assert c_statistic(y, risk) == pytest.approx(_harrell_brute_force(time, event, risk), abs=1e-12)


def test_forced_size_returns_that_many_names():
    """Oracle: the requested size (Wu 2020 kept 11); transform keeps those columns."""
    X, y, _ = _data()
    selector = RecursiveFeatureElimination(n_features_to_select=11, step=3, random_state=0)
    Xs = selector.fit(X, y).transform(X)
    assert len(selector.selected_features_) == 11
    assert isinstance(Xs, pd.DataFrame)
    assert Xs.columns.tolist() == selector.selected_features_
    assert list(selector.get_feature_names_out()) == selector.selected_features_
    assert selector.cv_scores_ is None
    assert (selector.ranking_[selector.support_] == 1).all()
    assert {"x0", "x1", "x2"} <= set(selector.selected_features_)


def test_survival_outcome_ranks_with_xgboost_cox():
    """Oracle: the simulation; only x0-x2 drive the hazard, so they are kept."""
    X, _, y = _data(seed=2)
    selector = RecursiveFeatureElimination(n_features_to_select=3, step=4, random_state=0)
    selector.fit(X, y.to_structured())
    assert sorted(selector.selected_features_) == ["x0", "x1", "x2"]
    # an Outcome is accepted as well, with the same result
    again = clone(selector).fit(X, y)
    assert again.selected_features_ == selector.selected_features_


def test_cross_validated_size_uses_the_c_statistic():
    """Oracle: the chosen size is the argmax of the recorded mean CV C-statistic."""
    X, y, _ = _data(p=8)
    selector = RecursiveFeatureElimination(step=1, cv=3, random_state=0).fit(X, y)
    scores = selector.cv_scores_
    assert scores.index.tolist() == list(range(1, 9))
    assert len(selector.selected_features_) == scores.idxmax()
    assert 0.5 < scores.max() <= 1.0


def test_user_estimator_with_coef_and_arrays():
    """Oracle: the simulation; a logistic ranker on a bare array keeps x0-x2 (as x0..x2)."""
    X, y, _ = _data(p=10, seed=3)
    selector = RecursiveFeatureElimination(
        estimator=LogisticRegression(), n_features_to_select=3
    ).fit(X.to_numpy(), y)
    assert selector.selected_features_ == ["x0", "x1", "x2"]
    assert selector.transform(X.to_numpy()).columns.tolist() == ["x0", "x1", "x2"]


def test_reproducible_with_same_seed():
    X, _, y = _data(n=150, p=6, seed=4)
    make = RecursiveFeatureElimination(cv=3, step=2, random_state=7)
    first = clone(make).fit(X, y)
    second = clone(make).fit(X, y)
    pd.testing.assert_series_equal(first.cv_scores_, second.cv_scores_)


def test_bad_parameters_and_columns():
    X, y, _ = _data(p=5)
    with pytest.raises(ValueError, match="'n_features_to_select' parameter of"):
        RecursiveFeatureElimination(n_features_to_select=0).fit(X, y)
    selector = RecursiveFeatureElimination(n_features_to_select=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X lacks 1 selected column"):
        selector.transform(X.drop(columns=selector.selected_features_[0]))
    with pytest.raises(ValueError, match="X must have 5 columns as in fit"):
        selector.transform(np.zeros((2, 3)))


def _oof_auc(make_pipeline, X, y, seed=0):
    """Out-of-fold AUC of a pipeline cloned and fitted in each of 5 stratified folds."""
    risk = np.empty(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y):
        model = make_pipeline().fit(X.iloc[train], y[train])
        risk[test] = model.predict_risk(X.iloc[test])
    return roc_auc_score(y, risk)


def test_selection_inside_the_pipeline_does_not_leak():
    """Oracle: chance (AUC 0.5) for an outcome independent of 50 noise features.

    Selecting on the whole cohort before cross-validation (the leaky design) is
    shown to inflate the AUC on the same data, so the check has power.
    """
    rng = np.random.default_rng(11)
    X = pd.DataFrame(rng.normal(size=(300, 50)), columns=[f"n{i}" for i in range(50)])
    y = (rng.random(300) < 0.5).astype(int)
    small = {"n_estimators": 50, "random_state": 0}
    ranker = XGBClassifier(n_estimators=30, max_depth=3, n_jobs=1, random_state=0)

    def selector():
        return RecursiveFeatureElimination(estimator=ranker, n_features_to_select=5, step=0.2)

    def safe():
        return RiskPipeline(
            [
                ("prep", make_preprocessor(scale=False)),
                ("select", selector()),
                ("model", XGBoostRisk(**small)),
            ]
        )

    auc_safe = _oof_auc(safe, X, y)
    assert abs(auc_safe - 0.5) < 0.1

    chosen = selector().fit(X, y).selected_features_
    auc_leaky = _oof_auc(lambda: RiskPipeline([("model", XGBoostRisk(**small))]), X[chosen], y)
    assert auc_leaky > auc_safe + 0.05


def test_rfe_ranks_survival_models_by_coef_with_a_score_curve():
    """Oracles: the simulation (x0-x2 drive the hazard) and the curve's argmax.

    CoxPH exposes ``coef_``; RFECV sizes the model by the cross-validated
    Harrell's C, recorded per step in ``cv_scores_`` (step given as a fraction).
    """
    from riskml.models import CoxPH

    X, _, y = _data(n=200, p=6, seed=5)
    forced = RecursiveFeatureElimination(estimator=CoxPH(penalizer=0.01), n_features_to_select=3)
    assert sorted(forced.fit(X, y).selected_features_) == ["x0", "x1", "x2"]
    curve = RecursiveFeatureElimination(estimator="cox", step=0.5, cv=3, random_state=0).fit(X, y)
    scores = curve.cv_scores_
    assert scores.index.tolist() == [1, 3, 6]  # 6 -> 3 -> 1 with step=0.5
    assert len(curve.selected_features_) == scores.idxmax()
    assert 0.6 < scores.max() <= 1.0


def test_named_ranking_estimators():
    """Oracle: the registry's bare models; a wrong name lists the valid ones."""
    X, y, ys = _data(n=150, p=5, seed=6)
    selector = RecursiveFeatureElimination(estimator="xgboost", n_features_to_select=2)
    selector.fit(X, ys)
    assert type(selector.selector_.estimator).__name__ == "XGBoostSurvival"
    selector = RecursiveFeatureElimination(estimator="logistic", n_features_to_select=2).fit(X, y)
    assert type(selector.selector_.estimator).__name__ == "LogisticRisk"
    with pytest.raises(ValueError, match=r"unknown ranking estimator 'tabnet'; choose one of \["):
        RecursiveFeatureElimination(estimator="tabnet").fit(X, y)
    with pytest.raises(ValueError, match=r"model 'svm' cannot rank features: its fitted model"):
        RecursiveFeatureElimination(estimator="svm").fit(X, y)


@pytest.mark.parametrize(
    "name", ["decision_tree", "adaboost", "random_forest", "lasso", "logistic", "ridge"]
)
def test_every_binary_ranking_name_ranks(name):
    """Oracle: the simulation (x0-x2 carry the signal, x3-x5 are noise).

    Every binary model that ranking_estimator accepts exposes importances or
    coefficients after fit, and RFE to 3 keeps at least two of the three signals.
    """
    X, y, _ = _data(n=300, p=6, seed=7)
    selector = RecursiveFeatureElimination(estimator=name, n_features_to_select=3).fit(X, y)
    assert len(set(selector.selected_features_) & {"x0", "x1", "x2"}) >= 2


def test_make_model_resolves_a_named_ranking_estimator():
    """Oracle: make_model builds the selector with an estimator object, the survival
    model before a time-to-event model and the binary one before a binary model."""
    from riskml.models import LogisticRisk, XGBoostRisk, XGBoostSurvival, make_model

    rfe = RecursiveFeatureElimination(estimator="xgboost", n_features_to_select=2)
    before_cox = make_model("cox", selection=rfe, horizon=365.0, random_state=4)
    assert isinstance(before_cox.named_steps["select"].estimator, XGBoostSurvival)
    assert before_cox.named_steps["select"].estimator.random_state == 4
    before_knn = make_model("knn", selection=rfe, horizon=365.0)
    assert isinstance(before_knn.named_steps["select"].estimator, XGBoostRisk)
    assert rfe.estimator == "xgboost"  # the user's selector is left as given
    logistic = RecursiveFeatureElimination(estimator="logistic", n_features_to_select=2)
    pipe = make_model("svm", selection=logistic)
    assert isinstance(pipe.named_steps["select"].estimator, LogisticRisk)
    X, y, ys = _data(n=150, p=5, seed=6)
    before_cox.fit(X, ys)
    assert len(before_cox.named_steps["select"].selected_features_) == 2


def test_a_named_estimator_without_the_models_layer_says_the_one_line_fix(monkeypatch):
    """Oracle: the resolver hook. Until riskml.models is imported no family is known, and
    the error names the fix; riskml.models installs ranking_estimator as the resolver."""
    import riskml.features._rankers as rankers
    from riskml.models import ranking_estimator

    assert rankers._resolver is ranking_estimator
    monkeypatch.setattr(rankers, "_resolver", None)
    X, y, _ = _data(n=60, p=4, seed=1)
    with pytest.raises(ValueError, match=r"Add `import riskml.models` before fitting"):
        RecursiveFeatureElimination(estimator="xgboost", n_features_to_select=2).fit(X, y)


def test_features_imports_nothing_from_models():
    """Oracle: the import statements of riskml/features (Python's ast).

    No module of features imports riskml.models, even inside a function (the
    features -> models -> features cycle; models installs the resolver of family
    names instead), and none imports a private module of another riskml package.
    """
    import ast
    from pathlib import Path

    import riskml.features

    for path in Path(riskml.features.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            module = "." * node.level + (node.module or "")
            assert "models" not in module, f"{path.name}: {module}"
            if module.startswith("..") or module.startswith("riskml."):
                parts = module.lstrip(".").split(".") + [a.name for a in node.names]
                assert not any(p.startswith("_") for p in parts), f"{path.name}: {module}"


def test_noise_selection_then_any_model_stays_at_chance():
    """Oracle: chance. 50 pure-noise features, an outcome independent of them, n=600.

    Information gain or RFE inside the pipeline, followed by each model family,
    gives a 5-fold cross-validated AUC (Harrell's C for the survival model) within
    0.5 +/- 0.05 (riskml.evaluation.cross_val_predict_risk refits everything per
    fold). The null SD of an AUC at n=600 with 50% events is about 0.024.
    """
    from riskml.evaluation import cross_val_predict_risk
    from riskml.features import InformationGain
    from riskml.models import (
        BayesNetRisk,
        CoxPH,
        LogisticRisk,
        RandomForestRisk,
    )

    rng = np.random.default_rng(2024)
    n = 600
    X = pd.DataFrame(rng.normal(size=(n, 50)), columns=[f"n{i}" for i in range(50)])
    y = (rng.random(n) < 0.5).astype(int)
    time = rng.exponential(500.0, n)
    y_surv = Outcome.survival(np.minimum(time, 700.0), time <= 700.0)
    ranker = XGBClassifier(n_estimators=30, max_depth=3, n_jobs=1, random_state=0)

    def pipe(select, model, scale=False, impute=True):
        return RiskPipeline(
            [
                ("prep", make_preprocessor(scale=scale, impute=impute)),
                ("select", select),
                ("model", model),
            ]
        )

    binary = {
        "infogain+xgboost": pipe(InformationGain(top_k=5), XGBoostRisk(n_estimators=50)),
        "infogain+bayes_net": pipe(
            InformationGain(top_k=5), BayesNetRisk(structure="tan"), impute=False
        ),
        "rfe+logistic": pipe(
            RecursiveFeatureElimination(estimator=LogisticRisk(), n_features_to_select=5, step=0.2),
            LogisticRisk(),
            scale=True,
        ),
        "rfe+random_forest": pipe(
            RecursiveFeatureElimination(estimator=ranker, n_features_to_select=5, step=0.2),
            RandomForestRisk(n_estimators=100),
        ),
    }
    for name, model in binary.items():
        risk = cross_val_predict_risk(model, X, y, cv=5, random_state=0)
        assert abs(roc_auc_score(y, risk) - 0.5) < 0.05, name
    survival = pipe(InformationGain(top_k=5, horizon=365.0), CoxPH(penalizer=0.01), scale=True)
    risk = cross_val_predict_risk(survival, X, y_surv, cv=5, random_state=0)
    assert abs(c_statistic(y_surv, risk) - 0.5) < 0.05


class _CountingLogistic(LogisticRegression):
    """LogisticRegression recording the width of each fit (a class attribute: clones share it)."""

    fits: list = []

    def fit(self, X, y, **params):
        _CountingLogistic.fits.append(np.shape(X)[1])
        return super().fit(X, y, **params)


@pytest.mark.parametrize(
    ("estimator", "n_select", "step", "outcome"),
    [
        (None, 11, 3, "binary"),
        (None, 0.3, 0.2, "binary"),
        (None, 5, 1, "survival"),
        (LogisticRegression(C=0.1), 4, 2, "binary"),
        (LogisticRegression(C=0.1), 25, 1, "binary"),  # more than there are: keeps all
    ],
    ids=["xgboost-int", "xgboost-fractions", "xgboost-cox", "coef", "too-many"],
)
def test_forced_size_equals_sklearn_rfe(estimator, n_select, step, outcome):
    """Oracle: sklearn.feature_selection.RFE (support_ and ranking_) with the same estimator."""
    from sklearn.feature_selection import RFE

    from riskml.features._selection import _default_estimator

    X, y_binary, y_surv = _data(seed=3)
    y = y_binary if outcome == "binary" else y_surv
    ours = RecursiveFeatureElimination(
        estimator=estimator, n_features_to_select=n_select, step=step, random_state=0
    )
    if n_select == 25:
        with pytest.warns(UserWarning, match="n_features_to_select=25 > n_features=20"):
            ours.fit(X, y)
    else:
        ours.fit(X, y)
    ranker = _default_estimator(outcome == "survival", 0) if estimator is None else estimator
    y_fit = y if outcome == "binary" else y_surv.to_y()
    oracle = RFE(clone(ranker), n_features_to_select=n_select, step=step).fit(X.to_numpy(), y_fit)
    np.testing.assert_array_equal(ours.support_, oracle.support_)
    np.testing.assert_array_equal(ours.ranking_, oracle.ranking_)
    assert ours.selector_.n_features_ == oracle.n_features_
    np.testing.assert_array_equal(ours.transform(X).to_numpy(), oracle.transform(X.to_numpy()))


def test_forced_size_skips_the_final_refit_inside_a_pipeline():
    """Oracle: sklearn's RFE fits the ranking model once per elimination step plus once on the
    kept columns; the selector fits it once per step only, and the pipeline's predictions equal
    those of sklearn's RFE followed by the same model."""
    from sklearn.feature_selection import RFE

    X, y, _ = _data(seed=4)
    selector = RecursiveFeatureElimination(
        estimator=_CountingLogistic(C=0.5), n_features_to_select=5, step=4
    )
    pipe = RiskPipeline([("select", selector), ("model", XGBoostRisk(n_estimators=30))])
    _CountingLogistic.fits = []
    risk = pipe.fit(X, y).predict_risk(X)
    assert _CountingLogistic.fits == [20, 16, 12, 8]
    _CountingLogistic.fits = []
    oracle = RFE(_CountingLogistic(C=0.5), n_features_to_select=5, step=4)
    oracle.fit(X.to_numpy(), y)
    assert _CountingLogistic.fits == [20, 16, 12, 8, 5]  # four steps, then the final fit
    model = XGBoostRisk(n_estimators=30).fit(X.loc[:, oracle.support_], y)
    np.testing.assert_array_equal(risk, model.predict_risk(X.loc[:, oracle.support_]))
