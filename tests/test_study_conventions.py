"""Study's convention options reach every fit and metric: categorical reference levels
(ordered Categoricals, ``reference_levels=``) and the IPCW weighting
(``censoring_weights=``).

Oracles: R's factor levels (the first category of an ordered factor is the reference, as
``relevel`` sets it) read back from the fitted preprocessing; riskml's own public metric
functions with the same option on the study's out-of-fold predictions, whose equality
with R riskRegression ``Score()`` is tested in tests/evaluation/test_conventions_ipcw.py.
"""

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.evaluation import brier_score_ipcw, time_dependent_auc


def _with_age_group(cohort):
    features = cohort.features.copy()
    age = features["age"].to_numpy()
    groups = np.where(age <= 60, "<=60", np.where(age <= 70, "60-70", ">70"))
    features["age_group"] = pd.Categorical(
        groups, categories=["<=60", "60-70", ">70"], ordered=True
    )
    features = features.drop(columns=["age"])
    metadata = cohort.metadata.drop(index="age")
    metadata.loc["age_group"] = metadata.iloc[0]
    metadata.loc["age_group", "type"] = "cat"
    return rk.Cohort(features, cohort.outcome, metadata, horizon=cohort.horizon)


@pytest.fixture(scope="module")
def cohort():
    return _with_age_group(rk.cohorts.load_heart_failure_clinical_records())


def _cox_references(result):
    preprocess = dict(result.fitted_models["cox"].steps)["preprocess"]
    return preprocess.reference_levels_


def test_an_ordered_categorical_sets_the_reference(cohort):
    result = rk.Study(
        cohort, models=["cox"], validation=3, n_boot=50, explain=None, progress=False
    ).run()
    assert _cox_references(result)["age_group"] == "<=60"  # not '60-70' (sorted first)


def test_reference_levels_reach_every_fit_and_the_report(cohort, tmp_path):
    result = rk.Study(
        cohort,
        models=["cox"],
        validation=3,
        n_boot=50,
        explain=None,
        progress=False,
        reference_levels={"age_group": ">70"},
    ).run()
    assert _cox_references(result)["age_group"] == ">70"
    assert result.settings["reference_levels"] == {"age_group": ">70"}
    coefficients = result.fitted_models["cox"].steps[-1][1].coef_.index.tolist()
    assert "age_group_<=60" in coefficients and "age_group_>70" not in coefficients
    html = result.report(tmp_path / "report.html").read_text(encoding="utf-8")
    assert "&gt;70" in html and "reference" in html


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ({"nope": "x"}, r"reference_levels names 'nope', which is not a predictor"),
        ({"age_group": "old"}, r"reference_levels\['age_group'\] = 'old' is not a level"),
    ],
)
def test_reference_levels_are_checked_before_any_fit(cohort, levels, message):
    with pytest.raises(ValueError, match=message):
        rk.Study(cohort, models=["cox"], reference_levels=levels, progress=False).run()


def test_censoring_weights_reach_the_metrics_at_the_horizon(cohort):
    """A registry censored on whole days with the horizon on a whole day: patients
    censored exactly at it make the conventions differ."""
    horizon = 90.0
    outcome = cohort.outcome
    censored_at = int(np.sum((outcome.time == horizon) & ~outcome.event))
    assert censored_at > 0
    options = dict(
        models=["cox"],
        validation=3,
        n_boot=50,
        explain=None,
        progress=False,
        horizon=horizon,
        metrics=["brier", "td_auc"],
    )
    default = rk.Study(cohort, **options).run()
    r_like = rk.Study(cohort, censoring_weights="riskRegression", **options).run()
    # the same folds and fits: identical out-of-fold predictions
    pd.testing.assert_frame_equal(default.predictions, r_like.predictions)
    risk = r_like.predictions["cox"].to_numpy()
    table = r_like.summary.set_index("metric")["estimate"]
    expected_brier = brier_score_ipcw(
        outcome.time, outcome.event, risk, horizon, censoring_weights="riskRegression"
    )
    assert table["brier"] == pytest.approx(expected_brier, abs=1e-12)
    expected_auc = np.ravel(
        time_dependent_auc(
            outcome.time, outcome.event, risk, [horizon], censoring_weights="riskRegression"
        )
    )[0]
    assert table["td_auc"] == pytest.approx(expected_auc, abs=1e-12)
    # and the default differs there, as docs/conventions.md says
    assert default.summary.set_index("metric").loc["brier", "estimate"] != pytest.approx(
        expected_brier, abs=1e-6
    )
    assert r_like.settings["censoring_weights"] == "riskRegression"


def test_an_unknown_censoring_weighting_is_refused(cohort):
    with pytest.raises(ValueError, match=r"'censoring_weights' parameter of Study must be one"):
        rk.Study(cohort, models=["cox"], censoring_weights="R", progress=False).run()
