"""Argument checks shared by the evaluation modules (one message style, one place).

Each check names the argument and the function, says what was expected and what
was received (a type, a count, positions: never a patient's value), and how to fix
it. They complement :mod:`riskml.utils.validation`, whose checks they call.
"""

from __future__ import annotations

import contextlib
import contextvars
import numbers
import warnings

import numpy as np
import pandas as pd

from ..utils.validation import check_confidence

__all__ = [
    "NEAR_CONSTANT",
    "already_warned",
    "warn_degenerate",
    "check_array_argument",
    "check_confidence_level",
    "check_horizon_in_follow_up",
    "check_outcome_argument",
    "check_time_array",
    "describe_number",
    "spread_of",
    "warn_if_constant",
]

# Predicted risks (or scores) whose whole range is at most this (relative to their size,
# at least 1) are "practically constant": differences of 1e-8 in a probability are
# rounding noise, not a ranking or a calibration to assess.
NEAR_CONSTANT = 1e-8


def describe_number(value) -> str:
    """A number as a reader wants it: ``365``, ``0.3``, ``1e+06`` (never ``np.float64(...)``)."""
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return repr(value)


def _type_name(value) -> str:
    return "None" if value is None else type(value).__name__


def check_array_argument(values, argument: str, function: str, *, what: str) -> np.ndarray:
    """``values`` as an array, refusing what cannot be one value per patient.

    ``None``, text, a mapping, a set or a single number get a ``TypeError`` naming
    the type received; ``what`` says what each value is (e.g. "predicted risk").
    An object array of numbers (pandas' nullable dtypes, ``pd.NA`` as missing) is
    converted to floats; one holding text is refused with the count and first
    positions of the text values.
    """
    if values is None or isinstance(values, str | bytes | dict | set | numbers.Number):
        raise TypeError(
            f"{argument} of {function} must be an array with one {what} per patient; got "
            f"{_type_name(values)}. Pass a list, numpy array or pandas Series of numbers."
        )
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise TypeError(
                f"{argument} of {function} must be one column (one {what} per patient); got a "
                f"DataFrame with {values.shape[1]} columns. Pass the column, e.g. frame['name']."
            )
        values = values.iloc[:, 0]
    if (
        isinstance(values, pd.Series)
        and not isinstance(values.dtype, np.dtype)
        and (pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values))
    ):
        # pandas extension dtypes (Float64, Int64, boolean): missing values as NaN
        values = values.to_numpy(dtype=float, na_value=np.nan)
    array = np.asarray(values)
    if array.dtype == object and array.ndim == 1:
        text = np.array([isinstance(v, str | bytes) for v in array], dtype=bool)
        if text.any():
            raise TypeError(
                f"{argument} of {function} must be numeric; {int(text.sum())} value(s) are text "
                f"(first positions {np.flatnonzero(text)[:5].tolist()}). Convert it with "
                "pandas.to_numeric(values) after fixing those entries, or pass the model's "
                f"{what} as numbers."
            )
        numeric = np.array(
            [
                v is None
                or v is pd.NA
                or (isinstance(v, numbers.Real) and not isinstance(v, bool))
                or isinstance(v, bool | np.bool_)
                for v in array
            ],
            dtype=bool,
        )
        if numeric.all():
            array = np.array(
                [np.nan if (v is None or v is pd.NA) else float(v) for v in array], dtype=float
            )
    return array


def check_confidence_level(confidence, function: str) -> float:
    """A confidence level in (0, 1); a percentage such as 95 gets the fix ``0.95``."""
    if (
        isinstance(confidence, numbers.Real)
        and not isinstance(confidence, bool)
        and 50 <= confidence < 100
    ):
        raise ValueError(
            f"The 'confidence' parameter of {function} must be a float in the range (0, 1). "
            f"Got {confidence!r} instead: a percentage. Pass confidence="
            f"{describe_number(confidence / 100)} for a {describe_number(confidence)}% interval."
        )
    try:
        return check_confidence(confidence, function)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{error} Pass e.g. confidence=0.95 for a 95% interval.") from None


