"""The selectors' and tuners' C-statistic is the reporting one, equal to the field's libraries."""

import numpy as np
import pytest
from lifelines.utils import concordance_index as lifelines_concordance
from sklearn.metrics import roc_auc_score

from riskml.features import c_statistic
from riskml.outcome import Outcome


@pytest.mark.parametrize("seed", range(20))
def test_c_statistic_equals_lifelines_and_sklearn_with_heavy_ties(seed):
    # Oracles: lifelines.utils.concordance_index (risk negated: it scores survival) and
    # sklearn.metrics.roc_auc_score, on data with many tied times and tied risks.
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 300))
    time = rng.integers(1, 15, n).astype(float)
    event = rng.integers(0, 2, n)
    event[0], event[1] = 1, 0
    risk = rng.integers(0, 6, n).astype(float)
    expected = lifelines_concordance(time, -risk, event)
    assert abs(c_statistic(Outcome.survival(time, event), risk) - expected) < 1e-12
    assert abs(c_statistic(Outcome.binary(event), risk) - roc_auc_score(event, risk)) < 1e-12
