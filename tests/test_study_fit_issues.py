"""No silent model changes: a fit issue (ModelFitWarning) in the whole-cohort fit, a fold or
a replicate is counted, warned once with its counts, and recorded in ``result.fit_issues``,
the summary's ``fit_issues`` column, the model's description and the printed summary.

Oracle: counting by construction. The test model raises one issue when it is fitted on
more rows than the smallest training fold (the whole cohort and the larger folds) and
another on the smallest training folds; the expected counts come from the fold
assignment (:func:`riskml.evaluation.cv_folds`, the folds Study uses).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.evaluation import InternalValidation, cv_folds
from riskml.models import LogisticRisk, ModelFitWarning

LARGE = "A large fit changed its model."
SMALL = "A small fit did not converge."


class FlakyLogistic(LogisticRisk):
    """Logistic regression that reports a fit issue depending on its training size."""

    def __init__(self, smallest=0, penalty=None, C=1.0, max_iter=1000, random_state=0):
        super().__init__(penalty=penalty, C=C, max_iter=max_iter, random_state=random_state)
        self.smallest = smallest

    def fit(self, X, y):
        super().fit(X, y)
        issue = LARGE if len(X) > self.smallest else SMALL
        self.fit_issues_ = [issue]
        warnings.warn(issue, ModelFitWarning, stacklevel=2)
        return self


@pytest.fixture(scope="module")
def cohort():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    return rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)


def _expected(cohort, folds=5):
    assignment = cv_folds(cohort.outcome, cv=folds, random_state=0)
    train_sizes = np.array([np.sum(assignment != k) for k in range(folds)])
    smallest = int(train_sizes.min())
    n_small = int(np.sum(train_sizes == smallest))
    return smallest, n_small, folds - n_small


def test_fit_issues_are_counted_warned_once_and_recorded(cohort):
    smallest, n_small, n_large = _expected(cohort)
    assert n_small >= 1 and n_large >= 1  # both issues occur in the folds
    study = rk.Study(
        cohort,
        models={
            "flaky": FlakyLogistic(smallest=smallest, penalty="l2", C=0.05),
            "logistic": "logistic",
        },
        validation=5,
        n_boot=50,
        explain=None,
        progress=False,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = study.run()
    table = result.fit_issues.set_index("issue")
    assert table.loc[LARGE, ["model", "fits", "of", "whole_cohort"]].tolist() == [
        "flaky",
        n_large + 1,
        6,
        True,
    ]
    assert table.loc[SMALL, ["model", "fits", "of", "whole_cohort"]].tolist() == [
        "flaky",
        n_small,
        6,
        False,
    ]
    # warned once per issue, with the counts, and nothing else of its kind
    fit_warnings = [str(w.message) for w in caught if issubclass(w.category, ModelFitWarning)]
    assert len(fit_warnings) == 2
    assert any(
        w.startswith(f"[flaky] {LARGE} In {n_large + 1} of 6 fits (5 fold fits")
        and "including the whole-cohort fit" in w
        for w in fit_warnings
    )
    assert any(f"[flaky] {SMALL} In {n_small} of 6 fits" in w for w in fit_warnings)
    # the summary's column, for every metric row of the model; empty for a clean model
    notes = result.summary.groupby("model")["fit_issues"].unique()
    assert notes["logistic"].tolist() == [""]
    (note,) = notes["flaky"]
    assert f"A large fit changed its model ({n_large + 1} of 6 fits, whole-cohort fit" in note
    assert f"A small fit did not converge ({n_small} of 6 fits)" in note
    assert "Fit issues:" in result.models["flaky"] and note in result.models["flaky"]
    assert "Fit issues" not in result.models["logistic"]
    assert "flaky: " + note in result.format_summary()


def test_a_clean_study_records_no_fit_issue(cohort):
    result = rk.Study(
        cohort, models=["logistic"], validation=3, n_boot=50, explain=None, progress=False
    ).run()
    assert result.fit_issues is None
    assert (result.summary["fit_issues"] == "").all()
    assert "Fit issues" not in result.format_summary()


def test_internal_validation_counts_replicates_and_the_apparent_fit(cohort):
    n_boot = 12
    n = len(cohort)
    result = rk.Study(
        cohort,
        # every bootstrap replicate and the apparent fit have n rows: the "large" issue
        models={"flaky": FlakyLogistic(smallest=n - 1)},
        validation=InternalValidation("bootstrap", n_boot=n_boot),
        n_boot=50,
        explain=None,
        progress=False,
    ).run()
    expected = pd.DataFrame(
        [{"model": "flaky", "issue": LARGE, "fits": n_boot + 1, "of": n_boot + 1}]
    )
    pd.testing.assert_frame_equal(
        result.fit_issues[["model", "issue", "fits", "of"]], expected, check_dtype=False
    )
    assert result.fit_issues["whole_cohort"].tolist() == [True]


def test_the_same_issue_on_different_covariates_is_one_issue():
    """Oracle: counting by hand. Monotone likelihood on 'a' in the whole-cohort fit and two
    folds, on 'b' and 'c' in one fold: one issue in 4 fits, naming every covariate; the
    sentence's own apostrophes (R's coxph, make_model('cox', ...)) are not names."""
    from riskml.models.cox import monotone_likelihood_issue
    from riskml.utils.fit_issues import merge_fit_issues

    a, bc = monotone_likelihood_issue(["a"]), monotone_likelihood_issue(["b", "c"])
    ((text, fits, whole),) = merge_fit_issues({a: 2, bc: 1}, [a])
    assert (fits, whole) == (4, True)
    assert "coefficient of ‘a’, ‘b’, ‘c’ (depending on the fit) moves away from 0" in text
    assert "R's coxph warns" in text and "make_model('cox', penalizer=0.01)" in text
    # a single sentence is kept as it is
    assert merge_fit_issues({a: 2}, [a]) == [(a, 3, True)]
    # different issues stay apart
    assert len(merge_fit_issues({a: 1, LARGE: 2}, ())) == 2


def test_a_fits_own_sentences_outrank_warnings_mixed_in_from_other_fits():
    """Oracle: the fitted estimators' fit_issues_. In-process Dask workers share the
    process-wide warnings state, so a fit can record another fit's warning: the fitted
    estimator's sentences replace its ModelFitWarning records; an estimator without the
    attribute keeps its warnings (each once)."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from riskml.utils.fit_issues import fit_issue_records

    clean = FlakyLogistic()
    clean.fit_issues_ = []
    other = (ModelFitWarning, SMALL)
    note = (UserWarning, "something else")
    pipeline = Pipeline([("scale", StandardScaler()), ("model", clean)])
    assert fit_issue_records(pipeline, [other, note]) == [note]
    clean.fit_issues_ = [LARGE]
    assert fit_issue_records(pipeline, [other, note]) == [note, (ModelFitWarning, LARGE)]
    assert fit_issue_records(StandardScaler(), [other, other, note]) == [other, note]
