"""riskml validate with a competing-risk model (issue 27): the --outcome column holds
event types (0 censored, 1 the event of interest, 2, ... competing) and --time the
follow-up; the cumulative incidence is validated as riskRegression's Score(cause = 1)
does, never with the competing events counted as censorings.

Oracle: riskml.evaluation.external_validation on Outcome.competing (its metrics equal R
riskRegression and pec, tests/evaluation/test_competing_metrics_r.py).
"""

import re
from html import unescape

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.cli import main
from riskml.evaluation import external_validation
from riskml.models import make_model


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    cohort = rk.cohorts.make_hf_registry(
        1500, random_state=0, label="readmit_30d", competing_death="competing"
    )
    development, validation = cohort.subset(np.arange(1000)), cohort.subset(np.arange(1000, 1500))
    model = make_model("fine_gray", horizon=30.0).fit(development.features, development.outcome)
    folder = tmp_path_factory.mktemp("competing")
    path = rk.save_model(model, folder / "fine_gray.riskml", cohort=development.features)
    (folder / "data").mkdir()
    table = folder / "data" / "validation.csv"
    validation.features.assign(
        event_type=validation.outcome.event_type, days=validation.outcome.time
    ).to_csv(table, index=False)
    return model, validation, path, table


@pytest.mark.filterwarnings("ignore")
def test_a_competing_risk_model_is_validated_on_event_types(saved, tmp_path):
    model, validation, path, table = saved
    out = tmp_path / "out"
    arguments = ["--outcome", "event_type", "--time", "days", "--horizon", "30"]
    code = main(
        ["validate", str(path), str(table), *arguments, "--n-boot", "200", "--out", str(out)]
    )
    assert code == 0
    written = pd.read_csv(out / "validation_metrics.csv")
    oracle = external_validation(
        model, validation.features, validation.outcome, horizon=30, n_boot=200, random_state=0
    ).summary
    assert written["metric"].tolist() == oracle["metric"].tolist()
    for column in ("estimate", "low", "high"):
        np.testing.assert_allclose(written[column], oracle[column], rtol=0, atol=1e-12)
    text = unescape(re.sub(r"<[^>]+>", " ", (out / "validation-report.html").read_text()))
    assert "Aalen-Johansen" in text
    assert sorted(p.name for p in table.parent.iterdir()) == ["validation.csv"]


def test_a_competing_risk_model_needs_event_types_and_follow_up(saved, tmp_path, capsys):
    _, _, path, table = saved
    out = str(tmp_path / "out")
    assert main(["validate", str(path), str(table), "--outcome", "event_type", "--out", out])
    assert "validate it with --time" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    pd.read_csv(table).assign(event_type=lambda f: f["event_type"] - 0.5).to_csv(bad, index=False)
    arguments = ["--outcome", "event_type", "--time", "days", "--horizon", "30", "--out", out]
    assert main(["validate", str(path), str(bad), *arguments])
    assert "must be an event type in every row" in capsys.readouterr().err
