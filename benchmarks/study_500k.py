"""A Frizzell-design study on 500,000 generated registry patients: time and peak memory.

    python -m benchmarks.study_500k                # logistic and XGBoost (about 6 minutes)
    python -m benchmarks.study_500k --design full  # all five models, ICI, report
    python -m benchmarks.study_500k --n 200000

The rows are ``make_hf_registry(n)``'s patients with a known 30-day status (as in
``bench_study.py``), 5-fold cross-validation, 1,000 bootstrap replicates of every
interval, SHAP of every model on 1,000 rows. ``--design two``: logistic regression and
XGBoost, without the ICI. ``--design full``: the five models of ``bench_study.py`` with
the default metrics (ICI included) and the HTML report (written into a temporary folder).
Prints the wall time, the peak resident memory (``VmHWM``), ``StudyResult.timings`` and
the summary.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.study_500k", description=__doc__)
    parser.add_argument("--n", type=int, default=500_000)
    parser.add_argument("--design", choices=["two", "full"], default="two")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    import riskml as rk
    from benchmarks.frizzell_by_hand import registry_rows

    cohort, keep, _, label = registry_rows(args.n)
    sub = cohort.subset(keep)
    binary = rk.Cohort(sub.features, rk.Outcome.binary(label), sub.metadata)
    generated = time.perf_counter() - start
    if args.design == "full":
        from benchmarks.bench_study import frizzell_models

        design = dict(models=frizzell_models(2017), reference="logistic")
    else:
        design = dict(
            models=["logistic", "xgboost"],
            metrics=["auc", "calibration_intercept", "calibration_slope", "o_e", "brier", "ipa"],
        )
    result = rk.Study(
        binary, validation=5, n_boot=1000, random_state=2017, progress=False, **design
    ).run()
    if args.design == "full":
        with tempfile.TemporaryDirectory(prefix="riskml-bench-") as scratch:
            report_start = time.perf_counter()
            result.report(os.path.join(scratch, "study_500k.html"))
            result.timings["report"] = time.perf_counter() - report_start
    total = time.perf_counter() - start
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"n = {len(binary):,} evaluable of {args.n:,}: generated in {generated:.1f} s, "
        f"total {total:.1f} s, peak {peak / 1024:.0f} MiB (load {load})"
    )
    print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()))
    print(result.summary[["model", "metric", "estimate", "low", "high"]].round(4).to_string())


if __name__ == "__main__":
    main()
