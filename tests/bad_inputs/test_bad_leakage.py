"""Bad-input corpus: predictors that leak the outcome, and degenerate numbers.

Each case writes the bundled heart-failure records (UCI 519: 299 patients, 96 deaths,
horizon 90 days) to a CSV in ``tmp_path`` with a planted column, builds the cohort a
user would build from it, and runs the Study's pre-flight (``Study.run`` stops before
the first fit). The message must name the column, the reason and the fix
(``trusted_predictors=[...]``, drop it, or mark it post_index), quote no planted
patient value, and leave the file untouched.

Oracles: the planted columns are built from the outcome by hand (time / 7, the label
at the horizon by :func:`riskml.outcome.horizon_label`, the event flag with k rows
recoded), so the expected reason is known; AUCs quoted in the comments are
scikit-learn's ``roc_auc_score`` of the column against the event flag.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.outcome import horizon_label

from .conftest import Case, check_case

PLANTED = "Quux"
TRUST = r"trusted_predictors=\['{}'\]"


@pytest.fixture(scope="module")
def data():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    frame = hf.features.assign(time=hf.outcome.time, death=hf.outcome.event.astype(int))
    return {"frame": frame}


def _cohort_from(path, outcome="survival", convert=None, metadata=None, ids=None):
    table = pd.read_csv(path)
    if convert is not None:
        table = convert(table)
    time, death = table.pop("time"), table.pop("death")
    result = rk.Outcome.survival(time, death) if outcome == "survival" else rk.Outcome.binary(death)
    return rk.Cohort(table, result, metadata, ids=ids)


def _table(change=None, outcome="survival", convert=None, metadata=None):
    """build(tmp_path, data) -> (call, inputs): a Cohort from a changed CSV."""

    def build(tmp_path, data):
        frame = data["frame"].copy()
        if change is not None:
            frame = change(frame)
        path = tmp_path / "cohort.csv"
        frame.to_csv(path, index=False)
        return (lambda: _cohort_from(path, outcome, convert, metadata)), [path]

    return build


def _study(change=None, outcome="survival", convert=None, metadata=None, **options):
    """A Study on the changed table: the guard must fire before any fit."""

    def build(tmp_path, data):
        make, inputs = _table(change, outcome, convert, metadata)(tmp_path, data)

        def call():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the Cohort's own near-copy warnings
                cohort = make()
            if outcome == "survival" and "horizon" not in options:
                cohort.horizon = 90.0
            settings = {"models": ["cox"] if outcome == "survival" else ["logistic"]}
            settings.update(options)
            return rk.Study(cohort, progress=False, n_boot=50, explain=None, **settings).run()

        return call, inputs

    return build


def _label(frame, days=90.0):
    return horizon_label(frame["time"], frame["death"], days)


def _recode_events(frame, k):
    """The event flag with the first k events recoded to 0."""
    flag = frame["death"].to_numpy().copy()
    flag[np.flatnonzero(flag == 1)[:k]] = 0
    return flag


def _flip_non_events(frame, k):
    flag = frame["death"].to_numpy().copy()
    flag[np.flatnonzero(flag == 0)[:k]] = 1
    return flag


def _one_each_way(frame):
    """The event flag with its first event recoded to 0 and its last non-event to 1."""
    flag = frame["death"].to_numpy().copy()
    flag[np.flatnonzero(flag == 1)[0]] = 0
    flag[np.flatnonzero(frame["death"].to_numpy() == 0)[-1]] = 1
    return flag


def _words(frame, yes, no):
    return np.where(frame["death"] == 1, yes, no)


def _study_case(id, change, column, reason, **options):
    return Case(
        id,
        _study(change, **options),
        ValueError,
        rf"Study refuses \d+ predictor\(s\) before the first fit.*'{column}': {reason}",
        TRUST.format(column),
    )


CASES = [
    # -- follow-up time in disguise ------------------------------------------------------
    _study_case(
        "time_in_weeks",
        lambda f: f.assign(weeks=f["time"] / 7),
        "weeks",
        r".*rises with the follow-up time \(Spearman rank correlation \+1\.00.*"
        r"follow-up time rescaled",
    ),
    _study_case(
        "time_in_months",
        lambda f: f.assign(months=(f["time"] / 30.4375).round(1)),
        "months",
        r".*rises with the follow-up time",
    ),
    _study_case(
        "time_in_hours",
        lambda f: f.assign(hours=f["time"] * 24),
        "hours",
        r".*follow-up time rescaled",
    ),
    _study_case(
        "days_left_in_study",
        lambda f: f.assign(days_left=300 - f["time"]),
        "days_left",
        r".*falls with the follow-up time \(Spearman rank correlation -1\.00",
    ),
    _study_case(
        "time_with_noise",
        lambda f: f.assign(
            visits=(f["time"] / 30 + np.random.default_rng(0).normal(0, 0.3, len(f))).round()
        ),
        "visits",
        r".*rises with the follow-up time \(Spearman rank correlation \+0\.9\d",
    ),
    _study_case(
        "time_partly_missing",
        lambda f: f.assign(weeks=(f["time"] / 7).where(np.arange(len(f)) % 9 != 0)),
        "weeks",
        r".*rises with the follow-up time",
    ),
    _study_case(
        "log_time",
        lambda f: f.assign(log_fu=np.log1p(f["time"])),
        "log_fu",
        r".*rises with the follow-up time \(Spearman rank correlation \+1\.00",
    ),
    _study_case(
        "time_to_death_missing_for_survivors",
        lambda f: f.assign(days_to_death=f["time"].where(f["death"] == 1)),
        "days_to_death",
        r".*maps onto the event flag exactly: by whether it is missing",
    ),
    # -- the label at the horizon ----------------------------------------------------------
    _study_case(
        "label_at_horizon",
        lambda f: f.assign(dead_by_90=_label(f)),
        "dead_by_90",
        r"is the outcome label at the horizon \(event by day 90\) in 256 of 256",
    ),
    _study_case(
        "label_at_horizon_censored_as_zero",
        lambda f: f.assign(dead_by_90=np.nan_to_num(_label(f), nan=0.0)),
        "dead_by_90",
        r"is the outcome label at the horizon",
    ),
    _study_case(
        "label_at_horizon_censored_as_minus_one",
        lambda f: f.assign(dead_by_90=np.nan_to_num(_label(f), nan=-1.0)),
        "dead_by_90",
        r"is the outcome label at the horizon",
    ),
    _study_case(
        "complement_of_label_at_horizon",
        lambda f: f.assign(alive_at_90=1 - _label(f)),
        "alive_at_90",
        r"is the complement of the outcome label at the horizon",
    ),
    _study_case(
        "label_at_horizon_as_words",
        lambda f: f.assign(
            status_90=pd.Series(_label(f)).map({1.0: "dead", 0.0: "alive"}).to_numpy()
        ),
        "status_90",
        r"maps onto the outcome by day 90 exactly",
    ),
    _study_case(
        "label_at_a_study_horizon",
        lambda f: f.assign(dead_by_60=_label(f, 60)),
        "dead_by_60",
        r"is the outcome label at the horizon \(event by day 60\)",
        horizon=60,
    ),
    _study_case(
        "label_at_horizon_two_rows_wrong",
        lambda f: f.assign(dead_by_90=np.where(np.arange(len(f)) < 2, 1 - _label(f), _label(f))),
        "dead_by_90",
        r"is the outcome label at the horizon \(event by day 90\) in 25\d of 256",
    ),
    # -- the event flag, nearly -------------------------------------------------------------
    _study_case(  # AUC 0.9896: just under a 0.99 threshold, 2 exceptions
        "event_flag_two_events_recoded",
        lambda f: f.assign(flag=_recode_events(f, 2)),
        "flag",
        r"maps onto the event flag almost exactly: by its values, only 2 of 299 patients "
        r"go against it \(299 patients, 96 with the event; univariate AUC 0\.9896\)",
    ),
    _study_case(
        "event_flag_four_events_recoded",
        lambda f: f.assign(flag=_recode_events(f, 4)),
        "flag",
        r"maps onto the event flag almost exactly: .*only 4 of 299",
    ),
    _study_case(
        "event_flag_three_non_events_flipped",
        lambda f: f.assign(flag=_flip_non_events(f, 3)),
        "flag",
        r"maps onto the event flag almost exactly: .*only 3 of 299",
    ),
    _study_case(
        "event_flag_one_each_way",
        lambda f: f.assign(flag=_one_each_way(f)),
        "flag",
        r"maps onto the event flag almost exactly",
    ),
    _study_case(
        "event_flag_times_ten_plus_noise",
        lambda f: f.assign(code=f["death"] * 10 + np.linspace(0, 1, len(f))),
        "code",
        r"maps onto the event flag exactly: by one cut point of its values",
    ),
    _study_case(
        "score_overlapping_in_a_few_rows",
        lambda f: f.assign(score=f["death"] * 2 + np.random.default_rng(1).normal(0, 0.6, len(f))),
        "score",
        r"separates the event flag almost perfectly on its own .*univariate AUC 0\.993",
    ),
    _study_case(
        "three_level_discharge_status",
        lambda f: f.assign(
            discharge=np.where(
                f["death"] == 1, "morgue", np.where(np.arange(len(f)) % 2, "home", "nursing")
            )
        ),
        "discharge",
        r"maps onto the event flag exactly: by its values",
    ),
    _study_case(
        "cause_of_death_text",
        lambda f: f.assign(
            cause=np.where(f["death"] == 1, np.resize(["cardiac", "renal", "stroke"], len(f)), None)
        ),
        "cause",
        r"maps onto the event flag exactly",
    ),
    _study_case(
        "died_alive_one_recoded",
        lambda f: f.assign(status=np.where(_recode_events(f, 1) == 1, "dead", "alive")),
        "status",
        r"maps onto the event flag almost exactly: by its values, only 1 of 299",
    ),
    _study_case(
        "yes_no_with_stray_spaces",
        lambda f: f.assign(
            died=np.where(f["death"] == 1, np.resize(["yes", " yes"], len(f)), "no")
        ),
        "died",
        r"maps onto the event flag exactly",
    ),
    _study_case(
        "event_flag_as_category_dtype",
        lambda f: f.assign(flag=_recode_events(f, 2)),
        "flag",
        r"maps onto the event flag almost exactly",
        convert=lambda t: t.assign(flag=t["flag"].astype("category")),
    ),
    _study_case(
        "binary_outcome_flag_recoded",
        lambda f: f.assign(flag=_recode_events(f, 2)),
        "flag",
        r"maps onto the event flag almost exactly: .*AUC 0\.9896",
        outcome="binary",
    ),
    _study_case(
        "binary_outcome_score",
        lambda f: f.assign(score=f["death"] * 2 + np.random.default_rng(1).normal(0, 0.6, len(f))),
        "score",
        r"separates the event flag almost perfectly on its own .*univariate AUC 0\.993",
        outcome="binary",
    ),
    _study_case(
        "binary_outcome_words_one_recoded",
        lambda f: f.assign(result=np.where(_recode_events(f, 1) == 1, "positive", "negative")),
        "result",
        r"maps onto the event flag almost exactly",
        outcome="binary",
    ),
    Case(
        "two_leaky_columns_listed_together",
        _study(lambda f: f.assign(weeks=f["time"] / 7, flag=_recode_events(f, 2))),
        ValueError,
        r"Study refuses 2 predictor\(s\).*'weeks':.*'flag':",
        r"trusted_predictors=\['weeks', 'flag'\].*trusted_predictors: \[weeks, flag\]",
    ),
    Case(
        "trusting_one_of_two_leaky_columns",
        _study(
            lambda f: f.assign(weeks=f["time"] / 7, flag=_recode_events(f, 2)),
            trusted_predictors=["weeks"],
        ),
        ValueError,
        r"Study refuses 1 predictor\(s\).*'flag':",
        TRUST.format("flag"),
    ),
    # -- exact copies refused when the cohort is built -------------------------------------
    Case(
        "died_alive_text",
        _table(lambda f: f.assign(status=_words(f, "died", "alive"))),
        ValueError,
        r"'status' is the outcome's event flag written as text \('died' for every event, "
        r"'alive' for every other row\)",
        r"Drop it from features",
    ),
    Case(
        "yes_no_text",
        _table(lambda f: f.assign(deceased=_words(f, "Yes", "No"))),
        ValueError,
        r"'deceased' is the outcome's event flag written as text \('Yes'",
        r"Drop it from features",
    ),
    Case(
        "event_flag_as_coded_words",
        _table(lambda f: f.assign(code=_words(f, f"{PLANTED}A", f"{PLANTED}B"))),
        ValueError,
        r"'code' is the outcome's event flag written as text \(one of its two values",
        r"Drop it from features",
        absent=(PLANTED,),
    ),
    Case(
        "true_false_text",
        _table(lambda f: f.assign(expired=_words(f, "TRUE", "FALSE"))),
        ValueError,
        r"'expired' equals the outcome's event flag",
        r"Drop it from features",
    ),
    Case(
        "event_flag_as_float",
        _table(lambda f: f.assign(outcome_copy=f["death"].astype(float))),
        ValueError,
        r"'outcome_copy' equals the outcome's event flag in every row",
        r"Drop it from features",
    ),
    Case(
        "follow_up_time_itself",
        _table(lambda f: f.assign(fu=f["time"])),
        ValueError,
        r"'fu' equals the outcome's follow-up time in every row",
        r"Drop it from features",
    ),
    Case(
        "near_copy_warned_when_built",
        _table(lambda f: f.assign(flag=_recode_events(f, 2))),
        UserWarning,
        r"'flag' maps onto the event flag almost exactly.*AUC 0\.9896",
        r"post_index=True.*trusted_predictors=\['flag'\]",
        warns=True,
    ),
    # -- the override itself -----------------------------------------------------------------
    Case(
        "trusted_predictor_misspelled",
        _study(lambda f: f.assign(weeks=f["time"] / 7), trusted_predictors=["weks"]),
        ValueError,
        r"trusted_predictors names \['weks'\], which is not among the cohort's predictors",
        r"did you mean 'weeks'\?",
    ),
    Case(
        "trusted_predictor_marked_post_index",
        _study(
            lambda f: f.assign(weeks=f["time"] / 7),
            metadata=pd.DataFrame({"post_index": [True]}, index=["weeks"]),
            trusted_predictors=["weeks"],
        ),
        ValueError,
        r"trusted_predictors names \['weeks'\]",
        r"marked post_index .* needs no exemption",
    ),
    Case(
        "trusted_predictors_not_names",
        _study(trusted_predictors=[3]),
        TypeError,
        r"'trusted_predictors' parameter of Study must be a list of column names",
        r"e\.g\. \['weeks_in_trial'\]",
    ),
    # -- constant predictors -------------------------------------------------------------------
    Case(
        "every_predictor_constant",
        _study(lambda f: f.assign(**{c: 1.0 for c in f.columns if c not in ("time", "death")})),
        ValueError,
        r"every predictor is constant \('age': one value in every row",
        r"Check the export",
    ),
    Case(
        "every_predictor_empty_or_constant",
        _study(
            lambda f: f[["time", "death"]].assign(a=np.nan, b="x", c=1.0),
            convert=lambda t: t.assign(a=t["a"].astype(float)),
        ),
        ValueError,
        r"every predictor is constant \('a': every value missing; 'b': one value in every "
        r"row; 'c': one value",
        r"Check the export",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_leakage(case, tmp_path, data):
    check_case(case, tmp_path, data)


# -- warnings on a study that runs ------------------------------------------------------------


def _run(cohort, **options):
    settings = {
        "models": ["cox"],
        "validation": 2,
        "n_boot": 50,
        "explain": None,
        "progress": False,
    }
    settings.update(options)
    return rk.Study(cohort, **settings).run()


def _warned(call, category=UserWarning):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in caught if issubclass(w.category, category)]


def test_constant_predictors_are_named_in_a_warning_and_the_study_runs(data, tmp_path):
    frame = data["frame"].assign(
        site="A",
        empty=np.nan,
        one_value=np.where(np.arange(len(data["frame"])) % 3 == 0, 5.0, np.nan),
    )
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    cohort = _cohort_from(path, convert=lambda t: t.assign(empty=t["empty"].astype(float)))
    cohort.horizon = 90.0
    result, messages = _warned(lambda: _run(cohort))
    constant = [m for m in messages if "constant predictor" in m]
    assert len(constant) == 1
    assert "'site': one value in every row" in constant[0]
    assert "'empty': every value missing" in constant[0]
    assert "'one_value': one value, the other 199 missing" in constant[0]
    assert "Drop them from features" in constant[0]
    assert len(result.summary) > 0


def test_a_trusted_predictor_runs_and_is_recorded(data):
    """The override: a column the user vouches for is fitted, and the settings say why it
    would have been refused."""
    hf = rk.cohorts.load_heart_failure_clinical_records()
    features = hf.features.assign(weeks=hf.outcome.time / 7)
    cohort = rk.Cohort(features, hf.outcome, horizon=90)
    with pytest.raises(ValueError, match="'weeks'"):
        _run(cohort)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = _run(cohort, trusted_predictors=["weeks"])
    assert result.settings["trusted_predictors"].startswith("weeks: ")
    assert "follow-up time" in result.settings["trusted_predictors"]
    assert "weeks" in result.fitted_models["cox"].feature_names_in_


def test_a_leaky_column_marked_post_index_is_not_fitted_and_not_refused():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    features = hf.features.assign(weeks=hf.outcome.time / 7)
    metadata = pd.DataFrame({"post_index": [True]}, index=["weeks"])
    cohort = rk.Cohort(features, hf.outcome, metadata, horizon=90)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = _run(cohort)
    assert "weeks" not in result.fitted_models["cox"].feature_names_in_


def test_small_data_counts_the_patients_event_free_at_the_horizon():
    """Horizon 280 days: 96 deaths by then and 2 patients followed to day 280 alive
    (counted by hand with horizon_label). Harrell's C (all follow-up) is not small; the
    metrics at the horizon are, and the warning says which group is small and how."""
    hf = rk.cohorts.load_heart_failure_clinical_records()
    label = hf.outcome.at_horizon(280)
    assert (np.sum(label == 1), np.sum(label == 0)) == (96, 2)
    result, messages = _warned(lambda: _run(hf, horizon=280, metrics=["harrell_c", "brier"]))
    flags = result.summary.set_index("metric")["small_data"]
    assert not flags["harrell_c"] and flags["brier"]
    small = [m for m in messages if m.startswith("Small data")]
    assert len(small) == 1
    assert (
        "brier rest on 96 patient(s) with the event by day 280 and 2 patient(s) event-free "
        "at the horizon" in small[0]
    )
    assert "harrell_c" not in small[0]
    assert "2 outcome events" not in " ".join(messages)
    sample = [m for m in messages if m.startswith("Small sample")]
    assert sample and "2 event-free at the horizon" in sample[0]
    assert "counting the patients event-free, the smaller group" in sample[0]


def test_every_bundled_cohort_passes_the_guards(tmp_path):
    """No false alarm: every bundled loader and generator clears the pre-flight guards
    (and its Cohort is rebuilt from its own columns without a guard error)."""
    from pathlib import Path

    from riskml.cohorts import check_predictors

    demo = Path(__file__).resolve().parent.parent / "data" / "mimic3_demo"
    registry = rk.cohorts.make_hf_registry(1500, random_state=0, return_frame=True)
    registry = registry[-1] if isinstance(registry, tuple) else registry
    registry.to_csv(tmp_path / "registry.csv", index=False)
    rk.cohorts.make_mimic3_ami(tmp_path / "mimic", n_patients=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohorts = {
            "young_hypertension": rk.cohorts.make_young_hypertension(random_state=0),
            "hf_registry": rk.cohorts.make_hf_registry(1500, random_state=0),
            "hf_registry_loaded": rk.cohorts.load_hf_registry(tmp_path / "registry.csv"),
            "mimic3_synthetic": rk.cohorts.load_mimic3_ami(tmp_path / "mimic"),
            "mimic3_demo": rk.cohorts.load_mimic3_ami(demo),
            "heart_failure_records": rk.cohorts.load_heart_failure_clinical_records(),
            "ccta_registry": rk.cohorts.make_ccta_registry(random_state=0),
        }
    for name, cohort in cohorts.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # constant-column warnings are allowed
            rebuilt = rk.Cohort(
                cohort.features,
                cohort.outcome,
                cohort.metadata,
                ids=cohort.ids,
                groups=cohort.groups,
            )
            trusted = check_predictors(
                rebuilt.features, rebuilt.outcome, rebuilt.predictors, horizon=cohort.horizon
            )
        assert trusted == [], name


def test_the_quoted_auc_and_exceptions_against_scikit_learn_and_brute_force(data):
    """Oracles: scikit-learn's roc_auc_score for the AUC of the 2-recoded flag (0.9896,
    under a 0.99 threshold), and a brute-force search over every cut point and every
    value-to-class mapping for the exceptions of random columns."""
    from sklearn.metrics import roc_auc_score

    from riskml.cohorts._guards import separation

    frame = data["frame"]
    flag = _recode_events(frame, 2)
    event = frame["death"].to_numpy(dtype=float)
    found = separation(pd.Series(flag), event)
    assert found.auc == pytest.approx(roc_auc_score(event, flag), abs=1e-12)
    assert round(found.auc, 4) == 0.9896 and found.exceptions == 2 and found.near_copy

    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(20, 60))
        target = (rng.random(n) < 0.4).astype(float)
        if target.sum() in (0, n):
            continue
        values = rng.integers(0, int(rng.integers(2, 8)), n).astype(float)
        best = min(target.sum(), n - target.sum())  # the constant mapping
        for cut in np.unique(values):
            high = values > cut
            for positive in (high, ~high):
                best = min(best, int(np.sum(positive != (target == 1))))
        levels = pd.Series(target).groupby(values).agg(["sum", "count"])
        mapped = np.minimum(levels["sum"], levels["count"] - levels["sum"]).sum()
        if (levels["sum"] > levels["count"] - levels["sum"]).any() and (
            levels["sum"] < levels["count"] - levels["sum"]
        ).any():
            best = min(best, int(mapped)) if len(levels) <= max(2, n // 10) else best
        assert separation(pd.Series(values), target).exceptions == best
