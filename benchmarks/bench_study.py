"""The Frizzell-size study through riskml against the same design written by hand.

    python -m benchmarks study                 # n = 56,477 (both sides: about 15 minutes)
    python -m benchmarks study --n 10000       # a quicker look

Each side runs in a fresh process on the same rows (``make_hf_registry(n)``'s
patients with a known 30-day status): ``benchmarks/frizzell_by_hand.py`` and
``rk.Study`` with the same five models (logistic, LASSO, random forest of 300
trees with leaves of 20, XGBoost of 300 trees inside RFE to 20 columns in steps of
5, tree-augmented naive Bayes), 5 folds, 1,000 bootstrap replicates, SHAP of every
model on 1,000 rows, and the HTML report. Prints both wall times, their ratio, the
peak resident memory of each process (Linux ``VmHWM``; worker processes that
joblib starts are not included), riskml's ``StudyResult.timings`` and both AUC
tables, and before, between and after the sides the time of a fixed reference
workload (``host_reference_seconds``): on a shared machine the host's speed changes
from hour to hour, and a run's seconds scale with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def _peak_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def host_reference_seconds(repeat: int = 3) -> float:
    """Best of ``repeat`` timings of a fixed single-threaded workload (a decision tree on
    20,000 x 30 seeded random rows): how fast the host is now, so that runs of different
    hours on a shared machine can be compared (a run's seconds scale with it)."""
    import numpy as np
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_000, 30))
    y = (X[:, 0] + rng.normal(size=20_000) > 0).astype(int)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        DecisionTreeClassifier(min_samples_leaf=20, random_state=0).fit(X, y)
        best = min(best, time.perf_counter() - start)
    return best


def frizzell_models(seed: int = 2017) -> dict:
    """The design's five models as ``rk.Study`` takes them (the hand script's settings)."""
    from riskml.features import RecursiveFeatureElimination
    from riskml.models import XGBoostRisk, make_model

    xgb = dict(n_estimators=300, max_depth=4, learning_rate=0.05, random_state=seed)
    return {
        "logistic": "logistic",
        "lasso": "lasso",
        "random_forest": make_model(
            "random_forest", n_estimators=300, min_samples_leaf=20, random_state=seed
        ),
        "xgboost": make_model(
            "xgboost",
            selection=RecursiveFeatureElimination(
                estimator=XGBoostRisk(**xgb), n_features_to_select=20, step=5
            ),
            **xgb,
        ),
        "bayes_net": "bayes_net",
    }


def run_riskml(n: int, out: str, n_boot: int = 1000, seed: int = 2017) -> dict:
    import warnings

    import riskml as rk
    from benchmarks.frizzell_by_hand import registry_rows

    warnings.simplefilter("ignore")
    start = time.perf_counter()
    cohort, keep, _, label = registry_rows(n)
    sub = cohort.subset(keep)
    binary = rk.Cohort(sub.features, rk.Outcome.binary(label), sub.metadata)
    result = rk.Study(
        binary,
        models=frizzell_models(seed),
        validation=5,
        n_boot=n_boot,
        random_state=seed,
        reference="logistic",
        progress=False,
    ).run()
    result.report(out)
    seconds = time.perf_counter() - start
    table = result.summary[result.summary["metric"] == "auc"][["model", "estimate", "low", "high"]]
    return {
        "seconds": seconds,
        "timings": result.timings,
        "auc": table.to_dict("records"),
    }


def _child(side: str, n: int, n_boot: int) -> dict:
    command = [sys.executable, "-m", "benchmarks.bench_study", "--_side", side, "--n", str(n)]
    command += ["--n-boot", str(n_boot)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks study", description=__doc__)
    parser.add_argument("--n", type=int, default=56477)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--_side", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # each side writes its report into a fresh temporary folder (never the working tree)
    scratch = tempfile.TemporaryDirectory(prefix="riskml-bench-")
    if args._side == "riskml":
        result = run_riskml(args.n, os.path.join(scratch.name, "study_riskml.html"), args.n_boot)
    elif args._side == "by_hand":
        from benchmarks.frizzell_by_hand import run

        start = time.perf_counter()
        result = run(args.n, os.path.join(scratch.name, "study_by_hand.html"), args.n_boot)
        result["seconds"] = time.perf_counter() - start
    scratch.cleanup()
    if args._side:
        result["peak_mib"] = _peak_mib()
        result["host_reference_seconds"] = host_reference_seconds()
        print(json.dumps(result, default=float))
        return
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"n = {args.n:,}, {os.cpu_count()} CPUs, load average before {load}", flush=True)
    print(f"host reference workload: {host_reference_seconds():.3f} s", flush=True)
    ours = _child("riskml", args.n, args.n_boot)
    print(f"riskml Study: {ours['seconds']:.1f} s, peak {ours['peak_mib']:.0f} MiB", flush=True)
    print("  timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in ours["timings"].items()))
    for row in ours["auc"]:
        print(
            f"  {row['model']:14s} AUC {row['estimate']:.4f} ({row['low']:.4f}-{row['high']:.4f})"
        )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"load average {load}", flush=True)
    print(f"host reference workload: {host_reference_seconds():.3f} s", flush=True)
    theirs = _child("by_hand", args.n, args.n_boot)
    print(f"by hand: {theirs['seconds']:.1f} s, peak {theirs['peak_mib']:.0f} MiB")
    print("  timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in theirs["times"].items()))
    for row in theirs["rows"]:
        print(f"  {row['model']:14s} AUC {row['auc']:.4f} ({row['low']:.4f}-{row['high']:.4f})")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"ratio by hand / riskml: {theirs['seconds'] / ours['seconds']:.2f}x (load {load})")
    print(f"host reference workload: {host_reference_seconds():.3f} s")


if __name__ == "__main__":
    main()
