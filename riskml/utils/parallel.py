"""How many threads a model fit may use, and running several fits at a time."""

from __future__ import annotations

import contextlib
import threading
import time
import warnings

__all__ = ["fit_threads", "in_fit_thread", "run_fits", "silenced"]

# Threads granted to each fit by ``run_fits`` in the worker thread running it.
_budget = threading.local()


# Below this many cells (rows x columns) a fit runs on one thread: measured with XGBoost
# (100 trees, depth 3) on 2 cores, a second thread saves 15% at 500 x 76 and 40% from
# 2,000 x 50, and on a busy machine a multi-threaded small fit is many times slower
# (its threads wait on each other at every tree); benchmarks/README.md has the figures.
SMALL_FIT_CELLS = 100_000


def fit_threads(n_jobs, n_cells=None) -> int:
    """Threads for one model fit: ``n_jobs`` as given; for None, the share that
    :func:`run_fits` granted the fit, else every core at the top level and one inside
    a joblib worker (whose siblings already use the other cores), and one for a small
    fit (fewer than ``SMALL_FIT_CELLS`` cells) wherever it runs.

    Parameters
    ----------
    n_jobs : int or None
        A model's ``n_jobs``; negative values count back from all cores, as in
        scikit-learn, and are returned unchanged.
    n_cells : int, optional
        Rows times columns of the data fitted; None: not known (no size rule).

    Returns
    -------
    int

    Examples
    --------
    >>> from riskml.utils import fit_threads
    >>> fit_threads(1)
    1
    >>> fit_threads(None, n_cells=508 * 76)  # a small fit: one thread
    1
    """
    from joblib import cpu_count
    from joblib.parallel import get_active_backend

    if n_jobs is not None:
        return int(n_jobs)
    if n_cells is not None and n_cells < SMALL_FIT_CELLS:
        return 1
    granted = getattr(_budget, "threads", None)
    if granted is not None:
        return granted
    backend, _ = get_active_backend()
    return cpu_count() if getattr(backend, "nesting_level", 0) == 0 else 1


def _user_chose_backend() -> bool:
    """Whether the caller set a joblib backend or ``n_jobs`` (``parallel_config``,
    ``parallel_backend``), which then decides as for ``Parallel(n_jobs=None)``."""
    from joblib import parallel as joblib_parallel

    backend, context_jobs = joblib_parallel.get_active_backend()
    if context_jobs is not None or getattr(backend, "nesting_level", 0) > 0:
        return True
    # a backend set without n_jobs; joblib keeps it in a private thread-local
    config = getattr(getattr(joblib_parallel, "_backend", None), "config", None) or {}
    default = getattr(joblib_parallel, "default_parallel_config", {}).get("backend")
    return config.get("backend", default) is not default


def _default_workers(n_tasks: int) -> int | None:
    """Fits at a time when the caller left ``n_jobs`` to riskml: one per core up to the
    number of fits at the top level; None inside a joblib worker, inside a fit that
    :func:`run_fits` runs, or under a joblib backend or ``n_jobs`` that the user chose
    (joblib then decides, as ``Parallel(n_jobs=None)`` does)."""
    from joblib import cpu_count

    if in_fit_thread() or _user_chose_backend():
        return None
    return max(1, min(cpu_count(), n_tasks))


def _timed(function, args, threads):
    """Run ``function(*args)`` with ``threads`` granted to its fits; return (result,
    seconds, warnings) with the ``(category, message)`` of the warnings it raised on a
    run_fits thread (an empty list elsewhere: the function records its own)."""
    start = time.perf_counter()
    if threads is None:
        return function(*args), time.perf_counter() - start, []
    from threadpoolctl import threadpool_limits

    previous = getattr(_budget, "threads", None), getattr(_budget, "caught", None)
    _budget.threads, _budget.caught = threads, []
    try:
        # OpenMP's thread count is per thread: limit it on this one too
        with threadpool_limits(limits=threads, user_api="openmp"):
            result = function(*args)
        return result, time.perf_counter() - start, _budget.caught
    finally:
        _budget.threads, _budget.caught = previous


