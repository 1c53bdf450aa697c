"""Tests of riskml.features.selection_stability and its plot.

Oracles: a by-hand loop over the same bootstrap draws / folds that refits the
selector and counts its choices; the simulation design (which features carry
signal).
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from riskml import Outcome
from riskml.features import (
    InformationGain,
    RecursiveFeatureElimination,
    SelectionStability,
    make_preprocessor,
    plot_selection_stability,
    selection_stability,
)


def _data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 6)), columns=list("abcdef"))
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * X["a"] - X["b"]))).astype(int)
    return X, y


def test_bootstrap_frequencies_equal_a_hand_loop():
    """Oracle: the selector refitted by hand on the same seeded bootstrap draws."""
    X, y = _data()
    result = selection_stability(InformationGain(top_k=2), X, y, n_boot=15, random_state=4)
    rng = np.random.default_rng(4)
    counts = dict.fromkeys(X.columns, 0)
    for _ in range(15):
        rows = rng.integers(0, len(y), len(y))
        for name in InformationGain(top_k=2).fit(X.iloc[rows], y[rows]).selected_features_:
            counts[name] += 1
    summary = result.summary.set_index("feature")
    for name, count in counts.items():
        assert summary.loc[name, "n_selected"] == count
        assert summary.loc[name, "frequency"] == pytest.approx(count / 15)
    assert result.summary["frequency"].is_monotonic_decreasing
    assert summary.loc["a", "frequency"] == 1.0  # the strong predictor is always kept
    assert result.size_frequency.to_dict() == {2: 15}
    assert result.selections.shape == (15, 6) and result.method == "bootstrap"


def test_cv_folds_and_pipelines():
    """Oracle: RFE refitted by hand on the training folds of the same splitter."""
    X, y = _data()
    selector = Pipeline(
        [
            ("prep", make_preprocessor()),
            ("rfe", RecursiveFeatureElimination(n_features_to_select=2, step=2, random_state=0)),
        ]
    )
    result = selection_stability(selector, X, y, cv=4, random_state=1)
    folds = StratifiedKFold(4, shuffle=True, random_state=1).split(X, y)
    expected = []
    for train, _ in folds:
        rfe = RecursiveFeatureElimination(n_features_to_select=2, step=2, random_state=0)
        prep = make_preprocessor().fit(X.iloc[train])
        expected.append(set(rfe.fit(prep.transform(X.iloc[train]), y[train]).selected_features_))
    for row, picked in zip(result.selections.itertuples(index=False), expected, strict=True):
        assert {c for c, kept in zip(result.selections.columns, row, strict=True) if kept} == picked
    assert result.method == "cv" and result.summary["n_resamples"].eq(4).all()


class _WarningSelector(SelectKBest):
    def fit(self, X, y):
        import warnings

        warnings.warn("constant feature in this resample", UserWarning, stacklevel=2)
        return super().fit(X, y)


def test_resamples_on_threads_give_the_serial_selections_and_its_warnings(monkeypatch):
    """Oracle: the same resamples fitted one at a time (``n_jobs=1``)."""
    import joblib

    monkeypatch.setattr(joblib, "cpu_count", lambda *args, **kwargs: 4)
    X, y = _data()
    selector = RecursiveFeatureElimination(n_features_to_select=2, step=2, random_state=0)
    serial = selection_stability(selector, X, y, n_boot=6, random_state=3, n_jobs=1)
    threaded = selection_stability(selector, X, y, n_boot=6, random_state=3)
    pd.testing.assert_frame_equal(serial.selections, threaded.selections)
    with pytest.warns(UserWarning, match="constant feature in this resample"):
        selection_stability(_WarningSelector(f_classif, k=2), X, y, n_boot=4, random_state=0)


def test_survival_outcome_sklearn_selector_and_degenerate_resamples():
    """Oracle: resamples with no event are counted, not used (STYLE rule 5)."""
    X, _ = _data(n=40)
    event = np.zeros(40, dtype=bool)
    event[[3, 17]] = True  # two events: many bootstrap samples miss both
    y = Outcome.survival(np.arange(1.0, 41.0), event)
    result = selection_stability(
        InformationGain(top_k=1, horizon=20.0), X, y, n_boot=30, random_state=0
    )
    assert result.n_degenerate > 0
    assert len(result.selections) == 30 - result.n_degenerate
    sk = selection_stability(
        SelectKBest(f_classif, k=2), X, event.astype(int), n_boot=5, random_state=0
    )
    assert sk.size_frequency.to_dict() == {2: 5 - sk.n_degenerate}


def test_plot_and_errors():
    X, y = _data()
    result = selection_stability(InformationGain(top_k=3), X, y, n_boot=5, random_state=0)
    assert isinstance(result, SelectionStability)
    import matplotlib.pyplot as plt

    plt.close("all")
    ax = plot_selection_stability(result, top=4)
    assert plt.get_fignums() == [ax.figure.number]  # a pyplot figure: shown inline
    assert len(ax.patches) == 4
    assert "5 bootstrap samples" in ax.get_title()
    assert result.plot().get_xlim() == (0.0, 1.0)
    plt.close("all")
    with pytest.raises(ValueError, match="'n_boot' parameter of selection_stability"):
        selection_stability(InformationGain(), X, y, n_boot=0)
    with pytest.raises(ValueError, match="'cv' parameter of selection_stability"):
        selection_stability(InformationGain(), X, y, cv=1)
    with pytest.raises(ValueError, match="one row per patient; got 200 rows in X and 3"):
        selection_stability(InformationGain(), X, [0, 1, 0])
    with pytest.raises(TypeError, match="needs the result of selection_stability"):
        plot_selection_stability(result.summary)
    with pytest.raises(TypeError, match="found no selection step"):
        selection_stability(Pipeline([("prep", make_preprocessor())]), X, y, n_boot=2)
