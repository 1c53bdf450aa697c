"""LASSO solvers for LassoRisk (issue 15, item 1).

    python -m benchmarks.lasso_solvers yh        # young hypertension (306 evaluable rows)
    python -m benchmarks.lasso_solvers 56477     # the Frizzell-size registry, 30-day label
    python -m benchmarks.lasso_solvers 3000 --liblinear   # also liblinear (slow at weak penalties)

Same C grid, folds and AUC scoring as LassoRisk. For each solver: time, chosen C, the
largest difference in coefficients, risks and fold scores from the saga tol=1e-4 fit
(LassoRisk before issue 15), and the penalised objective at the chosen C, refitted
on all rows: ``mean log-loss + ||w||_1 / (C n)`` (lower is closer to the exact
optimum; saga at tol=1e-4 stops early on ill-conditioned data).
"""

import os
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
    return Xs.to_numpy(dtype=float), y


def objective(X, y, coef, intercept, C):
    """Mean logistic loss plus the L1 penalty, scikit-learn's objective divided by C n."""
    z = X @ np.ravel(coef) + float(np.ravel(intercept)[0])
    loss = np.mean(np.logaddexp(0.0, z) - y * z)
    return loss + np.abs(coef).sum() / (C * len(y))


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


def _scores(m):
    return np.asarray(m.scores_[1] if isinstance(m.scores_, dict) else m.scores_)


def _names(X):
    return [f"x{i}" for i in range(X.shape[1])]


def riskml_fit(X, y):
    """LassoRisk as shipped (the solver it uses now)."""
    import pandas as pd

    from riskml.models import LassoRisk

    frame = pd.DataFrame(X, columns=_names(X))
    t = time.perf_counter()
    m = LassoRisk(random_state=0).fit(frame, y)
    return m, time.perf_counter() - t


def main(names):
    for name in names:
        X, y = data(name)
        load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
        print(f"{name} X={X.shape} event rate {y.mean():.3f} load {load}", flush=True)
        ref, t = cvfit(X, y, "saga", 1e-4)
        C = float(np.ravel(ref.C_)[0])
        f_ref = objective(X, y, ref.coef_, ref.intercept_, C)
        print(
            f" saga tol=1e-4 {t:.1f}s C={C:.4g} iters={np.max(ref.n_iter_)} objective={f_ref:.10f}",
            flush=True,
        )
        m, t = riskml_fit(X, y)
        report("LassoRisk() (newton path)", t, m, ref, X, y, C, f_ref)
        candidates = [("saga", 1e-6, {"max_iter": 20000})]
        if "--liblinear" in sys.argv:
            candidates += [
                ("liblinear", 1e-4, {}),
                ("liblinear", 1e-6, {"intercept_scaling": 10.0}),
            ]
        for solver, tol, kw in candidates:
            label = f"{solver} tol={tol:g} {kw}"
            m, t = cvfit(X, y, solver, tol, **kw)
            report(label, t, m, ref, X, y, C, f_ref)


def report(label, t, m, ref, X, y, C, f_ref):
    import pandas as pd

    coef, risk = np.ravel(m.coef_), m.predict_proba(pd.DataFrame(X, columns=_names(X)))[:, 1]
    d = np.max(np.abs(coef - np.ravel(ref.coef_)))
    dp = np.max(np.abs(risk - ref.predict_proba(X)[:, 1]))
    scores = m.scores_ if isinstance(m.scores_, np.ndarray) and m.scores_.ndim == 2 else _scores(m)
    sc = np.max(np.abs(np.reshape(scores, -1) - np.reshape(_scores(ref), -1)))
    f = (
        objective(X, y, coef, m.intercept_, float(np.ravel(m.C_)[0]))
        if float(np.ravel(m.C_)[0]) == C
        else np.nan
    )
    load = os.getloadavg()[0]
    print(
        f" {label}: {t:.1f}s (load {load:.1f}) C={float(np.ravel(m.C_)[0]):.4g} dcoef={d:.2e} "
        f"drisk={dp:.2e} dscores={sc:.2e} objective-saga={f - f_ref:+.2e}",
        flush=True,
    )


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if not a.startswith("--")])
