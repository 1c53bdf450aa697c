"""``riskml run study.yaml``: the study a YAML file describes, and its report."""

import warnings

import pandas as pd
import pytest

import riskml as rk
from riskml.cli import CommandError, load_study_file, main, run_study_file

STUDY = """
cohort:
  generator: make_young_hypertension
  args: {n_patients: 200, random_state: 1}
models: [cox, framingham_recalibrated]
validation: 3
n_boot: 50
random_state: 3
explain: null
report:
  file: htn.html
  title: "Small <test> study"
  sections: [cohort, performance, checklist]
"""


@pytest.fixture
def study_file(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(STUDY)
    return path


def test_run_gives_the_numbers_of_the_python_call(study_file, tmp_path):
    """Oracle: the same study built with rk.Study in Python."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, report = run_study_file(study_file, tmp_path / "out", progress=False)
        cohort = rk.cohorts.make_young_hypertension(n_patients=200, random_state=1)
        expected = rk.Study(
            cohort,
            models=["cox", "framingham_recalibrated"],
            validation=3,
            n_boot=50,
            random_state=3,
            explain=None,
            progress=False,
        ).run()
    pd.testing.assert_frame_equal(result.summary, expected.summary)
    assert report == tmp_path / "out" / "htn.html"
    text = report.read_text()
    assert "Small &lt;test&gt; study" in text
    assert '<section id="performance">' in text and '<section id="calibration">' not in text


def test_run_command_checks_the_output_before_the_study(study_file, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "htn.html").write_text("earlier report")

    def no_study(self):  # the study must not start
        raise AssertionError("the study ran before the output was checked")

    monkeypatch.setattr(rk.Study, "run", no_study)
    assert main(["run", str(study_file), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (out / "htn.html").read_text() == "earlier report"
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["run", str(study_file), "--out", str(blocker)]) == 2
    assert "is a file" in capsys.readouterr().err


def test_run_command_end_to_end_with_overwrite(study_file, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "htn.html").write_text("earlier report")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["run", str(study_file), "--out", str(out), "--overwrite"]) == 0
    printed = capsys.readouterr().out
    assert "harrell_c" in printed and "Report written to" in printed
    assert "<!DOCTYPE html>" in (out / "htn.html").read_text()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("models: [cox]\n", "needs a 'cohort' entry"),
        (
            "cohort: {generator: make_young_hypertension}\nmodel: [cox]\n",
            r"unknown key\(s\) \['model'\]",
        ),
        ("cohort: {loader: load_nothing, path: x.csv}\n", "is not one of"),
        (
            "cohort: {generator: make_young_hypertension, args: {n: 3}}\n",
            r"cohort.args has unknown key",
        ),
        (
            "cohort: {generator: make_young_hypertension}\nvalidation: {bootstrap: 3}\n",
            "validation must be",
        ),
        (
            "cohort: {generator: make_young_hypertension}\nselection: {lasso: {}}\n",
            "selection 'lasso'",
        ),
        ("cohort: [1, 2\n", "not valid YAML"),
    ],
)
def test_study_file_errors_name_the_problem(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(Exception, match=message):
        load_study_file(path)


def test_validation_and_selection_forms(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "cohort:\n  loader: load_heart_failure_clinical_records\n  outcome: binary\n"
        "models: [logistic]\nselection: {information_gain: {top_k: 5}}\n"
        "validation: {repeated: {k: 3, repeats: 2}}\n"
    )
    study, options, name = load_study_file(path)
    assert not study.cohort.outcome.is_survival
    assert repr(study.selection) == "InformationGain(top_k=5)"
    assert (study.validation.k, study.validation.repeats) == (3, 2)
    assert options == {} and name == "report.html"
    path.write_text("cohort: {generator: make_young_hypertension}\nvalidation: {optimism: 20}\n")
    assert load_study_file(path)[0].validation.n_boot == 20
    path.write_text(
        "cohort: {generator: make_young_hypertension}\n"
        "validation: {internal: {method: cv_optimism, cv: 5}}\n"
    )
    scheme = load_study_file(path)[0].validation
    assert (scheme.method, scheme.cv) == ("cv_optimism", 5)
    path.write_text("cohort: {generator: make_young_hypertension}\nvalidation: {internal: 3}\n")
    with pytest.raises(CommandError, match="validation.internal"):
        load_study_file(path)


def test_example_study_file_is_valid():
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "study.yaml"
    study, options, name = load_study_file(example)
    assert study.models == ["xgboost", "cox", "framingham_recalibrated"]
    assert options["authors"] == ["A. Author", "B. Author"] and name == "report.html"


def test_study_file_chooses_the_plain_bootstrap(tmp_path):
    """``stratified_bootstrap: false`` reaches Study (binary outcome: plain intervals)."""
    path = tmp_path / "plain.yaml"
    path.write_text(
        "cohort:\n  generator: make_young_hypertension\n"
        "  args: {n_patients: 200, random_state: 1}\n  outcome: binary\n"
        "models: [logistic]\nstratified_bootstrap: false\n"
    )
    study, _, _ = load_study_file(path)
    assert study.stratified_bootstrap is False


def test_study_file_sets_the_conventions(tmp_path):
    """``censoring_weights`` and ``reference_levels`` reach Study from the study file."""
    path = tmp_path / "conventions.yaml"
    path.write_text(
        "cohort:\n  generator: make_young_hypertension\n"
        "  args: {n_patients: 200, random_state: 1}\n"
        "models: [cox]\ncensoring_weights: riskRegression\n"
        "reference_levels: {sex: 'male'}\n"
    )
    study, _, _ = load_study_file(path)
    assert study.censoring_weights == "riskRegression"
    assert study.reference_levels == {"sex": "male"}
