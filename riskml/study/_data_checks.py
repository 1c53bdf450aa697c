"""Pre-flight checks of a study's data, before the first fit.

Is the horizon evaluable (cases and controls by then), does every training fold hold
both classes, does a predictor leak the outcome, and is the cohort large enough for its
candidate predictors (Riley et al. 2019/2020)?
"""

from __future__ import annotations

import warnings

import numpy as np

from ..cohorts import check_predictors

__all__ = ["QUOTED_MIN_PATIENTS", "check_data", "check_horizon_evaluable"]

#: Below this many patients, messages quote no follow-up distribution (it would be theirs).
QUOTED_MIN_PATIENTS = 20


def check_horizon_evaluable(outcome, horizon: float, which: str) -> None:
    """Refuse a horizon by which ``which`` has no case or no control.

    One definition of "event-free at the horizon" (:func:`riskml.outcome.horizon_label`):
    an event at or before ``h`` is a case; follow-up reaching ``h`` without one, a
    control. The message gives the follow-up distribution, so that a horizon in the
    wrong unit (months for a cohort in days) is recognised.
    """
    label = outcome.at_horizon(horizon)
    cases, controls = int(np.sum(label == 1)), int(np.sum(label == 0))
    if cases and controls:
        return
    time = np.asarray(outcome.time, dtype=float)
    events = time[np.asarray(outcome.event, dtype=bool)]
    if time.size < QUOTED_MIN_PATIENTS:
        # a handful of patients: their own follow-up times would be quoted
        raise ValueError(
            f"horizon={horizon:g} days cannot be evaluated in {which}: {cases} case(s) with "
            f"the event by day {horizon:g} and {controls} control(s) followed to it without "
            f"the event, among only {time.size} patients (their follow-up is not quoted). "
            + (
                "An outcome without events cannot be evaluated at any horizon."
                if events.size == 0
                else "Times are in days: check the horizon's unit, and choose one with both "
                "cases and controls."
            )
        )
    q1, median, q3 = np.quantile(time, [0.25, 0.5, 0.75])
    spread = (
        f"its follow-up runs from {time.min():,.0f} to {time.max():,.0f} days (median "
        f"{median:,.0f}, quartiles {q1:,.0f}-{q3:,.0f})"
        + (
            f" and its {events.size:,} events fall between day {events.min():,.0f} and day "
            f"{events.max():,.0f} (median {np.median(events):,.0f})"
            if events.size
            else " and it has no events"
        )
    )
    raise ValueError(
        f"horizon={horizon:g} days cannot be evaluated in {which}: "
        f"{_what_is_missing(cases, controls)} "
        f"({cases} case(s) with the event by day {horizon:g}, {controls} control(s) "
        f"followed to it without the event; a patient counts as event-free at the "
        f"horizon when follow-up reaches it without an event). In {which}, {spread}."
        f"{_horizon_advice(horizon, time, events, controls)}."
    )


def _what_is_missing(cases: int, controls: int) -> str:
    if controls == 0 and cases == 0:
        return "no patient has the event by then or is followed to it event-free"
    if controls == 0:
        return "no patient is followed to it event-free (no controls)"
    return "no patient has the event by then (no cases)"


def _horizon_advice(horizon, time, events, controls) -> str:
    """A guess at a unit mistake, then the advice (capitalised, without the full stop)."""
    if controls == 0:
        advice = f"choose a horizon no later than the longest follow-up ({time.max():,.0f} days)"
    elif events.size:
        advice = f"choose a horizon after the first event (day {events.min():,.0f})"
    else:
        advice = "an outcome without events cannot be evaluated at any horizon"
    guess = ""
    if events.size and horizon < events.min() and horizon * 30.4375 <= time.max():
        guess = (
            f" Is the horizon in days? Times are in days: {horizon:g} months would be "
            f"horizon={horizon * 30.4375:,.0f}, {horizon:g} weeks horizon={horizon * 7:,.0f}."
        )
    return f"{guess} {advice[0].upper() + advice[1:]}"


def check_data(cohort, settings) -> tuple[dict, list]:
    """Evaluability per fold and the sample-size judgement, before any fit.

    Returns
    -------
    sample_size : dict
        Events per candidate predictor parameter, the minimum sample size and the
        judgement (also warned when small).
    trusted_findings : list of str
        What the leakage guards would have said of the trusted predictors.
    """
    horizon = settings.horizon
    outcome = cohort.outcome
    if int(outcome.event.sum()) == 0:
        raise ValueError("the outcome has no events: no model can be developed or validated.")
    # leakage, quasi-identifiers and constant predictors, before anything is fitted
    trusted_findings = check_predictors(
        cohort.features,
        outcome,
        cohort.predictors,
        horizon=horizon,
        trusted=settings.trusted_predictors,
    )
    if outcome.is_survival and horizon is not None:
        label = outcome.at_horizon(horizon)
        learning = label  # binary learners train on this label
    else:
        label = learning = outcome.event.astype(float)
    events, non_events = int(np.sum(label == 1)), int(np.sum(label == 0))
    if outcome.is_survival and horizon is None:
        events, non_events = int(outcome.event.sum()), int((~outcome.event).sum())
    _check_folds(cohort, settings, learning, events, non_events)
    info = _sample_size(cohort, horizon, events, non_events)
    message = _sample_size_message(info, outcome, horizon)
    info["judgement"] = message or "adequate by the Riley et al. criteria"
    if message:
        warnings.warn(f"Small sample: {message}", UserWarning, stacklevel=4)
    return info, trusted_findings


