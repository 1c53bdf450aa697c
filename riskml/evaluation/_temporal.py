"""Temporal validation: develop on the earlier index dates, validate on the later ones.

:class:`TemporalSplit` is a validation scheme for :class:`riskml.Study`: the study
develops (and cross-validates, or internally validates) every model on the patients
indexed before the split date, and evaluates the development fits on the patients
indexed on or after it, as an external validation
(:func:`~riskml.evaluation.external_validation`). It is the "temporal validation" of
TRIPOD (a non-random split by time, between internal and external validation [1]_).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["TemporalPeriods", "TemporalSplit"]


@dataclass(frozen=True)
class TemporalPeriods:
    """The two periods of a temporal split of one cohort.

    Attributes
    ----------
    date_column : str
    split : pandas.Timestamp
        The first index date of the validation period.
    development, validation : ndarray of bool
        Which rows fall in each period.
    first, last : tuple of pandas.Timestamp
        The first and last index date of the development and of the validation period.
    n, events : tuple of int
        Patients and events (at the horizon, for a time-to-event outcome) of the
        development and of the validation period.

    Examples
    --------
    >>> import pandas as pd, riskml as rk
    >>> from riskml.evaluation import TemporalSplit
    >>> dates = pd.date_range("2015-01-01", periods=8, freq="90D")
    >>> outcome = rk.Outcome.binary([0, 1, 0, 1, 1, 0, 0, 1])
    >>> periods = TemporalSplit("d", fraction=0.5, min_events=2).periods(dates, outcome)
    >>> periods.n, periods.events
    ((4, 4), (2, 2))
    >>> periods.describe()[:62]
    'temporal validation by d: developed on index dates 2015-01-01 '
    """

    date_column: str
    split: pd.Timestamp
    development: np.ndarray
    validation: np.ndarray
    first: tuple
    last: tuple
    n: tuple
    events: tuple

    def describe(self) -> str:
        """The periods in words (the report's methods section)."""
        day = "%Y-%m-%d"
        return (
            f"temporal validation by {self.date_column}: developed on index dates "
            f"{self.first[0]:{day}} to {self.last[0]:{day}} (n={self.n[0]}, "
            f"{self.events[0]} events), validated on index dates from "
            f"{self.split:{day}} ({self.first[1]:{day}} to {self.last[1]:{day}}; "
            f"n={self.n[1]}, {self.events[1]} events)"
        )


class TemporalSplit:
    """Temporal validation as a validation scheme for :class:`Study`.

    The cohort is split by an index date: models are developed on the earlier
    patients, with ``cv`` as the development period's own validation (its
    cross-validated or optimism-corrected estimates), and the development fits are
    validated on the later patients (``StudyResult.external``), with intervals.

    Parameters
    ----------
    date_column : str
        The index-date column, in the cohort's ``context`` (or a non-predictor
        feature column): datetime values, or text in ISO 8601 (``2016-01-31``).
    split : date or str, optional
        The first index date of the validation period (development: dates before
        it). Exactly one of ``split`` and ``fraction``.
    fraction : float, optional
        The share of patients, earliest first, to develop on (in (0, 1)); the split
        date is the index date of the first patient after that share, so patients
        indexed on the same day stay in one period.
    cv : int, RepeatedCV or InternalValidation, default=5
        The validation scheme within the development period.
    min_events : int, default=10
        The fewest events (and non-events) each period must have.

    See Also
    --------
    external_validation : the evaluation of the development fits on the later period.

    References
    ----------
    .. [1] Collins GS, Reitsma JB, Altman DG, Moons KGM. Transparent reporting of a
       multivariable prediction model for individual prognosis or diagnosis
       (TRIPOD): the TRIPOD statement. BMJ 2015;350:g7594 (analysis type 2b: a
       non-random split by time).

    Examples
    --------
    >>> from riskml.evaluation import TemporalSplit
    >>> TemporalSplit("admission_date", split="2016-01-01")
    TemporalSplit(date_column='admission_date', split='2016-01-01', cv=5)
    """

    def __init__(self, date_column, *, split=None, fraction=None, cv=5, min_events=10):
        from ._schemes import InternalValidation
        from ._validation import RepeatedCV

        if not isinstance(date_column, str) or not date_column:
            raise TypeError(
                f"date_column of TemporalSplit must be a column name (str); got {date_column!r}."
            )
        if (split is None) == (fraction is None):
            raise ValueError(
                "TemporalSplit needs exactly one of split (the first date of the validation "
                "period, e.g. split='2016-01-01') and fraction (the share of patients to "
                f"develop on, e.g. fraction=0.7); got split={split!r}, fraction={fraction!r}."
            )
        if fraction is not None and (
            isinstance(fraction, bool)
            or not isinstance(fraction, float | int | np.floating)
            or not 0 < fraction < 1
        ):
            raise ValueError(
                f"fraction of TemporalSplit must be a number in (0, 1); got {fraction!r}."
            )
        if split is not None:
            try:
                pd.Timestamp(split)
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"split of TemporalSplit must be a date (e.g. '2016-01-01'); got {split!r}."
                ) from error
        if isinstance(cv, bool) or not (
            (isinstance(cv, int | np.integer) and cv >= 2)
            or isinstance(cv, RepeatedCV | InternalValidation)
        ):
            raise ValueError(
                "cv of TemporalSplit must be an int >= 2 (folds), RepeatedCV or "
                f"InternalValidation (the development period's validation); got {cv!r}."
            )
        if isinstance(min_events, bool) or not isinstance(min_events, int) or min_events < 1:
            raise ValueError(
                f"min_events of TemporalSplit must be an int >= 1; got {min_events!r}."
            )
        self.date_column = date_column
        self.split = split
        self.fraction = fraction
        self.cv = cv
        self.min_events = min_events

    def __repr__(self) -> str:
        where = f"split={self.split!r}" if self.split is not None else f"fraction={self.fraction!r}"
        return f"TemporalSplit(date_column={self.date_column!r}, {where}, cv={self.cv!r})"

    def _dates(self, values) -> pd.Series:
        """The index dates as timestamps; not dates, or missing ones, refused."""
        values = pd.Series(values).reset_index(drop=True)
        if not pd.api.types.is_datetime64_any_dtype(values):
            if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
                raise TypeError(
                    f"the date_column {self.date_column!r} of TemporalSplit must hold dates "
                    f"(datetime values or ISO 8601 text such as '2016-01-31'); it holds "
                    f"{values.dtype} values. Fix: convert it with pandas.to_datetime."
                )
            try:
                values = pd.to_datetime(values, format="ISO8601")
            except (TypeError, ValueError) as error:
                raise TypeError(
                    f"the date_column {self.date_column!r} of TemporalSplit must hold dates; "
                    f"{error}. Fix: convert it with pandas.to_datetime."
                ) from error
        missing = int(values.isna().sum())
        if missing:
            raise ValueError(
                f"the date_column {self.date_column!r} has {missing} missing index date(s); "
                "a patient without one belongs to neither period. Fix: drop those patients "
                "from the cohort (cohort.subset) first."
            )
        return values

    def periods(self, dates, outcome, horizon=None) -> TemporalPeriods:
        """Split patients by their index date.

        Parameters
        ----------
        dates : array-like
            One index date per patient.
        outcome : riskml.Outcome
        horizon : float, optional
            Days; the events counted are those by the horizon (time to event).

        Returns
        -------
        TemporalPeriods
        """
        dates = self._dates(dates)
        if len(dates) != len(outcome):
            raise ValueError(
                f"date_column {self.date_column!r} has {len(dates)} values for "
                f"{len(outcome)} patients."
            )
        if self.split is not None:
            split = pd.Timestamp(self.split)
        else:
            ordered = np.sort(dates.to_numpy())
            split = pd.Timestamp(
                ordered[min(int(np.ceil(self.fraction * len(ordered))), len(ordered) - 1)]
            )
        validation = (dates >= split).to_numpy()
        development = ~validation
        if outcome.is_survival and horizon is not None:
            label = outcome.at_horizon(horizon)
        else:
            label = np.asarray(outcome.event, dtype=float)
        n, events, first, last = [], [], [], []
        for name, rows in (("development", development), ("validation", validation)):
            positives = int(np.sum(label[rows] == 1))
            negatives = int(np.sum(label[rows] == 0))
            if min(positives, negatives) < self.min_events:
                raise ValueError(
                    f"the {name} period of TemporalSplit (index dates "
                    f"{'before' if name == 'development' else 'from'} {split:%Y-%m-%d}) has "
                    f"{positives} events and {negatives} non-events; it needs at least "
                    f"min_events={self.min_events} of each. Fix: move the split "
                    "(split= or fraction=) or lower min_events."
                )
            n.append(int(rows.sum()))
            events.append(positives)
            first.append(dates[rows].min())
            last.append(dates[rows].max())
        return TemporalPeriods(
            self.date_column,
            split,
            development,
            validation,
            tuple(first),
            tuple(last),
            tuple(n),
            tuple(events),
        )
