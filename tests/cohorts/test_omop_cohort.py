"""The OMOP CDM cohort builder on the two OMOP demos, from CSV files and from PostgreSQL.

Oracle: every attrition row (and the outcome count) is recomputed by an independent DuckDB
SQL query written here, straight on the demo CSV files; the cohort built from PostgreSQL
(the same tables loaded into a scratch schema) must equal the one built from the files.
"""

import gzip
import io
import shutil
import socket
import uuid
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.cohorts import ConceptSet, OmopSource, build_omop_cohort

DATA = Path(__file__).parents[1] / "data"
MIMIC = DATA / "omop_mimic_demo"
SYNTHEA = DATA / "omop_synthea27nj"
SINUSITIS, VIRAL_SINUSITIS, CHRONIC_SINUSITIS = 4283893, 40481087, 257012
# Each demo's design: target, outcome and the options (the test's SQL reads the same ones).
DESIGNS = {
    "synthea": dict(
        folder=SYNTHEA,
        target=ConceptSet([VIRAL_SINUSITIS], name="viral sinusitis"),
        outcome=ConceptSet([260139], name="acute bronchitis"),
        time_at_risk=(1, 3650),
        washout=365,
        require_full_time_at_risk=True,
        covariate_window=(-365, -1),
        min_covariate_count=3,
    ),
    "mimic": dict(
        folder=MIMIC,
        target=ConceptSet([320128], name="essential hypertension"),
        outcome=ConceptSet([4140598], name="sinus tachycardia"),
        time_at_risk=(1, 30),
        washout=0,
        require_full_time_at_risk=False,
        covariate_window=(-365, 0),
        min_covariate_count=10,
    ),
}


def _build(name, source=None, **changes):
    design = {**DESIGNS[name], **changes}
    folder = design.pop("folder")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no concept_ancestor in the demos: warned
        return build_omop_cohort(source or folder, **design)


def _sql_attrition(folder: Path, target, outcome, tar, washout, full) -> list[tuple]:
    """(index events, persons) after each step, by an independent DuckDB query on the CSVs."""

    def table(name):
        return f"read_csv('{folder / (name + '.csv.gz')}', header=true)"

    ids = ", ".join(map(str, target))
    out = ", ".join(map(str, outcome))
    steps = f"""
    WITH ev AS (SELECT DISTINCT person_id, CAST(condition_start_date AS DATE) AS d
                FROM {table("condition_occurrence")} WHERE condition_concept_id IN ({ids})),
    first AS (SELECT person_id, min(d) AS d FROM ev GROUP BY person_id),
    obs AS (SELECT f.person_id, f.d, CAST(o.observation_period_start_date AS DATE) AS os,
                   CAST(o.observation_period_end_date AS DATE) AS oe
            FROM first f JOIN {table("observation_period")} o ON o.person_id = f.person_id
            WHERE f.d BETWEEN CAST(o.observation_period_start_date AS DATE)
                          AND CAST(o.observation_period_end_date AS DATE)),
    wash AS (SELECT * FROM obs WHERE datediff('day', os, d) >= {washout}),
    per AS (SELECT w.* FROM wash w JOIN {table("person")} p ON p.person_id = w.person_id
            WHERE p.year_of_birth IS NOT NULL),
    oc AS (SELECT DISTINCT person_id, CAST(condition_start_date AS DATE) AS od
           FROM {table("condition_occurrence")} WHERE condition_concept_id IN ({out})),
    noprior AS (SELECT * FROM per WHERE NOT EXISTS (
                SELECT 1 FROM oc WHERE oc.person_id = per.person_id AND oc.od < per.d + {tar[0]})),
    tar AS (SELECT *, d + {tar[0]} AS ts, least(d + {tar[1]}, oe) AS te FROM noprior),
    has AS (SELECT * FROM tar WHERE te >= ts),
    fin AS (SELECT * FROM has h WHERE {"oe >= d + " + str(tar[1]) if full else "true"} OR EXISTS (
            SELECT 1 FROM oc WHERE oc.person_id = h.person_id AND oc.od BETWEEN h.ts AND h.te))
    """
    names = ["ev", "first", "obs", "wash", "per", "noprior", "has"] + (["fin"] if full else [])
    counts = " UNION ALL ".join(
        f"SELECT {i} AS k, count(*) AS n, count(DISTINCT person_id) AS p FROM {n}"
        for i, n in enumerate(names)
    )
    events = """SELECT count(*) FROM fin f WHERE EXISTS (SELECT 1 FROM oc
                 WHERE oc.person_id = f.person_id AND oc.od BETWEEN f.ts AND f.te)"""
    rows = duckdb.sql(steps + counts + " ORDER BY k").fetchall()
    n_events = duckdb.sql(steps + events).fetchall()[0][0]
    return [(n, p) for _, n, p in rows], n_events