def _check_folds(cohort, settings, learning, events: int, non_events: int) -> None:
    """Every training fold holds both classes for the binary learners."""
    from ..evaluation import InternalValidation, cv_folds

    validation, horizon = settings.validation, settings.horizon
    if isinstance(validation, InternalValidation):
        # the cross-validation schemes' folds; the bootstrap schemes have none
        validation = None if validation.bootstrap else validation.cv
    if validation is None:
        return
    try:
        folds = cv_folds(
            cohort.outcome, cv=validation, groups=cohort.groups, random_state=settings.random_state
        )
    except ValueError as error:
        raise ValueError(
            str(error).replace("cv=", "validation=")
            + " (Study's validation= parameter; validation=OptimismBootstrap() needs "
            "no folds)"
        ) from error
    binary_learners = [n for n, p in settings.pipelines.items() if p.outcome_kind == "binary"]
    if not binary_learners:
        return
    for repeat in np.atleast_2d(folds):
        for k in np.unique(repeat):
            train = learning[repeat != k]
            if np.sum(train == 1) == 0 or np.sum(train == 0) == 0:
                raise ValueError(
                    f"training fold {k + 1} has {int(np.sum(train == 1))} event(s) and "
                    f"{int(np.sum(train == 0))} non-event(s), so "
                    f"{', '.join(binary_learners)} cannot be fitted there. The cohort "
                    f"has {events} events and {non_events} non-events"
                    + (" by the horizon" if horizon is not None else "")
                    + "; use fewer folds (validation=2 or 3), a later horizon, or "
                    "validation=OptimismBootstrap()."
                )


def _sample_size(cohort, horizon, events: int, non_events: int) -> dict:
    """Events per candidate predictor parameter and the Riley et al. minimum."""
    from ..evaluation import minimum_sample_size

    outcome = cohort.outcome
    n_parameters = 0
    for column in cohort.predictors:
        if cohort.metadata.loc[column, "type"] == "cat":
            n_parameters += max(cohort.features[column].nunique() - 1, 1)
        else:
            n_parameters += 1
    n = len(cohort)
    info = {
        "n": n,
        "events": events,
        "non_events": non_events,
        "candidate_parameters": n_parameters,
        "events_per_parameter": min(events, non_events) / n_parameters,
    }
    try:
        if outcome.is_survival:
            person_time = float(np.sum(outcome.time))
            timepoint = horizon if horizon is not None else float(np.median(outcome.time))
            required = minimum_sample_size(
                "survival",
                n_parameters,
                rate=float(outcome.event.sum()) / person_time,
                timepoint=timepoint,
                mean_followup=person_time / n,
            )
        else:
            required = minimum_sample_size("binary", n_parameters, prevalence=events / max(n, 1))
        info["minimum_n"] = required.n_required
        info["minimum_events"] = required.events_required
        info["criteria"] = required.criteria
        info["anticipated_r2_cs"] = required.r2_cs
        info["r2_source"] = required.r2_source
    except ValueError as error:
        info["minimum_n"] = None
        info["note"] = str(error)
    return info


def _sample_size_message(info: dict, outcome, horizon) -> str | None:
    """The small-sample warning, or None when the cohort is large enough."""
    n, events, non_events = info["n"], info["events"], info["non_events"]
    epp = info["events_per_parameter"]
    if outcome.is_survival and horizon is not None:
        counts = (
            f"{events:,} with the event by day {horizon:g} and {non_events:,} event-free "
            "at the horizon"
        )
        smaller = "the events" if events <= non_events else "the patients event-free"
    elif outcome.is_survival:
        counts = f"{events:,} events and {non_events:,} censored without one"
        smaller = "the events" if events <= non_events else "the patients without one"
    else:
        counts = f"{events:,} events and {non_events:,} non-events"
        smaller = "the events" if events <= non_events else "the non-events"
    if info.get("minimum_n") is not None and n < info["minimum_n"]:
        return (
            f"the cohort has {n:,} patients ({counts}) for {info['candidate_parameters']} "
            f"candidate predictor parameters ({epp:.1f} events per parameter, counting "
            f"{smaller}, the smaller group); the Riley et al. minimum sample size criteria "
            f"ask for {info['minimum_n']:,} patients (about {info['minimum_events']:,.0f} "
            f"events, with the {info['r2_source']}). Expect overfitting: prefer penalised "
            "models, fewer candidate predictors (selection=), and read the optimism-"
            "corrected or cross-validated estimates, not apparent ones."
        )
    if epp < 10:
        return (
            f"{epp:.1f} events per candidate predictor parameter (fewer than 10; "
            f"{counts}, counting {smaller}, the smaller group): estimates may be "
            "unstable and optimistic."
        )
    return None
