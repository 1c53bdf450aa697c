"""The aggregate-results export of a validation, safe to share (issue 31, item 4).

A Cox model is developed on the bundled heart-failure clinical records (Chicco &
Jurman 2020), saved, and validated with ``riskml validate --export`` on a second
site's data: a resampled copy of the records with measurement noise, distinctive
patient identifiers and a hospital column.

Oracles: the cohort file itself (its identifiers must not appear; its counts, computed
here with pandas, for the counts shown), ``validation_metrics.csv`` of the same run
(the exported metrics equal it), and brute-force counting of every calibration group
and decision-curve threshold from the exported tables' definitions.
"""

from __future__ import annotations

import csv
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.cli import main
from riskml.deployment import saved_model_validation
from riskml.deployment._export import aggregate_export
from riskml.models import make_model

DATA = "riskml/cohorts/datasets/heart_failure_clinical_records_dataset.csv"
COUNT_COLUMNS = {"counts.csv": ["value"], "metrics.csv": ["n", "events"]}


def _cells_ok(text: str, min_cell: int) -> bool:
    return text == f"<{min_cell}" or int(text) >= min_cell


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A model developed on the records, and a second site's cohort file."""
    root = tmp_path_factory.mktemp("export")
    cohort = rk.cohorts.load_heart_failure_clinical_records()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make_model("cox", horizon=90).fit(
            cohort.features[cohort.predictors], cohort.outcome
        )
    rk.save_model(model, root / "model.riskml", cohort=cohort)
    rng = np.random.default_rng(31)
    frame = pd.read_csv(DATA).sample(n=240, replace=True, random_state=7).reset_index(drop=True)
    frame["age"] = (frame["age"] + rng.normal(0, 2, len(frame))).round(0)
    frame["serum_sodium"] = (frame["serum_sodium"] + rng.normal(0, 1, len(frame))).round(0)
    frame["patient_id"] = [f"SITEB-{i:05d}-ZQX" for i in range(len(frame))]
    frame["hospital"] = [f"HOSPITAL-{i % 3}-KWV" for i in range(len(frame))]
    (root / "site").mkdir()
    frame.to_csv(root / "site" / "cohort.csv", index=False)
    return root, frame


@pytest.fixture(scope="module")
def exported(site):
    root, frame = site
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        status = main(
            [
                "validate",
                str(root / "model.riskml"),
                str(root / "site" / "cohort.csv"),
                "--outcome",
                "DEATH_EVENT",
                "--time",
                "time",
                "--horizon",
                "90",
                "--out",
                str(root / "results"),
                "--export",
                str(root / "shared"),
                "--n-boot",
                "200",
            ]
        )
    assert status == 0
    return root / "shared", root / "results", frame


def test_cli_writes_every_export_file(exported):
    shared, results, _ = exported
    assert sorted(p.name for p in shared.iterdir()) == sorted(
        ["counts.csv", "metrics.csv", "calibration.csv", "decision_curve.csv", "README.txt"]
    )
    assert (results / "validation-report.html").is_file()


