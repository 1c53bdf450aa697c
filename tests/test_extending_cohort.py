"""docs/extending.md, "Add a cohort loader": a user's own table, described by a schema file
of their own, loaded into a Cohort and run through Study, without editing riskml.

Oracle: pandas on the same table (row counts, events, the unit conversion), and scikit-learn's
``roc_auc_score`` on the Study's out-of-fold risks.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import riskml as rk
from riskml.cohorts import SchemaError, cohort_from_frame, load_schema

SCHEMA = textwrap.dedent(
    """\
    name: ward_readmission
    description: Readmission within 30 days of discharge from one ward (a user's own extract).
    id_column: stay_id
    group_column: null
    outcome:
      kind: binary
      name: readmission
      event: readmitted_30d
    columns:
      - {name: stay_id, type: str, role: id, description: Hospital stay number.}
      - {name: age, type: float, unit: years, hard_range: [18, 110], soft_range: [18, 100],
         description: Age at discharge.}
      - {name: sex, type: cat, levels: [F, M], description: Sex recorded at admission.}
      - name: creatinine
        type: float
        unit: mg/dL
        hard_range: [0.1, 20]
        soft_range: [0.3, 10]
        accepted_units: [{unit: umol/L, divide_by: 88.4, si: true}]
        description: Serum creatinine at discharge.
      - {name: prior_admissions, type: int, hard_range: [0, 50], description: Admissions in the past year.}
      - {name: readmitted_30d, type: bool, role: outcome, description: Readmitted within 30 days.}
    """
)


def _extract(n=400, seed=0, creatinine_umol=False):
    rng = np.random.default_rng(seed)
    age = rng.uniform(30, 90, n).round(1)
    creatinine = rng.lognormal(0.0, 0.35, n).round(2)
    prior = rng.poisson(1.0, n)
    logit = -3.0 + 0.03 * (age - 60) + 0.9 * np.log(creatinine) + 0.5 * prior
    readmitted = rng.uniform(size=n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "stay_id": [f"S{i:05d}" for i in range(n)],
            "age": age,
            "sex": rng.choice(["F", "M"], n),
            "creatinine": creatinine * 88.4 if creatinine_umol else creatinine,
            "prior_admissions": prior,
            "readmitted_30d": readmitted.astype(int),
        }
    )


def load_ward_readmission(frame, schema_path, units=None):
    """The user's loader: one call to riskml's schema engine."""
    return cohort_from_frame(frame, schema_path, units=units, source="ward extract (example)")


@pytest.fixture
def schema_path(tmp_path):
    path = tmp_path / "ward_readmission.yaml"
    path.write_text(SCHEMA, encoding="utf-8")
    return path


def test_a_users_loader_runs_through_study(schema_path):
    frame = _extract()
    before = frame.copy()
    cohort = load_ward_readmission(frame, schema_path)
    pd.testing.assert_frame_equal(frame, before)  # the user's table is never modified
    assert len(cohort.features) == len(frame)
    assert int(np.sum(cohort.outcome.event)) == int(frame["readmitted_30d"].sum())
    assert "stay_id" not in cohort.features.columns  # identifiers never reach the models
    assert load_schema(schema_path).name == "ward_readmission"

    result = rk.Study(cohort, models=["logistic"], n_boot=50, random_state=0, progress=False).run()
    row = result.summary.query("model == 'logistic' and metric == 'auc'").iloc[0]
    oof = result.predictions["logistic"].to_numpy()
    assert row["estimate"] == pytest.approx(roc_auc_score(frame["readmitted_30d"], oof), abs=1e-12)
    assert 0.6 < row["estimate"] < 1


def test_si_units_are_converted_when_declared(schema_path):
    """Oracle: pandas, creatinine / 88.4."""
    cohort = load_ward_readmission(_extract(creatinine_umol=True), schema_path, units="SI")
    expected = _extract()["creatinine"].to_numpy()
    np.testing.assert_allclose(cohort.features["creatinine"].to_numpy(), expected, rtol=1e-12)


def test_a_value_outside_the_hard_range_names_the_column_and_rows(schema_path):
    frame = _extract()
    frame.loc[[3, 7], "age"] = 400.0
    with pytest.raises(SchemaError, match=r"age") as raised:
        load_ward_readmission(frame, schema_path)
    assert "400" in str(raised.value) or "hard range" in str(raised.value).lower()
