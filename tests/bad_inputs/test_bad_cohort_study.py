"""Bad-input corpus: cohorts built from a user's table, Study settings and evaluation calls.

Each case reads a CSV written in ``tmp_path`` (from the bundled heart-failure records,
with a planted problem), makes one public call, and checks that the message names the
problem and the fix, quotes no planted patient value, and leaves the file untouched.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskml as rk

from .conftest import Case, check_case

PLANTED = "Quux"  # in every planted name: it must never appear in a message


@pytest.fixture(scope="module")
def data():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    frame = hf.features.assign(time=hf.outcome.time, death=hf.outcome.event.astype(int))
    return {"frame": frame}


def _table(change=None):
    """build(tmp_path, data) -> (call, inputs) for a Cohort made from a changed CSV."""

    def build(tmp_path, data):
        frame = data["frame"].copy()
        if change is not None:
            frame = change(frame)
        path = tmp_path / "cohort.csv"
        frame.to_csv(path, index=False)

        def call():
            table = pd.read_csv(path)
            outcome = rk.Outcome.survival(table.pop("time"), table.pop("death"))
            return rk.Cohort(table, outcome)

        return call, [path]

    return build


def _study(change=None, **options):
    """A Study on the (changed) table: the check must fire before any fit."""

    def build(tmp_path, data):
        make, inputs = _table(change)(tmp_path, data)

        def call():
            cohort = make()
            cohort.horizon = 90.0
            return rk.Study(cohort, progress=False, **options).run()

        return call, inputs

    return build


def _evaluation(function):
    def build(tmp_path, data):
        make, inputs = _table()(tmp_path, data)
        return (lambda: function(make())), inputs

    return build


def _names(frame):
    return frame.assign(**{"Patient Name": [f"Ann {PLANTED}{i}" for i in range(len(frame))]})


CASES = [
    Case(
        "patient_name",
        _table(_names),
        ValueError,
        r"'Patient Name': a name",
        r"ids=",
        absent=(PLANTED,),
    ),
    Case(
        "date_of_birth",
        _table(
            lambda f: f.assign(date_of_birth=[f"1950-01-{1 + i % 28:02d}" for i in range(len(f))])
        ),
        ValueError,
        r"'date_of_birth': a date",
        r"derive what you need from dates first",
        absent=("1950-01-01",),
    ),
    Case(
        "email",
        _table(lambda f: f.assign(email=[f"p{i}@{PLANTED}.org" for i in range(len(f))])),
        ValueError,
        r"'email': a contact detail",
        r"Drop it from features",
        absent=(PLANTED,),
    ),
    Case(
        "medical_record_number",
        _table(lambda f: f.assign(**{"Medical Record Number": np.arange(len(f)) + 700000})),
        ValueError,
        r"'Medical Record Number': a record number",
        r"ids= \(row identifier\)",
        absent=("700000",),
    ),
    Case(
        "unique_patient_number",
        _table(lambda f: f.assign(pt=np.random.default_rng(0).permutation(len(f)) + 123450)),
        ValueError,
        r"'pt': a whole number distinct in nearly every row",
        r"accepted once the metadata gives its unit",
    ),
    Case(
        "free_text_notes",
        _table(lambda f: f.assign(notes="short of breath on exertion, ankle swelling noted today")),
        ValueError,
        r"'notes': free text",
        r"metadata role 'context'",
        absent=("ankle swelling",),
    ),
    Case(
        "outcome_complement",
        _table(lambda f: f.assign(alive=1 - f["death"])),
        ValueError,
        r"'alive' is the complement of the outcome's event flag",
        r"Drop it from features",
    ),
    Case(
        "near_copy_of_outcome",
        _table(lambda f: f.assign(discharge_code=f["death"] * 10 + np.linspace(0, 1, len(f)))),
        UserWarning,
        r"'discharge_code' separates events from non-events almost perfectly",
        r"mark it post_index=True",
        warns=True,
    ),
    Case(
        "horizon_beyond_follow_up",
        _study(models=["cox"], horizon=5000),
        ValueError,
        r"horizon=5000 days cannot be evaluated in the cohort: no patient is followed to it "
        r"event-free \(no controls\) \(\d+ case\(s\).* follow-up runs from \d+ to 285 days "
        r"\(median \d+",
        r"no later than the longest follow-up \(285 days\)",
    ),
    Case(
        "too_many_folds_for_the_events",
        _study(
            lambda f: f.assign(death=(np.arange(len(f)) < 4).astype(int)),
            models=["cox"],
            validation=10,
        ),
        ValueError,
        r"validation=10 stratified folds need at least 10 events",
        r"Use validation=4 or fewer folds",
    ),
    Case(
        "n_jobs_zero",
        _study(models=["cox"], n_jobs=0),
        ValueError,
        r"'n_jobs' parameter of Study",
        r"-1 \(all cores\)",
    ),
    Case(
        "metric_of_the_other_outcome_kind",
        _study(models=["cox"], metrics=["auc"]),
        ValueError,
        r"metric 'auc' applies to binary outcomes, not survival ones",
        r"metrics for survival outcomes: \[",
    ),
    Case(
        "net_benefit_without_threshold",
        _study(models=["cox"], metrics=["harrell_c", "net_benefit"]),
        ValueError,
        r"'net_benefit' is evaluated at a risk threshold",
        r"threshold=0\.1",
    ),
    Case(
        "unknown_subgroup_column",
        _study(models=["cox"], subgroups=["ward"]),
        ValueError,
        r"subgroups names 'ward'",
        r"pass \{name: labels\}",
    ),
    Case(
        "misspelled_model",
        _study(models=["randomforest"]),
        ValueError,
        r"unknown model 'randomforest'",
        r"random_forest",
    ),
    Case(
        "n_boot_one",
        _study(models=["cox"], n_boot=1),
        ValueError,
        r"'n_boot' parameter of Study must be an int in the range \[50, inf\)",
        r"\[50, inf\)",
    ),
    Case(
        "infinite_scores",
        _evaluation(
            lambda c: rk.evaluation.roc_auc(c.outcome.event, np.r_[np.inf, np.zeros(len(c) - 1)])
        ),
        ValueError,
        r"infinite",
        r"y_score",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_cohort_or_study(case, tmp_path, data):
    check_case(case, tmp_path, data)
