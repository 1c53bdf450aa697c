"""Bootstrap internal validation with stability of the Wu design: riskml against a loop
written by hand that makes the same fits on the same draws.

    python -m benchmarks stability                       # 200 replicates, quiet then loaded
    python -m benchmarks stability --n-boot 20           # measured on 20, scaled to 200
    python -m benchmarks stability --loads 0             # quiet machine only

The cohort is :func:`riskml.cohorts.make_young_hypertension` (508 patients, Wu et al.
2020); the models the registry pipelines ``xgboost`` and ``cox`` with
``RecursiveFeatureElimination(n_features_to_select=11)`` (XGBoost ranking fits, step 1)
and ``framingham_recalibrated``; Harrell's optimism bootstrap with Harrell's C,
time-dependent AUC, Brier, IPA and survival ICI at the horizon, and the stability of
the replicate predictions (MAPE).

Each side runs in a fresh process, one after the other:

- **riskml**: :func:`riskml.evaluation.internal_validation` with its default
  ``n_jobs`` (the replicates share the cores, each small fit on one thread) and
  ``.stability()``;
- **by hand**: the loop a careful analyst writes: the same ``numpy`` draws
  (``default_rng(seed).integers(0, n, n)`` per replicate), the replicates on two
  ``joblib`` worker processes (loky, which runs each worker's OpenMP and BLAS on one
  thread), each fitting a clone of the same pipeline on its draw, with
  scikit-learn's ``RFE`` around the same XGBoost ranking model in place of riskml's
  selector, and predicting every patient; Harrell's C from
  ``lifelines.utils.concordance_index``, the horizon metrics from riskml's public
  functions, and the MAPE from the prediction matrix.

Both sides fit the same models: the benchmark fails unless their replicate
predictions are equal. riskml makes fewer ranking fits for them (its elimination
keeps a fit's importances while it drops columns that no split used, and skips
scikit-learn's final refit, which the pipeline's own model repeats). Printed per load level: each side's seconds (scaled linearly in
fits to ``--target`` replicates when fewer were run), the ratio (hand / riskml: above 1
riskml is faster), each process's peak resident memory (Linux ``VmHWM``; joblib's
worker processes are reported apart as the largest worker's), and the load average
at the start. ``--loads 2`` runs everything again beside two busy processes (pure
Python loops) that hold both cores for the whole run, the "busy machine" of issue 30.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

MODELS = ("xgboost", "cox", "framingham_recalibrated")
METRICS = ("harrell_c", "td_auc", "brier", "ipa", "ici")


def _design(seed: int, models, by_hand: bool):
    import riskml as rk
    from riskml.models import make_model

    cohort = rk.cohorts.make_young_hypertension(508, random_state=seed)
    pipelines = {
        name: make_model(
            name,
            selection=_selection(name, seed, by_hand),
            horizon=cohort.horizon,
            framingham_inputs=cohort.framingham_inputs,
            random_state=seed,
        )
        for name in models
    }
    return cohort, pipelines


def _selection(name, seed, by_hand):
    """riskml's elimination to 11 columns, or by hand scikit-learn's ``RFE`` (a fit per
    dropped column) around the ranking model riskml would use: XGBoost's Cox objective
    before a time-to-event model, a classifier before a model of the risk at the horizon."""
    from riskml.features import RecursiveFeatureElimination
    from riskml.features._selection import _default_estimator
    from riskml.models import make_model

    if not by_hand:
        return RecursiveFeatureElimination(n_features_to_select=11, step=1)
    from sklearn.feature_selection import RFE

    survival = getattr(make_model(name)[-1], "outcome_kind", "survival") != "binary"
    ranker = _default_estimator(survival, seed)
    if not survival:
        ranker.set_params(n_jobs=1)  # one thread per worker, as the careful loop does
    return RFE(ranker, n_features_to_select=11, step=1)


def _riskml_side(cohort, pipeline, name, n_boot, seed):
    from riskml.evaluation import internal_validation

    result = internal_validation(
        pipeline,
        cohort.features,
        cohort.outcome,
        n_boot=n_boot,
        metrics=list(METRICS),
        horizon=cohort.horizon,
        random_state=seed,
        progress=False,
        name=name,
    )
    stability = result.stability()
    corrected = result.summary.set_index("metric")["corrected"]
    return result.predictions, float(corrected["harrell_c"]), float(stability.mape)


def _hand_metrics(time_, event, risk, horizon):
    from lifelines.utils import concordance_index

    from riskml.evaluation import (
        brier_score_ipcw,
        scaled_brier_ipcw,
        survival_ici,
        time_dependent_auc,
    )

    values = {"harrell_c": concordance_index(time_, -risk, event)}
    values["td_auc"] = float(time_dependent_auc(time_, event, risk, [horizon])[0])
    values["brier"] = brier_score_ipcw(time_, event, risk, horizon)
    values["ipa"] = scaled_brier_ipcw(time_, event, risk, horizon)
    try:
        values["ici"] = survival_ici(time_, event, risk, horizon)
    except ValueError:  # no finite calibration fit (riskml counts these too)
        values["ici"] = np.nan
    return values


def _hand_replicate(pipeline, X, y, time_, event, rows, horizon):
    from sklearn.base import clone

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = clone(pipeline).fit(X.iloc[rows], y[rows])
        risk = np.asarray(fitted.predict_risk(X, horizon), dtype=float)
        training = _hand_metrics(time_[rows], event[rows], risk[rows], horizon)
        test = _hand_metrics(time_, event, risk, horizon)
    return risk, training, test


def _hand_side(cohort, pipeline, name, n_boot, seed):
    from joblib import Parallel, delayed

    X, outcome, horizon = cohort.features, cohort.outcome, cohort.horizon
    y = outcome.to_y()
    time_, event = np.asarray(outcome.time, float), np.asarray(outcome.event, bool)
    rng = np.random.default_rng(seed)
    draws = [rng.integers(0, len(X), size=len(X)) for _ in range(n_boot)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        apparent_risk = np.asarray(pipeline.fit(X, y).predict_risk(X, horizon), dtype=float)
        apparent = _hand_metrics(time_, event, apparent_risk, horizon)
    runs = Parallel(n_jobs=2, backend="loky")(
        delayed(_hand_replicate)(pipeline, X, y, time_, event, rows, horizon) for rows in draws
    )
    predictions = np.vstack([risk for risk, _, _ in runs])
    optimism = np.nanmean([training["harrell_c"] - test["harrell_c"] for _, training, test in runs])
    mape = float(np.mean(np.abs(predictions - apparent_risk)))
    return predictions, float(apparent["harrell_c"] - optimism), mape


def _peak_mib(who=resource.RUSAGE_SELF) -> float:
    if who == resource.RUSAGE_SELF:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    return resource.getrusage(who).ru_maxrss / 1024


def _side(args) -> None:
    """One side in this (fresh) process; writes a JSON record and the predictions."""
    cohort, pipelines = _design(args.seed, args.models, by_hand=args.side == "hand")
    record = {"load_average": os.getloadavg()[0], "models": {}}
    run = _riskml_side if args.side == "riskml" else _hand_side
    start_all = time.perf_counter()
    for name, pipeline in pipelines.items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            predictions, corrected_c, mape = run(cohort, pipeline, name, args.n_boot, args.seed)
        record["models"][name] = {
            "seconds": time.perf_counter() - start,
            "corrected_c": corrected_c,
            "mape": mape,
        }
        np.save(os.path.join(args.out, f"{args.side}-{name}.npy"), predictions)
    record["seconds"] = time.perf_counter() - start_all
    record["peak_mib"] = _peak_mib()
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)  # so the workers' peaks are counted
    record["worker_peak_mib"] = _peak_mib(resource.RUSAGE_CHILDREN)
    with open(os.path.join(args.out, f"{args.side}.json"), "w") as handle:
        json.dump(record, handle)


def _busy() -> None:
    while True:
        pass


def _run_side(side, args, out) -> dict:
    command = [sys.executable, "-m", "benchmarks.bench_wu_side_by_side", "--side", side]
    command += ["--n-boot", str(args.n_boot), "--seed", str(args.seed), "--out", out]
    command += ["--models", *args.models]
    subprocess.run(command, check=True)
    with open(os.path.join(out, f"{side}.json")) as handle:
        return json.load(handle)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks stability",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--n-boot", type=int, default=200, help="replicates run")
    parser.add_argument("--target", type=int, default=200, help="replicates scaled to")
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--loads", nargs="+", type=int, default=[0, 2], help="busy processes")
    parser.add_argument("--side", choices=["riskml", "hand"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        _side(args)
        return
    scale = (args.target + 1) / (args.n_boot + 1)  # replicate fits + the apparent fit
    from benchmarks.bench_study import host_reference_seconds

    print(
        f"Wu design, 508 patients, {args.n_boot} replicates (scaled to {args.target}), "
        f"models {', '.join(args.models)}; {os.cpu_count()} CPUs; host reference workload "
        f"{host_reference_seconds():.2f} s (bench_study.py: the host's speed on this day)"
    )
    header = (
        "| busy processes | load at start | riskml s | by hand s | hand / riskml "
        "| riskml peak MiB (worker) | by hand peak MiB (worker) | identical predictions |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for load in args.loads:
        busy = [multiprocessing.Process(target=_busy, daemon=True) for _ in range(load)]
        for process in busy:
            process.start()
        try:
            with tempfile.TemporaryDirectory() as out:
                load_average = os.getloadavg()[0]
                ours = _run_side("riskml", args, out)
                hand = _run_side("hand", args, out)
                identical = all(
                    np.array_equal(
                        np.load(os.path.join(out, f"riskml-{name}.npy")),
                        np.load(os.path.join(out, f"hand-{name}.npy")),
                        equal_nan=True,
                    )
                    for name in args.models
                )
        finally:
            for process in busy:
                process.terminate()
        print(
            f"| {load} | {load_average:.1f} | {ours['seconds'] * scale:.0f} | "
            f"{hand['seconds'] * scale:.0f} | {hand['seconds'] / ours['seconds']:.2f}x | "
            f"{ours['peak_mib']:.0f} ({ours['worker_peak_mib']:.0f}) | "
            f"{hand['peak_mib']:.0f} ({hand['worker_peak_mib']:.0f}) | {identical} |",
            flush=True,
        )
        for name in args.models:
            mine, theirs = ours["models"][name], hand["models"][name]
            print(
                f"    {name}: riskml {mine['seconds'] * scale:.0f} s, by hand "
                f"{theirs['seconds'] * scale:.0f} s; corrected C {mine['corrected_c']:.4f} / "
                f"{theirs['corrected_c']:.4f}; MAPE {mine['mape']:.4f} / {theirs['mape']:.4f}"
            )
        if not identical:
            raise SystemExit("the two sides' replicate predictions differ: not the same fits")


if __name__ == "__main__":
    main()
