"""Tests for riskml.Outcome: binary and time-to-event outcomes in one type."""

import numpy as np
import pytest

import riskml as rk
from riskml.outcome import check_outcome


def test_binary_outcome_holds_bool_events():
    y = rk.Outcome.binary([0, 1, 1, 0])
    assert y.event.dtype == bool
    assert y.event.tolist() == [False, True, True, False]
    assert y.time is None
    assert not y.is_survival
    assert len(y) == 4


def test_survival_outcome_holds_float_times():
    y = rk.Outcome.survival(time=[10, 20, 30], event=[1, 0, 1])
    assert y.time.dtype == float
    assert y.is_survival
    assert y.kind == "survival"


def test_at_horizon_marks_censored_before_horizon_not_evaluable():
    """Oracle: the definition, applied by hand to each of the five cases."""
    time = [100, 400, 900, 365, 365]
    event = [1, 0, 0, 1, 0]
    label = rk.Outcome.survival(time, event).at_horizon(365)
    # event before h -> 1; censored after h -> 0; censored after h -> 0;
    # event exactly at h -> 1; censored exactly at h -> 0 (observed event-free through h).
    np.testing.assert_array_equal(label, [1.0, 0.0, 0.0, 1.0, 0.0])


def test_at_horizon_censored_early_is_nan_not_zero():
    label = rk.Outcome.survival([50, 1003.5, 5000], [0, 0, 0]).at_horizon(1004)
    assert np.isnan(label[0])
    assert np.isnan(label[1])
    assert label[2] == 0.0


def test_at_horizon_event_after_horizon_is_zero():
    label = rk.Outcome.survival([2000], [1]).at_horizon(1004)
    assert label[0] == 0.0


def test_at_horizon_on_binary_outcome_raises():
    with pytest.raises(ValueError, match="needs a time-to-event outcome"):
        rk.Outcome.binary([0, 1]).at_horizon(365)


@pytest.mark.parametrize("days", [0, -5, np.inf, np.nan])
def test_at_horizon_rejects_bad_horizon(days):
    with pytest.raises(ValueError, match="positive number of days"):
        rk.Outcome.survival([1, 2], [1, 0]).at_horizon(days)


def test_event_with_missing_value_is_refused():
    with pytest.raises(ValueError, match=r"1 missing value\(s\) \(first positions \[2\]\)"):
        rk.Outcome.binary([0, 1, np.nan])


def test_event_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match="must hold only 0 and 1"):
        rk.Outcome.binary([0, 2, 1])


def test_event_text_is_refused_with_type_error():
    with pytest.raises(TypeError, match="0/1 or True/False"):
        rk.Outcome.binary(["yes", "no"])


def test_negative_time_is_refused():
    with pytest.raises(ValueError, match=r"finite and >= 0.*first positions \[1\]"):
        rk.Outcome.survival([5, -1], [1, 0])


def test_length_mismatch_is_refused():
    with pytest.raises(ValueError, match="same length"):
        rk.Outcome.survival([5, 6, 7], [1, 0])


def test_structured_array_matches_scikit_survival():
    """Oracle: scikit-survival's Surv.from_arrays (a test-only dependency, GPL-3)."""
    from sksurv.util import Surv

    expected = Surv.from_arrays(event=[True, False], time=[5.0, 7.5])
    structured = rk.Outcome.survival([5.0, 7.5], [True, False]).to_structured()
    assert structured.dtype.names == expected.dtype.names
    np.testing.assert_array_equal(structured["time"], expected["time"])
    np.testing.assert_array_equal(structured["event"], expected["event"])
    back = check_outcome(expected)
    np.testing.assert_array_equal(back.time, [5.0, 7.5])
    np.testing.assert_array_equal(back.event, [True, False])


def test_check_outcome_accepts_custom_field_names():
    dtype = np.dtype([("status", bool), ("days", float)])
    y = np.array([(True, 3.0), (False, 9.0)], dtype=dtype)
    outcome = check_outcome(y)
    np.testing.assert_array_equal(outcome.time, [3.0, 9.0])
    np.testing.assert_array_equal(outcome.event, [True, False])


def test_check_outcome_rejects_wrong_kind():
    with pytest.raises(ValueError, match="needs a binary outcome"):
        check_outcome(rk.Outcome.survival([1, 2], [1, 0]), allow_survival=False)
    with pytest.raises(ValueError, match="needs a time-to-event outcome"):
        check_outcome(np.array([0, 1]), allow_binary=False)


def test_indexing_keeps_time_and_event_aligned():
    y = rk.Outcome.survival([1, 2, 3, 4], [1, 0, 1, 0])
    sub = y[np.array([3, 0])]
    np.testing.assert_array_equal(sub.time, [4, 1])
    np.testing.assert_array_equal(sub.event, [False, True])


def test_to_y_is_what_fit_takes():
    assert rk.Outcome.binary([True, False]).to_y().tolist() == [1, 0]
    assert rk.Outcome.survival([1], [1]).to_y().dtype.names == ("event", "time")


def test_timedelta_times_are_converted_to_days():
    import pandas as pd

    times = pd.to_timedelta([100, 400, 900], unit="D")
    label = rk.Outcome.survival(times, [1, 0, 0]).at_horizon(365)
    np.testing.assert_array_equal(label, [1.0, 0.0, 0.0])


def test_calendar_dates_are_refused():
    import pandas as pd

    dates = pd.to_datetime(["2020-01-01", "2021-01-01"]).to_numpy()
    with pytest.raises(TypeError, match="calendar dates.*Subtract the index date"):
        rk.Outcome.survival(dates, [1, 0])


def test_scalar_time_is_refused():
    with pytest.raises(ValueError, match="time must be one-dimensional"):
        rk.Outcome.survival(5.0, [1])


@pytest.mark.parametrize("days", [None, "365", True])
def test_at_horizon_rejects_non_numbers(days):
    with pytest.raises(ValueError, match="positive number of days"):
        rk.Outcome.survival([1, 2], [1, 0]).at_horizon(days)


def test_structured_time_first_with_bool_status_takes_the_bool_as_event():
    dtype = np.dtype([("days", float), ("status", bool)])
    y = np.array([(3.0, True), (9.0, False)], dtype=dtype)
    outcome = check_outcome(y)
    np.testing.assert_array_equal(outcome.time, [3.0, 9.0])
    np.testing.assert_array_equal(outcome.event, [True, False])


def test_event_must_be_one_dimensional():
    with pytest.raises(ValueError, match="event must be one-dimensional"):
        rk.Outcome.binary(np.zeros((2, 2)))


def test_structured_y_with_three_fields_is_refused():
    dtype = np.dtype([("a", bool), ("b", float), ("c", float)])
    with pytest.raises(ValueError, match="must have two fields"):
        check_outcome(np.zeros(2, dtype=dtype))


def test_to_structured_needs_survival():
    with pytest.raises(ValueError, match="to_structured needs a time-to-event outcome"):
        rk.Outcome.binary([0, 1]).to_structured()
