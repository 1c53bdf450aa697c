"""How many threads a model fit may use, and running several fits at a time."""

from __future__ import annotations

import threading
import time
import warnings

__all__ = ["fit_threads", "in_fit_thread", "run_fits"]

# Threads granted to each fit by ``run_fits`` in the worker thread running it.
_budget = threading.local()


def fit_threads(n_jobs) -> int:
    """Threads for one model fit: ``n_jobs`` as given; for None, the share that
    :func:`run_fits` granted the fit, else every core at the top level and one inside
    a joblib worker (whose siblings already use the other cores).

    Parameters
    ----------
    n_jobs : int or None
        A model's ``n_jobs``; negative values count back from all cores, as in
        scikit-learn, and are returned unchanged.

    Returns
    -------
    int
    """
    from joblib import cpu_count
    from joblib.parallel import get_active_backend

    if n_jobs is None:
        granted = getattr(_budget, "threads", None)
        if granted is not None:
            return granted
        backend, _ = get_active_backend()
        return cpu_count() if getattr(backend, "nesting_level", 0) == 0 else 1
    return int(n_jobs)


def _default_workers(n_tasks: int) -> int | None:
    """Fits at a time when the caller left ``n_jobs`` to riskml: one per core up to the
    number of fits at the top level; None inside a joblib worker, inside a fit that
    :func:`run_fits` runs, or under a joblib backend that the user chose (joblib then
    decides, as ``Parallel(n_jobs=None)`` does)."""
    from joblib import cpu_count
    from joblib.parallel import get_active_backend

    backend, context_jobs = get_active_backend()
    if context_jobs is not None or getattr(backend, "nesting_level", 0) > 0 or in_fit_thread():
        return None
    return max(1, min(cpu_count(), n_tasks))


def _timed(function, args, threads):
    """Run ``function(*args)`` with ``threads`` granted to its fits; return (result,
    seconds, warnings) with the ``(category, message)`` of the warnings it raised on a
    run_fits thread (an empty list elsewhere: the function records its own)."""
    start = time.perf_counter()
    if threads is None:
        return function(*args), time.perf_counter() - start, []
    previous = getattr(_budget, "threads", None), getattr(_budget, "caught", None)
    _budget.threads, _budget.caught = threads, []
    try:
        result = function(*args)
        return result, time.perf_counter() - start, _budget.caught
    finally:
        _budget.threads, _budget.caught = previous


def run_fits(function, tasks, n_jobs=None):
    """Run ``function(*task)`` for every task, several at a time; yield, in task order,
    ``(result, seconds, warnings)``: the seconds each call took and the warnings it
    raised on a thread (below).

    Model fits release the GIL in their compiled loops (tree building, boosting, BLAS),
    so for ``n_jobs=None`` the fits run on threads, one per core up to the number of
    tasks, each granted ``cores // threads`` threads of its own (:func:`fit_threads`)
    and as many BLAS threads: on two cores, two single-threaded fits at a time instead
    of one two-threaded fit after the other. Results equal the serial run: every model
    fit is seeded and computed the same way whatever its thread count.

    The ``warnings`` module's state is process-wide, so a task on a thread must not
    record its own (:func:`in_fit_thread` says when): run_fits records the warnings of
    each task for it, as ``(category, message)`` pairs, returned with its result. In
    the other modes that list is empty and the function records its own, as it must in
    a worker process. The filters and BLAS limits are restored after the last task.

    Parameters
    ----------
    function : callable
    tasks : iterable of tuple
        Arguments of each call, taken as the calls start (a generator keeps only a
        few at a time); put the longest first.
    n_jobs : int or None, default=None
        None: threads as described above at the top level; one call at a time inside
        a joblib worker or inside a fit that ``run_fits`` runs; under a joblib backend
        that the user chose (``joblib.parallel_config``), that backend. An int runs
        the calls through joblib's active backend with that many workers (loky
        processes, or for instance Dask's), as ``joblib.Parallel(n_jobs)`` does.

    Yields
    ------
    result : object
    seconds : float
    warnings : list of (type, str)
    """
    from joblib import Parallel, cpu_count, delayed

    n_tasks = len(tasks) if hasattr(tasks, "__len__") else cpu_count()
    workers = None if n_jobs is not None else _default_workers(n_tasks)
    if workers is None:
        parallel = Parallel(n_jobs=n_jobs, return_as="generator")
        yield from parallel(delayed(_timed)(function, task, None) for task in tasks)
        return
    if workers == 1:
        for task in tasks:
            yield _timed(function, task, None)
        return
    from threadpoolctl import threadpool_limits

    threads = max(1, cpu_count() // workers)
    parallel = Parallel(n_jobs=workers, backend="threading", batch_size=1, return_as="generator")
    with threadpool_limits(limits=threads), warnings.catch_warnings(record=True) as others:

        def dispatch(message, category, filename, lineno, file=None, line=None):
            caught = getattr(_budget, "caught", None)
            if caught is not None:  # a task's thread
                caught.append((category, str(message)))
            else:  # the caller's own warnings while the tasks run: raised again below
                others.append(
                    warnings.WarningMessage(message, category, filename, lineno, file, line)
                )

        warnings.simplefilter("always")
        warnings.showwarning = dispatch
        yield from parallel(delayed(_timed)(function, task, threads) for task in tasks)
    for record in others:
        warnings.warn_explicit(
            record.message, record.category, record.filename, record.lineno, source=record.source
        )


def in_fit_thread() -> bool:
    """Whether this code runs in a task that :func:`run_fits` started on a thread, whose
    warnings run_fits records (``warnings.catch_warnings`` there would race with the
    other tasks: the module's state is process-wide)."""
    return getattr(_budget, "threads", None) is not None
