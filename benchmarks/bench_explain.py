"""Time SHAP explanations of the five Frizzell models on a heart-failure registry cohort.

Run from the repository root::

    python -m benchmarks.bench_explain                 # n = 56,477, 1,000 rows explained
    python -m benchmarks.bench_explain --n 20000       # a smaller cohort

The cohort is :func:`riskml.cohorts.make_hf_registry` (the size of Frizzell et al.
2017); the registry pipelines ``logistic``, ``lasso``, ``random_forest``,
``xgboost`` and ``bayes_net`` (:func:`riskml.models.make_model`) are fitted on all of
it (fits are not timed), then :func:`riskml.explain.explain_pipeline` explains
``--rows`` rows with the whole cohort as background, ``n_jobs=--jobs``.

The random forest (500 trees, leaves of 5) is the costly one; the options timed for it:

- ``exact``: riskml's TreeSHAP kernel over every tree, timed on ``--exact-rows`` rows
  and extrapolated (its cost is linear in the rows);
- ``shap``: ``shap.TreeExplainer`` (single-threaded), timed on a few rows and
  extrapolated;
- ``max_trees=K``: TreeSHAP on a seeded random K of the trees with the efficiency
  adjustment (exactly additive); its precision is the mean and 95th percentile of
  |estimate - exact| over the ``--exact-rows`` rows, in probability points, and
  the mean of the reported standard errors.

The total for the target is the four other models plus the forest with the
largest ``max_trees`` that fits the budget (``--budget`` seconds).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np


def _seconds(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_explain",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--n", type=int, default=56477, help="patients in the cohort")
    parser.add_argument("--rows", type=int, default=1000, help="rows explained")
    parser.add_argument("--jobs", type=int, default=2, help="n_jobs of explain_pipeline")
    parser.add_argument("--exact-rows", type=int, default=20, help="rows for exact forest timing")
    parser.add_argument("--max-trees", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--forest-only", action="store_true", help="fit and explain only the random forest"
    )
    args = parser.parse_args(argv)

    import shap

    from riskml.cohorts import make_hf_registry
    from riskml.explain import explain_pipeline
    from riskml.models import make_model

    warnings.simplefilter("ignore")
    cohort = make_hf_registry(n_patients=args.n, random_state=args.seed)
    X, y = cohort.features, cohort.outcome
    print(
        f"# {platform.python_version()}, {os.cpu_count()} CPUs, n = {len(X):,} patients x "
        f"{X.shape[1]} columns, {args.rows:,} rows explained, n_jobs = {args.jobs}"
    )
    fitted = {}
    names = ("logistic", "lasso", "random_forest", "xgboost", "bayes_net")
    others = () if args.forest_only else tuple(n for n in names if n != "random_forest")
    for name in ("random_forest", *others):
        seconds, fitted[name] = _seconds(
            lambda name=name: make_model(name, horizon=cohort.horizon).fit(X, y)
        )
        print(f"fit {name:14s} {seconds:7.1f} s (not counted)")

    # numba compiles the tree kernel once per machine (cached on disk): warm it up
    explain_pipeline(fitted["random_forest"], X.iloc[:2], background=X, max_trees=1)

    times = {}
    print("\n| model | method | rows | seconds | note |\n|---|---|---:|---:|---|")
    for name in others:
        seconds, explanation = _seconds(
            lambda name=name: explain_pipeline(
                fitted[name], X, rows=args.rows, background=X, n_jobs=args.jobs
            )
        )
        times[name] = seconds
        print(f"| {name} | {explanation.method} | {args.rows} | {seconds:.2f} | |")

    forest = fitted["random_forest"]
    k = args.exact_rows
    rows = np.sort(np.random.default_rng(args.seed).choice(len(X), size=k, replace=False))
    seconds, exact = _seconds(
        lambda: explain_pipeline(forest, X, rows=rows, background=X, n_jobs=args.jobs)
    )
    per_row = seconds / k
    print(
        f"| random_forest | exact, riskml kernel | {k} | {seconds:.2f} | "
        f"{per_row * args.rows:.0f} s for {args.rows} rows (extrapolated) |"
    )
    Xt = forest[0].transform(X.iloc[rows[:3]]).to_numpy(dtype=float)
    seconds_shap, _ = _seconds(lambda: shap.TreeExplainer(forest[-1].model_).shap_values(Xt))
    print(
        f"| random_forest | exact, shap.TreeExplainer (1 thread) | 3 | {seconds_shap:.2f} | "
        f"{seconds_shap / 3 * args.rows:.0f} s for {args.rows} rows (extrapolated) |"
    )
    best = None
    for m in args.max_trees:
        sampled = explain_pipeline(
            forest, X, rows=rows, background=X, max_trees=m, n_jobs=args.jobs
        )
        estimate = sampled.transformed_values.to_numpy()
        truth = exact.transformed_values.to_numpy()
        error = np.abs(estimate - truth)
        # faithfulness: correlation of all values, and of each row's values with the exact ones
        r_all = np.corrcoef(estimate.ravel(), truth.ravel())[0, 1]
        r_rows = [np.corrcoef(a, b)[0, 1] for a, b in zip(estimate, truth, strict=True)]
        top = np.argsort(-np.abs(truth), axis=1)[:, :5]
        same_top = np.mean(
            [
                len(set(t) & set(np.argsort(-np.abs(e))[:5])) / 5
                for t, e in zip(top, estimate, strict=True)
            ]
        )
        seconds, _ = _seconds(
            lambda m=m: explain_pipeline(
                forest, X, rows=args.rows, background=X, max_trees=m, n_jobs=args.jobs
            )
        )
        se = float(np.nanmean(sampled.standard_errors.to_numpy()))
        print(
            f"| random_forest | max_trees={m} | {args.rows} | {seconds:.2f} | "
            f"|error| mean {error.mean():.5f}, p95 {np.percentile(error, 95):.5f}, "
            f"max {error.max():.4f} (probability); mean SE {se:.5f}; r {r_all:.3f} "
            f"(per row min {min(r_rows):.3f}); top-5 overlap {same_top:.2f} |"
        )
        total = sum(times.values()) + seconds
        if total <= args.budget:
            best = (m, total)
    others = sum(times.values())
    print(f"\nfour models other than the forest: {others:.1f} s")
    if best:
        print(
            f"total with the forest at max_trees={best[0]}: {best[1]:.1f} s (budget {args.budget} s)"
        )
    else:
        print(f"no max_trees option fits the {args.budget} s budget")


if __name__ == "__main__":
    main()