@pytest.mark.parametrize("name", ["synthea", "mimic"])
def test_attrition_equals_an_independent_sql_query(name):
    design = DESIGNS[name]
    cohort = _build(name)
    expected, n_events = _sql_attrition(
        design["folder"],
        design["target"].concept_ids,
        design["outcome"].concept_ids,
        design["time_at_risk"],
        design["washout"],
        design["require_full_time_at_risk"],
    )
    flow = cohort.flow
    got = list(zip(flow["index_events"], flow["persons"], strict=True))
    assert got == expected
    assert flow["excluded"].iloc[1:].tolist() == [
        a - b for (a, _), (b, _) in zip(expected, expected[1:], strict=False)
    ]
    assert int(cohort.outcome.event.sum()) == n_events
    assert len(cohort) == expected[-1][0] and cohort.groups is not None
    # the cohort's steps are the rows (the first and the last named here)
    assert flow["step"].iloc[0].startswith("target events: ")
    assert 0 < n_events < len(cohort)


def test_age_sex_and_covariates_follow_the_tables():
    cohort = _build("synthea")
    person = duckdb.sql(f"SELECT * FROM read_csv('{SYNTHEA / 'person.csv.gz'}')").df()
    person = person.set_index("person_id")
    index_year = pd.Series([int(i.split(":")[1][:4]) for i in cohort.ids])
    years = person.loc[cohort.groups, "year_of_birth"].to_numpy()
    np.testing.assert_array_equal(cohort.features["age"], index_year - years)
    male = (person.loc[cohort.groups, "gender_concept_id"] == 8507).astype(float).to_numpy()
    np.testing.assert_array_equal(cohort.features["male"], male)
    measured = [c for c in cohort.features if c.startswith("measurement_")]
    assert measured, "the Synthea demo has measurements"
    meta = cohort.metadata.loc[measured]
    assert (meta["unit"] != "").all() and (meta["type"] == "float").all()
    assert "Body mass index" in " ".join(meta["description"])
    # the latest value in the window, by a direct query (one column, every row)
    column = measured[0]
    concept, unit = map(int, column.split("_")[1:])
    rows = duckdb.sql(
        f"SELECT person_id, CAST(measurement_date AS DATE) AS d, measurement_id, value_as_number "
        f"FROM read_csv('{SYNTHEA / 'measurement.csv.gz'}') WHERE measurement_concept_id = "
        f"{concept} AND unit_concept_id = {unit} AND value_as_number IS NOT NULL"
    ).df()
    for row, (pid, key) in enumerate(zip(cohort.groups, cohort.ids, strict=True)):
        index = pd.Timestamp(key.split(":")[1])
        days = (pd.to_datetime(rows["d"]) - index).dt.days
        window = rows[(rows["person_id"] == pid) & (days >= -365) & (days <= -1)]
        window = window.sort_values(["d", "measurement_id"])
        expected = window["value_as_number"].iloc[-1] if len(window) else np.nan
        np.testing.assert_equal(cohort.features[column].iloc[row], expected)


