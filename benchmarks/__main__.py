"""Time riskml's vectorised bootstrap CIs against the naive per-replicate loop.

Run from the repository root::

    python -m benchmarks            # n = 10k and 56k, about 30-60 s
    python -m benchmarks --full     # adds n = 500k

For each n, a 1000-replicate class-stratified percentile CI of the ROC AUC with
:func:`riskml.evaluation.roc_auc_ci`, against ``sklearn.metrics.roc_auc_score``
called on each of the *same* resamples. The naive loop is timed on the first
``--naive-reps`` replicates and extrapolated linearly to all of them (its cost per
replicate is constant). The replicate values of both are compared. Harrell's C CI
(:func:`riskml.evaluation.concordance_index_ci`) is timed the same way against a
per-replicate loop of ``lifelines.utils.concordance_index``. Peak memory is the
``tracemalloc`` peak of a separate run of the same call (numpy reports its buffers
to tracemalloc), so the timings carry no tracing overhead.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import tracemalloc

import numpy as np


def _peak_mib(function) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _binary_data(n: int, seed: int):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.1).astype(int)
    score = np.round(rng.normal(size=n) + y, 3)  # rounded, so with ties
    return y, score


def _survival_data(n: int, seed: int):
    rng = np.random.default_rng(seed)
    time_ = np.ceil(rng.exponential(1000.0, size=n))  # whole days: tied times
    event = rng.random(n) < 0.3
    risk = np.round(rng.normal(size=n) - time_ / 2000.0, 3)
    return time_, event, risk


def bench_auc(n: int, n_boot: int, naive_reps: int, seed: int) -> dict:
    from sklearn.metrics import roc_auc_score

    from riskml.evaluation import roc_auc_ci
    from riskml.evaluation._bootstrap import _resample_chunks, _roc_auc_replicates

    y, score = _binary_data(n, seed)
    riskml_s = _seconds(lambda: roc_auc_ci(y, score, n_boot=n_boot, random_state=seed))
    riskml_mib = _peak_mib(lambda: roc_auc_ci(y, score, n_boot=n_boot, random_state=seed))

    # the same resamples as roc_auc_ci(random_state=seed): events and non-events apart
    chunks = _resample_chunks(n, naive_reps, np.random.default_rng(seed), y, chunk_size=1)
    indices = np.concatenate(list(chunks))

    def naive():
        return [roc_auc_score(y[rows], score[rows]) for rows in indices]

    start = time.perf_counter()
    naive_values = naive()
    naive_s = (time.perf_counter() - start) * n_boot / naive_reps
    naive_mib = _peak_mib(lambda: [roc_auc_score(y[r], score[r]) for r in indices[:10]])
    fast_values = _roc_auc_replicates(y.astype(bool), score, indices)
    return {
        "n": n,
        "riskml_s": riskml_s,
        "naive_s": naive_s,
        "riskml_mib": riskml_mib,
        "naive_mib": naive_mib,
        "max_diff": float(np.max(np.abs(fast_values - np.asarray(naive_values)))),
    }


def bench_c_index(n: int, n_boot: int, naive_reps: int, seed: int) -> dict:
    from lifelines.utils import concordance_index as lifelines_c

    from riskml.evaluation import concordance_index_ci
    from riskml.evaluation._bootstrap import _concordance_replicates, _resample_chunks
    from riskml.evaluation._discrimination import _ConcordanceKernel

    time_, event, risk = _survival_data(n, seed)

    def run():
        return concordance_index_ci(time_, event, risk, n_boot=n_boot, random_state=seed)

    riskml_s = _seconds(run)
    riskml_mib = _peak_mib(
        lambda: concordance_index_ci(time_, event, risk, n_boot=50, random_state=seed)
    )
    chunks = _resample_chunks(n, naive_reps, np.random.default_rng(seed), chunk_size=1)
    indices = np.concatenate(list(chunks))
    start = time.perf_counter()
    naive_values = [lifelines_c(time_[r], -risk[r], event[r]) for r in indices]
    naive_s = (time.perf_counter() - start) * n_boot / naive_reps
    naive_mib = _peak_mib(
        lambda: lifelines_c(time_[indices[0]], -risk[indices[0]], event[indices[0]])
    )
    kernel = _ConcordanceKernel(time_, event, risk, cache=True)
    fast_values = _concordance_replicates(kernel, indices)
    return {
        "n": n,
        "riskml_s": riskml_s,
        "naive_s": naive_s,
        "riskml_mib": riskml_mib,
        "naive_mib": naive_mib,
        "max_diff": float(np.max(np.abs(fast_values - np.asarray(naive_values)))),
    }


def _print_table(title: str, naive_name: str, rows: list[dict], n_boot: int, reps: int) -> None:
    print(f"\n{title}: {n_boot} replicates")
    print(
        f"  naive = {naive_name} on the same resamples, timed on {reps} replicates and "
        f"extrapolated x{n_boot / reps:g}"
    )
    header = (
        f"  {'n':>8}  {'riskml s':>9}  {'naive s':>9}  {'speed-up':>8}  "
        f"{'riskml MiB':>10}  {'naive MiB':>9}  {'max |diff|':>10}"
    )
    print(header)
    for row in rows:
        print(
            f"  {row['n']:>8,}  {row['riskml_s']:>9.2f}  {row['naive_s']:>9.1f}  "
            f"{row['naive_s'] / row['riskml_s']:>7.1f}x  {row['riskml_mib']:>10.1f}  "
            f"{row['naive_mib']:>9.1f}  {row['max_diff']:>10.1e}"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--full", action="store_true", help="also run n = 500,000")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap replicates")
    parser.add_argument(
        "--naive-reps",
        type=int,
        default=50,
        help="replicates of the naive loop actually timed (AUC)",
    )
    parser.add_argument(
        "--c-naive-reps",
        type=int,
        default=5,
        help="replicates of the naive Harrell's C loop actually timed",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = [10_000, 56_000] + ([500_000] if args.full else [])

    import numpy
    import sklearn

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"riskml benchmarks: Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scikit-learn {sklearn.__version__}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load} (wall-clock times; one process)"
    )
    auc_rows = [bench_auc(n, args.n_boot, args.naive_reps, args.seed) for n in sizes]
    _print_table(
        "ROC AUC percentile CI (roc_auc_ci, stratified by class)",
        "sklearn.metrics.roc_auc_score",
        auc_rows,
        args.n_boot,
        args.naive_reps,
    )
    c_rows = [bench_c_index(n, args.n_boot, args.c_naive_reps, args.seed) for n in sizes]
    _print_table(
        "Harrell's C percentile CI (concordance_index_ci)",
        "lifelines.utils.concordance_index",
        c_rows,
        args.n_boot,
        args.c_naive_reps,
    )
    print(
        "\n  riskml MiB: tracemalloc peak of one call (Harrell's C: a 50-replicate call; the "
        "working set is\n  bounded per chunk of replicates, so it does not grow with n_boot). "
        "naive MiB: peak of 10 replicates\n  (AUC) or one (Harrell's C). max |diff|: largest "
        "difference between riskml's and the naive\n  replicate values."
    )


if __name__ == "__main__":
    main()
