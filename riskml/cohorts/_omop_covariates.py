"""Baseline covariates of an OMOP cohort, in a window of days before each index date."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._omop_concepts import DOMAINS, concept_labels

__all__ = ["omop_covariates"]

INDICATOR_DOMAINS = ("condition", "drug", "procedure")


def _domain_rows(source, domain: str, persons: str) -> pd.DataFrame:
    """The cohort persons' (person_id, concept_id, date) rows of one domain."""
    table, concept, date = DOMAINS[domain]
    rows = source.query(
        f"SELECT DISTINCT CAST(person_id AS BIGINT) AS person_id, CAST({concept} AS BIGINT) "
        f"AS concept_id, CAST({date} AS DATE) AS event_date FROM {{{table}}} WHERE "
        f"CAST(person_id AS BIGINT) IN (SELECT id FROM {persons}) AND {date} IS NOT NULL "
        f"AND CAST({concept} AS BIGINT) <> 0"
    )
    return rows.astype({"person_id": np.int64, "concept_id": np.int64}).assign(
        event_date=lambda f: pd.to_datetime(f["event_date"])
    )


def _in_window(rows: pd.DataFrame, index: pd.DataFrame, window) -> pd.DataFrame:
    """The rows joined to each cohort row (row, person_id, index_date), within the window."""
    joined = rows.merge(index, on="person_id", how="inner")
    days = (joined["event_date"] - joined["index_date"]).dt.days
    return joined[(days >= window[0]) & (days <= window[1])]


def _measurements(source, index, window, persons, min_count):
    """The latest numeric value of each measurement (concept, unit) in the window."""
    rows = source.query(
        "SELECT CAST(person_id AS BIGINT) AS person_id, CAST(measurement_id AS BIGINT) AS "
        "measurement_id, CAST(measurement_concept_id AS BIGINT) AS concept_id, "
        "CAST(measurement_date AS DATE) AS event_date, CAST(value_as_number AS DOUBLE "
        "PRECISION) AS value, CAST(unit_concept_id AS BIGINT) AS unit_id FROM {measurement} "
        f"WHERE CAST(person_id AS BIGINT) IN (SELECT id FROM {persons}) AND value_as_number "
        "IS NOT NULL AND measurement_date IS NOT NULL AND CAST(measurement_concept_id AS "
        "BIGINT) <> 0"
    )
    rows["event_date"] = pd.to_datetime(rows["event_date"])
    rows["unit_id"] = rows["unit_id"].fillna(0).astype(np.int64)
    rows = _in_window(rows, index, window)
    rows = rows.sort_values(["row", "concept_id", "unit_id", "event_date", "measurement_id"])
    latest = rows.groupby(["row", "concept_id", "unit_id"], sort=True).tail(1)
    counts = latest.groupby(["concept_id", "unit_id"])["row"].nunique()
    keep = counts[counts >= min_count].index  # a constant value is left to the Study's check
    latest = latest.set_index(["concept_id", "unit_id"]).loc[lambda f: f.index.isin(keep)]
    latest = latest.reset_index()
    wide = latest.pivot_table(
        index="row", columns=["concept_id", "unit_id"], values="value", aggfunc="last"
    )
    return wide.reindex(index["row"])


def omop_covariates(source, index: pd.DataFrame, window, min_count: int):
    """Indicators (conditions, drugs, procedures) and latest measurement values.

    Parameters
    ----------
    index : pandas.DataFrame
        One row per cohort row: ``row`` (0..n-1), ``person_id``, ``index_date``.
    window : (int, int)
        Days relative to the index date, both ends included (e.g. (-365, -1)).
    min_count : int
        A covariate is kept where at least this many cohort rows have it.

    Returns
    -------
    features, metadata : pandas.DataFrame
    """
    persons = source.register_ids("riskml_omop_persons", index["person_id"])
    columns, described = {}, {}
    span = f"days {window[0]} to {window[1]} from the index date"
    for domain in INDICATOR_DOMAINS:
        if not source.has(DOMAINS[domain][0]):
            continue
        rows = _in_window(_domain_rows(source, domain, persons), index, window)
        pairs = rows[["row", "concept_id"]].drop_duplicates()
        counts = pairs["concept_id"].value_counts()
        # a concept in every row (the target's own, say) carries no information
        kept = counts[(counts >= min_count) & (counts < len(index))].index
        for concept_id in sorted(kept):
            present = pairs.loc[pairs["concept_id"] == concept_id, "row"]
            name = f"{domain}_{concept_id}"
            columns[name] = index["row"].isin(present).astype(np.int64).to_numpy()
            described[name] = (domain, int(concept_id), None, "bool")
    if source.has("measurement"):
        wide = _measurements(source, index, window, persons, min_count)
        for concept_id, unit_id in wide.columns:
            name = f"measurement_{concept_id}_{unit_id}"
            columns[name] = wide[(concept_id, unit_id)].to_numpy(dtype=float)
            described[name] = ("measurement", int(concept_id), int(unit_id), "float")
    features = pd.DataFrame(columns, index=range(len(index)))
    return features, _metadata(source, described, span)


def _metadata(source, described: dict, span: str) -> pd.DataFrame:
    """Each covariate's type, unit and readable description (concept_name)."""
    ids = {c for _, c, _, _ in described.values()} | {u for _, _, u, _ in described.values() if u}
    labels = concept_labels(source, ids)
    rows = {}
    for name, (domain, concept_id, unit_id, kind) in described.items():
        label = labels.get(concept_id, f"concept {concept_id}")
        unit = "" if unit_id is None else labels.get(unit_id, "") or f"unit concept {unit_id}"
        what = "latest value" if domain == "measurement" else "any record"
        rows[name] = {
            "type": kind,
            "unit": unit,
            "role": "predictor",
            "post_index": False,
            "description": f"{label} ({domain}, concept {concept_id}; {what}, {span})",
        }
    return pd.DataFrame.from_dict(
        rows, orient="index", columns=["type", "unit", "role", "post_index", "description"]
    )
