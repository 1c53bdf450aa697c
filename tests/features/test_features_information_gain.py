"""Tests of riskml.features.InformationGain and the MDL / quantile discretizers.

Oracles: Quinlan's play-tennis example (Mitchell 1997, section 3.4.1.2: gains 0.246,
0.151, 0.048, 0.029); entropies computed by hand on small tables (in the docstrings);
the published Fayyad-Irani cut points of Fisher's iris data (R
``discretization::mdlp(iris)$cutp``); Weka 3.8's InfoGainAttributeEval ranking of
iris.arff; an independent brute-force implementation of the MDL recursion; and
scikit-learn's mutual_info_classif.
"""

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.feature_selection import mutual_info_classif

from riskml import Outcome
from riskml.features import InformationGain, mdl_cut_points, quantile_cut_points
from riskml.features._discretize import information_gain_table

PLAY_TENNIS = pd.DataFrame(
    [
        ("Sunny", "Hot", "High", "Weak", 0),
        ("Sunny", "Hot", "High", "Strong", 0),
        ("Overcast", "Hot", "High", "Weak", 1),
        ("Rain", "Mild", "High", "Weak", 1),
        ("Rain", "Cool", "Normal", "Weak", 1),
        ("Rain", "Cool", "Normal", "Strong", 0),
        ("Overcast", "Cool", "Normal", "Strong", 1),
        ("Sunny", "Mild", "High", "Weak", 0),
        ("Sunny", "Cool", "Normal", "Weak", 1),
        ("Rain", "Mild", "Normal", "Weak", 1),
        ("Sunny", "Mild", "Normal", "Strong", 1),
        ("Overcast", "Mild", "High", "Strong", 1),
        ("Overcast", "Hot", "Normal", "Weak", 1),
        ("Rain", "Mild", "High", "Strong", 0),
    ],
    columns=["outlook", "temperature", "humidity", "wind", "play"],
)


def test_play_tennis_gains_match_the_textbook():
    """Oracle: Mitchell (1997) Machine Learning, section 3.4.1.2 (Quinlan's ID3 example).

    Gain(Outlook) = 0.246, Gain(Humidity) = 0.151, Gain(Wind) = 0.048,
    Gain(Temperature) = 0.029 bits (printed truncated to 3 decimals: 0.2467 -> 0.246).
    """
    X = PLAY_TENNIS.drop(columns="play")
    selector = InformationGain(top_k=2).fit(X, PLAY_TENNIS["play"])
    ranking = selector.ranking_.set_index("feature")
    expected = {"outlook": 0.246, "humidity": 0.151, "wind": 0.048, "temperature": 0.029}
    for feature, gain in expected.items():
        value = ranking.loc[feature, "information_gain"]
        assert math.floor(value * 1000) / 1000 == pytest.approx(gain, abs=1e-12)
    assert selector.ranking_["feature"].tolist() == ["outlook", "humidity", "wind", "temperature"]
    assert selector.ranking_["rank"].tolist() == [1, 2, 3, 4]
    assert ranking["n_cut_points"].isna().all()  # nominal features are not discretized
    assert selector.selected_features_ == ["outlook", "humidity"]
    assert selector.transform(X).columns.tolist() == ["outlook", "humidity"]


def test_missing_values_as_a_state_and_distributed():
    """Oracle: hand computation on a 6-row table.

    x = [a, a, b, b, NA, NA], y = [1, 0, 1, 1, 0, 0]; H(Y) = 1 bit.
    missing="state": H(Y|X) = 2/6 * 1 + 2/6 * 0 + 2/6 * 0 = 1/3, so IG = 2/3.
    missing="distribute" (Weka): the two missing non-events go half to a, half to b:
    a = (1 event, 2 non), b = (2 events, 1 non), so H(Y|X) = H(1/3) and
    IG = 1 - H(1/3) = 1 - 0.918296 = 0.081704.
    """
    X = pd.DataFrame({"x": ["a", "a", "b", "b", None, None]})
    y = np.array([1, 0, 1, 1, 0, 0])
    state = InformationGain().fit(X, y).scores_[0]
    assert state == pytest.approx(2 / 3, abs=1e-12)
    spread = InformationGain(missing="distribute").fit(X, y).scores_[0]
    h_third = -(1 / 3) * math.log2(1 / 3) - (2 / 3) * math.log2(2 / 3)
    assert spread == pytest.approx(1 - h_third, abs=1e-12)
    # the same table for a continuous feature with missing values
    numeric = pd.DataFrame({"x": [1.0, 1.0, 2.0, 2.0, np.nan, np.nan]})
    table = np.array([[1, 1], [0, 2], [2, 0]], dtype=float)  # rows: a, b, missing
    assert information_gain_table(table) == pytest.approx(2 / 3, abs=1e-12)
    assert InformationGain(discretization="quantile").fit(numeric, y).scores_[0] == (
        pytest.approx(2 / 3, abs=1e-12)
    )