def test_no_count_under_the_threshold(exported):
    shared, _, _ = exported
    for name, columns in {**COUNT_COLUMNS, "calibration.csv": ["n", "events"]}.items():
        with open(shared / name, newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows
        for row in rows:
            for column in columns:
                assert _cells_ok(row[column], 5), (name, column, row)


def test_no_identifier_or_row_level_value(exported):
    shared, _, frame = exported
    text = "".join((shared / p.name).read_text() for p in shared.iterdir())
    for value in [*frame["patient_id"], *frame["hospital"].unique()]:
        assert value not in text
    assert "SITEB" not in text and "HOSPITAL" not in text and "KWV" not in text


def test_counts_and_metrics_equal_the_cohort_and_the_run(exported):
    shared, results, frame = exported
    counts = pd.read_csv(shared / "counts.csv").set_index("count")["value"].astype(str)
    by_horizon = (frame["DEATH_EVENT"] == 1) & (frame["time"] <= 90)
    free = frame["time"] >= 90
    free &= ~by_horizon
    censored = len(frame) - by_horizon.sum() - free.sum()
    oracle = {
        "n": len(frame),
        "events_by_horizon": int(by_horizon.sum()),
        "event_free_at_horizon": int(free.sum()),
        "censored_before_horizon": int(censored),
    }
    hidden = [k for k, v in oracle.items() if k != "n" and v < 5]
    for key, value in oracle.items():
        if key in hidden or (
            len(hidden) == 1
            and key != "n"
            and value == min(v for k, v in oracle.items() if k not in ("n", *hidden))
        ):
            assert counts[key] == "<5"
        else:
            assert counts[key] == str(value)
    shared_metrics = pd.read_csv(shared / "metrics.csv")
    run = pd.read_csv(results / "validation_metrics.csv")
    np.testing.assert_allclose(shared_metrics["estimate"], run["estimate"], rtol=1e-12)
    np.testing.assert_allclose(shared_metrics["low"], run["low"], rtol=1e-12)


def _binary_result(risk, event, min_groups=True):
    """A validation result built from predictions with a 0/1 outcome, as
    :func:`saved_model_validation` builds one."""
    from riskml.evaluation import calibration_table, decision_curve_table, evaluate_predictions

    outcome = rk.Outcome.binary(event)
    predictions = pd.DataFrame({"m": risk})
    return SimpleNamespace(
        summary=evaluate_predictions(outcome, predictions, metrics=["auc"], n_boot=50).summary,
        predictions=predictions,
        outcome=outcome,
        horizon=None,
        calibration=calibration_table(outcome, predictions, None),
        decision_curve=decision_curve_table(outcome, predictions, None),
    )


def test_complementary_suppression_and_withheld_metrics():
    # 40 patients, 3 events: the events are suppressed, and so are the non-events
    # (n - 3 would give them back); every metric and the treat-all curve are withheld.
    rng = np.random.default_rng(0)
    risk = rng.uniform(0.01, 0.3, 40)
    event = np.zeros(40, int)
    event[[3, 17, 29]] = 1
    files = aggregate_export(_binary_result(risk, event))
    counts = pd.read_csv(pd.io.common.BytesIO(files["counts.csv"]), dtype=str)
    assert counts.set_index("count")["value"].to_dict() == {
        "n": "40",
        "events": "<5",
        "non_events": "<5",
    }
    metrics = pd.read_csv(pd.io.common.BytesIO(files["metrics.csv"]), dtype=str)
    assert (metrics["estimate"] == "suppressed").all()
    curve = pd.read_csv(pd.io.common.BytesIO(files["decision_curve.csv"]), dtype=str)
    assert (curve.loc[curve["model"] != "Treat none", "net_benefit"] == "suppressed").all()
    assert b"non_events" in files["README.txt"] or b"events" in files["README.txt"]


def test_decision_curve_rows_give_back_no_small_count():
    """Brute force over every pair of rows shown (and treating everyone): their true
    and false positives, and the differences of those, are 0 or at least 5."""
    rng = np.random.default_rng(1)
    risk = rng.beta(1, 8, 400)
    event = rng.binomial(1, risk)
    files = aggregate_export(_binary_result(risk, event), min_cell=5)
    curve = pd.read_csv(pd.io.common.BytesIO(files["decision_curve.csv"]), dtype=str)
    model = curve[curve["model"] == "m"]
    shown = [(int(event.sum()), int((1 - event).sum()))]
    for row in model.itertuples():
        treated = risk >= float(row.threshold)
        tp = int(np.sum(treated & (event == 1)))
        fp = int(treated.sum()) - tp
        if row.net_benefit != "suppressed":
            assert min(tp, fp) >= 5
            np.testing.assert_allclose(float(row.tp_rate), tp / len(risk))
            shown.append((tp, fp))
        else:
            assert row.tp_rate == "suppressed" and row.fp_rate == "suppressed"
    for a in shown:
        for b in shown:
            for difference in np.abs(np.subtract(a, b)):
                assert difference == 0 or difference >= 5
    assert 2 < len(shown) < len(model)


def test_calibration_groups_never_recoverable_by_subtraction():
    rng = np.random.default_rng(2)
    risk = np.concatenate([rng.uniform(0, 0.05, 150), rng.uniform(0.3, 0.7, 150)])
    event = rng.binomial(1, risk)
    result = _binary_result(risk, event)
    files = aggregate_export(result, min_cell=5)
    table = pd.read_csv(pd.io.common.BytesIO(files["calibration.csv"]), dtype=str)
    hidden = table["events"] == "<5"
    assert hidden.sum() != 1  # one hidden cell would be total minus the others
    assert (table.loc[hidden, "observed"] == "suppressed").all()
    for row in table[~hidden].itertuples():
        assert int(row.events) >= 5 and int(row.n) - int(row.events) >= 5


def test_min_cell_is_checked(site):
    root, _ = site
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = saved_model_validation(
            root / "model.riskml",
            root / "site" / "cohort.csv",
            outcome="DEATH_EVENT",
            time="time",
            horizon=90,
            n_boot=50,
        )
    with pytest.raises(ValueError, match="'min_cell' parameter of export must be an int"):
        result.export(root / "bad", min_cell=0)
    paths = result.export(root / "python-export", min_cell=10)
    counts = pd.read_csv(root / "python-export" / "counts.csv", dtype=str)
    assert all(_cells_ok(v, 10) for v in counts["value"])
    assert len(paths) == 5