def test_descendants_through_concept_ancestor(tmp_path):
    """Sinusitis (4283893) subsumes viral (40481087) and chronic sinusitis (257012) in the
    demo's concept_relationship ('Is a'); a concept_ancestor with those rows widens the set."""
    folder = tmp_path / "cdm"
    shutil.copytree(SYNTHEA, folder)
    rows = [(SINUSITIS, c) for c in (SINUSITIS, VIRAL_SINUSITIS, CHRONIC_SINUSITIS)]
    pd.DataFrame(rows, columns=["ancestor_concept_id", "descendant_concept_id"]).to_csv(
        folder / "concept_ancestor.csv", index=False
    )
    wide = _build("synthea", source=str(folder), target=ConceptSet([SINUSITIS]))
    narrow = _build(
        "synthea", source=str(folder), target=ConceptSet([SINUSITIS], include_descendants=False)
    )
    expected, _ = _sql_attrition(
        folder, [SINUSITIS, VIRAL_SINUSITIS, CHRONIC_SINUSITIS], [260139], (1, 3650), 365, True
    )
    assert list(zip(wide.flow["index_events"], wide.flow["persons"], strict=True)) == expected
    only, _ = _sql_attrition(folder, [SINUSITIS], [260139], (1, 3650), 365, True)
    assert list(zip(narrow.flow["index_events"], narrow.flow["persons"], strict=True)) == only
    assert expected[0][1] > only[0][1]  # the descendants matter here
    with pytest.warns(UserWarning, match="no concept_ancestor table"):
        build_omop_cohort(
            SYNTHEA,
            target=ConceptSet([SINUSITIS]),
            outcome=ConceptSet([260139], include_descendants=False),
            time_at_risk=(1, 3650),
        )


def test_options_change_the_steps():
    every = _build("synthea", first_exposure_only=False)
    assert "not the person's first" not in " ".join(every.flow["step"])
    assert len(every) > len(_build("synthea")) and len(set(every.ids)) == len(every)
    kept = _build("synthea", remove_prior_outcome=False)
    assert "outcome before" not in " ".join(kept.flow["step"])
    assert len(kept) >= len(_build("synthea"))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="concept_ids must be"):
        ConceptSet([])
    with pytest.raises(ValueError, match="domain must be one of"):
        ConceptSet([1], domain="visit")
    with pytest.raises(ValueError, match="time_at_risk must be"):
        _build("synthea", time_at_risk=(30, 1))
    with pytest.raises(ValueError, match="covariate_window .* must end before"):
        _build("synthea", covariate_window=(-365, 1))
    with pytest.raises(FileNotFoundError, match="neither a folder"):
        OmopSource("/no/such/folder")
    with pytest.raises(TypeError, match="ConceptSet"):
        build_omop_cohort(SYNTHEA, target=[1], outcome=ConceptSet([2]))


@pytest.mark.parametrize("name", ["synthea", "mimic"])
def test_study_end_to_end(name, tmp_path):
    cohort = _build(name)
    with pytest.warns(UserWarning, match="Small (data|sample)"):
        result = rk.Study(
            cohort, models=["logistic"], validation=2, n_boot=50, explain=None, progress=False,
            random_state=0,
        ).run()  # fmt: skip
    assert set(result.summary["model"]) == {"logistic"} and result.summary["n"].max() == len(cohort)
    path = tmp_path / "report.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result.report(path)
    text = path.read_text()
    assert "excluded: index date outside an observation period" in text


# --- PostgreSQL ----------------------------------------------------------------------------

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
TYPES = {"value_as_number": "DOUBLE PRECISION", "concept_name": "TEXT"}


def _pg_type(column: str) -> str:
    if column in TYPES:
        return TYPES[column]
    if column.endswith("_date"):
        return "DATE"
    return "BIGINT"


