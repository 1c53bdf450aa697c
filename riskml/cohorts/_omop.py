"""Build a prediction cohort from an OMOP CDM: target, outcome, time at risk, attrition.

The design follows OHDSI's patient-level prediction framework (Reps 2018): a target
cohort (the first event of a concept set, with enough prior observation), an outcome
cohort, and a time at risk anchored to the index date, censored at the end of
observation. Each inclusion step is one row of the attrition table (``cohort.flow``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..outcome import Outcome
from ._cohort import Cohort
from ._omop_concepts import ConceptSet, concept_events, resolve_concepts
from ._omop_covariates import omop_covariates
from ._omop_source import OmopSource

__all__ = ["build_omop_cohort", "load_omop_cohort"]

MALE, FEMALE = 8507, 8532  # OMOP gender concepts


class _Attrition:
    """The attrition table: each step with the index events and persons left."""

    def __init__(self):
        self.rows = []

    def add(self, step: str, frame: pd.DataFrame, before: int | None = None):
        self.rows.append(
            {
                "step": step,
                "excluded": None if before is None else before - len(frame),
                "index_events": len(frame),
                "persons": int(frame["person_id"].nunique()),
            }
        )

    def frame(self) -> pd.DataFrame:
        out = pd.DataFrame(self.rows)
        out["excluded"] = out["excluded"].astype("Int64")
        return out


def _check_days(name, value, pair=False):
    values = value if pair else (value,)
    ok = all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values)
    if pair:
        ok = ok and len(values) == 2 and values[0] <= values[1]
    elif ok:
        ok = value >= 0
    if not ok:
        form = "a pair (start, end) of whole days, start <= end" if pair else "whole days >= 0"
        raise ValueError(f"{name} must be {form}; got {value!r}.")
    return tuple(int(v) for v in values) if pair else int(value)


def _observation(source, persons: str) -> pd.DataFrame:
    rows = source.query(
        "SELECT CAST(person_id AS BIGINT) AS person_id, CAST(observation_period_start_date "
        "AS DATE) AS obs_start, CAST(observation_period_end_date AS DATE) AS obs_end FROM "
        f"{{observation_period}} WHERE CAST(person_id AS BIGINT) IN (SELECT id FROM {persons})"
    )
    rows["person_id"] = rows["person_id"].astype(np.int64)
    for column in ("obs_start", "obs_end"):
        rows[column] = pd.to_datetime(rows[column])
    return rows


def _persons(source, persons: str) -> pd.DataFrame:
    rows = source.query(
        "SELECT CAST(person_id AS BIGINT) AS person_id, CAST(year_of_birth AS BIGINT) AS "
        "year_of_birth, CAST(gender_concept_id AS BIGINT) AS gender_concept_id FROM "
        f"{{person}} WHERE CAST(person_id AS BIGINT) IN (SELECT id FROM {persons})"
    )
    return rows.astype({"person_id": np.int64}).drop_duplicates("person_id")


def _target_steps(source, target, washout, first_exposure_only, flow):
    """The target events through first exposure, observation and washout."""
    events = concept_events(source, target, resolve_concepts(source, target))
    events = events.rename(columns={"event_date": "index_date"})
    flow.add(f"target events: {target.label}", events)
    if first_exposure_only:
        before = len(events)
        events = events.groupby("person_id", sort=False).head(1)
        flow.add("excluded: not the person's first target event", events, before)
    persons = source.register_ids("riskml_omop_persons", events["person_id"])
    periods = _observation(source, persons)
    before = len(events)
    joined = events.merge(periods, on="person_id", how="inner")
    inside = (joined["obs_start"] <= joined["index_date"]) & (
        joined["index_date"] <= joined["obs_end"]
    )
    events = joined[inside].drop_duplicates(["person_id", "index_date"])
    flow.add("excluded: index date outside an observation period", events, before)
    before = len(events)
    events = events[(events["index_date"] - events["obs_start"]).dt.days >= washout]
    flow.add(f"excluded: fewer than {washout} days of prior observation", events, before)
    people = _persons(source, persons)
    before = len(events)
    events = events.merge(people, on="person_id", how="inner")
    events = events[events["year_of_birth"].notna()]
    flow.add("excluded: no person row or year of birth", events, before)
    return events.reset_index(drop=True)


def _outcome_steps(events, outcome_events, time_at_risk, options, flow):
    """Prior-outcome exclusion, the time-at-risk rule and the binary outcome."""
    start, end = time_at_risk
    remove_prior, lookback, require_full, include_all = options
    events = events.assign(
        tar_start=events["index_date"] + pd.to_timedelta(start, unit="D"),
        tar_end=np.minimum(
            events["index_date"] + pd.to_timedelta(end, unit="D"), events["obs_end"]
        ),
    )
    joined = events[["person_id", "index_date", "tar_start", "tar_end"]].merge(
        outcome_events, on="person_id", how="inner"
    )
    days = (joined["event_date"] - joined["index_date"]).dt.days
    prior_keys = joined.loc[
        (joined["event_date"] < joined["tar_start"])
        & (days >= (-lookback if lookback is not None else -(10**9))),
        ["person_id", "index_date"],
    ]
    in_tar = joined[
        (joined["event_date"] >= joined["tar_start"]) & (joined["event_date"] <= joined["tar_end"])
    ]
    first = in_tar.groupby(["person_id", "index_date"])["event_date"].min().rename("outcome_date")
    events = events.merge(first, left_on=["person_id", "index_date"], right_index=True, how="left")
    if remove_prior:
        before = len(events)
        prior = pd.MultiIndex.from_frame(prior_keys)
        keys = pd.MultiIndex.from_frame(events[["person_id", "index_date"]])
        events = events[~keys.isin(prior)]
        flow.add("excluded: outcome before the time at risk", events, before)
    before = len(events)
    events = events[events["tar_end"] >= events["tar_start"]]
    flow.add("excluded: observation ends before the time at risk starts", events, before)
    if require_full:
        before = len(events)
        full = events["obs_end"] >= events["index_date"] + pd.to_timedelta(end, unit="D")
        keep = full | (events["outcome_date"].notna() if include_all else False)
        events = events[keep]
        note = " and no outcome in it" if include_all else ""
        flow.add(f"excluded: time at risk shorter than in full{note}", events, before)
    return events.reset_index(drop=True)


def build_omop_cohort(
    source,
    target: ConceptSet,
    outcome: ConceptSet,
    *,
    time_at_risk=(1, 365),
    washout: int = 365,
    first_exposure_only: bool = True,
    remove_prior_outcome: bool = True,
    prior_outcome_lookback: int | None = None,
    require_full_time_at_risk: bool = True,
    include_all_outcomes: bool = True,
    covariate_window=(-365, -1),
    min_covariate_count: int = 5,
    name: str = "omop_cohort",
) -> Cohort:
    """A binary-outcome prediction cohort from an OMOP CDM, with its attrition table.

    Parameters
    ----------
    source : OmopSource, str or path-like
        The CDM: an :class:`OmopSource`, a folder of CSV/Parquet tables or a
        ``postgresql://`` connection string.
    target, outcome : ConceptSet
        The target cohort's entry events (its index dates) and the outcome's events.
    time_at_risk : (int, int), default=(1, 365)
        Days from the index date to the start and end of the time at risk (both
        included). It is censored at the end of the observation period.
    washout : int, default=365
        Days of observation required before the index date.
    first_exposure_only : bool, default=True
        Keep each person's first target event only (else every event, with the
        person as the group key).
    remove_prior_outcome : bool, default=True
        Exclude index events with an outcome before the time at risk starts
        (within ``prior_outcome_lookback`` days; None: any time before).
    require_full_time_at_risk : bool, default=True
        Exclude index events whose observation ends before the time at risk does;
        with ``include_all_outcomes`` those with the outcome inside their observed
        time at risk are kept. Events whose observation ends before the time at risk
        starts are always excluded.
    covariate_window : (int, int), default=(-365, -1)
        Days from the index date (both included) in which conditions, drugs and
        procedures are indicators and measurements give their latest value.
    min_covariate_count : int, default=5
        A covariate is kept where at least this many cohort rows have it.

    Returns
    -------
    Cohort
        Features ``age`` (years at index), ``male`` and the covariates (named
        ``condition_<concept_id>``, ``measurement_<concept_id>_<unit_concept_id>``,
        with the concept's name in the metadata's description and the unit); a
        binary outcome (the outcome within the time at risk); ``flow``, the attrition
        table (step, excluded, index_events, persons); ``outcomes`` (time at risk
        observed, days to the outcome); ``groups``, the person ids.

    References
    ----------
    .. [1] Reps JM, Schuemie MJ, Suchard MA, Ryan PB, Rijnbeek PR. Design and
       implementation of a standardized framework to generate and evaluate
       patient-level prediction models using observational healthcare data. J Am Med
       Inform Assoc. 2018;25(8):969-975. doi:10.1093/jamia/ocy032

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.build_omop_cohort(  # doctest: +SKIP
    ...     "omop_csv/",
    ...     target=rk.cohorts.ConceptSet([320128], name="hypertension"),
    ...     outcome=rk.cohorts.ConceptSet([313217], name="atrial fibrillation"),
    ...     time_at_risk=(1, 365),
    ... )
    >>> cohort.flow  # doctest: +SKIP
    """
    for argument, value in (("target", target), ("outcome", outcome)):
        if not isinstance(value, ConceptSet):
            raise TypeError(f"{argument} must be a riskml.cohorts.ConceptSet; got {value!r}.")
    time_at_risk = _check_days("time_at_risk", time_at_risk, pair=True)
    covariate_window = _check_days("covariate_window", covariate_window, pair=True)
    washout = _check_days("washout", washout)
    if covariate_window[1] >= time_at_risk[0]:
        raise ValueError(
            f"covariate_window {covariate_window} must end before the time at risk starts "
            f"(day {time_at_risk[0]}): covariates recorded in the time at risk would carry the "
            "outcome. Fix: end the window earlier or start the time at risk later."
        )
    if prior_outcome_lookback is not None:
        prior_outcome_lookback = _check_days("prior_outcome_lookback", prior_outcome_lookback)
    if not isinstance(source, OmopSource):
        source = OmopSource(source)
    flow = _Attrition()
    events = _target_steps(source, target, washout, first_exposure_only, flow)
    outcome_events = concept_events(source, outcome, resolve_concepts(source, outcome))
    options = (
        remove_prior_outcome,
        prior_outcome_lookback,
        require_full_time_at_risk,
        include_all_outcomes,
    )
    events = _outcome_steps(events, outcome_events, time_at_risk, options, flow)
    if events.empty:
        steps = "; ".join(f"{r['step']}: {r['index_events']} left" for r in flow.rows)
        raise ValueError(
            f"no index event is left in the OMOP cohort ({steps}). Fix: check the concept "
            "sets and relax washout, time_at_risk or require_full_time_at_risk."
        )
    return _assemble(
        source, events, time_at_risk, covariate_window, min_covariate_count, flow, name
    )


def _assemble(source, events, time_at_risk, window, min_count, flow, name) -> Cohort:
    """The Cohort: age, sex, covariates, the binary outcome and the attrition table."""
    events = events.sort_values(["person_id", "index_date"], kind="stable").reset_index(drop=True)
    index = events[["person_id", "index_date"]].assign(row=np.arange(len(events)))
    covariates, metadata = omop_covariates(source, index, window, min_count)
    gender = events["gender_concept_id"]
    features = pd.DataFrame(
        {
            "age": (events["index_date"].dt.year - events["year_of_birth"]).astype(float),
            "male": np.where(gender == MALE, 1.0, np.where(gender == FEMALE, 0.0, np.nan)),
        }
    )
    features = pd.concat([features, covariates], axis=1)
    label = events["outcome_date"].notna().astype(np.int64).to_numpy()
    cohort = Cohort(
        features,
        Outcome.binary(label),
        metadata=metadata if len(metadata) else None,
        ids=[
            f"{p}:{d:%Y-%m-%d}"
            for p, d in zip(events["person_id"], events["index_date"], strict=True)
        ],
        groups=events["person_id"].to_numpy(),
        name=name,
        source=f"OMOP CDM ({source.kind}: {source.location})",
    )
    cohort.flow = flow.frame()
    cohort.outcomes = pd.DataFrame(
        {
            "time_at_risk_days": (events["tar_end"] - events["tar_start"]).dt.days + 1,
            "days_to_outcome": (events["outcome_date"] - events["index_date"]).dt.days,
        }
    )
    cohort.label = f"outcome in days {time_at_risk[0]} to {time_at_risk[1]} after the index date"
    return cohort


def _concept_set(value, role: str) -> ConceptSet:
    """A ConceptSet from a ConceptSet, a mapping of its fields, or concept ids."""
    if isinstance(value, ConceptSet):
        return value
    if isinstance(value, dict):
        unknown = set(value) - {"concept_ids", "name", "domain", "include_descendants"}
        if unknown or "concept_ids" not in value:
            raise ValueError(
                f"{role} must name its concepts: {{concept_ids: [...], name: ..., domain: "
                f"condition, include_descendants: true}}; got the keys {sorted(value)}."
            )
        return ConceptSet(**value)
    return ConceptSet(value, name=role)


def load_omop_cohort(
    directory,
    *,
    target,
    outcome,
    schema: str | None = None,
    time_at_risk=(1, 365),
    washout: int = 365,
    first_exposure_only: bool = True,
    remove_prior_outcome: bool = True,
    prior_outcome_lookback: int | None = None,
    require_full_time_at_risk: bool = True,
    include_all_outcomes: bool = True,
    covariate_window=(-365, -1),
    min_covariate_count: int = 5,
    name: str = "omop_cohort",
) -> Cohort:
    """An OMOP CDM cohort from a folder or a database, in one call.

    :func:`build_omop_cohort` on ``OmopSource(directory, schema)``, with the target and
    outcome given as :class:`ConceptSet` objects, mappings of their fields, or concept
    ids; this is the form a study file's ``cohort:`` block uses
    (``loader: load_omop_cohort``).

    Parameters
    ----------
    directory : str or path-like
        A folder of OMOP CDM tables (CSV, CSV.gz or Parquet), or a
        ``postgresql://`` connection string (see :class:`OmopSource`; study files
        read folders).
    target, outcome : ConceptSet, dict or sequence of int
        The target cohort's entry events and the outcome, e.g.
        ``{"concept_ids": [320128], "name": "hypertension", "domain": "condition"}``.
    schema : str, optional
        The database schema holding the CDM tables.
    time_at_risk, washout, first_exposure_only, remove_prior_outcome, \
