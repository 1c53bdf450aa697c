"""LASSO solvers against the saga reference of LassoRisk (issue 15, item 1).

    python -m benchmarks.lasso_solvers yh 3000   # young hypertension; 3000 registry rows

Same C grid, folds and AUC scoring as LassoRisk; prints time, chosen C and the largest
difference in coefficients, risks and fold scores from saga at tol=1e-4.
"""

import sys
import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold

import riskml as rk
from riskml.features import make_preprocessor

warnings.simplefilter("ignore")


def data(name):
    if name == "yh":
        c = rk.cohorts.make_young_hypertension(random_state=0)
        h = c.horizon
    else:
        c = rk.cohorts.make_hf_registry(int(name), random_state=0)
        h = 30
    X = c.features[c.predictors]
    y = c.outcome.at_horizon(h)
    keep = ~np.isnan(y)
    X, y = X[keep], y[keep].astype(int)
    Xs = make_preprocessor(scale=True).fit_transform(X, y)
    return Xs, y


def cvfit(X, y, solver, tol, **kw):
    t = time.perf_counter()
    m = LogisticRegressionCV(
        Cs=10,
        l1_ratios=(1.0,),
        solver=solver,
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
        scoring="roc_auc",
        max_iter=kw.pop("max_iter", 5000),
        tol=tol,
        random_state=0,
        use_legacy_attributes=False,
        **kw,
    ).fit(X, y)
    return m, time.perf_counter() - t


for name in sys.argv[1:]:
    X, y = data(name)
    print(name, X.shape, y.mean(), flush=True)
    ref, t = cvfit(X, y, "saga", 1e-4)
    print(f" saga tol1e-4 {t:.1f}s C={ref.C_} iters={np.max(ref.n_iter_)}", flush=True)
    for solver, tol, kw in [
        ("liblinear", 1e-4, {}),
        ("liblinear", 1e-4, {"intercept_scaling": 1e4}),
        ("liblinear", 1e-8, {"intercept_scaling": 1e4}),
        ("saga", 1e-8, {"max_iter": 100000}),
    ]:
        m, t = cvfit(X, y, solver, tol, **kw)
        d = np.max(np.abs(m.coef_ - ref.coef_))
        dp = np.max(np.abs(m.predict_proba(X)[:, 1] - ref.predict_proba(X)[:, 1]))
        sc = np.max(
            np.abs(
                np.asarray(m.scores_[1] if isinstance(m.scores_, dict) else m.scores_)
                - np.asarray(ref.scores_[1] if isinstance(ref.scores_, dict) else ref.scores_)
            )
        )
        print(
            f" {solver} tol={tol} {kw} {t:.1f}s C={m.C_} dcoef={d:.2e} dpred={dp:.2e} dscores={sc:.2e} b={m.intercept_} vs {ref.intercept_}",
            flush=True,
        )