def run_fits(function, tasks, n_jobs=None, n_tasks=None):
    """Run ``function(*task)`` for every task, several at a time; yield, in task order,
    ``(result, seconds, warnings)``: the seconds each call took and the warnings it
    raised on a thread (below).

    Model fits release the GIL in their compiled loops (tree building, boosting, BLAS),
    so for ``n_jobs=None`` the fits run on threads, one per core up to the number of
    tasks, each granted ``cores // workers`` threads of its own (:func:`fit_threads`,
    OpenMP on its thread) and the process's BLAS limited to as many: on two cores, two
    single-threaded fits at a time instead of one two-threaded fit after the other.
    Results equal the serial run for riskml's models (seeded, and computed the same
    way whatever their thread count; tested); a model whose fit changes BLAS's thread
    count itself can change the last bits of concurrent BLAS-heavy fits.

    The ``warnings`` module's state is process-wide, so a task on a thread must not
    record its own (:func:`in_fit_thread` says when): run_fits files each warning
    raised on a task's thread under that task and returns them, as ``(category,
    message)`` pairs, with its result; warnings of other threads during the batch are
    raised again at its end. In the other modes that list is empty and the function
    records its own, as it must in a worker process. On every exit, an error or an
    interruption included, run_fits cancels the tasks not started, waits for the
    running ones, then restores the warning filters and BLAS limits. Model code that
    must ignore some warnings uses :func:`silenced`, which on these threads drops them
    from its own task's record only (riskml's models do). Known limit on Python < 3.14:
    third-party code that silences warnings with ``warnings.catch_warnings`` while it
    fits (lifelines' Cox fit does) silences the concurrent fits' warnings for that time.

    Parameters
    ----------
    function : callable
    tasks : iterable of tuple
        Arguments of each call, taken as the calls start (a generator keeps only a
        few at a time); put the longest first.
    n_jobs : int or None, default=None
        None: threads as described above at the top level; one call at a time inside
        a joblib worker or inside a fit that ``run_fits`` runs; under a joblib backend
        or ``n_jobs`` that the user chose (``joblib.parallel_config``), that backend.
        An int runs the calls through joblib's active backend with that many workers
        (loky processes, or for instance Dask's), as ``joblib.Parallel(n_jobs)`` does.
    n_tasks : int, optional
        Number of tasks when ``tasks`` has no length (a generator).

    Yields
    ------
    result : object
    seconds : float
    warnings : list of (type, str)

    Examples
    --------
    >>> from riskml.utils.parallel import run_fits
    >>> [result for result, seconds, caught in run_fits(pow, [(2, 3), (3, 2)], n_jobs=1)]
    [8, 9]
    """
    from joblib import Parallel, cpu_count, delayed

    if n_tasks is None:
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
    yield from _on_threads(function, iter(tasks), workers, max(1, cpu_count() // workers))


def _on_threads(function, tasks, workers: int, threads: int):
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    others = []

    def dispatch(message, category, filename, lineno, file=None, line=None):
        caught = getattr(_budget, "caught", None)
        if caught is not None:  # a task's thread
            silenced_here = getattr(_budget, "silenced", ())
            if not (isinstance(category, type) and issubclass(category, silenced_here)):
                caught.append((category, str(message)))
        else:  # another thread's warning while the tasks run: raised again at the end
            others.append(warnings.WarningMessage(message, category, filename, lineno, file, line))

    pending: deque = deque()
    try:
        # catch_warnings and threadpool_limits restore the process's state on exit,
        # which comes after the pool has finished its running fits (inner finally)
        with threadpool_limits(limits=threads, user_api="blas"), warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = dispatch
            pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="riskml-fit")

            def submit_next() -> None:
                task = next(tasks, None)
                if task is not None:
                    pending.append(pool.submit(_timed, function, task, threads))

            try:
                for _ in range(2 * workers):
                    submit_next()
                while pending:
                    result = pending.popleft().result()
                    submit_next()
                    yield result
            finally:
                for future in pending:
                    future.cancel()
                pool.shutdown(wait=True)
    finally:
        for record in others:
            warnings.warn_explicit(
                record.message,
                record.category,
                record.filename,
                record.lineno,
                source=record.source,
            )


def in_fit_thread() -> bool:
    """Whether this code runs in a task that :func:`run_fits` started on a thread, whose
    warnings run_fits records (``warnings.catch_warnings`` there would race with the
    other tasks: the module's state is process-wide).

    Examples
    --------
    >>> from riskml.utils.parallel import in_fit_thread, run_fits
    >>> in_fit_thread()
    False
    >>> [result for result, _, _ in run_fits(lambda: in_fit_thread(), [(), ()])]
    [True, True]
    """
    return getattr(_budget, "threads", None) is not None


@contextlib.contextmanager
def silenced(category=Warning):
    """Ignore the warnings of ``category`` that the code in the block raises.

    ``warnings.catch_warnings`` with an "ignore" filter does that by changing the
    process-wide filters, so on a :func:`run_fits` thread it would also silence the
    fits running beside this one (and their exits could restore each other's
    filters). There the task's own record drops them instead; elsewhere this is
    ``catch_warnings`` with ``simplefilter("ignore", category)``.

    Parameters
    ----------
    category : type of Warning, default=Warning

    Examples
    --------
    >>> import warnings
    >>> from riskml.utils.parallel import silenced
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     with silenced(RuntimeWarning):
    ...         warnings.warn("dropped", RuntimeWarning)
    ...     warnings.warn("kept", UserWarning)
    >>> [str(w.message) for w in caught]
    ['kept']
    """
    if not in_fit_thread():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category)
            yield
        return
    previous = getattr(_budget, "silenced", ())
    _budget.silenced = (*previous, category)
    try:
        yield
    finally:
        _budget.silenced = previous
