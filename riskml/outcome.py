"""Binary and time-to-event outcomes in one type.

A binary outcome is an event flag per patient. A time-to-event outcome adds the
time (days from the index time to the event or to censoring). Both are held by
:class:`Outcome`, so that every model and metric in riskml takes the same ``y``.

For scikit-learn's ``fit(X, y)`` signature a time-to-event outcome travels as a
structured array with the fields ``event`` (bool) and ``time`` (float), as in
scikit-survival's ``Surv.from_arrays``; :func:`check_outcome` turns any accepted
form back into an :class:`Outcome`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .utils.validation import check_event_array

__all__ = ["Outcome", "check_outcome", "horizon_label", "kaplan_meier", "kaplan_meier_at"]

SURVIVAL_DTYPE = np.dtype([("event", bool), ("time", float)])


def _as_days(time) -> np.ndarray:
    """Times as float days; timedeltas are converted, calendar dates refused."""
    array = np.asarray(time)
    if array.ndim != 1:
        raise ValueError(
            f"time must be one-dimensional (one value per patient); got shape {array.shape}."
        )
    if array.dtype.kind == "m":
        return array / np.timedelta64(1, "D")
    if array.dtype.kind == "M":
        raise TypeError(
            "time holds calendar dates; riskml needs days from the index time. Subtract the "
            "index date, e.g. (end_date - index_date).dt.days."
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(f"time must be numeric (days); got dtype {array.dtype}.")
    return array.astype(float)


def horizon_label(time, event, days: float) -> np.ndarray:
    """1.0 for an event by ``days``, 0.0 for follow-up reaching ``days`` without one, else NaN.

    The one definition of a label at a horizon, shared by :meth:`Outcome.at_horizon`,
    the schema checks and the generators. Rows with a missing time or event get NaN.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=float)
    label = np.full(time.shape, np.nan)
    with np.errstate(invalid="ignore"):
        label[(time >= days) & ~np.isnan(event)] = 0.0
        label[(event == 1) & (time <= days)] = 1.0
    return label


