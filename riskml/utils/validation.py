"""Checks of arguments shared by every riskml package (one module, one message style).

Each check returns the value in its canonical type or raises with scikit-learn's
message form: "The 'name' parameter of function must be ... Got ... instead.".
Checks of a domain (an outcome, a cohort's columns, a model's inputs) live with
that domain; the ones here are about plain arguments.
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path

import numpy as np

__all__ = [
    "check_confidence",
    "check_event_array",
    "check_file",
    "check_fraction",
    "check_int",
    "check_n_jobs",
    "check_one_dimensional",
    "check_option",
    "check_random_state",
    "check_same_length",
]


def _owner(function: str | None) -> str:
    return f" of {function}" if function else ""


def check_random_state(random_state, function: str | None = None) -> np.random.Generator:
    """A :class:`numpy.random.Generator` from a non-negative int, a Generator or None.

    A Generator is returned unchanged (draws continue its stream); an int seeds a
    new one; None draws fresh entropy.

    Examples
    --------
    >>> from riskml.utils import check_random_state
    >>> rng = check_random_state(0)
    >>> int(rng.integers(0, 100)) == int(check_random_state(0).integers(0, 100))
    True
    """
    message = (
        f"The 'random_state' parameter{_owner(function)} must be an int in the range [0, inf), "
        f"a numpy.random.Generator or None. Got {random_state!r} instead."
    )
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.SeedSequence):
        return np.random.default_rng(random_state)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(message)
        return np.random.default_rng(int(random_state))
    raise TypeError(message)


def check_option(value, parameter: str, options, function: str | None = None):
    """``value`` when it is one of ``options``; a ValueError listing them otherwise.

    Examples
    --------
    >>> from riskml.utils import check_option
    >>> check_option("percentile", "ci_type", ("percentile", "bca"))
    'percentile'
    """
    if not isinstance(value, str | bool | None | numbers.Number) or value not in tuple(options):
        listed = ", ".join(repr(option) for option in options)
        raise ValueError(
            f"The '{parameter}' parameter{_owner(function)} must be one of {listed}. "
            f"Got {value!r} instead."
        )
    return value


def check_int(value, parameter: str, function: str | None = None, *, low: int = 1) -> int:
    """An int (not a bool) of at least ``low``.

    Examples
    --------
    >>> from riskml.utils import check_int
    >>> check_int(200, "n_boot")
    200
    >>> check_int(0, "n_boot", "bootstrap_ci")
    Traceback (most recent call last):
    ...
    ValueError: The 'n_boot' parameter of bootstrap_ci must be an int in the range [1, inf). Got 0 instead.
    """
    message = (
        f"The '{parameter}' parameter{_owner(function)} must be an int in the range "
        f"[{low}, inf). Got {value!r} instead."
    )
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(message)
    if value < low:
        raise ValueError(message)
    return int(value)


def check_fraction(
    value, parameter: str, function: str | None = None, *, closed_right: bool = False
) -> float:
    """A real number in (0, 1), or (0, 1] with ``closed_right=True``.

    Examples
    --------
    >>> from riskml.utils import check_fraction
    >>> check_fraction(0.2, "test_size")
    0.2
    """
    interval = "(0, 1]" if closed_right else "(0, 1)"
    message = (
        f"The '{parameter}' parameter{_owner(function)} must be a float in the range "
        f"{interval}. Got {value!r} instead."
    )
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(message)
    if not (0 < value < 1 or (closed_right and value == 1)):
        raise ValueError(message)
    return float(value)


def check_confidence(confidence, function: str | None = None) -> float:
    """A confidence level in (0, 1).

    Examples
    --------
    >>> from riskml.utils import check_confidence
    >>> check_confidence(0.95)
    0.95
    """
    return check_fraction(confidence, "confidence", function)


def check_n_jobs(n_jobs, function: str | None = None) -> int | None:
    """None (one worker) or a non-zero int (-1: all CPUs), as joblib takes it.

    Examples
    --------
    >>> from riskml.utils import check_n_jobs
    >>> check_n_jobs(-1), check_n_jobs(None)
    (-1, None)
    """
    if n_jobs is None:
        return None
    if isinstance(n_jobs, numbers.Integral) and not isinstance(n_jobs, bool) and n_jobs != 0:
        return int(n_jobs)
    raise ValueError(
        f"The 'n_jobs' parameter{_owner(function)} must be None or a non-zero int (-1: all "
        f"CPUs). Got {n_jobs!r} instead."
    )


def check_one_dimensional(values, argument: str, function: str | None = None) -> np.ndarray:
    """``values`` as a 1-D array (one value per patient).

    Examples
    --------
    >>> from riskml.utils import check_one_dimensional
    >>> check_one_dimensional([0.1, 0.5, 0.9], "risk")
    array([0.1, 0.5, 0.9])
    """
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(
            f"{argument}{_owner(function)} must be one-dimensional (one value per patient); "
            f"got shape {array.shape}."
        )
    return array


def check_same_length(function: str | None = None, **arrays) -> None:
    """Refuse inputs of different lengths, or no patients at all.

    Examples
    --------
    >>> from riskml.utils import check_same_length
    >>> check_same_length("roc_auc", event=[0, 1], risk=[0.1])
    Traceback (most recent call last):
    ...
    ValueError: the inputs of roc_auc must have one value per patient; got lengths event=2, risk=1.
    """
    lengths = {name: len(array) for name, array in arrays.items()}
    where = f"of {function} " if function else ""
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name}={length}" for name, length in lengths.items())
        raise ValueError(
            f"the inputs {where}must have one value per patient; got lengths {described}."
        )
    if lengths and min(lengths.values()) == 0:
        raise ValueError(
            f"{function or 'this function'} needs at least one patient; got empty inputs."
        )


_MISSING_EVENT_ADVICE = (
    "an event flag must be 0 or 1 for every patient. Drop those patients, or for a label "
    "at a horizon use Outcome.survival(...).at_horizon(days)."
)


def check_event_array(
    values, argument: str, function: str | None = None, *, missing_advice: str | None = None
) -> np.ndarray:
    """``values`` as a 1-D bool array, refusing NaN and anything that is not 0/1.

    ``missing_advice`` replaces the default advice given for missing values.

    Examples
    --------
    >>> from riskml.utils import check_event_array
    >>> check_event_array([0, 1, True], "event")
    array([False,  True,  True])
    """
    array = check_one_dimensional(values, argument, function)
    if array.dtype == bool:
        return array.copy()
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{argument}{_owner(function)} must hold 0/1 or True/False values; got dtype "
            f"{array.dtype}. Pass the observed outcome as a 0/1 array."
        )
    numeric = array.astype(float)
    missing = np.isnan(numeric)
    if missing.any():
        rows = np.flatnonzero(missing)[:5].tolist()
        count = int(missing.sum())
        raise ValueError(
            f"{argument}{_owner(function)} has {count} NaN: {count} missing value(s) (first "
            f"positions {rows}); {missing_advice or _MISSING_EVENT_ADVICE}"
        )
    bad = ~np.isin(numeric, (0.0, 1.0))
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise ValueError(
            f"{argument}{_owner(function)} must hold only 0 and 1; {int(bad.sum())} value(s) "
            f"are neither (first positions {rows}, e.g. {numeric[bad][0]!r})."
        )
    return numeric.astype(bool)


def check_file(path, what: str) -> Path:
    """``path`` as a :class:`~pathlib.Path` to an existing file (``what`` names it).

    Raises a TypeError for anything but a str or path-like, a FileNotFoundError
    (saying so when it is a folder) when there is no file there.

    Examples
    --------
    >>> import os, tempfile
    >>> from riskml.utils import check_file
    >>> folder = tempfile.mkdtemp()
    >>> try:
    ...     check_file(os.path.join(folder, "missing.csv"), "the cohort file")
    ... except FileNotFoundError as error:
    ...     print(type(error).__name__)
    FileNotFoundError
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"path must be a file path (str or pathlib.Path); got {type(path).__name__}."
        )
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no {what} at {str(path)!r}" + (" (it is a folder)." if path.is_dir() else ".")
        )
    return path