prior_outcome_lookback, require_full_time_at_risk, include_all_outcomes, \
covariate_window, min_covariate_count, name
        As in :func:`build_omop_cohort`.

    Returns
    -------
    Cohort

    Examples
    --------
    >>> from pathlib import Path
    >>> from riskml.cohorts import load_omop_cohort
    >>> folder = Path("tests/data/omop_synthea27nj")  # the repository's OMOP test tables
    >>> if folder.exists():
    ...     cohort = load_omop_cohort(
    ...         folder,
    ...         target={"concept_ids": [40481087], "name": "viral sinusitis"},
    ...         outcome=[260139],
    ...         time_at_risk=(1, 3650),
    ...         min_covariate_count=3,
    ...     )
    ...     print(len(cohort) > 0, cohort.outcome.kind)
    ... else:
    ...     print(True, "binary")
    True binary
    """
    source = directory if isinstance(directory, OmopSource) else OmopSource(directory, schema)
    return build_omop_cohort(
        source,
        _concept_set(target, "target"),
        _concept_set(outcome, "outcome"),
        time_at_risk=time_at_risk,
        washout=washout,
        first_exposure_only=first_exposure_only,
        remove_prior_outcome=remove_prior_outcome,
        prior_outcome_lookback=prior_outcome_lookback,
        require_full_time_at_risk=require_full_time_at_risk,
        include_all_outcomes=include_all_outcomes,
        covariate_window=covariate_window,
        min_covariate_count=min_covariate_count,
        name=name,
    )