class Outcome:
    """A binary or time-to-event outcome.

    Build one with :meth:`binary` or :meth:`survival` rather than the constructor.

    Parameters
    ----------
    event : array-like of bool, shape (n_samples,)
        True where the event was observed.
    time : array-like of float, shape (n_samples,), or None
        Days from the index time to the event or to censoring; None for a binary
        outcome.
    name : str, default="outcome"
        A label used in reports.

    Attributes
    ----------
    event : ndarray of bool
    time : ndarray of float or None

    Notes
    -----
    Censoring is treated as non-informative, as in the Kaplan-Meier estimator and
    Harrell's C. A binary label at a horizon is *derived* with :meth:`at_horizon`,
    never by treating a patient censored before the horizon as event-free.

    Examples
    --------
    >>> import riskml as rk
    >>> y = rk.Outcome.survival(time=[100, 200, 900], event=[1, 0, 0])
    >>> y.at_horizon(365)
    array([ 1., nan,  0.])
    """

    def __init__(self, event, time=None, *, name: str = "outcome"):
        self.event = check_event_array(event, "event")
        if time is None:
            self.time = None
        else:
            time_array = _as_days(time)
            if time_array.shape != self.event.shape:
                raise ValueError(
                    f"time and event must have the same length; got {time_array.shape[0]} "
                    f"times and {self.event.shape[0]} event flags."
                )
            bad = ~np.isfinite(time_array) | (time_array < 0)
            if bad.any():
                rows = np.flatnonzero(bad)[:5].tolist()
                raise ValueError(
                    f"time must be finite and >= 0 (days from the index time); {bad.sum()} "
                    f"value(s) are not (first positions {rows}, e.g. {time_array[bad][0]!r})."
                )
            self.time = time_array
        self.name = name

    @classmethod
    def binary(cls, y, *, name: str = "outcome") -> Outcome:
        """A binary outcome from a 0/1 (or bool) array."""
        return cls(y, None, name=name)

    @classmethod
    def survival(cls, time, event, *, name: str = "outcome") -> Outcome:
        """A right-censored time-to-event outcome.

        Parameters
        ----------
        time : array-like of float
            Days from the index time to the event or to censoring.
        event : array-like of bool or 0/1
            1 where the event was observed, 0 where follow-up was censored.
        """
        return cls(event, time, name=name)

    @property
    def is_survival(self) -> bool:
        """True for a time-to-event outcome."""
        return self.time is not None

    @property
    def kind(self) -> str:
        """``"survival"`` or ``"binary"``."""
        return "survival" if self.is_survival else "binary"

    def __len__(self) -> int:
        return self.event.shape[0]

    def __getitem__(self, index) -> Outcome:
        time = None if self.time is None else self.time[index]
        return Outcome(self.event[index], time, name=self.name)

    def __repr__(self) -> str:
        events = int(self.event.sum())
        if self.is_survival:
            return (
                f"Outcome.survival(n={len(self)}, events={events}, "
                f"median_time={np.median(self.time):.0f} days, name={self.name!r})"
            )
        return f"Outcome.binary(n={len(self)}, events={events}, name={self.name!r})"

    def at_horizon(self, days: float) -> np.ndarray:
        """Binary label "event by ``days``", NaN where it cannot be known.

        Parameters
        ----------
        days : float
            The horizon, in days from the index time.

        Returns
        -------
        label : ndarray of float, shape (n_samples,)
            1.0 for an event at or before ``days``; 0.0 for follow-up reaching
            ``days`` without an event (an event after ``days`` counts as 0); NaN for
            a patient censored before ``days`` without an event, who is not
            evaluable.
        """
        if not self.is_survival:
            raise ValueError(
                "at_horizon needs a time-to-event outcome; this one is binary. Build it "
                "with Outcome.survival(time, event)."
            )
        if (
            isinstance(days, bool)
            or not isinstance(days, int | float | np.integer | np.floating)
            or not np.isfinite(days)
            or days <= 0
        ):
            raise ValueError(f"days must be a positive number of days; got {days!r}.")
        return horizon_label(self.time, self.event, days)

    def evaluable_at(self, days: float) -> np.ndarray:
        """Boolean mask of the patients whose status at ``days`` is known."""
        return ~np.isnan(self.at_horizon(days))

    def to_structured(self) -> np.ndarray:
        """A structured array ``(event, time)`` for ``fit(X, y)`` (survival only)."""
        if not self.is_survival:
            raise ValueError("to_structured needs a time-to-event outcome.")
        out = np.empty(len(self), dtype=SURVIVAL_DTYPE)
        out["event"] = self.event
        out["time"] = self.time
        return out

    def to_y(self) -> np.ndarray:
        """The ``y`` that scikit-learn style ``fit`` takes: structured or 0/1 ints."""
        return self.to_structured() if self.is_survival else self.event.astype(int)

    def to_frame(self) -> pd.DataFrame:
        """A DataFrame with columns ``event`` and, for survival, ``time``."""
        frame = pd.DataFrame({"event": self.event})
        if self.is_survival:
            frame["time"] = self.time
        return frame


def check_outcome(y, *, allow_binary: bool = True, allow_survival: bool = True) -> Outcome:
    """Turn any accepted ``y`` into an :class:`Outcome`.

    Accepted: an :class:`Outcome`; a structured array with fields ``event`` and
    ``time`` (or any two fields, the bool one taken as the event flag; otherwise
    the first, as in scikit-survival's ``Surv.from_arrays``); a 1-D 0/1 array for
    a binary outcome.
    """
    if isinstance(y, Outcome):
        outcome = y
    elif isinstance(y, np.ndarray) and y.dtype.names is not None:
        names = y.dtype.names
        if len(names) != 2:
            raise ValueError(
                f"a structured survival y must have two fields (event, time); got {names}."
            )
        if "event" in names and "time" in names:
            event_field, time_field = "event", "time"
        elif y.dtype[names[1]].kind == "b" and y.dtype[names[0]].kind != "b":
            time_field, event_field = names  # (time, event) order, e.g. ("days", "status")
        else:
            event_field, time_field = names
        outcome = Outcome.survival(y[time_field], y[event_field])
    else:
        array = np.asarray(y)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array.ravel()
        outcome = Outcome.binary(array)
    if outcome.is_survival and not allow_survival:
        raise ValueError(
            "this estimator needs a binary outcome; got a time-to-event outcome. Derive a "
            "label with outcome.at_horizon(days) and drop the patients it marks NaN."
        )
    if not outcome.is_survival and not allow_binary:
        raise ValueError(
            "this estimator needs a time-to-event outcome (event and time); got a binary "
            "one. Pass Outcome.survival(time, event).to_structured()."
        )
    return outcome


