"""Time the bootstrap internal validation (with stability) of the Wu et al. design.

Run from the repository root::

    python -m benchmarks.bench_stability                  # 200 replicates, serial and n_jobs=2
    python -m benchmarks.bench_stability --n-boot 20      # 20 replicates, extrapolated to 200
    python -m benchmarks.bench_stability --n-boot 6 --step 0.2   # RFE drops 20% per round

The cohort is :func:`riskml.cohorts.make_young_hypertension` (508 patients, the size of
Wu et al. 2020), the horizon its ``horizon``; the models are the registry
pipelines ``xgboost`` and ``cox`` with
``RecursiveFeatureElimination(n_features_to_select=11)`` as ``selection`` (refitted in
every replicate), and ``framingham_recalibrated`` (which keeps its fixed inputs). Each
model runs :func:`riskml.evaluation.internal_validation` (Harrell's bootstrap; Harrell's
C, time-dependent AUC, Brier and IPA at the horizon) once with ``n_jobs=1`` and once with ``n_jobs=2``;
the two summaries and prediction matrices must be identical, and the stability
summary (:class:`riskml.evaluation.PredictionStability`) is computed from the kept
predictions without further fits.

The cost is the recursive feature elimination refitted in every replicate: with the
default ``step=1`` it fits one XGBoost ranking model per eliminated column (65 fits
per replicate for xgboost, from 76 encoded columns to 11; 61 for cox, from 72). ``--step`` sets a coarser
elimination, which changes the statistical procedure (features are dropped in
blocks ranked by one fit), so its numbers are not Wu's RFE; the table says which
step was used. Survival ICI is included: where it is undefined (see
:func:`riskml.evaluation.survival_ici`) the ``ici undefined`` column counts the
replicates.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_stability",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--n-boot", type=int, default=200, help="bootstrap replicates timed")
    parser.add_argument("--target", type=int, default=200, help="replicates extrapolated to")
    parser.add_argument("--jobs", type=int, default=2, help="n_jobs of the parallel run")
    parser.add_argument(
        "--models", nargs="+", default=["xgboost", "cox", "framingham_recalibrated"]
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--step", type=float, default=1, help="RFE step (1: Wu's; <1: a fraction per round)"
    )
    parser.add_argument(
        "--metrics", nargs="+", default=["harrell_c", "td_auc", "brier", "ipa", "ici"]
    )
    args = parser.parse_args(argv)

    import riskml as rk
    from riskml.evaluation import internal_validation
    from riskml.features import RecursiveFeatureElimination
    from riskml.models import make_model

    cohort = rk.cohorts.make_young_hypertension(508, random_state=args.seed)
    horizon = cohort.horizon
    X, y = cohort.features, cohort.outcome
    print(
        f"riskml bench_stability: {len(y)} patients, {int(np.nansum(y.at_horizon(horizon)))} "
        f"events by day {horizon:g}; {args.n_boot} replicates; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f}"
    )
    rows = []
    for name in args.models:
        pipeline = make_model(
            name,
            selection=RecursiveFeatureElimination(
                n_features_to_select=11, step=int(args.step) if args.step >= 1 else args.step
            ),
            horizon=horizon,
            framingham_inputs=cohort.framingham_inputs,
            random_state=args.seed,
        )
        runs = {}
        for jobs in (1, args.jobs):
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                runs[jobs] = internal_validation(
                    pipeline,
                    X,
                    y,
                    n_boot=args.n_boot,
                    metrics=args.metrics,
                    horizon=horizon,
                    random_state=args.seed,
                    n_jobs=jobs,
                    name=name,
                )
            runs[jobs].seconds = time.perf_counter() - start
        serial, parallel = runs[1], runs[args.jobs]
        identical = serial.summary.equals(parallel.summary) and np.array_equal(
            serial.predictions, parallel.predictions, equal_nan=True
        )
        stability = serial.stability()
        # n_boot replicate fits + the apparent (whole-cohort) fit, scaled to target + 1
        scale = (args.target + 1) / (args.n_boot + 1)
        summary = serial.summary.set_index("metric")
        rows.append(
            {
                "model": name,
                "serial s": round(serial.seconds, 1),
                f"n_jobs={args.jobs} s": round(parallel.seconds, 1),
                f"serial s x{args.target}": round(serial.seconds * scale, 1),
                f"n_jobs={args.jobs} s x{args.target}": round(parallel.seconds * scale, 1),
                "identical": identical,
                "rfe step": args.step,
                "C corrected": round(
                    float(serial.summary.set_index("metric").loc["harrell_c", "corrected"]), 3
                ),
                "MAPE": round(stability.mape, 4),
                "ici undefined": (
                    f"{int(summary.loc['ici', 'n_degenerate'])}/{args.n_boot}"
                    + ("" if np.isfinite(summary.loc["ici", "apparent"]) else ", apparent")
                    if "ici" in summary.index
                    else "-"
                ),
            }
        )
        print(stability.interpret())
    table = pd.DataFrame(rows)
    total = table.select_dtypes("number").sum()
    print(table.to_string(index=False))
    print(
        f"total: serial {total['serial s']:.1f} s, n_jobs={args.jobs} "
        f"{total[f'n_jobs={args.jobs} s']:.1f} s for {args.n_boot} replicates; extrapolated "
        f"to {args.target}: serial {total[f'serial s x{args.target}']:.0f} s, "
        f"n_jobs={args.jobs} {total[f'n_jobs={args.jobs} s x{args.target}']:.0f} s"
    )
    if not table["identical"].all():
        raise SystemExit("serial and parallel results differ")


if __name__ == "__main__":
    main()
