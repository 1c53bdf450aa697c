"""riskml validate with a cohort definition (issue 31): a second site gives the study
file's ``cohort:`` block instead of a table, and the cohort is built from its own data.

Oracle: the same cohort written as a table and validated with --outcome/--time gives
the same numbers.
"""

import pandas as pd
import pytest

import riskml as rk
from riskml.cli import main
from riskml.models import make_model


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    cohort = rk.cohorts.load_heart_failure_clinical_records()
    model = make_model("cox", horizon=90.0).fit(cohort.features, cohort.outcome)
    folder = tmp_path_factory.mktemp("development")
    return rk.save_model(model, folder / "cox.riskml", cohort=cohort.features)


@pytest.mark.filterwarnings("ignore")
def test_a_cohort_definition_gives_the_numbers_of_the_same_table(model_path, tmp_path):
    definition = tmp_path / "site_b" / "cohort.yaml"
    definition.parent.mkdir()
    definition.write_text("cohort:\n  loader: load_heart_failure_clinical_records\n")
    common = ["--horizon", "90", "--n-boot", "200"]
    out = tmp_path / "from_definition"
    assert main(["validate", str(model_path), str(definition), "--out", str(out), *common]) == 0
    cohort = rk.cohorts.load_heart_failure_clinical_records()
    table = tmp_path / "site_b_table" / "cohort.csv"
    table.parent.mkdir()
    cohort.features.assign(death=cohort.outcome.event.astype(int), days=cohort.outcome.time).to_csv(
        table, index=False
    )
    plain = tmp_path / "from_table"
    args = ["--outcome", "death", "--time", "days", *common]
    assert main(["validate", str(model_path), str(table), "--out", str(plain), *args]) == 0
    a = pd.read_csv(out / "validation_metrics.csv")
    b = pd.read_csv(plain / "validation_metrics.csv")
    pd.testing.assert_frame_equal(a, b)
    assert (out / "validation-report.html").exists()
    assert sorted(p.name for p in definition.parent.iterdir()) == ["cohort.yaml"]


def test_a_definition_with_outcome_columns_or_without_either_is_refused(
    model_path, tmp_path, capsys
):
    definition = tmp_path / "cohort.yaml"
    definition.write_text("cohort:\n  loader: load_heart_failure_clinical_records\n")
    out = str(tmp_path / "out")
    assert main(["validate", str(model_path), str(definition), "--outcome", "x", "--out", out])
    assert "defines the outcome itself" in capsys.readouterr().err
    table = tmp_path / "t.csv"
    table.write_text("age\n50\n")
    assert main(["validate", str(model_path), str(table), "--out", out])
    assert "needs --outcome COLUMN" in capsys.readouterr().err
    assert main(["validate", str(model_path), str(definition), "--out", str(tmp_path)])
    assert "never writes results beside the input" in capsys.readouterr().err