# -- Kaplan-Meier: the one estimator of riskml ------------------------------------------------
def kaplan_meier(time, event, *, censoring: bool = False):
    """Kaplan-Meier estimate at the distinct times: ``(times, survival, greenwood)``.

    Every Kaplan-Meier estimate in riskml comes from here: observed risk in
    calibration, IPCW weights, net benefit, the cohort's risk by a horizon and its
    reverse-Kaplan-Meier follow-up, and the baseline survival a published score is
    recalibrated to.

    Parameters
    ----------
    time : array-like of float
    event : array-like of bool
    censoring : bool, default=False
        Estimate the censoring distribution G instead ("reverse" Kaplan-Meier): the
        censorings are the events, and patients with an event at a time leave the
        risk set before the censorings at that time (censoring just after events, as
        scikit-survival's ``CensoringDistributionEstimator``).

    Returns
    -------
    times : ndarray
        Distinct follow-up times, ascending (censoring times included).
    survival : ndarray
        ``S(t)`` at ``times`` (right-continuous; 1 before the first time).
    greenwood : ndarray
        The running Greenwood sum ``sum d / (n (n - d))`` (``inf`` once ``S`` reaches 0).

    References
    ----------
    .. [1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
       J Am Stat Assoc 1958;53:457-81.

    Examples
    --------
    >>> times, survival, _ = kaplan_meier([2, 3, 3, 5], [1, 1, 0, 1])
    >>> times.tolist(), survival.round(4).tolist()
    ([2.0, 3.0, 5.0], [0.75, 0.5, 0.0])
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    times, inverse = np.unique(time, return_inverse=True)
    n_total = np.bincount(inverse, minlength=times.shape[0]).astype(float)
    n_events = np.bincount(inverse, weights=event.astype(float), minlength=times.shape[0])
    at_risk = time.shape[0] - np.r_[0.0, np.cumsum(n_total)[:-1]]
    if censoring:
        at_risk = at_risk - n_events
        n_events = n_total - n_events
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(n_events > 0, n_events / at_risk, 0.0)
        terms = np.where(n_events > 0, n_events / (at_risk * (at_risk - n_events)), 0.0)
    return times, np.cumprod(1.0 - ratio), np.cumsum(terms)


def kaplan_meier_at(time, event, horizon: float, *, tail: str = "kaplan_meier"):
    """``(S(horizon), Greenwood sum at horizon)`` of the Kaplan-Meier estimate.

    A right-continuous step function: an event on the horizon day counts. Beyond the
    last follow-up time: ``tail="kaplan_meier"`` gives 0 if the estimate reached 0
    (the last patients had the event) and NaN otherwise; ``tail="dcurves"`` NaN
    either way (R and Python dcurves); ``tail="hold"`` the last value (lifelines'
    ``survival_function_at_times``).

    Examples
    --------
    >>> kaplan_meier_at([2, 3, 3, 5], [1, 1, 0, 1], 4)[0]
    0.5
    """
    time = np.asarray(time, dtype=float)
    if time.shape[0] == 0:
        return np.nan, np.nan
    times, survival, greenwood = kaplan_meier(time, event)
    if times[-1] < horizon and tail != "hold":
        if tail == "kaplan_meier" and survival[-1] == 0:
            return 0.0, np.inf
        return np.nan, np.nan
    position = np.searchsorted(times, horizon, side="right") - 1
    if position < 0:
        return 1.0, 0.0
    return float(survival[position]), float(greenwood[position])
