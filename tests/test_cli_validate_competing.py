"""riskml validate refuses a competing-risk model instead of validating its cumulative
incidence against a 0/1 outcome that counts the competing events as censorings."""

import riskml as rk
from riskml.cli import main
from riskml.models import make_model


def test_a_competing_risk_model_is_refused_with_the_python_route(tmp_path, capsys):
    cohort = rk.cohorts.make_hf_registry(
        400, random_state=0, label="readmit_30d", competing_death="competing"
    )
    model = make_model("fine_gray", horizon=30.0).fit(cohort.features, cohort.outcome)
    path = rk.save_model(model, tmp_path / "fine_gray.riskml", cohort=cohort.features)
    data = cohort.features.assign(
        event=(cohort.outcome.event_type == 1).astype(int), time=cohort.outcome.time
    )
    data_folder = tmp_path / "data"
    data_folder.mkdir()
    data.to_csv(data_folder / "validation.csv", index=False)
    before = sorted(p.name for p in data_folder.iterdir())
    code = main(
        [
            "validate",
            str(path),
            str(data_folder / "validation.csv"),
            "--outcome",
            "event",
            "--time",
            "time",
            "--horizon",
            "30",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    message = capsys.readouterr().err
    assert code != 0
    assert "cumulative incidence of an event that competing events can pre-empt" in message
    assert "Outcome.competing" in message and "external_validation" in message
    assert sorted(p.name for p in data_folder.iterdir()) == before
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
