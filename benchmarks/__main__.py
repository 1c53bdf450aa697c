"""Time riskml's bootstrap CIs against the naive per-replicate loop, and their memory.

Run from the repository root::

    python -m benchmarks            # n = 10k and 56k, about a minute
    python -m benchmarks --full     # adds n = 500k (a few minutes)
    python -m benchmarks study      # riskml's Study against the design by hand (bench_study.py)
    python -m benchmarks stability  # Wu internal validation against a loop by hand

For each n:

- ROC AUC: a 1000-replicate class-stratified percentile CI with
  :func:`riskml.evaluation.roc_auc_ci`, against ``sklearn.metrics.roc_auc_score``
  called on each of the *same* resamples;
- Harrell's C: a 1000-replicate percentile CI with
  :func:`riskml.evaluation.concordance_index_ci`, against
  ``lifelines.utils.concordance_index`` on each of the same resamples;
- riskml is timed with ``n_jobs=1`` and ``n_jobs=2`` (threads over chunks of
  replicates; identical results).

The naive loop is timed on its first ``--naive-reps`` replicates and extrapolated
linearly (its cost per replicate is constant); the replicate values of both are
compared (``max |diff|``). Peak memory is measured in a fresh subprocess per call:
the rise of the resident set (Linux ``VmHWM`` after resetting it, minus ``VmRSS``
before the call), so it includes numpy buffers and the compiled kernels' scratch
arrays alike. The numba kernels are compiled once and cached on disk; the first
line reports the time to load (or, on a first run, compile) them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np


def _seconds(function, repeat: int = 1) -> float:
    """Best of ``repeat`` wall-clock timings (the machine may be shared)."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


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


def _run_call(kind: str, n: int, n_boot: int, seed: int, n_jobs):
    from riskml.evaluation import concordance_index_ci, roc_auc_ci

    if kind == "auc":
        y, score = _binary_data(n, seed)
        return lambda: roc_auc_ci(y, score, n_boot=n_boot, random_state=seed, n_jobs=n_jobs)
    time_, event, risk = _survival_data(n, seed)
    return lambda: concordance_index_ci(
        time_, event, risk, n_boot=n_boot, random_state=seed, n_jobs=n_jobs
    )


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _measure_memory(kind: str, n: int, n_boot: int, seed: int) -> None:
    """Subprocess entry point: print the peak RSS rise (MiB) of one call as JSON."""
    call = _run_call(kind, n, n_boot, seed, None)
    _run_call(kind, 200, 8, seed, None)()  # load the compiled kernels first
    before = _status_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as clear:  # reset VmHWM to the current RSS
        clear.write("5")
    call()
    print(json.dumps({"mib": (_status_kib("VmHWM") - before) / 1024}))


def _peak_mib(kind: str, n: int, n_boot: int, seed: int) -> float:
    if not os.path.exists("/proc/self/clear_refs"):
        return float("nan")
    command = [sys.executable, "-m", "benchmarks", "--_memory", kind, str(n), str(n_boot)]
    command += ["--seed", str(seed)]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        return float(json.loads(output.strip().splitlines()[-1])["mib"])
    except (subprocess.CalledProcessError, ValueError, KeyError, OSError):
        return float("nan")


def bench_auc(n: int, n_boot: int, naive_reps: int, seed: int) -> dict:
    from sklearn.metrics import roc_auc_score

    from riskml.evaluation._bootstrap import _resample_chunks, _roc_auc_replicates

    y, score = _binary_data(n, seed)
    row = {"n": n}
    for n_jobs in (1, 2):
        row[f"riskml_s_{n_jobs}"] = _seconds(_run_call("auc", n, n_boot, seed, n_jobs), repeat=2)
    row["riskml_mib"] = _peak_mib("auc", n, n_boot, seed)

    # the same resamples as roc_auc_ci(random_state=seed): events and non-events apart
    chunks = _resample_chunks(n, naive_reps, np.random.default_rng(seed), y, chunk_size=1)
    indices = np.concatenate(list(chunks))
    start = time.perf_counter()
    naive_values = [roc_auc_score(y[rows], score[rows]) for rows in indices]
    row["naive_s"] = (time.perf_counter() - start) * n_boot / naive_reps
    fast_values = _roc_auc_replicates(y.astype(bool), score, indices)
    row["max_diff"] = float(np.max(np.abs(fast_values - np.asarray(naive_values))))
    return row