def check_time_array(time, function: str, argument: str = "time") -> np.ndarray:
    """Follow-up times as a 1-D float array: finite, >= 0, with a fix in each message."""
    if isinstance(time, pd.Series) and pd.api.types.is_datetime64_any_dtype(time.dtype):
        raise TypeError(
            f"{argument} of {function} holds calendar dates; riskml needs days from the index "
            "time. Subtract the index date, e.g. (end_date - index_date).dt.days."
        )
    array = check_array_argument(time, argument, function, what="follow-up time (days)")
    if array.ndim != 1:
        raise ValueError(
            f"{argument} of {function} must be one-dimensional (one follow-up time per "
            f"patient); got shape {array.shape}."
        )
    if array.dtype.kind == "m":
        return array / np.timedelta64(1, "D")
    if array.dtype.kind == "M":
        raise TypeError(
            f"{argument} of {function} holds calendar dates; riskml needs days from the index "
            "time. Subtract the index date, e.g. (end_date - index_date).dt.days."
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{argument} of {function} must be numeric (days from the index time to the event "
            f"or censoring); got dtype {array.dtype}. Convert it with pandas.to_numeric."
        )
    array = array.astype(float)
    missing = np.isnan(array)
    if missing.any():
        raise ValueError(
            f"{argument} of {function} has {int(missing.sum())} missing value(s) (first "
            f"positions {np.flatnonzero(missing)[:5].tolist()}); every patient needs a "
            "follow-up time. Drop those patients or fill in their follow-up."
        )
    infinite = np.isinf(array)
    if infinite.any():
        raise ValueError(
            f"{argument} of {function} has {int(infinite.sum())} infinite value(s) (first "
            f"positions {np.flatnonzero(infinite)[:5].tolist()}); a follow-up time is a "
            "finite number of days. Use the date of the last contact for patients still "
            "followed."
        )
    negative = array < 0
    if negative.any():
        raise ValueError(
            f"{argument} of {function} has {int(negative.sum())} negative value(s) (first "
            f"positions {np.flatnonzero(negative)[:5].tolist()}); a follow-up time counts days "
            "from the index date, so it is >= 0. Check the order of the dates subtracted "
            "(end - index) and drop patients whose event precedes the index date."
        )
    return array


def check_horizon_in_follow_up(horizon, time: np.ndarray, function: str) -> float:
    """A horizon (days) that is a finite positive number within the follow-up."""
    message = (
        f"The 'horizon' parameter of {function} must be a positive number of days (e.g. "
        f"horizon=365). Got {horizon!r} instead."
    )
    if isinstance(horizon, str):
        raise TypeError(
            f"{message} Pass a number, e.g. horizon={describe_number(horizon)}"
            if _is_number_text(horizon)
            else message
        )
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Real):
        raise TypeError(message)
    if not np.isfinite(horizon) or horizon <= 0:
        raise ValueError(message)
    if time.shape[0] and horizon > time.max():
        quoted = (
            f" (the longest follow-up is {describe_number(time.max())} days)"
            if time.shape[0] >= 20
            else ""
        )
        median = f", e.g. its median ({describe_number(np.median(time))} days)" if quoted else ""
        raise ValueError(
            f"{function}: horizon={describe_number(horizon)} days is beyond the follow-up: no "
            f"patient is followed that long{quoted}, so the risk by the horizon cannot be "
            f"estimated. Choose a horizon within the follow-up{median}."
        )
    return float(horizon)


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def spread_of(values: np.ndarray) -> tuple[float, bool]:
    """``(range, practically_constant)`` of finite values (NEAR_CONSTANT, relative)."""
    if values.shape[0] == 0:
        return 0.0, True
    spread = float(values.max() - values.min())
    scale = max(1.0, float(np.abs(values).max()))
    return spread, spread <= NEAR_CONSTANT * scale


# Inside already_warned() (in this thread), warnings about degenerate predictions are not
# repeated: the public function that was called gave them once, before calling others.
_QUIET = contextvars.ContextVar("riskml_degenerate_warned", default=False)


@contextlib.contextmanager
def already_warned():
    """Silence the warnings about degenerate predictions inside (given once already)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def warn_degenerate(message: str, stacklevel: int = 3) -> bool:
    """Issue a warning about degenerate predictions, unless inside :func:`already_warned`."""
    if _QUIET.get():
        return False
    warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)
    return True


def warn_if_constant(
    values: np.ndarray, argument: str, function: str, consequence: str, near: str = ""
) -> bool:
    """Warn when every value of ``values`` is (practically) the same; returns whether it is.

    ``consequence`` says what identical values do to the metric (e.g. "the AUC of 0.5
    comes from ties alone"), ``near`` what values differing only by rounding noise do
    (default: the same words).
    """
    if values.shape[0] < 2:
        return False
    spread, constant = spread_of(values)
    if not constant:
        return False
    if spread == 0:
        what = f"every value of {argument} is the same ({describe_number(values[0])})"
    else:
        what = f"the values of {argument} differ by at most {spread:.1g}, practically constant"
        consequence = near or consequence
    warn_degenerate(
        f"{function}: {what}: {consequence} Check the model that produced them: one that "
        "predicts the same risk for every patient has learned nothing from the predictors "
        "(e.g. an intercept-only fit, too strong a penalty, or predictions of the wrong "
        "column)."
    )
    return True


def check_outcome_argument(y, function: str, argument: str = "y"):
    """``y`` as an :class:`~riskml.outcome.Outcome`, with the argument and the fix named.

    Refuses what cannot be an outcome before :func:`riskml.outcome.check_outcome`
    reads it: None, text (e.g. a column name), a single number, a mapping, or a
    DataFrame (whose columns riskml cannot guess).
    """
    from ..outcome import Outcome, check_outcome

    if isinstance(y, Outcome):
        return y
    fix = (
        "Pass the outcome itself: a 0/1 array for a binary outcome, or "
        "rk.Outcome.survival(time, event) for a time-to-event one"
    )
    if y is None or isinstance(y, str | bytes | dict | set | numbers.Number):
        raise TypeError(
            f"{argument} of {function} must be the observed outcome of every patient; got "
            f"{_type_name(y)}" + (f" {y!r}" if isinstance(y, str) else "") + f". {fix} (e.g. "
            "cohort.outcome)."
        )
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise TypeError(
                f"{argument} of {function} is a DataFrame with {y.shape[1]} columns "
                f"{[str(c) for c in y.columns][:5]}; riskml does not guess which is the time "
                f"and which the event. {fix}, e.g. rk.Outcome.survival(frame['time'], "
                "frame['event'])."
            )
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series) and not isinstance(y.dtype, np.dtype):
        y = check_array_argument(y, argument, function, what="outcome")
    try:
        return check_outcome(y)
    except (TypeError, ValueError) as error:
        text = str(error)
        if text.startswith(("event ", "time ")):
            text = f"{argument} of {function}: {text}"
        raise type(error)(text) from None