def _entropy(counts):
    total = sum(counts)
    return -sum(c / total * math.log2(c / total) for c in counts if c > 0)


def _brute_force_mdl(x, y, better_encoding=True):
    """Fayyad & Irani (1993) recursion written out with loops (an independent oracle)."""
    order = sorted(range(len(x)), key=lambda i: x[i])
    xs = [x[i] for i in order]
    ys = [y[i] for i in order]
    classes = sorted(set(y))
    cuts = []

    def split(lo, hi):
        n = hi - lo
        if n < 2:
            return
        prior = [ys[lo:hi].count(c) for c in classes]
        best, best_i, n_boundaries = _entropy(prior), None, 0
        for i in range(lo, hi - 1):
            if xs[i] < xs[i + 1]:
                n_boundaries += 1
                left = [ys[lo : i + 1].count(c) for c in classes]
                right = [p - q for p, q in zip(prior, left, strict=True)]
                e = (sum(left) * _entropy(left) + sum(right) * _entropy(right)) / n
                if e < best:
                    best, best_i = e, i
        if best_i is None:
            return
        left = [ys[lo : best_i + 1].count(c) for c in classes]
        right = [p - q for p, q in zip(prior, left, strict=True)]
        k, k1, k2 = (sum(1 for c in v if c > 0) for v in (prior, left, right))
        delta = math.log2(3**k - 2) - (
            k * _entropy(prior) - k1 * _entropy(left) - k2 * _entropy(right)
        )
        m = n_boundaries if better_encoding else n - 1
        if _entropy(prior) - best > (math.log2(m) + delta) / n:
            cuts.append((xs[best_i] + xs[best_i + 1]) / 2)
            split(lo, best_i + 1)
            split(best_i + 1, hi)

    split(0, len(xs))
    return sorted(cuts)


def test_iris_cut_points_are_the_published_ones():
    """Oracle: Fayyad-Irani MDL cut points of iris, as printed by R
    ``discretization::mdlp(iris)$cutp``: sepal length 5.55, 6.15; sepal width
    2.95, 3.35; petal length 2.45, 4.75; petal width 0.80, 1.75 (the paper's
    n - 1 encoding); and the brute-force recursion for both encodings.
    """
    iris = load_iris()
    published = [[5.55, 6.15], [2.95, 3.35], [2.45, 4.75], [0.8, 1.75]]
    for j, expected in enumerate(published):
        x = iris.data[:, j]
        np.testing.assert_allclose(
            mdl_cut_points(x, iris.target, better_encoding=False), expected, atol=1e-12
        )
        for better in (True, False):
            np.testing.assert_allclose(
                mdl_cut_points(x, iris.target, better_encoding=better),
                _brute_force_mdl(list(x), list(iris.target), better),
                atol=1e-12,
            )
    # Weka's InfoGainAttributeEval counts only distinct-value boundaries
    np.testing.assert_allclose(mdl_cut_points(iris.data[:, 2], iris.target), [2.45, 4.75, 5.15])


def test_mdl_matches_brute_force_on_tied_noisy_data():
    """Oracle: the brute-force recursion, on rounded values (ties) with missing values."""
    rng = np.random.default_rng(5)
    for seed in range(4):
        rng = np.random.default_rng(seed)
        x = np.round(rng.normal(size=150), 1)
        y = (rng.random(150) < 1 / (1 + np.exp(-2 * x))).astype(int)
        x[::13] = np.nan
        keep = ~np.isnan(x)
        expected = _brute_force_mdl(list(x[keep]), list(y[keep]))
        np.testing.assert_allclose(mdl_cut_points(x, y), expected, atol=1e-12)


def test_iris_ranking_matches_weka():
    """Oracle: Weka 3.8, ``weka.attributeSelection.InfoGainAttributeEval`` with
    ``Ranker`` on iris.arff (UCI's copy, which differs from Fisher's table in
    samples 35 and 38 as sklearn's load_iris documents):
    1.418 petallength, 1.378 petalwidth, 0.698 sepallength, 0.376 sepalwidth.
    Weka spreads missing values by default (none here).
    """
    iris = load_iris(as_frame=True)
    X = iris.data.copy()
    X.iloc[34] = [4.9, 3.1, 1.5, 0.1]  # UCI's sample 35
    X.iloc[37] = [4.9, 3.1, 1.5, 0.1]  # UCI's sample 38
    ranking = InformationGain().fit(X, iris.target).ranking_
    assert ranking["feature"].tolist() == [
        "petal length (cm)",
        "petal width (cm)",
        "sepal length (cm)",
        "sepal width (cm)",
    ]
    np.testing.assert_allclose(ranking["information_gain"], [1.418, 1.378, 0.698, 0.376], atol=5e-4)
    assert ranking["n_cut_points"].tolist() == [3, 2, 3, 2]


