"""The command line: ``riskml predict`` and ``riskml validate`` on saved models.

Oracles: the model's own predict_risk for ``predict``; scikit-learn's
roc_auc_score, statsmodels' logistic regression of the outcome on logit(risk)
(slope; intercept with logit(risk) as offset), the hand-computed Brier score and
O:E (events / sum of risks) for ``validate``.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import logit
from sklearn.metrics import roc_auc_score

import riskml as rk
from riskml.cli import main
from riskml.evaluation import default_metrics
from riskml.models import make_model


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """A logistic model fitted on a synthetic registry, saved, and a new cohort file."""
    folder = tmp_path_factory.mktemp("cli")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train = rk.cohorts.make_hf_registry(
            n_patients=800, random_state=0, competing_death="exclude"
        )
        model = make_model("logistic").fit(train.features, train.outcome)
        frame = rk.cohorts.make_hf_registry(n_patients=600, random_state=5, return_frame=True)
    model_path = rk.save_model(model, folder / "model.riskml", cohort=train)
    data = folder / "new.csv"
    frame.to_csv(data, index=False)
    return model, model_path, data, frame


def test_predict_writes_row_and_risk_only(registry, tmp_path, capsys):
    model, model_path, data, frame = registry
    out = tmp_path / "risks.csv"
    assert main(["predict", str(model_path), str(data), "--out", str(out)]) == 0
    risks = pd.read_csv(out)
    assert list(risks.columns) == ["row", "risk"]
    assert risks["row"].tolist() == list(range(1, len(frame) + 1))
    validated = rk.cohorts.validate(frame, "hf_registry")
    expected = model.predict_risk(validated[list(model.feature_names_in_)])
    np.testing.assert_allclose(risks["risk"], expected, rtol=1e-12)
    text = out.read_text()
    assert "patient_id" not in text and "hospital_id" not in text
    assert "none copied" in capsys.readouterr().out


def test_predict_refuses_to_overwrite_and_checks_the_folder_first(registry, tmp_path, capsys):
    _, model_path, data, _ = registry
    out = tmp_path / "risks.csv"
    out.write_text("keep")
    assert main(["predict", str(model_path), str(data), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err and out.read_text() == "keep"
    assert main(["predict", str(model_path), str(data), "--out", str(out), "--overwrite"]) == 0
    assert out.read_text().startswith("row,risk")
    absent = tmp_path / "no" / "risks.csv"
    assert main(["predict", str(model_path), str(data), "--out", str(absent)]) == 2
    assert "does not exist; create it first" in capsys.readouterr().err


def test_predict_names_missing_columns_and_text_in_numbers(registry, tmp_path, capsys):
    _, model_path, _, frame = registry
    broken = frame.drop(columns=["bun"]).rename(columns={"age": "AGE"})
    path = tmp_path / "broken.csv"
    broken.to_csv(path, index=False)
    assert main(["predict", str(model_path), str(path), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "lacks 2 of the model's" in err and "'AGE' -> 'age'" in err and "'bun'" in err
    text = frame.astype({"sodium": object})
    text.loc[[2, 7], "sodium"] = "140 mmol/L"
    path = tmp_path / "text.csv"
    text.to_csv(path, index=False)
    assert main(["predict", str(model_path), str(path), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "sodium" in err and "text that is not a number" in err
    assert not (tmp_path / "o.csv").exists()


def test_validate_matches_outside_oracles(registry, tmp_path):
    model, model_path, data, frame = registry
    out = tmp_path / "validation"
    code = main(
        [
            "validate",
            str(model_path),
            str(data),
            "--outcome",
            "readmit_30d",
            "--out",
            str(out),
            "--n-boot",
            "200",
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "validation_metrics.csv").set_index("metric")
    validated = rk.cohorts.validate(frame, "hf_registry")
    risk = model.predict_risk(validated[list(model.feature_names_in_)])
    y = frame["readmit_30d"].to_numpy()
    assert table.loc["auc", "estimate"] == pytest.approx(roc_auc_score(y, risk), abs=1e-12)
    lp = logit(risk)
    slope = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit().params[1]
    intercept = (
        sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), offset=lp).fit().params[0]
    )
    assert table.loc["calibration_slope", "estimate"] == pytest.approx(slope, abs=1e-6)
    assert table.loc["calibration_intercept", "estimate"] == pytest.approx(intercept, abs=1e-6)
    assert table.loc["brier", "estimate"] == pytest.approx(np.mean((y - risk) ** 2), abs=1e-12)
    assert table.loc["o_e", "estimate"] == pytest.approx(y.sum() / risk.sum())
    assert table.loc["auc", "low"] < table.loc["auc", "estimate"] < table.loc["auc", "high"]
    report = (out / "validation.md").read_text()
    assert "Recalibration advice" in report and "not produced yet" not in report
    assert "validation-report.html" in report and (out / "validation-report.html").exists()
    # each row names its own interval method (the CSV's), the heading every method used
    names = {"auc": "AUC", "calibration_slope": "calibration slope"}
    for metric, label in names.items():
        method = table.loc[metric, "method"]
        row = next(line for line in report.splitlines() if line.startswith(f"| {label} |"))
        assert row.endswith(f"| {method} |"), row
    heading = next(line for line in report.splitlines() if line.startswith("- 95% CIs by"))
    for method in table["method"].dropna().unique():
        assert method in heading
    assert len(set(table["method"].dropna())) > 1  # the heading cannot name just one
    assert "patient_id" not in report
    # a second run refuses to replace the results
    again = ["validate", str(model_path), str(data), "--outcome", "readmit_30d", "--out", str(out)]
    assert main(again) == 2


def test_validate_time_to_event_needs_a_horizon_and_checks_outcome(registry, tmp_path, capsys):
    _, model_path, data, frame = registry
    args = ["validate", str(model_path), str(data), "--outcome", "readmit_event"]
    assert main([*args, "--time", "readmit_time_days", "--out", str(tmp_path / "a")]) == 2
    assert "needs --horizon" in capsys.readouterr().err
    bad = frame.copy()
    bad.loc[4, "readmit_30d"] = 2
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    command = ["validate", str(model_path), str(path), "--outcome", "readmit_30d"]
    assert main([*command, "--out", str(tmp_path / "b")]) == 2
    assert "must be 1 (event) or 0" in capsys.readouterr().err


def test_validate_survival_runs_with_a_horizon(registry, tmp_path):
    _, model_path, data, _ = registry
    out = tmp_path / "surv"
    command = ["validate", str(model_path), str(data), "--outcome", "readmit_event"]
    command += ["--time", "readmit_time_days", "--horizon", "30", "--out", str(out)]
    assert main([*command, "--n-boot", "100"]) == 0
    table = pd.read_csv(out / "validation_metrics.csv")
    assert table["metric"].tolist() == list(default_metrics("survival", 30.0))


def test_demo_heading_names_each_rows_interval_method(monkeypatch, tmp_path, capsys):
    """The printed heading is read from the summary's method column (oracle: that column).

    A stub study result stands in for the 2-minute demo run (the demo itself runs in
    tests/test_study.py): percentile-bootstrap rows and Wald rows, a paired bootstrap
    comparison.
    """
    from types import SimpleNamespace

    import riskml.cli as cli

    summary = pd.DataFrame(
        {
            "model": ["cox", "cox", "cox"],
            "metric": ["harrell_c", "calibration_slope", "o_e"],
            "estimate": [0.7, 0.9, 1.0],
            "low": [0.6, 0.7, 0.8],
            "high": [0.8, 1.1, 1.2],
            "method": ["percentile bootstrap", "Wald", "Wald"],
            "n_boot": [200, 0, 0],
        }
    )
    comparison = pd.DataFrame(
        {
            "model": ["xgboost"],
            "reference": ["cox"],
            "metric": ["harrell_c"],
            "difference": [-0.05],
            "low": [-0.1],
            "high": [0.02],
            "p_value": [0.2],
            "method": ["paired bootstrap"],
            "n_boot": [200],
        }
    )
    result = SimpleNamespace(
        summary=summary,
        comparison=comparison,
        settings={"validation": "stratified 10-fold cross-validation; every model refitted"},
        outcome=rk.Outcome.survival([10.0, 20.0], [1, 0]),
        format_summary=lambda: "TABLE",
    )
    monkeypatch.setattr(cli, "run_demo", lambda out, **kw: (result, tmp_path / "report.html"))
    assert main(["demo", "--out", str(tmp_path / "demo"), "--n-boot", "200"]) == 0
    printed = capsys.readouterr().out
    assert (
        "Out-of-fold performance, stratified 10-fold cross-validation; 95% CIs by percentile "
        "bootstrap (200 resamples) for harrell_c; Wald for calibration_slope, o_e:"
    ) in printed
    assert "percentile-bootstrap CIs" not in printed
    assert "Paired bootstrap (200 resamples) difference in Harrell's C against cox:" in printed
    delong = comparison.assign(metric="auc", method="DeLong paired")
    assert cli.comparison_heading(delong, "binary") == "DeLong paired difference in AUC against cox"


# -- checked inputs, horizons, advice and exit codes ------------------------------------------


def test_predict_strict_refuses_what_is_otherwise_warned(registry, tmp_path, capsys):
    """Oracle: the training maximum of age, read from the training frame itself."""
    _, model_path, _, frame = registry
    info = rk.persistence.read_model_info(model_path)
    oldest = info["inputs"]["columns"]["age"]["max"]
    older = frame.assign(age=frame["age"].where(frame.index != 4, oldest + 1))
    path = tmp_path / "older.csv"
    older.to_csv(path, index=False)
    args = ["predict", str(model_path), str(path)]
    from riskml.errors import InputWarning

    with pytest.warns(InputWarning, match=r"age: 1 row \(first row: 5\) lies outside the"):
        assert main([*args, "--out", str(tmp_path / "a.csv")]) == 0
    assert main([*args, "--out", str(tmp_path / "b.csv"), "--strict"]) == 2
    assert "--strict refuses every problem" in capsys.readouterr().err
    assert not (tmp_path / "b.csv").exists()


@pytest.mark.parametrize(
    "info, horizon, expected",
    [
        ({"outcome_kind": "binary", "horizon_days": 90.0}, None, 90.0),
        ({"outcome_kind": "binary", "horizon_days": 90.0}, 90, 90.0),
        ({"outcome_kind": "binary", "horizon_days": 90.0}, 30, "differs from the horizon"),
        ({"outcome_kind": "binary", "horizon_days": None}, None, None),
        ({"outcome_kind": "binary", "horizon_days": None}, 30, "has no meaning for this model"),
        ({"outcome_kind": "survival", "horizon_days": None}, 30, 30.0),
        (
            {"outcome_kind": "survival", "inputs": {"followup": {"max_days": 200.0}}},
            201,
            "beyond the training follow-up",
        ),
        ({"outcome_kind": "survival"}, float("nan"), "positive, finite number"),
        ({"outcome_kind": "survival"}, "soon", "must be a positive number of days"),
    ],
)
def test_check_horizon(info, horizon, expected):
    from riskml.deployment import check_horizon
    from riskml.errors import InputError

    if isinstance(expected, str):
        with pytest.raises(InputError, match=expected):
            check_horizon(horizon, info)
    else:
        assert check_horizon(horizon, info) == expected


def test_check_horizon_for_labels_and_for_survival_models_without_one():
    from riskml.deployment import check_horizon
    from riskml.errors import InputError

    binary = {"outcome_kind": "binary", "horizon_days": None}
    assert check_horizon(30, binary, labels=True) == 30.0  # a 30-day outcome validated at 30
    with pytest.raises(InputError, match="needs --horizon DAYS"):
        check_horizon(None, {"outcome_kind": "survival"}, option="--horizon", needed=True)


def _row(estimate, low, high):
    return {"estimate": estimate, "low": low, "high": high}


def test_advice_is_never_drawn_from_undefined_metrics():
    from riskml.deployment import _advice

    nan = float("nan")
    undefined = {
        "auc": _row(nan, nan, nan),
        "calibration_intercept": _row(nan, nan, nan),
        "calibration_slope": _row(nan, nan, nan),
        "o_e": _row(nan, nan, nan),
    }
    advice = " ".join(_advice(undefined))
    assert "indicated" not in advice and "under-estimates" not in advice
    assert "Undefined in this cohort: discrimination, the calibration intercept" in advice
    assert "no calibration metric is defined" in advice
    defined = {
        "auc": _row(0.8, 0.75, 0.85),
        "calibration_intercept": _row(0.5, 0.3, 0.7),
        "calibration_slope": _row(1.0, 0.8, 1.2),
        "o_e": _row(1.5, 1.3, 1.7),
    }
    advice = _advice(defined, events=40)
    assert advice[0].startswith("Only 40 events: the intervals are wide")
    assert "under-estimates risk on average" in advice[1]


def test_every_failure_is_one_line_with_its_exit_status(capsys, monkeypatch):
    from types import SimpleNamespace

    import riskml.cli as cli

    args = SimpleNamespace(command="predict", out="never-written.csv")
    for error, status in (
        (ValueError("bad value"), 2),
        (OSError(28, "No space left on device"), 2),
        (RuntimeError("a bug"), 1),
        (KeyboardInterrupt(), 130),
    ):

        def function(_, error=error):
            raise error

        assert cli._run(function, args) == status
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("riskml predict: ")
        assert "Traceback" not in err
    monkeypatch.setenv("RISKML_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli._run(lambda _: (_ for _ in ()).throw(RuntimeError("shown")), args)


def test_an_interrupt_says_what_was_written(tmp_path, capsys):
    from types import SimpleNamespace

    import riskml.cli as cli

    out = tmp_path / "risks.csv"
    args = SimpleNamespace(command="predict", out=str(out))

    def writes_then_stops(_):
        out.write_text("row,risk\n")
        raise KeyboardInterrupt

    assert cli._run(writes_then_stops, args) == 130
    assert capsys.readouterr().err == f"riskml predict: interrupted after writing {out}.\n"
    folder = tmp_path / "new" / "results"
    args = SimpleNamespace(command="validate", out=str(folder))

    def makes_folder_then_stops(_):
        folder.mkdir(parents=True)
        raise KeyboardInterrupt

    assert cli._run(makes_folder_then_stops, args) == 130
    assert "interrupted; nothing was written" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()  # the empty folders it made are gone
