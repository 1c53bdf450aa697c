"""The fit-issue contract across models, and model files that keep the new attributes.

Contract (riskml.models.ModelFitWarning): a fit that ends with a model other than the
one asked for, or without converging, lists one sentence per issue in ``fit_issues_``
and raises exactly one ModelFitWarning with that text per issue; a clean fit has an
empty list and raises none. Oracles: R (tests/data/logistic_glm.R, cox_survfit.R) for
which fits have issues; the model before saving for the round trip.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines.datasets import load_rossi

from riskml import Outcome, load_model, save_model
from riskml.models import CoxPH, LassoCox, LassoRisk, LogisticRisk, ModelFitWarning
from riskml.models._lasso_cox import NEXT_BEST_PENALTY_ISSUE, SKIPPED_PENALTIES_ISSUE

COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


@pytest.fixture(scope="module")
def rossi():
    data = load_rossi()
    data["prio9"] = (data["prio"] == 9).astype(float)
    return data, Outcome.survival(data["week"], data["arrest"])


def _issues_raised(model, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    return [str(w.message) for w in caught if issubclass(w.category, ModelFitWarning)]


@pytest.mark.parametrize(
    ("model", "columns", "outcome", "n_issues"),
    [
        (LogisticRisk(), COVARIATES, "binary", 0),
        (LogisticRisk(), [*COVARIATES, "prio9"], "binary", 1),
        (LogisticRisk(penalty="l2"), [*COVARIATES, "prio9"], "binary", 0),
        (LassoRisk(Cs=3, cv=3), [*COVARIATES, "prio9"], "binary", 0),
        (CoxPH(), COVARIATES, "survival", 0),
        (CoxPH(), [*COVARIATES, "prio9"], "survival", 1),
        (CoxPH(strata="wexp"), [*COVARIATES, "prio9"], "survival", 1),
        (CoxPH(penalizer=0.01), [*COVARIATES, "prio9"], "survival", 0),
    ],
    ids=[
        "logistic",
        "logistic-separated",
        "ridge-separated",
        "lasso-separated",
        "cox",
        "cox-monotone",
        "cox-strata-monotone",
        "cox-penalised-monotone",
    ],
)
def test_one_warning_per_issue_with_the_same_sentence(rossi, model, columns, outcome, n_issues):
    """Oracle: R. glm and coxph on rossi are clean; with prio9 (five men, none arrested)
    the unpenalised fits have no finite maximum (R's coxph warns "coefficient may be
    infinite"; R's glm stops at prio9 = -14.8 silently); a penalty keeps it finite."""
    data, y = rossi
    target = data["arrest"].to_numpy() if outcome == "binary" else y
    raised = _issues_raised(model, data[columns], target)
    assert len(model.fit_issues_) == n_issues
    assert raised == model.fit_issues_  # one warning per issue, the same text
    assert all("‘prio9’" in issue for issue in raised)


def test_issue_sentences_carry_no_fold_specific_numbers(rossi):
    """Oracle: the same separation in two different bootstrap samples gives the same
    sentence (so Study can count it over replicates), though the coefficients differ."""
    data, y = rossi
    rng = np.random.default_rng(0)
    none_arrested = data.index[data["prio9"] == 1]
    sentences = {"logistic": set(), "cox": set()}
    coefficients = []
    for _ in range(2):
        rows = np.concatenate([none_arrested, rng.choice(data.index, 300)])
        sample = data.loc[rows].reset_index(drop=True)
        sample_y = Outcome.survival(sample["week"], sample["arrest"])
        logistic = LogisticRisk()
        _issues_raised(logistic, sample[[*COVARIATES, "prio9"]], sample["arrest"].to_numpy())
        cox = CoxPH()
        _issues_raised(cox, sample[[*COVARIATES, "prio9"]], sample_y)
        sentences["logistic"].update(logistic.fit_issues_)
        sentences["cox"].update(cox.fit_issues_)
        coefficients.append(logistic.coef_["age"])
    assert coefficients[0] != coefficients[1]
    assert len(sentences["logistic"]) == 1 and len(sentences["cox"]) == 1


def test_lasso_cox_reports_skipped_penalties_and_the_next_best_refit(rossi, monkeypatch):
    """Oracle: the fits forced to fail (a stand-in for lifelines' breakdowns): a penalty
    that was not chosen fails in one inner fold, so it is skipped in the choice; then
    the first refit on all rows (at the chosen penalty) fails, so the next best is
    used. Each is said once, and only then."""
    from lifelines.exceptions import ConvergenceError

    data, y = rossi
    X = data[COVARIATES]
    X = (X - X.mean()) / X.std()
    grid = [0.2, 0.05, 0.01]
    model = LassoCox(penalizers=grid, cv=2, random_state=0)
    clean = _issues_raised(model, X, y)
    assert clean == [] and model.fit_issues_ == [] and model.n_failed_fits_ == 0
    chosen = model.penalizer_
    skipped = next(p for p in grid if p != chosen)
    original, refits = CoxPH.fit, []

    def failing(self, X_, y_):
        if self.penalizer == skipped and len(X_) < len(X):  # an inner fold
            raise ConvergenceError("delta contains nan value(s).")
        if len(X_) == len(X):  # a refit on all rows: the first one fails
            refits.append(self.penalizer)
            if len(refits) == 1:
                raise ConvergenceError("delta contains nan value(s).")
        return original(self, X_, y_)

    monkeypatch.setattr(CoxPH, "fit", failing)
    model = LassoCox(penalizers=grid, cv=2, random_state=0)
    raised = _issues_raised(model, X, y)
    assert raised == model.fit_issues_ == [SKIPPED_PENALTIES_ISSUE, NEXT_BEST_PENALTY_ISSUE]
    assert np.isnan(model.cv_scores_.loc[skipped]) and refits[0] == chosen
    assert model.penalizer_ == refits[1] != chosen


def test_model_files_keep_issues_and_step_function_baselines(rossi, tmp_path):
    """Oracle: the fitted models before saving: identical horizon risks, fit issues,
    penalty used, baselines and covariance after riskml.save_model / load_model."""
    data, y = rossi
    X = data[[*COVARIATES, "prio9"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelFitWarning)
        models = {
            "cox": CoxPH().fit(X, y),
            "cox_strata": CoxPH(strata="wexp", baseline_ties="breslow").fit(X, y),
            "logistic": LogisticRisk().fit(X, data["arrest"]),
        }
    for name, model in models.items():
        loaded = load_model(save_model(model, tmp_path / f"{name}.riskml"))
        assert loaded.fit_issues_ == model.fit_issues_ and len(model.fit_issues_) == 1
        if name.startswith("cox"):
            assert loaded.penalizer_used_ == model.penalizer_used_ == 0.001
            assert loaded.baseline_ties == model.baseline_ties
            for horizon in (8.0, 29.0, 60.0):
                np.testing.assert_array_equal(
                    loaded.predict_risk(X, horizon), model.predict_risk(X, horizon)
                )
            for before, after in zip(model.baselines_, loaded.baselines_, strict=True):
                np.testing.assert_array_equal(after.cumulative_hazard, before.cumulative_hazard)
        else:
            np.testing.assert_array_equal(loaded.predict_risk(X), model.predict_risk(X))
            pd.testing.assert_frame_equal(loaded.covariance_, model.covariance_)
            pd.testing.assert_frame_equal(loaded.summary, model.summary)
