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
            r"line 2, column 1: a study file has no key 'model' \(did you mean 'models'\?\)",
        ),
        (
            "cohort: {loader: load_nothing, path: x.csv}\n",
            r"cohort.loader must be one of load_heart_failure_clinical_records, .*'load_nothing'",
        ),
        (
            "cohort: {generator: make_young_hypertension, args: {n: 3}}\n",
            r"cohort.args has no key 'n'; its keys are n_patients",
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
        "reference_levels: {sex: 'M'}\n"
    )
    study, _, _ = load_study_file(path)
    assert study.censoring_weights == "riskRegression"
    assert study.reference_levels == {"sex": "M"}


# -- the study-file reader: limits, duplicates, aliases, encodings and paths -----------------

GEN = "cohort:\n  generator: make_young_hypertension\n  args: {n_patients: 200, random_state: 1}\n"


def test_alias_bomb_is_measured_without_expanding_it(tmp_path):
    """Oracle: the expanded size of a 9-level 'billion laughs' file by its recurrence
    (s_a = 1 + 9 scalars, s_next = 1 + 9 s); the reader visits each node once."""
    import yaml

    from riskml.study_file import MAX_NODES, _expanded_size

    names = "abcdefghi"
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
        f"{a}: &{a} [{', '.join([f'*{b}'] * 9)}]\n" for b, a in zip(names, names[1:], strict=False)
    )
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    memo = {}
    size = _expanded_size(root, memo, set(), "bomb.yaml")
    expected = {"a": 10}
    for b, a in zip(names, names[1:], strict=False):
        expected[a] = 1 + 9 * expected[b]
    assert size == 1 + sum(1 + s for s in expected.values())  # about 4.8e8 values
    assert expected["i"] > 10**8 and len(memo) < 100  # each node visited once
    path = tmp_path / "bomb.yaml"
    path.write_text(text + GEN)
    with pytest.raises(CommandError, match=rf"line 5, column 4: .*refused beyond {MAX_NODES:,}"):
        load_study_file(path)


def test_composing_stops_at_the_node_limit():
    """A file of 20,000 distinct values is refused after MAX_NODES + 1 nodes."""
    from riskml.study_file import MAX_NODES, _loader_class

    loader = _loader_class()(GEN + "metrics: [" + ", ".join(map(str, range(20_000))) + "]\n")
    with pytest.raises(CommandError, match="holds more than 10,000 values"):
        loader.get_single_node()
    assert loader.count == MAX_NODES + 1


def test_aliases_and_merge_keys_within_the_limit_are_read(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "cohort:\n  generator: make_young_hypertension\n"
        "  args: &args {n_patients: 200, random_state: 1}\n"
        "models: &m [cox]\nexplain: *m\n"
        "report: {<<: {title: A, file: a.html}, title: B}\n"
    )
    study, options, name = load_study_file(path)
    assert study.models == ["cox"] and study.explain == ["cox"]
    assert options == {"title": "B"} and name == "a.html"


def test_utf8_byte_order_mark_and_yaml_digit_separators_are_accepted(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (GEN + "n_boot: 1_000\nhorizon: 1.0e+3\n").encode())
    study, _, _ = load_study_file(path)
    assert study.n_boot == 1000 and study.horizon == 1000.0


@pytest.mark.parametrize(
    "given", ["data/htn.csv", "./data/../data/htn.csv", "{folder}/data/htn.csv", "link.csv"]
)
def test_paths_inside_the_study_folder_are_read(tmp_path, given):
    """Oracle: the loader called on the file directly."""
    frame = rk.cohorts.make_young_hypertension(n_patients=200, random_state=1, return_frame=True)
    (tmp_path / "data").mkdir()
    frame.to_csv(tmp_path / "data" / "htn.csv", index=False)
    (tmp_path / "link.csv").symlink_to(tmp_path / "data" / "htn.csv")
    path = tmp_path / "s.yaml"
    path.write_text(
        "cohort:\n  loader: load_young_hypertension\n"
        f"  path: {given.format(folder=tmp_path)}\nmodels: [cox]\n"
    )
    study, _, _ = load_study_file(path)
    expected = rk.cohorts.load_young_hypertension(tmp_path / "data" / "htn.csv")
    pd.testing.assert_frame_equal(study.cohort.features, expected.features)


def test_binary_outcome_keeps_the_cohorts_groups_and_fields(tmp_path):
    """Oracle: the generator's own cohort (its groups, ids and Framingham inputs)."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "cohort:\n  generator: make_hf_registry\n  args: {n_patients: 600, random_state: 2}\n"
        "  outcome: binary\n  name: registry\nmodels: [logistic]\n"
    )
    study, _, _ = load_study_file(path)
    expected = rk.cohorts.make_hf_registry(n_patients=600, random_state=2)
    cohort = study.cohort
    assert not cohort.outcome.is_survival and cohort.horizon is None
    assert (cohort.outcome.event == expected.outcome.event).all()
    assert (cohort.groups == expected.groups).all() and (cohort.ids == expected.ids).all()
    assert cohort.label == expected.label and cohort.name == "registry"
    path.write_text(GEN + "  outcome: binary\nmodels: [framingham_recalibrated]\n")
    cohort = load_study_file(path)[0].cohort
    expected = rk.cohorts.make_young_hypertension(n_patients=200, random_state=1)
    assert cohort.framingham_inputs == expected.framingham_inputs


def test_cohort_name_is_applied_to_time_to_event_cohorts(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GEN + "  name: htn_2024\nmodels: [cox]\n")
    assert load_study_file(path)[0].cohort.name == "htn_2024"


def test_every_cohort_function_is_checked_by_its_signature():
    """Every loader and generator of riskml.cohorts is either checked argument by argument
    (the checks naming real parameters) or refused with a reason."""
    import inspect

    from riskml.study_file import COHORT_FUNCTIONS, NOT_COHORTS

    functions = {n for n in dir(rk.cohorts) if n.startswith(("load_", "make_")) and n[0] != "_"}
    assert functions == set(COHORT_FUNCTIONS) | set(NOT_COHORTS)
    for name, (first, checks) in COHORT_FUNCTIONS.items():
        parameters = list(inspect.signature(getattr(rk.cohorts, name)).parameters)
        assert set(checks) <= set(parameters), name
        assert first == (parameters[0] if first else None), name


def test_selector_checks_name_every_parameter():
    import inspect

    from riskml.study_file import _SELECTOR_CHECKS

    for cls, checks in _SELECTOR_CHECKS.items():
        parameters = inspect.signature(getattr(rk.features, cls)).parameters
        assert set(checks) == set(parameters), cls


def test_default_models_are_those_of_study():
    import inspect

    from riskml.study_file import DEFAULT_MODELS

    assert inspect.signature(rk.Study).parameters["models"].default == DEFAULT_MODELS


def test_a_failed_study_leaves_no_output_folder(study_file, tmp_path, monkeypatch):
    def failing(self):
        raise ValueError("a fit failed")

    monkeypatch.setattr(rk.Study, "run", failing)
    with pytest.raises(ValueError, match="a fit failed"):
        run_study_file(study_file, tmp_path / "new" / "out", progress=False)
    assert not (tmp_path / "new").exists()


def test_output_folder_under_a_file_is_refused_before_the_study(study_file, tmp_path):
    (tmp_path / "blocker").write_text("")
    with pytest.raises(CommandError, match=r"cannot be created: .*blocker' is a file"):
        run_study_file(study_file, tmp_path / "blocker" / "out", progress=False)