def _reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def pg_schema():
    """Both demos loaded into scratch schemas of the test database; dropped afterwards."""
    if not _reachable():
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432 (the CI and dev machines run one)")
    pg8000 = pytest.importorskip("pg8000.dbapi", reason="pg8000 (riskml[postgres]) is missing")
    connection = pg8000.connect(user="postgres", host="127.0.0.1", port=5432, database="test")
    connection.autocommit = True
    cursor = connection.cursor()
    schemas = {}
    try:
        for name, folder in (("synthea", SYNTHEA), ("mimic", MIMIC)):
            schema = f"riskml_test_omop_{name}_{uuid.uuid4().hex[:8]}"
            schemas[name] = schema
            cursor.execute(f"CREATE SCHEMA {schema}")
            for path in sorted(folder.glob("*.csv.gz")):
                table = path.name[: -len(".csv.gz")]
                with gzip.open(path, "rb") as handle:
                    data = handle.read()
                header = data.split(b"\n", 1)[0].decode().split(",")
                columns = ", ".join(f"{c} {_pg_type(c)}" for c in header)
                cursor.execute(f"CREATE TABLE {schema}.{table} ({columns})")
                cursor.execute(
                    f"COPY {schema}.{table} FROM STDIN WITH (FORMAT csv, HEADER true)",
                    stream=io.BytesIO(data),
                )
        yield schemas
    finally:
        for schema in schemas.values():
            cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.close()


@pytest.mark.parametrize("name", ["synthea", "mimic"])
def test_postgresql_cohort_equals_the_csv_cohort(name, pg_schema, tmp_path):
    source = OmopSource(PG_URL, schema=pg_schema[name])
    from_pg = _build(name, source=source)
    from_csv = _build(name)
    pd.testing.assert_frame_equal(from_pg.flow, from_csv.flow)
    pd.testing.assert_frame_equal(from_pg.features, from_csv.features)
    pd.testing.assert_frame_equal(from_pg.metadata, from_csv.metadata)
    np.testing.assert_array_equal(from_pg.outcome.event, from_csv.outcome.event)
    np.testing.assert_array_equal(from_pg.ids, from_csv.ids)
    assert "postgresql" in from_pg.source and "password" not in from_pg.source
    with pytest.warns(UserWarning, match="Small (data|sample)"):
        result = rk.Study(
            from_pg, models=["logistic"], validation=2, n_boot=50, explain=None,
            progress=False, random_state=0,
        ).run()  # fmt: skip
    assert set(result.summary["model"]) == {"logistic"}
    source.close()


def test_time_at_risk_is_censored_at_the_end_of_observation(tmp_path):
    """Ending one person's observation the day before their outcome: the outcome no longer
    counts, the time at risk is cut there, and a full time at risk is then missing."""
    cohort = _build("synthea")
    row = int(np.flatnonzero(cohort.outcome.event)[0])
    person, index = cohort.groups[row], pd.Timestamp(cohort.ids[row].split(":")[1])
    days = int(cohort.outcomes["days_to_outcome"].iloc[row])
    folder = tmp_path / "cdm"
    shutil.copytree(SYNTHEA, folder)
    path = folder / "observation_period.csv.gz"
    periods = pd.read_csv(path, dtype=str)
    end = (index + pd.Timedelta(days=days - 1)).strftime("%Y-%m-%d")
    periods.loc[periods["person_id"] == str(person), "observation_period_end_date"] = end
    periods.to_csv(path, index=False)
    partial = _build("synthea", source=str(folder), require_full_time_at_risk=False)
    at = list(partial.ids).index(cohort.ids[row])
    assert partial.outcome.event[at] == 0
    assert partial.outcomes["time_at_risk_days"].iloc[at] == days - 1
    full = _build("synthea", source=str(folder))
    assert cohort.ids[row] not in set(full.ids) and len(full) == len(cohort) - 1
