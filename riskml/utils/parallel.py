"""How many threads a model fit may use."""

from __future__ import annotations

__all__ = ["fit_threads"]


def fit_threads(n_jobs) -> int:
    """Threads for one model fit: ``n_jobs`` as given, or for None every core at the
    top level and one inside a joblib worker (whose siblings already use the other cores).

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
        backend, _ = get_active_backend()
        return cpu_count() if getattr(backend, "nesting_level", 0) == 0 else 1
    return int(n_jobs)
