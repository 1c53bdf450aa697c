"""The horizon at which a saved model predicts (:func:`check_horizon`)."""

from __future__ import annotations

import math
import warnings

from ..errors import InputError, InputWarning
from ._wording import _fmt

__all__ = ["check_horizon"]


def check_horizon(
    horizon, info: dict, *, option: str = "horizon", needed: bool = False, labels: bool = False
):
    """The horizon at which a saved model predicts, or an error when it has no meaning.

    Parameters
    ----------
    horizon : float or None
        Days, as asked for; None: the horizon stored in the model file.
    info : dict
        The model file's header (:func:`riskml.persistence.read_model_info`).
    option : str
        How the horizon is named in messages (``"--horizon"`` for the CLI).
    needed : bool, default=False
        Refuse a time-to-event model without any horizon (its ``predict_risk``
        would give a linear predictor, not a risk).
    labels : bool, default=False
        The horizon defines the outcome labels of a validation cohort: then a
        model of a binary outcome without a stored horizon accepts one (the horizon
        at which its 0/1 outcome was defined, e.g. 30 for a 30-day readmission).

    Returns
    -------
    float or None

    Raises
    ------
    riskml.errors.InputError
        A horizon that is not a positive number; any horizon for a model of a
        binary outcome; another horizon than the one a binary model was trained
        at (it predicts that one only); a horizon beyond the training follow-up
        of a time-to-event model (its baseline hazard is unknown there).

    Examples
    --------
    >>> from riskml.deployment import check_horizon
    >>> info = {"outcome_kind": "survival", "horizon_days": 365.0,
    ...         "inputs": {"followup": {"max_days": 1000.0}}}
    >>> check_horizon(None, info)
    365.0
    >>> check_horizon(730, info)
    730.0
    """
    kind = info.get("outcome_kind")
    stored = info.get("horizon_days")
    followup = (info.get("inputs") or {}).get("followup") or {}
    if horizon is not None:
        value = _asked(horizon, kind, stored, option, labels)
    else:
        value = None if stored is None else float(stored)
    if kind == "survival":
        _check_against_followup(value, followup, option, needed)
    return value


def _asked(horizon, kind, stored, option: str, labels: bool) -> float:
    """A horizon given by the user: a positive number of days the model can predict at."""
    try:
        value = float(horizon)
    except (TypeError, ValueError):
        raise InputError(
            f"{option} must be a positive number of days; got {str(horizon)[:40]!r}."
        ) from None
    if not math.isfinite(value) or value <= 0 or isinstance(horizon, bool):
        raise InputError(
            f"{option} must be a positive, finite number of days; got {str(horizon)[:40]}."
        )
    if kind == "binary" and stored is None and not labels:
        raise InputError(
            f"{option} has no meaning for this model: it predicts a binary outcome, "
            "P(event), without a horizon (it was trained on a 0/1 outcome). Fix: leave "
            f"{option} out; to predict by a day, fit a model on a time-to-event outcome."
        )
    if kind == "binary" and stored is not None and not math.isclose(value, float(stored)):
        raise InputError(
            f"{option} {value:g} differs from the horizon this model was trained at: it "
            f"predicts P(event by day {float(stored):g}) and nothing else. Fix: leave "
            f"{option} out (or give {float(stored):g}); for another horizon, fit a model at "
            "that horizon."
        )
    return value


def _check_against_followup(value, followup: dict, option: str, needed: bool) -> None:
    """A time-to-event model's horizon within its training follow-up (and given when
    ``needed``); warned about before the first event."""
    if value is not None:
        longest = followup.get("max_days")
        if longest is not None and value > float(longest):
            raise InputError(
                f"{option} {value:g} days lies beyond the training follow-up (the longest was "
                f"{float(longest):g} days, the last event at "
                f"{_fmt(followup.get('last_event_days'))} days): the model's baseline hazard "
                f"is unknown there, so its risks would be guesses. Fix: a {option} of at most "
                f"{float(longest):g} days."
            )
        first = followup.get("first_event_days")
        if first is not None and value < float(first):
            warnings.warn(
                f"{option} {value:g} days comes before the first event in training (day "
                f"{float(first):g}): the baseline hazard is 0 there, so every risk is 0. Check "
                f"the horizon (in days) and its unit.",
                InputWarning,
                stacklevel=4,
            )
    elif needed:
        longest = followup.get("max_days")
        raise InputError(
            f"this time-to-event model stores no horizon, so it needs {option} DAYS: without "
            "one it gives a log relative hazard, not a risk"
            + (f" (training follow-up up to {float(longest):g} days)" if longest else "")
            + f". Fix: pass {option} DAYS."
        )