def bench_c_index(n: int, n_boot: int, naive_reps: int, seed: int) -> dict:
    from lifelines.utils import concordance_index as lifelines_c

    from riskml.evaluation._bootstrap import _HarrellReplicates, _resample_chunks

    time_, event, risk = _survival_data(n, seed)
    row = {"n": n}
    for n_jobs in (1, 2):
        row[f"riskml_s_{n_jobs}"] = _seconds(_run_call("c", n, n_boot, seed, n_jobs), repeat=2)
    row["riskml_mib"] = _peak_mib("c", n, n_boot, seed)
    chunks = _resample_chunks(n, naive_reps, np.random.default_rng(seed), chunk_size=1)
    indices = np.concatenate(list(chunks))
    start = time.perf_counter()
    naive_values = [lifelines_c(time_[r], -risk[r], event[r]) for r in indices]
    row["naive_s"] = (time.perf_counter() - start) * n_boot / naive_reps
    fast_values = _HarrellReplicates(time_, event, risk)(indices)
    row["max_diff"] = float(np.max(np.abs(fast_values - np.asarray(naive_values))))
    return row


def _print_table(title: str, naive_name: str, rows: list[dict], n_boot: int, reps: int) -> None:
    print(f"\n{title}: {n_boot} replicates")
    print(
        f"  naive = {naive_name} on the same resamples, timed on {reps} replicates and "
        f"extrapolated x{n_boot / reps:g}"
    )
    print(
        f"  {'n':>8}  {'riskml s':>9}  {'2 threads':>9}  {'naive s':>9}  {'speed-up':>8}  "
        f"{'peak MiB':>8}  {'max |diff|':>10}"
    )
    for row in rows:
        best = min(row["riskml_s_1"], row["riskml_s_2"])
        print(
            f"  {row['n']:>8,}  {row['riskml_s_1']:>9.2f}  {row['riskml_s_2']:>9.2f}  "
            f"{row['naive_s']:>9.1f}  {row['naive_s'] / best:>7.0f}x  "
            f"{row['riskml_mib']:>8.1f}  {row['max_diff']:>10.1e}"
        )


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["stability"]:  # the Wu internal validation side by side
        from .bench_wu_side_by_side import main as stability

        stability(argv[1:])
        return
    if argv[:1] == ["study"]:  # the side-by-side Frizzell study (benchmarks/bench_study.py)
        from .bench_study import main as study

        study(argv[1:])
        return
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--full", action="store_true", help="also run n = 500,000")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap replicates")
    parser.add_argument(
        "--naive-reps", type=int, default=50, help="replicates of the naive AUC loop timed"
    )
    parser.add_argument(
        "--c-naive-reps", type=int, default=5, help="replicates of the naive Harrell's C loop timed"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--_memory", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._memory:
        kind, n, n_boot = args._memory
        _measure_memory(kind, int(n), int(n_boot), args.seed)
        return
    sizes = [10_000, 56_000] + ([500_000] if args.full else [])

    import numpy
    import sklearn

    from riskml.evaluation import _kernels

    start = time.perf_counter()
    for name in ("auc_chunk", "harrell_chunk", "harrell_rows"):
        _kernels.compiled(name)
    _run_call("auc", 200, 8, 0, None)()
    _run_call("c", 200, 8, 0, None)()
    compile_s = time.perf_counter() - start
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    numba_version = "not installed"
    try:
        import numba

        numba_version = numba.__version__
    except ImportError:  # pragma: no cover
        pass
    print(
        f"riskml benchmarks: Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scikit-learn {sklearn.__version__}, numba {numba_version}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load} (wall-clock, best of 2)\n"
        f"numba kernels loaded (compiled on a first run, then cached) in {compile_s:.2f} s"
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
        "\n  riskml s: n_jobs=1; 2 threads: n_jobs=2; speed-up: naive / the faster of the two."
        "\n  peak MiB: rise of the resident set during one riskml call (fresh process); the"
        "\n  working set is bounded per chunk of replicates, so it does not grow with n_boot."
        "\n  max |diff|: largest difference between riskml's and the naive replicate values."
    )


if __name__ == "__main__":
    main()
