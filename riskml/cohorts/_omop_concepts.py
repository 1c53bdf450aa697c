"""Concept sets of an OMOP CDM: standard concepts, their descendants, their events."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["DOMAINS", "ConceptSet"]

#: Each domain's event table, concept column and start-date column (CDM 5.3 and 5.4).
DOMAINS = {
    "condition": ("condition_occurrence", "condition_concept_id", "condition_start_date"),
    "drug": ("drug_exposure", "drug_concept_id", "drug_exposure_start_date"),
    "procedure": ("procedure_occurrence", "procedure_concept_id", "procedure_date"),
    "measurement": ("measurement", "measurement_concept_id", "measurement_date"),
    "observation": ("observation", "observation_concept_id", "observation_date"),
}


@dataclass(frozen=True)
class ConceptSet:
    """A set of OMOP concepts in one domain: a target or an outcome cohort's entry events.

    Parameters
    ----------
    concept_ids : int or sequence of int
        The standard concept ids (e.g. 320128, essential hypertension).
    name : str, optional
        A readable name for the attrition table and the report (default: the ids).
    domain : {"condition", "drug", "procedure", "measurement", "observation"}, default="condition"
        The event table searched (condition_occurrence, drug_exposure, ...).
    include_descendants : bool, default=True
        Add every descendant of the concepts through the vocabulary's
        ``concept_ancestor`` table, as ATLAS concept sets do (Hripcsak 2015).

    References
    ----------
    .. [1] OHDSI. The Book of OHDSI, chapter 10 "Defining Cohorts". 2021.
       https://ohdsi.github.io/TheBookOfOhdsi/Cohorts.html

    Examples
    --------
    >>> from riskml.cohorts import ConceptSet
    >>> ConceptSet(320128, name="essential hypertension")  # doctest: +NORMALIZE_WHITESPACE
    ConceptSet(concept_ids=(320128,), name='essential hypertension', domain='condition',
               include_descendants=True)
    """

    concept_ids: tuple = field(default=())
    name: str | None = None
    domain: str = "condition"
    include_descendants: bool = True

    def __post_init__(self):
        ids = self.concept_ids
        ids = [ids] if isinstance(ids, int | np.integer) else list(ids)
        if not ids or any(
            isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0 for v in ids
        ):
            raise ValueError(
                "concept_ids must be one or more positive integer OMOP concept ids; got "
                f"{self.concept_ids!r}. Fix: e.g. ConceptSet([320128], name='hypertension')."
            )
        if self.domain not in DOMAINS:
            raise ValueError(f"domain must be one of {sorted(DOMAINS)}; got {self.domain!r}.")
        object.__setattr__(self, "concept_ids", tuple(int(v) for v in ids))

    @property
    def label(self) -> str:
        """The set's readable name."""
        return self.name or f"{self.domain} concepts {', '.join(map(str, self.concept_ids))}"


def _id_list(ids) -> str:
    return ", ".join(str(int(v)) for v in sorted(set(ids)))


def resolve_concepts(source, concept_set: ConceptSet) -> list[int]:
    """The set's concept ids with, where asked, their descendants from concept_ancestor.

    A CDM without a concept_ancestor table (or with an empty one) keeps the listed
    concepts only, with a warning.
    """
    ids = set(concept_set.concept_ids)
    if not concept_set.include_descendants:
        return sorted(ids)
    if not source.has("concept_ancestor"):
        warnings.warn(
            f"the OMOP CDM has no concept_ancestor table, so {concept_set.label!r} keeps its "
            "listed concepts without their descendants. Fix: add the vocabulary's "
            "concept_ancestor table, or pass include_descendants=False.",
            UserWarning,
            stacklevel=3,
        )
        return sorted(ids)
    rows = source.query(
        "SELECT DISTINCT CAST(descendant_concept_id AS BIGINT) AS concept_id FROM "
        "{concept_ancestor} WHERE CAST(ancestor_concept_id AS BIGINT) IN (" + _id_list(ids) + ")"
    )
    if rows.empty:
        warnings.warn(
            f"concept_ancestor lists no descendant of {concept_set.label!r} (not even the "
            "concepts themselves, as a full vocabulary does): the set keeps its listed "
            "concepts only. Fix: load the full vocabulary's concept_ancestor table.",
            UserWarning,
            stacklevel=3,
        )
    return sorted(ids | {int(v) for v in rows["concept_id"]})


def concept_events(source, concept_set: ConceptSet, concept_ids) -> pd.DataFrame:
    """The set's events (person_id, event_date), one row per person and day."""
    table, concept, date = DOMAINS[concept_set.domain]
    rows = source.query(
        f"SELECT DISTINCT CAST(person_id AS BIGINT) AS person_id, CAST({date} AS DATE) AS "
        f"event_date FROM {{{table}}} WHERE CAST({concept} AS BIGINT) IN "
        f"({_id_list(concept_ids)}) AND {date} IS NOT NULL"
    )
    rows["person_id"] = rows["person_id"].astype(np.int64)
    rows["event_date"] = pd.to_datetime(rows["event_date"])
    return rows.sort_values(["person_id", "event_date"], kind="stable").reset_index(drop=True)


def concept_labels(source, concept_ids) -> dict[int, str]:
    """Each concept's concept_name (empty where the CDM has no concept row)."""
    ids = [int(v) for v in concept_ids]
    if not ids or not source.has("concept"):
        return {}
    rows = source.query(
        "SELECT CAST(concept_id AS BIGINT) AS concept_id, CAST(concept_name AS VARCHAR) AS "
        "concept_name FROM {concept} WHERE CAST(concept_id AS BIGINT) IN (" + _id_list(ids) + ")"
    )
    return {
        int(i): str(n)
        for i, n in zip(rows["concept_id"], rows["concept_name"], strict=True)
        if pd.notna(n)
    }
