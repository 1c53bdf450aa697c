"""The Frizzell 2017 design written by hand with scikit-learn, xgboost, statsmodels and shap.

    python -m benchmarks.frizzell_by_hand --n 56477 --out frizzell_by_hand.html

What a careful user scripts today (``/work/shared/reference/frizzell_baseline.md``):
5-fold stratified CV of an unpenalised logistic regression, LASSO
(``LogisticRegressionCV``, liblinear), a random forest (300 trees, leaves of 20) and
XGBoost inside scikit-learn's ``RFE`` (20 columns, step 5), each in a
``Pipeline`` of median imputation, scaling and one-hot encoding fitted per fold; the
tree-augmented naive Bayes model is riskml's ``bayes_net`` pipeline (no permissively
licensed TAN library is used here: pgmpy's prediction alone took 109-131 s); a
1,000-replicate bootstrap of the AUCs with paired differences from logistic
regression, one ``roc_auc_score`` call per model and replicate; calibration slope and
calibration-in-the-large by statsmodels GLMs; the random forest and XGBoost refitted
on every row and explained by ``shap.TreeExplainer`` on 1,000 rows; one HTML file
with the table and base64 figures. The rows are ``make_hf_registry(n)``'s patients
with a known 30-day status, the same rows ``benchmarks.bench_study`` gives riskml.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import time
import warnings

import numpy as np


def registry_rows(n: int, seed: int = 0):
    """The features and 30-day labels of the evaluable patients of ``make_hf_registry(n)``."""
    from riskml.cohorts import make_hf_registry

    cohort = make_hf_registry(n, random_state=seed)
    label = cohort.outcome.at_horizon(30)
    keep = ~np.isnan(label)
    return cohort, keep, cohort.features.loc[keep, cohort.predictors], label[keep].astype(int)


def _figure(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def run(n: int, out: str, n_boot: int = 1000, shap_rows: int = 1000, seed: int = 2017) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import shap
    import statsmodels.api as sm
    from scipy.special import logit
    from sklearn.base import clone
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.feature_selection import RFE
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.metrics import roc_auc_score, roc_curve
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from xgboost import XGBClassifier

    from riskml.models import make_model

    warnings.simplefilter("ignore")
    times = {}
    start = time.perf_counter()
    _, _, X, y = registry_rows(n)
    categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    numeric = [c for c in X.columns if c not in categorical]

    def prep(scale=True):
        steps = [SimpleImputer(strategy="median")] + ([StandardScaler()] if scale else [])
        return ColumnTransformer(
            [
                ("num", make_pipeline(*steps), numeric),
                (
                    "cat",
                    make_pipeline(
                        SimpleImputer(strategy="most_frequent"),
                        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                    ),
                    categorical,
                ),
            ]
        )

    xgb = XGBClassifier(
        n_estimators=300,
        tree_method="hist",
        max_depth=4,
        learning_rate=0.05,
        subsample=0.8,
        colsample_bytree=0.8,
        n_jobs=2,
        random_state=seed,
    )
    models = {
        "logistic": Pipeline(
            [("prep", prep()), ("m", LogisticRegression(C=np.inf, max_iter=1000))]
        ),
        "lasso": Pipeline(
            [
                ("prep", prep()),
                (
                    "m",
                    LogisticRegressionCV(
                        Cs=10,
                        cv=StratifiedKFold(5),
                        l1_ratios=[1.0],
                        solver="liblinear",
                        scoring="roc_auc",
                        n_jobs=2,
                        use_legacy_attributes=False,
                    ),
                ),
            ]
        ),
        "random_forest": Pipeline(
            [
                ("prep", prep(scale=False)),
                (
                    "m",
                    RandomForestClassifier(300, min_samples_leaf=20, n_jobs=2, random_state=seed),
                ),
            ]
        ),
        "xgboost": Pipeline(
            [("prep", prep(scale=False)), ("m", RFE(xgb, n_features_to_select=20, step=5))]
        ),
        "bayes_net": make_model("bayes_net"),
    }
    times["load"] = time.perf_counter() - start

    oof = {name: np.zeros(len(y)) for name in models}
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    for name, model in models.items():
        start = time.perf_counter()
        for train, test in folds.split(X, y):
            fitted = clone(model).fit(X.iloc[train], y[train])
            if name == "bayes_net":
                oof[name][test] = fitted.predict_risk(X.iloc[test])
            else:
                oof[name][test] = fitted.predict_proba(X.iloc[test])[:, 1]
        times[f"cv {name}"] = time.perf_counter() - start

    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    boot = {name: np.empty(n_boot) for name in models}
    for b in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        for name in models:
            boot[name][b] = roc_auc_score(y[idx], oof[name][idx])
    rows = []
    for name in models:
        diff = boot[name] - boot["logistic"]
        rows.append(
            {
                "model": name,
                "auc": roc_auc_score(y, oof[name]),
                "low": np.percentile(boot[name], 2.5),
                "high": np.percentile(boot[name], 97.5),
                "diff_vs_logistic": roc_auc_score(y, oof[name]) - roc_auc_score(y, oof["logistic"]),
                "diff_low": np.percentile(diff, 2.5),
                "diff_high": np.percentile(diff, 97.5),
            }
        )
    times["bootstrap"] = time.perf_counter() - start

    start = time.perf_counter()
    for row in rows:
        lp = logit(np.clip(oof[row["model"]], 1e-8, 1 - 1e-8))
        slope = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit()
        citl = sm.GLM(y, np.ones_like(lp), family=sm.families.Binomial(), offset=lp).fit()
        row["slope"], row["citl"] = float(slope.params[1]), float(citl.params[0])
    times["calibration"] = time.perf_counter() - start

    start = time.perf_counter()
    shap_at = np.random.default_rng(seed).choice(len(y), size=min(shap_rows, len(y)), replace=False)
    figures = []
    for name in ("xgboost", "random_forest"):
        final = clone(models[name]).fit(X, y)
        Xt = final[0].transform(X.iloc[shap_at])
        model = final[-1]
        if name == "xgboost":
            Xt, model = Xt[:, model.support_], model.estimator_
        values = shap.TreeExplainer(model).shap_values(Xt)
        values = values[..., 1] if np.ndim(values) == 3 else values
        shap.summary_plot(values, Xt, show=False)
        figures.append((f"SHAP {name}", _figure(plt.gcf())))
        plt.close("all")
        times[f"refit+shap {name}"] = time.perf_counter() - start
        start = time.perf_counter()

    start = time.perf_counter()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for name in models:
        fpr, tpr, _ = roc_curve(y, oof[name])
        ax1.plot(fpr, tpr, label=name)
        bins = pd.qcut(oof[name], 10, duplicates="drop")
        grouped = pd.DataFrame({"p": oof[name], "y": y}).groupby(bins, observed=True).mean()
        ax2.plot(grouped["p"], grouped["y"], marker="o", label=name)
    ax1.legend()
    ax2.plot([0, 0.5], [0, 0.5], "k:")
    figures.insert(0, ("ROC and calibration", _figure(fig)))
    plt.close("all")
    table = pd.DataFrame(rows).round(4).to_html(index=False)
    images = "".join(f"<h2>{t}</h2><img src='data:image/png;base64,{b}'>" for t, b in figures)
    with open(out, "w") as handle:
        handle.write(f"<html><body><h1>Frizzell design, by hand</h1>{table}{images}</body></html>")
    times["report"] = time.perf_counter() - start
    return {"rows": rows, "times": times}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.frizzell_by_hand")
    parser.add_argument("--n", type=int, default=56477)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--shap-rows", type=int, default=1000)
    parser.add_argument("--out", default="frizzell_by_hand.html")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    result = run(args.n, args.out, args.n_boot, args.shap_rows)
    result["seconds"] = time.perf_counter() - start
    print(json.dumps(result, default=float))


if __name__ == "__main__":
    main()