def test_quantile_cut_points():
    """Oracle: numpy.quantile at 1/5 .. 4/5; one bin per value for few distinct values."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=500)
    np.testing.assert_allclose(quantile_cut_points(x, 5), np.quantile(x, [0.2, 0.4, 0.6, 0.8]))
    np.testing.assert_allclose(quantile_cut_points([0, 1, 1, 0, np.nan], 5), [0.5])
    with pytest.raises(ValueError, match="n_bins must be an int >= 2; got 1"):
        quantile_cut_points(x, 1)


def test_top_k_threshold_and_at_least_one_feature():
    """Oracle: the recorded scores (selection follows the stated rule)."""
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(300, 6)), columns=[f"x{i}" for i in range(6)])
    y = (rng.random(300) < 1 / (1 + np.exp(-2 * X["x0"] - X["x1"]))).astype(int)
    selector = InformationGain(threshold=0.05).fit(X, y)
    assert selector.selected_features_ == [
        c for c, s in zip(X.columns, selector.scores_, strict=True) if s > 0.05
    ]
    assert "x0" in selector.selected_features_
    both = InformationGain(top_k=1, threshold=0.0).fit(X, y)
    assert both.selected_features_ == ["x0"]
    noise = pd.DataFrame(rng.normal(size=(100, 3)), columns=list("abc"))
    flat = InformationGain().fit(noise, rng.integers(0, 2, 100))
    assert len(flat.selected_features_) == 1  # nothing informative: the best is kept
    assert flat.get_support().sum() == 1
    assert (
        flat.ranking_["selected"] == flat.ranking_["feature"].isin(flat.selected_features_)
    ).all()


def test_mutual_info_is_sklearn_in_bits():
    """Oracle: sklearn.feature_selection.mutual_info_classif (nats) / ln 2."""
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=list("abc"))
    X["site"] = rng.choice(["n", "s"], 200)
    y = (X["a"] + rng.normal(size=200) > 0).astype(int)
    selector = InformationGain(method="mutual_info", random_state=0).fit(X, y)
    codes = X.assign(site=pd.factorize(X["site"])[0].astype(float))
    expected = mutual_info_classif(
        codes.to_numpy(), y, discrete_features=[False, False, False, True], random_state=0
    )
    np.testing.assert_allclose(selector.scores_, expected / np.log(2), atol=1e-12)
    assert selector.ranking_["feature"].iloc[0] == "a"
    with pytest.raises(ValueError, match="method='mutual_info' cannot use missing values"):
        InformationGain(method="mutual_info").fit(X.assign(a=np.nan), y)


def test_survival_y_uses_the_horizon_label():
    """Oracle: the same selector fitted on the evaluable rows and Outcome.at_horizon."""
    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))
    time = rng.exponential(400 * np.exp(-X["a"].to_numpy()))
    censor = rng.uniform(50, 900, 300)
    y = Outcome.survival(np.minimum(time, censor), time <= censor)
    selector = InformationGain(horizon=365.0).fit(X, y.to_structured())
    label = y.at_horizon(365.0)
    keep = ~np.isnan(label)
    direct = InformationGain().fit(X[keep], label[keep].astype(int))
    np.testing.assert_array_equal(selector.scores_, direct.scores_)
    assert selector.n_dropped_ == int((~keep).sum()) > 0
    with pytest.raises(ValueError, match="y is time-to-event and horizon is None"):
        InformationGain().fit(X, y)


def test_bad_parameters_and_columns():
    X = PLAY_TENNIS.drop(columns="play")
    y = PLAY_TENNIS["play"]
    with pytest.raises(ValueError, match="'discretization' parameter of InformationGain"):
        InformationGain(discretization="width").fit(X, y)
    with pytest.raises(ValueError, match="'top_k' parameter of InformationGain"):
        InformationGain(top_k=0).fit(X, y)
    selector = InformationGain(top_k=2).fit(X, y)
    with pytest.raises(ValueError, match="X lacks 1 selected column"):
        selector.transform(X.drop(columns="outlook"))
    with pytest.raises(ValueError, match="X must have 4 columns as in fit"):
        selector.transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="one row per patient; got 14 rows in X and 3 outcomes"):
        InformationGain().fit(X, [0, 1, 0])
