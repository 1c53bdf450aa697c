"""Folds and bootstrap replicates on a Dask cluster: one worker against two.

    python -m benchmarks.bench_dask                 # n = 10,000, 10 optimism replicates
    python -m benchmarks.bench_dask --n 20000 --n-boot 20

Starts a ``dask.distributed.LocalCluster`` of worker processes (one thread each) with
one worker, then with two, and runs the same work through joblib's Dask backend
(``joblib.parallel_backend("dask")``, ``n_jobs=-1``): 5-fold cross-validated risks
(``cross_val_predict_risk``) and Harrell's optimism bootstrap (``optimism_bootstrap``)
of a registry random-forest pipeline (200 trees) on ``make_hf_registry(n)``'s 30-day outcome. The models
are pinned to one thread (``n_jobs=1``) so that the workers, not the models' own threads,
share the cores. Prints each time, the speed-up of two workers over one, and whether the
numbers equal the serial run (joblib's default backend, ``n_jobs=1``) bit for bit.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings


def _work(X, y, n_boot, n_jobs):
    from riskml.evaluation import cross_val_predict_risk, optimism_bootstrap
    from riskml.models import make_model

    model = make_model("random_forest", n_estimators=200, n_jobs=1, random_state=0)
    timings, results = {}, {}
    start = time.perf_counter()
    results["cv"] = cross_val_predict_risk(model, X, y, cv=5, random_state=0, n_jobs=n_jobs)
    timings["5-fold CV"] = time.perf_counter() - start
    start = time.perf_counter()
    results["optimism"] = optimism_bootstrap(
        model,
        X,
        y,
        n_boot=n_boot,
        metrics=["auc", "brier"],
        random_state=0,
        n_jobs=n_jobs,
        progress=False,
    ).summary
    timings[f"optimism bootstrap ({n_boot} replicates)"] = time.perf_counter() - start
    return timings, results


def _same(a, b) -> bool:
    import numpy as np
    import pandas as pd

    if isinstance(a, pd.DataFrame):
        return a.equals(b)
    return bool(np.array_equal(a, b))


def main(argv=None) -> None:
    import joblib
    from distributed import Client, LocalCluster

    from benchmarks.frizzell_by_hand import registry_rows

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_dask", description=__doc__)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--n-boot", type=int, default=10)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    _, _, X, y = registry_rows(args.n)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"n = {len(y):,} with a known 30-day status, {os.cpu_count()} CPUs, load {load}")

    serial_times, serial = _work(X, y, args.n_boot, n_jobs=1)
    rows = {name: [seconds] for name, seconds in serial_times.items()}
    identical = True
    for workers in (1, 2):
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        with Client(cluster), joblib.parallel_backend("dask"):
            _work(X.iloc[:200], y[:200], 2, n_jobs=-1)  # start-up: imports on the workers
            times, results = _work(X, y, args.n_boot, n_jobs=-1)
        cluster.close()
        identical &= all(_same(results[key], serial[key]) for key in serial)
        for name, seconds in times.items():
            rows[name].append(seconds)
    print(f"{'work':40s} {'serial':>8s} {'1 worker':>9s} {'2 workers':>10s} {'speed-up':>9s}")
    for name, (serial_s, one, two) in rows.items():
        print(f"{name:40s} {serial_s:7.1f}s {one:8.1f}s {two:9.1f}s {one / two:8.2f}x")
    print(f"numbers identical to the serial run: {identical}")


if __name__ == "__main__":
    main()
