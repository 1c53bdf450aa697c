"""Temporal validation (issue 31, item 3): ``Study(validation=TemporalSplit(...))``
develops on the earlier index dates and validates on the later ones.

A synthetic heart-failure registry is given index dates (2012 to 2019, drawn here).
Oracles: the validation-period numbers equal
:func:`riskml.evaluation.external_validation` of a model fitted here, independently, on
the earlier rows and evaluated on the later rows; the development-period numbers equal
a study of the earlier rows alone with the same cross-validation; the periods' counts
equal pandas counts of the dates.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.evaluation import RepeatedCV, TemporalSplit, external_validation
from riskml.models import make_model

SPLIT = "2017-01-01"
N_BOOT = 100


@pytest.fixture(scope="module")
def cohort():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohort = rk.cohorts.make_hf_registry(
            n_patients=900, random_state=3, competing_death="exclude"
        )
    rng = np.random.default_rng(0)
    days = rng.integers(0, 8 * 365, len(cohort))
    cohort.context = pd.DataFrame(
        {"index_date": pd.Timestamp("2012-01-01") + pd.to_timedelta(days, "D")}
    )
    return cohort


def _study(cohort, validation, **options):
    return rk.Study(
        cohort,
        models=["logistic"],
        validation=validation,
        n_boot=N_BOOT,
        explain=None,
        progress=False,
        random_state=0,
        **options,
    )


@pytest.fixture(scope="module")
def result(cohort):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _study(cohort, TemporalSplit("index_date", split=SPLIT, cv=5)).run()


def test_validation_period_equals_external_validation_of_the_development_fit(cohort, result):
    later = (cohort.context["index_date"] >= pd.Timestamp(SPLIT)).to_numpy()
    X = cohort.features[cohort.predictors]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make_model("logistic").fit(X[~later], cohort.outcome[np.flatnonzero(~later)])
    np.testing.assert_allclose(
        model.predict_risk(X[later]),
        result.fitted_models["logistic"].predict_risk(X[later]),
        rtol=1e-10,
    )
    oracle = external_validation(
        {"logistic": model},
        X[later].reset_index(drop=True),
        cohort.outcome[np.flatnonzero(later)],
        metrics=list(result.summary["metric"].unique()),
        n_boot=N_BOOT,
        random_state=0,
    ).summary
    got = result.external.set_index("metric")
    for row in oracle.itertuples():
        assert got.loc[row.metric, "n"] == later.sum()
        np.testing.assert_allclose(got.loc[row.metric, "estimate"], row.estimate, rtol=1e-8)
        np.testing.assert_allclose(got.loc[row.metric, "low"], row.low, rtol=1e-8)


def test_development_period_equals_a_study_of_the_earlier_rows(cohort, result):
    earlier = (cohort.context["index_date"] < pd.Timestamp(SPLIT)).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = _study(cohort.subset(earlier), 5).run()
    assert len(result.predictions) == earlier.sum()
    pd.testing.assert_frame_equal(
        result.summary[["metric", "estimate", "low", "high"]].reset_index(drop=True),
        alone.summary[["metric", "estimate", "low", "high"]].reset_index(drop=True),
    )


def test_report_names_the_periods(cohort, result, tmp_path):
    dates = cohort.context["index_date"]
    later = dates >= pd.Timestamp(SPLIT)
    text = result.settings["temporal validation"]
    assert f"{dates[~later].min():%Y-%m-%d} to {dates[~later].max():%Y-%m-%d}" in text
    assert f"n={int((~later).sum())}" in text and f"n={int(later.sum())}" in text
    events = int(cohort.outcome.event[later.to_numpy()].sum())
    assert f"{events} events" in text
    path = result.report(tmp_path / "report.html")
    html = path.read_text()
    assert f"validated on index dates from {SPLIT}" in html


def test_fraction_keeps_one_day_in_one_period(cohort):
    periods = TemporalSplit("index_date", fraction=0.7).periods(
        cohort.context["index_date"], cohort.outcome
    )
    dates = cohort.context["index_date"].to_numpy()
    assert dates[periods.development].max() < dates[periods.validation].min()
    assert abs(periods.n[0] / len(dates) - 0.7) < 0.01


@pytest.mark.parametrize(
    "scheme, change, message",
    [
        (
            TemporalSplit("admitted", split=SPLIT),
            None,
            "date_column 'admitted' of TemporalSplit is not in the cohort",
        ),
        (TemporalSplit("index_date", split=SPLIT), "numbers", "must hold dates"),
        (TemporalSplit("index_date", split=SPLIT), "text", "must hold dates"),
        (TemporalSplit("index_date", split=SPLIT), "missing", "1 missing index date"),
        (
            TemporalSplit("index_date", split="2019-12-01"),
            None,
            "validation period of TemporalSplit",
        ),
    ],
)
def test_bad_dates_are_refused(cohort, scheme, change, message):
    bad = cohort.subset(np.arange(len(cohort)))
    dates = cohort.context["index_date"].copy()
    if change == "numbers":
        dates = dates.dt.year
    elif change == "text":
        dates = dates.dt.strftime("%d/%m/%Y wk")
    elif change == "missing":
        dates = dates.astype(object)
        dates[4] = None
        dates = pd.to_datetime(dates)
    bad.context = pd.DataFrame({"index_date": dates})
    with pytest.raises((ValueError, TypeError), match=message):
        _study(bad, scheme).run()


def test_scheme_arguments_are_checked(cohort):
    with pytest.raises(ValueError, match="exactly one of split"):
        TemporalSplit("index_date")
    with pytest.raises(ValueError, match="fraction of TemporalSplit must be a number in"):
        TemporalSplit("index_date", fraction=1.5)
    with pytest.raises(ValueError, match="cv of TemporalSplit"):
        TemporalSplit("index_date", split=SPLIT, cv=1)
    with pytest.raises(ValueError, match="external= cannot be given too"):
        _study(cohort, TemporalSplit("index_date", split=SPLIT), external=cohort).run()
    assert TemporalSplit("d", split=SPLIT, cv=RepeatedCV(5, 2)).cv.repeats == 2


def test_study_file_temporal_validation(tmp_path):
    from riskml.study_file import load_study_file

    path = tmp_path / "s.yaml"
    path.write_text(
        "cohort:\n  generator: make_hf_registry\n  args: {n_patients: 300, competing_death: "
        "exclude}\nmodels: [logistic]\n"
        "validation: {temporal: {date_column: discharge_date, split: 2009-01-01, cv: 3}}\n"
    )
    study = load_study_file(path)[0]
    assert repr(study.validation) == (
        "TemporalSplit(date_column='discharge_date', split='2009-01-01', cv=3)"
    )
    path.write_text(
        "cohort: {generator: make_hf_registry, args: {n_patients: 300}}\nmodels: [logistic]\n"
        "validation: {temporal: {date_column: admit_date, fraction: 0.7, "
        "cv: {repeated: {k: 3, repeats: 2}}}}\n"
    )
    scheme = load_study_file(path)[0].validation
    assert scheme.fraction == 0.7 and scheme.cv.repeats == 2


@pytest.mark.parametrize(
    "entry, message",
    [
        ("{temporal: {split: 2016-01-01}}", "needs date_column and exactly one of split"),
        ("{temporal: {date_column: d, split: 2016-01-01, fraction: 0.5}}", "exactly one of"),
        ("{temporal: {date_column: d, split: soon}}", "must be a date"),
        ("{temporal: {date_column: d, fraction: 1.5}}", "share of patients"),
        ("{temporal: {date_column: d, split: 2016-01-01, cv: {temporal: {}}}}", "not a validation"),
        ("{temporl: {date_column: d}}", "temporal"),
    ],
)
def test_study_file_temporal_errors(tmp_path, entry, message):
    from riskml.study_file import load_study_file

    path = tmp_path / "s.yaml"
    path.write_text(f"cohort: {{generator: make_young_hypertension}}\nvalidation: {entry}\n")
    with pytest.raises(Exception, match=message):
        load_study_file(path)
