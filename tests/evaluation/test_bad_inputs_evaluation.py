"""Evaluation bad inputs of issue 13: infinite scores, too few replicates, tiny samples.

Oracles: scikit-learn refuses infinite scores (``roc_auc_score`` raises ValueError), so
riskml must too; the other cases are the documented error contract.
"""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from riskml.evaluation import (
    bootstrap_ci,
    concordance_index,
    concordance_index_ci,
    roc_auc,
    roc_auc_ci,
    time_dependent_auc,
    uno_c,
)


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinite_scores_are_refused_as_sklearn_does(bad):
    y = np.array([0, 1, 0, 1, 1])
    score = np.array([0.1, 0.9, bad, 0.7, bad])
    with pytest.raises(ValueError):
        roc_auc_score(y, score)
    with pytest.raises(
        ValueError, match=r"y_score of roc_auc has 2 infinite value\(s\) .*\[2, 4\]"
    ):
        roc_auc(y, score)
    time = np.array([5.0, 3, 8, 2, 4])
    for call in (concordance_index, uno_c):
        with pytest.raises(ValueError, match=r"risk of \w+ has 2 infinite value\(s\)"):
            call(time, y, score)
    with pytest.raises(ValueError, match=r"risk of time_dependent_auc has 2 infinite"):
        time_dependent_auc(time, y, score, [4.0])


def test_too_few_replicates_are_refused():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(30), np.ones(30)]
    s = rng.random(60) + y / 2
    with pytest.raises(ValueError, match=r"'n_boot' parameter of roc_auc_ci must be at least 40"):
        roc_auc_ci(y, s, n_boot=1)
    with pytest.raises(ValueError, match=r"must be at least 200 for a 99% interval"):
        bootstrap_ci(np.mean, s, n_boot=100, confidence=0.99)
    # the smallest allowed count works and contains its estimate
    ci = roc_auc_ci(y, s, n_boot=40, random_state=0)
    assert ci.low <= ci.estimate <= ci.high


def test_two_patients_cannot_have_a_bootstrap_interval():
    """n = 2 used to give CI 1.000-1.000: now an error naming the counts."""
    with pytest.raises(ValueError, match=r"needs at least 2 events and 2 non-events; got 1 events"):
        roc_auc_ci([0, 1], [0.2, 0.8], n_boot=200)
    with pytest.raises(ValueError, match=r"needs at least 2 events; got 1 events"):
        concordance_index_ci([1.0, 2.0, 3.0], [1, 0, 0], [0.9, 0.1, 0.2], n_boot=200)
    with pytest.raises(ValueError, match=r"at least 2 patients per stratum"):
        bootstrap_ci(np.mean, np.arange(5.0), n_boot=200, stratify=[0, 0, 1, 1, 2])


def test_small_samples_warn():
    y = np.r_[np.zeros(20), np.ones(5)]
    s = np.linspace(0, 1, 25)
    with pytest.warns(UserWarning, match=r"only 5 events \(fewer than 10\)"):
        roc_auc_ci(y, s, n_boot=100, random_state=0)
