"""Bad-input corpus: study files of ``riskml run study.yaml``.

Each case writes a study folder in ``tmp_path`` (a ``study.yaml`` with one planted
problem, and the data it reads where it reads any), runs ``riskml run`` end to end in
this process, and checks that the command exits with status 2 and one line naming the
file, the line (and column or byte) and the key, what was expected and the fix; that
no traceback, no output folder and no report appear; that no planted patient value is
quoted; and that every file of the study folder is byte-identical afterwards (none
added). Oracle: the YAML 1.1 specification (how PyYAML's SafeLoader reads each value)
and the study file's documented keys (:func:`riskml.study_file.load_study_file`).
"""

from __future__ import annotations

import gzip
import os

import numpy as np
import pytest

import riskml as rk

from .conftest import Case, CommandFailed, check_case, run_cli

PLANTED = "Quux"  # in every planted patient value: it must never appear in a message
GEN = "cohort:\n  generator: make_young_hypertension\n  args: {n_patients: 200, random_state: 1}\n"
LOAD = "cohort:\n  loader: load_young_hypertension\n  path: data/htn.csv\n"
HF = "cohort:\n  loader: load_heart_failure_clinical_records\n"
BOMB = "".join(
    f"{a}: &{a} [{', '.join([f'*{b}'] * 9)}]\n" for b, a in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.fixture(scope="module")
def data():
    frame = rk.cohorts.make_young_hypertension(n_patients=200, random_state=1, return_frame=True)
    frame["patient_id"] = [f"{PLANTED}-{i:04d}" for i in range(len(frame))]
    return {"frame": frame}


def _with_csv(folder, data):
    (folder / "data").mkdir()
    data["frame"].to_csv(folder / "data" / "htn.csv", index=False)


def _study(text, *, raw=None, setup=None, out=True, never=()):
    """build(tmp_path, data) -> (call, inputs): ``riskml run`` on a study folder.

    ``text`` (or the bytes ``raw``) is the study file ("{tmp}" in it stands for
    ``tmp_path``); ``setup(folder, tmp_path, data)``
    adds files; ``never`` names paths (relative to tmp_path) that must not exist after
    the run (e.g. where a generator would have written).
    """

    def build(tmp_path, data):
        folder = tmp_path / "study"
        folder.mkdir()
        path = folder / "study.yaml"
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(text.replace("{tmp}", str(tmp_path)), encoding="utf-8")
        if setup is not None:
            setup(folder, tmp_path, data)
        args = ["run", path] + (["--out", tmp_path / "out"] if out else [])

        def call():
            try:
                run_cli(*args)
            finally:
                for name in never:
                    assert not (tmp_path / name).exists(), f"{name} was written"

        return call, [folder]

    return build


def _csv(folder, tmp_path, data):
    _with_csv(folder, data)


def _csv_outside(folder, tmp_path, data):
    data["frame"].to_csv(tmp_path / "htn.csv", index=False)


def _link_outside(folder, tmp_path, data):
    data["frame"].to_csv(tmp_path / "htn.csv", index=False)
    (folder / "data").mkdir()
    os.symlink(tmp_path / "htn.csv", folder / "data" / "htn.csv")


def _folder_as_study(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "study.yaml").write_text(GEN)
    return (lambda: run_cli("run", folder, "--out", tmp_path / "out")), [folder]


def _case(id, text, problem, fix, **options):
    """A refusal: ``problem`` and ``fix`` are regular expressions over the message."""
    absent = options.pop("absent", ())
    return Case(id, _study(text, **options), CommandFailed, problem, fix, absent=absent)


def _line(n, col=None) -> str:
    return rf"study\.yaml, line {n}" + (rf", column {col}" if col else "")


WHOLE = "Write e.g."
ONE_OF = r"must be .*one of"

CASES = [
    # -- duplicated keys: both lines, at any level -------------------------------------------
    _case(
        "duplicate_top_level_key",
        GEN + "n_boot: 100\nmodels: [cox]\nn_boot: 200\n",
        _line(6, 1)
        + r": the key 'n_boot' appears twice .*\(line 4, column 1 and line 6, column 1\)",
        "Delete one of them",
    ),
    _case(
        "duplicate_key_in_cohort_args",
        "cohort:\n  generator: make_young_hypertension\n  args: {n_patients: 200, n_patients: 300}\n",
        _line(3, 27) + r": the key 'n_patients' appears twice .*line 3, column 10 and line 3",
        "keep only the last one silently. Delete one",
    ),
    _case(
        "duplicate_key_in_report",
        GEN + "report:\n  title: A\n  file: r.html\n  title: B\n",
        _line(7, 3) + r": the key 'title' appears twice .*line 5, column 3 and line 7",
        "Delete one of them",
    ),
    _case(
        "duplicate_cohort_entry",
        GEN + "models: [cox]\ncohort: {generator: make_hf_registry}\n",
        _line(5, 1) + r": the key 'cohort' appears twice .*line 1, column 1 and line 5",
        "Delete one of them",
    ),
    _case(
        "duplicate_key_quoted_and_plain",
        GEN + "n_boot: 100\n'n_boot': 200\n",
        _line(5) + r".*the key 'n_boot' appears twice",
        "Delete one of them",
    ),
    # -- anchors and aliases -----------------------------------------------------------------
    _case(
        "billion_laughs",
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + BOMB + GEN,
        _line(5, 4) + r": the anchors and aliases \(&name, \*name\) expand to 6\.6\de\+04 values",
        r"refused beyond 10,000\. Write the values out",
        absent=("lol",),
    ),
    _case(
        "alias_refers_to_itself",
        GEN + "models: &m [cox, *m]\n",
        _line(4, 9) + r": this anchor refers to itself through an alias",
        "write the values out",
    ),
    _case(
        "alias_fan_out",
        GEN + "x: &x [" + ", ".join(["1"] * 120) + "]\ny: [" + ", ".join(["*x"] * 100) + "]\n",
        _line(5, 4) + r": the anchors and aliases .* expand to 1\.21e\+04 values",
        "Write the values out",
    ),
    _case(
        "too_many_values",
        GEN + "metrics: [" + ", ".join(["harrell_c"] * 12000) + "]\n",
        _line(4) + r".*the file holds more than 10,000 values",
        "Check that this is the study file",
    ),
    _case(
        "nested_too_deep",
        GEN + "models: " + "[" * 60 + "]" * 60 + "\n",
        _line(4) + r".*the file nests deeper than 32 levels",
        "Check that this is the study file",
    ),
    # -- cohort --------------------------------------------------------------------------------
    _case(
        "cohort_is_text",
        "cohort: make_young_hypertension\n",
        _line(1, 9) + r": cohort must be the cohort, a mapping .*got the text 'make_young",
        r"Write e.g. cohort: \{generator: make_young_hypertension",
    ),
    _case(
        "cohort_is_a_list",
        "cohort: [make_young_hypertension]\n",
        _line(1, 9) + r": cohort must be the cohort, a mapping .*got a list of 1 item",
        r"Write e.g. cohort: \{generator:",
    ),
    _case(
        "cohort_loader_and_generator",
        "cohort: {loader: load_young_hypertension, generator: make_young_hypertension}\n",
        _line(1, 9) + r": cohort needs exactly one of 'loader' .* or 'generator'",
        r"with 'path'\) or 'generator'",
    ),
    _case(
        "cohort_without_function",
        "cohort: {args: {n_patients: 200}}\n",
        _line(1, 9) + r": cohort needs exactly one of 'loader'",
        r"e\.g\. make_young_hypertension, with 'args'",
    ),
    _case(
        "cohort_misspelled_generator",
        "cohort: {generator: make_young_hypertensoin}\n",
        _line(1, 21) + r": cohort.generator must be one of make_young_hypertension, "
        r"make_hf_registry, make_ccta_registry; got the text 'make_young_hypertensoin'",
        r"did you mean 'make_young_hypertension'\?",
    ),
    _case(
        "cohort_generator_is_a_number",
        "cohort: {generator: 1}\n",
        _line(1, 21) + r": cohort.generator must be one of .*got the number 1",
        "Write e.g. generator: make_young_hypertension",
    ),
    _case(
        "cohort_loader_without_path",
        "cohort: {loader: load_young_hypertension}\n",
        _line(1, 18) + r": cohort loader 'load_young_hypertension' reads a file",
        r"add cohort.path \(relative to the study file\)",
    ),
    _case(
        "cohort_generator_with_path",
        "cohort: {generator: make_young_hypertension, path: data/htn.csv}\n",
        _line(1, 52) + r": cohort generator 'make_young_hypertension' reads no file",
        "delete cohort.path",
    ),
    _case(
        "cohort_args_is_a_list",
        "cohort: {generator: make_young_hypertension, args: [200]}\n",
        _line(1, 52) + r": cohort.args must be the arguments of the generator, a mapping",
        r"Write e.g. args: \{n_patients: 508",
    ),
    _case(
        "cohort_n_patients_text",
        "cohort: {generator: make_young_hypertension, args: {n_patients: many}}\n",
        _line(1, 65) + r": cohort.args.n_patients must be the number of synthetic patients, a "
        r"whole number from 1 to 1,000,000; got the text 'many'",
        "Write e.g. n_patients: 508",
    ),
    _case(
        "cohort_n_patients_decimal",
        "cohort: {generator: make_young_hypertension, args: {n_patients: 200.5}}\n",
        _line(1) + r".*cohort.args.n_patients must be .*got the number 200\.5",
        "without a decimal point",
    ),
    _case(
        "cohort_n_patients_huge",
        "cohort: {generator: make_hf_registry, args: {n_patients: 1000000000}}\n",
        _line(1) + r".*cohort.args.n_patients must be .*from 1 to 1,000,000; got the number 10",
        "Write e.g. n_patients: 508",
    ),
    _case(
        "cohort_seed_negative",
        "cohort: {generator: make_ccta_registry, args: {random_state: -1}}\n",
        _line(1) + r".*cohort.args.random_state must be a seed, a whole number from 0",
        "Write e.g. random_state: 0",
    ),
    _case(
        "cohort_return_frame",
        "cohort: {generator: make_young_hypertension, args: {return_frame: true}}\n",
        _line(1) + r".*cohort.args.return_frame must be false here",
        "A study needs a cohort, not a table: leave return_frame out",
    ),
    _case(
        "cohort_unknown_argument",
        "cohort: {generator: make_young_hypertension, args: {n: 3}}\n",
        _line(1, 53) + r": cohort.args has no key 'n'; its keys are n_patients, random_state",
        "Rename or delete it",
    ),
    _case(
        "cohort_path_in_args",
        "cohort: {loader: load_young_hypertension, path: data/htn.csv, args: {path: x.csv}}\n",
        _line(1) + r".*give the path as cohort.path, not in cohort.args",
        "as cohort.path",
        setup=_csv,
    ),
    _case(
        "cohort_outcome_misspelled",
        HF + "  outcome: binnary\n",
        _line(3, 12) + r": cohort.outcome must be the outcome kind: one of binary, survival",
        r"did you mean 'binary'\?",
    ),
    _case(
        "cohort_outcome_boolean",
        HF + "  outcome: yes\n",
        _line(3) + r".*cohort.outcome must be .*got yes, which YAML reads as the boolean true",
        "YAML reads yes/no, on/off and true/false as booleans",
    ),
    _case(
        "cohort_survival_outcome_of_binary_cohort",
        "cohort:\n  generator: make_hf_registry\n  args: {n_patients: 500, competing_death: "
        "exclude}\n  outcome: survival\n",
        _line(4, 12) + r": cohort.outcome 'survival' needs a cohort with follow-up times",
        "Delete cohort.outcome",
    ),
    _case(
        "cohort_name_number",
        GEN + "  name: 2024\n",
        _line(4) + r".*cohort.name must be the cohort's name \(text\); got the number 2024",
        "quote it if needed",
    ),
    _case(
        "cohort_hf_label_unknown",
        "cohort: {generator: make_hf_registry, args: {n_patients: 500, label: readmit_90d}}\n",
        _line(1) + r".*cohort.args.label must be one of readmit_30d, death_1yr",
        "Write e.g. label: readmit_30d",
    ),
    _case(
        "cohort_units_list",
        LOAD + "  args: {units: [mmol/L]}\n",
        _line(4) + r".*cohort.args.units must be SI or a mapping \{column: unit\}",
        r"units: \{total_chol: mmol/L\}",
        setup=_csv,
        absent=(PLANTED,),
    ),
    _case(
        "cohort_mimic_generator_writes_files",
        "cohort:\n  generator: make_mimic3_ami\n  args: {directory: {tmp}/mimic, n_patients: 50}\n",
        _line(2, 14) + r": cohort generator 'make_mimic3_ami' writes synthetic MIMIC-III tables "
        r"to a folder",
        r"then use loader: load_mimic3_ami with path: mimic",
        never=("mimic",),
    ),
    _case(
        "cohort_load_schema",
        "cohort: {loader: load_schema, path: x.yaml}\n",
        _line(1, 18) + r": cohort loader 'load_schema' returns a schema, not a cohort",
        "Use a loader such as load_young_hypertension",
    ),
    _case(
        "cohort_mimic_loader_on_a_file",
        "cohort: {loader: load_mimic3_ami, path: data/htn.csv}\n",
        _line(1) + r".*cohort.path 'data/htn.csv' is a file",
        "give the folder",
        setup=_csv,
    ),
    # -- paths: only inside the study file's folder -----------------------------------------
    _case(
        "path_absolute_outside",
        "cohort: {loader: load_young_hypertension, path: /etc/passwd}\n",
        _line(1, 49) + r": cohort.path '/etc/passwd' is outside the study file's folder",
        r"give a relative path such as data/cohort\.csv",
    ),
    _case(
        "path_dot_dot_escape",
        "cohort: {loader: load_young_hypertension, path: ../htn.csv}\n",
        _line(1, 49) + r": cohort.path '\.\./htn\.csv' is outside the study file's folder",
        "Move the data",
        setup=_csv_outside,
        absent=(PLANTED,),
    ),
    _case(
        "path_link_to_outside",
        LOAD,
        _line(3, 9) + r": cohort.path 'data/htn\.csv' is outside the study file's folder .*links "
        r"are followed",
        "sit beside or below the study file",
        setup=_link_outside,
        absent=(PLANTED,),
    ),
    _case(
        "path_missing",
        "cohort: {loader: load_young_hypertension, path: data/nope.csv}\n",
        _line(1) + r".*cohort.path 'data/nope\.csv' does not exist \(looked for .*nope\.csv\)",
        "relative paths are read from the study file's folder. Correct the path",
    ),
    _case(
        "path_is_a_folder",
        "cohort: {loader: load_young_hypertension, path: data}\n",
        _line(1) + r".*cohort.path 'data' is a folder",
        "give the file",
        setup=_csv,
    ),
    _case(
        "path_home",
        "cohort: {loader: load_young_hypertension, path: ~/htn.csv}\n",
        _line(1) + r".*cohort.path '~/htn\.csv' is outside the study file's folder",
        "give a relative path",
    ),
    _case(
        "path_number",
        "cohort: {loader: load_young_hypertension, path: 42}\n",
        _line(1) + r".*cohort.path must be the file to read, relative to the study file \(text\)"
        r"; got the number 42",
        "Write e.g. path: data/x.csv",
    ),
    _case(
        "path_empty",
        "cohort: {loader: load_young_hypertension, path: ''}\n",
        _line(1) + r".*cohort.path must be the file to read",
        "Write e.g. path: data/x.csv",
    ),
    _case(
        "path_mimic_folder_outside",
        "cohort: {loader: load_mimic3_ami, path: /tmp}\n",
        _line(1) + r".*cohort.path '/tmp' is outside the study file's folder",
        "Move the data",
    ),
    # -- models ----------------------------------------------------------------------------------
    _case(
        "models_misspelled",
        GEN + "models: [cox, randomforest]\n",
        _line(4, 15) + r": models \(item 2\) must be one of xgboost, .*got the text 'randomforest'",
        r"did you mean 'random_forest'\?",
    ),
    _case(
        "models_mapping",
        GEN + "models: {cox: 1}\n",
        _line(4, 9) + r": models must be a list of model names; got a mapping with key\(s\) cox",
        r"Write e.g. models: \[xgboost, cox\]",
    ),
    _case(
        "models_number",
        GEN + "models: [cox, 1]\n",
        _line(4, 15) + r": models \(item 2\) must be one of .*got the number 1",
        r"Write e.g. models: \[xgboost, cox\]",
    ),
    _case(
        "models_empty",
        GEN + "models: []\n",
        _line(4, 9) + r": models must be a non-empty list of model names",
        "leave models out for the default",
    ),
    _case(
        "models_null",
        GEN + "models:\n",
        _line(4) + r".*models must be a value; got nothing \(an empty value\)",
        "Give models a value, or delete the line for the default",
    ),
    _case(
        "models_twice",
        GEN + "models: [cox, cox]\n",
        _line(4, 15) + r": models lists 'cox' twice",
        "delete one",
    ),
    # -- selection -----------------------------------------------------------------------------
    _case(
        "selection_unknown",
        GEN + "selection: {lasso: {}}\n",
        _line(4, 13) + r": selection 'lasso' is not one of \['information_gain', 'rfe'",
        r"Write e.g. selection: \{rfe:",
    ),
    _case(
        "selection_boolean",
        GEN + "selection: no\n",
        _line(4, 12) + r": selection must be none, or one selector.*got no, which YAML reads as "
        "the boolean false",
        "or leave selection out",
    ),
    _case(
        "selection_list",
        GEN + "selection: [rfe]\n",
        _line(4, 12) + r": selection must be none, or one selector.*got a list of 1 item",
        r"Write e.g. selection: \{information_gain: \{top_k: 5\}\}",
    ),
    _case(
        "selection_rfe_size_text",
        GEN + "selection: {rfe: {n_features_to_select: eleven}}\n",
        _line(4, 41) + r": selection.rfe.n_features_to_select must be the number of features .*"
        "got the text 'eleven'",
        "Write e.g. n_features_to_select: 11",
    ),
    _case(
        "selection_rfe_fraction_above_one",
        GEN + "selection: {rfe: {n_features_to_select: 1.5}}\n",
        _line(4) + r".*selection.rfe.n_features_to_select must be a fraction of the features, a "
        r"number above 0 and below 1; got the number 1\.5",
        "Write e.g. n_features_to_select: 0.5",
    ),
    _case(
        "selection_rfe_unknown_parameter",
        GEN + "selection: {rfe: {n_feature: 11}}\n",
        _line(4, 19) + r": selection.rfe has no key 'n_feature' \(did you mean 'n_features_to_",
        "Rename or delete it",
    ),
    _case(
        "selection_top_k_decimal",
        GEN + "selection: {information_gain: {top_k: 5.5}}\n",
        _line(4) + r".*selection.information_gain.top_k must be the number of features to keep",
        "without a decimal point",
    ),
    _case(
        "selection_rfe_estimator_unknown",
        GEN + "selection: {rfe: {estimator: randomforest}}\n",
        _line(4) + r".*selection.rfe.estimator must be a model name \(xgboost, ",
        r"did you mean 'random_forest'\?",
    ),
    # -- validation ----------------------------------------------------------------------------
    _case(
        "validation_text",
        GEN + "validation: ten\n",
        _line(4, 13) + r": validation must be a number of folds \(e\.g\. 10\), \{repeated:",
        "Write e.g. validation: 10",
    ),
    _case(
        "validation_decimal",
        GEN + "validation: 10.0\n",
        _line(4, 13) + r": validation must be a number of folds .*got the number 10\.0",
        "Write e.g. validation: 10",
    ),
    _case(
        "validation_quoted_number",
        GEN + "validation: '10'\n",
        _line(4) + r".*validation must be .*got the text '10' \(quoted, so not a number\)",
        "quoted numbers as text",
    ),
    _case(
        "validation_one_fold",
        GEN + "validation: 1\n",
        _line(4) + r".*validation must be the number of folds, a whole number at least 2",
        "Write e.g. validation: 10",
    ),
    _case(
        "validation_boolean",
        GEN + "validation: yes\n",
        _line(4) + r".*validation must be a number of folds .*which YAML reads as the boolean",
        "YAML reads yes/no",
    ),
    _case(
        "validation_unknown_scheme",
        GEN + "validation: {bootstrap: 200}\n",
        _line(4, 14) + r": validation 'bootstrap' is not a validation scheme",
        r"\{optimism: 200\}",
    ),
    _case(
        "validation_repeated_k_text",
        GEN + "validation: {repeated: {k: five, repeats: 10}}\n",
        _line(4) + r".*validation.repeated.k must be the number of folds, a whole number",
        "Write e.g. k: 10",
    ),
    _case(
        "validation_repeated_unknown_key",
        GEN + "validation: {repeated: {folds: 5}}\n",
        _line(4) + r".*validation.repeated has no key 'folds'; its keys are k, repeats",
        "Rename or delete it",
    ),
    _case(
        "validation_optimism_text",
        GEN + "validation: {optimism: many}\n",
        _line(4) + r".*validation.optimism must be the number of bootstrap replicates",
        "Write e.g. optimism: 200",
    ),
    _case(
        "validation_optimism_too_few",
        GEN + "validation: {optimism: 5}\n",
        _line(4) + r".*validation.optimism must be .*from 10 to 100,000; got the number 5",
        "Write e.g. optimism: 200",
    ),
    _case(
        "validation_internal_method_number",
        GEN + "validation: {internal: {method: 0.632}}\n",
        _line(4) + r".*validation.internal.method must be a method: one of bootstrap, 632, "
        r"632\+, cv_optimism, cv_average; got the number 0\.632",
        "Write e.g. method: bootstrap",
    ),
    _case(
        "validation_internal_not_a_mapping",
        GEN + "validation: {internal: 3}\n",
        _line(4) + r".*validation.internal must be internal validation, a mapping",
        r"\{internal: \{method: cv_optimism, cv: 10\}\}",
    ),
    # -- horizon ---------------------------------------------------------------------------------
    _case(
        "horizon_with_unit",
        GEN + "horizon: 3 years\n",
        _line(4, 10) + r": horizon must be the horizon in days, a number above 0 and at most "
        r"36600; got the text '3 years'",
        "Write e.g. horizon: 365",
    ),
    _case(
        "horizon_zero",
        GEN + "horizon: 0\n",
        _line(4) + r".*horizon must be the horizon in days, a number above 0 .*got the number 0",
        "Write e.g. horizon: 365",
    ),
    _case(
        "horizon_negative",
        GEN + "horizon: -365\n",
        _line(4) + r".*horizon must be .*got the number -365",
        "Write e.g. horizon: 365",
    ),
    _case(
        "horizon_infinite",
        GEN + "horizon: .inf\n",
        _line(4) + r".*horizon must be .*got the number \.inf",
        "Write e.g. horizon: 365",
    ),
    _case(
        "horizon_of_thirty_digits",
        GEN + "horizon: 999999999999999999999999999999\n",
        _line(4, 10) + r": horizon must be the horizon in days, a number above 0 and at most "
        r"36600; got the number 9{30}",
        "Write e.g. horizon: 365",
    ),
    _case(
        "selection_rfe_step_of_thirty_digits",
        GEN + "selection: {rfe: {step: 999999999999999999999999999999}}\n",
        _line(4) + r".*selection.rfe.step must be the number of features .*from 1 to 100,000",
        "Write e.g. step: 11",
    ),
    _case(
        "horizon_nan",
        GEN + "horizon: .nan\n",
        _line(4) + r".*horizon must be .*got the number \.nan",
        "Write e.g. horizon: 365",
    ),
    _case(
        "horizon_boolean",
        GEN + "horizon: on\n",
        _line(4) + r".*horizon must be .*got on, which YAML reads as the boolean true",
        "YAML reads yes/no, on/off",
    ),
    _case(
        "horizon_date",
        GEN + "horizon: 2026-01-01\n",
        _line(4) + r".*horizon must be .*got 2026-01-01, which YAML reads as a date",
        "Write e.g. horizon: 365",
    ),
    _case(
        "horizon_and_horizon_days",
        GEN + "horizon: 365\nhorizon_days: 365\n",
        _line(5) + r".*horizon_days is the deprecated name of horizon",
        "give only horizon",
    ),
    _case(
        "horizon_days_text",
        GEN + "horizon_days: a year\n",
        _line(4) + r".*horizon_days must be the horizon in days",
        "Write e.g. horizon_days: 365",
    ),
    _case(
        "horizon_of_binary_outcome",
        GEN + "  outcome: binary\nhorizon: 365\n",
        _line(5) + r".*horizon applies to time-to-event outcomes; this cohort's outcome is binary",
        "Delete it",
    ),
    _case(
        "horizon_beyond_follow_up",
        GEN + "models: [cox]\nhorizon: 5000\n",
        _line(5, 10) + r" \(horizon\): horizon=5000 days cannot be evaluated in the cohort",
        r"Choose a horizon no later than the longest follow-up",
    ),
    # -- metrics and threshold ----------------------------------------------------------------
    _case(
        "metrics_unknown",
        GEN + "metrics: [harrel_c]\n",
        _line(4, 11)
        + r": metrics \(item 1\) must be one of accuracy, auc, brier, .*got the text 'harrel_c'",
        r"did you mean 'harrell_c'\?",
    ),
    _case(
        "metrics_mapping",
        GEN + "metrics: {harrell_c: 1}\n",
        _line(4) + r".*metrics must be a list of metric names; got a mapping",
        r"Write e.g. metrics: \[harrell_c, brier\]",
    ),
    _case(
        "metrics_of_the_other_outcome_kind",
        GEN + "metrics: [harrell_c, auc]\n",
        _line(4, 22) + r": metric 'auc' applies to binary outcomes; this cohort's outcome is "
        "time-to-event",
        r"Metrics for it: accuracy, brier, calibration_slope, harrell_c",
    ),
    _case(
        "metrics_net_benefit_without_threshold",
        GEN + "metrics: [harrell_c, net_benefit]\n",
        _line(4) + r".*metric 'net_benefit' is evaluated at a risk threshold",
        r"add e\.g\. threshold: 0\.1",
    ),
    _case(
        "metrics_twice",
        GEN + "metrics: [brier, brier]\n",
        _line(4, 18) + r": metrics lists 'brier' twice",
        "delete one",
    ),
    _case(
        "threshold_percent",
        GEN + "threshold: 10%\n",
        _line(4, 12) + r": threshold must be a risk threshold, a number above 0 and below 1; got "
        "the text '10%'",
        r"Write e\.g\. threshold: 0\.1",
    ),
    _case(
        "threshold_above_one",
        GEN + "threshold: 10\n",
        _line(4) + r".*threshold must be a risk threshold, .*got the number 10",
        r"Write e\.g\. threshold: 0\.1",
    ),
    _case(
        "threshold_text",
        GEN + "threshold: ten percent\n",
        _line(4) + r".*threshold must be .*got the text 'ten percent'",
        r"threshold: 0\.1",
    ),
    _case(
        "threshold_boolean",
        GEN + "threshold: off\n",
        _line(4) + r".*threshold must be .*got off, which YAML reads as the boolean false",
        r"threshold: 0\.1",
    ),
    # -- n_boot and random_state ---------------------------------------------------------------
    _case(
        "n_boot_many",
        GEN + "n_boot: many\n",
        _line(4, 9) + r": n_boot must be the number of bootstrap replicates per interval, a whole "
        "number from 50 to 100,000; got the text 'many'",
        "Write e.g. n_boot: 1000",
    ),
    _case(
        "n_boot_decimal",
        GEN + "n_boot: 1000.0\n",
        _line(4, 9) + r": n_boot must be .*got the number 1000\.0",
        "Write e.g. n_boot: 1000 without a decimal point",
    ),
    _case(
        "n_boot_exponent",
        GEN + "n_boot: 1e3\n",
        _line(4) + r".*n_boot must be .*got the text '1e3'",
        "YAML reads 1e3, 1.0e3, 1,000, 10% and quoted numbers as text",
    ),
    _case(
        "n_boot_thousands_separator",
        GEN + "n_boot: 1,000\n",
        _line(4) + r".*n_boot must be .*got the text '1,000'",
        "YAML reads 1e3, 1.0e3, 1,000",
    ),
    _case(
        "n_boot_too_few",
        GEN + "n_boot: 10\n",
        _line(4) + r".*n_boot must be .*from 50 to 100,000; got the number 10",
        "Write e.g. n_boot: 1000",
    ),
    _case(
        "n_boot_huge",
        GEN + "n_boot: 100000000\n",
        _line(4) + r".*n_boot must be .*got the number 100000000",
        "Write e.g. n_boot: 1000",
    ),
    _case(
        "n_boot_octal",
        GEN + "n_boot: 0100\n",
        _line(4) + r".*n_boot must be .*got the number 0100",
        "in decimal digits.*YAML reads 010 as 8",
    ),
    _case(
        "n_boot_sexagesimal",
        GEN + "n_boot: 1:30\n",
        _line(4) + r".*n_boot must be .*got the number 1:30",
        "1:30 as 90",
    ),
    _case(
        "n_boot_five_thousand_digits",
        GEN + "n_boot: " + "9" * 5000 + "\n",
        _line(4, 9) + r": the value '9999.*' cannot be read as a number \(too long\)",
        "write a number of sensible size",
    ),
    _case(
        "n_boot_empty",
        GEN + "n_boot:\n",
        _line(4) + r".*n_boot must be a value; got nothing",
        "delete the line for the default",
    ),
    _case(
        "random_state_decimal",
        GEN + "random_state: 1.5\n",
        _line(4, 15) + r": random_state must be a seed, a whole number from 0 to 4,294,967,295; "
        r"got the number 1\.5",
        "Write e.g. random_state: 0 without a decimal point",
    ),
    _case(
        "random_state_negative",
        GEN + "random_state: -1\n",
        _line(4) + r".*random_state must be a seed.*got the number -1",
        "Write e.g. random_state: 0",
    ),
    _case(
        "random_state_too_large",
        GEN + "random_state: 1099511627776\n",
        _line(4) + r".*random_state must be a seed.*to 4,294,967,295",
        "Write e.g. random_state: 0",
    ),
    _case(
        "random_state_text",
        GEN + "random_state: seed\n",
        _line(4) + r".*random_state must be a seed.*got the text 'seed'",
        "Write e.g. random_state: 0",
    ),
    _case(
        "random_state_hexadecimal",
        GEN + "random_state: 0x1F\n",
        _line(4) + r".*random_state must be a seed.*got the number 0x1F",
        "YAML reads 010 as 8, 0x10 as 16",
    ),
    # -- competing events and metric parameters (issues 27 and 28) ---------------------------
    _case(
        "competing_on_a_cohort_without_competing_events",
        GEN + "  competing: death\n",
        _line(4, 14) + r": cohort 'make_young_hypertension' carries no competing events; "
        r"delete cohort\.competing",
        r"or use a cohort that does \(make_hf_registry",
    ),
    _case(
        "metric_params_as_a_list",
        GEN + "metric_params: [0.1]\n",
        _line(4, 16) + r": metric_params must be \{metric: \{parameter: value\}\}, a mapping",
        r"Write e\.g\. metric_params: \{sensitivity: \{threshold: 0\.2\}\}",
    ),
    # -- subgroups, explain, reference, comparison, censoring weights ------------------------
    _case(
        "subgroups_unknown_column",
        GEN + "subgroups: [sex, ward]\n",
        _line(4, 18) + r": subgroups names 'ward', which is not a column of the cohort",
        "use one of its columns, e.g. age, sex",
    ),
    _case(
        "subgroups_mapping",
        GEN + "subgroups: {sex: [M, F]}\n",
        _line(4) + r".*subgroups must be a list of column names; got a mapping",
        r"Write e.g. subgroups: \[sex, age_group\]",
    ),
    _case(
        "subgroups_number",
        GEN + "subgroups: [1]\n",
        _line(4, 13) + r": subgroups \(item 1\) must be a column name \(text\); got the number 1",
        "Write e.g. subgroups: sex",
    ),
    _case(
        "explain_yes",
        GEN + "explain: yes\n",
        _line(4, 10) + r": explain must be auto, a list of the study's models, or null; got yes, "
        "which YAML reads as the boolean true",
        r"Write explain: auto \(every model\), a list of model names, or explain: null",
    ),
    _case(
        "explain_no",
        GEN + "explain: no\n",
        _line(4) + r".*explain must be .*got no, which YAML reads as the boolean false",
        "explain: null for none",
    ),
    _case(
        "explain_model_not_in_study",
        GEN + "models: [cox]\nexplain: [xgboost]\n",
        _line(5, 11) + r": explain \(item 1\) must be one of cox; got the text 'xgboost'",
        r"Write e.g. explain: \[cox\]",
    ),
    _case(
        "explain_number",
        GEN + "explain: 1\n",
        _line(4) + r".*explain must be a list of the study's models; got the number 1",
        r"Write e.g. explain: \[cox\]",
    ),
    _case(
        "reference_not_in_study",
        GEN + "models: [cox, framingham_recalibrated]\nreference: xgboost\n",
        _line(5, 12) + r": reference must be one of the study's models: one of cox, "
        "framingham_recalibrated; got the text 'xgboost'",
        "Write e.g. reference: cox",
    ),
    _case(
        "reference_list",
        GEN + "reference: [cox]\n",
        _line(4) + r".*reference must be one of the study's models: .*got a list",
        "Write e.g. reference: xgboost",
    ),
    _case(
        "comparison_unknown",
        GEN + "comparison: delong_test\n",
        _line(4, 13) + r": comparison must be the paired test of AUCs: one of delong, bootstrap",
        r"did you mean 'delong'\?",
    ),
    _case(
        "comparison_boolean",
        GEN + "comparison: on\n",
        _line(4) + r".*comparison must be .*got on, which YAML reads as the boolean true",
        "YAML reads yes/no, on/off",
    ),
    _case(
        "censoring_weights_wrong_case",
        GEN + "censoring_weights: riskregression\n",
        _line(4, 20) + r": censoring_weights must be the censoring weights: one of before, at, "
        "riskRegression",
        r"did you mean 'riskRegression'\?",
    ),
    _case(
        "censoring_weights_number",
        GEN + "censoring_weights: 1\n",
        _line(4) + r".*censoring_weights must be .*got the number 1",
        "Write e.g. censoring_weights: before",
    ),
    _case(
        "trusted_predictors_mapping",
        GEN + "trusted_predictors: {sex: yes}\n",
        _line(4, 21) + r".*trusted_predictors must be a list of predictor names",
        r"Write e\.g\. trusted_predictors: \[creatinine, area\]",
    ),
    _case(
        "trusted_predictors_number",
        GEN + "trusted_predictors: [1]\n",
        _line(4) + r".*trusted_predictors.*must be a column name",
        r"creatinine",
    ),
    # -- reference levels, stratified bootstrap, n_jobs ---------------------------------------
    _case(
        "reference_levels_list",
        GEN + "reference_levels: [sex]\n",
        _line(4, 19) + r": reference_levels must be \{column: level\}, a mapping",
        r"reference_levels: \{sex: male\}",
    ),
    _case(
        "reference_level_boolean",
        GEN + "reference_levels: {sex: yes}\n",
        _line(4, 25) + r": reference_levels.sex must be a level \(text or a number\); got yes, "
        "which YAML reads as the boolean true",
        r"Quote the level, e\.g\. sex: 'yes'",
    ),
    _case(
        "reference_level_unknown_column",
        GEN + "reference_levels: {ward: A}\n",
        _line(4, 20) + r": reference_levels names 'ward', not a predictor of the cohort",
        "reference levels apply to its categorical predictors: sex, ",
    ),
    _case(
        "reference_level_unknown_level",
        GEN + "reference_levels: {sex: male}\n",
        _line(4, 25) + r": reference_levels.sex 'male' is not a level of 'sex' \(its levels: "
        r"\['F', 'M'\]\)",
        r"Write one of them \(quoted\)",
    ),
    _case(
        "reference_level_of_a_numeric_column",
        GEN + "reference_levels: {age: 50}\n",
        _line(4, 20) + r": reference_levels names 'age', a numeric predictor of the cohort",
        "reference levels apply to its categorical predictors",
        absent=("18.5", "'50'"),
    ),
    _case(
        "tiny_cohort_without_cases_by_its_horizon",
        "cohort: {generator: make_young_hypertension, args: {n_patients: 5}}\nmodels: [cox]\n",
        _line(1, 9) + r" \(cohort\): horizon=1004 days cannot be evaluated in the cohort",
        "An outcome without events cannot be evaluated at any horizon",
    ),
    _case(
        "reference_level_list",
        GEN + "reference_levels: {sex: [M]}\n",
        _line(4) + r".*reference_levels.sex must be a level \(text or a number\); got a list",
        "Quote the level",
    ),
    _case(
        "stratified_bootstrap_quoted",
        GEN + "stratified_bootstrap: 'true'\n",
        _line(4, 23) + r": stratified_bootstrap must be true or false; got the text 'true'",
        "without quotes",
    ),
    _case(
        "stratified_bootstrap_number",
        GEN + "stratified_bootstrap: 1\n",
        _line(4) + r".*stratified_bootstrap must be true or false; got the number 1",
        "Write stratified_bootstrap: true or stratified_bootstrap: false",
    ),
    _case(
        "n_jobs_zero",
        GEN + "n_jobs: 0\n",
        _line(4, 9) + r": n_jobs must be -1 \(all cores\) or a positive number of parallel fits",
        "Write n_jobs: -1, or leave it out",
    ),
    _case(
        "n_jobs_text",
        GEN + "n_jobs: all\n",
        _line(4) + r".*n_jobs must be the number of parallel fits \(-1: all cores\).*'all'",
        "Write e.g. n_jobs: -1",
    ),
    _case(
        "n_jobs_decimal",
        GEN + "n_jobs: 2.5\n",
        _line(4) + r".*n_jobs must be .*got the number 2\.5",
        "without a decimal point",
    ),
    _case(
        "n_jobs_minus_two",
        GEN + "n_jobs: -2\n",
        _line(4) + r".*n_jobs must be .*from -1 to 1,024; got the number -2",
        "Write e.g. n_jobs: -1",
    ),
    # -- report ----------------------------------------------------------------------------------
    _case(
        "report_list",
        GEN + "report: [report.html]\n",
        _line(4, 9) + r": report must be the report's options, a mapping",
        r"report: \{file: report\.html, title: My study\}",
    ),
    _case(
        "report_file_in_parent_folder",
        GEN + "report: {file: ../report.html}\n",
        _line(4, 16) + r": report.file must be a file name without folders; got '\.\./report",
        "Choose the folder with riskml run --out",
        never=("report.html",),
    ),
    _case(
        "report_file_absolute",
        GEN + "report: {file: /tmp/report.html}\n",
        _line(4) + r".*report.file must be a file name without folders",
        "riskml run --out",
    ),
    _case(
        "report_file_not_html",
        GEN + "report: {file: study.yaml}\n",
        _line(4, 16) + r": report.file must be an HTML file name ending in \.html",
        r"Write e\.g\. file: report\.html",
        out=False,
    ),
    _case(
        "report_file_number",
        GEN + "report: {file: 1}\n",
        _line(4) + r".*report.file must be the report's file name \(text\); got the number 1",
        r"file: report\.html",
    ),
    _case(
        "report_title_number",
        GEN + "report: {title: 1.10}\n",
        _line(4, 17) + r": report.title must be the report's title \(text\); got the number 1\.10",
        "quote it if needed",
    ),
    _case(
        "report_title_date",
        GEN + "report: {title: 2024-06-01}\n",
        _line(4) + r".*report.title must be .*got 2024-06-01, which YAML reads as a date",
        "quote it",
    ),
    _case(
        "report_authors_mapping",
        GEN + "report: {authors: {A: Author}}\n",
        _line(4) + r".*report.authors must be a list, each item an author; got a mapping",
        r"Write e.g. authors: \['A. Author'\]",
    ),
    _case(
        "report_authors_numbers",
        GEN + "report: {authors: [1, 2]}\n",
        _line(4, 20) + r": report.authors \(item 1\) must be an author \(text\); got the number 1",
        "quote it if needed",
    ),
    _case(
        "report_section_misspelled",
        GEN + "report: {sections: [cohort, performanc]}\n",
        _line(4, 29) + r": report.sections \(item 2\) must be one of cohort, outcome",
        r"did you mean 'performance'\?",
    ),
    _case(
        "report_sections_all",
        GEN + "report: {sections: all}\n",
        _line(4) + r".*report.sections must be one of cohort, .*got the text 'all'",
        r"sections: \[cohort, performance, checklist\]",
    ),
    _case(
        "report_unknown_key",
        GEN + "report: {titel: My study}\n",
        _line(4, 10) + r": report has no key 'titel' \(did you mean 'title'\?\)",
        "its keys are file, title, authors, sections",
    ),
    # -- unknown keys ----------------------------------------------------------------------------
    _case(
        "unknown_key_model",
        GEN + "model: [cox]\n",
        _line(4, 1) + r": a study file has no key 'model' \(did you mean 'models'\?\)",
        "Rename or delete it",
    ),
    _case(
        "unknown_key_nboot",
        GEN + "nboot: 1000\n",
        _line(4, 1) + r": a study file has no key 'nboot' \(did you mean 'n_boot'\?\)",
        "Rename or delete it",
    ),
    _case(
        "unknown_key_boolean_name",
        GEN + "on: 1\n",
        _line(4, 1) + r": a study file has no key 'on'",
        "its keys are cohort, models",
    ),
    _case(
        "missing_cohort",
        "models: [cox]\n",
        r"study\.yaml needs a 'cohort' entry",
        r"cohort: \{generator: make_young_hypertension\}",
    ),
    # -- encodings -------------------------------------------------------------------------------
    _case(
        "latin1_byte",
        None,
        r"study\.yaml, line 4, byte \d+: byte 0xe9 is not UTF-8 \(it would be 'é' in Latin-1",
        "Save the file as UTF-8",
        raw=(GEN + "report: {title: Caf\xe9 study}\n").encode("latin-1"),
    ),
    _case(
        "windows_1252_quotes",
        None,
        r"study\.yaml, line 4, byte \d+: byte 0x93 is not UTF-8",
        "Save the file as UTF-8",
        raw=(GEN + "report: {title: \u201cstudy\u201d}\n").encode("cp1252"),
    ),
    _case(
        "utf16_with_bom",
        None,
        r"study\.yaml, line 1, byte 0: the file is UTF-16 \(it starts with a UTF-16 byte-order",
        "Save the file as UTF-8",
        raw=GEN.encode("utf-16"),
    ),
    _case(
        "utf16_without_bom",
        None,
        r"study\.yaml, line 1, byte 1: a NUL byte; the file is UTF-16 or binary",
        "Save the file as UTF-8",
        raw=GEN.encode("utf-16-le"),
    ),
    _case(
        "utf32",
        None,
        r"study\.yaml, line 1, byte 0: the file is UTF-32",
        "Save the file as UTF-8",
        raw=GEN.encode("utf-32"),
    ),
    _case(
        "binary_junk",
        None,
        r"study\.yaml, line \d+, byte \d+: (a NUL byte|byte 0x[0-9a-f]{2} is not UTF-8)",
        "Save the file as UTF-8",
        raw=np.random.default_rng(0).integers(0, 256, 400, dtype=np.uint8).tobytes(),
    ),
    _case(
        "gzip_compressed_study",
        None,
        r"study\.yaml, line 1, byte \d+: (a NUL byte|byte 0x8b is not UTF-8)",
        "Save the file as UTF-8",
        raw=gzip.compress(GEN.encode(), mtime=0),
    ),
    _case(
        "nul_byte_in_a_value",
        None,
        r"study\.yaml, line 4, byte \d+: a NUL byte",
        "Save the file as UTF-8",
        raw=(GEN + "models: [cox\x00]\n").encode(),
    ),
    _case(
        "control_character",
        GEN + "report: {title: My\x07study}\n",
        _line(4, 19) + r": the control character U\+0007 is not allowed in YAML",
        "Delete it, or save the file again as UTF-8",
    ),
    _case(
        "utf8_bom_then_bad_value",
        None,
        _line(4, 9) + r": n_boot must be .*got the text 'many'",
        "Write e.g. n_boot: 1000",
        raw=b"\xef\xbb\xbf" + (GEN + "n_boot: many\n").encode(),
    ),
    # -- layout and syntax -----------------------------------------------------------------------
    _case(
        "empty_file",
        "",
        r"study\.yaml is empty; a study file is a YAML mapping that starts with cohort:",
        r"see examples/study\.yaml",
    ),
    _case(
        "comments_only",
        "# cohort: {generator: make_young_hypertension}\n\n",
        r"study\.yaml is empty",
        "starts with cohort:",
    ),
    _case(
        "top_level_list",
        "- cohort: {generator: make_young_hypertension}\n",
        r"study\.yaml holds a list, not a YAML mapping \(key: value lines\)",
        r"See examples/study\.yaml for the layout",
    ),
    _case(
        "top_level_scalar",
        "make_young_hypertension\n",
        r"study\.yaml holds a single value, not a YAML mapping",
        "is it the study file",
    ),
    _case(
        "a_csv_given_as_the_study",
        None,
        r"study\.yaml holds a single value, not a YAML mapping",
        r"is it the study file \(not a CSV or another file\)",
        raw=f"patient_id,age\n{PLANTED}-1,50\n{PLANTED}-2,61\n".encode(),
        absent=(PLANTED,),
    ),
    _case(
        "tab_indentation",
        "cohort:\n\tgenerator: make_young_hypertension\n",
        _line(2, 1) + r": not valid YAML: found character '\\t' that cannot start any token",
        "Indent with spaces, not tabs",
    ),
    _case(
        "unclosed_bracket",
        GEN + "models: [cox, xgboost\nn_boot: 100\n",
        _line(5, 7) + r": not valid YAML: expected ',' or '\]', but got ':'",
        "Check the indentation and quoting near that line",
    ),
    _case(
        "two_documents",
        GEN + "---\nmodels: [cox]\n",
        _line(4, 1) + r": not valid YAML: but found another document",
        "Keep one study per file",
    ),
    _case(
        "python_object_tag",
        GEN + "n_boot: !!python/object/apply:os.system [echo hi]\n",
        _line(4, 9) + r": the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not used",
        "remove it",
    ),
    _case(
        "include_tag",
        GEN + "report: !include report.yaml\n",
        _line(4, 9) + r": not valid YAML: could not determine a constructor for the tag '!include'",
        "Remove the tag",
    ),
    _case(
        "complex_key",
        GEN + "? [models]\n: [cox]\n",
        _line(4, 3) + r": a key must be a plain name; got a list",
        "Write key: value",
    ),
    _case(
        "mapping_value_in_plain_text",
        GEN + "report: {title: Risk: a study}\n",
        _line(4) + r".*not valid YAML",
        r"quote text that contains ': '",
    ),
    _case(
        "bad_indentation",
        "cohort:\n  generator: make_young_hypertension\n   args: {n_patients: 200}\n",
        _line(3) + r".*not valid YAML: mapping values are not allowed here",
        "Check the indentation",
    ),
    _case(
        "file_too_large",
        GEN + "# " + "x" * 1_100_000 + "\n",
        r"study\.yaml is larger than 1,000,000 bytes; a study file is a few lines of YAML",
        "Check that this is the study file",
    ),
    Case(
        "study_path_is_a_folder",
        lambda tmp_path, data: _folder_as_study(tmp_path),
        CommandFailed,
        r"is a folder; give the study's YAML file",
        r"e\.g\. study\.yaml",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_study_file(case, tmp_path, data):
    """One line on stderr, exit status 2, no traceback, nothing written."""
    message = check_case(case, tmp_path, data)
    assert message.startswith("exit 2: riskml run: error: "), message
    assert message.count("\n") == 1 and message.endswith("\n"), f"not one line: {message!r}"
    assert "Traceback" not in message
    assert not (tmp_path / "out").exists(), f"{case.id}: an output folder was created"


def test_the_corpus_covers_every_study_file_key():
    """Every documented key of a study file has at least one case here: a case named after
    each top-level key, and a message naming each cohort.* and report.* key."""
    import re

    from riskml.study_file import COHORT_KEYS, REPORT_KEYS, STUDY_KEYS

    ids = [case.id for case in CASES]
    problems = [case.problem.replace("\\.", ".") for case in CASES]
    missing = [k for k in STUDY_KEYS if not any(i.startswith(k) for i in ids)]
    missing += [
        f"cohort.{k}"
        for k in COHORT_KEYS
        if not any(re.search(rf"cohort[. ]{k}\b", p) for p in problems)
    ]
    missing += [f"report.{k}" for k in REPORT_KEYS if not any(f"report.{k}" in p for p in problems)]
    assert not missing, f"keys without a case: {missing}"
    assert len(CASES) >= 80
