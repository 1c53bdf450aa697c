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
    assert (
        "Recalibration advice" in report and "HTML validation report is not produced yet" in report
    )
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
